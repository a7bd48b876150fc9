/*
 * report.h - what the renderers of the audit JSON share (lib/report.c): strict reading of
 * the audit, typed member access and the formatting of values, bounds and metric phrases.
 *
 * Ownership: the readers borrow from the caller's cJSON tree; a parsed audit is the
 * caller's (cJSON_Delete).
 */
#ifndef FAIRGATE_REPORT_H
#define FAIRGATE_REPORT_H

#include "fairgate.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- report helpers (lib/report.c) ----
 * What the reports rendered from the audit JSON share (report_md.c, report_junit.c,
 * report_html.c, report_summary.c). The readers take any node, NULL too, and answer NULL or
 * false when it is not what they want.
 */

struct cJSON;

/* o[key] when o is an object; the string o[key]; the finite number o[key] (*value NAN
 * if not). */
const struct cJSON *fg_report_member(const struct cJSON *o, const char *key);
const char *fg_report_str(const struct cJSON *o, const char *key);
bool fg_report_num(const struct cJSON *o, const char *key, double *value);
/* Neither is NULL and s equals want. */
bool fg_report_is(const char *s, const char *want);
/* Parses the audit text and checks the shape the renderers rely on (FG_ERR_INPUT if not);
 * on success *out is a tree the caller frees with cJSON_Delete. */
FG_MUST_CHECK enum fg_status fg_report_parse_audit(const char *audit_json, struct cJSON **out,
                                                   struct fg_error *err);

enum fg_report_value_kind {
    FG_REPORT_VALUE_NUMBER,
    FG_REPORT_VALUE_INFINITE,
    FG_REPORT_VALUE_UNDEFINED
};

/* One model's value in a result (side: the result itself for the candidate, or its
 * "incumbent"); a null ratio is infinite where gate.c wrote infinity. */
enum fg_report_value_kind fg_report_side_value(const struct cJSON *gate, const struct cJSON *result,
                                               const struct cJSON *side, bool candidate,
                                               double *value);
/* "%.4f" in the C locale (with a sign when sign), "∞", or "undefined"; never "-0.0000". */
void fg_report_format_value(char *buf, size_t size, enum fg_report_value_kind kind, double value,
                            bool sign);
/* A bound: with symbols "≥ 0.8, ≤ 1.25, worsening ≤ 0.02", else
 * "min 0.8, max 1.25, max_worsening 0.02"; "none" when it has none. */
void fg_report_format_bound(char *buf, size_t size, const struct cJSON *bound, bool symbols);
/* "selection_rate ratio", "equalized_odds difference", "overall accuracy". */
void fg_report_metric_phrase(char *buf, size_t size, const struct cJSON *gate);

/* The Markdown report's escaping (lib/report_md.c): s as text that renders as itself in a
 * table cell, a heading or a list item; nothing in it opens a cell, a tag, a code span, a
 * link or a new line. The model card's Markdown goes through it too. */
struct fg_buf;
void fg_report_md_escape(struct fg_buf *t, const char *s);

/* The HTML page's escaping (lib/report_html.c): valid UTF-8 text with & < > " ' as entities
 * and control characters as U+FFFD; for the sweep's page (lib/report_sweep.c) too. */
void fg_report_html_escape(struct fg_buf *h, const char *s);

/* An advisory gate: the audit says enforce: warn (its failure never blocks the verdict);
 * a gate without "enforce" (audits written before it existed) blocks. */
bool fg_report_advisory(const struct cJSON *gate);
/* The failed gates that block the verdict and the advisory ones: the audit's
 * verdict_summary, or counted from the gates' statuses in an audit written before it. */
void fg_report_failures(const struct cJSON *audit, size_t *blocking, size_t *advisory);

#endif /* FAIRGATE_REPORT_H */
