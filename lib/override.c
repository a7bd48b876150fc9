/*
 * override.c - signed human approvals to ship despite a failed gate (DESIGN section 6).
 *
 * An override is a DSSE envelope, payloadType application/vnd.fairgate.override+json,
 * whose payload is, in this key order:
 *   {"gate","group"|null,"approver","role","reason","ticket"|null,
 *    "created":"YYYY-MM-DDTHH:MM:SSZ","expires":"YYYY-MM-DD",
 *    "candidate_sha256","policy_sha256"}
 * `check` applies one only if all hold, in this order (the first that fails is the reason
 * recorded): it is a DSSE envelope of that type; the payload has every field; the policy
 * allows overrides and lists the approver with that role; the signature verifies with the
 * approver's listed public key; the candidate and policy digests match; the gate exists,
 * is overridable, and failed; the group, when named, is a group of that gate; it is not
 * expired (valid through the end of its expiry day, UTC) and its validity, from the day it
 * was created to its expiry day, is at most overrides.max_days days; and enough distinct
 * approvers signed for the same gate (and group): overrides.required_approvals. The same
 * approver twice counts once.
 *
 * A failed gate becomes `overridden` when every result that made it fail is covered by an
 * applied override of the whole gate or of that result's group.
 */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#define OVERRIDE_PAYLOAD_TYPE "application/vnd.fairgate.override+json"
#define MAX_OVERRIDE_BYTES    (1u << 20)
#define SECONDS_PER_DAY       86400LL

/* ---- dates ---- */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Strict YYYY-MM-DD (a real calendar date) to days since the epoch. */
static bool parse_date(const char *s, long long *days)
{
    unsigned y, m, d;
    if (s == NULL || strlen(s) < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
        !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1)
        return false;
    static const unsigned month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > month_days[m - 1] + (m == 2 && leap))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

/* Strict YYYY-MM-DDTHH:MM:SSZ to seconds since the epoch. */
static bool parse_timestamp(const char *s, long long *seconds)
{
    long long days;
    unsigned hh, mm, ss;
    if (s == NULL || strlen(s) != 20 || !parse_date(s, &days) || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z' || !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mm) ||
        !digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
        return false;
    *seconds = days * SECONDS_PER_DAY + hh * 3600LL + mm * 60LL + ss;
    return true;
}

static void format_timestamp(long long seconds, char out[32])
{
    time_t t = (time_t)seconds;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

static long long floor_days(long long seconds)
{
    return seconds >= 0 ? seconds / SECONDS_PER_DAY
                        : -((-seconds + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
}

/* ---- the policy side ---- */

static const struct fg_approver *find_approver(const struct fg_policy *policy, const char *name)
{
    for (size_t i = 0; i < policy->overrides.n_approvers; i++)
        if (strcmp(policy->overrides.approvers[i].name, name) == 0)
            return &policy->overrides.approvers[i];
    return NULL;
}

static const struct fg_gate_spec *find_gate(const struct fg_policy *policy, const char *id,
                                            size_t *index)
{
    for (size_t i = 0; i < policy->n_gates; i++) {
        if (strcmp(policy->gates[i].id, id) == 0) {
            if (index != NULL)
                *index = i;
            return &policy->gates[i];
        }
    }
    return NULL;
}

static bool overridable(const struct fg_policy *policy, const char *gate)
{
    for (size_t i = 0; i < policy->overrides.n_not_overridable; i++)
        if (strcmp(policy->overrides.not_overridable[i], gate) == 0)
            return false;
    return true;
}

/* Loads the public key the policy lists for an approver: its path is relative to the
 * folder of the policy file. */
static enum fg_status load_approver_key(const struct fg_policy *policy,
                                        const struct fg_approver *approver, struct fg_key **key,
                                        struct fg_error *err)
{
    char path[4096];
    const char *slash = strrchr(policy->path, '/');
    int n;
    if (approver->public_key[0] == '/' || slash == NULL)
        n = snprintf(path, sizeof path, "%s", approver->public_key);
    else
        n = snprintf(path, sizeof path, "%.*s/%s", (int)(slash - policy->path), policy->path,
                     approver->public_key);
    if (n < 0 || (size_t)n >= sizeof path)
        return fg_error_set(err, FG_ERR_POLICY, policy->path, 0, 0,
                            "the public key path of approver '%s' is too long", approver->name);
    enum fg_status st = fg_key_load_public(path, key, err);
    if (st != FG_OK && err != NULL) {
        char inner[sizeof err->message];
        snprintf(inner, sizeof inner, "%s", err->message);
        fg_error_set(err, st, path, 0, 0, "public key of approver '%s' (from the policy): %s",
                     approver->name, inner);
    }
    return st;
}

/* ---- creating ---- */

static bool add_str(cJSON *o, const char *key, const char *value)
{
    return (value ? cJSON_AddStringToObject(o, key, value) : cJSON_AddNullToObject(o, key)) != NULL;
}

enum fg_status fg_override_create(const struct fg_policy *policy,
                                  const struct fg_override_request *req, const struct fg_key *key,
                                  long long now, char **envelope_line, struct fg_error *err)
{
    *envelope_line = NULL;
    if (!policy->has_overrides)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "the policy allows no overrides (it has no 'overrides' section)");
    if (find_gate(policy, req->gate, NULL) == NULL)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0, "the policy has no gate '%s'",
                            req->gate);
    if (!overridable(policy, req->gate))
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "gate '%s' is not overridable (overrides.not_overridable)", req->gate);
    const struct fg_approver *approver = find_approver(policy, req->approver);
    if (approver == NULL)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "approver '%s' is not listed in the policy's overrides.approvers",
                            req->approver);
    if (strcmp(approver->role, req->role) != 0)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "approver '%s' has role '%s' in the policy, not '%s'", req->approver,
                            approver->role, req->role);
    struct fg_key *listed = NULL;
    enum fg_status st = load_approver_key(policy, approver, &listed, err);
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
    long long expires_day;
    if (!parse_date(req->expires, &expires_day) || strlen(req->expires) != 10)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "--expires '%s' is not a date YYYY-MM-DD", req->expires);
    if ((expires_day + 1) * SECONDS_PER_DAY <= now)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "--expires %s is in the past",
                            req->expires);
    long long valid_days = expires_day - floor_days(now);
    if (valid_days > (long long)policy->overrides.max_days)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "--expires %s is %lld days away; the policy allows at most %llu",
                            req->expires, valid_days,
                            (unsigned long long)policy->overrides.max_days);
    if (req->reason[0] == '\0')
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "--reason must not be empty");
    char candidate_sha[65];
    if (req->candidate_sha256 != NULL)
        snprintf(candidate_sha, sizeof candidate_sha, "%s", req->candidate_sha256);
    else if ((st = fg_file_sha256(req->candidate_path, candidate_sha, err)) != FG_OK)
        return st;

    char created[32];
    format_timestamp(now, created);
    cJSON *o = cJSON_CreateObject();
    bool ok = o && add_str(o, "gate", req->gate) && add_str(o, "group", req->group) &&
              add_str(o, "approver", req->approver) && add_str(o, "role", req->role) &&
              add_str(o, "reason", req->reason) && add_str(o, "ticket", req->ticket) &&
              add_str(o, "created", created) && add_str(o, "expires", req->expires) &&
              add_str(o, "candidate_sha256", candidate_sha) &&
              add_str(o, "policy_sha256", policy->sha256);
    char *payload = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (payload == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    char *envelope = NULL;
    st = fg_dsse_sign(key, OVERRIDE_PAYLOAD_TYPE, (const unsigned char *)payload, strlen(payload),
                      &envelope, err);
    free(payload);
    if (st != FG_OK)
        return st;
    st = fg_text_end_line(&envelope, err);
    *envelope_line = envelope;
    return st;
}

/* ---- judging one offer ---- */

static char *dup_item(const cJSON *o, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(item) ? fg_strdup(item->valuestring) : NULL;
}

static void reject(struct fg_override_record *rec, const char *fmt, ...) FG_PRINTF(2, 3);

static void reject(struct fg_override_record *rec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rec->why, sizeof rec->why, fmt, ap);
    va_end(ap);
    rec->applied = false;
}

/* The result of a gate for a group label, or NULL. */
static const struct fg_gate_result *group_result(const struct fg_metrics *m,
                                                 const struct fg_gate_outcome *o, const char *label)
{
    for (size_t r = 0; r < o->n_results; r++)
        if (strcmp(m->groups[o->results[r].group].label, label) == 0)
            return &o->results[r];
    return NULL;
}

static bool result_blocks(const struct fg_gate_spec *spec, const struct fg_gate_result *res)
{
    return res->status == FG_RESULT_FAIL || (res->status == FG_RESULT_INSUFFICIENT_DATA &&
                                             spec->on_small_group == FG_SMALL_GROUP_FAIL);
}

/* The checks after the signature: what the override is bound to, and when. */
static void judge_binding(const struct fg_policy *policy, const struct fg_metrics *m,
                          const struct fg_evaluation *ev, const char *candidate_sha256,
                          long long now, const char *candidate, const char *policy_sha,
                          struct fg_override_record *rec)
{
    long long created = 0, expires_day = 0;
    size_t gate_index = 0;
    if (strcmp(candidate, candidate_sha256) != 0) {
        reject(rec,
               "it was made for another candidate file (sha256 %.16s..., this one is %.16s...)",
               candidate, candidate_sha256);
    } else if (strcmp(policy_sha, policy->sha256) != 0) {
        reject(rec,
               "it was made for another version of the policy (sha256 %.16s..., this one is "
               "%.16s...)",
               policy_sha, policy->sha256);
    } else if (find_gate(policy, rec->gate, &gate_index) == NULL) {
        reject(rec, "the policy has no gate '%s'", rec->gate);
    } else if (!overridable(policy, rec->gate)) {
        reject(rec, "gate '%s' is not overridable (overrides.not_overridable)", rec->gate);
    } else if (ev->outcomes[gate_index].status != FG_RESULT_FAIL) {
        reject(rec, "gate '%s' did not fail; there is nothing to override", rec->gate);
    } else if (rec->group != NULL &&
               group_result(m, &ev->outcomes[gate_index], rec->group) == NULL) {
        reject(rec, "gate '%s' has no group '%s'", rec->gate, rec->group);
    } else if (rec->group != NULL &&
               !result_blocks(&policy->gates[gate_index],
                              group_result(m, &ev->outcomes[gate_index], rec->group))) {
        reject(rec, "group '%s' did not fail gate '%s'; there is nothing to override", rec->group,
               rec->gate);
    } else if (!parse_timestamp(rec->created, &created) ||
               !parse_date(rec->expires, &expires_day) || strlen(rec->expires) != 10) {
        reject(rec, "created '%s' or expires '%s' is not a valid time", rec->created, rec->expires);
    } else if (now >= (expires_day + 1) * SECONDS_PER_DAY) {
        reject(rec, "it expired at the end of %s (UTC)", rec->expires);
    } else if (expires_day - floor_days(created) > (long long)policy->overrides.max_days) {
        reject(rec, "it is valid for %lld days (%.10s to %s), more than max_days %llu",
               expires_day - floor_days(created), rec->created, rec->expires,
               (unsigned long long)policy->overrides.max_days);
    } else if (created > now + 300) {
        reject(rec, "it was created in the future (%s)", rec->created);
    } else {
        rec->applied = true; /* so far: the approval count decides */
    }
}

/* Reads, verifies and checks one offered override. Returns an error only for problems
 * that are not the offer's fault (an unreadable file, a listed key that cannot be read);
 * everything else rejects the offer with a reason. On return rec->applied means "valid so
 * far"; the approval count is judged afterwards. */
static enum fg_status judge_offer(const struct fg_policy *policy, const struct fg_metrics *m,
                                  const struct fg_evaluation *ev, const char *path,
                                  const char *candidate_sha256, long long now,
                                  struct fg_override_record *rec, struct fg_error *err)
{
    rec->applied = false;
    if ((rec->path = fg_strdup(path)) == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    char *text = NULL;
    size_t len = 0;
    enum fg_status st = fg_file_read_all(path, MAX_OVERRIDE_BYTES, &text, &len, err);
    if (st != FG_OK)
        return st;
    struct fg_dsse_envelope *env = NULL;
    struct fg_error parse_err = {0};
    st = fg_dsse_parse(text, len, &env, &parse_err);
    free(text);
    if (st == FG_ERR_NOMEM)
        return fg_error_set(err, st, path, 0, 0, "out of memory");
    if (st != FG_OK) {
        reject(rec, "unreadable envelope: %s", parse_err.message);
        return FG_OK;
    }
    cJSON *payload = NULL;
    struct fg_key *key = NULL;
    if (strcmp(env->payload_type, OVERRIDE_PAYLOAD_TYPE) != 0) {
        reject(rec, "payloadType is '%s', not " OVERRIDE_PAYLOAD_TYPE, env->payload_type);
        goto done;
    }
    struct fg_error json_err = {0};
    if (fg_json_parse_strict((const char *)env->payload, env->payload_len, "the payload", &payload,
                             &json_err) != FG_OK) {
        reject(rec, "%lu:%lu: %s", json_err.line, json_err.column, json_err.message);
        goto done;
    }
    if (!cJSON_IsObject(payload)) {
        reject(rec, "the payload is not a JSON object");
        goto done;
    }
    rec->gate = dup_item(payload, "gate");
    rec->group = dup_item(payload, "group");
    rec->approver = dup_item(payload, "approver");
    rec->role = dup_item(payload, "role");
    rec->reason = dup_item(payload, "reason");
    rec->ticket = dup_item(payload, "ticket");
    rec->created = dup_item(payload, "created");
    rec->expires = dup_item(payload, "expires");
    char *candidate = dup_item(payload, "candidate_sha256");
    char *policy_sha = dup_item(payload, "policy_sha256");
    static const char *const required[] = {
        "gate",    "approver",         "role",         "reason", "created",
        "expires", "candidate_sha256", "policy_sha256"};
    const char *missing = NULL;
    for (size_t i = 0; i < sizeof required / sizeof required[0] && missing == NULL; i++)
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(payload, required[i])))
            missing = required[i];
    const struct fg_approver *approver = NULL;
    if (missing != NULL) {
        reject(rec, "the payload has no '%s'", missing);
    } else if (!policy->has_overrides) {
        reject(rec, "the policy allows no overrides (it has no 'overrides' section)");
    } else if ((approver = find_approver(policy, rec->approver)) == NULL) {
        reject(rec, "approver '%s' is not listed in the policy's overrides.approvers",
               rec->approver);
    } else if (strcmp(approver->role, rec->role) != 0) {
        reject(rec, "approver '%s' has role '%s' in the policy, not '%s'", rec->approver,
               approver->role, rec->role);
    } else if ((st = load_approver_key(policy, approver, &key, err)) != FG_OK) {
        /* the policy names a key that cannot be read: an error, not a rejection */
    } else if (!fg_dsse_verify(env, key, NULL)) {
        char id[65];
        fg_key_id(key, id);
        reject(rec,
               "the signature does not verify with the key the policy lists for '%s' (%.16s...)",
               rec->approver, id);
    } else {
        fg_key_id(key, rec->keyid);
        judge_binding(policy, m, ev, candidate_sha256, now, candidate, policy_sha, rec);
    }
    free(candidate);
    free(policy_sha);
done:
    fg_key_free(key);
    cJSON_Delete(payload);
    fg_dsse_envelope_free(env);
    if (st == FG_OK && rec->gate == NULL && rec->why[0] == '\0')
        reject(rec, "unreadable override");
    return st;
}

/* ---- counting approvals and applying ---- */

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Distinct approvers among valid offers for this gate whose scope covers `group` (the
 * whole gate when group is NULL). */
static size_t count_approvers(const struct fg_evaluation *ev, const char *gate, const char *group)
{
    size_t distinct = 0;
    for (size_t i = 0; i < ev->n_overrides; i++) {
        const struct fg_override_record *a = &ev->overrides[i];
        if (!a->applied || strcmp(a->gate, gate) != 0 || (a->group && !same(a->group, group)))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            const struct fg_override_record *b = &ev->overrides[j];
            seen = b->applied && strcmp(b->gate, gate) == 0 &&
                   (!b->group || same(b->group, group)) && strcmp(b->approver, a->approver) == 0;
        }
        distinct += !seen;
    }
    return distinct;
}

enum fg_status fg_override_apply(const struct fg_policy *policy, const struct fg_metrics *m,
                                 struct fg_evaluation *ev, const char *const *paths, size_t n_paths,
                                 const char *candidate_sha256, long long now, struct fg_error *err)
{
    if (n_paths == 0)
        return FG_OK;
    ev->overrides = calloc(n_paths, sizeof *ev->overrides);
    if (ev->overrides == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n_paths; i++) {
        ev->n_overrides = i + 1;
        enum fg_status st =
            judge_offer(policy, m, ev, paths[i], candidate_sha256, now, &ev->overrides[i], err);
        if (st != FG_OK)
            return st;
    }
    /* The same approver twice for the same scope counts once: later copies are rejected. */
    for (size_t i = 0; i < n_paths; i++) {
        struct fg_override_record *a = &ev->overrides[i];
        for (size_t j = 0; j < i && a->applied; j++) {
            const struct fg_override_record *b = &ev->overrides[j];
            if (b->applied && strcmp(a->gate, b->gate) == 0 && same(a->group, b->group) &&
                strcmp(a->approver, b->approver) == 0)
                reject(a, "approver '%s' already approved this; the same approver counts once",
                       a->approver);
        }
    }
    uint64_t required = policy->overrides.required_approvals;
    /* Judge the count per offer before changing any offer's state. */
    bool *enough = calloc(n_paths, sizeof *enough);
    if (enough == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t *counts = calloc(n_paths, sizeof *counts);
    if (counts == NULL) {
        free(enough);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < n_paths; i++) {
        const struct fg_override_record *a = &ev->overrides[i];
        if (!a->applied)
            continue;
        counts[i] = count_approvers(ev, a->gate, a->group);
        enough[i] = counts[i] >= required;
    }
    for (size_t i = 0; i < n_paths; i++) {
        struct fg_override_record *a = &ev->overrides[i];
        if (a->applied && !enough[i])
            reject(a, "%zu of %llu required approvals (distinct approvers) for gate '%s'%s%s",
                   counts[i], (unsigned long long)required, a->gate, a->group ? ", group " : "",
                   a->group ? a->group : "");
    }
    free(enough);
    free(counts);

    /* Cover results; a failed gate with nothing left uncovered is overridden. */
    for (size_t g = 0; g < ev->n_outcomes; g++) {
        struct fg_gate_outcome *o = &ev->outcomes[g];
        if (o->status != FG_RESULT_FAIL)
            continue;
        bool gate_wide = false;
        for (size_t i = 0; i < ev->n_overrides; i++)
            gate_wide |= ev->overrides[i].applied &&
                         strcmp(ev->overrides[i].gate, o->spec->id) == 0 &&
                         ev->overrides[i].group == NULL;
        size_t uncovered = 0;
        for (size_t r = 0; r < o->n_results; r++) {
            struct fg_gate_result *res = &o->results[r];
            if (!result_blocks(o->spec, res))
                continue;
            bool covered = gate_wide;
            for (size_t i = 0; i < ev->n_overrides && !covered; i++) {
                const struct fg_override_record *a = &ev->overrides[i];
                covered = a->applied && a->group != NULL && strcmp(a->gate, o->spec->id) == 0 &&
                          strcmp(a->group, m->groups[res->group].label) == 0;
            }
            if (covered && res->status == FG_RESULT_FAIL)
                res->status = FG_RESULT_OVERRIDDEN;
            uncovered += !covered;
        }
        if (uncovered == 0)
            o->status = FG_RESULT_OVERRIDDEN;
    }
    for (size_t i = 0; i < ev->n_overrides; i++) {
        struct fg_override_record *a = &ev->overrides[i];
        if (a->applied)
            snprintf(a->why, sizeof a->why, "applied to gate '%s'%s%s by %s (%s)", a->gate,
                     a->group ? ", group " : "", a->group ? a->group : "", a->approver, a->role);
    }
    bool failing = false, overridden = false;
    for (size_t g = 0; g < ev->n_outcomes; g++) {
        failing |= ev->outcomes[g].status == FG_RESULT_FAIL;
        overridden |= ev->outcomes[g].status == FG_RESULT_OVERRIDDEN;
    }
    ev->verdict = failing      ? FG_VERDICT_FAIL
                  : overridden ? FG_VERDICT_PASS_WITH_OVERRIDE
                               : FG_VERDICT_PASS;
    return FG_OK;
}

void fg_override_records_free(struct fg_override_record *records, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct fg_override_record *r = &records[i];
        free(r->path);
        free(r->gate);
        free(r->group);
        free(r->approver);
        free(r->role);
        free(r->reason);
        free(r->ticket);
        free(r->created);
        free(r->expires);
    }
    free(records);
}
