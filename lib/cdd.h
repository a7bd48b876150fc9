/*
 * cdd.h - conditional demographic disparity (lib/cdd.c), SageMaker Clarify's CDDL (of the
 * labels) and CDDPL (of the predictions): how much more of the rejected than of the accepted
 * rows a facet d holds, within each stratum of another attribute, weighted by the strata's
 * rows (Wachter, Mittelstadt, Russell 2021, "Why fairness cannot be automated").
 *
 * smclarify 0.5 src/smclarify/bias/metrics/common.py:89 CDD (pretraining.py:179 CDDL and
 * posttraining.py:259 CDDPL call it), over the rows of d and a (Clarify: the whole data set,
 * a being every row outside d):
 *   DD_i = n_d(0)_i / n(0)_i - n_d(1)_i / n(1)_i      (:123 A, :126 D, :127 D - A)
 *   CDD  = sum_i n_i DD_i / sum_i n_i                  (:120 n_i, :129)
 * with (0) the rejected (negative) rows, (1) the accepted (positive) rows and i over the strata
 * present. Clarify raises when the rows have no accepted or no rejected row (:106-:113) and
 * takes a stratum's share as 0 where the stratum has no accepted (or no rejected) row (:123,
 * :126: 0/0 = 0); fairgate gives no value in both cases, with the reason, never that 0.
 *
 * The strata attribute is a protected attribute of the policy, so that the cells of the
 * counts table (rows, counts files, `fairgate sql`) already carry it. Nothing here is kept
 * past a call; a why is a static string.
 */
#ifndef FAIRGATE_CDD_H
#define FAIRGATE_CDD_H

#include "fairgate.h"
#include "inequality.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One stratum's rows: [0] rejected, [1] accepted; facet = of d, rows = of d and a. */
struct fg_cdd_stratum {
    uint64_t facet[2];
    uint64_t rows[2];
};

/* CDD of n strata. Undefined, with why, without rows, without an accepted or a rejected row,
 * or where a stratum with rows has no accepted or no rejected row: then *bad is that
 * stratum's index (else SIZE_MAX). Strata without rows weigh 0 and are skipped. */
struct fg_index fg_cdd(const struct fg_cdd_stratum *strata, size_t n, size_t *bad);

/* Which outcome is accepted: the label (CDDL), or a model's prediction (CDDPL). */
enum fg_cdd_outcome { FG_CDD_LABEL, FG_CDD_CANDIDATE, FG_CDD_INCUMBENT };

/* Facet d (values facet[k] of attributes attrs[k], k < n_attrs) against the reference group
 * (values reference[k]) or, when reference is NULL, every row; strata over the values of
 * attribute strata_attr; all attribute indices as the counts' (the policy's protected). */
struct fg_cdd_query {
    const struct fg_counts *counts;
    const size_t *attrs;
    size_t n_attrs;
    const char *const *facet;
    const char *const *reference;
    size_t strata_attr;
    enum fg_cdd_outcome outcome;
};

/* CDD of a query from the counts' cells into *out. Undefined as fg_cdd (*bad the stratum's
 * value id of strata_attr). FG_ERR_NOMEM when memory for the strata runs out, FG_ERR_USAGE
 * for more than FG_MAX_PROTECTED attributes: an error, never a value that reads as too
 * little data. */
FG_MUST_CHECK enum fg_status fg_cdd_of_counts(const struct fg_cdd_query *query,
                                              struct fg_index *out, size_t *bad,
                                              struct fg_error *err);

#endif /* FAIRGATE_CDD_H */
