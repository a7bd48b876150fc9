/*
 * sweep.c - `fairgate sweep`: every gate's value and status, and the overall accuracy, at each
 * threshold of a grid, for a candidate read from a score column (README "Threshold sweep").
 *
 * How (one pass over the inputs, then O(groups x grid) per threshold):
 * - The rows are read keeping the candidate's scores and reduced to score bins exactly as
 *   `fairgate counts --bins-out` does (fg_score_bins_from_scores); counts files must hold
 *   them. Either table is then copied into a canonical one (values interned in byte order,
 *   only those some cell holds; cells in canonical order; the scores dropped, the bins kept),
 *   so that rows and their counts files give the same table and the same bytes.
 * - fg_metrics_compute on it gives the groups, the incumbent's counts (its decisions as
 *   given: they do not move with the candidate's threshold) and, from the bins, the score
 *   metrics, which no threshold changes.
 * - Each group's candidate bins are gathered once (fg_score_bins_gather) and its confusion
 *   counts at every grid edge E_k read off by a running sum, exactly as ingest decides a
 *   row (fg_binned_confusion): favorable: above predicts favourable when score >= E_k.
 * - At each threshold the groups' candidate counts (and their Wilson intervals) are put in a
 *   copy of the metrics and fg_gate_evaluate judges them as check does. The copy names no
 *   counts table, so the paired bootstrap of vs_incumbent does not run: its interval is not
 *   shown, and a gate whose status rests on it (evidence: significant or confident) is
 *   refused before anything is read.
 *
 * Ownership: fg_sweep_run's result is the caller's (fg_sweep_result_free); everything else is
 * released before it returns.
 */
#include "sweep.h"
#include "buf.h"
#include "counts.h"
#include "fairgate.h"
#include "metric.h"
#include "metrics.h"
#include "policy.h"
#include "scorebins.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWEEP_CAP_CSV     ((size_t)256 << 20)
#define SWEEP_CAP_SUMMARY ((size_t)1 << 20)

/* ---- the request ---- */

/* The grid step in bins: grid must be a multiple of 1e-4 in (0, 1). */
static enum fg_status grid_step(double grid, int *step, struct fg_error *err)
{
    if (grid == 0)
        grid = FG_SWEEP_DEFAULT_GRID;
    double bins = grid * FG_SCORE_GRID;
    double k = nearbyint(bins);
    char text[64];
    fg_format_exact(text, sizeof text, grid);
    if (!(grid > 0 && grid < 1) || k < 1 || fabs(bins - k) > 1e-6)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "--grid %s: the step between thresholds must be a multiple of the "
                            "score bins' width 0.0001 between 0.0001 and 0.9999 (the thresholds "
                            "are bin edges)",
                            text);
    *step = (int)k;
    return FG_OK;
}

/* What a sweep cannot do: a candidate without a score, a gate whose status rests on the
 * paired bootstrap (bins do not pair the two models' decisions row by row). */
static enum fg_status policy_fits(const struct fg_policy *policy, struct fg_error *err)
{
    const struct fg_model_spec *c = &policy->data.candidate;
    if (c->score == NULL)
        return fg_error_set(err, FG_ERR_POLICY, policy->path, c->column_mark.line,
                            c->column_mark.column,
                            "sweep moves the threshold of a score, but data.candidate reads "
                            "decisions (prediction: '%s'): give the candidate as { score: "
                            "COLUMN, threshold: T }",
                            c->prediction ? c->prediction : "");
    for (size_t i = 0; i < policy->n_gates; i++) {
        const struct fg_gate_spec *g = &policy->gates[i];
        if (!g->has_max_worsening || g->evidence == FG_EVIDENCE_POINT ||
            !policy->data.incumbent.present || fg_metric_is_score(g->metric) ||
            fg_metric_is_index(g->metric))
            continue;
        return fg_error_set(err, FG_ERR_POLICY, policy->path, g->mark.line, g->mark.column,
                            "gate '%s': sweep cannot judge a vs_incumbent gate under evidence: "
                            "%s, which rests on the paired bootstrap of both models' decisions "
                            "row by row, and score bins do not pair them; sweep a copy of the "
                            "policy with evidence: point for this gate",
                            g->id, fg_evidence_name(g->evidence));
    }
    return fg_score_bins_policy_check(policy, err);
}

/* ---- reading ---- */

/* The rows or the counts files, as a table that holds the candidate's score bins. */
static enum fg_status read_table(const struct fg_sweep_request *rq, const struct fg_policy *policy,
                                 struct fg_counts **out, struct fg_error *err)
{
    enum fg_status st;
    if (rq->n_counts > 0) {
        struct fg_counts_info *infos = calloc(rq->n_counts, sizeof *infos);
        if (infos == NULL)
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        st = fg_counts_load_files(policy, rq->counts_paths, rq->n_counts, out, infos, err);
        free(infos);
        if (st == FG_OK && !fg_score_bins_has_model(fg_counts_bins(*out), false))
            st = fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                              "sweep needs the candidate's score bins beside the counts: give "
                              "the file of `fairgate counts --bins-out` (or of `fairgate sql "
                              "--bins`) as another --counts");
        return st;
    }
    struct fg_ingest_options options = {.candidate_path = rq->candidate_path,
                                        .incumbent_path = rq->incumbent_path,
                                        .progress = rq->progress,
                                        .progress_user = rq->progress_user,
                                        .keep_candidate_scores = true};
    struct fg_ingest_result info;
    st = fg_ingest_run(policy, &options, out, &info, err);
    if (st == FG_OK)
        st = fg_score_bins_from_scores(*out, err);
    return st;
}

struct ranked {
    const char *value;
    uint32_t id;
};

static int compare_ranked(const void *a, const void *b)
{
    return strcmp(((const struct ranked *)a)->value, ((const struct ranked *)b)->value);
}

/* Interns into dst, in byte order, the values of attr that some cell of src holds;
 * map[src id] = dst id. */
static enum fg_status canonical_values(const struct fg_counts *src, struct fg_counts *dst,
                                       size_t attr, uint32_t *map, struct fg_error *err)
{
    size_t n = fg_counts_value_count(src, attr), used = 0;
    struct ranked *sorted = calloc(n + 1, sizeof *sorted);
    bool *held = calloc(n + 1, sizeof *held);
    enum fg_status st = FG_OK;
    if (sorted == NULL || held == NULL)
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; st == FG_OK && i < fg_counts_cell_count(src); i++) {
        struct fg_cell cell;
        fg_counts_cell(src, i, &cell);
        held[cell.value_ids[attr]] = true;
    }
    for (uint32_t id = 0; st == FG_OK && id < n; id++)
        if (held[id])
            sorted[used++] = (struct ranked){fg_counts_value(src, attr, id), id};
    if (st == FG_OK)
        qsort(sorted, used, sizeof *sorted, compare_ranked);
    for (size_t r = 0; st == FG_OK && r < used; r++)
        st = fg_counts_intern(dst, attr, sorted[r].value, strlen(sorted[r].value),
                              &map[sorted[r].id], err);
    free(sorted);
    free(held);
    return st;
}

/* The cells of src (value ids mapped) in canonical order, and its bins, into dst. */
static enum fg_status canonical_cells(const struct fg_counts *src, struct fg_counts *dst,
                                      uint32_t *const *maps, struct fg_error *err)
{
    size_t *order = NULL, n_attrs = fg_counts_attr_count(src);
    enum fg_status st = fg_counts_canonical_order(src, &order, err);
    for (size_t k = 0; st == FG_OK && k < fg_counts_cell_count(src); k++) {
        struct fg_cell cell;
        fg_counts_cell(src, order[k], &cell);
        uint32_t ids[FG_MAX_PROTECTED] = {0};
        for (size_t a = 0; a < n_attrs; a++)
            ids[a] = maps[a][cell.value_ids[a]];
        st = fg_counts_add(dst, ids, cell.y_true, cell.candidate, cell.incumbent, cell.count, err);
    }
    free(order);
    struct fg_score_bins *bins = NULL;
    if (st == FG_OK)
        st = fg_score_bins_new(n_attrs, &bins, err);
    if (st == FG_OK)
        st = fg_score_bins_merge(bins, fg_counts_bins(src), maps, err);
    if (st == FG_OK)
        fg_counts_set_bins(dst, bins);
    else
        fg_score_bins_free(bins);
    return st;
}

/* src as the canonical table (see the top of the file). */
static enum fg_status canonical_table(const struct fg_counts *src, struct fg_counts **out,
                                      struct fg_error *err)
{
    size_t n_attrs = fg_counts_attr_count(src);
    uint32_t *maps[FG_MAX_PROTECTED + 1] = {NULL};
    enum fg_status st = fg_counts_new(n_attrs, fg_counts_has_incumbent(src), out, err);
    for (size_t a = 0; st == FG_OK && a < n_attrs; a++) {
        maps[a] = calloc(fg_counts_value_count(src, a) + 1, sizeof *maps[a]);
        st = maps[a] != NULL ? canonical_values(src, *out, a, maps[a], err)
                             : fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    if (st == FG_OK)
        st = canonical_cells(src, *out, maps, err);
    for (size_t a = 0; a < n_attrs; a++)
        free(maps[a]);
    if (st != FG_OK) {
        fg_counts_free(*out);
        *out = NULL;
    }
    return st;
}

/* ---- each group's confusion counts at every threshold ---- */

/* Which groups hold each cell: the cells of group g are list[first[g] .. first[g + 1]). */
struct group_cells {
    size_t *first; /* n_groups + 1 */
    size_t *list;
};

/* The group of attribute set a whose values are the cell's (binary search: the canonical
 * table's ids are in byte order, as the groups are sorted), or SIZE_MAX. */
static size_t group_of(const struct fg_metrics *m, const struct fg_attrset *set, size_t a,
                       const uint32_t *group_ids, const uint32_t *cell_ids)
{
    size_t lo = m->attrset_first[a], hi = lo + m->attrset_count[a];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = 0;
        for (size_t k = 0; k < set->n && cmp == 0; k++) {
            uint32_t g = group_ids[mid * FG_MAX_PROTECTED + k], c = cell_ids[set->attrs[k]];
            cmp = g < c ? -1 : g > c;
        }
        if (cmp == 0)
            return mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

/* cell_group[k * n_sets + a]: the group of set a holding cell k; group_ids: each group's ids. */
static enum fg_status map_cells(const struct fg_policy *policy, const struct fg_counts *counts,
                                const struct fg_metrics *m, size_t *cell_group, uint32_t *group_ids,
                                struct fg_error *err)
{
    for (size_t g = 1; g < m->n_groups; g++) {
        struct fg_attrset set;
        fg_policy_attrset(policy, m->groups[g].attrset, &set);
        for (size_t k = 0; k < set.n; k++) {
            const char *v = m->groups[g].values[k];
            if (!fg_counts_find_value(counts, set.attrs[k], v, strlen(v),
                                      &group_ids[g * FG_MAX_PROTECTED + k]))
                return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "a group without a value");
        }
    }
    size_t n_cells = fg_counts_cell_count(counts);
    for (size_t i = 0; i < n_cells; i++) {
        struct fg_cell cell;
        fg_counts_cell(counts, i, &cell);
        for (size_t a = 0; a < m->n_attrsets; a++) {
            struct fg_attrset set;
            fg_policy_attrset(policy, a, &set);
            cell_group[i * m->n_attrsets + a] = group_of(m, &set, a, group_ids, cell.value_ids);
        }
    }
    return FG_OK;
}

/* Every group's cells (the overall population, group 0, has none listed: it is every cell). */
static enum fg_status group_cells_build(const struct fg_policy *policy,
                                        const struct fg_counts *counts, const struct fg_metrics *m,
                                        struct group_cells *gc, struct fg_error *err)
{
    size_t n_cells = fg_counts_cell_count(counts), n_sets = m->n_attrsets;
    size_t *cell_group = calloc(n_cells * n_sets + 1, sizeof *cell_group);
    uint32_t *group_ids = calloc(m->n_groups * FG_MAX_PROTECTED + 1, sizeof *group_ids);
    gc->first = calloc(m->n_groups + 2, sizeof *gc->first);
    gc->list = calloc(n_cells * n_sets + 1, sizeof *gc->list);
    enum fg_status st = FG_OK;
    if (cell_group == NULL || group_ids == NULL || gc->first == NULL || gc->list == NULL)
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st == FG_OK)
        st = map_cells(policy, counts, m, cell_group, group_ids, err);
    for (size_t i = 0; st == FG_OK && i < n_cells * n_sets; i++)
        if (cell_group[i] != SIZE_MAX)
            gc->first[cell_group[i] + 1]++;
    for (size_t g = 0; st == FG_OK && g < m->n_groups; g++)
        gc->first[g + 1] += gc->first[g];
    size_t *fill = st == FG_OK ? calloc(m->n_groups + 1, sizeof *fill) : NULL;
    if (st == FG_OK && fill == NULL)
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; st == FG_OK && i < n_cells * n_sets; i++) {
        size_t g = cell_group[i];
        if (g != SIZE_MAX)
            gc->list[gc->first[g] + fill[g]++] = i / n_sets;
    }
    free(fill);
    free(cell_group);
    free(group_ids);
    return st;
}

/* One group's confusion counts at edges[0..n) (ascending) into out[p * stride]: the rows of
 * bins below E_edge (slots 0..edge) are predicted unfavourable for favorable: above,
 * favourable for below, as fg_binned_confusion decides them. */
static void running_confusion(const struct fg_binned *b, const int *edges, size_t n,
                              enum fg_favorable favorable, struct fg_confusion *out, size_t stride)
{
    uint64_t total[2] = {0, 0}, below[2] = {0, 0};
    for (int slot = 0; slot < FG_SCORE_SLOTS; slot++) {
        total[0] += b->n[0][slot];
        total[1] += b->n[1][slot];
    }
    int slot = 0;
    for (size_t p = 0; p < n; p++) {
        for (; slot <= edges[p]; slot++) {
            below[0] += b->n[0][slot];
            below[1] += b->n[1][slot];
        }
        struct fg_confusion *c = &out[p * stride];
        bool above = favorable == FG_FAVORABLE_ABOVE;
        c->tp = above ? total[1] - below[1] : below[1];
        c->fn = above ? below[1] : total[1] - below[1];
        c->fp = above ? total[0] - below[0] : below[0];
        c->tn = above ? below[0] : total[0] - below[0];
    }
}

/* confusion[p * n_groups + g]: group g's candidate counts at threshold p. */
static enum fg_status threshold_confusions(const struct fg_policy *policy,
                                           const struct fg_counts *counts,
                                           const struct fg_metrics *m, const int *edges,
                                           size_t n_points, struct fg_confusion *confusion,
                                           struct fg_error *err)
{
    struct group_cells gc = {NULL, NULL};
    struct fg_binned *binned = NULL;
    enum fg_status st = group_cells_build(policy, counts, m, &gc, err);
    if (st == FG_OK)
        st = fg_binned_new(&binned, err);
    for (size_t g = 0; st == FG_OK && g < m->n_groups; g++) {
        size_t n = gc.first[g + 1] - gc.first[g];
        st = fg_score_bins_gather(counts, g == 0 ? NULL : gc.list + gc.first[g], n, false, binned,
                                  err);
        if (st == FG_OK)
            running_confusion(binned, edges, n_points, policy->data.candidate.favorable,
                              confusion + g, m->n_groups);
    }
    fg_binned_free(binned);
    free(gc.first);
    free(gc.list);
    return st;
}

/* ---- the gates at each threshold ---- */

/* Judges threshold p: the candidate's counts of every group set to confusion[p], the gates
 * evaluated as check does, the outcome written into the table. */
static enum fg_status judge_point(const struct fg_policy *policy, const struct fg_metrics *m,
                                  const struct fg_confusion *confusion, struct fg_group *scratch,
                                  struct fg_sweep_table *t, size_t p, struct fg_error *err)
{
    memcpy(scratch, m->groups, m->n_groups * sizeof *scratch);
    for (size_t g = 0; g < m->n_groups; g++) {
        scratch[g].candidate = confusion[p * m->n_groups + g];
        fg_rate_intervals_compute(&scratch[g].candidate, 1.0 - policy->defaults.alpha,
                                  &scratch[g].candidate_ci);
    }
    struct fg_metrics at = *m;
    at.groups = scratch;
    at.counts = NULL; /* no paired bootstrap: see the top of the file */
    struct fg_evaluation *ev = NULL;
    enum fg_status st = fg_gate_evaluate(policy, &at, &ev, err);
    if (st != FG_OK)
        return st;
    struct fg_sweep_point *point = &t->points[p];
    struct fg_rate accuracy = fg_metric_rate(FG_METRIC_ACCURACY, &scratch[0].candidate);
    point->accuracy_defined = accuracy.defined;
    point->accuracy = accuracy.value;
    point->all_blocking_pass = fg_evaluation_verdict(ev) != FG_VERDICT_FAIL;
    for (size_t i = 0; i < ev->n_outcomes; i++) {
        const struct fg_gate_outcome *o = &ev->outcomes[i];
        struct fg_sweep_cell *cell = &t->cells[p * t->n_gates + i];
        const struct fg_gate_result *worst = o->worst < o->n_results ? &o->results[o->worst] : NULL;
        cell->status = o->status;
        cell->has_value = worst != NULL && worst->candidate.defined;
        cell->value = cell->has_value ? worst->candidate.value : 0.0;
        cell->has_worsening = worst != NULL && worst->has_worsening;
        cell->worsening = cell->has_worsening ? worst->worsening : 0.0;
    }
    fg_evaluation_free(ev);
    return FG_OK;
}

/* ---- the table ---- */

void fg_sweep_threshold_text(int edge, char *buf, size_t size)
{
    if (edge <= 0) {
        snprintf(buf, size, "0");
        return;
    }
    snprintf(buf, size, "%d.%04d", edge / FG_SCORE_GRID, edge % FG_SCORE_GRID);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
}

/* The thresholds: every multiple of the step below 1, and the policy's own edge. */
static enum fg_status table_points(struct fg_sweep_table *t, struct fg_error *err)
{
    double th = t->policy_threshold;
    long e = th >= 0 && th < 1 ? lround(th * FG_SCORE_GRID) : -1;
    t->policy_edge = e >= 0 && e < FG_SCORE_GRID && fg_score_edge((int)e) == th ? (int)e : -1;
    size_t most = (size_t)(FG_SCORE_GRID / t->grid_step) + 2;
    t->points = calloc(most, sizeof *t->points);
    if (t->points == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (int k = 0; k < FG_SCORE_GRID; k += t->grid_step) {
        if (t->policy_edge > (k == 0 ? -1 : k - t->grid_step) && t->policy_edge < k)
            t->points[t->n_points++].edge = t->policy_edge;
        t->points[t->n_points++].edge = k;
    }
    if (t->policy_edge > t->points[t->n_points - 1].edge)
        t->points[t->n_points++].edge = t->policy_edge;
    return FG_OK;
}

static enum fg_status table_gates(struct fg_sweep_table *t, const struct fg_policy *policy,
                                  struct fg_error *err)
{
    t->gates = calloc(policy->n_gates + 1, sizeof *t->gates);
    if (t->gates == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    t->n_gates = policy->n_gates;
    for (size_t i = 0; i < policy->n_gates; i++) {
        const struct fg_gate_spec *s = &policy->gates[i];
        struct fg_sweep_gate *g = &t->gates[i];
        char metric[160];
        if (s->overall)
            snprintf(metric, sizeof metric, "overall %s", fg_metric_name(s->metric));
        else
            snprintf(metric, sizeof metric, "%s %s%s", fg_metric_name(s->metric),
                     fg_disparity_name(s->disparity),
                     s->has_max_worsening && !s->has_min && !s->has_max ? " vs incumbent" : "");
        g->id = fg_strdup(s->id);
        g->metric = fg_strdup(metric);
        if (g->id == NULL || g->metric == NULL)
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        g->blocking = s->enforce == FG_ENFORCE_BLOCK;
        g->overall = s->overall;
        g->has_min = s->has_min;
        g->has_max = s->has_max;
        g->has_max_worsening = s->has_max_worsening;
        g->min = s->min;
        g->max = s->max;
        g->max_worsening = s->max_worsening;
    }
    return FG_OK;
}

/* "rows of C.csv (and I.csv)" or "counts files K.csv, B.csv". */
static enum fg_status table_inputs(struct fg_sweep_table *t, const struct fg_sweep_request *rq,
                                   struct fg_error *err)
{
    struct fg_buf b = fg_buf_new(SWEEP_CAP_SUMMARY, "the sweep's inputs");
    if (rq->n_counts == 0)
        fg_buf_add(&b, "rows of %s%s%s", rq->candidate_path, rq->incumbent_path ? " and " : "",
                   rq->incumbent_path ? rq->incumbent_path : "");
    for (size_t i = 0; i < rq->n_counts; i++)
        fg_buf_add(&b, "%s%s", i == 0 ? "counts files " : ", ", rq->counts_paths[i]);
    return fg_buf_finish(&b, &t->inputs, err);
}

void fg_sweep_table_free(struct fg_sweep_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; t->gates != NULL && i < t->n_gates; i++) {
        free(t->gates[i].id);
        free(t->gates[i].metric);
    }
    free(t->gates);
    free(t->points);
    free(t->cells);
    free(t->policy_name);
    free(t->inputs);
    free(t);
}

/* ---- the sweep ---- */

/* Every threshold judged, from the canonical table. */
static enum fg_status sweep_points(const struct fg_policy *policy, const struct fg_counts *counts,
                                   struct fg_sweep_table *t, struct fg_error *err)
{
    struct fg_metrics *m = NULL;
    enum fg_status st = fg_metrics_compute(policy, counts, &m, err);
    if (st != FG_OK)
        return st;
    if (m->n_groups > FG_SWEEP_MAX_CELLS / t->n_points) {
        fg_metrics_free(m);
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "%zu groups at %zu thresholds: more than the %zu group counts a sweep "
                            "holds; give a coarser --grid",
                            m->n_groups, t->n_points, FG_SWEEP_MAX_CELLS);
    }
    int *edges = calloc(t->n_points, sizeof *edges);
    struct fg_confusion *confusion = calloc(t->n_points * m->n_groups, sizeof *confusion);
    struct fg_group *scratch = calloc(m->n_groups, sizeof *scratch);
    t->cells = calloc(t->n_points * (t->n_gates ? t->n_gates : 1), sizeof *t->cells);
    if (edges == NULL || confusion == NULL || scratch == NULL || t->cells == NULL)
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (size_t p = 0; st == FG_OK && p < t->n_points; p++)
        edges[p] = t->points[p].edge;
    if (st == FG_OK)
        st = threshold_confusions(policy, counts, m, edges, t->n_points, confusion, err);
    for (size_t p = 0; st == FG_OK && p < t->n_points; p++)
        st = judge_point(policy, m, confusion, scratch, t, p, err);
    free(edges);
    free(confusion);
    free(scratch);
    fg_metrics_free(m);
    return st;
}

/* Policy, inputs, the canonical table, every threshold: the table. */
static enum fg_status sweep_table(const struct fg_sweep_request *rq, struct fg_sweep_table *t,
                                  struct fg_error *err)
{
    struct fg_policy *policy = NULL;
    struct fg_counts *raw = NULL, *counts = NULL;
    if (rq->policy_path == NULL || (rq->candidate_path == NULL) == (rq->n_counts == 0))
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "a sweep needs a policy and a candidate file or counts files");
    enum fg_status st = grid_step(rq->grid, &t->grid_step, err);
    if (st == FG_OK)
        st = fg_policy_load(rq->policy_path, &policy, err);
    if (st == FG_OK)
        st = policy_fits(policy, err);
    if (st == FG_OK) {
        t->policy_threshold = policy->data.candidate.threshold;
        t->favorable = policy->data.candidate.favorable;
        t->policy_name = fg_strdup(policy->name ? policy->name : "");
        if (t->policy_name == NULL)
            st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    if (st == FG_OK)
        st = table_points(t, err);
    if (st == FG_OK)
        st = table_gates(t, policy, err);
    if (st == FG_OK)
        st = table_inputs(t, rq, err);
    if (st == FG_OK)
        st = read_table(rq, policy, &raw, err);
    if (st == FG_OK)
        st = canonical_table(raw, &counts, err);
    fg_counts_free(raw);
    if (st == FG_OK)
        st = sweep_points(policy, counts, t, err);
    fg_counts_free(counts);
    fg_policy_free(policy);
    return st;
}

/* ---- rendering: the CSV and the summary ---- */

static void put_number(struct fg_buf *b, bool defined, double value)
{
    char text[64] = "";
    if (defined && isfinite(value))
        fg_format_exact(text, sizeof text, value);
    fg_buf_puts(b, text);
}

enum fg_status fg_sweep_render_csv(const struct fg_sweep_table *t, char **out, struct fg_error *err)
{
    struct fg_buf b = fg_buf_new(SWEEP_CAP_CSV, "the sweep's CSV");
    fg_buf_puts(&b, "threshold,accuracy");
    for (size_t i = 0; i < t->n_gates; i++) { /* gate ids are [A-Za-z0-9._-]: no quoting */
        fg_buf_add(&b, ",%s.value,%s.status", t->gates[i].id, t->gates[i].id);
        if (t->gates[i].has_max_worsening)
            fg_buf_add(&b, ",%s.worsening", t->gates[i].id);
    }
    fg_buf_puts(&b, ",all_blocking_pass\n");
    for (size_t p = 0; p < t->n_points; p++) {
        const struct fg_sweep_point *point = &t->points[p];
        char threshold[32];
        fg_sweep_threshold_text(point->edge, threshold, sizeof threshold);
        fg_buf_add(&b, "%s,", threshold);
        put_number(&b, point->accuracy_defined, point->accuracy);
        for (size_t i = 0; i < t->n_gates; i++) {
            const struct fg_sweep_cell *c = &t->cells[p * t->n_gates + i];
            fg_buf_puts(&b, ",");
            put_number(&b, c->has_value, c->value);
            fg_buf_add(&b, ",%s", fg_result_status_name(c->status));
            if (t->gates[i].has_max_worsening) {
                fg_buf_puts(&b, ",");
                put_number(&b, c->has_worsening, c->worsening);
            }
        }
        fg_buf_add(&b, ",%s\n", point->all_blocking_pass ? "true" : "false");
    }
    return fg_buf_finish(&b, out, err);
}

size_t fg_sweep_next_band(const struct fg_sweep_table *t, size_t from, size_t *last)
{
    size_t p = from;
    while (p < t->n_points && !t->points[p].all_blocking_pass)
        p++;
    *last = p;
    while (*last + 1 < t->n_points && t->points[*last + 1].all_blocking_pass)
        ++*last;
    return p;
}

/* The runs of passing thresholds, "0.41 to 0.5, 0.55 to 0.63" (at most 6, then "..."). */
static void put_bands(struct fg_buf *b, const struct fg_sweep_table *t)
{
    size_t shown = 0, q = 0;
    for (size_t p = fg_sweep_next_band(t, 0, &q); p < t->n_points;
         p = fg_sweep_next_band(t, q + 1, &q)) {
        char low[32], high[32];
        fg_sweep_threshold_text(t->points[p].edge, low, sizeof low);
        fg_sweep_threshold_text(t->points[q].edge, high, sizeof high);
        if (shown++ == 6) {
            fg_buf_puts(b, ", ...");
            return;
        }
        fg_buf_add(b, "%s%s%s%s", shown > 1 ? ", " : "", low, q > p ? " to " : "",
                   q > p ? high : "");
    }
}

/* The policy's own threshold: whether it passes, and which blocking gates fail there. */
static void put_policy_line(struct fg_buf *b, const struct fg_sweep_table *t)
{
    char threshold[64];
    fg_format_exact(threshold, sizeof threshold, t->policy_threshold);
    fg_buf_add(b, "the policy's threshold %s: ", threshold);
    const struct fg_sweep_point *at = NULL;
    for (size_t p = 0; p < t->n_points; p++)
        if (t->points[p].edge == t->policy_edge)
            at = &t->points[p];
    if (at == NULL) {
        fg_buf_puts(b, "not a score bin edge (a multiple of 0.0001 below 1), so not swept\n");
        return;
    }
    if (at->all_blocking_pass) {
        fg_buf_add(b, "every blocking gate passes, accuracy %.4f\n", at->accuracy);
        return;
    }
    fg_buf_puts(b, "fails");
    size_t n = 0;
    for (size_t i = 0; i < t->n_gates; i++) {
        const struct fg_sweep_cell *c = &t->cells[(size_t)(at - t->points) * t->n_gates + i];
        if (t->gates[i].blocking && c->status == FG_RESULT_FAIL)
            fg_buf_add(b, "%s%s", n++ ? ", " : " ", t->gates[i].id);
    }
    fg_buf_add(b, "; accuracy %.4f\n", at->accuracy);
}

static enum fg_status render_summary(const struct fg_sweep_table *t, struct fg_sweep_result *r,
                                     struct fg_error *err)
{
    struct fg_buf b = fg_buf_new(SWEEP_CAP_SUMMARY, "the sweep's summary");
    char step[32], last[32];
    fg_sweep_threshold_text(t->grid_step, step, sizeof step);
    fg_sweep_threshold_text(t->points[t->n_points - 1].edge, last, sizeof last);
    fg_buf_add(&b, "sweep: %zu thresholds from 0 to %s by %s (favorable: %s)\n", t->n_points, last,
               step, t->favorable == FG_FAVORABLE_ABOVE ? "above" : "below");
    const struct fg_sweep_point *best = NULL;
    for (size_t p = 0; p < t->n_points; p++) {
        const struct fg_sweep_point *point = &t->points[p];
        r->n_passing += point->all_blocking_pass;
        if (point->all_blocking_pass && point->accuracy_defined &&
            (best == NULL || point->accuracy > best->accuracy))
            best = point;
    }
    if (r->n_passing == 0) {
        fg_buf_puts(&b, "no threshold passes every blocking gate\n");
    } else {
        fg_buf_add(&b, "every blocking gate passes at %zu of them: ", r->n_passing);
        put_bands(&b, t);
        char at[32];
        fg_sweep_threshold_text(best != NULL ? best->edge : 0, at, sizeof at);
        if (best != NULL)
            fg_buf_add(&b, "\nthe most accurate of them: %s, accuracy %.4f", at, best->accuracy);
        fg_buf_puts(&b, "\n");
    }
    put_policy_line(&b, t);
    r->n_thresholds = t->n_points;
    r->exit_code = r->n_passing > 0 ? 0 : 1;
    return fg_buf_finish(&b, &r->summary, err);
}

/* ---- public ---- */

enum fg_status fg_sweep_run(const struct fg_sweep_request *request, struct fg_sweep_result **out,
                            struct fg_error *err)
{
    *out = NULL;
    struct fg_sweep_table *t = calloc(1, sizeof *t);
    struct fg_sweep_result *r = calloc(1, sizeof *r);
    enum fg_status st = t != NULL && r != NULL
                            ? sweep_table(request, t, err)
                            : fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st == FG_OK)
        st = fg_sweep_render_csv(t, &r->csv, err);
    if (st == FG_OK && request->html)
        st = fg_report_sweep_html(t, &r->html, err);
    if (st == FG_OK)
        st = render_summary(t, r, err);
    fg_sweep_table_free(t);
    if (st != FG_OK) {
        fg_sweep_result_free(r);
        return st;
    }
    *out = r;
    return FG_OK;
}

void fg_sweep_result_free(struct fg_sweep_result *result)
{
    if (result == NULL)
        return;
    free(result->csv);
    free(result->html);
    free(result->summary);
    free(result);
}
