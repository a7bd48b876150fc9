/*
 * report_md.c - the audit JSON (DESIGN section 5) -> a GitHub-flavoured Markdown report
 * and GitHub workflow-command annotations.
 *
 * Both are rendered from the audit text alone, so `fairgate check` and `fairgate report
 * --audit` give byte-identical files. Both are made for a pull request. The Markdown report
 * (a PR comment, a job summary): the verdict heading and one sentence, one line per gate
 * (status, gate, worst group, value vs limit), then each failed or overridden gate's
 * blocking results; collapsed in <details>: every other result, the groups with
 * insufficient data, the overrides offered, the inputs and the policy. It stays under
 * MD_LIMIT bytes whatever the audit, cut at a row with a line saying what was left out (see
 * "the budget"). The annotations: one per gate, failing gates first, at most 10 with the
 * notice that counts the rest, each at the gate's line in the policy.
 *
 * Invariants:
 *  - Every string that comes from the audit (group values are arbitrary UTF-8, policy
 *    names, reasons, paths) goes through md_escape or gh_escape; nothing from the data can
 *    open a table cell, an HTML tag, a code span, a link or a new line. Malformed UTF-8 and
 *    control characters become U+FFFD.
 *  - Deterministic: no clock, no locale-dependent formatting beyond the C locale the
 *    process runs in; measured values print with "%.4f", bounds as written ("%g").
 *  - The Markdown is cut under MD_LIMIT; any output is capped at FG_BUF_CAP_REPORT
 *    (FG_ERR_LIMIT past it); the input is parsed with cJSON_ParseWithOpts and checked for
 *    the shape the renderers read (FG_ERR_INPUT). The text, the audit reading and the value
 *    formatting are lib/report.c's.
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

void fg_report_md_escape(struct fg_buf *t, const char *s)
{
    md_escape(t, s);
}

/* How many of s's len bytes to show in at most max: whole characters (a malformed byte
 * counts as one). */
static size_t shown_bytes(const char *s, size_t len, size_t max)
{
    size_t shown = 0;
    while (shown < len) {
        size_t n = fg_utf8_sequence(s + shown, len - shown, NULL);
        if (shown + (n == 0 ? 1 : n) > max)
            break;
        shown += n == 0 ? 1 : n;
    }
    return shown;
}

/* md_escape of s's first max bytes (cut at a character), with "…" when s is longer. */
static void md_escape_short(struct fg_buf *t, const char *s, size_t max)
{
    s = s ? s : "";
    size_t len = strlen(s);
    if (len <= max) {
        md_escape(t, s);
        return;
    }
    size_t shown = shown_bytes(s, len, max);
    char *head = fg_strndup(s, shown);
    md_escape(t, head != NULL ? head : "");
    if (head == NULL)
        t->nomem = true;
    free(head);
    fg_buf_puts(t, "\xe2\x80\xa6");
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
        fg_snprintf_c(buf, size, "%.0f", v);
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

/* ---- the budget ----
 * GitHub refuses a pull-request comment or a job summary over 65,536 characters. The report
 * is written in units (a table row, with whatever heading, <details> or table header comes
 * just before it; a paragraph) kept whole or not at all: once one would take the report past
 * MD_LIMIT - MD_RESERVE bytes (a character is at least one byte) it is taken back and the
 * report is cut there. MD_RESERVE holds the closing </details> and the line saying what was
 * left out. So a cut never falls inside a row, a tag or a character, and <details> stay
 * balanced. */

#define MD_LIMIT       60000
#define MD_RESERVE     1024
#define MD_NAME_SHOWN  200 /* bytes of the policy name in the verdict heading */
#define MD_LABEL_SHOWN 300 /* of a worst group's label in the gate table (one line per gate) */

struct md_out {
    struct fg_buf t;
    size_t unit;                       /* where the unit being written starts */
    size_t details_at;                 /* where the open <details> starts; SIZE_MAX: none is open */
    bool cut;                          /* a unit did not fit: nothing more is written */
    size_t results, fails;             /* in the audit */
    size_t results_shown, fails_shown; /* rows of them kept */
};

/* Keeps the unit written since the last call when it fits, else takes it back and cuts. */
static bool md_keep(struct md_out *w)
{
    if (!w->cut && w->t.len + MD_RESERVE <= MD_LIMIT) {
        w->unit = w->t.len;
        return true;
    }
    fg_buf_truncate(&w->t, w->unit);
    if (w->details_at != SIZE_MAX && w->details_at >= w->unit)
        w->details_at = SIZE_MAX;
    w->cut = true;
    return false;
}

/* A result row was kept: count it for the line that says what a cut left out. */
static void md_kept_result(struct md_out *w, const cJSON *r)
{
    w->results_shown++;
    w->fails_shown += fg_report_is(fg_report_str(r, "status"), "fail");
}

/* Opens a collapsed block; its summary is text of our own (no audit string: an HTML block
 * shows Markdown escapes literally). It is kept with the first unit inside it. */
static void md_details_open(struct md_out *w, const char *summary)
{
    w->details_at = w->t.len;
    fg_buf_add(&w->t, "<details><summary>%s</summary>\n\n", summary);
}

/* Ends the text with an empty line (every unit ends with a line break). */
static void md_blank_line(struct md_out *w)
{
    if (w->t.len > 0 && (w->t.len < 2 || memcmp(w->t.data + w->t.len - 2, "\n\n", 2) != 0))
        fg_buf_puts(&w->t, "\n");
}

static void md_details_close(struct md_out *w)
{
    if (w->details_at == SIZE_MAX)
        return;
    md_blank_line(w); /* it ends a table cut short */
    fg_buf_puts(&w->t, "</details>\n\n");
    w->details_at = SIZE_MAX;
    w->unit = w->t.len;
}

/* The last line of a cut report: what is missing and where to find it. */
static void md_cut_line(struct md_out *w)
{
    md_details_close(w);
    if (!w->cut)
        return;
    md_blank_line(w); /* else the line would be read as one more table row */
    fg_buf_puts(&w->t, "**This report was cut to fit a pull-request comment:** ");
    size_t left = w->results - w->results_shown, fails = w->fails - w->fails_shown;
    if (left > 0)
        fg_buf_add(&w->t,
                   "%zu of %zu results are not shown here (%zu of them failing), nor anything "
                   "after them. ",
                   left, w->results, fails);
    else
        fg_buf_puts(&w->t, "the groups with insufficient data, the overrides or the inputs are "
                           "not all shown here. ");
    fg_buf_puts(&w->t, "The HTML report shows every result: `report.html` among this run's "
                       "artifacts, or `fairgate report --audit audit.json --html report.html`.\n");
}

/* A result that blocks its gate: failed, overridden, or too small under on_small_group fail
 * (gate.c's rule for worst_result). Shown with the failing groups when its gate failed or
 * was overridden; every other result goes into the collapsed part. */
static bool md_blocking(const cJSON *gate, const cJSON *r)
{
    const char *gs = fg_report_str(gate, "status"), *s = fg_report_str(r, "status");
    if (!fg_report_is(gs, "fail") && !fg_report_is(gs, "overridden"))
        return false;
    return fg_report_is(s, "fail") || fg_report_is(s, "overridden") ||
           (fg_report_is(s, "insufficient_data") &&
            fg_report_is(fg_report_str(gate, "on_small_group"), "fail"));
}

static bool md_gate_blocks(const cJSON *gate)
{
    const char *s = fg_report_str(gate, "status");
    return fg_report_is(s, "fail") || fg_report_is(s, "overridden");
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

/* A gate's status: an advisory gate (enforce: warn) says so, and its failure is a warning. */
static void md_gate_badge(struct fg_buf *t, const cJSON *gate)
{
    const char *status = fg_report_str(gate, "status");
    if (!fg_report_advisory(gate)) {
        fg_buf_puts(t, status_badge(status));
        return;
    }
    fg_buf_puts(t, fg_report_is(status, "fail") ? "\xe2\x9a\xa0\xef\xb8\x8f fail"
                                                : status_badge(status));
    fg_buf_puts(t, " (advisory)");
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
    md_escape_short(t, fg_report_str(fg_report_member(audit, "policy"), "name"), MD_NAME_SHOWN);
    fg_buf_puts(t, "\n\n");

    const cJSON *gates = fg_report_member(audit, "gates");
    size_t total = array_size(gates), failed = 0, advisory = 0, overridden = 0, warned = 0,
           insufficient = 0;
    fg_report_failures(audit, &failed, &advisory);
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        const char *s = fg_report_str(g, "status");
        overridden += fg_report_is(s, "overridden");
        warned += fg_report_is(s, "warn");
        insufficient += fg_report_is(s, "insufficient_data");
    }
    if (failed == 0)
        fg_buf_add(t, "No %sgate failed (%zu %s)", advisory > 0 ? "blocking " : "", total,
                   total == 1 ? "gate" : "gates");
    else
        fg_buf_add(t, "%zu of %zu %s failed", failed, total, total == 1 ? "gate" : "gates");
    if (advisory > 0)
        fg_buf_add(t, "; %zu advisory %s failed (enforce: warn; %s not block)", advisory,
                   advisory == 1 ? "gate" : "gates", advisory == 1 ? "it does" : "they do");
    if (overridden > 0)
        fg_buf_add(t, "; %zu overridden", overridden);
    if (warned > 0)
        fg_buf_add(t, "; %zu with a warning", warned);
    if (insufficient > 0)
        fg_buf_add(t, "; %zu without enough data to judge", insufficient);
    fg_buf_puts(t, ".\n\n");
}

/* The gate table's last cell: the worst result's value against the limit gate.c held it to
 * (its `limit`; the gate's bound when it names none): "selection_rate ratio 0.6773 vs ≥ 0.8",
 * "equalized_odds difference 0.2997 (fpr) vs ≤ 0.1", "… 0.6773, worsening +0.1879 vs
 * worsening ≤ 0.02", or why there is no value: "tpr difference: insufficient data (bound ≤
 * 0.1)". */
static void md_value_vs_bound(struct fg_buf *t, const cJSON *g, const cJSON *worst,
                              const char *why_none)
{
    char phrase[160], bound[160];
    fg_report_metric_phrase(phrase, sizeof phrase, g);
    fg_report_format_bound(bound, sizeof bound, fg_report_member(g, "bound"), true);
    md_escape(t, phrase);
    if (why_none != NULL) {
        fg_buf_add(t, ": %s (bound %s) |\n", why_none, bound);
        return;
    }
    fg_buf_puts(t, " ");
    md_side_value(t, g, worst, worst, true);
    double worsening;
    if (fg_report_num(worst, "worsening", &worsening)) {
        char w[NUMBER_BUF];
        fg_report_format_value(w, sizeof w, FG_REPORT_VALUE_NUMBER, worsening, true);
        fg_buf_add(t, ", worsening %s", w);
    }
    /* the limit gate.c held the worst result to, when it names one */
    const cJSON *limit = fg_report_member(worst, "limit");
    const char *name = fg_report_str(limit, "name");
    double value;
    if (name != NULL && fg_report_num(limit, "value", &value))
        fg_buf_add(t, " vs %s %g |\n",
                   fg_report_is(name, "min")   ? "\xe2\x89\xa5"
                   : fg_report_is(name, "max") ? "\xe2\x89\xa4"
                                               : "worsening \xe2\x89\xa4",
                   value);
    else
        fg_buf_add(t, " vs %s |\n", bound);
}

/* One line per gate: status, gate, its worst group (gate.c's worst_result), value vs bound. */
static void md_gate_row(struct fg_buf *t, const cJSON *g)
{
    fg_buf_puts(t, "| ");
    md_gate_badge(t, g);
    fg_buf_puts(t, " | ");
    md_escape(t, fg_report_str(g, "id"));
    fg_buf_puts(t, " | ");
    const cJSON *worst = worst_result(g, false);
    if (worst == NULL && none_got_worse(g)) {
        fg_buf_puts(t, "\xe2\x80\x94 | ");
        md_value_vs_bound(t, g, NULL, "no group got worse than the incumbent");
        return;
    }
    if (worst == NULL) /* nothing held to a limit: the first result says why */
        worst = fg_report_member(g, "results")->child;
    if (worst == NULL) {
        fg_buf_puts(t, "\xe2\x80\x94 | ");
        md_value_vs_bound(t, g, NULL, "no groups");
        return;
    }
    md_escape_short(t, fg_report_str(worst, "label"), MD_LABEL_SHOWN);
    fg_buf_puts(t, " | ");
    double value;
    enum fg_report_value_kind kind = fg_report_side_value(g, worst, worst, true, &value);
    bool small = kind == FG_REPORT_VALUE_UNDEFINED &&
                 fg_report_is(fg_report_str(worst, "status"), "insufficient_data");
    md_value_vs_bound(t, g, worst, small ? "insufficient data" : NULL);
}

static void md_gate_table(struct md_out *w, const cJSON *audit)
{
    fg_buf_puts(&w->t, "| Status | Gate | Worst group | Value vs bound |\n|---|---|---|---|\n");
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        md_gate_row(&w->t, g);
        if (!md_keep(w))
            return;
    }
    fg_buf_puts(&w->t, "\n");
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

/* The heading; when full, the description and the one sentence that states the gate's rule. */
static void md_gate_heading(struct fg_buf *t, const cJSON *gate, bool overall, bool full)
{
    char phrase[160], bound[160];
    fg_report_metric_phrase(phrase, sizeof phrase, gate);
    fg_report_format_bound(bound, sizeof bound, fg_report_member(gate, "bound"), true);

    fg_buf_puts(t, "#### ");
    md_escape(t, fg_report_str(gate, "id"));
    fg_buf_puts(t, ": ");
    md_gate_badge(t, gate);
    fg_buf_puts(t, "\n\n");
    if (!full)
        return;
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

static struct md_columns md_columns_of(const cJSON *gate)
{
    struct md_columns cols = {0};
    cols.overall = fg_report_is(fg_report_str(gate, "scope"), "overall") ||
                   fg_report_str(gate, "disparity") == NULL;
    cols.worsening = fg_report_member(fg_report_member(gate, "bound"), "max_worsening") != NULL;
    /* The incumbent column only when some result has an incumbent side. */
    const cJSON *results = fg_report_member(gate, "results");
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        cols.incumbent = cols.incumbent || cJSON_IsObject(fg_report_member(r, "incumbent"));
    /* Under evidence significant or confident the interval and the adjusted p-value decide,
     * so they are shown; under point (the default) the table stays as it was. */
    const char *evidence = fg_report_str(gate, "evidence");
    cols.uncertain = evidence != NULL && !fg_report_is(evidence, "point");
    return cols;
}

/* The gate's results of one part, the blocking ones or the others, under its heading, which
 * states the rule unless the failing part already did. */
static void md_gate_section(struct md_out *w, const cJSON *gate, bool failing_part)
{
    struct md_columns cols = md_columns_of(gate);
    md_gate_heading(&w->t, gate, cols.overall, failing_part || !md_gate_blocks(gate));
    const cJSON *results = fg_report_member(gate, "results");
    if (results->child == NULL) {
        fg_buf_puts(&w->t, "No groups were evaluated.\n\n");
        md_keep(w);
        return;
    }
    md_table_header(&w->t, &cols);
    for (const cJSON *r = results->child; r != NULL && !w->cut; r = r->next) {
        if (md_blocking(gate, r) != failing_part)
            continue;
        md_result_row(&w->t, gate, r, &cols);
        if (md_keep(w))
            md_kept_result(w, r);
    }
    fg_buf_puts(&w->t, "\n");
}

/* Whether the collapsed part has something of this gate. */
static bool md_has_others(const cJSON *gate)
{
    const cJSON *results = fg_report_member(gate, "results");
    if (results->child == NULL)
        return !md_gate_blocks(gate);
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        if (!md_blocking(gate, r))
            return true;
    return false;
}

/* Open: every failing (or overridden) gate with the results that block it; advisory gates
 * (enforce: warn) apart, after them, when advisory is set. */
static void md_failing(struct md_out *w, const cJSON *audit, bool advisory)
{
    const cJSON *gates = fg_report_member(audit, "gates");
    bool any = false, failed = false;
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        if (fg_report_advisory(g) != advisory)
            continue;
        any = any || md_gate_blocks(g);
        failed = failed || fg_report_is(fg_report_str(g, "status"), "fail");
    }
    if (!any || w->cut)
        return;
    fg_buf_puts(&w->t, advisory ? "### Advisory gates that failed (enforce: warn; they do not "
                                  "block)\n\n"
                       : failed ? "### Failing groups\n\n"
                                : "### Overridden groups\n\n");
    for (const cJSON *g = gates->child; g != NULL && !w->cut; g = g->next)
        if (md_gate_blocks(g) && fg_report_advisory(g) == advisory)
            md_gate_section(w, g, true);
}

/* Collapsed: the rest of every gate's results. */
static void md_others(struct md_out *w, const cJSON *audit)
{
    const cJSON *gates = fg_report_member(audit, "gates");
    size_t n = 0, passing = 0, small = 0;
    bool any = false;
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        any = any || md_has_others(g);
        for (const cJSON *r = fg_report_member(g, "results")->child; r != NULL; r = r->next) {
            if (md_blocking(g, r))
                continue;
            n++;
            passing += fg_report_is(fg_report_str(r, "status"), "pass");
            small += fg_report_is(fg_report_str(r, "status"), "insufficient_data");
        }
    }
    if (!any || w->cut)
        return;
    char summary[160];
    snprintf(summary, sizeof summary,
             "Other results (%zu): %zu passing, %zu with insufficient data", n, passing, small);
    md_details_open(w, summary);
    for (const cJSON *g = gates->child; g != NULL && !w->cut; g = g->next)
        if (md_has_others(g))
            md_gate_section(w, g, false);
    md_details_close(w);
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

static void md_insufficient(struct md_out *w, const cJSON *audit)
{
    size_t n = 0;
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next)
        n += count_status(g, "insufficient_data");
    if (n == 0 || w->cut)
        return;
    char summary[96];
    snprintf(summary, sizeof summary, "Groups with insufficient data (%zu)", n);
    md_details_open(w, summary);
    fg_buf_puts(&w->t, "| Gate | Group | n | min_group_size | Why |\n|---|---|--:|--:|---|\n");
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        for (const cJSON *r = fg_report_member(g, "results")->child; r != NULL && !w->cut;
             r = r->next) {
            if (!fg_report_is(fg_report_str(r, "status"), "insufficient_data"))
                continue;
            char rows[NUMBER_BUF], min_size[NUMBER_BUF];
            format_count(rows, sizeof rows, r, "n");
            format_count(min_size, sizeof min_size, g, "min_group_size");
            fg_buf_puts(&w->t, "| ");
            md_escape(&w->t, fg_report_str(g, "id"));
            fg_buf_puts(&w->t, " | ");
            md_escape(&w->t, fg_report_str(r, "label"));
            fg_buf_add(&w->t, " | %s | %s | ", rows, min_size);
            md_escape(&w->t, fg_report_str(r, "why") ? fg_report_str(r, "why") : "too few rows");
            fg_buf_puts(&w->t, " |\n");
            md_keep(w);
        }
    }
    fg_buf_puts(&w->t, "\n");
    md_details_close(w);
}

static void md_cell(struct fg_buf *t, const char *s, const char *when_null)
{
    if (s != NULL)
        md_escape(t, s);
    else
        fg_buf_puts(t, when_null);
    fg_buf_puts(t, " | ");
}

/* " (TEXT)" after a cell's value, opened by open, when there is a text. */
static void md_aside(struct fg_buf *t, const char *open, const char *text)
{
    if (text == NULL)
        return;
    fg_buf_puts(t, open);
    md_escape(t, text);
    fg_buf_puts(t, ")");
}

/* One override offered: who, why, until when, and whether it applied. */
static void md_override_row(struct fg_buf *t, const cJSON *o)
{
    fg_buf_puts(t, "| ");
    md_cell(t, fg_report_str(o, "gate"), "?");
    md_cell(t, fg_report_str(o, "group"), "(whole gate)");
    md_escape(t, fg_report_str(o, "approver") ? fg_report_str(o, "approver") : "?");
    md_aside(t, " (", fg_report_str(o, "role"));
    fg_buf_puts(t, " | ");
    md_escape(t, fg_report_str(o, "reason") ? fg_report_str(o, "reason") : "?");
    md_aside(t, " (ticket ", fg_report_str(o, "ticket"));
    fg_buf_puts(t, " | ");
    md_cell(t, fg_report_str(o, "expires"), "?");
    fg_buf_puts(t, fg_report_is(fg_report_str(o, "status"), "applied")
                       ? "\xe2\x9c\x85 applied | "
                       : "\xe2\x9d\x8c rejected | ");
    md_escape(t, fg_report_str(o, "why") ? fg_report_str(o, "why") : "");
    fg_buf_puts(t, " |\n");
}

static void md_overrides(struct md_out *w, const cJSON *audit)
{
    if (w->cut)
        return;
    const cJSON *overrides = fg_report_member(audit, "overrides");
    size_t n = array_size(overrides), applied = 0;
    for (const cJSON *o = n > 0 ? overrides->child : NULL; o != NULL; o = o->next)
        applied += fg_report_is(fg_report_str(o, "status"), "applied");
    char summary[96];
    if (n == 0)
        snprintf(summary, sizeof summary, "Overrides (none offered)");
    else
        snprintf(summary, sizeof summary, "Overrides (%zu offered, %zu applied)", n, applied);
    md_details_open(w, summary);
    if (n == 0) {
        fg_buf_puts(&w->t, "None offered.\n\n");
        md_keep(w);
        md_details_close(w);
        return;
    }
    fg_buf_puts(&w->t, "| Gate | Group | Approver | Reason | Expires | Status | Why |\n"
                       "|---|---|---|---|---|---|---|\n");
    for (const cJSON *o = overrides->child; o != NULL && !w->cut; o = o->next) {
        md_override_row(&w->t, o);
        md_keep(w);
    }
    fg_buf_puts(&w->t, "\n");
    md_details_close(w);
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

/* The policy, its digest, the tool and the audit's time, in one sentence. */
static void md_policy_line(struct fg_buf *t, const cJSON *audit)
{
    const cJSON *policy = fg_report_member(audit, "policy");
    fg_buf_puts(t, "Policy ");
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
    fg_buf_puts(t, ".\n\n");
}

/* Collapsed: the files the verdict was reached on, then the policy. */
static void md_inputs(struct md_out *w, const cJSON *audit)
{
    if (w->cut)
        return;
    struct fg_buf *t = &w->t;
    static const char *const roles[] = {"candidate", "incumbent"};
    const cJSON *inputs = fg_report_member(audit, "inputs");
    md_details_open(w, "Inputs and policy");
    fg_buf_puts(t, "| Input | File | SHA-256 | Rows | Dropped |\n|---|---|---|--:|--:|\n");
    for (size_t i = 0; i < N_OF(roles); i++) {
        const cJSON *in = fg_report_member(inputs, roles[i]);
        char rows[NUMBER_BUF], dropped[NUMBER_BUF];
        fg_buf_add(t, "| %s | ", roles[i]);
        if (!cJSON_IsObject(in)) {
            fg_buf_puts(t, "none | \xe2\x80\x94 | \xe2\x80\x94 | \xe2\x80\x94 |\n");
            md_keep(w);
            continue;
        }
        format_count(rows, sizeof rows, in, "rows");
        format_count(dropped, sizeof dropped, in, "rows_dropped");
        md_cell(t, fg_report_str(in, "path"), "\xe2\x80\x94");
        md_short_sha(t, fg_report_str(in, "sha256"));
        fg_buf_add(t, " | %s | %s |\n", rows, dropped);
        md_keep(w);
    }
    /* check --counts: the counts files (shards) the verdict was reached on. */
    const cJSON *counts = fg_report_member(inputs, "counts");
    for (const cJSON *c = cJSON_IsArray(counts) ? counts->child : NULL; c != NULL && !w->cut;
         c = c->next) {
        char rows[NUMBER_BUF];
        format_count(rows, sizeof rows, c, "rows");
        fg_buf_puts(t, "| counts | ");
        md_cell(t, fg_report_str(c, "path"), "\xe2\x80\x94");
        md_short_sha(t, fg_report_str(c, "sha256"));
        fg_buf_add(t, " | %s | \xe2\x80\x94 |\n", rows);
        md_keep(w);
    }
    fg_buf_puts(t, "\n");
    md_policy_line(t, audit);
    md_keep(w);
    md_details_close(w);
}

/* ---- public ---- */

enum fg_status fg_report_markdown(const char *audit_json, char **out, struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = fg_report_parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    struct md_out w = {.t = fg_buf_new(FG_BUF_CAP_REPORT, "the Markdown report"),
                       .details_at = SIZE_MAX};
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        w.results += array_size(fg_report_member(g, "results"));
        w.fails += count_status(g, "fail");
    }
    md_verdict(&w.t, audit);
    md_keep(&w); /* always fits: the policy name is shortened */
    md_gate_table(&w, audit);
    md_failing(&w, audit, false);
    md_failing(&w, audit, true);
    md_others(&w, audit);
    md_insufficient(&w, audit);
    md_overrides(&w, audit);
    md_inputs(&w, audit);
    md_keep(&w);
    md_cut_line(&w);
    cJSON_Delete(audit);
    return fg_buf_finish(&w.t, out, err);
}

/* ---- GitHub annotations ----
 * GitHub shows at most 10 error and 10 warning annotations per step, in the order printed.
 * So: one annotation per gate, failing gates first (policy order), then the advisory gates
 * (enforce: warn) that failed, as warnings, then the gates with insufficient data; at most
 * GH_MAX_ANNOTATIONS lines in all, the closing notice included, which says how many more gates and
 * results failed or lacked data than the annotations name. Each points at the gate's entry in the
 * policy (file=policy.path, line=gate.line) so that it shows in a pull request's diff; an audit
 * without them gives neither property. */

#define GH_MAX_ANNOTATIONS 10
#define GH_MESSAGE_SHOWN   2000 /* bytes of a message before escaping */

/* What the annotations name against what the audit has. */
struct gh_tally {
    size_t fails, small;             /* results failed, with insufficient data, in the audit */
    size_t fails_named, small_named; /* results an annotation names */
    size_t failed_left, warned_left; /* gates left without an annotation */
    size_t advisory_left;            /* advisory gates that failed, left without one */
};

/* "file=P,line=N," (escaped as properties) when the audit has both: audits written before
 * gates recorded their line point nowhere rather than at the policy's first line. */
static void gh_location(struct fg_buf *t, const cJSON *audit, const cJSON *gate)
{
    const char *path = fg_report_str(fg_report_member(audit, "policy"), "path");
    double line;
    if (path == NULL || !fg_report_num(gate, "line", &line) || line < 1 || line > 1e15 ||
        line != floor(line))
        return;
    fg_buf_puts(t, "file=");
    gh_escape(t, path, true);
    fg_buf_add(t, ",line=%.0f,", line);
}

/* The message of a failed gate: its worst group, or why it has none. */
static void gh_failed_message(struct fg_buf *msg, const cJSON *g, struct gh_tally *tally)
{
    const cJSON *worst = worst_result(g, true);
    size_t fails = count_status(g, "fail"), small = count_status(g, "insufficient_data");
    size_t total = array_size(fg_report_member(g, "results"));
    if (worst != NULL) {
        char phrase[160], bound[160], v[NUMBER_BUF];
        double value;
        fg_report_metric_phrase(phrase, sizeof phrase, g);
        fg_report_format_bound(bound, sizeof bound, fg_report_member(worst, "bound"), false);
        enum fg_report_value_kind kind = fg_report_side_value(g, worst, worst, true, &value);
        fg_report_format_value(v, sizeof v, kind, value, false);
        const char *component = fg_report_str(worst, "component");
        fg_buf_add(msg, "%s: %s %s%s%s%s, bound %s", fg_report_str(worst, "label"), phrase, v,
                   component ? " (" : "", component ? component : "", component ? ")" : "", bound);
        if (fg_report_str(worst, "why") != NULL)
            fg_buf_add(msg, ": %s", fg_report_str(worst, "why"));
        if (fails > 1)
            fg_buf_add(msg, " (%zu of %zu results fail)", fails, total);
        tally->fails_named += fg_report_is(fg_report_str(worst, "status"), "fail");
    } else if (small > 0) {
        const cJSON *first = first_with_status(g, "insufficient_data");
        fg_buf_add(msg,
                   "%zu of %zu results have insufficient data and on_small_group is 'fail' "
                   "(%s: %s)",
                   small, total, fg_report_str(first, "label"),
                   fg_report_str(first, "why") ? fg_report_str(first, "why") : "insufficient data");
        tally->small_named++;
    } else {
        fg_buf_add(msg, "no groups could be evaluated");
    }
}

/* The message of a gate that did not fail but lacked data: its first small group. */
static void gh_small_message(struct fg_buf *msg, const cJSON *g, struct gh_tally *tally)
{
    const cJSON *first = first_with_status(g, "insufficient_data");
    size_t small = count_status(g, "insufficient_data");
    size_t total = array_size(fg_report_member(g, "results"));
    if (first == NULL) {
        fg_buf_add(msg, "no groups could be evaluated");
        return;
    }
    fg_buf_add(msg, "%s: %s", fg_report_str(first, "label"),
               fg_report_str(first, "why") ? fg_report_str(first, "why") : "insufficient data");
    if (small > 1)
        fg_buf_add(msg, " (%zu of %zu results have insufficient data)", small, total);
    tally->small_named++;
}

/* Which annotation a gate gets, in the order they are printed: GH_ERROR (a blocking gate
 * failed), GH_ADVISORY (an advisory gate failed: a warning), GH_SMALL (a warning about
 * insufficient data), 0 none. */
enum { GH_NONE, GH_SMALL, GH_ADVISORY, GH_ERROR };

static int gh_kind(const cJSON *g)
{
    const char *s = fg_report_str(g, "status");
    if (fg_report_is(s, "fail"))
        return fg_report_advisory(g) ? GH_ADVISORY : GH_ERROR;
    if (count_status(g, "insufficient_data") > 0 ||
        (array_size(fg_report_member(g, "results")) == 0 &&
         (fg_report_is(s, "warn") || fg_report_is(s, "insufficient_data"))))
        return GH_SMALL;
    return GH_NONE;
}

static void gh_annotation(struct fg_buf *t, const cJSON *audit, const cJSON *g, int kind,
                          struct gh_tally *tally)
{
    fg_buf_puts(t, kind == GH_ERROR ? "::error " : "::warning ");
    gh_location(t, audit, g);
    fg_buf_puts(t, "title=fairgate ");
    gh_escape(t, fg_report_str(g, "id"), true);
    if (fg_report_advisory(g))
        fg_buf_puts(t, " (advisory)");
    fg_buf_puts(t, "::");
    struct fg_buf msg = fg_buf_new(FG_BUF_CAP_REPORT, "an annotation");
    if (kind == GH_ADVISORY)
        fg_buf_puts(&msg, "advisory gate (enforce: warn), does not block: ");
    if (kind == GH_ERROR || kind == GH_ADVISORY)
        gh_failed_message(&msg, g, tally);
    else
        gh_small_message(&msg, g, tally);
    if (msg.len > GH_MESSAGE_SHOWN) { /* a group value of any length: one readable line */
        fg_buf_truncate(&msg, shown_bytes(msg.data, msg.len, GH_MESSAGE_SHOWN));
        fg_buf_puts(&msg, "\xe2\x80\xa6");
    }
    gh_escape(t, msg.nomem || msg.toobig ? "(message too long)" : msg.data, false);
    free(msg.data);
    fg_buf_puts(t, "\n");
}

/* Appends ", N more THING(s)" (the first without the comma) when n > 0. */
static void gh_more(struct fg_buf *t, bool *first, size_t n, const char *thing, const char *tail)
{
    if (n == 0)
        return;
    fg_buf_add(t, "%s%zu more %s%s%s", *first ? "" : ", ", n, thing, n == 1 ? "" : "s", tail);
    *first = false;
}

/* Up to slots annotations, failing gates first; the tally says what they left out. */
static void gh_annotations(struct fg_buf *t, const cJSON *audit, size_t slots,
                           struct gh_tally *tally)
{
    const cJSON *gates = fg_report_member(audit, "gates");
    *tally = (struct gh_tally){0};
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        tally->fails += count_status(g, "fail");
        tally->small += count_status(g, "insufficient_data");
    }
    size_t used = 0;
    for (int kind = GH_ERROR; kind >= GH_SMALL; kind--) {
        for (const cJSON *g = gates->child; g != NULL; g = g->next) {
            if (gh_kind(g) != kind)
                continue;
            if (used == slots) {
                *(kind == GH_ERROR      ? &tally->failed_left
                  : kind == GH_ADVISORY ? &tally->advisory_left
                                        : &tally->warned_left) += 1;
                continue;
            }
            gh_annotation(t, audit, g, kind, tally);
            used++;
        }
    }
}

static bool gh_left_out(const struct gh_tally *tally)
{
    return tally->failed_left > 0 || tally->warned_left > 0 || tally->advisory_left > 0 ||
           tally->fails > tally->fails_named || tally->small > tally->small_named;
}

static void gh_notice(struct fg_buf *t, const struct gh_tally *tally)
{
    fg_buf_puts(t,
                "::notice title=fairgate::Not annotated (one annotation per gate, at most 10): ");
    bool first = true;
    gh_more(t, &first, tally->failed_left, "failed gate", "");
    gh_more(t, &first, tally->advisory_left, "failed advisory gate", "");
    gh_more(t, &first, tally->warned_left, "gate", " with insufficient data");
    gh_more(t, &first, tally->fails - tally->fails_named, "failing result", "");
    gh_more(t, &first, tally->small - tally->small_named, "result", " with insufficient data");
    fg_buf_puts(t, ". The job summary and the HTML report list every result.\n");
}

enum fg_status fg_report_github_annotations(const char *audit_json, char **out,
                                            struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = fg_report_parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_REPORT, "the GitHub annotations");
    struct gh_tally tally;
    gh_annotations(&t, audit, GH_MAX_ANNOTATIONS, &tally);
    if (gh_left_out(&tally)) { /* again, one fewer: the notice takes the last place */
        fg_buf_truncate(&t, 0);
        gh_annotations(&t, audit, GH_MAX_ANNOTATIONS - 1, &tally);
        gh_notice(&t, &tally);
    }
    cJSON_Delete(audit);
    return fg_buf_finish(&t, out, err);
}
