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
#define FAWCETT "Fawcett 2006, table 1"
#define ROWS    "rows"
#define POS     "actual positives"
#define NEG     "actual negatives"
#define PPOS    "predicted positives"
#define PNEG    "predicted negatives"

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
};

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
    default:
        return rate(0, 0);
    }
}
