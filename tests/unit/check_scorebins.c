/*
 * check_scorebins.c - unit tests of the score bins (lib/scorebins.c): the grid's edges, the
 * score metrics from bins against the exact ones of lib/scores.c (brier and calibration_gap
 * equal, auc within its bound, the bound tight on a hand vector) and the confusion counts at
 * a grid threshold against counting the scores.
 */
#define _POSIX_C_SOURCE 200809L

#include "fairgate.h"
#include "metric.h"
#include "policy.h"
#include "scorebins.h"
#include "scores.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 4096

/* The bins of rows (scores[i], y[i]) into b. */
static void bin_rows(const double *scores, const int *y, size_t n, struct fg_binned *b)
{
    memset(b, 0, sizeof *b);
    for (size_t i = 0; i < n; i++) {
        size_t slot = (size_t)(fg_score_bin(scores[i]) + 1);
        b->n[y[i]][slot]++;
        b->sum[y[i]][slot] += scores[i];
        b->sum_squares[y[i]][slot] += scores[i] * scores[i];
    }
}

/* The rows' scores split by y into neg and pos (room for n each). */
static void split_rows(const double *scores, const int *y, size_t n, double *neg, size_t *n_neg,
                       double *pos, size_t *n_pos)
{
    *n_neg = *n_pos = 0;
    for (size_t i = 0; i < n; i++)
        *(y[i] ? &pos[(*n_pos)++] : &neg[(*n_neg)++]) = scores[i];
}

/* The exact statistics of lib/scores.c for the same rows. */
static struct fg_score_stats exact_of(const double *scores, const int *y, size_t n,
                                      enum fg_favorable favorable, unsigned bins)
{
    static double neg[MAX_ROWS], pos[MAX_ROWS];
    size_t n_neg, n_pos;
    split_rows(scores, y, n, neg, &n_neg, pos, &n_pos);
    struct fg_score_stats s;
    fg_score_stats_compute(neg, n_neg, pos, n_pos, favorable, bins, &s);
    return s;
}

START_TEST(test_grid_edges)
{
    /* every edge E_k is in bin k, the double just below it in bin k - 1 */
    for (int k = 1; k < FG_SCORE_GRID; k++) {
        double edge = fg_score_edge(k);
        ck_assert_int_eq(fg_score_bin(edge), k);
        ck_assert_int_eq(fg_score_bin(nextafter(edge, 0.0)), k - 1);
    }
    ck_assert_int_eq(fg_score_bin(0.0), 0);
    ck_assert_int_eq(fg_score_bin(-0.0), 0);
    ck_assert_int_eq(fg_score_bin(0.3), 3000); /* "0.3" is E_3000, not just below it */
    ck_assert_int_eq(fg_score_bin(0.29999), 2999);
    ck_assert_int_eq(fg_score_bin(0.99995), 9999);
    ck_assert_int_eq(fg_score_bin(1.0), 9999); /* the last bin holds 1.0 */
    ck_assert_int_eq(fg_score_bin(nextafter(1.0, 2.0)), FG_SCORE_BIN_ABOVE);
    ck_assert_int_eq(fg_score_bin(-1e-300), FG_SCORE_BIN_BELOW);
    ck_assert_int_eq(fg_score_bin(1e300), FG_SCORE_BIN_ABOVE);
    /* calibration_gap's edges (b / B) are grid edges when B divides the grid */
    ck_assert(fg_score_edge(3 * (FG_SCORE_GRID / 8)) == 3.0 / 8);
    ck_assert(fg_score_edge(7 * (FG_SCORE_GRID / 10)) == 7.0 / 10);
}
END_TEST

/* pos {0.50001, 0.9}, neg {0.50005, 0.1}: 0.50001 and 0.50005 share bin 5000. Exact: the
 * pair (0.50001, 0.50005) ranks the negative above, the other three the positive: auc 3/4.
 * Binned: that pair counts 1/2: auc 3.5/4 = 0.875. Bound: 1 x 1 / (2 x 2 x 2) = 0.125, met
 * with equality. brier (above: t = y): (0.49999^2 + 0.01 + 0.50005^2 + 0.01) / 4. */
START_TEST(test_auc_bound_tight)
{
    const double scores[] = {0.50001, 0.9, 0.50005, 0.1};
    const int y[] = {1, 1, 0, 0};
    struct fg_binned *b = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_binned_new(&b, &err), FG_OK);
    bin_rows(scores, y, 4, b);
    struct fg_score_stats s;
    ck_assert_int_eq(fg_binned_stats(b, FG_FAVORABLE_ABOVE, 10, &s, NULL, &err), FG_OK);
    ck_assert(s.binned && s.auc_defined);
    ck_assert_double_eq_tol(s.auc, 0.875, 1e-15);
    ck_assert_double_eq_tol(s.auc_error_bound, 0.125, 1e-15);
    struct fg_score_stats x = exact_of(scores, y, 4, FG_FAVORABLE_ABOVE, 10);
    ck_assert_double_eq_tol(x.auc, 0.75, 1e-15);
    ck_assert_double_eq_tol(s.brier, (0.49999 * 0.49999 + 0.01 + 0.50005 * 0.50005 + 0.01) / 4,
                            1e-15);
    /* favorable: below ranks by -score: 1 - 0.875, the same bound */
    ck_assert_int_eq(fg_binned_stats(b, FG_FAVORABLE_BELOW, 10, &s, NULL, &err), FG_OK);
    ck_assert_double_eq_tol(s.auc, 0.125, 1e-15);
    ck_assert_double_eq_tol(s.auc_error_bound, 0.125, 1e-15);
    /* calibration bins off the grid are refused */
    ck_assert_int_ne(fg_binned_stats(b, FG_FAVORABLE_ABOVE, 7, &s, NULL, &err), FG_OK);
    fg_binned_free(b);
}
END_TEST

/* Random rows, scores with 2 to 7 decimals, every favorable and a few calibration bins: brier
 * and calibration_gap equal the exact ones to 1e-12, auc is within the bound (exact when the
 * scores have at most 4 decimals: a bin then holds one distinct score, whose ties count 1/2
 * in both), and the curves' calibration bins are the exact ones. */
START_TEST(test_random_against_exact)
{
    static double scores[MAX_ROWS];
    static int y[MAX_ROWS];
    static const unsigned calibration[] = {1, 5, 10, 16, 125, 1000};
    struct fg_binned *b = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_binned_new(&b, &err), FG_OK);
    srand(_i + 1);
    size_t n = 50 + (size_t)(rand() % 3000);
    int decimals = 2 + _i % 6;
    double scale = pow(10, decimals);
    for (size_t i = 0; i < n; i++) {
        y[i] = rand() % 3 == 0;
        double s = (rand() % 1000) / 1000.0 * 0.7 + (y[i] ? 0.3 : 0.0);
        scores[i] = round(s * scale) / scale;
    }
    bin_rows(scores, y, n, b);
    for (size_t f = 0; f < 2; f++)
        for (size_t c = 0; c < sizeof calibration / sizeof calibration[0]; c++) {
            enum fg_favorable favorable = f ? FG_FAVORABLE_BELOW : FG_FAVORABLE_ABOVE;
            struct fg_score_stats s, x = exact_of(scores, y, n, favorable, calibration[c]);
            struct fg_score_curves *curves = NULL;
            ck_assert_int_eq(fg_binned_stats(b, favorable, calibration[c], &s, &curves, &err),
                             FG_OK);
            ck_assert_double_eq_tol(s.brier, x.brier, 1e-12);
            ck_assert_double_eq_tol(s.calibration_gap, x.calibration_gap, 1e-12);
            ck_assert(fabs(s.auc - x.auc) <= s.auc_error_bound + 1e-15);
            if (decimals <= 4)
                ck_assert_double_eq_tol(s.auc, x.auc, 1e-15);
            ck_assert(s.auc_error_bound < 0.01);
            struct fg_score_curves *exact = NULL;
            static double neg[MAX_ROWS], pos[MAX_ROWS];
            size_t n_neg, n_pos;
            split_rows(scores, y, n, neg, &n_neg, pos, &n_pos);
            fg_scores_sort(neg, n_neg);
            fg_scores_sort(pos, n_pos);
            ck_assert_int_eq(fg_score_curves_compute(neg, n_neg, pos, n_pos, favorable,
                                                     calibration[c], &exact, &err),
                             FG_OK);
            ck_assert_uint_eq(curves->n_bins, exact->n_bins);
            for (size_t k = 0; k < curves->n_bins; k++) {
                ck_assert_uint_eq(curves->bin[k].n, exact->bin[k].n);
                ck_assert_double_eq_tol(curves->bin[k].mean_score, exact->bin[k].mean_score, 1e-12);
                ck_assert(curves->bin[k].observed == exact->bin[k].observed);
            }
            ck_assert(curves->roc_defined && curves->n_roc >= 2);
            ck_assert(curves->roc[curves->n_roc - 1].fpr == 1 &&
                      curves->roc[curves->n_roc - 1].tpr == 1);
            fg_score_curves_free(curves);
            fg_score_curves_free(exact);
        }
    fg_binned_free(b);
}
END_TEST

/* Confusion counts at grid thresholds equal counting the rows as ingest decides them. */
START_TEST(test_confusion_at_threshold)
{
    static double scores[MAX_ROWS];
    static int y[MAX_ROWS];
    struct fg_binned *b = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_binned_new(&b, &err), FG_OK);
    srand(99);
    size_t n = 2000;
    for (size_t i = 0; i < n; i++) {
        y[i] = rand() % 2;
        scores[i] = (rand() % 12001) / 10000.0 - 0.1; /* -0.1 .. 1.1, edges included */
    }
    bin_rows(scores, y, n, b);
    static const int edges[] = {0, 1, 2500, 5000, 5001, 9999};
    for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++)
        for (int f = 0; f < 2; f++) {
            double t = fg_score_edge(edges[e]);
            struct fg_confusion want = {0, 0, 0, 0}, got;
            for (size_t i = 0; i < n; i++) {
                bool favourable = f == 0 ? scores[i] >= t : scores[i] < t;
                *(y[i] ? (favourable ? &want.tp : &want.fn) : (favourable ? &want.fp : &want.tn)) +=
                    1;
            }
            fg_binned_confusion(b, edges[e], f == 0 ? FG_FAVORABLE_ABOVE : FG_FAVORABLE_BELOW,
                                &got);
            ck_assert_uint_eq(got.tp, want.tp);
            ck_assert_uint_eq(got.fp, want.fp);
            ck_assert_uint_eq(got.tn, want.tn);
            ck_assert_uint_eq(got.fn, want.fn);
        }
    fg_binned_free(b);
}
END_TEST

static Suite *scorebins_suite(void)
{
    Suite *s = suite_create("scorebins");
    TCase *tc = tcase_create("scorebins");
    tcase_add_test(tc, test_grid_edges);
    tcase_add_test(tc, test_auc_bound_tight);
    tcase_add_loop_test(tc, test_random_against_exact, 0, 24);
    tcase_add_test(tc, test_confusion_at_threshold);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(scorebins_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
