/*
 * metrics.h - per-group metrics (lib/metrics.c): for the overall population and each
 * group of each gated attribute set, the confusion counts, the Wilson interval of each rate
 * and the score metrics, for the candidate and the incumbent.
 *
 * Ownership: struct fg_metrics owns its groups and their values and labels
 * (fg_metrics_free); it borrows the counts table and the policy it was computed from.
 */
#ifndef FAIRGATE_METRICS_H
#define FAIRGATE_METRICS_H

#include "fairgate.h"
#include "metric.h"
#include "scores.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- metrics (lib/metrics.c) ---- */

/* A group's label for people and for `fairgate override --group`: "attr=value" per attribute,
 * joined by " & "; a backslash, '&' or '=' inside a name or value is escaped with a
 * backslash, so that two groups never share a label. "overall" when n is 0. Malloc'd; NULL
 * when out of memory. */
char *fg_group_label(const char *const *attrs, const char *const *values, size_t n);

/* One model's rate intervals for one group, indexed by enum fg_metric from
 * FG_METRIC_BASE_RATE to FG_METRIC_ERROR_RATE (count's entry is unused); [0, 0] where the
 * rate is undefined (den == 0). */
struct fg_rate_intervals {
    double low[FG_METRIC_N_RATES], high[FG_METRIC_N_RATES];
};

/* Each rate's Wilson interval at level for one model's confusion counts (fg_metrics_compute
 * fills candidate_ci and incumbent_ci so; sweep again at each threshold). */
void fg_rate_intervals_compute(const struct fg_confusion *c, double level,
                               struct fg_rate_intervals *out);

struct fg_group {
    size_t attrset;  /* index as fg_policy_attrset; SIZE_MAX for the overall population */
    char **values;   /* one owned copy per attribute of the attrset; NULL for overall */
    size_t n_values; /* the attrset's size; 0 for overall */
    char *label;     /* "sex=Female & race=Black"; "overall" for the overall population */
    struct fg_confusion candidate;
    struct fg_confusion incumbent; /* all 0 when metrics->has_incumbent is false */
    /* Each rate's Wilson interval at level 1 - defaults.alpha, computed once by
     * fg_metrics_compute (the audit writes them as "<metric>_ci"). */
    struct fg_rate_intervals candidate_ci;
    struct fg_rate_intervals incumbent_ci; /* all 0 when metrics->has_incumbent is false */
    struct fg_score_stats candidate_score;
    struct fg_score_stats incumbent_score;
    /* The reliability bins and ROC curve of each scored model, owned; only for the groups a
     * score gate judges (the overall population for an overall gate, every other group for a
     * disparity gate), else NULL. */
    struct fg_score_curves *candidate_curves;
    struct fg_score_curves *incumbent_curves;
};

struct fg_metrics {
    bool has_incumbent;
    /* The table these were computed from, borrowed (it must outlive the metrics): the
     * paired bootstrap resamples its cells. */
    const struct fg_counts *counts;
    /* The policy they were computed for, borrowed: its attribute sets name the groups'
     * attributes (the conditional demographic disparities read the cells by them). */
    const struct fg_policy *policy;
    /* groups[0] is the overall population; then, for each attrset in order, its groups
     * sorted by their values (bytewise, attribute by attribute). */
    struct fg_group *groups;
    size_t n_groups;
    size_t *attrset_first; /* first group index of each attrset */
    size_t *attrset_count; /* number of groups of each attrset */
    size_t n_attrsets;
};

/* The value of metric for group g and one model, rate-like: the rate metrics as
 * fg_metric_rate; a score metric with num = 0, den = its own denominator for
 * min_group_size (auc: the smaller of actual positives and actual negatives; brier and
 * calibration_gap: rows with a score) and defined when it can be computed. */
struct fg_rate fg_group_metric(const struct fg_group *group, enum fg_metric metric, bool incumbent);

#endif /* FAIRGATE_METRICS_H */
