/*
 * report_summary.c - the console summary `fairgate check` prints, rendered from the audit
 * JSON (DESIGN section 5) like the Markdown, HTML and JUnit reports: one line per gate with
 * its worst result as gate.c chose it (`worst_result`), the score trade-offs, the
 * overrides, then the verdict. An advisory gate (enforce: warn) has a '*' after its status,
 * which a footnote explains; the verdict line counts its failure apart
 * (`verdict_summary`).
 *
 * Invariants:
 *  - Nothing here decides: the worst result, its limit and every status come from the
 *    audit. A gate that names no worst result says why instead of picking one.
 *  - Only end_line puts a '\n' in the text: every piece quoted from the data or the policy
 *    (group values, gate ids, reasons) has its control bytes escaped (\n, \r, \t, \xNN), so
 *    no line of fairgate's stdout can start with a GitHub workflow command taken from them.
 *
 * Ownership: the caller frees *out; the parsed audit is freed here.
 */
#include "buf.h"
#include "fairgate.h"
#include "report.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* ---- escaped text ---- */

/* Every text is appended escaped (fg_buf_add_escaped); end_line is the one line break. */

/* Ends a line: the one way a '\n' enters the summary. */
static void end_line(struct fg_buf *t)
{
    fg_buf_puts(t, "\n");
}

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

static size_t array_size(const cJSON *a)
{
    return cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
}

/* ---- one gate ---- */

/* "label: metric[component] ratio v (group vs reference for label)", or the overall
 * value, then why it has its status or the limits it was held to. */
static void summarize_result(struct fg_buf *t, const cJSON *gate, const cJSON *res)
{
    char v[32], gv[32], rv[32];
    const char *metric = or_empty(fg_report_str(gate, "metric"));
    const char *component = fg_report_str(res, "component");
    const char *label = or_empty(fg_report_str(res, "label"));
    const char *why = fg_report_str(res, "why");
    double value = 0.0, number = 0.0;
    enum fg_report_value_kind kind = fg_report_side_value(gate, res, res, true, &value);
    if (kind == FG_REPORT_VALUE_UNDEFINED) {
        fg_buf_add_escaped(t, "%s: %s", label, or_empty(why));
        return;
    }
    fg_format_number(v, sizeof v, true, kind == FG_REPORT_VALUE_INFINITE ? INFINITY : value);
    if (fg_report_is(fg_report_str(gate, "scope"), "overall")) {
        fg_buf_add_escaped(t, "overall %s %s", metric, v);
    } else {
        const cJSON *ref = fg_report_member(res, "reference");
        bool defined = fg_report_num(res, "group_value", &number);
        fg_format_number(gv, sizeof gv, defined, defined ? number : 0.0);
        defined = fg_report_num(ref, "value", &number);
        fg_format_number(rv, sizeof rv, defined, defined ? number : 0.0);
        const char *ref_label = fg_report_str(ref, "label");
        fg_buf_add_escaped(t, "%s: %s%s%s%s %s %s (%s vs %s for %s)", label, metric,
                           component ? "[" : "", or_empty(component), component ? "]" : "",
                           or_empty(fg_report_str(gate, "disparity")), v, gv, rv,
                           ref_label ? ref_label : "?");
    }
    if (why != NULL && why[0] != '\0') {
        fg_buf_add_escaped(t, " - %s", why);
        return;
    }
    const cJSON *bound = fg_report_member(gate, "bound");
    double limit, worsening;
    if (fg_report_num(bound, "min", &limit))
        fg_buf_add_escaped(t, ", min %g", limit);
    if (fg_report_num(bound, "max", &limit))
        fg_buf_add_escaped(t, ", max %g", limit);
    if (fg_report_num(res, "worsening", &worsening) &&
        fg_report_num(bound, "max_worsening", &limit))
        fg_buf_add_escaped(t, ", %+.4f vs incumbent (max_worsening %g)", worsening, limit);
}

/* The audit's worst result of a gate, or NULL when gate.c named none. */
static const cJSON *worst_of(const cJSON *gate)
{
    double index;
    if (!fg_report_num(gate, "worst_result", &index) || index < 0)
        return NULL;
    return cJSON_GetArrayItem(fg_report_member(gate, "results"), (int)index);
}

/* A gate without a worst result: no groups, no group worse than the incumbent (every
 * result was held to a limit and none counted), or the first result's reason. */
static void summarize_no_worst(struct fg_buf *t, const cJSON *gate)
{
    const cJSON *results = fg_report_member(gate, "results");
    if (array_size(results) == 0) {
        fg_buf_add_escaped(t, "no groups");
        return;
    }
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        if (cJSON_IsObject(fg_report_member(r, "limit"))) {
            fg_buf_add_escaped(t, "no group got worse than the incumbent");
            return;
        }
    summarize_result(t, gate, results->child);
}

/* The audit group whose label is label. */
static const cJSON *group_named(const cJSON *audit, const char *label)
{
    const cJSON *groups = fg_report_member(audit, "groups");
    for (const cJSON *g = groups ? groups->child : NULL; g != NULL; g = g->next)
        if (fg_report_is(fg_report_str(g, "label"), label))
            return g;
    return NULL;
}

/* Score metrics against an incumbent: the overall change, then the groups whose own value
 * got worse, in the audit's `change.worse_groups` order of `change.worst_first`. */
static void summarize_tradeoff(struct fg_buf *t, const cJSON *audit, const cJSON *gate)
{
    const cJSON *change = fg_report_member(gate, "change");
    const char *metric = or_empty(fg_report_str(gate, "metric"));
    const cJSON *overall = fg_report_member(audit, "groups");
    overall = overall ? overall->child : NULL;
    double c0, i0, delta;
    if (change == NULL || !fg_report_num(change, "overall", &delta) ||
        !fg_report_num(fg_report_member(overall, "candidate"), metric, &c0) ||
        !fg_report_num(fg_report_member(overall, "incumbent"), metric, &i0))
        return;
    fg_buf_add_escaped(t, "      %s overall %.4f -> %.4f (%+.4f)", metric, i0, c0, c0 - i0);
    const cJSON *worse = fg_report_member(change, "worse_groups");
    const cJSON *order = fg_report_member(change, "worst_first");
    size_t n_worse = array_size(worse), n_shown = 0;
    for (const cJSON *k = order ? order->child : NULL; k != NULL && n_shown < 3; k = k->next) {
        const cJSON *w = cJSON_IsNumber(k) ? cJSON_GetArrayItem(worse, k->valueint) : NULL;
        const char *label = fg_report_str(w, "label");
        const cJSON *g = group_named(audit, label);
        double c, i;
        if (w == NULL || !fg_report_num(fg_report_member(g, "candidate"), metric, &c) ||
            !fg_report_num(fg_report_member(g, "incumbent"), metric, &i))
            continue;
        fg_buf_add_escaped(t, "%s %s %.4f -> %.4f (%+.4f)", n_shown ? "," : "; worse for", label, i,
                           c, c - i);
        n_shown++;
    }
    if (n_worse > n_shown)
        fg_buf_add_escaped(t, " and %zu more", n_worse - n_shown);
    if (n_worse == 0)
        fg_buf_add_escaped(t, "; no group got worse");
    end_line(t);
}

static void summarize_gate(struct fg_buf *t, const cJSON *audit, const cJSON *gate, size_t width)
{
    char status[24];
    const char *name = or_empty(fg_report_str(gate, "status"));
    size_t k = 0;
    for (; name[k] != '\0' && k + 2 < sizeof status; k++)
        status[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 'a' + 'A' : name[k]);
    if (fg_report_advisory(gate)) /* the footnote under the gates says what '*' means */
        status[k++] = '*';
    status[k] = '\0';
    fg_buf_add_escaped(t, "%-5s %-*s  ", status, (int)width, or_empty(fg_report_str(gate, "id")));
    const cJSON *worst = worst_of(gate);
    if (worst != NULL)
        summarize_result(t, gate, worst);
    else
        summarize_no_worst(t, gate);
    const cJSON *results = fg_report_member(gate, "results");
    size_t fails = 0, small = 0;
    const cJSON *first_small = NULL;
    for (const cJSON *r = results ? results->child : NULL; r != NULL; r = r->next) {
        const char *st = fg_report_str(r, "status");
        fails += fg_report_is(st, "fail");
        if (fg_report_is(st, "insufficient_data")) {
            small++;
            if (first_small == NULL)
                first_small = r;
        }
    }
    if (fails > 1)
        fg_buf_add_escaped(t, "; %zu of %zu results fail", fails, array_size(results));
    if (small > 0 && first_small != worst && !(worst == NULL && first_small == results->child))
        fg_buf_add_escaped(t, "; %zu with insufficient data (%s: %s)", small,
                           or_empty(fg_report_str(first_small, "label")),
                           or_empty(fg_report_str(first_small, "why")));
    if (small > 0 && fails == 0 && fg_report_is(name, "fail"))
        fg_buf_add_escaped(t, "; fails because on_small_group is 'fail'");
    if (fg_report_str(gate, "note") != NULL)
        fg_buf_add_escaped(t, "; %s", fg_report_str(gate, "note"));
    end_line(t);
    summarize_tradeoff(t, audit, gate);
}

/* "verdict: FAIL (2 of 4 gates failed)", "verdict: PASS (1 advisory gate failed)", ... */
static void summarize_verdict(struct fg_buf *t, const cJSON *audit, size_t n_gates)
{
    size_t failed, advisory;
    fg_report_failures(audit, &failed, &advisory);
    const char *verdict = fg_report_str(audit, "verdict");
    if (fg_report_is(verdict, "fail"))
        fg_buf_add_escaped(t, "verdict: FAIL (%zu of %zu gates failed", failed, n_gates);
    else if (fg_report_is(verdict, "pass_with_override"))
        fg_buf_add_escaped(t, "verdict: PASS WITH OVERRIDE");
    else
        fg_buf_add_escaped(t, "verdict: PASS");
    if (advisory > 0)
        fg_buf_add_escaped(t, "%s%zu advisory gate%s failed%s",
                           fg_report_is(verdict, "fail") ? "; " : " (", advisory,
                           advisory == 1 ? "" : "s", fg_report_is(verdict, "fail") ? " too" : "");
    if (advisory > 0 || fg_report_is(verdict, "fail"))
        fg_buf_add_escaped(t, ")");
    end_line(t);
}

/* "; candidate.csv: 2 of 3 rows dropped ...": rows left out under missing: drop, which the
 * row count alone would hide. */
static void summarize_dropped(struct fg_buf *t, const cJSON *inputs)
{
    static const char *const roles[] = {"candidate", "incumbent"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *in = fg_report_member(inputs, roles[i]);
        double read = 0, dropped = 0;
        if (!fg_report_num(in, "rows_dropped", &dropped) || !isfinite(dropped) || dropped < 1 ||
            !fg_report_num(in, "rows", &read) || !isfinite(read))
            continue;
        fg_buf_add_escaped(t,
                           "; %s %s: %llu of %llu rows dropped for a missing value (missing: drop)",
                           roles[i], or_empty(fg_report_str(in, "path")),
                           (unsigned long long)dropped, (unsigned long long)read);
    }
}

/* ---- public ---- */

enum fg_status fg_report_summary(const char *audit_json, char **out, struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = fg_report_parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_REPORT, "the console summary");
    const cJSON *gates = fg_report_member(audit, "gates");
    size_t width = 0, n_gates = array_size(gates), advisory_gates = 0;
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        size_t len = strlen(or_empty(fg_report_str(g, "id")));
        width = len > width ? len : width;
        advisory_gates += fg_report_advisory(g);
    }
    const cJSON *overall = fg_report_member(audit, "groups");
    double rows = 0;
    fg_report_num(fg_report_member(overall ? overall->child : NULL, "candidate"), "n", &rows);
    unsigned long long judged = isfinite(rows) && rows > 0 ? (unsigned long long)rows : 0ULL;
    fg_buf_add_escaped(&t, "policy %s: %zu gate%s, %llu row%s",
                       or_empty(fg_report_str(fg_report_member(audit, "policy"), "name")), n_gates,
                       n_gates == 1 ? "" : "s", judged, judged == 1 ? "" : "s");
    summarize_dropped(&t, fg_report_member(audit, "inputs"));
    end_line(&t);
    for (const cJSON *g = gates->child; g != NULL; g = g->next)
        summarize_gate(&t, audit, g, width);
    if (advisory_gates > 0) {
        fg_buf_add_escaped(&t, "* advisory (enforce: warn): reported, never changes the exit code");
        end_line(&t);
    }
    const cJSON *overrides = fg_report_member(audit, "overrides");
    for (const cJSON *o = overrides ? overrides->child : NULL; o != NULL; o = o->next) {
        fg_buf_add_escaped(&t, "override %s: %s - %s", or_empty(fg_report_str(o, "path")),
                           fg_report_is(fg_report_str(o, "status"), "applied") ? "applied"
                                                                               : "REJECTED",
                           or_empty(fg_report_str(o, "why")));
        end_line(&t);
    }
    summarize_verdict(&t, audit, n_gates);
    cJSON_Delete(audit);
    return fg_buf_finish(&t, out, err);
}

/* The summary of an evaluation not yet rendered (the audit is rendered for it, with no
 * inputs: the summary shows none of them). */
char *fg_evaluation_summary(const struct fg_policy *policy, const struct fg_metrics *m,
                            const struct fg_evaluation *ev)
{
    const struct fg_audit_inputs inputs = {0};
    struct fg_error err;
    char *audit = NULL, *text = NULL;
    memset(&err, 0, sizeof err);
    if (fg_audit_render(policy, m, ev, &inputs, &audit, &err) == FG_OK &&
        fg_report_summary(audit, &text, &err) != FG_OK)
        text = NULL;
    free(audit);
    return text;
}
