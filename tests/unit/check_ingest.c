/*
 * check_ingest.c - unit tests of CSV ingest (lib/ingest.c): CSV dialects, decisions from
 * predictions and scores, missing values, errors with their file and physical line,
 * joins of two files by id and by position, merge, the scores kept for score metrics, and
 * the real COMPAS data.
 *
 * Policies are built by hand (no dependency on lib/policy.c). CSV inputs are written to a
 * temporary folder; every expected cell count below is worked out by hand from the CSV
 * text next to it. The real data is read from $FAIRGATE_DATA or ../shared/data.
 */
#define _POSIX_C_SOURCE 200809L

#include "counts.h"
#include "csvread.h"
#include "fairgate.h"
#include "ingest.h"
#include "metric.h"
#include "policy.h"
#include "util.h"
#include "test_util.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---- */

static char workdir[512];

/* Writes len bytes to workdir/name; path receives the full path. */
static void write_bytes(char *path, size_t size, const char *name, const char *bytes, size_t len)
{
    snprintf(path, size, "%s/%s", workdir, name);
    write_bytes_to(path, bytes, len);
}

static void write_text(char *path, size_t size, const char *name, const char *text)
{
    write_bytes(path, size, name, text, strlen(text));
}

static char *protected_sex_race[] = {"sex", "race"};

/* Policy variants the vectors use. */
enum variant {
    BASIC,           /* label 'label' positive '1', protected sex & race, prediction 'pred' */
    SCORE_ABOVE,     /* candidate score 'p' >= 0.5 */
    SCORE_BELOW,     /* candidate score 'p' < 0.5 */
    DROP,            /* BASIC with missing: drop */
    SEMICOLON,       /* BASIC with delimiter ';' */
    INCUMBENT_PRED,  /* BASIC plus incumbent prediction 'old' */
    INCUMBENT_SCORE, /* BASIC plus incumbent score 'old_p' < 0.3 */
    YES_NO,          /* BASIC with positive label 'yes' */
    JOIN,            /* id 'id', candidate 'new', incumbent 'old' */
    JOIN_DROP,       /* JOIN with missing: drop */
    POSITION,        /* JOIN without id */
    POSITION_DROP,   /* POSITION with missing: drop */
    SCORE_AUC,       /* SCORE_ABOVE with an auc gate: scores kept, any finite value */
    SCORE_BRIER,     /* SCORE_ABOVE with a brier gate: scores kept, in [0, 1] */
    SCORE_GAP_BELOW, /* SCORE_BELOW with a calibration_gap gate */
    JOIN_SCORES,     /* id 'id', scores 'new' (>= 0.5) and 'old' (< 0.5), brier, drop */
    POSITION_SCORES, /* JOIN_SCORES without id */
};

static struct fg_gate_spec auc_gate = {.id = "auc", .metric = FG_METRIC_AUC};
static struct fg_gate_spec brier_gate = {.id = "brier", .metric = FG_METRIC_BRIER, .overall = true};
static struct fg_gate_spec gap_gate = {
    .id = "gap", .metric = FG_METRIC_CALIBRATION_GAP, .overall = true};

static void make_policy(struct fg_policy *p, enum variant v)
{
    memset(p, 0, sizeof *p);
    p->path = "test-policy.yaml";
    p->version = 1;
    p->name = "test";
    p->data.label = "label";
    p->data.positive_label = "1";
    p->data.protected = protected_sex_race;
    p->data.n_protected = 2;
    p->data.candidate.present = true;
    p->data.candidate.prediction = "pred";
    p->data.favorable_prediction = "1";
    p->data.missing = FG_MISSING_ERROR;
    p->data.delimiter = ',';
    switch (v) {
    case BASIC:
        break;
    case SCORE_ABOVE:
    case SCORE_BELOW:
        p->data.candidate.prediction = NULL;
        p->data.candidate.score = "p";
        p->data.candidate.threshold = 0.5;
        p->data.candidate.favorable = v == SCORE_ABOVE ? FG_FAVORABLE_ABOVE : FG_FAVORABLE_BELOW;
        break;
    case DROP:
        p->data.missing = FG_MISSING_DROP;
        break;
    case SEMICOLON:
        p->data.delimiter = ';';
        break;
    case INCUMBENT_PRED:
        p->data.incumbent.present = true;
        p->data.incumbent.prediction = "old";
        break;
    case INCUMBENT_SCORE:
        p->data.incumbent.present = true;
        p->data.incumbent.score = "old_p";
        p->data.incumbent.threshold = 0.3;
        p->data.incumbent.favorable = FG_FAVORABLE_BELOW;
        break;
    case YES_NO:
        p->data.positive_label = "yes";
        break;
    case JOIN:
    case JOIN_DROP:
    case POSITION:
    case POSITION_DROP:
        p->data.id = (v == JOIN || v == JOIN_DROP) ? "id" : NULL;
        p->data.join = p->data.id ? FG_JOIN_UNSET : FG_JOIN_POSITION;
        p->data.candidate.prediction = "new";
        p->data.incumbent.present = true;
        p->data.incumbent.prediction = "old";
        if (v == JOIN_DROP || v == POSITION_DROP)
            p->data.missing = FG_MISSING_DROP;
        break;
    case SCORE_AUC:
    case SCORE_BRIER:
    case SCORE_GAP_BELOW:
        p->data.candidate.prediction = NULL;
        p->data.candidate.score = "p";
        p->data.candidate.threshold = 0.5;
        p->data.candidate.favorable =
            v == SCORE_GAP_BELOW ? FG_FAVORABLE_BELOW : FG_FAVORABLE_ABOVE;
        p->gates = v == SCORE_AUC ? &auc_gate : v == SCORE_BRIER ? &brier_gate : &gap_gate;
        p->n_gates = 1;
        break;
    case JOIN_SCORES:
    case POSITION_SCORES:
        p->data.id = v == JOIN_SCORES ? "id" : NULL;
        p->data.join = p->data.id ? FG_JOIN_UNSET : FG_JOIN_POSITION;
        p->data.candidate.prediction = NULL;
        p->data.candidate.score = "new";
        p->data.candidate.threshold = 0.5;
        p->data.incumbent.present = true;
        p->data.incumbent.score = "old";
        p->data.incumbent.threshold = 0.5;
        p->data.incumbent.favorable = FG_FAVORABLE_BELOW;
        p->data.missing = FG_MISSING_DROP;
        p->gates = &brier_gate;
        p->n_gates = 1;
        break;
    }
}

static enum fg_status ingest(const struct fg_policy *policy, const char *candidate,
                             const char *incumbent, struct fg_counts **counts,
                             struct fg_ingest_result *info, struct fg_error *err)
{
    struct fg_ingest_options options = {.candidate_path = candidate, .incumbent_path = incumbent};
    memset(err, 0, sizeof *err);
    return fg_ingest_run(policy, &options, counts, info, err);
}

struct expected_cell {
    const char *sex, *race;
    unsigned y, c, i;
    uint64_t count;
};

/* The table holds exactly these cells, in this order (order of first sight). */
static void expect_cells(const struct fg_counts *counts, const struct expected_cell *cells,
                         size_t n, const char *name)
{
    ck_assert_msg(fg_counts_cell_count(counts) == n, "%s: %zu cells, expected %zu", name,
                  fg_counts_cell_count(counts), n);
    uint64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        struct fg_cell cell;
        fg_counts_cell(counts, k, &cell);
        const char *sex = fg_counts_value(counts, 0, cell.value_ids[0]);
        const char *race = fg_counts_value(counts, 1, cell.value_ids[1]);
        const struct expected_cell *e = &cells[k];
        ck_assert_msg(strcmp(sex, e->sex) == 0 && strcmp(race, e->race) == 0 &&
                          cell.y_true == e->y && cell.candidate == e->c && cell.incumbent == e->i &&
                          cell.count == e->count,
                      "%s: cell %zu is (%s, %s, %u, %u, %u) x %llu, expected (%s, %s, %u, %u, "
                      "%u) x %llu",
                      name, k, sex, race, cell.y_true, cell.candidate, cell.incumbent,
                      (unsigned long long)cell.count, e->sex, e->race, e->y, e->c, e->i,
                      (unsigned long long)e->count);
        total += e->count;
    }
    ck_assert_uint_eq(fg_counts_total(counts), total);
}

/* The count of the cell with these value strings and bits (0 when there is none). */
static uint64_t cell_named(const struct fg_counts *counts, const char *const *values, unsigned y,
                           unsigned c, unsigned i)
{
    for (size_t k = 0; k < fg_counts_cell_count(counts); k++) {
        struct fg_cell cell;
        fg_counts_cell(counts, k, &cell);
        if (cell.y_true != y || cell.candidate != c || cell.incumbent != i)
            continue;
        bool same = true;
        for (size_t a = 0; same && a < fg_counts_attr_count(counts); a++)
            same = strcmp(fg_counts_value(counts, a, cell.value_ids[a]), values[a]) == 0;
        if (same)
            return cell.count;
    }
    return 0;
}

/* Both tables hold the same cells (by value strings), whatever their ids and order. */
static void expect_same_counts(const struct fg_counts *a, const struct fg_counts *b)
{
    ck_assert_uint_eq(fg_counts_attr_count(a), fg_counts_attr_count(b));
    ck_assert_uint_eq(fg_counts_cell_count(a), fg_counts_cell_count(b));
    ck_assert_uint_eq(fg_counts_total(a), fg_counts_total(b));
    for (size_t k = 0; k < fg_counts_cell_count(a); k++) {
        struct fg_cell cell;
        fg_counts_cell(a, k, &cell);
        const char *values[FG_MAX_PROTECTED];
        for (size_t at = 0; at < fg_counts_attr_count(a); at++)
            values[at] = fg_counts_value(a, at, cell.value_ids[at]);
        ck_assert_uint_eq(cell_named(b, values, cell.y_true, cell.candidate, cell.incumbent),
                          cell.count);
    }
}

/* Sum of the counts where attribute attr has value; y / c < 0 mean any. */
static uint64_t sum_where(const struct fg_counts *counts, size_t attr, const char *value, int y,
                          int c)
{
    uint64_t sum = 0;
    for (size_t k = 0; k < fg_counts_cell_count(counts); k++) {
        struct fg_cell cell;
        fg_counts_cell(counts, k, &cell);
        if (strcmp(fg_counts_value(counts, attr, cell.value_ids[attr]), value) != 0)
            continue;
        if ((y >= 0 && cell.y_true != (unsigned)y) || (c >= 0 && cell.candidate != (unsigned)c))
            continue;
        sum += cell.count;
    }
    return sum;
}

/* ---- files that ingest: CSV dialects and decisions ---- */

#define CSV_A                                                                                      \
    "id,sex,race,label,pred\n1,F,A,1,1\n2,F,A,1,0\n3,M,B,0,1\n4,M,A,0,0\n5,F,B,1,1\n6,F,A,1,1\n"
#define CELLS_A                                                                                    \
    {{"F", "A", 1, 1, 0, 2},                                                                       \
     {"F", "A", 1, 0, 0, 1},                                                                       \
     {"M", "B", 0, 1, 0, 1},                                                                       \
     {"M", "A", 0, 0, 0, 1},                                                                       \
     {"F", "B", 1, 1, 0, 1}},                                                                      \
        5

struct ok_vector {
    const char *name;
    enum variant policy;
    const char *csv;
    uint64_t rows, rows_dropped;
    struct expected_cell cells[8];
    size_t n_cells;
};

static const struct ok_vector ok_vectors[] = {
    {"two attributes", BASIC, CSV_A, 6, 0, CELLS_A},
    /* auc ranks scores: any finite score will do (1.7 >= 0.5; -3 and -0 are not) */
    {"any finite score with an auc gate",
     SCORE_AUC,
     "sex,race,label,p\nF,A,1,1.7\nF,A,0,-3\nM,B,0,-0.0\n",
     3,
     0,
     {{"F", "A", 1, 1, 0, 1}, {"F", "A", 0, 0, 0, 1}, {"M", "B", 0, 0, 0, 1}},
     3},
    /* 0 and 1 themselves are probabilities */
    {"0 and 1 with a brier gate",
     SCORE_BRIER,
     "sex,race,label,p\nF,A,1,1\nF,A,0,0\nF,A,0,1e0\nF,A,0,-0\n",
     4,
     0,
     {{"F", "A", 1, 1, 0, 1}, {"F", "A", 0, 0, 0, 2}, {"F", "A", 0, 1, 0, 1}},
     3},
    {"crlf", BASIC,
     "id,sex,race,label,pred\r\n1,F,A,1,1\r\n2,F,A,1,0\r\n3,M,B,0,1\r\n4,M,A,0,0\r\n5,F,B,1,1\r\n"
     "6,F,A,1,1\r\n",
     6, 0, CELLS_A},
    {"quoted delimiter, quotes, newline",
     BASIC,
     "sex,race,label,pred,note\n"
     "F,\"A, x\",1,1,\"said \"\"hi\"\"\"\n"
     "M,\"B\nC\",0,1,\"two\nlines\"\n"
     "F,\"A, x\",1,0,plain\n"
     "\"M\",\"B\r\nC\",0,1,\"\"\r\n",
     4,
     0,
     {{"F", "A, x", 1, 1, 0, 1},
      {"M", "B\nC", 0, 1, 0, 1},
      {"F", "A, x", 1, 0, 0, 1},
      {"M", "B\r\nC", 0, 1, 0, 1}},
     4},
    /* without the BOM skipped, the first header name would not be 'sex' */
    {"byte order mark",
     BASIC,
     "\xef\xbb\xbfsex,race,label,pred\nF,A,1,1\n",
     1,
     0,
     {{"F", "A", 1, 1, 0, 1}},
     1},
    {"semicolon",
     SEMICOLON,
     "sex;race;label;pred\nF;A,x;1;1\nM;\"B;y\";0;0\n",
     2,
     0,
     {{"F", "A,x", 1, 1, 0, 1}, {"M", "B;y", 0, 0, 0, 1}},
     2},
    {"blank lines, no final newline",
     BASIC,
     "\nsex,race,label,pred\n\nF,A,1,1\n\r\n\nM,B,0,0",
     2,
     0,
     {{"F", "A", 1, 1, 0, 1}, {"M", "B", 0, 0, 0, 1}},
     2},
    /* >= 0.5: 0.5 yes, 0.49999 no, 0.75 yes, -1e3 no, 5e-1 yes */
    {"score above, boundary favourable",
     SCORE_ABOVE,
     "sex,race,label,p\nF,A,1,0.5\nF,A,1,0.49999\nF,A,0,0.75\nF,A,0,-1e3\nF,A,1,5e-1\n",
     5,
     0,
     {{"F", "A", 1, 1, 0, 2},
      {"F", "A", 1, 0, 0, 1},
      {"F", "A", 0, 1, 0, 1},
      {"F", "A", 0, 0, 0, 1}},
     4},
    /* < 0.5: 0.5 no, 0.49999 yes, 0.75 no, -1e3 yes, 5e-1 no */
    {"score below, boundary not favourable",
     SCORE_BELOW,
     "sex,race,label,p\nF,A,1,0.5\nF,A,1,0.49999\nF,A,0,0.75\nF,A,0,-1e3\nF,A,1,5e-1\n",
     5,
     0,
     {{"F", "A", 1, 0, 0, 2},
      {"F", "A", 1, 1, 0, 1},
      {"F", "A", 0, 0, 0, 1},
      {"F", "A", 0, 1, 0, 1}},
     4},
    /* rows 3-6 and 8 each have an empty needed field ("" quoted is empty too) */
    {"missing: drop",
     DROP,
     "sex,race,label,pred,note\nF,A,1,1,\n,A,1,1,x\nF,,0,0,x\nF,A,,1,x\nM,B,0,,x\n"
     "M,B,0,0,\n\"\",B,0,0,x\n",
     7,
     5,
     {{"F", "A", 1, 1, 0, 1}, {"M", "B", 0, 0, 0, 1}},
     2},
    {"unneeded duplicate and empty header names",
     BASIC,
     "x,sex,x,race,label,,pred,\n1,F,2,A,1,,1,\n3,M,4,B,0,z,0,\n",
     2,
     0,
     {{"F", "A", 1, 1, 0, 1}, {"M", "B", 0, 0, 0, 1}},
     2},
    {"incumbent column",
     INCUMBENT_PRED,
     "sex,race,label,pred,old\nF,A,1,1,0\nF,A,1,1,1\nM,B,0,0,1\nF,A,1,1,0\n",
     4,
     0,
     {{"F", "A", 1, 1, 0, 2}, {"F", "A", 1, 1, 1, 1}, {"M", "B", 0, 0, 1, 1}},
     3},
    /* < 0.3: 0.2 yes, 0.3 no */
    {"incumbent score column",
     INCUMBENT_SCORE,
     "sex,race,label,pred,old_p\nF,A,1,1,0.2\nF,A,1,1,0.3\n",
     2,
     0,
     {{"F", "A", 1, 1, 1, 1}, {"F", "A", 1, 1, 0, 1}},
     2},
    /* each column keeps its own other value; no trimming: ' A' is not 'A' */
    {"labels yes/no, exact bytes",
     YES_NO,
     "sex,race,label,pred\nF,A,no,1\nF,A,yes,0\nM,B,no,0\nF, A,yes,0\n",
     4,
     0,
     {{"F", "A", 0, 1, 0, 1},
      {"F", "A", 1, 0, 0, 1},
      {"M", "B", 0, 0, 0, 1},
      {"F", " A", 1, 0, 0, 1}},
     4},
};

START_TEST(test_ok_vectors)
{
    const struct ok_vector *v = &ok_vectors[_i];
    char path[600], name[32];
    snprintf(name, sizeof name, "ok-%d.csv", _i);
    write_text(path, sizeof path, name, v->csv);
    struct fg_policy policy;
    make_policy(&policy, v->policy);
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    enum fg_status status = ingest(&policy, path, NULL, &counts, &info, &err);
    ck_assert_msg(status == FG_OK, "%s: %s:%lu: %s", v->name, err.file, err.line, err.message);
    expect_cells(counts, v->cells, v->n_cells, v->name);
    ck_assert_uint_eq(info.candidate.rows, v->rows);
    ck_assert_uint_eq(info.candidate.rows_dropped, v->rows_dropped);
    ck_assert_str_eq(info.candidate.path, path);
    ck_assert_int_eq(info.has_incumbent_file, 0);
    ck_assert_uint_eq(info.incumbent.rows, 0);
    ck_assert(fg_counts_has_incumbent(counts) == policy.data.incumbent.present);
    ck_assert_uint_eq(fg_counts_attr_count(counts), 2);
    char digest[65];
    ck_assert_int_eq(fg_sha256_hex(v->csv, strlen(v->csv), digest, NULL), FG_OK);
    ck_assert_str_eq(info.candidate.sha256, digest);
    fg_counts_free(counts);
}
END_TEST

/* ---- files that do not: errors with file, line and message ---- */

struct error_vector {
    const char *name;
    enum variant policy;
    const char *csv;
    enum fg_status code;
    unsigned long line;
    const char *message; /* a part of the message */
    bool exact;          /* the whole message */
};

static const struct error_vector error_vectors[] = {
    {"third label value", BASIC, "sex,race,label,pred\nF,A,1,1\nF,A,0,1\nF,A,2,1\n", FG_ERR_INPUT,
     4,
     "column 'label' has a third value '2' (the positive label is '1'; the other value, first "
     "seen at line 3, is '0')",
     true},
    {"third prediction value", BASIC, "sex,race,label,pred\nF,A,1,0\nF,A,0,1\nF,A,0,maybe\n",
     FG_ERR_INPUT, 4,
     "column 'pred' has a third value 'maybe' (the favorable prediction is '1'; the other value, "
     "first seen at line 2, is '0')",
     true},
    {"third value after a field over three lines", BASIC,
     "sex,race,label,pred\nF,\"A\nB\nC\",1,1\nF,A,0,1\nF,A,x,1\n", FG_ERR_INPUT, 6,
     "third value 'x' (the positive label is '1'; the other value, first seen at line 5, is '0')",
     false},
    {"no trimming: '0 ' is a third value", BASIC, "sex,race,label,pred\nF,A,0,1\nF,A,0 ,1\n",
     FG_ERR_INPUT, 3, "third value '0 '", false},
    {"nan score", SCORE_ABOVE, "sex,race,label,p\nF,A,1,0.5\nF,A,1,nan\n", FG_ERR_INPUT, 3,
     "column 'p' has 'nan', which is not a finite number"
     "; 'nan' looks like a missing value, but only an empty field is read as missing: "
     "write missing values as empty fields, and 'missing: drop' in data leaves those rows out",
     true},
    {"NA score", SCORE_ABOVE, "sex,race,label,p\nF,A,1,0.5\nF,A,1,NA\n", FG_ERR_INPUT, 3,
     "column 'p' has 'NA', which is not a number"
     "; 'NA' looks like a missing value, but only an empty field is read as missing: "
     "write missing values as empty fields, and 'missing: drop' in data leaves those rows out",
     true},
    {"text score: no missing-value hint", SCORE_ABOVE, "sex,race,label,p\nF,A,1,nab\n",
     FG_ERR_INPUT, 2, "column 'p' has 'nab', which is not a number", true},
    {"inf score", SCORE_ABOVE, "sex,race,label,p\nF,A,1,-inf\n", FG_ERR_INPUT, 2,
     "column 'p' has '-inf', which is not a finite number", true},
    {"overflowing score", SCORE_BELOW, "sex,race,label,p\nF,A,1,1e999\n", FG_ERR_INPUT, 2,
     "'1e999', which is not a finite number", false},
    {"text score", SCORE_ABOVE, "sex,race,label,p\nF,A,1,abc\n", FG_ERR_INPUT, 2,
     "column 'p' has 'abc', which is not a number", true},
    {"leading space score", SCORE_ABOVE, "sex,race,label,p\nF,A,1, 0.5\n", FG_ERR_INPUT, 2,
     "column 'p' has ' 0.5', which is not a number", true},
    {"trailing junk score", SCORE_ABOVE, "sex,race,label,p\nF,A,1,0.5x\n", FG_ERR_INPUT, 2,
     "'0.5x', which is not a number", false},
    {"missing: error", BASIC, "sex,race,label,pred\nF,A,1,1\nF,,1,1\n", FG_ERR_INPUT, 3,
     "empty value in column 'race': a missing value; 'missing: drop' in data leaves such rows out",
     true},
    {"missing score: error", SCORE_ABOVE, "sex,race,label,p\nF,A,1,\"\"\n", FG_ERR_INPUT, 2,
     "empty value in column 'p': a missing value; 'missing: drop' in data leaves such rows out",
     true},
    {"NA label: a missing-value hint", BASIC, "sex,race,label,pred\nF,A,1,1\nF,A,0,1\nF,A,NA,1\n",
     FG_ERR_INPUT, 4,
     "column 'label' has a third value 'NA' (the positive label is '1'; the other value, first "
     "seen at line 3, is '0')"
     "; 'NA' looks like a missing value, but only an empty field is read as missing: "
     "write missing values as empty fields, and 'missing: drop' in data leaves those rows out",
     true},
    {"None prediction after null: the first one hinted", BASIC,
     "sex,race,label,pred\nF,A,1,1\nF,A,0,null\nF,A,0,None\n", FG_ERR_INPUT, 4,
     "column 'pred' has a third value 'None' (the favorable prediction is '1'; the other value, "
     "first seen at line 3, is 'null')"
     "; 'None' looks like a missing value, but only an empty field is read as missing: "
     "write missing values as empty fields, and 'missing: drop' in data leaves those rows out",
     true},
    {"the other value N/A, then 0", BASIC, "sex,race,label,pred\nF,A,N/A,1\nF,A,0,1\n",
     FG_ERR_INPUT, 3,
     "column 'label' has a third value '0' (the positive label is '1'; the other value, first "
     "seen at line 2, is 'N/A')"
     "; 'N/A' looks like a missing value, but only an empty field is read as missing: "
     "write missing values as empty fields, and 'missing: drop' in data leaves those rows out",
     true},
    {"score above 1 with a brier gate", SCORE_BRIER, "sex,race,label,p\nF,A,1,0.5\nF,A,0,1.7\n",
     FG_ERR_INPUT, 3,
     "column 'p' has score '1.7', which is outside [0, 1]; brier and calibration_gap need "
     "probabilities",
     true},
    {"negative score with a calibration_gap gate", SCORE_GAP_BELOW,
     "sex,race,label,p\nF,A,1,0\nF,A,0,1\r\nM,B,0,-1e-9\n", FG_ERR_INPUT, 4,
     "column 'p' has score '-1e-9', which is outside [0, 1]", false},
    {"nan score with an auc gate", SCORE_AUC, "sex,race,label,p\nF,A,1,0.5\nF,A,1,NaN\n",
     FG_ERR_INPUT, 3,
     "column 'p' has 'NaN', which is not a finite number"
     "; 'NaN' looks like a missing value, but only an empty field is read as missing: "
     "write missing values as empty fields, and 'missing: drop' in data leaves those rows out",
     true},
    {"header only: no rows to judge", BASIC, "sex,race,label,pred\n", FG_ERR_INPUT, 0,
     "no rows to judge (0 data rows read, 0 dropped)", true},
    {"hexadecimal score", SCORE_ABOVE, "sex,race,label,p\nF,A,1,0x1p-1\n", FG_ERR_INPUT, 2,
     "'0x1p-1', which is not a number", false},
    {"ragged: too few", BASIC, "sex,race,label,pred\nF,A,1,1\nF,A,1\n", FG_ERR_INPUT, 3,
     "the row has 3 fields, the header has 4", true},
    {"ragged: too many", BASIC, "sex,race,label,pred\nF,A,1,1,9\n", FG_ERR_INPUT, 2,
     "the row has 5 fields, the header has 4", true},
    {"ragged after a field over two lines", BASIC,
     "sex,race,label,pred\nF,\"A\nB\",1,1\n\"x\ny\",A,1\n", FG_ERR_INPUT, 4, "has 3 fields", false},
    {"ragged, crlf", BASIC, "sex,race,label,pred\r\nF,A,1,1\r\n\r\nF,A,1\r\n", FG_ERR_INPUT, 4,
     "has 3 fields", false},
    {"stray quote", BASIC, "sex,race,label,pred\nF,A,1,1\nF,A\"b,1,1\n", FG_ERR_INPUT, 3,
     "malformed quoting", false},
    {"text after a closing quote", BASIC, "sex,race,label,pred\nF,\"A\"b,1,1\n", FG_ERR_INPUT, 2,
     "malformed quoting", false},
    {"unterminated quote at the end", BASIC, "sex,race,label,pred\nF,A,1,1\nF,\"A,1,1\nM,B,0,0\n",
     FG_ERR_INPUT, 3, "a quoted field is not closed before the end of the file", true},
    {"unterminated quote opening a record", BASIC, "sex,race,label,pred\nF,A,1,1\n\n\"F,A,1,1\nM\n",
     FG_ERR_INPUT, 4, "not closed", false},
    {"needed column twice", BASIC, "sex,race,label,pred,race\nF,A,1,1,A\n", FG_ERR_INPUT, 1,
     "column 'race' appears twice in the header (columns 2 and 5)", true},
    {"no column, with a hint", BASIC, "sex,rase,label,pred\nF,A,1,1\n", FG_ERR_INPUT, 1,
     "no column 'race' (did you mean 'rase'?); the candidate file has 4 columns: sex, rase, "
     "label, pred",
     true},
    {"no column, no hint", BASIC, "sex,zzzzzz,label,pred\n", FG_ERR_INPUT, 1,
     "no column 'race'; the candidate file has 4 columns: sex, zzzzzz, label, pred", true},
    {"no column after blank lines", BASIC, "\n\nsex,label,pred\n", FG_ERR_INPUT, 3,
     "no column 'race'; the candidate file has 3 columns: sex, label, pred", true},
    /* the whole header is one name; needed columns are looked up label first */
    {"wrong delimiter", BASIC, "sex;race;label;pred\nF;A;1;1\n", FG_ERR_INPUT, 1,
     "no column 'label' (the header is one column: is data.delimiter \";\"?); the candidate "
     "file has 1 column: sex;race;label;pred",
     true},
    {"incumbent column absent", INCUMBENT_PRED, "sex,race,label,pred\nF,A,1,1\n", FG_ERR_INPUT, 1,
     "no column 'old' (or give --incumbent FILE); the candidate file has 4 columns: sex, race, "
     "label, pred",
     true},
    {"empty file", BASIC, "", FG_ERR_INPUT, 0, "the file is empty: no header line", true},
    {"byte order mark only", BASIC, "\xef\xbb\xbf", FG_ERR_INPUT, 0, "empty", false},
    {"blank lines only", BASIC, "\n\r\n\n", FG_ERR_INPUT, 0, "empty", false},
};

START_TEST(test_error_vectors)
{
    const struct error_vector *v = &error_vectors[_i];
    char path[600], name[32];
    snprintf(name, sizeof name, "error-%d.csv", _i);
    write_text(path, sizeof path, name, v->csv);
    struct fg_policy policy;
    make_policy(&policy, v->policy);
    struct fg_counts *counts = (struct fg_counts *)&policy; /* must come back NULL */
    struct fg_ingest_result info;
    struct fg_error err;
    enum fg_status status = ingest(&policy, path, NULL, &counts, &info, &err);
    ck_assert_msg(status == v->code, "%s: status %d, expected %d (%s)", v->name, status, v->code,
                  err.message);
    ck_assert_ptr_null(counts);
    ck_assert_int_eq(err.code, v->code);
    ck_assert_str_eq(err.file, path);
    ck_assert_msg(err.line == v->line, "%s: line %lu, expected %lu (%s)", v->name, err.line,
                  v->line, err.message);
    if (v->exact)
        ck_assert_str_eq(err.message, v->message);
    else
        ck_assert_msg(strstr(err.message, v->message) != NULL, "%s: message '%s' lacks '%s'",
                      v->name, err.message, v->message);
}
END_TEST

START_TEST(test_unreadable)
{
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    struct fg_counts *counts = NULL;
    struct fg_error err;
    char path[600];
    snprintf(path, sizeof path, "%s/does-not-exist.csv", workdir);
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, NULL, &err), FG_ERR_IO);
    ck_assert_ptr_null(counts);
    ck_assert_str_eq(err.file, path);
    ck_assert_uint_eq(err.line, 0);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot open"));
    /* a folder opens but cannot be read */
    ck_assert_int_eq(ingest(&policy, workdir, NULL, &counts, NULL, &err), FG_ERR_IO);
    ck_assert_ptr_null(counts);
    ck_assert_str_eq(err.file, workdir);
    ck_assert_uint_eq(err.line, 0);
}
END_TEST

START_TEST(test_usage)
{
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    char path[600];
    write_text(path, sizeof path, "usage.csv", "sex,race,label,pred\nF,A,1,1\n");
    struct fg_counts *counts = NULL;
    struct fg_error err;
    ck_assert_int_eq(ingest(&policy, path, path, &counts, NULL, &err), FG_ERR_USAGE);
    ck_assert_ptr_null(counts);
    ck_assert_ptr_nonnull(
        strstr(err.message, "the policy names no incumbent model (data.incumbent)"));
    ck_assert_int_eq(ingest(&policy, NULL, NULL, &counts, NULL, &err), FG_ERR_USAGE);
    /* a policy that names a prediction column but no favourable value */
    policy.data.favorable_prediction = NULL;
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, NULL, &err), FG_ERR_POLICY);
    ck_assert_ptr_null(counts);
}
END_TEST

START_TEST(test_sha256)
{
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    char path[600];
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    /* digests from sha256sum(1); the byte order mark is part of the file's digest */
    write_text(path, sizeof path, "sha.csv", "sex,race,label,pred\nF,A,1,1\n");
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, &info, &err), FG_OK);
    ck_assert_str_eq(info.candidate.sha256,
                     "e962c44adea079e4889b0f218ebb7a8753861b5e27dcef33b40c662afc06c982");
    fg_counts_free(counts);
    write_text(path, sizeof path, "sha-bom.csv", "\xef\xbb\xbfsex,race,label,pred\nF,A,1,1\n");
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, &info, &err), FG_OK);
    ck_assert_str_eq(info.candidate.sha256,
                     "91b359da9daf2b3d23d149997c36ca1f109a080056b848ddc120632374228163");
    fg_counts_free(counts);
}
END_TEST

/* Fields of FG_MAX_FIELD bytes are fine; one byte more is a limit error, needed or not. */
START_TEST(test_field_limit)
{
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    size_t big = FG_MAX_FIELD;
    char *text = malloc(3 * big + 200);
    ck_assert_ptr_nonnull(text);
    char path[600];
    struct fg_counts *counts = NULL;
    struct fg_error err;
    const size_t sizes[] = {big, big + 1, 3 * big};
    const bool quoted[] = {true, false, true};
    for (size_t k = 0; k < 3; k++) {
        for (int needed = 0; needed < 2; needed++) {
            /* line 2 is fine; line 3 holds the long field in race (needed) or note */
            size_t len = (size_t)snprintf(text, 200, "sex,race,label,pred,note\nF,A,1,1,x\nF,%s",
                                          needed ? (quoted[k] ? "\"" : "") : "A,1,1,");
            if (!needed && quoted[k])
                text[len++] = '"';
            memset(text + len, 'v', sizes[k]);
            len += sizes[k];
            len += (size_t)snprintf(text + len, 200, "%s%s\n", quoted[k] ? "\"" : "",
                                    needed ? ",1,1,x" : "");
            write_bytes(path, sizeof path, "long.csv", text, len);
            enum fg_status status = ingest(&policy, path, NULL, &counts, NULL, &err);
            if (sizes[k] <= FG_MAX_FIELD) {
                ck_assert_msg(status == FG_OK, "%zu bytes: %s", sizes[k], err.message);
                ck_assert_uint_eq(fg_counts_total(counts), 2);
                if (needed)
                    ck_assert_uint_eq(strlen(fg_counts_value(counts, 1, 1)), sizes[k]);
                fg_counts_free(counts);
            } else {
                ck_assert_msg(status == FG_ERR_LIMIT, "%zu bytes: status %d (%s)", sizes[k], status,
                              err.message);
                ck_assert_ptr_null(counts);
                ck_assert_uint_eq(err.line, 3);
                ck_assert_ptr_nonnull(strstr(err.message, "1048576"));
            }
        }
    }
    /* a runaway quoted field opening a record, across line breaks: its first line is named */
    size_t len = (size_t)snprintf(text, 200, "sex,race,label,pred,note\nF,A,1,1,x\n\n\"");
    for (size_t k = 0; k < 3 * big; k++)
        text[len++] = k % 1000 == 999 ? '\n' : 'v';
    write_bytes(path, sizeof path, "runaway.csv", text, len);
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, NULL, &err), FG_ERR_LIMIT);
    ck_assert_uint_eq(err.line, 4);
    ck_assert_ptr_null(counts);
    free(text);
}
END_TEST

/* 4096 distinct values of race are fine; the 4097th is an error at its line. */
START_TEST(test_group_value_limit)
{
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    size_t cap = 64 + (FG_MAX_GROUP_VALUES + 1) * 32;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t len = (size_t)snprintf(text, cap, "sex,race,label,pred\n");
    for (unsigned k = 0; k < FG_MAX_GROUP_VALUES + 1; k++)
        len += (size_t)snprintf(text + len, cap - len, "F,r%u,1,1\n", k);
    char path[600];
    write_bytes(path, sizeof path, "many-values.csv", text, len);
    struct fg_counts *counts = NULL;
    struct fg_error err;
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, NULL, &err), FG_ERR_LIMIT);
    ck_assert_ptr_null(counts);
    ck_assert_uint_eq(err.line, FG_MAX_GROUP_VALUES + 2); /* header + 4096 rows before it */
    ck_assert_ptr_nonnull(strstr(err.message, "column 'race'"));
    ck_assert_ptr_nonnull(strstr(err.message, "4096"));
    /* without the last row it fits */
    len -= strlen("F,r4096,1,1\n");
    write_bytes(path, sizeof path, "many-values.csv", text, len);
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, NULL, &err), FG_OK);
    ck_assert_uint_eq(fg_counts_value_count(counts, 1), FG_MAX_GROUP_VALUES);
    fg_counts_free(counts);
    free(text);
}
END_TEST

/* A field over two lines straddles the 256 KiB read boundary; lines stay right after it. */
/* The row cache's key (each needed field's length byte and bytes) filling its 256 bytes
 * exactly, with a field after it: the room check wrapped around and the next field was
 * copied past the key buffer (found by tests/fuzz/fuzz_ingest; make asan sees the write).
 * The row must still be read and counted as written. */
START_TEST(test_cache_key_exact_fit)
{
    /* sex 'F' x len with race, label and pred one byte each: for len in 240..255 the key is
     * 256 bytes after some field with another after it, whatever the order of the fields */
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    size_t sex_len = 240 + (size_t)_i;
    char text[1024], sex[256];
    memset(sex, 'F', sex_len);
    sex[sex_len] = '\0';
    size_t len = (size_t)snprintf(
        text, sizeof text, "sex,race,label,pred\n%s,A,1,1\n%s,A,1,1\n%s,A,0,1\n", sex, sex, sex);
    char path[600];
    write_bytes(path, sizeof path, "key-fit.csv", text, len);
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    ck_assert_msg(ingest(&policy, path, NULL, &counts, &info, &err) == FG_OK, "%s", err.message);
    ck_assert_uint_eq(info.candidate.rows, 3);
    const char *a[] = {sex, "A"};
    ck_assert_uint_eq(cell_named(counts, a, 1, 1, 0), 2);
    ck_assert_uint_eq(cell_named(counts, a, 0, 1, 0), 1);
    fg_counts_free(counts);
}
END_TEST

/* The row cache keys a row by each needed field's bytes and length: a field that differs from
 * a cached row's only by a NUL byte after it (equal bytes in the first 8, padded with zeros)
 * is another key, so the row goes through every check and is refused, whichever field and
 * whichever of the two comes first. */
START_TEST(test_cache_key_nul_byte)
{
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    static const char *const fields[] = {"F", "A", "1", "1"};
    for (size_t f = 0; f < 4; f++)
        for (unsigned nul_first = 0; nul_first < 2; nul_first++) {
            char text[256], plain[64], odd[64];
            size_t plain_len = 0, odd_len = 0;
            for (size_t k = 0; k < 4; k++) {
                const char *sep = k < 3 ? "," : "\n";
                plain_len += (size_t)snprintf(plain + plain_len, sizeof plain - plain_len, "%s%s",
                                              fields[k], sep);
                odd_len += (size_t)snprintf(odd + odd_len, sizeof odd - odd_len, "%s", fields[k]);
                if (k == f)
                    odd[odd_len++] = '\0';
                odd_len += (size_t)snprintf(odd + odd_len, sizeof odd - odd_len, "%s", sep);
            }
            size_t len = (size_t)snprintf(text, sizeof text, "sex,race,label,pred\n");
            for (unsigned row = 0; row < 3; row++) {
                bool is_odd = nul_first ? row == 0 : row == 2;
                memcpy(text + len, is_odd ? odd : plain, is_odd ? odd_len : plain_len);
                len += is_odd ? odd_len : plain_len;
            }
            /* padding past the last row, so that every field has 8 bytes after it */
            len += (size_t)snprintf(text + len, sizeof text - len, "F,A,1,1\nF,A,1,1\n");
            char path[600];
            write_bytes(path, sizeof path, "nul.csv", text, len);
            struct fg_counts *counts = NULL;
            struct fg_ingest_result info;
            struct fg_error err;
            ck_assert_msg(ingest(&policy, path, NULL, &counts, &info, &err) == FG_ERR_INPUT,
                          "field %zu nul_first %u: accepted", f, nul_first);
            ck_assert_ptr_null(counts);
            ck_assert_msg(strstr(err.message, "NUL byte") != NULL, "field %zu: %s", f, err.message);
            ck_assert_uint_eq(err.line, nul_first ? 2 : 4);
        }
}
END_TEST

START_TEST(test_chunk_boundary)
{
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    size_t cap = 600 * 1024;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t len = (size_t)snprintf(text, cap, "\xef\xbb\xbfsex,race,label,pred\r\n");
    uint64_t plain = 0;
    while (len < 256 * 1024 - 40) {
        len += (size_t)snprintf(text + len, cap - len, "F,A,1,1\r\n");
        plain++;
    }
    /* a quoted race spanning lines, its line breaks around offset 262144 */
    len += (size_t)snprintf(text + len, cap - len, "M,\"B");
    for (int k = 0; k < 20; k++)
        len += (size_t)snprintf(text + len, cap - len, "\r\n");
    len += (size_t)snprintf(text + len, cap - len, "C\",0,0\r\n");
    for (int k = 0; k < 1000; k++)
        len += (size_t)snprintf(text + len, cap - len, "F,A,0,1\r\n");
    char path[600];
    write_bytes(path, sizeof path, "chunks-ok.csv", text, len);
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, &info, &err), FG_OK);
    ck_assert_uint_eq(info.candidate.rows, plain + 1 + 1000);
    const char *a[] = {"F", "A"};
    ck_assert_uint_eq(cell_named(counts, a, 1, 1, 0), plain);
    ck_assert_uint_eq(cell_named(counts, a, 0, 1, 0), 1000);
    ck_assert_str_eq(fg_counts_value(counts, 1, 1), "B\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
                                                    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nC");
    fg_counts_free(counts);
    /* then a bad row: its line is one more than the line breaks before it */
    len += (size_t)snprintf(text + len, cap - len, "F,A,2,1\r\n");
    unsigned long breaks = 0;
    for (size_t k = 0; k + 9 < len; k++)
        breaks += text[k] == '\n';
    write_bytes(path, sizeof path, "chunks-bad.csv", text, len);
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, &info, &err), FG_ERR_INPUT);
    ck_assert_uint_eq(err.line, breaks + 1);
    ck_assert_uint_eq(err.line, 1 + plain + 21 + 1000 + 1);
    ck_assert_ptr_nonnull(strstr(err.message, "third value '2'"));
    free(text);
}
END_TEST

/* ---- two files ---- */

/* Six people; hand-computed cells (sex, race, y, new, old), one each, in this order. */
#define ONE_FILE                                                                                   \
    "id,sex,race,label,new,old\na,F,A,1,1,0\nb,F,B,0,1,1\nc,M,A,1,0,0\nd,M,B,0,0,1\n"              \
    "e,F,A,1,1,1\nf,M,A,0,1,0\n"
#define CANDIDATE_FILE                                                                             \
    "id,sex,race,label,new\na,F,A,1,1\nb,F,B,0,1\nc,M,A,1,0\nd,M,B,0,0\ne,F,A,1,1\nf,M,A,0,1\n"
static const struct expected_cell join_cells[] = {
    {"F", "A", 1, 1, 0, 1}, {"F", "B", 0, 1, 1, 1}, {"M", "A", 1, 0, 0, 1},
    {"M", "B", 0, 0, 1, 1}, {"F", "A", 1, 1, 1, 1}, {"M", "A", 0, 1, 0, 1},
};

START_TEST(test_join_equals_one_file)
{
    char one[600], candidate[600], by_id[600], by_position[600];
    write_text(one, sizeof one, "join-one.csv", ONE_FILE);
    write_text(candidate, sizeof candidate, "join-candidate.csv", CANDIDATE_FILE);
    /* shuffled, columns swapped: f c a e b d */
    const char *incumbent_text = "old,id\n0,f\n0,c\n0,a\n1,e\n1,b\n1,d\n";
    write_text(by_id, sizeof by_id, "join-incumbent.csv", incumbent_text);
    write_text(by_position, sizeof by_position, "join-position.csv", "old\n0\n1\n0\n1\n1\n0\n");
    struct fg_policy policy;
    struct fg_counts *single = NULL, *joined = NULL, *positional = NULL;
    struct fg_ingest_result info;
    struct fg_error err;

    make_policy(&policy, JOIN);
    ck_assert_int_eq(ingest(&policy, one, NULL, &single, &info, &err), FG_OK);
    expect_cells(single, join_cells, 6, "one file");
    ck_assert_int_eq(info.has_incumbent_file, 0);

    ck_assert_msg(ingest(&policy, candidate, by_id, &joined, &info, &err) == FG_OK, "%s",
                  err.message);
    expect_cells(joined, join_cells, 6, "joined by id");
    expect_same_counts(single, joined);
    ck_assert_int_eq(info.has_incumbent_file, 1);
    ck_assert_uint_eq(info.candidate.rows, 6);
    ck_assert_uint_eq(info.incumbent.rows, 6);
    ck_assert_str_eq(info.incumbent.path, by_id);
    char digest[65];
    ck_assert_int_eq(fg_sha256_hex(incumbent_text, strlen(incumbent_text), digest, NULL), FG_OK);
    ck_assert_str_eq(info.incumbent.sha256, digest);
    ck_assert_int_eq(fg_sha256_hex(CANDIDATE_FILE, strlen(CANDIDATE_FILE), digest, NULL), FG_OK);
    ck_assert_str_eq(info.candidate.sha256, digest);

    make_policy(&policy, POSITION);
    ck_assert_int_eq(ingest(&policy, candidate, by_position, &positional, &info, &err), FG_OK);
    expect_cells(positional, join_cells, 6, "joined by position");
    ck_assert_uint_eq(info.incumbent.rows, 6);
    fg_counts_free(single);
    fg_counts_free(joined);
    fg_counts_free(positional);
}
END_TEST

/* Two files without data.id and without data.join: position are an error (no silent
 * pairing of rows by their order); with it, the columns both files carry must agree. */
START_TEST(test_position_join_needs_saying)
{
    char candidate[600], incumbent[600];
    write_text(candidate, sizeof candidate, "unsaid-c.csv", CANDIDATE_FILE);
    write_text(incumbent, sizeof incumbent, "unsaid-i.csv", "old\n0\n1\n0\n1\n1\n0\n");
    struct fg_policy policy;
    make_policy(&policy, POSITION);
    policy.data.join = FG_JOIN_UNSET;
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    ck_assert_int_eq(ingest(&policy, candidate, incumbent, &counts, &info, &err), FG_ERR_POLICY);
    ck_assert_ptr_null(counts);
    ck_assert_str_eq(err.file, "test-policy.yaml");
    ck_assert_ptr_nonnull(strstr(err.message, "add data.id"));
    ck_assert_ptr_nonnull(strstr(err.message, "data.join: position"));
}
END_TEST

START_TEST(test_shared_columns_agree)
{
    /* CANDIDATE_FILE's rows without its id, label 1 0 1 0 1 0; the incumbent file carries
     * label and sex too */
    char candidate[600], incumbent[600];
    write_text(candidate, sizeof candidate, "shared-c.csv",
               "sex,race,label,new\nF,A,1,1\nF,B,0,1\nM,A,1,0\nM,B,0,0\nF,A,1,1\nM,A,0,1\n");
    struct fg_policy policy;
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    make_policy(&policy, POSITION);
    /* consistent: works as before (the cells of a one-file run) */
    write_text(incumbent, sizeof incumbent, "shared-i.csv",
               "label,old,sex\n1,0,F\n0,1,F\n1,0,M\n0,1,M\n1,1,F\n0,0,M\n");
    ck_assert_msg(ingest(&policy, candidate, incumbent, &counts, &info, &err) == FG_OK, "%s",
                  err.message);
    expect_cells(counts, join_cells, 6, "shared columns agree");
    fg_counts_free(counts);
    counts = NULL;
    /* rows 3 and 4 swapped: label differs first at the candidate's line 4 */
    write_text(incumbent, sizeof incumbent, "shared-i.csv",
               "label,old,sex\n1,0,F\n0,1,F\n0,1,M\n1,0,M\n1,1,F\n0,0,M\n");
    ck_assert_int_eq(ingest(&policy, candidate, incumbent, &counts, &info, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(counts);
    ck_assert_str_eq(err.file, candidate);
    ck_assert_uint_eq(err.line, 4);
    ck_assert_msg(strstr(err.message, "column 'label' is '1' here but '0' at line 4 of the "
                                      "incumbent file") != NULL,
                  "%s", err.message);
    /* by id too: id c carries sex F in the incumbent file, M in the candidate's */
    make_policy(&policy, JOIN);
    write_text(candidate, sizeof candidate, "shared-c.csv", CANDIDATE_FILE);
    write_text(incumbent, sizeof incumbent, "shared-i.csv",
               "old,id,sex\n0,f,M\n0,c,F\n0,a,F\n1,e,F\n1,b,F\n1,d,M\n");
    ck_assert_int_eq(ingest(&policy, candidate, incumbent, &counts, &info, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(counts);
    ck_assert_uint_eq(err.line, 4);
    ck_assert_msg(strstr(err.message, "column 'sex' is 'M' here but 'F' at line 3 of the "
                                      "incumbent file") != NULL,
                  "%s", err.message);
    ck_assert_ptr_nonnull(strstr(err.message, "by id"));
}
END_TEST

struct join_error_vector {
    const char *name;
    enum variant policy;
    const char *candidate, *incumbent;
    bool in_incumbent; /* the error names the incumbent file (else the candidate file) */
    unsigned long line;
    const char *message;
    const char *not_in_message;
};

static const struct join_error_vector join_error_vectors[] = {
    {"duplicate id in the incumbent", JOIN, CANDIDATE_FILE, "id,old\na,0\nb,1\na,1\n", true, 4,
     "id 'a' appears twice in column 'id' (lines 2 and 4)", NULL},
    {"duplicate id in the candidate", JOIN,
     "id,sex,race,label,new\na,F,A,1,1\nb,F,B,0,1\na,M,A,1,0\n", "id,old\na,0\nb,1\nc,0\n", false,
     4, "id 'a' appears twice in column 'id' (lines 2 and 4)", NULL},
    {"candidate id not in the incumbent", JOIN, "id,sex,race,label,new\na,F,A,1,1\nz,F,B,0,1\n",
     "id,old\na,0\nb,1\n", false, 3, "id 'z' (column 'id') is not in the incumbent file", NULL},
    {"incumbent id not in the candidate", JOIN, "id,sex,race,label,new\na,F,A,1,1\nb,F,B,0,1\n",
     "id,old\na,0\nc,1\nb,1\n", true, 3, "id 'c' (column 'id') has no row in the candidate file",
     NULL},
    {"candidate longer", POSITION, "sex,race,label,new\nF,A,1,1\nF,B,0,1\nM,A,1,0\n", "old\n0\n1\n",
     false, 4, "the candidate file has 3 data rows but the incumbent file", NULL},
    {"candidate shorter", POSITION, "sex,race,label,new\nF,A,1,1\nF,B,0,1\n", "old\n0\n1\n1\n",
     false, 0, "has 3; without data.id the two files are matched by position", NULL},
    {"incumbent column absent", JOIN, CANDIDATE_FILE, "id,olds\na,1\n", true, 1,
     "no column 'old' (did you mean 'olds'?)", "--incumbent"},
    {"incumbent third value", JOIN, CANDIDATE_FILE, "id,old\na,0\nb,1\nc,2\n", true, 4,
     "column 'old' has a third value '2'", NULL},
    {"candidate without the id column", JOIN, "sex,race,label,new\nF,A,1,1\n", "id,old\na,0\n",
     false, 1, "no column 'id'", NULL},
    {"empty candidate id", JOIN, "id,sex,race,label,new\na,F,A,1,1\n,F,B,0,1\n", "id,old\na,0\n",
     false, 3, "empty value in column 'id'", NULL},
    {"empty incumbent prediction", JOIN, CANDIDATE_FILE, "id,old\na,0\nb,\n", true, 3,
     "empty value in column 'old'", NULL},
    /* a line ends at '\n' only: a record after a lone '\r' is on the line of the '\r', even
     * when its first field (quoted) ends on a later line; libcsv reads from the quote on */
    {"unclosed quote after a lone CR", JOIN, "id,sex,race,label,new\n\"a\",F,A,1,1\r\"b,F,B,0,1\n",
     "id,old\na,0\nb,1\n", false, 2, "a quoted field is not closed before the end of the file",
     NULL},
    {"incumbent id over two lines after a lone CR", JOIN,
     "id,sex,race,label,new\na,F,A,1,1\nb,F,B,0,1\n", "id,old\n\"a\",0\r\"x\ny\",1\rb,1\n", true, 2,
     "has no row in the candidate file", NULL},
};

START_TEST(test_join_error_vectors)
{
    const struct join_error_vector *v = &join_error_vectors[_i];
    char candidate[600], incumbent[600], name[40];
    snprintf(name, sizeof name, "join-error-%d-c.csv", _i);
    write_text(candidate, sizeof candidate, name, v->candidate);
    snprintf(name, sizeof name, "join-error-%d-i.csv", _i);
    write_text(incumbent, sizeof incumbent, name, v->incumbent);
    struct fg_policy policy;
    make_policy(&policy, v->policy);
    /* every way of reading: default, libcsv alone, the hash join alone, the smallest block */
    for (int way = 0; way < 4; way++) {
        struct fg_ingest_tuning tuning;
        fg_ingest_tuning_default(&tuning);
        tuning.libcsv_only = way == 1;
        tuning.no_aligned = way == 2;
        if (way == 3)
            tuning.block_bytes = 64;
        struct fg_ingest_options options = {.candidate_path = candidate,
                                            .incumbent_path = incumbent};
        struct fg_counts *counts = NULL;
        struct fg_ingest_result info;
        struct fg_error err;
        memset(&err, 0, sizeof err);
        ck_assert_msg(fg_ingest_run_tuned(&policy, &options, &tuning, &counts, &info, &err) ==
                          FG_ERR_INPUT,
                      "%s (way %d): %s", v->name, way, err.message);
        ck_assert_ptr_null(counts);
        ck_assert_str_eq(err.file, v->in_incumbent ? incumbent : candidate);
        ck_assert_msg(err.line == v->line, "%s (way %d): line %lu, expected %lu (%s)", v->name, way,
                      err.line, v->line, err.message);
        ck_assert_msg(strstr(err.message, v->message) != NULL,
                      "%s (way %d): message '%s' lacks '%s'", v->name, way, err.message,
                      v->message);
        if (v->not_in_message)
            ck_assert_ptr_null(strstr(err.message, v->not_in_message));
    }
}
END_TEST

/* missing: drop with two files. By id: c (race empty) and the empty id are dropped in the
 * candidate, b (old empty) and the empty id in the incumbent; c still consumes its
 * incumbent row; an empty id matches nothing (each side drops its own). Kept: a
 * (F, A, 1, 1, 0) and d (M, B, 0, 0, 1). */
START_TEST(test_join_drop)
{
    char candidate[600], incumbent[600];
    write_text(candidate, sizeof candidate, "drop-c.csv",
               "id,sex,race,label,new\na,F,A,1,1\nb,F,B,0,1\nc,M,,1,0\nd,M,B,0,0\n,F,A,1,1\n");
    write_text(incumbent, sizeof incumbent, "drop-i.csv", "id,old\nd,1\nc,0\nb,\n,1\na,0\n");
    struct fg_policy policy;
    make_policy(&policy, JOIN_DROP);
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    ck_assert_msg(ingest(&policy, candidate, incumbent, &counts, &info, &err) == FG_OK, "%s",
                  err.message);
    const struct expected_cell by_id[] = {{"F", "A", 1, 1, 0, 1}, {"M", "B", 0, 0, 1, 1}};
    expect_cells(counts, by_id, 2, "drop by id");
    ck_assert_uint_eq(info.candidate.rows, 5);
    ck_assert_uint_eq(info.candidate.rows_dropped, 2);
    ck_assert_uint_eq(info.incumbent.rows, 5);
    ck_assert_uint_eq(info.incumbent.rows_dropped, 2);
    fg_counts_free(counts);

    /* By position: row 2 misses race (candidate), row 3 misses old (incumbent; a lone empty
     * field is written "" since a blank line is skipped). Kept: row 1 (F, A, 1, 1, 0). */
    write_text(candidate, sizeof candidate, "drop-pc.csv",
               "sex,race,label,new\nF,A,1,1\nM,,0,0\nM,B,0,1\n");
    write_text(incumbent, sizeof incumbent, "drop-pi.csv", "old\n0\n1\n\"\"\n");
    make_policy(&policy, POSITION_DROP);
    ck_assert_msg(ingest(&policy, candidate, incumbent, &counts, &info, &err) == FG_OK, "%s",
                  err.message);
    const struct expected_cell by_position[] = {{"F", "A", 1, 1, 0, 1}};
    expect_cells(counts, by_position, 1, "drop by position");
    ck_assert_uint_eq(info.candidate.rows, 3);
    ck_assert_uint_eq(info.candidate.rows_dropped, 1);
    ck_assert_uint_eq(info.incumbent.rows, 3);
    ck_assert_uint_eq(info.incumbent.rows_dropped, 1);
    fg_counts_free(counts);
}
END_TEST

/* ---- merge: counting two shards and merging equals counting both at once ---- */

START_TEST(test_merge_equals_both)
{
    char first[600], second[600], both[600];
    write_text(first, sizeof first, "shard1.csv",
               "sex,race,label,pred,old\nF,A,1,1,0\nF,B,0,1,1\nM,A,1,0,0\n");
    /* the second shard meets a new race first, so its ids differ from the first's */
    write_text(second, sizeof second, "shard2.csv",
               "sex,race,label,pred,old\nX,C,0,0,0\nM,B,0,0,1\nF,A,1,1,1\nF,A,1,1,0\n");
    write_text(both, sizeof both, "shards.csv",
               "sex,race,label,pred,old\nF,A,1,1,0\nF,B,0,1,1\nM,A,1,0,0\nX,C,0,0,0\nM,B,0,0,1\n"
               "F,A,1,1,1\nF,A,1,1,0\n");
    struct fg_policy policy;
    make_policy(&policy, INCUMBENT_PRED);
    struct fg_counts *a = NULL, *b = NULL, *all = NULL;
    struct fg_error err;
    ck_assert_int_eq(ingest(&policy, first, NULL, &a, NULL, &err), FG_OK);
    ck_assert_int_eq(ingest(&policy, second, NULL, &b, NULL, &err), FG_OK);
    ck_assert_int_eq(ingest(&policy, both, NULL, &all, NULL, &err), FG_OK);
    ck_assert_int_eq(fg_counts_merge(a, b, &err), FG_OK);
    expect_same_counts(a, all);
    expect_same_counts(all, a);
    const struct expected_cell cells[] = {
        {"F", "A", 1, 1, 0, 2}, {"F", "B", 0, 1, 1, 1}, {"M", "A", 1, 0, 0, 1},
        {"X", "C", 0, 0, 0, 1}, {"M", "B", 0, 0, 1, 1}, {"F", "A", 1, 1, 1, 1},
    };
    expect_cells(a, cells, 6, "merged");
    fg_counts_free(a);
    fg_counts_free(b);
    fg_counts_free(all);
}
END_TEST

/* ---- scores kept for the score metrics ---- */

/* The cell of counts named (sex, race, y, c, i) has exactly these scores of one model. */
static void expect_cell_scores(const struct fg_counts *counts, const char *sex, const char *race,
                               unsigned y, unsigned c, unsigned i, bool incumbent,
                               const double *want, size_t n)
{
    for (size_t k = 0; k < fg_counts_cell_count(counts); k++) {
        struct fg_cell cell;
        fg_counts_cell(counts, k, &cell);
        if (cell.y_true != y || cell.candidate != c || cell.incumbent != i ||
            strcmp(fg_counts_value(counts, 0, cell.value_ids[0]), sex) != 0 ||
            strcmp(fg_counts_value(counts, 1, cell.value_ids[1]), race) != 0)
            continue;
        size_t got = 0;
        const double *scores = fg_counts_cell_scores(counts, k, incumbent, &got);
        ck_assert_msg(got == n, "(%s, %s, %u, %u, %u): %zu scores, expected %zu", sex, race, y, c,
                      i, got, n);
        for (size_t s = 0; s < n; s++)
            ck_assert_msg(scores[s] == want[s], "(%s, %s, %u, %u, %u) score %zu: %g, expected %g",
                          sex, race, y, c, i, s, scores[s], want[s]);
        return;
    }
    ck_abort_msg("no cell (%s, %s, %u, %u, %u)", sex, race, y, c, i);
}

START_TEST(test_scores_kept)
{
    char path[600];
    write_text(path, sizeof path, "scores.csv",
               "sex,race,label,p,old\nF,A,1,0.75,1\nM,B,0,0.25,0\nF,A,1,0.5,1\nF,A,1,0.1,0\n"
               "F,A,1,1e-1,0\n");
    struct fg_policy policy;
    struct fg_counts *counts = NULL;
    struct fg_error err;
    /* an auc gate: the candidate's scores are kept per cell, in file order */
    make_policy(&policy, SCORE_AUC);
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, NULL, &err), FG_OK);
    ck_assert(fg_counts_has_scores(counts, false));
    ck_assert(!fg_counts_has_scores(counts, true));
    const double fa_above[] = {0.75, 0.5}, fa_below[] = {0.1, 0.1}, mb[] = {0.25};
    expect_cell_scores(counts, "F", "A", 1, 1, 0, false, fa_above, 2);
    expect_cell_scores(counts, "F", "A", 1, 0, 0, false, fa_below, 2);
    expect_cell_scores(counts, "M", "B", 0, 0, 0, false, mb, 1);
    fg_counts_free(counts);
    /* the same file without a score gate: no score is kept */
    make_policy(&policy, SCORE_ABOVE);
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, NULL, &err), FG_OK);
    ck_assert(!fg_counts_has_scores(counts, false));
    size_t n = 1;
    ck_assert_ptr_null(fg_counts_cell_scores(counts, 0, false, &n));
    ck_assert_uint_eq(n, 0);
    fg_counts_free(counts);
    /* a score gate, but the incumbent is a prediction column: only the candidate's */
    make_policy(&policy, SCORE_AUC);
    policy.data.incumbent.present = true;
    policy.data.incumbent.prediction = "old";
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, NULL, &err), FG_OK);
    ck_assert(fg_counts_has_scores(counts, false));
    ck_assert(!fg_counts_has_scores(counts, true));
    expect_cell_scores(counts, "F", "A", 1, 1, 1, false, fa_above, 2);
    expect_cell_scores(counts, "F", "A", 1, 0, 0, false, fa_below, 2);
    fg_counts_free(counts);
}
END_TEST

/* Seven people; g's incumbent score is missing, so g is dropped (missing: drop). Cells
 * (sex, race, y, new >= 0.5, old < 0.5), by hand:
 *   a F,A,1,1,1  b F,B,0,1,0  c M,A,1,0,1  d M,B,0,0,0  e F,A,1,1,1  f M,A,0,1,0 */
#define ONE_FILE_SCORES                                                                            \
    "id,sex,race,label,new,old\na,F,A,1,0.9,0.2\nb,F,B,0,0.6,0.7\nc,M,A,1,0.3,0.4\n"               \
    "d,M,B,0,0.1,0.8\ne,F,A,1,0.8,0.1\nf,M,A,0,0.7,0.6\ng,F,A,1,0.55,\n"
#define CANDIDATE_SCORES                                                                           \
    "id,sex,race,label,new\na,F,A,1,0.9\nb,F,B,0,0.6\nc,M,A,1,0.3\nd,M,B,0,0.1\ne,F,A,1,0.8\n"     \
    "f,M,A,0,0.7\ng,F,A,1,0.55\n"
static const struct expected_cell join_score_cells[] = {
    {"F", "A", 1, 1, 1, 2}, {"F", "B", 0, 1, 0, 1}, {"M", "A", 1, 0, 1, 1},
    {"M", "B", 0, 0, 0, 1}, {"M", "A", 0, 1, 0, 1},
};

static void expect_join_scores(const struct fg_counts *counts, const char *name)
{
    expect_cells(counts, join_score_cells, 5, name);
    const double fa_new[] = {0.9, 0.8}, fa_old[] = {0.2, 0.1};
    const double b_new[] = {0.6}, b_old[] = {0.7}, c_new[] = {0.3}, c_old[] = {0.4};
    const double d_new[] = {0.1}, d_old[] = {0.8}, f_new[] = {0.7}, f_old[] = {0.6};
    expect_cell_scores(counts, "F", "A", 1, 1, 1, false, fa_new, 2);
    expect_cell_scores(counts, "F", "A", 1, 1, 1, true, fa_old, 2);
    expect_cell_scores(counts, "F", "B", 0, 1, 0, false, b_new, 1);
    expect_cell_scores(counts, "F", "B", 0, 1, 0, true, b_old, 1);
    expect_cell_scores(counts, "M", "A", 1, 0, 1, false, c_new, 1);
    expect_cell_scores(counts, "M", "A", 1, 0, 1, true, c_old, 1);
    expect_cell_scores(counts, "M", "B", 0, 0, 0, false, d_new, 1);
    expect_cell_scores(counts, "M", "B", 0, 0, 0, true, d_old, 1);
    expect_cell_scores(counts, "M", "A", 0, 1, 0, false, f_new, 1);
    expect_cell_scores(counts, "M", "A", 0, 1, 0, true, f_old, 1);
}

START_TEST(test_join_scores)
{
    char one[600], candidate[600], by_id[600], by_position[600];
    write_text(one, sizeof one, "scores-one.csv", ONE_FILE_SCORES);
    write_text(candidate, sizeof candidate, "scores-candidate.csv", CANDIDATE_SCORES);
    /* shuffled; a row without an id is dropped on its own; g's score is missing */
    write_text(by_id, sizeof by_id, "scores-by-id.csv",
               "old,id\n0.6,f\n0.4,c\n0.5,\n\"\",g\n0.2,a\n0.1,e\n0.7,b\n0.8,d\n");
    write_text(by_position, sizeof by_position, "scores-by-position.csv",
               "old\n0.2\n0.7\n0.4\n0.8\n0.1\n0.6\n\"\"\n");
    struct fg_policy policy;
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;

    make_policy(&policy, JOIN_SCORES);
    ck_assert_msg(ingest(&policy, one, NULL, &counts, &info, &err) == FG_OK, "%s", err.message);
    ck_assert(fg_counts_has_scores(counts, false) && fg_counts_has_scores(counts, true));
    ck_assert_uint_eq(info.candidate.rows_dropped, 1);
    expect_join_scores(counts, "one file");
    fg_counts_free(counts);

    ck_assert_msg(ingest(&policy, candidate, by_id, &counts, &info, &err) == FG_OK, "%s",
                  err.message);
    ck_assert_uint_eq(info.incumbent.rows_dropped, 2);
    expect_join_scores(counts, "joined by id");
    fg_counts_free(counts);

    make_policy(&policy, POSITION_SCORES);
    ck_assert_msg(ingest(&policy, candidate, by_position, &counts, &info, &err) == FG_OK, "%s",
                  err.message);
    expect_join_scores(counts, "joined by position");
    fg_counts_free(counts);

    /* the incumbent file's scores are probabilities too: its own path and line */
    write_text(by_position, sizeof by_position, "scores-by-position.csv",
               "old\n0.2\n0.7\n1.01\n0.8\n0.1\n0.6\n0.5\n");
    ck_assert_int_eq(ingest(&policy, candidate, by_position, &counts, &info, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(counts);
    ck_assert_str_eq(err.file, by_position);
    ck_assert_uint_eq(err.line, 4);
    ck_assert_str_eq(err.message, "column 'old' has score '1.01', which is outside [0, 1]; brier "
                                  "and calibration_gap need probabilities");
}
END_TEST

/* ---- the real data (DESIGN: ../shared/data) ----
 *
 * COMPAS is not shipped (no licence grant): it is read from $FAIRGATE_DATA or
 * ../shared/data. The suite adds a COMPAS test only when its file is there, and otherwise
 * prints "skip - NAME (reason)" on stdout, which make unit counts: a skip is never a pass. */

static bool data_path(char *path, size_t size, const char *file)
{
    const char *dir = getenv("FAIRGATE_DATA");
    snprintf(path, size, "%s/%s", dir && dir[0] ? dir : "../shared/data", file);
    return access(path, R_OK) == 0;
}

static char *protected_race_sex[] = {"race", "sex"};

/* compas_for_aequitas.csv: score = 1.0 iff decile_score >= 5, label_value = two_year_recid.
 * Expected values from awk -F, over the file (no field is quoted):
 *   rows 7214; African-American 3696 (score 1.0: 2174), Caucasian 2454 (854);
 *   (African-American, Male, label 1, score 1.0) 1196; (Caucasian, Female, 0, 0.0) 257;
 *   label 0 & score 1.0 / label 0: African-American 805 / 1795 = 0.4485,
 *   Caucasian 349 / 1488 = 0.2345 (ProPublica's published false positive rates). */
START_TEST(test_compas_aequitas)
{
    char path[600];
    ck_assert(data_path(path, sizeof path, "compas_for_aequitas.csv"));
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    policy.data.label = "label_value";
    policy.data.protected = protected_race_sex;
    policy.data.candidate.prediction = "score";
    policy.data.favorable_prediction = "1.0";
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    ck_assert_msg(ingest(&policy, path, NULL, &counts, &info, &err) == FG_OK, "%s:%lu: %s",
                  err.file, err.line, err.message);
    ck_assert_uint_eq(info.candidate.rows, 7214);
    ck_assert_uint_eq(info.candidate.rows_dropped, 0);
    ck_assert_uint_eq(fg_counts_total(counts), 7214);
    ck_assert_str_eq(info.candidate.sha256,
                     "91e245a5d267e082daf500443c4672a5cb00e089974d53527929fba0ab030580");
    ck_assert_uint_eq(fg_counts_value_count(counts, 0), 6);
    ck_assert_uint_eq(fg_counts_value_count(counts, 1), 2);
    ck_assert_uint_eq(sum_where(counts, 0, "African-American", -1, -1), 3696);
    ck_assert_uint_eq(sum_where(counts, 0, "African-American", -1, 1), 2174);
    ck_assert_uint_eq(sum_where(counts, 0, "Caucasian", -1, -1), 2454);
    ck_assert_uint_eq(sum_where(counts, 0, "Caucasian", -1, 1), 854);
    const char *aa_male[] = {"African-American", "Male"};
    const char *white_female[] = {"Caucasian", "Female"};
    ck_assert_uint_eq(cell_named(counts, aa_male, 1, 1, 0), 1196);
    ck_assert_uint_eq(cell_named(counts, white_female, 0, 0, 0), 257);
    uint64_t aa_fp = sum_where(counts, 0, "African-American", 0, 1);
    uint64_t aa_neg = sum_where(counts, 0, "African-American", 0, -1);
    uint64_t white_fp = sum_where(counts, 0, "Caucasian", 0, 1);
    uint64_t white_neg = sum_where(counts, 0, "Caucasian", 0, -1);
    ck_assert_uint_eq(aa_fp, 805);
    ck_assert_uint_eq(aa_neg, 1795);
    ck_assert_uint_eq(white_fp, 349);
    ck_assert_uint_eq(white_neg, 1488);
    ck_assert_double_eq_tol((double)aa_fp / (double)aa_neg, 0.4485, 0.00005);
    ck_assert_double_eq_tol((double)white_fp / (double)white_neg, 0.2345, 0.00005);
    fg_counts_free(counts);
}
END_TEST

/* compas-scores-two-years.csv: CRLF, 53 columns, decile_score (12, 40) and priors_count
 * (15, 49) named twice. Counts from Python's csv module over the file:
 *   African-American 3696, Female 1395; with v_decile_score >= 5 as the prediction and
 *   two_year_recid as the label: (Caucasian, Female, 1, 1) 44, (African-American, Male, 0, 0)
 *   900. */
START_TEST(test_compas_raw)
{
    char path[600];
    ck_assert(data_path(path, sizeof path, "compas-scores-two-years.csv"));
    struct fg_policy policy;
    make_policy(&policy, SCORE_ABOVE);
    policy.data.label = "two_year_recid";
    policy.data.protected = protected_race_sex;
    policy.data.candidate.score = "decile_score";
    policy.data.candidate.threshold = 5;
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    ck_assert_int_eq(ingest(&policy, path, NULL, &counts, &info, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(counts);
    ck_assert_uint_eq(err.line, 1);
    ck_assert_str_eq(err.message,
                     "column 'decile_score' appears twice in the header (columns 12 and 40)");

    policy.data.candidate.score = "v_decile_score"; /* the duplicates are not needed now */
    ck_assert_msg(ingest(&policy, path, NULL, &counts, &info, &err) == FG_OK, "%s:%lu: %s",
                  err.file, err.line, err.message);
    ck_assert_uint_eq(info.candidate.rows, 7214);
    ck_assert_uint_eq(fg_counts_total(counts), 7214);
    ck_assert_str_eq(info.candidate.sha256,
                     "c451db85908b2f7fef1d83203bedf6b71ecda0d5af468d82ae62178f91d0cc7d");
    ck_assert_uint_eq(sum_where(counts, 0, "African-American", -1, -1), 3696);
    ck_assert_uint_eq(sum_where(counts, 1, "Female", -1, -1), 1395);
    const char *white_female[] = {"Caucasian", "Female"};
    const char *aa_male[] = {"African-American", "Male"};
    ck_assert_uint_eq(cell_named(counts, white_female, 1, 1, 0), 44);
    ck_assert_uint_eq(cell_named(counts, aa_male, 0, 0, 0), 900);
    fg_counts_free(counts);
}
END_TEST

/* ---- a missing column, at the place in the policy that names it ---- */

static const char marked_policy[] = "version: 1\n"
                                    "name: marks\n"
                                    "data:\n"
                                    "  id: row_id\n"
                                    "  label: Income\n"
                                    "  positive_label: \">50K\"\n"
                                    "  protected: [sex, race_eth]\n"
                                    "  candidate: { prediction: pred_GB }\n"
                                    "  incumbent:\n"
                                    "    score: p_old\n"
                                    "    threshold: 0.5\n"
                                    "  favorable_prediction: \"1\"\n"
                                    "gates:\n"
                                    "  - { id: parity, metric: selection_rate, disparity: ratio, "
                                    "min: 0.8 }\n";

struct marked_vector {
    const char *name;
    const char *candidate, *incumbent; /* CSV text; incumbent NULL: one file */
    unsigned long line, column;        /* in the policy */
    const char *message;               /* exact; %s: the file lacking the column */
};

static const struct marked_vector marked_vectors[] = {
    {"prediction, case-blind suggestion over a sibling",
     "row_id,Income,sex,race_eth,pred_lr,pred_gb,p_old\n", NULL, 8, 28,
     "data.candidate.prediction names column 'pred_GB', but the candidate file %s has no column "
     "'pred_GB' (did you mean 'pred_gb'?); its 7 columns (line 1): row_id, Income, sex, "
     "race_eth, pred_lr, pred_gb, p_old"},
    {"prediction, only a sibling: no suggestion", "row_id,Income,sex,race_eth,pred_lr,p_old\n",
     NULL, 8, 28,
     "data.candidate.prediction names column 'pred_GB', but the candidate file %s has no column "
     "'pred_GB'; its 6 columns (line 1): row_id, Income, sex, race_eth, pred_lr, p_old"},
    {"label", "\nrow_id,income,sex,race_eth,pred_GB,p_old\n", NULL, 5, 10,
     "data.label names column 'Income', but the candidate file %s has no column 'Income' (did you "
     "mean 'income'?); its 6 columns (line 2): row_id, income, sex, race_eth, pred_GB, p_old"},
    {"protected attribute, the second", "row_id,Income,sex,race_ethn,pred_GB,p_old\n", NULL, 7, 20,
     "data.protected names column 'race_eth', but the candidate file %s has no column "
     "'race_eth' (did you mean 'race_ethn'?); its 6 columns (line 1): row_id, Income, sex, "
     "race_ethn, pred_GB, p_old"},
    {"incumbent score in the candidate file", "row_id,Income,sex,race_eth,pred_GB\n", NULL, 10, 12,
     "data.incumbent.score names column 'p_old', but the candidate file %s has no column 'p_old' "
     "(or give --incumbent FILE); its 5 columns (line 1): row_id, Income, sex, race_eth, pred_GB"},
    {"id in the incumbent file", "row_id,Income,sex,race_eth,pred_GB\n", "ID,p_old\n", 4, 7,
     "data.id names column 'row_id', but the incumbent file %s has no column 'row_id'; its 2 "
     "columns (line 1): ID, p_old"},
    {"a long header is cut",
     "row_id,Income,sex,race_eth,p_old,"
     "c01_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,c02_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
     "c03_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,c04_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
     "c05_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,c06_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
     "c07_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,c08_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
     "c09_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,c10_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
     "c11_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa,c12_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
     NULL, 8, 28,
     "data.candidate.prediction names column 'pred_GB', but the candidate file %s has no column "
     "'pred_GB'; its 17 columns (line 1): row_id, Income, sex, race_eth, p_old, "
     "c01_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa, c02_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
     "c03_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa, c04_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
     "c05_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa, c06_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
     "c07_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa, c08_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa, ... and 4 more"},
};

START_TEST(test_missing_column_marks)
{
    const struct marked_vector *v = &marked_vectors[_i];
    struct fg_policy *policy = NULL;
    struct fg_error err;
    ck_assert_int_eq(
        fg_policy_parse("marks.yaml", marked_policy, strlen(marked_policy), &policy, &err), FG_OK);
    char candidate[600], incumbent[600], expected[1024];
    write_text(candidate, sizeof candidate, "marked-candidate.csv", v->candidate);
    if (v->incumbent != NULL)
        write_text(incumbent, sizeof incumbent, "marked-incumbent.csv", v->incumbent);
    struct fg_counts *counts = NULL;
    ck_assert_int_eq(
        ingest(policy, candidate, v->incumbent ? incumbent : NULL, &counts, NULL, &err),
        FG_ERR_INPUT);
    ck_assert_ptr_null(counts);
    ck_assert_str_eq(err.file, "marks.yaml");
    ck_assert_msg(err.line == v->line && err.column == v->column,
                  "%s: at %lu:%lu, expected %lu:%lu", v->name, err.line, err.column, v->line,
                  v->column);
    const char *at = strstr(v->message, "%s"); /* where the file goes */
    ck_assert_ptr_nonnull(at);
    snprintf(expected, sizeof expected, "%.*s%s%s", (int)(at - v->message), v->message,
             v->incumbent ? incumbent : candidate, at + 2);
    ck_assert_str_eq(err.message, expected);
    fg_policy_free(policy);
}
END_TEST

/* ---- the suite ---- */

/* Adds test when file is in the data folder; otherwise says it is skipped and why. */
static void add_data_test(TCase *tc, const TTest *test, const char *file)
{
    char path[600];
    if (data_path(path, sizeof path, file)) {
        tcase_add_test(tc, test);
        return;
    }
    printf("skip - check_ingest: %s (%s not found; set FAIRGATE_DATA to the folder that holds "
           "it)\n",
           test->name, path);
    fflush(stdout); /* before Check forks */
}

/* ---- the aligned join ---- */

/* The counts as one comparable text: values, then cells with their counts. */
static char *counts_text(const struct fg_counts *counts)
{
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    text[0] = '\0';
    for (size_t c = 0; c < fg_counts_cell_count(counts) && len + 200 < cap; c++) {
        struct fg_cell cell;
        fg_counts_cell(counts, c, &cell);
        len += (size_t)snprintf(text + len, cap - len, "%s %s %u %u %u %llu\n",
                                fg_counts_value(counts, 0, cell.value_ids[0]),
                                fg_counts_value(counts, 1, cell.value_ids[1]), cell.y_true,
                                cell.candidate, cell.incumbent, (unsigned long long)cell.count);
    }
    return text;
}

/* Two files by id, read every way (side by side with the candidate hashed in the same read
 * or by a thread of its own, tiny blocks, or the hash join alone): the same counts, rows
 * and digests, and inputs.join says which ran. Row 2000 of the candidate is quoted (libcsv
 * reads it and the rest: pairing without the fast path's hook). The incumbent file in the
 * same order, then with rows 1500 and 1501 swapped (the hash join, with a note). 70,000
 * rows: past the 65,536 ids after which the hash join sizes its table from the file's size
 * (lib/ingest.c, ids_reserve), so ids are added and found again after that. */
START_TEST(test_aligned_join_ways)
{
    enum { N = 70000 };
    size_t cap = 4 << 20, clen = 0, ilen = 0;
    char *cand = malloc(cap), *inc = malloc(cap), *swapped = malloc(cap);
    ck_assert(cand != NULL && inc != NULL && swapped != NULL);
    clen += (size_t)snprintf(cand, cap, "id,sex,race,label,new\n");
    ilen += (size_t)snprintf(inc, cap, "id,old\n");
    for (int row = 1; row <= N; row++) {
        clen += (size_t)snprintf(cand + clen, cap - clen, "r%05d,%s,%c,%d,%d\n", row,
                                 row == 2000 ? "\"F\""
                                 : row % 3   ? "F"
                                             : "M",
                                 'A' + row % 4, row % 2, row % 5 != 0);
        ilen += (size_t)snprintf(inc + ilen, cap - ilen, "r%05d,%d\n", row, row % 7 != 0);
    }
    memcpy(swapped, inc, ilen + 1);
    char *a = strstr(swapped, "r01500,"), *b = strstr(swapped, "r01501,");
    char line_a[16], line_b[16];
    memcpy(line_a, a, 9);
    memcpy(line_b, b, 9);
    memcpy(a, line_b, 9); /* each line is 9 bytes: "r01500,1\n" */
    memcpy(b, line_a, 9);
    char cpath[600], ipath[600], spath[600];
    write_text(cpath, sizeof cpath, "aligned-c.csv", cand);
    write_text(ipath, sizeof ipath, "aligned-i.csv", inc);
    write_text(spath, sizeof spath, "aligned-s.csv", swapped);
    struct fg_policy policy;
    make_policy(&policy, JOIN);
    char *want = NULL;
    char want_sha[2][65];
    for (int file = 0; file < 2; file++)
        for (int way = 0; way < 4; way++) {
            struct fg_ingest_tuning tuning;
            fg_ingest_tuning_default(&tuning);
            tuning.no_aligned = way == 0;
            if (way == 2) {
                tuning.parallel_min = 0; /* the candidate hashed by a thread of its own */
                tuning.settle_seconds = 0;
                tuning.workers = 2;
            }
            if (way == 3)
                tuning.block_bytes = 100;
            struct fg_ingest_options options = {.candidate_path = cpath,
                                                .incumbent_path = file ? spath : ipath};
            struct fg_counts *counts = NULL;
            struct fg_ingest_result info;
            struct fg_error err;
            ck_assert_msg(fg_ingest_run_tuned(&policy, &options, &tuning, &counts, &info, &err) ==
                              FG_OK,
                          "file %d way %d: %s", file, way, err.message);
            char *got = counts_text(counts);
            if (want == NULL) {
                want = got;
                memcpy(want_sha[0], info.candidate.sha256, 65);
            } else {
                ck_assert_msg(strcmp(got, want) == 0, "file %d way %d:\n%s\nwant:\n%s", file, way,
                              got, want);
                free(got);
            }
            if (way == 0)
                memcpy(want_sha[1], info.incumbent.sha256, 65);
            ck_assert_str_eq(info.candidate.sha256, want_sha[0]);
            ck_assert_str_eq(info.incumbent.sha256, want_sha[1]);
            ck_assert_uint_eq(info.candidate.rows, N);
            ck_assert_uint_eq(info.incumbent.rows, N);
            ck_assert_str_eq(info.join, way == 0 || file == 1 ? "hash" : "aligned");
            if (way != 0 && file == 1)
                ck_assert_msg(strstr(info.join_note, "the ids differ at line 1501 of the "
                                                     "candidate file ('r01500')") != NULL,
                              "%s", info.join_note);
            else
                ck_assert_str_eq(info.join_note, "");
            fg_counts_free(counts);
        }
    free(want);
    free(cand);
    free(inc);
    free(swapped);
}
END_TEST

/* ---- the chunked join (lib/ingest_parallel.c, struct zip) ---- */

static uint64_t zip_rng;

static unsigned zip_next(unsigned n)
{
    zip_rng = zip_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((zip_rng >> 33) % n);
}

/* One run of the two files; its outcome (status and message, or counts, rows, digests,
 * join and note) as one text, and whether it read them in chunks. */
static char *zip_outcome(const struct fg_policy *policy, const char *cpath, const char *ipath,
                         const struct fg_ingest_tuning *tuning, int *chunked)
{
    struct fg_ingest_options options = {.candidate_path = cpath, .incumbent_path = ipath};
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    memset(&err, 0, sizeof err);
    enum fg_status status = fg_ingest_run_tuned(policy, &options, tuning, &counts, &info, &err);
    size_t cap = 1 << 17;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    if (status != FG_OK) {
        char line[2048];
        fg_error_format(&err, line, sizeof line);
        snprintf(text, cap, "status %d %s\n", (int)status, line);
        *chunked = 0;
        return text;
    }
    char *cells = counts_text(counts);
    snprintf(
        text, cap, "rows %llu/%llu %llu/%llu sha %s %s join %s note %s\n%s",
        (unsigned long long)info.candidate.rows, (unsigned long long)info.candidate.rows_dropped,
        (unsigned long long)info.incumbent.rows, (unsigned long long)info.incumbent.rows_dropped,
        info.candidate.sha256, info.incumbent.sha256, info.join, info.join_note, cells);
    *chunked = info.chunked;
    free(cells);
    fg_counts_free(counts);
    return text;
}

/* Side by side in order (order) and in chunks (chunks), both on workers for fresh files. */
static void zip_tunings(struct fg_ingest_tuning *order, struct fg_ingest_tuning *chunks)
{
    fg_ingest_tuning_default(order);
    order->parallel_min = 0;
    order->settle_seconds = 0;
    order->workers = 2;
    *chunks = *order;
    order->no_zip = true;
}

/* What a seed's pair of files holds: 0 two clean aligned files; else one quirk. */
enum zip_quirk {
    ZQ_CLEAN,
    ZQ_CRLF,       /* both files end lines with \r\n: still chunked */
    ZQ_WIDE,       /* ids 1..n without padding (they rise by length then text): chunked */
    ZQ_SHARED,     /* the incumbent file carries sex too (not lean): chunked */
    ZQ_EMPTY_OLD,  /* an empty incumbent decision (missing: drop) */
    ZQ_THIRD,      /* a third value in the incumbent's decision: an error */
    ZQ_SHARED_BAD, /* sex differs in one row: an error */
    ZQ_SWAP,       /* two incumbent rows swapped: the hash join, with a note */
    ZQ_SORTED_OFF, /* an id in both files repeats the one before: the hash join's error */
    ZQ_EXTRA,      /* the incumbent file has one row more: the hash join's error */
    ZQ_BLANK,      /* a blank line in the incumbent file: not chunked, same counts */
    ZQ_QUOTE,      /* a quoted field in the incumbent file: not chunked, same counts */
    ZQ_N
};

/* Writes the candidate and incumbent files of seed's quirk, n rows. */
static void zip_files(unsigned seed, enum zip_quirk q, unsigned n, char *cpath, char *ipath)
{
    size_t cap = 1 << 20, clen = 0, ilen = 0;
    char *c = malloc(cap), *i = malloc(cap);
    ck_assert(c != NULL && i != NULL);
    const char *nl = q == ZQ_CRLF ? "\r\n" : "\n";
    clen += (size_t)snprintf(c, cap, "id,sex,race,label,new%s", nl);
    ilen += (size_t)snprintf(
        i, cap, q == ZQ_SHARED || q == ZQ_SHARED_BAD ? "id,sex,old%s" : "id,old%s", nl);
    unsigned odd = 1 + zip_next(n - 2); /* the row a quirk lands on */
    unsigned id = 0, before = 0;
    for (unsigned row = 0; row < n; row++) {
        id += 1 + zip_next(3);
        unsigned shown = q == ZQ_SORTED_OFF && row == odd ? before : id; /* falls back */
        before = id;
        char key[32];
        snprintf(key, sizeof key, q == ZQ_WIDE ? "%u" : "k%07u", shown);
        const char *sex = zip_next(3) ? "F" : "M";
        clen += (size_t)snprintf(c + clen, cap - clen, "%s,%s,%c,%u,%u%s", key, sex,
                                 'A' + (int)zip_next(3), zip_next(2), zip_next(3) != 0, nl);
        const char *old = zip_next(4) ? "1" : "0";
        if (row == odd && q == ZQ_EMPTY_OLD)
            old = "";
        if (row == odd && q == ZQ_THIRD)
            old = "2";
        char ikey[40];
        snprintf(ikey, sizeof ikey, "%s%s", q == ZQ_QUOTE && row == odd ? "\"" : "", key);
        if (q == ZQ_QUOTE && row == odd)
            strcat(ikey, "\"");
        if (q == ZQ_SHARED || q == ZQ_SHARED_BAD)
            ilen += (size_t)snprintf(
                i + ilen, cap - ilen, "%s,%s,%s%s", ikey,
                q == ZQ_SHARED_BAD && row == odd ? (*sex == 'F' ? "M" : "F") : sex, old, nl);
        else
            ilen += (size_t)snprintf(i + ilen, cap - ilen, "%s,%s%s", ikey, old, nl);
        if (q == ZQ_BLANK && row == odd)
            ilen += (size_t)snprintf(i + ilen, cap - ilen, "%s", nl);
    }
    if (q == ZQ_EXTRA)
        ilen += (size_t)snprintf(i + ilen, cap - ilen, "k9999999,1%s", nl);
    if (q == ZQ_SWAP) { /* swap the rows after the header at lines odd+2 and odd+3 */
        char *a = i;
        for (unsigned line = 0; line < odd + 1; line++)
            a = strchr(a, '\n') + 1;
        char *b = strchr(a, '\n') + 1, *e = strchr(b, '\n') + 1;
        char tmp[64];
        size_t la = (size_t)(b - a), lb = (size_t)(e - b);
        memcpy(tmp, a, la);
        memmove(a, b, lb);
        memcpy(a + lb, tmp, la);
    }
    char cname[64], iname[64];
    snprintf(cname, sizeof cname, "zip-%u-c.csv", seed);
    snprintf(iname, sizeof iname, "zip-%u-i.csv", seed);
    write_text(cpath, 600, cname, c);
    write_text(ipath, 600, iname, i);
    free(c);
    free(i);
}

/* Two files by id, read in chunks by workers (tiny chunks, two or three workers) and side by
 * side in order: the same outcome every time (counts, rows, digests, join and note, or the
 * same error at the same line); clean aligned files (also with \r\n, ids by length, a
 * shared column) are read in chunks, and equal the hash join's counts; anything else is
 * read again in order (so it is judged exactly as before). */
START_TEST(test_zip_join)
{
    for (unsigned seed = 0; seed < 3 * ZQ_N; seed++) {
        enum zip_quirk q = (enum zip_quirk)(seed % ZQ_N);
        zip_rng = 0x5eed0000u + seed;
        char cpath[600], ipath[600];
        zip_files(seed, q, 200 + zip_next(1500), cpath, ipath);
        struct fg_policy policy;
        make_policy(&policy, q == ZQ_EMPTY_OLD ? JOIN_DROP : JOIN);
        struct fg_ingest_tuning order, chunks, hash;
        zip_tunings(&order, &chunks);
        chunks.chunk_bytes = 64 + zip_next(2000);
        chunks.block_bytes = 64 + zip_next(200);
        chunks.workers = 2 + seed % 2;
        if (q == ZQ_CLEAN) { /* only the candidate file need be big enough to split */
            struct stat st;
            ck_assert_int_eq(stat(ipath, &st), 0);
            chunks.parallel_min = (uint64_t)st.st_size + 1;
        }
        fg_ingest_tuning_default(&hash);
        hash.no_aligned = true;
        int in_chunks = 0, unused = 0;
        char *want = zip_outcome(&policy, cpath, ipath, &order, &unused);
        char *got = zip_outcome(&policy, cpath, ipath, &chunks, &in_chunks);
        ck_assert_msg(strcmp(want, got) == 0,
                      "seed %u quirk %d:\nin order:\n%.2000s\nchunks:\n%.2000s", seed, (int)q, want,
                      got);
        bool clean =
            q == ZQ_CLEAN || q == ZQ_CRLF || q == ZQ_WIDE || q == ZQ_SHARED || q == ZQ_EMPTY_OLD;
        ck_assert_msg(in_chunks == clean, "seed %u quirk %d: chunked %d", seed, (int)q, in_chunks);
        if (clean || q == ZQ_BLANK || q == ZQ_QUOTE) {
            ck_assert_msg(strstr(got, "join aligned note \n") != NULL, "seed %u: %.300s", seed,
                          got);
            char *by_hash = zip_outcome(&policy, cpath, ipath, &hash, &unused);
            ck_assert_str_eq(strchr(by_hash, '\n'), strchr(got, '\n')); /* the same cells */
            free(by_hash);
        }
        if (q == ZQ_SWAP)
            ck_assert_msg(strstr(got, "join hash note the ") != NULL, "seed %u: %.300s", seed, got);
        if (q == ZQ_THIRD || q == ZQ_SHARED_BAD || q == ZQ_EXTRA || q == ZQ_SORTED_OFF)
            ck_assert_msg(strncmp(got, "status ", 7) == 0, "seed %u: %.300s", seed, got);
        free(want);
        free(got);
    }
}
END_TEST

/* An id repeated at every place of a small pair of files, with chunks of a few rows: where
 * the repeat falls on a chunk's first row, only the check across chunks sees it. Every
 * place: the same error as side by side in order ("appears twice", from the hash join). */
START_TEST(test_zip_join_repeat_at_every_row)
{
    struct fg_policy policy;
    make_policy(&policy, JOIN);
    for (unsigned odd = 1; odd < 40; odd++) {
        char c[4096], i[4096];
        size_t clen = (size_t)snprintf(c, sizeof c, "id,sex,race,label,new\n");
        size_t ilen = (size_t)snprintf(i, sizeof i, "id,old\n");
        for (unsigned row = 0; row < 40; row++) {
            unsigned id = row == odd ? row - 1 : row;
            clen += (size_t)snprintf(c + clen, sizeof c - clen, "k%04u,F,A,%u,1\n", id, row % 2);
            ilen += (size_t)snprintf(i + ilen, sizeof i - ilen, "k%04u,%u\n", id, row % 3 != 0);
        }
        char cpath[600], ipath[600];
        write_text(cpath, sizeof cpath, "repeat-c.csv", c);
        write_text(ipath, sizeof ipath, "repeat-i.csv", i);
        struct fg_ingest_tuning order, chunks;
        zip_tunings(&order, &chunks);
        chunks.chunk_bytes = 64 + odd % 5 * 16; /* 3 to 7 rows a chunk */
        chunks.block_bytes = 64;
        int chunked = 0;
        char *want = zip_outcome(&policy, cpath, ipath, &order, &chunked);
        char *got = zip_outcome(&policy, cpath, ipath, &chunks, &chunked);
        ck_assert_msg(strstr(want, "appears twice") != NULL, "row %u: %s", odd, want);
        ck_assert_msg(strcmp(want, got) == 0, "row %u:\nin order: %s\nchunks: %s", odd, want, got);
        ck_assert_int_eq(chunked, 0);
        free(want);
        free(got);
    }
}
END_TEST

/* A named pipe's writer: the bytes once, to the first reader; then, until done, any later
 * open for reading is let through to an empty end of file (instead of waiting forever for
 * a writer), as a pipe whose writer is gone gives nothing more. */
struct pipe_feed {
    const char *path, *bytes;
    size_t len;
    atomic_bool done;
};

static void *pipe_writer(void *arg)
{
    struct pipe_feed *f = arg;
    sigset_t pipe_signal; /* a reader gone: EPIPE, not the signal */
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, NULL);
    int fd = open(f->path, O_WRONLY);
    for (size_t at = 0; fd >= 0 && at < f->len;) {
        ssize_t n = write(fd, f->bytes + at, f->len - at);
        if (n <= 0 && errno != EINTR)
            break;
        at += n > 0 ? (size_t)n : 0;
    }
    if (fd >= 0)
        close(fd);
    while (!atomic_load(&f->done)) {
        int again = open(f->path, O_WRONLY | O_NONBLOCK);
        if (again >= 0)
            close(again);
        struct timespec pause = {0, 2 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return NULL;
}

/* Two files by id given as named pipes (what <(zcat x.gz) gives), with workers on: each is
 * opened once and read side by side, the same outcome as the regular files read in order.
 * On main the chunked join opened them first (reading a pipe's first bytes to sniff gzip)
 * and, given up, opened them again: a header cut short, or an empty file. */
START_TEST(test_zip_named_pipes)
{
    struct fg_policy policy;
    make_policy(&policy, JOIN);
    zip_rng = 77;
    char cpath[600], ipath[600];
    zip_files(9001, ZQ_CLEAN, 3000, cpath, ipath);
    char *bytes[2] = {NULL, NULL};
    size_t lens[2] = {0, 0};
    const char *regular[2] = {cpath, ipath};
    for (int f = 0; f < 2; f++) {
        struct fg_error err;
        ck_assert(fg_file_read_all(regular[f], 1u << 24, &bytes[f], &lens[f], &err) == FG_OK);
    }
    struct fg_ingest_tuning order, chunks;
    zip_tunings(&order, &chunks);
    chunks.chunk_bytes = 4096;
    int chunked = 0;
    char *want = zip_outcome(&policy, cpath, ipath, &order, &chunked);
    ck_assert_msg(strstr(want, "join aligned note \n") != NULL, "%.300s", want);
    for (int piped = 1; piped <= 3; piped++) { /* bit 0: the incumbent file; bit 1: the candidate */
        char pipes[2][600];
        struct pipe_feed feeds[2];
        pthread_t writers[2];
        const char *given[2] = {cpath, ipath};
        for (int f = 0; f < 2; f++) {
            if (!(piped & (f == 0 ? 2 : 1)))
                continue;
            snprintf(pipes[f], sizeof pipes[f], "%s/pipe-%d", workdir, f);
            unlink(pipes[f]);
            ck_assert_int_eq(mkfifo(pipes[f], 0600), 0);
            feeds[f] = (struct pipe_feed){.path = pipes[f], .bytes = bytes[f], .len = lens[f]};
            atomic_init(&feeds[f].done, false);
            ck_assert_int_eq(pthread_create(&writers[f], NULL, pipe_writer, &feeds[f]), 0);
            given[f] = pipes[f];
        }
        char *got = zip_outcome(&policy, given[0], given[1], &chunks, &chunked);
        for (int f = 0; f < 2; f++) {
            if (!(piped & (f == 0 ? 2 : 1)))
                continue;
            atomic_store(&feeds[f].done, true);
            int unblock = open(pipes[f], O_RDONLY | O_NONBLOCK); /* a writer never read from */
            if (unblock >= 0)
                close(unblock);
            pthread_join(writers[f], NULL);
            unlink(pipes[f]);
        }
        ck_assert_msg(strcmp(want, got) == 0, "pipes %d:\nregular files:\n%.500s\npipes:\n%.500s",
                      piped, want, got);
        ck_assert_int_eq(chunked, 0);
        free(got);
    }
    free(want);
    free(bytes[0]);
    free(bytes[1]);
}
END_TEST

/* How many entries the folder at path holds (besides . and ..). */
static int entries_in(const char *path)
{
    DIR *dir = opendir(path);
    int n = 0;
    for (struct dirent *entry; dir != NULL && (entry = readdir(dir)) != NULL;)
        n += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
    if (dir != NULL)
        closedir(dir);
    return n;
}

/* Two files by id given as named pipes whose ids part (two rows swapped), or which hold an
 * error only the hash join names (a repeated id, a row too many), or which pair up: each
 * pipe is copied to $TMPDIR as the aligned join reads it, and the hash join reads the copy,
 * so the outcome is that of regular files at the same paths (counts, rows, digests of the
 * bytes given, join and note, or the same error); no copy is left. On main the hash join
 * opened a pipe again: an empty file, or a header cut short. */
START_TEST(test_named_pipes_read_again)
{
    static const enum zip_quirk quirks[] = {ZQ_SWAP, ZQ_SORTED_OFF, ZQ_EXTRA, ZQ_CLEAN};
    static const char *const outcomes[] = {"join hash note the ids differ at line", "appears twice",
                                           "has no row in the candidate file",
                                           "join aligned note \n"};
    struct fg_policy policy;
    make_policy(&policy, JOIN);
    char spools[600];
    snprintf(spools, sizeof spools, "%s/spools", workdir);
    ck_assert_int_eq(mkdir(spools, 0700), 0);
    ck_assert_int_eq(setenv("TMPDIR", spools, 1), 0); /* Check runs each test in a child */
    for (size_t k = 0; k < sizeof quirks / sizeof quirks[0]; k++) {
        zip_rng = 300 + k;
        char paths[2][600];
        zip_files(9100 + (unsigned)k, quirks[k], 2000, paths[0], paths[1]);
        char *bytes[2] = {NULL, NULL};
        size_t lens[2] = {0, 0};
        for (int f = 0; f < 2; f++) {
            struct fg_error err;
            ck_assert(fg_file_read_all(paths[f], 1u << 24, &bytes[f], &lens[f], &err) == FG_OK);
        }
        struct fg_ingest_tuning order, chunks;
        zip_tunings(&order, &chunks);
        int chunked = 0;
        char *want = zip_outcome(&policy, paths[0], paths[1], &order, &chunked);
        ck_assert_msg(strstr(want, outcomes[k]) != NULL, "quirk %d: %.300s", (int)quirks[k], want);
        for (int piped = 1; piped <= 3; piped++) { /* bit 0: the incumbent; bit 1: the candidate */
            struct pipe_feed feeds[2];
            pthread_t writers[2];
            for (int f = 0; f < 2; f++) { /* each file a pipe or a regular file at its path */
                unlink(paths[f]);
                if (!(piped & (f == 0 ? 2 : 1))) {
                    write_bytes_to(paths[f], bytes[f], lens[f]);
                    continue;
                }
                ck_assert_int_eq(mkfifo(paths[f], 0600), 0);
                feeds[f] = (struct pipe_feed){.path = paths[f], .bytes = bytes[f], .len = lens[f]};
                atomic_init(&feeds[f].done, false);
                ck_assert_int_eq(pthread_create(&writers[f], NULL, pipe_writer, &feeds[f]), 0);
            }
            char *got =
                zip_outcome(&policy, paths[0], paths[1], piped == 2 ? &chunks : &order, &chunked);
            for (int f = 0; f < 2; f++) {
                if (!(piped & (f == 0 ? 2 : 1)))
                    continue;
                atomic_store(&feeds[f].done, true);
                int unblock = open(paths[f], O_RDONLY | O_NONBLOCK); /* a writer never read */
                if (unblock >= 0)
                    close(unblock);
                pthread_join(writers[f], NULL);
            }
            ck_assert_msg(strcmp(want, got) == 0,
                          "quirk %d pipes %d:\nregular files:\n%.500s\npipes:\n%.500s",
                          (int)quirks[k], piped, want, got);
            ck_assert_int_eq(chunked, 0);
            ck_assert_int_eq(entries_in(spools), 0);
            free(got);
        }
        unlink(paths[0]);
        unlink(paths[1]);
        free(want);
        free(bytes[0]);
        free(bytes[1]);
    }
    rmdir(spools);
}
END_TEST

/* The chunked join cuts the incumbent file after as many '\n' as the candidate's part has:
 * both ways of finding the n-th '\n' (SSE2, and AVX2 where the CPU has it) agree with a
 * byte loop, at every n, over buffers with runs of '\n', none, and every length. */
START_TEST(test_after_newlines)
{
    static char text[700];
    uint64_t x = 12345;
    for (size_t i = 0; i < sizeof text; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned roll = (unsigned)(x >> 60);
        text[i] = i > 400 && i < 500 ? 'a' : roll < 3 ? '\n' : (char)('a' + roll);
    }
    for (size_t len = 0; len < sizeof text; len += 1 + len / 8)
        for (size_t want = 0; want < 120; want++)
            for (int fastest = 0; fastest < 2; fastest++) {
                size_t n = want, seen = 0, expect = len;
                for (size_t i = 0; i < len && want > 0; i++)
                    if (text[i] == '\n' && ++seen == want) {
                        expect = i + 1;
                        break;
                    }
                size_t left = want == 0 ? 0 : seen == want ? 0 : want - seen;
                size_t got = fg_ingest_after_newlines(text, len, &n, fastest);
                ck_assert_msg(got == (want == 0 ? 0 : expect) && n == left,
                              "len %zu n %zu fastest %d: %zu (left %zu), want %zu (left %zu)", len,
                              want, fastest, got, n, expect, left);
            }
}
END_TEST

/* A header ended by "\r\n" in one file and by "\n" in the other (a file saved on Windows
 * beside one that was not; data rows either way): still read in chunks, as in order. */
START_TEST(test_zip_join_crlf_header)
{
    struct fg_policy policy;
    make_policy(&policy, JOIN);
    for (int way = 0; way < 4; way++) {
        static char c[8192], i[8192];
        size_t clen =
            (size_t)snprintf(c, sizeof c, "id,sex,race,label,new%s", way & 1 ? "\r\n" : "\n");
        size_t ilen = (size_t)snprintf(i, sizeof i, "id,old%s", way & 1 ? "\n" : "\r\n\r\n");
        for (unsigned row = 0; row < 300; row++) {
            clen += (size_t)snprintf(c + clen, sizeof c - clen, "k%04u,%s,A,%u,1%s", row,
                                     row % 3 ? "F" : "M", row % 2, way & 2 ? "\r\n" : "\n");
            ilen += (size_t)snprintf(i + ilen, sizeof i - ilen, "k%04u,%u\n", row, row % 5 != 0);
        }
        char cpath[600], ipath[600];
        write_text(cpath, sizeof cpath, "crlf-c.csv", c);
        write_text(ipath, sizeof ipath, "crlf-i.csv", i);
        struct fg_ingest_tuning order, chunks;
        zip_tunings(&order, &chunks);
        chunks.chunk_bytes = 256;
        chunks.block_bytes = 64;
        int chunked = 0;
        char *want = zip_outcome(&policy, cpath, ipath, &order, &chunked);
        char *got = zip_outcome(&policy, cpath, ipath, &chunks, &chunked);
        ck_assert_msg(strcmp(want, got) == 0, "way %d:\nin order: %s\nchunks: %s", way, want, got);
        ck_assert_msg(chunked == 1, "way %d: not read in chunks", way);
        free(want);
        free(got);
    }
}
END_TEST

/* The row cache copies fields of up to 8 bytes 8 at a time (one check for the whole record
 * that its bytes are in the buffer): values sharing their first 8 bytes, of 7, 8, 9 and 17
 * bytes, in every column and at every place in a read buffer of 64 bytes, are counted as
 * libcsv alone counts them, also by two workers. */
START_TEST(test_cache_short_fields)
{
    static const char *const sexes[] = {"Femalexx", "Femalexxy", "Femalex", "Femalexxyyyyyyyyy",
                                        "F"};
    static const char *const races[] = {"Whiteabc", "Whiteab", "Whiteabcd", "W"};
    char text[16384];
    size_t len = (size_t)snprintf(text, sizeof text, "sex,race,label,pred\n");
    uint64_t named = 0; /* rows of Femalexxy, Whiteab, label 0 and pred 0 */
    for (unsigned row = 0; row < 300; row++) {
        len += (size_t)snprintf(text + len, sizeof text - len, "%s,%s,%u,%s\n", sexes[row % 5],
                                races[(row / 5 + row) % 4], row % 3 == 0, row % 7 == 0 ? "1" : "0");
        named += row % 5 == 1 && (row / 5 + row) % 4 == 1 && row % 3 != 0 && row % 7 != 0;
    }
    char path[600];
    write_bytes(path, sizeof path, "short-fields.csv", text, len);
    struct fg_policy policy;
    make_policy(&policy, BASIC);
    char *want = NULL;
    for (int way = 0; way < 4; way++) {
        struct fg_ingest_tuning tuning;
        fg_ingest_tuning_default(&tuning);
        tuning.libcsv_only = way == 0;
        tuning.block_bytes = way == 2 ? 64 : tuning.block_bytes;
        if (way == 3) {
            tuning.parallel_min = 0;
            tuning.settle_seconds = 0;
            tuning.workers = 2;
            tuning.chunk_bytes = 1000;
            tuning.block_bytes = 64;
        }
        struct fg_ingest_options options = {.candidate_path = path};
        struct fg_counts *counts = NULL;
        struct fg_ingest_result info;
        struct fg_error err;
        ck_assert_msg(fg_ingest_run_tuned(&policy, &options, &tuning, &counts, &info, &err) ==
                          FG_OK,
                      "way %d: %s", way, err.message);
        ck_assert_uint_eq(info.candidate.rows, 300);
        char *got = counts_text(counts);
        if (want == NULL)
            want = got;
        else {
            ck_assert_msg(strcmp(got, want) == 0, "way %d:\n%s\nwant:\n%s", way, got, want);
            free(got);
        }
        const char *a[] = {"Femalexxy", "Whiteab"};
        ck_assert_uint_gt(named, 0);
        ck_assert_uint_eq(cell_named(counts, a, 0, 0, 0), named);
        fg_counts_free(counts);
    }
    free(want);
}
END_TEST

static Suite *ingest_suite(void)
{
    Suite *s = suite_create("ingest");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_ok_vectors, 0, sizeof ok_vectors / sizeof ok_vectors[0]);
    tcase_add_loop_test(tc, test_error_vectors, 0, sizeof error_vectors / sizeof error_vectors[0]);
    tcase_add_loop_test(tc, test_missing_column_marks, 0,
                        sizeof marked_vectors / sizeof marked_vectors[0]);
    tcase_add_test(tc, test_unreadable);
    tcase_add_test(tc, test_usage);
    tcase_add_test(tc, test_sha256);
    tcase_add_test(tc, test_field_limit);
    tcase_add_test(tc, test_group_value_limit);
    tcase_add_test(tc, test_chunk_boundary);
    tcase_add_test(tc, test_cache_key_nul_byte);
    tcase_add_loop_test(tc, test_cache_key_exact_fit, 0, 16);
    tcase_add_test(tc, test_cache_short_fields);
    tcase_add_test(tc, test_join_equals_one_file);
    tcase_add_test(tc, test_position_join_needs_saying);
    tcase_add_test(tc, test_shared_columns_agree);
    tcase_add_loop_test(tc, test_join_error_vectors, 0,
                        sizeof join_error_vectors / sizeof join_error_vectors[0]);
    tcase_add_test(tc, test_join_drop);
    tcase_add_test(tc, test_aligned_join_ways);
    tcase_add_test(tc, test_zip_join);
    tcase_add_test(tc, test_zip_join_crlf_header);
    tcase_add_test(tc, test_after_newlines);
    tcase_add_test(tc, test_zip_join_repeat_at_every_row);
    tcase_add_test(tc, test_zip_named_pipes);
    tcase_add_test(tc, test_named_pipes_read_again);
    tcase_add_test(tc, test_merge_equals_both);
    tcase_add_test(tc, test_scores_kept);
    tcase_add_test(tc, test_join_scores);
    add_data_test(tc, test_compas_aequitas, "compas_for_aequitas.csv");
    add_data_test(tc, test_compas_raw, "compas-scores-two-years.csv");
    suite_add_tcase(s, tc);
    return s;
}

static void remove_workdir(void)
{
    DIR *dir = opendir(workdir);
    if (dir != NULL) {
        struct dirent *entry;
        char path[1024];
        while ((entry = readdir(dir)) != NULL) {
            if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", workdir, entry->d_name);
            remove(path);
        }
        closedir(dir);
    }
    rmdir(workdir);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(workdir, sizeof workdir, "%s/fg-ingest-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(workdir) == NULL) {
        perror("check_ingest: mkdtemp");
        return EXIT_FAILURE;
    }
    SRunner *runner = srunner_create(ingest_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    remove_workdir();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
