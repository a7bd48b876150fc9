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
    "  report    render the Markdown, HTML and JUnit reports from a verified attestation\n"
    "            (or, unverified, from an audit file)\n"
    "  counts    reduce predictions to the counts table (CSV) that check --counts reads\n"
    "  sql       print the SQL query that computes the counts table inside an engine\n"
    "\n"
    "  fairgate <command> --help   help for one command\n"
    "  fairgate --version          print the version\n";

static const char *usage_check =
    "usage: fairgate check --policy P.yaml --candidate C.csv [--incumbent I.csv]\n"
    "       fairgate check --policy P.yaml --counts K.csv [--counts K2.csv]...\n"
    "                      [--out audit.json] [--sign-key KEY.pem --attestation F.intoto.jsonl]\n"
    "                      [--subject NAME=FILE]... [--override O.dsse.json]...\n"
    "                      [--markdown F] [--html F] [--junit F] [--quiet] [--force]\n"
    "\n"
    "Reads the policy and the predictions, computes per-group metrics for the candidate\n"
    "(and the incumbent), evaluates every gate, prints one line per gate and the verdict,\n"
    "and writes the audit JSON with --out (also when a gate fails). Output files are\n"
    "written all or none, the attestation moved into place last: after an error (exit 2)\n"
    "every output path is as it was.\n"
    "\n"
    "  --policy FILE      the YAML policy (required)\n"
    "  --candidate FILE   CSV with the label, protected attributes and candidate predictions\n"
    "  --incumbent FILE   CSV with the incumbent's predictions, matched by the policy's\n"
    "                     data.id column, or by position only when the policy says\n"
    "                     data.join: position (two files without either are an error);\n"
    "                     without it the incumbent's column, if the policy names one, is\n"
    "                     read from the candidate file\n"
    "  --counts FILE      gate on a counts file instead of predictions (repeatable: shards\n"
    "                     are summed); written by `fairgate counts` or by the query of\n"
    "                     `fairgate sql`. Not with --candidate or --incumbent, nor with a\n"
    "                     policy that gates on a score metric. Overrides bind to every\n"
    "                     counts file, in the order given (make them with the same --counts)\n"
    "  --out FILE         write the audit JSON here\n"
    "  --sign-key FILE    Ed25519 private key (PEM) that signs the attestation\n"
    "  --attestation FILE write the signed in-toto attestation (one DSSE envelope line)\n"
    "  --subject NAME=FILE  also name FILE (e.g. the model) in the attestation's subjects\n"
    "  --override FILE    a signed override (repeatable); valid ones turn failed gates\n"
    "                     into 'overridden' and the verdict into pass_with_override\n"
    "  --markdown FILE    write a Markdown summary (GitHub-flavoured)\n"
    "  --html FILE        write a self-contained HTML report with charts\n"
    "  --junit FILE       write JUnit XML: a testsuite per gate, a testcase per group\n"
    "  --quiet            print nothing but errors\n"
    "  --force            replace a symbolic link at an output path (one that names a\n"
    "                     regular file, or dangles) with the new file; without it such a\n"
    "                     link is an error. Devices and FIFOs are always written in place\n"
    "\n"
    "exit status: 0 every gate passed, 1 a gate failed, 2 error (no verdict)\n"
    "SOURCE_DATE_EPOCH, when set, fixes the audit's 'created' time (overrides are judged\n"
    "by the real clock). With GITHUB_ACTIONS=true, failed gates are printed as ::error\n"
    "annotations; with GITHUB_STEP_SUMMARY set, the Markdown summary is appended to it.\n";

static const char *usage_keygen =
    "usage: fairgate keygen --out KEY.pem --pubout PUB.pem [--force]\n"
    "\n"
    "Makes an Ed25519 key pair: the private key as PKCS#8 PEM (created with mode 0600, never\n"
    "overwritten without --force), the public key as SPKI PEM; both files or neither.\n"
    "--force replaces existing key files, never a link, device or FIFO. Keys made by\n"
    "`openssl genpkey -algorithm ed25519` work everywhere a fairgate key does.\n";

static const char *usage_verify =
    "usage: fairgate verify --attestation F --pubkey PUB.pem [--candidate C.csv]\n"
    "                       [--incumbent I.csv] [--policy P.yaml] [--subject NAME=FILE]...\n"
    "                       [--counts K.csv]... [--audit audit.json]\n"
    "\n"
    "Checks, in order, the signature over the DSSE PAE with the public key, the payloadType,\n"
    "the in-toto Statement, and that each file given has the digest its subject records.\n"
    "--audit: the file is the attested audit (the bytes check --out wrote), so that its\n"
    "verdict can be read: fairgate verify ... --audit audit.json && jq -r .verdict audit.json\n"
    "\n"
    "exit status: 0 valid, 1 invalid (bad signature, wrong key, digest mismatch, wrong type),\n"
    "2 error (unreadable, not JSON, not an envelope)\n";

static const char *usage_override =
    "usage: fairgate override --policy P.yaml (--candidate C.csv [--incumbent I.csv] |\n"
    "                         --counts K.csv...) --gate ID [--group G]\n"
    "                         --approver NAME --role ROLE --reason TEXT [--ticket T]\n"
    "                         --expires YYYY-MM-DD --sign-key KEY.pem --out O.dsse.json\n"
    "                         [--force]\n"
    "\n"
    "Writes a signed approval to ship despite a failed gate, bound to this candidate file,\n"
    "this incumbent file (give --incumbent exactly when check gets one) and this policy\n"
    "file. The approver must be listed in the policy's overrides section and the key must\n"
    "be the one it pins; it is valid through the end of the expiry day (UTC, by the real\n"
    "clock: SOURCE_DATE_EPOCH does not move it), at most max_days. --group names one group\n"
    "by its label as check prints it (sex=Female & race=Black; a '\\', '&' or '=' inside\n"
    "a name or value is escaped with a backslash). Give it to\n"
    "`fairgate check --override O.dsse.json`. For a verdict on counts files, give the same\n"
    "--counts files in the same order as to check: the approval binds to all of them.\n"
    "\n"
    "  --force            replace a symbolic link at --out (see check --help)\n";

static const char *usage_report =
    "usage: fairgate report --attestation F --pubkey PUB.pem [--audit audit.json]\n"
    "                       [--markdown F] [--html F] [--junit F] [--force]\n"
    "       fairgate report --audit audit.json [--markdown F] [--html F] [--junit F]\n"
    "                       [--force]\n"
    "\n"
    "Renders the reports again; the files equal what `fairgate check` wrote from the same\n"
    "audit, all or none. With --attestation and --pubkey the attestation is verified as\n"
    "`fairgate verify` does and the attested audit is rendered (with --audit too, that file\n"
    "must be the attested audit). --audit alone renders an unverified file and says so on\n"
    "stderr.\n"
    "\n"
    "  --force            replace a symbolic link at an output path (see check --help)\n"
    "\n"
    "exit status: 0 written, 1 the attestation is invalid or the audit is not the attested\n"
    "one (nothing written), 2 error\n";

static const char *usage_counts =
    "usage: fairgate counts --policy P.yaml --candidate C.csv [--incumbent I.csv]\n"
    "                       --out K.csv [--quiet] [--force]\n"
    "\n"
    "Reads the predictions as check does and writes the counts table: a CSV with one\n"
    "column per protected attribute of the policy, then y_true, candidate, incumbent\n"
    "(1 = positive label / favourable decision; incumbent is 0 without an incumbent) and\n"
    "count; one record per cell, sorted. `fairgate check --counts K.csv` gives the same\n"
    "groups, gates and verdict as check on the rows. Written atomically.\n"
    "\n"
    "  --policy FILE      the YAML policy (required)\n"
    "  --candidate FILE   CSV with the label, protected attributes and predictions (required)\n"
    "  --incumbent FILE   CSV with the incumbent's predictions, as for check\n"
    "  --out FILE         write the counts file here (required)\n"
    "  --quiet            print nothing but errors\n"
    "  --force            replace a symbolic link at --out (see check --help)\n"
    "\n"
    "exit status: 0 written, 2 error (nothing written)\n";

static const char *usage_sql =
    "usage: fairgate sql --policy P.yaml --table T\n"
    "                    [--dialect ansi|postgres|sqlite|spark|bigquery]\n"
    "\n"
    "Prints the GROUP BY query whose result, exported as CSV with its header, is the counts\n"
    "file of the table's rows: run it in the warehouse, gate in CI with\n"
    "`fairgate check --counts`. The table (or view) holds every column the policy names;\n"
    "labels and predictions are compared as text, scores with the policy's threshold.\n"
    "\n"
    "  --policy FILE      the YAML policy (required)\n"
    "  --table NAME       the table: NAME, SCHEMA.NAME or CATALOG.SCHEMA.NAME (required);\n"
    "                     each dot-separated part is quoted\n"
    "  --dialect D        ansi (default; Trino, DuckDB), postgres, sqlite, spark, bigquery\n"
    "\n"
    "exit status: 0 printed, 2 error\n";

static const char *usage_lint = "usage: fairgate lint POLICY.yaml\n"
                                "\n"
                                "Validates a policy strictly. Prints 'ok' and exits 0, or\n"
                                "prints the error as file:line:column and exits 2.\n";

/* ---- output helpers ---- */

static void error_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes text with control bytes escaped (\n, \r, \t, \xNN): a message quotes names and
 * values from the inputs, and a line break among them would start a line of its own, such
 * as a GitHub workflow command ("::stop-commands::..."), which the runner reads on stderr
 * too. */
static void put_escaped(const char *text, FILE *stream)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            fprintf(stream, "\\%c", *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't');
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(stream, "\\x%02x", *p);
        else
            fputc(*p, stream);
    }
}

static void error_vmessage(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void error_vmessage(const char *fmt, va_list ap)
{
    char message[8192];
    vsnprintf(message, sizeof message, fmt, ap);
    fputs("fairgate: error: ", stderr);
    put_escaped(message, stderr);
}

static void error_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vmessage(fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- progress on a terminal (fg_ingest_options.progress) ----
 * One line on stderr, redrawn with '\r' at most 4 times a second, for inputs over 64 MB when
 * stderr is a terminal and --quiet is not given; erased when the input is read or an error
 * is printed. */

#define PROGRESS_MIN_BYTES ((uint64_t)64 << 20)

static struct {
    double start, last; /* seconds (CLOCK_MONOTONIC); start 0: not started */
    int width;          /* of the line on screen; 0: none is */
} progress_line;

static double progress_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_clear(void)
{
    if (progress_line.width > 0) {
        fprintf(stderr, "\r%*s\r", progress_line.width, "");
        fflush(stderr);
        progress_line.width = 0;
    }
}

/* Seconds between redraws: 0.25, or FAIRGATE_PROGRESS_INTERVAL (seconds, 0 to 10) so that a
 * test can see the line on an input read in less than a quarter of a second. */
static double progress_interval(void)
{
    static double interval = -1;
    if (interval < 0) {
        const char *env = getenv("FAIRGATE_PROGRESS_INTERVAL");
        char *end = NULL;
        double v = env != NULL ? strtod(env, &end) : 0.25;
        interval = env != NULL && end != env && *end == '\0' && v >= 0 && v <= 10 ? v : 0.25;
    }
    return interval;
}

static void progress_show(uint64_t done, uint64_t total, uint64_t rows, void *user)
{
    (void)user;
    if (total < PROGRESS_MIN_BYTES)
        return;
    double now = progress_clock();
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

static int report_error(const struct fg_error *err)
{
    progress_clear();
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
    error_vmessage(fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'fairgate %s%s--help'.\n", command ? command : "", command ? " " : "");
    return EXIT_ERROR;
}

/* Options that may be given more than once (each adds one more file); every other option
 * that takes a value is single. Given twice, a single option is a usage error: the run
 * would otherwise act on the last value and sign it, silently (issue 10, point 10). */
static const char *const repeatable_options[] = {"override", "counts", "subject"};

/* Records option code `c` of `longopts` as seen; a usage error if it is a single option
 * seen before. Option codes are 256 + k, k < 64 (each command's enum). */
static int once(const char *command, const struct option *longopts, int c, uint64_t *seen)
{
    if (c < 256 || c >= 256 + 64)
        return EXIT_PASS;
    for (const struct option *o = longopts; o->name != NULL; o++) {
        if (o->val != c || o->has_arg == no_argument)
            continue;
        for (size_t i = 0; i < sizeof repeatable_options / sizeof repeatable_options[0]; i++)
            if (strcmp(o->name, repeatable_options[i]) == 0)
                return EXIT_PASS;
        uint64_t bit = UINT64_C(1) << (c - 256);
        if (*seen & bit)
            return usage_error(command, "--%s is given twice; give it once", o->name);
        *seen |= bit;
    }
    return EXIT_PASS;
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
    const char *markdown, *html, *junit;
    const char *overrides[MAX_REPEATED];
    size_t n_overrides;
    const char *counts[MAX_REPEATED]; /* --counts: gate on these instead of predictions */
    size_t n_counts;
    struct fg_counts_info counts_info[MAX_REPEATED];
    struct fg_subject subjects[MAX_REPEATED + 3];
    size_t n_subjects;
    int quiet;
    bool force; /* replace a symbolic link at an output path */
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
    out->sha256 = NULL;
    return EXIT_PASS;
}

/* ---- reports and output files ---- */

/* Reports rendered from the audit text; NULL where not asked for. */
struct reports {
    char *markdown, *html, *junit, *annotations;
};

static void reports_free(struct reports *r)
{
    free(r->markdown);
    free(r->html);
    free(r->junit);
    free(r->annotations);
}

static enum fg_status render_reports(const char *audit, bool markdown, bool html, bool junit,
                                     bool annotations, struct reports *r, struct fg_error *err)
{
    enum fg_status st = FG_OK;
    if (markdown)
        st = fg_report_markdown(audit, &r->markdown, err);
    if (st == FG_OK && html)
        st = fg_report_html(audit, &r->html, err);
    if (st == FG_OK && junit)
        st = fg_report_junit(audit, &r->junit, err);
    if (st == FG_OK && annotations)
        st = fg_report_github_annotations(audit, &r->annotations, err);
    return st;
}

struct output {
    const char *path; /* NULL: not asked for */
    const char *text;
};

/* ---- output files under signals ----
 * While a set of outputs has staged files, SIGHUP, SIGINT and SIGTERM remove them (and the
 * backups the set keeps) before the signal takes its default action: the handler calls
 * fg_outputs_abandon, which is async-signal-safe, on the set published here. */

static struct fg_outputs *volatile signal_outputs;
static const int cleanup_signals[] = {SIGHUP, SIGINT, SIGTERM};
static struct sigaction saved_actions[sizeof cleanup_signals / sizeof cleanup_signals[0]];

static void remove_staged_outputs(int sig)
{
    fg_outputs_abandon(signal_outputs);
    signal(sig, SIG_DFL);
    raise(sig); /* delivered when the handler returns */
}

static enum fg_status outputs_begin(struct fg_outputs **set, struct fg_error *err)
{
    enum fg_status st = fg_outputs_new(set, err);
    if (st != FG_OK)
        return st;
    signal_outputs = *set;
    struct sigaction action = {0};
    action.sa_handler = remove_staged_outputs;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++) {
        sigaction(cleanup_signals[i], NULL, &saved_actions[i]);
        if (saved_actions[i].sa_handler != SIG_IGN) /* nohup: stay ignored */
            sigaction(cleanup_signals[i], &action, NULL);
    }
    return FG_OK;
}

/* Commits the set when st is FG_OK (else drops it), restores the signal actions, and
 * returns the exit code (reporting the error). */
static int outputs_end(struct fg_outputs *set, enum fg_status st, struct fg_error *err)
{
    if (st == FG_OK && set != NULL)
        st = fg_outputs_commit(set, err);
    fg_outputs_abandon(set);
    signal_outputs = NULL;
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++)
        sigaction(cleanup_signals[i], &saved_actions[i], NULL);
    fg_outputs_free(set);
    return st == FG_OK ? EXIT_PASS : report_error(err);
}

/* Writes every output or none (lib/util.c, fg_outputs_*), the last one given moved into
 * place last; with GITHUB_STEP_SUMMARY, the Markdown summary is appended to it as part of
 * the same set. force: FG_OUTPUT_FORCE (replace a symbolic link at an output path). */
static int write_outputs(const struct output *outputs, size_t n, const char *step_summary,
                         bool force, struct fg_error *err)
{
    struct fg_outputs *set = NULL;
    enum fg_status st = outputs_begin(&set, err);
    if (st == FG_OK && step_summary != NULL &&
        (st = fg_outputs_add(set, getenv("GITHUB_STEP_SUMMARY"), step_summary, strlen(step_summary),
                             FG_OUTPUT_APPEND, 0, err)) != FG_OK) {
        size_t used = strlen(err->message); /* say which variable names it */
        snprintf(err->message + used, sizeof err->message - used, " (GITHUB_STEP_SUMMARY)");
    }
    for (size_t i = 0; i < n && st == FG_OK; i++)
        if (outputs[i].path != NULL)
            st = fg_outputs_add(set, outputs[i].path, outputs[i].text, strlen(outputs[i].text),
                                force ? FG_OUTPUT_FORCE : 0, 0, err);
    return outputs_end(set, st, err);
}

static bool github_actions(void)
{
    const char *v = getenv("GITHUB_ACTIONS");
    return v != NULL && strcmp(v, "true") == 0;
}

static bool step_summary_wanted(void)
{
    const char *v = getenv("GITHUB_STEP_SUMMARY");
    return v != NULL && v[0] != '\0';
}

/* Reads the --counts files and the digest overrides bind to (fg_counts_binding_sha256). */
static enum fg_status load_counts(const struct fg_policy *policy, struct check_args *a,
                                  struct fg_counts **counts, char binding[65], struct fg_error *err)
{
    enum fg_status st =
        fg_counts_load_files(policy, a->counts, a->n_counts, counts, a->counts_info, err);
    if (st != FG_OK)
        return st;
    const char *digests[MAX_REPEATED];
    for (size_t i = 0; i < a->n_counts; i++)
        digests[i] = a->counts_info[i].sha256;
    fg_counts_binding_sha256(digests, a->n_counts, binding);
    return FG_OK;
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
    struct reports reports = {0};
    long long now = 0, clock = 0; /* now: the audit's 'created'; clock: judges overrides */
    int code = EXIT_ERROR;

    struct fg_ingest_options options = {.candidate_path = a->candidate,
                                        .incumbent_path = a->incumbent};
    if (!a->quiet && isatty(STDERR_FILENO))
        options.progress = progress_show;
    /* With --counts, overrides bind to the counts files, all of them, in order (README
     * "Counts"); with one file, to that file's SHA-256. */
    char binding[65] = "";
    const char *candidate_sha256 = a->n_counts > 0 ? binding : ingest.candidate.sha256;
    if (fg_now(&now, &err) != FG_OK || fg_clock_now(&clock, &err) != FG_OK ||
        fg_policy_load(a->policy, &policy, &err) != FG_OK ||
        (a->sign_key != NULL && fg_key_load_private(a->sign_key, &key, &err) != FG_OK) ||
        (a->n_counts > 0 ? load_counts(policy, a, &counts, binding, &err)
                         : fg_ingest_run(policy, &options, &counts, &ingest, &err)) != FG_OK ||
        fg_metrics_compute(policy, counts, &metrics, &err) != FG_OK ||
        fg_gate_evaluate(policy, metrics, &evaluation, &err) != FG_OK ||
        fg_override_apply(
            policy, metrics, evaluation, a->overrides, a->n_overrides,
            &(struct fg_override_inputs){
                .candidate_sha256 = candidate_sha256,
                .incumbent_sha256 = ingest.has_incumbent_file ? ingest.incumbent.sha256 : NULL},
            clock, &err) != FG_OK) {
        code = report_error(&err);
        goto done;
    }
    bool annotate = github_actions(), step_summary = step_summary_wanted();
    {
        struct fg_audit_inputs inputs = {.policy_path = a->policy,
                                         .ingest = a->n_counts > 0 ? NULL : &ingest,
                                         .created = now,
                                         .counts = a->counts_info,
                                         .n_counts = a->n_counts};
        if (fg_audit_render(policy, metrics, evaluation, &inputs, &audit, &err) != FG_OK ||
            render_reports(audit, a->markdown != NULL || step_summary, a->html != NULL,
                           a->junit != NULL, annotate, &reports, &err) != FG_OK) {
            code = report_error(&err);
            goto done;
        }
    }
    if (a->attestation != NULL) {
        /* The statement's subjects: what was judged, with the digest of the read that fed
         * the gate (never the path read again), then what the user names, then the audit. */
        struct fg_subject subjects[2 * MAX_REPEATED + 4];
        size_t n = 0;
        if (a->candidate != NULL)
            subjects[n++] = (struct fg_subject){base_name(a->candidate), a->candidate, "candidate",
                                                ingest.candidate.sha256};
        for (size_t i = 0; i < a->n_counts; i++)
            subjects[n++] = (struct fg_subject){base_name(a->counts[i]), a->counts[i], "counts",
                                                a->counts_info[i].sha256};
        if (a->incumbent != NULL)
            subjects[n++] = (struct fg_subject){base_name(a->incumbent), a->incumbent, "incumbent",
                                                ingest.incumbent.sha256};
        subjects[n++] = (struct fg_subject){base_name(a->policy), a->policy, "policy",
                                            fg_policy_sha256(policy)};
        for (size_t i = 0; i < a->n_subjects; i++)
            subjects[n++] = a->subjects[i];
        if (a->out != NULL)
            subjects[n++] = (struct fg_subject){base_name(a->out), a->out, "audit", NULL};
        if (fg_attest_build(audit, subjects, n, key, &envelope, &err) != FG_OK) {
            code = report_error(&err);
            goto done;
        }
    }
    /* What goes to standard output comes first: if it fails, no file is written. */
    if (!a->quiet) {
        char *summary = fg_evaluation_summary(policy, metrics, evaluation);
        if (summary == NULL) {
            error_message("out of memory");
            code = EXIT_ERROR;
            goto done;
        }
        fputs(summary, stdout);
        free(summary);
    }
    if (reports.annotations != NULL)
        fputs(reports.annotations, stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_message("cannot write to standard output");
        code = EXIT_ERROR;
        goto done;
    }
    /* The attestation last: it vouches for the audit, so it never sits beside another
     * run's audit (and a failure puts every earlier one back). */
    const struct output outputs[] = {
        {a->out, audit},           {a->markdown, reports.markdown}, {a->html, reports.html},
        {a->junit, reports.junit}, {a->attestation, envelope},
    };
    code = write_outputs(outputs, sizeof outputs / sizeof outputs[0],
                         step_summary ? reports.markdown : NULL, a->force, &err);
    if (code != EXIT_PASS)
        goto done;
    code = fg_evaluation_exit_code(evaluation);

done:
    free(audit);
    free(envelope);
    reports_free(&reports);
    fg_evaluation_free(evaluation);
    fg_metrics_free(metrics);
    fg_counts_free(counts);
    fg_key_free(key);
    fg_policy_free(policy);
    return code;
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
        OPT_MARKDOWN,
        OPT_HTML,
        OPT_JUNIT,
        OPT_COUNTS,
        OPT_FORCE
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
        {"counts", required_argument, NULL, OPT_COUNTS},
        {"markdown", required_argument, NULL, OPT_MARKDOWN},
        {"html", required_argument, NULL, OPT_HTML},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"force", no_argument, NULL, OPT_FORCE},
        {NULL, 0, NULL, 0},
    };
    static struct check_args a;
    memset(&a, 0, sizeof a);
    int index = 0, c;
    opterr = 0;
    uint64_t seen = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        if (once("check", longopts, c, &seen) != EXIT_PASS)
            return EXIT_ERROR;
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
        case OPT_FORCE:
            a.force = true;
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
            /* One name, one file: else `verify --subject NAME=F` would match either. */
            for (size_t i = 0; i < a.n_subjects; i++)
                if (strcmp(a.subjects[i].name, a.subjects[a.n_subjects].name) == 0)
                    return usage_error("check", "--subject %s is given twice", a.subjects[i].name);
            a.n_subjects++;
            break;
        case OPT_OVERRIDE:
            if (a.n_overrides == MAX_REPEATED)
                return usage_error("check", "at most %d --override options", MAX_REPEATED);
            a.overrides[a.n_overrides++] = optarg;
            break;
        case OPT_MARKDOWN:
            a.markdown = optarg;
            break;
        case OPT_HTML:
            a.html = optarg;
            break;
        case OPT_JUNIT:
            a.junit = optarg;
            break;
        case OPT_HELP:
            fputs(usage_check, stdout);
            return finish(EXIT_PASS);
        case OPT_COUNTS:
            if (a.n_counts == MAX_REPEATED)
                return usage_error("check", "at most %d --counts options", MAX_REPEATED);
            a.counts[a.n_counts++] = optarg;
            break;
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
    if (a.n_counts > 0 && (a.candidate != NULL || a.incumbent != NULL))
        return usage_error("check", "%s",
                           "--counts replaces --candidate and --incumbent: give one or the other");
    if (a.candidate == NULL && a.n_counts == 0)
        return usage_error("check", "%s", "--candidate (or --counts) is required");
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
    uint64_t seen = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        if (once("keygen", longopts, c, &seen) != EXIT_PASS)
            return EXIT_ERROR;
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
    struct fg_outputs *set = NULL;
    int code = EXIT_PASS;
    if (fg_key_generate(&key, &err) != FG_OK) {
        code = report_error(&err);
    } else { /* both files or neither */
        enum fg_status st = outputs_begin(&set, &err);
        if (st == FG_OK)
            st = fg_key_add_outputs(key, set, out, pubout, force, &err);
        code = outputs_end(set, st, &err);
    }
    if (code == EXIT_PASS) {
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
        OPT_COUNTS,
        OPT_AUDIT,
        OPT_HELP
    };
    static const struct option longopts[] = {
        {"attestation", required_argument, NULL, OPT_ATTESTATION},
        {"pubkey", required_argument, NULL, OPT_PUBKEY},
        {"audit", required_argument, NULL, OPT_AUDIT},
        {"candidate", required_argument, NULL, OPT_CANDIDATE},
        {"incumbent", required_argument, NULL, OPT_INCUMBENT},
        {"policy", required_argument, NULL, OPT_POLICY},
        {"subject", required_argument, NULL, OPT_SUBJECT},
        {"counts", required_argument, NULL, OPT_COUNTS},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *attestation = NULL, *pubkey = NULL;
    static struct fg_subject checks[MAX_REPEATED + 3];
    size_t n = 0;
    int index = 0, c;
    opterr = 0;
    uint64_t seen = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        if (once("verify", longopts, c, &seen) != EXIT_PASS)
            return EXIT_ERROR;
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
            checks[n++] = (struct fg_subject){NULL, optarg, "candidate", NULL};
            break;
        case OPT_INCUMBENT:
            checks[n++] = (struct fg_subject){NULL, optarg, "incumbent", NULL};
            break;
        case OPT_POLICY:
            checks[n++] = (struct fg_subject){NULL, optarg, "policy", NULL};
            break;
        case OPT_AUDIT: /* the audit subject's digest (or, in an older attestation, the JSON) */
            checks[n++] = (struct fg_subject){NULL, optarg, "audit", NULL};
            break;
        case OPT_COUNTS: /* matched by role and file name, as check names them */
            checks[n++] = (struct fg_subject){base_name(optarg), optarg, "counts", NULL};
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
        OPT_COUNTS,
        OPT_INCUMBENT,
        OPT_FORCE,
        OPT_HELP
    };
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, OPT_POLICY},
        {"candidate", required_argument, NULL, OPT_CANDIDATE},
        {"incumbent", required_argument, NULL, OPT_INCUMBENT},
        {"counts", required_argument, NULL, OPT_COUNTS},
        {"gate", required_argument, NULL, OPT_GATE},
        {"group", required_argument, NULL, OPT_GROUP},
        {"approver", required_argument, NULL, OPT_APPROVER},
        {"role", required_argument, NULL, OPT_ROLE},
        {"reason", required_argument, NULL, OPT_REASON},
        {"ticket", required_argument, NULL, OPT_TICKET},
        {"expires", required_argument, NULL, OPT_EXPIRES},
        {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
        {"out", required_argument, NULL, OPT_OUT},
        {"force", no_argument, NULL, OPT_FORCE},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct fg_override_request req = {0};
    const char *policy_path = NULL, *sign_key = NULL, *out = NULL;
    const char *counts[MAX_REPEATED];
    size_t n_counts = 0;
    char binding[65];
    bool force = false;
    int index = 0, c;
    opterr = 0;
    uint64_t seen = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        if (once("override", longopts, c, &seen) != EXIT_PASS)
            return EXIT_ERROR;
        switch (c) {
        case OPT_POLICY:
            policy_path = optarg;
            break;
        case OPT_CANDIDATE:
            req.candidate_path = optarg;
            break;
        case OPT_INCUMBENT:
            req.incumbent_path = optarg;
            break;
        case OPT_COUNTS:
            if (n_counts == MAX_REPEATED)
                return usage_error("override", "at most %d --counts options", MAX_REPEATED);
            counts[n_counts++] = optarg;
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
        case OPT_FORCE:
            force = true;
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
    if (n_counts > 0 && req.candidate_path != NULL)
        return usage_error("override", "%s", "give --candidate or --counts, not both");
    if (n_counts > 0 && req.incumbent_path != NULL)
        return usage_error("override", "%s",
                           "--incumbent is for --candidate; counts files hold the incumbent");
    if (n_counts > 0) { /* bind to the counts files as check --counts does */
        char digests[MAX_REPEATED][65];
        const char *list[MAX_REPEATED];
        for (size_t i = 0; i < n_counts; i++) {
            struct fg_error derr = {0};
            if (fg_file_sha256(counts[i], digests[i], &derr) != FG_OK)
                return finish(report_error(&derr));
            list[i] = digests[i];
        }
        for (size_t i = 0; i < n_counts; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(digests[i], digests[j]) == 0)
                    return usage_error("override",
                                       "--counts %s has the same bytes as %s: check refuses "
                                       "a shard given twice",
                                       counts[i], counts[j]);
        fg_counts_binding_sha256(list, n_counts, binding);
        req.candidate_path = counts[0];
        req.candidate_sha256 = binding;
    }
    static const char *const names[] = {"--policy",  "--candidate (or --counts)",
                                        "--gate",    "--approver",
                                        "--role",    "--reason",
                                        "--expires", "--sign-key",
                                        "--out"};
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
    if (fg_clock_now(&now, &err) != FG_OK || fg_policy_load(policy_path, &policy, &err) != FG_OK ||
        fg_key_load_private(sign_key, &key, &err) != FG_OK ||
        fg_override_create(policy, &req, key, now, &envelope, &err) != FG_OK)
        code = report_error(&err);
    else
        code = write_outputs(&(struct output){out, envelope}, 1, NULL, force, &err);
    if (code == EXIT_PASS)
        printf("override for gate '%s'%s%s by %s written to %s (expires %s)\n", req.gate,
               req.group ? ", group " : "", req.group ? req.group : "", req.approver, out,
               req.expires);
    free(envelope);
    fg_key_free(key);
    fg_policy_free(policy);
    return finish(code);
}

/* ---- report ---- */

static int cmd_report(int argc, char **argv)
{
    enum {
        OPT_AUDIT = 256,
        OPT_ATTESTATION,
        OPT_PUBKEY,
        OPT_MARKDOWN,
        OPT_HTML,
        OPT_JUNIT,
        OPT_FORCE,
        OPT_HELP
    };
    static const struct option longopts[] = {
        {"audit", required_argument, NULL, OPT_AUDIT},
        {"attestation", required_argument, NULL, OPT_ATTESTATION},
        {"pubkey", required_argument, NULL, OPT_PUBKEY},
        {"markdown", required_argument, NULL, OPT_MARKDOWN},
        {"html", required_argument, NULL, OPT_HTML},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"force", no_argument, NULL, OPT_FORCE},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *audit_path = NULL, *attestation = NULL, *pubkey = NULL;
    const char *markdown = NULL, *html = NULL, *junit = NULL;
    bool force = false;
    int index = 0, c;
    opterr = 0;
    uint64_t seen = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        if (once("report", longopts, c, &seen) != EXIT_PASS)
            return EXIT_ERROR;
        switch (c) {
        case OPT_AUDIT:
            audit_path = optarg;
            break;
        case OPT_ATTESTATION:
            attestation = optarg;
            break;
        case OPT_PUBKEY:
            pubkey = optarg;
            break;
        case OPT_MARKDOWN:
            markdown = optarg;
            break;
        case OPT_HTML:
            html = optarg;
            break;
        case OPT_JUNIT:
            junit = optarg;
            break;
        case OPT_FORCE:
            force = true;
            break;
        case OPT_HELP:
            fputs(usage_report, stdout);
            return finish(EXIT_PASS);
        case ':':
            return usage_error("report", "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("report", "unexpected argument '%s'", argv[optind]);
    if ((attestation == NULL) != (pubkey == NULL))
        return usage_error("report", "%s", "--attestation and --pubkey go together");
    if (audit_path == NULL && attestation == NULL)
        return usage_error("report", "%s", "--attestation with --pubkey (or --audit) is required");
    if (markdown == NULL && html == NULL && junit == NULL)
        return usage_error("report", "%s", "name at least one of --markdown, --html, --junit");
    struct fg_error err = {0};
    struct reports reports = {0};
    struct fg_key *key = NULL;
    char *audit = NULL, *lines = NULL;
    int valid = 1, code;
    const char *source = audit_path != NULL ? audit_path : attestation;
    if (attestation == NULL) {
        fprintf(stderr,
                "fairgate: warning: %s is not verified; give --attestation A --pubkey P to "
                "render the attested audit\n",
                audit_path);
        if (fg_report_read_audit(audit_path, &audit, &err) != FG_OK)
            return finish(report_error(&err));
    } else if (fg_key_load_public(pubkey, &key, &err) != FG_OK ||
               fg_attest_audit(attestation, key, audit_path, &audit, &valid, &lines, &err) !=
                   FG_OK) {
        fg_key_free(key);
        return finish(report_error(&err));
    }
    fg_key_free(key);
    if (!valid) { /* why, then nothing is written */
        fputs(lines ? lines : "", stderr);
        error_message("%s: the attestation is INVALID%s; no report written", attestation,
                      audit_path ? " for this audit" : "");
        free(lines);
        return finish(EXIT_GATE_FAILED);
    }
    free(lines);
    if (render_reports(audit, markdown != NULL, html != NULL, junit != NULL, false, &reports,
                       &err) != FG_OK) {
        if (err.file[0] == '\0') /* the renderers know the text, not where it came from */
            snprintf(err.file, sizeof err.file, "%s", source);
        code = report_error(&err);
    } else {
        const struct output outputs[] = {
            {markdown, reports.markdown}, {html, reports.html}, {junit, reports.junit}};
        code = write_outputs(outputs, sizeof outputs / sizeof outputs[0], NULL, force, &err);
    }
    free(audit);
    reports_free(&reports);
    return finish(code);
}

/* ---- counts ---- */

static int cmd_counts(int argc, char **argv)
{
    enum {
        OPT_FORCE = 256,
        OPT_POLICY,
        OPT_CANDIDATE,
        OPT_INCUMBENT,
        OPT_OUT,
        OPT_QUIET,
        OPT_HELP
    };
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, OPT_POLICY},
        {"candidate", required_argument, NULL, OPT_CANDIDATE},
        {"incumbent", required_argument, NULL, OPT_INCUMBENT},
        {"out", required_argument, NULL, OPT_OUT},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"force", no_argument, NULL, OPT_FORCE},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *out = NULL;
    struct fg_ingest_options options = {0};
    bool quiet = false, force = false;
    int index = 0, c;
    opterr = 0;
    uint64_t seen = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        if (once("counts", longopts, c, &seen) != EXIT_PASS)
            return EXIT_ERROR;
        switch (c) {
        case OPT_POLICY:
            policy_path = optarg;
            break;
        case OPT_CANDIDATE:
            options.candidate_path = optarg;
            break;
        case OPT_INCUMBENT:
            options.incumbent_path = optarg;
            break;
        case OPT_OUT:
            out = optarg;
            break;
        case OPT_QUIET:
            quiet = true;
            break;
        case OPT_FORCE:
            force = true;
            break;
        case OPT_HELP:
            fputs(usage_counts, stdout);
            return finish(EXIT_PASS);
        case ':':
            return usage_error("counts", "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("counts", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("counts", "unexpected argument '%s'", argv[optind]);
    if (policy_path == NULL || options.candidate_path == NULL || out == NULL)
        return usage_error("counts", "%s", "--policy, --candidate and --out are required");
    struct fg_error err = {0};
    struct fg_policy *policy = NULL;
    struct fg_counts *counts = NULL;
    struct fg_ingest_result ingest = {0};
    char *csv = NULL;
    size_t len = 0;
    int code = EXIT_PASS;
    if (!quiet && isatty(STDERR_FILENO)) /* the biggest inputs go through this command */
        options.progress = progress_show;
    if (fg_policy_load(policy_path, &policy, &err) != FG_OK ||
        fg_counts_policy_check(policy, &err) != FG_OK ||
        fg_ingest_run(policy, &options, &counts, &ingest, &err) != FG_OK ||
        fg_counts_render_csv(policy, counts, &csv, &len, &err) != FG_OK)
        code = report_error(&err);
    else
        code = write_outputs(&(struct output){out, csv}, 1, NULL, force, &err);
    if (code == EXIT_PASS && !quiet)
        printf("counts: %llu rows read (%llu dropped), the table written to %s\n",
               (unsigned long long)ingest.candidate.rows,
               (unsigned long long)ingest.candidate.rows_dropped, out);
    free(csv);
    fg_counts_free(counts);
    fg_policy_free(policy);
    return finish(code);
}

/* ---- sql ---- */

static int cmd_sql(int argc, char **argv)
{
    enum { OPT_POLICY = 256, OPT_TABLE, OPT_DIALECT, OPT_HELP };
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, OPT_POLICY},
        {"table", required_argument, NULL, OPT_TABLE},
        {"dialect", required_argument, NULL, OPT_DIALECT},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *table = NULL, *dialect_name = "ansi";
    int index = 0, c;
    opterr = 0;
    uint64_t seen = 0;
    while ((c = getopt_long(argc, argv, "+:", longopts, &index)) != -1) {
        if (once("sql", longopts, c, &seen) != EXIT_PASS)
            return EXIT_ERROR;
        switch (c) {
        case OPT_POLICY:
            policy_path = optarg;
            break;
        case OPT_TABLE:
            table = optarg;
            break;
        case OPT_DIALECT:
            dialect_name = optarg;
            break;
        case OPT_HELP:
            fputs(usage_sql, stdout);
            return finish(EXIT_PASS);
        case ':':
            return usage_error("sql", "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("sql", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("sql", "unexpected argument '%s'", argv[optind]);
    if (policy_path == NULL || table == NULL)
        return usage_error("sql", "%s", "--policy and --table are required");
    struct fg_error err = {0};
    enum fg_sql_dialect dialect = FG_SQL_ANSI;
    if (fg_sql_dialect_parse(dialect_name, &dialect, &err) != FG_OK)
        return usage_error("sql", "%s", err.message);
    struct fg_policy *policy = NULL;
    char *query = NULL;
    int code = EXIT_PASS;
    if (fg_policy_load(policy_path, &policy, &err) != FG_OK ||
        fg_sql_render(policy, table, dialect, &query, &err) != FG_OK)
        code = report_error(&err);
    else
        fputs(query, stdout);
    free(query);
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
    if (fg_policy_lint(argv[1], &policy, &err) != FG_OK)
        return report_error(&err);
    char *warnings = fg_policy_warnings(policy);
    fg_policy_free(policy);
    if (warnings == NULL) {
        error_message("out of memory");
        return finish(EXIT_ERROR);
    }
    fputs(warnings, stderr);
    free(warnings);
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
    if (strcmp(command, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(command, "counts") == 0)
        return cmd_counts(argc - 1, argv + 1);
    if (strcmp(command, "sql") == 0)
        return cmd_sql(argc - 1, argv + 1);
    return usage_error(NULL, "unknown command '%s'", command);
}
