/*
 * override.c - signed human approvals to ship despite a failed gate (DESIGN section 6).
 *
 * An override is a DSSE envelope, payloadType application/vnd.fairgate.override+json,
 * whose payload is, in this key order:
 *   {"gate","group"|null,"slice"|null,"approver","role","reason","ticket"|null,
 *    "created":"YYYY-MM-DDTHH:MM:SSZ","expires":"YYYY-MM-DD",
 *    "candidate_sha256","incumbent_sha256"|null,"policy_sha256","policy_canonical_sha256"}
 * (policy_canonical_sha256, the digest of the policy's meaning (lib/policy_canon.c), is
 * absent from approvals made before it existed.)
 * `check` applies one only if all hold, in this order (the first that fails is the reason
 * recorded): it is a DSSE envelope of that type; the payload has every field, and no member
 * an approval does not have, each of its type (an ignored member could widen it); the policy
 * allows overrides and lists the approver with that role; the signature verifies with the
 * approver's key, the one the policy pins (a key file that is not the pinned key is an
 * error, not a rejection); its digests are SHA-256s (64 lowercase hex digits) and its reason
 * is not empty; the candidate and incumbent digests match this run's, and the policy
 * digest or, when the payload has one, the canonical policy digest matches this policy's (so
 * an approval survives comments and reformatting of the policy, not a change of meaning);
 * the gate exists, is overridable, and failed; the group, when named, is a group of that
 * gate, found by its slice (attribute -> value), never by its label; it is not expired
 * (valid through the end of its expiry day, UTC) and its validity, from the day it was
 * created to its expiry day, is at most overrides.max_days days; and it counted towards a
 * covered result (below). The same approver (or key) twice counts once.
 *
 * Time is the real clock: SOURCE_DATE_EPOCH fixes the times fairgate writes, never whether
 * an approval is valid.
 *
 * A result that made a gate fail is covered when overrides.required_approvals distinct
 * approvers, with distinct keys, approved the whole gate or that result's group; a failed gate
 * becomes `overridden` when every such result is covered.
 *
 * Ownership: the override records of an evaluation (ev->overrides, one per offer) are
 * allocated here by fg_override_apply and freed only here, by fg_override_release, which
 * fg_evaluation_free calls; no other module allocates, frees or resizes them.
 */
#define _POSIX_C_SOURCE 200809L

#include "override.h"
#include "dsse.h"
#include "fairgate.h"
#include "gate.h"
#include "json.h"
#include "metrics.h"
#include "policy.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#define OVERRIDE_PAYLOAD_TYPE "application/vnd.fairgate.override+json"
#define MAX_OVERRIDE_BYTES    (1u << 20)

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
bool fg_override_parse_date(const char *s, long long *days)
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
    if (s == NULL || strlen(s) != 20 || !fg_override_parse_date(s, &days) || s[10] != 'T' ||
        s[13] != ':' || s[16] != ':' || s[19] != 'Z' || !digits(s + 11, 2, &hh) ||
        !digits(s + 14, 2, &mm) || !digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
        return false;
    *seconds = days * FG_SECONDS_PER_DAY + hh * 3600LL + mm * 60LL + ss;
    return true;
}

void fg_override_format_timestamp(long long seconds, char out[32])
{
    time_t t = (time_t)seconds;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

long long fg_override_day_of(long long seconds)
{
    return seconds >= 0 ? seconds / FG_SECONDS_PER_DAY
                        : -((-seconds + FG_SECONDS_PER_DAY - 1) / FG_SECONDS_PER_DAY);
}

/* ---- the policy side ---- */

const struct fg_approver *fg_override_find_approver(const struct fg_policy *policy,
                                                    const char *name)
{
    for (size_t i = 0; i < policy->overrides.n_approvers; i++)
        if (strcmp(policy->overrides.approvers[i].name, name) == 0)
            return &policy->overrides.approvers[i];
    return NULL;
}

const struct fg_gate_spec *fg_override_find_gate(const struct fg_policy *policy, const char *id,
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

bool fg_override_gate_overridable(const struct fg_policy *policy, const char *gate)
{
    for (size_t i = 0; i < policy->overrides.n_not_overridable; i++)
        if (strcmp(policy->overrides.not_overridable[i], gate) == 0)
            return false;
    return true;
}

/* Loads the public key the policy pins for an approver: inline, or the file at its path
 * (relative to the folder of the policy file), which must be the pinned key. */
enum fg_status fg_override_load_approver_key(const struct fg_policy *policy,
                                             const struct fg_approver *approver,
                                             struct fg_key **key, struct fg_error *err)
{
    if (approver->inline_key) {
        char where[600];
        snprintf(where, sizeof where, "%s:%lu:%lu", policy->path, approver->mark.line,
                 approver->mark.column);
        return fg_key_parse_public(where, approver->public_key, strlen(approver->public_key), key,
                                   err);
    }
    char path[4096];
    if (!fg_approver_key_path(policy->path, approver->public_key, path, sizeof path))
        return fg_error_set(err, FG_ERR_POLICY, policy->path, 0, 0,
                            "the public key path of approver '%s' is too long", approver->name);
    enum fg_status st = fg_key_load_public(path, key, err);
    if (st != FG_OK && err != NULL) {
        char inner[sizeof err->message];
        snprintf(inner, sizeof inner, "%s", err->message);
        fg_error_set(err, st, path, 0, 0, "public key of approver '%s' (from the policy): %s",
                     approver->name, inner);
    }
    if (st != FG_OK)
        return st;
    char id[65];
    fg_key_id(*key, id);
    if (strcmp(id, approver->keyid) == 0)
        return FG_OK;
    fg_key_free(*key);
    *key = NULL;
    return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                        "is not the key the policy pins for approver '%s': its key id is %s, "
                        "the policy's keyid (%s:%lu:%lu) is %s; restore the approver's key "
                        "file, or if their key really changed, update the keyid",
                        approver->name, id, policy->path, approver->mark.line,
                        approver->mark.column, approver->keyid);
}

/* ---- groups: slices and their labels ---- */

void fg_slice_clear(struct fg_slice *sl)
{
    for (size_t k = 0; k < sl->n; k++)
        free(sl->values[k]);
    sl->n = 0;
}

/* Unescapes one part of a label (text[0..len)): "\\", "\&", "\=" stand for the character. */
static char *unescape(const char *text, size_t len)
{
    char *out = malloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; out != NULL && i < len; i++) {
        if (text[i] == '\\') {
            if (i + 1 == len || strchr("\\&=", text[i + 1]) == NULL) {
                free(out);
                return NULL;
            }
            i++;
        }
        out[n++] = text[i];
    }
    if (out != NULL)
        out[n] = '\0';
    return out;
}

/* The end of the label part that starts at part: the next unescaped " & " or the label's
 * end; *eq: its first unescaped '=', or NULL. */
static const char *label_part_end(const char *part, const char **eq)
{
    const char *end = part;
    *eq = NULL;
    while (*end != '\0' && strncmp(end, " & ", 3) != 0) {
        if (*end == '\\' && end[1] != '\0')
            end++;
        else if (*end == '=' && *eq == NULL)
            *eq = end;
        end++;
    }
    return end;
}

/* The first unescaped '&' or '=' in [from, end), or NULL. */
static const char *bare_separator(const char *from, const char *end)
{
    for (const char *q = from; q < end; q++) {
        if (*q == '\\' && q + 1 < end)
            q++;
        else if (*q == '&' || *q == '=')
            return q;
    }
    return NULL;
}

/* The index of protected attribute attr in the policy, SIZE_MAX when it is none, or
 * SIZE_MAX - 1 when the slice names it already. */
static size_t label_attr_index(const struct fg_policy *policy, const struct fg_slice *sl,
                               const char *attr)
{
    size_t index = SIZE_MAX;
    for (size_t p = 0; attr != NULL && p < policy->data.n_protected && index == SIZE_MAX; p++)
        if (strcmp(policy->data.protected[p], attr) == 0)
            index = p;
    for (size_t k = 0; k < sl->n && index != SIZE_MAX; k++)
        if (sl->attrs[k] == index)
            index = SIZE_MAX - 1;
    return index;
}

/* Adds the part "attr=value" in [part, end), '=' at eq, to the slice; on an error the slice
 * is cleared. */
static enum fg_status add_label_part(const struct fg_policy *policy, const char *label,
                                     const char *part, const char *eq, const char *end,
                                     struct fg_slice *sl, struct fg_error *err)
{
    /* An unescaped '&' or '=' in a value is never in a label fairgate shows: most often
     * an intersection written without the spaces of " & ". */
    const char *bare = bare_separator(eq == NULL ? end : eq + 1, end);
    if (bare != NULL) {
        fg_slice_clear(sl);
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "--group '%s': an unescaped '%c' inside a value; separate the "
                            "attributes of an intersection with ' & ' (spaces around it: "
                            "'sex=Female & race=Black'), or write '\\%c' for the character",
                            label, *bare, *bare);
    }
    if (eq == NULL || sl->n == FG_MAX_PROTECTED) {
        fg_slice_clear(sl);
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "--group '%s' is not a group label such as 'sex=Female' or "
                            "'sex=Female & race=Black' (escape '\\', '&' and '=' inside a "
                            "name or value with a backslash)",
                            label);
    }
    char *attr = unescape(part, (size_t)(eq - part));
    char *value = unescape(eq + 1, (size_t)(end - eq - 1));
    size_t index = label_attr_index(policy, sl, attr);
    if (attr == NULL || value == NULL || index >= SIZE_MAX - 1) {
        enum fg_status st =
            attr == NULL || value == NULL
                ? fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                               "--group '%s': a backslash must come before '\\', '&' or '='", label)
            : index == SIZE_MAX
                ? fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                               "--group '%s': '%s' is not a protected attribute of the policy",
                               label, attr)
                : fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                               "--group '%s' names attribute '%s' twice", label, attr);
        free(attr);
        free(value);
        fg_slice_clear(sl);
        return st;
    }
    free(attr);
    sl->attrs[sl->n] = index;
    sl->values[sl->n++] = value;
    return FG_OK;
}

/* When the slice's attributes are one of the policy's gated attribute sets, puts the slice
 * in that set's order, as its label shows it, and returns true. */
static bool order_as_attrset(const struct fg_policy *policy, struct fg_slice *sl)
{
    size_t n_sets = fg_policy_attrset_count(policy);
    for (size_t i = 0; i < n_sets; i++) {
        struct fg_attrset set;
        fg_policy_attrset(policy, i, &set);
        bool same_set = set.n == sl->n;
        for (size_t k = 0; k < set.n && same_set; k++) {
            bool found = false;
            for (size_t j = 0; j < sl->n && !found; j++)
                found = sl->attrs[j] == set.attrs[k];
            same_set = found;
        }
        if (!same_set)
            continue;
        struct fg_slice ordered = {.n = set.n};
        for (size_t k = 0; k < set.n; k++)
            for (size_t j = 0; j < sl->n; j++)
                if (sl->attrs[j] == set.attrs[k]) {
                    ordered.attrs[k] = sl->attrs[j];
                    ordered.values[k] = sl->values[j];
                }
        *sl = ordered;
        return true;
    }
    return false;
}

/* Parses a group label as fg_group_label renders it into a slice of the policy: split at
 * each unescaped " & ", each part at its first unescaped '='; every attribute protected, none
 * twice, and together a protected attribute alone or an intersection. */
enum fg_status fg_override_parse_group(const struct fg_policy *policy, const char *label,
                                       struct fg_slice *sl, struct fg_error *err)
{
    sl->n = 0;
    if (strcmp(label, "overall") == 0)
        return FG_OK;
    const char *part = label;
    for (;;) {
        const char *eq;
        const char *end = label_part_end(part, &eq);
        enum fg_status status = add_label_part(policy, label, part, eq, end, sl, err);
        if (status != FG_OK)
            return status;
        if (*end == '\0')
            break;
        part = end + 3;
    }
    if (order_as_attrset(policy, sl))
        return FG_OK;
    fg_slice_clear(sl);
    return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                        "--group '%s': the policy gates no such combination of attributes "
                        "(data.protected and data.intersections)",
                        label);
}

/* True when the override's slice names exactly group g: the same attributes, the same
 * values, byte for byte. */
static bool slice_is_group(const struct fg_policy *policy, const struct fg_override_record *rec,
                           const struct fg_group *g)
{
    if (!rec->has_slice || rec->n_slice != g->n_values)
        return false;
    struct fg_attrset set = {0};
    if (g->n_values > 0)
        fg_policy_attrset(policy, g->attrset, &set);
    for (size_t k = 0; k < g->n_values; k++) {
        const char *attr = policy->data.protected[set.attrs[k]];
        bool found = false;
        for (size_t j = 0; j < rec->n_slice && !found; j++)
            found = strcmp(rec->slice_attrs[j], attr) == 0 &&
                    strcmp(rec->slice_values[j], g->values[k]) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* Two overrides cover the same scope: both the whole gate, or the same slice. */
static bool same_scope(const struct fg_override_record *a, const struct fg_override_record *b)
{
    if (a->has_slice != b->has_slice || a->n_slice != b->n_slice)
        return false;
    for (size_t k = 0; k < a->n_slice; k++) {
        bool found = false;
        for (size_t j = 0; j < b->n_slice && !found; j++)
            found = strcmp(a->slice_attrs[k], b->slice_attrs[j]) == 0 &&
                    strcmp(a->slice_values[k], b->slice_values[j]) == 0;
        if (!found)
            return false;
    }
    return true;
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
    fg_vsnprintf_c(rec->why, sizeof rec->why, fmt, ap);
    va_end(ap);
    rec->applied = false;
}

/* The result of a gate for the override's slice, or NULL. */
static const struct fg_gate_result *group_result(const struct fg_policy *policy,
                                                 const struct fg_metrics *m,
                                                 const struct fg_gate_outcome *o,
                                                 const struct fg_override_record *rec)
{
    for (size_t r = 0; r < o->n_results; r++)
        if (slice_is_group(policy, rec, &m->groups[o->results[r].group]))
            return &o->results[r];
    return NULL;
}

static bool result_blocks(const struct fg_gate_spec *spec, const struct fg_gate_result *res)
{
    return res->status == FG_RESULT_FAIL || (res->status == FG_RESULT_INSUFFICIENT_DATA &&
                                             spec->on_small_group == FG_SMALL_GROUP_FAIL);
}

/* The digests an offer was made for, from its payload. */
struct offer_binding {
    const char *candidate;
    const char *incumbent; /* NULL: made for a run without an incumbent file */
    const char *policy;
    const char *policy_canonical; /* NULL: made before approvals bound the canonical digest */
};

/* Whether the offer was made for this policy: its file's bytes, or its meaning. */
static bool binds_policy(const struct fg_policy *policy, const struct offer_binding *offer)
{
    return strcmp(offer->policy, policy->sha256) == 0 ||
           (offer->policy_canonical != NULL &&
            strcmp(offer->policy_canonical, policy->canonical_sha256) == 0);
}

/* The checks after the signature: what the override is bound to, and when. */
static void judge_binding(const struct fg_policy *policy, const struct fg_metrics *m,
                          const struct fg_evaluation *ev, const struct fg_override_inputs *run,
                          long long now, const struct offer_binding *offer,
                          struct fg_override_record *rec)
{
    long long created = 0, expires_day = 0;
    size_t gate_index = 0;
    const struct fg_gate_result *res = NULL;
    /* Every digest on both sides is a SHA-256, so no empty or placeholder digest can match. */
    if (!fg_is_hex64(offer->candidate) || !fg_is_hex64(offer->policy) ||
        (offer->incumbent != NULL && !fg_is_hex64(offer->incumbent)) ||
        (offer->policy_canonical != NULL && !fg_is_hex64(offer->policy_canonical))) {
        reject(rec, "its candidate_sha256, incumbent_sha256, policy_sha256 and "
                    "policy_canonical_sha256 must be SHA-256 digests (64 lowercase hex digits)");
    } else if (!fg_is_hex64(run->candidate_sha256) ||
               (run->incumbent_sha256 != NULL && !fg_is_hex64(run->incumbent_sha256))) {
        reject(rec, "this run has no digest of its inputs to compare it with");
    } else if (rec->reason == NULL || rec->reason[0] == '\0') {
        reject(rec, "its reason is empty; an approval says why");
    } else if (strcmp(offer->candidate, run->candidate_sha256) != 0) {
        reject(rec,
               "it was made for another candidate file (sha256 %.16s..., this one is %.16s...)",
               offer->candidate, run->candidate_sha256);
    } else if (offer->incumbent == NULL && run->incumbent_sha256 != NULL) {
        reject(rec,
               "it was made for a check without an incumbent file; this one compares with "
               "incumbent sha256 %.16s...",
               run->incumbent_sha256);
    } else if (offer->incumbent != NULL && run->incumbent_sha256 == NULL) {
        reject(rec,
               "it was made comparing with an incumbent file (sha256 %.16s...); this check has "
               "none",
               offer->incumbent);
    } else if (offer->incumbent != NULL && strcmp(offer->incumbent, run->incumbent_sha256) != 0) {
        reject(rec,
               "it was made comparing with another incumbent file (sha256 %.16s..., this one is "
               "%.16s...)",
               offer->incumbent, run->incumbent_sha256);
    } else if (!binds_policy(policy, offer)) {
        reject(rec,
               "it was made for another version of the policy (sha256 %.16s..., canonical "
               "%.16s...; this one is %.16s..., canonical %.16s...)",
               offer->policy, offer->policy_canonical ? offer->policy_canonical : "(none)",
               policy->sha256, policy->canonical_sha256);
    } else if (fg_override_find_gate(policy, rec->gate, &gate_index) == NULL) {
        reject(rec, "the policy has no gate '%s'", rec->gate);
    } else if (!fg_override_gate_overridable(policy, rec->gate)) {
        reject(rec, "gate '%s' is not overridable (overrides.not_overridable)", rec->gate);
    } else if (policy->gates[gate_index].enforce == FG_ENFORCE_WARN) {
        reject(rec,
               "gate '%s' is advisory (enforce: warn): its failure does not block, there is "
               "nothing to override",
               rec->gate);
    } else if (ev->outcomes[gate_index].status != FG_RESULT_FAIL) {
        reject(rec, "gate '%s' did not fail; there is nothing to override", rec->gate);
    } else if (rec->group != NULL &&
               (res = group_result(policy, m, &ev->outcomes[gate_index], rec)) == NULL) {
        reject(rec, "gate '%s' has no group '%s'", rec->gate, rec->group);
    } else if (res != NULL && strcmp(m->groups[res->group].label, rec->group) != 0) {
        reject(rec, "its group label '%s' does not name its slice (the group %s)", rec->group,
               m->groups[res->group].label);
    } else if (res != NULL && !result_blocks(&policy->gates[gate_index], res)) {
        reject(rec, "group '%s' did not fail gate '%s'; there is nothing to override", rec->group,
               rec->gate);
    } else if (!parse_timestamp(rec->created, &created) ||
               !fg_override_parse_date(rec->expires, &expires_day) || strlen(rec->expires) != 10) {
        reject(rec, "created '%s' or expires '%s' is not a valid time", rec->created, rec->expires);
    } else if (now >= (expires_day + 1) * FG_SECONDS_PER_DAY) {
        reject(rec, "it expired at the end of %s (UTC)", rec->expires);
    } else if (expires_day - fg_override_day_of(created) > (long long)policy->overrides.max_days) {
        reject(rec, "it is valid for %lld days (%.10s to %s), more than max_days %llu",
               expires_day - fg_override_day_of(created), rec->created, rec->expires,
               (unsigned long long)policy->overrides.max_days);
    } else if (created > now + 300) {
        reject(rec, "it was created in the future (%s)", rec->created);
    } else {
        rec->applied = true; /* so far: the approval count decides */
    }
}

/* Reads the payload's group and slice into rec; NULL, or what is wrong with them. A group
 * label comes with its slice, which alone says which group is meant; no group, no slice. */
static const char *read_scope(const cJSON *payload, struct fg_override_record *rec)
{
    const cJSON *group = cJSON_GetObjectItemCaseSensitive(payload, "group");
    const cJSON *slice = cJSON_GetObjectItemCaseSensitive(payload, "slice");
    if (group != NULL && !cJSON_IsString(group) && !cJSON_IsNull(group))
        return "the payload's 'group' is neither a label nor null";
    if (rec->group == NULL)
        return slice == NULL || cJSON_IsNull(slice)
                   ? NULL
                   : "the payload has a 'slice' but names no 'group'";
    if (!cJSON_IsObject(slice))
        return "the payload names a group but has no 'slice' (attribute -> value); an override "
               "made before groups were bound by slice must be made again";
    size_t n = (size_t)cJSON_GetArraySize(slice);
    if (n > FG_MAX_PROTECTED)
        return "the payload's 'slice' has more attributes than a policy can protect";
    rec->slice_attrs = calloc(n + 1, sizeof *rec->slice_attrs);
    rec->slice_values = calloc(n + 1, sizeof *rec->slice_values);
    if (rec->slice_attrs == NULL || rec->slice_values == NULL)
        return "out of memory";
    rec->has_slice = true;
    const cJSON *member;
    cJSON_ArrayForEach(member, slice)
    {
        if (!cJSON_IsString(member) || member->string == NULL)
            return "the payload's 'slice' must map attributes to strings";
        for (size_t j = 0; j < rec->n_slice; j++)
            if (strcmp(rec->slice_attrs[j], member->string) == 0)
                return "the payload's 'slice' names an attribute twice";
        rec->slice_attrs[rec->n_slice] = fg_strdup(member->string);
        rec->slice_values[rec->n_slice] = fg_strdup(member->valuestring);
        if (rec->slice_attrs[rec->n_slice] == NULL || rec->slice_values[rec->n_slice] == NULL) {
            free(rec->slice_attrs[rec->n_slice]);
            free(rec->slice_values[rec->n_slice]);
            return "out of memory";
        }
        rec->n_slice++;
    }
    return NULL;
}

/* Reads and parses the envelope at path. *env NULL with FG_OK: the offer is rejected
 * (unreadable envelope). */
static enum fg_status read_offer_envelope(const char *path, struct fg_override_record *rec,
                                          struct fg_dsse_envelope **env, struct fg_error *err)
{
    *env = NULL;
    char *text = NULL;
    size_t len = 0;
    enum fg_status st = fg_file_read_all(path, MAX_OVERRIDE_BYTES, &text, &len, err);
    if (st != FG_OK)
        return st;
    struct fg_error parse_err = {0};
    st = fg_dsse_parse(text, len, env, &parse_err);
    free(text);
    if (st == FG_ERR_NOMEM)
        return fg_error_set(err, st, path, 0, 0, "out of memory");
    if (st != FG_OK)
        reject(rec, "unreadable envelope: %s", parse_err.message);
    return FG_OK;
}

/* The envelope's payload as a JSON object, its fields copied into rec; NULL when the offer
 * is rejected (another payload type, not JSON, not an object). */
static cJSON *read_offer_payload(const struct fg_dsse_envelope *env, struct fg_override_record *rec)
{
    if (strcmp(env->payload_type, OVERRIDE_PAYLOAD_TYPE) != 0) {
        reject(rec, "payloadType is '%s', not " OVERRIDE_PAYLOAD_TYPE, env->payload_type);
        return NULL;
    }
    cJSON *payload = NULL;
    struct fg_error json_err = {0};
    if (fg_json_parse_strict((const char *)env->payload, env->payload_len, "the payload", &payload,
                             &json_err) != FG_OK) {
        reject(rec, "%lu:%lu: %s", json_err.line, json_err.column, json_err.message);
        return NULL;
    }
    if (!cJSON_IsObject(payload)) {
        reject(rec, "the payload is not a JSON object");
        cJSON_Delete(payload);
        return NULL;
    }
    rec->gate = dup_item(payload, "gate");
    rec->group = dup_item(payload, "group");
    rec->approver = dup_item(payload, "approver");
    rec->role = dup_item(payload, "role");
    rec->reason = dup_item(payload, "reason");
    rec->ticket = dup_item(payload, "ticket");
    rec->created = dup_item(payload, "created");
    rec->expires = dup_item(payload, "expires");
    return payload;
}

/* ---- the payload's shape: every member known, of its type ----
 *
 * An approval is read whole or not at all: a member fairgate does not know (a "groups" for
 * "group", a restriction some other tool added) is never ignored, for ignoring it could
 * widen what was approved (a group approval read as the whole gate's). */

enum member_type { M_STRING = 1, M_NULL = 2, M_OBJECT = 4, M_ARRAY = 8 };

struct member_rule {
    const char *name;
    unsigned types; /* the member_types it may have */
};

/* The scope of one gate: a one-gate payload's own, or one entry of 'gates'. */
static const struct member_rule scope_members[] = {
    {"gate", M_STRING}, {"group", M_STRING | M_NULL}, {"slice", M_OBJECT | M_NULL}};
/* What every payload has (policy_canonical_sha256 since approvals bind it). */
static const struct member_rule common_members[] = {
    {"approver", M_STRING},         {"role", M_STRING},
    {"reason", M_STRING},           {"ticket", M_STRING | M_NULL},
    {"created", M_STRING},          {"expires", M_STRING},
    {"candidate_sha256", M_STRING}, {"incumbent_sha256", M_STRING | M_NULL},
    {"policy_sha256", M_STRING},    {"policy_canonical_sha256", M_STRING}};
static const struct member_rule gates_member[] = {{"gates", M_ARRAY}};

/* The members one object may have: two lists of rules. */
struct shape {
    const struct member_rule *a, *b;
    size_t n_a, n_b;
};
#define N_RULES(rules) (sizeof(rules) / sizeof(rules)[0])
static const struct shape one_gate_shape = {common_members, scope_members, N_RULES(common_members),
                                            N_RULES(scope_members)};
static const struct shape gates_shape = {common_members, gates_member, N_RULES(common_members),
                                         N_RULES(gates_member)};
static const struct shape entry_shape = {scope_members, NULL, N_RULES(scope_members), 0};

static unsigned member_type_of(const cJSON *v)
{
    return cJSON_IsString(v)   ? M_STRING
           : cJSON_IsNull(v)   ? M_NULL
           : cJSON_IsObject(v) ? M_OBJECT
           : cJSON_IsArray(v)  ? M_ARRAY
                               : 0;
}

static const struct member_rule *shape_rule(const struct shape *shape, const char *name)
{
    for (size_t i = 0; name != NULL && i < shape->n_a + shape->n_b; i++) {
        const struct member_rule *r = i < shape->n_a ? &shape->a[i] : &shape->b[i - shape->n_a];
        if (strcmp(name, r->name) == 0)
            return r;
    }
    return NULL;
}

/* Rejects the offer and returns true when o (named where: "the payload", ...) has a
 * member its shape does not list, or one of a type its rule does not allow. */
static bool reject_stray_member(const cJSON *o, const struct shape *shape, const char *where,
                                struct fg_override_record *rec)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, o)
    {
        const struct member_rule *rule = shape_rule(shape, m->string);
        if (rule == NULL) {
            reject(rec,
                   "%s has a member '%.64s' that no approval has; an approval is read whole "
                   "or not at all",
                   where, m->string ? m->string : "");
            return true;
        }
        if ((member_type_of(m) & rule->types) == 0) {
            reject(rec, "%s has '%s' of the wrong type (not %s)", where, rule->name,
                   rule->types & M_OBJECT  ? "an object or null"
                   : rule->types & M_ARRAY ? "a list"
                   : rule->types & M_NULL  ? "a string or null"
                                           : "a string");
            return true;
        }
    }
    return false;
}

/* Rejects the offer and returns true when the payload lacks a required field or its scope
 * (gate, group, slice) does not read. A payload of several gates (multi) has its scopes in
 * 'gates' instead, read by read_gates. */
static bool reject_incomplete(const cJSON *payload, struct fg_override_record *rec, bool multi)
{
    static const char *const required[] = {
        "gate",    "approver",         "role",         "reason", "created",
        "expires", "candidate_sha256", "policy_sha256"};
    const char *missing = NULL;
    for (size_t i = multi ? 1 : 0; i < sizeof required / sizeof required[0] && missing == NULL; i++)
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(payload, required[i])))
            missing = required[i];
    const cJSON *incumbent_item = cJSON_GetObjectItemCaseSensitive(payload, "incumbent_sha256");
    const cJSON *canonical_item =
        cJSON_GetObjectItemCaseSensitive(payload, "policy_canonical_sha256");
    const char *scope_problem = NULL;
    if (missing != NULL)
        reject(rec, "the payload has no '%s'", missing);
    else if (!cJSON_IsString(incumbent_item) && !cJSON_IsNull(incumbent_item))
        reject(rec, "the payload has no 'incumbent_sha256' (a digest, or null); an override "
                    "made before it bound the incumbent must be made again");
    else if (canonical_item != NULL && !cJSON_IsString(canonical_item))
        reject(rec, "the payload's 'policy_canonical_sha256' is not a digest");
    else if (reject_stray_member(payload, multi ? &gates_shape : &one_gate_shape, "the payload",
                                 rec))
        ; /* rejected: a member no approval has, or of the wrong type */
    else if (!multi && (scope_problem = read_scope(payload, rec)) != NULL)
        reject(rec, "%s", scope_problem);
    else
        return false;
    return true;
}

/* The checks of the signer: the policy allows overrides, lists the approver with that role,
 * and the signature verifies with the key it pins for them. On success rec->keyid is set
 * and true is returned; otherwise the offer is rejected (or, for a key the policy names
 * that cannot be read, *st is an error). */
static bool judge_signer(const struct fg_policy *policy, const struct fg_dsse_envelope *env,
                         struct fg_override_record *rec, enum fg_status *st, struct fg_error *err)
{
    const struct fg_approver *approver = NULL;
    struct fg_key *key = NULL;
    bool ok = false;
    *st = FG_OK;
    if (!policy->has_overrides) {
        reject(rec, "the policy allows no overrides (it has no 'overrides' section)");
    } else if ((approver = fg_override_find_approver(policy, rec->approver)) == NULL) {
        reject(rec, "approver '%s' is not listed in the policy's overrides.approvers",
               rec->approver);
    } else if (strcmp(approver->role, rec->role) != 0) {
        reject(rec, "approver '%s' has role '%s' in the policy, not '%s'", rec->approver,
               approver->role, rec->role);
    } else if ((*st = fg_override_load_approver_key(policy, approver, &key, err)) != FG_OK) {
        /* the policy names a key that cannot be read, or that is not the pinned one: an
         * error, not a rejection */
    } else if (!fg_dsse_verify(env, key, NULL)) {
        char id[65];
        fg_key_id(key, id);
        reject(rec,
               "the signature does not verify with the key the policy pins for '%s' (%.16s...)",
               rec->approver, id);
    } else {
        fg_key_id(key, rec->keyid);
        ok = true;
    }
    fg_key_free(key);
    return ok;
}

/* The digests an offer binds, from its payload (strings owned by the caller). */
static void read_offer_binding(const cJSON *payload, struct offer_binding *offer)
{
    offer->candidate = dup_item(payload, "candidate_sha256");
    offer->incumbent = dup_item(payload, "incumbent_sha256");
    offer->policy = dup_item(payload, "policy_sha256");
    offer->policy_canonical = dup_item(payload, "policy_canonical_sha256");
}

static void offer_binding_free(struct offer_binding *offer)
{
    free((char *)offer->candidate);
    free((char *)offer->incumbent);
    free((char *)offer->policy);
    free((char *)offer->policy_canonical);
}

/* ---- the records of an evaluation ---- */

static void record_clear(struct fg_override_record *r)
{
    free(r->path);
    free(r->gate);
    free(r->group);
    free(r->approver);
    free(r->role);
    free(r->reason);
    free(r->ticket);
    free(r->created);
    free(r->expires);
    for (size_t k = 0; k < r->n_slice; k++) {
        free(r->slice_attrs[k]);
        free(r->slice_values[k]);
    }
    free(r->slice_attrs);
    free(r->slice_values);
    memset(r, 0, sizeof *r);
}

/* Moves *rec to the end of ev->overrides (*rec is left empty, also on an error). */
static enum fg_status append_record(struct fg_evaluation *ev, struct fg_override_record *rec,
                                    struct fg_error *err)
{
    struct fg_override_record *grown =
        realloc(ev->overrides, (ev->n_overrides + 1) * sizeof *ev->overrides);
    if (grown == NULL) {
        record_clear(rec);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    ev->overrides = grown;
    ev->overrides[ev->n_overrides++] = *rec;
    memset(rec, 0, sizeof *rec);
    return FG_OK;
}

/* A copy of what every gate of one offer shares (file, approver, times, key), without its
 * scope; false when out of memory. */
static bool record_copy_common(struct fg_override_record *dst, const struct fg_override_record *src)
{
    memset(dst, 0, sizeof *dst);
    const char *const from[] = {src->path,   src->approver, src->role,   src->reason,
                                src->ticket, src->created,  src->expires};
    char **to[] = {&dst->path,   &dst->approver, &dst->role,   &dst->reason,
                   &dst->ticket, &dst->created,  &dst->expires};
    bool ok = true;
    for (size_t i = 0; i < sizeof to / sizeof to[0]; i++)
        ok &= from[i] == NULL || (*to[i] = fg_strdup(from[i])) != NULL;
    memcpy(dst->keyid, src->keyid, sizeof dst->keyid);
    memcpy(dst->why, src->why, sizeof dst->why);
    dst->applied = src->applied;
    return ok;
}

/* ---- judging one offer ---- */

/* An offer of one gate (the payload's 'gate', 'group', 'slice'): one record, judged as
 * always. */
static enum fg_status judge_single(const struct fg_policy *policy, const struct fg_metrics *m,
                                   const struct fg_evaluation *ev, const cJSON *payload,
                                   const struct fg_dsse_envelope *env,
                                   const struct fg_override_inputs *run, long long now,
                                   struct fg_override_record *rec, struct fg_error *err)
{
    enum fg_status st = FG_OK;
    if (!reject_incomplete(payload, rec, false) && judge_signer(policy, env, rec, &st, err)) {
        struct offer_binding offer;
        read_offer_binding(payload, &offer);
        judge_binding(policy, m, ev, run, now, &offer, rec);
        offer_binding_free(&offer);
    }
    return st;
}

#define MAX_OFFER_GATES 1024 /* entries of one payload's 'gates' */

/* What is wrong with the 'gates' of a payload, or NULL: a list of 1 to MAX_OFFER_GATES
 * objects, each with a gate id, and no 'gate', 'group' or 'slice' beside it. */
static const char *gates_problem(const cJSON *payload, const cJSON *gates)
{
    if (cJSON_GetObjectItemCaseSensitive(payload, "gate") != NULL ||
        cJSON_GetObjectItemCaseSensitive(payload, "group") != NULL ||
        cJSON_GetObjectItemCaseSensitive(payload, "slice") != NULL)
        return "the payload names 'gates' and also a 'gate', 'group' or 'slice' of its own";
    int n = cJSON_IsArray(gates) ? cJSON_GetArraySize(gates) : 0;
    if (n < 1 || n > MAX_OFFER_GATES)
        return "the payload's 'gates' is not a list of 1 to 1024 {gate, group, slice} objects";
    const cJSON *entry;
    cJSON_ArrayForEach(entry, gates)
    {
        if (!cJSON_IsObject(entry) ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(entry, "gate")))
            return "an entry of the payload's 'gates' has no 'gate'";
    }
    return NULL;
}

/* Rejects the offer and returns true when an entry of 'gates' has a member other than
 * gate, group and slice, or one of the wrong type. */
static bool reject_stray_entry(const cJSON *gates, struct fg_override_record *rec)
{
    const cJSON *entry;
    cJSON_ArrayForEach(entry, gates)
    {
        if (reject_stray_member(entry, &entry_shape, "an entry of the payload's 'gates'", rec))
            return true;
    }
    return false;
}

/* The records of a payload's 'gates', one per entry, each with what the offer shares
 * (common) and its own scope; *problem says why an entry does not read (then every record
 * is rejected for it). */
static enum fg_status read_gates(const cJSON *gates, const struct fg_override_record *common,
                                 struct fg_override_record **records, size_t *n,
                                 const char **problem, struct fg_error *err)
{
    *n = 0;
    *problem = NULL;
    size_t count = (size_t)cJSON_GetArraySize(gates);
    *records = calloc(count, sizeof **records);
    if (*records == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    const cJSON *entry;
    cJSON_ArrayForEach(entry, gates)
    {
        struct fg_override_record *rec = &(*records)[(*n)++];
        if (!record_copy_common(rec, common))
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        rec->gate = dup_item(entry, "gate");
        rec->group = dup_item(entry, "group");
        const char *scope_problem = read_scope(entry, rec);
        if (*problem == NULL && scope_problem != NULL)
            *problem = scope_problem;
    }
    return FG_OK;
}

/* Why the records of one payload's 'gates' do not go together, into why, or NULL: a gate named
 * twice, whole or for the same group (by slice, as check finds a group), or named as a whole
 * and for a group (override refuses to sign either; a payload made by hand has them). */
static const char *repeated_scope_problem(const struct fg_override_record *records, size_t n,
                                          char *why, size_t size)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            const struct fg_override_record *a = &records[j], *b = &records[i];
            if (strcmp(a->gate, b->gate) != 0)
                continue;
            if (same_scope(a, b))
                snprintf(why, size, "the payload's 'gates' names gate '%.128s'%s%.128s twice",
                         a->gate, a->group ? ", group " : "", a->group ? a->group : "");
            else if (!a->has_slice || !b->has_slice)
                snprintf(why, size,
                         "the payload's 'gates' names gate '%.128s' as a whole and for group "
                         "%.128s; an approval is of the whole gate or of its groups",
                         a->gate, a->has_slice ? a->group : b->group);
            else
                continue;
            return why;
        }
    return NULL;
}

/* An offer of several gates (the payload's 'gates'): one record per gate, each judged as a
 * one-gate offer would be, so that check applies it per gate by the same rules. What the
 * gates share (the fields, the signer) is judged once, on common. */
static enum fg_status judge_multi(const struct fg_policy *policy, const struct fg_metrics *m,
                                  struct fg_evaluation *ev, const cJSON *payload,
                                  const struct fg_dsse_envelope *env,
                                  const struct fg_override_inputs *run, long long now,
                                  struct fg_override_record *common, struct fg_error *err)
{
    const cJSON *gates = cJSON_GetObjectItemCaseSensitive(payload, "gates");
    const char *problem = gates_problem(payload, gates);
    enum fg_status st = FG_OK;
    if (problem != NULL) {
        reject(common, "%s", problem);
        return append_record(ev, common, err);
    }
    if (reject_incomplete(payload, common, true) || reject_stray_entry(gates, common))
        return append_record(ev, common, err);
    struct fg_override_record *records = NULL;
    size_t n = 0;
    st = read_gates(gates, common, &records, &n, &problem, err);
    char repeated[sizeof common->why];
    if (st == FG_OK && problem == NULL)
        problem = repeated_scope_problem(records, n, repeated, sizeof repeated);
    bool signer_ok = st == FG_OK && problem == NULL && judge_signer(policy, env, common, &st, err);
    struct offer_binding offer;
    read_offer_binding(payload, &offer);
    for (size_t i = 0; i < n; i++) {
        if (st == FG_OK && problem != NULL)
            reject(&records[i], "%s", problem);
        else if (st == FG_OK && !signer_ok)
            reject(&records[i], "%s", common->why);
        else if (st == FG_OK) {
            memcpy(records[i].keyid, common->keyid, sizeof records[i].keyid);
            judge_binding(policy, m, ev, run, now, &offer, &records[i]);
        }
        if (st == FG_OK)
            st = append_record(ev, &records[i], err);
        else
            record_clear(&records[i]);
    }
    offer_binding_free(&offer);
    free(records);
    record_clear(common);
    return st;
}

/* Reads, verifies and checks one offered override, appending its records to ev->overrides:
 * one for an offer of one gate (or an unreadable one), one per gate for an offer of several.
 * Returns an error only for problems that are not the offer's fault (an unreadable file, a
 * listed key that cannot be read); everything else rejects the offer with a reason. A
 * record's applied means "valid so far"; the approval count is judged afterwards. */
static enum fg_status judge_offer(const struct fg_policy *policy, const struct fg_metrics *m,
                                  struct fg_evaluation *ev, const char *path,
                                  const struct fg_override_inputs *run, long long now,
                                  struct fg_error *err)
{
    struct fg_override_record rec = {0};
    if ((rec.path = fg_strdup(path)) == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    struct fg_dsse_envelope *env = NULL;
    enum fg_status st = read_offer_envelope(path, &rec, &env, err);
    cJSON *payload = st == FG_OK && env != NULL ? read_offer_payload(env, &rec) : NULL;
    if (payload != NULL && cJSON_GetObjectItemCaseSensitive(payload, "gates") != NULL) {
        st = judge_multi(policy, m, ev, payload, env, run, now, &rec, err);
    } else {
        if (payload != NULL)
            st = judge_single(policy, m, ev, payload, env, run, now, &rec, err);
        if (st == FG_OK && rec.gate == NULL && rec.why[0] == '\0')
            reject(&rec, "unreadable override");
        if (st == FG_OK)
            st = append_record(ev, &rec, err);
    }
    record_clear(&rec);
    cJSON_Delete(payload);
    fg_dsse_envelope_free(env);
    return st;
}

/* ---- counting approvals and applying ----
 *
 * Approvals are counted per result that blocks a failed gate: the distinct approvers (and
 * keys) among the valid offers for that gate that cover the result's group, a whole-gate offer
 * covering every group. The result is covered when they number required_approvals. An offer is
 * applied when it counted towards a covered result and rejected otherwise, so the audit's
 * applied overrides are exactly the approvals the verdict rests on (a whole-gate approval that
 * completes one group's approvals is applied, for that group, and says so). */

/* The same approver: the same name, or the same key (the policy refuses a key shared by two
 * approvers; this holds even so). */
static bool same_approver(const struct fg_override_record *a, const struct fg_override_record *b)
{
    return strcmp(a->approver, b->approver) == 0 || strcmp(a->keyid, b->keyid) == 0;
}

/* Whether valid offer x approves group (an index into m->groups) of gate: x names the whole
 * gate or that group's slice. group SIZE_MAX asks for the whole gate only. */
static bool offer_covers(const struct fg_policy *policy, const struct fg_metrics *m,
                         const struct fg_override_record *x, const char *gate, size_t group)
{
    if (!x->applied || strcmp(x->gate, gate) != 0)
        return false;
    if (!x->has_slice)
        return true;
    return group != SIZE_MAX && slice_is_group(policy, x, &m->groups[group]);
}

/* Distinct approvers (and keys) among the valid offers that approve group of gate. */
static size_t count_approvers(const struct fg_policy *policy, const struct fg_metrics *m,
                              const struct fg_evaluation *ev, const char *gate, size_t group)
{
    size_t distinct = 0;
    for (size_t i = 0; i < ev->n_overrides; i++) {
        const struct fg_override_record *x = &ev->overrides[i];
        if (!offer_covers(policy, m, x, gate, group))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = offer_covers(policy, m, &ev->overrides[j], gate, group) &&
                   same_approver(x, &ev->overrides[j]);
        distinct += !seen;
    }
    return distinct;
}

/* Covers what enough approvals cover in one failed gate: its blocking results (a gate that
 * failed with no result at all needs enough whole-gate approvals). used[i] counts the results
 * offer i helped cover; *blocking gets how many results blocked. */
static void cover_gate(const struct fg_policy *policy, const struct fg_metrics *m,
                       struct fg_evaluation *ev, struct fg_gate_outcome *o, size_t *used,
                       size_t *blocking)
{
    uint64_t required = policy->overrides.required_approvals;
    size_t uncovered = 0;
    *blocking = 0;
    for (size_t r = 0; r <= o->n_results; r++) {
        struct fg_gate_result *res = r < o->n_results ? &o->results[r] : NULL;
        if (res == NULL ? *blocking > 0 : !result_blocks(o->spec, res))
            continue;
        *blocking += 1;
        size_t group = res != NULL ? res->group : SIZE_MAX;
        if (count_approvers(policy, m, ev, o->spec->id, group) < required) {
            uncovered++;
            continue;
        }
        for (size_t i = 0; i < ev->n_overrides; i++)
            used[i] += offer_covers(policy, m, &ev->overrides[i], o->spec->id, group);
        if (res != NULL && res->status == FG_RESULT_FAIL)
            res->status = FG_RESULT_OVERRIDDEN;
    }
    if (uncovered == 0)
        o->status = FG_RESULT_OVERRIDDEN;
}

/* The same approver twice for the same scope counts once: later copies are rejected. */
static void reject_repeated_approvers(struct fg_evaluation *ev)
{
    for (size_t i = 0; i < ev->n_overrides; i++) {
        struct fg_override_record *a = &ev->overrides[i];
        for (size_t j = 0; j < i && a->applied; j++) {
            const struct fg_override_record *b = &ev->overrides[j];
            if (b->applied && strcmp(a->gate, b->gate) == 0 && same_scope(a, b) &&
                same_approver(a, b))
                reject(a,
                       "approver '%s' (key %.16s...) already approved this; the same approver "
                       "or key counts once",
                       a->approver, a->keyid);
        }
    }
}

/* Rejects each valid offer that covered no result (used[i] 0): it lacks approvals, counted
 * against the offer's own scope (its group's result, or the whole gate). */
static void reject_short_of_approvals(const struct fg_policy *policy, const struct fg_metrics *m,
                                      struct fg_evaluation *ev, const size_t *used)
{
    uint64_t required = policy->overrides.required_approvals;
    for (size_t i = 0; i < ev->n_overrides; i++) {
        struct fg_override_record *a = &ev->overrides[i];
        if (!a->applied || used[i] > 0)
            continue;
        size_t gate_index = 0, group = SIZE_MAX;
        const struct fg_gate_result *res =
            fg_override_find_gate(policy, a->gate, &gate_index) != NULL && a->has_slice
                ? group_result(policy, m, &ev->outcomes[gate_index], a)
                : NULL;
        if (res != NULL)
            group = res->group;
        size_t have = count_approvers(policy, m, ev, a->gate, group);
        a->applied = false;
        snprintf(a->why, sizeof a->why,
                 "%zu of %llu required approvals (distinct approvers and keys) for gate '%s'%s%s",
                 have, (unsigned long long)required, a->gate, a->group ? ", group " : "",
                 a->group ? a->group : "");
    }
}

/* Says of each applied offer what it was applied to, and, for a whole-gate offer that
 * counted for only some of the gate's blocking groups, for how many. */
static void describe_applied(const struct fg_policy *policy, struct fg_evaluation *ev,
                             const size_t *used, const size_t *blocking)
{
    uint64_t required = policy->overrides.required_approvals;
    for (size_t i = 0; i < ev->n_overrides; i++) {
        struct fg_override_record *a = &ev->overrides[i];
        if (!a->applied)
            continue;
        size_t gate_index = 0;
        (void)fg_override_find_gate(policy, a->gate, &gate_index);
        size_t of = blocking[gate_index];
        int n =
            snprintf(a->why, sizeof a->why, "applied to gate '%s'%s%s by %s (%s)", a->gate,
                     a->group ? ", group " : "", a->group ? a->group : "", a->approver, a->role);
        if (!a->has_slice && used[i] < of && n > 0 && (size_t)n < sizeof a->why)
            snprintf(a->why + n, sizeof a->why - (size_t)n,
                     ", counted for %zu of its %zu failing groups, whose own approvals make up "
                     "the %llu required",
                     used[i], of, (unsigned long long)required);
    }
}

/* The verdict from the gates' outcomes after the overrides. */
static void set_verdict(struct fg_evaluation *ev)
{
    bool failing = false, overridden = false;
    for (size_t g = 0; g < ev->n_outcomes; g++) {
        failing |= fg_gate_outcome_blocks(&ev->outcomes[g]);
        overridden |= ev->outcomes[g].status == FG_RESULT_OVERRIDDEN;
    }
    ev->verdict = failing      ? FG_VERDICT_FAIL
                  : overridden ? FG_VERDICT_PASS_WITH_OVERRIDE
                               : FG_VERDICT_PASS;
}

/* ---- ownership of the records ---- */

static void records_free(struct fg_override_record *records, size_t n)
{
    for (size_t i = 0; i < n; i++)
        record_clear(&records[i]);
    free(records);
}

void fg_override_release(struct fg_evaluation *ev)
{
    records_free(ev->overrides, ev->n_overrides);
    ev->overrides = NULL;
    ev->n_overrides = 0;
}

/* ---- applying ---- */

enum fg_status fg_override_apply(const struct fg_policy *policy, const struct fg_metrics *m,
                                 struct fg_evaluation *ev, const char *const *paths, size_t n_paths,
                                 const struct fg_override_inputs *inputs, long long now,
                                 struct fg_error *err)
{
    if (n_paths == 0)
        return FG_OK;
    for (size_t i = 0; i < n_paths; i++) {
        enum fg_status st = judge_offer(policy, m, ev, paths[i], inputs, now, err);
        if (st != FG_OK)
            return st;
    }
    reject_repeated_approvers(ev);
    /* Cover results with the valid offers, then keep applied only the offers that counted. */
    size_t *used = calloc(ev->n_overrides + 1, sizeof *used);
    size_t *blocking = calloc(ev->n_outcomes + 1, sizeof *blocking);
    if (used == NULL || blocking == NULL) {
        free(used);
        free(blocking);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t g = 0; g < ev->n_outcomes; g++)
        if (fg_gate_outcome_blocks(&ev->outcomes[g]))
            cover_gate(policy, m, ev, &ev->outcomes[g], used, &blocking[g]);
    reject_short_of_approvals(policy, m, ev, used);
    describe_applied(policy, ev, used, blocking);
    free(used);
    free(blocking);
    set_verdict(ev);
    return FG_OK;
}
