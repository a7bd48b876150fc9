/*
 * sql.c - the GROUP BY query that computes a policy's counts table inside an engine
 * (PostgreSQL, SQLite, Spark SQL, BigQuery, DuckDB, Trino and other ANSI engines), so that
 * only the small counts file leaves the warehouse (README "Counts: the warehouse path").
 *
 * The query reproduces ingest's reading of a row (lib/ingest.c) with the policy's own
 * columns, labels and thresholds:
 * - labels and predictions are compared as text, exactly: CAST(column AS <text>) = 'value',
 *   as fairgate compares a CSV field's bytes (a numeric column is formatted by the engine),
 *   giving '1' or '0' (text); a value that is the positive one written otherwise, by the
 *   rows' rule (fg_written_otherwise: case, spaces around, a number written otherwise),
 *   gives FG_COUNTS_OTHERWISE || value instead, which `fairgate check --counts` refuses, as
 *   fairgate refuses the value on the rows (put_otherwise says how each dialect tells);
 * - a column has two values, as on the rows: the positive one and one other, the least (in
 *   the engine's order) of its values that are neither positive, nor it written otherwise,
 *   nor missing, from one more scan of the table; any third value gives FG_COUNTS_THIRD ||
 *   value || FG_COUNTS_THIRD_OTHER || other || ')', which `fairgate check --counts` refuses,
 *   as fairgate refuses a third value on the rows (section "a third value");
 * - a score is favourable when CAST(score AS <double>) (SAFE_CAST in bigquery, TRY_CAST in
 *   duckdb) >= threshold (favorable: above) or < threshold (below); the threshold is
 *   written with the fewest digits that read back as the same double;
 * - a value is missing when it is NULL or empty text. missing: drop leaves such rows out
 *   (WHERE); missing: error gives them an empty (NULL) y_true, which `fairgate check
 *   --counts` refuses with exit 2: SQL cannot raise an error portably;
 * - a score that is not a finite decimal number (NaN, infinite, unreadable, blanks,
 *   hexadecimal, underflowing) gives a NULL y_true in both modes, as fairgate refuses it on
 *   the rows in both (put_bad_score says how each dialect tells);
 * - every column is read through the table alias (fairgate_src."col"), so that a misspelt
 *   column is an error in every engine (SQLite would take a lone "col" for a string) and a
 *   column never resolves to one of the query's own output names.
 * Quoting per dialect: identifiers "..." with " doubled (ansi, postgres, sqlite, duckdb),
 * `...` with ` doubled (spark) or backslash-escaped (bigquery); string literals '...' with '
 * doubled (ansi, postgres, sqlite, duckdb: DuckDB's strings keep a backslash as it is) or
 * backslash-escaped (spark, bigquery, which also escape backslashes and control
 * characters). Comments carry no control characters.
 *
 * Ownership: the query string is the caller's to free.
 */
#include "buf.h"
#include "counts.h"
#include "fairgate.h"
#include "policy.h"
#include "scorebins.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dialect {
    const char *name;
    char quote;     /* identifier quote */
    bool backslash; /* backslash escapes in literals (and identifiers, bigquery) */
    const char *text_type;
    const char *double_type;
    /* The cast to <double> that gives NULL for an unreadable value instead of failing:
     * SAFE_CAST (bigquery), TRY_CAST (duckdb); NULL for a plain CAST. */
    const char *safe_cast;
};

static const struct dialect dialects[] = {
    [FG_SQL_ANSI] = {"ansi", '"', false, "VARCHAR", "DOUBLE PRECISION", NULL},
    [FG_SQL_POSTGRES] = {"postgres", '"', false, "TEXT", "DOUBLE PRECISION", NULL},
    [FG_SQL_SQLITE] = {"sqlite", '"', false, "TEXT", "REAL", NULL},
    [FG_SQL_SPARK] = {"spark", '`', true, "STRING", "DOUBLE", NULL},
    [FG_SQL_BIGQUERY] = {"bigquery", '`', true, "STRING", "FLOAT64", "SAFE_CAST"},
    [FG_SQL_DUCKDB] = {"duckdb", '"', false, "VARCHAR", "DOUBLE", "TRY_CAST"},
};

#define N_DIALECTS (sizeof dialects / sizeof dialects[0])

enum fg_status fg_sql_dialect_parse(const char *name, enum fg_sql_dialect *out,
                                    struct fg_error *err)
{
    const char *names[N_DIALECTS];
    char list[128] = ""; /* "ansi, postgres, ...": the table's names, so it cannot drift */
    size_t used = 0;
    for (size_t i = 0; i < N_DIALECTS; i++) {
        names[i] = dialects[i].name;
        if (strcmp(name, dialects[i].name) == 0) {
            *out = (enum fg_sql_dialect)i;
            return FG_OK;
        }
        int n = snprintf(list + used, sizeof list - used, "%s%s", i > 0 ? ", " : "", names[i]);
        if (n > 0 && (size_t)n < sizeof list - used)
            used += (size_t)n;
    }
    const char *near = fg_did_you_mean(name, names, N_DIALECTS);
    return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                        "unknown SQL dialect '%.64s'%s%s%s (one of %s)", name,
                        near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "", list);
}

/* ---- quoting ---- */

/* A backslash escape of c for spark and bigquery, or NULL when c stands for itself. */
static const char *escape_of(unsigned char c, char quote, char buf[8])
{
    switch (c) {
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        break;
    }
    if (c == (unsigned char)quote) {
        buf[0] = '\\';
        buf[1] = quote;
        buf[2] = '\0';
        return buf;
    }
    if (c < 0x20 || c == 0x7f) {
        snprintf(buf, 8, "\\u%04x", c);
        return buf;
    }
    return NULL;
}

/* s between quote characters: the quote doubled, or backslash-escaped when backslash. */
static void put_quoted(struct fg_buf *t, const char *s, char quote, bool backslash)
{
    fg_buf_append(t, &quote, 1);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char buf[8];
        const char *esc = backslash ? escape_of(*p, quote, buf) : NULL;
        if (esc != NULL) {
            fg_buf_puts(t, esc);
            continue;
        }
        fg_buf_append(t, (const char *)p, 1);
        if (!backslash && *p == (unsigned char)quote)
            fg_buf_append(t, &quote, 1);
    }
    fg_buf_append(t, &quote, 1);
}

static void put_ident(struct fg_buf *t, const struct dialect *d, const char *name)
{
    /* spark doubles a backtick; bigquery escapes as in its string literals */
    put_quoted(t, name, d->quote, d->quote == '`' && strcmp(d->name, "bigquery") == 0);
}

static void put_literal(struct fg_buf *t, const struct dialect *d, const char *value)
{
    put_quoted(t, value, '\'', d->backslash);
}

/* Text for a "-- " comment: no control character can end the comment early. */
static void put_comment_text(struct fg_buf *t, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char c = *p < 0x20 || *p == 0x7f ? '?' : (char)*p;
        fg_buf_append(t, &c, 1);
    }
}

#define SRC  "fairgate_src"
#define ROWS "fairgate_rows"

/* fairgate_src."column" */
static void put_column(struct fg_buf *t, const struct dialect *d, const char *column)
{
    put_ident(t, d, SRC);
    fg_buf_puts(t, ".");
    put_ident(t, d, column);
}

/* CAST(fairgate_src."column" AS <text>) */
static void put_text(struct fg_buf *t, const struct dialect *d, const char *column)
{
    fg_buf_puts(t, "CAST(");
    put_column(t, d, column);
    fg_buf_add(t, " AS %s)", d->text_type);
}

/* CAST(fairgate_src."column" AS <double>), SAFE_CAST in bigquery and TRY_CAST in duckdb (an
 * unreadable value is NULL there, not an error). */
static void put_number(struct fg_buf *t, const struct dialect *d, const char *column)
{
    fg_buf_add(t, "%s(", d->safe_cast ? d->safe_cast : "CAST");
    put_column(t, d, column);
    fg_buf_add(t, " AS %s)", d->double_type);
}

/* (fairgate_src."c" IS NULL OR CAST(fairgate_src."c" AS <text>) = '') */
static void put_missing(struct fg_buf *t, const struct dialect *d, const char *column)
{
    fg_buf_puts(t, "(");
    put_column(t, d, column);
    fg_buf_puts(t, " IS NULL OR ");
    put_text(t, d, column);
    fg_buf_puts(t, " = '')");
}

/* The decimal numbers fairgate reads as a score (ingest's read_score: strtod's decimal form
 * alone: no blank, hexadecimal, "inf" or "nan"), as an anchored regular expression without
 * backslashes (so that no dialect's literal escaping changes it). */
#define DECIMAL_RE "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"

/* The smallest normal double (DBL_MIN), as a literal every engine reads as a double. */
#define SMALLEST_NORMAL "2.2250738585072014e-308"

/* A decimal that underflows: strtod reads it with ERANGE, so fairgate refuses it on the
 * rows, while the engines read it as 0 ("1e-400") or a subnormal ("5e-324"; PostgreSQL: an
 * error for the first only). Its double is below SMALLEST_NORMAL in magnitude (a decimal
 * that rounds up to it is fine, as for strtod) and its digits before the exponent are not
 * all zeros ("0e-999" is 0); a DOUBLE column's subnormal prints as such a decimal. Appends,
 * on a line of its own, OR (abs(<double>) < SMALLEST_NORMAL AND <a digit 1-9 before any e>);
 * nothing in ansi (no portable pattern). */
static void put_underflow(struct fg_buf *t, const struct dialect *d, const char *column)
{
    enum fg_sql_dialect which = (enum fg_sql_dialect)(d - dialects);
    if (which == FG_SQL_ANSI)
        return;
    fg_buf_puts(t, "\n            OR (abs(");
    put_number(t, d, column);
    fg_buf_puts(t, ") < " SMALLEST_NORMAL " AND ");
    if (which == FG_SQL_SQLITE) { /* a digit 1-9 before the e, or anywhere without one */
        static const char *const globs[] = {" GLOB '*[1-9]*[eE]*' OR (", " NOT GLOB '*[eE]*' AND ",
                                            " GLOB '*[1-9]*'))"};
        fg_buf_puts(t, "(");
        for (size_t i = 0; i < 3; i++) {
            put_text(t, d, column);
            fg_buf_puts(t, globs[i]);
        }
    } else {
        static const char *const match[][2] = {
            [FG_SQL_POSTGRES] = {"", " ~ "},
            [FG_SQL_SPARK] = {"", " RLIKE "},
            [FG_SQL_BIGQUERY] = {"REGEXP_CONTAINS(", ", "},
            [FG_SQL_DUCKDB] = {"regexp_matches(", ", "},
        };
        fg_buf_puts(t, match[which][0]);
        put_text(t, d, column);
        fg_buf_add(t, "%s'^[^eE]*[1-9]'%s", match[which][1], *match[which][0] ? ")" : "");
    }
    fg_buf_puts(t, ")");
}

/* How a condition reads a column's value as text: put_text, or put_point_text. */
typedef void (*put_value_fn)(struct fg_buf *t, const struct dialect *d, const char *column);

/* SQLite, which has no regular expressions: a condition that holds when value(column) does
 * not match DECIMAL_RE, as ten GLOBs that together spell it (only [0-9.eE+-]; at most one e
 * and one point, no point after the e; a sign first or right after the e; a digit before
 * the e and after it). */
static void put_sqlite_not_decimal(struct fg_buf *t, const struct dialect *d, const char *column,
                                   put_value_fn value)
{
    static const char *const invalid[] = {
        "*[^0-9.eE+-]*", "*[eE]*[eE]*", "*.*.*", "*[eE]*.*", "*[^eE][+-]*", "*[eE]", "*[eE][+-]",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        value(t, d, column);
        fg_buf_add(t, " GLOB '%s'\n            OR ", invalid[i]);
    }
    static const char *const starts[] = {"[0-9]*", "[+.-][0-9]*", "[+-].[0-9]*"};
    fg_buf_puts(t, "NOT (");
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        if (i > 0)
            fg_buf_puts(t, " OR ");
        value(t, d, column);
        fg_buf_add(t, " GLOB '%s'", starts[i]);
    }
    fg_buf_puts(t, ")");
}

/* A condition that holds when a (non-missing) score is not a finite decimal number, as
 * fairgate on the rows refuses it in either missing mode (exit 2). It reads the column as
 * the engine formats it as text (a DOUBLE column's NaN and infinities are "NaN",
 * "Infinity", "Inf" or "inf" there, never a decimal) and as a double (a decimal past the
 * range reads as infinity or fails):
 * - postgres: CAST(c AS TEXT) !~ DECIMAL_RE (a decimal past the range is an error of the
 *   cast in the decision already);
 * - sqlite, which has no regular expressions: ten GLOBs on CAST(c AS TEXT) that together
 *   spell DECIMAL_RE (only [0-9.eE+-]; at most one e and one point, no point after the e;
 *   a sign first or right after the e; a digit before the e and after it), or
 *   abs(CAST(c AS REAL)) >= 9e999 (SQLite's infinity);
 * - spark: NOT (RLIKE DECIMAL_RE) or RLIKE '[^0-9.eE+-]' (Java's $ also matches before a
 *   final line end), or CAST(c AS DOUBLE) is NULL (unreadable without ANSI mode), NaN
 *   (isnan) or infinite (abs = double('Infinity'));
 * - bigquery: NOT REGEXP_CONTAINS DECIMAL_RE, or SAFE_CAST(c AS FLOAT64) is NULL, IS_NAN
 *   or IS_INF (the decision reads SAFE_CAST too, so such a row is not an error);
 * - duckdb: NOT regexp_matches DECIMAL_RE (RE2, whose $ is the end of the text only),
 *   or TRY_CAST(c AS DOUBLE) is NULL or not isfinite (the decision reads TRY_CAST too; a
 *   DOUBLE column's NaN and infinities are "nan", "inf" and "-inf" as text);
 * - ansi: no portable regular expression, so only the double: NULL, or NOT BETWEEN
 *   -1.7976931348623157e308 AND 1.7976931348623157e308, which holds for NaN both where NaN
 *   compares unequal to everything (Trino) and where it sorts above every number (DuckDB,
 *   PostgreSQL), and for both infinities. Text that the engine reads as a finite number
 *   and fairgate refuses (" 0.2", "1d", "0x1p0") passes there.
 * Every dialect but ansi also tells a decimal that underflows (put_underflow). */
static void put_bad_score(struct fg_buf *t, const struct dialect *d, const char *column)
{
    fg_buf_puts(t, "(");
    switch ((enum fg_sql_dialect)(d - dialects)) {
    case FG_SQL_POSTGRES:
        put_text(t, d, column);
        fg_buf_puts(t, " !~ '" DECIMAL_RE "'");
        break;
    case FG_SQL_SQLITE:
        put_sqlite_not_decimal(t, d, column, put_text);
        fg_buf_puts(t, "\n            OR abs(CAST(");
        put_column(t, d, column);
        fg_buf_puts(t, " AS REAL)) >= 9e999");
        break;
    case FG_SQL_SPARK:
        fg_buf_puts(t, "NOT (");
        put_text(t, d, column);
        fg_buf_puts(t, " RLIKE '" DECIMAL_RE "') OR ");
        put_text(t, d, column);
        fg_buf_puts(t, " RLIKE '[^0-9.eE+-]'\n            OR ");
        for (size_t i = 0; i < 3; i++) {
            fg_buf_puts(t, (const char *[]){"", "isnan(", "abs("}[i]);
            put_number(t, d, column);
            fg_buf_puts(t, (const char *[]){" IS NULL OR ", ") OR ", ") = double('Infinity')"}[i]);
        }
        break;
    case FG_SQL_BIGQUERY:
    case FG_SQL_DUCKDB: {
        bool bigquery = d == &dialects[FG_SQL_BIGQUERY];
        fg_buf_puts(t, bigquery ? "NOT REGEXP_CONTAINS(" : "NOT regexp_matches(");
        put_text(t, d, column);
        fg_buf_puts(t, ", '" DECIMAL_RE "')\n            OR ");
        put_number(t, d, column);
        fg_buf_puts(t, bigquery ? " IS NULL OR IS_NAN(" : " IS NULL OR NOT isfinite(");
        put_number(t, d, column);
        if (bigquery) {
            fg_buf_puts(t, ") OR IS_INF(");
            put_number(t, d, column);
        }
        fg_buf_puts(t, ")");
        break;
    }
    default:
        put_number(t, d, column);
        fg_buf_puts(t, " IS NULL OR NOT (");
        put_number(t, d, column);
        fg_buf_puts(t, " BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308)");
        break;
    }
    put_underflow(t, d, column);
    fg_buf_puts(t, ")");
}

/* The shortest decimal that reads back as value. */
static void format_threshold(char *buf, size_t size, double value)
{
    for (int digits = 1; digits <= 17; digits++) {
        fg_snprintf_c(buf, size, "%.*g", digits, value);
        if (fg_strtod(buf, NULL) == value)
            return;
    }
}

/* ---- a value written otherwise ---- */

/* REPLACE(CAST(fairgate_src."c" AS <text>), ',', '.'): the text with a decimal comma read as
 * a point, as fg_comma_decimal reads one (with two commas, or a comma and a point, the text
 * is then no decimal number). */
static void put_point_text(struct fg_buf *t, const struct dialect *d, const char *column)
{
    fg_buf_puts(t, "REPLACE(");
    put_text(t, d, column);
    fg_buf_puts(t, ", ',', '.')");
}

/* A condition that holds when value(column) matches DECIMAL_RE, so that reading it as a
 * double cannot fail. ansi has no regular expressions: there, when the text is not empty and
 * made of digits, points, e, E, + and - only (a word is never cast; garbage such as "e" or
 * "1e" makes the engine's cast fail: an error, never a count). */
static void put_decimal_text(struct fg_buf *t, const struct dialect *d, const char *column,
                             put_value_fn value)
{
    static const char ansi_chars[] = "0123456789.eE+-";
    fg_buf_puts(t, "(");
    switch ((enum fg_sql_dialect)(d - dialects)) {
    case FG_SQL_POSTGRES:
        value(t, d, column);
        fg_buf_puts(t, " ~ '" DECIMAL_RE "'");
        break;
    case FG_SQL_SQLITE:
        fg_buf_puts(t, "NOT (");
        put_sqlite_not_decimal(t, d, column, value);
        fg_buf_puts(t, ")");
        break;
    case FG_SQL_SPARK:
        value(t, d, column);
        fg_buf_puts(t, " RLIKE '" DECIMAL_RE "' AND NOT ");
        value(t, d, column);
        fg_buf_puts(t, " RLIKE '[^0-9.eE+-]'");
        break;
    case FG_SQL_BIGQUERY:
    case FG_SQL_DUCKDB:
        fg_buf_puts(t, d == &dialects[FG_SQL_BIGQUERY] ? "REGEXP_CONTAINS(" : "regexp_matches(");
        value(t, d, column);
        fg_buf_puts(t, ", '" DECIMAL_RE "')");
        break;
    default:
        value(t, d, column);
        fg_buf_puts(t, " <> '' AND ");
        for (size_t i = 0; ansi_chars[i] != '\0'; i++)
            fg_buf_puts(t, "REPLACE(");
        value(t, d, column);
        for (size_t i = 0; ansi_chars[i] != '\0'; i++)
            fg_buf_add(t, ", '%c', '')", ansi_chars[i]);
        fg_buf_puts(t, " = ''");
        break;
    }
    fg_buf_puts(t, ")");
}

/* The text of column without the spaces and tabs around it (ansi: spaces, tabs, spaces;
 * standard TRIM takes one character). */
static void put_trimmed(struct fg_buf *t, const struct dialect *d, const char *column)
{
    enum fg_sql_dialect which = (enum fg_sql_dialect)(d - dialects);
    static const char *const open[] = {
        [FG_SQL_ANSI] = "TRIM(BOTH ' ' FROM TRIM(BOTH ",
        [FG_SQL_POSTGRES] = "btrim(",
        [FG_SQL_SQLITE] = "trim(",
        [FG_SQL_SPARK] = "trim(BOTH ",
        [FG_SQL_BIGQUERY] = "TRIM(",
        [FG_SQL_DUCKDB] = "trim(",
    };
    fg_buf_puts(t, open[which]);
    if (which == FG_SQL_ANSI || which == FG_SQL_SPARK) {
        put_literal(t, d, which == FG_SQL_ANSI ? "\t" : " \t");
        fg_buf_puts(t, which == FG_SQL_ANSI ? " FROM TRIM(BOTH ' ' FROM " : " FROM ");
    }
    put_text(t, d, column);
    if (which == FG_SQL_BIGQUERY) {
        fg_buf_puts(t, ", ");
        put_literal(t, d, " \t");
    }
    static const char *const close[] = {
        [FG_SQL_ANSI] = ")))",
        [FG_SQL_POSTGRES] = ", ' ' || chr(9))",
        [FG_SQL_SQLITE] = ", ' ' || char(9))",
        [FG_SQL_SPARK] = ")",
        [FG_SQL_BIGQUERY] = ")",
        [FG_SQL_DUCKDB] = ", ' ' || chr(9))",
    };
    fg_buf_puts(t, close[which]);
}

/* A condition that holds when column's value, which is not positive (the CASE has tested
 * that already), is positive written otherwise, by the rule of the rows
 * (fg_written_otherwise): the same letters but for case (lower(); only when positive has a
 * letter), the same text but for spaces and tabs around it, or, when positive is a decimal
 * number, a decimal number (a decimal comma read as a point) equal to it as a double. */
static void put_otherwise(struct fg_buf *t, const struct dialect *d, const char *column,
                          const char *positive)
{
    bool letters = false;
    for (const char *p = positive; *p != '\0'; p++)
        letters |= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
    fg_buf_puts(t, "(");
    if (letters) {
        fg_buf_puts(t, "lower(");
        put_text(t, d, column);
        fg_buf_puts(t, ") = lower(");
        put_literal(t, d, positive);
        fg_buf_puts(t, ")\n                OR ");
    }
    put_trimmed(t, d, column);
    fg_buf_puts(t, " = ");
    put_literal(t, d, positive);
    double number;
    if (fg_decimal_number(positive, strlen(positive), &number)) {
        char literal[64];
        format_threshold(literal, sizeof literal, number);
        fg_buf_puts(t, "\n                OR CASE WHEN ");
        put_decimal_text(t, d, column, put_point_text);
        fg_buf_add(t, "\n                    THEN %s(", d->safe_cast ? d->safe_cast : "CAST");
        put_point_text(t, d, column);
        fg_buf_add(t, " AS %s) END = %s", d->double_type, literal);
    }
    fg_buf_puts(t, ")");
}

/* ---- a third value ----
 *
 * On the rows, a label or prediction column holds the positive value and one other value
 * (the first other one seen); a third is refused (lib/ingest.c read_binary). The query
 * names the column's other value as the least (MIN, in the engine's order) of its values
 * that are neither positive, nor positive written otherwise, nor missing, among the rows the
 * query counts (missing: drop leaves the same rows out), and marks every row whose value is
 * none of those: FG_COUNTS_THIRD || value || FG_COUNTS_THIRD_OTHER || other || ')', which
 * `fairgate check --counts` refuses. The least values of every such column come from one
 * more scan of the table, an uncorrelated derived table of one row (OTHERS) joined to every
 * row (CROSS JOIN), which every engine computes once. */

#define OTHERS "fairgate_others"

/* "fairgate_others"."name": the other value of the column read into the counts column name
 * (y_true, candidate or incumbent). */
static void put_other(struct fg_buf *t, const struct dialect *d, const char *name)
{
    put_ident(t, d, OTHERS);
    fg_buf_puts(t, ".");
    put_ident(t, d, name);
}

/* "<text> = 'positive'<joint><written otherwise>": the column's value is positive, then (after
 * joint: THEN, or OR) it is positive written otherwise. */
static void put_positive_then_otherwise(struct fg_buf *t, const struct dialect *d,
                                        const char *column, const char *positive, const char *joint)
{
    put_text(t, d, column);
    fg_buf_puts(t, " = ");
    put_literal(t, d, positive);
    fg_buf_puts(t, joint);
    put_otherwise(t, d, column, positive);
}

/* MIN(NULLIF(CASE WHEN <text> = 'positive' OR <written otherwise> THEN '' ELSE <text> END,
 * '')) AS "name": the column's least value that is not positive, not positive written
 * otherwise (a NULL test there is no: the ELSE) and not empty; NULL when there is none. */
static void put_least_other(struct fg_buf *t, const struct dialect *d, const char *column,
                            const char *positive, const char *name)
{
    fg_buf_puts(t, "            MIN(NULLIF(CASE WHEN ");
    put_positive_then_otherwise(t, d, column, positive, "\n                OR ");
    fg_buf_puts(t, "\n                THEN '' ELSE ");
    put_text(t, d, column);
    fg_buf_puts(t, " END, '')) AS ");
    put_ident(t, d, name);
}

/* " WHEN <text> = 'positive' THEN '1' WHEN <written otherwise> THEN 'written otherwise: ' ||
 * <text> WHEN <text> <> <other> AND <text> <> '' THEN 'third value: ' || ...": the branches
 * of a CASE that reads a label or a prediction column into the counts column name; the caller
 * ends it with ELSE '0' END (the other value, and a missing value: with missing: error the
 * row's y_true is empty already). */
static void put_binary(struct fg_buf *t, const struct dialect *d, const char *column,
                       const char *positive, const char *name)
{
    fg_buf_puts(t, " WHEN ");
    put_positive_then_otherwise(t, d, column, positive, " THEN '1'\n            WHEN ");
    /* the marks' literals hold no quote or backslash: the same in every dialect */
    static const struct {
        const char *before;
        bool other; /* then the other value, else the column's text */
    } parts[] = {
        {"\n            THEN '" FG_COUNTS_OTHERWISE "' || ", false},
        {"\n            WHEN ", false},
        {" <> ", true},
        {" AND ", false},
        {" <> ''\n            THEN '" FG_COUNTS_THIRD "' || ", false},
        {" || '" FG_COUNTS_THIRD_OTHER "' || ", true},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        fg_buf_puts(t, parts[i].before);
        if (parts[i].other)
            put_other(t, d, name);
        else
            put_text(t, d, column);
    }
    fg_buf_puts(t, " || ')'");
}

/* CASE WHEN <decision> THEN 1 ELSE 0 END for one model: a prediction column as put_binary
 * reads it ('1', '0' or the mark), a score as 1 or 0. */
static void put_decision(struct fg_buf *t, const struct dialect *d, const struct fg_policy *policy,
                         const struct fg_model_spec *model)
{
    if (model->prediction != NULL) {
        fg_buf_puts(t, "CASE");
        put_binary(t, d, model->prediction, policy->data.favorable_prediction,
                   model == &policy->data.candidate ? "candidate" : "incumbent");
        fg_buf_puts(t, "\n            ELSE '0' END");
        return;
    }
    char threshold[64];
    format_threshold(threshold, sizeof threshold, model->threshold);
    fg_buf_puts(t, "CASE WHEN ");
    put_number(t, d, model->score);
    fg_buf_add(t, " %s %s", model->favorable == FG_FAVORABLE_ABOVE ? ">=" : "<", threshold);
    fg_buf_puts(t, " THEN 1 ELSE 0 END");
}

/* ---- the query ---- */

/* The policy's needed columns, each once: protected, label, candidate, incumbent. */
static size_t needed_columns(const struct fg_policy *policy, const char **out)
{
    size_t n = 0;
    const char *all[FG_MAX_PROTECTED + 3];
    size_t k = 0;
    for (size_t a = 0; a < policy->data.n_protected; a++)
        all[k++] = policy->data.protected[a];
    all[k++] = policy->data.label;
    const struct fg_model_spec *models[2] = {&policy->data.candidate, &policy->data.incumbent};
    for (size_t m = 0; m < 2; m++)
        if (models[m]->present)
            all[k++] = models[m]->prediction ? models[m]->prediction : models[m]->score;
    for (size_t i = 0; i < k; i++) {
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = strcmp(out[j], all[i]) == 0;
        if (!seen)
            out[n++] = all[i];
    }
    return n;
}

/* The score columns the policy's models read, each once; returns how many (0 to 2). */
static size_t score_columns(const struct fg_policy *policy, const char **out)
{
    size_t n = 0;
    const struct fg_model_spec *models[2] = {&policy->data.candidate, &policy->data.incumbent};
    for (size_t m = 0; m < 2; m++)
        if (models[m]->present && models[m]->prediction == NULL && models[m]->score != NULL &&
            (n == 0 || strcmp(out[0], models[m]->score) != 0))
            out[n++] = models[m]->score;
    return n;
}

static enum fg_status put_table(struct fg_buf *t, const struct dialect *d, const char *table,
                                struct fg_error *err)
{
    const char *part = table;
    for (;;) {
        const char *dot = strchr(part, '.');
        size_t len = dot ? (size_t)(dot - part) : strlen(part);
        if (len == 0)
            return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                                "table name '%.200s' has an empty part (write NAME or "
                                "SCHEMA.NAME or CATALOG.SCHEMA.NAME)",
                                table);
        char *name = fg_strndup(part, len);
        if (name == NULL)
            return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        put_ident(t, d, name);
        free(name);
        if (dot == NULL)
            return FG_OK;
        fg_buf_puts(t, ".");
        part = dot + 1;
    }
}

/* The name of the i-th column of the counts table: the protected attributes, then y_true,
 * candidate and incumbent. */
static const char *cell_column(const struct fg_policy *policy, size_t i)
{
    static const char *const fixed[] = {"y_true", "candidate", "incumbent"};
    size_t n_protected = policy->data.n_protected;
    return i < n_protected ? policy->data.protected[i] : fixed[i - n_protected];
}

/* The leading comment: which policy, how to use the result, how missing values are read. */
static void put_header(struct fg_buf *t, const struct dialect *d, const struct fg_policy *policy,
                       bool drop, size_t n_scores)
{
    fg_buf_add(t, "-- fairgate %s: the counts table of policy '", FG_VERSION);
    put_comment_text(t, policy->name ? policy->name : "");
    fg_buf_add(t, "' (sha256 %.64s), dialect %s.\n", policy->sha256, d->name);
    fg_buf_puts(t, "-- Export the result as CSV with its header, then gate on it:\n"
                   "--   fairgate check --policy ");
    put_comment_text(t, policy->path ? policy->path : "POLICY.yaml");
    fg_buf_puts(
        t, " --counts counts.csv\n"
           "-- Labels and predictions are compared as text, exactly, as fairgate compares CSV\n"
           "-- fields; a numeric column is formatted by the engine, which may differ from the\n"
           "-- CSV fairgate would read. A label other than positive_label counts as negative;\n"
           "-- one that is it written otherwise (1.0 for 1, True for true, ' 1') is marked\n"
           "-- 'written otherwise: ...', which fairgate check --counts refuses, as on the rows;\n"
           "-- so is a third value ('third value: ...'): a column has the positive value and\n"
           "-- one other, its least (fairgate_others: one more scan of the table).\n");
    if (drop)
        fg_buf_puts(t, "-- data.missing: drop: rows with a NULL or empty value in a "
                       "needed column are left out.\n");
    else
        fg_buf_puts(t, "-- data.missing: error: rows with a NULL or empty value in a "
                       "needed column get an\n-- empty y_true, which fairgate check "
                       "--counts refuses (exit 2).\n");
    if (n_scores > 0)
        fg_buf_puts(t, "-- A score that is not a finite decimal number (NaN, infinite, "
                       "unreadable) gives an\n-- empty y_true in either mode, refused "
                       "as fairgate refuses it on the rows.\n");
    if (fg_score_bins_needed(policy))
        fg_buf_puts(t, "-- The policy gates on a score metric: also export the result of "
                       "`fairgate sql --bins`\n-- and give both files: --counts counts.csv "
                       "--counts bins.csv.\n");
}

/* The outer SELECT list: every cell column of the inner rows, then the count. */
static void put_outer_select(struct fg_buf *t, const struct dialect *d,
                             const struct fg_policy *policy)
{
    fg_buf_puts(t, "SELECT\n");
    for (size_t i = 0; i < policy->data.n_protected + 3; i++) {
        const char *name = cell_column(policy, i);
        fg_buf_puts(t, "    ");
        put_ident(t, d, ROWS);
        fg_buf_puts(t, ".");
        put_ident(t, d, name);
        fg_buf_puts(t, " AS ");
        put_ident(t, d, name);
        fg_buf_puts(t, ",\n");
    }
    fg_buf_puts(t, "    COUNT(*) AS ");
    put_ident(t, d, "count");
}

/* The inner y_true expression: NULL for a missing value (data.missing: error) or a bad
 * score, else 1 for positive_label and 0 for any other label. */
static void put_y_true(struct fg_buf *t, const struct dialect *d, const struct fg_policy *policy,
                       bool drop, const char *const *columns, size_t n_columns,
                       const char *const *scores, size_t n_scores)
{
    fg_buf_puts(t, "        CASE");
    if (!drop) {
        fg_buf_puts(t, " WHEN ");
        for (size_t i = 0; i < n_columns; i++) {
            if (i > 0)
                fg_buf_puts(t, "\n            OR ");
            put_missing(t, d, columns[i]);
        }
        fg_buf_puts(t, "\n            THEN NULL\n           ");
    }
    for (size_t i = 0; i < n_scores; i++) {
        fg_buf_puts(t, i == 0 ? " WHEN " : "\n            OR ");
        put_bad_score(t, d, scores[i]);
        if (i + 1 == n_scores)
            fg_buf_puts(t, "\n            THEN NULL\n           ");
    }
    put_binary(t, d, policy->data.label, policy->data.positive_label, "y_true");
    fg_buf_puts(t, "\n            ELSE '0' END AS ");
    put_ident(t, d, "y_true");
}

/* The inner SELECT list's group columns, each protected attribute as text and y_true. */
static void put_inner_groups(struct fg_buf *t, const struct dialect *d,
                             const struct fg_policy *policy, bool drop, const char *const *columns,
                             size_t n_columns, const char *const *scores, size_t n_scores)
{
    for (size_t a = 0; a < policy->data.n_protected; a++) {
        fg_buf_puts(t, "        ");
        put_text(t, d, policy->data.protected[a]);
        fg_buf_puts(t, " AS ");
        put_ident(t, d, policy->data.protected[a]);
        fg_buf_puts(t, ",\n");
    }
    put_y_true(t, d, policy, drop, columns, n_columns, scores, n_scores);
}

/* The inner SELECT list: one row each, read as ingest reads it. */
static void put_inner_select(struct fg_buf *t, const struct dialect *d,
                             const struct fg_policy *policy, bool drop, const char *const *columns,
                             size_t n_columns, const char *const *scores, size_t n_scores)
{
    put_inner_groups(t, d, policy, drop, columns, n_columns, scores, n_scores);
    fg_buf_puts(t, ",\n        ");
    put_decision(t, d, policy, &policy->data.candidate);
    fg_buf_puts(t, " AS ");
    put_ident(t, d, "candidate");
    fg_buf_puts(t, ",\n        ");
    if (policy->data.incumbent.present)
        put_decision(t, d, policy, &policy->data.incumbent);
    else
        fg_buf_puts(t, "0");
    fg_buf_puts(t, " AS ");
    put_ident(t, d, "incumbent");
}

/* The GROUP BY and ORDER BY clauses, both over every cell column. */
static void put_group_order(struct fg_buf *t, const struct dialect *d,
                            const struct fg_policy *policy)
{
    for (size_t pass = 0; pass < 2; pass++) {
        fg_buf_puts(t, pass == 0 ? "\nGROUP BY " : "\nORDER BY ");
        for (size_t i = 0; i < policy->data.n_protected + 3; i++) {
            if (i > 0)
                fg_buf_puts(t, ", ");
            put_ident(t, d, ROWS);
            fg_buf_puts(t, ".");
            put_ident(t, d, cell_column(policy, i));
        }
    }
}

/* With missing: drop, the WHERE that leaves out rows with a missing value in a needed
 * column, indented by indent, each line ending "\n". */
static void put_drop_where(struct fg_buf *t, const struct dialect *d, const char *indent,
                           const char *const *columns, size_t n_columns)
{
    for (size_t i = 0; i < n_columns; i++) {
        fg_buf_add(t, "%s%s", indent, i == 0 ? "WHERE NOT " : "    AND NOT ");
        put_missing(t, d, columns[i]);
        fg_buf_puts(t, "\n");
    }
}

/* "<from><table> AS fairgate_src\n" */
static enum fg_status put_source(struct fg_buf *t, const struct dialect *d, const char *from,
                                 const char *table, struct fg_error *err)
{
    fg_buf_puts(t, from);
    enum fg_status status = put_table(t, d, table, err);
    if (status != FG_OK)
        return status;
    fg_buf_puts(t, " AS ");
    put_ident(t, d, SRC);
    fg_buf_puts(t, "\n");
    return FG_OK;
}

/* " CROSS JOIN (SELECT <least other values> FROM <table> ...) AS fairgate_others": the other
 * value of the label and, when decisions, of each model's prediction column (see "a third
 * value"). */
static enum fg_status put_others(struct fg_buf *t, const struct dialect *d,
                                 const struct fg_policy *policy, const char *table, bool drop,
                                 const char *const *columns, size_t n_columns, bool decisions,
                                 struct fg_error *err)
{
    fg_buf_puts(t, "    CROSS JOIN (\n        SELECT\n");
    put_least_other(t, d, policy->data.label, policy->data.positive_label, "y_true");
    const struct fg_model_spec *models[2] = {&policy->data.candidate, &policy->data.incumbent};
    static const char *const names[2] = {"candidate", "incumbent"};
    for (size_t m = 0; m < 2 && decisions; m++) {
        if (!models[m]->present || models[m]->prediction == NULL)
            continue;
        fg_buf_puts(t, ",\n");
        put_least_other(t, d, models[m]->prediction, policy->data.favorable_prediction, names[m]);
    }
    enum fg_status status = put_source(t, d, "\n        FROM ", table, err);
    if (status != FG_OK)
        return status;
    if (drop)
        put_drop_where(t, d, "        ", columns, n_columns);
    fg_buf_puts(t, "    ) AS ");
    put_ident(t, d, OTHERS);
    fg_buf_puts(t, "\n");
    return FG_OK;
}

/* "\n    FROM <table> AS fairgate_src\n", the other values joined (put_others), and with
 * missing: drop the WHERE that leaves out rows with a missing value in a needed column. */
static enum fg_status put_from_where(struct fg_buf *t, const struct dialect *d,
                                     const struct fg_policy *policy, const char *table, bool drop,
                                     const char *const *columns, size_t n_columns, bool decisions,
                                     struct fg_error *err)
{
    enum fg_status status = put_source(t, d, "\n    FROM ", table, err);
    if (status != FG_OK)
        return status;
    status = put_others(t, d, policy, table, drop, columns, n_columns, decisions, err);
    if (status == FG_OK && drop)
        put_drop_where(t, d, "    ", columns, n_columns);
    return status;
}

/* What any query needs: a known dialect, a table, and a policy a counts table can serve (a
 * protected attribute called "count", calibration bins off the score grid...), refused here
 * already, not when the engine has run. */
static enum fg_status render_check(const struct fg_policy *policy, const char *table,
                                   enum fg_sql_dialect dialect, struct fg_error *err)
{
    if ((size_t)dialect >= N_DIALECTS)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "unknown SQL dialect %d", (int)dialect);
    if (table == NULL || table[0] == '\0')
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "no table name");
    return fg_counts_policy_check(policy, err);
}

enum fg_status fg_sql_render(const struct fg_policy *policy, const char *table,
                             enum fg_sql_dialect dialect, char **out, struct fg_error *err)
{
    *out = NULL;
    enum fg_status status = render_check(policy, table, dialect, err);
    if (status != FG_OK)
        return status;
    const struct dialect *d = &dialects[dialect];
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_SQL, "the SQL");
    const char *columns[FG_MAX_PROTECTED + 3];
    size_t n_columns = needed_columns(policy, columns);
    const char *scores[2];
    size_t n_scores = score_columns(policy, scores);
    bool drop = policy->data.missing == FG_MISSING_DROP;

    put_header(&t, d, policy, drop, n_scores);
    put_outer_select(&t, d, policy);
    fg_buf_puts(&t, "\nFROM (\n    SELECT\n");
    put_inner_select(&t, d, policy, drop, columns, n_columns, scores, n_scores);
    status = put_from_where(&t, d, policy, table, drop, columns, n_columns, true, err);
    if (status != FG_OK) {
        free(t.data);
        return status;
    }
    fg_buf_puts(&t, ") AS ");
    put_ident(&t, d, ROWS);
    put_group_order(&t, d, policy);
    fg_buf_puts(&t, ";\n");
    return fg_buf_finish(&t, out, err);
}

/* ---- the score bins query ----
 *
 * The score bins file (README "Score bins") of the same rows, read as the counts query reads
 * them (the same y_true, missing values and bad scores): three common table expressions,
 *   fairgate_rows:   each row's group values, y_true and each scored model's score as a double;
 *   fairgate_scores: one row per (row, scored model) (UNION ALL), with a first guess of the
 *                    bin, floor(score x 10000), only for scores in [0, 1) (elsewhere the
 *                    cast to an integer could fail);
 *   fairgate_bins:   the bin, as lib/scorebins.c fg_score_bin puts it: -1 below 0, 10000
 *                    above 1, 9999 for 1.0, else the guess moved by one where the score lies
 *                    below its lower edge E_k = CAST(k AS <double>) / 10000 or at or above
 *                    the next (a product and a division round; the guess is off by one at
 *                    most, next to an edge), IEEE division being correctly rounded in every
 *                    engine as in C;
 * then COUNT(*), SUM(score), SUM(score * score) per group values, y_true, model and bin.
 * floor is CAST(x AS INTEGER) in sqlite (which truncates: the same for x >= 0, and needs no
 * math functions) and CAST(FLOOR(x) AS BIGINT) elsewhere (INT64 in bigquery). */

#define BINS_ROWS   "fairgate_rows"
#define BINS_SCORES "fairgate_scores"
#define BINS_BINS   "fairgate_bins"
#define BINS_SCORE  "fairgate_score"
#define BINS_GUESS  "fairgate_guess"

static const char *int_type(const struct dialect *d)
{
    enum fg_sql_dialect which = (enum fg_sql_dialect)(d - dialects);
    return which == FG_SQL_SQLITE ? "INTEGER" : which == FG_SQL_BIGQUERY ? "INT64" : "BIGINT";
}

/* "relation"."column" */
static void put_member(struct fg_buf *t, const struct dialect *d, const char *relation,
                       const char *column)
{
    put_ident(t, d, relation);
    fg_buf_puts(t, ".");
    put_ident(t, d, column);
}

/* The group columns of relation (protected attributes, y_true[, model, bin]) as a SELECT list
 * "    r.c AS c,\n" each, or as GROUP BY / ORDER BY items when list_only. */
static void put_group_list(struct fg_buf *t, const struct dialect *d,
                           const struct fg_policy *policy, const char *relation, size_t n_extra,
                           bool list_only)
{
    static const char *const extra[] = {"y_true", "model", "bin"};
    size_t n_protected = policy->data.n_protected;
    for (size_t i = 0; i < n_protected + n_extra; i++) {
        const char *name = i < n_protected ? policy->data.protected[i] : extra[i - n_protected];
        fg_buf_puts(t, list_only ? (i > 0 ? ", " : "") : "        ");
        put_member(t, d, relation, name);
        if (list_only)
            continue;
        fg_buf_puts(t, " AS ");
        put_ident(t, d, name);
        fg_buf_puts(t, ",\n");
    }
}

/* The name of a model's score column in fairgate_rows. */
static const char *bins_score_name(size_t model)
{
    return model == 0 ? "fairgate_candidate" : "fairgate_incumbent";
}

/* fairgate_rows: group values, y_true and each scored model's score as a double. */
static enum fg_status put_bins_rows(struct fg_buf *t, const struct dialect *d,
                                    const struct fg_policy *policy, const char *table,
                                    const bool scored[2], struct fg_error *err)
{
    const char *columns[FG_MAX_PROTECTED + 3];
    size_t n_columns = needed_columns(policy, columns);
    const char *scores[2];
    size_t n_scores = score_columns(policy, scores);
    bool drop = policy->data.missing == FG_MISSING_DROP;
    const struct fg_model_spec *models[2] = {&policy->data.candidate, &policy->data.incumbent};
    fg_buf_puts(t, "WITH ");
    put_ident(t, d, BINS_ROWS);
    fg_buf_puts(t, " AS (\n    SELECT\n");
    put_inner_groups(t, d, policy, drop, columns, n_columns, scores, n_scores);
    for (size_t m = 0; m < 2; m++) {
        if (!scored[m])
            continue;
        fg_buf_puts(t, ",\n        ");
        put_number(t, d, models[m]->score);
        fg_buf_puts(t, " AS ");
        put_ident(t, d, bins_score_name(m));
    }
    enum fg_status status =
        put_from_where(t, d, policy, table, drop, columns, n_columns, false, err);
    fg_buf_puts(t, ")");
    return status;
}

/* fairgate_scores: a row per (row, scored model), with the score and the bin's first guess. */
static void put_bins_scores(struct fg_buf *t, const struct dialect *d,
                            const struct fg_policy *policy, const bool scored[2])
{
    static const char *const model_names[2] = {"candidate", "incumbent"};
    bool sqlite = d == &dialects[FG_SQL_SQLITE];
    fg_buf_puts(t, ",\n");
    put_ident(t, d, BINS_SCORES);
    fg_buf_puts(t, " AS (\n");
    bool first = true;
    for (size_t m = 0; m < 2; m++) {
        if (!scored[m])
            continue;
        fg_buf_puts(t, first ? "    SELECT\n" : "\n    UNION ALL\n    SELECT\n");
        first = false;
        put_group_list(t, d, policy, BINS_ROWS, 1, false);
        fg_buf_add(t, "        '%s' AS ", model_names[m]);
        put_ident(t, d, "model");
        fg_buf_puts(t, ",\n        ");
        put_member(t, d, BINS_ROWS, bins_score_name(m));
        fg_buf_puts(t, " AS ");
        put_ident(t, d, BINS_SCORE);
        fg_buf_puts(t, ",\n        CASE WHEN ");
        put_member(t, d, BINS_ROWS, bins_score_name(m));
        fg_buf_puts(t, " >= 0 AND ");
        put_member(t, d, BINS_ROWS, bins_score_name(m));
        fg_buf_add(t, " < 1\n            THEN CAST(%s", sqlite ? "" : "FLOOR(");
        put_member(t, d, BINS_ROWS, bins_score_name(m));
        fg_buf_add(t, " * %d%s AS %s) END AS ", FG_SCORE_GRID, sqlite ? "" : ")", int_type(d));
        put_ident(t, d, BINS_GUESS);
        fg_buf_puts(t, "\n    FROM ");
        put_ident(t, d, BINS_ROWS);
    }
    fg_buf_puts(t, ")");
}

/* fairgate_bins: the bin of each score (see the top of this section). */
static void put_bins_bins(struct fg_buf *t, const struct dialect *d, const struct fg_policy *policy)
{
    fg_buf_puts(t, ",\n");
    put_ident(t, d, BINS_BINS);
    fg_buf_puts(t, " AS (\n    SELECT\n");
    put_group_list(t, d, policy, BINS_SCORES, 2, false);
    fg_buf_puts(t, "        ");
    put_member(t, d, BINS_SCORES, BINS_SCORE);
    fg_buf_puts(t, " AS ");
    put_ident(t, d, BINS_SCORE);
    const char *parts[] = {" < 0 THEN -1", " > 1 THEN 10000", " >= 1 THEN 9999",
                           " < CAST(",     " >= CAST(",       NULL};
    fg_buf_puts(t, ",\n        CASE");
    for (size_t i = 0; parts[i] != NULL; i++) {
        fg_buf_puts(t, i == 0 ? " WHEN " : "\n            WHEN ");
        put_member(t, d, BINS_SCORES, BINS_SCORE);
        fg_buf_puts(t, parts[i]);
        if (i < 3)
            continue;
        put_member(t, d, BINS_SCORES, BINS_GUESS);
        fg_buf_add(t, "%s AS %s) / %d THEN ", i == 3 ? "" : " + 1", d->double_type, FG_SCORE_GRID);
        put_member(t, d, BINS_SCORES, BINS_GUESS);
        fg_buf_puts(t, i == 3 ? " - 1" : " + 1");
    }
    fg_buf_puts(t, "\n            ELSE ");
    put_member(t, d, BINS_SCORES, BINS_GUESS);
    fg_buf_puts(t, " END AS ");
    put_ident(t, d, "bin");
    fg_buf_puts(t, "\n    FROM ");
    put_ident(t, d, BINS_SCORES);
    fg_buf_puts(t, ")\n");
}

/* The final SELECT: count, sum and sum of squares per group values, y_true, model and bin. */
static void put_bins_select(struct fg_buf *t, const struct dialect *d,
                            const struct fg_policy *policy)
{
    fg_buf_puts(t, "SELECT\n");
    put_group_list(t, d, policy, BINS_BINS, 3, false);
    fg_buf_puts(t, "        COUNT(*) AS ");
    put_ident(t, d, "count");
    fg_buf_puts(t, ",\n        SUM(");
    put_member(t, d, BINS_BINS, BINS_SCORE);
    fg_buf_puts(t, ") AS ");
    put_ident(t, d, "sum");
    fg_buf_puts(t, ",\n        SUM(");
    put_member(t, d, BINS_BINS, BINS_SCORE);
    fg_buf_puts(t, " * ");
    put_member(t, d, BINS_BINS, BINS_SCORE);
    fg_buf_puts(t, ") AS ");
    put_ident(t, d, "sum_squares");
    fg_buf_puts(t, "\nFROM ");
    put_ident(t, d, BINS_BINS);
    for (size_t pass = 0; pass < 2; pass++) {
        fg_buf_puts(t, pass == 0 ? "\nGROUP BY " : "\nORDER BY ");
        put_group_list(t, d, policy, BINS_BINS, 3, true);
    }
    fg_buf_puts(t, ";\n");
}

static void put_bins_header(struct fg_buf *t, const struct dialect *d,
                            const struct fg_policy *policy)
{
    fg_buf_add(t, "-- fairgate %s: the score bins of policy '", FG_VERSION);
    put_comment_text(t, policy->name ? policy->name : "");
    fg_buf_add(t, "' (sha256 %.64s), dialect %s.\n", policy->sha256, d->name);
    fg_buf_puts(t, "-- Per group values, y_true and model: the count, sum and sum of squares of "
                   "the scores\n-- in each non-empty bin: bin k holds [k/10000, (k+1)/10000) "
                   "(9999 also 1.0),\n-- -1 the scores below 0, 10000 those above 1. Export "
                   "the result as CSV with its\n-- header and give it with the counts:\n"
                   "--   fairgate check --policy ");
    put_comment_text(t, policy->path ? policy->path : "POLICY.yaml");
    fg_buf_puts(t, " --counts counts.csv --counts bins.csv\n"
                   "-- Rows are read as by the counts query (`fairgate sql` without --bins).\n");
}

enum fg_status fg_sql_render_bins(const struct fg_policy *policy, const char *table,
                                  enum fg_sql_dialect dialect, char **out, struct fg_error *err)
{
    *out = NULL;
    enum fg_status status = render_check(policy, table, dialect, err);
    if (status != FG_OK)
        return status;
    /* Without a score gate, the candidate's bins alone, for `fairgate sweep`. */
    bool gated = fg_score_bins_needed(policy);
    if (!gated && policy->data.candidate.score == NULL)
        return fg_error_set(err, FG_ERR_POLICY, policy->path, 0, 0,
                            "the policy gates on no score metric (auc, brier, calibration_gap) "
                            "and its candidate reads no score: it needs no score bins, only the "
                            "counts (`fairgate sql` without --bins)");
    const struct fg_model_spec *models[2] = {&policy->data.candidate, &policy->data.incumbent};
    bool scored[2];
    for (size_t m = 0; m < 2; m++)
        scored[m] = models[m]->present && models[m]->score != NULL && (gated || m == 0);
    const struct dialect *d = &dialects[dialect];
    struct fg_buf t = fg_buf_new(FG_BUF_CAP_SQL, "the SQL");
    put_bins_header(&t, d, policy);
    status = put_bins_rows(&t, d, policy, table, scored, err);
    if (status != FG_OK) {
        free(t.data);
        return status;
    }
    put_bins_scores(&t, d, policy, scored);
    put_bins_bins(&t, d, policy);
    put_bins_select(&t, d, policy);
    return fg_buf_finish(&t, out, err);
}
