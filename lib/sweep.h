/*
 * sweep.h - the threshold sweep (lib/sweep.c) as a table, and what renders it: the CSV
 * (lib/sweep.c) and the HTML page (lib/report_sweep.c). Every decision (status, worst value,
 * whether every blocking gate passes) is made by the gates (lib/gate.c) at each threshold and
 * written into the table; the renderers only format it.
 *
 * Ownership: a struct fg_sweep_table owns its arrays and strings (fg_sweep_table_free).
 */
#ifndef FAIRGATE_SWEEP_H
#define FAIRGATE_SWEEP_H

#include "fairgate.h"
#include "gate.h"
#include "policy.h"
#include "scorebins.h"

#include <stdbool.h>
#include <stddef.h>

/* Group x threshold confusion counts one sweep may hold (32 bytes each): a finer grid or
 * fewer groups past it. */
#define FG_SWEEP_MAX_CELLS ((size_t)1 << 22)

/* One gate of the policy, as the table shows it. */
struct fg_sweep_gate {
    char *id;
    bool blocking; /* enforce: block (an advisory gate never blocks) */
    bool overall;
    char *metric; /* "tpr difference", "overall accuracy" */
    bool has_min, has_max, has_max_worsening;
    double min, max, max_worsening;
};

/* One gate at one threshold: the gate's status and its worst result (gate.c's pick_worst). */
struct fg_sweep_cell {
    enum fg_result_status status;
    bool has_value; /* the worst result's candidate value (the audit's "value") */
    double value;
    bool has_worsening; /* vs_incumbent: its worsening against the incumbent */
    double worsening;
};

/* One threshold: E_edge (fg_score_edge). */
struct fg_sweep_point {
    int edge;
    bool accuracy_defined;
    double accuracy; /* the candidate's over the whole population */
    bool all_blocking_pass;
};

struct fg_sweep_table {
    char *policy_name;
    char *inputs;            /* what was read, for people: "rows of C.csv" */
    double policy_threshold; /* data.candidate.threshold */
    int policy_edge;         /* its grid edge when it is one below 1, else -1 */
    enum fg_favorable favorable;
    int grid_step; /* in bins */
    struct fg_sweep_gate *gates;
    size_t n_gates;
    struct fg_sweep_point *points; /* ascending edge */
    size_t n_points;
    struct fg_sweep_cell *cells; /* n_points x n_gates, point-major */
};

void fg_sweep_table_free(struct fg_sweep_table *table);
/* The next run of thresholds where every blocking gate passes: its first point at or after
 * from (t->n_points when there is none) and, in *last, its last. */
size_t fg_sweep_next_band(const struct fg_sweep_table *table, size_t from, size_t *last);
/* k / FG_SCORE_GRID in decimals, exactly: "0", "0.01", "0.5", "0.0001". */
void fg_sweep_threshold_text(int edge, char *buf, size_t size);
/* The CSV (README "Threshold sweep"): threshold, accuracy, then per gate <id>.value,
 * <id>.status (and <id>.worsening for a vs_incumbent gate), then all_blocking_pass; numbers
 * with the fewest digits that read back exactly, empty where undefined. */
FG_MUST_CHECK enum fg_status fg_sweep_render_csv(const struct fg_sweep_table *table, char **out,
                                                 struct fg_error *err);
/* The self-contained page (lib/report_sweep.c): a chart per gate (its worst value, or
 * worsening, against the threshold, with its bound) and one of accuracy, each with the band
 * of thresholds where every blocking gate passes shaded and the policy's threshold marked. */
FG_MUST_CHECK enum fg_status fg_report_sweep_html(const struct fg_sweep_table *table, char **out,
                                                  struct fg_error *err);

#endif /* FAIRGATE_SWEEP_H */
