/*
 * ingest.c - CSV rows -> the cell table (lib/counts.c), streaming, through libcsv.
 *
 * A file is read in CHUNK_SIZE fread chunks; every byte goes through SHA-256 (the digest
 * the audit and the attestation record) in the same read that parses it (a large file
 * split among workers is hashed apart, and refused if it changed meanwhile), a UTF-8 byte
 * order mark at the start is skipped, and each chunk is fed to libcsv piece by piece so that
 * every record knows the line it starts on (a quoted field may span lines; a line ends at
 * '\n', so "\n" and "\r\n" end one, and a lone '\r' ends a record but not a line, as on the
 * fast path). The first record is the header; blank lines are ignored.
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
 * A large candidate file of a one-file run is read by workers in lib/ingest_parallel.c, which
 * calls back into the decoding here (fg_ingest_stream); lib/ingest.h holds the structs the
 * two share and states who owns what.
 */
#define _POSIX_C_SOURCE 200809L

#include "ingest.h"
#include "counts.h"
#include "csvread.h"
#include "fairgate.h"
#include "fastcsv.h"
#include "idset.h"
#include "metric.h"
#include "policy.h"
#include "util.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define BLOCK_SIZE        ((size_t)256 << 10) /* read buffer of a reader or a worker: stays in L2 */
#define MIN_BLOCK_SIZE    ((size_t)64)
#define PARALLEL_MIN      ((uint64_t)32 << 20) /* candidate files this big are split */
#define CHUNK_BYTES       ((uint64_t)1 << 20)  /* the byte range a worker takes at a time */
#define NO_SLOT           ((size_t)-1)
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

/* The hint for a value that looks missing ("" when it does not): "; 'NA' looks like ...". */
static const char *missing_hint(char *buf, size_t size, const char *value, size_t len)
{
    if (!fg_looks_missing(value, len))
        return "";
    snprintf(buf, size,
             "; '%.*s' looks like a missing value, but only an empty field is read as missing: "
             "write missing values as empty fields, and 'missing: drop' in data leaves those "
             "rows out",
             (int)len, value);
    return buf;
}

/* The hint for a score written with a decimal comma, "" for any other text. */
static const char *decimal_comma_hint(const char *value, size_t len)
{
    double number;
    if (!fg_comma_decimal(value, len, &number))
        return "";
    return "; it has a decimal comma, and a score's decimal point is '.': write the file with "
           "'.' (pandas: to_csv(decimal='.'), the default)";
}

/* ---- the reader: one CSV file through libcsv ---- */

/* The copy of an input that cannot be opened and read again (standard input, a named pipe
 * such as <(zcat x.gz), a device, a socket) in a two-file run: the aligned join writes every
 * byte given to it as it reads the input (and the rest of it when it gives up), so that the
 * hash join can read the same bytes again. A temporary file ($TMPDIR or /tmp), one per
 * input, made by spool_start and removed by spool_end. */
struct spool {
    int fd;    /* the copy, open for writing; -1: none */
    bool made; /* the aligned join opened the input and copied it */
    /* the hash join reads the copy (made), not the input; a copy is never written then */
    bool replay;
    char path[PATH_MAX];
};

/* Whether path is a regular file, which may be opened and read again. */
static bool regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* What a reader opens: its copy when the hash join reads it again, else the path given. */
static const char *reader_source(const struct reader *r)
{
    return r->spool != NULL && r->spool->replay ? r->spool->path : r->given;
}

static void reader_init(struct reader *r, const char *path, const char *role,
                        const struct fg_policy *policy, row_handler on_row, void *user,
                        struct fg_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = fg_instream_name(path);
    r->given = path;
    r->role = role;
    r->policy_path = policy->path;
    unsigned char delimiter =
        (unsigned char)(policy->data.delimiter ? policy->data.delimiter : ',');
    r->delimiter = delimiter;
    r->on_row = on_row;
    r->user = user;
    r->err = err;
    r->key_skip = NO_SLOT;
    fg_fastcsv_init(&r->fast, delimiter, FG_MAX_FIELD);
}

static void reader_free(struct reader *r)
{
    free(r->spans);
    r->spans = NULL;
    r->spans_cap = 0;
    free(r->ahead_spans);
    r->ahead_spans = NULL;
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

/* Registers a needed column, named by the policy's key at mark (NULL: unknown), and returns
 * its slot; a name needed twice shares one slot (the first key names it in messages). */
static size_t reader_need(struct reader *r, const char *name, const char *key,
                          const struct fg_mark *mark, const char *hint)
{
    for (size_t i = 0; i < r->n_slots; i++)
        if (strcmp(r->slots[i].name, name) == 0) {
            if (r->slots[i].optional) {
                r->slots[i].key = key;
                r->slots[i].mark = mark ? *mark : (struct fg_mark){0, 0};
            }
            r->slots[i].optional = false;
            return i;
        }
    struct slot *s = &r->slots[r->n_slots];
    s->name = name;
    s->key = key;
    s->mark = mark ? *mark : (struct fg_mark){0, 0};
    s->hint = hint ? hint : "";
    s->optional = false;
    return r->n_slots++;
}

/* Registers a column read only when the header has it (slot's absent says). */
static size_t reader_want(struct reader *r, const char *name)
{
    for (size_t i = 0; i < r->n_slots; i++)
        if (strcmp(r->slots[i].name, name) == 0)
            return i;
    size_t slot = reader_need(r, name, NULL, NULL, NULL);
    r->slots[slot].optional = true;
    return slot;
}

enum fg_status fg_ingest_fail(struct reader *r, enum fg_status code, unsigned long line,
                              const char *fmt, ...)
{
    char message[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    fg_vsnprintf_c(message, sizeof message, fmt, ap);
    va_end(ap);
    return fg_error_set(r->err, code, r->path, line, 0, "%s", message);
}

/* ---- a needed column the header lacks ---- */

#define COLUMNS_SHOWN 300 /* bytes of the header's names listed in a message */

/* The header name that slot_name was likely meant to be, or NULL: one equal but for case,
 * else the closest case-blind within an edit distance of a quarter of its length (at least
 * 1), so that a sibling (pred_lr for pred_gb) is no suggestion; a name of one or two bytes
 * only by one that starts alike. */
static const char *suggest_column(const struct reader *r, const char *slot_name)
{
    char word[SHOW_MAX + 1], name[SHOW_MAX + 1];
    size_t len = strlen(slot_name);
    if (len > SHOW_MAX)
        return NULL;
    for (size_t i = 0; i <= len; i++)
        word[i] = (char)tolower((unsigned char)slot_name[i]);
    size_t cap = len / 4 > 1 ? len / 4 : 1, best_distance = cap + 1;
    const char *best = NULL;
    for (size_t i = 0; i < r->n_names; i++) {
        size_t n = strlen(r->names[i]);
        if (n == 0 || n > SHOW_MAX)
            continue;
        for (size_t k = 0; k <= n; k++)
            name[k] = (char)tolower((unsigned char)r->names[i][k]);
        size_t d = fg_edit_distance(word, name, cap);
        bool same_start = name[0] == word[0];
        if (d > cap || (len <= 2 && !same_start))
            continue; /* 'y' for 'p' is no hint */
        /* on a tie, a name that starts like the word is the likelier one */
        if (d < best_distance ||
            (d == best_distance && same_start && tolower((unsigned char)best[0]) != word[0])) {
            best_distance = d;
            best = r->names[i];
        }
    }
    return best;
}

/* "a, b, c" of the header's names, escaped, cut after COLUMNS_SHOWN bytes ("... and 12
 * more"). */
static void list_columns(const struct reader *r, char *out, size_t size)
{
    size_t used = 0, i = 0;
    out[0] = '\0';
    for (; i < r->n_names && used < COLUMNS_SHOWN; i++) {
        char shown[SHOW_MAX * 4 + 8];
        show(shown, sizeof shown, r->names[i], strlen(r->names[i]));
        int n = snprintf(out + used, size - used, "%s%s", i ? ", " : "", shown[0] ? shown : "''");
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (i < r->n_names)
        snprintf(out + used, size - used, "%s... and %zu more", used ? ", " : "", r->n_names - i);
}

/* Whether the header has a column of that name. */
static bool header_has(const struct reader *r, const char *name)
{
    for (size_t i = 0; name != NULL && i < r->n_names; i++)
        if (strcmp(r->names[i], name) == 0)
            return true;
    return false;
}

/* In a two-file run, a file that has the other model's column and not its own was likely
 * given as the other file: says so in place of a suggestion. */
static void swap_hint(const struct reader *r, char *out, size_t size)
{
    if (r->other_model == NULL || header_has(r, r->own_model) || !header_has(r, r->other_model))
        return;
    bool candidate = strcmp(r->role, "candidate file") == 0;
    char shown[SHOW_MAX * 4 + 8];
    show(shown, sizeof shown, r->other_model, strlen(r->other_model));
    snprintf(out, size, " (it has the %s's column '%s': are --candidate and --incumbent swapped?)",
             candidate ? "incumbent" : "candidate", shown);
}

/* The error for a needed column the header lacks: at the place in the policy that names it
 * (at the header's line when the policy was not read from a file), which file lacks it, a
 * suggestion, and the columns the file has. */
static enum fg_status missing_column(struct reader *r, const struct slot *slot)
{
    char suggestion[SHOW_MAX * 4 + 128] = "", columns[COLUMNS_SHOWN + SHOW_MAX * 4 + 64];
    const char *near = suggest_column(r, slot->name);
    if (near != NULL)
        snprintf(suggestion, sizeof suggestion, " (did you mean '%s'?)", near);
    list_columns(r, columns, sizeof columns);
    if (near == NULL && r->n_names == 1) { /* a header read with the wrong delimiter */
        static const char *const delimiters[] = {",", ";", "\t", "|"};
        static const char *const written[] = {",", ";", "\\t", "|"};
        for (size_t i = 0; i < sizeof delimiters / sizeof delimiters[0]; i++)
            if ((unsigned char)delimiters[i][0] != r->delimiter &&
                strchr(r->names[0], delimiters[i][0]) != NULL) {
                snprintf(suggestion, sizeof suggestion,
                         " (the header is one column: is data.delimiter \"%s\"?)", written[i]);
                break;
            }
    }
    swap_hint(r, suggestion, sizeof suggestion);
    const char *plural = r->n_names == 1 ? "" : "s";
    if (slot->mark.line == 0 || slot->key == NULL || r->policy_path == NULL)
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                              "no column '%s'%s%s; the %s has %zu column%s: %s", slot->name,
                              suggestion, slot->hint, r->role, r->n_names, plural, columns);
    return fg_error_set(r->err, FG_ERR_INPUT, r->policy_path, slot->mark.line, slot->mark.column,
                        "%s names column '%s', but the %s %s has no column '%s'%s%s; its %zu "
                        "column%s (line %lu): %s",
                        slot->key, slot->name, r->role, r->path, slot->name, suggestion, slot->hint,
                        r->n_names, plural, r->lines.record_line, columns);
}

/* Finds every needed column in the header: exactly once each. */
static enum fg_status match_header(struct reader *r)
{
    r->slot_of = malloc((r->n_names ? r->n_names : 1) * sizeof *r->slot_of);
    if (r->slot_of == NULL)
        return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
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
            return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                                  "column '%s' appears twice in the header (columns %zu and %zu)",
                                  slot->name, first + 1, second + 1);
        if (first == NO_SLOT && slot->optional) {
            slot->absent = true;
            continue;
        }
        if (first == NO_SLOT)
            return missing_column(r, slot);
        slot->column = first;
        r->slot_of[first] = (int32_t)s;
    }
    return FG_OK;
}

static void begin_record(struct reader *r)
{
    fg_csv_lines_begin_record(&r->lines);
    r->field = 0;
}

static enum fg_status header_field(struct reader *r, const char *field, size_t len)
{
    if (r->n_names >= FG_MAX_COLUMNS)
        return fg_ingest_fail(r, FG_ERR_LIMIT, r->lines.record_line,
                              "the header has more than %d columns (the limit)", FG_MAX_COLUMNS);
    if (r->n_names == r->names_cap) {
        size_t cap = r->names_cap ? r->names_cap * 2 : 32;
        char **names = realloc(r->names, cap * sizeof *names);
        if (names == NULL)
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
        r->names = names;
        r->names_cap = cap;
    }
    r->names[r->n_names] = fg_strndup(field, len);
    if (r->names[r->n_names] == NULL)
        return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
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
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
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
    if (!r->lines.in_record)
        begin_record(r);
    size_t index = r->field++;
    if (len > FG_MAX_FIELD) {
        r->status = fg_ingest_fail(r, FG_ERR_LIMIT, r->lines.record_line,
                                   "field %zu is longer than the limit of %u bytes", index + 1,
                                   (unsigned)FG_MAX_FIELD);
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
    if (!r->lines.in_record)
        begin_record(r); /* not reached: libcsv submits a field before every record end */
    r->lines.in_record = false;
    if (!r->header_done) {
        r->header_done = true;
        r->status = match_header(r);
        return;
    }
    r->rows++;
    if (r->field != r->n_names) {
        r->status = fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                                   "the row has %zu field%s, the header has %zu", r->field,
                                   r->field == 1 ? "" : "s", r->n_names);
        return;
    }
    r->status = r->on_row(r, r->user);
}

/* The one place libcsv's error codes become fairgate errors. at_end: from csv_fini. */
static enum fg_status csv_failure(struct reader *r, struct csv_parser *parser, bool at_end)
{
    int code = csv_error(parser);
    switch (code) {
    case CSV_EPARSE:
        if (at_end)
            return fg_ingest_fail(r, FG_ERR_INPUT, fg_csv_lines_open_record(&r->lines),
                                  "a quoted field is not closed before the end of the file");
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.line,
                              "malformed quoting: a '\"' inside an unquoted field, or text after a "
                              "closing '\"' (double a quote inside a quoted field)");
    case CSV_ENOMEM:
        if (fg_csv_field_too_long(parser, FIELD_BUFFER_STEP))
            return fg_ingest_fail(r, FG_ERR_LIMIT, fg_csv_lines_open_record(&r->lines),
                                  "a field is longer than the limit of %u bytes",
                                  (unsigned)FG_MAX_FIELD);
        return fg_ingest_fail(r, FG_ERR_NOMEM, r->lines.line, "out of memory");
    case CSV_ETOOBIG:
        return fg_ingest_fail(r, FG_ERR_LIMIT, r->lines.line, "a field is too large");
    default:
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.line, "CSV error: %s", csv_strerror(code));
    }
}

/* Feeds bytes to libcsv, counting lines (lib/csvread.c). */
static enum fg_status feed(struct reader *r, struct csv_parser *parser, const char *bytes,
                           size_t len)
{
    if (fg_csv_feed_lines(&r->lines, parser, bytes, len, on_field, on_record, r, &r->status))
        return FG_OK;
    return r->status != FG_OK ? r->status : csv_failure(r, parser, false);
}

/* ---- the row cache ----
 *
 * The columns a one-file run reads (label, protected attributes, decisions) take few distinct
 * combinations. The first row of each combination goes through on_row: every check and
 * message, interning, its cell created in file order. The cache then keeps the combination's
 * bytes and that cell, and counts the later rows with the same bytes, which are added to the
 * table in one go (cache_flush) when the stream ends. Such a row would pass every check on_row
 * makes and land in the same cell: the checks depend only on its bytes and on state the first
 * row already settled (a binary column's other value, interned values, an existing cell).
 * Runs that keep scores or join two files do not use it. */

#define CACHE_MAX_KEY     256  /* bytes of one row's key; longer rows are not cached */
#define CACHE_MAX_ENTRIES 4096 /* combinations kept; later ones are not cached */
#define CACHE_SLOTS       8192 /* a power of two, at least twice CACHE_MAX_ENTRIES */

struct cache_entry {
    uint64_t hash;
    uint32_t offset, len; /* of the key in the arena */
    uint64_t pending;     /* later rows counted here, not yet in the table */
    uint32_t ids[FG_MAX_PROTECTED];
    unsigned bits; /* y_true | candidate << 1 | incumbent << 2 */
};

struct row_cache {
    struct fg_counts *counts; /* where cache_flush adds, borrowed */
    size_t n_ids;
    struct cache_entry *entries;
    size_t n, cap;
    uint32_t index[CACHE_SLOTS]; /* entry + 1, or 0 */
    char *arena;
    size_t arena_len, arena_cap;
    size_t keyed[MAX_SLOTS]; /* the header columns of the key (cache_columns) */
    size_t n_keyed;
    bool keyed_set;
};

struct row_cache *fg_ingest_cache_new(struct fg_counts *counts, size_t n_ids)
{
    struct row_cache *cache = calloc(1, sizeof *cache);
    if (cache != NULL) {
        cache->counts = counts;
        cache->n_ids = n_ids;
    }
    return cache;
}

void fg_ingest_cache_free(struct row_cache *cache)
{
    if (cache == NULL)
        return;
    free(cache->entries);
    free(cache->arena);
    free(cache);
}

/* Forgets every combination (their rows must have been flushed) and adds to counts from now. */
void fg_ingest_cache_reset(struct row_cache *cache, struct fg_counts *counts)
{
    cache->counts = counts;
    cache->n = 0;
    cache->arena_len = 0;
    memset(cache->index, 0, sizeof cache->index);
}

/* A lean key's length: its words' bytes plus this flag, so that it never equals a byte key's
 * (cache_key's, at most CACHE_MAX_KEY + 1) and the two kinds never match each other. */
#define LEAN_KEY ((size_t)1 << 30)
#define LEAN_MAX 14 /* fields of a lean key: 4 bits of length each beside the extra byte */

/* A key is padded with zero bytes to whole 8-byte words (CACHE_MAX_KEY is a multiple of 8). */
static size_t key_words(size_t len)
{
    return ((len & (LEAN_KEY - 1)) + 7) / 8;
}

static uint64_t key_hash(const char *key, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, word;
    for (size_t i = 0; i < key_words(len); i++) {
        memcpy(&word, key + 8 * i, 8);
        h = (h ^ word) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    return h;
}

/* The columns of the cache key, in slot order but the key_skip slot: set on the first key
 * (a cache serves one reader, whose header is read by then). */
static void cache_columns(struct row_cache *cache, const struct reader *r)
{
    cache->n_keyed = 0;
    for (size_t s = 0; s < r->n_slots; s++)
        if (s != r->key_skip)
            cache->keyed[cache->n_keyed++] = r->slots[s].column;
    cache->keyed_set = true;
}

/* The key of the current record: each needed field's length (one byte) and bytes (but the
 * key_skip slot's), then the hook's extra byte when there is a hook, then zero bytes to the
 * next whole word. false: too long to cache. Bytes are copied 8 at a time where the buffer
 * has them (past len they are overwritten or zeroed): fields of at most 8 bytes, nearly all,
 * take a loop without the length check, as MAX_SLOTS of them fill at most 9 * MAX_SLOTS
 * bytes, under CACHE_MAX_KEY. */
static bool cache_key(const struct reader *r, struct row_cache *cache, unsigned extra,
                      const char *record_end, char key[CACHE_MAX_KEY + 8], size_t *len)
{
    if (!cache->keyed_set)
        cache_columns(cache, r);
    size_t n = 0, k = 0;
    /* locals, which the stores to key (a char array, so aliasing anything) do not reload */
    const struct fg_csv_span *spans = r->spans;
    const size_t *keyed = cache->keyed, n_keyed = cache->n_keyed;
    /* every field starts at most at the record's end: 8 bytes from each are in the buffer */
    if (record_end + 8 <= r->buf_end)
        for (; k < n_keyed && spans[keyed[k]].len <= 8; k++) {
            key[n] = (char)spans[keyed[k]].len;
            memcpy(key + n + 1, spans[keyed[k]].bytes, 8);
            n += spans[keyed[k]].len + 1;
        }
    for (; k < cache->n_keyed; k++) {
        const struct fg_csv_span *field = &r->spans[cache->keyed[k]];
        /* n <= CACHE_MAX_KEY here: room for the length byte and the bytes, without the
         * unsigned wrap of CACHE_MAX_KEY - 1 - n when a key filled it exactly (fuzz_ingest) */
        if (field->len >= CACHE_MAX_KEY - n)
            return false;
        key[n++] = (char)field->len;
        if (field->len <= 8 && field->bytes + 8 <= r->buf_end)
            memcpy(key + n, field->bytes, 8);
        else
            memcpy(key + n, field->bytes, field->len);
        n += field->len;
    }
    if (r->before_row != NULL) {
        if (n >= CACHE_MAX_KEY)
            return false;
        key[n++] = (char)extra;
    }
    memset(key + n, 0, 8);
    *len = n;
    return true;
}

/* The record's key when every field of it has at most 8 bytes and the buffer holds 8 bytes
 * from each (nearly every row): a word of the extra byte and each field's length (4 bits),
 * then each field's bytes as one word, zero past its length; built and hashed in registers
 * from one load a field. false: cache_key makes the key. */
static bool lean_key(const struct reader *r, const struct row_cache *cache, unsigned extra,
                     const char *record_end, uint64_t key[LEAN_MAX + 1], size_t *len,
                     uint64_t *hash)
{
    const size_t n_keyed = cache->n_keyed;
    if (!cache->keyed_set || n_keyed > LEAN_MAX || record_end + 8 > r->buf_end)
        return false;
    const struct fg_csv_span *spans = r->spans;
    uint64_t lens = extra & 0xffu, h = 0x9e3779b97f4a7c15ULL;
    for (size_t k = 0; k < n_keyed; k++) {
        const struct fg_csv_span *field = &spans[cache->keyed[k]];
        if (field->len > 8)
            return false;
        uint64_t word;
        memcpy(&word, field->bytes, 8);
        /* the low len bytes (little-endian), without a shift by 64 */
        word &= ((uint64_t)1 << (4 * field->len) << (4 * field->len)) - 1;
        key[k + 1] = word;
        lens |= (uint64_t)field->len << (8 + 4 * k);
        h = (h + word) * 0xff51afd7ed558ccdULL;
    }
    key[0] = lens;
    h = (h ^ lens ^ (h >> 29)) * 0xc4ceb9fe1a85ec53ULL;
    *hash = h ^ (h >> 32);
    *len = LEAN_KEY + 8 * (n_keyed + 1);
    return true;
}

static bool key_equal(const char *a, const char *b, size_t len)
{
    uint64_t x, y, differ = 0;
    for (size_t i = 0; i < key_words(len); i++) {
        memcpy(&x, a + 8 * i, 8);
        memcpy(&y, b + 8 * i, 8);
        differ |= x ^ y;
    }
    return differ == 0;
}

static struct cache_entry *cache_find(struct row_cache *cache, const char *key, size_t len,
                                      uint64_t hash, size_t *slot)
{
    size_t pos = (size_t)hash & (CACHE_SLOTS - 1);
    for (; cache->index[pos] != 0; pos = (pos + 1) & (CACHE_SLOTS - 1)) {
        struct cache_entry *e = &cache->entries[cache->index[pos] - 1];
        if (e->hash == hash && e->len == len && key_equal(cache->arena + e->offset, key, len))
            return e;
    }
    *slot = pos;
    return NULL;
}

/* Keeps a combination whose first row on_row counted in cell (ids, bits). Out of memory or
 * full: it is simply not kept. */
static void cache_insert(struct row_cache *cache, const char *key, size_t len, uint64_t hash,
                         size_t slot, const uint32_t *ids, unsigned bits)
{
    if (cache->n >= CACHE_MAX_ENTRIES)
        return;
    if (cache->n == cache->cap) {
        size_t cap = cache->cap ? cache->cap * 2 : 64;
        struct cache_entry *entries = realloc(cache->entries, cap * sizeof *entries);
        if (entries == NULL)
            return;
        cache->entries = entries;
        cache->cap = cap;
    }
    size_t padded = 8 * key_words(len);
    if (cache->arena_len + padded > cache->arena_cap) {
        size_t cap = cache->arena_cap ? cache->arena_cap * 2 : 4096;
        while (cap < cache->arena_len + padded)
            cap *= 2;
        char *arena = realloc(cache->arena, cap);
        if (arena == NULL)
            return;
        cache->arena = arena;
        cache->arena_cap = cap;
    }
    struct cache_entry *e = &cache->entries[cache->n];
    memcpy(cache->arena + cache->arena_len, key, padded);
    e->hash = hash;
    e->offset = (uint32_t)cache->arena_len;
    e->len = (uint32_t)len;
    e->pending = 0;
    memcpy(e->ids, ids, cache->n_ids * sizeof *ids);
    e->bits = bits;
    cache->arena_len += padded;
    cache->index[slot] = (uint32_t)++cache->n;
}

/* Adds the rows counted in the cache to its table. */
static enum fg_status cache_flush(struct reader *r, struct row_cache *cache)
{
    for (size_t i = 0; i < cache->n; i++) {
        struct cache_entry *e = &cache->entries[i];
        if (e->pending == 0)
            continue;
        struct fg_error inner;
        enum fg_status status =
            fg_counts_add(cache->counts, e->ids, (e->bits & 1u) != 0, (e->bits & 2u) != 0,
                          (e->bits & 4u) != 0, e->pending, &inner);
        if (status != FG_OK)
            return fg_error_set(r->err, status, r->path, 0, 0, "%s", inner.message);
        e->pending = 0;
    }
    return FG_OK;
}

/* ---- the fast path: records from lib/fastcsv.c ---- */

static enum fg_status spans_reserve(struct reader *r, size_t n)
{
    if (n <= r->spans_cap)
        return FG_OK;
    struct fg_csv_span *spans = realloc(r->spans, n * sizeof *spans);
    if (spans == NULL)
        return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
    r->spans = spans;
    r->spans_cap = n;
    return FG_OK;
}

#define AHEAD_ROWS 8 /* records tokenized ahead of the one read (fast_block_ahead) */

/* One record of the fast path: what on_field and on_record do for libcsv's records. */
static enum fg_status fast_record(struct reader *r, const struct fg_fastcsv_record *rec)
{
    enum fg_status status;
    r->lines.record_line = r->lines.line;
    r->field = rec->n_fields;
    if (!r->header_done) {
        /* header_field stops at FG_MAX_COLUMNS, within the spans fast_block reserved */
        for (size_t i = 0; i < rec->n_fields; i++)
            if ((status = header_field(r, r->spans[i].bytes, r->spans[i].len)) != FG_OK)
                return status;
        r->header_done = true;
        if ((status = match_header(r)) != FG_OK)
            return status;
        /* room for a window's fields: lib/fastcsv.c reads a short record in one step */
        if ((status = spans_reserve(
                 r, r->n_names > FG_FASTCSV_WINDOW ? r->n_names : FG_FASTCSV_WINDOW)) != FG_OK)
            return status;
        if (r->ahead != NULL && r->ahead_spans == NULL &&
            (r->ahead_spans = malloc(AHEAD_ROWS * r->spans_cap * sizeof *r->ahead_spans)) == NULL)
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
        return FG_OK;
    }
    r->rows++;
    r->fast_bytes += rec->next - rec->start;
    if (rec->n_fields != r->n_names)
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                              "the row has %zu field%s, the header has %zu", rec->n_fields,
                              rec->n_fields == 1 ? "" : "s", r->n_names);
    uint64_t key[(CACHE_MAX_KEY + 8) / 8];
    size_t key_len = 0, cache_slot = 0;
    uint64_t hash = 0;
    unsigned extra = 0;
    bool cacheable = true;
    if (r->before_row != NULL && (status = r->before_row(r, r->user, &extra, &cacheable)) != FG_OK)
        return status;
    const char *record_end = r->spans[0].bytes + (rec->next - rec->start);
    bool keyed = r->cache != NULL && cacheable;
    if (keyed && !lean_key(r, r->cache, extra, record_end, key, &key_len, &hash)) {
        keyed = cache_key(r, r->cache, extra, record_end, (char *)key, &key_len);
        hash = keyed ? key_hash((const char *)key, key_len) : 0;
    }
    if (keyed) {
        struct cache_entry *e = cache_find(r->cache, (const char *)key, key_len, hash, &cache_slot);
        if (e != NULL) {
            e->pending++;
            return FG_OK;
        }
    }
    for (size_t s = 0; s < r->n_slots; s++) {
        struct slot *slot = &r->slots[s];
        if (slot->absent)
            continue;
        const struct fg_csv_span *field = &r->spans[slot->column];
        if (field->len + 1 <= slot->cap) {
            memcpy(slot->value, field->bytes, field->len);
            slot->value[field->len] = '\0';
            slot->len = field->len;
        } else if ((status = slot_store(r, slot, field->bytes, field->len)) != FG_OK) {
            return status;
        }
    }
    r->offer = false;
    if ((status = r->on_row(r, r->user)) != FG_OK)
        return status;
    if (keyed && r->offer)
        cache_insert(r->cache, (const char *)key, key_len, hash, cache_slot, r->offer_ids,
                     r->offer_bits);
    return FG_OK;
}

#define PREFETCH_AHEAD 1024 /* bytes */

/* Reads the records of buf[*pos..len) on the fast path, up to the first one that does not
 * end in buf (unless final) or that only libcsv may read (*bail). *pos: where it stopped. */
static enum fg_status fast_block_ahead(struct reader *r, const char *buf, size_t len, size_t *pos,
                                       bool final, bool *bail);

static enum fg_status fast_block(struct reader *r, const char *buf, size_t len, size_t *pos,
                                 bool final, bool *bail)
{
    struct fg_fastcsv_record rec;
    enum fg_status status;
    if (r->ahead_spans != NULL && r->header_done)
        return fast_block_ahead(r, buf, len, pos, final, bail);
    r->buf_end = buf + len;
    for (;;) {
        /* the buffer was written on another core (lib/ingest_parallel.c): ask for it ahead
         * (make bench: -7 % CPU) */
        if (len - *pos > PREFETCH_AHEAD)
            __builtin_prefetch(buf + *pos + PREFETCH_AHEAD);
        enum fg_fastcsv_result result =
            fg_fastcsv_next(&r->fast, buf, len, *pos, final, r->spans, r->spans_cap, &rec);
        if (result == FG_FASTCSV_RECORD && !r->header_done && rec.n_fields > r->spans_cap &&
            r->spans_cap <= FG_MAX_COLUMNS) {
            size_t want = rec.n_fields <= FG_MAX_COLUMNS ? rec.n_fields : FG_MAX_COLUMNS + 1;
            if ((status = spans_reserve(r, want)) != FG_OK)
                return status;
            continue; /* the header again, with room for every field */
        }
        r->lines.line += rec.newlines_before;
        if (result != FG_FASTCSV_RECORD) {
            *pos = result == FG_FASTCSV_END ? len : rec.start;
            *bail = result == FG_FASTCSV_QUOTE || result == FG_FASTCSV_LONG;
            return FG_OK;
        }
        if ((status = fast_record(r, &rec)) != FG_OK)
            return status;
        if (rec.newline_ended)
            r->lines.line++;
        *pos = rec.next;
    }
}

/* ---- reading ahead: the hash join's lookups wait on memory, rows in the file's order ----
 *
 * With a reader's ahead hook, fast_block tokenizes AHEAD_ROWS records before it reads them
 * and tells the hook each one (the hash join prefetches the table slot of its id), so each
 * lookup finds its slot in cache. Records are still read one by one in the file's order,
 * with their lines, exactly as fast_block reads them; only the tokenizing runs ahead. */

struct ahead_record {
    struct fg_fastcsv_record rec;
    struct fg_csv_span *spans; /* spans_cap of them, in r->ahead_spans */
};

static enum fg_status fast_block_ahead(struct reader *r, const char *buf, size_t len, size_t *pos,
                                       bool final, bool *bail)
{
    struct ahead_record ring[AHEAD_ROWS];
    for (size_t k = 0; k < AHEAD_ROWS; k++)
        ring[k].spans = r->ahead_spans + k * r->spans_cap;
    size_t head = 0, held = 0, at = *pos;
    enum fg_fastcsv_result result = FG_FASTCSV_RECORD;
    struct fg_fastcsv_record stop = {0};
    r->buf_end = buf + len;
    for (;;) {
        while (held < AHEAD_ROWS && result == FG_FASTCSV_RECORD) {
            struct ahead_record *a = &ring[(head + held) % AHEAD_ROWS];
            result =
                fg_fastcsv_next(&r->fast, buf, len, at, final, a->spans, r->spans_cap, &a->rec);
            if (result != FG_FASTCSV_RECORD) {
                stop = a->rec;
                break;
            }
            r->ahead(r, r->user, a->spans,
                     a->rec.n_fields < r->spans_cap ? a->rec.n_fields : r->spans_cap);
            at = a->rec.next;
            held++;
        }
        if (held == 0)
            break;
        const struct ahead_record *a = &ring[head];
        size_t n = a->rec.n_fields < r->spans_cap ? a->rec.n_fields : r->spans_cap;
        memcpy(r->spans, a->spans, n * sizeof *r->spans);
        r->lines.line += a->rec.newlines_before;
        enum fg_status status = fast_record(r, &a->rec);
        if (status != FG_OK)
            return status;
        if (a->rec.newline_ended)
            r->lines.line++;
        *pos = a->rec.next;
        head = (head + 1) % AHEAD_ROWS;
        held--;
    }
    /* as fast_block, for the record it stopped at */
    r->lines.line += stop.newlines_before;
    *pos = result == FG_FASTCSV_END ? len : stop.start;
    *bail = result == FG_FASTCSV_QUOTE || result == FG_FASTCSV_LONG;
    return FG_OK;
}

enum fg_status fg_ingest_records(struct reader *r, const char *bytes, size_t len)
{
    size_t pos = 0;
    bool bail = false;
    enum fg_status status = fast_block(r, bytes, len, &pos, true, &bail);
    if (status == FG_OK && bail)
        r->bailed = true;
    else if (status == FG_OK && r->cache != NULL)
        status = cache_flush(r, r->cache);
    return status;
}

enum fg_status fg_ingest_record_read(struct reader *r, const char *bytes, size_t len, size_t pos,
                                     struct fg_fastcsv_record *rec, bool *end)
{
    r->buf_end = bytes + len;
    enum fg_fastcsv_result result =
        fg_fastcsv_next(&r->fast, bytes, len, pos, true, r->spans, r->spans_cap, rec);
    r->lines.line += rec->newlines_before;
    *end = result == FG_FASTCSV_END;
    if (*end || result == FG_FASTCSV_RECORD)
        return FG_OK;
    r->bailed = true;
    return FG_ERR_INPUT; /* only libcsv may read it: the caller reads the file in order */
}

enum fg_status fg_ingest_record_decode(struct reader *r, const struct fg_fastcsv_record *rec)
{
    return fast_record(r, rec);
}

/* ---- reading bytes ---- */

/* Reads up to want bytes, fewer only at the end (*eof then). -1 on a read error. */
ssize_t fg_ingest_source_read(struct source *src, char *buf, size_t want, bool *eof)
{
    if (src->stream != NULL) {
        ssize_t got = fg_instream_read(src->stream, buf, want, eof, src->err);
        src->offset = fg_instream_offset(src->stream);
        return got;
    }
    bool at_end = false;
    if (src->end != UINT64_MAX && want >= src->end - src->offset) {
        want = (size_t)(src->end - src->offset);
        at_end = true;
    }
    ssize_t got = fg_read_full(src->fd, buf, want, (off_t)src->offset, eof);
    if (got < 0)
        return -1;
    src->offset += (uint64_t)got;
    *eof = *eof || at_end;
    return got;
}

static bool parser_start(struct reader *r, struct csv_parser *parser)
{
    return fg_csv_init(parser, r->delimiter, FIELD_BUFFER_STEP);
}

static void tell_progress(const struct reader *r, const struct source *src)
{
    const struct progress *p = r->progress;
    if (p != NULL && p->fn != NULL)
        p->fn(p->done_before + src->offset, p->total, p->rows_before + r->rows, p->user);
}

/* Streams src through the fast path, and through libcsv from the first record the fast path
 * gives up on (a '"', a field past the limit, a record longer than the buffer) to the end:
 * libcsv then starts on a record boundary, so every record is read as libcsv alone would.
 * fast false: libcsv from the start. fallback false (a worker): stop there, r->bailed.
 * file_start: src starts the file (a byte order mark is skipped). A stream source hashes
 * the bytes it gives as it gives them. */
enum fg_status fg_ingest_stream(struct reader *r, struct source *src, bool file_start, char *buf,
                                size_t cap, bool fast, bool fallback)
{
    struct csv_parser parser;
    bool parser_ready = false;
    enum fg_status status = FG_OK;
    size_t carry = 0;
    if (!fast) {
        if (!parser_start(r, &parser))
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
        parser_ready = true;
    }
    for (;;) {
        bool eof = false;
        ssize_t got = fg_ingest_source_read(src, buf + carry, cap - carry, &eof);
        if (got < 0) {
            status = src->stream != NULL
                         ? src->err->code
                         : fg_ingest_fail(r, FG_ERR_IO, 0, "read error: %s", strerror(errno));
            goto done;
        }
        size_t len = carry + (size_t)got, pos = 0;
        if (file_start) {
            file_start = false;
            if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
                pos = 3; /* UTF-8 byte order mark */
        }
        if (fast) {
            bool bail = false;
            if ((status = fast_block(r, buf, len, &pos, eof, &bail)) != FG_OK)
                goto done;
            if (!bail && !eof && pos == 0 && len == cap)
                bail = true; /* one record fills the buffer */
            carry = len - pos;
            if (bail && !fallback) {
                r->bailed = true;
                goto done;
            }
            if (bail) {
                if (!parser_start(r, &parser)) {
                    status = fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
                    goto done;
                }
                parser_ready = true;
                fast = false;
                carry = 0;
                if ((status = feed(r, &parser, buf + pos, len - pos)) != FG_OK)
                    goto done;
            } else if (carry > 0) {
                memmove(buf, buf + pos, carry);
            }
        } else if ((status = feed(r, &parser, buf + pos, len - pos)) != FG_OK) {
            goto done;
        }
        tell_progress(r, src);
        if (eof)
            break;
    }
    if (parser_ready) {
        if (csv_fini(&parser, on_field, on_record, r) != 0) {
            status = r->status != FG_OK ? r->status : csv_failure(r, &parser, true);
            goto done;
        }
        status = r->status;
    }
    if (status == FG_OK && r->cache != NULL)
        status = cache_flush(r, r->cache);
done:
    if (parser_ready)
        csv_free(&parser);
    return status;
}

/* ---- reading decisions ---- */

static void binary_init(struct binary_column *b, const char *column, const char *positive,
                        const char *positive_is, const char *policy_key)
{
    memset(b, 0, sizeof *b);
    b->column = column;
    b->positive = positive;
    b->positive_len = strlen(positive);
    b->positive_is = positive_is;
    b->policy_key = policy_key;
}

/* A value of a binary column that is the positive value written otherwise is an error:
 * read as the other value, it would turn every positive row negative without a word. */
static enum fg_status check_written_otherwise(struct reader *r, const struct binary_column *b,
                                              const struct slot *s)
{
    const char *what = fg_written_otherwise(b->positive, b->positive_len, s->value, s->len);
    if (*what == '\0')
        return FG_OK;
    char value[SHOW_MAX * 4 + 8], positive[SHOW_MAX * 4 + 8];
    bool number = strcmp(what, "how the number is written") == 0;
    show(value, sizeof value, s->value, s->len);
    return fg_ingest_fail(
        r, FG_ERR_INPUT, r->lines.record_line,
        "column '%s' has '%s', which differs from the %s '%s' only in %s: values are compared "
        "as text, exactly, so it would count as the other value; if it is the %s, write "
        "data.%s: \"%s\" in the policy, or write the column as the policy does%s%s%s",
        b->column, value, b->positive_is,
        show(positive, sizeof positive, b->positive, b->positive_len), what, b->positive_is,
        b->policy_key, value, number ? " (pandas writes a float column's 1 as '1.0'; df['" : "",
        number ? b->column : "", number ? "'].astype(int) writes 1)" : "");
}

static enum fg_status read_binary(struct reader *r, struct binary_column *b, const struct slot *s,
                                  int *bit)
{
    if (s->len == b->positive_len && fg_short_cmp(s->value, b->positive, s->len) == 0) {
        *bit = 1;
        return FG_OK;
    }
    *bit = 0;
    /* not the other value either: "1\0" would be one, and count as not "1" */
    if (memchr(s->value, '\0', s->len) != NULL)
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                              "column '%s': a value holds a NUL byte", b->column);
    if (b->other == NULL) {
        enum fg_status status = check_written_otherwise(r, b, s);
        if (status != FG_OK)
            return status;
        b->other = fg_strndup(s->value, s->len);
        if (b->other == NULL)
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
        b->other_len = s->len;
        b->other_line = r->lines.record_line;
        return FG_OK;
    }
    if (s->len == b->other_len && fg_short_cmp(s->value, b->other, s->len) == 0)
        return FG_OK;
    enum fg_status status = check_written_otherwise(r, b, s);
    if (status != FG_OK)
        return status;
    char value[SHOW_MAX * 4 + 8], positive[SHOW_MAX * 4 + 8], other[SHOW_MAX * 4 + 8];
    char hint[256];
    /* The third value, or the other value first seen, may be a missing value as exported. */
    const char *hinted = missing_hint(hint, sizeof hint, s->value, s->len);
    if (*hinted == '\0')
        hinted = missing_hint(hint, sizeof hint, b->other, b->other_len);
    return fg_ingest_fail(
        r, FG_ERR_INPUT, r->lines.record_line,
        "column '%s' has a third value '%s' (the %s is '%s'; the other value, first "
        "seen at line %lu, is '%s')%s",
        b->column, show(value, sizeof value, s->value, s->len), b->positive_is,
        show(positive, sizeof positive, b->positive, b->positive_len), b->other_line,
        show(other, sizeof other, b->other, b->other_len), hinted);
}

/* A score that fg_decimal_fast does not read (exponents, text, errors): through strtod, with
 * what is wrong said. */
static enum fg_status parse_score(struct reader *r, const struct slot *s, double *score_out)
{
    char value[SHOW_MAX * 4 + 8];
    const char *text = s->value;
    bool space = strchr(" \t\n\v\f\r", text[0]) != NULL && text[0] != '\0';
    char *end = NULL;
    errno = 0;
    /* strtod also reads hexadecimal ("0x1p-1"); a score column holds decimals only. */
    bool hex = memchr(text, 'x', s->len) != NULL || memchr(text, 'X', s->len) != NULL;
    double score = space || hex ? 0.0 : fg_strtod(text, &end);
    char hint[256];
    if (space || hex || end != text + s->len)
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                              "column '%s' has '%s', which is not a number%s%s", s->name,
                              show(value, sizeof value, s->value, s->len),
                              missing_hint(hint, sizeof hint, s->value, s->len),
                              decimal_comma_hint(s->value, s->len));
    if (!isfinite(score))
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                              "column '%s' has '%s', which is not a finite number%s", s->name,
                              show(value, sizeof value, s->value, s->len),
                              missing_hint(hint, sizeof hint, s->value, s->len));
    if (errno != 0)
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                              "column '%s' has '%s', which is out of the range of a double",
                              s->name, show(value, sizeof value, s->value, s->len));
    *score_out = score;
    return FG_OK;
}

/* The decision from a score column; *score receives the score itself. A plain decimal
 * ("0.6684", nearly every score) is read without strtod, to the same double. */
static enum fg_status read_score(struct reader *r, const struct model_column *m,
                                 const struct slot *s, int *bit, double *score_out)
{
    const struct fg_model_spec *spec = m->spec;
    char value[SHOW_MAX * 4 + 8];
    double score = 0.0;
    if (!fg_decimal_fast(s->value, s->len, &score)) {
        enum fg_status status = parse_score(r, s, &score);
        if (status != FG_OK)
            return status;
    }
    if (m->probability && !(score >= 0 && score <= 1))
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
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
    bool candidate = spec == &policy->data.candidate;
    if (spec->prediction != NULL) {
        m->slot = reader_need(r, spec->prediction,
                              candidate ? "data.candidate.prediction" : "data.incumbent.prediction",
                              &spec->column_mark, hint);
        binary_init(&m->binary, spec->prediction, policy->data.favorable_prediction,
                    "favorable prediction", "favorable_prediction");
    } else {
        m->slot =
            reader_need(r, spec->score, candidate ? "data.candidate.score" : "data.incumbent.score",
                        &spec->column_mark, hint);
    }
}

static enum fg_status empty_value(struct reader *r, const struct slot *s)
{
    return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                          "empty value in column '%s': a missing value; 'missing: drop' in data "
                          "leaves such rows out",
                          s->name);
}

/* ---- the incumbent file's decisions ---- */

/* id -> decision: the incumbent's ids interned (lib/idset.h), each with three flags. */
#define ID_PREDICTION 1u
#define ID_MISSING    2u
#define ID_MATCHED    4u

/* Keeps the line of the id just added as index n: a new breakpoint when its line is not n
 * plus the last breakpoint's difference. */
static enum fg_status line_map_push(struct reader *r, struct line_map *map, uint64_t index,
                                    uint64_t line)
{
    if (map->n > 0 && line - index == map->delta[map->n - 1])
        return FG_OK;
    if (map->n == map->cap) {
        size_t cap = map->cap ? map->cap * 2 : 16;
        uint64_t *from = realloc(map->from, cap * sizeof *from);
        if (from != NULL)
            map->from = from;
        uint64_t *delta = from != NULL ? realloc(map->delta, cap * sizeof *delta) : NULL;
        if (delta == NULL)
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
        map->delta = delta;
        map->cap = cap;
    }
    map->from[map->n] = index;
    map->delta[map->n++] = line - index;
    return FG_OK;
}

/* The line of the id added as index. */
static uint64_t line_map_get(const struct line_map *map, uint64_t index)
{
    size_t lo = 0, hi = map->n; /* the last breakpoint at or before index: in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (map->from[mid] <= index)
            lo = mid;
        else
            hi = mid;
    }
    return map->n > 0 ? index + map->delta[lo] : 0;
}

static void line_map_free(struct line_map *map)
{
    free(map->from);
    free(map->delta);
    memset(map, 0, sizeof *map);
}

/* Adds a new value (not already in set); *ref: its ref. */
static enum fg_status set_add(struct reader *r, struct fg_idset *set, const char *value, size_t len,
                              unsigned flags, uint32_t *ref)
{
    enum fg_status status = fg_idset_add(set, value, len, flags, ref);
    if (status == FG_ERR_LIMIT)
        return fg_ingest_fail(r, FG_ERR_LIMIT, r->lines.record_line,
                              "too many ids to join the two files");
    if (status != FG_OK)
        return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
    return FG_OK;
}

static enum fg_status position_push(struct reader *r, struct position_bits *p, int prediction,
                                    bool missing)
{
    size_t byte = (size_t)(p->n / 4);
    if (byte >= p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4096;
        unsigned char *bits = realloc(p->bits, cap);
        if (bits == NULL)
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
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

/* Keeps the incumbent file's score of the entry or position just added. */
static enum fg_status file_score_push(struct ingest *in, struct reader *r, double score)
{
    if (in->n_file_scores == in->file_scores_cap) {
        size_t cap = in->file_scores_cap ? in->file_scores_cap * 2 : 4096;
        if (cap > SIZE_MAX / sizeof *in->file_scores)
            return fg_ingest_fail(r, FG_ERR_LIMIT, r->lines.record_line,
                                  "too many scores to join the two files");
        double *scores = realloc(in->file_scores, cap * sizeof *scores);
        if (scores == NULL)
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
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
    fg_idset_free(&in->ids);
    line_map_free(&in->id_lines);
    for (size_t k = 0; k < in->n_shared; k++)
        fg_idset_free(&in->shared_values[k]);
    free(in->shared_refs);
    free(in->shared_lines);
    free(in->positions.bits);
    free(in->file_scores);
    fg_counts_free(in->counts);
}

/* Whether the incumbent file has any column the candidate's has too (label, protected
 * attributes): known once its header is read. The id set then numbers its ids, so that
 * their shared values (and scores) are found by index. */
static void shared_settle(struct ingest *in, struct reader *r)
{
    if (in->shared_known)
        return;
    in->shared_known = true;
    for (size_t k = 0; k < in->n_shared; k++)
        in->shared_any = in->shared_any || !r->slots[in->shared_incumbent[k]].absent;
    in->ids.indexed = in->shared_any || in->keep_scores[1];
}

/* Keeps the shared columns' values of the incumbent row just added (same index as its id
 * or position): each value's ref in its column's set. */
static enum fg_status shared_push(struct ingest *in, struct reader *r)
{
    shared_settle(in, r);
    if (!in->shared_any)
        return FG_OK;
    if (in->n_shared_rows == in->shared_rows_cap) {
        size_t cap = in->shared_rows_cap ? in->shared_rows_cap * 2 : 4096;
        if (cap > SIZE_MAX / (in->n_shared * sizeof *in->shared_refs))
            return fg_ingest_fail(r, FG_ERR_LIMIT, r->lines.record_line,
                                  "too many rows to compare");
        uint32_t *refs = realloc(in->shared_refs, cap * in->n_shared * sizeof *refs);
        if (refs == NULL)
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
        in->shared_refs = refs;
        uint64_t *lines = realloc(in->shared_lines, cap * sizeof *lines);
        if (lines == NULL)
            return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
        in->shared_lines = lines;
        in->shared_rows_cap = cap;
    }
    uint32_t *row = in->shared_refs + in->n_shared_rows * in->n_shared;
    for (size_t k = 0; k < in->n_shared; k++) {
        const struct slot *s = &r->slots[in->shared_incumbent[k]];
        row[k] = 0;
        if (s->absent)
            continue;
        struct fg_idset *values = &in->shared_values[k];
        row[k] = fg_idset_find(values, s->value, s->len);
        enum fg_status status;
        if (row[k] == FG_IDSET_NONE &&
            (status = set_add(r, values, s->value, s->len, 0, &row[k])) != FG_OK)
            return status;
    }
    in->shared_lines[in->n_shared_rows++] = r->lines.record_line;
    return FG_OK;
}

/* The candidate row r pairs with incumbent row index: every column both files carry must
 * hold the same value in both, else the files do not describe the same rows. */
static enum fg_status shared_compare(struct ingest *in, struct reader *r, uint64_t index)
{
    if (!in->shared_any || index >= in->n_shared_rows)
        return FG_OK;
    const uint32_t *row = in->shared_refs + index * in->n_shared;
    for (size_t k = 0; k < in->n_shared; k++) {
        if (in->incumbent.slots[in->shared_incumbent[k]].absent)
            continue;
        const struct slot *s = &r->slots[in->shared_candidate[k]];
        size_t their_len;
        const char *theirs = fg_idset_bytes(&in->shared_values[k], row[k], &their_len);
        if (their_len == s->len && memcmp(theirs, s->value, s->len) == 0)
            continue;
        return fg_ingest_shared_mismatch(in, r, s, theirs, their_len, in->shared_lines[index]);
    }
    return FG_OK;
}

enum fg_status fg_ingest_shared_mismatch(struct ingest *in, struct reader *r, const struct slot *s,
                                         const char *theirs, size_t their_len, uint64_t line)
{
    char here[SHOW_MAX * 4 + 8], there[SHOW_MAX * 4 + 8];
    return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                          "column '%s' is '%s' here but '%s' at line %llu of the incumbent file "
                          "%s, the row it is joined with %s: the files do not describe the same "
                          "rows",
                          s->name, show(here, sizeof here, s->value, s->len),
                          show(there, sizeof there, theirs, their_len), (unsigned long long)line,
                          in->incumbent.path,
                          in->join == JOIN_ID ? "by id" : "by position (data.join: position)");
}

/* After RESERVE_AFTER ids, the id table is sized once for the rows the file's size
 * foretells at their length so far (and 1/64 more), so it never doubles again: the largest
 * table is not held twice, nor a power of two's slack (with ids of even length, 5 bytes a
 * row where doubling leaves 4 to 8). Rows longer later only make it a little fuller; shorter
 * ones make it double as before. */
#define RESERVE_AFTER 65536u

static enum fg_status ids_reserve(struct ingest *in, struct reader *r)
{
    if (r->size == 0 || r->fast_bytes == 0)
        return FG_OK; /* a stream, or libcsv: no length to go by */
    double rows = (double)r->size / (double)r->fast_bytes * (double)r->rows;
    rows += rows / 64;
    if (rows >= (double)(UINT32_MAX / 2))
        return FG_OK; /* past the set's limit: it says so as it grows */
    if (fg_idset_reserve(&in->ids, (size_t)rows) == FG_ERR_NOMEM)
        return fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
    return FG_OK;
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
        uint32_t seen = in->aligned ? FG_IDSET_NONE : fg_idset_find(&in->ids, id->value, id->len);
        if (seen != FG_IDSET_NONE) {
            char shown[SHOW_MAX * 4 + 8];
            uint64_t first = line_map_get(&in->id_lines, fg_idset_index(&in->ids, seen));
            return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                                  "id '%s' appears twice in column '%s' (lines %llu and %lu)",
                                  show(shown, sizeof shown, id->value, id->len), id->name,
                                  (unsigned long long)first, r->lines.record_line);
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
    if (in->aligned)
        return fg_ingest_pair_push(in, r, prediction, missing, score);
    if (in->join == JOIN_ID) {
        const struct slot *id = &r->slots[in->incumbent_id_slot];
        uint32_t ref;
        if (in->ids.n == RESERVE_AFTER && (status = ids_reserve(in, r)) != FG_OK)
            return status;
        shared_settle(in, r);
        status = line_map_push(r, &in->id_lines, in->ids.n, r->lines.record_line);
        if (status == FG_OK)
            status = set_add(r, &in->ids, id->value, id->len,
                             (prediction ? ID_PREDICTION : 0u) | (missing ? ID_MISSING : 0u), &ref);
    } else {
        status = position_push(r, &in->positions, prediction, missing);
    }
    /* one score per entry or position, so that both share an index */
    if (status == FG_OK && in->keep_scores[1])
        status = file_score_push(in, r, score);
    if (status == FG_OK)
        status = shared_push(in, r);
    return status;
}

/* Finding the line where the candidate file first has an id: the file read again, its id
 * column only, up to the row that has it. */
struct first_row {
    const char *id;
    size_t len;
    unsigned long line;
};

static enum fg_status first_row_seen(struct reader *r, void *user)
{
    struct first_row *find = user;
    const struct slot *id = &r->slots[0];
    if (id->len != find->len || memcmp(id->value, find->id, id->len) != 0)
        return FG_OK;
    find->line = r->lines.record_line;
    return FG_ERR_INPUT; /* found: stop */
}

/* The line of the first row of the candidate file with id, or 0 (standard input or a pipe
 * not copied, which cannot be read again, or a read that failed). The rows read so far
 * only say it matched, so that the id set keeps no line per id. */
static unsigned long candidate_first_line(struct ingest *in, const char *id, size_t len)
{
    const struct reader *c = &in->candidate;
    struct first_row find = {id, len, 0};
    const char *path = reader_source(c);
    if (!regular_file(path))
        return 0;
    struct fg_error err;
    struct reader r;
    reader_init(&r, path, c->role, in->policy, first_row_seen, &find, &err);
    reader_need(&r, in->policy->data.id, NULL, NULL, NULL);
    struct fg_instream *stream = NULL;
    size_t cap = in->tuning.block_bytes;
    char *buf = malloc(cap);
    if (buf != NULL && spans_reserve(&r, 64) == FG_OK &&
        fg_instream_open(path, NULL, &stream, &err) == FG_OK) {
        struct source src = {.stream = stream, .err = &err, .end = UINT64_MAX};
        r.lines.line = 1;
        (void)fg_ingest_stream(&r, &src, true, buf, cap, !in->tuning.libcsv_only, true);
    }
    fg_instream_close(stream);
    free(buf);
    reader_free(&r);
    return find.line;
}

/* The error for a candidate row whose id matched an earlier row. */
static enum fg_status twice_in_candidate(struct ingest *in, struct reader *r, const struct slot *id)
{
    char shown[SHOW_MAX * 4 + 8];
    show(shown, sizeof shown, id->value, id->len);
    unsigned long first = candidate_first_line(in, id->value, id->len);
    if (first == 0 || first >= r->lines.record_line)
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                              "id '%s' appears twice in column '%s' (here and on an earlier line)",
                              shown, id->name);
    return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                          "id '%s' appears twice in column '%s' (lines %lu and %lu)", shown,
                          id->name, first, r->lines.record_line);
}

/* The incumbent's decision (and its score, when kept) for this candidate row, from the
 * incumbent file. */
static enum fg_status match_incumbent(struct ingest *in, struct reader *r, int *prediction,
                                      double *score, bool *missing, bool *skip, uint64_t *matched)
{
    *skip = false;
    *score = 0.0;
    if (in->join == JOIN_POSITION) {
        uint64_t index = r->rows - 1;
        *matched = index;
        if (index >= in->positions.n) {
            if (in->first_extra_line == 0)
                in->first_extra_line = r->lines.record_line;
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
    uint32_t ref = fg_idset_find(&in->ids, id->value, id->len);
    if (ref == FG_IDSET_NONE)
        return fg_ingest_fail(r, FG_ERR_INPUT, r->lines.record_line,
                              "id '%s' (column '%s') is not in the incumbent file %s",
                              show(shown, sizeof shown, id->value, id->len), id->name,
                              in->incumbent.path);
    unsigned flags = fg_idset_flags(&in->ids, ref);
    if (flags & ID_MATCHED)
        return twice_in_candidate(in, r, id);
    fg_idset_set_flags(&in->ids, ref, ID_MATCHED);
    *matched = in->ids.indexed ? fg_idset_index(&in->ids, ref) : 0;
    *prediction = (flags & ID_PREDICTION) != 0;
    *missing = (flags & ID_MISSING) != 0;
    if (in->keep_scores[1])
        *score = in->file_scores[*matched];
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
        bool skip = false;
        uint64_t matched = 0;
        if (in->aligned)
            status = fg_ingest_pair_match(in, r, &incumbent, &incumbent_score, &incumbent_missing);
        else if ((status = match_incumbent(in, r, &incumbent, &incumbent_score, &incumbent_missing,
                                           &skip, &matched)) == FG_OK &&
                 !skip)
            status = shared_compare(in, r, matched);
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
            return fg_ingest_fail(r, status, r->lines.record_line, "column '%s': %s", s->name,
                                  inner.message);
    }
    struct fg_error inner;
    if (in->keep_scores[0] || in->keep_scores[1])
        status = fg_counts_add_scored(in->counts, in->value_ids, y_true, candidate, incumbent,
                                      candidate_score, incumbent_score, &inner);
    else
        status = fg_counts_add(in->counts, in->value_ids, y_true, candidate, incumbent, 1, &inner);
    if (status != FG_OK)
        return fg_error_set(err, status, r->path, r->lines.record_line, 0, "%s", inner.message);
    if (r->cache != NULL) {
        r->offer = true;
        r->offer_bits = (y_true ? 1u : 0u) | (candidate ? 2u : 0u) | (incumbent ? 4u : 0u);
        memcpy(r->offer_ids, in->value_ids, n_protected * sizeof *in->value_ids);
    }
    return FG_OK;
}

/* ---- reading a file ---- */

/* Reads the header from the file's first block on the fast path; *first: where the data
 * rows start. *used false: the header is not on the fast path (or the read failed), and
 * nothing was read (the caller reads the file in order). */
enum fg_status fg_ingest_fast_header(struct reader *r, int fd, char *buf, size_t cap, bool *used,
                                     uint64_t *first)
{
    enum fg_status status;
    *used = false;
    struct source src = {.fd = fd, .offset = 0, .end = UINT64_MAX};
    bool eof = false;
    ssize_t got = fg_ingest_source_read(&src, buf, cap, &eof);
    if (got < 0)
        return FG_OK; /* the caller meets it again */
    size_t pos = (size_t)got >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    struct fg_fastcsv_record rec;
    enum fg_fastcsv_result result;
    for (;;) {
        result =
            fg_fastcsv_next(&r->fast, buf, (size_t)got, pos, eof, r->spans, r->spans_cap, &rec);
        if (result != FG_FASTCSV_RECORD || rec.n_fields <= r->spans_cap ||
            r->spans_cap > FG_MAX_COLUMNS)
            break;
        size_t want = rec.n_fields <= FG_MAX_COLUMNS ? rec.n_fields : FG_MAX_COLUMNS + 1;
        if ((status = spans_reserve(r, want)) != FG_OK)
            return status;
    }
    if (result != FG_FASTCSV_RECORD)
        return FG_OK;
    *used = true;
    r->lines.line += rec.newlines_before;
    if ((status = fast_record(r, &rec)) != FG_OK)
        return status;
    if (rec.newline_ended)
        r->lines.line++;
    *first = rec.next;
    return FG_OK;
}

/* Reads a plain regular candidate file with workers (lib/ingest_parallel.c); *used false:
 * nothing was read, the caller reads the file in order. */
static enum fg_status read_split(struct ingest *in, struct reader *r, int fd, const struct stat *st,
                                 EVP_MD_CTX *sha, char *buf, bool *used)
{
    enum fg_status status = fg_ingest_parallel_run(in, fd, (uint64_t)st->st_size, sha, buf, used);
    if (status == FG_OK && *used)
        status = fg_ingest_unchanged(r, fd, st);
    return status;
}

/* The workers and the hash read the same offsets apart (and a chunk the fast path gives up
 * on is read again): only a file nobody wrote meanwhile has a digest of the bytes judged. A
 * write moves ctime, which no user can set back. */
enum fg_status fg_ingest_unchanged(struct reader *r, int fd, const struct stat *st)
{
    enum fg_status status = FG_OK;
    struct stat after;
    if ((fstat(fd, &after) != 0 || after.st_size != st->st_size ||
         after.st_mtim.tv_sec != st->st_mtim.tv_sec ||
         after.st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
         after.st_ctim.tv_sec != st->st_ctim.tv_sec ||
         after.st_ctim.tv_nsec != st->st_ctim.tv_nsec))
        status = fg_ingest_fail(r, FG_ERR_INPUT, 0,
                                "the file changed while it was read; gate on a file nobody writes");
    return status;
}

/* Reads one file (a path, "-" for standard input, plain or gzip): header, then on_row for
 * every data record, and the SHA-256 of the bytes given. may_split: the rows may be read by
 * workers (the candidate file of a one-file run, when it is a plain regular file). */
enum fg_status fg_ingest_read_file(struct ingest *in, struct reader *r, bool may_split)
{
    enum fg_status status = FG_OK;
    size_t cap = in->tuning.block_bytes;
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    char *buf = malloc(cap);
    struct fg_instream *stream = NULL;
    if (sha == NULL || buf == NULL || spans_reserve(r, 64) != FG_OK) {
        status = fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
        goto done;
    }
    if (EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
        status = fg_ingest_fail(r, FG_ERR_IO, 0, "cannot start SHA-256");
        goto done;
    }
    if ((status = fg_instream_open_as(reader_source(r), r->path, sha, &stream, r->err)) != FG_OK)
        goto done;
    if (r->spool != NULL && !r->spool->replay) {
        fg_instream_tee(stream, r->spool->fd);
        r->spool->made = true;
    }
    r->lines.line = 1;
    struct stat st;
    r->size = fg_instream_plain_file(stream, &st) ? (uint64_t)st.st_size : 0;
    /* the row cache, for a one-file run (or the candidate of an aligned join) that keeps no
     * scores */
    bool aligned_candidate = in->aligned && r == &in->candidate;
    if ((may_split || aligned_candidate) && !in->keep_scores[0] && !in->keep_scores[1] &&
        (r->cache = fg_ingest_cache_new(in->counts, in->policy->data.n_protected)) == NULL) {
        status = fg_ingest_fail(r, FG_ERR_NOMEM, 0, "out of memory");
        goto done;
    }
    bool used = false;
    if (may_split && !in->tuning.libcsv_only && fg_instream_plain_file(stream, &st) &&
        fg_ingest_splittable(in, &st))
        status = read_split(in, r, fg_instream_fd(stream), &st, sha, buf, &used);
    else if (aligned_candidate && in->zipped) {
        bool whole = false;
        used = true;
        if (fg_instream_plain_file(stream, &st) && fg_ingest_splittable(in, &st))
            status = fg_ingest_zip_read(in, fg_instream_fd(stream), &st, sha, buf, &whole);
        if (!whole) { /* both files again, side by side in order (fg_ingest_run_tuned) */
            in->unzipped = true;
            status = FG_ERR_INPUT;
        }
    } else if (aligned_candidate && !in->tuning.libcsv_only &&
               fg_instream_plain_file(stream, &st) && fg_ingest_splittable(in, &st))
        status = fg_ingest_aligned_read(in, r, fg_instream_fd(stream), &st, sha, buf, &used);
    if (status == FG_OK && !used) {
        struct source src = {.stream = stream, .err = r->err, .end = UINT64_MAX};
        status = fg_ingest_stream(r, &src, true, buf, cap, !in->tuning.libcsv_only, true);
    }
    if (status != FG_OK)
        goto done;
    if (!r->header_done) {
        status = fg_ingest_fail(r, FG_ERR_INPUT, 0, "the file is empty: no header line");
        goto done;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_DigestFinal_ex(sha, digest, &digest_len) != 1 || digest_len != 32) {
        status = fg_ingest_fail(r, FG_ERR_IO, 0, "SHA-256 failed");
        goto done;
    }
    fg_digest_hex(digest, r->sha256);
done:
    if (status != FG_OK && stream != NULL && r->spool != NULL && !r->spool->replay) {
        /* the aligned join stopped early: the hash join reads all of the copy again */
        struct fg_error ignored;
        enum fg_status drained = fg_instream_drain(stream, &ignored);
        (void)drained; /* a copy cut short: the hash join meets the same error */
    }
    fg_ingest_cache_free(r->cache);
    r->cache = NULL;
    fg_instream_close(stream);
    EVP_MD_CTX_free(sha);
    free(buf);
    return status;
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
    snprintf(info->path, sizeof info->path, "%s", r->given);
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
        uint64_t index = 0;
        for (uint32_t ref = fg_idset_first(&in->ids); ref != FG_IDSET_NONE;
             ref = fg_idset_next(&in->ids, ref), index++) {
            if (fg_idset_flags(&in->ids, ref) & ID_MATCHED)
                continue;
            char shown[SHOW_MAX * 4 + 8];
            size_t len;
            const char *id = fg_idset_bytes(&in->ids, ref, &len);
            return fg_error_set(err, FG_ERR_INPUT, in->incumbent.path,
                                (unsigned long)line_map_get(&in->id_lines, index), 0,
                                "id '%s' (column '%s') has no row in the candidate file %s",
                                show(shown, sizeof shown, id, len), in->policy->data.id,
                                in->candidate.path);
        }
    }
    return FG_OK;
}

void fg_ingest_tuning_default(struct fg_ingest_tuning *tuning)
{
    memset(tuning, 0, sizeof *tuning);
    tuning->block_bytes = BLOCK_SIZE;
    tuning->parallel_min = PARALLEL_MIN;
    tuning->chunk_bytes = CHUNK_BYTES;
    tuning->settle_seconds = 2;
}

enum fg_status fg_ingest_run(const struct fg_policy *policy,
                             const struct fg_ingest_options *options, struct fg_counts **out,
                             struct fg_ingest_result *info, struct fg_error *err)
{
    struct fg_ingest_tuning tuning;
    fg_ingest_tuning_default(&tuning);
    return fg_ingest_run_tuned(policy, options, &tuning, out, info, err);
}

/* The size of the regular file at path, or 0. */
static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
}

/* The progress callback and the bytes of both files it is told of (0: a size unknown). */
static void progress_init(struct progress *progress, const struct fg_ingest_options *options)
{
    bool incumbent_file = options->incumbent_path != NULL;
    progress->fn = options->progress;
    progress->user = options->progress_user;
    if (options->progress != NULL) {
        uint64_t candidate_size = file_size(options->candidate_path);
        uint64_t incumbent_size = incumbent_file ? file_size(options->incumbent_path) : 0;
        bool known = candidate_size > 0 && (!incumbent_file || incumbent_size > 0);
        progress->total = known ? candidate_size + incumbent_size : 0;
    }
}

/* Scores are kept only for a gated score metric, of the models read from a score column, and
 * the candidate's when options ask for them (score bins without a score gate: sweep).
 * *probability_gate: whether a gate reads scores as probabilities (brier, calibration_gap). */
static enum fg_status scores_init(struct ingest *in, const struct fg_ingest_options *options,
                                  bool *probability_gate, struct fg_error *err)
{
    const struct fg_policy *policy = in->policy;
    bool score_gate = false;
    *probability_gate = false;
    for (size_t g = 0; g < policy->n_gates; g++) {
        enum fg_metric metric = policy->gates[g].metric;
        score_gate = score_gate || fg_metric_is_score(metric);
        *probability_gate =
            *probability_gate || metric == FG_METRIC_BRIER || metric == FG_METRIC_CALIBRATION_GAP;
    }
    in->keep_scores[0] =
        (score_gate || options->keep_candidate_scores) && policy->data.candidate.score != NULL;
    in->keep_scores[1] =
        score_gate && policy->data.incumbent.present && policy->data.incumbent.score != NULL;
    if (in->keep_scores[0] || in->keep_scores[1])
        return fg_counts_keep_scores(in->counts, in->keep_scores[0], in->keep_scores[1], err);
    return FG_OK;
}

/* An input that cannot be opened twice, in a two-file run: copied while the aligned join
 * reads it, read from the copy when the hash join reads it again. side: 0 the candidate
 * file, 1 the incumbent file. */
static void reader_spool(const struct ingest *in, struct reader *r, int side)
{
    r->spool = in->spool[side];
}

/* The column a model is read from: its prediction or its score. */
static const char *model_column_name(const struct fg_model_spec *spec)
{
    return spec->prediction != NULL ? spec->prediction : spec->score;
}

/* Sets up the incumbent file's reader: its id, its decision, the shared columns. */
static void incumbent_setup(struct ingest *in, const char *path, bool probability_gate,
                            struct fg_error *err)
{
    const struct fg_policy *policy = in->policy;
    struct reader *r = &in->incumbent;
    reader_init(r, path, "incumbent file", policy, incumbent_row, in, err);
    reader_spool(in, r, 1);
    if (in->join == JOIN_ID)
        in->incumbent_id_slot =
            reader_need(r, policy->data.id, "data.id", &policy->data.id_mark, NULL);
    model_init(&in->incumbent_model, policy, &policy->data.incumbent, r, NULL, probability_gate);
    r->own_model = model_column_name(&policy->data.incumbent);
    r->other_model = model_column_name(&policy->data.candidate);
    in->n_shared = 1 + policy->data.n_protected;
    in->shared_incumbent[0] = reader_want(r, policy->data.label);
    for (size_t a = 0; a < policy->data.n_protected; a++)
        in->shared_incumbent[1 + a] = reader_want(r, policy->data.protected[a]);
}

/* Reads the incumbent file, first: its decisions are looked up while the candidate
 * streams. */
/* The hash join's ahead hook: the table slot of the record's id, which the record's lookup
 * reads a few records later (both files: the incumbent's ids are looked up as they are
 * added, to find one given twice). */
static void id_ahead(const struct reader *r, void *user, const struct fg_csv_span *fields,
                     size_t n_fields)
{
    const struct ingest *in = user;
    size_t column = r->slots[r == &in->incumbent ? in->incumbent_id_slot : in->id_slot].column;
    if (column < n_fields)
        fg_idset_prefetch(&in->ids, fields[column].bytes, fields[column].len);
}

static enum fg_status read_incumbent_file(struct ingest *in, const char *path,
                                          bool probability_gate, struct fg_error *err)
{
    struct reader *r = &in->incumbent;
    incumbent_setup(in, path, probability_gate, err);
    if (in->join == JOIN_ID && !in->aligned)
        r->ahead = id_ahead;
    r->progress = &in->progress;
    enum fg_status status = fg_ingest_read_file(in, r, false);
    if (status != FG_OK)
        return status;
    in->progress.done_before = file_size(path);
    in->progress.rows_before = r->rows;
    return FG_OK;
}

/* Reads the candidate file: label, protected attributes, the candidate's decision and,
 * without an incumbent file, the incumbent's from its column in this file. */
static enum fg_status read_candidate_file(struct ingest *in, const char *path, bool incumbent_file,
                                          bool probability_gate, struct fg_error *err)
{
    const struct fg_policy *policy = in->policy;
    struct reader *r = &in->candidate;
    reader_init(r, path, "candidate file", policy, candidate_row, in, err);
    if (incumbent_file) {
        reader_spool(in, r, 0);
        r->own_model = model_column_name(&policy->data.candidate);
        r->other_model = model_column_name(&policy->data.incumbent);
    }
    if (in->join == JOIN_ID)
        in->id_slot = reader_need(r, policy->data.id, "data.id", &policy->data.id_mark, NULL);
    if (in->aligned) { /* pairs each record before the row cache, which leaves out its id */
        r->before_row = fg_ingest_pair_hook;
        r->key_skip = in->id_slot;
    } else if (in->join == JOIN_ID) {
        r->ahead = id_ahead;
    }
    in->label_slot =
        reader_need(r, policy->data.label, "data.label", &policy->data.label_mark, NULL);
    binary_init(&in->label, policy->data.label, policy->data.positive_label, "positive label",
                "positive_label");
    for (size_t a = 0; a < policy->data.n_protected; a++)
        in->protected_slots[a] = reader_need(r, policy->data.protected[a], "data.protected",
                                             &policy->data.protected_marks[a], NULL);
    in->shared_candidate[0] = in->label_slot;
    for (size_t a = 0; a < policy->data.n_protected; a++)
        in->shared_candidate[1 + a] = in->protected_slots[a];
    model_init(&in->candidate_model, policy, &policy->data.candidate, r, NULL, probability_gate);
    if (!incumbent_file && policy->data.incumbent.present) {
        in->incumbent_column = true;
        model_init(&in->incumbent_model, policy, &policy->data.incumbent, r,
                   " (or give --incumbent FILE)", probability_gate);
    }
    r->progress = &in->progress;
    return fg_ingest_read_file(in, r, in->join == JOIN_NONE);
}

/* After both files: the joins held, and some row is left to judge (none would make every
 * gate vacuous: that is an input error). */
static enum fg_status check_result(struct ingest *in, struct fg_error *err)
{
    enum fg_status status = check_join(in, err);
    if (status != FG_OK)
        return status;
    if (fg_counts_total(in->counts) == 0)
        return fg_error_set(err, FG_ERR_INPUT, in->candidate.path, 0, 0,
                            "no rows to judge (%llu data rows read, %llu dropped)",
                            (unsigned long long)in->candidate.rows,
                            (unsigned long long)in->candidate.rows_dropped);
    return FG_OK;
}

/* What read_candidate_file needs, through fg_ingest_aligned_run. */
struct candidate_args {
    const char *path;
    bool probability_gate;
    struct fg_error *err;
};

static enum fg_status aligned_candidate(struct ingest *in, void *arg)
{
    const struct candidate_args *a = arg;
    return read_candidate_file(in, a->path, true, a->probability_gate, a->err);
}

/* One pass over the inputs into in->counts: the incumbent file first (or, aligned, beside
 * the candidate file), then the candidate file, then the joins checked. */
static enum fg_status ingest_pass(struct ingest *in, const struct fg_ingest_options *options,
                                  struct fg_error *err)
{
    const struct fg_policy *policy = in->policy;
    bool incumbent_file = options->incumbent_path != NULL, probability_gate = false;
    enum fg_status status =
        fg_counts_new(policy->data.n_protected, policy->data.incumbent.present, &in->counts, err);
    if (status == FG_OK)
        status = scores_init(in, options, &probability_gate, err);
    if (status == FG_OK && in->aligned) {
        struct candidate_args args = {options->candidate_path, probability_gate, err};
        incumbent_setup(in, options->incumbent_path, probability_gate, err);
        in->progress.total = file_size(options->candidate_path);
        status = in->zipped ? aligned_candidate(in, &args)
                            : fg_ingest_aligned_run(in, aligned_candidate, &args);
        if (in->diverged[0] != '\0' || in->unzipped)
            return FG_OK;
    } else {
        if (status == FG_OK && incumbent_file)
            status = read_incumbent_file(in, options->incumbent_path, probability_gate, err);
        if (status == FG_OK)
            status = read_candidate_file(in, options->candidate_path, incumbent_file,
                                         probability_gate, err);
    }
    if (status == FG_OK)
        status = check_result(in, err);
    return status;
}

/* Lends a run the copies of the candidate [0] and incumbent [1] file that are made. */
static void ingest_spools(struct ingest *in, struct spool spool[2])
{
    for (int side = 0; side < 2; side++)
        in->spool[side] = spool[side].fd >= 0 ? &spool[side] : NULL;
}

/* A fresh run of policy over options: no file read yet; spool: the copies of the
 * candidate [0] and incumbent [1] file (fd -1: none). */
static struct ingest *ingest_new(const struct fg_policy *policy,
                                 const struct fg_ingest_options *options,
                                 const struct fg_ingest_tuning *tuning, struct spool spool[2])
{
    struct ingest *in = calloc(1, sizeof *in);
    if (in == NULL)
        return NULL;
    in->policy = policy;
    in->tuning = *tuning;
    if (in->tuning.block_bytes < MIN_BLOCK_SIZE)
        in->tuning.block_bytes = MIN_BLOCK_SIZE;
    progress_init(&in->progress, options);
    ingest_spools(in, spool);
    in->drop = policy->data.missing == FG_MISSING_DROP;
    in->join = options->incumbent_path == NULL ? JOIN_NONE
               : policy->data.id               ? JOIN_ID
                                               : JOIN_POSITION;
    return in;
}

/* Whether two files joined by id are first read side by side. */
static bool try_aligned(const struct ingest *in)
{
    return in->join == JOIN_ID && !in->tuning.no_aligned && !in->tuning.libcsv_only;
}

static void spool_end(struct spool *spool)
{
    if (spool->fd < 0)
        return;
    close(spool->fd);
    unlink(spool->path);
    spool->fd = -1;
}

/* Starts the copy of the input at path that an aligned join makes when the input cannot be
 * read twice: standard input ("-"), or a path that is not a regular file (a named pipe, a
 * device, a socket). A regular file, a folder or a path that is not there needs none (its
 * open says what is wrong). */
static enum fg_status spool_start(const char *path, struct spool *spool, struct fg_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    struct stat st;
    if (!is_stdin && (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
        return FG_OK;
    const char *dir = getenv("TMPDIR");
    int n = snprintf(spool->path, sizeof spool->path, "%s/fairgate-%s-XXXXXX",
                     dir && *dir ? dir : "/tmp", is_stdin ? "stdin" : "pipe");
    errno = ENAMETOOLONG;
    spool->fd = n > 0 && (size_t)n < sizeof spool->path ? mkstemp(spool->path) : -1;
    if (spool->fd < 0)
        return fg_error_set(err, FG_ERR_IO, spool->path, 0, 0,
                            "cannot create the copy of %s two files need: %s",
                            is_stdin ? "standard input" : path, strerror(errno));
    return FG_OK;
}

/* The copies of both files, each one only if it needs one; none on failure. */
static enum fg_status spools_start(const struct fg_ingest_options *options, struct spool spool[2],
                                   struct fg_error *err)
{
    enum fg_status status = spool_start(options->candidate_path, &spool[0], err);
    if (status == FG_OK && (status = spool_start(options->incumbent_path, &spool[1], err)) != FG_OK)
        spool_end(&spool[0]);
    return status;
}

/* After the aligned join gave up: *in again with the hash join, each file read from its
 * copy when it has one (a copy the aligned join never began is dropped, and its input read
 * as given). */
static enum fg_status rejoin_by_hash(struct ingest **in, const struct fg_ingest_options *options,
                                     struct spool spool[2], struct fg_error *err)
{
    const struct fg_policy *policy = (*in)->policy;
    struct fg_ingest_tuning tuning = (*in)->tuning;
    ingest_free(*in);
    free(*in);
    for (int side = 0; side < 2; side++) {
        spool[side].replay = spool[side].made;
        if (!spool[side].made)
            spool_end(&spool[side]);
    }
    if ((*in = ingest_new(policy, options, &tuning, spool)) == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    return ingest_pass(*in, options, err);
}

enum fg_status fg_ingest_run_tuned(const struct fg_policy *policy,
                                   const struct fg_ingest_options *options,
                                   const struct fg_ingest_tuning *tuning, struct fg_counts **out,
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
    if (incumbent_file && !policy->data.id && policy->data.join != FG_JOIN_POSITION)
        /* Matching rows by their order is right only when both files keep one order. */
        return fg_error_set(err, FG_ERR_POLICY, policy->path, 0, 0,
                            "two files (--incumbent %s) and no data.id: add data.id, a column "
                            "that identifies a row in both files, or data.join: position to "
                            "match rows by their order",
                            options->incumbent_path);
    struct spool spool[2] = {{.fd = -1}, {.fd = -1}};
    struct ingest *in = ingest_new(policy, options, tuning, spool);
    if (in == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    char note[sizeof in->diverged] = "";
    if ((in->aligned = try_aligned(in)) && (status = spools_start(options, spool, err)) != FG_OK) {
        free(in);
        return status;
    }
    ingest_spools(in, spool);
    /* The chunked join, when given up, opens both files again: only regular files may be
     * (opening a named pipe, such as <(zcat x.gz), reads its first bytes, which a second
     * open would not see again). */
    in->zipped = in->aligned && spool[0].fd < 0 && spool[1].fd < 0 && !in->tuning.no_zip &&
                 regular_file(options->candidate_path) && regular_file(options->incumbent_path);
    status = ingest_pass(in, options, err);
    if (in->unzipped) { /* not in chunks: again, side by side in order */
        ingest_free(in);
        free(in);
        if ((in = ingest_new(policy, options, tuning, spool)) == NULL)
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        in->aligned = true;
        status = ingest_pass(in, options, err);
    }
    if (in->diverged[0] != '\0') { /* the ids do not pair up: again, by hash */
        snprintf(note, sizeof note, "%s", in->diverged);
        status = rejoin_by_hash(&in, options, spool, err);
    }
    spool_end(&spool[0]);
    spool_end(&spool[1]);
    if (in == NULL)
        return status;
    if (status == FG_OK) {
        if (info != NULL) {
            input_info(&info->candidate, &in->candidate);
            if (incumbent_file)
                input_info(&info->incumbent, &in->incumbent);
            info->has_incumbent_file = incumbent_file;
            info->join = in->join == JOIN_POSITION ? "position"
                         : in->join == JOIN_NONE   ? NULL
                         : in->aligned             ? "aligned"
                                                   : "hash";
            snprintf(info->join_note, sizeof info->join_note, "%s", note);
            info->chunked = in->chunked;
        }
        *out = in->counts;
        in->counts = NULL;
    }
    ingest_free(in);
    free(in);
    return status;
}
