/*
 * scores.h - the score metrics of one group and model (lib/scores.c): AUC, Brier score
 * and calibration gap from the group's sorted scores, and the sort they use.
 *
 * Ownership: nothing here allocates; the score arrays are the caller's (sorted in place).
 */
#ifndef FAIRGATE_SCORES_H
#define FAIRGATE_SCORES_H

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
};

/* Fills out (present = true) from one group's scores for one model: negatives[0..n_neg) of
 * the rows whose y_true is 0 and positives[0..n_pos) of those whose y_true is 1. Sorts both
 * arrays in place. favorable orients the score (see struct fg_score_stats); bins is
 * calibration_gap's number of equal-width bins (0: FG_DEFAULT_BINS). brier and
 * calibration_gap are NaN when a score lies outside [0, 1]. */
void fg_score_stats_compute(double *negatives, size_t n_neg, double *positives, size_t n_pos,
                            enum fg_favorable favorable, unsigned bins, struct fg_score_stats *out);
/* Sorts n finite doubles ascending, in place (introsort: O(n log n), no extra memory). */
void fg_scores_sort(double *values, size_t n);

#endif /* FAIRGATE_SCORES_H */
