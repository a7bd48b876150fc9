/*
 * cdd.c - conditional demographic disparity from per-stratum counts (see cdd.h): the
 * arithmetic of smclarify 0.5 common.py:89-:131, and the per-stratum counts of a facet and
 * its population gathered from the cells of a counts table.
 */
#include "cdd.h"
#include "counts.h"
#include "policy.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static struct fg_index none(const char *why)
{
    struct fg_index r = {.defined = false, .value = 0.0, .why = why};
    return r;
}

struct fg_index fg_cdd(const struct fg_cdd_stratum *strata, size_t n, size_t *bad)
{
    *bad = SIZE_MAX;
    uint64_t outcome[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        outcome[0] += strata[i].rows[0];
        outcome[1] += strata[i].rows[1];
    }
    if (outcome[0] + outcome[1] == 0)
        return none("no rows");
    if (outcome[1] == 0)
        return none("no row is accepted (Clarify: \"No positive labels in set\")");
    if (outcome[0] == 0)
        return none("no row is rejected (Clarify: \"No negative labels in set\")");
    double weighted = 0.0;
    for (size_t i = 0; i < n; i++) {
        const struct fg_cdd_stratum *s = &strata[i];
        uint64_t rows = s->rows[0] + s->rows[1];
        if (rows == 0)
            continue;
        if (s->rows[0] == 0 || s->rows[1] == 0) {
            *bad = i;
            return none(s->rows[0] == 0 ? "has no rejected row (Clarify takes the facet's share "
                                          "of them, 0/0, as 0)"
                                        : "has no accepted row (Clarify takes the facet's share "
                                          "of them, 0/0, as 0)");
        }
        double rejected = (double)s->facet[0] / (double)s->rows[0]; /* common.py:126 D */
        double accepted = (double)s->facet[1] / (double)s->rows[1]; /* :123 A */
        weighted += (double)rows * (rejected - accepted);           /* :120, :127 */
    }
    struct fg_index r = {.defined = true,
                         .value = weighted / (double)(outcome[0] + outcome[1]), /* :129 */
                         .why = NULL};
    return r;
}

/* ---- from the counts ---- */

/* The value ids of values[k] of attrs[k]; false when a value does not occur (no row has it). */
static bool value_ids(const struct fg_counts *counts, const size_t *attrs, size_t n,
                      const char *const *values, uint32_t *ids)
{
    for (size_t k = 0; k < n; k++) {
        size_t count = fg_counts_value_count(counts, attrs[k]);
        ids[k] = UINT32_MAX;
        for (uint32_t id = 0; id < count && ids[k] == UINT32_MAX; id++)
            if (strcmp(fg_counts_value(counts, attrs[k], id), values[k]) == 0)
                ids[k] = id;
        if (ids[k] == UINT32_MAX)
            return false;
    }
    return true;
}

static bool cell_in(const struct fg_cell *cell, const size_t *attrs, size_t n, const uint32_t *ids)
{
    for (size_t k = 0; k < n; k++)
        if (cell->value_ids[attrs[k]] != ids[k])
            return false;
    return true;
}

static unsigned cell_outcome(const struct fg_cell *cell, enum fg_cdd_outcome outcome)
{
    return outcome == FG_CDD_LABEL       ? cell->y_true
           : outcome == FG_CDD_CANDIDATE ? cell->candidate
                                         : cell->incumbent;
}

struct stratum_value {
    const char *value;
    uint32_t id;
};

static int by_value(const void *a, const void *b)
{
    return strcmp(((const struct stratum_value *)a)->value,
                  ((const struct stratum_value *)b)->value);
}

/* CDD of the strata (indexed by value id) summed in the order of their values, bytewise (as
 * Clarify's np.unique), not of first sight: the same rows in any order, or their counts file,
 * give the same bits. *bad is a value id. */
static enum fg_status cdd_in_value_order(const struct fg_counts *counts, size_t attr,
                                         const struct fg_cdd_stratum *strata, size_t n,
                                         struct fg_index *out, size_t *bad, struct fg_error *err)
{
    struct stratum_value *order = calloc(n + 1, sizeof *order);
    struct fg_cdd_stratum *sorted = calloc(n + 1, sizeof *sorted);
    enum fg_status st = FG_OK;
    if (order == NULL || sorted == NULL) {
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    } else {
        for (uint32_t id = 0; id < n; id++)
            order[id] = (struct stratum_value){fg_counts_value(counts, attr, id), id};
        qsort(order, n, sizeof *order, by_value);
        for (size_t i = 0; i < n; i++)
            sorted[i] = strata[order[i].id];
        *out = fg_cdd(sorted, n, bad);
        if (*bad != SIZE_MAX)
            *bad = order[*bad].id;
    }
    free(order);
    free(sorted);
    return st;
}

enum fg_status fg_cdd_of_counts(const struct fg_cdd_query *q, struct fg_index *out, size_t *bad,
                                struct fg_error *err)
{
    *bad = SIZE_MAX;
    *out = none("not computed");
    uint32_t facet[FG_MAX_PROTECTED], reference[FG_MAX_PROTECTED];
    if (q->n_attrs > FG_MAX_PROTECTED)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "conditional demographic disparity of %zu attributes; the limit is %d",
                            q->n_attrs, FG_MAX_PROTECTED);
    bool has_facet = value_ids(q->counts, q->attrs, q->n_attrs, q->facet, facet);
    bool has_reference =
        q->reference == NULL || value_ids(q->counts, q->attrs, q->n_attrs, q->reference, reference);
    size_t n = fg_counts_value_count(q->counts, q->strata_attr);
    struct fg_cdd_stratum *strata = calloc(n + 1, sizeof *strata);
    if (strata == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t cells = fg_counts_cell_count(q->counts);
    for (size_t i = 0; i < cells; i++) {
        struct fg_cell cell;
        fg_counts_cell(q->counts, i, &cell);
        bool in_facet = has_facet && cell_in(&cell, q->attrs, q->n_attrs, facet);
        if (!in_facet && q->reference != NULL &&
            !(has_reference && cell_in(&cell, q->attrs, q->n_attrs, reference)))
            continue;
        struct fg_cdd_stratum *s = &strata[cell.value_ids[q->strata_attr]];
        unsigned accepted = cell_outcome(&cell, q->outcome);
        s->rows[accepted] += cell.count;
        if (in_facet)
            s->facet[accepted] += cell.count;
    }
    enum fg_status st = cdd_in_value_order(q->counts, q->strata_attr, strata, n, out, bad, err);
    free(strata);
    return st;
}
