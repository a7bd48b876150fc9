/*
 * attest.c - the signed audit artifact: an in-toto Statement v1 in a DSSE envelope, and
 * its verification.
 *
 * Statement (in-toto attestation framework, spec/v1/statement.md):
 *   {"_type":"https://in-toto.io/Statement/v1",
 *    "subject":[{"name":N,"digest":{"sha256":H},"annotations":{"fairgate.role":R}},...],
 *    "predicateType":"urn:fairgate:audit:v1",
 *    "predicate":<the audit JSON, byte for byte as the audit file holds it>}
 * The predicate is spliced in as text, so the signed bytes contain exactly the audit that
 * `--out` writes. The envelope is DSSE v1 with payloadType application/vnd.in-toto+json.
 *
 * Verification order (a contract of `fairgate verify`): signature over PAE with the given
 * key, payloadType, Statement shape, then each given file's SHA-256 against its subject.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define STATEMENT_TYPE        "https://in-toto.io/Statement/v1"
#define PREDICATE_TYPE        "urn:fairgate:audit:v1"
#define INTOTO_PAYLOAD_TYPE   "application/vnd.in-toto+json"
#define ROLE_KEY              "fairgate.role"
#define MAX_ATTESTATION_BYTES (256u << 20)

/* ---- building ---- */

static cJSON *subjects_json(const struct fg_subject *subjects, size_t n, struct fg_error *err,
                            enum fg_status *st)
{
    cJSON *array = cJSON_CreateArray();
    *st = array ? FG_OK : fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n && *st == FG_OK; i++) {
        char digest[65];
        *st = fg_file_sha256(subjects[i].path, digest, err);
        if (*st != FG_OK)
            break;
        cJSON *s = cJSON_CreateObject();
        bool ok = s != NULL && cJSON_AddItemToArray(array, s);
        if (!ok)
            cJSON_Delete(s);
        ok = ok && cJSON_AddStringToObject(s, "name", subjects[i].name) != NULL;
        cJSON *d = ok ? cJSON_AddObjectToObject(s, "digest") : NULL;
        cJSON *a = d ? cJSON_AddObjectToObject(s, "annotations") : NULL;
        ok = a != NULL && cJSON_AddStringToObject(d, "sha256", digest) != NULL &&
             cJSON_AddStringToObject(a, ROLE_KEY, subjects[i].role) != NULL;
        if (!ok)
            *st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    if (*st != FG_OK) {
        cJSON_Delete(array);
        return NULL;
    }
    return array;
}

enum fg_status fg_attest_build(const char *audit_json, const struct fg_subject *subjects,
                               size_t n_subjects, const struct fg_key *key, char **envelope_line,
                               struct fg_error *err)
{
    *envelope_line = NULL;
    enum fg_status st;
    cJSON *subject = subjects_json(subjects, n_subjects, err, &st);
    if (subject == NULL)
        return st;
    char *subject_text = cJSON_PrintUnformatted(subject);
    cJSON_Delete(subject);
    if (subject_text == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    size_t audit_len = strlen(audit_json);
    while (audit_len > 0 && (audit_json[audit_len - 1] == '\n' || audit_json[audit_len - 1] == ' '))
        audit_len--;
    static const char head[] = "{\"_type\":\"" STATEMENT_TYPE "\",\"subject\":";
    static const char middle[] = ",\"predicateType\":\"" PREDICATE_TYPE "\",\"predicate\":";
    size_t len = strlen(head) + strlen(subject_text) + strlen(middle) + audit_len + 1;
    char *payload = malloc(len + 1);
    if (payload == NULL) {
        free(subject_text);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    int written = snprintf(payload, len + 1, "%s%s%s%.*s}", head, subject_text, middle,
                           (int)audit_len, audit_json);
    free(subject_text);
    if (written < 0 || (size_t)written != len) {
        free(payload);
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0, "the audit is too large to sign");
    }
    char *envelope = NULL;
    st =
        fg_dsse_sign(key, INTOTO_PAYLOAD_TYPE, (const unsigned char *)payload, len, &envelope, err);
    free(payload);
    if (st != FG_OK)
        return st;
    st = fg_text_end_line(&envelope, err);
    *envelope_line = envelope;
    return st;
}

/* ---- verifying ---- */

/* A growable report; on allocation failure it keeps what it has. */
struct lines {
    char *text;
    size_t len;
};

static void say(struct lines *r, const char *fmt, ...) FG_PRINTF(2, 3);

static void say(struct lines *r, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* Names come from the attestation: a control byte among them is shown as \xNN, so
     * that no line of the report starts with what follows a line break (a GitHub workflow
     * command, say). */
    size_t add = 0;
    for (const char *p = line; *p != '\0'; p++)
        add += (unsigned char)*p < 0x20 || *p == 0x7f ? 4 : 1;
    char *grown = realloc(r->text, r->len + add + 2);
    if (grown == NULL)
        return;
    r->text = grown;
    for (const char *p = line; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            r->len += (size_t)snprintf(r->text + r->len, 5, "\\x%02x", c);
        else
            r->text[r->len++] = *p;
    }
    r->text[r->len++] = '\n';
    r->text[r->len] = '\0';
}

static const char *string_item(const cJSON *o, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static bool is_hex64(const char *s)
{
    if (s == NULL || strlen(s) != 64)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* Checks the Statement's shape; returns NULL when fine, else why not. */
static const char *statement_problem(const cJSON *st)
{
    if (!cJSON_IsObject(st))
        return "the payload is not a JSON object";
    const char *type = string_item(st, "_type");
    if (type == NULL || strcmp(type, STATEMENT_TYPE) != 0)
        return "_type is not " STATEMENT_TYPE;
    const char *ptype = string_item(st, "predicateType");
    if (ptype == NULL || strcmp(ptype, PREDICATE_TYPE) != 0)
        return "predicateType is not " PREDICATE_TYPE;
    if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(st, "predicate")))
        return "the predicate is not a JSON object";
    const cJSON *subjects = cJSON_GetObjectItemCaseSensitive(st, "subject");
    if (!cJSON_IsArray(subjects) || cJSON_GetArraySize(subjects) == 0)
        return "subject is not a non-empty array";
    const cJSON *s;
    cJSON_ArrayForEach(s, subjects)
    {
        const cJSON *digest = cJSON_GetObjectItemCaseSensitive(s, "digest");
        if (string_item(s, "name") == NULL || !is_hex64(string_item(digest, "sha256")))
            return "a subject lacks a name or a sha256 digest";
    }
    return NULL;
}

/* The subject of the check's role (and name): the one whose digest is the file's when
 * several share a name (shards named part-0.csv in different folders), else the first. */
static const cJSON *find_subject(const cJSON *statement, const struct fg_subject *check,
                                 const char *digest)
{
    const cJSON *s, *first = NULL;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(statement, "subject"))
    {
        const char *role =
            string_item(cJSON_GetObjectItemCaseSensitive(s, "annotations"), ROLE_KEY);
        if (role == NULL || strcmp(role, check->role) != 0)
            continue;
        if (check->name != NULL && strcmp(string_item(s, "name"), check->name) != 0)
            continue;
        const char *sha = string_item(cJSON_GetObjectItemCaseSensitive(s, "digest"), "sha256");
        if (sha != NULL && strcmp(sha, digest) == 0)
            return s;
        if (first == NULL)
            first = s;
    }
    return first;
}

enum fg_status fg_attest_verify(const char *path, const struct fg_key *key,
                                const struct fg_subject *checks, size_t n_checks, int *valid,
                                char **report, struct fg_error *err)
{
    *valid = 0;
    *report = NULL;
    char *text = NULL;
    size_t len = 0;
    enum fg_status st = fg_file_read_all(path, MAX_ATTESTATION_BYTES, &text, &len, err);
    if (st != FG_OK)
        return st;
    struct fg_dsse_envelope *env = NULL;
    st = fg_dsse_parse(text, len, &env, err);
    free(text);
    if (st != FG_OK) {
        if (err != NULL && err->file[0] == '\0')
            snprintf(err->file, sizeof err->file, "%s", path);
        return st;
    }
    struct lines r = {NULL, 0};
    char keyid[65];
    fg_key_id(key, keyid);
    cJSON *statement = NULL;
    const cJSON **matched = NULL;
    size_t which = 0;
    if (!fg_dsse_verify(env, key, &which)) {
        say(&r, "INVALID: no signature verifies with key %s (%zu signature%s in the envelope)",
            keyid, env->n_signatures, env->n_signatures == 1 ? "" : "s");
        goto done;
    }
    say(&r, "signature: ok, key %s", keyid);
    if (strcmp(env->payload_type, INTOTO_PAYLOAD_TYPE) != 0) {
        say(&r, "INVALID: payloadType is '%s', not %s", env->payload_type, INTOTO_PAYLOAD_TYPE);
        goto done;
    }
    statement = cJSON_ParseWithLength((const char *)env->payload, env->payload_len);
    const char *problem = statement ? statement_problem(statement) : "the payload is not JSON";
    if (problem != NULL) {
        say(&r, "INVALID: not an in-toto Statement v1: %s", problem);
        goto done;
    }
    const cJSON *predicate = cJSON_GetObjectItemCaseSensitive(statement, "predicate");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(predicate, "exit_code");
    const char *verdict = string_item(predicate, "verdict");
    say(&r, "verdict: %s (exit_code %d)", verdict ? verdict : "?",
        cJSON_IsNumber(code) ? code->valueint : -1);
    const char *policy_name =
        string_item(cJSON_GetObjectItemCaseSensitive(predicate, "policy"), "name");
    if (policy_name != NULL)
        say(&r, "policy: %s", policy_name);
    matched = calloc(n_checks ? n_checks : 1, sizeof *matched);
    if (matched == NULL) {
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_checks; i++) {
        char digest[65];
        st = fg_file_sha256(checks[i].path, digest, err);
        if (st != FG_OK)
            goto done;
        const cJSON *subject = matched[i] = find_subject(statement, &checks[i], digest);
        if (subject == NULL) {
            say(&r, "INVALID: the attestation names no %s%s%s", checks[i].role,
                checks[i].name ? " subject " : "", checks[i].name ? checks[i].name : "");
            goto done;
        }
        const char *want =
            string_item(cJSON_GetObjectItemCaseSensitive(subject, "digest"), "sha256");
        if (strcmp(digest, want) != 0) {
            say(&r, "INVALID: digest mismatch: %s %s has sha256 %s, the attestation says %s",
                checks[i].role, checks[i].path, digest, want);
            goto done;
        }
    }
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(statement, "subject"))
    {
        const char *role =
            string_item(cJSON_GetObjectItemCaseSensitive(s, "annotations"), ROLE_KEY);
        bool checked = false;
        for (size_t i = 0; i < n_checks; i++)
            checked |= matched[i] == s;
        say(&r, "subject: %s sha256:%s (%s)%s", string_item(s, "name"),
            string_item(cJSON_GetObjectItemCaseSensitive(s, "digest"), "sha256"),
            role ? role : "subject", checked ? " matches the file given" : "");
    }
    *valid = 1;
    say(&r, "valid");

done:
    free(matched);
    cJSON_Delete(statement);
    fg_dsse_envelope_free(env);
    if (st != FG_OK) {
        free(r.text);
        return st;
    }
    *report = r.text;
    return FG_OK;
}
