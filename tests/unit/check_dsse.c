/*
 * check_dsse.c - unit tests of lib/dsse.c: PAE, base64, Ed25519 keys and their files, DSSE
 * envelopes (sign, parse, verify). Tables of vectors: the PAE vector is the one in the DSSE
 * spec (protocol.md), the base64 vectors are RFC 4648 section 10's. Key ids are recomputed
 * here with libcrypto directly, and interoperability is checked against the openssl
 * command (skipped, with a note, only when the openssl binary is missing).
 */
#define _POSIX_C_SOURCE 200809L

#include "dsse.h"
#include "fairgate.h"
#include "util.h"
#include "test_util.h"

#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define OVERRIDE_TYPE "application/vnd.fairgate.override+json"

/* ---- helpers ---- */

/* A fresh temporary folder (under $TMPDIR when it is safe to quote). */
static void make_tmpdir(char *dir, size_t size)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0' || strchr(base, '\'') != NULL)
        base = "/tmp";
    int n = snprintf(dir, size, "%s/fg_dsse_XXXXXX", base);
    ck_assert(n > 0 && (size_t)n < size);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    ck_assert(n > 0 && (size_t)n < size);
}

/* Entries of a flat folder, "." and ".." aside. */
static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Removes a flat folder and everything in it. */
static void remove_tmpdir(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    char path[1024];
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        join(path, sizeof path, dir, e->d_name);
        ck_assert_int_eq(unlink(path), 0);
    }
    closedir(d);
    ck_assert_int_eq(rmdir(dir), 0);
}

static char *read_text(const char *path, size_t *len)
{
    char *text = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_file_read_all(path, 1u << 20, &text, len, &err), FG_OK);
    return text;
}

static unsigned file_mode(const char *path)
{
    struct stat st;
    ck_assert_int_eq(lstat(path, &st), 0);
    return (unsigned)(st.st_mode & 07777);
}

/* Lowercase hex SHA-256, computed with EVP directly (not with fg_sha256_hex). */
static void sha256_hex_independent(const unsigned char *data, size_t len, char out[65])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    ck_assert_int_eq(EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL), 1);
    ck_assert_uint_eq(digest_len, 32);
    for (unsigned i = 0; i < digest_len; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* The key id of the SPKI PEM file at path, recomputed: SHA-256 of i2d_PUBKEY's DER. */
static void key_id_of_pem(const char *path, char out[65])
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    EVP_PKEY *pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    ck_assert_ptr_nonnull(pkey);
    unsigned char *der = NULL;
    int der_len = i2d_PUBKEY(pkey, &der);
    ck_assert_int_eq(der_len, 44); /* 12 bytes of SPKI header + 32 bytes of Ed25519 key */
    sha256_hex_independent(der, (size_t)der_len, out);
    OPENSSL_free(der);
    EVP_PKEY_free(pkey);
}

static bool is_lower_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static struct fg_key *new_key(void)
{
    struct fg_key *key = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_key_generate(&key, &err), FG_OK);
    ck_assert_ptr_nonnull(key);
    return key;
}

static char *sign_text(const struct fg_key *key, const char *type, const char *payload)
{
    char *json = NULL;
    struct fg_error err;
    ck_assert_int_eq(
        fg_dsse_sign(key, type, (const unsigned char *)payload, strlen(payload), &json, &err),
        FG_OK);
    ck_assert_ptr_nonnull(json);
    return json;
}

static struct fg_dsse_envelope *parse_text(const char *text)
{
    struct fg_dsse_envelope *env = NULL;
    struct fg_error err;
    enum fg_status st = fg_dsse_parse(text, strlen(text), &env, &err);
    ck_assert_msg(st == FG_OK, "parse failed: %s", err.message);
    ck_assert_ptr_nonnull(env);
    return env;
}

static bool have_openssl(void)
{
    return system("command -v openssl >/dev/null 2>&1") == 0;
}

/* Runs a shell command; its exit status, or -1 when it did not exit normally. */
static int run(const char *fmt, ...) FG_PRINTF(1, 2);
static int run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    ck_assert(n > 0 && (size_t)n < sizeof cmd);
    int status = system(cmd);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- PAE ---- */

static const struct {
    const char *type;
    const char *body;
    size_t body_len;
    const char *expected;
    size_t expected_len;
} pae_vectors[] = {
    /* DSSE protocol.md's test vector */
    {"http://example.com/HelloWorld", "hello world", 11,
     "DSSEv1 29 http://example.com/HelloWorld 11 hello world", 54},
    {"application/vnd.in-toto+json", "", 0, "DSSEv1 28 application/vnd.in-toto+json 0 ", 41},
    {"", "", 0, "DSSEv1 0  0 ", 12},
    {"t", "a\0b", 3, "DSSEv1 1 t 3 a\0b", 16},
    {"x", "0123456789", 10, "DSSEv1 1 x 10 0123456789", 24},
};

START_TEST(test_pae_vectors)
{
    unsigned char *out = NULL;
    size_t out_len = 0;
    struct fg_error err;
    ck_assert_int_eq(fg_dsse_pae(pae_vectors[_i].type, (const unsigned char *)pae_vectors[_i].body,
                                 pae_vectors[_i].body_len, &out, &out_len, &err),
                     FG_OK);
    ck_assert_uint_eq(out_len, pae_vectors[_i].expected_len);
    ck_assert_mem_eq(out, pae_vectors[_i].expected, out_len);
    free(out);
}
END_TEST

START_TEST(test_pae_null_type)
{
    unsigned char *out = (unsigned char *)"sentinel";
    size_t out_len = 7;
    struct fg_error err;
    ck_assert_int_eq(fg_dsse_pae(NULL, NULL, 0, &out, &out_len, &err), FG_ERR_USAGE);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(out_len, 0);
}
END_TEST

/* ---- base64 ---- */

static const struct {
    const char *plain;
    const char *encoded;
} rfc4648_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

START_TEST(test_base64_encode_rfc4648)
{
    const char *plain = rfc4648_vectors[_i].plain;
    char *encoded = fg_base64_encode((const unsigned char *)plain, strlen(plain));
    ck_assert_ptr_nonnull(encoded);
    ck_assert_str_eq(encoded, rfc4648_vectors[_i].encoded);
    free(encoded);
}
END_TEST

START_TEST(test_base64_decode_rfc4648)
{
    const char *encoded = rfc4648_vectors[_i].encoded;
    const char *plain = rfc4648_vectors[_i].plain;
    /* padded as in the RFC, then with the padding left off */
    size_t lens[2] = {strlen(encoded), strcspn(encoded, "=")};
    for (size_t k = 0; k < 2; k++) {
        unsigned char *out = NULL;
        size_t out_len = 99;
        struct fg_error err;
        ck_assert_int_eq(fg_base64_decode(encoded, lens[k], &out, &out_len, &err), FG_OK);
        ck_assert_ptr_nonnull(out);
        ck_assert_uint_eq(out_len, strlen(plain));
        ck_assert_mem_eq(out, plain, out_len);
        ck_assert_uint_eq(out[out_len], 0); /* NUL-terminated */
        free(out);
    }
}
END_TEST

/* Bytes whose encoding uses characters 62 and 63, where the two alphabets differ. */
static const unsigned char bytes_fb_ff[] = {0xfb, 0xff, 0xbf, 0xfe, 0x00, 0xfb, 0xff};

static const struct {
    const char *text;
    size_t skip; /* expected bytes: bytes_fb_ff + skip ... */
    size_t len;
    const unsigned char *other; /* or these, when non-NULL */
} urlsafe_vectors[] = {
    {"+/+//gD7/w==", 0, 7, NULL},
    {"-_-__gD7_w==", 0, 7, NULL},
    {"-_-__gD7_w", 0, 7, NULL},
    {"+/+//gD7/w", 0, 7, NULL},
    {"+/8=", 0, 2, NULL},
    {"-_8=", 0, 2, NULL},
    {"-_8", 0, 2, NULL},
    {"///+", 0, 3, (const unsigned char *)"\xff\xff\xfe"},
    {"___-", 0, 3, (const unsigned char *)"\xff\xff\xfe"},
};

START_TEST(test_base64_urlsafe)
{
    unsigned char *out = NULL;
    size_t out_len = 0;
    struct fg_error err;
    const char *text = urlsafe_vectors[_i].text;
    ck_assert_int_eq(fg_base64_decode(text, strlen(text), &out, &out_len, &err), FG_OK);
    ck_assert_uint_eq(out_len, urlsafe_vectors[_i].len);
    const unsigned char *want = urlsafe_vectors[_i].other != NULL
                                    ? urlsafe_vectors[_i].other
                                    : bytes_fb_ff + urlsafe_vectors[_i].skip;
    ck_assert_mem_eq(out, want, out_len);
    free(out);
}
END_TEST

START_TEST(test_base64_encode_standard_alphabet)
{
    char *encoded = fg_base64_encode(bytes_fb_ff, sizeof bytes_fb_ff);
    ck_assert_ptr_nonnull(encoded);
    ck_assert_str_eq(encoded, "+/+//gD7/w==");
    free(encoded);
}
END_TEST

static const struct {
    const char *text;
    size_t len; /* 0: strlen(text) */
    const char *why;
} base64_rejects[] = {
    {"-_+/", 0, "mixes the standard (+/) and URL-safe (-_) alphabets"},
    {"+/8-", 0, "mixes the standard"},
    {"Zm9v+/-_", 0, "mixes the standard"},
    {"Zg=", 0, "wrong padding"},
    {"Zg===", 0, "wrong padding"},
    {"Zm8==", 0, "wrong padding"},
    {"Zm9v=", 0, "wrong padding"},
    {"Zm9v==", 0, "wrong padding"},
    {"====", 0, "wrong padding"},
    {"=", 0, "wrong padding"},
    {"Z", 0, "not a whole number of bytes"},
    {"Zm9vY", 0, "not a whole number of bytes"},
    {"Z===", 0, "not a whole number of bytes"},
    {" Zg==", 0, "whitespace (0x20) at offset 0"},
    {"Zg==\n", 0, "whitespace (0x0a) at offset 4"},
    {"Zg\t==", 0, "whitespace (0x09) at offset 2"},
    {"Zm9v\r\nYmFy", 0, "whitespace (0x0d) at offset 4"},
    {"Zh==", 0, "non-zero unused bits"},
    {"Zh", 0, "non-zero unused bits"},
    {"Zm9=", 0, "non-zero unused bits"},
    {"Zm9", 0, "non-zero unused bits"},
    {"Zg=a", 0, "'=' padding before the end, at offset 2"},
    {"=Zg=", 0, "'=' padding before the end, at offset 0"},
    {"Zm9v*", 0, "character '*' at offset 4"},
    {"Zm9v.", 0, "character '.' at offset 4"},
    {"\xc3\xa9"
     "AA",
     0, "byte 0xc3 at offset 0"},
    {"Zg\0=", 4, "byte 0x00 at offset 2"},
};

START_TEST(test_base64_rejects)
{
    const char *text = base64_rejects[_i].text;
    size_t len = base64_rejects[_i].len != 0 ? base64_rejects[_i].len : strlen(text);
    unsigned char *out = (unsigned char *)"sentinel";
    size_t out_len = 99;
    struct fg_error err;
    ck_assert_int_eq(fg_base64_decode(text, len, &out, &out_len, &err), FG_ERR_INPUT);
    ck_assert_int_eq(err.code, FG_ERR_INPUT);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(out_len, 0);
    ck_assert_msg(strncmp(err.message, "invalid base64: ", 16) == 0, "message '%s'", err.message);
    ck_assert_msg(strstr(err.message, base64_rejects[_i].why) != NULL,
                  "vector %d: message '%s' lacks '%s'", _i, err.message, base64_rejects[_i].why);
}
END_TEST

START_TEST(test_base64_limit)
{
    size_t cap = 64u * 1024u * 1024u;
    char *text = malloc(cap + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, 'A', cap + 1);
    unsigned char *out = NULL;
    size_t out_len = 0;
    struct fg_error err;
    ck_assert_int_eq(fg_base64_decode(text, cap + 1, &out, &out_len, &err), FG_ERR_LIMIT);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(err.message, "limit"));
    free(text);
}
END_TEST

START_TEST(test_base64_round_trip)
{
    unsigned char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof data; len++) {
        char *encoded = fg_base64_encode(data, len);
        ck_assert_ptr_nonnull(encoded);
        ck_assert_uint_eq(strlen(encoded), (len + 2) / 3 * 4);
        unsigned char *out = NULL;
        size_t out_len = 0;
        struct fg_error err;
        ck_assert_int_eq(fg_base64_decode(encoded, strlen(encoded), &out, &out_len, &err), FG_OK);
        ck_assert_uint_eq(out_len, len);
        if (len > 0)
            ck_assert_mem_eq(out, data, len);
        free(out);
        free(encoded);
    }
}
END_TEST

/* ---- keys and key files ---- */

START_TEST(test_key_round_trip)
{
    char dir[512], priv[1024], pub[1024];
    make_tmpdir(dir, sizeof dir);
    join(priv, sizeof priv, dir, "key.pem");
    join(pub, sizeof pub, dir, "key.pub.pem");
    struct fg_error err;
    struct fg_key *key = new_key();
    ck_assert(fg_key_is_private(key));
    char id[65], again[65], recomputed[65];
    fg_key_id(key, id);
    ck_assert_msg(is_lower_hex64(id), "key id '%s'", id);

    /* the modes are set explicitly, whatever the umask */
    mode_t saved = umask(0);
    ck_assert_int_eq(fg_key_write_private(key, priv, false, &err), FG_OK);
    umask(0077);
    ck_assert_int_eq(fg_key_write_public(key, pub, false, &err), FG_OK);
    umask(saved);
    ck_assert_uint_eq(file_mode(priv), 0600);
    ck_assert_uint_eq(file_mode(pub), 0644);

    size_t len = 0;
    char *text = read_text(priv, &len);
    ck_assert_msg(strncmp(text, "-----BEGIN PRIVATE KEY-----\n", 28) == 0, "%s", text);
    ck_assert_ptr_nonnull(strstr(text, "-----END PRIVATE KEY-----\n"));
    free(text);
    text = read_text(pub, &len);
    ck_assert_msg(strncmp(text, "-----BEGIN PUBLIC KEY-----\n", 27) == 0, "%s", text);
    free(text);

    /* the id is SHA-256 of the SPKI DER, and it survives writing and loading */
    key_id_of_pem(pub, recomputed);
    ck_assert_str_eq(id, recomputed);
    struct fg_key *loaded_priv = NULL, *loaded_pub = NULL;
    ck_assert_int_eq(fg_key_load_private(priv, &loaded_priv, &err), FG_OK);
    ck_assert_int_eq(fg_key_load_public(pub, &loaded_pub, &err), FG_OK);
    ck_assert(fg_key_is_private(loaded_priv));
    ck_assert(!fg_key_is_private(loaded_pub));
    fg_key_id(loaded_priv, again);
    ck_assert_str_eq(again, id);
    fg_key_id(loaded_pub, again);
    ck_assert_str_eq(again, id);

    /* the loaded private key signs exactly as the original; the public key verifies */
    char *from_generated = sign_text(key, OVERRIDE_TYPE, "{\"gate\":\"four-fifths\"}");
    char *from_loaded = sign_text(loaded_priv, OVERRIDE_TYPE, "{\"gate\":\"four-fifths\"}");
    ck_assert_str_eq(from_generated, from_loaded);
    struct fg_dsse_envelope *env = parse_text(from_loaded);
    size_t which = 99;
    ck_assert(fg_dsse_verify(env, loaded_pub, &which));
    ck_assert_uint_eq(which, 0);

    /* a public key can neither sign nor be written as a private key */
    char *json = NULL;
    ck_assert_int_eq(
        fg_dsse_sign(loaded_pub, OVERRIDE_TYPE, (const unsigned char *)"x", 1, &json, &err),
        FG_ERR_USAGE);
    ck_assert_ptr_null(json);
    char other[1024];
    join(other, sizeof other, dir, "other.pem");
    ck_assert_int_eq(fg_key_write_private(loaded_pub, other, false, &err), FG_ERR_USAGE);
    ck_assert_int_eq(access(other, F_OK), -1);

    /* a second key has another id */
    struct fg_key *second = new_key();
    fg_key_id(second, again);
    ck_assert_str_ne(again, id);

    ck_assert(!fg_key_is_private(NULL));
    fg_key_free(NULL);
    fg_dsse_envelope_free(NULL);
    fg_dsse_envelope_free(env);
    free(from_generated);
    free(from_loaded);
    fg_key_free(second);
    fg_key_free(loaded_pub);
    fg_key_free(loaded_priv);
    fg_key_free(key);
    remove_tmpdir(dir);
}
END_TEST

/* _i == 0: the private key file; _i == 1: the public key file. */
static enum fg_status write_key(int which, const struct fg_key *key, const char *path, bool force,
                                struct fg_error *err)
{
    return which == 0 ? fg_key_write_private(key, path, force, err)
                      : fg_key_write_public(key, path, force, err);
}

static enum fg_status load_key(int which, const char *path, struct fg_key **out,
                               struct fg_error *err)
{
    return which == 0 ? fg_key_load_private(path, out, err) : fg_key_load_public(path, out, err);
}

START_TEST(test_key_write_existing)
{
    unsigned want_mode = _i == 0 ? 0600 : 0644;
    char dir[512], path[1024], link_path[1024], link_target[1024], missing[1024];
    make_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "key.pem");
    struct fg_error err;
    struct fg_key *first = new_key(), *second = new_key();
    ck_assert_int_eq(write_key(_i, first, path, false, &err), FG_OK);
    size_t len_before = 0, len_after = 0;
    char *before = read_text(path, &len_before);

    /* without force: refused, file untouched */
    ck_assert_int_eq(write_key(_i, second, path, false, &err), FG_ERR_IO);
    ck_assert_str_eq(err.file, path);
    ck_assert_str_eq(err.message, "exists; use --force to replace it");
    char *after = read_text(path, &len_after);
    ck_assert_uint_eq(len_after, len_before);
    ck_assert_mem_eq(after, before, len_before);
    free(after);

    /* with force: replaced, mode reset even when the old file was wider */
    ck_assert_int_eq(chmod(path, 0666), 0);
    ck_assert_int_eq(write_key(_i, second, path, true, &err), FG_OK);
    ck_assert_uint_eq(file_mode(path), want_mode);
    after = read_text(path, &len_after);
    ck_assert(len_after != len_before || memcmp(after, before, len_before) != 0);
    free(after);
    struct fg_key *loaded = NULL;
    ck_assert_int_eq(load_key(_i, path, &loaded, &err), FG_OK);
    char id_loaded[65], id_second[65];
    fg_key_id(loaded, id_loaded);
    fg_key_id(second, id_second);
    ck_assert_str_eq(id_loaded, id_second);
    fg_key_free(loaded);
    ck_assert_uint_eq(count_entries(dir), 1); /* no temporary file left behind */

    /* force to a new path works too */
    char fresh[1024];
    join(fresh, sizeof fresh, dir, "fresh.pem");
    ck_assert_int_eq(write_key(_i, second, fresh, true, &err), FG_OK);
    ck_assert_uint_eq(file_mode(fresh), want_mode);
    ck_assert_uint_eq(count_entries(dir), 2);

    /* a symlink in the way is not followed without force */
    join(link_path, sizeof link_path, dir, "link.pem");
    join(link_target, sizeof link_target, dir, "elsewhere.pem");
    ck_assert_int_eq(symlink(link_target, link_path), 0);
    ck_assert_int_eq(write_key(_i, second, link_path, false, &err), FG_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "exists; use --force"));
    ck_assert_int_eq(access(link_target, F_OK), -1);

    /* a folder that does not exist */
    join(missing, sizeof missing, dir, "no/such/key.pem");
    ck_assert_int_eq(write_key(_i, second, missing, false, &err), FG_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot create"));
    ck_assert_int_eq(write_key(_i, second, missing, true, &err), FG_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "temporary file"));

    free(before);
    fg_key_free(first);
    fg_key_free(second);
    remove_tmpdir(dir);
}
END_TEST

enum key_content { CONTENT_TEXT, CONTENT_PRIVATE_PEM, CONTENT_PUBLIC_PEM, CONTENT_HALF_PRIVATE };

static const struct {
    int loader; /* 0 private, 1 public */
    enum key_content content;
    const char *text; /* CONTENT_TEXT */
    enum fg_status code;
    const char *why;
} load_rejects[] = {
    {0, CONTENT_TEXT, "", FG_ERR_INPUT, "no PEM private key found"},
    {1, CONTENT_TEXT, "", FG_ERR_INPUT, "no PEM public key found"},
    {0, CONTENT_TEXT, "not a key\n", FG_ERR_INPUT, "no PEM private key found"},
    {1, CONTENT_TEXT, "not a key\n", FG_ERR_INPUT, "no PEM public key found"},
    {1, CONTENT_TEXT, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", FG_ERR_INPUT,
     "no PEM public key found"},
    {0, CONTENT_PUBLIC_PEM, NULL, FG_ERR_INPUT, "holds a public key; give the private key"},
    {1, CONTENT_PRIVATE_PEM, NULL, FG_ERR_INPUT,
     "holds a private key; give the public key (openssl pkey -pubout)"},
    {0, CONTENT_HALF_PRIVATE, NULL, FG_ERR_INPUT, "no PEM private key found"},
    {0, CONTENT_TEXT,
     "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
     FG_ERR_INPUT, "holds an encrypted private key"},
};

START_TEST(test_key_load_rejects)
{
    char dir[512], path[1024], priv[1024], pub[1024];
    make_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "input.pem");
    join(priv, sizeof priv, dir, "priv.pem");
    join(pub, sizeof pub, dir, "pub.pem");
    struct fg_error err;
    struct fg_key *key = new_key();
    ck_assert_int_eq(fg_key_write_private(key, priv, false, &err), FG_OK);
    ck_assert_int_eq(fg_key_write_public(key, pub, false, &err), FG_OK);
    size_t len = 0;
    char *text = NULL;
    switch (load_rejects[_i].content) {
    case CONTENT_TEXT:
        write_bytes_to(path, load_rejects[_i].text, strlen(load_rejects[_i].text));
        break;
    case CONTENT_PRIVATE_PEM:
        text = read_text(priv, &len);
        write_bytes_to(path, text, len);
        break;
    case CONTENT_PUBLIC_PEM:
        text = read_text(pub, &len);
        write_bytes_to(path, text, len);
        break;
    case CONTENT_HALF_PRIVATE:
        text = read_text(priv, &len);
        write_bytes_to(path, text, len / 2);
        break;
    }
    free(text);
    struct fg_key *out = (struct fg_key *)&err; /* any non-NULL value */
    ck_assert_int_eq(load_key(load_rejects[_i].loader, path, &out, &err), load_rejects[_i].code);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(err.file, path);
    ck_assert_msg(strstr(err.message, load_rejects[_i].why) != NULL,
                  "vector %d: message '%s' lacks '%s'", _i, err.message, load_rejects[_i].why);
    fg_key_free(key);
    remove_tmpdir(dir);
}
END_TEST

START_TEST(test_key_load_io)
{
    char dir[512], path[1024];
    make_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "absent.pem");
    struct fg_error err;
    struct fg_key *out = NULL;
    ck_assert_int_eq(load_key(_i, path, &out, &err), FG_ERR_IO);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot open"));
    /* a file past the 64 KiB cap */
    size_t big = 70 * 1024;
    char *junk = malloc(big);
    ck_assert_ptr_nonnull(junk);
    memset(junk, 'A', big);
    write_bytes_to(path, junk, big);
    free(junk);
    ck_assert_int_eq(load_key(_i, path, &out, &err), FG_ERR_LIMIT);
    ck_assert_ptr_null(out);
    remove_tmpdir(dir);
}
END_TEST

/* ---- signing and parsing ---- */

static const struct {
    const char *type;
    const char *payload;
    size_t len;
} sign_vectors[] = {
    {"application/vnd.in-toto+json",
     "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"urn:fairgate:audit:v1\"}",
     0},
    {OVERRIDE_TYPE, "", 0},
    {"application/octet-stream", "\0\xff\xfe\n\"\\", 6},
    {"text/plain; q=\"x\\y\"\n", "hello world", 11},
};

START_TEST(test_sign_parse_verify)
{
    const char *type = sign_vectors[_i].type;
    const unsigned char *payload = (const unsigned char *)sign_vectors[_i].payload;
    size_t len =
        sign_vectors[_i].len != 0 ? sign_vectors[_i].len : strlen(sign_vectors[_i].payload);
    struct fg_key *key = new_key();
    char id[65];
    fg_key_id(key, id);
    struct fg_error err;
    char *json = NULL;
    ck_assert_int_eq(fg_dsse_sign(key, type, payload, len, &json, &err), FG_OK);
    ck_assert_ptr_nonnull(json);
    ck_assert_ptr_null(strchr(json, '\n')); /* one line, no trailing newline */

    struct fg_dsse_envelope *env = parse_text(json);
    ck_assert_str_eq(env->payload_type, type);
    ck_assert_uint_eq(env->payload_len, len);
    if (len > 0)
        ck_assert_mem_eq(env->payload, payload, len);
    ck_assert_uint_eq(env->payload[len], 0);
    ck_assert_uint_eq(env->n_signatures, 1);
    ck_assert_str_eq(env->signatures[0].keyid, id);
    ck_assert_uint_eq(env->signatures[0].sig_len, 64);
    size_t which = 99;
    ck_assert(fg_dsse_verify(env, key, &which));
    ck_assert_uint_eq(which, 0);
    ck_assert(fg_dsse_verify(env, key, NULL));

    /* the signature is Ed25519 over PAE, checked here with libcrypto directly */
    unsigned char *pae = NULL;
    size_t pae_len = 0;
    ck_assert_int_eq(fg_dsse_pae(type, payload, len, &pae, &pae_len, &err), FG_OK);
    char pub_path[1024], dir[512];
    make_tmpdir(dir, sizeof dir);
    join(pub_path, sizeof pub_path, dir, "pub.pem");
    ck_assert_int_eq(fg_key_write_public(key, pub_path, false, &err), FG_OK);
    FILE *f = fopen(pub_path, "rb");
    ck_assert_ptr_nonnull(f);
    EVP_PKEY *pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    ck_assert_ptr_nonnull(pkey);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey), 1);
    ck_assert_int_eq(
        EVP_DigestVerify(ctx, env->signatures[0].sig, env->signatures[0].sig_len, pae, pae_len), 1);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    free(pae);
    remove_tmpdir(dir);

    fg_dsse_envelope_free(env);
    free(json);
    fg_key_free(key);
}
END_TEST

START_TEST(test_sign_layout)
{
    /* keys in the order payload, payloadType, signatures[{keyid, sig}] */
    struct fg_key *key = new_key();
    char id[65];
    fg_key_id(key, id);
    char *json = sign_text(key, "http://example.com/HelloWorld", "hello world");
    char prefix[512];
    int n = snprintf(prefix, sizeof prefix,
                     "{\"payload\":\"aGVsbG8gd29ybGQ=\",\"payloadType\":"
                     "\"http://example.com/HelloWorld\",\"signatures\":[{\"keyid\":\"%s\","
                     "\"sig\":\"",
                     id);
    ck_assert(n > 0 && (size_t)n < sizeof prefix);
    ck_assert_msg(strncmp(json, prefix, (size_t)n) == 0, "envelope %s", json);
    /* 64 signature bytes are 88 base64 characters ending in "==" */
    ck_assert_uint_eq(strlen(json), (size_t)n + 88 + 4);
    ck_assert_str_eq(json + n + 86, "==\"}]}");
    free(json);
    fg_key_free(key);
}
END_TEST

START_TEST(test_sign_deterministic)
{
    struct fg_key *key = new_key(), *other = new_key();
    char *a = sign_text(key, OVERRIDE_TYPE, "{\"gate\":\"four-fifths\"}");
    char *b = sign_text(key, OVERRIDE_TYPE, "{\"gate\":\"four-fifths\"}");
    char *c = sign_text(key, OVERRIDE_TYPE, "{\"gate\":\"four-fifthS\"}");
    char *d = sign_text(other, OVERRIDE_TYPE, "{\"gate\":\"four-fifths\"}");
    char *e = sign_text(key, OVERRIDE_TYPE "x", "{\"gate\":\"four-fifths\"}");
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_str_ne(a, d);
    /* the type is signed too: same payload, another type, another signature */
    struct fg_dsse_envelope *ea = parse_text(a), *ee = parse_text(e);
    ck_assert_mem_ne(ea->signatures[0].sig, ee->signatures[0].sig, 64);
    fg_dsse_envelope_free(ea);
    fg_dsse_envelope_free(ee);
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    fg_key_free(key);
    fg_key_free(other);
}
END_TEST

/* ---- verification failures ---- */

enum tamper {
    TAMPER_OTHER_KEY,
    TAMPER_FLIP_FIRST_PAYLOAD_BYTE,
    TAMPER_FLIP_LAST_PAYLOAD_BYTE,
    TAMPER_TRUNCATE_PAYLOAD,
    TAMPER_CHANGE_TYPE,
    TAMPER_EMPTY_SIGNATURES,
    TAMPER_FLIP_SIG_BIT,
    TAMPER_SHORT_SIG,
    TAMPER_LONG_SIG,
    TAMPER_JSON_PAYLOAD,
    TAMPER_JSON_TYPE,
    TAMPER_JSON_EMPTY_SIGNATURES,
    TAMPER_JSON_SIG_FROM_OTHER_PAYLOAD,
};

static const enum tamper tampers[] = {
    TAMPER_OTHER_KEY,
    TAMPER_FLIP_FIRST_PAYLOAD_BYTE,
    TAMPER_FLIP_LAST_PAYLOAD_BYTE,
    TAMPER_TRUNCATE_PAYLOAD,
    TAMPER_CHANGE_TYPE,
    TAMPER_EMPTY_SIGNATURES,
    TAMPER_FLIP_SIG_BIT,
    TAMPER_SHORT_SIG,
    TAMPER_LONG_SIG,
    TAMPER_JSON_PAYLOAD,
    TAMPER_JSON_TYPE,
    TAMPER_JSON_EMPTY_SIGNATURES,
    TAMPER_JSON_SIG_FROM_OTHER_PAYLOAD,
};

/* Rewrites one member of the envelope JSON (a string, or [] for signatures). */
static char *rewrite_json(const char *json, const char *name, const char *value)
{
    cJSON *root = cJSON_ParseWithOpts(json, NULL, 1);
    ck_assert_ptr_nonnull(root);
    cJSON *replacement = value != NULL ? cJSON_CreateString(value) : cJSON_CreateArray();
    ck_assert_ptr_nonnull(replacement);
    ck_assert(cJSON_ReplaceItemInObjectCaseSensitive(root, name, replacement));
    char *printed = cJSON_PrintUnformatted(root);
    ck_assert_ptr_nonnull(printed);
    char *copy = fg_strdup(printed);
    cJSON_free(printed);
    cJSON_Delete(root);
    return copy;
}

START_TEST(test_verify_tampered)
{
    const char *payload = "{\"gate\":\"four-fifths\",\"group\":\"sex=Female\"}";
    struct fg_key *key = new_key(), *other = new_key();
    char *json = sign_text(key, OVERRIDE_TYPE, payload);
    char *text = NULL;
    switch (tampers[_i]) {
    case TAMPER_JSON_PAYLOAD: {
        char *b64 = fg_base64_encode((const unsigned char *)"{\"gate\":\"four-fifthz\"}", 22);
        text = rewrite_json(json, "payload", b64);
        free(b64);
        break;
    }
    case TAMPER_JSON_TYPE:
        text = rewrite_json(json, "payloadType", "application/vnd.fairgate.override+jsoN");
        break;
    case TAMPER_JSON_EMPTY_SIGNATURES:
        text = rewrite_json(json, "signatures", NULL);
        break;
    case TAMPER_JSON_SIG_FROM_OTHER_PAYLOAD: {
        /* a valid signature by the same key, over another payload */
        char *another = sign_text(key, OVERRIDE_TYPE, "{}");
        struct fg_dsse_envelope *e = parse_text(another);
        char *b64 = fg_base64_encode(e->signatures[0].sig, e->signatures[0].sig_len);
        cJSON *root = cJSON_ParseWithOpts(json, NULL, 1);
        ck_assert_ptr_nonnull(root);
        cJSON *sig = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "signatures"), 0);
        ck_assert(cJSON_ReplaceItemInObjectCaseSensitive(sig, "sig", cJSON_CreateString(b64)));
        char *printed = cJSON_PrintUnformatted(root);
        text = fg_strdup(printed);
        cJSON_free(printed);
        cJSON_Delete(root);
        free(b64);
        fg_dsse_envelope_free(e);
        free(another);
        break;
    }
    default:
        text = fg_strdup(json);
        break;
    }
    ck_assert_ptr_nonnull(text);
    struct fg_dsse_envelope *env = parse_text(text);
    /* the untouched envelope verifies, so what follows tests the tampering alone */
    struct fg_dsse_envelope *good = parse_text(json);
    ck_assert(fg_dsse_verify(good, key, NULL));
    fg_dsse_envelope_free(good);

    const struct fg_key *verifier = key;
    switch (tampers[_i]) {
    case TAMPER_OTHER_KEY:
        verifier = other;
        break;
    case TAMPER_FLIP_FIRST_PAYLOAD_BYTE:
        env->payload[0] ^= 1;
        break;
    case TAMPER_FLIP_LAST_PAYLOAD_BYTE:
        env->payload[env->payload_len - 1] ^= 0x80;
        break;
    case TAMPER_TRUNCATE_PAYLOAD:
        env->payload_len--;
        break;
    case TAMPER_CHANGE_TYPE:
        env->payload_type[strlen(env->payload_type) - 1] = 'N';
        break;
    case TAMPER_EMPTY_SIGNATURES:
        env->n_signatures = 0; /* the array stays allocated; free uses n_signatures */
        free(env->signatures[0].keyid);
        free(env->signatures[0].sig);
        break;
    case TAMPER_FLIP_SIG_BIT:
        env->signatures[0].sig[10] ^= 0x80;
        break;
    case TAMPER_SHORT_SIG:
        env->signatures[0].sig_len = 63;
        break;
    case TAMPER_LONG_SIG: {
        /* the 64 right bytes and one more */
        unsigned char *longer = realloc(env->signatures[0].sig, 65);
        ck_assert_ptr_nonnull(longer);
        longer[64] = 0;
        env->signatures[0].sig = longer;
        env->signatures[0].sig_len = 65;
        break;
    }
    case TAMPER_JSON_EMPTY_SIGNATURES:
        ck_assert_uint_eq(env->n_signatures, 0); /* parses fine */
        break;
    default:
        break;
    }
    size_t which = 99;
    ck_assert_msg(!fg_dsse_verify(env, verifier, &which), "tampering %d still verifies", _i);
    fg_dsse_envelope_free(env);
    free(text);
    free(json);
    fg_key_free(key);
    fg_key_free(other);
}
END_TEST

START_TEST(test_verify_second_signature)
{
    /* a bad signature first, a good one second: verification finds the good one */
    struct fg_key *key = new_key(), *other = new_key();
    char *mine = sign_text(key, OVERRIDE_TYPE, "{\"gate\":\"g\"}");
    char *theirs = sign_text(other, OVERRIDE_TYPE, "{\"gate\":\"g\"}");
    struct fg_dsse_envelope *a = parse_text(mine), *b = parse_text(theirs);
    char *good = fg_base64_encode(a->signatures[0].sig, 64);
    char *bad = fg_base64_encode(b->signatures[0].sig, 64);
    char *payload = fg_base64_encode(a->payload, a->payload_len);
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "{\"payload\":\"%s\",\"payloadType\":\"%s\",\"signatures\":"
                     "[{\"keyid\":\"x\",\"sig\":\"%s\"},{\"sig\":\"%s\"}]}",
                     payload, OVERRIDE_TYPE, bad, good);
    ck_assert(n > 0 && (size_t)n < sizeof text);
    struct fg_dsse_envelope *env = parse_text(text);
    ck_assert_uint_eq(env->n_signatures, 2);
    ck_assert_str_eq(env->signatures[0].keyid, "x");
    ck_assert_str_eq(env->signatures[1].keyid, "");
    size_t which = 99;
    ck_assert(fg_dsse_verify(env, key, &which));
    ck_assert_uint_eq(which, 1);
    ck_assert(fg_dsse_verify(env, other, &which));
    ck_assert_uint_eq(which, 0);
    fg_dsse_envelope_free(env);
    fg_dsse_envelope_free(a);
    fg_dsse_envelope_free(b);
    free(good);
    free(bad);
    free(payload);
    free(mine);
    free(theirs);
    fg_key_free(key);
    fg_key_free(other);
}
END_TEST

/* ---- parse ---- */

#define T_OK "\"payload\":\"\",\"payloadType\":\"t\""

static const struct {
    const char *text;
    size_t len; /* 0: strlen(text) */
    const char *why;
    unsigned long line; /* 0: not checked */
} parse_rejects[] = {
    {"", 0, "not JSON", 0},
    {"{", 0, "not JSON", 0},
    {"not json", 0, "not JSON", 0},
    {"{" T_OK ",\"signatures\":[]} x", 0, "not JSON", 1},
    {"{" T_OK ",\"signatures\":[]}{}", 0, "not JSON", 1},
    {"{\n  \"payload\": x\n}", 0, "not JSON", 2},
    {"{\0}", 3, "not JSON: a NUL byte", 1},
    {"{" T_OK ",\"signatures\":[]}\0", 0 /* set below */, "NUL", 0},
    {"[]", 0, "not a DSSE envelope: the JSON is not an object", 0},
    {"\"envelope\"", 0, "not a DSSE envelope: the JSON is not an object", 0},
    {"null", 0, "not a DSSE envelope", 0},
    {"{\"payload\":\"\",\"signatures\":[]}", 0, "not a DSSE envelope: no 'payloadType'", 0},
    {"{\"payloadType\":\"t\",\"signatures\":[]}", 0, "not a DSSE envelope: no 'payload'", 0},
    {"{" T_OK "}", 0, "not a DSSE envelope: no 'signatures'", 0},
    {"{\"payload\":\"\",\"payloadType\":1,\"signatures\":[]}", 0, "'payloadType' is not a string",
     0},
    {"{\"payload\":null,\"payloadType\":\"t\",\"signatures\":[]}", 0, "'payload' is not a string",
     0},
    {"{" T_OK ",\"signatures\":{}}", 0, "'signatures' is not an array", 0},
    {"{" T_OK ",\"signatures\":[\"x\"]}", 0, "signatures[0] is not an object", 0},
    {"{" T_OK ",\"signatures\":[{\"keyid\":\"k\"}]}", 0, "no 'sig' in signatures[0]", 0},
    {"{" T_OK ",\"signatures\":[{\"sig\":5}]}", 0, "'sig' in signatures[0] is not a string", 0},
    {"{" T_OK ",\"signatures\":[{\"sig\":\"\",\"keyid\":7}]}", 0,
     "'keyid' in signatures[0] is not a string", 0},
    {"{\"payload\":\"Zg=\",\"payloadType\":\"t\",\"signatures\":[]}", 0,
     "invalid base64 in 'payload': wrong padding", 0},
    {"{\"payload\":\"Zm9v YmFy\",\"payloadType\":\"t\",\"signatures\":[]}", 0,
     "invalid base64 in 'payload': whitespace", 0},
    {"{" T_OK ",\"signatures\":[{\"sig\":\"AAAA\"},{\"sig\":\"A-A/\"}]}", 0,
     "invalid base64 in 'signatures[1].sig': mixes", 0},
    {"{\"payload\":\"\",\"payload\":\"Zg==\",\"payloadType\":\"t\",\"signatures\":[]}", 0,
     "'payload' is given twice", 0},
    {"{" T_OK ",\"payloadType\":\"u\",\"signatures\":[]}", 0, "'payloadType' is given twice", 0},
    {"{" T_OK ",\"signatures\":[{\"sig\":\"\",\"sig\":\"AAAA\"}]}", 0,
     "'sig' is given twice in signatures[0]", 0},
    /* Strict forms (issue 10): what cJSON alone accepted. An escaped NUL truncated
     * payloadType at it; a byte order mark was skipped. */
    {"{\"payload\":\"\",\"payloadType\":\"application/vnd.in-toto+json\\u0000x\","
     "\"signatures\":[]}",
     0, "\\u0000", 1},
    {"\xef\xbb\xbf{" T_OK ",\"signatures\":[]}", 0, "byte order mark", 1},
    {"{" T_OK ",\"signatures\":[{\"sig\":\"\",\"keyid\":\"\\ud800\"}]}", 0, "lone high surrogate",
     1},
    {"{" T_OK ",\"signatures\":[{\"sig\":\"\",\"keyid\":\"\xff\"}]}", 0, "invalid UTF-8", 1},
    {"{" T_OK ",\"signatures\":[]}\n{}", 0, "after the JSON value", 2},
};

START_TEST(test_parse_rejects)
{
    const char *text = parse_rejects[_i].text;
    size_t len = parse_rejects[_i].len != 0 ? parse_rejects[_i].len : strlen(text);
    if (strcmp(parse_rejects[_i].why, "NUL") == 0)
        len = strlen(text) + 1; /* the terminator counted in: an envelope then a NUL byte */
    struct fg_dsse_envelope *env = (struct fg_dsse_envelope *)&len; /* any non-NULL value */
    struct fg_error err;
    enum fg_status st = fg_dsse_parse(text, len, &env, &err);
    ck_assert_int_eq(st, FG_ERR_INPUT);
    ck_assert_int_eq(err.code, FG_ERR_INPUT);
    ck_assert_ptr_null(env);
    ck_assert_msg(strstr(err.message, parse_rejects[_i].why) != NULL,
                  "vector %d: message '%s' lacks '%s'", _i, err.message, parse_rejects[_i].why);
    if (parse_rejects[_i].line != 0)
        ck_assert_uint_eq(err.line, parse_rejects[_i].line);
}
END_TEST

START_TEST(test_parse_limits)
{
    /* more than 65 MiB of text */
    size_t big = 65u * 1024u * 1024u + 1;
    char *text = malloc(big);
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', big);
    struct fg_dsse_envelope *env = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_dsse_parse(text, big, &env, &err), FG_ERR_LIMIT);
    ck_assert_ptr_null(env);
    free(text);

    /* more than 256 signatures */
    size_t n = 257, cap = 64 + n * 12;
    text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t used = (size_t)snprintf(text, cap, "{" T_OK ",\"signatures\":[");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, cap - used, "%s{\"sig\":\"\"}", i ? "," : "");
    used += (size_t)snprintf(text + used, cap - used, "]}");
    ck_assert_uint_lt(used, cap);
    ck_assert_int_eq(fg_dsse_parse(text, used, &env, &err), FG_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, "257 signatures"));
    ck_assert_ptr_null(env);
    /* 256 is fine */
    memcpy(strrchr(text, ','), "]}", 3);
    ck_assert_int_eq(fg_dsse_parse(text, strlen(text), &env, &err), FG_OK);
    ck_assert_uint_eq(env->n_signatures, 256);
    fg_dsse_envelope_free(env);
    free(text);
}
END_TEST

static const struct {
    const char *text;
    const char *type;
    const char *payload;
    size_t payload_len;
    size_t n_signatures;
    const char *keyid0; /* when n_signatures > 0 */
    size_t sig0_len;
} parse_accepts[] = {
    {"{" T_OK ",\"signatures\":[]}", "t", "", 0, 0, NULL, 0},
    {"{\"payload\":\"-_8\",\"payloadType\":\"t\",\"signatures\":[{\"sig\":\"AAAA\"}]}", "t",
     "\xfb\xff", 2, 1, "", 3},
    {"{\"payload\":\"+/"
     "8=\",\"payloadType\":\"t\",\"signatures\":[{\"keyid\":\"k1\",\"sig\":\"\"}]}",
     "t", "\xfb\xff", 2, 1, "k1", 0},
    /* pretty-printed, a trailing newline (a .jsonl line), unknown members */
    {"\n{\n  \"payloadType\": \"a/b\",\n  \"payload\": \"Zm9v\",\n  \"extra\": [1, 2],\n"
     "  \"signatures\": [ { \"sig\": \"Zg==\", \"note\": \"x\" } ]\n}\n",
     "a/b", "foo", 3, 1, "", 1},
    {"{\"payload\":\"\",\"payloadType\":\"caf\\u00e9\",\"signatures\":[]}", "caf\xc3\xa9", "", 0, 0,
     NULL, 0},
};

START_TEST(test_parse_accepts)
{
    struct fg_dsse_envelope *env = parse_text(parse_accepts[_i].text);
    ck_assert_str_eq(env->payload_type, parse_accepts[_i].type);
    ck_assert_uint_eq(env->payload_len, parse_accepts[_i].payload_len);
    ck_assert_mem_eq(env->payload, parse_accepts[_i].payload, env->payload_len + 1);
    ck_assert_uint_eq(env->n_signatures, parse_accepts[_i].n_signatures);
    if (env->n_signatures > 0) {
        ck_assert_str_eq(env->signatures[0].keyid, parse_accepts[_i].keyid0);
        ck_assert_uint_eq(env->signatures[0].sig_len, parse_accepts[_i].sig0_len);
    }
    /* nothing verifies: no signature, or signatures of the wrong length */
    struct fg_key *key = new_key();
    ck_assert(!fg_dsse_verify(env, key, NULL));
    fg_key_free(key);
    fg_dsse_envelope_free(env);
}
END_TEST

/* ---- interoperability with the openssl command ---- */

START_TEST(test_openssl_ed25519)
{
    if (!have_openssl()) {
        fprintf(stderr, "check_dsse: openssl not found; skipping test_openssl_ed25519\n");
        return;
    }
    char dir[512];
    make_tmpdir(dir, sizeof dir);
    ck_assert_int_eq(run("cd '%s' && openssl genpkey -algorithm ed25519 -out ed.pem 2>/dev/null && "
                         "openssl pkey -in ed.pem -pubout -out ed.pub.pem && "
                         "openssl pkey -pubin -in ed.pub.pem -outform DER -out ed.pub.der",
                         dir),
                     0);
    char priv[1024], pub[1024], der_path[1024];
    join(priv, sizeof priv, dir, "ed.pem");
    join(pub, sizeof pub, dir, "ed.pub.pem");
    join(der_path, sizeof der_path, dir, "ed.pub.der");
    struct fg_error err;
    struct fg_key *key = NULL, *pub_key = NULL;
    ck_assert_int_eq(fg_key_load_private(priv, &key, &err), FG_OK);
    ck_assert_int_eq(fg_key_load_public(pub, &pub_key, &err), FG_OK);

    /* key id = sha256 of what `openssl pkey -pubin -outform DER` prints */
    char id[65], pub_id[65], der_id[65];
    fg_key_id(key, id);
    fg_key_id(pub_key, pub_id);
    ck_assert_str_eq(id, pub_id);
    size_t der_len = 0;
    char *der = read_text(der_path, &der_len);
    ck_assert_uint_eq(der_len, 44);
    sha256_hex_independent((const unsigned char *)der, der_len, der_id);
    ck_assert_str_eq(id, der_id);
    free(der);

    /* sign with fairgate; verify with fairgate and with openssl pkeyutl -rawin */
    const char *payload = "{\"_type\":\"https://in-toto.io/Statement/v1\"}";
    char *json = sign_text(key, "application/vnd.in-toto+json", payload);
    struct fg_dsse_envelope *env = parse_text(json);
    ck_assert(fg_dsse_verify(env, pub_key, NULL));
    unsigned char *pae = NULL;
    size_t pae_len = 0;
    ck_assert_int_eq(
        fg_dsse_pae(env->payload_type, env->payload, env->payload_len, &pae, &pae_len, &err),
        FG_OK);
    char path[1024];
    join(path, sizeof path, dir, "pae.bin");
    write_bytes_to(path, pae, pae_len);
    join(path, sizeof path, dir, "sig.bin");
    write_bytes_to(path, env->signatures[0].sig, env->signatures[0].sig_len);
    ck_assert_int_eq(run("cd '%s' && openssl pkeyutl -verify -pubin -inkey ed.pub.pem -rawin "
                         "-in pae.bin -sigfile sig.bin >/dev/null 2>&1",
                         dir),
                     0);
    /* openssl signs the same PAE with the same key to the same bytes (Ed25519 is
     * deterministic) */
    ck_assert_int_eq(run("cd '%s' && openssl pkeyutl -sign -inkey ed.pem -rawin -in pae.bin "
                         "-out sig2.bin 2>/dev/null",
                         dir),
                     0);
    join(path, sizeof path, dir, "sig2.bin");
    size_t sig2_len = 0;
    char *sig2 = read_text(path, &sig2_len);
    ck_assert_uint_eq(sig2_len, 64);
    ck_assert_mem_eq(sig2, env->signatures[0].sig, 64);
    free(sig2);
    /* and openssl refuses a tampered PAE */
    pae[pae_len - 1] ^= 1;
    join(path, sizeof path, dir, "pae.bin");
    write_bytes_to(path, pae, pae_len);
    ck_assert_int_ne(run("cd '%s' && openssl pkeyutl -verify -pubin -inkey ed.pub.pem -rawin "
                         "-in pae.bin -sigfile sig.bin >/dev/null 2>&1",
                         dir),
                     0);
    free(pae);

    /* openssl reads the files fairgate writes: same public key PEM, byte for byte */
    join(path, sizeof path, dir, "ours.pem");
    struct fg_key *ours = new_key();
    ck_assert_int_eq(fg_key_write_private(ours, path, false, &err), FG_OK);
    join(path, sizeof path, dir, "ours.pub.pem");
    ck_assert_int_eq(fg_key_write_public(ours, path, false, &err), FG_OK);
    ck_assert_int_eq(run("cd '%s' && openssl pkey -in ours.pem -pubout -out ours.openssl.pub.pem "
                         "&& cmp -s ours.pub.pem ours.openssl.pub.pem",
                         dir),
                     0);

    fg_key_free(ours);
    fg_dsse_envelope_free(env);
    free(json);
    fg_key_free(key);
    fg_key_free(pub_key);
    remove_tmpdir(dir);
}
END_TEST

static const struct {
    const char *genpkey_args;
    const char *why;
} foreign_keys[] = {
    {"-algorithm rsa -pkeyopt rsa_keygen_bits:1024", "is an RSA key; fairgate needs Ed25519"},
    {"-algorithm ec -pkeyopt ec_paramgen_curve:P-256", "is an EC key; fairgate needs Ed25519"},
    {"-algorithm ed448", "is an ED448 key; fairgate needs Ed25519"},
    {"-algorithm x25519", "is an X25519 key; fairgate needs Ed25519"},
};

START_TEST(test_openssl_foreign_keys)
{
    if (!have_openssl()) {
        fprintf(stderr, "check_dsse: openssl not found; skipping test_openssl_foreign_keys\n");
        return;
    }
    char dir[512], priv[1024], pub[1024];
    make_tmpdir(dir, sizeof dir);
    ck_assert_int_eq(run("cd '%s' && openssl genpkey %s -out k.pem 2>/dev/null && "
                         "openssl pkey -in k.pem -pubout -out k.pub.pem",
                         dir, foreign_keys[_i].genpkey_args),
                     0);
    join(priv, sizeof priv, dir, "k.pem");
    join(pub, sizeof pub, dir, "k.pub.pem");
    struct fg_error err;
    struct fg_key *key = NULL;
    ck_assert_int_eq(fg_key_load_private(priv, &key, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(key);
    ck_assert_str_eq(err.file, priv);
    ck_assert_msg(strstr(err.message, foreign_keys[_i].why) != NULL, "message '%s'", err.message);
    ck_assert_int_eq(fg_key_load_public(pub, &key, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(key);
    ck_assert_msg(strstr(err.message, foreign_keys[_i].why) != NULL, "message '%s'", err.message);
    remove_tmpdir(dir);
}
END_TEST

START_TEST(test_openssl_encrypted_key)
{
    if (!have_openssl()) {
        fprintf(stderr, "check_dsse: openssl not found; skipping test_openssl_encrypted_key\n");
        return;
    }
    char dir[512], priv[1024];
    make_tmpdir(dir, sizeof dir);
    ck_assert_int_eq(run("cd '%s' && openssl genpkey -algorithm ed25519 -aes-256-cbc "
                         "-pass pass:fairgate -out enc.pem 2>/dev/null",
                         dir),
                     0);
    join(priv, sizeof priv, dir, "enc.pem");
    struct fg_error err;
    struct fg_key *key = NULL;
    ck_assert_int_eq(fg_key_load_private(priv, &key, &err), FG_ERR_INPUT);
    ck_assert_ptr_null(key);
    ck_assert_ptr_nonnull(strstr(err.message, "holds an encrypted private key"));
    remove_tmpdir(dir);
}
END_TEST

/* ---- strict statements, key files and attested digests (issue 10) ---- */

#define AUDIT_TEXT "{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"pass\",\"exit_code\":0}\n"
#define STATEMENT_HEAD                                                                             \
    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"c.csv\","             \
    "\"digest\":{\"sha256\":\"" DIGEST_A                                                           \
    "\"},\"annotations\":{\"fairgate.role\":\"candidate\"}}],"                                     \
    "\"predicateType\":\"urn:fairgate:audit:v1\""
#define DIGEST_A     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_B     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DIGEST_C     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define STATEMENT_OK STATEMENT_HEAD ",\"predicate\":{\"verdict\":\"fail\",\"exit_code\":1}}"

/* Signs payload (len bytes) as an in-toto statement into dir/name; returns the path. */
static void write_attestation(const struct fg_key *key, const char *payload, size_t len,
                              const char *path)
{
    char *json = NULL;
    struct fg_error err;
    ck_assert_int_eq(fg_dsse_sign(key, "application/vnd.in-toto+json",
                                  (const unsigned char *)payload, len, &json, &err),
                     FG_OK);
    write_bytes_to(path, json, strlen(json));
    free(json);
}

static const struct {
    const char *payload;
    size_t len; /* 0: strlen */
    int valid;
    const char *says;
} statement_vectors[] = {
    {STATEMENT_OK, 0, 1, "verdict: fail (exit_code 1)"},
    /* NUL bytes after the statement: a C-string reader stopped there and saw a statement */
    {STATEMENT_OK "\0\0\0", sizeof(STATEMENT_OK "\0\0\0") - 1, 0, "a NUL byte"},
    {STATEMENT_OK " {\"predicate\":{\"verdict\":\"pass\"}}", 0, 0, "after the JSON value"},
    {STATEMENT_OK "\n", 0, 1, "valid"},
    /* jq reads the last predicate, cJSON read the first */
    {STATEMENT_HEAD ",\"predicate\":{\"verdict\":\"fail\"},\"predicate\":{\"verdict\":\"pass\"}}",
     0, 0, "'predicate' is given twice"},
    {STATEMENT_HEAD ",\"predicate\":{\"verdict\":\"pass\\u0000fail\"}}", 0, 0, "\\u0000"},
    {"\xef\xbb\xbf" STATEMENT_OK, 0, 0, "byte order mark"},
};

START_TEST(test_statement_strict)
{
    char dir[512], path[1024];
    make_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "a.intoto.jsonl");
    struct fg_key *key = new_key();
    const char *payload = statement_vectors[_i].payload;
    write_attestation(key, payload,
                      statement_vectors[_i].len ? statement_vectors[_i].len : strlen(payload),
                      path);
    int valid = -1;
    char *report = NULL;
    struct fg_error err = {0};
    ck_assert_int_eq(fg_attest_verify(path, key, NULL, 0, &valid, &report, &err), FG_OK);
    ck_assert_int_eq(valid, statement_vectors[_i].valid);
    ck_assert_msg(strstr(report, statement_vectors[_i].says) != NULL, "vector %d: '%s' lacks '%s'",
                  _i, report, statement_vectors[_i].says);
    free(report);
    /* report --attestation hands over an audit only when the statement is valid */
    char *audit = (char *)"untouched";
    ck_assert_int_eq(fg_attest_audit(path, key, NULL, &audit, &valid, &report, &err), FG_OK);
    ck_assert_int_eq(valid, statement_vectors[_i].valid);
    if (valid)
        ck_assert_str_eq(audit, "{\"verdict\":\"fail\",\"exit_code\":1}");
    else
        ck_assert_ptr_null(audit);
    free(audit);
    free(report);
    fg_key_free(key);
    remove_tmpdir(dir);
}
END_TEST

/* A public key file with a private key hidden after a NUL byte (strstr stopped at it), a
 * second block, trailing text: each refused, by both loaders. */
START_TEST(test_key_file_strict)
{
    char dir[512], priv[1024], pub[1024], path[1024];
    make_tmpdir(dir, sizeof dir);
    join(priv, sizeof priv, dir, "priv.pem");
    join(pub, sizeof pub, dir, "pub.pem");
    join(path, sizeof path, dir, "input.pem");
    struct fg_error err;
    struct fg_key *key = new_key();
    ck_assert_int_eq(fg_key_write_private(key, priv, false, &err), FG_OK);
    ck_assert_int_eq(fg_key_write_public(key, pub, false, &err), FG_OK);
    size_t priv_len = 0, pub_len = 0;
    char *priv_text = read_text(priv, &priv_len), *pub_text = read_text(pub, &pub_len);
    char buf[8192];
    struct {
        int loader; /* 0 private, 1 public */
        const char *first, *between, *second;
        const char *why;
    } cases[] = {
        {1, pub_text, "\0", priv_text, "NUL byte"},
        {0, priv_text, "\0", pub_text, "NUL byte"},
        {1, pub_text, "", pub_text, "more than one PEM block"},
        {0, priv_text, "", priv_text, "more than one PEM block"},
        {1, pub_text, "", "trailing words\n", "after the PEM block's END line"},
        {0, priv_text, "", "x", "after the PEM block's END line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t a = strlen(cases[i].first),
               b = cases[i].between[0] == '\0' && strcmp(cases[i].why, "NUL byte") == 0
                       ? 1
                       : strlen(cases[i].between),
               c = strlen(cases[i].second);
        ck_assert_uint_lt(a + b + c, sizeof buf);
        memcpy(buf, cases[i].first, a);
        memcpy(buf + a, cases[i].between, b);
        memcpy(buf + a + b, cases[i].second, c);
        write_bytes_to(path, buf, a + b + c);
        struct fg_key *out = (struct fg_key *)&err;
        ck_assert_int_eq(load_key(cases[i].loader, path, &out, &err), FG_ERR_INPUT);
        ck_assert_ptr_null(out);
        ck_assert_str_eq(err.file, path);
        ck_assert_msg(strstr(err.message, cases[i].why) != NULL, "case %zu: '%s' lacks '%s'", i,
                      err.message, cases[i].why);
    }
    /* whitespace after the block is fine */
    memcpy(buf, pub_text, pub_len);
    memcpy(buf + pub_len, "\n \r\n", 4);
    write_bytes_to(path, buf, pub_len + 4);
    struct fg_key *out = NULL;
    ck_assert_int_eq(fg_key_load_public(path, &out, &err), FG_OK);
    fg_key_free(out);
    free(priv_text);
    free(pub_text);
    fg_key_free(key);
    remove_tmpdir(dir);
}
END_TEST

/* fg_attest_build attests the digests it is handed for the judged inputs, never opens their
 * paths (a FIFO would read empty, a file swapped meanwhile would be attested), refuses a
 * judged input without one, and names the audit with the digest of its exact bytes. */
START_TEST(test_attest_build_digests)
{
    char dir[512], path[1024], model[1024];
    make_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "a.intoto.jsonl");
    join(model, sizeof model, dir, "model.bin");
    write_bytes_to(model, "weights", 7);
    struct fg_key *key = new_key();
    struct fg_error err = {0};
    const struct fg_subject subjects[] = {
        {"c.csv", "/nonexistent/c.csv", "candidate", DIGEST_A},
        {"i.csv", "/nonexistent/i.csv", "incumbent", DIGEST_B},
        {"p.yaml", "/nonexistent/p.yaml", "policy", DIGEST_C},
        {"model", model, "subject", NULL},
    };
    char *line = NULL;
    ck_assert_int_eq(fg_attest_build(AUDIT_TEXT, subjects, 4, key, &line, &err), FG_OK);
    write_bytes_to(path, line, strlen(line));
    struct fg_dsse_envelope *env = parse_text(line);
    cJSON *st = cJSON_ParseWithLength((const char *)env->payload, env->payload_len);
    ck_assert_ptr_nonnull(st);
    char want_model[65], want_audit[65];
    sha256_hex_independent((const unsigned char *)"weights", 7, want_model);
    sha256_hex_independent((const unsigned char *)AUDIT_TEXT, strlen(AUDIT_TEXT), want_audit);
    const char *want[][3] = {{"c.csv", DIGEST_A, "candidate"},
                             {"i.csv", DIGEST_B, "incumbent"},
                             {"p.yaml", DIGEST_C, "policy"},
                             {"model", want_model, "subject"},
                             {"audit.json", want_audit, "audit"}};
    const cJSON *subject = cJSON_GetObjectItemCaseSensitive(st, "subject");
    ck_assert_int_eq(cJSON_GetArraySize(subject), 5);
    for (int i = 0; i < 5; i++) {
        const cJSON *s = cJSON_GetArrayItem(subject, i);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(s, "name")->valuestring, want[i][0]);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(
                             cJSON_GetObjectItemCaseSensitive(s, "digest"), "sha256")
                             ->valuestring,
                         want[i][1]);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(
                             cJSON_GetObjectItemCaseSensitive(s, "annotations"), "fairgate.role")
                             ->valuestring,
                         want[i][2]);
    }
    cJSON_Delete(st);
    fg_dsse_envelope_free(env);
    free(line);

    /* verify --audit: the exact bytes are the attested audit; a changed verdict is not */
    char audit[1024], forged[1024];
    join(audit, sizeof audit, dir, "audit.json");
    join(forged, sizeof forged, dir, "forged.json");
    write_bytes_to(audit, AUDIT_TEXT, strlen(AUDIT_TEXT));
    write_bytes_to(forged,
                   "{\"schema\":\"fairgate.audit/v1\",\"verdict\":\"fail\",\"exit_code\":0}\n",
                   strlen(AUDIT_TEXT));
    const struct fg_subject good[] = {{NULL, audit, "audit", NULL}};
    const struct fg_subject bad[] = {{NULL, forged, "audit", NULL}};
    int valid = -1;
    char *report = NULL, *text = NULL;
    ck_assert_int_eq(fg_attest_verify(path, key, good, 1, &valid, &report, &err), FG_OK);
    ck_assert_int_eq(valid, 1);
    ck_assert_ptr_nonnull(strstr(report, "(audit) matches the file given"));
    free(report);
    ck_assert_int_eq(fg_attest_verify(path, key, bad, 1, &valid, &report, &err), FG_OK);
    ck_assert_int_eq(valid, 0);
    ck_assert_ptr_nonnull(strstr(report, "INVALID: digest mismatch: audit"));
    free(report);
    ck_assert_int_eq(fg_attest_audit(path, key, audit, &text, &valid, &report, &err), FG_OK);
    ck_assert_int_eq(valid, 1);
    ck_assert_str_eq(text, AUDIT_TEXT);
    free(text);
    free(report);
    ck_assert_int_eq(fg_attest_audit(path, key, forged, &text, &valid, &report, &err), FG_OK);
    ck_assert_int_eq(valid, 0);
    ck_assert_ptr_null(text);
    free(report);

    /* a judged input without its digest is refused, even when its path can be read */
    const struct fg_subject undigested[] = {{"model", model, "candidate", NULL}};
    line = NULL;
    ck_assert_int_eq(fg_attest_build(AUDIT_TEXT, undigested, 1, key, &line, &err), FG_ERR_USAGE);
    ck_assert_ptr_null(line);
    ck_assert_ptr_nonnull(strstr(err.message, "has no digest"));
    fg_key_free(key);
    remove_tmpdir(dir);
}
END_TEST

/* An attestation made before the audit was a subject: verify --audit compares the JSON. */
START_TEST(test_attest_audit_without_subject)
{
    char dir[512], path[1024], audit[1024];
    make_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "a.intoto.jsonl");
    join(audit, sizeof audit, dir, "audit.json");
    struct fg_key *key = new_key();
    write_attestation(key, STATEMENT_OK, strlen(STATEMENT_OK), path);
    struct fg_error err = {0};
    const struct fg_subject check[] = {{NULL, audit, "audit", NULL}};
    static const struct {
        const char *text;
        int valid;
    } cases[] = {
        {"{\n  \"verdict\": \"fail\",\n  \"exit_code\": 1\n}\n", 1},
        {"{\"verdict\":\"pass\",\"exit_code\":1}", 0},
        {"{\"verdict\":\"fail\",\"exit_code\":1,\"verdict\":\"pass\"}", 0},
        {"{\"verdict\":\"fail\",\"exit_code\":1}\n{}", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_bytes_to(audit, cases[i].text, strlen(cases[i].text));
        int valid = -1;
        char *report = NULL;
        ck_assert_int_eq(fg_attest_verify(path, key, check, 1, &valid, &report, &err), FG_OK);
        ck_assert_msg(valid == cases[i].valid, "case %zu: %s", i, report);
        free(report);
    }
    fg_key_free(key);
    remove_tmpdir(dir);
}
END_TEST

/* ---- suite ---- */

#define N_OF(table) ((int)(sizeof(table) / sizeof((table)[0])))

static Suite *dsse_suite(void)
{
    Suite *s = suite_create("dsse");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_pae_vectors, 0, N_OF(pae_vectors));
    tcase_add_test(tc, test_pae_null_type);
    tcase_add_loop_test(tc, test_base64_encode_rfc4648, 0, N_OF(rfc4648_vectors));
    tcase_add_loop_test(tc, test_base64_decode_rfc4648, 0, N_OF(rfc4648_vectors));
    tcase_add_loop_test(tc, test_base64_urlsafe, 0, N_OF(urlsafe_vectors));
    tcase_add_test(tc, test_base64_encode_standard_alphabet);
    tcase_add_loop_test(tc, test_base64_rejects, 0, N_OF(base64_rejects));
    tcase_add_test(tc, test_base64_limit);
    tcase_add_test(tc, test_base64_round_trip);
    tcase_add_test(tc, test_key_round_trip);
    tcase_add_loop_test(tc, test_key_write_existing, 0, 2);
    tcase_add_loop_test(tc, test_key_load_rejects, 0, N_OF(load_rejects));
    tcase_add_loop_test(tc, test_key_load_io, 0, 2);
    tcase_add_loop_test(tc, test_sign_parse_verify, 0, N_OF(sign_vectors));
    tcase_add_test(tc, test_sign_layout);
    tcase_add_test(tc, test_sign_deterministic);
    tcase_add_loop_test(tc, test_verify_tampered, 0, N_OF(tampers));
    tcase_add_test(tc, test_verify_second_signature);
    tcase_add_loop_test(tc, test_parse_rejects, 0, N_OF(parse_rejects));
    tcase_add_test(tc, test_parse_limits);
    tcase_add_loop_test(tc, test_parse_accepts, 0, N_OF(parse_accepts));
    tcase_add_test(tc, test_openssl_ed25519);
    tcase_add_loop_test(tc, test_openssl_foreign_keys, 0, N_OF(foreign_keys));
    tcase_add_test(tc, test_openssl_encrypted_key);
    tcase_add_loop_test(tc, test_statement_strict, 0, N_OF(statement_vectors));
    tcase_add_test(tc, test_key_file_strict);
    tcase_add_test(tc, test_attest_build_digests);
    tcase_add_test(tc, test_attest_audit_without_subject);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(dsse_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
