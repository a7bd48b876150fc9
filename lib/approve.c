/*
 * approve.c - making an approval (`fairgate override`): the request is checked against the
 * policy and, when it is given, against the audit of the run approved, so that what check
 * would refuse (lib/override.c) is refused here, with the reason, and nothing is signed.
 *
 * The payload, in this key order (extended, never changed: a payload of one gate is what it
 * always was):
 *   one gate:  {"gate","group"|null,"slice"|null, COMMON}
 *   several:   {"gates":[{"gate","group"|null,"slice"|null}, ...], COMMON}
 *   COMMON:    "approver","role","reason","ticket"|null,"created","expires", BINDING
 *   BINDING:   "candidate_sha256","incumbent_sha256"|null,"policy_sha256",
 *              "policy_canonical_sha256"
 * What an approval binds is decided in one place, approval_binding (from the files given,
 * or from what the audit records), and written in one, add_binding.
 *
 * Ownership: a plan owns its scopes' slices and labels (plan_free); the audit tree is the
 * caller's of fg_override_create_for_audit, parsed and deleted there.
 */
#define _POSIX_C_SOURCE 200809L

#include "override.h"
#include "buf.h"
#include "dsse.h"
#include "fairgate.h"
#include "json.h"
#include "metrics.h"
#include "policy.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define OVERRIDE_PAYLOAD_TYPE "application/vnd.fairgate.override+json"
#define MAX_COUNTS_BOUND      4096 /* counts files an audit may list for a binding */

/* ---- the request: signer, expiry ---- */

static bool add_str(cJSON *o, const char *key, const char *value)
{
    return (value ? cJSON_AddStringToObject(o, key, value) : cJSON_AddNullToObject(o, key)) != NULL;
}

/* The policy allows overrides and lists the approver with that role, whose pinned key is
 * the signing key. */
static enum fg_status check_request_signer(const struct fg_policy *policy,
                                           const struct fg_override_request *req,
                                           const struct fg_key *key, struct fg_error *err)
{
    if (!policy->has_overrides)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "the policy allows no overrides (it has no 'overrides' section)");
    const struct fg_approver *approver = fg_override_find_approver(policy, req->approver);
    if (approver == NULL)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "approver '%s' is not listed in the policy's overrides.approvers",
                            req->approver);
    if (strcmp(approver->role, req->role) != 0)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "approver '%s' has role '%s' in the policy, not '%s'", req->approver,
                            approver->role, req->role);
    struct fg_key *listed = NULL;
    enum fg_status st = fg_override_load_approver_key(policy, approver, &listed, err);
    if (st != FG_OK)
        return st;
    char listed_id[65], key_id[65];
    fg_key_id(listed, listed_id);
    fg_key_id(key, key_id);
    fg_key_free(listed);
    if (strcmp(listed_id, key_id) != 0)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "the signing key (%.16s...) is not the key the policy lists for "
                            "approver '%s' (%.16s...)",
                            key_id, req->approver, listed_id);
    return FG_OK;
}
/* The request's expiry is a date YYYY-MM-DD, not past at `now`, and within
 * overrides.max_days. */
static enum fg_status check_request_expiry(const struct fg_policy *policy,
                                           const struct fg_override_request *req, long long now,
                                           struct fg_error *err)
{
    long long expires_day;
    if (!fg_override_parse_date(req->expires, &expires_day) || strlen(req->expires) != 10)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "--expires '%s' is not a date YYYY-MM-DD", req->expires);
    if ((expires_day + 1) * FG_SECONDS_PER_DAY <= now)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "--expires %s is in the past",
                            req->expires);
    long long valid_days = expires_day - fg_override_day_of(now);
    if (valid_days > (long long)policy->overrides.max_days)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "--expires %s is %lld days away; the policy allows at most %llu",
                            req->expires, valid_days,
                            (unsigned long long)policy->overrides.max_days);
    return FG_OK;
}

/* ---- what an approval binds ---- */

/* The SHA-256 of the candidate (given, or of its file) and of the incumbent file, if any. */
static enum fg_status request_digests(const struct fg_override_request *req, char candidate_sha[65],
                                      char incumbent_sha[65], struct fg_error *err)
{
    enum fg_status st;
    if (req->candidate_sha256 != NULL)
        snprintf(candidate_sha, 65, "%s", req->candidate_sha256);
    else if ((st = fg_file_sha256(req->candidate_path, candidate_sha, err)) != FG_OK)
        return st;
    if (req->incumbent_path != NULL &&
        (st = fg_file_sha256(req->incumbent_path, incumbent_sha, err)) != FG_OK)
        return st;
    return FG_OK;
}

/* A group label, if any (NULL: the whole gate), parsed into *sl and rendered again into
 * *label, as the audit shows it. */
static enum fg_status request_group(const struct fg_policy *policy, const char *group,
                                    struct fg_slice *sl, char **label, struct fg_error *err)
{
    *label = NULL;
    if (group == NULL)
        return FG_OK;
    enum fg_status st = fg_override_parse_group(policy, group, sl, err);
    if (st != FG_OK)
        return st;
    const char *attrs[FG_MAX_PROTECTED];
    for (size_t k = 0; k < sl->n; k++)
        attrs[k] = policy->data.protected[sl->attrs[k]];
    if ((*label = fg_group_label(attrs, (const char *const *)sl->values, sl->n)) == NULL) {
        fg_slice_clear(sl);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    return FG_OK;
}

/* ---- reading the audit ---- */

static const cJSON *item(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *string_of(const cJSON *o, const char *key)
{
    const cJSON *it = item(o, key);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const char *string_or(const cJSON *o, const char *key, const char *otherwise)
{
    const char *s = string_of(o, key);
    return s != NULL ? s : otherwise;
}

static bool is(const char *s, const char *want)
{
    return s != NULL && strcmp(s, want) == 0;
}

/* The digests of an approval: what check compares with its run's (lib/override.c). */
struct approval_binding {
    char candidate[65];
    char incumbent[65]; /* "": the run read no separate incumbent file */
    char policy[65];
    char policy_canonical[65]; /* the canonical digest of the policy's meaning */
};

/* The candidate digest an audit records: its candidate file's, or the binding of its counts
 * files (fg_counts_binding_sha256), as check computes it. */
static enum fg_status audit_candidate(const cJSON *inputs, char out[65], struct fg_error *err)
{
    const cJSON *candidate = item(inputs, "candidate"), *counts = item(inputs, "counts");
    if (cJSON_IsObject(candidate) && fg_is_hex64(string_of(candidate, "sha256"))) {
        snprintf(out, 65, "%s", string_of(candidate, "sha256"));
        return FG_OK;
    }
    int n = cJSON_IsArray(counts) ? cJSON_GetArraySize(counts) : 0;
    const char **digests =
        n > 0 && n <= MAX_COUNTS_BOUND ? calloc((size_t)n, sizeof *digests) : NULL;
    for (int i = 0; digests != NULL && i < n; i++)
        if (!fg_is_hex64(digests[i] = string_of(cJSON_GetArrayItem(counts, i), "sha256")))
            n = 0;
    if (digests != NULL && n > 0)
        fg_counts_binding_sha256(digests, (size_t)n, out);
    bool bound = digests != NULL && n > 0;
    free(digests);
    if (!bound)
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "the audit records no digest of its candidate or counts files "
                            "(inputs.candidate.sha256, inputs.counts[].sha256)");
    return FG_OK;
}

/* The candidate and incumbent digests an audit records, once its policy is the one given
 * (the same file, or the same meaning). An incumbent that is the candidate file itself (the same
 * path and digest: the incumbent's column of the candidate file) is no separate file. */
static enum fg_status binding_from_audit(const struct fg_policy *policy, const cJSON *audit,
                                         struct approval_binding *b, struct fg_error *err)
{
    const cJSON *audit_policy = item(audit, "policy");
    const char *policy_sha = string_of(audit_policy, "sha256");
    if (!fg_is_hex64(policy_sha))
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0, "the audit records no policy sha256");
    /* The same file, or one of the same meaning (reformatted, commented: the canonical
     * digest, which audits record since approvals bind it). */
    if (strcmp(policy_sha, policy->sha256) != 0 &&
        !is(string_of(audit_policy, "canonical_sha256"), policy->canonical_sha256))
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "is not the policy the audit was made with (its sha256 is %.16s..., "
                            "the audit's %.16s..., from '%s', and their meaning differs); give "
                            "that policy, or check the run again with this one",
                            policy->sha256, policy_sha, string_or(audit_policy, "path", "?"));
    const cJSON *inputs = item(audit, "inputs");
    enum fg_status st = audit_candidate(inputs, b->candidate, err);
    if (st != FG_OK)
        return st;
    const cJSON *incumbent = item(inputs, "incumbent"), *candidate = item(inputs, "candidate");
    b->incumbent[0] = '\0';
    if (incumbent == NULL || cJSON_IsNull(incumbent))
        return FG_OK;
    const char *sha = string_of(incumbent, "sha256"), *path = string_of(incumbent, "path");
    if (!fg_is_hex64(sha) || path == NULL)
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "the audit's inputs.incumbent has no path and sha256");
    if (!is(string_of(candidate, "sha256"), sha) || !is(string_of(candidate, "path"), path))
        snprintf(b->incumbent, sizeof b->incumbent, "%s", sha);
    return FG_OK;
}

/* What the approval binds: the files the request names (the candidate or its counts
 * binding, the incumbent), or, when it names none, what the audit records; and always the
 * policy the approver gave, by both its digests. Never the audit's policy digest: an audit
 * taken on trust could name the file digest of another policy (of another meaning) beside
 * this one's canonical digest, and check accepts either. The one place that decides it. */
static enum fg_status approval_binding(const struct fg_policy *policy, const cJSON *audit,
                                       const struct fg_override_request *req,
                                       struct approval_binding *b, struct fg_error *err)
{
    memset(b, 0, sizeof *b);
    snprintf(b->policy, sizeof b->policy, "%s", policy->sha256);
    snprintf(b->policy_canonical, sizeof b->policy_canonical, "%s", policy->canonical_sha256);
    if (req->candidate_path == NULL && req->candidate_sha256 == NULL) {
        if (audit == NULL)
            return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                                "an approval needs the candidate (or counts) files, or the "
                                "audit of the run it approves");
        return binding_from_audit(policy, audit, b, err);
    }
    enum fg_status st = request_digests(req, b->candidate, b->incumbent, err);
    if (req->incumbent_path == NULL)
        b->incumbent[0] = '\0';
    return st;
}

/* Writes the binding into the payload, in its key order. */
static bool add_binding(cJSON *o, const struct approval_binding *b)
{
    return add_str(o, "candidate_sha256", b->candidate) &&
           add_str(o, "incumbent_sha256", b->incumbent[0] ? b->incumbent : NULL) &&
           add_str(o, "policy_sha256", b->policy) &&
           add_str(o, "policy_canonical_sha256", b->policy_canonical);
}

/* ---- the gates approved ---- */

/* One gate approved, checked: the policy's gate, the group (sl.n 0, label NULL: the whole
 * gate) and the gate's entry in the audit (NULL without an audit). */
struct planned_scope {
    const char *gate;
    struct fg_slice sl;
    char *label;
    const cJSON *audit_gate;
};

struct plan {
    struct planned_scope *scopes;
    size_t n;
};

static void plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        fg_slice_clear(&p->scopes[i].sl);
        free(p->scopes[i].label);
    }
    free(p->scopes);
    p->scopes = NULL;
    p->n = 0;
}

static const cJSON *audit_gate_of(const cJSON *audit, const char *id)
{
    const cJSON *gate;
    cJSON_ArrayForEach(gate, item(audit, "gates"))
    {
        if (is(string_of(gate, "id"), id))
            return gate;
    }
    return NULL;
}

/* A gate failed in the audit: its status is fail, or overridden (it failed, and approvals
 * the run was given covered it). */
static bool audit_gate_failed(const cJSON *gate)
{
    const char *status = string_of(gate, "status");
    return is(status, "fail") || is(status, "overridden");
}

/* A result made its gate fail, as lib/override.c's result_blocks says, before overrides. */
static bool audit_result_blocks(const cJSON *gate, const cJSON *result)
{
    const char *status = string_of(result, "status");
    return is(status, "fail") || is(status, "overridden") ||
           (is(status, "insufficient_data") && is(string_of(gate, "on_small_group"), "fail"));
}

/* A result's slice is the group: the same attributes and values, byte for byte. */
static bool audit_slice_is(const struct fg_policy *policy, const struct fg_slice *sl,
                           const cJSON *result)
{
    const cJSON *slice = item(result, "slice");
    if (!cJSON_IsObject(slice) || (size_t)cJSON_GetArraySize(slice) != sl->n)
        return false;
    for (size_t k = 0; k < sl->n; k++)
        if (!is(string_of(slice, policy->data.protected[sl->attrs[k]]), sl->values[k]))
            return false;
    return true;
}

/* The labels of a gate's failing results, for a message. */
static void failing_labels(const cJSON *gate, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    const cJSON *result;
    cJSON_ArrayForEach(result, item(gate, "results"))
    {
        const char *label = string_of(result, "label");
        if (label == NULL || !audit_result_blocks(gate, result) || n + 1 >= size)
            continue;
        int w = snprintf(out + n, size - n, "%s%s", n ? ", " : "", label);
        n = w < 0 || (size_t)w >= size - n ? size - 1 : n + (size_t)w;
    }
}

/* The group is one of the gate's failing results in the audit. */
static enum fg_status check_audit_group(const struct fg_policy *policy,
                                        const struct planned_scope *sc, struct fg_error *err)
{
    const cJSON *result;
    cJSON_ArrayForEach(result, item(sc->audit_gate, "results"))
    {
        if (audit_slice_is(policy, &sc->sl, result) && audit_result_blocks(sc->audit_gate, result))
            return FG_OK;
    }
    char failing[512];
    failing_labels(sc->audit_gate, failing, sizeof failing);
    return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                        "group '%s' is not among the failing results of gate '%s' (%s%s); "
                        "check would not apply the approval",
                        sc->label, sc->gate, failing[0] ? "those are: " : "it has none", failing);
}

/* Checks one gate approved (and its group) against the policy and the audit. */
static enum fg_status plan_one(const struct fg_policy *policy, const cJSON *audit, const char *id,
                               const char *group, struct planned_scope *sc, struct fg_error *err)
{
    const struct fg_gate_spec *spec = id ? fg_override_find_gate(policy, id, NULL) : NULL;
    if (spec == NULL)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0, "the policy has no gate '%s'",
                            id ? id : "");
    sc->gate = spec->id;
    if (!fg_override_gate_overridable(policy, id))
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "gate '%s' is not overridable (overrides.not_overridable)", id);
    if (spec->enforce == FG_ENFORCE_WARN)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "gate '%s' is advisory (enforce: warn): its failure never blocks a "
                            "release, so there is nothing to approve",
                            id);
    if (audit != NULL && (sc->audit_gate = audit_gate_of(audit, id)) == NULL)
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0, "the audit has no gate '%s'", id);
    if (audit != NULL && !audit_gate_failed(sc->audit_gate))
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "gate '%s' did not fail (its status in the audit is '%s'); there is "
                            "nothing to approve",
                            id, string_or(sc->audit_gate, "status", "none"));
    enum fg_status st = request_group(policy, group, &sc->sl, &sc->label, err);
    if (st == FG_OK && sc->label != NULL && audit != NULL)
        st = check_audit_group(policy, sc, err);
    return st;
}

/* Adds one scope to the plan, refusing one named twice, and a gate approved whole and for a
 * group (the group approval would say less than the whole one beside it; check refuses such a
 * payload). Groups compare by their labels as rendered again, so two spellings of one group
 * are one group. */
static enum fg_status plan_add(const struct fg_policy *policy, const cJSON *audit, const char *id,
                               const char *group, struct plan *p, struct fg_error *err)
{
    struct planned_scope *sc = &p->scopes[p->n++];
    enum fg_status st = plan_one(policy, audit, id, group, sc, err);
    for (size_t i = 0; st == FG_OK && i + 1 < p->n; i++) {
        const struct planned_scope *before = &p->scopes[i];
        if (strcmp(before->gate, sc->gate) != 0)
            continue;
        if (sc->label == NULL ? before->label == NULL : is(before->label, sc->label))
            st = fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "gate '%s'%s%s is named twice",
                              sc->gate, sc->label ? ", group " : "", sc->label ? sc->label : "");
        else if (sc->label == NULL || before->label == NULL)
            st = fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                              "gate '%s' is named as a whole and for group %s: approve the whole "
                              "gate or its groups, not both",
                              sc->gate, sc->label ? sc->label : before->label);
    }
    return st;
}

/* The gates the request approves, each checked: its scopes, its gate and group, or every
 * gate that failed in the audit. */
static enum fg_status plan_scopes(const struct fg_policy *policy, const cJSON *audit,
                                  const struct fg_override_request *req, struct plan *p,
                                  struct fg_error *err)
{
    if (req->all_failing && audit == NULL)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "approving every failing gate needs the audit of the run");
    size_t n = req->all_failing    ? (size_t)cJSON_GetArraySize(item(audit, "gates"))
               : req->n_scopes > 0 ? req->n_scopes
                                   : 1;
    if ((p->scopes = calloc(n + 1, sizeof *p->scopes)) == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    enum fg_status st = FG_OK;
    if (req->all_failing) {
        const cJSON *gate;
        size_t advisory = 0;
        cJSON_ArrayForEach(gate, item(audit, "gates"))
        {
            /* an advisory gate (enforce: warn) never blocks: nothing to approve */
            const char *id = string_of(gate, "id");
            const struct fg_gate_spec *spec = id ? fg_override_find_gate(policy, id, NULL) : NULL;
            bool failed = is(string_of(gate, "status"), "fail");
            bool advisory_gate = spec != NULL && spec->enforce == FG_ENFORCE_WARN;
            advisory += failed && advisory_gate;
            if (st == FG_OK && failed && !advisory_gate && p->n < n)
                st = plan_add(policy, audit, id, NULL, p, err);
        }
        if (st == FG_OK && p->n == 0)
            st = fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                              "no blocking gate failed in the audit%s; there is nothing to "
                              "approve",
                              advisory > 0 ? " (only advisory gates, enforce: warn, which "
                                             "never block)"
                                           : "");
    } else {
        for (size_t i = 0; i < n && st == FG_OK; i++)
            st = req->n_scopes > 0
                     ? plan_add(policy, audit, req->scopes[i].gate, req->scopes[i].group, p, err)
                     : plan_add(policy, audit, req->gate, req->group, p, err);
    }
    return st;
}

/* ---- what the approver sees ---- */

static void add_number_text(struct fg_buf *b, const cJSON *v)
{
    if (cJSON_IsNumber(v))
        fg_buf_add(b, "%.6g", v->valuedouble);
    else
        fg_buf_puts(b, "null");
}

/* One failing result: "  fail     race=Black: 0.612 (min 0.8), n 512". */
static void describe_result(struct fg_buf *b, const cJSON *result)
{
    fg_buf_add_escaped(b, "  %-8s %s: ", string_or(result, "status", "?"),
                       string_or(result, "label", "?"));
    add_number_text(b, item(result, "value"));
    const cJSON *limit;
    bool first = true;
    cJSON_ArrayForEach(limit, item(result, "bound"))
    {
        fg_buf_add_escaped(b, "%s%s ", first ? " (" : ", ", limit->string ? limit->string : "");
        add_number_text(b, limit);
        first = false;
    }
    if (!first)
        fg_buf_puts(b, ")");
    if (cJSON_IsNumber(item(result, "n")))
        fg_buf_add(b, ", n %.0f", item(result, "n")->valuedouble);
    fg_buf_puts(b, "\n");
}

/* A gate approved and the failing results it covers (all, or its group's). */
static void describe_scope(struct fg_buf *b, const struct fg_policy *policy,
                           const struct planned_scope *sc)
{
    fg_buf_add_escaped(b, "approving gate '%s'%s%s", sc->gate,
                       sc->label ? ", group " : " (the whole gate)", sc->label ? sc->label : "");
    if (sc->audit_gate == NULL) {
        fg_buf_puts(b, "\n");
        return;
    }
    fg_buf_add_escaped(b, ": %s, status %s; failing:", string_or(sc->audit_gate, "metric", "?"),
                       string_or(sc->audit_gate, "status", "?"));
    fg_buf_puts(b, "\n");
    size_t shown = 0;
    const cJSON *result;
    cJSON_ArrayForEach(result, item(sc->audit_gate, "results"))
    {
        if (audit_result_blocks(sc->audit_gate, result) &&
            (sc->label == NULL || audit_slice_is(policy, &sc->sl, result))) {
            describe_result(b, result);
            shown++;
        }
    }
    if (shown == 0)
        fg_buf_puts(b, "  (no group result: the gate failed as a whole)\n");
}

/* What is approved, for one line: "gate 'a', group G" or "gates 'a', 'b' (group G)". */
static void describe_plan(struct fg_buf *b, const struct plan *p)
{
    fg_buf_puts(b, p->n == 1 ? "gate " : "gates ");
    for (size_t i = 0; i < p->n; i++) {
        const struct planned_scope *sc = &p->scopes[i];
        fg_buf_add_escaped(b, "%s'%s'", i ? ", " : "", sc->gate);
        if (sc->label != NULL)
            fg_buf_add_escaped(b, p->n == 1 ? ", group %s" : " (group %s)", sc->label);
    }
}

/* ---- the payload ---- */

static bool add_scope(cJSON *o, const struct fg_policy *policy, const struct planned_scope *sc)
{
    bool ok = add_str(o, "gate", sc->gate) && add_str(o, "group", sc->label);
    cJSON *slice = ok && sc->label ? cJSON_AddObjectToObject(o, "slice") : NULL;
    ok = ok && (sc->label ? slice != NULL : cJSON_AddNullToObject(o, "slice") != NULL);
    for (size_t k = 0; ok && k < sc->sl.n; k++)
        ok = add_str(slice, policy->data.protected[sc->sl.attrs[k]], sc -> sl.values[k]);
    return ok;
}

/* The scopes: one gate's keys in the payload itself, several in 'gates'. */
static bool add_scopes(cJSON *o, const struct fg_policy *policy, const struct plan *p)
{
    if (p->n == 1)
        return add_scope(o, policy, &p->scopes[0]);
    cJSON *gates = cJSON_AddArrayToObject(o, "gates");
    bool ok = gates != NULL;
    for (size_t i = 0; ok && i < p->n; i++) {
        cJSON *entry = cJSON_CreateObject();
        if (entry == NULL || !cJSON_AddItemToArray(gates, entry)) {
            cJSON_Delete(entry);
            return false;
        }
        ok = add_scope(entry, policy, &p->scopes[i]);
    }
    return ok;
}

/* The payload as a cJSON tree in its fixed key order; NULL when out of memory. */
static cJSON *override_payload(const struct fg_policy *policy,
                               const struct fg_override_request *req, const struct plan *p,
                               const struct approval_binding *binding, long long now)
{
    char created[32];
    fg_override_format_timestamp(now, created);
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL && add_scopes(o, policy, p) && add_str(o, "approver", req->approver) &&
              add_str(o, "role", req->role) && add_str(o, "reason", req->reason) &&
              add_str(o, "ticket", req->ticket) && add_str(o, "created", created) &&
              add_str(o, "expires", req->expires) && add_binding(o, binding);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Signs the payload: the envelope line. */
static enum fg_status sign_payload(const cJSON *payload, const struct fg_key *key,
                                   char **envelope_line, struct fg_error *err)
{
    char *text = cJSON_PrintUnformatted(payload);
    if (text == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    char *envelope = NULL;
    enum fg_status st = fg_dsse_sign(key, OVERRIDE_PAYLOAD_TYPE, (const unsigned char *)text,
                                     strlen(text), &envelope, err);
    cJSON_free(text);
    if (st == FG_OK)
        st = fg_text_end_line(&envelope, err);
    *envelope_line = envelope;
    return st;
}

/* ---- making it ---- */

/* The preview and the scope line; when not signing, the payload that would be signed. */
static enum fg_status describe(const struct fg_policy *policy, const struct plan *p,
                               const struct approval_binding *binding, const cJSON *payload,
                               bool sign, struct fg_override_result *out, struct fg_error *err)
{
    struct fg_buf b = fg_buf_new(FG_BUF_CAP_REPORT, "the approval's preview");
    for (size_t i = 0; i < p->n; i++)
        describe_scope(&b, policy, &p->scopes[i]);
    /* The digests signed, so that an approver can compare them with the files released
     * (from an audit taken on trust, they are only what that audit says). */
    fg_buf_add(&b, "bound to: candidate sha256 %s, incumbent %s, policy sha256 %s\n",
               binding->candidate, binding->incumbent[0] ? binding->incumbent : "none",
               binding->policy);
    char *printed = sign ? NULL : cJSON_Print(payload);
    if (!sign) {
        fg_buf_puts(&b, "dry run: nothing written; the payload that would be signed:\n");
        fg_buf_puts(&b, printed != NULL ? printed : "");
        fg_buf_puts(&b, "\n");
    }
    cJSON_free(printed);
    struct fg_buf scope = fg_buf_new(FG_BUF_CAP_REPORT, "the approval's scope");
    describe_plan(&scope, p);
    enum fg_status st = fg_buf_finish(&b, &out->preview, err);
    struct fg_error ignored;
    enum fg_status st2 = fg_buf_finish(&scope, &out->scope, st == FG_OK ? err : &ignored);
    return st != FG_OK ? st : st2;
}

/* Parses the audit text (NULL: none) into *audit. */
static enum fg_status parse_audit(const char *audit_json, cJSON **audit, struct fg_error *err)
{
    *audit = NULL;
    if (audit_json == NULL)
        return FG_OK;
    enum fg_status st =
        fg_json_parse_strict(audit_json, strlen(audit_json), "the audit", audit, err);
    if (st == FG_OK && !cJSON_IsObject(*audit))
        st = fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0, "the audit is not a JSON object");
    return st;
}

enum fg_status fg_override_create_for_audit(const struct fg_policy *policy, const char *audit_json,
                                            const struct fg_override_request *req,
                                            const struct fg_key *key, long long now, bool sign,
                                            struct fg_override_result *out, struct fg_error *err)
{
    cJSON *audit = NULL, *payload = NULL;
    struct plan p = {0};
    struct approval_binding binding;
    enum fg_status st = check_request_signer(policy, req, key, err);
    if (st == FG_OK)
        st = check_request_expiry(policy, req, now, err);
    if (st == FG_OK && req->reason[0] == '\0')
        st = fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "--reason must not be empty");
    if (st == FG_OK)
        st = parse_audit(audit_json, &audit, err);
    if (st == FG_OK)
        st = approval_binding(policy, audit, req, &binding, err);
    if (st == FG_OK)
        st = plan_scopes(policy, audit, req, &p, err);
    if (st == FG_OK && (payload = override_payload(policy, req, &p, &binding, now)) == NULL)
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st == FG_OK)
        st = describe(policy, &p, &binding, payload, sign, out, err);
    if (st == FG_OK && sign)
        st = sign_payload(payload, key, &out->envelope, err);
    cJSON_Delete(payload);
    cJSON_Delete(audit);
    plan_free(&p);
    return st;
}

void fg_override_result_free(struct fg_override_result *result)
{
    if (result == NULL)
        return;
    free(result->report);
    free(result->preview);
    free(result->scope);
    free(result->envelope);
    free(result);
}

enum fg_status fg_override_create(const struct fg_policy *policy,
                                  const struct fg_override_request *req, const struct fg_key *key,
                                  long long now, char **envelope_line, struct fg_error *err)
{
    struct fg_override_result made = {0};
    enum fg_status st = fg_override_create_for_audit(policy, NULL, req, key, now, true, &made, err);
    *envelope_line = st == FG_OK ? made.envelope : NULL;
    if (st != FG_OK)
        free(made.envelope);
    free(made.preview);
    free(made.scope);
    return st;
}
