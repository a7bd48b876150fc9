/*
 * check_counts_io.c - unit tests of the counts file (lib/counts_io.c): the writer's bytes
 * (order, quoting), the strict reader (a table of files, each accepted with its totals or
 * refused at its line and field with its message), shards summed, and the policies a
 * counts table cannot serve.
 */
#define _POSIX_C_SOURCE 200809L

#include "counts.h"
#include "csvread.h"
#include "fairgate.h"
#include "test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char policy_text[] = "version: 1\n"
                                  "name: unit\n"
                                  "data:\n"
                                  "  label: y\n"
                                  "  positive_label: \"1\"\n"
                                  "  protected: [sex, race]\n"
                                  "  candidate: { prediction: c }\n"
                                  "  incumbent: { prediction: i }\n"
                                  "  favorable_prediction: \"1\"\n"
                                  "gates:\n"
                                  "  - id: parity\n"
                                  "    metric: selection_rate\n"
                                  "    disparity: ratio\n"
                                  "    min: 0.8\n";

static char dir[64];

static const char *write_file(const char *name, const char *content, size_t len)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_bytes_to(path, content, len);
    return path;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/fg-counts-io.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(command), 0);
}

/* ---- writing ---- */

START_TEST(test_render_sorted_and_quoted)
{
    struct fg_policy *policy = policy_from(policy_text);
    struct fg_counts *counts = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_counts_new(2, true, &counts, &err), FG_OK);
    /* inserted out of order, with values that need quoting */
    const char *cells[][2] = {{"M", "b,c"}, {"F", " x"}, {"M", "say \"hi\""}, {"F", "a\nb"}};
    const int bits[][3] = {{1, 0, 1}, {0, 1, 0}, {0, 0, 0}, {1, 1, 1}};
    for (size_t k = 0; k < 4; k++) {
        uint32_t ids[2];
        for (size_t a = 0; a < 2; a++)
            ck_assert_int_eq(
                fg_counts_intern(counts, a, cells[k][a], strlen(cells[k][a]), &ids[a], &err),
                FG_OK);
        ck_assert_int_eq(
            fg_counts_add(counts, ids, bits[k][0], bits[k][1], bits[k][2], (uint64_t)k + 1, &err),
            FG_OK);
    }
    char *csv = NULL;
    size_t len = 0;
    ck_assert_int_eq(fg_counts_render_csv(policy, counts, &csv, &len, &err), FG_OK);
    ck_assert_str_eq(csv, "sex,race,y_true,candidate,incumbent,count\n"
                          "F,\" x\",0,1,0,2\n"
                          "F,\"a\nb\",1,1,1,4\n"
                          "M,\"b,c\",1,0,1,1\n"
                          "M,\"say \"\"hi\"\"\",0,0,0,3\n");
    ck_assert_uint_eq(len, strlen(csv));
    /* and it reads back to the same bytes */
    const char *path = write_file("round.csv", csv, len);
    struct fg_counts *back = NULL;
    struct fg_counts_info info;
    ck_assert_int_eq(fg_counts_load(policy, path, &back, &info, &err), FG_OK);
    ck_assert_uint_eq(info.rows, 10);
    ck_assert_uint_eq(info.cells, 4);
    char *again = NULL;
    ck_assert_int_eq(fg_counts_render_csv(policy, back, &again, &len, &err), FG_OK);
    ck_assert_str_eq(again, csv);
    free(again);
    free(csv);
    fg_counts_free(back);
    fg_counts_free(counts);
    fg_policy_free(policy);
}
END_TEST

/* ---- reading ---- */

struct read_vector {
    const char *name;
    const char *content;
    enum fg_status status;
    uint64_t rows;        /* when FG_OK */
    unsigned long line;   /* when an error */
    unsigned long column; /* 0: none */
    const char *message;  /* a part of it */
};

#define HEADER "sex,race,y_true,candidate,incumbent,count\n"

static const struct read_vector read_vectors[] = {
    {"plain", HEADER "F,a,1,1,0,3\nM,a,0,0,1,4\n", FG_OK, 7, 0, 0, NULL},
    {"any column order", "count,race,sex,incumbent,candidate,y_true\n5,a,F,0,1,1\n", FG_OK, 5, 0, 0,
     NULL},
    {"bom, crlf, blank lines", "\xef\xbb\xbf" HEADER "\r\nF,a,1,1,0,3\r\n\r\n", FG_OK, 3, 0, 0,
     NULL},
    {"duplicates add, zero ignored", HEADER "F,a,1,1,0,3\nF,a,1,1,0,4\nX,y,1,1,0,0\n", FG_OK, 7, 0,
     0, NULL},
    {"max count", HEADER "F,a,1,1,0,18446744073709551615\n", FG_OK, UINT64_MAX, 0, 0, NULL},
    {"unknown column", "sex,rase,y_true,candidate,incumbent,count\n", FG_ERR_INPUT, 0, 1, 2,
     "unexpected column 'rase' (did you mean 'race'?)"},
    {"missing column", "sex,race,y_true,candidate,count\n", FG_ERR_INPUT, 0, 1, 0,
     "no column 'incumbent'"},
    {"duplicate column", "sex,sex,race\n", FG_ERR_INPUT, 0, 1, 2, "appears twice"},
    {"bit 2", HEADER "F,a,2,1,0,1\n", FG_ERR_INPUT, 0, 2, 3, "y_true is '2'"},
    {"empty y_true", HEADER "F,a,,1,0,1\n", FG_ERR_INPUT, 0, 2, 3, "y_true is empty"},
    /* the mark of `fairgate sql` for the positive value written otherwise: the column named,
     * what differs by the rows' rule, and the fix */
    {"label written otherwise", HEADER "F,a,written otherwise: 1.0,1,0,1\n", FG_ERR_INPUT, 0, 2, 3,
     "y_true marks rows whose column 'y' has '1.0', which differs from the positive label '1' "
     "only in how the number is written: the query compares text, exactly"},
    {"candidate written otherwise", HEADER "F,a,1,written otherwise:  1,0,1\n", FG_ERR_INPUT, 0, 2,
     4,
     "candidate marks rows whose column 'c' has ' 1', which differs from the favorable "
     "prediction '1' only in the spaces around it"},
    {"incumbent written otherwise", HEADER "F,a,1,1,\"written otherwise: 1,0\",1\n", FG_ERR_INPUT,
     0, 2, 5,
     "column 'i' has '1,0', which differs from the favorable prediction '1' only in how "
     "the number is written"},
    {"marked even with count 0", HEADER "F,a,0,written otherwise: 1e0,0,0\n", FG_ERR_INPUT, 0, 2, 4,
     "CAST(\"c\" AS INTEGER)"},
    /* the mark of `fairgate sql` for a third value: the column, the third value, the
     * positive value and the other value, in the words of the rows (lib/ingest.c) */
    {"third label", HEADER "F,a,third value: yes (other: 0),1,0,1\n", FG_ERR_INPUT, 0, 2, 3,
     "y_true marks rows whose column 'y' has a third value 'yes' (the positive label is '1'; "
     "the other value, the least in the engine's order, is '0'): a label or prediction column "
     "has two values"},
    {"third candidate", HEADER "F,a,1,third value: 2 (other: 0),0,1\n", FG_ERR_INPUT, 0, 2, 4,
     "candidate marks rows whose column 'c' has a third value '2' (the favorable prediction is "
     "'1'; the other value, the least in the engine's order, is '0')"},
    /* split at the last " (other: ", so a value holding it is shown whole */
    {"third incumbent", HEADER "F,a,1,1,\"third value: a (other: b) (other: -1)\",1\n",
     FG_ERR_INPUT, 0, 2, 5,
     "column 'i' has a third value 'a (other: b)' (the favorable prediction is '1'; the other "
     "value, the least in the engine's order, is '-1')"},
    {"third value that looks missing", HEADER "F,a,third value: NA (other: 0),1,0,0\n",
     FG_ERR_INPUT, 0, 2, 3,
     "third value 'NA' (the positive label is '1'; the other value, the least in the engine's "
     "order, is '0'): a label or prediction column has two values, and on the rows fairgate "
     "refuses a third too; give the column two values in the engine (say, a view that maps "
     "each value to the positive label or the other one) and run the query again; 'NA' looks "
     "like a missing value, but only NULL or empty text is read as missing"},
    {"other value that looks missing", HEADER "F,a,third value: 0 (other: NULL),1,0,1\n",
     FG_ERR_INPUT, 0, 2, 3,
     "third value '0' (the positive label is '1'; the other value, the least in the engine's "
     "order, is 'NULL'): a label or prediction column has two values, and on the rows fairgate "
     "refuses a third too; give the column two values in the engine (say, a view that maps "
     "each value to the positive label or the other one) and run the query again; 'NULL' looks "
     "like a missing value"},
    {"third value mark cut short", HEADER "F,a,third value: x,1,0,1\n", FG_ERR_INPUT, 0, 2, 3,
     "has a third value 'x' (the positive label is '1'; the other value, the least in the "
     "engine's order, is '?')"},
    {"signed count", HEADER "F,a,1,1,0,+1\n", FG_ERR_INPUT, 0, 2, 6, "count is '+1'"},
    {"decimal count", HEADER "F,a,1,1,0,2.0\n", FG_ERR_INPUT, 0, 2, 6, "count is '2.0'"},
    {"count past 2^64", HEADER "F,a,1,1,0,18446744073709551616\n", FG_ERR_LIMIT, 0, 2, 6,
     "larger than 2^64 - 1"},
    {"total past 2^64", HEADER "F,a,1,1,0,18446744073709551615\nF,b,1,1,0,1\n", FG_ERR_LIMIT, 0, 3,
     0, "would pass 2^64 - 1"},
    {"empty group", HEADER ",a,1,1,0,1\n", FG_ERR_INPUT, 0, 2, 1, "empty value in column 'sex'"},
    {"short record", HEADER "F,a,1,1,0\n", FG_ERR_INPUT, 0, 2, 0, "has 5 fields, the header 6"},
    {"multi-line value, error after it", HEADER "\"F\nG\",a,1,1,0,1\nF,a,1,1,0,x\n", FG_ERR_INPUT,
     0, 4, 6, "count is 'x'"},
    /* a line ends at '\n' only: a lone '\r' ends a record, not a line (as for predictions) */
    {"lone CR, unclosed quote after it",
     "sex,race,y_true,candidate,incumbent,count\rF,a,1,1,0,3\r\"F,a\n", FG_ERR_INPUT, 0, 1, 0,
     "a quoted field is not closed before the end of the file"},
    {"lone CR, multi-line value, error in it", HEADER "F,a,1,1,0,3\r\"F\nG\",a,1,1,0,x\n",
     FG_ERR_INPUT, 0, 2, 6, "count is 'x'"},
    {"CR inside quotes, short record after",
     HEADER "\"F\r\",a,1,1,0,1\n\r\nF,a,1,1,0,2\r\"M\r\n\",a\n", FG_ERR_INPUT, 0, 4, 0,
     "has 2 fields, the header 6"},
};

START_TEST(test_read_vectors)
{
    const struct read_vector *v = &read_vectors[_i];
    struct fg_policy *policy = policy_from(policy_text);
    const char *path = write_file("v.csv", v->content, strlen(v->content));
    struct fg_counts *counts = NULL;
    struct fg_counts_info info;
    struct fg_error err = {0};
    enum fg_status status = fg_counts_load(policy, path, &counts, &info, &err);
    ck_assert_msg(status == v->status, "%s: status %d, want %d (%s)", v->name, status, v->status,
                  err.message);
    if (status == FG_OK) {
        ck_assert_msg(info.rows == v->rows, "%s: rows %llu", v->name,
                      (unsigned long long)info.rows);
        ck_assert_uint_eq(fg_counts_total(counts), v->rows);
        ck_assert_uint_eq(strlen(info.sha256), 64);
    } else {
        ck_assert_ptr_null(counts);
        ck_assert_msg(err.line == v->line && err.column == v->column, "%s: at %lu:%lu (%s)",
                      v->name, err.line, err.column, err.message);
        ck_assert_msg(strstr(err.message, v->message) != NULL, "%s: message '%s'", v->name,
                      err.message);
    }
    fg_counts_free(counts);
    fg_policy_free(policy);
}
END_TEST

/* A runaway quoted field past the field limit names the line its record starts on (as for
 * predictions, lib/ingest.c), not the line libcsv gave up on; a lone '\r' ends no line. */
START_TEST(test_runaway_field_line)
{
    struct fg_policy *policy = policy_from(policy_text);
    size_t cap = 3 * (size_t)FG_MAX_FIELD + 200;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    for (int lone_cr = 0; lone_cr < 2; lone_cr++) {
        size_t len = (size_t)snprintf(text, 200, HEADER "F,a,1,1,0,3%s\"", lone_cr ? "\r" : "\n");
        for (size_t k = 0; k < 3 * (size_t)FG_MAX_FIELD; k++)
            text[len++] = k % 1000 == 999 ? '\n' : 'v';
        const char *path = write_file("runaway.csv", text, len);
        struct fg_counts *counts = NULL;
        struct fg_counts_info info;
        struct fg_error err = {0};
        ck_assert_int_eq(fg_counts_load(policy, path, &counts, &info, &err), FG_ERR_LIMIT);
        ck_assert_ptr_null(counts);
        ck_assert_msg(err.line == (lone_cr ? 2u : 3u), "line %lu (%s)", err.line, err.message);
        ck_assert_ptr_nonnull(strstr(err.message, "longer than the limit of 1048576 bytes"));
    }
    free(text);
    fg_policy_free(policy);
}
END_TEST

START_TEST(test_shards_sum)
{
    struct fg_policy *policy = policy_from(policy_text);
    char a[128], b[128];
    const char *first = HEADER "F,a,1,1,0,3\n", *second = HEADER "M,b,0,0,1,4\nF,a,1,1,0,2\n";
    snprintf(a, sizeof a, "%s", write_file("a.csv", first, strlen(first)));
    snprintf(b, sizeof b, "%s", write_file("b.csv", second, strlen(second)));
    const char *paths[] = {a, b};
    struct fg_counts_info infos[2];
    struct fg_counts *counts = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_counts_load_files(policy, paths, 2, &counts, infos, &err), FG_OK);
    ck_assert_uint_eq(fg_counts_total(counts), 9);
    ck_assert_uint_eq(fg_counts_cell_count(counts), 2);
    ck_assert_uint_eq(infos[0].rows, 3);
    ck_assert_uint_eq(infos[1].rows, 6);
    ck_assert_uint_eq(infos[1].cells, 2);
    fg_counts_free(counts);
    fg_policy_free(policy);
}
END_TEST

START_TEST(test_policies_refused)
{
    struct fg_error err;
    char text[2048];
    /* a score gate is judged from score bins (lib/scorebins.c): accepted */
    snprintf(text, sizeof text,
             "version: 1\nname: u\ndata:\n  label: y\n  positive_label: \"1\"\n"
             "  protected: [sex]\n  candidate: { score: s, threshold: 0.5 }\n"
             "gates:\n  - id: rank\n    metric: auc\n    overall: { min: 0.6 }\n");
    struct fg_policy *policy = policy_from(text);
    ck_assert_int_eq(fg_counts_policy_check(policy, &err), FG_OK);
    fg_policy_free(policy);
    /* ... but not calibration_gap over bins whose edges are not grid edges (7 bins) */
    snprintf(text, sizeof text,
             "version: 1\nname: u\ndata:\n  label: y\n  positive_label: \"1\"\n"
             "  protected: [sex]\n  candidate: { score: s, threshold: 0.5 }\n"
             "gates:\n  - id: cal\n    metric: calibration_gap\n    overall: { max: 0.1 }\n"
             "    bins: 7\n");
    policy = policy_from(text);
    ck_assert_int_eq(fg_counts_policy_check(policy, &err), FG_ERR_POLICY);
    ck_assert_ptr_nonnull(strstr(err.message, "gate 'cal': calibration_gap over 7 bins cannot"));
    ck_assert_uint_eq(err.line, 9);
    fg_policy_free(policy);
    /* a score policy's protected attribute named like a score bins column */
    snprintf(text, sizeof text,
             "version: 1\nname: u\ndata:\n  label: y\n  positive_label: \"1\"\n"
             "  protected: [model]\n  candidate: { score: s, threshold: 0.5 }\n"
             "gates:\n  - id: rank\n    metric: auc\n    overall: { min: 0.6 }\n");
    policy = policy_from(text);
    ck_assert_int_eq(fg_counts_policy_check(policy, &err), FG_ERR_POLICY);
    ck_assert_ptr_nonnull(strstr(err.message, "'model' has the name of a column of the score"));
    fg_policy_free(policy);
    /* a protected attribute named like a counts column */
    snprintf(text, sizeof text,
             "version: 1\nname: u\ndata:\n  label: y\n  positive_label: \"1\"\n"
             "  protected: [count]\n  candidate: { prediction: p }\n  favorable_prediction: \"1\"\n"
             "gates:\n  - id: g\n    metric: accuracy\n    overall: { min: 0.6 }\n");
    policy = policy_from(text);
    ck_assert_int_eq(fg_counts_policy_check(policy, &err), FG_ERR_POLICY);
    ck_assert_ptr_nonnull(strstr(err.message, "'count' has the name of a column"));
    fg_policy_free(policy);
}
END_TEST

static Suite *counts_io_suite(void)
{
    Suite *s = suite_create("counts_io");
    TCase *tc = tcase_create("counts_io");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_render_sorted_and_quoted);
    tcase_add_loop_test(tc, test_read_vectors, 0,
                        (int)(sizeof read_vectors / sizeof read_vectors[0]));
    tcase_add_test(tc, test_runaway_field_line);
    tcase_add_test(tc, test_shards_sum);
    tcase_add_test(tc, test_policies_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(counts_io_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
