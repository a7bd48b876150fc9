/*
 * report.c - what the reports rendered from the audit JSON (DESIGN section 5) share:
 * report_md.c (Markdown, GitHub annotations), report_junit.c (JUnit XML), report_html.c
 * and report_summary.c. UTF-8 sequences, reading and checking the audit, and its values
 * and bounds as they print; the text itself is built in an fg_buf (buf.h).
 *
 * Invariants:
 *  - fg_report_parse_audit accepts only the shape the renderers walk without further
 *    checks (FG_ERR_INPUT otherwise), so every report accepts the same audits.
 *  - Numbers in the C locale: measured values "%.4f", bounds as the policy wrote them ("%g").
 *
 * Ownership: the tree from fg_report_parse_audit is the caller's to cJSON_Delete.
 */
#include "report.h"
#include "fairgate.h"
#include "json.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define AUDIT_SCHEMA     "fairgate.audit/v1"
#define REPORT_MAX_INPUT (256u << 20) /* bytes of audit JSON */

/* ---- reading the audit ---- */

static const char *const result_statuses[] = {"pass", "fail", "warn", "insufficient_data",
                                              "overridden"};
static const char *const verdicts[] = {"pass", "fail", "pass_with_override"};
static const char *const enforcements[] = {"block", "warn"};

const cJSON *fg_report_member(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

const char *fg_report_str(const cJSON *o, const char *key)
{
    const cJSON *item = fg_report_member(o, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

bool fg_report_num(const cJSON *o, const char *key, double *value)
{
    const cJSON *item = fg_report_member(o, key);
    *value = NAN;
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble)) /* 1e999 in the text */
        return false;
    *value = item->valuedouble;
    return true;
}

bool fg_report_is(const char *s, const char *want)
{
    return s != NULL && want != NULL && strcmp(s, want) == 0;
}

static bool one_of(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fg_report_is(s, names[i]))
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
    fg_vsnprintf_c(what, sizeof what, fmt, ap);
    va_end(ap);
    return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0, "not a fairgate audit: %s", what);
}

/* Parses the text and checks the shape the renderers rely on: the schema, the verdict,
 * the policy's name, the groups array, each gate's id, metric, status, enforce (when
 * given) and results (each
 * with a label and a known status). Numbers may be null anywhere (a rate with a zero
 * denominator). The one check for every renderer (Markdown, annotations, JUnit, HTML,
 * summary): a JSON syntax error keeps its place in err->line and err->column. */
enum fg_status fg_report_parse_audit(const char *audit_json, cJSON **out, struct fg_error *err)
{
    *out = NULL;
    if (audit_json == NULL)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "no audit text given");
    size_t len = strlen(audit_json);
    if (len > REPORT_MAX_INPUT)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "the audit is larger than the limit of %u bytes", REPORT_MAX_INPUT);
    cJSON *root = NULL;
    /* The place of a syntax error in err->line and err->column; the caller names the file. */
    enum fg_status parsed = fg_json_parse_strict(audit_json, len, "the audit", &root, err);
    if (parsed != FG_OK)
        return parsed;
    enum fg_status st = FG_OK;
    const cJSON *gates = fg_report_member(root, "gates");
    const cJSON *overrides = fg_report_member(root, "overrides");
    if (!cJSON_IsObject(root))
        st = not_an_audit(err, "the top level is not an object");
    else if (!fg_report_is(fg_report_str(root, "schema"), AUDIT_SCHEMA))
        st = not_an_audit(err, "\"schema\" is not \"%s\"", AUDIT_SCHEMA);
    else if (!one_of(fg_report_str(root, "verdict"), verdicts, N_OF(verdicts)))
        st = not_an_audit(err, "\"verdict\" is not pass, fail or pass_with_override");
    else if (fg_report_str(fg_report_member(root, "policy"), "name") == NULL)
        st = not_an_audit(err, "\"policy\" has no \"name\"");
    else if (!cJSON_IsArray(fg_report_member(root, "groups")))
        st = not_an_audit(err, "\"groups\" is not an array");
    else if (!cJSON_IsArray(gates))
        st = not_an_audit(err, "\"gates\" is not an array");
    else if (overrides != NULL && !cJSON_IsArray(overrides) && !cJSON_IsNull(overrides))
        st = not_an_audit(err, "\"overrides\" is not an array");
    int gi = 0;
    for (const cJSON *g = st == FG_OK ? gates->child : NULL; g != NULL && st == FG_OK;
         g = g->next, gi++) {
        const cJSON *results = fg_report_member(g, "results");
        if (fg_report_str(g, "id") == NULL || fg_report_str(g, "metric") == NULL)
            st = not_an_audit(err, "gates[%d] has no \"id\" or \"metric\"", gi);
        else if (!one_of(fg_report_str(g, "status"), result_statuses, N_OF(result_statuses)))
            st = not_an_audit(err, "gates[%d] has no known \"status\"", gi);
        else if (fg_report_member(g, "enforce") != NULL &&
                 !one_of(fg_report_str(g, "enforce"), enforcements, N_OF(enforcements)))
            st = not_an_audit(err, "gates[%d].enforce is not block or warn", gi);
        else if (!cJSON_IsArray(results))
            st = not_an_audit(err, "gates[%d].results is not an array", gi);
        int ri = 0;
        for (const cJSON *r = st == FG_OK ? results->child : NULL; r != NULL && st == FG_OK;
             r = r->next, ri++) {
            if (fg_report_str(r, "label") == NULL)
                st = not_an_audit(err, "gates[%d].results[%d] has no \"label\"", gi, ri);
            else if (!one_of(fg_report_str(r, "status"), result_statuses, N_OF(result_statuses)))
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

/* One model's value in a result. JSON cannot hold infinity, so the audit writes null for
 * a ratio over a reference rate of 0 (gate.c). The candidate's value is that infinity
 * when the result was judged (any status but insufficient_data); the incumbent's when its
 * group rate is positive and its reference's is 0 (an explicit reference with too few
 * rows and a rate of exactly 0 would look the same; it is not worth the group lookup). */
enum fg_status fg_report_read_audit(const char *path, char **out, struct fg_error *err)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    enum fg_status st = fg_file_read_all(path, REPORT_MAX_INPUT, &text, &len, err);
    if (st != FG_OK)
        return st;
    cJSON *root = NULL;
    st = fg_json_parse_strict(text, len, "the audit", &root, err);
    cJSON_Delete(root);
    if (st != FG_OK) {
        if (err != NULL && err->file[0] == '\0')
            snprintf(err->file, sizeof err->file, "%s", path);
        free(text);
        return st;
    }
    *out = text;
    return FG_OK;
}

enum fg_report_value_kind fg_report_side_value(const cJSON *gate, const cJSON *result,
                                               const cJSON *side, bool candidate, double *value)
{
    if (fg_report_num(side, "value", value))
        return FG_REPORT_VALUE_NUMBER;
    *value = NAN;
    if (!fg_report_is(fg_report_str(gate, "disparity"), "ratio") || !cJSON_IsObject(side))
        return FG_REPORT_VALUE_UNDEFINED;
    double group_rate, reference_rate;
    if (candidate
            ? !fg_report_is(fg_report_str(result, "status"), "insufficient_data")
            : fg_report_num(side, "group_value", &group_rate) && group_rate > 0 &&
                  fg_report_num(fg_report_member(side, "reference"), "value", &reference_rate) &&
                  reference_rate == 0) {
        *value = INFINITY;
        return FG_REPORT_VALUE_INFINITE;
    }
    return FG_REPORT_VALUE_UNDEFINED;
}

/* "%.4f" in the C locale, "∞", or "undefined"; "-0.0000" is printed as "0.0000". */
void fg_report_format_value(char *buf, size_t size, enum fg_report_value_kind kind, double value,
                            bool sign)
{
    if (kind == FG_REPORT_VALUE_INFINITE) {
        snprintf(buf, size, "%s", value < 0 ? "-\xe2\x88\x9e" : "\xe2\x88\x9e");
        return;
    }
    if (kind == FG_REPORT_VALUE_UNDEFINED || !isfinite(value)) {
        snprintf(buf, size, "undefined");
        return;
    }
    fg_snprintf_c(buf, size, sign ? "%+.4f" : "%.4f", value);
    if (strcmp(buf, "-0.0000") == 0 || strcmp(buf, "+0.0000") == 0)
        snprintf(buf, size, "0.0000");
}

/* The bounds of a gate or result: for people ("≥ 0.8, ≤ 1.25, worsening ≤ 0.02") or in
 * the policy's words ("min 0.8, max 1.25, max_worsening 0.02"). */
void fg_report_format_bound(char *buf, size_t size, const cJSON *bound, bool symbols)
{
    static const char *const keys[] = {"min", "max", "max_worsening"};
    static const char *const symbol[] = {"\xe2\x89\xa5 ", "\xe2\x89\xa4 ",
                                         "worsening \xe2\x89\xa4 "};
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_OF(keys); i++) {
        double v;
        if (!fg_report_num(bound, keys[i], &v))
            continue;
        int n = fg_snprintf_c(buf + used, size - used, "%s%s%s%g", used ? ", " : "",
                              symbols ? symbol[i] : keys[i], symbols ? "" : " ", v);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, size, "none");
}

/* "selection_rate ratio", "equalized_odds difference", "overall accuracy". */
void fg_report_metric_phrase(char *buf, size_t size, const cJSON *gate)
{
    const char *metric = fg_report_str(gate, "metric");
    const char *disparity = fg_report_str(gate, "disparity");
    if (fg_report_is(fg_report_str(gate, "scope"), "overall") || disparity == NULL)
        snprintf(buf, size, "overall %s", metric);
    else
        snprintf(buf, size, "%s %s", metric, disparity);
}

/* ---- advisory gates ---- */

bool fg_report_advisory(const cJSON *gate)
{
    return fg_report_is(fg_report_str(gate, "enforce"), "warn");
}

void fg_report_failures(const cJSON *audit, size_t *blocking, size_t *advisory)
{
    const cJSON *summary = fg_report_member(audit, "verdict_summary");
    double b, a;
    if (fg_report_num(summary, "blocking_failures", &b) && b >= 0 && b <= 1e15 &&
        fg_report_num(summary, "advisory_failures", &a) && a >= 0 && a <= 1e15) {
        *blocking = (size_t)b;
        *advisory = (size_t)a;
        return;
    }
    /* an audit written before verdict_summary: every failed gate blocked */
    *blocking = *advisory = 0;
    const cJSON *gates = fg_report_member(audit, "gates");
    for (const cJSON *g = cJSON_IsArray(gates) ? gates->child : NULL; g != NULL; g = g->next) {
        bool failed = fg_report_is(fg_report_str(g, "status"), "fail");
        *(fg_report_advisory(g) ? advisory : blocking) += failed;
    }
}
