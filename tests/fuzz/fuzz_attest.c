/*
 * fuzz_attest.c - fuzz target of DSSE envelopes and attestation verification
 * (lib/dsse.c fg_dsse_parse, fg_dsse_verify; lib/attest.c fg_attest_verify).
 *
 * Fixed: the TEST-ONLY key keys/TEST-ONLY-approver-a (it verifies; it also signs in mode 1)
 * and two checks, the candidate fixture/candidate.csv and the policy fixture/policy-one.yaml,
 * as `verify --candidate --policy` gives them. The first input byte, bits 0-1:
 *   0  the rest is an attestation file (an envelope, valid or not)
 *   1  the rest is an in-toto statement, signed with the key into an envelope first
 *   2  the rest is a public key file (PEM), as verify --pubkey reads it
 *   3  the rest is a private key file (PEM), as --sign-key reads it
 * Mode 1 takes the fuzzer past the signature to the statement's checks. The envelope is
 * also parsed and verified on its own: fg_attest_verify may only call it valid when
 * fg_dsse_parse takes it and fg_dsse_verify accepts its signature.
 *
 *   make fuzz                   libFuzzer + ASan + UBSan (clang)
 *   fuzz_attest DIR|FILE...     replays a corpus without libFuzzer (make check does)
 */
#include "fuzz.h"

#include "dsse.h"
#include "fairgate.h"

#define INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"

static struct fg_key *key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fg_error err;
    if (key == NULL)
        FUZZ_FIXTURE(fg_key_load_private(FUZZ_DIR "/keys/TEST-ONLY-approver-a.pem", &key, &err),
                     &err);
    if (size < 1)
        return 0;
    if (data[0] & 2) {
        struct fg_key *loaded = NULL;
        const char *path = fuzz_as_file(0, data + 1, size - 1);
        if (((data[0] & 1) ? fg_key_load_private(path, &loaded, &err)
                           : fg_key_load_public(path, &loaded, &err)) == FG_OK) {
            char id[65];
            fg_key_id(loaded, id);
            FUZZ_CHECK(strlen(id) == 64);
            FUZZ_CHECK(fg_key_is_private(loaded) == ((data[0] & 1) != 0));
        } else {
            FUZZ_CHECK(loaded == NULL);
            FUZZ_CHECK_ERROR(&err);
        }
        fg_key_free(loaded);
        return 0;
    }
    char *envelope = NULL;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] & 1) {
        FUZZ_FIXTURE(fg_dsse_sign(key, INTOTO_PAYLOAD_TYPE, data + 1, size - 1, &envelope, &err),
                     &err);
        text = envelope;
        len = strlen(envelope);
    }

    struct fg_dsse_envelope *env = NULL;
    bool parsed = fg_dsse_parse(text, len, &env, &err) == FG_OK, signed_ok = false;
    if (parsed) {
        size_t which = 0;
        signed_ok = fg_dsse_verify(env, key, &which);
        FUZZ_CHECK(!signed_ok || which < env->n_signatures);
        fg_dsse_envelope_free(env);
    } else {
        FUZZ_CHECK_ERROR(&err);
    }

    static const struct fg_subject checks[] = {
        {"candidate.csv", FUZZ_DIR "/fixture/candidate.csv", "candidate", NULL},
        {"policy-one.yaml", FUZZ_DIR "/fixture/policy-one.yaml", "policy", NULL},
    };
    int valid = 0;
    char *report = NULL;
    if (fg_attest_verify(fuzz_as_file(0, text, len), key, checks, 2, &valid, &report, &err) ==
        FG_OK) {
        FUZZ_CHECK(report != NULL);
        FUZZ_CHECK(!valid || (parsed && signed_ok));
    } else {
        FUZZ_CHECK_ERROR(&err);
    }
    free(report);
    free(envelope);
    return 0;
}
