/*
 * check_sweep.c - unit tests of the threshold sweep (lib/sweep.c): the threshold texts, the
 * grid and the policies it refuses, and on generated rows every threshold's accuracy and
 * selection-rate ratio against counting the rows directly (score >= t, or < t for favorable:
 * below), the policy's own threshold swept between grid points, and the page's marks.
 */
#define _POSIX_C_SOURCE 200809L

#include "fairgate.h"
#include "scorebins.h"
#include "sweep.h"
#include "test_util.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_ROWS 600

static char dir[] = "/tmp/fg-sweep-XXXXXX";
static char rows_path[64], policy_path[64];
static double scores[N_ROWS];
static int labels[N_ROWS], groups[N_ROWS];

/* Rows of two groups with scores on and between bin edges (0.3 exactly, 0.30005, ...). */
static void make_rows(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(rows_path, sizeof rows_path, "%s/rows.csv", dir);
    snprintf(policy_path, sizeof policy_path, "%s/policy.yaml", dir);
    char *csv = malloc(N_ROWS * 48 + 32);
    ck_assert_ptr_nonnull(csv);
    size_t used = (size_t)snprintf(csv, 32, "g,y,s\n");
    unsigned state = 12345;
    for (int i = 0; i < N_ROWS; i++) {
        state = state * 1103515245u + 12345u;
        int k = (int)((state >> 8) % 10000);
        groups[i] = i % 3 == 0;
        labels[i] = (int)((state >> 4) % 100) < 30 + k / 200;
        /* a third on an edge, the others inside a bin; group b scored lower */
        scores[i] = (k - (groups[i] ? 700 : 0) + (i % 3 == 1 ? 0.5 : 0.0)) / 10000.0;
        if (scores[i] < 0)
            scores[i] = 0;
        used += (size_t)snprintf(csv + used, 48, "%s,%d,%.17g\n", groups[i] ? "b" : "a", labels[i],
                                 scores[i]);
    }
    write_bytes_to(rows_path, csv, used);
    free(csv);
}

static void write_policy(const char *threshold, const char *favorable, const char *extra)
{
    char yaml[2048];
    int n = snprintf(yaml, sizeof yaml,
                     "version: 1\nname: unit-sweep\ndata:\n  label: y\n  positive_label: \"1\"\n"
                     "  protected: [g]\n  candidate: { score: s, threshold: %s, favorable: %s }\n"
                     "gates:\n  - id: parity\n    metric: selection_rate\n    disparity: ratio\n"
                     "    min: 0.8\n%s",
                     threshold, favorable, extra);
    write_bytes_to(policy_path, yaml, (size_t)n);
}

static struct fg_sweep_result *sweep(double grid, bool html, enum fg_status want,
                                     struct fg_error *err)
{
    struct fg_sweep_request rq = {
        .policy_path = policy_path, .candidate_path = rows_path, .grid = grid, .html = html};
    struct fg_sweep_result *r = NULL;
    enum fg_status st = fg_sweep_run(&rq, &r, err);
    ck_assert_msg(st == want, "status %d, want %d: %s", st, want, err->message);
    return r;
}

/* The row's decision at t, as ingest makes it. */
static bool favourable(double score, double t, bool above)
{
    return above ? score >= t : score < t;
}

/* Accuracy and the selection-rate ratio (lower over higher group) at t, from the rows. */
static void count_rows(double t, bool above, double *accuracy, double *ratio)
{
    uint64_t correct = 0, n[2] = {0, 0}, selected[2] = {0, 0};
    for (int i = 0; i < N_ROWS; i++) {
        bool pred = favourable(scores[i], t, above);
        correct += pred == (labels[i] == 1);
        n[groups[i]]++;
        selected[groups[i]] += pred;
    }
    *accuracy = (double)correct / N_ROWS;
    double rate[2] = {(double)selected[0] / (double)n[0], (double)selected[1] / (double)n[1]};
    double hi = rate[0] > rate[1] ? rate[0] : rate[1], lo = rate[0] > rate[1] ? rate[1] : rate[0];
    *ratio = hi > 0 ? lo / hi : 1.0; /* nobody selected anywhere: parity, as gate.c says */
}

/* Checks every line of the CSV against the rows; returns the number of lines. */
static size_t check_csv(const char *csv, bool above)
{
    const char *header = "threshold,accuracy,parity.value,parity.status,all_blocking_pass\n";
    ck_assert_int_eq(strncmp(csv, header, strlen(header)), 0);
    size_t lines = 0;
    for (const char *p = csv + strlen(header); *p != '\0'; lines++) {
        char *end = NULL;
        double t = strtod(p, &end), accuracy = strtod(end + 1, &end), want_acc, want_ratio;
        count_rows(t, above, &want_acc, &want_ratio);
        ck_assert_msg(accuracy == want_acc, "t %g: accuracy %.17g, rows %.17g", t, accuracy,
                      want_acc);
        double ratio = strtod(end + 1, &end);
        ck_assert_msg(fabs(ratio - want_ratio) < 1e-15, "t %g: ratio %.17g, rows %.17g", t, ratio,
                      want_ratio);
        p = strchr(p, '\n') + 1;
    }
    return lines;
}

START_TEST(test_threshold_text)
{
    static const struct {
        int edge;
        const char *text;
    } cases[] = {{0, "0"},      {1, "0.0001"},    {100, "0.01"}, {1230, "0.123"},
                 {5000, "0.5"}, {9999, "0.9999"}, {10000, "1"},  {4507, "0.4507"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        fg_sweep_threshold_text(cases[i].edge, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i].text);
        if (cases[i].edge < FG_SCORE_GRID) /* the text reads back as the grid's edge */
            ck_assert(strtod(buf, NULL) == fg_score_edge(cases[i].edge));
    }
}
END_TEST

START_TEST(test_rows_above_and_below)
{
    struct fg_error err = {0};
    write_policy("0.3", "above", "");
    struct fg_sweep_result *r = sweep(0, false, FG_OK, &err);
    ck_assert_uint_eq(check_csv(r->csv, true), 100);
    ck_assert_uint_eq(r->n_thresholds, 100);
    ck_assert_ptr_null(r->html);
    fg_sweep_result_free(r);
    write_policy("0.3", "below", "");
    r = sweep(0.05, false, FG_OK, &err);
    ck_assert_uint_eq(check_csv(r->csv, false), 20);
    fg_sweep_result_free(r);
}
END_TEST

START_TEST(test_policy_threshold_between_grid_points)
{
    struct fg_error err = {0};
    write_policy("0.3005", "above", "");
    struct fg_sweep_result *r = sweep(0.1, false, FG_OK, &err);
    ck_assert_uint_eq(check_csv(r->csv, true), 11); /* 0, 0.1, ..., 0.9 and 0.3005 */
    ck_assert_ptr_nonnull(strstr(r->csv, "\n0.3,"));
    ck_assert(strstr(r->csv, "\n0.3005,") > strstr(r->csv, "\n0.3,"));
    ck_assert(strstr(r->csv, "\n0.4,") > strstr(r->csv, "\n0.3005,"));
    ck_assert_ptr_nonnull(strstr(r->summary, "the policy's threshold 0.3005: "));
    fg_sweep_result_free(r);
    write_policy("0.30005", "above", ""); /* not a bin edge: not swept, said so */
    r = sweep(0.1, false, FG_OK, &err);
    ck_assert_uint_eq(check_csv(r->csv, true), 10);
    ck_assert_ptr_nonnull(strstr(r->summary, "0.30005: not a score bin edge"));
    fg_sweep_result_free(r);
}
END_TEST

START_TEST(test_grid_refused)
{
    static const double bad[] = {0.00015, 0.123456, 1.0, 1.5, -0.01, 0.00001};
    write_policy("0.5", "above", "");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct fg_error err = {0};
        ck_assert_ptr_null(sweep(bad[i], false, FG_ERR_USAGE, &err));
        ck_assert_ptr_nonnull(strstr(err.message, "multiple of the score bins' width 0.0001"));
    }
    struct fg_error err = {0};
    struct fg_sweep_result *r = sweep(0.0001, false, FG_OK, &err);
    ck_assert_uint_eq(r->n_thresholds, 10000);
    fg_sweep_result_free(r);
}
END_TEST

START_TEST(test_policies_refused)
{
    struct fg_error err = {0};
    const char *yaml = "version: 1\nname: p\ndata:\n  label: y\n  positive_label: \"1\"\n"
                       "  protected: [g]\n  candidate: { prediction: s }\n"
                       "  favorable_prediction: \"1\"\ngates:\n  - id: parity\n"
                       "    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n";
    write_bytes_to(policy_path, yaml, strlen(yaml));
    ck_assert_ptr_null(sweep(0, false, FG_ERR_POLICY, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "data.candidate reads decisions (prediction: 's')"));
    ck_assert_uint_eq(err.line, 7);
    /* a vs_incumbent gate whose status rests on the paired bootstrap */
    const char *incumbent = "  - id: regression\n    metric: tpr\n    disparity: difference\n"
                            "    vs_incumbent: { max_worsening: 0.02 }\n"
                            "    evidence: confident\n";
    char yaml2[2048];
    snprintf(
        yaml2, sizeof yaml2,
        "version: 1\nname: p\ndata:\n  label: y\n  positive_label: \"1\"\n  protected: [g]\n"
        "  candidate: { score: s, threshold: 0.5 }\n  incumbent: { score: s, threshold: 0.4 }\n"
        "gates:\n%s",
        incumbent);
    write_bytes_to(policy_path, yaml2, strlen(yaml2));
    memset(&err, 0, sizeof err);
    ck_assert_ptr_null(sweep(0, false, FG_ERR_POLICY, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "gate 'regression': sweep cannot judge"));
    ck_assert_uint_eq(err.line, 10);
}
END_TEST

START_TEST(test_page)
{
    struct fg_error err = {0};
    write_policy("0.35", "above",
                 "  - id: floor\n    metric: accuracy\n    overall: { min: 0.5 }\n"
                 "    enforce: warn\n");
    struct fg_sweep_result *r = sweep(0, true, FG_OK, &err);
    ck_assert_ptr_nonnull(r->html);
    ck_assert_ptr_null(strstr(r->html, "<script"));
    ck_assert_ptr_nonnull(strstr(r->html, "<line class=\"policy\" data-threshold=\"0.35\""));
    ck_assert_ptr_nonnull(strstr(r->html, "<rect class=\"pass-band\" data-from=\"0\""));
    ck_assert_ptr_nonnull(strstr(r->html, "advisory (never blocks)"));
    /* three charts (accuracy, parity, floor), each with the band and the policy's line */
    size_t charts = 0;
    for (const char *p = r->html; (p = strstr(p, "<svg ")) != NULL; p++)
        charts++;
    ck_assert_uint_eq(charts, 3);
    fg_sweep_result_free(r);
}
END_TEST

static void cleanup(void)
{
    unlink(rows_path);
    unlink(policy_path);
    rmdir(dir);
}

static Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, make_rows, cleanup);
    tcase_add_test(tc, test_threshold_text);
    tcase_add_test(tc, test_rows_above_and_below);
    tcase_add_test(tc, test_policy_threshold_between_grid_points);
    tcase_add_test(tc, test_grid_refused);
    tcase_add_test(tc, test_policies_refused);
    tcase_add_test(tc, test_page);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(sweep_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
