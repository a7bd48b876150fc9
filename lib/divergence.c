/*
 * divergence.c - Clarify's pre-training label metrics from two groups' counts (see
 * divergence.h). Definitions, smclarify 0.5 src/smclarify/bias/metrics/pretraining.py:
 *   CI  = (n_a - n_d) / (n_a + n_d)                                  :26, :55
 *   KL  = sum_x Pa(x) ln(Pa(x) / Pd(x))                              :75, :92
 *   JS  = (KL(Pa, P) + KL(Pd, P)) / 2, P = (Pa + Pd) / 2             :97, :115
 *   LP  = (sum_x |Pa(x) - Pd(x)|^2)^(1/2)                            :119, :135-:142
 *   TVD = sum_x |Pa(x) - Pd(x)| / 2                                  :147, :158-:159
 *   KS  = max_x |Pa(x) - Pd(x)|                                      :164, :175
 * each sum over the label values x with Pa(x) > 0 and Pd(x) > 0 (util/__init__.py:51-:83).
 * For binary labels with both values in both facets, TVD = KS = |q_a - q_d| and
 * LP = sqrt(2) |q_a - q_d|; with a value missing from one facet only the other is kept.
 */
#include "divergence.h"
#include "metric.h"

#include <math.h>
#include <stddef.h>

static struct fg_index none(const char *why)
{
    struct fg_index r = {.defined = false, .value = 0.0, .why = why};
    return r;
}

struct fg_index fg_divergence(enum fg_metric metric, const struct fg_confusion *d,
                              const struct fg_confusion *a)
{
    double n_d = (double)fg_confusion_n(d), n_a = (double)fg_confusion_n(a);
    if (n_d == 0.0 || n_a == 0.0)
        return none(n_a == 0.0 ? "the reference (a) has no rows" : "the group has no rows");
    struct fg_index r = {.defined = true, .value = 0.0, .why = NULL};
    if (metric == FG_METRIC_CLASS_IMBALANCE) {
        r.value = (n_a - n_d) / (n_a + n_d);
        return r;
    }
    /* (P(negative), P(positive)) of each facet, over the values both have */
    double pa[2], pd[2];
    pa[1] = (double)(a->tp + a->fn) / n_a;
    pd[1] = (double)(d->tp + d->fn) / n_d;
    pa[0] = (double)(a->tn + a->fp) / n_a;
    pd[0] = (double)(d->tn + d->fp) / n_d;
    double kl = 0.0, js = 0.0, l2 = 0.0, l1 = 0.0, linf = 0.0;
    size_t common = 0;
    for (size_t x = 0; x < 2; x++) {
        if (pa[x] == 0.0 || pd[x] == 0.0)
            continue;
        common++;
        double p = (pa[x] + pd[x]) / 2.0, gap = fabs(pa[x] - pd[x]);
        kl += pa[x] * log(pa[x] / pd[x]);
        js += (pa[x] * log(pa[x] / p) + pd[x] * log(pd[x] / p)) / 2.0;
        l2 += gap * gap;
        l1 += gap;
        linf = gap > linf ? gap : linf;
    }
    if (common == 0)
        return none("no label value occurs in both the group and the reference (Clarify: "
                    "\"No instance of common facet found\")");
    switch (metric) {
    case FG_METRIC_LABEL_KL_DIVERGENCE:
        r.value = kl;
        break;
    case FG_METRIC_LABEL_JS_DIVERGENCE:
        r.value = js;
        break;
    case FG_METRIC_LABEL_LP_NORM:
        r.value = sqrt(l2);
        break;
    case FG_METRIC_LABEL_TOTAL_VARIATION:
        r.value = l1 / 2.0;
        break;
    case FG_METRIC_LABEL_KS_DISTANCE:
        r.value = linf;
        break;
    default:
        return none("not a label metric");
    }
    return r;
}
