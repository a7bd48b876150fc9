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
    {FG_METRIC_CONDITIONAL_ACCEPTANCE, "conditional_acceptance", FG_METRIC_KIND_COUNT_RATIO, 0,
     false, false},
    {FG_METRIC_CONDITIONAL_REJECTION, "conditional_rejection", FG_METRIC_KIND_COUNT_RATIO, 0, false,
     false},
    {FG_METRIC_TREATMENT_EQUALITY, "treatment_equality", FG_METRIC_KIND_COUNT_RATIO, 0, false,
     false},
    {FG_METRIC_AVERAGE_ODDS, "average_odds", FG_METRIC_KIND_AVERAGE, 0, false, false},
    {FG_METRIC_AVERAGE_PREDICTIVE_VALUE, "average_predictive_value", FG_METRIC_KIND_AVERAGE, 0,
     false, false},
    {FG_METRIC_GENERALIZED_ENTROPY_INDEX, "generalized_entropy_index", FG_METRIC_KIND_INDEX, -1,
     false, false},
    {FG_METRIC_THEIL_INDEX, "theil_index", FG_METRIC_KIND_INDEX, -1, false, false},
    {FG_METRIC_COEFFICIENT_OF_VARIATION, "coefficient_of_variation", FG_METRIC_KIND_INDEX, -1,
     false, false},
    {FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX, "between_group_generalized_entropy_index",
     FG_METRIC_KIND_GROUP_INDEX, -1, false, false},
    {FG_METRIC_BETWEEN_GROUP_THEIL_INDEX, "between_group_theil_index", FG_METRIC_KIND_GROUP_INDEX,
     -1, false, false},
    {FG_METRIC_BETWEEN_GROUP_COEFFICIENT_OF_VARIATION, "between_group_coefficient_of_variation",
     FG_METRIC_KIND_GROUP_INDEX, -1, false, false},
    {FG_METRIC_WITHIN_GROUP_GENERALIZED_ENTROPY_INDEX, "within_group_generalized_entropy_index",
     FG_METRIC_KIND_GROUP_INDEX, -1, false, false},
    {FG_METRIC_WITHIN_GROUP_THEIL_INDEX, "within_group_theil_index", FG_METRIC_KIND_GROUP_INDEX, -1,
     false, false},
    {FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS, "smoothed_empirical_differential_fairness",
     FG_METRIC_KIND_GROUP_INDEX, -1, false, false},
    {FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION, "differential_fairness_bias_amplification",
     FG_METRIC_KIND_GROUP_INDEX, -1, false, false},
    {FG_METRIC_CLASS_IMBALANCE, "class_imbalance", FG_METRIC_KIND_PAIR, 0, false, false},
    {FG_METRIC_LABEL_KL_DIVERGENCE, "label_kl_divergence", FG_METRIC_KIND_PAIR, 0, false, false},
    {FG_METRIC_LABEL_JS_DIVERGENCE, "label_js_divergence", FG_METRIC_KIND_PAIR, 0, false, false},
    {FG_METRIC_LABEL_LP_NORM, "label_lp_norm", FG_METRIC_KIND_PAIR, 0, false, false},
    {FG_METRIC_LABEL_TOTAL_VARIATION, "label_total_variation", FG_METRIC_KIND_PAIR, 0, false,
     false},
    {FG_METRIC_LABEL_KS_DISTANCE, "label_ks_distance", FG_METRIC_KIND_PAIR, 0, false, false},
    {FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY, "conditional_demographic_disparity",
     FG_METRIC_KIND_PAIR, 0, false, false},
    {FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY_PREDICTED,
     "conditional_demographic_disparity_predicted", FG_METRIC_KIND_PAIR, 0, false, false},
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
    /* the rate function computes the rate metrics, the count ratios and the averages */
    struct fg_confusion c = {3, 1, 4, 2};
    bool computed = v->is_rate || v->kind == FG_METRIC_KIND_COUNT_RATIO ||
                    v->kind == FG_METRIC_KIND_AVERAGE || v->kind == FG_METRIC_KIND_PAIR;
    ck_assert_int_eq(fg_metric_rate(v->metric, &c).defined, computed);
    ck_assert_int_eq(fg_metric_takes_strata(v->metric),
                     v->metric == FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY ||
                         v->metric == FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY_PREDICTED);
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

/* The new count-based metrics, by hand, with the peers' formulas. tp, fp, tn, fn = 3, 1, 4, 2:
 * conditional_acceptance (tp+fn)/(tp+fp) = 5/4 (smclarify 0.5 common.py:284, ca = na1/na1hat);
 * conditional_rejection (tn+fp)/(tn+fn) = 5/6 (common.py:281, rr = na0/na0hat);
 * treatment_equality fn/fp = 2/1 (posttraining.py:311, tau = FN/FP);
 * average_odds (tpr+fpr)/2 = (3/5 + 1/5)/2 = 0.4, den min(5, 5) = 5 (AIF360 v0.6.1
 * classification_metric.py:557 averages the two differences, so the group's value is the mean);
 * average_predictive_value (ppv+for)/2 = (3/4 + 2/6)/2 = 13/24, den min(4, 6) = 4
 * (classification_metric.py:585: PPV and FOR, not NPV). With fp = 0 treatment_equality is
 * undefined (null), where Clarify's divide (common.py:26) gives +inf, or 0 for 0/0. */
struct count_vector {
    enum fg_metric metric;
    struct fg_confusion c;
    bool defined;
    double value;
    uint64_t den;
};
static const struct count_vector count_vectors[] = {
    {FG_METRIC_CONDITIONAL_ACCEPTANCE, {3, 1, 4, 2}, true, 5.0 / 4.0, 4},
    {FG_METRIC_CONDITIONAL_REJECTION, {3, 1, 4, 2}, true, 5.0 / 6.0, 6},
    {FG_METRIC_TREATMENT_EQUALITY, {3, 1, 4, 2}, true, 2.0, 1},
    {FG_METRIC_AVERAGE_ODDS, {3, 1, 4, 2}, true, 0.4, 5},
    {FG_METRIC_AVERAGE_PREDICTIVE_VALUE, {3, 1, 4, 2}, true, 13.0 / 24.0, 4},
    {FG_METRIC_TREATMENT_EQUALITY, {3, 0, 4, 2}, false, 0.0, 0},
    {FG_METRIC_TREATMENT_EQUALITY, {3, 0, 4, 0}, false, 0.0, 0},
    {FG_METRIC_CONDITIONAL_ACCEPTANCE, {0, 0, 4, 2}, false, 0.0, 0},
    {FG_METRIC_AVERAGE_ODDS, {0, 1, 4, 0}, false, 0.0, 0}, /* no actual positives: tpr 0/0 */
    {FG_METRIC_AVERAGE_PREDICTIVE_VALUE, {3, 1, 0, 0}, false, 0.0, 0}, /* for 0/0 */
};

START_TEST(test_count_metrics)
{
    const struct count_vector *v = &count_vectors[_i];
    struct fg_rate r = fg_metric_rate(v->metric, &v->c);
    ck_assert_int_eq(r.defined, v->defined);
    ck_assert_double_eq_tol(r.value, v->value, 1e-15);
    ck_assert_uint_eq(r.den, v->den);
}
END_TEST

/* Every alias resolves to a metric of the enum, is found by its name, and says its source. */
START_TEST(test_aliases)
{
    ck_assert_uint_ge(fg_metric_n_aliases, 30);
    for (size_t i = 0; i < fg_metric_n_aliases; i++) {
        const struct fg_metric_alias *a = &fg_metric_aliases[i];
        ck_assert_ptr_eq(fg_metric_alias_lookup(a->name), a);
        ck_assert_int_lt(a->metric, FG_METRIC__N);
        ck_assert(a->source[0] != '\0' && a->definition[0] != '\0');
    }
    const struct fg_metric_alias *te = fg_metric_alias_lookup("clarify.TE");
    ck_assert_int_eq(te->metric, FG_METRIC_TREATMENT_EQUALITY);
    ck_assert_int_eq(te->form, FG_ALIAS_GROUP_MINUS_REFERENCE); /* d - a */
    const struct fg_metric_alias *dppl = fg_metric_alias_lookup("clarify.DPPL");
    ck_assert_int_eq(dppl->form, FG_ALIAS_REFERENCE_MINUS_GROUP); /* a - d */
    ck_assert_ptr_null(fg_metric_alias_lookup("clarify.dppl"));
    /* the inequality indices: overall gates only, alpha where GE takes one */
    const struct fg_metric_alias *ge = fg_metric_alias_lookup("clarify.GE");
    ck_assert_int_eq(ge->metric, FG_METRIC_GENERALIZED_ENTROPY_INDEX);
    ck_assert_int_eq(ge->form, FG_ALIAS_INDEX_ALPHA2);
    ck_assert_int_eq(fg_metric_alias_lookup("aif360.between_group_theil_index")->form,
                     FG_ALIAS_INDEX_TWO_GROUPS);
    ck_assert_int_eq(fg_metric_alias_lookup("aif360.between_all_groups_theil_index")->metric,
                     FG_METRIC_BETWEEN_GROUP_THEIL_INDEX);
    ck_assert(fg_metric_overall_only(FG_METRIC_COUNT));
    ck_assert(fg_metric_overall_only(FG_METRIC_WITHIN_GROUP_THEIL_INDEX));
    ck_assert(!fg_metric_overall_only(FG_METRIC_TPR));
    ck_assert(fg_metric_takes_alpha(FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX));
    ck_assert(!fg_metric_takes_alpha(FG_METRIC_THEIL_INDEX));
    /* mean_difference: AIF360's alias of statistical_parity_difference
     * (binary_label_dataset_metric.py:234), base rates on the dataset, selection rates on
     * ClassificationMetric (its statistical_parity_difference, classification_metric.py:684) */
    const struct fg_metric_alias *md = fg_metric_alias_lookup("aif360.dataset.mean_difference");
    ck_assert_int_eq(md->metric, FG_METRIC_BASE_RATE);
    ck_assert_int_eq(md->form, FG_ALIAS_GROUP_MINUS_REFERENCE);
    md = fg_metric_alias_lookup("aif360.mean_difference");
    ck_assert_int_eq(md->metric, FG_METRIC_SELECTION_RATE);
    ck_assert_int_eq(md->form, FG_ALIAS_GROUP_MINUS_REFERENCE);
    /* differential fairness: one value per attribute set, without an alpha */
    ck_assert_int_eq(
        fg_metric_alias_lookup("aif360.differential_fairness_bias_amplification")->metric,
        FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION);
    ck_assert(fg_metric_overall_only(FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS));
    ck_assert(!fg_metric_takes_alpha(FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metric");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_vocabulary, 0, (int)(sizeof vectors / sizeof vectors[0]));
    tcase_add_test(tc, test_outside_enum);
    tcase_add_loop_test(tc, test_count_metrics, 0,
                        (int)(sizeof count_vectors / sizeof count_vectors[0]));
    tcase_add_test(tc, test_aliases);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
