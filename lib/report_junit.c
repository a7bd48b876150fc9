/*
 * report_junit.c - the audit JSON (DESIGN section 5) -> JUnit XML, so that CI systems
 * (GitLab, Jenkins, GitHub test reporters) show each group's result as a test.
 *
 * Shape: <testsuites name="fairgate"> holding one <testsuite name="fairgate.GATE"> per
 * gate in audit order, and in it one <testcase classname="fairgate.GATE" name="GROUP">
 * per result:
 *   fail                                  -> <failure type="fairness">
 *   insufficient_data, on_small_group fail -> <failure type="insufficient_data">
 *   insufficient_data otherwise           -> <skipped>
 *   overridden, warn                      -> passes, with a <system-out> saying why
 *   pass                                  -> an empty testcase
 * A gate with no results gets one testcase "(no groups)" so that a failed gate is never an
 * empty, green suite. tests/failures/skipped on every suite and on <testsuites> are
 * counted from exactly the elements written; errors is always 0.
 *
 * Invariants: deterministic (no timestamps, no hostnames, no durations); every string from
 * the audit goes through xml_escape, which also replaces what XML 1.0 forbids (control
 * characters, U+FFFE/U+FFFF, malformed UTF-8) with U+FFFD; output capped at
 * REPORT_MAX_BYTES.
 *
 * The audit reading and value formatting below mirror report_md.c (same checks, same
 * numbers), so that every report accepts and prints the same audit alike.
 */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define AUDIT_SCHEMA     "fairgate.audit/v1"
#define REPORT_MAX_INPUT (256u << 20)   /* bytes of audit JSON */
#define REPORT_MAX_BYTES (256u << 20)   /* bytes of one rendered report */
#define REPLACEMENT_CHAR "\xef\xbf\xbd" /* U+FFFD */
#define NUMBER_BUF       48
#define N_OF(a)          (sizeof(a) / sizeof((a)[0]))

/* ---- growable text with a cap ---- */

struct text {
    char *data;
    size_t len, cap;
    bool nomem, toobig;
};

static void text_append(struct text *t, const char *s, size_t n)
{
    if (t->nomem || t->toobig)
        return;
    if (n > REPORT_MAX_BYTES - t->len) {
        t->toobig = true;
        return;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        if (grown == NULL) {
            t->nomem = true;
            return;
        }
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
    text_append(t, s, strlen(s));
}

static void text_add(struct text *t, const char *fmt, ...) FG_PRINTF(2, 3);

static void text_add(struct text *t, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->nomem = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        text_append(t, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL) {
        t->nomem = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    text_append(t, big, (size_t)n);
    free(big);
}

static enum fg_status text_finish(struct text *t, char **out, struct fg_error *err)
{
    if (t->data == NULL)
        text_append(t, "", 0);
    if (t->nomem || t->toobig) {
        free(t->data);
        return t->nomem ? fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory")
                        : fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                                       "the report is larger than the limit of %u bytes",
                                       REPORT_MAX_BYTES);
    }
    *out = t->data;
    return FG_OK;
}

/* ---- XML escaping ---- */

/* Length of the well-formed UTF-8 sequence at s (1..4) and its code point, or 0 when s
 * starts a malformed one. s is NUL-terminated, so a truncated sequence stops at the NUL. */
static size_t utf8_sequence(const unsigned char *s, uint32_t *code_point)
{
    size_t extra;
    uint32_t cp, min;
    if (s[0] < 0x80) {
        *code_point = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0)
        extra = 1, cp = s[0] & 0x1fu, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0)
        extra = 2, cp = s[0] & 0x0fu, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0)
        extra = 3, cp = s[0] & 0x07u, min = 0x10000;
    else
        return 0;
    for (size_t k = 1; k <= extra; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    *code_point = cp;
    return extra + 1;
}

enum xml_context {
    XML_TEXT,      /* element content: line breaks kept */
    XML_ATTRIBUTE, /* attribute value: line breaks as character references */
    XML_ONE_LINE   /* attribute value shown as one line: line breaks and tabs as spaces */
};

/* Character data for XML 1.0: the five special characters as entities; the characters
 * XML 1.0 does not allow (C0 controls but tab/LF/CR, U+FFFE, U+FFFF) and malformed UTF-8
 * as U+FFFD. */
static void xml_escape(struct text *t, const char *s, enum xml_context context)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p != '\0') {
        uint32_t cp = 0;
        size_t n = utf8_sequence(p, &cp);
        if (n == 0) {
            text_puts(t, REPLACEMENT_CHAR);
            p++;
            continue;
        }
        if (n > 1) {
            if (cp == 0xfffe || cp == 0xffff)
                text_puts(t, REPLACEMENT_CHAR);
            else
                text_append(t, (const char *)p, n);
            p += n;
            continue;
        }
        switch (cp) {
        case '&':
            text_puts(t, "&amp;");
            break;
        case '<':
            text_puts(t, "&lt;");
            break;
        case '>':
            text_puts(t, "&gt;");
            break;
        case '"':
            text_puts(t, "&quot;");
            break;
        case '\'':
            text_puts(t, "&apos;");
            break;
        case '\t':
            text_puts(t, context == XML_TEXT ? "\t" : context == XML_ATTRIBUTE ? "&#9;" : " ");
            break;
        case '\n':
            text_puts(t, context == XML_TEXT ? "\n" : context == XML_ATTRIBUTE ? "&#10;" : " ");
            break;
        case '\r': /* a literal CR would be normalized away by the parser */
            text_puts(t, context == XML_ONE_LINE ? " " : "&#13;");
            break;
        default:
            if (cp < 0x20)
                text_puts(t, REPLACEMENT_CHAR);
            else
                text_append(t, (const char *)p, 1);
            break;
        }
        p++;
    }
}

/* ---- reading the audit (the same checks as report_md.c) ---- */

static const char *const result_statuses[] = {"pass", "fail", "warn", "insufficient_data",
                                              "overridden"};
static const char *const verdicts[] = {"pass", "fail", "pass_with_override"};

static const cJSON *member(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *item = member(o, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static bool num(const cJSON *o, const char *key, double *value)
{
    const cJSON *item = member(o, key);
    *value = NAN;
    if (!cJSON_IsNumber(item))
        return false;
    *value = item->valuedouble;
    return true;
}

static bool is(const char *s, const char *want)
{
    return s != NULL && strcmp(s, want) == 0;
}

static bool one_of(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is(s, names[i]))
            return true;
    return false;
}

static enum fg_status not_an_audit(struct fg_error *err, const char *fmt, ...) FG_PRINTF(2, 3);

static enum fg_status not_an_audit(struct fg_error *err, const char *fmt, ...)
{
    char what[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0, "not a fairgate audit: %s", what);
}

static enum fg_status parse_audit(const char *audit_json, cJSON **out, struct fg_error *err)
{
    *out = NULL;
    if (audit_json == NULL)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "no audit text given");
    size_t len = strlen(audit_json);
    if (len > REPORT_MAX_INPUT)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "the audit is larger than the limit of %u bytes", REPORT_MAX_INPUT);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(audit_json, &end, 1);
    if (root == NULL) {
        size_t at = end != NULL && end >= audit_json ? (size_t)(end - audit_json) : 0;
        unsigned long line = 1, column = 1;
        for (size_t i = 0; i < at && i < len; i++) {
            if (audit_json[i] == '\n')
                line++, column = 1;
            else
                column++;
        }
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "the audit is not JSON (syntax error at line %lu, column %lu)", line,
                            column);
    }
    enum fg_status st = FG_OK;
    const cJSON *gates = member(root, "gates");
    const cJSON *overrides = member(root, "overrides");
    if (!cJSON_IsObject(root))
        st = not_an_audit(err, "the top level is not an object");
    else if (!is(str(root, "schema"), AUDIT_SCHEMA))
        st = not_an_audit(err, "\"schema\" is not \"%s\"", AUDIT_SCHEMA);
    else if (!one_of(str(root, "verdict"), verdicts, N_OF(verdicts)))
        st = not_an_audit(err, "\"verdict\" is not pass, fail or pass_with_override");
    else if (str(member(root, "policy"), "name") == NULL)
        st = not_an_audit(err, "\"policy\" has no \"name\"");
    else if (!cJSON_IsArray(gates))
        st = not_an_audit(err, "\"gates\" is not an array");
    else if (overrides != NULL && !cJSON_IsArray(overrides) && !cJSON_IsNull(overrides))
        st = not_an_audit(err, "\"overrides\" is not an array");
    int gi = 0;
    for (const cJSON *g = st == FG_OK ? gates->child : NULL; g != NULL && st == FG_OK;
         g = g->next, gi++) {
        const cJSON *results = member(g, "results");
        if (str(g, "id") == NULL || str(g, "metric") == NULL)
            st = not_an_audit(err, "gates[%d] has no \"id\" or \"metric\"", gi);
        else if (!one_of(str(g, "status"), result_statuses, N_OF(result_statuses)))
            st = not_an_audit(err, "gates[%d] has no known \"status\"", gi);
        else if (!cJSON_IsArray(results))
            st = not_an_audit(err, "gates[%d].results is not an array", gi);
        int ri = 0;
        for (const cJSON *r = st == FG_OK ? results->child : NULL; r != NULL && st == FG_OK;
             r = r->next, ri++) {
            if (str(r, "label") == NULL)
                st = not_an_audit(err, "gates[%d].results[%d] has no \"label\"", gi, ri);
            else if (!one_of(str(r, "status"), result_statuses, N_OF(result_statuses)))
                st = not_an_audit(err, "gates[%d].results[%d] has no known \"status\"", gi, ri);
        }
    }
    for (const cJSON *o = st == FG_OK && cJSON_IsArray(overrides) ? overrides->child : NULL;
         o != NULL && st == FG_OK; o = o->next)
        if (!cJSON_IsObject(o))
            st = not_an_audit(err, "an entry of \"overrides\" is not an object");
    if (st != FG_OK) {
        cJSON_Delete(root);
        return st;
    }
    *out = root;
    return FG_OK;
}

/* ---- values (as report_md.c prints them, in plain text) ---- */

enum value_kind { VALUE_NUMBER, VALUE_INFINITE, VALUE_UNDEFINED };

/* A model's value; null in JSON is infinity for a judged ratio (see report_md.c). */
static enum value_kind side_value(const cJSON *gate, const cJSON *result, const cJSON *side,
                                  bool candidate, double *value)
{
    if (num(side, "value", value))
        return VALUE_NUMBER;
    if (!is(str(gate, "disparity"), "ratio") || !cJSON_IsObject(side))
        return VALUE_UNDEFINED;
    double group_rate, reference_rate;
    if (candidate
            ? !is(str(result, "status"), "insufficient_data")
            : num(side, "group_value", &group_rate) && group_rate > 0 &&
                  num(member(side, "reference"), "value", &reference_rate) && reference_rate == 0) {
        *value = INFINITY;
        return VALUE_INFINITE;
    }
    return VALUE_UNDEFINED;
}

static void format_value(char *buf, size_t size, enum value_kind kind, double value, bool sign)
{
    if (kind == VALUE_INFINITE) {
        snprintf(buf, size, "%s", value < 0 ? "-\xe2\x88\x9e" : "\xe2\x88\x9e");
        return;
    }
    if (kind == VALUE_UNDEFINED || !isfinite(value)) {
        snprintf(buf, size, "undefined");
        return;
    }
    snprintf(buf, size, sign ? "%+.4f" : "%.4f", value);
    if (strcmp(buf, "-0.0000") == 0 || strcmp(buf, "+0.0000") == 0)
        snprintf(buf, size, "0.0000");
}

/* A model's value, with the equalized-odds component it came from ("0.2444 (fpr)"). */
static void xml_side(struct text *t, const cJSON *gate, const cJSON *result, const cJSON *side,
                     bool candidate, enum xml_context context)
{
    double value;
    enum value_kind kind = side_value(gate, result, side, candidate, &value);
    char v[NUMBER_BUF];
    format_value(v, sizeof v, kind, value, false);
    text_puts(t, v);
    if (str(side, "component") != NULL) {
        text_puts(t, " (");
        xml_escape(t, str(side, "component"), context);
        text_puts(t, ")");
    }
}

/* "min 0.8, max 1.25, max_worsening 0.02", as the policy says it. */
static void format_bound(char *buf, size_t size, const cJSON *bound)
{
    static const char *const keys[] = {"min", "max", "max_worsening"};
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_OF(keys); i++) {
        double v;
        if (!num(bound, keys[i], &v))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s %g", used ? ", " : "", keys[i], v);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, size, "none");
}

static void metric_phrase(char *buf, size_t size, const cJSON *gate)
{
    const char *metric = str(gate, "metric");
    const char *disparity = str(gate, "disparity");
    if (is(str(gate, "scope"), "overall") || disparity == NULL)
        snprintf(buf, size, "overall %s", metric);
    else
        snprintf(buf, size, "%s %s", metric, disparity);
}

/* ---- testcases ---- */

enum outcome { OUTCOME_PASS, OUTCOME_FAILURE, OUTCOME_SKIPPED };

static enum outcome result_outcome(const cJSON *gate, const cJSON *result)
{
    const char *status = str(result, "status");
    if (is(status, "fail"))
        return OUTCOME_FAILURE;
    if (is(status, "insufficient_data"))
        return is(str(gate, "on_small_group"), "fail") ? OUTCOME_FAILURE : OUTCOME_SKIPPED;
    return OUTCOME_PASS;
}

/* The synthetic testcase of a gate without results. */
static enum outcome empty_gate_outcome(const cJSON *gate)
{
    return is(str(gate, "status"), "fail") ? OUTCOME_FAILURE : OUTCOME_SKIPPED;
}

struct counts {
    size_t tests, failures, skipped;
};

static void count(struct counts *c, enum outcome o)
{
    c->tests++;
    c->failures += o == OUTCOME_FAILURE;
    c->skipped += o == OUTCOME_SKIPPED;
}

static struct counts gate_counts(const cJSON *gate)
{
    struct counts c = {0, 0, 0};
    const cJSON *results = member(gate, "results");
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        count(&c, result_outcome(gate, r));
    if (results->child == NULL)
        count(&c, empty_gate_outcome(gate));
    return c;
}

/* One line: "GROUP: METRIC VALUE, bound B: WHY". */
static void failure_message(struct text *t, const cJSON *gate, const cJSON *result)
{
    char phrase[160], bound[160];
    metric_phrase(phrase, sizeof phrase, gate);
    format_bound(bound, sizeof bound, member(result, "bound"));
    xml_escape(t, str(result, "label"), XML_ONE_LINE);
    text_puts(t, ": ");
    xml_escape(t, phrase, XML_ONE_LINE);
    text_puts(t, " ");
    xml_side(t, gate, result, result, true, XML_ONE_LINE);
    text_add(t, ", bound %s", bound);
    if (str(result, "why") != NULL) {
        text_puts(t, ": ");
        xml_escape(t, str(result, "why"), XML_ONE_LINE);
    }
}

/* The lines under <failure>: everything a reviewer needs without opening the audit. */
static void failure_details(struct text *t, const cJSON *gate, const cJSON *result)
{
    char phrase[160], bound[160], v[NUMBER_BUF], n[NUMBER_BUF], rate[NUMBER_BUF];
    double value;
    metric_phrase(phrase, sizeof phrase, gate);
    format_bound(bound, sizeof bound, member(result, "bound"));
    text_puts(t, "gate: ");
    xml_escape(t, str(gate, "id"), XML_TEXT);
    text_puts(t, " (");
    xml_escape(t, phrase, XML_TEXT);
    text_puts(t, ")\ngroup: ");
    xml_escape(t, str(result, "label"), XML_TEXT);
    if (num(result, "n", &value) && isfinite(value))
        snprintf(n, sizeof n, "%.0f", value);
    else
        snprintf(n, sizeof n, "unknown");
    text_add(t, " (n %s)\n", n);
    text_puts(t, "candidate: ");
    xml_side(t, gate, result, result, true, XML_TEXT);
    const cJSON *ref = member(result, "reference");
    if (num(result, "group_value", &value) || str(ref, "label") != NULL) {
        enum value_kind kind = num(result, "group_value", &value) ? VALUE_NUMBER : VALUE_UNDEFINED;
        format_value(rate, sizeof rate, kind, value, false);
        text_add(t, " (group rate %s", rate);
        if (str(ref, "label") != NULL) {
            kind = num(ref, "value", &value) ? VALUE_NUMBER : VALUE_UNDEFINED;
            format_value(rate, sizeof rate, kind, value, false);
            text_puts(t, "; reference ");
            xml_escape(t, str(ref, "label"), XML_TEXT);
            text_add(t, " %s", rate);
        }
        text_puts(t, ")");
    }
    text_puts(t, "\n");
    const cJSON *incumbent = member(result, "incumbent");
    if (cJSON_IsObject(incumbent)) {
        text_puts(t, "incumbent: ");
        xml_side(t, gate, result, incumbent, false, XML_TEXT);
        text_puts(t, "\n");
    }
    if (num(result, "worsening", &value)) {
        format_value(v, sizeof v, VALUE_NUMBER, value, true);
        text_add(t, "worsening: %s\n", v);
    }
    text_add(t, "bound: %s\n", bound);
    if (str(result, "why") != NULL) {
        text_puts(t, "why: ");
        xml_escape(t, str(result, "why"), XML_TEXT);
        text_puts(t, "\n");
    }
}

/* The applied overrides that cover this result (the whole gate, or its group). */
static void override_notes(struct text *t, const cJSON *audit, const cJSON *gate,
                           const cJSON *result)
{
    const cJSON *overrides = member(audit, "overrides");
    for (const cJSON *o = cJSON_IsArray(overrides) ? overrides->child : NULL; o != NULL;
         o = o->next) {
        if (!is(str(o, "status"), "applied") || !is(str(o, "gate"), str(gate, "id")))
            continue;
        if (str(o, "group") != NULL && !is(str(o, "group"), str(result, "label")))
            continue;
        text_puts(t, "override by ");
        xml_escape(t, str(o, "approver") ? str(o, "approver") : "?", XML_TEXT);
        if (str(o, "role") != NULL) {
            text_puts(t, " (");
            xml_escape(t, str(o, "role"), XML_TEXT);
            text_puts(t, ")");
        }
        text_puts(t, ", expires ");
        xml_escape(t, str(o, "expires") ? str(o, "expires") : "?", XML_TEXT);
        text_puts(t, ": ");
        xml_escape(t, str(o, "reason") ? str(o, "reason") : "", XML_TEXT);
        if (str(o, "ticket") != NULL) {
            text_puts(t, " (ticket ");
            xml_escape(t, str(o, "ticket"), XML_TEXT);
            text_puts(t, ")");
        }
        text_puts(t, "\n");
    }
}

static void testcase(struct text *t, const cJSON *audit, const cJSON *gate, const cJSON *result)
{
    const char *status = str(result, "status");
    const char *why = str(result, "why");
    text_puts(t, "    <testcase classname=\"fairgate.");
    xml_escape(t, str(gate, "id"), XML_ATTRIBUTE);
    text_puts(t, "\" name=\"");
    xml_escape(t, str(result, "label"), XML_ATTRIBUTE);
    text_puts(t, "\"");
    switch (result_outcome(gate, result)) {
    case OUTCOME_FAILURE:
        if (is(status, "fail")) {
            text_puts(t, ">\n      <failure message=\"");
            failure_message(t, gate, result);
            text_puts(t, "\" type=\"fairness\">");
        } else {
            text_puts(t, ">\n      <failure message=\"");
            xml_escape(t, why ? why : "insufficient data", XML_ONE_LINE);
            text_puts(t, " (on_small_group is fail)\" type=\"insufficient_data\">");
        }
        failure_details(t, gate, result);
        text_puts(t, "</failure>\n    </testcase>\n");
        return;
    case OUTCOME_SKIPPED:
        text_puts(t, ">\n      <skipped message=\"");
        xml_escape(t, why ? why : "insufficient data", XML_ONE_LINE);
        text_puts(t, "\"/>\n    </testcase>\n");
        return;
    case OUTCOME_PASS:
        break;
    }
    if (!is(status, "overridden") && !is(status, "warn")) {
        text_puts(t, "/>\n");
        return;
    }
    text_puts(t, ">\n      <system-out>");
    xml_escape(t, status, XML_TEXT);
    if (why != NULL) {
        text_puts(t, ": ");
        xml_escape(t, why, XML_TEXT);
    }
    text_puts(t, "\n");
    if (is(status, "overridden"))
        override_notes(t, audit, gate, result);
    text_puts(t, "</system-out>\n    </testcase>\n");
}

static void property(struct text *t, const char *name, const char *value)
{
    text_add(t, "      <property name=\"%s\" value=\"", name);
    xml_escape(t, value, XML_ATTRIBUTE);
    text_puts(t, "\"/>\n");
}

static void testsuite(struct text *t, const cJSON *audit, const cJSON *gate)
{
    struct counts c = gate_counts(gate);
    char phrase[160], bound[160];
    metric_phrase(phrase, sizeof phrase, gate);
    format_bound(bound, sizeof bound, member(gate, "bound"));
    text_puts(t, "  <testsuite name=\"fairgate.");
    xml_escape(t, str(gate, "id"), XML_ATTRIBUTE);
    text_add(t, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"0\">\n", c.tests,
             c.failures, c.skipped);
    text_puts(t, "    <properties>\n");
    property(t, "metric", phrase);
    property(t, "bound", bound);
    property(t, "status", str(gate, "status"));
    if (str(gate, "description") != NULL)
        property(t, "description", str(gate, "description"));
    if (str(gate, "note") != NULL)
        property(t, "note", str(gate, "note"));
    text_puts(t, "    </properties>\n");
    const cJSON *results = member(gate, "results");
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        testcase(t, audit, gate, r);
    if (results->child == NULL) {
        text_puts(t, "    <testcase classname=\"fairgate.");
        xml_escape(t, str(gate, "id"), XML_ATTRIBUTE);
        text_puts(t, "\" name=\"(no groups)\">\n");
        text_puts(t, empty_gate_outcome(gate) == OUTCOME_FAILURE
                         ? "      <failure message=\"no groups could be evaluated\" "
                           "type=\"insufficient_data\"/>\n"
                         : "      <skipped message=\"no groups could be evaluated\"/>\n");
        text_puts(t, "    </testcase>\n");
    }
    text_puts(t, "  </testsuite>\n");
}

/* ---- public ---- */

enum fg_status fg_report_junit(const char *audit_json, char **out, struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    const cJSON *gates = member(audit, "gates");
    struct counts total = {0, 0, 0};
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        struct counts c = gate_counts(g);
        total.tests += c.tests;
        total.failures += c.failures;
        total.skipped += c.skipped;
    }
    struct text t = {0};
    text_puts(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    text_add(&t,
             "<testsuites name=\"fairgate\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" "
             "errors=\"0\">\n",
             total.tests, total.failures, total.skipped);
    for (const cJSON *g = gates->child; g != NULL; g = g->next)
        testsuite(&t, audit, g);
    text_puts(&t, "</testsuites>\n");
    cJSON_Delete(audit);
    return text_finish(&t, out, err);
}
