/*
 * check.c - the use cases, one call each: fg_check_run (policy, rows or counts, metrics,
 * gates, overrides, audit, reports, attestation), fg_override_run (policy + inputs -> a
 * signed approval) and fg_verify_run (attestation + key + files -> valid or not).
 *
 * An embedder (the CLI, a binding, a server) calls one of these and gets every text the
 * command produces; it decides where the texts go (fg_check_write, fg_outputs_write: all
 * or none). Two clocks, as everywhere: the audit's 'created' is fg_now (SOURCE_DATE_EPOCH
 * when set), overrides are judged and made by the real clock (fg_clock_now).
 */
#include "attest.h"
#include "counts.h"
#include "fairgate.h"
#include "scorebins.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fg_output output_of(const char *path, const char *text, bool force)
{
    return (struct fg_output){path, text, text ? strlen(text) : 0, force ? FG_OUTPUT_FORCE : 0,
                              NULL};
}

/* ---- check ---- */

/* What one check run holds while it runs; freed by state_free. */
struct check_state {
    const struct fg_check_request *request;
    struct fg_policy *policy;
    struct fg_key *key;
    struct fg_counts *counts;
    struct fg_metrics *metrics;
    struct fg_evaluation *evaluation;
    struct fg_ingest_result ingest;
    struct fg_counts_info *counts_info; /* n_counts of them */
    long long created, clock;           /* the audit's 'created'; what judges overrides */
};

static void state_free(struct check_state *s)
{
    fg_evaluation_free(s->evaluation);
    fg_metrics_free(s->metrics);
    fg_counts_free(s->counts);
    fg_key_free(s->key);
    fg_policy_free(s->policy);
    free(s->counts_info);
}

static bool on_counts(const struct check_state *s)
{
    return s->request->n_counts > 0;
}

/* Which of the table's binary outcomes never occurs: 0 the positive label, 1 the candidate's
 * and 2 the incumbent's favourable prediction (a model read from a prediction column); -1
 * when each occurs, or the table is empty. */
static int never_positive(const struct fg_policy *policy, const struct fg_counts *counts)
{
    uint64_t positive[3] = {0, 0, 0};
    size_t cells = fg_counts_cell_count(counts);
    for (size_t i = 0; i < cells; i++) {
        struct fg_cell cell;
        fg_counts_cell(counts, i, &cell);
        positive[0] += cell.y_true ? cell.count : 0;
        positive[1] += cell.candidate ? cell.count : 0;
        positive[2] += cell.incumbent ? cell.count : 0;
    }
    const struct fg_model_spec *models[2] = {&policy->data.candidate, &policy->data.incumbent};
    if (cells > 0 && positive[0] == 0)
        return 0;
    for (int k = 0; k < 2; k++)
        if (cells > 0 && models[k]->present && models[k]->prediction != NULL &&
            positive[k + 1] == 0)
            return k + 1;
    return -1;
}

static const char *const model_names[2] = {"candidate", "incumbent"};

/* A counts table in which no row has the positive label, or no row a model's favourable
 * prediction column value, is what a warehouse gives for a number column printed as "1.0"
 * (the query of `fairgate sql` compares text: every row reads negative, every rate is 0,
 * and a ratio of 0/0 reads as parity: a silent pass). Refused with the likely cause; on
 * rows, "1.0" for "1" is refused where it is read. */
static enum fg_status counts_plausible(const struct fg_policy *policy,
                                       const struct fg_counts *counts, const char *path,
                                       struct fg_error *err)
{
    int k = never_positive(policy, counts) - 1;
    const struct fg_model_spec *models[2] = {&policy->data.candidate, &policy->data.incumbent};
    if (k == -1)
        return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                            "no row has the positive label '%s' (y_true is 0 throughout): if "
                            "the engine's label column is a number, it prints 1 as '1.0'; "
                            "cast it to text as the CSV writes it, or set positive_label",
                            policy->data.positive_label);
    if (k >= 0)
        return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                            "no row has the %s's favourable prediction '%s' (its column is "
                            "0 throughout): if the engine's column '%s' is a number, it "
                            "prints 1 as '1.0'; cast it to text as the CSV writes it",
                            model_names[k], policy->data.favorable_prediction,
                            models[k]->prediction);
    return FG_OK;
}

/* The same on rows for the label, so that check on the rows and check on their counts
 * agree (exit 2 on both): a label column without the positive label makes every row a
 * negative outcome (no true positive rate, every base rate 0); a policy's value that is
 * not the file's spelling ("1" for "yes") gives this when the column holds one value
 * only. (A prediction column without the favourable value stays judged on rows: a model
 * may approve nobody, and tests rely on such an incumbent.) */
static enum fg_status rows_plausible(const struct fg_policy *policy, const struct fg_counts *counts,
                                     const char *candidate_path, struct fg_error *err)
{
    if (never_positive(policy, counts) == 0)
        return fg_error_set(err, FG_ERR_INPUT, candidate_path, 0, 0,
                            "no row has the positive label '%s' in column '%s', so every row "
                            "would count as the unfavourable outcome (no true positive rate, "
                            "base rate 0): write data.positive_label as the file writes the "
                            "favourable outcome",
                            policy->data.positive_label, policy->data.label);
    return FG_OK;
}

/* Reads the rows or the counts files into s->counts. */
static enum fg_status read_inputs(struct check_state *s, struct fg_error *err)
{
    const struct fg_check_request *rq = s->request;
    if (on_counts(s)) {
        s->counts_info = calloc(rq->n_counts, sizeof *s->counts_info);
        if (s->counts_info == NULL)
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        enum fg_status st = fg_counts_load_files(s->policy, rq->counts_paths, rq->n_counts,
                                                 &s->counts, s->counts_info, err);
        return st == FG_OK ? counts_plausible(s->policy, s->counts, rq->counts_paths[0], err) : st;
    }
    struct fg_ingest_options options = {.candidate_path = rq->candidate_path,
                                        .incumbent_path = rq->incumbent_path,
                                        .progress = rq->progress,
                                        .progress_user = rq->progress_user};
    enum fg_status st = fg_ingest_run(s->policy, &options, &s->counts, &s->ingest, err);
    return st == FG_OK ? rows_plausible(s->policy, s->counts, rq->candidate_path, err) : st;
}

/* Policy, inputs, metrics, gates and overrides: the verdict. */
static enum fg_status judge(struct check_state *s, struct fg_error *err)
{
    const struct fg_check_request *rq = s->request;
    if (rq->policy_path == NULL || (rq->candidate_path == NULL && rq->n_counts == 0))
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "a check needs a policy and a candidate file or counts files");
    enum fg_status st = fg_now(&s->created, err);
    if (st == FG_OK)
        st = fg_clock_now(&s->clock, err);
    if (st == FG_OK)
        st = fg_policy_load(rq->policy_path, &s->policy, err);
    if (st == FG_OK && rq->sign_key_path != NULL)
        st = fg_key_load_private(rq->sign_key_path, &s->key, err);
    if (st == FG_OK)
        st = read_inputs(s, err);
    if (st == FG_OK)
        st = fg_metrics_compute(s->policy, s->counts, &s->metrics, err);
    if (st == FG_OK)
        st = fg_gate_evaluate(s->policy, s->metrics, &s->evaluation, err);
    if (st != FG_OK)
        return st;
    /* With counts files, overrides bind to all of them, in order (README "Counts"). */
    char binding[65] = "";
    if (on_counts(s))
        fg_counts_binding_of(s->counts_info, rq->n_counts, binding);
    struct fg_override_inputs inputs = {
        .candidate_sha256 = on_counts(s) ? binding : s->ingest.candidate.sha256,
        .incumbent_sha256 = s->ingest.has_incumbent_file ? s->ingest.incumbent.sha256 : NULL};
    return fg_override_apply(s->policy, s->metrics, s->evaluation, rq->override_paths,
                             rq->n_overrides, &inputs, s->clock, err);
}

/* The audit, then every report asked for, rendered from the audit text. */
static enum fg_status render(const struct check_state *s, struct fg_check_result *r,
                             struct fg_error *err)
{
    const struct fg_check_request *rq = s->request;
    struct fg_audit_inputs inputs = {.policy_path = rq->policy_path,
                                     .ingest = on_counts(s) ? NULL : &s->ingest,
                                     .created = s->created,
                                     .counts = s->counts_info,
                                     .n_counts = rq->n_counts};
    enum fg_status st =
        fg_audit_render(s->policy, s->metrics, s->evaluation, &inputs, &r->audit, err);
    if (st == FG_OK && rq->markdown)
        st = fg_report_markdown(r->audit, &r->markdown, err);
    if (st == FG_OK && rq->html)
        st = fg_report_html(r->audit, &r->html, err);
    if (st == FG_OK && rq->junit)
        st = fg_report_junit(r->audit, &r->junit, err);
    if (st == FG_OK && rq->annotations)
        st = fg_report_github_annotations(r->audit, &r->annotations, err);
    if (st == FG_OK && rq->summary) /* a renderer of the audit, like the others */
        st = fg_report_summary(r->audit, &r->summary, err);
    return st;
}

/* The attestation: what was judged, with the digest of the read that fed the gate (never
 * the path read again), then the files the caller names, then the audit. */
static enum fg_status attest(const struct check_state *s, struct fg_check_result *r,
                             struct fg_error *err)
{
    const struct fg_check_request *rq = s->request;
    struct fg_subject *subjects = calloc(rq->n_counts + rq->n_subjects + 4, sizeof *subjects);
    if (subjects == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t n = 0;
    if (rq->candidate_path != NULL)
        subjects[n++] =
            fg_subject_of(FG_ROLE_CANDIDATE, rq->candidate_path, s->ingest.candidate.sha256);
    for (size_t i = 0; i < rq->n_counts; i++)
        subjects[n++] =
            fg_subject_of(FG_ROLE_COUNTS, rq->counts_paths[i], s->counts_info[i].sha256);
    if (rq->incumbent_path != NULL)
        subjects[n++] =
            fg_subject_of(FG_ROLE_INCUMBENT, rq->incumbent_path, s->ingest.incumbent.sha256);
    subjects[n++] = fg_subject_of(FG_ROLE_POLICY, rq->policy_path, fg_policy_sha256(s->policy));
    for (size_t i = 0; i < rq->n_subjects; i++)
        subjects[n++] = rq->subjects[i];
    if (rq->audit_path != NULL)
        subjects[n++] = fg_subject_of(FG_ROLE_AUDIT, rq->audit_path, NULL);
    enum fg_status st = fg_attest_build(r->audit, subjects, n, s->key, &r->attestation, err);
    free(subjects);
    return st;
}

enum fg_status fg_check_run(const struct fg_check_request *request, struct fg_check_result **out,
                            struct fg_error *err)
{
    *out = NULL;
    struct check_state s = {.request = request};
    struct fg_check_result *r = calloc(1, sizeof *r);
    enum fg_status st =
        r != NULL ? judge(&s, err) : fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st == FG_OK)
        st = render(&s, r, err);
    if (st == FG_OK && request->sign_key_path != NULL)
        st = attest(&s, r, err);
    if (st == FG_OK && s.ingest.join_note[0] != '\0' &&
        (r->note = fg_strndup(s.ingest.join_note, strlen(s.ingest.join_note))) == NULL)
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st == FG_OK) {
        r->verdict = fg_evaluation_verdict(s.evaluation);
        r->exit_code = fg_evaluation_exit_code(s.evaluation);
        fg_evaluation_failures(s.evaluation, &r->blocking_failures, &r->advisory_failures);
        *out = r;
    } else {
        fg_check_result_free(r);
    }
    state_free(&s);
    return st;
}

void fg_check_result_free(struct fg_check_result *result)
{
    if (result == NULL)
        return;
    free(result->audit);
    free(result->markdown);
    free(result->html);
    free(result->junit);
    free(result->annotations);
    free(result->summary);
    free(result->attestation);
    free(result->note);
    free(result);
}

enum fg_status fg_check_write(const struct fg_check_result *result,
                              const struct fg_check_outputs *o, struct fg_error *err)
{
    const char *md = result->markdown;
    const struct fg_output outputs[] = {
        {o->step_summary_path, md, md ? strlen(md) : 0, FG_OUTPUT_APPEND, "GITHUB_STEP_SUMMARY"},
        output_of(o->audit_path, result->audit, o->force),
        output_of(o->markdown_path, md, o->force),
        output_of(o->html_path, result->html, o->force),
        output_of(o->junit_path, result->junit, o->force),
        output_of(o->attestation_path, result->attestation, o->force),
    };
    return fg_outputs_write(outputs, sizeof outputs / sizeof outputs[0], o->publish, err);
}

/* ---- override ---- */

/* The audit to render: the attested one (*valid 0 when it is not), or the file. */
static enum fg_status report_audit(const struct fg_report_request *rq, char **audit, int *valid,
                                   char **report, struct fg_error *err)
{
    *valid = 1;
    if (rq->attestation_path == NULL)
        return fg_report_read_audit(rq->audit_path, audit, err);
    struct fg_key *key = NULL;
    enum fg_status st = fg_key_load_public(rq->pubkey_path, &key, err);
    if (st == FG_OK)
        st = fg_attest_audit(rq->attestation_path, key, rq->audit_path, audit, valid, report, err);
    fg_key_free(key);
    return st;
}

/* The audit of the run approved: the attested one (verified), the file given, or a check of
 * the candidate or counts files. *valid 0: the attestation is invalid. */
static enum fg_status approved_audit(const struct fg_override_run_request *rq, char **audit,
                                     int *valid, char **report, struct fg_error *err)
{
    *valid = 1;
    if (rq->attestation_path != NULL || rq->audit_path != NULL) {
        struct fg_report_request read = {.audit_path = rq->audit_path,
                                         .attestation_path = rq->attestation_path,
                                         .pubkey_path = rq->pubkey_path};
        return report_audit(&read, audit, valid, report, err);
    }
    const struct fg_override_request *a = &rq->approval;
    struct fg_check_request check = {.policy_path = rq->policy_path,
                                     .candidate_path = a->candidate_path,
                                     .incumbent_path = a->incumbent_path,
                                     .counts_paths = rq->counts_paths,
                                     .n_counts = rq->n_counts};
    struct fg_check_result *r = NULL;
    enum fg_status st = fg_check_run(&check, &r, err);
    if (st == FG_OK) {
        *audit = r->audit;
        r->audit = NULL;
    }
    fg_check_result_free(r);
    return st;
}

enum fg_status fg_override_approve(const struct fg_override_run_request *request,
                                   struct fg_override_result **out, struct fg_error *err)
{
    struct fg_override_request approval = request->approval;
    char binding[65] = "", *audit = NULL;
    struct fg_policy *policy = NULL;
    struct fg_key *key = NULL;
    long long now = 0;
    enum fg_status st = FG_OK;
    struct fg_override_result *r = *out = calloc(1, sizeof *r);
    if (r == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (request->n_counts > 0) { /* bind to the counts files as check --counts does */
        st = fg_counts_binding_files(request->counts_paths, request->n_counts, binding, err);
        approval.candidate_path = request->counts_paths[0];
        approval.candidate_sha256 = binding;
    }
    if (st == FG_OK)
        st = fg_clock_now(&now, err);
    if (st == FG_OK)
        st = fg_policy_load(request->policy_path, &policy, err);
    if (st == FG_OK)
        st = fg_key_load_private(request->sign_key_path, &key, err);
    if (st == FG_OK)
        st = approved_audit(request, &audit, &r->valid, &r->report, err);
    if (st == FG_OK && r->valid)
        st = fg_override_create_for_audit(policy, audit, &approval, key, now, !request->dry_run, r,
                                          err);
    free(audit);
    fg_key_free(key);
    fg_policy_free(policy);
    if (st != FG_OK) {
        fg_override_result_free(r);
        *out = NULL;
    }
    return st;
}

enum fg_status fg_override_run(const struct fg_override_run_request *request, char **envelope_line,
                               struct fg_error *err)
{
    *envelope_line = NULL;
    struct fg_override_result *r = NULL;
    enum fg_status st = fg_override_approve(request, &r, err);
    if (st == FG_OK && !r->valid)
        st = fg_error_set(err, FG_ERR_INPUT, request->attestation_path, 0, 0,
                          "the attestation is INVALID; nothing signed");
    if (st == FG_OK) {
        *envelope_line = r->envelope;
        r->envelope = NULL;
    }
    fg_override_result_free(r);
    return st;
}

/* ---- verify ---- */

enum fg_status fg_verify_run(const struct fg_verify_request *request,
                             struct fg_verify_outcome *outcome, char **report, struct fg_error *err)
{
    *outcome = (struct fg_verify_outcome){0};
    *report = NULL;
    struct fg_subject *checks = calloc(request->n_files + 1, sizeof *checks);
    if (checks == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < request->n_files; i++) {
        const struct fg_verify_file *f = &request->files[i];
        checks[i] = fg_subject_of(f->role, f->path, NULL);
        /* Counts files are matched by role and file name, as check names them; a named
         * subject by its name; the others by role alone. */
        if (f->role == FG_ROLE_SUBJECT)
            checks[i].name = f->name;
        else if (f->role != FG_ROLE_COUNTS)
            checks[i].name = NULL;
    }
    struct fg_key *key = NULL;
    enum fg_status st = fg_key_load_public(request->pubkey_path, &key, err);
    if (st == FG_OK)
        st = fg_attest_verify_outcome(request->attestation_path, key, checks, request->n_files,
                                      request->require_verdicts, outcome, report, err);
    fg_key_free(key);
    free(checks);
    return st;
}

/* ---- report ---- */

enum fg_status fg_report_run(const struct fg_report_request *request, int *valid, char **report,
                             struct fg_error *err)
{
    *report = NULL;
    *valid = 0;
    const char *card_path = request->model_card_path;
    char *audit = NULL, *text[4] = {NULL, NULL, NULL, NULL};
    if (card_path != NULL && fg_model_card_format_of(card_path) == FG_MODEL_CARD_UNKNOWN)
        return fg_report_model_card(NULL, card_path, &text[3], err); /* a usage error: why */
    enum fg_status st = report_audit(request, &audit, valid, report, err);
    if (st == FG_OK && *valid && request->markdown_path != NULL)
        st = fg_report_markdown(audit, &text[0], err);
    if (st == FG_OK && *valid && request->html_path != NULL)
        st = fg_report_html(audit, &text[1], err);
    if (st == FG_OK && *valid && request->junit_path != NULL)
        st = fg_report_junit(audit, &text[2], err);
    if (st == FG_OK && *valid && card_path != NULL)
        st = fg_report_model_card(audit, card_path, &text[3], err);
    if (audit != NULL && st != FG_OK && err->file[0] == '\0') /* the renderers know no file */
        snprintf(err->file, sizeof err->file, "%s",
                 request->audit_path ? request->audit_path : request->attestation_path);
    const struct fg_output outputs[] = {output_of(request->markdown_path, text[0], request->force),
                                        output_of(request->html_path, text[1], request->force),
                                        output_of(request->junit_path, text[2], request->force),
                                        output_of(card_path, text[3], request->force)};
    if (st == FG_OK && *valid)
        st = fg_outputs_write(outputs, 4, request->publish, err);
    free(audit);
    for (size_t i = 0; i < 4; i++)
        free(text[i]);
    return st;
}

/* ---- counts ---- */

/* Whether the policy has score bins to write: it gates on a score metric, or its candidate
 * reads a score (its bins alone, for `fairgate sweep`). */
static bool has_bins(const struct fg_policy *policy)
{
    return fg_score_bins_needed(policy) || policy->data.candidate.score != NULL;
}

/* Before reading: a score policy needs --bins-out, a policy without score bins refuses it. */
static enum fg_status bins_wanted(const struct fg_policy *policy, const char *bins_out_path,
                                  struct fg_error *err)
{
    const char *path = policy->path ? policy->path : "";
    if (fg_score_bins_needed(policy) && bins_out_path == NULL)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "policy %s gates on a score metric: give --bins-out FILE for the "
                            "score bins that check --counts judges it from, beside --out",
                            path);
    if (!has_bins(policy) && bins_out_path != NULL)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "--bins-out: policy %s gates on no score metric (auc, brier, "
                            "calibration_gap) and its candidate reads no score, so it has no "
                            "score bins",
                            path);
    return FG_OK;
}

/* With --bins-out, the bins file's text (fg_counts_render_bins_csv) of the scores read. */
static enum fg_status render_bins(const struct fg_policy *policy, struct fg_counts *counts,
                                  const char *bins_out_path, char **bins_csv, size_t *len,
                                  struct fg_error *err)
{
    *bins_csv = NULL;
    *len = 0;
    if (bins_out_path == NULL)
        return FG_OK;
    enum fg_status st = fg_score_bins_from_scores(counts, err);
    if (st == FG_OK)
        st = fg_counts_render_bins_csv(policy, counts, bins_csv, len, err);
    return st;
}

enum fg_status fg_counts_run(const struct fg_counts_run_request *request,
                             struct fg_ingest_result *read, struct fg_error *err)
{
    struct fg_policy *policy = NULL;
    struct fg_counts *counts = NULL;
    char *csv = NULL, *bins_csv = NULL;
    size_t len = 0, bins_len = 0;
    *read = (struct fg_ingest_result){0};
    struct fg_ingest_options ingest = request->ingest;
    ingest.keep_candidate_scores = ingest.keep_candidate_scores || request->bins_out_path != NULL;
    enum fg_status st = fg_policy_load(request->policy_path, &policy, err);
    if (st == FG_OK)
        st = fg_counts_policy_check(policy, err);
    if (st == FG_OK)
        st = bins_wanted(policy, request->bins_out_path, err);
    if (st == FG_OK)
        st = fg_ingest_run(policy, &ingest, &counts, read, err);
    if (st == FG_OK)
        st = rows_plausible(policy, counts, ingest.candidate_path, err);
    if (st == FG_OK)
        st = fg_counts_render_csv(policy, counts, &csv, &len, err);
    if (st == FG_OK)
        st = render_bins(policy, counts, request->bins_out_path, &bins_csv, &bins_len, err);
    struct fg_output out[2] = {output_of(request->out_path, csv, request->force),
                               output_of(request->bins_out_path, bins_csv, request->force)};
    out[0].len = len;
    out[1].len = bins_len;
    if (st == FG_OK) /* both files or neither */
        st = fg_outputs_write(out, 2, request->publish, err);
    free(csv);
    free(bins_csv);
    fg_counts_free(counts);
    fg_policy_free(policy);
    return st;
}

/* ---- keygen ---- */

enum fg_status fg_keygen_run(const char *private_path, const char *public_path, bool force,
                             void (*publish)(struct fg_outputs *set), char key_id[65],
                             struct fg_error *err)
{
    struct fg_key *key = NULL;
    struct fg_outputs *set = NULL;
    enum fg_status st = fg_key_generate(&key, err);
    if (st == FG_OK && (st = fg_outputs_new(&set, err)) == FG_OK) { /* both files or neither */
        if (publish != NULL)
            publish(set);
        st = fg_key_add_outputs(key, set, private_path, public_path, force, err);
    }
    if (st == FG_OK)
        st = fg_outputs_commit(set, err);
    if (st == FG_OK)
        fg_key_id(key, key_id);
    if (publish != NULL)
        publish(NULL);
    fg_outputs_free(set);
    fg_key_free(key);
    return st;
}
