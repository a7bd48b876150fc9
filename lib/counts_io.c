/*
 * counts_io.c - the counts file: the cell table as CSV, written by `fairgate counts`, by the
 * query of `fairgate sql` inside an engine, and read back by `fairgate check --counts`.
 *
 * Format (README "Counts: the warehouse path"): comma-separated, UTF-8, a header, then one
 * record per cell. The header names each protected attribute of the policy (in policy order
 * when fairgate writes it; any order is read), then y_true, candidate, incumbent, count.
 * y_true is 1 when the label equals data.positive_label, candidate and incumbent are 1 for a
 * favourable decision, all exactly "0" or "1"; incumbent is always present and 0 when the
 * policy names no incumbent. count is a decimal integer (digits only, no sign, no point).
 * Fields are quoted per RFC 4180 when they hold a comma, a quote, CR or LF, or start or end
 * with a space or tab.
 *
 * Invariants:
 * - Writing: records sorted by their values (bytewise, attribute by attribute), then
 *   y_true, candidate, incumbent; the same table gives the same bytes; lines end in LF.
 * - Reading is strict: the header holds exactly the expected names, each once; every field
 *   of a record is checked; a UTF-8 byte order mark and CRLF line ends are accepted; blank
 *   lines are skipped. Records with the same cell add up; a record with count 0 is checked
 *   but adds nothing (its values do not become groups). A total past 2^64 - 1 is an error.
 *   Errors name file:line:column, the column being the 1-based field number.
 * - A counts table holds no scores, so a policy that gates on auc, calibration_gap or brier
 *   is refused when reading.
 *
 * Ownership: what fg_counts_render_csv and fg_counts_load return is the caller's to free.
 */
#include "buf.h"
#include "counts.h"
#include "csvread.h"
#include "fairgate.h"
#include "instream.h"
#include "metric.h"
#include "policy.h"
#include "util.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define CHUNK_SIZE        (64u * 1024u)
#define FIELD_BUFFER_STEP ((size_t)16 * 1024)
#define N_BITS            4 /* y_true, candidate, incumbent, count */

static const char *const bit_names[N_BITS] = {"y_true", "candidate", "incumbent", "count"};

/* ---- the policy's side ---- */

/* A protected attribute named like a fixed column would make the header ambiguous. */
static enum fg_status check_names(const struct fg_policy *policy, struct fg_error *err)
{
    if (policy->data.n_protected > FG_MAX_PROTECTED)
        return fg_error_set(err, FG_ERR_LIMIT, policy->path, 0, 0,
                            "%zu protected attributes; the limit is %d", policy->data.n_protected,
                            FG_MAX_PROTECTED);
    for (size_t a = 0; a < policy->data.n_protected; a++)
        for (size_t b = 0; b < N_BITS; b++)
            if (strcmp(policy->data.protected[a], bit_names[b]) == 0)
                return fg_error_set(err, FG_ERR_POLICY, policy->path, 0, 0,
                                    "protected attribute '%s' has the name of a column of the "
                                    "counts file; a counts table cannot hold it",
                                    bit_names[b]);
    return FG_OK;
}

enum fg_status fg_counts_policy_check(const struct fg_policy *policy, struct fg_error *err)
{
    enum fg_status status = check_names(policy, err);
    if (status != FG_OK)
        return status;
    for (size_t g = 0; g < policy->n_gates; g++) {
        const struct fg_gate_spec *spec = &policy->gates[g];
        if (fg_metric_is_score(spec->metric))
            return fg_error_set(err, FG_ERR_POLICY, policy->path, spec->mark.line,
                                spec->mark.column,
                                "gate '%s' uses %s, a score metric, which cannot be computed "
                                "from counts (they hold decisions, not scores); gate on the "
                                "rows (--candidate) or use a policy without score gates",
                                spec->id, fg_metric_name(spec->metric));
    }
    return FG_OK;
}

/* ---- writing ---- */

/* A field, quoted when RFC 4180 needs it or when a reader could trim it. */
static void put_field(struct fg_buf *t, const char *s)
{
    size_t n = strlen(s);
    bool quote = n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
    quote = quote || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        fg_buf_append(t, s, n);
        return;
    }
    fg_buf_append(t, "\"", 1);
    for (const char *p = s; *p != '\0'; p++) {
        fg_buf_append(t, p, 1);
        if (*p == '"')
            fg_buf_append(t, "\"", 1); /* doubled */
    }
    fg_buf_append(t, "\"", 1);
}

enum fg_status fg_counts_render_csv(const struct fg_policy *policy, const struct fg_counts *counts,
                                    char **out, size_t *len, struct fg_error *err)
{
    *out = NULL;
    *len = 0;
    enum fg_status status = check_names(policy, err);
    if (status != FG_OK)
        return status;
    size_t n_attrs = fg_counts_attr_count(counts);
    if (n_attrs != policy->data.n_protected)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "the table has %zu attributes, the policy %zu", n_attrs,
                            policy->data.n_protected);
    size_t n_cells = fg_counts_cell_count(counts);
    size_t *order = NULL;
    if ((status = fg_counts_canonical_order(counts, &order, err)) != FG_OK)
        return status;

    struct fg_buf t = fg_buf_new(FG_BUF_CAP_COUNTS_CSV, "the counts CSV");
    for (size_t a = 0; a < n_attrs; a++) {
        put_field(&t, policy->data.protected[a]);
        fg_buf_append(&t, ",", 1);
    }
    fg_buf_append(&t, "y_true,candidate,incumbent,count\n", 33);
    for (size_t i = 0; i < n_cells; i++) {
        struct fg_cell cell;
        fg_counts_cell(counts, order[i], &cell);
        if (cell.count == 0)
            continue;
        for (size_t a = 0; a < n_attrs; a++) {
            put_field(&t, fg_counts_value(counts, a, cell.value_ids[a]));
            fg_buf_append(&t, ",", 1);
        }
        char tail[64];
        int n = snprintf(tail, sizeof tail, "%u,%u,%u,%llu\n", (unsigned)cell.y_true,
                         (unsigned)cell.candidate, (unsigned)cell.incumbent,
                         (unsigned long long)cell.count);
        fg_buf_append(&t, tail, (size_t)n);
    }
    free(order);
    size_t written = t.len;
    if ((status = fg_buf_finish(&t, out, err)) != FG_OK)
        return status;
    *len = written;
    return FG_OK;
}

/* ---- reading ---- */

struct reader {
    const char *path;
    const struct fg_policy *policy;
    struct fg_counts *counts;
    struct fg_error *err;
    size_t n_expected; /* protected attributes + N_BITS */
    /* the header: column -> expected index (protected a, or n_protected + bit) */
    size_t *role_of;
    size_t n_columns, columns_cap;
    bool seen[FG_MAX_PROTECTED + N_BITS];
    size_t column_of[FG_MAX_PROTECTED + N_BITS]; /* expected index -> 0-based column */
    bool header_done;
    /* the record being read */
    char *fields[FG_MAX_PROTECTED + N_BITS]; /* by expected index */
    size_t lengths[FG_MAX_PROTECTED + N_BITS];
    size_t caps[FG_MAX_PROTECTED + N_BITS];
    size_t field;              /* fields of the current record so far */
    struct fg_csv_lines lines; /* where libcsv is */
    uint64_t records;
    enum fg_status status;
};

static enum fg_status fail(struct reader *r, enum fg_status code, unsigned long line,
                           unsigned long column, const char *fmt, ...) FG_PRINTF(5, 6);

static enum fg_status fail(struct reader *r, enum fg_status code, unsigned long line,
                           unsigned long column, const char *fmt, ...)
{
    char message[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return fg_error_set(r->err, code, r->path, line, column, "%s", message);
}

static const char *expected_name(const struct reader *r, size_t index)
{
    size_t n_protected = r->policy->data.n_protected;
    return index < n_protected ? r->policy->data.protected[index] : bit_names[index - n_protected];
}

/* "sex,race,y_true,candidate,incumbent,count" for messages. */
static void expected_header(const struct reader *r, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->n_expected && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? "," : "", expected_name(r, i));
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static enum fg_status header_field(struct reader *r, const char *name, size_t len)
{
    unsigned long column = (unsigned long)r->n_columns + 1;
    char header[1024];
    if (r->n_columns >= r->n_expected) {
        expected_header(r, header, sizeof header);
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                    "the header has more than the %zu expected columns (a counts file has "
                    "exactly: %s)",
                    r->n_expected, header);
    }
    size_t found = SIZE_MAX;
    for (size_t i = 0; i < r->n_expected && found == SIZE_MAX; i++) {
        const char *want = expected_name(r, i);
        if (strlen(want) == len && memcmp(want, name, len) == 0)
            found = i;
    }
    if (found == SIZE_MAX) {
        const char *missing[FG_MAX_PROTECTED + N_BITS];
        for (size_t i = 0; i < r->n_expected; i++)
            missing[i] = r->seen[i] ? NULL : expected_name(r, i);
        char *copy = fg_strndup(name, len);
        const char *near = copy ? fg_did_you_mean(copy, missing, r->n_expected) : NULL;
        expected_header(r, header, sizeof header);
        enum fg_status st = fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                                 "unexpected column '%.200s'%s%s%s (a counts file has exactly: %s)",
                                 copy ? copy : "?", near ? " (did you mean '" : "",
                                 near ? near : "", near ? "'?)" : "", header);
        free(copy);
        return st;
    }
    if (r->seen[found])
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                    "column '%s' appears twice in the header (columns %zu and %lu)",
                    expected_name(r, found), r->column_of[found] + 1, column);
    r->seen[found] = true;
    r->column_of[found] = r->n_columns;
    r->role_of[r->n_columns++] = found;
    return FG_OK;
}

static enum fg_status header_done(struct reader *r)
{
    char header[1024];
    for (size_t i = 0; i < r->n_expected; i++) {
        if (r->seen[i])
            continue;
        expected_header(r, header, sizeof header);
        return fail(r, FG_ERR_INPUT, r->lines.record_line, 0,
                    "no column '%s' in the header (a counts file has exactly: %s; it must come "
                    "from this policy's `fairgate counts` or `fairgate sql`)",
                    expected_name(r, i), header);
    }
    r->header_done = true;
    return FG_OK;
}

static enum fg_status store(struct reader *r, size_t index, const char *field, size_t len)
{
    if (len + 1 > r->caps[index]) {
        size_t cap = r->caps[index] ? r->caps[index] : 32;
        while (cap < len + 1)
            cap *= 2;
        char *value = realloc(r->fields[index], cap);
        if (value == NULL)
            return fail(r, FG_ERR_NOMEM, 0, 0, "out of memory");
        r->fields[index] = value;
        r->caps[index] = cap;
    }
    memcpy(r->fields[index], field, len);
    r->fields[index][len] = '\0';
    r->lengths[index] = len;
    return FG_OK;
}

static void begin_record(struct reader *r)
{
    fg_csv_lines_begin_record(&r->lines);
    r->field = 0;
}

static void on_field(void *field, size_t len, void *data)
{
    struct reader *r = data;
    if (r->status != FG_OK)
        return;
    if (!r->lines.in_record)
        begin_record(r);
    size_t index = r->field++;
    if (len > FG_MAX_FIELD) {
        r->status = fail(r, FG_ERR_LIMIT, r->lines.record_line, index + 1,
                         "the field is longer than the limit of %u bytes", (unsigned)FG_MAX_FIELD);
        return;
    }
    if (!r->header_done) {
        if (r->n_columns == r->columns_cap) {
            size_t cap = r->columns_cap ? r->columns_cap * 2 : 16;
            size_t *role_of = realloc(r->role_of, cap * sizeof *role_of);
            if (role_of == NULL) {
                r->status = fail(r, FG_ERR_NOMEM, 0, 0, "out of memory");
                return;
            }
            r->role_of = role_of;
            r->columns_cap = cap;
        }
        r->status = header_field(r, field, len);
        return;
    }
    if (index < r->n_columns)
        r->status = store(r, r->role_of[index], field, len);
}

/* A field that must be "0" or "1". */
static enum fg_status read_bit(struct reader *r, size_t bit, int *out)
{
    size_t index = r->policy->data.n_protected + bit;
    const char *v = r->fields[index];
    unsigned long column = (unsigned long)r->column_of[index] + 1;
    if (r->lengths[index] == 1 && (v[0] == '0' || v[0] == '1')) {
        *out = v[0] == '1';
        return FG_OK;
    }
    if (r->lengths[index] == 0 && bit == 0)
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                    "y_true is empty: the rows of this cell have a missing value (with "
                    "data.missing: error, the query of `fairgate sql` marks them so; fix the "
                    "data or use missing: drop) or a score that is not a finite number "
                    "(always refused, as on the rows)");
    return fail(r, FG_ERR_INPUT, r->lines.record_line, column, "%s is '%.64s'; it must be 0 or 1",
                bit_names[bit], v);
}

/* count: digits only, at most 2^64 - 1. */
static enum fg_status read_count(struct reader *r, uint64_t *out)
{
    size_t index = r->policy->data.n_protected + 3;
    const char *v = r->fields[index];
    size_t len = r->lengths[index];
    unsigned long column = (unsigned long)r->column_of[index] + 1;
    uint64_t n = 0;
    if (len == 0)
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column, "count is empty");
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                        "count is '%.64s'; it must be a non-negative integer written with "
                        "digits only (no sign, point or exponent)",
                        v);
        unsigned d = (unsigned)(v[i] - '0');
        if (n > (UINT64_MAX - d) / 10)
            return fail(r, FG_ERR_LIMIT, r->lines.record_line, column,
                        "count '%.64s' is larger than 2^64 - 1", v);
        n = n * 10 + d;
    }
    *out = n;
    return FG_OK;
}

static enum fg_status data_record(struct reader *r)
{
    const struct fg_policy *policy = r->policy;
    size_t n_protected = policy->data.n_protected;
    int bits[3] = {0, 0, 0};
    uint64_t n = 0;
    enum fg_status status;
    r->records++;
    if (r->field != r->n_columns)
        return fail(r, FG_ERR_INPUT, r->lines.record_line, 0,
                    "the record has %zu field%s, the header %zu", r->field,
                    r->field == 1 ? "" : "s", r->n_columns);
    for (size_t b = 0; b < 3; b++)
        if ((status = read_bit(r, b, &bits[b])) != FG_OK)
            return status;
    if ((status = read_count(r, &n)) != FG_OK)
        return status;
    if (bits[2] && !policy->data.incumbent.present)
        return fail(r, FG_ERR_INPUT, r->lines.record_line,
                    (unsigned long)r->column_of[n_protected + 2] + 1,
                    "incumbent is 1, but the policy names no incumbent model (data.incumbent)");
    uint32_t ids[FG_MAX_PROTECTED];
    for (size_t a = 0; a < n_protected; a++) {
        unsigned long column = (unsigned long)r->column_of[a] + 1;
        if (r->lengths[a] == 0)
            return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                        "empty value in column '%s' (a missing value is no group: the rows it "
                        "counts should have been dropped or refused)",
                        policy->data.protected[a]);
        if (n == 0) {
            if (!fg_utf8_valid(r->fields[a], r->lengths[a]))
                return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                            "column '%s': a value is not valid UTF-8", policy->data.protected[a]);
            continue;
        }
        struct fg_error inner;
        status = fg_counts_intern(r->counts, a, r->fields[a], r->lengths[a], &ids[a], &inner);
        if (status != FG_OK)
            return fail(r, status, r->lines.record_line, column, "column '%s': %s",
                        policy->data.protected[a], inner.message);
    }
    if (n == 0)
        return FG_OK; /* checked, adds nothing: its values are no group */
    struct fg_error inner;
    status = fg_counts_add(r->counts, ids, bits[0], bits[1], bits[2], n, &inner);
    if (status != FG_OK)
        return fail(r, status, r->lines.record_line, 0, "%s", inner.message);
    return FG_OK;
}

static void on_record(int terminator, void *data)
{
    (void)terminator;
    struct reader *r = data;
    if (r->status != FG_OK)
        return;
    if (!r->lines.in_record)
        begin_record(r);
    r->lines.in_record = false;
    r->status = r->header_done ? data_record(r) : header_done(r);
}

static enum fg_status csv_failure(struct reader *r, struct csv_parser *parser, bool at_end)
{
    int code = csv_error(parser);
    if (code == CSV_EPARSE && at_end)
        return fail(r, FG_ERR_INPUT, fg_csv_lines_open_record(&r->lines), 0,
                    "a quoted field is not closed before the end of the file");
    if (code == CSV_EPARSE)
        return fail(r, FG_ERR_INPUT, r->lines.line, 0,
                    "malformed quoting: a '\"' inside an unquoted field, or text after a "
                    "closing '\"' (double a quote inside a quoted field)");
    if (code == CSV_ENOMEM && fg_csv_field_too_long(parser, FIELD_BUFFER_STEP))
        return fail(r, FG_ERR_LIMIT, r->lines.line, 0,
                    "a field is longer than the limit of %u bytes", (unsigned)FG_MAX_FIELD);
    if (code == CSV_ENOMEM)
        return fail(r, FG_ERR_NOMEM, r->lines.line, 0, "out of memory");
    return fail(r, FG_ERR_INPUT, r->lines.line, 0, "CSV error: %s", csv_strerror(code));
}

/* Feeds bytes to libcsv one physical line at a time, so that records know their line. */
static enum fg_status feed(struct reader *r, struct csv_parser *parser, const char *bytes,
                           size_t len)
{
    if (fg_csv_feed_lines(&r->lines, parser, bytes, len, on_field, on_record, r, &r->status))
        return FG_OK;
    return r->status != FG_OK ? r->status : csv_failure(r, parser, false);
}

/* Reads the file (a path, "-" for standard input, plain or gzip) into r->counts; info gets
 * the digest of the bytes given. */
static enum fg_status read_file(struct reader *r, const char *path, struct fg_counts_info *info)
{
    enum fg_status status = FG_OK;
    struct csv_parser parser;
    bool parser_ready = false;
    struct fg_instream *stream = NULL;
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    char *chunk = malloc(CHUNK_SIZE);
    if (sha == NULL || chunk == NULL || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1 ||
        !fg_csv_init(&parser, ',', FIELD_BUFFER_STEP)) {
        status = fail(r, FG_ERR_NOMEM, 0, 0, "out of memory");
        goto done;
    }
    parser_ready = true;
    if ((status = fg_instream_open(path, sha, &stream, r->err)) != FG_OK)
        goto done;
    r->lines.line = 1;
    for (bool first = true, eof = false; !eof; first = false) {
        ssize_t got = fg_instream_read(stream, chunk, CHUNK_SIZE, &eof, r->err);
        if (got < 0) {
            status = r->err->code;
            goto done;
        }
        size_t skip = first && got >= 3 && memcmp(chunk, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
        if ((status = feed(r, &parser, chunk + skip, (size_t)got - skip)) != FG_OK)
            goto done;
    }
    if (csv_fini(&parser, on_field, on_record, r) != 0) {
        status = r->status != FG_OK ? r->status : csv_failure(r, &parser, true);
        goto done;
    }
    if ((status = r->status) != FG_OK)
        goto done;
    if (!r->header_done) {
        status = fail(r, FG_ERR_INPUT, 0, 0, "the file is empty: no header line");
        goto done;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_DigestFinal_ex(sha, digest, &digest_len) != 1 || digest_len != 32) {
        status = fail(r, FG_ERR_IO, 0, 0, "SHA-256 failed");
        goto done;
    }
    fg_digest_hex(digest, info->sha256);
done:
    if (parser_ready)
        csv_free(&parser);
    fg_instream_close(stream);
    EVP_MD_CTX_free(sha);
    free(chunk);
    return status;
}

enum fg_status fg_counts_load(const struct fg_policy *policy, const char *path,
                              struct fg_counts **out, struct fg_counts_info *info,
                              struct fg_error *err)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    enum fg_status status = fg_counts_policy_check(policy, err);
    if (status != FG_OK)
        return status;
    struct reader r;
    memset(&r, 0, sizeof r);
    r.path = fg_instream_name(path);
    r.policy = policy;
    r.err = err;
    r.n_expected = policy->data.n_protected + N_BITS;
    status =
        fg_counts_new(policy->data.n_protected, policy->data.incumbent.present, &r.counts, err);
    if (status == FG_OK)
        status = read_file(&r, path, info);
    for (size_t i = 0; i < FG_MAX_PROTECTED + N_BITS; i++)
        free(r.fields[i]);
    free(r.role_of);
    if (status != FG_OK) {
        fg_counts_free(r.counts);
        return status;
    }
    snprintf(info->path, sizeof info->path, "%s", path);
    info->rows = fg_counts_total(r.counts);
    info->cells = r.records;
    *out = r.counts;
    return FG_OK;
}

enum fg_status fg_counts_load_files(const struct fg_policy *policy, const char *const *paths,
                                    size_t n_paths, struct fg_counts **out,
                                    struct fg_counts_info *infos, struct fg_error *err)
{
    *out = NULL;
    if (n_paths == 0)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "no counts file");
    struct fg_counts *total = NULL;
    enum fg_status status = FG_OK;
    for (size_t i = 0; i < n_paths && status == FG_OK; i++) {
        struct fg_counts *one = NULL;
        status = fg_counts_load(policy, paths[i], &one, &infos[i], err);
        if (status != FG_OK)
            break;
        for (size_t j = 0; j < i && status == FG_OK; j++)
            if (strcmp(infos[j].sha256, infos[i].sha256) == 0)
                status = fg_error_set(err, FG_ERR_USAGE, fg_instream_name(paths[i]), 0, 0,
                                      "the same counts as %s (sha256 %.12s...): a shard given "
                                      "twice would count its rows twice",
                                      fg_instream_name(paths[j]), infos[i].sha256);
        if (status != FG_OK) {
            fg_counts_free(one);
            break;
        }
        if (total == NULL) {
            total = one;
            continue;
        }
        struct fg_error inner;
        status = fg_counts_merge(total, one, &inner);
        fg_counts_free(one);
        if (status != FG_OK)
            status = fg_error_set(err, status, fg_instream_name(paths[i]), 0, 0,
                                  "adding it to the counts before: %s", inner.message);
    }
    if (status == FG_OK && fg_counts_total(total) == 0)
        status = fg_error_set(err, FG_ERR_INPUT, fg_instream_name(paths[0]), 0, 0,
                              "no rows to judge: the counts add up to 0");
    if (status != FG_OK) {
        fg_counts_free(total);
        return status;
    }
    *out = total;
    return FG_OK;
}

void fg_counts_binding_sha256(const char *const *sha256s, size_t n, char out[65])
{
    if (n == 1) {
        snprintf(out, 65, "%s", sha256s[0]);
        return;
    }
    char *text = malloc(n * 65 + 1);
    if (text == NULL) { /* cannot happen for the few files a command line names */
        out[0] = '\0';
        return;
    }
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, 66, "%.64s\n", sha256s[i]);
    if (fg_sha256_hex(text, len, out, NULL) != FG_OK)
        out[0] = '\0'; /* matches no digest: an override bound to it is rejected */
    free(text);
}

void fg_counts_binding_of(const struct fg_counts_info *infos, size_t n, char out[65])
{
    const char **digests = n > 0 ? calloc(n, sizeof *digests) : NULL;
    if (digests == NULL) {
        out[0] = '\0'; /* matches no digest: an override bound to it is rejected */
        return;
    }
    for (size_t i = 0; i < n; i++)
        digests[i] = infos[i].sha256;
    fg_counts_binding_sha256(digests, n, out);
    free(digests);
}

enum fg_status fg_counts_binding_files(const char *const *paths, size_t n, char out[65],
                                       struct fg_error *err)
{
    if (n == 0)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "no counts file");
    struct fg_counts_info *infos = calloc(n, sizeof *infos);
    if (infos == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    enum fg_status st = FG_OK;
    for (size_t i = 0; i < n && st == FG_OK; i++) {
        st = fg_file_sha256(paths[i], infos[i].sha256, err);
        for (size_t j = 0; j < i && st == FG_OK; j++)
            if (strcmp(infos[i].sha256, infos[j].sha256) == 0)
                st = fg_error_set(err, FG_ERR_USAGE, fg_instream_name(paths[i]), 0, 0,
                                  "the same bytes as %s: check refuses a shard given twice",
                                  fg_instream_name(paths[j]));
    }
    if (st == FG_OK)
        fg_counts_binding_of(infos, n, out);
    free(infos);
    return st;
}
