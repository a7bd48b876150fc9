/*
 * fuzz_counts.c - fuzz target of the counts-file reader (lib/counts_io.c, fg_counts_load).
 *
 * The first input byte picks one of two fixed policies (one or two protected attributes,
 * with or without an incumbent); the rest is the counts file. A file that reads must round
 * trip: rendered with fg_counts_render_csv and read again it gives the same rows and the
 * same bytes; then metrics and gates are computed from it, as check --counts does.
 *
 *   make fuzz                   libFuzzer + ASan + UBSan (clang)
 *   fuzz_counts DIR|FILE...     replays a corpus without libFuzzer (make check does)
 */
#include "fuzz.h"

#include "fairgate.h"

static const char *const policy_texts[2] = {
    "version: 1\n"
    "name: fuzz-counts-two\n"
    "data:\n"
    "  label: y\n"
    "  positive_label: \"1\"\n"
    "  protected: [sex, race]\n"
    "  intersections: [[sex, race]]\n"
    "  candidate: { prediction: c }\n"
    "  incumbent: { prediction: i }\n"
    "  favorable_prediction: \"1\"\n"
    "defaults:\n"
    "  min_group_size: 2\n"
    "  on_small_group: warn\n"
    "gates:\n"
    "  - { id: parity, metric: selection_rate, disparity: ratio, min: 0.8 }\n"
    "  - { id: odds, metric: equalized_odds, disparity: difference, max: 0.1 }\n"
    "  - id: regression\n"
    "    metric: selection_rate\n"
    "    disparity: ratio\n"
    "    vs_incumbent: { max_worsening: 0.02 }\n",
    "version: 1\n"
    "name: fuzz-counts-one\n"
    "data:\n"
    "  label: y\n"
    "  positive_label: \"1\"\n"
    "  protected: [group]\n"
    "  candidate: { prediction: c }\n"
    "  favorable_prediction: \"1\"\n"
    "gates:\n"
    "  - { id: tpr, metric: tpr, disparity: difference, max: 0.1, reference: largest }\n"
    "  - { id: floor, metric: selection_rate, overall: { min: 0.1 } }\n",
};

static struct fg_policy *policies[2];

static void judge(const struct fg_policy *policy, const struct fg_counts *counts)
{
    struct fg_error err;
    struct fg_metrics *metrics = NULL;
    if (fg_metrics_compute(policy, counts, &metrics, &err) != FG_OK) {
        FUZZ_CHECK_ERROR(&err);
        return;
    }
    struct fg_evaluation *evaluation = NULL;
    if (fg_gate_evaluate(policy, metrics, &evaluation, &err) == FG_OK) {
        free(fg_evaluation_summary(policy, metrics, evaluation));
        fg_evaluation_free(evaluation);
    } else {
        FUZZ_CHECK_ERROR(&err);
    }
    fg_metrics_free(metrics);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fg_error err;
    if (policies[0] == NULL)
        for (int i = 0; i < 2; i++)
            FUZZ_FIXTURE(fg_policy_parse("fuzz.yaml", policy_texts[i], strlen(policy_texts[i]),
                                         &policies[i], &err),
                         &err);
    if (size < 1)
        return 0;
    const struct fg_policy *policy = policies[data[0] & 1];
    struct fg_counts *counts = NULL;
    struct fg_counts_info info;
    if (fg_counts_load(policy, fuzz_as_file(0, data + 1, size - 1), &counts, &info, &err) !=
        FG_OK) {
        FUZZ_CHECK(counts == NULL);
        FUZZ_CHECK_ERROR(&err);
        return 0;
    }
    FUZZ_CHECK(info.rows == 0 || info.cells > 0);
    char *csv = NULL, *again = NULL;
    size_t len = 0, again_len = 0;
    FUZZ_CHECK(fg_counts_render_csv(policy, counts, &csv, &len, &err) == FG_OK);
    struct fg_counts *back = NULL;
    struct fg_counts_info back_info;
    FUZZ_CHECK(fg_counts_load(policy, fuzz_as_file(1, csv, len), &back, &back_info, &err) == FG_OK);
    FUZZ_CHECK(back_info.rows == info.rows);
    FUZZ_CHECK(fg_counts_render_csv(policy, back, &again, &again_len, &err) == FG_OK);
    FUZZ_CHECK(again_len == len && memcmp(again, csv, len) == 0);
    if (info.rows > 0)
        judge(policy, counts);
    free(csv);
    free(again);
    fg_counts_free(back);
    fg_counts_free(counts);
    return 0;
}
