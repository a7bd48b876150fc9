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
#include "policy.h"

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

/* ---- shared by override.c (judging) and approve.c (signing) ---- */

#define FG_SECONDS_PER_DAY 86400LL

/* Strict YYYY-MM-DD (a real calendar date) to days since 1970-01-01. */
bool fg_override_parse_date(const char *s, long long *days);
/* The UTC day (days since 1970-01-01) of a time in seconds since the epoch. */
long long fg_override_day_of(long long seconds);
/* seconds as YYYY-MM-DDTHH:MM:SSZ. */
void fg_override_format_timestamp(long long seconds, char out[32]);

/* The approver of the policy with that name, or NULL. */
const struct fg_approver *fg_override_find_approver(const struct fg_policy *policy,
                                                    const char *name);
/* The gate of the policy with that id (its index in *index when not NULL), or NULL. */
const struct fg_gate_spec *fg_override_find_gate(const struct fg_policy *policy, const char *id,
                                                 size_t *index);
/* False when overrides.not_overridable names the gate. */
bool fg_override_gate_overridable(const struct fg_policy *policy, const char *gate);
/* Loads the public key the policy pins for an approver: inline, or the file at its path
 * (relative to the folder of the policy file), which must be the pinned key. */
FG_MUST_CHECK enum fg_status fg_override_load_approver_key(const struct fg_policy *policy,
                                                           const struct fg_approver *approver,
                                                           struct fg_key **key,
                                                           struct fg_error *err);

/* A group named by its attributes (indices into data.protected) and values (owned). */
struct fg_slice {
    size_t n;
    size_t attrs[FG_MAX_PROTECTED];
    char *values[FG_MAX_PROTECTED];
};
void fg_slice_clear(struct fg_slice *sl);
/* Parses a group label as fg_group_label renders it ("sex=Female & race=Black", '\', '&'
 * and '=' escaped) into a slice of the policy, in the order of its attribute set;
 * FG_ERR_USAGE, naming --group, when it is not one. */
FG_MUST_CHECK enum fg_status fg_override_parse_group(const struct fg_policy *policy,
                                                     const char *label, struct fg_slice *sl,
                                                     struct fg_error *err);

#endif /* FAIRGATE_OVERRIDE_H */
