/*
 * ingest.h - what lib/ingest.c (row decoding) and lib/ingest_parallel.c (the parallel chunk
 * reader) share; private to the two. The public entry is fg_ingest_run (fairgate.h).
 *
 * A struct ingest is one run over one or two files: the policy's columns, a reader per file,
 * the incumbent's decisions and the cell table being filled. A reader decodes one file's
 * records into its slots and calls on_row for each data row. ingest_parallel.c copies the
 * candidate reader and the run once per worker, so both structs are defined here.
 *
 * Ownership: struct ingest owns the readers, the id map, the position bits and, until it
 * is handed to the caller, the counts. Slot names and hints borrow from the policy.
 */
#ifndef FAIRGATE_INGEST_H
#define FAIRGATE_INGEST_H

#include "csvread.h"
#include "fairgate.h"
#include "fastcsv.h"
#include "idset.h"
#include "instream.h"
#include "policy.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <openssl/evp.h>

/* ---- ingest tuning (lib/ingest.c) ----
 * How ingest reads; fg_ingest_run uses fg_ingest_tuning_default. Tests shrink the sizes to
 * reach every path (blocks, chunks, workers, the libcsv fallback) with small files. */

#define FG_INGEST_MAX_WORKERS 8

struct fg_ingest_tuning {
    size_t block_bytes;      /* the read buffer of each reader and worker (at least 64) */
    uint64_t parallel_min;   /* a regular one-file candidate at least this big is split */
    uint64_t chunk_bytes;    /* the byte range a worker takes at a time */
    unsigned workers;        /* 0: one per online CPU (at most FG_INGEST_MAX_WORKERS) */
    bool libcsv_only;        /* the reference: every byte through libcsv, one thread */
    bool no_aligned;         /* two files by id: straight to the hash join (tests, bench) */
    bool no_zip;             /* two aligned files: never in chunks, side by side in order */
    unsigned settle_seconds; /* split only a file whose ctime is older than this (ingest.c) */
};

void fg_ingest_tuning_default(struct fg_ingest_tuning *tuning);
FG_MUST_CHECK enum fg_status
fg_ingest_run_tuned(const struct fg_policy *policy, const struct fg_ingest_options *options,
                    const struct fg_ingest_tuning *tuning, struct fg_counts **out,
                    struct fg_ingest_result *info, struct fg_error *err);

#define MAX_SLOTS (FG_MAX_PROTECTED + 4) /* id, label, protected..., candidate, incumbent */

/* ---- the reader ---- */

/* A column the policy needs, and its value in the current record. */
struct slot {
    const char *name;    /* header name, borrowed from the policy */
    const char *key;     /* the policy key naming it ("data.label"), for messages; or NULL */
    struct fg_mark mark; /* where the policy names it; line 0: unknown */
    const char *hint;    /* appended to the "no column" message */
    size_t column;       /* 0-based header index, once the header is read */
    bool optional;       /* a header without it is fine: absent then, and never read */
    bool absent;
    char *value; /* the current record's field, NUL-terminated */
    size_t len, cap;
};

struct reader;
struct spool; /* the copy of an input read twice (lib/ingest.c) */
typedef enum fg_status (*row_handler)(struct reader *reader, void *user);
/* Called on the fast path before a record is looked up in the row cache (the aligned join
 * pairs it there): *extra is one more byte of its cache key; *cacheable false keeps the
 * record out of the cache. */
typedef enum fg_status (*row_hook)(struct reader *reader, void *user, unsigned *extra,
                                   bool *cacheable);
/* Called on the fast path with a record's fields some records before it is read (the hash
 * join prefetches its id's slot there); a hint only: it changes nothing. */
typedef void (*row_ahead)(const struct reader *reader, void *user, const struct fg_csv_span *fields,
                          size_t n_fields);

/* Who is told how far ingest is (fg_ingest_options.progress), over both files. */
struct progress {
    void (*fn)(uint64_t done, uint64_t total, uint64_t rows, void *user);
    void *user;
    uint64_t total;       /* bytes of both files; 0 when unknown */
    uint64_t done_before; /* bytes of the file read before this one */
    uint64_t rows_before;
};

struct row_cache;

struct reader {
    const char *path;        /* for messages: FG_STDIN_NAME for standard input */
    const char *given;       /* as given: opened, and recorded in the audit ("-": standard input) */
    const char *role;        /* "candidate file" or "incumbent file", for messages */
    const char *policy_path; /* where the slots' marks are */
    unsigned char delimiter;
    row_handler on_row;
    void *user;
    struct fg_error *err;
    struct slot slots[MAX_SLOTS];
    size_t n_slots;
    /* the header */
    char **names;
    size_t n_names, names_cap;
    int32_t *slot_of; /* header column -> slot, or -1 */
    bool header_done;
    struct fg_csv_lines lines; /* where libcsv is */
    size_t field;              /* fields of the current record seen so far */
    /* results */
    uint64_t rows, rows_dropped;
    uint64_t size;       /* of a plain file, from its first stat; 0: unknown (a stream) */
    uint64_t fast_bytes; /* of the data records read on the fast path, terminators included */
    char sha256[65];
    enum fg_status status; /* the first failure inside a callback */
    /* the quote-free fast path (lib/fastcsv.c) */
    struct fg_fastcsv fast;
    struct fg_csv_span *spans; /* one record's fields */
    size_t spans_cap;
    bool bailed;                     /* a worker met what only libcsv may read */
    const struct progress *progress; /* NULL: nobody is told */
    /* the row cache (lib/ingest.c): NULL when off; on_row offers the cell of a plainly
     * counted row */
    struct row_cache *cache;
    const char *buf_end; /* the end of the bytes the spans point into */
    bool offer;
    unsigned offer_bits;
    uint32_t offer_ids[FG_MAX_PROTECTED];
    row_hook before_row; /* NULL: none */
    row_ahead ahead;     /* NULL: none; else records are read AHEAD_ROWS ahead (lib/ingest.c) */
    struct fg_csv_span *ahead_spans; /* AHEAD_ROWS x spans_cap, for the records read ahead */
    /* an input that cannot be opened twice (standard input, a pipe) in a two-file run: copied
     * as the aligned join reads it, read from that copy when the hash join reads it again
     * (lib/ingest.c); NULL: read as given */
    struct spool *spool;
    size_t key_skip; /* a slot left out of the cache key (the id), or (size_t)-1 */
    /* in a two-file run, this file's model column and the other model's (prediction or
     * score), so that a missing column can say the files look swapped; NULL otherwise */
    const char *own_model, *other_model;
};

/* Where a stream's bytes come from: a plain regular file by offset (pread), or an input
 * stream (lib/instream.c: a file, standard input, gzip) in order, which hashes the bytes. */
struct source {
    int fd;
    uint64_t offset;            /* of the next byte given, from the start of the file */
    uint64_t end;               /* read no further; UINT64_MAX: to the end of the file */
    struct fg_instream *stream; /* non-NULL: read from it (fd and end unused) */
    struct fg_error *err;       /* what a failed stream read says */
};

/* ---- decisions ---- */

/* A column that holds one of two values: positive (1) and one other (0). */
struct binary_column {
    const char *column;   /* borrowed from the policy */
    const char *positive; /* borrowed from the policy */
    size_t positive_len;
    const char *positive_is; /* "positive label" or "favorable prediction" */
    const char *policy_key;  /* "positive_label" or "favorable_prediction" */
    char *other;             /* the other value, first seen at other_line; NULL before */
    size_t other_len;
    unsigned long other_line;
};

/* How one model's decision is read in one file. */
struct model_column {
    const struct fg_model_spec *spec;
    size_t slot;
    struct binary_column binary; /* when spec->prediction */
    bool probability;            /* brier or calibration_gap is gated: a score must lie in [0, 1] */
};

/* The line of each id of the hash join, by its index: from[i] on, line = index + delta[i]
 * (a new breakpoint only where a row is skipped or spans lines). */
struct line_map {
    uint64_t *from, *delta;
    size_t n, cap;
};

/* Decisions by position: 2 bits a row (prediction, missing). */
struct position_bits {
    unsigned char *bits;
    uint64_t n;
    size_t cap; /* bytes */
};

/* ---- the run ---- */

enum join { JOIN_NONE, JOIN_ID, JOIN_POSITION };

struct pairing; /* the aligned join (lib/ingest_aligned.c) */

struct ingest {
    const struct fg_policy *policy;
    struct fg_counts *counts;
    bool drop; /* missing: drop */
    enum join join;
    /* JOIN_ID read side by side (lib/ingest_aligned.c): the pairing, and why it was given
     * up ("" while it holds) */
    bool aligned;
    struct pairing *pairing;
    /* JOIN_ID aligned, read in chunks by workers (lib/ingest_parallel.c), and whether that
     * was given up (both files are then read again, side by side in order) */
    bool zipped, unzipped;
    bool chunked;           /* the rows were read in chunks by workers, none again in order */
    struct spool *spool[2]; /* the copies of the candidate [0] and incumbent [1] file, or NULL */
    char diverged[512];
    /* the candidate file */
    struct reader candidate;
    size_t id_slot, label_slot, protected_slots[FG_MAX_PROTECTED];
    struct binary_column label;
    struct model_column candidate_model;
    bool incumbent_column; /* the incumbent's decision is a column of the candidate file */
    struct model_column incumbent_model; /* in the candidate file or the incumbent file */
    /* the incumbent file */
    struct reader incumbent;
    size_t incumbent_id_slot;
    struct fg_idset ids; /* the incumbent's ids (lib/idset.h), flagged ID_* in lib/ingest.c */
    struct line_map id_lines;
    struct position_bits positions;
    unsigned long first_extra_line; /* first candidate row past the incumbent's rows */
    /* The columns both files may carry (label, protected attributes: n_shared of them),
     * compared row by row: their slots in each file, each value interned per column, and
     * per incumbent row (in id or position order) the values' refs and its line. */
    size_t n_shared, shared_incumbent[MAX_SLOTS], shared_candidate[MAX_SLOTS];
    bool shared_known, shared_any;
    struct fg_idset shared_values[MAX_SLOTS];
    uint32_t *shared_refs;
    uint64_t *shared_lines;
    size_t n_shared_rows, shared_rows_cap;
    uint32_t value_ids[FG_MAX_PROTECTED];
    /* scores (score metrics gated only): which models' scores the counts keep, and the
     * incumbent file's scores, one per id or per position, in the same order */
    bool keep_scores[2];
    double *file_scores;
    size_t n_file_scores, file_scores_cap;
    struct fg_ingest_tuning tuning;
    struct progress progress;
};

/* memcmp for the short values a row holds (ids, decisions), without a call per value: 8
 * bytes at a time; in the first word that differs, its first byte that differs. */
static inline int fg_short_cmp(const char *a, const char *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x == y)
            continue;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        i += (size_t)__builtin_ctzll(x ^ y) / 8;
        return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
#else
        break;
#endif
    }
    for (; i < n; i++)
        if (a[i] != b[i])
            return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
    return 0;
}

/* ---- lib/ingest.c, for the parallel reader ---- */

/* Fills r->err with the file and line; returns code. */
enum fg_status fg_ingest_fail(struct reader *r, enum fg_status code, unsigned long line,
                              const char *fmt, ...) FG_PRINTF(4, 5);

/* Reads up to want bytes, fewer only at the end (*eof then). -1 on a read error (a stream's
 * fills src->err; else errno says). */
ssize_t fg_ingest_source_read(struct source *src, char *buf, size_t want, bool *eof);

/* Streams src through the fast path, then libcsv from the first record it gives up on. */
enum fg_status fg_ingest_stream(struct reader *r, struct source *src, bool file_start, char *buf,
                                size_t cap, bool fast, bool fallback);

/* A worker's chunk: the whole records of bytes[0, len) (it ends the file or just past a
 * '\n') on the fast path; r->bailed when the fast path gives up (the caller reads them
 * again in order). The row cache is flushed. */
enum fg_status fg_ingest_records(struct reader *r, const char *bytes, size_t len);

/* The next record of bytes[pos, len) (whole records) on the fast path, its fields in
 * r->spans, its line in r->lines.line (the caller adds rec->newline_ended once it is
 * through); *end: none is left. FG_ERR_INPUT with r->bailed: only libcsv may read it. */
enum fg_status fg_ingest_record_read(struct reader *r, const char *bytes, size_t len, size_t pos,
                                     struct fg_fastcsv_record *rec, bool *end);
/* That record decoded by the reader: checks, slots, on_row. */
enum fg_status fg_ingest_record_decode(struct reader *r, const struct fg_fastcsv_record *rec);

/* Reads the header from the file's first block on the fast path; *first: where the data
 * rows start. *used false: the header is not on the fast path. */
enum fg_status fg_ingest_fast_header(struct reader *r, int fd, char *buf, size_t cap, bool *used,
                                     uint64_t *first);

/* The row cache of a reader: counts NULL until fg_ingest_cache_reset names them. */
struct row_cache *fg_ingest_cache_new(struct fg_counts *counts, size_t n_ids);
void fg_ingest_cache_free(struct row_cache *cache);
void fg_ingest_cache_reset(struct row_cache *cache, struct fg_counts *counts);

/* The error for a shared column whose value differs from the incumbent row's (theirs, at
 * line of the incumbent file). */
enum fg_status fg_ingest_shared_mismatch(struct ingest *in, struct reader *r, const struct slot *s,
                                         const char *theirs, size_t their_len, uint64_t line);

/* Reads one file in order (or, may_split, with workers): the header, on_row for every data
 * record, and its SHA-256. */
enum fg_status fg_ingest_read_file(struct ingest *in, struct reader *r, bool may_split);

/* Whether the file at fd still has the size, mtime and ctime of st; if not, the error. */
enum fg_status fg_ingest_unchanged(struct reader *r, int fd, const struct stat *st);

/* ---- lib/ingest_aligned.c ---- */

/* Reads the two files side by side (the incumbent file on a thread of its own): the
 * incumbent reader must be set up, the candidate's is set up by read_candidate. On return
 * with in->diverged set, the files do not pair up row by row: the caller starts again with
 * the hash join (the status then says nothing). */
enum fg_status fg_ingest_aligned_run(struct ingest *in,
                                     enum fg_status (*read_candidate)(struct ingest *in, void *arg),
                                     void *arg);

/* From incumbent_row: the incumbent row just read, queued for the candidate row it pairs. */
enum fg_status fg_ingest_pair_push(struct ingest *in, struct reader *r, int prediction,
                                   bool missing, double score);

/* The candidate reader's before_row in an aligned join: pairs the record on the fast path. */
enum fg_status fg_ingest_pair_hook(struct reader *r, void *user, unsigned *extra, bool *cacheable);

/* From candidate_row: the incumbent row paired with this candidate row (same id), its
 * shared columns compared. *diverged-style stops set in->diverged. */
enum fg_status fg_ingest_pair_match(struct ingest *in, struct reader *r, int *prediction,
                                    double *score, bool *missing);

/* The candidate file of an aligned join, when it is a plain settled file: read in order on
 * this thread while another hashes it. *used false: nothing read. */
enum fg_status fg_ingest_aligned_read(struct ingest *in, struct reader *r, int fd,
                                      const struct stat *st, EVP_MD_CTX *sha, char *buf,
                                      bool *used);

/* Lockstep pairing, for a worker of the chunked join (lib/ingest_parallel.c): set as the
 * worker's local run's pairing, it pairs each candidate row with the next row that inc (the
 * worker's incumbent reader, whose errors it takes) reads from the chunk's incumbent part.
 * Any doubt (ids that differ or do not rise, a row left over, an error) fails the chunk,
 * and the caller reads both files again side by side in order. */
struct fg_id_order {
    bool any, lex, shortlex; /* ids seen; they rise as text / by length then text */
    const char *first, *last;
    size_t first_len, last_len;
};
struct pairing *fg_ingest_lockstep_new(struct ingest *local, struct reader *inc);
void fg_ingest_lockstep_chunk(struct pairing *p, struct ingest *local, const char *bytes,
                              size_t len);
/* After the chunk's candidate rows: FG_OK when no incumbent row is left. */
enum fg_status fg_ingest_lockstep_end(struct pairing *p);
/* The chunk's ids, borrowed until the next chunk. */
void fg_ingest_lockstep_order(const struct pairing *p, struct fg_id_order *order);
void fg_ingest_lockstep_free(struct pairing *p);
/* Drops from *lex / *shortlex the order in which id does not rise strictly after before. */
void fg_ingest_order_step(const char *before, size_t before_len, const char *id, size_t len,
                          bool *lex, bool *shortlex);

/* ---- lib/ingest_parallel.c ---- */

/* Whether the candidate file st is worth splitting among workers: big enough, settled
 * (unchanged for tuning.settle_seconds), and more than one worker. */
bool fg_ingest_splittable(const struct ingest *in, const struct stat *st);

/* Reads the candidate file with workers; *used false: nothing was read, the caller reads
 * the file in order. */
enum fg_status fg_ingest_parallel_run(struct ingest *in, int fd, uint64_t size, EVP_MD_CTX *sha,
                                      char *buf, bool *used);

/* Just past the *n-th '\n' of b[0, len), *n then 0; else len, *n lowered by the '\n' seen.
 * fastest: with AVX2 and POPCNT when the CPU has them (the chunked join's); else SSE2. */
size_t fg_ingest_after_newlines(const char *b, size_t len, size_t *n, bool fastest);

/* The chunked join (in->zipped): the candidate file fd (st, hashed into sha) and the
 * incumbent file (opened here) read once, side by side, by workers; the incumbent reader
 * must be set up. *whole false: it was given up (a file not plain or not settled, not on
 * the fast path, not in the same order, or an error), and the caller reads both files
 * again, in order, side by side; the status then says nothing. The incumbent file may be
 * of any size (the candidate file is big enough to split, fg_ingest_splittable). */
enum fg_status fg_ingest_zip_read(struct ingest *in, int fd, const struct stat *st, EVP_MD_CTX *sha,
                                  char *buf, bool *whole);

#endif
