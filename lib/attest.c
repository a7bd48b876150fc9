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
 * Subjects: the judged inputs (candidate, incumbent, counts files, policy) carry the digest
 * computed in the very read that fed the gate, handed in by the caller; this module never
 * opens them again (a FIFO would read empty, a file swapped meanwhile would be attested in
 * place of the bytes judged). The audit is a subject too (role "audit"): the SHA-256 of the
 * exact bytes `check --out` writes, so that `verify --audit F` is a digest check.
 *
 * Verification order (a contract of `fairgate verify`): signature over PAE with the given
 * key, payloadType, Statement shape, then each given file's SHA-256 against its subject.
 * The envelope and the statement pass the strict JSON gate (json.h): the statement is
 * exactly one JSON value, with nothing after it.
 */
#include "attest.h"
#include "buf.h"
#include "dsse.h"
#include "fairgate.h"
#include "json.h"
#include "util.h"

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
#define MAX_AUDIT_BYTES       (256u << 20)
#define AUDIT_ROLE            role_names[FG_ROLE_AUDIT]
#define AUDIT_DEFAULT_NAME    "audit.json"

/* ---- subject roles: the one list ---- */

static const char *const role_names[] = {
    [FG_ROLE_CANDIDATE] = "candidate", [FG_ROLE_COUNTS] = "counts",
    [FG_ROLE_INCUMBENT] = "incumbent", [FG_ROLE_POLICY] = "policy",
    [FG_ROLE_SUBJECT] = "subject",     [FG_ROLE_AUDIT] = "audit",
};

const char *fg_subject_role_name(enum fg_subject_role role)
{
    return (size_t)role < sizeof role_names / sizeof role_names[0] ? role_names[role] : "subject";
}

struct fg_subject fg_subject_of(enum fg_subject_role role, const char *path, const char *sha256)
{
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;
    return (struct fg_subject){slash != NULL ? slash + 1 : path, path, fg_subject_role_name(role),
                               sha256};
}

/* ---- building ---- */

static cJSON *subjects_json(const struct fg_subject *subjects, size_t n, struct fg_error *err,
                            enum fg_status *st)
{
    cJSON *array = cJSON_CreateArray();
    *st = array ? FG_OK : fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n && *st == FG_OK; i++) {
        char digest[65];
        bool judged = strcmp(subjects[i].role, role_names[FG_ROLE_SUBJECT]) != 0;
        if (subjects[i].sha256 != NULL)
            snprintf(digest, sizeof digest, "%s", subjects[i].sha256);
        else if (judged)
            *st = fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                               "the %s subject %s has no digest: a judged input is attested "
                               "with the digest of the read that fed the gate",
                               subjects[i].role, subjects[i].name);
        else
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
    /* The audit's subject: the caller's (for its name) or one named audit.json, with the
     * digest of the bytes signed here. */
    char audit_sha[65];
    enum fg_status st = fg_sha256_hex(audit_json, strlen(audit_json), audit_sha, err);
    if (st != FG_OK)
        return st;
    struct fg_subject *all = calloc(n_subjects + 1, sizeof *all);
    if (all == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t n_all = 0;
    bool named = false;
    for (size_t i = 0; i < n_subjects; i++) {
        all[n_all] = subjects[i];
        if (strcmp(subjects[i].role, AUDIT_ROLE) == 0) {
            if (named) /* one audit per statement */
                continue;
            named = true;
            all[n_all].sha256 = audit_sha;
        }
        n_all++;
    }
    if (!named)
        all[n_all++] = (struct fg_subject){AUDIT_DEFAULT_NAME, NULL, AUDIT_ROLE, audit_sha};
    cJSON *subject = subjects_json(all, n_all, err, &st);
    free(all);
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

/* The report verify prints is an fg_buf, so that an allocation failure or the cap is an
 * error when it is handed over, never a line left out silently. */

/* One line of verify's report. Names come from the attestation: their control bytes are
 * escaped, so that no line starts with what follows a line break in one. */
#define say(r, ...) (fg_buf_add_escaped((r), __VA_ARGS__), fg_buf_append((r), "\n", 1))

static const char *string_item(const cJSON *o, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
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
        if (string_item(s, "name") == NULL || !fg_is_hex64(string_item(digest, "sha256")))
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

/* The subject of role "audit", or NULL (an attestation made before audits were subjects). */
static const cJSON *audit_subject(const cJSON *statement)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(statement, "subject"))
    {
        const char *role =
            string_item(cJSON_GetObjectItemCaseSensitive(s, "annotations"), ROLE_KEY);
        if (role != NULL && strcmp(role, AUDIT_ROLE) == 0)
            return s;
    }
    return NULL;
}

/* Whether len bytes of text are the attested audit: the audit subject's digest, or, in an
 * attestation without one, the same JSON as the predicate (strictly parsed). FG_OK with
 * *matches set, or an error when the text cannot be judged (not JSON: *matches false and a
 * line said why). *subject gets the audit subject when it decided. */
static enum fg_status audit_matches(const cJSON *statement, const char *path, const char *text,
                                    size_t len, bool *matches, const cJSON **subject,
                                    struct fg_buf *r, struct fg_error *err)
{
    *matches = false;
    *subject = audit_subject(statement);
    if (*subject != NULL) {
        char digest[65];
        enum fg_status st = fg_sha256_hex(text, len, digest, err);
        if (st != FG_OK)
            return st;
        const char *want =
            string_item(cJSON_GetObjectItemCaseSensitive(*subject, "digest"), "sha256");
        *matches = strcmp(digest, want) == 0;
        if (!*matches)
            say(r, "INVALID: digest mismatch: audit %s has sha256 %s, the attestation says %s",
                path, digest, want);
        return FG_OK;
    }
    cJSON *audit = NULL;
    struct fg_error parse_err = {0};
    enum fg_status st = fg_json_parse_strict(text, len, "the audit", &audit, &parse_err);
    if (st == FG_ERR_NOMEM)
        return fg_error_set(err, st, path, 0, 0, "out of memory");
    *matches = st == FG_OK &&
               fg_json_equal(audit, cJSON_GetObjectItemCaseSensitive(statement, "predicate"));
    cJSON_Delete(audit);
    if (st != FG_OK)
        say(r, "INVALID: audit %s: %lu:%lu: %s", path, parse_err.line, parse_err.column,
            parse_err.message);
    else if (!*matches)
        say(r,
            "INVALID: audit %s is not the attested audit (its JSON differs from the "
            "predicate)",
            path);
    else
        say(r, "audit: %s is the attested predicate (this attestation names no audit digest)",
            path);
    return FG_OK;
}

/* Reads and parses the envelope at path, checks the signature with key, the payloadType
 * and the statement. FG_OK with *statement set when all hold; FG_OK with *statement NULL and
 * a line in r saying why when the attestation is invalid; an error when it cannot be read. */
static enum fg_status open_statement(const char *path, const struct fg_key *key, cJSON **statement,
                                     struct fg_buf *r, struct fg_error *err)
{
    *statement = NULL;
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
    char keyid[65];
    fg_key_id(key, keyid);
    size_t which = 0;
    cJSON *parsed = NULL;
    struct fg_error parse_err = {0};
    if (!fg_dsse_verify(env, key, &which)) {
        say(r, "INVALID: no signature verifies with key %s (%zu signature%s in the envelope)",
            keyid, env->n_signatures, env->n_signatures == 1 ? "" : "s");
        goto done;
    }
    if (env->n_signatures == 1)
        say(r, "signature: ok, key %s", keyid);
    else /* any one signature by the key suffices; the others prove nothing */
        say(r,
            "signature: ok, key %s (signature %zu of %zu; the other %zu were not checked, and "
            "their keyid fields are claims, not signatures)",
            keyid, which + 1, env->n_signatures, env->n_signatures - 1);
    if (strcmp(env->payload_type, INTOTO_PAYLOAD_TYPE) != 0) {
        say(r, "INVALID: payloadType is '%s', not %s", env->payload_type, INTOTO_PAYLOAD_TYPE);
        goto done;
    }
    /* Exactly one JSON statement: no NUL, no second value, no bytes after it. */
    st = fg_json_parse_strict((const char *)env->payload, env->payload_len, "the in-toto statement",
                              &parsed, &parse_err);
    if (st == FG_ERR_NOMEM) {
        st = fg_error_set(err, st, path, 0, 0, "out of memory");
        goto done;
    }
    st = FG_OK;
    const char *problem = parsed ? statement_problem(parsed) : NULL;
    if (parsed == NULL)
        say(r, "INVALID: the payload (statement) %lu:%lu: %s", parse_err.line, parse_err.column,
            parse_err.message);
    else if (problem != NULL)
        say(r, "INVALID: not an in-toto Statement v1: %s", problem);
    else {
        *statement = parsed;
        parsed = NULL;
    }
done:
    cJSON_Delete(parsed);
    fg_dsse_envelope_free(env);
    return st;
}

/* The verdict and policy lines of a valid statement. */
static void say_verdict(struct fg_buf *r, const cJSON *statement)
{
    const cJSON *predicate = cJSON_GetObjectItemCaseSensitive(statement, "predicate");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(predicate, "exit_code");
    const char *verdict = string_item(predicate, "verdict");
    say(r, "verdict: %s (exit_code %d)", verdict ? verdict : "?",
        cJSON_IsNumber(code) ? code->valueint : -1);
    const char *policy_name =
        string_item(cJSON_GetObjectItemCaseSensitive(predicate, "policy"), "name");
    if (policy_name != NULL)
        say(r, "policy: %s", policy_name);
}

/* Compares one file given with the statement: an audit by its content, any other file by
 * its SHA-256 against the subject of its role (and name). *matched: the subject it matched;
 * *ok false (with the reason said) when it does not match. */
static enum fg_status check_subject(const cJSON *statement, const struct fg_subject *check,
                                    const cJSON **matched, struct fg_buf *r, bool *ok,
                                    struct fg_error *err)
{
    *ok = false;
    if (strcmp(check->role, AUDIT_ROLE) == 0) {
        char *text = NULL;
        size_t len = 0;
        enum fg_status st = fg_file_read_all(check->path, MAX_AUDIT_BYTES, &text, &len, err);
        if (st == FG_OK)
            st = audit_matches(statement, check->path, text, len, ok, matched, r, err);
        free(text);
        return st;
    }
    char digest[65];
    enum fg_status st = fg_file_sha256(check->path, digest, err);
    if (st != FG_OK)
        return st;
    const cJSON *subject = *matched = find_subject(statement, check, digest);
    if (subject == NULL) {
        say(r, "INVALID: the attestation names no %s%s%s", check->role,
            check->name ? " subject " : "", check->name ? check->name : "");
        return FG_OK;
    }
    const char *want = string_item(cJSON_GetObjectItemCaseSensitive(subject, "digest"), "sha256");
    if (strcmp(digest, want) != 0) {
        say(r, "INVALID: digest mismatch: %s %s has sha256 %s, the attestation says %s",
            check->role, check->path, digest, want);
        return FG_OK;
    }
    *ok = true;
    return FG_OK;
}

/* Lists every subject of the statement, each matched by a file given or not checked, and
 * how many were checked when not all. */
static void say_subjects(struct fg_buf *r, const cJSON *statement, const cJSON **matched,
                         size_t n_checks)
{
    const cJSON *s;
    size_t n_subjects = 0, n_checked = 0;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(statement, "subject"))
    {
        const char *role =
            string_item(cJSON_GetObjectItemCaseSensitive(s, "annotations"), ROLE_KEY);
        bool checked = false;
        for (size_t i = 0; i < n_checks; i++)
            checked |= matched[i] == s;
        n_subjects++;
        n_checked += checked;
        /* statement_problem made sure of name and digest; gcc -O3 cannot see it */
        const char *name = string_item(s, "name"),
                   *digest = string_item(cJSON_GetObjectItemCaseSensitive(s, "digest"), "sha256");
        say(r, "subject: %s sha256:%s (%s) %s", name ? name : "?", digest ? digest : "?",
            role ? role : role_names[FG_ROLE_SUBJECT],
            checked ? "matches the file given" : "not checked");
    }
    /* Valid says the signer signed this statement; only the files given were compared. */
    if (n_checked < n_subjects)
        say(r,
            "checked: %zu of %zu subjects; a subject not checked is what the signer states, "
            "not a file you hold (give it with --candidate, --counts, --incumbent, --policy, "
            "--audit or --subject)",
            n_checked, n_subjects);
}

/* ---- verdicts a release accepts (verify --require-verdict) ---- */

static const char *const verdict_names[] = {[FG_VERDICT_PASS] = "pass",
                                            [FG_VERDICT_FAIL] = "fail",
                                            [FG_VERDICT_PASS_WITH_OVERRIDE] = "pass_with_override"};
#define N_VERDICTS (sizeof verdict_names / sizeof verdict_names[0])

enum fg_status fg_verdict_mask_parse(const char *list, unsigned *mask, struct fg_error *err)
{
    *mask = 0;
    for (const char *name = list;; name++) {
        size_t len = strcspn(name, ",");
        size_t v = 0;
        while (v < N_VERDICTS &&
               !(strlen(verdict_names[v]) == len && strncmp(name, verdict_names[v], len) == 0))
            v++;
        if (v == N_VERDICTS)
            return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                                "--require-verdict: '%.*s' is not a verdict (pass, fail, "
                                "pass_with_override; separated by commas)",
                                (int)(len > 64 ? 64 : len), name);
        *mask |= 1u << v;
        name += len;
        if (*name == '\0')
            return FG_OK;
    }
}

/* The verdicts of mask, "pass, pass_with_override", into out. */
static void verdict_list(unsigned mask, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t v = 0; v < N_VERDICTS; v++)
        if (mask & (1u << v)) {
            int n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", verdict_names[v]);
            used += n > 0 && (size_t)n < size - used ? (size_t)n : 0;
        }
}

/* The attested verdict into outcome, and whether it is one that require accepts (any, when
 * require is 0); a line says so when it is not. */
static void judge_verdict(const cJSON *statement, unsigned require,
                          struct fg_verify_outcome *outcome, struct fg_buf *r)
{
    const char *verdict =
        string_item(cJSON_GetObjectItemCaseSensitive(statement, "predicate"), "verdict");
    snprintf(outcome->verdict, sizeof outcome->verdict, "%s", verdict ? verdict : "");
    bool listed = false;
    for (size_t v = 0; verdict != NULL && v < N_VERDICTS; v++)
        listed |= (require & (1u << v)) && strcmp(verdict, verdict_names[v]) == 0;
    outcome->accepted = require == 0 || listed;
    if (outcome->accepted)
        return;
    char wanted[64];
    verdict_list(require, wanted, sizeof wanted);
    say(r, "REFUSED: the attested verdict is '%s', not one that --require-verdict accepts (%s)",
        verdict ? verdict : "(none)", wanted);
}

/* ---- verifying ---- */

enum fg_status fg_attest_verify(const char *path, const struct fg_key *key,
                                const struct fg_subject *checks, size_t n_checks, int *valid,
                                char **report, struct fg_error *err)
{
    struct fg_verify_outcome outcome;
    enum fg_status st =
        fg_attest_verify_outcome(path, key, checks, n_checks, 0, &outcome, report, err);
    *valid = st == FG_OK && outcome.valid;
    return st;
}

enum fg_status fg_attest_verify_outcome(const char *path, const struct fg_key *key,
                                        const struct fg_subject *checks, size_t n_checks,
                                        unsigned require, struct fg_verify_outcome *outcome,
                                        char **report, struct fg_error *err)
{
    *outcome = (struct fg_verify_outcome){0};
    *report = NULL;
    struct fg_buf r = fg_buf_new(FG_BUF_CAP_VERIFY, "verify's report");
    cJSON *statement = NULL;
    const cJSON **matched = NULL;
    enum fg_status st = open_statement(path, key, &statement, &r, err);
    if (st != FG_OK || statement == NULL)
        goto done;
    say_verdict(&r, statement);
    matched = calloc(n_checks ? n_checks : 1, sizeof *matched);
    if (matched == NULL) {
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_checks; i++) {
        bool ok = false;
        st = check_subject(statement, &checks[i], &matched[i], &r, &ok, err);
        if (st != FG_OK || !ok)
            goto done;
    }
    say_subjects(&r, statement, matched, n_checks);
    outcome->valid = 1;
    say(&r, "valid");
    judge_verdict(statement, require, outcome, &r);

done:
    free(matched);
    cJSON_Delete(statement);
    if (st == FG_OK)
        st = fg_buf_finish(&r, report, err);
    else
        free(r.data);
    if (st != FG_OK) /* no judgement without the report that says why */
        *outcome = (struct fg_verify_outcome){0};
    return st;
}

enum fg_status fg_attest_audit(const char *path, const struct fg_key *key, const char *audit_path,
                               char **audit_json, int *valid, char **report, struct fg_error *err)
{
    *audit_json = NULL;
    *valid = 0;
    *report = NULL;
    struct fg_buf r = fg_buf_new(FG_BUF_CAP_VERIFY, "verify's report");
    cJSON *statement = NULL;
    char *text = NULL;
    size_t len = 0;
    enum fg_status st = open_statement(path, key, &statement, &r, err);
    if (st != FG_OK || statement == NULL)
        goto done;
    say_verdict(&r, statement);
    if (audit_path != NULL) {
        /* Read once: the bytes judged are the bytes rendered. */
        bool matches = false;
        const cJSON *subject = NULL;
        st = fg_file_read_all(audit_path, MAX_AUDIT_BYTES, &text, &len, err);
        if (st == FG_OK)
            st = audit_matches(statement, audit_path, text, len, &matches, &subject, &r, err);
        if (st != FG_OK || !matches)
            goto done;
    } else {
        char *printed =
            cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(statement, "predicate"));
        text = printed != NULL ? fg_strdup(printed) : NULL;
        cJSON_free(printed);
        if (text == NULL) {
            st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
            goto done;
        }
    }
    *valid = 1;
    say(&r, "valid");
    *audit_json = text;
    text = NULL;
done:
    free(text);
    cJSON_Delete(statement);
    if (st != FG_OK) {
        free(r.data);
        return st;
    }
    if ((st = fg_buf_finish(&r, report, err)) != FG_OK) {
        free(*audit_json); /* no audit without the report that says why it is the one */
        *audit_json = NULL;
        *valid = 0;
    }
    return st;
}
