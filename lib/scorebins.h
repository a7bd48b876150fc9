/*
 * scorebins.h - score bins (lib/scorebins.c): a model's scores reduced to counts and sums on
 * a fixed grid, per (protected values, y_true, model), so that an engine can compute them
 * with one GROUP BY (`fairgate sql --bins`) and `check --counts` can judge the score metrics
 * (README "Counts: the warehouse path", "Score bins").
 *
 * The grid (fixed; the bins file's `bin` column):
 * - bin k, 0 <= k < FG_SCORE_GRID, holds the scores s with E_k <= s < E_(k+1), where E_k is the
 *   double nearest k / FG_SCORE_GRID (fg_score_edge); bin FG_SCORE_GRID - 1 also holds 1.0;
 * - bin FG_SCORE_BIN_BELOW (-1) holds every s < 0, bin FG_SCORE_BIN_ABOVE (FG_SCORE_GRID)
 *   every s > 1 (a policy that gates only on auc lets such scores through, as on the rows).
 * Each bin record holds count, the sum of the scores and the sum of their squares.
 *
 * What the bins give (fg_score_bins_group):
 * - brier exactly: sum (s - t)^2 = sum s^2 - 2 sum_{t=1} s + n_{t=1};
 * - calibration_gap exactly when the policy's bins B divide FG_SCORE_GRID: then E_(kB') with
 *   B' = FG_SCORE_GRID / B is the double nearest k / B, calibration_gap's own edge
 *   (lib/scores.c), so each calibration bin is a union of grid bins and its score sum and
 *   outcome count are sums of theirs (other B are refused: fg_score_bins_policy_check);
 * - auc with the pairs inside one bin counted 1/2, within auc_error_bound of the exact
 *   (Mann-Whitney) auc: see fg_score_bins_group.
 *
 * Ownership: a struct fg_score_bins owns its records; a counts table that is given one
 * (fg_counts_set_bins) frees it. struct fg_binned is the caller's (fg_binned_new/free).
 */
#ifndef FAIRGATE_SCOREBINS_H
#define FAIRGATE_SCOREBINS_H

#include "fairgate.h"
#include "metric.h"
#include "policy.h"
#include "scores.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the grid ---- */

#define FG_SCORE_GRID      10000               /* equal-width bins of [0, 1]: width 1e-4 */
#define FG_SCORE_BIN_BELOW (-1)                /* the bin of scores below 0 */
#define FG_SCORE_BIN_ABOVE FG_SCORE_GRID       /* the bin of scores above 1 */
#define FG_SCORE_SLOTS     (FG_SCORE_GRID + 2) /* every bin; slot = bin + 1 */
#define FG_MAX_BIN_RECORDS ((size_t)1 << 22)   /* bin records in one table */

/* The bin of a finite score (see the top of the file). */
int fg_score_bin(double score);
/* E_k, the double nearest k / FG_SCORE_GRID, for 0 <= k <= FG_SCORE_GRID. */
double fg_score_edge(int k);

/* ---- the records ---- */

/* One non-empty bin of one (protected values, y_true, model). */
struct fg_bin_record {
    uint32_t value_ids[FG_MAX_PROTECTED]; /* ids of the counts table; unused ones 0 */
    unsigned y_true : 1;
    unsigned incumbent : 1; /* the model: 0 the candidate, 1 the incumbent */
    int bin;                /* FG_SCORE_BIN_BELOW .. FG_SCORE_BIN_ABOVE */
    uint64_t n;
    double sum, sum_squares;
};

struct fg_score_bins;

FG_MUST_CHECK enum fg_status fg_score_bins_new(size_t n_attrs, struct fg_score_bins **out,
                                               struct fg_error *err);
void fg_score_bins_free(struct fg_score_bins *bins);
/* Appends a record (n > 0); records of the same key may repeat until fg_score_bins_finish. */
FG_MUST_CHECK enum fg_status fg_score_bins_add(struct fg_score_bins *bins,
                                               const struct fg_bin_record *record,
                                               struct fg_error *err);
/* Sorts the records by (value ids, y_true, model, bin) and adds up records of the same key
 * (FG_ERR_LIMIT when a count passes 2^64 - 1). Lookups need it. */
FG_MUST_CHECK enum fg_status fg_score_bins_finish(struct fg_score_bins *bins, struct fg_error *err);
/* Adds every record of src to dst, value ids mapped by maps[attr][src id] (fg_counts_merge),
 * then finishes dst. */
FG_MUST_CHECK enum fg_status fg_score_bins_merge(struct fg_score_bins *dst,
                                                 const struct fg_score_bins *src,
                                                 uint32_t *const *maps, struct fg_error *err);
size_t fg_score_bins_count(const struct fg_score_bins *bins);
const struct fg_bin_record *fg_score_bins_records(const struct fg_score_bins *bins);
/* Whether any record is of that model. */
bool fg_score_bins_has_model(const struct fg_score_bins *bins, bool incumbent);
/* The first record of (value_ids, y_true, model) in a finished store, *n_out records of that
 * key (in bin order); NULL and 0 when there is none. */
const struct fg_bin_record *fg_score_bins_find(const struct fg_score_bins *bins,
                                               const uint32_t *value_ids, int y_true,
                                               bool incumbent, size_t *n_out);

/* ---- from rows, and checks (lib/scorebins.c) ---- */

/* The bins of the scores a table keeps (fg_counts_keep_scores), finished, given to the table
 * (fg_counts_set_bins). Sums are compensated over each key's scores in sorted order, so the
 * same rows in any order give the same bins. Nothing to do for a table that keeps none. */
FG_MUST_CHECK enum fg_status fg_score_bins_from_scores(struct fg_counts *counts,
                                                       struct fg_error *err);
/* Whether the policy gates on a score metric, so that counts need score bins. */
bool fg_score_bins_needed(const struct fg_policy *policy);
/* FG_OK when the policy's score gates can be judged from score bins: calibration_gap's bins
 * divide FG_SCORE_GRID (its edges are then grid edges); else FG_ERR_POLICY at the gate. */
FG_MUST_CHECK enum fg_status fg_score_bins_policy_check(const struct fg_policy *policy,
                                                        struct fg_error *err);
/* After reading counts files: the table's bins (fg_counts_bins) fit the policy and the cells:
 * a policy with a score gate has bins of each model it reads from a score column and no
 * other; one without has none, or the candidate's alone when it reads a score (`fairgate
 * sweep`; check only tests that they fit, fg_metrics_compute ignores them); every (values, y_true)
 * has as many rows in each model's bins as in the cells; with brier or calibration_gap gated, no
 * score lies outside [0, 1] (as ingest refuses such a row). FG_ERR_POLICY or FG_ERR_INPUT
 * otherwise, naming the group. */
FG_MUST_CHECK enum fg_status fg_score_bins_validate(const struct fg_policy *policy,
                                                    const struct fg_counts *counts,
                                                    struct fg_error *err);

/* ---- one group's bins: metrics and confusion counts at a threshold ---- */

/* One group's bins of one model, dense: [y_true][bin + 1]. About 480 KB: allocate once
 * (fg_binned_new) and reuse; fg_score_bins_gather clears it first. */
struct fg_binned {
    uint64_t n[2][FG_SCORE_SLOTS];
    double sum[2][FG_SCORE_SLOTS];
    double sum_squares[2][FG_SCORE_SLOTS];
};

FG_MUST_CHECK enum fg_status fg_binned_new(struct fg_binned **out, struct fg_error *err);
void fg_binned_free(struct fg_binned *binned);

/* Sums into out the bins of one model over the cells cells[0..n_cells) of counts (NULL:
 * every cell), each (values, y_true) once however many cells share it (the cells differ in
 * their decisions; the bins do not). The cells of a group are those whose value ids equal
 * the group's on its attributes (lib/metrics.c projects them so). */
FG_MUST_CHECK enum fg_status fg_score_bins_gather(const struct fg_counts *counts,
                                                  const size_t *cells, size_t n_cells,
                                                  bool incumbent, struct fg_binned *out,
                                                  struct fg_error *err);

/* The score metrics of a gathered group (out->binned true):
 * - auc: 2U = sum over bins b of n+_b (2 N-_(<b) + n-_b), i.e. every pair in different bins
 *   ranked by its bins (exact: bins are ordered intervals) and every pair inside one bin
 *   counted 1/2. The exact auc counts such a pair 1, 1/2 or 0, at most 1/2 away, so
 *     |auc_binned - auc_exact| <= auc_error_bound = sum_b n+_b n-_b / (2 n+ n-),
 *   which is 0 when no bin holds both classes and about 1 / (2 x 10,000) for scores spread
 *   over [0, 1] (a bin's share of positives times its share of negatives, summed).
 *   favorable: below ranks by -score: 2U' = 2 n+ n- - 2U, the same bound.
 * - brier and calibration_gap from the sums, exactly but for rounding (NaN with a score
 *   outside [0, 1], as on the rows); calibration_bins must divide FG_SCORE_GRID.
 * curves, when not NULL, receives the reliability bins (exact) and the ROC curve through the
 * bin edges (thinned as lib/scores.c does), for fg_score_curves_free. */
FG_MUST_CHECK enum fg_status fg_binned_stats(const struct fg_binned *binned,
                                             enum fg_favorable favorable, unsigned calibration_bins,
                                             struct fg_score_stats *out,
                                             struct fg_score_curves **curves, struct fg_error *err);

/* The confusion counts of a gathered group at the grid threshold E_edge, 0 <= edge <
 * FG_SCORE_GRID, exactly as ingest decides a row: favorable: above predicts favourable when
 * score >= E_edge (bins >= edge), below when score < E_edge (bins < edge). (E_FG_SCORE_GRID =
 * 1.0 is not exact: its bin also holds [1 - 1e-4, 1).) For `fairgate sweep`: every gate's
 * value at every grid threshold from the same bins (rows: fg_score_bins_from_scores first). */
void fg_binned_confusion(const struct fg_binned *binned, int edge, enum fg_favorable favorable,
                         struct fg_confusion *out);

#endif /* FAIRGATE_SCOREBINS_H */
