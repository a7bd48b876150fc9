/*
 * check_json.c - unit tests of lib/json.c, the strict JSON gate: every form two JSON readers
 * could read differently is refused with its place (line:column), and everything RFC 8259
 * allows otherwise is read as cJSON reads it.
 */
#include "json.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *text;
    size_t len; /* 0: strlen(text) */
    enum fg_status code;
    const char *why;
    unsigned long line, column;
} rejects[] = {
    {"\xef\xbb\xbf{}", 0, FG_ERR_INPUT, "byte order mark", 1, 1},
    {"{\"a\":1}\0", 8, FG_ERR_INPUT, "a NUL byte", 1, 8},
    {"{\"a\":\"x\0y\"}", 11, FG_ERR_INPUT, "a NUL byte", 1, 8},
    {"{\"a\":\"x\\u0000y\"}", 0, FG_ERR_INPUT, "\\u0000", 1, 8},
    {"{\"a\\u0000\":1}", 0, FG_ERR_INPUT, "\\u0000", 1, 4},
    {"{\"a\":\"\xff\"}", 0, FG_ERR_INPUT, "invalid UTF-8", 1, 7},
    {"{\"a\":\"\xc0\xaf\"}", 0, FG_ERR_INPUT, "invalid UTF-8", 1, 7},
    {"{\"a\":\"\xed\xa0\x80\"}", 0, FG_ERR_INPUT, "invalid UTF-8", 1, 7},
    {"{\"a\":\"\\ud800\"}", 0, FG_ERR_INPUT, "lone high surrogate", 1, 7},
    {"{\"a\":\"\\ud800\\u0041\"}", 0, FG_ERR_INPUT, "lone high surrogate", 1, 7},
    {"{\"a\":\"\\udc00\"}", 0, FG_ERR_INPUT, "lone low surrogate", 1, 7},
    {"{\"a\":1,\"a\":2}", 0, FG_ERR_INPUT, "'a' is given twice (first at 1:2)", 1, 8},
    {"{\"a\":1,\"\\u0061\":2}", 0, FG_ERR_INPUT, "'a' is given twice", 1, 8},
    {"{\"\":1,\"\":2}", 0, FG_ERR_INPUT, "is given twice", 1, 7},
    {"{\"x\":[{\"k\":1},\n{\"k\":1,\"k\":2}]}", 0, FG_ERR_INPUT, "'k' is given twice in x[1]", 2,
     8},
    {"{\"a\":1} x", 0, FG_ERR_INPUT, "1 byte after the JSON value", 1, 9},
    {"{\"a\":1}{}", 0, FG_ERR_INPUT, "2 bytes after the JSON value", 1, 8},
    {"{\"a\":1}\n\n}", 0, FG_ERR_INPUT, "1 byte after the JSON value", 3, 1},
    {"", 0, FG_ERR_INPUT, "empty", 1, 1},
    {"  \n", 0, FG_ERR_INPUT, "empty", 1, 1},
    {"{\"a\":01}", 0, FG_ERR_INPUT, "expected ',' or '}'", 1, 7},
    {"{\"a\":1.}", 0, FG_ERR_INPUT, "malformed number", 1, 6},
    {"{\"a\":+1}", 0, FG_ERR_INPUT, "unexpected character '+'", 1, 6},
    {"{\"a\":.5}", 0, FG_ERR_INPUT, "unexpected character '.'", 1, 6},
    {"{\"a\":1e}", 0, FG_ERR_INPUT, "malformed number", 1, 6},
    {"{\"a\":NaN}", 0, FG_ERR_INPUT, "unexpected character 'N'", 1, 6},
    {"{\"a\":\"tab\there\"}", 0, FG_ERR_INPUT, "raw control character (0x09)", 1, 10},
    {"{\"a\":\"\\x41\"}", 0, FG_ERR_INPUT, "unknown escape '\\x'", 1, 7},
    {"{\"a\":\"\\u12\"}", 0, FG_ERR_INPUT, "four hex digits", 1, 7},
    {"{\"a\":1,}", 0, FG_ERR_INPUT, "expected a key", 1, 8},
    {"[1,]", 0, FG_ERR_INPUT, "unexpected character ']'", 1, 4},
    {"{'a':1}", 0, FG_ERR_INPUT, "expected a key", 1, 2},
    {"{\"a\" 1}", 0, FG_ERR_INPUT, "expected ':'", 1, 6},
    {"\"abc", 0, FG_ERR_INPUT, "not closed", 1, 1},
    {"{\"a\":1\f}", 0, FG_ERR_INPUT, "expected ',' or '}'", 1, 7},
    {"{\"a\":1234567890123456789012345678901234567890123456789012345678901234}", 0, FG_ERR_INPUT,
     "longer than 63", 1, 6},
};

START_TEST(test_rejects)
{
    size_t len = rejects[_i].len ? rejects[_i].len : strlen(rejects[_i].text);
    cJSON *root = (cJSON *)&len; /* any non-NULL value */
    struct fg_error err = {0};
    enum fg_status st = fg_json_parse_strict(rejects[_i].text, len, "the doc", &root, &err);
    ck_assert_int_eq(st, rejects[_i].code);
    ck_assert_ptr_null(root);
    ck_assert_msg(strstr(err.message, rejects[_i].why) != NULL, "vector %d: '%s' lacks '%s'", _i,
                  err.message, rejects[_i].why);
    ck_assert_msg(strncmp(err.message, "the doc ", 8) == 0, "'%s' names the document", err.message);
    ck_assert_uint_eq(err.line, rejects[_i].line);
    if (rejects[_i].column != 0)
        ck_assert_uint_eq(err.column, rejects[_i].column);
}
END_TEST

START_TEST(test_depth)
{
    size_t n = FG_JSON_MAX_DEPTH + 1;
    char *text = malloc(2 * n + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, '[', n);
    memset(text + n, ']', n);
    text[2 * n] = '\0';
    cJSON *root = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_json_parse_strict(text, 2 * n, "deep", &root, &err), FG_ERR_LIMIT);
    ck_assert_ptr_null(root);
    /* one level less is fine */
    ck_assert_int_eq(fg_json_parse_strict(text + 1, 2 * n - 2, "deep", &root, &err), FG_OK);
    cJSON_Delete(root);
    free(text);
}
END_TEST

static const struct {
    const char *text;
    const char *key;  /* a member of the top-level object, or NULL */
    const char *want; /* its string value */
} accepts[] = {
    {"{\"a\":\"b\"}", "a", "b"},
    {" \t\r\n{\"a\" : \"b\" } \n", "a", "b"},
    {"{\"a\":\"b\"}\n", "a", "b"},
    {"{\"a\":\"\\ud83d\\ude00\"}", "a", "\xf0\x9f\x98\x80"},
    {"{\"a\":\"Zo\xc3\xab \\u00e9\\/\\\"\\\\\\b\\f\\n\\r\\t\"}", "a",
     "Zo\xc3\xab \xc3\xa9/\"\\\b\f\n\r\t"},
    {"{\"a\":\"b\",\"A\":\"c\",\"ab\":\"d\",\"\":\"e\"}", "", "e"},
    {"[1,-0,0.5,-1.5e10,2E+3,3e-2,true,false,null,{},[],\"\"]", NULL, NULL},
    {"{\"x\":{\"k\":1},\"y\":{\"k\":2}}", NULL, NULL},
    {"\"top\"", NULL, NULL},
    {"42", NULL, NULL},
    /* only empty keys: the key arena was never allocated and NULL + 0 reached the path
     * (UBSan, found by fuzz_attest, fuzz_override and fuzz_report) */
    {"{\"\":[]}", NULL, NULL},
    {"{\"\":{\"\":\"e\"}}", NULL, NULL},
};

START_TEST(test_accepts)
{
    cJSON *root = NULL;
    struct fg_error err = {0};
    enum fg_status st =
        fg_json_parse_strict(accepts[_i].text, strlen(accepts[_i].text), "the doc", &root, &err);
    ck_assert_msg(st == FG_OK, "vector %d: %s", _i, err.message);
    ck_assert_ptr_nonnull(root);
    if (accepts[_i].key != NULL) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, accepts[_i].key);
        ck_assert(cJSON_IsString(item));
        ck_assert_str_eq(item->valuestring, accepts[_i].want);
    }
    cJSON_Delete(root);
}
END_TEST

/* fg_json_equal: the same JSON value, every number the same double (cJSON_Compare takes
 * numbers within a relative DBL_EPSILON as equal: an audit one ulp off was "the attested
 * predicate"). */
static const struct {
    const char *a, *b;
    bool equal;
} equals[] = {
    {"{\"a\":1,\"b\":[1,2]}", "{ \"b\" : [1, 2], \"a\" : 1 }", true},
    {"{\"v\":0.8}", "{\"v\":8e-1}", true},
    {"{\"v\":0.80}", "{\"v\":0.8000000000000000444}", true},               /* the same double */
    {"{\"v\":0.77437325905292476}", "{\"v\":0.77437325905292487}", false}, /* one ulp */
    {"{\"v\":0.1}", "{\"v\":0.10000000000000002}", false},
    {"{\"n\":5000}", "{\"n\":5000.000000000001}", false},
    {"{\"n\":9007199254740993}", "{\"n\":9007199254740992}", true}, /* one double */
    {"{\"n\":1e17}", "{\"n\":100000000000000016}", false},
    {"[1,2]", "[2,1]", false},
    {"[1,2]", "[1,2,3]", false},
    {"{\"a\":1}", "{\"a\":1,\"b\":1}", false},
    {"{\"a\":1,\"b\":1}", "{\"a\":1}", false},
    {"{\"a\":1}", "{\"A\":1}", false},
    {"{\"a\":\"x\"}", "{\"a\":\"\\u0078\"}", true},
    {"{\"a\":\"x\"}", "{\"a\":\"x \"}", false},
    {"{\"a\":1}", "{\"a\":\"1\"}", false},
    {"{\"a\":null}", "{\"a\":false}", false},
    {"{\"a\":true}", "{\"a\":true}", true},
    {"{\"a\":{}}", "{\"a\":[]}", false},
};

START_TEST(test_equal)
{
    cJSON *a = NULL, *b = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_json_parse_strict(equals[_i].a, strlen(equals[_i].a), "a", &a, &err),
                     FG_OK);
    ck_assert_int_eq(fg_json_parse_strict(equals[_i].b, strlen(equals[_i].b), "b", &b, &err),
                     FG_OK);
    ck_assert_msg(fg_json_equal(a, b) == equals[_i].equal, "vector %d: %s vs %s", _i, equals[_i].a,
                  equals[_i].b);
    ck_assert_msg(fg_json_equal(b, a) == equals[_i].equal, "vector %d reversed", _i);
    ck_assert(fg_json_equal(a, a));
    ck_assert(!fg_json_equal(a, NULL));
    cJSON_Delete(a);
    cJSON_Delete(b);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_rejects, 0, (int)N_OF(rejects));
    tcase_add_test(tc, test_depth);
    tcase_add_loop_test(tc, test_accepts, 0, (int)N_OF(accepts));
    tcase_add_loop_test(tc, test_equal, 0, (int)N_OF(equals));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(json_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
