/*
 * check_instream.c - unit tests of the input stream (lib/instream.c): a table of files, each
 * read in small and large pieces, giving the decoded bytes and the SHA-256 of the bytes
 * given, or refused with its message (truncated, corrupt, trailing bytes, a .gz name on
 * plain bytes); multi-member gzip; reading standard input through a pipe.
 */
#define _POSIX_C_SOURCE 200809L

#include "instream.h"
#include "fairgate.h"
#include "test_util.h"
#include "util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/fg-instream.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(command), 0);
}

/* text as one gzip member (gzip framing, level 6) appended to out at *len. */
static void gzip_member(const char *text, unsigned char *out, size_t cap, size_t *len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = out + *len;
    z.avail_out = (uInt)(cap - *len);
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *len = cap - z.avail_out;
    deflateEnd(&z);
}

/* Reads the whole stream at path in pieces of step bytes; returns the status, the decoded
 * text in out and the digest in sha. */
static enum fg_status read_all(const char *path, size_t step, char *out, size_t cap, char sha[65],
                               struct fg_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ck_assert_int_eq(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
    struct fg_instream *in = NULL;
    enum fg_status st = fg_instream_open(path, ctx, &in, err);
    size_t len = 0;
    for (bool eof = false; st == FG_OK && !eof;) {
        ck_assert_uint_lt(len + step, cap);
        ssize_t got = fg_instream_read(in, out + len, step, &eof, err);
        if (got < 0)
            st = err->code;
        else
            len += (size_t)got;
        ck_assert(got < 0 || eof || (size_t)got == step); /* short only at the end */
    }
    out[len] = '\0';
    unsigned char digest[32];
    unsigned int n = 0;
    ck_assert_int_eq(EVP_DigestFinal_ex(ctx, digest, &n), 1);
    fg_digest_hex(digest, sha);
    fg_instream_close(in);
    EVP_MD_CTX_free(ctx);
    return st;
}

enum shape { PLAIN, GZIP, TWO_MEMBERS, TRUNCATED, CORRUPT, TRAILING, EMPTY };

struct vector {
    const char *name, *file; /* the file's name decides .gz */
    enum shape shape;
    const char *text;    /* decoded */
    const char *message; /* NULL: it reads; else the error's message (a prefix) */
};

static const struct vector vectors[] = {
    {"plain", "a.csv", PLAIN, "y,g\n1,a\n0,b\n", NULL},
    {"plain, one byte", "b.csv", PLAIN, "y", NULL},
    {"plain, empty", "c.csv", EMPTY, "", NULL},
    {"gzip by name", "d.csv.gz", GZIP, "y,g\n1,a\n0,b\n", NULL},
    {"gzip by magic", "e.bin", GZIP, "y,g\n1,a\n0,b\n", NULL},
    {"two members", "f.gz", TWO_MEMBERS, "y,g\n1,a\n0,b\n", NULL},
    {"truncated", "g.gz", TRUNCATED, "", "truncated gzip data: the file ends inside a gzip member"},
    {"corrupt", "h.gz", CORRUPT, "", "corrupt gzip data near byte "},
    {"trailing bytes", "i.gz", TRAILING, "", "the bytes after gzip member 1 (from byte "},
    {".gz name on plain bytes", "j.csv.gz", PLAIN, "y,g\n", "the name ends in .gz but the file"},
    {".gz name on no bytes", "k.gz", EMPTY, "", "the name ends in .gz but the file"},
};

/* Writes vector v's file; returns its path and, in bytes/len, what was written. */
static const char *make_file(const struct vector *v, unsigned char *bytes, size_t cap, size_t *len)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, v->file);
    *len = 0;
    if (v->shape == PLAIN) {
        *len = strlen(v->text);
        memcpy(bytes, v->text, *len);
    } else if (v->shape == TWO_MEMBERS) {
        gzip_member("y,g\n1,", bytes, cap, len);
        gzip_member("a\n0,b\n", bytes, cap, len);
    } else if (v->shape != EMPTY) {
        gzip_member("y,g\n1,a\n0,b\n", bytes, cap, len);
    }
    if (v->shape == TRUNCATED)
        *len -= 5;
    if (v->shape == CORRUPT)
        memset(bytes + 10, 0xff, 4); /* the first deflate block's header */
    if (v->shape == TRAILING) {
        memcpy(bytes + *len, "xyz", 3);
        *len += 3;
    }
    write_bytes_to(path, bytes, *len);
    return path;
}

START_TEST(test_vectors)
{
    const struct vector *v = &vectors[_i];
    unsigned char bytes[4096];
    size_t len = 0;
    const char *path = make_file(v, bytes, sizeof bytes, &len);
    char given_sha[65];
    ck_assert_int_eq(fg_sha256_hex((const char *)bytes, len, given_sha, NULL), FG_OK);
    static const size_t steps[] = {1, 3, 4096};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        char out[8192], sha[65];
        struct fg_error err = {0};
        enum fg_status st = read_all(path, steps[k], out, sizeof out, sha, &err);
        if (v->message == NULL) {
            ck_assert_msg(st == FG_OK, "%s: %s", v->name, err.message);
            ck_assert_str_eq(out, v->text);
            ck_assert_str_eq(sha, given_sha); /* the bytes given, not the decoded ones */
        } else {
            ck_assert_int_eq(st, FG_ERR_INPUT);
            ck_assert_str_eq(err.file, path);
            ck_assert_msg(strncmp(err.message, v->message, strlen(v->message)) == 0,
                          "%s: '%s' does not start with '%s'", v->name, err.message, v->message);
        }
    }
}
END_TEST

/* "-" reads standard input, here a pipe holding a gzip member; named <stdin>. */
START_TEST(test_stdin_pipe)
{
    unsigned char bytes[4096];
    size_t len = 0;
    gzip_member("y,g\n1,a\n", bytes, sizeof bytes, &len);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], bytes, len), (ssize_t)len);
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    char out[256], sha[65], want[65];
    struct fg_error err = {0};
    ck_assert_int_eq(read_all("-", 2, out, sizeof out, sha, &err), FG_OK);
    ck_assert_str_eq(out, "y,g\n1,a\n");
    ck_assert_int_eq(fg_sha256_hex((const char *)bytes, len, want, NULL), FG_OK);
    ck_assert_str_eq(sha, want);
    /* at its end now: a second read of stdin is empty, and names <stdin> when it fails */
    struct fg_instream *in = NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ck_assert_int_eq(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
    ck_assert_int_eq(fg_instream_open("-", ctx, &in, &err), FG_OK);
    ck_assert(!fg_instream_is_gzip(in));
    fg_instream_close(in); /* leaves standard input open */
    EVP_MD_CTX_free(ctx);
    ck_assert_str_eq(fg_instream_name("-"), "<stdin>");
    ck_assert_int_eq(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
}
END_TEST

START_TEST(test_unreadable)
{
    struct fg_instream *in = NULL;
    struct fg_error err = {0};
    char path[128];
    snprintf(path, sizeof path, "%s/absent.csv.gz", dir);
    ck_assert_int_eq(fg_instream_open(path, NULL, &in, &err), FG_ERR_IO);
    ck_assert_ptr_null(in);
    ck_assert_str_eq(err.file, path);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot open"));
}
END_TEST

static Suite *instream_suite(void)
{
    Suite *s = suite_create("instream");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_vectors, 0, sizeof vectors / sizeof vectors[0]);
    tcase_add_test(tc, test_stdin_pipe);
    tcase_add_test(tc, test_unreadable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(instream_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
