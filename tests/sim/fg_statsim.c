/*
 * fg_statsim.c - Monte Carlo checks of fairgate's statistics through the real API (issue 5).
 *
 * Every "dataset" is a cell table drawn from binomials or a multinomial with known true rates
 * (fg_rng_* of lib/stats.h, seeded: the same seed gives the same table). Each one goes through
 * the library as a CSV would: fg_policy_parse (a YAML string), fg_counts_new / _intern / _add,
 * fg_metrics_compute, fg_gate_evaluate; the figures are read from struct fg_evaluation.
 *
 *   0) the generator itself: means and variances of fg_rng_binomial in both of its regimes
 *   a) false-fail rate of a significant four-fifths gate under equal true rates (2 groups;
 *      4 groups with Holm, against the highest group and against a fixed reference)
 *                                                              check: <= alpha + 3 MCSE
 *   b) power of that gate at a true ratio of 0.70              check: > 0.5
 *   c) point and confident under the null of a), and all three modes at the boundary (true
 *      ratio 0.80), report only; check: confident >= point >= significant, per dataset
 *   d) Wilson coverage (fg_stats_wilson, and once through the audit JSON)
 *   e) Katz coverage of a ratio, Newcombe coverage of a difference (explicit reference); the
 *      gate's interval of |p_a - p_b| is Newcombe's folded, conservative by construction, so
 *      it is checked one-sided (>= 0.95 - tol - 3 MCSE), Newcombe's own signed interval
 *      two-sided
 *   f) paired bootstrap coverage of the worsening against the incumbent
 *   coverage checks: |coverage - 0.95| <= tol + 3 MCSE, tol 0.02 (0.03 for the bootstrap)
 *
 * MCSE is the Monte Carlo standard error sqrt(r (1 - r) / N) of an observed rate r.
 *
 *   fg_statsim [--datasets N] [--seed S] [--fast]
 *
 * --datasets N: datasets per scenario (default 1000; with --fast 200, and 100 for the
 * bootstrap); an explicit N applies to every scenario. Exit 0 when every check passes, 1
 * when one fails, 2 on error. The table goes to standard output (the same bytes for the same
 * arguments), the elapsed time to standard error.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "counts.h"
#include "fairgate.h"
#include "gate.h"
#include "metric.h"
#include "metrics.h"
#include "policy.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEVEL 0.95
#define ALPHA 0.05

static unsigned failed_checks, checks;

/* ---- errors and the table ---- */

static void die(const char *what, const struct fg_error *err)
{
    char buf[1400] = "";
    if (err != NULL)
        fg_error_format(err, buf, sizeof buf);
    fprintf(stderr, "fg_statsim: %s%s%s\n", what, err != NULL ? ": " : "", buf);
    exit(2);
}

static double mcse(double rate, long n)
{
    return sqrt(rate * (1.0 - rate) / (double)n);
}

enum verdict { REPORT, PASS, FAIL };

static void header(void)
{
    printf("%-50s %8s %9s %8s %8s  %-32s %s\n", "scenario", "datasets", "observed", "mcse",
           "nominal", "check", "result");
    printf("%-50s %8s %9s %8s %8s  %-32s %s\n", "--------", "--------", "--------", "----",
           "-------", "-----", "------");
}

/* One line of the table; verdict REPORT prints "-" and is not a check. */
static void row(const char *name, long n, double observed, double se, const char *nominal,
                const char *check, enum verdict v)
{
    if (v != REPORT) {
        checks++;
        failed_checks += v == FAIL;
    }
    printf("%-50s %8ld %9.4f %8.4f %8s  %-32s %s\n", name, n, observed, se, nominal, check,
           v == REPORT ? "-"
           : v == PASS ? "PASS"
                       : "FAIL");
    fflush(stdout);
}

static enum verdict verdict_of(bool ok)
{
    return ok ? PASS : FAIL;
}

/* |coverage - 0.95| <= tol + 3 MCSE */
static void coverage_row(const char *name, long n, long covered, double tol)
{
    double r = (double)covered / (double)n, se = mcse(r, n);
    char check[40];
    snprintf(check, sizeof check, "|x-0.95|<=%.2f+3se", tol);
    row(name, n, r, se, "0.95", check, verdict_of(fabs(r - LEVEL) <= tol + 3.0 * se));
}

/* coverage >= 0.95 - tol - 3 MCSE: for an interval that is conservative by construction */
static void conservative_row(const char *name, long n, long covered, double tol)
{
    double r = (double)covered / (double)n, se = mcse(r, n);
    char check[40];
    snprintf(check, sizeof check, "x>=0.95-%.2f-3se", tol);
    row(name, n, r, se, ">=0.95", check, verdict_of(r >= LEVEL - tol - 3.0 * se));
}

/* ---- the library, as a caller uses it ---- */

#define DATA_HEAD                                                                                  \
    "version: 1\n"                                                                                 \
    "name: sim\n"                                                                                  \
    "data: {label: y, positive_label: \"1\", protected: [g], candidate: {prediction: c}, "

static struct fg_policy *policy_of(const char *gates, bool incumbent)
{
    char text[4096];
    int len = snprintf(text, sizeof text, "%s%sfavorable_prediction: \"1\"}\ngates:\n%s", DATA_HEAD,
                       incumbent ? "incumbent: {prediction: i}, " : "", gates);
    if (len < 0 || (size_t)len >= sizeof text)
        die("policy text too long", NULL);
    struct fg_policy *policy = NULL;
    struct fg_error err;
    if (fg_policy_parse("sim.yaml", text, (size_t)len, &policy, &err) != FG_OK)
        die("fg_policy_parse", &err);
    return policy;
}

/* One dataset on its way through the library. */
struct run {
    struct fg_counts *counts;
    struct fg_metrics *metrics;
    struct fg_evaluation *ev;
    uint32_t ids[8]; /* value ids of attribute g, by group index */
};

static const char *const group_names[] = {"a", "b", "c", "d"};

static void run_start(struct run *r, size_t groups, bool incumbent)
{
    struct fg_error err;
    memset(r, 0, sizeof *r);
    if (fg_counts_new(1, incumbent, &r->counts, &err) != FG_OK)
        die("fg_counts_new", &err);
    for (size_t k = 0; k < groups; k++)
        if (fg_counts_intern(r->counts, 0, group_names[k], strlen(group_names[k]), &r->ids[k],
                             &err) != FG_OK)
            die("fg_counts_intern", &err);
}

static void run_add(struct run *r, size_t group, int y, int c, int i, uint64_t n)
{
    struct fg_error err;
    if (n > 0 && fg_counts_add(r->counts, &r->ids[group], y, c, i, n, &err) != FG_OK)
        die("fg_counts_add", &err);
}

static void run_evaluate(struct run *r, const struct fg_policy *policy)
{
    struct fg_error err;
    if (fg_metrics_compute(policy, r->counts, &r->metrics, &err) != FG_OK)
        die("fg_metrics_compute", &err);
    if (fg_gate_evaluate(policy, r->metrics, &r->ev, &err) != FG_OK)
        die("fg_gate_evaluate", &err);
}

static void run_end(struct run *r)
{
    fg_evaluation_free(r->ev);
    fg_metrics_free(r->metrics);
    fg_counts_free(r->counts);
    memset(r, 0, sizeof *r);
}

static bool gate_failed(const struct run *r, size_t gate)
{
    return r->ev->outcomes[gate].status == FG_RESULT_FAIL;
}

/* The result of gate for group g=<name>, or die. */
static const struct fg_gate_result *result_of(const struct run *r, size_t gate, const char *name)
{
    const struct fg_gate_outcome *o = &r->ev->outcomes[gate];
    for (size_t j = 0; j < o->n_results; j++) {
        const struct fg_group *g = &r->metrics->groups[o->results[j].group];
        if (g->n_values == 1 && strcmp(g->values[0], name) == 0)
            return &o->results[j];
    }
    fprintf(stderr, "fg_statsim: gate '%s' has no result for g=%s\n", o->spec->id, name);
    exit(2);
}

/* Groups of n rows each; group k selects Binomial(n, p[k]) of them (y is 0 throughout: the
 * selection rate does not read it). */
static void draw_groups(struct run *r, struct fg_rng *rng, size_t groups, const double *p,
                        uint64_t n)
{
    run_start(r, groups, false);
    for (size_t k = 0; k < groups; k++) {
        uint64_t x = fg_rng_binomial(rng, n, p[k]);
        run_add(r, k, 0, 1, 0, x);
        run_add(r, k, 0, 0, 0, n - x);
    }
}

static void seed_scenario(struct fg_rng *rng, uint64_t seed, uint64_t scenario)
{
    fg_rng_seed(rng, seed ^ (scenario * UINT64_C(0x9E3779B97F4A7C15)));
}

/* ---- 0) the generator ---- */

static void sim_rng(uint64_t seed, long datasets)
{
    static const struct {
        uint64_t n;
        double p;
        const char *regime;
    } cases[] = {{500, 0.3, "BTRS"}, {100, 0.05, "inversion"}};
    struct fg_rng rng;
    seed_scenario(&rng, seed, 1);
    long draws = datasets * 10;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double n = (double)cases[c].n, p = cases[c].p, sum = 0, sumsq = 0;
        for (long k = 0; k < draws; k++) {
            double x = (double)fg_rng_binomial(&rng, cases[c].n, p);
            sum += x;
            sumsq += x * x;
        }
        double mean = sum / (double)draws, var = (sumsq - sum * mean) / (double)(draws - 1);
        double true_var = n * p * (1 - p), se_mean = sqrt(true_var / (double)draws);
        /* The variance of a sample variance: sigma^4 (2 / (N - 1) + kurtosis excess / N). */
        double excess = (1 - 6 * p * (1 - p)) / true_var;
        double se_var = true_var * sqrt(2.0 / (double)(draws - 1) + excess / (double)draws);
        char name[64], nominal[16];
        snprintf(name, sizeof name, "0) rng binomial(%" PRIu64 ",%.2f) %s: mean", cases[c].n, p,
                 cases[c].regime);
        snprintf(nominal, sizeof nominal, "%.4f", n * p);
        row(name, draws, mean, se_mean, nominal, "|x-np|<=3se",
            verdict_of(fabs(mean - n * p) <= 3 * se_mean));
        snprintf(name, sizeof name, "0) rng binomial(%" PRIu64 ",%.2f) %s: variance", cases[c].n, p,
                 cases[c].regime);
        snprintf(nominal, sizeof nominal, "%.4f", true_var);
        row(name, draws, var, se_var, nominal, "|x-npq|<=3se",
            verdict_of(fabs(var - true_var) <= 3 * se_var));
    }
}

/* ---- a, b, c) four-fifths gates in the three evidence modes ---- */

static const char modes_gates[] =
    "  - {id: sig, metric: selection_rate, disparity: ratio, min: 0.8, evidence: significant}\n"
    "  - {id: point, metric: selection_rate, disparity: ratio, min: 0.8, evidence: point}\n"
    "  - {id: conf, metric: selection_rate, disparity: ratio, min: 0.8, evidence: confident}\n";
enum { GATE_SIG, GATE_POINT, GATE_CONF };

/* Two groups of n with true selection rates p_a, p_b: fail rates of the three gates. */
static void sim_modes(uint64_t seed, uint64_t scenario, long datasets, double pa, double pb,
                      uint64_t n, long fails[3], long *disorder)
{
    struct fg_policy *policy = policy_of(modes_gates, false);
    struct fg_rng rng;
    seed_scenario(&rng, seed, scenario);
    const double p[2] = {pa, pb};
    fails[0] = fails[1] = fails[2] = *disorder = 0;
    for (long d = 0; d < datasets; d++) {
        struct run r;
        draw_groups(&r, &rng, 2, p, n);
        run_evaluate(&r, policy);
        bool f[3];
        for (size_t g = 0; g < 3; g++)
            fails[g] += f[g] = gate_failed(&r, g);
        *disorder += (f[GATE_SIG] && !f[GATE_POINT]) || (f[GATE_POINT] && !f[GATE_CONF]);
        run_end(&r);
    }
    fg_policy_free(policy);
}

static void sim_four_fifths(uint64_t seed, long datasets)
{
    long fails[3], disorder;
    double r, se;
    char check[40];

    sim_modes(seed, 2, datasets, 0.3, 0.3, 500, fails, &disorder);
    r = (double)fails[GATE_SIG] / (double)datasets;
    se = mcse(r, datasets);
    row("a) null 2x500 @0.30, significant: false fails", datasets, r, se, "<=0.05", "x<=0.05+3se",
        verdict_of(r <= ALPHA + 3 * se));
    r = (double)fails[GATE_POINT] / (double)datasets;
    row("c) null 2x500 @0.30, point: fails", datasets, r, mcse(r, datasets), "-", "report", REPORT);
    r = (double)fails[GATE_CONF] / (double)datasets;
    row("c) null 2x500 @0.30, confident: fails", datasets, r, mcse(r, datasets), "-", "report",
        REPORT);
    snprintf(check, sizeof check, "conf>=point>=sig (%ld/%ld/%ld)", fails[GATE_CONF],
             fails[GATE_POINT], fails[GATE_SIG]);
    r = (double)disorder / (double)datasets;
    row("c) null: datasets out of mode order", datasets, r, mcse(r, datasets), "0", check,
        verdict_of(fails[GATE_CONF] >= fails[GATE_POINT] && fails[GATE_POINT] >= fails[GATE_SIG] &&
                   disorder == 0));

    /* Four groups: the family is three comparisons against the highest group. */
    struct fg_policy *policy =
        policy_of("  - {id: holm, metric: selection_rate, disparity: ratio, min: 0.8, evidence: "
                  "significant, correction: holm}\n"
                  "  - {id: none, metric: selection_rate, disparity: ratio, min: 0.8, evidence: "
                  "significant, correction: none}\n"
                  "  - {id: expl, metric: selection_rate, disparity: ratio, min: 0.8, evidence: "
                  "significant, correction: holm, reference: {g: a}}\n"
                  "  - {id: btw, metric: selection_rate, disparity: ratio, min: 0.8, evidence: "
                  "significant, reference: between_groups}\n",
                  false);
    struct fg_rng rng;
    seed_scenario(&rng, seed, 3);
    const double p4[4] = {0.3, 0.3, 0.3, 0.3};
    long holm = 0, none = 0, explicit_ref = 0, between = 0;
    for (long d = 0; d < datasets; d++) {
        struct run run;
        draw_groups(&run, &rng, 4, p4, 500);
        run_evaluate(&run, policy);
        holm += gate_failed(&run, 0);
        none += gate_failed(&run, 1);
        explicit_ref += gate_failed(&run, 2);
        between += gate_failed(&run, 3);
        run_end(&run);
    }
    fg_policy_free(policy);
    r = (double)holm / (double)datasets;
    se = mcse(r, datasets);
    row("a) null 4x500 @0.30, signif.+holm: false fails", datasets, r, se, "<=0.05", "x<=0.05+3se",
        verdict_of(r <= ALPHA + 3 * se));
    r = (double)none / (double)datasets;
    row("a) null 4x500 @0.30, significant, no correction", datasets, r, mcse(r, datasets), "-",
        "report", REPORT);
    /* The same family against a reference fixed in advance, not chosen as the highest. */
    r = (double)explicit_ref / (double)datasets;
    se = mcse(r, datasets);
    row("a) null 4x500 @0.30, signif.+holm, reference g=a", datasets, r, se, "<=0.05",
        "x<=0.05+3se", verdict_of(r <= ALPHA + 3 * se));
    /* between_groups: one comparison, the lowest group against the highest. */
    r = (double)between / (double)datasets;
    row("a) null 4x500 @0.30, signif., between_groups", datasets, r, mcse(r, datasets), "-",
        "report", REPORT);

    sim_modes(seed, 4, datasets, 0.21, 0.30, 500, fails, &disorder);
    r = (double)fails[GATE_SIG] / (double)datasets;
    row("b) power, ratio 0.70 (0.21/0.30) 2x500, signif.", datasets, r, mcse(r, datasets), ">0.5",
        "x>0.5", verdict_of(r > 0.5));
    r = (double)fails[GATE_POINT] / (double)datasets;
    row("b) power, ratio 0.70, point", datasets, r, mcse(r, datasets), "-", "report", REPORT);
    r = (double)fails[GATE_CONF] / (double)datasets;
    row("b) power, ratio 0.70, confident", datasets, r, mcse(r, datasets), "-", "report", REPORT);

    sim_modes(seed, 5, datasets, 0.24, 0.30, 500, fails, &disorder);
    static const char *const names[3] = {"c) boundary, ratio 0.80 (0.24/0.30), significant",
                                         "c) boundary, ratio 0.80, point",
                                         "c) boundary, ratio 0.80, confident"};
    for (size_t g = 0; g < 3; g++) {
        r = (double)fails[g] / (double)datasets;
        row(names[g], datasets, r, mcse(r, datasets), "-", "report", REPORT);
    }
}

/* ---- d) Wilson ---- */

/* The candidate's selection_rate_ci of group label in the audit JSON. */
static bool audit_interval(const char *json, const char *label, double *low, double *high)
{
    cJSON *root = cJSON_Parse(json);
    bool ok = false;
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(root, "groups"))
    {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(g, "label");
        if (!cJSON_IsString(l) || strcmp(l->valuestring, label) != 0)
            continue;
        const cJSON *cand = cJSON_GetObjectItemCaseSensitive(g, "candidate");
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(cand, "selection_rate_ci");
        if (cJSON_GetArraySize(ci) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) &&
            cJSON_IsNumber(cJSON_GetArrayItem(ci, 1))) {
            *low = cJSON_GetArrayItem(ci, 0)->valuedouble;
            *high = cJSON_GetArrayItem(ci, 1)->valuedouble;
            ok = true;
        }
        break;
    }
    cJSON_Delete(root);
    return ok;
}

static void sim_wilson(uint64_t seed, long datasets)
{
    static const struct {
        double p;
        uint64_t n;
    } cases[] = {{0.3, 500}, {0.05, 100}, {0.5, 30}, {0.1, 50}};
    struct fg_rng rng;
    seed_scenario(&rng, seed, 6);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        long covered = 0;
        for (long d = 0; d < datasets; d++) {
            uint64_t x = fg_rng_binomial(&rng, cases[c].n, cases[c].p);
            struct fg_interval ci = fg_stats_wilson(x, cases[c].n, LEVEL);
            covered += ci.low <= cases[c].p && cases[c].p <= ci.high;
        }
        char name[64];
        snprintf(name, sizeof name, "d) Wilson p=%.2f n=%" PRIu64 ": coverage", cases[c].p,
                 cases[c].n);
        coverage_row(name, datasets, covered, 0.02);
    }

    /* The same interval as the audit JSON carries it (groups[].candidate.selection_rate_ci),
     * which must also equal fg_stats_wilson for the group's counts. */
    struct fg_policy *policy =
        policy_of("  - {id: ff, metric: selection_rate, disparity: ratio, min: 0.8}\n", false);
    seed_scenario(&rng, seed, 7);
    const double p[2] = {0.3, 0.3};
    long covered = 0, mismatched = 0;
    for (long d = 0; d < datasets; d++) {
        struct run r;
        draw_groups(&r, &rng, 2, p, 500);
        run_evaluate(&r, policy);
        struct fg_ingest_result ingest;
        memset(&ingest, 0, sizeof ingest);
        snprintf(ingest.candidate.path, sizeof ingest.candidate.path, "sim.csv");
        struct fg_audit_inputs inputs = {
            .policy_path = "sim.yaml", .ingest = &ingest, .created = 0};
        char *json = NULL;
        struct fg_error err;
        if (fg_audit_render(policy, r.metrics, r.ev, &inputs, &json, &err) != FG_OK)
            die("fg_audit_render", &err);
        double low, high;
        if (!audit_interval(json, "g=a", &low, &high))
            die("the audit has no selection_rate_ci for g=a", NULL);
        free(json);
        const struct fg_group *ga = NULL;
        for (size_t i = 0; i < r.metrics->n_groups; i++)
            if (r.metrics->groups[i].n_values == 1 &&
                strcmp(r.metrics->groups[i].values[0], "a") == 0)
                ga = &r.metrics->groups[i];
        struct fg_rate rate = fg_metric_rate(FG_METRIC_SELECTION_RATE, &ga->candidate);
        struct fg_interval direct = fg_stats_wilson(rate.num, rate.den, LEVEL);
        mismatched += fabs(direct.low - low) > 1e-12 || fabs(direct.high - high) > 1e-12;
        covered += low <= 0.3 && 0.3 <= high;
        run_end(&r);
    }
    fg_policy_free(policy);
    coverage_row("d) Wilson via audit JSON, g=a p=0.30 n=500", datasets, covered, 0.02);
    char check[40];
    snprintf(check, sizeof check, "0 (%ld mismatched)", mismatched);
    row("d) audit interval == fg_stats_wilson", datasets, (double)mismatched / (double)datasets, 0,
        "0", check, verdict_of(mismatched == 0));
}

/* ---- e) Katz and Newcombe, through ratio and difference gates ---- */

static void sim_katz_newcombe(uint64_t seed, long datasets)
{
    static const struct {
        double pa, pb;
        uint64_t n;
    } cases[] = {{0.24, 0.30, 500}, {0.10, 0.20, 100}, {0.45, 0.60, 40}};
    struct fg_policy *policy = policy_of(
        "  - {id: katz, metric: selection_rate, disparity: ratio, min: 0.8, reference: {g: b}}\n"
        "  - {id: newc, metric: selection_rate, disparity: difference, max: 0.1, reference: {g: "
        "b}}\n",
        false);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct fg_rng rng;
        seed_scenario(&rng, seed, 8 + c);
        const double p[2] = {cases[c].pa, cases[c].pb};
        const double ratio = cases[c].pa / cases[c].pb, diff = fabs(cases[c].pa - cases[c].pb);
        long katz = 0, newcombe = 0, signed_cov = 0, missing = 0;
        for (long d = 0; d < datasets; d++) {
            struct run r;
            draw_groups(&r, &rng, 2, p, cases[c].n);
            run_evaluate(&r, policy);
            const struct fg_gate_result *k = result_of(&r, 0, "a"), *w = result_of(&r, 1, "a");
            missing += !k->has_ci || !w->has_ci;
            katz += k->has_ci && k->ci_low <= ratio && ratio <= k->ci_high;
            newcombe += w->has_ci && w->ci_low <= diff && diff <= w->ci_high;
            /* Newcombe's own interval of p_a - p_b, before gate.c folds it into |.|. */
            struct fg_interval s = fg_stats_newcombe(
                w->candidate.group_rate.num, w->candidate.group_rate.den,
                w->candidate.reference_rate.num, w->candidate.reference_rate.den, LEVEL);
            signed_cov += s.low <= cases[c].pa - cases[c].pb && cases[c].pa - cases[c].pb <= s.high;
            run_end(&r);
        }
        if (missing > 0)
            fprintf(stderr, "fg_statsim: e) %ld datasets without an interval (counted as misses)\n",
                    missing);
        char name[64];
        snprintf(name, sizeof name, "e) Katz ratio %.2f/%.2f 2x%" PRIu64 ": coverage", cases[c].pa,
                 cases[c].pb, cases[c].n);
        coverage_row(name, datasets, katz, 0.02);
        /* gate.c folds Newcombe's interval of p_a - p_b into one of |p_a - p_b|: where it
         * straddles 0 it becomes [0, max(-low, high)], which covers more than 95% (the
         * more so the closer |p_a - p_b| is to 0); so this one is checked one-sided. */
        snprintf(name, sizeof name, "e) Newcombe |diff| %.2f-%.2f 2x%" PRIu64 ": cov.", cases[c].pb,
                 cases[c].pa, cases[c].n);
        conservative_row(name, datasets, newcombe, 0.02);
        snprintf(name, sizeof name, "e) Newcombe signed %.2f-%.2f 2x%" PRIu64 ": cov.", cases[c].pa,
                 cases[c].pb, cases[c].n);
        coverage_row(name, datasets, signed_cov, 0.02);
    }
    fg_policy_free(policy);
}

/* ---- f) the paired bootstrap of vs_incumbent ---- */

/* A joint distribution over (group, candidate, incumbent), in integer weights out of 10 000
 * (fg_rng_multinomial takes counts): candidate and incumbent agree on most rows. */
struct joint_cell {
    size_t group;
    int candidate, incumbent;
    uint64_t weight;
};
static const struct joint_cell joint[] = {
    /* g=a: candidate 0.22, incumbent 0.25 */
    {0, 1, 1, 900},
    {0, 1, 0, 200},
    {0, 0, 1, 350},
    {0, 0, 0, 3550},
    /* g=b (the reference): candidate 0.30, incumbent 0.30 */
    {1, 1, 1, 1200},
    {1, 1, 0, 300},
    {1, 0, 1, 300},
    {1, 0, 0, 3200},
};
#define N_JOINT (sizeof joint / sizeof joint[0])

/* The true selection rate of one group for one model. */
static double joint_rate(size_t group, bool incumbent)
{
    uint64_t num = 0, den = 0;
    for (size_t k = 0; k < N_JOINT; k++) {
        if (joint[k].group != group)
            continue;
        den += joint[k].weight;
        num += (incumbent ? joint[k].incumbent : joint[k].candidate) ? joint[k].weight : 0;
    }
    return (double)num / (double)den;
}

static void sim_bootstrap(uint64_t seed, long datasets)
{
    const uint64_t rows = 4000, resamples = 400;
    char gate[512];
    snprintf(gate, sizeof gate,
             "  - {id: reg, metric: selection_rate, disparity: difference, reference: {g: b}, "
             "vs_incumbent: {max_worsening: 0.02}, bootstrap: {resamples: %" PRIu64
             ", seed: %" PRIu64 "}}\n",
             resamples, seed);
    struct fg_policy *policy = policy_of(gate, true);
    /* gate.c: deviation of a difference = |rate_g - rate_ref|; worsening = candidate
     * deviation - incumbent deviation, each model against its own reference rate. */
    const double truth = fabs(joint_rate(0, false) - joint_rate(1, false)) -
                         fabs(joint_rate(0, true) - joint_rate(1, true));
    uint64_t weights[N_JOINT], drawn[N_JOINT];
    for (size_t k = 0; k < N_JOINT; k++)
        weights[k] = joint[k].weight;
    struct fg_rng rng;
    seed_scenario(&rng, seed, 12);
    long covered = 0, missing = 0, above = 0, below = 0;
    double sum = 0, sumsq = 0;
    for (long d = 0; d < datasets; d++) {
        struct run r;
        run_start(&r, 2, true);
        fg_rng_multinomial(&rng, rows, weights, N_JOINT, drawn);
        for (size_t k = 0; k < N_JOINT; k++)
            run_add(&r, joint[k].group, 0, joint[k].candidate, joint[k].incumbent, drawn[k]);
        run_evaluate(&r, policy);
        const struct fg_gate_result *res = result_of(&r, 0, "a");
        if (!res->has_worsening || !res->has_worsening_ci) {
            missing++;
        } else {
            covered += res->worsening_low <= truth && truth <= res->worsening_high;
            above += res->worsening_low > truth;
            below += res->worsening_high < truth;
            sum += res->worsening;
            sumsq += res->worsening * res->worsening;
        }
        run_end(&r);
    }
    fg_policy_free(policy);
    if (missing > 0)
        fprintf(stderr, "fg_statsim: f) %ld datasets without a worsening interval (misses)\n",
                missing);
    char name[64];
    snprintf(name, sizeof name, "f) paired bootstrap B=%" PRIu64 ", %" PRIu64 " rows: cov.",
             resamples, rows);
    coverage_row(name, datasets, covered, 0.03);
    double r = (double)above / (double)datasets;
    row("f) interval entirely above the true worsening", datasets, r, mcse(r, datasets), "0.025",
        "report", REPORT);
    r = (double)below / (double)datasets;
    row("f) interval entirely below the true worsening", datasets, r, mcse(r, datasets), "0.025",
        "report", REPORT);
    long n = datasets - missing;
    if (n > 1) {
        double mean = sum / (double)n, sd = sqrt((sumsq - sum * mean) / (double)(n - 1));
        char nominal[16];
        snprintf(nominal, sizeof nominal, "%.4f", truth);
        row("f) worsening point estimate: mean", n, mean, sd / sqrt((double)n), nominal, "report",
            REPORT);
    }
}

/* ---- main ---- */

static bool parse_count(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    if (text == NULL || *text < '0' || *text > '9')
        return false;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: fg_statsim [--datasets N] [--seed S] [--fast]\n"
               "  --datasets N  datasets per scenario, 20 to 10000000 (default 1000; --fast: 200,\n"
               "                and 100 for the bootstrap)\n"
               "  --seed S      seed of every draw (default 20261202)\n"
               "  --fast        fewer datasets, for make check\n"
               "Exit 0 when every check passes, 1 when one fails, 2 on error.\n");
}

int main(int argc, char **argv)
{
    uint64_t seed = 20261202, datasets = 0;
    bool fast = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fast") == 0) {
            fast = true;
        } else if (strcmp(argv[i], "--datasets") == 0) {
            if (!parse_count(i + 1 < argc ? argv[++i] : NULL, &datasets) || datasets < 20 ||
                datasets > 10000000) {
                fprintf(stderr, "fg_statsim: --datasets needs a number from 20 to 10000000\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--seed") == 0) {
            if (!parse_count(i + 1 < argc ? argv[++i] : NULL, &seed)) {
                fprintf(stderr, "fg_statsim: --seed needs a non-negative integer\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    long n = datasets ? (long)datasets : fast ? 200 : 1000;
    long n_boot = datasets ? (long)datasets : fast ? 100 : 1000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    printf("fairgate statistics simulation: seed %" PRIu64 ", %ld datasets per scenario (%ld for "
           "the bootstrap), 95%% intervals, alpha %.2f\n\n",
           seed, n, n_boot, ALPHA);
    header();
    sim_rng(seed, n);
    sim_four_fifths(seed, n);
    sim_wilson(seed, n);
    sim_katz_newcombe(seed, n);
    sim_bootstrap(seed, n_boot);

    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("\n%u checks, %u failed: %s\n", checks, failed_checks, failed_checks ? "FAIL" : "PASS");
    fprintf(stderr, "fg_statsim: %.2f s\n",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return failed_checks ? 1 : 0;
}
