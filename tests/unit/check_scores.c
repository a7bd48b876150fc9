/*
 * check_scores.c - unit tests of the score metrics (lib/scores.c) and of their path through
 * the pipeline: policy -> ingest (scores kept per cell) -> metrics (per group).
 *
 * Every expected value is worked out by hand in the comment next to it (or, for the random
 * checks, by brute force over all positive x negative pairs). Vectors are given as rows
 * (score, y), with y = 1 when the label is the positive label.
 */
#define _POSIX_C_SOURCE 200809L

#include "counts.h"
#include "fairgate.h"
#include "metric.h"
#include "metrics.h"
#include "policy.h"
#include "scores.h"
#include "test_util.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_OF(array) (sizeof(array) / sizeof((array)[0]))
#define MAX_ROWS    16

/* ---- helpers ---- */

/* Splits rows into negatives and positives and computes their statistics. */
static struct fg_score_stats stats_of(const double *scores, const int *y, size_t n,
                                      enum fg_favorable favorable, unsigned bins)
{
    double neg[MAX_ROWS], pos[MAX_ROWS];
    size_t n_neg = 0, n_pos = 0;
    ck_assert_uint_le(n, MAX_ROWS);
    for (size_t i = 0; i < n; i++) {
        if (y[i])
            pos[n_pos++] = scores[i];
        else
            neg[n_neg++] = scores[i];
    }
    struct fg_score_stats s;
    memset(&s, 0xa5, sizeof s); /* every field must be written */
    fg_score_stats_compute(neg, n_neg, pos, n_pos, favorable, bins, &s);
    return s;
}

/* ---- hand-computed vectors ---- */

struct score_vector {
    const char *name;
    size_t n;
    double scores[MAX_ROWS];
    int y[MAX_ROWS];
    enum fg_favorable favorable;
    unsigned bins;
    bool auc_defined;
    double auc, brier, calibration_gap;
};

static const struct score_vector vectors[] = {
    /* sklearn's roc_auc_score doc example. Positives {0.35, 0.8}, negatives {0.1, 0.4}:
     * 0.35 beats 0.1 only (1), 0.8 beats both (2): U = 3 of 4 pairs, auc 0.75.
     * brier: t = y: 0.1^2 + 0.4^2 + 0.65^2 + 0.2^2 = 0.01 + 0.16 + 0.4225 + 0.04 = 0.6325,
     * / 4 = 0.158125. ECE, 2 bins: [0, 0.5) holds 0.1 (t 0), 0.4 (0), 0.35 (1): |0.85 - 1| =
     * 0.15; [0.5, 1] holds 0.8 (1): |0.8 - 1| = 0.2; (0.15 + 0.2) / 4 = 0.0875. */
    {"sklearn auc example",
     4,
     {0.1, 0.4, 0.35, 0.8},
     {0, 0, 1, 1},
     FG_FAVORABLE_ABOVE,
     2,
     true,
     0.75,
     0.158125,
     0.0875},
    /* favorable: below ranks by -score: -0.35 beats -0.4 only: U = 1, auc 0.25 = 1 - 0.75.
     * t = 1 - y: 0.9^2 + 0.6^2 + 0.35^2 + 0.8^2 = 0.81 + 0.36 + 0.1225 + 0.64 = 1.9325,
     * / 4 = 0.483125. ECE, 2 bins: [0, 0.5): scores 0.85, t 1 + 1 + 0 = 2: 1.15;
     * [0.5, 1]: 0.8, t 0: 0.8; (1.15 + 0.8) / 4 = 0.4875. */
    {"sklearn auc example, favorable below",
     4,
     {0.1, 0.4, 0.35, 0.8},
     {0, 0, 1, 1},
     FG_FAVORABLE_BELOW,
     2,
     true,
     0.25,
     0.483125,
     0.4875},
    /* Ties count 1/2. Positives {0.5, 0.9}, negatives {0.5, 0.5}: 0.5 ties both (0.5 + 0.5),
     * 0.9 beats both (2): U = 3 of 4, auc 0.75. brier: 0.25 + 0.25 + 0.25 + 0.01 = 0.76 / 4 =
     * 0.19. ECE, 10 bins: [0.5, 0.6) holds 0.5 x 3 (t 0, 1, 0): |1.5 - 1| = 0.5; [0.9, 1)
     * holds 0.9 (t 1): 0.1; 0.6 / 4 = 0.15. */
    {"ties", 4, {0.5, 0.5, 0.5, 0.9}, {0, 1, 0, 1}, FG_FAVORABLE_ABOVE, 10, true, 0.75, 0.19, 0.15},
    /* More ties. Negatives {0.1, 0.4, 0.6}, positives {0.4, 0.6, 0.9}: 0.4 beats 0.1 and ties
     * 0.4 (1.5); 0.6 beats 0.1, 0.4 and ties 0.6 (2.5); 0.9 beats all (3): U = 7 of 9.
     * brier: 0.01 + 0.16 + 0.36 (negatives) + 0.36 + 0.16 + 0.01 (positives) = 1.06 / 6.
     * ECE, 10 bins: bin 1: |0.1 - 0|; bin 4: |0.8 - 1|; bin 6: |1.2 - 1|; bin 9: |0.9 - 1|:
     * 0.1 + 0.2 + 0.2 + 0.1 = 0.6 / 6 = 0.1. */
    {"ties across classes",
     6,
     {0.1, 0.4, 0.4, 0.6, 0.6, 0.9},
     {0, 0, 1, 0, 1, 1},
     FG_FAVORABLE_ABOVE,
     10,
     true,
     7.0 / 9.0,
     1.06 / 6.0,
     0.1},
    /* sklearn's brier_score_loss doc example: (0.1^2 + 0.1^2 + 0.2^2 + 0.3^2) / 4 =
     * 0.15 / 4 = 0.0375. auc: positives {0.9, 0.8} beat both negatives {0.1, 0.3}: 1.
     * ECE, 10 bins: one row per bin: (0.1 + 0.1 + 0.2 + 0.3) / 4 = 0.175. */
    {"sklearn brier example",
     4,
     {0.1, 0.9, 0.8, 0.3},
     {0, 1, 1, 0},
     FG_FAVORABLE_ABOVE,
     10,
     true,
     1.0,
     0.0375,
     0.175},
    /* The same, favorable below: t = 1 - y: (0.81 + 0.81 + 0.64 + 0.49) / 4 = 0.6875;
     * auc 0 (every positive ranks below every negative by -score); ECE (0.9 + 0.9 + 0.8 +
     * 0.7) / 4 = 0.825. */
    {"sklearn brier example, favorable below",
     4,
     {0.1, 0.9, 0.8, 0.3},
     {0, 1, 1, 0},
     FG_FAVORABLE_BELOW,
     10,
     true,
     0.0,
     0.6875,
     0.825},
    /* ECE with 2 bins and a score on the edge: 0.5 belongs to [0.5, 1].
     * [0, 0.5): 0.2 (0), 0.4 (1), 0.1 (0): |0.7 - 1| = 0.3; [0.5, 1]: 0.6 (1), 0.9 (1),
     * 0.5 (0): |2.0 - 2| = 0; 0.3 / 6 = 0.05 (0.7 / 6 if 0.5 fell in the lower bin).
     * auc: positives {0.4, 0.6, 0.9} vs negatives {0.1, 0.2, 0.5}: 2 + 3 + 3 = 8 of 9.
     * brier: 0.04 + 0.36 + 0.16 + 0.01 + 0.25 + 0.01 = 0.83 / 6. */
    {"ece, two bins, edge",
     6,
     {0.2, 0.4, 0.6, 0.9, 0.5, 0.1},
     {0, 1, 1, 1, 0, 0},
     FG_FAVORABLE_ABOVE,
     2,
     true,
     8.0 / 9.0,
     0.83 / 6.0,
     0.05},
    /* The same, favorable below: t = 1 - y. [0, 0.5): t 1 + 0 + 1 = 2, |0.7 - 2| = 1.3;
     * [0.5, 1]: t 0 + 0 + 1 = 1, |2.0 - 1| = 1.0; 2.3 / 6. auc 1 - 8/9 = 1/9. brier:
     * 0.64 + 0.16 + 0.36 + 0.81 + 0.25 + 0.81 = 3.03 / 6. */
    {"ece, two bins, favorable below",
     6,
     {0.2, 0.4, 0.6, 0.9, 0.5, 0.1},
     {0, 1, 1, 1, 0, 0},
     FG_FAVORABLE_BELOW,
     2,
     true,
     1.0 / 9.0,
     3.03 / 6.0,
     2.3 / 6.0},
    /* A score written 0.3 lands in [0.3, 0.4) with 10 bins, next to 0.35: |0.65 - 1| / 2 =
     * 0.175 (0.525 if 0.3 fell in [0.2, 0.3)). 1.0 lands in the last bin, with 0.95:
     * second vector. auc: 0.3 (positive) below 0.35 (negative): 0. */
    {"ece, decimal edge",
     2,
     {0.3, 0.35},
     {1, 0},
     FG_FAVORABLE_ABOVE,
     10,
     true,
     0.0,
     (0.49 + 0.1225) / 2,
     0.175},
    /* [0.9, 1]: 1.0 (t 1) and 0.95 (t 0): |1.95 - 1| / 2 = 0.475. auc: 1. brier:
     * (0 + 0.9025) / 2. */
    {"ece, 1.0 in the last bin",
     2,
     {1.0, 0.95},
     {1, 0},
     FG_FAVORABLE_ABOVE,
     10,
     true,
     1.0,
     0.9025 / 2,
     0.475},
    /* One class only: auc undefined; brier (0.04 + 0.09) / 2; ECE bins 7 and 8 (bins 0
     * means the default 10): (0.2 + 0.3) / 2. */
    {"positives only", 2, {0.8, 0.7}, {1, 1}, FG_FAVORABLE_ABOVE, 0, false, 0.0, 0.13 / 2, 0.25},
    /* A perfectly calibrated bin: 4 scores 0.25, one of them positive: ECE 0; brier
     * (3 * 0.0625 + 0.5625) / 4 = 0.1875; auc: the positive ties all 3 negatives: 0.5. */
    {"calibrated",
     4,
     {0.25, 0.25, 0.25, 0.25},
     {0, 1, 0, 0},
     FG_FAVORABLE_ABOVE,
     4,
     true,
     0.5,
     0.1875,
     0.0},
};

START_TEST(test_vectors)
{
    const struct score_vector *v = &vectors[_i];
    struct fg_score_stats s = stats_of(v->scores, v->y, v->n, v->favorable, v->bins);
    uint64_t positives = 0;
    for (size_t i = 0; i < v->n; i++)
        positives += (uint64_t)v->y[i];
    ck_assert_msg(s.present, "%s: not present", v->name);
    ck_assert_uint_eq(s.n, v->n);
    ck_assert_uint_eq(s.positives, positives);
    ck_assert_msg(s.auc_defined == v->auc_defined, "%s: auc_defined %d", v->name, s.auc_defined);
    if (v->auc_defined)
        ck_assert_msg(fabs(s.auc - v->auc) < 1e-15, "%s: auc %.17g, expected %.17g", v->name, s.auc,
                      v->auc);
    ck_assert_msg(fabs(s.brier - v->brier) < 1e-12, "%s: brier %.17g, expected %.17g", v->name,
                  s.brier, v->brier);
    ck_assert_msg(fabs(s.calibration_gap - v->calibration_gap) < 1e-12,
                  "%s: calibration_gap %.17g, expected %.17g", v->name, s.calibration_gap,
                  v->calibration_gap);
}
END_TEST

START_TEST(test_empty_and_out_of_range)
{
    struct fg_score_stats s;
    fg_score_stats_compute(NULL, 0, NULL, 0, FG_FAVORABLE_ABOVE, 10, &s);
    ck_assert(s.present);
    ck_assert_uint_eq(s.n, 0);
    ck_assert(!s.auc_defined);
    /* a score outside [0, 1]: auc stands (ranks only), brier and ECE do not */
    const double scores[] = {-0.5, 0.2, 1.5, 0.9};
    const int y[] = {0, 0, 1, 1};
    s = stats_of(scores, y, 4, FG_FAVORABLE_ABOVE, 10);
    ck_assert(s.auc_defined);
    ck_assert_double_eq(s.auc, 1.0);
    ck_assert(isnan(s.brier));
    ck_assert(isnan(s.calibration_gap));
}
END_TEST

/* ---- sorting and auc against brute force ---- */

static uint64_t lcg_state;

static uint64_t next_random(void)
{
    /* Knuth's MMIX linear congruential generator; the high bits are used. */
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg_state >> 33;
}

static int compare_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

START_TEST(test_sort)
{
    static const size_t sizes[] = {0, 1, 2, 3, 16, 17, 100, 1000, 100003};
    lcg_state = 42;
    for (size_t k = 0; k < N_OF(sizes); k++) {
        size_t n = sizes[k];
        for (int shape = 0; shape < 5; shape++) {
            double *v = malloc((n + 1) * sizeof *v), *want = malloc((n + 1) * sizeof *want);
            ck_assert_ptr_nonnull(v);
            ck_assert_ptr_nonnull(want);
            for (size_t i = 0; i < n; i++) {
                switch (shape) {
                case 0: /* random */
                    v[i] = (double)next_random() / 2147483648.0;
                    break;
                case 1: /* few distinct values */
                    v[i] = (double)(next_random() % 3) / 2.0;
                    break;
                case 2: /* ascending */
                    v[i] = (double)i;
                    break;
                case 3: /* descending */
                    v[i] = (double)(n - i);
                    break;
                default: /* all equal */
                    v[i] = 0.5;
                    break;
                }
            }
            memcpy(want, v, n * sizeof *v);
            qsort(want, n, sizeof *want, compare_double);
            fg_scores_sort(v, n);
            for (size_t i = 0; i < n; i++)
                ck_assert_msg(v[i] == want[i], "n %zu shape %d: v[%zu] = %g, expected %g", n, shape,
                              i, v[i], want[i]);
            free(v);
            free(want);
        }
    }
}
END_TEST

/* auc as the definition says: over every (positive, negative) pair, 1 when the positive
 * ranks above, 1/2 on a tie; brier as the plain mean. */
START_TEST(test_auc_brute_force)
{
    lcg_state = 7;
    for (int round = 0; round < 50; round++) {
        size_t n_neg = 1 + next_random() % 60, n_pos = 1 + next_random() % 60;
        double neg[64], pos[64];
        unsigned levels = 2 + (unsigned)(next_random() % 20); /* coarse: many ties */
        for (size_t i = 0; i < n_neg; i++)
            neg[i] = (double)(next_random() % (levels + 1)) / levels;
        for (size_t i = 0; i < n_pos; i++)
            pos[i] = (double)(next_random() % (levels + 1)) / levels;
        enum fg_favorable favorable = round % 2 ? FG_FAVORABLE_BELOW : FG_FAVORABLE_ABOVE;
        double half_wins = 0, squares = 0;
        for (size_t i = 0; i < n_pos; i++) {
            for (size_t j = 0; j < n_neg; j++) {
                double p = favorable == FG_FAVORABLE_ABOVE ? pos[i] : -pos[i];
                double q = favorable == FG_FAVORABLE_ABOVE ? neg[j] : -neg[j];
                half_wins += p > q ? 2 : p == q ? 1 : 0;
            }
        }
        double t_pos = favorable == FG_FAVORABLE_ABOVE ? 1 : 0;
        for (size_t i = 0; i < n_pos; i++)
            squares += (pos[i] - t_pos) * (pos[i] - t_pos);
        for (size_t j = 0; j < n_neg; j++)
            squares += (neg[j] - (1 - t_pos)) * (neg[j] - (1 - t_pos));
        struct fg_score_stats s;
        fg_score_stats_compute(neg, n_neg, pos, n_pos, favorable, 10, &s);
        ck_assert(s.auc_defined);
        ck_assert_double_eq_tol(s.auc, half_wins / (2.0 * (double)n_pos * (double)n_neg), 1e-14);
        ck_assert_double_eq_tol(s.brier, squares / (double)(n_pos + n_neg), 1e-12);
        ck_assert(s.calibration_gap >= 0 && s.calibration_gap <= 1);
    }
}
END_TEST

/* ---- the pipeline: YAML policy, CSV file, ingest, metrics ---- */

static char workdir[512];

static void write_text(char *path, size_t size, const char *name, const char *text)
{
    snprintf(path, size, "%s/%s", workdir, name);
    write_bytes_to(path, text, strlen(text));
}

#define POLICY_HEAD                                                                                \
    "version: 1\n"                                                                                 \
    "name: scores\n"                                                                               \
    "data:\n"                                                                                      \
    "  label: y\n"                                                                                 \
    "  positive_label: '1'\n"                                                                      \
    "  protected: [sex]\n"

static const char *score_policy =
    POLICY_HEAD "  candidate: { score: p, threshold: 0.5, favorable: above }\n"
                "  incumbent: { score: q, threshold: 0.5, favorable: below }\n"
                "gates:\n"
                "  - id: auc-gap\n"
                "    metric: auc\n"
                "    disparity: difference\n"
                "    max: 0.1\n"
                "  - id: calibration\n"
                "    metric: calibration_gap\n"
                "    overall: { max: 0.5 }\n"
                "    bins: 2\n";

/* q = 1 - p: with favorable: below the incumbent ranks, predicts and errs exactly as the
 * candidate does, so every incumbent statistic equals the candidate's. */
static const char *score_csv = "sex,y,p,q\n"
                               "F,0,0.1,0.9\n"
                               "F,0,0.4,0.6\n"
                               "F,1,0.35,0.65\n"
                               "F,1,0.8,0.2\n"
                               "M,1,0.9,0.1\n"
                               "M,0,0.2,0.8\n"
                               "M,1,0.6,0.4\n"
                               "M,0,0.95,0.05\n";

static const struct fg_group *find(const struct fg_metrics *m, const char *label)
{
    for (size_t i = 0; i < m->n_groups; i++)
        if (strcmp(m->groups[i].label, label) == 0)
            return &m->groups[i];
    ck_abort_msg("no group %s", label);
    return NULL;
}

struct group_expect {
    const char *label;
    uint64_t n, positives;
    double auc, brier, calibration_gap;
};

/* By hand from score_csv (t = y for p):
 * sex=F: the sklearn example above: auc 0.75, brier 0.158125, ECE (2 bins) 0.0875.
 * sex=M: positives {0.9, 0.6}, negatives {0.2, 0.95}: 0.9 beats 0.2 (1), 0.6 beats 0.2 (1):
 *   auc 2/4 = 0.5; brier (0.01 + 0.04 + 0.16 + 0.9025) / 4 = 1.1125 / 4 = 0.278125;
 *   ECE: [0, 0.5) 0.2 (t 0): 0.2; [0.5, 1] 0.9, 0.6, 0.95 (t 1, 1, 0): |2.45 - 2| = 0.45;
 *   0.65 / 4 = 0.1625.
 * overall: positives {0.35, 0.8, 0.9, 0.6} beat {2, 3, 3, 3} of negatives
 *   {0.1, 0.4, 0.2, 0.95}: auc 11/16 = 0.6875; brier (0.6325 + 1.1125) / 8 = 0.218125;
 *   ECE: [0, 0.5) 0.1, 0.4, 0.35, 0.2 (t 1 in all): 0.05; [0.5, 1] 0.8, 0.9, 0.6, 0.95
 *   (t 3): 0.25; 0.3 / 8 = 0.0375. */
static const struct group_expect expected_groups[] = {
    {"overall", 8, 4, 0.6875, 0.218125, 0.0375},
    {"sex=F", 4, 2, 0.75, 0.158125, 0.0875},
    {"sex=M", 4, 2, 0.5, 0.278125, 0.1625},
};

static void run_pipeline(const char *policy_text, const char *candidate, const char *incumbent,
                         struct fg_policy **policy, struct fg_counts **counts,
                         struct fg_metrics **metrics)
{
    struct fg_error err = {0};
    ck_assert_msg(fg_policy_parse("scores.yaml", policy_text, strlen(policy_text), policy, &err) ==
                      FG_OK,
                  "policy: %lu:%lu: %s", err.line, err.column, err.message);
    struct fg_ingest_options options = {.candidate_path = candidate, .incumbent_path = incumbent};
    ck_assert_msg(fg_ingest_run(*policy, &options, counts, NULL, &err) == FG_OK,
                  "ingest: %s:%lu: %s", err.file, err.line, err.message);
    ck_assert_msg(fg_metrics_compute(*policy, *counts, metrics, &err) == FG_OK, "metrics: %s",
                  err.message);
}

static void expect_group(const struct fg_group *g, const struct group_expect *e, bool incumbent)
{
    const struct fg_score_stats *s = incumbent ? &g->incumbent_score : &g->candidate_score;
    ck_assert_msg(s->present, "%s: no scores", e->label);
    ck_assert_uint_eq(s->n, e->n);
    ck_assert_uint_eq(s->positives, e->positives);
    ck_assert(s->auc_defined);
    ck_assert_msg(fabs(s->auc - e->auc) < 1e-15, "%s: auc %.17g", e->label, s->auc);
    ck_assert_msg(fabs(s->brier - e->brier) < 1e-12, "%s: brier %.17g", e->label, s->brier);
    ck_assert_msg(fabs(s->calibration_gap - e->calibration_gap) < 1e-12,
                  "%s: calibration_gap %.17g", e->label, s->calibration_gap);
    /* the gate's view of it */
    struct fg_rate auc = fg_group_metric(g, FG_METRIC_AUC, incumbent);
    ck_assert(auc.defined);
    ck_assert_uint_eq(auc.den,
                      e->positives < e->n - e->positives ? e->positives : e->n - e->positives);
    ck_assert_double_eq(auc.value, s->auc);
    struct fg_rate brier = fg_group_metric(g, FG_METRIC_BRIER, incumbent);
    ck_assert(brier.defined);
    ck_assert_uint_eq(brier.den, e->n);
    ck_assert_uint_eq(brier.num, 0);
    ck_assert_double_eq(brier.value, s->brier);
    struct fg_rate gap = fg_group_metric(g, FG_METRIC_CALIBRATION_GAP, incumbent);
    ck_assert(gap.defined);
    ck_assert_double_eq(gap.value, s->calibration_gap);
}

START_TEST(test_pipeline_per_group)
{
    char csv[600];
    write_text(csv, sizeof csv, "scores.csv", score_csv);
    struct fg_policy *policy = NULL;
    struct fg_counts *counts = NULL;
    struct fg_metrics *m = NULL;
    run_pipeline(score_policy, csv, NULL, &policy, &counts, &m);
    ck_assert_uint_eq(policy->calibration_bins, 2);
    ck_assert(fg_counts_has_scores(counts, false));
    ck_assert(fg_counts_has_scores(counts, true));
    ck_assert_uint_eq(m->n_groups, 3);
    for (size_t k = 0; k < N_OF(expected_groups); k++) {
        const struct fg_group *g = find(m, expected_groups[k].label);
        expect_group(g, &expected_groups[k], false);
        /* the incumbent: q = 1 - p read with favorable: below (1e-12: 1 - p is not q to the
         * last bit) */
        const struct fg_score_stats *c = &g->candidate_score, *i = &g->incumbent_score;
        ck_assert(i->present);
        ck_assert_uint_eq(i->n, c->n);
        ck_assert_double_eq(i->auc, c->auc);
        ck_assert_double_eq_tol(i->brier, c->brier, 1e-12);
        ck_assert_double_eq_tol(i->calibration_gap, c->calibration_gap, 1e-12);
    }
    /* the decisions still come from the threshold: p >= 0.5 is 0.8 (F, y 1), 0.9, 0.6 (M,
     * y 1) and 0.95 (M, y 0): tp 3, fp 1, tn 3, fn 1 overall */
    ck_assert_uint_eq(m->groups[0].candidate.tp, 3);
    ck_assert_uint_eq(m->groups[0].candidate.fp, 1);
    ck_assert_uint_eq(m->groups[0].candidate.tn, 3);
    ck_assert_uint_eq(m->groups[0].candidate.fn, 1);
    fg_metrics_free(m);
    fg_counts_free(counts);
    fg_policy_free(policy);
}
END_TEST

/* Two protected attributes and their intersection; the row order scrambled. Only the
 * candidate is scored, favorable: below, 10 bins (the default).
 * Rows (sex, race, y, p); t = 1 - y, auc ranks by -p:
 *   F,A,1,0.2  F,B,0,0.7  M,A,0,0.6  F,A,0,0.3  M,B,1,0.1  M,A,1,0.4  F,B,1,0.65  M,B,0,0.3
 * sex=F: positives p {0.2, 0.65}, negatives {0.7, 0.3}: by -p, 0.2 beats both (2), 0.65
 *   beats 0.7 (1): auc 3/4. brier: t(pos) 0, t(neg) 1: 0.04 + 0.4225 + 0.09 + 0.49 = 1.0425
 *   / 4. ECE: bin 2: 0.2 (t 0): 0.2; bin 3: 0.3 (t 1): 0.7; bin 6: 0.65 (t 0): 0.65; bin 7:
 *   0.7 (t 1): 0.3; 1.85 / 4.
 * race=A: positives {0.2, 0.4}, negatives {0.6, 0.3}: 0.2 beats both (2), 0.4 beats 0.6 (1):
 *   3/4. race=B: positives {0.1, 0.65}, negatives {0.7, 0.3}: 0.1 beats both (2), 0.65
 *   beats 0.7 (1): 3/4.
 * sex=M & race=B: positive {0.1}, negative {0.3}: 1. sex=F & race=A: positive 0.2, negative
 *   0.3: 1. sex=M & race=A: positive 0.4, negative 0.6: 1. sex=F & race=B: positive 0.65,
 *   negative 0.7: 1.
 * sex=M: positives {0.1, 0.4}, negatives {0.6, 0.3}: 0.1 beats both, 0.4 beats 0.6: 3/4.
 * overall: positives {0.2, 0.1, 0.4, 0.65}, negatives {0.7, 0.6, 0.3, 0.3}: by -p: 0.2 and
 *   0.1 beat all 4 (8), 0.4 beats 0.7 and 0.6 (2), 0.65 beats 0.7 (1): 11/16. */
START_TEST(test_pipeline_intersection_below)
{
    const char *policy_text = "version: 1\n"
                              "name: scores\n"
                              "data:\n"
                              "  label: y\n"
                              "  positive_label: '1'\n"
                              "  protected: [sex, race]\n"
                              "  intersections: [[sex, race]]\n"
                              "  candidate: { score: p, threshold: 0.5, favorable: below }\n"
                              "gates:\n"
                              "  - id: auc-gap\n"
                              "    metric: auc\n"
                              "    disparity: ratio\n"
                              "    min: 0.9\n";
    char csv[600];
    write_text(csv, sizeof csv, "intersection.csv",
               "sex,race,y,p\nF,A,1,0.2\nF,B,0,0.7\nM,A,0,0.6\nF,A,0,0.3\nM,B,1,0.1\n"
               "M,A,1,0.4\nF,B,1,0.65\nM,B,0,0.3\n");
    struct fg_policy *policy = NULL;
    struct fg_counts *counts = NULL;
    struct fg_metrics *m = NULL;
    run_pipeline(policy_text, csv, NULL, &policy, &counts, &m);
    static const struct {
        const char *label;
        double auc;
    } want[] = {{"overall", 11.0 / 16.0}, {"sex=F", 0.75},         {"sex=M", 0.75},
                {"race=A", 0.75},         {"race=B", 0.75},        {"sex=F & race=A", 1.0},
                {"sex=F & race=B", 1.0},  {"sex=M & race=A", 1.0}, {"sex=M & race=B", 1.0}};
    ck_assert_uint_eq(m->n_groups, N_OF(want));
    for (size_t k = 0; k < N_OF(want); k++) {
        const struct fg_group *g = find(m, want[k].label);
        ck_assert_msg(g->candidate_score.present && g->candidate_score.auc_defined, "%s",
                      want[k].label);
        ck_assert_msg(g->candidate_score.auc == want[k].auc, "%s: auc %.17g, expected %.17g",
                      want[k].label, g->candidate_score.auc, want[k].auc);
        ck_assert(!g->incumbent_score.present); /* the policy names no incumbent */
        ck_assert(!fg_group_metric(g, FG_METRIC_AUC, true).defined);
    }
    const struct fg_group *female = find(m, "sex=F");
    ck_assert_double_eq_tol(female->candidate_score.brier, 1.0425 / 4, 1e-12);
    ck_assert_double_eq_tol(female->candidate_score.calibration_gap, 1.85 / 4, 1e-12);
    ck_assert_uint_eq(female->candidate_score.n, 4);
    ck_assert_uint_eq(female->candidate_score.positives, 2);
    fg_metrics_free(m);
    fg_counts_free(counts);
    fg_policy_free(policy);
}
END_TEST

/* A brier gate wants probabilities: 1.7 on line 4 is an input error there. */
START_TEST(test_pipeline_range_error)
{
    const char *policy_text = POLICY_HEAD "  candidate: { score: p, threshold: 0.5 }\n"
                                          "gates:\n"
                                          "  - id: brier\n"
                                          "    metric: brier\n"
                                          "    overall: { max: 0.25 }\n";
    char csv[600];
    write_text(csv, sizeof csv, "range.csv", "sex,y,p\nF,1,0.5\nM,0,1\nM,1,1.7\nF,0,0\n");
    struct fg_policy *policy = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(
        fg_policy_parse("scores.yaml", policy_text, strlen(policy_text), &policy, &err), FG_OK);
    struct fg_ingest_options options = {.candidate_path = csv};
    struct fg_counts *counts = NULL;
    ck_assert_int_eq(fg_ingest_run(policy, &options, &counts, NULL, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(counts);
    ck_assert_str_eq(err.file, csv);
    ck_assert_uint_eq(err.line, 4);
    ck_assert_str_eq(err.message, "column 'p' has score '1.7', which is outside [0, 1]; brier "
                                  "and calibration_gap need probabilities");
    char line[2048];
    fg_error_format(&err, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, "range.csv:4"));
    fg_policy_free(policy);
}
END_TEST

/* Without a score gate nothing is kept, even when the candidate is read from scores. */
START_TEST(test_pipeline_no_score_gate)
{
    const char *policy_text = POLICY_HEAD "  candidate: { score: p, threshold: 0.5 }\n"
                                          "gates:\n"
                                          "  - id: dp\n"
                                          "    metric: selection_rate\n"
                                          "    disparity: ratio\n"
                                          "    min: 0.8\n";
    char csv[600];
    /* 1.7 is no error here: only the threshold reads it */
    write_text(csv, sizeof csv, "plain.csv", "sex,y,p\nF,1,0.5\nM,0,1.7\nM,1,0.2\n");
    struct fg_policy *policy = NULL;
    struct fg_counts *counts = NULL;
    struct fg_metrics *m = NULL;
    run_pipeline(policy_text, csv, NULL, &policy, &counts, &m);
    ck_assert(!fg_counts_has_scores(counts, false));
    ck_assert(!fg_counts_has_scores(counts, true));
    size_t n = 99;
    ck_assert_ptr_null(fg_counts_cell_scores(counts, 0, false, &n));
    ck_assert_uint_eq(n, 0);
    for (size_t i = 0; i < m->n_groups; i++) {
        ck_assert(!m->groups[i].candidate_score.present);
        struct fg_rate r = fg_group_metric(&m->groups[i], FG_METRIC_AUC, false);
        ck_assert(!r.defined);
        ck_assert_uint_eq(r.den, 0);
    }
    /* the rates are unchanged: selection 0.5 and 1.7 of 3 rows */
    struct fg_rate sel = fg_group_metric(&m->groups[0], FG_METRIC_SELECTION_RATE, false);
    ck_assert_uint_eq(sel.num, 2);
    ck_assert_uint_eq(sel.den, 3);
    fg_metrics_free(m);
    fg_counts_free(counts);
    fg_policy_free(policy);
}
END_TEST

/* The incumbent's scores from a second file, joined by id, give what one file gives. */
START_TEST(test_pipeline_incumbent_file)
{
    const char *policy_text =
        POLICY_HEAD "  id: id\n"
                    "  candidate: { score: p, threshold: 0.5, favorable: above }\n"
                    "  incumbent: { score: q, threshold: 0.5, favorable: below }\n"
                    "gates:\n"
                    "  - id: brier\n"
                    "    metric: brier\n"
                    "    overall: { max: 0.5 }\n";
    char candidate[600], incumbent[600];
    write_text(candidate, sizeof candidate, "cand.csv",
               "id,sex,y,p\na,F,0,0.1\nb,F,0,0.4\nc,F,1,0.35\nd,F,1,0.8\ne,M,1,0.9\nf,M,0,0.2\n"
               "g,M,1,0.6\nh,M,0,0.95\n");
    /* shuffled; q = 1 - p */
    write_text(incumbent, sizeof incumbent, "inc.csv",
               "q,id\n0.05,h\n0.9,a\n0.4,g\n0.1,e\n0.6,b\n0.2,d\n0.65,c\n0.8,f\n");
    struct fg_policy *policy = NULL;
    struct fg_counts *counts = NULL;
    struct fg_metrics *m = NULL;
    run_pipeline(policy_text, candidate, incumbent, &policy, &counts, &m);
    for (size_t k = 0; k < N_OF(expected_groups); k++) {
        const struct fg_group *g = find(m, expected_groups[k].label);
        /* brier only checks: the policy's bins are the default 10 here */
        ck_assert(g->incumbent_score.present);
        ck_assert_double_eq_tol(g->incumbent_score.brier, expected_groups[k].brier, 1e-12);
        ck_assert_double_eq(g->incumbent_score.auc, expected_groups[k].auc);
        ck_assert_double_eq_tol(g->candidate_score.brier, expected_groups[k].brier, 1e-12);
    }
    fg_metrics_free(m);
    fg_counts_free(counts);

    /* the incumbent file's scores are checked too, with its own path and line */
    write_text(incumbent, sizeof incumbent, "inc.csv", "q,id\n0.05,h\n-0.9,a\n");
    struct fg_ingest_options options = {.candidate_path = candidate, .incumbent_path = incumbent};
    struct fg_error err = {0};
    ck_assert_int_eq(fg_ingest_run(policy, &options, &counts, NULL, &err), FG_ERR_INPUT);
    ck_assert_str_eq(err.file, incumbent);
    ck_assert_uint_eq(err.line, 3);
    ck_assert_ptr_nonnull(strstr(err.message, "column 'q' has score '-0.9', which is outside"));
    fg_policy_free(policy);
}
END_TEST

/* ---- the suite ---- */

/* ---- curves for the report ---- */

/* Scores 0.9, 0.8, 0.8 (y 1, 1, 0), 0.3 (y 0), 0.05 (y 0), favorable above, 5 bins.
 * ROC from the top: 0.9 -> (0, 1/2); 0.8 (a tie of a positive and a negative) -> (1/3, 1);
 * 0.3 -> (2/3, 1); 0.05 -> (1, 1). Bins of width 0.2: [0, 0.2) holds 0.05 (t 0), [0.2, 0.4)
 * 0.3 (t 0), [0.8, 1] 0.9, 0.8, 0.8 (t 1, 1, 0): mean 2.5/3, observed 2/3. */
START_TEST(test_curves_by_hand)
{
    double neg[] = {0.8, 0.3, 0.05}, pos[] = {0.9, 0.8};
    struct fg_score_stats s;
    struct fg_score_curves *c = NULL;
    struct fg_error err = {0};
    fg_score_stats_compute(neg, 3, pos, 2, FG_FAVORABLE_ABOVE, 5, &s);
    ck_assert_int_eq(fg_score_curves_compute(neg, 3, pos, 2, FG_FAVORABLE_ABOVE, 5, &c, &err),
                     FG_OK);
    ck_assert(c->roc_defined && c->calibration_defined);
    const double want_fpr[] = {0, 0, 1.0 / 3, 2.0 / 3, 1}, want_tpr[] = {0, 0.5, 1, 1, 1};
    const double want_threshold[] = {0, 0.9, 0.8, 0.3, 0.05};
    ck_assert_uint_eq(c->n_roc, 5);
    for (size_t k = 0; k < 5; k++) {
        ck_assert_double_eq_tol(c->roc[k].fpr, want_fpr[k], 1e-15);
        ck_assert_double_eq_tol(c->roc[k].tpr, want_tpr[k], 1e-15);
        ck_assert(c->roc[k].has_threshold == (k > 0));
        if (k > 0)
            ck_assert_double_eq(c->roc[k].threshold, want_threshold[k]);
    }
    ck_assert_uint_eq(c->bins, 5);
    ck_assert_uint_eq(c->n_bins, 3);
    ck_assert_double_eq_tol(c->bin[0].low, 0.0, 1e-15);
    ck_assert_double_eq_tol(c->bin[1].low, 0.2, 1e-15);
    ck_assert_double_eq_tol(c->bin[2].low, 0.8, 1e-15);
    ck_assert_double_eq_tol(c->bin[2].high, 1.0, 1e-15);
    ck_assert_uint_eq(c->bin[2].n, 3);
    ck_assert_double_eq_tol(c->bin[2].mean_score, 2.5 / 3, 1e-15);
    ck_assert_double_eq_tol(c->bin[2].observed, 2.0 / 3, 1e-15);
    ck_assert_double_eq_tol(c->bin[0].observed, 0.0, 1e-15);
    /* the bins are calibration_gap's: sum n_b/n |mean - observed| is the gap */
    double gap = 0;
    for (size_t k = 0; k < c->n_bins; k++)
        gap += (double)c->bin[k].n / 5 * fabs(c->bin[k].mean_score - c->bin[k].observed);
    ck_assert_double_eq_tol(gap, s.calibration_gap, 1e-15);
    fg_score_curves_free(c);

    /* favorable below walks from the low end: 0.05 -> (1/3, 0), ...; t = 1 - y */
    ck_assert_int_eq(fg_score_curves_compute(neg, 3, pos, 2, FG_FAVORABLE_BELOW, 5, &c, &err),
                     FG_OK);
    ck_assert_uint_eq(c->n_roc, 5);
    ck_assert_double_eq_tol(c->roc[1].fpr, 1.0 / 3, 1e-15);
    ck_assert_double_eq_tol(c->roc[1].tpr, 0.0, 1e-15);
    ck_assert_double_eq(c->roc[1].threshold, 0.05);
    ck_assert_double_eq_tol(c->bin[0].observed, 1.0, 1e-15);
    fg_score_curves_free(c);
}
END_TEST

/* Many distinct scores: at most FG_ROC_MAX_POINTS vertices, from (0, 0) to (1, 1), monotone,
 * and the trapezoid area under the thinned curve within 0.01 of the exact AUC. One class only:
 * no ROC; a score outside [0, 1]: no calibration. */
START_TEST(test_curves_thinned)
{
    enum { N = 5000 };
    double *neg = malloc(N * sizeof *neg), *pos = malloc(N * sizeof *pos);
    ck_assert(neg != NULL && pos != NULL);
    unsigned long x = 7;
    for (size_t i = 0; i < N; i++) {
        x = (x * 1103515245 + 12345) % 2147483648UL;
        neg[i] = 0.6 * (double)x / 2147483648.0;
        x = (x * 1103515245 + 12345) % 2147483648UL;
        pos[i] = 0.3 + 0.7 * (double)x / 2147483648.0;
    }
    struct fg_score_stats s;
    struct fg_score_curves *c = NULL;
    struct fg_error err = {0};
    fg_score_stats_compute(neg, N, pos, N, FG_FAVORABLE_ABOVE, 1000, &s);
    ck_assert_int_eq(fg_score_curves_compute(neg, N, pos, N, FG_FAVORABLE_ABOVE, 1000, &c, &err),
                     FG_OK);
    ck_assert_uint_eq(c->n_roc, FG_ROC_MAX_POINTS);
    ck_assert(c->n_bins > 990 && c->n_bins <= 1000); /* the non-empty bins only */
    uint64_t rows = 0;
    for (size_t k = 0; k < c->n_bins; k++)
        rows += c->bin[k].n;
    ck_assert_uint_eq(rows, 2 * N);
    ck_assert_double_eq(c->roc[0].fpr + c->roc[0].tpr, 0.0);
    ck_assert_double_eq(c->roc[c->n_roc - 1].fpr + c->roc[c->n_roc - 1].tpr, 2.0);
    double area = 0;
    for (size_t k = 1; k < c->n_roc; k++) {
        ck_assert(c->roc[k].fpr >= c->roc[k - 1].fpr && c->roc[k].tpr >= c->roc[k - 1].tpr);
        area += (c->roc[k].fpr - c->roc[k - 1].fpr) * (c->roc[k].tpr + c->roc[k - 1].tpr) / 2;
    }
    ck_assert_double_eq_tol(area, s.auc, 0.01);
    fg_score_curves_free(c);
    ck_assert_int_eq(fg_score_curves_compute(neg, N, pos, 0, FG_FAVORABLE_ABOVE, 10, &c, &err),
                     FG_OK);
    ck_assert(!c->roc_defined && c->roc == NULL && c->calibration_defined);
    fg_score_curves_free(c);
    neg[0] = -0.5;
    ck_assert_int_eq(fg_score_curves_compute(neg, N, pos, N, FG_FAVORABLE_ABOVE, 10, &c, &err),
                     FG_OK);
    ck_assert(c->roc_defined && !c->calibration_defined && c->n_bins == 0);
    fg_score_curves_free(c);
    free(neg);
    free(pos);
}
END_TEST

static Suite *scores_suite(void)
{
    Suite *s = suite_create("scores");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_vectors, 0, (int)N_OF(vectors));
    tcase_add_test(tc, test_empty_and_out_of_range);
    tcase_add_test(tc, test_curves_by_hand);
    tcase_add_test(tc, test_curves_thinned);
    tcase_add_test(tc, test_sort);
    tcase_add_test(tc, test_auc_brute_force);
    tcase_add_test(tc, test_pipeline_per_group);
    tcase_add_test(tc, test_pipeline_intersection_below);
    tcase_add_test(tc, test_pipeline_range_error);
    tcase_add_test(tc, test_pipeline_no_score_gate);
    tcase_add_test(tc, test_pipeline_incumbent_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(workdir, sizeof workdir, "%s/fg-scores-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(workdir) == NULL) {
        perror("check_scores: mkdtemp");
        return EXIT_FAILURE;
    }
    SRunner *runner = srunner_create(scores_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    static const char *const files[] = {"scores.csv", "intersection.csv", "range.csv",
                                        "plain.csv",  "cand.csv",         "inc.csv"};
    char path[1024];
    for (size_t i = 0; i < N_OF(files); i++) {
        snprintf(path, sizeof path, "%s/%s", workdir, files[i]);
        remove(path);
    }
    rmdir(workdir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
