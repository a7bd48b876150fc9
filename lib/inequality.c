/*
 * inequality.c - generalized entropy, Theil and coefficient of variation of the benefit
 * b = prediction - label + 1, total and split over groups (see inequality.h).
 *
 * Definitions: Speicher et al. 2018, "A Unified Approach to Quantifying Algorithmic
 * Unfairness", KDD, section 3; AIF360 v0.6.1 aif360/metrics/classification_metric.py:
 * generalized_entropy_index :692 (b = 1 + y_pred - y_true :717; alpha = 1 :722, alpha = 0
 * :724, else :726), _between_group_generalized_entropy_index :728 (each row's benefit
 * replaced by its group's mean :764), theil_index :801 (alpha 1), coefficient_of_variation
 * :807 (sqrt(2 GE(2)) :811), between_group_* :813-:839. smclarify 0.5 common.py:403 GE (alpha
 * 2, :434) is the same formula.
 *
 * The decomposition (Shorrocks 1980, Econometrica 48(3)): with n_g rows of mean mu_g in group
 * g, sum_{i in g} (b_i / mu)^a = (mu_g / mu)^a (n_g a (a - 1) GE_g + n_g), so
 *   GE = sum_g (n_g / n) (mu_g / mu)^a GE_g  +  1 / (n a (a - 1)) sum_g n_g [(mu_g / mu)^a - 1]
 *      = within                              +  between,
 * and the same weights hold at a = 1 (n_g mu_g / (n mu)) and a = 0 (n_g / n). A group whose
 * mean is 0 (all false negatives) has weight 0 for a > 0 and no GE_g of its own.
 *
 * Also here, as they too are one value per attribute set from its groups' counts: Foulds et
 * al.'s smoothed empirical differential fairness and its bias amplification.
 */
#include "inequality.h"
#include "metric.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

static struct fg_index undefined(const char *why)
{
    struct fg_index r = {.defined = false, .value = 0.0, .why = why};
    return r;
}

static struct fg_index value_of(double v)
{
    struct fg_index r = {.defined = true, .value = v, .why = NULL};
    return r;
}

double fg_inequality_alpha(enum fg_metric metric, const struct fg_index_options *options)
{
    switch (metric) {
    case FG_METRIC_THEIL_INDEX:
    case FG_METRIC_BETWEEN_GROUP_THEIL_INDEX:
    case FG_METRIC_WITHIN_GROUP_THEIL_INDEX:
        return 1.0;
    case FG_METRIC_COEFFICIENT_OF_VARIATION:
    case FG_METRIC_BETWEEN_GROUP_COEFFICIENT_OF_VARIATION:
        return 2.0;
    default:
        return options->alpha;
    }
}

/* One term of the sum: (b/mu)^a - 1, (b/mu) ln(b/mu) or ln(b/mu); b = 0 only for a > 0 or
 * a = 1 (the caller has refused the infinite cases). */
static double term(double ratio, double alpha)
{
    if (alpha == 1.0)
        return ratio > 0.0 ? ratio * log(ratio) : 0.0;
    if (alpha == 0.0)
        return log(ratio);
    return (ratio > 0.0 ? pow(ratio, alpha) : 0.0) - 1.0;
}

/* The i-th benefit value of a distribution and its rows. */
struct distribution {
    size_t k;
    void (*at)(const void *data, size_t i, double *benefit, uint64_t *rows);
    const void *data;
};

static struct fg_index ge_of(const struct distribution *d, const struct fg_index_options *options)
{
    double n = 0.0, total = 0.0, alpha = options->alpha, b;
    uint64_t rows;
    bool zero = false;
    for (size_t i = 0; i < d->k; i++) {
        d->at(d->data, i, &b, &rows);
        n += (double)rows;
        total += (double)rows * b;
        zero = zero || (rows > 0 && b == 0.0);
    }
    if (n == 0.0)
        return undefined("no rows");
    double mu = total / n;
    if (mu == 0.0)
        return undefined("the mean benefit is 0: every row is a false negative");
    if (zero && alpha <= 0.0)
        return undefined("infinite: alpha <= 0 and some rows have benefit 0 (false negatives, "
                         "or a group of only false negatives)");
    double sum = 0.0;
    for (size_t i = 0; i < d->k; i++) {
        d->at(d->data, i, &b, &rows);
        if (rows > 0)
            sum += (double)rows * term(b / mu, alpha);
    }
    double v = alpha == 1.0   ? sum / n
               : alpha == 0.0 ? -sum / n / (options->aif360 ? mu : 1.0)
                              : sum / (n * alpha * (alpha - 1.0));
    return isfinite(v) ? value_of(v) : undefined("not a finite number at this alpha");
}

struct arrays {
    const double *benefit;
    const uint64_t *rows;
};

static void array_at(const void *data, size_t i, double *benefit, uint64_t *rows)
{
    const struct arrays *a = data;
    *benefit = a->benefit[i];
    *rows = a->rows[i];
}

struct fg_index fg_inequality_ge(const double *benefit, const uint64_t *rows, size_t k,
                                 const struct fg_index_options *options)
{
    struct arrays a = {benefit, rows};
    struct distribution d = {k, array_at, &a};
    return ge_of(&d, options);
}

/* The benefit histogram of a confusion matrix: fn at 0, tp + tn at 1, fp at 2. */
static void histogram(const struct fg_confusion *c, uint64_t rows[3])
{
    rows[0] = c->fn;
    rows[1] = c->tp + c->tn;
    rows[2] = c->fp;
}

static const double benefits[3] = {0.0, 1.0, 2.0};

/* sqrt(2 GE(2)) for the coefficients of variation, GE itself for the others. */
static struct fg_index finish(enum fg_metric metric, struct fg_index ge)
{
    bool cv = metric == FG_METRIC_COEFFICIENT_OF_VARIATION ||
              metric == FG_METRIC_BETWEEN_GROUP_COEFFICIENT_OF_VARIATION;
    if (cv && ge.defined)
        ge.value = sqrt(2.0 * (ge.value > 0.0 ? ge.value : 0.0));
    return ge;
}

struct fg_index fg_inequality_total(enum fg_metric metric, const struct fg_confusion *c,
                                    const struct fg_index_options *options)
{
    struct fg_index_options o = {fg_inequality_alpha(metric, options), options->aif360};
    uint64_t rows[3];
    histogram(c, rows);
    return finish(metric, fg_inequality_ge(benefits, rows, 3, &o));
}

struct groups {
    fg_confusion_at at;
    const void *data;
};

/* Group g's rows, all at the group's mean benefit (the between-group distribution). */
static void group_mean_at(const void *data, size_t g, double *benefit, uint64_t *rows)
{
    const struct groups *gs = data;
    const struct fg_confusion *c = gs->at(gs->data, g);
    *rows = fg_confusion_n(c);
    double sum = (double)(c->tp + c->tn) + 2.0 * (double)c->fp;
    *benefit = *rows > 0 ? sum / (double)*rows : 0.0;
}

static struct fg_index between(const struct groups *groups, size_t n,
                               const struct fg_index_options *o)
{
    struct distribution d = {n, group_mean_at, groups};
    return ge_of(&d, o);
}

static struct fg_index within(const struct groups *groups, size_t n,
                              const struct fg_index_options *o)
{
    struct fg_confusion all = {0, 0, 0, 0};
    for (size_t g = 0; g < n; g++) {
        const struct fg_confusion *c = groups->at(groups->data, g);
        all.tp += c->tp;
        all.fp += c->fp;
        all.tn += c->tn;
        all.fn += c->fn;
    }
    /* defined exactly when the total is: the same rows, the same mean */
    uint64_t hist[3];
    histogram(&all, hist);
    struct fg_index total = fg_inequality_ge(benefits, hist, 3, o);
    if (!total.defined)
        return total;
    double n_all = (double)fg_confusion_n(&all);
    double mu = ((double)hist[1] + 2.0 * (double)hist[2]) / n_all, sum = 0.0;
    for (size_t g = 0; g < n; g++) {
        uint64_t rows[3];
        const struct fg_confusion *c = groups->at(groups->data, g);
        histogram(c, rows);
        double n_g = (double)fg_confusion_n(c);
        double mu_g = n_g > 0.0 ? ((double)rows[1] + 2.0 * (double)rows[2]) / n_g : 0.0;
        if (mu_g == 0.0) /* weight 0 (alpha > 0; alpha <= 0 made the total infinite) */
            continue;
        struct fg_index ge_g = fg_inequality_ge(benefits, rows, 3, o);
        double share = o->alpha == 0.0 ? 1.0 : pow(mu_g / mu, o->alpha);
        if (o->alpha == 0.0 && o->aif360) /* AIF360's alpha = 0 divides by the mean */
            share = mu_g / mu;
        sum += n_g / n_all * share * ge_g.value;
    }
    return value_of(sum);
}

/* ---- differential fairness (Foulds et al. 2020) ----
 * AIF360 v0.6.1 binary_label_dataset_metric.py:159 _smoothed_base_rates: per group present
 * (np.unique of the protected attributes :170), p = (positives + c / 2) / (n + c) with
 * concentration c = 1.0 (:167, :188); :190 smoothed_empirical_differential_fairness: the
 * largest |ln p_i - ln p_j| or |ln(1 - p_i) - ln(1 - p_j)| over pairs i != j (:223-:232),
 * which is the largest log minus the smallest; classification_metric.py:841
 * differential_fairness_bias_amplification: that of the predictions minus that of the labels
 * (:850-:864). Undefined with fewer than two groups that have rows (AIF360: max() of an
 * empty sequence raises). */

#define FG_DF_CONCENTRATION 1.0

static struct fg_index edf(const struct groups *groups, size_t n, bool predicted)
{
    double lo[2] = {HUGE_VAL, HUGE_VAL}, hi[2] = {-HUGE_VAL, -HUGE_VAL};
    size_t present = 0;
    for (size_t g = 0; g < n; g++) {
        const struct fg_confusion *c = groups->at(groups->data, g);
        uint64_t rows = fg_confusion_n(c);
        if (rows == 0)
            continue;
        present++;
        double pos = (double)(predicted ? c->tp + c->fp : c->tp + c->fn);
        double p = (pos + FG_DF_CONCENTRATION / 2.0) / ((double)rows + FG_DF_CONCENTRATION);
        double logs[2] = {log(p), log(1.0 - p)};
        for (int k = 0; k < 2; k++) {
            lo[k] = logs[k] < lo[k] ? logs[k] : lo[k];
            hi[k] = logs[k] > hi[k] ? logs[k] : hi[k];
        }
    }
    if (present < 2)
        return undefined("fewer than two groups with rows (differential fairness compares "
                         "pairs of groups)");
    double pos_gap = hi[0] - lo[0], neg_gap = hi[1] - lo[1];
    return value_of(pos_gap > neg_gap ? pos_gap : neg_gap);
}

static struct fg_index bias_amplification(const struct groups *groups, size_t n)
{
    struct fg_index of_labels = edf(groups, n, false);
    if (!of_labels.defined)
        return of_labels;
    return value_of(edf(groups, n, true).value - of_labels.value);
}

struct fg_index fg_inequality_split(enum fg_metric metric, fg_confusion_at group, const void *data,
                                    size_t n, const struct fg_index_options *options)
{
    struct fg_index_options o = {fg_inequality_alpha(metric, options), options->aif360};
    struct groups gs = {group, data};
    const struct groups *groups = &gs;
    switch (metric) {
    case FG_METRIC_WITHIN_GROUP_GENERALIZED_ENTROPY_INDEX:
    case FG_METRIC_WITHIN_GROUP_THEIL_INDEX:
        return within(groups, n, &o);
    case FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS:
        return edf(groups, n, false);
    case FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION:
        return bias_amplification(groups, n);
    default:
        return finish(metric, between(groups, n, &o));
    }
}
