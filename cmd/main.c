/*
 * main.c - the command-line interface: parses arguments (one option table per command drives
 * parsing, --help and the usage errors), shows progress, reads the CI environment, prints and
 * maps a status to an exit code (DESIGN section 3: 0 pass, 1 a gate failed, 2 error, no
 * verdict). Each use case is one library call (fg_check_run, ...); no fairness logic here.
 */
#define _GNU_SOURCE

#include "fairgate.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    "  verify    verify a signed attestation (and that an audit file is the attested one)\n"
    "  override  sign an approval to ship despite a failed gate\n"
    "  report    render the reports again from a verified attestation (or an audit file)\n"
    "  counts    reduce predictions to the counts table (CSV) that check --counts reads\n"
    "  sql       print the SQL query that computes the counts table inside an engine\n"
    "  sweep     every gate's value and status at each threshold of a score (CSV, HTML)\n"
    "  metrics   list the metrics and their AIF360 / Clarify aliases\n"
    "\n"
    "  fairgate <command> --help   help for one command\n"
    "  fairgate --version          print the version\n";

/* ---- option tables ----
 * One per command. A single option given twice is a usage error, never "the last one wins";
 * a REPEAT one adds a file each time. An INPUT one reads a file that may be "-", standard
 * input: at most one option of a command may be (a NAME=FILE one, "NAME=-"). --help itself is
 * every command's. */

enum { REPEAT = 1, REQUIRED = 2, INPUT = 4 };

#define MAX_REPEATED 64 /* times one repeatable option may be given */
#define MAX_OPTIONS  24 /* options in one table */
#define MAX_SEEN     (4 * MAX_REPEATED)

struct opt {
    const char *name;
    const char *arg; /* NULL: takes no value */
    unsigned flags;  /* REPEAT: may be given more than once; REQUIRED; INPUT: "-" is stdin */
    const char *help;
};

struct command {
    const char *name;
    const char *usage; /* the synopsis and what the command does, before the options */
    const struct opt *options;
    size_t n_options;
    const char *footer;  /* after the options, or NULL */
    const char *operand; /* the one argument it takes besides options, or NULL: none */
};

/* Lines several tables share. */
// clang-format off
#define OPT_POLICY    {"policy", "FILE", REQUIRED, "the YAML policy (required)"}
#define OPT_QUIET     {"quiet", NULL, 0, "print nothing but errors"}
#define OPT_FORCE_OUT {"force", NULL, 0, "replace a symbolic link at --out (see check --help)"}
// clang-format on

/* A designator, so that a command may leave out the fields after it. */
#define OPTIONS(table) .options = table, sizeof table / sizeof table[0]

/* What was given: per option its (last) value, and every option in command-line order. */
struct parsed {
    const char *value[MAX_OPTIONS]; /* a flag given: "" */
    const char *operand;            /* of a command that takes one */
    size_t count[MAX_OPTIONS];
    struct {
        size_t option;
        const char *value;
    } seen[MAX_SEEN];
    size_t n_seen;
};

/* ---- progress on a terminal (fg_ingest_options.progress) ----
 * One line on stderr for inputs over 64 MB, redrawn with '\r' at most 4 times a second
 * without --quiet; erased when the input is read or an error is printed. */

static struct {
    double start, last; /* seconds (CLOCK_MONOTONIC); start 0: not started */
    int width;          /* of the line on screen; 0: none is */
} progress_line;

static void progress_clear(void)
{
    if (progress_line.width > 0) {
        fprintf(stderr, "\r%*s\r", progress_line.width, "");
        fflush(stderr);
        progress_line.width = 0;
    }
}

/* Seconds between redraws: 0.25, or FAIRGATE_PROGRESS_INTERVAL (0 to 10), for the tests. */
static double progress_interval(void)
{
    const char *env = getenv("FAIRGATE_PROGRESS_INTERVAL");
    char *end = NULL;
    double v = env != NULL ? strtod(env, &end) : 0.25;
    return env != NULL && end != env && *end == '\0' && v >= 0 && v <= 10 ? v : 0.25;
}

static void progress_show(uint64_t done, uint64_t total, uint64_t rows, void *user)
{
    (void)user;
    if (total < (uint64_t)64 << 20)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    if (progress_line.start == 0)
        progress_line.start = progress_line.last = now;
    if (done >= total) {
        progress_clear();
        return;
    }
    if (now - progress_line.last < progress_interval())
        return;
    progress_line.last = now;
    double elapsed = now - progress_line.start;
    double eta = done > 0 ? elapsed * (double)(total - done) / (double)done : 0;
    char line[200];
    int n = snprintf(line, sizeof line,
                     "fairgate: read %.0f of %.0f MB (%.0f%%), %.2f M rows/s, about %.0f s left",
                     (double)done / 1048576, (double)total / 1048576,
                     100.0 * (double)done / (double)total,
                     elapsed > 0 ? (double)rows / elapsed / 1e6 : 0.0, eta);
    if (n < 0)
        return;
    fprintf(stderr, "\r%s%*s", line, progress_line.width > n ? progress_line.width - n : 0, "");
    fflush(stderr);
    if (n > progress_line.width)
        progress_line.width = n;
}

/* ---- messages ---- */

static const char *command_name; /* the command run, once it is known */

/* Prints "fairgate: error: MESSAGE" on stderr with control bytes escaped (\n, \r, \t, \xNN):
 * a message quotes the inputs, and a line break there could start a GitHub workflow command
 * ("::stop-commands::...") that the runner reads on stderr too. Returns EXIT_ERROR. */
__attribute__((format(printf, 2, 3))) static int print_error(bool usage, const char *fmt, ...)
{
    char message[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    progress_clear();
    fputs("fairgate: error: ", stderr);
    for (const unsigned char *p = (const unsigned char *)message; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            fprintf(stderr, "\\%c", *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't');
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
    if (usage)
        fprintf(stderr, "\nTry 'fairgate %s%s--help'.", command_name ? command_name : "",
                command_name ? " " : "");
    fputc('\n', stderr);
    return EXIT_ERROR;
}
#define error_message(...) print_error(false, __VA_ARGS__)
#define usage_error(...)   print_error(true, __VA_ARGS__)

static int report_error(const struct fg_error *err)
{
    char line[2048];
    fg_error_format(err, line, sizeof line);
    return error_message("%s", line);
}

/* ---- parsing, help and usage errors from a table ---- */

#define PARSED (-1) /* parse: go on with the command */

static int print_help(const struct command *cmd)
{
    printf("%s\n", cmd->usage);
    for (size_t i = 0; i <= cmd->n_options; i++) {
        const struct opt *o =
            i < cmd->n_options ? &cmd->options[i] : &(struct opt){"help", NULL, 0, "this help"};
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        printf("  %-18s ", left);
        for (const char *h = o->help; *h != '\0'; h++) {
            fputc(*h, stdout);
            if (*h == '\n')
                printf("%21s", "");
        }
        fputc('\n', stdout);
    }
    if (cmd->footer != NULL)
        printf("\n%s", cmd->footer);
    return EXIT_PASS;
}

/* Whether an INPUT option's value reads standard input: "-", or "NAME=-". */
static bool reads_stdin(const char *value)
{
    size_t len = strlen(value);
    return strcmp(value, "-") == 0 || (len >= 2 && strcmp(value + len - 2, "=-") == 0);
}

/* Standard input can be read once: at most one INPUT option may be "-". PARSED, or the
 * exit code of the usage error. */
static int one_stdin(const struct command *cmd, const struct parsed *p)
{
    const char *first = NULL;
    for (size_t i = 0; i < p->n_seen; i++) {
        const struct opt *o = &cmd->options[p->seen[i].option];
        if (!(o->flags & INPUT) || !reads_stdin(p->seen[i].value))
            continue;
        if (first != NULL && strcmp(first, o->name) == 0)
            return usage_error("--%s is '-' (standard input) twice; at most one input may be "
                               "'-'",
                               first);
        if (first != NULL)
            return usage_error("--%s and --%s both read standard input ('-'); at most one "
                               "input may be '-'",
                               first, o->name);
        first = o->name;
    }
    return PARSED;
}

/* The usage error of an unknown option, with the option it was likely meant to be: the
 * closest name, one that the word extends (--output for --out), -h for --help, or, for
 * lint's --policy, that the policy is lint's argument. */
static int unknown_option(const struct command *cmd, const char *given)
{
    const char *names[MAX_OPTIONS + 1];
    size_t n = 0;
    for (size_t i = 0; i < cmd->n_options; i++)
        names[n++] = cmd->options[i].name;
    names[n++] = "help";
    const char *word = given + strspn(given, "-");
    size_t len = strcspn(word, "=");
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), word);
    /* a prefix of two or more names (getopt_long takes a prefix of one as that option) */
    char matches[256] = "";
    size_t n_matches = 0, used = 0;
    for (size_t i = 0; len > 0 && strncmp(given, "--", 2) == 0 && i < n; i++)
        if (strncmp(names[i], word, len) == 0 && used < sizeof matches) {
            int w = snprintf(matches + used, sizeof matches - used, "%s--%s", n_matches ? ", " : "",
                             names[i]);
            used += w > 0 ? (size_t)w : 0;
            n_matches++;
        }
    if (n_matches > 1)
        return usage_error("option '%s' is ambiguous: %s; spell it in full", given, matches);
    const char *hint = strcmp(given, "-h") == 0 ? "help" : fg_did_you_mean(name, names, n);
    for (size_t i = 0; hint == NULL && i < n; i++)
        if (strlen(names[i]) >= 3 && strncmp(name, names[i], strlen(names[i])) == 0)
            hint = names[i];
    if (hint != NULL)
        return usage_error("unknown option '%s' (did you mean '--%s'?)", given, hint);
    if (cmd->operand != NULL && strcmp(name, "policy") == 0)
        return usage_error("unknown option '%s': the %s is the argument itself (fairgate %s "
                           "P.yaml)",
                           given, cmd->operand, cmd->name);
    return usage_error("unknown option '%s'", given);
}

/* Reads argv (argv[0]: the command) into p. Returns PARSED, or the exit code of --help or
 * of a usage error. */
static int parse(const struct command *cmd, int argc, char **argv, struct parsed *p)
{
    struct option longopts[MAX_OPTIONS + 2];
    const int help = 256 + MAX_OPTIONS;
    size_t n = cmd->n_options;
    for (size_t i = 0; i < n; i++)
        longopts[i] = (struct option){cmd->options[i].name,
                                      cmd->options[i].arg ? required_argument : no_argument, NULL,
                                      256 + (int)i};
    longopts[n] = (struct option){"help", no_argument, NULL, help};
    longopts[n + 1] = (struct option){NULL, 0, NULL, 0};
    memset(p, 0, sizeof *p);
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
        if (c == help)
            return print_help(cmd);
        if (c == ':')
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        if (c < 256 || c >= 256 + (int)n)
            return unknown_option(cmd, argv[optind - 1]);
        size_t k = (size_t)(c - 256);
        const struct opt *o = &cmd->options[k];
        if (o->arg != NULL && !(o->flags & REPEAT) && p->count[k] > 0)
            return usage_error("--%s is given twice; give it once", o->name);
        if (p->count[k] == MAX_REPEATED || p->n_seen == MAX_SEEN)
            return usage_error("at most %d --%s options", MAX_REPEATED, o->name);
        p->count[k]++;
        p->value[k] = o->arg != NULL ? optarg : "";
        p->seen[p->n_seen].option = k;
        p->seen[p->n_seen++].value = o->arg != NULL ? optarg : "";
    }
    if (cmd->operand != NULL && optind != argc - 1)
        return usage_error("expected exactly one %s", cmd->operand);
    p->operand = cmd->operand != NULL ? argv[optind++] : NULL;
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    for (size_t i = 0; i < n; i++)
        if ((cmd->options[i].flags & REQUIRED) && p->count[i] == 0)
            return usage_error("--%s is required", cmd->options[i].name);
    return one_stdin(cmd, p);
}

/* The values of a repeatable option, in the order given; returns how many. */
static size_t values_of(const struct parsed *p, size_t option, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_seen; i++)
        if (p->seen[i].option == option)
            out[n++] = p->seen[i].value;
    return n;
}

/* Parses NAME=FILE (a --subject) into a subject of role "subject". */
static int parse_subject(char *arg, struct fg_subject *out)
{
    char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0')
        return usage_error("--subject wants NAME=FILE, not '%s'", arg);
    *eq = '\0';
    *out = (struct fg_subject){arg, eq + 1, fg_subject_role_name(FG_ROLE_SUBJECT), NULL};
    return EXIT_PASS;
}

/* ---- output files under signals ----
 * SIGHUP, SIGINT and SIGTERM remove what a set of outputs staged (fg_outputs_abandon is
 * async-signal-safe; the library publishes the set here), then take their default action. */

static struct fg_outputs *volatile signal_outputs;

static void remove_staged_outputs(int sig)
{
    fg_outputs_abandon(signal_outputs);
    signal(sig, SIG_DFL);
    raise(sig); /* delivered when the handler returns */
}

static void publish_outputs(struct fg_outputs *set)
{
    signal_outputs = set;
}

static void catch_signals(void)
{
    static const int cleanup_signals[] = {SIGHUP, SIGINT, SIGTERM};
    struct sigaction action = {.sa_handler = remove_staged_outputs}, old;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++)
        if (sigaction(cleanup_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(cleanup_signals[i], &action, NULL); /* nohup: stay ignored */
}

/* ---- check ---- */

// clang-format off
enum { C_POLICY, C_CANDIDATE, C_INCUMBENT, C_COUNTS, C_OUT, C_SIGN_KEY, C_ATTESTATION,
       C_SUBJECT, C_OVERRIDE, C_MARKDOWN, C_HTML, C_JUNIT, C_QUIET, C_FORCE };
// clang-format on
static const struct opt check_options[] = {
    [C_POLICY] = OPT_POLICY,
    [C_CANDIDATE] = {"candidate", "FILE", INPUT,
                     "CSV with the label, protected attributes and candidate predictions\n"
                     "('-': standard input; gzip is read as such)"},
    [C_INCUMBENT] = {"incumbent", "FILE", INPUT,
                     "CSV with the incumbent's predictions, matched by data.id (or by\n"
                     "position with data.join: position); without it, the policy's\n"
                     "incumbent column, if any, is read from the candidate file"},
    [C_COUNTS] = {"counts", "FILE", REPEAT | INPUT,
                  "gate on a counts file (of `fairgate counts` or `fairgate sql`)\n"
                  "instead of predictions; shards are summed. A score metric needs the\n"
                  "score bins file too (counts --bins-out, sql --bins) as another --counts.\n"
                  "Overrides bind to every counts file, in the order given"},
    [C_OUT] = {"out", "FILE", 0, "write the audit JSON here"},
    [C_SIGN_KEY] = {"sign-key", "FILE", 0, "Ed25519 private key (PEM) that signs the attestation"},
    [C_ATTESTATION] = {"attestation", "FILE", 0,
                       "write the signed in-toto attestation (one DSSE envelope line)"},
    [C_SUBJECT] = {"subject", "NAME=FILE", REPEAT | INPUT,
                   "also name FILE (e.g. the model) in the attestation's subjects"},
    [C_OVERRIDE] = {"override", "FILE", REPEAT,
                    "a signed override (repeatable); valid ones turn failed gates\n"
                    "into 'overridden' and the verdict into pass_with_override"},
    [C_MARKDOWN] = {"markdown", "FILE", 0, "write a Markdown summary (GitHub-flavoured)"},
    [C_HTML] = {"html", "FILE", 0, "write a self-contained HTML report with charts"},
    [C_JUNIT] = {"junit", "FILE", 0, "write JUnit XML: a testsuite per gate, a testcase per group"},
    [C_QUIET] = OPT_QUIET,
    [C_FORCE] = {"force", NULL, 0,
                 "replace a symbolic link at an output path with the new file (else\n"
                 "an error); devices and FIFOs are always written in place"},
};
static const struct command check_command = {
    "check",
    "usage: fairgate check --policy P.yaml --candidate C.csv [--incumbent I.csv]\n"
    "       fairgate check --policy P.yaml --counts K.csv [--counts K2.csv]...\n"
    "                      [--out audit.json] [--sign-key KEY.pem --attestation F.intoto.jsonl]\n"
    "                      [--subject NAME=FILE]... [--override O.dsse.json]...\n"
    "                      [--markdown F] [--html F] [--junit F] [--quiet] [--force]\n"
    "\n"
    "Reads the policy and the predictions, evaluates every gate on per-group metrics of the\n"
    "candidate (and the incumbent), prints one line per gate and the verdict, and writes the\n"
    "audit JSON with --out (also when a gate fails). Output files are written all or none,\n"
    "the attestation last: after an error (exit 2) every output path is as it was.\n",
    OPTIONS(check_options),
    "exit status: 0 pass (every blocking gate passed, or was overridden: pass_with_override;\n"
    "advisory gates, enforce: warn, never fail it), 1 a blocking gate failed, 2 error (no\n"
    "verdict)\n"
    "SOURCE_DATE_EPOCH, when set, fixes the audit's 'created' time (overrides are judged\n"
    "by the real clock). With GITHUB_ACTIONS=true, failed gates are printed as ::error\n"
    "annotations at their line in the policy (one per gate, at most 10, then a notice);\n"
    "with GITHUB_STEP_SUMMARY set, the Markdown summary is appended to it.\n",
};

/* Runs the check (fg_check_run), prints the summary and the annotations, then writes the
 * files all or none (fg_check_write), GITHUB_STEP_SUMMARY appended in the same set. */
static int run_check(struct fg_check_request *rq, const struct parsed *p)
{
    const char *step_summary = getenv("GITHUB_STEP_SUMMARY");
    const char *actions = getenv("GITHUB_ACTIONS");
    const char *const *v = p->value;
    bool quiet = v[C_QUIET] != NULL;
    struct fg_check_outputs o = {
        v[C_OUT],           v[C_MARKDOWN],    v[C_HTML],
        v[C_JUNIT],         v[C_ATTESTATION], step_summary && *step_summary ? step_summary : NULL,
        v[C_FORCE] != NULL, publish_outputs};
    rq->markdown = o.markdown_path != NULL || o.step_summary_path != NULL;
    rq->html = o.html_path != NULL;
    rq->junit = o.junit_path != NULL;
    rq->annotations = actions != NULL && strcmp(actions, "true") == 0;
    rq->summary = !quiet;
    if (!quiet && isatty(STDERR_FILENO))
        rq->progress = progress_show;
    struct fg_error err = {0};
    struct fg_check_result *r = NULL;
    if (fg_check_run(rq, &r, &err) != FG_OK)
        return report_error(&err);
    if (r->note != NULL && !quiet)
        fprintf(stderr, "fairgate: note: %s\n", r->note);
    /* What goes to standard output comes first: if it fails, no file is written. */
    fputs(r->summary ? r->summary : "", stdout);
    fputs(r->annotations ? r->annotations : "", stdout);
    int code = r->exit_code;
    if (fflush(stdout) != 0 || ferror(stdout))
        code = error_message("cannot write to standard output");
    else if (fg_check_write(r, &o, &err) != FG_OK)
        code = report_error(&err);
    fg_check_result_free(r);
    return code;
}

static int cmd_check(const struct parsed *p)
{
    static const char *counts[MAX_REPEATED], *overrides[MAX_REPEATED], *named[MAX_REPEATED];
    static struct fg_subject subjects[MAX_REPEATED];
    size_t n_subjects = values_of(p, C_SUBJECT, named);
    for (size_t k = 0; k < n_subjects; k++) {
        if (parse_subject((char *)named[k], &subjects[k]) != EXIT_PASS)
            return EXIT_ERROR;
        /* One name, one file: else `verify --subject NAME=F` would match either. */
        for (size_t i = 0; i < k; i++)
            if (strcmp(subjects[i].name, subjects[k].name) == 0)
                return usage_error("--subject %s is given twice", subjects[i].name);
    }
    struct fg_check_request rq = {.policy_path = p->value[C_POLICY],
                                  .candidate_path = p->value[C_CANDIDATE],
                                  .incumbent_path = p->value[C_INCUMBENT],
                                  .counts_paths = counts,
                                  .n_counts = values_of(p, C_COUNTS, counts),
                                  .override_paths = overrides,
                                  .n_overrides = values_of(p, C_OVERRIDE, overrides),
                                  .sign_key_path = p->value[C_SIGN_KEY],
                                  .subjects = subjects,
                                  .n_subjects = n_subjects,
                                  .audit_path = p->value[C_OUT]};
    if (rq.n_counts > 0 && (rq.candidate_path != NULL || rq.incumbent_path != NULL))
        return usage_error("--counts replaces --candidate and --incumbent: give one or the other");
    if (rq.candidate_path == NULL && rq.n_counts == 0)
        return usage_error("--candidate (or --counts) is required");
    if ((rq.sign_key_path == NULL) != (p->value[C_ATTESTATION] == NULL))
        return usage_error("--sign-key and --attestation go together");
    if (n_subjects > 0 && p->value[C_ATTESTATION] == NULL)
        return usage_error("--subject needs --attestation");
    return run_check(&rq, p);
}

/* ---- keygen ---- */

enum { K_OUT, K_PUBOUT, K_FORCE };
static const struct opt keygen_options[] = {
    [K_OUT] = {"out", "FILE", REQUIRED, "the private key (PKCS#8 PEM, mode 0600) (required)"},
    [K_PUBOUT] = {"pubout", "FILE", REQUIRED, "the public key (SPKI PEM) (required)"},
    [K_FORCE] = {"force", NULL, 0, "replace existing key files (never a link, device or FIFO)"},
};
static const struct command keygen_command = {
    "keygen",
    "usage: fairgate keygen --out KEY.pem --pubout PUB.pem [--force]\n"
    "\n"
    "Makes an Ed25519 key pair: the private key as PKCS#8 PEM (created with mode 0600, never\n"
    "overwritten without --force), the public key as SPKI PEM; both files or neither. Keys\n"
    "made by `openssl genpkey -algorithm ed25519` work everywhere a fairgate key does.\n",
    OPTIONS(keygen_options),
};

static int cmd_keygen(const struct parsed *p)
{
    const char *out = p->value[K_OUT], *pubout = p->value[K_PUBOUT];
    struct fg_error err = {0};
    char id[65];
    if (fg_keygen_run(out, pubout, p->value[K_FORCE] != NULL, publish_outputs, id, &err) != FG_OK)
        return report_error(&err);
    printf("key id %s\nprivate key: %s (keep it secret)\npublic key:  %s\n", id, out, pubout);
    return EXIT_PASS;
}

/* ---- verify ---- */

enum {
    V_ATTESTATION,
    V_PUBKEY,
    V_AUDIT,
    V_CANDIDATE,
    V_INCUMBENT,
    V_POLICY,
    V_SUBJECT,
    V_COUNTS,
    V_REQUIRE_VERDICT
};
static const struct opt verify_options[] = {
    [V_ATTESTATION] = {"attestation", "FILE", REQUIRED, "the attestation to verify (required)"},
    [V_PUBKEY] = {"pubkey", "FILE", REQUIRED, "the signer's Ed25519 public key (PEM) (required)"},
    [V_AUDIT] = {"audit", "FILE", INPUT, "check that FILE is the attested audit"},
    [V_CANDIDATE] = {"candidate", "FILE", INPUT, "check the candidate file's digest"},
    [V_INCUMBENT] = {"incumbent", "FILE", INPUT, "check the incumbent file's digest"},
    [V_POLICY] = {"policy", "FILE", INPUT, "check the policy file's digest"},
    [V_SUBJECT] = {"subject", "NAME=FILE", REPEAT | INPUT, "check FILE against the subject NAME"},
    [V_COUNTS] = {"counts", "FILE", REPEAT | INPUT,
                  "check a counts file (matched by its file name)"},
    [V_REQUIRE_VERDICT] = {"require-verdict", "LIST", 0,
                           "exit 1 unless the attested verdict is in LIST\n"
                           "(pass, fail, pass_with_override; comma-separated)"},
};
static const struct command verify_command = {
    "verify",
    "usage: fairgate verify --attestation F --pubkey PUB.pem [--candidate C.csv]\n"
    "                       [--incumbent I.csv] [--policy P.yaml] [--subject NAME=FILE]...\n"
    "                       [--counts K.csv]... [--audit audit.json]\n"
    "                       [--require-verdict pass[,pass_with_override]]\n"
    "\n"
    "Checks, in order, the signature over the DSSE PAE with the public key, the payloadType,\n"
    "the in-toto Statement, and that each file given has the digest its subject records.\n"
    "--audit: the file is the attested audit (the bytes check --out wrote), so that its\n"
    "verdict can be read: fairgate verify ... --audit audit.json && jq -r .verdict audit.json\n"
    "--require-verdict: a valid attestation of another verdict exits 1, so that a release job\n"
    "asks 'is this a signed pass?' in one command:\n"
    "  fairgate verify --attestation A --pubkey CI.pub --candidate C.csv \\\n"
    "      --require-verdict pass,pass_with_override\n"
    "(give the files you release: a verdict says nothing of files not checked)\n",
    OPTIONS(verify_options),
    "exit status: 0 valid (and a verdict --require-verdict accepts), 1 invalid (bad signature,\n"
    "wrong key, digest mismatch, wrong type) or a verdict it does not accept, 2 error\n"
    "(unreadable, not JSON, not an envelope, an unknown verdict name)\n",
};

/* Whether the files given to verify include what a release ships: the candidate (or its
 * counts files) or a --subject (the model), so that the verdict is about them. */
static bool verify_binds_release(const struct fg_verify_request *rq)
{
    for (size_t i = 0; i < rq->n_files; i++)
        if (rq->files[i].role == FG_ROLE_CANDIDATE || rq->files[i].role == FG_ROLE_COUNTS ||
            rq->files[i].role == FG_ROLE_SUBJECT)
            return true;
    return false;
}

static int cmd_verify(const struct parsed *p)
{
    static struct fg_verify_file files[MAX_SEEN];
    struct fg_verify_request rq = {p->value[V_ATTESTATION], p->value[V_PUBKEY], files, 0, 0};
    struct fg_error err = {0};
    const char *required = p->value[V_REQUIRE_VERDICT];
    if (required != NULL && fg_verdict_mask_parse(required, &rq.require_verdicts, &err) != FG_OK)
        return usage_error("%s", err.message);
    for (size_t i = 0; i < p->n_seen; i++) { /* the files, in the order given */
        size_t k = p->seen[i].option;
        struct fg_subject named = {NULL, p->seen[i].value, NULL, NULL};
        if (k == V_ATTESTATION || k == V_PUBKEY || k == V_REQUIRE_VERDICT)
            continue;
        if (k == V_SUBJECT && parse_subject((char *)named.path, &named) != EXIT_PASS)
            return EXIT_ERROR;
        enum fg_subject_role role = FG_ROLE_CANDIDATE; /* the role the option is named after */
        while (role < FG_ROLE_AUDIT && strcmp(fg_subject_role_name(role), verify_options[k].name))
            role++;
        files[rq.n_files++] = (struct fg_verify_file){role, named.path, named.name};
    }
    char *report = NULL;
    struct fg_verify_outcome outcome;
    if (fg_verify_run(&rq, &outcome, &report, &err) != FG_OK)
        return report_error(&err);
    fputs(report ? report : "", stdout);
    free(report);
    if (required != NULL && outcome.valid && !verify_binds_release(&rq))
        fprintf(stderr,
                "fairgate: warning: --require-verdict with no --candidate, --counts or "
                "--subject: this verdict is bound to no file you hold, and a signed %s of "
                "another model would do as well; give the files you release\n",
                outcome.verdict[0] ? outcome.verdict : "verdict");
    if (!outcome.valid)
        error_message("%s: the attestation is INVALID", rq.attestation_path);
    else if (!outcome.accepted)
        error_message("%s: the attested verdict is '%s', not one of --require-verdict %s",
                      rq.attestation_path, outcome.verdict, required);
    return outcome.accepted ? EXIT_PASS : EXIT_GATE_FAILED;
}

/* ---- override ---- */

// clang-format off
enum { O_POLICY, O_CANDIDATE, O_INCUMBENT, O_COUNTS, O_ATTESTATION, O_PUBKEY, O_AUDIT, O_GATE,
       O_GROUP, O_ALL_FAILING, O_APPROVER, O_ROLE, O_REASON, O_TICKET, O_EXPIRES, O_SIGN_KEY,
       O_OUT, O_DRY_RUN, O_FORCE };
// clang-format on
static const struct opt override_options[] = {
    [O_POLICY] = OPT_POLICY,
    [O_CANDIDATE] = {"candidate", "FILE", INPUT, "the candidate file check will judge"},
    [O_INCUMBENT] = {"incumbent", "FILE", INPUT, "the incumbent file check will get, if any"},
    [O_COUNTS] = {"counts", "FILE", REPEAT | INPUT, "the counts files check will judge, in order"},
    [O_ATTESTATION] = {"attestation", "FILE", 0,
                       "approve the run this CI attestation attests (no data needed)"},
    [O_PUBKEY] = {"pubkey", "FILE", 0, "the CI's public key, with --attestation"},
    [O_AUDIT] = {"audit", "FILE", 0,
                 "the attested audit (with --attestation), or alone: an audit\n"
                 "whose digests are taken on trust (with a warning)"},
    [O_GATE] = {"gate", "ID[:GROUP]", REPEAT,
                "a gate to approve, or one group of it (repeatable: one envelope)"},
    [O_GROUP] = {"group", "G", 0, "one group of the one --gate, by its label"},
    [O_ALL_FAILING] = {"all-failing", NULL, 0,
                       "approve every blocking gate that failed (whole gates)"},
    [O_APPROVER] = {"approver", "NAME", REQUIRED, "an approver the policy lists (required)"},
    [O_ROLE] = {"role", "ROLE", REQUIRED, "the approver's role (required)"},
    [O_REASON] = {"reason", "TEXT", REQUIRED, "why shipping is approved (required)"},
    [O_TICKET] = {"ticket", "T", 0, "a ticket reference"},
    [O_EXPIRES] = {"expires", "YYYY-MM-DD", REQUIRED, "the last day it is valid, UTC (required)"},
    [O_SIGN_KEY] = {"sign-key", "KEY.pem", REQUIRED, "the approver's private key (required)"},
    [O_OUT] = {"out", "FILE", 0, "write the signed override here (required but with --dry-run)"},
    [O_DRY_RUN] = {"dry-run", NULL, 0, "check and print what would be signed; write nothing"},
    [O_FORCE] = OPT_FORCE_OUT,
};
static const struct command override_command = {
    "override",
    "usage: fairgate override --policy P.yaml\n"
    "           (--attestation A --pubkey CI.pub [--audit audit.json] | --audit audit.json |\n"
    "            --candidate C.csv [--incumbent I.csv] | --counts K.csv...)\n"
    "           (--gate ID[:GROUP]... | --gate ID --group G | --all-failing)\n"
    "           --approver NAME --role ROLE --reason TEXT [--ticket T]\n"
    "           --expires YYYY-MM-DD --sign-key KEY.pem (--out O.dsse.json | --dry-run)\n"
    "           [--force]\n"
    "\n"
    "Writes a signed approval to ship despite failed gates, for `check --override`: one\n"
    "envelope for every gate named, bound to this policy and to the run's files. From an\n"
    "attestation, verified as `verify` does, it binds the digests the attested audit records\n"
    "(no data needed); from --candidate/--counts, those files (give --incumbent exactly when\n"
    "check gets one; --counts in check's order). It prints the failing results approved\n"
    "first, and refuses (exit 2, nothing written) what check would not apply: a gate that\n"
    "did not fail, a group not among its failing results, a not_overridable gate, an\n"
    "advisory gate (enforce: warn), an expiry past max_days, an approver, role or key the\n"
    "policy does not list, another policy than the audit's. Valid through the expiry day\n"
    "(UTC, by the real clock, not SOURCE_DATE_EPOCH). A group is a label as check prints it\n"
    "(sex=Female & race=Black; a '\\', '&' or '=' inside a name or value is escaped with a\n"
    "backslash): --gate ID:GROUP (gate ids hold no ':'), or --group G with a single --gate.\n",
    OPTIONS(override_options),
    "exit status: 0 written (or a dry run passed), 2 error or refused (nothing written)\n",
};

/* The scopes of --gate ID[:GROUP]... and --group; returns how many, or -1 after a usage
 * error. */
static int override_scopes(const struct parsed *p, struct fg_override_scope *scopes)
{
    static const char *gates[MAX_REPEATED];
    static char split[MAX_REPEATED][256];
    size_t n = values_of(p, O_GATE, gates);
    if ((n > 0) == (p->value[O_ALL_FAILING] != NULL))
        return usage_error("give --gate (one or more) or --all-failing"), -1;
    if (p->value[O_GROUP] != NULL && (n != 1 || strchr(gates[0], ':') != NULL))
        return usage_error("--group goes with a single --gate; for several, write "
                           "--gate ID:GROUP"),
               -1;
    for (size_t i = 0; i < n; i++) {
        const char *colon = strchr(gates[i], ':');
        size_t len = colon ? (size_t)(colon - gates[i]) : strlen(gates[i]);
        if (len == 0 || len >= sizeof split[i] || (colon != NULL && colon[1] == '\0'))
            return usage_error("--gate '%s' is not ID or ID:GROUP", gates[i]), -1;
        memcpy(split[i], gates[i], len);
        split[i][len] = '\0';
        scopes[i] = (struct fg_override_scope){split[i], colon ? colon + 1 : p->value[O_GROUP]};
    }
    return (int)n;
}

/* The usage rules between the sources of the run approved. */
static int override_sources(const char *const *v, size_t n_counts)
{
    bool evidence = v[O_ATTESTATION] != NULL || v[O_AUDIT] != NULL;
    if ((v[O_ATTESTATION] == NULL) != (v[O_PUBKEY] == NULL))
        return usage_error("--attestation and --pubkey go together");
    if (evidence && (v[O_CANDIDATE] != NULL || v[O_INCUMBENT] != NULL || n_counts > 0))
        return usage_error("approve from the attestation or audit, or from --candidate or "
                           "--counts, not both");
    if (n_counts > 0 && v[O_CANDIDATE] != NULL)
        return usage_error("give --candidate or --counts, not both");
    if (n_counts > 0 && v[O_INCUMBENT] != NULL)
        return usage_error("--incumbent is for --candidate; counts files hold the incumbent");
    if (!evidence && n_counts == 0 && v[O_CANDIDATE] == NULL)
        return usage_error("--attestation with --pubkey, --audit, --candidate or --counts is "
                           "required");
    if (v[O_OUT] == NULL && v[O_DRY_RUN] == NULL)
        return usage_error("--out is required (or --dry-run)");
    if (v[O_AUDIT] != NULL && v[O_ATTESTATION] == NULL)
        fprintf(stderr,
                "fairgate: warning: %s is not verified: the digests the approval binds are "
                "taken on trust; give --attestation A --pubkey P to approve an attested "
                "audit\n",
                v[O_AUDIT]);
    return EXIT_PASS;
}

static int cmd_override(const struct parsed *p)
{
    static const char *counts[MAX_REPEATED];
    static struct fg_override_scope scopes[MAX_REPEATED];
    const char *const *v = p->value;
    size_t n_counts = values_of(p, O_COUNTS, counts);
    int n_scopes = override_scopes(p, scopes);
    if (n_scopes < 0 || override_sources(v, n_counts) != EXIT_PASS)
        return EXIT_ERROR;
    struct fg_override_run_request rq = {v[O_POLICY],
                                         v[O_SIGN_KEY],
                                         counts,
                                         n_counts,
                                         {.group = n_scopes == 1 ? scopes[0].group : NULL,
                                          .gate = n_scopes == 1 ? scopes[0].gate : NULL,
                                          .approver = v[O_APPROVER],
                                          .role = v[O_ROLE],
                                          .reason = v[O_REASON],
                                          .ticket = v[O_TICKET],
                                          .expires = v[O_EXPIRES],
                                          .candidate_path = v[O_CANDIDATE],
                                          .incumbent_path = v[O_INCUMBENT],
                                          .scopes = n_scopes > 1 ? scopes : NULL,
                                          .n_scopes = n_scopes > 1 ? (size_t)n_scopes : 0,
                                          .all_failing = v[O_ALL_FAILING] != NULL},
                                         v[O_ATTESTATION],
                                         v[O_PUBKEY],
                                         v[O_AUDIT],
                                         v[O_DRY_RUN] != NULL};
    struct fg_error err = {0};
    struct fg_override_result *r = NULL;
    if (fg_override_approve(&rq, &r, &err) != FG_OK)
        return report_error(&err);
    int code = EXIT_PASS;
    if (!r->valid) {
        fputs(r->report ? r->report : "", stderr);
        code = error_message("%s: the attestation is INVALID; nothing signed", rq.attestation_path);
    } else {
        fputs(r->preview, stdout);
        if (r->envelope != NULL &&
            fg_outputs_write(&(struct fg_output){v[O_OUT], r->envelope, strlen(r->envelope),
                                                 v[O_FORCE] ? FG_OUTPUT_FORCE : 0, NULL},
                             1, publish_outputs, &err) != FG_OK)
            code = report_error(&err);
        else if (r->envelope != NULL)
            printf("override for %s by %s written to %s (expires %s)\n", r->scope, v[O_APPROVER],
                   v[O_OUT], v[O_EXPIRES]);
    }
    fg_override_result_free(r);
    return code;
}

/* ---- report ---- */

enum { R_AUDIT, R_ATTESTATION, R_PUBKEY, R_MARKDOWN, R_HTML, R_JUNIT, R_MODEL_CARD, R_FORCE };
static const struct opt report_options[] = {
    [R_AUDIT] = {"audit", "FILE", 0, "the audit to render (with --attestation: the attested one)"},
    [R_ATTESTATION] = {"attestation", "FILE", 0, "render the audit this attestation attests"},
    [R_PUBKEY] = {"pubkey", "FILE", 0, "the signer's public key, with --attestation"},
    [R_MARKDOWN] = {"markdown", "FILE", 0, "write the Markdown summary"},
    [R_HTML] = {"html", "FILE", 0, "write the HTML report"},
    [R_JUNIT] = {"junit", "FILE", 0, "write the JUnit XML"},
    [R_MODEL_CARD] = {"model-card", "FILE", 0,
                      "write a model card: F.json Model Card Toolkit JSON (schema v0.0.2),\n"
                      "F.md a Hugging Face model card fragment (model-index and a\n"
                      "\"Fairness evaluation\" section)"},
    [R_FORCE] = {"force", NULL, 0, "replace a symbolic link at an output path (see check --help)"},
};
static const struct command report_command = {
    "report",
    "usage: fairgate report (--attestation F --pubkey PUB.pem [--audit A] | --audit A)\n"
    "                       [--markdown F] [--html F] [--junit F] [--model-card F.json|F.md]\n"
    "                       [--force]\n"
    "\n"
    "Renders the reports again, all or none, as `fairgate check` wrote them from the same\n"
    "audit: the attested audit once the attestation is verified as `fairgate verify` does\n"
    "(with --audit too, that file must be it), or, unverified, --audit alone (with a warning).\n",
    OPTIONS(report_options),
    "exit status: 0 written, 1 the attestation is invalid or the audit is not the attested\n"
    "one (nothing written), 2 error\n",
};

static int cmd_report(const struct parsed *p)
{
    const char *const *v = p->value;
    if ((v[R_ATTESTATION] == NULL) != (v[R_PUBKEY] == NULL))
        return usage_error("--attestation and --pubkey go together");
    if (v[R_AUDIT] == NULL && v[R_ATTESTATION] == NULL)
        return usage_error("--attestation with --pubkey (or --audit) is required");
    if (v[R_MARKDOWN] == NULL && v[R_HTML] == NULL && v[R_JUNIT] == NULL && v[R_MODEL_CARD] == NULL)
        return usage_error("name at least one of --markdown, --html, --junit, --model-card");
    if (v[R_MODEL_CARD] != NULL &&
        fg_model_card_format_of(v[R_MODEL_CARD]) == FG_MODEL_CARD_UNKNOWN)
        return usage_error("--model-card %s: name a .json file (Model Card Toolkit) or a .md file "
                           "(Hugging Face)",
                           v[R_MODEL_CARD]);
    if (v[R_ATTESTATION] == NULL)
        fprintf(stderr,
                "fairgate: warning: %s is not verified; give --attestation A --pubkey P to "
                "render the attested audit\n",
                v[R_AUDIT]);
    struct fg_report_request rq = {v[R_AUDIT],         v[R_ATTESTATION], v[R_PUBKEY],
                                   v[R_MARKDOWN],      v[R_HTML],        v[R_JUNIT],
                                   v[R_FORCE] != NULL, publish_outputs,  v[R_MODEL_CARD]};
    struct fg_error err = {0};
    char *lines = NULL;
    int valid = 0;
    enum fg_status st = fg_report_run(&rq, &valid, &lines, &err);
    if (st == FG_OK && !valid) { /* why, then nothing is written */
        fputs(lines ? lines : "", stderr);
        error_message("%s: the attestation is INVALID%s; no report written", v[R_ATTESTATION],
                      v[R_AUDIT] ? " for this audit" : "");
    }
    free(lines);
    return st != FG_OK ? report_error(&err) : valid ? EXIT_PASS : EXIT_GATE_FAILED;
}

/* ---- counts ---- */

enum { N_POLICY, N_CANDIDATE, N_INCUMBENT, N_OUT, N_BINS_OUT, N_QUIET, N_FORCE };
static const struct opt counts_options[] = {
    [N_POLICY] = OPT_POLICY,
    [N_CANDIDATE] = {"candidate", "FILE", REQUIRED | INPUT,
                     "CSV with the label, protected attributes and predictions (required;\n"
                     "'-': standard input; gzip is read as such)"},
    [N_INCUMBENT] = {"incumbent", "FILE", INPUT,
                     "CSV with the incumbent's predictions, as for check"},
    [N_OUT] = {"out", "FILE", REQUIRED, "write the counts file here (required)"},
    [N_BINS_OUT] = {"bins-out", "FILE", 0,
                    "write the score bins file here (required when the policy gates on\n"
                    "auc, brier or calibration_gap; give it to check --counts too; for a\n"
                    "score candidate without such a gate, its bins for sweep --counts)"},
    [N_QUIET] = OPT_QUIET,
    [N_FORCE] = OPT_FORCE_OUT,
};
static const struct command counts_command = {
    "counts",
    "usage: fairgate counts --policy P.yaml --candidate C.csv [--incumbent I.csv]\n"
    "                       --out K.csv [--bins-out B.csv] [--quiet] [--force]\n"
    "\n"
    "Reads the predictions as check does and writes the counts table, atomically: a CSV with\n"
    "a column per protected attribute, then y_true, candidate, incumbent (1 = positive label\n"
    "or favourable decision; incumbent 0 without one) and count; a record per cell, sorted.\n"
    "`fairgate check --counts K.csv` gives the same verdict as check on the rows.\n"
    "A policy that gates on a score metric also needs --bins-out B.csv: per group, label and\n"
    "model, the count, sum and sum of squares of the scores in each non-empty bin of width\n"
    "1e-4 (and below 0, above 1); `check --counts K.csv --counts B.csv` then computes brier\n"
    "and calibration_gap exactly and auc within a bound the audit reports.\n",
    OPTIONS(counts_options),
    "exit status: 0 written, 2 error (nothing written)\n",
};

static int cmd_counts(const struct parsed *p)
{
    bool quiet = p->value[N_QUIET] != NULL;
    struct fg_counts_run_request rq = {
        p->value[N_POLICY],
        {.candidate_path = p->value[N_CANDIDATE], .incumbent_path = p->value[N_INCUMBENT]},
        p->value[N_OUT],
        p->value[N_FORCE] != NULL,
        publish_outputs,
        p->value[N_BINS_OUT]};
    if (!quiet && isatty(STDERR_FILENO)) /* the biggest inputs go through this command */
        rq.ingest.progress = progress_show;
    struct fg_error err = {0};
    struct fg_ingest_result read;
    if (fg_counts_run(&rq, &read, &err) != FG_OK)
        return report_error(&err);
    if (!quiet)
        printf("counts: %llu rows read (%llu dropped), the table written to %s%s%s\n",
               (unsigned long long)read.candidate.rows,
               (unsigned long long)read.candidate.rows_dropped, rq.out_path,
               rq.bins_out_path ? ", the score bins to " : "",
               rq.bins_out_path ? rq.bins_out_path : "");
    return EXIT_PASS;
}

/* ---- sql ---- */

enum { S_POLICY, S_TABLE, S_DIALECT, S_BINS };
static const struct opt sql_options[] = {
    [S_POLICY] = OPT_POLICY,
    [S_TABLE] = {"table", "NAME", REQUIRED,
                 "the table: NAME, SCHEMA.NAME or CATALOG.SCHEMA.NAME (required);\n"
                 "each dot-separated part is quoted"},
    [S_DIALECT] = {"dialect", "D", 0,
                   "ansi (default; Trino), postgres, sqlite, spark, bigquery, duckdb"},
    [S_BINS] = {"bins", NULL, 0,
                "print the query of the score bins file instead (for a policy that\n"
                "gates on auc, brier or calibration_gap)"},
};
static const struct command sql_command = {
    "sql",
    "usage: fairgate sql --policy P.yaml --table T\n"
    "                    [--dialect ansi|postgres|sqlite|spark|bigquery|duckdb]\n"
    "                    [--bins]\n"
    "\n"
    "Prints the GROUP BY query whose result, exported as CSV with its header, is the counts\n"
    "file of the table's rows: run it in the warehouse, gate in CI with\n"
    "`fairgate check --counts`. The table (or view) holds every column the policy names;\n"
    "labels and predictions are compared as text, scores with the policy's threshold.\n"
    "A policy with a score gate needs the score bins too: export the result of --bins as a\n"
    "second CSV and give both to check --counts.\n",
    OPTIONS(sql_options),
    "exit status: 0 printed, 2 error\n",
};

static int cmd_sql(const struct parsed *p)
{
    struct fg_error err = {0};
    enum fg_sql_dialect dialect = FG_SQL_ANSI;
    if (fg_sql_dialect_parse(p->value[S_DIALECT] ? p->value[S_DIALECT] : "ansi", &dialect, &err) !=
        FG_OK)
        return usage_error("%s", err.message);
    struct fg_policy *policy = NULL;
    char *query = NULL;
    int code = EXIT_PASS;
    if (fg_policy_load(p->value[S_POLICY], &policy, &err) != FG_OK ||
        (p->value[S_BINS] != NULL
             ? fg_sql_render_bins(policy, p->value[S_TABLE], dialect, &query, &err)
             : fg_sql_render(policy, p->value[S_TABLE], dialect, &query, &err)) != FG_OK)
        code = report_error(&err);
    else
        fputs(query, stdout);
    free(query);
    fg_policy_free(policy);
    return code;
}

/* ---- sweep ---- */

enum { W_POLICY, W_CANDIDATE, W_INCUMBENT, W_COUNTS, W_GRID, W_OUT, W_HTML, W_QUIET, W_FORCE };
static const struct opt sweep_options[] = {
    [W_POLICY] = {"policy", "FILE", REQUIRED,
                  "the YAML policy (required); its candidate reads a score:\n"
                  "data.candidate: { score: COLUMN, threshold: T }"},
    [W_CANDIDATE] = {"candidate", "FILE", INPUT, "the rows, as for check ('-': standard input)"},
    [W_INCUMBENT] = {"incumbent", "FILE", INPUT, "the incumbent's predictions, as for check"},
    [W_COUNTS] = {"counts", "FILE", REPEAT | INPUT,
                  "instead of the rows: the counts file and the score bins file\n"
                  "(`fairgate counts --out K --bins-out B`; shards are summed)"},
    [W_GRID] = {"grid", "STEP", 0,
                "the step between thresholds, a multiple of the bins' width 0.0001\n"
                "(default 0.01: 0, 0.01, ..., 0.99)"},
    [W_OUT] = {"out", "FILE", 0, "write the CSV here instead of standard output"},
    [W_HTML] = {"html", "FILE", 0,
                "write a self-contained HTML page: a chart per gate and of accuracy,\n"
                "the passing band shaded, the policy's threshold marked"},
    [W_QUIET] = {"quiet", NULL, 0, "print no summary on standard error"},
    [W_FORCE] = {"force", NULL, 0, "replace a symbolic link at --out or --html"},
};
static const struct command sweep_command = {
    "sweep",
    "usage: fairgate sweep --policy P.yaml (--candidate C.csv [--incumbent I.csv] |\n"
    "                      --counts K.csv --counts B.csv) [--grid STEP] [--out F.csv]\n"
    "                      [--html F.html] [--quiet] [--force]\n"
    "\n"
    "For a candidate that reads a score, judges every gate as check does at each threshold\n"
    "of a grid (the incumbent's decisions as given) and prints a CSV: threshold, overall\n"
    "accuracy, per gate the worst group's value and the gate's status (and, vs_incumbent,\n"
    "the worsening), and all_blocking_pass (advisory gates never block). Rows are reduced to\n"
    "the score bins `fairgate counts --bins-out` writes, so rows and counts give the same\n"
    "bytes. The policy's own threshold is swept too when it is a multiple of 0.0001; there\n"
    "every value and status is check's (auc: check --counts's, from the same bins).\n"
    "A summary goes to standard error. Output files are written all or none.\n",
    OPTIONS(sweep_options),
    "exit status: 0 some threshold passes every blocking gate, 1 none does, 2 error\n"
    "(nothing written)\n",
};

/* The grid step: a number, strictly (the library says whether it is on the bins' grid). */
static int parse_grid(const char *text, double *grid)
{
    char *end = NULL;
    errno = 0;
    *grid = text != NULL ? strtod(text, &end) : 0.0;
    if (text != NULL && (end == text || *end != '\0' || errno != 0 || !(*grid > 0)))
        return usage_error("--grid %s: give a step such as 0.01 (a multiple of 0.0001)", text);
    return PARSED;
}

/* The CSV on standard output (unless --out), then the files all or none. */
static int write_sweep(const struct fg_sweep_result *r, const struct parsed *p)
{
    const char *const *v = p->value;
    int code = r->exit_code;
    struct fg_error err = {0};
    if (v[W_OUT] == NULL && (fputs(r->csv, stdout) < 0 || fflush(stdout) != 0))
        return error_message("cannot write to standard output"); /* then no file is written */
    unsigned flags = v[W_FORCE] != NULL ? FG_OUTPUT_FORCE : 0;
    const struct fg_output outputs[] = {
        {v[W_OUT], r->csv, strlen(r->csv), flags, NULL},
        {v[W_HTML], r->html, r->html ? strlen(r->html) : 0, flags, NULL}};
    if (fg_outputs_write(outputs, 2, publish_outputs, &err) != FG_OK)
        return report_error(&err);
    if (v[W_QUIET] == NULL)
        fputs(r->summary, stderr);
    return code;
}

static int cmd_sweep(const struct parsed *p)
{
    static const char *counts[MAX_REPEATED];
    const char *const *v = p->value;
    struct fg_sweep_request rq = {.policy_path = v[W_POLICY],
                                  .candidate_path = v[W_CANDIDATE],
                                  .incumbent_path = v[W_INCUMBENT],
                                  .counts_paths = counts,
                                  .n_counts = values_of(p, W_COUNTS, counts),
                                  .html = v[W_HTML] != NULL};
    if (rq.n_counts > 0 && (rq.candidate_path != NULL || rq.incumbent_path != NULL))
        return usage_error("--counts replaces --candidate and --incumbent: give one or the other");
    if (rq.candidate_path == NULL && rq.n_counts == 0)
        return usage_error("--candidate (or --counts) is required");
    if (parse_grid(v[W_GRID], &rq.grid) != PARSED)
        return EXIT_ERROR;
    if (v[W_QUIET] == NULL && isatty(STDERR_FILENO))
        rq.progress = progress_show;
    struct fg_error err = {0};
    struct fg_sweep_result *r = NULL;
    if (fg_sweep_run(&rq, &r, &err) != FG_OK)
        return err.code == FG_ERR_USAGE && strncmp(err.message, "--grid", 6) == 0
                   ? usage_error("%s", err.message)
                   : report_error(&err);
    int code = write_sweep(r, p);
    fg_sweep_result_free(r);
    return code;
}

/* ---- lint ---- */

enum { L_CANONICAL };
static const struct opt lint_options[] = {
    [L_CANONICAL] = {"canonical", NULL, 0,
                     "print the policy's canonical serialisation instead of 'ok'"},
};
static const struct command lint_command = {
    "lint",
    "usage: fairgate lint [--canonical] POLICY.yaml\n"
    "\n"
    "Validates a policy strictly. Prints 'ok' and exits 0, or\n"
    "prints the error as file:line:column and exits 2.\n"
    "--canonical prints, on one line, the JSON text whose SHA-256 is the audit's\n"
    "policy.canonical_sha256 (the line without its newline): what the policy means,\n"
    "whatever its comments, formatting or key order.\n",
    OPTIONS(lint_options),
    .operand = "policy file",
};

static int cmd_lint(const struct parsed *p)
{
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    char *canonical = NULL;
    if (fg_policy_lint(p->operand, &policy, &err) != FG_OK ||
        (p->value[L_CANONICAL] && fg_policy_canonical(policy, &canonical, &err) != FG_OK)) {
        fg_policy_free(policy);
        return report_error(&err);
    }
    char *warnings = fg_policy_warnings(policy);
    fg_policy_free(policy);
    if (warnings == NULL) {
        free(canonical);
        return error_message("out of memory");
    }
    fputs(warnings, stderr);
    free(warnings);
    printf("%s\n", canonical ? canonical : "ok");
    free(canonical);
    return EXIT_PASS;
}

/* ---- metrics ---- */

static const struct opt metrics_options[] = {
    {"json", NULL, 0, "print JSON for tools ({\"metrics\": [...]})"},
};
static const struct command metrics_command = {
    "metrics",
    "usage: fairgate metrics [--json]\n"
    "\n"
    "Prints the metric catalogue: each metric's name, aliases (the AIF360 and SageMaker\n"
    "Clarify names a policy may use), definition, which direction is better, the\n"
    "denominator min_group_size applies to, whether --counts supports it, and its source.\n",
    OPTIONS(metrics_options),
    "exit status: 0 printed, 2 error\n",
};

static int cmd_metrics(const struct parsed *p)
{
    struct fg_error err = {0};
    char *text = NULL;
    if (fg_catalog_run(p->value[0] != NULL, &text, &err) != FG_OK)
        return report_error(&err);
    fputs(text, stdout);
    free(text);
    return EXIT_PASS;
}

/* ---- dispatch ---- */

static int run(int argc, char **argv)
{
    static const struct {
        const struct command *command;
        int (*run)(const struct parsed *p);
    } commands[] = {{&check_command, cmd_check},   {&keygen_command, cmd_keygen},
                    {&verify_command, cmd_verify}, {&override_command, cmd_override},
                    {&report_command, cmd_report}, {&counts_command, cmd_counts},
                    {&sql_command, cmd_sql},       {&sweep_command, cmd_sweep},
                    {&lint_command, cmd_lint},     {&metrics_command, cmd_metrics}};
    static struct parsed p;
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0)
        return fputs(usage_main, stdout) < 0 ? EXIT_ERROR : EXIT_PASS;
    if (strcmp(name, "--version") == 0)
        return printf("fairgate %s\n", FG_VERSION) < 0 ? EXIT_ERROR : EXIT_PASS;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].command->name) != 0)
            continue;
        command_name = name;
        int code = parse(commands[i].command, argc - 1, argv + 1, &p);
        return code == PARSED ? commands[i].run(&p) : code;
    }
    const char *names[sizeof commands / sizeof commands[0]];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        names[i] = commands[i].command->name;
    const char *bare = name + strspn(name, "-"), *version = "version";
    if (strcmp(bare, "v") == 0 || strcmp(bare, "V") == 0 || fg_did_you_mean(bare, &version, 1))
        return usage_error("unknown command '%s' (did you mean '--version'?)", name);
    const char *hint = fg_did_you_mean(name, names, sizeof names / sizeof names[0]);
    if (hint != NULL)
        return usage_error("unknown command '%s' (did you mean '%s'?)", name, hint);
    return usage_error("unknown command '%s'", name);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("no command given");
    catch_signals();
    int code = run(argc, argv);
    /* A write error on stdout (a full disk, a closed pipe) is an error. */
    return fclose(stdout) != 0 ? error_message("cannot write to standard output") : code;
}
