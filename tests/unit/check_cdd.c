/*
 * check_cdd.c - unit tests of lib/cdd.c, conditional demographic disparity (Clarify's CDDL and
 * CDDPL), against values worked by hand with smclarify 0.5's formula (common.py:89-:131):
 * DD_i = n_d(0)_i / n(0)_i - n_d(1)_i / n(1)_i, CDD = sum_i n_i DD_i / n. Also: the strata
 * gathered from a counts table for a facet against an explicit reference and against every
 * row, of the labels and of each model's predictions, and where fairgate gives no value
 * (Clarify raises, or takes a stratum's 0/0 share as 0). And that memory running out is an
 * error up through the gate, never a value that reads as too little data: this binary is
 * linked with -Wl,--wrap=calloc (Makefile, UNIT_LDFLAGS), so the library's calloc calls
 * pass through __wrap_calloc below, which can fail the kth of them.
 */
#include "cdd.h"
#include "counts.h"
#include "gate.h"
#include "metric.h"
#include "metrics.h"
#include "test_util.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-15

/* ---- allocation failures ---- */

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

static unsigned long calloc_calls;   /* since the last arm_calloc */
static unsigned long calloc_fail_at; /* the call that fails, 1-based; 0: none */

void *__wrap_calloc(size_t n, size_t size)
{
    if (++calloc_calls == calloc_fail_at)
        return NULL;
    return __real_calloc(n, size);
}

/* Counts calloc calls from now on; the kth fails (k = 0: none does). */
static void arm_calloc(unsigned long k)
{
    calloc_calls = 0;
    calloc_fail_at = k;
}

/* Three strata, facet d and the rest a, [0] rejected, [1] accepted:
 *   s1: d 2 / 1, a 1 / 3: n(0) 3, n(1) 4, n 7: DD = 2/3 - 1/4 = 5/12
 *   s2: d 0 / 2, a 4 / 2: n(0) 4, n(1) 4, n 8: DD = 0 - 2/4 = -1/2
 *   s3: d 3 / 0, a 1 / 1: n(0) 4, n(1) 1, n 5: DD = 3/4 - 0 = 3/4
 * CDD = (7 (5/12) + 8 (-1/2) + 5 (3/4)) / 20 = (35/12 - 48/12 + 45/12) / 20 = 2/15.
 * An empty fourth stratum weighs nothing. */
static const struct fg_cdd_stratum worked[] = {
    {{2, 1}, {3, 4}}, {{0, 2}, {4, 4}}, {{3, 0}, {4, 1}}, {{0, 0}, {0, 0}}};

START_TEST(test_worked_case)
{
    size_t bad = 0;
    struct fg_index v = fg_cdd(worked, 4, &bad);
    ck_assert_msg(v.defined, "%s", v.why ? v.why : "");
    ck_assert_double_eq_tol(v.value, 2.0 / 15.0, TOL);
    ck_assert_uint_eq(bad, SIZE_MAX);
    /* the facet has every row: DD_i = 1 - 1 = 0 */
    struct fg_cdd_stratum all[] = {{{3, 4}, {3, 4}}, {{1, 1}, {1, 1}}};
    v = fg_cdd(all, 2, &bad);
    ck_assert(v.defined);
    ck_assert_double_eq_tol(v.value, 0.0, TOL);
}
END_TEST

/* Where Clarify raises (no accepted or no rejected row at all, common.py:106-:113) or takes a
 * 0/0 share as 0 (:123, :126), fairgate has no value, and names the stratum. */
START_TEST(test_undefined)
{
    size_t bad = 0;
    struct fg_cdd_stratum none[] = {{{0, 0}, {0, 0}}};
    ck_assert(!fg_cdd(none, 1, &bad).defined);
    ck_assert(!fg_cdd(none, 0, &bad).defined);
    struct fg_cdd_stratum accepted_only[] = {{{0, 2}, {0, 5}}, {{0, 1}, {0, 3}}};
    struct fg_index v = fg_cdd(accepted_only, 2, &bad);
    ck_assert(!v.defined && strstr(v.why, "No negative labels") != NULL);
    ck_assert_uint_eq(bad, SIZE_MAX);
    /* Clarify: s2's rejected share is 0/0 = 0, so CDD = (3 (1/2 - 1/2) + 2 (0 - 1/2)) / 5 */
    struct fg_cdd_stratum s2_accepted[] = {{{1, 1}, {2, 2}}, {{0, 1}, {0, 2}}};
    v = fg_cdd(s2_accepted, 2, &bad);
    ck_assert(!v.defined && strstr(v.why, "no rejected row") != NULL);
    ck_assert_uint_eq(bad, 1);
    struct fg_cdd_stratum s1_rejected[] = {{{1, 0}, {2, 0}}, {{0, 1}, {1, 2}}};
    v = fg_cdd(s1_rejected, 2, &bad);
    ck_assert(!v.defined && strstr(v.why, "no accepted row") != NULL);
    ck_assert_uint_eq(bad, 0);
}
END_TEST

/* The worked case as cells: sex F (d), M (a) and X (only in the rest), strata dept s1..s3;
 * the label is the outcome above, the candidate predicts the label and the incumbent its
 * opposite. X adds 5 rejected rows to s1. */
static struct fg_counts *worked_counts(void)
{
    struct fg_counts *k = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_counts_new(2, true, &k, &err), FG_OK);
    static const struct {
        const char *sex, *dept;
        int y;
        uint64_t n;
    } cells[] = {{"F", "s1", 0, 2}, {"F", "s1", 1, 1}, {"M", "s1", 0, 1}, {"M", "s1", 1, 3},
                 {"F", "s2", 1, 2}, {"M", "s2", 0, 4}, {"M", "s2", 1, 2}, {"F", "s3", 0, 3},
                 {"M", "s3", 0, 1}, {"M", "s3", 1, 1}, {"X", "s1", 0, 5}};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        uint32_t ids[2];
        ck_assert_int_eq(fg_counts_intern(k, 0, cells[i].sex, strlen(cells[i].sex), &ids[0], &err),
                         FG_OK);
        ck_assert_int_eq(
            fg_counts_intern(k, 1, cells[i].dept, strlen(cells[i].dept), &ids[1], &err), FG_OK);
        ck_assert_int_eq(
            fg_counts_add(k, ids, cells[i].y, cells[i].y, !cells[i].y, cells[i].n, &err), FG_OK);
    }
    return k;
}

/* The CDD of q, which must have no error. */
static struct fg_index cdd_of(const struct fg_cdd_query *q, size_t *bad)
{
    struct fg_index v;
    struct fg_error err = {0};
    ck_assert_msg(fg_cdd_of_counts(q, &v, bad, &err) == FG_OK, "%s", err.message);
    return v;
}

START_TEST(test_from_counts)
{
    struct fg_counts *k = worked_counts();
    const size_t attrs[] = {0};
    const char *const female[] = {"F"}, *const male[] = {"M"};
    struct fg_cdd_query q = {k, attrs, 1, female, male, 1, FG_CDD_LABEL};
    size_t bad = 0;
    struct fg_index v = cdd_of(&q, &bad);
    ck_assert(v.defined);
    ck_assert_double_eq_tol(v.value, 2.0 / 15.0, TOL); /* d against M: X left out */
    q.outcome = FG_CDD_CANDIDATE;
    ck_assert_double_eq_tol(cdd_of(&q, &bad).value, 2.0 / 15.0, TOL);
    /* the incumbent swaps accepted and rejected: every DD_i changes sign, n_i stay */
    q.outcome = FG_CDD_INCUMBENT;
    ck_assert_double_eq_tol(cdd_of(&q, &bad).value, -2.0 / 15.0, TOL);
    /* every row (reference: rest): s1 is d 2 / 1 of n(0) 8, n(1) 4, n 12: DD = 1/4 - 1/4 = 0;
     * CDD = (12 * 0 + 8 (-1/2) + 5 (3/4)) / 25 = -0.01 */
    q.outcome = FG_CDD_LABEL;
    q.reference = NULL;
    v = cdd_of(&q, &bad);
    ck_assert(v.defined);
    ck_assert_double_eq_tol(v.value, -0.01, TOL);
    /* X against M (17 rows): s2 and s3 have only M's rows, both outcomes, so DD = 0 - 0 there;
     * s1 (9 rows) has X's 5 rejected and M's 1 / 3: DD_1 = 5/6 - 0; CDD = 9 (5/6) / 17 */
    const char *const other[] = {"X"};
    q.facet = other;
    q.reference = male;
    ck_assert_double_eq_tol(cdd_of(&q, &bad).value, 9.0 * 5.0 / 6.0 / 17.0, TOL);
    /* M against X: s2, s3 are M's alone (DD = 1 - 1); s1 with M the facet: 1/6 - 3/3 */
    q.facet = male;
    q.reference = other;
    ck_assert_double_eq_tol(cdd_of(&q, &bad).value, 9.0 * (1.0 / 6.0 - 1.0) / 17.0, TOL);
    /* F against X: s2 has F's 2 accepted only, so no value, and the stratum is named */
    q.facet = female;
    v = cdd_of(&q, &bad);
    ck_assert(!v.defined);
    ck_assert_str_eq(fg_counts_value(k, 1, (uint32_t)bad), "s2");
    fg_counts_free(k);
}
END_TEST

/* Each of the calloc calls of a CDD failing is an error, FG_ERR_NOMEM, never a value that is
 * merely undefined. */
START_TEST(test_out_of_memory)
{
    struct fg_counts *k = worked_counts();
    const size_t attrs[] = {0};
    const char *const female[] = {"F"}, *const male[] = {"M"};
    struct fg_cdd_query q = {k, attrs, 1, female, male, 1, FG_CDD_LABEL};
    size_t bad = 0;
    arm_calloc(0);
    ck_assert(cdd_of(&q, &bad).defined);
    unsigned long calls = calloc_calls;
    ck_assert_uint_ge(calls, 1);
    for (unsigned long at = 1; at <= calls; at++) {
        struct fg_index v = {.defined = true};
        struct fg_error err = {0};
        arm_calloc(at);
        enum fg_status st = fg_cdd_of_counts(&q, &v, &bad, &err);
        arm_calloc(0);
        ck_assert_msg(st == FG_ERR_NOMEM, "calloc %lu of %lu failed: status %d", at, calls, st);
        ck_assert_str_eq(err.message, "out of memory");
        ck_assert(!v.defined);
    }
    fg_counts_free(k);
}
END_TEST

/* The same through gate evaluation, which check runs (exit 2 with the message): every calloc
 * of a CDDL and a CDDPL gate's evaluation failing fails fg_gate_evaluate, so no gate passes,
 * or is skipped as insufficient data, on the memory it had. */
START_TEST(test_gate_out_of_memory)
{
    struct fg_policy *policy = policy_from("version: 1\n"
                                           "name: cdd\n"
                                           "data:\n"
                                           "  id: id\n"
                                           "  label: y\n"
                                           "  positive_label: \"1\"\n"
                                           "  favorable_prediction: \"1\"\n"
                                           "  protected: [sex, dept]\n"
                                           "  candidate: { prediction: p }\n"
                                           "  incumbent: { prediction: q }\n"
                                           "gates:\n"
                                           "  - id: cddl\n"
                                           "    metric: clarify.CDDL\n"
                                           "    strata: dept\n"
                                           "    reference: rest\n"
                                           "    max: 0.5\n"
                                           "  - id: cddpl\n"
                                           "    metric: clarify.CDDPL\n"
                                           "    strata: dept\n"
                                           "    reference: { sex: M, dept: s1 }\n"
                                           "    min: -0.5\n"
                                           "    vs_incumbent: { max_worsening: 0.5 }\n");
    struct fg_counts *k = worked_counts();
    struct fg_metrics *m = NULL;
    struct fg_error err = {0};
    ck_assert_msg(fg_metrics_compute(policy, k, &m, &err) == FG_OK, "%s", err.message);
    struct fg_evaluation *ev = NULL;
    arm_calloc(0);
    ck_assert_msg(fg_gate_evaluate(policy, m, &ev, &err) == FG_OK, "%s", err.message);
    unsigned long calls = calloc_calls;
    /* the clean run: F's CDDL against the rest is -0.01 (test_from_counts), a value */
    const struct fg_gate_outcome *o = &ev->outcomes[0];
    bool seen = false;
    for (size_t r = 0; r < o->n_results; r++)
        if (strcmp(m->groups[o->results[r].group].label, "sex=F") == 0) {
            ck_assert_msg(o->results[r].candidate.defined, "%s", o->results[r].why);
            ck_assert_double_eq_tol(o->results[r].candidate.value, -0.01, TOL);
            seen = true;
        }
    ck_assert(seen);
    fg_evaluation_free(ev);
    ck_assert_uint_ge(calls, 4);
    for (unsigned long at = 1; at <= calls; at++) {
        ev = NULL;
        err = (struct fg_error){0};
        arm_calloc(at);
        enum fg_status st = fg_gate_evaluate(policy, m, &ev, &err);
        arm_calloc(0);
        ck_assert_msg(st == FG_ERR_NOMEM, "calloc %lu of %lu failed: status %d", at, calls, st);
        ck_assert_str_eq(err.message, "out of memory");
        ck_assert_ptr_null(ev);
    }
    fg_metrics_free(m);
    fg_counts_free(k);
    fg_policy_free(policy);
}
END_TEST

/* The group's own rate, for min_group_size and the audit: the base rate of the labels (CDDL),
 * the selection rate of the predictions (CDDPL); both over the rows. */
START_TEST(test_own_rate)
{
    struct fg_confusion c = {.tp = 3, .fp = 1, .tn = 4, .fn = 2};
    struct fg_rate labels = fg_metric_rate(FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY, &c);
    struct fg_rate predicted =
        fg_metric_rate(FG_METRIC_CONDITIONAL_DEMOGRAPHIC_DISPARITY_PREDICTED, &c);
    ck_assert(labels.defined && labels.num == 5 && labels.den == 10);
    ck_assert(predicted.defined && predicted.num == 4 && predicted.den == 10);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cdd");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_worked_case);
    tcase_add_test(tc, test_undefined);
    tcase_add_test(tc, test_from_counts);
    tcase_add_test(tc, test_own_rate);
    tcase_add_test(tc, test_out_of_memory);
    tcase_add_test(tc, test_gate_out_of_memory);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
