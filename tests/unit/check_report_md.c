/*
 * check_report_md.c - unit tests of lib/report_md.c: the Markdown report and the GitHub
 * annotations, rendered from audit JSON.
 *
 * Fixtures in tests/fixtures/audit (or $FAIRGATE_AUDIT_FIXTURES):
 *   md-loan.json     a real audit (`fairgate check` on `fg_gen --rows 5000 --seed 7
 *                    --scenario loan` with policies/loan-approval.yaml, SOURCE_DATE_EPOCH
 *                    1700000000) with "groups" emptied, as the reports do not read them;
 *                    the expected values were checked against the audit with jq.
 *   md-hostile.json  a handcrafted audit whose names and group values are hostile
 *                    (pipes, HTML, newlines, backticks, control characters) and with an
 *                    infinite ratio, an insufficient group and a rejected override.
 *   junit-cases.json gates failed by small groups alone, gates without groups, a group
 *                    override, equalized odds (shared with check_report_junit.c).
 * Escaping vectors are run through a one-gate audit built here with cJSON, so that any
 * byte string (malformed UTF-8 too) can be a group value.
 */
#include "fairgate.h"
#include "util.h"
#include "test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static char *markdown_of_fixture(const char *name)
{
    char *audit = read_fixture(name);
    char *md = NULL;
    struct fg_error err = {0};
    ck_assert_msg(fg_report_markdown(audit, &md, &err) == FG_OK, "%s: %s", name, err.message);
    free(audit);
    ck_assert_ptr_nonnull(md);
    return md;
}

/* True when text has a line equal to line. */

/* Cell separators of a table line: '|' not escaped by an odd run of backslashes. */
static size_t count_pipes(const char *line, size_t len)
{
    size_t pipes = 0, backslashes = 0;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '|' && backslashes % 2 == 0)
            pipes++;
        backslashes = line[i] == '\\' ? backslashes + 1 : 0;
    }
    return pipes;
}

/* Every line of every table has as many cells as its header; returns the table count. */
static size_t check_tables(const char *md)
{
    size_t tables = 0, header_pipes = 0;
    bool in_table = false;
    for (const char *p = md; *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0 && p[0] == '|') {
            size_t pipes = count_pipes(p, len);
            if (!in_table) {
                header_pipes = pipes;
                in_table = true;
                tables++;
            }
            ck_assert_msg(pipes == header_pipes, "table row has %zu separators, header %zu: %.*s",
                          pipes, header_pipes, (int)len, p);
            ck_assert_msg(p[len - 1] == '|', "table row does not end with '|': %.*s", (int)len, p);
        } else {
            in_table = false;
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return tables;
}

/* Occurrences of needle in [from, to) (to NULL: the end). */
static size_t count_in(const char *from, const char *to, const char *needle)
{
    size_t n = 0;
    for (const char *p = from; (p = strstr(p, needle)) != NULL && (to == NULL || p < to); p++)
        n++;
    return n;
}

/* The pull-request layout: the verdict on the first line, the gate table before any failing
 * group, every <details> closed before the next opens and at the end, nothing of the
 * failing part inside one. */
static void check_layout(const char *md)
{
    ck_assert_msg(strncmp(md, "## ", 3) == 0 && strstr(md, " fairgate: ") < strchr(md, '\n'),
                  "the first line is the verdict: %.80s", md);
    const char *table = strstr(md, "\n| Status | Gate | Worst group | Value vs bound |\n");
    ck_assert_ptr_nonnull(table);
    const char *failing = strstr(md, "\n### ");
    const char *details = strstr(md, "\n<details>");
    ck_assert(failing == NULL || table < failing);
    ck_assert(details == NULL || table < details);
    ck_assert(failing == NULL || details == NULL || failing < details);
    int depth = 0;
    for (const char *p = md; *p != '\0';
         p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        if (strncmp(p, "<details>", 9) == 0)
            ck_assert_int_eq(depth++, 0);
        if (strncmp(p, "</details>", 10) == 0)
            ck_assert_int_eq(--depth, 0);
    }
    ck_assert_int_eq(depth, 0);
    ck_assert_uint_eq(count_in(md, NULL, "<details>"), count_in(md, NULL, "</details>"));
}

/* A one-gate audit: a failing selection_rate ratio gate with one group. */
struct one_gate {
    const char *gate_id;
    const char *label;
    const char *status;      /* of the result and of the gate */
    const char *why;         /* NULL: none */
    const char *policy_path; /* NULL: none */
    int line;                /* the gate's line in the policy; 0: none */
};

/* Appends a selection_rate ratio gate, bound min 0.8, at line (0: none) of the policy. */
static cJSON *add_ratio_gate(cJSON *gates, const char *id, int line)
{
    cJSON *gate = cJSON_CreateObject();
    cJSON_AddItemToArray(gates, gate);
    cJSON_AddStringToObject(gate, "id", id);
    if (line > 0)
        cJSON_AddNumberToObject(gate, "line", line);
    cJSON_AddStringToObject(gate, "metric", "selection_rate");
    cJSON_AddStringToObject(gate, "scope", "groups");
    cJSON_AddStringToObject(gate, "disparity", "ratio");
    cJSON_AddStringToObject(gate, "reference", "highest");
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(gate, "bound"), "min", 0.8);
    cJSON_AddNumberToObject(gate, "min_group_size", 30);
    cJSON_AddStringToObject(gate, "on_small_group", "warn");
    return gate;
}

static char *one_gate_audit(const struct one_gate *spec)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "schema", "fairgate.audit/v1");
    cJSON *policy = cJSON_AddObjectToObject(a, "policy");
    cJSON_AddStringToObject(policy, "name", "p");
    cJSON_AddStringToObject(policy, "sha256", "00");
    if (spec->policy_path != NULL)
        cJSON_AddStringToObject(policy, "path", spec->policy_path);
    cJSON_AddArrayToObject(a, "groups");
    cJSON *gate = add_ratio_gate(cJSON_AddArrayToObject(a, "gates"), spec->gate_id, spec->line);
    bool fails = strcmp(spec->status, "fail") == 0;
    cJSON_AddStringToObject(gate, "status", fails ? "fail" : "warn");
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(gate, "results"), r);
    cJSON_AddStringToObject(r, "label", spec->label);
    if (fails) {
        cJSON_AddNumberToObject(r, "value", 0.5);
        cJSON *limit = cJSON_AddObjectToObject(r, "limit"); /* what gate.c decides */
        cJSON_AddStringToObject(limit, "name", "min");
        cJSON_AddNumberToObject(limit, "value", 0.8);
        cJSON_AddNumberToObject(r, "deviation", 0.3);
        cJSON_AddNumberToObject(gate, "worst_result", 0);
    } else {
        cJSON_AddNullToObject(r, "value");
        cJSON_AddNullToObject(gate, "worst_result");
    }
    cJSON_AddNumberToObject(r, "group_value", 0.25);
    cJSON *ref = cJSON_AddObjectToObject(r, "reference");
    cJSON_AddStringToObject(ref, "label", "g=top");
    cJSON_AddNumberToObject(ref, "value", 0.5);
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(r, "bound"), "min", 0.8);
    cJSON_AddNumberToObject(r, "n", fails ? 100 : 5);
    cJSON_AddStringToObject(r, "status", spec->status);
    if (spec->why)
        cJSON_AddStringToObject(r, "why", spec->why);
    cJSON_AddNullToObject(r, "incumbent");
    cJSON_AddArrayToObject(a, "overrides");
    cJSON_AddStringToObject(a, "verdict", fails ? "fail" : "pass");
    char *text = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    ck_assert_ptr_nonnull(text);
    return text;
}

/* ---- the real audit ---- */

static const char *const loan_lines[] = {
    "## \xe2\x9d\x8c fairgate: FAIL \xe2\x80\x94 loan-approval",
    "3 of 4 gates failed.",
    "| Status | Gate | Worst group | Value vs bound |",
    "| \xe2\x9d\x8c fail | four-fifths | sex=Male & race=Black | selection\\_rate ratio 0.6773 vs "
    "\xe2\x89\xa5 0.8 |",
    "| \xe2\x9d\x8c fail | equalized-odds | sex=Female & race=Black | equalized\\_odds difference "
    "0.2997 (fpr) vs \xe2\x89\xa4 0.1 |",
    "| \xe2\x9d\x8c fail | no-fairness-regression | sex=Male & race=Black | selection\\_rate ratio "
    "0.6773, worsening +0.1879 vs worsening \xe2\x89\xa4 0.02 |",
    "| \xe2\x9c\x85 pass | accuracy-floor | overall | overall accuracy 0.7302 vs \xe2\x89\xa5 0.7 "
    "|",
    "### Failing groups",
    "#### four-fifths: \xe2\x9d\x8c fail",
    "*29 CFR 1607.4(D) adverse impact on approval rates*",
    "| Group | n | Group rate | Candidate | Incumbent | Reference | Bound | Status |",
    "|---|--:|--:|--:|--:|---|---|---|",
    "| race=Black | 869 | 0.5535 | 0.7148 | 0.8766 | race=Asian (0.7744) | \xe2\x89\xa5 0.8 | "
    "\xe2\x9d\x8c fail: 0.7148 is below the minimum 0.8 |",
    "| race=Asian | 359 | 0.7744 | 1.0000 | 1.0000 | race=Asian (0.7744) | \xe2\x89\xa5 0.8 | "
    "\xe2\x9c\x85 pass |",
    "| sex=Female & race=Native | 9 | 0.7778 | undefined | undefined | "
    "sex=Male & race=Asian (undefined) | \xe2\x89\xa5 0.8 | \xe2\x9d\x94 insufficient data: "
    "only 9 rows (min\\_group\\_size 30) |",
    "| sex=Female & race=Black | 92 | 0.2717 | 0.2997 (fpr) | 0.2277 (fpr) | "
    "sex=Male & race=Asian (0.5714) | \xe2\x89\xa4 0.1 | \xe2\x9d\x8c fail: 0.2997 is above the "
    "maximum 0.1 |",
    "| Group | n | Group rate | Candidate | Incumbent | Worsening | Reference | Bound | Status |",
    "| race=Black | 869 | 0.5535 | 0.7148 | 0.8766 | +0.1618 | race=Asian (0.7744) | "
    "worsening \xe2\x89\xa4 0.02 | \xe2\x9d\x8c fail: worse than the incumbent by 0.1618 (0.2852 "
    "vs 0.1234), more than max\\_worsening 0.02 |",
    "| Group | n | Candidate | Incumbent | Bound | Status |",
    "| overall | 5000 | 0.7302 | 0.7232 | \xe2\x89\xa5 0.7 | \xe2\x9c\x85 pass |",
    "<details><summary>Groups with insufficient data (9)</summary>",
    "| equalized-odds | race=Native | 3 | 30 | only 3 actual negatives (min\\_group\\_size 30) |",
    "| no-fairness-regression | sex=Male & race=Native | 5 | 30 | only 5 rows "
    "(min\\_group\\_size 30) |",
    "<details><summary>Overrides (none offered)</summary>",
    "None offered.",
    "<details><summary>Other results (39): 30 passing, 9 with insufficient data</summary>",
    "<details><summary>Inputs and policy</summary>",
    "| candidate | loans5k.csv | 296545e2bd92 | 5000 | 0 |",
    "| incumbent | loans5k.csv | 296545e2bd92 | 5000 | 0 |",
    "Policy loan-approval (loan-approval.yaml), sha256 d335d9f114b3; fairgate 0.1.0; audit "
    "created 2023-11-14T22:13:20Z.",
};

START_TEST(test_loan_lines)
{
    char *md = markdown_of_fixture("md-loan.json");
    ck_assert_msg(has_line(md, loan_lines[_i]), "missing line:\n%s\n--- in ---\n%.1500s",
                  loan_lines[_i], md);
    free(md);
}
END_TEST

START_TEST(test_loan_structure)
{
    char *md = markdown_of_fixture("md-loan.json");
    /* Verdict first; then the gate table, the failing results of the 3 failed gates, the
     * other results of all 4 (collapsed), insufficient data and inputs (collapsed). */
    static const char verdict[] = "## \xe2\x9d\x8c fairgate: FAIL \xe2\x80\x94 loan-approval\n\n";
    ck_assert_msg(strncmp(md, verdict, strlen(verdict)) == 0, "%.60s", md);
    ck_assert_uint_eq(check_tables(md), 1 + 3 + 4 + 1 + 1);
    check_layout(md);
    /* One row per result: as many "| race=Black |" rows as gates with groups (3). */
    size_t rows = 0;
    for (const char *p = md; (p = strstr(p, "\n| race=Black | ")) != NULL; p++)
        rows++;
    ck_assert_uint_eq(rows, 3);
    /* 17 results in each disparity gate, 1 in the overall one: 52 result rows (13 failing
     * open, 39 collapsed) + 9 insufficient + 4 summary + 2 inputs = 67 data rows; 10
     * headers, 10 delimiter rows. */
    size_t lines = 0;
    for (const char *p = md; (p = strstr(p, "\n|")) != NULL; p++)
        lines++;
    ck_assert_uint_eq(lines, 67 + 10 + 10);
    /* Every failing result is in the open part, none in the collapsed one. */
    const char *collapsed = strstr(md, "\n<details>");
    ck_assert_ptr_nonnull(collapsed);
    ck_assert_uint_eq(count_in(md, collapsed, "| \xe2\x9d\x8c fail: "), 13);
    ck_assert_uint_eq(count_in(collapsed, NULL, "| \xe2\x9d\x8c fail: "), 0);
    ck_assert_ptr_null(strstr(md, "nan"));
    ck_assert_ptr_null(strstr(md, "inf"));
    free(md);
}
END_TEST

START_TEST(test_deterministic)
{
    char *a = markdown_of_fixture("md-loan.json");
    char *b = markdown_of_fixture("md-loan.json");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* ---- hostile values ---- */

static const char *const hostile_lines[] = {
    "## \xe2\x9d\x8c fairgate: FAIL \xe2\x80\x94 hostile &lt;b&gt;\\|policy\\|&lt;/b&gt;",
    "1 of 2 gates failed.",
    "| \xe2\x9d\x8c fail | parity\\|50% | g=50% & a:b,c | selection\\_rate ratio \xe2\x88\x9e vs "
    "\xe2\x89\xa4 1.25 |",
    "#### parity\\|50%: \xe2\x9d\x8c fail",
    "*line one&#10;line two &lt;i&gt;x&lt;/i&gt;*",
    "| Group | n | Group rate | Candidate | Reference | Bound | Status |",
    "| g=a\\|b | 100 | 0.2500 | 0.5000 | g=plain (0.5000) | \xe2\x89\xa5 0.8, \xe2\x89\xa4 1.25 | "
    "\xe2\x9d\x8c fail: 0.5000 is below the minimum 0.8 |",
    "| g=&lt;script&gt;alert(1)&lt;/script&gt; | 100 | 0.5000 | 1.0000 | g=plain (0.5000) | "
    "\xe2\x89\xa5 0.8, \xe2\x89\xa4 1.25 | \xe2\x9c\x85 pass |",
    "| g=line&#10;break | 100 | 0.4500 | 0.9000 | g=plain (0.5000) | \xe2\x89\xa5 0.8, "
    "\xe2\x89\xa4 1.25 | \xe2\x9c\x85 pass |",
    "| g=50% & a:b,c | 40 | 0.4000 | \xe2\x88\x9e | g=zero (0.0000) | \xe2\x89\xa5 0.8, "
    "\xe2\x89\xa4 1.25 | \xe2\x9d\x8c fail: infinite is above the maximum 1.25 |",
    "| g=tick\\`\\\\back\"quote'apos\xef\xbf\xbd"
    "ctl | 5 | 0.2000 | undefined | g=plain (undefined) | \xe2\x89\xa5 0.8, \xe2\x89\xa4 1.25 | "
    "\xe2\x9d\x94 insufficient data: only 5 rows (min\\_group\\_size 30) |",
    "| parity\\|50% | g=tick\\`\\\\back\"quote'apos\xef\xbf\xbd"
    "ctl | 5 | 30 | only 5 rows (min\\_group\\_size 30) |",
    "| parity\\|50% | (whole gate) | eve &lt;eve@example.com&gt; (risk) | ok \\| fine&#10;really | "
    "2025-12-01 | \xe2\x9d\x8c rejected | signature does not verify |",
    "| candidate | data/cand\\|1.csv | abababababab | 1000 | 3 |",
    "| incumbent | none | \xe2\x80\x94 | \xe2\x80\x94 | \xe2\x80\x94 |",
    "Policy hostile &lt;b&gt;\\|policy\\|&lt;/b&gt; (policies/p\\`o\\`l.yaml), sha256 "
    "cdcdcdcdcdcd; fairgate 0.1.0; audit created 2025-11-22T00:00:00Z.",
};

START_TEST(test_hostile_lines)
{
    char *md = markdown_of_fixture("md-hostile.json");
    ck_assert_msg(has_line(md, hostile_lines[_i]), "missing line:\n%s\n--- in ---\n%.1500s",
                  hostile_lines[_i], md);
    free(md);
}
END_TEST

START_TEST(test_hostile_structure)
{
    char *md = markdown_of_fixture("md-hostile.json");
    ck_assert_uint_eq(check_tables(md), 7);
    check_layout(md);
    ck_assert_ptr_null(strstr(md, "<script"));
    ck_assert_ptr_null(strstr(md, "<b>"));
    ck_assert_ptr_null(strstr(md, "\x01"));
    ck_assert(fg_utf8_valid(md, strlen(md)));
    free(md);
}
END_TEST

/* ---- gates that fail on small groups, gates without groups, a group override ---- */

static const char *const cases_lines[] = {
    "3 of 5 gates failed; 1 overridden; 1 without enough data to judge.",
    "| \xe2\x9d\x8c fail | small-fails | g=B | tpr difference: insufficient data (bound "
    "\xe2\x89\xa4 "
    "0.1) |",
    "| \xe2\x9d\x94 insufficient data | nothing-to-judge | \xe2\x80\x94 | selection\\_rate ratio: "
    "no "
    "groups (bound \xe2\x89\xa5 0.8) |",
    "| \xe2\x9d\x8c fail | empty-fails | \xe2\x80\x94 | selection\\_rate ratio: no groups (bound "
    "\xe2\x89\xa5 0.8) |",
    "| \xe2\x9a\xa0\xef\xb8\x8f overridden | overridden-group | g=B | selection\\_rate ratio "
    "0.6000 "
    "vs \xe2\x89\xa5 0.8 |",
    "Note: no groups",
    "No groups were evaluated.",
    "| g=B | 100 | 0.3000 | 0.6000 | 0.9000 | g=A (0.5000) | \xe2\x89\xa5 0.8 | "
    "\xe2\x9a\xa0\xef\xb8\x8f overridden: 0.6000 is below the minimum 0.8 |",
    "| g=A | 100 | 0.5000 | 0.0000 (fpr) | 0.0000 (tpr) | g=A (0.5000) | \xe2\x89\xa4 0.1 | "
    "\xe2\x9c\x85 pass |",
    "| overridden-group | g=B | risk@bank.example (model-risk) | accepted for Q4 (ticket RISK-1) | "
    "2025-12-15 | \xe2\x9c\x85 applied | applied to gate 'overridden-group', group g=B by "
    "risk@bank.example (model-risk) |",
    "| incumbent | i.csv | cdcdcdcdcdcd | 500 | 0 |",
};

START_TEST(test_cases_lines)
{
    char *md = markdown_of_fixture("junit-cases.json");
    ck_assert_msg(has_line(md, cases_lines[_i]), "missing line:\n%s\n--- in ---\n%.1500s",
                  cases_lines[_i], md);
    free(md);
}
END_TEST

static const char *const fixtures[] = {"md-loan.json", "md-hostile.json", "junit-cases.json"};

START_TEST(test_fixture_tables)
{
    char *md = markdown_of_fixture(fixtures[_i]);
    ck_assert_uint_ge(check_tables(md), 4);
    ck_assert(fg_utf8_valid(md, strlen(md)));
    ck_assert_msg(md[strlen(md) - 1] == '\n', "the report ends with a newline");
    free(md);
}
END_TEST

struct escape_vector {
    const char *label;
    const char *cell; /* the group's cell in its gate table */
};

static const struct escape_vector md_vectors[] = {
    {"a|b", "a\\|b"},
    {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
    {"two\nlines", "two&#10;lines"},
    {"crlf\r\nend", "crlf&#13;&#10;end"},
    {"back\\slash", "back\\\\slash"},
    {"`code`", "\\`code\\`"},
    {"a & b", "a & b"},
    {"a&amp;b", "a&amp;amp;b"},
    {"&#60;", "&amp;\\#60;"},
    {"*bold* _it_ ~s~", "\\*bold\\* \\_it\\_ \\~s\\~"},
    {"[x](http://e.example)", "\\[x\\](http://e.example)"},
    {"$x$ #1", "\\$x\\$ \\#1"},
    {"tab\there", "tab&#9;here"},
    {"ctl\x01\x1b\x7f", "ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"Zo\xc3\xab \xe6\x97\xa5\xf0\x9f\x98\x80", "Zo\xc3\xab \xe6\x97\xa5\xf0\x9f\x98\x80"},
};

START_TEST(test_escape_vectors)
{
    const struct escape_vector *v = &md_vectors[_i];
    struct one_gate spec = {"g", v->label, "fail", "0.5000 is below the minimum 0.8", NULL, 0};
    char *audit = one_gate_audit(&spec);
    char *md = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_markdown(audit, &md, &err), FG_OK);
    char want[512];
    snprintf(want, sizeof want, "\n| %s | 100 | 0.2500 | 0.5000 | g=top (0.5000) |", v->cell);
    ck_assert_msg(strstr(md, want) != NULL, "label %s: want row starting %s\n--- in ---\n%.1500s",
                  v->label, want + 1, md);
    check_tables(md);
    ck_assert(fg_utf8_valid(md, strlen(md)));
    free(md);
    free(audit);
}
END_TEST

/* ---- GitHub annotations ---- */

START_TEST(test_annotations_loan)
{
    char *audit = read_fixture("md-loan.json");
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_github_annotations(audit, &out, &err), FG_OK);
    static const char *const want[] = {
        "::error title=fairgate four-fifths::sex=Male & race=Black: selection_rate ratio 0.6773, "
        "bound min 0.8: 0.6773 is below the minimum 0.8 (3 of 17 results fail)",
        "::error title=fairgate equalized-odds::sex=Female & race=Black: equalized_odds "
        "difference 0.2997 (fpr), bound max 0.1: 0.2997 is above the maximum 0.1 (6 of 17 "
        "results fail)",
        "::error title=fairgate no-fairness-regression::sex=Male & race=Black: selection_rate "
        "ratio 0.6773, bound max_worsening 0.02: worse than the incumbent by 0.1879 (0.3227 vs "
        "0.1347), more than max_worsening 0.02 (4 of 17 results fail)",
        /* 13 failing results, 3 named; 9 insufficient ones (in failed gates), none named */
        "::notice title=fairgate::Not annotated (one annotation per gate, at most 10): 10 more "
        "failing results, 9 more results with insufficient data. The job summary and the HTML "
        "report list every result.",
    };
    for (size_t i = 0; i < N_OF(want); i++)
        ck_assert_msg(has_line(out, want[i]), "missing:\n%s\n--- in ---\n%.1500s", want[i], out);
    /* One per failed gate, failing first; the insufficient results are all in failed gates,
     * so no warning; the notice last; nothing for the passing gate. An audit from before
     * gates had a line: no file or line property. */
    size_t errors = 0, warnings = 0, notices = 0, lines = 0;
    for (const char *p = out; *p != '\0'; p = strchr(p, '\n') + 1) {
        errors += strncmp(p, "::error title=", 14) == 0;
        warnings += strncmp(p, "::warning ", 10) == 0;
        notices += strncmp(p, "::notice ", 9) == 0;
        ck_assert_int_eq(strncmp(p, lines < 3 ? "::error " : "::notice ", lines < 3 ? 8 : 9), 0);
        lines++;
        ck_assert_ptr_nonnull(strchr(p, '\n'));
    }
    ck_assert_uint_eq(errors, 3);
    ck_assert_uint_eq(warnings, 0);
    ck_assert_uint_eq(notices, 1);
    ck_assert_uint_eq(lines, 4);
    ck_assert_ptr_null(strstr(out, "accuracy-floor"));
    free(out);
    free(audit);
}
END_TEST

struct annotation_vector {
    struct one_gate spec;
    const char *line; /* the whole output */
};

static const struct annotation_vector gh_vectors[] = {
    {{"four-fifths", "g=50%", "fail", "50% below", NULL, 0},
     "::error title=fairgate four-fifths::g=50%25: selection_rate ratio 0.5000, bound min 0.8: "
     "50%25 below\n"},
    {{"a:b,c", "g=x", "fail", NULL, NULL, 0},
     "::error title=fairgate a%3Ab%2Cc::g=x: selection_rate ratio 0.5000, bound min 0.8\n"},
    {{"100%", "a:b,c", "fail", "why", NULL, 0},
     "::error title=fairgate 100%25::a:b,c: selection_rate ratio 0.5000, bound min 0.8: why\n"},
    {{"multi\nline\r", "g=x\r\ny", "fail", "one\ntwo", NULL, 0},
     "::error title=fairgate multi%0Aline%0D::g=x%0D%0Ay: selection_rate ratio 0.5000, bound min "
     "0.8: one%0Atwo\n"},
    {{"a:b,c", "g=x\ny", "insufficient_data", "only 5 rows (min_group_size 30)", NULL, 0},
     "::warning title=fairgate a%3Ab%2Cc::g=x%0Ay: only 5 rows (min_group_size 30)\n"},
    {{"g", "ctl\x01\x1b", "insufficient_data", "50%", NULL, 0},
     "::warning title=fairgate g::ctl\xef\xbf\xbd\xef\xbf\xbd: 50%25\n"},
    /* The gate's place in the policy: file= escaped as a property, line= as recorded. */
    {{"ff", "g=x", "fail", "why", "policies/a:b,c%d.yaml", 12},
     "::error file=policies/a%3Ab%2Cc%25d.yaml,line=12,title=fairgate ff::g=x: selection_rate "
     "ratio 0.5000, bound min 0.8: why\n"},
    {{"ff", "g=x\ny", "insufficient_data", "only 5 rows", "p.yaml", 3},
     "::warning file=p.yaml,line=3,title=fairgate ff::g=x%0Ay: only 5 rows\n"},
    /* A path without a line (an audit older than gate lines) points nowhere. */
    {{"ff", "g=x", "fail", NULL, "p.yaml", 0},
     "::error title=fairgate ff::g=x: selection_rate ratio 0.5000, bound min 0.8\n"},
};

START_TEST(test_annotation_vectors)
{
    const struct annotation_vector *v = &gh_vectors[_i];
    char *audit = one_gate_audit(&v->spec);
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_github_annotations(audit, &out, &err), FG_OK);
    ck_assert_str_eq(out, v->line);
    free(out);
    free(audit);
}
END_TEST

START_TEST(test_annotations_empty_when_nothing_to_say)
{
    /* A passing audit without small groups. */
    static const char audit[] =
        "{\"schema\":\"fairgate.audit/v1\",\"policy\":{\"name\":\"p\"},\"groups\":[],"
        "\"gates\":[{\"id\":\"g\","
        "\"metric\":\"accuracy\",\"scope\":\"overall\",\"bound\":{\"min\":0.5},\"status\":\"pass\","
        "\"results\":[{\"label\":\"overall\",\"value\":0.9,\"bound\":{\"min\":0.5},"
        "\"status\":\"pass\"}]}],"
        "\"overrides\":[],\"verdict\":\"pass\",\"exit_code\":0}";
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_github_annotations(audit, &out, &err), FG_OK);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "");
    free(out);
    char *md = NULL;
    ck_assert_int_eq(fg_report_markdown(audit, &md, &err), FG_OK);
    ck_assert(has_line(md, "## \xe2\x9c\x85 fairgate: PASS \xe2\x80\x94 p"));
    ck_assert(has_line(md, "No gate failed (1 gate)."));
    ck_assert(has_line(md, "| overall | \xe2\x80\x94 | 0.9000 | \xe2\x89\xa5 0.5 | "
                           "\xe2\x9c\x85 pass |"));
    free(md);
}
END_TEST

START_TEST(test_annotations_small_groups_fail)
{
    char *audit = read_fixture("junit-cases.json");
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_github_annotations(audit, &out, &err), FG_OK);
    /* One per gate, the failed ones first: the small group that fails small-fails is named
     * there (no warning of its own); the gate with nothing to judge warns; the overridden
     * gate says nothing; nothing is left out, so no notice. */
    ck_assert_str_eq(out, "::error title=fairgate small-fails::1 of 2 results have insufficient "
                          "data and on_small_group is 'fail' (g=B: only 4 actual positives "
                          "(min_group_size 30))\n"
                          "::error title=fairgate empty-fails::no groups could be evaluated\n"
                          "::error title=fairgate odds::g=B: equalized_odds difference 0.2500 "
                          "(fpr), bound max 0.1: 0.2500 is above the maximum 0.1\n"
                          "::warning title=fairgate nothing-to-judge::no groups could be "
                          "evaluated\n");
    free(out);
    free(audit);
}
END_TEST

/* ---- big audits: the pull-request budget ---- */

#define BIG_POLICY "policies/big.yaml"

/* An audit of n_gates selection_rate ratio gates of n_groups results each, the first
 * failing[i] results of gate i failing; gate i's entry on line 10 + 5 i of BIG_POLICY.
 * Labels are multi-byte, so a cut inside a character would show. */
static char *big_audit(size_t n_gates, size_t n_groups, const size_t *failing)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "schema", "fairgate.audit/v1");
    cJSON *policy = cJSON_AddObjectToObject(a, "policy");
    cJSON_AddStringToObject(policy, "name", "big");
    cJSON_AddStringToObject(policy, "path", BIG_POLICY);
    cJSON_AddStringToObject(policy, "sha256", "00");
    cJSON_AddArrayToObject(a, "groups");
    cJSON *gates = cJSON_AddArrayToObject(a, "gates");
    bool any_fail = false;
    for (size_t i = 0; i < n_gates; i++) {
        char id[32];
        snprintf(id, sizeof id, "gate-%zu", i);
        cJSON *gate = add_ratio_gate(gates, id, (int)(10 + 5 * i));
        cJSON_AddStringToObject(gate, "status", failing[i] > 0 ? "fail" : "pass");
        any_fail = any_fail || failing[i] > 0;
        cJSON *results = cJSON_AddArrayToObject(gate, "results");
        for (size_t j = 0; j < n_groups; j++) {
            bool fails = j < failing[i];
            cJSON *r = cJSON_CreateObject();
            cJSON_AddItemToArray(results, r);
            char label[48];
            snprintf(label, sizeof label, "g=gr\xc3\xbcppe-%zu \xe6\x97\xa5", j);
            cJSON_AddStringToObject(r, "label", label);
            cJSON_AddNumberToObject(r, "value", fails ? 0.5 : 0.9);
            cJSON_AddNumberToObject(r, "group_value", fails ? 0.25 : 0.45);
            cJSON *ref = cJSON_AddObjectToObject(r, "reference");
            cJSON_AddStringToObject(ref, "label", "g=top");
            cJSON_AddNumberToObject(ref, "value", 0.5);
            cJSON_AddNumberToObject(cJSON_AddObjectToObject(r, "bound"), "min", 0.8);
            cJSON *limit = cJSON_AddObjectToObject(r, "limit");
            cJSON_AddStringToObject(limit, "name", "min");
            cJSON_AddNumberToObject(limit, "value", 0.8);
            cJSON_AddNumberToObject(r, "n", 100);
            cJSON_AddStringToObject(r, "status", fails ? "fail" : "pass");
            if (fails)
                cJSON_AddStringToObject(r, "why", "0.5000 is below the minimum 0.8");
        }
        cJSON_AddNumberToObject(gate, "worst_result", 0);
    }
    cJSON_AddArrayToObject(a, "overrides");
    cJSON_AddStringToObject(a, "verdict", any_fail ? "fail" : "pass");
    cJSON_AddNumberToObject(a, "exit_code", any_fail ? 1 : 0);
    char *text = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    ck_assert_ptr_nonnull(text);
    return text;
}

static char *render(enum fg_status (*renderer)(const char *, char **, struct fg_error *),
                    const char *audit)
{
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_msg(renderer(audit, &out, &err) == FG_OK, "%s", err.message);
    return out;
}

/* Characters (code points) of a UTF-8 text. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

#define GITHUB_COMMENT_LIMIT 65536
#define CUT_LINE             "**This report was cut to fit a pull-request comment:** "

/* 40 failing results in 12 gates (4 + 4 + 4 + 4 + 3 x 8), 17 groups each: everything fits,
 * the 40 failing rows are in the open part, nothing is cut. */
static const size_t forty[12] = {4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3};

START_TEST(test_forty_failing_markdown)
{
    char *audit = big_audit(12, 17, forty);
    char *md = render(fg_report_markdown, audit);
    ck_assert_uint_lt(utf8_chars(md), GITHUB_COMMENT_LIMIT);
    ck_assert_uint_le(strlen(md), 60000);
    ck_assert(has_line(md, "## \xe2\x9d\x8c fairgate: FAIL \xe2\x80\x94 big"));
    ck_assert(has_line(md, "12 of 12 gates failed."));
    check_layout(md);
    check_tables(md);
    const char *collapsed = strstr(md, "\n<details>");
    ck_assert_ptr_nonnull(collapsed);
    ck_assert_uint_eq(count_in(md, collapsed, "| \xe2\x9d\x8c fail: 0.5000 is below"), 40);
    ck_assert_uint_eq(count_in(md, NULL, "| \xe2\x9d\x8c fail: 0.5000 is below"), 40);
    ck_assert_uint_eq(count_in(collapsed, NULL, "\n| g=gr\xc3\xbcppe-"), 12 * 17 - 40);
    /* one gate-table row per gate, before the failing part */
    ck_assert_uint_eq(
        count_in(md, strstr(md, "\n### Failing groups"), "| \xe2\x9d\x8c fail | gate-"), 12);
    ck_assert(has_line(md, "| \xe2\x9d\x8c fail | gate-11 | g=gr\xc3\xbcppe-0 \xe6\x97\xa5 | "
                           "selection\\_rate ratio 0.5000 vs \xe2\x89\xa5 0.8 |"));
    ck_assert_ptr_null(strstr(md, CUT_LINE));
    free(md);
    free(audit);
}
END_TEST

/* Lines of text starting with prefix; the first such line in *first. */
static size_t lines_starting(const char *text, const char *prefix, const char **first)
{
    size_t n = 0;
    *first = NULL;
    for (const char *p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
        if (strncmp(p, prefix, strlen(prefix)) == 0 && n++ == 0)
            *first = p;
        ck_assert_ptr_nonnull(strchr(p, '\n'));
    }
    return n;
}

START_TEST(test_forty_failing_annotations)
{
    char *audit = big_audit(12, 17, forty);
    char *out = render(fg_report_github_annotations, audit);
    const char *p;
    /* 9 gates, in policy order, each at its line; then the notice: 10 lines */
    ck_assert_uint_eq(lines_starting(out, "::", &p), 10);
    ck_assert_uint_eq(lines_starting(out, "::error ", &p), 9);
    for (size_t i = 0; i < 9; i++) {
        char want[160];
        snprintf(want, sizeof want,
                 "::error file=" BIG_POLICY ",line=%zu,title=fairgate gate-%zu::", 10 + 5 * i, i);
        ck_assert_msg(strncmp(p, want, strlen(want)) == 0, "line %zu: %.120s", i, p);
        p = strchr(p, '\n') + 1;
    }
    ck_assert_str_eq(p, "::notice title=fairgate::Not annotated (one annotation per gate, at most "
                        "10): 3 more failed gates, 31 more failing results. The job summary and "
                        "the HTML report list every result.\n");
    free(out);
    free(audit);
}
END_TEST

/* Exactly 10 failed gates with one failing result each: all 10 annotated, no notice. */
START_TEST(test_ten_gates_no_notice)
{
    static const size_t one[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    char *audit = big_audit(10, 3, one);
    char *out = render(fg_report_github_annotations, audit);
    const char *p;
    ck_assert_uint_eq(lines_starting(out, "::error file=" BIG_POLICY ",line=", &p), 10);
    ck_assert_uint_eq(lines_starting(out, "::notice", &p), 0);
    free(out);
    free(audit);
}
END_TEST

/* 20 gates x 5000 groups: cut at a row under the budget, <details> balanced, the last line
 * says how many results are left out and points at the HTML report. */
START_TEST(test_huge_audit_is_cut)
{
    size_t failing[20];
    for (size_t i = 0; i < 20; i++)
        failing[i] = _i == 0 ? 5000 : (i == 0 ? 3 : 0); /* all failing, or 3 of 100000 */
    char *audit = big_audit(20, 5000, failing);
    char *md = render(fg_report_markdown, audit);
    size_t len = strlen(md);
    ck_assert_uint_le(len, 60000);
    ck_assert_uint_lt(utf8_chars(md), GITHUB_COMMENT_LIMIT);
    ck_assert(fg_utf8_valid(md, len));
    check_layout(md);
    check_tables(md);
    ck_assert(has_line(md, _i == 0 ? "20 of 20 gates failed." : "1 of 20 gates failed."));
    /* the cut line is the last line, a paragraph of its own (not one more table row) */
    const char *cut = strstr(md, "\n\n" CUT_LINE);
    ck_assert_ptr_nonnull(cut);
    ck_assert_ptr_eq(strchr(cut + 2, '\n'), md + len - 1);
    ck_assert_ptr_nonnull(strstr(cut, "`report.html`"));
    size_t shown = count_in(md, NULL, "\n| g=gr\xc3\xbcppe-");
    size_t shown_fails = count_in(md, NULL, "| \xe2\x9d\x8c fail: 0.5000 is below");
    size_t fails = _i == 0 ? 100000 : 3;
    ck_assert_uint_gt(shown, 100);
    char want[200];
    snprintf(want, sizeof want, "%zu of 100000 results are not shown here (%zu of them failing)",
             100000 - shown, fails - shown_fails);
    ck_assert_msg(strstr(cut, want) != NULL, "want '%s' in %s", want, cut);
    /* the gate table is whole: every gate has its line */
    for (size_t i = 0; i < 20; i++) {
        char row[64];
        snprintf(row, sizeof row, " | gate-%zu | g=gr", i);
        ck_assert_msg(strstr(md, row) != NULL, "gate %zu has no row", i);
    }
    free(md);
    free(audit);
}
END_TEST

START_TEST(test_huge_audit_annotations)
{
    size_t failing[20];
    for (size_t i = 0; i < 20; i++)
        failing[i] = 500;
    char *audit = big_audit(20, 500, failing);
    char *out = render(fg_report_github_annotations, audit);
    const char *p;
    ck_assert_uint_eq(lines_starting(out, "::error ", &p), 9);
    ck_assert_uint_eq(lines_starting(out, "::notice ", &p), 1);
    ck_assert_str_eq(p, "::notice title=fairgate::Not annotated (one annotation per gate, at most "
                        "10): 11 more failed gates, 9991 more failing results. The job summary "
                        "and the HTML report list every result.\n");
    free(out);
    free(audit);
}
END_TEST

/* A policy name of any length leaves the verdict heading short and whole characters. */
START_TEST(test_long_policy_name)
{
    char *audit = big_audit(1, 1, forty);
    cJSON *a = cJSON_Parse(audit);
    char name[3001];
    for (size_t i = 0; i < 1000; i++)
        memcpy(name + 3 * i, "\xe6\x97\xa5", 3);
    name[3000] = '\0';
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(a, "policy"), "name", cJSON_CreateString(name));
    char *text = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    char *md = render(fg_report_markdown, text);
    const char *eol = strchr(md, '\n');
    ck_assert_uint_le((size_t)(eol - md), 300);
    ck_assert(fg_utf8_valid(md, (size_t)(eol - md)));
    ck_assert_int_eq(memcmp(eol - 6, "\xe6\x97\xa5\xe2\x80\xa6", 6), 0); /* whole, then "…" */
    free(md);
    free(text);
    free(audit);
}
END_TEST

/* A group value of any length: the gate table and each annotation stay one short line of
 * whole characters; the result's own row shows it whole while it fits, else the report is
 * cut before that row. */
START_TEST(test_long_label)
{
    static const size_t sizes[] = {10000, 100000};
    size_t size = sizes[_i];
    char *label = malloc(size + 1);
    ck_assert_ptr_nonnull(label);
    memcpy(label, "g=", 2);
    for (size_t i = 2; i + 3 <= size; i += 3)
        memcpy(label + i, "\xe6\x97\xa5", 3);
    label[2 + (size - 2) / 3 * 3] = '\0';
    struct one_gate spec = {"g", label, "fail", "0.5000 is below the minimum 0.8", "p.yaml", 9};
    char *audit = one_gate_audit(&spec);

    char *out = render(fg_report_github_annotations, audit);
    ck_assert_uint_le(strlen(out), 2100);
    ck_assert(fg_utf8_valid(out, strlen(out)));
    ck_assert_int_eq(
        strncmp(out, "::error file=p.yaml,line=9,title=fairgate g::g=\xe6\x97\xa5", 47), 0);
    ck_assert_str_eq(out + strlen(out) - 4, "\xe2\x80\xa6\n");
    ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);

    char *md = render(fg_report_markdown, audit);
    ck_assert_uint_le(strlen(md), 60000);
    ck_assert(fg_utf8_valid(md, strlen(md)));
    check_layout(md);
    check_tables(md);
    const char *row = strstr(md, "\n| \xe2\x9d\x8c fail | g | g=");
    ck_assert_ptr_nonnull(row);
    const char *eol = strchr(row + 1, '\n');
    ck_assert_uint_le((size_t)(eol - row), 500);
    ck_assert_ptr_nonnull(strstr(row, "\xe2\x80\xa6 | selection\\_rate ratio 0.5000 vs"));
    bool whole = strstr(md, label) != NULL, cut = strstr(md, CUT_LINE) != NULL;
    ck_assert_msg(_i == 0 ? whole && !cut : !whole && cut, "label of %zu bytes", size);
    free(md);
    free(out);
    free(audit);
    free(label);
}
END_TEST

/* ---- errors ---- */

struct bad_audit {
    const char *text;
    enum fg_status code;
    const char *message; /* a substring of the error */
};

static const struct bad_audit bad_audits[] = {
    {"{}", FG_ERR_INPUT, "\"schema\""},
    {"not JSON", FG_ERR_INPUT, "not JSON"},
    {"{\"schema\": \"fairgate.audit/v1\",\n  \"verdict\": }", FG_ERR_INPUT,
     "the audit is not JSON"},
    {"", FG_ERR_INPUT, "not JSON"},
    {"[]", FG_ERR_INPUT, "not an object"},
    {"{\"schema\":\"fairgate.audit/v2\"}", FG_ERR_INPUT, "\"schema\""},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"maybe\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[],\"gates\":[]}",
     FG_ERR_INPUT, "\"verdict\""},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{},"
     "\"groups\":[],\"gates\":[]}",
     FG_ERR_INPUT, "\"policy\""},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[],\"gates\":{}}",
     FG_ERR_INPUT, "\"gates\""},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":{},\"gates\":[]}",
     FG_ERR_INPUT, "\"groups\" is not an array"},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[],\"gates\":[{\"id\":\"g\",\"metric\":\"tpr\",\"status\":\"pass\","
     "\"results\":[{\"status\":\"pass\"}]}]}",
     FG_ERR_INPUT, "gates[0].results[0] has no \"label\""},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[],\"gates\":[{\"id\":\"g\",\"metric\":\"tpr\",\"status\":\"pass\","
     "\"results\":[{\"label\":\"x\",\"status\":\"great\"}]}]}",
     FG_ERR_INPUT, "gates[0].results[0] has no known \"status\""},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[],\"gates\":[{\"metric\":\"tpr\",\"status\":\"pass\",\"results\":[]}]}",
     FG_ERR_INPUT, "gates[0] has no \"id\""},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[],\"gates\":[],\"overrides\":[1]}",
     FG_ERR_INPUT, "\"overrides\""},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[],\"gates\":[]} trailing",
     FG_ERR_INPUT, "not JSON"},
    /* The strict JSON gate (lib/json.c): invalid UTF-8 never reaches a renderer (fairgate's
     * own audits are UTF-8), nor an audit two JSON readers would read differently. */
    {"{\"schema\":\"bad\xff\xfe\"}", FG_ERR_INPUT, "invalid UTF-8"},
    {"{\"schema\":\"overlong\xc0\xaf\"}", FG_ERR_INPUT, "invalid UTF-8"},
    {"{\"schema\":\"cut\xe2\x82\"}", FG_ERR_INPUT, "invalid UTF-8"},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"fail\",\"verdict\":\"pass\"}", FG_ERR_INPUT,
     "'verdict' is given twice"},
    {"{\"schema\":\"fairgate.audit/v1\\u0000x\"}", FG_ERR_INPUT, "\\u0000"},
};

START_TEST(test_bad_audits)
{
    const struct bad_audit *b = &bad_audits[_i];
    enum fg_status (*const renderers[])(const char *, char **, struct fg_error *) = {
        fg_report_markdown, fg_report_github_annotations};
    for (size_t k = 0; k < N_OF(renderers); k++) {
        char *out = (char *)"untouched";
        struct fg_error err = {0};
        ck_assert_int_eq(renderers[k](b->text, &out, &err), b->code);
        ck_assert_ptr_null(out);
        ck_assert_int_eq(err.code, b->code);
        ck_assert_msg(strstr(err.message, b->message) != NULL, "input %s: message '%s' lacks '%s'",
                      b->text, err.message, b->message);
    }
}
END_TEST

START_TEST(test_parse_error_place)
{
    /* A syntax error's place is in err.line and err.column, for every renderer (the one
     * check, fg_report_parse_audit); the caller adds the file. */
    enum fg_status (*const renderers[])(const char *, char **, struct fg_error *) = {
        fg_report_markdown, fg_report_github_annotations, fg_report_junit, fg_report_html};
    for (size_t k = 0; k < N_OF(renderers); k++) {
        char *out = (char *)"untouched";
        struct fg_error err = {0};
        ck_assert_int_eq(
            renderers[k]("{\"schema\": \"fairgate.audit/v1\",\n  \"verdict\": }", &out, &err),
            FG_ERR_INPUT);
        ck_assert_ptr_null(out);
        ck_assert_uint_eq(err.line, 2);
        ck_assert_uint_eq(err.column, 14);
        ck_assert_str_eq(err.message, "the audit is not JSON: unexpected character '}'");
    }
}
END_TEST

START_TEST(test_null_audit)
{
    char *out = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_markdown(NULL, &out, &err), FG_ERR_USAGE);
    ck_assert_ptr_null(out);
}
END_TEST

/* ---- main ---- */

static Suite *report_md_suite(void)
{
    Suite *s = suite_create("report_md");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_loan_lines, 0, (int)N_OF(loan_lines));
    tcase_add_test(tc, test_loan_structure);
    tcase_add_test(tc, test_deterministic);
    tcase_add_loop_test(tc, test_hostile_lines, 0, (int)N_OF(hostile_lines));
    tcase_add_test(tc, test_hostile_structure);
    tcase_add_loop_test(tc, test_cases_lines, 0, (int)N_OF(cases_lines));
    tcase_add_loop_test(tc, test_fixture_tables, 0, (int)N_OF(fixtures));
    tcase_add_loop_test(tc, test_escape_vectors, 0, (int)N_OF(md_vectors));
    tcase_add_test(tc, test_annotations_loan);
    tcase_add_loop_test(tc, test_annotation_vectors, 0, (int)N_OF(gh_vectors));
    tcase_add_test(tc, test_annotations_empty_when_nothing_to_say);
    tcase_add_test(tc, test_annotations_small_groups_fail);
    tcase_add_test(tc, test_forty_failing_markdown);
    tcase_add_test(tc, test_forty_failing_annotations);
    tcase_add_test(tc, test_ten_gates_no_notice);
    tcase_add_test(tc, test_huge_audit_annotations);
    tcase_add_test(tc, test_long_policy_name);
    tcase_add_loop_test(tc, test_long_label, 0, 2);
    tcase_add_loop_test(tc, test_bad_audits, 0, (int)N_OF(bad_audits));
    tcase_add_test(tc, test_parse_error_place);
    tcase_add_test(tc, test_null_audit);
    suite_add_tcase(s, tc);
    /* 100,000 results each: seconds on a loaded machine */
    TCase *big = tcase_create("big");
    tcase_set_timeout(big, 120);
    tcase_add_loop_test(big, test_huge_audit_is_cut, 0, 2);
    suite_add_tcase(s, big);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(report_md_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
