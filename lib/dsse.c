/*
 * dsse.c - Ed25519 keys, base64 and DSSE v1 envelopes: what the audit attestation and the
 * override records are signed and checked with.
 *
 * Invariants:
 * - A struct fg_key always holds an Ed25519 key (anything else is refused when loaded, with
 *   the key's real type in the message) and its key id, computed once: the lowercase hex
 *   SHA-256 of the SubjectPublicKeyInfo DER, the same bytes `openssl pkey -pubin -outform
 *   DER` prints, so a key id can be checked without fairgate.
 * - Signatures are Ed25519 (pure, no prehash) over PAE(payloadType, payload), so that
 *   `openssl pkeyutl -verify -rawin` verifies them too. Ed25519 is deterministic: the same
 *   key and payload give byte-identical envelopes.
 * - Private key material read from or written to PEM passes through buffers that are wiped
 *   with OPENSSL_cleanse before they are freed. Key files are staged with their mode set
 *   explicitly (0600 private, 0644 public) whatever the umask and linked into place only
 *   where nothing is (a symlink counts); an existing regular file is replaced only with
 *   force, atomically; a pair is written together or not at all (fg_key_add_outputs).
 * - Every input has a cap: key files, base64 text, envelope text, signatures per envelope.
 * - An envelope verifies when any of its signatures verifies with the key; a keyid is only
 *   a hint and is never trusted to pick or skip a signature. The parser refuses a member
 *   given twice (two JSON parsers could pick different copies) and ignores unknown ones.
 * - fg_dsse_sign never renders an envelope that fg_dsse_parse would refuse as too large.
 *
 * Ownership: fg_key and fg_dsse_envelope belong to the caller and are released with
 * fg_key_free / fg_dsse_envelope_free; strings and buffers returned through char ** or
 * unsigned char ** are malloc'd and released with free().
 */
#define _POSIX_C_SOURCE 200809L

#include "dsse.h"
#include "fairgate.h"
#include "json.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* ---- limits ---- */

#define KEY_FILE_MAX      (64u * 1024u)         /* bytes in one PEM key file */
#define BASE64_TEXT_MAX   (64u * 1024u * 1024u) /* characters of one base64 string */
#define ENVELOPE_TEXT_MAX (65u * 1024u * 1024u) /* bytes of one envelope's JSON */
#define ENVELOPE_MAX_SIGS 256u                  /* signatures in one envelope */
#define ED25519_SIG_LEN   64u

/* ---- keys ---- */

struct fg_key {
    EVP_PKEY *pkey;
    bool is_private;
    char id[65];
};

/* "an RSA", "an EC", "a DSA": the article a person would say before a key type's name. */
static const char *article_for(const char *name)
{
    return name[0] != '\0' && strchr("AEFHILMNORSXaeiou", name[0]) != NULL ? "an" : "a";
}

static const char *key_type_name(const EVP_PKEY *pkey)
{
    const char *name = EVP_PKEY_get0_type_name(pkey);
    if (name == NULL)
        name = OBJ_nid2sn(EVP_PKEY_get_base_id(pkey));
    return name != NULL ? name : "unknown";
}

/* Takes pkey (freed on failure): checks it is Ed25519 and wraps it with its key id. */
static enum fg_status key_wrap(EVP_PKEY *pkey, bool is_private, const char *path,
                               struct fg_key **out, struct fg_error *err)
{
    if (!EVP_PKEY_is_a(pkey, "ED25519")) {
        const char *name = key_type_name(pkey);
        enum fg_status st =
            fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                         "is %s %s key; fairgate needs Ed25519 (fairgate keygen makes one)",
                         article_for(name), name);
        EVP_PKEY_free(pkey);
        return st;
    }
    unsigned char *der = NULL;
    int der_len = i2d_PUBKEY(pkey, &der);
    if (der_len <= 0) {
        EVP_PKEY_free(pkey);
        ERR_clear_error();
        return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                            "cannot encode the public key (SubjectPublicKeyInfo)");
    }
    struct fg_key *key = calloc(1, sizeof *key);
    if (key == NULL) {
        OPENSSL_free(der);
        EVP_PKEY_free(pkey);
        return fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    struct fg_error hash_err = {0};
    if (fg_sha256_hex(der, (size_t)der_len, key->id, &hash_err) != FG_OK) {
        OPENSSL_free(der);
        EVP_PKEY_free(pkey);
        free(key);
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "%s", hash_err.message);
    }
    OPENSSL_free(der);
    key->pkey = pkey;
    key->is_private = is_private;
    *out = key;
    return FG_OK;
}

enum fg_status fg_key_generate(struct fg_key **out, struct fg_error *err)
{
    *out = NULL;
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (pkey == NULL) {
        ERR_clear_error();
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0,
                            "cannot generate an Ed25519 key (libcrypto failed)");
    }
    return key_wrap(pkey, true, NULL, out, err);
}

/* A key file is one PEM block and nothing after it but whitespace: no NUL byte (a C string
 * would end there and hide what follows, e.g. a private key behind a public one), no second
 * block, no trailing text. Text before the block is left to OpenSSL (RFC 7468 allows it). */
static enum fg_status pem_single_block(const char *text, size_t len, const char *path,
                                       struct fg_error *err)
{
    const char *nul = memchr(text, '\0', len);
    if (nul != NULL)
        return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                            "holds a NUL byte (offset %zu): a key file is PEM text and nothing "
                            "else",
                            (size_t)(nul - text));
    const char *begin = strstr(text, "-----BEGIN ");
    if (begin == NULL)
        return FG_OK; /* the caller says what it expected */
    if (strstr(begin + 1, "-----BEGIN ") != NULL)
        return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                            "holds more than one PEM block; give one key per file");
    const char *end = strstr(begin, "-----END ");
    const char *close = end != NULL ? strstr(end + 9, "-----") : NULL;
    if (close == NULL)
        return FG_OK; /* OpenSSL refuses an unterminated block */
    for (const char *p = close + 5; p < text + len; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                                "holds text after the PEM block's END line (offset %zu); a key "
                                "file ends with its key",
                                (size_t)(p - text));
    return FG_OK;
}

/* Reads a private key file that pem_single_block accepts; on failure nothing is left
 * unwiped. */
static enum fg_status read_private_key_file(const char *path, char **text, size_t *len,
                                            struct fg_error *err)
{
    enum fg_status st = fg_file_read_all(path, KEY_FILE_MAX, text, len, err);
    if (st == FG_OK)
        st = pem_single_block(*text, *len, path, err);
    if (st != FG_OK && *text != NULL) {
        OPENSSL_cleanse(*text, *len);
        free(*text);
        *text = NULL;
    }
    return st;
}

/* Never prompts for a passphrase: an encrypted key simply fails to load. */
static int no_passphrase(char *buf, int size, int rwflag, void *user)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)user;
    return -1;
}

enum fg_status fg_key_load_private(const char *path, struct fg_key **out, struct fg_error *err)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    enum fg_status st = read_private_key_file(path, &text, &len, err);
    if (st != FG_OK)
        return st;
    EVP_PKEY *pkey = NULL;
    bool encrypted = strstr(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL ||
                     strstr(text, "Proc-Type: 4,ENCRYPTED") != NULL;
    bool public_only = strstr(text, "-----BEGIN PUBLIC KEY-----") != NULL;
    if (!encrypted) {
        BIO *bio = BIO_new_mem_buf(text, (int)len);
        if (bio == NULL) {
            OPENSSL_cleanse(text, len);
            free(text);
            return fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "out of memory");
        }
        pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
        BIO_free(bio);
        ERR_clear_error();
    }
    OPENSSL_cleanse(text, len);
    free(text);
    if (encrypted)
        return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                            "holds an encrypted private key; fairgate needs it unencrypted "
                            "(openssl pkey -in KEY -out PLAIN.pem)");
    if (pkey == NULL) {
        if (public_only)
            return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                                "holds a public key; give the private key here");
        return fg_error_set(err, FG_ERR_INPUT, path, 0, 0,
                            "no PEM private key found (expected '-----BEGIN PRIVATE KEY-----')");
    }
    return key_wrap(pkey, true, path, out, err);
}

enum fg_status fg_key_parse_public(const char *name, const char *text, size_t len,
                                   struct fg_key **out, struct fg_error *err)
{
    *out = NULL;
    if (len > KEY_FILE_MAX)
        return fg_error_set(err, FG_ERR_LIMIT, name, 0, 0, "a public key larger than %u bytes",
                            (unsigned)KEY_FILE_MAX);
    /* The same strictness for a key file and a key inline in the policy. */
    enum fg_status st = pem_single_block(text, len, name, err);
    if (st != FG_OK)
        return st;
    /* A file meant to be public that holds a secret is refused outright, even when it
     * also holds a public key: it is about to be shared, and should not be. */
    if (strstr(text, "PRIVATE KEY-----") != NULL)
        return fg_error_set(err, FG_ERR_INPUT, name, 0, 0,
                            "holds a private key; give the public key (openssl pkey -pubout)");
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    if (bio == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, name, 0, 0, "out of memory");
    EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    ERR_clear_error();
    if (pkey == NULL)
        return fg_error_set(err, FG_ERR_INPUT, name, 0, 0,
                            "no PEM public key found (expected '-----BEGIN PUBLIC KEY-----')");
    return key_wrap(pkey, false, name, out, err);
}

enum fg_status fg_key_load_public(const char *path, struct fg_key **out, struct fg_error *err)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    enum fg_status st = fg_file_read_all(path, KEY_FILE_MAX, &text, &len, err);
    if (st != FG_OK)
        return st;
    st = fg_key_parse_public(path, text, len, out, err);
    OPENSSL_cleanse(text, len); /* it may have held a private key by mistake */
    free(text);
    return st;
}

void fg_key_id(const struct fg_key *key, char out[65])
{
    memcpy(out, key->id, sizeof key->id);
}

bool fg_key_is_private(const struct fg_key *key)
{
    return key != NULL && key->is_private;
}

void fg_key_free(struct fg_key *key)
{
    if (key == NULL)
        return;
    EVP_PKEY_free(key->pkey); /* libcrypto wipes the private key as it frees it */
    free(key);
}

/* ---- key files ---- */

/* Key files go through a set of outputs (util.c): staged with exactly their mode, then
 * linked into place only where nothing is (FG_OUTPUT_NEW, which also refuses a symlink),
 * or with force renamed over a regular file, never a device, FIFO or link. */
static unsigned key_flags(bool force)
{
    return FG_OUTPUT_REGULAR | (force ? 0u : (unsigned)FG_OUTPUT_NEW);
}

static enum fg_status add_private(const struct fg_key *key, struct fg_outputs *set,
                                  const char *path, bool force, struct fg_error *err)
{
    if (!key->is_private)
        return fg_error_set(err, FG_ERR_USAGE, path, 0, 0,
                            "cannot write a private key: this key is public only");
    /* A secure-memory BIO: libcrypto clears its buffer when it is freed. */
    BIO *bio = BIO_new(BIO_s_secmem());
    if (bio == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "out of memory");
    enum fg_status st;
    if (PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
        ERR_clear_error();
        st = fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "cannot encode the private key");
    } else {
        char *pem = NULL;
        long pem_len = BIO_get_mem_data(bio, &pem);
        if (pem == NULL || pem_len <= 0)
            st = fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "cannot encode the private key");
        else /* a key file is staged at once: the set keeps no pointer to pem */
            st = fg_outputs_add(set, path, pem, (size_t)pem_len, key_flags(force), 0600, err);
    }
    BIO_free(bio);
    return st;
}

static enum fg_status add_public(const struct fg_key *key, struct fg_outputs *set, const char *path,
                                 bool force, struct fg_error *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "out of memory");
    enum fg_status st;
    char *pem = NULL;
    long pem_len = 0;
    if (PEM_write_bio_PUBKEY(bio, key->pkey) != 1 || (pem_len = BIO_get_mem_data(bio, &pem)) <= 0 ||
        pem == NULL) {
        ERR_clear_error();
        st = fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "cannot encode the public key");
    } else {
        st = fg_outputs_add(set, path, pem, (size_t)pem_len, key_flags(force), 0644, err);
    }
    BIO_free(bio);
    return st;
}

enum fg_status fg_key_add_outputs(const struct fg_key *key, struct fg_outputs *set,
                                  const char *private_path, const char *public_path, bool force,
                                  struct fg_error *err)
{
    enum fg_status st = FG_OK;
    if (private_path != NULL)
        st = add_private(key, set, private_path, force, err);
    if (st == FG_OK && public_path != NULL)
        st = add_public(key, set, public_path, force, err);
    return st;
}

static enum fg_status write_keys(const struct fg_key *key, const char *private_path,
                                 const char *public_path, bool force, struct fg_error *err)
{
    struct fg_outputs *set = NULL;
    enum fg_status st = fg_outputs_new(&set, err);
    if (st == FG_OK)
        st = fg_key_add_outputs(key, set, private_path, public_path, force, err);
    if (st == FG_OK)
        st = fg_outputs_commit(set, err);
    fg_outputs_free(set);
    return st;
}

enum fg_status fg_key_write_private(const struct fg_key *key, const char *path, bool force,
                                    struct fg_error *err)
{
    return write_keys(key, path, NULL, force, err);
}

enum fg_status fg_key_write_public(const struct fg_key *key, const char *path, bool force,
                                   struct fg_error *err)
{
    return write_keys(key, NULL, path, force, err);
}

/* ---- base64 (RFC 4648 sections 4 and 5) ---- */

static const char b64_standard[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *fg_base64_encode(const unsigned char *data, size_t len)
{
    if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
        return NULL;
    size_t out_len = (len + 2) / 3 * 4;
    char *out = malloc(out_len + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        unsigned long v = (unsigned long)data[i] << 16 | (unsigned long)data[i + 1] << 8 |
                          (unsigned long)data[i + 2];
        out[o++] = b64_standard[(v >> 18) & 63];
        out[o++] = b64_standard[(v >> 12) & 63];
        out[o++] = b64_standard[(v >> 6) & 63];
        out[o++] = b64_standard[v & 63];
    }
    if (len - i == 1) {
        unsigned long v = (unsigned long)data[i] << 16;
        out[o++] = b64_standard[(v >> 18) & 63];
        out[o++] = b64_standard[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        unsigned long v = (unsigned long)data[i] << 16 | (unsigned long)data[i + 1] << 8;
        out[o++] = b64_standard[(v >> 18) & 63];
        out[o++] = b64_standard[(v >> 12) & 63];
        out[o++] = b64_standard[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

enum b64_alphabet { B64_ANY, B64_STANDARD, B64_URL };

/* The 6-bit value of c, or -1; *kind says which alphabet c belongs to (B64_ANY: both). */
static int b64_value(unsigned char c, enum b64_alphabet *kind)
{
    *kind = B64_ANY;
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '/') {
        *kind = B64_STANDARD;
        return c == '+' ? 62 : 63;
    }
    if (c == '-' || c == '_') {
        *kind = B64_URL;
        return c == '-' ? 62 : 63;
    }
    return -1;
}

/* Describes byte c for a message: 'x', a name for whitespace, or its hex value. */
static void describe_byte(unsigned char c, char *buf, size_t size)
{
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
        snprintf(buf, size, "whitespace (0x%02x)", c);
    else if (c >= 0x21 && c < 0x7f)
        snprintf(buf, size, "character '%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", c);
}

/* Checks base64 text before decoding it: within the size limit, only base64 characters,
 * '=' only as padding at the end, one alphabet, a whole number of bytes and the padding that
 * belongs; *data_len: the characters before the padding. On failure writes why. */
static enum fg_status b64_check(const char *text, size_t len, size_t *data_len, char *why,
                                size_t why_size)
{
    if (len > BASE64_TEXT_MAX) {
        snprintf(why, why_size, "%zu characters, more than the limit of %u", len, BASE64_TEXT_MAX);
        return FG_ERR_LIMIT;
    }
    enum b64_alphabet kind;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '=' && b64_value((unsigned char)text[i], &kind) < 0) {
            char what[48];
            describe_byte((unsigned char)text[i], what, sizeof what);
            snprintf(why, why_size, "%s at offset %zu", what, i);
            return FG_ERR_INPUT;
        }
    }
    size_t n = len;
    while (n > 0 && text[n - 1] == '=')
        n--;
    size_t padding = len - n;
    enum b64_alphabet alphabet = B64_ANY;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '=') {
            snprintf(why, why_size, "'=' padding before the end, at offset %zu", i);
            return FG_ERR_INPUT;
        }
        (void)b64_value((unsigned char)text[i], &kind);
        if (kind != B64_ANY) {
            if (alphabet != B64_ANY && kind != alphabet) {
                snprintf(why, why_size,
                         "mixes the standard (+/) and URL-safe (-_) alphabets, at offset %zu", i);
                return FG_ERR_INPUT;
            }
            alphabet = kind;
        }
    }
    size_t rem = n % 4;
    if (rem == 1) {
        snprintf(why, why_size,
                 "%zu characters of data is not a whole number of bytes "
                 "(truncated?)",
                 n);
        return FG_ERR_INPUT;
    }
    size_t want = rem == 0 ? 0 : 4 - rem;
    if (padding != 0 && padding != want) {
        snprintf(why, why_size, "wrong padding: %zu '=' where %zu belong", padding, want);
        return FG_ERR_INPUT;
    }
    *data_len = n;
    return FG_OK;
}

/* Decodes into a malloc'd NUL-terminated buffer; on failure writes why (no prefix). */
static enum fg_status b64_decode(const char *text, size_t len, unsigned char **out, size_t *out_len,
                                 char *why, size_t why_size)
{
    *out = NULL;
    *out_len = 0;
    size_t data_len = 0;
    enum fg_status status = b64_check(text, len, &data_len, why, why_size);
    if (status != FG_OK)
        return status;
    size_t rem = data_len % 4;
    size_t n = data_len / 4 * 3 + (rem == 0 ? 0 : rem - 1);
    unsigned char *buf = malloc(n + 1);
    if (buf == NULL) {
        snprintf(why, why_size, "out of memory");
        return FG_ERR_NOMEM;
    }
    size_t o = 0, i = 0;
    enum b64_alphabet ignored;
    for (; i + 4 <= data_len; i += 4) {
        unsigned long v = (unsigned long)b64_value((unsigned char)text[i], &ignored) << 18 |
                          (unsigned long)b64_value((unsigned char)text[i + 1], &ignored) << 12 |
                          (unsigned long)b64_value((unsigned char)text[i + 2], &ignored) << 6 |
                          (unsigned long)b64_value((unsigned char)text[i + 3], &ignored);
        buf[o++] = (unsigned char)(v >> 16);
        buf[o++] = (unsigned char)(v >> 8);
        buf[o++] = (unsigned char)v;
    }
    if (rem != 0) {
        unsigned long v = 0;
        for (size_t k = 0; k < rem; k++)
            v |= (unsigned long)b64_value((unsigned char)text[i + k], &ignored) << (18 - 6 * k);
        /* rem 2 carries 12 bits for 8, rem 3 carries 18 for 16: the rest must be 0, or two
         * different strings would decode to the same bytes. */
        unsigned long unused = rem == 2 ? (v & 0xffffUL) : (v & 0xffUL);
        if (unused != 0) {
            free(buf);
            snprintf(why, why_size, "non-zero unused bits in the last character (offset %zu)",
                     data_len - 1);
            return FG_ERR_INPUT;
        }
        buf[o++] = (unsigned char)(v >> 16);
        if (rem == 3)
            buf[o++] = (unsigned char)(v >> 8);
    }
    buf[o] = '\0';
    *out = buf;
    *out_len = o;
    return FG_OK;
}

enum fg_status fg_base64_decode(const char *text, size_t len, unsigned char **out, size_t *out_len,
                                struct fg_error *err)
{
    char why[160];
    enum fg_status st = b64_decode(text, len, out, out_len, why, sizeof why);
    if (st != FG_OK)
        return fg_error_set(err, st, NULL, 0, 0, "invalid base64: %s", why);
    return FG_OK;
}

/* ---- PAE ---- */

enum fg_status fg_dsse_pae(const char *payload_type, const unsigned char *payload,
                           size_t payload_len, unsigned char **out, size_t *out_len,
                           struct fg_error *err)
{
    *out = NULL;
    *out_len = 0;
    if (payload_type == NULL || (payload == NULL && payload_len != 0))
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "PAE needs a payload type and body");
    size_t type_len = strlen(payload_type);
    char head[64], mid[32];
    int head_len = snprintf(head, sizeof head, "DSSEv1 %zu ", type_len);
    int mid_len = snprintf(mid, sizeof mid, " %zu ", payload_len);
    if (head_len < 0 || (size_t)head_len >= sizeof head || mid_len < 0 ||
        (size_t)mid_len >= sizeof mid)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0, "PAE lengths do not fit");
    size_t fixed = (size_t)head_len + (size_t)mid_len + 1;
    if (type_len > SIZE_MAX - fixed || payload_len > SIZE_MAX - fixed - type_len)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0, "payload is too large to sign");
    size_t total = fixed - 1 + type_len + payload_len;
    unsigned char *buf = malloc(total + 1);
    if (buf == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t o = 0;
    memcpy(buf + o, head, (size_t)head_len);
    o += (size_t)head_len;
    memcpy(buf + o, payload_type, type_len);
    o += type_len;
    memcpy(buf + o, mid, (size_t)mid_len);
    o += (size_t)mid_len;
    if (payload_len != 0)
        memcpy(buf + o, payload, payload_len);
    o += payload_len;
    buf[o] = '\0';
    *out = buf;
    *out_len = o;
    return FG_OK;
}

/* ---- signing ---- */

/* Adds a string member; on failure nothing is left half-added. */
static bool add_string(cJSON *object, const char *name, const char *value)
{
    return cJSON_AddStringToObject(object, name, value) != NULL;
}

/* The envelope JSON, or NULL when out of memory. */
static char *render_envelope(const char *payload_b64, const char *payload_type, const char *keyid,
                             const char *sig_b64)
{
    cJSON *root = cJSON_CreateObject();
    if (root == NULL)
        return NULL;
    char *text = NULL;
    if (!add_string(root, "payload", payload_b64) || !add_string(root, "payloadType", payload_type))
        goto done;
    cJSON *signatures = cJSON_AddArrayToObject(root, "signatures");
    if (signatures == NULL)
        goto done;
    cJSON *entry = cJSON_CreateObject();
    if (entry == NULL)
        goto done;
    if (!cJSON_AddItemToArray(signatures, entry)) {
        cJSON_Delete(entry);
        goto done;
    }
    if (!add_string(entry, "keyid", keyid) || !add_string(entry, "sig", sig_b64))
        goto done;
    char *printed = cJSON_PrintUnformatted(root);
    if (printed != NULL) {
        text = fg_strdup(printed); /* so the caller frees with free(), whatever cJSON's hooks */
        cJSON_free(printed);
    }
done:
    cJSON_Delete(root);
    return text;
}

enum fg_status fg_dsse_sign(const struct fg_key *key, const char *payload_type,
                            const unsigned char *payload, size_t payload_len, char **envelope_json,
                            struct fg_error *err)
{
    *envelope_json = NULL;
    if (!key->is_private)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                            "cannot sign with a public key; give the private key");
    if (payload_len > (size_t)BASE64_TEXT_MAX / 4 * 3)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "payload of %zu bytes is larger than the limit of %u", payload_len,
                            BASE64_TEXT_MAX / 4 * 3);
    unsigned char *pae = NULL;
    size_t pae_len = 0;
    enum fg_status st = fg_dsse_pae(payload_type, payload, payload_len, &pae, &pae_len, err);
    if (st != FG_OK)
        return st;
    unsigned char sig[ED25519_SIG_LEN];
    size_t sig_len = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool signed_ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
                     EVP_DigestSign(ctx, sig, &sig_len, pae, pae_len) == 1 &&
                     sig_len == ED25519_SIG_LEN;
    EVP_MD_CTX_free(ctx);
    free(pae);
    if (!signed_ok) {
        ERR_clear_error();
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "Ed25519 signing failed (libcrypto)");
    }
    char *payload_b64 = fg_base64_encode(payload, payload_len);
    char *sig_b64 = fg_base64_encode(sig, sig_len);
    char *text = NULL;
    if (payload_b64 != NULL && sig_b64 != NULL)
        text = render_envelope(payload_b64, payload_type, key->id, sig_b64);
    free(payload_b64);
    free(sig_b64);
    if (text == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t text_len = strlen(text);
    if (text_len > ENVELOPE_TEXT_MAX) {
        free(text);
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "the envelope would be %zu bytes, more than the limit of %u", text_len,
                            ENVELOPE_TEXT_MAX);
    }
    *envelope_json = text;
    return FG_OK;
}

/* ---- parsing ---- */

void fg_dsse_envelope_free(struct fg_dsse_envelope *env)
{
    if (env == NULL)
        return;
    free(env->payload_type);
    free(env->payload);
    for (size_t i = 0; i < env->n_signatures; i++) {
        free(env->signatures[i].keyid);
        free(env->signatures[i].sig);
    }
    free(env->signatures);
    free(env);
}

/* The member called name of object, or NULL. A name given twice is an error: two parsers
 * that pick different copies would see different envelopes. */
static enum fg_status member(const cJSON *object, const char *name, const char *where,
                             const cJSON **found, struct fg_error *err)
{
    *found = NULL;
    for (const cJSON *child = object->child; child != NULL; child = child->next) {
        if (child->string == NULL || strcmp(child->string, name) != 0)
            continue;
        if (*found != NULL)
            return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                                "not a DSSE envelope: '%s' is given twice%s", name, where);
        *found = child;
    }
    return FG_OK;
}

static enum fg_status decode_field(const char *text, const char *field, unsigned char **out,
                                   size_t *out_len, struct fg_error *err)
{
    char why[160];
    enum fg_status st = b64_decode(text, strlen(text), out, out_len, why, sizeof why);
    if (st != FG_OK)
        return fg_error_set(err, st, NULL, 0, 0, "invalid base64 in '%s': %s", field, why);
    return FG_OK;
}

static enum fg_status parse_signature(const cJSON *item, size_t index,
                                      struct fg_dsse_signature *sig, struct fg_error *err)
{
    char where[48], field[48];
    snprintf(where, sizeof where, " in signatures[%zu]", index);
    if (!cJSON_IsObject(item))
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "not a DSSE envelope: signatures[%zu] is not an object", index);
    const cJSON *sig_item = NULL, *keyid_item = NULL;
    enum fg_status st = member(item, "sig", where, &sig_item, err);
    if (st == FG_OK)
        st = member(item, "keyid", where, &keyid_item, err);
    if (st != FG_OK)
        return st;
    if (sig_item == NULL)
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "not a DSSE envelope: no 'sig' in signatures[%zu]", index);
    if (!cJSON_IsString(sig_item) || sig_item->valuestring == NULL)
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "not a DSSE envelope: 'sig' in signatures[%zu] is not a string", index);
    if (keyid_item != NULL && (!cJSON_IsString(keyid_item) || keyid_item->valuestring == NULL))
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "not a DSSE envelope: 'keyid' in signatures[%zu] is not a string",
                            index);
    sig->keyid = fg_strdup(keyid_item != NULL ? keyid_item->valuestring : "");
    if (sig->keyid == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    snprintf(field, sizeof field, "signatures[%zu].sig", index);
    return decode_field(sig_item->valuestring, field, &sig->sig, &sig->sig_len, err);
}

static enum fg_status parse_root(const cJSON *root, struct fg_dsse_envelope *env,
                                 struct fg_error *err)
{
    if (!cJSON_IsObject(root))
        return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                            "not a DSSE envelope: the JSON is not an object");
    const cJSON *type_item = NULL, *payload_item = NULL, *sigs_item = NULL;
    enum fg_status st = member(root, "payloadType", "", &type_item, err);
    if (st == FG_OK)
        st = member(root, "payload", "", &payload_item, err);
    if (st == FG_OK)
        st = member(root, "signatures", "", &sigs_item, err);
    if (st != FG_OK)
        return st;
    static const char *const names[] = {"payloadType", "payload", "signatures"};
    const cJSON *items[] = {type_item, payload_item, sigs_item};
    for (size_t i = 0; i < 3; i++) {
        if (items[i] == NULL)
            return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0, "not a DSSE envelope: no '%s'",
                                names[i]);
        bool right = i < 2 ? cJSON_IsString(items[i]) && items[i]->valuestring != NULL
                           : cJSON_IsArray(items[i]);
        if (!right)
            return fg_error_set(err, FG_ERR_INPUT, NULL, 0, 0,
                                "not a DSSE envelope: '%s' is not %s", names[i],
                                i < 2 ? "a string" : "an array");
    }
    env->payload_type = fg_strdup(type_item->valuestring);
    if (env->payload_type == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    st = decode_field(payload_item->valuestring, "payload", &env->payload, &env->payload_len, err);
    if (st != FG_OK)
        return st;
    size_t n = (size_t)cJSON_GetArraySize(sigs_item);
    if (n > ENVELOPE_MAX_SIGS)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "envelope has %zu signatures, more than the limit of %u", n,
                            ENVELOPE_MAX_SIGS);
    if (n == 0)
        return FG_OK;
    env->signatures = calloc(n, sizeof *env->signatures);
    if (env->signatures == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t index = 0;
    for (const cJSON *item = sigs_item->child; item != NULL && index < n; item = item->next) {
        env->n_signatures = index + 1; /* so a half-filled entry is freed with the rest */
        st = parse_signature(item, index, &env->signatures[index], err);
        if (st != FG_OK)
            return st;
        index++;
    }
    return FG_OK;
}

enum fg_status fg_dsse_parse(const char *text, size_t len, struct fg_dsse_envelope **out,
                             struct fg_error *err)
{
    *out = NULL;
    if (len > ENVELOPE_TEXT_MAX)
        return fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                            "envelope of %zu bytes is larger than the limit of %u", len,
                            ENVELOPE_TEXT_MAX);
    cJSON *root = NULL;
    enum fg_status parsed = fg_json_parse_strict(text, len, "the DSSE envelope", &root, err);
    if (parsed != FG_OK)
        return parsed;
    struct fg_dsse_envelope *env = calloc(1, sizeof *env);
    enum fg_status st = env == NULL ? fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory")
                                    : parse_root(root, env, err);
    cJSON_Delete(root);
    if (st != FG_OK) {
        fg_dsse_envelope_free(env);
        return st;
    }
    *out = env;
    return FG_OK;
}

/* ---- verification ---- */

bool fg_dsse_verify(const struct fg_dsse_envelope *env, const struct fg_key *key, size_t *which)
{
    if (env == NULL || key == NULL || env->payload_type == NULL || env->n_signatures == 0)
        return false;
    unsigned char *pae = NULL;
    size_t pae_len = 0;
    if (fg_dsse_pae(env->payload_type, env->payload, env->payload_len, &pae, &pae_len, NULL) !=
        FG_OK)
        return false;
    bool verified = false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    for (size_t i = 0; ctx != NULL && i < env->n_signatures && !verified; i++) {
        const struct fg_dsse_signature *sig = &env->signatures[i];
        if (sig->sig == NULL || sig->sig_len != ED25519_SIG_LEN)
            continue;
        if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
            EVP_DigestVerify(ctx, sig->sig, sig->sig_len, pae, pae_len) == 1) {
            verified = true;
            if (which != NULL)
                *which = i;
        }
        EVP_MD_CTX_reset(ctx);
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    free(pae);
    return verified;
}
