/*
 * report_html.c - the audit JSON (DESIGN section 5) as one self-contained HTML5 page for
 * people: the verdict, the candidate against the incumbent, an SVG bar chart and a table
 * per gate, the overrides, and every group's rates.
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
 *  - A chart's value axis starts at 0 and ends on a round number at or above every value
 *    and bound it shows; a null value draws no bar and reads "undefined".
 *  - The page is built in an fg_buf capped at FG_BUF_CAP_HTML; past it FG_ERR_LIMIT, never
 *    a partial page. The audit is read with report.c's accessors (fg_report_member/str/
 *    num/is).
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

#define LABEL_MAX_CHARS 36 /* group labels in charts; tables show them whole */
#define LABEL_NOWRAP    40 /* table labels up to this long stay on one line */

/* Chart geometry, in SVG user units (= CSS px at 100 %). */
#define CHART_W     1120
#define LABEL_END   250 /* gate charts: labels are right-aligned here */
#define PLOT_X0     262
#define PLOT_X1     820
#define VALUE_X     834
#define STATUS_X    912
#define CHART_TOP   48
#define ROW_H       30
#define AXIS_H      46
#define PANEL_TOP   36 /* the candidate-vs-incumbent panel */
#define PANEL_ROW_H 56
#define PANEL_X0    340
#define PANEL_X1    760
#define PANEL_VAL_X 774
#define PANEL_CMP_X 856

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

/* before, the escaped text, after. */
static void wrap(struct fg_buf *h, const char *before, const char *text, const char *after)
{
    fg_buf_puts(h, before);
    put_esc(h, text);
    fg_buf_puts(h, after);
}

/* A measured value: "%.4f", or "undefined" for null. */
static void put_value(struct fg_buf *h, bool defined, double value)
{
    char buf[64];
    fg_format_number(buf, sizeof buf, defined, value);
    fg_buf_puts(h, buf);
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
    ".status{font-weight:700;white-space:nowrap}.status.pass{color:var(--pass)}\n"
    ".status.fail{color:var(--fail)}.status.warn{color:var(--warn)}\n"
    ".status.insufficient{color:var(--grey)}.status.overridden{color:var(--ovr)}\n"
    ".sub{display:block;color:var(--muted);font-size:11.5px;font-weight:400}\n"
    "table.results{font-size:13px}table.results td.why{width:25%}td.undef{color:var(--grey)}\n"
    "table.rates td,table.rates th{padding:2px 6px;font-size:12px}\n"
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
    size_t failed = 0, overridden = 0;
    double code;
    for (size_t i = 0; i < n; i++) {
        failed += fg_report_is(gates[i].status, "fail");
        overridden += fg_report_is(gates[i].status, "overridden");
    }
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
        fg_buf_add(h, "no gate failed (%zu gate%s)", n, n == 1 ? "" : "s");
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
        fg_buf_add(h, "<tr class=\"%s\"><td><a href=\"#gate-%zu\">", status_class(g->status),
                   g->index);
        wrap(h, "", g->id, "</a></td><td>");
        wrap(h, "", g->metric, " ");
        wrap(h, "", g->overall ? "(overall)" : fg_report_str(g->json, "disparity"), "</td><td>");
        put_bound_text(h, &g->bound);
        fg_buf_puts(h, "</td><td>");
        put_status_span(h, g->status);
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
static void put_legend(struct fg_buf *h, const char *kinds, double y)
{
    static const struct {
        char kind;
        const char *shape; /* "rect CLASS" or "line CLASS" */
        const char *text;
    } items[] = {
        {'c', "rect c", "candidate"},
        {'f', "rect c fail", "candidate, failing"},
        {'o', "rect c overridden", "candidate, overridden"},
        {'i', "rect i", "incumbent"},
        {'b', "line bound", "bound (shaded: outside it)"},
        {'w', "line limit", "limit: incumbent + max_worsening"},
        {'p', "line parity", "parity"},
    };
    double x = 0;
    for (const char *k = kinds; *k != '\0'; k++) {
        for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
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

/* ---- per-gate chart ---- */

/* One row per result: label, the candidate's bar over the incumbent's, values, status. */
static void put_chart_row(struct fg_buf *h, const struct gate *g, const struct scale *s,
                          const cJSON *res, double y)
{
    const char *status = fg_report_str(res, "status"), *st = status_class(status);
    const cJSON *incumbent = fg_report_member(res, "incumbent");
    double cand = 0, inc = 0, n = 0, limit = 0;
    bool has_cand = fg_report_num(res, "value", &cand),
         has_inc = fg_report_num(incumbent, "value", &inc);
    bool dim = fg_report_is(st, "insufficient");
    char cls[48];
    fg_buf_add(h, "<g class=\"row %s\">", st);
    wrap(h, "<title>", fg_report_str(res, "label"), "</title>\n");
    snprintf(cls, sizeof cls, "lab %s", st);
    svg_text(h, cls, LABEL_END, y + 19, "end", NULL);
    put_esc_max(h, fg_report_str(res, "label"), LABEL_MAX_CHARS);
    fg_buf_puts(h, "</text>\n");
    snprintf(cls, sizeof cls, "c %s%s", st, dim ? " dim" : "");
    if (has_cand)
        put_bar(h, s, cls, cand, y + 5, 12);
    if (has_inc)
        put_bar(h, s, dim ? "i dim" : "i", inc, y + 18, 8);
    if (worsening_limit(g, res, &limit) && in_domain(s, limit))
        svg_line(h, "limit", sx(s, limit), y + 2, sx(s, limit), y + 20);
    snprintf(cls, sizeof cls, "num cv %s", st);
    svg_value(h, cls, VALUE_X, y + 15, has_cand, cand);
    if (cJSON_IsObject(incumbent))
        svg_value(h, "num iv", VALUE_X, y + 27, has_inc, inc);
    snprintf(cls, sizeof cls, "st %s", st);
    svg_text(h, cls, STATUS_X, y + 19, NULL, NULL);
    put_status_text(h, status);
    if (dim && fg_report_num(res, "n", &n))
        fg_buf_add(h, " &#183; n=%.0f", n);
    fg_buf_puts(h, "</text></g>\n");
}

static void put_gate_chart(struct fg_buf *h, const struct gate *g, bool has_incumbent)
{
    int rows = cJSON_GetArraySize(g->results), r = 0;
    double top = CHART_TOP - 4, bottom = CHART_TOP + (rows > 0 ? rows : 1) * ROW_H;
    struct scale s;
    char title_id[48], legend[10];
    const cJSON *res;
    scale_fit(&s, gate_high(g, NULL), PLOT_X0, PLOT_X1);
    snprintf(title_id, sizeof title_id, "gate-%zu-chart", g->index);
    svg_open(h, "gate-chart", bottom + AXIS_H, title_id);
    wrap(h, "", g->id, ": candidate and incumbent per group against the bound</title>\n");
    legend_kinds(g, 1, has_incumbent, legend);
    put_legend(h, legend, 16);
    svg_text(h, "head", LABEL_END, CHART_TOP - 8, "end", "group");
    svg_text(h, "head", VALUE_X, CHART_TOP - 8, NULL, "value");
    svg_text(h, "head", STATUS_X, CHART_TOP - 8, NULL, "status");
    /* Under the bars: row backgrounds, the region outside the bound, the grid. */
    cJSON_ArrayForEach(res, g->results)
    {
        const char *st = status_class(fg_report_str(res, "status"));
        double y = CHART_TOP + r * ROW_H;
        if (fg_report_is(st, "fail") || fg_report_is(st, "overridden"))
            svg_rect(h, fg_report_is(st, "fail") ? "row-fail" : "row-overridden", 0, y, CHART_W,
                     ROW_H);
        else if (r % 2 == 1)
            svg_rect(h, "zebra", 0, y, CHART_W, ROW_H);
        r++;
    }
    put_bands(h, &s, &g->bound, top, bottom);
    put_axis(h, &s, top, bottom);
    if (g->ratio)
        svg_line(h, "parity", sx(&s, 1.0), top, sx(&s, 1.0), bottom);
    if (rows == 0)
        svg_text(h, "tick", PLOT_X0 + 8, CHART_TOP + 19, NULL, "no results");
    r = 0;
    cJSON_ArrayForEach(res, g->results)
    {
        put_chart_row(h, g, &s, res, CHART_TOP + r * ROW_H);
        r++;
    }
    put_bound_lines(h, &s, &g->bound, top, bottom, CHART_TOP - 8);
    svg_text(h, "tick", (PLOT_X0 + PLOT_X1) / 2.0, bottom + 36, "middle", NULL);
    put_esc(h, g->metric);
    fg_buf_puts(h, g->overall ? " of the whole population"
                   : g->ratio ? " ratio: group \xc3\xb7 reference group"
                              : " difference: |group \xe2\x88\x92 reference group|");
    fg_buf_puts(h, "</text>\n</svg>\n</figure>\n");
}

/* ---- per-gate table ---- */

/* The group's own rate (and equalized odds' component) under a value. */
static void put_rate_sub(struct fg_buf *h, const cJSON *side)
{
    double rate = 0;
    bool has_rate = fg_report_num(side, "group_value", &rate);
    fg_buf_puts(h, "<span class=\"sub\">rate ");
    put_value(h, has_rate, rate);
    if (fg_report_str(side, "component") != NULL)
        wrap(h, " &#183; ", fg_report_str(side, "component"), "");
    fg_buf_puts(h, "</span>");
}

/* Opens a cell for a group label: kept on one line unless it is long. */
static void open_label_cell(struct fg_buf *h, const char *label)
{
    fg_buf_puts(h,
                label != NULL && strlen(label) <= LABEL_NOWRAP ? "<td class=\"label\">" : "<td>");
}

static void put_result_row(struct fg_buf *h, const struct gate *g, const cJSON *res,
                           bool has_incumbent)
{
    const char *status = fg_report_str(res, "status"), *why = fg_report_str(res, "why");
    const cJSON *inc = fg_report_member(res, "incumbent"),
                *ref = fg_report_member(res, "reference");
    const char *inc_ref = fg_report_str(fg_report_member(inc, "reference"), "label");
    double value = 0, n = 0;
    bool defined;
    fg_buf_add(h, "<tr class=\"%s\">", status_class(status));
    open_label_cell(h, fg_report_str(res, "label"));
    wrap(h, "", fg_report_str(res, "label"), "</td><td class=\"num\">");
    if (fg_report_num(res, "n", &n))
        fg_buf_add(h, "%.0f", n);
    fg_buf_puts(h, "</td><td class=\"num\">");
    defined = fg_report_num(res, "value", &value);
    put_value(h, defined, value);
    if (!g->overall)
        put_rate_sub(h, res);
    fg_buf_puts(h, "</td>");
    if (has_incumbent) {
        fg_buf_puts(h, "<td class=\"num\">");
        defined = fg_report_num(inc, "value", &value);
        put_value(h, defined, value);
        if (!g->overall && cJSON_IsObject(inc))
            put_rate_sub(h, inc);
        fg_buf_puts(h, "</td>");
    }
    if (!g->overall) {
        open_label_cell(h, fg_report_str(ref, "label"));
        if (cJSON_IsObject(ref)) {
            defined = fg_report_num(ref, "value", &value); /* the reference group's own rate */
            wrap(h, "", fg_report_str(ref, "label"), "<span class=\"sub\">rate ");
            put_value(h, defined, value);
            fg_buf_puts(h, "</span>");
        } else {
            fg_buf_puts(h, "<span class=\"muted\">none</span>");
        }
        if (inc_ref != NULL && !fg_report_is(inc_ref, fg_report_str(ref, "label")))
            wrap(h, "<span class=\"sub\">incumbent&#39;s: ", inc_ref, "</span>");
        fg_buf_puts(h, "</td>");
    }
    fg_buf_puts(h, "<td>");
    put_bound_text(h, &g->bound);
    fg_buf_puts(h, "</td>");
    if (g->bound.has_mw) {
        if (fg_report_num(res, "worsening", &value))
            fg_buf_add(h, "<td class=\"num\">%+.4f</td>", value);
        else
            fg_buf_puts(h, "<td class=\"num\">undefined</td>");
    }
    fg_buf_puts(h, "<td class=\"why\">");
    put_status_span(h, status);
    if (why != NULL)
        wrap(h, "<span class=\"sub\">", why, "</span>");
    fg_buf_puts(h, "</td></tr>\n");
}

static void put_gate_table(struct fg_buf *h, const struct gate *g, bool has_incumbent)
{
    const cJSON *res;
    fg_buf_add(h,
               "<table class=\"results\">\n<tr><th>group</th><th class=\"num\">n</th>"
               "<th class=\"num\">candidate</th>%s%s<th>bound</th>%s<th>status and why</th></tr>\n",
               has_incumbent ? "<th class=\"num\">incumbent</th>" : "",
               g->overall ? "" : "<th>reference group</th>",
               g->bound.has_mw ? "<th class=\"num\">worsening</th>" : "");
    cJSON_ArrayForEach(res, g->results)
    {
        put_result_row(h, g, res, has_incumbent);
    }
    fg_buf_puts(h, "</table>\n");
}

static void put_gate_section(struct fg_buf *h, const struct gate *g, bool has_incumbent)
{
    const cJSON *ref = fg_report_member(g->json, "reference"), *kv;
    const char *description = fg_report_str(g->json, "description"),
               *note = fg_report_str(g->json, "note");
    double size = 0;
    fg_buf_add(h, "<section class=\"gate\" id=\"gate-%zu\">\n", g->index);
    wrap(h, "<h2>", g->id, " ");
    put_status_span(h, g->status);
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
    put_gate_chart(h, g, has_incumbent);
    put_gate_table(h, g, has_incumbent);
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
        fg_buf_add(h, "%s</text>\n",
                   row->inc_present ? "not comparable (undefined)" : "no incumbent");
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
    svg_text(h, "tick", 0, y + 31, NULL, NULL);
    if (row->gate == NULL || row->gate->overall)
        fg_buf_puts(h, "the whole population");
    else
        wrap(h, "worst group: ", row->worst ? fg_report_str(row->worst, "label") : "none", "");
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

static bool is_count_key(const char *key)
{
    return fg_report_is(key, "n") || fg_report_is(key, "tp") || fg_report_is(key, "fp") ||
           fg_report_is(key, "tn") || fg_report_is(key, "fn");
}

static void put_rates_row(struct fg_buf *h, const cJSON *group, const char *model,
                          const cJSON *columns, int rowspan)
{
    const cJSON *side = fg_report_member(group, model), *col;
    double v = 0;
    fg_buf_puts(h, "<tr>");
    if (rowspan > 0) {
        fg_buf_add(h, "<td rowspan=\"%d\">", rowspan);
        wrap(h, "", fg_report_str(group, "label"), "</td>");
    }
    fg_buf_add(h, "<td>%s</td><td class=\"num\">", model);
    if (fg_report_num(side, "n", &v))
        fg_buf_add(h, "%.0f", v);
    fg_buf_puts(h, "</td>");
    cJSON_ArrayForEach(col, columns)
    {
        if (is_count_key(col->string))
            continue;
        bool defined = fg_report_num(side, col->string, &v);
        fg_buf_add(h, "<td class=\"num%s\">", defined ? "" : " undef");
        put_value(h, defined, v);
        fg_buf_puts(h, "</td>");
    }
    fg_buf_puts(h, "</tr>\n");
}

static void put_group_rates(struct fg_buf *h, const cJSON *audit, bool has_incumbent)
{
    const cJSON *groups = fg_report_member(audit, "groups"), *group, *col;
    const cJSON *columns = fg_report_member(cJSON_GetArrayItem(groups, 0), "candidate");
    fg_buf_puts(h, "<section>\n<h2>Every group&#39;s rates</h2>\n");
    if (!cJSON_IsObject(columns)) {
        fg_buf_puts(h, "<p class=\"muted\">The audit lists no groups.</p>\n</section>\n");
        return;
    }
    fg_buf_puts(
        h, "<table class=\"rates\">\n<tr><th>group</th><th>model</th><th class=\"num\">n</th>");
    cJSON_ArrayForEach(col, columns)
    {
        if (!is_count_key(col->string))
            wrap(h, "<th class=\"num\">", col->string, "</th>");
    }
    fg_buf_puts(h, "</tr>\n");
    cJSON_ArrayForEach(group, groups)
    {
        bool two = has_incumbent && cJSON_IsObject(fg_report_member(group, "incumbent"));
        put_rates_row(h, group, "candidate", columns, two ? 2 : 1);
        if (two)
            put_rates_row(h, group, "incumbent", columns, 0);
    }
    fg_buf_puts(h, "</table>\n</section>\n");
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

    struct fg_buf h = fg_buf_new(FG_BUF_CAP_HTML, "the HTML report");
    put_head(&h, audit);
    put_header(&h, audit, gates, n);
    put_overview(&h, gates, n);
    put_panel(&h, audit, gates, n, has_incumbent);
    for (i = 0; i < n; i++)
        put_gate_section(&h, &gates[i], has_incumbent);
    put_overrides(&h, audit);
    put_group_rates(&h, audit, has_incumbent);
    wrap(&h, "<footer>Rendered by fairgate from the audit alone (schema <code>",
         fg_report_str(audit, "schema"), "</code>, created ");
    wrap(&h, "", fg_report_str(audit, "created"),
         "). Values are shown to 4 decimals; the audit JSON keeps full precision. "
         "&#8220;undefined&#8221;: the value could not be computed (a rate whose denominator "
         "is 0, a ratio to a reference rate of 0, or a group with too little data).</footer>\n"
         "</main>\n</body>\n</html>\n");
    free(gates);
    cJSON_Delete(audit);
    return fg_buf_finish(&h, out, err);
}
