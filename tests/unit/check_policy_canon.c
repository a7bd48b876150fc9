/*
 * check_policy_canon.c - unit tests of lib/policy_canon.c, the canonical serialisation of a
 * parsed policy and its digest (policy.canonical_sha256).
 *
 * One policy (POLICY) is serialised and compared with a string written by hand from the
 * rules in README "The policy's canonical digest"; the same policy written another way
 * (SAME_MEANING: comments, block style, other key order, defaults written out, the same key
 * by path) gives the same text; each edit in changes[] (a bound, a gate, a group, an
 * approver, whether a gate blocks...) gives another digest.
 */
#define _POSIX_C_SOURCE 200809L

#include "buf.h"
#include "fairgate.h"
#include "test_util.h"
#include "util.h"

#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(array) (sizeof(array) / sizeof((array)[0]))

/* The Ed25519 public key of RFC 8410 section 10.1 and its key id (check_policy.c). */
#define RFC8410_ID "a1e9156054e04fac899ae9f275132cdc07a5dbc4ea2c2ad3a1ffc6e0d253681f"
#define K2         "2222222222222222222222222222222222222222222222222222222222222222"
#define K3         "3222222222222222222222222222222222222222222222222222222222222222"

static const char POLICY[] =
    "version: 1\n"
    "name: \"canon \\\"test\\\"\\t\\u03c0\\u0001\"\n"
    "data:\n"
    "  id: row\n"
    "  label: y\n"
    "  positive_label: \"1\"\n"
    "  protected: [sex, race]\n"
    "  intersections: all\n"
    "  candidate: {score: p, threshold: 0.5}\n"
    "  incumbent: {prediction: old}\n"
    "  favorable_prediction: \"1\"\n"
    "  missing: drop\n"
    "  delimiter: \";\"\n"
    "defaults:\n"
    "  reference: {race: white, sex: male}\n"
    "  min_group_size: 30\n"
    "gates:\n"
    "  - id: dp\n"
    "    metric: selection_rate\n"
    "    disparity: ratio\n"
    "    min: 0.8\n"
    "    description: \"four\\nfifths\"\n"
    "  - id: reg\n"
    "    metric: tpr\n"
    "    disparity: difference\n"
    "    max: 0.1\n"
    "    reference: between_groups\n"
    "    on_small_group: fail\n"
    "    vs_incumbent: {max_worsening: 0.0000001}\n"
    "    bootstrap: {resamples: 500, seed: 7}\n"
    "  - id: floor\n"
    "    metric: accuracy\n"
    "    enforce: warn\n"
    "    overall: {min: 0.3333333333333333}\n"
    "  - id: ge\n"
    "    metric: aif360.between_group_generalized_entropy_index\n"
    "    ge_alpha: 0.5\n"
    "    overall: {max: 0.01}\n"
    "  - id: cdd\n"
    "    metric: clarify.CDDPL\n"
    "    strata: race\n"
    "    reference: rest\n"
    "    max: 0.2\n"
    "overrides:\n"
    "  approvers:\n"
    "    - {name: zed, role: r2, public_key: k/z.pub, keyid: " K2 "}\n"
    "    - name: amy\n"
    "      role: r1\n"
    "      public_key: |\n"
    "        -----BEGIN PUBLIC KEY-----\n"
    "        MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
    "        -----END PUBLIC KEY-----\n"
    "  max_days: 10\n"
    "  not_overridable: [floor, dp]\n";

/* Written by hand from the rules: keys sorted at every level, effective values (the
 * defaults' reference in every gate that does not set its own), approvers by name with
 * their key id, not_overridable sorted, shortest round-trip numbers, JSON escapes. */
static const char EXPECTED[] =
    "{\"calibration_bins\":10,"
    "\"data\":{\"candidate\":{\"favorable\":\"above\",\"score\":\"p\",\"threshold\":0.5},"
    "\"delimiter\":\";\",\"favorable_prediction\":\"1\",\"id\":\"row\","
    "\"incumbent\":{\"prediction\":\"old\"},\"intersections\":[[\"sex\",\"race\"]],"
    "\"join\":\"id\",\"label\":\"y\",\"missing\":\"drop\",\"positive_label\":\"1\","
    "\"protected\":[\"sex\",\"race\"]},"
    "\"defaults\":{\"alpha\":0.05,\"correction\":\"holm\",\"enforce\":\"block\","
    "\"evidence\":\"point\","
    "\"min_group_size\":30,\"on_small_group\":\"warn\","
    "\"reference\":{\"race\":\"white\",\"sex\":\"male\"},\"resamples\":2000,\"seed\":20261202},"
    "\"gates\":["
    "{\"alpha\":0.05,\"correction\":\"holm\",\"description\":\"four\\nfifths\","
    "\"disparity\":\"ratio\",\"enforce\":\"block\",\"evidence\":\"point\",\"id\":\"dp\","
    "\"max\":null,"
    "\"max_worsening\":null,\"metric\":\"selection_rate\",\"min\":0.8,\"min_group_size\":30,"
    "\"on_small_group\":\"warn\",\"order\":\"group_minus_reference\",\"overall\":false,"
    "\"reference\":{\"race\":\"white\",\"sex\":\"male\"},\"resamples\":2000,\"seed\":20261202},"
    "{\"alpha\":0.05,\"correction\":\"holm\",\"description\":null,\"disparity\":\"difference\","
    "\"enforce\":\"block\",\"evidence\":\"point\",\"id\":\"reg\",\"max\":0.1,\"max_worsening\":1e-"
    "07,\"metric\":\"tpr\","
    "\"min\":null,\"min_group_size\":30,\"on_small_group\":\"fail\",\"order\":\"group_minus_"
    "reference\",\"overall\":false,"
    "\"reference\":\"between_groups\",\"resamples\":500,\"seed\":7},"
    "{\"alpha\":0.05,\"correction\":\"holm\",\"description\":null,\"disparity\":null,"
    "\"enforce\":\"warn\",\"evidence\":\"point\",\"id\":\"floor\",\"max\":null,\"max_worsening\":"
    "null,"
    "\"metric\":\"accuracy\",\"min\":0.3333333333333333,\"min_group_size\":30,"
    "\"on_small_group\":\"warn\",\"order\":null,\"overall\":true,"
    "\"reference\":{\"race\":\"white\",\"sex\":\"male\"},\"resamples\":2000,\"seed\":20261202},"
    "{\"alpha\":0.05,\"correction\":\"holm\",\"description\":null,\"disparity\":null,"
    "\"enforce\":\"block\",\"evidence\":\"point\",\"ge_alpha\":0.5,\"id\":\"ge\",\"max\":0.01,"
    "\"max_worsening\":null,"
    "\"metric\":\"between_group_generalized_entropy_index\",\"min\":null,\"min_group_size\":30,"
    "\"on_small_group\":\"warn\",\"order\":null,\"overall\":true,"
    "\"reference\":{\"race\":\"white\",\"sex\":\"male\"},\"resamples\":2000,\"seed\":20261202,"
    "\"variant\":\"aif360_two_groups\"},"
    "{\"alpha\":0.05,\"correction\":\"holm\",\"description\":null,\"disparity\":\"value\","
    "\"enforce\":\"block\",\"evidence\":\"point\",\"id\":\"cdd\",\"max\":0.2,"
    "\"max_worsening\":null,\"metric\":\"conditional_demographic_disparity_predicted\","
    "\"min\":null,\"min_group_size\":30,\"on_small_group\":\"warn\","
    "\"order\":\"group_minus_reference\",\"overall\":false,\"reference\":\"rest\","
    "\"resamples\":2000,\"seed\":20261202,\"strata\":\"race\"}],"
    "\"name\":\"canon \\\"test\\\"\\t\xcf\x80\\u0001\","
    "\"overrides\":{\"approvers\":[{\"keyid\":\"" RFC8410_ID "\",\"name\":\"amy\",\"role\":\"r1\"},"
    "{\"keyid\":\"" K2 "\",\"name\":\"zed\",\"role\":\"r2\"}],\"max_days\":10,"
    "\"not_overridable\":[\"dp\",\"floor\"],\"required_approvals\":1},"
    "\"version\":1}";

/* POLICY again: comments, block style, keys in another order, quoting, defaults written
 * out, the intersection listed, another spelling of each number, the inline key given by
 * path with its key id, the sets in another order. */
static const char SAME_MEANING[] =
    "# the same policy, written by someone else\n"
    "name: \"canon \\\"test\\\"\t\xcf\x80\\x01\"\n"
    "version: 1   # always 1\n"
    "gates:\n"
    "- metric: selection_rate\n"
    "  id: dp\n"
    "  description: |-\n"
    "    four\n"
    "    fifths\n"
    "  min: 8.0e-1\n"
    "  evidence: point\n"
    "  disparity: ratio\n"
    "- id: reg\n"
    "  bootstrap:\n"
    "    seed: 7\n"
    "    resamples: 500\n"
    "  vs_incumbent:\n"
    "    max_worsening: 1e-7\n"
    "  on_small_group: fail\n"
    "  reference: between_groups\n"
    "  max: 0.10\n"
    "  disparity: difference\n"
    "  metric: tpr\n"
    "- {id: floor, enforce: warn, metric: accuracy, overall: {min: 0.33333333333333331}}\n"
    "- {overall: {max: 1e-2}, ge_alpha: 5e-1, id: ge,\n"
    "   metric: aif360.between_group_generalized_entropy_index}\n"
    "- {strata: race, max: 2e-1, reference: rest,\n"
    "   metric: conditional_demographic_disparity_predicted, id: cdd}\n"
    "overrides:\n"
    "  not_overridable:\n"
    "  - dp\n"
    "  - floor\n"
    "  max_days: 10\n"
    "  required_approvals: 1\n"
    "  approvers:\n"
    "  - {name: amy, role: r1, public_key: keys/amy.pub, keyid: " RFC8410_ID "}\n"
    "  - {keyid: " K2 ", public_key: k/z.pub, role: r2, name: zed}\n"
    "defaults:\n"
    "  min_group_size: 30\n"
    "  enforce: block\n"
    "  on_small_group: warn\n"
    "  alpha: 0.050\n"
    "  reference:\n"
    "    sex: male\n"
    "    race: white\n"
    "data:\n"
    "  delimiter: ';'\n"
    "  missing: drop\n"
    "  favorable_prediction: '1'\n"
    "  incumbent:\n"
    "    prediction: old\n"
    "  candidate:\n"
    "    threshold: 5e-1\n"
    "    favorable: above\n"
    "    score: p\n"
    "  intersections: [[sex, race]]\n"
    "  protected:\n"
    "  - sex\n"
    "  - race\n"
    "  positive_label: \"1\"\n"
    "  label: y\n"
    "  join: id\n"
    "  id: row\n";

static char *canonical_of(const char *yaml, char digest[65])
{
    struct fg_policy *policy = policy_from(yaml);
    char *text = NULL;
    struct fg_error err = {0};
    ck_assert_msg(fg_policy_canonical(policy, &text, &err) == FG_OK, "%s", err.message);
    snprintf(digest, 65, "%s", fg_policy_canonical_sha256(policy));
    fg_policy_free(policy);
    return text;
}

START_TEST(test_hand_written)
{
    char digest[65], want[65];
    char *text = canonical_of(POLICY, digest);
    ck_assert_str_eq(text, EXPECTED);
    /* The digest is the SHA-256 of exactly those bytes (no newline). */
    struct fg_error err = {0};
    ck_assert(fg_sha256_hex(EXPECTED, strlen(EXPECTED), want, &err) == FG_OK);
    ck_assert_str_eq(digest, want);
    free(text);
}
END_TEST

START_TEST(test_same_meaning)
{
    char a[65], b[65];
    char *first = canonical_of(POLICY, a), *second = canonical_of(SAME_MEANING, b);
    ck_assert_str_eq(second, first);
    ck_assert_str_eq(b, a);
    free(first);
    free(second);
    /* ... while the file digest differs. */
    struct fg_policy *p = policy_from(POLICY), *q = policy_from(SAME_MEANING);
    ck_assert_str_ne(fg_policy_sha256(p), fg_policy_sha256(q));
    fg_policy_free(p);
    fg_policy_free(q);
}
END_TEST

/* Edits of POLICY, each a change of meaning: the first occurrence of from becomes to. */
static const struct {
    const char *from, *to;
} changes[] = {
    {"    min: 0.8\n", "    min: 0.81\n"},                   /* a bound */
    {"    max: 0.1\n", "    max: 0.2\n"},                    /* another bound */
    {"max_worsening: 0.0000001", "max_worsening: 0.000001"}, /* a regression bound */
    {"threshold: 0.5", "threshold: 0.6"},                    /* the score's threshold */
    {"  - id: reg\n", "  - id: reg2\n"},                     /* a gate's id ... */
    {"metric: accuracy", "metric: error_rate"},              /* ... its metric */
    {"disparity: ratio\n    min: 0.8", "disparity: difference\n    max: 0.8"},
    {"    on_small_group: fail\n", ""},                         /* a setting left to default */
    {"    bootstrap: {resamples: 500, seed: 7}\n", ""},         /* the bootstrap */
    {"description: \"four\\nfifths\"", "description: \"4/5\""}, /* a description */
    {"race: white", "race: black"},                             /* a reference group */
    {"protected: [sex, race]", "protected: [race, sex]"},       /* the groups' order */
    {"  intersections: all\n", ""},                             /* the intersections */
    {"min_group_size: 30", "min_group_size: 31"},               /* small groups */
    {"missing: drop", "missing: error"},                        /* dropped rows */
    {"name: amy\n      role: r1", "name: amy\n      role: r3"}, /* an approver's role */
    {"name: zed", "name: zoe"},                                 /* an approver's name */
    {"keyid: " K2, "keyid: " K3},                               /* an approver's key */
    {"  max_days: 10\n", "  max_days: 11\n"},                   /* max_days */
    {"  max_days: 10\n", "  max_days: 10\n  required_approvals: 2\n"},
    {"not_overridable: [floor, dp]", "not_overridable: [floor]"}, /* not_overridable */
    {"name: \"canon", "name: \"Canon"},                           /* the policy's name */
    {"    enforce: warn\n", ""},                             /* an advisory gate made blocking */
    {"    max: 0.1\n", "    max: 0.1\n    enforce: warn\n"}, /* a blocking gate made advisory */
    {"  min_group_size: 30\n", "  min_group_size: 30\n  enforce: warn\n"}, /* defaults' */
    {"ge_alpha: 0.5", "ge_alpha: 0.25"},                                   /* GE's alpha */
    {"reference: between_groups", "reference: rest"}, /* Clarify's facet against the rest */
    {"metric: aif360.between_group_generalized", "metric: between_group_generalized"},
    {"metric: aif360.between_group_generalized", "metric: aif360.between_all_groups_generalized"},
    {"strata: race", "strata: sex"},                   /* CDD's strata */
    {"metric: clarify.CDDPL", "metric: clarify.CDDL"}, /* of the labels, not predictions */
};

START_TEST(test_changes)
{
    const char *at = strstr(POLICY, changes[_i].from);
    ck_assert_msg(at != NULL, "change %d: '%s' is not in POLICY", _i, changes[_i].from);
    size_t head = (size_t)(at - POLICY), from = strlen(changes[_i].from);
    size_t to = strlen(changes[_i].to), len = sizeof POLICY - 1 - from + to;
    char *edited = malloc(len + 1);
    ck_assert_ptr_nonnull(edited);
    memcpy(edited, POLICY, head);
    memcpy(edited + head, changes[_i].to, to);
    memcpy(edited + head + to, at + from, sizeof POLICY - head - from);
    char a[65], b[65];
    free(canonical_of(POLICY, a));
    free(canonical_of(edited, b));
    ck_assert_msg(strcmp(a, b) != 0, "change %d ('%s') kept the canonical digest", _i,
                  changes[_i].from);
    free(edited);
}
END_TEST

/* Numbers: the shortest "%.Ng" that reads back, whole numbers in decimal, zero as 0. */
START_TEST(test_numbers)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"0.8", "\"min\":0.8"},    {"0.80000", "\"min\":0.8"},
        {"1", "\"min\":1"},        {"1.0", "\"min\":1"},
        {"0", "\"min\":0"},        {"-0.0", "\"min\":0"},
        {"0.1", "\"min\":0.1"},    {"0.123456789012345678", "\"min\":0.12345678901234568"},
        {"1e-9", "\"min\":1e-09"}, {"0.25", "\"min\":0.25"},
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        char yaml[512], digest[65];
        snprintf(yaml, sizeof yaml,
                 "version: 1\nname: n\ndata:\n  label: y\n  positive_label: 1\n"
                 "  protected: [s]\n  candidate: {prediction: p}\n  favorable_prediction: 1\n"
                 "gates:\n  - {id: g, metric: accuracy, overall: {min: %s}}\n",
                 cases[i].yaml);
        char *text = canonical_of(yaml, digest);
        ck_assert_msg(strstr(text, cases[i].want) != NULL, "%s: want %s in %s", cases[i].yaml,
                      cases[i].want, text);
        free(text);
    }
}
END_TEST

/* Sets LC_NUMERIC to a locale whose decimal point is a comma (as an embedder may), true; else
 * false with why. Tries de_DE and fr_FR as installed, then builds de_DE.UTF-8 with localedef
 * (Debian's locales package has its source) into a directory named by LOCPATH. */
static bool comma_locale(char *why, size_t size)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
                                        "fr_FR.utf8",  "de_DE",      "fr_FR"};
    char dir[] = "/tmp/fg-locale-XXXXXX", command[256];
    for (int built = 0; built < 2; built++) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (setlocale(LC_NUMERIC, names[i]) != NULL &&
                strcmp(localeconv()->decimal_point, ",") == 0) {
                /* loaded: the files it was built into are no longer needed */
                snprintf(command, sizeof command, "rm -rf %s", dir);
                if (built == 1 && system(command) != 0)
                    fprintf(stderr, "could not remove %s\n", dir);
                return true;
            }
        if (built == 1 || mkdtemp(dir) == NULL)
            break;
        snprintf(command, sizeof command,
                 "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", dir);
        int rc = system(command);
        if (rc != 0) {
            snprintf(why, size,
                     "no de_DE or fr_FR locale, and localedef -i de_DE -f UTF-8 failed (%d): "
                     "install Debian's locales (.ci/ensure-deps test)",
                     rc);
            setlocale(LC_NUMERIC, "C");
            return false;
        }
        setenv("LOCPATH", dir, 1);
    }
    snprintf(why, size, "no locale with a decimal comma could be set, even one built");
    setlocale(LC_NUMERIC, "C");
    return false;
}

/* An embedder's LC_NUMERIC with a decimal comma changes nothing fairgate reads or writes:
 * the policy's numbers ("0.8" read as 0.8, not 0), the canonical text and digest, numbers
 * formatted for reports and messages, and read back. */
START_TEST(test_comma_locale)
{
    char c_digest[65], comma_digest[65], why[256];
    char *c_text = canonical_of(POLICY, c_digest);
    if (!comma_locale(why, sizeof why)) {
        printf("skip - policy_canon: a decimal comma locale (%s)\n", why);
        free(c_text);
        return;
    }
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 0.5);
    ck_assert_str_eq(probe, "0,5"); /* the locale is in force for plain snprintf */
    char *comma_text = canonical_of(POLICY, comma_digest);
    ck_assert_str_eq(comma_text, c_text);
    ck_assert_str_eq(comma_digest, c_digest);
    ck_assert_ptr_nonnull(strstr(comma_text, "\"threshold\":0.5"));
    char number[32];
    fg_format_number(number, sizeof number, true, 0.8);
    ck_assert_str_eq(number, "0.8000");
    fg_format_exact(number, sizeof number, 0.1);
    ck_assert_str_eq(number, "0.1");
    char *end = NULL;
    ck_assert_double_eq(fg_strtod("0.25", &end), 0.25);
    ck_assert_str_eq(end, "");
    struct fg_error err = {0};
    fg_error_set(&err, FG_ERR_POLICY, NULL, 0, 0, "min %g", 0.8);
    ck_assert_str_eq(err.message, "min 0.8");
    struct fg_buf b = fg_buf_new(64, "the text");
    fg_buf_add(&b, "%.4f|%g", 0.5, 1.25);
    char *text = NULL;
    ck_assert(fg_buf_finish(&b, &text, &err) == FG_OK);
    ck_assert_str_eq(text, "0.5000|1.25");
    setlocale(LC_NUMERIC, "C");
    free(text);
    free(comma_text);
    free(c_text);
}
END_TEST

static Suite *policy_canon_suite(void)
{
    Suite *s = suite_create("policy_canon");
    TCase *tc = tcase_create("canonical");
    tcase_add_test(tc, test_hand_written);
    tcase_add_test(tc, test_same_meaning);
    tcase_add_loop_test(tc, test_changes, 0, (int)N_OF(changes));
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_comma_locale);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(policy_canon_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
