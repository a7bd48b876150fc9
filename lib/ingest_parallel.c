/*
 * ingest_parallel.c - the candidate file of a one-file run, read by workers (pthreads).
 *
 * The header is read here (lib/ingest.c decodes it), then the rest is cut into byte ranges
 * ("chunks") that start on a '\n'; each worker takes chunks in turn and decodes each into
 * its own cell table with a copy of the run and of the candidate reader, while this thread
 * hashes the whole file in order. The tables are then merged in file order. A chunk the
 * fast path gives up on (a quote, a long field), or that disagrees with the run so far (a
 * binary column's other value, a table limit), is not merged: from its start the file is
 * read on in order, so every row is judged as the serial reader would judge it.
 *
 * Invariants: only a settled regular file is split (fg_ingest_splittable), and lib/ingest.c
 * refuses the result if the file changed meanwhile; workers and the hash stop at the size
 * seen at the start. Ownership: struct parallel owns the chunks and their tables until they
 * are merged; a worker owns its reader's buffers and its row cache.
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

#define MAX_CHUNKS ((uint64_t)1 << 16) /* chunks of one file; past it, chunks grow */

/* The binary columns of a run whose "other" value is state carried from row to row. */
#define N_BINARY 3

static struct binary_column *binary_of(struct ingest *in, size_t i)
{
    return i == 0 ? &in->label : i == 1 ? &in->candidate_model.binary : &in->incumbent_model.binary;
}

/* What a worker found in one byte range of the candidate file, read on its own: a cell
 * table, the rows, and the first "other" value of each binary column (lines counted from 1
 * at the range's start). bad: it met an error or gave up; the range is read again. */
struct chunk {
    uint64_t start, end; /* each on a record boundary: the file's end, or just past a '\n' */
    bool bad;
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
    int fd;
    struct chunk *chunks;
    size_t n_chunks;
    atomic_size_t next;      /* the next chunk to hand out */
    atomic_size_t first_bad; /* the lowest bad chunk, or n_chunks */
    atomic_uint_fast64_t bytes_done, rows_done;
    pthread_mutex_t lock;
    pthread_cond_t finished;
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

static void mark_bad(struct parallel *par, size_t k)
{
    par->chunks[k].bad = true;
    size_t seen = atomic_load(&par->first_bad);
    while (k < seen && !atomic_compare_exchange_weak(&par->first_bad, &seen, k))
        ;
}

/* Reads chunk k with a copy of the run whose state starts empty: its own reader (the
 * header's columns shared), cell table and binary columns. */
static void chunk_read(struct parallel *par, size_t k, struct reader *r, char *buf)
{
    struct ingest *in = par->in;
    struct chunk *c = &par->chunks[k];
    struct ingest local = *in;
    struct fg_error err;
    local.counts = NULL;
    for (size_t i = 0; i < N_BINARY; i++) {
        struct binary_column *b = binary_of(&local, i);
        b->other = NULL;
        b->other_len = 0;
        b->other_line = 0;
    }
    r->err = &err;
    r->user = &local;
    r->rows = r->rows_dropped = 0;
    r->lines.line = 1;
    r->status = FG_OK;
    r->bailed = false;
    struct source src = {.fd = par->fd, .offset = c->start, .end = c->end};
    bool ok = fg_counts_new(in->policy->data.n_protected, fg_counts_has_incumbent(in->counts),
                            &local.counts, &err) == FG_OK &&
              (!(in->keep_scores[0] || in->keep_scores[1]) ||
               fg_counts_keep_scores(local.counts, in->keep_scores[0], in->keep_scores[1], &err) ==
                   FG_OK) &&
              (r->cache == NULL || (fg_ingest_cache_reset(r->cache, local.counts), true)) &&
              fg_ingest_stream(r, &src, false, buf, in->tuning.block_bytes, true, false) == FG_OK &&
              !r->bailed;
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
        mark_bad(par, k);
    }
    atomic_fetch_add(&par->bytes_done, src.offset - c->start);
    atomic_fetch_add(&par->rows_done, r->rows);
}

static void *worker_main(void *arg)
{
    struct parallel *par = arg;
    struct ingest *in = par->in;
    struct reader r = in->candidate; /* the header's names and columns, borrowed */
    for (size_t s = 0; s < r.n_slots; s++) {
        r.slots[s].value = NULL;
        r.slots[s].len = r.slots[s].cap = 0;
    }
    r.progress = NULL;
    r.spans = malloc(r.spans_cap * sizeof *r.spans);
    bool cached = in->candidate.cache != NULL;
    r.cache = cached ? fg_ingest_cache_new(NULL, in->policy->data.n_protected) : NULL;
    char *buf = malloc(in->tuning.block_bytes);
    for (;;) {
        size_t k = atomic_fetch_add(&par->next, 1);
        if (k >= par->n_chunks)
            break;
        if (buf == NULL || r.spans == NULL || (cached && r.cache == NULL) ||
            k > atomic_load(&par->first_bad))
            mark_bad(par, k); /* read again by the caller, or after an earlier bad chunk */
        else
            chunk_read(par, k, &r, buf);
    }
    free(buf);
    free(r.spans);
    fg_ingest_cache_free(r.cache);
    for (size_t s = 0; s < r.n_slots; s++)
        free(r.slots[s].value);
    pthread_mutex_lock(&par->lock);
    par->running--;
    pthread_cond_signal(&par->finished);
    pthread_mutex_unlock(&par->lock);
    return NULL;
}

/* The offset just past the first '\n' at or after from - 1 (a record boundary in a
 * quote-free file), or size. */
static enum fg_status find_boundary(struct reader *r, int fd, uint64_t from, uint64_t size,
                                    char *buf, size_t cap, uint64_t *out)
{
    struct source src = {.fd = fd, .offset = from - 1, .end = size};
    for (;;) {
        uint64_t at = src.offset;
        bool eof = false;
        ssize_t got = fg_ingest_source_read(&src, buf, cap, &eof);
        if (got < 0)
            return fg_ingest_fail(r, FG_ERR_IO, 0, "read error: %s", strerror(errno));
        const char *newline = memchr(buf, '\n', (size_t)got);
        if (newline != NULL) {
            *out = at + (uint64_t)(newline - buf) + 1;
            return FG_OK;
        }
        if (eof || got == 0) {
            *out = size;
            return FG_OK;
        }
    }
}

/* Whether chunk c can be added to the run as it stands: it must agree with the binary
 * columns' other values so far and keep the table within its limits. Otherwise the file is
 * read on from c's start, one record after another, and meets the error where it is. */
static bool chunk_mergeable(struct ingest *in, const struct chunk *c)
{
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

/* Adds the chunks to the run in file order, up to the first that cannot be (bad or not
 * mergeable): from there the file is read on in order, from that chunk's start. */
static enum fg_status chunks_merge(struct parallel *par, char *buf)
{
    struct ingest *in = par->in;
    struct reader *r = &in->candidate;
    enum fg_status status;
    for (size_t k = 0; k < par->n_chunks; k++) {
        struct chunk *c = &par->chunks[k];
        if (c->bad || !chunk_mergeable(in, c)) {
            struct source src = {.fd = par->fd, .offset = c->start, .end = UINT64_MAX};
            return fg_ingest_stream(r, &src, false, buf, in->tuning.block_bytes, true, true);
        }
        if ((status = fg_counts_merge(in->counts, c->counts, r->err)) != FG_OK)
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
        chunk_clear(c);
    }
    return FG_OK;
}

/* Whether the file was last changed (ctime) over `seconds` ago (default 2). The parallel path reads
 * the bytes it judges and the bytes it hashes apart, and trusts an unchanged ctime to mean
 * they are the same; a write during the run moves ctime to a time after the run began,
 * which differs from a ctime this old even on a file system with coarse timestamps. A file
 * changed just now is read in order, hashed in the same read. */
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

/* Cuts the data rows, bytes [first, size), into chunks of about tuning.chunk_bytes (at most
 * MAX_CHUNKS), each starting on a record boundary. Out of memory leaves par->chunks NULL; a
 * failed boundary search returns its status with the chunks allocated. */
static enum fg_status chunks_plan(struct parallel *par, uint64_t first, uint64_t size, char *buf,
                                  size_t cap)
{
    struct reader *r = &par->in->candidate;
    enum fg_status status = FG_OK;
    uint64_t chunk = par->in->tuning.chunk_bytes ? par->in->tuning.chunk_bytes : 1;
    if (size > first && (size - first) / chunk >= MAX_CHUNKS)
        chunk = (size - first) / MAX_CHUNKS + 1;
    par->n_chunks = (size_t)((size - first + chunk - 1) / chunk);
    if (par->n_chunks == 0)
        par->n_chunks = 1;
    par->chunks = calloc(par->n_chunks, sizeof *par->chunks);
    if (par->chunks == NULL)
        return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
    par->chunks[0].start = first;
    for (size_t k = 1; k < par->n_chunks && status == FG_OK; k++) {
        /* a boundary already past this chunk's nominal start is its boundary too */
        uint64_t at = first + k * chunk;
        if (par->chunks[k - 1].start >= at)
            par->chunks[k].start = par->chunks[k - 1].start;
        else
            status = find_boundary(r, par->fd, at, size, buf, cap, &par->chunks[k].start);
        par->chunks[k - 1].end = par->chunks[k].start;
    }
    /* Workers and the hash both stop at the size seen at the start, so the digest covers
     * exactly the bytes judged even if the file grows meanwhile. */
    par->chunks[par->n_chunks - 1].end = size;
    return status;
}

/* Starts up to `wanted` workers, no more than there are chunks; *started: how many did.
 * False when the lock or the condition could not be made (then none started). */
static bool workers_start(struct parallel *par, unsigned wanted, pthread_t *threads,
                          unsigned *started)
{
    if (pthread_mutex_init(&par->lock, NULL) != 0)
        return false;
    if (pthread_cond_init(&par->finished, NULL) != 0) {
        pthread_mutex_destroy(&par->lock);
        return false;
    }
    pthread_mutex_lock(&par->lock);
    for (; *started < wanted && *started < par->n_chunks; (*started)++) {
        par->running++;
        if (pthread_create(&threads[*started], NULL, worker_main, par) != 0) {
            par->running--;
            break;
        }
    }
    pthread_mutex_unlock(&par->lock);
    return true;
}

/* Tells the progress callback, if any, what the workers have done so far. */
static void workers_progress(const struct progress *p, struct parallel *par)
{
    if (p != NULL && p->fn != NULL)
        p->fn(p->done_before + atomic_load(&par->bytes_done), p->total,
              p->rows_before + atomic_load(&par->rows_done), p->user);
}

/* Hashes bytes [0, size) of the file in order on this thread while the workers run;
 * *hashed_to: the offset reached. */
static enum fg_status hash_file(struct parallel *par, uint64_t size, EVP_MD_CTX *sha, char *buf,
                                uint64_t *hashed_to)
{
    struct reader *r = &par->in->candidate;
    size_t cap = par->in->tuning.block_bytes;
    struct source all = {.fd = par->fd, .offset = 0, .end = size};
    enum fg_status hashed = FG_OK;
    for (bool eof = false; !eof && hashed == FG_OK;) {
        ssize_t got = fg_ingest_source_read(&all, buf, cap, &eof);
        if (got < 0)
            hashed = fg_ingest_fail(r, FG_ERR_IO, 0, "read error: %s", strerror(errno));
        else if (got > 0 && EVP_DigestUpdate(sha, buf, (size_t)got) != 1)
            hashed = fg_ingest_fail(r, FG_ERR_IO, 0, "SHA-256 failed");
        workers_progress(r->progress, par);
    }
    *hashed_to = all.offset;
    return hashed;
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
        pthread_cond_timedwait(&par->finished, &par->lock, &until);
        workers_progress(p, par);
    }
    pthread_mutex_unlock(&par->lock);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    pthread_cond_destroy(&par->finished);
    pthread_mutex_destroy(&par->lock);
}

/* Reads the candidate file with workers: the header here, then byte ranges of the rest in
 * parallel, each into its own table, while this thread hashes the whole file in order; then
 * the tables are merged in file order. *used false: the header is not on the fast path, and
 * nothing was read (the caller reads the file in order). */
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
    status = chunks_plan(&par, first, size, buf, in->tuning.block_bytes);
    if (par.chunks == NULL)
        return status;
    atomic_init(&par.next, 0);
    atomic_init(&par.first_bad, par.n_chunks);
    atomic_init(&par.bytes_done, first);
    atomic_init(&par.rows_done, 0);
    pthread_t threads[FG_INGEST_MAX_WORKERS];
    unsigned started = 0;
    bool sync =
        status == FG_OK && workers_start(&par, worker_count(&in->tuning), threads, &started);
    /* This thread hashes every byte in order meanwhile (no thread started: the chunks are
     * all bad, and read in order below). */
    uint64_t hashed_to = 0;
    enum fg_status hashed = hash_file(&par, size, sha, buf, &hashed_to);
    if (sync)
        workers_wait(&par, threads, started);
    if (status == FG_OK)
        status = hashed;
    if (status == FG_OK) {
        if (started == 0)
            for (size_t k = 0; k < par.n_chunks; k++)
                par.chunks[k].bad = true;
        status = chunks_merge(&par, buf);
        const struct progress *p = r->progress;
        if (status == FG_OK && p != NULL && p->fn != NULL)
            p->fn(p->done_before + hashed_to, p->total, p->rows_before + r->rows, p->user);
    }
    for (size_t k = 0; k < par.n_chunks; k++)
        chunk_clear(&par.chunks[k]);
    free(par.chunks);
    return status;
}

bool fg_ingest_splittable(const struct ingest *in, const struct stat *st)
{
    return settled(st, in->tuning.settle_seconds) &&
           (uint64_t)st->st_size >= in->tuning.parallel_min && worker_count(&in->tuning) > 1;
}
