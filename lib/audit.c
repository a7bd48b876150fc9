/*
 * audit.c - results -> the audit JSON of DESIGN section 5 (a contract: keys are never
 * renamed or dropped, only added).
 *
 * Determinism: keys are added in one fixed order, groups and results keep the order of
 * fg_metrics and fg_evaluation (which is sorted, not hash order), numbers are printed by
 * cJSON in the C locale, `created` comes from the caller (SOURCE_DATE_EPOCH or the clock).
 * A rate whose denominator is 0 is JSON null, never NaN and never 0.
 *
 * Every cJSON_Add* is checked; on failure the whole tree is deleted and FG_ERR_NOMEM
 * returned.
 */
#define _POSIX_C_SOURCE 200809L

#include "fairgate.h"
#include "gate.h"
#include "metric.h"
#include "metrics.h"
#include "override.h"
#include "policy.h"
#include "scorebins.h"
#include "scores.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

/* Turns cJSON's NULL-on-failure into a flag we check once per object. */
struct builder {
    bool failed;
};

static cJSON *add(struct builder *b, cJSON *parent, const char *key, cJSON *item)
{
    if (item == NULL) {
        b->failed = true;
        return NULL;
    }
    if (parent == NULL) {
        cJSON_Delete(item);
        b->failed = true;
        return NULL;
    }
    bool ok = cJSON_IsArray(parent) ? cJSON_AddItemToArray(parent, item)
                                    : cJSON_AddItemToObject(parent, key, item);
    if (!ok) {
        cJSON_Delete(item);
        b->failed = true;
        return NULL;
    }
    return item;
}

static void add_string(struct builder *b, cJSON *o, const char *key, const char *value)
{
    add(b, o, key, value ? cJSON_CreateString(value) : cJSON_CreateNull());
}

static void add_number(struct builder *b, cJSON *o, const char *key, double value)
{
    add(b, o, key, cJSON_CreateNumber(value));
}

static void add_count(struct builder *b, cJSON *o, const char *key, uint64_t value)
{
    add(b, o, key, cJSON_CreateNumber((double)value));
}

static void add_rate(struct builder *b, cJSON *o, const char *key, const struct fg_rate *r)
{
    add(b, o, key, r->defined ? cJSON_CreateNumber(r->value) : cJSON_CreateNull());
}

/* ---- pieces ---- */

static cJSON *slice_of(struct builder *b, const struct fg_policy *policy, const struct fg_group *g)
{
    cJSON *slice = cJSON_CreateObject();
    if (slice == NULL || g->attrset == SIZE_MAX)
        return slice;
    struct fg_attrset set;
    fg_policy_attrset(policy, g->attrset, &set);
    for (size_t k = 0; k < set.n; k++)
        add_string(b, slice, policy->data.protected[set.attrs[k]], g -> values[k]);
    return slice;
}

static const enum fg_metric group_metrics[] = {
    FG_METRIC_BASE_RATE, FG_METRIC_SELECTION_RATE,
    FG_METRIC_TPR,       FG_METRIC_FPR,
    FG_METRIC_FNR,       FG_METRIC_TNR,
    FG_METRIC_PPV,       FG_METRIC_NPV,
    FG_METRIC_FDR,       FG_METRIC_FOR,
    FG_METRIC_ACCURACY,  FG_METRIC_ERROR_RATE,
};

/* [low, high]; an infinite end is null (JSON has no infinity). */
static cJSON *interval_json(struct builder *b, double low, double high)
{
    cJSON *a = cJSON_CreateArray();
    add(b, a, NULL, isfinite(low) ? cJSON_CreateNumber(low) : cJSON_CreateNull());
    add(b, a, NULL, isfinite(high) ? cJSON_CreateNumber(high) : cJSON_CreateNull());
    return a;
}

/* A column: the double at offset in each of the n items (stride bytes apart), null where
 * skip says so. */
static cJSON *number_column(struct builder *b, size_t n, const void *items, size_t stride,
                            size_t offset, bool (*skip)(const void *item))
{
    cJSON *a = cJSON_CreateArray();
    for (size_t k = 0; k < n; k++) {
        const char *item = (const char *)items + k * stride;
        double value;
        memcpy(&value, item + offset, sizeof value);
        add(b, a, NULL,
            skip != NULL && skip(item) ? cJSON_CreateNull() : cJSON_CreateNumber(value));
    }
    return a;
}

static bool no_threshold(const void *item)
{
    return !((const struct fg_roc_point *)item)->has_threshold;
}

/* A score gate's curves for the report (lib/scores.c): "calibration", the non-empty bins of
 * calibration_gap as columns, and "roc", the thinned ROC vertices as columns. */
static void curves_json(struct builder *b, cJSON *o, const struct fg_score_curves *c)
{
    if (!c->calibration_defined) {
        add(b, o, "calibration", cJSON_CreateNull());
    } else {
        const struct fg_calibration_bin *bin = c->bin;
        size_t n = c->n_bins, size = sizeof *bin;
        cJSON *cal = add(b, o, "calibration", cJSON_CreateObject());
        add_count(b, cal, "bins", c->bins);
        add(b, cal, "low",
            number_column(b, n, bin, size, offsetof(struct fg_calibration_bin, low), NULL));
        add(b, cal, "high",
            number_column(b, n, bin, size, offsetof(struct fg_calibration_bin, high), NULL));
        cJSON *counts = add(b, cal, "n", cJSON_CreateArray());
        for (size_t k = 0; k < n; k++)
            add(b, counts, NULL, cJSON_CreateNumber((double)bin[k].n));
        add(b, cal, "mean_score",
            number_column(b, n, bin, size, offsetof(struct fg_calibration_bin, mean_score), NULL));
        add(b, cal, "observed",
            number_column(b, n, bin, size, offsetof(struct fg_calibration_bin, observed), NULL));
    }
    if (!c->roc_defined) {
        add(b, o, "roc", cJSON_CreateNull());
        return;
    }
    const struct fg_roc_point *p = c->roc;
    size_t n = c->n_roc, size = sizeof *p;
    cJSON *roc = add(b, o, "roc", cJSON_CreateObject());
    add(b, roc, "fpr", number_column(b, n, p, size, offsetof(struct fg_roc_point, fpr), NULL));
    add(b, roc, "tpr", number_column(b, n, p, size, offsetof(struct fg_roc_point, tpr), NULL));
    add(b, roc, "threshold",
        number_column(b, n, p, size, offsetof(struct fg_roc_point, threshold), no_threshold));
}

/* Counts, each rate with its Wilson interval (computed by fg_metrics_compute, at level
 * 1 - defaults.alpha) as "<metric>_ci" (null when the rate is undefined), the score
 * metrics when the model was read from a score column, and their curves for the groups a
 * score gate judges. */
static cJSON *model_metrics(struct builder *b, const struct fg_confusion *c,
                            const struct fg_rate_intervals *ci, const struct fg_score_stats *score,
                            const struct fg_score_curves *curves)
{
    cJSON *o = cJSON_CreateObject();
    add_count(b, o, "n", fg_confusion_n(c));
    add_count(b, o, "tp", c->tp);
    add_count(b, o, "fp", c->fp);
    add_count(b, o, "tn", c->tn);
    add_count(b, o, "fn", c->fn);
    for (size_t i = 0; i < sizeof group_metrics / sizeof group_metrics[0]; i++) {
        enum fg_metric metric = group_metrics[i];
        struct fg_rate r = fg_metric_rate(metric, c);
        const char *name = fg_metric_name(metric);
        char key[48];
        add_rate(b, o, name, &r);
        snprintf(key, sizeof key, "%s_ci", name);
        if (r.defined)
            add(b, o, key, interval_json(b, ci->low[metric], ci->high[metric]));
        else
            add(b, o, key, cJSON_CreateNull());
    }
    if (score != NULL && score->present) {
        add(b, o, "auc", score->auc_defined ? cJSON_CreateNumber(score->auc) : cJSON_CreateNull());
        /* NaN (an auc-only policy lets scores outside [0, 1] through) is null, explicitly. */
        add(b, o, "brier",
            score->n && isfinite(score->brier) ? cJSON_CreateNumber(score->brier)
                                               : cJSON_CreateNull());
        add(b, o, "calibration_gap",
            score->n && isfinite(score->calibration_gap)
                ? cJSON_CreateNumber(score->calibration_gap)
                : cJSON_CreateNull());
        if (score->binned) { /* from score bins (check --counts): auc is within the bound */
            add(b, o, "auc_error_bound",
                score->auc_defined ? cJSON_CreateNumber(score->auc_error_bound)
                                   : cJSON_CreateNull());
            add(b, o, "score_bin_width", cJSON_CreateNumber(1.0 / FG_SCORE_GRID));
        }
        if (curves != NULL)
            curves_json(b, o, curves);
    }
    return o;
}

static cJSON *input_info(struct builder *b, const struct fg_input_info *in)
{
    cJSON *o = cJSON_CreateObject();
    add_string(b, o, "path", in->path);
    add_string(b, o, "sha256", in->sha256);
    add_count(b, o, "rows", in->rows);
    add_count(b, o, "rows_dropped", in->rows_dropped);
    return o;
}

static cJSON *reference_json(struct builder *b, const struct fg_policy *policy,
                             const struct fg_reference *ref)
{
    if (ref->kind != FG_REFERENCE_EXPLICIT)
        return cJSON_CreateString(fg_reference_kind_name(ref->kind));
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < policy->data.n_protected; i++)
        add_string(b, o, policy->data.protected[i], ref -> values[i]);
    return o;
}

static cJSON *bound_json(struct builder *b, const struct fg_gate_spec *spec)
{
    cJSON *o = cJSON_CreateObject();
    if (spec->has_min)
        add_number(b, o, "min", spec->min);
    if (spec->has_max)
        add_number(b, o, "max", spec->max);
    if (spec->has_max_worsening)
        add_number(b, o, "max_worsening", spec->max_worsening);
    return o;
}

/* One model's side: value, the group's rate and the reference. */
static void side_json(struct builder *b, cJSON *o, const struct fg_policy *policy,
                      const struct fg_metrics *m, const struct fg_gate_spec *spec,
                      const struct fg_side *side, size_t group)
{
    add(b, o, "value", side->defined ? cJSON_CreateNumber(side->value) : cJSON_CreateNull());
    add_rate(b, o, "group_value", &side->group_rate);
    if (spec->metric == FG_METRIC_EQUALIZED_ODDS)
        add_string(b, o, "component", fg_metric_name(side->component));
    if (spec->overall)
        return;
    if (side->reference_group == SIZE_MAX) {
        add(b, o, "reference", cJSON_CreateNull());
        return;
    }
    cJSON *ref = add(b, o, "reference", cJSON_CreateObject());
    if (side->reference_group == FG_REST_GROUP) {
        /* reference: rest, the group's complement: no slice names it; rest_of is the group */
        char label[600];
        snprintf(label, sizeof label, "rest (not %s)", m->groups[group].label);
        add(b, ref, "slice", cJSON_CreateObject());
        add(b, ref, "rest_of", slice_of(b, policy, &m->groups[group]));
        add_string(b, ref, "label", label);
    } else {
        add(b, ref, "slice", slice_of(b, policy, &m->groups[side->reference_group]));
        add_string(b, ref, "label", m->groups[side->reference_group].label);
    }
    add_rate(b, ref, "value", &side->reference_rate);
}

static cJSON *parity_gap_json(const struct fg_side *side)
{
    return side->defined && isfinite(side->parity_gap) ? cJSON_CreateNumber(side->parity_gap)
                                                       : cJSON_CreateNull();
}

/* An index over an attribute set's groups: no slice of its own (the whole population), its
 * attribute names as the label ("sex", "sex & race") and as "attributes". */
static void result_attrset(struct builder *b, cJSON *r, const struct fg_policy *policy,
                           size_t attrset)
{
    struct fg_attrset set;
    fg_policy_attrset(policy, attrset, &set);
    char label[FG_MAX_PROTECTED * 80] = "";
    size_t used = 0;
    add(b, r, "slice", cJSON_CreateObject());
    cJSON *attrs = add(b, r, "attributes", cJSON_CreateArray());
    for (size_t k = 0; k < set.n; k++) {
        const char *name = policy->data.protected[set.attrs[k]];
        add_string(b, attrs, NULL, name);
        if (used < sizeof label)
            used +=
                (size_t)snprintf(label + used, sizeof label - used, "%s%s", k ? " & " : "", name);
    }
    add_string(b, r, "label", label);
}

static cJSON *result_json(struct builder *b, const struct fg_policy *policy,
                          const struct fg_metrics *m, const struct fg_gate_outcome *o,
                          const struct fg_gate_result *res)
{
    const struct fg_gate_spec *spec = o->spec;
    cJSON *r = cJSON_CreateObject();
    if (res->over_attrset) {
        result_attrset(b, r, policy, res->attrset);
    } else {
        add(b, r, "slice", slice_of(b, policy, &m->groups[res->group]));
        add_string(b, r, "label", m->groups[res->group].label);
    }
    side_json(b, r, policy, m, spec, &res->candidate, res->group);
    add(b, r, "bound", bound_json(b, spec));
    add_count(b, r, "n", res->candidate.group_rate.den);
    add_string(b, r, "status", fg_result_status_name(res->status));
    if (res->why[0] != '\0')
        add_string(b, r, "why", res->why);
    if (m->has_incumbent) {
        cJSON *inc = add(b, r, "incumbent", cJSON_CreateObject());
        side_json(b, inc, policy, m, spec, &res->incumbent, res->group);
        if (!spec->overall)
            add(b, inc, "parity_gap", parity_gap_json(&res->incumbent));
    } else {
        add(b, r, "incumbent", cJSON_CreateNull());
    }
    if (spec->has_max_worsening)
        add(b, r, "worsening",
            res->has_worsening ? cJSON_CreateNumber(res->worsening) : cJSON_CreateNull());
    /* Uncertainty (issue 5): the value's interval, the test against the reference (or the
     * bound), its p-value and the p-value adjusted over the gate's comparisons. */
    add(b, r, "ci", res->has_ci ? interval_json(b, res->ci_low, res->ci_high) : cJSON_CreateNull());
    bool tested = res->test != FG_TEST_NONE;
    add(b, r, "test", tested ? cJSON_CreateString(fg_test_name(res->test)) : cJSON_CreateNull());
    add(b, r, "p_value", tested ? cJSON_CreateNumber(res->p_value) : cJSON_CreateNull());
    add(b, r, "p_adjusted", tested ? cJSON_CreateNumber(res->p_adjusted) : cJSON_CreateNull());
    if (spec->has_max_worsening) {
        add(b, r, "worsening_ci",
            res->has_worsening_ci ? interval_json(b, res->worsening_low, res->worsening_high)
                                  : cJSON_CreateNull());
        add_count(b, r, "resamples", res->resamples_used);
        add(b, r, "worsening_p_value",
            res->has_worsening_p ? cJSON_CreateNumber(res->worsening_p) : cJSON_CreateNull());
        add(b, r, "worsening_p_adjusted",
            res->has_worsening_p ? cJSON_CreateNumber(res->worsening_p_adjusted)
                                 : cJSON_CreateNull());
    }
    /* What gate.c decided (DESIGN section 5): the limit that decides the result, how far
     * past it the result is, and (disparity gates) the distance from parity. */
    if (res->limit == FG_LIMIT_NONE) {
        add(b, r, "limit", cJSON_CreateNull());
        add(b, r, "deviation", cJSON_CreateNull());
    } else {
        cJSON *limit = add(b, r, "limit", cJSON_CreateObject());
        add_string(b, limit, "name", fg_limit_name(res->limit));
        add_number(b, limit, "value", res->limit_value);
        add(b, limit, "at",
            res->has_limit_at && isfinite(res->limit_at) ? cJSON_CreateNumber(res->limit_at)
                                                         : cJSON_CreateNull());
        add_number(b, r, "deviation", res->deviation);
    }
    if (!spec->overall)
        add(b, r, "parity_gap", parity_gap_json(&res->candidate));
    if (spec->has_max_worsening)
        add(b, r, "worsening_limit",
            res->has_worsening_at && isfinite(res->worsening_at)
                ? cJSON_CreateNumber(res->worsening_at)
                : cJSON_CreateNull());
    return r;
}

/* A score gate's trade-off against the incumbent, which a disparity bound can hide: the
 * overall change of the metric (candidate - incumbent) and the groups whose own value got
 * worse (lower auc, higher brier or calibration_gap). */
static cJSON *score_change_json(struct builder *b, const struct fg_metrics *m,
                                enum fg_metric metric)
{
    int dir = fg_metric_direction(metric);
    cJSON *o = cJSON_CreateObject();
    struct fg_rate c0 = fg_group_metric(&m->groups[0], metric, false);
    struct fg_rate i0 = fg_group_metric(&m->groups[0], metric, true);
    add(b, o, "overall",
        c0.defined && i0.defined ? cJSON_CreateNumber(c0.value - i0.value) : cJSON_CreateNull());
    cJSON *worse = add(b, o, "worse_groups", cJSON_CreateArray());
    for (size_t g = 1; g < m->n_groups; g++) {
        struct fg_rate c = fg_group_metric(&m->groups[g], metric, false);
        struct fg_rate i = fg_group_metric(&m->groups[g], metric, true);
        if (c.defined && i.defined && dir * (c.value - i.value) < -1e-12) {
            cJSON *w = add(b, worse, NULL, cJSON_CreateObject());
            add_string(b, w, "label", m->groups[g].label);
            add_number(b, w, "change", c.value - i.value);
        }
    }
    /* Up to 3 of worse_groups, largest loss first (ties: group order), as people read them. */
    cJSON *order = add(b, o, "worst_first", cJSON_CreateArray());
    size_t n_worse = worse ? (size_t)cJSON_GetArraySize(worse) : 0, taken[3];
    for (size_t n = 0; n < 3 && n < n_worse; n++) {
        size_t pick = SIZE_MAX, k = 0;
        double pick_loss = 0;
        for (const cJSON *w = worse->child; w != NULL; w = w->next, k++) {
            const cJSON *change = cJSON_GetObjectItemCaseSensitive(w, "change");
            double loss = change != NULL ? -dir * change->valuedouble : 0.0;
            bool used = false;
            for (size_t j = 0; j < n; j++)
                used = used || taken[j] == k;
            if (!used && (pick == SIZE_MAX || loss > pick_loss)) {
                pick = k;
                pick_loss = loss;
            }
        }
        taken[n] = pick;
        add(b, order, NULL, cJSON_CreateNumber((double)pick));
    }
    return o;
}

static cJSON *gate_json(struct builder *b, const struct fg_policy *policy,
                        const struct fg_metrics *m, const struct fg_gate_outcome *o)
{
    const struct fg_gate_spec *spec = o->spec;
    cJSON *g = cJSON_CreateObject();
    add_string(b, g, "id", spec->id);
    if (spec->mark.line > 0) /* where annotations point: the gate's entry in the policy */
        add_count(b, g, "line", spec->mark.line);
    if (spec->description != NULL)
        add_string(b, g, "description", spec->description);
    add_string(b, g, "metric", fg_metric_name(spec->metric));
    if (spec->alias != NULL) /* the peer's name it was asked for; "metric" is what it means */
        add_string(b, g, "alias", spec->alias->name);
    if (fg_metric_takes_alpha(spec->metric))
        add_number(b, g, "ge_alpha", spec->ge_alpha);
    if (fg_metric_takes_strata(spec->metric))
        add_string(b, g, "strata", policy->data.protected[spec->strata]);
    if (spec->overall) {
        add_string(b, g, "scope", "overall");
    } else {
        add_string(b, g, "scope", "groups");
        add_string(b, g, "disparity", fg_disparity_name(spec->disparity));
        if (spec->disparity == FG_DISPARITY_SIGNED_DIFFERENCE)
            add_string(b, g, "order",
                       spec->reference_minus_group ? "reference_minus_group"
                                                   : "group_minus_reference");
        add(b, g, "reference", reference_json(b, policy, &spec->reference));
    }
    add(b, g, "bound", bound_json(b, spec));
    add_count(b, g, "min_group_size", spec->min_group_size);
    add_string(b, g, "on_small_group", fg_small_group_name(spec->on_small_group));
    add_string(b, g, "evidence", fg_evidence_name(spec->evidence));
    add_number(b, g, "alpha", spec->alpha);
    add_string(b, g, "correction", fg_correction_name(spec->correction));
    if (spec->has_max_worsening) {
        cJSON *bs = add(b, g, "bootstrap", cJSON_CreateObject());
        add_count(b, bs, "resamples", spec->resamples);
        add_count(b, bs, "seed", spec->seed);
    }
    add_string(b, g, "enforce", fg_enforce_name(spec->enforce));
    add_string(b, g, "status", fg_result_status_name(o->status));
    if (fg_metric_is_score(spec->metric) && m->has_incumbent)
        add(b, g, "change", score_change_json(b, m, spec->metric));
    if (o->note[0] != '\0')
        add_string(b, g, "note", o->note);
    cJSON *results = add(b, g, "results", cJSON_CreateArray());
    for (size_t i = 0; i < o->n_results; i++)
        add(b, results, NULL, result_json(b, policy, m, o, &o->results[i]));
    add(b, g, "worst_result",
        o->worst < o->n_results ? cJSON_CreateNumber((double)o->worst) : cJSON_CreateNull());
    return g;
}

static const char *verdict_name(enum fg_verdict v)
{
    switch (v) {
    case FG_VERDICT_PASS:
        return "pass";
    case FG_VERDICT_FAIL:
        return "fail";
    case FG_VERDICT_PASS_WITH_OVERRIDE:
        return "pass_with_override";
    }
    return "fail";
}

/* ---- public ---- */

/* "inputs": the prediction files read, or the counts files for check --counts. */
static cJSON *inputs_json(struct builder *b, const struct fg_metrics *m,
                          const struct fg_audit_inputs *inputs)
{
    cJSON *in = cJSON_CreateObject();
    const struct fg_ingest_result *ing = inputs->ingest;
    if (inputs->n_counts > 0 || ing == NULL) {
        /* check --counts: no prediction file was read; the counts files are the input. */
        add(b, in, "candidate", cJSON_CreateNull());
        add(b, in, "incumbent", cJSON_CreateNull());
        cJSON *files = add(b, in, "counts", cJSON_CreateArray());
        for (size_t i = 0; i < inputs->n_counts; i++) {
            const struct fg_counts_info *c = &inputs->counts[i];
            cJSON *f = add(b, files, NULL, cJSON_CreateObject());
            add_string(b, f, "path", c->path);
            add_string(b, f, "sha256", c->sha256);
            add_count(b, f, "rows", c->rows);
            add_count(b, f, "cells", c->cells);
            add_string(b, f, "kind", c->score_bins ? "score_bins" : "cells");
        }
    } else {
        add(b, in, "candidate", input_info(b, &ing->candidate));
        if (ing->has_incumbent_file)
            add(b, in, "incumbent", input_info(b, &ing->incumbent));
        else if (m->has_incumbent)
            add(b, in, "incumbent", input_info(b, &ing->candidate)); /* same file, own column */
        else
            add(b, in, "incumbent", cJSON_CreateNull());
        if (ing->has_incumbent_file && ing->join != NULL)
            add_string(b, in, "join", ing->join);
    }
    return in;
}

/* "groups": every group of the metrics, in their order, with both models' figures. */
static cJSON *groups_json(struct builder *b, const struct fg_policy *policy,
                          const struct fg_metrics *m)
{
    cJSON *groups = cJSON_CreateArray();
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fg_group *g = &m->groups[i];
        cJSON *gj = add(b, groups, NULL, cJSON_CreateObject());
        add(b, gj, "slice", slice_of(b, policy, g));
        add_string(b, gj, "label", g->label);
        add(b, gj, "candidate",
            model_metrics(b, &g->candidate, &g->candidate_ci, &g->candidate_score,
                          g->candidate_curves));
        add(b, gj, "incumbent",
            m->has_incumbent ? model_metrics(b, &g->incumbent, &g->incumbent_ci,
                                             &g->incumbent_score, g->incumbent_curves)
                             : cJSON_CreateNull());
    }
    return groups;
}

/* One entry of "overrides": an offered override and what became of it. */
static cJSON *override_json(struct builder *b, const struct fg_override_record *r)
{
    cJSON *o = cJSON_CreateObject();
    add_string(b, o, "gate", r->gate);
    add_string(b, o, "group", r->group);
    cJSON *slice = add(b, o, "slice", r->has_slice ? cJSON_CreateObject() : cJSON_CreateNull());
    for (size_t k = 0; r->has_slice && slice != NULL && k < r->n_slice; k++)
        add_string(b, slice, r->slice_attrs[k], r->slice_values[k]);
    add_string(b, o, "approver", r->approver);
    add_string(b, o, "role", r->role);
    add_string(b, o, "reason", r->reason);
    add_string(b, o, "ticket", r->ticket);
    add_string(b, o, "created", r->created);
    add_string(b, o, "expires", r->expires);
    add_string(b, o, "keyid", r->keyid[0] ? r->keyid : NULL);
    add_string(b, o, "path", r->path);
    add_string(b, o, "status", r->applied ? "applied" : "rejected");
    add_string(b, o, "why", r->why);
    return o;
}

enum fg_status fg_audit_render(const struct fg_policy *policy, const struct fg_metrics *m,
                               const struct fg_evaluation *ev, const struct fg_audit_inputs *inputs,
                               char **out, struct fg_error *err)
{
    *out = NULL;
    struct builder b = {false};
    char created[32];
    time_t t = (time_t)inputs->created;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "cannot format the time %lld",
                            inputs->created);

    cJSON *root = cJSON_CreateObject();
    add_string(&b, root, "schema", "fairgate.audit/v1");
    cJSON *tool = add(&b, root, "tool", cJSON_CreateObject());
    add_string(&b, tool, "name", "fairgate");
    add_string(&b, tool, "version", FG_VERSION);
    add_string(&b, root, "created", created);

    cJSON *pol = add(&b, root, "policy", cJSON_CreateObject());
    add_string(&b, pol, "name", policy->name);
    add_string(&b, pol, "path", inputs->policy_path ? inputs->policy_path : policy->path);
    add_string(&b, pol, "sha256", policy->sha256);
    add_string(&b, pol, "canonical_sha256", policy->canonical_sha256);

    add(&b, root, "inputs", inputs_json(&b, m, inputs));
    add(&b, root, "groups", groups_json(&b, policy, m));

    cJSON *gates = add(&b, root, "gates", cJSON_CreateArray());
    for (size_t i = 0; i < ev->n_outcomes; i++)
        add(&b, gates, NULL, gate_json(&b, policy, m, &ev->outcomes[i]));
    cJSON *overrides = add(&b, root, "overrides", cJSON_CreateArray());
    for (size_t i = 0; i < ev->n_overrides; i++)
        add(&b, overrides, NULL, override_json(&b, &ev->overrides[i]));
    add_string(&b, root, "verdict", verdict_name(ev->verdict));
    add_number(&b, root, "exit_code", fg_evaluation_exit_code(ev));
    size_t blocking, advisory;
    fg_evaluation_failures(ev, &blocking, &advisory);
    cJSON *summary = add(&b, root, "verdict_summary", cJSON_CreateObject());
    add_count(&b, summary, "blocking_failures", blocking);
    add_count(&b, summary, "advisory_failures", advisory);

    char *text = b.failed ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    if (text == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory building the audit");
    enum fg_status st = fg_text_end_line(&text, err);
    *out = text;
    return st;
}
