/*
 * policy_canon.c - the canonical serialisation of a parsed policy, whose SHA-256 is the
 * policy's canonical digest (README "The policy's canonical digest"): what the policy means,
 * not how its file is written. Comments, indentation, flow or block style, quoting, the
 * order of a mapping's keys, `intersections: all` against the same list written out, and a
 * default written out against the same default left out all give the same text; any change
 * to a bound, a gate, a group, a setting or an approver gives another.
 *
 * The text is JSON with no whitespace, built from the effective values fg_policy_load
 * settled on (every gate carries the reference, min_group_size, on_small_group, enforce and
 * statistical settings it inherits), in this shape:
 *
 *   {"calibration_bins":N,"data":{...},"defaults":{...},"gates":[{...}...],"name":S,
 *    "overrides":{...}|null,"version":1}
 *
 * - object keys sorted by their bytes (strcmp: UTF-8 code point order), at every level;
 * - arrays in the order the policy lists them, except overrides.approvers (sorted by name)
 *   and overrides.not_overridable (sorted), which are sets;
 * - strings as JSON: '"' and '\' escaped, \b \f \n \r \t, every other byte below 0x20 as
 *   \u00xx (lowercase hex), every other byte as it is (UTF-8, not escaped);
 * - whole numbers (version, min_group_size, resamples, seed, max_days, required_approvals,
 *   calibration_bins) in decimal; other numbers (bounds, threshold, alpha) as the shortest
 *   C "%.Ng", N from 1 to 17, that reads back as the same double ("0.8", "1", "1e-07");
 *   zero as "0";
 * - an approver is {"keyid","name","role"}: its key by the id the policy pins, so moving a
 *   key file or writing the same key inline keeps the meaning.
 *
 * Ownership: fg_policy_canonical hands the caller a malloc'd string; nothing is kept.
 */
#include "buf.h"
#include "fairgate.h"
#include "metric.h"
#include "policy.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* ---- building the tree (cJSON; numbers are raw text, written as formatted) ---- */

static bool add_text(cJSON *o, const char *key, const char *value)
{
    return (value ? cJSON_AddStringToObject(o, key, value) : cJSON_AddNullToObject(o, key)) != NULL;
}

static bool add_uint(cJSON *o, const char *key, uint64_t value)
{
    char text[32];
    snprintf(text, sizeof text, "%" PRIu64, value);
    return cJSON_AddRawToObject(o, key, text) != NULL;
}

/* The shortest "%.Ng" (N = 1..17) of value that strtod reads back as value; "0" for zero. */
static void format_double(double value, char out[32])
{
    if (value == 0) {
        snprintf(out, 32, "0");
        return;
    }
    for (int precision = 1; precision <= 17; precision++) {
        fg_snprintf_c(out, 32, "%.*g", precision, value);
        if (fg_strtod(out, NULL) == value)
            return;
    }
}

/* A number, or null when has is false. */
static bool add_double(cJSON *o, const char *key, bool has, double value)
{
    char text[32];
    if (!has)
        return cJSON_AddNullToObject(o, key) != NULL;
    format_double(value, text);
    return cJSON_AddRawToObject(o, key, text) != NULL;
}

static bool add_item(cJSON *o, const char *key, cJSON *item)
{
    if (item == NULL)
        return false;
    if (key == NULL ? cJSON_AddItemToArray(o, item) : cJSON_AddItemToObject(o, key, item))
        return true;
    cJSON_Delete(item);
    return false;
}

static cJSON *string_array(const char *const *values, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a != NULL && i < n; i++)
        if (!add_item(a, NULL, cJSON_CreateString(values[i]))) {
            cJSON_Delete(a);
            return NULL;
        }
    return a;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- the parts of a policy ---- */

/* {"prediction":C} or {"favorable":"above"|"below","score":C,"threshold":T}; null when the
 * policy names no such model. */
static cJSON *model_json(const struct fg_model_spec *model)
{
    if (!model->present)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL;
    if (ok && model->prediction != NULL)
        ok = add_text(o, "prediction", model->prediction);
    else if (ok)
        ok = add_text(o, "favorable", model->favorable == FG_FAVORABLE_ABOVE ? "above" : "below") &&
             add_text(o, "score", model->score) &&
             add_double(o, "threshold", true, model->threshold);
    if (!ok)
        cJSON_Delete(o);
    return ok ? o : NULL;
}

/* "highest", "largest", "between_groups", or {attribute: reference value}. */
static cJSON *reference_json(const struct fg_policy *policy, const struct fg_reference *ref)
{
    if (ref->kind != FG_REFERENCE_EXPLICIT)
        return cJSON_CreateString(fg_reference_kind_name(ref->kind));
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o != NULL && i < policy->data.n_protected; i++)
        if (!add_text(o, policy->data.protected[i], ref -> values[i])) {
            cJSON_Delete(o);
            return NULL;
        }
    return o;
}

static cJSON *intersections_json(const struct fg_policy *policy)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a != NULL && i < policy->data.n_intersections; i++) {
        const char *names[FG_MAX_PROTECTED];
        for (size_t j = 0; j < policy->data.intersection_sizes[i]; j++)
            names[j] = policy->data.protected[policy->data.intersections[i][j]];
        if (!add_item(a, NULL, string_array(names, policy->data.intersection_sizes[i]))) {
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

/* data.join as it applies: "id" whenever data.id is given, "position" when written, else
 * null (two files are then refused). */
static const char *effective_join(const struct fg_policy *policy)
{
    if (policy->data.id != NULL)
        return "id";
    return policy->data.join == FG_JOIN_POSITION ? "position" : NULL;
}

static cJSON *data_json(const struct fg_policy *policy)
{
    cJSON *o = cJSON_CreateObject();
    char delimiter[2] = {policy->data.delimiter, '\0'};
    bool ok = o != NULL && add_item(o, "candidate", model_json(&policy->data.candidate)) &&
              add_text(o, "delimiter", delimiter) &&
              add_text(o, "favorable_prediction", policy->data.favorable_prediction) &&
              add_text(o, "id", policy->data.id) &&
              add_item(o, "incumbent", model_json(&policy->data.incumbent)) &&
              add_item(o, "intersections", intersections_json(policy)) &&
              add_text(o, "join", effective_join(policy)) &&
              add_text(o, "label", policy->data.label) &&
              add_text(o, "missing", policy->data.missing == FG_MISSING_DROP ? "drop" : "error") &&
              add_text(o, "positive_label", policy->data.positive_label) &&
              add_item(o, "protected",
                       string_array((const char *const *)policy->data.protected,
                                    policy->data.n_protected));
    if (!ok)
        cJSON_Delete(o);
    return ok ? o : NULL;
}

static cJSON *defaults_json(const struct fg_policy *policy)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL && add_double(o, "alpha", true, policy->defaults.alpha) &&
              add_text(o, "correction", fg_correction_name(policy->defaults.correction)) &&
              add_text(o, "enforce", fg_enforce_name(policy->defaults.enforce)) &&
              add_text(o, "evidence", fg_evidence_name(policy->defaults.evidence)) &&
              add_uint(o, "min_group_size", policy->defaults.min_group_size) &&
              add_text(o, "on_small_group", fg_small_group_name(policy->defaults.on_small_group)) &&
              add_item(o, "reference", reference_json(policy, &policy->defaults.reference)) &&
              add_uint(o, "resamples", policy->defaults.resamples) &&
              add_uint(o, "seed", policy->defaults.seed);
    if (!ok)
        cJSON_Delete(o);
    return ok ? o : NULL;
}

/* Which group a disparity subtracts from which (an alias of a peer may reverse it); null
 * for an overall gate. */
static const char *gate_order(const struct fg_gate_spec *g)
{
    if (g->overall)
        return NULL;
    return g->reference_minus_group ? "reference_minus_group" : "group_minus_reference";
}

/* An inequality index computed as AIF360's code does (alpha 0 divided by the mean benefit;
 * between_group_* of two groups only): "aif360", "aif360_two_groups"; NULL otherwise. */
static const char *gate_variant(const struct fg_gate_spec *g)
{
    if (g->alias == NULL || !fg_metric_is_index(g->metric))
        return NULL;
    if (g->alias->form == FG_ALIAS_INDEX_AIF360)
        return "aif360";
    return g->alias->form == FG_ALIAS_INDEX_TWO_GROUPS ? "aif360_two_groups" : NULL;
}

/* The keys only some gates have, absent from the others (so that adding them changed no
 * existing policy's digest): ge_alpha, strata, variant. */
static bool add_own_keys(cJSON *o, const struct fg_policy *policy, const struct fg_gate_spec *g)
{
    const char *variant = gate_variant(g);
    return (!fg_metric_takes_alpha(g->metric) || add_double(o, "ge_alpha", true, g->ge_alpha)) &&
           (!fg_metric_takes_strata(g->metric) ||
            add_text(o, "strata", policy->data.protected[g->strata])) &&
           (variant == NULL || add_text(o, "variant", variant));
}

static cJSON *gate_json(const struct fg_policy *policy, const struct fg_gate_spec *g)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL && add_double(o, "alpha", true, g->alpha) &&
              add_text(o, "correction", fg_correction_name(g->correction)) &&
              add_text(o, "description", g->description) &&
              add_text(o, "disparity", g->overall ? NULL : fg_disparity_name(g->disparity)) &&
              add_text(o, "enforce", fg_enforce_name(g->enforce)) &&
              add_text(o, "evidence", fg_evidence_name(g->evidence)) && add_text(o, "id", g->id) &&
              add_double(o, "max", g->has_max, g->max) &&
              add_double(o, "max_worsening", g->has_max_worsening, g->max_worsening) &&
              add_text(o, "metric", fg_metric_name(g->metric)) &&
              add_double(o, "min", g->has_min, g->min) &&
              add_uint(o, "min_group_size", g->min_group_size) &&
              add_text(o, "on_small_group", fg_small_group_name(g->on_small_group)) &&
              add_text(o, "order", gate_order(g)) &&
              add_item(o, "overall", cJSON_CreateBool(g->overall)) &&
              add_item(o, "reference", reference_json(policy, &g->reference)) &&
              add_uint(o, "resamples", g->resamples) && add_uint(o, "seed", g->seed) &&
              add_own_keys(o, policy, g);
    if (!ok)
        cJSON_Delete(o);
    return ok ? o : NULL;
}

static int by_approver_name(const void *a, const void *b)
{
    return strcmp((*(const struct fg_approver *const *)a)->name,
                  (*(const struct fg_approver *const *)b)->name);
}

/* The approvers, sorted by name, each by the key id the policy pins. */
static cJSON *approvers_json(const struct fg_override_policy *o)
{
    const struct fg_approver **sorted = calloc(o->n_approvers + 1, sizeof *sorted);
    cJSON *a = sorted ? cJSON_CreateArray() : NULL;
    for (size_t i = 0; i < o->n_approvers; i++)
        sorted[i] = &o->approvers[i];
    if (a != NULL)
        qsort(sorted, o->n_approvers, sizeof *sorted, by_approver_name);
    for (size_t i = 0; a != NULL && i < o->n_approvers; i++) {
        cJSON *entry = cJSON_CreateObject();
        if (!add_item(a, NULL, entry) || !add_text(entry, "keyid", sorted[i]->keyid) ||
            !add_text(entry, "name", sorted[i]->name) ||
            !add_text(entry, "role", sorted[i]->role)) {
            cJSON_Delete(a);
            a = NULL;
        }
    }
    free(sorted);
    return a;
}

static cJSON *overrides_json(const struct fg_policy *policy)
{
    if (!policy->has_overrides)
        return cJSON_CreateNull();
    const struct fg_override_policy *ov = &policy->overrides;
    const char **gates = calloc(ov->n_not_overridable + 1, sizeof *gates);
    cJSON *o = gates ? cJSON_CreateObject() : NULL;
    for (size_t i = 0; i < ov->n_not_overridable; i++)
        gates[i] = ov->not_overridable[i];
    if (gates != NULL)
        qsort(gates, ov->n_not_overridable, sizeof *gates, by_string);
    bool ok = o != NULL && add_item(o, "approvers", approvers_json(ov)) &&
              add_uint(o, "max_days", ov->max_days) &&
              add_item(o, "not_overridable", string_array(gates, ov->n_not_overridable)) &&
              add_uint(o, "required_approvals", ov->required_approvals);
    free(gates);
    if (!ok)
        cJSON_Delete(o);
    return ok ? o : NULL;
}

static cJSON *policy_json(const struct fg_policy *policy)
{
    cJSON *root = cJSON_CreateObject(), *gates = cJSON_CreateArray();
    bool ok = root != NULL && add_item(root, "gates", gates);
    if (!ok)
        cJSON_Delete(gates);
    for (size_t i = 0; ok && i < policy->n_gates; i++)
        ok = add_item(gates, NULL, gate_json(policy, &policy->gates[i]));
    ok = ok && add_uint(root, "calibration_bins", policy->calibration_bins) &&
         add_item(root, "data", data_json(policy)) &&
         add_item(root, "defaults", defaults_json(policy)) &&
         add_text(root, "name", policy->name) &&
         add_item(root, "overrides", overrides_json(policy)) &&
         add_uint(root, "version", (uint64_t)policy->version);
    if (!ok)
        cJSON_Delete(root);
    return ok ? root : NULL;
}

/* ---- writing the tree ---- */

static void write_string(struct fg_buf *b, const char *s)
{
    static const char short_escape[] = {
        ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
    fg_buf_puts(b, "\"");
    const char *run = s;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        fg_buf_append(b, run, (size_t)(p - run));
        run = p + 1;
        if (ch == '"' || ch == '\\')
            fg_buf_add(b, "\\%c", ch);
        else if (ch < sizeof short_escape && short_escape[ch] != '\0')
            fg_buf_add(b, "\\%c", short_escape[ch]);
        else
            fg_buf_add(b, "\\u%04x", ch);
    }
    fg_buf_puts(b, run);
    fg_buf_puts(b, "\"");
}

static int by_key(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static bool write_value(struct fg_buf *b, const cJSON *v);

/* An object, its members in the order of their keys' bytes. */
static bool write_object(struct fg_buf *b, const cJSON *o)
{
    size_t n = (size_t)cJSON_GetArraySize(o), i = 0;
    const cJSON **members = calloc(n + 1, sizeof *members);
    if (members == NULL)
        return false;
    for (const cJSON *m = o->child; m != NULL; m = m->next)
        members[i++] = m;
    qsort(members, n, sizeof *members, by_key);
    bool ok = true;
    fg_buf_puts(b, "{");
    for (i = 0; ok && i < n; i++) {
        if (i > 0)
            fg_buf_puts(b, ",");
        write_string(b, members[i]->string);
        fg_buf_puts(b, ":");
        ok = write_value(b, members[i]);
    }
    fg_buf_puts(b, "}");
    free(members);
    return ok;
}

static bool write_value(struct fg_buf *b, const cJSON *v)
{
    if (cJSON_IsObject(v))
        return write_object(b, v);
    if (cJSON_IsArray(v)) {
        bool ok = true;
        fg_buf_puts(b, "[");
        for (const cJSON *item = v->child; ok && item != NULL; item = item->next) {
            if (item != v->child)
                fg_buf_puts(b, ",");
            ok = write_value(b, item);
        }
        fg_buf_puts(b, "]");
        return ok;
    }
    if (cJSON_IsString(v))
        write_string(b, v->valuestring);
    else if (cJSON_IsRaw(v))
        fg_buf_puts(b, v->valuestring);
    else
        fg_buf_puts(b, cJSON_IsNull(v) ? "null" : cJSON_IsTrue(v) ? "true" : "false");
    return true;
}

/* ---- entry point ---- */

enum fg_status fg_policy_canonical(const struct fg_policy *policy, char **out, struct fg_error *err)
{
    *out = NULL;
    cJSON *root = policy_json(policy);
    struct fg_buf b = fg_buf_new(FG_BUF_CAP_POLICY, "the policy's canonical serialisation");
    if (root == NULL || !write_value(&b, root))
        b.nomem = true;
    cJSON_Delete(root);
    return fg_buf_finish(&b, out, err);
}
