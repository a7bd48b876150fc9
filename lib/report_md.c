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
 *    cJSON_ParseWithOpts and checked for the shape the renderers read (FG_ERR_INPUT). The
 *    text, the audit reading and the value formatting are lib/report.c's.
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

#define SHORT_SHA_LEN    12
#define REPLACEMENT_CHAR "\xef\xbf\xbd" /* U+FFFD */
#define NUMBER_BUF       48
#define N_OF(a)          (sizeof(a) / sizeof((a)[0]))

/* ---- escaping ---- */

/* Markdown text that renders as itself inside a table cell, a heading or a list item:
 * inline syntax characters are backslash-escaped, '<' and '>' as entities and '&' too where
 * it could start one, line breaks as character references (a cell keeps its row; the
 * rendered text keeps the break), other control characters as U+FFFD. */
static void md_escape(struct fg_buf *t, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p != '\0') {
        unsigned char c = *p;
        size_t n = fg_utf8_sequence((const char *)p, SIZE_MAX, NULL);
        if (n == 0) {
            fg_buf_puts(t, REPLACEMENT_CHAR);
            p++;
            continue;
        }
        if (n > 1) {
            fg_buf_append(t, (const char *)p, n);
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
            fg_buf_append(t, "\\", 1);
            fg_buf_append(t, (const char *)p, 1);
            break;
        case '<':
            fg_buf_puts(t, "&lt;");
            break;
        case '>':
            fg_buf_puts(t, "&gt;");
            break;
        case '&': /* only where it could start an entity: "a & b" stays readable */
            if ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') ||
                (p[1] >= '0' && p[1] <= '9') || p[1] == '#')
                fg_buf_puts(t, "&amp;");
            else
                fg_buf_append(t, "&", 1);
            break;
        case '\n':
            fg_buf_puts(t, "&#10;");
            break;
        case '\r':
            fg_buf_puts(t, "&#13;");
            break;
        case '\t':
            fg_buf_puts(t, "&#9;");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                fg_buf_puts(t, REPLACEMENT_CHAR);
            else
                fg_buf_append(t, (const char *)p, 1);
            break;
        }
        p++;
    }
}

/* GitHub workflow commands (actions/toolkit, command.ts escapeData / escapeProperty):
 * data escapes %, CR and LF; a property value also ':' and ','. */
static void gh_escape(struct fg_buf *t, const char *s, bool property)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p != '\0') {
        unsigned char c = *p;
        size_t n = fg_utf8_sequence((const char *)p, SIZE_MAX, NULL);
        if (n == 0) {
            fg_buf_puts(t, REPLACEMENT_CHAR);
            p++;
            continue;
        }
        if (n > 1) {
            fg_buf_append(t, (const char *)p, n);
            p += n;
            continue;
        }
        if (c == '%')
            fg_buf_puts(t, "%25");
        else if (c == '\r')
            fg_buf_puts(t, "%0D");
        else if (c == '\n')
            fg_buf_puts(t, "%0A");
        else if (property && c == ':')
            fg_buf_puts(t, "%3A");
        else if (property && c == ',')
            fg_buf_puts(t, "%2C");
        else if ((c < 0x20 && c != '\t') || c == 0x7f)
            fg_buf_puts(t, REPLACEMENT_CHAR);
        else
            fg_buf_append(t, (const char *)p, 1);
        p++;
    }
}

/* ---- values ---- */

static void format_number(char *buf, size_t size, const cJSON *o, const char *key)
{
    double v;
    bool defined = fg_report_num(o, key, &v);
    fg_report_format_value(buf, size, defined ? FG_REPORT_VALUE_NUMBER : FG_REPORT_VALUE_UNDEFINED,
                           v, false);
}

/* A count ("n", "rows"): a whole number, or "—" when absent. */
static void format_count(char *buf, size_t size, const cJSON *o, const char *key)
{
    double v;
    if (fg_report_num(o, key, &v) && isfinite(v))
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "\xe2\x80\x94");
}
static size_t array_size(const cJSON *a)
{
    return cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
}

static size_t count_status(const cJSON *gate, const char *status)
{
    size_t n = 0;
    const cJSON *results = fg_report_member(gate, "results");
    for (const cJSON *r = results ? results->child : NULL; r != NULL; r = r->next)
        n += fg_report_is(fg_report_str(r, "status"), status);
    return n;
}

/* The gate's worst result as gate.c chose it (`worst_result`), or NULL when it named none.
 * With failing_only, only when that result failed (overridden: it failed before). */
static const cJSON *worst_result(const cJSON *gate, bool failing_only)
{
    double index;
    if (!fg_report_num(gate, "worst_result", &index) || index < 0)
        return NULL;
    const cJSON *worst = cJSON_GetArrayItem(fg_report_member(gate, "results"), (int)index);
    const char *status = fg_report_str(worst, "status");
    if (failing_only && !fg_report_is(status, "fail") && !fg_report_is(status, "overridden"))
        return NULL;
    return worst;
}

/* A gate that names no worst result because every result held to a limit improved on the
 * incumbent (gate.c counts none of them). */
static bool none_got_worse(const cJSON *gate)
{
    const cJSON *results = fg_report_member(gate, "results");
    for (const cJSON *r = results ? results->child : NULL; r != NULL; r = r->next)
        if (cJSON_IsObject(fg_report_member(r, "limit")))
            return true;
    return false;
}

static const cJSON *first_with_status(const cJSON *gate, const char *status)
{
    const cJSON *results = fg_report_member(gate, "results");
    for (const cJSON *r = results ? results->child : NULL; r != NULL; r = r->next)
        if (fg_report_is(fg_report_str(r, "status"), status))
            return r;
    return NULL;
}

/* ---- Markdown pieces ---- */

static const char *status_badge(const char *status)
{
    if (fg_report_is(status, "pass"))
        return "\xe2\x9c\x85 pass";
    if (fg_report_is(status, "fail"))
        return "\xe2\x9d\x8c fail";
    if (fg_report_is(status, "warn"))
        return "\xe2\x9a\xa0\xef\xb8\x8f warn";
    if (fg_report_is(status, "insufficient_data"))
        return "\xe2\x9d\x94 insufficient data";
    return "\xe2\x9a\xa0\xef\xb8\x8f overridden";
}

/* "label (0.7405)" with the label escaped; "—" when there is no reference. */
static void md_reference(struct fg_buf *t, const cJSON *side)
{
    const cJSON *ref = fg_report_member(side, "reference");
    const char *label = fg_report_str(ref, "label");
    if (label == NULL) {
        fg_buf_puts(t, "\xe2\x80\x94");
        return;
    }
    char v[NUMBER_BUF];
    format_number(v, sizeof v, ref, "value");
    md_escape(t, label);
    fg_buf_add(t, " (%s)", v);
}

/* A model's value, with the equalized-odds component it came from. */
static void md_side_value(struct fg_buf *t, const cJSON *gate, const cJSON *result,
                          const cJSON *side, bool candidate)
{
    if (!cJSON_IsObject(side)) {
        fg_buf_puts(t, "\xe2\x80\x94");
        return;
    }
    double value;
    char v[NUMBER_BUF];
    enum fg_report_value_kind kind = fg_report_side_value(gate, result, side, candidate, &value);
    fg_report_format_value(v, sizeof v, kind, value, false);
    fg_buf_puts(t, v);
    const char *component = fg_report_str(side, "component");
    if (component != NULL) {
        fg_buf_puts(t, " (");
        md_escape(t, component);
        fg_buf_puts(t, ")");
    }
}

static void md_verdict(struct fg_buf *t, const cJSON *audit)
{
    const char *verdict = fg_report_str(audit, "verdict");
    const char *badge = fg_report_is(verdict, "pass") ? "\xe2\x9c\x85 fairgate: PASS"
                        : fg_report_is(verdict, "fail")
                            ? "\xe2\x9d\x8c fairgate: FAIL"
                            : "\xe2\x9a\xa0\xef\xb8\x8f fairgate: PASS WITH OVERRIDE";
    fg_buf_add(t, "## %s \xe2\x80\x94 ", badge);
    md_escape(t, fg_report_str(fg_report_member(audit, "policy"), "name"));
    fg_buf_puts(t, "\n\n");

    const cJSON *gates = fg_report_member(audit, "gates");
    size_t total = array_size(gates), failed = 0, overridden = 0, warned = 0, insufficient = 0;
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        const char *s = fg_report_str(g, "status");
        failed += fg_report_is(s, "fail");
        overridden += fg_report_is(s, "overridden");
        warned += fg_report_is(s, "warn");
        insufficient += fg_report_is(s, "insufficient_data");
    }
    if (failed == 0)
        fg_buf_add(t, "No gate failed (%zu %s)", total, total == 1 ? "gate" : "gates");
    else
        fg_buf_add(t, "%zu of %zu %s failed", failed, total, total == 1 ? "gate" : "gates");
    if (overridden > 0)
        fg_buf_add(t, "; %zu overridden", overridden);
    if (warned > 0)
        fg_buf_add(t, "; %zu with a warning", warned);
    if (insufficient > 0)
        fg_buf_add(t, "; %zu without enough data to judge", insufficient);
    fg_buf_puts(t, ".\n\n");
}

/* The limit gate.c held the result to: " (limit max 1.25)"; nothing when none. */
static void md_limit(struct fg_buf *t, const cJSON *result)
{
    const cJSON *limit = fg_report_member(result, "limit");
    double value;
    if (fg_report_str(limit, "name") != NULL && fg_report_num(limit, "value", &value))
        fg_buf_add(t, " (limit %s %g)", fg_report_str(limit, "name"), value);
}

static void md_gate_table(struct fg_buf *t, const cJSON *audit)
{
    fg_buf_puts(t, "| Gate | Metric | Status | Worst group |\n|---|---|---|---|\n");
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        char phrase[160], bound[160];
        fg_report_metric_phrase(phrase, sizeof phrase, g);
        fg_report_format_bound(bound, sizeof bound, fg_report_member(g, "bound"), true);
        fg_buf_puts(t, "| ");
        md_escape(t, fg_report_str(g, "id"));
        fg_buf_puts(t, " | ");
        md_escape(t, phrase);
        fg_buf_add(t, ", %s | %s | ", bound, status_badge(fg_report_str(g, "status")));
        const cJSON *worst = worst_result(g, false);
        if (worst == NULL && none_got_worse(g)) {
            fg_buf_puts(t, "no group got worse than the incumbent |\n");
            continue;
        }
        if (worst == NULL) /* nothing held to a limit: the first result says why */
            worst = fg_report_member(g, "results")->child;
        if (worst == NULL) {
            fg_buf_puts(t, "no groups |\n");
            continue;
        }
        md_escape(t, fg_report_str(worst, "label"));
        fg_buf_puts(t, ": ");
        double value;
        enum fg_report_value_kind kind = fg_report_side_value(g, worst, worst, true, &value);
        if (kind == FG_REPORT_VALUE_UNDEFINED &&
            fg_report_is(fg_report_str(worst, "status"), "insufficient_data")) {
            fg_buf_puts(t, "insufficient data |\n");
            continue;
        }
        md_side_value(t, g, worst, worst, true);
        double worsening;
        if (fg_report_num(worst, "worsening", &worsening)) {
            char w[NUMBER_BUF];
            fg_report_format_value(w, sizeof w, FG_REPORT_VALUE_NUMBER, worsening, true);
            fg_buf_add(t, " (worsening %s)", w);
        }
        md_limit(t, worst);
        fg_buf_puts(t, " |\n");
    }
    fg_buf_puts(t, "\n");
}

/* "against the highest group", "against sex=Male, race=White", ... */
static void md_reference_kind(struct fg_buf *t, const cJSON *gate)
{
    const cJSON *ref = fg_report_member(gate, "reference");
    if (cJSON_IsString(ref)) {
        if (fg_report_is(ref->valuestring, "between_groups")) {
            fg_buf_puts(t, "the worst group against the best, per attribute set");
            return;
        }
        fg_buf_puts(t, "against the ");
        md_escape(t, ref->valuestring);
        fg_buf_puts(t, " group");
        return;
    }
    fg_buf_puts(t, "against ");
    const char *sep = "";
    for (const cJSON *kv = cJSON_IsObject(ref) ? ref->child : NULL; kv != NULL; kv = kv->next) {
        fg_buf_puts(t, sep);
        md_escape(t, kv->string);
        fg_buf_puts(t, "=");
        md_escape(t, cJSON_IsString(kv) ? kv->valuestring : "?");
        sep = ", ";
    }
    if (*sep == '\0')
        fg_buf_puts(t, "a reference group");
}

static void md_interval(struct fg_buf *t, const cJSON *ci, bool lead);

/* The columns a gate's table has; every row follows them. */
struct md_columns {
    bool overall;   /* an overall rate: no group rate, no reference */
    bool incumbent; /* some result has an incumbent side */
    bool worsening; /* the gate bounds the change against the incumbent */
    bool uncertain; /* evidence significant or confident: interval and p shown */
};

/* The heading, the description and the one sentence that states the gate's rule. */
static void md_gate_heading(struct fg_buf *t, const cJSON *gate, bool overall)
{
    char phrase[160], bound[160];
    fg_report_metric_phrase(phrase, sizeof phrase, gate);
    fg_report_format_bound(bound, sizeof bound, fg_report_member(gate, "bound"), true);

    fg_buf_puts(t, "### ");
    md_escape(t, fg_report_str(gate, "id"));
    fg_buf_add(t, ": %s\n\n", status_badge(fg_report_str(gate, "status")));
    if (fg_report_str(gate, "description") != NULL) {
        fg_buf_puts(t, "*");
        md_escape(t, fg_report_str(gate, "description"));
        fg_buf_puts(t, "*\n\n");
    }
    md_escape(t, phrase);
    if (!overall) {
        fg_buf_puts(t, ", ");
        md_reference_kind(t, gate);
    }
    fg_buf_add(t, "; bound %s", bound);
    double min_size;
    if (fg_report_num(gate, "min_group_size", &min_size) && isfinite(min_size))
        fg_buf_add(t, "; min_group_size %.0f", min_size);
    if (fg_report_str(gate, "on_small_group") != NULL) {
        fg_buf_puts(t, " (smaller groups: ");
        md_escape(t, fg_report_str(gate, "on_small_group"));
        fg_buf_puts(t, ")");
    }
    fg_buf_puts(t, ".\n\n");
    if (fg_report_str(gate, "note") != NULL) {
        fg_buf_puts(t, "Note: ");
        md_escape(t, fg_report_str(gate, "note"));
        fg_buf_puts(t, "\n\n");
    }
}

static void md_table_header(struct fg_buf *t, const struct md_columns *cols)
{
    fg_buf_puts(t, cols->overall ? "| Group | n | Candidate |"
                                 : "| Group | n | Group rate | Candidate |");
    fg_buf_puts(t, cols->incumbent ? " Incumbent |" : "");
    fg_buf_puts(t, cols->worsening ? " Worsening |" : "");
    fg_buf_puts(t, cols->uncertain ? " Interval | p (adjusted) |" : "");
    fg_buf_puts(t, cols->overall ? " Bound | Status |\n|---|--:|--:|"
                                 : " Reference | Bound | Status |\n|---|--:|--:|--:|");
    fg_buf_puts(t, cols->incumbent ? "--:|" : "");
    fg_buf_puts(t, cols->worsening ? "--:|" : "");
    fg_buf_puts(t, cols->uncertain ? "--:|--:|" : "");
    fg_buf_puts(t, cols->overall ? "---|---|\n" : "---|---|---|\n");
}

/* The worsening cell, with its bootstrap interval when the evidence mode shows one. */
static void md_worsening_cell(struct fg_buf *t, const cJSON *r, bool uncertain)
{
    double w;
    char ws[NUMBER_BUF];
    enum fg_report_value_kind kind =
        fg_report_num(r, "worsening", &w) ? FG_REPORT_VALUE_NUMBER : FG_REPORT_VALUE_UNDEFINED;
    fg_report_format_value(ws, sizeof ws, kind, w, true);
    fg_buf_add(t, "%s", ws);
    if (uncertain)
        md_interval(t, fg_report_member(r, "worsening_ci"), true);
    fg_buf_puts(t, " | ");
}

/* The interval and adjusted p-value cells. */
static void md_evidence_cells(struct fg_buf *t, const cJSON *r)
{
    md_interval(t, fg_report_member(r, "ci"), false);
    double p;
    if (fg_report_num(r, "p_adjusted", &p))
        fg_buf_add(t, " | %.4g (%s) | ", p,
                   fg_report_str(r, "test") ? fg_report_str(r, "test") : "?");
    else
        fg_buf_puts(t, " | – | ");
}

static void md_result_row(struct fg_buf *t, const cJSON *gate, const cJSON *r,
                          const struct md_columns *cols)
{
    char n[NUMBER_BUF], rate[NUMBER_BUF], rbound[160];
    format_count(n, sizeof n, r, "n");
    fg_buf_puts(t, "| ");
    md_escape(t, fg_report_str(r, "label"));
    fg_buf_add(t, " | %s | ", n);
    if (!cols->overall) {
        format_number(rate, sizeof rate, r, "group_value");
        fg_buf_add(t, "%s | ", rate);
    }
    md_side_value(t, gate, r, r, true);
    fg_buf_puts(t, " | ");
    if (cols->incumbent) {
        md_side_value(t, gate, r, fg_report_member(r, "incumbent"), false);
        fg_buf_puts(t, " | ");
    }
    if (cols->worsening)
        md_worsening_cell(t, r, cols->uncertain);
    if (cols->uncertain)
        md_evidence_cells(t, r);
    if (!cols->overall) {
        md_reference(t, r);
        fg_buf_puts(t, " | ");
    }
    fg_report_format_bound(rbound, sizeof rbound, fg_report_member(r, "bound"), true);
    fg_buf_add(t, "%s | %s", rbound, status_badge(fg_report_str(r, "status")));
    if (fg_report_str(r, "why") != NULL) {
        fg_buf_puts(t, ": ");
        md_escape(t, fg_report_str(r, "why"));
    }
    fg_buf_puts(t, " |\n");
}

static void md_gate_section(struct fg_buf *t, const cJSON *gate)
{
    struct md_columns cols = {0};
    cols.overall = fg_report_is(fg_report_str(gate, "scope"), "overall") ||
                   fg_report_str(gate, "disparity") == NULL;
    cols.worsening = fg_report_member(fg_report_member(gate, "bound"), "max_worsening") != NULL;
    md_gate_heading(t, gate, cols.overall);

    const cJSON *results = fg_report_member(gate, "results");
    if (results->child == NULL) {
        fg_buf_puts(t, "No groups were evaluated.\n\n");
        return;
    }
    /* The incumbent column only when some result has an incumbent side. */
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        cols.incumbent = cols.incumbent || cJSON_IsObject(fg_report_member(r, "incumbent"));
    /* Under evidence significant or confident the interval and the adjusted p-value decide,
     * so they are shown; under point (the default) the table stays as it was. */
    const char *evidence = fg_report_str(gate, "evidence");
    cols.uncertain = evidence != NULL && !fg_report_is(evidence, "point");
    md_table_header(t, &cols);
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        md_result_row(t, gate, r, &cols);
    fg_buf_puts(t, "\n");
}

/* "[0.7320, 1.1065]" from a [low, high] array whose ends may be null (infinite); "–" when
 * there is none. With lead, a space first and nothing at all when there is none. */
static void md_interval(struct fg_buf *t, const cJSON *ci, bool lead)
{
    const cJSON *low = cJSON_IsArray(ci) ? ci->child : NULL;
    const cJSON *high = low != NULL ? low->next : NULL;
    if (high == NULL) {
        if (!lead)
            fg_buf_puts(t, "–");
        return;
    }
    char a[NUMBER_BUF], b[NUMBER_BUF];
    fg_report_format_value(a, sizeof a,
                           cJSON_IsNumber(low) ? FG_REPORT_VALUE_NUMBER : FG_REPORT_VALUE_INFINITE,
                           cJSON_IsNumber(low) ? low->valuedouble : 0, lead);
    fg_report_format_value(b, sizeof b,
                           cJSON_IsNumber(high) ? FG_REPORT_VALUE_NUMBER : FG_REPORT_VALUE_INFINITE,
                           cJSON_IsNumber(high) ? high->valuedouble : 0, lead);
    fg_buf_add(t, "%s[%s, %s]", lead ? " " : "", a, b);
}

static void md_insufficient(struct fg_buf *t, const cJSON *audit)
{
    bool any = false;
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        for (const cJSON *r = fg_report_member(g, "results")->child; r != NULL; r = r->next) {
            if (!fg_report_is(fg_report_str(r, "status"), "insufficient_data"))
                continue;
            if (!any)
                fg_buf_puts(t,
                            "### Groups with insufficient data\n\n"
                            "| Gate | Group | n | min_group_size | Why |\n|---|---|--:|--:|---|\n");
            any = true;
            char n[NUMBER_BUF], min_size[NUMBER_BUF];
            format_count(n, sizeof n, r, "n");
            format_count(min_size, sizeof min_size, g, "min_group_size");
            fg_buf_puts(t, "| ");
            md_escape(t, fg_report_str(g, "id"));
            fg_buf_puts(t, " | ");
            md_escape(t, fg_report_str(r, "label"));
            fg_buf_add(t, " | %s | %s | ", n, min_size);
            md_escape(t, fg_report_str(r, "why") ? fg_report_str(r, "why") : "too few rows");
            fg_buf_puts(t, " |\n");
        }
    }
    if (any)
        fg_buf_puts(t, "\n");
}

static void md_cell(struct fg_buf *t, const char *s, const char *when_null)
{
    if (s != NULL)
        md_escape(t, s);
    else
        fg_buf_puts(t, when_null);
    fg_buf_puts(t, " | ");
}

static void md_overrides(struct fg_buf *t, const cJSON *audit)
{
    const cJSON *overrides = fg_report_member(audit, "overrides");
    fg_buf_puts(t, "### Overrides\n\n");
    if (array_size(overrides) == 0) {
        fg_buf_puts(t, "None offered.\n\n");
        return;
    }
    fg_buf_puts(t, "| Gate | Group | Approver | Reason | Expires | Status | Why |\n"
                   "|---|---|---|---|---|---|---|\n");
    for (const cJSON *o = overrides->child; o != NULL; o = o->next) {
        fg_buf_puts(t, "| ");
        md_cell(t, fg_report_str(o, "gate"), "?");
        md_cell(t, fg_report_str(o, "group"), "(whole gate)");
        md_escape(t, fg_report_str(o, "approver") ? fg_report_str(o, "approver") : "?");
        if (fg_report_str(o, "role") != NULL) {
            fg_buf_puts(t, " (");
            md_escape(t, fg_report_str(o, "role"));
            fg_buf_puts(t, ")");
        }
        fg_buf_puts(t, " | ");
        md_escape(t, fg_report_str(o, "reason") ? fg_report_str(o, "reason") : "?");
        if (fg_report_str(o, "ticket") != NULL) {
            fg_buf_puts(t, " (ticket ");
            md_escape(t, fg_report_str(o, "ticket"));
            fg_buf_puts(t, ")");
        }
        fg_buf_puts(t, " | ");
        md_cell(t, fg_report_str(o, "expires"), "?");
        fg_buf_puts(t, fg_report_is(fg_report_str(o, "status"), "applied")
                           ? "\xe2\x9c\x85 applied | "
                           : "\xe2\x9d\x8c rejected | ");
        md_escape(t, fg_report_str(o, "why") ? fg_report_str(o, "why") : "");
        fg_buf_puts(t, " |\n");
    }
    fg_buf_puts(t, "\n");
}

static void md_short_sha(struct fg_buf *t, const char *sha)
{
    if (sha == NULL) {
        fg_buf_puts(t, "\xe2\x80\x94");
        return;
    }
    char short_sha[SHORT_SHA_LEN + 1];
    snprintf(short_sha, sizeof short_sha, "%s", sha);
    md_escape(t, short_sha);
}

static void md_inputs(struct fg_buf *t, const cJSON *audit)
{
    static const char *const roles[] = {"candidate", "incumbent"};
    const cJSON *inputs = fg_report_member(audit, "inputs");
    fg_buf_puts(t, "### Inputs\n\n| Input | File | SHA-256 | Rows | Dropped |\n"
                   "|---|---|---|--:|--:|\n");
    for (size_t i = 0; i < N_OF(roles); i++) {
        const cJSON *in = fg_report_member(inputs, roles[i]);
        char rows[NUMBER_BUF], dropped[NUMBER_BUF];
        fg_buf_add(t, "| %s | ", roles[i]);
        if (!cJSON_IsObject(in)) {
            fg_buf_puts(t, "none | \xe2\x80\x94 | \xe2\x80\x94 | \xe2\x80\x94 |\n");
            continue;
        }
        format_count(rows, sizeof rows, in, "rows");
        format_count(dropped, sizeof dropped, in, "rows_dropped");
        md_cell(t, fg_report_str(in, "path"), "\xe2\x80\x94");
        md_short_sha(t, fg_report_str(in, "sha256"));
        fg_buf_add(t, " | %s | %s |\n", rows, dropped);
    }
    /* check --counts: the counts files (shards) the verdict was reached on. */
    const cJSON *counts = fg_report_member(inputs, "counts");
    for (const cJSON *c = cJSON_IsArray(counts) ? counts->child : NULL; c != NULL; c = c->next) {
        char rows[NUMBER_BUF];
        format_count(rows, sizeof rows, c, "rows");
        fg_buf_puts(t, "| counts | ");
        md_cell(t, fg_report_str(c, "path"), "\xe2\x80\x94");
        md_short_sha(t, fg_report_str(c, "sha256"));
        fg_buf_add(t, " | %s | \xe2\x80\x94 |\n", rows);
    }
    const cJSON *policy = fg_report_member(audit, "policy");
    fg_buf_puts(t, "\nPolicy ");
    md_escape(t, fg_report_str(policy, "name"));
    if (fg_report_str(policy, "path") != NULL) {
        fg_buf_puts(t, " (");
        md_escape(t, fg_report_str(policy, "path"));
        fg_buf_puts(t, ")");
    }
    fg_buf_puts(t, ", sha256 ");
    md_short_sha(t, fg_report_str(policy, "sha256"));
    const cJSON *tool = fg_report_member(audit, "tool");
    if (fg_report_str(tool, "version") != NULL) {
        fg_buf_puts(t, "; fairgate ");
        md_escape(t, fg_report_str(tool, "version"));
    }
    if (fg_report_str(audit, "created") != NULL) {
        fg_buf_puts(t, "; audit created ");
        md_escape(t, fg_report_str(audit, "created"));
    }
    fg_buf_puts(t, ".\n");
}

/* ---- public ---- */

enum fg_status fg_report_markdown(const char *audit_json, char **out, struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = fg_report_parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_REPORT, "the Markdown report");
    md_verdict(&t, audit);
    md_gate_table(&t, audit);
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next)
        md_gate_section(&t, g);
    md_insufficient(&t, audit);
    md_overrides(&t, audit);
    md_inputs(&t, audit);
    cJSON_Delete(audit);
    return fg_buf_finish(&t, out, err);
}

/* "::error title=fairgate GATE::GROUP: METRIC VALUE, bound B: WHY (k of n results fail)"
 * per failed gate; "::warning title=fairgate GATE::GROUP: WHY" per insufficient result. */
enum fg_status fg_report_github_annotations(const char *audit_json, char **out,
                                            struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = fg_report_parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_REPORT, "the GitHub annotations");
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        if (fg_report_is(fg_report_str(g, "status"), "fail")) {
            fg_buf_puts(&t, "::error title=fairgate ");
            gh_escape(&t, fg_report_str(g, "id"), true);
            fg_buf_puts(&t, "::");
            const cJSON *worst = worst_result(g, true);
            size_t fails = count_status(g, "fail"), small = count_status(g, "insufficient_data");
            size_t total = array_size(fg_report_member(g, "results"));
            struct fg_buf msg = fg_buf_new(FG_BUF_CAP_REPORT, "an annotation");
            if (worst != NULL) {
                char phrase[160], bound[160], v[NUMBER_BUF];
                double value;
                fg_report_metric_phrase(phrase, sizeof phrase, g);
                fg_report_format_bound(bound, sizeof bound, fg_report_member(worst, "bound"),
                                       false);
                enum fg_report_value_kind kind =
                    fg_report_side_value(g, worst, worst, true, &value);
                fg_report_format_value(v, sizeof v, kind, value, false);
                const char *component = fg_report_str(worst, "component");
                fg_buf_add(&msg, "%s: %s %s%s%s%s, bound %s", fg_report_str(worst, "label"), phrase,
                           v, component ? " (" : "", component ? component : "",
                           component ? ")" : "", bound);
                if (fg_report_str(worst, "why") != NULL)
                    fg_buf_add(&msg, ": %s", fg_report_str(worst, "why"));
                if (fails > 1)
                    fg_buf_add(&msg, " (%zu of %zu results fail)", fails, total);
            } else if (small > 0) {
                const cJSON *first = first_with_status(g, "insufficient_data");
                fg_buf_add(&msg,
                           "%zu of %zu results have insufficient data and on_small_group is "
                           "'fail' (%s: %s)",
                           small, total, fg_report_str(first, "label"),
                           fg_report_str(first, "why") ? fg_report_str(first, "why")
                                                       : "insufficient data");
            } else {
                fg_buf_add(&msg, "no groups could be evaluated");
            }
            gh_escape(&t, msg.nomem || msg.toobig ? "(message too long)" : msg.data, false);
            free(msg.data);
            fg_buf_puts(&t, "\n");
        }
        for (const cJSON *r = fg_report_member(g, "results")->child; r != NULL; r = r->next) {
            if (!fg_report_is(fg_report_str(r, "status"), "insufficient_data"))
                continue;
            fg_buf_puts(&t, "::warning title=fairgate ");
            gh_escape(&t, fg_report_str(g, "id"), true);
            fg_buf_puts(&t, "::");
            gh_escape(&t, fg_report_str(r, "label"), false);
            fg_buf_puts(&t, ": ");
            gh_escape(&t, fg_report_str(r, "why") ? fg_report_str(r, "why") : "insufficient data",
                      false);
            fg_buf_puts(&t, "\n");
        }
    }
    cJSON_Delete(audit);
    return fg_buf_finish(&t, out, err);
}
