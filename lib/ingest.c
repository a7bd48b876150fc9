/*
 * ingest.c - CSV rows -> the cell table (lib/counts.c), streaming, through libcsv.
 *
 * A file is read in CHUNK_SIZE fread chunks; every byte goes through SHA-256 (the digest
 * the audit records), a UTF-8 byte order mark at the start is skipped, and each chunk is
 * fed to libcsv one physical line at a time so that every record knows the line it starts
 * on (a quoted field may span lines; "\n" and "\r\n" both end a line). The first record
 * is the header; blank lines are ignored.
 *
 * Invariants:
 * - Only the columns the policy needs ("slots") are copied, each into its own reusable
 *   buffer; no allocation happens per field or per row once the buffers have grown.
 *   Every field, needed or not, is capped at FG_MAX_FIELD bytes.
 * - A one-file run keeps memory constant in the number of rows: the cell table grows
 *   only with distinct groups. Two files hold the incumbent's decisions in memory: an
 *   id -> decision map (ids in one arena) when data.id is set, 2 bits a row otherwise.
 * - Only when the policy gates on a score metric (auc, calibration_gap, brier) are scores
 *   kept: the counts keep every row's score of each model read from a score column (8 bytes
 *   a row per model, lib/counts.c), and an incumbent file's scores wait for their candidate
 *   row in an array parallel to the id map or the position bits (8 bytes a row). Memory is
 *   then O(rows). When brier or calibration_gap is gated, a kept score must lie in [0, 1].
 * - Every failure fills the caller's fg_error with the CSV path and the physical line
 *   (1-based; 0 when no line applies) and frees everything; *out stays NULL.
 *
 * Ownership: struct ingest owns the readers, the id map, the position bits and, until it
 * is handed to the caller, the counts. Slot names and hints borrow from the policy.
 */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define CHUNK_SIZE (256u * 1024u)
#define MAX_SLOTS  (FG_MAX_PROTECTED + 4) /* id, label, protected..., candidate, incumbent */
#define NO_SLOT    ((size_t)-1)
/* libcsv's field buffer: a field, its closing quote, the NUL, and libcsv's look-ahead. */
#define FIELD_BUFFER_CAP  ((size_t)FG_MAX_FIELD + 16)
#define FIELD_BUFFER_STEP ((size_t)64 * 1024)
#define SHOW_MAX          64 /* bytes of a value quoted in a message */

/* ---- messages ---- */

/* Writes value for a message: control bytes escaped, at most SHOW_MAX bytes shown. */
static const char *show(char *buf, size_t size, const char *value, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t out = 0;
    size_t shown = len > SHOW_MAX ? SHOW_MAX : len;
    for (size_t i = 0; i < shown && out + 5 < size; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c == '\n' || c == '\r' || c == '\t') {
            buf[out++] = '\\';
            buf[out++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f) {
            buf[out++] = '\\';
            buf[out++] = 'x';
            buf[out++] = hex[c >> 4];
            buf[out++] = hex[c & 15];
        } else {
            buf[out++] = (char)c;
        }
    }
    if (shown < len && out + 4 < size) {
        memcpy(buf + out, "...", 3);
        out += 3;
    }
    buf[out] = '\0';
    return buf;
}

/* ---- the reader: one CSV file through libcsv ---- */

/* A column the policy needs, and its value in the current record. */
struct slot {
    const char *name; /* header name, borrowed from the policy */
    const char *hint; /* appended to the "no column" message */
    size_t column;    /* 0-based header index, once the header is read */
    char *value;      /* the current record's field, NUL-terminated */
    size_t len, cap;
};

struct reader;
typedef enum fg_status (*row_handler)(struct reader *reader, void *user);

struct reader {
    const char *path;
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
    /* where libcsv is */
    unsigned long line;         /* the physical line being fed, 1-based */
    unsigned long pending_line; /* first line of a record no callback has seen yet, or 0 */
    unsigned long record_line;  /* first line of the current record */
    bool in_record;
    size_t field; /* fields of the current record seen so far */
    /* results */
    uint64_t rows, rows_dropped;
    char sha256[65];
    enum fg_status status; /* the first failure inside a callback */
};

static void reader_init(struct reader *r, const char *path, unsigned char delimiter,
                        row_handler on_row, void *user, struct fg_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->delimiter = delimiter;
    r->on_row = on_row;
    r->user = user;
    r->err = err;
}

static void reader_free(struct reader *r)
{
    for (size_t i = 0; i < r->n_slots; i++)
        free(r->slots[i].value);
    for (size_t i = 0; i < r->n_names; i++)
        free(r->names[i]);
    free(r->names);
    free(r->slot_of);
    r->n_slots = r->n_names = 0;
    r->names = NULL;
    r->slot_of = NULL;
}

/* Registers a needed column and returns its slot; a name needed twice shares one slot. */
static size_t reader_need(struct reader *r, const char *name, const char *hint)
{
    for (size_t i = 0; i < r->n_slots; i++)
        if (strcmp(r->slots[i].name, name) == 0)
            return i;
    struct slot *s = &r->slots[r->n_slots];
    s->name = name;
    s->hint = hint ? hint : "";
    return r->n_slots++;
}

static enum fg_status fail(struct reader *r, enum fg_status code, unsigned long line,
                           const char *fmt, ...) FG_PRINTF(4, 5);

static enum fg_status fail(struct reader *r, enum fg_status code, unsigned long line,
                           const char *fmt, ...)
{
    char message[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return fg_error_set(r->err, code, r->path, line, 0, "%s", message);
}

/* Finds every needed column in the header: exactly once each. */
static enum fg_status match_header(struct reader *r)
{
    r->slot_of = malloc((r->n_names ? r->n_names : 1) * sizeof *r->slot_of);
    if (r->slot_of == NULL)
        return fail(r, FG_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; i < r->n_names; i++)
        r->slot_of[i] = -1;
    for (size_t s = 0; s < r->n_slots; s++) {
        struct slot *slot = &r->slots[s];
        size_t first = NO_SLOT, second = NO_SLOT;
        for (size_t i = 0; i < r->n_names && second == NO_SLOT; i++) {
            if (strcmp(r->names[i], slot->name) != 0)
                continue;
            if (first == NO_SLOT)
                first = i;
            else
                second = i;
        }
        if (second != NO_SLOT)
            return fail(r, FG_ERR_INPUT, r->record_line,
                        "column '%s' appears twice in the header (columns %zu and %zu)", slot->name,
                        first + 1, second + 1);
        if (first == NO_SLOT) {
            /* Suggest a close header name; empty names are no suggestion. */
            const char *near = NULL;
            const char **names = malloc((r->n_names ? r->n_names : 1) * sizeof *names);
            if (names != NULL) {
                for (size_t i = 0; i < r->n_names; i++)
                    names[i] = r->names[i][0] ? r->names[i] : NULL;
                near = fg_did_you_mean(slot->name, names, r->n_names);
            }
            enum fg_status status;
            if (near != NULL)
                status =
                    fail(r, FG_ERR_INPUT, r->record_line, "no column '%s' (did you mean '%s'?)%s",
                         slot->name, near, slot->hint);
            else
                status = fail(r, FG_ERR_INPUT, r->record_line, "no column '%s'%s", slot->name,
                              slot->hint);
            free(names);
            return status;
        }
        slot->column = first;
        r->slot_of[first] = (int32_t)s;
    }
    return FG_OK;
}

static void begin_record(struct reader *r)
{
    r->in_record = true;
    r->record_line = r->pending_line ? r->pending_line : r->line;
    r->pending_line = 0;
    r->field = 0;
}

static enum fg_status header_field(struct reader *r, const char *field, size_t len)
{
    if (r->n_names >= FG_MAX_COLUMNS)
        return fail(r, FG_ERR_LIMIT, r->record_line,
                    "the header has more than %d columns (the limit)", FG_MAX_COLUMNS);
    if (r->n_names == r->names_cap) {
        size_t cap = r->names_cap ? r->names_cap * 2 : 32;
        char **names = realloc(r->names, cap * sizeof *names);
        if (names == NULL)
            return fail(r, FG_ERR_NOMEM, 0, "out of memory");
        r->names = names;
        r->names_cap = cap;
    }
    r->names[r->n_names] = fg_strndup(field, len);
    if (r->names[r->n_names] == NULL)
        return fail(r, FG_ERR_NOMEM, 0, "out of memory");
    r->n_names++;
    return FG_OK;
}

static enum fg_status slot_store(struct reader *r, struct slot *slot, const char *field, size_t len)
{
    if (len + 1 > slot->cap) {
        size_t cap = slot->cap ? slot->cap : 64;
        while (cap < len + 1)
            cap *= 2;
        char *value = realloc(slot->value, cap);
        if (value == NULL)
            return fail(r, FG_ERR_NOMEM, 0, "out of memory");
        slot->value = value;
        slot->cap = cap;
    }
    memcpy(slot->value, field, len);
    slot->value[len] = '\0';
    slot->len = len;
    return FG_OK;
}

/* libcsv's field callback. */
static void on_field(void *field, size_t len, void *data)
{
    struct reader *r = data;
    if (r->status != FG_OK)
        return;
    if (!r->in_record)
        begin_record(r);
    size_t index = r->field++;
    if (len > FG_MAX_FIELD) {
        r->status =
            fail(r, FG_ERR_LIMIT, r->record_line, "field %zu is longer than the limit of %u bytes",
                 index + 1, (unsigned)FG_MAX_FIELD);
        return;
    }
    if (!r->header_done) {
        r->status = header_field(r, field, len);
        return;
    }
    if (index < r->n_names && r->slot_of[index] >= 0)
        r->status = slot_store(r, &r->slots[r->slot_of[index]], field, len);
}

/* libcsv's end-of-record callback. */
static void on_record(int terminator, void *data)
{
    (void)terminator;
    struct reader *r = data;
    if (r->status != FG_OK)
        return;
    if (!r->in_record)
        begin_record(r); /* not reached: libcsv submits a field before every record end */
    r->in_record = false;
    if (!r->header_done) {
        r->header_done = true;
        r->status = match_header(r);
        return;
    }
    r->rows++;
    if (r->field != r->n_names) {
        r->status =
            fail(r, FG_ERR_INPUT, r->record_line, "the row has %zu field%s, the header has %zu",
                 r->field, r->field == 1 ? "" : "s", r->n_names);
        return;
    }
    r->status = r->on_row(r, r->user);
}

/* libcsv's buffer growth, capped so that one runaway field cannot take all memory. */
static void *capped_realloc(void *ptr, size_t size)
{
    return size > FIELD_BUFFER_CAP ? NULL : realloc(ptr, size);
}

/* libcsv trims spaces and tabs by default; values are compared byte for byte instead. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* The first line of the record libcsv is in, even before its first field is complete. */
static unsigned long open_record_line(const struct reader *r)
{
    if (r->in_record)
        return r->record_line;
    return r->pending_line ? r->pending_line : r->line;
}

/* The one place libcsv's error codes become fairgate errors. at_end: from csv_fini. */
static enum fg_status csv_failure(struct reader *r, struct csv_parser *parser, bool at_end)
{
    int code = csv_error(parser);
    switch (code) {
    case CSV_EPARSE:
        if (at_end)
            return fail(r, FG_ERR_INPUT, open_record_line(r),
                        "a quoted field is not closed before the end of the file");
        return fail(r, FG_ERR_INPUT, r->line,
                    "malformed quoting: a '\"' inside an unquoted field, or text after a "
                    "closing '\"' (double a quote inside a quoted field)");
    case CSV_ENOMEM:
        if (csv_get_buffer_size(parser) + FIELD_BUFFER_STEP > FIELD_BUFFER_CAP)
            return fail(r, FG_ERR_LIMIT, open_record_line(r),
                        "a field is longer than the limit of %u bytes", (unsigned)FG_MAX_FIELD);
        return fail(r, FG_ERR_NOMEM, r->line, "out of memory");
    case CSV_ETOOBIG:
        return fail(r, FG_ERR_LIMIT, r->line, "a field is too large");
    default:
        return fail(r, FG_ERR_INPUT, r->line, "CSV error: %s", csv_strerror(code));
    }
}

static bool blank(const char *bytes, const char *end)
{
    for (; bytes < end; bytes++)
        if (*bytes != '\n' && *bytes != '\r')
            return false;
    return true;
}

/* Feeds bytes to libcsv one physical line at a time, counting lines. */
static enum fg_status feed(struct reader *r, struct csv_parser *parser, const char *bytes,
                           size_t len)
{
    const char *end = bytes + len;
    while (bytes < end) {
        const char *newline = memchr(bytes, '\n', (size_t)(end - bytes));
        const char *stop = newline ? newline + 1 : end;
        if (!r->in_record && r->pending_line == 0 && !blank(bytes, stop))
            r->pending_line = r->line;
        size_t n = (size_t)(stop - bytes);
        size_t done = csv_parse(parser, bytes, n, on_field, on_record, r);
        if (r->status != FG_OK)
            return r->status;
        if (done != n)
            return csv_failure(r, parser, false);
        if (newline)
            r->line++;
        bytes = stop;
    }
    return FG_OK;
}

static void hex_digest(const unsigned char *digest, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

/* Reads the whole file: header, then on_row for every data record. */
static enum fg_status reader_run(struct reader *r)
{
    FILE *file = fopen(r->path, "rb");
    if (file == NULL)
        return fail(r, FG_ERR_IO, 0, "cannot open: %s", strerror(errno));
    enum fg_status status = FG_OK;
    struct csv_parser parser;
    bool parser_ready = false;
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    char *chunk = malloc(CHUNK_SIZE);
    if (sha == NULL || chunk == NULL) {
        status = fail(r, FG_ERR_NOMEM, 0, "out of memory");
        goto done;
    }
    if (EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
        status = fail(r, FG_ERR_IO, 0, "cannot start SHA-256");
        goto done;
    }
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        status = fail(r, FG_ERR_NOMEM, 0, "out of memory");
        goto done;
    }
    parser_ready = true;
    csv_set_delim(&parser, r->delimiter);
    csv_set_space_func(&parser, no_space);
    csv_set_realloc_func(&parser, capped_realloc);
    csv_set_blk_size(&parser, FIELD_BUFFER_STEP);
    r->line = 1;
    bool first_chunk = true;
    for (;;) {
        size_t got = fread(chunk, 1, CHUNK_SIZE, file);
        if (got == 0)
            break;
        if (EVP_DigestUpdate(sha, chunk, got) != 1) {
            status = fail(r, FG_ERR_IO, 0, "SHA-256 failed");
            goto done;
        }
        size_t skip = 0;
        if (first_chunk && got >= 3 && memcmp(chunk, "\xef\xbb\xbf", 3) == 0)
            skip = 3; /* UTF-8 byte order mark */
        first_chunk = false;
        status = feed(r, &parser, chunk + skip, got - skip);
        if (status != FG_OK)
            goto done;
    }
    if (ferror(file)) {
        status = fail(r, FG_ERR_IO, 0, "read error: %s", strerror(errno));
        goto done;
    }
    if (csv_fini(&parser, on_field, on_record, r) != 0) {
        status = r->status != FG_OK ? r->status : csv_failure(r, &parser, true);
        goto done;
    }
    if (r->status != FG_OK) {
        status = r->status;
        goto done;
    }
    if (!r->header_done) {
        status = fail(r, FG_ERR_INPUT, 0, "the file is empty: no header line");
        goto done;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_DigestFinal_ex(sha, digest, &digest_len) != 1 || digest_len != 32) {
        status = fail(r, FG_ERR_IO, 0, "SHA-256 failed");
        goto done;
    }
    hex_digest(digest, r->sha256);
done:
    if (parser_ready)
        csv_free(&parser);
    EVP_MD_CTX_free(sha);
    free(chunk);
    fclose(file);
    return status;
}

/* ---- reading decisions ---- */

/* A column that holds one of two values: positive (1) and one other (0). */
struct binary_column {
    const char *column;   /* borrowed from the policy */
    const char *positive; /* borrowed from the policy */
    size_t positive_len;
    const char *positive_is; /* "positive label" or "favorable prediction" */
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

static void binary_init(struct binary_column *b, const char *column, const char *positive,
                        const char *positive_is)
{
    memset(b, 0, sizeof *b);
    b->column = column;
    b->positive = positive;
    b->positive_len = strlen(positive);
    b->positive_is = positive_is;
}

static enum fg_status read_binary(struct reader *r, struct binary_column *b, const struct slot *s,
                                  int *bit)
{
    if (s->len == b->positive_len && memcmp(s->value, b->positive, s->len) == 0) {
        *bit = 1;
        return FG_OK;
    }
    *bit = 0;
    if (b->other == NULL) {
        b->other = fg_strndup(s->value, s->len);
        if (b->other == NULL)
            return fail(r, FG_ERR_NOMEM, 0, "out of memory");
        b->other_len = s->len;
        b->other_line = r->record_line;
        return FG_OK;
    }
    if (s->len == b->other_len && memcmp(s->value, b->other, s->len) == 0)
        return FG_OK;
    char value[SHOW_MAX * 4 + 8], positive[SHOW_MAX * 4 + 8], other[SHOW_MAX * 4 + 8];
    return fail(r, FG_ERR_INPUT, r->record_line,
                "column '%s' has a third value '%s' (the %s is '%s'; the other value, first "
                "seen at line %lu, is '%s')",
                b->column, show(value, sizeof value, s->value, s->len), b->positive_is,
                show(positive, sizeof positive, b->positive, b->positive_len), b->other_line,
                show(other, sizeof other, b->other, b->other_len));
}

/* The decision from a score column; *score receives the score itself. */
static enum fg_status read_score(struct reader *r, const struct model_column *m,
                                 const struct slot *s, int *bit, double *score_out)
{
    const struct fg_model_spec *spec = m->spec;
    char value[SHOW_MAX * 4 + 8];
    const char *text = s->value;
    bool space = strchr(" \t\n\v\f\r", text[0]) != NULL && text[0] != '\0';
    char *end = NULL;
    errno = 0;
    /* strtod also reads hexadecimal ("0x1p-1"); a score column holds decimals only. */
    bool hex = memchr(text, 'x', s->len) != NULL || memchr(text, 'X', s->len) != NULL;
    double score = space || hex ? 0.0 : strtod(text, &end);
    if (space || hex || end != text + s->len)
        return fail(r, FG_ERR_INPUT, r->record_line, "column '%s' has '%s', which is not a number",
                    s->name, show(value, sizeof value, s->value, s->len));
    if (!isfinite(score))
        return fail(r, FG_ERR_INPUT, r->record_line,
                    "column '%s' has '%s', which is not a finite number", s->name,
                    show(value, sizeof value, s->value, s->len));
    if (errno != 0)
        return fail(r, FG_ERR_INPUT, r->record_line,
                    "column '%s' has '%s', which is out of the range of a double", s->name,
                    show(value, sizeof value, s->value, s->len));
    if (m->probability && !(score >= 0 && score <= 1))
        return fail(r, FG_ERR_INPUT, r->record_line,
                    "column '%s' has score '%s', which is outside [0, 1]; brier and "
                    "calibration_gap need probabilities",
                    s->name, show(value, sizeof value, s->value, s->len));
    *score_out = score;
    if (spec->favorable == FG_FAVORABLE_ABOVE)
        *bit = score >= spec->threshold;
    else
        *bit = score < spec->threshold;
    return FG_OK;
}

/* The decision of one model in the current record; *score is its score (0 when the model
 * reads a prediction column). */
static enum fg_status read_model(struct reader *r, struct model_column *m, int *bit, double *score)
{
    const struct slot *s = &r->slots[m->slot];
    *score = 0.0;
    if (m->spec->prediction != NULL)
        return read_binary(r, &m->binary, s, bit);
    return read_score(r, m, s, bit, score);
}

static void model_init(struct model_column *m, const struct fg_policy *policy,
                       const struct fg_model_spec *spec, struct reader *r, const char *hint,
                       bool probability)
{
    memset(m, 0, sizeof *m);
    m->spec = spec;
    m->probability = probability && spec->score != NULL;
    if (spec->prediction != NULL) {
        m->slot = reader_need(r, spec->prediction, hint);
        binary_init(&m->binary, spec->prediction, policy->data.favorable_prediction,
                    "favorable prediction");
    } else {
        m->slot = reader_need(r, spec->score, hint);
    }
}

static enum fg_status empty_value(struct reader *r, const struct slot *s)
{
    return fail(r, FG_ERR_INPUT, r->record_line, "empty value in column '%s'", s->name);
}

/* ---- the incumbent file's decisions ---- */

/* id -> decision. An entry packs offset (40 bits) | length (21 bits) | 3 flags. */
#define ID_PREDICTION   1u
#define ID_MISSING      2u
#define ID_MATCHED      4u
#define ID_LEN_BITS     21
#define ID_OFFSET_LIMIT ((uint64_t)1 << 40)

struct id_entry {
    uint64_t packed;
    uint64_t line; /* its incumbent line; once matched, the candidate line that matched it */
};

struct id_map {
    char *arena; /* every id, back to back */
    size_t arena_len, arena_cap;
    struct id_entry *entries; /* in incumbent file order */
    size_t n, cap;
    uint32_t *index; /* entry + 1, or 0 for an empty slot */
    size_t index_cap;
};

static uint64_t entry_offset(const struct id_entry *e)
{
    return e->packed >> (ID_LEN_BITS + 3);
}

static size_t entry_len(const struct id_entry *e)
{
    return (size_t)(e->packed >> 3) & (((uint64_t)1 << ID_LEN_BITS) - 1);
}

static uint64_t hash_id(const char *bytes, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a with a final mix */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)bytes[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static void id_map_free(struct id_map *map)
{
    free(map->arena);
    free(map->entries);
    free(map->index);
    memset(map, 0, sizeof *map);
}

/* The entry holding id, or NULL. */
static struct id_entry *id_map_find(const struct id_map *map, const char *id, size_t len)
{
    if (map->index_cap == 0)
        return NULL;
    size_t mask = map->index_cap - 1;
    for (size_t pos = (size_t)hash_id(id, len) & mask; map->index[pos] != 0;
         pos = (pos + 1) & mask) {
        struct id_entry *e = &map->entries[map->index[pos] - 1];
        if (entry_len(e) == len && memcmp(map->arena + entry_offset(e), id, len) == 0)
            return e;
    }
    return NULL;
}

static bool id_index_grow(struct id_map *map, size_t new_cap)
{
    uint32_t *index = calloc(new_cap, sizeof *index);
    if (index == NULL)
        return false;
    for (size_t i = 0; i < map->n; i++) {
        const struct id_entry *e = &map->entries[i];
        size_t pos = (size_t)hash_id(map->arena + entry_offset(e), entry_len(e)) & (new_cap - 1);
        while (index[pos] != 0)
            pos = (pos + 1) & (new_cap - 1);
        index[pos] = (uint32_t)i + 1;
    }
    free(map->index);
    map->index = index;
    map->index_cap = new_cap;
    return true;
}

/* Adds a new id (not already in the map). */
static enum fg_status id_map_add(struct reader *r, struct id_map *map, const char *id, size_t len,
                                 unsigned flags)
{
    if (map->n >= UINT32_MAX - 1 || map->arena_len + len >= ID_OFFSET_LIMIT)
        return fail(r, FG_ERR_LIMIT, r->record_line, "too many ids to join the two files");
    if (map->arena_len + len > map->arena_cap) {
        size_t cap = map->arena_cap ? map->arena_cap : 4096;
        while (cap < map->arena_len + len)
            cap *= 2;
        char *arena = realloc(map->arena, cap);
        if (arena == NULL)
            return fail(r, FG_ERR_NOMEM, 0, "out of memory");
        map->arena = arena;
        map->arena_cap = cap;
    }
    if (map->n == map->cap) {
        size_t cap = map->cap ? map->cap * 2 : 1024;
        struct id_entry *entries = realloc(map->entries, cap * sizeof *entries);
        if (entries == NULL)
            return fail(r, FG_ERR_NOMEM, 0, "out of memory");
        map->entries = entries;
        map->cap = cap;
    }
    /* at most 70% full */
    if ((map->n + 1) * 10 > map->index_cap * 7 &&
        !id_index_grow(map, map->index_cap ? map->index_cap * 2 : 2048))
        return fail(r, FG_ERR_NOMEM, 0, "out of memory");
    memcpy(map->arena + map->arena_len, id, len);
    struct id_entry *e = &map->entries[map->n];
    e->packed = ((uint64_t)map->arena_len << (ID_LEN_BITS + 3)) | ((uint64_t)len << 3) | flags;
    e->line = r->record_line;
    map->arena_len += len;
    size_t mask = map->index_cap - 1;
    size_t pos = (size_t)hash_id(id, len) & mask;
    while (map->index[pos] != 0)
        pos = (pos + 1) & mask;
    map->index[pos] = (uint32_t)map->n + 1;
    map->n++;
    return FG_OK;
}

/* Decisions by position: 2 bits a row (prediction, missing). */
struct position_bits {
    unsigned char *bits;
    uint64_t n;
    size_t cap; /* bytes */
};

static enum fg_status position_push(struct reader *r, struct position_bits *p, int prediction,
                                    bool missing)
{
    size_t byte = (size_t)(p->n / 4);
    if (byte >= p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4096;
        unsigned char *bits = realloc(p->bits, cap);
        if (bits == NULL)
            return fail(r, FG_ERR_NOMEM, 0, "out of memory");
        memset(bits + p->cap, 0, cap - p->cap);
        p->bits = bits;
        p->cap = cap;
    }
    unsigned shift = (unsigned)(p->n % 4) * 2;
    p->bits[byte] |= (unsigned char)(((prediction ? 1u : 0u) | (missing ? 2u : 0u)) << shift);
    p->n++;
    return FG_OK;
}

static void position_get(const struct position_bits *p, uint64_t index, int *prediction,
                         bool *missing)
{
    unsigned v = (p->bits[index / 4] >> ((unsigned)(index % 4) * 2)) & 3u;
    *prediction = (int)(v & 1u);
    *missing = (v & 2u) != 0;
}

/* ---- the run ---- */

enum join { JOIN_NONE, JOIN_ID, JOIN_POSITION };

struct ingest {
    const struct fg_policy *policy;
    struct fg_counts *counts;
    bool drop; /* missing: drop */
    enum join join;
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
    struct id_map ids;
    struct position_bits positions;
    unsigned long first_extra_line; /* first candidate row past the incumbent's rows */
    uint32_t value_ids[FG_MAX_PROTECTED];
    /* scores (score metrics gated only): which models' scores the counts keep, and the
     * incumbent file's scores, one per id map entry or per position, in the same order */
    bool keep_scores[2];
    double *file_scores;
    size_t n_file_scores, file_scores_cap;
};

/* Keeps the incumbent file's score of the entry or position just added. */
static enum fg_status file_score_push(struct ingest *in, struct reader *r, double score)
{
    if (in->n_file_scores == in->file_scores_cap) {
        size_t cap = in->file_scores_cap ? in->file_scores_cap * 2 : 4096;
        if (cap > SIZE_MAX / sizeof *in->file_scores)
            return fail(r, FG_ERR_LIMIT, r->record_line, "too many scores to join the two files");
        double *scores = realloc(in->file_scores, cap * sizeof *scores);
        if (scores == NULL)
            return fail(r, FG_ERR_NOMEM, 0, "out of memory");
        in->file_scores = scores;
        in->file_scores_cap = cap;
    }
    in->file_scores[in->n_file_scores++] = score;
    return FG_OK;
}

static void ingest_free(struct ingest *in)
{
    reader_free(&in->candidate);
    reader_free(&in->incumbent);
    free(in->label.other);
    free(in->candidate_model.binary.other);
    free(in->incumbent_model.binary.other);
    id_map_free(&in->ids);
    free(in->positions.bits);
    free(in->file_scores);
    fg_counts_free(in->counts);
}

static enum fg_status incumbent_row(struct reader *r, void *user)
{
    struct ingest *in = user;
    const struct slot *decision = &r->slots[in->incumbent_model.slot];
    int prediction = 0;
    double score = 0.0;
    bool missing = false;
    enum fg_status status;
    if (in->join == JOIN_ID) {
        const struct slot *id = &r->slots[in->incumbent_id_slot];
        if (id->len == 0) {
            if (!in->drop)
                return empty_value(r, id);
            r->rows_dropped++; /* nothing to match it with: both sides drop their own */
            return FG_OK;
        }
        const struct id_entry *seen = id_map_find(&in->ids, id->value, id->len);
        if (seen != NULL) {
            char shown[SHOW_MAX * 4 + 8];
            return fail(r, FG_ERR_INPUT, r->record_line,
                        "id '%s' appears twice in column '%s' (lines %llu and %lu)",
                        show(shown, sizeof shown, id->value, id->len), id->name,
                        (unsigned long long)seen->line, r->record_line);
        }
    }
    if (decision->len == 0) {
        if (!in->drop)
            return empty_value(r, decision);
        missing = true;
        r->rows_dropped++;
    } else if ((status = read_model(r, &in->incumbent_model, &prediction, &score)) != FG_OK) {
        return status;
    }
    if (in->join == JOIN_ID) {
        const struct slot *id = &r->slots[in->incumbent_id_slot];
        status = id_map_add(r, &in->ids, id->value, id->len,
                            (prediction ? ID_PREDICTION : 0u) | (missing ? ID_MISSING : 0u));
    } else {
        status = position_push(r, &in->positions, prediction, missing);
    }
    /* one score per entry or position, so that both share an index */
    if (status == FG_OK && in->keep_scores[1])
        status = file_score_push(in, r, score);
    return status;
}

/* The incumbent's decision (and its score, when kept) for this candidate row, from the
 * incumbent file. */
static enum fg_status match_incumbent(struct ingest *in, struct reader *r, int *prediction,
                                      double *score, bool *missing, bool *skip)
{
    *skip = false;
    *score = 0.0;
    if (in->join == JOIN_POSITION) {
        uint64_t index = r->rows - 1;
        if (index >= in->positions.n) {
            if (in->first_extra_line == 0)
                in->first_extra_line = r->record_line;
            *skip = true; /* reported with both row counts at the end */
            return FG_OK;
        }
        position_get(&in->positions, index, prediction, missing);
        if (in->keep_scores[1])
            *score = in->file_scores[index];
        return FG_OK;
    }
    const struct slot *id = &r->slots[in->id_slot];
    char shown[SHOW_MAX * 4 + 8];
    struct id_entry *e = id_map_find(&in->ids, id->value, id->len);
    if (e == NULL)
        return fail(r, FG_ERR_INPUT, r->record_line,
                    "id '%s' (column '%s') is not in the incumbent file %s",
                    show(shown, sizeof shown, id->value, id->len), id->name, in->incumbent.path);
    if (e->packed & ID_MATCHED)
        return fail(r, FG_ERR_INPUT, r->record_line,
                    "id '%s' appears twice in column '%s' (lines %llu and %lu)",
                    show(shown, sizeof shown, id->value, id->len), id->name,
                    (unsigned long long)e->line, r->record_line);
    e->packed |= ID_MATCHED;
    e->line = r->record_line;
    *prediction = (e->packed & ID_PREDICTION) != 0;
    *missing = (e->packed & ID_MISSING) != 0;
    if (in->keep_scores[1])
        *score = in->file_scores[e - in->ids.entries];
    return FG_OK;
}

static enum fg_status candidate_row(struct reader *r, void *user)
{
    struct ingest *in = user;
    struct fg_error *err = r->err;
    int y_true = 0, candidate = 0, incumbent = 0;
    double candidate_score = 0.0, incumbent_score = 0.0;
    bool incumbent_missing = false;
    enum fg_status status;
    if (in->join != JOIN_NONE) {
        if (in->join == JOIN_ID && r->slots[in->id_slot].len == 0) {
            if (!in->drop)
                return empty_value(r, &r->slots[in->id_slot]);
            r->rows_dropped++;
            return FG_OK;
        }
        bool skip;
        status = match_incumbent(in, r, &incumbent, &incumbent_score, &incumbent_missing, &skip);
        if (status != FG_OK || skip)
            return status;
    }
    for (size_t s = 0; s < r->n_slots; s++) {
        if (r->slots[s].len != 0)
            continue;
        if (!in->drop)
            return empty_value(r, &r->slots[s]);
        r->rows_dropped++;
        return FG_OK;
    }
    if (incumbent_missing)
        return FG_OK; /* dropped; counted in the incumbent file's rows_dropped */
    if ((status = read_binary(r, &in->label, &r->slots[in->label_slot], &y_true)) != FG_OK)
        return status;
    if ((status = read_model(r, &in->candidate_model, &candidate, &candidate_score)) != FG_OK)
        return status;
    if (in->incumbent_column &&
        (status = read_model(r, &in->incumbent_model, &incumbent, &incumbent_score)) != FG_OK)
        return status;
    size_t n_protected = in->policy->data.n_protected;
    for (size_t a = 0; a < n_protected; a++) {
        const struct slot *s = &r->slots[in->protected_slots[a]];
        struct fg_error inner;
        status = fg_counts_intern(in->counts, a, s->value, s->len, &in->value_ids[a], &inner);
        if (status != FG_OK)
            return fail(r, status, r->record_line, "column '%s': %s", s->name, inner.message);
    }
    struct fg_error inner;
    if (in->keep_scores[0] || in->keep_scores[1])
        status = fg_counts_add_scored(in->counts, in->value_ids, y_true, candidate, incumbent,
                                      candidate_score, incumbent_score, &inner);
    else
        status = fg_counts_add(in->counts, in->value_ids, y_true, candidate, incumbent, 1, &inner);
    if (status != FG_OK)
        return fg_error_set(err, status, r->path, r->record_line, 0, "%s", inner.message);
    return FG_OK;
}

/* Checks what policy.c validates too, so that a hand-built policy cannot crash ingest. */
static enum fg_status check_policy(const struct fg_policy *policy, struct fg_error *err)
{
    const char *where = policy->path;
    if (policy->data.label == NULL || policy->data.positive_label == NULL)
        return fg_error_set(err, FG_ERR_POLICY, where, 0, 0,
                            "data.label and data.positive_label are required");
    if (policy->data.n_protected > FG_MAX_PROTECTED)
        return fg_error_set(err, FG_ERR_LIMIT, where, 0, 0,
                            "%zu protected attributes; the limit is %d", policy->data.n_protected,
                            FG_MAX_PROTECTED);
    for (size_t i = 0; i < policy->data.n_protected; i++)
        if (policy->data.protected == NULL || policy->data.protected[i] == NULL)
            return fg_error_set(err, FG_ERR_POLICY, where, 0, 0,
                                "data.protected[%zu] names no column", i);
    const struct fg_model_spec *models[2] = {&policy->data.candidate, &policy->data.incumbent};
    const char *model_names[2] = {"data.candidate", "data.incumbent"};
    if (!policy->data.candidate.present)
        return fg_error_set(err, FG_ERR_POLICY, where, 0, 0, "data.candidate is required");
    for (size_t m = 0; m < 2; m++) {
        if (!models[m]->present)
            continue;
        if ((models[m]->prediction == NULL) == (models[m]->score == NULL))
            return fg_error_set(err, FG_ERR_POLICY, where, 0, 0,
                                "%s needs exactly one of prediction and score", model_names[m]);
        if (models[m]->prediction != NULL && policy->data.favorable_prediction == NULL)
            return fg_error_set(err, FG_ERR_POLICY, where, 0, 0,
                                "%s reads a prediction column, so data.favorable_prediction "
                                "is required",
                                model_names[m]);
        if (models[m]->score != NULL && !isfinite(models[m]->threshold))
            return fg_error_set(err, FG_ERR_POLICY, where, 0, 0, "%s needs a finite threshold",
                                model_names[m]);
    }
    char d = policy->data.delimiter;
    if (d == '"' || d == '\n' || d == '\r')
        return fg_error_set(err, FG_ERR_POLICY, where, 0, 0,
                            "data.delimiter cannot be a quote or a line break");
    return FG_OK;
}

static void input_info(struct fg_input_info *info, const struct reader *r)
{
    snprintf(info->path, sizeof info->path, "%s", r->path);
    memcpy(info->sha256, r->sha256, sizeof info->sha256);
    info->rows = r->rows;
    info->rows_dropped = r->rows_dropped;
}

/* After both files: every incumbent row matched exactly one candidate row. */
static enum fg_status check_join(struct ingest *in, struct fg_error *err)
{
    if (in->join == JOIN_POSITION && in->positions.n != in->candidate.rows)
        return fg_error_set(err, FG_ERR_INPUT, in->candidate.path, in->first_extra_line, 0,
                            "the candidate file has %llu data rows but the incumbent file %s "
                            "has %llu; without data.id the two files are matched by position",
                            (unsigned long long)in->candidate.rows, in->incumbent.path,
                            (unsigned long long)in->positions.n);
    if (in->join == JOIN_ID) {
        for (size_t i = 0; i < in->ids.n; i++) {
            const struct id_entry *e = &in->ids.entries[i];
            if (e->packed & ID_MATCHED)
                continue;
            char shown[SHOW_MAX * 4 + 8];
            return fg_error_set(
                err, FG_ERR_INPUT, in->incumbent.path, (unsigned long)e->line, 0,
                "id '%s' (column '%s') has no row in the candidate file %s",
                show(shown, sizeof shown, in->ids.arena + entry_offset(e), entry_len(e)),
                in->policy->data.id, in->candidate.path);
        }
    }
    return FG_OK;
}

enum fg_status fg_ingest_run(const struct fg_policy *policy,
                             const struct fg_ingest_options *options, struct fg_counts **out,
                             struct fg_ingest_result *info, struct fg_error *err)
{
    *out = NULL;
    if (info != NULL)
        memset(info, 0, sizeof *info);
    if (policy == NULL || options == NULL || options->candidate_path == NULL)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "no policy or no candidate file");
    enum fg_status status = check_policy(policy, err);
    if (status != FG_OK)
        return status;
    bool incumbent_file = options->incumbent_path != NULL;
    if (incumbent_file && !policy->data.incumbent.present)
        return fg_error_set(err, FG_ERR_USAGE, policy->path, 0, 0,
                            "an incumbent file was given, but the policy names no incumbent "
                            "model (data.incumbent)");

    struct ingest *in = calloc(1, sizeof *in);
    if (in == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    in->policy = policy;
    in->drop = policy->data.missing == FG_MISSING_DROP;
    unsigned char delimiter =
        (unsigned char)(policy->data.delimiter ? policy->data.delimiter : ',');
    in->join = !incumbent_file ? JOIN_NONE : policy->data.id ? JOIN_ID : JOIN_POSITION;
    status =
        fg_counts_new(policy->data.n_protected, policy->data.incumbent.present, &in->counts, err);
    if (status != FG_OK)
        goto failed;
    /* Scores are kept only for a gated score metric, of the models read from a score column. */
    bool score_gate = false, probability_gate = false;
    for (size_t g = 0; g < policy->n_gates; g++) {
        enum fg_metric metric = policy->gates[g].metric;
        score_gate = score_gate || fg_metric_is_score(metric);
        probability_gate =
            probability_gate || metric == FG_METRIC_BRIER || metric == FG_METRIC_CALIBRATION_GAP;
    }
    in->keep_scores[0] = score_gate && policy->data.candidate.score != NULL;
    in->keep_scores[1] =
        score_gate && policy->data.incumbent.present && policy->data.incumbent.score != NULL;
    if ((in->keep_scores[0] || in->keep_scores[1]) &&
        (status = fg_counts_keep_scores(in->counts, in->keep_scores[0], in->keep_scores[1], err)) !=
            FG_OK)
        goto failed;

    /* The incumbent file first: its decisions are looked up while the candidate streams. */
    if (incumbent_file) {
        struct reader *r = &in->incumbent;
        reader_init(r, options->incumbent_path, delimiter, incumbent_row, in, err);
        if (in->join == JOIN_ID)
            in->incumbent_id_slot = reader_need(r, policy->data.id, NULL);
        model_init(&in->incumbent_model, policy, &policy->data.incumbent, r, NULL,
                   probability_gate);
        if ((status = reader_run(r)) != FG_OK)
            goto failed;
    }

    struct reader *r = &in->candidate;
    reader_init(r, options->candidate_path, delimiter, candidate_row, in, err);
    if (in->join == JOIN_ID)
        in->id_slot = reader_need(r, policy->data.id, NULL);
    in->label_slot = reader_need(r, policy->data.label, NULL);
    binary_init(&in->label, policy->data.label, policy->data.positive_label, "positive label");
    for (size_t a = 0; a < policy->data.n_protected; a++)
        in->protected_slots[a] = reader_need(r, policy->data.protected[a], NULL);
    model_init(&in->candidate_model, policy, &policy->data.candidate, r, NULL, probability_gate);
    if (!incumbent_file && policy->data.incumbent.present) {
        in->incumbent_column = true;
        model_init(&in->incumbent_model, policy, &policy->data.incumbent, r,
                   " (or give --incumbent FILE)", probability_gate);
    }
    if ((status = reader_run(r)) != FG_OK)
        goto failed;
    if ((status = check_join(in, err)) != FG_OK)
        goto failed;
    /* No row left to judge would make every gate vacuous: that is an input error. */
    if (fg_counts_total(in->counts) == 0) {
        status = fg_error_set(err, FG_ERR_INPUT, in->candidate.path, 0, 0,
                              "no rows to judge (%llu data rows read, %llu dropped)",
                              (unsigned long long)in->candidate.rows,
                              (unsigned long long)in->candidate.rows_dropped);
        goto failed;
    }

    if (info != NULL) {
        input_info(&info->candidate, &in->candidate);
        if (incumbent_file)
            input_info(&info->incumbent, &in->incumbent);
        info->has_incumbent_file = incumbent_file;
    }
    *out = in->counts;
    in->counts = NULL;
    ingest_free(in);
    free(in);
    return FG_OK;

failed:
    ingest_free(in);
    free(in);
    return status;
}
