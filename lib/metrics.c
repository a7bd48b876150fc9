/*
 * metrics.c - from the cell table to per-group confusion matrices and rates.
 *
 * Every metric is a function of four counts per group and model (DESIGN section 1), so
 * this module only sums cells: for each attribute set (a protected attribute alone or an
 * intersection) it projects every cell onto that set's attributes, sorts the projections
 * by their values (bytewise, attribute by attribute) and adds equal neighbours. The cost
 * is O(cells log cells) per attribute set and independent of the number of rows.
 *
 * Score metrics (auc, calibration_gap, brier) need the scores themselves, which the counts
 * keep per cell when the policy gates on one of them (lib/counts.c). A group's scores are
 * the scores of its cells, the same projection as its confusion counts: they are copied
 * into one buffer (negatives first, then positives), sorted and walked by lib/scores.c.
 * The buffer is allocated once, the size of the overall population, and reused by every
 * group: O(rows) memory beyond the stored scores, and O(rows log rows) time per attribute
 * set and scored model. For the groups a score gate judges, lib/scores.c also keeps the
 * report's curves (calibration bins, at most FG_ROC_MAX_POINTS ROC vertices): memory at most
 * O(min(rows, groups x (bins + 101))) beyond the scores.
 * A table read from counts files holds score bins instead (lib/scorebins.c): a group's bins
 * are gathered from the same cells and the score metrics computed from them.
 *
 * Invariant: groups[0] is the overall population; the groups of attribute set k are
 * groups[attrset_first[k] .. attrset_first[k] + attrset_count[k]) in sorted order. Only
 * groups that occur in the data exist, so every group has n > 0.
 */
#include "metrics.h"
#include "counts.h"
#include "fairgate.h"
#include "metric.h"
#include "policy.h"
#include "scorebins.h"
#include "scores.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- rates ---- */

void fg_rate_intervals_compute(const struct fg_confusion *c, double level,
                               struct fg_rate_intervals *out)
{
    for (int k = FG_METRIC_BASE_RATE; k < FG_METRIC_N_RATES; k++) {
        struct fg_rate r = fg_metric_rate((enum fg_metric)k, c);
        struct fg_interval ci = {0.0, 0.0};
        if (r.defined)
            ci = fg_stats_wilson(r.num, r.den, level);
        out->low[k] = ci.low;
        out->high[k] = ci.high;
    }
}

struct fg_rate fg_group_metric(const struct fg_group *g, enum fg_metric metric, bool incumbent)
{
    enum fg_metric_kind kind = fg_metric_kind(metric);
    if (fg_metric_is_rate(metric) || kind == FG_METRIC_KIND_COUNT_RATIO ||
        kind == FG_METRIC_KIND_AVERAGE || kind == FG_METRIC_KIND_PAIR)
        return fg_metric_rate(metric, incumbent ? &g->incumbent : &g->candidate);
    struct fg_rate r = {.defined = false, .value = 0.0, .num = 0, .den = 0};
    const struct fg_score_stats *s = incumbent ? &g->incumbent_score : &g->candidate_score;
    if (!fg_metric_is_score(metric) || !s->present)
        return r;
    double value = 0.0;
    switch (metric) {
    case FG_METRIC_AUC:
        /* as few as the rarer class: an AUC rests on positive x negative pairs */
        r.den = s->positives < s->n - s->positives ? s->positives : s->n - s->positives;
        r.defined = s->auc_defined;
        value = s->auc;
        break;
    case FG_METRIC_BRIER:
        r.den = s->n;
        value = s->brier;
        r.defined = s->n > 0 && !isnan(value); /* NaN: a score outside [0, 1] */
        break;
    default: /* FG_METRIC_CALIBRATION_GAP */
        r.den = s->n;
        value = s->calibration_gap;
        r.defined = s->n > 0 && !isnan(value);
        break;
    }
    if (r.defined)
        r.value = value;
    return r;
}

/* ---- grouping ---- */

/* One cell projected onto an attribute set; rank[k] orders value ids[k] bytewise. */
struct projection {
    size_t n; /* attributes in the set: only ids[0..n) and rank[0..n) are compared */
    uint32_t ids[FG_MAX_PROTECTED];
    uint32_t rank[FG_MAX_PROTECTED];
    struct fg_confusion candidate, incumbent;
    size_t cell; /* the cell's index in the counts, for its scores */
};

static int compare_projection(const void *pa, const void *pb)
{
    const struct projection *a = pa, *b = pb;
    for (size_t k = 0; k < a->n; k++) {
        if (a->rank[k] != b->rank[k])
            return a->rank[k] < b->rank[k] ? -1 : 1;
    }
    return 0;
}

struct ranked_value {
    const char *value;
    uint32_t id;
};

static int compare_ranked_value(const void *pa, const void *pb)
{
    return strcmp(((const struct ranked_value *)pa)->value,
                  ((const struct ranked_value *)pb)->value);
}

/* ranks[attr][id] = the position of value id in the bytewise order of attr's values. */
static uint32_t **value_ranks(const struct fg_counts *counts)
{
    size_t n_attrs = fg_counts_attr_count(counts);
    uint32_t **ranks = calloc(n_attrs + 1, sizeof *ranks);
    if (ranks == NULL)
        return NULL;
    for (size_t attr = 0; attr < n_attrs; attr++) {
        size_t n = fg_counts_value_count(counts, attr);
        struct ranked_value *sorted = calloc(n + 1, sizeof *sorted);
        ranks[attr] = calloc(n + 1, sizeof **ranks);
        if (sorted == NULL || ranks[attr] == NULL) {
            free(sorted);
            for (size_t k = 0; k <= attr; k++)
                free(ranks[k]);
            free(ranks);
            return NULL;
        }
        for (uint32_t id = 0; id < n; id++)
            sorted[id] = (struct ranked_value){fg_counts_value(counts, attr, id), id};
        qsort(sorted, n, sizeof *sorted, compare_ranked_value);
        for (uint32_t r = 0; r < n; r++)
            ranks[attr][sorted[r].id] = r;
        free(sorted);
    }
    return ranks;
}

static void free_ranks(uint32_t **ranks, size_t n_attrs)
{
    if (ranks == NULL)
        return;
    for (size_t attr = 0; attr < n_attrs; attr++)
        free(ranks[attr]);
    free(ranks);
}

static void add_cell(struct fg_confusion *c, const struct fg_cell *cell, int prediction)
{
    if (cell->y_true)
        *(prediction ? &c->tp : &c->fn) += cell->count;
    else
        *(prediction ? &c->fp : &c->tn) += cell->count;
}

static void confusion_add(struct fg_confusion *dst, const struct fg_confusion *src)
{
    dst->tp += src->tp;
    dst->fp += src->fp;
    dst->tn += src->tn;
    dst->fn += src->fn;
}

static enum fg_status group_init(struct fg_group *g, size_t attrset, const struct fg_policy *policy,
                                 const struct fg_counts *counts, const struct fg_attrset *set,
                                 const uint32_t *ids, struct fg_error *err)
{
    g->attrset = attrset;
    if (set == NULL) {
        g->label = fg_strdup("overall");
        return g->label ? FG_OK : fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    g->values = calloc(set->n, sizeof *g->values);
    if (g->values == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    g->n_values = set->n;
    const char *attrs[FG_MAX_PROTECTED];
    for (size_t k = 0; k < set->n; k++) {
        attrs[k] = policy->data.protected[set->attrs[k]];
        g->values[k] = fg_strdup(fg_counts_value(counts, set->attrs[k], ids[k]));
        if (g->values[k] == NULL)
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    g->label = fg_group_label(attrs, (const char *const *)g->values, set->n);
    return g->label ? FG_OK : fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
}

/* Bytes of text once escaped, or the escaped text into out when it is not NULL. */
static size_t label_part(const char *text, char *out)
{
    size_t n = 0;
    for (; *text != '\0'; text++) {
        if (*text == '\\' || *text == '&' || *text == '=') {
            if (out != NULL)
                out[n] = '\\';
            n++;
        }
        if (out != NULL)
            out[n] = *text;
        n++;
    }
    return n;
}

char *fg_group_label(const char *const *attrs, const char *const *values, size_t n)
{
    if (n == 0)
        return fg_strdup("overall");
    size_t len = 1;
    for (size_t k = 0; k < n; k++)
        len += (k > 0 ? 3 : 0) + label_part(attrs[k], NULL) + 1 + label_part(values[k], NULL);
    char *label = malloc(len);
    if (label == NULL)
        return NULL;
    size_t used = 0;
    for (size_t k = 0; k < n; k++) {
        if (k > 0) {
            memcpy(label + used, " & ", 3);
            used += 3;
        }
        used += label_part(attrs[k], label + used);
        label[used++] = '=';
        used += label_part(values[k], label + used);
    }
    label[used] = '\0';
    return label;
}

/* ---- scores ---- */

/* What computing the score metrics needs, shared by every group. */
struct score_work {
    const struct fg_policy *policy;
    const struct fg_counts *counts;
    bool models[2];  /* the counts keep the candidate's / the incumbent's scores */
    double *buffer;  /* room for every row: negatives from the front, positives after */
    size_t capacity; /* doubles in buffer */
    bool curves[2];  /* keep curves for: [0] the overall population, [1] the other groups */
    /* Score bins instead of scores (check --counts, lib/scorebins.c): per model */
    bool binned[2];
    struct fg_binned *bins; /* one group's bins, reused */
    size_t *cell_list;      /* a group's cell indices, room for every cell */
};

/* Which groups a score gate judges, so which need curves for the report. */
static void curves_wanted(const struct fg_policy *policy, bool curves[2])
{
    curves[0] = curves[1] = false;
    for (size_t i = 0; i < policy->n_gates; i++) {
        if (fg_metric_is_score(policy->gates[i].metric))
            curves[policy->gates[i].overall ? 0 : 1] = true;
    }
}

/* Copies cell's scores of one model into the buffer, behind the negatives or the positives. */
static void gather_cell(struct score_work *w, size_t cell, bool incumbent, size_t *neg_used,
                        size_t n_neg, size_t *pos_used)
{
    struct fg_cell c;
    fg_counts_cell(w->counts, cell, &c);
    size_t n = 0;
    const double *scores = fg_counts_cell_scores(w->counts, cell, incumbent, &n);
    if (n == 0)
        return;
    size_t *used = c.y_true ? pos_used : neg_used;
    double *into = c.y_true ? w->buffer + n_neg + *used : w->buffer + *used;
    memcpy(into, scores, n * sizeof *scores);
    *used += n;
}

/* One group's score statistics (and curves, when curves is not NULL) from the score bins of
 * the cells cells[0..n_cells) (every cell when cells is NULL). */
static enum fg_status group_binned(struct score_work *w, const struct projection *cells,
                                   size_t n_cells, bool incumbent, const struct fg_model_spec *spec,
                                   struct fg_score_stats *out, struct fg_score_curves **curves,
                                   struct fg_error *err)
{
    for (size_t i = 0; cells != NULL && i < n_cells; i++)
        w->cell_list[i] = cells[i].cell;
    enum fg_status st = fg_score_bins_gather(w->counts, cells != NULL ? w->cell_list : NULL,
                                             n_cells, incumbent, w->bins, err);
    if (st == FG_OK)
        st = fg_binned_stats(w->bins, spec->favorable, w->policy->calibration_bins, out, curves,
                             err);
    return st;
}

/* When the counts keep no scores: which models have score bins instead, and the scratch their
 * groups need (NULL when out of memory, which the caller reports). True when any has. Bins
 * of a policy without a score gate (the candidate's, for sweep) give no score metric, as
 * its rows would not. */
static bool binned_init(struct score_work *w, bool has_incumbent, size_t n_cells)
{
    bool gated = fg_score_bins_needed(w->policy);
    for (size_t k = 0; k < 2; k++)
        w->models[k] = w->binned[k] = gated &&
                                      fg_score_bins_has_model(fg_counts_bins(w->counts), k == 1) &&
                                      (k == 0 || has_incumbent);
    if (!w->binned[0] && !w->binned[1])
        return false;
    if (fg_binned_new(&w->bins, NULL) != FG_OK)
        w->bins = NULL;
    w->cell_list = malloc((n_cells + 1) * sizeof *w->cell_list);
    return true;
}

/* Fills g's score statistics (and curves, when a score gate judges g) from the cells
 * cells[0..n_cells) (or every cell when cells is NULL), whose confusion counts g already
 * holds. */
static enum fg_status group_scores(struct score_work *w, struct fg_group *g,
                                   const struct projection *cells, size_t n_cells,
                                   struct fg_error *err)
{
    for (size_t m = 0; m < 2; m++) {
        if (!w->models[m])
            continue;
        bool incumbent = m == 1;
        const struct fg_model_spec *spec =
            incumbent ? &w->policy->data.incumbent : &w->policy->data.candidate;
        struct fg_score_stats *out = incumbent ? &g->incumbent_score : &g->candidate_score;
        struct fg_score_curves **curves = incumbent ? &g->incumbent_curves : &g->candidate_curves;
        bool want_curves = w->curves[cells == NULL ? 0 : 1];
        if (w->binned[m]) {
            enum fg_status st = group_binned(w, cells, n_cells, incumbent, spec, out,
                                             want_curves ? curves : NULL, err);
            if (st != FG_OK)
                return st;
            continue;
        }
        /* The confusion counts split the rows by y_true; each row has one score. */
        const struct fg_confusion *c = &g->candidate;
        size_t n_neg = (size_t)(c->fp + c->tn);
        size_t neg_used = 0, pos_used = 0;
        if (cells == NULL) {
            size_t all = fg_counts_cell_count(w->counts);
            for (size_t i = 0; i < all; i++)
                gather_cell(w, i, incumbent, &neg_used, n_neg, &pos_used);
        } else {
            for (size_t i = 0; i < n_cells; i++)
                gather_cell(w, cells[i].cell, incumbent, &neg_used, n_neg, &pos_used);
        }
        fg_score_stats_compute(w->buffer, neg_used, w->buffer + n_neg, pos_used, spec->favorable,
                               w->policy->calibration_bins, out);
        if (!want_curves)
            continue;
        enum fg_status st =
            fg_score_curves_compute(w->buffer, neg_used, w->buffer + n_neg, pos_used,
                                    spec->favorable, w->policy->calibration_bins, curves, err);
        if (st != FG_OK)
            return st;
    }
    return FG_OK;
}

/* Appends the groups of one attribute set to m->groups (grown to fit). */
static enum fg_status group_attrset(const struct fg_policy *policy, const struct fg_counts *counts,
                                    uint32_t *const *ranks, size_t attrset, struct fg_metrics *m,
                                    struct projection *scratch, struct score_work *scores,
                                    struct fg_error *err)
{
    struct fg_attrset set;
    fg_policy_attrset(policy, attrset, &set);
    size_t n_cells = fg_counts_cell_count(counts);
    for (size_t i = 0; i < n_cells; i++) {
        struct fg_cell cell;
        fg_counts_cell(counts, i, &cell);
        struct projection *p = &scratch[i];
        memset(p, 0, sizeof *p);
        p->n = set.n;
        p->cell = i;
        for (size_t k = 0; k < set.n; k++) {
            p->ids[k] = cell.value_ids[set.attrs[k]];
            p->rank[k] = ranks[set.attrs[k]][p->ids[k]];
        }
        add_cell(&p->candidate, &cell, cell.candidate);
        if (m->has_incumbent)
            add_cell(&p->incumbent, &cell, cell.incumbent);
    }
    qsort(scratch, n_cells, sizeof *scratch, compare_projection);

    size_t runs = 0;
    for (size_t i = 0; i < n_cells; i++)
        runs += i == 0 || compare_projection(&scratch[i - 1], &scratch[i]) != 0;
    struct fg_group *grown = realloc(m->groups, (m->n_groups + runs) * sizeof *m->groups);
    if (grown == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    m->groups = grown;
    memset(m->groups + m->n_groups, 0, runs * sizeof *m->groups);

    m->attrset_first[attrset] = m->n_groups;
    for (size_t i = 0; i < n_cells;) {
        size_t j = i + 1;
        while (j < n_cells && compare_projection(&scratch[i], &scratch[j]) == 0)
            j++;
        struct fg_group *g = &m->groups[m->n_groups++];
        enum fg_status st = group_init(g, attrset, policy, counts, &set, scratch[i].ids, err);
        if (st != FG_OK)
            return st;
        for (size_t k = i; k < j; k++) {
            confusion_add(&g->candidate, &scratch[k].candidate);
            confusion_add(&g->incumbent, &scratch[k].incumbent);
        }
        st = group_scores(scores, g, &scratch[i], j - i, err);
        if (st != FG_OK)
            return st;
        i = j;
    }
    m->attrset_count[attrset] = m->n_groups - m->attrset_first[attrset];
    return FG_OK;
}

enum fg_status fg_metrics_compute(const struct fg_policy *policy, const struct fg_counts *counts,
                                  struct fg_metrics **out, struct fg_error *err)
{
    *out = NULL;
    if (fg_counts_attr_count(counts) != policy->data.n_protected)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "the counts have %zu protected attributes, the policy names %zu",
                            fg_counts_attr_count(counts), policy->data.n_protected);
    struct fg_metrics *m = calloc(1, sizeof *m);
    if (m == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    m->has_incumbent = fg_counts_has_incumbent(counts);
    m->counts = counts;
    m->policy = policy;
    m->n_attrsets = fg_policy_attrset_count(policy);
    size_t n_cells = fg_counts_cell_count(counts);
    m->groups = calloc(1, sizeof *m->groups); /* the overall population; the rest grows */
    m->attrset_first = calloc(m->n_attrsets + 1, sizeof *m->attrset_first);
    m->attrset_count = calloc(m->n_attrsets + 1, sizeof *m->attrset_count);
    struct projection *scratch = calloc(n_cells + 1, sizeof *scratch);
    uint32_t **ranks = value_ranks(counts);
    struct score_work scores = {.policy = policy, .counts = counts};
    scores.models[0] = fg_counts_has_scores(counts, false);
    scores.models[1] = m->has_incumbent && fg_counts_has_scores(counts, true);
    curves_wanted(policy, scores.curves);
    bool scored = scores.models[0] || scores.models[1]; /* the scores themselves are kept */
    bool binned = !scored && binned_init(&scores, m->has_incumbent, n_cells);
    uint64_t total = fg_counts_total(counts);
    enum fg_status st = FG_OK;
    if (scored && total > SIZE_MAX / sizeof *scores.buffer) {
        st = fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0, "too many scores for this machine");
        goto done;
    }
    if (scored) {
        scores.capacity = (size_t)total;
        scores.buffer = malloc((scores.capacity + 1) * sizeof *scores.buffer);
    }
    if (m->groups == NULL || m->attrset_first == NULL || m->attrset_count == NULL ||
        scratch == NULL || ranks == NULL || (scored && scores.buffer == NULL) ||
        (binned && (scores.cell_list == NULL || scores.bins == NULL))) {
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }

    struct fg_group *overall = &m->groups[m->n_groups++];
    st = group_init(overall, SIZE_MAX, policy, counts, NULL, NULL, err);
    if (st != FG_OK)
        goto done;
    for (size_t i = 0; i < n_cells; i++) {
        struct fg_cell cell;
        fg_counts_cell(counts, i, &cell);
        add_cell(&overall->candidate, &cell, cell.candidate);
        if (m->has_incumbent)
            add_cell(&overall->incumbent, &cell, cell.incumbent);
    }
    st = group_scores(&scores, overall, NULL, 0, err);
    for (size_t a = 0; a < m->n_attrsets && st == FG_OK; a++)
        st = group_attrset(policy, counts, ranks, a, m, scratch, &scores, err);
    for (size_t i = 0; i < m->n_groups && st == FG_OK; i++) {
        struct fg_group *g = &m->groups[i];
        fg_rate_intervals_compute(&g->candidate, 1.0 - policy->defaults.alpha, &g->candidate_ci);
        if (m->has_incumbent)
            fg_rate_intervals_compute(&g->incumbent, 1.0 - policy->defaults.alpha,
                                      &g->incumbent_ci);
    }

done:
    free(scores.buffer);
    fg_binned_free(scores.bins);
    free(scores.cell_list);
    free(scratch);
    free_ranks(ranks, fg_counts_attr_count(counts));
    if (st != FG_OK) {
        fg_metrics_free(m);
        return st;
    }
    *out = m;
    return FG_OK;
}

void fg_metrics_free(struct fg_metrics *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_groups; i++) {
        struct fg_group *g = &m->groups[i];
        free(g->label);
        for (size_t k = 0; k < g->n_values; k++)
            free(g->values[k]);
        free(g->values);
        fg_score_curves_free(g->candidate_curves);
        fg_score_curves_free(g->incumbent_curves);
    }
    free(m->groups);
    free(m->attrset_first);
    free(m->attrset_count);
    free(m);
}
