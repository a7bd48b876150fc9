/*
 * ingest_aligned.c - two files joined by id, read side by side (the aligned join).
 *
 * Teams often score the candidate and the incumbent in separate jobs over the same table,
 * so both files list the same ids in the same order. Then no table of ids is needed: the
 * incumbent file is read on a thread of its own (lib/ingest.c's reader, hashing in the
 * same read), each row queued with its id, decision and shared columns in fixed batches,
 * while this thread reads the candidate file and pairs each of its rows with the next
 * queued row. A plain settled candidate file is hashed by a third thread meanwhile (as
 * lib/ingest_parallel.c does), so the work spreads over two cores.
 *
 * Invariants:
 * - Every id is checked: a candidate row pairs only with an incumbent row of the same id.
 * - No id may appear twice, and a pass in constant memory cannot remember every id: the
 *   ids must also rise strictly, as text or by length then text (numbers: 1, 2, ..., 10),
 *   which rules out a repeat. Files exported in key order do.
 * - Anything else (an id that differs, ids out of order, one file longer) gives up: the
 *   reason goes into in->diverged and lib/ingest.c reads both files again with the hash
 *   join, which judges them as it always has (same errors, same messages). Errors met
 *   before (a third value, a shared column that differs) are reported as the hash join
 *   would report them.
 * - Memory is constant: PAIR_BATCHES batches of PAIR_BATCH_ROWS rows, each batch's bytes
 *   growing only with the longest values.
 *
 * - Lockstep (a worker of the chunked join, lib/ingest_parallel.c): no thread and one
 *   batch of one row; each candidate row pairs with the next record of the chunk's
 *   incumbent part, read there and then (lean_take: from its fields alone when it is
 *   plain), ids compared in place in the chunks' buffers. Anything else fails the chunk,
 *   and the caller reads both files again side by side in order.
 *
 * Ownership: struct pairing (in->pairing while the files are read) owns the batches; the
 * incumbent thread owns the batch it fills, the candidate side the one it reads.
 */
#define _POSIX_C_SOURCE 200809L

#include "ingest.h"
#include "fairgate.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

#define PAIR_BATCH_ROWS 4096
#define PAIR_BATCHES    4
#define PAIR_ARENA_MIN  ((size_t)64 << 10)
#define PAIR_PREDICTION 1u
#define PAIR_MISSING    2u
#define ID_SHOWN        64 /* bytes of an id quoted in a note */

/* One incumbent row: its id at the batch's arena + offset, then each shared column the
 * incumbent file has, as a 4-byte length and the bytes. */
struct pair_row {
    uint64_t line;
    double score;
    uint32_t offset, id_len;
    unsigned char bits; /* PAIR_PREDICTION, PAIR_MISSING */
};

struct pair_batch {
    struct pair_row *rows;
    size_t n;
    char *arena;
    size_t len, cap;
};

struct pairing {
    struct ingest *in;
    struct pair_batch batches[PAIR_BATCHES];
    /* batches published by the incumbent side and taken by the candidate side, counted
     * from the start: batches[tail % PAIR_BATCHES] is the one being filled */
    size_t head, tail;
    bool filling;
    bool stop, done;
    enum fg_status status; /* the incumbent side's, once done */
    struct fg_error err;   /* where the incumbent reader's errors go */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    /* the candidate side */
    struct pair_batch *current;
    size_t next_row;
    bool holding;
    const struct pair_row *pending; /* paired by the hook, for candidate_row */
    uint64_t pending_row;           /* the candidate's row count it was paired at */
    char *last;                     /* the previous id */
    size_t last_len, last_cap;
    bool any, lex, shortlex; /* ids so far rise strictly as text / by length then text */
    /* lockstep (a worker of the chunked join, lib/ingest_parallel.c): no thread; the
     * incumbent rows come one at a time from `inc` reading the chunk's incumbent part
     * inc_bytes[inc_pos, inc_len) into batches[0]; the chunk's first id is kept */
    struct reader *inc;
    struct ingest *local; /* the worker's run for this chunk */
    const char *inc_bytes;
    size_t inc_len, inc_pos;
    /* lockstep: the chunk's first and previous ids, in the candidate chunk's buffer (which
     * outlives the chunk's reading) */
    const char *first_at, *last_at;
    size_t first_at_len, last_at_len;
    /* lean (a prediction, no score kept, no shared column in the incumbent file): a row is
     * decoded from its fields here, without its reader's row handler, when its id is not
     * empty and its decision is the favourable or the known other value */
    bool lean;
    size_t lean_id, lean_decision; /* their fields */
};

/* ---- the incumbent side ---- */

/* Waits for a free batch to fill; false: the candidate side stopped. */
static bool batch_acquire(struct pairing *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->tail - p->head >= PAIR_BATCHES && !p->stop)
        pthread_cond_wait(&p->changed, &p->lock);
    bool go = !p->stop;
    if (go) {
        struct pair_batch *b = &p->batches[p->tail % PAIR_BATCHES];
        b->n = 0;
        b->len = 0;
        p->filling = true;
    }
    pthread_mutex_unlock(&p->lock);
    return go;
}

static void batch_publish(struct pairing *p)
{
    pthread_mutex_lock(&p->lock);
    p->tail++;
    p->filling = false;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static bool arena_reserve(struct pair_batch *b, size_t need)
{
    if (b->len + need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : PAIR_ARENA_MIN;
    while (cap < b->len + need)
        cap *= 2;
    char *arena = realloc(b->arena, cap);
    if (arena == NULL)
        return false;
    b->arena = arena;
    b->cap = cap;
    return true;
}

enum fg_status fg_ingest_pair_push(struct ingest *in, struct reader *r, int prediction,
                                   bool missing, double score)
{
    struct pairing *p = in->pairing;
    if (!p->filling && !batch_acquire(p))
        return FG_ERR_INPUT; /* stopped: nobody reads this status */
    struct pair_batch *b = &p->batches[p->tail % PAIR_BATCHES];
    const struct slot *id = &r->slots[in->incumbent_id_slot];
    size_t need = id->len;
    for (size_t k = 0; k < in->n_shared; k++) {
        const struct slot *s = &r->slots[in->shared_incumbent[k]];
        need += s->absent ? 0 : sizeof(uint32_t) + s->len;
    }
    if (b->len + need > UINT32_MAX || !arena_reserve(b, need))
        return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
    struct pair_row *row = &b->rows[b->n];
    row->line = r->lines.record_line;
    row->score = score;
    row->offset = (uint32_t)b->len;
    row->id_len = (uint32_t)id->len;
    row->bits =
        (unsigned char)((prediction ? PAIR_PREDICTION : 0u) | (missing ? PAIR_MISSING : 0u));
    memcpy(b->arena + b->len, id->value, id->len);
    b->len += id->len;
    for (size_t k = 0; k < in->n_shared; k++) {
        const struct slot *s = &r->slots[in->shared_incumbent[k]];
        if (s->absent)
            continue;
        uint32_t len = (uint32_t)s->len;
        memcpy(b->arena + b->len, &len, sizeof len);
        memcpy(b->arena + b->len + sizeof len, s->value, s->len);
        b->len += sizeof len + s->len;
    }
    if (++b->n == PAIR_BATCH_ROWS)
        batch_publish(p);
    return FG_OK;
}

static void *incumbent_main(void *arg)
{
    struct pairing *p = arg;
    enum fg_status status = fg_ingest_read_file(p->in, &p->in->incumbent, false);
    pthread_mutex_lock(&p->lock);
    if (p->filling && p->batches[p->tail % PAIR_BATCHES].n > 0)
        p->tail++;
    p->filling = false;
    p->status = status;
    p->done = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- the candidate side ---- */

/* Lean: the decision bits of an incumbent record whose fields are in p->inc->spans, when
 * it is plain (every field, an id, the favourable or the known other value); false: its
 * reader must decode it. */
static inline bool lean_bits(const struct pairing *p, size_t n_fields, unsigned char *bits)
{
    const struct reader *inc = p->inc;
    const struct binary_column *b = &p->local->incumbent_model.binary;
    const struct fg_csv_span *id = &inc->spans[p->lean_id], *d = &inc->spans[p->lean_decision];
    if (n_fields != inc->n_names || id->len == 0)
        return false;
    if (d->len == b->positive_len && fg_short_cmp(d->bytes, b->positive, d->len) == 0)
        *bits = PAIR_PREDICTION;
    else if (b->other != NULL && d->len == b->other_len &&
             fg_short_cmp(d->bytes, b->other, d->len) == 0)
        *bits = 0;
    else
        return false;
    return true;
}

/* Lockstep: the next incumbent row of the chunk, read now; NULL at the chunk's end (*status
 * FG_OK) or on its error (*status, in p->err). */
static const struct pair_row *lockstep_next(struct pairing *p, enum fg_status *status)
{
    struct pair_batch *b = &p->batches[0];
    struct reader *inc = p->inc;
    b->n = 0;
    b->len = 0;
    p->current = b;
    *status = FG_OK;
    while (b->n == 0) {
        struct fg_fastcsv_record rec;
        bool end = false;
        *status = fg_ingest_record_read(inc, p->inc_bytes, p->inc_len, p->inc_pos, &rec, &end);
        if (*status != FG_OK || end)
            return NULL;
        if ((*status = fg_ingest_record_decode(inc, &rec)) != FG_OK)
            return NULL;
        if (rec.newline_ended)
            inc->lines.line++;
        p->inc_pos = rec.next;
    }
    return &b->rows[0];
}

/* The next incumbent row; NULL at its end (*status FG_OK) or on its error (*status). */
static const struct pair_row *pair_next(struct pairing *p, enum fg_status *status)
{
    *status = FG_OK;
    if (p->inc != NULL)
        return lockstep_next(p, status);
    for (;;) {
        if (p->holding && p->next_row < p->current->n)
            return &p->current->rows[p->next_row++];
        pthread_mutex_lock(&p->lock);
        if (p->holding) {
            p->head++;
            p->holding = false;
            pthread_cond_broadcast(&p->changed);
        }
        while (p->head == p->tail && !p->done)
            pthread_cond_wait(&p->changed, &p->lock);
        bool more = p->head < p->tail;
        if (more) {
            p->current = &p->batches[p->head % PAIR_BATCHES];
            p->next_row = 0;
            p->holding = true;
        } else {
            *status = p->status;
        }
        pthread_mutex_unlock(&p->lock);
        if (!more)
            return NULL;
    }
}

/* An id for a note: printable bytes, at most ID_SHOWN of them. */
static const char *id_text(char *buf, size_t size, const char *id, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && i < ID_SHOWN && n + 4 < size; i++)
        buf[n++] = (id[i] >= 0x20 && id[i] < 0x7f) ? id[i] : '?';
    if (len > ID_SHOWN && n + 4 < size) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* Gives the aligned join up: why, in in->diverged; a status that stops the reader. */
FG_PRINTF(2, 3)
static enum fg_status diverge(struct ingest *in, const char *fmt, ...)
{
    char why[sizeof in->diverged - 64];
    va_list ap;
    va_start(ap, fmt);
    fg_vsnprintf_c(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(in->diverged, sizeof in->diverged, "%s; the files were joined by hash instead", why);
    return FG_ERR_INPUT;
}

static inline void order_step(const char *before, size_t before_len, const char *id, size_t len,
                              bool *lex, bool *shortlex)
{
    size_t common = before_len < len ? before_len : len;
    int c = fg_short_cmp(before, id, common);
    *lex = *lex && (c < 0 || (c == 0 && before_len < len));
    *shortlex = *shortlex && (before_len < len || (before_len == len && c < 0));
}

void fg_ingest_order_step(const char *before, size_t before_len, const char *id, size_t len,
                          bool *lex, bool *shortlex)
{
    order_step(before, before_len, id, len, lex, shortlex);
}

/* Whether id rises strictly after the previous one as text or by length then text (each
 * order is dropped once it fails). */
static bool order_rises(struct pairing *p, const char *id, size_t len)
{
    if (!p->any)
        return true;
    if (p->inc != NULL)
        order_step(p->last_at, p->last_at_len, id, len, &p->lex, &p->shortlex);
    else
        order_step(p->last, p->last_len, id, len, &p->lex, &p->shortlex);
    return p->lex || p->shortlex;
}

/* Copies (id, len) into *to (capacity *cap); false: out of memory. */
static bool id_copy(char **to, size_t *to_len, size_t *cap, const char *id, size_t len)
{
    if (len > *cap) {
        size_t want = len < 64 ? 64 : len;
        char *grown = realloc(*to, want);
        if (grown == NULL)
            return false;
        *to = grown;
        *cap = want;
    }
    memcpy(*to, id, len);
    *to_len = len;
    return true;
}

/* Keeps id as the previous one (and, lockstep, the first of the chunk); false: out of
 * memory. */
static bool order_keep(struct pairing *p, const char *id, size_t len)
{
    if (p->inc != NULL) { /* id is in the candidate chunk's buffer, which outlives the chunk */
        if (!p->any) {
            p->first_at = id;
            p->first_at_len = len;
        }
        p->last_at = id;
        p->last_at_len = len;
        p->any = true;
        return true;
    }
    p->any = true;
    return id_copy(&p->last, &p->last_len, &p->last_cap, id, len);
}

/* Pairs the candidate row with id (id, len) with the next incumbent row, *out; on anything
 * but the same id next, in->diverged. */
static enum fg_status pair_take(struct ingest *in, struct reader *r, const char *id, size_t len,
                                const struct pair_row **out)
{
    struct pairing *p = in->pairing;
    enum fg_status status;
    char mine[ID_SHOWN + 8], theirs[ID_SHOWN + 8];
    const struct pair_row *row = pair_next(p, &status);
    if (row == NULL && status != FG_OK) {
        *r->err = p->err;
        return status;
    }
    if (row == NULL)
        return diverge(in,
                       "the candidate file has more rows than the incumbent file %s (from "
                       "line %lu)",
                       in->incumbent.path, r->lines.record_line);
    const char *their_id = p->current->arena + row->offset;
    if (row->id_len != len || fg_short_cmp(their_id, id, len) != 0)
        return diverge(in,
                       "the ids differ at line %lu of the candidate file ('%s') and line %llu "
                       "of the incumbent file %s ('%s')",
                       r->lines.record_line, id_text(mine, sizeof mine, id, len),
                       (unsigned long long)row->line, in->incumbent.path,
                       id_text(theirs, sizeof theirs, their_id, row->id_len));
    if (!order_rises(p, id, len))
        return diverge(in,
                       "the ids do not rise at line %lu of the candidate file ('%s' after "
                       "'%s'), so side by side a repeated id could go unseen",
                       r->lines.record_line, id_text(mine, sizeof mine, id, len),
                       p->inc != NULL ? id_text(theirs, sizeof theirs, p->last_at, p->last_at_len)
                                      : id_text(theirs, sizeof theirs, p->last, p->last_len));
    if (!order_keep(p, id, len))
        return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
    *out = row;
    return FG_OK;
}

/* The shared column k's value in the incumbent row (*present false: the file lacks it). */
static const char *shared_value(const struct ingest *in, const struct pairing *p,
                                const struct pair_row *row, size_t k, size_t *len, bool *present)
{
    const char *at = NULL; /* a lean row has no bytes in the arena: every column is absent */
    for (size_t j = 0; j <= k; j++) {
        if (in->incumbent.slots[in->shared_incumbent[j]].absent) {
            if (j == k) {
                *present = false;
                return NULL;
            }
            continue;
        }
        if (at == NULL)
            at = p->current->arena + row->offset + row->id_len;
        uint32_t n;
        memcpy(&n, at, sizeof n);
        if (j == k) {
            *present = true;
            *len = n;
            return at + sizeof n;
        }
        at += sizeof n + n;
    }
    return NULL;
}

/* A record of the incumbent part that lies within the 16 bytes at p->inc_pos, read from
 * one comparison of them (the common narrow row "id,decision\n"), as lib/fastcsv.c would
 * read it: its fields in p->inc->spans, *rec set. false: anything else (a blank byte first,
 * a quote, more bytes, fewer than 16 bytes left), for fg_fastcsv_next. */
static inline bool short_record(struct pairing *p, struct fg_fastcsv_record *rec)
{
#if defined(__SSE2__) && defined(__GNUC__)
    struct reader *inc = p->inc;
    size_t pos = p->inc_pos, n = inc->n_names;
    if (p->inc_len - pos < 16 || n == 0 || n > inc->spans_cap)
        return false;
    const char *at = p->inc_bytes + pos;
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)at);
    unsigned mask = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)inc->fast.delimiter)),
                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')))));
    if (at[0] == '\r' || at[0] == '\n')
        return false; /* blank bytes first */
    size_t start = 0;
    for (size_t k = 0; k < n; k++, mask &= mask - 1) {
        if (mask == 0)
            return false; /* the record goes on past these 16 bytes */
        size_t end = (size_t)__builtin_ctz(mask);
        char c = at[end];
        bool last = k + 1 == n;
        if (c == '"' || (c == (char)inc->fast.delimiter) == last)
            return false; /* a quote, or another number of fields */
        inc->spans[k].bytes = at + start;
        inc->spans[k].len = end - start;
        start = end + 1;
    }
    rec->start = pos;
    rec->newlines_before = 0;
    rec->next = pos + start;
    rec->n_fields = n;
    rec->newline_ended = at[start - 1] == '\n';
    return start - 1 <= inc->fast.max_field;
#else
    (void)p;
    (void)rec;
    return false;
#endif
}

/* Lean lockstep, in one step: the next incumbent record, when it is plain (lean_bits), has
 * the candidate's id and the ids still rise, is paired with the candidate row (id, len) as
 * *row. false: nothing was taken, and pair_take takes the record the long way (its reader,
 * and every message). */
static bool lean_take(struct pairing *p, const char *id, size_t len, const struct pair_row **row)
{
    struct reader *inc = p->inc;
    struct fg_fastcsv_record rec;
    unsigned char bits = 0;
    if (!short_record(p, &rec) &&
        fg_fastcsv_next(&inc->fast, p->inc_bytes, p->inc_len, p->inc_pos, true, inc->spans,
                        inc->spans_cap, &rec) != FG_FASTCSV_RECORD)
        return false;
    if (!lean_bits(p, rec.n_fields, &bits))
        return false;
    const struct fg_csv_span *theirs = &inc->spans[p->lean_id];
    bool lex = p->lex, shortlex = p->shortlex;
    if (theirs->len != len || fg_short_cmp(theirs->bytes, id, len) != 0)
        return false;
    if (p->any) {
        order_step(p->last_at, p->last_at_len, id, len, &lex, &shortlex);
        if (!lex && !shortlex)
            return false;
    } else {
        p->first_at = id;
        p->first_at_len = len;
    }
    p->lex = lex;
    p->shortlex = shortlex;
    p->last_at = id;
    p->last_at_len = len;
    p->any = true;
    struct pair_row *taken = &p->batches[0].rows[0];
    inc->lines.line += rec.newlines_before;
    inc->rows++;
    taken->line = inc->lines.line;
    taken->score = 0.0;
    taken->bits = bits;
    taken->id_len = (uint32_t)len;
    if (rec.newline_ended)
        inc->lines.line++;
    p->inc_pos = rec.next;
    *row = taken;
    return true;
}

enum fg_status fg_ingest_pair_hook(struct reader *r, void *user, unsigned *extra, bool *cacheable)
{
    struct ingest *in = user;
    struct pairing *p = in->pairing;
    const struct fg_csv_span *id = &r->spans[r->slots[in->id_slot].column];
    *cacheable = false;
    if (id->len == 0)
        return FG_OK; /* candidate_row drops it or says so; it pairs with nothing */
    const struct pair_row *row;
    if (p->lean && lean_take(p, id->bytes, id->len, &row)) {
        p->pending = row;
        p->pending_row = r->rows;
        *extra = row->bits;
        *cacheable = true; /* lean: no shared column to compare */
        return FG_OK;
    }
    enum fg_status status = pair_take(in, r, id->bytes, id->len, &row);
    if (status != FG_OK)
        return status;
    p->pending = row;
    p->pending_row = r->rows;
    *extra = row->bits;
    if (row->bits & PAIR_MISSING)
        return FG_OK;
    for (size_t k = 0; k < in->n_shared; k++) {
        size_t len = 0;
        bool present;
        const char *theirs = shared_value(in, p, row, k, &len, &present);
        const struct fg_csv_span *mine = &r->spans[r->slots[in->shared_candidate[k]].column];
        if (present && (len != mine->len || fg_short_cmp(theirs, mine->bytes, len) != 0))
            return FG_OK; /* candidate_row says so */
    }
    *cacheable = true;
    return FG_OK;
}

enum fg_status fg_ingest_pair_match(struct ingest *in, struct reader *r, int *prediction,
                                    double *score, bool *missing)
{
    struct pairing *p = in->pairing;
    const struct pair_row *row = p->pending;
    p->pending = NULL;
    if (row == NULL || p->pending_row != r->rows) { /* read by libcsv: not paired yet */
        const struct slot *id = &r->slots[in->id_slot];
        enum fg_status status = pair_take(in, r, id->value, id->len, &row);
        if (status != FG_OK)
            return status;
    }
    *prediction = (row->bits & PAIR_PREDICTION) != 0;
    *missing = (row->bits & PAIR_MISSING) != 0;
    *score = row->score;
    for (size_t k = 0; k < in->n_shared; k++) {
        size_t len = 0;
        bool present;
        const char *theirs = shared_value(in, p, row, k, &len, &present);
        const struct slot *s = &r->slots[in->shared_candidate[k]];
        if (present && (len != s->len || fg_short_cmp(theirs, s->value, len) != 0))
            return fg_ingest_shared_mismatch(in, r, s, theirs, len, row->line);
    }
    return FG_OK;
}

/* ---- the candidate file hashed apart ---- */

struct hasher {
    int fd;
    uint64_t size;
    size_t cap;
    EVP_MD_CTX *sha;
    atomic_bool stop;
    bool ok;
    int read_errno; /* 0: the digest failed, not a read */
};

static void *hash_main(void *arg)
{
    struct hasher *h = arg;
    char *buf = malloc(h->cap);
    struct source all = {.fd = h->fd, .offset = 0, .end = h->size};
    h->ok = buf != NULL;
    for (bool eof = false; h->ok && !eof && !atomic_load(&h->stop);) {
        ssize_t got = fg_ingest_source_read(&all, buf, h->cap, &eof);
        if (got < 0)
            h->read_errno = errno;
        h->ok = got >= 0 && (got == 0 || EVP_DigestUpdate(h->sha, buf, (size_t)got) == 1);
    }
    free(buf);
    return NULL;
}

enum fg_status fg_ingest_aligned_read(struct ingest *in, struct reader *r, int fd,
                                      const struct stat *st, EVP_MD_CTX *sha, char *buf, bool *used)
{
    struct hasher h = {
        .fd = fd, .size = (uint64_t)st->st_size, .cap = in->tuning.block_bytes, .sha = sha};
    atomic_init(&h.stop, false);
    pthread_t thread;
    *used = false;
    if (pthread_create(&thread, NULL, hash_main, &h) != 0)
        return FG_OK; /* read in order, hashed in the same read */
    *used = true;
    struct source src = {.fd = fd, .offset = 0, .end = h.size};
    enum fg_status status =
        fg_ingest_stream(r, &src, true, buf, in->tuning.block_bytes, true, true);
    if (status != FG_OK)
        atomic_store(&h.stop, true);
    pthread_join(thread, NULL);
    if (status == FG_OK && !h.ok)
        status = h.read_errno
                     ? fg_ingest_fail(r, FG_ERR_IO, 0, "read error: %s", strerror(h.read_errno))
                     : fg_ingest_fail(r, FG_ERR_NOMEM, 0, "SHA-256 failed");
    if (status == FG_OK)
        status = fg_ingest_unchanged(r, fd, st);
    return status;
}

/* ---- the run ---- */

static void pairing_free(struct pairing *p)
{
    for (size_t i = 0; i < PAIR_BATCHES; i++) {
        free(p->batches[i].rows);
        free(p->batches[i].arena);
    }
    free(p->last);
    free(p);
}

static struct pairing *pairing_new(struct ingest *in)
{
    struct pairing *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->in = in;
    p->lex = p->shortlex = true;
    for (size_t i = 0; i < PAIR_BATCHES; i++)
        if ((p->batches[i].rows = malloc(PAIR_BATCH_ROWS * sizeof *p->batches[i].rows)) == NULL) {
            pairing_free(p);
            return NULL;
        }
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        pairing_free(p);
        return NULL;
    }
    if (pthread_cond_init(&p->changed, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        pairing_free(p);
        return NULL;
    }
    return p;
}

/* After the candidate file: the incumbent file must end too. */
static enum fg_status pair_finish(struct ingest *in)
{
    struct pairing *p = in->pairing;
    enum fg_status status;
    const struct pair_row *row = pair_next(p, &status);
    if (row != NULL)
        return diverge(in,
                       "the incumbent file %s has more rows than the candidate file (from "
                       "its line %llu)",
                       in->incumbent.path, (unsigned long long)row->line);
    if (status != FG_OK)
        *in->candidate.err = p->err;
    return status;
}

enum fg_status fg_ingest_aligned_run(struct ingest *in,
                                     enum fg_status (*read_candidate)(struct ingest *in, void *arg),
                                     void *arg)
{
    struct pairing *p = pairing_new(in);
    pthread_t thread;
    if (p == NULL) {
        diverge(in, "out of memory for the aligned join");
        return FG_OK;
    }
    in->pairing = p;
    in->incumbent.err = &p->err;
    in->incumbent.progress = NULL; /* told from the calling thread only */
    if (pthread_create(&thread, NULL, incumbent_main, p) != 0) {
        diverge(in, "no thread for the aligned join");
        in->pairing = NULL;
        pthread_cond_destroy(&p->changed);
        pthread_mutex_destroy(&p->lock);
        pairing_free(p);
        return FG_OK;
    }
    enum fg_status status = read_candidate(in, arg);
    if (status == FG_OK && in->diverged[0] == '\0')
        status = pair_finish(in);
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    pthread_join(thread, NULL);
    in->incumbent.err = in->candidate.err;
    in->pairing = NULL;
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    pairing_free(p);
    return in->diverged[0] != '\0' ? FG_OK : status;
}

/* ---- lockstep: a worker of the chunked join ---- */

struct pairing *fg_ingest_lockstep_new(struct ingest *local, struct reader *inc)
{
    struct pairing *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->in = local;
    p->inc = inc;
    inc->err = &p->err;
    p->filling = true; /* incumbent_row pushes into batches[0] (tail 0), never published */
    if ((p->batches[0].rows = malloc(sizeof *p->batches[0].rows)) == NULL) {
        free(p);
        return NULL;
    }
    return p;
}

void fg_ingest_lockstep_chunk(struct pairing *p, struct ingest *local, const char *bytes,
                              size_t len)
{
    const struct reader *inc = p->inc;
    p->local = local;
    p->lean = local->join == JOIN_ID && local->incumbent_model.spec->prediction != NULL &&
              !local->keep_scores[1];
    for (size_t k = 0; k < local->n_shared && p->lean; k++)
        p->lean = inc->slots[local->shared_incumbent[k]].absent;
    p->lean_id = inc->slots[local->incumbent_id_slot].column;
    p->lean_decision = inc->slots[local->incumbent_model.slot].column;
    p->inc_bytes = bytes;
    p->inc_len = len;
    p->inc_pos = 0;
    p->any = false;
    p->lex = p->shortlex = true;
    p->pending = NULL;
}

enum fg_status fg_ingest_lockstep_end(struct pairing *p)
{
    enum fg_status status;
    const struct pair_row *row = lockstep_next(p, &status);
    return row != NULL ? FG_ERR_INPUT : status; /* a row left: the files do not pair here */
}

void fg_ingest_lockstep_order(const struct pairing *p, struct fg_id_order *order)
{
    order->any = p->any;
    order->lex = p->lex;
    order->shortlex = p->shortlex;
    order->first = p->first_at;
    order->first_len = p->first_at_len;
    order->last = p->last_at;
    order->last_len = p->last_at_len;
}

void fg_ingest_lockstep_free(struct pairing *p)
{
    if (p != NULL)
        pairing_free(p);
}
