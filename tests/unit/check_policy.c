/*
 * check_policy.c - unit tests of lib/policy.c.
 *
 * bad[]: policies that must fail, each with the status, 1-based line and column and a
 * substring of the message it must fail with. Good policies are checked field by field.
 * The fixtures in tests/fixtures/policy (or $FAIRGATE_POLICY_FIXTURES) are checked too:
 * good-*.yaml must load, bad-*.yaml must fail as their first line "# expect: L:C: TEXT" says.
 */
#define _POSIX_C_SOURCE 200809L

#include "fairgate.h"
#include "metric.h"
#include "policy.h"
#include "util.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_OF(array) (sizeof(array) / sizeof((array)[0]))

/* ---- building blocks (line numbers noted; every block ends with a newline) ---- */

/* lines 3-8 when preceded by version and name */
#define DATA_BODY                                                                                  \
    "data:\n"                                                                                      \
    "  label: y\n"                                                                                 \
    "  positive_label: 1\n"                                                                        \
    "  protected: [sex, race]\n"                                                                   \
    "  candidate: {prediction: pred}\n"                                                            \
    "  favorable_prediction: 1\n"
/* lines 1-5 */
#define HEAD "version: 1\nname: t\ndata:\n  label: y\n  positive_label: 1\n"
#define PROT "  protected: [sex, race]\n"
#define CAND "  candidate: {prediction: pred}\n"
#define FAV  "  favorable_prediction: 1\n"
/* lines 1-8 */
#define DATA "version: 1\nname: t\n" DATA_BODY
/* 5 lines: "gates:", then gate dp (id, metric, disparity, min) */
#define GATES "gates:\n  - id: dp\n    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n"
/* lines 1-10; the gate mapping starts at 10:5 and its other keys start at line 11 */
#define GATE DATA "gates:\n  - id: g\n"
/* Key ids (64 lowercase hex) that pin approvers' key files. */
#define K1 "1111111111111111111111111111111111111111111111111111111111111111"
#define K2 "2222222222222222222222222222222222222222222222222222222222222222"
/* lines 14-15 after DATA GATES: an approver list with one approver */
#define OVR "overrides:\n  approvers: [{name: a, role: r, public_key: k, keyid: " K1 "}]\n"
/* The Ed25519 public key of RFC 8410 section 10.1, as a YAML block scalar indented 6, and
 * its key id (SHA-256 of the SubjectPublicKeyInfo DER). */
#define RFC8410_PEM                                                                                \
    "      public_key: |\n"                                                                        \
    "        -----BEGIN PUBLIC KEY-----\n"                                                         \
    "        MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"                       \
    "        -----END PUBLIC KEY-----\n"
#define RFC8410_ID "a1e9156054e04fac899ae9f275132cdc07a5dbc4ea2c2ad3a1ffc6e0d253681f"

struct bad_case {
    const char *name;
    const char *yaml;
    enum fg_status status;
    unsigned long line, column;
    const char *message; /* a substring of the message */
};

#define P FG_ERR_POLICY
#define L FG_ERR_LIMIT

static const struct bad_case bad[] = {
    /* -- the YAML layer -- */
    {"empty", "", P, 1, 1, "the policy is empty"},
    {"comment only", "# nothing here\n", P, 1, 1, "the policy is empty"},
    {"null document", "---\n", P, 1, 1, "the policy is empty"},
    {"scalar root", "hello\n", P, 1, 1, "a policy must be a mapping"},
    {"list root", "- a\n", P, 1, 1, "not a list"},
    {"tab indent", "version: 1\n\tname: t\n", P, 2, 1, "YAML syntax error"},
    {"mapping value in plain", DATA "gates: a: b\n", P, 9, 9,
     "YAML syntax error: mapping values are not allowed"},
    {"bad utf-8", "version: 1\nname: \xff\n", P, 2, 7, "YAML syntax error: invalid leading UTF-8"},
    {"alias", DATA GATES "extra: *a\n", P, 14, 8,
     "YAML anchors and aliases are not allowed in a policy"},
    {"anchor on scalar", "version: 1\nname: &n t\n" DATA_BODY GATES, P, 2, 7,
     "YAML anchors and aliases are not allowed"},
    {"anchor on list", HEAD "  protected: &p [sex]\n" CAND FAV GATES, P, 6, 14,
     "YAML anchors and aliases are not allowed"},
    {"tag", "version: 1\nname: !!str t\n" DATA_BODY GATES, P, 2, 7, "YAML tags"},
    {"local tag on mapping", HEAD PROT "  candidate: !model {prediction: pred}\n" FAV GATES, P, 7,
     14, "YAML tags ('!model') are not allowed"},
    {"two documents", DATA GATES "---\nversion: 1\n", P, 14, 1, "a policy is one YAML document"},
    {"duplicate top key", DATA "name: u\n" GATES, P, 9, 1,
     "duplicate key 'name' (first given at line 2)"},
    {"duplicate flow key", HEAD PROT "  candidate: {prediction: a, prediction: b}\n" FAV GATES, P,
     7, 30, "duplicate key 'prediction'"},
    {"earliest duplicate first", "a: 1\nb: 1\nb: 2\na: 2\n", P, 3, 1,
     "duplicate key 'b' (first given at line 2)"},
    {"list as key", DATA GATES "? [a, b]\n: x\n", P, 14, 3,
     "a mapping key must be a string, not a list"},
    {"mapping as key", DATA GATES "? {a: 1}\n: x\n", P, 14, 3,
     "a mapping key must be a string, not a mapping"},
    {"nul in string", "version: 1\nname: \"a\\0b\"\n" DATA_BODY GATES, P, 2, 7,
     "must not contain a NUL character"},
    /* -- top level -- */
    {"unknown top key with hint", DATA GATES "gate: []\n", P, 14, 1,
     "unknown key 'gate' at the top level (did you mean 'gates'?)"},
    {"unknown top key listed", "zzzzzzzz: 1\n" DATA GATES, P, 1, 1,
     "unknown key 'zzzzzzzz' at the top level (expected one of: version, name, data, defaults, "
     "gates, overrides)"},
    {"control chars shown safely", DATA GATES "\"a\\tb\": 1\n", P, 14, 1, "unknown key 'a?b'"},
    {"missing version", "name: t\n" DATA_BODY GATES, P, 1, 1, "the policy has no 'version'"},
    {"missing name", "version: 1\n" DATA_BODY GATES, P, 1, 1, "the policy has no 'name'"},
    {"missing data", "version: 1\nname: t\n" GATES, P, 1, 1, "the policy has no 'data'"},
    {"missing gates", DATA, P, 1, 1, "the policy has no 'gates'"},
    {"version 2", "version: 2\nname: t\n" DATA_BODY GATES, P, 1, 10,
     "unsupported policy version 2"},
    {"version quoted", "version: \"1\"\nname: t\n" DATA_BODY GATES, P, 1, 10,
     "'version' must be a whole number, not a quoted string"},
    {"version float", "version: 1.0\nname: t\n" DATA_BODY GATES, P, 1, 10,
     "'version' must be a whole number, not '1.0'"},
    {"version leading zero", "version: 01\nname: t\n" DATA_BODY GATES, P, 1, 10,
     "without leading zeros"},
    {"version list", "version: [1]\nname: t\n" DATA_BODY GATES, P, 1, 10, "not a list"},
    {"name null", "version: 1\nname: ~\n" DATA_BODY GATES, P, 2, 7,
     "'name' must be a string, not an empty value"},
    {"name word null", "version: 1\nname: null\n" DATA_BODY GATES, P, 2, 7, "not an empty value"},
    {"name empty string", "version: 1\nname: \"\"\n" DATA_BODY GATES, P, 2, 7,
     "'name' must not be an empty string"},
    {"name list", "version: 1\nname: [a]\n" DATA_BODY GATES, P, 2, 7,
     "'name' must be a string, not a list"},
    {"data scalar", "version: 1\nname: t\ndata: x\n" GATES, P, 3, 7,
     "'data' must be a mapping, not a scalar"},
    {"gates mapping", DATA "gates: {}\n", P, 9, 8, "'gates' must be a list, not a mapping"},
    {"gates empty", DATA "gates: []\n", P, 9, 8, "'gates' is empty"},
    /* -- data -- */
    {"unknown data key", "version: 1\nname: t\ndata:\n  lable: y\n" GATES, P, 4, 3,
     "unknown key 'lable' in 'data' (did you mean 'label'?)"},
    {"missing label", "version: 1\nname: t\ndata:\n  positive_label: 1\n" PROT CAND FAV GATES, P, 4,
     3, "'data' has no 'label'"},
    {"missing positive_label", "version: 1\nname: t\ndata:\n  label: y\n" PROT CAND FAV GATES, P, 4,
     3, "'data' has no 'positive_label'"},
    {"missing protected", HEAD CAND FAV GATES, P, 4, 3, "'data' has no 'protected'"},
    {"missing candidate", HEAD PROT FAV GATES, P, 4, 3, "'data' has no 'candidate'"},
    {"protected empty", HEAD "  protected: []\n" CAND FAV GATES, P, 6, 14, "'protected' is empty"},
    {"protected twice", HEAD "  protected: [sex, sex]\n" CAND FAV GATES, P, 6, 20,
     "'sex' is listed twice in 'protected'"},
    {"protected too many",
     HEAD "  protected: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q]\n" CAND FAV GATES, L, 6,
     14, "'protected' lists 17 attributes; the limit is 16"},
    {"protected null item", HEAD "  protected: [sex, ~]\n" CAND FAV GATES, P, 6, 20,
     "'protected' must be a string, not an empty value"},
    {"protected scalar", HEAD "  protected: sex\n" CAND FAV GATES, P, 6, 14,
     "'protected' must be a list, not a scalar"},
    {"protected mapping", HEAD "  protected: {sex: 1}\n" CAND FAV GATES, P, 6, 14,
     "'protected' must be a list, not a mapping"},
    {"intersection of one", HEAD PROT "  intersections: [[sex]]\n" CAND FAV GATES, P, 7, 19,
     "an intersection needs at least two"},
    {"intersections flat", HEAD PROT "  intersections: [sex, race]\n" CAND FAV GATES, P, 7, 19,
     "each intersection must be a list"},
    {"intersection member twice", HEAD PROT "  intersections: [[sex, sex]]\n" CAND FAV GATES, P, 7,
     25, "'sex' appears twice in this intersection"},
    {"intersection repeated",
     HEAD PROT "  intersections: [[sex, race], [race, sex]]\n" CAND FAV GATES, P, 7, 32,
     "this intersection repeats the one at line 7"},
    {"intersection unknown member", HEAD PROT "  intersections: [[sex, rase]]\n" CAND FAV GATES, P,
     7, 25, "'rase' in an intersection is not a protected attribute (did you mean 'race'?)"},
    {"intersections mapping", HEAD PROT "  intersections: {a: b}\n" CAND FAV GATES, P, 7, 18,
     "'intersections' must be a list, not a mapping"},
    {"prediction and score",
     HEAD PROT "  candidate: {prediction: p, score: s, threshold: 0.5}\n" FAV GATES, P, 7, 30,
     "'candidate' has both 'prediction' and 'score'"},
    {"neither prediction nor score", HEAD PROT "  candidate: {threshold: 0.5}\n" FAV GATES, P, 7,
     14, "'candidate' has no 'prediction' or 'score'"},
    {"score without threshold", HEAD PROT "  candidate: {score: s}\n" FAV GATES, P, 7, 14,
     "'candidate' has 'score' but no 'threshold'"},
    {"threshold with prediction",
     HEAD PROT "  candidate: {prediction: p, threshold: 0.5}\n" FAV GATES, P, 7, 30,
     "'threshold' applies to 'score'"},
    {"favorable with prediction",
     HEAD PROT "  candidate: {prediction: p, favorable: above}\n" FAV GATES, P, 7, 30,
     "'favorable' applies to 'score'"},
    {"favorable unknown",
     HEAD PROT "  candidate: {score: s, threshold: 0.5, favorable: sideways}\n" FAV GATES, P, 7, 52,
     "unknown 'favorable' value 'sideways' (expected one of: above, below)"},
    {"threshold quoted", HEAD PROT "  candidate: {score: s, threshold: \"0.5\"}\n" FAV GATES, P, 7,
     36, "'threshold' must be a number, not a quoted string"},
    {"threshold inf", HEAD PROT "  candidate: {score: s, threshold: .inf}\n" FAV GATES, P, 7, 36,
     "'threshold' must be a number, not '.inf'"},
    {"threshold hex", HEAD PROT "  candidate: {score: s, threshold: 0x10}\n" FAV GATES, P, 7, 36,
     "'threshold' must be a number, not '0x10'"},
    {"threshold nan", HEAD PROT "  candidate: {score: s, threshold: nan}\n" FAV GATES, P, 7, 36,
     "'threshold' must be a number, not 'nan'"},
    {"threshold overflow", HEAD PROT "  candidate: {score: s, threshold: 1e999}\n" FAV GATES, P, 7,
     36, "'threshold' is out of range"},
    {"model unknown key", HEAD PROT "  candidate: {predictoin: p}\n" FAV GATES, P, 7, 15,
     "unknown key 'predictoin' in 'candidate' (did you mean 'prediction'?)"},
    {"model scalar", HEAD PROT "  candidate: pred\n" FAV GATES, P, 7, 14,
     "'candidate' must be a mapping, not a scalar"},
    {"no favorable_prediction", HEAD PROT CAND GATES, P, 4, 3,
     "'data' has no 'favorable_prediction'"},
    {"incumbent prediction needs favorable_prediction",
     HEAD PROT "  candidate: {score: s, threshold: 0.5}\n  incumbent: {prediction: old}\n" GATES, P,
     4, 3, "'data' has no 'favorable_prediction'"},
    {"incumbent null", HEAD PROT CAND "  incumbent: ~\n" FAV GATES, P, 8, 14,
     "'incumbent' must be a mapping, not an empty value"},
    {"missing unknown", DATA "  missing: maybe\n" GATES, P, 9, 12,
     "unknown 'missing' value 'maybe' (expected one of: error, drop)"},
    {"delimiter two bytes", DATA "  delimiter: \";;\"\n" GATES, P, 9, 14,
     "'delimiter' must be a single byte"},
    {"delimiter quote", DATA "  delimiter: '\"'\n" GATES, P, 9, 14,
     "'delimiter' must not be a quote or a line break"},
    {"delimiter newline", DATA "  delimiter: \"\\n\"\n" GATES, P, 9, 14,
     "must not be a quote or a line break"},
    {"delimiter empty", DATA "  delimiter: \"\"\n" GATES, P, 9, 14,
     "'delimiter' must not be an empty string"},
    {"id null", DATA "  id: ~\n" GATES, P, 9, 7, "'id' must be a string, not an empty value"},
    /* -- defaults -- */
    {"unknown defaults key", DATA "defaults:\n  min_groupsize: 3\n" GATES, P, 10, 3,
     "unknown key 'min_groupsize' in 'defaults' (did you mean 'min_group_size'?)"},
    {"defaults list", DATA "defaults: []\n" GATES, P, 9, 11,
     "'defaults' must be a mapping, not a list"},
    {"reference typo", DATA "defaults:\n  reference: hihgest\n" GATES, P, 10, 14,
     "unknown reference 'hihgest' (did you mean 'highest'?)"},
    {"reference explicit keyword", DATA "defaults:\n  reference: explicit\n" GATES, P, 10, 14,
     "unknown reference 'explicit'"},
    {"reference list", DATA "defaults:\n  reference: [a]\n" GATES, P, 10, 14,
     "'reference' must be highest, largest, between_groups or a mapping"},
    {"reference unknown attribute", DATA "defaults:\n  reference: {sex: m, age: x}\n" GATES, P, 10,
     23, "'age' in 'reference' is not a protected attribute"},
    {"reference missing attribute", DATA "defaults:\n  reference: {sex: m}\n" GATES, P, 10, 14,
     "'reference' has no value for protected attribute 'race'"},
    {"reference null value", DATA "defaults:\n  reference: {sex: m, race: ~}\n" GATES, P, 10, 29,
     "'race' must be a string, not an empty value"},
    {"control characters in names stay out of messages",
     HEAD "  protected: [\"a\\nb\"]\n" CAND FAV "defaults:\n  reference: {\"a\\nb\": ~}\n" GATES, P,
     10, 23, "'a?b' must be a string, not an empty value"},
    {"min_group_size negative", DATA "defaults:\n  min_group_size: -1\n" GATES, P, 10, 19,
     "'min_group_size' must be a whole number, not '-1'"},
    {"min_group_size fraction", DATA "defaults:\n  min_group_size: 3.5\n" GATES, P, 10, 19,
     "'min_group_size' must be a whole number, not '3.5'"},
    {"min_group_size quoted", DATA "defaults:\n  min_group_size: \"30\"\n" GATES, P, 10, 19,
     "not a quoted string"},
    {"min_group_size overflow", DATA "defaults:\n  min_group_size: 99999999999999999999999\n" GATES,
     P, 10, 19, "'min_group_size' is out of range"},
    {"on_small_group unknown", DATA "defaults:\n  on_small_group: ignore\n" GATES, P, 10, 19,
     "unknown 'on_small_group' value 'ignore' (expected one of: fail, warn, skip)"},
    /* -- gates -- */
    {"gate scalar", DATA "gates:\n  - dp\n", P, 10, 5, "gate #1 must be a mapping, not a scalar"},
    {"second gate scalar", DATA "gates: [{id: g, metric: tpr, disparity: ratio, min: 0.8}, 5]\n", P,
     9, 59, "gate #2 must be a mapping"},
    {"gate without id", DATA "gates:\n  - metric: tpr\n    disparity: ratio\n    min: 0.8\n", P, 10,
     5, "gate #1 has no 'id'"},
    {"gate id characters", DATA "gates:\n  - id: a b\n    metric: tpr\n", P, 10, 9,
     "gate id 'a b' must be 1 to 64 characters"},
    {"gate id too long",
     DATA "gates:\n  - id: "
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n    metric: tpr\n",
     P, 10, 9, "must be 1 to 64 characters"},
    {"gate id empty", DATA "gates:\n  - id: \"\"\n    metric: tpr\n", P, 10, 9,
     "'id' must not be an empty string"},
    {"gate id list", DATA "gates:\n  - id: [a]\n    metric: tpr\n", P, 10, 9,
     "'id' must be a string, not a list"},
    {"duplicate gate id",
     GATE "    metric: tpr\n    disparity: ratio\n    min: 0.8\n"
          "  - id: g\n    metric: fpr\n    disparity: ratio\n    max: 1.2\n",
     P, 14, 9, "duplicate gate id 'g' (first used at line 10)"},
    {"gate without metric", GATE "    disparity: ratio\n    min: 0.8\n", P, 10, 5,
     "gate 'g' has no 'metric'"},
    {"metric unknown", GATE "    metric: zzzzzz\n    disparity: ratio\n    min: 0.8\n", P, 11, 13,
     "unknown metric 'zzzzzz' (expected one of: count, base_rate, selection_rate"},
    {"metric typo", GATE "    metric: selction_rate\n    disparity: ratio\n    min: 0.8\n", P, 11,
     13, "unknown metric 'selction_rate' (did you mean 'selection_rate'?)"},
    {"metric suffix", GATE "    metric: tpr_gap\n    disparity: ratio\n    min: 0.8\n", P, 11, 13,
     "unknown metric 'tpr_gap' (did you mean 'tpr'?)"},
    {"metric auc", GATE "    metric: auc\n    disparity: difference\n    max: 0.1\n", P, 11, 13,
     "metric 'auc' needs the candidate's scores: give 'data.candidate' as {score: COLUMN, "
     "threshold: T}"},
    {"metric calibration_gap", GATE "    metric: calibration_gap\n    overall: {max: 0.1}\n", P, 11,
     13, "metric 'calibration_gap' needs the candidate's scores"},
    {"metric brier", GATE "    metric: brier\n    overall: {max: 0.1}\n", P, 11, 13,
     "metric 'brier' needs the candidate's scores"},
    {"unknown gate key", GATE "    metric: tpr\n    disparity: ratio\n    minn: 0.8\n", P, 13, 5,
     "unknown key 'minn' in gate 'g' (did you mean 'min'?)"},
    {"unknown gate key without id", DATA "gates:\n  - metric: tpr\n    foo_bar_baz: 1\n", P, 11, 5,
     "unknown key 'foo_bar_baz' in gate #1"},
    {"no disparity", GATE "    metric: tpr\n    min: 0.8\n", P, 10, 5,
     "gate 'g' has no 'disparity'"},
    {"disparity unknown", GATE "    metric: tpr\n    disparity: ration\n    min: 0.8\n", P, 12, 16,
     "unknown disparity 'ration' (did you mean 'ratio'?)"},
    {"disparity list", GATE "    metric: tpr\n    disparity: [ratio]\n    min: 0.8\n", P, 12, 16,
     "'disparity' must be a string, not a list"},
    {"disparity gate without bound", GATE "    metric: tpr\n    disparity: ratio\n", P, 10, 5,
     "gate 'g' sets no bound"},
    {"count in disparity gate", GATE "    metric: count\n    disparity: ratio\n    min: 0.8\n", P,
     11, 13, "metric 'count' is allowed only in an overall gate"},
    {"equalized_odds overall", GATE "    metric: equalized_odds\n    overall: {max: 0.1}\n", P, 11,
     13, "cannot be used in an overall gate"},
    {"overall with disparity",
     GATE "    metric: tpr\n    disparity: ratio\n    overall: {min: 0.5}\n", P, 12, 5,
     "'disparity' does not apply to an overall gate"},
    {"overall with min", GATE "    metric: tpr\n    overall: {max: 0.9}\n    min: 0.5\n", P, 13, 5,
     "'min' does not apply to an overall gate; put it inside 'overall'"},
    {"overall with reference",
     GATE "    metric: tpr\n    overall: {min: 0.5}\n    reference: largest\n", P, 13, 5,
     "'reference' does not apply to an overall gate"},
    {"overall empty", GATE "    metric: tpr\n    overall: {}\n", P, 10, 5,
     "gate 'g' sets no bound"},
    {"overall unknown key", GATE "    metric: tpr\n    overall: {mn: 0.5}\n", P, 12, 15,
     "unknown key 'mn' in 'overall' of gate 'g' (did you mean 'min'?)"},
    {"overall list", GATE "    metric: tpr\n    overall: [0.5]\n", P, 12, 14,
     "'overall' must be a mapping, not a list"},
    {"overall count negative", GATE "    metric: count\n    overall: {min: -1}\n", P, 12, 20,
     "an overall bound on count must be at least 0"},
    {"overall rate negative", GATE "    metric: tpr\n    overall: {max: -0.1}\n", P, 12, 20,
     "an overall bound on a rate must be between 0 and 1"},
    {"overall rate over one", GATE "    metric: accuracy\n    overall: {min: 70}\n", P, 12, 20,
     "'min' is 70, but an overall bound on a rate must be between 0 and 1"},
    {"overall min over max", GATE "    metric: tpr\n    overall: {min: 0.9, max: 0.8}\n", P, 12, 20,
     "'min' (0.9) is greater than 'max' (0.8)"},
    {"vs_incumbent without direction",
     GATE "    metric: selection_rate\n    overall: {min: 0.1}\n"
          "    vs_incumbent: {max_worsening: 0.1}\n",
     P, 13, 5, "selection_rate has no better direction"},
    {"vs_incumbent on count",
     GATE "    metric: count\n    vs_incumbent: {max_worsening: 0.1}\n"
          "    overall: {min: 1}\n",
     P, 12, 5, "count has no better direction"},
    {"vs_incumbent empty", GATE "    metric: tpr\n    disparity: ratio\n    vs_incumbent: {}\n", P,
     13, 19, "'vs_incumbent' of gate 'g' has no 'max_worsening'"},
    {"max_worsening over one",
     GATE "    metric: tpr\n    disparity: ratio\n    vs_incumbent: {max_worsening: 1.5}\n", P, 13,
     35, "'max_worsening' is 1.5, but it must be between 0 and 1"},
    {"max_worsening negative",
     GATE "    metric: tpr\n    disparity: ratio\n    vs_incumbent: {max_worsening: -0.1}\n", P, 13,
     35, "must be between 0 and 1"},
    {"vs_incumbent unknown key",
     GATE "    metric: tpr\n    disparity: ratio\n    vs_incumbent: {max_worse: 0.1}\n", P, 13, 20,
     "unknown key 'max_worse' in 'vs_incumbent' of gate 'g'"},
    {"vs_incumbent scalar", GATE "    metric: tpr\n    disparity: ratio\n    vs_incumbent: 0.02\n",
     P, 13, 19, "'vs_incumbent' must be a mapping, not a scalar"},
    {"ratio min negative", GATE "    metric: tpr\n    disparity: ratio\n    min: -0.5\n", P, 13, 10,
     "a ratio bound must be greater than 0"},
    {"ratio max zero", GATE "    metric: tpr\n    disparity: ratio\n    max: 0\n", P, 13, 10,
     "'max' is 0, but a ratio bound must be greater than 0"},
    {"difference min negative", GATE "    metric: tpr\n    disparity: difference\n    min: -0.1\n",
     P, 13, 10, "a difference bound (an absolute gap) must be between 0 and 1"},
    {"difference max over one",
     GATE "    metric: tpr\n    disparity: difference\n    max: 1.0001\n", P, 13, 10,
     "'max' is 1.0001, but a difference bound"},
    {"min over max", GATE "    metric: tpr\n    disparity: ratio\n    max: 0.8\n    min: 0.9\n", P,
     14, 10, "'min' (0.9) is greater than 'max' (0.8)"},
    {"min nan", GATE "    metric: tpr\n    disparity: ratio\n    min: .nan\n", P, 13, 10,
     "'min' must be a number, not '.nan'"},
    {"min inf", GATE "    metric: tpr\n    disparity: ratio\n    min: inf\n", P, 13, 10,
     "'min' must be a number, not 'inf'"},
    {"min bare exponent", GATE "    metric: tpr\n    disparity: ratio\n    min: 1e\n", P, 13, 10,
     "'min' must be a number, not '1e'"},
    {"min comma", GATE "    metric: tpr\n    disparity: ratio\n    min: 1,000\n", P, 13, 10,
     "'min' must be a number, not '1,000'"},
    {"min null", GATE "    metric: tpr\n    disparity: ratio\n    min: ~\n", P, 13, 10,
     "'min' must be a number, not an empty value"},
    {"min word", GATE "    metric: tpr\n    disparity: ratio\n    min: high\n", P, 13, 10,
     "'min' must be a number, not 'high'"},
    {"min quoted", GATE "    metric: tpr\n    disparity: ratio\n    min: \"0.8\"\n", P, 13, 10,
     "'min' must be a number, not a quoted string (write 0.8 without quotes)"},
    {"min single quoted", GATE "    metric: tpr\n    disparity: ratio\n    min: '0.8'\n", P, 13, 10,
     "not a quoted string"},
    {"description list", GATE "    metric: tpr\n    description: [a]\n    disparity: ratio\n", P,
     12, 18, "'description' must be a string, not a list"},
    {"gate reference typo",
     GATE "    metric: tpr\n    disparity: ratio\n    min: 0.8\n    reference: largets\n", P, 14,
     16, "unknown reference 'largets' (did you mean 'largest'?)"},
    {"gate reference missing attribute",
     GATE "    metric: tpr\n    disparity: ratio\n    min: 0.8\n    reference: {race: x}\n", P, 14,
     16, "'reference' has no value for protected attribute 'sex'"},
    {"gate min_group_size",
     GATE "    metric: tpr\n    disparity: ratio\n    min: 0.8\n"
          "    min_group_size: 1e3\n",
     P, 14, 21, "'min_group_size' must be a whole number, not '1e3'"},
    {"gate on_small_group",
     GATE "    metric: tpr\n    disparity: ratio\n    min: 0.8\n"
          "    on_small_group: warm\n",
     P, 14, 21, "unknown 'on_small_group' value 'warm' (did you mean 'warn'?)"},
    /* -- overrides -- */
    {"unknown overrides key", DATA GATES "overrides:\n  approver: []\n", P, 15, 3,
     "unknown key 'approver' in 'overrides' (did you mean 'approvers'?)"},
    {"overrides list", DATA GATES "overrides: []\n", P, 14, 12,
     "'overrides' must be a mapping, not a list"},
    {"no approvers", DATA GATES "overrides:\n  max_days: 5\n", P, 15, 3,
     "'overrides' has no 'approvers'"},
    {"approvers empty", DATA GATES "overrides:\n  approvers: []\n", P, 15, 14,
     "'approvers' is empty"},
    {"approvers scalar", DATA GATES "overrides:\n  approvers: me\n", P, 15, 14,
     "'approvers' must be a list, not a scalar"},
    {"approver scalar", DATA GATES "overrides:\n  approvers: [me]\n", P, 15, 15,
     "approver #1 must be a mapping"},
    {"approver without role", DATA GATES "overrides:\n  approvers: [{name: a, public_key: k}]\n", P,
     15, 15, "approver #1 has no 'role'"},
    {"approver unknown key",
     DATA GATES "overrides:\n  approvers: [{name: a, role: r, pubkey: k}]\n", P, 15, 34,
     "unknown key 'pubkey' in approver #1"},
    {"approver twice",
     DATA GATES "overrides:\n  approvers:\n    - {name: a, role: r, public_key: k, keyid: " K1 "}\n"
                "    - {name: a, role: s, public_key: l, keyid: " K2 "}\n",
     P, 17, 14, "approver 'a' is listed twice"},
    {"approver empty key path",
     DATA GATES "overrides:\n  approvers: [{name: a, role: r, public_key: \"\"}]\n", P, 15, 46,
     "'public_key' must not be an empty string"},
    /* -- approvers' keys: pinned by the policy, one key per approver -- */
    {"approver key path without keyid",
     DATA GATES "overrides:\n  approvers: [{name: a, role: r, public_key: k}]\n", P, 15, 15,
     "approver 'a' names its public key by path, so the policy must pin it: add 'keyid:"},
    {"approver keyid not lowercase hex",
     DATA GATES "overrides:\n  approvers: [{name: a, role: r, public_key: k, keyid: ABC}]\n", P, 15,
     56, "'keyid' must be 64 lowercase hex digits"},
    {"approver keyid a number",
     DATA GATES "overrides:\n  approvers: [{name: a, role: r, public_key: k, keyid: 5}]\n", P, 15,
     56, "'keyid' must be 64 lowercase hex digits"},
    {"two approvers, one keyid",
     DATA GATES "overrides:\n  approvers:\n    - {name: a, role: r, public_key: k, keyid: " K1
                "}\n    - {name: b, role: r, public_key: l, keyid: " K1 "}\n",
     P, 17, 7, "approver 'b' has the same key as approver 'a' (line 16"},
    {"two approvers, one inline key",
     DATA GATES "overrides:\n  approvers:\n    - name: a\n      role: r\n" RFC8410_PEM
                "    - name: b\n      role: r\n" RFC8410_PEM,
     P, 22, 7, "approver 'b' has the same key as approver 'a'"},
    {"an inline key and a pinned path to it",
     DATA GATES "overrides:\n  approvers:\n    - name: a\n      role: r\n" RFC8410_PEM
                "    - {name: b, role: r, public_key: b.pub, keyid: " RFC8410_ID "}\n",
     P, 22, 7, "approver 'b' has the same key as approver 'a'"},
    {"inline key with another keyid",
     DATA GATES "overrides:\n  approvers:\n    - name: a\n      role: r\n      keyid: " K2
                "\n" RFC8410_PEM,
     P, 18, 14, "keyid " K2 " is not the id of the inline public_key (" RFC8410_ID ")"},
    {"inline key that is no key",
     DATA GATES
     "overrides:\n  approvers:\n    - name: a\n      role: r\n      public_key: |\n"
     "        -----BEGIN PUBLIC KEY-----\n        AAAA\n        -----END PUBLIC KEY-----\n",
     P, 18, 19, "the inline public_key of approver 'a': no PEM public key found"},
    {"required_approvals zero", DATA GATES OVR "  required_approvals: 0\n", P, 16, 23,
     "'required_approvals' must be at least 1"},
    {"required_approvals too many", DATA GATES OVR "  required_approvals: 2\n", P, 16, 23,
     "'required_approvals' is 2, but only 1 approver is listed"},
    {"max_days zero", DATA GATES OVR "  max_days: 0\n", P, 16, 13,
     "'max_days' is 0, but it must be between 1 and 3650"},
    {"max_days too many", DATA GATES OVR "  max_days: 3651\n", P, 16, 13,
     "'max_days' is 3651, but it must be between 1 and 3650"},
    {"not_overridable typo", DATA GATES OVR "  not_overridable: [db]\n", P, 16, 21,
     "'not_overridable' names unknown gate 'db' (did you mean 'dp'?)"},
    {"not_overridable twice", DATA GATES OVR "  not_overridable: [dp, dp]\n", P, 16, 25,
     "gate 'dp' is listed twice in 'not_overridable'"},
    {"not_overridable scalar", DATA GATES OVR "  not_overridable: dp\n", P, 16, 20,
     "'not_overridable' must be a list, not a scalar"},
    /* -- inequality indices -- */
    {"ge_alpha on theil", GATE "    metric: theil_index\n    ge_alpha: 2\n    overall: {max: 1}\n",
     P, 12, 5, "'ge_alpha' applies to generalized_entropy_index and its between_group_ and"},
    {"clarify.GE at another alpha",
     GATE "    metric: clarify.GE\n    ge_alpha: 3\n    overall: {max: 1}\n", P, 12, 15,
     "'ge_alpha' is 3, but metric 'clarify.GE' is GE with alpha 2"},
    {"ge_alpha out of range",
     GATE "    metric: generalized_entropy_index\n    ge_alpha: 101\n    overall: {max: 1}\n", P,
     12, 15, "'ge_alpha' is 101, but it must be between -100 and 100"},
    {"index as a disparity", GATE "    metric: between_group_theil_index\n    max: 0.1\n", P, 11,
     13, "is an inequality index, bounded as it is: give 'overall: {max: ...}' (one value per"},
    {"index alias as a disparity",
     GATE "    metric: aif360.theil_index\n    reference: {sex: M}\n    max: 0.1\n", P, 11, 13,
     "metric 'aif360.theil_index' is an inequality index"},
    {"index bound below 0", GATE "    metric: theil_index\n    overall: {max: -1}\n", P, 12, 20,
     "an overall bound on an inequality index must be at least 0"},
    {"pair metric with a disparity",
     GATE "    metric: label_kl_divergence\n    disparity: difference\n    max: 0.1\n", P, 12, 5,
     "metric 'label_kl_divergence' compares each group with its reference by itself"},
    {"class_imbalance bound", GATE "    metric: clarify.CI\n    reference: rest\n    max: 1.5\n", P,
     13, 10, "a class_imbalance bound must be between -1 and 1"},
    {"divergence bound", GATE "    metric: label_js_divergence\n    min: -0.1\n", P, 12, 10,
     "a bound on a label divergence or distance must be at least 0"},
    {"clarify alias with highest",
     GATE "    metric: clarify.KS\n    reference: highest\n    max: 0.1\n", P, 12, 16,
     "or 'rest' (Clarify's facet against all other rows), not 'highest'"},
    {"rest for a score metric",
     HEAD PROT "  candidate: {score: s, threshold: 0.5}\n"
               "gates:\n  - id: g\n    metric: auc\n    disparity: difference\n    max: 0.1\n"
               "    reference: rest\n",
     P, 13, 16, "reference 'rest' compares a group with the rows outside it"},
    /* -- conditional demographic disparity: strata -- */
    {"cdd without strata", GATE "    metric: clarify.CDDL\n    reference: rest\n    max: 0.1\n", P,
     11, 13, "metric 'clarify.CDDL' is computed within strata: give 'strata'"},
    {"cdd strata not protected",
     GATE "    metric: clarify.CDDPL\n    strata: rase\n    reference: rest\n    max: 0.1\n", P, 12,
     13,
     "strata 'rase' is not a protected attribute: declare it in data.protected (the counts "
     "carry only those columns) (did you mean 'race'?)"},
    {"cdd strata a list",
     GATE "    metric: conditional_demographic_disparity\n    strata: [race]\n    max: 0.1\n", P,
     12, 13, "'strata' must be a string"},
    {"strata on a rate",
     GATE "    metric: tpr\n    strata: race\n    disparity: difference\n    max: 0.1\n", P, 12, 5,
     "'strata' applies to the conditional demographic disparities (clarify.CDDL, clarify.CDDPL), "
     "not to 'tpr'"},
    {"cdd strata the only protected",
     HEAD "  protected: [race]\n" CAND FAV
          "gates:\n  - id: g\n    metric: clarify.CDDL\n    strata: race\n    reference: rest\n"
          "    max: 0.1\n",
     P, 12, 13, "strata 'race' is the only protected attribute"},
    {"cdd bound",
     GATE "    metric: conditional_demographic_disparity\n    strata: race\n    min: -1.5\n", P, 13,
     10, "a bound on a conditional demographic disparity must be between -1 and 1"},
    {"index with an interval",
     GATE "    metric: theil_index\n    overall: {max: 1}\n    evidence: significant\n", P, 13, 15,
     "not for the inequality index metric 'theil_index'"},
};

/* ---- helpers ---- */

static const char *describe(const struct fg_error *err)
{
    static char buf[1400];
    fg_error_format(err, buf, sizeof buf);
    return buf;
}

static struct fg_policy *parse_ok(const char *yaml)
{
    struct fg_policy *policy = NULL;
    struct fg_error err = {0};
    enum fg_status st = fg_policy_parse("t.yaml", yaml, strlen(yaml), &policy, &err);
    ck_assert_msg(st == FG_OK, "expected ok, got %d: %s", (int)st, describe(&err));
    ck_assert_ptr_nonnull(policy);
    return policy;
}

/* Parses text that must fail with status; returns the error for more checks. */
static struct fg_error parse_bad(const char *text, size_t len, enum fg_status status)
{
    struct fg_policy *policy = (struct fg_policy *)1;
    struct fg_error err = {0};
    enum fg_status st = fg_policy_parse("t.yaml", text, len, &policy, &err);
    ck_assert_msg(st == status, "expected status %d, got %d: %s", (int)status, (int)st,
                  describe(&err));
    ck_assert_int_eq(err.code, status);
    ck_assert_ptr_null(policy);
    return err;
}

static const struct fg_gate_spec *gate_named(const struct fg_policy *policy, const char *id)
{
    for (size_t i = 0; i < policy->n_gates; i++)
        if (strcmp(policy->gates[i].id, id) == 0)
            return &policy->gates[i];
    ck_abort_msg("no gate '%s'", id);
    return NULL;
}

/* ---- bad policies ---- */

START_TEST(test_bad)
{
    const struct bad_case *tc = &bad[_i];
    struct fg_error err = parse_bad(tc->yaml, strlen(tc->yaml), tc->status);
    ck_assert_msg(err.line == tc->line && err.column == tc->column, "[%s] expected %lu:%lu, got %s",
                  tc->name, tc->line, tc->column, describe(&err));
    ck_assert_msg(strstr(err.message, tc->message) != NULL, "[%s] expected '%s' in: %s", tc->name,
                  tc->message, describe(&err));
    ck_assert_str_eq(err.file, "t.yaml");
    for (const char *p = err.message; *p; p++)
        ck_assert_msg((unsigned char)*p >= 0x20, "[%s] control character in message", tc->name);
}
END_TEST

/* n levels of flow lists under "gates" (the root mapping is level 1). */
static char *nested(size_t n)
{
    size_t size = strlen(DATA) + 16 + 2 * n;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    size_t used = (size_t)snprintf(text, size, "%sgates: ", DATA);
    for (size_t i = 0; i < n; i++)
        text[used++] = '[';
    for (size_t i = 0; i < n; i++)
        text[used++] = ']';
    text[used++] = '\n';
    text[used] = '\0';
    return text;
}

START_TEST(test_depth_limit)
{
    /* 31 lists + the root = 32 levels: allowed by the YAML layer, refused as a gate. */
    char *text = nested(FG_MAX_POLICY_DEPTH - 1);
    struct fg_error err = parse_bad(text, strlen(text), FG_ERR_POLICY);
    ck_assert_ptr_nonnull(strstr(err.message, "gate #1 must be a mapping"));
    free(text);
    /* one more level: refused where it starts ("gates: " is 7 columns). */
    text = nested(FG_MAX_POLICY_DEPTH);
    err = parse_bad(text, strlen(text), FG_ERR_LIMIT);
    ck_assert_uint_eq(err.line, 9);
    ck_assert_uint_eq(err.column, 7 + FG_MAX_POLICY_DEPTH);
    ck_assert_ptr_nonnull(strstr(err.message, "deeper than 32 levels"));
    free(text);
    text = nested(5000); /* deeper than libyaml's own limit too */
    err = parse_bad(text, strlen(text), FG_ERR_LIMIT);
    free(text);
}
END_TEST

START_TEST(test_size_limit)
{
    size_t len = FG_MAX_POLICY_BYTES + 1;
    char *text = malloc(len);
    ck_assert_ptr_nonnull(text);
    memset(text, '#', len);
    struct fg_error err = parse_bad(text, len, FG_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, "larger than the limit"));
    /* the same through a file */
    char path[] = "/tmp/check_policy_big.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    struct fg_policy *policy = (struct fg_policy *)1;
    ck_assert_int_eq(fg_policy_load(path, &policy, &err), FG_ERR_LIMIT);
    ck_assert_ptr_null(policy);
    unlink(path);
    free(text);
}
END_TEST

START_TEST(test_node_limit)
{
    /* 70000 one-character scalars fit in the byte limit but not in the node limit. */
    size_t n = 70000, size = strlen(DATA) + 32 + 2 * n;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    size_t used = (size_t)snprintf(text, size, "%sgates: [", DATA);
    for (size_t i = 0; i < n; i++) {
        text[used++] = '1';
        text[used++] = ',';
    }
    text[used - 1] = ']';
    text[used++] = '\n';
    ck_assert_uint_lt(used, FG_MAX_POLICY_BYTES);
    struct fg_error err = parse_bad(text, used, FG_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, "YAML nodes"));
    free(text);
}
END_TEST

START_TEST(test_too_many_gates)
{
    size_t n = FG_MAX_GATES + 1, size = strlen(DATA) + 16 + n * 64;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    size_t used = (size_t)snprintf(text, size, "%sgates:\n", DATA);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, size - used,
                                 "  - {id: g%zu, metric: tpr, disparity: ratio, min: 0.8}\n", i);
    struct fg_error err = parse_bad(text, used, FG_ERR_LIMIT);
    ck_assert_uint_eq(err.line, 10);
    ck_assert_ptr_nonnull(strstr(err.message, "the limit is 256"));
    /* exactly the limit loads */
    used = (size_t)snprintf(text, size, "%sgates:\n", DATA);
    for (size_t i = 0; i < FG_MAX_GATES; i++)
        used += (size_t)snprintf(text + used, size - used,
                                 "  - {id: g%zu, metric: tpr, disparity: ratio, min: 0.8}\n", i);
    struct fg_policy *policy = parse_ok(text);
    ck_assert_uint_eq(policy->n_gates, FG_MAX_GATES);
    ck_assert_str_eq(policy->gates[FG_MAX_GATES - 1].id, "g255");
    fg_policy_free(policy);
    free(text);
}
END_TEST

START_TEST(test_too_many_intersections)
{
    /* six attributes have 57 subsets of two or more; list 33 of them. */
    char text[8192];
    size_t used = (size_t)snprintf(text, sizeof text,
                                   "version: 1\nname: t\ndata:\n  label: y\n  positive_label: 1\n"
                                   "  protected: [a, b, c, d, e, f]\n  intersections:\n");
    size_t listed = 0;
    for (unsigned set = 0; set < 64 && listed < FG_MAX_INTERSECTIONS + 1; set++) {
        if ((set & (set - 1)) == 0) /* fewer than two members */
            continue;
        used += (size_t)snprintf(text + used, sizeof text - used, "    - [");
        for (unsigned bit = 0, first = 1; bit < 6; bit++) {
            if (set & (1u << bit)) {
                used += (size_t)snprintf(text + used, sizeof text - used, "%s%c", first ? "" : ", ",
                                         'a' + bit);
                first = 0;
            }
        }
        used += (size_t)snprintf(text + used, sizeof text - used, "]\n");
        listed++;
    }
    used += (size_t)snprintf(text + used, sizeof text - used, CAND FAV GATES);
    struct fg_error err = parse_bad(text, used, FG_ERR_LIMIT);
    ck_assert_uint_eq(err.line, 8);
    ck_assert_ptr_nonnull(strstr(err.message, "the limit is 32"));
}
END_TEST

START_TEST(test_long_names_are_clipped)
{
    char text[1024];
    char key[201];
    memset(key, 'k', 200);
    key[200] = '\0';
    int n = snprintf(text, sizeof text, DATA GATES "%s: 1\n", key);
    struct fg_error err = parse_bad(text, (size_t)n, FG_ERR_POLICY);
    ck_assert_ptr_nonnull(strstr(err.message, "kkk...'"));
    ck_assert_uint_lt(strlen(err.message), 200);
}
END_TEST

START_TEST(test_usage)
{
    struct fg_error err = {0};
    ck_assert_int_eq(fg_policy_parse("x", "a", 1, NULL, &err), FG_ERR_USAGE);
    struct fg_policy *policy = (struct fg_policy *)1;
    ck_assert_int_eq(fg_policy_parse("x", NULL, 3, &policy, &err), FG_ERR_USAGE);
    ck_assert_ptr_null(policy);
    ck_assert_int_eq(fg_policy_load("/nonexistent/fairgate/policy.yaml", &policy, &err), FG_ERR_IO);
    ck_assert_ptr_null(policy);
    ck_assert_str_eq(err.file, "/nonexistent/fairgate/policy.yaml");
    /* a NULL err is allowed */
    ck_assert_int_eq(fg_policy_parse("x", "", 0, &policy, NULL), FG_ERR_POLICY);
    fg_policy_free(NULL);
}
END_TEST

/* ---- good policies ---- */

static const char design_example[] =
    "version: 1\n"
    "name: loan-approval\n"
    "data:\n"
    "  id: applicant_id\n"
    "  label: defaulted\n"
    "  positive_label: \"0\"\n"
    "  protected: [sex, race]\n"
    "  intersections: [[sex, race]]\n"
    "  candidate: { prediction: approve_new }\n"
    "  incumbent: { prediction: approve_old }\n"
    "  favorable_prediction: \"1\"\n"
    "  missing: error\n"
    "defaults:\n"
    "  reference: highest\n"
    "  min_group_size: 30\n"
    "  on_small_group: warn\n"
    "gates:\n"
    "  - id: four-fifths\n"
    "    metric: selection_rate\n"
    "    disparity: ratio\n"
    "    min: 0.8\n"
    "  - id: equalized-odds\n"
    "    metric: equalized_odds\n"
    "    disparity: difference\n"
    "    max: 0.10\n"
    "  - id: no-fairness-regression\n"
    "    metric: selection_rate\n"
    "    disparity: ratio\n"
    "    vs_incumbent: { max_worsening: 0.02 }\n"
    "  - id: accuracy-floor\n"
    "    metric: accuracy\n"
    "    overall: { min: 0.70 }\n"
    "overrides:\n"
    "  approvers:\n"
    "    - { name: risk-officer@bank.example, role: model-risk, public_key: keys/risk.pub.pem,\n"
    "        keyid: " K1 " }\n"
    "  required_approvals: 1\n"
    "  max_days: 30\n"
    "  not_overridable: [accuracy-floor]\n";

START_TEST(test_design_example)
{
    struct fg_policy *p = parse_ok(design_example);
    ck_assert_str_eq(p->path, "t.yaml");
    char sha[65];
    ck_assert_int_eq(fg_sha256_hex(design_example, strlen(design_example), sha, NULL), FG_OK);
    ck_assert_str_eq(p->sha256, sha);
    ck_assert_int_eq(p->version, 1);
    ck_assert_str_eq(p->name, "loan-approval");
    ck_assert_str_eq(p->data.id, "applicant_id");
    ck_assert_str_eq(p->data.label, "defaulted");
    ck_assert_str_eq(p->data.positive_label, "0");
    ck_assert_uint_eq(p->data.n_protected, 2);
    ck_assert_str_eq(p->data.protected[0], "sex");
    ck_assert_str_eq(p->data.protected[1], "race");
    ck_assert_uint_eq(p->data.n_intersections, 1);
    ck_assert_uint_eq(p->data.intersection_sizes[0], 2);
    ck_assert_uint_eq(p->data.intersections[0][0], 0);
    ck_assert_uint_eq(p->data.intersections[0][1], 1);
    ck_assert(p->data.candidate.present);
    ck_assert_str_eq(p->data.candidate.prediction, "approve_new");
    ck_assert_ptr_null(p->data.candidate.score);
    ck_assert(p->data.incumbent.present);
    ck_assert_str_eq(p->data.incumbent.prediction, "approve_old");
    ck_assert_str_eq(p->data.favorable_prediction, "1");
    ck_assert_int_eq(p->data.missing, FG_MISSING_ERROR);
    ck_assert_int_eq(p->data.delimiter, ',');
    ck_assert_int_eq(p->defaults.reference.kind, FG_REFERENCE_HIGHEST);
    ck_assert_uint_eq(p->defaults.min_group_size, 30);
    ck_assert_int_eq(p->defaults.on_small_group, FG_SMALL_GROUP_WARN);
    ck_assert_uint_eq(p->n_gates, 4);

    const struct fg_gate_spec *g = &p->gates[0];
    ck_assert_str_eq(g->id, "four-fifths");
    ck_assert_int_eq(g->metric, FG_METRIC_SELECTION_RATE);
    ck_assert(!g->overall);
    ck_assert_int_eq(g->disparity, FG_DISPARITY_RATIO);
    ck_assert(g->has_min && !g->has_max && !g->has_max_worsening);
    ck_assert_double_eq(g->min, 0.8);
    ck_assert_int_eq(g->reference.kind, FG_REFERENCE_HIGHEST);
    ck_assert_ptr_null(g->reference.values);
    ck_assert_uint_eq(g->min_group_size, 30);
    ck_assert_int_eq(g->on_small_group, FG_SMALL_GROUP_WARN);
    ck_assert_uint_eq(g->mark.line, 18);
    ck_assert_uint_eq(g->mark.column, 5);

    g = &p->gates[1];
    ck_assert_str_eq(g->id, "equalized-odds");
    ck_assert_int_eq(g->metric, FG_METRIC_EQUALIZED_ODDS);
    ck_assert_int_eq(g->disparity, FG_DISPARITY_DIFFERENCE);
    ck_assert(!g->has_min && g->has_max);
    ck_assert_double_eq(g->max, 0.10);
    ck_assert_uint_eq(g->mark.line, 22);

    g = &p->gates[2];
    ck_assert(!g->has_min && !g->has_max && g->has_max_worsening);
    ck_assert_double_eq(g->max_worsening, 0.02);

    g = &p->gates[3];
    ck_assert_str_eq(g->id, "accuracy-floor");
    ck_assert_int_eq(g->metric, FG_METRIC_ACCURACY);
    ck_assert(g->overall);
    ck_assert_int_eq(g->disparity, FG_DISPARITY_NONE);
    ck_assert(g->has_min && !g->has_max && !g->has_max_worsening);
    ck_assert_double_eq(g->min, 0.70);
    ck_assert_uint_eq(g->min_group_size, 30);

    ck_assert(p->has_overrides);
    ck_assert_uint_eq(p->overrides.n_approvers, 1);
    ck_assert_str_eq(p->overrides.approvers[0].name, "risk-officer@bank.example");
    ck_assert_str_eq(p->overrides.approvers[0].role, "model-risk");
    ck_assert_str_eq(p->overrides.approvers[0].public_key, "keys/risk.pub.pem");
    ck_assert_uint_eq(p->overrides.required_approvals, 1);
    ck_assert_uint_eq(p->overrides.max_days, 30);
    ck_assert_uint_eq(p->overrides.n_not_overridable, 1);
    ck_assert_str_eq(p->overrides.not_overridable[0], "accuracy-floor");

    ck_assert_uint_eq(fg_policy_attrset_count(p), 3);
    struct fg_attrset set;
    fg_policy_attrset(p, 1, &set);
    ck_assert_uint_eq(set.n, 1);
    ck_assert_uint_eq(set.attrs[0], 1);
    fg_policy_attrset(p, 2, &set);
    ck_assert_uint_eq(set.n, 2);
    ck_assert_uint_eq(set.attrs[0], 0);
    ck_assert_uint_eq(set.attrs[1], 1);
    fg_policy_free(p);
}
END_TEST

static const char scores_example[] =
    "version: 1\n"
    "name: hiring\n"
    "data:\n"
    "  label: hired\n"
    "  positive_label: 0\n"
    "  protected: [gender, age_band, region]\n"
    "  intersections:\n"
    "    - [age_band, gender]\n"
    "    - [region, gender, age_band]\n"
    "  candidate: {score: s2, threshold: 0.62}\n"
    "  incumbent: {score: s1, threshold: -4.5e-1, favorable: below}\n"
    "  missing: drop\n"
    "  delimiter: \";\"\n"
    "defaults:\n"
    "  reference: {region: north, gender: male, age_band: \"25-40\"}\n"
    "  min_group_size: 50\n"
    "  on_small_group: fail\n"
    "gates:\n"
    "  - id: parity\n"
    "    description: \"\"\n"
    "    metric: selection_rate\n"
    "    disparity: ratio\n"
    "    min: 0.8\n"
    "    max: 1.25\n"
    "  - id: tpr.gap_between\n"
    "    metric: \"tpr\"\n"
    "    disparity: difference\n"
    "    min: 0\n"
    "    max: 1\n"
    "    reference: between_groups\n"
    "    min_group_size: 0\n"
    "    on_small_group: skip\n"
    "  - id: headcount\n"
    "    metric: count\n"
    "    overall: {min: 1000, max: 1e9}\n"
    "  - id: fpr-no-worse\n"
    "    metric: fpr\n"
    "    overall: {max: .2}\n"
    "    vs_incumbent: {max_worsening: 0}\n"
    "  - id: own-reference\n"
    "    metric: ppv\n"
    "    disparity: ratio\n"
    "    min: +0.5\n"
    "    reference: {age_band: \"40+\", region: south, gender: female}\n";

START_TEST(test_scores_and_explicit_reference)
{
    struct fg_policy *p = parse_ok(scores_example);
    ck_assert_str_eq(p->data.positive_label, "0");
    ck_assert_ptr_null(p->data.id);
    ck_assert_ptr_null(p->data.favorable_prediction);
    ck_assert_uint_eq(p->data.n_protected, 3);
    ck_assert_uint_eq(p->data.n_intersections, 2);
    ck_assert_uint_eq(p->data.intersection_sizes[0], 2);
    ck_assert_uint_eq(p->data.intersections[0][0], 1); /* age_band, in the order written */
    ck_assert_uint_eq(p->data.intersections[0][1], 0);
    ck_assert_uint_eq(p->data.intersection_sizes[1], 3);
    ck_assert_uint_eq(p->data.intersections[1][0], 2);
    ck_assert_uint_eq(p->data.intersections[1][1], 0);
    ck_assert_uint_eq(p->data.intersections[1][2], 1);
    ck_assert(p->data.candidate.present);
    ck_assert_ptr_null(p->data.candidate.prediction);
    ck_assert_str_eq(p->data.candidate.score, "s2");
    ck_assert_double_eq(p->data.candidate.threshold, 0.62);
    ck_assert_int_eq(p->data.candidate.favorable, FG_FAVORABLE_ABOVE);
    ck_assert(p->data.incumbent.present);
    ck_assert_str_eq(p->data.incumbent.score, "s1");
    ck_assert_double_eq(p->data.incumbent.threshold, -0.45);
    ck_assert_int_eq(p->data.incumbent.favorable, FG_FAVORABLE_BELOW);
    ck_assert_int_eq(p->data.missing, FG_MISSING_DROP);
    ck_assert_int_eq(p->data.delimiter, ';');

    ck_assert_int_eq(p->defaults.reference.kind, FG_REFERENCE_EXPLICIT);
    ck_assert_str_eq(p->defaults.reference.values[0], "male"); /* stored by protected index */
    ck_assert_str_eq(p->defaults.reference.values[1], "25-40");
    ck_assert_str_eq(p->defaults.reference.values[2], "north");
    ck_assert_uint_eq(p->defaults.min_group_size, 50);
    ck_assert_int_eq(p->defaults.on_small_group, FG_SMALL_GROUP_FAIL);

    const struct fg_gate_spec *g = gate_named(p, "parity");
    ck_assert(g->has_min && g->has_max);
    ck_assert_double_eq(g->min, 0.8);
    ck_assert_double_eq(g->max, 1.25);
    /* the defaults are copied in, deeply */
    ck_assert_int_eq(g->reference.kind, FG_REFERENCE_EXPLICIT);
    ck_assert_ptr_ne(g->reference.values, p->defaults.reference.values);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_ptr_ne(g->reference.values[i], p->defaults.reference.values[i]);
        ck_assert_str_eq(g->reference.values[i], p->defaults.reference.values[i]);
    }
    ck_assert_uint_eq(g->min_group_size, 50);
    ck_assert_int_eq(g->on_small_group, FG_SMALL_GROUP_FAIL);

    g = gate_named(p, "tpr.gap_between");
    ck_assert_int_eq(g->metric, FG_METRIC_TPR);
    ck_assert_int_eq(g->disparity, FG_DISPARITY_DIFFERENCE);
    ck_assert_double_eq(g->min, 0);
    ck_assert_double_eq(g->max, 1);
    ck_assert_int_eq(g->reference.kind, FG_REFERENCE_BETWEEN_GROUPS);
    ck_assert_ptr_null(g->reference.values);
    ck_assert_uint_eq(g->min_group_size, 0);
    ck_assert_int_eq(g->on_small_group, FG_SMALL_GROUP_SKIP);

    g = gate_named(p, "headcount");
    ck_assert(g->overall);
    ck_assert_int_eq(g->metric, FG_METRIC_COUNT);
    ck_assert_double_eq(g->min, 1000);
    ck_assert_double_eq(g->max, 1e9);

    g = gate_named(p, "fpr-no-worse");
    ck_assert(g->overall && !g->has_min && g->has_max && g->has_max_worsening);
    ck_assert_double_eq(g->max, 0.2);
    ck_assert_double_eq(g->max_worsening, 0);

    g = gate_named(p, "own-reference");
    ck_assert_double_eq(g->min, 0.5);
    ck_assert_int_eq(g->reference.kind, FG_REFERENCE_EXPLICIT);
    ck_assert_str_eq(g->reference.values[0], "female");
    ck_assert_str_eq(g->reference.values[1], "40+");
    ck_assert_str_eq(g->reference.values[2], "south");

    ck_assert(!p->has_overrides);
    ck_assert_uint_eq(p->overrides.n_approvers, 0);
    ck_assert_uint_eq(fg_policy_attrset_count(p), 5);
    struct fg_attrset set;
    fg_policy_attrset(p, 4, &set);
    ck_assert_uint_eq(set.n, 3);
    ck_assert_uint_eq(set.attrs[0], 2);
    ck_assert_uint_eq(set.attrs[2], 1);
    fg_policy_attrset(p, 5, &set); /* out of range: empty */
    ck_assert_uint_eq(set.n, 0);
    fg_policy_free(p);
}
END_TEST

START_TEST(test_defaults)
{
    struct fg_policy *p = parse_ok(DATA GATES);
    ck_assert_ptr_null(p->data.id);
    ck_assert(!p->data.incumbent.present);
    ck_assert_ptr_null(p->data.incumbent.prediction);
    ck_assert_int_eq(p->data.missing, FG_MISSING_ERROR);
    ck_assert_int_eq(p->data.delimiter, ',');
    ck_assert_uint_eq(p->data.n_intersections, 0);
    ck_assert_int_eq(p->defaults.reference.kind, FG_REFERENCE_HIGHEST);
    ck_assert_uint_eq(p->defaults.min_group_size, 0);
    ck_assert_int_eq(p->defaults.on_small_group, FG_SMALL_GROUP_WARN);
    ck_assert_int_eq(p->gates[0].reference.kind, FG_REFERENCE_HIGHEST);
    ck_assert_uint_eq(p->gates[0].min_group_size, 0);
    ck_assert_int_eq(p->gates[0].on_small_group, FG_SMALL_GROUP_WARN);
    ck_assert(!p->has_overrides);
    ck_assert_uint_eq(fg_policy_attrset_count(p), 2);
    fg_policy_free(p);

    p = parse_ok(DATA GATES OVR);
    ck_assert(p->has_overrides);
    ck_assert_uint_eq(p->overrides.required_approvals, 1);
    ck_assert_uint_eq(p->overrides.max_days, 30);
    ck_assert_uint_eq(p->overrides.n_not_overridable, 0);
    fg_policy_free(p);

    p = parse_ok(DATA GATES
                 "overrides:\n  approvers:\n    - {name: a, role: r, public_key: k, keyid: " K1
                 "}\n    - {name: b, role: r, public_key: l, keyid: " K2 "}\n"
                 "  required_approvals: 2\n  max_days: 3650\n  not_overridable: [dp]\n");
    ck_assert_uint_eq(p->overrides.n_approvers, 2);
    ck_assert_str_eq(p->overrides.approvers[1].name, "b");
    ck_assert_uint_eq(p->overrides.required_approvals, 2);
    ck_assert_uint_eq(p->overrides.max_days, 3650);
    ck_assert_str_eq(p->overrides.not_overridable[0], "dp");
    ck_assert_str_eq(p->overrides.approvers[0].keyid, K1);
    ck_assert(!p->overrides.approvers[0].inline_key);
    fg_policy_free(p);

    /* An inline key pins itself: its id is computed, and a keyid beside it must agree. */
    p = parse_ok(DATA GATES "overrides:\n  approvers:\n    - name: a\n      role: r\n" RFC8410_PEM);
    ck_assert(p->overrides.approvers[0].inline_key);
    ck_assert_str_eq(p->overrides.approvers[0].keyid, RFC8410_ID);
    ck_assert_uint_eq(p->overrides.approvers[0].mark.line, 16);
    fg_policy_free(p);
    p = parse_ok(DATA GATES "overrides:\n  approvers:\n    - name: a\n      role: r\n"
                            "      keyid: " RFC8410_ID "\n" RFC8410_PEM);
    ck_assert_str_eq(p->overrides.approvers[0].keyid, RFC8410_ID);
    fg_policy_free(p);
}
END_TEST

/* Scalars that are text, not numbers or booleans, where a string is wanted. */
START_TEST(test_labels_are_text)
{
    static const struct {
        const char *written, *text;
    } cases[] = {{"0", "0"},         {"\"0\"", "0"}, {"'0'", "0"},   {"yes", "yes"},
                 {"true", "true"},   {"1.0", "1.0"}, {"\"~\"", "~"}, {"'null'", "null"},
                 {"\" x \"", " x "}, {"é", "é"}};
    for (size_t i = 0; i < N_OF(cases); i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "version: 1\nname: t\ndata:\n  label: y\n  positive_label: %s\n" PROT CAND
                 "  favorable_prediction: %s\n" GATES,
                 cases[i].written, cases[i].written);
        struct fg_policy *p = parse_ok(text);
        ck_assert_str_eq(p->data.positive_label, cases[i].text);
        ck_assert_str_eq(p->data.favorable_prediction, cases[i].text);
        fg_policy_free(p);
    }
}
END_TEST

/* Number spellings that are accepted, with the value each must give. */
START_TEST(test_numbers)
{
    static const struct {
        const char *written;
        double value;
    } cases[] = {{"0.8", 0.8},  {".8", 0.8}, {"8e-1", 0.8}, {"8E-1", 0.8}, {"+0.8", 0.8},
                 {"0.80", 0.8}, {"1", 1.0},  {"2.", 2.0},   {"1e+0", 1.0}, {"0.000001", 1e-6}};
    for (size_t i = 0; i < N_OF(cases); i++) {
        char text[512];
        snprintf(text, sizeof text, GATE "    metric: tpr\n    disparity: ratio\n    min: %s\n",
                 cases[i].written);
        struct fg_policy *p = parse_ok(text);
        ck_assert_msg(p->gates[0].min == cases[i].value, "'%s' gave %g", cases[i].written,
                      p->gates[0].min);
        fg_policy_free(p);
    }
}
END_TEST

START_TEST(test_document_markers)
{
    struct fg_policy *p = parse_ok("%YAML 1.1\n---\n" DATA GATES "...\n");
    ck_assert_str_eq(p->name, "t");
    fg_policy_free(p);
    p = parse_ok("# comment\n" DATA GATES "# trailing comment\n");
    ck_assert_uint_eq(p->gates[0].mark.line, 11);
    fg_policy_free(p);
}
END_TEST

/* ge_alpha: 2 by default, as given, fixed at 2 by clarify.GE, 0 where GE takes none; an index
 * gate is an overall gate, and a between-group alias keeps its AIF360 form. */
START_TEST(test_index_gates)
{
    static const char text[] =
        DATA "gates:\n"
             "  - {id: a, metric: generalized_entropy_index, overall: {max: 1}}\n"
             "  - {id: b, metric: between_group_generalized_entropy_index,\n"
             "     ge_alpha: -0.5, overall: {max: 1}}\n"
             "  - {id: c, metric: clarify.GE, ge_alpha: 2, overall: {max: 1}}\n"
             "  - {id: d, metric: aif360.between_group_theil_index,\n"
             "     overall: {max: 2}, vs_incumbent: {max_worsening: 0.01}}\n";
    struct fg_policy *policy = parse_ok(text);
    ck_assert_double_eq(gate_named(policy, "a")->ge_alpha, 2.0);
    ck_assert(gate_named(policy, "a")->overall);
    ck_assert_double_eq(gate_named(policy, "b")->ge_alpha, -0.5);
    ck_assert_double_eq(gate_named(policy, "c")->ge_alpha, 2.0);
    ck_assert_int_eq(gate_named(policy, "c")->metric, FG_METRIC_GENERALIZED_ENTROPY_INDEX);
    const struct fg_gate_spec *d = gate_named(policy, "d");
    ck_assert_double_eq(d->ge_alpha, 0.0);
    ck_assert_int_eq(d->metric, FG_METRIC_BETWEEN_GROUP_THEIL_INDEX);
    ck_assert_int_eq(d->alias->form, FG_ALIAS_INDEX_TWO_GROUPS);
    ck_assert(d->has_max_worsening && d->overall);
    fg_policy_free(policy);
}
END_TEST

START_TEST(test_names)
{
    static const char *const metrics[] = {"count",
                                          "base_rate",
                                          "selection_rate",
                                          "tpr",
                                          "fpr",
                                          "fnr",
                                          "tnr",
                                          "ppv",
                                          "npv",
                                          "fdr",
                                          "for",
                                          "accuracy",
                                          "error_rate",
                                          "equalized_odds",
                                          "auc",
                                          "calibration_gap",
                                          "brier",
                                          "conditional_acceptance",
                                          "conditional_rejection",
                                          "treatment_equality",
                                          "average_odds",
                                          "average_predictive_value",
                                          "generalized_entropy_index",
                                          "theil_index",
                                          "coefficient_of_variation",
                                          "between_group_generalized_entropy_index",
                                          "between_group_theil_index",
                                          "between_group_coefficient_of_variation",
                                          "within_group_generalized_entropy_index",
                                          "within_group_theil_index",
                                          "smoothed_empirical_differential_fairness",
                                          "differential_fairness_bias_amplification",
                                          "class_imbalance",
                                          "label_kl_divergence",
                                          "label_js_divergence",
                                          "label_lp_norm",
                                          "label_total_variation",
                                          "label_ks_distance",
                                          "conditional_demographic_disparity",
                                          "conditional_demographic_disparity_predicted"};
    ck_assert_uint_eq(N_OF(metrics), FG_METRIC__N);
    for (size_t i = 0; i < N_OF(metrics); i++)
        ck_assert_str_eq(fg_metric_name((enum fg_metric)i), metrics[i]);
    ck_assert_str_eq(fg_metric_name(FG_METRIC__N), "unknown");
    ck_assert_str_eq(fg_disparity_name(FG_DISPARITY_NONE), "none");
    ck_assert_str_eq(fg_disparity_name(FG_DISPARITY_RATIO), "ratio");
    ck_assert_str_eq(fg_disparity_name(FG_DISPARITY_DIFFERENCE), "difference");
    ck_assert_str_eq(fg_disparity_name(FG_DISPARITY_SIGNED_DIFFERENCE), "signed_difference");
    ck_assert_str_eq(fg_disparity_name((enum fg_disparity)42), "unknown");
    ck_assert_str_eq(fg_reference_kind_name(FG_REFERENCE_HIGHEST), "highest");
    ck_assert_str_eq(fg_reference_kind_name(FG_REFERENCE_LARGEST), "largest");
    ck_assert_str_eq(fg_reference_kind_name(FG_REFERENCE_EXPLICIT), "explicit");
    ck_assert_str_eq(fg_reference_kind_name(FG_REFERENCE_BETWEEN_GROUPS), "between_groups");
    ck_assert_str_eq(fg_small_group_name(FG_SMALL_GROUP_FAIL), "fail");
    ck_assert_str_eq(fg_small_group_name(FG_SMALL_GROUP_WARN), "warn");
    ck_assert_str_eq(fg_small_group_name(FG_SMALL_GROUP_SKIP), "skip");
    ck_assert_str_eq(fg_small_group_name((enum fg_small_group) - 1), "unknown");
    /* every metric name written in a policy means that metric */
    for (size_t i = 0; i < N_OF(metrics); i++) {
        if (i == FG_METRIC_COUNT || i >= FG_METRIC_AUC)
            continue;
        char text[512];
        snprintf(text, sizeof text,
                 GATE "    metric: %s\n    disparity: difference\n    max: 0.1\n", metrics[i]);
        struct fg_policy *p = parse_ok(text);
        ck_assert_int_eq(p->gates[0].metric, (int)i);
        fg_policy_free(p);
    }
}
END_TEST

START_TEST(test_gate_id_limits)
{
    char id[65];
    memset(id, 'a', 64);
    id[64] = '\0';
    char text[512];
    snprintf(text, sizeof text,
             DATA "gates:\n  - id: %s\n    metric: tpr\n    disparity: ratio\n    min: 1\n", id);
    struct fg_policy *p = parse_ok(text);
    ck_assert_str_eq(p->gates[0].id, id);
    fg_policy_free(p);
    p = parse_ok(DATA
                 "gates:\n  - id: A.z_0-9\n    metric: tpr\n    disparity: ratio\n    min: 1\n");
    ck_assert_str_eq(p->gates[0].id, "A.z_0-9");
    fg_policy_free(p);
}
END_TEST

/* ---- fixtures ---- */

static const char *fixture_dir(void)
{
    const char *dir = getenv("FAIRGATE_POLICY_FIXTURES");
    return dir && *dir ? dir : "tests/fixtures/policy";
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(test_fixtures)
{
    DIR *dir = opendir(fixture_dir());
    ck_assert_msg(dir != NULL, "cannot open %s (run from the repository root)", fixture_dir());
    char *names[256];
    size_t n = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && n < N_OF(names)) {
        size_t len = strlen(entry->d_name);
        if (len > 5 && strcmp(entry->d_name + len - 5, ".yaml") == 0)
            names[n++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof names[0], by_name);
    size_t good = 0, bad_seen = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", fixture_dir(), names[i]);
        struct fg_policy *policy = NULL;
        struct fg_error err = {0};
        enum fg_status st = fg_policy_load(path, &policy, &err);
        if (strncmp(names[i], "good-", 5) == 0) {
            ck_assert_msg(st == FG_OK, "%s: %s", names[i], describe(&err));
            ck_assert_str_eq(policy->path, path);
            fg_policy_free(policy);
            good++;
        } else if (strncmp(names[i], "bad-", 4) == 0) {
            FILE *f = fopen(path, "r");
            ck_assert_ptr_nonnull(f);
            char first[512] = "";
            ck_assert_ptr_nonnull(fgets(first, sizeof first, f));
            fclose(f);
            first[strcspn(first, "\n")] = '\0';
            unsigned long line = 0, column = 0;
            int consumed = 0;
            ck_assert_msg(sscanf(first, "# expect: %lu:%lu: %n", &line, &column, &consumed) == 2 &&
                              consumed > 0,
                          "%s: first line must be '# expect: LINE:COL: TEXT'", names[i]);
            ck_assert_msg(st != FG_OK, "%s: loaded but must fail", names[i]);
            ck_assert_ptr_null(policy);
            ck_assert_msg(err.line == line && err.column == column &&
                              strstr(err.message, first + consumed) != NULL,
                          "%s: expected %lu:%lu: %s, got %s", names[i], line, column,
                          first + consumed, describe(&err));
            bad_seen++;
        } else { /* a fixture of the CLI tests (tests/fixtures/policy/README.md) */
            fg_policy_free(policy);
        }
        free(names[i]);
    }
    ck_assert_uint_ge(good, 3);
    ck_assert_uint_ge(bad_seen, 26);
}
END_TEST

/* ---- main ---- */

static Suite *policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("bad");
    tcase_add_loop_test(tc, test_bad, 0, (int)N_OF(bad));
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_size_limit);
    tcase_add_test(tc, test_node_limit);
    tcase_add_test(tc, test_too_many_gates);
    tcase_add_test(tc, test_too_many_intersections);
    tcase_add_test(tc, test_long_names_are_clipped);
    tcase_add_test(tc, test_usage);
    suite_add_tcase(s, tc);
    tc = tcase_create("good");
    tcase_add_test(tc, test_design_example);
    tcase_add_test(tc, test_scores_and_explicit_reference);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_labels_are_text);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_document_markers);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_index_gates);
    tcase_add_test(tc, test_gate_id_limits);
    suite_add_tcase(s, tc);
    tc = tcase_create("fixtures");
    tcase_add_test(tc, test_fixtures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(policy_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
