/*
 * instream.c - an input file read in order: plain or gzip, a path or standard input
 * (instream.h says what is promised).
 *
 * The first bytes are read at open into the raw buffer to look for the gzip magic (a pipe
 * cannot be read twice); a plain stream hands them out first, then reads straight into the
 * caller's buffer. A gzip stream feeds the raw buffer to zlib (gzip framing only, so a
 * ".gz" file that is not gzip is an error) and, at the end of a member, starts the next
 * one if bytes follow: `cat a.gz b.gz` is one file of both members' bytes, as gzip -d says.
 */
#define _POSIX_C_SOURCE 200809L

#include "instream.h"
#include "fairgate.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#define RAW_CAP ((size_t)64 << 10) /* compressed bytes read at a time */

struct fg_instream {
    const char *path; /* as given: "-" for standard input */
    const char *name; /* for messages */
    int fd;
    bool is_stdin;
    struct stat st;
    bool have_st;
    EVP_MD_CTX *sha; /* borrowed; NULL: no digest */
    uint64_t offset; /* bytes given, handed on (and hashed) so far */
    unsigned char *raw;
    size_t raw_pos, raw_len; /* raw[raw_pos..raw_len): read, not yet handed on */
    bool raw_eof;            /* the file has no more bytes past raw_len */
    bool gzip;
    z_stream z;
    bool z_ready;     /* inflateInit2 succeeded */
    bool in_member;   /* inside a gzip member: its end has not been seen */
    unsigned members; /* gzip members read to their end */
    int tee_fd;       /* >= 0: every byte given is also written there */
    int tee_errno;    /* the failed write's errno, or 0 */
};

const char *fg_instream_name(const char *path)
{
    return strcmp(path, "-") == 0 ? FG_STDIN_NAME : path;
}

ssize_t fg_read_full(int fd, void *buf, size_t want, off_t offset, bool *eof)
{
    size_t got = 0;
    *eof = false;
    while (got < want) {
        ssize_t n = offset < 0 ? read(fd, (char *)buf + got, want - got)
                               : pread(fd, (char *)buf + got, want - got, offset + (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            *eof = true;
            break;
        }
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Fills err with the stream's name and the message; returns -1, a failed read. */
FG_PRINTF(4, 5)
static ssize_t fail(const struct fg_instream *in, struct fg_error *err, enum fg_status code,
                    const char *fmt, ...)
{
    char message[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    fg_vsnprintf_c(message, sizeof message, fmt, ap);
    va_end(ap);
    fg_error_set(err, code, in->name, 0, 0, "%s", message);
    return -1;
}

/* Writes all of bytes to the copy; false: a write failed (tee_errno says why). */
static bool tee(struct fg_instream *in, const unsigned char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(in->tee_fd, bytes, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            in->tee_errno = n < 0 ? errno : EIO;
            return false;
        }
        bytes += n;
        len -= (size_t)n;
    }
    return true;
}

static bool hash(struct fg_instream *in, const void *bytes, size_t len)
{
    in->offset += len;
    if (in->tee_fd >= 0 && len > 0 && !tee(in, bytes, len))
        return false;
    return in->sha == NULL || len == 0 || EVP_DigestUpdate(in->sha, bytes, len) == 1;
}

/* The message for hash() failing: the copy, or the digest. */
static ssize_t hash_failed(const struct fg_instream *in, struct fg_error *err)
{
    if (in->tee_errno != 0)
        return fail(in, err, FG_ERR_IO, "cannot write the copy of %s: %s",
                    in->is_stdin ? "standard input" : "this input", strerror(in->tee_errno));
    return fail(in, err, FG_ERR_IO, "SHA-256 failed");
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Reads the first bytes and decides whether the stream is gzip. */
static enum fg_status sniff(struct fg_instream *in, struct fg_error *err)
{
    /* Two bytes decide; a pipe may give fewer at a time. */
    while (in->raw_len < 2 && !in->raw_eof) {
        bool eof = false;
        ssize_t n = fg_read_full(in->fd, in->raw + in->raw_len, 2 - in->raw_len, -1, &eof);
        if (n < 0)
            return fg_error_set(err, FG_ERR_IO, in->name, 0, 0, "read error: %s", strerror(errno));
        in->raw_len += (size_t)n;
        in->raw_eof = eof;
    }
    bool magic = in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b;
    in->gzip = magic || ends_with(in->path, ".gz");
    if (!in->gzip)
        return FG_OK;
    if (!magic)
        return fg_error_set(err, FG_ERR_INPUT, in->name, 0, 0,
                            "the name ends in .gz but the file is not gzip data (it does not "
                            "start with the bytes 1f 8b)");
    memset(&in->z, 0, sizeof in->z);
    if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK) /* 16: gzip framing only */
        return fg_error_set(err, FG_ERR_NOMEM, in->name, 0, 0, "cannot start zlib");
    in->z_ready = true;
    in->in_member = true;
    return FG_OK;
}

enum fg_status fg_instream_open(const char *path, EVP_MD_CTX *sha, struct fg_instream **out,
                                struct fg_error *err)
{
    return fg_instream_open_as(path, fg_instream_name(path), sha, out, err);
}

enum fg_status fg_instream_open_as(const char *path, const char *name, EVP_MD_CTX *sha,
                                   struct fg_instream **out, struct fg_error *err)
{
    *out = NULL;
    struct fg_instream *in = calloc(1, sizeof *in);
    if (in == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, name, 0, 0, "out of memory");
    in->path = path;
    in->name = name;
    in->sha = sha;
    in->tee_fd = -1;
    in->is_stdin = strcmp(path, "-") == 0;
    in->fd = in->is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0) {
        enum fg_status st =
            fg_error_set(err, FG_ERR_IO, in->name, 0, 0, "cannot open: %s", strerror(errno));
        free(in);
        return st;
    }
    in->have_st = fstat(in->fd, &in->st) == 0;
    in->raw = malloc(RAW_CAP);
    enum fg_status st = FG_ERR_NOMEM;
    if (in->raw == NULL)
        fg_error_set(err, FG_ERR_NOMEM, in->name, 0, 0, "out of memory");
    else
        st = sniff(in, err);
    if (st != FG_OK) {
        fg_instream_close(in);
        return st;
    }
    *out = in;
    return FG_OK;
}

/* A plain stream: the bytes sniffed first, then straight from the file. */
static ssize_t plain_read(struct fg_instream *in, char *buf, size_t want, bool *eof,
                          struct fg_error *err)
{
    size_t got = in->raw_len - in->raw_pos < want ? in->raw_len - in->raw_pos : want;
    memcpy(buf, in->raw + in->raw_pos, got);
    in->raw_pos += got;
    bool ok = hash(in, buf, got);
    *eof = in->raw_eof && in->raw_pos == in->raw_len;
    if (got < want && !*eof) {
        ssize_t n = fg_read_full(in->fd, buf + got, want - got, -1, eof);
        if (n < 0)
            return fail(in, err, FG_ERR_IO, "read error: %s", strerror(errno));
        ok = ok && hash(in, buf + got, (size_t)n);
        got += (size_t)n;
    }
    if (!ok)
        return hash_failed(in, err);
    return (ssize_t)got;
}

/* Hands zlib the raw bytes it has not seen, reading more when none are left (hashed as
 * they are handed on). -1 on a read error. */
static ssize_t gzip_refill(struct fg_instream *in, struct fg_error *err)
{
    if (in->raw_pos == in->raw_len && !in->raw_eof) {
        bool eof = false;
        ssize_t n = fg_read_full(in->fd, in->raw, RAW_CAP, -1, &eof);
        if (n < 0)
            return fail(in, err, FG_ERR_IO, "read error: %s", strerror(errno));
        in->raw_pos = 0;
        in->raw_len = (size_t)n;
        in->raw_eof = eof;
    }
    size_t len = in->raw_len - in->raw_pos;
    if (!hash(in, in->raw + in->raw_pos, len))
        return hash_failed(in, err);
    in->z.next_in = in->raw + in->raw_pos;
    in->z.avail_in = (uInt)len;
    in->raw_pos = in->raw_len;
    return 0;
}

static ssize_t gzip_read(struct fg_instream *in, char *buf, size_t want, bool *eof,
                         struct fg_error *err)
{
    *eof = false;
    in->z.next_out = (Bytef *)buf;
    in->z.avail_out = (uInt)want;
    while (in->z.avail_out > 0) {
        if (in->z.avail_in == 0 && gzip_refill(in, err) < 0)
            return -1;
        if (in->z.avail_in == 0) { /* the end of the file */
            if (in->in_member)
                return fail(in, err, FG_ERR_INPUT,
                            "truncated gzip data: the file ends inside a gzip member (after "
                            "%llu bytes)",
                            (unsigned long long)in->offset);
            *eof = true;
            break;
        }
        if (!in->in_member) { /* bytes after a member: the next member */
            if (inflateReset(&in->z) != Z_OK)
                return fail(in, err, FG_ERR_INPUT, "zlib failed");
            in->in_member = true;
        }
        int rc = inflate(&in->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            in->in_member = false;
            in->members++;
        } else if (rc == Z_DATA_ERROR && in->members > 0 && in->z.total_out == 0) {
            return fail(in, err, FG_ERR_INPUT,
                        "the bytes after gzip member %u (from byte %llu) are not gzip data",
                        in->members,
                        (unsigned long long)(in->offset - in->z.avail_in - in->z.total_in));
        } else if (rc == Z_MEM_ERROR) {
            return fail(in, err, FG_ERR_NOMEM, "out of memory");
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return fail(in, err, FG_ERR_INPUT, "corrupt gzip data near byte %llu: %s",
                        (unsigned long long)(in->offset - in->z.avail_in),
                        in->z.msg != NULL ? in->z.msg : "zlib cannot inflate it");
        }
    }
    return (ssize_t)(want - in->z.avail_out);
}

ssize_t fg_instream_read(struct fg_instream *in, char *buf, size_t want, bool *eof,
                         struct fg_error *err)
{
    if (want > UINT32_MAX)
        return fail(in, err, FG_ERR_USAGE, "a read of over 4 GB at once"); /* zlib's uInt */
    return in->gzip ? gzip_read(in, buf, want, eof, err) : plain_read(in, buf, want, eof, err);
}

void fg_instream_tee(struct fg_instream *in, int fd)
{
    in->tee_fd = fd;
}

enum fg_status fg_instream_drain(struct fg_instream *in, struct fg_error *err)
{
    char buf[16384];
    for (bool eof = false; !eof;)
        if (fg_instream_read(in, buf, sizeof buf, &eof, err) < 0)
            return err->code;
    return FG_OK;
}

bool fg_instream_plain_file(const struct fg_instream *in, struct stat *st)
{
    if (in->gzip || !in->have_st || !S_ISREG(in->st.st_mode))
        return false;
    *st = in->st;
    return true;
}

int fg_instream_fd(const struct fg_instream *in)
{
    return in->fd;
}

bool fg_instream_is_gzip(const struct fg_instream *in)
{
    return in->gzip;
}

uint64_t fg_instream_offset(const struct fg_instream *in)
{
    return in->offset;
}

void fg_instream_close(struct fg_instream *in)
{
    if (in == NULL)
        return;
    if (in->z_ready)
        inflateEnd(&in->z);
    if (!in->is_stdin)
        close(in->fd);
    free(in->raw);
    free(in);
}
