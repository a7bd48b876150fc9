/*
 * fuzz_policy.c - fuzz target of the policy parser (lib/policy.c, fg_policy_parse).
 *
 * The input is the policy text. A policy that parses is used as check and lint use it:
 * its warnings, the counts-file check and the SQL of every dialect are rendered (each from
 * structures only a valid policy has). An error must carry a terminated message.
 *
 *   make fuzz                   libFuzzer + ASan + UBSan (clang)
 *   fuzz_policy DIR|FILE...     replays a corpus without libFuzzer (make check does)
 */
#include "fuzz.h"

#include "fairgate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fg_policy *policy = NULL;
    struct fg_error err;
    memset(&err, 0, sizeof err);
    if (fg_policy_parse("fuzz.yaml", (const char *)data, size, &policy, &err) != FG_OK) {
        FUZZ_CHECK(policy == NULL);
        FUZZ_CHECK_ERROR(&err);
        char line[2048];
        fg_error_format(&err, line, sizeof line);
        return 0;
    }
    FUZZ_CHECK(policy != NULL);
    free(fg_policy_warnings(policy));
    if (fg_counts_policy_check(policy, &err) != FG_OK)
        FUZZ_CHECK_ERROR(&err);
    static const enum fg_sql_dialect dialects[] = {FG_SQL_ANSI, FG_SQL_POSTGRES, FG_SQL_SQLITE,
                                                   FG_SQL_SPARK, FG_SQL_BIGQUERY};
    for (size_t i = 0; i < sizeof dialects / sizeof *dialects; i++) {
        char *sql = NULL;
        if (fg_sql_render(policy, "db.rows", dialects[i], &sql, &err) == FG_OK)
            FUZZ_CHECK(sql != NULL && strstr(sql, ";\n") != NULL);
        else
            FUZZ_CHECK_ERROR(&err);
        free(sql);
    }
    fg_policy_free(policy);
    return 0;
}
