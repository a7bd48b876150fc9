/*
 * ingest_parallel.c - the candidate file of a one-file run, read by workers (pthreads).
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
 * at the size seen at the start. Memory is constant: n_ring buffers of `cap` bytes and as
 * many chunk slots. Ownership: struct parallel owns the ring and the chunks' tables until
 * they are merged; a worker owns its reader's buffers and its row cache. Everything in
 * struct parallel but the atomics is read and written under its lock.
 */
#define _POSIX_C_SOURCE 200809L

#include "ingest.h"
#include "counts.h"
#include "fairgate.h"
#include "policy.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    struct {
        char *value;
        size_t len;
        unsigned long line;
    } seen[N_BINARY];
};

struct parallel {
    struct ingest *in;
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

static void chunk_clear(struct chunk *c)
{
    fg_counts_free(c->counts);
    c->counts = NULL;
    for (size_t i = 0; i < N_BINARY; i++) {
        free(c->seen[i].value);
        c->seen[i].value = NULL;
    }
}

/* Reads chunk c with a copy of the run whose state starts empty: its own reader (the
 * header's columns shared), cell table and binary columns. */
static void chunk_read(struct parallel *par, struct chunk *c, struct reader *r)
{
    const struct ingest *in = &par->base;
    struct ingest local = *in;
    struct fg_error err;
    r->err = &err;
    r->user = &local;
    r->rows = r->rows_dropped = 0;
    r->lines.line = 1;
    r->status = FG_OK;
    r->bailed = false;
    bool ok = fg_counts_new(in->policy->data.n_protected, par->has_incumbent, &local.counts,
                            &err) == FG_OK &&
              (!(in->keep_scores[0] || in->keep_scores[1]) ||
               fg_counts_keep_scores(local.counts, in->keep_scores[0], in->keep_scores[1], &err) ==
                   FG_OK) &&
              (r->cache == NULL || (fg_ingest_cache_reset(r->cache, local.counts), true)) &&
              fg_ingest_records(r, c->bytes, c->len) == FG_OK && !r->bailed;
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
static bool chunk_mergeable(struct ingest *in, const struct chunk *c)
{
    if (c->bad)
        return false;
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

/* Adds chunk c to the run (it is mergeable). */
static enum fg_status chunk_merge(struct ingest *in, struct chunk *c)
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
        if (!chunk_mergeable(par->in, c)) {
            par->stopped = true;
            par->resume_at = c->start;
        } else if ((par->status = chunk_merge(par->in, c)) != FG_OK) {
            par->stopped = true;
        } else {
            par->merged++;
        }
        chunk_clear(c);
    }
}

/* A reader of chunks: a copy of the candidate reader (the header's names and columns
 * borrowed) with buffers and a row cache of its own. */
struct worker {
    struct reader r;
    bool ready;
};

static void worker_init(struct parallel *par, struct worker *w)
{
    const struct ingest *in = &par->base;
    w->r = in->candidate;
    for (size_t s = 0; s < w->r.n_slots; s++) {
        w->r.slots[s].value = NULL;
        w->r.slots[s].len = w->r.slots[s].cap = 0;
    }
    w->r.progress = NULL;
    w->r.spans = malloc(w->r.spans_cap * sizeof *w->r.spans);
    bool cached = in->candidate.cache != NULL;
    w->r.cache = cached ? fg_ingest_cache_new(NULL, in->policy->data.n_protected) : NULL;
    w->ready = w->r.spans != NULL && (!cached || w->r.cache != NULL);
}

static void worker_free(struct worker *w)
{
    free(w->r.spans);
    fg_ingest_cache_free(w->r.cache);
    for (size_t s = 0; s < w->r.n_slots; s++)
        free(w->r.slots[s].value);
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
        chunk_read(par, c, &w->r);
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
    worker_free(&w);
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

/* Under the lock: hands chunk k out. */
static void publish(struct parallel *par, size_t k, uint64_t start, const char *bytes, size_t len,
                    bool bad)
{
    struct chunk *c = &par->chunks[k % par->n_ring];
    memset(c, 0, sizeof *c);
    c->start = start;
    c->bytes = bytes;
    c->len = len;
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

/* Reads bytes [0, size) of the file in order into the ring, hashing them, and hands each
 * buffer's whole records from `first` on to the workers; once merging stopped (or a record
 * does not fit half a buffer) it only hashes, into spare. While the ring is full it reads
 * chunks too, as helper (a worker like the others). sync: the lock exists. */
static enum fg_status read_ring(struct parallel *par, struct worker *helper, bool sync,
                                uint64_t first, uint64_t size, EVP_MD_CTX *sha, char *spare,
                                size_t spare_cap)
{
    struct reader *r = &par->in->candidate;
    struct source all = {.fd = par->fd, .offset = 0, .end = size};
    enum fg_status status = FG_OK;
    const char *carry_from = NULL;
    size_t carry = 0, skip = (size_t)first; /* the header, at the head of the first buffer */
    uint64_t start = first;
    bool handing = !par->stopped, eof = false;
    for (size_t k = 0; !eof && status == FG_OK; k++) {
        char *b = spare;
        size_t cap = spare_cap;
        if (handing) {
            pthread_mutex_lock(&par->lock);
            handing = slot_wait(par, helper, k);
            pthread_mutex_unlock(&par->lock);
        }
        if (handing) {
            b = par->ring[k % par->n_ring];
            cap = par->cap;
            memmove(b, carry_from, carry);
        } else {
            carry = skip = 0;
        }
        ssize_t got = fg_ingest_source_read(&all, b + carry, cap - carry, &eof);
        if (got < 0)
            status = fg_ingest_fail(r, FG_ERR_IO, 0, "read error: %s", strerror(errno));
        else if (got > 0 && EVP_DigestUpdate(sha, b + carry, (size_t)got) != 1)
            status = fg_ingest_fail(r, FG_ERR_IO, 0, "SHA-256 failed");
        workers_progress(r->progress, par);
        if (status != FG_OK || !handing)
            continue;
        size_t len = carry + (size_t)got;
        size_t cut = eof ? len : last_newline(b, skip, len) + 1;
        bool fits = skip <= len && cut <= len && (eof || len - cut <= par->cap / 2);
        pthread_mutex_lock(&par->lock);
        publish(par, k, start, b + skip, fits ? cut - skip : 0, !fits);
        pthread_mutex_unlock(&par->lock);
        handing = fits;
        start += fits ? cut - skip : 0;
        carry_from = b + cut;
        carry = fits ? len - cut : 0;
        skip = 0;
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
    return true;
}

/* Reads the candidate file with workers: the header here, then the rest once, in order,
 * hashed here and decoded by the workers, chunk by chunk, each into its own table, merged in
 * file order. *used false: the header is not on the fast path, and nothing was read (the
 * caller reads the file in order). */
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
    par.base = *in;
    par.base.counts = NULL;
    for (size_t i = 0; i < N_BINARY; i++) {
        struct binary_column *b = binary_of(&par.base, i);
        b->other = NULL;
        b->other_len = 0;
        b->other_line = 0;
    }
    par.has_incumbent = fg_counts_has_incumbent(in->counts);
    atomic_init(&par.bytes_done, first);
    atomic_init(&par.rows_done, 0);
    /* this thread reads and hashes, and reads chunks too while the ring is full: one
     * thread fewer than there are workers */
    unsigned wanted = worker_count(&in->tuning);
    pthread_t threads[FG_INGEST_MAX_WORKERS];
    unsigned started = 0;
    if (!ring_new(&par, wanted)) {
        ring_free(&par);
        return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
    }
    struct worker helper;
    worker_init(&par, &helper);
    bool sync = workers_start(&par, wanted - 1, threads, &started);
    if (!sync || first > par.cap) {
        par.stopped = true; /* the reader only hashes; the rows are read in order below */
        par.resume_at = first;
    }
    status = read_ring(&par, &helper, sync, first, size, sha, buf, in->tuning.block_bytes);
    if (sync) {
        pthread_mutex_lock(&par.lock); /* what no worker took yet */
        while (par.next < par.published)
            take_chunk(&par, &helper);
        pthread_mutex_unlock(&par.lock);
        workers_wait(&par, threads, started);
    }
    worker_free(&helper);
    if (status == FG_OK)
        status = par.status;
    if (status == FG_OK && par.stopped && par.status == FG_OK) {
        struct source src = {.fd = fd, .offset = par.resume_at, .end = UINT64_MAX};
        status = fg_ingest_stream(r, &src, false, buf, in->tuning.block_bytes, true, true);
    }
    const struct progress *p = r->progress;
    if (status == FG_OK && p != NULL && p->fn != NULL)
        p->fn(p->done_before + size, p->total, p->rows_before + r->rows, p->user);
    ring_free(&par);
    return status;
}

bool fg_ingest_splittable(const struct ingest *in, const struct stat *st)
{
    return settled(st, in->tuning.settle_seconds) &&
           (uint64_t)st->st_size >= in->tuning.parallel_min && worker_count(&in->tuning) > 1;
}
