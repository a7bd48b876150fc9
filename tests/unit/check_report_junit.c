/*
 * check_report_junit.c - unit tests of lib/report_junit.c: JUnit XML from audit JSON.
 *
 * Fixtures in tests/fixtures/audit (or $FAIRGATE_AUDIT_FIXTURES; see check_report_md.c):
 *   md-loan.json      a real audit: 4 gates, 52 results (13 fail, 9 insufficient)
 *   md-hostile.json   hostile group values and gate ids
 *   junit-cases.json  on_small_group fail, gates without results, a group override, an
 *                     equalized-odds failure
 * The count checks re-count the elements in the XML text itself, suite by suite, so they
 * hold whatever the renderer believes. XML escaping vectors run through a one-group audit
 * built here with cJSON.
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

static char *junit_of_fixture(const char *name)
{
    char *audit = read_fixture(name);
    char *xml = NULL;
    struct fg_error err = {0};
    ck_assert_msg(fg_report_junit(audit, &xml, &err) == FG_OK, "%s: %s", name, err.message);
    free(audit);
    ck_assert_ptr_nonnull(xml);
    return xml;
}

/* Occurrences of needle in [begin, end). */
static size_t count_in(const char *begin, const char *end, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = begin; (p = strstr(p, needle)) != NULL && p + len <= end; p += len)
        n++;
    return n;
}

/* The number in attribute name="..." of the tag starting at tag. */
static size_t attribute(const char *tag, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *close = strchr(tag, '>');
    const char *at = strstr(tag, key);
    ck_assert_msg(at != NULL && close != NULL && at < close, "no %s in %.80s", name, tag);
    char *end = NULL;
    unsigned long v = strtoul(at + strlen(key), &end, 10);
    ck_assert_msg(end != NULL && *end == '"', "%s is not a number in %.80s", name, tag);
    return (size_t)v;
}

struct suite_counts {
    size_t suites, tests, failures, skipped;
};

/* Checks every <testsuite>'s counts against the elements inside it and <testsuites>'s
 * against the sums; returns the totals. */
static struct suite_counts check_counts(const char *xml)
{
    struct suite_counts sum = {0, 0, 0, 0};
    const char *root = strstr(xml, "<testsuites ");
    ck_assert_ptr_nonnull(root);
    for (const char *s = root; (s = strstr(s, "<testsuite ")) != NULL;) {
        const char *end = strstr(s, "</testsuite>");
        ck_assert_ptr_nonnull(end);
        size_t tests = count_in(s, end, "<testcase "), failures = count_in(s, end, "<failure "),
               skipped = count_in(s, end, "<skipped ");
        ck_assert_uint_eq(attribute(s, "tests"), tests);
        ck_assert_uint_eq(attribute(s, "failures"), failures);
        ck_assert_uint_eq(attribute(s, "skipped"), skipped);
        ck_assert_uint_eq(attribute(s, "errors"), 0);
        ck_assert_uint_le(failures + skipped, tests);
        sum.suites++;
        sum.tests += tests;
        sum.failures += failures;
        sum.skipped += skipped;
        s = end;
    }
    const char *all_end = xml + strlen(xml);
    ck_assert_uint_eq(attribute(root, "tests"), sum.tests);
    ck_assert_uint_eq(attribute(root, "failures"), sum.failures);
    ck_assert_uint_eq(attribute(root, "skipped"), sum.skipped);
    ck_assert_uint_eq(attribute(root, "errors"), 0);
    ck_assert_uint_eq(count_in(xml, all_end, "<testcase "), sum.tests);
    ck_assert_uint_eq(count_in(xml, all_end, "</testsuite>"), sum.suites);
    return sum;
}

/* Well-formed enough to trust: valid UTF-8, no control characters but LF and tab, every
 * '&' starts one of the entities we write, no timestamps. */
static void check_text(const char *xml)
{
    ck_assert(fg_utf8_valid(xml, strlen(xml)));
    for (const unsigned char *p = (const unsigned char *)xml; *p != '\0'; p++) {
        ck_assert_msg(*p >= 0x20 || *p == '\n' || *p == '\t', "control byte 0x%02x", *p);
        if (*p == '&') {
            static const char *const entities[] = {"&amp;",  "&lt;",  "&gt;", "&quot;",
                                                   "&apos;", "&#10;", "&#9;", "&#13;"};
            bool known = false;
            for (size_t i = 0; i < N_OF(entities); i++)
                known = known || strncmp((const char *)p, entities[i], strlen(entities[i])) == 0;
            ck_assert_msg(known, "stray '&' at %.20s", (const char *)p);
        }
    }
    ck_assert_ptr_null(strstr(xml, "timestamp"));
    ck_assert_ptr_null(strstr(xml, " time="));
    ck_assert_ptr_null(strstr(xml, "hostname"));
}

/* A one-gate audit with one result of the given status. */
static char *one_group_audit(const char *gate_id, const char *label, const char *status,
                             const char *why)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "schema", "fairgate.audit/v1");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(a, "policy"), "name", "p");
    cJSON_AddArrayToObject(a, "groups");
    cJSON *gate = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(a, "gates"), gate);
    cJSON_AddStringToObject(gate, "id", gate_id);
    cJSON_AddStringToObject(gate, "metric", "selection_rate");
    cJSON_AddStringToObject(gate, "scope", "groups");
    cJSON_AddStringToObject(gate, "disparity", "ratio");
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(gate, "bound"), "min", 0.8);
    cJSON_AddStringToObject(gate, "on_small_group", "warn");
    cJSON_AddStringToObject(gate, "status", status);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(gate, "results"), r);
    cJSON_AddStringToObject(r, "label", label);
    cJSON_AddNumberToObject(r, "value", 0.5);
    cJSON_AddNumberToObject(r, "group_value", 0.25);
    cJSON *ref = cJSON_AddObjectToObject(r, "reference");
    cJSON_AddStringToObject(ref, "label", "g=top");
    cJSON_AddNumberToObject(ref, "value", 0.5);
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(r, "bound"), "min", 0.8);
    cJSON_AddNumberToObject(r, "n", 100);
    cJSON_AddStringToObject(r, "status", status);
    if (why != NULL)
        cJSON_AddStringToObject(r, "why", why);
    cJSON_AddNullToObject(r, "incumbent");
    cJSON_AddArrayToObject(a, "overrides");
    cJSON_AddStringToObject(a, "verdict", strcmp(status, "fail") == 0 ? "fail" : "pass");
    char *text = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    ck_assert_ptr_nonnull(text);
    return text;
}

/* ---- fixtures ---- */

struct fixture_counts {
    const char *fixture;
    struct suite_counts want;
};

static const struct fixture_counts fixture_counts[] = {
    {"md-loan.json", {4, 52, 13, 9}},
    {"md-hostile.json", {2, 7, 2, 1}},
    {"junit-cases.json", {5, 8, 3, 1}},
};

START_TEST(test_counts)
{
    const struct fixture_counts *f = &fixture_counts[_i];
    char *xml = junit_of_fixture(f->fixture);
    struct suite_counts got = check_counts(xml);
    ck_assert_uint_eq(got.suites, f->want.suites);
    ck_assert_uint_eq(got.tests, f->want.tests);
    ck_assert_uint_eq(got.failures, f->want.failures);
    ck_assert_uint_eq(got.skipped, f->want.skipped);
    check_text(xml);
    free(xml);
}
END_TEST

/* Each fixture's output holds these exact lines. */
struct fixture_line {
    const char *fixture;
    const char *line;
};

static const struct fixture_line fixture_lines[] = {
    {"md-loan.json", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"},
    {"md-loan.json",
     "<testsuites name=\"fairgate\" tests=\"52\" failures=\"13\" skipped=\"9\" errors=\"0\">"},
    {"md-loan.json", "  <testsuite name=\"fairgate.four-fifths\" tests=\"17\" failures=\"3\" "
                     "skipped=\"3\" errors=\"0\">"},
    {"md-loan.json", "  <testsuite name=\"fairgate.equalized-odds\" tests=\"17\" failures=\"6\" "
                     "skipped=\"3\" errors=\"0\">"},
    {"md-loan.json", "  <testsuite name=\"fairgate.accuracy-floor\" tests=\"1\" failures=\"0\" "
                     "skipped=\"0\" errors=\"0\">"},
    {"md-loan.json", "    <testcase classname=\"fairgate.four-fifths\" name=\"race=Asian\"/>"},
    {"md-loan.json", "    <testcase classname=\"fairgate.four-fifths\" name=\"race=Black\">"},
    {"md-loan.json", "      <failure message=\"race=Black: selection_rate ratio 0.7148, bound min "
                     "0.8: 0.7148 is below the minimum 0.8\" type=\"fairness\">gate: four-fifths "
                     "(selection_rate ratio)"},
    {"md-loan.json", "group: race=Black (n 869)"},
    {"md-loan.json", "candidate: 0.7148 (group rate 0.5535; reference race=Asian 0.7744)"},
    {"md-loan.json", "incumbent: 0.8766"},
    {"md-loan.json", "worsening: +0.1618"},
    {"md-loan.json", "bound: max_worsening 0.02"},
    {"md-loan.json", "    <testcase classname=\"fairgate.four-fifths\" name=\"sex=Male &amp; "
                     "race=Native\">"},
    {"md-loan.json", "      <skipped message=\"only 5 rows (min_group_size 30)\"/>"},
    {"md-loan.json", "      <property name=\"description\" value=\"29 CFR 1607.4(D) adverse "
                     "impact on approval rates\"/>"},
    {"md-loan.json", "    <testcase classname=\"fairgate.accuracy-floor\" name=\"overall\"/>"},
    {"md-loan.json", "</testsuites>"},
    {"md-hostile.json", "  <testsuite name=\"fairgate.parity|50%\" tests=\"6\" failures=\"2\" "
                        "skipped=\"1\" errors=\"0\">"},
    {"md-hostile.json", "    <testcase classname=\"fairgate.parity|50%\" "
                        "name=\"g=&lt;script&gt;alert(1)&lt;/script&gt;\"/>"},
    {"md-hostile.json",
     "    <testcase classname=\"fairgate.parity|50%\" name=\"g=line&#10;break\"/>"},
    {"md-hostile.json", "      <failure message=\"g=50% &amp; a:b,c: selection_rate ratio "
                        "\xe2\x88\x9e, bound min 0.8, max 1.25: infinite is above the maximum "
                        "1.25\" type=\"fairness\">gate: parity|50% (selection_rate ratio)"},
    {"md-hostile.json", "    <testcase classname=\"fairgate.parity|50%\" "
                        "name=\"g=tick`\\back&quot;quote&apos;apos\xef\xbf\xbd"
                        "ctl\">"},
    {"md-hostile.json", "      <property name=\"description\" value=\"line one&#10;line two "
                        "&lt;i&gt;x&lt;/i&gt;\"/>"},
    {"junit-cases.json", "  <testsuite name=\"fairgate.small-fails\" tests=\"2\" failures=\"1\" "
                         "skipped=\"0\" errors=\"0\">"},
    {"junit-cases.json", "      <failure message=\"only 4 actual positives (min_group_size 30) "
                         "(on_small_group is fail)\" type=\"insufficient_data\">gate: small-fails "
                         "(tpr difference)"},
    {"junit-cases.json", "  <testsuite name=\"fairgate.nothing-to-judge\" tests=\"1\" "
                         "failures=\"0\" skipped=\"1\" errors=\"0\">"},
    {"junit-cases.json", "      <skipped message=\"no groups could be evaluated\"/>"},
    {"junit-cases.json", "      <property name=\"note\" value=\"no groups\"/>"},
    {"junit-cases.json", "  <testsuite name=\"fairgate.empty-fails\" tests=\"1\" failures=\"1\" "
                         "skipped=\"0\" errors=\"0\">"},
    {"junit-cases.json", "      <failure message=\"no groups could be evaluated\" "
                         "type=\"insufficient_data\"/>"},
    {"junit-cases.json", "  <testsuite name=\"fairgate.overridden-group\" tests=\"2\" "
                         "failures=\"0\" skipped=\"0\" errors=\"0\">"},
    {"junit-cases.json", "      <system-out>overridden: 0.6000 is below the minimum 0.8"},
    {"junit-cases.json", "override by risk@bank.example (model-risk), expires 2025-12-15: "
                         "accepted for Q4 (ticket RISK-1)"},
    {"junit-cases.json", "      <failure message=\"g=B: equalized_odds difference 0.2500 (fpr), "
                         "bound max 0.1: 0.2500 is above the maximum 0.1\" type=\"fairness\">"
                         "gate: odds (equalized_odds difference)"},
    {"junit-cases.json", "incumbent: 0.0500 (tpr)"},
};

START_TEST(test_lines)
{
    const struct fixture_line *f = &fixture_lines[_i];
    char *xml = junit_of_fixture(f->fixture);
    ck_assert_msg(has_line(xml, f->line), "%s: missing line:\n%s\n--- in ---\n%.1500s", f->fixture,
                  f->line, xml);
    free(xml);
}
END_TEST

START_TEST(test_deterministic)
{
    char *a = junit_of_fixture("md-loan.json");
    char *b = junit_of_fixture("md-loan.json");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* ---- escaping ---- */

struct xml_vector {
    const char *label;
    const char *name;    /* in the testcase's name attribute */
    const char *message; /* at the start of the one-line failure message */
    const char *text;    /* in the failure's details, "group: ... (n 100)" */
};

static const struct xml_vector xml_vectors[] = {
    {"<script>", "&lt;script&gt;", "&lt;script&gt;: ", "&lt;script&gt;"},
    {"a&b", "a&amp;b", "a&amp;b: ", "a&amp;b"},
    {"\"q\" 'a'", "&quot;q&quot; &apos;a&apos;",
     "&quot;q&quot; &apos;a&apos;: ", "&quot;q&quot; &apos;a&apos;"},
    {"x\ny", "x&#10;y", "x y: ", "x\ny"},
    {"x\r\ny", "x&#13;&#10;y", "x  y: ", "x&#13;\ny"},
    {"tab\there", "tab&#9;here", "tab here: ", "tab\there"},
    {"]]>", "]]&gt;", "]]&gt;: ", "]]&gt;"},
    {"ctl\x01\x08\x1b", "ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
     "ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd: ", "ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"nc\xef\xbf\xbe\xef\xbf\xbf", "nc\xef\xbf\xbd\xef\xbf\xbd",
     "nc\xef\xbf\xbd\xef\xbf\xbd: ", "nc\xef\xbf\xbd\xef\xbf\xbd"},
    {"Zo\xc3\xab \xf0\x9f\x98\x80", "Zo\xc3\xab \xf0\x9f\x98\x80",
     "Zo\xc3\xab \xf0\x9f\x98\x80: ", "Zo\xc3\xab \xf0\x9f\x98\x80"},
};

START_TEST(test_xml_escaping)
{
    const struct xml_vector *v = &xml_vectors[_i];
    char *audit = one_group_audit("g<&>\"'", v->label, "fail", "why <&>");
    char *xml = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_junit(audit, &xml, &err), FG_OK);
    char want[512];
    snprintf(want, sizeof want,
             "<testcase classname=\"fairgate.g&lt;&amp;&gt;&quot;&apos;\" name=\"%s\">", v->name);
    ck_assert_msg(strstr(xml, want) != NULL, "want %s\n--- in ---\n%.1500s", want, xml);
    snprintf(want, sizeof want, "<failure message=\"%s", v->message);
    ck_assert_msg(strstr(xml, want) != NULL, "want %s\n--- in ---\n%.1500s", want, xml);
    snprintf(want, sizeof want, "\ngroup: %s (n 100)\n", v->text);
    ck_assert_msg(strstr(xml, want) != NULL, "want %s\n--- in ---\n%.1500s", want, xml);
    ck_assert_ptr_nonnull(strstr(xml, "why &lt;&amp;&gt;\" type=\"fairness\">"));
    check_counts(xml);
    ck_assert(fg_utf8_valid(xml, strlen(xml)));
    free(xml);
    free(audit);
}
END_TEST

/* ---- errors ---- */

struct bad_audit {
    const char *text;
    const char *message;
};

static const struct bad_audit bad_audits[] = {
    {"{}", "\"schema\""},
    {"not JSON", "not JSON"},
    {"[1, 2]", "not an object"},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[]}",
     "\"gates\" is not an array"},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"gates\":[]}",
     "\"groups\" is not an array"},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[],\"gates\":[{\"id\":\"g\",\"metric\":\"tpr\",\"status\":\"pass\"}]}",
     "gates[0].results is not an array"},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"policy\":{\"name\":\"p\"},"
     "\"groups\":[],\"gates\":[{\"id\":\"g\",\"metric\":\"tpr\",\"status\":\"meh\","
     "\"results\":[]}]}",
     "gates[0] has no known \"status\""},
    /* The strict JSON gate (lib/json.c): invalid UTF-8 never reaches a renderer (fairgate's
     * own audits are UTF-8: lib/counts.c refuses other group values), nor does an audit
     * that two JSON readers would read differently. */
    {"{\"schema\":\"bad\xff\"}", "invalid UTF-8"},
    {"{\"schema\":\"surrogate\xed\xa0\x80\"}", "invalid UTF-8"},
    {"{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"fail\",\"verdict\":\"pass\"}",
     "'verdict' is given twice"},
    {"\xef\xbb\xbf{}", "byte order mark"},
};

START_TEST(test_bad_audits)
{
    char *out = (char *)"untouched";
    struct fg_error err = {0};
    ck_assert_int_eq(fg_report_junit(bad_audits[_i].text, &out, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(err.message, bad_audits[_i].message) != NULL, "'%s' lacks '%s'",
                  err.message, bad_audits[_i].message);
}
END_TEST

/* ---- main ---- */

static Suite *report_junit_suite(void)
{
    Suite *s = suite_create("report_junit");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_counts, 0, (int)N_OF(fixture_counts));
    tcase_add_loop_test(tc, test_lines, 0, (int)N_OF(fixture_lines));
    tcase_add_test(tc, test_deterministic);
    tcase_add_loop_test(tc, test_xml_escaping, 0, (int)N_OF(xml_vectors));
    tcase_add_loop_test(tc, test_bad_audits, 0, (int)N_OF(bad_audits));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(report_junit_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
