/*
 * check_sql.c - unit tests of the counts query (lib/sql.c): dialect names, identifier and
 * literal quoting per dialect, qualified tables, the threshold's shortest form, missing
 * values (drop: WHERE; error: a NULL y_true), scores that are not finite decimal numbers (a
 * NULL y_true in both modes, per dialect), and the policies it refuses.
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

static const struct sql_vector vectors[] = {
    {FG_SQL_ANSI,
     "a.b",
     {"FROM \"a\".\"b\" AS \"fairgate_src\"", "CAST(\"fairgate_src\".\"l\"\"b`l\" AS VARCHAR)",
      "= 'it''s \\ \n' THEN 1", "AS DOUBLE PRECISION) < 0.1 THEN 1",
      "WHERE NOT (\"fairgate_src\".\"grp\" IS NULL OR", "COUNT(*) AS \"count\"",
      /* a score that is not a finite number: NULL, or outside [-max, max] (NaN either way) */
      "CASE WHEN (CAST(\"fairgate_src\".\"s\" AS DOUBLE PRECISION) IS NULL OR NOT "
      "(CAST(\"fairgate_src\".\"s\" AS DOUBLE PRECISION) BETWEEN -1.7976931348623157e308 AND "
      "1.7976931348623157e308))\n            THEN NULL\n            WHEN CAST("}},
    {FG_SQL_POSTGRES,
     "t",
     {"FROM \"t\" AS", "AS TEXT)", "AS DOUBLE PRECISION) < 0.1", "'it''s \\ \n'", ";\n",
      "CASE WHEN (CAST(\"fairgate_src\".\"s\" AS TEXT) !~ " DECIMAL_RE ")\n            THEN NULL",
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
      "OR abs(CAST(\"fairgate_src\".\"s\" AS REAL)) >= 9e999)\n            THEN NULL", NULL}},
    {FG_SQL_SPARK,
     "c.s.t",
     {"FROM `c`.`s`.`t` AS `fairgate_src`", "`fairgate_src`.`l\"b``l` AS STRING)",
      "= 'it\\'s \\\\ \\n' THEN 1", "AS DOUBLE) < 0.1",
      "CASE WHEN (NOT (CAST(`fairgate_src`.`s` AS STRING) RLIKE " DECIMAL_RE
      ") OR CAST(`fairgate_src`.`s` AS STRING) RLIKE '[^0-9.eE+-]'\n",
      "OR CAST(`fairgate_src`.`s` AS DOUBLE) IS NULL OR isnan(CAST(`fairgate_src`.`s` AS DOUBLE)) "
      "OR abs(CAST(`fairgate_src`.`s` AS DOUBLE)) = double('Infinity'))\n            THEN NULL",
      NULL}},
    {FG_SQL_BIGQUERY,
     "p-1.d.t",
     {"FROM `p-1`.`d`.`t`", "`fairgate_src`.`l\"b\\`l` AS STRING)", "= 'it\\'s \\\\ \\n' THEN 1",
      /* SAFE_CAST: an unreadable score is NULL, not an error */
      "SAFE_CAST(`fairgate_src`.`s` AS FLOAT64) < 0.1 THEN 1",
      "CASE WHEN (NOT REGEXP_CONTAINS(CAST(`fairgate_src`.`s` AS STRING), " DECIMAL_RE ")\n",
      "OR SAFE_CAST(`fairgate_src`.`s` AS FLOAT64) IS NULL OR IS_NAN(SAFE_CAST(`fairgate_src`.`s` "
      "AS FLOAT64)) OR IS_INF(SAFE_CAST(`fairgate_src`.`s` AS FLOAT64)))\n            THEN NULL",
      NULL}},
    {FG_SQL_DUCKDB,
     "main.t",
     {"FROM \"main\".\"t\" AS \"fairgate_src\"", "CAST(\"fairgate_src\".\"l\"\"b`l\" AS VARCHAR)",
      /* standard strings: a quote doubled, a backslash and a newline kept as they are */
      "= 'it''s \\ \n' THEN 1",
      /* TRY_CAST: an unreadable score is NULL, not an error */
      "TRY_CAST(\"fairgate_src\".\"s\" AS DOUBLE) < 0.1 THEN 1",
      "CASE WHEN (NOT regexp_matches(CAST(\"fairgate_src\".\"s\" AS VARCHAR), " DECIMAL_RE ")\n",
      "OR TRY_CAST(\"fairgate_src\".\"s\" AS DOUBLE) IS NULL OR NOT "
      "isfinite(TRY_CAST(\"fairgate_src\".\"s\" AS DOUBLE)))\n            THEN NULL",
      NULL}},
};

START_TEST(test_dialects)
{
    const struct sql_vector *v = &vectors[_i];
    struct fg_policy *policy = policy_from(odd_policy);
    char *query = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_sql_render(policy, v->table, v->dialect, &query, &err), FG_OK);
    for (size_t k = 0; k < 10 && v->want[k] != NULL; k++)
        ck_assert_msg(strstr(query, v->want[k]) != NULL, "dialect %d: no '%s' in\n%s",
                      (int)v->dialect, v->want[k], query);
    size_t len = strlen(query);
    ck_assert(len > 2 && strcmp(query + len - 2, ";\n") == 0);
    /* missing: drop: the one NULL y_true is the score check's; no missing value reaches it */
    const char *null = strstr(query, "THEN NULL");
    ck_assert_ptr_nonnull(null);
    ck_assert_ptr_null(strstr(null + 1, "THEN NULL"));
    const char *missing = strstr(strstr(query, "CASE WHEN"), " IS NULL OR CAST(");
    ck_assert(missing == NULL || missing > null); /* only in the WHERE */
    free(query);
    fg_policy_free(policy);
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
            ck_assert_ptr_nonnull(strstr(query, "!~ " DECIMAL_RE ")\n            OR (CAST("));
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

static Suite *sql_suite(void)
{
    Suite *s = suite_create("sql");
    TCase *tc = tcase_create("sql");
    tcase_add_loop_test(tc, test_dialects, 0, (int)(sizeof vectors / sizeof vectors[0]));
    tcase_add_test(tc, test_dialect_names);
    tcase_add_test(tc, test_missing_error_and_threshold);
    tcase_add_test(tc, test_score_columns);
    tcase_add_test(tc, test_comment_cannot_break_out);
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
