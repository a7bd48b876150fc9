/*
 * counts.h - the cell table (lib/counts.c): rows reduced to counts per (protected values,
 * y_true, candidate, incumbent), with the scores of the score metrics when asked. Ingest
 * and the counts file (lib/counts_io.c) fill it; metrics read it.
 *
 * Ownership: the table owns its interned values, cells and scores (fg_counts_free); the
 * pointers it hands out (value ids, values, scores) are borrowed until it changes or is freed.
 */
#ifndef FAIRGATE_COUNTS_H
#define FAIRGATE_COUNTS_H

#include "fairgate.h"

struct fg_score_bins;

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits ---- */

#define FG_MAX_GROUP_VALUES 4096       /* distinct values of one protected attribute */
#define FG_MAX_CELLS        (1u << 22) /* cells in one counts table */

/* ---- the counts file (lib/counts_io.c) ---- */

/* The text that starts a y_true, candidate or incumbent field in place of 0 or 1, followed
 * by the value as the engine wrote it, where the query of `fairgate sql` (lib/sql.c) found
 * the positive label or the favourable prediction written otherwise (fg_written_otherwise):
 * as on the rows, such a value is refused, never counted as the other value. */
#define FG_COUNTS_OTHERWISE "written otherwise: "

/* The text that starts such a field where the query found a third value in the label or
 * prediction column: FG_COUNTS_THIRD <value> FG_COUNTS_THIRD_OTHER <other value> ")", the
 * other value being the column's least value that is neither positive nor missing. As on
 * the rows, a column has two values: refused, never counted as the other value. */
#define FG_COUNTS_THIRD       "third value: "
#define FG_COUNTS_THIRD_OTHER " (other: "

/* ---- counts: the cell table (lib/counts.c) ----
 *
 * A cell is (value id of each protected attribute, y_true, candidate, incumbent) with a
 * count. Value ids are interned per attribute, dense from 0 in order of first sight.
 * Without an incumbent every cell's incumbent bit is 0 and has_incumbent is false. */

struct fg_cell {
    const uint32_t *value_ids; /* n_attrs ids, owned by the table */
    unsigned y_true : 1;
    unsigned candidate : 1;
    unsigned incumbent : 1;
    uint64_t count;
};

FG_MUST_CHECK enum fg_status fg_counts_new(size_t n_attrs, bool has_incumbent,
                                           struct fg_counts **out, struct fg_error *err);
size_t fg_counts_attr_count(const struct fg_counts *counts);
bool fg_counts_has_incumbent(const struct fg_counts *counts);
/* Interns value (len bytes, need not be NUL-terminated) of attribute attr. */
FG_MUST_CHECK enum fg_status fg_counts_intern(struct fg_counts *counts, size_t attr,
                                              const char *value, size_t len, uint32_t *id,
                                              struct fg_error *err);
size_t fg_counts_value_count(const struct fg_counts *counts, size_t attr);
const char *fg_counts_value(const struct fg_counts *counts, size_t attr, uint32_t id);
/* Adds n to the cell (value_ids, y_true, candidate, incumbent). */
FG_MUST_CHECK enum fg_status fg_counts_add(struct fg_counts *counts, const uint32_t *value_ids,
                                           int y_true, int candidate, int incumbent, uint64_t n,
                                           struct fg_error *err);
/* Cells in order of first insertion; index < fg_counts_cell_count. */
size_t fg_counts_cell_count(const struct fg_counts *counts);
void fg_counts_cell(const struct fg_counts *counts, size_t index, struct fg_cell *out);
/* Adds every cell of src to dst (values matched by string). Same n_attrs required. */
FG_MUST_CHECK enum fg_status fg_counts_merge(struct fg_counts *dst, const struct fg_counts *src,
                                             struct fg_error *err);
uint64_t fg_counts_total(const struct fg_counts *counts);
/* The cells in canonical order, whatever order they were added in: by value (bytewise,
 * attribute by attribute), then y_true, candidate, incumbent. *order receives
 * fg_counts_cell_count indices, malloc'd. The paired bootstrap draws cells in this order, so
 * that the same rows in any order, or their counts file, give the same resamples. */
FG_MUST_CHECK enum fg_status fg_counts_canonical_order(const struct fg_counts *counts,
                                                       size_t **order, struct fg_error *err);

/* Scores, for the score metrics (auc, calibration_gap, brier) only. A table asked to keep a
 * model's scores holds, in every cell, one double per row of that cell (so a cell's count is
 * always the number of its scores): memory O(rows), 8 bytes a row per kept model (plus
 * growth slack of at most 50%, reserved but mostly never touched), and fg_metrics_compute
 * adds one buffer of 8 bytes a row while it runs. A table that keeps no scores costs nothing
 * more than before. */
#define FG_MAX_SCORED_ROWS ((uint64_t)1 << 32) /* rows whose scores one table keeps */

/* Asks an empty table (no cell yet) to keep the candidate's and/or the incumbent's scores. */
FG_MUST_CHECK enum fg_status fg_counts_keep_scores(struct fg_counts *counts, bool candidate,
                                                   bool incumbent, struct fg_error *err);
bool fg_counts_has_scores(const struct fg_counts *counts, bool incumbent);
/* Adds one row to the cell (value_ids, y_true, candidate, incumbent) with its scores (finite;
 * the score of a model whose scores are not kept is ignored). A table that keeps scores takes
 * rows only this way (or by fg_counts_merge): fg_counts_add refuses n > 0 on it. */
FG_MUST_CHECK enum fg_status fg_counts_add_scored(struct fg_counts *counts,
                                                  const uint32_t *value_ids, int y_true,
                                                  int candidate, int incumbent,
                                                  double candidate_score, double incumbent_score,
                                                  struct fg_error *err);
/* The scores of cell index for one model, in order of addition, *n of them (the cell's
 * count); NULL with *n = 0 when that model's scores are not kept. Borrowed like value_ids. */
const double *fg_counts_cell_scores(const struct fg_counts *counts, size_t index, bool incumbent,
                                    size_t *n);

/* The score bins the table holds (lib/scorebins.h), finished; NULL when it holds none. */
struct fg_score_bins *fg_counts_bins(const struct fg_counts *counts);
/* Gives bins to the table, which frees them (and any it held before) from then on. */
void fg_counts_set_bins(struct fg_counts *counts, struct fg_score_bins *bins);

/* The id of value (len bytes) of attribute attr, when the table holds it: true and *id.
 * Reads only (lib/ingest_parallel.c asks before a merge whether it would pass a limit). */
bool fg_counts_find_value(const struct fg_counts *counts, size_t attr, const char *value,
                          size_t len, uint32_t *id);

#endif /* FAIRGATE_COUNTS_H */
