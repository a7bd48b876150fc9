/*
 * check_report_modelcard.c - unit tests of lib/report_modelcard.c: model cards from audit
 * JSON.
 *
 * Vectors run through tests/fixtures/audit/md-loan.json with one field replaced (cJSON):
 *  - a result's value -> the card's value string: the shortest text that reads back as
 *    the same double, never "-0" (cJSON prints a double within DBL_EPSILON of a shorter
 *    one as that one, 0.1 + 0.2 as "0.3", so the audit itself never holds such a value);
 *  - the policy's name -> the YAML double-quoted scalar of the Hugging Face front matter;
 *  - a file name -> the format it asks for (.json, .md, any case; nothing else).
 */
#include "fairgate.h"
#include "test_util.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* md-loan.json with edit applied to its tree, as text. */
static char *edited_fixture(void (*edit)(cJSON *audit, int i), int i)
{
    char *text = read_fixture("md-loan.json");
    cJSON *audit = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(audit);
    edit(audit, i);
    char *out = cJSON_PrintUnformatted(audit);
    cJSON_Delete(audit);
    ck_assert_ptr_nonnull(out);
    return out;
}

/* ---- values ---- */

static const struct {
    double value;
    const char *text;
} value_vectors[] = {
    {0.1, "0.1"},
    {0.7302, "0.7302"},
    {1.0 / 3.0, "0.3333333333333333"},
    {2.0 / 3.0, "0.6666666666666666"},
    {1, "1"},
    {-0.0, "0"},
    {-0.25, "-0.25"},
    {1e-300, "1e-300"},
    {123456789.125, "123456789.125"},
};

static void set_value(cJSON *audit, int i)
{
    cJSON *result = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(audit, "gates"), 0), "results"),
        0);
    cJSON_ReplaceItemInObject(result, "value", cJSON_CreateNumber(value_vectors[i].value));
}

START_TEST(test_values)
{
    char *audit = edited_fixture(set_value, _i);
    char *card = NULL;
    struct fg_error err = {0};
    ck_assert_msg(fg_report_model_card_json(audit, &card, &err) == FG_OK, "%s", err.message);
    cJSON *root = cJSON_Parse(card);
    const cJSON *metric =
        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "quantitative_analysis"),
                                               "performance_metrics"),
                           0);
    const char *got = cJSON_GetStringValue(cJSON_GetObjectItem(metric, "value"));
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, value_vectors[_i].text);
    ck_assert(strtod(got, NULL) == value_vectors[_i].value);
    cJSON_Delete(root);
    free(card);
    free(audit);
}
END_TEST

/* ---- YAML quoting ---- */

static const struct {
    const char *name, *line;
} yaml_vectors[] = {
    {"plain", "  - name: \"plain\""},
    {"a\"b\\c", "  - name: \"a\\\"b\\\\c\""},
    {"line\nbreak\r\ttab", "  - name: \"line\\x0Abreak\\x0D\\x09tab\""},
    {"del\x7f", "  - name: \"del\\x7F\""},
    {"next\xc2\x85line", "  - name: \"next\\u0085line\""},
    {"ls\xe2\x80\xa8ps\xe2\x80\xa9", "  - name: \"ls\\u2028ps\\u2029\""},
    {"bom\xef\xbb\xbf", "  - name: \"bom\\uFEFF\""},
    {"caf\xc3\xa9 \xe2\x89\xa5 \xf0\x9f\x98\x80",
     "  - name: \"caf\xc3\xa9 \xe2\x89\xa5 \xf0\x9f\x98\x80\""},
    {"---\nkey: value # c", "  - name: \"---\\x0Akey: value # c\""},
};

static void set_policy_name(cJSON *audit, int i)
{
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(audit, "policy"), "name",
                              cJSON_CreateString(yaml_vectors[i].name));
}

START_TEST(test_yaml_quoting)
{
    char *audit = edited_fixture(set_policy_name, _i);
    char *card = NULL;
    struct fg_error err = {0};
    ck_assert_msg(fg_report_model_card_md(audit, &card, &err) == FG_OK, "%s", err.message);
    ck_assert_msg(has_line(card, yaml_vectors[_i].line), "no line %s in\n%.400s",
                  yaml_vectors[_i].line, card);
    ck_assert_msg(strncmp(card, "---\nmodel-index:\n", 17) == 0, "%.40s", card);
    free(card);
    free(audit);
}
END_TEST

/* ---- formats ---- */

static const struct {
    const char *path;
    enum fg_model_card_format format;
} format_vectors[] = {
    {"card.json", FG_MODEL_CARD_JSON},
    {"out/CARD.JSON", FG_MODEL_CARD_JSON},
    {"README.md", FG_MODEL_CARD_MARKDOWN},
    {"x.Md", FG_MODEL_CARD_MARKDOWN},
    {".json", FG_MODEL_CARD_UNKNOWN},
    {"card.txt", FG_MODEL_CARD_UNKNOWN},
    {"card.json.txt", FG_MODEL_CARD_UNKNOWN},
    {"card.markdown", FG_MODEL_CARD_UNKNOWN},
    {"json", FG_MODEL_CARD_UNKNOWN},
    {"", FG_MODEL_CARD_UNKNOWN},
    {NULL, FG_MODEL_CARD_UNKNOWN},
};

START_TEST(test_formats)
{
    ck_assert_int_eq(fg_model_card_format_of(format_vectors[_i].path), format_vectors[_i].format);
}
END_TEST

START_TEST(test_dispatch)
{
    char *audit = read_fixture("md-loan.json");
    char *json = NULL, *md = NULL, *none = NULL, *direct = NULL;
    struct fg_error err = {0};
    ck_assert(fg_report_model_card(audit, "c.json", &json, &err) == FG_OK);
    ck_assert(fg_report_model_card_json(audit, &direct, &err) == FG_OK);
    ck_assert_str_eq(json, direct);
    ck_assert(fg_report_model_card(audit, "c.md", &md, &err) == FG_OK);
    ck_assert(strncmp(md, "---\n", 4) == 0);
    ck_assert(fg_report_model_card(audit, "c.txt", &none, &err) == FG_ERR_USAGE);
    ck_assert_ptr_null(none);
    ck_assert_msg(strstr(err.message, "c.txt") != NULL, "%s", err.message);
    ck_assert(fg_report_model_card_json("{\"schema\": 1}", &none, &err) == FG_ERR_INPUT);
    ck_assert(fg_report_model_card_md("not json", &none, &err) == FG_ERR_INPUT);
    ck_assert_ptr_null(none);
    free(json);
    free(md);
    free(direct);
    free(audit);
}
END_TEST

/* ---- main ---- */

static Suite *report_modelcard_suite(void)
{
    Suite *s = suite_create("report_modelcard");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_values, 0, (int)N_OF(value_vectors));
    tcase_add_loop_test(tc, test_yaml_quoting, 0, (int)N_OF(yaml_vectors));
    tcase_add_loop_test(tc, test_formats, 0, (int)N_OF(format_vectors));
    tcase_add_test(tc, test_dispatch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(report_modelcard_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
