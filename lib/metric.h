/*
 * metric.h - the metric vocabulary (lib/metric.c): which metrics exist, what each is
 * called in the policy language and the audit, its kind, which direction is better, and
 * the rate function that computes a rate metric from a confusion matrix. Every module
 * that names, ranks or computes a metric asks here; none keeps its own table.
 *
 * Ownership: nothing here allocates; names are static strings.
 */
#ifndef FAIRGATE_METRIC_H
#define FAIRGATE_METRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fg_metric {
    FG_METRIC_COUNT,
    FG_METRIC_BASE_RATE,
    FG_METRIC_SELECTION_RATE,
    FG_METRIC_TPR,
    FG_METRIC_FPR,
    FG_METRIC_FNR,
    FG_METRIC_TNR,
    FG_METRIC_PPV,
    FG_METRIC_NPV,
    FG_METRIC_FDR,
    FG_METRIC_FOR,
    FG_METRIC_ACCURACY,
    FG_METRIC_ERROR_RATE,
    FG_METRIC_EQUALIZED_ODDS, /* gates only: the worse of the TPR and FPR disparities */
    FG_METRIC_AUC,            /* score metrics: computed from a score column */
    FG_METRIC_CALIBRATION_GAP,
    FG_METRIC_BRIER,
    FG_METRIC_CONDITIONAL_ACCEPTANCE, /* count ratios: num/den of counts, not a proportion */
    FG_METRIC_CONDITIONAL_REJECTION,
    FG_METRIC_TREATMENT_EQUALITY,
    FG_METRIC_AVERAGE_ODDS, /* averages: the mean of two rates */
    FG_METRIC_AVERAGE_PREDICTIVE_VALUE,
    FG_METRIC_GENERALIZED_ENTROPY_INDEX, /* inequality indices of the benefit (inequality.h) */
    FG_METRIC_THEIL_INDEX,
    FG_METRIC_COEFFICIENT_OF_VARIATION,
    FG_METRIC_BETWEEN_GROUP_GENERALIZED_ENTROPY_INDEX, /* over an attribute set's groups */
    FG_METRIC_BETWEEN_GROUP_THEIL_INDEX,
    FG_METRIC_BETWEEN_GROUP_COEFFICIENT_OF_VARIATION,
    FG_METRIC_WITHIN_GROUP_GENERALIZED_ENTROPY_INDEX,
    FG_METRIC_WITHIN_GROUP_THEIL_INDEX,
    FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS, /* Foulds et al.: over a set's groups */
    FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION,
    FG_METRIC_CLASS_IMBALANCE, /* Clarify's pre-training label metrics (divergence.h) */
    FG_METRIC_LABEL_KL_DIVERGENCE,
    FG_METRIC_LABEL_JS_DIVERGENCE,
    FG_METRIC_LABEL_LP_NORM,
    FG_METRIC_LABEL_TOTAL_VARIATION,
    FG_METRIC_LABEL_KS_DISTANCE,
    FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY, /* Clarify CDDL and CDDPL, over a gate's strata */
    FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY_PREDICTED,
    FG_METRIC__N
};

/* The metrics fg_metric_rate computes, count first: arrays indexed by enum fg_metric up to
 * FG_METRIC_ERROR_RATE have this many entries. */
#define FG_METRIC_N_RATES (FG_METRIC_ERROR_RATE + 1)

enum fg_metric_kind {
    FG_METRIC_KIND_COUNT,       /* count: rows in the group */
    FG_METRIC_KIND_RATE,        /* num/den of one confusion matrix (base_rate .. error_rate) */
    FG_METRIC_KIND_COMPOSITE,   /* equalized_odds: the worse of two rates (tpr, fpr) */
    FG_METRIC_KIND_SCORE,       /* auc, calibration_gap, brier: from a score column */
    FG_METRIC_KIND_COUNT_RATIO, /* conditional_acceptance, conditional_rejection,
                                 * treatment_equality: num/den of counts, num may pass den */
    FG_METRIC_KIND_AVERAGE,     /* average_odds, average_predictive_value: the mean of two
                                 * rates; its absolute difference is the mean of the two
                                 * absolute differences (AIF360 average_abs_odds_difference) */
    FG_METRIC_KIND_INDEX,       /* generalized_entropy_index, theil_index,
                                 * coefficient_of_variation: of the whole population */
    FG_METRIC_KIND_GROUP_INDEX, /* between_group_*, within_group_*, the differential
                                 * fairness metrics: one value per attribute set, from its
                                 * groups */
    FG_METRIC_KIND_PAIR         /* class_imbalance, label_*, conditional_demographic_disparity*:
                                 * itself a comparison of the group with its reference, from
                                 * both groups' counts (per stratum for the last two); its rate
                                 * (for min_group_size and the audit) is the group's rows
                                 * (class_imbalance), base rate (the label metrics,
                                 * conditional_demographic_disparity) or selection rate
                                 * (conditional_demographic_disparity_predicted) */
};

/* One model's confusion matrix for one group. */
struct fg_confusion {
    uint64_t tp, fp, tn, fn;
};

/* A rate num/den; defined == false when den == 0 (then value is 0 and must not be used).
 * For an average, den is the smaller of its two rates' denominators and num is 0. */
struct fg_rate {
    bool defined;
    double value;
    uint64_t num, den;
};

/* ---- the catalogue ----
 * One entry per metric, indexed by enum fg_metric: every module that names a metric, ranks
 * it, explains its denominator or lists it (`fairgate metrics`, the README list and the
 * policy schema's enum, which tests/cli/test_metrics.sh checks against it) reads this
 * table; none keeps its own. */
struct fg_metric_info {
    const char *name;        /* as written in the policy language and the audit */
    const char *definition;  /* one line, from the per-group counts tp, fp, tn, fn */
    signed char direction;   /* +1 higher is better, -1 lower is better, 0 neither */
    const char *denominator; /* what min_group_size is compared with ("actual positives") */
    bool counts;             /* computable from a counts file (check --counts, sql) */
    bool groups_only;        /* disparity gates only (not an overall gate) */
    const char *source;      /* the paper, or the peer's file:line */
};
extern const struct fg_metric_info fg_metric_catalog[FG_METRIC__N];

/* A peer's metric under its own name ("aif360.average_odds_difference", "clarify.DPPL"): a
 * fairgate metric, the disparity that gives the peer's value, and which group is subtracted
 * from which. AIF360 subtracts the privileged group from the unprivileged one (its
 * dataset_metric.py:77 difference, :82 ratio); Clarify subtracts the facet d from the rest a
 * for the acceptance metrics (a - d) and the rest from the facet for the rejection metrics
 * (d - a). The privileged group (AIF360) or a (Clarify) is the policy's explicit reference,
 * so "group - reference" is AIF360's order and Clarify's d - a. */
enum fg_alias_form {
    FG_ALIAS_RATIO,                 /* group / reference */
    FG_ALIAS_DIFFERENCE,            /* |group - reference| (average_odds: mean of |diffs|) */
    FG_ALIAS_GROUP_MINUS_REFERENCE, /* signed_difference, group - reference */
    FG_ALIAS_REFERENCE_MINUS_GROUP, /* signed_difference, reference - group */
    FG_ALIAS_INDEX,                 /* an inequality index as fairgate computes it */
    FG_ALIAS_INDEX_AIF360,          /* AIF360's code: alpha = 0 divided by the mean benefit */
    FG_ALIAS_INDEX_TWO_GROUPS,      /* AIF360 between_group_*: defined for two groups only */
    FG_ALIAS_INDEX_ALPHA2,          /* Clarify GE: alpha fixed at 2 (common.py:403) */
    FG_ALIAS_VALUE                  /* the metric's own value (Clarify CI, KL, JS, ...) */
};
struct fg_metric_alias {
    const char *name;
    enum fg_metric metric;
    enum fg_alias_form form;
    const char *definition; /* the peer's formula */
    const char *source;     /* the peer's file:line */
};
#define FG_MAX_ALIASES 64 /* entries of fg_metric_aliases */
extern const struct fg_metric_alias fg_metric_aliases[];
extern const size_t fg_metric_n_aliases;
/* The alias named name, or NULL. */
const struct fg_metric_alias *fg_metric_alias_lookup(const char *name);

/* The metric's catalogue entry; NULL outside the enum. */
const struct fg_metric_info *fg_metric_info(enum fg_metric metric);
/* The metric named name, or FG_METRIC__N when none is. */
enum fg_metric fg_metric_lookup(const char *name);
/* What a metric's min_group_size denominator counts ("rows" outside the enum). */
const char *fg_metric_denominator(enum fg_metric metric);
/* The metric's name; "unknown" outside the enum. */
const char *fg_metric_name(enum fg_metric metric);
/* The kind of a metric of the enum (FG_METRIC_KIND_RATE for none other). */
enum fg_metric_kind fg_metric_kind(enum fg_metric metric);
/* +1 when higher is better (accuracy, tpr, tnr, ppv, npv, auc), -1 when lower is (error_rate,
 * fpr, fnr, fdr, for, calibration_gap, brier), 0 when neither. */
int fg_metric_direction(enum fg_metric metric);
/* True for the metrics fg_metric_rate computes: count and the twelve rates. */
bool fg_metric_is_rate(enum fg_metric metric);
/* True for auc, calibration_gap and brier: metrics computed from a score column. */
bool fg_metric_is_score(enum fg_metric metric);
/* True for the inequality indices (FG_METRIC_KIND_INDEX and FG_METRIC_KIND_GROUP_INDEX). */
bool fg_metric_is_index(enum fg_metric metric);
/* True for the metrics an overall gate only takes: count and the inequality indices. */
bool fg_metric_overall_only(enum fg_metric metric);
/* True for the metrics whose value depends on GE's alpha (gate key ge_alpha). */
bool fg_metric_takes_alpha(enum fg_metric metric);
/* True for the metrics computed per stratum of an attribute (gate key strata): the
 * conditional demographic disparities (lib/cdd.c). */
bool fg_metric_takes_strata(enum fg_metric metric);

/* The rate metric of a confusion matrix; for FG_METRIC_COUNT, value = n and den = n.
 * Definitions (Fawcett 2006, "An introduction to ROC analysis"; Fairlearn metrics):
 * selection_rate (tp+fp)/n, base_rate (tp+fn)/n, tpr tp/(tp+fn), fpr fp/(fp+tn),
 * fnr fn/(tp+fn), tnr tn/(fp+tn), ppv tp/(tp+fp), npv tn/(tn+fn), fdr fp/(tp+fp),
 * for fn/(tn+fn), accuracy (tp+tn)/n, error_rate (fp+fn)/n.
 * Count ratios: conditional_acceptance (tp+fn)/(tp+fp), conditional_rejection
 * (tn+fp)/(tn+fn), treatment_equality fn/fp. Averages: average_odds (tpr+fpr)/2,
 * average_predictive_value (ppv+for)/2, defined when both rates are.
 * The pair metrics' own rate (divergence.h and cdd.h compute their value): class_imbalance's
 * is the group's rows (as count), the label metrics' and conditional_demographic_disparity's
 * its base rate, conditional_demographic_disparity_predicted's its selection rate.
 * Not defined for equalized_odds, the score metrics or the inequality indices (returns
 * defined == false). */
/* The two rates an average is the mean of; false for any other metric. */
bool fg_metric_average_parts(enum fg_metric metric, enum fg_metric parts[2]);
struct fg_rate fg_metric_rate(enum fg_metric metric, const struct fg_confusion *confusion);
uint64_t fg_confusion_n(const struct fg_confusion *confusion);

#endif
