/*
 * report_modelcard.c - the audit JSON (DESIGN section 5) -> a model card: the fairness
 * evaluation in Model Card Toolkit's JSON (schema v0.0.2) or a Hugging Face model card
 * fragment (YAML front matter with a `model-index`, then a "Fairness evaluation" section).
 *
 * Like every report it is rendered from the audit text alone (`report --audit` and
 * `report --attestation` give the same bytes), and it decides nothing: the verdict, each
 * gate's status and its worst result (`worst_result`) are the audit's.
 *
 * Model Card Toolkit (tensorflow/model-card-toolkit, model_card.schema.json v0.0.2; a copy
 * under tests/fixtures/model-card/):
 *  - quantitative_analysis.performance_metrics: one entry per result of every gate, `type`
 *    the gate's metric phrase ("selection_rate ratio"; "... (gate ID)" when two gates of the
 *    audit share a phrase), `slice` the group's label, `value` and the confidence interval's
 *    ends as strings (the schema's type): the shortest text that reads back as the audit's
 *    double, "Infinity" for an infinite ratio or interval end, "undefined" for no value.
 *    A gate against the incumbent adds a "... worsening" entry with its bootstrap interval.
 *  - model_details.name the policy's name; model_parameters.data the files judged;
 *    considerations.ethical_considerations one risk per failed or overridden gate (its worst
 *    result; the overrides offered for it as the mitigation); considerations.limitations the
 *    groups too small to judge.
 *  - Only keys the schema declares: MCT's ModelCard.from_json refuses any other.
 *
 * Hugging Face (huggingface/hub-docs modelcard.md, huggingface_hub EvalResult): one
 * model-index result (task tabular-classification, the candidate's file as the dataset)
 * with one metric per gate, its worst result's value; every string double-quoted with
 * YAML escapes, so nothing from the data ends the front matter or starts a key. The
 * section below it goes through the Markdown report's escaping (fg_report_md_escape).
 *
 * Ownership: the returned text is the caller's (free).
 */
#include "buf.h"
#include "fairgate.h"
#include "report.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define MCT_SCHEMA_VERSION "0.0.2"
#define HF_TASK            "tabular-classification"
#define NUMBER_TEXT        48
#define PHRASE_TEXT        200
#define SMALL_SHOWN        10 /* group labels named per gate in a limitation */

/* ---- what both cards read ---- */

/* The shortest of "%.15g".."%.17g" that reads back as v ("0.7302", not
 * "0.73019999999999996"); "Infinity" or "-Infinity"; never "-0". */
static void exact_number(char *buf, size_t size, double v)
{
    if (isinf(v)) {
        snprintf(buf, size, "%s", v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        fg_snprintf_c(buf, size, "%.*g", digits, v == 0 ? 0.0 : v);
        if (fg_strtod(buf, NULL) == v)
            break;
    }
}

/* The candidate's value in a result as the card writes it: exact, "Infinity", "undefined". */
static void result_value(char *buf, size_t size, const cJSON *gate, const cJSON *result)
{
    double v;
    enum fg_report_value_kind kind = fg_report_side_value(gate, result, result, true, &v);
    if (kind == FG_REPORT_VALUE_UNDEFINED)
        snprintf(buf, size, "undefined");
    else
        exact_number(buf, size, v);
}

/* The result gate.c named worst (`worst_result`); else the first result, which says why
 * there is none (md_gate_row does the same); NULL for a gate without results. */
static const cJSON *headline_result(const cJSON *gate)
{
    const cJSON *results = fg_report_member(gate, "results");
    double index;
    const cJSON *worst = NULL;
    if (fg_report_num(gate, "worst_result", &index) && index >= 0 && index < INT32_MAX)
        worst = cJSON_GetArrayItem(results, (int)index);
    return worst != NULL ? worst : cJSON_IsArray(results) ? results->child : NULL;
}

/* How many gates of the audit share gate's metric phrase (1: only gate itself). */
static size_t phrase_count(const cJSON *audit, const char *phrase)
{
    size_t n = 0;
    char other[PHRASE_TEXT];
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        fg_report_metric_phrase(other, sizeof other, g);
        n += strcmp(other, phrase) == 0;
    }
    return n;
}

/* A performance metric's type: the phrase and what (" worsening" or ""), with the gate's id
 * when another gate shares the phrase. */
static void metric_type(char *buf, size_t size, const cJSON *audit, const cJSON *gate,
                        const char *what)
{
    char phrase[PHRASE_TEXT];
    fg_report_metric_phrase(phrase, sizeof phrase, gate);
    if (phrase_count(audit, phrase) > 1)
        snprintf(buf, size, "%s%s (gate %s)", phrase, what, fg_report_str(gate, "id"));
    else
        snprintf(buf, size, "%s%s", phrase, what);
}

static const char *status_words(const char *status)
{
    return fg_report_is(status, "insufficient_data") ? "insufficient data"
           : status != NULL                          ? status
                                                     : "?";
}

/* The path's last component: a dataset's name for the card. */
static const char *base_name(const char *path)
{
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;
    return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* The file the candidate's predictions came from: the candidate, else the first counts file. */
static const char *judged_file(const cJSON *audit)
{
    const cJSON *inputs = fg_report_member(audit, "inputs");
    const char *path = fg_report_str(fg_report_member(inputs, "candidate"), "path");
    const cJSON *counts = fg_report_member(inputs, "counts");
    if (path == NULL && cJSON_IsArray(counts))
        path = fg_report_str(counts->child, "path");
    return path != NULL ? base_name(path) : "evaluation set";
}

/* ---- Model Card Toolkit JSON ---- */

/* A tree under construction; a failed cJSON call marks it failed once and for all. */
struct card {
    bool failed;
};

/* Attaches item (deleted on failure) to parent under key (ignored for an array). */
static cJSON *attach(struct card *c, cJSON *parent, const char *key, cJSON *item)
{
    bool ok = item != NULL && parent != NULL &&
              (cJSON_IsArray(parent) ? cJSON_AddItemToArray(parent, item)
                                     : cJSON_AddItemToObject(parent, key, item));
    if (!ok) {
        cJSON_Delete(item);
        c->failed = true;
        return NULL;
    }
    return item;
}

static void attach_text(struct card *c, cJSON *parent, const char *key, const char *text)
{
    attach(c, parent, key, cJSON_CreateString(text));
}

/* A growing text that becomes one string of the card. */
static void attach_buf(struct card *c, cJSON *parent, const char *key, struct fg_buf *t)
{
    char *text = NULL;
    struct fg_error ignored = {0};
    if (fg_buf_finish(t, &text, &ignored) != FG_OK) {
        c->failed = true;
        return;
    }
    attach_text(c, parent, key, text);
    free(text);
}

/* An interval's end: exact, or infinite where the audit wrote null. */
static void interval_end(char *buf, size_t size, const cJSON *end, bool upper)
{
    if (cJSON_IsNumber(end))
        exact_number(buf, size, end->valuedouble);
    else
        snprintf(buf, size, "%s", upper ? "Infinity" : "-Infinity");
}

/* {"type", "value", "slice", "confidence_interval"} into list; ci may be NULL. */
static void attach_metric(struct card *c, cJSON *list, const char *type, const char *value,
                          const char *slice, const cJSON *ci)
{
    cJSON *m = attach(c, list, NULL, cJSON_CreateObject());
    attach_text(c, m, "type", type);
    attach_text(c, m, "value", value);
    attach_text(c, m, "slice", slice);
    if (cJSON_GetArraySize(ci) != 2)
        return;
    char low[NUMBER_TEXT], high[NUMBER_TEXT];
    interval_end(low, sizeof low, cJSON_GetArrayItem(ci, 0), false);
    interval_end(high, sizeof high, cJSON_GetArrayItem(ci, 1), true);
    cJSON *interval = attach(c, m, "confidence_interval", cJSON_CreateObject());
    attach_text(c, interval, "lower_bound", low);
    attach_text(c, interval, "upper_bound", high);
}

/* Every result of every gate; a gate against the incumbent adds its worsening. */
static void mct_performance_metrics(struct card *c, cJSON *list, const cJSON *audit)
{
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        char type[PHRASE_TEXT + 96], worsening_type[PHRASE_TEXT + 96], value[NUMBER_TEXT];
        metric_type(type, sizeof type, audit, g, "");
        metric_type(worsening_type, sizeof worsening_type, audit, g, " worsening");
        for (const cJSON *r = fg_report_member(g, "results")->child; r != NULL; r = r->next) {
            const char *slice = fg_report_str(r, "label");
            result_value(value, sizeof value, g, r);
            attach_metric(c, list, type, value, slice, fg_report_member(r, "ci"));
            double worsening;
            if (!fg_report_num(r, "worsening", &worsening))
                continue;
            exact_number(value, sizeof value, worsening);
            attach_metric(c, list, worsening_type, value, slice,
                          fg_report_member(r, "worsening_ci"));
        }
    }
}

/* "by a (role) until 2025-12-15: reason (ticket T)", or "by a ... was rejected: why". */
static void override_words(struct fg_buf *t, const cJSON *o)
{
    const char *approver = fg_report_str(o, "approver"), *role = fg_report_str(o, "role");
    const char *reason = fg_report_str(o, "reason"), *ticket = fg_report_str(o, "ticket");
    const char *group = fg_report_str(o, "group");
    bool applied = fg_report_is(fg_report_str(o, "status"), "applied");
    fg_buf_add(t, "%s by %s", applied ? "Overridden" : "An override", approver ? approver : "?");
    if (role != NULL)
        fg_buf_add(t, " (%s)", role);
    if (group != NULL)
        fg_buf_add(t, " for %s", group);
    if (!applied) {
        const char *why = fg_report_str(o, "why");
        fg_buf_add(t, " was rejected: %s", why ? why : "?");
        return;
    }
    const char *expires = fg_report_str(o, "expires");
    fg_buf_add(t, " until %s: %s", expires ? expires : "?", reason ? reason : "?");
    if (ticket != NULL)
        fg_buf_add(t, " (ticket %s)", ticket);
}

/* The overrides offered for the gate, "; "-separated; how many in *n. */
static void gate_overrides(struct fg_buf *t, const cJSON *audit, const char *gate_id, size_t *n)
{
    *n = 0;
    const cJSON *overrides = fg_report_member(audit, "overrides");
    for (const cJSON *o = cJSON_IsArray(overrides) ? overrides->child : NULL; o != NULL;
         o = o->next) {
        if (!fg_report_is(fg_report_str(o, "gate"), gate_id))
            continue;
        if ((*n)++ > 0)
            fg_buf_puts(t, "; ");
        override_words(t, o);
    }
}

/* A risk per failed or overridden gate: its worst result, and what was done about it. */
static void mct_risk(struct card *c, cJSON *list, const cJSON *audit, const cJSON *gate)
{
    const char *id = fg_report_str(gate, "id");
    const cJSON *worst = headline_result(gate);
    char phrase[PHRASE_TEXT], value[NUMBER_TEXT];
    fg_report_metric_phrase(phrase, sizeof phrase, gate);
    cJSON *risk = attach(c, list, NULL, cJSON_CreateObject());
    struct fg_buf name = fg_buf_new(FG_BUF_CAP_REPORT, "the model card");
    fg_buf_add(&name, "Gate %s %s", id,
               fg_report_is(fg_report_str(gate, "status"), "fail") ? "failed" : "was overridden");
    if (worst != NULL) {
        const char *why = fg_report_str(worst, "why");
        result_value(value, sizeof value, gate, worst);
        fg_buf_add(&name, " for %s (%s): %s", fg_report_str(worst, "label"), phrase,
                   why != NULL ? why : value);
    }
    attach_buf(c, risk, "name", &name);
    struct fg_buf mitigation = fg_buf_new(FG_BUF_CAP_REPORT, "the model card");
    size_t n;
    gate_overrides(&mitigation, audit, id, &n);
    if (n == 0)
        fg_buf_puts(&mitigation, "None recorded: the gate blocks the release until the model "
                                 "passes it or an approver the policy names signs an override.");
    attach_buf(c, risk, "mitigation_strategy", &mitigation);
}

/* A limitation per gate with groups too small to judge: how many, which, the minimum. */
static void mct_limitation(struct card *c, cJSON *list, const cJSON *gate)
{
    size_t n = 0;
    const cJSON *results = fg_report_member(gate, "results");
    for (const cJSON *r = results->child; r != NULL; r = r->next)
        n += fg_report_is(fg_report_str(r, "status"), "insufficient_data");
    if (n == 0)
        return;
    double min_size;
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_REPORT, "the model card");
    fg_buf_add(&t, "Gate %s could not judge %zu %s", fg_report_str(gate, "id"), n,
               n == 1 ? "group" : "groups");
    if (fg_report_num(gate, "min_group_size", &min_size))
        fg_buf_add(&t, " (fewer than %.0f rows)", min_size);
    size_t shown = 0;
    for (const cJSON *r = results->child; r != NULL && shown < SMALL_SHOWN; r = r->next)
        if (fg_report_is(fg_report_str(r, "status"), "insufficient_data"))
            fg_buf_add(&t, "%s%s", shown++ == 0 ? ": " : ", ", fg_report_str(r, "label"));
    if (n > shown)
        fg_buf_add(&t, " and %zu more", n - shown);
    fg_buf_puts(&t, ".");
    cJSON *limitation = attach(c, list, NULL, cJSON_CreateObject());
    attach_buf(c, limitation, "description", &t);
}

static void mct_considerations(struct card *c, cJSON *card, const cJSON *audit)
{
    cJSON *considerations = attach(c, card, "considerations", cJSON_CreateObject());
    cJSON *limitations = attach(c, considerations, "limitations", cJSON_CreateArray());
    cJSON *risks = attach(c, considerations, "ethical_considerations", cJSON_CreateArray());
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        const char *status = fg_report_str(g, "status");
        if (fg_report_is(status, "fail") || fg_report_is(status, "overridden"))
            mct_risk(c, risks, audit, g);
        mct_limitation(c, limitations, g);
    }
}

/* "Fairness evaluation by fairgate 0.1.0 under the policy P (sha256 …): fail, 3 of 4 gates
 * failed." */
static void verdict_sentence(struct fg_buf *t, const cJSON *audit)
{
    const cJSON *policy = fg_report_member(audit, "policy");
    const char *version = fg_report_str(fg_report_member(audit, "tool"), "version");
    const char *sha = fg_report_str(policy, "sha256");
    size_t gates = 0, failed = 0, overridden = 0;
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next) {
        gates++;
        failed += fg_report_is(fg_report_str(g, "status"), "fail");
        overridden += fg_report_is(fg_report_str(g, "status"), "overridden");
    }
    fg_buf_add(t, "Fairness evaluation by fairgate %s under the policy %s", version ? version : "",
               fg_report_str(policy, "name"));
    if (sha != NULL)
        fg_buf_add(t, " (sha256 %.12s)", sha);
    fg_buf_add(t, ": verdict %s, %zu of %zu %s failed", fg_report_str(audit, "verdict"), failed,
               gates, gates == 1 ? "gate" : "gates");
    if (overridden > 0)
        fg_buf_add(t, ", %zu overridden", overridden);
    fg_buf_puts(t, ".");
}

/* The files judged: the candidate, the incumbent, the counts files. */
static void mct_data(struct card *c, cJSON *data, const cJSON *audit)
{
    static const char *const roles[] = {"candidate", "incumbent"};
    const cJSON *inputs = fg_report_member(audit, "inputs");
    const cJSON *counts = fg_report_member(inputs, "counts");
    const cJSON *files[2] = {fg_report_member(inputs, roles[0]),
                             fg_report_member(inputs, roles[1])};
    for (size_t i = 0; i < 2 + (size_t)cJSON_GetArraySize(counts); i++) {
        const cJSON *in = i < 2 ? files[i] : cJSON_GetArrayItem(counts, (int)(i - 2));
        const char *path = fg_report_str(in, "path"), *sha = fg_report_str(in, "sha256");
        double rows;
        if (path == NULL)
            continue;
        struct fg_buf t = fg_buf_new(FG_BUF_CAP_REPORT, "the model card");
        fg_buf_add(&t, "%s predictions", i < 2 ? roles[i] : "counts of the");
        if (fg_report_num(in, "rows", &rows))
            fg_buf_add(&t, ", %.0f rows", rows);
        if (sha != NULL)
            fg_buf_add(&t, ", sha256 %s", sha);
        cJSON *set = attach(c, data, NULL, cJSON_CreateObject());
        attach_text(c, set, "name", path);
        attach_buf(c, set, "description", &t);
    }
}

enum fg_status fg_report_model_card_json(const char *audit_json, char **out, struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = fg_report_parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    struct card c = {0};
    cJSON *card = cJSON_CreateObject();
    c.failed = card == NULL;
    attach_text(&c, card, "schema_version", MCT_SCHEMA_VERSION);
    cJSON *details = attach(&c, card, "model_details", cJSON_CreateObject());
    attach_text(&c, details, "name", fg_report_str(fg_report_member(audit, "policy"), "name"));
    struct fg_buf overview = fg_buf_new(FG_BUF_CAP_REPORT, "the model card");
    verdict_sentence(&overview, audit);
    attach_buf(&c, details, "overview", &overview);
    cJSON *parameters = attach(&c, card, "model_parameters", cJSON_CreateObject());
    mct_data(&c, attach(&c, parameters, "data", cJSON_CreateArray()), audit);
    cJSON *analysis = attach(&c, card, "quantitative_analysis", cJSON_CreateObject());
    mct_performance_metrics(&c, attach(&c, analysis, "performance_metrics", cJSON_CreateArray()),
                            audit);
    mct_considerations(&c, card, audit);
    char *text = c.failed ? NULL : cJSON_Print(card);
    cJSON_Delete(card);
    cJSON_Delete(audit);
    if (text == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory building the model card");
    st = fg_text_end_line(&text, err);
    *out = text;
    return st;
}

/* ---- Hugging Face model card fragment ---- */

/* s as a YAML double-quoted scalar on one line: '"' and '\' escaped, every character YAML
 * does not print (C0 and C1 controls, DEL, U+2028/U+2029 that YAML 1.1 reads as line
 * breaks, U+FEFF, U+FFFE/U+FFFF) as an escape, malformed UTF-8 as U+FFFD. */
static void yaml_quote(struct fg_buf *t, const char *s)
{
    const char *p = s != NULL ? s : "";
    fg_buf_puts(t, "\"");
    while (*p != '\0') {
        uint32_t cp = 0;
        size_t n = fg_utf8_sequence(p, SIZE_MAX, &cp);
        if (n == 0) {
            fg_buf_puts(t, "\\uFFFD");
            p++;
            continue;
        }
        if (cp == '"' || cp == '\\')
            fg_buf_add(t, "\\%c", (char)cp);
        else if (cp < 0x20 || cp == 0x7f)
            fg_buf_add(t, "\\x%02X", (unsigned)cp);
        else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff ||
                 cp == 0xfffe || cp == 0xffff)
            fg_buf_add(t, "\\u%04X", (unsigned)cp);
        else
            fg_buf_append(t, p, n);
        p += n;
    }
    fg_buf_puts(t, "\"");
}

/* inner's text into t through escape (yaml_quote, fg_report_md_escape); inner is freed and
 * its failure becomes t's. */
static void emit_through(struct fg_buf *t, struct fg_buf *inner,
                         void (*escape)(struct fg_buf *, const char *))
{
    if (inner->nomem || inner->toobig)
        t->nomem = true;
    else
        escape(t, inner->data);
    free(inner->data);
    *inner = fg_buf_new(0, inner->what);
}

/* One metric of the model-index per gate: its worst result's value, a number ("Infinity"
 * and "undefined" as strings, as EvalResult's value may be). */
static void hf_metric(struct fg_buf *t, const cJSON *gate)
{
    char phrase[PHRASE_TEXT], value[NUMBER_TEXT];
    fg_report_metric_phrase(phrase, sizeof phrase, gate);
    const cJSON *worst = headline_result(gate);
    double v = NAN;
    enum fg_report_value_kind kind = worst != NULL
                                         ? fg_report_side_value(gate, worst, worst, true, &v)
                                         : FG_REPORT_VALUE_UNDEFINED;
    if (kind == FG_REPORT_VALUE_NUMBER)
        exact_number(value, sizeof value, v);
    else
        snprintf(value, sizeof value, "\"%s\"",
                 kind == FG_REPORT_VALUE_INFINITE ? (v > 0 ? "Infinity" : "-Infinity")
                                                  : "undefined");
    fg_buf_puts(t, "          - type: ");
    yaml_quote(t, phrase);
    fg_buf_add(t, "\n            value: %s\n            name: ", value);
    struct fg_buf name = fg_buf_new(FG_BUF_CAP_REPORT, "the model card");
    fg_buf_add(&name, "%s: %s", fg_report_str(gate, "id"), phrase);
    if (worst != NULL)
        fg_buf_add(&name, ", worst group %s", fg_report_str(worst, "label"));
    fg_buf_add(&name, " (%s)", status_words(fg_report_str(gate, "status")));
    emit_through(t, &name, yaml_quote);
    fg_buf_puts(t, "\n            verified: false\n");
}

static void hf_front_matter(struct fg_buf *t, const cJSON *audit)
{
    const char *dataset = judged_file(audit);
    fg_buf_puts(t, "---\nmodel-index:\n  - name: ");
    yaml_quote(t, fg_report_str(fg_report_member(audit, "policy"), "name"));
    fg_buf_puts(t, "\n    results:\n      - task:\n          type: " HF_TASK
                   "\n          name: \"Fairness evaluation\"\n        dataset:\n          type: ");
    yaml_quote(t, dataset);
    fg_buf_puts(t, "\n          name: ");
    yaml_quote(t, dataset);
    fg_buf_puts(t, "\n        metrics:\n");
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next)
        hf_metric(t, g);
    fg_buf_puts(t, "---\n\n");
}

/* The table cell of a value: "0.6773 [0.6059, 0.7571]" ("%.4f", as the other reports). */
static void hf_value_cell(struct fg_buf *t, const cJSON *gate, const cJSON *worst)
{
    char v[NUMBER_TEXT];
    double value;
    enum fg_report_value_kind kind = fg_report_side_value(gate, worst, worst, true, &value);
    fg_report_format_value(v, sizeof v, kind, value, false);
    fg_buf_puts(t, v);
    const cJSON *ci = fg_report_member(worst, "ci");
    if (cJSON_GetArraySize(ci) != 2)
        return;
    char ends[2][NUMBER_TEXT];
    for (int i = 0; i < 2; i++) {
        const cJSON *end = cJSON_GetArrayItem(ci, i);
        fg_report_format_value(ends[i], sizeof ends[i],
                               cJSON_IsNumber(end) ? FG_REPORT_VALUE_NUMBER
                                                   : FG_REPORT_VALUE_INFINITE,
                               cJSON_IsNumber(end) ? end->valuedouble
                               : i == 0            ? -1
                                                   : 1,
                               false);
    }
    fg_buf_add(t, " [%s, %s]", ends[0], ends[1]);
}

static void hf_gate_row(struct fg_buf *t, const cJSON *gate)
{
    char phrase[PHRASE_TEXT], bound[PHRASE_TEXT];
    fg_report_metric_phrase(phrase, sizeof phrase, gate);
    fg_report_format_bound(bound, sizeof bound, fg_report_member(gate, "bound"), true);
    const cJSON *worst = headline_result(gate);
    fg_buf_puts(t, "| ");
    fg_report_md_escape(t, fg_report_str(gate, "id"));
    fg_buf_add(t, " | %s | ", status_words(fg_report_str(gate, "status")));
    fg_report_md_escape(t, phrase);
    fg_buf_puts(t, " | ");
    if (worst != NULL) {
        fg_report_md_escape(t, fg_report_str(worst, "label"));
        fg_buf_puts(t, " | ");
        hf_value_cell(t, gate, worst);
    } else {
        fg_buf_puts(t, "\xe2\x80\x94 | no groups");
    }
    fg_buf_add(t, " | %s |\n", bound);
}

static void hf_cell(struct fg_buf *t, const char *s, const char *when_null)
{
    if (s != NULL)
        fg_report_md_escape(t, s);
    else
        fg_buf_puts(t, when_null);
    fg_buf_puts(t, " | ");
}

static void hf_overrides(struct fg_buf *t, const cJSON *audit)
{
    const cJSON *overrides = fg_report_member(audit, "overrides");
    fg_buf_puts(t, "### Overrides\n\n");
    if (cJSON_GetArraySize(overrides) == 0) {
        fg_buf_puts(t, "None offered.\n");
        return;
    }
    fg_buf_puts(t, "| Gate | Group | Approver | Role | Reason | Ticket | Expires | Status |\n"
                   "|---|---|---|---|---|---|---|---|\n");
    for (const cJSON *o = overrides->child; o != NULL; o = o->next) {
        fg_buf_puts(t, "| ");
        hf_cell(t, fg_report_str(o, "gate"), "?");
        hf_cell(t, fg_report_str(o, "group"), "(whole gate)");
        hf_cell(t, fg_report_str(o, "approver"), "?");
        hf_cell(t, fg_report_str(o, "role"), "\xe2\x80\x94");
        hf_cell(t, fg_report_str(o, "reason"), "?");
        hf_cell(t, fg_report_str(o, "ticket"), "\xe2\x80\x94");
        hf_cell(t, fg_report_str(o, "expires"), "?");
        bool applied = fg_report_is(fg_report_str(o, "status"), "applied");
        fg_buf_puts(t, applied ? "applied" : "rejected: ");
        if (!applied)
            fg_report_md_escape(t, fg_report_str(o, "why"));
        fg_buf_puts(t, " |\n");
    }
}

static void hf_section(struct fg_buf *t, const cJSON *audit)
{
    const char *created = fg_report_str(audit, "created");
    fg_buf_puts(t, "## Fairness evaluation\n\n");
    struct fg_buf sentence = fg_buf_new(FG_BUF_CAP_REPORT, "the model card");
    verdict_sentence(&sentence, audit);
    emit_through(t, &sentence, fg_report_md_escape);
    if (created != NULL) {
        fg_buf_puts(t, " Audit created ");
        fg_report_md_escape(t, created);
        fg_buf_puts(t, ".");
    }
    fg_buf_puts(t, "\n\n| Gate | Verdict | Metric | Worst group | Value [interval] | Bound |\n"
                   "|---|---|---|---|---|---|\n");
    for (const cJSON *g = fg_report_member(audit, "gates")->child; g != NULL; g = g->next)
        hf_gate_row(t, g);
    fg_buf_puts(t, "\n");
    hf_overrides(t, audit);
}

enum fg_status fg_report_model_card_md(const char *audit_json, char **out, struct fg_error *err)
{
    *out = NULL;
    cJSON *audit = NULL;
    enum fg_status st = fg_report_parse_audit(audit_json, &audit, err);
    if (st != FG_OK)
        return st;
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_REPORT, "the model card");
    hf_front_matter(&t, audit);
    hf_section(&t, audit);
    cJSON_Delete(audit);
    return fg_buf_finish(&t, out, err);
}

/* ---- the format a path asks for ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n <= m)
        return false;
    for (size_t i = 0; i < m; i++)
        if (tolower((unsigned char)s[n - m + i]) != suffix[i])
            return false;
    return true;
}

enum fg_model_card_format fg_model_card_format_of(const char *path)
{
    if (path != NULL && ends_with(path, ".json"))
        return FG_MODEL_CARD_JSON;
    if (path != NULL && ends_with(path, ".md"))
        return FG_MODEL_CARD_MARKDOWN;
    return FG_MODEL_CARD_UNKNOWN;
}

enum fg_status fg_report_model_card(const char *audit_json, const char *path, char **out,
                                    struct fg_error *err)
{
    *out = NULL;
    switch (fg_model_card_format_of(path)) {
    case FG_MODEL_CARD_JSON:
        return fg_report_model_card_json(audit_json, out, err);
    case FG_MODEL_CARD_MARKDOWN:
        return fg_report_model_card_md(audit_json, out, err);
    default:
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "--model-card %s: name a .json file (Model Card Toolkit) or a .md "
                            "file (Hugging Face)",
                            path ? path : "(none)");
    }
}
