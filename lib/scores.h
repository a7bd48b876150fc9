/*
 * scores.h - the score metrics of one group and model (lib/scores.c): AUC, Brier score
 * and calibration gap from the group's sorted scores, and the sort they use.
 *
 * Ownership: the score arrays are the caller's (sorted in place); only
 * fg_score_curves_compute allocates (freed with fg_score_curves_free).
 */
#ifndef FAIRGATE_SCORES_H
#define FAIRGATE_SCORES_H

#include "fairgate.h"
#include "policy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- score statistics (lib/scores.c) ---- */

/* What the score metrics need of one group and model (filled by fg_metrics_compute when the
 * model is read from a score column). The score's "favourable" direction is respected: with
 * favorable: below a low score is the favourable decision, so auc ranks by -score, and
 * brier/calibration_gap compare the score with the unfavourable outcome it then predicts. */
struct fg_score_stats {
    bool present;           /* the model has a score column */
    uint64_t n, positives;  /* rows with a score; of which y_true is the positive label */
    bool auc_defined;       /* positives > 0 and n - positives > 0 */
    double auc;             /* exact Mann-Whitney with ties counted 1/2 */
    double brier;           /* mean (score - outcome)^2 */
    double calibration_gap; /* expected calibration error over policy->calibration_bins */
    /* From score bins (check --counts, lib/scorebins.c) rather than the scores themselves:
     * auc then counts the pairs inside one bin 1/2 and lies within auc_error_bound of the
     * exact auc; brier and calibration_gap are exact but for rounding. */
    bool binned;
    double auc_error_bound; /* 0 unless binned */
};

/* Fills out (present = true) from one group's scores for one model: negatives[0..n_neg) of
 * the rows whose y_true is 0 and positives[0..n_pos) of those whose y_true is 1. Sorts both
 * arrays in place. favorable orients the score (see struct fg_score_stats); bins is
 * calibration_gap's number of equal-width bins (0: FG_DEFAULT_BINS). brier and
 * calibration_gap are NaN when a score lies outside [0, 1]. */
void fg_score_stats_compute(double *negatives, size_t n_neg, double *positives, size_t n_pos,
                            enum fg_favorable favorable, unsigned bins, struct fg_score_stats *out);
/* ---- curves for the report (lib/scores.c) ---- */

#define FG_ROC_MAX_POINTS 101 /* ROC vertices kept per group and model, (0,0) and (1,1) too */

/* One non-empty bin of calibration_gap: scores in [low, high) (the last bin holds 1.0). */
struct fg_calibration_bin {
    double low, high;
    uint64_t n;
    double mean_score; /* mean score of the bin's rows */
    double observed;   /* share of the bin's rows whose outcome t (see above) is 1 */
};

/* One ROC vertex: rows with a score at threshold or towards the favourable side of it are
 * predicted favourable (score >= threshold for favorable: above, <= for below). (0, 0) has
 * no threshold. */
struct fg_roc_point {
    double fpr, tpr;
    bool has_threshold;
    double threshold;
};

struct fg_score_curves {
    unsigned bins;                  /* the policy's calibration bins */
    bool calibration_defined;       /* rows > 0 and every score in [0, 1] */
    struct fg_calibration_bin *bin; /* the non-empty bins in order: n_bins <= min(rows, bins) */
    size_t n_bins;
    bool roc_defined;         /* both classes present */
    struct fg_roc_point *roc; /* from (0, 0) to (1, 1): n_roc <= FG_ROC_MAX_POINTS */
    size_t n_roc;
};

/* The reliability bins and the thinned ROC curve of one group and model, from the arrays
 * fg_score_stats_compute sorted (negatives and positives as there). *out is the caller's
 * (fg_score_curves_free); FG_ERR_NOMEM when out of memory. */
FG_MUST_CHECK enum fg_status fg_score_curves_compute(const double *negatives, size_t n_neg,
                                                     const double *positives, size_t n_pos,
                                                     enum fg_favorable favorable, unsigned bins,
                                                     struct fg_score_curves **out,
                                                     struct fg_error *err);
void fg_score_curves_free(struct fg_score_curves *curves);
/* Empty curves with room for room_bins calibration bins (when calibration_defined) and
 * room_roc ROC vertices (when roc_defined), for a walk to fill (lib/scores.c, scorebins.c). */
FG_MUST_CHECK enum fg_status fg_score_curves_new(unsigned bins, bool calibration_defined,
                                                 bool roc_defined, size_t room_bins,
                                                 size_t room_roc, struct fg_score_curves **out,
                                                 struct fg_error *err);

/* Whether the ROC vertex after (fp, tp) of (n_neg, n_pos) is kept by the thinning the
 * report uses (see scores.c): always the last, else when it reaches a new 1/50 step of the
 * curve's L1 length (*last_step, updated when kept). */
bool fg_roc_keep(uint64_t fp, uint64_t n_neg, uint64_t tp, uint64_t n_pos, bool last,
                 unsigned *last_step);

/* ---- compensated sums (Neumaier 1974): order-robust sums of doubles ---- */

struct fg_ksum {
    double s, c; /* the running sum and the rounding errors it dropped */
};
void fg_ksum_add(struct fg_ksum *sum, double x);
double fg_ksum_value(const struct fg_ksum *sum);

/* Sorts n finite doubles ascending, in place (introsort: O(n log n), no extra memory). */
void fg_scores_sort(double *values, size_t n);

#endif /* FAIRGATE_SCORES_H */
