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
#include <stdbool.h>
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
    "  keygen    make an Ed25519 key pair for signing\n"
    "  verify    verify a signed attestation\n"
    "  override  sign an approval to ship despite a failed gate\n"
    "\n"
    "  fairgate <command> --help   help for one command\n"
    "  fairgate --version          print the version\n";

static const char *usage_check =
    "usage: fairgate check --policy P.yaml --candidate C.csv [--incumbent I.csv]\n"
    "                      [--out audit.json] [--sign-key KEY.pem --attestation F.intoto.jsonl]\n"
    "                      [--subject NAME=FILE]... [--override O.dsse.json]... [--quiet]\n"
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
    "  --sign-key FILE    Ed25519 private key (PEM) that signs the attestation\n"
    "  --attestation FILE write the signed in-toto attestation (one DSSE envelope line)\n"
    "  --subject NAME=FILE  also name FILE (e.g. the model) in the attestation's subjects\n"
    "  --override FILE    a signed override (repeatable); valid ones turn failed gates\n"
    "                     into 'overridden' and the verdict into pass_with_override\n"
    "  --quiet            print nothing but errors\n"
    "\n"
    "exit status: 0 every gate passed, 1 a gate failed, 2 error (no verdict)\n"
    "SOURCE_DATE_EPOCH, when set, fixes the audit's 'created' time.\n";

static const char *usage_keygen =
    "usage: fairgate keygen --out KEY.pem --pubout PUB.pem [--force]\n"
    "\n"
    "Makes an Ed25519 key pair: the private key as PKCS#8 PEM (created with mode 0600, never\n"
    "overwritten without --force), the public key as SPKI PEM. Keys made by\n"
    "`openssl genpkey -algorithm ed25519` work everywhere a fairgate key does.\n";

static const char *usage_verify =
    "usage: fairgate verify --attestation F --pubkey PUB.pem [--candidate C.csv]\n"
    "                       [--incumbent I.csv] [--policy P.yaml] [--subject NAME=FILE]...\n"
    "\n"
    "Checks, in order, the signature over the DSSE PAE with the public key, the payloadType,\n"
    "the in-toto Statement, and that each file given has the digest its subject records.\n"
    "\n"
    "exit status: 0 valid, 1 invalid (bad signature, wrong key, digest mismatch, wrong type),\n"
    "2 error (unreadable, not JSON, not an envelope)\n";

static const char *usage_override =
    "usage: fairgate override --policy P.yaml --candidate C.csv --gate ID [--group G]\n"
    "                         --approver NAME --role ROLE --reason TEXT [--ticket T]\n"
    "                         --expires YYYY-MM-DD --sign-key KEY.pem --out O.dsse.json\n"
    "\n"
    "Writes a signed approval to ship despite a failed gate, bound to this candidate file\n"
    "and this policy file. The approver and key must be listed in the policy's overrides\n"
    "section; it is valid through the end of the expiry day (UTC), at most max_days.\n"
    "Give it to `fairgate check --override O.dsse.json`.\n";

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

#define MAX_REPEATED 64

struct check_args {
    const char *policy;
    const char *candidate;
    const char *incumbent;
    const char *out;
    const char *sign_key;
    const char *attestation;
    const char *overrides[MAX_REPEATED];
    size_t n_overrides;
    struct fg_subject subjects[MAX_REPEATED + 3];
    size_t n_subjects;
    int quiet;
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Parses NAME=FILE into a subject of role "subject". */
static int parse_subject(const char *command, char *arg, struct fg_subject *out)
{
    char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0')
        return usage_error(command, "--subject wants NAME=FILE, not '%s'", arg);
    *eq = '\0';
    out->name = arg;
    out->path = eq + 1;
    out->role = "subject";
    return EXIT_PASS;
}

/* Writes the attestation, then the audit; if the second write fails the first is removed,
 * so an error leaves neither. */
static int write_outputs(const struct check_args *a, const char *audit, const char *envelope,
                         struct fg_error *err)
{
    if (a->attestation != NULL &&
        fg_file_write_atomic(a->attestation, envelope, strlen(envelope), err) != FG_OK)
        return report_error(err);
    if (a->out != NULL && fg_file_write_atomic(a->out, audit, strlen(audit), err) != FG_OK) {
        if (a->attestation != NULL)
            remove(a->attestation);
        return report_error(err);
    }
    return EXIT_PASS;
}

static int run_check(struct check_args *a)
{
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    struct fg_key *key = NULL;
    struct fg_counts *counts = NULL;
    struct fg_metrics *metrics = NULL;
    struct fg_evaluation *evaluation = NULL;
    struct fg_ingest_result ingest = {0};
    char *audit = NULL, *envelope = NULL;
    long long now = 0;
    int code = EXIT_ERROR;

    struct fg_ingest_options options = {.candidate_path = a->candidate,
                                        .incumbent_path = a->incumbent};
    if (fg_now(&now, &err) != FG_OK || fg_policy_load(a->policy, &policy, &err) != FG_OK ||
        (a->sign_key != NULL && fg_key_load_private(a->sign_key, &key, &err) != FG_OK) ||
        fg_ingest_run(policy, &options, &counts, &ingest, &err) != FG_OK ||
        fg_metrics_compute(policy, counts, &metrics, &err) != FG_OK ||
        fg_gate_evaluate(policy, metrics, &evaluation, &err) != FG_OK ||
        fg_override_apply(policy, metrics, evaluation, a->overrides, a->n_overrides,
                          ingest.candidate.sha256, now, &err) != FG_OK) {
        code = report_error(&err);
        goto done;
    }
    if (a->out != NULL || a->attestation != NULL) {
        struct fg_audit_inputs inputs = {
            .policy_path = a->policy, .ingest = &ingest, .created = now};
        if (fg_audit_render(policy, metrics, evaluation, &inputs, &audit, &err) != FG_OK) {
            code = report_error(&err);
            goto done;
        }
    }
    if (a->attestation != NULL) {
        /* The statement's subjects: what was judged, then what the user names. */
        struct fg_subject subjects[MAX_REPEATED + 3];
        size_t n = 0;
        subjects[n++] = (struct fg_subject){base_name(a->candidate), a->candidate, "candidate"};
        if (a->incumbent != NULL)
            subjects[n++] = (struct fg_subject){base_name(a->incumbent), a->incumbent, "incumbent"};
        subjects[n++] = (struct fg_subject){base_name(a->policy), a->policy, "policy"};
        for (size_t i = 0; i < a->n_subjects; i++)
            subjects[n++] = a->subjects[i];
        if (fg_attest_build(audit, subjects, n, key, &envelope, &err) != FG_OK) {
            code = report_error(&err);
            goto done;
        }
    }
    /* The summary goes out first: if standard output fails, no file is written. */
    if (!a->quiet) {
        char *summary = fg_evaluation_summary(policy, metrics, evaluation);
        if (summary == NULL) {
            error_message("out of memory");
            code = EXIT_ERROR;
            goto done;
        }
        fputs(summary, stdout);
        free(summary);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            error_message("cannot write to standard output");
            code = EXIT_ERROR;
            goto done;
        }
    }
    code = write_outputs(a, audit, envelope, &err);
    if (code != EXIT_PASS)
        goto done;
    code = fg_evaluation_exit_code(evaluation);

done:
    free(audit);
    free(envelope);
    fg_evaluation_free(evaluation);
    fg_metrics_free(metrics);
    fg_counts_free(counts);
    fg_key_free(key);
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
        OPT_SIGN_KEY,
        OPT_ATTESTATION,
        OPT_SUBJECT,
        OPT_OVERRIDE,
        OPT_LATER
    };
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, OPT_POLICY},
        {"candidate", required_argument, NULL, OPT_CANDIDATE},
        {"incumbent", required_argument, NULL, OPT_INCUMBENT},
        {"out", required_argument, NULL, OPT_OUT},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, OPT_HELP},
        {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
        {"attestation", required_argument, NULL, OPT_ATTESTATION},
        {"subject", required_argument, NULL, OPT_SUBJECT},
        {"override", required_argument, NULL, OPT_OVERRIDE},
        {"counts", required_argument, NULL, OPT_LATER},
        {"markdown", required_argument, NULL, OPT_LATER},
        {"html", required_argument, NULL, OPT_LATER},
        {"junit", required_argument, NULL, OPT_LATER},
        {NULL, 0, NULL, 0},
    };
    static struct check_args a;
    memset(&a, 0, sizeof a);
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
        case OPT_SIGN_KEY:
            a.sign_key = optarg;
            break;
        case OPT_ATTESTATION:
            a.attestation = optarg;
            break;
        case OPT_SUBJECT:
            if (a.n_subjects == MAX_REPEATED)
                return usage_error("check", "at most %d --subject options", MAX_REPEATED);
            if (parse_subject("check", optarg, &a.subjects[a.n_subjects]) != EXIT_PASS)
                return EXIT_ERROR;
            a.n_subjects++;
            break;
        case OPT_OVERRIDE:
            if (a.n_overrides == MAX_REPEATED)
                return usage_error("check", "at most %d --override options", MAX_REPEATED);
            a.overrides[a.n_overrides++] = optarg;
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
    if ((a.sign_key == NULL) != (a.attestation == NULL))
        return usage_error("check", "%s", "--sign-key and --attestation go together");
    if (a.n_subjects > 0 && a.attestation == NULL)
        return usage_error("check", "%s", "--subject needs --attestation");
    return finish(run_check(&a));
}

/* ---- keygen ---- */

static int cmd_keygen(int argc, char **argv)
{
    enum { OPT_OUT = 256, OPT_PUBOUT, OPT_FORCE, OPT_HELP };
    static const struct option longopts[] = {
        {"out", required_argument, NULL, OPT_OUT},
        {"pubout", required_argument, NULL, OPT_PUBOUT},
        {"force", no_argument, NULL, OPT_FORCE},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *pubout = NULL;
    bool force = false;
    int index = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        switch (c) {
        case OPT_OUT:
            out = optarg;
            break;
        case OPT_PUBOUT:
            pubout = optarg;
            break;
        case OPT_FORCE:
            force = true;
            break;
        case OPT_HELP:
            fputs(usage_keygen, stdout);
            return finish(EXIT_PASS);
        case ':':
            return usage_error("keygen", "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("keygen", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("keygen", "unexpected argument '%s'", argv[optind]);
    if (out == NULL || pubout == NULL)
        return usage_error("keygen", "%s", "--out and --pubout are required");
    struct fg_error err = {0};
    struct fg_key *key = NULL;
    int code = EXIT_PASS;
    if (fg_key_generate(&key, &err) != FG_OK ||
        fg_key_write_private(key, out, force, &err) != FG_OK) {
        code = report_error(&err);
    } else if (fg_key_write_public(key, pubout, force, &err) != FG_OK) {
        remove(out); /* no half-made pair */
        code = report_error(&err);
    } else {
        char id[65];
        fg_key_id(key, id);
        printf("key id %s\nprivate key: %s (keep it secret)\npublic key:  %s\n", id, out, pubout);
    }
    fg_key_free(key);
    return finish(code);
}

/* ---- verify ---- */

static int cmd_verify(int argc, char **argv)
{
    enum {
        OPT_ATTESTATION = 256,
        OPT_PUBKEY,
        OPT_CANDIDATE,
        OPT_INCUMBENT,
        OPT_POLICY,
        OPT_SUBJECT,
        OPT_HELP
    };
    static const struct option longopts[] = {
        {"attestation", required_argument, NULL, OPT_ATTESTATION},
        {"pubkey", required_argument, NULL, OPT_PUBKEY},
        {"candidate", required_argument, NULL, OPT_CANDIDATE},
        {"incumbent", required_argument, NULL, OPT_INCUMBENT},
        {"policy", required_argument, NULL, OPT_POLICY},
        {"subject", required_argument, NULL, OPT_SUBJECT},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *attestation = NULL, *pubkey = NULL;
    static struct fg_subject checks[MAX_REPEATED + 3];
    size_t n = 0;
    int index = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        if (n == MAX_REPEATED + 3)
            return usage_error("verify", "%s", "too many files to check");
        switch (c) {
        case OPT_ATTESTATION:
            attestation = optarg;
            break;
        case OPT_PUBKEY:
            pubkey = optarg;
            break;
        case OPT_CANDIDATE:
            checks[n++] = (struct fg_subject){NULL, optarg, "candidate"};
            break;
        case OPT_INCUMBENT:
            checks[n++] = (struct fg_subject){NULL, optarg, "incumbent"};
            break;
        case OPT_POLICY:
            checks[n++] = (struct fg_subject){NULL, optarg, "policy"};
            break;
        case OPT_SUBJECT:
            if (parse_subject("verify", optarg, &checks[n]) != EXIT_PASS)
                return EXIT_ERROR;
            n++;
            break;
        case OPT_HELP:
            fputs(usage_verify, stdout);
            return finish(EXIT_PASS);
        case ':':
            return usage_error("verify", "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("verify", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("verify", "unexpected argument '%s'", argv[optind]);
    if (attestation == NULL || pubkey == NULL)
        return usage_error("verify", "%s", "--attestation and --pubkey are required");
    struct fg_error err = {0};
    struct fg_key *key = NULL;
    char *report = NULL;
    int valid = 0, code;
    if (fg_key_load_public(pubkey, &key, &err) != FG_OK ||
        fg_attest_verify(attestation, key, checks, n, &valid, &report, &err) != FG_OK) {
        code = report_error(&err);
    } else {
        fputs(report ? report : "", stdout);
        if (!valid)
            error_message("%s: the attestation is INVALID", attestation);
        code = valid ? EXIT_PASS : EXIT_GATE_FAILED;
    }
    free(report);
    fg_key_free(key);
    return finish(code);
}

/* ---- override ---- */

static int cmd_override(int argc, char **argv)
{
    enum {
        OPT_POLICY = 256,
        OPT_CANDIDATE,
        OPT_GATE,
        OPT_GROUP,
        OPT_APPROVER,
        OPT_ROLE,
        OPT_REASON,
        OPT_TICKET,
        OPT_EXPIRES,
        OPT_SIGN_KEY,
        OPT_OUT,
        OPT_HELP
    };
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, OPT_POLICY},
        {"candidate", required_argument, NULL, OPT_CANDIDATE},
        {"gate", required_argument, NULL, OPT_GATE},
        {"group", required_argument, NULL, OPT_GROUP},
        {"approver", required_argument, NULL, OPT_APPROVER},
        {"role", required_argument, NULL, OPT_ROLE},
        {"reason", required_argument, NULL, OPT_REASON},
        {"ticket", required_argument, NULL, OPT_TICKET},
        {"expires", required_argument, NULL, OPT_EXPIRES},
        {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
        {"out", required_argument, NULL, OPT_OUT},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct fg_override_request req = {0};
    const char *policy_path = NULL, *sign_key = NULL, *out = NULL;
    int index = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        switch (c) {
        case OPT_POLICY:
            policy_path = optarg;
            break;
        case OPT_CANDIDATE:
            req.candidate_path = optarg;
            break;
        case OPT_GATE:
            req.gate = optarg;
            break;
        case OPT_GROUP:
            req.group = optarg;
            break;
        case OPT_APPROVER:
            req.approver = optarg;
            break;
        case OPT_ROLE:
            req.role = optarg;
            break;
        case OPT_REASON:
            req.reason = optarg;
            break;
        case OPT_TICKET:
            req.ticket = optarg;
            break;
        case OPT_EXPIRES:
            req.expires = optarg;
            break;
        case OPT_SIGN_KEY:
            sign_key = optarg;
            break;
        case OPT_OUT:
            out = optarg;
            break;
        case OPT_HELP:
            fputs(usage_override, stdout);
            return finish(EXIT_PASS);
        case ':':
            return usage_error("override", "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("override", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("override", "unexpected argument '%s'", argv[optind]);
    static const char *const names[] = {"--policy",   "--candidate", "--gate",
                                        "--approver", "--role",      "--reason",
                                        "--expires",  "--sign-key",  "--out"};
    const char *given[] = {policy_path, req.candidate_path, req.gate, req.approver, req.role,
                           req.reason,  req.expires,        sign_key, out};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (given[i] == NULL)
            return usage_error("override", "%s is required", names[i]);
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    struct fg_key *key = NULL;
    char *envelope = NULL;
    long long now = 0;
    int code = EXIT_PASS;
    if (fg_now(&now, &err) != FG_OK || fg_policy_load(policy_path, &policy, &err) != FG_OK ||
        fg_key_load_private(sign_key, &key, &err) != FG_OK ||
        fg_override_create(policy, &req, key, now, &envelope, &err) != FG_OK ||
        fg_file_write_atomic(out, envelope, strlen(envelope), &err) != FG_OK)
        code = report_error(&err);
    else
        printf("override for gate '%s'%s%s by %s written to %s (expires %s)\n", req.gate,
               req.group ? ", group " : "", req.group ? req.group : "", req.approver, out,
               req.expires);
    free(envelope);
    fg_key_free(key);
    fg_policy_free(policy);
    return finish(code);
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
    if (strcmp(command, "keygen") == 0)
        return cmd_keygen(argc - 1, argv + 1);
    if (strcmp(command, "verify") == 0)
        return cmd_verify(argc - 1, argv + 1);
    if (strcmp(command, "override") == 0)
        return cmd_override(argc - 1, argv + 1);
    static const char *const later[] = {"counts", "report", "sql"};
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        if (strcmp(command, later[i]) == 0) {
            error_message("'%s' is not supported by this version of fairgate (%s)", command,
                          FG_VERSION);
            return EXIT_ERROR;
        }
    }
    return usage_error(NULL, "unknown command '%s'", command);
}
