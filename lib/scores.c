/*
 * scores.c - the score metrics of one group and model: auc, brier and calibration_gap.
 *
 * Input: the group's scores split by the label, negatives (y_true is not the positive label,
 * y = 0) and positives (y = 1). Both arrays are sorted in place; every statistic is then a
 * walk over the sorted arrays, so a group costs O(n log n) for the sort and O(n) after it,
 * with no memory beyond the arrays the caller owns.
 *
 * Orientation (policy data.candidate.favorable): y = 1 is the favourable outcome.
 * - favorable: above: a high score is the favourable decision, so the score predicts y:
 *   auc ranks by score and the outcome t compared with the score is t = y.
 * - favorable: below: a low score is the favourable decision: auc ranks by -score, and the
 *   score predicts the unfavourable outcome, t = 1 - y.
 *
 * Definitions:
 * - auc: the Mann-Whitney U statistic over n_pos * n_neg, ties counted 1/2 (Mann & Whitney
 *   1947; Hanley & McNeil 1982, Radiology 143:29-36): the probability that a random positive
 *   ranks above a random negative. Equals sklearn.metrics.roc_auc_score and Fairlearn's
 *   per-group roc_auc_score through MetricFrame. 2U is an exact integer here.
 * - brier: mean over rows of (score - t)^2 (Brier 1950, Monthly Weather Review 78:1-3; equals
 *   sklearn.metrics.brier_score_loss with pos_label the outcome the score predicts).
 * - calibration_gap: expected calibration error over B equal-width bins of [0, 1]
 *   (Naeini, Cooper & Hauskrecht 2015, AAAI; Guo et al. 2017, ICML, eq. 3):
 *   sum over non-empty bins b of (n_b / n) |mean(score in b) - mean(t in b)|,
 *   computed as sum_b |sum(score in b) - sum(t in b)| / n. Bin b holds the scores in
 *   [e_b, e_(b+1)) with e_b the double nearest b/B (so a score written "0.3" lands in
 *   [0.3, 0.4) when B = 10, as a person expects); the last bin also holds 1.0. (Guo et
 *   al. use half-open bins the other way round, (lo, hi]; only scores on an edge differ.)
 *
 * Curves for the report (fg_score_curves_compute, only for groups of a score gate), from the
 * same sorted arrays:
 * - the reliability diagram: calibration_gap's own bins, each non-empty one with its edges,
 *   row count, mean score and observed rate of t (so the diagram and the gap agree);
 * - the ROC curve, thinned to at most FG_ROC_MAX_POINTS = 101 vertices: the full curve has a
 *   vertex per distinct score (walked from the favourable end, ties as one step); (0, 0) and
 *   (1, 1) are always kept, and in between a vertex is kept when the curve's L1 length
 *   fpr + tpr (0 to 2) has passed a new multiple of 1/50 since the last vertex kept. So at
 *   most 99 vertices lie between the ends, and the polyline through the kept vertices stays
 *   within 0.02 (L1) of the curve except across a single tie step, which is drawn exactly.
 *
 * Sums use Neumaier's compensated summation over the sorted arrays, so the result does not
 * depend on the order in which rows arrived (determinism of the audit, DESIGN section 5).
 * brier and calibration_gap are NaN when a score lies outside [0, 1] (ingest rejects such
 * scores when those metrics are gated).
 *
 * Ownership: fg_score_stats_compute allocates nothing; fg_score_curves_compute returns curves
 * the caller frees with fg_score_curves_free.
 */
#include "scores.h"
#include "policy.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

/* ---- sorting ---- */

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static void sift_down(double *v, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && v[child + 1] > v[child])
            child++;
        if (!(v[child] > v[root]))
            return;
        swap(&v[child], &v[root]);
        root = child;
    }
}

static void heap_sort(double *v, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(v, i, n);
    for (size_t end = n; end-- > 1;) {
        swap(&v[0], &v[end]);
        sift_down(v, 0, end);
    }
}

/* Quicksort with a median-of-three pivot and Hoare partitioning, recursing into the smaller
 * part only; heapsort past 2 log2(n) levels (Musser 1997, "Introspective sorting"). */
static void intro_sort(double *v, size_t n, unsigned depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            heap_sort(v, n);
            return;
        }
        size_t mid = n / 2;
        if (v[mid] < v[0])
            swap(&v[mid], &v[0]);
        if (v[n - 1] < v[0])
            swap(&v[n - 1], &v[0]);
        if (v[n - 1] < v[mid])
            swap(&v[n - 1], &v[mid]);
        double pivot = v[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            swap(&v[i], &v[j]);
            i++;
            j--;
        }
        /* v[0..j] <= pivot <= v[j+1..n) */
        size_t left = j + 1, right = n - left;
        if (left < right) {
            intro_sort(v, left, depth);
            v += left;
            n = right;
        } else {
            intro_sort(v + left, right, depth);
            n = left;
        }
    }
    insertion_sort(v, n);
}

void fg_scores_sort(double *values, size_t n)
{
    unsigned depth = 0;
    for (size_t k = n; k > 1; k >>= 1)
        depth += 2;
    intro_sort(values, n, depth);
}

/* ---- compensated sums ---- */

void fg_ksum_add(struct fg_ksum *sum, double x)
{
    /* Neumaier (1974): the rounding error of each addition is kept in c. */
    double t = sum->s + x;
    if (fabs(sum->s) >= fabs(x))
        sum->c += (sum->s - t) + x;
    else
        sum->c += (x - t) + sum->s;
    sum->s = t;
}

double fg_ksum_value(const struct fg_ksum *sum)
{
    return sum->s + sum->c;
}

/* ---- the statistics ---- */

/* Twice the Mann-Whitney U of the positives over the negatives by score:
 * sum over positives p of 2 * #{negatives < p} + #{negatives == p}. Both sorted. */
static uint64_t twice_u(const double *neg, size_t n_neg, const double *pos, size_t n_pos)
{
    uint64_t u2 = 0;
    size_t below = 0, up_to = 0; /* negatives < p, negatives <= p */
    for (size_t k = 0; k < n_pos; k++) {
        double p = pos[k];
        while (below < n_neg && neg[below] < p)
            below++;
        if (up_to < below)
            up_to = below;
        while (up_to < n_neg && neg[up_to] <= p)
            up_to++;
        u2 += (uint64_t)below + (uint64_t)up_to;
    }
    return u2;
}

/* The bin of score s among bins equal-width bins (see the top of the file). */
static size_t bin_of(double s, unsigned bins)
{
    if (!(s > 0))
        return 0;
    if (s >= 1)
        return bins - 1;
    double guess = floor(s * bins);
    size_t b = guess < 0 ? 0 : guess > bins - 1 ? bins - 1 : (size_t)guess;
    while (b > 0 && s < (double)b / bins)
        b--;
    while (b + 1 < bins && s >= (double)(b + 1) / bins)
        b++;
    return b;
}

/* sum over bins of |sum(score) - sum(t)|, n times the expected calibration error. t_neg and
 * t_pos: the outcome t of the negatives and of the positives (0 or 1). When out is not NULL,
 * each non-empty bin is also written to out[0..*n_out) (room for min(n, bins) bins). */
static double calibration_walk(const double *neg, size_t n_neg, const double *pos, size_t n_pos,
                               double t_neg, double t_pos, unsigned bins,
                               struct fg_calibration_bin *out, size_t *n_out)
{
    struct fg_ksum gap = {0, 0};
    size_t i = 0, j = 0, used = 0;
    while (i < n_neg || j < n_pos) {
        size_t b = bins;
        if (i < n_neg)
            b = bin_of(neg[i], bins);
        if (j < n_pos) {
            size_t bp = bin_of(pos[j], bins);
            b = bp < b ? bp : b;
        }
        struct fg_ksum scores = {0, 0};
        size_t in_neg = 0, in_pos = 0;
        for (; i < n_neg && bin_of(neg[i], bins) == b; i++, in_neg++)
            fg_ksum_add(&scores, neg[i]);
        for (; j < n_pos && bin_of(pos[j], bins) == b; j++, in_pos++)
            fg_ksum_add(&scores, pos[j]);
        double outcomes = t_neg * (double)in_neg + t_pos * (double)in_pos;
        double in_bin = (double)(in_neg + in_pos);
        fg_ksum_add(&gap, fabs(fg_ksum_value(&scores) - outcomes));
        if (out != NULL)
            out[used++] = (struct fg_calibration_bin){
                .low = (double)b / bins,
                .high = (double)(b + 1) / bins,
                .n = (uint64_t)(in_neg + in_pos),
                .mean_score = fg_ksum_value(&scores) / in_bin,
                .observed = outcomes / in_bin,
            };
    }
    if (n_out != NULL)
        *n_out = used;
    return fg_ksum_value(&gap);
}

void fg_score_stats_compute(double *negatives, size_t n_neg, double *positives, size_t n_pos,
                            enum fg_favorable favorable, unsigned bins, struct fg_score_stats *out)
{
    if (bins == 0)
        bins = FG_DEFAULT_BINS;
    fg_scores_sort(negatives, n_neg);
    fg_scores_sort(positives, n_pos);
    bool above = favorable == FG_FAVORABLE_ABOVE;
    uint64_t n = (uint64_t)n_neg + (uint64_t)n_pos;
    *out = (struct fg_score_stats){.present = true, .n = n, .positives = n_pos};

    out->auc_defined = n_neg > 0 && n_pos > 0;
    if (out->auc_defined) {
        /* 2 * n_pos * n_neg <= 2^63 under FG_MAX_SCORED_ROWS: exact in uint64. Ranking by
         * -score turns "positive above" into "positive below": 2U' = 2 n_pos n_neg - 2U. */
        uint64_t pairs2 = 2 * (uint64_t)n_pos * (uint64_t)n_neg;
        uint64_t u2 = twice_u(negatives, n_neg, positives, n_pos);
        if (!above)
            u2 = pairs2 - u2;
        out->auc = (double)u2 / (double)pairs2;
    }

    if (n == 0)
        return;
    double lowest = 1, highest = 0;
    if (n_neg > 0) {
        lowest = negatives[0];
        highest = negatives[n_neg - 1];
    }
    if (n_pos > 0) {
        lowest = positives[0] < lowest ? positives[0] : lowest;
        highest = positives[n_pos - 1] > highest ? positives[n_pos - 1] : highest;
    }
    if (lowest < 0 || highest > 1) {
        out->brier = NAN;
        out->calibration_gap = NAN;
        return;
    }
    double t_neg = above ? 0.0 : 1.0, t_pos = above ? 1.0 : 0.0;
    struct fg_ksum squares = {0, 0};
    for (size_t k = 0; k < n_neg; k++)
        fg_ksum_add(&squares, (negatives[k] - t_neg) * (negatives[k] - t_neg));
    for (size_t k = 0; k < n_pos; k++)
        fg_ksum_add(&squares, (positives[k] - t_pos) * (positives[k] - t_pos));
    out->brier = fg_ksum_value(&squares) / (double)n;
    out->calibration_gap =
        calibration_walk(negatives, n_neg, positives, n_pos, t_neg, t_pos, bins, NULL, NULL) /
        (double)n;
}

/* ---- curves: the reliability diagram's bins and the ROC curve ---- */

/* True when the sorted scores all lie in [0, 1] (else calibration is not defined). */
static bool in_unit_range(const double *neg, size_t n_neg, const double *pos, size_t n_pos)
{
    return (n_neg == 0 || (neg[0] >= 0 && neg[n_neg - 1] <= 1)) &&
           (n_pos == 0 || (pos[0] >= 0 && pos[n_pos - 1] <= 1));
}

/* Which 1/50 step of the L1 length along the curve the point (fp, tp) has reached: 0 at
 * (0, 0), 100 at (1, 1). */
static unsigned roc_step(uint64_t fp, uint64_t n_neg, uint64_t tp, uint64_t n_pos)
{
    double length = (double)fp / (double)n_neg + (double)tp / (double)n_pos;
    double step = floor(length * 50.0 + 1e-9);
    return step < 0 ? 0 : step > 100 ? 100 : (unsigned)step;
}

bool fg_roc_keep(uint64_t fp, uint64_t n_neg, uint64_t tp, uint64_t n_pos, bool last,
                 unsigned *last_step)
{
    unsigned step = roc_step(fp, n_neg, tp, n_pos);
    if (!last && !(step > *last_step && step < 100))
        return false;
    *last_step = step;
    return true;
}

/* The ROC vertices from the favourable end of the sorted scores: after each distinct score s
 * every row at s or further towards the favourable end is predicted favourable. Thinned as
 * the header says; out has room for FG_ROC_MAX_POINTS. */
static size_t roc_walk(const double *neg, size_t n_neg, const double *pos, size_t n_pos, bool above,
                       struct fg_roc_point *out)
{
    size_t used = 0, i = 0, j = 0; /* rows consumed from the favourable end */
    unsigned last_step = 0;
    out[used++] = (struct fg_roc_point){0.0, 0.0, false, 0.0};
    while (i < n_neg || j < n_pos) {
        /* the next score from the favourable end: the largest (above) or smallest (below) */
        double s = 0;
        bool have = false;
        if (i < n_neg) {
            s = above ? neg[n_neg - 1 - i] : neg[i];
            have = true;
        }
        if (j < n_pos) {
            double p = above ? pos[n_pos - 1 - j] : pos[j];
            s = !have ? p : above ? fmax(s, p) : fmin(s, p);
        }
        while (i < n_neg && (above ? neg[n_neg - 1 - i] : neg[i]) == s)
            i++;
        while (j < n_pos && (above ? pos[n_pos - 1 - j] : pos[j]) == s)
            j++;
        bool last = i == n_neg && j == n_pos;
        if (fg_roc_keep(i, n_neg, j, n_pos, last, &last_step))
            out[used++] = (struct fg_roc_point){(double)i / (double)n_neg,
                                                (double)j / (double)n_pos, true, s};
    }
    return used;
}

enum fg_status fg_score_curves_new(unsigned bins, bool calibration_defined, bool roc_defined,
                                   size_t room_bins, size_t room_roc, struct fg_score_curves **out,
                                   struct fg_error *err)
{
    *out = NULL;
    struct fg_score_curves *c = calloc(1, sizeof *c);
    if (c == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    c->bins = bins;
    c->calibration_defined = calibration_defined;
    c->roc_defined = roc_defined;
    if (c->calibration_defined)
        c->bin = malloc(room_bins * sizeof *c->bin);
    if (c->roc_defined)
        c->roc = malloc(room_roc * sizeof *c->roc);
    if ((c->calibration_defined && c->bin == NULL) || (c->roc_defined && c->roc == NULL)) {
        fg_score_curves_free(c);
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    *out = c;
    return FG_OK;
}

enum fg_status fg_score_curves_compute(const double *negatives, size_t n_neg,
                                       const double *positives, size_t n_pos,
                                       enum fg_favorable favorable, unsigned bins,
                                       struct fg_score_curves **out, struct fg_error *err)
{
    *out = NULL;
    if (bins == 0)
        bins = FG_DEFAULT_BINS;
    size_t n = n_neg + n_pos;
    size_t room_bins = n < bins ? n : bins;
    size_t room_roc = n + 1 < FG_ROC_MAX_POINTS ? n + 1 : FG_ROC_MAX_POINTS;
    struct fg_score_curves *c = NULL;
    enum fg_status st =
        fg_score_curves_new(bins, n > 0 && in_unit_range(negatives, n_neg, positives, n_pos),
                            n_neg > 0 && n_pos > 0, room_bins, room_roc, &c, err);
    if (st != FG_OK)
        return st;
    bool above = favorable == FG_FAVORABLE_ABOVE;
    if (c->calibration_defined)
        calibration_walk(negatives, n_neg, positives, n_pos, above ? 0.0 : 1.0, above ? 1.0 : 0.0,
                         bins, c->bin, &c->n_bins);
    if (c->roc_defined)
        c->n_roc = roc_walk(negatives, n_neg, positives, n_pos, above, c->roc);
    *out = c;
    return FG_OK;
}

void fg_score_curves_free(struct fg_score_curves *curves)
{
    if (curves == NULL)
        return;
    free(curves->bin);
    free(curves->roc);
    free(curves);
}
