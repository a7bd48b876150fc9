/*
 * check_buf.c - unit tests of lib/buf.c: the one growable text buffer holds exactly what
 * was appended, and its cap is the one chosen for the use, named in the error.
 */
#include "buf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_empty_is_empty_string)
{
    struct fg_buf b = fg_buf_new(16, "the text");
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_buf_finish(&b, &out, &err), FG_OK);
    ck_assert_str_eq(out, "");
    free(out);
}
END_TEST

START_TEST(test_append_puts_add)
{
    struct fg_buf b = fg_buf_new(FG_BUF_CAP_REPORT, "the report");
    fg_buf_append(&b, "abc", 2);
    fg_buf_puts(&b, "-");
    char long_arg[2000];
    memset(long_arg, 'x', sizeof long_arg - 1);
    long_arg[sizeof long_arg - 1] = '\0';
    fg_buf_add(&b, "%d:%s|", 42, long_arg); /* longer than add's 512-byte fast path */
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_buf_finish(&b, &out, &err), FG_OK);
    ck_assert_uint_eq(strlen(out), 2 + 1 + 3 + 1999 + 1);
    ck_assert_int_eq(strncmp(out, "ab-42:xxx", 9), 0);
    ck_assert_int_eq(out[strlen(out) - 1], '|');
    free(out);
}
END_TEST

/* Truncating takes back what was appended past a length, and appending goes on from
 * there; a length past the end changes nothing. */
START_TEST(test_truncate)
{
    struct fg_buf b = fg_buf_new(FG_BUF_CAP_REPORT, "the report");
    fg_buf_truncate(&b, 0); /* nothing allocated yet */
    fg_buf_puts(&b, "kept|dropped");
    fg_buf_truncate(&b, 5);
    ck_assert_uint_eq(b.len, 5);
    ck_assert_str_eq(b.data, "kept|");
    fg_buf_truncate(&b, 99);
    fg_buf_puts(&b, "next");
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_buf_finish(&b, &out, &err), FG_OK);
    ck_assert_str_eq(out, "kept|next");
    free(out);
}
END_TEST

/* Exactly the cap fits; one byte more is FG_ERR_LIMIT naming the use and its cap, and
 * nothing is handed out (never a cut text). */
START_TEST(test_cap_is_per_use)
{
    struct fg_buf b = fg_buf_new(8, "the SQL");
    fg_buf_puts(&b, "12345678");
    ck_assert(!b.toobig);
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_buf_finish(&b, &out, &err), FG_OK);
    ck_assert_str_eq(out, "12345678");
    free(out);

    b = fg_buf_new(8, "the SQL");
    fg_buf_puts(&b, "12345678");
    fg_buf_puts(&b, "9");
    fg_buf_puts(&b, ""); /* nothing grows after the cap was passed */
    out = NULL;
    ck_assert_int_eq(fg_buf_finish(&b, &out, &err), FG_ERR_LIMIT);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(err.message, "the SQL would pass the limit of 8 bytes");
}
END_TEST

/* Control bytes from the inputs never reach the text raw: \n \r \t by name, others \xNN;
 * long results (past the 512-byte stack buffer) are escaped too. */
START_TEST(test_add_escaped)
{
    struct fg_buf b = fg_buf_new(1024 * 1024, "the test text");
    fg_buf_add_escaped(&b, "group %s|%d", "a%0A\n::stop-commands::tok\r\t\x01\x7f", 7);
    char *out = NULL;
    ck_assert_int_eq(fg_buf_finish(&b, &out, NULL), FG_OK);
    ck_assert_str_eq(out, "group a%0A\\n::stop-commands::tok\\r\\t\\x01\\x7f|7");
    free(out);
    char long_value[900];
    memset(long_value, 'v', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    long_value[600] = '\n';
    b = fg_buf_new(1024 * 1024, "the test text");
    fg_buf_add_escaped(&b, "%s", long_value);
    ck_assert_int_eq(fg_buf_finish(&b, &out, NULL), FG_OK);
    ck_assert_uint_eq(strlen(out), sizeof long_value - 1 + 1);
    ck_assert(strstr(out, "\n") == NULL);
    ck_assert(strncmp(out + 600, "\\nv", 3) == 0);
    free(out);
}
END_TEST

START_TEST(test_caps_are_named)
{
    ck_assert_uint_eq(FG_BUF_CAP_HTML, (size_t)64 << 20);
    ck_assert_uint_eq(FG_BUF_CAP_REPORT, (size_t)256 << 20);
    ck_assert_uint_gt(FG_BUF_CAP_SQL, 0);
    ck_assert_uint_gt(FG_BUF_CAP_COUNTS_CSV, 0);
    ck_assert_uint_gt(FG_BUF_CAP_VERIFY, 0);
}
END_TEST

static Suite *buf_suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("buf");
    tcase_add_test(tc, test_empty_is_empty_string);
    tcase_add_test(tc, test_append_puts_add);
    tcase_add_test(tc, test_truncate);
    tcase_add_test(tc, test_cap_is_per_use);
    tcase_add_test(tc, test_caps_are_named);
    tcase_add_test(tc, test_add_escaped);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(buf_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
