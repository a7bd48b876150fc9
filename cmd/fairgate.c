/*
 * fairgate.c - the command-line interface: parses arguments, calls libfairgate, prints,
 * and maps a status to an exit code. No fairness logic lives here (see lib/).
 *
 * Exit codes (a contract, DESIGN section 3): 0 pass, 1 a gate failed, 2 error (bad usage,
 * invalid policy, unreadable or malformed input, failed I/O: no verdict was reached).
 */
#define _GNU_SOURCE

#include "fairgate.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_PASS = 0, EXIT_GATE_FAILED = 1, EXIT_ERROR = 2 };

static const char *usage_main =
    "usage: fairgate <command> [options]\n"
    "\n"
    "A fairness gate for ML release pipelines: compares a candidate model's predictions\n"
    "with the incumbent's under a YAML policy and fails the build on a fairness regression.\n"
    "\n"
    "commands:\n"
    "  check     evaluate a policy on predictions; exit 0 pass, 1 a gate failed, 2 error\n"
    "  lint      validate a policy file\n"
    "\n"
    "  fairgate <command> --help   help for one command\n"
    "  fairgate --version          print the version\n";

static const char *usage_check =
    "usage: fairgate check --policy P.yaml --candidate C.csv [--incumbent I.csv]\n"
    "                      [--out audit.json] [--quiet]\n"
    "\n"
    "Reads the policy and the predictions, computes per-group metrics for the candidate\n"
    "(and the incumbent), evaluates every gate, prints one line per gate and the verdict,\n"
    "and writes the audit JSON with --out (atomically; also when a gate fails).\n"
    "\n"
    "  --policy FILE      the YAML policy (required)\n"
    "  --candidate FILE   CSV with the label, protected attributes and candidate predictions\n"
    "  --incumbent FILE   CSV with the incumbent's predictions, matched by the policy's id\n"
    "                     column or by position; without it the incumbent's column, if the\n"
    "                     policy names one, is read from the candidate file\n"
    "  --out FILE         write the audit JSON here\n"
    "  --quiet            print nothing but errors\n"
    "\n"
    "exit status: 0 every gate passed, 1 a gate failed, 2 error (no verdict)\n"
    "SOURCE_DATE_EPOCH, when set, fixes the audit's 'created' time.\n";

static const char *usage_lint = "usage: fairgate lint POLICY.yaml\n"
                                "\n"
                                "Validates a policy strictly. Prints 'ok' and exits 0, or\n"
                                "prints the error as file:line:column and exits 2.\n";

/* ---- output helpers ---- */

static void error_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void error_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fairgate: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int report_error(const struct fg_error *err)
{
    char line[2048];
    fg_error_format(err, line, sizeof line);
    error_message("%s", line);
    return EXIT_ERROR;
}

static int usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fairgate: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'fairgate %s%s--help'.\n", command ? command : "", command ? " " : "");
    return EXIT_ERROR;
}

/* Flushes and closes stdout; a write error there (a full disk, a closed pipe) is an error. */
static int finish(int code)
{
    if (fclose(stdout) != 0) {
        error_message("cannot write to standard output");
        return EXIT_ERROR;
    }
    return code;
}

/* ---- check ---- */

struct check_args {
    const char *policy;
    const char *candidate;
    const char *incumbent;
    const char *out;
    int quiet;
};

static int run_check(const struct check_args *a)
{
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    struct fg_counts *counts = NULL;
    struct fg_metrics *metrics = NULL;
    struct fg_evaluation *evaluation = NULL;
    struct fg_ingest_result ingest = {0};
    char *audit = NULL;
    long long now = 0;
    int code = EXIT_ERROR;

    struct fg_ingest_options options = {.candidate_path = a->candidate,
                                        .incumbent_path = a->incumbent};
    if (fg_now(&now, &err) != FG_OK || fg_policy_load(a->policy, &policy, &err) != FG_OK ||
        fg_ingest_run(policy, &options, &counts, &ingest, &err) != FG_OK ||
        fg_metrics_compute(policy, counts, &metrics, &err) != FG_OK ||
        fg_gate_evaluate(policy, metrics, &evaluation, &err) != FG_OK) {
        code = report_error(&err);
        goto done;
    }
    if (a->out != NULL) {
        struct fg_audit_inputs inputs = {
            .policy_path = a->policy, .ingest = &ingest, .created = now};
        if (fg_audit_render(policy, metrics, evaluation, &inputs, &audit, &err) != FG_OK ||
            fg_file_write_atomic(a->out, audit, strlen(audit), &err) != FG_OK) {
            code = report_error(&err);
            goto done;
        }
    }
    if (!a->quiet) {
        char *summary = fg_evaluation_summary(policy, metrics, evaluation);
        if (summary == NULL) {
            error_message("out of memory");
            goto done;
        }
        fputs(summary, stdout);
        free(summary);
    }
    code = fg_evaluation_exit_code(evaluation);

done:
    free(audit);
    fg_evaluation_free(evaluation);
    fg_metrics_free(metrics);
    fg_counts_free(counts);
    fg_policy_free(policy);
    return code;
}

/* Options the contract names that later versions implement: refused, never ignored. */
static int not_yet(const char *option)
{
    error_message("--%s is not supported by this version of fairgate (%s)", option, FG_VERSION);
    return EXIT_ERROR;
}

static int cmd_check(int argc, char **argv)
{
    enum {
        OPT_POLICY = 256,
        OPT_CANDIDATE,
        OPT_INCUMBENT,
        OPT_OUT,
        OPT_QUIET,
        OPT_HELP,
        OPT_LATER
    };
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, OPT_POLICY},
        {"candidate", required_argument, NULL, OPT_CANDIDATE},
        {"incumbent", required_argument, NULL, OPT_INCUMBENT},
        {"out", required_argument, NULL, OPT_OUT},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, OPT_HELP},
        {"counts", required_argument, NULL, OPT_LATER},
        {"override", required_argument, NULL, OPT_LATER},
        {"sign-key", required_argument, NULL, OPT_LATER},
        {"attestation", required_argument, NULL, OPT_LATER},
        {"subject", required_argument, NULL, OPT_LATER},
        {"markdown", required_argument, NULL, OPT_LATER},
        {"html", required_argument, NULL, OPT_LATER},
        {"junit", required_argument, NULL, OPT_LATER},
        {NULL, 0, NULL, 0},
    };
    struct check_args a = {0};
    int index = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        switch (c) {
        case OPT_POLICY:
            a.policy = optarg;
            break;
        case OPT_CANDIDATE:
            a.candidate = optarg;
            break;
        case OPT_INCUMBENT:
            a.incumbent = optarg;
            break;
        case OPT_OUT:
            a.out = optarg;
            break;
        case OPT_QUIET:
            a.quiet = 1;
            break;
        case OPT_HELP:
            fputs(usage_check, stdout);
            return finish(EXIT_PASS);
        case OPT_LATER:
            return not_yet(longopts[index].name);
        case ':':
            return usage_error("check", "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("check", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("check", "unexpected argument '%s'", argv[optind]);
    if (a.policy == NULL)
        return usage_error("check", "%s", "--policy is required");
    if (a.candidate == NULL)
        return usage_error("check", "%s", "--candidate is required");
    return finish(run_check(&a));
}

/* ---- lint ---- */

static int cmd_lint(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(usage_lint, stdout);
        return finish(EXIT_PASS);
    }
    if (argc != 2 || argv[1][0] == '-')
        return usage_error("lint", "%s", "expected exactly one policy file");
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    if (fg_policy_load(argv[1], &policy, &err) != FG_OK)
        return report_error(&err);
    fg_policy_free(policy);
    printf("ok\n");
    return finish(EXIT_PASS);
}

/* ---- dispatch ---- */

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error(NULL, "%s", "no command given");
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        fputs(usage_main, stdout);
        return finish(EXIT_PASS);
    }
    if (strcmp(command, "--version") == 0) {
        printf("fairgate %s\n", FG_VERSION);
        return finish(EXIT_PASS);
    }
    if (strcmp(command, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(command, "lint") == 0)
        return cmd_lint(argc - 1, argv + 1);
    static const char *const later[] = {"verify", "keygen", "override", "counts", "report", "sql"};
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        if (strcmp(command, later[i]) == 0) {
            error_message("'%s' is not supported by this version of fairgate (%s)", command,
                          FG_VERSION);
            return EXIT_ERROR;
        }
    }
    return usage_error(NULL, "unknown command '%s'", command);
}
