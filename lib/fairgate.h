/*
 * fairgate.h - the public API of libfairgate, a fairness gate for ML release pipelines.
 *
 * The pipeline (DESIGN.md section 1), in call order:
 *
 *   fg_policy_load      YAML policy -> validated struct fg_policy
 *   fg_ingest_run       CSV rows    -> struct fg_counts (cell table, streaming)
 *   fg_metrics_compute  counts      -> struct fg_metrics (per-group confusion counts)
 *   fg_gate_evaluate    policy x metrics -> struct fg_evaluation (results, verdict)
 *   fg_audit_render     everything  -> audit JSON (DESIGN section 5)
 *
 * Ownership: every fg_x_new / fg_x_load / fg_x_run that returns FG_OK gives the caller a
 * handle to release with the matching fg_x_free; fg_x_free(NULL) is a no-op. Functions
 * take const pointers to what they only read and never keep pointers to their arguments
 * past the call, except where a comment says a result borrows from an argument.
 *
 * Errors: a fallible function returns enum fg_status and, on failure, fills the caller's
 * struct fg_error. The library never prints and never exits.
 */
#ifndef FAIRGATE_H
#define FAIRGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FG_VERSION "0.1.0"

#if defined(__GNUC__)
#define FG_MUST_CHECK   __attribute__((warn_unused_result))
#define FG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FG_MUST_CHECK
#define FG_PRINTF(a, b)
#endif

/* ---- status and errors ---- */

enum fg_status {
    FG_OK = 0,
    FG_ERR_USAGE,  /* a caller passed something that makes no sense */
    FG_ERR_POLICY, /* the policy is invalid */
    FG_ERR_INPUT,  /* an input file is malformed */
    FG_ERR_IO,     /* a file could not be read or written */
    FG_ERR_NOMEM,  /* out of memory */
    FG_ERR_LIMIT   /* a size limit was exceeded */
};

/* Where and what went wrong. file is empty and line/column are 0 when not applicable. */
struct fg_error {
    enum fg_status code;
    char file[512];
    unsigned long line;   /* 1-based; 0 = none */
    unsigned long column; /* 1-based; 0 = none */
    char message[768];
};

/* "file:line:col: message" (parts that are unset are left out) into buf. */
void fg_error_format(const struct fg_error *err, char *buf, size_t size);

/* The closest of candidates[0..n) to word within a small distance, or NULL: the hint of a
 * "did you mean" (a metric, a column, an option of the CLI). */
const char *fg_did_you_mean(const char *word, const char *const *candidates, size_t n);

/* ---- policy (lib/policy.c) ---- */

struct fg_policy;

/* Reads and strictly validates the YAML policy at path. */
FG_MUST_CHECK enum fg_status fg_policy_load(const char *path, struct fg_policy **out,
                                            struct fg_error *err);
/* The same from memory; name is used in error messages. */
FG_MUST_CHECK enum fg_status fg_policy_parse(const char *name, const char *text, size_t len,
                                             struct fg_policy **out, struct fg_error *err);
/* As fg_policy_load, for `fairgate lint`: when an approver names its key by path without
 * pinning it (keyid), it reads that key file to put the exact line to add in the error. */
FG_MUST_CHECK enum fg_status fg_policy_lint(const char *path, struct fg_policy **out,
                                            struct fg_error *err);
void fg_policy_free(struct fg_policy *policy);
/* Lowercase hex SHA-256 of the policy bytes that were parsed (borrowed from policy). */
const char *fg_policy_sha256(const struct fg_policy *policy);
/* Lowercase hex SHA-256 of the policy's canonical serialisation (fg_policy_canonical;
 * borrowed from policy): the same for two files that say the same thing with other
 * comments, formatting or key order, and for a default written out or left out. */
const char *fg_policy_canonical_sha256(const struct fg_policy *policy);
/* The canonical serialisation of the parsed policy (README "The policy's canonical digest"):
 * JSON without whitespace, keys sorted, effective values; a malloc'd string in *out. */
FG_MUST_CHECK enum fg_status fg_policy_canonical(const struct fg_policy *policy, char **out,
                                                 struct fg_error *err);
/* What a person should know about a valid policy: one line per remark,
 * "file:line:col: warning: ...\n" (e.g. a vs_incumbent gate in a policy that names no
 * incumbent, which is never evaluated; every gate advisory, so none can fail). Returns a malloc'd
 * string, "" when there is nothing to say, or NULL when out of memory. */
char *fg_policy_warnings(const struct fg_policy *policy);

/* ---- counts and ingest (lib/counts.c, lib/ingest.c) ---- */

struct fg_counts;

/* What ingest saw of one input file. */
struct fg_input_info {
    char path[512];
    char sha256[65]; /* lowercase hex of the whole file's bytes */
    uint64_t rows;   /* data rows read (the header excluded) */
    uint64_t rows_dropped;
};

struct fg_ingest_options {
    const char *candidate_path; /* required */
    const char *incumbent_path; /* NULL: incumbent columns, if any, come from the candidate file */
    /* NULL, or called now and then from the calling thread while the files are read: bytes
     * read so far over total (the size of both files; 0 when one is not a regular file) and
     * data rows seen. It must not call back into libfairgate. */
    void (*progress)(uint64_t done, uint64_t total, uint64_t rows, void *user);
    void *progress_user;
    /* Keep the candidate's scores (a score column) even when no gate needs them, for its
     * score bins (fg_score_bins_from_scores): `fairgate counts --bins-out`, `fairgate sweep`. */
    bool keep_candidate_scores;
};

struct fg_ingest_result {
    struct fg_input_info candidate;
    struct fg_input_info incumbent;
    int has_incumbent_file; /* incumbent came from its own file */
    /* With an incumbent file, how its rows were matched with the candidate's (the audit's
     * inputs.join): "aligned" (both files list the same ids in the same order, read side by
     * side), "hash" (by id through a table of the incumbent's ids) or "position"
     * (data.join: position); NULL for one file. */
    const char *join;
    char join_note[512]; /* "", or why the aligned join was given up for the hash join */
    /* The rows were read once, in chunks, by workers beside the hash (one file, or two
     * aligned files); false: in order (a stream, a small or fresh file, a quote...). */
    int chunked;
};

FG_MUST_CHECK enum fg_status fg_ingest_run(const struct fg_policy *policy,
                                           const struct fg_ingest_options *options,
                                           struct fg_counts **out, struct fg_ingest_result *info,
                                           struct fg_error *err);
void fg_counts_free(struct fg_counts *counts);

/* ---- the counts file (lib/counts_io.c): the warehouse path ----
 *
 * The cell table as CSV (README "Counts: the warehouse path"): a header of the policy's
 * protected attributes, then y_true, candidate, incumbent, count; one record per cell. */

/* What was read of one counts file. */
struct fg_counts_info {
    char path[512];
    char sha256[65]; /* lowercase hex of the whole file's bytes */
    uint64_t rows;   /* the sum of its counts: the rows it stands for (score bins: one
                        model's count, the rows whose scores they bin) */
    uint64_t cells;  /* its data records */
    int score_bins;  /* 1: a score bins file (header ...,y_true,model,bin,count,sum,sum_squares) */
};

/* Renders counts as a counts file, records sorted by values then bits, into a malloc'd
 * NUL-terminated string of *len bytes. */
FG_MUST_CHECK enum fg_status fg_counts_render_csv(const struct fg_policy *policy,
                                                  const struct fg_counts *counts, char **out,
                                                  size_t *len, struct fg_error *err);
/* Renders the score bins the table holds (fg_score_bins_from_scores, lib/scorebins.h) as a
 * score bins file: a header of the policy's protected attributes, then y_true, model, bin,
 * count, sum, sum_squares; records sorted by values, y_true, model, bin (README "Score
 * bins"). Sums with the fewest digits (15 to 17) that read back exactly. */
FG_MUST_CHECK enum fg_status fg_counts_render_bins_csv(const struct fg_policy *policy,
                                                       const struct fg_counts *counts, char **out,
                                                       size_t *len, struct fg_error *err);
/* FG_OK when the policy can be judged on counts (with score bins for its score gates): no
 * protected attribute named like a column of the files it needs, and calibration_gap's bins,
 * when gated, divide the score grid (fg_score_bins_policy_check). */
FG_MUST_CHECK enum fg_status fg_counts_policy_check(const struct fg_policy *policy,
                                                    struct fg_error *err);
/* Reads one counts or score bins file (told apart by the header) strictly (errors at
 * file:line:field). */
FG_MUST_CHECK enum fg_status fg_counts_load(const struct fg_policy *policy, const char *path,
                                            struct fg_counts **out, struct fg_counts_info *info,
                                            struct fg_error *err);
/* Reads n_paths (>= 1) counts files and sums them (shards); infos[i] describes paths[i].
 * A total of 0 rows is an input error, and so is the same file (the same bytes) given twice:
 * its rows would be counted twice. Score bins files among them are summed too and must fit
 * the policy and the cells (fg_score_bins_validate). */
FG_MUST_CHECK enum fg_status
fg_counts_load_files(const struct fg_policy *policy, const char *const *paths, size_t n_paths,
                     struct fg_counts **out, struct fg_counts_info *infos, struct fg_error *err);
/* The digest an override binds to when a verdict is reached on counts files: the file's own
 * SHA-256 for one file; for several, the SHA-256 of their hex digests in the order given,
 * each followed by a newline (so no shard can be swapped, added or dropped). */
void fg_counts_binding_sha256(const char *const *sha256s, size_t n, char out[65]);
/* The binding of counts files already read (infos[i] from fg_counts_load_files). */
void fg_counts_binding_of(const struct fg_counts_info *infos, size_t n, char out[65]);
/* The binding of the counts files at paths, read for their digests only: what an override
 * for a verdict on them binds to. The same bytes given twice is FG_ERR_USAGE (check refuses
 * such shards, so an approval of them could never apply). */
FG_MUST_CHECK enum fg_status fg_counts_binding_files(const char *const *paths, size_t n,
                                                     char out[65], struct fg_error *err);

/* ---- SQL (lib/sql.c): the query that computes the counts table inside an engine ---- */

enum fg_sql_dialect {
    FG_SQL_ANSI,     /* "..." identifiers, '' in literals, VARCHAR / DOUBLE PRECISION (Trino) */
    FG_SQL_POSTGRES, /* TEXT / DOUBLE PRECISION */
    FG_SQL_SQLITE,   /* TEXT / REAL */
    FG_SQL_SPARK,    /* `...` identifiers, backslash escapes, STRING / DOUBLE */
    FG_SQL_BIGQUERY, /* `...` identifiers, backslash escapes, STRING / FLOAT64 */
    FG_SQL_DUCKDB    /* "..." identifiers, '' in literals, VARCHAR / DOUBLE, TRY_CAST */
};

/* "ansi", "postgres", "sqlite", "spark", "bigquery" or "duckdb"; FG_ERR_USAGE otherwise. */
FG_MUST_CHECK enum fg_status fg_sql_dialect_parse(const char *name, enum fg_sql_dialect *out,
                                                  struct fg_error *err);
/* The GROUP BY query over table (dot-separated parts, each quoted) whose result is the
 * counts file of the same rows, ending in ";\n"; a malloc'd string in *out. */
FG_MUST_CHECK enum fg_status fg_sql_render(const struct fg_policy *policy, const char *table,
                                           enum fg_sql_dialect dialect, char **out,
                                           struct fg_error *err);

/* The query whose result is the score bins file of the same rows (fg_counts_render_bins_csv),
 * for a policy that gates on a score metric, or of the candidate's scores alone for one whose
 * candidate reads a score (`fairgate sweep`); FG_ERR_POLICY otherwise; as fg_sql_render. */
FG_MUST_CHECK enum fg_status fg_sql_render_bins(const struct fg_policy *policy, const char *table,
                                                enum fg_sql_dialect dialect, char **out,
                                                struct fg_error *err);

/* ---- metrics (lib/metrics.c) ---- */

struct fg_metrics;

FG_MUST_CHECK enum fg_status fg_metrics_compute(const struct fg_policy *policy,
                                                const struct fg_counts *counts,
                                                struct fg_metrics **out, struct fg_error *err);
void fg_metrics_free(struct fg_metrics *metrics);

/* ---- gates (lib/gate.c) ---- */

struct fg_evaluation;

enum fg_verdict { FG_VERDICT_PASS = 0, FG_VERDICT_FAIL = 1, FG_VERDICT_PASS_WITH_OVERRIDE = 2 };

FG_MUST_CHECK enum fg_status fg_gate_evaluate(const struct fg_policy *policy,
                                              const struct fg_metrics *metrics,
                                              struct fg_evaluation **out, struct fg_error *err);
enum fg_verdict fg_evaluation_verdict(const struct fg_evaluation *evaluation);
/* The process exit code for this verdict: 0 pass, 1 a blocking gate failed. */
int fg_evaluation_exit_code(const struct fg_evaluation *evaluation);
/* The gates left failing: *blocking those that fail the verdict (enforce: block), *advisory
 * those that do not (enforce: warn). Overridden gates are neither. */
void fg_evaluation_failures(const struct fg_evaluation *evaluation, size_t *blocking,
                            size_t *advisory);
/* A compact human summary: one line per gate and its worst group, then the verdict; the
 * audit rendered with fg_report_summary. Returns a malloc'd string the caller frees, or
 * NULL when out of memory. */
char *fg_evaluation_summary(const struct fg_policy *policy, const struct fg_metrics *metrics,
                            const struct fg_evaluation *evaluation);
void fg_evaluation_free(struct fg_evaluation *evaluation);

/* ---- audit (lib/audit.c) ---- */

struct fg_audit_inputs {
    const char *policy_path;
    const struct fg_ingest_result *ingest; /* NULL when the counts came from counts files */
    long long created; /* seconds since the epoch (SOURCE_DATE_EPOCH or the clock) */
    /* check --counts: the files read (inputs.counts); then inputs.candidate and
     * inputs.incumbent are null. n_counts 0: rows were read (ingest). */
    const struct fg_counts_info *counts;
    size_t n_counts;
};

/* Renders the audit JSON (DESIGN section 5) into a malloc'd NUL-terminated string. */
FG_MUST_CHECK enum fg_status fg_audit_render(const struct fg_policy *policy,
                                             const struct fg_metrics *metrics,
                                             const struct fg_evaluation *evaluation,
                                             const struct fg_audit_inputs *inputs, char **out,
                                             struct fg_error *err);

/* ---- reports (lib/report_md.c, lib/report_html.c, lib/report_junit.c) ----
 *
 * Every report is rendered from the audit JSON text alone (DESIGN section 5), so that
 * `fairgate check` and `fairgate report --audit` write byte-identical files. Each returns
 * a malloc'd NUL-terminated string in *out; FG_ERR_INPUT when the text is not an audit. */

/* Reads an audit file for the renderers (`report --audit`): its bytes must pass the strict
 * JSON gate as a whole (no NUL byte, BOM, duplicate key, trailing bytes...), errors at
 * file:line:col. *out is malloc'd and NUL-terminated. The file is not verified: only
 * fg_attest_audit says whether an audit is the attested one. */
FG_MUST_CHECK enum fg_status fg_report_read_audit(const char *path, char **out,
                                                  struct fg_error *err);
/* GitHub-flavoured Markdown for a pull request: the verdict and one line per gate first,
 * the failing groups next, everything else in <details>; under 60,000 bytes for any audit
 * (cut at a row, with a line pointing at the HTML report). */
FG_MUST_CHECK enum fg_status fg_report_markdown(const char *audit_json, char **out,
                                                struct fg_error *err);
/* One self-contained HTML file with inline SVG charts; no scripts, no external requests. */
FG_MUST_CHECK enum fg_status fg_report_html(const char *audit_json, char **out,
                                            struct fg_error *err);
/* JUnit XML: a testsuite per gate, a testcase per (gate, group). */
FG_MUST_CHECK enum fg_status fg_report_junit(const char *audit_json, char **out,
                                             struct fg_error *err);
/* A model card of the audit's fairness evaluation (lib/report_modelcard.c): Model Card
 * Toolkit JSON, schema v0.0.2 (quantitative_analysis.performance_metrics: a type, value,
 * slice and confidence interval per result; the failed gates as ethical considerations), or
 * a Hugging Face model card fragment: YAML front matter with a model-index (one metric per
 * gate, its worst result) and a "Fairness evaluation" Markdown section. */
FG_MUST_CHECK enum fg_status fg_report_model_card_json(const char *audit_json, char **out,
                                                       struct fg_error *err);
FG_MUST_CHECK enum fg_status fg_report_model_card_md(const char *audit_json, char **out,
                                                     struct fg_error *err);
/* Which of the two a file name asks for, by its extension (.json, .md; any case). */
enum fg_model_card_format { FG_MODEL_CARD_UNKNOWN, FG_MODEL_CARD_JSON, FG_MODEL_CARD_MARKDOWN };
enum fg_model_card_format fg_model_card_format_of(const char *path);
/* The card path asks for; FG_ERR_USAGE when its extension is neither. */
FG_MUST_CHECK enum fg_status fg_report_model_card(const char *audit_json, const char *path,
                                                  char **out, struct fg_error *err);
/* The console summary `check` prints: one line per gate with the worst result the audit
 * names (`worst_result`), score trade-offs, overrides, the verdict. Control bytes quoted
 * from the data are escaped, so no line starts with text taken from it. */
FG_MUST_CHECK enum fg_status fg_report_summary(const char *audit_json, char **out,
                                               struct fg_error *err);
/* GitHub workflow commands: one per gate, "::error file=POLICY,line=N,title=...::..." for a
 * failed gate (its worst group), then "::warning ...::" for a gate with insufficient data;
 * at most 10 lines, the last a "::notice" counting what they leave out; escaped per
 * GitHub's rules; "" when there is nothing. file= and line= need the audit's gate lines. */
FG_MUST_CHECK enum fg_status fg_report_github_annotations(const char *audit_json, char **out,
                                                          struct fg_error *err);

/* ---- keys (lib/dsse.c): Ed25519 in PEM, as OpenSSL writes them ---- */

struct fg_key; /* an Ed25519 key: a private key (can sign and verify) or a public key */

FG_MUST_CHECK enum fg_status fg_key_generate(struct fg_key **out, struct fg_error *err);
/* PEM: PKCS#8 private key ("BEGIN PRIVATE KEY"), as `openssl genpkey -algorithm ed25519`. */
FG_MUST_CHECK enum fg_status fg_key_load_private(const char *path, struct fg_key **out,
                                                 struct fg_error *err);
/* PEM: SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), as `openssl pkey -pubout`. */
FG_MUST_CHECK enum fg_status fg_key_load_public(const char *path, struct fg_key **out,
                                                struct fg_error *err);
/* The same from memory: text (NUL-terminated, len bytes) holds the PEM; name is used in
 * error messages (e.g. "policy.yaml:12:7"). */
FG_MUST_CHECK enum fg_status fg_key_parse_public(const char *name, const char *text, size_t len,
                                                 struct fg_key **out, struct fg_error *err);
/* Writes the private key as PKCS#8 PEM, created with O_EXCL and mode 0600; an existing
 * file is an error unless force (then it is replaced atomically, still 0600). */
FG_MUST_CHECK enum fg_status fg_key_write_private(const struct fg_key *key, const char *path,
                                                  bool force, struct fg_error *err);
/* Writes the public key as SPKI PEM (mode 0644); the same rule for existing files. */
FG_MUST_CHECK enum fg_status fg_key_write_public(const struct fg_key *key, const char *path,
                                                 bool force, struct fg_error *err);
/* Adds the private key file (private_path) and the public key file (public_path; either may
 * be NULL) to a set of outputs, with the rules above: committed together or not at all. */
struct fg_outputs;
FG_MUST_CHECK enum fg_status fg_key_add_outputs(const struct fg_key *key, struct fg_outputs *set,
                                                const char *private_path, const char *public_path,
                                                bool force, struct fg_error *err);
void fg_key_id(const struct fg_key *key, char out[65]);
bool fg_key_is_private(const struct fg_key *key);
void fg_key_free(struct fg_key *key);

/* ---- attestations (lib/attest.c) ----
 *
 * An attestation is one DSSE envelope (payloadType application/vnd.in-toto+json) whose
 * payload is an in-toto Statement v1 with predicateType urn:fairgate:audit:v1 and the
 * audit as predicate (the same bytes as the audit file). */

/* The roles of the files a statement names, defined once (lib/attest.c): the judged inputs
 * (candidate, counts, incumbent, policy), a file the user names (subject) and the audit. */
enum fg_subject_role {
    FG_ROLE_CANDIDATE,
    FG_ROLE_COUNTS,
    FG_ROLE_INCUMBENT,
    FG_ROLE_POLICY,
    FG_ROLE_SUBJECT,
    FG_ROLE_AUDIT
};
/* "candidate", "counts", "incumbent", "policy", "subject", "audit" (borrowed, static). */
const char *fg_subject_role_name(enum fg_subject_role role);

/* A file named in a statement: role is fg_subject_role_name of one of the roles above. */
struct fg_subject {
    const char *name;
    const char *path;
    const char *role;
    /* Lowercase hex SHA-256 of the bytes, or NULL. fg_attest_build requires it for every
     * judged input (the digest computed in the read that fed the gate:
     * fg_input_info.sha256, fg_counts_info.sha256, fg_policy_sha256) and never opens
     * their paths; only a "subject" without it is read for its digest. */
    const char *sha256;
};

/* Builds and signs the statement; *envelope_line is one line of JSON with a newline.
 * Besides the subjects given, the statement names the audit (role "audit", named
 * "audit.json" unless a subject of role "audit" gives the name) with the SHA-256 of
 * audit_json's bytes: what `check --out` writes, so `verify --audit` is a digest check. */
FG_MUST_CHECK enum fg_status fg_attest_build(const char *audit_json,
                                             const struct fg_subject *subjects, size_t n_subjects,
                                             const struct fg_key *key, char **envelope_line,
                                             struct fg_error *err);

/* Verifies the attestation at path: signature over PAE with key, payloadType, Statement
 * shape, and each check's file digest against the subject of the same role (and name,
 * for role "subject"). Returns FG_OK with *valid set (and *report, lines for a person,
 * malloc'd) when a judgement was reached; an error when the file is unreadable, not JSON
 * or not an envelope. */
FG_MUST_CHECK enum fg_status fg_attest_verify(const char *path, const struct fg_key *key,
                                              const struct fg_subject *checks, size_t n_checks,
                                              int *valid, char **report, struct fg_error *err);

/* The subject check and verify give a judged input (or the audit) at path: named by the
 * path's last component, as check records it. sha256 may be NULL (verify reads the file). */
struct fg_subject fg_subject_of(enum fg_subject_role role, const char *path, const char *sha256);

/* Verifies the attestation at path as fg_attest_verify does and hands over the audit it
 * attests (*audit_json, malloc'd, only when *valid): with audit_path NULL the statement's
 * predicate, rendered as JSON; else the bytes of audit_path, read once, and valid only
 * when they are the attested audit (its "audit" subject's digest; an attestation without
 * one: the same JSON as the predicate). */
FG_MUST_CHECK enum fg_status fg_attest_audit(const char *path, const struct fg_key *key,
                                             const char *audit_path, char **audit_json, int *valid,
                                             char **report, struct fg_error *err);

/* ---- overrides (lib/override.c) ----
 *
 * An override is a DSSE envelope (payloadType application/vnd.fairgate.override+json)
 * signed by an approver the policy lists (with the key the policy pins), bound to one gate
 * (optionally one group, by its slice) or to several, to the SHA-256 of the candidate file,
 * of the incumbent file (or null) and of the policy file, with a reason and an expiry date. */

/* One gate an approval covers: the whole gate (group NULL) or one group of it (a label as
 * in fg_override_request.group). */
struct fg_override_scope {
    const char *gate;
    const char *group;
};

struct fg_override_request {
    const char *gate;
    /* NULL: the whole gate; else a group label as shown ("sex=Female & race=Black", with
     * '\', '&' and '=' inside a name or value escaped by a backslash), naming a protected
     * attribute alone or an intersection of the policy. */
    const char *group;
    const char *approver;
    const char *role;
    const char *reason;
    const char *ticket;  /* may be NULL */
    const char *expires; /* YYYY-MM-DD: valid through the end of that day, UTC */
    const char *candidate_path;
    /* When not NULL, the digest to bind to instead of candidate_path's: a verdict on several
     * counts files (fg_counts_binding_sha256). */
    const char *candidate_sha256;
    /* The incumbent file check will be given (--incumbent), or NULL when it gets none. */
    const char *incumbent_path;
    /* n_scopes > 0: the gates approved, instead of gate and group (one envelope for them
     * all; a payload of one scope is the one-gate payload, byte for byte). */
    const struct fg_override_scope *scopes;
    size_t n_scopes;
    /* Instead of gate or scopes: every gate that failed in the audit (fg_override_approve). */
    bool all_failing;
};

/* Checks the request against the policy (gate overridable, approver and pinned key, group,
 * expiry within max_days) and signs it; *envelope_line ends in a newline. now is the real
 * clock (fg_clock_now), never SOURCE_DATE_EPOCH: it decides validity. Without an audit it
 * cannot know which gates failed: fg_override_approve checks that too. */
FG_MUST_CHECK enum fg_status fg_override_create(const struct fg_policy *policy,
                                                const struct fg_override_request *request,
                                                const struct fg_key *key, long long now,
                                                char **envelope_line, struct fg_error *err);

/* What an approval made: see fg_override_create_for_audit and fg_override_approve; free
 * with fg_override_result_free. */
struct fg_override_result {
    int valid;      /* 0: the attestation is invalid (report says why); nothing else is set */
    char *report;   /* verify's lines for the attestation, or NULL */
    char *preview;  /* lines for a person: each gate approved and its failing results */
    char *scope;    /* what is approved, for one line: "gate 'a', group race=B", "gates 'a', 'b'" */
    char *envelope; /* the signed envelope line; NULL when not signed (a dry run) */
};
void fg_override_result_free(struct fg_override_result *result);

/* As fg_override_create, checked also against audit_json (NULL: none), the audit of the run
 * approved: each gate approved failed in it (its status fail, or overridden), each group
 * named is one of that gate's failing results, and its policy digest is the policy's. With
 * neither candidate_path nor candidate_sha256 in the request, the approval binds the
 * digests the audit records (its inputs and policy). Fills out->preview and out->scope and,
 * when sign, out->envelope; when not sign, the preview ends with the payload that would be
 * signed. Nothing is signed after an error. */
FG_MUST_CHECK enum fg_status fg_override_create_for_audit(const struct fg_policy *policy,
                                                          const char *audit_json,
                                                          const struct fg_override_request *request,
                                                          const struct fg_key *key, long long now,
                                                          bool sign, struct fg_override_result *out,
                                                          struct fg_error *err);

/* What a check run judged: an override applies only when it was made for these inputs (and
 * for the policy, whose digest the policy carries). */
struct fg_override_inputs {
    /* The candidate file's SHA-256; with counts files, fg_counts_binding_sha256. */
    const char *candidate_sha256;
    /* The incumbent file's SHA-256; NULL when the run read no separate incumbent file. */
    const char *incumbent_sha256;
};

/* Judges every offered override and applies the valid ones to the evaluation: results
 * they cover become overridden, and the verdict becomes pass_with_override when no gate
 * is left failing. Every offer is recorded, applied or rejected with the reason. now is the
 * real clock (fg_clock_now), never SOURCE_DATE_EPOCH. A key file that is not the key the
 * policy pins is an error (FG_ERR_INPUT), not a rejection. */
FG_MUST_CHECK enum fg_status
fg_override_apply(const struct fg_policy *policy, const struct fg_metrics *metrics,
                  struct fg_evaluation *evaluation, const char *const *paths, size_t n_paths,
                  const struct fg_override_inputs *inputs, long long now, struct fg_error *err);

/* ---- the use cases, one call each (lib/check.c) ----
 *
 * What `fairgate check`, `override` and `verify` do, for any embedder: the CLI only parses
 * arguments, prints and writes the texts these return (fg_outputs_write). */

struct fg_check_request {
    const char *policy_path;         /* required */
    const char *candidate_path;      /* the rows to judge, or NULL with counts files */
    const char *incumbent_path;      /* NULL: the incumbent's column, if any, is in the candidate */
    const char *const *counts_paths; /* n_counts > 0: gate on these counts files (summed) */
    size_t n_counts;
    const char *const *override_paths; /* signed overrides offered (judged by the real clock) */
    size_t n_overrides;
    const char *sign_key_path;         /* not NULL: sign an attestation with this key */
    const struct fg_subject *subjects; /* more files the attestation names (role "subject") */
    size_t n_subjects;
    /* Where the caller writes the audit: its name in the attestation (NULL: none is given,
     * the statement calls it audit.json). */
    const char *audit_path;
    bool markdown, html, junit; /* render these reports from the audit */
    bool annotations;           /* GitHub workflow commands (fg_report_github_annotations) */
    bool summary;               /* the console summary (fg_report_summary) */
    /* As fg_ingest_options.progress, while rows are read. */
    void (*progress)(uint64_t done, uint64_t total, uint64_t rows, void *user);
    void *progress_user;
};

/* Every text a check produced, malloc'd and NUL-terminated; NULL where not asked for. */
struct fg_check_result {
    enum fg_verdict verdict;
    int exit_code; /* fg_evaluation_exit_code: 0 pass (also with overrides), 1 a gate failed */
    char *audit;   /* the audit JSON (DESIGN section 5), always */
    char *markdown, *html, *junit, *annotations, *summary;
    char *attestation;                           /* the signed envelope line, with sign_key_path */
    size_t blocking_failures, advisory_failures; /* fg_evaluation_failures */
    char *note; /* NULL, or a note for the user (why the aligned join was given up) */
};

/* Runs the whole check: policy, rows or counts, metrics, gates, overrides (by the real
 * clock, fg_clock_now), the audit (created: fg_now, so SOURCE_DATE_EPOCH), the reports
 * asked for and the attestation. A failed gate is FG_OK with exit_code 1; an error means
 * no verdict was reached and *out is NULL. */
FG_MUST_CHECK enum fg_status fg_check_run(const struct fg_check_request *request,
                                          struct fg_check_result **out, struct fg_error *err);
void fg_check_result_free(struct fg_check_result *result);

/* Where fg_check_write puts the texts of a check; a NULL path is not written. */
struct fg_check_outputs {
    const char *audit_path, *markdown_path, *html_path, *junit_path, *attestation_path;
    const char *step_summary_path; /* the Markdown is appended to it (GITHUB_STEP_SUMMARY) */
    bool force;                    /* FG_OUTPUT_FORCE on each but the append */
    void (*publish)(struct fg_outputs *set); /* as for fg_outputs_write */
};

/* Writes the texts of a check all or none (fg_outputs_write): the step summary, the audit,
 * the reports and the attestation last (it vouches for the audit, so it never sits beside
 * another run's audit). A path whose text was not asked for gets an empty file. */
FG_MUST_CHECK enum fg_status fg_check_write(const struct fg_check_result *result,
                                            const struct fg_check_outputs *outputs,
                                            struct fg_error *err);

/* `fairgate override`: policy + inputs -> a signed approval. */
struct fg_override_run_request {
    const char *policy_path;
    const char *sign_key_path;
    /* n_counts > 0: bind to these counts files, in this order (fg_counts_binding_files),
     * as check --counts does; then approval.candidate_path and incumbent_path are NULL. */
    const char *const *counts_paths;
    size_t n_counts;
    struct fg_override_request approval; /* candidate_sha256 is set by fg_override_run */
    /* Approve from the evidence instead of the data (no candidate, incumbent or counts):
     * the audit the CI's attestation attests, verified with pubkey_path as `verify` does
     * (with audit_path too, that file must be the attested audit), or audit_path alone,
     * whose digests are then taken on trust. */
    const char *attestation_path;
    const char *pubkey_path;
    const char *audit_path;
    bool dry_run; /* check and show what would be signed; sign nothing */
};

/* Loads the policy and key, reads the run approved (the check of the candidate or counts
 * files, or the attested or given audit) and signs the approval (fg_override_create_for_audit,
 * by the real clock). FG_OK with (*out)->valid 0: the attestation is invalid, nothing signed. */
FG_MUST_CHECK enum fg_status fg_override_approve(const struct fg_override_run_request *request,
                                                 struct fg_override_result **out,
                                                 struct fg_error *err);

/* fg_override_approve for one envelope: *envelope_line is malloc'd and ends in a newline; an
 * invalid attestation is FG_ERR_INPUT. */
FG_MUST_CHECK enum fg_status fg_override_run(const struct fg_override_run_request *request,
                                             char **envelope_line, struct fg_error *err);

/* `fairgate verify`: a file to check against the subject of its role. */
struct fg_verify_file {
    enum fg_subject_role role;
    const char *path;
    const char *name; /* FG_ROLE_SUBJECT: the subject's name; otherwise unused */
};

struct fg_verify_request {
    const char *attestation_path;
    const char *pubkey_path;
    const struct fg_verify_file *files; /* checked in this order */
    size_t n_files;
    /* The verdicts a release accepts (--require-verdict), a mask of 1u << enum fg_verdict
     * (fg_verdict_mask_parse); 0: any verdict. */
    unsigned require_verdicts;
};

/* What fg_verify_run found. */
struct fg_verify_outcome {
    int valid;        /* the signature, the statement and every file given check out */
    int accepted;     /* valid, and its verdict is one that require_verdicts accepts */
    char verdict[32]; /* the attested audit's verdict, once valid; "" otherwise */
};

/* "pass,pass_with_override" -> (1u << FG_VERDICT_PASS) | (1u << FG_VERDICT_PASS_WITH_OVERRIDE);
 * FG_ERR_USAGE for a name that is not a verdict (pass, fail, pass_with_override). */
FG_MUST_CHECK enum fg_status fg_verdict_mask_parse(const char *list, unsigned *mask,
                                                   struct fg_error *err);

/* Loads the public key and verifies the attestation (fg_attest_verify), then judges its
 * verdict against require_verdicts: FG_OK with *outcome and *report (lines for a person,
 * malloc'd) when a judgement was reached. A release job ships only when outcome->accepted. */
FG_MUST_CHECK enum fg_status fg_verify_run(const struct fg_verify_request *request,
                                           struct fg_verify_outcome *outcome, char **report,
                                           struct fg_error *err);

/* `fairgate report`: the reports of an audit, written all or none (fg_outputs_write). */
struct fg_report_request {
    const char *audit_path;       /* with attestation_path: must be the attested audit */
    const char *attestation_path; /* NULL: render audit_path, unverified */
    const char *pubkey_path;      /* the signer's public key, with attestation_path */
    const char *markdown_path, *html_path, *junit_path; /* NULL: not written */
    bool force;                                         /* FG_OUTPUT_FORCE on each */
    void (*publish)(struct fg_outputs *set);            /* as for fg_outputs_write */
    /* NULL: not written; .json: Model Card Toolkit, .md: Hugging Face (else FG_ERR_USAGE) */
    const char *model_card_path;
};

/* Verifies the attestation (as fg_attest_audit) or reads the audit, renders the reports
 * asked for and writes them all or none. FG_OK with *valid 0: the attestation is invalid
 * or the audit is not the attested one, nothing was written and *report (malloc'd, or
 * NULL) says why. An error about the audit's text names the file it came from. */
FG_MUST_CHECK enum fg_status fg_report_run(const struct fg_report_request *request, int *valid,
                                           char **report, struct fg_error *err);

/* `fairgate counts`: predictions -> the counts table (CSV), written atomically. */
struct fg_counts_run_request {
    const char *policy_path;
    struct fg_ingest_options ingest; /* the files read, and progress */
    const char *out_path;
    bool force;                              /* FG_OUTPUT_FORCE */
    void (*publish)(struct fg_outputs *set); /* as for fg_outputs_write */
    /* The score bins file (fg_counts_render_bins_csv): required when the policy gates on a
     * score metric, refused otherwise. */
    const char *bins_out_path;
};

/* Loads the policy (fg_counts_policy_check), reads the rows (fg_ingest_run), renders the
 * table (fg_counts_render_csv) and, for a policy with score gates, its score bins, and
 * writes out_path and bins_out_path, both or neither; *read says what was read. */
FG_MUST_CHECK enum fg_status fg_counts_run(const struct fg_counts_run_request *request,
                                           struct fg_ingest_result *read, struct fg_error *err);

/* `fairgate sweep` (lib/sweep.c): for a candidate read from a score column, every gate's
 * value and status and the overall accuracy at each threshold of a grid, from the candidate's
 * score bins (lib/scorebins.h: rows are binned as `fairgate counts --bins-out` bins them, so
 * rows and counts give the same bytes). Each threshold's confusion counts go through the
 * gates as check's do; the incumbent is as given (its decisions do not move). */
#define FG_SWEEP_DEFAULT_GRID 0.01
struct fg_sweep_request {
    const char *policy_path;         /* required; data.candidate: {score, threshold} */
    const char *candidate_path;      /* the rows, or NULL with counts files */
    const char *incumbent_path;      /* as for check */
    const char *const *counts_paths; /* n_counts > 0: counts and score bins files (summed) */
    size_t n_counts;
    /* The step between thresholds 0, grid, 2 grid, ... below 1: a multiple of the bin width
     * 1e-4 in (0, 1), else FG_ERR_USAGE; 0 is FG_SWEEP_DEFAULT_GRID. The policy's own
     * threshold is swept too when it is a bin edge. */
    double grid;
    bool html; /* render the page (fg_sweep_result.html) */
    /* As fg_ingest_options.progress, while rows are read. */
    void (*progress)(uint64_t done, uint64_t total, uint64_t rows, void *user);
    void *progress_user;
};

/* What a sweep found; the texts malloc'd and NUL-terminated. */
struct fg_sweep_result {
    char *csv;     /* threshold, accuracy, per gate value and status, all_blocking_pass */
    char *html;    /* with request->html, else NULL */
    char *summary; /* lines for a person: how many thresholds pass, where, at what accuracy */
    size_t n_thresholds;
    size_t n_passing; /* thresholds where no blocking gate (enforce: block) fails */
    int exit_code;    /* 0: some threshold passes; 1: none does */
};

/* Loads the policy (FG_ERR_POLICY when its candidate reads no score, or a vs_incumbent gate
 * asks for evidence the paired bootstrap gives, which bins cannot: their candidate and
 * incumbent decisions are not paired row by row), reads the rows (keeping the candidate's
 * scores) or the counts files (which must hold the candidate's score bins) and sweeps. */
FG_MUST_CHECK enum fg_status fg_sweep_run(const struct fg_sweep_request *request,
                                          struct fg_sweep_result **out, struct fg_error *err);
void fg_sweep_result_free(struct fg_sweep_result *result);

/* `fairgate keygen`: a new Ed25519 key pair, the private key as PKCS#8 PEM (mode 0600) and
 * the public key as SPKI PEM, both files or neither (fg_key_add_outputs). force replaces
 * existing key files; publish is as for fg_outputs_write. key_id: fg_key_id of the pair. */
FG_MUST_CHECK enum fg_status fg_keygen_run(const char *private_path, const char *public_path,
                                           bool force, void (*publish)(struct fg_outputs *set),
                                           char key_id[65], struct fg_error *err);

/* `fairgate metrics` (lib/catalog.c): every metric of the catalogue with its aliases,
 * definition, better direction, min_group_size denominator, --counts support and source;
 * as text, or as JSON ({"metrics": [...]}) when json. *out is malloc'd. */
FG_MUST_CHECK enum fg_status fg_catalog_run(bool json, char **out, struct fg_error *err);

/* ---- files and time (lib/util.c) ---- */

/* Output files, written all or none. Add every output of a command to one set, then
 * commit it:
 * - A path that holds nothing, or a regular file, gets a new file: staged under a short
 *   temporary name (".fgXXXXXX") in its folder, fsynced, and renamed into place at commit.
 * - A device or FIFO (/dev/null, a named pipe), also one a symbolic link names, is opened
 *   and written in place at commit, never renamed over nor created; "/dev/stdout",
 *   "/dev/stderr" and "/dev/fd/N" write to this process's open descriptor.
 * - Any other symbolic link (to a regular file, or dangling) is an error, unless
 *   FG_OUTPUT_FORCE: then the link itself is replaced by the new file (never followed).
 * Commit writes the devices and FIFOs, then the appends, then renames in the order the
 * outputs were added (add the attestation last). When fg_outputs_add or commit fails, every
 * path is left as it was (what a device or FIFO was sent cannot be taken back): replaced
 * files are restored from a hard link kept at add, appends are cut back, nothing new
 * remains. fg_outputs_free removes whatever an uncommitted set staged. fg_outputs_abandon
 * does the same from a signal handler (it is async-signal-safe and leaves the set to free).
 * data is borrowed until commit. Single-threaded callers only (it changes the signal mask
 * of the calling thread and the umask for a moment). */
#define FG_OUTPUTS_MAX 8
enum {
    FG_OUTPUT_FORCE = 1,   /* replace a symbolic link (to a regular file, or dangling) */
    FG_OUTPUT_APPEND = 2,  /* append (e.g. $GITHUB_STEP_SUMMARY); created when missing */
    FG_OUTPUT_NEW = 4,     /* the path must hold nothing, now and at commit (link(2)) */
    FG_OUTPUT_REGULAR = 8, /* only a regular file may be replaced: no device, FIFO, link */
};
struct fg_outputs;
FG_MUST_CHECK enum fg_status fg_outputs_new(struct fg_outputs **out, struct fg_error *err);
/* flags: FG_OUTPUT_*; mode: the new file's mode exactly, or 0 for 0666 less the umask. */
FG_MUST_CHECK enum fg_status fg_outputs_add(struct fg_outputs *set, const char *path,
                                            const char *data, size_t len, unsigned flags,
                                            unsigned mode, struct fg_error *err);
FG_MUST_CHECK enum fg_status fg_outputs_commit(struct fg_outputs *set, struct fg_error *err);
void fg_outputs_abandon(struct fg_outputs *set);
void fg_outputs_free(struct fg_outputs *set);
/* One output of a list for fg_outputs_write. */
struct fg_output {
    const char *path; /* NULL: not asked for, skipped */
    const char *data;
    size_t len;
    unsigned flags;    /* FG_OUTPUT_* */
    const char *label; /* not NULL: added to an error about this output, " (label)" */
};
/* Writes every output of the list or none: one set, added in order, committed (so the
 * last one is moved into place last). publish, when not NULL, is called with the set
 * once it exists and with NULL once it is gone, so that a signal handler can
 * fg_outputs_abandon it meanwhile. */
FG_MUST_CHECK enum fg_status fg_outputs_write(const struct fg_output *outputs, size_t n,
                                              void (*publish)(struct fg_outputs *set),
                                              struct fg_error *err);
/* One output, as a set of one with no flags. */
FG_MUST_CHECK enum fg_status fg_file_write_atomic(const char *path, const char *data, size_t len,
                                                  struct fg_error *err);

/* Reads a whole file (at most max bytes) into a malloc'd NUL-terminated buffer. */
FG_MUST_CHECK enum fg_status fg_file_read_all(const char *path, size_t max, char **out, size_t *len,
                                              struct fg_error *err);

/* Lowercase hex SHA-256 of a file's bytes, read in chunks. */
FG_MUST_CHECK enum fg_status fg_file_sha256(const char *path, char out[65], struct fg_error *err);

/* Seconds since the epoch from SOURCE_DATE_EPOCH when set (strictly validated),
 * otherwise from the clock: for the times fairgate writes (the audit's 'created'). */
FG_MUST_CHECK enum fg_status fg_now(long long *seconds, struct fg_error *err);
/* The real clock, whatever SOURCE_DATE_EPOCH says: what judges whether an approval is valid
 * yet or still (SOURCE_DATE_EPOCH fixes only the times fairgate writes). */
FG_MUST_CHECK enum fg_status fg_clock_now(long long *seconds, struct fg_error *err);

#endif /* FAIRGATE_H */
