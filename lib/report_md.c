/*
 * report_md.c - the audit JSON (DESIGN section 5) -> a GitHub-flavoured Markdown report
 * and GitHub workflow-command annotations.
 *
 * Both are rendered from the audit text alone, so `fairgate check` and `fairgate report
 * --audit` give byte-identical files. Order of the Markdown report: the verdict heading and
 * one sentence, a table of every gate, a table per gate (one row per result), the groups
 * with insufficient data, the overrides offered, then the inputs and the policy.
 *
 * Invariants:
 *  - Every string that comes from the audit (group values are arbitrary UTF-8, policy
 *    names, reasons, paths) goes through md_escape or gh_escape; nothing from the data can
 *    open a table cell, an HTML tag, a code span, a link or a new line. Malformed UTF-8 and
 *    control characters become U+FFFD.
 *  - Deterministic: no clock, no locale-dependent formatting beyond the C locale the
 *    process runs in; measured values print with "%.4f", bounds as written ("%g").
 *  - Output is capped at REPORT_MAX_BYTES (FG_ERR_LIMIT past it); the input is parsed with
 *    cJSON_ParseWithOpts and checked for the shape the renderers read (FG_ERR_INPUT).
 */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define AUDIT_SCHEMA     "fairgate.audit/v1"
#define REPORT_MAX_INPUT (256u << 20) /* bytes of audit JSON */
#define REPORT_MAX_BYTES (256u << 20) /* bytes of one rendered report */
#define SHORT_SHA_LEN    12
#define REPLACEMENT_CHAR "\xef\xbf\xbd" /* U+FFFD */
#define NUMBER_BUF       48

/* ---- growable text with a cap ---- */

/* On allocation failure or past the cap it stops growing and remembers why. */
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

/* Hands the text to the caller, or frees it and reports why it could not be built. */
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

/* ---- escaping ---- */

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 when s starts a malformed
 * one. s is NUL-terminated, so a truncated sequence stops at the NUL. */
static size_t utf8_sequence(const unsigned char *s)
{
    size_t extra;
    uint32_t cp, min;
    if (s[0] < 0x80)
        return 1;
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
    return extra + 1;
}

/* Markdown text that renders as itself inside a table cell, a heading or a list item:
 * inline syntax characters are backslash-escaped, '<' and '>' as entities and '&' too where
 * it could start one, line breaks as character references (a cell keeps its row; the
 * rendered text keeps the break), other control characters as U+FFFD. */
static void md_escape(struct text *t, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p != '\0') {
        unsigned char c = *p;
        size_t n = utf8_sequence(p);
        if (n == 0) {
            text_puts(t, REPLACEMENT_CHAR);
            p++;
            continue;
        }
        if (n > 1) {
            text_append(t, (const char *)p, n);
            p += n;
            continue;
        }
        switch (c) {
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '~':
        case '|':
        case '$':
        case '#':
            text_append(t, "\\", 1);
            text_append(t, (const char *)p, 1);
            break;
        case '<':
            text_puts(t, "&lt;");
            break;
        case '>':
            text_puts(t, "&gt;");
            break;
        case '&': /* only where it could start an entity: "a & b" stays readable */
            if ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') ||
                (p[1] >= '0' && p[1] <= '9') || p[1] == '#')
                text_puts(t, "&amp;");
            else
                text_append(t, "&", 1);
            break;
        case '\n':
            text_puts(t, "&#10;");
            break;
        case '\r':
            text_puts(t, "&#13;");
            break;
        case '\t':
            text_puts(t, "&#9;");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                text_puts(t, REPLACEMENT_CHAR);
            else
                text_append(t, (const char *)p, 1);
            break;
        }
        p++;
    }
}

/* GitHub workflow commands (actions/toolkit, command.ts escapeData / escapeProperty):
 * data escapes %, CR and LF; a property value also ':' and ','. */
static void gh_escape(struct text *t, const char *s, bool property)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p != '\0') {
        unsigned char c = *p;
        size_t n = utf8_sequence(p);
        if (n == 0) {
            text_puts(t, REPLACEMENT_CHAR);
            p++;
            continue;
        }
        if (n > 1) {
            text_append(t, (const char *)p, n);
            p += n;
            continue;
        }
        if (c == '%')
            text_puts(t, "%25");
        else if (c == '\r')
            text_puts(t, "%0D");
        else if (c == '\n')
            text_puts(t, "%0A");
        else if (property && c == ':')
            text_puts(t, "%3A");
        else if (property && c == ',')
            text_puts(t, "%2C");
        else if ((c < 0x20 && c != '\t') || c == 0x7f)
            text_puts(t, REPLACEMENT_CHAR);
        else
            text_append(t, (const char *)p, 1);
        p++;
    }
}

/* ---- reading the audit ---- */

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

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

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

/* Parses the text and checks the shape the renderers rely on: the schema, the verdict,
 * the policy's name, each gate's id, metric, status and results (each with a label and a
 * known status). Numbers may be null anywhere (a rate with a zero denominator). */
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

/* ---- values ---- */

enum value_kind { VALUE_NUMBER, VALUE_INFINITE, VALUE_UNDEFINED };

/* One model's value in a result. JSON cannot hold infinity, so the audit writes null for
 * a ratio over a reference rate of 0 (gate.c). The candidate's value is that infinity
 * when the result was judged (any status but insufficient_data); the incumbent's when its
 * group rate is positive and its reference's is 0 (an explicit reference with too few
 * rows and a rate of exactly 0 would look the same; it is not worth the group lookup). */
static enum value_kind side_value(const cJSON *gate, const cJSON *result, const cJSON *side,
                                  bool candidate, double *value)
{
    if (num(side, "value", value))
        return VALUE_NUMBER;
    *value = NAN;
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

/* "%.4f" in the C locale, "∞", or "undefined"; "-0.0000" is printed as "0.0000". */
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

static void format_number(char *buf, size_t size, const cJSON *o, const char *key)
{
    double v;
    bool defined = num(o, key, &v);
    format_value(buf, size, defined ? VALUE_NUMBER : VALUE_UNDEFINED, v, false);
}

/* A count ("n", "rows"): a whole number, or "—" when absent. */
static void format_count(char *buf, size_t size, const cJSON *o, const char *key)
{
    double v;
    if (num(o, key, &v) && isfinite(v))
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "\xe2\x80\x94");
}

/* The bounds of a gate or result: for people ("≥ 0.8, ≤ 1.25, worsening ≤ 0.02") or in
 * the policy's words ("min 0.8, max 1.25, max_worsening 0.02"). */
static void format_bound(char *buf, size_t size, const cJSON *bound, bool symbols)
{
    static const char *const keys[] = {"min", "max", "max_worsening"};
    static const char *const symbol[] = {"\xe2\x89\xa5 ", "\xe2\x89\xa4 ",
                                         "worsening \xe2\x89\xa4 "};
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_OF(keys); i++) {
        double v;
        if (!num(bound, keys[i], &v))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s%s%g", used ? ", " : "",
                         symbols ? symbol[i] : keys[i], symbols ? "" : " ", v);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, size, "none");
}

static size_t array_size(const cJSON *a)
{
    return cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
}

static size_t count_status(const cJSON *gate, const char *status)
{
    size_t n = 0;
    const cJSON *results = member(gate, "results");
    for (const cJSON *r = results ? results->child : NULL; r != NULL; r = r->next)
        n += is(str(r, "status"), status);
    return n;
}

/* How far the candidate is inside its bounds (negative: past one), as gate.c ranks. */
static double result_margin(const cJSON *gate, const cJSON *result, bool *defined)
{
    double value, bound, margin = INFINITY;
    *defined = side_value(gate, result, result, true, &value) != VALUE_UNDEFINED;
    if (!*defined)
        return INFINITY;
    const cJSON *bounds = member(result, "bound");
    if (num(bounds, "min", &bound) && value - bound < margin)
        margin = value - bound;
    if (num(bounds, "max", &bound) && bound - value < margin)
        margin = bound - value;
    double worsening;
    if (num(bounds, "max_worsening", &bound) && num(result, "worsening", &worsening) &&
        bound - worsening < margin)
        margin = bound - worsening;
    return margin;
}

static bool counts_as_failing(const cJSON *result)
{
    const char *s = str(result, "status");
    return is(s, "fail") || is(s, "overridden");
}

/* The result a person should see first (gate.c's rule): the failing (or overridden) one
 * furthest past its bound, else the judged one closest to its bound, else the first.
 * With failing_only, only results whose status is "fail". */
static const cJSON *worst_result(const cJSON *gate, bool failing_only)
{
    const cJSON *worst = NULL;
    double worst_margin = INFINITY;
    const cJSON *results = member(gate, "results");
    for (const cJSON *r = results ? results->child : NULL; r != NULL; r = r->next) {
        if (failing_only && !is(str(r, "status"), "fail"))
            continue;
        bool defined;
        double margin = result_margin(gate, r, &defined);
        if (!defined && !failing_only)
            continue;
        bool fails = counts_as_failing(r), worst_fails = worst && counts_as_failing(worst);
        if (worst == NULL || (fails && !worst_fails) ||
            (fails == worst_fails && margin < worst_margin)) {
            worst = r;
            worst_margin = margin;
        }
    }
    if (worst == NULL && !failing_only && results != NULL)
        worst = results->child;
    return worst;
}

static const cJSON *first_with_status(const cJSON *gate, const char *status)
{
    const cJSON *results = member(gate, "results");
    for (const cJSON *r = results ? results->child : NULL; r != NULL; r = r->next)
        if (is(str(r, "status"), status))
            return r;
    return NULL;
}

/* "selection_rate ratio", "equalized_odds difference", "overall accuracy". */
static void metric_phrase(char *buf, size_t size, const cJSON *gate)
{
    const char *metric = str(gate, "metric");
    const char *disparity = str(gate, "disparity");
    if (is(str(gate, "scope"), "overall") || disparity == NULL)
        snprintf(buf, size, "overall %s", metric);
    else
        snprintf(buf, size, "%s %s", metric, disparity);
}

/* ---- Markdown pieces ---- */

static const char *status_badge(const char *status)
{
    if (is(status, "pass"))
        return "\xe2\x9c\x85 pass";
    if (is(status, "fail"))
        return "\xe2\x9d\x8c fail";
    if (is(status, "warn"))
        return "\xe2\x9a\xa0\xef\xb8\x8f warn";
    if (is(status, "insufficient_data"))
        return "\xe2\x9d\x94 insufficient data";
    return "\xe2\x9a\xa0\xef\xb8\x8f overridden";
}

/* "label (0.7405)" with the label escaped; "—" when there is no reference. */
static void md_reference(struct text *t, const cJSON *side)
{
    const cJSON *ref = member(side, "reference");
    const char *label = str(ref, "label");
    if (label == NULL) {
        text_puts(t, "\xe2\x80\x94");
        return;
    }
    char v[NUMBER_BUF];
    format_number(v, sizeof v, ref, "value");
    md_escape(t, label);
    text_add(t, " (%s)", v);
}

/* A model's value, with the equalized-odds component it came from. */
static void md_side_value(struct text *t, const cJSON *gate, const cJSON *result, const cJSON *side,
                          bool candidate)
{
    if (!cJSON_IsObject(side)) {
        text_puts(t, "\xe2\x80\x94");
        return;
    }
    double value;
    char v[NUMBER_BUF];
    enum value_kind kind = side_value(gate, result, side, candidate, &value);
    format_value(v, sizeof v, kind, value, false);
    text_puts(t, v);
    const char *component = str(side, "component");
    if (component != NULL) {
        text_puts(t, " (");
        md_escape(t, component);
        text_puts(t, ")");
    }
}

static void md_verdict(struct text *t, const cJSON *audit)
{
    const char *verdict = str(audit, "verdict");
    const char *badge = is(verdict, "pass") ? "\xe2\x9c\x85 fairgate: PASS"
                        : is(verdict, "fail")
                            ? "\xe2\x9d\x8c fairgate: FAIL"
                            : "\xe2\x9a\xa0\xef\xb8\x8f fairgate: PASS WITH OVERRIDE";
    text_add(t, "## %s \xe2\x80\x94 ", badge);
    md_escape(t, str(member(audit, "policy"), "name"));
    text_puts(t, "\n\n");

    const cJSON *gates = member(audit, "gates");
    size_t total = array_size(gates), failed = 0, overridden = 0, warned = 0, insufficient = 0;
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        const char *s = str(g, "status");
        failed += is(s, "fail");
        overridden += is(s, "overridden");
        warned += is(s, "warn");
        insufficient += is(s, "insufficient_data");
    }
    if (failed == 0)
        text_add(t, "No gate failed (%zu %s)", total, total == 1 ? "gate" : "gates");
    else
        text_add(t, "%zu of %zu %s failed", failed, total, total == 1 ? "gate" : "gates");
    if (overridden > 0)
        text_add(t, "; %zu overridden", overridden);
    if (warned > 0)
        text_add(t, "; %zu with a warning", warned);
    if (insufficient > 0)
        text_add(t, "; %zu without enough data to judge", insufficient);
    text_puts(t, ".\n\n");
}

static void md_gate_table(struct text *t, const cJSON *audit)
{
    text_puts(t, "| Gate | Metric | Status | Worst group |\n|---|---|---|---|\n");
    for (const cJSON *g = member(audit, "gates")->child; g != NULL; g = g->next) {
        char phrase[160], bound[160];
        metric_phrase(phrase, sizeof phrase, g);
        format_bound(bound, sizeof bound, member(g, "bound"), true);
        text_puts(t, "| ");
        md_escape(t, str(g, "id"));
        text_puts(t, " | ");
        md_escape(t, phrase);
        text_add(t, ", %s | %s | ", bound, status_badge(str(g, "status")));
        /* A gate failed by its small groups alone (on_small_group: fail) shows one. */
        const cJSON *worst = worst_result(g, false);
        if (is(str(g, "status"), "fail") && worst != NULL && !counts_as_failing(worst) &&
            first_with_status(g, "insufficient_data") != NULL)
            worst = first_with_status(g, "insufficient_data");
        if (worst == NULL) {
            text_puts(t, "no groups |\n");
            continue;
        }
        md_escape(t, str(worst, "label"));
        text_puts(t, ": ");
        double value;
        enum value_kind kind = side_value(g, worst, worst, true, &value);
        if (kind == VALUE_UNDEFINED && is(str(worst, "status"), "insufficient_data")) {
            text_puts(t, "insufficient data |\n");
            continue;
        }
        md_side_value(t, g, worst, worst, true);
        double worsening;
        if (num(worst, "worsening", &worsening)) {
            char w[NUMBER_BUF];
            format_value(w, sizeof w, VALUE_NUMBER, worsening, true);
            text_add(t, " (worsening %s)", w);
        }
        text_puts(t, " |\n");
    }
    text_puts(t, "\n");
}

/* "against the highest group", "against sex=Male, race=White", ... */
static void md_reference_kind(struct text *t, const cJSON *gate)
{
    const cJSON *ref = member(gate, "reference");
    if (cJSON_IsString(ref)) {
        if (is(ref->valuestring, "between_groups")) {
            text_puts(t, "the worst group against the best, per attribute set");
            return;
        }
        text_puts(t, "against the ");
        md_escape(t, ref->valuestring);
        text_puts(t, " group");
        return;
    }
    text_puts(t, "against ");
    const char *sep = "";
    for (const cJSON *kv = cJSON_IsObject(ref) ? ref->child : NULL; kv != NULL; kv = kv->next) {
        text_puts(t, sep);
        md_escape(t, kv->string);
        text_puts(t, "=");
        md_escape(t, cJSON_IsString(kv) ? kv->valuestring : "?");
        sep = ", ";
    }
    if (*sep == '\0')
        text_puts(t, "a reference group");
}

static void md_gate_section(struct text *t, const cJSON *gate)
{
    const char *status = str(gate, "status");
    bool overall = is(str(gate, "scope"), "overall") || str(gate, "disparity") == NULL;
    bool worsening = member(member(gate, "bound"), "max_worsening") != NULL;
    char phrase[160], bound[160];
    metric_phrase(phrase, sizeof phrase, gate);
    format_bound(bound, sizeof bound, member(gate, "bound"), true);

    text_puts(t, "### ");
    md_escape(t, str(gate, "id"));
    text_add(t, ": %s\n\n", status_badge(status));
    if (str(gate, "description") != NULL) {
        text_puts(t, "*");
        md_escape(t, str(gate, "description"));
        text_puts(t, "*\n\n");
    }
    md_escape(t, phrase);
    if (!overall) {
        text_puts(t, ", ");
        md_reference_kind(t, gate);
    }
    text_add(t, "; bound %s", bound);
    double min_size;
    if (num(gate, "min_group_size", &min_size) && isfinite(min_size))
        text_add(t, "; min_group_size %.0f", min_size);
    if (str(gate, "on_small_group") != NULL) {
        text_puts(t, " (smaller groups: ");
        md_escape(t, str(gate, "on_small_group"));
        text_puts(t, ")");
    }
    text_puts(t, ".\n\n");
    if (str(gate, "note") != NULL) {
        text_puts(t, "Note: ");
        md_escape(t, str(gate, "note"));
        text_puts(t, "\n\n");
    }

    const cJSON *results = member(gate, "results");
    if (results->child == NULL) {
        text_puts(t, "No groups were evaluated.\n\n");
        return;
    }
    /* The incumbent column only when some result has an incumbent side. */
    bool incumbent = false;
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        incumbent = incumbent || cJSON_IsObject(member(r, "incumbent"));
    text_puts(t, overall ? "| Group | n | Candidate |" : "| Group | n | Group rate | Candidate |");
    text_puts(t, incumbent ? " Incumbent |" : "");
    text_puts(t, worsening ? " Worsening |" : "");
    text_puts(t, overall ? " Bound | Status |\n|---|--:|--:|"
                         : " Reference | Bound | Status |\n|---|--:|--:|--:|");
    text_puts(t, incumbent ? "--:|" : "");
    text_puts(t, worsening ? "--:|" : "");
    text_puts(t, overall ? "---|---|\n" : "---|---|---|\n");
    for (const cJSON *r = results->child; r != NULL; r = r->next) {
        char n[NUMBER_BUF], rate[NUMBER_BUF], rbound[160];
        format_count(n, sizeof n, r, "n");
        text_puts(t, "| ");
        md_escape(t, str(r, "label"));
        text_add(t, " | %s | ", n);
        if (!overall) {
            format_number(rate, sizeof rate, r, "group_value");
            text_add(t, "%s | ", rate);
        }
        md_side_value(t, gate, r, r, true);
        text_puts(t, " | ");
        if (incumbent) {
            md_side_value(t, gate, r, member(r, "incumbent"), false);
            text_puts(t, " | ");
        }
        if (worsening) {
            double w;
            char ws[NUMBER_BUF];
            enum value_kind kind = num(r, "worsening", &w) ? VALUE_NUMBER : VALUE_UNDEFINED;
            format_value(ws, sizeof ws, kind, w, true);
            text_add(t, "%s | ", ws);
        }
        if (!overall) {
            md_reference(t, r);
            text_puts(t, " | ");
        }
        format_bound(rbound, sizeof rbound, member(r, "bound"), true);
        text_add(t, "%s | %s", rbound, status_badge(str(r, "status")));
        if (str(r, "why") != NULL) {
            text_puts(t, ": ");
            md_escape(t, str(r, "why"));
        }
        text_puts(t, " |\n");
    }
    text_puts(t, "\n");
}

static void md_insufficient(struct text *t, const cJSON *audit)
{
    bool any = false;
    for (const cJSON *g = member(audit, "gates")->child; g != NULL; g = g->next) {
        for (const cJSON *r = member(g, "results")->child; r != NULL; r = r->next) {
            if (!is(str(r, "status"), "insufficient_data"))
                continue;
            if (!any)
                text_puts(t,
                          "### Groups with insufficient data\n\n"
                          "| Gate | Group | n | min_group_size | Why |\n|---|---|--:|--:|---|\n");
            any = true;
            char n[NUMBER_BUF], min_size[NUMBER_BUF];
            format_count(n, sizeof n, r, "n");
            format_count(min_size, sizeof min_size, g, "min_group_size");
            text_puts(t, "| ");
            md_escape(t, str(g, "id"));
            text_puts(t, " | ");
            md_escape(t, str(r, "label"));
            text_add(t, " | %s | %s | ", n, min_size);
            md_escape(t, str(r, "why") ? str(r, "why") : "too few rows");
            text_puts(t, " |\n");
        }
    }
    if (any)
        text_puts(t, "\n");
}

static void md_cell(struct text *t, const char *s, const char *when_null)
{
    if (s != NULL)
        md_escape(t, s);
    else
        text_puts(t, when_null);
    text_puts(t, " | ");
}

static void md_overrides(struct text *t, const cJSON *audit)
{
    const cJSON *overrides = member(audit, "overrides");
    text_puts(t, "### Overrides\n\n");
    if (array_size(overrides) == 0) {
        text_puts(t, "None offered.\n\n");
        return;
    }
    text_puts(t, "| Gate | Group | Approver | Reason | Expires | Status | Why |\n"
                 "|---|---|---|---|---|---|---|\n");
    for (const cJSON *o = overrides->child; o != NULL; o = o->next) {
        text_puts(t, "| ");
        md_cell(t, str(o, "gate"), "?");
        md_cell(t, str(o, "group"), "(whole gate)");
        md_escape(t, str(o, "approver") ? str(o, "approver") : "?");
        if (str(o, "role") != NULL) {
            text_puts(t, " (");
            md_escape(t, str(o, "role"));
            text_puts(t, ")");
        }
        text_puts(t, " | ");
        md_escape(t, str(o, "reason") ? str(o, "reason") : "?");
        if (str(o, "ticket") != NULL) {
            text_puts(t, " (ticket ");
            md_escape(t, str(o, "ticket"));
            text_puts(t, ")");
        }
        text_puts(t, " | ");
        md_cell(t, str(o, "expires"), "?");
        text_puts(t, is(str(o, "status"), "applied") ? "\xe2\x9c\x85 applied | "
                                                     : "\xe2\x9d\x8c rejected | ");
        md_escape(t, str(o, "why") ? str(o, "why") : "");
        text_puts(t, " |\n");
    }
    text_puts(t, "\n");
}

static void md_short_sha(struct text *t, const char *sha)
{
    if (sha == NULL) {
        text_puts(t, "\xe2\x80\x94");
        return;
    }
    char short_sha[SHORT_SHA_LEN + 1];
    snprintf(short_sha, sizeof short_sha, "%s", sha);
    md_escape(t, short_sha);
}

static void md_inputs(struct text *t, const cJSON *audit)
{
    static const char *const roles[] = {"candidate", "incumbent"};
    const cJSON *inputs = member(audit, "inputs");
    text_puts(t, "### Inputs\n\n| Input | File | SHA-256 | Rows | Dropped |\n"
                 "|---|---|---|--:|--:|\n");
    for (size_t i = 0; i < N_OF(roles); i++) {
        const cJSON *in = member(inputs, roles[i]);
        char rows[NUMBER_BUF], dropped[NUMBER_BUF];
        text_add(t, "| %s | ", roles[i]);
        if (!cJSON_IsObject(in)) {
            text_puts(t, "none | \xe2\x80\x94 | \xe2\x80\x94 | \xe2\x80\x94 |\n");
            continue;
        }
        format_count(rows, sizeof rows, in, "rows");
        format_count(dropped, sizeof dropped, in, "rows_dropped");
        md_cell(t, str(in, "path"), "\xe2\x80\x94");
        md_short_sha(t, str(in, "sha256"));
        text_add(t, " | %s | %s |\n", rows, dropped);
    }
    const cJSON *policy = member(audit, "policy");
    text_puts(t, "\nPolicy ");
    md_escape(t, str(policy, "name"));
    if (str(policy, "path") != NULL) {
        text_puts(t, " (");
        md_escape(t, str(policy, "path"));
        text_puts(t, ")");
    }
    text_puts(t, ", sha256 ");
    md_short_sha(t, str(policy, "sha256"));
    const cJSON *tool = member(audit, "tool");
    if (str(tool, "version") != NULL) {
        text_puts(t, "; fairgate ");
        md_escape(t, str(tool, "version"));
    }
    if (str(audit, "created") != NULL) {
        text_puts(t, "; audit created ");
        md_escape(t, str(audit, "created"));
    }
    text_puts(t, ".\n");
}

/* ---- public ---- */

enum fg_status fg_report_markdown(const char *audit_json, char **out, struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    struct text t = {0};
    md_verdict(&t, audit);
    md_gate_table(&t, audit);
    for (const cJSON *g = member(audit, "gates")->child; g != NULL; g = g->next)
        md_gate_section(&t, g);
    md_insufficient(&t, audit);
    md_overrides(&t, audit);
    md_inputs(&t, audit);
    cJSON_Delete(audit);
    return text_finish(&t, out, err);
}

/* "::error title=fairgate GATE::GROUP: METRIC VALUE, bound B: WHY (k of n results fail)"
 * per failed gate; "::warning title=fairgate GATE::GROUP: WHY" per insufficient result. */
enum fg_status fg_report_github_annotations(const char *audit_json, char **out,
                                            struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    struct text t = {0};
    for (const cJSON *g = member(audit, "gates")->child; g != NULL; g = g->next) {
        if (is(str(g, "status"), "fail")) {
            text_puts(&t, "::error title=fairgate ");
            gh_escape(&t, str(g, "id"), true);
            text_puts(&t, "::");
            const cJSON *worst = worst_result(g, true);
            size_t fails = count_status(g, "fail"), small = count_status(g, "insufficient_data");
            size_t total = array_size(member(g, "results"));
            struct text msg = {0};
            if (worst != NULL) {
                char phrase[160], bound[160], v[NUMBER_BUF];
                double value;
                metric_phrase(phrase, sizeof phrase, g);
                format_bound(bound, sizeof bound, member(worst, "bound"), false);
                enum value_kind kind = side_value(g, worst, worst, true, &value);
                format_value(v, sizeof v, kind, value, false);
                const char *component = str(worst, "component");
                text_add(&msg, "%s: %s %s%s%s%s, bound %s", str(worst, "label"), phrase, v,
                         component ? " (" : "", component ? component : "", component ? ")" : "",
                         bound);
                if (str(worst, "why") != NULL)
                    text_add(&msg, ": %s", str(worst, "why"));
                if (fails > 1)
                    text_add(&msg, " (%zu of %zu results fail)", fails, total);
            } else if (small > 0) {
                const cJSON *first = first_with_status(g, "insufficient_data");
                text_add(&msg,
                         "%zu of %zu results have insufficient data and on_small_group is "
                         "'fail' (%s: %s)",
                         small, total, str(first, "label"),
                         str(first, "why") ? str(first, "why") : "insufficient data");
            } else {
                text_add(&msg, "no groups could be evaluated");
            }
            gh_escape(&t, msg.nomem || msg.toobig ? "(message too long)" : msg.data, false);
            free(msg.data);
            text_puts(&t, "\n");
        }
        for (const cJSON *r = member(g, "results")->child; r != NULL; r = r->next) {
            if (!is(str(r, "status"), "insufficient_data"))
                continue;
            text_puts(&t, "::warning title=fairgate ");
            gh_escape(&t, str(g, "id"), true);
            text_puts(&t, "::");
            gh_escape(&t, str(r, "label"), false);
            text_puts(&t, ": ");
            gh_escape(&t, str(r, "why") ? str(r, "why") : "insufficient data", false);
            text_puts(&t, "\n");
        }
    }
    cJSON_Delete(audit);
    return text_finish(&t, out, err);
}
