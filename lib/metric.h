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
    FG_METRIC__N
};

/* The metrics fg_metric_rate computes, count first: arrays indexed by enum fg_metric up to
 * FG_METRIC_ERROR_RATE have this many entries. */
#define FG_METRIC_N_RATES (FG_METRIC_ERROR_RATE + 1)

enum fg_metric_kind {
    FG_METRIC_KIND_COUNT,     /* count: rows in the group */
    FG_METRIC_KIND_RATE,      /* num/den of one confusion matrix (base_rate .. error_rate) */
    FG_METRIC_KIND_COMPOSITE, /* equalized_odds: the worse of two rates (tpr, fpr) */
    FG_METRIC_KIND_SCORE      /* auc, calibration_gap, brier: from a score column */
};

/* One model's confusion matrix for one group. */
struct fg_confusion {
    uint64_t tp, fp, tn, fn;
};

/* A rate num/den; defined == false when den == 0 (then value is 0 and must not be used). */
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

/* The rate metric of a confusion matrix; for FG_METRIC_COUNT, value = n and den = n.
 * Definitions (Fawcett 2006, "An introduction to ROC analysis"; Fairlearn metrics):
 * selection_rate (tp+fp)/n, base_rate (tp+fn)/n, tpr tp/(tp+fn), fpr fp/(fp+tn),
 * fnr fn/(tp+fn), tnr tn/(fp+tn), ppv tp/(tp+fp), npv tn/(tn+fn), fdr fp/(tp+fp),
 * for fn/(tn+fn), accuracy (tp+tn)/n, error_rate (fp+fn)/n.
 * Not defined for equalized_odds or the score metrics (returns defined == false). */
struct fg_rate fg_metric_rate(enum fg_metric metric, const struct fg_confusion *confusion);
uint64_t fg_confusion_n(const struct fg_confusion *confusion);

#endif
