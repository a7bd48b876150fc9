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
 *    infinite otherwise (JSON null, with the reason).
 *  - A gate fails when a result fails, or when a result has insufficient data and
 *    on_small_group is `fail`; it warns on insufficient data with `warn`; with `skip` it is
 *    `insufficient_data` only when nothing could be evaluated. The verdict fails when a
 *    gate fails.
 */
#include "internal.h"

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

/* ---- small pieces ---- */

static const struct fg_confusion *confusion_of(const struct fg_group *g, bool incumbent)
{
    return incumbent ? &g->incumbent : &g->candidate;
}

/* What a metric's denominator counts, for messages. */
static const char *denominator_name(enum fg_metric metric)
{
    switch (metric) {
    case FG_METRIC_TPR:
    case FG_METRIC_FNR:
        return "actual positives";
    case FG_METRIC_FPR:
    case FG_METRIC_TNR:
        return "actual negatives";
    case FG_METRIC_PPV:
    case FG_METRIC_FDR:
        return "predicted positives";
    case FG_METRIC_NPV:
    case FG_METRIC_FOR:
        return "predicted negatives";
    default:
        return "rows";
    }
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
                 denominator_name(metric));
    else
        snprintf(why, size, "%sonly %llu %s (min_group_size %llu)", whose,
                 (unsigned long long)r->den, denominator_name(metric),
                 (unsigned long long)min_group_size);
}

/* Higher is better (+1), lower is better (-1), or no direction (0). */
static int better_direction(enum fg_metric metric)
{
    switch (metric) {
    case FG_METRIC_ACCURACY:
    case FG_METRIC_TPR:
    case FG_METRIC_TNR:
    case FG_METRIC_PPV:
    case FG_METRIC_NPV:
        return 1;
    case FG_METRIC_ERROR_RATE:
    case FG_METRIC_FPR:
    case FG_METRIC_FNR:
    case FG_METRIC_FDR:
    case FG_METRIC_FOR:
        return -1;
    default:
        return 0;
    }
}

/* How far a disparity is from parity: 0 at parity, larger is worse. */
static double deviation(enum fg_disparity disparity, double value)
{
    if (disparity == FG_DISPARITY_DIFFERENCE)
        return value;
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
    if (spec->reference.kind == FG_REFERENCE_EXPLICIT) {
        struct fg_attrset set;
        fg_policy_attrset(policy, attrset, &set);
        for (size_t i = first; i < first + count; i++) {
            if (group_matches_reference(&m->groups[i], &set, &spec->reference)) {
                *out = i;
                return FG_OK;
            }
        }
        char wanted[512] = "", seen[512] = "";
        size_t used = 0;
        for (size_t k = 0; k < set.n; k++)
            used +=
                (size_t)snprintf(wanted + used, used < sizeof wanted ? sizeof wanted - used : 0,
                                 "%s%s=%s", k ? " & " : "", policy->data.protected[set.attrs[k]],
                                 spec -> reference.values[set.attrs[k]]);
        used = 0;
        for (size_t i = first; i < first + count && used < sizeof seen; i++)
            used += (size_t)snprintf(seen + used, sizeof seen - used, "%s%s", i > first ? "; " : "",
                                     m->groups[i].label);
        return fg_error_set(err, FG_ERR_INPUT, policy->path, spec->mark.line, spec->mark.column,
                            "gate '%s': reference group %s does not occur in the data "
                            "(groups: %s)",
                            spec->id, wanted, count ? seen : "none");
    }
    double best = -INFINITY;
    uint64_t best_n = 0;
    for (size_t i = first; i < first + count; i++) {
        struct fg_rate r = fg_metric_rate(metric, confusion_of(&m->groups[i], incumbent));
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

/* Evaluates group g against reference ref on one metric for one model. Returns false and
 * writes why when the disparity cannot be computed. */
static bool eval_component(const struct fg_gate_spec *spec, const struct fg_metrics *m, size_t g,
                           size_t ref, enum fg_metric metric, bool incumbent, struct fg_side *side,
                           char *why, size_t why_size)
{
    const char *whose = incumbent ? "incumbent: " : "";
    side->component = metric;
    side->reference_group = ref;
    side->group_rate = fg_metric_rate(metric, confusion_of(&m->groups[g], incumbent));
    side->defined = false;
    if (!enough(&side->group_rate, spec->min_group_size)) {
        why_not_enough(why, why_size, whose, &side->group_rate, metric, spec->min_group_size);
        return false;
    }
    if (ref == SIZE_MAX) {
        snprintf(why, why_size, "%sno group has enough data to be the reference", whose);
        return false;
    }
    side->reference_rate = fg_metric_rate(metric, confusion_of(&m->groups[ref], incumbent));
    if (!enough(&side->reference_rate, spec->min_group_size)) {
        char inner[160];
        why_not_enough(inner, sizeof inner, "", &side->reference_rate, metric,
                       spec->min_group_size);
        snprintf(why, why_size, "%sreference group %s has %s", whose, m->groups[ref].label, inner);
        return false;
    }
    double v = side->group_rate.value, r = side->reference_rate.value;
    if (spec->disparity == FG_DISPARITY_RATIO) {
        /* A reference rate of 0: both 0 is parity (1); a positive rate over 0 is an
         * infinitely large ratio, which fails any max and passes any min. */
        side->value = r != 0.0 ? v / r : v == 0.0 ? 1.0 : INFINITY;
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

/* How much of a side could be evaluated. */
enum side_state { SIDE_NONE, SIDE_PARTIAL, SIDE_COMPLETE };

/* One model's side for group g: refs[c] is the reference of component c. The side is the
 * worst component that could be evaluated; why says what could not (equalized odds with
 * too few actual positives can still fail on its false positive rate). */
static enum side_state eval_side(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                                 size_t g, const size_t refs[2], bool incumbent,
                                 struct fg_side *side, char *why, size_t why_size)
{
    enum fg_metric comps[2];
    size_t n = components(spec->metric, comps), evaluated = 0;
    struct fg_side best = {0};
    double best_badness = -INFINITY;
    char missing[256] = "";
    for (size_t c = 0; c < n; c++) {
        struct fg_side s = {0};
        if (!eval_component(spec, m, g, refs[c], comps[c], incumbent, &s, missing,
                            sizeof missing)) {
            if (evaluated == 0)
                best = s; /* keeps the rates for the audit */
            continue;
        }
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
    return evaluated == 0 ? SIDE_NONE : evaluated < n ? SIDE_PARTIAL : SIDE_COMPLETE;
}

/* Deviation of a side from parity; for equalized odds the larger of the two components. */
static double side_deviation(const struct fg_gate_spec *spec, const struct fg_metrics *m, size_t g,
                             const size_t refs[2], bool incumbent, const struct fg_side *side)
{
    if (spec->metric != FG_METRIC_EQUALIZED_ODDS)
        return deviation(spec->disparity, side->value);
    enum fg_metric comps[2];
    size_t n = components(spec->metric, comps);
    double worst = 0.0;
    char why[8];
    for (size_t c = 0; c < n; c++) {
        struct fg_side s = {0};
        if (eval_component(spec, m, g, refs[c], comps[c], incumbent, &s, why, sizeof why)) {
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
    snprintf(text, sizeof text, "%.15g", bound);
    if (strtod(text, NULL) != bound || bound < 0)
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

/* The sign of (side's value - bound). */
static int compare_to_bound(const struct fg_gate_spec *spec, const struct fg_side *side,
                            double bound)
{
    const struct fg_rate *g = &side->group_rate, *r = &side->reference_rate;
    uint64_t p, q;
    bool small = g->num < EXACT_COUNT_LIMIT && g->den < EXACT_COUNT_LIMIT &&
                 r->num < EXACT_COUNT_LIMIT && r->den < EXACT_COUNT_LIMIT;
    if (spec->metric == FG_METRIC_COUNT || !small || !bound_fraction(bound, &p, &q))
        return compare_double(side->value, bound);
    if (spec->overall) /* num/den vs p/q */
        return compare_u128((u128)g->num * q, (u128)p * g->den);
    if (spec->disparity == FG_DISPARITY_RATIO) {
        if (r->num == 0) /* 0/0 is parity; x/0 is infinite */
            return g->num == 0 ? compare_u128((u128)q, (u128)p) : 1;
        return compare_u128((u128)g->num * r->den * q, (u128)p * g->den * r->num);
    }
    /* |ng/dg - nr/dr| vs p/q  <=>  |ng*dr - nr*dg| * q vs p * dg * dr */
    u128 a = (u128)g->num * r->den, b = (u128)r->num * g->den;
    return compare_u128((a > b ? a - b : b - a) * q, (u128)p * g->den * r->den);
}

static void judge_bounds(const struct fg_gate_spec *spec, struct fg_gate_result *res)
{
    const struct fg_side *side = &res->candidate;
    char v[32];
    fg_format_number(v, sizeof v, true, side->value);
    if (spec->has_min && compare_to_bound(spec, side, spec->min) < 0) {
        res->status = FG_RESULT_FAIL;
        snprintf(res->why, sizeof res->why, "%s is below the minimum %g", v, spec->min);
    } else if (spec->has_max && compare_to_bound(spec, side, spec->max) > 0) {
        res->status = FG_RESULT_FAIL;
        snprintf(res->why, sizeof res->why, "%s is above the maximum %g", v, spec->max);
    } else {
        res->status = FG_RESULT_PASS;
    }
}

static void judge_worsening(const struct fg_gate_spec *spec, struct fg_gate_result *res,
                            double candidate_dev, double incumbent_dev)
{
    res->has_worsening = true;
    res->worsening = candidate_dev - incumbent_dev;
    if (res->worsening > spec->max_worsening + FG_BOUND_EPSILON) {
        res->status = FG_RESULT_FAIL;
        snprintf(res->why, sizeof res->why,
                 "worse than the incumbent by %.4f (%.4f vs %.4f), more than max_worsening %g",
                 res->worsening, candidate_dev, incumbent_dev, spec->max_worsening);
    }
}

/* ---- gate kinds ---- */

static struct fg_gate_result *push_result(struct fg_gate_outcome *o, size_t capacity, size_t g)
{
    if (o->n_results >= capacity)
        return NULL;
    struct fg_gate_result *res = &o->results[o->n_results++];
    memset(res, 0, sizeof *res);
    res->group = g;
    res->candidate.reference_group = SIZE_MAX;
    res->incumbent.reference_group = SIZE_MAX;
    return res;
}

static void eval_overall(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                         struct fg_gate_outcome *o)
{
    struct fg_gate_result *res = push_result(o, 1, 0);
    const struct fg_group *all = &m->groups[0];
    res->candidate.component = spec->metric;
    res->candidate.group_rate = fg_metric_rate(spec->metric, &all->candidate);
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
    if (m->has_incumbent) {
        res->incumbent.component = spec->metric;
        res->incumbent.group_rate = fg_metric_rate(spec->metric, &all->incumbent);
        incumbent_ok = enough(&res->incumbent.group_rate, spec->min_group_size);
        res->incumbent.defined = incumbent_ok;
        res->incumbent.value = res->incumbent.group_rate.value;
    }
    judge_bounds(spec, res);
    if (!spec->has_max_worsening || res->status == FG_RESULT_FAIL)
        return;
    if (!m->has_incumbent) {
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        snprintf(res->why, sizeof res->why, "not compared: no incumbent predictions given");
        return;
    }
    if (!incumbent_ok) {
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        why_not_enough(res->why, sizeof res->why, "incumbent: ", &res->incumbent.group_rate,
                       spec->metric, spec->min_group_size);
        return;
    }
    /* "Worse" follows the metric's direction: a drop in accuracy, a rise in error rate. */
    int dir = better_direction(spec->metric);
    judge_worsening(spec, res, -dir * res->candidate.value, -dir * res->incumbent.value);
}

/* Fills res for group g given the references of both models. The incumbent's side is
 * computed whenever there is an incumbent (reports show it); it is judged only by
 * vs_incumbent gates. */
static void eval_group(const struct fg_gate_spec *spec, const struct fg_metrics *m, size_t g,
                       const size_t cand_refs[2], const size_t inc_refs[2],
                       struct fg_gate_result *res)
{
    char inc_why[sizeof res->why] = "";
    enum side_state inc_state = SIDE_NONE;
    if (m->has_incumbent)
        inc_state = eval_side(spec, m, g, inc_refs, true, &res->incumbent, inc_why, sizeof inc_why);
    if (inc_state != SIDE_COMPLETE)
        res->incumbent.defined = false;
    enum side_state state =
        eval_side(spec, m, g, cand_refs, false, &res->candidate, res->why, sizeof res->why);
    if (state == SIDE_NONE) {
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        return;
    }
    judge_bounds(spec, res);
    if (res->status == FG_RESULT_FAIL)
        return;
    if (state == SIDE_PARTIAL) { /* passed on what could be judged; the rest is unknown */
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        return;
    }
    if (!spec->has_max_worsening)
        return;
    if (!m->has_incumbent) {
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        snprintf(res->why, sizeof res->why, "not compared: no incumbent predictions given");
        return;
    }
    if (inc_state != SIDE_COMPLETE) {
        res->status = FG_RESULT_INSUFFICIENT_DATA;
        snprintf(res->why, sizeof res->why, "%s", inc_why);
        return;
    }
    judge_worsening(spec, res, side_deviation(spec, m, g, cand_refs, false, &res->candidate),
                    side_deviation(spec, m, g, inc_refs, true, &res->incumbent));
}

/* between_groups: the worst sufficient group against the best, per component. */
static size_t worst_group(const struct fg_gate_spec *spec, const struct fg_metrics *m,
                          size_t attrset, enum fg_metric metric, bool incumbent)
{
    size_t first = m->attrset_first[attrset], count = m->attrset_count[attrset];
    size_t worst = SIZE_MAX;
    double lowest = INFINITY;
    for (size_t i = first; i < first + count; i++) {
        struct fg_rate r = fg_metric_rate(metric, confusion_of(&m->groups[i], incumbent));
        if (enough(&r, spec->min_group_size) && (worst == SIZE_MAX || r.value < lowest)) {
            lowest = r.value;
            worst = i;
        }
    }
    return worst;
}

static enum fg_status eval_attrset(const struct fg_policy *policy, const struct fg_gate_spec *spec,
                                   const struct fg_metrics *m, size_t attrset,
                                   struct fg_gate_outcome *o, size_t capacity, struct fg_error *err)
{
    enum fg_metric comps[2];
    size_t n_comps = components(spec->metric, comps);
    size_t cand_refs[2] = {SIZE_MAX, SIZE_MAX}, inc_refs[2] = {SIZE_MAX, SIZE_MAX};
    for (size_t c = 0; c < n_comps; c++) {
        enum fg_status st =
            pick_reference(policy, spec, m, attrset, comps[c], false, &cand_refs[c], err);
        if (st == FG_OK && m->has_incumbent)
            st = pick_reference(policy, spec, m, attrset, comps[c], true, &inc_refs[c], err);
        if (st != FG_OK)
            return st;
    }
    size_t first = m->attrset_first[attrset], count = m->attrset_count[attrset];
    if (spec->reference.kind != FG_REFERENCE_BETWEEN_GROUPS) {
        for (size_t g = first; g < first + count; g++)
            eval_group(spec, m, g, cand_refs, inc_refs, push_result(o, capacity, g));
        return FG_OK;
    }
    /* One result: the group that is worst on the worse component, against that
     * component's best group. Groups without enough data are listed as such. */
    struct fg_gate_result best_res = {0};
    double best_badness = -INFINITY;
    bool any = false;
    for (size_t c = 0; c < n_comps; c++) {
        size_t worst = worst_group(spec, m, attrset, comps[c], false);
        if (worst == SIZE_MAX)
            continue;
        struct fg_gate_spec one = *spec;
        one.metric = comps[c];
        one.has_max_worsening = false; /* judged below, against the incumbent's own worst */
        size_t crefs[2] = {cand_refs[c], SIZE_MAX};
        struct fg_gate_result res = {.group = worst};
        res.candidate.reference_group = res.incumbent.reference_group = SIZE_MAX;
        eval_group(&one, m, worst, crefs, crefs, &res);
        /* The incumbent's own worst group over its best, not its value for this group. */
        size_t inc_worst =
            m->has_incumbent ? worst_group(spec, m, attrset, comps[c], true) : SIZE_MAX;
        char inc_why[sizeof res.why] = "no group has enough data to be compared";
        memset(&res.incumbent, 0, sizeof res.incumbent);
        res.incumbent.reference_group = SIZE_MAX;
        bool inc_ok =
            inc_worst != SIZE_MAX && eval_component(&one, m, inc_worst, inc_refs[c], comps[c], true,
                                                    &res.incumbent, inc_why, sizeof inc_why);
        if (spec->has_max_worsening && res.status == FG_RESULT_PASS) {
            if (!m->has_incumbent) {
                res.status = FG_RESULT_INSUFFICIENT_DATA;
                snprintf(res.why, sizeof res.why, "not compared: no incumbent predictions given");
            } else if (!inc_ok) {
                res.status = FG_RESULT_INSUFFICIENT_DATA;
                snprintf(res.why, sizeof res.why, "incumbent: %.200s", inc_why);
            } else {
                judge_worsening(spec, &res, deviation(spec->disparity, res.candidate.value),
                                deviation(spec->disparity, res.incumbent.value));
            }
        }
        double badness = res.candidate.defined ? side_badness(spec, res.candidate.value) : 0;
        if (!any || badness > best_badness) {
            best_badness = badness;
            best_res = res;
            any = true;
        }
    }
    if (any) {
        struct fg_gate_result *res = push_result(o, capacity, best_res.group);
        *res = best_res;
    }
    for (size_t g = first; g < first + count; g++) {
        for (size_t c = 0; c < n_comps; c++) {
            struct fg_rate r = fg_metric_rate(comps[c], &m->groups[g].candidate);
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
    return FG_OK;
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
        o->results = calloc(capacity, sizeof *o->results);
        if (o->results == NULL) {
            fg_evaluation_free(ev);
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        }
        if (spec->overall) {
            eval_overall(spec, m, o);
        } else {
            for (size_t a = 0; a < m->n_attrsets; a++) {
                enum fg_status st = eval_attrset(policy, spec, m, a, o, capacity, err);
                if (st != FG_OK) {
                    fg_evaluation_free(ev);
                    return st;
                }
            }
        }
        if (spec->has_max_worsening && !m->has_incumbent)
            snprintf(o->note, sizeof o->note,
                     "not compared with the incumbent: no incumbent predictions given");
        aggregate(spec, o);
        if (o->status == FG_RESULT_FAIL)
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

void fg_evaluation_free(struct fg_evaluation *ev)
{
    if (ev == NULL)
        return;
    for (size_t i = 0; i < ev->n_outcomes; i++)
        free(ev->outcomes[i].results);
    free(ev->outcomes);
    fg_override_records_free(ev->overrides, ev->n_overrides);
    free(ev);
}

/* ---- the human summary ---- */

/* A growable string; on allocation failure it stops growing and remembers it. */
struct text {
    char *data;
    size_t len, cap;
    bool failed;
};

static void text_add(struct text *t, const char *fmt, ...) FG_PRINTF(2, 3);

static void text_add(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n =
            vsnprintf(t->data ? t->data + t->len : NULL, t->data ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if (t->data != NULL && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap ? t->cap * 2 : 1024) + (size_t)n;
        char *grown = realloc(t->data, cap);
        if (grown == NULL) {
            t->failed = true;
            return;
        }
        t->data = grown;
        t->cap = cap;
    }
}

static double result_margin(const struct fg_gate_spec *spec, const struct fg_gate_result *res)
{
    double margin = bound_slack(spec, res->candidate.value);
    if (res->has_worsening && spec->max_worsening - res->worsening < margin)
        margin = spec->max_worsening - res->worsening;
    return margin;
}

/* The result a person should see first: the failing one furthest past its bound, else
 * the evaluated one closest to its bound, else the first. */
static const struct fg_gate_result *worst_result(const struct fg_gate_outcome *o)
{
    const struct fg_gate_result *worst = NULL;
    double worst_margin = INFINITY;
    for (size_t i = 0; i < o->n_results; i++) {
        const struct fg_gate_result *res = &o->results[i];
        if (!res->candidate.defined)
            continue;
        double margin = result_margin(o->spec, res);
        bool fails = res->status == FG_RESULT_FAIL;
        bool worst_fails = worst && worst->status == FG_RESULT_FAIL;
        if (worst == NULL || (fails && !worst_fails) ||
            (fails == worst_fails && margin < worst_margin)) {
            worst = res;
            worst_margin = margin;
        }
    }
    return worst ? worst : (o->n_results ? &o->results[0] : NULL);
}

static void summarize_result(struct text *t, const struct fg_metrics *m,
                             const struct fg_gate_spec *spec, const struct fg_gate_result *res)
{
    char v[32], gv[32], rv[32];
    const struct fg_side *s = &res->candidate;
    const char *metric = fg_metric_name(spec->metric);
    const char *component =
        spec->metric == FG_METRIC_EQUALIZED_ODDS ? fg_metric_name(s->component) : NULL;
    if (!s->defined) {
        text_add(t, "%s: %s", m->groups[res->group].label, res->why);
        return;
    }
    fg_format_number(v, sizeof v, true, s->value);
    if (spec->overall) {
        text_add(t, "overall %s %s", metric, v);
    } else {
        fg_format_number(gv, sizeof gv, s->group_rate.defined, s->group_rate.value);
        fg_format_number(rv, sizeof rv, s->reference_rate.defined, s->reference_rate.value);
        text_add(t, "%s: %s%s%s%s %s %s (%s vs %s for %s)", m->groups[res->group].label, metric,
                 component ? "[" : "", component ? component : "", component ? "]" : "",
                 fg_disparity_name(spec->disparity), v, gv, rv,
                 s->reference_group != SIZE_MAX ? m->groups[s->reference_group].label : "?");
    }
    if (res->why[0] != '\0') {
        text_add(t, " - %s", res->why);
        return;
    }
    if (spec->has_min)
        text_add(t, ", min %g", spec->min);
    if (spec->has_max)
        text_add(t, ", max %g", spec->max);
    if (res->has_worsening)
        text_add(t, ", %+.4f vs incumbent (max_worsening %g)", res->worsening, spec->max_worsening);
}

char *fg_evaluation_summary(const struct fg_policy *policy, const struct fg_metrics *m,
                            const struct fg_evaluation *ev)
{
    struct text t = {0};
    size_t width = 0, failed = 0;
    for (size_t i = 0; i < ev->n_outcomes; i++) {
        size_t len = strlen(ev->outcomes[i].spec->id);
        width = len > width ? len : width;
    }
    text_add(&t, "policy %s: %zu gates, %llu rows\n", policy->name, ev->n_outcomes,
             (unsigned long long)fg_confusion_n(&m->groups[0].candidate));
    for (size_t i = 0; i < ev->n_outcomes; i++) {
        const struct fg_gate_outcome *o = &ev->outcomes[i];
        char status[24];
        const char *name = fg_result_status_name(o->status);
        size_t k = 0;
        for (; name[k] != '\0' && k + 1 < sizeof status; k++)
            status[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 'a' + 'A' : name[k]);
        status[k] = '\0';
        if (o->status == FG_RESULT_FAIL)
            failed++;
        text_add(&t, "%-5s %-*s  ", status, (int)width, o->spec->id);
        const struct fg_gate_result *worst = worst_result(o);
        if (worst == NULL)
            text_add(&t, "no groups");
        else
            summarize_result(&t, m, o->spec, worst);
        size_t fails = 0, small = 0;
        const struct fg_gate_result *first_small = NULL;
        for (size_t r = 0; r < o->n_results; r++) {
            if (o->results[r].status == FG_RESULT_FAIL)
                fails++;
            if (o->results[r].status == FG_RESULT_INSUFFICIENT_DATA) {
                small++;
                if (first_small == NULL)
                    first_small = &o->results[r];
            }
        }
        if (fails > 1)
            text_add(&t, "; %zu of %zu results fail", fails, o->n_results);
        if (small > 0 && first_small != worst)
            text_add(&t, "; %zu with insufficient data (%s: %s)", small,
                     m->groups[first_small->group].label, first_small->why);
        if (small > 0 && fails == 0 && o->status == FG_RESULT_FAIL)
            text_add(&t, "; fails because on_small_group is 'fail'");
        if (o->note[0] != '\0')
            text_add(&t, "; %s", o->note);
        text_add(&t, "\n");
    }
    for (size_t i = 0; i < ev->n_overrides; i++) {
        const struct fg_override_record *r = &ev->overrides[i];
        text_add(&t, "override %s: %s - %s\n", r->path, r->applied ? "applied" : "REJECTED",
                 r->why);
    }
    if (ev->verdict == FG_VERDICT_FAIL)
        text_add(&t, "verdict: FAIL (%zu of %zu gates failed)\n", failed, ev->n_outcomes);
    else if (ev->verdict == FG_VERDICT_PASS_WITH_OVERRIDE)
        text_add(&t, "verdict: PASS WITH OVERRIDE\n");
    else
        text_add(&t, "verdict: PASS\n");
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    return t.data;
}
