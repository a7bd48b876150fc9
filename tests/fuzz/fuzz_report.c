/*
 * fuzz_report.c - fuzz target of the audit reader behind `report --audit`
 * (lib/report_md.c, report_html.c, report_junit.c: fg_report_markdown, fg_report_html,
 * fg_report_junit, fg_report_github_annotations).
 *
 * The input is the audit JSON text; every renderer reads it. A renderer either returns a
 * string or an error with a terminated message. The annotations are workflow commands:
 * no line of them may start a command other than ::error, ::warning or fairgate's own
 * closing ::notice (a value from the audit must never reach stdout as a raw workflow
 * command), and there are at most 10 of them (GitHub shows 10 per step). The Markdown fits
 * a pull-request comment whatever the audit: at most 60,000 bytes, <details> balanced.
 *
 *   make fuzz                   libFuzzer + ASan + UBSan (clang)
 *   fuzz_report DIR|FILE...     replays a corpus without libFuzzer (make check does)
 */
#include "fuzz.h"

#include "fairgate.h"

typedef enum fg_status (*renderer)(const char *audit_json, char **out, struct fg_error *err);

static const char notice[] = "::notice title=fairgate::Not annotated (";

static void check_annotations(const char *text)
{
    size_t commands = 0;
    for (const char *line = text; *line != '\0';) {
        FUZZ_CHECK(strncmp(line, "::error ", 8) == 0 || strncmp(line, "::warning ", 10) == 0 ||
                   strncmp(line, notice, sizeof notice - 1) == 0 || strncmp(line, "::", 2) != 0);
        commands += strncmp(line, "::", 2) == 0;
        const char *lf = strchr(line, '\n');
        if (lf == NULL)
            break;
        line = lf + 1;
    }
    FUZZ_CHECK(commands <= 10);
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void check_markdown(const char *text)
{
    FUZZ_CHECK(strlen(text) <= 60000);
    FUZZ_CHECK(count(text, "\n<details>") + (strncmp(text, "<details>", 9) == 0) ==
               count(text, "\n</details>"));
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
            if (renderers[i] == fg_report_markdown)
                check_markdown(out);
        } else {
            FUZZ_CHECK_ERROR(&err);
        }
        free(out);
    }
    free(text);
    return 0;
}
