/*
 * policy.h - the validated policy (lib/policy.c): data columns, models, defaults, gates
 * and the override policy, as fg_policy_load builds them from YAML, plus the names of the
 * policy language's enums. The limits a policy may reach are here too.
 *
 * Ownership: every char * and array inside struct fg_policy is owned by it and released by
 * fg_policy_free; other modules only read a policy (gates borrow their struct fg_gate_spec).
 */
#ifndef FAIRGATE_POLICY_H
#define FAIRGATE_POLICY_H

#include "fairgate.h"
#include "metric.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits ---- */

#define FG_MAX_PROTECTED     16         /* protected attributes in one policy */
#define FG_MAX_INTERSECTIONS 32         /* intersections in one policy */
#define FG_MAX_GATES         256        /* gates in one policy */
#define FG_MAX_POLICY_BYTES  (1u << 20) /* policy file size */
#define FG_MAX_POLICY_DEPTH  32         /* YAML nesting depth */

/* ---- policy ---- */

/* signed_difference: group - reference (reference - group for the Clarify aliases that
 * subtract the facet from the rest, spec->reference_minus_group). */
enum fg_disparity {
    FG_DISPARITY_NONE,
    FG_DISPARITY_RATIO,
    FG_DISPARITY_DIFFERENCE,
    FG_DISPARITY_SIGNED_DIFFERENCE,
    FG_DISPARITY_VALUE /* a pair metric (class_imbalance, label_*): its own value, which already
                        * compares the group with the reference; 0 is parity */
};

enum fg_reference_kind {
    FG_REFERENCE_HIGHEST,        /* the group with the highest metric value (29 CFR 1607.4(D)) */
    FG_REFERENCE_LARGEST,        /* the group with the most rows */
    FG_REFERENCE_EXPLICIT,       /* a named value per protected attribute */
    FG_REFERENCE_BETWEEN_GROUPS, /* worst group over best group, one result per attribute */
    FG_REFERENCE_REST /* all other rows of the attribute set: the group's complement (Clarify's
                       * a for the facet d) */
};

enum fg_small_group { FG_SMALL_GROUP_FAIL, FG_SMALL_GROUP_WARN, FG_SMALL_GROUP_SKIP };
enum fg_missing { FG_MISSING_ERROR, FG_MISSING_DROP };
/* How two CSV files are matched: by data.id, or by position only when the policy says so. */
enum fg_join { FG_JOIN_UNSET, FG_JOIN_ID, FG_JOIN_POSITION };
enum fg_favorable { FG_FAVORABLE_ABOVE, FG_FAVORABLE_BELOW };

/* How a gate weighs uncertainty (README "Evidence"). */
enum fg_evidence {
    FG_EVIDENCE_POINT,       /* the bound applies to the point estimate (the default) */
    FG_EVIDENCE_SIGNIFICANT, /* fail only where the breach is significant after correction */
    FG_EVIDENCE_CONFIDENT    /* pass only where the whole interval satisfies the bound */
};
enum fg_correction { FG_CORRECTION_HOLM, FG_CORRECTION_BH, FG_CORRECTION_NONE };
/* Whether a gate's failure fails the verdict (block) or is only reported (warn: advisory). */
enum fg_enforce { FG_ENFORCE_BLOCK, FG_ENFORCE_WARN };

#define FG_DEFAULT_ALPHA     0.05
#define FG_DEFAULT_RESAMPLES 2000
#define FG_DEFAULT_SEED      20261202
#define FG_DEFAULT_BINS      10
#define FG_MAX_RESAMPLES     1000000
#define FG_MAX_BINS          1000
#define FG_MAX_GE_ALPHA      100 /* |ge_alpha| */

/* 1-based place in the policy file, for messages. */
struct fg_mark {
    unsigned long line;
    unsigned long column;
};

/* How one model's decision is read from a CSV row. Exactly one of prediction / score. */
struct fg_model_spec {
    bool present;     /* false: the policy names no such model */
    char *prediction; /* column holding the decision, compared with favorable_prediction */
    char *score;      /* column holding a score, compared with threshold */
    double threshold;
    enum fg_favorable favorable; /* above: score >= threshold; below: score < threshold */
    struct fg_mark column_mark;  /* where prediction or score names the column; line 0: unknown */
};

struct fg_reference {
    enum fg_reference_kind kind;
    /* FG_REFERENCE_EXPLICIT: values[i] is the reference value of protected[i]
     * (n_protected entries, each non-NULL); NULL for the other kinds. */
    char **values;
};

struct fg_gate_spec {
    char *id;
    char *description; /* free text from the policy, or NULL */
    enum fg_metric metric;
    const struct fg_metric_alias *alias; /* the peer's name it was given by, or NULL */
    bool reference_minus_group;          /* signed_difference as reference - group (alias) */
    bool overall;                        /* overall: {min,max} on the whole population */
    enum fg_disparity disparity;         /* NONE exactly when overall */
    bool has_min, has_max;
    double min, max;        /* bounds on the disparity (or the overall value) */
    bool has_max_worsening; /* vs_incumbent: {max_worsening} */
    double max_worsening;
    double ge_alpha; /* GE's alpha for the metrics that take one (ge_alpha, default 2), else 0 */
    size_t strata;   /* the metrics that take strata (fg_metric_takes_strata): the protected
                      * attribute (index into data.protected) whose values are the strata;
                      * 0 and unused for the others */
    struct fg_reference reference; /* the gate's own, or a copy of defaults.reference */
    uint64_t min_group_size;       /* the gate's own, or defaults.min_group_size */
    enum fg_small_group on_small_group;
    enum fg_evidence evidence;     /* the gate's own, or defaults.evidence */
    double alpha;                  /* in (0, 0.5]; intervals are at level 1 - alpha */
    enum fg_correction correction; /* across every comparison the gate makes */
    uint64_t resamples;            /* paired bootstrap of vs_incumbent: B */
    uint64_t seed;
    enum fg_enforce enforce; /* the gate's own, or defaults.enforce */
    struct fg_mark mark;     /* where the gate starts in the policy file */
};

/* An attribute set that is gated: one protected attribute alone, or an intersection. */
struct fg_attrset {
    size_t n;                       /* 1 for a protected attribute alone */
    size_t attrs[FG_MAX_PROTECTED]; /* indices into data.protected, in the order written */
};

/* An approver's key is pinned by the policy itself, so the policy's digest covers it:
 * either public_key is the PEM inline (keyid, when written, must be its id) or it is a path
 * and keyid is required; a key file whose id is not the pin is an error when it is read. */
struct fg_approver {
    char *name;
    char *role;
    char *public_key;    /* a path relative to the policy file's folder, or the PEM itself */
    bool inline_key;     /* public_key is the PEM ("-----BEGIN PUBLIC KEY-----...") */
    char keyid[65];      /* the pinned key id (fg_key_id): lowercase hex SHA-256 of the SPKI DER */
    struct fg_mark mark; /* where the approver's entry starts */
};

struct fg_override_policy {
    struct fg_approver *approvers;
    size_t n_approvers;
    uint64_t required_approvals; /* default 1 */
    uint64_t max_days;           /* default 30 */
    char **not_overridable;      /* gate ids; each names a gate of the policy */
    size_t n_not_overridable;
};

struct fg_policy {
    char *path;      /* as given to fg_policy_load, or the name given to fg_policy_parse */
    char sha256[65]; /* lowercase hex of the policy file's bytes */
    int version;     /* 1 */
    char *name;
    struct {
        char *id;             /* the column joining two CSVs; NULL: none */
        enum fg_join join;    /* data.join as written; UNSET: by id when there is one */
        char *label;          /* y_true column */
        char *positive_label; /* the favourable outcome's label value */
        char **protected;
        size_t n_protected;
        size_t (*intersections)[FG_MAX_PROTECTED]; /* each: indices into protected */
        size_t *intersection_sizes;
        size_t n_intersections;
        struct fg_model_spec candidate; /* always present */
        struct fg_model_spec incumbent; /* present == false when the policy names none */
        char *favorable_prediction;     /* required when a model reads a prediction column */
        enum fg_missing missing;
        char delimiter; /* default ',' */
        /* Where id, label and each protected attribute name their column, for messages
         * about the CSV (line 0: unknown, as in a policy not read from a file). */
        struct fg_mark id_mark, label_mark, protected_marks[FG_MAX_PROTECTED];
    } data;
    struct {
        struct fg_reference reference;      /* default highest */
        uint64_t min_group_size;            /* default 0 */
        enum fg_small_group on_small_group; /* default warn */
        enum fg_evidence evidence;          /* default point */
        double alpha;                       /* default 0.05 */
        enum fg_correction correction;      /* default holm */
        uint64_t resamples;                 /* default 2000 */
        uint64_t seed;                      /* default FG_DEFAULT_SEED */
        enum fg_enforce enforce;            /* default block */
    } defaults;
    /* Bins of calibration_gap (expected calibration error), shared by every gate that
     * uses it: default 10. */
    unsigned calibration_bins;
    struct fg_mark calibration_bins_mark; /* where bins was first set; line 0: not set */
    struct fg_gate_spec *gates;
    size_t n_gates;
    bool has_overrides;
    struct fg_override_policy overrides;
    /* lowercase hex SHA-256 of its canonical serialisation (lib/policy_canon.c): what the
     * policy means, whatever its comments, formatting or key order */
    char canonical_sha256[65];
};

/* The file an approver's public_key path names: relative to the folder of the policy file
 * at policy_path, unless absolute. False when it does not fit in size bytes. */
bool fg_approver_key_path(const char *policy_path, const char *public_key, char *out, size_t size);

/* Attribute sets in gating order: each protected attribute alone, then each intersection. */
size_t fg_policy_attrset_count(const struct fg_policy *policy);
void fg_policy_attrset(const struct fg_policy *policy, size_t index, struct fg_attrset *out);

/* Names of disparities, ... as written in the policy language. */
const char *fg_disparity_name(enum fg_disparity disparity);
const char *fg_reference_kind_name(enum fg_reference_kind kind);
const char *fg_small_group_name(enum fg_small_group mode);
const char *fg_evidence_name(enum fg_evidence evidence);
const char *fg_correction_name(enum fg_correction correction);
const char *fg_enforce_name(enum fg_enforce enforce);

#endif /* FAIRGATE_POLICY_H */
