/*
 * check_counts.c - unit tests of the cell table (lib/counts.c): interning, adding,
 * insertion order, limits, merge, and the scores a table keeps for the score metrics.
 * Tables of vectors; every expected count is worked out by hand in the vector.
 */
#include "counts.h"
#include "fairgate.h"
#include "policy.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static struct fg_counts *new_counts(size_t n_attrs, bool has_incumbent)
{
    struct fg_counts *counts = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_counts_new(n_attrs, has_incumbent, &counts, &err), FG_OK);
    ck_assert_ptr_nonnull(counts);
    return counts;
}

static uint32_t intern(struct fg_counts *counts, size_t attr, const char *value)
{
    uint32_t id = UINT32_MAX;
    struct fg_error err;
    ck_assert_int_eq(fg_counts_intern(counts, attr, value, strlen(value), &id, &err), FG_OK);
    return id;
}

/* Adds n to the cell named by value strings (interning them). */
static void add_named(struct fg_counts *counts, const char *const *values, int y, int c, int i,
                      uint64_t n)
{
    uint32_t ids[FG_MAX_PROTECTED];
    for (size_t a = 0; a < fg_counts_attr_count(counts); a++)
        ids[a] = intern(counts, a, values[a]);
    struct fg_error err;
    ck_assert_int_eq(fg_counts_add(counts, ids, y, c, i, n, &err), FG_OK);
}

/* The count of the cell named by value strings, or UINT64_MAX when there is none; fails
 * when two cells have the same key. */
static uint64_t count_named(const struct fg_counts *counts, const char *const *values, int y, int c,
                            int i)
{
    uint64_t found = UINT64_MAX;
    for (size_t k = 0; k < fg_counts_cell_count(counts); k++) {
        struct fg_cell cell;
        fg_counts_cell(counts, k, &cell);
        bool same = cell.y_true == (unsigned)y && cell.candidate == (unsigned)c &&
                    cell.incumbent == (unsigned)i;
        for (size_t a = 0; same && a < fg_counts_attr_count(counts); a++)
            same = strcmp(fg_counts_value(counts, a, cell.value_ids[a]), values[a]) == 0;
        if (same) {
            ck_assert_msg(found == UINT64_MAX, "two cells with the same key");
            found = cell.count;
        }
    }
    return found;
}

/* ---- interning ---- */

static const struct {
    const char *value;
    uint32_t id; /* expected: dense, in order of first sight */
} intern_vectors[] = {
    {"Female", 0}, {"Male", 1}, {"Female", 0}, {"", 2},        {"female", 3},
    {"Male", 1},   {"", 2},     {"Fem", 4},    {"Female ", 5}, {"Female", 0},
};

START_TEST(test_intern_dense_first_seen)
{
    struct fg_counts *counts = new_counts(2, false);
    size_t n = sizeof intern_vectors / sizeof intern_vectors[0];
    for (size_t k = 0; k < n; k++)
        ck_assert_uint_eq(intern(counts, 1, intern_vectors[k].value), intern_vectors[k].id);
    ck_assert_uint_eq(fg_counts_value_count(counts, 1), 6);
    ck_assert_uint_eq(fg_counts_value_count(counts, 0), 0); /* attributes are separate */
    ck_assert_str_eq(fg_counts_value(counts, 1, 0), "Female");
    ck_assert_str_eq(fg_counts_value(counts, 1, 2), "");
    ck_assert_str_eq(fg_counts_value(counts, 1, 5), "Female ");
    ck_assert_ptr_null(fg_counts_value(counts, 1, 6));
    ck_assert_ptr_null(fg_counts_value(counts, 2, 0));
    /* the same string in attribute 0 gets its own id 0 */
    ck_assert_uint_eq(intern(counts, 0, "Male"), 0);
    fg_counts_free(counts);
}
END_TEST

START_TEST(test_intern_not_nul_terminated)
{
    struct fg_counts *counts = new_counts(1, false);
    const char buffer[] = "AfricanXX";
    uint32_t id = 99;
    struct fg_error err;
    ck_assert_int_eq(fg_counts_intern(counts, 0, buffer, 7, &id, &err), FG_OK);
    ck_assert_uint_eq(id, 0);
    ck_assert_str_eq(fg_counts_value(counts, 0, 0), "African");
    ck_assert_uint_eq(intern(counts, 0, "African"), 0);
    ck_assert_uint_eq(intern(counts, 0, "AfricanXX"), 1);
    /* a NUL byte inside a value is refused */
    ck_assert_int_eq(fg_counts_intern(counts, 0, "a\0b", 3, &id, &err), FG_ERR_INPUT);
    /* an attribute the table does not have */
    ck_assert_int_eq(fg_counts_intern(counts, 1, "x", 1, &id, &err), FG_ERR_USAGE);
    fg_counts_free(counts);
}
END_TEST

START_TEST(test_intern_limit)
{
    struct fg_counts *counts = new_counts(1, false);
    char value[32];
    for (unsigned k = 0; k < FG_MAX_GROUP_VALUES; k++) {
        snprintf(value, sizeof value, "v%u", k);
        ck_assert_uint_eq(intern(counts, 0, value), k);
    }
    struct fg_error err;
    uint32_t id = 0;
    ck_assert_int_eq(fg_counts_intern(counts, 0, "one too many", 12, &id, &err), FG_ERR_LIMIT);
    ck_assert_int_eq(err.code, FG_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, "4096"));
    /* known values are still found after the refusal, with their ids */
    ck_assert_uint_eq(intern(counts, 0, "v4095"), 4095);
    ck_assert_uint_eq(intern(counts, 0, "v0"), 0);
    ck_assert_uint_eq(fg_counts_value_count(counts, 0), FG_MAX_GROUP_VALUES);
    fg_counts_free(counts);
}
END_TEST

/* ---- adding ---- */

struct add_step {
    const char *values[2];
    int y, c, i;
    uint64_t n;
};

struct expected_cell {
    const char *values[2];
    unsigned y, c, i;
    uint64_t count;
};

struct add_vector {
    const char *name;
    bool has_incumbent;
    struct add_step steps[8];
    size_t n_steps;
    struct expected_cell cells[8]; /* in order of first insertion */
    size_t n_cells;
    uint64_t total;
};

static const struct add_vector add_vectors[] = {
    {"one cell accumulates",
     false,
     {{{"F", "A"}, 1, 1, 0, 1}, {{"F", "A"}, 1, 1, 0, 1}, {{"F", "A"}, 1, 1, 0, 5}},
     3,
     {{{"F", "A"}, 1, 1, 0, 7}},
     1,
     7},
    {"bits make cells",
     false,
     {{{"F", "A"}, 1, 1, 0, 1},
      {{"F", "A"}, 0, 1, 0, 2},
      {{"F", "A"}, 1, 0, 0, 3},
      {{"F", "A"}, 0, 0, 0, 4},
      {{"F", "A"}, 1, 1, 0, 10}},
     5,
     {{{"F", "A"}, 1, 1, 0, 11},
      {{"F", "A"}, 0, 1, 0, 2},
      {{"F", "A"}, 1, 0, 0, 3},
      {{"F", "A"}, 0, 0, 0, 4}},
     4,
     20},
    {"values make cells, nonzero ints are 1",
     true,
     {{{"F", "A"}, 1, 1, 1, 1},
      {{"M", "A"}, 7, -1, 2, 1},
      {{"F", "B"}, 0, 0, 1, 2},
      {{"M", "A"}, 1, 1, 1, 4},
      {{"F", "A"}, 1, 1, 0, 8}},
     5,
     {{{"F", "A"}, 1, 1, 1, 1},
      {{"M", "A"}, 1, 1, 1, 5},
      {{"F", "B"}, 0, 0, 1, 2},
      {{"F", "A"}, 1, 1, 0, 8}},
     4,
     16},
    {"a zero add makes a zero cell",
     false,
     {{{"F", "A"}, 0, 0, 0, 0}},
     1,
     {{{"F", "A"}, 0, 0, 0, 0}},
     1,
     0},
};

START_TEST(test_add_vectors)
{
    const struct add_vector *v = &add_vectors[_i];
    struct fg_counts *counts = new_counts(2, v->has_incumbent);
    for (size_t k = 0; k < v->n_steps; k++)
        add_named(counts, v->steps[k].values, v->steps[k].y, v->steps[k].c, v->steps[k].i,
                  v->steps[k].n);
    ck_assert_msg(fg_counts_cell_count(counts) == v->n_cells, "%s: %zu cells", v->name,
                  fg_counts_cell_count(counts));
    for (size_t k = 0; k < v->n_cells; k++) {
        struct fg_cell cell;
        fg_counts_cell(counts, k, &cell);
        const struct expected_cell *e = &v->cells[k];
        ck_assert_str_eq(fg_counts_value(counts, 0, cell.value_ids[0]), e->values[0]);
        ck_assert_str_eq(fg_counts_value(counts, 1, cell.value_ids[1]), e->values[1]);
        ck_assert_uint_eq(cell.y_true, e->y);
        ck_assert_uint_eq(cell.candidate, e->c);
        ck_assert_uint_eq(cell.incumbent, e->i);
        ck_assert_uint_eq(cell.count, e->count);
    }
    ck_assert_uint_eq(fg_counts_total(counts), v->total);
    ck_assert(fg_counts_has_incumbent(counts) == v->has_incumbent);
    ck_assert_uint_eq(fg_counts_attr_count(counts), 2);
    fg_counts_free(counts);
}
END_TEST

START_TEST(test_add_refusals)
{
    struct fg_counts *counts = new_counts(2, false);
    struct fg_error err;
    uint32_t ids[2] = {intern(counts, 0, "F"), intern(counts, 1, "A")};
    uint32_t bad[2] = {ids[0], 1}; /* attribute 1 has only id 0 */
    ck_assert_int_eq(fg_counts_add(counts, bad, 1, 1, 0, 1, &err), FG_ERR_USAGE);
    /* an incumbent bit in a table without an incumbent */
    ck_assert_int_eq(fg_counts_add(counts, ids, 1, 1, 1, 1, &err), FG_ERR_USAGE);
    ck_assert_uint_eq(fg_counts_cell_count(counts), 0);
    /* the total never overflows */
    ck_assert_int_eq(fg_counts_add(counts, ids, 1, 1, 0, UINT64_MAX, &err), FG_OK);
    ck_assert_int_eq(fg_counts_add(counts, ids, 0, 0, 0, 1, &err), FG_ERR_LIMIT);
    ck_assert_int_eq(fg_counts_add(counts, ids, 1, 1, 0, 1, &err), FG_ERR_LIMIT);
    ck_assert_uint_eq(fg_counts_total(counts), UINT64_MAX);
    ck_assert_uint_eq(fg_counts_cell_count(counts), 1);
    /* out-of-range cell index reads as an empty cell */
    struct fg_cell cell;
    fg_counts_cell(counts, 5, &cell);
    ck_assert_uint_eq(cell.count, 0);
    fg_counts_free(counts);
    /* too many attributes */
    struct fg_counts *none = NULL;
    ck_assert_int_eq(fg_counts_new(FG_MAX_PROTECTED + 1, false, &none, &err), FG_ERR_LIMIT);
    ck_assert_ptr_null(none);
}
END_TEST

START_TEST(test_no_attributes)
{
    struct fg_counts *counts = new_counts(0, true);
    struct fg_error err;
    ck_assert_int_eq(fg_counts_add(counts, NULL, 1, 0, 1, 3, &err), FG_OK);
    ck_assert_int_eq(fg_counts_add(counts, NULL, 0, 0, 0, 1, &err), FG_OK);
    ck_assert_int_eq(fg_counts_add(counts, NULL, 1, 0, 1, 2, &err), FG_OK);
    ck_assert_uint_eq(fg_counts_cell_count(counts), 2);
    struct fg_cell cell;
    fg_counts_cell(counts, 0, &cell);
    ck_assert_uint_eq(cell.count, 5);
    ck_assert_uint_eq(cell.y_true, 1);
    ck_assert_uint_eq(cell.incumbent, 1);
    ck_assert_ptr_nonnull(cell.value_ids);
    ck_assert_uint_eq(fg_counts_total(counts), 6);
    fg_counts_free(counts);
}
END_TEST

/* Many cells, many rehashes: the count of cell (a, b, bits) is a*7 + b*3 + bits + 1, added
 * one at a time, and the insertion order is the loop order. */
START_TEST(test_many_cells)
{
    enum { A = 40, B = 50 };
    struct fg_counts *counts = new_counts(2, true);
    char value[16];
    uint32_t ids_a[A], ids_b[B];
    for (unsigned a = 0; a < A; a++) {
        snprintf(value, sizeof value, "a%u", a);
        ids_a[a] = intern(counts, 0, value);
    }
    for (unsigned b = 0; b < B; b++) {
        snprintf(value, sizeof value, "b%u", b);
        ids_b[b] = intern(counts, 1, value);
    }
    struct fg_error err;
    uint64_t total = 0;
    for (unsigned round = 0; round < 2; round++) {
        for (unsigned a = 0; a < A; a++)
            for (unsigned b = 0; b < B; b++)
                for (unsigned bits = 0; bits < 8; bits++) {
                    uint32_t ids[2] = {ids_a[a], ids_b[b]};
                    uint64_t n = round == 0 ? 1 : a * 7u + b * 3u + bits;
                    ck_assert_int_eq(fg_counts_add(counts, ids, bits & 1, (bits >> 1) & 1,
                                                   (bits >> 2) & 1, n, &err),
                                     FG_OK);
                    total += n;
                }
    }
    ck_assert_uint_eq(fg_counts_cell_count(counts), A * B * 8);
    ck_assert_uint_eq(fg_counts_total(counts), total);
    size_t k = 0;
    for (unsigned a = 0; a < A; a++)
        for (unsigned b = 0; b < B; b++)
            for (unsigned bits = 0; bits < 8; bits++, k++) {
                struct fg_cell cell;
                fg_counts_cell(counts, k, &cell);
                ck_assert_uint_eq(cell.value_ids[0], ids_a[a]);
                ck_assert_uint_eq(cell.value_ids[1], ids_b[b]);
                ck_assert_uint_eq(cell.y_true | cell.candidate << 1 | cell.incumbent << 2, bits);
                ck_assert_uint_eq(cell.count, a * 7u + b * 3u + bits + 1);
            }
    fg_counts_free(counts);
}
END_TEST

/* FG_MAX_CELLS distinct cells fit; one more is refused, an existing one still adds. */
START_TEST(test_cell_limit)
{
    enum { A = 4096, B = FG_MAX_CELLS / 4096 / 8 };
    struct fg_counts *counts = new_counts(2, true);
    char value[16];
    for (unsigned a = 0; a < A; a++) {
        snprintf(value, sizeof value, "%u", a);
        intern(counts, 0, value);
    }
    for (unsigned b = 0; b <= B; b++) {
        snprintf(value, sizeof value, "%u", b);
        intern(counts, 1, value);
    }
    struct fg_error err;
    for (uint32_t a = 0; a < A; a++)
        for (uint32_t b = 0; b < B; b++)
            for (unsigned bits = 0; bits < 8; bits++) {
                uint32_t ids[2] = {a, b};
                enum fg_status status =
                    fg_counts_add(counts, ids, bits & 1, bits & 2, bits & 4, 1, &err);
                if (status != FG_OK)
                    ck_abort_msg("add %u %u %u: %s", a, b, bits, err.message);
            }
    ck_assert_uint_eq(fg_counts_cell_count(counts), FG_MAX_CELLS);
    uint32_t extra[2] = {0, B};
    ck_assert_int_eq(fg_counts_add(counts, extra, 0, 0, 0, 1, &err), FG_ERR_LIMIT);
    uint32_t known[2] = {A - 1, B - 1};
    ck_assert_int_eq(fg_counts_add(counts, known, 1, 1, 1, 1, &err), FG_OK);
    ck_assert_uint_eq(fg_counts_total(counts), (uint64_t)FG_MAX_CELLS + 1);
    fg_counts_free(counts);
}
END_TEST

/* ---- merge ---- */

/* Shard 1 and shard 2 see the values in different orders; the merge matches strings. */
static const struct add_step shard1[] = {
    {{"F", "A"}, 1, 1, 0, 3},
    {{"M", "B"}, 0, 1, 1, 2},
    {{"F", "B"}, 1, 0, 1, 1},
};
static const struct add_step shard2[] = {
    {{"X", "C"}, 0, 0, 0, 4}, /* values shard 1 never saw */
    {{"M", "B"}, 0, 1, 1, 5},
    {{"F", "A"}, 1, 1, 0, 7},
    {{"F", "A"}, 0, 1, 0, 1},
};
static const struct expected_cell merged[] = {
    {{"F", "A"}, 1, 1, 0, 10}, {{"M", "B"}, 0, 1, 1, 7}, {{"F", "B"}, 1, 0, 1, 1},
    {{"X", "C"}, 0, 0, 0, 4},  {{"F", "A"}, 0, 1, 0, 1},
};

START_TEST(test_merge)
{
    struct fg_counts *dst = new_counts(2, true);
    struct fg_counts *src = new_counts(2, true);
    for (size_t k = 0; k < sizeof shard1 / sizeof shard1[0]; k++)
        add_named(dst, shard1[k].values, shard1[k].y, shard1[k].c, shard1[k].i, shard1[k].n);
    for (size_t k = 0; k < sizeof shard2 / sizeof shard2[0]; k++)
        add_named(src, shard2[k].values, shard2[k].y, shard2[k].c, shard2[k].i, shard2[k].n);
    /* src's ids differ from dst's: X=0, M=1, F=2 */
    ck_assert_uint_eq(intern(src, 0, "F"), 2);
    struct fg_error err;
    ck_assert_int_eq(fg_counts_merge(dst, src, &err), FG_OK);
    size_t n = sizeof merged / sizeof merged[0];
    ck_assert_uint_eq(fg_counts_cell_count(dst), n);
    for (size_t k = 0; k < n; k++) {
        struct fg_cell cell;
        fg_counts_cell(dst, k, &cell); /* dst's own cells first, then the new ones */
        ck_assert_str_eq(fg_counts_value(dst, 0, cell.value_ids[0]), merged[k].values[0]);
        ck_assert_str_eq(fg_counts_value(dst, 1, cell.value_ids[1]), merged[k].values[1]);
        ck_assert_uint_eq(cell.count, merged[k].count);
        ck_assert_uint_eq(count_named(dst, merged[k].values, (int)merged[k].y, (int)merged[k].c,
                                      (int)merged[k].i),
                          merged[k].count);
    }
    ck_assert_uint_eq(fg_counts_total(dst), 6 + 17);
    ck_assert_uint_eq(fg_counts_total(src), 17); /* src untouched */
    ck_assert_uint_eq(fg_counts_value_count(dst, 0), 3);
    /* a table merged into itself doubles */
    ck_assert_int_eq(fg_counts_merge(dst, dst, &err), FG_OK);
    ck_assert_uint_eq(fg_counts_total(dst), 2 * 23);
    ck_assert_uint_eq(fg_counts_cell_count(dst), n);
    fg_counts_free(dst);
    fg_counts_free(src);
}
END_TEST

START_TEST(test_merge_refusals)
{
    struct fg_counts *two = new_counts(2, true);
    struct fg_counts *one = new_counts(1, true);
    struct fg_counts *two_plain = new_counts(2, false);
    struct fg_error err;
    ck_assert_int_eq(fg_counts_merge(two, one, &err), FG_ERR_USAGE);
    ck_assert_int_eq(fg_counts_merge(two, two_plain, &err), FG_ERR_USAGE);
    ck_assert_int_eq(fg_counts_merge(two_plain, two, &err), FG_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "incumbent"));
    fg_counts_free(two);
    fg_counts_free(one);
    fg_counts_free(two_plain);
    fg_counts_free(NULL);
}
END_TEST

/* ---- scores ---- */

/* Adds one scored row to the cell named by value strings. */
static void add_scored(struct fg_counts *counts, const char *const *values, int y, int c, int i,
                       double candidate_score, double incumbent_score)
{
    uint32_t ids[FG_MAX_PROTECTED];
    for (size_t a = 0; a < fg_counts_attr_count(counts); a++)
        ids[a] = intern(counts, a, values[a]);
    struct fg_error err;
    ck_assert_int_eq(
        fg_counts_add_scored(counts, ids, y, c, i, candidate_score, incumbent_score, &err), FG_OK);
}

/* The cell's scores of one model are exactly want[0..n), in this order. */
static void expect_scores(const struct fg_counts *counts, size_t cell, bool incumbent,
                          const double *want, size_t n)
{
    size_t got = 0;
    const double *scores = fg_counts_cell_scores(counts, cell, incumbent, &got);
    struct fg_cell c;
    fg_counts_cell(counts, cell, &c);
    ck_assert_uint_eq(c.count, n); /* a cell's count is its number of scores */
    ck_assert_msg(got == n, "cell %zu (%s): %zu scores, expected %zu", cell,
                  incumbent ? "incumbent" : "candidate", got, n);
    for (size_t k = 0; k < n; k++)
        ck_assert_msg(scores[k] == want[k], "cell %zu score %zu: %g, expected %g", cell, k,
                      scores[k], want[k]);
}

static const char *const fa[] = {"F", "A"}, *const mb[] = {"M", "B"};

START_TEST(test_scores_kept)
{
    struct fg_counts *counts = new_counts(2, true);
    struct fg_error err;
    ck_assert(!fg_counts_has_scores(counts, false));
    ck_assert_int_eq(fg_counts_keep_scores(counts, true, true, &err), FG_OK);
    ck_assert(fg_counts_has_scores(counts, false));
    ck_assert(fg_counts_has_scores(counts, true));
    add_scored(counts, fa, 1, 1, 0, 0.9, 0.7);
    add_scored(counts, mb, 0, 0, 1, 0.2, -0.0); /* stored as 0.0 */
    add_scored(counts, fa, 1, 1, 0, 0.6, 0.1);
    ck_assert_uint_eq(fg_counts_cell_count(counts), 2);
    ck_assert_uint_eq(fg_counts_total(counts), 3);
    const double fa_candidate[] = {0.9, 0.6}, fa_incumbent[] = {0.7, 0.1};
    const double mb_candidate[] = {0.2}, mb_incumbent[] = {0.0};
    expect_scores(counts, 0, false, fa_candidate, 2);
    expect_scores(counts, 0, true, fa_incumbent, 2);
    expect_scores(counts, 1, false, mb_candidate, 1);
    expect_scores(counts, 1, true, mb_incumbent, 1);
    size_t n = 0;
    ck_assert(!signbit(fg_counts_cell_scores(counts, 1, true, &n)[0]));
    ck_assert_ptr_null(fg_counts_cell_scores(counts, 2, false, &n)); /* no such cell */
    ck_assert_uint_eq(n, 0);
    /* a cell's list grows past its first allocation; ids and cells past theirs */
    double many[1000];
    for (size_t k = 0; k < 1000; k++) {
        many[k] = (double)k / 1000.0;
        add_scored(counts, mb, 0, 0, 1, many[k], 1.0 - many[k]);
    }
    const double *scores = fg_counts_cell_scores(counts, 1, false, &n);
    ck_assert_uint_eq(n, 1001);
    for (size_t k = 0; k < 1000; k++)
        ck_assert(scores[k + 1] == many[k]);
    for (size_t k = 0; k < 200; k++) {
        char value[16];
        snprintf(value, sizeof value, "v%zu", k);
        const char *named[] = {value, "A"};
        add_scored(counts, named, (int)(k % 2), 0, 0, 0.5, 0.25);
    }
    ck_assert_uint_eq(fg_counts_cell_count(counts), 202);
    const double half[] = {0.5}, quarter[] = {0.25};
    expect_scores(counts, 201, false, half, 1);
    expect_scores(counts, 201, true, quarter, 1);
    expect_scores(counts, 0, false, fa_candidate, 2); /* unchanged by the growth */
    fg_counts_free(counts);

    /* only the candidate's: the incumbent's score is ignored, whatever it is */
    counts = new_counts(1, true);
    ck_assert_int_eq(fg_counts_keep_scores(counts, true, false, &err), FG_OK);
    ck_assert(!fg_counts_has_scores(counts, true));
    add_scored(counts, fa, 0, 1, 1, 0.3, NAN);
    const double three[] = {0.3};
    expect_scores(counts, 0, false, three, 1);
    ck_assert_ptr_null(fg_counts_cell_scores(counts, 0, true, &n));
    fg_counts_free(counts);
}
END_TEST

START_TEST(test_scores_refusals)
{
    struct fg_counts *counts = new_counts(1, false);
    struct fg_error err;
    /* incumbent scores of a table without an incumbent */
    ck_assert_int_eq(fg_counts_keep_scores(counts, true, true, &err), FG_ERR_USAGE);
    ck_assert_int_eq(fg_counts_keep_scores(counts, true, false, &err), FG_OK);
    uint32_t id = intern(counts, 0, "F");
    /* a row without its score would break count == number of scores */
    ck_assert_int_eq(fg_counts_add(counts, &id, 1, 1, 0, 1, &err), FG_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "keeps scores"));
    ck_assert_uint_eq(fg_counts_total(counts), 0);
    /* not finite */
    ck_assert_int_eq(fg_counts_add_scored(counts, &id, 1, 1, 0, NAN, 0, &err), FG_ERR_USAGE);
    ck_assert_int_eq(fg_counts_add_scored(counts, &id, 1, 1, 0, INFINITY, 0, &err), FG_ERR_USAGE);
    ck_assert_uint_eq(fg_counts_total(counts), 0);
    ck_assert_uint_eq(fg_counts_cell_count(counts), 0);
    /* the same checks as fg_counts_add */
    uint32_t bad = 7;
    ck_assert_int_eq(fg_counts_add_scored(counts, &bad, 1, 1, 0, 0.5, 0, &err), FG_ERR_USAGE);
    ck_assert_int_eq(fg_counts_add_scored(counts, &id, 1, 1, 1, 0.5, 0, &err), FG_ERR_USAGE);
    /* n = 0 adds no row: allowed, and the cell has no score */
    ck_assert_int_eq(fg_counts_add(counts, &id, 0, 0, 0, 0, &err), FG_OK);
    size_t n = 9;
    ck_assert_ptr_null(fg_counts_cell_scores(counts, 0, false, &n));
    ck_assert_uint_eq(n, 0);
    /* too late to change what is kept */
    ck_assert_int_eq(fg_counts_keep_scores(counts, false, false, &err), FG_ERR_USAGE);
    ck_assert(fg_counts_has_scores(counts, false));
    fg_counts_free(counts);
}
END_TEST

START_TEST(test_scores_merge)
{
    struct fg_counts *dst = new_counts(2, true), *src = new_counts(2, true);
    struct fg_counts *plain = new_counts(2, true), *candidate_only = new_counts(2, true);
    struct fg_error err;
    ck_assert_int_eq(fg_counts_keep_scores(dst, true, true, &err), FG_OK);
    ck_assert_int_eq(fg_counts_keep_scores(src, true, true, &err), FG_OK);
    ck_assert_int_eq(fg_counts_keep_scores(candidate_only, true, false, &err), FG_OK);
    add_scored(dst, fa, 1, 1, 0, 0.9, 0.8);
    add_scored(dst, mb, 0, 0, 0, 0.1, 0.2);
    const char *const xc[] = {"X", "C"};
    add_scored(src, xc, 1, 0, 1, 0.4, 0.3); /* a new cell for dst */
    add_scored(src, fa, 1, 1, 0, 0.7, 0.6); /* dst's first cell */
    add_scored(src, fa, 1, 1, 0, 0.5, 0.55);
    ck_assert_int_eq(fg_counts_merge(dst, src, &err), FG_OK);
    /* dst's cells first, its own scores before src's, then src's new cell */
    ck_assert_uint_eq(fg_counts_cell_count(dst), 3);
    ck_assert_uint_eq(fg_counts_total(dst), 5);
    const double fa_c[] = {0.9, 0.7, 0.5}, fa_i[] = {0.8, 0.6, 0.55};
    const double mb_c[] = {0.1}, mb_i[] = {0.2}, xc_c[] = {0.4}, xc_i[] = {0.3};
    expect_scores(dst, 0, false, fa_c, 3);
    expect_scores(dst, 0, true, fa_i, 3);
    expect_scores(dst, 1, false, mb_c, 1);
    expect_scores(dst, 1, true, mb_i, 1);
    expect_scores(dst, 2, false, xc_c, 1);
    expect_scores(dst, 2, true, xc_i, 1);
    const double src_fa[] = {0.7, 0.5};
    expect_scores(src, 1, false, src_fa, 2); /* src untouched */
    /* a table merged into itself: every list twice over */
    ck_assert_int_eq(fg_counts_merge(dst, dst, &err), FG_OK);
    const double fa_twice[] = {0.9, 0.7, 0.5, 0.9, 0.7, 0.5};
    expect_scores(dst, 0, false, fa_twice, 6);
    ck_assert_uint_eq(fg_counts_total(dst), 10);
    /* scores kept on one side only cannot merge */
    ck_assert_int_eq(fg_counts_merge(dst, plain, &err), FG_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "scores"));
    ck_assert_int_eq(fg_counts_merge(plain, dst, &err), FG_ERR_USAGE);
    ck_assert_int_eq(fg_counts_merge(dst, candidate_only, &err), FG_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "incumbent scores"));
    ck_assert_uint_eq(fg_counts_total(dst), 10);
    fg_counts_free(dst);
    fg_counts_free(src);
    fg_counts_free(plain);
    fg_counts_free(candidate_only);
}
END_TEST

static Suite *counts_suite(void)
{
    Suite *s = suite_create("counts");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_intern_dense_first_seen);
    tcase_add_test(tc, test_intern_not_nul_terminated);
    tcase_add_test(tc, test_intern_limit);
    tcase_add_loop_test(tc, test_add_vectors, 0, sizeof add_vectors / sizeof add_vectors[0]);
    tcase_add_test(tc, test_add_refusals);
    tcase_add_test(tc, test_no_attributes);
    tcase_add_test(tc, test_many_cells);
    tcase_add_test(tc, test_cell_limit);
    tcase_add_test(tc, test_merge);
    tcase_add_test(tc, test_merge_refusals);
    tcase_add_test(tc, test_scores_kept);
    tcase_add_test(tc, test_scores_refusals);
    tcase_add_test(tc, test_scores_merge);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(counts_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
