/*
 * dsse.h - keys, base64 and DSSE envelopes (lib/dsse.c): signing and verifying Ed25519
 * over the DSSE pre-authentication encoding, and reading envelopes strictly.
 *
 * Ownership: returned buffers and envelopes are malloc'd and the caller's (free,
 * fg_dsse_envelope_free); keys are borrowed.
 */
#ifndef FAIRGATE_DSSE_H
#define FAIRGATE_DSSE_H

#include "fairgate.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- keys, base64, DSSE envelopes (lib/dsse.c) ----
 *
 * DSSE v1 (github.com/secure-systems-lab/dsse, protocol.md and envelope.md):
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * with LEN the ASCII decimal byte length; the signature is Ed25519 over PAE (no prehash).
 * keyid = lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER. */

/* Standard alphabet with padding; malloc'd NUL-terminated, NULL when out of memory. */
char *fg_base64_encode(const unsigned char *data, size_t len);
/* Accepts the standard and the URL-safe alphabet, with or without padding; rejects
 * anything else (whitespace, mixed alphabets, bad padding, non-zero trailing bits). */
FG_MUST_CHECK enum fg_status fg_base64_decode(const char *text, size_t len, unsigned char **out,
                                              size_t *out_len, struct fg_error *err);
FG_MUST_CHECK enum fg_status fg_dsse_pae(const char *payload_type, const unsigned char *payload,
                                         size_t payload_len, unsigned char **out, size_t *out_len,
                                         struct fg_error *err);

struct fg_dsse_signature {
    char *keyid; /* may be "" when the envelope gave none */
    unsigned char *sig;
    size_t sig_len;
};

struct fg_dsse_envelope {
    char *payload_type;
    unsigned char *payload; /* decoded bytes, NUL-terminated for convenience */
    size_t payload_len;
    struct fg_dsse_signature *signatures;
    size_t n_signatures;
};

/* Signs payload and renders the envelope as one line of JSON (no trailing newline):
 * {"payload":"<b64>","payloadType":"<type>","signatures":[{"keyid":"<hex>","sig":"<b64>"}]} */
FG_MUST_CHECK enum fg_status fg_dsse_sign(const struct fg_key *key, const char *payload_type,
                                          const unsigned char *payload, size_t payload_len,
                                          char **envelope_json, struct fg_error *err);
/* Parses an envelope (JSON object with string payloadType, string payload, array
 * signatures of objects with string sig and optional keyid). FG_ERR_INPUT when the text
 * is not JSON, not an envelope, or holds invalid base64. */
FG_MUST_CHECK enum fg_status fg_dsse_parse(const char *text, size_t len,
                                           struct fg_dsse_envelope **out, struct fg_error *err);
/* True when some signature of env verifies with key over PAE(payload_type, payload);
 * *which (may be NULL) receives its index. */
bool fg_dsse_verify(const struct fg_dsse_envelope *env, const struct fg_key *key, size_t *which);
void fg_dsse_envelope_free(struct fg_dsse_envelope *env);

#endif /* FAIRGATE_DSSE_H */
