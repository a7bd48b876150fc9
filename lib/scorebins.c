/*
 * scorebins.c - score bins: the grid, the records a counts table keeps of them, how they are
 * made from rows, checked against the cells, and what they give for one group (the score
 * metrics with auc's error bound, the report's curves, confusion counts at a grid threshold).
 * The grid and the precision of each metric are described in scorebins.h.
 *
 * Invariants:
 * - A store's records are keyed (value ids, y_true, model, bin); after fg_score_bins_finish
 *   they are sorted by that key, each key once, every n > 0. Unused value ids are 0, so keys
 *   compare as whole arrays.
 * - Records come from a bins file (lib/counts_io.c), from the scores a table keeps
 *   (fg_score_bins_from_scores) or from merging (fg_score_bins_merge); at most
 *   FG_MAX_BIN_RECORDS.
 * - fg_score_bin and calibration_gap's bins (lib/scores.c) both put s in [E_b, E_(b+1)) with
 *   E_b the correctly rounded b / bins, so that a calibration bin is exactly a run of grid
 *   bins when its count divides FG_SCORE_GRID.
 *
 * Ownership: see scorebins.h.
 */
#include "scorebins.h"
#include "counts.h"
#include "metric.h"
#include "policy.h"
#include "scores.h"
#include "util.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the grid ---- */

double fg_score_edge(int k)
{
    return (double)k / FG_SCORE_GRID; /* correctly rounded: the double nearest k / grid */
}

int fg_score_bin(double score)
{
    if (score < 0)
        return FG_SCORE_BIN_BELOW;
    if (score > 1)
        return FG_SCORE_BIN_ABOVE;
    if (score >= 1)
        return FG_SCORE_GRID - 1;
    /* floor(s * grid) is off by at most one near an edge (two roundings); fix it by the edges */
    double guess = floor(score * FG_SCORE_GRID);
    int k = guess < 0 ? 0 : guess > FG_SCORE_GRID - 1 ? FG_SCORE_GRID - 1 : (int)guess;
    while (k > 0 && score < fg_score_edge(k))
        k--;
    while (k + 1 < FG_SCORE_GRID && score >= fg_score_edge(k + 1))
        k++;
    return k;
}

/* ---- the store ---- */

struct fg_score_bins {
    size_t n_attrs;
    struct fg_bin_record *records;
    size_t n, cap;
};

enum fg_status fg_score_bins_new(size_t n_attrs, struct fg_score_bins **out, struct fg_error *err)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    (*out)->n_attrs = n_attrs;
    return FG_OK;
}

void fg_score_bins_free(struct fg_score_bins *bins)
{
    if (bins == NULL)
        return;
    free(bins->records);
    free(bins);
}

enum fg_status fg_score_bins_add(struct fg_score_bins *bins, const struct fg_bin_record *record,
                                 struct fg_error *err)
{
    if (bins->n == bins->cap) {
        if (bins->n >= FG_MAX_BIN_RECORDS)
            return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                                "more than %zu score bin records in one table",
                                (size_t)FG_MAX_BIN_RECORDS);
        size_t cap = bins->cap ? bins->cap * 2 : 256;
        struct fg_bin_record *grown = realloc(bins->records, cap * sizeof *grown);
        if (grown == NULL)
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        bins->records = grown;
        bins->cap = cap;
    }
    bins->records[bins->n++] = *record;
    return FG_OK;
}

/* Orders records by (value ids, y_true, model) and, when with_bin, then by bin. */
static int compare_key(const struct fg_bin_record *a, const struct fg_bin_record *b, bool with_bin)
{
    int c = memcmp(a->value_ids, b->value_ids, sizeof a->value_ids);
    if (c != 0)
        return c;
    if (a->y_true != b->y_true)
        return a->y_true < b->y_true ? -1 : 1;
    if (a->incumbent != b->incumbent)
        return a->incumbent < b->incumbent ? -1 : 1;
    if (!with_bin || a->bin == b->bin)
        return 0;
    return a->bin < b->bin ? -1 : 1;
}

static int compare_record(const void *a, const void *b)
{
    return compare_key(a, b, true);
}

enum fg_status fg_score_bins_finish(struct fg_score_bins *bins, struct fg_error *err)
{
    if (bins->n == 0)
        return FG_OK;
    qsort(bins->records, bins->n, sizeof *bins->records, compare_record);
    size_t used = 0;
    for (size_t i = 0; i < bins->n; i++) {
        const struct fg_bin_record *r = &bins->records[i];
        struct fg_bin_record *last = used > 0 ? &bins->records[used - 1] : NULL;
        if (last == NULL || compare_key(last, r, true) != 0) {
            bins->records[used++] = *r;
            continue;
        }
        if (last->n > UINT64_MAX - r->n)
            return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                                "a score bin's count would pass 2^64 - 1");
        last->n += r->n;
        last->sum += r->sum;
        last->sum_squares += r->sum_squares;
    }
    bins->n = used;
    return FG_OK;
}

enum fg_status fg_score_bins_merge(struct fg_score_bins *dst, const struct fg_score_bins *src,
                                   uint32_t *const *maps, struct fg_error *err)
{
    size_t n = src->n; /* read once: src may be dst */
    enum fg_status status = FG_OK;
    for (size_t i = 0; i < n && status == FG_OK; i++) {
        struct fg_bin_record r = src->records[i];
        for (size_t a = 0; a < src->n_attrs; a++)
            r.value_ids[a] = maps[a][r.value_ids[a]];
        status = fg_score_bins_add(dst, &r, err);
    }
    return status == FG_OK ? fg_score_bins_finish(dst, err) : status;
}

size_t fg_score_bins_count(const struct fg_score_bins *bins)
{
    return bins == NULL ? 0 : bins->n;
}

const struct fg_bin_record *fg_score_bins_records(const struct fg_score_bins *bins)
{
    return bins == NULL ? NULL : bins->records;
}

bool fg_score_bins_has_model(const struct fg_score_bins *bins, bool incumbent)
{
    for (size_t i = 0; i < fg_score_bins_count(bins); i++)
        if (bins->records[i].incumbent == incumbent)
            return true;
    return false;
}

const struct fg_bin_record *fg_score_bins_find(const struct fg_score_bins *bins,
                                               const uint32_t *value_ids, int y_true,
                                               bool incumbent, size_t *n_out)
{
    *n_out = 0;
    if (bins == NULL || bins->n == 0)
        return NULL;
    struct fg_bin_record key;
    memset(&key, 0, sizeof key);
    memcpy(key.value_ids, value_ids, bins->n_attrs * sizeof *value_ids);
    key.y_true = y_true != 0;
    key.incumbent = incumbent;
    size_t lo = 0, hi = bins->n; /* the first record whose key is not below */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compare_key(&bins->records[mid], &key, false) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < bins->n && compare_key(&bins->records[end], &key, false) == 0)
        end++;
    *n_out = end - lo;
    return end > lo ? &bins->records[lo] : NULL;
}

/* ---- from the scores a table keeps ---- */

/* Appends the bins of sorted scores[0..n) under key (value ids, y_true, model). */
static enum fg_status bin_sorted(struct fg_score_bins *bins, struct fg_bin_record key,
                                 const double *scores, size_t n, struct fg_error *err)
{
    enum fg_status status = FG_OK;
    for (size_t i = 0; i < n && status == FG_OK;) {
        int bin = fg_score_bin(scores[i]);
        struct fg_ksum sum = {0, 0}, squares = {0, 0};
        size_t j = i;
        for (; j < n && fg_score_bin(scores[j]) == bin; j++) {
            fg_ksum_add(&sum, scores[j]);
            fg_ksum_add(&squares, scores[j] * scores[j]);
        }
        key.bin = bin;
        key.n = j - i;
        key.sum = fg_ksum_value(&sum);
        key.sum_squares = fg_ksum_value(&squares);
        if (!isfinite(key.sum) || !isfinite(key.sum_squares)) /* a score past +-1.3e154 */
            return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                                "score %g is too large for the score bins: the sum of the "
                                "squares of its bin (%d) overflows a double; rescale the "
                                "scores, or gate on the rows (--candidate)",
                                fabs(scores[i]) > fabs(scores[j - 1]) ? scores[i] : scores[j - 1],
                                bin);
        status = fg_score_bins_add(bins, &key, err);
        i = j;
    }
    return status;
}

/* The scores of one model of the cells order[from..to) (one (values, y_true)), sorted. */
static size_t gather_scores(const struct fg_counts *counts, const size_t *order, size_t from,
                            size_t to, bool incumbent, double *buffer)
{
    size_t used = 0;
    for (size_t i = from; i < to; i++) {
        size_t n = 0;
        const double *scores = fg_counts_cell_scores(counts, order[i], incumbent, &n);
        if (n > 0)
            memcpy(buffer + used, scores, n * sizeof *scores);
        used += n;
    }
    fg_scores_sort(buffer, used);
    return used;
}

/* Whether cells a and b share their values and y_true. */
static bool same_key(const struct fg_counts *counts, size_t a, size_t b)
{
    struct fg_cell ca, cb;
    fg_counts_cell(counts, a, &ca);
    fg_counts_cell(counts, b, &cb);
    size_t n_attrs = fg_counts_attr_count(counts);
    return ca.y_true == cb.y_true &&
           (n_attrs == 0 || memcmp(ca.value_ids, cb.value_ids, n_attrs * sizeof(uint32_t)) == 0);
}

/* Bins every run of order[] (cells in canonical order: one (values, y_true) is a run). */
static enum fg_status bin_runs(struct fg_counts *counts, const size_t *order, size_t n_cells,
                               double *buffer, struct fg_score_bins *bins, struct fg_error *err)
{
    enum fg_status status = FG_OK;
    size_t n_attrs = fg_counts_attr_count(counts);
    for (size_t i = 0; i < n_cells && status == FG_OK;) {
        size_t j = i + 1;
        while (j < n_cells && same_key(counts, order[i], order[j]))
            j++;
        struct fg_cell cell;
        fg_counts_cell(counts, order[i], &cell);
        for (size_t m = 0; m < 2 && status == FG_OK; m++) {
            if (!fg_counts_has_scores(counts, m == 1))
                continue;
            struct fg_bin_record key;
            memset(&key, 0, sizeof key);
            memcpy(key.value_ids, cell.value_ids, n_attrs * sizeof *key.value_ids);
            key.y_true = cell.y_true;
            key.incumbent = m == 1;
            size_t n = gather_scores(counts, order, i, j, m == 1, buffer);
            status = bin_sorted(bins, key, buffer, n, err);
        }
        i = j;
    }
    return status;
}

enum fg_status fg_score_bins_from_scores(struct fg_counts *counts, struct fg_error *err)
{
    if (!fg_counts_has_scores(counts, false) && !fg_counts_has_scores(counts, true))
        return FG_OK;
    size_t n_cells = fg_counts_cell_count(counts);
    uint64_t total = fg_counts_total(counts);
    if (total > SIZE_MAX / sizeof(double) - 1)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0, "too many scores for this machine");
    size_t *order = NULL;
    struct fg_score_bins *bins = NULL;
    double *buffer = malloc(((size_t)total + 1) * sizeof *buffer);
    enum fg_status status = buffer == NULL
                                ? fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory")
                                : fg_counts_canonical_order(counts, &order, err);
    if (status == FG_OK)
        status = fg_score_bins_new(fg_counts_attr_count(counts), &bins, err);
    if (status == FG_OK)
        status = bin_runs(counts, order, n_cells, buffer, bins, err);
    if (status == FG_OK)
        status = fg_score_bins_finish(bins, err);
    free(order);
    free(buffer);
    if (status != FG_OK) {
        fg_score_bins_free(bins);
        return status;
    }
    fg_counts_set_bins(counts, bins);
    return FG_OK;
}

/* ---- checks ---- */

/* The first gate on a score metric, or NULL. *probability: a gate on brier or calibration_gap. */
static const struct fg_gate_spec *first_score_gate(const struct fg_policy *policy,
                                                   bool *probability)
{
    const struct fg_gate_spec *first = NULL;
    *probability = false;
    for (size_t g = 0; g < policy->n_gates; g++) {
        enum fg_metric metric = policy->gates[g].metric;
        if (fg_metric_is_score(metric) && first == NULL)
            first = &policy->gates[g];
        *probability =
            *probability || metric == FG_METRIC_BRIER || metric == FG_METRIC_CALIBRATION_GAP;
    }
    return first;
}

bool fg_score_bins_needed(const struct fg_policy *policy)
{
    bool probability = false;
    return first_score_gate(policy, &probability) != NULL;
}

enum fg_status fg_score_bins_policy_check(const struct fg_policy *policy, struct fg_error *err)
{
    unsigned bins = policy->calibration_bins ? policy->calibration_bins : FG_DEFAULT_BINS;
    for (size_t g = 0; g < policy->n_gates; g++) {
        const struct fg_gate_spec *spec = &policy->gates[g];
        if (spec->metric == FG_METRIC_CALIBRATION_GAP && FG_SCORE_GRID % bins != 0)
            return fg_error_set(err, FG_ERR_POLICY, policy->path, spec->mark.line,
                                spec->mark.column,
                                "gate '%s': calibration_gap over %u bins cannot be computed from "
                                "score bins: their edges fall inside the %d-bin grid's bins; "
                                "use a number of bins that divides %d (5, 10, 20, 25, 50, "
                                "100...) or gate on the rows (--candidate)",
                                spec->id, bins, FG_SCORE_GRID, FG_SCORE_GRID);
    }
    return FG_OK;
}

/* "sex=Female & race=Black, y_true 1" for messages. */
static void key_text(const struct fg_policy *policy, const struct fg_counts *counts,
                     const uint32_t *ids, int y_true, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < policy->data.n_protected && used < size; a++) {
        int n = snprintf(buf + used, size - used, "%s%.60s=%.60s", a ? " & " : "",
                         policy->data.protected[a], fg_counts_value(counts, a, ids[a]));
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < size)
        snprintf(buf + used, size - used, "%sy_true %d", used ? ", " : "", y_true);
}

/* Every (values, y_true) of the cells has as many rows in each scored model's bins as in the
 * cells, and every key of the bins has cells. */
static enum fg_status check_rows(const struct fg_policy *policy, const struct fg_counts *counts,
                                 const bool scored[2], struct fg_error *err)
{
    const struct fg_score_bins *bins = fg_counts_bins(counts);
    uint64_t *cell_rows = calloc(bins->n + 1, sizeof *cell_rows); /* at each key's first */
    if (cell_rows == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    static const char *const model_names[2] = {"candidate", "incumbent"};
    char where[512];
    enum fg_status status = FG_OK;
    for (size_t i = 0; i < fg_counts_cell_count(counts) && status == FG_OK; i++) {
        struct fg_cell cell;
        fg_counts_cell(counts, i, &cell);
        for (size_t m = 0; m < 2 && status == FG_OK && cell.count > 0; m++) {
            size_t n = 0;
            const struct fg_bin_record *first =
                scored[m] ? fg_score_bins_find(bins, cell.value_ids, cell.y_true, m == 1, &n)
                          : NULL;
            if (scored[m] && first != NULL)
                cell_rows[first - bins->records] += cell.count; /* <= total: no overflow */
            if (!scored[m] || first != NULL)
                continue;
            key_text(policy, counts, cell.value_ids, cell.y_true, where, sizeof where);
            status = fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                                  "the score bins do not fit the counts: %s has rows in the "
                                  "counts and none in the %s's score bins (give the bins made "
                                  "with these counts, from the same rows)",
                                  where, model_names[m]);
        }
    }
    for (size_t i = 0; i < bins->n && status == FG_OK;) {
        uint64_t in_bins = 0;
        size_t j = i;
        for (; j < bins->n && compare_key(&bins->records[i], &bins->records[j], false) == 0; j++)
            in_bins = bins->records[j].n > UINT64_MAX - in_bins ? UINT64_MAX
                                                                : in_bins + bins->records[j].n;
        if (in_bins != cell_rows[i]) {
            const struct fg_bin_record *r = &bins->records[i];
            key_text(policy, counts, r->value_ids, r->y_true, where, sizeof where);
            status = fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                                  "the score bins do not fit the counts: %s has %llu rows in the "
                                  "counts and %llu in the %s's score bins (give the bins made "
                                  "with these counts, from the same rows)",
                                  where, (unsigned long long)cell_rows[i],
                                  (unsigned long long)in_bins, model_names[r->incumbent]);
        }
        i = j;
    }
    free(cell_rows);
    return status;
}

/* With brier or calibration_gap gated, a score outside [0, 1] is refused, as on the rows. */
static enum fg_status check_range(const struct fg_policy *policy, const struct fg_counts *counts,
                                  struct fg_error *err)
{
    const struct fg_score_bins *bins = fg_counts_bins(counts);
    for (size_t i = 0; i < bins->n; i++) {
        const struct fg_bin_record *r = &bins->records[i];
        if (r->bin != FG_SCORE_BIN_BELOW && r->bin != FG_SCORE_BIN_ABOVE)
            continue;
        char where[512];
        key_text(policy, counts, r->value_ids, r->y_true, where, sizeof where);
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "the %s's score bins of %s hold %llu score%s %s (bin %d); brier "
                            "and calibration_gap need probabilities, as on the rows",
                            r->incumbent ? "incumbent" : "candidate", where,
                            (unsigned long long)r->n, r->n == 1 ? "" : "s",
                            r->bin < 0 ? "below 0" : "above 1", r->bin);
    }
    return FG_OK;
}

/* A policy without a score gate: no bins, or the candidate's alone when it reads a score (the
 * bins `fairgate sweep` moves the threshold over; check reads them only to test that they fit). */
static enum fg_status sweep_bins(const struct fg_policy *policy, const struct fg_counts *counts,
                                 struct fg_error *err)
{
    const struct fg_score_bins *bins = fg_counts_bins(counts);
    if (fg_score_bins_count(bins) == 0)
        return FG_OK;
    if (policy->data.candidate.score == NULL || fg_score_bins_has_model(bins, true))
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "score bins were given, but policy %s gates on no score metric "
                            "(auc, brier, calibration_gap)%s: give its counts file alone",
                            policy->path ? policy->path : "",
                            policy->data.candidate.score != NULL
                                ? " and reads only the candidate's bins (fairgate sweep)"
                                : "");
    const bool scored[2] = {true, false};
    return check_rows(policy, counts, scored, err);
}

enum fg_status fg_score_bins_validate(const struct fg_policy *policy,
                                      const struct fg_counts *counts, struct fg_error *err)
{
    bool probability = false;
    const struct fg_gate_spec *gate = first_score_gate(policy, &probability);
    const struct fg_score_bins *bins = fg_counts_bins(counts);
    if (gate == NULL)
        return sweep_bins(policy, counts, err);
    const struct fg_model_spec *models[2] = {&policy->data.candidate, &policy->data.incumbent};
    static const char *const names[2] = {"candidate", "incumbent"};
    bool scored[2];
    for (size_t m = 0; m < 2; m++) {
        scored[m] = models[m]->present && models[m]->score != NULL;
        bool has = fg_score_bins_has_model(bins, m == 1);
        if (scored[m] && !has)
            return fg_error_set(err, FG_ERR_POLICY, policy->path, gate->mark.line,
                                gate->mark.column,
                                "gate '%s' uses %s, a score metric, which cannot be computed "
                                "from counts alone (they hold decisions, not scores): give the "
                                "%s's score bins file too (`fairgate counts --bins-out`, "
                                "`fairgate sql --bins`), or gate on the rows (--candidate)",
                                gate->id, fg_metric_name(gate->metric), names[m]);
        if (!scored[m] && has)
            return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                                "the score bins hold %s scores, but the policy reads no score "
                                "of the %s (data.%s)",
                                names[m], names[m], names[m]);
    }
    enum fg_status status = check_rows(policy, counts, scored, err);
    if (status == FG_OK && probability)
        status = check_range(policy, counts, err);
    return status;
}

/* ---- one group ---- */

enum fg_status fg_binned_new(struct fg_binned **out, struct fg_error *err)
{
    *out = calloc(1, sizeof **out);
    return *out == NULL ? fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory") : FG_OK;
}

void fg_binned_free(struct fg_binned *binned)
{
    free(binned);
}

/* One key's records: where they start and how many. */
struct key_run {
    const struct fg_bin_record *first;
    size_t n;
};

static int compare_run(const void *a, const void *b)
{
    const struct fg_bin_record *x = ((const struct key_run *)a)->first;
    const struct fg_bin_record *y = ((const struct key_run *)b)->first;
    return x < y ? -1 : x > y;
}

enum fg_status fg_score_bins_gather(const struct fg_counts *counts, const size_t *cells,
                                    size_t n_cells, bool incumbent, struct fg_binned *out,
                                    struct fg_error *err)
{
    memset(out, 0, sizeof *out);
    const struct fg_score_bins *bins = fg_counts_bins(counts);
    size_t total = cells != NULL ? n_cells : fg_counts_cell_count(counts);
    struct key_run *runs = malloc((total + 1) * sizeof *runs);
    if (runs == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t n_runs = 0;
    for (size_t i = 0; i < total; i++) {
        struct fg_cell cell;
        fg_counts_cell(counts, cells != NULL ? cells[i] : i, &cell);
        struct key_run run;
        run.first = fg_score_bins_find(bins, cell.value_ids, cell.y_true, incumbent, &run.n);
        if (run.first != NULL)
            runs[n_runs++] = run;
    }
    /* cells that differ only in their decisions share a key: count its bins once */
    qsort(runs, n_runs, sizeof *runs, compare_run);
    for (size_t i = 0; i < n_runs; i++) {
        if (i > 0 && runs[i].first == runs[i - 1].first)
            continue;
        for (size_t k = 0; k < runs[i].n; k++) {
            const struct fg_bin_record *r = &runs[i].first[k];
            size_t slot = (size_t)(r->bin + 1);
            out->n[r->y_true][slot] += r->n;
            out->sum[r->y_true][slot] += r->sum;
            out->sum_squares[r->y_true][slot] += r->sum_squares;
        }
    }
    free(runs);
    return FG_OK;
}

void fg_binned_confusion(const struct fg_binned *binned, int edge, enum fg_favorable favorable,
                         struct fg_confusion *out)
{
    *out = (struct fg_confusion){0, 0, 0, 0};
    for (int slot = 0; slot < FG_SCORE_SLOTS; slot++) {
        int bin = slot - 1;
        bool favourable = favorable == FG_FAVORABLE_ABOVE ? bin >= edge : bin < edge;
        uint64_t neg = binned->n[0][slot], pos = binned->n[1][slot];
        out->tp += favourable ? pos : 0;
        out->fn += favourable ? 0 : pos;
        out->fp += favourable ? neg : 0;
        out->tn += favourable ? 0 : neg;
    }
}

/* ---- one group's score metrics ---- */

/* auc and its error bound (scorebins.h), from the bins in score order. */
static void binned_auc(const struct fg_binned *b, uint64_t n_neg, uint64_t n_pos, bool above,
                       struct fg_score_stats *out)
{
    out->auc_defined = n_neg > 0 && n_pos > 0;
    if (!out->auc_defined)
        return;
    bool exact = n_pos <= UINT64_MAX / 2 / n_neg; /* 2 n+ n- fits: every sum below does */
    uint64_t u2 = 0, ties = 0, below = 0;
    long double wide_u2 = 0, wide_ties = 0, wide_below = 0;
    for (int slot = 0; slot < FG_SCORE_SLOTS; slot++) {
        uint64_t neg = b->n[0][slot], pos = b->n[1][slot];
        if (exact) {
            u2 += pos * (2 * below + neg);
            ties += pos * neg;
            below += neg;
        } else {
            wide_u2 += (long double)pos * (2 * wide_below + (long double)neg);
            wide_ties += (long double)pos * (long double)neg;
            wide_below += (long double)neg;
        }
    }
    long double pairs2 = 2.0L * (long double)n_pos * (long double)n_neg;
    long double twice_u = exact ? (long double)u2 : wide_u2;
    if (!above)
        twice_u = pairs2 - twice_u; /* ranked by -score */
    out->auc = (double)(twice_u / pairs2);
    out->auc_error_bound = (double)((exact ? (long double)ties : wide_ties) / pairs2);
}

/* brier from the sums: sum s^2 - 2 sum_{t=1} s + n_{t=1}, over n. t_of[y] is the outcome t. */
static double binned_brier(const struct fg_binned *b, uint64_t n, const int t_of[2])
{
    struct fg_ksum squares = {0, 0};
    for (int slot = 0; slot < FG_SCORE_SLOTS; slot++)
        for (int y = 0; y < 2; y++) {
            if (b->n[y][slot] == 0)
                continue;
            fg_ksum_add(&squares, b->sum_squares[y][slot]);
            if (t_of[y]) {
                fg_ksum_add(&squares, -2.0 * b->sum[y][slot]);
                fg_ksum_add(&squares, (double)b->n[y][slot]);
            }
        }
    double value = fg_ksum_value(&squares);
    return (value > 0 ? value : 0.0) / (double)n;
}

/* calibration_gap over bins calibration bins (each a run of FG_SCORE_GRID / bins grid bins);
 * when out is not NULL, each non-empty bin is written there (room for bins). */
static double binned_calibration(const struct fg_binned *b, uint64_t n, const int t_of[2],
                                 unsigned bins, struct fg_calibration_bin *out, size_t *n_out)
{
    int width = FG_SCORE_GRID / (int)bins;
    struct fg_ksum gap = {0, 0};
    size_t used = 0;
    for (unsigned c = 0; c < bins; c++) {
        struct fg_ksum scores = {0, 0};
        uint64_t in_bin = 0, outcomes = 0;
        for (int slot = 1 + (int)c * width; slot < 1 + ((int)c + 1) * width; slot++)
            for (int y = 0; y < 2; y++) {
                fg_ksum_add(&scores, b->sum[y][slot]);
                in_bin += b->n[y][slot];
                outcomes += t_of[y] ? b->n[y][slot] : 0;
            }
        if (in_bin == 0)
            continue;
        double s = fg_ksum_value(&scores);
        fg_ksum_add(&gap, fabs(s - (double)outcomes));
        if (out != NULL)
            out[used++] = (struct fg_calibration_bin){
                .low = (double)c / bins,
                .high = (double)(c + 1) / bins,
                .n = in_bin,
                .mean_score = s / (double)in_bin,
                .observed = (double)outcomes / (double)in_bin,
            };
    }
    if (n_out != NULL)
        *n_out = used;
    return fg_ksum_value(&gap) / (double)n;
}

/* The cut of the ROC vertex reached after bin: rows at or towards the favourable side of it
 * are predicted favourable (score >= cut for above, score <= cut for below), exactly the rows
 * of the bins walked so far. */
static double roc_cut(int bin, bool above)
{
    if (above)
        return bin == FG_SCORE_BIN_BELOW   ? -DBL_MAX
               : bin == FG_SCORE_BIN_ABOVE ? nextafter(1.0, 2.0)
                                           : fg_score_edge(bin);
    return bin == FG_SCORE_BIN_BELOW   ? nextafter(0.0, -1.0)
           : bin == FG_SCORE_BIN_ABOVE ? DBL_MAX
           : bin == FG_SCORE_GRID - 1  ? 1.0
                                       : nextafter(fg_score_edge(bin + 1), 0.0);
}

/* The ROC vertices through the bin edges from the favourable end, thinned (fg_roc_keep);
 * out has room for FG_ROC_MAX_POINTS. */
static size_t binned_roc(const struct fg_binned *b, uint64_t n_neg, uint64_t n_pos, bool above,
                         struct fg_roc_point *out)
{
    size_t used = 0;
    uint64_t fp = 0, tp = 0;
    unsigned last_step = 0;
    out[used++] = (struct fg_roc_point){0.0, 0.0, false, 0.0};
    for (int k = 0; k < FG_SCORE_SLOTS; k++) {
        int slot = above ? FG_SCORE_SLOTS - 1 - k : k;
        if (b->n[0][slot] == 0 && b->n[1][slot] == 0)
            continue;
        fp += b->n[0][slot];
        tp += b->n[1][slot];
        bool last = fp == n_neg && tp == n_pos;
        if (fg_roc_keep(fp, n_neg, tp, n_pos, last, &last_step))
            out[used++] =
                (struct fg_roc_point){(double)fp / (double)n_neg, (double)tp / (double)n_pos, true,
                                      roc_cut(slot - 1, above)};
    }
    return used;
}

static enum fg_status binned_curves(const struct fg_binned *b, uint64_t n_neg, uint64_t n_pos,
                                    bool in_range, const int t_of[2], bool above, unsigned bins,
                                    struct fg_score_curves **out, struct fg_error *err)
{
    struct fg_score_curves *c = NULL;
    enum fg_status st =
        fg_score_curves_new(bins, n_neg + n_pos > 0 && in_range, n_neg > 0 && n_pos > 0, bins,
                            FG_ROC_MAX_POINTS, &c, err);
    if (st != FG_OK)
        return st;
    if (c->calibration_defined)
        binned_calibration(b, n_neg + n_pos, t_of, bins, c->bin, &c->n_bins);
    if (c->roc_defined)
        c->n_roc = binned_roc(b, n_neg, n_pos, above, c->roc);
    *out = c;
    return FG_OK;
}

enum fg_status fg_binned_stats(const struct fg_binned *binned, enum fg_favorable favorable,
                               unsigned calibration_bins, struct fg_score_stats *out,
                               struct fg_score_curves **curves, struct fg_error *err)
{
    unsigned bins = calibration_bins ? calibration_bins : FG_DEFAULT_BINS;
    if (FG_SCORE_GRID % bins != 0)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "calibration_gap over %u bins cannot be computed from score bins",
                            bins);
    uint64_t n_neg = 0, n_pos = 0;
    for (int slot = 0; slot < FG_SCORE_SLOTS; slot++) {
        n_neg += binned->n[0][slot];
        n_pos += binned->n[1][slot];
    }
    bool above = favorable == FG_FAVORABLE_ABOVE;
    uint64_t n = n_neg + n_pos;
    *out = (struct fg_score_stats){.present = true, .n = n, .positives = n_pos, .binned = true};
    binned_auc(binned, n_neg, n_pos, above, out);
    bool in_range = binned->n[0][0] + binned->n[1][0] == 0 &&
                    binned->n[0][FG_SCORE_SLOTS - 1] + binned->n[1][FG_SCORE_SLOTS - 1] == 0;
    const int t_of[2] = {above ? 0 : 1, above ? 1 : 0}; /* the outcome the score predicts */
    if (n > 0 && !in_range) {
        out->brier = NAN;
        out->calibration_gap = NAN;
    } else if (n > 0) {
        out->brier = binned_brier(binned, n, t_of);
        out->calibration_gap = binned_calibration(binned, n, t_of, bins, NULL, NULL);
    }
    if (curves == NULL)
        return FG_OK;
    return binned_curves(binned, n_neg, n_pos, in_range, t_of, above, bins, curves, err);
}
