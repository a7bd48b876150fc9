/* Helpers shared by the unit suites (tests/unit/check_*.c): reading the audit fixtures,
 * finding a line in a rendered text, parsing an inline policy, writing a file. Each
 * asserts with Check, so a suite that includes this header needs no error handling of
 * its own. Returned texts and policies belong to the caller (free, fg_policy_free). */
#ifndef FAIRGATE_TEST_UTIL_H
#define FAIRGATE_TEST_UTIL_H

#include "fairgate.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An audit fixture from tests/fixtures/audit (or $FAIRGATE_AUDIT_FIXTURES). */
static inline char *read_fixture(const char *name)
{
    const char *dir = getenv("FAIRGATE_AUDIT_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "tests/fixtures/audit", name);
    char *text = NULL;
    size_t len = 0;
    struct fg_error err = {0};
    ck_assert_msg(fg_file_read_all(path, 1u << 24, &text, &len, &err) == FG_OK, "%s: %s", path,
                  err.message);
    return text;
}

/* Whether text has line as one whole line. */
static inline bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, line, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* A policy parsed from inline YAML; the test fails when it does not parse. */
static inline struct fg_policy *policy_from(const char *yaml)
{
    struct fg_policy *policy = NULL;
    struct fg_error err = {0};
    ck_assert_msg(fg_policy_parse("unit.yaml", yaml, strlen(yaml), &policy, &err) == FG_OK, "%s",
                  err.message);
    return policy;
}

/* Writes len bytes to path, replacing it. */
static inline void write_bytes_to(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

#endif /* FAIRGATE_TEST_UTIL_H */
