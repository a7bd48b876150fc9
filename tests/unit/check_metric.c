/*
 * check_metric.c - unit tests of lib/metric.c, the metric vocabulary: every metric's name,
 * kind and direction from one table of vectors, and values outside the enum.
 */
#include "metric.h"

#include <check.h>
#include <stdlib.h>

struct metric_vector {
    enum fg_metric metric;
    const char *name;
    enum fg_metric_kind kind;
    int direction;
    bool is_rate, is_score;
};

static const struct metric_vector vectors[] = {
    {FG_METRIC_COUNT, "count", FG_METRIC_KIND_COUNT, 0, true, false},
    {FG_METRIC_BASE_RATE, "base_rate", FG_METRIC_KIND_RATE, 0, true, false},
    {FG_METRIC_SELECTION_RATE, "selection_rate", FG_METRIC_KIND_RATE, 0, true, false},
    {FG_METRIC_TPR, "tpr", FG_METRIC_KIND_RATE, 1, true, false},
    {FG_METRIC_FPR, "fpr", FG_METRIC_KIND_RATE, -1, true, false},
    {FG_METRIC_FNR, "fnr", FG_METRIC_KIND_RATE, -1, true, false},
    {FG_METRIC_TNR, "tnr", FG_METRIC_KIND_RATE, 1, true, false},
    {FG_METRIC_PPV, "ppv", FG_METRIC_KIND_RATE, 1, true, false},
    {FG_METRIC_NPV, "npv", FG_METRIC_KIND_RATE, 1, true, false},
    {FG_METRIC_FDR, "fdr", FG_METRIC_KIND_RATE, -1, true, false},
    {FG_METRIC_FOR, "for", FG_METRIC_KIND_RATE, -1, true, false},
    {FG_METRIC_ACCURACY, "accuracy", FG_METRIC_KIND_RATE, 1, true, false},
    {FG_METRIC_ERROR_RATE, "error_rate", FG_METRIC_KIND_RATE, -1, true, false},
    {FG_METRIC_EQUALIZED_ODDS, "equalized_odds", FG_METRIC_KIND_COMPOSITE, 0, false, false},
    {FG_METRIC_AUC, "auc", FG_METRIC_KIND_SCORE, 1, false, true},
    {FG_METRIC_CALIBRATION_GAP, "calibration_gap", FG_METRIC_KIND_SCORE, -1, false, true},
    {FG_METRIC_BRIER, "brier", FG_METRIC_KIND_SCORE, -1, false, true},
};

_Static_assert(sizeof vectors / sizeof vectors[0] == FG_METRIC__N, "one vector per metric");

START_TEST(test_vocabulary)
{
    const struct metric_vector *v = &vectors[_i];
    ck_assert_int_eq((int)v->metric, _i); /* the table covers the enum in order */
    ck_assert_str_eq(fg_metric_name(v->metric), v->name);
    ck_assert_str_eq(fg_metric_catalog[v->metric].name, v->name);
    ck_assert_ptr_eq(fg_metric_info(v->metric), &fg_metric_catalog[v->metric]);
    ck_assert_int_eq(fg_metric_lookup(v->name), v->metric);
    const struct fg_metric_info *info = fg_metric_info(v->metric);
    ck_assert(info->definition != NULL && info->definition[0] != '\0');
    ck_assert(info->denominator != NULL && info->source != NULL && info->source[0] != '\0');
    ck_assert_int_eq(info->counts, !v->is_score); /* every count-based metric takes --counts */
    ck_assert_int_eq(fg_metric_kind(v->metric), v->kind);
    ck_assert_int_eq(fg_metric_direction(v->metric), v->direction);
    ck_assert_int_eq(fg_metric_is_rate(v->metric), v->is_rate);
    ck_assert_int_eq(fg_metric_is_score(v->metric), v->is_score);
    /* the rate function computes exactly the rate metrics */
    struct fg_confusion c = {3, 1, 4, 2};
    ck_assert_int_eq(fg_metric_rate(v->metric, &c).defined, v->is_rate);
}
END_TEST

START_TEST(test_outside_enum)
{
    ck_assert_str_eq(fg_metric_name(FG_METRIC__N), "unknown");
    ck_assert_int_eq(fg_metric_direction(FG_METRIC__N), 0);
    ck_assert(!fg_metric_is_rate(FG_METRIC__N));
    ck_assert(!fg_metric_is_score(FG_METRIC__N));
    struct fg_confusion c = {1, 1, 1, 1};
    ck_assert(!fg_metric_rate(FG_METRIC__N, &c).defined);
    ck_assert_ptr_null(fg_metric_info(FG_METRIC__N));
    ck_assert_int_eq(fg_metric_lookup("tpr_gap"), FG_METRIC__N);
    ck_assert_str_eq(fg_metric_denominator(FG_METRIC_TPR), "actual positives");
    ck_assert_str_eq(fg_metric_denominator(FG_METRIC_FOR), "predicted negatives");
    ck_assert_str_eq(fg_metric_denominator(FG_METRIC__N), "rows");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metric");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_vocabulary, 0, (int)(sizeof vectors / sizeof vectors[0]));
    tcase_add_test(tc, test_outside_enum);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
