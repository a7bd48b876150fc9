/*
 * ingest_parallel.c - a big candidate file read once, in chunks, by workers (pthreads);
 * for the chunked join, with the incumbent file beside it (struct zip).
 *
 * The header is read here (lib/ingest.c decodes it). Then this thread reads the file once,
 * in order, into a ring of buffers: it hashes each buffer's bytes as they arrive and hands
 * the buffer's whole records (up to its last '\n'; the partial record after it is carried
 * to the next buffer) to the workers as a "chunk". Each worker decodes a chunk into a cell
 * table of its own with a copy of the run and of the candidate reader; the tables are
 * merged in file order as they finish, which frees the chunk's buffer for a later one. So
 * every byte is read from the file once, and the digest covers exactly the bytes decoded.
 *
 * A chunk the fast path gives up on (a quote, a long field), that disagrees with the run so
 * far (a binary column's other value, a table limit), or a record too long for half a
 * buffer, is not merged: from its start the file is read on in order, so every row is
 * judged as the serial reader would judge it (then, and only then, bytes are read twice,
 * which is why lib/ingest.c refuses the result if the file changed meanwhile).
 *
 * Invariants: only a settled regular file is split (fg_ingest_splittable); the reader stops
 * at the size seen at the start. Memory is constant: n_ring buffers of `cap` bytes (and,
 * joined, as many incumbent buffers) and as many chunk slots. Ownership: struct parallel
 * owns the ring and the chunks' tables until they are merged; a worker owns its readers'
 * buffers and its row cache. Locking: par->lock guards struct parallel and the run's
 * merged state (in->counts, the readers' totals, struct zip's ids); a chunk's own fields
 * are written by the one thread that took it, between taking it and marking it parsed
 * (both under the lock); base is read-only once workers start.
 */
#define _POSIX_C_SOURCE 200809L

#include "ingest.h"
#include "counts.h"
#include "fairgate.h"
#include "policy.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

/* The binary columns of a run whose "other" value is state carried from row to row. */
#define N_BINARY 3

static struct binary_column *binary_of(struct ingest *in, size_t i)
{
    return i == 0 ? &in->label : i == 1 ? &in->candidate_model.binary : &in->incumbent_model.binary;
}

/* What a worker found in one chunk, read on its own: a cell table, the rows, and the first
 * "other" value of each binary column (lines counted from 1 at the chunk's start).
 * bad: it met an error or gave up, or the chunk could not be cut; the file is read again
 * from start. */
struct chunk {
    uint64_t start;    /* file offset of bytes[0]: the first data row, or just past a '\n' */
    const char *bytes; /* whole records, in a ring buffer until the chunk is merged */
    size_t len;
    bool bad, parsed;
    struct fg_counts *counts;
    uint64_t rows, rows_dropped;
    unsigned long newlines;
    /* the chunked join: the incumbent file's rows for the same ids, what its reader found
     * there, and the chunk's ids (first and last copied) */
    const char *inc_bytes;
    size_t inc_len;
    uint64_t inc_rows, inc_dropped;
    unsigned long inc_newlines;
    struct {
        bool any, lex, shortlex;
        char *first, *last;
        size_t first_len, last_len;
    } order;
    struct {
        char *value;
        size_t len;
        unsigned long line;
    } seen[N_BINARY];
};

/* The chunked join: the incumbent file, read beside the candidate file into a ring of its
 * own, each chunk cut after as many '\n' as the candidate's part has, so that both parts
 * hold the same ids when the files are aligned (any doubt gives the chunked join up). */
struct zip {
    int fd;
    uint64_t size, first; /* the file's size; where its data rows start */
    EVP_MD_CTX *sha;
    size_t (*count)(const char *b, size_t len, size_t *n); /* after_newlines, or faster */
    size_t cap;                                            /* each buffer's bytes */
    char **ring; /* chunk k's incumbent part is in ring[k % n_ring] */
    /* the ids merged so far: whether they rise in either order, and the last one */
    bool any, lex, shortlex;
    char *last;
    size_t last_len;
};

struct parallel {
    struct ingest *in;
    struct zip *zip; /* NULL: one file */
    /* what workers copy, taken before they start (the run itself changes as chunks merge):
     * the run with no table and no binary column's other value */
    struct ingest base;
    bool has_incumbent;
    int fd;
    size_t n_ring, cap; /* buffers and chunk slots; each buffer's bytes */
    char **ring;        /* chunk k is in ring[k % n_ring] and chunks[k % n_ring] */
    struct chunk *chunks;
    size_t published; /* chunks the reader has handed out */
    size_t next;      /* the next chunk a worker takes */
    size_t merged;    /* chunks merged into the run, in file order */
    bool closed;      /* the reader hands out no more */
    bool stopped;     /* merging stopped at a chunk: the file is read on from resume_at */
    uint64_t resume_at;
    enum fg_status status; /* a merge that failed (out of memory, a limit) */
    atomic_uint_fast64_t bytes_done, rows_done;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a chunk handed out, parsed or merged; a worker ended */
    unsigned running;
};

/* A reader of chunks: a copy of the candidate reader (the header's names and columns
 * borrowed) with buffers and a row cache of its own; for the chunked join, a copy of the
 * incumbent reader too, and the lockstep pairing between them. */
struct worker {
    struct reader r, inc;
    struct pairing *lockstep;
    bool ready;
};

static void chunk_clear(struct chunk *c)
{
    fg_counts_free(c->counts);
    c->counts = NULL;
    free(c->order.first);
    free(c->order.last);
    c->order.first = c->order.last = NULL;
    for (size_t i = 0; i < N_BINARY; i++) {
        free(c->seen[i].value);
        c->seen[i].value = NULL;
    }
}

static void reader_restart(struct reader *r, struct ingest *local, struct fg_error *err)
{
    r->err = err;
    r->user = local;
    r->rows = r->rows_dropped = 0;
    r->lines.line = 1;
    r->status = FG_OK;
    r->bailed = false;
}

/* The chunked join: after the candidate part, no incumbent row may be left, the ids must
 * have paired and risen; the part's ids and rows are kept for the merge (false: out of
 * memory, or the chunk does not pair). */
static bool zip_finish(struct chunk *c, struct worker *w, const struct ingest *local)
{
    struct fg_id_order o;
    if (local->diverged[0] != '\0' || fg_ingest_lockstep_end(w->lockstep) != FG_OK)
        return false;
    fg_ingest_lockstep_order(w->lockstep, &o);
    c->order.any = o.any;
    c->order.lex = o.lex;
    c->order.shortlex = o.shortlex;
    c->order.first_len = o.first_len;
    c->order.last_len = o.last_len;
    if (o.any && ((c->order.first = fg_strndup(o.first, o.first_len)) == NULL ||
                  (c->order.last = fg_strndup(o.last, o.last_len)) == NULL))
        return false;
    c->inc_rows = w->inc.rows;
    c->inc_dropped = w->inc.rows_dropped;
    c->inc_newlines = w->inc.lines.line - 1;
    return true;
}

/* Reads chunk c with a copy of the run whose state starts empty: its own reader (the
 * header's columns shared), cell table and binary columns; for the chunked join, each
 * candidate row paired with the next row of the chunk's incumbent part. */
static void chunk_read(struct parallel *par, struct chunk *c, struct worker *w)
{
    const struct ingest *in = &par->base;
    struct ingest local = *in;
    struct fg_error err;
    struct reader *r = &w->r;
    reader_restart(r, &local, &err);
    if (par->zip != NULL) {
        reader_restart(&w->inc, &local, &err);
        local.pairing = w->lockstep;
        fg_ingest_lockstep_chunk(w->lockstep, &local, c->inc_bytes, c->inc_len);
    }
    bool ok = fg_counts_new(in->policy->data.n_protected, par->has_incumbent, &local.counts,
                            &err) == FG_OK &&
              (!(in->keep_scores[0] || in->keep_scores[1]) ||
               fg_counts_keep_scores(local.counts, in->keep_scores[0], in->keep_scores[1], &err) ==
                   FG_OK) &&
              (r->cache == NULL || (fg_ingest_cache_reset(r->cache, local.counts), true)) &&
              fg_ingest_records(r, c->bytes, c->len) == FG_OK && !r->bailed &&
              (par->zip == NULL || zip_finish(c, w, &local));
    c->counts = local.counts;
    for (size_t i = 0; i < N_BINARY; i++) {
        struct binary_column *b = binary_of(&local, i);
        c->seen[i].value = b->other;
        c->seen[i].len = b->other_len;
        c->seen[i].line = b->other_line;
    }
    c->rows = r->rows;
    c->rows_dropped = r->rows_dropped;
    c->newlines = r->lines.line - 1;
    if (!ok) {
        chunk_clear(c);
        c->bad = true;
    }
    atomic_fetch_add(&par->bytes_done, c->len);
    atomic_fetch_add(&par->rows_done, r->rows);
}

/* Whether chunk c can be added to the run as it stands: it must agree with the binary
 * columns' other values so far and keep the table within its limits. Otherwise the file is
 * read on from c's start, one record after another, and meets the error where it is. */
static bool chunk_mergeable(struct ingest *in, const struct zip *zip, const struct chunk *c)
{
    if (c->bad)
        return false;
    if (zip != NULL && zip->any && c->order.any) { /* the ids rise across chunks too */
        bool lex = zip->lex && c->order.lex, shortlex = zip->shortlex && c->order.shortlex;
        fg_ingest_order_step(zip->last, zip->last_len, c->order.first, c->order.first_len, &lex,
                             &shortlex);
        if (!lex && !shortlex)
            return false;
    }
    for (size_t i = 0; i < N_BINARY; i++) {
        const struct binary_column *b = binary_of(in, i);
        if (b->other != NULL && c->seen[i].value != NULL &&
            (b->other_len != c->seen[i].len || memcmp(b->other, c->seen[i].value, b->other_len)))
            return false;
    }
    for (size_t a = 0; a < in->policy->data.n_protected; a++) {
        size_t fresh = 0, n = fg_counts_value_count(c->counts, a);
        for (uint32_t id = 0; id < n; id++) {
            const char *value = fg_counts_value(c->counts, a, id);
            uint32_t found;
            fresh += !fg_counts_find_value(in->counts, a, value, strlen(value), &found);
        }
        if (fg_counts_value_count(in->counts, a) + fresh > FG_MAX_GROUP_VALUES)
            return false;
    }
    if (fg_counts_cell_count(in->counts) + fg_counts_cell_count(c->counts) > FG_MAX_CELLS)
        return false;
    if ((in->keep_scores[0] || in->keep_scores[1]) &&
        fg_counts_total(in->counts) + fg_counts_total(c->counts) > FG_MAX_SCORED_ROWS)
        return false;
    return true;
}

/* The chunked join: chunk c's ids follow those merged; its incumbent rows are added. */
static void zip_merge(struct ingest *in, struct zip *zip, struct chunk *c)
{
    struct reader *inc = &in->incumbent;
    inc->rows += c->inc_rows;
    inc->rows_dropped += c->inc_dropped;
    inc->lines.line += c->inc_newlines;
    if (!c->order.any)
        return;
    if (zip->any)
        fg_ingest_order_step(zip->last, zip->last_len, c->order.first, c->order.first_len,
                             &zip->lex, &zip->shortlex);
    zip->lex = zip->lex && c->order.lex;
    zip->shortlex = zip->shortlex && c->order.shortlex;
    free(zip->last); /* the chunk's copy of its last id becomes the run's */
    zip->last = c->order.last;
    zip->last_len = c->order.last_len;
    c->order.last = NULL;
    zip->any = true;
}

/* Adds chunk c to the run (it is mergeable). */
static enum fg_status chunk_merge(struct ingest *in, struct zip *zip, struct chunk *c)
{
    struct reader *r = &in->candidate;
    enum fg_status status = fg_counts_merge(in->counts, c->counts, r->err);
    if (status != FG_OK)
        return status;
    for (size_t i = 0; i < N_BINARY; i++) {
        struct binary_column *b = binary_of(in, i);
        if (b->other != NULL || c->seen[i].value == NULL)
            continue;
        b->other = c->seen[i].value;
        b->other_len = c->seen[i].len;
        b->other_line = c->seen[i].line + r->lines.line - 1;
        c->seen[i].value = NULL;
    }
    r->rows += c->rows;
    r->rows_dropped += c->rows_dropped;
    r->lines.line += c->newlines;
    if (zip != NULL)
        zip_merge(in, zip, c);
    return FG_OK;
}

/* Under the lock: merges the parsed chunks that come next in file order, up to the first
 * that cannot be merged (from its start the file is then read on in order). */
static void merge_ready(struct parallel *par)
{
    while (!par->stopped && par->merged < par->published) {
        struct chunk *c = &par->chunks[par->merged % par->n_ring];
        if (!c->parsed)
            return;
        if (!chunk_mergeable(par->in, par->zip, c)) {
            par->stopped = true;
            par->resume_at = c->start;
        } else if ((par->status = chunk_merge(par->in, par->zip, c)) != FG_OK) {
            par->stopped = true;
        } else {
            par->merged++;
        }
        chunk_clear(c);
    }
}

/* *copy: reader r with buffers of its own (no values yet, no cache, nobody told). */
static bool reader_copy(struct reader *copy, const struct reader *r)
{
    *copy = *r;
    for (size_t s = 0; s < copy->n_slots; s++) {
        copy->slots[s].value = NULL;
        copy->slots[s].len = copy->slots[s].cap = 0;
    }
    copy->progress = NULL;
    copy->cache = NULL;
    copy->ahead = NULL; /* a worker reads no hash join */
    copy->ahead_spans = NULL;
    copy->spans = malloc((copy->spans_cap ? copy->spans_cap : 1) * sizeof *copy->spans);
    return copy->spans != NULL;
}

static void reader_copy_free(struct reader *copy)
{
    free(copy->spans);
    fg_ingest_cache_free(copy->cache);
    for (size_t s = 0; s < copy->n_slots; s++)
        free(copy->slots[s].value);
}

static void worker_init(struct parallel *par, struct worker *w)
{
    const struct ingest *in = &par->base;
    memset(w, 0, sizeof *w);
    w->ready = reader_copy(&w->r, &in->candidate);
    if (w->ready && in->candidate.cache != NULL)
        w->ready = (w->r.cache = fg_ingest_cache_new(NULL, in->policy->data.n_protected)) != NULL;
    if (par->zip != NULL)
        w->ready = reader_copy(&w->inc, &in->incumbent) && w->ready &&
                   (w->lockstep = fg_ingest_lockstep_new(NULL, &w->inc)) != NULL;
}

static void worker_free(struct parallel *par, struct worker *w)
{
    reader_copy_free(&w->r);
    if (par->zip != NULL) {
        reader_copy_free(&w->inc);
        fg_ingest_lockstep_free(w->lockstep);
    }
}

/* Under the lock, with a chunk handed out and not taken: takes it, reads it without the
 * lock, then merges what comes next in file order. */
static void take_chunk(struct parallel *par, struct worker *w)
{
    struct chunk *c = &par->chunks[par->next++ % par->n_ring];
    bool skip = c->bad || par->stopped || !w->ready;
    pthread_mutex_unlock(&par->lock);
    if (skip)
        c->bad = true; /* read in order by the caller, if it is reached */
    else
        chunk_read(par, c, w);
    pthread_mutex_lock(&par->lock);
    c->parsed = true;
    merge_ready(par);
    pthread_cond_broadcast(&par->changed);
}

static void *worker_main(void *arg)
{
    struct parallel *par = arg;
    struct worker w;
    worker_init(par, &w);
    pthread_mutex_lock(&par->lock);
    for (;;) {
        while (par->next >= par->published && !par->closed)
            pthread_cond_wait(&par->changed, &par->lock);
        if (par->next >= par->published)
            break;
        take_chunk(par, &w);
    }
    par->running--;
    pthread_cond_broadcast(&par->changed);
    pthread_mutex_unlock(&par->lock);
    worker_free(par, &w);
    return NULL;
}

/* Whether the file was last changed (ctime) over `seconds` ago (default 2). When a chunk
 * is read again in order (the fast path gave up on it), those bytes are read apart from the
 * bytes hashed, and an unchanged ctime is trusted to mean they are the same; a write during
 * the run moves ctime to a time after the run began, which differs from a ctime this old
 * even on a file system with coarse timestamps. A file changed just now is read in order,
 * hashed in the same read. */
static bool settled(const struct stat *st, unsigned seconds)
{
    struct timespec now;
    return seconds == 0 || (clock_gettime(CLOCK_REALTIME, &now) == 0 &&
                            st->st_ctim.tv_sec + (time_t)seconds < now.tv_sec);
}

static unsigned worker_count(const struct fg_ingest_tuning *tuning)
{
    long n = tuning->workers;
    if (n == 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > FG_INGEST_MAX_WORKERS ? FG_INGEST_MAX_WORKERS : (unsigned)n;
}

/* Tells the progress callback, if any, what the workers have done so far. */
static void workers_progress(const struct progress *p, struct parallel *par)
{
    if (p != NULL && p->fn != NULL)
        p->fn(p->done_before + atomic_load(&par->bytes_done), p->total,
              p->rows_before + atomic_load(&par->rows_done), p->user);
}

/* Under the lock: waits until chunk slot k is free (the chunk n_ring before it merged) or
 * merging stopped, reading chunks meanwhile as helper; true: k may be handed out. */
static bool slot_wait(struct parallel *par, struct worker *helper, size_t k)
{
    while (!par->stopped && k >= par->n_ring && par->merged <= k - par->n_ring) {
        if (par->next < par->published)
            take_chunk(par, helper);
        else
            pthread_cond_wait(&par->changed, &par->lock);
    }
    return !par->stopped;
}

/* Under the lock: hands chunk k out (its incumbent part, for the chunked join). */
static void publish(struct parallel *par, size_t k, uint64_t start, const char *bytes, size_t len,
                    const char *inc_bytes, size_t inc_len, bool bad)
{
    struct chunk *c = &par->chunks[k % par->n_ring];
    memset(c, 0, sizeof *c);
    c->start = start;
    c->bytes = bytes;
    c->len = len;
    c->inc_bytes = inc_bytes;
    c->inc_len = inc_len;
    c->bad = bad;
    par->published = k + 1;
    pthread_cond_broadcast(&par->changed);
}

/* The offset of the last '\n' in b[from, len), or len. */
static size_t last_newline(const char *b, size_t from, size_t len)
{
    for (size_t i = len; i > from; i--)
        if (b[i - 1] == '\n')
            return i - 1;
    return len;
}

/* The bits set in x (no call: without -mpopcnt the builtin is one). */
static inline unsigned bits_set(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/* Just past the *n-th '\n' of b[0, len), *n then 0; else len, *n lowered by the '\n' seen.
 * 64 bytes at a time where SSE2 is (as lib/fastcsv.c); with AVX2 and POPCNT when the CPU
 * has them (after_newlines_avx2, chosen once by newline_counter). */
static size_t after_newlines(const char *b, size_t len, size_t *n)
{
    size_t i = 0;
    if (*n == 0)
        return 0;
#if defined(__SSE2__) && defined(__GNUC__)
    const __m128i lf = _mm_set1_epi8('\n');
    for (; i + 64 <= len; i += 64) {
        uint64_t mask = 0;
        for (unsigned q = 0; q < 4; q++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i + 16 * q));
            mask |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) << (16 * q);
        }
        size_t found = bits_set(mask);
        if (found < *n) {
            *n -= found;
            continue;
        }
        while (--*n > 0) /* the *n-th set bit: drop the ones before it */
            mask &= mask - 1;
        return i + (size_t)__builtin_ctzll(mask) + 1;
    }
#endif
    for (; i < len; i++)
        if (b[i] == '\n' && --*n == 0)
            return i + 1;
    return len;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define NEWLINES_AVX2 1

__attribute__((target("avx2,popcnt"))) static size_t after_newlines_avx2(const char *b, size_t len,
                                                                         size_t *n)
{
    size_t i = 0;
    if (*n == 0)
        return 0;
    const __m256i lf = _mm256_set1_epi8('\n');
    for (; i + 64 <= len; i += 64) {
        __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));
        __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(b + i + 32));
        uint64_t mask = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, lf)) |
                        (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, lf)) << 32;
        size_t found = (size_t)__builtin_popcountll(mask);
        if (found < *n) {
            *n -= found;
            continue;
        }
        while (--*n > 0)
            mask &= mask - 1;
        return i + (size_t)__builtin_ctzll(mask) + 1;
    }
    size_t rest = after_newlines(b + i, len - i, n);
    return i + rest;
}
#else
#define NEWLINES_AVX2 0
#endif

typedef size_t (*newline_fn)(const char *b, size_t len, size_t *n);

size_t fg_ingest_after_newlines(const char *b, size_t len, size_t *n, bool fastest)
{
#if NEWLINES_AVX2
    if (fastest && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))
        return after_newlines_avx2(b, len, n);
#else
    (void)fastest;
#endif
    return after_newlines(b, len, n);
}

/* The fastest after_newlines this CPU runs (the same answers). */
static newline_fn newline_counter(void)
{
#if NEWLINES_AVX2
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))
        return after_newlines_avx2;
#endif
    return after_newlines;
}

/* Where the reader is in each file. */
struct cursor {
    struct source src;
    const char *carry_from; /* the partial record after the last cut, carried on */
    size_t carry, skip;     /* skip: the header, at the head of the first buffer */
    uint64_t start;         /* the file offset of the next chunk */
    bool eof;
};

/* Reads on into b[*len, cap) what the file gives, hashed; *len: bytes in b. */
static enum fg_status cursor_read(struct reader *r, struct cursor *cur, EVP_MD_CTX *sha, char *b,
                                  size_t cap, size_t *len)
{
    ssize_t got = fg_ingest_source_read(&cur->src, b + *len, cap - *len, &cur->eof);
    if (got < 0)
        return fg_ingest_fail(r, FG_ERR_IO, 0, "read error: %s", strerror(errno));
    if (got > 0 && EVP_DigestUpdate(sha, b + *len, (size_t)got) != 1)
        return fg_ingest_fail(r, FG_ERR_IO, 0, "SHA-256 failed");
    *len += (size_t)got;
    return FG_OK;
}

/* Fills b (cap bytes): the carry, then what the file gives; *len: bytes in b. */
static enum fg_status cursor_fill(struct reader *r, struct cursor *cur, EVP_MD_CTX *sha, char *b,
                                  size_t cap, size_t *len)
{
    if (cur->carry > 0) /* carry_from is NULL before the first cut */
        memmove(b, cur->carry_from, cur->carry);
    *len = cur->carry;
    return cursor_read(r, cur, sha, b, cap, len);
}

/* Cuts b[0, len) at cut: the chunk is b[skip, cut), the rest carried on. */
static void cursor_cut(struct cursor *cur, const char *b, size_t len, size_t cut)
{
    cur->start += cut - cur->skip;
    cur->carry_from = b + cut;
    cur->carry = len - cut;
    cur->skip = 0;
}

/* The chunked join: reads into the incumbent ring buffer of chunk k the incumbent rows of
 * the candidate part b[from, to) (as many '\n'; at the candidate's end, the rest of the
 * file). *fits false: they do not fit a buffer (the chunked join is given up). */
static enum fg_status zip_fill(struct parallel *par, struct cursor *cur, size_t k, const char *b,
                               size_t from, size_t to, bool last, bool *fits, struct chunk *part)
{
    struct zip *zip = par->zip;
    struct reader *r = &par->in->incumbent;
    char *ib = zip->ring[k % par->n_ring];
    size_t rows = SIZE_MAX, len = 0, cut = 0;
    if (!last) {
        zip->count(b + from, to - from, &rows);
        rows = SIZE_MAX - rows;
    }
    size_t need = rows;
    enum fg_status status = cursor_fill(r, cur, zip->sha, ib, zip->cap, &len);
    *fits = cur->skip <= len;
    if (status != FG_OK || !*fits)
        return status;
    cut = last ? len : cur->skip + zip->count(ib + cur->skip, len - cur->skip, &need);
    while (status == FG_OK && (last || need > 0) && !cur->eof && len < zip->cap) {
        size_t had = len;
        status = cursor_read(r, cur, zip->sha, ib, zip->cap, &len);
        cut = last ? len : had + zip->count(ib + had, len - had, &need);
    }
    *fits = status == FG_OK && (last ? cur->eof : need == 0);
    if (*fits) {
        part->inc_bytes = ib + cur->skip;
        part->inc_len = cut - cur->skip;
        cursor_cut(cur, ib, len, cut);
    }
    return status;
}

/* Reads bytes [0, size) of the candidate file in order into the ring, hashing them, and
 * hands each buffer's whole records on to the workers (for the chunked join, with the
 * incumbent's rows for them); once merging stopped (or a record does not fit half a
 * buffer) it only hashes, into spare (the chunked join just stops). While the ring is full
 * it reads chunks too, as helper (a worker like the others). sync: the lock exists. */
static enum fg_status read_ring(struct parallel *par, struct worker *helper, bool sync,
                                uint64_t first, uint64_t size, EVP_MD_CTX *sha, char *spare,
                                size_t spare_cap)
{
    struct reader *r = &par->in->candidate;
    struct cursor cur = {
        .src = {.fd = par->fd, .end = size}, .skip = (size_t)first, .start = first};
    struct cursor icur = {0};
    if (par->zip != NULL) {
        icur.src.fd = par->zip->fd;
        icur.src.end = par->zip->size;
        icur.skip = (size_t)par->zip->first;
    }
    enum fg_status status = FG_OK;
    bool handing = !par->stopped;
    for (size_t k = 0; !cur.eof && status == FG_OK && (handing || par->zip == NULL); k++) {
        size_t len = 0;
        if (handing) {
            pthread_mutex_lock(&par->lock);
            handing = slot_wait(par, helper, k);
            pthread_mutex_unlock(&par->lock);
        }
        if (!handing) {
            cur.carry = cur.skip = 0;
            status = cursor_fill(r, &cur, sha, spare, spare_cap, &len);
            workers_progress(r->progress, par);
            continue;
        }
        char *b = par->ring[k % par->n_ring];
        if ((status = cursor_fill(r, &cur, sha, b, par->cap, &len)) != FG_OK)
            break;
        workers_progress(r->progress, par);
        size_t cut = cur.eof ? len : last_newline(b, cur.skip, len) + 1;
        bool fits = cur.skip <= len && cut <= len && (cur.eof || len - cut <= par->cap / 2);
        struct chunk part = {0}; /* the incumbent's part of the chunked join */
        if (fits && par->zip != NULL)
            status = zip_fill(par, &icur, k, b, cur.skip, cut, cur.eof, &fits, &part);
        pthread_mutex_lock(&par->lock);
        publish(par, k, cur.start, b + cur.skip, fits ? cut - cur.skip : 0, part.inc_bytes,
                part.inc_len, !fits);
        pthread_mutex_unlock(&par->lock);
        handing = fits;
        if (fits)
            cursor_cut(&cur, b, len, cut);
    }
    if (sync) {
        pthread_mutex_lock(&par->lock);
        par->closed = true;
        pthread_cond_broadcast(&par->changed);
        pthread_mutex_unlock(&par->lock);
    }
    return status;
}

/* Starts up to `wanted` workers; *started: how many did. False when the lock or the
 * condition could not be made (then none started). */
static bool workers_start(struct parallel *par, unsigned wanted, pthread_t *threads,
                          unsigned *started)
{
    if (pthread_mutex_init(&par->lock, NULL) != 0)
        return false;
    if (pthread_cond_init(&par->changed, NULL) != 0) {
        pthread_mutex_destroy(&par->lock);
        return false;
    }
    pthread_mutex_lock(&par->lock);
    for (; *started < wanted; (*started)++) {
        par->running++;
        if (pthread_create(&threads[*started], NULL, worker_main, par) != 0) {
            par->running--;
            break;
        }
    }
    pthread_mutex_unlock(&par->lock);
    return true;
}

/* Waits for the started workers, telling the progress every 200 ms, and joins them. */
static void workers_wait(struct parallel *par, pthread_t *threads, unsigned started)
{
    const struct progress *p = par->in->candidate.progress;
    pthread_mutex_lock(&par->lock);
    while (par->running > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000 * 1000;
        if (until.tv_nsec >= 1000 * 1000 * 1000) {
            until.tv_sec++;
            until.tv_nsec -= 1000 * 1000 * 1000;
        }
        pthread_cond_timedwait(&par->changed, &par->lock, &until);
        workers_progress(p, par);
    }
    pthread_mutex_unlock(&par->lock);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    pthread_cond_destroy(&par->changed);
    pthread_mutex_destroy(&par->lock);
}

static void ring_free(struct parallel *par)
{
    for (size_t i = 0; par->ring != NULL && i < par->n_ring; i++)
        free(par->ring[i]);
    free(par->ring);
    for (size_t i = 0; par->zip != NULL && par->zip->ring != NULL && i < par->n_ring; i++)
        free(par->zip->ring[i]);
    if (par->zip != NULL)
        free(par->zip->ring);
    for (size_t i = 0; par->chunks != NULL && i < par->n_ring; i++)
        chunk_clear(&par->chunks[i]);
    free(par->chunks);
}

/* The ring: two buffers a worker (one being read, one being filled) of
 * max(chunk_bytes, block_bytes) bytes, as many chunk slots. */
static bool ring_new(struct parallel *par, unsigned workers)
{
    const struct fg_ingest_tuning *t = &par->in->tuning;
    par->cap = t->chunk_bytes > t->block_bytes ? (size_t)t->chunk_bytes : t->block_bytes;
    par->n_ring = 2 * (size_t)workers + 1;
    par->ring = calloc(par->n_ring, sizeof *par->ring);
    par->chunks = calloc(par->n_ring, sizeof *par->chunks);
    if (par->ring == NULL || par->chunks == NULL)
        return false;
    for (size_t i = 0; i < par->n_ring; i++)
        if ((par->ring[i] = malloc(par->cap)) == NULL)
            return false;
    if (par->zip == NULL)
        return true;
    if ((par->zip->ring = calloc(par->n_ring, sizeof *par->zip->ring)) == NULL)
        return false;
    for (size_t i = 0; i < par->n_ring; i++)
        if ((par->zip->ring[i] = malloc(par->zip->cap)) == NULL)
            return false;
    return true;
}

/* The workers' copy of the run: no table, no binary column's other value yet. */
static void base_take(struct parallel *par)
{
    par->base = *par->in;
    par->base.counts = NULL;
    for (size_t i = 0; i < N_BINARY; i++) {
        struct binary_column *b = binary_of(&par->base, i);
        b->other = NULL;
        b->other_len = 0;
        b->other_line = 0;
    }
    par->has_incumbent = fg_counts_has_incumbent(par->in->counts);
}

/* The headers are read (candidate data from `first`): reads the file(s) once, in order,
 * hashed here and decoded by the workers chunk by chunk, each into its own table, merged in
 * file order. On return par->stopped says whether (and par->resume_at where) merging stopped. */
static enum fg_status parallel_go(struct parallel *par, uint64_t first, uint64_t size,
                                  EVP_MD_CTX *sha, char *buf)
{
    struct ingest *in = par->in;
    base_take(par);
    atomic_init(&par->bytes_done, first);
    atomic_init(&par->rows_done, 0);
    /* this thread reads and hashes, and reads chunks too while the ring is full: one
     * thread fewer than there are workers */
    unsigned wanted = worker_count(&in->tuning);
    pthread_t threads[FG_INGEST_MAX_WORKERS];
    unsigned started = 0;
    if (!ring_new(par, wanted))
        return fg_ingest_fail(&in->candidate, FG_ERR_NOMEM, 0, "out of memory");
    struct worker helper;
    worker_init(par, &helper);
    bool sync = workers_start(par, wanted - 1, threads, &started);
    if (!sync || first > par->cap) {
        par->stopped = true; /* the reader only hashes; the rows are read in order after */
        par->resume_at = first;
    }
    enum fg_status status =
        read_ring(par, &helper, sync, first, size, sha, buf, in->tuning.block_bytes);
    if (sync) {
        pthread_mutex_lock(&par->lock); /* what no worker took yet */
        while (par->next < par->published)
            take_chunk(par, &helper);
        pthread_mutex_unlock(&par->lock);
        workers_wait(par, threads, started);
    }
    worker_free(par, &helper);
    return status == FG_OK ? par->status : status;
}

/* Tells the progress callback, if any, that size bytes are read. */
static void progress_end(const struct reader *r, uint64_t size)
{
    const struct progress *p = r->progress;
    if (p != NULL && p->fn != NULL)
        p->fn(p->done_before + size, p->total, p->rows_before + r->rows, p->user);
}

/* Reads the candidate file with workers: the header here, then the rest as parallel_go
 * says; from a chunk that could not be merged, in order. *used false: the header is not on
 * the fast path, and nothing was read (the caller reads the file in order). */
enum fg_status fg_ingest_parallel_run(struct ingest *in, int fd, uint64_t size, EVP_MD_CTX *sha,
                                      char *buf, bool *used)
{
    struct reader *r = &in->candidate;
    uint64_t first = 0;
    enum fg_status status = fg_ingest_fast_header(r, fd, buf, in->tuning.block_bytes, used, &first);
    if (status != FG_OK || !*used)
        return status;
    struct parallel par;
    memset(&par, 0, sizeof par);
    par.in = in;
    par.fd = fd;
    status = parallel_go(&par, first, size, sha, buf);
    in->chunked = status == FG_OK && !par.stopped;
    if (status == FG_OK && par.stopped) {
        struct source src = {.fd = fd, .offset = par.resume_at, .end = UINT64_MAX};
        status = fg_ingest_stream(r, &src, false, buf, in->tuning.block_bytes, true, true);
    }
    if (status == FG_OK)
        progress_end(r, size);
    ring_free(&par);
    return status;
}

/* The incumbent buffers: room for the incumbent rows of a candidate buffer's rows at twice
 * the files' ratio of sizes (at least a candidate buffer; at most 16 of them, and all
 * n_ring of them at most ZIP_RING_MAX bytes, unless one candidate buffer is more). */
#define ZIP_RING_MAX ((size_t)48 << 20)

static size_t zip_cap(size_t cap, size_t n_ring, uint64_t candidate_size, uint64_t incumbent_size)
{
    double want = candidate_size == 0
                      ? (double)cap
                      : 2.0 * (double)cap * ((double)incumbent_size / (double)candidate_size);
    double most = 16.0 * (double)cap;
    if (most > (double)(ZIP_RING_MAX / n_ring))
        most = (double)(ZIP_RING_MAX / n_ring);
    return want > most ? (size_t)most : want < (double)cap ? cap : (size_t)want;
}

/* Moves *first past the blank bytes ('\r', '\n') that follow the header, counting its
 * lines: a header ended by "\r\n" leaves a '\n' there, which the chunked join would count
 * as a row in one file and not in the other (ended by "\n"). The fast path skips the same
 * bytes the same way. */
static void past_blank(struct reader *r, int fd, uint64_t size, uint64_t *first)
{
    char peek[64];
    for (bool eof = false; !eof && *first < size;) {
        struct source src = {.fd = fd, .offset = *first, .end = size};
        ssize_t got = fg_ingest_source_read(&src, peek, sizeof peek, &eof);
        if (got <= 0)
            return; /* the reader meets it again */
        for (ssize_t i = 0; i < got; i++, (*first)++) {
            if (peek[i] != '\r' && peek[i] != '\n')
                return;
            r->lines.line += peek[i] == '\n';
        }
    }
}

/* Both files read once, side by side, by workers (see struct zip). false in *whole: the
 * chunked join was given up (nothing to report: the caller reads both files again). */
static enum fg_status zip_run(struct ingest *in, int fd, uint64_t size, int ifd, uint64_t isize,
                              EVP_MD_CTX *sha, EVP_MD_CTX *isha, char *buf, bool *whole)
{
    struct reader *r = &in->candidate, *inc = &in->incumbent;
    uint64_t first = 0;
    struct zip zip = {.fd = ifd, .size = isize, .sha = isha, .lex = true, .shortlex = true};
    bool used = false;
    *whole = false;
    inc->lines.line = 1;
    inc->size = isize;
    enum fg_status status =
        fg_ingest_fast_header(inc, ifd, buf, in->tuning.block_bytes, &used, &zip.first);
    if (status != FG_OK || !used)
        return status;
    status = fg_ingest_fast_header(r, fd, buf, in->tuning.block_bytes, &used, &first);
    if (status != FG_OK || !used)
        return status;
    past_blank(inc, ifd, isize, &zip.first);
    past_blank(r, fd, size, &first);
    struct parallel par;
    memset(&par, 0, sizeof par);
    par.in = in;
    par.fd = fd;
    par.zip = &zip;
    size_t cap = in->tuning.chunk_bytes > in->tuning.block_bytes ? (size_t)in->tuning.chunk_bytes
                                                                 : in->tuning.block_bytes;
    zip.cap = zip_cap(cap, 2 * (size_t)worker_count(&in->tuning) + 1, size, isize);
    zip.count = newline_counter();
    status = parallel_go(&par, first, size, sha, buf);
    *whole = status == FG_OK && !par.stopped && par.merged == par.published;
    in->chunked = *whole;
    if (*whole)
        progress_end(r, size);
    ring_free(&par);
    free(zip.last);
    return status;
}

bool fg_ingest_splittable(const struct ingest *in, const struct stat *st)
{
    return settled(st, in->tuning.settle_seconds) &&
           (uint64_t)st->st_size >= in->tuning.parallel_min && worker_count(&in->tuning) > 1;
}

enum fg_status fg_ingest_zip_read(struct ingest *in, int fd, const struct stat *st, EVP_MD_CTX *sha,
                                  char *buf, bool *whole)
{
    struct reader *inc = &in->incumbent;
    struct fg_instream *stream = NULL;
    struct stat ist;
    EVP_MD_CTX *isha = EVP_MD_CTX_new();
    enum fg_status status = FG_OK;
    *whole = false;
    if (isha == NULL || EVP_DigestInit_ex(isha, EVP_sha256(), NULL) != 1 ||
        fg_instream_open(inc->given, NULL, &stream, inc->err) != FG_OK ||
        !fg_instream_plain_file(stream, &ist) || !settled(&ist, in->tuning.settle_seconds))
        goto done; /* read side by side in order instead */
    status = zip_run(in, fd, (uint64_t)st->st_size, fg_instream_fd(stream), (uint64_t)ist.st_size,
                     sha, isha, buf, whole);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (status == FG_OK && *whole &&
        (EVP_DigestFinal_ex(isha, digest, &digest_len) != 1 || digest_len != 32))
        status = fg_ingest_fail(inc, FG_ERR_IO, 0, "SHA-256 failed");
    if (status == FG_OK && *whole) {
        fg_digest_hex(digest, inc->sha256);
        status = fg_ingest_unchanged(&in->candidate, fd, st);
    }
    if (status == FG_OK && *whole)
        status = fg_ingest_unchanged(inc, fg_instream_fd(stream), &ist);
done:
    fg_instream_close(stream);
    EVP_MD_CTX_free(isha);
    return status;
}
