/*
 * util.c - small helpers every module shares: error filling, SHA-256 in hex, whole-file
 * reads with a cap, atomic writes, did-you-mean hints, the clock, number formatting.
 * Nothing here keeps state between calls.
 */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

/* ---- errors ---- */

enum fg_status fg_error_set(struct fg_error *err, enum fg_status code, const char *file,
                            unsigned long line, unsigned long column, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void fg_error_format(const struct fg_error *err, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (err->file[0] == '\0')
        snprintf(buf, size, "%s", err->message);
    else if (err->line == 0)
        snprintf(buf, size, "%s: %s", err->file, err->message);
    else if (err->column == 0)
        snprintf(buf, size, "%s:%lu: %s", err->file, err->line, err->message);
    else
        snprintf(buf, size, "%s:%lu:%lu: %s", err->file, err->line, err->column, err->message);
}

/* ---- strings ---- */

char *fg_strndup(const char *s, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *fg_strdup(const char *s)
{
    return s ? fg_strndup(s, strlen(s)) : NULL;
}

/* Optimal string alignment distance: insertions, deletions, substitutions and swaps of
 * two neighbouring characters each cost 1 ("mni" is one edit from "min"). */
size_t fg_edit_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return cap + 1;
    if ((la > lb ? la - lb : lb - la) > cap)
        return cap + 1;
    size_t rows[3][65];
    size_t *two_back = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t best = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                two_back[j - 2] + 1 < v)
                v = two_back[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > cap)
            return cap + 1;
        size_t *spare = two_back;
        two_back = prev;
        prev = cur;
        cur = spare;
    }
    return prev[lb] > cap ? cap + 1 : prev[lb];
}

const char *fg_did_you_mean(const char *word, const char *const *candidates, size_t n)
{
    size_t len = strlen(word);
    size_t cap = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    const char *best = NULL;
    size_t best_distance = cap + 1;
    for (size_t i = 0; i < n; i++) {
        if (candidates[i] == NULL || candidates[i][0] == '\0')
            continue;
        size_t d = fg_edit_distance(word, candidates[i], cap);
        /* On a tie, a candidate that starts like the word is the likelier typo. */
        bool better = d < best_distance || (d == best_distance && best != NULL &&
                                            best[0] != word[0] && candidates[i][0] == word[0]);
        if (better && d <= cap) {
            best_distance = d;
            best = candidates[i];
        }
    }
    /* A candidate that starts with the word ("tpr_gap" vs "tpr") is a good hint too. */
    if (best == NULL) {
        for (size_t i = 0; i < n; i++) {
            size_t lc = candidates[i] ? strlen(candidates[i]) : 0;
            if (lc >= 2 && lc < len && strncmp(word, candidates[i], lc) == 0 &&
                (word[lc] == '_' || word[lc] == '-'))
                return candidates[i];
        }
    }
    return best;
}

size_t fg_utf8_valid_prefix(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t extra;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (len - i <= extra)
            return i;
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += extra + 1;
    }
    return len;
}

bool fg_utf8_valid(const char *text, size_t len)
{
    return fg_utf8_valid_prefix(text, len) == len;
}

void fg_format_number(char *buf, size_t size, bool defined, double value)
{
    if (!defined || isnan(value)) {
        snprintf(buf, size, "undefined");
        return;
    }
    if (isinf(value)) {
        snprintf(buf, size, value > 0 ? "infinite" : "-infinite");
        return;
    }
    snprintf(buf, size, "%.4f", value);
}

/* ---- digests and files ---- */

void fg_digest_hex(const unsigned char digest[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

void fg_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL) != 1 || digest_len != 32) {
        memset(out, '0', 64); /* cannot happen with a working libcrypto */
        out[64] = '\0';
        return;
    }
    fg_digest_hex(digest, out);
}

enum fg_status fg_file_read_all(const char *path, size_t max, char **out, size_t *len,
                                struct fg_error *err)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        fclose(f);
        return fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    for (;;) {
        if (used == cap) {
            if (cap >= max + 1) {
                free(buf);
                fclose(f);
                return fg_error_set(err, FG_ERR_LIMIT, path, 0, 0,
                                    "file is larger than the limit of %zu bytes", max);
            }
            size_t next = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *grown = realloc(buf, next + 1);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "out of memory");
            }
            buf = grown;
            cap = next;
        }
        size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "read error");
    }
    if (used > max) {
        free(buf);
        return fg_error_set(err, FG_ERR_LIMIT, path, 0, 0,
                            "file is larger than the limit of %zu bytes", max);
    }
    buf[used] = '\0';
    *out = buf;
    *len = used;
    return FG_OK;
}

enum fg_status fg_fd_write_all(int fd, const char *data, size_t len, const char *path,
                               struct fg_error *err)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return fg_error_set(err, FG_ERR_IO, path, 0, 0, "write failed: %s", strerror(errno));
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "write failed: %s", strerror(errno));
    return FG_OK;
}

enum fg_status fg_text_end_line(char **text, struct fg_error *err)
{
    size_t len = strlen(*text);
    char *grown = realloc(*text, len + 2);
    if (grown == NULL) {
        free(*text);
        *text = NULL;
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    grown[len] = '\n';
    grown[len + 1] = '\0';
    *text = grown;
    return FG_OK;
}

/* Outputs are written in two steps, so that a command writing several can leave all or
 * none: fg_file_stage writes a temporary file beside the path, fg_file_commit renames it
 * into place. Some paths are written in place at commit instead, because renaming over
 * them would be wrong: a device or FIFO (as root, `--out /dev/null` used to turn /dev/null
 * into a plain file) and a symbolic link (the link itself would be replaced, not the file
 * it names; /dev/stdout is one). */
static enum fg_status output_kind(const char *path, bool *in_place, int *flags,
                                  struct fg_error *err)
{
    struct stat l, t;
    *in_place = false;
    *flags = 0;
    if (lstat(path, &l) != 0)
        return FG_OK; /* nothing there yet: a new file */
    bool link = S_ISLNK(l.st_mode);
    bool target = stat(path, &t) == 0;
    if (target && S_ISDIR(t.st_mode))
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "is a directory");
    if (link) {
        *in_place = true;
        *flags = O_CREAT | O_TRUNC; /* through the link, even a dangling one */
    } else if (!S_ISREG(l.st_mode)) {
        *in_place = true; /* a device or FIFO: opened as it is */
    }
    return FG_OK;
}

static enum fg_status write_in_place(const char *path, int flags, const char *data, size_t len,
                                     struct fg_error *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0666);
    if (fd < 0)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            close(fd);
            return fg_error_set(err, FG_ERR_IO, path, 0, 0, "write failed: %s",
                                n < 0 ? strerror(saved) : "no progress");
        }
        done += (size_t)n;
    }
    if (close(fd) != 0)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "write failed: %s", strerror(errno));
    return FG_OK;
}

enum fg_status fg_file_stage(const char *path, const char *data, size_t len, char **tmp_out,
                             struct fg_error *err)
{
    *tmp_out = NULL;
    bool in_place;
    int flags;
    enum fg_status st = output_kind(path, &in_place, &flags, err);
    if (st != FG_OK || in_place)
        return st;
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "path is too long");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "cannot create a temporary file: %s",
                            strerror(errno));
    /* mkstemp makes 0600; outputs are not secret, so give them the usual umask mode. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    st = fg_fd_write_all(fd, data, len, path, err);
    if (close(fd) != 0 && st == FG_OK)
        st = fg_error_set(err, FG_ERR_IO, path, 0, 0, "write failed: %s", strerror(errno));
    if (st == FG_OK && (*tmp_out = fg_strdup(tmp)) == NULL)
        st = fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st != FG_OK)
        unlink(tmp);
    return st;
}

enum fg_status fg_file_commit(const char *path, char *tmp, const char *data, size_t len,
                              struct fg_error *err)
{
    if (tmp == NULL) { /* in place: a device, FIFO or symbolic link */
        bool in_place;
        int flags;
        enum fg_status st = output_kind(path, &in_place, &flags, err);
        return st != FG_OK ? st : write_in_place(path, flags, data, len, err);
    }
    enum fg_status st = FG_OK;
    if (rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        st = fg_error_set(err, FG_ERR_IO, path, 0, 0, "cannot rename into place: %s",
                          strerror(saved));
    }
    free(tmp);
    return st;
}

void fg_file_discard(char *tmp)
{
    if (tmp != NULL)
        unlink(tmp);
    free(tmp);
}

enum fg_status fg_file_write_atomic(const char *path, const char *data, size_t len,
                                    struct fg_error *err)
{
    char *tmp = NULL;
    enum fg_status st = fg_file_stage(path, data, len, &tmp, err);
    return st != FG_OK ? st : fg_file_commit(path, tmp, data, len, err);
}

/* ---- time ---- */

enum fg_status fg_now(long long *seconds, struct fg_error *err)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde != NULL && sde[0] != '\0') {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (errno != 0 || end == sde || *end != '\0' || v < 0 || v > 253402300799LL)
            return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0,
                                "SOURCE_DATE_EPOCH='%s' is not a whole number of seconds "
                                "between 0 and 253402300799",
                                sde);
        *seconds = v;
        return FG_OK;
    }
    return fg_clock_now(seconds, err);
}

enum fg_status fg_clock_now(long long *seconds, struct fg_error *err)
{
    time_t t = time(NULL);
    if (t == (time_t)-1)
        return fg_error_set(err, FG_ERR_IO, NULL, 0, 0, "the clock is unavailable");
    *seconds = (long long)t;
    return FG_OK;
}

enum fg_status fg_file_sha256(const char *path, char out[65], struct fg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        fclose(f);
        return fg_error_set(err, FG_ERR_NOMEM, path, 0, 0, "cannot start SHA-256");
    }
    unsigned char buf[1 << 16];
    size_t got;
    int ok = 1;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        ok &= EVP_DigestUpdate(ctx, buf, got) == 1;
    int failed = ferror(f);
    fclose(f);
    unsigned char digest[32];
    unsigned int len = 0;
    ok &= EVP_DigestFinal_ex(ctx, digest, &len) == 1 && len == 32;
    EVP_MD_CTX_free(ctx);
    if (failed || !ok)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "read error");
    fg_digest_hex(digest, out);
    return FG_OK;
}
