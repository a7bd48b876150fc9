/*
 * fuzz_override.c - fuzz target of override envelopes and their application
 * (lib/override.c, fg_override_apply), with the audit and report rendered from the result.
 *
 * Fixed: the policies fixture/policy-one.yaml and policy-two.yaml (required_approvals 1
 * and 2; approvers keyed by the TEST-ONLY keys in keys/), the candidate fixture/candidate.csv
 * (gate four-fifths fails for grp=a), and the time 2025-11-22T00:00:00Z. The first input
 * byte: bit 0 picks the policy; bits 1-2 how the rest becomes override files:
 *   0  one file, the rest as it is (an envelope, valid or not)
 *   1  two files, split at the first LF (two envelope lines)
 *   2  the rest is an override payload, signed by approver a's key into one envelope
 *   3  split at the first LF; the first part signed by a, the second by b
 * Modes 2 and 3 take the fuzzer past the signature to the payload's checks. Each input is
 * judged against a fresh evaluation; the audit that records it is rendered, and the
 * Markdown report from that audit, as check --override does.
 *
 *   make fuzz                   libFuzzer + ASan + UBSan (clang)
 *   fuzz_override DIR|FILE...   replays a corpus without libFuzzer (make check does)
 */
#include "fuzz.h"

#include "dsse.h"
#include "fairgate.h"
#include "gate.h"
#include "policy.h"

#define FUZZ_NOW              1763769600LL /* 2025-11-22T00:00:00Z */
#define OVERRIDE_PAYLOAD_TYPE "application/vnd.fairgate.override+json"

struct fixture {
    struct fg_policy *policy;
    struct fg_counts *counts;
    struct fg_ingest_result ingest;
    struct fg_metrics *metrics;
};

static struct fixture fixtures[2];
static struct fg_key *keys[2];

static void setup(void)
{
    static const char *const policy_paths[2] = {FUZZ_DIR "/fixture/policy-one.yaml",
                                                FUZZ_DIR "/fixture/policy-two.yaml"};
    static const char *const key_paths[2] = {FUZZ_DIR "/keys/TEST-ONLY-approver-a.pem",
                                             FUZZ_DIR "/keys/TEST-ONLY-approver-b.pem"};
    struct fg_error err;
    for (int i = 0; i < 2; i++) {
        struct fixture *f = &fixtures[i];
        FUZZ_FIXTURE(fg_policy_load(policy_paths[i], &f->policy, &err), &err);
        struct fg_ingest_options options = {.candidate_path = FUZZ_DIR "/fixture/candidate.csv"};
        FUZZ_FIXTURE(fg_ingest_run(f->policy, &options, &f->counts, &f->ingest, &err), &err);
        FUZZ_FIXTURE(fg_metrics_compute(f->policy, f->counts, &f->metrics, &err), &err);
        FUZZ_FIXTURE(fg_key_load_private(key_paths[i], &keys[i], &err), &err);
    }
}

/* The envelope of payload signed with key, as a file in slot. */
static const char *signed_file(int slot, const struct fg_key *key, const uint8_t *payload,
                               size_t len)
{
    char *envelope = NULL;
    struct fg_error err;
    FUZZ_FIXTURE(fg_dsse_sign(key, OVERRIDE_PAYLOAD_TYPE, payload, len, &envelope, &err), &err);
    const char *path = fuzz_as_file(slot, envelope, strlen(envelope));
    free(envelope);
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (keys[0] == NULL)
        setup();
    if (size < 1)
        return 0;
    const struct fixture *f = &fixtures[data[0] & 1];
    int mode = (data[0] >> 1) & 3;
    const uint8_t *rest = data + 1, *second = NULL;
    size_t first_len = size - 1, second_len = 0;
    if (mode & 1) {
        const uint8_t *lf = memchr(rest, '\n', first_len);
        if (lf != NULL) {
            second = lf + 1;
            second_len = (size_t)(rest + first_len - second);
            first_len = (size_t)(lf - rest);
        }
    }
    const char *paths[2];
    size_t n_paths = 0;
    if (mode & 2) {
        paths[n_paths++] = signed_file(0, keys[0], rest, first_len);
        if (second != NULL)
            paths[n_paths++] = signed_file(1, keys[1], second, second_len);
    } else {
        paths[n_paths++] = fuzz_as_file(0, rest, first_len);
        if (second != NULL)
            paths[n_paths++] = fuzz_as_file(1, second, second_len);
    }

    struct fg_error err;
    struct fg_evaluation *evaluation = NULL;
    FUZZ_FIXTURE(fg_gate_evaluate(f->policy, f->metrics, &evaluation, &err), &err);
    FUZZ_CHECK(fg_evaluation_verdict(evaluation) == FG_VERDICT_FAIL);
    const struct fg_override_inputs bound = {.candidate_sha256 = f->ingest.candidate.sha256};
    if (fg_override_apply(f->policy, f->metrics, evaluation, paths, n_paths, &bound, FUZZ_NOW,
                          &err) != FG_OK) {
        FUZZ_CHECK_ERROR(&err);
        fg_evaluation_free(evaluation);
        return 0;
    }
    /* only the overridable gate can be overridden: the verdict is never a plain pass */
    FUZZ_CHECK(fg_evaluation_verdict(evaluation) != FG_VERDICT_PASS);
    FUZZ_CHECK(evaluation->n_overrides == n_paths);
    struct fg_audit_inputs inputs = {
        .policy_path = f->policy->path, .ingest = &f->ingest, .created = FUZZ_NOW};
    char *audit = NULL, *markdown = NULL;
    FUZZ_FIXTURE(fg_audit_render(f->policy, f->metrics, evaluation, &inputs, &audit, &err), &err);
    FUZZ_FIXTURE(fg_report_markdown(audit, &markdown, &err), &err);
    free(markdown);
    free(audit);
    fg_evaluation_free(evaluation);
    return 0;
}
