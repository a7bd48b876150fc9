/*
 * counts_io.c - the counts file: the cell table as CSV, written by `fairgate counts`, by the
 * query of `fairgate sql` inside an engine, and read back by `fairgate check --counts`.
 *
 * Format (README "Counts: the warehouse path"): comma-separated, UTF-8, a header, then one
 * record per cell. The header names each protected attribute of the policy (in policy order
 * when fairgate writes it; any order is read), then y_true, candidate, incumbent, count.
 * y_true is 1 when the label equals data.positive_label, candidate and incumbent are 1 for a
 * favourable decision, all exactly "0" or "1" (the query of `fairgate sql` puts
 * FG_COUNTS_OTHERWISE and the value there for a positive value written otherwise, and
 * FG_COUNTS_THIRD, the value and the other value for a third value: refused, naming the
 * column, as the rows refuse such values); incumbent is always present and 0 when the
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
#include "scorebins.h"
#include "util.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define CHUNK_SIZE        (64u * 1024u)
#define FIELD_BUFFER_STEP ((size_t)16 * 1024)
#define N_BITS            4 /* a cells file: y_true, candidate, incumbent, count */

/* The fixed columns of both kinds of file; a column's index in a reader is n_protected + its
 * position here. The first N_BITS are a cells file's. */
enum { COL_Y, COL_CANDIDATE, COL_INCUMBENT, COL_COUNT, COL_MODEL, COL_BIN, COL_SUM, COL_SQUARES };
#define N_FIXED 8
static const char *const bit_names[N_FIXED] = {"y_true", "candidate", "incumbent", "count",
                                               "model",  "bin",       "sum",       "sum_squares"};
/* Which fixed columns each kind has: bit k for column k. */
#define CELLS_COLUMNS 0x0fu /* y_true, candidate, incumbent, count */
#define BINS_COLUMNS  0xf9u /* y_true, count, model, bin, sum, sum_squares */

/* ---- the policy's side ---- */

/* Whether the policy gates on a score metric (auc, brier, calibration_gap). */
static bool has_score_gate(const struct fg_policy *policy)
{
    for (size_t g = 0; g < policy->n_gates; g++)
        if (fg_metric_is_score(policy->gates[g].metric))
            return true;
    return false;
}

/* A protected attribute named like a fixed column would make the header ambiguous (the
 * columns of a score bins file count only for a policy that needs one). */
static enum fg_status check_names(const struct fg_policy *policy, struct fg_error *err)
{
    if (policy->data.n_protected > FG_MAX_PROTECTED)
        return fg_error_set(err, FG_ERR_LIMIT, policy->path, 0, 0,
                            "%zu protected attributes; the limit is %d", policy->data.n_protected,
                            FG_MAX_PROTECTED);
    size_t n_fixed = has_score_gate(policy) ? N_FIXED : N_BITS;
    for (size_t a = 0; a < policy->data.n_protected; a++)
        for (size_t b = 0; b < n_fixed; b++)
            if (strcmp(policy->data.protected[a], bit_names[b]) == 0)
                return fg_error_set(err, FG_ERR_POLICY, policy->path, 0, 0,
                                    "protected attribute '%s' has the name of a column of the "
                                    "%s file; a counts table cannot hold it",
                                    bit_names[b], b < N_BITS ? "counts" : "score bins");
    return FG_OK;
}

enum fg_status fg_counts_policy_check(const struct fg_policy *policy, struct fg_error *err)
{
    enum fg_status status = check_names(policy, err);
    if (status != FG_OK)
        return status;
    return fg_score_bins_policy_check(policy, err);
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

/* Each of values[0..n), then a comma. */
static void put_values(struct fg_buf *t, const char *const *values, size_t n)
{
    for (size_t a = 0; a < n; a++) {
        put_field(t, values[a]);
        fg_buf_append(t, ",", 1);
    }
}

/* The values of value_ids, each then a comma. */
static void put_cell_values(struct fg_buf *t, const struct fg_counts *counts,
                            const uint32_t *value_ids)
{
    for (size_t a = 0; a < fg_counts_attr_count(counts); a++) {
        put_field(t, fg_counts_value(counts, a, value_ids[a]));
        fg_buf_append(t, ",", 1);
    }
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
    put_values(&t, (const char *const *)policy->data.protected, n_attrs);
    fg_buf_puts(&t, "y_true,candidate,incumbent,count\n");
    for (size_t i = 0; i < n_cells; i++) {
        struct fg_cell cell;
        fg_counts_cell(counts, order[i], &cell);
        if (cell.count == 0)
            continue;
        put_cell_values(&t, counts, cell.value_ids);
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

/* ---- writing score bins ---- */

/* The shortest of %.15g, %.16g and %.17g that reads back as value. */
static void put_number(struct fg_buf *t, double value)
{
    char text[64];
    fg_format_exact(text, sizeof text, value);
    fg_buf_puts(t, text);
}

/* The records of one (values, y_true, model), in bin order. */
static void put_bin_records(struct fg_buf *t, const struct fg_counts *counts,
                            const struct fg_bin_record *first, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const struct fg_bin_record *r = &first[k];
        put_cell_values(t, counts, r->value_ids);
        fg_buf_add(t, "%u,%s,%d,%llu,", (unsigned)r->y_true,
                   r->incumbent ? "incumbent" : "candidate", r->bin, (unsigned long long)r->n);
        put_number(t, r->sum == 0 ? 0.0 : r->sum); /* never -0 */
        fg_buf_puts(t, ",");
        put_number(t, r->sum_squares);
        fg_buf_puts(t, "\n");
    }
}

enum fg_status fg_counts_render_bins_csv(const struct fg_policy *policy,
                                         const struct fg_counts *counts, char **out, size_t *len,
                                         struct fg_error *err)
{
    *out = NULL;
    *len = 0;
    const struct fg_score_bins *bins = fg_counts_bins(counts);
    enum fg_status status = check_names(policy, err);
    if (status == FG_OK && bins == NULL)
        status = fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "the table holds no score bins");
    if (status == FG_OK && fg_counts_attr_count(counts) != policy->data.n_protected)
        status = fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                              "the table has %zu attributes, the "
                              "policy %zu",
                              fg_counts_attr_count(counts), policy->data.n_protected);
    size_t *order = NULL;
    if (status == FG_OK)
        status = fg_counts_canonical_order(counts, &order, err);
    if (status != FG_OK)
        return status;
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_COUNTS_CSV, "the score bins CSV");
    put_values(&t, (const char *const *)policy->data.protected, policy->data.n_protected);
    fg_buf_puts(&t, "y_true,model,bin,count,sum,sum_squares\n");
    /* in the cells' canonical order: by values, then y_true; each (values, y_true) once */
    const struct fg_bin_record *last[2] = {NULL, NULL};
    for (size_t i = 0; i < fg_counts_cell_count(counts); i++) {
        struct fg_cell cell;
        fg_counts_cell(counts, order[i], &cell);
        for (size_t m = 0; m < 2; m++) {
            size_t n = 0;
            const struct fg_bin_record *first =
                fg_score_bins_find(bins, cell.value_ids, cell.y_true, m == 1, &n);
            if (first != NULL && first != last[m])
                put_bin_records(&t, counts, first, n);
            last[m] = first != NULL ? first : last[m];
        }
    }
    free(order);
    size_t written = t.len;
    if ((status = fg_buf_finish(&t, out, err)) != FG_OK)
        return status;
    *len = written;
    return FG_OK;
}

/* ---- reading ---- */

/* What a file is, from its header: the cells, or score bins (a column only they have). */
enum kind { KIND_UNKNOWN, KIND_CELLS, KIND_BINS };

#define N_INDEX (FG_MAX_PROTECTED + N_FIXED)

struct reader {
    const char *path;
    const struct fg_policy *policy;
    struct fg_counts *counts;
    struct fg_error *err;
    enum kind kind;    /* settled by the first column only one kind has; cells at the end */
    size_t n_expected; /* protected attributes + the kind's fixed columns */
    /* the header: column -> expected index (protected a, or n_protected + fixed column) */
    size_t *role_of;
    size_t n_columns, columns_cap;
    bool seen[N_INDEX];
    size_t column_of[N_INDEX]; /* expected index -> 0-based column */
    bool header_done;
    /* the record being read */
    char *fields[N_INDEX]; /* by expected index */
    size_t lengths[N_INDEX];
    size_t caps[N_INDEX];
    uint64_t model_rows[2];    /* score bins: the rows of each model's bins */
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
    fg_vsnprintf_c(message, sizeof message, fmt, ap);
    va_end(ap);
    return fg_error_set(r->err, code, r->path, line, column, "%s", message);
}

static const char *expected_name(const struct reader *r, size_t index)
{
    size_t n_protected = r->policy->data.n_protected;
    return index < n_protected ? r->policy->data.protected[index] : bit_names[index - n_protected];
}

/* Whether expected index belongs in a file of the reader's kind (either, while unknown). */
static bool member(const struct reader *r, size_t index)
{
    size_t n_protected = r->policy->data.n_protected;
    if (index < n_protected)
        return true;
    unsigned bit = 1u << (index - n_protected);
    unsigned columns = r->kind == KIND_BINS    ? BINS_COLUMNS
                       : r->kind == KIND_CELLS ? CELLS_COLUMNS
                                               : CELLS_COLUMNS | BINS_COLUMNS;
    return (columns & bit) != 0;
}

/* "sex,race,y_true,candidate,incumbent,count" for messages (a cells file's while unknown). */
static void expected_header(const struct reader *r, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    unsigned columns = r->kind == KIND_BINS ? BINS_COLUMNS : CELLS_COLUMNS;
    size_t n_protected = r->policy->data.n_protected;
    for (size_t i = 0; i < n_protected + N_FIXED && used < size; i++) {
        if (i >= n_protected && (columns & (1u << (i - n_protected))) == 0)
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", expected_name(r, i));
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* The first column only one kind has settles the kind (and how many columns to expect). */
static void settle_kind(struct reader *r, size_t index)
{
    size_t n_protected = r->policy->data.n_protected;
    if (r->kind != KIND_UNKNOWN || index < n_protected)
        return;
    unsigned bit = 1u << (index - n_protected);
    if ((bit & CELLS_COLUMNS & BINS_COLUMNS) != 0)
        return;
    r->kind = (bit & BINS_COLUMNS) != 0 ? KIND_BINS : KIND_CELLS;
    r->n_expected = n_protected + (r->kind == KIND_BINS ? 6 : N_BITS);
}

static enum fg_status unexpected_column(struct reader *r, const char *name, size_t len,
                                        unsigned long column)
{
    char header[1024];
    const char *missing[N_INDEX];
    size_t n_index = r->policy->data.n_protected + N_FIXED;
    for (size_t i = 0; i < n_index; i++)
        missing[i] = r->seen[i] || !member(r, i) ? NULL : expected_name(r, i);
    char *copy = fg_strndup(name, len);
    const char *near = copy ? fg_did_you_mean(copy, missing, n_index) : NULL;
    expected_header(r, header, sizeof header);
    enum fg_status st =
        fail(r, FG_ERR_INPUT, r->lines.record_line, column,
             "unexpected column '%.200s'%s%s%s (a %s file has exactly: %s)", copy ? copy : "?",
             near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "",
             r->kind == KIND_BINS ? "score bins" : "counts", header);
    free(copy);
    return st;
}

static enum fg_status header_field(struct reader *r, const char *name, size_t len)
{
    unsigned long column = (unsigned long)r->n_columns + 1;
    char header[1024];
    if (r->n_columns >= r->n_expected) {
        expected_header(r, header, sizeof header);
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                    "the header has more than the %zu expected columns (a %s file has "
                    "exactly: %s)",
                    r->n_expected, r->kind == KIND_BINS ? "score bins" : "counts", header);
    }
    size_t found = SIZE_MAX;
    for (size_t i = 0; i < r->policy->data.n_protected + N_FIXED && found == SIZE_MAX; i++) {
        const char *want = expected_name(r, i);
        if (member(r, i) && strlen(want) == len && memcmp(want, name, len) == 0)
            found = i;
    }
    if (found == SIZE_MAX)
        return unexpected_column(r, name, len, column);
    if (r->seen[found])
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                    "column '%s' appears twice in the header (columns %zu and %lu)",
                    expected_name(r, found), r->column_of[found] + 1, column);
    settle_kind(r, found);
    r->seen[found] = true;
    r->column_of[found] = r->n_columns;
    r->role_of[r->n_columns++] = found;
    return FG_OK;
}

static enum fg_status header_done(struct reader *r)
{
    char header[1024];
    if (r->kind == KIND_UNKNOWN)
        r->kind = KIND_CELLS;
    for (size_t i = 0; i < r->policy->data.n_protected + N_FIXED; i++) {
        if (r->seen[i] || !member(r, i))
            continue;
        expected_header(r, header, sizeof header);
        return fail(r, FG_ERR_INPUT, r->lines.record_line, 0,
                    "no column '%s' in the header (a %s file has exactly: %s; it must come "
                    "from this policy's `fairgate counts` or `fairgate sql`)",
                    expected_name(r, i), r->kind == KIND_BINS ? "score bins" : "counts", header);
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

/* The column a y_true, candidate or incumbent field reads, its positive value, the policy's
 * key for that value and what the value is called. */
struct binary_source {
    const char *column, *positive, *key, *positive_is;
};

static struct binary_source binary_source(const struct fg_policy *policy, size_t bit)
{
    const struct fg_model_spec *model = bit == 1   ? &policy->data.candidate
                                        : bit == 2 ? &policy->data.incumbent
                                                   : NULL;
    struct binary_source s = {model ? model->prediction : policy->data.label,
                              model ? policy->data.favorable_prediction
                                    : policy->data.positive_label,
                              model ? "favorable_prediction" : "positive_label",
                              model ? "favorable prediction" : "positive label"};
    if (s.column == NULL)
        s.column = "?";
    return s;
}

/* The mark of `fairgate sql` (FG_COUNTS_OTHERWISE) in a y_true, candidate or incumbent
 * field: the engine's rows of this cell have the positive label, or the favourable
 * prediction, written otherwise. Refused, naming the column, as the rows refuse the value. */
static enum fg_status otherwise_marked(struct reader *r, size_t bit, const char *value,
                                       unsigned long column)
{
    struct binary_source s = binary_source(r->policy, bit);
    const char *what = fg_written_otherwise(s.positive, strlen(s.positive), value, strlen(value));
    char differs[128];
    snprintf(differs, sizeof differs, "which differs from the %s '%.32s' only in %s", s.positive_is,
             s.positive, *what ? what : "how the engine writes it");
    return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                "%s marks rows whose column '%.64s' has '%.64s', %s: the query compares text, "
                "exactly, so they would count as the other value (on the rows, fairgate refuses "
                "such a value too); give the column one spelling in the engine (a number column "
                "as integers: CAST(\"%.64s\" AS INTEGER), or text as the CSV writes it) and run "
                "the query again, or, if every row has '%.64s', write data.%s: \"%.64s\" in the "
                "policy",
                bit_names[bit], s.column, value, differs, s.column, value, s.key, value);
}

/* The mark of `fairgate sql` (FG_COUNTS_THIRD) in a y_true, candidate or incumbent field:
 * the engine's rows of this cell have a third value in the column, "<value> (other:
 * <other>)" after the mark (split at the last FG_COUNTS_THIRD_OTHER). Refused as the rows
 * refuse a third value (lib/ingest.c read_binary), in the same words. */
static enum fg_status third_marked(struct reader *r, size_t bit, const char *marked,
                                   unsigned long column)
{
    struct binary_source s = binary_source(r->policy, bit);
    size_t len = strlen(marked), value_len = len;
    const char *other = "?";
    int other_len = 1;
    for (const char *p = strstr(marked, FG_COUNTS_THIRD_OTHER); p != NULL && marked[len - 1] == ')';
         p = strstr(p + 1, FG_COUNTS_THIRD_OTHER)) {
        value_len = (size_t)(p - marked);
        other = p + strlen(FG_COUNTS_THIRD_OTHER);
        other_len = (int)(marked + len - 1 - other);
    }
    /* the third value, or the other one, may be a missing value as an export writes it */
    char hint[256] = "";
    const char *missing = fg_looks_missing(marked, value_len)          ? marked
                          : fg_looks_missing(other, (size_t)other_len) ? other
                                                                       : NULL;
    if (missing != NULL)
        snprintf(hint, sizeof hint,
                 "; '%.*s' looks like a missing value, but only NULL or empty text is read as "
                 "missing: store missing values as NULL, and 'missing: drop' in data leaves those "
                 "rows out",
                 missing == marked ? (int)value_len : other_len, missing);
    return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                "%s marks rows whose column '%.64s' has a third value '%.*s' (the %s is '%.64s'; "
                "the other value, the least in the engine's order, is '%.*s'): a label or "
                "prediction column has two values, and on the rows fairgate refuses a third "
                "too; give the column two values in the engine (say, a view that maps each "
                "value to the %s or the other one) and run the query again%s",
                bit_names[bit], s.column, (int)(value_len < 64 ? value_len : 64), marked,
                s.positive_is, s.positive, other_len < 64 ? other_len : 64, other, s.positive_is,
                hint);
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
    size_t mark = strlen(FG_COUNTS_OTHERWISE);
    if (bit < 3 && r->lengths[index] >= mark && memcmp(v, FG_COUNTS_OTHERWISE, mark) == 0)
        return otherwise_marked(r, bit, v + mark, column);
    size_t third = strlen(FG_COUNTS_THIRD);
    if (bit < 3 && r->lengths[index] > third && memcmp(v, FG_COUNTS_THIRD, third) == 0)
        return third_marked(r, bit, v + third, column);
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

/* The record's group values: interned into ids when n > 0, else only checked. */
static enum fg_status read_values(struct reader *r, uint64_t n, uint32_t *ids)
{
    const struct fg_policy *policy = r->policy;
    for (size_t a = 0; a < policy->data.n_protected; a++) {
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
        enum fg_status status =
            fg_counts_intern(r->counts, a, r->fields[a], r->lengths[a], &ids[a], &inner);
        if (status != FG_OK)
            return fail(r, status, r->lines.record_line, column, "column '%s': %s",
                        policy->data.protected[a], inner.message);
    }
    return FG_OK;
}

/* ---- reading score bins ---- */

/* The field of fixed column col: its text, length and 1-based column number. */
static const char *fixed_field(const struct reader *r, size_t col, size_t *len,
                               unsigned long *column)
{
    size_t index = r->policy->data.n_protected + col;
    *len = r->lengths[index];
    *column = (unsigned long)r->column_of[index] + 1;
    return r->fields[index];
}

static enum fg_status read_model_name(struct reader *r, bool *incumbent)
{
    size_t len;
    unsigned long column;
    const char *v = fixed_field(r, COL_MODEL, &len, &column);
    *incumbent = strcmp(v, "incumbent") == 0;
    if (!*incumbent && strcmp(v, "candidate") != 0)
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                    "model is '%.64s'; it must be candidate or incumbent", v);
    if (*incumbent && !r->policy->data.incumbent.present)
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                    "model is incumbent, but the policy names no incumbent model "
                    "(data.incumbent)");
    return FG_OK;
}

/* bin: an integer from FG_SCORE_BIN_BELOW to FG_SCORE_BIN_ABOVE, digits and a leading '-'. */
static enum fg_status read_bin(struct reader *r, int *bin)
{
    size_t len;
    unsigned long column;
    const char *v = fixed_field(r, COL_BIN, &len, &column);
    bool negative = len > 0 && v[0] == '-';
    long value = 0;
    bool ok = len > (size_t)negative && len <= 6;
    for (size_t i = negative; ok && i < len; i++) {
        ok = v[i] >= '0' && v[i] <= '9';
        value = value * 10 + (v[i] - '0');
    }
    value = negative ? -value : value;
    if (!ok || value < FG_SCORE_BIN_BELOW || value > FG_SCORE_BIN_ABOVE)
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                    "bin is '%.64s'; it must be an integer from %d (scores below 0) to %d "
                    "(above 1)",
                    v, FG_SCORE_BIN_BELOW, FG_SCORE_BIN_ABOVE);
    *bin = (int)value;
    return FG_OK;
}

/* sum or sum_squares: a finite decimal number (no blank, hexadecimal, inf or nan). */
static enum fg_status read_sum(struct reader *r, size_t col, double *out)
{
    size_t len;
    unsigned long column;
    const char *v = fixed_field(r, col, &len, &column);
    char *end = NULL;
    bool plain = len > 0 && strchr(" \t\n\v\f\r", v[0]) == NULL && strpbrk(v, "xX") == NULL;
    double value = plain ? fg_strtod(v, &end) : 0.0;
    if (!plain || end != v + len || !isfinite(value))
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                    "%s is '%.64s'; it must be a finite decimal number", bit_names[col], v);
    *out = value;
    return FG_OK;
}

/* A record's sums must be those of n scores in its bin: catches swapped or shifted columns
 * (the slack allows for an engine's rounding). */
static enum fg_status check_sums(struct reader *r, int bin, uint64_t n, double sum, double squares)
{
    size_t len;
    unsigned long column;
    if (squares < 0) {
        fixed_field(r, COL_SQUARES, &len, &column);
        return fail(r, FG_ERR_INPUT, r->lines.record_line, column, "sum_squares is negative");
    }
    if (n == 0)
        return FG_OK;
    double mean = sum / (double)n, slack = 1e-9;
    double low = bin == FG_SCORE_BIN_BELOW   ? -HUGE_VAL
                 : bin == FG_SCORE_BIN_ABOVE ? 1.0
                                             : fg_score_edge(bin);
    double high = bin == FG_SCORE_BIN_BELOW   ? 0.0
                  : bin == FG_SCORE_BIN_ABOVE ? HUGE_VAL
                                              : fg_score_edge(bin + 1);
    if (mean >= low - slack && mean <= high + slack)
        return FG_OK;
    fixed_field(r, COL_SUM, &len, &column);
    return fail(r, FG_ERR_INPUT, r->lines.record_line, column,
                "sum is %.17g: the mean of the %llu scores of bin %d would be %.17g, outside the "
                "bin [%g, %g]",
                sum, (unsigned long long)n, bin, mean, low, high);
}

static enum fg_status bins_record(struct reader *r)
{
    int y_true = 0, bin = 0;
    bool incumbent = false;
    uint64_t n = 0;
    double sum = 0, squares = 0;
    enum fg_status status = read_bit(r, 0, &y_true);
    if (status == FG_OK)
        status = read_model_name(r, &incumbent);
    if (status == FG_OK)
        status = read_bin(r, &bin);
    if (status == FG_OK)
        status = read_count(r, &n);
    if (status == FG_OK)
        status = read_sum(r, COL_SUM, &sum);
    if (status == FG_OK)
        status = read_sum(r, COL_SQUARES, &squares);
    if (status == FG_OK)
        status = check_sums(r, bin, n, sum, squares);
    struct fg_bin_record record;
    memset(&record, 0, sizeof record);
    if (status == FG_OK)
        status = read_values(r, n, record.value_ids);
    if (status != FG_OK || n == 0)
        return status; /* a count of 0 is checked and adds nothing */
    if (r->model_rows[incumbent] > UINT64_MAX - n)
        return fail(r, FG_ERR_LIMIT, r->lines.record_line, 0,
                    "the %s's score bins would count more than 2^64 - 1 rows",
                    incumbent ? "incumbent" : "candidate");
    r->model_rows[incumbent] += n;
    record.y_true = y_true != 0;
    record.incumbent = incumbent;
    record.bin = bin;
    record.n = n;
    record.sum = sum;
    record.sum_squares = squares;
    struct fg_error inner;
    struct fg_score_bins *bins = fg_counts_bins(r->counts);
    if (bins == NULL &&
        (status = fg_score_bins_new(fg_counts_attr_count(r->counts), &bins, &inner)) == FG_OK)
        fg_counts_set_bins(r->counts, bins);
    if (status == FG_OK)
        status = fg_score_bins_add(bins, &record, &inner);
    return status == FG_OK ? FG_OK : fail(r, status, r->lines.record_line, 0, "%s", inner.message);
}

static enum fg_status cells_record(struct reader *r)
{
    const struct fg_policy *policy = r->policy;
    size_t n_protected = policy->data.n_protected;
    int bits[3] = {0, 0, 0};
    uint64_t n = 0;
    enum fg_status status;
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
    if ((status = read_values(r, n, ids)) != FG_OK || n == 0)
        return status; /* a count of 0 is checked and adds nothing: its values are no group */
    struct fg_error inner;
    status = fg_counts_add(r->counts, ids, bits[0], bits[1], bits[2], n, &inner);
    if (status != FG_OK)
        return fail(r, status, r->lines.record_line, 0, "%s", inner.message);
    return FG_OK;
}

static enum fg_status data_record(struct reader *r)
{
    r->records++;
    if (r->field != r->n_columns)
        return fail(r, FG_ERR_INPUT, r->lines.record_line, 0,
                    "the record has %zu field%s, the header %zu", r->field,
                    r->field == 1 ? "" : "s", r->n_columns);
    return r->kind == KIND_BINS ? bins_record(r) : cells_record(r);
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
        return fail(r, FG_ERR_LIMIT, fg_csv_lines_open_record(&r->lines), 0,
                    "a field is longer than the limit of %u bytes", (unsigned)FG_MAX_FIELD);
    if (code == CSV_ENOMEM)
        return fail(r, FG_ERR_NOMEM, r->lines.line, 0, "out of memory");
    return fail(r, FG_ERR_INPUT, r->lines.line, 0, "CSV error: %s", csv_strerror(code));
}

/* Feeds bytes to libcsv, so that records know their line (lib/csvread.c). */
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
    for (size_t i = 0; i < N_INDEX; i++)
        free(r.fields[i]);
    free(r.role_of);
    if (status == FG_OK && fg_counts_bins(r.counts) != NULL)
        status = fg_score_bins_finish(fg_counts_bins(r.counts), err);
    if (status != FG_OK) {
        fg_counts_free(r.counts);
        return status;
    }
    snprintf(info->path, sizeof info->path, "%s", path);
    info->score_bins = r.kind == KIND_BINS;
    /* a bins file stands for the rows whose scores it bins: one model's count */
    info->rows = info->score_bins
                     ? (r.model_rows[0] > r.model_rows[1] ? r.model_rows[0] : r.model_rows[1])
                     : fg_counts_total(r.counts);
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
                              "no rows to judge: the counts add up to 0%s",
                              fg_counts_bins(total) != NULL
                                  ? " (score bins alone are not enough: give the counts file too)"
                                  : "");
    if (status == FG_OK)
        status = fg_score_bins_validate(policy, total, err);
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
