/*
 * check_sql.c - unit tests of the counts query (lib/sql.c): dialect names, identifier and
 * literal quoting per dialect, qualified tables, the threshold's shortest form, missing
 * values (drop: WHERE; error: a NULL y_true), and the policies it refuses.
 */
#include "internal.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fg_policy *policy_from(const char *text)
{
    struct fg_policy *policy = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_policy_parse("unit.yaml", text, strlen(text), &policy, &err), FG_OK);
    return policy;
}

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
    const char *want[6]; /* parts the query must hold */
};

static const struct sql_vector vectors[] = {
    {FG_SQL_ANSI,
     "a.b",
     {"FROM \"a\".\"b\" AS \"fairgate_src\"", "CAST(\"fairgate_src\".\"l\"\"b`l\" AS VARCHAR)",
      "= 'it''s \\ \n' THEN 1", "AS DOUBLE PRECISION) < 0.1 THEN 1",
      "WHERE NOT (\"fairgate_src\".\"grp\" IS NULL OR", "COUNT(*) AS \"count\""}},
    {FG_SQL_POSTGRES,
     "t",
     {"FROM \"t\" AS", "AS TEXT)", "AS DOUBLE PRECISION) < 0.1", "'it''s \\ \n'", ";\n", NULL}},
    {FG_SQL_SQLITE, "main.t", {"FROM \"main\".\"t\"", "AS REAL) < 0.1", "AS TEXT)", NULL}},
    {FG_SQL_SPARK,
     "c.s.t",
     {"FROM `c`.`s`.`t` AS `fairgate_src`", "`fairgate_src`.`l\"b``l` AS STRING)",
      "= 'it\\'s \\\\ \\n' THEN 1", "AS DOUBLE) < 0.1", NULL}},
    {FG_SQL_BIGQUERY,
     "p-1.d.t",
     {"FROM `p-1`.`d`.`t`", "`fairgate_src`.`l\"b\\`l` AS STRING)", "= 'it\\'s \\\\ \\n' THEN 1",
      "AS FLOAT64) < 0.1", NULL}},
};

START_TEST(test_dialects)
{
    const struct sql_vector *v = &vectors[_i];
    struct fg_policy *policy = policy_from(odd_policy);
    char *query = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_sql_render(policy, v->table, v->dialect, &query, &err), FG_OK);
    for (size_t k = 0; k < 6 && v->want[k] != NULL; k++)
        ck_assert_msg(strstr(query, v->want[k]) != NULL, "dialect %d: no '%s' in\n%s",
                      (int)v->dialect, v->want[k], query);
    size_t len = strlen(query);
    ck_assert(len > 2 && strcmp(query + len - 2, ";\n") == 0);
    ck_assert_ptr_null(strstr(query, "THEN NULL")); /* missing: drop */
    free(query);
    fg_policy_free(policy);
}
END_TEST

START_TEST(test_dialect_names)
{
    static const char *const names[] = {"ansi", "postgres", "sqlite", "spark", "bigquery"};
    struct fg_error err;
    for (size_t i = 0; i < 5; i++) {
        enum fg_sql_dialect d = FG_SQL_BIGQUERY;
        ck_assert_int_eq(fg_sql_dialect_parse(names[i], &d, &err), FG_OK);
        ck_assert_int_eq((int)d, (int)i);
    }
    enum fg_sql_dialect d;
    ck_assert_int_eq(fg_sql_dialect_parse("sqlight", &d, &err), FG_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "did you mean 'sqlite'"));
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
