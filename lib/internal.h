/*
 * internal.h - the structs and cross-module helpers that libfairgate's modules share.
 * cmd/ never includes this file; it sees only fairgate.h. Unit tests may.
 *
 * Ownership: every char * and array inside the structs below is owned by the struct that
 * holds it and is released by that struct's fg_x_free. Strings are NUL-terminated UTF-8.
 */
#ifndef FAIRGATE_INTERNAL_H
#define FAIRGATE_INTERNAL_H

#include "buf.h"
#include "fairgate.h"
#include "metric.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- limits ---- */

#define FG_MAX_PROTECTED     16         /* protected attributes in one policy */
#define FG_MAX_INTERSECTIONS 32         /* intersections in one policy */
#define FG_MAX_GATES         256        /* gates in one policy */
#define FG_MAX_GROUP_VALUES  4096       /* distinct values of one protected attribute */
#define FG_MAX_CELLS         (1u << 22) /* cells in one counts table */
#define FG_MAX_FIELD         (1u << 20) /* bytes in one CSV field */
#define FG_MAX_COLUMNS       100000     /* columns in one CSV header */
#define FG_MAX_GATE_GROUPS   100000     /* groups one gate evaluates, over its attribute sets */
#define FG_MAX_POLICY_BYTES  (1u << 20) /* policy file size */
#define FG_MAX_POLICY_DEPTH  32         /* YAML nesting depth */

/* ---- errors ---- */

/* Fills err (which may be NULL) and returns code. file may be NULL. */
enum fg_status fg_error_set(struct fg_error *err, enum fg_status code, const char *file,
                            unsigned long line, unsigned long column, const char *fmt, ...)
    FG_PRINTF(6, 7);

/* ---- policy ---- */

enum fg_disparity { FG_DISPARITY_NONE, FG_DISPARITY_RATIO, FG_DISPARITY_DIFFERENCE };

enum fg_reference_kind {
    FG_REFERENCE_HIGHEST,       /* the group with the highest metric value (29 CFR 1607.4(D)) */
    FG_REFERENCE_LARGEST,       /* the group with the most rows */
    FG_REFERENCE_EXPLICIT,      /* a named value per protected attribute */
    FG_REFERENCE_BETWEEN_GROUPS /* worst group over best group, one result per attribute */
};

enum fg_small_group { FG_SMALL_GROUP_FAIL, FG_SMALL_GROUP_WARN, FG_SMALL_GROUP_SKIP };
enum fg_missing { FG_MISSING_ERROR, FG_MISSING_DROP };
/* How two CSV files are matched: by data.id, or by position only when the policy says so. */
enum fg_join { FG_JOIN_UNSET, FG_JOIN_ID, FG_JOIN_POSITION };
enum fg_favorable { FG_FAVORABLE_ABOVE, FG_FAVORABLE_BELOW };

/* How a gate weighs uncertainty (README "Evidence"). */
enum fg_evidence {
    FG_EVIDENCE_POINT,       /* the bound applies to the point estimate (the default) */
    FG_EVIDENCE_SIGNIFICANT, /* fail only where the breach is significant after correction */
    FG_EVIDENCE_CONFIDENT    /* pass only where the whole interval satisfies the bound */
};
enum fg_correction { FG_CORRECTION_HOLM, FG_CORRECTION_BH, FG_CORRECTION_NONE };

#define FG_DEFAULT_ALPHA     0.05
#define FG_DEFAULT_RESAMPLES 2000
#define FG_DEFAULT_SEED      20261202
#define FG_DEFAULT_BINS      10
#define FG_MAX_RESAMPLES     1000000
#define FG_MAX_BINS          1000

/* 1-based place in the policy file, for messages. */
struct fg_mark {
    unsigned long line;
    unsigned long column;
};

/* How one model's decision is read from a CSV row. Exactly one of prediction / score. */
struct fg_model_spec {
    bool present;     /* false: the policy names no such model */
    char *prediction; /* column holding the decision, compared with favorable_prediction */
    char *score;      /* column holding a score, compared with threshold */
    double threshold;
    enum fg_favorable favorable; /* above: score >= threshold; below: score < threshold */
};

struct fg_reference {
    enum fg_reference_kind kind;
    /* FG_REFERENCE_EXPLICIT: values[i] is the reference value of protected[i]
     * (n_protected entries, each non-NULL); NULL for the other kinds. */
    char **values;
};

struct fg_gate_spec {
    char *id;
    char *description; /* free text from the policy, or NULL */
    enum fg_metric metric;
    bool overall;                /* overall: {min,max} on the whole population */
    enum fg_disparity disparity; /* NONE exactly when overall */
    bool has_min, has_max;
    double min, max;        /* bounds on the disparity (or the overall value) */
    bool has_max_worsening; /* vs_incumbent: {max_worsening} */
    double max_worsening;
    struct fg_reference reference; /* the gate's own, or a copy of defaults.reference */
    uint64_t min_group_size;       /* the gate's own, or defaults.min_group_size */
    enum fg_small_group on_small_group;
    enum fg_evidence evidence;     /* the gate's own, or defaults.evidence */
    double alpha;                  /* in (0, 0.5]; intervals are at level 1 - alpha */
    enum fg_correction correction; /* across every comparison the gate makes */
    uint64_t resamples;            /* paired bootstrap of vs_incumbent: B */
    uint64_t seed;
    struct fg_mark mark; /* where the gate starts in the policy file */
};

/* An attribute set that is gated: one protected attribute alone, or an intersection. */
struct fg_attrset {
    size_t n;                       /* 1 for a protected attribute alone */
    size_t attrs[FG_MAX_PROTECTED]; /* indices into data.protected, in the order written */
};

/* An approver's key is pinned by the policy itself, so the policy's digest covers it:
 * either public_key is the PEM inline (keyid, when written, must be its id) or it is a path
 * and keyid is required; a key file whose id is not the pin is an error when it is read. */
struct fg_approver {
    char *name;
    char *role;
    char *public_key;    /* a path relative to the policy file's folder, or the PEM itself */
    bool inline_key;     /* public_key is the PEM ("-----BEGIN PUBLIC KEY-----...") */
    char keyid[65];      /* the pinned key id (fg_key_id): lowercase hex SHA-256 of the SPKI DER */
    struct fg_mark mark; /* where the approver's entry starts */
};

struct fg_override_policy {
    struct fg_approver *approvers;
    size_t n_approvers;
    uint64_t required_approvals; /* default 1 */
    uint64_t max_days;           /* default 30 */
    char **not_overridable;      /* gate ids; each names a gate of the policy */
    size_t n_not_overridable;
};

struct fg_policy {
    char *path;      /* as given to fg_policy_load, or the name given to fg_policy_parse */
    char sha256[65]; /* lowercase hex of the policy file's bytes */
    int version;     /* 1 */
    char *name;
    struct {
        char *id;             /* the column joining two CSVs; NULL: none */
        enum fg_join join;    /* data.join as written; UNSET: by id when there is one */
        char *label;          /* y_true column */
        char *positive_label; /* the favourable outcome's label value */
        char **protected;
        size_t n_protected;
        size_t (*intersections)[FG_MAX_PROTECTED]; /* each: indices into protected */
        size_t *intersection_sizes;
        size_t n_intersections;
        struct fg_model_spec candidate; /* always present */
        struct fg_model_spec incumbent; /* present == false when the policy names none */
        char *favorable_prediction;     /* required when a model reads a prediction column */
        enum fg_missing missing;
        char delimiter; /* default ',' */
    } data;
    struct {
        struct fg_reference reference;      /* default highest */
        uint64_t min_group_size;            /* default 0 */
        enum fg_small_group on_small_group; /* default warn */
        enum fg_evidence evidence;          /* default point */
        double alpha;                       /* default 0.05 */
        enum fg_correction correction;      /* default holm */
        uint64_t resamples;                 /* default 2000 */
        uint64_t seed;                      /* default FG_DEFAULT_SEED */
    } defaults;
    /* Bins of calibration_gap (expected calibration error), shared by every gate that
     * uses it: default 10. */
    unsigned calibration_bins;
    struct fg_mark calibration_bins_mark; /* where bins was first set; line 0: not set */
    struct fg_gate_spec *gates;
    size_t n_gates;
    bool has_overrides;
    struct fg_override_policy overrides;
};

/* The file an approver's public_key path names: relative to the folder of the policy file
 * at policy_path, unless absolute. False when it does not fit in size bytes. */
bool fg_approver_key_path(const char *policy_path, const char *public_key, char *out, size_t size);

/* Attribute sets in gating order: each protected attribute alone, then each intersection. */
size_t fg_policy_attrset_count(const struct fg_policy *policy);
void fg_policy_attrset(const struct fg_policy *policy, size_t index, struct fg_attrset *out);

/* Names of disparities, ... as written in the policy language. */
const char *fg_disparity_name(enum fg_disparity disparity);
const char *fg_reference_kind_name(enum fg_reference_kind kind);
const char *fg_small_group_name(enum fg_small_group mode);
const char *fg_evidence_name(enum fg_evidence evidence);
const char *fg_correction_name(enum fg_correction correction);

/* ---- counts: the cell table (lib/counts.c) ----
 *
 * A cell is (value id of each protected attribute, y_true, candidate, incumbent) with a
 * count. Value ids are interned per attribute, dense from 0 in order of first sight.
 * Without an incumbent every cell's incumbent bit is 0 and has_incumbent is false. */

struct fg_cell {
    const uint32_t *value_ids; /* n_attrs ids, owned by the table */
    unsigned y_true : 1;
    unsigned candidate : 1;
    unsigned incumbent : 1;
    uint64_t count;
};

FG_MUST_CHECK enum fg_status fg_counts_new(size_t n_attrs, bool has_incumbent,
                                           struct fg_counts **out, struct fg_error *err);
size_t fg_counts_attr_count(const struct fg_counts *counts);
bool fg_counts_has_incumbent(const struct fg_counts *counts);
/* Interns value (len bytes, need not be NUL-terminated) of attribute attr. */
FG_MUST_CHECK enum fg_status fg_counts_intern(struct fg_counts *counts, size_t attr,
                                              const char *value, size_t len, uint32_t *id,
                                              struct fg_error *err);
size_t fg_counts_value_count(const struct fg_counts *counts, size_t attr);
const char *fg_counts_value(const struct fg_counts *counts, size_t attr, uint32_t id);
/* Adds n to the cell (value_ids, y_true, candidate, incumbent). */
FG_MUST_CHECK enum fg_status fg_counts_add(struct fg_counts *counts, const uint32_t *value_ids,
                                           int y_true, int candidate, int incumbent, uint64_t n,
                                           struct fg_error *err);
/* Cells in order of first insertion; index < fg_counts_cell_count. */
size_t fg_counts_cell_count(const struct fg_counts *counts);
void fg_counts_cell(const struct fg_counts *counts, size_t index, struct fg_cell *out);
/* Adds every cell of src to dst (values matched by string). Same n_attrs required. */
FG_MUST_CHECK enum fg_status fg_counts_merge(struct fg_counts *dst, const struct fg_counts *src,
                                             struct fg_error *err);
uint64_t fg_counts_total(const struct fg_counts *counts);
/* The cells in canonical order, whatever order they were added in: by value (bytewise,
 * attribute by attribute), then y_true, candidate, incumbent. *order receives
 * fg_counts_cell_count indices, malloc'd. The paired bootstrap draws cells in this order, so
 * that the same rows in any order, or their counts file, give the same resamples. */
FG_MUST_CHECK enum fg_status fg_counts_canonical_order(const struct fg_counts *counts,
                                                       size_t **order, struct fg_error *err);

/* Scores, for the score metrics (auc, calibration_gap, brier) only. A table asked to keep a
 * model's scores holds, in every cell, one double per row of that cell (so a cell's count is
 * always the number of its scores): memory O(rows), 8 bytes a row per kept model (plus
 * growth slack of at most 50%, reserved but mostly never touched), and fg_metrics_compute
 * adds one buffer of 8 bytes a row while it runs. A table that keeps no scores costs nothing
 * more than before. */
#define FG_MAX_SCORED_ROWS ((uint64_t)1 << 32) /* rows whose scores one table keeps */

/* Asks an empty table (no cell yet) to keep the candidate's and/or the incumbent's scores. */
FG_MUST_CHECK enum fg_status fg_counts_keep_scores(struct fg_counts *counts, bool candidate,
                                                   bool incumbent, struct fg_error *err);
bool fg_counts_has_scores(const struct fg_counts *counts, bool incumbent);
/* Adds one row to the cell (value_ids, y_true, candidate, incumbent) with its scores (finite;
 * the score of a model whose scores are not kept is ignored). A table that keeps scores takes
 * rows only this way (or by fg_counts_merge): fg_counts_add refuses n > 0 on it. */
FG_MUST_CHECK enum fg_status fg_counts_add_scored(struct fg_counts *counts,
                                                  const uint32_t *value_ids, int y_true,
                                                  int candidate, int incumbent,
                                                  double candidate_score, double incumbent_score,
                                                  struct fg_error *err);
/* The scores of cell index for one model, in order of addition, *n of them (the cell's
 * count); NULL with *n = 0 when that model's scores are not kept. Borrowed like value_ids. */
const double *fg_counts_cell_scores(const struct fg_counts *counts, size_t index, bool incumbent,
                                    size_t *n);

/* The id of value (len bytes) of attribute attr, when the table holds it: true and *id.
 * Reads only (lib/ingest_parallel.c asks before a merge whether it would pass a limit). */
bool fg_counts_find_value(const struct fg_counts *counts, size_t attr, const char *value,
                          size_t len, uint32_t *id);

/* ---- ingest tuning (lib/ingest.c) ----
 * How ingest reads; fg_ingest_run uses fg_ingest_tuning_default. Tests shrink the sizes to
 * reach every path (blocks, chunks, workers, the libcsv fallback) with small files. */

#define FG_INGEST_MAX_WORKERS 8

struct fg_ingest_tuning {
    size_t block_bytes;      /* the read buffer of each reader and worker (at least 64) */
    uint64_t parallel_min;   /* a regular one-file candidate at least this big is split */
    uint64_t chunk_bytes;    /* the byte range a worker takes at a time */
    unsigned workers;        /* 0: one per online CPU (at most FG_INGEST_MAX_WORKERS) */
    bool libcsv_only;        /* the reference: every byte through libcsv, one thread */
    unsigned settle_seconds; /* split only a file whose ctime is older than this (ingest.c) */
};

void fg_ingest_tuning_default(struct fg_ingest_tuning *tuning);
FG_MUST_CHECK enum fg_status
fg_ingest_run_tuned(const struct fg_policy *policy, const struct fg_ingest_options *options,
                    const struct fg_ingest_tuning *tuning, struct fg_counts **out,
                    struct fg_ingest_result *info, struct fg_error *err);

/* ---- score statistics (lib/scores.c) ---- */

struct fg_score_stats;

/* Fills out (present = true) from one group's scores for one model: negatives[0..n_neg) of
 * the rows whose y_true is 0 and positives[0..n_pos) of those whose y_true is 1. Sorts both
 * arrays in place. favorable orients the score (see struct fg_score_stats); bins is
 * calibration_gap's number of equal-width bins (0: FG_DEFAULT_BINS). brier and
 * calibration_gap are NaN when a score lies outside [0, 1]. */
void fg_score_stats_compute(double *negatives, size_t n_neg, double *positives, size_t n_pos,
                            enum fg_favorable favorable, unsigned bins, struct fg_score_stats *out);
/* Sorts n finite doubles ascending, in place (introsort: O(n log n), no extra memory). */
void fg_scores_sort(double *values, size_t n);

/* ---- libcsv, line by line (lib/csvread.c): what lib/ingest.c and lib/counts_io.c share ---- */

struct csv_parser;

/* Where a libcsv reader is, for messages. */
struct fg_csv_lines {
    unsigned long line;         /* the physical line being fed, 1-based */
    unsigned long pending_line; /* first line of a record no callback has seen yet, or 0 */
    unsigned long record_line;  /* first line of the current record */
    bool in_record;
};

/* csv_init as fairgate reads CSV: strict, the delimiter, no trimming, a field buffer growing
 * by step bytes and capped just past FG_MAX_FIELD. False when out of memory. */
bool fg_csv_init(struct csv_parser *parser, unsigned char delimiter, size_t step);
/* True when libcsv's CSV_ENOMEM came from the cap: a field longer than FG_MAX_FIELD. */
bool fg_csv_field_too_long(struct csv_parser *parser, size_t step);
/* A record's first field begins: its line is the first line fed since the last record. */
void fg_csv_lines_begin_record(struct fg_csv_lines *lines);
/* The first line of the record libcsv is in, even before its first field is complete. */
unsigned long fg_csv_lines_open_record(const struct fg_csv_lines *lines);
/* Feeds bytes to libcsv one physical line at a time, so that records know their line.
 * True when every byte was parsed; false when a callback set *status or libcsv stopped
 * (then csv_error says why). */
bool fg_csv_feed_lines(struct fg_csv_lines *lines, struct csv_parser *parser, const char *bytes,
                       size_t len, void (*on_field)(void *, size_t, void *),
                       void (*on_record)(int, void *), void *data, const enum fg_status *status);

/* ---- metrics (lib/metrics.c) ---- */

/* What the score metrics need of one group and model (filled by fg_metrics_compute when the
 * model is read from a score column). The score's "favourable" direction is respected: with
 * favorable: below a low score is the favourable decision, so auc ranks by -score, and
 * brier/calibration_gap compare the score with the unfavourable outcome it then predicts. */
struct fg_score_stats {
    bool present;           /* the model has a score column */
    uint64_t n, positives;  /* rows with a score; of which y_true is the positive label */
    bool auc_defined;       /* positives > 0 and n - positives > 0 */
    double auc;             /* exact Mann-Whitney with ties counted 1/2 */
    double brier;           /* mean (score - outcome)^2 */
    double calibration_gap; /* expected calibration error over policy->calibration_bins */
};

/* A group's label for people and for `fairgate override --group`: "attr=value" per attribute,
 * joined by " & "; a backslash, '&' or '=' inside a name or value is escaped with a
 * backslash, so that two groups never share a label. "overall" when n is 0. Malloc'd; NULL
 * when out of memory. */
char *fg_group_label(const char *const *attrs, const char *const *values, size_t n);

/* One model's rate intervals for one group, indexed by enum fg_metric from
 * FG_METRIC_BASE_RATE to FG_METRIC_ERROR_RATE (count's entry is unused); [0, 0] where the
 * rate is undefined (den == 0). */
struct fg_rate_intervals {
    double low[FG_METRIC_N_RATES], high[FG_METRIC_N_RATES];
};

struct fg_group {
    size_t attrset;  /* index as fg_policy_attrset; SIZE_MAX for the overall population */
    char **values;   /* one owned copy per attribute of the attrset; NULL for overall */
    size_t n_values; /* the attrset's size; 0 for overall */
    char *label;     /* "sex=Female & race=Black"; "overall" for the overall population */
    struct fg_confusion candidate;
    struct fg_confusion incumbent; /* all 0 when metrics->has_incumbent is false */
    /* Each rate's Wilson interval at level 1 - defaults.alpha, computed once by
     * fg_metrics_compute (the audit writes them as "<metric>_ci"). */
    struct fg_rate_intervals candidate_ci;
    struct fg_rate_intervals incumbent_ci; /* all 0 when metrics->has_incumbent is false */
    struct fg_score_stats candidate_score;
    struct fg_score_stats incumbent_score;
};

struct fg_metrics {
    bool has_incumbent;
    /* The table these were computed from, borrowed (it must outlive the metrics): the
     * paired bootstrap resamples its cells. */
    const struct fg_counts *counts;
    /* groups[0] is the overall population; then, for each attrset in order, its groups
     * sorted by their values (bytewise, attribute by attribute). */
    struct fg_group *groups;
    size_t n_groups;
    size_t *attrset_first; /* first group index of each attrset */
    size_t *attrset_count; /* number of groups of each attrset */
    size_t n_attrsets;
};

/* The value of metric for group g and one model, rate-like: the rate metrics as
 * fg_metric_rate; a score metric with num = 0, den = its own denominator for
 * min_group_size (auc: the smaller of actual positives and actual negatives; brier and
 * calibration_gap: rows with a score) and defined when it can be computed. */
struct fg_rate fg_group_metric(const struct fg_group *group, enum fg_metric metric, bool incumbent);

/* ---- gates (lib/gate.c) ---- */

enum fg_result_status {
    FG_RESULT_PASS,
    FG_RESULT_FAIL,
    FG_RESULT_WARN,
    FG_RESULT_INSUFFICIENT_DATA,
    FG_RESULT_OVERRIDDEN
};
const char *fg_result_status_name(enum fg_result_status status);

/* One model's side of a result. */
struct fg_side {
    bool defined;                  /* the disparity (or overall value) could be computed */
    double value;                  /* disparity, or the overall metric value */
    struct fg_rate group_rate;     /* the group's metric */
    struct fg_rate reference_rate; /* the reference group's metric (disparity gates) */
    size_t reference_group;        /* index into metrics->groups; SIZE_MAX when none */
    enum fg_metric component;      /* equalized_odds: FG_METRIC_TPR or FG_METRIC_FPR */
    double parity_gap; /* disparity gates, when defined: distance from parity (0 at parity,
                        * larger is further; 1 - min(r, 1/r) for a ratio) */
};

enum fg_test { FG_TEST_NONE, FG_TEST_FISHER, FG_TEST_Z, FG_TEST_BOOTSTRAP };
const char *fg_test_name(enum fg_test test);

/* One comparison a result makes: a component (TPR or FPR for equalized odds; the metric
 * otherwise) of the group against its reference, or an overall rate against its bound. */
struct fg_comparison {
    enum fg_metric component;
    bool breach; /* the point estimate is outside a min/max bound */
    bool has_ci;
    double ci_low, ci_high; /* of the value, at level 1 - alpha; ci_high may be +inf */
    bool ci_inside;         /* the whole interval satisfies the min/max bounds */
    enum fg_test test;      /* FG_TEST_NONE: nothing to test (the reference itself, count) */
    double p_value, p_adjusted;
    double multiplier;   /* between_groups: the pairs worst-over-best was selected from */
    double value;        /* the component's own disparity (or overall value) */
    struct fg_side side; /* the candidate's side on this component */
    size_t group;        /* whose comparison (between_groups: each component's worst group) */
};

enum fg_limit { FG_LIMIT_NONE, FG_LIMIT_MIN, FG_LIMIT_MAX, FG_LIMIT_MAX_WORSENING };
const char *fg_limit_name(enum fg_limit limit);

struct fg_gate_result {
    size_t group; /* index into metrics->groups */
    struct fg_side candidate;
    struct fg_side incumbent; /* evaluated for vs_incumbent gates when an incumbent exists */
    bool has_worsening;
    double worsening; /* candidate deviation - incumbent deviation (vs_incumbent) */
    /* Uncertainty (lib/stats.c): the candidate value's interval at level 1 - alpha (Wilson
     * for an overall rate, Katz for a ratio, Newcombe for a difference); the test of the
     * group against its reference (or of an overall rate against its bound), its p-value
     * and the p-value adjusted over every comparison of the gate. */
    bool has_ci;
    double ci_low, ci_high;
    enum fg_test test; /* FG_TEST_NONE: no comparison was made (p-values unset) */
    double p_value, p_adjusted;
    /* vs_incumbent: the paired bootstrap percentile interval of worsening at level
     * 1 - alpha, over resamples_used of the gate's resamples (those where it was defined). */
    bool has_worsening_ci;
    double worsening_low, worsening_high;
    uint64_t resamples_used;
    /* The bootstrap test of "worsening <= max_worsening" (normal approximation with the
     * bootstrap standard error), adjusted over the gate's vs_incumbent comparisons. */
    bool has_worsening_p;
    double worsening_p, worsening_p_adjusted;
    struct fg_comparison comparisons[2];
    size_t n_comparisons;
    bool partial; /* equalized odds judged on one component: the other lacks data */
    enum fg_result_status status;
    char why[256]; /* why this status, for a person; "" when it passed plainly */
    /* The limit that decides this result and how far past it the result is (lib/gate.c,
     * decide_limit): of min, max and max_worsening, the one the result is furthest past
     * (or closest to). FG_LIMIT_NONE when nothing could be compared with a limit. */
    enum fg_limit limit;
    double limit_value; /* the bound, or max_worsening */
    double deviation;   /* > 0 past the limit, < 0 inside it, in the limit's units */
    bool has_limit_at;
    double limit_at; /* where the candidate's own value would meet the limit */
    bool has_worsening_at;
    double worsening_at; /* vs_incumbent: where the candidate's value meets max_worsening */
};

struct fg_gate_outcome {
    const struct fg_gate_spec *spec; /* borrowed from the policy */
    enum fg_result_status status;
    struct fg_gate_result *results;
    size_t n_results;
    /* The result a person should see first (lib/gate.c, pick_worst; decided before any
     * override, which leaves it alone): index into results, SIZE_MAX when none. */
    size_t worst;
    char note[256]; /* gate-level remark (e.g. "no incumbent predictions given") */
};

/* One override offered with --override, and what became of it (lib/override.c). */
struct fg_override_record {
    char *path;                    /* the file it came from */
    char *gate, *group, *approver; /* from the payload; NULL when absent or unreadable */
    /* The group's slice from the payload (attribute -> value, distinct attributes), which
     * alone says what the override covers; has_slice is false for a whole-gate override. */
    bool has_slice;
    char **slice_attrs, **slice_values;
    size_t n_slice;
    char *role, *reason, *ticket;
    char *created, *expires;
    char keyid[65]; /* the key that verified it; "" when none did */
    bool applied;
    char why[512]; /* why rejected, or what it overrode */
};

struct fg_evaluation {
    struct fg_gate_outcome *outcomes; /* one per policy gate, in policy order */
    size_t n_outcomes;
    enum fg_verdict verdict;
    /* In the order offered; owned by the override module (lib/override.c): allocated by
     * fg_override_apply, freed by fg_override_release. */
    struct fg_override_record *overrides;
    size_t n_overrides;
};

/* ---- keys, base64, DSSE envelopes (lib/dsse.c) ----
 *
 * DSSE v1 (github.com/secure-systems-lab/dsse, protocol.md and envelope.md):
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * with LEN the ASCII decimal byte length; the signature is Ed25519 over PAE (no prehash).
 * keyid = lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER. */

/* Standard alphabet with padding; malloc'd NUL-terminated, NULL when out of memory. */
char *fg_base64_encode(const unsigned char *data, size_t len);
/* Accepts the standard and the URL-safe alphabet, with or without padding; rejects
 * anything else (whitespace, mixed alphabets, bad padding, non-zero trailing bits). */
FG_MUST_CHECK enum fg_status fg_base64_decode(const char *text, size_t len, unsigned char **out,
                                              size_t *out_len, struct fg_error *err);
FG_MUST_CHECK enum fg_status fg_dsse_pae(const char *payload_type, const unsigned char *payload,
                                         size_t payload_len, unsigned char **out, size_t *out_len,
                                         struct fg_error *err);

struct fg_dsse_signature {
    char *keyid; /* may be "" when the envelope gave none */
    unsigned char *sig;
    size_t sig_len;
};

struct fg_dsse_envelope {
    char *payload_type;
    unsigned char *payload; /* decoded bytes, NUL-terminated for convenience */
    size_t payload_len;
    struct fg_dsse_signature *signatures;
    size_t n_signatures;
};

/* Signs payload and renders the envelope as one line of JSON (no trailing newline):
 * {"payload":"<b64>","payloadType":"<type>","signatures":[{"keyid":"<hex>","sig":"<b64>"}]} */
FG_MUST_CHECK enum fg_status fg_dsse_sign(const struct fg_key *key, const char *payload_type,
                                          const unsigned char *payload, size_t payload_len,
                                          char **envelope_json, struct fg_error *err);
/* Parses an envelope (JSON object with string payloadType, string payload, array
 * signatures of objects with string sig and optional keyid). FG_ERR_INPUT when the text
 * is not JSON, not an envelope, or holds invalid base64. */
FG_MUST_CHECK enum fg_status fg_dsse_parse(const char *text, size_t len,
                                           struct fg_dsse_envelope **out, struct fg_error *err);
/* True when some signature of env verifies with key over PAE(payload_type, payload);
 * *which (may be NULL) receives its index. */
bool fg_dsse_verify(const struct fg_dsse_envelope *env, const struct fg_key *key, size_t *which);
void fg_dsse_envelope_free(struct fg_dsse_envelope *env);

/* Frees the override records fg_override_apply attached to ev (ev->overrides) and leaves
 * it with none. The override module owns those records: it alone allocates and frees them;
 * fg_evaluation_free calls this. */
void fg_override_release(struct fg_evaluation *ev);

/* ---- small shared helpers (lib/util.c) ---- */

/* Whether s is 64 lowercase hex digits: a SHA-256 as fairgate writes it (a digest, a key
 * id). NULL is not. */
bool fg_is_hex64(const char *s);
/* Lowercase hex of a 32-byte digest (out: 65 bytes). */
void fg_digest_hex(const unsigned char digest[32], char out[65]);
/* Lowercase hex SHA-256 of a memory buffer (out: 65 bytes). On failure (a broken
 * libcrypto) out is "" and an error is set: never a digest-shaped placeholder. */
FG_MUST_CHECK enum fg_status fg_sha256_hex(const void *data, size_t len, char out[65],
                                           struct fg_error *err);
/* Writes all len bytes to fd (retrying short writes), then fsyncs. */
FG_MUST_CHECK enum fg_status fg_fd_write_all(int fd, const char *data, size_t len, const char *path,
                                             struct fg_error *err);
/* Appends "\n" to a malloc'd string; on failure frees it and sets *text to NULL. */
FG_MUST_CHECK enum fg_status fg_text_end_line(char **text, struct fg_error *err);
/* Levenshtein distance, capped: returns cap + 1 when the distance exceeds cap. */
size_t fg_edit_distance(const char *a, const char *b, size_t cap);
/* The closest of candidates[0..n) to word within a small distance, or NULL. */
const char *fg_did_you_mean(const char *word, const char *const *candidates, size_t n);
/* strdup that returns NULL on allocation failure (portable C11). */
char *fg_strdup(const char *s);
char *fg_strndup(const char *s, size_t len);
/* True when len bytes are well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool fg_utf8_valid(const char *text, size_t len);
/* Length of the well-formed UTF-8 sequence (1..4 bytes, no overlong, surrogate or
 * > U+10FFFF) at text, of which len bytes may be read, and its code point when code_point is
 * not NULL; 0 when the sequence is malformed or cut short. For a NUL-terminated text, len may
 * be SIZE_MAX: the NUL ends a sequence as any byte that is not a continuation does. */
size_t fg_utf8_sequence(const char *text, size_t len, uint32_t *code_point);
/* The length of the longest well-formed UTF-8 prefix of text: len when all of it is. */
size_t fg_utf8_valid_prefix(const char *text, size_t len);
/* Formats a double for people: "%.4g"-like but stable, or "undefined". */
void fg_format_number(char *buf, size_t size, bool defined, double value);

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

#endif /* FAIRGATE_INTERNAL_H */
