/*
 * report_sweep.c - the threshold sweep (lib/sweep.h) as one self-contained HTML5 page: what
 * the sweep found in a sentence, then a chart of the overall accuracy and one per gate (its
 * worst group's value against the threshold, or for a vs_incumbent gate its worsening against
 * the incumbent, with the bound), each with the band of thresholds where every blocking gate
 * passes shaded and the policy's own threshold marked.
 *
 * Invariants (as lib/report_html.c, whose colours it shares):
 *  - Rendered from the table alone: no clock, no environment; numbers "%.4f" (values), "%g"
 *    (bounds), "%.1f" (SVG coordinates), in the C locale.
 *  - Self-contained: inline CSS and SVG, no JavaScript, no URL but the SVG namespace name; a
 *    Content-Security-Policy forbids loading anything.
 *  - Every string from the inputs (policy name, gate ids, paths) is HTML-escaped; text that
 *    is not UTF-8 is cut at its first bad byte, marked with U+FFFD.
 *  - Colour never carries meaning alone: a failing point is red and its gate's status is
 *    written in the point's tooltip (<title>); the band and the policy's line are named in
 *    the legend and in the sentence above the charts.
 *  - Machine-checkable: the band is <rect class="pass-band" data-from data-to>, the policy's
 *    threshold <line class="policy" data-threshold>, each point <circle data-threshold>.
 *
 * Ownership: the caller frees *out.
 */
#include "buf.h"
#include "fairgate.h"
#include "report.h"
#include "scorebins.h"
#include "sweep.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chart geometry, in SVG user units. */
#define SW_W  1120
#define SW_H  230
#define SW_X0 76
#define SW_X1 1090
#define SW_Y0 18  /* top of the plot */
#define SW_Y1 190 /* bottom of the plot */

static const char sweep_css[] =
    ":root{--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--grey:#8c959f;--cand:#1f5fbf;\n"
    "--fail:#b42318;--fail-bg:#fdecea;--pass:#1a7f37;--pass-bg:#e8f5ec;--warn:#9a6700;\n"
    "--sans:system-ui,\"Segoe UI\",\"DejaVu Sans\",Helvetica,Arial,sans-serif;\n"
    "--mono:\"DejaVu Sans Mono\",Menlo,Consolas,monospace}\n"
    "*{box-sizing:border-box}body{margin:0;background:#eef1f4;color:var(--ink);\n"
    "font:14px/1.45 var(--sans)}main{max-width:1200px;margin:0 auto;padding:24px 36px 40px;\n"
    "background:#fff}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 4px;\n"
    "border-bottom:1px solid var(--line);padding-bottom:3px}.muted{color:var(--muted)}\n"
    "code{font-family:var(--mono);font-size:12.5px}\n"
    "header.sweep{padding:16px 22px;border:2px solid;border-radius:8px}\n"
    "header.pass{background:var(--pass-bg);border-color:var(--pass)}\n"
    "header.fail{background:var(--fail-bg);border-color:var(--fail)}\n"
    ".advisory{color:var(--warn);font-size:12px;font-weight:600}\n"
    ".legend{font-size:12px;color:var(--muted);margin:8px 0}.sw{display:inline-block;width:14px;\n"
    "height:10px;margin:0 5px 0 12px;vertical-align:middle}.sw.band{background:#cfe9d6}\n"
    ".sw.policy{width:0;border-left:2px dashed var(--ink)}.sw.bound{width:14px;height:0;\n"
    "border-top:2px dashed var(--fail)}.sw.fail{background:var(--fail);border-radius:5px}\n"
    ".sw.pass{background:var(--cand);border-radius:5px}\n"
    "figure{margin:6px 0}svg{display:block;max-width:100%;height:auto}\n"
    "svg text{font-family:var(--sans);font-size:11.5px;fill:var(--muted)}\n"
    "svg .axis{stroke:#57606a}svg .grid{stroke:#e4e8ec}svg .pass-band{fill:#cfe9d6;\n"
    "fill-opacity:.7}svg .policy{stroke:var(--ink);stroke-width:1.5;stroke-dasharray:5 3}\n"
    "svg .bound{stroke:var(--fail);stroke-width:1.5;stroke-dasharray:6 3}\n"
    "svg polyline{fill:none;stroke:var(--cand);stroke-width:1.8}\n"
    "svg circle{fill:var(--cand)}svg circle.fail{fill:var(--fail)}\n"
    "svg circle.warn{fill:var(--warn)}svg circle.insufficient_data{fill:var(--grey)}\n"
    "svg text.policy-label{fill:var(--ink);font-weight:600}svg text.bl{fill:var(--fail)}\n"
    "footer{margin-top:26px;color:var(--muted);font-size:12px}\n";

/* ---- text ---- */

/* Escaped text; what is not UTF-8 is cut at its first bad byte and marked. */
static void put_text(struct fg_buf *h, const char *s)
{
    size_t len = strlen(s), good = fg_utf8_valid_prefix(s, len);
    if (good == len) {
        fg_report_html_escape(h, s);
        return;
    }
    char *prefix = fg_strndup(s, good);
    if (prefix != NULL)
        fg_report_html_escape(h, prefix);
    free(prefix);
    fg_buf_puts(h, "\xef\xbf\xbd");
}

static double threshold_of(int edge)
{
    return fg_score_edge(edge);
}

/* ---- scales ---- */

struct yscale {
    double lo, hi, step;
};

/* A round step (1, 2, 2.5 or 5 x 10^k) for about 5 ticks over span. */
static double round_step(double span)
{
    double raw = span / 5.0, mag = pow(10.0, floor(log10(raw))), norm = raw / mag;
    return (norm <= 1.0   ? 1.0
            : norm <= 2.0 ? 2.0
            : norm <= 2.5 ? 2.5
            : norm <= 5.0 ? 5.0
                          : 10.0) *
           mag;
}

/* [lo, hi] over every value and bound shown, widened to round ticks; 0 always in. */
static void yscale_fit(struct yscale *s, double lo, double hi)
{
    lo = lo > 0.0 ? 0.0 : lo;
    if (!(hi > lo) || !isfinite(hi) || !isfinite(lo))
        hi = lo + 1.0;
    s->step = round_step(hi - lo);
    s->lo = floor(lo / s->step + 1e-9) * s->step;
    s->hi = ceil(hi / s->step - 1e-9) * s->step;
    if (s->hi <= s->lo)
        s->hi = s->lo + s->step;
}

static double px(double threshold)
{
    return SW_X0 + (SW_X1 - SW_X0) * threshold;
}

static double py(const struct yscale *s, double v)
{
    return SW_Y1 - (SW_Y1 - SW_Y0) * (v - s->lo) / (s->hi - s->lo);
}

/* ---- one chart ---- */

/* What one chart plots: a value per threshold (NAN where undefined) and its status. */
struct series {
    const char *title;
    double *y;
    const struct fg_sweep_cell *cells; /* NULL: accuracy (no status) */
    size_t stride;
    double bounds[2];
    size_t n_bounds;
    const char *bound_names[2];
};

static void put_frame(struct fg_buf *h, const struct yscale *s)
{
    for (int k = 0; k <= 10; k++) {
        double x = px(k / 10.0);
        fg_buf_add(h, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x,
                   SW_Y0, x, SW_Y1);
        fg_buf_add(h, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", x, SW_Y1 + 16,
                   k / 10.0);
    }
    for (double v = s->lo; v <= s->hi + s->step / 2; v += s->step) {
        double y = py(s, v), shown = fabs(v) < s->step / 1e6 ? 0.0 : v;
        fg_buf_add(h, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", SW_X0,
                   y, SW_X1, y);
        fg_buf_add(h, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", SW_X0 - 6, y + 4,
                   shown);
    }
    fg_buf_add(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", SW_X0, SW_Y1,
               SW_X1, SW_Y1);
    fg_buf_add(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">threshold</text>\n",
               (SW_X0 + SW_X1) / 2, SW_H - 4);
}

/* The runs of thresholds where every blocking gate passes, each widened by half a step. */
static void put_band(struct fg_buf *h, const struct fg_sweep_table *t)
{
    double half = threshold_of(t->grid_step) / 2;
    size_t q = 0;
    for (size_t p = fg_sweep_next_band(t, 0, &q); p < t->n_points;
         p = fg_sweep_next_band(t, q + 1, &q)) {
        double from = threshold_of(t->points[p].edge), to = threshold_of(t->points[q].edge);
        double x0 = px(from - half < 0 ? 0 : from - half), x1 = px(to + half > 1 ? 1 : to + half);
        char a[32], b[32];
        fg_sweep_threshold_text(t->points[p].edge, a, sizeof a);
        fg_sweep_threshold_text(t->points[q].edge, b, sizeof b);
        fg_buf_add(h,
                   "<rect class=\"pass-band\" data-from=\"%s\" data-to=\"%s\" x=\"%.1f\" y=\"%d\" "
                   "width=\"%.1f\" height=\"%d\"><title>every blocking gate passes: %s to "
                   "%s</title></rect>\n",
                   a, b, x0, SW_Y0, x1 - x0, SW_Y1 - SW_Y0, a, b);
    }
}

static void put_policy_line(struct fg_buf *h, const struct fg_sweep_table *t)
{
    double th = t->policy_threshold;
    if (!(th >= 0 && th <= 1))
        return;
    double x = px(th);
    char text[64];
    fg_format_exact(text, sizeof text, th);
    fg_buf_add(h,
               "<line class=\"policy\" data-threshold=\"%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
               "y2=\"%d\"/>\n<text class=\"policy-label\" x=\"%.1f\" y=\"%d\"%s>policy %s</text>\n",
               text, x, SW_Y0 - 4, x, SW_Y1, x + (th > 0.9 ? -4 : 4), SW_Y0 + 8,
               th > 0.9 ? " text-anchor=\"end\"" : "", text);
}

static void put_points(struct fg_buf *h, const struct fg_sweep_table *t, const struct series *sr,
                       const struct yscale *s)
{
    bool open = false;
    for (size_t p = 0; p < t->n_points; p++) { /* a line through each run of defined values */
        bool defined = !isnan(sr->y[p]);
        if (defined && !open)
            fg_buf_puts(h, "<polyline points=\"");
        if (defined)
            fg_buf_add(h, "%s%.1f,%.1f", open ? " " : "", px(threshold_of(t->points[p].edge)),
                       py(s, sr->y[p]));
        if (!defined && open)
            fg_buf_puts(h, "\"/>\n");
        open = defined;
    }
    if (open)
        fg_buf_puts(h, "\"/>\n");
    for (size_t p = 0; p < t->n_points; p++) {
        if (isnan(sr->y[p]))
            continue;
        const char *status =
            sr->cells ? fg_result_status_name(sr->cells[p * sr->stride].status) : "pass";
        char at[32];
        fg_sweep_threshold_text(t->points[p].edge, at, sizeof at);
        fg_buf_add(h,
                   "<circle class=\"%s\" data-threshold=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\">"
                   "<title>%s: %.4f (%s)</title></circle>\n",
                   status, at, px(threshold_of(t->points[p].edge)), py(s, sr->y[p]), at, sr->y[p],
                   status);
    }
}

static void put_chart(struct fg_buf *h, const struct fg_sweep_table *t, const struct series *sr,
                      const char *chart_id)
{
    double lo = 0.0, hi = 0.0;
    for (size_t p = 0; p < t->n_points; p++)
        if (!isnan(sr->y[p])) {
            lo = sr->y[p] < lo ? sr->y[p] : lo;
            hi = sr->y[p] > hi ? sr->y[p] : hi;
        }
    for (size_t k = 0; k < sr->n_bounds; k++) {
        lo = sr->bounds[k] < lo ? sr->bounds[k] : lo;
        hi = sr->bounds[k] > hi ? sr->bounds[k] : hi;
    }
    struct yscale s;
    yscale_fit(&s, lo, hi);
    fg_buf_add(h,
               "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"%s-t\">\n"
               "<title id=\"%s-t\">",
               chart_id, SW_W, SW_H, SW_W, SW_H, chart_id, chart_id);
    put_text(h, sr->title);
    fg_buf_puts(h, " against the threshold</title>\n");
    put_band(h, t);
    put_frame(h, &s);
    for (size_t k = 0; k < sr->n_bounds; k++) {
        double y = py(&s, sr->bounds[k]);
        fg_buf_add(h,
                   "<line class=\"bound\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n<text "
                   "class=\"bl\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s %g</text>\n",
                   SW_X0, y, SW_X1, y, SW_X1 - 2, y - 4, sr->bound_names[k], sr->bounds[k]);
    }
    put_policy_line(h, t);
    put_points(h, t, sr, &s);
    fg_buf_puts(h, "</svg></figure>\n");
}

/* ---- the page ---- */

static void put_header(struct fg_buf *h, const struct fg_sweep_table *t)
{
    size_t passing = 0;
    for (size_t p = 0; p < t->n_points; p++)
        passing += t->points[p].all_blocking_pass;
    fg_buf_puts(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'\" />\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
                   "<title>fairgate sweep: ");
    put_text(h, t->policy_name);
    fg_buf_add(h, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", sweep_css);
    fg_buf_add(h, "<header class=\"sweep %s\">\n<h1>Threshold sweep: ", passing ? "pass" : "fail");
    put_text(h, t->policy_name);
    char step[32];
    fg_sweep_threshold_text(t->grid_step, step, sizeof step);
    if (passing > 0)
        fg_buf_add(h,
                   "</h1>\n<p><strong>Every blocking gate passes at %zu of %zu thresholds"
                   "</strong> (shaded).",
                   passing, t->n_points);
    else
        fg_buf_add(h,
                   "</h1>\n<p><strong>No threshold of the %zu passes every blocking gate."
                   "</strong>",
                   t->n_points);
    char threshold[64];
    fg_format_exact(threshold, sizeof threshold, t->policy_threshold);
    fg_buf_add(h, " The policy's threshold is %s (dashed line).</p>\n<p class=\"muted\">From ",
               threshold);
    put_text(h, t->inputs);
    fg_buf_add(h,
               "; thresholds 0 to below 1 by %s, favourable when the score is %s the "
               "threshold; the incumbent's decisions as given.</p>\n</header>\n",
               step, t->favorable == FG_FAVORABLE_ABOVE ? "at or above" : "below");
    fg_buf_puts(h, "<p class=\"legend\"><span class=\"sw band\"></span>every blocking gate passes"
                   "<span class=\"sw policy\"></span>the policy's threshold<span class=\"sw "
                   "bound\"></span>the gate's bound<span class=\"sw pass\"></span>value<span "
                   "class=\"sw fail\"></span>the gate fails there</p>\n");
}

/* A gate's chart: its worst value with min/max, or its worsening with max_worsening. */
static void put_gate(struct fg_buf *h, const struct fg_sweep_table *t, size_t i, double *y)
{
    const struct fg_sweep_gate *g = &t->gates[i];
    bool worsening = g->has_max_worsening && !g->has_min && !g->has_max;
    struct series sr = {.y = y, .cells = &t->cells[i], .stride = t->n_gates};
    for (size_t p = 0; p < t->n_points; p++) {
        const struct fg_sweep_cell *c = &t->cells[p * t->n_gates + i];
        bool has = worsening ? c->has_worsening : c->has_value;
        double v = worsening ? c->worsening : c->value;
        y[p] = has && isfinite(v) ? v : NAN;
    }
    if (g->has_min && !worsening)
        sr.bounds[sr.n_bounds] = g->min, sr.bound_names[sr.n_bounds++] = "min";
    if (g->has_max && !worsening)
        sr.bounds[sr.n_bounds] = g->max, sr.bound_names[sr.n_bounds++] = "max";
    if (worsening)
        sr.bounds[sr.n_bounds] = g->max_worsening, sr.bound_names[sr.n_bounds++] = "max_worsening";
    char title[400], id[64];
    snprintf(title, sizeof title, "%s: %s%s", g->id, g->metric,
             worsening    ? " (worsening against the incumbent)"
             : g->overall ? ""
                          : " (worst group)");
    sr.title = title;
    snprintf(id, sizeof id, "gate-%zu", i + 1);
    fg_buf_puts(h, "<h2>");
    put_text(h, g->id);
    fg_buf_add(h, " <span class=\"muted\">%s%s</span>%s</h2>\n", g->metric,
               worsening    ? ": worsening against the incumbent"
               : g->overall ? ": the overall value"
                            : ": the worst group's value",
               g->blocking ? "" : " <span class=\"advisory\">advisory (never blocks)</span>");
    put_chart(h, t, &sr, id);
}

enum fg_status fg_report_sweep_html(const struct fg_sweep_table *t, char **out,
                                    struct fg_error *err)
{
    struct fg_buf h = fg_buf_new(FG_BUF_CAP_HTML, "the sweep's HTML page");
    double *y = calloc(t->n_points + 1, sizeof *y);
    if (y == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    put_header(&h, t);
    for (size_t p = 0; p < t->n_points; p++)
        y[p] = t->points[p].accuracy_defined ? t->points[p].accuracy : NAN;
    struct series accuracy = {.title = "overall accuracy", .y = y};
    fg_buf_puts(&h, "<h2>Accuracy <span class=\"muted\">overall, the candidate's</span></h2>\n");
    put_chart(&h, t, &accuracy, "accuracy");
    for (size_t i = 0; i < t->n_gates; i++)
        put_gate(&h, t, i, y);
    fg_buf_add(&h,
               "<footer>fairgate %s &#183; <code>fairgate sweep</code>: every gate judged "
               "as <code>fairgate check</code> judges it, from score bins of width 0.0001"
               "</footer>\n</main>\n</body>\n</html>\n",
               FG_VERSION);
    free(y);
    return fg_buf_finish(&h, out, err);
}
