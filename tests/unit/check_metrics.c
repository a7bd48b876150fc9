/*
 * check_metrics.c - unit tests of lib/metrics.c: every rate on hand-computed confusion
 * matrices, undefined rates, and grouping of cells into overall / attribute / intersection
 * groups in sorted order.
 */
#include "internal.h"

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

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_rate_vectors, 0,
                        (int)(sizeof rate_vectors / sizeof rate_vectors[0]));
    tcase_add_test(tc, test_rate_values);
    tcase_add_test(tc, test_grouping);
    tcase_add_test(tc, test_attr_mismatch);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
