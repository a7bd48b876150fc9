/*
 * override.h - signed overrides (lib/override.c): each override offered, verified against
 * the policy's approvers and applied to a failing gate or group, or rejected with a reason.
 *
 * Ownership: the override module alone allocates the records it attaches to an evaluation
 * (fg_override_apply) and frees them (fg_override_release).
 */
#ifndef FAIRGATE_OVERRIDE_H
#define FAIRGATE_OVERRIDE_H

#include "gate.h"

#include <stdbool.h>
#include <stddef.h>

/* One override offered with --override, and what became of it (lib/override.c). */
struct fg_override_record {
    char *path;                    /* the file it came from */
    char *gate, *group, *approver; /* from the payload; NULL when absent or unreadable */
    /* The group's slice from the payload (attribute -> value, distinct attributes), which
     * alone says what the override covers; has_slice is false for a whole-gate override. */
    bool has_slice;
    char **slice_attrs, **slice_values;
    size_t n_slice;
    char *role, *reason, *ticket;
    char *created, *expires;
    char keyid[65]; /* the key that verified it; "" when none did */
    bool applied;
    char why[512]; /* why rejected, or what it overrode */
};

/* Frees the override records fg_override_apply attached to ev (ev->overrides) and leaves
 * it with none. The override module owns those records: it alone allocates and frees them;
 * fg_evaluation_free calls this. */
void fg_override_release(struct fg_evaluation *ev);

#endif /* FAIRGATE_OVERRIDE_H */
