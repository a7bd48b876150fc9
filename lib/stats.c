/*
 * stats.c - the statistics behind fairgate's uncertainty reporting: the standard normal,
 * Wilson / Katz / Newcombe intervals, Fisher's exact, z and score tests, Holm and
 * Benjamini-Hochberg adjustment, and the seeded random numbers of the paired bootstrap.
 *
 * Every function is pure: it reads its arguments, writes only through its out-pointers
 * and keeps no global state (the generator's state is the caller's struct fg_rng). All
 * inputs are counts, so no function's cost depends on the number of rows. Preconditions
 * (x <= n, level in (0, 1), non-negative p-values) are the caller's; for inputs within
 * them no function returns NaN. Every definition cites its source next to the code.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

/* Determinism across platforms: no fused multiply-add contraction (gcc's ISO C mode is
 * already -ffp-contract=off; clang contracts by default). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ---- standard normal ---- */

#define SQRT1_2  0.70710678118654752440 /* 1 / sqrt(2); M_SQRT1_2 is POSIX, not ISO C */
#define SQRT_2PI 2.50662827463100050242 /* sqrt(2 pi) */

/* Phi(x) = erfc(-x / sqrt 2) / 2 and 1 - Phi(x) = erfc(x / sqrt 2) / 2: each tail comes from
 * erfc directly, never as 1 minus something close to 1. */
double fg_stats_normal_cdf(double x)
{
    return 0.5 * erfc(-x * SQRT1_2);
}

double fg_stats_normal_sf(double x)
{
    return 0.5 * erfc(x * SQRT1_2);
}

/* Acklam's rational approximation of Phi^-1 (P. J. Acklam, "An algorithm for computing the
 * inverse normal cumulative distribution function", 2003; relative error < 1.15e-9),
 * refined by one step of Halley's method on Phi(x) - p with Phi from erfc (Acklam's own
 * refinement), which brings the error to the last few ulps. The upper half is computed
 * by symmetry from 1 - p, which is exact for p >= 0.5 (Sterbenz), so the refinement
 * always works on the lower tail where erfc has no cancellation. */
double fg_stats_normal_quantile(double p)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    const double p_low = 0.02425;

    if (isnan(p))
        return p;
    if (p <= 0.0)
        return -INFINITY;
    if (p >= 1.0)
        return INFINITY;
    if (p > 0.5)
        return -fg_stats_normal_quantile(1.0 - p);

    double x;
    if (p < p_low) {
        double q = sqrt(-2.0 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    /* Halley: x -= u / (1 + x u / 2) with u = (Phi(x) - p) / phi(x). Skipped where phi(x)
     * underflows (p below ~1e-308), where the rational value is already the best we have. */
    double density = exp(-0.5 * x * x) / SQRT_2PI;
    if (density > 0.0) {
        double u = (fg_stats_normal_cdf(x) - p) / density;
        if (isfinite(u))
            x -= u / (1.0 + 0.5 * x * u);
    }
    return x;
}

/* z with P(|Z| > z) = 1 - level. */
static double two_sided_z(double level)
{
    return -fg_stats_normal_quantile(0.5 * (1.0 - level));
}

/* ---- intervals ---- */

/* Wilson score interval (E. B. Wilson, "Probable inference, the law of succession, and
 * statistical inference", JASA 22, 1927; R. G. Newcombe, "Two-sided confidence intervals
 * for the single proportion: comparison of seven methods", Stat. Med. 17, 1998, method 3):
 * (2x + z^2 -+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)). The ends at x == 0 and x == n
 * are set exactly (0 and 1) rather than left to rounding. */
struct fg_interval fg_stats_wilson(uint64_t x, uint64_t n, double level)
{
    struct fg_interval ci = {0.0, 1.0};
    if (n == 0)
        return ci;
    const double z = two_sided_z(level), z2 = z * z;
    const double xd = (double)x, nd = (double)n;
    const double center = 2.0 * xd + z2;
    const double half = z * sqrt(z2 + 4.0 * xd * (1.0 - xd / nd));
    const double den = 2.0 * (nd + z2);
    if (x > 0)
        ci.low = fmax(0.0, (center - half) / den);
    if (x < n)
        ci.high = fmin(1.0, (center + half) / den);
    return ci;
}

/* Katz log interval for a ratio of two proportions (D. Katz, J. Baptista, S. P. Azen and
 * M. C. Pike, "Obtaining confidence intervals for the risk ratio in cohort studies",
 * Biometrics 34, 1978): exp(log r +- z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)). The zero rules
 * are stats.h's: 0.5 stands in for a zero numerator only at the end that stays finite.
 * n1 == 0 or n2 == 0 leaves the ratio undefined: [0, +inf) with *ratio = 1. */
struct fg_interval fg_stats_katz(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double level,
                                 double *ratio)
{
    struct fg_interval ci = {0.0, INFINITY};
    double point = 1.0;
    if (n1 > 0 && n2 > 0 && (x1 > 0 || x2 > 0)) {
        const double z = two_sided_z(level);
        const double a = x1 > 0 ? (double)x1 : 0.5, c = x2 > 0 ? (double)x2 : 0.5;
        const double n1d = (double)n1, n2d = (double)n2;
        const double log_ratio = (log(a) - log(n1d)) - (log(c) - log(n2d));
        const double se = sqrt((1.0 / a - 1.0 / n1d) + (1.0 / c - 1.0 / n2d));
        if (x1 > 0)
            ci.low = exp(log_ratio - z * se);
        if (x2 > 0)
            ci.high = exp(log_ratio + z * se);
        point = x1 == 0 ? 0.0 : x2 == 0 ? INFINITY : exp(log_ratio);
        if (x1 > 0 && x2 > 0) /* the exact quotient where it is representable */
            point = ((double)x1 / n1d) / ((double)x2 / n2d);
    }
    if (ratio)
        *ratio = point;
    return ci;
}

static double square(double x)
{
    return x * x;
}

/* Newcombe's hybrid score interval for p1 - p2 (R. G. Newcombe, "Interval estimation for
 * the difference between independent proportions: comparison of eleven methods", Stat.
 * Med. 17, 1998, method 10), from the Wilson intervals [l1, u1] and [l2, u2]:
 * [d - sqrt((p1 - l1)^2 + (u2 - p2)^2), d + sqrt((u1 - p1)^2 + (p2 - l2)^2)], d = p1 - p2. */
struct fg_interval fg_stats_newcombe(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                                     double level)
{
    struct fg_interval ci = {-1.0, 1.0};
    if (n1 == 0 || n2 == 0)
        return ci;
    const struct fg_interval w1 = fg_stats_wilson(x1, n1, level);
    const struct fg_interval w2 = fg_stats_wilson(x2, n2, level);
    const double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2, diff = p1 - p2;
    ci.low = fmax(-1.0, diff - sqrt(square(p1 - w1.low) + square(w2.high - p2)));
    ci.high = fmin(1.0, diff + sqrt(square(w1.high - p1) + square(p2 - w2.low)));
    return ci;
}

/* ---- tests ---- */

/* log(n!) = lgamma(n + 1) (C11 7.12.8.3). Exact for 0! and 1!. POSIX lets lgamma store the
 * sign of Gamma in the global signgam (always +1 here): the one write outside our own
 * state; the random-number code does not call it. */
double fg_stats_log_factorial(uint64_t n)
{
    return n < 2 ? 0.0 : lgamma((double)n + 1.0);
}

/* The hypergeometric law of the top-left cell of a 2x2 table with fixed margins: row 1 has
 * r1, row 2 has r2, column 1 has c1. Its support is [lo, hi]; the bottom-right cell of
 * the table with top-left k is r2 + k - c1. */
struct hyper {
    uint64_t r1, r2, c1, lo, hi;
};

/* log(P(k) / P(j)) as four differences of log factorials. Pairing the factorials this way
 * makes the tables that the margins' symmetries give equal probability (k -> c1 - k when
 * r1 == r2, k -> r1 - k when c1 == c2) cancel term by term, so exact ties stay well
 * inside the 1e-7 tolerance even at n = 1e7, where one log factorial has an ulp of 3e-8. */
static double hyper_log_ratio(const struct hyper *h, uint64_t k, uint64_t j)
{
    return (fg_stats_log_factorial(j) - fg_stats_log_factorial(k)) +
           (fg_stats_log_factorial(h->r1 - j) - fg_stats_log_factorial(h->r1 - k)) +
           (fg_stats_log_factorial(h->c1 - j) - fg_stats_log_factorial(h->c1 - k)) +
           (fg_stats_log_factorial(h->r2 + j - h->c1) - fg_stats_log_factorial(h->r2 + k - h->c1));
}

/* P(k + 1) / P(k) for lo <= k < hi; decreasing in k (the law is log-concave). */
static double hyper_step_up(const struct hyper *h, uint64_t k)
{
    return ((double)(h->r1 - k) * (double)(h->c1 - k)) /
           ((double)(k + 1) * (double)(h->r2 + k + 1 - h->c1));
}

/* A mode: floor((r1 + 1)(c1 + 1) / (n + 2)), evaluated in double (the product can pass
 * 2^64) and then moved to the exact argmax by the ratio of neighbours. */
static uint64_t hyper_mode(const struct hyper *h)
{
    double n = (double)h->r1 + (double)h->r2;
    double guess = floor(((double)h->r1 + 1.0) * ((double)h->c1 + 1.0) / (n + 2.0));
    uint64_t m = guess <= (double)h->lo ? h->lo : guess >= (double)h->hi ? h->hi : (uint64_t)guess;
    while (m < h->hi && hyper_step_up(h, m) > 1.0)
        m++;
    while (m > h->lo && hyper_step_up(h, m - 1) < 1.0)
        m--;
    return m;
}

/* Sum of P(k) / P(a) over a tail that starts at k = from (term t0) and runs outwards
 * (downwards to lo or upwards to hi), by the ratio of neighbours. Past the mode every
 * further ratio is at most the current one rho < 1, so what is left is at most
 * t rho / (1 - rho): the walk stops once that is below 2^-60 of the sum, or when the
 * terms underflow. */
static double hyper_tail(const struct hyper *h, uint64_t from, double t0, bool down)
{
    double sum = 0.0, t = t0;
    uint64_t k = from;
    for (;;) {
        sum += t;
        if (t == 0.0 || (down ? k == h->lo : k == h->hi))
            break;
        double rho = down ? 1.0 / hyper_step_up(h, k - 1) : hyper_step_up(h, k);
        t *= rho;
        k = down ? k - 1 : k + 1;
        if (rho < 1.0 && t / (1.0 - rho) < sum * 0x1p-60) {
            sum += t;
            break;
        }
    }
    return sum;
}

/* The last k in [lo, hi] below the mode with log(P(k) / P(a)) <= tol, by bisection; P
 * rises towards the mode there, and lo is in the tail. */
static uint64_t hyper_lower_boundary(const struct hyper *h, uint64_t lo, uint64_t hi, uint64_t a,
                                     double tol)
{
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (hyper_log_ratio(h, mid, a) <= tol)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* The first k in [lo, hi] above the mode with log(P(k) / P(a)) <= tol, by bisection; P
 * falls away from the mode there, and hi is in the tail. */
static uint64_t hyper_upper_boundary(const struct hyper *h, uint64_t lo, uint64_t hi, uint64_t a,
                                     double tol)
{
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (hyper_log_ratio(h, mid, a) <= tol)
            hi = mid;
        else
            lo = mid + 1;
    }
    return hi;
}

/* Fisher's exact test, two-sided (R. A. Fisher, "On the interpretation of chi-square from
 * contingency tables", JRSS 85, 1922), as R's fisher.test and scipy.stats.fisher_exact
 * define it: the sum of P(k) over every table with the observed margins and
 * P(k) <= P(a) (1 + 1e-7), R's relative tolerance for ties.
 *
 * The law is unimodal, so that set is two tails [lo, kl] and [kr, hi] around the mode m.
 * Each boundary is found by bisection on log(P(k) / P(a)) (lgamma, O(log n) calls); each
 * tail is summed relative to P(a) by the ratio of neighbours from its boundary outwards,
 * with early termination, so the cost is O(log n + sd) for a standard deviation sd <=
 * sqrt(n) / 4, whatever n is. Finally p = exp(log P(a) + log(sum)), which underflows to
 * 0 cleanly when P(a) does. With lgamma the relative error of p is about 1e-15 for small
 * tables and grows to about 1e-7 at n = 1e7 (the ulp of log(n!)). */
double fg_stats_fisher_two_sided(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    const struct hyper h = {
        .r1 = a + b,
        .r2 = c + d,
        .c1 = a + c,
        .lo = a + c > c + d ? (a + c) - (c + d) : 0,
        .hi = a + b < a + c ? a + b : a + c,
    };
    if (h.lo == h.hi)
        return 1.0; /* a margin is zero: the observed table is the only one */
    const double tol = log1p(1e-7);
    const uint64_t m = hyper_mode(&h);
    if (hyper_log_ratio(&h, m, a) <= tol)
        return 1.0; /* the observed table ties with the mode: every table counts */

    /* kl: the last k <= m - 1 in the lower tail; kr: the first k >= m + 1 in the upper
     * tail. The observed a lies in one of them; the other may be empty. */
    bool has_low = false, has_high = false;
    uint64_t kl = 0, kr = 0;
    if (a < m) {
        has_low = true;
        kl = hyper_lower_boundary(&h, a, m - 1, a, tol);
        if (m < h.hi && hyper_log_ratio(&h, h.hi, a) <= tol) {
            has_high = true;
            kr = hyper_upper_boundary(&h, m + 1, h.hi, a, tol);
        }
    } else {
        has_high = true;
        kr = hyper_upper_boundary(&h, m + 1, a, a, tol);
        if (m > h.lo && hyper_log_ratio(&h, h.lo, a) <= tol) {
            has_low = true;
            kl = hyper_lower_boundary(&h, h.lo, m - 1, a, tol);
        }
    }

    double sum = 0.0;
    if (has_low)
        sum += hyper_tail(&h, kl, exp(hyper_log_ratio(&h, kl, a)), true);
    if (has_high)
        sum += hyper_tail(&h, kr, exp(hyper_log_ratio(&h, kr, a)), false);
    const uint64_t n = h.r1 + h.r2;
    const double log_pa =
        (fg_stats_log_factorial(h.r1) - fg_stats_log_factorial(a) - fg_stats_log_factorial(b)) +
        (fg_stats_log_factorial(h.r2) - fg_stats_log_factorial(c) - fg_stats_log_factorial(d)) -
        (fg_stats_log_factorial(n) - fg_stats_log_factorial(h.c1) -
         fg_stats_log_factorial(n - h.c1));
    const double p = exp(log_pa + log(sum));
    return p < 1.0 ? p : 1.0;
}

/* Two-proportion z test with the pooled variance (e.g. Agresti, "Categorical Data
 * Analysis", 3rd ed., 2013, section 3.1.1 with p pooled under H0: p1 = p2):
 * z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)), p = (x1 + x2) / (n1 + n2), and the
 * p-value 2 (1 - Phi(|z|)). An empty sample or a zero pooled variance gives z = 0, p = 1. */
double fg_stats_z_two_sided(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double *z)
{
    double stat = 0.0, p_value = 1.0;
    if (n1 > 0 && n2 > 0) {
        const double n1d = (double)n1, n2d = (double)n2;
        const double pooled = ((double)x1 + (double)x2) / (n1d + n2d);
        const double var = pooled * (1.0 - pooled) * (1.0 / n1d + 1.0 / n2d);
        if (var > 0.0) {
            stat = ((double)x1 / n1d - (double)x2 / n2d) / sqrt(var);
            p_value = fmin(1.0, 2.0 * fg_stats_normal_sf(fabs(stat)));
        }
    }
    if (z)
        *z = stat;
    return p_value;
}

/* One-sample score test (the test Wilson's interval inverts, Wilson 1927):
 * z = (x - n p0) / sqrt(n p0 (1 - p0)), p = 2 (1 - Phi(|z|)), so p < 1 - level exactly when
 * p0 lies outside fg_stats_wilson(x, n, level). n == 0 gives 1. p0 outside (0, 1) is
 * outside the precondition; its limit is returned (1 when x is at the matching end, else
 * 0), never NaN. */
double fg_stats_score_test(uint64_t x, uint64_t n, double p0)
{
    if (n == 0)
        return 1.0;
    if (!(p0 > 0.0))
        return x == 0 ? 1.0 : 0.0;
    if (!(p0 < 1.0))
        return x == n ? 1.0 : 0.0;
    const double nd = (double)n;
    const double z = ((double)x - nd * p0) / sqrt(nd * p0 * (1.0 - p0));
    return fmin(1.0, 2.0 * fg_stats_normal_sf(fabs(z)));
}

/* ---- multiple comparisons ---- */

struct ranked_p {
    double p;
    size_t index;
};

/* Ascending p, NaN last, ties by input position: a total order, so the ranking does not
 * depend on the qsort implementation. */
static int compare_ranked(const void *x, const void *y)
{
    const struct ranked_p *a = x, *b = y;
    if (isnan(a->p) != isnan(b->p))
        return isnan(a->p) ? 1 : -1;
    if (a->p < b->p)
        return -1;
    if (a->p > b->p)
        return 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* The p-values in ascending order, or NULL when out of memory. */
static struct ranked_p *rank_p_values(const double *p, size_t n)
{
    if (n > SIZE_MAX / sizeof(struct ranked_p))
        return NULL;
    struct ranked_p *r = malloc(n * sizeof *r);
    if (!r)
        return NULL;
    for (size_t i = 0; i < n; i++)
        r[i] = (struct ranked_p){p[i], i};
    qsort(r, n, sizeof *r, compare_ranked);
    return r;
}

/* Holm's step-down adjustment (S. Holm, "A simple sequentially rejective multiple test
 * procedure", Scand. J. Stat. 6, 1979), as R's p.adjust(method = "holm"):
 * adjusted p_(i) = min(1, max_{j <= i} (m - j + 1) p_(j)) over the ascending order. Tied
 * p-values get equal adjusted values whatever their order. Every p is read (into the
 * ranking) before any adjusted value is written, so adjusted may alias p.
 *
 * The family has m >= n members; the m - n not given are untested comparisons at p = 1.
 * They sort after every given p (a given p of 1 ties with them, and any order of ties at 1
 * adjusts to 1), so the ranks 1..n of the given p-values are their ranks in the whole
 * family and the formula above needs only m: nothing of the padding is materialised. */
bool fg_stats_holm_family(const double *p, double *adjusted, size_t n, size_t m)
{
    if (n == 0)
        return true;
    if (m < n)
        m = n;
    struct ranked_p *r = rank_p_values(p, n);
    if (!r)
        return false;
    double running = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = (double)(m - i) * r[i].p;
        running = v > running ? v : running;
        adjusted[r[i].index] = running < 1.0 ? running : 1.0;
    }
    free(r);
    return true;
}

bool fg_stats_holm(const double *p, double *adjusted, size_t n)
{
    return fg_stats_holm_family(p, adjusted, n, n);
}

/* Benjamini and Hochberg's step-up adjustment (Y. Benjamini and Y. Hochberg, "Controlling
 * the false discovery rate: a practical and powerful approach to multiple testing", JRSS
 * B 57, 1995), as R's p.adjust(method = "BH"): adjusted p_(i) = min(1, min_{j >= i}
 * (m / j) p_(j)) over the ascending order, computed from the largest down.
 *
 * With m - n untested comparisons at p = 1 (ranks n + 1..m, after every given p), each
 * padded term is (m / j) * 1 >= 1 since j <= m, so the running minimum, which starts at the
 * cap of 1, is still 1 when it reaches rank n: the padding changes the others' adjusted
 * values only through m in (m / j) p_(j). Nothing of the padding is materialised. */
bool fg_stats_bh_family(const double *p, double *adjusted, size_t n, size_t m)
{
    if (n == 0)
        return true;
    if (m < n)
        m = n;
    struct ranked_p *r = rank_p_values(p, n);
    if (!r)
        return false;
    double running = 1.0;
    for (size_t i = n; i-- > 0;) {
        double v = ((double)m / (double)(i + 1)) * r[i].p;
        running = v < running ? v : running;
        adjusted[r[i].index] = running;
    }
    free(r);
    return true;
}

bool fg_stats_bh(const double *p, double *adjusted, size_t n)
{
    return fg_stats_bh_family(p, adjusted, n, n);
}

/* ---- random numbers ---- */

/* splitmix64 (G. Steele, D. Lea and C. Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014; Vigna's reference splitmix64.c), used as Blackman and Vigna
 * recommend to fill xoshiro's state: four consecutive outputs are never all zero. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void fg_rng_seed(struct fg_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (D. Blackman and S. Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 47, 2021; reference xoshiro256starstar.c). Integer only, so the
 * sequence is the same on every platform. */
uint64_t fg_rng_next(struct fg_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* The top 53 bits scaled by 2^-53 (Vigna's recommended conversion): exact multiples of
 * 2^-53 in [0, 1). */
double fg_rng_uniform(struct fg_rng *rng)
{
    return (double)(fg_rng_next(rng) >> 11) * 0x1p-53;
}

/* Stirling's correction fc(k) = log(k!) - (k + 1/2) log(k + 1) + (k + 1) - log(2 pi) / 2
 * (Hormann 1993, algorithm BTRD's fc): a table below 16 (evaluated at 40 digits), else
 * the series 1/(12 x) - 1/(360 x^3) + 1/(1260 x^5) - 1/(1680 x^7), x = k + 1, whose
 * error is below 1e-14 there. */
static double stirling_correction(double k)
{
    static const double table[16] = {
        0.08106146679532726,  0.0413406959554093,    0.02767792568499834,  0.020790672103765093,
        0.016644691189821193, 0.013876128823070748,  0.01189670994589177,  0.010411265261972096,
        0.009255462182712733, 0.00833056343336287,   0.007573675487951841, 0.00694284010720953,
        0.006408994188004207, 0.0059513701127588475, 0.005554733551962801, 0.0052076559196096404};
    if (k < 16.0)
        return table[(int)k];
    const double x = k + 1.0, x2 = x * x;
    return (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * x2)) / x2) / x2) / x;
}

/* log(f(k) / f(m)) for the Binomial(n, p) mass f, p = 1 - q, from Stirling's formula with
 * the exact correction fc: the (k + 1/2) log(k + 1) terms are combined by log1p and the
 * terms linear in k - m cancel into (k - m) log((n - k + 1) p / ((k + 1) q)), so nothing of
 * size n log n is subtracted: the error stays near 1e-12 even at n = 1e10, where a
 * difference of lgamma values would lose 1e-5 (the ulp of log(n!)). This is the
 * expression of Hormann's BTRD step 3.7, rearranged. */
static double binomial_log_ratio(double n, double p, double q, double k, double m)
{
    return (m + 0.5) * log1p((m - k) / (k + 1.0)) + (n - m + 0.5) * log1p((k - m) / (n - k + 1.0)) +
           (k - m) * log(((n - k + 1.0) * p) / ((k + 1.0) * q)) + stirling_correction(m) -
           stirling_correction(k) + stirling_correction(n - m) - stirling_correction(n - k);
}

/* Inversion by sequential search from 0 (Devroye, "Non-Uniform Random Variate Generation",
 * 1986, X.4.3), for n p < 10: f(0) = q^n = exp(n log1p(-p)) >= e^-20, and
 * f(x) = f(x - 1) (p / q) (n - x + 1) / x. Should rounding leave u above the summed mass,
 * the draw is rejected and redone, which keeps the law exact. */
static uint64_t binomial_inversion(struct fg_rng *rng, uint64_t n, double p)
{
    const double q = 1.0 - p, r = p / q, f0 = exp((double)n * log1p(-p));
    for (;;) {
        double u = fg_rng_uniform(rng), f = f0;
        uint64_t x = 0;
        for (;;) {
            if (u < f)
                return x;
            u -= f;
            if (x == n)
                break;
            x++;
            f *= r * (double)(n - x + 1) / (double)x;
            if (f == 0.0)
                break;
        }
    }
}

/* BTRS, transformed rejection with squeeze (W. Hormann, "The generation of binomial random
 * variates", J. Stat. Comput. Simul. 46, 1993, algorithm BTRS), for n p >= 10, p <= 1/2.
 * The acceptance test compares with log(f(k) / f(m)) from binomial_log_ratio in place of
 * the paper's h - log k! - log (n - k)! + (k - m) log(p / q), which is the same quantity. */
static uint64_t binomial_btrs(struct fg_rng *rng, uint64_t n, double p)
{
    const double nd = (double)n, q = 1.0 - p;
    const double spq = sqrt(nd * p * q);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = nd * p + 0.5;
    const double alpha = (2.83 + 5.1 / b) * spq;
    const double v_r = 0.92 - 4.2 / b;
    const double m = floor((nd + 1.0) * p);
    for (;;) {
        const double u = fg_rng_uniform(rng) - 0.5;
        double v = fg_rng_uniform(rng);
        const double us = 0.5 - fabs(u);
        const double k = floor((2.0 * a / us + b) * u + c);
        if (!(k >= 0.0 && k <= nd))
            continue;
        if (us >= 0.07 && v <= v_r)
            return (uint64_t)k;
        v = log(v * alpha / (a / (us * us) + b));
        if (v <= binomial_log_ratio(nd, p, q, k, m))
            return (uint64_t)k;
    }
}

/* Binomial(n, p): p > 1/2 by symmetry (n - Binomial(n, 1 - p)), so the samplers only see
 * p <= 1/2; p <= 0 gives 0 and p >= 1 gives n. */
uint64_t fg_rng_binomial(struct fg_rng *rng, uint64_t n, double p)
{
    if (n == 0 || !(p > 0.0))
        return 0;
    if (p >= 1.0)
        return n;
    if (p > 0.5)
        return n - fg_rng_binomial(rng, n, 1.0 - p);
    if ((double)n * p < 10.0)
        return binomial_inversion(rng, n, p);
    return binomial_btrs(rng, n, p);
}

/* Conditional binomials (e.g. Devroye 1986, XI.1.4): out[i] ~ Binomial(n left, w[i] / weight
 * left). The last category with weight left takes all that is left, so the total is
 * exactly n; zero weights get 0 and draw nothing. All weights zero: out is all 0 (there
 * is nowhere to put n; a bootstrap of an empty group has n == 0). */
void fg_rng_multinomial(struct fg_rng *rng, uint64_t n, const uint64_t *weights, size_t k,
                        uint64_t *out)
{
    uint64_t weight_left = 0, n_left = n;
    for (size_t i = 0; i < k; i++)
        weight_left += weights[i];
    for (size_t i = 0; i < k; i++) {
        uint64_t x = 0;
        if (weights[i] > 0 && n_left > 0) {
            x = weights[i] >= weight_left
                    ? n_left
                    : fg_rng_binomial(rng, n_left, (double)weights[i] / (double)weight_left);
            n_left -= x;
        }
        weight_left -= weights[i];
        out[i] = x;
    }
}

/* ---- quantiles ---- */

static int compare_double(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    if (isnan(a) != isnan(b))
        return isnan(a) ? 1 : -1;
    return (a > b) - (a < b);
}

/* Hyndman and Fan type 7 (R. J. Hyndman and Y. Fan, "Sample quantiles in statistical
 * packages", Am. Stat. 50, 1996; R's default, numpy's "linear"): h = (n - 1) q,
 * x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). n == 0 is outside the
 * precondition and gives NaN. */
double fg_stats_quantile(double *values, size_t n, double q)
{
    if (n == 0)
        return NAN;
    qsort(values, n, sizeof *values, compare_double);
    q = q > 0.0 ? (q < 1.0 ? q : 1.0) : 0.0;
    const double h = (double)(n - 1) * q;
    const size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return values[n - 1];
    return values[i] + (h - (double)i) * (values[i + 1] - values[i]);
}
