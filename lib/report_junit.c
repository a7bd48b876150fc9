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
 * In an advisory gate (enforce: warn) what would be a <failure> is a <skipped> whose
 * message says it is advisory, with the failure's details in <system-out>: an advisory
 * gate never fails a CI's test report. Each suite has the gate's enforce as a property.
 * A gate with no results gets one testcase "(no groups)" so that a failed gate is never an
 * empty, green suite. tests/failures/skipped on every suite and on <testsuites> are
 * counted from exactly the elements written; errors is always 0.
 *
 * Invariants: deterministic (no timestamps, no hostnames, no durations); every string from
 * the audit goes through xml_escape, which also replaces what XML 1.0 forbids (control
 * characters, U+FFFE/U+FFFF, malformed UTF-8) with U+FFFD; output capped at
 * FG_BUF_CAP_REPORT.
 *
 * The text, the audit reading and the value formatting are lib/report.c's, shared with
 * report_md.c (same checks, same numbers), so that every report accepts and prints the
 * same audit alike.
 */
#include "buf.h"
#include "fairgate.h"
#include "report.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define REPLACEMENT_CHAR "\xef\xbf\xbd" /* U+FFFD */
#define NUMBER_BUF       48

/* ---- XML escaping ---- */

enum xml_context {
    XML_TEXT,      /* element content: line breaks kept */
    XML_ATTRIBUTE, /* attribute value: line breaks as character references */
    XML_ONE_LINE   /* attribute value shown as one line: line breaks and tabs as spaces */
};

/* Character data for XML 1.0: the five special characters as entities; the characters
 * XML 1.0 does not allow (C0 controls but tab/LF/CR, U+FFFE, U+FFFF) and malformed UTF-8
 * as U+FFFD. */
static void xml_escape(struct fg_buf *t, const char *s, enum xml_context context)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p != '\0') {
        uint32_t cp = 0;
        size_t n = fg_utf8_sequence((const char *)p, SIZE_MAX, &cp);
        if (n == 0) {
            fg_buf_puts(t, REPLACEMENT_CHAR);
            p++;
            continue;
        }
        if (n > 1) {
            if (cp == 0xfffe || cp == 0xffff)
                fg_buf_puts(t, REPLACEMENT_CHAR);
            else
                fg_buf_append(t, (const char *)p, n);
            p += n;
            continue;
        }
        switch (cp) {
        case '&':
            fg_buf_puts(t, "&amp;");
            break;
        case '<':
            fg_buf_puts(t, "&lt;");
            break;
        case '>':
            fg_buf_puts(t, "&gt;");
            break;
        case '"':
            fg_buf_puts(t, "&quot;");
            break;
        case '\'':
            fg_buf_puts(t, "&apos;");
            break;
        case '\t':
            fg_buf_puts(t, context == XML_TEXT ? "\t" : context == XML_ATTRIBUTE ? "&#9;" : " ");
            break;
        case '\n':
            fg_buf_puts(t, context == XML_TEXT ? "\n" : context == XML_ATTRIBUTE ? "&#10;" : " ");
            break;
        case '\r': /* a literal CR would be normalized away by the parser */
            fg_buf_puts(t, context == XML_ONE_LINE ? " " : "&#13;");
            break;
        default:
            if (cp < 0x20)
                fg_buf_puts(t, REPLACEMENT_CHAR);
            else
                fg_buf_append(t, (const char *)p, 1);
            break;
        }
        p++;
    }
}

/* ---- values ---- */

/* A model's value, with the equalized-odds component it came from ("0.2444 (fpr)"). */
static void xml_side(struct fg_buf *t, const cJSON *gate, const cJSON *result, const cJSON *side,
                     bool candidate, enum xml_context context)
{
    double value;
    enum fg_report_value_kind kind = fg_report_side_value(gate, result, side, candidate, &value);
    char v[NUMBER_BUF];
    fg_report_format_value(v, sizeof v, kind, value, false);
    fg_buf_puts(t, v);
    if (fg_report_str(side, "component") != NULL) {
        fg_buf_puts(t, " (");
        xml_escape(t, fg_report_str(side, "component"), context);
        fg_buf_puts(t, ")");
    }
}

/* ---- testcases ---- */

enum outcome { OUTCOME_PASS, OUTCOME_FAILURE, OUTCOME_SKIPPED };

/* What the result would be in a blocking gate; see result_outcome. */
static enum outcome blocking_outcome(const cJSON *gate, const cJSON *result)
{
    const char *status = fg_report_str(result, "status");
    if (fg_report_is(status, "fail"))
        return OUTCOME_FAILURE;
    if (fg_report_is(status, "insufficient_data"))
        return fg_report_is(fg_report_str(gate, "on_small_group"), "fail") ? OUTCOME_FAILURE
                                                                           : OUTCOME_SKIPPED;
    return OUTCOME_PASS;
}

/* An advisory gate's failure is skipped, never a failure. */
static enum outcome result_outcome(const cJSON *gate, const cJSON *result)
{
    enum outcome o = blocking_outcome(gate, result);
    return o == OUTCOME_FAILURE && fg_report_advisory(gate) ? OUTCOME_SKIPPED : o;
}

/* The synthetic testcase of a gate without results. */
static enum outcome empty_gate_outcome(const cJSON *gate)
{
    return fg_report_is(fg_report_str(gate, "status"), "fail") && !fg_report_advisory(gate)
               ? OUTCOME_FAILURE
               : OUTCOME_SKIPPED;
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
    const cJSON *results = fg_report_member(gate, "results");
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        count(&c, result_outcome(gate, r));
    if (results->child == NULL)
        count(&c, empty_gate_outcome(gate));
    return c;
}

/* One line: "GROUP: METRIC VALUE, bound B: WHY". */
static void failure_message(struct fg_buf *t, const cJSON *gate, const cJSON *result)
{
    char phrase[160], bound[160];
    fg_report_metric_phrase(phrase, sizeof phrase, gate);
    fg_report_format_bound(bound, sizeof bound, fg_report_member(result, "bound"), false);
    xml_escape(t, fg_report_str(result, "label"), XML_ONE_LINE);
    fg_buf_puts(t, ": ");
    xml_escape(t, phrase, XML_ONE_LINE);
    fg_buf_puts(t, " ");
    xml_side(t, gate, result, result, true, XML_ONE_LINE);
    fg_buf_add(t, ", bound %s", bound);
    if (fg_report_str(result, "why") != NULL) {
        fg_buf_puts(t, ": ");
        xml_escape(t, fg_report_str(result, "why"), XML_ONE_LINE);
    }
}

/* The lines under <failure>: everything a reviewer needs without opening the audit. */
static void failure_details(struct fg_buf *t, const cJSON *gate, const cJSON *result)
{
    char phrase[160], bound[160], v[NUMBER_BUF], n[NUMBER_BUF], rate[NUMBER_BUF];
    double value;
    fg_report_metric_phrase(phrase, sizeof phrase, gate);
    fg_report_format_bound(bound, sizeof bound, fg_report_member(result, "bound"), false);
    fg_buf_puts(t, "gate: ");
    xml_escape(t, fg_report_str(gate, "id"), XML_TEXT);
    fg_buf_puts(t, " (");
    xml_escape(t, phrase, XML_TEXT);
    fg_buf_puts(t, ")\ngroup: ");
    xml_escape(t, fg_report_str(result, "label"), XML_TEXT);
    if (fg_report_num(result, "n", &value) && isfinite(value))
        fg_snprintf_c(n, sizeof n, "%.0f", value);
    else
        snprintf(n, sizeof n, "unknown");
    fg_buf_add(t, " (n %s)\n", n);
    fg_buf_puts(t, "candidate: ");
    xml_side(t, gate, result, result, true, XML_TEXT);
    const cJSON *ref = fg_report_member(result, "reference");
    if (fg_report_num(result, "group_value", &value) || fg_report_str(ref, "label") != NULL) {
        enum fg_report_value_kind kind = fg_report_num(result, "group_value", &value)
                                             ? FG_REPORT_VALUE_NUMBER
                                             : FG_REPORT_VALUE_UNDEFINED;
        fg_report_format_value(rate, sizeof rate, kind, value, false);
        fg_buf_add(t, " (group rate %s", rate);
        if (fg_report_str(ref, "label") != NULL) {
            kind = fg_report_num(ref, "value", &value) ? FG_REPORT_VALUE_NUMBER
                                                       : FG_REPORT_VALUE_UNDEFINED;
            fg_report_format_value(rate, sizeof rate, kind, value, false);
            fg_buf_puts(t, "; reference ");
            xml_escape(t, fg_report_str(ref, "label"), XML_TEXT);
            fg_buf_add(t, " %s", rate);
        }
        fg_buf_puts(t, ")");
    }
    fg_buf_puts(t, "\n");
    const cJSON *incumbent = fg_report_member(result, "incumbent");
    if (cJSON_IsObject(incumbent)) {
        fg_buf_puts(t, "incumbent: ");
        xml_side(t, gate, result, incumbent, false, XML_TEXT);
        fg_buf_puts(t, "\n");
    }
    if (fg_report_num(result, "worsening", &value)) {
        fg_report_format_value(v, sizeof v, FG_REPORT_VALUE_NUMBER, value, true);
        fg_buf_add(t, "worsening: %s\n", v);
    }
    fg_buf_add(t, "bound: %s\n", bound);
    if (fg_report_str(result, "why") != NULL) {
        fg_buf_puts(t, "why: ");
        xml_escape(t, fg_report_str(result, "why"), XML_TEXT);
        fg_buf_puts(t, "\n");
    }
}

/* The applied overrides that cover this result (the whole gate, or its group). */
static void override_notes(struct fg_buf *t, const cJSON *audit, const cJSON *gate,
                           const cJSON *result)
{
    const cJSON *overrides = fg_report_member(audit, "overrides");
    for (const cJSON *o = cJSON_IsArray(overrides) ? overrides->child : NULL; o != NULL;
         o = o->next) {
        if (!fg_report_is(fg_report_str(o, "status"), "applied") ||
            !fg_report_is(fg_report_str(o, "gate"), fg_report_str(gate, "id")))
            continue;
        /* A group override covers the result with its slice (audits before slices were
         * recorded: its label). */
        const cJSON *slice = fg_report_member(o, "slice");
        if (cJSON_IsObject(slice)
                ? !cJSON_Compare(slice, fg_report_member(result, "slice"), true)
                : fg_report_str(o, "group") != NULL &&
                      !fg_report_is(fg_report_str(o, "group"), fg_report_str(result, "label")))
            continue;
        fg_buf_puts(t, "override by ");
        xml_escape(t, fg_report_str(o, "approver") ? fg_report_str(o, "approver") : "?", XML_TEXT);
        if (fg_report_str(o, "role") != NULL) {
            fg_buf_puts(t, " (");
            xml_escape(t, fg_report_str(o, "role"), XML_TEXT);
            fg_buf_puts(t, ")");
        }
        fg_buf_puts(t, ", expires ");
        xml_escape(t, fg_report_str(o, "expires") ? fg_report_str(o, "expires") : "?", XML_TEXT);
        fg_buf_puts(t, ": ");
        xml_escape(t, fg_report_str(o, "reason") ? fg_report_str(o, "reason") : "", XML_TEXT);
        if (fg_report_str(o, "ticket") != NULL) {
            fg_buf_puts(t, " (ticket ");
            xml_escape(t, fg_report_str(o, "ticket"), XML_TEXT);
            fg_buf_puts(t, ")");
        }
        fg_buf_puts(t, "\n");
    }
}

/* A result that failed an advisory gate (enforce: warn): skipped, saying so, with the
 * failure's details as the testcase's output. */
static void advisory_testcase(struct fg_buf *t, const cJSON *gate, const cJSON *result)
{
    const char *why = fg_report_str(result, "why");
    fg_buf_puts(t, ">\n      <skipped message=\"advisory (enforce: warn), does not block: ");
    if (fg_report_is(fg_report_str(result, "status"), "fail"))
        failure_message(t, gate, result);
    else
        xml_escape(t, why ? why : "insufficient data (on_small_group is fail)", XML_ONE_LINE);
    fg_buf_puts(t, "\"/>\n      <system-out>");
    failure_details(t, gate, result);
    fg_buf_puts(t, "</system-out>\n    </testcase>\n");
}

static void testcase(struct fg_buf *t, const cJSON *audit, const cJSON *gate, const cJSON *result)
{
    const char *status = fg_report_str(result, "status");
    const char *why = fg_report_str(result, "why");
    fg_buf_puts(t, "    <testcase classname=\"fairgate.");
    xml_escape(t, fg_report_str(gate, "id"), XML_ATTRIBUTE);
    fg_buf_puts(t, "\" name=\"");
    xml_escape(t, fg_report_str(result, "label"), XML_ATTRIBUTE);
    fg_buf_puts(t, "\"");
    switch (result_outcome(gate, result)) {
    case OUTCOME_FAILURE:
        if (fg_report_is(status, "fail")) {
            fg_buf_puts(t, ">\n      <failure message=\"");
            failure_message(t, gate, result);
            fg_buf_puts(t, "\" type=\"fairness\">");
        } else {
            fg_buf_puts(t, ">\n      <failure message=\"");
            xml_escape(t, why ? why : "insufficient data", XML_ONE_LINE);
            fg_buf_puts(t, " (on_small_group is fail)\" type=\"insufficient_data\">");
        }
        failure_details(t, gate, result);
        fg_buf_puts(t, "</failure>\n    </testcase>\n");
        return;
    case OUTCOME_SKIPPED:
        if (blocking_outcome(gate, result) == OUTCOME_FAILURE) { /* an advisory gate's */
            advisory_testcase(t, gate, result);
            return;
        }
        fg_buf_puts(t, ">\n      <skipped message=\"");
        xml_escape(t, why ? why : "insufficient data", XML_ONE_LINE);
        fg_buf_puts(t, "\"/>\n    </testcase>\n");
        return;
    case OUTCOME_PASS:
        break;
    }
    if (!fg_report_is(status, "overridden") && !fg_report_is(status, "warn")) {
        fg_buf_puts(t, "/>\n");
        return;
    }
    fg_buf_puts(t, ">\n      <system-out>");
    xml_escape(t, status, XML_TEXT);
    if (why != NULL) {
        fg_buf_puts(t, ": ");
        xml_escape(t, why, XML_TEXT);
    }
    fg_buf_puts(t, "\n");
    if (fg_report_is(status, "overridden"))
        override_notes(t, audit, gate, result);
    fg_buf_puts(t, "</system-out>\n    </testcase>\n");
}

static void property(struct fg_buf *t, const char *name, const char *value)
{
    fg_buf_add(t, "      <property name=\"%s\" value=\"", name);
    xml_escape(t, value, XML_ATTRIBUTE);
    fg_buf_puts(t, "\"/>\n");
}

/* The worst result gate.c named (`worst_result`) and the limit it was held to: the
 * properties worst_group and limit ("min 0.8"); none when the gate names no worst. */
static void worst_properties(struct fg_buf *t, const cJSON *gate)
{
    double index, value;
    if (!fg_report_num(gate, "worst_result", &index) || index < 0)
        return;
    const cJSON *worst = cJSON_GetArrayItem(fg_report_member(gate, "results"), (int)index);
    if (fg_report_str(worst, "label") == NULL)
        return;
    property(t, "worst_group", fg_report_str(worst, "label"));
    const cJSON *limit = fg_report_member(worst, "limit");
    if (fg_report_str(limit, "name") != NULL && fg_report_num(limit, "value", &value)) {
        char text[96];
        fg_snprintf_c(text, sizeof text, "%.40s %g", fg_report_str(limit, "name"), value);
        property(t, "limit", text);
    }
}

static void testsuite(struct fg_buf *t, const cJSON *audit, const cJSON *gate)
{
    struct counts c = gate_counts(gate);
    char phrase[160], bound[160];
    fg_report_metric_phrase(phrase, sizeof phrase, gate);
    fg_report_format_bound(bound, sizeof bound, fg_report_member(gate, "bound"), false);
    fg_buf_puts(t, "  <testsuite name=\"fairgate.");
    xml_escape(t, fg_report_str(gate, "id"), XML_ATTRIBUTE);
    fg_buf_add(t, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"0\">\n", c.tests,
               c.failures, c.skipped);
    fg_buf_puts(t, "    <properties>\n");
    property(t, "metric", phrase);
    property(t, "bound", bound);
    property(t, "status", fg_report_str(gate, "status"));
    if (fg_report_str(gate, "enforce") != NULL)
        property(t, "enforce", fg_report_str(gate, "enforce"));
    if (fg_report_str(gate, "description") != NULL)
        property(t, "description", fg_report_str(gate, "description"));
    if (fg_report_str(gate, "note") != NULL)
        property(t, "note", fg_report_str(gate, "note"));
    worst_properties(t, gate);
    fg_buf_puts(t, "    </properties>\n");
    const cJSON *results = fg_report_member(gate, "results");
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        testcase(t, audit, gate, r);
    if (results->child == NULL) {
        fg_buf_puts(t, "    <testcase classname=\"fairgate.");
        xml_escape(t, fg_report_str(gate, "id"), XML_ATTRIBUTE);
        fg_buf_puts(t, "\" name=\"(no groups)\">\n");
        fg_buf_puts(t, empty_gate_outcome(gate) == OUTCOME_FAILURE
                           ? "      <failure message=\"no groups could be evaluated\" "
                             "type=\"insufficient_data\"/>\n"
                       : fg_report_is(fg_report_str(gate, "status"), "fail")
                           ? "      <skipped message=\"advisory (enforce: warn), does not block: "
                             "no groups could be evaluated\"/>\n"
                           : "      <skipped message=\"no groups could be evaluated\"/>\n");
        fg_buf_puts(t, "    </testcase>\n");
    }
    fg_buf_puts(t, "  </testsuite>\n");
}

/* ---- public ---- */

enum fg_status fg_report_junit(const char *audit_json, char **out, struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = fg_report_parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    const cJSON *gates = fg_report_member(audit, "gates");
    struct counts total = {0, 0, 0};
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        struct counts c = gate_counts(g);
        total.tests += c.tests;
        total.failures += c.failures;
        total.skipped += c.skipped;
    }
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_REPORT, "the JUnit report");
    fg_buf_puts(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fg_buf_add(&t,
               "<testsuites name=\"fairgate\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" "
               "errors=\"0\">\n",
               total.tests, total.failures, total.skipped);
    for (const cJSON *g = gates->child; g != NULL; g = g->next)
        testsuite(&t, audit, g);
    fg_buf_puts(&t, "</testsuites>\n");
    cJSON_Delete(audit);
    return fg_buf_finish(&t, out, err);
}
