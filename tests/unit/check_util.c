/*
 * check_util.c - unit tests of lib/util.c's output sets (fg_outputs_*): what a path holds
 * decides how it is written (vectors of links, devices and flags), and every fault between
 * staging and commit leaves each path as it was with no temporary file behind. And
 * fg_decimal_fast: bit for bit what strtod reads, in every rounding mode, or false.
 */
#define _POSIX_C_SOURCE 200809L

#include "fairgate.h"
#include "util.h"

#include <check.h>
#include <dirent.h>
#include <fenv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static char dir[512];

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    int n = snprintf(dir, sizeof dir, "%s/fg_util_XXXXXX", base);
    ck_assert(n > 0 && (size_t)n < sizeof dir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static const char *at(const char *name)
{
    static char paths[4][1024];
    static unsigned next;
    char *p = paths[next++ % 4];
    int n = snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    ck_assert(n > 0 && (size_t)n < sizeof paths[0]);
    return p;
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(at(name), "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* The file's text ("" when absent: tests never write empty files). */
static const char *get(const char *name)
{
    static char text[512];
    text[0] = '\0';
    FILE *f = fopen(at(name), "r");
    if (f == NULL)
        return text;
    size_t got = fread(text, 1, sizeof text - 1, f);
    text[got] = '\0';
    fclose(f);
    return text;
}

/* Entries of the folder (".", ".." aside), and how many are temporary (".fg*"). */
static size_t entries(size_t *temporary)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0, t = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        t += strncmp(e->d_name, ".fg", 3) == 0;
    }
    closedir(d);
    if (temporary != NULL)
        *temporary = t;
    return n;
}

/* Removes the folder: its files, links and the one level of folders the tests make. */
static void teardown(void)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        const char *p = at(e->d_name);
        struct stat info;
        ck_assert_int_eq(lstat(p, &info), 0);
        if (S_ISDIR(info.st_mode)) {
            char inner[1100];
            snprintf(inner, sizeof inner, "%s/x", p);
            unlink(inner);
            ck_assert_int_eq(rmdir(p), 0);
        } else {
            ck_assert_int_eq(unlink(p), 0);
        }
    }
    closedir(d);
    ck_assert_int_eq(rmdir(dir), 0);
}

/* A non-empty folder at name: rename(2) onto it fails. */
static void block_with_folder(const char *name)
{
    ck_assert_int_eq(mkdir(at(name), 0755), 0);
    char inner[1100];
    snprintf(inner, sizeof inner, "%s/x", at(name));
    FILE *f = fopen(inner, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
}

/* ---- what a path holds decides how it is written ---- */

enum holds { NOTHING, REGULAR, LINK_TO_REGULAR, LINK_DANGLING, LINK_TO_NULL, DEVICE };

static const struct {
    enum holds holds;
    unsigned flags;
    enum fg_status add;  /* fg_outputs_add */
    const char *message; /* its error's text, in part */
    bool regular_after;  /* out is then a regular file with the new text */
} kinds[] = {
    {NOTHING, 0, FG_OK, NULL, true},
    {REGULAR, 0, FG_OK, NULL, true},
    {LINK_TO_REGULAR, 0, FG_ERR_IO, "is a symbolic link to a regular file", false},
    {LINK_DANGLING, 0, FG_ERR_IO, "is a symbolic link that dangles", false},
    {LINK_TO_REGULAR, FG_OUTPUT_FORCE, FG_OK, NULL, true},
    {LINK_DANGLING, FG_OUTPUT_FORCE, FG_OK, NULL, true},
    {LINK_TO_NULL, 0, FG_OK, NULL, false},
    {DEVICE, 0, FG_OK, NULL, false},
    {REGULAR, FG_OUTPUT_NEW, FG_ERR_IO, "exists; use --force", false},
    {LINK_DANGLING, FG_OUTPUT_NEW, FG_ERR_IO, "exists; use --force", false},
    {LINK_TO_REGULAR, FG_OUTPUT_REGULAR | FG_OUTPUT_FORCE, FG_ERR_IO, "not a regular file", false},
    {LINK_TO_NULL, FG_OUTPUT_REGULAR, FG_ERR_IO, "not a regular file", false},
};

START_TEST(test_kinds)
{
    char out[1024];
    snprintf(out, sizeof out, "%s", kinds[_i].holds == DEVICE ? "/dev/null" : at("out"));
    put("target", "target");
    switch (kinds[_i].holds) {
    case REGULAR:
        put("out", "old");
        break;
    case LINK_TO_REGULAR:
        ck_assert_int_eq(symlink("target", out), 0);
        break;
    case LINK_DANGLING:
        ck_assert_int_eq(symlink("nowhere", out), 0);
        break;
    case LINK_TO_NULL:
        ck_assert_int_eq(symlink("/dev/null", out), 0);
        break;
    default:
        break;
    }
    size_t before = entries(NULL);
    struct fg_outputs *set = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_outputs_new(&set, &err), FG_OK);
    enum fg_status st = fg_outputs_add(set, out, "new", 3, kinds[_i].flags, 0, &err);
    ck_assert_int_eq(st, kinds[_i].add);
    if (st != FG_OK) {
        ck_assert_str_eq(err.file, out);
        ck_assert_ptr_nonnull(strstr(err.message, kinds[_i].message));
    } else {
        ck_assert_int_eq(fg_outputs_commit(set, &err), FG_OK);
    }
    fg_outputs_free(set);
    size_t temporary;
    ck_assert_uint_eq(entries(&temporary), before + (kinds[_i].holds == NOTHING && st == FG_OK));
    ck_assert_uint_eq(temporary, 0);
    ck_assert_str_eq(get("target"), "target"); /* never written through */
    ck_assert_int_eq(access(at("nowhere"), F_OK), -1);
    struct stat info;
    if (kinds[_i].regular_after) {
        ck_assert_int_eq(lstat(out, &info), 0);
        ck_assert(S_ISREG(info.st_mode));
        ck_assert_str_eq(get("out"), "new");
    }
    if (kinds[_i].holds == LINK_TO_NULL || kinds[_i].holds == DEVICE) {
        ck_assert_int_eq(stat(out, &info), 0);
        ck_assert(S_ISCHR(info.st_mode));
    }
}
END_TEST

/* ---- faults between staging and commit ---- */

/* A rename that fails after an earlier one succeeded: the earlier file comes back, the
 * new one goes, an append is cut back, and no temporary file or backup remains. */
START_TEST(test_rename_fails_midway)
{
    put("a", "old-a");
    put("summary", "sum");
    struct fg_outputs *set = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_outputs_new(&set, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("summary"), "+more", 5, FG_OUTPUT_APPEND, 0, &err),
                     FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("a"), "new-a", 5, 0, 0, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("b"), "new-b", 5, 0, 0, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("c"), "new-c", 5, 0, 0, &err), FG_OK);
    size_t temporary;
    ck_assert_uint_eq(entries(&temporary), 6); /* a, summary, 3 staged, a's backup */
    ck_assert_uint_eq(temporary, 4);
    block_with_folder("c");
    ck_assert_int_eq(fg_outputs_commit(set, &err), FG_ERR_IO);
    ck_assert_str_eq(err.file, at("c"));
    ck_assert_ptr_nonnull(strstr(err.message, "cannot rename into place"));
    fg_outputs_free(set);
    ck_assert_str_eq(get("a"), "old-a");
    ck_assert_str_eq(get("summary"), "sum");
    ck_assert_int_eq(access(at("b"), F_OK), -1);
    ck_assert_uint_eq(entries(&temporary), 3); /* a, summary, the folder c */
    ck_assert_uint_eq(temporary, 0);
}
END_TEST

/* FG_OUTPUT_NEW holds at commit too: a file that appears meanwhile is not replaced. */
START_TEST(test_new_appears_before_commit)
{
    struct fg_outputs *set = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_outputs_new(&set, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("before"), "one", 3, FG_OUTPUT_NEW, 0600, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("k"), "key", 3, FG_OUTPUT_NEW, 0600, &err), FG_OK);
    put("k", "theirs");
    ck_assert_int_eq(fg_outputs_commit(set, &err), FG_ERR_IO);
    ck_assert_str_eq(err.message, "exists; use --force to replace it");
    fg_outputs_free(set);
    ck_assert_str_eq(get("k"), "theirs");
    ck_assert_int_eq(access(at("before"), F_OK), -1); /* linked, then rolled back */
    size_t temporary;
    ck_assert_uint_eq(entries(&temporary), 1);
    ck_assert_uint_eq(temporary, 0);
}
END_TEST

/* What a signal handler calls: every staged file and backup goes, the paths stay, and a
 * summary the set created is removed. */
START_TEST(test_abandon)
{
    put("a", "old-a");
    struct fg_outputs *set = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_outputs_new(&set, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("a"), "new-a", 5, 0, 0, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("b"), "new-b", 5, 0, 0, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("s"), "sum", 3, FG_OUTPUT_APPEND, 0, &err), FG_OK);
    ck_assert_uint_eq(entries(NULL), 5);
    fg_outputs_abandon(set);
    fg_outputs_abandon(set); /* twice is harmless */
    size_t temporary;
    ck_assert_uint_eq(entries(&temporary), 1);
    ck_assert_uint_eq(temporary, 0);
    ck_assert_str_eq(get("a"), "old-a");
    fg_outputs_free(set);
    ck_assert_uint_eq(entries(NULL), 1);
}
END_TEST

/* A device that fails (/dev/full) is written before anything else changes. */
START_TEST(test_device_fails_first)
{
    put("a", "old-a");
    struct fg_outputs *set = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_outputs_new(&set, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("a"), "new-a", 5, 0, 0, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, at("s"), "sum", 3, FG_OUTPUT_APPEND, 0, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, "/dev/full", "x", 1, 0, 0, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_commit(set, &err), FG_ERR_IO);
    ck_assert_str_eq(err.file, "/dev/full");
    fg_outputs_free(set);
    ck_assert_str_eq(get("a"), "old-a");
    ck_assert_uint_eq(entries(NULL), 1); /* the summary it created is gone too */
}
END_TEST

/* The longest file name a folder takes: the staged name is short. */
START_TEST(test_long_name)
{
    char name[256];
    memset(name, 'n', 255);
    name[255] = '\0';
    put(name, "old");
    struct fg_error err = {0};
    ck_assert_int_eq(fg_file_write_atomic(at(name), "new", 3, &err), FG_OK);
    ck_assert_str_eq(get(name), "new");
    ck_assert_uint_eq(entries(NULL), 1);
}
END_TEST

START_TEST(test_limit)
{
    struct fg_outputs *set = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_outputs_new(&set, &err), FG_OK);
    for (int i = 0; i < FG_OUTPUTS_MAX; i++)
        ck_assert_int_eq(fg_outputs_add(set, "/dev/null", "x", 1, 0, 0, &err), FG_OK);
    ck_assert_int_eq(fg_outputs_add(set, "/dev/null", "x", 1, 0, 0, &err), FG_ERR_LIMIT);
    fg_outputs_free(set);
    fg_outputs_free(NULL);
    fg_outputs_abandon(NULL);
}
END_TEST

/* ---- fg_decimal_fast ---- */

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* fg_decimal_fast on text: false, or true with strtod's double to the bit. */
static bool fast_agrees(const char *text)
{
    double fast = 0.0;
    if (!fg_decimal_fast(text, strlen(text), &fast))
        return false;
    char *end = NULL;
    double slow = strtod(text, &end);
    ck_assert_msg(*end == '\0', "'%s': strtod stops early", text);
    ck_assert_msg(same_bits(fast, slow), "'%s': fast %.17g, strtod %.17g", text, fast, slow);
    return true;
}

START_TEST(test_decimal_fast_vectors)
{
    static const char *const taken[] = {"0.6684",
                                        "1",
                                        "0",
                                        "-0.0",
                                        "+0.5",
                                        "-1.25",
                                        "0.1",
                                        "0.3",
                                        "00.5",
                                        "1.000",
                                        "9007199254740992",
                                        "0.9007199254740992",
                                        "123456.789",
                                        "0.0000000000000000000001"};
    static const char *const left[] = {"",
                                       "-",
                                       "+",
                                       ".5",
                                       "5.",
                                       "1e3",
                                       "1E-3",
                                       "0x1p-1",
                                       " 1",
                                       "1 ",
                                       "1,5",
                                       "inf",
                                       "nan",
                                       "1.2.3",
                                       "--1",
                                       "+-1",
                                       "0.5x",
                                       "9007199254740993",
                                       "90071992547409930",
                                       "0.00000000000000000000001",
                                       "1.0000000000000000000000"};
    for (size_t i = 0; i < N_OF(taken); i++)
        ck_assert_msg(fast_agrees(taken[i]), "'%s' not taken", taken[i]);
    for (size_t i = 0; i < N_OF(left); i++) {
        double v = 42.0;
        ck_assert_msg(!fg_decimal_fast(left[i], strlen(left[i]), &v), "'%s' taken", left[i]);
        ck_assert(v == 42.0);
    }
    double v;
    ck_assert(fg_decimal_fast("0.25", 4, &v) && v == 0.25); /* len, not the NUL, ends it */
    ck_assert(fg_decimal_fast("0.25junk", 4, &v) && v == 0.25);
    ck_assert(!fg_decimal_fast("0.25junk", 5, &v));
}
END_TEST

/* Zero in every rounding mode: +0.0 unless written with '-', as strtod reads it. The sign was
 * wrong in a clang build when rounding down ("0" read as -0.0: its uint64_t to double
 * conversion subtracts 2^52 from 2^52; fuzz_number found it). */
START_TEST(test_decimal_fast_zero_modes)
{
    static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    static const char *const zeros[] = {"0", "0.0", "+0", "000.000", "-0", "-0.00", "+0.0"};
    for (size_t m = 0; m < N_OF(modes); m++) {
        ck_assert_int_eq(fesetround(modes[m]), 0);
        for (size_t i = 0; i < N_OF(zeros); i++) {
            double v = 42.0;
            bool taken = fg_decimal_fast(zeros[i], strlen(zeros[i]), &v);
            fesetround(FE_TONEAREST);
            ck_assert_msg(taken, "'%s' not taken", zeros[i]);
            ck_assert_msg(v == 0.0 && signbit(v) == (zeros[i][0] == '-'), "'%s', mode %zu: %a",
                          zeros[i], m, v);
            ck_assert_int_eq(fesetround(modes[m]), 0);
        }
        fesetround(FE_TONEAREST);
    }
}
END_TEST

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned rng(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* Random plain decimals, near and past the limits (2^53, 22 places), in each rounding mode:
 * every one taken reads as strtod reads it. */
START_TEST(test_decimal_fast_random)
{
    static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    ck_assert_int_eq(fesetround(modes[_i]), 0);
    size_t taken = 0, tries = _i == 0 ? 400000 : 100000;
    for (size_t t = 0; t < tries; t++) {
        char text[64];
        size_t n = 0;
        unsigned sign = rng(4);
        if (sign == 1)
            text[n++] = '-';
        else if (sign == 2)
            text[n++] = '+';
        unsigned zeros = rng(3), integer = 1 + rng(17), fraction = rng(4) ? rng(26) : 0;
        for (unsigned k = 0; k < zeros; k++)
            text[n++] = '0';
        for (unsigned k = 0; k < integer; k++)
            text[n++] = (char)('0' + (k == 0 && integer > 1 && rng(2) ? 0 : rng(10)));
        if (fraction > 0) {
            text[n++] = '.';
            for (unsigned k = 0; k < fraction; k++)
                text[n++] = (char)('0' + rng(10));
        }
        text[n] = '\0';
        taken += fast_agrees(text);
    }
    fesetround(FE_TONEAREST);
    ck_assert_msg(taken > tries / 4, "only %zu of %zu taken", taken, tries);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("outputs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_kinds, 0, N_OF(kinds));
    tcase_add_test(tc, test_rename_fails_midway);
    tcase_add_test(tc, test_new_appears_before_commit);
    tcase_add_test(tc, test_abandon);
    tcase_add_test(tc, test_device_fails_first);
    tcase_add_test(tc, test_long_name);
    tcase_add_test(tc, test_limit);
    suite_add_tcase(s, tc);
    TCase *numbers = tcase_create("numbers");
    tcase_add_test(numbers, test_decimal_fast_vectors);
    tcase_add_test(numbers, test_decimal_fast_zero_modes);
    tcase_add_loop_test(numbers, test_decimal_fast_random, 0, 4);
    suite_add_tcase(s, numbers);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(util_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
