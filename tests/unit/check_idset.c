/*
 * check_idset.c - unit tests of lib/idset.c: every string added is found again with its
 * bytes and flags, whatever its length (empty, NUL bytes, past the short-length limit, a
 * field of the maximum size), across growth of the table, with collisions in the table's
 * home slots, and in insertion order; an indexed set gives each string its index.
 */
#include "idset.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t add(struct fg_idset *set, const char *bytes, size_t len, unsigned flags)
{
    uint32_t ref = FG_IDSET_NONE;
    ck_assert_int_eq(fg_idset_add(set, bytes, len, flags, &ref), FG_OK);
    ck_assert_uint_ne(ref, FG_IDSET_NONE);
    return ref;
}

static void expect_bytes(const struct fg_idset *set, uint32_t ref, const char *bytes, size_t len)
{
    size_t have = 0;
    const char *got = fg_idset_bytes(set, ref, &have);
    ck_assert_uint_eq(have, len);
    ck_assert_int_eq(memcmp(got, bytes, len), 0);
}

/* Vectors: each id's bytes (with its length: NUL bytes and the empty id count) and flags. */
static const struct {
    const char *bytes;
    size_t len;
    unsigned flags;
} vectors[] = {
    {"", 0, 1},
    {"a", 1, 0},
    {"A0000001", 8, 7},
    {"A0000001\0", 9, 2}, /* differs only by a trailing NUL */
    {"\0", 1, 4},
    {"123456789012345678901234567890", 30, 3},  /* the longest short length */
    {"1234567890123456789012345678901", 31, 5}, /* the first long one */
    {"550e8400-e29b-41d4-a716-446655440000", 36, 6},
};
#define N_VECTORS (sizeof vectors / sizeof vectors[0])

START_TEST(test_vectors)
{
    for (int indexed = 0; indexed < 2; indexed++) {
        struct fg_idset set;
        fg_idset_init(&set, indexed);
        uint32_t refs[N_VECTORS];
        for (size_t i = 0; i < N_VECTORS; i++) {
            ck_assert_uint_eq(fg_idset_find(&set, vectors[i].bytes, vectors[i].len), FG_IDSET_NONE);
            refs[i] = add(&set, vectors[i].bytes, vectors[i].len, vectors[i].flags);
        }
        ck_assert_uint_eq(set.n, N_VECTORS);
        uint32_t ref = fg_idset_first(&set);
        for (size_t i = 0; i < N_VECTORS; i++, ref = fg_idset_next(&set, ref)) {
            ck_assert_uint_eq(ref, refs[i]); /* insertion order */
            ck_assert_uint_eq(fg_idset_find(&set, vectors[i].bytes, vectors[i].len), refs[i]);
            expect_bytes(&set, refs[i], vectors[i].bytes, vectors[i].len);
            ck_assert_uint_eq(fg_idset_flags(&set, refs[i]), vectors[i].flags);
            ck_assert_uint_eq(fg_idset_index(&set, refs[i]), i);
        }
        ck_assert_uint_eq(ref, FG_IDSET_NONE);
        ck_assert_uint_eq(fg_idset_find(&set, "b", 1), FG_IDSET_NONE);
        ck_assert_uint_eq(fg_idset_find(&set, "A000000", 7), FG_IDSET_NONE); /* a prefix */
        /* flags are ORed in, and only three bits */
        fg_idset_set_flags(&set, refs[1], 4);
        fg_idset_set_flags(&set, refs[1], 0xf8);
        ck_assert_uint_eq(fg_idset_flags(&set, refs[1]), 4);
        expect_bytes(&set, refs[1], "a", 1);
        fg_idset_free(&set);
        ck_assert_uint_eq(set.n, 0);
        ck_assert_uint_eq(fg_idset_find(&set, "a", 1), FG_IDSET_NONE);
    }
}
END_TEST

/* 300,000 ids: the table doubles many times; ids that differ in one byte, and ids of every
 * length from 1 to 40, all found, and none that was not added. */
START_TEST(test_growth_and_collisions)
{
    enum { N = 300000 };
    struct fg_idset set;
    fg_idset_init(&set, true);
    char id[64];
    for (unsigned i = 0; i < N; i++) {
        int len = snprintf(id, sizeof id, "%.*s%u", (int)(i % 40),
                           "0000000000000000000000000000000000000000", i);
        uint32_t ref = add(&set, id, (size_t)len, i % 8);
        ck_assert_uint_eq(fg_idset_index(&set, ref), i);
    }
    ck_assert_uint_eq(set.n, N);
    ck_assert_uint_ge(set.n_slots * 4, set.n * 5); /* at most 4/5 full */
    for (unsigned i = 0; i < N; i++) {
        int len = snprintf(id, sizeof id, "%.*s%u", (int)(i % 40),
                           "0000000000000000000000000000000000000000", i);
        uint32_t ref = fg_idset_find(&set, id, (size_t)len);
        ck_assert_msg(ref != FG_IDSET_NONE, "id %u lost", i);
        ck_assert_uint_eq(fg_idset_flags(&set, ref), i % 8);
        ck_assert_uint_eq(fg_idset_index(&set, ref), i);
        len = snprintf(id, sizeof id, "x%u", i);
        ck_assert_uint_eq(fg_idset_find(&set, id, (size_t)len), FG_IDSET_NONE);
    }
    fg_idset_free(&set);
}
END_TEST

/* Home slots that collide: 819 ids fill the first table (1024 slots) to its 4/5 limit
 * without growing it, so probe runs are long and wrap around the end; each id must still
 * be found, each absent one not. The 820th grows the table. */
START_TEST(test_collisions)
{
    struct fg_idset set;
    fg_idset_init(&set, false);
    char id[32];
    for (unsigned i = 0; i < 819; i++)
        add(&set, id, (size_t)snprintf(id, sizeof id, "r%u", i), 1);
    ck_assert_uint_eq(set.n_slots, 1024);
    size_t runs = 0, wrapped = set.slots[0] != 0 && set.slots[set.n_slots - 1] != 0;
    for (size_t pos = 0; pos < set.n_slots; pos++)
        runs += set.slots[pos] != 0 && set.slots[(pos + 1) % set.n_slots] != 0;
    ck_assert_uint_gt(runs, 400); /* many neighbours: probing is exercised */
    ck_assert_uint_eq(wrapped, 1);
    for (unsigned i = 0; i < 819; i++) {
        int len = snprintf(id, sizeof id, "r%u", i);
        uint32_t ref = fg_idset_find(&set, id, (size_t)len);
        ck_assert_uint_ne(ref, FG_IDSET_NONE);
        expect_bytes(&set, ref, id, (size_t)len);
        len = snprintf(id, sizeof id, "s%u", i);
        ck_assert_uint_eq(fg_idset_find(&set, id, (size_t)len), FG_IDSET_NONE);
    }
    add(&set, "r819", 4, 0);
    ck_assert_uint_eq(set.n_slots, 2048);
    ck_assert_uint_ne(fg_idset_find(&set, "r0", 2), FG_IDSET_NONE);
    fg_idset_free(&set);
}
END_TEST

/* fg_idset_reserve sizes the table once, to no power of two: 400,000 ids then fit
 * without the table growing (the hash join's peak memory: no last doubling, no two tables
 * at once), 4/5 full at most. Meanwhile the arena grows from 4 KiB to 4 MiB, so the bits
 * of a slot that hold an offset widen 10 times and the tags are cut in place: every id is
 * still found, none that was not added. */
START_TEST(test_reserve)
{
    enum { N = 400000 };
    struct fg_idset set;
    fg_idset_init(&set, false);
    ck_assert_int_eq(fg_idset_reserve(&set, N), FG_OK);
    size_t n_slots = set.n_slots;
    ck_assert_uint_eq(n_slots, N + N / 4 + 1);
    char id[32];
    for (unsigned i = 0; i < N; i++) {
        int len = snprintf(id, sizeof id, "A%07u", i);
        ck_assert_uint_eq(fg_idset_find(&set, id, (size_t)len), FG_IDSET_NONE);
        add(&set, id, (size_t)len, i % 8);
    }
    ck_assert_uint_eq(set.n_slots, n_slots); /* never grew */
    ck_assert_uint_eq(set.ref_bits, 23);     /* 3.6 MB of arena in 4 MiB: offsets of 23 bits */
    for (unsigned i = 0; i < N; i++) {
        int len = snprintf(id, sizeof id, "A%07u", i);
        uint32_t ref = fg_idset_find(&set, id, (size_t)len);
        ck_assert_msg(ref != FG_IDSET_NONE, "id %u lost", i);
        ck_assert_uint_eq(fg_idset_flags(&set, ref), i % 8);
        len = snprintf(id, sizeof id, "B%07u", i);
        ck_assert_uint_eq(fg_idset_find(&set, id, (size_t)len), FG_IDSET_NONE);
    }
    /* a smaller reservation changes nothing; the next id past 4/5 doubles the table */
    ck_assert_int_eq(fg_idset_reserve(&set, 10), FG_OK);
    ck_assert_uint_eq(set.n_slots, n_slots);
    ck_assert_int_eq(fg_idset_reserve(&set, (size_t)UINT32_MAX), FG_ERR_LIMIT);
    fg_idset_free(&set);
}
END_TEST

/* A long id of the field limit (1 MiB) and one byte more are two strings. */
START_TEST(test_long_ids)
{
    struct fg_idset set;
    fg_idset_init(&set, false);
    size_t big = (size_t)1 << 20;
    char *a = malloc(big + 1);
    ck_assert_ptr_nonnull(a);
    memset(a, 'z', big + 1);
    uint32_t r1 = add(&set, a, big, 0);
    ck_assert_uint_eq(fg_idset_find(&set, a, big + 1), FG_IDSET_NONE);
    uint32_t r2 = add(&set, a, big + 1, 1);
    ck_assert_uint_ne(r1, r2);
    ck_assert_uint_eq(fg_idset_find(&set, a, big), r1);
    ck_assert_uint_eq(fg_idset_find(&set, a, big + 1), r2);
    expect_bytes(&set, r2, a, big + 1);
    ck_assert_uint_eq(fg_idset_index(&set, r2), 1); /* counted by walking the arena */
    ck_assert_uint_eq(fg_idset_next(&set, r2), FG_IDSET_NONE);
    free(a);
    fg_idset_free(&set);
}
END_TEST

/* The empty id is a string like any other: found only when added, and distinct from "\0". */
START_TEST(test_empty_id)
{
    struct fg_idset set;
    fg_idset_init(&set, false);
    ck_assert_uint_eq(fg_idset_find(&set, "", 0), FG_IDSET_NONE);
    ck_assert_uint_eq(fg_idset_first(&set), FG_IDSET_NONE);
    uint32_t nul = add(&set, "\0", 1, 0);
    ck_assert_uint_eq(fg_idset_find(&set, "", 0), FG_IDSET_NONE);
    uint32_t empty = add(&set, "", 0, 2);
    ck_assert_uint_eq(fg_idset_find(&set, "", 0), empty);
    ck_assert_uint_eq(fg_idset_find(&set, "\0", 1), nul);
    ck_assert_uint_eq(fg_idset_flags(&set, empty), 2);
    size_t len = 99;
    fg_idset_bytes(&set, empty, &len);
    ck_assert_uint_eq(len, 0);
    fg_idset_free(&set);
}
END_TEST

static Suite *idset_suite(void)
{
    Suite *s = suite_create("idset");
    TCase *tc = tcase_create("idset");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_vectors);
    tcase_add_test(tc, test_growth_and_collisions);
    tcase_add_test(tc, test_collisions);
    tcase_add_test(tc, test_reserve);
    tcase_add_test(tc, test_long_ids);
    tcase_add_test(tc, test_empty_id);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(idset_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
