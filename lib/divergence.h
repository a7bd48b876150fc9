/*
 * divergence.h - SageMaker Clarify's pre-training label metrics (lib/divergence.c): class
 * imbalance and the divergences of the label distributions of a facet d (a group) and of a
 * (its reference, or the rest of the rows), from the two groups' counts.
 *
 * Labels are binary (positive_label or not), so each distribution is (1 - q, q) with q the
 * base rate (tp + fn) / n. Clarify keeps only the label values that occur in both facets
 * (smclarify 0.5 src/smclarify/util/__init__.py:51 pdfs_aligned_nonzero), and so does
 * fairgate. Nothing here allocates; a why is a static string.
 */
#ifndef FAIRGATE_DIVERGENCE_H
#define FAIRGATE_DIVERGENCE_H

#include "inequality.h"
#include "metric.h"

/* The metric (class_imbalance, label_kl_divergence, label_js_divergence, label_lp_norm,
 * label_total_variation, label_ks_distance) of facet d against a, each from its confusion
 * matrix (only n and tp + fn are read). Undefined, with why, when either has no rows or,
 * for the divergences, no label value occurs in both. */
struct fg_index fg_divergence(enum fg_metric metric, const struct fg_confusion *d,
                              const struct fg_confusion *a);

#endif /* FAIRGATE_DIVERGENCE_H */
