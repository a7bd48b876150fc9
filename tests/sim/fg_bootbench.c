/*
 * fg_bootbench.c - times the paired bootstrap of vs_incumbent (issue 5).
 *
 * The bootstrap resamples cells, not rows (one multinomial draw over the cells per resample),
 * so its cost should not depend on the number of rows. Two counts tables with the same cells
 * and the same proportions, summing to 10 000 and to 10 000 000 rows, are evaluated with a
 * vs_incumbent gate of 2000 resamples; fg_gate_evaluate is timed (CLOCK_MONOTONIC, median of
 * 5 runs). The same gate without an incumbent (no bootstrap) shows what the rest costs.
 *
 * Cells: protected attributes a1 (4 values) and a2 (3 values), audited alone and as an
 * intersection, x y_true x candidate x incumbent: 4 x 3 x 2 x 2 x 2 = 96 cells.
 *
 *   fg_bootbench [--runs N]
 *
 * It prints figures and asserts nothing about time; exit 2 on error.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "counts.h"
#include "fairgate.h"
#include "gate.h"
#include "metrics.h"
#include "stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESAMPLES 2000
#define A1        4
#define A2        3
#define N_CELLS   (A1 * A2 * 8)
#define SHOWN     "a1=v1" /* the group whose worsening interval is printed */

static void die(const char *what, const struct fg_error *err)
{
    char buf[1400] = "";
    if (err != NULL)
        fg_error_format(err, buf, sizeof buf);
    fprintf(stderr, "fg_bootbench: %s%s%s\n", what, err != NULL ? ": " : "", buf);
    exit(2);
}

static struct fg_policy *policy_of(bool incumbent)
{
    char text[2048];
    int len = snprintf(
        text, sizeof text,
        "version: 1\n"
        "name: bootbench\n"
        "data: {label: y, positive_label: \"1\", protected: [a1, a2], intersections: [[a1, a2]], "
        "candidate: {prediction: c}, %sfavorable_prediction: \"1\"}\n"
        "gates:\n"
        "  - {id: reg, metric: selection_rate, disparity: ratio, min: 0.8, "
        "vs_incumbent: {max_worsening: 0.02}, bootstrap: {resamples: %d, seed: 7}}\n",
        incumbent ? "incumbent: {prediction: i}, " : "", RESAMPLES);
    struct fg_policy *policy = NULL;
    struct fg_error err;
    if (len < 0 || (size_t)len >= sizeof text)
        die("policy text too long", NULL);
    if (fg_policy_parse("bootbench.yaml", text, (size_t)len, &policy, &err) != FG_OK)
        die("fg_policy_parse", &err);
    return policy;
}

/* The cell weights, summing to 10 000: a candidate that selects group a1=v0 less often than
 * the incumbent does, y correlated with both decisions. Deterministic. */
static void cell_weights(uint64_t weights[N_CELLS])
{
    struct fg_rng rng;
    fg_rng_seed(&rng, 11);
    double raw[N_CELLS], sum = 0;
    for (size_t k = 0; k < N_CELLS; k++) {
        size_t a1 = k / (A2 * 8);
        unsigned y = k & 1u, c = (k >> 1) & 1u, i = (k >> 2) & 1u;
        double w = 0.5 + fg_rng_uniform(&rng);
        w *= (c == i) ? 4.0 : 1.0;       /* the models mostly agree */
        w *= (y == c) ? 2.0 : 1.0;       /* and are better than chance */
        w *= (a1 == 0 && c) ? 0.7 : 1.0; /* the candidate selects a1=v0 less */
        raw[k] = w;
        sum += w;
    }
    /* Largest remainder to 10 000 exactly; every cell keeps at least one row. */
    uint64_t total = 0;
    double rem[N_CELLS];
    for (size_t k = 0; k < N_CELLS; k++) {
        double x = raw[k] / sum * 10000.0;
        weights[k] = (uint64_t)x ? (uint64_t)x : 1;
        rem[k] = x - (double)weights[k];
        total += weights[k];
    }
    while (total < 10000) {
        size_t best = 0;
        for (size_t k = 1; k < N_CELLS; k++)
            if (rem[k] > rem[best])
                best = k;
        weights[best]++;
        rem[best] -= 1.0;
        total++;
    }
    if (total != 10000)
        die("cell weights do not sum to 10000", NULL);
}

static struct fg_counts *counts_of(const uint64_t weights[N_CELLS], uint64_t scale, bool incumbent)
{
    struct fg_counts *counts = NULL;
    struct fg_error err;
    if (fg_counts_new(2, incumbent, &counts, &err) != FG_OK)
        die("fg_counts_new", &err);
    for (size_t k = 0; k < N_CELLS; k++) {
        char v1[8], v2[8];
        uint32_t ids[2];
        snprintf(v1, sizeof v1, "v%zu", k / (A2 * 8));
        snprintf(v2, sizeof v2, "w%zu", (k / 8) % A2);
        if (fg_counts_intern(counts, 0, v1, strlen(v1), &ids[0], &err) != FG_OK ||
            fg_counts_intern(counts, 1, v2, strlen(v2), &ids[1], &err) != FG_OK)
            die("fg_counts_intern", &err);
        int y = (int)(k & 1u), c = (int)((k >> 1) & 1u), i = incumbent ? (int)((k >> 2) & 1u) : 0;
        if (fg_counts_add(counts, ids, y, c, i, weights[k] * scale, &err) != FG_OK)
            die("fg_counts_add", &err);
    }
    return counts;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct timing {
    double seconds; /* median of the runs */
    size_t cells, groups, attrsets;
    double low, high, worsening; /* of group SHOWN */
    bool has_interval;
};

/* Median time of fg_gate_evaluate over runs. */
static struct timing time_evaluate(const struct fg_policy *policy, const struct fg_counts *counts,
                                   int runs)
{
    struct timing t = {0};
    struct fg_metrics *m = NULL;
    struct fg_error err;
    if (fg_metrics_compute(policy, counts, &m, &err) != FG_OK)
        die("fg_metrics_compute", &err);
    double times[64];
    for (int r = 0; r < runs; r++) {
        struct fg_evaluation *ev = NULL;
        double t0 = now();
        if (fg_gate_evaluate(policy, m, &ev, &err) != FG_OK)
            die("fg_gate_evaluate", &err);
        times[r] = now() - t0;
        if (r == 0) {
            const struct fg_gate_outcome *o = &ev->outcomes[0];
            for (size_t j = 0; j < o->n_results && !t.has_interval; j++) {
                const struct fg_gate_result *res = &o->results[j];
                if (res->has_worsening_ci && strcmp(m->groups[res->group].label, SHOWN) == 0) {
                    t.has_interval = true;
                    t.low = res->worsening_low;
                    t.high = res->worsening_high;
                    t.worsening = res->worsening;
                }
            }
        }
        fg_evaluation_free(ev);
    }
    qsort(times, (size_t)runs, sizeof times[0], by_value);
    t.seconds = times[runs / 2];
    t.cells = fg_counts_cell_count(counts);
    t.groups = m->n_groups;
    t.attrsets = m->n_attrsets;
    fg_metrics_free(m);
    return t;
}

int main(int argc, char **argv)
{
    int runs = 5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
            if (runs < 1 || runs > 64)
                die("--runs needs a number from 1 to 64", NULL);
        } else {
            fprintf(stderr, "usage: fg_bootbench [--runs N]\n");
            return 2;
        }
    }
    uint64_t weights[N_CELLS];
    cell_weights(weights);
    for (int with_incumbent = 1; with_incumbent >= 0; with_incumbent--) {
        struct fg_policy *policy = policy_of(with_incumbent);
        struct fg_counts *small = counts_of(weights, 1, with_incumbent);
        struct fg_counts *large = counts_of(weights, 1000, with_incumbent);
        struct timing ts = time_evaluate(policy, small, runs);
        struct timing tl = time_evaluate(policy, large, runs);
        if (with_incumbent)
            printf("bootstrap %d resamples, %zu cells, %zu attribute sets, %zu groups: ", RESAMPLES,
                   ts.cells, ts.attrsets, ts.groups);
        else
            printf("no incumbent (no bootstrap), %zu cells, %zu attribute sets, %zu groups: ",
                   ts.cells, ts.attrsets, ts.groups);
        printf("10k rows %.6f s, 10M rows %.6f s, ratio %.2f (median of %d)\n", ts.seconds,
               tl.seconds, tl.seconds / (ts.seconds > 0 ? ts.seconds : 1e-9), runs);
        if (ts.has_interval && tl.has_interval)
            printf("  worsening of %s: 10k rows %.4f [%.4f, %.4f], 10M rows %.4f [%.4f, %.4f]\n",
                   SHOWN, ts.worsening, ts.low, ts.high, tl.worsening, tl.low, tl.high);
        fg_counts_free(small);
        fg_counts_free(large);
        fg_policy_free(policy);
    }
    return 0;
}
