/*
 * metric.c - the metric vocabulary: names, kinds, directions and the rate function (see
 * metric.h). Tables are indexed by enum fg_metric; a value outside the enum has the name
 * "unknown", direction 0 and an undefined rate.
 */
#include "metric.h"

#include <stddef.h>

const char *const fg_metric_names[FG_METRIC__N] = {
    [FG_METRIC_COUNT] = "count",
    [FG_METRIC_BASE_RATE] = "base_rate",
    [FG_METRIC_SELECTION_RATE] = "selection_rate",
    [FG_METRIC_TPR] = "tpr",
    [FG_METRIC_FPR] = "fpr",
    [FG_METRIC_FNR] = "fnr",
    [FG_METRIC_TNR] = "tnr",
    [FG_METRIC_PPV] = "ppv",
    [FG_METRIC_NPV] = "npv",
    [FG_METRIC_FDR] = "fdr",
    [FG_METRIC_FOR] = "for",
    [FG_METRIC_ACCURACY] = "accuracy",
    [FG_METRIC_ERROR_RATE] = "error_rate",
    [FG_METRIC_EQUALIZED_ODDS] = "equalized_odds",
    [FG_METRIC_AUC] = "auc",
    [FG_METRIC_CALIBRATION_GAP] = "calibration_gap",
    [FG_METRIC_BRIER] = "brier",
};

/* +1: higher is better, -1: lower is better, 0: neither (vs_incumbent on an overall gate
 * needs one of the first two). */
static const signed char metric_direction[FG_METRIC__N] = {
    [FG_METRIC_ACCURACY] = 1, [FG_METRIC_TPR] = 1,  [FG_METRIC_TNR] = 1,
    [FG_METRIC_PPV] = 1,      [FG_METRIC_NPV] = 1,  [FG_METRIC_ERROR_RATE] = -1,
    [FG_METRIC_FPR] = -1,     [FG_METRIC_FNR] = -1, [FG_METRIC_FDR] = -1,
    [FG_METRIC_FOR] = -1,     [FG_METRIC_AUC] = 1,  [FG_METRIC_CALIBRATION_GAP] = -1,
    [FG_METRIC_BRIER] = -1};

const char *fg_metric_name(enum fg_metric metric)
{
    return (unsigned)metric < FG_METRIC__N ? fg_metric_names[metric] : "unknown";
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
    return (unsigned)metric < FG_METRIC__N ? metric_direction[metric] : 0;
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
