/*
 * gate.h - gate results (lib/gate.c): for each policy gate and group, the candidate's
 * (and incumbent's) value, its interval and test, the status, the limit that decides it
 * and how far past it the result is, and per gate the worst result; then the verdict.
 * Every renderer reads these decisions from the audit and makes none of its own.
 *
 * Ownership: struct fg_evaluation owns its outcomes and their results (fg_evaluation_free);
 * an outcome borrows its spec from the policy; the override records belong to the override
 * module (override.h).
 */
#ifndef FAIRGATE_GATE_H
#define FAIRGATE_GATE_H

#include "fairgate.h"
#include "metric.h"
#include "policy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits ---- */

#define FG_MAX_GATE_GROUPS 100000 /* groups one gate evaluates, over its attribute sets */
/* fg_side.reference_group of reference: rest, whose reference is the group's complement
 * (the overall population less the group), not a group of the metrics. */
#define FG_REST_GROUP (SIZE_MAX - 1)

struct fg_override_record;

/* ---- gates (lib/gate.c) ---- */

enum fg_result_status {
    FG_RESULT_PASS,
    FG_RESULT_FAIL,
    FG_RESULT_WARN,
    FG_RESULT_INSUFFICIENT_DATA,
    FG_RESULT_OVERRIDDEN
};
const char *fg_result_status_name(enum fg_result_status status);

/* One model's side of a result. */
struct fg_side {
    bool defined;                  /* the disparity (or overall value) could be computed */
    double value;                  /* disparity, or the overall metric value */
    struct fg_rate group_rate;     /* the group's metric */
    struct fg_rate reference_rate; /* the reference group's metric (disparity gates) */
    size_t reference_group;        /* index into metrics->groups; SIZE_MAX when none */
    enum fg_metric component;      /* equalized_odds: FG_METRIC_TPR or FG_METRIC_FPR */
    double parity_gap; /* disparity gates, when defined: distance from parity (0 at parity,
                        * larger is further; 1 - min(r, 1/r) for a ratio) */
};

enum fg_test { FG_TEST_NONE, FG_TEST_FISHER, FG_TEST_Z, FG_TEST_BOOTSTRAP };
const char *fg_test_name(enum fg_test test);

/* One comparison a result makes: a component (TPR or FPR for equalized odds; the metric
 * otherwise) of the group against its reference, or an overall rate against its bound. */
struct fg_comparison {
    enum fg_metric component;
    bool breach; /* the point estimate is outside a min/max bound */
    bool has_ci;
    double ci_low, ci_high; /* of the value, at level 1 - alpha; ci_high may be +inf */
    bool ci_inside;         /* the whole interval satisfies the min/max bounds */
    enum fg_test test;      /* FG_TEST_NONE: nothing to test (the reference itself, count) */
    double p_value, p_adjusted;
    double multiplier;   /* between_groups: the pairs worst-over-best was selected from */
    double value;        /* the component's own disparity (or overall value) */
    struct fg_side side; /* the candidate's side on this component */
    size_t group;        /* whose comparison (between_groups: each component's worst group) */
};

enum fg_limit { FG_LIMIT_NONE, FG_LIMIT_MIN, FG_LIMIT_MAX, FG_LIMIT_MAX_WORSENING };
const char *fg_limit_name(enum fg_limit limit);

struct fg_gate_result {
    size_t group; /* index into metrics->groups */
    /* An inequality index over the groups of one attribute set (between_group_*,
     * within_group_*): that set's index (fg_policy_attrset), and group is 0 (overall). */
    bool over_attrset;
    size_t attrset;
    struct fg_side candidate;
    struct fg_side incumbent; /* evaluated for vs_incumbent gates when an incumbent exists */
    bool has_worsening;
    double worsening; /* candidate deviation - incumbent deviation (vs_incumbent) */
    /* Uncertainty (lib/stats.c): the candidate value's interval at level 1 - alpha (Wilson
     * for an overall rate, Katz for a ratio, Newcombe for a difference); the test of the
     * group against its reference (or of an overall rate against its bound), its p-value
     * and the p-value adjusted over every comparison of the gate. */
    bool has_ci;
    double ci_low, ci_high;
    enum fg_test test; /* FG_TEST_NONE: no comparison was made (p-values unset) */
    double p_value, p_adjusted;
    /* vs_incumbent: the paired bootstrap percentile interval of worsening at level
     * 1 - alpha, over resamples_used of the gate's resamples (those where it was defined). */
    bool has_worsening_ci;
    double worsening_low, worsening_high;
    uint64_t resamples_used;
    /* The bootstrap test of "worsening <= max_worsening" (normal approximation with the
     * bootstrap standard error), adjusted over the gate's vs_incumbent comparisons. */
    bool has_worsening_p;
    double worsening_p, worsening_p_adjusted;
    struct fg_comparison comparisons[2];
    size_t n_comparisons;
    bool partial;  /* equalized odds judged on one component: the other lacks data */
    bool resample; /* of a bootstrap resample's scratch outcome (fg_gate_outcome.resample) */
    enum fg_result_status status;
    char why[256]; /* why this status, for a person; "" when it passed plainly */
    /* The limit that decides this result and how far past it the result is (lib/gate.c,
     * decide_limit): of min, max and max_worsening, the one the result is furthest past
     * (or closest to). FG_LIMIT_NONE when nothing could be compared with a limit. */
    enum fg_limit limit;
    double limit_value; /* the bound, or max_worsening */
    double deviation;   /* > 0 past the limit, < 0 inside it, in the limit's units */
    bool has_limit_at;
    double limit_at; /* where the candidate's own value would meet the limit */
    bool has_worsening_at;
    double worsening_at; /* vs_incumbent: where the candidate's value meets max_worsening */
};

struct fg_gate_outcome {
    const struct fg_gate_spec *spec; /* borrowed from the policy */
    enum fg_result_status status;
    struct fg_gate_result *results;
    size_t n_results;
    /* The result a person should see first (lib/gate.c, pick_worst; decided before any
     * override, which leaves it alone): index into results, SIZE_MAX when none. */
    size_t worst;
    char note[256]; /* gate-level remark (e.g. "no incumbent predictions given") */
    /* A bootstrap resample's scratch (lib/gate.c): only each result's worsening is read, so
     * its results make no comparisons (n_comparisons stays 0: no interval, no test). */
    bool resample;
};

struct fg_evaluation {
    struct fg_gate_outcome *outcomes; /* one per policy gate, in policy order */
    size_t n_outcomes;
    enum fg_verdict verdict;
    /* In the order offered; owned by the override module (lib/override.c): allocated by
     * fg_override_apply, freed by fg_override_release. */
    struct fg_override_record *overrides;
    size_t n_overrides;
};

/* The gate failed and its policy says enforce: block, so it fails the verdict (an advisory
 * gate, enforce: warn, that failed is reported and counted, never blocking). */
bool fg_gate_outcome_blocks(const struct fg_gate_outcome *outcome);

#endif /* FAIRGATE_GATE_H */
