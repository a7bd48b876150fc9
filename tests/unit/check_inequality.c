/*
 * check_inequality.c - unit tests of lib/inequality.c: generalized entropy, Theil and the
 * coefficient of variation of the benefit b = prediction - label + 1 against closed forms
 * worked by hand from benefit counts, the undefined cases, and the decomposition
 * between + within = total over groups.
 */
#include "inequality.h"
#include "metric.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#define TOL 1e-14

/* The constructed case: tp 3, fp 1, tn 4, fn 2, so benefit counts n0 = fn = 2,
 * n1 = tp + tn = 7, n2 = fp = 1; n = 10, mu = (7 + 2) / 10 = 0.9, sum b^2 = 7 + 4 = 11.
 *   GE(2) = (n sum b^2 / (sum b)^2 - 1) / 2 = (110 / 81 - 1) / 2 = 29 / 162 = 0.17901234567901
 *   Theil = 1/10 [7 (10/9) ln(10/9) + (20/9) ln(20/9)]
 *         = 1/10 [0.81947067733865 + 1.77446154715060] = 0.25939322244893
 *   CV    = sqrt(2 GE(2)) = sqrt(29) / 9 = 0.59835164523717
 *   GE(1/2) = 1 / (10 (1/2)(-1/2)) [2 (0 - 1) + 7 (sqrt(10/9) - 1) + (sqrt(20/9) - 1)]
 *           = -0.4 [-2 + 0.37864787 + 0.49071198] = 0.45225605650957
 *   GE(0) and GE(-1): infinite (two rows at benefit 0). */
static const struct fg_confusion CASE = {.tp = 3, .fp = 1, .tn = 4, .fn = 2};

static double index_of(enum fg_metric metric, const struct fg_confusion *c, double alpha,
                       bool aif360, bool *defined)
{
    struct fg_index_options o = {alpha, aif360};
    struct fg_index v = fg_inequality_total(metric, c, &o);
    *defined = v.defined;
    if (!v.defined)
        ck_assert(v.why != NULL && v.why[0] != '\0');
    return v.value;
}

START_TEST(test_closed_form)
{
    bool ok;
    double ge2 = index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &CASE, 2, false, &ok);
    ck_assert(ok);
    ck_assert_double_eq_tol(ge2, 29.0 / 162.0, TOL);
    ck_assert_double_eq_tol(ge2, 0.17901234567901, 1e-13);
    double theil = index_of(FG_METRIC_THEIL_INDEX, &CASE, 2 /* ignored */, false, &ok);
    ck_assert(ok);
    ck_assert_double_eq_tol(theil, (7 * 10.0 / 9 * log(10.0 / 9) + 20.0 / 9 * log(20.0 / 9)) / 10,
                            TOL);
    ck_assert_double_eq_tol(theil, 0.25939322244893, 1e-13);
    ck_assert_double_eq_tol(index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &CASE, 1, false, &ok),
                            theil, TOL);
    double cv = index_of(FG_METRIC_COEFFICIENT_OF_VARIATION, &CASE, 7 /* ignored */, false, &ok);
    ck_assert_double_eq_tol(cv, sqrt(29.0) / 9.0, TOL);
    double half = index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &CASE, 0.5, false, &ok);
    ck_assert_double_eq_tol(half, -0.4 * (-2 + 7 * (sqrt(10.0 / 9) - 1) + (sqrt(20.0 / 9) - 1)),
                            TOL);
    /* alpha <= 0 with rows at benefit 0 is infinite: no value, with a why */
    index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &CASE, 0, false, &ok);
    ck_assert(!ok);
    index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &CASE, -1, false, &ok);
    ck_assert(!ok);
}
END_TEST

/* No false negatives: tp 2, fp 2, tn 1 -> n1 = 3, n2 = 2, mu = 7/5.
 *   GE(0) = -1/5 [3 ln(5/7) + 2 ln(10/7)] = (3 ln 1.4 - 2 ln(10/7)) / 5 = 0.05921336...
 *   AIF360's code (classification_metric.py:724) divides that by mu: / 1.4. */
START_TEST(test_alpha_zero)
{
    struct fg_confusion c = {.tp = 2, .fp = 2, .tn = 1, .fn = 0};
    bool ok;
    double mld = (3 * log(1.4) - 2 * log(10.0 / 7)) / 5;
    ck_assert_double_eq_tol(index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &c, 0, false, &ok), mld,
                            TOL);
    ck_assert(ok);
    ck_assert_double_eq_tol(index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &c, 0, true, &ok),
                            mld / 1.4, TOL);
    /* GE(-1) = 1/(5 (-1)(-2)) [3 (1.4 - 1) + 2 (0.7 - 1)] = (1.2 - 0.6) / 10 = 0.06 */
    ck_assert_double_eq_tol(index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &c, -1, false, &ok), 0.06,
                            TOL);
}
END_TEST

START_TEST(test_undefined)
{
    bool ok;
    struct fg_confusion none = {0, 0, 0, 0}, all_fn = {.fn = 4};
    index_of(FG_METRIC_THEIL_INDEX, &none, 2, false, &ok);
    ck_assert(!ok);
    index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &all_fn, 2, false, &ok);
    ck_assert(!ok); /* mean benefit 0 */
    /* everyone at benefit 1: no inequality at all */
    struct fg_confusion equal = {.tp = 5, .tn = 5};
    ck_assert_double_eq_tol(index_of(FG_METRIC_THEIL_INDEX, &equal, 2, false, &ok), 0.0, TOL);
    ck_assert_double_eq_tol(index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &equal, 0, false, &ok),
                            0.0, TOL);
}
END_TEST

/* ---- between + within = total ---- */

static const struct fg_confusion *at(const void *data, size_t i)
{
    return &((const struct fg_confusion *)data)[i];
}

static double split(enum fg_metric metric, const struct fg_confusion *groups, size_t n,
                    double alpha, bool *defined)
{
    struct fg_index_options o = {alpha, false};
    struct fg_index v = fg_inequality_split(metric, at, groups, n, &o);
    *defined = v.defined;
    return v.value;
}

/* Two groups: CASE (n 10, mu 0.9) and tp 5, fp 0, tn 1, fn 1 (n 7, mu 6/7); mu = 15/17.
 * between GE(2) = 1/(17 * 2) [10 ((0.9 * 17/15)^2 - 1) + 7 ((6/7 * 17/15)^2 - 1)]. */
START_TEST(test_between_closed_form)
{
    struct fg_confusion groups[2] = {CASE, {.tp = 5, .fp = 0, .tn = 1, .fn = 1}};
    bool ok;
    double r1 = 0.9 * 17 / 15, r2 = 6.0 / 7 * 17 / 15;
    double want = (10 * (r1 * r1 - 1) + 7 * (r2 * r2 - 1)) / 34;
    ck_assert_double_eq_tol(
        split(FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX, groups, 2, 2, &ok), want, TOL);
    ck_assert(ok);
    ck_assert_double_eq_tol(
        split(FG_METRIC_BETWEEN_GROUP_COEFFICIENT_OF_VARIATION, groups, 2, 0, &ok), sqrt(2 * want),
        TOL);
    ck_assert_double_eq_tol(split(FG_METRIC_BETWEEN_GROUP_THEIL_INDEX, groups, 2, 0, &ok),
                            (10 * r1 * log(r1) + 7 * r2 * log(r2)) / 17, TOL);
}
END_TEST

/* ---- differential fairness ----
 * AIF360 v0.6.1 binary_label_dataset_metric.py:159-:188: p = (positives + 1/2) / (n + 1) per
 * group present (concentration 1, dirichlet_alpha = 1/2 :167); :223-:232 EDF = the largest
 * |ln p_i - ln p_j| or |ln(1 - p_i) - ln(1 - p_j)|; classification_metric.py:841-:864 bias
 * amplification = EDF(predictions) - EDF(labels). Groups CASE (n 10, 5 label and 4 predicted
 * positives), {tp 1, tn 8, fn 1} (n 10, 2 and 1) and an empty one (absent for AIF360):
 *   labels  p = 5.5/11 = 1/2, 2.5/11 = 5/22: ln(11/5) = 0.788 > ln((17/22)/(1/2)) = ln(17/11)
 *   predictions 4.5/11 = 9/22, 1.5/11 = 3/22: ln 3 = 1.099 > ln((19/22)/(13/22)) = ln(19/13)
 *   bias amplification ln 3 - ln(11/5) = ln(15/11). */
START_TEST(test_differential_fairness)
{
    struct fg_confusion groups[3] = {CASE, {.tp = 1, .tn = 8, .fn = 1}, {0, 0, 0, 0}};
    bool ok;
    ck_assert_double_eq_tol(
        split(FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS, groups, 3, 2, &ok),
        log(11.0 / 5.0), TOL);
    ck_assert(ok);
    ck_assert_double_eq_tol(
        split(FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION, groups, 3, 2, &ok),
        log(15.0 / 11.0), TOL);
    ck_assert(ok);
    /* the negative rates decide: 10 and 2 label positives of 10, p = 10.5/11 = 21/22 and
     * 2.5/11 = 5/22: ln(21/5) = 1.435 < ln((17/22)/(1/22)) = ln 17 = 2.833 */
    struct fg_confusion skew[2] = {{.tp = 10}, {.tp = 2, .tn = 8}};
    ck_assert_double_eq_tol(
        split(FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS, skew, 2, 2, &ok), log(17.0), TOL);
    /* one group with rows: no pair (AIF360's max() of nothing raises) */
    split(FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS, groups + 1, 2, 2, &ok);
    ck_assert(!ok);
    split(FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION, groups + 1, 2, 2, &ok);
    ck_assert(!ok);
}
END_TEST

static const double alphas[] = {-1, 0, 0.5, 1, 2, 3};

START_TEST(test_decomposition)
{
    /* three groups, one of only false negatives (weight 0 for alpha > 0); without false
     * negatives for alpha <= 0, where one row at benefit 0 makes every part infinite */
    struct fg_confusion with_fn[3] = {CASE, {.tp = 5, .tn = 1, .fn = 1}, {.fn = 3}};
    struct fg_confusion no_fn[3] = {{.tp = 4, .fp = 3, .tn = 2}, {.tp = 1, .tn = 6}, {.fp = 2}};
    double alpha = alphas[_i];
    const struct fg_confusion *groups = alpha > 0 ? with_fn : no_fn;
    struct fg_confusion all = {0, 0, 0, 0};
    for (size_t g = 0; g < 3; g++) {
        all.tp += groups[g].tp;
        all.fp += groups[g].fp;
        all.tn += groups[g].tn;
        all.fn += groups[g].fn;
    }
    bool ok_total, ok_between, ok_within;
    double total = index_of(FG_METRIC_GENERALIZED_ENTROPY_INDEX, &all, alpha, false, &ok_total);
    double between =
        split(FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX, groups, 3, alpha, &ok_between);
    double within =
        split(FG_METRIC_WITHIN_GROUP_GENERALIZED_ENTROPY_INDEX, groups, 3, alpha, &ok_within);
    ck_assert(ok_total && ok_between && ok_within);
    ck_assert(between > 0 && within > 0);
    ck_assert_double_eq_tol(between + within, total, 1e-13);
    if (alpha == 1.0) {
        double tb = split(FG_METRIC_BETWEEN_GROUP_THEIL_INDEX, groups, 3, 9, &ok_between);
        double tw = split(FG_METRIC_WITHIN_GROUP_THEIL_INDEX, groups, 3, 9, &ok_within);
        ck_assert_double_eq_tol(tb + tw, index_of(FG_METRIC_THEIL_INDEX, &all, 9, false, &ok_total),
                                1e-13);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("inequality");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_closed_form);
    tcase_add_test(tc, test_alpha_zero);
    tcase_add_test(tc, test_undefined);
    tcase_add_test(tc, test_between_closed_form);
    tcase_add_test(tc, test_differential_fairness);
    tcase_add_loop_test(tc, test_decomposition, 0, (int)(sizeof alphas / sizeof alphas[0]));
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
