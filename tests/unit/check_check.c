/*
 * check_check.c - the use cases as one library call each (lib/check.c), without the CLI:
 * fg_check_run on rows and on counts files, fg_override_run and fg_verify_run, asserting
 * the verdict, the exit code, a known group's numbers, that the attestation verifies and
 * that an override applies.
 */
#define _GNU_SOURCE

#include "fairgate.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static char dir[64];
static char policy_path[128], candidate_path[128], key_path[128], pub_path[128];

static void path_in(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

/* 100 rows of group A (80 approved), 100 of group B (20 approved): the four-fifths gate fails
 * for B with a ratio of 0.2 / 0.8 = 0.25. The approver's key is made here and pinned. */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/fg-check.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    path_in(policy_path, sizeof policy_path, "policy.yaml");
    path_in(candidate_path, sizeof candidate_path, "candidate.csv");
    path_in(key_path, sizeof key_path, "risk.pem");
    path_in(pub_path, sizeof pub_path, "risk.pub");
    struct fg_error err = {0};
    struct fg_key *key = NULL;
    ck_assert_int_eq(fg_key_generate(&key, &err), FG_OK);
    ck_assert_int_eq(fg_key_write_private(key, key_path, false, &err), FG_OK);
    ck_assert_int_eq(fg_key_write_public(key, pub_path, false, &err), FG_OK);
    char id[65], policy[2048];
    fg_key_id(key, id);
    fg_key_free(key);
    snprintf(policy, sizeof policy,
             "version: 1\nname: unit-check\ndata:\n  label: defaulted\n  positive_label: \"0\"\n"
             "  protected: [race]\n  candidate: { prediction: approve_new }\n"
             "  favorable_prediction: \"1\"\ndefaults:\n  min_group_size: 30\ngates:\n"
             "  - id: four-fifths\n    metric: selection_rate\n    disparity: ratio\n"
             "    min: 0.8\noverrides:\n  approvers:\n"
             "    - { name: risk@bank.example, role: model-risk, public_key: risk.pub, "
             "keyid: %s }\n  max_days: 30\n",
             id);
    write_text(policy_path, policy);
    char *csv = malloc(200 * 16 + 64);
    ck_assert_ptr_nonnull(csv);
    size_t len = (size_t)snprintf(csv, 64, "race,defaulted,approve_new\n");
    for (int i = 1; i <= 200; i++)
        len += (size_t)snprintf(csv + len, 16, "%s,%d,%d\n", i <= 100 ? "A" : "B", i % 2,
                                i <= 100 ? i <= 80 : i <= 120);
    write_text(candidate_path, csv);
    free(csv);
}

static void teardown(void)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(command), 0);
}

/* The result of group `label` in the first gate of the audit. */
static const cJSON *group_result(const cJSON *audit, const char *label)
{
    const cJSON *gate = cJSON_GetArrayItem(cJSON_GetObjectItem(audit, "gates"), 0);
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(gate, "results"))
    {
        const cJSON *l = cJSON_GetObjectItem(r, "label");
        if (cJSON_IsString(l) && strcmp(l->valuestring, label) == 0)
            return r;
    }
    return NULL;
}

static double number(const cJSON *object, const char *key)
{
    const cJSON *n = cJSON_GetObjectItem(object, key);
    ck_assert_msg(cJSON_IsNumber(n), "no number %s", key);
    return n->valuedouble;
}

START_TEST(test_check_fails_with_numbers_and_texts)
{
    struct fg_check_request rq = {.policy_path = policy_path,
                                  .candidate_path = candidate_path,
                                  .markdown = true,
                                  .junit = true,
                                  .summary = true};
    struct fg_check_result *r = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_check_run(&rq, &r, &err), FG_OK);
    ck_assert_int_eq(r->verdict, FG_VERDICT_FAIL);
    ck_assert_int_eq(r->exit_code, 1);
    ck_assert_ptr_nonnull(r->markdown);
    ck_assert_ptr_nonnull(r->junit);
    ck_assert_ptr_null(r->html);
    ck_assert_ptr_null(r->attestation);
    ck_assert_ptr_nonnull(strstr(r->summary, "FAIL  four-fifths  race=B"));
    cJSON *audit = cJSON_Parse(r->audit);
    ck_assert_ptr_nonnull(audit);
    ck_assert_str_eq(cJSON_GetObjectItem(audit, "verdict")->valuestring, "fail");
    const cJSON *b = group_result(audit, "race=B");
    ck_assert_ptr_nonnull(b);
    ck_assert_double_eq_tol(number(b, "group_value"), 0.2, 1e-12);
    ck_assert_double_eq_tol(number(b, "value"), 0.25, 1e-12);
    ck_assert_double_eq(number(b, "n"), 100);
    ck_assert_str_eq(cJSON_GetObjectItem(b, "status")->valuestring, "fail");
    cJSON_Delete(audit);
    fg_check_result_free(r);
}
END_TEST

START_TEST(test_check_error_gives_no_result)
{
    char missing[160];
    path_in(missing, sizeof missing, "missing.csv");
    struct fg_check_request rq = {.policy_path = policy_path, .candidate_path = missing};
    struct fg_check_result *r = (struct fg_check_result *)&rq; /* must be reset */
    struct fg_error err = {0};
    ck_assert_int_ne(fg_check_run(&rq, &r, &err), FG_OK);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(err.file, "missing.csv"));
}
END_TEST

/* The attestation check signs verifies with the public key and the files judged, and a
 * different candidate file does not. */
START_TEST(test_check_attestation_verifies)
{
    char audit_path[160], att_path[160];
    path_in(audit_path, sizeof audit_path, "audit.json");
    path_in(att_path, sizeof att_path, "att.jsonl");
    struct fg_check_request rq = {.policy_path = policy_path,
                                  .candidate_path = candidate_path,
                                  .sign_key_path = key_path,
                                  .audit_path = audit_path};
    struct fg_check_result *r = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_check_run(&rq, &r, &err), FG_OK);
    ck_assert_ptr_nonnull(r->attestation);
    const struct fg_output outputs[] = {
        {audit_path, r->audit, strlen(r->audit), 0, NULL},
        {att_path, r->attestation, strlen(r->attestation), 0, NULL}};
    ck_assert_int_eq(fg_outputs_write(outputs, 2, NULL, &err), FG_OK);
    const struct fg_verify_file files[] = {{FG_ROLE_CANDIDATE, candidate_path, NULL},
                                           {FG_ROLE_POLICY, policy_path, NULL},
                                           {FG_ROLE_AUDIT, audit_path, NULL}};
    struct fg_verify_request vr = {att_path, pub_path, files, 3, 0};
    struct fg_verify_outcome outcome;
    char *report = NULL;
    ck_assert_int_eq(fg_verify_run(&vr, &outcome, &report, &err), FG_OK);
    ck_assert_int_eq(outcome.valid, 1);
    ck_assert_int_eq(outcome.accepted, 1); /* no verdict required */
    ck_assert_ptr_nonnull(strstr(r->audit, outcome.verdict));
    free(report);
    /* Required: the attested verdict, accepted; every other verdict, refused. */
    unsigned attested = 0;
    ck_assert_int_eq(fg_verdict_mask_parse(outcome.verdict, &attested, &err), FG_OK);
    vr.require_verdicts = attested;
    ck_assert_int_eq(fg_verify_run(&vr, &outcome, &report, &err), FG_OK);
    ck_assert(outcome.valid && outcome.accepted);
    free(report);
    vr.require_verdicts = 7u & ~attested;
    ck_assert_int_eq(fg_verify_run(&vr, &outcome, &report, &err), FG_OK);
    ck_assert(outcome.valid && !outcome.accepted);
    ck_assert_ptr_nonnull(strstr(report, "\nREFUSED: the attested verdict is '"));
    free(report);
    vr.require_verdicts = 0;
    const struct fg_verify_file wrong[] = {{FG_ROLE_CANDIDATE, policy_path, NULL}};
    vr.files = wrong;
    vr.n_files = 1;
    ck_assert_int_eq(fg_verify_run(&vr, &outcome, &report, &err), FG_OK);
    ck_assert_int_eq(outcome.valid, 0);
    ck_assert_int_eq(outcome.accepted, 0);
    ck_assert_str_eq(outcome.verdict, "");
    free(report);
    fg_check_result_free(r);
}
END_TEST

static void expiry_in_days(char out[11], int days)
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* An approval fg_override_run signs turns the failed gate into overridden. */
START_TEST(test_override_applies)
{
    char expires[11], envelope_path[160];
    expiry_in_days(expires, 10);
    path_in(envelope_path, sizeof envelope_path, "o.dsse.json");
    struct fg_override_run_request orq = {.policy_path = policy_path,
                                          .sign_key_path = key_path,
                                          .approval = {.gate = "four-fifths",
                                                       .approver = "risk@bank.example",
                                                       .role = "model-risk",
                                                       .reason = "unit test",
                                                       .expires = expires,
                                                       .candidate_path = candidate_path}};
    char *envelope = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_override_run(&orq, &envelope, &err), FG_OK);
    write_text(envelope_path, envelope);
    free(envelope);
    const char *offers[] = {envelope_path};
    struct fg_check_request rq = {.policy_path = policy_path,
                                  .candidate_path = candidate_path,
                                  .override_paths = offers,
                                  .n_overrides = 1};
    struct fg_check_result *r = NULL;
    ck_assert_int_eq(fg_check_run(&rq, &r, &err), FG_OK);
    ck_assert_int_eq(r->verdict, FG_VERDICT_PASS_WITH_OVERRIDE);
    ck_assert_int_eq(r->exit_code, 0);
    cJSON *audit = cJSON_Parse(r->audit);
    const cJSON *offer = cJSON_GetArrayItem(cJSON_GetObjectItem(audit, "overrides"), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(offer, "status")->valuestring, "applied");
    ck_assert_str_eq(cJSON_GetObjectItem(group_result(audit, "race=B"), "status")->valuestring,
                     "overridden");
    cJSON_Delete(audit);
    fg_check_result_free(r);
}
END_TEST

/* On counts files, an override binds to all of them in order (one binding, counts_io.c):
 * made for the two shards it applies to them, and a shard given twice is refused. */
START_TEST(test_override_on_counts_shards)
{
    char shard[2][160], envelope_path[160], expires[11];
    const char *rows[2] = {"race,y_true,candidate,incumbent,count\nA,1,1,0,80\nA,1,0,0,20\n",
                           "race,y_true,candidate,incumbent,count\nB,1,1,0,20\nB,1,0,0,80\n"};
    for (int i = 0; i < 2; i++) {
        path_in(shard[i], sizeof shard[i], i == 0 ? "part-0.csv" : "part-1.csv");
        write_text(shard[i], rows[i]);
    }
    path_in(envelope_path, sizeof envelope_path, "shards.dsse.json");
    expiry_in_days(expires, 5);
    const char *paths[] = {shard[0], shard[1]};
    struct fg_override_run_request orq = {policy_path,
                                          key_path,
                                          paths,
                                          2,
                                          {.gate = "four-fifths",
                                           .approver = "risk@bank.example",
                                           .role = "model-risk",
                                           .reason = "shards",
                                           .expires = expires},
                                          NULL,
                                          NULL,
                                          NULL,
                                          false};
    char *envelope = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_override_run(&orq, &envelope, &err), FG_OK);
    write_text(envelope_path, envelope);
    free(envelope);
    const char *offers[] = {envelope_path};
    struct fg_check_request rq = {.policy_path = policy_path,
                                  .counts_paths = paths,
                                  .n_counts = 2,
                                  .override_paths = offers,
                                  .n_overrides = 1};
    struct fg_check_result *r = NULL;
    ck_assert_int_eq(fg_check_run(&rq, &r, &err), FG_OK);
    ck_assert_int_eq(r->verdict, FG_VERDICT_PASS_WITH_OVERRIDE);
    fg_check_result_free(r);
    rq.n_counts = 1; /* a shard left out: the approval does not apply */
    ck_assert_int_eq(fg_check_run(&rq, &r, &err), FG_OK);
    cJSON *audit = cJSON_Parse(r->audit);
    const cJSON *offer = cJSON_GetArrayItem(cJSON_GetObjectItem(audit, "overrides"), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(offer, "status")->valuestring, "rejected");
    cJSON_Delete(audit);
    fg_check_result_free(r);
    const char *twice[] = {shard[0], shard[0]};
    orq.counts_paths = twice;
    ck_assert_int_eq(fg_override_run(&orq, &envelope, &err), FG_ERR_USAGE);
    ck_assert_ptr_null(envelope);
    ck_assert_ptr_nonnull(strstr(err.message, "a shard given twice"));
    char a[65], b[65];
    ck_assert_int_eq(fg_counts_binding_files(paths, 2, a, &err), FG_OK);
    const char *reversed[] = {shard[1], shard[0]};
    ck_assert_int_eq(fg_counts_binding_files(reversed, 2, b, &err), FG_OK);
    ck_assert_str_ne(a, b);
}
END_TEST

static char *read_text(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_file_read_all(path, 1 << 24, &text, &len, &err), FG_OK);
    return text;
}

/* A signed check of the candidate, with the Markdown and JUnit reports. */
static struct fg_check_result *signed_check(const char *audit_path)
{
    struct fg_check_request rq = {.policy_path = policy_path,
                                  .candidate_path = candidate_path,
                                  .sign_key_path = key_path,
                                  .audit_path = audit_path,
                                  .markdown = true,
                                  .junit = true};
    struct fg_check_result *r = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_check_run(&rq, &r, &err), FG_OK);
    return r;
}

/* fg_report_run renders the attested audit as check did, writes every file asked for, and
 * writes nothing when the audit given is not the attested one. */
START_TEST(test_report_run)
{
    char audit_path[160], att_path[160], md_path[160], junit_path[160], other_path[160];
    path_in(audit_path, sizeof audit_path, "audit.json");
    path_in(att_path, sizeof att_path, "att.jsonl");
    path_in(md_path, sizeof md_path, "summary.md");
    path_in(junit_path, sizeof junit_path, "junit.xml");
    path_in(other_path, sizeof other_path, "other.json");
    struct fg_check_result *r = signed_check(audit_path);
    struct fg_error err = {0};
    write_text(audit_path, r->audit);
    write_text(att_path, r->attestation);
    struct fg_report_request rq = {.attestation_path = att_path,
                                   .pubkey_path = pub_path,
                                   .markdown_path = md_path,
                                   .junit_path = junit_path};
    int valid = 0;
    char *report = NULL;
    ck_assert_int_eq(fg_report_run(&rq, &valid, &report, &err), FG_OK);
    ck_assert_int_eq(valid, 1);
    free(report);
    char *md = read_text(md_path), *junit = read_text(junit_path);
    ck_assert_str_eq(md, r->markdown); /* the bytes check rendered */
    ck_assert_ptr_nonnull(strstr(junit, "race=B"));
    ck_assert_ptr_nonnull(strstr(junit, "<failure"));
    free(md);
    free(junit);
    ck_assert_int_eq(remove(md_path), 0);
    write_text(other_path, "{\"verdict\": \"pass\"}\n"); /* not the attested audit */
    rq.audit_path = other_path;
    ck_assert_int_eq(fg_report_run(&rq, &valid, &report, &err), FG_OK);
    ck_assert_int_eq(valid, 0);
    ck_assert_ptr_nonnull(report);
    free(report);
    FILE *f = fopen(md_path, "rb");
    ck_assert_ptr_null(f); /* nothing written */
    rq = (struct fg_report_request){.audit_path = other_path, .markdown_path = md_path};
    ck_assert_int_ne(fg_report_run(&rq, &valid, &report, &err), FG_OK); /* not an audit */
    ck_assert_ptr_nonnull(strstr(err.file, "other.json"));
    fg_check_result_free(r);
}
END_TEST

/* fg_check_write writes every text of a check (the Markdown appended to the step summary,
 * the attestation too), or, when one path cannot be written, none of them. */
START_TEST(test_check_write)
{
    static const char *const names[] = {"audit.json", "att.jsonl", "summary.md", "step.md",
                                        "no/such/folder/r.xml"};
    char path[5][160];
    for (size_t i = 0; i < 5; i++)
        path_in(path[i], sizeof path[i], names[i]);
    const char *audit_path = path[0], *att_path = path[1], *md_path = path[2], *step_path = path[3],
               *bad_path = path[4];
    struct fg_check_result *r = signed_check(audit_path);
    struct fg_error err = {0};
    write_text(step_path, "before\n");
    struct fg_check_outputs o = {.audit_path = audit_path,
                                 .junit_path = bad_path,
                                 .attestation_path = att_path,
                                 .step_summary_path = step_path};
    ck_assert_int_ne(fg_check_write(r, &o, &err), FG_OK); /* none written */
    ck_assert_ptr_null(fopen(audit_path, "rb"));
    ck_assert_ptr_null(fopen(att_path, "rb"));
    char *step = read_text(step_path);
    ck_assert_str_eq(step, "before\n");
    free(step);
    o.junit_path = NULL;
    o.markdown_path = md_path;
    ck_assert_int_eq(fg_check_write(r, &o, &err), FG_OK);
    char *audit = read_text(audit_path), *att = read_text(att_path), *md = read_text(md_path);
    step = read_text(step_path);
    ck_assert_str_eq(audit, r->audit);
    ck_assert_str_eq(att, r->attestation);
    ck_assert_str_eq(md, r->markdown);
    ck_assert_int_eq(strncmp(step, "before\n", 7), 0);
    ck_assert_str_eq(step + 7, r->markdown);
    free(audit);
    free(att);
    free(md);
    free(step);
    fg_check_result_free(r);
}
END_TEST

/* fg_counts_run writes the counts table of the rows: 80 + 20 of A, 20 + 80 of B. */
START_TEST(test_counts_run)
{
    char out_path[160];
    path_in(out_path, sizeof out_path, "counts.csv");
    struct fg_counts_run_request rq = {.policy_path = policy_path,
                                       .ingest = {.candidate_path = candidate_path},
                                       .out_path = out_path};
    struct fg_ingest_result read;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_counts_run(&rq, &read, &err), FG_OK);
    ck_assert_uint_eq(read.candidate.rows, 200);
    ck_assert_uint_eq(read.candidate.rows_dropped, 0);
    char *csv = read_text(out_path);
    ck_assert_ptr_nonnull(strstr(csv, "race,y_true,candidate,incumbent,count\n"));
    ck_assert_ptr_nonnull(strstr(csv, "\nB,0,1,0,10\n"));
    ck_assert_ptr_nonnull(strstr(csv, "\nA,1,0,0,10\n"));
    free(csv);
    const char *paths[] = {out_path}; /* check on the table: the verdict of the rows */
    struct fg_check_request crq = {
        .policy_path = policy_path, .counts_paths = paths, .n_counts = 1};
    struct fg_check_result *r = NULL;
    ck_assert_int_eq(fg_check_run(&crq, &r, &err), FG_OK);
    ck_assert_int_eq(r->verdict, FG_VERDICT_FAIL);
    fg_check_result_free(r);
    rq.ingest.candidate_path = policy_path; /* not the CSV: an error, the table is kept */
    ck_assert_int_ne(fg_counts_run(&rq, &read, &err), FG_OK);
    csv = read_text(out_path);
    ck_assert_ptr_nonnull(strstr(csv, "\nB,0,1,0,10\n"));
    free(csv);
}
END_TEST

/* fg_keygen_run writes both key files, the private one with mode 0600, and refuses to
 * replace them without force. */
START_TEST(test_keygen_run)
{
    char priv[160], pub[160], id[65] = "", again[65] = "";
    path_in(priv, sizeof priv, "new.pem");
    path_in(pub, sizeof pub, "new.pub");
    struct fg_error err = {0};
    ck_assert_int_eq(fg_keygen_run(priv, pub, false, NULL, id, &err), FG_OK);
    ck_assert_uint_eq(strlen(id), 64);
    struct stat st;
    ck_assert_int_eq(stat(priv, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    struct fg_key *key = NULL;
    ck_assert_int_eq(fg_key_load_public(pub, &key, &err), FG_OK);
    fg_key_id(key, again);
    fg_key_free(key);
    ck_assert_str_eq(id, again);
    ck_assert_int_ne(fg_keygen_run(priv, pub, false, NULL, again, &err), FG_OK);
    ck_assert_int_eq(fg_keygen_run(priv, pub, true, NULL, again, &err), FG_OK);
    ck_assert_str_ne(id, again);
}
END_TEST

START_TEST(test_subject_roles)
{
    ck_assert_str_eq(fg_subject_role_name(FG_ROLE_CANDIDATE), "candidate");
    ck_assert_str_eq(fg_subject_role_name(FG_ROLE_COUNTS), "counts");
    ck_assert_str_eq(fg_subject_role_name(FG_ROLE_INCUMBENT), "incumbent");
    ck_assert_str_eq(fg_subject_role_name(FG_ROLE_POLICY), "policy");
    ck_assert_str_eq(fg_subject_role_name(FG_ROLE_SUBJECT), "subject");
    ck_assert_str_eq(fg_subject_role_name(FG_ROLE_AUDIT), "audit");
    struct fg_subject s = fg_subject_of(FG_ROLE_COUNTS, "a/b/part-0.csv", NULL);
    ck_assert_str_eq(s.name, "part-0.csv");
    ck_assert_str_eq(s.role, "counts");
}
END_TEST

static Suite *check_suite(void)
{
    Suite *s = suite_create("check");
    TCase *tc = tcase_create("use cases");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_check_fails_with_numbers_and_texts);
    tcase_add_test(tc, test_check_error_gives_no_result);
    tcase_add_test(tc, test_check_attestation_verifies);
    tcase_add_test(tc, test_override_applies);
    tcase_add_test(tc, test_override_on_counts_shards);
    tcase_add_test(tc, test_subject_roles);
    tcase_add_test(tc, test_report_run);
    tcase_add_test(tc, test_check_write);
    tcase_add_test(tc, test_counts_run);
    tcase_add_test(tc, test_keygen_run);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(check_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
