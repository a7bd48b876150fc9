/*
 * stats.h - intervals, tests, multiple-comparison corrections and the random numbers the
 * paired bootstrap draws (lib/stats.c). Every function is pure (no global state) and
 * works on counts, so its cost does not depend on the number of rows.
 *
 * Conventions: `level` is a two-sided confidence level in (0, 1), e.g. 0.95. An interval
 * is [low, high] with low <= high; +INFINITY is a legitimate high end (Katz with a zero
 * reference numerator). Functions never return NaN for valid input.
 */
#ifndef FAIRGATE_STATS_H
#define FAIRGATE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fg_interval {
    double low, high;
};

/* Standard normal: Phi(x), the upper tail 1 - Phi(x) computed without cancellation, and the
 * quantile Phi^-1(p) for p in (0, 1) (Acklam's algorithm refined by one Halley step; |error|
 * < 1e-13). */
double fg_stats_normal_cdf(double x);
double fg_stats_normal_sf(double x);
double fg_stats_normal_quantile(double p);

/* Wilson score interval for x successes in n trials (Wilson 1927; Newcombe 1998 method 3).
 * n == 0 gives [0, 1]. */
struct fg_interval fg_stats_wilson(uint64_t x, uint64_t n, double level);

/* Katz log interval for the ratio (x1/n1) / (x2/n2) (Katz et al. 1978):
 * exp(log(ratio) +- z * sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)). Zero numerators are honest,
 * never NaN: x1 == 0 gives [0, high] where high uses 0.5 for x1 (the Haldane correction
 * only for the upper end), x2 == 0 with x1 > 0 gives [low, +inf), both 0 gives [0, +inf).
 * n1 == 0 or n2 == 0 gives [0, +inf). *ratio (may be NULL) receives the point ratio
 * (+inf when x2 == 0 < x1, 1 when both are 0). */
struct fg_interval fg_stats_katz(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double level,
                                 double *ratio);

/* Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998, method 10), from the two
 * Wilson intervals. Within [-1, 1]. */
struct fg_interval fg_stats_newcombe(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                                     double level);

/* log(n!) via lgamma, exact enough for n up to 1e7 and beyond. */
double fg_stats_log_factorial(uint64_t n);

/* Fisher's exact test on the 2x2 table [[a, b], [c, d]], two-sided as scipy.stats.
 * fisher_exact and R's fisher.test: the sum of the hypergeometric probabilities of all
 * tables with the same margins that are no more likely than the observed one (with a
 * relative tolerance of 1e-7). Stable for n up to 1e7: probabilities are evaluated in log
 * space around the mode. Returns a value in [0, 1]. */
double fg_stats_fisher_two_sided(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* Pooled two-proportion z test of x1/n1 against x2/n2, two-sided p-value; *z (may be NULL)
 * receives the statistic. A zero pooled variance (both rates 0 or both 1) gives p = 1. */
double fg_stats_z_two_sided(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double *z);

/* One-sample score test of x/n against p0 in (0, 1), two-sided (consistent with the Wilson
 * interval: p < 1 - level exactly when the interval excludes p0). */
double fg_stats_score_test(uint64_t x, uint64_t n, double p0);

/* Adjusted p-values, written to adjusted[0..n) in the input order (adjusted may alias p).
 * Holm 1979 step-down (family-wise error); Benjamini-Hochberg 1995 step-up (false discovery
 * rate). Both are monotone and capped at 1, as R's p.adjust. Returns false when out of
 * memory (then adjusted is untouched). */
bool fg_stats_holm(const double *p, double *adjusted, size_t n);
bool fg_stats_bh(const double *p, double *adjusted, size_t n);
/* The same over a family of m >= n comparisons of which only the n given were tested: the
 * other m - n count as p = 1 without being materialised (O(n log n) time, O(n) memory). */
bool fg_stats_holm_family(const double *p, double *adjusted, size_t n, size_t m);
bool fg_stats_bh_family(const double *p, double *adjusted, size_t n, size_t m);

/* ---- random numbers for the bootstrap: deterministic for a seed, on every platform ---- */

struct fg_rng {
    uint64_t s[4]; /* xoshiro256** state (Blackman and Vigna 2018), seeded by splitmix64 */
};

void fg_rng_seed(struct fg_rng *rng, uint64_t seed);
uint64_t fg_rng_next(struct fg_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double fg_rng_uniform(struct fg_rng *rng);
/* Binomial(n, p) variate, exact in distribution: inversion for n*min(p,1-p) < 10, otherwise
 * Hormann's BTRS transformed rejection (1993); O(1) expected time for any n. */
uint64_t fg_rng_binomial(struct fg_rng *rng, uint64_t n, double p);
/* Multinomial(n; weights/sum) variate into out[0..k) by conditional binomials; weights are
 * non-negative counts (the observed cell counts for a bootstrap). Cost O(k), independent
 * of n. */
void fg_rng_multinomial(struct fg_rng *rng, uint64_t n, const uint64_t *weights, size_t k,
                        uint64_t *out);

/* The q-quantile (q in [0, 1]) of values[0..n), n > 0, by linear interpolation between order
 * statistics (Hyndman and Fan 1996 type 7, numpy's default). Sorts values in place. */
double fg_stats_quantile(double *values, size_t n, double q);

#endif /* FAIRGATE_STATS_H */
