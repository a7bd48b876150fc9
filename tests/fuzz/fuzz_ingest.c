/*
 * fuzz_ingest.c - fuzz target of the rows reader (lib/ingest.c, fg_ingest_run): the CSV
 * files check and counts read, beyond the tokenizer fuzz_csv covers (header, columns,
 * labels, scores, missing values, the two-file id join).
 *
 * The first input byte picks one of three fixed policies:
 *   0  one file: label, two protected attributes and their intersection, both models'
 *      decisions, missing: drop
 *   1  two files joined by id (the rest is split at the first form feed, \f): the
 *      candidate's score with a threshold in one, the incumbent's score in the other
 *   2  as 1, but the policy names no id: the files are joined by position
 * Files that read are judged as check does (metrics, gates, audit). A file that starts with
 * the gzip magic bytes is inflated first (lib/instream.c; seeds gzip-*).
 *
 *   make fuzz                   libFuzzer + ASan + UBSan (clang)
 *   fuzz_ingest DIR|FILE...     replays a corpus without libFuzzer (make check does)
 */
#include "fuzz.h"

#include "fairgate.h"

#define FUZZ_NOW 1763769600LL /* 2025-11-22T00:00:00Z */

static const char *const policy_texts[3] = {
    "version: 1\n"
    "name: fuzz-ingest-rows\n"
    "data:\n"
    "  label: y\n"
    "  positive_label: \"1\"\n"
    "  protected: [sex, race]\n"
    "  intersections: [[sex, race]]\n"
    "  candidate: { prediction: c }\n"
    "  incumbent: { prediction: i }\n"
    "  favorable_prediction: \"1\"\n"
    "  missing: drop\n"
    "defaults:\n"
    "  min_group_size: 2\n"
    "gates:\n"
    "  - { id: parity, metric: selection_rate, disparity: ratio, min: 0.8 }\n"
    "  - { id: floor, metric: accuracy, overall: { min: 0.5 } }\n",
    "version: 1\n"
    "name: fuzz-ingest-join\n"
    "data:\n"
    "  id: id\n"
    "  label: y\n"
    "  positive_label: \"yes\"\n"
    "  protected: [g]\n"
    "  candidate: { score: s, threshold: 0.5 }\n"
    "  incumbent: { score: t, threshold: 0.5, favorable: below }\n"
    "gates:\n"
    "  - { id: auc, metric: auc, disparity: difference, max: 0.2 }\n"
    "  - { id: tpr, metric: tpr, disparity: difference, max: 0.2 }\n",
    "version: 1\n"
    "name: fuzz-ingest-position\n"
    "data:\n"
    "  join: position\n"
    "  label: y\n"
    "  positive_label: \"yes\"\n"
    "  protected: [g]\n"
    "  candidate: { score: s, threshold: 0.5 }\n"
    "  incumbent: { score: t, threshold: 0.5 }\n"
    "gates:\n"
    "  - { id: brier, metric: brier, overall: { max: 0.3 } }\n",
};

static struct fg_policy *policies[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fg_error err;
    if (policies[0] == NULL)
        for (int i = 0; i < 3; i++)
            FUZZ_FIXTURE(fg_policy_parse("fuzz.yaml", policy_texts[i], strlen(policy_texts[i]),
                                         &policies[i], &err),
                         &err);
    if (size < 1)
        return 0;
    const struct fg_policy *policy = policies[data[0] % 3];
    const uint8_t *rest = data + 1, *second = NULL;
    size_t first_len = size - 1;
    if (data[0] % 3 != 0) {
        const uint8_t *ff = memchr(rest, '\f', first_len);
        if (ff == NULL)
            return 0;
        second = ff + 1;
        first_len = (size_t)(ff - rest);
    }
    struct fg_ingest_options options = {.candidate_path = fuzz_as_file(0, rest, first_len)};
    if (second != NULL)
        options.incumbent_path = fuzz_as_file(1, second, (size_t)(data + size - second));
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    if (fg_ingest_run(policy, &options, &counts, &info, &err) != FG_OK) {
        FUZZ_CHECK(counts == NULL);
        FUZZ_CHECK_ERROR(&err);
        return 0;
    }
    struct fg_metrics *metrics = NULL;
    struct fg_evaluation *evaluation = NULL;
    if (fg_metrics_compute(policy, counts, &metrics, &err) == FG_OK &&
        fg_gate_evaluate(policy, metrics, &evaluation, &err) == FG_OK) {
        struct fg_audit_inputs inputs = {
            .policy_path = "fuzz.yaml", .ingest = &info, .created = FUZZ_NOW};
        char *audit = NULL;
        if (fg_audit_render(policy, metrics, evaluation, &inputs, &audit, &err) == FG_OK)
            FUZZ_CHECK(audit != NULL && audit[0] == '{');
        else
            FUZZ_CHECK_ERROR(&err);
        free(audit);
    } else {
        FUZZ_CHECK_ERROR(&err);
    }
    fg_evaluation_free(evaluation);
    fg_metrics_free(metrics);
    fg_counts_free(counts);
    return 0;
}
