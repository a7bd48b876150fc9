/*
 * check_stats.c - unit tests of lib/stats.c: the normal distribution, intervals, tests and
 * p-value adjustments against published and independently computed vectors (the issue's,
 * scipy's and R's, and values from mpmath at 50 digits, quoted in full below), Fisher's
 * test against an exact brute-force enumeration, and the generator's sequence, moments
 * and goodness of fit.
 */
#include "stats.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* |got - want| <= tol * |want| */
#define ASSERT_REL(got, want, tol)                                                                 \
    do {                                                                                           \
        double got_ = (got), want_ = (want);                                                       \
        ck_assert_msg(fabs(got_ - want_) <= (tol)*fabs(want_), "%s = %.17g, want %.17g", #got,     \
                      got_, want_);                                                                \
    } while (0)

/* ---- standard normal ---- */

START_TEST(test_normal_quantile)
{
    ck_assert_double_eq_tol(fg_stats_normal_quantile(0.975), 1.959963984540054, 1e-12);
    ck_assert_double_eq_tol(fg_stats_normal_quantile(0.025), -1.959963984540054, 1e-12);
    /* mpmath: -sqrt(2) erfinv(1 - 2p) */
    ASSERT_REL(fg_stats_normal_quantile(1e-10), -6.3613409024040561991, 1e-13);
    ASSERT_REL(fg_stats_normal_quantile(0.3), -0.52440051270804081597, 1e-13);
    ASSERT_REL(fg_stats_normal_quantile(1e-300), -37.047096299361199237, 1e-13);
    ck_assert_double_eq(fg_stats_normal_quantile(0.5), 0.0);
    ck_assert(isinf(fg_stats_normal_quantile(0.0)) && fg_stats_normal_quantile(0.0) < 0);
    ck_assert(isinf(fg_stats_normal_quantile(1.0)) && fg_stats_normal_quantile(1.0) > 0);
    /* Round trip through the tail that has no cancellation, from 1e-300 to 1/2: an error
     * dx in x is a relative error of about |x| dx in Phi(x). The upper half is symmetric
     * up to the rounding of 1 - p. */
    for (double p = 1e-300; p < 0.5; p *= 7.0) {
        double x = fg_stats_normal_quantile(p);
        ASSERT_REL(fg_stats_normal_cdf(x), p, 1e-13 * (1.0 + fabs(x)));
        if (p > 1e-6)
            ASSERT_REL(fg_stats_normal_quantile(1.0 - p), -x, 1e-9);
    }
}
END_TEST

START_TEST(test_normal_cdf)
{
    const double xs[] = {0.0, 0.5, 1.0, 1.96, 3.0, 6.0, 9.5};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i];
        ck_assert_double_eq_tol(fg_stats_normal_cdf(x) + fg_stats_normal_cdf(-x), 1.0, 1e-15);
        ck_assert_double_eq(fg_stats_normal_sf(x), fg_stats_normal_cdf(-x));
        ck_assert_double_eq_tol(fg_stats_normal_sf(x) + fg_stats_normal_cdf(x), 1.0, 1e-15);
    }
    ck_assert_double_eq(fg_stats_normal_cdf(0.0), 0.5);
    ASSERT_REL(fg_stats_normal_sf(10.0), 7.619853024160526e-24, 1e-10);
    ASSERT_REL(fg_stats_normal_cdf(-1.0), 0.15865525393145705142, 1e-14);
}
END_TEST

/* ---- intervals ---- */

START_TEST(test_wilson)
{
    /* The vector [0.069508, 0.261862]; mpmath gives the full digits. */
    struct fg_interval ci = fg_stats_wilson(7, 50, 0.95);
    ck_assert_double_eq_tol(ci.low, 0.069508, 1e-6);
    ck_assert_double_eq_tol(ci.high, 0.261862, 1e-6);
    ASSERT_REL(ci.low, 0.069508334270162895, 1e-12);
    ASSERT_REL(ci.high, 0.26186193710585539, 1e-12);

    ci = fg_stats_wilson(0, 0, 0.95);
    ck_assert_double_eq(ci.low, 0.0);
    ck_assert_double_eq(ci.high, 1.0);
    ci = fg_stats_wilson(0, 10, 0.95);
    ck_assert_double_eq(ci.low, 0.0);
    ck_assert(ci.high > 0.2 && ci.high < 0.4); /* 0.2775 */
    ci = fg_stats_wilson(10, 10, 0.95);
    ck_assert_double_eq(ci.high, 1.0);
    ck_assert(ci.low > 0.6 && ci.low < 0.8);
    /* A wider level gives a wider interval. */
    struct fg_interval w90 = fg_stats_wilson(7, 50, 0.90), w99 = fg_stats_wilson(7, 50, 0.99);
    ck_assert(w99.low < w90.low && w99.high > w90.high);
}
END_TEST

START_TEST(test_katz)
{
    double ratio = 0.0;
    struct fg_interval ci = fg_stats_katz(10, 75, 12, 225, 0.95, &ratio);
    ck_assert_double_eq_tol(ratio, 2.5, 1e-12);
    ck_assert_double_eq_tol(ci.low, 1.1261564, 1e-6);
    ck_assert_double_eq_tol(ci.high, 5.5498508, 1e-6);
    ASSERT_REL(ci.low, 1.1261564003469628, 1e-12);
    ASSERT_REL(ci.high, 5.5498508005410333, 1e-12);
    ci = fg_stats_katz(10, 75, 12, 225, 0.95, NULL);
    ASSERT_REL(ci.low, 1.1261564003469628, 1e-12);
}
END_TEST

START_TEST(test_katz_zeros)
{
    double ratio = -1.0;
    /* x1 == 0: low 0, high with 0.5 for x1: exp(log((0.5/50)/(10/100)) + z sqrt(2 - 1/50 +
     * 1/10 - 1/100)) = 1.6775124733101513 (mpmath). */
    struct fg_interval ci = fg_stats_katz(0, 50, 10, 100, 0.95, &ratio);
    ck_assert_double_eq(ci.low, 0.0);
    ASSERT_REL(ci.high, 1.6775124733101513, 1e-12);
    ck_assert_double_eq(ratio, 0.0);
    /* x2 == 0 < x1: high +inf, low with 0.5 for x2 = 0.59612075374125243 (mpmath). */
    ci = fg_stats_katz(10, 100, 0, 50, 0.95, &ratio);
    ck_assert(isinf(ci.high) && ci.high > 0);
    ASSERT_REL(ci.low, 0.59612075374125243, 1e-12);
    ck_assert(isinf(ratio) && ratio > 0);
    /* both zero, or an empty group: [0, +inf), ratio 1 */
    const uint64_t empty[][4] = {{0, 50, 0, 100}, {0, 0, 5, 10}, {5, 10, 0, 0}, {0, 0, 0, 0}};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        ci = fg_stats_katz(empty[i][0], empty[i][1], empty[i][2], empty[i][3], 0.95, &ratio);
        ck_assert_double_eq(ci.low, 0.0);
        ck_assert(isinf(ci.high));
        ck_assert_double_eq(ratio, 1.0);
    }
}
END_TEST

START_TEST(test_newcombe)
{
    /* Newcombe 1998, Table II, 56/70 - 48/80, method 10: 0.0524 to 0.3339. */
    struct fg_interval ci = fg_stats_newcombe(56, 70, 48, 80, 0.95);
    ck_assert_double_eq_tol(ci.low, 0.0524, 1e-4);
    ck_assert_double_eq_tol(ci.high, 0.3339, 1e-4);
    ASSERT_REL(ci.low, 0.052431472402364878, 1e-12);
    ASSERT_REL(ci.high, 0.33387265403690598, 1e-12);
    /* Swapping the groups negates the interval. */
    struct fg_interval swapped = fg_stats_newcombe(48, 80, 56, 70, 0.95);
    ck_assert_double_eq_tol(swapped.low, -ci.high, 1e-15);
    ck_assert_double_eq_tol(swapped.high, -ci.low, 1e-15);

    ci = fg_stats_newcombe(3, 3, 0, 0, 0.95);
    ck_assert_double_eq(ci.low, -1.0);
    ck_assert_double_eq(ci.high, 1.0);
    ci = fg_stats_newcombe(0, 0, 4, 9, 0.95);
    ck_assert_double_eq(ci.low, -1.0);
    ck_assert_double_eq(ci.high, 1.0);
    ci = fg_stats_newcombe(10, 10, 0, 10, 0.95);
    ck_assert(ci.high <= 1.0 && ci.low > 0.5 && ci.low < ci.high);
}
END_TEST

/* No interval is ever NaN and low <= high, over every small table. */
START_TEST(test_intervals_never_nan)
{
    for (uint64_t n1 = 0; n1 <= 4; n1++)
        for (uint64_t x1 = 0; x1 <= n1; x1++)
            for (uint64_t n2 = 0; n2 <= 4; n2++)
                for (uint64_t x2 = 0; x2 <= n2; x2++) {
                    double ratio;
                    struct fg_interval k = fg_stats_katz(x1, n1, x2, n2, 0.95, &ratio);
                    struct fg_interval d = fg_stats_newcombe(x1, n1, x2, n2, 0.95);
                    struct fg_interval w = fg_stats_wilson(x1, n1, 0.95);
                    ck_assert(!isnan(k.low) && !isnan(k.high) && !isnan(ratio));
                    ck_assert(k.low >= 0 && k.low <= k.high);
                    ck_assert(!isnan(d.low) && !isnan(d.high));
                    ck_assert(d.low >= -1 && d.low <= d.high && d.high <= 1);
                    ck_assert(w.low >= 0 && w.low <= w.high && w.high <= 1);
                    double z, p = fg_stats_z_two_sided(x1, n1, x2, n2, &z);
                    ck_assert(!isnan(z) && p >= 0 && p <= 1);
                }
}
END_TEST

/* ---- Fisher's exact test ---- */

struct fisher_vector {
    uint64_t a, b, c, d;
    double p;
};

/* scipy.stats.fisher_exact / R fisher.test; 17/35, 4/39, 5/143, 2/252, 1. */
static const struct fisher_vector fisher_vectors[] = {
    {3, 1, 1, 3, 0.4857142857142857},
    {6, 2, 1, 4, 0.10256410256410256},
    {8, 2, 1, 5, 0.034965034965034965},
    {0, 5, 5, 0, 0.0079365079365079365},
    {1, 1, 1, 1, 1.0},
    {1, 3, 3, 1, 0.4857142857142857},
    {2, 6, 4, 1, 0.10256410256410256},
};

START_TEST(test_fisher_vectors)
{
    const struct fisher_vector *v = &fisher_vectors[_i];
    ASSERT_REL(fg_stats_fisher_two_sided(v->a, v->b, v->c, v->d), v->p, 1e-12);
    /* Transposing the table does not change the test. */
    ASSERT_REL(fg_stats_fisher_two_sided(v->a, v->c, v->b, v->d), v->p, 1e-12);
}
END_TEST

static uint64_t choose(uint64_t n, uint64_t k)
{
    uint64_t r = 1;
    for (uint64_t i = 1; i <= k; i++)
        r = r * (n - k + i) / i; /* exact: r * (n - k + i) is i * C(n - k + i, i) */
    return r;
}

/* The p-value by exact enumeration: P(k) = C(r1, k) C(r2, c1 - k) / C(n, c1), so the
 * numerators are integers and R's rule P(k) <= P(a) (1 + 1e-7) is the integer comparison
 * num(k) * 10^7 <= num(a) * (10^7 + 1). The sum of numerators is exact; one division. */
static double fisher_brute_force(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t r1 = a + b, r2 = c + d, c1 = a + c, n = r1 + r2;
    uint64_t lo = c1 > r2 ? c1 - r2 : 0, hi = r1 < c1 ? r1 : c1;
    uint64_t observed = choose(r1, a) * choose(r2, c);
    uint64_t sum = 0;
    for (uint64_t k = lo; k <= hi; k++) {
        uint64_t num = choose(r1, k) * choose(r2, c1 - k);
        if (num * 10000000u <= observed * 10000001u)
            sum += num;
    }
    return (double)sum / (double)choose(n, c1);
}

START_TEST(test_fisher_brute_force)
{
    /* Every table with cells in 0..7 (n <= 28, numerators below 2^24). */
    ASSERT_REL(fisher_brute_force(8, 2, 1, 5), 0.034965034965034965, 1e-15);
    ASSERT_REL(fisher_brute_force(3, 1, 1, 3), 17.0 / 35.0, 1e-15);
    for (uint64_t a = 0; a < 8; a++)
        for (uint64_t b = 0; b < 8; b++)
            for (uint64_t c = 0; c < 8; c++)
                for (uint64_t d = 0; d < 8; d++) {
                    double got = fg_stats_fisher_two_sided(a, b, c, d);
                    double want = fisher_brute_force(a, b, c, d);
                    ck_assert_msg(fabs(got - want) <= 1e-12 * want,
                                  "[[%d,%d],[%d,%d]]: %.17g, want %.17g", (int)a, (int)b, (int)c,
                                  (int)d, got, want);
                }
}
END_TEST

START_TEST(test_fisher_large)
{
    /* n = 2e7. mpmath at 40 digits, summing every table within 80 sd of the mode:
     * 7.7603384637615746965e-6. lgamma's ulp at 1e7 limits the agreement to ~1e-7. */
    double p = fg_stats_fisher_two_sided(5000000, 5000000, 4990000, 5010000);
    ck_assert(p >= 0.0 && p <= 1.0);
    ASSERT_REL(p, 7.7603384637615746965e-6, 1e-6);
    /* Asymptotically the z test: 7.7441e-6 (z = 4.4721). */
    double z, pz = fg_stats_z_two_sided(5000000, 10000000, 4990000, 10000000, &z);
    ASSERT_REL(z, 4.472138191069234, 1e-9);
    ASSERT_REL(p, pz, 1e-2);
    /* n = 2e5, mpmath: 5.3493331893906883759e-6 */
    ASSERT_REL(fg_stats_fisher_two_sided(60000, 40000, 59000, 41000), 5.3493331893906883759e-6,
               1e-9);
    /* Perfect separation: the p-value (2 / C(2e6, 1e6)) underflows to 0, not NaN. */
    p = fg_stats_fisher_two_sided(1000000, 0, 0, 1000000);
    ck_assert(!isnan(p));
    ck_assert_double_eq(p, 0.0);
    /* The observed table at the mode of a symmetric law. */
    ck_assert_double_eq(fg_stats_fisher_two_sided(5000000, 5000000, 5000000, 5000000), 1.0);
    /* A zero margin: one table only. */
    ck_assert_double_eq(fg_stats_fisher_two_sided(0, 0, 7, 9), 1.0);
    ck_assert_double_eq(fg_stats_fisher_two_sided(0, 0, 0, 0), 1.0);
}
END_TEST

START_TEST(test_log_factorial)
{
    ck_assert_double_eq(fg_stats_log_factorial(0), 0.0);
    ck_assert_double_eq(fg_stats_log_factorial(1), 0.0);
    ASSERT_REL(fg_stats_log_factorial(5), log(120.0), 1e-15);
    ASSERT_REL(fg_stats_log_factorial(20), log(2432902008176640000.0), 1e-15);
    ASSERT_REL(fg_stats_log_factorial(10000000), 151180965.48756956490, 1e-15); /* mpmath */
}
END_TEST

/* ---- z and score tests ---- */

START_TEST(test_z_test)
{
    /* 30/100 vs 45/100 by hand: pooled p = 75/200 = 0.375, se = sqrt(.375 * .625 * (1/100 +
     * 1/100)) = 0.0684653, z = (0.30 - 0.45) / se = -2.1909, p = 2 (1 - Phi(2.1909)) =
     * 0.02846; mpmath gives -2.1908902300206645 and 0.028459736916310577. */
    double z = 0.0, p = fg_stats_z_two_sided(30, 100, 45, 100, &z);
    ck_assert_double_eq_tol(z, -2.1909, 1e-4);
    ck_assert_double_eq_tol(p, 0.02846, 1e-4);
    ASSERT_REL(z, -2.1908902300206645, 1e-13);
    ASSERT_REL(p, 0.028459736916310577, 1e-12);
    ASSERT_REL(fg_stats_z_two_sided(45, 100, 30, 100, &z), 0.028459736916310577, 1e-12);
    ck_assert(z > 0);
    /* zero pooled variance and empty groups: p = 1, z = 0 */
    const uint64_t flat[][4] = {{0, 10, 0, 20}, {10, 10, 20, 20}, {0, 0, 3, 9}, {3, 9, 0, 0}};
    for (size_t i = 0; i < sizeof flat / sizeof flat[0]; i++) {
        z = 7.0;
        ck_assert_double_eq(
            fg_stats_z_two_sided(flat[i][0], flat[i][1], flat[i][2], flat[i][3], &z), 1.0);
        ck_assert_double_eq(z, 0.0);
    }
}
END_TEST

START_TEST(test_score_test)
{
    /* z = (30 - 50) / sqrt(100 * .5 * .5) = -4; p = 2 Phi(-4) (mpmath). */
    ASSERT_REL(fg_stats_score_test(30, 100, 0.5), 6.3342483666239843e-05, 1e-12);
    ck_assert_double_eq(fg_stats_score_test(50, 100, 0.5), 1.0);
    ck_assert_double_eq(fg_stats_score_test(0, 0, 0.5), 1.0);
}
END_TEST

/* p < 0.05 exactly when p0 is outside the 95% Wilson interval, on a grid of (x, n, p0)
 * that keeps away from the interval's ends by 1e-9. */
START_TEST(test_score_matches_wilson)
{
    const uint64_t ns[] = {1, 2, 5, 13, 50, 200, 10000};
    int checked = 0, rejected = 0;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        uint64_t n = ns[i], step = n > 50 ? n / 50 : 1;
        for (uint64_t x = 0; x <= n; x += step) {
            struct fg_interval ci = fg_stats_wilson(x, n, 0.95);
            for (double p0 = 0.005; p0 < 1.0; p0 += 0.01) {
                if (fabs(p0 - ci.low) < 1e-9 || fabs(p0 - ci.high) < 1e-9)
                    continue;
                bool outside = p0 < ci.low || p0 > ci.high;
                double p = fg_stats_score_test(x, n, p0);
                ck_assert_msg((p < 0.05) == outside, "x=%d n=%d p0=%g: p=%g, [%g, %g]", (int)x,
                              (int)n, p0, p, ci.low, ci.high);
                checked++;
                rejected += outside;
            }
        }
    }
    ck_assert_int_gt(rejected, 100);
    ck_assert_int_gt(checked - rejected, 100);
}
END_TEST

/* ---- multiple comparisons ---- */

struct adjust_vector {
    size_t n;
    double p[5], holm[5], bh[5];
};

/* R: p.adjust(p, "holm") and p.adjust(p, "BH"). */
static const struct adjust_vector adjust_vectors[] = {
    {4, {0.01, 0.04, 0.03, 0.005}, {0.03, 0.06, 0.06, 0.02}, {0.02, 0.04, 0.04, 0.02}},
    /* ties */
    {3, {0.01, 0.01, 0.02}, {0.03, 0.03, 0.03}, {0.015, 0.015, 0.02}},
    {3, {0.02, 0.02, 0.02}, {0.06, 0.06, 0.06}, {0.02, 0.02, 0.02}},
    /* a single p-value is its own adjustment */
    {1, {0.2}, {0.2}, {0.2}},
    /* capped at 1 */
    {2, {0.5, 0.6}, {1.0, 1.0}, {0.6, 0.6}},
    {5,
     {0.04, 0.001, 0.02, 0.03, 0.5},
     {0.09, 0.005, 0.08, 0.09, 0.5},
     {0.05, 0.005, 0.05, 0.05, 0.5}},
};

START_TEST(test_adjust_vectors)
{
    const struct adjust_vector *v = &adjust_vectors[_i];
    double out[5], inplace[5];
    ck_assert(fg_stats_holm(v->p, out, v->n));
    for (size_t i = 0; i < v->n; i++)
        ck_assert_double_eq_tol(out[i], v->holm[i], 1e-12);
    ck_assert(fg_stats_bh(v->p, out, v->n));
    for (size_t i = 0; i < v->n; i++)
        ck_assert_double_eq_tol(out[i], v->bh[i], 1e-12);
    /* adjusted may alias p */
    memcpy(inplace, v->p, sizeof inplace);
    ck_assert(fg_stats_holm(inplace, inplace, v->n));
    for (size_t i = 0; i < v->n; i++)
        ck_assert_double_eq_tol(inplace[i], v->holm[i], 1e-12);
    memcpy(inplace, v->p, sizeof inplace);
    ck_assert(fg_stats_bh(inplace, inplace, v->n));
    for (size_t i = 0; i < v->n; i++)
        ck_assert_double_eq_tol(inplace[i], v->bh[i], 1e-12);
}
END_TEST

START_TEST(test_adjust_empty)
{
    ck_assert(fg_stats_holm(NULL, NULL, 0));
    ck_assert(fg_stats_bh(NULL, NULL, 0));
}
END_TEST

/* A family of m comparisons of which n were tested equals the materialised family with the
 * m - n others at p = 1 (lib/gate.c never materialises them). */
START_TEST(test_adjust_family_matches_padding)
{
    const struct adjust_vector *v = &adjust_vectors[_i];
    for (size_t padding = 0; padding <= 9; padding++) {
        size_t m = v->n + padding;
        double all[16], want[16], got[5];
        memcpy(all, v->p, v->n * sizeof *all);
        for (size_t i = v->n; i < m; i++)
            all[i] = 1.0;
        for (int bh = 0; bh <= 1; bh++) {
            ck_assert(bh ? fg_stats_bh(all, want, m) : fg_stats_holm(all, want, m));
            ck_assert(bh ? fg_stats_bh_family(v->p, got, v->n, m)
                         : fg_stats_holm_family(v->p, got, v->n, m));
            for (size_t i = 0; i < v->n; i++)
                ck_assert_msg(fabs(got[i] - want[i]) < 1e-15, "%s n=%zu m=%zu [%zu]: %g, want %g",
                              bh ? "bh" : "holm", v->n, m, i, got[i], want[i]);
        }
    }
    /* one worked value: Holm over 4 with p = 0.01 first gives 0.04; BH 4 / 1 * 0.01 */
    double one = 0.01, out;
    ck_assert(fg_stats_holm_family(&one, &out, 1, 4));
    ck_assert_double_eq_tol(out, 0.04, 1e-15);
    ck_assert(fg_stats_bh_family(&one, &out, 1, 4));
    ck_assert_double_eq_tol(out, 0.04, 1e-15);
}
END_TEST

/* ---- random numbers ---- */

START_TEST(test_rng_sequence)
{
    /* Blackman and Vigna's reference code (splitmix64.c, xoshiro256starstar.c), run in
     * Python: seed 0 gives the well-known first splitmix64 output 0xe220a8397b1dcdaf. */
    struct fg_rng rng, again;
    fg_rng_seed(&rng, 0);
    ck_assert_uint_eq(rng.s[0], 0xe220a8397b1dcdafu);
    ck_assert_uint_eq(rng.s[3], 0xf88bb8a8724c81ecu);
    ck_assert_uint_eq(fg_rng_next(&rng), 0x99ec5f36cb75f2b4u);
    fg_rng_seed(&rng, 42);
    const uint64_t want[] = {0x15780b2e0c2ec716u, 0x6104d9866d113a7eu, 0xae17533239e499a1u,
                             0xecb8ad4703b360a1u, 0xfde6dc7fe2ec5e64u};
    for (size_t i = 0; i < 5; i++)
        ck_assert_uint_eq(fg_rng_next(&rng), want[i]);

    fg_rng_seed(&rng, 12345);
    fg_rng_seed(&again, 12345);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(fg_rng_next(&rng), fg_rng_next(&again));
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(fg_rng_binomial(&rng, 1000, 0.3), fg_rng_binomial(&again, 1000, 0.3));
    fg_rng_seed(&again, 12346);
    ck_assert_uint_ne(fg_rng_next(&rng), fg_rng_next(&again));

    double sum = 0.0;
    for (int i = 0; i < 100000; i++) {
        double u = fg_rng_uniform(&rng);
        ck_assert(u >= 0.0 && u < 1.0);
        sum += u;
    }
    ck_assert_double_eq_tol(sum / 100000, 0.5, 5 * sqrt(1.0 / 12 / 100000));
}
END_TEST

struct binomial_vector {
    uint64_t n;
    double p;
    int draws;
};

static const struct binomial_vector binomial_vectors[] = {
    {20, 0.3, 200000},            /* inversion */
    {1000000, 0.01, 200000},      /* BTRS */
    {50, 0.9, 200000},            /* inversion, by symmetry */
    {1000, 0.5, 200000},          /* BTRS at the symmetry point */
    {10000000000u, 0.3, 50000},   /* BTRS at n = 1e10 */
    {10000000000u, 3e-10, 50000}, /* inversion at n = 1e10 */
};

/* Sample mean and variance within 5 standard errors; the variance of the sample variance
 * is (mu4 - sigma^4) / N with mu4 = npq (1 + 3 (n - 2) pq). */
START_TEST(test_binomial_moments)
{
    const struct binomial_vector *v = &binomial_vectors[_i];
    struct fg_rng rng;
    fg_rng_seed(&rng, 20240601u + (uint64_t)_i);
    double sum = 0.0, sum2 = 0.0, shift = (double)v->n * v->p;
    for (int i = 0; i < v->draws; i++) {
        uint64_t x = fg_rng_binomial(&rng, v->n, v->p);
        ck_assert_uint_le(x, v->n);
        double dx = (double)x - shift;
        sum += dx;
        sum2 += dx * dx;
    }
    double draws = v->draws, n = (double)v->n, pq = v->p * (1 - v->p), var = n * pq;
    double mean_dev = sum / draws, sample_var = (sum2 - sum * sum / draws) / (draws - 1);
    double mu4 = var * (1 + 3 * (n - 2) * pq);
    ck_assert_msg(fabs(mean_dev) <= 5 * sqrt(var / draws), "n=%g p=%g: mean off by %g", n, v->p,
                  mean_dev);
    ck_assert_msg(fabs(sample_var - var) <= 5 * sqrt((mu4 - var * var) / draws),
                  "n=%g p=%g: variance %g, want %g", n, v->p, sample_var, var);
}
END_TEST

/* Pearson's chi-square of 200000 draws against the exact pmf, cells with expectation below
 * 5 pooled into the tails; a fixed seed, so the bound df + 5 sqrt(2 df) either holds or
 * shows a sampler whose law is wrong. */
static void check_binomial_law(uint64_t n, double p, uint64_t seed)
{
    enum { DRAWS = 200000, MAX_N = 200 };
    ck_assert_uint_le(n, MAX_N);
    uint64_t counts[MAX_N + 1] = {0};
    double expected[MAX_N + 1];
    struct fg_rng rng;
    fg_rng_seed(&rng, seed);
    for (int i = 0; i < DRAWS; i++)
        counts[fg_rng_binomial(&rng, n, p)]++;
    for (uint64_t k = 0; k <= n; k++)
        expected[k] = DRAWS * exp(fg_stats_log_factorial(n) - fg_stats_log_factorial(k) -
                                  fg_stats_log_factorial(n - k) + (double)k * log(p) +
                                  (double)(n - k) * log1p(-p));
    double chi2 = 0.0, pooled_obs = 0.0, pooled_exp = 0.0;
    int df = -1;
    for (uint64_t k = 0; k <= n; k++) {
        pooled_obs += (double)counts[k];
        pooled_exp += expected[k];
        if (pooled_exp >= 5.0) {
            chi2 += (pooled_obs - pooled_exp) * (pooled_obs - pooled_exp) / pooled_exp;
            pooled_obs = pooled_exp = 0.0;
            df++;
        }
    }
    if (pooled_exp > 0.0) /* the last partial cell */
        chi2 += (pooled_obs - pooled_exp) * (pooled_obs - pooled_exp) / pooled_exp;
    ck_assert_int_gt(df, 5);
    ck_assert_msg(chi2 <= df + 5 * sqrt(2.0 * df), "n=%d p=%g: chi2 %g on %d df", (int)n, p, chi2,
                  df);
}

START_TEST(test_binomial_law)
{
    check_binomial_law(20, 0.3, 1);   /* inversion */
    check_binomial_law(100, 0.3, 2);  /* BTRS */
    check_binomial_law(40, 0.25, 3);  /* BTRS at n p = 10 */
    check_binomial_law(200, 0.85, 4); /* BTRS by symmetry */
}
END_TEST

START_TEST(test_binomial_edges)
{
    struct fg_rng rng;
    fg_rng_seed(&rng, 7);
    ck_assert_uint_eq(fg_rng_binomial(&rng, 100, 0.0), 0);
    ck_assert_uint_eq(fg_rng_binomial(&rng, 100, -0.5), 0);
    ck_assert_uint_eq(fg_rng_binomial(&rng, 100, 1.0), 100);
    ck_assert_uint_eq(fg_rng_binomial(&rng, 100, 1.5), 100);
    ck_assert_uint_eq(fg_rng_binomial(&rng, 0, 0.5), 0);
    ck_assert_uint_eq(fg_rng_binomial(&rng, 10000000000u, 1.0), 10000000000u);
    /* p just below 1 by symmetry: n minus a small count */
    uint64_t x = fg_rng_binomial(&rng, 1000, 1.0 - 1e-9);
    ck_assert(x >= 998 && x <= 1000);
}
END_TEST

START_TEST(test_multinomial)
{
    struct fg_rng rng;
    fg_rng_seed(&rng, 99);
    const uint64_t weights[] = {5, 0, 3, 0, 2, 0};
    uint64_t out[6];
    double sum0 = 0.0;
    const int draws = 20000;
    for (int i = 0; i < draws; i++) {
        fg_rng_multinomial(&rng, 1000, weights, 6, out);
        ck_assert_uint_eq(out[0] + out[1] + out[2] + out[3] + out[4] + out[5], 1000);
        ck_assert_uint_eq(out[1], 0);
        ck_assert_uint_eq(out[3], 0);
        ck_assert_uint_eq(out[5], 0);
        sum0 += (double)out[0];
    }
    /* cell 0 ~ Binomial(1000, 0.5) */
    ck_assert_double_eq_tol(sum0 / draws, 500.0, 5 * sqrt(250.0 / draws));

    const uint64_t last[] = {0, 0, 7};
    fg_rng_multinomial(&rng, 12345, last, 3, out);
    ck_assert_uint_eq(out[0], 0);
    ck_assert_uint_eq(out[1], 0);
    ck_assert_uint_eq(out[2], 12345);

    const uint64_t big[] = {1, 2, 3, 4};
    fg_rng_multinomial(&rng, 10000000000u, big, 4, out);
    ck_assert_uint_eq(out[0] + out[1] + out[2] + out[3], 10000000000u);
    ck_assert(out[3] > 3990000000u && out[3] < 4010000000u);

    fg_rng_multinomial(&rng, 0, big, 4, out);
    ck_assert_uint_eq(out[0] + out[1] + out[2] + out[3], 0);
}
END_TEST

/* ---- quantiles ---- */

START_TEST(test_quantile)
{
    double v[] = {1, 2, 3, 4};
    ck_assert_double_eq_tol(fg_stats_quantile(v, 4, 0.25), 1.75, 1e-15);
    ck_assert_double_eq(fg_stats_quantile(v, 4, 0.0), 1.0);
    ck_assert_double_eq(fg_stats_quantile(v, 4, 1.0), 4.0);
    double u[] = {4, 1, 3, 2}; /* sorted in place; numpy: 2.5, 3.25 */
    ck_assert_double_eq_tol(fg_stats_quantile(u, 4, 0.5), 2.5, 1e-15);
    ck_assert_double_eq(u[0], 1.0);
    ck_assert_double_eq(u[3], 4.0);
    ck_assert_double_eq_tol(fg_stats_quantile(u, 4, 0.75), 3.25, 1e-15);
    double w[] = {10, -5, 0, 7, 3}; /* numpy.quantile(w, 0.1) = -3.0 */
    ck_assert_double_eq_tol(fg_stats_quantile(w, 5, 0.1), -3.0, 1e-15);
    double one[] = {42.0};
    ck_assert_double_eq(fg_stats_quantile(one, 1, 0.3), 42.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_normal_quantile);
    tcase_add_test(tc, test_normal_cdf);
    tcase_add_test(tc, test_wilson);
    tcase_add_test(tc, test_katz);
    tcase_add_test(tc, test_katz_zeros);
    tcase_add_test(tc, test_newcombe);
    tcase_add_test(tc, test_intervals_never_nan);
    tcase_add_loop_test(tc, test_fisher_vectors, 0,
                        (int)(sizeof fisher_vectors / sizeof fisher_vectors[0]));
    tcase_add_test(tc, test_fisher_brute_force);
    tcase_add_test(tc, test_fisher_large);
    tcase_add_test(tc, test_log_factorial);
    tcase_add_test(tc, test_z_test);
    tcase_add_test(tc, test_score_test);
    tcase_add_test(tc, test_score_matches_wilson);
    tcase_add_loop_test(tc, test_adjust_vectors, 0,
                        (int)(sizeof adjust_vectors / sizeof adjust_vectors[0]));
    tcase_add_test(tc, test_adjust_empty);
    tcase_add_loop_test(tc, test_adjust_family_matches_padding, 0,
                        (int)(sizeof adjust_vectors / sizeof adjust_vectors[0]));
    tcase_add_test(tc, test_rng_sequence);
    tcase_add_loop_test(tc, test_binomial_moments, 0,
                        (int)(sizeof binomial_vectors / sizeof binomial_vectors[0]));
    tcase_add_test(tc, test_binomial_law);
    tcase_add_test(tc, test_binomial_edges);
    tcase_add_test(tc, test_multinomial);
    tcase_add_test(tc, test_quantile);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
