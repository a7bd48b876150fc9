/*
 * metric.c - the metric vocabulary: the catalogue (names, definitions, directions,
 * denominators, sources), kinds and the rate function (see metric.h). Tables are indexed by enum
 * fg_metric; a value outside the enum has the name "unknown", direction 0 and an undefined rate.
 */
#include "metric.h"

#include <stddef.h>
#include <string.h>

/* Sources: Fawcett (2006), "An introduction to ROC analysis", Pattern Recognition Letters 27,
 * table 1 (the confusion-matrix rates); AIF360 v0.6.1 aif360/metrics/classification_metric.py
 * (CM) and binary_label_dataset_metric.py (BLDM); smclarify 0.5
 * src/smclarify/bias/metrics/posttraining.py and common.py. */
#define FAWCETT  "Fawcett 2006, table 1"
#define ROWS     "rows"
#define POS      "actual positives"
#define NEG      "actual negatives"
#define PPOS     "predicted positives"
#define PNEG     "predicted negatives"
#define SMALLEST "rows of the smallest group"

const struct fg_metric_info fg_metric_catalog[FG_METRIC__N] = {
    [FG_METRIC_COUNT] = {"count", "n = tp + fp + tn + fn (overall gates only)", 0, ROWS, true,
                         false, "AIF360 CM num_instances, dataset_metric.py:84"},
    [FG_METRIC_BASE_RATE] = {"base_rate", "label positive rate (tp + fn) / n", 0, ROWS, true, false,
                             "AIF360 BLDM base_rate, binary_label_dataset_metric.py:93"},
    [FG_METRIC_SELECTION_RATE] = {"selection_rate", "predicted positive rate (tp + fp) / n", 0,
                                  ROWS, true, false,
                                  "AIF360 CM selection_rate, classification_metric.py:660"},
    [FG_METRIC_TPR] = {"tpr", "true positive rate (recall) tp / (tp + fn)", 1, POS, true, false,
                       "AIF360 CM classification_metric.py:278 (TPR); " FAWCETT},
    [FG_METRIC_FPR] = {"fpr", "false positive rate fp / (fp + tn)", -1, NEG, true, false,
                       "AIF360 CM classification_metric.py:278 (FPR); " FAWCETT},
    [FG_METRIC_FNR] = {"fnr", "false negative rate fn / (tp + fn)", -1, POS, true, false,
                       "AIF360 CM classification_metric.py:278 (FNR); " FAWCETT},
    [FG_METRIC_TNR] = {"tnr", "true negative rate (specificity) tn / (fp + tn)", 1, NEG, true,
                       false, "AIF360 CM classification_metric.py:278 (TNR); " FAWCETT},
    [FG_METRIC_PPV] = {"ppv", "positive predictive value (precision) tp / (tp + fp)", 1, PPOS, true,
                       false, "AIF360 CM classification_metric.py:280 (PPV); " FAWCETT},
    [FG_METRIC_NPV] = {"npv", "negative predictive value tn / (tn + fn)", 1, PNEG, true, false,
                       "AIF360 CM classification_metric.py:281 (NPV); " FAWCETT},
    [FG_METRIC_FDR] = {"fdr", "false discovery rate fp / (tp + fp)", -1, PPOS, true, false,
                       "AIF360 CM classification_metric.py:282 (FDR); " FAWCETT},
    [FG_METRIC_FOR] = {"for", "false omission rate fn / (tn + fn)", -1, PNEG, true, false,
                       "AIF360 CM classification_metric.py:283 (FOR); " FAWCETT},
    [FG_METRIC_ACCURACY] = {"accuracy", "(tp + tn) / n", 1, ROWS, true, false,
                            "AIF360 CM classification_metric.py:284 (ACC); " FAWCETT},
    [FG_METRIC_ERROR_RATE] = {"error_rate", "(fp + fn) / n", -1, ROWS, true, false,
                              "AIF360 CM error_rate, classification_metric.py:486"},
    [FG_METRIC_EQUALIZED_ODDS] = {"equalized_odds",
                                  "the worse of the tpr and fpr disparities, per group", 0,
                                  "actual positives (tpr), actual negatives (fpr)", true, true,
                                  "Hardt, Price, Srebro 2016; AIF360 CM "
                                  "equalized_odds_difference, classification_metric.py:588"},
    [FG_METRIC_AUC] = {"auc", "exact Mann-Whitney U / (positives x negatives), ties 1/2", 1,
                       "the smaller of actual positives and actual negatives", false, false,
                       "sklearn.metrics.roc_auc_score"},
    [FG_METRIC_CALIBRATION_GAP] = {"calibration_gap",
                                   "expected calibration error over equal-width score bins", -1,
                                   "rows with a score", false, false, "Naeini et al. 2015"},
    [FG_METRIC_BRIER] = {"brier", "mean of (score - outcome)^2", -1, "rows with a score", false,
                         false, "Brier 1950"},
    [FG_METRIC_CONDITIONAL_ACCEPTANCE] = {"conditional_acceptance",
                                          "observed over predicted positives (tp + fn) / (tp + fp)",
                                          0, PPOS, true, false,
                                          "smclarify 0.5 common.py:284 (ca = na1 / na1hat)"},
    [FG_METRIC_CONDITIONAL_REJECTION] = {"conditional_rejection",
                                         "observed over predicted negatives (tn + fp) / (tn + fn)",
                                         0, PNEG, true, false,
                                         "smclarify 0.5 common.py:281 (rr = na0 / na0hat)"},
    [FG_METRIC_TREATMENT_EQUALITY] = {"treatment_equality",
                                      "false negatives per false positive fn / fp", 0,
                                      "false positives", true, false,
                                      "Berk et al. 2018; smclarify 0.5 posttraining.py:311"},
    [FG_METRIC_AVERAGE_ODDS] = {"average_odds",
                                "(tpr + fpr) / 2; its difference is the mean of the tpr and fpr "
                                "differences",
                                0, "the smaller of actual positives and actual negatives", true,
                                true,
                                "AIF360 CM average_odds_difference, "
                                "classification_metric.py:546, :560 (absolute)"},
    [FG_METRIC_AVERAGE_PREDICTIVE_VALUE] = {"average_predictive_value",
                                            "(ppv + for) / 2 (false omission rate, not npv, as "
                                            "AIF360)",
                                            0,
                                            "the smaller of predicted positives and predicted "
                                            "negatives",
                                            true, true,
                                            "AIF360 CM average_predictive_value_difference, "
                                            "classification_metric.py:574"},
    /* Inequality indices of the benefit b = prediction - label + 1 (lib/inequality.c). */
    [FG_METRIC_GENERALIZED_ENTROPY_INDEX] = {"generalized_entropy_index",
                                             "GE(a) of the benefit b = prediction - label + 1 "
                                             "(fn 0, tp and tn 1, fp 2): 1/(n a (a - 1)) sum "
                                             "[(b/mu)^a - 1], a = ge_alpha (default 2); a = 1: "
                                             "theil_index; a = 0: -1/n sum ln(b/mu)",
                                             -1, ROWS, true, false,
                                             "Speicher et al. 2018; AIF360 CM "
                                             "generalized_entropy_index, "
                                             "classification_metric.py:692"},
    [FG_METRIC_THEIL_INDEX] = {"theil_index", "GE(1) = 1/n sum (b/mu) ln(b/mu) of the benefit b",
                               -1, ROWS, true, false,
                               "AIF360 CM theil_index, classification_metric.py:801"},
    [FG_METRIC_COEFFICIENT_OF_VARIATION] = {"coefficient_of_variation",
                                            "sqrt(2 GE(2)): standard deviation over mean of the "
                                            "benefit b",
                                            -1, ROWS, true, false,
                                            "AIF360 CM coefficient_of_variation, "
                                            "classification_metric.py:807"},
    [FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX] =
        {"between_group_generalized_entropy_index",
         "GE(ge_alpha) with each row's benefit replaced by its group's mean, one value per "
         "attribute set",
         -1, SMALLEST, true, false,
         "AIF360 CM _between_group_generalized_entropy_index, classification_metric.py:728"},
    [FG_METRIC_BETWEEN_GROUP_THEIL_INDEX] = {"between_group_theil_index",
                                             "GE(1) of the group means, one value per attribute "
                                             "set",
                                             -1, SMALLEST, true, false,
                                             "AIF360 CM between_group_theil_index, "
                                             "classification_metric.py:813"},
    [FG_METRIC_BETWEEN_GROUP_COEFFICIENT_OF_VARIATION] =
        {"between_group_coefficient_of_variation",
         "sqrt(2 GE(2)) of the group means, one value per attribute set", -1, SMALLEST, true, false,
         "AIF360 CM between_group_coefficient_of_variation, classification_metric.py:819"},
    [FG_METRIC_WITHIN_GROUP_GENERALIZED_ENTROPY_INDEX] =
        {"within_group_generalized_entropy_index",
         "GE(ge_alpha) - between: sum_g (n_g/n) (mu_g/mu)^a GE_g(a), one value per attribute set",
         -1, SMALLEST, true, false, "Shorrocks 1980, Econometrica 48(3); Speicher et al. 2018"},
    [FG_METRIC_WITHIN_GROUP_THEIL_INDEX] = {"within_group_theil_index",
                                            "theil_index - between: sum_g (n_g mu_g / (n mu)) "
                                            "T_g, one value per attribute set",
                                            -1, SMALLEST, true, false,
                                            "Shorrocks 1980, Econometrica 48(3); Speicher et al. "
                                            "2018"},
    /* Differential fairness (Foulds, Islam, Keya, Pan 2020, "An Intersectional Definition of
     * Fairness", ICDE): the largest log ratio of two groups' Dirichlet-smoothed positive (or
     * negative) rates, concentration 1 as AIF360's default; lib/inequality.c. */
    [FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS] =
        {"smoothed_empirical_differential_fairness",
         "max over pairs of groups g, h of |ln p_g - ln p_h| and |ln(1 - p_g) - ln(1 - p_h)|, "
         "p = (label positives + 1/2) / (n + 1), one value per attribute set",
         -1, SMALLEST, true, false,
         "Foulds et al. 2020; AIF360 BLDM smoothed_empirical_differential_fairness, "
         "binary_label_dataset_metric.py:190, :159"},
    [FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION] =
        {"differential_fairness_bias_amplification",
         "smoothed_empirical_differential_fairness of the predictions minus that of the labels, "
         "one value per attribute set",
         -1, SMALLEST, true, false,
         "Foulds et al. 2020; AIF360 CM differential_fairness_bias_amplification, "
         "classification_metric.py:841"},
    /* Clarify's pre-training label metrics, facet d (the group) against a (the reference, or
     * the rest of the rows): lib/divergence.c. */
    [FG_METRIC_CLASS_IMBALANCE] = {"class_imbalance",
                                   "(n_a - n_d) / (n_a + n_d), n the rows of the reference (a) "
                                   "and of the group (d)",
                                   0, ROWS, true, true, "smclarify 0.5 pretraining.py:26, :55"},
    [FG_METRIC_LABEL_KL_DIVERGENCE] = {"label_kl_divergence",
                                       "sum Pa ln(Pa / Pd) over the label values both have, P "
                                       "the label distribution (1 - base_rate, base_rate)",
                                       0, ROWS, true, true, "smclarify 0.5 pretraining.py:75"},
    [FG_METRIC_LABEL_JS_DIVERGENCE] = {"label_js_divergence",
                                       "(KL(Pa, P) + KL(Pd, P)) / 2, P = (Pa + Pd) / 2", 0, ROWS,
                                       true, true, "smclarify 0.5 pretraining.py:97"},
    [FG_METRIC_LABEL_LP_NORM] = {"label_lp_norm",
                                 "sqrt(sum (Pa - Pd)^2) over the label values both have", 0, ROWS,
                                 true, true, "smclarify 0.5 pretraining.py:119, :135"},
    [FG_METRIC_LABEL_TOTAL_VARIATION] = {"label_total_variation",
                                         "sum |Pa - Pd| / 2 over the label values both have", 0,
                                         ROWS, true, true, "smclarify 0.5 pretraining.py:147"},
    [FG_METRIC_LABEL_KS_DISTANCE] = {"label_ks_distance",
                                     "max |Pa - Pd| over the label values both have (|q_a - q_d| "
                                     "for binary labels)",
                                     0, ROWS, true, true, "smclarify 0.5 pretraining.py:164"},
    /* Conditional demographic disparity over the strata of the gate's strata attribute, facet
     * d (the group) within the rows of d and its reference a (every row with reference: rest):
     * lib/cdd.c. Positive: d's share of the rejected rows passes its share of the accepted. */
    [FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY] =
        {"conditional_demographic_disparity",
         "sum_i n_i (n_d(0)_i / n(0)_i - n_d(1)_i / n(1)_i) / n over the strata i, from the labels "
         "(0 rejected, 1 accepted)",
         0, ROWS, true, true, "smclarify 0.5 pretraining.py:179, common.py:89"},
    [FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY_PREDICTED] =
        {"conditional_demographic_disparity_predicted",
         "conditional_demographic_disparity of the predictions instead of the labels", 0, ROWS,
         true, true, "smclarify 0.5 posttraining.py:259, common.py:89"},
};

/* ---- aliases: the peers' names ----
 * AIF360 v0.6.1: CM = aif360/metrics/classification_metric.py, BLDM =
 * binary_label_dataset_metric.py; difference = unprivileged - privileged, ratio =
 * unprivileged / privileged (dataset_metric.py:77, :82). smclarify 0.5: post =
 * src/smclarify/bias/metrics/posttraining.py, common = .../common.py; a is the rest, d the
 * facet. */
#define GR           FG_ALIAS_GROUP_MINUS_REFERENCE
#define RG           FG_ALIAS_REFERENCE_MINUS_GROUP
#define RATIO        FG_ALIAS_RATIO
#define INDEX        FG_ALIAS_INDEX
#define INDEX_AIF360 FG_ALIAS_INDEX_AIF360
#define TWO_GROUPS   FG_ALIAS_INDEX_TWO_GROUPS
const struct fg_metric_alias fg_metric_aliases[] = {
    {"aif360.statistical_parity_difference", FG_METRIC_SELECTION_RATE, GR, "SR_unpriv - SR_priv",
     "classification_metric.py:684"},
    {"aif360.disparate_impact", FG_METRIC_SELECTION_RATE, RATIO, "SR_unpriv / SR_priv",
     "classification_metric.py:676"},
    {"aif360.mean_difference", FG_METRIC_SELECTION_RATE, GR,
     "SR_unpriv - SR_priv (BLDM's alias, resolved to CM statistical_parity_difference)",
     "binary_label_dataset_metric.py:234, classification_metric.py:684"},
    {"aif360.dataset.statistical_parity_difference", FG_METRIC_BASE_RATE, GR,
     "BR_unpriv - BR_priv (labels)", "binary_label_dataset_metric.py:116"},
    {"aif360.dataset.disparate_impact", FG_METRIC_BASE_RATE, RATIO, "BR_unpriv / BR_priv (labels)",
     "binary_label_dataset_metric.py:108"},
    {"aif360.dataset.mean_difference", FG_METRIC_BASE_RATE, GR,
     "BR_unpriv - BR_priv (labels; alias of statistical_parity_difference)",
     "binary_label_dataset_metric.py:234, :116"},
    {"aif360.equal_opportunity_difference", FG_METRIC_TPR, GR, "TPR_unpriv - TPR_priv",
     "classification_metric.py:866"},
    {"aif360.true_positive_rate_difference", FG_METRIC_TPR, GR, "TPR_unpriv - TPR_priv",
     "classification_metric.py:501"},
    {"aif360.false_positive_rate_difference", FG_METRIC_FPR, GR, "FPR_unpriv - FPR_priv",
     "classification_metric.py:506"},
    {"aif360.false_negative_rate_difference", FG_METRIC_FNR, GR, "FNR_unpriv - FNR_priv",
     "classification_metric.py:511"},
    {"aif360.false_omission_rate_difference", FG_METRIC_FOR, GR, "FOR_unpriv - FOR_priv",
     "classification_metric.py:516"},
    {"aif360.false_discovery_rate_difference", FG_METRIC_FDR, GR, "FDR_unpriv - FDR_priv",
     "classification_metric.py:521"},
    {"aif360.false_positive_rate_ratio", FG_METRIC_FPR, RATIO, "FPR_unpriv / FPR_priv",
     "classification_metric.py:526"},
    {"aif360.false_negative_rate_ratio", FG_METRIC_FNR, RATIO, "FNR_unpriv / FNR_priv",
     "classification_metric.py:531"},
    {"aif360.false_omission_rate_ratio", FG_METRIC_FOR, RATIO, "FOR_unpriv / FOR_priv",
     "classification_metric.py:536"},
    {"aif360.false_discovery_rate_ratio", FG_METRIC_FDR, RATIO, "FDR_unpriv / FDR_priv",
     "classification_metric.py:541"},
    {"aif360.average_odds_difference", FG_METRIC_AVERAGE_ODDS, GR,
     "((FPR_u - FPR_p) + (TPR_u - TPR_p)) / 2", "classification_metric.py:546"},
    {"aif360.average_abs_odds_difference", FG_METRIC_AVERAGE_ODDS, FG_ALIAS_DIFFERENCE,
     "(|FPR_u - FPR_p| + |TPR_u - TPR_p|) / 2", "classification_metric.py:560"},
    {"aif360.average_predictive_value_difference", FG_METRIC_AVERAGE_PREDICTIVE_VALUE, GR,
     "((PPV_u - PPV_p) + (FOR_u - FOR_p)) / 2", "classification_metric.py:574"},
    {"aif360.equalized_odds_difference", FG_METRIC_EQUALIZED_ODDS, FG_ALIAS_DIFFERENCE,
     "max(|FPR_u - FPR_p|, |TPR_u - TPR_p|)", "classification_metric.py:588"},
    {"aif360.error_rate_difference", FG_METRIC_ERROR_RATE, GR, "ERR_unpriv - ERR_priv",
     "classification_metric.py:602"},
    {"aif360.error_rate_ratio", FG_METRIC_ERROR_RATE, RATIO, "ERR_unpriv / ERR_priv",
     "classification_metric.py:608"},
    {"clarify.DPPL", FG_METRIC_SELECTION_RATE, RG, "q^_a - q^_d",
     "posttraining.py:23, common.py:85"},
    {"clarify.DI", FG_METRIC_SELECTION_RATE, RATIO, "q^_d / q^_a", "posttraining.py:45, :77"},
    {"clarify.DCA", FG_METRIC_CONDITIONAL_ACCEPTANCE, RG, "c_a - c_d, c = n(1) / n^(1)",
     "posttraining.py:81, common.py:287"},
    {"clarify.DCR", FG_METRIC_CONDITIONAL_REJECTION, GR, "r_d - r_a, r = n(0) / n^(0)",
     "posttraining.py:101, common.py:288"},
    {"clarify.RD", FG_METRIC_TPR, RG, "recall_a - recall_d", "posttraining.py:121, common.py:392"},
    {"clarify.SD", FG_METRIC_TNR, GR, "specificity_d - specificity_a",
     "posttraining.py:142, common.py:393"},
    {"clarify.DAR", FG_METRIC_PPV, RG, "TP_a / n^_a(1) - TP_d / n^_d(1)",
     "posttraining.py:163, common.py:341"},
    {"clarify.DRR", FG_METRIC_NPV, GR, "TN_d / n^_d(0) - TN_a / n^_a(0)",
     "posttraining.py:184, common.py:342"},
    {"clarify.AD", FG_METRIC_ACCURACY, RG, "ACC_a - ACC_d", "posttraining.py:204, :252"},
    {"clarify.TE", FG_METRIC_TREATMENT_EQUALITY, GR, "FN_d / FP_d - FN_a / FP_a",
     "posttraining.py:281, :314"},
    /* Inequality indices: overall gates, the index's own value (classification_metric.py). */
    {"aif360.generalized_entropy_index", FG_METRIC_GENERALIZED_ENTROPY_INDEX, INDEX_AIF360,
     "mean((b/mu)^a - 1) / (a (a - 1)); a = 0: -mean(ln(b/mu) / mu)",
     "classification_metric.py:692, :724"},
    {"aif360.theil_index", FG_METRIC_THEIL_INDEX, INDEX, "mean(ln((b/mu)^b) / mu)",
     "classification_metric.py:801, :722"},
    {"aif360.coefficient_of_variation", FG_METRIC_COEFFICIENT_OF_VARIATION, INDEX, "sqrt(2 GE(2))",
     "classification_metric.py:807, :811"},
    {"aif360.between_all_groups_generalized_entropy_index",
     FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX, INDEX_AIF360,
     "GE(a) of the group means over every group of the protected attributes",
     "classification_metric.py:773, :728"},
    {"aif360.between_all_groups_theil_index", FG_METRIC_BETWEEN_GROUP_THEIL_INDEX, INDEX_AIF360,
     "GE(1) of the group means over every group", "classification_metric.py:826"},
    {"aif360.between_all_groups_coefficient_of_variation",
     FG_METRIC_BETWEEN_GROUP_COEFFICIENT_OF_VARIATION, INDEX_AIF360,
     "sqrt(2 GE(2)) of the group means over every group", "classification_metric.py:833"},
    {"aif360.between_group_generalized_entropy_index",
     FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX, TWO_GROUPS,
     "GE(a) of the group means of the privileged and unprivileged groups",
     "classification_metric.py:789, :728"},
    {"aif360.between_group_theil_index", FG_METRIC_BETWEEN_GROUP_THEIL_INDEX, TWO_GROUPS,
     "GE(1) of the privileged and unprivileged group means", "classification_metric.py:813"},
    {"aif360.between_group_coefficient_of_variation",
     FG_METRIC_BETWEEN_GROUP_COEFFICIENT_OF_VARIATION, TWO_GROUPS,
     "sqrt(2 GE(2)) of the privileged and unprivileged group means",
     "classification_metric.py:819"},
    {"aif360.smoothed_empirical_differential_fairness",
     FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS, INDEX,
     "max_{i != j} max(|ln sbr_i - ln sbr_j|, |ln(1 - sbr_i) - ln(1 - sbr_j)|), sbr = (n_pos + "
     "0.5) / (n + 1) per group of the attribute set (labels)",
     "binary_label_dataset_metric.py:190, :221-:232, :159-:188"},
    {"aif360.differential_fairness_bias_amplification",
     FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION, INDEX,
     "EDF of the predictions - EDF of the labels, concentration 1",
     "classification_metric.py:841, :850-:864"},
    /* Clarify's pre-training metrics (pretraining.py), on the evaluation set's labels. */
    {"clarify.CI", FG_METRIC_CLASS_IMBALANCE, FG_ALIAS_VALUE, "(n_a - n_d) / (n_a + n_d)",
     "pretraining.py:26, :55"},
    {"clarify.DPL", FG_METRIC_BASE_RATE, RG, "q_a - q_d (label positive rates)",
     "pretraining.py:60, common.py:72, :85"},
    {"clarify.KL", FG_METRIC_LABEL_KL_DIVERGENCE, FG_ALIAS_VALUE, "sum Pa ln(Pa / Pd)",
     "pretraining.py:75, :92"},
    {"clarify.JS", FG_METRIC_LABEL_JS_DIVERGENCE, FG_ALIAS_VALUE,
     "(sum Pa ln(Pa / P) + sum Pd ln(Pd / P)) / 2", "pretraining.py:97, :115"},
    {"clarify.LP", FG_METRIC_LABEL_LP_NORM, FG_ALIAS_VALUE, "||Pa - Pd||_2",
     "pretraining.py:119, :142"},
    {"clarify.TVD", FG_METRIC_LABEL_TOTAL_VARIATION, FG_ALIAS_VALUE, "||Pa - Pd||_1 / 2",
     "pretraining.py:147, :159"},
    {"clarify.KS", FG_METRIC_LABEL_KS_DISTANCE, FG_ALIAS_VALUE, "||Pa - Pd||_inf",
     "pretraining.py:164, :175"},
    {"clarify.CDDL", FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY, FG_ALIAS_VALUE,
     "sum_i n_i DD_i / n, DD_i = n_d(0)_i / n(0)_i - n_d(1)_i / n(1)_i (labels)",
     "pretraining.py:179, :195, common.py:89, :123-:129"},
    {"clarify.CDDPL", FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY_PREDICTED, FG_ALIAS_VALUE,
     "sum_i n_i DD_i / n, DD_i = n^_d(0)_i / n^(0)_i - n^_d(1)_i / n^(1)_i (predictions)",
     "posttraining.py:259, :277, common.py:89, :123-:129"},
    {"clarify.GE", FG_METRIC_GENERALIZED_ENTROPY_INDEX, FG_ALIAS_INDEX_ALPHA2,
     "sum((b/mu)^2 - 1) / (2 n), alpha 2", "posttraining.py:412, :426, common.py:403"},
};
const size_t fg_metric_n_aliases = sizeof fg_metric_aliases / sizeof fg_metric_aliases[0];
_Static_assert(sizeof fg_metric_aliases / sizeof fg_metric_aliases[0] <= FG_MAX_ALIASES,
               "FG_MAX_ALIASES");
#undef GR
#undef RG
#undef RATIO
#undef INDEX
#undef INDEX_AIF360
#undef TWO_GROUPS

const struct fg_metric_alias *fg_metric_alias_lookup(const char *name)
{
    for (size_t i = 0; i < fg_metric_n_aliases; i++)
        if (strcmp(fg_metric_aliases[i].name, name) == 0)
            return &fg_metric_aliases[i];
    return NULL;
}

const struct fg_metric_info *fg_metric_info(enum fg_metric metric)
{
    return (unsigned)metric < FG_METRIC__N ? &fg_metric_catalog[metric] : NULL;
}

enum fg_metric fg_metric_lookup(const char *name)
{
    for (int m = 0; m < FG_METRIC__N; m++)
        if (strcmp(fg_metric_catalog[m].name, name) == 0)
            return (enum fg_metric)m;
    return FG_METRIC__N;
}

const char *fg_metric_denominator(enum fg_metric metric)
{
    return (unsigned)metric < FG_METRIC__N ? fg_metric_catalog[metric].denominator : ROWS;
}

const char *fg_metric_name(enum fg_metric metric)
{
    return (unsigned)metric < FG_METRIC__N ? fg_metric_catalog[metric].name : "unknown";
}

enum fg_metric_kind fg_metric_kind(enum fg_metric metric)
{
    switch (metric) {
    case FG_METRIC_COUNT:
        return FG_METRIC_KIND_COUNT;
    case FG_METRIC_EQUALIZED_ODDS:
        return FG_METRIC_KIND_COMPOSITE;
    case FG_METRIC_AUC:
    case FG_METRIC_CALIBRATION_GAP:
    case FG_METRIC_BRIER:
        return FG_METRIC_KIND_SCORE;
    case FG_METRIC_CONDITIONAL_ACCEPTANCE:
    case FG_METRIC_CONDITIONAL_REJECTION:
    case FG_METRIC_TREATMENT_EQUALITY:
        return FG_METRIC_KIND_COUNT_RATIO;
    case FG_METRIC_AVERAGE_ODDS:
    case FG_METRIC_AVERAGE_PREDICTIVE_VALUE:
        return FG_METRIC_KIND_AVERAGE;
    case FG_METRIC_GENERALIZED_ENTROPY_INDEX:
    case FG_METRIC_THEIL_INDEX:
    case FG_METRIC_COEFFICIENT_OF_VARIATION:
        return FG_METRIC_KIND_INDEX;
    case FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX:
    case FG_METRIC_BETWEEN_GROUP_THEIL_INDEX:
    case FG_METRIC_BETWEEN_GROUP_COEFFICIENT_OF_VARIATION:
    case FG_METRIC_WITHIN_GROUP_GENERALIZED_ENTROPY_INDEX:
    case FG_METRIC_WITHIN_GROUP_THEIL_INDEX:
    case FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS:
    case FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION:
        return FG_METRIC_KIND_GROUP_INDEX;
    case FG_METRIC_CLASS_IMBALANCE:
    case FG_METRIC_LABEL_KL_DIVERGENCE:
    case FG_METRIC_LABEL_JS_DIVERGENCE:
    case FG_METRIC_LABEL_LP_NORM:
    case FG_METRIC_LABEL_TOTAL_VARIATION:
    case FG_METRIC_LABEL_KS_DISTANCE:
    case FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY:
    case FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY_PREDICTED:
        return FG_METRIC_KIND_PAIR;
    default:
        return FG_METRIC_KIND_RATE;
    }
}

int fg_metric_direction(enum fg_metric metric)
{
    return (unsigned)metric < FG_METRIC__N ? fg_metric_catalog[metric].direction : 0;
}

bool fg_metric_is_rate(enum fg_metric metric)
{
    return (unsigned)metric < FG_METRIC_N_RATES;
}

bool fg_metric_is_score(enum fg_metric metric)
{
    return fg_metric_kind(metric) == FG_METRIC_KIND_SCORE;
}

bool fg_metric_is_index(enum fg_metric metric)
{
    enum fg_metric_kind kind = fg_metric_kind(metric);
    return kind == FG_METRIC_KIND_INDEX || kind == FG_METRIC_KIND_GROUP_INDEX;
}

bool fg_metric_overall_only(enum fg_metric metric)
{
    return metric == FG_METRIC_COUNT || fg_metric_is_index(metric);
}

bool fg_metric_takes_alpha(enum fg_metric metric)
{
    return metric == FG_METRIC_GENERALIZED_ENTROPY_INDEX ||
           metric == FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX ||
           metric == FG_METRIC_WITHIN_GROUP_GENERALIZED_ENTROPY_INDEX;
}

bool fg_metric_takes_strata(enum fg_metric metric)
{
    return metric == FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY ||
           metric == FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY_PREDICTED;
}

/* ---- rates ---- */

uint64_t fg_confusion_n(const struct fg_confusion *c)
{
    return c->tp + c->fp + c->tn + c->fn;
}

static struct fg_rate rate(uint64_t num, uint64_t den)
{
    struct fg_rate r = {.defined = den > 0, .value = 0.0, .num = num, .den = den};
    if (den > 0)
        r.value = (double)num / (double)den;
    return r;
}
bool fg_metric_average_parts(enum fg_metric metric, enum fg_metric parts[2])
{
    if (metric != FG_METRIC_AVERAGE_ODDS && metric != FG_METRIC_AVERAGE_PREDICTIVE_VALUE)
        return false;
    parts[0] = metric == FG_METRIC_AVERAGE_ODDS ? FG_METRIC_TPR : FG_METRIC_PPV;
    parts[1] = metric == FG_METRIC_AVERAGE_ODDS ? FG_METRIC_FPR : FG_METRIC_FOR;
    return true;
}

/* The mean of an average's two rates; den is the smaller denominator, for min_group_size. */
static struct fg_rate average(enum fg_metric metric, const struct fg_confusion *c)
{
    enum fg_metric parts[2];
    fg_metric_average_parts(metric, parts);
    struct fg_rate a = fg_metric_rate(parts[0], c), b = fg_metric_rate(parts[1], c);
    struct fg_rate r = {.defined = a.defined && b.defined,
                        .value = 0.0,
                        .num = 0,
                        .den = a.den < b.den ? a.den : b.den};
    if (r.defined)
        r.value = (a.value + b.value) / 2.0;
    return r;
}

/* Definitions: Fawcett (2006), "An introduction to ROC analysis", Pattern Recognition
 * Letters 27, table 1; the same as Fairlearn's fairlearn.metrics (selection_rate,
 * true_positive_rate, false_positive_rate, ...) and Aequitas' group metrics (tpr, fpr,
 * fnr, tnr, precision = ppv, npv, fdr, for, prev = base_rate, pprev = selection_rate). */
struct fg_rate fg_metric_rate(enum fg_metric metric, const struct fg_confusion *c)
{
    uint64_t n = fg_confusion_n(c);
    switch (metric) {
    case FG_METRIC_COUNT: {
        struct fg_rate r = {.defined = true, .value = (double)n, .num = n, .den = n};
        return r;
    }
    case FG_METRIC_BASE_RATE:
        return rate(c->tp + c->fn, n);
    case FG_METRIC_SELECTION_RATE:
        return rate(c->tp + c->fp, n);
    case FG_METRIC_TPR:
        return rate(c->tp, c->tp + c->fn);
    case FG_METRIC_FPR:
        return rate(c->fp, c->fp + c->tn);
    case FG_METRIC_FNR:
        return rate(c->fn, c->tp + c->fn);
    case FG_METRIC_TNR:
        return rate(c->tn, c->fp + c->tn);
    case FG_METRIC_PPV:
        return rate(c->tp, c->tp + c->fp);
    case FG_METRIC_NPV:
        return rate(c->tn, c->tn + c->fn);
    case FG_METRIC_FDR:
        return rate(c->fp, c->tp + c->fp);
    case FG_METRIC_FOR:
        return rate(c->fn, c->tn + c->fn);
    case FG_METRIC_ACCURACY:
        return rate(c->tp + c->tn, n);
    case FG_METRIC_ERROR_RATE:
        return rate(c->fp + c->fn, n);
    case FG_METRIC_CONDITIONAL_ACCEPTANCE:
        return rate(c->tp + c->fn, c->tp + c->fp);
    case FG_METRIC_CONDITIONAL_REJECTION:
        return rate(c->tn + c->fp, c->tn + c->fn);
    case FG_METRIC_TREATMENT_EQUALITY:
        return rate(c->fn, c->fp);
    case FG_METRIC_AVERAGE_ODDS:
    case FG_METRIC_AVERAGE_PREDICTIVE_VALUE:
        return average(metric, c);
    case FG_METRIC_CLASS_IMBALANCE: /* a pair metric's own rate: the group's rows ... */
        return fg_metric_rate(FG_METRIC_COUNT, c);
    case FG_METRIC_LABEL_KL_DIVERGENCE: /* ... or its label positive rate */
    case FG_METRIC_LABEL_JS_DIVERGENCE:
    case FG_METRIC_LABEL_LP_NORM:
    case FG_METRIC_LABEL_TOTAL_VARIATION:
    case FG_METRIC_LABEL_KS_DISTANCE:
    case FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY:
        return rate(c->tp + c->fn, n);
    case FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY_PREDICTED: /* ... or selection rate */
        return rate(c->tp + c->fp, n);
    default:
        return rate(0, 0);
    }
}
