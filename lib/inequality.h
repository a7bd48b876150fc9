/*
 * inequality.h - inequality indices of the benefit b = prediction - label + 1 (lib/inequality.c):
 * the generalized entropy index GE(alpha), the Theil index (alpha = 1) and the coefficient of
 * variation, of a whole population and split over an attribute set's groups into a
 * between-group and a within-group part (between + within = total).
 *
 * Each row's benefit is 0 (a false negative), 1 (tp or tn) or 2 (a false positive), so an
 * index is a function of a confusion matrix: rows fn, tp + tn and fp at benefit 0, 1 and 2
 * (Speicher et al. 2018; AIF360 v0.6.1 classification_metric.py:692). Nothing here
 * allocates; a why is a static string.
 */
#ifndef FAIRGATE_INEQUALITY_H
#define FAIRGATE_INEQUALITY_H

#include "metric.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FG_DEFAULT_GE_ALPHA 2.0 /* AIF360's default alpha (classification_metric.py:692) */

/* An index's value, or why it has none (no rows, a mean benefit of 0, an infinite index). */
struct fg_index {
    bool defined;
    double value;
    const char *why; /* static; NULL when defined */
};

/* How an index is computed: alpha of GE (theil_index and coefficient_of_variation fix their
 * own) and whether alpha = 0 follows AIF360's code, which divides the mean log deviation by
 * the mean benefit (classification_metric.py:724), instead of its documented formula. */
struct fg_index_options {
    double alpha;
    bool aif360;
};

/* GE(alpha) of k benefit values, rows[i] rows at benefit[i] (each >= 0):
 *   alpha not 0, 1: 1 / (n alpha (alpha - 1)) sum [(b / mu)^alpha - 1]
 *   alpha = 1:      1 / n sum (b / mu) ln(b / mu), with 0 ln 0 = 0     (Theil)
 *   alpha = 0:      -1 / n sum ln(b / mu)  (/ mu as well with aif360)  (mean log deviation)
 * Undefined without rows, with a mean benefit of 0, and where it is infinite (alpha <= 0
 * with a row at benefit 0). */
struct fg_index fg_inequality_ge(const double *benefit, const uint64_t *rows, size_t k,
                                 const struct fg_index_options *options);

/* The index metric (generalized_entropy_index, theil_index, coefficient_of_variation) of one
 * population's confusion matrix; coefficient_of_variation is sqrt(2 GE(2)). */
struct fg_index fg_inequality_total(enum fg_metric metric, const struct fg_confusion *c,
                                    const struct fg_index_options *options);

/* A between_group_* or within_group_* metric over n groups that partition a population:
 * between is the index of the benefits with each row's replaced by its group's mean; within
 * is sum_g (n_g / n) (mu_g / mu)^alpha GE_g(alpha), so that within + between = total.
 * smoothed_empirical_differential_fairness and differential_fairness_bias_amplification
 * (Foulds et al. 2020, concentration 1, as AIF360) are from the same groups, options unused.
 * Group i's confusion matrix is group(data, i). */
typedef const struct fg_confusion *(*fg_confusion_at)(const void *data, size_t i);
struct fg_index fg_inequality_split(enum fg_metric metric, fg_confusion_at group, const void *data,
                                    size_t n, const struct fg_index_options *options);

/* The alpha a metric is computed with: theil_index 1, coefficient_of_variation 2, the others
 * options->alpha. */
double fg_inequality_alpha(enum fg_metric metric, const struct fg_index_options *options);

#endif /* FAIRGATE_INEQUALITY_H */
