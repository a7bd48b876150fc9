/*
 * check_report_html.c - unit tests of lib/report_html.c: the self-contained HTML report.
 *
 * Fixture in tests/fixtures/audit (or $FAIRGATE_AUDIT_FIXTURES):
 *   html-hostile.json  a handcrafted audit: three gates (a selection-rate ratio with
 *                      min 0.8, an equalized-odds difference with max 0.1, an overall
 *                      accuracy floor), a failing group named <script>alert(1)</script>,
 *                      a group named "&', an insufficient-data group with null values,
 *                      HTML in the policy name, the description and an override's reason.
 * Variants (no incumbent, max_worsening, control characters, long labels) are built here
 * from it with cJSON. Geometry that the tests pin: each gate row's bar plot spans x 0..1000
 * of its viewBox (y 0..100), so on a [0, 1] axis a value v is at 1000 v, on [0, 0.25] at
 * 4000 v; labels above the plot and ticks under it sit at the same places in percent.
 */
#define _GNU_SOURCE /* strcasestr */
#include "fairgate.h"
#include "test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static char *render(const char *audit)
{
    char *html = NULL;
    struct fg_error err = {0};
    ck_assert_msg(fg_report_html(audit, &html, &err) == FG_OK, "render: %s", err.message);
    ck_assert_ptr_nonnull(html);
    return html;
}

static char *render_fixture(void)
{
    char *audit = read_fixture("html-hostile.json");
    char *html = render(audit);
    free(audit);
    return html;
}

/* Renders the fixture after edit(root) changed it. */
static char *render_edited(void (*edit)(cJSON *root))
{
    char *text = read_fixture("html-hostile.json");
    cJSON *root = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(root);
    edit(root);
    char *edited = cJSON_Print(root);
    cJSON_Delete(root);
    ck_assert_ptr_nonnull(edited);
    char *html = render(edited);
    free(edited);
    return html;
}

static size_t count(const char *haystack, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = strstr(haystack, needle); p != NULL; p = strstr(p + len, needle))
        n++;
    return n;
}

/* The text from the first from to the next to (or the end); malloc'd. */
static char *between(const char *text, const char *from, const char *to)
{
    const char *start = strstr(text, from);
    ck_assert_msg(start != NULL, "no '%s' in the page", from);
    const char *end = to ? strstr(start + strlen(from), to) : NULL;
    size_t len = end ? (size_t)(end - start) : strlen(start);
    char *part = malloc(len + 1);
    ck_assert_ptr_nonnull(part);
    memcpy(part, start, len);
    part[len] = '\0';
    return part;
}

static cJSON *gate_at(cJSON *root, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(root, "gates"), i);
}

/* ---- page shape ---- */

START_TEST(test_shape)
{
    char *html = render_fixture();
    ck_assert_int_eq(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">\n", 33), 0);
    ck_assert_ptr_nonnull(strstr(html, "<head>\n<meta charset=\"utf-8\" />\n"));
    ck_assert_ptr_nonnull(strstr(html, "@media print"));
    ck_assert_ptr_nonnull(strstr(html, "break-inside:avoid"));
    ck_assert_str_eq(html + strlen(html) - 8, "</html>\n");
    /* One chart per gate, a bar plot per result (3 + 3 + 1), plus the candidate-vs-incumbent
     * panel. */
    ck_assert_uint_eq(count(html, "<svg"), 8);
    ck_assert_uint_eq(count(html, "class=\"gate-chart\""), 3);
    ck_assert_uint_eq(count(html, "class=\"bars\""), 7);
    ck_assert_uint_eq(count(html, "class=\"panel-chart\""), 1);
    ck_assert_uint_eq(count(html, "</svg>"), 8);
    ck_assert_uint_eq(count(html, "<section class=\"gate\""), 3);
    /* Every gate's section holds one chart with a row (and a bar plot) per result. */
    static const size_t results[] = {3, 3, 1};
    for (int i = 1; i <= 3; i++) {
        char from[32], to[32];
        snprintf(from, sizeof from, "id=\"gate-%d\"", i);
        snprintf(to, sizeof to, "id=\"gate-%d\"", i + 1);
        char *section = between(html, from, i < 3 ? to : "<h2>Overrides");
        ck_assert_uint_eq(count(section, "class=\"gate-chart\""), 1);
        ck_assert_uint_eq(count(section, "<details class=\"group "), results[i - 1]);
        ck_assert_uint_eq(count(section, "<svg"), results[i - 1]);
        free(section);
    }
    ck_assert_ptr_nonnull(strstr(html, "\xe2\x9c\x97 FAIL</div>")); /* the verdict, big */
    ck_assert_ptr_nonnull(strstr(html, "<header class=\"verdict fail\">"));
    ck_assert_ptr_nonnull(strstr(html, "2 of 3 gates failed"));
    ck_assert_ptr_nonnull(strstr(html, "2025-01-02T03:04:05Z"));
    ck_assert_ptr_nonnull(
        strstr(html, "0000000000000000000000000000000000000000000000000000000000000000"));
    ck_assert_ptr_nonnull(strstr(html, "Every group&#39;s rates"));
    free(html);
}
END_TEST

START_TEST(test_self_contained)
{
    char *html = render_fixture();
    ck_assert_ptr_null(strcasestr(html, "<script"));
    ck_assert_ptr_null(strcasestr(html, "javascript:"));
    /* Every tag is one the renderer writes: nothing from the audit became markup. */
    static const char *const tags[] = {
        "!DOCTYPE", "html", "head", "meta", "title", "style",   "body",    "main",
        "header",   "div",  "h1",   "h2",   "p",     "table",   "tr",      "th",
        "td",       "b",    "code", "span", "a",     "section", "figure",  "svg",
        "g",        "rect", "line", "text", "tspan", "footer",  "details", "summary",
    };
    for (const char *p = strchr(html, '<'); p != NULL; p = strchr(p + 1, '<')) {
        const char *name = p[1] == '/' ? p + 2 : p + 1;
        size_t len = strcspn(name, " >/\n");
        bool known = false;
        for (size_t i = 0; i < N_OF(tags) && !known; i++)
            known = strlen(tags[i]) == len && strncmp(name, tags[i], len) == 0;
        ck_assert_msg(known, "unexpected tag: %.40s", p);
    }
    /* Entities are XML's too (the page is polyglot: xmllint --noout parses it). */
    for (const char *p = strchr(html, '&'); p != NULL; p = strchr(p + 1, '&')) {
        bool xml = strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 ||
                   strncmp(p, "&gt;", 4) == 0 || strncmp(p, "&quot;", 6) == 0 ||
                   (p[1] == '#' && p[2 + strspn(p + 2, "0123456789")] == ';');
        ck_assert_msg(xml, "not an XML entity: %.12s", p);
    }
    ck_assert_ptr_null(strcasestr(html, "url("));
    ck_assert_ptr_null(strcasestr(html, "@import"));
    ck_assert_ptr_null(strstr(html, "https://"));
    /* The only http:// is the SVG namespace name, once per <svg>. */
    const char *ns = "xmlns=\"http://www.w3.org/2000/svg\"";
    ck_assert_uint_eq(count(html, "http://"), count(html, "<svg"));
    ck_assert_uint_eq(count(html, ns), count(html, "<svg"));
    /* Every href is an anchor on the page. */
    for (const char *p = strstr(html, "href=\""); p != NULL; p = strstr(p + 6, "href=\""))
        ck_assert_msg(p[6] == '#', "a link leaves the page: %.40s", p);
    ck_assert_ptr_nonnull(strstr(html, "Content-Security-Policy\" content=\"default-src 'none'"));
    free(html);
}
END_TEST

/* ---- escaping ---- */

static const char *const escaped[] = {
    "grp=&lt;script&gt;alert(1)&lt;/script&gt;",
    "grp=&quot;&amp;&#39;",
    "hostile &lt;b&gt;policy&lt;/b&gt; &amp; co",
    "adverse impact &lt;i&gt;tags&lt;/i&gt; &amp; &quot;quotes&quot;",
    "&lt;img src=x onerror=alert(2)&gt;",
    "eo &lt;odds&gt;",
    "policies/h&#39;q&quot;.yaml",
    "data/&lt;c&gt;.csv",
};

static const char *const raw[] = {
    "<script>", "alert(1)</script>", "<b>policy", "<i>tags", "<img",
    "<odds>",   "grp=\"&'",          "h'q\"",     "<c>",
};

START_TEST(test_escaping)
{
    char *html = render_fixture();
    for (size_t i = 0; i < N_OF(escaped); i++)
        ck_assert_msg(strstr(html, escaped[i]) != NULL, "no escaped '%s'", escaped[i]);
    for (size_t i = 0; i < N_OF(raw); i++)
        ck_assert_msg(strstr(html, raw[i]) == NULL, "raw '%s' in the page", raw[i]);
    /* The hostile label is escaped in every place it shows: a row per gate (2), the
     * overview (2), the panel (2), the rates table (1). */
    ck_assert_uint_ge(count(html, "grp=&lt;script&gt;alert(1)&lt;/script&gt;"), 7);
    ck_assert_uint_eq(
        count(html, "<span class=\"glabel\">grp=&lt;script&gt;alert(1)&lt;/script&gt;"), 2);
    free(html);
}
END_TEST

static void edit_control_chars(cJSON *root)
{
    cJSON *policy = cJSON_GetObjectItem(root, "policy");
    cJSON_ReplaceItemInObject(policy, "name",
                              cJSON_CreateString("a\x01"
                                                 "b\x1b[31mc\x7f"));
}

START_TEST(test_control_characters)
{
    char *html = render_edited(edit_control_chars);
    ck_assert_ptr_nonnull(strstr(html, "a\xef\xbf\xbd"
                                       "b\xef\xbf\xbd[31mc\xef\xbf\xbd"));
    ck_assert_ptr_null(strchr(html, '\x01'));
    ck_assert_ptr_null(strchr(html, '\x1b'));
    ck_assert_ptr_null(strchr(html, '\x7f'));
    free(html);
}
END_TEST

static void edit_long_label(cJSON *root)
{
    cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(gate_at(root, 0), "results"), 1);
    cJSON_ReplaceItemInObject(
        res, "label",
        cJSON_CreateString("region=\xc3\x85land & occupation=very-long-occupation-name"));
}

START_TEST(test_long_label)
{
    char *html = render_edited(edit_long_label);
    char *chart = between(html, "id=\"gate-1\"", "id=\"gate-2\"");
    /* Whole, in a label cell that wraps rather than cuts (test_report_html.sh measures it). */
    ck_assert_ptr_nonnull(strstr(chart, "<span class=\"glabel\">region=\xc3\x85land &amp; "
                                        "occupation=very-long-occupation-name</span>"));
    ck_assert_ptr_null(strstr(chart, "\xe2\x80\xa6")); /* no ellipsis */
    ck_assert_ptr_nonnull(strstr(html, ".glabel{font-weight:600;overflow-wrap:anywhere;"));
    free(chart);
    free(html);
}
END_TEST

/* ---- charts ---- */

START_TEST(test_bound_lines)
{
    char *html = render_fixture();
    /* four-fifths: min 0.8 on [0, 1] -> x 800 in every row, labelled above at 80 %. */
    char *chart = between(html, "id=\"gate-1\"", "id=\"gate-2\"");
    ck_assert_uint_eq(
        count(chart, "<line class=\"bound\" x1=\"800.0\" y1=\"0.0\" x2=\"800.0\" y2=\"100.0\"/>"),
        3);
    ck_assert_uint_eq(count(chart, "<line class=\"bound\""), 3);
    ck_assert_ptr_nonnull(strstr(chart, "<span class=\"bl\" style=\"left:80.0%\">min 0.8</span>"));
    /* The region below the minimum is shaded, from the axis to the line. */
    ck_assert_uint_eq(
        count(chart, "<rect class=\"band\" x=\"0.0\" y=\"0.0\" width=\"800.0\" height=\"100.0\"/>"),
        3);
    /* the axis ends on 1 */
    ck_assert_ptr_nonnull(strstr(chart, "<span class=\"tick\" style=\"left:100.0%\">1.0</span>"));
    free(chart);
    /* eo: max 0.1, values up to 0.24 -> axis [0, 0.25], x = 4000 * 0.1 = 400. */
    chart = between(html, "id=\"gate-2\"", "id=\"gate-3\"");
    ck_assert_ptr_nonnull(strstr(chart, "<line class=\"bound\" x1=\"400.0\""));
    ck_assert_ptr_nonnull(strstr(chart, ">max 0.1</span>"));
    ck_assert_ptr_nonnull(strstr(chart, ">0.25</span>"));
    ck_assert_ptr_null(strstr(chart, ">0.30</span>"));
    /* above the maximum is shaded */
    ck_assert_ptr_nonnull(
        strstr(chart, "<rect class=\"band\" x=\"400.0\" y=\"0.0\" width=\"600.0\""));
    free(chart);
    /* accuracy-floor: min 0.7 -> 700, and one pair of bars. */
    chart = between(html, "id=\"gate-3\"", "<h2>Overrides");
    ck_assert_ptr_nonnull(strstr(chart, "<line class=\"bound\" x1=\"700.0\""));
    ck_assert_uint_eq(count(chart, "<details class=\"group"), 1);
    ck_assert_ptr_nonnull(
        strstr(chart, "<rect class=\"c pass\" x=\"0.0\" y=\"20.0\" width=\"800.0\""));
    ck_assert_ptr_nonnull(strstr(chart, "<rect class=\"i\" x=\"0.0\" y=\"64.0\" width=\"770.0\""));
    free(chart);
    free(html);
}
END_TEST

START_TEST(test_failing_group_marked)
{
    char *html = render_fixture();
    char *chart = between(html, "id=\"gate-1\"", "id=\"gate-2\"");
    char *row = between(chart, "<details class=\"group fail\"", "</details>");
    /* Open, red (classes) and in words: the row, the bar, the value, the status, why. */
    ck_assert_ptr_nonnull(strstr(row, "id=\"gate-1-r0\" open=\"open\">"));
    ck_assert_ptr_nonnull(
        strstr(row, "<rect class=\"c fail\" x=\"0.0\" y=\"20.0\" width=\"500.0\""));
    ck_assert_ptr_nonnull(strstr(row, "<rect class=\"i\" x=\"0.0\" y=\"64.0\" width=\"900.0\""));
    ck_assert_ptr_nonnull(strstr(row, "<span class=\"cv fail\">0.5000</span>"));
    ck_assert_ptr_nonnull(strstr(row, "<span class=\"sub\">incumbent 0.9000 &#183; rate 0.6500"));
    ck_assert_ptr_nonnull(strstr(row, "<span class=\"gst status fail\">\xe2\x9c\x97 FAIL</span>"));
    ck_assert_ptr_nonnull(strstr(row, "0.5000 is below the minimum 0.8"));
    ck_assert_ptr_nonnull(strstr(row, "min&#160;0.8"));
    /* each group's own rate beside its disparity */
    ck_assert_ptr_nonnull(strstr(row, "<span class=\"sub\">rate 0.4000</span>"));
    free(row);
    ck_assert_uint_eq(count(chart, "<details class=\"group fail\""), 1);
    /* a group that passed is collapsed */
    ck_assert_uint_eq(count(chart, "<details class=\"group pass\" id=\"gate-1-r1\">"), 1);
    ck_assert_ptr_nonnull(strstr(html, "details.group.fail>summary{background:var(--fail-bg)}"));
    free(chart);
    /* The overview and the panel mark it too. */
    ck_assert_ptr_nonnull(
        strstr(html, "grp=&lt;script&gt;alert(1)&lt;/script&gt;: <span class=\"mono\">0.5000"));
    ck_assert_ptr_nonnull(strstr(html, "\xe2\x96\xbc candidate worse</text>"));
    free(html);
}
END_TEST

START_TEST(test_insufficient_group)
{
    char *html = render_fixture();
    char *chart = between(html, "id=\"gate-1\"", "id=\"gate-2\"");
    char *row = between(chart, "<details class=\"group insufficient\"", "</details>");
    ck_assert_ptr_nonnull(strstr(row, "? insufficient data &#183; n=12</span>"));
    ck_assert_ptr_nonnull(strstr(row, "<span class=\"cv insufficient\">n/a</span>"));
    ck_assert_ptr_nonnull(strstr(row, "incumbent n/a")); /* candidate and incumbent */
    ck_assert_ptr_null(strstr(row, "<rect class=\"c"));  /* null: no bar */
    ck_assert_ptr_null(strstr(row, "<rect class=\"i"));
    free(row);
    free(chart);
    /* The insufficient group of the second gate shows its n too. */
    char *eo = between(html, "id=\"gate-2\"", "id=\"gate-3\"");
    ck_assert_ptr_nonnull(strstr(eo, "n=0</span>"));
    free(eo);
    free(html);
}
END_TEST

static void edit_worsening(cJSON *root)
{
    /* four-fifths becomes a vs_incumbent gate: candidate 0.5, incumbent 0.9 -> the
     * candidate may be 0.1 + 0.02 from parity: a floor at 0.88, x = 1000 * 0.88. */
    cJSON *gate = gate_at(root, 0), *res;
    cJSON *bound = cJSON_CreateObject();
    cJSON_AddNumberToObject(bound, "max_worsening", 0.02);
    cJSON_ReplaceItemInObject(gate, "bound", bound);
    cJSON_ArrayForEach(res, cJSON_GetObjectItem(gate, "results"))
    {
        cJSON_ReplaceItemInObject(res, "bound", cJSON_Duplicate(bound, 1));
    }
    /* gate.c writes where the limit falls; the report only draws it. */
    cJSON_AddNumberToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(gate, "results"), 0),
                            "worsening_limit", 0.88);
}

START_TEST(test_worsening_limit)
{
    char *html = render_edited(edit_worsening);
    char *chart = between(html, "id=\"gate-1\"", "id=\"gate-2\"");
    ck_assert_ptr_nonnull(
        strstr(chart, "<line class=\"limit\" x1=\"880.0\" y1=\"8.0\" x2=\"880.0\" y2=\"92.0\"/>"));
    ck_assert_ptr_nonnull(strstr(chart, "limit: incumbent + max_worsening "));
    ck_assert_ptr_null(strstr(chart, "class=\"bound\""));
    ck_assert_ptr_nonnull(strstr(chart, "<tr><th>worsening</th>"));
    ck_assert_ptr_nonnull(strstr(chart, "max_worsening&#160;0.02"));
    free(chart);
    free(html);
}
END_TEST

/* ---- intervals and score curves ---- */

/* Intervals as fairgate writes them: the first result's value [0.4, 0.6], its group's
 * selection rate [0.35, 0.45] for both models. */
static void edit_intervals(cJSON *root)
{
    cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(gate_at(root, 0), "results"), 0);
    cJSON_AddItemToObject(res, "ci", cJSON_Parse("[0.4, 0.6]"));
    cJSON *group = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "groups"), 1);
    cJSON_AddItemToObject(cJSON_GetObjectItem(group, "candidate"), "selection_rate_ci",
                          cJSON_Parse("[0.35, 0.45]"));
    cJSON_AddItemToObject(cJSON_GetObjectItem(group, "incumbent"), "selection_rate_ci",
                          cJSON_Parse("[0.6, 0.7]"));
}

START_TEST(test_intervals)
{
    char *html = render_edited(edit_intervals);
    char *row = between(html, "id=\"gate-1-r0\"", "</details>");
    /* a whisker from 0.4 to 0.6 across the candidate's bar, with end caps */
    ck_assert_ptr_nonnull(
        strstr(row, "<g class=\"whisker\"><line class=\"w\" x1=\"400.0\" y1=\"39.0\" "
                    "x2=\"600.0\" y2=\"39.0\"/>\n<line class=\"w\" x1=\"400.0\" y1=\"29.0\""));
    ck_assert_ptr_nonnull(strstr(row, "<line class=\"w\" x1=\"600.0\" y1=\"29.0\""));
    ck_assert_ptr_nonnull(strstr(row, "0.5000</span> <span class=\"ci\">[0.4000, 0.6000]</span>"));
    /* the group's own rate with its interval */
    ck_assert_ptr_nonnull(
        strstr(row, "<span class=\"sub\">rate 0.4000 <span class=\"ci\">[0.3500, 0.4500]</span>"));
    free(row);
    /* Every group's rates: intervals as text, never "undefined" (they were arrays). */
    char *rates = between(html, "<table class=\"rates\">", "</table>");
    ck_assert_ptr_nonnull(
        strstr(rates, "<span class=\"sub\"> <span class=\"ci\">[0.3500, 0.4500]"));
    ck_assert_ptr_nonnull(strstr(rates, "<span class=\"ci\">[0.6000, 0.7000]"));
    ck_assert_ptr_null(strstr(rates, "undefined"));
    ck_assert_ptr_null(strstr(rates, "_ci"));                 /* no interval column of its own */
    ck_assert_uint_eq(count(rates, "<th class=\"num\">"), 8); /* n and 7 rates */
    free(rates);
    ck_assert_ptr_nonnull(strstr(html, "<div class=\"scroll\">\n<table class=\"rates\">"));
    free(html);
}
END_TEST

/* The first gate becomes an auc gate whose failing group has curves in the audit. */
static void edit_score_gate(cJSON *root)
{
    cJSON_ReplaceItemInObject(gate_at(root, 0), "metric", cJSON_CreateString("auc"));
    cJSON *cand = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "groups"), 1),
                                      "candidate");
    cJSON_AddItemToObject(cand, "calibration",
                          cJSON_Parse("{\"bins\": 2, \"low\": [0, 0.5], \"high\": [0.5, 1], "
                                      "\"n\": [3, 4], \"mean_score\": [0.25, 0.75], "
                                      "\"observed\": [0.2, 0.8]}"));
    cJSON_AddItemToObject(cand, "roc",
                          cJSON_Parse("{\"fpr\": [0, 0.5, 1], \"tpr\": [0, 0.75, 1], "
                                      "\"threshold\": [null, 0.5, 0.1]}"));
    /* another group whose ROC is null (one class only) */
    cJSON *other = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "groups"), 2),
                                       "candidate");
    cJSON_AddItemToObject(other, "calibration", cJSON_CreateNull());
    cJSON_AddItemToObject(other, "roc", cJSON_CreateNull());
}

START_TEST(test_score_curves)
{
    char *html = render_edited(edit_score_gate);
    /* x = 44 + 212 v, y = 10 + 212 (1 - v) */
    char *roc = between(html,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"roc\" "
                        "id=\"gate-1-r0-roc\"",
                        "</svg>");
    ck_assert_ptr_nonnull(strstr(roc, "<title id=\"gate-1-r0-roc-t\">ROC curve of "
                                      "grp=&lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(roc, "<polyline class=\"curve c roc-line\" points=\"44.0,222.0 "
                                      "150.0,63.0 256.0,10.0\" data-points=\"3\"/>"));
    ck_assert_uint_eq(count(roc, "<line class=\"diagonal\""), 1);
    free(roc);
    char *rel = between(html, "class=\"reliability\" id=\"gate-1-r0-reliability\"", "</svg>");
    ck_assert_ptr_nonnull(strstr(rel, "points=\"97.0,179.6 203.0,52.4\" data-points=\"2\"/>"));
    ck_assert_uint_eq(count(rel, "<circle class=\"curve c rel-line\""), 2);
    free(rel);
    /* null curves say why; a group without the keys (the insufficient one) draws none */
    char *other = between(html, "id=\"gate-1-r1\"", "</details>");
    ck_assert_ptr_nonnull(strstr(other, ">no ROC curve: one class only</text>"));
    ck_assert_ptr_nonnull(strstr(other, ">no bins: a score outside [0, 1]</text>"));
    free(other);
    char *tiny = between(html, "id=\"gate-1-r2\"", "</details>");
    ck_assert_ptr_null(strstr(tiny, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"roc\""));
    free(tiny);
    /* not on a gate of another metric */
    char *eo = between(html, "id=\"gate-2\"", "id=\"gate-3\"");
    ck_assert_ptr_null(strstr(eo, "class=\"roc\""));
    free(eo);
    free(html);
}
END_TEST

/* ---- variants ---- */

static void edit_no_incumbent(cJSON *root)
{
    cJSON *item, *gate, *res;
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(root, "inputs"), "incumbent", cJSON_CreateNull());
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(root, "groups"))
    {
        cJSON_ReplaceItemInObject(item, "incumbent", cJSON_CreateNull());
    }
    cJSON_ArrayForEach(gate, cJSON_GetObjectItem(root, "gates"))
    {
        cJSON_ArrayForEach(res, cJSON_GetObjectItem(gate, "results"))
        {
            cJSON_ReplaceItemInObject(res, "incumbent", cJSON_CreateNull());
        }
    }
}

START_TEST(test_no_incumbent)
{
    char *html = render_edited(edit_no_incumbent);
    ck_assert_ptr_nonnull(strstr(html, "Candidate at a glance"));
    ck_assert_ptr_nonnull(strstr(html, "<th>incumbent</th><td><span class=\"muted\">none given"));
    ck_assert_ptr_null(strstr(html, "<rect class=\"i\""));
    ck_assert_ptr_null(strstr(html, ">incumbent</text>"));
    ck_assert_ptr_null(strstr(html, "<span class=\"sub\">incumbent "));
    ck_assert_ptr_null(strstr(html, "<span class=\"sw i\">"));
    ck_assert_ptr_nonnull(strstr(html, ">no incumbent</text>"));
    ck_assert_uint_eq(count(html, "<svg"), 8);
    free(html);
}
END_TEST

static void edit_override_verdict(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "verdict", cJSON_CreateString("pass_with_override"));
    cJSON_ReplaceItemInObject(gate_at(root, 0), "status", cJSON_CreateString("overridden"));
    cJSON_ReplaceItemInObject(gate_at(root, 1), "status", cJSON_CreateString("overridden"));
    cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "overrides"), 0);
    cJSON_ReplaceItemInObject(o, "status", cJSON_CreateString("applied"));
}

START_TEST(test_pass_with_override)
{
    char *html = render_edited(edit_override_verdict);
    ck_assert_ptr_nonnull(strstr(html, "<header class=\"verdict overridden\">"));
    ck_assert_ptr_nonnull(strstr(html, "PASS WITH OVERRIDE</div>"));
    ck_assert_ptr_nonnull(strstr(html, "2 of 3 gates passed only with an override"));
    ck_assert_ptr_nonnull(strstr(html, "\xe2\x9c\x93 applied"));
    ck_assert_ptr_nonnull(strstr(html, "<title>fairgate pass with override: "));
    free(html);
}
END_TEST

static void edit_no_gates(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "gates", cJSON_CreateArray());
    cJSON_ReplaceItemInObject(root, "overrides", cJSON_CreateArray());
}

START_TEST(test_no_gates)
{
    char *html = render_edited(edit_no_gates);
    ck_assert_uint_eq(count(html, "<svg"), 1); /* the panel: overall accuracy alone */
    ck_assert_ptr_nonnull(strstr(html, "No override was offered."));
    free(html);
}
END_TEST

static void edit_no_groups(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "groups", cJSON_CreateArray());
}

START_TEST(test_no_groups)
{
    /* Not what fairgate writes (groups[0] is the whole population), but readable. */
    char *html = render_edited(edit_no_groups);
    ck_assert_ptr_nonnull(strstr(html, "The audit lists no groups."));
    ck_assert_ptr_null(strstr(html, "<table class=\"rates\">"));
    ck_assert_uint_eq(count(html, "<svg"), 8);
    free(html);
}
END_TEST

START_TEST(test_deterministic)
{
    /* The same audit, formatted differently, gives the same bytes. */
    char *text = read_fixture("html-hostile.json");
    cJSON *root = cJSON_Parse(text);
    char *compact = cJSON_PrintUnformatted(root);
    char *a = render(text), *b = render(text), *c = render(compact);
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a, c);
    free(a);
    free(b);
    free(c);
    free(compact);
    cJSON_Delete(root);
    free(text);
}
END_TEST

/* ---- not an audit ---- */

/* Each input is an audit but for the one defect named, which must be refused with a
 * message naming it. The check is the one all renderers share (fg_report_parse_audit), so
 * the messages are its wording ("has no", "is not"). */
#define AUDIT_HEAD "{\"schema\": \"fairgate.audit/v1\", \"verdict\": \"fail\", "
#define POLICY     "\"policy\": {\"name\": \"p\"}, "
#define GATE_HEAD  "\"gates\": [{\"id\": \"g\", \"metric\": \"tpr\", \"status\": \"fail\""

static const struct {
    const char *text;
    const char *message; /* a part of the error message */
} bad_inputs[] = {
    {"", "not JSON"},
    {"not json", "not JSON"},
    {"{\"schema\": \"fairgate.audit/v1\",", "not JSON"},
    {"{} trailing", "not JSON"},
    {"[]", "top level is not an object"},
    {"{}", "\"schema\" is not"},
    {"{\"schema\": \"fairgate.audit/v2\"}", "\"schema\" is not"},
    {AUDIT_HEAD POLICY "\"groups\": [{}]}", "\"gates\" is not an array"},
    {AUDIT_HEAD POLICY "\"groups\": {}, \"gates\": []}", "\"groups\" is not an array"},
    {AUDIT_HEAD POLICY "\"gates\": []}", "\"groups\" is not an array"},
    {"{\"schema\": \"fairgate.audit/v1\", " POLICY "\"groups\": [{}], \"gates\": []}",
     "\"verdict\" is not"},
    {AUDIT_HEAD "\"groups\": [{}], \"gates\": []}", "\"policy\" has no \"name\""},
    {AUDIT_HEAD POLICY "\"groups\": [{}], " GATE_HEAD "}]}", "gates[0].results is not an array"},
    {AUDIT_HEAD POLICY "\"groups\": [{}], " GATE_HEAD ", \"results\": {}}]}",
     "gates[0].results is not an array"},
    {AUDIT_HEAD POLICY "\"groups\": [{}], \"gates\": [{\"metric\": \"tpr\", \"status\": \"fail\", "
                       "\"results\": []}]}",
     "gates[0] has no \"id\""},
    {AUDIT_HEAD POLICY "\"groups\": [{}], " GATE_HEAD ", \"results\": [{\"status\": \"fail\"}]}]}",
     "gates[0].results[0] has no \"label\""},
    {"{\"schema\": \"fairgate.audit/v1\", \"verdict\": \"\xff\"}", "UTF-8"},
};

START_TEST(test_not_an_audit)
{
    char *html = (char *)"untouched";
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_html(bad_inputs[_i].text, &html, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(html);
    ck_assert_int_eq(err.code, FG_ERR_INPUT);
    ck_assert_msg(strstr(err.message, bad_inputs[_i].message) != NULL, "vector %d: '%s'", _i,
                  err.message);
}
END_TEST

START_TEST(test_bad_inputs_control)
{
    /* The pieces of bad_inputs make an audit when none is missing. */
    char *html =
        render(AUDIT_HEAD POLICY "\"groups\": [{}], " GATE_HEAD
                                 ", \"results\": [{\"label\": \"a\", \"status\": \"fail\"}]}]}");
    ck_assert_ptr_nonnull(strstr(html, "</html>"));
    free(html);
}
END_TEST

START_TEST(test_parse_error_place)
{
    /* The place in err.line and err.column, as every renderer reports it; the message
     * says what is wrong without repeating it. */
    char *html = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_html("{\n  \"schema\": x\n}", &html, &err), FG_ERR_INPUT);
    ck_assert_uint_eq(err.line, 2);
    ck_assert_uint_eq(err.column, 13);
    ck_assert_ptr_nonnull(strstr(err.message, "the audit is not JSON"));
    ck_assert_ptr_null(strstr(err.message, "line"));
}
END_TEST

START_TEST(test_truncated_fixture)
{
    char *text = read_fixture("html-hostile.json");
    text[strlen(text) / 2] = '\0';
    char *html = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_html(text, &html, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(html);
    free(text);
}
END_TEST

START_TEST(test_size_cap)
{
    /* A policy name of 6 MiB of '&' is 30 MiB escaped, and is shown three times. */
    char *text = read_fixture("html-hostile.json");
    cJSON *root = cJSON_Parse(text);
    free(text);
    size_t size = 6u << 20;
    char *name = malloc(size + 1);
    ck_assert_ptr_nonnull(name);
    memset(name, '&', size);
    name[size] = '\0';
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(root, "policy"), "name",
                              cJSON_CreateString(name));
    free(name);
    char *audit = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    char *html = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_html(audit, &html, &err), FG_ERR_LIMIT);
    ck_assert_ptr_null(html);
    ck_assert_ptr_nonnull(strstr(err.message, "would pass"));
    free(audit);
}
END_TEST

START_TEST(test_usage)
{
    char *html = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_html(NULL, &html, &err), FG_ERR_USAGE);
    ck_assert_int_eq(fg_report_html("{}", NULL, &err), FG_ERR_USAGE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report_html");
    TCase *tc = tcase_create("page");
    tcase_add_test(tc, test_shape);
    tcase_add_test(tc, test_self_contained);
    tcase_add_test(tc, test_escaping);
    tcase_add_test(tc, test_control_characters);
    tcase_add_test(tc, test_long_label);
    tcase_add_test(tc, test_deterministic);
    suite_add_tcase(s, tc);
    tc = tcase_create("charts");
    tcase_add_test(tc, test_bound_lines);
    tcase_add_test(tc, test_failing_group_marked);
    tcase_add_test(tc, test_insufficient_group);
    tcase_add_test(tc, test_worsening_limit);
    tcase_add_test(tc, test_intervals);
    tcase_add_test(tc, test_score_curves);
    tcase_add_test(tc, test_no_incumbent);
    tcase_add_test(tc, test_pass_with_override);
    tcase_add_test(tc, test_no_gates);
    tcase_add_test(tc, test_no_groups);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_loop_test(tc, test_not_an_audit, 0, (int)N_OF(bad_inputs));
    tcase_add_test(tc, test_bad_inputs_control);
    tcase_add_test(tc, test_parse_error_place);
    tcase_add_test(tc, test_truncated_fixture);
    tcase_add_test(tc, test_size_cap);
    tcase_add_test(tc, test_usage);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
