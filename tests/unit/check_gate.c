/*
 * check_gate.c - unit tests of lib/gate.c on hand-computed vectors.
 *
 * One protected attribute g with four groups (candidate confusion tp/fp/tn/fn):
 *   A  30/20/30/20  n=100  selection 0.50  tpr 0.60  fpr 0.40
 *   B  25/15/35/25  n=100  selection 0.40  tpr 0.50  fpr 0.30
 *   C  40/38/62/60  n=200  selection 0.39  tpr 0.40  fpr 0.38
 *   D   2/ 1/ 2/ 1  n=6    selection 0.50  tpr 2/3   fpr 1/3   (small)
 * The incumbent is the same except B = 28/17/33/22 (selection 0.45).
 * Overall: candidate 97/74/129/106 (accuracy 226/406), incumbent 100/76/127/103 (227/406).
 */
#define _POSIX_C_SOURCE 200809L

#include "counts.h"
#include "fairgate.h"
#include "gate.h"
#include "metric.h"
#include "metrics.h"
#include "override.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct group_counts {
    const char *name;
    uint64_t cand[4]; /* tp fp tn fn */
    uint64_t inc[4];
};

static const struct group_counts groups[] = {
    {"A", {30, 20, 30, 20}, {30, 20, 30, 20}},
    {"B", {25, 15, 35, 25}, {28, 17, 33, 22}},
    {"C", {40, 38, 62, 60}, {40, 38, 62, 60}},
    {"D", {2, 1, 2, 1}, {2, 1, 2, 1}},
};

struct expect {
    const char *label;
    const char *status;
    double value; /* NAN: not checked */
};

struct gate_case {
    const char *name;
    const char *gate_yaml; /* the gate mapping's keys, each line indented by 4 */
    bool with_incumbent;
    const char *gate_status;
    struct expect results[6];
};

#define X NAN
static const struct gate_case cases[] = {
    {"four-fifths, highest reference (A beats D by order on a tie)",
     "    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n",
     true,
     "fail",
     {{"g=A", "pass", 1.0}, {"g=B", "pass", 0.8}, {"g=C", "fail", 0.78}, {"g=D", "pass", 1.0}}},
    {"small group warns",
     "    metric: selection_rate\n    disparity: ratio\n    min: 0.75\n    min_group_size: 10\n",
     true,
     "warn",
     {{"g=A", "pass", 1.0},
      {"g=B", "pass", 0.8},
      {"g=C", "pass", 0.78},
      {"g=D", "insufficient_data", X}}},
    {"small group skipped",
     "    metric: selection_rate\n    disparity: ratio\n    min: 0.75\n    min_group_size: 10\n"
     "    on_small_group: skip\n",
     true,
     "pass",
     {{"g=D", "insufficient_data", X}}},
    {"small group fails",
     "    metric: selection_rate\n    disparity: ratio\n    min: 0.75\n    min_group_size: 10\n"
     "    on_small_group: fail\n",
     true,
     "fail",
     {{"g=C", "pass", 0.78}, {"g=D", "insufficient_data", X}}},
    {"tpr difference; min_group_size on actual positives keeps D (3) from the reference",
     "    metric: tpr\n    disparity: difference\n    max: 0.15\n    min_group_size: 10\n",
     true,
     "fail",
     {{"g=A", "pass", 0.0},
      {"g=B", "pass", 0.1},
      {"g=C", "fail", 0.2},
      {"g=D", "insufficient_data", X}}},
    {"tpr difference without a size rule: D (2/3) is the reference",
     "    metric: tpr\n    disparity: difference\n    max: 0.3\n",
     true,
     "pass",
     {{"g=A", "pass", 2.0 / 3.0 - 0.6}, {"g=C", "pass", 2.0 / 3.0 - 0.4}, {"g=D", "pass", 0.0}}},
    {"equalized odds: the worse of TPR (0.2) and FPR (0.02) gaps for C",
     "    metric: equalized_odds\n    disparity: difference\n    max: 0.15\n"
     "    min_group_size: 10\n    on_small_group: skip\n",
     true,
     "fail",
     {{"g=B", "pass", 0.1}, {"g=C", "fail", 0.2}}},
    {"no regression vs incumbent: B 0.8 vs 0.9",
     "    metric: selection_rate\n    disparity: ratio\n    vs_incumbent: { max_worsening: 0.02 }\n"
     "    min_group_size: 10\n    on_small_group: skip\n",
     true,
     "fail",
     {{"g=A", "pass", 1.0}, {"g=B", "fail", 0.8}, {"g=C", "pass", 0.78}}},
    {"vs incumbent without an incumbent is not a pass",
     "    metric: selection_rate\n    disparity: ratio\n    vs_incumbent: { max_worsening: 0.02 }\n"
     "    min_group_size: 10\n    on_small_group: skip\n",
     false,
     "insufficient_data",
     {{"g=A", "insufficient_data", 1.0}, {"g=B", "insufficient_data", 0.8}}},
    {"between groups: worst C over best A",
     "    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n    reference: "
     "between_groups\n"
     "    min_group_size: 10\n    on_small_group: skip\n",
     true,
     "fail",
     {{"g=C", "fail", 0.78}, {"g=D", "insufficient_data", X}}},
    {"explicit reference B",
     "    metric: selection_rate\n    disparity: ratio\n    max: 1.2\n    reference: { g: B }\n",
     true,
     "fail",
     {{"g=A", "fail", 1.25}, {"g=B", "pass", 1.0}, {"g=C", "pass", 0.975}, {"g=D", "fail", 1.25}}},
    {"largest reference is C (n=200)",
     "    metric: selection_rate\n    disparity: ratio\n    max: 1.25\n    reference: largest\n"
     "    min_group_size: 10\n    on_small_group: skip\n",
     true,
     "fail",
     {{"g=A", "fail", 0.5 / 0.39}, {"g=B", "pass", 0.4 / 0.39}, {"g=C", "pass", 1.0}}},
    {"overall accuracy below the floor",
     "    metric: accuracy\n    overall: { min: 0.6 }\n",
     true,
     "fail",
     {{"overall", "fail", 226.0 / 406.0}}},
    {"overall accuracy above the floor",
     "    metric: accuracy\n    overall: { min: 0.55 }\n",
     true,
     "pass",
     {{"overall", "pass", 226.0 / 406.0}}},
    {"overall accuracy dropped by 1/406 > 0.002",
     "    metric: accuracy\n    overall: { min: 0.5 }\n    vs_incumbent: { max_worsening: 0.002 "
     "}\n",
     true,
     "fail",
     {{"overall", "fail", 226.0 / 406.0}}},
    {"overall accuracy dropped by 1/406 <= 0.003",
     "    metric: accuracy\n    overall: { min: 0.5 }\n    vs_incumbent: { max_worsening: 0.003 "
     "}\n",
     true,
     "pass",
     {{"overall", "pass", 226.0 / 406.0}}},
};
#undef X

static struct fg_policy *policy_for(const char *gate_yaml, bool with_incumbent)
{
    char text[2048];
    snprintf(text, sizeof text,
             "version: 1\nname: t\ndata:\n  label: y\n  positive_label: '1'\n"
             "  protected: [g]\n  candidate: { prediction: p }\n%s"
             "  favorable_prediction: '1'\ngates:\n  - id: gate\n%s",
             with_incumbent ? "  incumbent: { prediction: q }\n" : "", gate_yaml);
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    enum fg_status st = fg_policy_parse("t.yaml", text, strlen(text), &policy, &err);
    ck_assert_msg(st == FG_OK, "policy: %lu:%lu: %s", err.line, err.column, err.message);
    return policy;
}

/* Cells for one group: the candidate and incumbent confusions are given separately, so
 * pair them up cell by cell (any pairing gives the same marginals). */
static void add_group(struct fg_counts *k, const struct group_counts *g, bool with_incumbent)
{
    struct fg_error err;
    uint32_t id;
    ck_assert_int_eq(fg_counts_intern(k, 0, g->name, strlen(g->name), &id, &err), FG_OK);
    /* y_true per confusion slot: tp 1, fp 0, tn 0, fn 1; prediction: tp 1, fp 1, tn 0, fn 0 */
    static const int y[4] = {1, 0, 0, 1}, pred[4] = {1, 1, 0, 0};
    for (int y_true = 0; y_true <= 1; y_true++) {
        uint64_t cand[2] = {0, 0}, inc[2] = {0, 0}; /* by prediction 0/1 */
        for (int s = 0; s < 4; s++) {
            if (y[s] == y_true) {
                cand[pred[s]] += g->cand[s];
                inc[pred[s]] += with_incumbent ? g->inc[s] : g->cand[s];
            }
        }
        ck_assert_uint_eq(cand[0] + cand[1], inc[0] + inc[1]);
        /* Pair candidate predictions with incumbent predictions greedily. */
        for (int c = 0; c <= 1; c++) {
            for (int i = 0; i <= 1; i++) {
                uint64_t n = cand[c] < inc[i] ? cand[c] : inc[i];
                if (n == 0)
                    continue;
                ck_assert_int_eq(fg_counts_add(k, &id, y_true, c, with_incumbent ? i : 0, n, &err),
                                 FG_OK);
                cand[c] -= n;
                inc[i] -= n;
            }
        }
    }
}

static struct fg_metrics *metrics_for(const struct fg_policy *policy, bool with_incumbent,
                                      struct fg_counts **counts_out)
{
    struct fg_error err = {0};
    struct fg_counts *k = NULL;
    ck_assert_int_eq(fg_counts_new(1, with_incumbent, &k, &err), FG_OK);
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        add_group(k, &groups[i], with_incumbent);
    struct fg_metrics *m = NULL;
    ck_assert_int_eq(fg_metrics_compute(policy, k, &m, &err), FG_OK);
    *counts_out = k;
    return m;
}

START_TEST(test_gate_cases)
{
    const struct gate_case *c = &cases[_i];
    struct fg_policy *policy = policy_for(c->gate_yaml, c->with_incumbent);
    struct fg_counts *k = NULL;
    struct fg_metrics *m = metrics_for(policy, c->with_incumbent, &k);
    struct fg_error err = {0};
    struct fg_evaluation *ev = NULL;
    ck_assert_int_eq(fg_gate_evaluate(policy, m, &ev, &err), FG_OK);
    ck_assert_uint_eq(ev->n_outcomes, 1);
    const struct fg_gate_outcome *o = &ev->outcomes[0];
    ck_assert_msg(strcmp(fg_result_status_name(o->status), c->gate_status) == 0,
                  "%s: gate status %s, want %s", c->name, fg_result_status_name(o->status),
                  c->gate_status);
    for (size_t e = 0; e < 6 && c->results[e].label != NULL; e++) {
        const struct expect *want = &c->results[e];
        const struct fg_gate_result *got = NULL;
        for (size_t r = 0; r < o->n_results; r++)
            if (strcmp(m->groups[o->results[r].group].label, want->label) == 0)
                got = &o->results[r];
        ck_assert_msg(got != NULL, "%s: no result for %s", c->name, want->label);
        ck_assert_msg(strcmp(fg_result_status_name(got->status), want->status) == 0,
                      "%s: %s status %s (%s), want %s", c->name, want->label,
                      fg_result_status_name(got->status), got->why, want->status);
        if (!isnan(want->value)) {
            ck_assert_msg(got->candidate.defined, "%s: %s value undefined", c->name, want->label);
            ck_assert_msg(fabs(got->candidate.value - want->value) < 1e-12,
                          "%s: %s value %.17g, want %.17g", c->name, want->label,
                          got->candidate.value, want->value);
        }
    }
    bool fails = strcmp(c->gate_status, "fail") == 0;
    ck_assert_int_eq(fg_evaluation_exit_code(ev), fails ? 1 : 0);
    ck_assert_int_eq(fg_evaluation_verdict(ev), fails ? FG_VERDICT_FAIL : FG_VERDICT_PASS);
    char *summary = fg_evaluation_summary(policy, m, ev);
    ck_assert_ptr_nonnull(summary);
    ck_assert_ptr_nonnull(strstr(summary, fails ? "verdict: FAIL" : "verdict: PASS"));
    free(summary);
    fg_evaluation_free(ev);
    fg_metrics_free(m);
    fg_counts_free(k);
    fg_policy_free(policy);
}
END_TEST

START_TEST(test_equalized_odds_component)
{
    struct fg_policy *policy = policy_for("    metric: equalized_odds\n    disparity: difference\n"
                                          "    max: 0.15\n    min_group_size: 10\n",
                                          true);
    struct fg_counts *k = NULL;
    struct fg_metrics *m = metrics_for(policy, true, &k);
    struct fg_error err = {0};
    struct fg_evaluation *ev = NULL;
    ck_assert_int_eq(fg_gate_evaluate(policy, m, &ev, &err), FG_OK);
    const struct fg_gate_outcome *o = &ev->outcomes[0];
    for (size_t r = 0; r < o->n_results; r++) {
        if (strcmp(m->groups[o->results[r].group].label, "g=C") == 0) {
            ck_assert_int_eq(o->results[r].candidate.component, FG_METRIC_TPR);
            ck_assert_str_eq(m->groups[o->results[r].candidate.reference_group].label, "g=A");
        }
    }
    fg_evaluation_free(ev);
    fg_metrics_free(m);
    fg_counts_free(k);
    fg_policy_free(policy);
}
END_TEST

START_TEST(test_unknown_reference_is_an_error)
{
    struct fg_policy *policy = policy_for(
        "    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n    reference: { g: Z }\n",
        true);
    struct fg_counts *k = NULL;
    struct fg_metrics *m = metrics_for(policy, true, &k);
    struct fg_error err = {0};
    struct fg_evaluation *ev = NULL;
    ck_assert_int_eq(fg_gate_evaluate(policy, m, &ev, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(ev);
    ck_assert_ptr_nonnull(strstr(err.message, "g=Z does not occur"));
    ck_assert_ptr_nonnull(strstr(err.message, "g=A"));
    ck_assert_uint_gt(err.line, 0);
    fg_metrics_free(m);
    fg_counts_free(k);
    fg_policy_free(policy);
}
END_TEST

/* Evaluates a one-gate policy on cells given as (group, y_true, prediction, count). */
struct cell_spec {
    const char *group;
    int y, pred;
    uint64_t n;
};

static struct fg_evaluation *evaluate_cells(const char *gate_yaml, const struct cell_spec *cells,
                                            size_t n_cells, struct fg_policy **policy_out,
                                            struct fg_counts **counts_out,
                                            struct fg_metrics **metrics_out)
{
    struct fg_policy *policy = policy_for(gate_yaml, false);
    struct fg_error err = {0};
    struct fg_counts *k = NULL;
    ck_assert_int_eq(fg_counts_new(1, false, &k, &err), FG_OK);
    for (size_t i = 0; i < n_cells; i++) {
        uint32_t id;
        ck_assert_int_eq(fg_counts_intern(k, 0, cells[i].group, strlen(cells[i].group), &id, &err),
                         FG_OK);
        ck_assert_int_eq(fg_counts_add(k, &id, cells[i].y, cells[i].pred, 0, cells[i].n, &err),
                         FG_OK);
    }
    struct fg_metrics *m = NULL;
    ck_assert_int_eq(fg_metrics_compute(policy, k, &m, &err), FG_OK);
    struct fg_evaluation *ev = NULL;
    ck_assert_int_eq(fg_gate_evaluate(policy, m, &ev, &err), FG_OK);
    *policy_out = policy;
    *counts_out = k;
    *metrics_out = m;
    return ev;
}

static const struct fg_gate_result *result_for(const struct fg_metrics *m,
                                               const struct fg_evaluation *ev, const char *label)
{
    const struct fg_gate_outcome *o = &ev->outcomes[0];
    for (size_t r = 0; r < o->n_results; r++)
        if (strcmp(m->groups[o->results[r].group].label, label) == 0)
            return &o->results[r];
    ck_abort_msg("no result for %s", label);
    return NULL;
}

static void free_all(struct fg_evaluation *ev, struct fg_metrics *m, struct fg_counts *k,
                     struct fg_policy *policy)
{
    fg_evaluation_free(ev);
    fg_metrics_free(m);
    fg_counts_free(k);
    fg_policy_free(policy);
}

START_TEST(test_zero_reference_rate)
{
    /* fpr ratio against Z, whose fpr is 0/50: Z itself is 0/0 -> parity 1; Y (5/50 over 0)
     * is infinite, which fails max 1.25 rather than hiding as undefined. */
    static const struct cell_spec cells[] = {{"Z", 0, 0, 50}, {"Y", 0, 1, 5}, {"Y", 0, 0, 45}};
    struct fg_policy *policy;
    struct fg_counts *k;
    struct fg_metrics *m;
    struct fg_evaluation *ev = evaluate_cells("    metric: fpr\n    disparity: ratio\n"
                                              "    min: 0.8\n    max: 1.25\n"
                                              "    reference: { g: Z }\n",
                                              cells, 3, &policy, &k, &m);
    const struct fg_gate_result *z = result_for(m, ev, "g=Z"), *y = result_for(m, ev, "g=Y");
    ck_assert_int_eq(z->status, FG_RESULT_PASS);
    ck_assert_double_eq(z->candidate.value, 1.0);
    ck_assert_int_eq(y->status, FG_RESULT_FAIL);
    ck_assert(isinf(y->candidate.value));
    ck_assert_ptr_nonnull(strstr(y->why, "infinite is above the maximum 1.25"));
    ck_assert_int_eq(ev->outcomes[0].status, FG_RESULT_FAIL);
    free_all(ev, m, k, policy);
}
END_TEST

START_TEST(test_four_fifths_is_exact)
{
    /* R: 1000001 of 1000002 selected; G: 800000 of 1000001. The exact ratio is
     * 0.7999999999992..., below 0.8 by less than 1e-12: it must fail. H: exactly 0.8 of
     * R's rate (800000.8 is not whole, so use 4/5 of a multiple): K 4 of 5 vs R' 5 of 5. */
    static const struct cell_spec cells[] = {
        {"R", 1, 1, 1000001}, {"R", 0, 0, 1}, {"G", 1, 1, 800000}, {"G", 0, 0, 200001}};
    struct fg_policy *policy;
    struct fg_counts *k;
    struct fg_metrics *m;
    struct fg_evaluation *ev =
        evaluate_cells("    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n", cells, 4,
                       &policy, &k, &m);
    ck_assert_int_eq(result_for(m, ev, "g=G")->status, FG_RESULT_FAIL);
    ck_assert_int_eq(result_for(m, ev, "g=R")->status, FG_RESULT_PASS);
    free_all(ev, m, k, policy);

    static const struct cell_spec exact[] = {
        {"A", 1, 1, 5}, {"B", 1, 1, 4}, {"B", 1, 0, 1}, {"C", 1, 1, 3999999}, {"C", 1, 0, 1000001}};
    ev = evaluate_cells("    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n", exact,
                        5, &policy, &k, &m);
    ck_assert_int_eq(result_for(m, ev, "g=B")->status, FG_RESULT_PASS); /* exactly 0.8 */
    ck_assert_int_eq(result_for(m, ev, "g=C")->status, FG_RESULT_FAIL); /* 0.7999998 */
    free_all(ev, m, k, policy);

    /* difference, exactly at the bound: |0.6 - 0.5| = 0.1 passes max 0.1 */
    static const struct cell_spec diff[] = {{"A", 1, 1, 6}, {"A", 1, 0, 4},     {"B", 1, 1, 5},
                                            {"B", 1, 0, 5}, {"C", 1, 1, 49999}, {"C", 1, 0, 50001}};
    ev = evaluate_cells("    metric: tpr\n    disparity: difference\n    max: 0.1\n", diff, 6,
                        &policy, &k, &m);
    ck_assert_int_eq(result_for(m, ev, "g=B")->status, FG_RESULT_PASS);
    ck_assert_int_eq(result_for(m, ev, "g=C")->status, FG_RESULT_FAIL); /* 0.10001 */
    free_all(ev, m, k, policy);
}
END_TEST

START_TEST(test_equalized_odds_partial_data_still_fails)
{
    /* A: tpr 0.5, fpr 0.5 (100 positives, 100 negatives). B: 10 positives (below 30),
     * 400 negatives with fpr 0.05: the FPR gap 0.45 fails even though B's TPR is unknown. */
    static const struct cell_spec cells[] = {{"A", 1, 1, 50}, {"A", 1, 0, 50}, {"A", 0, 1, 50},
                                             {"A", 0, 0, 50}, {"B", 1, 1, 5},  {"B", 1, 0, 5},
                                             {"B", 0, 1, 20}, {"B", 0, 0, 380}};
    struct fg_policy *policy;
    struct fg_counts *k;
    struct fg_metrics *m;
    struct fg_evaluation *ev = evaluate_cells("    metric: equalized_odds\n"
                                              "    disparity: difference\n    max: 0.1\n"
                                              "    min_group_size: 30\n",
                                              cells, 8, &policy, &k, &m);
    const struct fg_gate_result *b = result_for(m, ev, "g=B");
    ck_assert_int_eq(b->status, FG_RESULT_FAIL);
    ck_assert_int_eq(b->candidate.component, FG_METRIC_FPR);
    ck_assert_double_eq_tol(b->candidate.value, 0.45, 1e-15);
    ck_assert_int_eq(ev->outcomes[0].status, FG_RESULT_FAIL);
    free_all(ev, m, k, policy);
}
END_TEST

START_TEST(test_equalized_odds_family_per_component)
{
    /* reference: highest, min_group_size 30. TPR: A 100/200 = 0.5, B 75/200 = 0.375, C has
     * 10 actual positives (TPR not compared). FPR: 50/100 = 0.5 in A, B and C.
     * TPR family: k = 2 groups, 1 pair; FPR family: k = 3 groups, 3 pairs: 4 comparisons,
     * of which 3 are tested (B-A on TPR; B-A, C-A on FPR at p = 1).
     * B's TPR gap 0.125 breaches max 0.1; pooled z test: pbar = 175/400 = 0.4375,
     * se = sqrt(0.4375 * 0.5625 * (1/200 + 1/200)) = 0.0496078, z = 0.125 / se = 2.51977,
     * p = 2 (1 - Phi(z)) = 0.0117428. Holm over 4: 4p = 0.04697 < 0.05, fails; over the 5
     * that counting both components over all 3 groups gives: 5p = 0.0587, would pass. */
    static const struct cell_spec cells[] = {{"A", 1, 1, 100}, {"A", 1, 0, 100}, {"A", 0, 1, 50},
                                             {"A", 0, 0, 50},  {"B", 1, 1, 75},  {"B", 1, 0, 125},
                                             {"B", 0, 1, 50},  {"B", 0, 0, 50},  {"C", 1, 1, 5},
                                             {"C", 1, 0, 5},   {"C", 0, 1, 50},  {"C", 0, 0, 50}};
    struct fg_policy *policy;
    struct fg_counts *k;
    struct fg_metrics *m;
    struct fg_evaluation *ev =
        evaluate_cells("    metric: equalized_odds\n"
                       "    disparity: difference\n    max: 0.1\n"
                       "    reference: highest\n"
                       "    min_group_size: 30\n"
                       "    evidence: significant\n",
                       cells, sizeof cells / sizeof cells[0], &policy, &k, &m);
    const struct fg_gate_result *b = result_for(m, ev, "g=B");
    ck_assert_int_eq(b->candidate.component, FG_METRIC_TPR);
    ck_assert_double_eq_tol(b->candidate.value, 0.125, 1e-15);
    ck_assert_double_eq_tol(b->p_value, 0.0117428, 1e-6);
    ck_assert_double_eq_tol(b->p_adjusted, 4 * b->p_value, 1e-15);
    ck_assert_int_eq(b->status, FG_RESULT_FAIL);
    ck_assert_int_eq(ev->outcomes[0].status, FG_RESULT_FAIL);
    free_all(ev, m, k, policy);
}
END_TEST

/* evaluate_cells with one gate, its bound and the explicit reference g=R (an alias needs one). */
static struct fg_evaluation *evaluate_against_r(const char *gate, const char *bound,
                                                const struct cell_spec *cells, size_t n_cells,
                                                struct fg_policy **policy, struct fg_counts **k,
                                                struct fg_metrics **m)
{
    char yaml[256];
    snprintf(yaml, sizeof yaml, "%s    %s\n    reference: { g: R }\n", gate, bound);
    return evaluate_cells(yaml, cells, n_cells, policy, k, m);
}

START_TEST(test_alias_ratio_zero_over_zero_is_null)
{
    /* Selection rates: R 0/25, A 0/12, B 4/16. AIF360's disparate_impact is
     * SR_A / SR_R = 0/0 = NaN (dataset_metric.py:82, numpy division) and Clarify's DI
     * divide(0, 0) = 0 (common.py:27): an alias gives null for A, never fairgate's parity 1.
     * B: 0.25 / 0 is infinite (AIF360 inf, Clarify inf), as for the fairgate metric. The
     * native selection_rate ratio keeps 1 for A. */
    static const struct cell_spec cells[] = {{"R", 0, 0, 20}, {"R", 1, 0, 5}, {"A", 0, 0, 9},
                                             {"A", 1, 0, 3},  {"B", 1, 1, 3}, {"B", 0, 1, 1},
                                             {"B", 0, 0, 9},  {"B", 1, 0, 3}};
    static const char *const gates[] = {"    metric: aif360.disparate_impact\n",
                                        "    metric: clarify.DI\n",
                                        "    metric: selection_rate\n    disparity: ratio\n"};
    for (size_t i = 0; i < 3; i++) {
        struct fg_policy *policy;
        struct fg_counts *k;
        struct fg_metrics *m;
        struct fg_evaluation *ev = evaluate_against_r(
            gates[i], "min: 0.8", cells, sizeof cells / sizeof cells[0], &policy, &k, &m);
        const struct fg_gate_result *a = result_for(m, ev, "g=A"), *b = result_for(m, ev, "g=B");
        if (i < 2) {
            ck_assert_msg(!a->candidate.defined, "%s: A is %g, want null", gates[i],
                          a->candidate.value);
            ck_assert_int_eq(a->status, FG_RESULT_INSUFFICIENT_DATA);
            ck_assert_ptr_nonnull(strstr(a->why, "0/0"));
        } else {
            ck_assert(a->candidate.defined);
            ck_assert_double_eq(a->candidate.value, 1.0);
        }
        ck_assert(isinf(b->candidate.value));
        free_all(ev, m, k, policy);
    }
}
END_TEST

START_TEST(test_alias_equalized_odds_needs_both_rates)
{
    /* R: tpr 20/30, fpr 5/35. P has no actual negatives (FPR 0/0): AIF360's
     * equalized_odds_difference max(|dFPR|, |dTPR|) (classification_metric.py:592) is
     * max(nan, .) = NaN; N has no actual positives (TPR 0/0): max(|dFPR|, nan) is |dFPR| in
     * Python, NaN in the definition. The alias is null for both; the fairgate metric keeps
     * judging the rate it has (|8/11 - 2/3| = 2/33 for P). */
    static const struct cell_spec cells[] = {{"R", 1, 1, 20}, {"R", 1, 0, 10}, {"R", 0, 1, 5},
                                             {"R", 0, 0, 30}, {"P", 1, 1, 8},  {"P", 1, 0, 3},
                                             {"N", 0, 1, 3},  {"N", 0, 0, 11}};
    static const char *const gates[] = {"    metric: aif360.equalized_odds_difference\n",
                                        "    metric: equalized_odds\n    disparity: difference\n"};
    for (size_t i = 0; i < 2; i++) {
        struct fg_policy *policy;
        struct fg_counts *k;
        struct fg_metrics *m;
        struct fg_evaluation *ev = evaluate_against_r(
            gates[i], "max: 0.5", cells, sizeof cells / sizeof cells[0], &policy, &k, &m);
        const struct fg_gate_result *p = result_for(m, ev, "g=P"), *n = result_for(m, ev, "g=N");
        ck_assert_int_eq(p->status, FG_RESULT_INSUFFICIENT_DATA);
        ck_assert_int_eq(n->status, FG_RESULT_INSUFFICIENT_DATA);
        if (i == 0) {
            ck_assert_msg(!p->candidate.defined, "P is %.17g, want null", p->candidate.value);
            ck_assert_msg(!n->candidate.defined, "N is %.17g, want null", n->candidate.value);
            ck_assert_ptr_nonnull(strstr(p->why, "fpr is undefined"));
            ck_assert_ptr_nonnull(strstr(n->why, "tpr is undefined"));
            ck_assert_uint_eq(p->n_comparisons, 0);
        } else {
            ck_assert(p->candidate.defined);
            ck_assert_double_eq_tol(p->candidate.value, 2.0 / 33.0, 1e-15);
        }
        free_all(ev, m, k, policy);
    }
}
END_TEST

/* The override records of an evaluation belong to the override module: fg_override_release
 * frees them and leaves none, a second call is a no-op, and fg_evaluation_free goes through
 * it (make asan reports a leak or a double free otherwise). */
START_TEST(test_override_records_released_by_override_module)
{
    struct fg_evaluation *ev = calloc(1, sizeof *ev);
    ck_assert_ptr_nonnull(ev);
    ev->overrides = calloc(2, sizeof *ev->overrides);
    ck_assert_ptr_nonnull(ev->overrides);
    ev->n_overrides = 2;
    ev->overrides[0].path = strdup("a.dsse");
    ev->overrides[0].gate = strdup("parity");
    ev->overrides[1].path = strdup("b.dsse");
    ev->overrides[1].n_slice = 1;
    ev->overrides[1].slice_attrs = calloc(1, sizeof(char *));
    ev->overrides[1].slice_values = calloc(1, sizeof(char *));
    ck_assert_ptr_nonnull(ev->overrides[1].slice_attrs);
    ck_assert_ptr_nonnull(ev->overrides[1].slice_values);
    ev->overrides[1].slice_attrs[0] = strdup("sex");
    ev->overrides[1].slice_values[0] = strdup("F");
    fg_override_release(ev);
    ck_assert_ptr_null(ev->overrides);
    ck_assert_uint_eq(ev->n_overrides, 0);
    fg_override_release(ev);
    ck_assert_ptr_null(ev->overrides);
    ev->overrides = calloc(1, sizeof *ev->overrides);
    ck_assert_ptr_nonnull(ev->overrides);
    ev->n_overrides = 1;
    ev->overrides[0].reason = strdup("known issue");
    fg_evaluation_free(ev);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gate");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_gate_cases, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_equalized_odds_component);
    tcase_add_test(tc, test_unknown_reference_is_an_error);
    tcase_add_test(tc, test_zero_reference_rate);
    tcase_add_test(tc, test_four_fifths_is_exact);
    tcase_add_test(tc, test_equalized_odds_partial_data_still_fails);
    tcase_add_test(tc, test_equalized_odds_family_per_component);
    tcase_add_test(tc, test_override_records_released_by_override_module);
    tcase_add_test(tc, test_alias_ratio_zero_over_zero_is_null);
    tcase_add_test(tc, test_alias_equalized_odds_needs_both_rates);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
