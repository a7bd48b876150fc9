/*
 * gate.c - policy x metrics -> per-gate, per-group results and a verdict.
 *
 * Semantics (README "Gates" says the same for users):
 *  - A disparity gate compares each group's metric with a reference group's, within each
 *    attribute set (a protected attribute alone, or an intersection):
 *      ratio      = group / reference            (bounds min/max, each > 0)
 *      difference = |group - reference|          (an absolute gap, bounds in [0, 1])
 *    The reference is `highest` (the group with the highest value among groups with
 *    enough data; 29 CFR 1607.4(D), the four-fifths rule, compares each group's selection
 *    rate with the highest group's), `largest` (most rows), an explicit group, or
 *    `between_groups` (one result per attribute set: worst group over best group, as
 *    Fairlearn's demographic_parity_ratio/difference).
 *  - equalized_odds evaluates TPR and FPR disparities and reports, per group, the one
 *    closer to (or further past) a bound: "the worse of the two" (Hardt, Price, Srebro
 *    2016; Fairlearn's equalized_odds_difference/ratio takes the same worst case).
 *  - min_group_size applies to the metric's own denominator (actual positives for TPR,
 *    predicted positives for PPV, rows for selection rate, ...). A group below it, or with
 *    an undefined rate, is `insufficient_data`; groups below it are never the reference.
 *  - vs_incumbent {max_worsening}: for each group, the candidate's deviation from parity
 *    may exceed the incumbent's (same rows, each model with its own reference) by at most
 *    max_worsening. Deviation: 1 - min(r, 1/r) for a ratio r, the gap for a difference.
 *    On an overall gate: the metric may get worse by at most max_worsening.
 *  - min/max bounds are compared exactly, in integers, with the decimal written in the
 *    policy: a group at exactly 0.8 x the highest rate passes the four-fifths rule and one
 *    a hair below it fails. max_worsening is compared with a tolerance of 1e-12.
 *  - A ratio whose reference rate is 0 is 1 (parity) when the group's rate is 0 too, and
 *    infinite otherwise (JSON null, with the reason). A peer's alias has no value at 0/0
 *    (AIF360 NaN, Clarify DI 0), nor aif360.equalized_odds_difference with a rate
 *    undefined: null, insufficient_data.
 *  - A gate fails when a result fails, or when a result has insufficient data and
 *    on_small_group is `fail`; it warns on insufficient data with `warn`; with `skip` it is
 *    `insufficient_data` only when nothing could be evaluated. The verdict fails when a
 *    gate with `enforce: block` (the default) fails; a failing `enforce: warn` gate is
 *    advisory: its status and results are decided the same way, but the verdict ignores it.
 */
#include "gate.h"
#include "cdd.h"
#include "counts.h"
#include "divergence.h"
#include "fairgate.h"
#include "inequality.h"
#include "metric.h"
#include "metrics.h"
#include "override.h"
#include "policy.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FG_BOUND_EPSILON 1e-12 /* for max_worsening, a difference of deviations */

const char *fg_result_status_name(enum fg_result_status status)
{
    switch (status) {
    case FG_RESULT_PASS:
        return "pass";
    case FG_RESULT_FAIL:
        return "fail";
    case FG_RESULT_WARN:
        return "warn";
    case FG_RESULT_INSUFFICIENT_DATA:
        return "insufficient_data";
    case FG_RESULT_OVERRIDDEN:
        return "overridden";
    }
    return "?";
}

const char *fg_test_name(enum fg_test test)
{
    switch (test) {
    case FG_TEST_FISHER:
        return "fisher";
    case FG_TEST_Z:
        return "z";
    case FG_TEST_BOOTSTRAP:
        return "bootstrap";
    case FG_TEST_NONE:
        break;
    }
    return "none";
}

/* ---- small pieces ---- */

static const struct fg_confusion *confusion_of(const struct fg_group *g, bool incumbent)
{
    return incumbent ? &g->incumbent : &g->candidate;
}

static struct fg_rate group_rate(const struct fg_metrics *m, size_t g, enum fg_metric metric,
                                 bool incumbent)
{
    return fg_group_metric(&m->groups[g], metric, incumbent);
}

static bool enough(const struct fg_rate *r, uint64_t min_group_size)
{
    return r->defined && r->den >= min_group_size;
}

static void why_not_enough(char *why, size_t size, const char *whose, const struct fg_rate *r,
                           enum fg_metric metric, uint64_t min_group_size)
{
    if (!r->defined)
        snprintf(why, size, "%s%s is undefined: no %s", whose, fg_metric_name(metric),
                 fg_metric_denominator(metric));
    else if (strncmp(fg_metric_denominator(metric), "the ", 4) == 0) /* "the smaller of ..." */
        snprintf(why, size, "%s%s is only %llu (min_group_size %llu)", whose,
                 fg_metric_denominator(metric), (unsigned long long)r->den,
                 (unsigned long long)min_group_size);
    else
        snprintf(why, size, "%sonly %llu %s (min_group_size %llu)", whose,
                 (unsigned long long)r->den, fg_metric_denominator(metric),
                 (unsigned long long)min_group_size);
}

/* How far a disparity is from parity: 0 at parity, larger is worse. */
static double deviation(enum fg_disparity disparity, double value)
{
    if (disparity == FG_DISPARITY_DIFFERENCE)
        return value;
    if (disparity == FG_DISPARITY_SIGNED_DIFFERENCE || disparity == FG_DISPARITY_VALUE)
        return fabs(value);
    if (value <= 0.0)
        return 1.0;
    return 1.0 - (value < 1.0 ? value : 1.0 / value);
}

/* Distance to the nearest bound: negative when a bound is breached. */
static double bound_slack(const struct fg_gate_spec *spec, double value)
{
    double slack = INFINITY;
    if (spec->has_min && value - spec->min < slack)
        slack = value - spec->min;
    if (spec->has_max && spec->max - value < slack)
        slack = spec->max - value;
    return slack;
}

/* How close a side is to failing, for choosing "the worse" of two components. */
static double side_badness(const struct fg_gate_spec *spec, double value)
{
    if (spec->has_min || spec->has_max)
        return -bound_slack(spec, value);
    return deviation(spec->disparity, value);
}

/* ---- references ---- */

static bool group_matches_reference(const struct fg_group *g, const struct fg_attrset *set,
                                    const struct fg_reference *ref)
{
    for (size_t k = 0; k < set->n; k++) {
        if (strcmp(g->values[k], ref->values[set->attrs[k]]) != 0)
            return false;
    }
    return true;
}

/* The reference group of one attribute set for one metric and model, or SIZE_MAX when
 * no group qualifies. An explicit reference that does not occur in the data is an error:
 * a typo in a reference must not make a gate vacuous. */
static enum fg_status pick_reference(const struct fg_policy *policy,
                                     const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                     size_t attrset, enum fg_metric metric, bool incumbent,
                                     size_t *out, struct fg_error *err)
{
    size_t first = m->attrset_first[attrset], count = m->attrset_count[attrset];
    *out = SIZE_MAX;
    if (spec->reference.kind == FG_REFERENCE_REST) { /* each group's own complement */
        *out = FG_REST_GROUP;
        return FG_OK;
    }
    if (spec->reference.kind == FG_REFERENCE_EXPLICIT) {
        struct fg_attrset set;
        fg_policy_attrset(policy, attrset, &set);
        for (size_t i = first; i < first + count; i++) {
            if (group_matches_reference(&m->groups[i], &set, &spec->reference)) {
                *out = i;
                return FG_OK;
            }
        }
        /* Named as the groups are labelled (fg_group_label), escapes included. */
        const char *attrs[FG_MAX_PROTECTED], *values[FG_MAX_PROTECTED];
        for (size_t k = 0; k < set.n; k++) {
            attrs[k] = policy->data.protected[set.attrs[k]];
            values[k] = spec->reference.values[set.attrs[k]];
        }
        char *wanted = fg_group_label(attrs, values, set.n);
        if (wanted == NULL)
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        char seen[512] = "";
        size_t used = 0;
        for (size_t i = first; i < first + count && used < sizeof seen; i++)
            used += (size_t)snprintf(seen + used, sizeof seen - used, "%s%s", i > first ? "; " : "",
                                     m->groups[i].label);
        fg_error_set(err, FG_ERR_INPUT, policy->path, spec->mark.line, spec->mark.column,
                     "gate '%s': reference group %s does not occur in the data (groups: %s)",
                     spec->id, wanted, count ? seen : "none");
        free(wanted);
        return FG_ERR_INPUT;
    }
    double best = -INFINITY;
    uint64_t best_n = 0;
    for (size_t i = first; i < first + count; i++) {
        struct fg_rate r = group_rate(m, i, metric, incumbent);
        if (!enough(&r, spec->min_group_size))
            continue;
        if (spec->reference.kind == FG_REFERENCE_LARGEST) {
            uint64_t n = fg_confusion_n(confusion_of(&m->groups[i], incumbent));
            if (*out == SIZE_MAX || n > best_n) {
                best_n = n;
                *out = i;
            }
        } else if (*out == SIZE_MAX || r.value > best) { /* highest, between_groups */
            best = r.value;
            *out = i;
        }
    }
    return FG_OK;
}

/* ---- one side (a model) of a disparity result ---- */

/* The reference's confusion matrix for group g: group ref's, or for reference: rest the
 * rows of g's attribute set outside g (the overall population less g) in *rest. */
static const struct fg_confusion *reference_confusion(const struct fg_metrics *m, size_t g,
                                                      size_t ref, bool incumbent,
                                                      struct fg_confusion *rest)
{
    if (ref != FG_REST_GROUP)
        return confusion_of(&m->groups[ref], incumbent);
    const struct fg_confusion *all = confusion_of(&m->groups[0], incumbent),
                              *own = confusion_of(&m->groups[g], incumbent);
    *rest = (struct fg_confusion){all->tp - own->tp, all->fp - own->fp, all->tn - own->tn,
                                  all->fn - own->fn};
    return rest;
}

/* The reference's metric for group g (see reference_confusion). */
static struct fg_rate reference_rate(const struct fg_metrics *m, size_t g, size_t ref,
                                     enum fg_metric metric, bool incumbent)
{
    if (ref != FG_REST_GROUP)
        return group_rate(m, ref, metric, incumbent);
    struct fg_confusion rest;
    return fg_metric_rate(metric, reference_confusion(m, g, ref, incumbent, &rest));
}

/* Conditional demographic disparity of group g against its reference (every row for
 * reference: rest), per stratum of the gate's strata attribute, from the cells (lib/cdd.c).
 * The reference against itself is 0. Undefined with why (naming a stratum when one is why);
 * when memory runs out, undefined with err set (see eval_attrset). */
static struct fg_index cdd_value(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                 size_t g, size_t ref, bool incumbent, char *stratum, size_t size,
                                 struct fg_error *err)
{
    struct fg_index v = {.defined = ref == g, .value = 0.0, .why = NULL};
    if (ref == g)
        return v;
    if (m->counts == NULL) { /* a bootstrap resample redraws no cells */
        v.why = "the cells are not at hand";
        return v;
    }
    const struct fg_group *group = &m->groups[g];
    struct fg_attrset set;
    fg_policy_attrset(m->policy, group->attrset, &set);
    struct fg_cdd_query q = {
        .counts = m->counts,
        .attrs = set.attrs,
        .n_attrs = set.n,
        .facet = (const char *const *)group->values,
        .reference = ref == FG_REST_GROUP ? NULL : (const char *const *)m->groups[ref].values,
        .strata_attr = spec->strata,
        .outcome = spec->metric == FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY ? FG_CDD_LABEL
                   : incumbent                                                 ? FG_CDD_INCUMBENT
                                                                               : FG_CDD_CANDIDATE};
    size_t bad = SIZE_MAX;
    if (fg_cdd_of_counts(&q, &v, &bad, err) != FG_OK)
        return v; /* err says why; the evaluation stops (eval_attrset) */
    if (bad != SIZE_MAX)
        snprintf(stratum, size, "stratum %s=%s ", m->policy->data.protected[spec->strata],
                 fg_counts_value(m->counts, spec->strata, (uint32_t)bad));
    return v;
}

/* A pair metric of group g against its reference: false, with why, when it has no value. */
static bool pair_value(const struct fg_gate_spec *spec, const struct fg_metrics *m, size_t g,
                       size_t ref, enum fg_metric metric, bool incumbent, struct fg_side *side,
                       char *why, size_t why_size, struct fg_error *err)
{
    struct fg_confusion rest;
    char stratum[160] = "";
    struct fg_index v = fg_metric_takes_strata(metric)
                            ? cdd_value(spec, m, g, ref, incumbent, stratum, sizeof stratum, err)
                            : fg_divergence(metric, confusion_of(&m->groups[g], incumbent),
                                            reference_confusion(m, g, ref, incumbent, &rest));
    if (!v.defined) {
        snprintf(why, why_size, "%s%s is undefined: %s%s", incumbent ? "incumbent: " : "",
                 fg_metric_name(metric), stratum, v.why);
        return false;
    }
    side->value = v.value;
    return true;
}

/* Evaluates group g against reference ref on one metric for one model. Returns false and
 * writes why when the disparity cannot be computed. An error (out of memory) is not a why:
 * it is set in err, sticky, and the caller that returns a status reports it (eval_attrset);
 * the functions between only pass err on. */
static bool eval_component(const struct fg_gate_spec *spec, const struct fg_metrics *m, size_t g,
                           size_t ref, enum fg_metric metric, bool incumbent, struct fg_side *side,
                           char *why, size_t why_size, struct fg_error *err)
{
    const char *whose = incumbent ? "incumbent: " : "";
    side->component = metric;
    side->reference_group = ref;
    side->group_rate = group_rate(m, g, metric, incumbent);
    side->defined = false;
    /* the reference's rate is shown even when the group's is too small to compare */
    if (ref != SIZE_MAX)
        side->reference_rate = reference_rate(m, g, ref, metric, incumbent);
    if (!enough(&side->group_rate, spec->min_group_size)) {
        why_not_enough(why, why_size, whose, &side->group_rate, metric, spec->min_group_size);
        return false;
    }
    if (ref == SIZE_MAX) {
        snprintf(why, why_size, "%sno group has enough data to be the reference", whose);
        return false;
    }
    if (!enough(&side->reference_rate, spec->min_group_size)) {
        char inner[160];
        why_not_enough(inner, sizeof inner, "", &side->reference_rate, metric,
                       spec->min_group_size);
        snprintf(why, why_size, "%sreference %s has %s", whose,
                 ref == FG_REST_GROUP ? "(the rest of the rows)" : m->groups[ref].label, inner);
        return false;
    }
    double v = side->group_rate.value, r = side->reference_rate.value;
    enum fg_metric parts[2];
    if (spec->disparity == FG_DISPARITY_VALUE) {
        if (!pair_value(spec, m, g, ref, metric, incumbent, side, why, why_size, err))
            return false;
    } else if (spec->disparity == FG_DISPARITY_RATIO) {
        /* A reference rate of 0: both 0 is parity (1); a positive rate over 0 is an
         * infinitely large ratio, which fails any max and passes any min. A peer's ratio
         * has no value at 0/0: AIF360's ratio (dataset_metric.py:82) is NaN and Clarify's DI
         * divide (common.py:27) 0, so an alias gives null there, never 1. */
        if (r == 0.0 && v == 0.0 && spec->alias != NULL) {
            snprintf(why, why_size, "%s%s is 0/0: %s is 0 in the group and the reference", whose,
                     spec->alias->name, fg_metric_name(metric));
            return false;
        }
        side->value = r != 0.0 ? v / r : v == 0.0 ? 1.0 : INFINITY;
    } else if (spec->disparity == FG_DISPARITY_SIGNED_DIFFERENCE) {
        side->value = spec->reference_minus_group ? r - v : v - r;
    } else if (fg_metric_average_parts(metric, parts)) {
        /* AIF360 average_abs_odds_difference (classification_metric.py:571): the mean of
         * the two absolute differences, not the absolute mean difference. */
        side->value = 0.0;
        for (size_t k = 0; k < 2; k++)
            side->value += fabs(group_rate(m, g, parts[k], incumbent).value -
                                reference_rate(m, g, ref, parts[k], incumbent).value) /
                           2.0;
    } else {
        side->value = fabs(v - r);
    }
    side->defined = true;
    return true;
}

/* The components a metric is judged on: equalized odds is TPR and FPR. */
static size_t components(enum fg_metric metric, enum fg_metric out[2])
{
    if (metric == FG_METRIC_EQUALIZED_ODDS) {
        out[0] = FG_METRIC_TPR;
        out[1] = FG_METRIC_FPR;
        return 2;
    }
    out[0] = metric;
    return 1;
}

static void compare_side(const struct fg_gate_spec *spec, const struct fg_side *side, size_t group,
                         struct fg_comparison *cmp);

/* How much of a side could be evaluated. */
enum side_state { SIDE_NONE, SIDE_PARTIAL, SIDE_COMPLETE };

/* One model's side for group g: refs[c] is the reference of component c. The side is the
 * worst component that could be evaluated; why says what could not (equalized odds with
 * too few actual positives can still fail on its false positive rate). */
static enum side_state eval_side(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                 size_t g, const size_t refs[2], bool incumbent,
                                 struct fg_side *side, char *why, size_t why_size,
                                 struct fg_gate_result *res, struct fg_error *err)
{
    enum fg_metric comps[2];
    size_t n = components(spec->metric, comps), evaluated = 0;
    struct fg_side best = {0};
    double best_badness = -INFINITY;
    char missing[256] = "";
    size_t comparisons_before = res != NULL ? res->n_comparisons : 0;
    for (size_t c = 0; c < n; c++) {
        struct fg_side s = {0};
        if (!eval_component(spec, m, g, refs[c], comps[c], incumbent, &s, missing, sizeof missing,
                            err)) {
            if (evaluated == 0)
                best = s; /* keeps the rates for the audit */
            continue;
        }
        if (res != NULL && !res->resample && res->n_comparisons < 2)
            compare_side(spec, &s, g, &res->comparisons[res->n_comparisons++]);
        double badness = side_badness(spec, s.value);
        if (evaluated == 0 || badness > best_badness) {
            best_badness = badness;
            best = s;
        }
        evaluated++;
    }
    *side = best;
    if (missing[0] != '\0')
        snprintf(why, why_size, "%s", missing);
    if (evaluated > 0 && evaluated < n && spec->alias != NULL) {
        /* AIF360's equalized_odds_difference, max(|dFPR|, |dTPR|) (classification_metric.py
         * :592), has no value when a component has none (NaN there): no partial result. */
        side->defined = false;
        if (res != NULL)
            res->n_comparisons = comparisons_before;
        return SIDE_NONE;
    }
    return evaluated == 0 ? SIDE_NONE : evaluated < n ? SIDE_PARTIAL : SIDE_COMPLETE;
}

/* Deviation of a side from parity; for equalized odds the larger of the two components. */
static double side_deviation(const struct fg_gate_spec *spec, const struct fg_metrics *m, size_t g,
                             const size_t refs[2], bool incumbent, const struct fg_side *side,
                             struct fg_error *err)
{
    if (spec->metric != FG_METRIC_EQUALIZED_ODDS)
        return deviation(spec->disparity, side->value);
    enum fg_metric comps[2];
    size_t n = components(spec->metric, comps);
    double worst = 0.0;
    char why[8];
    for (size_t c = 0; c < n; c++) {
        struct fg_side s = {0};
        if (eval_component(spec, m, g, refs[c], comps[c], incumbent, &s, why, sizeof why, err)) {
            double d = deviation(spec->disparity, s.value);
            if (d > worst)
                worst = d;
        }
    }
    return worst;
}

/* ---- judging a result ---- */

/* ---- exact comparison with a bound ----
 *
 * A disparity is a ratio of counts, and a bound is a decimal as written in the policy, so
 * "below 0.8 x the highest rate" is decided exactly in integers: for a ratio
 * (ng/dg) / (nr/dr) < p/q  <=>  ng*dr*q < p*dg*nr. Doubles are used only where the counts
 * are too large for 128-bit products (then with a relative tolerance of 1e-15). */

__extension__ typedef unsigned __int128 u128;

#define EXACT_COUNT_LIMIT   (UINT64_C(1) << 32)
#define EXACT_DECIMAL_LIMIT (UINT64_C(1) << 60)

/* The bound as the decimal p/q it was written as ("0.8" -> 8/10), when that is exact. */
static bool bound_fraction(double bound, uint64_t *p, uint64_t *q)
{
    char text[40];
    fg_snprintf_c(text, sizeof text, "%.15g", bound);
    if (fg_strtod(text, NULL) != bound || bound < 0)
        return false;
    uint64_t mant = 0, den = 1;
    int exponent = 0;
    bool fraction = false;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c >= '0' && *c <= '9') {
            if (mant > EXACT_DECIMAL_LIMIT / 10)
                return false;
            mant = mant * 10 + (uint64_t)(*c - '0');
            if (fraction)
                exponent--;
        } else if (*c == '.') {
            fraction = true;
        } else if (*c == 'e' || *c == 'E') {
            exponent += (int)strtol(c + 1, NULL, 10);
            break;
        } else {
            return false;
        }
    }
    for (; exponent > 0; exponent--) {
        if (mant > EXACT_DECIMAL_LIMIT / 10)
            return false;
        mant *= 10;
    }
    for (; exponent < 0; exponent++) {
        if (den > EXACT_DECIMAL_LIMIT / 10)
            return false;
        den *= 10;
    }
    *p = mant;
    *q = den;
    return true;
}

static int compare_u128(u128 a, u128 b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

static int compare_double(double value, double bound)
{
    double tolerance = 1e-15 * (fabs(bound) > 1.0 ? fabs(bound) : 1.0);
    return value < bound - tolerance ? -1 : value > bound + tolerance ? 1 : 0;
}

__extension__ typedef __int128 s128;

/* signed_difference, exactly: s (ng/dg - nr/dr) vs b = ±p/q  <=>
 * s (ng*dr - nr*dg) * q vs ±p * dg * dr (every factor below 2^32, p and q below 2^60). */
static int compare_signed(const struct fg_gate_spec *spec, const struct fg_side *side, double bound)
{
    const struct fg_rate *g = &side->group_rate, *r = &side->reference_rate;
    uint64_t p, q;
    if (!bound_fraction(fabs(bound), &p, &q))
        return compare_double(side->value, bound);
    s128 diff = (s128)g->num * (s128)r->den - (s128)r->num * (s128)g->den;
    if (spec->reference_minus_group)
        diff = -diff;
    s128 lhs = diff * (s128)q, rhs = (s128)p * (s128)g->den * (s128)r->den;
    if (bound < 0)
        rhs = -rhs;
    return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
}

/* The sign of (side's value - bound). */
static int compare_to_bound(const struct fg_gate_spec *spec, const struct fg_side *side,
                            double bound)
{
    const struct fg_rate *g = &side->group_rate, *r = &side->reference_rate;
    uint64_t p, q;
    bool small = g->num < EXACT_COUNT_LIMIT && g->den < EXACT_COUNT_LIMIT &&
                 r->num < EXACT_COUNT_LIMIT && r->den < EXACT_COUNT_LIMIT;
    if (fg_metric_kind(side->component) != FG_METRIC_KIND_RATE || !small ||
        !bound_fraction(bound, &p, &q))
        return compare_double(side->value, bound);
    if (spec->overall) /* num/den vs p/q */
        return compare_u128((u128)g->num * q, (u128)p * g->den);
    if (spec->disparity == FG_DISPARITY_RATIO) {
        if (r->num == 0) /* 0/0 is parity; x/0 is infinite */
            return g->num == 0 ? compare_u128((u128)q, (u128)p) : 1;
        return compare_u128((u128)g->num * r->den * q, (u128)p * g->den * r->num);
    }
    if (spec->disparity == FG_DISPARITY_SIGNED_DIFFERENCE)
        return compare_signed(spec, side, bound);
    /* |ng/dg - nr/dr| vs p/q  <=>  |ng*dr - nr*dg| * q vs p * dg * dr */
    u128 a = (u128)g->num * r->den, b = (u128)r->num * g->den;
    return compare_u128((a > b ? a - b : b - a) * q, (u128)p * g->den * r->den);
}

static void judge_bounds(const struct fg_gate_spec *spec, struct fg_gate_result *res)
{
    const struct fg_side *side = &res->candidate;
    char v[32]; /* formatted only for a message: a passing result (and most of the bootstrap's
                 * 2,000 evaluations a gate) has none */
    if (spec->has_min && compare_to_bound(spec, side, spec->min) < 0) {
        res->status = FG_RESULT_FAIL;
        fg_format_number(v, sizeof v, true, side->value);
        fg_snprintf_c(res->why, sizeof res->why, "%s is below the minimum %g", v, spec->min);
    } else if (spec->has_max && compare_to_bound(spec, side, spec->max) > 0) {
        res->status = FG_RESULT_FAIL;
        fg_format_number(v, sizeof v, true, side->value);
        fg_snprintf_c(res->why, sizeof res->why, "%s is above the maximum %g", v, spec->max);
    } else {
        res->status = FG_RESULT_PASS;
    }
}

static void judge_worsening(const struct fg_gate_spec *spec, struct fg_gate_result *res,
                            double candidate_dev, double incumbent_dev)
{
    res->has_worsening = true;
    res->worsening = candidate_dev - incumbent_dev;
    if (res->status == FG_RESULT_PASS && res->worsening > spec->max_worsening + FG_BOUND_EPSILON) {
        res->status = FG_RESULT_FAIL;
        fg_snprintf_c(res->why, sizeof res->why,
                      "worse than the incumbent by %.4f (%.4f vs %.4f), more than max_worsening %g",
                      res->worsening, candidate_dev, incumbent_dev, spec->max_worsening);
    }
}

/* ---- uncertainty: intervals and tests of one comparison (lib/stats.c) ---- */

/* Cochran's rule (Cochran 1954): the z test's normal approximation is trusted when every
 * expected cell of the 2x2 table is at least 5; otherwise Fisher's exact test is used. */
static enum fg_test choose_test(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    double n = (double)a + (double)b + (double)c + (double)d;
    double rows[2] = {(double)a + (double)b, (double)c + (double)d};
    double cols[2] = {(double)a + (double)c, (double)b + (double)d};
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 2; j++)
            if (rows[i] * cols[j] / n < 5.0)
                return FG_TEST_FISHER;
    return FG_TEST_Z;
}

/* The interval and test of one component of a result (or of an overall rate). Count and
 * the score metrics get no interval: their bounds are judged on the point value. */
static void compare_side(const struct fg_gate_spec *spec, const struct fg_side *side, size_t group,
                         struct fg_comparison *cmp)
{
    memset(cmp, 0, sizeof *cmp);
    cmp->component = side->component;
    cmp->breach = (spec->has_min && compare_to_bound(spec, side, spec->min) < 0) ||
                  (spec->has_max && compare_to_bound(spec, side, spec->max) > 0);
    cmp->ci_inside = !cmp->breach;
    cmp->multiplier = 1.0;
    cmp->value = side->value;
    cmp->side = *side;
    cmp->group = group;
    if (!side->defined || fg_metric_kind(side->component) != FG_METRIC_KIND_RATE)
        return;
    const double level = 1.0 - spec->alpha;
    const struct fg_rate *g = &side->group_rate, *r = &side->reference_rate;
    struct fg_interval ci;
    if (spec->overall) {
        ci = fg_stats_wilson(g->num, g->den, level);
        /* The score test against the bound that was breached, else the nearer one. */
        double p0 = NAN;
        if (spec->has_min && (!spec->has_max || g->value < spec->min ||
                              fabs(g->value - spec->min) <= fabs(g->value - spec->max)))
            p0 = spec->min;
        else if (spec->has_max)
            p0 = spec->max;
        if (p0 > 0.0 && p0 < 1.0) {
            cmp->test = FG_TEST_Z;
            cmp->p_value = fg_stats_score_test(g->num, g->den, p0);
        }
    } else if (side->reference_group == group) {
        /* The reference against itself: parity by construction, nothing to test. */
        double v = spec->disparity == FG_DISPARITY_RATIO ? 1.0 : 0.0;
        ci.low = ci.high = v;
    } else {
        if (spec->disparity == FG_DISPARITY_RATIO) {
            ci = fg_stats_katz(g->num, g->den, r->num, r->den, level, NULL);
        } else if (spec->disparity == FG_DISPARITY_SIGNED_DIFFERENCE) {
            struct fg_interval d = fg_stats_newcombe(g->num, g->den, r->num, r->den, level);
            ci = spec->reference_minus_group ? (struct fg_interval){-d.high, -d.low} : d;
        } else { /* the interval of |p1 - p2| from Newcombe's interval of p1 - p2 */
            struct fg_interval d = fg_stats_newcombe(g->num, g->den, r->num, r->den, level);
            if (d.low >= 0)
                ci = d;
            else if (d.high <= 0)
                ci = (struct fg_interval){-d.high, -d.low};
            else
                ci = (struct fg_interval){0.0, -d.low > d.high ? -d.low : d.high};
        }
        uint64_t a = g->num, b = g->den - g->num, c = r->num, d = r->den - r->num;
        cmp->test = choose_test(a, b, c, d);
        cmp->p_value = cmp->test == FG_TEST_FISHER
                           ? fg_stats_fisher_two_sided(a, b, c, d)
                           : fg_stats_z_two_sided(g->num, g->den, r->num, r->den, NULL);
    }
    cmp->p_adjusted = cmp->p_value;
    cmp->has_ci = true;
    cmp->ci_low = ci.low;
    cmp->ci_high = ci.high;
    cmp->ci_inside =
        (!spec->has_min || ci.low >= spec->min) && (!spec->has_max || ci.high <= spec->max);
}

/* ---- gate kinds ---- */

static struct fg_gate_result *push_result(struct fg_gate_outcome *o, size_t capacity, size_t g)
{
    if (o->n_results >= capacity)
        return NULL;
    struct fg_gate_result *res = &o->results[o->n_results++];
    memset(res, 0, sizeof *res);
    res->group = g;
    res->resample = o->resample;
    res->candidate.reference_group = SIZE_MAX;
    res->incumbent.reference_group = SIZE_MAX;
    return res;
}

/* An overall result once its candidate (and incumbent) side is set: the bounds, the
 * comparison and, for vs_incumbent, the change in the metric's better direction. */
static void judge_overall(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                          bool incumbent_ok, const char *inc_why, struct fg_gate_result *res)
{
    judge_bounds(spec, res);
    if (!res->resample)
        compare_side(spec, &res->candidate, 0, &res->comparisons[res->n_comparisons++]);
    if (!spec->has_max_worsening)
        return;
    if (!m->has_incumbent || !incumbent_ok) {
        if (res->status != FG_RESULT_PASS)
            return;
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        snprintf(res->why, sizeof res->why, "%s",
                 m->has_incumbent ? inc_why : "not compared: no incumbent predictions given");
        return;
    }
    /* "Worse" follows the metric's direction: a drop in accuracy, a rise in error rate. */
    int dir = fg_metric_direction(spec->metric);
    judge_worsening(spec, res, -dir * res->candidate.value, -dir * res->incumbent.value);
}

static void eval_overall(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                         struct fg_gate_outcome *o)
{
    struct fg_gate_result *res = push_result(o, 1, 0);
    res->candidate.component = spec->metric;
    res->candidate.group_rate = group_rate(m, 0, spec->metric, false);
    if (!enough(&res->candidate.group_rate, spec->min_group_size)) {
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        why_not_enough(res->why, sizeof res->why, "", &res->candidate.group_rate, spec->metric,
                       spec->min_group_size);
        return;
    }
    res->candidate.defined = true;
    res->candidate.value = res->candidate.group_rate.value;
    /* The incumbent's value is shown whenever there is one; judged for vs_incumbent. */
    bool incumbent_ok = false;
    char inc_why[sizeof res->why] = "";
    if (m->has_incumbent) {
        res->incumbent.component = spec->metric;
        res->incumbent.group_rate = group_rate(m, 0, spec->metric, true);
        incumbent_ok = enough(&res->incumbent.group_rate, spec->min_group_size);
        res->incumbent.defined = incumbent_ok;
        res->incumbent.value = res->incumbent.group_rate.value;
        if (!incumbent_ok)
            why_not_enough(inc_why, sizeof inc_why, "incumbent: ", &res->incumbent.group_rate,
                           spec->metric, spec->min_group_size);
    }
    judge_overall(spec, m, incumbent_ok, inc_why, res);
}

/* ---- inequality indices (lib/inequality.c) ----
 * An index gate bounds the index itself, as an overall gate does: the total index of the
 * whole population is one result; a between_group_ or within_group_ index is one result
 * per attribute set, from that set's groups. min_group_size is compared with the rows of
 * the whole population, or of the set's smallest group. */

struct index_groups {
    const struct fg_metrics *m;
    size_t first;
    bool incumbent;
};

static const struct fg_confusion *index_group_at(const void *data, size_t i)
{
    const struct index_groups *ig = data;
    return confusion_of(&ig->m->groups[ig->first + i], ig->incumbent);
}

/* One model's index over attribute set a's groups (SIZE_MAX: the whole population). False,
 * with why, when it has no value. */
static bool index_side(const struct fg_gate_spec *spec, const struct fg_metrics *m, size_t a,
                       bool incumbent, struct fg_side *side, char *why, size_t why_size)
{
    enum fg_alias_form form = spec->alias != NULL ? spec->alias->form : FG_ALIAS_INDEX;
    struct fg_index_options options = {spec->ge_alpha, form == FG_ALIAS_INDEX_AIF360 ||
                                                           form == FG_ALIAS_INDEX_TWO_GROUPS};
    const char *whose = incumbent ? "incumbent: " : "";
    struct fg_index v;
    uint64_t rows = fg_confusion_n(confusion_of(&m->groups[0], incumbent));
    *side = (struct fg_side){.component = spec->metric, .reference_group = SIZE_MAX};
    if (a == SIZE_MAX) {
        v = fg_inequality_total(spec->metric, confusion_of(&m->groups[0], incumbent), &options);
    } else {
        struct index_groups ig = {m, m->attrset_first[a], incumbent};
        size_t count = m->attrset_count[a];
        for (size_t i = 0; i < count; i++) {
            uint64_t n = fg_confusion_n(index_group_at(&ig, i));
            rows = i == 0 || n < rows ? n : rows;
        }
        v = fg_inequality_split(spec->metric, index_group_at, &ig, count, &options);
        if (form == FG_ALIAS_INDEX_TWO_GROUPS && count != 2) {
            side->group_rate.den = rows;
            snprintf(why, why_size,
                     "%sAIF360's %s compares the privileged group with the unprivileged one; "
                     "this attribute set has %zu groups (aif360.between_all_groups_* takes "
                     "them all)",
                     whose, spec->alias->name + strlen("aif360."), count);
            return false;
        }
    }
    side->group_rate = (struct fg_rate){.defined = v.defined, .value = v.value, .den = rows};
    if (!v.defined) {
        snprintf(why, why_size, "%s%s is undefined: %s", whose, fg_metric_name(spec->metric),
                 v.why);
        return false;
    }
    if (rows < spec->min_group_size) {
        why_not_enough(why, why_size, whose, &side->group_rate, spec->metric, spec->min_group_size);
        return false;
    }
    side->defined = true;
    side->value = v.value;
    return true;
}

static void eval_index(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                       struct fg_gate_outcome *o, size_t capacity)
{
    bool split = fg_metric_kind(spec->metric) == FG_METRIC_KIND_GROUP_INDEX;
    for (size_t a = 0; a < (split ? m->n_attrsets : 1); a++) {
        struct fg_gate_result *res = push_result(o, capacity, 0);
        if (res == NULL)
            return;
        res->over_attrset = split;
        res->attrset = split ? a : SIZE_MAX;
        if (!index_side(spec, m, res->attrset, false, &res->candidate, res->why, sizeof res->why)) {
            res->status = FG_RESULT_INSUFFICIENT_DATA;
            continue;
        }
        char inc_why[sizeof res->why] = "";
        bool incumbent_ok =
            m->has_incumbent &&
            index_side(spec, m, res->attrset, true, &res->incumbent, inc_why, sizeof inc_why);
        judge_overall(spec, m, incumbent_ok, inc_why, res);
    }
}

/* Fills res for group g given the references of both models. The incumbent's side is
 * computed whenever there is an incumbent (reports show it); it is judged only by
 * vs_incumbent gates. */
static void eval_group(const struct fg_gate_spec *spec, const struct fg_metrics *m, size_t g,
                       const size_t cand_refs[2], const size_t inc_refs[2],
                       struct fg_gate_result *res, struct fg_error *err)
{
    char inc_why[sizeof res->why] = "";
    enum side_state inc_state = SIDE_NONE;
    if (m->has_incumbent)
        inc_state = eval_side(spec, m, g, inc_refs, true, &res->incumbent, inc_why, sizeof inc_why,
                              NULL, err);
    if (inc_state != SIDE_COMPLETE)
        res->incumbent.defined = false;
    enum side_state state = eval_side(spec, m, g, cand_refs, false, &res->candidate, res->why,
                                      sizeof res->why, res, err);
    if (state == SIDE_NONE) {
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        return;
    }
    judge_bounds(spec, res);
    if (state == SIDE_PARTIAL) { /* judged on what could be; the rest is unknown */
        res->partial = true;
        if (res->status != FG_RESULT_FAIL)
            res->status = FG_RESULT_INSUFFICIENT_DATA;
        return;
    }
    if (!spec->has_max_worsening)
        return;
    /* The change against the incumbent is measured even when a bound already failed (the
     * evidence modes may judge the two separately); a missing incumbent only makes a
     * passing result insufficient. */
    if (!m->has_incumbent || inc_state != SIDE_COMPLETE) {
        if (res->status == FG_RESULT_PASS) {
            res->status = FG_RESULT_INSUFFICIENT_DATA;
            snprintf(res->why, sizeof res->why, "%s",
                     m->has_incumbent ? inc_why : "not compared: no incumbent predictions given");
        }
        return;
    }
    judge_worsening(spec, res, side_deviation(spec, m, g, cand_refs, false, &res->candidate, err),
                    side_deviation(spec, m, g, inc_refs, true, &res->incumbent, err));
}

/* between_groups: the worst sufficient group against the best, per component. */
static size_t worst_group(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                          size_t attrset, enum fg_metric metric, bool incumbent)
{
    size_t first = m->attrset_first[attrset], count = m->attrset_count[attrset];
    size_t worst = SIZE_MAX;
    double lowest = INFINITY;
    for (size_t i = first; i < first + count; i++) {
        struct fg_rate r = group_rate(m, i, metric, incumbent);
        if (enough(&r, spec->min_group_size) && (worst == SIZE_MAX || r.value < lowest)) {
            lowest = r.value;
            worst = i;
        }
    }
    return worst;
}

/* Each component's reference group, for the candidate and (with one) the incumbent. */
static enum fg_status pick_references(const struct fg_policy *policy,
                                      const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                      size_t attrset, const enum fg_metric *comps, size_t n_comps,
                                      size_t cand_refs[2], size_t inc_refs[2], struct fg_error *err)
{
    for (size_t c = 0; c < n_comps; c++) {
        enum fg_status st =
            pick_reference(policy, spec, m, attrset, comps[c], false, &cand_refs[c], err);
        if (st == FG_OK && m->has_incumbent)
            st = pick_reference(policy, spec, m, attrset, comps[c], true, &inc_refs[c], err);
        if (st != FG_OK)
            return st;
    }
    return FG_OK;
}

/* between_groups, one component: the change of the candidate's worst-over-best against
 * the incumbent's own worst-over-best. */
static void judge_between_worsening(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                    bool inc_ok, const char *inc_why, struct fg_gate_result *res)
{
    if (!m->has_incumbent) {
        if (res->status == FG_RESULT_PASS) {
            res->status = FG_RESULT_INSUFFICIENT_DATA;
            snprintf(res->why, sizeof res->why, "not compared: no incumbent predictions given");
        }
    } else if (!inc_ok) {
        if (res->status == FG_RESULT_PASS) {
            res->status = FG_RESULT_INSUFFICIENT_DATA;
            snprintf(res->why, sizeof res->why, "incumbent: %.200s", inc_why);
        }
    } else {
        judge_worsening(spec, res, deviation(spec->disparity, res->candidate.value),
                        deviation(spec->disparity, res->incumbent.value));
    }
}

/* between_groups, one component: its worst sufficient group against that component's
 * best, into res (whose resample flag it keeps). False when no group has enough data. */
static bool eval_between_component(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                   size_t attrset, enum fg_metric comp, size_t cand_ref,
                                   size_t inc_ref, struct fg_gate_result *res, struct fg_error *err)
{
    size_t worst = worst_group(spec, m, attrset, comp, false);
    if (worst == SIZE_MAX)
        return false;
    struct fg_gate_spec one = *spec;
    one.metric = comp;
    one.has_max_worsening = false; /* judged below, against the incumbent's own worst */
    size_t crefs[2] = {cand_ref, SIZE_MAX};
    *res = (struct fg_gate_result){.group = worst, .resample = res->resample};
    res->candidate.reference_group = res->incumbent.reference_group = SIZE_MAX;
    eval_group(&one, m, worst, crefs, crefs, res, err);
    /* The incumbent's own worst group over its best, not its value for this group. */
    size_t inc_worst = m->has_incumbent ? worst_group(spec, m, attrset, comp, true) : SIZE_MAX;
    char inc_why[sizeof res->why] = "no group has enough data to be compared";
    memset(&res->incumbent, 0, sizeof res->incumbent);
    res->incumbent.reference_group = SIZE_MAX;
    bool inc_ok =
        inc_worst != SIZE_MAX && eval_component(&one, m, inc_worst, inc_ref, comp, true,
                                                &res->incumbent, inc_why, sizeof inc_why, err);
    if (spec->has_max_worsening)
        judge_between_worsening(spec, m, inc_ok, inc_why, res);
    return true;
}

/* Worst over best is the largest of the k(k-1)/2 pairwise gaps, chosen after looking at
 * the data; testing it as if it were one pre-chosen pair would fail equal groups far more
 * often than alpha. Its p-value is Bonferroni-adjusted for that selection (the simulation
 * in tests/sim checks the false-fail rate). */
static void widen_for_selection(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                size_t attrset, struct fg_gate_result *res)
{
    size_t first = m->attrset_first[attrset], count = m->attrset_count[attrset];
    for (size_t k = 0; k < res->n_comparisons; k++) {
        struct fg_comparison *cmp = &res->comparisons[k];
        uint64_t sufficient = 0;
        for (size_t g = first; g < first + count; g++) {
            struct fg_rate r = group_rate(m, g, cmp->component, false);
            sufficient += enough(&r, spec->min_group_size);
        }
        double pairs = (double)sufficient * (double)(sufficient - (sufficient > 0)) / 2.0;
        if (cmp->test != FG_TEST_NONE && pairs > 1.0)
            cmp->multiplier = pairs; /* applied in adjust_gate; p_value stays the test's */
    }
}

/* One result: the group that is worst on the worse component, against that component's
 * best group. */
static void eval_between_groups(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                size_t attrset, const enum fg_metric *comps, size_t n_comps,
                                const size_t cand_refs[2], const size_t inc_refs[2],
                                struct fg_gate_outcome *o, size_t capacity, struct fg_error *err)
{
    struct fg_gate_result best_res = {0};
    double best_badness = -INFINITY;
    bool any = false;
    struct fg_comparison cmps[2];
    size_t n_cmps = 0;
    for (size_t c = 0; c < n_comps; c++) {
        struct fg_gate_result res = {.resample = o->resample}; /* kept by the copies below */
        if (!eval_between_component(spec, m, attrset, comps[c], cand_refs[c], inc_refs[c], &res,
                                    err))
            continue;
        for (size_t k = 0; k < res.n_comparisons && n_cmps < 2; k++)
            cmps[n_cmps++] = res.comparisons[k];
        double badness = res.candidate.defined ? side_badness(spec, res.candidate.value) : 0;
        if (!any || badness > best_badness) {
            best_badness = badness;
            best_res = res;
            any = true;
        }
    }
    if (!any)
        return;
    struct fg_gate_result *res = push_result(o, capacity, best_res.group);
    *res = best_res;
    memcpy(res->comparisons, cmps, n_cmps * sizeof cmps[0]);
    res->n_comparisons = n_cmps;
    widen_for_selection(spec, m, attrset, res);
}

/* between_groups: groups without enough data on some component are listed as such. */
static void push_insufficient_groups(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                     size_t attrset, const enum fg_metric *comps, size_t n_comps,
                                     struct fg_gate_outcome *o, size_t capacity)
{
    size_t first = m->attrset_first[attrset], count = m->attrset_count[attrset];
    for (size_t g = first; g < first + count; g++) {
        for (size_t c = 0; c < n_comps; c++) {
            struct fg_rate r = group_rate(m, g, comps[c], false);
            if (!enough(&r, spec->min_group_size)) {
                struct fg_gate_result *res = push_result(o, capacity, g);
                res->status = FG_RESULT_INSUFFICIENT_DATA;
                res->candidate.group_rate = r;
                res->candidate.component = comps[c];
                why_not_enough(res->why, sizeof res->why, "", &r, comps[c], spec->min_group_size);
                break;
            }
        }
    }
}

static bool attrset_has(const struct fg_policy *policy, size_t attrset, size_t attr)
{
    struct fg_attrset set;
    fg_policy_attrset(policy, attrset, &set);
    for (size_t k = 0; k < set.n; k++)
        if (set.attrs[k] == attr)
            return true;
    return false;
}

static enum fg_status eval_attrset(const struct fg_policy *policy, const struct fg_gate_spec *spec,
                                   const struct fg_metrics *m, size_t attrset,
                                   struct fg_gate_outcome *o, size_t capacity, struct fg_error *err)
{
    enum fg_metric comps[2];
    size_t n_comps = components(spec->metric, comps);
    size_t cand_refs[2] = {SIZE_MAX, SIZE_MAX}, inc_refs[2] = {SIZE_MAX, SIZE_MAX};
    if (fg_metric_takes_strata(spec->metric) && attrset_has(policy, attrset, spec->strata))
        return FG_OK; /* a facet within strata of its own attribute: nothing to compare */
    enum fg_status st =
        pick_references(policy, spec, m, attrset, comps, n_comps, cand_refs, inc_refs, err);
    if (st != FG_OK)
        return st;
    /* An error below is sticky in failed (see eval_component), reported here: a value that
     * memory ran out for is an error (exit 2), never a result without enough data. */
    struct fg_error failed = {0};
    if (spec->reference.kind != FG_REFERENCE_BETWEEN_GROUPS) {
        size_t first = m->attrset_first[attrset], count = m->attrset_count[attrset];
        for (size_t g = first; g < first + count && failed.code == FG_OK; g++)
            eval_group(spec, m, g, cand_refs, inc_refs, push_result(o, capacity, g), &failed);
    } else {
        eval_between_groups(spec, m, attrset, comps, n_comps, cand_refs, inc_refs, o, capacity,
                            &failed);
        push_insufficient_groups(spec, m, attrset, comps, n_comps, o, capacity);
    }
    if (failed.code != FG_OK)
        *err = failed;
    return failed.code;
}

static void aggregate(const struct fg_gate_spec *spec, struct fg_gate_outcome *o)
{
    size_t fails = 0, insufficient = 0, passes = 0;
    for (size_t i = 0; i < o->n_results; i++) {
        switch (o->results[i].status) {
        case FG_RESULT_FAIL:
            fails++;
            break;
        case FG_RESULT_INSUFFICIENT_DATA:
            insufficient++;
            break;
        default:
            passes++;
            break;
        }
    }
    /* A gate with nothing to judge (no groups at all) is as insufficient as a small group. */
    if (o->n_results == 0)
        insufficient = 1;
    if (fails > 0 || (insufficient > 0 && spec->on_small_group == FG_SMALL_GROUP_FAIL))
        o->status = FG_RESULT_FAIL;
    else if (insufficient > 0 && spec->on_small_group == FG_SMALL_GROUP_WARN)
        o->status = FG_RESULT_WARN;
    else if (passes == 0)
        o->status = FG_RESULT_INSUFFICIENT_DATA;
    else
        o->status = FG_RESULT_PASS;
}

/* Evaluates one gate at its point estimates: results, comparisons, worsening. */
static enum fg_status eval_gate(const struct fg_policy *policy, const struct fg_gate_spec *spec,
                                const struct fg_metrics *m, struct fg_gate_outcome *o,
                                size_t capacity, struct fg_error *err)
{
    o->n_results = 0;
    if (fg_metric_is_index(spec->metric)) {
        eval_index(spec, m, o, capacity);
        return FG_OK;
    }
    if (spec->overall) {
        eval_overall(spec, m, o);
        return FG_OK;
    }
    for (size_t a = 0; a < m->n_attrsets; a++) {
        enum fg_status st = eval_attrset(policy, spec, m, a, o, capacity, err);
        if (st != FG_OK)
            return st;
    }
    return FG_OK;
}

/* ---- the paired bootstrap of vs_incumbent (DESIGN section 1) ----
 *
 * Candidate and incumbent scored the same rows, so their changes are correlated; the
 * bootstrap keeps the pairing by resampling rows, and since a row is fully described by
 * its cell (group values, y_true, candidate, incumbent), resampling N rows with
 * replacement is one multinomial draw of N over the cells with the observed proportions
 * (Efron and Tibshirani 1993, ch. 6; exact, not an approximation). Each resample's groups
 * are summed from the drawn cells and the gate is evaluated again at its point estimate;
 * the percentile interval of the worsening over the B resamples is reported. The cost is
 * O(B x cells x attribute sets), independent of the number of rows. */

/* The group of attribute set a that holds a cell, by binary search over the set's groups
 * (sorted bytewise, attribute by attribute, as metrics.c sorts them). */
static size_t group_of_cell(const struct fg_policy *policy, const struct fg_metrics *m,
                            const struct fg_counts *counts, size_t a, const uint32_t *value_ids)
{
    struct fg_attrset set;
    fg_policy_attrset(policy, a, &set);
    size_t lo = m->attrset_first[a], hi = lo + m->attrset_count[a];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = 0;
        for (size_t k = 0; k < set.n && cmp == 0; k++)
            cmp = strcmp(m->groups[mid].values[k],
                         fg_counts_value(counts, set.attrs[k], value_ids[set.attrs[k]]));
        if (cmp == 0)
            return mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

/* The result of o that a resampled result stands for: the same group, or for
 * between_groups (whose worst group may change) the same attribute set. */
static size_t matching_result(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                              const struct fg_gate_outcome *o, const struct fg_gate_result *res)
{
    for (size_t i = 0; i < o->n_results; i++) {
        const struct fg_gate_result *orig = &o->results[i];
        if (!orig->has_worsening)
            continue;
        if (spec->reference.kind == FG_REFERENCE_BETWEEN_GROUPS && !spec->overall
                ? m->groups[orig->group].attrset == m->groups[res->group].attrset
                : orig->group == res->group)
            return i;
    }
    return SIZE_MAX;
}

struct bootstrap {
    size_t n_cells, n_sets;
    uint64_t *weights, *drawn;
    unsigned char *bits; /* y_true | candidate << 1 | incumbent << 2 */
    size_t *cell_groups; /* n_cells x n_sets */
    struct fg_metrics rm;
    struct fg_group *groups;
    struct fg_gate_outcome scratch;
    double *samples; /* n_results x B */
    uint64_t *used;
};

static void bootstrap_free(struct bootstrap *bs)
{
    free(bs->weights);
    free(bs->drawn);
    free(bs->bits);
    free(bs->cell_groups);
    free(bs->groups);
    free(bs->scratch.results);
    free(bs->samples);
    free(bs->used);
}

static void add_cell(struct fg_confusion *c, unsigned y, unsigned decision, uint64_t n)
{
    if (y && decision)
        c->tp += n;
    else if (decision)
        c->fp += n;
    else if (y)
        c->fn += n;
    else
        c->tn += n;
}

static enum fg_status bootstrap_prepare(const struct fg_policy *policy, const struct fg_metrics *m,
                                        struct bootstrap *bs, size_t n_results, uint64_t resamples,
                                        size_t capacity)
{
    const struct fg_counts *counts = m->counts;
    bs->n_cells = fg_counts_cell_count(counts);
    bs->n_sets = m->n_attrsets;
    size_t n = bs->n_cells ? bs->n_cells : 1;
    bs->weights = calloc(n, sizeof *bs->weights);
    bs->drawn = calloc(n, sizeof *bs->drawn);
    bs->bits = calloc(n, 1);
    bs->cell_groups = calloc(n * (bs->n_sets ? bs->n_sets : 1), sizeof *bs->cell_groups);
    bs->groups = calloc(m->n_groups ? m->n_groups : 1, sizeof *bs->groups);
    bs->scratch.results = calloc(capacity, sizeof *bs->scratch.results);
    bs->scratch.resample = true;
    bs->samples = calloc(n_results * (size_t)resamples + 1, sizeof *bs->samples);
    bs->used = calloc(n_results + 1, sizeof *bs->used);
    if (!bs->weights || !bs->drawn || !bs->bits || !bs->cell_groups || !bs->groups ||
        !bs->scratch.results || !bs->samples || !bs->used)
        return FG_ERR_NOMEM;
    /* Cells in canonical order, not insertion order: the same rows in any order, or their
     * counts file (check --counts), draw the same resamples. */
    size_t *order = NULL;
    if (fg_counts_canonical_order(counts, &order, NULL) != FG_OK)
        return FG_ERR_NOMEM;
    for (size_t k = 0; k < bs->n_cells; k++) {
        struct fg_cell cell;
        fg_counts_cell(counts, order[k], &cell);
        bs->weights[k] = cell.count;
        bs->bits[k] = (unsigned char)(cell.y_true | cell.candidate << 1 | cell.incumbent << 2);
        for (size_t a = 0; a < bs->n_sets; a++)
            bs->cell_groups[k * bs->n_sets + a] =
                group_of_cell(policy, m, counts, a, cell.value_ids);
    }
    free(order);
    memcpy(bs->groups, m->groups, m->n_groups * sizeof *bs->groups);
    bs->rm = *m;
    bs->rm.groups = bs->groups;
    bs->rm.counts = NULL;
    return FG_OK;
}

/* One resample: draw the cells, sum the groups. */
static void bootstrap_draw(struct bootstrap *bs, struct fg_rng *rng, uint64_t total)
{
    fg_rng_multinomial(rng, total, bs->weights, bs->n_cells, bs->drawn);
    for (size_t i = 0; i < bs->rm.n_groups; i++) {
        memset(&bs->groups[i].candidate, 0, sizeof bs->groups[i].candidate);
        memset(&bs->groups[i].incumbent, 0, sizeof bs->groups[i].incumbent);
    }
    for (size_t k = 0; k < bs->n_cells; k++) {
        uint64_t n = bs->drawn[k];
        if (n == 0)
            continue;
        unsigned y = bs->bits[k] & 1u, c = (bs->bits[k] >> 1) & 1u, inc = (bs->bits[k] >> 2) & 1u;
        add_cell(&bs->groups[0].candidate, y, c, n);
        add_cell(&bs->groups[0].incumbent, y, inc, n);
        for (size_t a = 0; a < bs->n_sets; a++) {
            size_t g = bs->cell_groups[k * bs->n_sets + a];
            if (g == SIZE_MAX)
                continue;
            add_cell(&bs->groups[g].candidate, y, c, n);
            add_cell(&bs->groups[g].incumbent, y, inc, n);
        }
    }
}

/* The bootstrap runs for a gate with max_worsening over rows (not scores) whose results
 * have a worsening. */
static bool wants_bootstrap(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                            const struct fg_gate_outcome *o)
{
    /* the strata metrics read the cells themselves, which a resample does not redraw */
    if (!spec->has_max_worsening || !m->has_incumbent || m->counts == NULL ||
        fg_metric_is_score(spec->metric) || fg_metric_is_index(spec->metric) ||
        fg_metric_takes_strata(spec->metric))
        return false;
    for (size_t i = 0; i < o->n_results; i++)
        if (o->results[i].has_worsening)
            return true;
    return false;
}

/* Draws B resamples, evaluates the gate at the point on each and keeps each result's
 * worsening in bs->samples. */
static enum fg_status bootstrap_resample(const struct fg_policy *policy,
                                         const struct fg_gate_spec *spec,
                                         const struct fg_metrics *m,
                                         const struct fg_gate_outcome *o, struct bootstrap *bs,
                                         uint64_t B, size_t capacity, struct fg_error *err)
{
    struct fg_gate_spec one = *spec;
    one.evidence = FG_EVIDENCE_POINT;
    /* Only each result's worsening is read from a resample, never its status: with no limit
     * to pass, no result formats the message of a change past it (one snprintf of four
     * numbers, for about one result in four). */
    one.max_worsening = INFINITY;
    struct fg_rng rng;
    fg_rng_seed(&rng, spec->seed);
    const uint64_t total = fg_counts_total(m->counts);
    for (uint64_t b = 0; b < B; b++) {
        bootstrap_draw(bs, &rng, total);
        enum fg_status st = eval_gate(policy, &one, &bs->rm, &bs->scratch, capacity, err);
        if (st != FG_OK)
            return st;
        for (size_t r = 0; r < bs->scratch.n_results; r++) {
            const struct fg_gate_result *res = &bs->scratch.results[r];
            if (!res->has_worsening)
                continue;
            size_t i = matching_result(spec, m, o, res);
            if (i != SIZE_MAX)
                bs->samples[i * B + bs->used[i]++] = res->worsening;
        }
    }
    return FG_OK;
}

/* The bootstrap standard error of used samples. */
static double sample_se(const double *x, uint64_t used)
{
    double mean = 0, var = 0;
    for (uint64_t k = 0; k < used; k++)
        mean += x[k];
    mean /= (double)used;
    for (uint64_t k = 0; k < used; k++)
        var += (x[k] - mean) * (x[k] - mean);
    return sqrt(var / (double)(used > 1 ? used - 1 : 1));
}

/* The test of "worsening <= max_worsening": z = (worsening - max) / se with the
 * bootstrap standard error (Efron and Tibshirani 1993, 16.4), one-sided, doubled to match
 * the two-sided interval. Unlike counting resamples it has no floor of 2 / (B + 1), which
 * a correction over many groups would push past alpha. */
static double worsening_p(const struct fg_gate_spec *spec, const struct fg_gate_result *res,
                          double se)
{
    double excess = res->worsening - spec->max_worsening - FG_BOUND_EPSILON;
    double p = excess <= 0 ? 1.0 : se > 0 ? 2.0 * fg_stats_normal_sf(excess / se) : 0.0;
    /* A rate of 0 (or 1) in the reference has no spread in any resample, so the
     * bootstrap cannot see its uncertainty (every resample agrees, or nearly): then
     * the change is no more certain than the candidate's own disparity test. */
    const struct fg_rate *ref = &res->candidate.reference_rate;
    if (!spec->overall && (ref->num == 0 || ref->num == ref->den))
        for (size_t k = 0; k < res->n_comparisons; k++)
            if (res->comparisons[k].test != FG_TEST_NONE && res->comparisons[k].p_value > p)
                p = res->comparisons[k].p_value;
    return p < 1.0 ? p : 1.0;
}

/* The percentile interval (Efron and Tibshirani 1993, 13.3) at level 1 - alpha, from the
 * used resamples where the worsening was defined, and the test of the change. */
static void bootstrap_conclude(const struct fg_gate_spec *spec, struct fg_gate_result *res,
                               double *x, uint64_t used)
{
    const double se = sample_se(x, used); /* before the quantiles reorder x */
    res->has_worsening_ci = true;
    res->resamples_used = used;
    res->worsening_low = fg_stats_quantile(x, (size_t)used, spec->alpha / 2);
    res->worsening_high = fg_stats_quantile(x, (size_t)used, 1 - spec->alpha / 2);
    /* The reference against itself on every component: nothing is compared. */
    bool self = !spec->overall && res->n_comparisons > 0;
    for (size_t k = 0; self && k < res->n_comparisons; k++)
        self = res->comparisons[k].side.reference_group == res->group;
    if (self)
        return;
    res->has_worsening_p = true;
    res->worsening_p = res->worsening_p_adjusted = worsening_p(spec, res, se);
}

static enum fg_status bootstrap_gate(const struct fg_policy *policy,
                                     const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                     struct fg_gate_outcome *o, size_t capacity,
                                     struct fg_error *err)
{
    if (!wants_bootstrap(spec, m, o))
        return FG_OK;
    const uint64_t B = spec->resamples ? spec->resamples : FG_DEFAULT_RESAMPLES;
    struct bootstrap bs = {0};
    if (bootstrap_prepare(policy, m, &bs, o->n_results, B, capacity) != FG_OK) {
        bootstrap_free(&bs);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    enum fg_status st = bootstrap_resample(policy, spec, m, o, &bs, B, capacity, err);
    if (st != FG_OK) {
        bootstrap_free(&bs);
        return st;
    }
    /* A group may be empty in a few resamples; under half defined gives no interval. */
    for (size_t i = 0; i < o->n_results; i++) {
        struct fg_gate_result *res = &o->results[i];
        if (res->has_worsening && bs.used[i] >= B / 2)
            bootstrap_conclude(spec, res, &bs.samples[i * B], bs.used[i]);
    }
    bootstrap_free(&bs);
    return FG_OK;
}

/* ---- evidence: adjusting p-values and judging each result as the gate asks ---- */

/* Adjusts a family of m comparisons of which the n in p were tested (the others enter as
 * p = 1, never materialised: lib/stats.c); adjusted receives the adjusted values of the n. */
static bool adjust(enum fg_correction correction, const double *p, double *out, size_t n, size_t m)
{
    switch (correction) {
    case FG_CORRECTION_HOLM:
        return fg_stats_holm_family(p, out, n, m);
    case FG_CORRECTION_BH:
        return fg_stats_bh_family(p, out, n, m);
    case FG_CORRECTION_NONE:
        break;
    }
    memmove(out, p, n * sizeof *p);
    return true;
}

/* With reference: highest the reference is chosen by looking at the rates, so "each
 * group against the highest" is a data-chosen subset of all pairwise comparisons; the
 * family counts all k(k-1)/2 pairs of each attribute set (the pairs not tested enter as
 * p = 1), which keeps the false-fail rate at alpha (tests/sim, scenario a). k is counted
 * per component (TPR and FPR of equalized odds each): the groups where that component is
 * defined and its denominator reaches min_group_size, the groups that can be compared on
 * it. The padding is a count; nothing of it is materialised. */
static size_t pairwise_padding(const struct fg_gate_spec *spec, const struct fg_metrics *m)
{
    size_t padding = 0;
    enum fg_metric comps[2];
    size_t n_comps = components(spec->metric, comps);
    for (size_t a = 0; a < m->n_attrsets; a++) {
        size_t first = m->attrset_first[a], count = m->attrset_count[a];
        for (size_t c = 0; c < n_comps; c++) {
            size_t k = 0;
            for (size_t g = first; g < first + count; g++) {
                struct fg_rate r = group_rate(m, g, comps[c], false);
                k += enough(&r, spec->min_group_size);
            }
            if (k > 2)
                padding += k * (k - 1) / 2 - (k - 1);
        }
    }
    return padding;
}

/* The p-values of the bound tests (each times its selection multiplier, at most 1),
 * then those of the worsening tests, into p; returns how many are bound tests. */
static size_t collect_p_values(const struct fg_gate_outcome *o, bool bounds, double *p)
{
    size_t j = 0;
    for (size_t i = 0; i < o->n_results; i++)
        for (size_t k = 0; bounds && k < o->results[i].n_comparisons; k++) {
            const struct fg_comparison *c = &o->results[i].comparisons[k];
            if (c->test != FG_TEST_NONE) {
                double x = c->p_value * c->multiplier;
                p[j++] = x < 1.0 ? x : 1.0;
            }
        }
    size_t n_bound = j;
    for (size_t i = 0; i < o->n_results; i++)
        if (o->results[i].has_worsening_p)
            p[j++] = o->results[i].worsening_p;
    return n_bound;
}

/* The result shows the comparison of the component it reports (judge_evidence switches
 * to the deciding one when another decides). */
static void show_component_test(struct fg_gate_result *res, bool bounds)
{
    const struct fg_comparison *shown = res->n_comparisons ? &res->comparisons[0] : NULL;
    for (size_t k = res->n_comparisons; k-- > 0;)
        if (res->comparisons[k].component == res->candidate.component)
            shown = &res->comparisons[k];
    if (shown != NULL && shown->has_ci) {
        res->has_ci = true;
        res->ci_low = shown->ci_low;
        res->ci_high = shown->ci_high;
    }
    if (shown != NULL && bounds) {
        res->test = shown->test;
        res->p_value = shown->p_value;
        res->p_adjusted = shown->p_adjusted;
    } else if (!bounds && res->has_worsening_p) {
        /* A gate judged only against the incumbent: its test is the bootstrap's. */
        res->test = FG_TEST_BOOTSTRAP;
        res->p_value = res->worsening_p;
        res->p_adjusted = res->worsening_p_adjusted;
    }
}

/* Two families per gate, each adjusted by the gate's correction: the tests of the min/max
 * bounds (every component of every group of every attribute set, intersections included;
 * both components of equalized odds) and the bootstrap tests of the change against the
 * incumbent (a gate with no min/max bound has only that family). */
static enum fg_status adjust_gate(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                  struct fg_gate_outcome *o, struct fg_error *err)
{
    bool bounds = spec->has_min || spec->has_max;
    size_t padding = 0;
    if (bounds && !spec->overall && spec->reference.kind == FG_REFERENCE_HIGHEST)
        padding = pairwise_padding(spec, m);
    size_t n_tests = 0;
    for (size_t i = 0; i < o->n_results; i++) {
        const struct fg_gate_result *res = &o->results[i];
        n_tests += res->has_worsening_p;
        for (size_t k = 0; bounds && k < res->n_comparisons; k++)
            n_tests += res->comparisons[k].test != FG_TEST_NONE;
    }
    size_t cap = n_tests + 1;
    double *p = malloc(cap * 2 * sizeof *p);
    if (p == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    double *adj = p + cap;
    size_t n_bound = collect_p_values(o, bounds, p), n_worse = n_tests - n_bound;
    if (!adjust(spec->correction, p, adj, n_bound, n_bound + padding) ||
        !adjust(spec->correction, p + n_bound, adj + n_bound, n_worse, n_worse)) {
        free(p);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    size_t jb = 0, jw = n_bound;
    for (size_t i = 0; i < o->n_results; i++) {
        struct fg_gate_result *res = &o->results[i];
        for (size_t k = 0; bounds && k < res->n_comparisons; k++)
            if (res->comparisons[k].test != FG_TEST_NONE)
                res->comparisons[k].p_adjusted = adj[jb++];
        if (res->has_worsening_p)
            res->worsening_p_adjusted = adj[jw++];
        show_component_test(res, bounds);
    }
    free(p);
    return FG_OK;
}

static void format_interval(char *buf, size_t size, double low, double high)
{
    if (isinf(high))
        fg_snprintf_c(buf, size, "[%.4f, inf)", low);
    else
        fg_snprintf_c(buf, size, "[%.4f, %.4f]", low, high);
}

/* What the evidence mode found for one result; the text and the status are written
 * from it. */
struct evidence {
    bool significant; /* evidence significant (else confident) */
    double alpha;
    const struct fg_comparison *decisive;  /* the comparison that fails a bound, or NULL */
    const struct fg_comparison *breaching; /* the first comparison past its bound, or NULL */
    double value;                          /* the value the text speaks of */
    char shown[48];                        /* that value as the text shows it */
    bool worse;                            /* worse than max_worsening at the point */
    bool worse_fail;                       /* the change fails under the evidence mode */
};

/* The deciding comparison: a failing breach first, then (confident) an interval that
 * leaves the bounds. */
static const struct fg_comparison *deciding_comparison(const struct fg_gate_result *res,
                                                       bool significant, double alpha)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < res->n_comparisons; k++) {
            const struct fg_comparison *c = &res->comparisons[k];
            bool fails = pass == 0 ? c->breach && (!significant || c->test == FG_TEST_NONE ||
                                                   c->p_adjusted < alpha)
                                   : !significant && c->has_ci && !c->ci_inside;
            if (fails)
                return c;
        }
    return NULL;
}

static const struct fg_comparison *first_breach(const struct fg_gate_result *res)
{
    for (size_t k = 0; k < res->n_comparisons; k++)
        if (res->comparisons[k].breach)
            return &res->comparisons[k];
    return NULL;
}

/* The comparison the text speaks of becomes the one the audit shows. */
static void show_comparison(const struct fg_gate_spec *spec, struct fg_gate_result *res,
                            const struct fg_comparison *told)
{
    res->candidate = told->side; /* value, rates, reference and component agree */
    res->group = told->group;
    res->has_ci = told->has_ci;
    res->ci_low = told->ci_low;
    res->ci_high = told->ci_high;
    if (spec->has_min || spec->has_max) {
        res->test = told->test;
        res->p_value = told->p_value;
        res->p_adjusted = told->p_adjusted;
    }
}

/* Whether the change against the incumbent is past max_worsening at the point (worse)
 * and whether the evidence mode fails it (worse_fail). */
static void judge_worsening_evidence(const struct fg_gate_spec *spec,
                                     const struct fg_gate_result *res, struct evidence *ev)
{
    const double max_w = spec->max_worsening + FG_BOUND_EPSILON;
    ev->worse = res->has_worsening && res->worsening > max_w;
    bool worse_significant = res->has_worsening_ci && res->worsening_low > max_w &&
                             (!res->has_worsening_p || res->worsening_p_adjusted < ev->alpha);
    if (ev->significant) /* without an interval (too few resamples defined) as at the point */
        ev->worse_fail = ev->worse && (!res->has_worsening_ci || worse_significant);
    else
        ev->worse_fail = res->has_worsening &&
                         (ev->worse || (res->has_worsening_ci && res->worsening_high > max_w));
}

/* The text of a bound the evidence fails. */
static void explain_bound_fail(char *text, size_t size, const struct fg_gate_spec *spec,
                               const struct evidence *ev, const char *bound_word, double bound)
{
    const struct fg_comparison *decisive = ev->decisive;
    char ci[64];
    if (ev->significant && decisive->test == FG_TEST_NONE) {
        fg_snprintf_c(text, size, "%s is %s %g (judged at its value: no test applies)", ev->shown,
                      bound_word, bound);
    } else if (ev->significant) {
        /* The test is of the group against its reference (an overall rate: against the
         * bound), so that is what the text claims. */
        fg_snprintf_c(text, size,
                      "%s is %s %g, and %s significantly (%s test, p_adjusted %.4g < %g)",
                      ev->shown, bound_word, bound,
                      spec->overall ? "beyond it" : "differs from its reference",
                      fg_test_name(decisive->test), decisive->p_adjusted, ev->alpha);
    } else {
        const double percent = 100.0 * (1.0 - ev->alpha);
        format_interval(ci, sizeof ci, decisive->ci_low, decisive->ci_high);
        if (decisive->breach)
            fg_snprintf_c(text, size, "%s is %s %g (%g%% interval %s)", ev->shown, bound_word,
                          bound, percent, ci);
        else if (decisive->has_ci)
            fg_snprintf_c(text, size,
                          "%s meets the bound, but its %g%% interval %s does not lie within it "
                          "(evidence: confident)",
                          ev->shown, percent, ci);
    }
}

/* The text of a change against the incumbent that the evidence fails. */
static void explain_worse_fail(char *text, size_t size, const struct fg_gate_spec *spec,
                               const struct fg_gate_result *res, const struct evidence *ev)
{
    char wci[64] = "";
    if (res->has_worsening_ci)
        format_interval(wci, sizeof wci, res->worsening_low, res->worsening_high);
    fg_snprintf_c(text, size,
                  ev->worse
                      ? "worse than the incumbent by %.4f, more than max_worsening %g%s%s%s"
                      : "worse than the incumbent by %.4f, within max_worsening %g, but the "
                        "paired bootstrap interval%s%s%s reaches past it (evidence: confident)",
                  res->worsening, spec->max_worsening, res->has_worsening_ci ? " (bootstrap " : "",
                  wci, res->has_worsening_ci ? ")" : "");
}

/* The text of a change past max_worsening that is not significant. */
static void explain_worse_not_significant(char *text, size_t size, const struct fg_gate_spec *spec,
                                          const struct fg_gate_result *res, double alpha)
{
    char ci[64];
    format_interval(ci, sizeof ci, res->worsening_low, res->worsening_high);
    if (res->worsening_low > spec->max_worsening + FG_BOUND_EPSILON)
        fg_snprintf_c(text, size,
                      "worse than the incumbent by %.4f, more than max_worsening %g, but not "
                      "significantly after correction (bootstrap interval %s, p_adjusted %.4g >= "
                      "%g)",
                      res->worsening, spec->max_worsening, ci, res->worsening_p_adjusted, alpha);
    else
        fg_snprintf_c(text, size,
                      "worse than the incumbent by %.4f, more than max_worsening %g, but not "
                      "significantly: the paired bootstrap interval %s includes it",
                      res->worsening, spec->max_worsening, ci);
}

/* Why the result has the status the evidence gives it; empty when nothing is to say. */
static void explain_evidence(char *text, size_t size, const struct fg_gate_spec *spec,
                             const struct fg_gate_result *res, const struct evidence *ev)
{
    bool below = spec->has_min && (!spec->has_max || ev->value < spec->max);
    const char *bound_word = below ? "below the minimum" : "above the maximum";
    double bound = below ? spec->min : spec->max;
    if (ev->decisive != NULL) {
        explain_bound_fail(text, size, spec, ev, bound_word, bound);
    } else if (ev->worse_fail) {
        explain_worse_fail(text, size, spec, res, ev);
    } else if (ev->breaching != NULL && ev->significant) { /* a breach the data do not support */
        fg_snprintf_c(text, size, "%s is %s %g, but %s (%s test, p_adjusted %.4g >= %g)", ev->shown,
                      bound_word, bound,
                      spec->overall ? "not significantly beyond it"
                                    : "does not differ significantly from its reference",
                      fg_test_name(ev->breaching->test), ev->breaching->p_adjusted, ev->alpha);
    } else if (ev->worse && ev->significant) {
        explain_worse_not_significant(text, size, spec, res, ev->alpha);
    }
}

/* Sets the status the evidence gives and its text as the result's why. */
static void settle_evidence(const struct fg_gate_spec *spec, struct fg_gate_result *res, bool fail,
                            bool was_insufficient, const char *text)
{
    if (fail) {
        res->status = FG_RESULT_FAIL;
    } else if (res->partial || (spec->has_max_worsening && !res->has_worsening)) {
        /* Judged on what could be, and not failed: still not a pass. The reason it could
         * not be judged whole stays, after what was found. */
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        if (was_insufficient && text[0] == '\0')
            return;
        char reason[sizeof res->why];
        snprintf(reason, sizeof reason, "%s",
                 was_insufficient ? res->why
                 : res->partial   ? "one component lacks data"
                                  : "not compared with the incumbent (none given, or too little "
                                    "data)");
        snprintf(res->why, sizeof res->why, "%.150s%s%.100s", text, text[0] ? "; " : "", reason);
        return;
    } else {
        res->status = FG_RESULT_PASS;
    }
    if (text[0] != '\0')
        snprintf(res->why, sizeof res->why, "%s", text);
    else
        res->why[0] = '\0';
}

/* Re-judges a result evaluated at its point estimate under evidence significant or
 * confident. Results that could not be evaluated keep their status. */
static void judge_evidence(const struct fg_gate_spec *spec, struct fg_gate_result *res)
{
    /* A result with a value is re-judged even when it was insufficient for a missing
     * incumbent or a missing component: confident may still fail it on its interval. */
    if (spec->evidence == FG_EVIDENCE_POINT || !res->candidate.defined ||
        (res->status != FG_RESULT_PASS && res->status != FG_RESULT_FAIL &&
         res->status != FG_RESULT_INSUFFICIENT_DATA))
        return;
    const bool was_insufficient = res->status == FG_RESULT_INSUFFICIENT_DATA;
    struct evidence ev = {.significant = spec->evidence == FG_EVIDENCE_SIGNIFICANT,
                          .alpha = spec->alpha};
    ev.decisive = deciding_comparison(res, ev.significant, ev.alpha);
    ev.breaching = first_breach(res);
    const struct fg_comparison *told = ev.decisive ? ev.decisive : ev.breaching;
    ev.value = res->candidate.value;
    if (told != NULL) {
        ev.value = told->value;
        show_comparison(spec, res, told);
    }
    fg_format_number(ev.shown, sizeof ev.shown, true, ev.value);
    if (spec->metric == FG_METRIC_EQUALIZED_ODDS && told != NULL) {
        char num[sizeof ev.shown];
        snprintf(num, sizeof num, "%s", ev.shown);
        snprintf(ev.shown, sizeof ev.shown, "%s %.32s", fg_metric_name(told->component), num);
    }
    judge_worsening_evidence(spec, res, &ev);
    char text[sizeof res->why] = "";
    explain_evidence(text, sizeof text, spec, res, &ev);
    settle_evidence(spec, res, ev.decisive != NULL || ev.worse_fail, was_insufficient, text);
}

/* ---- the deciding limit and the worst result (DESIGN section 5: the audit's `limit`,
 * `deviation` and `worst_result`; every renderer shows these and ranks nothing) ---- */

const char *fg_limit_name(enum fg_limit limit)
{
    switch (limit) {
    case FG_LIMIT_MIN:
        return "min";
    case FG_LIMIT_MAX:
        return "max";
    case FG_LIMIT_MAX_WORSENING:
        return "max_worsening";
    case FG_LIMIT_NONE:
        break;
    }
    return NULL;
}

/* Where max_worsening puts the candidate's own value: the incumbent's distance from parity
 * (or its overall value) moved by max_worsening, back in the value's units. */
static bool worsening_limit_at(const struct fg_gate_spec *spec, const struct fg_gate_result *res,
                               double *at)
{
    if (!res->incumbent.defined)
        return false;
    if (spec->overall) {
        int dir = fg_metric_direction(spec->metric);
        *at = res->incumbent.value - dir * spec->max_worsening;
        return dir != 0 && *at >= 0.0;
    }
    double allowed = deviation(spec->disparity, res->incumbent.value) + spec->max_worsening;
    if (spec->disparity == FG_DISPARITY_DIFFERENCE)
        *at = allowed;
    else if (spec->disparity == FG_DISPARITY_SIGNED_DIFFERENCE ||
             spec->disparity == FG_DISPARITY_VALUE)
        *at = res->candidate.value < 0.0 ? -allowed : allowed;
    else if (allowed >= 1.0)
        return false;
    else if (res->candidate.value <= 1.0)
        *at = 1.0 - allowed; /* a floor below parity */
    else
        *at = 1.0 / (1.0 - allowed); /* a ceiling above it */
    return true;
}

static void set_limit(struct fg_gate_result *res, enum fg_limit limit, double value, double dev,
                      double at)
{
    if (res->limit != FG_LIMIT_NONE && dev <= res->deviation)
        return; /* ties keep the earlier: min, then max, then max_worsening */
    res->limit = limit;
    res->limit_value = value;
    res->deviation = dev;
    res->has_limit_at = true;
    res->limit_at = at;
}

/* The limit of min, max and max_worsening that the candidate is furthest past (or closest
 * to), at the point estimate; for equalized odds on the component the audit shows. */
static void decide_limit(const struct fg_gate_spec *spec, struct fg_gate_result *res)
{
    res->limit = FG_LIMIT_NONE;
    res->has_worsening_at = false;
    const struct fg_side *c = &res->candidate;
    if (c->defined && !spec->overall)
        res->candidate.parity_gap = deviation(spec->disparity, c->value);
    if (res->incumbent.defined && !spec->overall)
        res->incumbent.parity_gap = deviation(spec->disparity, res->incumbent.value);
    if (!c->defined)
        return;
    if (spec->has_min)
        set_limit(res, FG_LIMIT_MIN, spec->min, spec->min - c->value, spec->min);
    if (spec->has_max)
        set_limit(res, FG_LIMIT_MAX, spec->max, c->value - spec->max, spec->max);
    if (spec->has_max_worsening && res->has_worsening) {
        res->has_worsening_at = worsening_limit_at(spec, res, &res->worsening_at);
        set_limit(res, FG_LIMIT_MAX_WORSENING, spec->max_worsening,
                  res->worsening - spec->max_worsening, res->worsening_at);
        if (res->limit == FG_LIMIT_MAX_WORSENING)
            res->has_limit_at = res->has_worsening_at;
    }
}

/* A result that stops the gate passing: a fail, or too little data under
 * on_small_group: fail. */
static bool result_blocks(const struct fg_gate_spec *spec, const struct fg_gate_result *res)
{
    return res->status == FG_RESULT_FAIL || (res->status == FG_RESULT_INSUFFICIENT_DATA &&
                                             spec->on_small_group == FG_SMALL_GROUP_FAIL);
}

/* The gate's worst result, decided once (before overrides, so an overridden gate still
 * shows the result that was overridden). Blocking results rank first; then results held
 * to a limit, by the largest deviation past it; a result held to max_worsening that did
 * not get worse than the incumbent (worsening <= 0) is no candidate unless it blocks.
 * Ties keep the earlier result (group order). No candidate: SIZE_MAX. */
static size_t pick_worst(const struct fg_gate_spec *spec, const struct fg_gate_outcome *o)
{
    size_t worst = SIZE_MAX;
    int worst_rank = -1;
    for (size_t i = 0; i < o->n_results; i++) {
        const struct fg_gate_result *res = &o->results[i];
        bool blocks = result_blocks(spec, res), held = res->limit != FG_LIMIT_NONE;
        bool improved = res->limit == FG_LIMIT_MAX_WORSENING && res->worsening <= 0.0;
        if (!blocks && (!held || improved))
            continue;
        int rank = (blocks ? 2 : 0) + (held ? 1 : 0);
        if (rank > worst_rank ||
            (rank == worst_rank && held && res->deviation > o->results[worst].deviation)) {
            worst = i;
            worst_rank = rank;
        }
    }
    return worst;
}

/* ---- public ---- */

enum fg_status fg_gate_evaluate(const struct fg_policy *policy, const struct fg_metrics *m,
                                struct fg_evaluation **out, struct fg_error *err)
{
    *out = NULL;
    struct fg_evaluation *ev = calloc(1, sizeof *ev);
    if (ev == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    ev->outcomes = calloc(policy->n_gates + 1, sizeof *ev->outcomes);
    if (ev->outcomes == NULL) {
        free(ev);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    ev->n_outcomes = policy->n_gates;
    ev->verdict = FG_VERDICT_PASS;
    /* Results per gate: one per group, plus for between_groups one per attribute set. */
    size_t capacity = m->n_groups + m->n_attrsets + 1;
    for (size_t i = 0; i < policy->n_gates; i++) {
        const struct fg_gate_spec *spec = &policy->gates[i];
        struct fg_gate_outcome *o = &ev->outcomes[i];
        o->spec = spec;
        /* Time and memory are linear in the groups; the cap keeps one run bounded. */
        size_t evaluated = 0;
        for (size_t a = 0; !spec->overall && a < m->n_attrsets; a++)
            evaluated += m->attrset_count[a];
        if (evaluated > FG_MAX_GATE_GROUPS) {
            fg_evaluation_free(ev);
            return fg_error_set(err, FG_ERR_LIMIT, policy->path, spec->mark.line, spec->mark.column,
                                "gate '%s' would evaluate %zu groups; the limit is %d groups a "
                                "gate (gate fewer protected attributes or intersections)",
                                spec->id, evaluated, FG_MAX_GATE_GROUPS);
        }
        o->results = calloc(capacity, sizeof *o->results);
        if (o->results == NULL) {
            fg_evaluation_free(ev);
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        }
        enum fg_status st = eval_gate(policy, spec, m, o, capacity, err);
        if (st == FG_OK)
            st = bootstrap_gate(policy, spec, m, o, capacity, err);
        if (st == FG_OK)
            st = adjust_gate(spec, m, o, err);
        if (st != FG_OK) {
            fg_evaluation_free(ev);
            return st;
        }
        for (size_t r = 0; r < o->n_results; r++) {
            judge_evidence(spec, &o->results[r]);
            decide_limit(spec, &o->results[r]);
        }
        o->worst = pick_worst(spec, o);
        if (spec->has_max_worsening && !m->has_incumbent)
            snprintf(o->note, sizeof o->note,
                     "not compared with the incumbent: no incumbent predictions given");
        aggregate(spec, o);
        if (fg_gate_outcome_blocks(o))
            ev->verdict = FG_VERDICT_FAIL;
    }
    *out = ev;
    return FG_OK;
}

enum fg_verdict fg_evaluation_verdict(const struct fg_evaluation *ev)
{
    return ev->verdict;
}

int fg_evaluation_exit_code(const struct fg_evaluation *ev)
{
    return ev->verdict == FG_VERDICT_FAIL ? 1 : 0;
}

bool fg_gate_outcome_blocks(const struct fg_gate_outcome *o)
{
    return o->status == FG_RESULT_FAIL && o->spec->enforce == FG_ENFORCE_BLOCK;
}

void fg_evaluation_failures(const struct fg_evaluation *ev, size_t *blocking, size_t *advisory)
{
    *blocking = *advisory = 0;
    for (size_t i = 0; i < ev->n_outcomes; i++) {
        const struct fg_gate_outcome *o = &ev->outcomes[i];
        *blocking += fg_gate_outcome_blocks(o);
        *advisory += o->status == FG_RESULT_FAIL && !fg_gate_outcome_blocks(o);
    }
}

void fg_evaluation_free(struct fg_evaluation *ev)
{
    if (ev == NULL)
        return;
    for (size_t i = 0; i < ev->n_outcomes; i++)
        free(ev->outcomes[i].results);
    free(ev->outcomes);
    fg_override_release(ev);
    free(ev);
}
