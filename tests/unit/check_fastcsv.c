/*
 * check_fastcsv.c - the fast ingest path (lib/fastcsv.c, the row cache and the workers of
 * lib/ingest.c) against libcsv alone, the reference.
 *
 * Each case is a generated or hand-written CSV file, read once with every byte through libcsv
 * (fg_ingest_tuning.libcsv_only) and again with small blocks, small chunks and two or three
 * workers, so that records straddle blocks and chunks. Both runs must agree exactly: status,
 * message, line, rows, rows dropped, SHA-256, and the cell table (values and cells in the
 * same order, the same counts). The fuzz target tests/fuzz/fuzz_csv.c checks the tokenizer
 * alone against libcsv, record by record.
 */
#define _POSIX_C_SOURCE 200809L

#include "fastcsv.h"
#include "counts.h"
#include "csvread.h"
#include "fairgate.h"
#include "ingest.h"
#include "test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char workdir[256];

static void setup(void)
{
    snprintf(workdir, sizeof workdir, "/tmp/fg-fastcsv-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(workdir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_file(char *path, size_t size, const char *name, const char *bytes, size_t len)
{
    snprintf(path, size, "%s/%s", workdir, name);
    write_bytes_to(path, bytes, len);
}

#define POLICY_HEAD                                                                                \
    "version: 1\nname: t\ndata:\n  label: y\n  positive_label: '1'\n  protected: [a, b]\n"         \
    "  favorable_prediction: '1'\n"
#define GATES "gates:\n  - id: g\n    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n"

static const char *const policies[] = {
    /* prediction columns, missing: error */
    POLICY_HEAD "  candidate: {prediction: new}\n  incumbent: {prediction: old}\n" GATES,
    /* missing: drop, ';' */
    POLICY_HEAD "  candidate: {prediction: new}\n  incumbent: {prediction: old}\n"
                "  missing: drop\n  delimiter: ';'\n" GATES,
    /* a score column with auc gated: scores kept (no row cache) */
    POLICY_HEAD "  candidate: {score: s, threshold: 0.5}\n  incumbent: {prediction: old}\n"
                "gates:\n  - id: g\n    metric: auc\n    disparity: difference\n    max: 0.5\n",
    /* a score column, threshold only */
    POLICY_HEAD "  candidate: {score: s, threshold: 0.5}\n  missing: drop\n" GATES,
};

/* Runs ingest with tuning; the outcome as one comparable text. */
static char *outcome(const struct fg_policy *policy, const char *path,
                     const struct fg_ingest_tuning *tuning)
{
    struct fg_ingest_options options = {.candidate_path = path};
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    memset(&err, 0, sizeof err);
    enum fg_status status = fg_ingest_run_tuned(policy, &options, tuning, &counts, &info, &err);
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text + len, cap - len, "status %d\n", (int)status);
    if (status != FG_OK) {
        char line[2048];
        fg_error_format(&err, line, sizeof line);
        snprintf(text + len, cap - len, "%s\n", line);
        ck_assert_ptr_null(counts);
        return text;
    }
    len += (size_t)snprintf(text + len, cap - len, "rows %llu dropped %llu sha %s\n",
                            (unsigned long long)info.candidate.rows,
                            (unsigned long long)info.candidate.rows_dropped, info.candidate.sha256);
    for (size_t a = 0; a < fg_counts_attr_count(counts); a++)
        for (uint32_t id = 0; id < fg_counts_value_count(counts, a) && len + 600 < cap; id++)
            len += (size_t)snprintf(text + len, cap - len, "value %zu %u %.500s\n", a, id,
                                    fg_counts_value(counts, a, id));
    for (size_t c = 0; c < fg_counts_cell_count(counts) && len + 600 < cap; c++) {
        struct fg_cell cell;
        fg_counts_cell(counts, c, &cell);
        /* every attribute's id (a policy may have 1 to FG_MAX_PROTECTED of them) */
        len += (size_t)snprintf(text + len, cap - len, "cell");
        for (size_t a = 0; a < fg_counts_attr_count(counts); a++)
            len += (size_t)snprintf(text + len, cap - len, " %u", cell.value_ids[a]);
        len += (size_t)snprintf(text + len, cap - len, " %u %u %u %u %llu", cell.y_true,
                                cell.candidate, cell.incumbent, 0u, (unsigned long long)cell.count);
        size_t n = 0;
        const double *scores = fg_counts_cell_scores(counts, c, false, &n);
        for (size_t i = 0; i < n && len + 64 < cap; i++)
            len += (size_t)snprintf(text + len, cap - len, " %.17g", scores[i]);
        len += (size_t)snprintf(text + len, cap - len, "\n");
    }
    fg_counts_free(counts);
    return text;
}

/* Every fast configuration must match libcsv alone on this file. */
static void agree(const struct fg_policy *policy, const char *path, unsigned seed)
{
    struct fg_ingest_tuning reference;
    fg_ingest_tuning_default(&reference);
    reference.libcsv_only = true;
    char *want = outcome(policy, path, &reference);
    struct fg_ingest_tuning fast[5];
    for (size_t i = 0; i < 5; i++)
        fg_ingest_tuning_default(&fast[i]);
    /* one thread, small and default blocks */
    fast[0].block_bytes = 64 + seed % 50;
    /* workers, tiny chunks, tiny blocks */
    fast[1].block_bytes = 64 + seed % 37;
    fast[1].parallel_min = 0;
    fast[1].settle_seconds = 0; /* files written just now */
    fast[1].chunk_bytes = 1 + seed % 97;
    fast[1].workers = 2;
    fast[2].block_bytes = 256;
    fast[2].parallel_min = 0;
    fast[2].settle_seconds = 0; /* files written just now */
    fast[2].chunk_bytes = 300;
    fast[2].workers = 3;
    fast[3].parallel_min = 0;
    fast[3].settle_seconds = 0; /* files written just now */
    fast[3].chunk_bytes = 4096;
    fast[3].workers = 2;
    for (size_t i = 0; i < 5; i++) {
        char *got = outcome(policy, path, &fast[i]);
        ck_assert_msg(strcmp(want, got) == 0,
                      "%s, tuning %zu (seed %u):\nlibcsv:\n%.3000s\nfast:\n%.3000s", path, i, seed,
                      want, got);
        free(got);
    }
    free(want);
}

static uint64_t rng;

static unsigned next(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

/* A field's value: mostly regular, now and then empty, a third value, NUL, bad UTF-8, a
 * space, a long run, or (rarely, when quotes) a quote. */
static size_t field(char *out, const char *const *values, size_t n_values, bool odd, bool quotes)
{
    unsigned roll = odd ? next(400) : 1000;
    if (roll == 0)
        return 0;
    if (roll == 1) {
        memcpy(out, "x\0y", 3);
        return 3;
    }
    if (roll == 2) {
        memcpy(out, "\xff", 1);
        return 1;
    }
    if (roll == 3)
        return (size_t)sprintf(out, "third");
    if (roll == 4)
        return (size_t)sprintf(out, " 1");
    if (roll == 5 && quotes)
        return (size_t)sprintf(out, "\"q\"");
    if (roll == 6 && quotes)
        return (size_t)sprintf(out, "a\"b");
    const char *v = values[next((unsigned)n_values)];
    return (size_t)sprintf(out, "%s", v);
}

static const char *const line_ends[] = {"\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\n\r"};

/* A random file of n rows for the columns of the policies above (both delimiters used). */
static size_t generate(char *text, size_t cap, unsigned n, char delimiter, bool odd, bool quotes)
{
    static const char *const a[] = {"F", "M", "X"}, *const b[] = {"A", "B", "C", "Dee", ""};
    static const char *const bits[] = {"0", "1"}, *const scores[] = {"0.1",  "0.5", "0.75",
                                                                     "1e-1", "0",   "1",
                                                                     "nan",  "2",   "x"};
    size_t len = 0;
    if (next(4) == 0) {
        memcpy(text, "\xef\xbb\xbf", 3);
        len = 3;
    }
    const char *header[] = {"a", "b", "y", "new", "old", "s", "note"};
    for (size_t c = 0; c < 7; c++)
        len += (size_t)snprintf(text + len, cap - len, "%s%s", c ? (char[]){delimiter, 0} : "",
                                header[c]);
    for (unsigned row = 0; row < n && len + 400 < cap; row++) {
        len += (size_t)sprintf(text + len, "%s", line_ends[odd ? next(6) : next(2)]);
        size_t columns = odd && next(300) == 0 ? 6 : 7;
        for (size_t c = 0; c < columns; c++) {
            if (c)
                text[len++] = delimiter;
            switch (c) {
            case 0:
                len += field(text + len, a, 3, odd, quotes);
                break;
            case 1:
                len += field(text + len, b, odd ? 5 : 4, odd, quotes);
                break;
            case 5:
                len += field(text + len, scores, odd ? 9 : 4, odd, quotes);
                break;
            case 6:
                if (odd && next(200) == 0) {
                    memset(text + len, 'n', 40);
                    len += 40;
                }
                break;
            default:
                len += field(text + len, bits, 2, odd, quotes);
            }
        }
    }
    if (next(2) == 0)
        len += (size_t)sprintf(text + len, "%s", line_ends[next(6)]);
    return len;
}

START_TEST(test_generated)
{
    size_t cap = 1 << 20;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    char path[512];
    for (unsigned seed = 1; seed <= 120; seed++) {
        rng = seed * 2654435761u;
        size_t p = seed % (sizeof policies / sizeof *policies);
        struct fg_policy *policy = policy_from(policies[p]);
        char delimiter = p == 1 ? ';' : ',';
        bool odd = seed % 3 != 0, quotes = seed % 5 == 0;
        unsigned rows = seed % 7 == 0 ? 3000 : 1 + next(300);
        size_t len = generate(text, cap, rows, delimiter, odd, quotes);
        char name[64];
        snprintf(name, sizeof name, "gen-%u.csv", seed);
        write_file(path, sizeof path, name, text, len);
        agree(policy, path, seed);
        fg_policy_free(policy);
    }
    free(text);
}
END_TEST

/* Hand-written corners: each is read by every configuration as by libcsv. */
START_TEST(test_corners)
{
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
    } cases[] = {
        {"", 0},
        {"\xef\xbb", 0},
        {"\xef\xbb\xbf", 0},
        {"a,b,y,new,old", 0},
        {"a,b,y,new,old\n", 0},
        {"\n\n\r\na,b,y,new,old\r\nF,A,1,1,0", 0},
        {"a,b,y,new,old\rF,A,1,1,0\rM,B,0,1,1\r", 0},
        {"a,b,y,new,old\nF,A,1,1,0\n\n\n\nM,B,0,1,1\n\n", 0},
        {"a,b,y,new,old\nF,A,1,1\n", 0},
        {"a,b,y,new,old\nF,A,1,1,0,\n", 0},
        {"a,b,y,new,old\nF,A,1,1,0\nF,A,2,1,0\n", 0},
        {"a,b,y,new,old\nF,A,1,1,0\nF,A,0,1,0\nF,A,2,1,0\n", 0},
        {"a,b,y,new,old\nF,A,,1,0\n", 0},
        {"a,b,y,new,old\nF,\"A\",1,1,0\nF,A,1,1,0\n", 0},
        {"a,b,y,new,old\nF,A,1,1,0\nF,A\"x,1,1,0\n", 0},
        {"a,b,y,new,old\nF,A,1,1,0\nF,\"A\n\nB\",1,1,0\nM,B,0,0,0\n", 0},
        {"a,b,y,new,old\nF,A,1,1,0\nF,\"unclosed,1,1,0\nM,B,0,0,0\n", 0},
        {"a,a,y,new,old\nF,A,1,1,0\n", 0},
        {"a,b,y,neww,old\nF,A,1,1,0\n", 0},
        {"a,b,y,new,old\nF,A\0B,1,1,0\n", 26},
        {"a,b,y,new,old\nF,\xc3,1,1,0\n", 0},
        {"a,b,y,new,old\n,,,,\n", 0},
        {"a,b,y,new,old\nF,A,1,1,0\r\n\r\n", 0},
        {"\xef\xbb\xbf\xef\xbb\xbf"
         "a,b,y,new,old\nF,A,1,1,0\n",
         0},
    };
    struct fg_policy *policy = policy_from(policies[0]);
    char path[512];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char name[64];
        snprintf(name, sizeof name, "corner-%zu.csv", i);
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        write_file(path, sizeof path, name, cases[i].text, len);
        agree(policy, path, (unsigned)i);
    }
    fg_policy_free(policy);
}
END_TEST

/* Fields at and past FG_MAX_FIELD, needed or not: the fast path hands them to libcsv. */
START_TEST(test_long_fields)
{
    struct fg_policy *policy = policy_from(POLICY_HEAD "  candidate: {prediction: new}\n"
                                                       "  incumbent: {prediction: old}\n" GATES);
    size_t cap = 3 * (size_t)FG_MAX_FIELD + 4096;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    char path[512];
    const size_t sizes[] = {FG_MAX_FIELD - 1,        FG_MAX_FIELD,      FG_MAX_FIELD + 1,
                            FG_MAX_FIELD + 14,       FG_MAX_FIELD + 15, FG_MAX_FIELD + 16,
                            2 * (size_t)FG_MAX_FIELD};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        for (int place = 0; place < 3; place++) {
            size_t len = (size_t)sprintf(text, "a,b,y,new,old,note\nF,A,1,1,0,x\n");
            len += (size_t)sprintf(text + len, place == 0 ? "F," : "F,A,1,1,0,");
            memset(text + len, 'v', sizes[k]);
            len += sizes[k];
            if (place == 0)
                len += (size_t)sprintf(text + len, ",1,1,0,x\nM,B,0,0,0,y\n");
            else if (place == 1)
                len += (size_t)sprintf(text + len, "\nM,B,0,0,0,y\n");
            /* place 2: the file ends in the long field */
            char name[64];
            snprintf(name, sizeof name, "long-%zu-%d.csv", k, place);
            write_file(path, sizeof path, name, text, len);
            agree(policy, path, (unsigned)(k * 3 + (size_t)place));
        }
    }
    free(text);
    fg_policy_free(policy);
}
END_TEST

/* Errors in several chunks: the first in file order is reported, and a third value seen in a
 * later chunk than the other value names the other value's line. */
START_TEST(test_first_error_wins)
{
    struct fg_policy *policy = policy_from(policies[0]);
    size_t cap = 1 << 20;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    char path[512];
    for (int variant = 0; variant < 4; variant++) {
        size_t len = (size_t)sprintf(text, "a,b,y,new,old\n");
        for (int row = 0; row < 5000; row++) {
            const char *y = "1";
            if (variant == 0 && (row == 1200 || row == 4000))
                y = row == 1200 ? "" : "7"; /* empty first, then a bad value */
            if (variant == 1 && row == 3000)
                y = "0"; /* the other value appears late ... */
            if (variant == 1 && row == 4500)
                y = "5"; /* ... and a third value later still */
            if (variant == 2 && row >= 2500)
                y = row == 2500 ? "0" : row == 2501 ? "1" : "2";
            if (variant == 3 && row == 4999)
                y = "\"1\""; /* a quote in the last chunk */
            len += (size_t)sprintf(text + len, "%s,%s,%s,1,0\n", row % 2 ? "F" : "M",
                                   row % 3 ? "A" : "B", y);
        }
        char name[64];
        snprintf(name, sizeof name, "first-error-%d.csv", variant);
        write_file(path, sizeof path, name, text, len);
        agree(policy, path, (unsigned)variant);
        struct fg_ingest_tuning tuning;
        fg_ingest_tuning_default(&tuning);
        tuning.parallel_min = 0;
        tuning.settle_seconds = 0; /* files written just now */
        tuning.chunk_bytes = 1000;
        tuning.workers = 2;
        struct fg_ingest_options options = {.candidate_path = path};
        struct fg_counts *counts = NULL;
        struct fg_error err;
        enum fg_status status = fg_ingest_run_tuned(policy, &options, &tuning, &counts, NULL, &err);
        if (variant == 0) {
            ck_assert_int_eq(status, FG_ERR_INPUT);
            ck_assert_uint_eq(err.line, 1202);
            ck_assert_str_eq(err.message, "empty value in column 'y': a missing value; 'missing: "
                                          "drop' in data leaves such rows out");
        } else if (variant == 1) {
            ck_assert_int_eq(status, FG_ERR_INPUT);
            ck_assert_uint_eq(err.line, 4502);
            ck_assert_ptr_nonnull(strstr(err.message, "first seen at line 3002"));
        } else if (variant == 2) {
            ck_assert_int_eq(status, FG_ERR_INPUT);
            ck_assert_uint_eq(err.line, 2504);
        } else {
            ck_assert_int_eq(status, FG_OK);
            ck_assert_uint_eq(fg_counts_total(counts), 5000);
            fg_counts_free(counts);
        }
    }
    free(text);
    fg_policy_free(policy);
}
END_TEST

/* ---- line numbers ----
 *
 * A line ends at '\n' only: a lone '\r' ends a record but not a line, as lib/fastcsv.c counts.
 * Each file below holds one faulty record after records ended by '\n', "\r\n", a lone '\r' or
 * runs of them, some with quoted fields holding '\r' or '\n'; every reader, libcsv alone
 * included, must name the line the faulty record starts on (the physical line of the bad
 * byte for malformed quoting), whatever the block size. */

/* Records that read well; quotes in some, so that the fast path hands the rest to libcsv. */
static const char *const good_records[] = {
    "F,A,1,1,0,n",
    "M,B,1,0,1,",
    "\"F\",A,1,1,0,q",
    "M,\"B\",1,1,1,\"n\r\nn\"",
    "F,A,1,1,0,\"\r\"",
    "M,B,1,0,0,\"\n\"",
    "\"M\",B,1,0,1,\"\r\r\n\n\"",
};

/* Records that read well, without quotes: those after an unclosed quote. */
static const char *const plain_records[] = {"F,A,1,1,0,n", "M,B,1,0,1,", "F,B,1,1,1,x"};

/* The first record with the label's other value (for the third value's message). */
static const char *const other_records[] = {"M,B,0,1,1,n", "\"M\",B,0,1,1,\"\r\"",
                                            "M,B,0,1,1,\"a\nb\"", "M,B,0,1,1,x"};

static const char *const record_ends[] = {"\n", "\r\n", "\r", "\n\r", "\r\r", "\n\n\r\n"};

static const struct {
    const char *record;
    const char *message; /* NULL: THIRD_VALUE */
    bool unclosed;       /* no '"' may follow */
} line_faults[] = {
    {"F,\"unclosed,1,1,0,n", "a quoted field is not closed before the end of the file", true},
    {"\"un\rclosed", "a quoted field is not closed before the end of the file", true},
    {"\"F\nG\",A,1,1", "the row has 4 fields, the header has 6", false},
    {"\"F\r\n\",A,1,1,0,x,y", "the row has 7 fields, the header has 6", false},
    {"F,A\"x,1,1,0,n",
     "malformed quoting: a '\"' inside an unquoted field, or text after a closing '\"' (double "
     "a quote inside a quoted field)",
     false},
    {"\"F\r\nF\",A,7,1,0,n", NULL, false}, /* THIRD_VALUE */
};

#define THIRD_VALUE                                                                                \
    "column 'y' has a third value '7' (the positive label is '1'; the other value, first seen "    \
    "at line %lu, is '0')"

static unsigned long line_at(const char *text, size_t len)
{
    unsigned long line = 1;
    for (size_t i = 0; i < len; i++)
        line += text[i] == '\n';
    return line;
}

static size_t put(char *text, size_t len, const char *s)
{
    size_t n = strlen(s);
    memcpy(text + len, s, n);
    return len + n;
}

/* A file with line_faults[fault]; *line, *message: the error every reader must give. */
static size_t generate_fault(char *text, size_t fault, unsigned long *line, char *message,
                             size_t message_size)
{
    size_t len = put(text, 0, "a,b,y,new,old,");
    if (next(2) == 0) {
        memset(text + len, 'n', 70); /* a header longer than the smallest block */
        len += 70;
    } else {
        len = put(text, len, "note");
    }
    unsigned before = next(5), after = next(4);
    unsigned long other_line = 0;
    for (unsigned i = 0; i < before; i++) {
        len = put(text, len, record_ends[next(6)]);
        len = put(text, len, good_records[next(7)]);
    }
    if (line_faults[fault].message == NULL) {
        len = put(text, len, record_ends[next(6)]);
        other_line = line_at(text, len);
        len = put(text, len, other_records[next(4)]);
    }
    len = put(text, len, record_ends[next(6)]);
    *line = line_at(text, len);
    len = put(text, len, line_faults[fault].record);
    for (unsigned i = 0; i < after; i++) {
        len = put(text, len, record_ends[next(6)]);
        len = put(text, len,
                  line_faults[fault].unclosed ? plain_records[next(3)] : good_records[next(7)]);
    }
    if (next(2) == 0)
        len = put(text, len, record_ends[next(6)]);
    if (line_faults[fault].message == NULL)
        snprintf(message, message_size, THIRD_VALUE, other_line);
    else
        snprintf(message, message_size, "%s", line_faults[fault].message);
    return len;
}

/* The error of one run: its line and message as wanted. */
static void expect_fault(const struct fg_policy *policy, const char *path,
                         const struct fg_ingest_tuning *tuning, unsigned long line,
                         const char *message)
{
    struct fg_ingest_options options = {.candidate_path = path};
    struct fg_counts *counts = NULL;
    struct fg_error err;
    memset(&err, 0, sizeof err);
    enum fg_status status = fg_ingest_run_tuned(policy, &options, tuning, &counts, NULL, &err);
    ck_assert_msg(status == FG_ERR_INPUT && err.line == line && strcmp(err.message, message) == 0,
                  "%s (libcsv only: %d, block %zu): status %d, line %lu: %s; want line %lu: %s",
                  path, (int)tuning->libcsv_only, tuning->block_bytes, (int)status, err.line,
                  err.message, line, message);
}

START_TEST(test_line_numbers)
{
    struct fg_policy *policy = policy_from(policies[0]);
    char text[4096], path[512], message[512];
    for (unsigned seed = 1; seed <= 240; seed++) {
        rng = seed * 2246822519u;
        size_t fault = seed % (sizeof line_faults / sizeof *line_faults);
        unsigned long line = 0;
        size_t len = generate_fault(text, fault, &line, message, sizeof message);
        char name[64];
        snprintf(name, sizeof name, "lines-%u.csv", seed);
        write_file(path, sizeof path, name, text, len);
        struct fg_ingest_tuning tuning;
        fg_ingest_tuning_default(&tuning);
        tuning.libcsv_only = true;
        expect_fault(policy, path, &tuning, line, message);
        tuning.libcsv_only = false;
        for (size_t block = 64; block <= 72; block++) {
            tuning.block_bytes = block;
            expect_fault(policy, path, &tuning, line, message);
        }
        agree(policy, path, seed);
    }
    fg_policy_free(policy);
}
END_TEST

static void progress_seen(uint64_t done, uint64_t total, uint64_t rows, void *user)
{
    uint64_t *seen = user;
    ck_assert_uint_le(done, total);
    ck_assert_uint_ge(done, seen[1]);
    seen[0]++;
    seen[1] = done;
    seen[2] = rows;
    seen[3] = total;
}

/* The progress callback: called, monotonic, ends at the file's size and row count. */
START_TEST(test_progress)
{
    struct fg_policy *policy = policy_from(policies[0]);
    size_t cap = 1 << 20;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t len = (size_t)sprintf(text, "a,b,y,new,old\n");
    for (int row = 0; row < 20000; row++)
        len += (size_t)sprintf(text + len, "F,A,%d,1,0\n", row % 2);
    char path[512];
    write_file(path, sizeof path, "progress.csv", text, len);
    for (int parallel = 0; parallel < 2; parallel++) {
        struct fg_ingest_tuning tuning;
        fg_ingest_tuning_default(&tuning);
        tuning.block_bytes = 4096;
        if (parallel) {
            tuning.parallel_min = 0;
            tuning.settle_seconds = 0; /* files written just now */
            tuning.chunk_bytes = 8192;
            tuning.workers = 2;
        }
        uint64_t seen[4] = {0, 0, 0, 0};
        struct fg_ingest_options options = {
            .candidate_path = path, .progress = progress_seen, .progress_user = seen};
        struct fg_counts *counts = NULL;
        struct fg_error err;
        ck_assert_int_eq(fg_ingest_run_tuned(policy, &options, &tuning, &counts, NULL, &err),
                         FG_OK);
        ck_assert_uint_ge(seen[0], 2);
        ck_assert_uint_eq(seen[3], len);
        ck_assert_uint_eq(seen[1], len);
        ck_assert_uint_eq(seen[2], 20000);
        fg_counts_free(counts);
    }
    free(text);
    fg_policy_free(policy);
}
END_TEST

/* The row cache's keys (lib/ingest.c: lean_key for keyed fields of at most 8 bytes, cache_key
 * else): rows whose keyed fields differ only in a byte at or past the 8th, in length alone
 * (a prefix, an empty field), in 0xff bytes, with 1, 12, 13 and 16 protected attributes (3,
 * 14, 15 and 18 keyed fields: under, at and past the lean key's 14), keyed columns out of
 * order among one that is not, and small blocks so that records end within 8 bytes of a
 * buffer's end (cache_key) and the same combination comes in both forms. Then echoes: an
 * earlier row again with a NUL byte after one keyed value, or a third value (errors that
 * a cache hit on the earlier row's key would skip), and more rows, so that the echoes are
 * not at the end of the file; some files with \r\n. Every configuration must read them as
 * libcsv alone. */
static size_t cache_row(char *text, size_t n_protected, const unsigned *order, unsigned row,
                        unsigned n_values, bool crlf)
{
    static const char *const values[] = {"abcdefgh",
                                         "abcdefgi",
                                         "abcdefghi",
                                         "abcdefghj",
                                         "",
                                         "a",
                                         "ab",
                                         "abcdefg",
                                         "bbcdefgh",
                                         "\xff\xff\xff\xff\xff\xff\xff\xff",
                                         "\xff\xff\xff\xff\xff\xff\xff",
                                         "abcdefgh\xff",
                                         "b"};
    size_t len = 0;
    for (size_t c = 0; c < n_protected + 3; c++) {
        size_t column = order[c];
        if (c)
            text[len++] = ',';
        if (column < n_protected)
            len += (size_t)sprintf(text + len, "%s", values[(next(n_values) + column) % 13]);
        else if (column <= n_protected + 1) /* y, new */
            text[len++] = next(2) ? '1' : '0';
        else /* note: not keyed */
            len += (size_t)sprintf(text + len, "n%u", row);
    }
    if (crlf)
        text[len++] = '\r';
    text[len++] = '\n';
    return len;
}

/* Appends the row at text + from (of len bytes, '\n' included) with a NUL byte after its
 * field number field, or (third) a '0' after it; returns the bytes appended. */
static size_t echo_row(char *text, size_t end, size_t from, size_t len, size_t field, bool third)
{
    size_t at = from, commas = 0;
    while (commas < field || (text[at] != ',' && text[at] != '\r' && text[at] != '\n'))
        commas += text[at++] == ',';
    memmove(text + end, text + from, at - from);
    text[end + at - from] = third ? '0' : '\0';
    memmove(text + end + at - from + 1, text + at, from + len - at);
    return len + 1;
}

static struct fg_policy *cache_policy(size_t n_protected, bool drop)
{
    char yaml[2048];
    size_t used = (size_t)snprintf(yaml, sizeof yaml,
                                   "version: 1\nname: t\ndata:\n  label: y\n"
                                   "  positive_label: '1'\n  favorable_prediction: '1'\n"
                                   "  candidate: {prediction: new}\n%s  protected: [",
                                   drop ? "  missing: drop\n" : "");
    for (size_t a = 0; a < n_protected; a++)
        used += (size_t)snprintf(yaml + used, sizeof yaml - used, "%sp%zu", a ? ", " : "", a);
    snprintf(yaml + used, sizeof yaml - used, "]\n" GATES);
    return policy_from(yaml);
}

/* The header for order (columns p0.., y, new, note), shuffled when shuffle. */
static size_t cache_header(char *text, size_t n_protected, unsigned *order, bool shuffle)
{
    size_t n_columns = n_protected + 3, len = 0;
    for (unsigned c = 0; c < n_columns; c++)
        order[c] = c;
    for (unsigned c = (unsigned)n_columns - 1; c > 0 && shuffle; c--) {
        unsigned other = next(c + 1), t = order[c];
        order[c] = order[other];
        order[other] = t;
    }
    for (size_t c = 0; c < n_columns; c++) {
        size_t column = order[c];
        len += (size_t)sprintf(text + len, "%s", c ? "," : "");
        if (column < n_protected)
            len += (size_t)sprintf(text + len, "p%zu", column);
        else
            len += (size_t)sprintf(text + len, "%s",
                                   column == n_protected       ? "y"
                                   : column == n_protected + 1 ? "new"
                                                               : "note");
    }
    text[len++] = '\n';
    return len;
}

START_TEST(test_cache_keys)
{
    static const size_t counts[] = {1, 12, 13, 16};
    size_t cap = 1 << 20, starts[512];
    char *text = malloc(cap), path[512];
    ck_assert_ptr_nonnull(text);
    unsigned echoes = 0;
    for (unsigned seed = 1; seed <= 80; seed++) {
        rng = seed * 0x9e3779b97f4a7c15ULL;
        size_t n_protected = counts[seed % 4];
        struct fg_policy *policy = cache_policy(n_protected, seed % 3 == 0);
        unsigned order[FG_MAX_PROTECTED + 3];
        size_t len = cache_header(text, n_protected, order, seed % 2 == 0);
        unsigned rows = 50 + next(400), n_values = 1 + next(n_protected > 8 ? 2 : 13);
        for (unsigned row = 0; row < rows; row++) {
            starts[row] = len;
            len += cache_row(text + len, n_protected, order, row, n_values, seed % 7 < 3);
        }
        starts[rows] = len;
        for (unsigned k = seed % 5 == 0 ? 0 : 1 + next(3); k > 0; k--, echoes++) {
            unsigned row = next(rows), field = next((unsigned)n_protected + 3);
            bool third = order[field] >= n_protected && order[field] <= n_protected + 1;
            if (order[field] > n_protected + 1)
                field = (unsigned)(order[0] == n_protected + 2); /* a keyed one */
            third = third && next(2);
            len += echo_row(text, len, starts[row], starts[row + 1] - starts[row], field, third);
        }
        /* rows after: the echoes are not within 8 bytes of the end (lean keys) */
        for (unsigned row = 0; row < 4; row++)
            len += cache_row(text + len, n_protected, order, rows + row, n_values, seed % 7 < 3);
        char name[64];
        snprintf(name, sizeof name, "keys-%u.csv", seed);
        write_file(path, sizeof path, name, text, len);
        agree(policy, path, seed);
        fg_policy_free(policy);
    }
    ck_assert_uint_gt(echoes, 100);
    free(text);
}
END_TEST

/* Every record read through fg_fastcsv_next from pos 0 on, as text: result, offsets, fields
 * (the first FG_FASTCSV_WINDOW - 1, which both readings of test_window_edges set). */
static void tokens_final(const struct fg_fastcsv *csv, const char *text, size_t len, size_t cap,
                         bool final, char *out, size_t size)
{
    struct fg_csv_span spans[FG_FASTCSV_WINDOW + 8];
    size_t used = 0, pos = 0;
    ck_assert_uint_le(cap, sizeof spans / sizeof *spans);
    for (;;) {
        struct fg_fastcsv_record rec;
        enum fg_fastcsv_result result =
            fg_fastcsv_next(csv, text, len, pos, final, spans, cap, &rec);
        used += (size_t)snprintf(out + used, size - used, "%d@%zu+%zu", (int)result, rec.start,
                                 rec.newlines_before);
        if (result != FG_FASTCSV_RECORD)
            break;
        used += (size_t)snprintf(out + used, size - used, " next=%zu nl=%d n=%zu:", rec.next,
                                 (int)rec.newline_ended, rec.n_fields);
        for (size_t f = 0; f < rec.n_fields && f < FG_FASTCSV_WINDOW - 1; f++)
            used += (size_t)snprintf(out + used, size - used, "[%zu,%zu]",
                                     (size_t)(spans[f].bytes - text), spans[f].len);
        used += (size_t)snprintf(out + used, size - used, "\n");
        ck_assert_uint_lt(used, size);
        pos = rec.next;
    }
}

static void tokens(const struct fg_fastcsv *csv, const char *text, size_t len, size_t cap,
                   char *out, size_t size)
{
    tokens_final(csv, text, len, cap, true, out, size);
}

/* Records that end just before, at and just past the window of lib/fastcsv.c (one step for a
 * record within FG_FASTCSV_WINDOW bytes), with each terminator, a '"' before or after the
 * end, up to a field per byte, and not enough bytes left: read exactly as by the 16-byte loop
 * (no room for a window's fields), which fuzz_csv checks against libcsv. */
START_TEST(test_window_edges)
{
    static const char *const ends[] = {"\n", "\r", "\r\n", "\n\n\r\n", ""};
    /* the last: a record longer than the window */
    static const char long_tail[] = "0123456789012345678901234567890123456789"
                                    "012345678901234567890123456789,z\n";
    static const char *const tails[] = {"", "x,y\n", "\"q\",r\n", long_tail};
    char text[512], want[8192], got[8192];
    struct fg_fastcsv csv;
    fg_fastcsv_init(&csv, ',', FG_MAX_FIELD);
    ck_assert(csv.window);
    for (size_t body = 0; body <= FG_FASTCSV_WINDOW + 8; body++)
        for (unsigned shape = 0; shape < 4; shape++)
            for (size_t e = 0; e < sizeof ends / sizeof *ends; e++)
                for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
                    size_t len = 0;
                    for (size_t i = 0; i < body; i++) {
                        /* 0: fields of 3 bytes; 1: every byte a delimiter; 2: one field;
                         * 3: a '"' in the last byte */
                        char c = shape == 1 ? ',' : shape == 0 && i % 4 == 3 ? ',' : 'a';
                        text[len++] = shape == 3 && i + 1 == body ? '"' : c;
                    }
                    len +=
                        (size_t)snprintf(text + len, sizeof text - len, "%s%s", ends[e], tails[t]);
                    tokens(&csv, text, len, FG_FASTCSV_WINDOW - 1, want, sizeof want);
                    tokens(&csv, text, len, FG_FASTCSV_WINDOW, got, sizeof got);
                    ck_assert_msg(strcmp(want, got) == 0,
                                  "body %zu shape %u end %zu tail %zu:\n%s\nvs\n%s", body, shape, e,
                                  t, want, got);
                }
}
END_TEST

/* Random short texts over the bytes that matter to the window (the delimiter, '\r', '\n',
 * '"', NUL, 0xff, ' ', 'a'), with the delimiters ',', NUL, 0xff, ' ' and 'a', cut at every
 * length and read final and not: so that records end at, just before and just past 64
 * bytes from where they start, and len - pos is exactly 64 at every offset of a record.
 * The window (room for 64 fields) must read each as the 16-byte loop does (room for 63). */
START_TEST(test_window_random)
{
    static const unsigned char delimiters[] = {',', '\0', 0xff, ' ', 'a'};
    static const char bytes[] = {'b', 'b', 'b', 'b', '\r', '\n', '"', '\0', (char)0xff, ' ', 'a'};
    char text[200], want[16384], got[16384];
    unsigned compared = 0;
    rng = 7;
    for (unsigned round = 0; round < 600; round++) {
        unsigned char delimiter = delimiters[round % 5];
        struct fg_fastcsv csv;
        fg_fastcsv_init(&csv, delimiter, round % 7 == 0 ? FG_FASTCSV_WINDOW : FG_MAX_FIELD);
        ck_assert(csv.window);
        size_t len = 40 + next(150);
        unsigned quotes = next(3), lines = next(3); /* how often '"' and line ends come */
        for (size_t i = 0; i < len; i++) {
            unsigned roll = next(100);
            char c = roll < 15 ? (char)delimiter : bytes[next(sizeof bytes)];
            if ((c == '"' && next(4) >= quotes) || ((c == '\r' || c == '\n') && next(4) >= lines))
                c = 'b';
            text[i] = c;
        }
        for (size_t cut = 0; cut <= len; cut++)
            for (int final = 0; final < 2; final++) {
                tokens_final(&csv, text, cut, FG_FASTCSV_WINDOW - 1, final, want, sizeof want);
                tokens_final(&csv, text, cut, FG_FASTCSV_WINDOW, final, got, sizeof got);
                ck_assert_msg(strcmp(want, got) == 0, "round %u cut %zu final %d:\n%s\nvs\n%s",
                              round, cut, final, want, got);
                compared++;
            }
    }
    ck_assert_uint_gt(compared, 100000);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("fastcsv");
    TCase *tc = tcase_create("differential");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_generated);
    tcase_add_test(tc, test_corners);
    tcase_add_test(tc, test_long_fields);
    tcase_add_test(tc, test_first_error_wins);
    tcase_add_test(tc, test_progress);
    tcase_add_test(tc, test_line_numbers);
    tcase_add_test(tc, test_window_edges);
    tcase_add_test(tc, test_cache_keys);
    tcase_add_test(tc, test_window_random);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
