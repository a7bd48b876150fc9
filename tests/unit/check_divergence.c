/*
 * check_divergence.c - unit tests of lib/divergence.c, Clarify's pre-training label metrics
 * of a facet d against a, against values worked by hand from the counts, including the
 * label value one facet lacks (Clarify keeps only the values both have) and no common value.
 */
#include "divergence.h"
#include "metric.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#define TOL 1e-15

static double value(enum fg_metric metric, const struct fg_confusion *d,
                    const struct fg_confusion *a)
{
    struct fg_index v = fg_divergence(metric, d, a);
    ck_assert_msg(v.defined, "%s: %s", fg_metric_name(metric), v.why ? v.why : "");
    return v.value;
}

/* d: tp 1, fn 1, tn 2 (n 4, q_d 1/2); a: tp 3, tn 1 (n 4, q_a 3/4); Pa = (1/4, 3/4),
 * Pd = (1/2, 1/2), P = (3/8, 5/8).
 *   KL  = 1/4 ln(1/2) + 3/4 ln(3/2) = -0.17328679514 + 0.30409883108 = 0.13081203594
 *   JS  = (1/4 ln(2/3) + 3/4 ln(6/5) + 1/2 ln(4/3) + 1/2 ln(4/5)) / 2
 *   LP  = sqrt(2 (1/4)^2) = 0.35355339059;  TVD = (1/4 + 1/4) / 2 = 1/4;  KS = 1/4
 *   CI  = (4 - 4) / 8 = 0 */
START_TEST(test_both_labels)
{
    struct fg_confusion d = {.tp = 1, .fn = 1, .tn = 2}, a = {.tp = 3, .tn = 1};
    ck_assert_double_eq_tol(value(FG_METRIC_LABEL_KL_DIVERGENCE, &d, &a),
                            0.25 * log(0.5) + 0.75 * log(1.5), TOL);
    ck_assert_double_eq_tol(value(FG_METRIC_LABEL_KL_DIVERGENCE, &d, &a), 0.13081203594, 1e-11);
    ck_assert_double_eq_tol(
        value(FG_METRIC_LABEL_JS_DIVERGENCE, &d, &a),
        (0.25 * log(2.0 / 3) + 0.75 * log(1.2) + 0.5 * log(4.0 / 3) + 0.5 * log(0.8)) / 2, TOL);
    ck_assert_double_eq_tol(value(FG_METRIC_LABEL_LP_NORM, &d, &a), sqrt(2.0) / 4, TOL);
    ck_assert_double_eq_tol(value(FG_METRIC_LABEL_TOTAL_VARIATION, &d, &a), 0.25, TOL);
    ck_assert_double_eq_tol(value(FG_METRIC_LABEL_KS_DISTANCE, &d, &a), 0.25, TOL);
    ck_assert_double_eq_tol(value(FG_METRIC_CLASS_IMBALANCE, &d, &a), 0.0, TOL);
    /* CI: a - d over a + d; 6 rows against 2: (2 - 6) / 8 = -1/2 */
    struct fg_confusion big = {.tp = 2, .tn = 4};
    ck_assert_double_eq_tol(value(FG_METRIC_CLASS_IMBALANCE, &big, &(struct fg_confusion){.tp = 2}),
                            -0.5, TOL);
}
END_TEST

/* d has no positive label: only the negative value is common, Pa = (1/4), Pd = (1):
 * KL = 1/4 ln(1/4), LP = KS = 3/4, TVD = 3/8 (not |q_a - q_d| = 3/4). */
START_TEST(test_one_common_label)
{
    struct fg_confusion d = {.tn = 3, .fp = 1}, a = {.tp = 3, .tn = 1};
    ck_assert_double_eq_tol(value(FG_METRIC_LABEL_KL_DIVERGENCE, &d, &a), 0.25 * log(0.25), TOL);
    ck_assert_double_eq_tol(value(FG_METRIC_LABEL_LP_NORM, &d, &a), 0.75, TOL);
    ck_assert_double_eq_tol(value(FG_METRIC_LABEL_KS_DISTANCE, &d, &a), 0.75, TOL);
    ck_assert_double_eq_tol(value(FG_METRIC_LABEL_TOTAL_VARIATION, &d, &a), 0.375, TOL);
}
END_TEST

START_TEST(test_undefined)
{
    struct fg_confusion pos = {.tp = 2, .fn = 1}, neg = {.tn = 3, .fp = 2}, none = {0};
    for (int m = FG_METRIC_LABEL_KL_DIVERGENCE; m <= FG_METRIC_LABEL_KS_DISTANCE; m++) {
        struct fg_index v = fg_divergence((enum fg_metric)m, &neg, &pos);
        ck_assert(!v.defined && v.why != NULL); /* no label value in both */
    }
    ck_assert(!fg_divergence(FG_METRIC_CLASS_IMBALANCE, &pos, &none).defined); /* no rest */
    ck_assert(!fg_divergence(FG_METRIC_LABEL_KS_DISTANCE, &none, &pos).defined);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("divergence");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_both_labels);
    tcase_add_test(tc, test_one_common_label);
    tcase_add_test(tc, test_undefined);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
