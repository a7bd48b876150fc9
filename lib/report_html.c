/*
 * report_html.c - the audit JSON (DESIGN section 5) as one self-contained HTML5 page for
 * people: the verdict, the candidate against the incumbent, per gate a row per group (a bar
 * with its interval's whisker, the value, the group's own rate, the status; groups that
 * passed collapsed, the others open with their details and, for a score gate, a reliability
 * diagram and a ROC curve), the overrides, and every group's rates.
 *
 * Invariants:
 *  - The page is rendered from the audit text alone, so `fairgate check --html` and
 *    `fairgate report --audit --html` write the same bytes. Nothing else goes in: no
 *    clock, no environment; numbers are "%.4f" (measured values), "%g" (bounds, as the
 *    policy wrote them) and "%.1f" (SVG coordinates), in the C locale the library runs in.
 *  - Self-contained: inline CSS and inline SVG, no JavaScript, no URL but the SVG
 *    namespace name (which no browser fetches); the only links are anchors on the page,
 *    and a Content-Security-Policy forbids loading anything.
 *  - Every string from the audit is HTML-escaped (& < > " ') on the way out and control
 *    characters become U+FFFD; the input must be valid UTF-8.
 *  - Colour never carries meaning alone: a failing group is red *and* says "FAIL", an
 *    insufficient-data group is grey *and* says so, with its n.
 *  - Nothing is cut and nothing widens the page at 1280 px: group labels sit in a column that
 *    wraps (the panel narrows a long one to fit), the rates table scrolls in its own box.
 *  - A chart's value axis starts at 0 and ends on a round number at or above every value
 *    and bound it shows; a null value draws no bar and reads "n/a".
 *  - Bounded: curves are drawn for at most CURVES_MAX results of a gate. The page is built in
 *    an fg_buf capped at FG_BUF_CAP_HTML; past it FG_ERR_LIMIT, never a partial page. The
 *    audit is read with report.c's accessors (fg_report_member/str/num/is).
 *
 * Ownership: the caller frees *out; everything else is released before returning.
 */
#include "buf.h"
#include "fairgate.h"
#include "metric.h"
#include "report.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Chart geometry, in SVG user units (= CSS px at 100 %). */
#define CHART_W           1120
#define PANEL_TOP         36 /* the candidate-vs-incumbent panel */
#define PANEL_ROW_H       56
#define PANEL_X0          340
#define PANEL_X1          760
#define PANEL_VAL_X       774
#define PANEL_CMP_X       856
#define PANEL_LABEL_CHARS 36 /* longer worst-group labels are narrowed to fit */

/* ---- output ---- */

/* HTML-escapes valid UTF-8 text; at most max_chars code points (0: all), then "…". */
static void put_esc_max(struct fg_buf *h, const char *s, size_t max_chars)
{
    if (s == NULL)
        return;
    size_t chars = 0;
    const char *run = s;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xc0) != 0x80 && max_chars != 0 && ++chars > max_chars) {
            fg_buf_append(h, run, (size_t)(p - run));
            fg_buf_puts(h, "\xe2\x80\xa6");
            return;
        }
        const char *rep = c == '&'    ? "&amp;"
                          : c == '<'  ? "&lt;"
                          : c == '>'  ? "&gt;"
                          : c == '"'  ? "&quot;"
                          : c == '\'' ? "&#39;"
                          : ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                              ? "\xef\xbf\xbd" /* U+FFFD */
                              : NULL;
        if (rep != NULL) {
            fg_buf_append(h, run, (size_t)(p - run));
            fg_buf_puts(h, rep);
            run = p + 1;
        }
    }
    fg_buf_puts(h, run);
}

static void put_esc(struct fg_buf *h, const char *s)
{
    put_esc_max(h, s, 0);
}

void fg_report_html_escape(struct fg_buf *h, const char *s)
{
    put_esc_max(h, s, 0);
}

/* before, the escaped text, after. */
static void wrap(struct fg_buf *h, const char *before, const char *text, const char *after)
{
    fg_buf_puts(h, before);
    put_esc(h, text);
    fg_buf_puts(h, after);
}

/* A measured value: "%.4f", or "n/a" for null (the footer says why). */
static void put_value(struct fg_buf *h, bool defined, double value)
{
    char buf[64];
    fg_format_number(buf, sizeof buf, defined, value);
    fg_buf_puts(h, defined ? buf : "n/a");
}

/* ---- reading the audit ---- */

struct bound {
    bool has_min, has_max, has_mw;
    double min, max, mw;
};

/* What every part of the page needs to know about one gate. */
struct gate {
    const cJSON *json;
    const cJSON *results; /* an array (fg_report_parse_audit) */
    size_t index;         /* 1-based, for anchors */
    const char *id, *metric, *status;
    bool overall, ratio;
    bool advisory; /* enforce: warn: its failure is reported, never blocks */
    struct bound bound;
};

static void read_gate(const cJSON *json, size_t index, struct gate *g)
{
    const cJSON *b = fg_report_member(json, "bound");
    memset(g, 0, sizeof *g);
    g->json = json;
    g->results = fg_report_member(json, "results");
    g->index = index;
    g->id = fg_report_str(json, "id");
    g->metric = fg_report_str(json, "metric");
    g->status = fg_report_str(json, "status");
    g->advisory = fg_report_advisory(json);
    g->overall = fg_report_is(fg_report_str(json, "scope"), "overall");
    g->ratio = !g->overall && fg_report_is(fg_report_str(json, "disparity"), "ratio");
    g->bound.has_min = fg_report_num(b, "min", &g->bound.min);
    g->bound.has_max = fg_report_num(b, "max", &g->bound.max);
    g->bound.has_mw = fg_report_num(b, "max_worsening", &g->bound.mw);
}

/* Higher is better (+1), lower is better (-1), or neither (0): fg_metric_direction of the
 * metric named in the audit. */
static int metric_direction(const char *metric)
{
    for (int m = 0; m < FG_METRIC__N; m++)
        if (fg_report_is(metric, fg_metric_name((enum fg_metric)m)))
            return fg_metric_direction((enum fg_metric)m);
    return 0;
}

/* Where max_worsening puts the candidate's limit for this result (gate.c's
 * `worsening_limit`). */
static bool worsening_limit(const struct gate *g, const cJSON *res, double *at)
{
    return g != NULL && g->bound.has_mw && fg_report_num(res, "worsening_limit", at);
}

/* The gate's worst result as gate.c chose it (`worst_result`), or NULL when it named none. */
static const cJSON *worst_result(const struct gate *g)
{
    double index;
    if (!fg_report_num(g->json, "worst_result", &index) || index < 0)
        return NULL;
    return cJSON_GetArrayItem(g->results, (int)index);
}

/* No worst result although results were held to a limit: none got worse than the
 * incumbent. */
static bool none_got_worse(const struct gate *g)
{
    const cJSON *res;
    cJSON_ArrayForEach(res, g->results)
    {
        if (cJSON_IsObject(fg_report_member(res, "limit")))
            return true;
    }
    return false;
}

/* ---- statuses and bounds as text ---- */

/* Each status: its CSS class and its words with a glyph, so it reads without colour. */
static const char *const statuses[][3] = {
    {"pass", "pass", "\xe2\x9c\x93 pass"},
    {"fail", "fail", "\xe2\x9c\x97 FAIL"},
    {"warn", "warn", "! warn"},
    {"insufficient_data", "insufficient", "? insufficient data"},
    {"overridden", "overridden", "\xe2\x9a\x91 overridden"},
    {"applied", "overridden", "\xe2\x9c\x93 applied"},
    {"rejected", "fail", "\xe2\x9c\x97 rejected"},
    {"pass_with_override", "overridden", "\xe2\x9a\x91 PASS WITH OVERRIDE"},
};

static const char *status_field(const char *status, int field)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        if (fg_report_is(status, statuses[i][0]))
            return statuses[i][field];
    }
    return NULL;
}

static const char *status_class(const char *status)
{
    const char *cls = status_field(status, 1);
    return cls ? cls : "unknown";
}

static void put_status_text(struct fg_buf *h, const char *status)
{
    const char *text = status_field(status, 2);
    if (text != NULL)
        fg_buf_puts(h, text);
    else
        put_esc(h, status ? status : "unknown");
}

static void put_status_span(struct fg_buf *h, const char *status)
{
    fg_buf_add(h, "<span class=\"status %s\">", status_class(status));
    put_status_text(h, status);
    fg_buf_puts(h, "</span>");
}

/* A gate's status; an advisory gate's says so in words. */
static void put_gate_status(struct fg_buf *h, const struct gate *g)
{
    put_status_span(h, g->status);
    if (g->advisory)
        fg_buf_puts(h, " <span class=\"advisory\">advisory: does not block</span>");
}

/* A gate's row class: an advisory gate that failed is not painted as a blocking failure. */
static const char *gate_class(const struct gate *g)
{
    return g->advisory && fg_report_is(g->status, "fail") ? "advisory" : status_class(g->status);
}

static void put_bound_text(struct fg_buf *h, const struct bound *b)
{
    if (b->has_min)
        fg_buf_add(h, "min&#160;%g", b->min);
    if (b->has_max)
        fg_buf_add(h, "%smax&#160;%g", b->has_min ? ", " : "", b->max);
    if (b->has_mw)
        fg_buf_add(h, "%smax_worsening&#160;%g", b->has_min || b->has_max ? ", " : "", b->mw);
    if (!b->has_min && !b->has_max && !b->has_mw)
        fg_buf_puts(h, "none");
}

/* ---- page frame ---- */

static const char page_css[] =
    ":root{--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--grey:#8c959f;--cand:#1f5fbf;\n"
    "--inc:#a3acb9;--fail:#b42318;--fail-bg:#fdecea;--pass:#1a7f37;--pass-bg:#e8f5ec;\n"
    "--warn:#9a6700;--ovr:#6639ba;--ovr-bg:#f3effb;\n"
    "--mono:\"DejaVu Sans Mono\",Menlo,Consolas,monospace;\n"
    "--sans:system-ui,\"Segoe UI\",\"DejaVu Sans\",Helvetica,Arial,sans-serif}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#eef1f4;color:var(--ink);font:14px/1.45 var(--sans)}\n"
    "main{max-width:1200px;margin:0 auto;padding:24px 36px 40px;background:#fff}\n"
    "h1{font-size:22px;margin:0 0 2px}\n"
    "h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid var(--line);padding-bottom:4px}\n"
    "p{margin:4px 0 8px}.muted{color:var(--muted)}.small{font-size:12px}a{color:#0b57d0}\n"
    "code,.mono,td.num{font-family:var(--mono);font-size:12.5px}\n"
    "header.verdict{display:flex;align-items:center;gap:28px;padding:18px 24px;border:2px solid;\n"
    "border-radius:8px}header h1,header p{color:var(--ink)}\n"
    "header.fail{background:var(--fail-bg);border-color:var(--fail);color:var(--fail)}\n"
    "header.pass{background:var(--pass-bg);border-color:var(--pass);color:var(--pass)}\n"
    "header.overridden{background:var(--ovr-bg);border-color:var(--ovr);color:var(--ovr)}\n"
    ".big{font-size:44px;font-weight:800;line-height:1.1;white-space:nowrap}\n"
    "table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;margin:6px 0}\n"
    "th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;\n"
    "vertical-align:top;\n"
    "overflow-wrap:break-word}th{background:#f6f8fa;font-weight:600;font-size:13px}\n"
    "td.num,th.num{text-align:right;white-space:nowrap}\n"
    "@media screen and (min-width:1100px){td.label{white-space:nowrap}}\n"
    "table.kv th{width:150px;background:none;color:var(--muted);font-weight:500}\n"
    "table.kv td{word-break:break-all}tr.insufficient td{color:var(--grey)}\n"
    "tr.fail td{background:var(--fail-bg)}tr.overridden td{background:var(--ovr-bg)}\n"
    "tr.advisory td{background:#fff8c5}.advisory{color:var(--warn);font-weight:600;\n"
    "font-size:12px;white-space:nowrap}\n"
    ".status{font-weight:700;white-space:nowrap}.status.pass{color:var(--pass)}\n"
    ".status.fail{color:var(--fail)}.status.warn{color:var(--warn)}\n"
    ".status.insufficient{color:var(--grey)}.status.overridden{color:var(--ovr)}\n"
    ".sub{display:block;color:var(--muted);font-size:11.5px;font-weight:400}\n"
    "td.undef{color:var(--grey)}\n"
    "table.rates td,table.rates th{padding:2px 6px;font-size:12px}\n"
    ".scroll{max-width:100%;overflow-x:auto}details.rates>summary{cursor:pointer;margin:4px 0}\n"
    ".ci{color:var(--muted);font-size:11px;font-weight:400}\n"
    /* the gate's groups: one grid row each, the label column wraps and never clips */
    ".grow{display:grid;grid-template-columns:250px minmax(0,1fr) 215px 165px;column-gap:10px;\n"
    "align-items:center;padding:0 4px}\n"
    ".ghead{font-size:11px;font-weight:600;color:var(--muted);border-bottom:1px solid "
    "var(--line)}\n"
    ".ghead .gplot{min-height:18px}.gaxis .gplot{min-height:20px;border-top:1px solid #57606a}\n"
    "details.group>summary{list-style:none;cursor:pointer;border-bottom:1px solid #eef0f2}\n"
    "details.group>summary::-webkit-details-marker{display:none}\n"
    "details.group.fail>summary{background:var(--fail-bg)}\n"
    "details.group.overridden>summary{background:var(--ovr-bg)}\n"
    ".glabel{font-weight:600;overflow-wrap:anywhere;min-width:0;padding:5px 0 5px 14px;\n"
    "position:relative}td.glabel{padding-left:8px;font-weight:400}\n"
    "summary .glabel::before{content:\"\\25B8\";position:absolute;left:0;color:var(--muted)}\n"
    "details[open]>summary .glabel::before{content:\"\\25BE\"}\n"
    "details.fail .glabel{color:var(--fail)}details.insufficient .glabel{color:var(--grey)}\n"
    ".gplot{position:relative;align-self:stretch;min-height:36px}\n"
    ".gplot svg.bars{position:absolute;top:0;left:0;width:100%;height:100%}\n"
    "svg.bars line{vector-effect:non-scaling-stroke}svg.bars .w{stroke:#111;stroke-width:1.5}\n"
    ".gplot .tick,.gplot .bl{position:absolute;top:1px;transform:translateX(-50%);\n"
    "font-size:11px;white-space:nowrap;color:var(--muted)}.gplot .bl{color:var(--fail)}\n"
    ".gval{font-family:var(--mono);font-size:12.5px;padding:3px 0}.gval .sub{font-size:11px}\n"
    ".cv{font-weight:700;color:var(--cand)}.cv.fail{color:var(--fail)}\n"
    ".cv.overridden{color:var(--ovr)}.cv.insufficient{color:var(--grey);font-weight:400}\n"
    ".gst{white-space:normal}\n"
    ".gdetail{padding:6px 12px 12px 18px;border-bottom:1px solid var(--line)}\n"
    ".gdetail table.kv{width:auto;max-width:100%}.caption{margin-top:2px}\n"
    ".legend{font-size:12px;color:var(--muted);margin:6px 0}.sw{display:inline-block;\n"
    "width:14px;height:10px;margin:0 5px 0 10px;vertical-align:middle;background:var(--cand)}\n"
    ".sw.fail{background:var(--fail)}.sw.overridden{background:var(--ovr)}\n"
    ".sw.i{background:var(--inc)}.sw.band{background:#f5c6c1;border-left:2px dashed var(--fail)}\n"
    ".sw.limit{width:3px;background:#111}.sw.parity{width:0;border-left:1px dashed #57606a;\n"
    "background:none}.sw.whisker{height:2px;background:#111}\n"
    ".sw.diagonal{height:0;border-top:1px dashed #57606a;background:none}\n"
    ".curves{display:flex;flex-wrap:wrap;gap:4px 18px;align-items:flex-start;margin-top:6px}\n"
    ".curves figure{margin:0}.curves .legend{flex-basis:100%}\n"
    "svg .frame{fill:none;stroke:#57606a}svg .diagonal{stroke:#57606a;stroke-dasharray:3 3}\n"
    "svg polyline.curve{fill:none;stroke-width:2}svg .curve.c{stroke:var(--cand)}\n"
    "svg .curve.i{stroke:var(--inc)}svg circle.curve.c{fill:var(--cand)}\n"
    "svg circle.curve.i{fill:var(--inc)}\n"
    "figure.chart{margin:10px 0 8px;break-inside:avoid;page-break-inside:avoid}\n"
    "svg{display:block;max-width:100%;height:auto}\n"
    "svg text{font-family:var(--sans);font-size:12px;fill:var(--ink)}\n"
    "svg .num{font-family:var(--mono);font-size:11.5px}svg .iv{fill:#57606a}\n"
    "svg .head{fill:var(--muted);font-size:11px;font-weight:600}\n"
    "svg .tick{fill:var(--muted);font-size:11px}svg .axis{stroke:#57606a}\n"
    "svg .grid{stroke:#e4e8ec}\n"
    "svg .zebra{fill:#f6f8fa}svg .row-fail{fill:var(--fail-bg)}\n"
    "svg .row-overridden{fill:var(--ovr-bg)}svg .band{fill:#f5c6c1;fill-opacity:.35}\n"
    "svg .bound{stroke:var(--fail);stroke-width:2;stroke-dasharray:6 3}\n"
    "svg .parity{stroke:#57606a;stroke-dasharray:2 3}svg .limit{stroke:#111;stroke-width:2.5}\n"
    "svg .c{fill:var(--cand)}svg .c.fail{fill:var(--fail)}svg .c.overridden{fill:var(--ovr)}\n"
    "svg .i{fill:var(--inc)}svg .dim{fill-opacity:.3}\n"
    "svg .cv{fill:var(--cand);font-weight:700}svg .cv.fail{fill:var(--fail)}\n"
    "svg .cv.overridden{fill:var(--ovr)}svg .cv.insufficient{fill:var(--grey);font-weight:400}\n"
    "svg .lab.fail,svg .st.fail{fill:var(--fail);font-weight:700}svg .st.pass{fill:var(--pass)}\n"
    "svg .lab.insufficient,svg .st.insufficient{fill:var(--grey)}svg .st.warn{fill:var(--warn)}\n"
    "svg .st.overridden{fill:var(--ovr);font-weight:700}svg .same{fill:var(--muted)}\n"
    "svg .better{fill:var(--pass);font-weight:700}svg .worse{fill:var(--fail);font-weight:700}\n"
    "svg .bl{fill:var(--fail);font-size:11px;font-weight:600}\n"
    "footer{margin-top:28px;color:var(--muted);font-size:12px}@page{size:landscape;margin:10mm}\n"
    "@media print{body{background:#fff;font-size:12px}main{max-width:none;padding:0}\n"
    "a{color:inherit;text-decoration:none}h2{break-after:avoid;page-break-after:avoid}\n"
    "tr{break-inside:avoid}header.verdict,tr.fail td,tr.overridden td,svg{\n"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void put_head(struct fg_buf *h, const cJSON *audit)
{
    const char *verdict = fg_report_str(audit, "verdict");
    fg_buf_puts(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'\" />\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    wrap(h, "<title>fairgate ",
         fg_report_is(verdict, "pass_with_override") ? "pass with override" : verdict, ": ");
    wrap(h, "", fg_report_str(fg_report_member(audit, "policy"), "name"), "</title>\n<style>\n");
    fg_buf_puts(h, page_css);
    fg_buf_puts(h, "</style>\n</head>\n<body>\n<main>\n");
}

/* ---- header: the verdict, the policy, the inputs ---- */

static void put_input_row(struct fg_buf *h, const char *role, const cJSON *in)
{
    double rows = 0, dropped = 0;
    fg_buf_add(h, "<tr><th>%s</th><td>", role);
    if (!cJSON_IsObject(in)) {
        fg_buf_puts(h, "<span class=\"muted\">none given</span></td></tr>\n");
        return;
    }
    wrap(h, "<code>", fg_report_str(in, "path"), "</code><span class=\"sub\">sha256 <code>");
    wrap(h, "", fg_report_str(in, "sha256"), "</code>");
    if (fg_report_num(in, "rows", &rows))
        fg_buf_add(h, " &#183; %.0f rows", rows);
    if (fg_report_num(in, "rows_dropped", &dropped))
        fg_buf_add(h, ", %.0f dropped", dropped);
    fg_buf_puts(h, "</span></td></tr>\n");
}

static void put_header(struct fg_buf *h, const cJSON *audit, const struct gate *gates, size_t n)
{
    const char *verdict = fg_report_str(audit, "verdict");
    const cJSON *policy = fg_report_member(audit, "policy"),
                *inputs = fg_report_member(audit, "inputs");
    size_t failed = 0, advisory = 0, overridden = 0;
    double code;
    fg_report_failures(audit, &failed, &advisory);
    for (size_t i = 0; i < n; i++)
        overridden += fg_report_is(gates[i].status, "overridden");
    fg_buf_add(h, "<header class=\"verdict %s\">\n<div class=\"big\">",
               fg_report_is(verdict, "pass")                 ? "pass"
               : fg_report_is(verdict, "pass_with_override") ? "overridden"
                                                             : "fail");
    if (fg_report_is(verdict, "pass") || fg_report_is(verdict, "fail"))
        fg_buf_puts(h, fg_report_is(verdict, "pass") ? "\xe2\x9c\x93 PASS" : "\xe2\x9c\x97 FAIL");
    else
        put_status_text(h, verdict);
    wrap(h, "</div>\n<div><h1>Fairness gate: ", fg_report_str(policy, "name"), "</h1>\n<p>");
    if (failed > 0)
        fg_buf_add(h, "%zu of %zu gate%s failed", failed, n, n == 1 ? "" : "s");
    else if (overridden > 0)
        fg_buf_add(h, "%zu of %zu gate%s passed only with an override", overridden, n,
                   n == 1 ? "" : "s");
    else
        fg_buf_add(h, "no %sgate failed (%zu gate%s)", advisory > 0 ? "blocking " : "", n,
                   n == 1 ? "" : "s");
    if (advisory > 0)
        fg_buf_add(h, " &#183; %zu advisory gate%s failed (enforce: warn; not blocking)", advisory,
                   advisory == 1 ? "" : "s");
    if (fg_report_num(audit, "exit_code", &code))
        fg_buf_add(h, " &#183; exit code %.0f", code);
    fg_buf_puts(h, "</p></div>\n</header>\n");

    wrap(h, "<table class=\"kv\">\n<tr><th>policy</th><td><b>", fg_report_str(policy, "name"),
         "</b> &#183; <code>");
    wrap(h, "", fg_report_str(policy, "path"), "</code><span class=\"sub\">sha256 <code>");
    wrap(h, "", fg_report_str(policy, "sha256"), "</code></span></td></tr>\n");
    wrap(h, "<tr><th>created</th><td>", fg_report_str(audit, "created"), " &#183; ");
    wrap(h, "", fg_report_str(fg_report_member(audit, "tool"), "name"), " ");
    wrap(h, "", fg_report_str(fg_report_member(audit, "tool"), "version"), "</td></tr>\n");
    put_input_row(h, "candidate", fg_report_member(inputs, "candidate"));
    put_input_row(h, "incumbent", fg_report_member(inputs, "incumbent"));
    /* check --counts: each counts file (shard) the verdict was reached on. */
    const cJSON *counts = fg_report_member(inputs, "counts");
    for (const cJSON *c = cJSON_IsArray(counts) ? counts->child : NULL; c != NULL; c = c->next)
        put_input_row(h, "counts", c);
    fg_buf_puts(h, "</table>\n");
}

/* ---- gate overview ---- */

static void put_overview(struct fg_buf *h, const struct gate *gates, size_t n)
{
    fg_buf_puts(h, "<h2>Gates</h2>\n<table>\n<tr><th>gate</th><th>metric</th><th>bound</th>"
                   "<th>status</th><th>worst group (candidate)</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const struct gate *g = &gates[i];
        const cJSON *worst = worst_result(g);
        double value = 0;
        fg_buf_add(h, "<tr class=\"%s\"><td><a href=\"#gate-%zu\">", gate_class(g), g->index);
        wrap(h, "", g->id, "</a></td><td>");
        wrap(h, "", g->metric, " ");
        wrap(h, "", g->overall ? "(overall)" : fg_report_str(g->json, "disparity"), "</td><td>");
        put_bound_text(h, &g->bound);
        fg_buf_puts(h, "</td><td>");
        put_gate_status(h, g);
        fg_buf_puts(h, "</td><td>");
        const cJSON *limit = fg_report_member(worst, "limit");
        double limit_value = 0;
        if (worst != NULL && fg_report_num(worst, "value", &value)) {
            wrap(h, "", fg_report_str(worst, "label"), ": <span class=\"mono\">");
            put_value(h, true, value);
            fg_buf_puts(h, "</span>");
            if (fg_report_str(limit, "name") != NULL &&
                fg_report_num(limit, "value", &limit_value)) {
                wrap(h, " <span class=\"muted limit\">(limit ", fg_report_str(limit, "name"), " ");
                fg_buf_add(h, "%g)</span>", limit_value);
            }
        } else if (worst == NULL && none_got_worse(g)) {
            fg_buf_puts(h, "<span class=\"muted\">no group got worse than the incumbent</span>");
        } else {
            fg_buf_puts(h, "<span class=\"muted\">nothing could be evaluated</span>");
        }
        fg_buf_puts(h, "</td></tr>\n");
    }
    fg_buf_puts(h, "</table>\n");
}

/* ---- scales and SVG pieces ---- */

struct scale {
    double x0, x1, hi, step;
    int decimals;
};

/* A domain [0, hi'] with hi' >= hi on a round step (1, 2, 2.5 or 5 x 10^k), 3 to 10 ticks. */
static void scale_fit(struct scale *s, double hi, double x0, double x1)
{
    if (!(hi > 0.0) || !isfinite(hi))
        hi = 1.0;
    double raw = hi / 5.0;
    double mag = pow(10.0, floor(log10(raw)));
    double norm = raw / mag;
    double mult = norm <= 1.0   ? 1.0
                  : norm <= 2.0 ? 2.0
                  : norm <= 2.5 ? 2.5
                  : norm <= 5.0 ? 5.0
                                : 10.0;
    s->step = mult * mag;
    s->hi = ceil(hi / s->step - 1e-9) * s->step;
    int decimals = -(int)floor(log10(s->step) + 1e-9) + (mult == 2.5);
    s->decimals = decimals < 0 ? 0 : decimals > 6 ? 6 : decimals;
    s->x0 = x0;
    s->x1 = x1;
}

static double sx(const struct scale *s, double v)
{
    v = v < 0.0 ? 0.0 : v > s->hi ? s->hi : v;
    return s->x0 + (s->x1 - s->x0) * v / s->hi;
}

static bool in_domain(const struct scale *s, double v)
{
    return v >= 0.0 && v <= s->hi + 1e-12;
}

/* The highest value a gate's chart shows: values, bounds, limits (of one result, if
 * only is set), and 1 for ratios (parity) and for overall rates. */
static double gate_high(const struct gate *g, const cJSON *only)
{
    double hi = g->ratio || (g->overall && !fg_report_is(g->metric, "count")) ? 1.0 : 0.0, v;
    const cJSON *res;
    if (g->bound.has_min && g->bound.min > hi)
        hi = g->bound.min;
    if (g->bound.has_max && g->bound.max > hi)
        hi = g->bound.max;
    cJSON_ArrayForEach(res, g->results)
    {
        if (only != NULL && res != only)
            continue;
        if (fg_report_num(res, "value", &v) && v > hi)
            hi = v;
        if (fg_report_num(fg_report_member(res, "incumbent"), "value", &v) && v > hi)
            hi = v;
        if (worsening_limit(g, res, &v) && v > hi)
            hi = v;
    }
    return hi;
}

static void svg_line(struct fg_buf *h, const char *cls, double x1, double y1, double x2, double y2)
{
    fg_buf_add(h, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", cls, x1,
               y1, x2, y2);
}

static void svg_rect(struct fg_buf *h, const char *cls, double x, double y, double w, double height)
{
    fg_buf_add(h, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
               cls, x, y, w, height);
}

/* A <text> holding raw (trusted markup), or left open for the caller when raw is NULL;
 * anchor NULL is the default (start). */
static void svg_text(struct fg_buf *h, const char *cls, double x, double y, const char *anchor,
                     const char *raw)
{
    fg_buf_add(h, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\"%s%s%s>", cls, x, y,
               anchor ? " text-anchor=\"" : "", anchor ? anchor : "", anchor ? "\"" : "");
    if (raw != NULL)
        wrap(h, raw, NULL, "</text>\n");
}

/* A measured value as SVG text. */
static void svg_value(struct fg_buf *h, const char *cls, double x, double y, bool defined,
                      double value)
{
    svg_text(h, cls, x, y, NULL, NULL);
    put_value(h, defined, value);
    fg_buf_puts(h, "</text>");
}

static void svg_open(struct fg_buf *h, const char *cls, double height, const char *title_id)
{
    fg_buf_add(h,
               "<figure class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"%s\" "
               "width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\" "
               "aria-labelledby=\"%s\">\n<title id=\"%s\">",
               cls, CHART_W, height, CHART_W, height, title_id, title_id);
}

/* The region outside the bound, shaded, over [top, bottom). */
static void put_bands(struct fg_buf *h, const struct scale *s, const struct bound *b, double top,
                      double bottom)
{
    if (b->has_min && b->min > 0.0)
        svg_rect(h, "band", s->x0, top, sx(s, b->min) - s->x0, bottom - top);
    if (b->has_max && b->max < s->hi)
        svg_rect(h, "band", sx(s, b->max), top, s->x1 - sx(s, b->max), bottom - top);
}

/* The bound as dashed lines, labelled at label_y when it is > 0. */
static void put_bound_lines(struct fg_buf *h, const struct scale *s, const struct bound *b,
                            double top, double bottom, double label_y)
{
    const double values[2] = {b->min, b->max};
    const bool has[2] = {b->has_min, b->has_max};
    for (int k = 0; k < 2; k++) {
        if (!has[k] || !in_domain(s, values[k]))
            continue;
        double x = sx(s, values[k]);
        svg_line(h, "bound", x, top, x, bottom);
        if (label_y > 0) {
            svg_text(h, "bl", x, label_y,
                     x > s->x1 - 32   ? "end"
                     : x < s->x0 + 32 ? "start"
                                      : "middle",
                     NULL);
            fg_buf_add(h, "%s %g</text>\n", k == 0 ? "min" : "max", values[k]);
        }
    }
}

static void put_bar(struct fg_buf *h, const struct scale *s, const char *cls, double value,
                    double y, double height)
{
    double w = sx(s, value) - s->x0;
    svg_rect(h, cls, s->x0, y, w > 0.0 && w < 1.0 ? 1.0 : w, height); /* tiny values show */
}

/* The axis under the rows, with ticks, labels and grid lines up to top. */
static void put_axis(struct fg_buf *h, const struct scale *s, double top, double y)
{
    svg_line(h, "axis", s->x0, y, s->x1, y);
    long ticks = lround(s->hi / s->step);
    for (long t = 0; t <= ticks; t++) {
        double v = (double)t * s->step, x = sx(s, v);
        if (t > 0)
            svg_line(h, "grid", x, top, x, y);
        svg_line(h, "axis", x, y, x, y + 4);
        svg_text(h, "tick", x, y + 16, "middle", NULL);
        fg_buf_add(h, "%.*f</text>\n", s->decimals, v);
    }
}

/* Legend items in a row; each kind is a letter of kinds. */
/* The legend's entries: a kind letter, the SVG shape ("rect CLASS" or "line CLASS"), the
 * HTML swatch's classes, the words. */
static const struct legend_item {
    char kind;
    const char *shape, *swatch, *text;
} legend_items[] = {
    {'c', "rect c", "sw c", "candidate"},
    {'f', "rect c fail", "sw c fail", "candidate, failing"},
    {'o', "rect c overridden", "sw c overridden", "candidate, overridden"},
    {'i', "rect i", "sw i", "incumbent"},
    {'b', "line bound", "sw band", "bound (shaded: outside it)"},
    {'w', "line limit", "sw limit", "limit: incumbent + max_worsening"},
    {'p', "line parity", "sw parity", "parity"},
};

static void put_legend(struct fg_buf *h, const char *kinds, double y)
{
    const struct legend_item *items = legend_items;
    double x = 0;
    for (const char *k = kinds; *k != '\0'; k++) {
        for (size_t i = 0; i < sizeof legend_items / sizeof legend_items[0]; i++) {
            if (items[i].kind != *k)
                continue;
            if (items[i].kind == 'b')
                svg_rect(h, "band", x, y - 10, 14, 12);
            if (items[i].shape[0] == 'r')
                svg_rect(h, items[i].shape + 5, x, y - 9, 14, 10);
            else
                svg_line(h, items[i].shape + 5, x + 7, y - 11, x + 7, y + 3);
            svg_text(h, "", x + 19, y, NULL, items[i].text);
            x += 41 + 6.8 * (double)strlen(items[i].text);
        }
    }
}

/* The legend kinds gates[0..n) need. */
static void legend_kinds(const struct gate *gates, size_t n, bool has_incumbent, char out[10])
{
    bool fail = false, overridden = false, bound = false, worsening = false, parity = false;
    const cJSON *res;
    for (size_t i = 0; i < n; i++) {
        cJSON_ArrayForEach(res, gates[i].results)
        {
            fail = fail || fg_report_is(fg_report_str(res, "status"), "fail");
            overridden = overridden || fg_report_is(fg_report_str(res, "status"), "overridden");
        }
        bound = bound || gates[i].bound.has_min || gates[i].bound.has_max;
        worsening = worsening || (gates[i].bound.has_mw && has_incumbent);
        parity = parity || gates[i].ratio;
    }
    snprintf(out, 10, "c%s%s%s%s%s%s", fail ? "f" : "", overridden ? "o" : "",
             has_incumbent ? "i" : "", bound ? "b" : "", worsening ? "w" : "", parity ? "p" : "");
}

/* ---- score gates: a reliability diagram and a ROC curve per group ---- */

/* Each curve chart: a square plot of [0, 1] x [0, 1], in SVG units. */
#define CURVE_W    268
#define CURVE_H    262
#define CURVE_X0   44
#define CURVE_Y0   10
#define CURVE_SIZE 212

static double curve_x(double v)
{
    return CURVE_X0 + CURVE_SIZE * (v < 0 ? 0 : v > 1 ? 1 : v);
}

static double curve_y(double v)
{
    return CURVE_Y0 + CURVE_SIZE * (1 - (v < 0 ? 0 : v > 1 ? 1 : v));
}

static bool is_score_metric(const char *metric)
{
    return fg_report_is(metric, "auc") || fg_report_is(metric, "brier") ||
           fg_report_is(metric, "calibration_gap");
}

/* A polyline through the points (xs[k], ys[k]) of two equal columns, with a dot on each
 * when dots is set; data-points says how many. */
static void put_polyline(struct fg_buf *h, const char *cls, const cJSON *xs, const cJSON *ys,
                         bool dots)
{
    size_t drawn = 0;
    if (!cJSON_IsArray(xs) || cJSON_GetArraySize(xs) != cJSON_GetArraySize(ys))
        return;
    fg_buf_add(h, "<polyline class=\"%s\" points=\"", cls);
    for (const cJSON *x = xs->child, *y = ys->child; x != NULL && y != NULL;
         x = x->next, y = y->next) {
        if (cJSON_IsNumber(x) && cJSON_IsNumber(y))
            fg_buf_add(h, "%s%.1f,%.1f", drawn++ ? " " : "", curve_x(x->valuedouble),
                       curve_y(y->valuedouble));
    }
    fg_buf_add(h, "\" data-points=\"%zu\"/>\n", drawn);
    for (const cJSON *x = xs->child, *y = ys->child; dots && x != NULL && y != NULL;
         x = x->next, y = y->next) {
        if (cJSON_IsNumber(x) && cJSON_IsNumber(y))
            fg_buf_add(h, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n", cls,
                       curve_x(x->valuedouble), curve_y(y->valuedouble));
    }
}

/* Opens one curve chart: frame, grid, the diagonal, ticks and axis names. */
static void put_curve_frame(struct fg_buf *h, const char *kind, const struct gate *g, size_t index,
                            const char *label, const char *x_name, const char *y_name)
{
    fg_buf_add(h,
               "<figure class=\"curve\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"%s\" "
               "id=\"gate-%zu-r%zu-%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "role=\"img\" aria-labelledby=\"gate-%zu-r%zu-%s-t\">\n"
               "<title id=\"gate-%zu-r%zu-%s-t\">%s of ",
               kind, g->index, index, kind, CURVE_W, CURVE_H, CURVE_W, CURVE_H, g->index, index,
               kind, g->index, index, kind,
               fg_report_is(kind, "roc") ? "ROC curve" : "reliability diagram");
    wrap(h, "", label, "</title>\n");
    svg_rect(h, "frame", CURVE_X0, CURVE_Y0, CURVE_SIZE, CURVE_SIZE);
    for (int t = 0; t <= 4; t++) {
        double v = t / 4.0;
        if (t > 0 && t < 4) {
            svg_line(h, "grid", curve_x(v), curve_y(0), curve_x(v), curve_y(1));
            svg_line(h, "grid", curve_x(0), curve_y(v), curve_x(1), curve_y(v));
        }
        svg_text(h, "tick", curve_x(v), curve_y(0) + 14, "middle", NULL);
        fg_buf_add(h, "%g</text>\n", v);
        svg_text(h, "tick", curve_x(0) - 4, curve_y(v) + 4, "end", NULL);
        fg_buf_add(h, "%g</text>\n", v);
    }
    svg_line(h, "diagonal", curve_x(0), curve_y(0), curve_x(1), curve_y(1));
    svg_text(h, "tick", curve_x(0.5), CURVE_H - 6, "middle", x_name);
    fg_buf_add(h,
               "<text class=\"tick\" x=\"12\" y=\"%.1f\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 12 %.1f)\">%s</text>\n",
               curve_y(0.5), curve_y(0.5), y_name);
}

/* One model's curve: kind "reliability" (mean score against observed rate per bin) or
 * "roc" (fpr against tpr). */
static void put_model_curve(struct fg_buf *h, const char *kind, const cJSON *side, bool candidate)
{
    bool roc = fg_report_is(kind, "roc");
    const cJSON *data = fg_report_member(side, roc ? "roc" : "calibration");
    const char *cls = candidate ? (roc ? "curve c roc-line" : "curve c rel-line")
                                : (roc ? "curve i roc-line" : "curve i rel-line");
    put_polyline(h, cls, fg_report_member(data, roc ? "fpr" : "mean_score"),
                 fg_report_member(data, roc ? "tpr" : "observed"), !roc);
}

static void put_curve_chart(struct fg_buf *h, const char *kind, const struct gate *g, size_t index,
                            const cJSON *group)
{
    bool roc = fg_report_is(kind, "roc");
    const cJSON *cand = fg_report_member(group, "candidate");
    const cJSON *inc = fg_report_member(group, "incumbent");
    const char *key = roc ? "roc" : "calibration";
    put_curve_frame(h, kind, g, index, fg_report_str(group, "label"),
                    roc ? "false positive rate" : "mean score in the bin",
                    roc ? "true positive rate" : "observed rate");
    if (cJSON_IsObject(fg_report_member(inc, key)))
        put_model_curve(h, kind, inc, false);
    if (cJSON_IsObject(fg_report_member(cand, key)))
        put_model_curve(h, kind, cand, true);
    else
        svg_text(h, "tick", curve_x(0.5), curve_y(0.5), "middle",
                 roc ? "no ROC curve: one class only" : "no bins: a score outside [0, 1]");
    fg_buf_puts(h, "</svg>\n</figure>\n");
}

/* The group's reliability diagram and ROC curve, candidate over incumbent, when the audit
 * holds them (lib/scores.c). */
static void put_curves(struct fg_buf *h, const struct gate *g, const cJSON *group, size_t index)
{
    const cJSON *cand = fg_report_member(group, "candidate");
    if (fg_report_member(cand, "calibration") == NULL && fg_report_member(cand, "roc") == NULL)
        return;
    fg_buf_puts(h, "<div class=\"curves\">\n");
    put_curve_chart(h, "reliability", g, index, group);
    put_curve_chart(h, "roc", g, index, group);
    fg_buf_puts(h, "<p class=\"legend small\"><span class=\"sw c\"></span>candidate ");
    if (cJSON_IsObject(fg_report_member(group, "incumbent")))
        fg_buf_puts(h, "<span class=\"sw i\"></span>incumbent ");
    fg_buf_puts(h, "<span class=\"sw diagonal\"></span>perfect calibration / chance. "
                   "Reliability: one dot per non-empty bin; ROC: at most 101 points.</p>\n"
                   "</div>\n");
}

/* ---- the audit's groups, by label ---- */

/* What the gate sections share: whether there is an incumbent, and the audit's groups
 * sorted by label (each result's own rates and curves are looked up there). */
struct page {
    bool has_incumbent;
    const cJSON **groups;
    size_t n_groups;
};

static int compare_group_label(const void *a, const void *b)
{
    const char *la = fg_report_str(*(const cJSON *const *)a, "label");
    const char *lb = fg_report_str(*(const cJSON *const *)b, "label");
    return strcmp(la ? la : "", lb ? lb : "");
}

/* Fills pg->groups; false when out of memory. */
static bool index_groups(struct page *pg, const cJSON *audit)
{
    const cJSON *groups = fg_report_member(audit, "groups"), *group;
    size_t n = (size_t)cJSON_GetArraySize(groups);
    pg->groups = calloc(n > 0 ? n : 1, sizeof *pg->groups);
    if (pg->groups == NULL)
        return false;
    cJSON_ArrayForEach(group, groups)
    {
        pg->groups[pg->n_groups++] = group;
    }
    qsort(pg->groups, pg->n_groups, sizeof *pg->groups, compare_group_label);
    return true;
}

/* The group of the audit labelled label, or NULL. */
static const cJSON *find_group(const struct page *pg, const char *label)
{
    size_t lo = 0, hi = pg->n_groups;
    while (label != NULL && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *at = fg_report_str(pg->groups[mid], "label");
        int c = strcmp(label, at ? at : "");
        if (c == 0)
            return pg->groups[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* ---- intervals ---- */

/* [low, high] as the audit writes it (a result's "ci", a rate's "<metric>_ci"); an
 * infinite end is null. */
struct interval {
    bool has_low, has_high;
    double low, high;
};

static bool read_interval(const cJSON *array, struct interval *iv)
{
    const cJSON *low = cJSON_GetArrayItem(array, 0), *high = cJSON_GetArrayItem(array, 1);
    if (!cJSON_IsArray(array) || cJSON_GetArraySize(array) != 2)
        return false;
    iv->has_low = cJSON_IsNumber(low) && isfinite(low->valuedouble);
    iv->has_high = cJSON_IsNumber(high) && isfinite(high->valuedouble);
    iv->low = iv->has_low ? low->valuedouble : 0.0;
    iv->high = iv->has_high ? high->valuedouble : 0.0;
    return (iv->has_low || cJSON_IsNull(low)) && (iv->has_high || cJSON_IsNull(high));
}

/* " [0.6100, 0.7400]" in a muted span; an open end reads "∞". */
static void put_interval(struct fg_buf *h, const struct interval *iv)
{
    fg_buf_puts(h, " <span class=\"ci\">[");
    if (iv->has_low)
        fg_buf_add(h, "%.4f", iv->low);
    else
        fg_buf_puts(h, "\xe2\x88\x92\xe2\x88\x9e");
    if (iv->has_high)
        fg_buf_add(h, ", %.4f]</span>", iv->high);
    else
        fg_buf_puts(h, ", \xe2\x88\x9e]</span>");
}

/* The whisker of an interval across a bar centred at y; an end off the axis has no cap. */
static void put_whisker(struct fg_buf *h, const struct scale *s, const struct interval *iv,
                        double y)
{
    double x0 = sx(s, iv->has_low ? iv->low : 0.0), x1 = iv->has_high ? sx(s, iv->high) : s->x1;
    fg_buf_puts(h, "<g class=\"whisker\">");
    svg_line(h, "w", x0, y, x1, y);
    if (iv->has_low)
        svg_line(h, "w", x0, y - 10, x0, y + 10);
    if (iv->has_high && in_domain(s, iv->high)) /* past the axis' end: open, no cap */
        svg_line(h, "w", x1, y - 10, x1, y + 10);
    fg_buf_puts(h, "</g>\n");
}

/* ---- per-gate rows: one <details> per group, failing ones open ---- */

/* The key of the group's own rate in the audit's groups: the gate's metric, or equalized
 * odds' component. */
static const char *rate_key(const struct gate *g, const cJSON *side)
{
    const char *component = fg_report_str(side, "component");
    return component != NULL ? component : g->metric;
}

/* "rate 0.5000 [0.4500, 0.5500]": a group's own rate (group_value) with its Wilson interval. */
static void put_group_rate(struct fg_buf *h, const struct gate *g, const cJSON *side,
                           const cJSON *group_side)
{
    double rate = 0;
    char key[64];
    struct interval iv;
    bool has_rate = fg_report_num(side, "group_value", &rate);
    /* equalized odds names the component it was judged on instead of "rate" */
    wrap(h, "<span class=\"sub\">",
         fg_report_str(side, "component") ? fg_report_str(side, "component") : "rate", " ");
    put_value(h, has_rate, rate);
    snprintf(key, sizeof key, "%s_ci", rate_key(g, side));
    if (has_rate && read_interval(fg_report_member(group_side, key), &iv))
        put_interval(h, &iv);
    fg_buf_puts(h, "</span>");
}

/* The bar cell: the region outside the bound, the grid, the candidate's bar with its
 * interval's whisker, the incumbent's bar, the limit, the bound. x in 0..1000, y in
 * 0..100; the SVG stretches to the cell (strokes keep their width). */
static void put_row_bars(struct fg_buf *h, const struct gate *g, const struct scale *s,
                         const cJSON *res, const char *st)
{
    double cand = 0, inc = 0, limit = 0;
    bool dim = fg_report_is(st, "insufficient");
    struct interval iv;
    char cls[48];
    fg_buf_puts(h, "<span class=\"gplot\"><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" "
                   "viewBox=\"0 0 1000 100\" preserveAspectRatio=\"none\" aria-hidden=\"true\">\n");
    put_bands(h, s, &g->bound, 0, 100);
    for (long t = 1; t <= lround(s->hi / s->step); t++)
        svg_line(h, "grid", sx(s, (double)t * s->step), 0, sx(s, (double)t * s->step), 100);
    if (g->ratio)
        svg_line(h, "parity", sx(s, 1.0), 0, sx(s, 1.0), 100);
    snprintf(cls, sizeof cls, "c %s%s", st, dim ? " dim" : "");
    if (fg_report_num(res, "value", &cand))
        put_bar(h, s, cls, cand, 20, 38);
    if (fg_report_num(fg_report_member(res, "incumbent"), "value", &inc))
        put_bar(h, s, dim ? "i dim" : "i", inc, 64, 20);
    if (fg_report_num(res, "value", &cand) && read_interval(fg_report_member(res, "ci"), &iv))
        put_whisker(h, s, &iv, 39);
    if (worsening_limit(g, res, &limit) && in_domain(s, limit))
        svg_line(h, "limit", sx(s, limit), 8, sx(s, limit), 92);
    put_bound_lines(h, s, &g->bound, 0, 100, 0);
    fg_buf_puts(h, "</svg></span>\n");
}

/* The value cell: the candidate's value and interval, the group's own rate, the
 * incumbent's. */
static void put_row_values(struct fg_buf *h, const struct gate *g, const struct page *pg,
                           const cJSON *res, const char *st)
{
    const cJSON *group = find_group(pg, fg_report_str(res, "label"));
    const cJSON *inc = fg_report_member(res, "incumbent");
    double value = 0;
    struct interval iv;
    bool defined = fg_report_num(res, "value", &value);
    fg_buf_add(h, "<span class=\"gval\"><span class=\"cv %s\">", st);
    put_value(h, defined, value);
    fg_buf_puts(h, "</span>");
    if (defined && read_interval(fg_report_member(res, "ci"), &iv))
        put_interval(h, &iv);
    if (!g->overall)
        put_group_rate(h, g, res, fg_report_member(group, "candidate"));
    if (cJSON_IsObject(inc)) {
        fg_buf_puts(h, "<span class=\"sub\">incumbent ");
        defined = fg_report_num(inc, "value", &value);
        put_value(h, defined, value);
        if (!g->overall && fg_report_num(inc, "group_value", &value)) {
            const char *component = fg_report_str(inc, "component");
            wrap(h, " &#183; ", component ? component : "rate", "");
            fg_buf_add(h, " %.4f", value);
        }
        fg_buf_puts(h, "</span>");
    }
    fg_buf_puts(h, "</span>\n");
}

/* The details of a result: the reference group, the bound, the test, why. */
static void put_row_details(struct fg_buf *h, const struct gate *g, const cJSON *res)
{
    const cJSON *ref = fg_report_member(res, "reference");
    const char *inc_ref =
        fg_report_str(fg_report_member(fg_report_member(res, "incumbent"), "reference"), "label");
    double value = 0, n = 0, p = 0;
    struct interval iv;
    fg_buf_puts(h, "<table class=\"kv\">\n<tr><th>n</th><td class=\"mono\">");
    if (fg_report_num(res, "n", &n))
        fg_buf_add(h, "%.0f", n);
    fg_buf_puts(h, "</td></tr>\n");
    if (!g->overall) {
        fg_buf_puts(h, "<tr><th>reference group</th><td>");
        if (cJSON_IsObject(ref)) {
            wrap(h, "", fg_report_str(ref, "label"), " <span class=\"mono\">rate ");
            bool defined = fg_report_num(ref, "value", &value); /* its own rate */
            put_value(h, defined, value);
            fg_buf_puts(h, "</span>");
        } else {
            fg_buf_puts(h, "<span class=\"muted\">none</span>");
        }
        if (inc_ref != NULL && !fg_report_is(inc_ref, fg_report_str(ref, "label")))
            wrap(h, "<span class=\"sub\">incumbent&#39;s: ", inc_ref, "</span>");
        fg_buf_puts(h, "</td></tr>\n");
    }
    fg_buf_puts(h, "<tr><th>bound</th><td>");
    put_bound_text(h, &g->bound);
    fg_buf_puts(h, "</td></tr>\n");
    if (g->bound.has_mw) {
        fg_buf_puts(h, "<tr><th>worsening</th><td class=\"mono\">");
        if (fg_report_num(res, "worsening", &value))
            fg_buf_add(h, "%+.4f", value);
        else
            put_value(h, false, 0);
        if (read_interval(fg_report_member(res, "worsening_ci"), &iv))
            put_interval(h, &iv);
        fg_buf_puts(h, "</td></tr>\n");
    }
    if (fg_report_str(res, "test") != NULL && fg_report_num(res, "p_value", &p)) {
        wrap(h, "<tr><th>test</th><td>", fg_report_str(res, "test"), "");
        fg_buf_add(h, " <span class=\"mono\">p = %.4g", p);
        if (fg_report_num(res, "p_adjusted", &p))
            fg_buf_add(h, ", adjusted %.4g", p);
        fg_buf_puts(h, "</span></td></tr>\n");
    }
    if (fg_report_str(res, "why") != NULL)
        wrap(h, "<tr><th>why</th><td>", fg_report_str(res, "why"), "</td></tr>\n");
    fg_buf_puts(h, "</table>\n");
}

static void put_group_row(struct fg_buf *h, const struct gate *g, const struct page *pg,
                          const struct scale *s, const cJSON *res, size_t index, bool curves)
{
    const char *status = fg_report_str(res, "status"), *st = status_class(status);
    double n = 0;
    /* Groups that passed are collapsed; every other status is open. */
    fg_buf_add(h, "<details class=\"group %s\" id=\"gate-%zu-r%zu\"%s>\n<summary class=\"grow\">",
               st, g->index, index, fg_report_is(st, "pass") ? "" : " open=\"open\"");
    wrap(h, "<span class=\"glabel\">", fg_report_str(res, "label"), "</span>\n");
    put_row_bars(h, g, s, res, st);
    put_row_values(h, g, pg, res, st);
    fg_buf_add(h, "<span class=\"gst status %s\">", st);
    put_status_text(h, status);
    if (fg_report_is(st, "insufficient") && fg_report_num(res, "n", &n))
        fg_buf_add(h, " &#183; n=%.0f", n);
    fg_buf_puts(h, "</span>\n</summary>\n<div class=\"gdetail\">\n");
    put_row_details(h, g, res);
    if (curves)
        put_curves(h, g, find_group(pg, fg_report_str(res, "label")), index);
    fg_buf_puts(h, "</div>\n</details>\n");
}

/* The scale's ticks and the bound's labels, placed along the plot column in percent. */
static void put_plot_labels(struct fg_buf *h, const struct scale *s, const struct bound *b,
                            bool ticks)
{
    fg_buf_puts(h, "<span class=\"gplot\">");
    for (long t = 0; ticks && t <= lround(s->hi / s->step); t++)
        fg_buf_add(h, "<span class=\"tick\" style=\"left:%.1f%%\">%.*f</span>",
                   sx(s, (double)t * s->step) / 10.0, s->decimals, (double)t * s->step);
    const double values[2] = {b->min, b->max};
    const bool has[2] = {b->has_min, b->has_max};
    for (int k = 0; !ticks && k < 2; k++) {
        if (has[k] && in_domain(s, values[k]))
            fg_buf_add(h, "<span class=\"bl\" style=\"left:%.1f%%\">%s %g</span>",
                       sx(s, values[k]) / 10.0, k == 0 ? "min" : "max", values[k]);
    }
    fg_buf_puts(h, "</span>");
}

/* The legend as HTML swatches, each kind a letter of kinds (as put_legend). */
static void put_html_legend(struct fg_buf *h, const char *kinds)
{
    fg_buf_puts(h, "<p class=\"legend\">");
    for (const char *k = kinds; *k != '\0'; k++) {
        for (size_t i = 0; i < sizeof legend_items / sizeof legend_items[0]; i++) {
            if (legend_items[i].kind == *k)
                fg_buf_add(h, "<span class=\"%s\"></span>%s ", legend_items[i].swatch,
                           legend_items[i].text);
        }
    }
    fg_buf_puts(h, "<span class=\"sw whisker\"></span>interval at 1 &#8722; alpha</p>\n");
}

/* Curves are drawn for at most this many results of a gate, the ones that did not pass
 * first; the audit holds them all. */
#define CURVES_MAX 200

static void put_gate_rows(struct fg_buf *h, const struct gate *g, const struct page *pg)
{
    struct scale s;
    char legend[10];
    const cJSON *res;
    size_t index = 0, not_passed = 0, passed_drawn = 0, drawn_not_passed = 0;
    bool scored = is_score_metric(g->metric);
    cJSON_ArrayForEach(res, g->results)
    {
        not_passed += !fg_report_is(fg_report_str(res, "status"), "pass");
    }
    scale_fit(&s, gate_high(g, NULL), 0, 1000);
    fg_buf_add(h, "<div class=\"gate-chart\" id=\"gate-%zu-chart\">\n", g->index);
    legend_kinds(g, 1, pg->has_incumbent, legend);
    put_html_legend(h, legend);
    fg_buf_puts(h, "<div class=\"grow ghead\"><span>group</span>");
    put_plot_labels(h, &s, &g->bound, false);
    fg_buf_puts(h, "<span>value [interval] &#183; group&#39;s own rate</span><span>status</span>"
                   "</div>\n");
    if (cJSON_GetArraySize(g->results) == 0)
        fg_buf_puts(h, "<p class=\"muted\">no results</p>\n");
    cJSON_ArrayForEach(res, g->results)
    {
        /* curves for the results that did not pass first, then for those that did */
        bool pass = fg_report_is(fg_report_str(res, "status"), "pass");
        bool curves =
            scored &&
            (pass ? (not_passed < CURVES_MAX ? not_passed : CURVES_MAX) + passed_drawn < CURVES_MAX
                  : drawn_not_passed < CURVES_MAX);
        passed_drawn += curves && pass;
        drawn_not_passed += curves && !pass;
        put_group_row(h, g, pg, &s, res, index++, curves);
    }
    fg_buf_puts(h, "<div class=\"grow gaxis\"><span></span>");
    put_plot_labels(h, &s, &g->bound, true);
    fg_buf_puts(h, "<span></span><span></span></div>\n<p class=\"muted small caption\">");
    put_esc(h, g->metric);
    fg_buf_puts(h, g->overall ? " of the whole population"
                   : g->ratio ? " ratio: group \xc3\xb7 reference group"
                              : " difference: |group \xe2\x88\x92 reference group|");
    if (passed_drawn + drawn_not_passed < index && scored)
        fg_buf_add(h,
                   "; calibration and ROC curves drawn for %zu of %zu groups (all are in the "
                   "audit)",
                   passed_drawn + drawn_not_passed, index);
    fg_buf_puts(h, "</p>\n</div>\n");
}

static void put_gate_section(struct fg_buf *h, const struct gate *g, const struct page *pg)
{
    const cJSON *ref = fg_report_member(g->json, "reference"), *kv;
    const char *description = fg_report_str(g->json, "description"),
               *note = fg_report_str(g->json, "note");
    double size = 0;
    fg_buf_add(h, "<section class=\"gate\" id=\"gate-%zu\">\n", g->index);
    wrap(h, "<h2>", g->id, " ");
    put_gate_status(h, g);
    fg_buf_puts(h, "</h2>\n");
    if (description != NULL)
        wrap(h, "<p>", description, "</p>\n");
    wrap(h, "<p class=\"muted small\"><code>", g->metric, "</code>");
    if (g->overall) {
        fg_buf_puts(h, " of the whole population");
    } else {
        wrap(h, " ", fg_report_str(g->json, "disparity"), " to the reference group (");
        if (cJSON_IsString(ref))
            put_esc(h, ref->valuestring);
        const cJSON *pairs = cJSON_IsObject(ref) ? ref : NULL;
        cJSON_ArrayForEach(kv, pairs)
        {
            wrap(h, kv == ref->child ? "" : " &amp; ", kv->string, "=");
            put_esc(h, cJSON_IsString(kv) ? kv->valuestring : "?");
        }
        fg_buf_puts(h, ")");
    }
    fg_buf_puts(h, " &#183; bound: ");
    put_bound_text(h, &g->bound);
    if (fg_report_num(g->json, "min_group_size", &size))
        fg_buf_add(h, " &#183; min_group_size %.0f", size);
    if (fg_report_str(g->json, "on_small_group") != NULL)
        wrap(h, " (small groups: ", fg_report_str(g->json, "on_small_group"), ")");
    fg_buf_puts(h, "</p>\n");
    if (note != NULL)
        wrap(h, "<p><b>Note:</b> ", note, "</p>\n");
    put_gate_rows(h, g, pg);
    fg_buf_puts(h, "</section>\n");
}

/* ---- candidate vs incumbent ---- */

struct panel_row {
    const char *title;
    const struct gate *gate; /* NULL for overall accuracy */
    const cJSON *worst;      /* the gate's worst result */
    bool has_c, has_i, inc_present;
    double c, i;
};

/* "better" or "worse" for the candidate, in words with a glyph. */
static void put_comparison(struct fg_buf *h, const struct panel_row *row, double y)
{
    bool disparity = row->gate != NULL && !row->gate->overall;
    int dir = row->gate == NULL ? 1 : metric_direction(row->gate->metric);
    double delta = 0;            /* > 0: the candidate is better */
    double gap_c = 0, gap_i = 0; /* gate.c's distance from parity of each model */
    bool gaps = disparity && fg_report_num(row->worst, "parity_gap", &gap_c) &&
                fg_report_num(fg_report_member(row->worst, "incumbent"), "parity_gap", &gap_i);
    if (row->has_c && row->has_i)
        delta = disparity ? gap_i - gap_c : dir * (row->c - row->i);
    if (row->has_c && row->has_i && (gaps || (!disparity && dir != 0)) && fabs(delta) >= 0.00005) {
        svg_text(h, delta > 0 ? "better" : "worse", PANEL_CMP_X, y + 24, NULL,
                 delta > 0 ? "\xe2\x96\xb2 candidate better" : "\xe2\x96\xbc candidate worse");
        svg_text(h, "same", PANEL_CMP_X, y + 40, NULL, NULL);
        fg_buf_add(h, "%s %.4f</text>\n",
                   disparity ? (delta > 0 ? "closer to parity by" : "further from parity by")
                   : row->c > row->i ? "higher by"
                                     : "lower by",
                   fabs(delta));
        return;
    }
    svg_text(h, "same", PANEL_CMP_X, y + 32, NULL, NULL);
    if (!row->has_c || !row->has_i)
        fg_buf_add(h, "%s</text>\n", row->inc_present ? "not comparable (n/a)" : "no incumbent");
    else if (!disparity && dir == 0)
        fg_buf_add(h, "changed by %+.4f</text>\n", row->c - row->i);
    else
        fg_buf_puts(h, "= the same</text>\n");
}

static double panel_high(const struct panel_row *row)
{
    if (row->gate != NULL)
        return gate_high(row->gate, row->worst);
    return fmax(1.0, fmax(row->has_c ? row->c : 0.0, row->has_i ? row->i : 0.0));
}

/* A row on the panel's common scale, unless its values are counts (then its own). */
static void put_panel_row(struct fg_buf *h, const struct panel_row *row, double y,
                          const struct scale *common)
{
    static const struct bound no_bound = {false, false, false, 0, 0, 0};
    const struct bound *b = row->gate ? &row->gate->bound : &no_bound;
    const char *st = row->worst ? status_class(fg_report_str(row->worst, "status")) : "pass";
    struct scale own;
    const struct scale *s = common;
    double limit, top = y + 4, bottom = y + PANEL_ROW_H - 4;
    char cls[48];
    if (panel_high(row) > common->hi) {
        scale_fit(&own, panel_high(row), PANEL_X0, PANEL_X1);
        s = &own;
    }
    put_bands(h, s, b, top, bottom);
    if (row->gate != NULL && row->gate->ratio)
        svg_line(h, "parity", sx(s, 1.0), top, sx(s, 1.0), bottom);
    snprintf(cls, sizeof cls, "c %s", st);
    if (row->has_c)
        put_bar(h, s, cls, row->c, y + 13, 14);
    if (row->has_i)
        put_bar(h, s, "i", row->i, y + 29, 14);
    if (row->worst != NULL && worsening_limit(row->gate, row->worst, &limit) && in_domain(s, limit))
        svg_line(h, "limit", sx(s, limit), y + 9, sx(s, limit), y + 31);
    put_bound_lines(h, s, b, top, bottom, 0);
    svg_text(h, "", 0, y + 16, NULL, NULL);
    fg_buf_puts(h, "<tspan font-weight=\"700\">");
    put_esc_max(h, row->title, 44);
    fg_buf_puts(h, "</tspan></text>\n");
    /* The worst group's label is never cut: a long one is narrowed to fit left of the bars. */
    const char *worst = row->worst ? fg_report_str(row->worst, "label") : "none";
    fg_buf_add(h, "<text class=\"tick lab\" x=\"0.0\" y=\"%.1f\"", y + 31);
    if (row->gate != NULL && !row->gate->overall && worst != NULL &&
        strlen(worst) > PANEL_LABEL_CHARS)
        fg_buf_add(h, " textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\"", PANEL_X0 - 12);
    fg_buf_puts(h, ">");
    if (row->gate == NULL || row->gate->overall)
        fg_buf_puts(h, "the whole population");
    else
        wrap(h, "worst group: ", worst, "");
    fg_buf_puts(h, "</text>\n");
    svg_text(h, "tick", 0, y + 45, NULL, NULL);
    if (row->gate == NULL) {
        fg_buf_puts(h, "accuracy &#183; higher is better");
    } else {
        wrap(h, "", row->gate->metric, " ");
        put_esc(h, row->gate->overall ? "overall" : fg_report_str(row->gate->json, "disparity"));
    }
    if (s != common)
        fg_buf_add(h, " (own scale, 0 to %.*f)", s->decimals, s->hi);
    fg_buf_puts(h, "</text>\n");
    snprintf(cls, sizeof cls, "num cv %s", st);
    svg_value(h, cls, PANEL_VAL_X, y + 24, row->has_c, row->c);
    if (row->inc_present)
        svg_value(h, "num iv", PANEL_VAL_X, y + 40, row->has_i, row->i);
    fg_buf_puts(h, "\n");
    put_comparison(h, row, y);
}

static void put_panel(struct fg_buf *h, const cJSON *audit, const struct gate *gates, size_t n,
                      bool has_incumbent)
{
    const cJSON *overall = cJSON_GetArrayItem(fg_report_member(audit, "groups"), 0);
    struct panel_row *rows = calloc(n + 1, sizeof *rows);
    struct scale common;
    double hi = 1.0, bottom = PANEL_TOP + (double)(n + 1) * PANEL_ROW_H;
    char legend[10];
    if (rows == NULL) {
        h->nomem = true;
        return;
    }
    rows[0].title = "overall accuracy";
    rows[0].has_c = fg_report_num(fg_report_member(overall, "candidate"), "accuracy", &rows[0].c);
    rows[0].has_i = fg_report_num(fg_report_member(overall, "incumbent"), "accuracy", &rows[0].i);
    for (size_t i = 0; i <= n; i++) {
        struct panel_row *row = &rows[i];
        row->inc_present = has_incumbent;
        if (i > 0) {
            row->title = gates[i - 1].id;
            row->gate = &gates[i - 1];
            row->worst = worst_result(row->gate);
            row->has_c = fg_report_num(row->worst, "value", &row->c);
            row->has_i = fg_report_num(fg_report_member(row->worst, "incumbent"), "value", &row->i);
        }
        /* One scale for every row of rates, ratios or differences. */
        if (panel_high(row) > hi && panel_high(row) <= 10.0)
            hi = panel_high(row);
    }
    scale_fit(&common, hi, PANEL_X0, PANEL_X1);
    if (has_incumbent)
        fg_buf_puts(
            h, "<section class=\"panel\">\n<h2>Candidate vs incumbent</h2>\n<p class=\"muted\">"
               "Both models on the same rows: overall accuracy first, then each gate at the "
               "candidate&#39;s worst group (and the incumbent on that group). For a disparity, "
               "closer to parity (ratio 1, difference 0) is better.</p>\n");
    else
        fg_buf_puts(h,
                    "<section class=\"panel\">\n<h2>Candidate at a glance</h2>\n<p class=\"muted\">"
                    "No incumbent was given, so nothing is compared: overall accuracy, then each "
                    "gate at the candidate&#39;s worst group.</p>\n");
    svg_open(h, "panel-chart", bottom + 30, "panel-title");
    fg_buf_puts(h,
                "candidate against incumbent: accuracy and each gate&#39;s worst group</title>\n");
    legend_kinds(gates, n, has_incumbent, legend);
    put_legend(h, legend, 16);
    svg_text(h, "head", PANEL_VAL_X, 32, NULL, "value");
    svg_text(h, "head", PANEL_CMP_X, 32, NULL, "comparison");
    for (size_t i = 1; i <= n; i += 2)
        svg_rect(h, "zebra", 0, PANEL_TOP + (double)i * PANEL_ROW_H, CHART_W, PANEL_ROW_H);
    put_axis(h, &common, PANEL_TOP, bottom);
    for (size_t i = 0; i <= n; i++)
        put_panel_row(h, &rows[i], PANEL_TOP + (double)i * PANEL_ROW_H, &common);
    fg_buf_puts(h, "</svg>\n</figure>\n</section>\n");
    free(rows);
}

/* ---- overrides ---- */

static void put_overrides(struct fg_buf *h, const cJSON *audit)
{
    const cJSON *overrides = fg_report_member(audit, "overrides"), *o;
    fg_buf_puts(h, "<section>\n<h2>Overrides</h2>\n");
    if (cJSON_GetArraySize(overrides) == 0) {
        fg_buf_puts(h, "<p class=\"muted\">No override was offered.</p>\n</section>\n");
        return;
    }
    fg_buf_puts(h, "<table>\n<tr><th>gate</th><th>group</th><th>approver</th><th>reason</th>"
                   "<th>expires</th><th>status</th><th>why</th></tr>\n");
    cJSON_ArrayForEach(o, overrides)
    {
        const char *status = fg_report_str(o, "status");
        fg_buf_add(h, "<tr class=\"%s\">",
                   fg_report_is(status, "rejected") ? "fail" : "overridden");
        wrap(h, "<td class=\"label\">", fg_report_str(o, "gate"), "</td><td>");
        if (fg_report_str(o, "group") != NULL)
            put_esc(h, fg_report_str(o, "group"));
        else
            fg_buf_puts(h, "<span class=\"muted\">the whole gate</span>");
        wrap(h, "</td><td>", fg_report_str(o, "approver"), "<span class=\"sub\">");
        put_esc(h, fg_report_str(o, "role"));
        if (fg_report_str(o, "keyid") != NULL) {
            fg_buf_puts(h, " &#183; key <code>");
            put_esc_max(h, fg_report_str(o, "keyid"), 16);
            fg_buf_puts(h, "</code>");
        }
        wrap(h, "</span></td><td>", fg_report_str(o, "reason"), "");
        if (fg_report_str(o, "ticket") != NULL)
            wrap(h, "<span class=\"sub\">ticket ", fg_report_str(o, "ticket"), "</span>");
        wrap(h, "</td><td class=\"mono label\">", fg_report_str(o, "expires"), "</td><td>");
        put_status_span(h, status);
        wrap(h, "</td><td>", fg_report_str(o, "why"), "</td></tr>\n");
    }
    fg_buf_puts(h, "</table>\n</section>\n");
}

/* ---- every group's rates ---- */

/* The columns: the rates whose complements are left out (fnr = 1 - tpr, tnr = 1 - fpr,
 * fdr = 1 - ppv, for = 1 - npv, error_rate = 1 - accuracy; all are in the audit), then the
 * score metrics when the audit has them. */
static const char *const rate_columns[] = {
    "base_rate", "selection_rate", "tpr", "fpr",   "ppv",
    "npv",       "accuracy",       "auc", "brier", "calibration_gap",
};

static void put_rates_row(struct fg_buf *h, const cJSON *group, const char *model, int rowspan,
                          size_t n_columns)
{
    const cJSON *side = fg_report_member(group, model);
    double v = 0;
    struct interval iv;
    char key[64];
    fg_buf_puts(h, "<tr>");
    if (rowspan > 0)
        wrap(h, rowspan > 1 ? "<td rowspan=\"2\" class=\"glabel\">" : "<td class=\"glabel\">",
             fg_report_str(group, "label"), "</td>");
    fg_buf_add(h, "<td>%s</td><td class=\"num\">", model);
    if (fg_report_num(side, "n", &v))
        fg_buf_add(h, "%.0f", v);
    fg_buf_puts(h, "</td>");
    for (size_t c = 0; c < n_columns; c++) {
        bool defined = fg_report_num(side, rate_columns[c], &v);
        fg_buf_add(h, "<td class=\"num%s\">", defined ? "" : " undef");
        put_value(h, defined, v);
        snprintf(key, sizeof key, "%s_ci", rate_columns[c]);
        if (defined && read_interval(fg_report_member(side, key), &iv)) {
            fg_buf_puts(h, "<span class=\"sub\">");
            put_interval(h, &iv);
            fg_buf_puts(h, "</span>");
        }
        fg_buf_puts(h, "</td>");
    }
    fg_buf_puts(h, "</tr>\n");
}

static void put_group_rates(struct fg_buf *h, const cJSON *audit, bool has_incumbent)
{
    const cJSON *groups = fg_report_member(audit, "groups"), *group;
    const cJSON *first = fg_report_member(cJSON_GetArrayItem(groups, 0), "candidate");
    size_t n_columns = fg_report_member(first, "auc") != NULL ? 10 : 7;
    fg_buf_puts(h, "<section>\n<h2>Every group&#39;s rates</h2>\n");
    if (!cJSON_IsObject(first)) {
        fg_buf_puts(h, "<p class=\"muted\">The audit lists no groups.</p>\n</section>\n");
        return;
    }
    fg_buf_add(h,
               "<details class=\"rates\">\n<summary>%d groups, each rate with its Wilson interval "
               "(fnr, tnr, fdr, for and error_rate are the complements of tpr, fpr, ppv, npv "
               "and accuracy; the audit lists them too)</summary>\n<div class=\"scroll\">\n"
               "<table class=\"rates\">\n<tr><th>group</th><th>model</th><th class=\"num\">n</th>",
               cJSON_GetArraySize(groups));
    for (size_t c = 0; c < n_columns; c++)
        fg_buf_add(h, "<th class=\"num\">%s</th>", rate_columns[c]);
    fg_buf_puts(h, "</tr>\n");
    cJSON_ArrayForEach(group, groups)
    {
        bool two = has_incumbent && cJSON_IsObject(fg_report_member(group, "incumbent"));
        put_rates_row(h, group, "candidate", two ? 2 : 1, n_columns);
        if (two)
            put_rates_row(h, group, "incumbent", 0, n_columns);
    }
    fg_buf_puts(h, "</table>\n</div>\n</details>\n</section>\n");
}

/* ---- public ---- */

enum fg_status fg_report_html(const char *audit_json, char **out, struct fg_error *err)
{
    if (out == NULL || audit_json == NULL)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "fg_report_html: no audit or output");
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = fg_report_parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    const cJSON *gates_json = fg_report_member(audit, "gates"), *gate_json;
    size_t n = (size_t)cJSON_GetArraySize(gates_json), i = 0;
    struct gate *gates = calloc(n > 0 ? n : 1, sizeof *gates);
    if (gates == NULL) {
        cJSON_Delete(audit);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory rendering HTML");
    }
    cJSON_ArrayForEach(gate_json, gates_json)
    {
        read_gate(gate_json, i + 1, &gates[i]);
        i++;
    }
    bool has_incumbent = cJSON_IsObject(
        fg_report_member(cJSON_GetArrayItem(fg_report_member(audit, "groups"), 0), "incumbent"));

    struct page pg = {.has_incumbent = has_incumbent};
    if (!index_groups(&pg, audit)) {
        free(gates);
        cJSON_Delete(audit);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory rendering HTML");
    }

    struct fg_buf h = fg_buf_new(FG_BUF_CAP_HTML, "the HTML report");
    put_head(&h, audit);
    put_header(&h, audit, gates, n);
    put_overview(&h, gates, n);
    put_panel(&h, audit, gates, n, has_incumbent);
    for (i = 0; i < n; i++)
        put_gate_section(&h, &gates[i], &pg);
    put_overrides(&h, audit);
    put_group_rates(&h, audit, has_incumbent);
    wrap(&h, "<footer>Rendered by fairgate from the audit alone (schema <code>",
         fg_report_str(audit, "schema"), "</code>, created ");
    wrap(&h, "", fg_report_str(audit, "created"),
         "). Values are shown to 4 decimals; the audit JSON keeps full precision. "
         "n/a: the value could not be computed (a rate whose denominator "
         "is 0, a ratio to a reference rate of 0, or a group with too little data).</footer>\n"
         "</main>\n</body>\n</html>\n");
    free(pg.groups);
    free(gates);
    cJSON_Delete(audit);
    return fg_buf_finish(&h, out, err);
}
