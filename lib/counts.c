/*
 * counts.c - the cell table: sufficient statistics of a labelled, predicted population.
 *
 * A cell is (value id of each protected attribute, y_true, candidate, incumbent) with a
 * uint64 count. Everything after ingest is a function of the cells (DESIGN.md section 1).
 *
 * Invariants:
 * - Values are interned per attribute in an open-addressing hash table; ids are dense
 *   from 0 in order of first sight, at most FG_MAX_GROUP_VALUES per attribute. Each value
 *   is stored once, NUL-terminated, with its length (a value never holds a NUL byte).
 * - Cells live in parallel arrays in order of first insertion (ids, bits, counts, hash),
 *   indexed by an open-addressing hash of the id tuple and the three bits; at most
 *   FG_MAX_CELLS cells. Adding to an existing cell allocates nothing.
 * - Both hash indexes are powers of two, kept at most half full, and store index + 1
 *   (0 = empty slot).
 * - Without an incumbent, every cell's incumbent bit is 0.
 * - total is the sum of all cell counts; no count or the total ever overflows.
 * - Scores (only when fg_counts_keep_scores asked for them, before the first cell): for each
 *   kept model, every cell has a score list parallel to the cells, holding exactly count
 *   scores, finite, -0.0 stored as 0.0. A table that keeps scores grows by one row at a time
 *   (fg_counts_add_scored) or by whole lists (fg_counts_merge), so that invariant holds; its
 *   total is at most FG_MAX_SCORED_ROWS. Memory: 8 bytes a row per kept model, lists grow by
 *   half their size. A table that keeps none allocates nothing for them; its hot path
 *   (fg_counts_add) pays one branch.
 *
 * - Score bins (lib/scorebins.c), when a bins file was read or fg_score_bins_from_scores ran:
 *   records keyed by the same value ids as the cells; fg_counts_merge adds them up too.
 *
 * Ownership: the table owns every string and array (and its score bins); fg_counts_value and the
 * value_ids of fg_counts_cell borrow from it and stay valid until the next fg_counts_intern,
 * fg_counts_add, fg_counts_merge or fg_counts_free on the same table. A failed
 * fg_counts_merge (a limit, out of memory) leaves dst holding part of src: discard dst then.
 */
#include "counts.h"
#include "fairgate.h"
#include "policy.h"
#include "scorebins.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- hashing ---- */

static uint64_t mix64(uint64_t h)
{
    /* The 64-bit finalizer of MurmurHash3: every input bit reaches the low bits. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const char *bytes, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then mixed */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)bytes[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h ^ len);
}

static uint64_t hash_cell(const uint32_t *value_ids, size_t n_attrs, unsigned bits)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL * (bits + 1);
    for (size_t i = 0; i < n_attrs; i++)
        h = (h ^ value_ids[i]) * 0x9e3779b97f4a7c15ULL;
    return mix64(h);
}

/* ---- the table ---- */

/* One attribute's interned values. */
struct value_table {
    char **strings;   /* id -> NUL-terminated copy */
    size_t *lengths;  /* id -> length in bytes */
    uint64_t *hashes; /* id -> hash, kept for rehashing */
    size_t n, cap;    /* ids in use, capacity of the three arrays */
    uint32_t *index;  /* id + 1, or 0 for an empty slot */
    size_t index_cap; /* a power of two, 0 before the first value */
};

struct fg_counts {
    size_t n_attrs;
    bool has_incumbent;
    struct value_table values[FG_MAX_PROTECTED];
    /* cells, in order of first insertion */
    uint32_t *ids;       /* n_attrs ids per cell */
    unsigned char *bits; /* y_true | candidate << 1 | incumbent << 2 */
    uint64_t *cell_counts;
    uint32_t *cell_hashes; /* low 32 bits of each cell's hash, kept for rehashing */
    size_t n_cells, cells_cap;
    uint32_t *cell_index;  /* cell + 1, or 0 for an empty slot */
    size_t cell_index_cap; /* a power of two */
    uint64_t total;
    /* scores[model][cell] (model 0 the candidate, 1 the incumbent); NULL when not kept */
    bool keep_scores[2];
    struct score_list *scores[2];
    /* score bins (lib/scorebins.c): read from a bins file or made from the scores; NULL */
    struct fg_score_bins *bins;
};

/* One cell's scores of one model. */
struct score_list {
    double *values;
    size_t n, cap;
};

#define BIT_Y         1u
#define BIT_CANDIDATE 2u
#define BIT_INCUMBENT 4u

static const uint32_t no_value_ids[1] = {0}; /* value_ids of cells when n_attrs is 0 */

enum fg_status fg_counts_new(size_t n_attrs, bool has_incumbent, struct fg_counts **out,
                             struct fg_error *err)
{
    *out = NULL;
    if (n_attrs > FG_MAX_PROTECTED)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "%zu protected attributes; the limit is %d", n_attrs, FG_MAX_PROTECTED);
    struct fg_counts *counts = calloc(1, sizeof *counts);
    if (counts == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    counts->n_attrs = n_attrs;
    counts->has_incumbent = has_incumbent;
    *out = counts;
    return FG_OK;
}

void fg_counts_free(struct fg_counts *counts)
{
    if (counts == NULL)
        return;
    for (size_t a = 0; a < counts->n_attrs; a++) {
        struct value_table *table = &counts->values[a];
        for (size_t i = 0; i < table->n; i++)
            free(table->strings[i]);
        free(table->strings);
        free(table->lengths);
        free(table->hashes);
        free(table->index);
    }
    free(counts->ids);
    free(counts->bits);
    free(counts->cell_counts);
    free(counts->cell_hashes);
    free(counts->cell_index);
    for (size_t m = 0; m < 2; m++) {
        if (counts->scores[m] != NULL)
            for (size_t cell = 0; cell < counts->n_cells; cell++)
                free(counts->scores[m][cell].values);
        free(counts->scores[m]);
    }
    fg_score_bins_free(counts->bins);
    free(counts);
}

struct fg_score_bins *fg_counts_bins(const struct fg_counts *counts)
{
    return counts->bins;
}

void fg_counts_set_bins(struct fg_counts *counts, struct fg_score_bins *bins)
{
    if (counts->bins != bins)
        fg_score_bins_free(counts->bins);
    counts->bins = bins;
}

size_t fg_counts_attr_count(const struct fg_counts *counts)
{
    return counts->n_attrs;
}

bool fg_counts_has_incumbent(const struct fg_counts *counts)
{
    return counts->has_incumbent;
}

uint64_t fg_counts_total(const struct fg_counts *counts)
{
    return counts->total;
}

/* ---- values ---- */

/* Grows a value table's index to new_cap slots (a power of two) and rehashes. */
static bool value_index_grow(struct value_table *table, size_t new_cap)
{
    uint32_t *index = calloc(new_cap, sizeof *index);
    if (index == NULL)
        return false;
    for (size_t id = 0; id < table->n; id++) {
        size_t pos = (size_t)table->hashes[id] & (new_cap - 1);
        while (index[pos] != 0)
            pos = (pos + 1) & (new_cap - 1);
        index[pos] = (uint32_t)id + 1;
    }
    free(table->index);
    table->index = index;
    table->index_cap = new_cap;
    return true;
}

/* Makes room for one more value in the arrays and the index. */
static bool value_reserve(struct value_table *table)
{
    if (table->n == table->cap) {
        size_t cap = table->cap ? table->cap * 2 : 8;
        char **strings = realloc(table->strings, cap * sizeof *strings);
        if (strings == NULL)
            return false;
        table->strings = strings;
        size_t *lengths = realloc(table->lengths, cap * sizeof *lengths);
        if (lengths == NULL)
            return false;
        table->lengths = lengths;
        uint64_t *hashes = realloc(table->hashes, cap * sizeof *hashes);
        if (hashes == NULL)
            return false;
        table->hashes = hashes;
        table->cap = cap;
    }
    if ((table->n + 1) * 2 > table->index_cap)
        return value_index_grow(table, table->index_cap ? table->index_cap * 2 : 16);
    return true;
}

enum fg_status fg_counts_intern(struct fg_counts *counts, size_t attr, const char *value,
                                size_t len, uint32_t *id, struct fg_error *err)
{
    if (attr >= counts->n_attrs)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "attribute %zu does not exist (the table has %zu)", attr,
                            counts->n_attrs);
    struct value_table *table = &counts->values[attr];
    uint64_t hash = hash_bytes(value, len);
    if (table->index_cap != 0) {
        size_t mask = table->index_cap - 1;
        for (size_t pos = (size_t)hash & mask; table->index[pos] != 0; pos = (pos + 1) & mask) {
            uint32_t found = table->index[pos] - 1;
            if (table->hashes[found] == hash && table->lengths[found] == len &&
                memcmp(table->strings[found], value, len) == 0) {
                *id = found;
                return FG_OK;
            }
        }
    }
    /* A new value. Checks that cost a scan are paid once per distinct value only. */
    if (table->n >= FG_MAX_GROUP_VALUES)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "more than %d distinct values (the limit per protected attribute)",
                            FG_MAX_GROUP_VALUES);
    if (memchr(value, '\0', len) != NULL)
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0, "a value holds a NUL byte");
    /* Values end up in the audit JSON, which must be valid UTF-8. */
    if (!fg_utf8_valid(value, len))
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "a value is not valid UTF-8 (convert the file to UTF-8)");
    if (!value_reserve(table))
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    char *copy = fg_strndup(value, len);
    if (copy == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t new_id = table->n++;
    table->strings[new_id] = copy;
    table->lengths[new_id] = len;
    table->hashes[new_id] = hash;
    size_t mask = table->index_cap - 1;
    size_t pos = (size_t)hash & mask;
    while (table->index[pos] != 0)
        pos = (pos + 1) & mask;
    table->index[pos] = (uint32_t)new_id + 1;
    *id = (uint32_t)new_id;
    return FG_OK;
}

size_t fg_counts_value_count(const struct fg_counts *counts, size_t attr)
{
    return attr < counts->n_attrs ? counts->values[attr].n : 0;
}

const char *fg_counts_value(const struct fg_counts *counts, size_t attr, uint32_t id)
{
    if (attr >= counts->n_attrs || id >= counts->values[attr].n)
        return NULL;
    return counts->values[attr].strings[id];
}

/* ---- cells ---- */

static bool cell_index_grow(struct fg_counts *counts, size_t new_cap)
{
    uint32_t *index = calloc(new_cap, sizeof *index);
    if (index == NULL)
        return false;
    for (size_t cell = 0; cell < counts->n_cells; cell++) {
        size_t pos = counts->cell_hashes[cell] & (new_cap - 1);
        while (index[pos] != 0)
            pos = (pos + 1) & (new_cap - 1);
        index[pos] = (uint32_t)cell + 1;
    }
    free(counts->cell_index);
    counts->cell_index = index;
    counts->cell_index_cap = new_cap;
    return true;
}

/* Makes room for one more cell in the arrays and the index. */
static bool cell_reserve(struct fg_counts *counts)
{
    if (counts->n_cells == counts->cells_cap) {
        size_t cap = counts->cells_cap ? counts->cells_cap * 2 : 64;
        if (counts->n_attrs > 0) {
            uint32_t *ids = realloc(counts->ids, cap * counts->n_attrs * sizeof *ids);
            if (ids == NULL)
                return false;
            counts->ids = ids;
        }
        unsigned char *bits = realloc(counts->bits, cap * sizeof *bits);
        if (bits == NULL)
            return false;
        counts->bits = bits;
        uint64_t *cell_counts = realloc(counts->cell_counts, cap * sizeof *cell_counts);
        if (cell_counts == NULL)
            return false;
        counts->cell_counts = cell_counts;
        uint32_t *hashes = realloc(counts->cell_hashes, cap * sizeof *hashes);
        if (hashes == NULL)
            return false;
        counts->cell_hashes = hashes;
        for (size_t m = 0; m < 2; m++) {
            if (!counts->keep_scores[m])
                continue;
            struct score_list *lists = realloc(counts->scores[m], cap * sizeof *lists);
            if (lists == NULL)
                return false;
            counts->scores[m] = lists;
        }
        counts->cells_cap = cap;
    }
    if ((counts->n_cells + 1) * 2 > counts->cell_index_cap)
        return cell_index_grow(counts, counts->cell_index_cap ? counts->cell_index_cap * 2 : 128);
    return true;
}

#define NO_CELL SIZE_MAX

/* The index of the cell (value_ids, bits) whose hash is hash, or NO_CELL. */
static inline size_t cell_find(const struct fg_counts *counts, const uint32_t *value_ids,
                               unsigned bits, uint64_t hash)
{
    if (counts->cell_index_cap == 0)
        return NO_CELL;
    size_t n_attrs = counts->n_attrs;
    size_t mask = counts->cell_index_cap - 1;
    for (size_t pos = (size_t)hash & mask; counts->cell_index[pos] != 0; pos = (pos + 1) & mask) {
        size_t cell = counts->cell_index[pos] - 1;
        if (counts->bits[cell] == bits &&
            (n_attrs == 0 ||
             memcmp(counts->ids + cell * n_attrs, value_ids, n_attrs * sizeof *value_ids) == 0))
            return cell;
    }
    return NO_CELL;
}

/* Inserts the cell (value_ids, bits), not yet in the table, with count 0 (and empty score
 * lists): *cell_out receives its index. */
static enum fg_status cell_insert(struct fg_counts *counts, const uint32_t *value_ids,
                                  unsigned bits, uint64_t hash, size_t *cell_out,
                                  struct fg_error *err)
{
    size_t n_attrs = counts->n_attrs;
    if (counts->n_cells >= FG_MAX_CELLS)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "more than %u cells (distinct groups x outcomes); the limit is %u",
                            (unsigned)FG_MAX_CELLS, (unsigned)FG_MAX_CELLS);
    if (!cell_reserve(counts))
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t cell = counts->n_cells++;
    if (n_attrs > 0)
        memcpy(counts->ids + cell * n_attrs, value_ids, n_attrs * sizeof *value_ids);
    counts->bits[cell] = (unsigned char)bits;
    counts->cell_counts[cell] = 0;
    counts->cell_hashes[cell] = (uint32_t)hash;
    for (size_t m = 0; m < 2; m++)
        if (counts->keep_scores[m])
            counts->scores[m][cell] = (struct score_list){NULL, 0, 0};
    size_t mask = counts->cell_index_cap - 1;
    size_t pos = (uint32_t)hash & mask;
    while (counts->cell_index[pos] != 0)
        pos = (pos + 1) & mask;
    counts->cell_index[pos] = (uint32_t)cell + 1;
    *cell_out = cell;
    return FG_OK;
}

/* Finds the cell (value_ids, bits), or inserts it: *cell_out receives its index. */
static enum fg_status cell_find_or_insert(struct fg_counts *counts, const uint32_t *value_ids,
                                          unsigned bits, size_t *cell_out, struct fg_error *err)
{
    uint64_t hash = hash_cell(value_ids, counts->n_attrs, bits);
    *cell_out = cell_find(counts, value_ids, bits, hash);
    if (*cell_out != NO_CELL)
        return FG_OK;
    return cell_insert(counts, value_ids, bits, hash, cell_out, err);
}

/* The checks every way of adding rows shares; *bits receives the cell's bits. */
static inline enum fg_status check_add(const struct fg_counts *counts, const uint32_t *value_ids,
                                       int y_true, int candidate, int incumbent, uint64_t n,
                                       unsigned *bits, struct fg_error *err)
{
    for (size_t a = 0; a < counts->n_attrs; a++)
        if (value_ids[a] >= counts->values[a].n)
            return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                                "value id %lu of attribute %zu was never interned",
                                (unsigned long)value_ids[a], a);
    if (incumbent && !counts->has_incumbent)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "an incumbent prediction was added to a table without an incumbent");
    if (n > UINT64_MAX - counts->total)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0, "the total count would pass 2^64 - 1");
    *bits =
        (y_true ? BIT_Y : 0) | (candidate ? BIT_CANDIDATE : 0) | (incumbent ? BIT_INCUMBENT : 0);
    return FG_OK;
}

enum fg_status fg_counts_add(struct fg_counts *counts, const uint32_t *value_ids, int y_true,
                             int candidate, int incumbent, uint64_t n, struct fg_error *err)
{
    unsigned bits = 0;
    enum fg_status status =
        check_add(counts, value_ids, y_true, candidate, incumbent, n, &bits, err);
    if (status != FG_OK)
        return status;
    if (n > 0 && (counts->keep_scores[0] || counts->keep_scores[1]))
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "this table keeps scores: add rows with their scores");
    /* the hot path of ingest: an existing cell, found without a call */
    uint64_t hash = hash_cell(value_ids, counts->n_attrs, bits);
    size_t cell = cell_find(counts, value_ids, bits, hash);
    if (cell == NO_CELL &&
        (status = cell_insert(counts, value_ids, bits, hash, &cell, err)) != FG_OK)
        return status;
    counts->cell_counts[cell] += n; /* cannot overflow: it is part of total */
    counts->total += n;
    return FG_OK;
}

/* ---- scores ---- */

enum fg_status fg_counts_keep_scores(struct fg_counts *counts, bool candidate, bool incumbent,
                                     struct fg_error *err)
{
    if (counts->n_cells > 0)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "scores can be kept only from the first row of a table");
    if (incumbent && !counts->has_incumbent)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "incumbent scores were asked of a table without an incumbent");
    bool keep[2] = {candidate, incumbent};
    for (size_t m = 0; m < 2; m++) {
        if (keep[m] == counts->keep_scores[m])
            continue;
        free(counts->scores[m]);
        counts->scores[m] = NULL;
        if (keep[m] && counts->cells_cap > 0) {
            counts->scores[m] = malloc(counts->cells_cap * sizeof *counts->scores[m]);
            if (counts->scores[m] == NULL)
                return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        }
        counts->keep_scores[m] = keep[m];
    }
    return FG_OK;
}

bool fg_counts_has_scores(const struct fg_counts *counts, bool incumbent)
{
    return counts->keep_scores[incumbent ? 1 : 0];
}

/* Makes room for extra more scores in list (grown by half, or to fit). */
static bool score_reserve(struct score_list *list, size_t extra)
{
    if (list->cap - list->n >= extra)
        return true;
    size_t want = list->n + extra;
    size_t cap = list->cap < 16 ? 16 : list->cap + list->cap / 2;
    if (cap < want)
        cap = want;
    if (cap > SIZE_MAX / sizeof *list->values)
        return false;
    double *values = realloc(list->values, cap * sizeof *values);
    if (values == NULL)
        return false;
    list->values = values;
    list->cap = cap;
    return true;
}

static enum fg_status scored_room(const struct fg_counts *counts, uint64_t n, struct fg_error *err)
{
    if (n > FG_MAX_SCORED_ROWS - counts->total || counts->total > FG_MAX_SCORED_ROWS)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "more than %llu rows with scores (the limit: auc, calibration_gap "
                            "and brier keep every score in memory)",
                            (unsigned long long)FG_MAX_SCORED_ROWS);
    return FG_OK;
}

enum fg_status fg_counts_add_scored(struct fg_counts *counts, const uint32_t *value_ids, int y_true,
                                    int candidate, int incumbent, double candidate_score,
                                    double incumbent_score, struct fg_error *err)
{
    unsigned bits = 0;
    enum fg_status status =
        check_add(counts, value_ids, y_true, candidate, incumbent, 1, &bits, err);
    if (status != FG_OK)
        return status;
    double scores[2] = {candidate_score, incumbent_score};
    for (size_t m = 0; m < 2; m++)
        if (counts->keep_scores[m] && !isfinite(scores[m]))
            return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "a score is not a finite number");
    if ((status = scored_room(counts, 1, err)) != FG_OK)
        return status;
    size_t cell = 0;
    if ((status = cell_find_or_insert(counts, value_ids, bits, &cell, err)) != FG_OK)
        return status;
    for (size_t m = 0; m < 2; m++) {
        if (!counts->keep_scores[m])
            continue;
        struct score_list *list = &counts->scores[m][cell];
        if (!score_reserve(list, 1))
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        list->values[list->n++] = scores[m] + 0.0; /* -0.0 becomes 0.0 */
    }
    /* Counted only once every list has its score, so a failure leaves the table consistent. */
    counts->cell_counts[cell] += 1;
    counts->total += 1;
    return FG_OK;
}

const double *fg_counts_cell_scores(const struct fg_counts *counts, size_t index, bool incumbent,
                                    size_t *n)
{
    size_t m = incumbent ? 1 : 0;
    if (!counts->keep_scores[m] || index >= counts->n_cells) {
        *n = 0;
        return NULL;
    }
    *n = counts->scores[m][index].n;
    return counts->scores[m][index].values;
}

size_t fg_counts_cell_count(const struct fg_counts *counts)
{
    return counts->n_cells;
}

void fg_counts_cell(const struct fg_counts *counts, size_t index, struct fg_cell *out)
{
    memset(out, 0, sizeof *out);
    if (index >= counts->n_cells) {
        out->value_ids = no_value_ids;
        return;
    }
    out->value_ids = counts->n_attrs > 0 ? counts->ids + index * counts->n_attrs : no_value_ids;
    unsigned bits = counts->bits[index];
    out->y_true = (bits & BIT_Y) != 0;
    out->candidate = (bits & BIT_CANDIDATE) != 0;
    out->incumbent = (bits & BIT_INCUMBENT) != 0;
    out->count = counts->cell_counts[index];
}

/* ---- merge ---- */

enum fg_status fg_counts_merge(struct fg_counts *dst, const struct fg_counts *src,
                               struct fg_error *err)
{
    if (dst->n_attrs != src->n_attrs)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "cannot merge counts of %zu attributes into counts of %zu",
                            src->n_attrs, dst->n_attrs);
    if (dst->has_incumbent != src->has_incumbent)
        return fg_error_set(
            err, FG_ERR_USAGE, NULL, 0, 0, "cannot merge counts %s an incumbent into counts %s one",
            src->has_incumbent ? "with" : "without", dst->has_incumbent ? "with" : "without");
    for (size_t m = 0; m < 2; m++)
        if (dst->keep_scores[m] != src->keep_scores[m])
            return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                                "cannot merge counts %s %s scores into counts %s them",
                                src->keep_scores[m] ? "with" : "without",
                                m == 0 ? "candidate" : "incumbent",
                                dst->keep_scores[m] ? "with" : "without");
    bool scored = dst->keep_scores[0] || dst->keep_scores[1];
    if (scored && src->total > 0) {
        enum fg_status room = scored_room(dst, src->total, err);
        if (room != FG_OK)
            return room;
    }
    size_t n_attrs = src->n_attrs;
    uint32_t *maps[FG_MAX_PROTECTED] = {0};
    enum fg_status status = FG_OK;
    /* src value id -> dst value id, per attribute; values matched by string */
    for (size_t a = 0; a < n_attrs && status == FG_OK; a++) {
        const struct value_table *table = &src->values[a];
        maps[a] = malloc((table->n ? table->n : 1) * sizeof *maps[a]);
        if (maps[a] == NULL) {
            status = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        for (size_t id = 0; id < table->n && status == FG_OK; id++)
            status =
                fg_counts_intern(dst, a, table->strings[id], table->lengths[id], &maps[a][id], err);
    }
    uint32_t value_ids[FG_MAX_PROTECTED];
    /* src->n_cells is read once: merging a table into itself adds no new cell. */
    size_t n_cells = src->n_cells;
    for (size_t cell = 0; cell < n_cells && status == FG_OK; cell++) {
        for (size_t a = 0; a < n_attrs; a++)
            value_ids[a] = maps[a][src->ids[cell * n_attrs + a]];
        unsigned bits = src->bits[cell];
        uint64_t n = src->cell_counts[cell];
        status = check_add(dst, value_ids, (bits & BIT_Y) != 0, (bits & BIT_CANDIDATE) != 0,
                           (bits & BIT_INCUMBENT) != 0, n, &bits, err);
        size_t to = 0;
        if (status == FG_OK)
            status = cell_find_or_insert(dst, value_ids, bits, &to, err);
        /* Scores first, then the count: a cell's count stays its number of scores. When src
         * is dst, a list is appended to itself: its length is read before it grows, and
         * values is read after (realloc may move it); the two ranges never overlap. */
        for (size_t m = 0; m < 2 && status == FG_OK; m++) {
            if (!dst->keep_scores[m])
                continue;
            struct score_list *into = &dst->scores[m][to];
            size_t extra = src->scores[m][cell].n;
            if (!score_reserve(into, extra)) {
                status = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            if (extra > 0)
                memcpy(into->values + into->n, src->scores[m][cell].values,
                       extra * sizeof *into->values);
            into->n += extra;
        }
        if (status == FG_OK) {
            dst->cell_counts[to] += n; /* cannot overflow: it is part of total */
            dst->total += n;
        }
    }
    if (status == FG_OK && src->bins != NULL && dst->bins == NULL)
        status = fg_score_bins_new(n_attrs, &dst->bins, err);
    if (status == FG_OK && src->bins != NULL)
        status = fg_score_bins_merge(dst->bins, src->bins, maps, err);
    for (size_t a = 0; a < n_attrs; a++)
        free(maps[a]);
    return status;
}

/* ---- canonical order ---- */

/* Bottom-up merge sort of n indices with a comparator that takes a context (qsort has
 * none): stable, O(n log n), one scratch array. */
static void sort_indices(size_t *items, size_t *scratch, size_t n,
                         int (*cmp)(const void *context, size_t a, size_t b), const void *context)
{
    size_t *from = items, *to = scratch;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                to[k++] = cmp(context, from[j], from[i]) < 0 ? from[j++] : from[i++];
            while (i < mid)
                to[k++] = from[i++];
            while (j < hi)
                to[k++] = from[j++];
        }
        size_t *swap = from;
        from = to;
        to = swap;
    }
    if (from != items)
        memcpy(items, from, n * sizeof *items);
}

static int compare_values(const void *context, size_t a, size_t b)
{
    const struct value_table *table = context;
    size_t la = table->lengths[a], lb = table->lengths[b];
    int c = memcmp(table->strings[a], table->strings[b], la < lb ? la : lb);
    return c != 0 ? c : (la > lb) - (la < lb);
}

struct cell_order {
    const struct fg_counts *counts;
    uint32_t *ranks[FG_MAX_PROTECTED]; /* value id -> rank in bytewise order, per attribute */
};

/* Bits in the order y_true, candidate, incumbent (the counts file's column order). */
static unsigned bits_key(unsigned bits)
{
    return ((bits & BIT_Y) ? 4u : 0u) | ((bits & BIT_CANDIDATE) ? 2u : 0u) |
           ((bits & BIT_INCUMBENT) ? 1u : 0u);
}

static int compare_cells(const void *context, size_t a, size_t b)
{
    const struct cell_order *o = context;
    size_t n_attrs = o->counts->n_attrs;
    for (size_t k = 0; k < n_attrs; k++) {
        uint32_t ra = o->ranks[k][o->counts->ids[a * n_attrs + k]];
        uint32_t rb = o->ranks[k][o->counts->ids[b * n_attrs + k]];
        if (ra != rb)
            return ra < rb ? -1 : 1;
    }
    unsigned ka = bits_key(o->counts->bits[a]), kb = bits_key(o->counts->bits[b]);
    return (ka > kb) - (ka < kb);
}

enum fg_status fg_counts_canonical_order(const struct fg_counts *counts, size_t **order,
                                         struct fg_error *err)
{
    *order = NULL;
    struct cell_order o = {counts, {0}};
    size_t most = counts->n_cells;
    for (size_t a = 0; a < counts->n_attrs; a++)
        if (counts->values[a].n > most)
            most = counts->values[a].n;
    size_t *items = malloc((counts->n_cells ? counts->n_cells : 1) * sizeof *items);
    size_t *scratch = malloc((most ? most : 1) * sizeof *scratch);
    size_t *ids = malloc((most ? most : 1) * sizeof *ids);
    bool ok = items != NULL && scratch != NULL && ids != NULL;
    for (size_t a = 0; a < counts->n_attrs && ok; a++) {
        const struct value_table *table = &counts->values[a];
        o.ranks[a] = malloc((table->n ? table->n : 1) * sizeof *o.ranks[a]);
        if (o.ranks[a] == NULL) {
            ok = false;
            break;
        }
        for (size_t id = 0; id < table->n; id++)
            ids[id] = id;
        sort_indices(ids, scratch, table->n, compare_values, table);
        for (size_t r = 0; r < table->n; r++)
            o.ranks[a][ids[r]] = (uint32_t)r;
    }
    if (ok) {
        for (size_t cell = 0; cell < counts->n_cells; cell++)
            items[cell] = cell;
        sort_indices(items, scratch, counts->n_cells, compare_cells, &o);
    }
    for (size_t a = 0; a < counts->n_attrs; a++)
        free(o.ranks[a]);
    free(scratch);
    free(ids);
    if (!ok) {
        free(items);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    *order = items;
    return FG_OK;
}

/* ---- lookup ---- */

bool fg_counts_find_value(const struct fg_counts *counts, size_t attr, const char *value,
                          size_t len, uint32_t *id)
{
    if (attr >= counts->n_attrs || counts->values[attr].index_cap == 0)
        return false;
    const struct value_table *table = &counts->values[attr];
    uint64_t hash = hash_bytes(value, len);
    size_t mask = table->index_cap - 1;
    for (size_t pos = (size_t)hash & mask; table->index[pos] != 0; pos = (pos + 1) & mask) {
        uint32_t found = table->index[pos] - 1;
        if (table->hashes[found] == hash && table->lengths[found] == len &&
            memcmp(table->strings[found], value, len) == 0) {
            *id = found;
            return true;
        }
    }
    return false;
}
