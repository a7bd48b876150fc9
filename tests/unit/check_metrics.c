/*
 * check_metrics.c - unit tests of lib/metrics.c: every rate on hand-computed confusion
 * matrices, undefined rates, grouping of cells into overall / attribute / intersection
 * groups in sorted order, the score metrics per group (their math is checked in
 * check_scores.c), the rate intervals stored per group, and fg_group_metric.
 */
#include "counts.h"
#include "fairgate.h"
#include "metric.h"
#include "metrics.h"
#include "policy.h"
#include "scores.h"
#include "stats.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- rates ---- */

struct rate_vector {
    enum fg_metric metric;
    struct fg_confusion c;
    bool defined;
    uint64_t num, den;
};

/* tp=3 fp=1 tn=4 fn=2, n=10, worked by hand. */
static const struct rate_vector rate_vectors[] = {
    {FG_METRIC_COUNT, {3, 1, 4, 2}, true, 10, 10},
    {FG_METRIC_BASE_RATE, {3, 1, 4, 2}, true, 5, 10},
    {FG_METRIC_SELECTION_RATE, {3, 1, 4, 2}, true, 4, 10},
    {FG_METRIC_TPR, {3, 1, 4, 2}, true, 3, 5},
    {FG_METRIC_FPR, {3, 1, 4, 2}, true, 1, 5},
    {FG_METRIC_FNR, {3, 1, 4, 2}, true, 2, 5},
    {FG_METRIC_TNR, {3, 1, 4, 2}, true, 4, 5},
    {FG_METRIC_PPV, {3, 1, 4, 2}, true, 3, 4},
    {FG_METRIC_NPV, {3, 1, 4, 2}, true, 4, 6},
    {FG_METRIC_FDR, {3, 1, 4, 2}, true, 1, 4},
    {FG_METRIC_FOR, {3, 1, 4, 2}, true, 2, 6},
    {FG_METRIC_ACCURACY, {3, 1, 4, 2}, true, 7, 10},
    {FG_METRIC_ERROR_RATE, {3, 1, 4, 2}, true, 3, 10},
    /* zero denominators: undefined, never 0 */
    {FG_METRIC_TPR, {0, 2, 3, 0}, false, 0, 0},
    {FG_METRIC_FNR, {0, 2, 3, 0}, false, 0, 0},
    {FG_METRIC_PPV, {0, 0, 3, 1}, false, 0, 0},
    {FG_METRIC_FDR, {0, 0, 3, 1}, false, 0, 0},
    {FG_METRIC_NPV, {2, 1, 0, 0}, false, 0, 0},
    {FG_METRIC_FOR, {2, 1, 0, 0}, false, 0, 0},
    {FG_METRIC_FPR, {2, 0, 0, 1}, false, 0, 0},
    {FG_METRIC_TNR, {2, 0, 0, 1}, false, 0, 0},
    {FG_METRIC_SELECTION_RATE, {0, 0, 0, 0}, false, 0, 0},
    /* a rate of exactly 0 is defined */
    {FG_METRIC_FPR, {2, 0, 5, 1}, true, 0, 5},
    {FG_METRIC_EQUALIZED_ODDS, {3, 1, 4, 2}, false, 0, 0},
};

START_TEST(test_rate_vectors)
{
    const struct rate_vector *v = &rate_vectors[_i];
    struct fg_rate r = fg_metric_rate(v->metric, &v->c);
    ck_assert_msg(r.defined == v->defined, "vector %d (%s): defined %d", _i,
                  fg_metric_name(v->metric), r.defined);
    if (v->defined) {
        ck_assert_uint_eq(r.num, v->num);
        ck_assert_uint_eq(r.den, v->den);
        double want =
            v->metric == FG_METRIC_COUNT ? (double)v->num : (double)v->num / (double)v->den;
        ck_assert_double_eq_tol(r.value, want, 1e-15);
    }
}
END_TEST

START_TEST(test_rate_values)
{
    struct fg_confusion c = {3, 1, 4, 2};
    ck_assert_double_eq(fg_metric_rate(FG_METRIC_PPV, &c).value, 0.75);
    ck_assert_double_eq(fg_metric_rate(FG_METRIC_ACCURACY, &c).value, 0.7);
    ck_assert_double_eq_tol(fg_metric_rate(FG_METRIC_NPV, &c).value, 2.0 / 3.0, 1e-15);
    ck_assert_uint_eq(fg_confusion_n(&c), 10);
    ck_assert(fg_metric_is_rate(FG_METRIC_ERROR_RATE));
    ck_assert(!fg_metric_is_rate(FG_METRIC_EQUALIZED_ODDS));
}
END_TEST

/* ---- grouping ---- */

static const char *policy_text = "version: 1\n"
                                 "name: t\n"
                                 "data:\n"
                                 "  label: y\n"
                                 "  positive_label: '1'\n"
                                 "  protected: [sex, race]\n"
                                 "  intersections: [[sex, race]]\n"
                                 "  candidate: { prediction: p }\n"
                                 "  incumbent: { prediction: q }\n"
                                 "  favorable_prediction: '1'\n"
                                 "gates:\n"
                                 "  - id: g\n"
                                 "    metric: tpr\n"
                                 "    disparity: ratio\n"
                                 "    min: 0.8\n";

static void add(struct fg_counts *k, const char *sex, const char *race, int y, int c, int i,
                uint64_t n)
{
    struct fg_error err;
    uint32_t ids[2];
    ck_assert_int_eq(fg_counts_intern(k, 0, sex, strlen(sex), &ids[0], &err), FG_OK);
    ck_assert_int_eq(fg_counts_intern(k, 1, race, strlen(race), &ids[1], &err), FG_OK);
    ck_assert_int_eq(fg_counts_add(k, ids, y, c, i, n, &err), FG_OK);
}

static const struct fg_group *find(const struct fg_metrics *m, const char *label)
{
    for (size_t i = 0; i < m->n_groups; i++)
        if (strcmp(m->groups[i].label, label) == 0)
            return &m->groups[i];
    return NULL;
}

START_TEST(test_grouping)
{
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    struct fg_counts *k = NULL;
    struct fg_metrics *m = NULL;
    ck_assert_int_eq(fg_policy_parse("t.yaml", policy_text, strlen(policy_text), &policy, &err),
                     FG_OK);
    ck_assert_int_eq(fg_counts_new(2, true, &k, &err), FG_OK);
    /* Inserted in non-sorted order (M before F, W before B) to check the sort. */
    add(k, "M", "W", 1, 1, 0, 5); /* candidate tp 5, incumbent fn 5 */
    add(k, "M", "B", 0, 1, 1, 2); /* fp 2, fp 2 */
    add(k, "F", "W", 1, 0, 1, 3); /* fn 3, tp 3 */
    add(k, "F", "B", 0, 0, 0, 7); /* tn 7, tn 7 */
    add(k, "M", "W", 1, 1, 0, 1); /* the same cell again: tp 6 in all */
    ck_assert_int_eq(fg_metrics_compute(policy, k, &m, &err), FG_OK);

    ck_assert(m->has_incumbent);
    ck_assert_uint_eq(m->n_attrsets, 3);
    /* overall, sex=F, sex=M, race=B, race=W, then four intersections */
    ck_assert_uint_eq(m->n_groups, 9);
    const char *order[] = {"overall",        "sex=F",          "sex=M",
                           "race=B",         "race=W",         "sex=F & race=B",
                           "sex=F & race=W", "sex=M & race=B", "sex=M & race=W"};
    for (size_t i = 0; i < 9; i++)
        ck_assert_str_eq(m->groups[i].label, order[i]);
    ck_assert_uint_eq(m->attrset_first[0], 1);
    ck_assert_uint_eq(m->attrset_count[0], 2);
    ck_assert_uint_eq(m->attrset_first[2], 5);
    ck_assert_uint_eq(m->attrset_count[2], 4);
    ck_assert_uint_eq(m->groups[0].attrset, SIZE_MAX);
    ck_assert_uint_eq(m->groups[0].n_values, 0);

    const struct fg_group *all = &m->groups[0];
    ck_assert_uint_eq(all->candidate.tp, 6);
    ck_assert_uint_eq(all->candidate.fp, 2);
    ck_assert_uint_eq(all->candidate.tn, 7);
    ck_assert_uint_eq(all->candidate.fn, 3);
    ck_assert_uint_eq(all->incumbent.tp, 3);
    ck_assert_uint_eq(all->incumbent.fp, 2);
    ck_assert_uint_eq(all->incumbent.tn, 7);
    ck_assert_uint_eq(all->incumbent.fn, 6);

    const struct fg_group *male = find(m, "sex=M");
    ck_assert_ptr_nonnull(male);
    ck_assert_uint_eq(male->candidate.tp, 6);
    ck_assert_uint_eq(male->candidate.fp, 2);
    ck_assert_uint_eq(fg_confusion_n(&male->candidate), 8);
    const struct fg_group *fw = find(m, "sex=F & race=W");
    ck_assert_ptr_nonnull(fw);
    ck_assert_uint_eq(fw->n_values, 2);
    ck_assert_str_eq(fw->values[0], "F");
    ck_assert_str_eq(fw->values[1], "W");
    ck_assert_uint_eq(fw->candidate.fn, 3);
    ck_assert_uint_eq(fw->incumbent.tp, 3);
    const struct fg_group *white = find(m, "race=W");
    ck_assert_uint_eq(white->candidate.tp, 6);
    ck_assert_uint_eq(white->candidate.fn, 3);
    struct fg_rate tpr = fg_metric_rate(FG_METRIC_TPR, &white->candidate);
    ck_assert_double_eq_tol(tpr.value, 6.0 / 9.0, 1e-15);

    fg_metrics_free(m);
    fg_counts_free(k);
    fg_policy_free(policy);
}
END_TEST

/* Each group's rate intervals are computed once, by fg_metrics_compute, at level
 * 1 - defaults.alpha: Wilson's interval of the rate, [0, 0] when the rate is undefined. */
START_TEST(test_rate_intervals)
{
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    struct fg_counts *k = NULL;
    struct fg_metrics *m = NULL;
    ck_assert_int_eq(fg_policy_parse("t.yaml", policy_text, strlen(policy_text), &policy, &err),
                     FG_OK);
    ck_assert_int_eq(fg_counts_new(2, true, &k, &err), FG_OK);
    add(k, "M", "W", 1, 1, 0, 6);
    add(k, "M", "B", 0, 1, 1, 2);
    add(k, "F", "W", 1, 0, 1, 3);
    add(k, "F", "B", 0, 0, 0, 7);
    ck_assert_int_eq(fg_metrics_compute(policy, k, &m, &err), FG_OK);
    const double level = 1.0 - policy->defaults.alpha;
    const struct fg_group *white = find(m, "race=W");
    ck_assert_ptr_nonnull(white);
    /* candidate tpr 6/9 */
    struct fg_interval w = fg_stats_wilson(6, 9, level);
    ck_assert_double_eq(white->candidate_ci.low[FG_METRIC_TPR], w.low);
    ck_assert_double_eq(white->candidate_ci.high[FG_METRIC_TPR], w.high);
    ck_assert(w.low < 6.0 / 9.0 && 6.0 / 9.0 < w.high);
    /* incumbent tpr 3/9 */
    w = fg_stats_wilson(3, 9, level);
    ck_assert_double_eq(white->incumbent_ci.low[FG_METRIC_TPR], w.low);
    ck_assert_double_eq(white->incumbent_ci.high[FG_METRIC_TPR], w.high);
    /* every rate of every group and model agrees with Wilson on its own num/den */
    for (size_t i = 0; i < m->n_groups; i++)
        for (int r = FG_METRIC_BASE_RATE; r < FG_METRIC_N_RATES; r++) {
            const struct fg_group *g = &m->groups[i];
            struct fg_rate rate = fg_metric_rate((enum fg_metric)r, &g->candidate);
            struct fg_interval ci = {0.0, 0.0};
            if (rate.defined)
                ci = fg_stats_wilson(rate.num, rate.den, level);
            ck_assert_double_eq(g->candidate_ci.low[r], ci.low);
            ck_assert_double_eq(g->candidate_ci.high[r], ci.high);
        }
    /* sex=F & race=B has no actual positive: its tpr is undefined, its interval [0, 0] */
    const struct fg_group *fb = find(m, "sex=F & race=B");
    ck_assert_ptr_nonnull(fb);
    ck_assert(!fg_metric_rate(FG_METRIC_TPR, &fb->candidate).defined);
    ck_assert_double_eq(fb->candidate_ci.low[FG_METRIC_TPR], 0.0);
    ck_assert_double_eq(fb->candidate_ci.high[FG_METRIC_TPR], 0.0);
    fg_metrics_free(m);
    fg_counts_free(k);
    fg_policy_free(policy);
}
END_TEST

START_TEST(test_attr_mismatch)
{
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    struct fg_counts *k = NULL;
    struct fg_metrics *m = (struct fg_metrics *)&err;
    ck_assert_int_eq(fg_policy_parse("t.yaml", policy_text, strlen(policy_text), &policy, &err),
                     FG_OK);
    ck_assert_int_eq(fg_counts_new(3, false, &k, &err), FG_OK);
    ck_assert_int_eq(fg_metrics_compute(policy, k, &m, &err), FG_ERR_USAGE);
    ck_assert_ptr_null(m);
    fg_counts_free(k);
    fg_policy_free(policy);
    fg_metrics_free(NULL);
}
END_TEST

/* ---- score metrics per group ---- */

START_TEST(test_group_metric)
{
    struct fg_group g;
    memset(&g, 0, sizeof g);
    g.candidate = (struct fg_confusion){3, 1, 4, 2};
    g.incumbent = (struct fg_confusion){1, 1, 1, 1};
    /* rate metrics: the model's confusion, as fg_metric_rate */
    struct fg_rate r = fg_group_metric(&g, FG_METRIC_TPR, false);
    ck_assert(r.defined);
    ck_assert_uint_eq(r.num, 3);
    ck_assert_uint_eq(r.den, 5);
    r = fg_group_metric(&g, FG_METRIC_TPR, true);
    ck_assert_uint_eq(r.num, 1);
    ck_assert_uint_eq(r.den, 2);
    ck_assert(!fg_group_metric(&g, FG_METRIC_EQUALIZED_ODDS, false).defined);
    /* no score column: undefined, denominator 0 */
    r = fg_group_metric(&g, FG_METRIC_AUC, false);
    ck_assert(!r.defined);
    ck_assert_uint_eq(r.den, 0);
    ck_assert(!fg_group_metric(&g, FG_METRIC_BRIER, false).defined);

    g.candidate_score = (struct fg_score_stats){.present = true,
                                                .n = 10,
                                                .positives = 7,
                                                .auc_defined = true,
                                                .auc = 0.8,
                                                .brier = 0.125,
                                                .calibration_gap = 0.0625};
    /* auc rests on the rarer class: min(7, 10 - 7) = 3 */
    r = fg_group_metric(&g, FG_METRIC_AUC, false);
    ck_assert(r.defined);
    ck_assert_double_eq(r.value, 0.8);
    ck_assert_uint_eq(r.num, 0);
    ck_assert_uint_eq(r.den, 3);
    g.candidate_score.positives = 2; /* min(2, 8) */
    ck_assert_uint_eq(fg_group_metric(&g, FG_METRIC_AUC, false).den, 2);
    r = fg_group_metric(&g, FG_METRIC_BRIER, false);
    ck_assert(r.defined);
    ck_assert_double_eq(r.value, 0.125);
    ck_assert_uint_eq(r.den, 10);
    r = fg_group_metric(&g, FG_METRIC_CALIBRATION_GAP, false);
    ck_assert(r.defined);
    ck_assert_double_eq(r.value, 0.0625);
    ck_assert_uint_eq(r.den, 10);
    /* the incumbent's side is its own */
    ck_assert(!fg_group_metric(&g, FG_METRIC_BRIER, true).defined);
    /* one class only: no auc; its denominator is 0 */
    g.candidate_score.positives = 10;
    g.candidate_score.auc_defined = false;
    r = fg_group_metric(&g, FG_METRIC_AUC, false);
    ck_assert(!r.defined);
    ck_assert_uint_eq(r.den, 0);
    ck_assert_double_eq(r.value, 0.0);
    /* a score outside [0, 1] leaves brier and calibration_gap NaN: undefined */
    g.candidate_score.brier = NAN;
    g.candidate_score.calibration_gap = NAN;
    ck_assert(!fg_group_metric(&g, FG_METRIC_BRIER, false).defined);
    ck_assert(!fg_group_metric(&g, FG_METRIC_CALIBRATION_GAP, false).defined);
    /* no rows */
    g.candidate_score = (struct fg_score_stats){.present = true};
    ck_assert(!fg_group_metric(&g, FG_METRIC_BRIER, false).defined);
}
END_TEST

static const char *score_policy_text = "version: 1\n"
                                       "name: t\n"
                                       "data:\n"
                                       "  label: y\n"
                                       "  positive_label: '1'\n"
                                       "  protected: [sex, race]\n"
                                       "  intersections: [[sex, race]]\n"
                                       "  candidate: { score: p, threshold: 0.5 }\n"
                                       "  incumbent: { prediction: q }\n"
                                       "  favorable_prediction: '1'\n"
                                       "gates:\n"
                                       "  - id: g\n"
                                       "    metric: auc\n"
                                       "    disparity: difference\n"
                                       "    max: 0.1\n";

static void add_scored(struct fg_counts *k, const char *sex, const char *race, int y, double p,
                       int i)
{
    struct fg_error err;
    uint32_t ids[2];
    ck_assert_int_eq(fg_counts_intern(k, 0, sex, strlen(sex), &ids[0], &err), FG_OK);
    ck_assert_int_eq(fg_counts_intern(k, 1, race, strlen(race), &ids[1], &err), FG_OK);
    ck_assert_int_eq(fg_counts_add_scored(k, ids, y, p >= 0.5, i, p, 0.0, &err), FG_OK);
}

/* Rows (sex, race, y, p), by hand (auc: pairs where the positive's p is higher, ties 1/2):
 *   M,W,1,0.9  M,W,0,0.7  M,B,1,0.3  M,B,0,0.2  F,W,1,0.6  F,W,0,0.4  F,B,1,0.45  F,B,0,0.8
 *   M,W,1,0.95 (a second score in the cell of the first row)
 * sex=M: positives {0.9, 0.95, 0.3} vs negatives {0.7, 0.2}: 2 + 2 + 1 = 5 of 6.
 * sex=F: positives {0.6, 0.45} vs {0.4, 0.8}: 1 + 1 = 2 of 4.
 * race=W: positives {0.9, 0.95, 0.6} vs {0.7, 0.4}: 2 + 2 + 1 = 5 of 6.
 * race=B: positives {0.3, 0.45} vs {0.2, 0.8}: 1 + 1 = 2 of 4.
 * M&W: {0.9, 0.95} vs {0.7}: 1. M&B: 0.3 vs 0.2: 1. F&W: 0.6 vs 0.4: 1. F&B: 0.45 vs 0.8: 0.
 * overall: {0.9, 0.95, 0.3, 0.6, 0.45} vs {0.7, 0.2, 0.4, 0.8}: 4 + 4 + 1 + 2 + 2 = 13 of 20. */
START_TEST(test_grouping_scores)
{
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    struct fg_counts *k = NULL;
    struct fg_metrics *m = NULL;
    ck_assert_int_eq(
        fg_policy_parse("t.yaml", score_policy_text, strlen(score_policy_text), &policy, &err),
        FG_OK);
    ck_assert_int_eq(fg_counts_new(2, true, &k, &err), FG_OK);
    ck_assert_int_eq(fg_counts_keep_scores(k, true, false, &err), FG_OK);
    add_scored(k, "M", "W", 1, 0.9, 1);
    add_scored(k, "M", "W", 0, 0.7, 0);
    add_scored(k, "M", "B", 1, 0.3, 1);
    add_scored(k, "M", "B", 0, 0.2, 0);
    add_scored(k, "F", "W", 1, 0.6, 0);
    add_scored(k, "F", "W", 0, 0.4, 1);
    add_scored(k, "F", "B", 1, 0.45, 0);
    add_scored(k, "F", "B", 0, 0.8, 0);
    add_scored(k, "M", "W", 1, 0.95, 1);
    ck_assert_int_eq(fg_metrics_compute(policy, k, &m, &err), FG_OK);
    static const struct {
        const char *label;
        uint64_t n, positives;
        double auc;
    } want[] = {
        {"overall", 9, 5, 13.0 / 20.0}, {"sex=F", 4, 2, 0.5},
        {"sex=M", 5, 3, 5.0 / 6.0},     {"race=B", 4, 2, 0.5},
        {"race=W", 5, 3, 5.0 / 6.0},    {"sex=F & race=B", 2, 1, 0.0},
        {"sex=F & race=W", 2, 1, 1.0},  {"sex=M & race=B", 2, 1, 1.0},
        {"sex=M & race=W", 3, 2, 1.0},
    };
    ck_assert_uint_eq(m->n_groups, 9);
    for (size_t i = 0; i < 9; i++) {
        const struct fg_group *g = &m->groups[i];
        ck_assert_str_eq(g->label, want[i].label); /* the order is unchanged */
        ck_assert(g->candidate_score.present);
        ck_assert_uint_eq(g->candidate_score.n, want[i].n);
        ck_assert_uint_eq(g->candidate_score.positives, want[i].positives);
        ck_assert(g->candidate_score.auc_defined);
        ck_assert_msg(fabs(g->candidate_score.auc - want[i].auc) < 1e-15, "%s: auc %.17g",
                      want[i].label, g->candidate_score.auc);
        ck_assert_uint_eq(fg_confusion_n(&g->candidate), want[i].n);
        /* the incumbent reads a prediction column: no scores for it */
        ck_assert(!g->incumbent_score.present);
        ck_assert(!fg_group_metric(g, FG_METRIC_AUC, true).defined);
    }
    /* the confusion counts are as before: sex=M has p >= 0.5 at 0.9, 0.95 (y 1), 0.7 (y 0) */
    const struct fg_group *male = find(m, "sex=M");
    ck_assert_uint_eq(male->candidate.tp, 2);
    ck_assert_uint_eq(male->candidate.fp, 1);
    ck_assert_uint_eq(male->candidate.fn, 1);
    ck_assert_uint_eq(male->candidate.tn, 1);
    ck_assert_uint_eq(male->incumbent.tp, 3);
    fg_metrics_free(m);

    /* what is present follows the counts (which keep scores only for a score gate) */
    struct fg_policy *plain = NULL;
    ck_assert_int_eq(fg_policy_parse("t.yaml", policy_text, strlen(policy_text), &plain, &err),
                     FG_OK);
    ck_assert_int_eq(fg_metrics_compute(plain, k, &m, &err), FG_OK);
    ck_assert(m->groups[0].candidate_score.present);
    ck_assert_double_eq_tol(m->groups[0].candidate_score.auc, 13.0 / 20.0, 1e-15);
    fg_metrics_free(m);
    fg_policy_free(plain);
    fg_counts_free(k);

    /* counts without scores: nothing present */
    ck_assert_int_eq(fg_counts_new(2, true, &k, &err), FG_OK);
    add(k, "M", "W", 1, 1, 0, 5);
    ck_assert_int_eq(fg_metrics_compute(policy, k, &m, &err), FG_OK);
    for (size_t i = 0; i < m->n_groups; i++) {
        ck_assert(!m->groups[i].candidate_score.present);
        ck_assert(!fg_group_metric(&m->groups[i], FG_METRIC_AUC, false).defined);
    }
    fg_metrics_free(m);
    fg_counts_free(k);
    fg_policy_free(policy);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_rate_vectors, 0,
                        (int)(sizeof rate_vectors / sizeof rate_vectors[0]));
    tcase_add_test(tc, test_rate_values);
    tcase_add_test(tc, test_grouping);
    tcase_add_test(tc, test_rate_intervals);
    tcase_add_test(tc, test_attr_mismatch);
    tcase_add_test(tc, test_group_metric);
    tcase_add_test(tc, test_grouping_scores);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
