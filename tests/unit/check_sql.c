/*
 * check_sql.c - unit tests of the counts query (lib/sql.c): dialect names, identifier and
 * literal quoting per dialect, qualified tables, the threshold's shortest form, missing
 * values (drop: WHERE; error: a NULL y_true), scores that are not finite decimal numbers (a
 * NULL y_true in both modes, per dialect, decimals that underflow included), and the policies
 * it refuses; the score bins query's text per dialect (its guess, edges and fixed bins).
 */
#include "fairgate.h"
#include "test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char odd_policy[] = "version: 1\n"
                                 "name: odd\n"
                                 "data:\n"
                                 "  label: \"l\\\"b`l\"\n"
                                 "  positive_label: \"it's \\\\ \\n\"\n"
                                 "  protected: [grp]\n"
                                 "  candidate: { score: s, threshold: 0.1, favorable: below }\n"
                                 "  incumbent: { prediction: p }\n"
                                 "  favorable_prediction: \"1\"\n"
                                 "  missing: drop\n"
                                 "gates:\n"
                                 "  - id: parity\n"
                                 "    metric: selection_rate\n"
                                 "    disparity: ratio\n"
                                 "    min: 0.8\n";

struct sql_vector {
    enum fg_sql_dialect dialect;
    const char *table;
    const char *want[10]; /* parts the query must hold */
};

/* The anchored decimal pattern of the score check */
#define DECIMAL_RE "'^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$'"
/* A decimal that underflows (fairgate refuses it): below the smallest normal double, with a
 * digit 1-9 before any exponent */
#define MIN_NORMAL  "2.2250738585072014e-308"
#define MANTISSA_RE "'^[^eE]*[1-9]'"

static const struct sql_vector vectors[] = {
    {FG_SQL_ANSI,
     "a.b",
     {"FROM \"a\".\"b\" AS \"fairgate_src\"", "CAST(\"fairgate_src\".\"l\"\"b`l\" AS VARCHAR)",
      "= 'it''s \\ \n' THEN '1'", "AS DOUBLE PRECISION) < 0.1 THEN 1",
      "WHERE NOT (\"fairgate_src\".\"grp\" IS NULL OR", "COUNT(*) AS \"count\"",
      /* a score that is not a finite number: NULL, or outside [-max, max] (NaN either way) */
      "CASE WHEN (CAST(\"fairgate_src\".\"s\" AS DOUBLE PRECISION) IS NULL OR NOT "
      "(CAST(\"fairgate_src\".\"s\" AS DOUBLE PRECISION) BETWEEN -1.7976931348623157e308 AND "
      "1.7976931348623157e308))\n            THEN NULL\n            WHEN CAST("}},
    {FG_SQL_POSTGRES,
     "t",
     {"FROM \"t\" AS", "AS TEXT)", "AS DOUBLE PRECISION) < 0.1", "'it''s \\ \n'", ";\n",
      "CASE WHEN (CAST(\"fairgate_src\".\"s\" AS TEXT) !~ " DECIMAL_RE "\n"
      "            OR (abs(CAST(\"fairgate_src\".\"s\" AS DOUBLE PRECISION)) < " MIN_NORMAL
      " AND CAST(\"fairgate_src\".\"s\" AS TEXT) ~ " MANTISSA_RE "))\n            THEN NULL",
      NULL}},
    {FG_SQL_SQLITE,
     "main.t",
     {"FROM \"main\".\"t\"", "AS REAL) < 0.1", "AS TEXT)",
      "CASE WHEN (CAST(\"fairgate_src\".\"s\" AS TEXT) GLOB '*[^0-9.eE+-]*'\n",
      "OR CAST(\"fairgate_src\".\"s\" AS TEXT) GLOB '*[^eE][+-]*'\n",
      "OR CAST(\"fairgate_src\".\"s\" AS TEXT) GLOB '*[eE][+-]'\n",
      "OR NOT (CAST(\"fairgate_src\".\"s\" AS TEXT) GLOB '[0-9]*' OR CAST(\"fairgate_src\".\"s\" "
      "AS "
      "TEXT) GLOB '[+.-][0-9]*' OR CAST(\"fairgate_src\".\"s\" AS TEXT) GLOB '[+-].[0-9]*')\n",
      "OR abs(CAST(\"fairgate_src\".\"s\" AS REAL)) >= 9e999\n",
      /* underflow: a digit 1-9 before the e, or anywhere without an e */
      "OR (abs(CAST(\"fairgate_src\".\"s\" AS REAL)) < " MIN_NORMAL
      " AND (CAST(\"fairgate_src\".\"s\" AS TEXT) GLOB '*[1-9]*[eE]*' OR "
      "(CAST(\"fairgate_src\".\"s\" AS TEXT) NOT GLOB '*[eE]*' AND "
      "CAST(\"fairgate_src\".\"s\" AS TEXT) GLOB '*[1-9]*'))))\n            THEN NULL"}},
    {FG_SQL_SPARK,
     "c.s.t",
     {"FROM `c`.`s`.`t` AS `fairgate_src`", "`fairgate_src`.`l\"b``l` AS STRING)",
      "= 'it\\'s \\\\ \\n' THEN '1'", "AS DOUBLE) < 0.1",
      "CASE WHEN (NOT (CAST(`fairgate_src`.`s` AS STRING) RLIKE " DECIMAL_RE
      ") OR CAST(`fairgate_src`.`s` AS STRING) RLIKE '[^0-9.eE+-]'\n",
      "OR CAST(`fairgate_src`.`s` AS DOUBLE) IS NULL OR isnan(CAST(`fairgate_src`.`s` AS DOUBLE)) "
      "OR abs(CAST(`fairgate_src`.`s` AS DOUBLE)) = double('Infinity')\n"
      "            OR (abs(CAST(`fairgate_src`.`s` AS DOUBLE)) < " MIN_NORMAL
      " AND CAST(`fairgate_src`.`s` AS STRING) RLIKE " MANTISSA_RE "))\n            THEN NULL",
      NULL}},
    {FG_SQL_BIGQUERY,
     "p-1.d.t",
     {"FROM `p-1`.`d`.`t`", "`fairgate_src`.`l\"b\\`l` AS STRING)", "= 'it\\'s \\\\ \\n' THEN '1'",
      /* SAFE_CAST: an unreadable score is NULL, not an error */
      "SAFE_CAST(`fairgate_src`.`s` AS FLOAT64) < 0.1 THEN 1",
      "CASE WHEN (NOT REGEXP_CONTAINS(CAST(`fairgate_src`.`s` AS STRING), " DECIMAL_RE ")\n",
      "OR SAFE_CAST(`fairgate_src`.`s` AS FLOAT64) IS NULL OR IS_NAN(SAFE_CAST(`fairgate_src`.`s` "
      "AS FLOAT64)) OR IS_INF(SAFE_CAST(`fairgate_src`.`s` AS FLOAT64))\n"
      "            OR (abs(SAFE_CAST(`fairgate_src`.`s` AS FLOAT64)) < " MIN_NORMAL
      " AND REGEXP_CONTAINS(CAST(`fairgate_src`.`s` AS STRING), " MANTISSA_RE ")))\n"
      "            THEN NULL",
      NULL}},
    {FG_SQL_DUCKDB,
     "main.t",
     {"FROM \"main\".\"t\" AS \"fairgate_src\"", "CAST(\"fairgate_src\".\"l\"\"b`l\" AS VARCHAR)",
      /* standard strings: a quote doubled, a backslash and a newline kept as they are */
      "= 'it''s \\ \n' THEN '1'",
      /* TRY_CAST: an unreadable score is NULL, not an error */
      "TRY_CAST(\"fairgate_src\".\"s\" AS DOUBLE) < 0.1 THEN 1",
      "CASE WHEN (NOT regexp_matches(CAST(\"fairgate_src\".\"s\" AS VARCHAR), " DECIMAL_RE ")\n",
      "OR TRY_CAST(\"fairgate_src\".\"s\" AS DOUBLE) IS NULL OR NOT "
      "isfinite(TRY_CAST(\"fairgate_src\".\"s\" AS DOUBLE))\n"
      "            OR (abs(TRY_CAST(\"fairgate_src\".\"s\" AS DOUBLE)) < " MIN_NORMAL
      " AND regexp_matches(CAST(\"fairgate_src\".\"s\" AS VARCHAR), " MANTISSA_RE ")))\n"
      "            THEN NULL",
      NULL}},
};

/* The counts query of policy_text for v's dialect and table, holding each of v's parts. */
static char *render_holding(const char *policy_text, const struct sql_vector *v)
{
    struct fg_policy *policy = policy_from(policy_text);
    char *query = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_sql_render(policy, v->table, v->dialect, &query, &err), FG_OK);
    for (size_t k = 0; k < 10 && v->want[k] != NULL; k++)
        ck_assert_msg(strstr(query, v->want[k]) != NULL, "dialect %d: no '%s' in\n%s",
                      (int)v->dialect, v->want[k], query);
    fg_policy_free(policy);
    return query;
}

START_TEST(test_dialects)
{
    char *query = render_holding(odd_policy, &vectors[_i]);
    size_t len = strlen(query);
    ck_assert(len > 2 && strcmp(query + len - 2, ";\n") == 0);
    /* missing: drop: the one NULL y_true is the score check's; no missing value reaches it */
    const char *null = strstr(query, "THEN NULL");
    ck_assert_ptr_nonnull(null);
    ck_assert_ptr_null(strstr(null + 1, "THEN NULL"));
    const char *missing = strstr(strstr(query, "CASE WHEN"), " IS NULL OR CAST(");
    ck_assert(missing == NULL || missing > null); /* only in the WHERE */
    free(query);
}
END_TEST

START_TEST(test_dialect_names)
{
    static const char *const names[] = {"ansi",  "postgres", "sqlite",
                                        "spark", "bigquery", "duckdb"};
    struct fg_error err;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum fg_sql_dialect d = FG_SQL_BIGQUERY;
        ck_assert_int_eq(fg_sql_dialect_parse(names[i], &d, &err), FG_OK);
        ck_assert_int_eq((int)d, (int)i);
    }
    enum fg_sql_dialect d;
    ck_assert_int_eq(fg_sql_dialect_parse("sqlight", &d, &err), FG_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "did you mean 'sqlite'"));
    /* the list of dialects comes from the table: every name is in it */
    ck_assert_ptr_nonnull(
        strstr(err.message, "(one of ansi, postgres, sqlite, spark, bigquery, duckdb)"));
    ck_assert_int_eq(fg_sql_dialect_parse("", &d, &err), FG_ERR_USAGE);
}
END_TEST

START_TEST(test_missing_error_and_threshold)
{
    const char text[] =
        "version: 1\nname: e\ndata:\n  label: y\n  positive_label: \"1\"\n"
        "  protected: [g]\n  candidate: { score: s, threshold: 0.30000000000000004 }\n"
        "gates:\n  - id: a\n    metric: accuracy\n    overall: { min: 0.5 }\n";
    struct fg_policy *policy = policy_from(text);
    char *query = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_sql_render(policy, "t", FG_SQL_POSTGRES, &query, &err), FG_OK);
    ck_assert_ptr_nonnull(strstr(query, "THEN NULL"));
    ck_assert_ptr_null(strstr(query, "WHERE"));
    /* 0.1 + 0.2 needs 17 digits to read back as itself */
    ck_assert_ptr_nonnull(strstr(query, ">= 0.30000000000000004 THEN 1"));
    ck_assert_ptr_nonnull(strstr(query, "0 AS \"incumbent\""));
    free(query);
    ck_assert_int_eq(fg_sql_render(policy, "a..b", FG_SQL_ANSI, &query, &err), FG_ERR_USAGE);
    ck_assert_ptr_null(query);
    ck_assert_int_eq(fg_sql_render(policy, ".a", FG_SQL_ANSI, &query, &err), FG_ERR_USAGE);
    ck_assert_int_eq(fg_sql_render(policy, "a.", FG_SQL_ANSI, &query, &err), FG_ERR_USAGE);
    ck_assert_int_eq(fg_sql_render(policy, "", FG_SQL_ANSI, &query, &err), FG_ERR_USAGE);
    fg_policy_free(policy);
}
END_TEST

static size_t count_of(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The positive value written otherwise (fg_written_otherwise's rule): per dialect, the
 * branch that marks such a row instead of counting it as the other value: letter case only
 * for a positive value with letters, the number test only for a decimal one, its cast
 * guarded by the text's shape (a word is never cast). */
static const char wo_policy[] =
    "version: 1\nname: wo\ndata:\n  label: y\n  positive_label: \"Yes\"\n"
    "  protected: [g]\n  candidate: { prediction: p }\n"
    "  favorable_prediction: \"1\"\ngates:\n  - id: sr\n"
    "    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n";

static const struct sql_vector wo_vectors[] = {
    {FG_SQL_ANSI,
     "t",
     {"WHEN CAST(\"fairgate_src\".\"y\" AS VARCHAR) = 'Yes' THEN '1'\n"
      "            WHEN (lower(CAST(\"fairgate_src\".\"y\" AS VARCHAR)) = lower('Yes')\n"
      "                OR TRIM(BOTH ' ' FROM TRIM(BOTH '\t' FROM TRIM(BOTH ' ' FROM "
      "CAST(\"fairgate_src\".\"y\" AS VARCHAR)))) = 'Yes')\n"
      "            THEN 'written otherwise: ' || CAST(\"fairgate_src\".\"y\" AS VARCHAR)\n"
      "            WHEN CAST(\"fairgate_src\".\"y\" AS VARCHAR) <> \"fairgate_others\".\"y_true\" "
      "AND CAST(\"fairgate_src\".\"y\" AS VARCHAR) <> ''\n"
      "            THEN 'third value: ' || CAST(\"fairgate_src\".\"y\" AS VARCHAR) || ' (other: ' "
      "|| "
      "\"fairgate_others\".\"y_true\" || ')'\n"
      "            ELSE '0' END AS \"y_true\"",
      "OR CASE WHEN (REPLACE(CAST(\"fairgate_src\".\"p\" AS VARCHAR), ',', '.') <> '' AND "
      "REPLACE(REPLACE(",
      ", '.'), '0', ''), '1', ''), '2', ''), '3', ''), '4', ''), '5', ''), '6', ''), '7', ''), "
      "'8', ''), '9', ''), '.', ''), 'e', ''), 'E', ''), '+', ''), '-', '') = '')\n"
      "                    THEN CAST(REPLACE(CAST(\"fairgate_src\".\"p\" AS VARCHAR), ',', '.') AS "
      "DOUBLE PRECISION) END = 1)\n"
      "            THEN 'written otherwise: ' || CAST(\"fairgate_src\".\"p\" AS VARCHAR)\n"
      "            WHEN CAST(\"fairgate_src\".\"p\" AS VARCHAR) <> "
      "\"fairgate_others\".\"candidate\" "
      "AND CAST(\"fairgate_src\".\"p\" AS VARCHAR) <> ''\n"
      "            THEN 'third value: ' || CAST(\"fairgate_src\".\"p\" AS VARCHAR) || ' (other: ' "
      "|| "
      "\"fairgate_others\".\"candidate\" || ')'\n"
      "            ELSE '0' END AS \"candidate\"",
      NULL}},
    {FG_SQL_POSTGRES,
     "t",
     {"OR btrim(CAST(\"fairgate_src\".\"y\" AS TEXT), ' ' || chr(9)) = 'Yes')",
      "CASE WHEN (REPLACE(CAST(\"fairgate_src\".\"p\" AS TEXT), ',', '.') ~ " DECIMAL_RE ")\n"
      "                    THEN CAST(REPLACE(CAST(\"fairgate_src\".\"p\" AS TEXT), ',', '.') AS "
      "DOUBLE PRECISION) END = 1)",
      NULL}},
    {FG_SQL_SQLITE,
     "t",
     {"OR trim(CAST(\"fairgate_src\".\"y\" AS TEXT), ' ' || char(9)) = 'Yes')",
      "CASE WHEN (NOT (REPLACE(CAST(\"fairgate_src\".\"p\" AS TEXT), ',', '.') GLOB "
      "'*[^0-9.eE+-]*'\n",
      "THEN CAST(REPLACE(CAST(\"fairgate_src\".\"p\" AS TEXT), ',', '.') AS REAL) END = 1)", NULL}},
    {FG_SQL_SPARK,
     "t",
     {"OR trim(BOTH ' \\t' FROM CAST(`fairgate_src`.`y` AS STRING)) = 'Yes')",
      "CASE WHEN (REPLACE(CAST(`fairgate_src`.`p` AS STRING), ',', '.') RLIKE " DECIMAL_RE
      " AND NOT REPLACE(CAST(`fairgate_src`.`p` AS STRING), ',', '.') RLIKE '[^0-9.eE+-]')\n"
      "                    THEN CAST(REPLACE(CAST(`fairgate_src`.`p` AS STRING), ',', '.') AS "
      "DOUBLE) END = 1)",
      NULL}},
    {FG_SQL_BIGQUERY,
     "t",
     {"OR TRIM(CAST(`fairgate_src`.`y` AS STRING), ' \\t') = 'Yes')",
      "CASE WHEN (REGEXP_CONTAINS(REPLACE(CAST(`fairgate_src`.`p` AS STRING), ',', "
      "'.'), " DECIMAL_RE "))\n                    THEN SAFE_CAST(REPLACE(CAST(`fairgate_src`.`p` "
      "AS STRING), ',', '.') "
      "AS FLOAT64) END = 1)",
      NULL}},
    {FG_SQL_DUCKDB,
     "t",
     {"OR trim(CAST(\"fairgate_src\".\"y\" AS VARCHAR), ' ' || chr(9)) = 'Yes')",
      "CASE WHEN (regexp_matches(REPLACE(CAST(\"fairgate_src\".\"p\" AS VARCHAR), ',', "
      "'.'), " DECIMAL_RE
      "))\n                    THEN TRY_CAST(REPLACE(CAST(\"fairgate_src\".\"p\" AS VARCHAR), ',', "
      "'.') AS DOUBLE) END = 1)",
      NULL}},
};

START_TEST(test_written_otherwise)
{
    char *query = render_holding(wo_policy, &wo_vectors[_i]);
    /* both columns marked; "Yes" is no number, "1" has no letter; each test twice: in the
     * CASE, and where the column's other value leaves such values out */
    ck_assert_uint_eq(count_of(query, "THEN 'written otherwise: ' || CAST("), 2);
    ck_assert_uint_eq(count_of(query, "lower("), 4);
    ck_assert_ptr_null(strstr(query, "REPLACE(CAST(\"fairgate_src\".\"y\""));
    ck_assert_ptr_null(strstr(query, "REPLACE(CAST(`fairgate_src`.`y`"));
    free(query);
}
END_TEST

/* A third value in a label or prediction column (the rows refuse it): per dialect, each
 * such column's other value, the least of its values neither positive, nor written otherwise,
 * nor empty, from one derived table over the same rows (missing: drop, its own WHERE) joined
 * to every row, and the branch that marks any other value with it. The bins query reads the
 * label only. */
static const char third_policy[] =
    "version: 1\nname: third\ndata:\n  label: y\n  positive_label: \"1\"\n"
    "  protected: [g]\n  candidate: { prediction: p }\n  incumbent: { prediction: q }\n"
    "  favorable_prediction: \"1\"\n  missing: drop\ngates:\n  - id: sr\n"
    "    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n";

static const char third_bins_policy[] =
    "version: 1\nname: third\ndata:\n  label: y\n  positive_label: \"1\"\n"
    "  protected: [g]\n  candidate: { score: s, threshold: 0.5 }\n"
    "  incumbent: { prediction: q }\n  favorable_prediction: \"1\"\ngates:\n  - id: r\n"
    "    metric: auc\n    overall: { min: 0.6 }\n";

/* the query's part "s" with each ` replaced by the dialect's identifier quote q */
static const char *quoted(char *buf, size_t size, const char *s, char q)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < size; i++)
        buf[i] = s[i] == '`' ? q : s[i];
    buf[i] = '\0';
    return buf;
}

START_TEST(test_third_value)
{
    static const struct {
        enum fg_sql_dialect dialect;
        char quote;
        const char *text;
    } dialects[] = {
        {FG_SQL_ANSI, '"', "VARCHAR"},    {FG_SQL_POSTGRES, '"', "TEXT"},
        {FG_SQL_SQLITE, '"', "TEXT"},     {FG_SQL_SPARK, '`', "STRING"},
        {FG_SQL_BIGQUERY, '`', "STRING"}, {FG_SQL_DUCKDB, '"', "VARCHAR"},
    };
    static const char *const columns[][2] = {
        {"y", "y_true"}, {"p", "candidate"}, {"q", "incumbent"}};
    char want[512], part[512];
    for (size_t i = 0; i < sizeof dialects / sizeof dialects[0]; i++) {
        char q = dialects[i].quote;
        for (int bins = 0; bins < 2; bins++) {
            struct fg_policy *policy = policy_from(bins ? third_bins_policy : third_policy);
            char *query = NULL;
            struct fg_error err;
            ck_assert_int_eq(
                bins ? fg_sql_render_bins(policy, "t", dialects[i].dialect, &query, &err)
                     : fg_sql_render(policy, "t", dialects[i].dialect, &query, &err),
                FG_OK);
            size_t n_columns = bins ? 1 : 3;
            for (size_t c = 0; c < n_columns; c++) {
                snprintf(part, sizeof part,
                         "THEN 'third value: ' || CAST(`fairgate_src`.`%s` AS %s) || ' (other: ' "
                         "|| `fairgate_others`.`%s` || ')'\n            ELSE '0' END AS `%s`",
                         columns[c][0], dialects[i].text, columns[c][1], columns[c][1]);
                ck_assert_msg(strstr(query, quoted(want, sizeof want, part, q)) != NULL,
                              "no '%s' in\n%s", want, query);
                snprintf(part, sizeof part,
                         "            MIN(NULLIF(CASE WHEN CAST(`fairgate_src`.`%s` AS %s) = '1'\n"
                         "                OR (",
                         columns[c][0], dialects[i].text);
                ck_assert_msg(strstr(query, quoted(want, sizeof want, part, q)) != NULL,
                              "no '%s' in\n%s", want, query);
                snprintf(part, sizeof part,
                         "THEN '' ELSE CAST(`fairgate_src`.`%s` AS %s) END, '')) AS `%s`",
                         columns[c][0], dialects[i].text, columns[c][1]);
                ck_assert_msg(strstr(query, quoted(want, sizeof want, part, q)) != NULL,
                              "no '%s' in\n%s", want, query);
            }
            ck_assert_uint_eq(count_of(query, "MIN(NULLIF(CASE WHEN "), n_columns);
            ck_assert_uint_eq(count_of(query, "THEN 'third value: ' || "), n_columns);
            /* one derived table, over the table again, uncorrelated, joined to every row */
            ck_assert_uint_eq(count_of(query, "CROSS JOIN ("), 1);
            snprintf(part, sizeof part,
                     "    FROM `t` AS `fairgate_src`\n    CROSS JOIN (\n        SELECT\n"
                     "            MIN(NULLIF(");
            ck_assert_ptr_nonnull(strstr(query, quoted(want, sizeof want, part, q)));
            ck_assert_uint_eq(count_of(query, quoted(want, sizeof want, "FROM `t` AS ", q)), 2);
            /* missing: drop leaves out the same rows from both (error: no WHERE) */
            snprintf(part, sizeof part,
                     "        FROM `t` AS `fairgate_src`\n        WHERE NOT (`fairgate_src`.`g` IS "
                     "NULL");
            ck_assert_uint_eq(count_of(query, quoted(want, sizeof want, part, q)), !bins);
            ck_assert_uint_eq(count_of(query, "WHERE NOT "), bins ? 0 : 2);
            snprintf(part, sizeof part, "    ) AS `fairgate_others`\n%s",
                     bins ? ")" : "    WHERE NOT (");
            ck_assert_ptr_nonnull(strstr(query, quoted(want, sizeof want, part, q)));
            free(query);
            fg_policy_free(policy);
        }
    }
}
END_TEST

/* missing: error: the missing values' NULL, then the scores' (each score column once); a
 * model read from a prediction column has no score check. */
START_TEST(test_score_columns)
{
    static const char *const models[][2] = {
        {"{ score: s, threshold: 0.5 }", "{ score: s2, threshold: 0.6, favorable: below }"},
        {"{ score: s, threshold: 0.5 }", "{ score: s, threshold: 0.7 }"},
        {"{ prediction: p }", "{ score: s, threshold: 0.7 }"},
        {"{ prediction: p }", "{ prediction: q }"},
    };
    static const bool checks[][2] = {{true, true}, {true, false}, {true, false}, {false, false}};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "version: 1\nname: e\ndata:\n  label: y\n  positive_label: \"1\"\n"
                 "  protected: [g]\n  candidate: %s\n  incumbent: %s\n"
                 "  favorable_prediction: \"1\"\n"
                 "gates:\n  - id: a\n    metric: accuracy\n    overall: { min: 0.5 }\n",
                 models[i][0], models[i][1]);
        struct fg_policy *policy = policy_from(text);
        char *query = NULL;
        struct fg_error err;
        ck_assert_int_eq(fg_sql_render(policy, "t", FG_SQL_POSTGRES, &query, &err), FG_OK);
        size_t n_scores = (size_t)checks[i][0] + (size_t)checks[i][1];
        ck_assert_uint_eq(count_of(query, "THEN NULL"), 1 + (n_scores > 0));
        ck_assert_uint_eq(count_of(query, "CAST(\"fairgate_src\".\"s\" AS TEXT) !~ '^"),
                          checks[i][0]);
        ck_assert_uint_eq(count_of(query, "CAST(\"fairgate_src\".\"s2\" AS TEXT) !~ '^"),
                          checks[i][1]);
        ck_assert_uint_eq(count_of(query, "-- A score that is not a finite"), n_scores > 0);
        if (n_scores == 2) /* one WHEN, the columns ORed */
            ck_assert_ptr_nonnull(
                strstr(query, "AS TEXT) ~ " MANTISSA_RE "))\n            OR (CAST("));
        free(query);
        fg_policy_free(policy);
    }
}
END_TEST

START_TEST(test_comment_cannot_break_out)
{
    const char text[] =
        "version: 1\nname: \"x\\nDROP TABLE t; --\"\ndata:\n  label: y\n"
        "  positive_label: \"1\"\n  protected: [g]\n  candidate: { prediction: p }\n"
        "  favorable_prediction: \"1\"\n"
        "gates:\n  - id: a\n    metric: accuracy\n    overall: { min: 0.5 }\n";
    struct fg_policy *policy = policy_from(text);
    char *query = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_sql_render(policy, "t", FG_SQL_SQLITE, &query, &err), FG_OK);
    ck_assert_ptr_null(strstr(query, "\nDROP"));
    ck_assert_ptr_nonnull(strstr(query, "x?DROP TABLE t; --"));
    free(query);
    fg_policy_free(policy);
}
END_TEST

/* ---- the score bins query ---- */

static const char bins_policy[] = "version: 1\n"
                                  "name: bins\n"
                                  "data:\n"
                                  "  label: y\n"
                                  "  positive_label: \"1\"\n"
                                  "  protected: [g]\n"
                                  "  candidate: { score: s, threshold: 0.5, favorable: below }\n"
                                  "  incumbent: { score: s2, threshold: 0.5 }\n"
                                  "  missing: drop\n"
                                  "gates:\n"
                                  "  - id: ranking\n"
                                  "    metric: auc\n"
                                  "    overall: { min: 0.6 }\n";

struct bins_vector {
    enum fg_sql_dialect dialect;
    const char *want[8]; /* parts the bins query must hold */
};

/* Per dialect: the score as a double, the first guess of the bin (floor: a truncating CAST in
 * sqlite), the edges as a double division, the fixed bins. */
static const struct bins_vector bins_vectors[] = {
    {FG_SQL_ANSI,
     {"CAST(\"fairgate_src\".\"s\" AS DOUBLE PRECISION) AS \"fairgate_candidate\"",
      "CASE WHEN \"fairgate_rows\".\"fairgate_candidate\" >= 0 AND "
      "\"fairgate_rows\".\"fairgate_candidate\" < 1\n            THEN "
      "CAST(FLOOR(\"fairgate_rows\".\"fairgate_candidate\" * 10000) AS BIGINT) END AS "
      "\"fairgate_guess\"",
      "CASE WHEN \"fairgate_scores\".\"fairgate_score\" < 0 THEN -1\n            WHEN "
      "\"fairgate_scores\".\"fairgate_score\" > 1 THEN 10000\n            WHEN "
      "\"fairgate_scores\".\"fairgate_score\" >= 1 THEN 9999\n",
      "WHEN \"fairgate_scores\".\"fairgate_score\" < CAST(\"fairgate_scores\".\"fairgate_guess\" "
      "AS DOUBLE PRECISION) / 10000 THEN \"fairgate_scores\".\"fairgate_guess\" - 1\n",
      "WHEN \"fairgate_scores\".\"fairgate_score\" >= CAST(\"fairgate_scores\".\"fairgate_guess\" "
      "+ 1 AS DOUBLE PRECISION) / 10000 THEN \"fairgate_scores\".\"fairgate_guess\" + 1\n"
      "            ELSE \"fairgate_scores\".\"fairgate_guess\" END AS \"bin\"",
      "SUM(\"fairgate_bins\".\"fairgate_score\" * \"fairgate_bins\".\"fairgate_score\") AS "
      "\"sum_squares\"",
      "GROUP BY \"fairgate_bins\".\"g\", \"fairgate_bins\".\"y_true\", "
      "\"fairgate_bins\".\"model\", \"fairgate_bins\".\"bin\"\nORDER BY",
      NULL}},
    {FG_SQL_BIGQUERY,
     {"FROM `p-1`.`d`.`t` AS `fairgate_src`",
      "SAFE_CAST(`fairgate_src`.`s` AS FLOAT64) AS `fairgate_candidate`",
      "SAFE_CAST(`fairgate_src`.`s2` AS FLOAT64) AS `fairgate_incumbent`",
      "THEN CAST(FLOOR(`fairgate_rows`.`fairgate_incumbent` * 10000) AS INT64) END AS "
      "`fairgate_guess`",
      "< CAST(`fairgate_scores`.`fairgate_guess` AS FLOAT64) / 10000 THEN",
      ">= CAST(`fairgate_scores`.`fairgate_guess` + 1 AS FLOAT64) / 10000 THEN",
      "WHERE NOT (`fairgate_src`.`g` IS NULL OR", NULL}},
    {FG_SQL_DUCKDB,
     {"TRY_CAST(\"fairgate_src\".\"s\" AS DOUBLE) AS \"fairgate_candidate\"",
      "THEN CAST(FLOOR(\"fairgate_rows\".\"fairgate_candidate\" * 10000) AS BIGINT) END",
      "< CAST(\"fairgate_scores\".\"fairgate_guess\" AS DOUBLE) / 10000 THEN", NULL}},
    {FG_SQL_SQLITE,
     {"CAST(\"fairgate_src\".\"s\" AS REAL) AS \"fairgate_candidate\"",
      "THEN CAST(\"fairgate_rows\".\"fairgate_candidate\" * 10000 AS INTEGER) END", NULL}},
    {FG_SQL_SPARK,
     {"THEN CAST(FLOOR(`fairgate_rows`.`fairgate_candidate` * 10000) AS BIGINT) END",
      "< CAST(`fairgate_scores`.`fairgate_guess` AS DOUBLE) / 10000 THEN", NULL}},
    {FG_SQL_POSTGRES,
     {"< CAST(\"fairgate_scores\".\"fairgate_guess\" AS DOUBLE PRECISION) / 10000 THEN", NULL}},
};

START_TEST(test_bins_dialects)
{
    const struct bins_vector *v = &bins_vectors[_i];
    struct fg_policy *policy = policy_from(bins_policy);
    char *query = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_sql_render_bins(policy, v->dialect == FG_SQL_BIGQUERY ? "p-1.d.t" : "t",
                                        v->dialect, &query, &err),
                     FG_OK);
    for (size_t k = 0; k < 8 && v->want[k] != NULL; k++)
        ck_assert_msg(strstr(query, v->want[k]) != NULL, "dialect %d: no '%s' in\n%s",
                      (int)v->dialect, v->want[k], query);
    /* both models, one score each, a row read as the counts query reads it */
    ck_assert_uint_eq(count_of(query, "UNION ALL"), 1);
    ck_assert_uint_eq(count_of(query, "'candidate' AS "), 1);
    ck_assert_uint_eq(count_of(query, "'incumbent' AS "), 1);
    ck_assert_uint_eq(count_of(query, "THEN NULL"), 1); /* missing: drop: the bad scores' */
    ck_assert_uint_eq(count_of(query, " < 2.2250738585072014e-308 AND "),
                      v->dialect == FG_SQL_ANSI ? 0 : 2); /* underflow, per score column */
    size_t len = strlen(query);
    ck_assert(len > 2 && strcmp(query + len - 2, ";\n") == 0);
    free(query);
    fg_policy_free(policy);
}
END_TEST

/* The bins query needs a score gate or a candidate that reads a score (for `fairgate sweep`):
 * a policy of prediction columns only is refused; odd_policy's score candidate is not. */
START_TEST(test_bins_refused)
{
    struct fg_policy *policy = policy_from(
        "version: 1\nname: e\ndata:\n  label: y\n  positive_label: \"1\"\n"
        "  protected: [g]\n  candidate: { prediction: p }\n  favorable_prediction: \"1\"\n"
        "gates:\n  - id: a\n    metric: accuracy\n    overall: { min: 0.5 }\n");
    char *query = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_sql_render_bins(policy, "t", FG_SQL_DUCKDB, &query, &err), FG_ERR_POLICY);
    ck_assert_ptr_null(query);
    ck_assert_ptr_nonnull(strstr(err.message, "gates on no score metric"));
    ck_assert_ptr_nonnull(strstr(err.message, "its candidate reads no score"));
    fg_policy_free(policy);
    policy = policy_from(odd_policy);
    ck_assert_int_eq(fg_sql_render_bins(policy, "t", FG_SQL_DUCKDB, &query, &err), FG_OK);
    ck_assert_ptr_nonnull(strstr(query, "'candidate'"));
    free(query);
    fg_policy_free(policy);
}
END_TEST

static Suite *sql_suite(void)
{
    Suite *s = suite_create("sql");
    TCase *tc = tcase_create("sql");
    tcase_add_loop_test(tc, test_dialects, 0, (int)(sizeof vectors / sizeof vectors[0]));
    tcase_add_test(tc, test_dialect_names);
    tcase_add_test(tc, test_missing_error_and_threshold);
    tcase_add_test(tc, test_score_columns);
    tcase_add_loop_test(tc, test_written_otherwise, 0,
                        (int)(sizeof wo_vectors / sizeof wo_vectors[0]));
    tcase_add_test(tc, test_third_value);
    tcase_add_test(tc, test_comment_cannot_break_out);
    tcase_add_loop_test(tc, test_bins_dialects, 0,
                        (int)(sizeof bins_vectors / sizeof bins_vectors[0]));
    tcase_add_test(tc, test_bins_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(sql_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
