/*
 * check_ingest_diff.c - the chunked paths of lib/ingest_parallel.c against the in-order
 * readers, on generated inputs: two files joined by id read in chunks (the chunked join)
 * against side by side in order (fg_ingest_tuning.no_zip), and one file read by the ring of
 * workers against one thread. Both runs must give the same outcome: status and message
 * (file:line), rows and rows dropped of each file, digests, join and note, the cells in
 * order with their scores.
 *
 * The inputs mix what chunk cuts could get wrong: \n, \r\n, \r and mixed line ends (in one
 * or both files), blank lines, a last record without '\n', a byte order mark, a header longer
 * than a buffer, empty ids and decisions (missing: drop and error), an incumbent file that
 * carries shared columns (some differing), score models (scores kept), ids rising as text
 * in one part and by length in another, repeated ids, an incumbent row missing or extra, the
 * other value of a decision first seen late and a third value, and incumbent rows much
 * longer than the candidate's; with tiny chunks and blocks and two to eight workers, so
 * that cuts fall everywhere and the ring wraps. test_every_cut moves the cut over every
 * byte of a small pair of files.
 */
#define _POSIX_C_SOURCE 200809L

#include "buf.h"
#include "counts.h"
#include "fairgate.h"
#include "ingest.h"
#include "metric.h"
#include "policy.h"
#include "test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char workdir[256];

static void setup(void)
{
    snprintf(workdir, sizeof workdir, "/tmp/fg-ingest-diff-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(workdir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    ck_assert_int_eq(system(cmd), 0);
}

static uint64_t rng;

static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return n ? (unsigned)((rng >> 33) % n) : 0;
}

static bool chance(unsigned per1000)
{
    return rnd(1000) < per1000;
}

static char *protected_sex_race[] = {"sex", "race"};
static struct fg_gate_spec auc_gate = {.id = "auc", .metric = FG_METRIC_AUC};
static struct fg_gate_spec brier_gate = {.id = "brier", .metric = FG_METRIC_BRIER, .overall = true};

/* Reads the file(s) with tuning; the outcome as one comparable text, and whether the rows
 * were read in chunks. */
static char *outcome(const struct fg_policy *policy, const char *cpath, const char *ipath,
                     const struct fg_ingest_tuning *tuning, int *chunked)
{
    struct fg_ingest_options options = {.candidate_path = cpath, .incumbent_path = ipath};
    struct fg_counts *counts = NULL;
    struct fg_ingest_result info;
    struct fg_error err;
    memset(&err, 0, sizeof err);
    enum fg_status status = fg_ingest_run_tuned(policy, &options, tuning, &counts, &info, &err);
    struct fg_buf o = fg_buf_new((size_t)16 << 20, "the outcome");
    *chunked = 0;
    if (status != FG_OK) {
        char message[2048];
        fg_error_format(&err, message, sizeof message);
        fg_buf_add(&o, "status %d %s\n", (int)status, message);
    } else {
        *chunked = info.chunked;
        fg_buf_add(&o, "rows %llu/%llu %llu/%llu sha %s %s join %s note %s\n",
                   (unsigned long long)info.candidate.rows,
                   (unsigned long long)info.candidate.rows_dropped,
                   (unsigned long long)info.incumbent.rows,
                   (unsigned long long)info.incumbent.rows_dropped, info.candidate.sha256,
                   ipath ? info.incumbent.sha256 : "-", info.join ? info.join : "-",
                   info.join_note);
    }
    for (size_t k = 0; counts != NULL && k < fg_counts_cell_count(counts); k++) {
        struct fg_cell cell;
        fg_counts_cell(counts, k, &cell);
        fg_buf_add(&o, "%s %s %u %u %u %llu", fg_counts_value(counts, 0, cell.value_ids[0]),
                   fg_counts_value(counts, 1, cell.value_ids[1]), cell.y_true, cell.candidate,
                   cell.incumbent, (unsigned long long)cell.count);
        for (int incumbent = 0; incumbent < 2; incumbent++) {
            size_t n = 0;
            const double *scores = fg_counts_cell_scores(counts, k, incumbent, &n);
            for (size_t j = 0; j < n; j++)
                fg_buf_add(&o, " %.17g", scores[j]);
            fg_buf_puts(&o, ";");
        }
        fg_buf_puts(&o, "\n");
    }
    fg_counts_free(counts);
    char *text = NULL;
    ck_assert_int_eq(fg_buf_finish(&o, &text, &err), FG_OK);
    return text;
}

/* A row's line end: mode 0 \n, 1 \r\n, 2 \r, 3 any of them. */
static const char *eol(unsigned mode)
{
    unsigned m = mode == 3 ? rnd(3) : mode;
    return m == 0 ? "\n" : m == 1 ? "\r\n" : "\r";
}

/* What a generated case is: the models, missing values, shared columns, ids, and how often
 * a row is odd (per 1000). */
struct gen {
    unsigned kind; /* 0 predictions; 1 scores (brier); 2 candidate score (auc); 3 incumbent score */
    bool drop;
    unsigned shared; /* the incumbent file carries: bit 0 sex, bit 1 the label */
    unsigned ids;    /* 0 k0000001..., 1 numbers, 2 by text then by length, 3 the reverse, 4 long */
    unsigned rate;
};

static bool scored(unsigned kind, bool incumbent)
{
    return incumbent ? kind == 1 || kind == 3 : kind == 1 || kind == 2;
}

/* The id of row (of n) for value v. */
static void id_of(unsigned ids, unsigned row, unsigned n, unsigned v, char *out, size_t size)
{
    unsigned half = n / 2;
    if (ids == 0)
        snprintf(out, size, "k%07u", v);
    else if (ids == 1)
        snprintf(out, size, "%u", v);
    else if (ids == 2 && row < half) /* 1, 10, 100, 2, 20...: rise as text only */
        snprintf(out, size, "%u%.*s", 1 + row / 3, (int)(row % 3), "00");
    else if (ids == 2) /* then by length only */
        snprintf(out, size, "%u", 2 + (half ? half - 1 : 0) / 3 + (row - half));
    else if (ids == 3 && row < half)
        snprintf(out, size, "%u", 5 + row);
    else if (ids == 3)
        snprintf(out, size, "z%u%.*s", 1 + (row - half) / 3, (int)((row - half) % 3), "00");
    else
        snprintf(out, size, "prefix-abcdefgh-%06u", v);
}

/* The header of each file: a long last column name now and then. */
static void headers(struct fg_buf *c, struct fg_buf *i, const struct gen *g, unsigned cm,
                    unsigned im, bool clong, bool ilong, bool pad)
{
    char name[2048];
    size_t n = clong ? 100 + rnd(1500) : 0;
    memset(name, 'y', n);
    name[n] = '\0';
    fg_buf_add(c, "id,sex,race,label,new%s%s%s", clong ? ",x" : "", name, eol(cm));
    n = ilong ? 100 + rnd(300) : 0;
    memset(name, 'z', n);
    name[n] = '\0';
    fg_buf_add(i, "id%s%s,old%s%s%s%s", g->shared & 1 ? ",sex" : "", g->shared & 2 ? ",label" : "",
               ilong ? ",z" : "", name, pad ? ",pad" : "", eol(im));
}

/* One candidate row and the incumbent row for it (odd at the case's rate). */
struct row {
    char id[64], iid[64], cdecision[32], idecision[32], label[16];
    const char *sex;
    unsigned label_bit;
};

static void row_values(struct row *w, const struct gen *g, unsigned row, bool late,
                       const char *iother)
{
    unsigned rate = g->rate;
    snprintf(w->iid, sizeof w->iid, "%s", w->id);
    if (chance(rate / 2))
        w->id[0] = '\0';
    if (chance(rate / 2))
        w->iid[0] = '\0';
    if (chance(rate / 8) && strlen(w->iid) < 60)
        strncat(w->iid, "x", 2);
    w->sex = rnd(3) ? "F" : "M";
    w->label_bit = rnd(2);
    if (scored(g->kind, false))
        snprintf(w->cdecision, sizeof w->cdecision, "0.%u", rnd(100));
    else
        snprintf(w->cdecision, sizeof w->cdecision, "%s", late || rnd(3) ? "1" : "0");
    if (scored(g->kind, true))
        snprintf(w->idecision, sizeof w->idecision, "0.%u", rnd(100));
    else
        snprintf(w->idecision, sizeof w->idecision, "%s", late || rnd(4) ? "1" : iother);
    if (chance(rate / 3))
        w->cdecision[0] = '\0';
    if (chance(rate / 3))
        w->idecision[0] = '\0';
    if (chance(rate / 10)) /* a third value, or one out of range */
        snprintf(w->cdecision, sizeof w->cdecision, "%s", scored(g->kind, false) ? "7e" : "2");
    if (chance(rate / 10)) /* written otherwise, or not a number */
        snprintf(w->cdecision, sizeof w->cdecision, "%s", scored(g->kind, false) ? "nan" : "1.0");
    if (chance(rate / 10))
        snprintf(w->idecision, sizeof w->idecision, "%s", scored(g->kind, true) ? "1.5" : "2");
    if (chance(rate / 10))
        snprintf(w->idecision, sizeof w->idecision, "%s", scored(g->kind, true) ? "abc" : "1.0");
    snprintf(w->label, sizeof w->label, "%u", late ? 1 : w->label_bit);
    if (chance(rate / 10))
        snprintf(w->label, sizeof w->label, "%s", rnd(2) ? "yes" : "01");
    (void)row;
}

/* Appends the candidate row. */
static void candidate_row(struct fg_buf *c, const struct row *w, unsigned rate, bool clong,
                          const char *end)
{
    const char *quote = chance(rate / 10) ? "\"" : "", *unquote = chance(rate / 10) ? "\"" : "";
    fg_buf_add(c, "%s%s%s,%s,%c,%s,%s%s%s", quote, w->id, unquote, w->sex, 'A' + (int)rnd(3),
               w->label, w->cdecision, clong ? ",x" : "", end);
}

/* Appends the incumbent row (the shared columns it carries, some differing; a pad column
 * of up to pad bytes). */
static void incumbent_row(struct fg_buf *i, const struct row *w, const struct gen *g, bool ilong,
                          unsigned pad, const char *end)
{
    unsigned rate = g->rate;
    const char *quote = chance(rate / 10) ? "\"" : "", *unquote = chance(rate / 10) ? "\"" : "";
    fg_buf_add(i, "%s%s%s", quote, w->iid, unquote);
    if (g->shared & 1)
        fg_buf_add(i, ",%s",
                   chance(rate / 10)   ? (*w->sex == 'F' ? "M" : "F")
                   : chance(rate / 10) ? ""
                                       : w->sex);
    if (g->shared & 2)
        fg_buf_add(i, ",%u", chance(rate / 10) ? !w->label_bit : w->label_bit);
    fg_buf_add(i, ",%s%s", w->idecision, ilong ? ",z" : "");
    if (pad) {
        fg_buf_puts(i, ",");
        for (unsigned k = rnd(pad + 1); k > 0; k--)
            fg_buf_puts(i, "p");
    }
    fg_buf_puts(i, end);
}

static void write_buf(struct fg_buf *b, const char *path)
{
    char *text = NULL;
    struct fg_error err;
    size_t len = b->len;
    ck_assert_int_eq(fg_buf_finish(b, &text, &err), FG_OK);
    write_bytes_to(path, text, len);
    free(text);
}

/* Writes a candidate file and an incumbent file for g. */
static void generate(const struct gen *g, const char *cpath, const char *ipath)
{
    struct fg_buf c = fg_buf_new((size_t)16 << 20, "c"), i = fg_buf_new((size_t)16 << 20, "i");
    unsigned n = 1 + rnd(rnd(4) == 0 ? 40 : 400);
    unsigned cm = rnd(5) == 0 ? rnd(4) : 0, im = chance(300) ? rnd(4) : cm;
    if (chance(100))
        fg_buf_puts(&c, "\xef\xbb\xbf");
    if (chance(100))
        fg_buf_puts(&i, "\xef\xbb\xbf");
    bool clong = chance(60), ilong = chance(60);
    unsigned pad = chance(100) ? rnd(3000) : 0; /* incumbent rows far longer */
    headers(&c, &i, g, cm, im, clong, ilong, pad != 0);
    unsigned late = chance(200) ? rnd(n + 1) : 0; /* rows before any other value */
    const char *iother = chance(100) ? "no" : "0";
    unsigned v = 0;
    char before[64] = "";
    for (unsigned row = 0; row < n; row++) {
        struct row w;
        v += 1 + rnd(3);
        id_of(g->ids, row, n, v, w.id, sizeof w.id);
        if (row > 0 && chance(g->rate / 4))
            snprintf(w.id, sizeof w.id, "%s", before); /* a repeat */
        snprintf(before, sizeof before, "%s", w.id);
        row_values(&w, g, row, row < late, iother);
        bool last = row + 1 == n;
        candidate_row(&c, &w, g->rate, clong, last && chance(300) ? "" : eol(cm));
        if (chance(g->rate / 5))
            fg_buf_puts(&c, eol(cm)); /* a blank line */
        if (chance(g->rate / 10))
            fg_buf_puts(&c, "a,b\n");
        if (chance(g->rate / 10) && row > 0)
            continue; /* no incumbent row */
        incumbent_row(&i, &w, g, ilong, pad, last && chance(300) ? "" : eol(im));
        if (chance(g->rate / 5))
            fg_buf_puts(&i, eol(im));
        if (chance(g->rate / 10)) /* an extra incumbent row */
            fg_buf_add(&i, "%sy%s%s,1%s%s%s", w.id, g->shared & 1 ? ",F" : "",
                       g->shared & 2 ? ",1" : "", ilong ? ",z" : "", pad ? ",p" : "", eol(im));
    }
    if (chance(50))
        fg_buf_puts(&i, "zz9999,1\n");
    write_buf(&c, cpath);
    write_buf(&i, ipath);
}

static void make_policy(struct fg_policy *p, const struct gen *g, bool two)
{
    memset(p, 0, sizeof *p);
    p->path = "diff.yaml";
    p->version = 1;
    p->name = "diff";
    p->data.label = "label";
    p->data.positive_label = "1";
    p->data.protected = protected_sex_race;
    p->data.n_protected = 2;
    p->data.candidate.present = true;
    p->data.favorable_prediction = "1";
    p->data.missing = g->drop ? FG_MISSING_DROP : FG_MISSING_ERROR;
    p->data.delimiter = ',';
    p->data.id = two ? "id" : NULL;
    p->data.incumbent.present = two;
    if (scored(g->kind, false)) {
        p->data.candidate.score = "new";
        p->data.candidate.threshold = 0.5;
        p->data.candidate.favorable = FG_FAVORABLE_ABOVE;
        p->gates = g->kind == 1 ? &brier_gate : &auc_gate;
        p->n_gates = 1;
    } else {
        p->data.candidate.prediction = "new";
    }
    if (two && scored(g->kind, true)) {
        p->data.incumbent.score = "old";
        p->data.incumbent.threshold = 0.5;
        p->data.incumbent.favorable = FG_FAVORABLE_BELOW;
        if (g->kind == 3) {
            p->gates = &auc_gate;
            p->n_gates = 1;
        }
    } else if (two) {
        p->data.incumbent.prediction = "old";
    }
}

/* Seeds [first, first + count): each case read in chunks and in order, the same outcome;
 * *chunked: how many were read in chunks. two: two files (else the candidate file alone). */
static void differ_none(unsigned first, unsigned count, bool two, unsigned *chunked)
{
    char cpath[300], ipath[300];
    snprintf(cpath, sizeof cpath, "%s/c.csv", workdir);
    snprintf(ipath, sizeof ipath, "%s/i.csv", workdir);
    for (unsigned seed = first; seed < first + count; seed++) {
        rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed * 0x2545F4914F6CDD1DULL);
        struct gen g = {.kind = rnd(4),
                        .drop = rnd(2),
                        .shared = rnd(3) ? 0 : rnd(4),
                        .ids = rnd(5),
                        .rate = rnd(3) == 0   ? 0
                                : rnd(4) == 0 ? 30
                                              : 3 + rnd(20)};
        if (rnd(3) == 0)
            g.ids = 0;
        generate(&g, cpath, ipath);
        struct fg_policy policy;
        make_policy(&policy, &g, two);
        struct fg_ingest_tuning order, chunks;
        fg_ingest_tuning_default(&order);
        order.parallel_min = 0;
        order.settle_seconds = 0; /* files written just now */
        order.workers = 2 + rnd(7);
        chunks = order;
        chunks.chunk_bytes = 64 + rnd(rnd(2) ? 300 : 3000);
        chunks.block_bytes = 64 + rnd(400);
        order.block_bytes = chunks.block_bytes;
        if (two)
            order.no_zip = true; /* side by side in order */
        else
            order.workers = 1;
        int in_order = 0, in_chunks = 0;
        char *want = outcome(&policy, cpath, two ? ipath : NULL, &order, &in_order);
        char *got = outcome(&policy, cpath, two ? ipath : NULL, &chunks, &in_chunks);
        ck_assert_msg(strcmp(want, got) == 0,
                      "seed %u (kind %u drop %d shared %u ids %u rate %u; chunk %llu block %zu "
                      "workers %u):\nin order:\n%.1500s\nin chunks:\n%.1500s",
                      seed, g.kind, g.drop, g.shared, g.ids, g.rate,
                      (unsigned long long)chunks.chunk_bytes, chunks.block_bytes, chunks.workers,
                      want, got);
        *chunked += (unsigned)in_chunks;
        free(want);
        free(got);
    }
}

START_TEST(test_two_files)
{
    unsigned chunked = 0;
    differ_none(0, 1500, true, &chunked);
    ck_assert_uint_gt(chunked, 250); /* the chunked join did run, often */
}
END_TEST

START_TEST(test_one_file)
{
    unsigned chunked = 0;
    differ_none(0, 1000, false, &chunked);
    ck_assert_uint_gt(chunked, 500);
}
END_TEST

/* A small pair of aligned files, cut at every byte: chunks of 64 to 363 bytes, so that a
 * chunk ends on every byte of them (a '\r' last in a buffer, records that fill a buffer
 * exactly, blank lines and \r\n across a cut). Line ends \n and \r\n, and blank lines, at
 * the same rows of both files (so that they pair); a byte order mark in the incumbent file
 * only; the candidate's last record without '\n'; an empty id in both files (missing:
 * drop). Two files in chunks against side by side in order, and the candidate file alone
 * by workers against one thread; most cuts are read in chunks. */
START_TEST(test_every_cut)
{
    struct fg_buf c = fg_buf_new(1 << 20, "c"), i = fg_buf_new(1 << 20, "i");
    fg_buf_puts(&c, "id,sex,race,label,new\r\n");
    fg_buf_puts(&i, "\xef\xbb\xbfid,old\r\n"); /* as the candidate's: the same '\n' after */
    for (unsigned row = 0; row < 60; row++) {
        const char *end = row % 3 == 0 ? "\r\n" : "\n";
        bool blank = row % 7 == 3;
        char id[16] = ""; /* row 20: an empty id */
        if (row != 20)
            snprintf(id, sizeof id, "k%u", 100 + row);
        fg_buf_add(&c, "%s,%s,%c,%u,%u%s%s", id, row % 2 ? "F" : "M", 'A' + (int)(row % 3),
                   row % 5 < 2, row % 4 != 0, row == 59 ? "" : end, blank ? end : "");
        fg_buf_add(&i, "%s,%u%s%s", id, row % 3 != 1, end, blank ? "\n" : "");
    }
    char cpath[300], ipath[300];
    snprintf(cpath, sizeof cpath, "%s/cut-c.csv", workdir);
    snprintf(ipath, sizeof ipath, "%s/cut-i.csv", workdir);
    write_buf(&c, cpath);
    write_buf(&i, ipath);
    struct gen g = {.drop = true};
    for (int two = 0; two < 2; two++) {
        struct fg_policy policy;
        make_policy(&policy, &g, two);
        struct fg_ingest_tuning order, chunks;
        fg_ingest_tuning_default(&order);
        order.parallel_min = 0;
        order.settle_seconds = 0;
        order.block_bytes = 64;
        order.workers = two ? 2 : 1;
        order.no_zip = true;
        int in_order = 0;
        char *want = outcome(&policy, cpath, two ? ipath : NULL, &order, &in_order);
        const char *rows = two ? "rows 60/1 60/1 " : "rows 60/0 ";
        ck_assert_msg(strncmp(want, rows, strlen(rows)) == 0, "%.300s", want);
        ck_assert(!two || strstr(want, " join aligned note \n") != NULL);
        unsigned chunked = 0;
        for (unsigned bytes = 64; bytes < 364; bytes++) {
            chunks = order;
            chunks.no_zip = false;
            chunks.chunk_bytes = bytes;
            chunks.workers = 2 + bytes % 2;
            int in_chunks = 0;
            char *got = outcome(&policy, cpath, two ? ipath : NULL, &chunks, &in_chunks);
            ck_assert_msg(strcmp(want, got) == 0,
                          "%s, chunks of %u:\nin order:\n%s\nin chunks:\n%s",
                          two ? "two files" : "one file", bytes, want, got);
            chunked += (unsigned)in_chunks;
            free(got);
        }
        ck_assert_uint_gt(chunked, 250);
        free(want);
    }
}
END_TEST

/* Cuts the join's name and note out of an outcome's first line (" join ..." to its end). */
static void drop_join(char *text)
{
    char *join = strstr(text, " join "), *end = join ? strchr(join, '\n') : NULL;
    if (end != NULL)
        memmove(join, end, strlen(end) + 1);
}

/* A generated pair of files with ids of kind ids (struct gen), its policy, and the tunings
 * of the reference (libcsv alone) and of the fast path (the defaults, to be varied). */
static void two_file_case(unsigned ids, const char *cpath, const char *ipath,
                          struct fg_policy *policy, struct fg_ingest_tuning *reference,
                          struct fg_ingest_tuning *fast)
{
    struct gen g = {.kind = rnd(2) ? 0 : rnd(4),
                    .drop = rnd(2),
                    .shared = rnd(4),
                    .ids = ids,
                    .rate = rnd(3) == 0 ? 0 : 3 + rnd(20)};
    generate(&g, cpath, ipath);
    make_policy(policy, &g, true);
    fg_ingest_tuning_default(reference);
    reference->libcsv_only = true;
    fg_ingest_tuning_default(fast);
}

/* Two files by id read as the CLI reads them (the aligned join, the row cache keyed with the
 * incumbent's bits as its extra byte, workers) against libcsv alone and the hash join, no
 * cache: the same rows and cells when the reference reads the files (the join's name and
 * note may differ), an error too when it does not. */
START_TEST(test_two_files_reference)
{
    char cpath[300], ipath[300];
    snprintf(cpath, sizeof cpath, "%s/c.csv", workdir);
    snprintf(ipath, sizeof ipath, "%s/i.csv", workdir);
    unsigned aligned = 0, failures = 0;
    for (unsigned seed = 5000; seed < 5600; seed++) {
        rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed * 0x2545F4914F6CDD1DULL);
        struct fg_policy policy;
        struct fg_ingest_tuning reference, fast;
        two_file_case(rnd(2) ? 0 : rnd(5), cpath, ipath, &policy, &reference, &fast);
        fast.settle_seconds = 0;
        fast.parallel_min = rnd(2) ? 0 : fast.parallel_min;
        fast.block_bytes = rnd(2) ? 64 + rnd(400) : fast.block_bytes;
        fast.chunk_bytes = 64 + rnd(3000);
        fast.workers = 2 + rnd(3);
        fast.no_zip = rnd(2);
        int chunked = 0;
        char *want = outcome(&policy, cpath, ipath, &reference, &chunked);
        char *got = outcome(&policy, cpath, ipath, &fast, &chunked);
        aligned += strstr(got, " join aligned ") != NULL;
        drop_join(want);
        drop_join(got);
        /* which error comes first depends on the join's order (the hash join reads the
         * incumbent file first): an error on one side only, or the same success */
        bool failed = strncmp(want, "status ", 7) == 0;
        failures += failed;
        ck_assert_msg(failed ? strncmp(got, "status ", 7) == 0 : strcmp(want, got) == 0,
                      "seed %u:\nlibcsv:\n%.1500s\nfast:\n%.1500s", seed, want, got);
        free(want);
        free(got);
    }
    ck_assert_uint_gt(aligned, 100);
    ck_assert_uint_lt(failures, 400); /* most cases compare cells */
}
END_TEST

/* The hash join on both sides (the fast path reads records ahead of the one it counts, so
 * that each id's table slot is fetched early: lib/ingest.c, fast_block_ahead) against
 * libcsv alone: the same outcome to the byte, errors included (message and line: blank lines,
 * "\r\n", ids given twice, ids missing from the incumbent file, third values), with small
 * and large blocks so that the records read ahead straddle them. */
START_TEST(test_hash_join_reference)
{
    char cpath[300], ipath[300];
    snprintf(cpath, sizeof cpath, "%s/c.csv", workdir);
    snprintf(ipath, sizeof ipath, "%s/i.csv", workdir);
    unsigned failures = 0;
    for (unsigned seed = 7000; seed < 7400; seed++) {
        rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed * 0x2545F4914F6CDD1DULL);
        struct fg_policy policy;
        struct fg_ingest_tuning reference, fast;
        two_file_case(rnd(5), cpath, ipath, &policy, &reference, &fast);
        fast.no_aligned = true;
        fast.block_bytes = rnd(2) ? 64 + rnd(400) : fast.block_bytes;
        int chunked = 0;
        char *want = outcome(&policy, cpath, ipath, &reference, &chunked);
        char *got = outcome(&policy, cpath, ipath, &fast, &chunked);
        failures += strncmp(want, "status ", 7) == 0;
        ck_assert_msg(strcmp(want, got) == 0, "seed %u:\nlibcsv:\n%.1500s\nfast:\n%.1500s", seed,
                      want, got);
        free(want);
        free(got);
    }
    ck_assert_uint_gt(failures, 40);  /* errors, with their lines, are compared */
    ck_assert_uint_lt(failures, 360); /* and cells */
}
END_TEST

static Suite *diff_suite(void)
{
    Suite *s = suite_create("ingest_diff");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_two_files);
    tcase_add_test(tc, test_one_file);
    tcase_add_test(tc, test_every_cut);
    tcase_add_test(tc, test_two_files_reference);
    tcase_add_test(tc, test_hash_join_reference);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(diff_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
