/*
 * fuzz_report.c - fuzz target of the audit reader behind `report --audit`
 * (lib/report_md.c, report_html.c, report_junit.c: fg_report_markdown, fg_report_html,
 * fg_report_junit, fg_report_github_annotations).
 *
 * The input is the audit JSON text; every renderer reads it. A renderer either returns a
 * string or an error with a terminated message. The annotations are workflow commands:
 * no line of them may start a command other than ::error or ::warning (a value from the
 * audit must never reach stdout as a raw workflow command).
 *
 *   make fuzz                   libFuzzer + ASan + UBSan (clang)
 *   fuzz_report DIR|FILE...     replays a corpus without libFuzzer (make check does)
 */
#include "fuzz.h"

#include "fairgate.h"

typedef enum fg_status (*renderer)(const char *audit_json, char **out, struct fg_error *err);

static void check_annotations(const char *text)
{
    for (const char *line = text; *line != '\0';) {
        FUZZ_CHECK(strncmp(line, "::error ", 8) == 0 || strncmp(line, "::warning ", 10) == 0 ||
                   strncmp(line, "::", 2) != 0);
        const char *lf = strchr(line, '\n');
        if (lf == NULL)
            break;
        line = lf + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const renderer renderers[] = {fg_report_markdown, fg_report_html, fg_report_junit,
                                         fg_report_github_annotations};
    char *text = fuzz_strndup(data, size);
    for (size_t i = 0; i < sizeof renderers / sizeof *renderers; i++) {
        char *out = NULL;
        struct fg_error err;
        memset(&err, 0, sizeof err);
        if (renderers[i](text, &out, &err) == FG_OK) {
            FUZZ_CHECK(out != NULL);
            if (renderers[i] == fg_report_github_annotations)
                check_annotations(out);
        } else {
            FUZZ_CHECK_ERROR(&err);
        }
        free(out);
    }
    free(text);
    return 0;
}
