/*
 * util.c - small helpers every module shares: error filling, SHA-256 in hex, whole-file
 * reads with a cap, output files written all or none, did-you-mean hints, the clock, number
 * formatting, and the rule for a value that is the positive one written otherwise. Nothing here
 * keeps state between calls.
 */
#define _POSIX_C_SOURCE 200809L

#include "util.h"
#include "fairgate.h"
#include "instream.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

/* ---- numbers in the C locale ----
 * An embedder may set LC_NUMERIC ("de_DE.UTF-8" writes 0.8 as "0,8" and reads "0.8" as 0);
 * what fairgate writes and reads (policies, canonical digests, audits, reports, messages)
 * never follows it: the calling thread is switched to the C locale for the call (POSIX 2008
 * uselocale; other threads are untouched) and switched back. */

struct c_locale {
    locale_t c, before;
};

/* The C locale object, made once (glibc and musl hand out a static one) and kept. */
static locale_t c_locale_object;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_make(void)
{
    c_locale_object = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static struct c_locale c_locale_enter(void)
{
    pthread_once(&c_locale_once, c_locale_make);
    struct c_locale l = {c_locale_object, (locale_t)0};
    if (l.c != (locale_t)0)
        l.before = uselocale(l.c);
    return l;
}

static void c_locale_leave(struct c_locale l)
{
    if (l.c != (locale_t)0 && l.before != (locale_t)0)
        uselocale(l.before);
}

int fg_vsnprintf_c(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct c_locale l = c_locale_enter();
    int n = vsnprintf(buf, size, fmt, ap);
    c_locale_leave(l);
    return n;
}

int fg_snprintf_c(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fg_vsnprintf_c(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

double fg_strtod(const char *text, char **end)
{
    struct c_locale l = c_locale_enter();
    errno = 0;
    double value = strtod(text, end);
    int saved = errno;
    c_locale_leave(l);
    errno = saved;
    return value;
}

/* Clinger's fast path (W. D. Clinger, "How to Read Floating Point Numbers Accurately",
 * PLDI 1990): when the digits, read as an integer m, are at most 2^53 and there are k <= 22
 * of them after the point, m and 10^k are both doubles exactly, so one IEEE division gives
 * m / 10^k correctly rounded in the current rounding mode, which is what a correctly rounding
 * strtod (glibc's) returns for the same text. Needs doubles evaluated as doubles (SSE2, not
 * the x87's wider registers). */
bool fg_decimal_fast(const char *text, size_t len, double *value)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    static const double tens[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0, fraction = 0;
    bool negative = len > 0 && text[0] == '-';
    if (len > 0 && (text[0] == '-' || text[0] == '+'))
        i++;
    const size_t first = i;
    uint64_t m = 0;
    for (; i < len && text[i] >= '0' && text[i] <= '9'; i++)
        if ((m = m * 10 + (uint64_t)(text[i] - '0')) > (UINT64_C(1) << 53))
            return false;
    if (i == first)
        return false; /* no digit before the point (".5", "-", "") */
    if (i < len && text[i] == '.') {
        const size_t point = ++i;
        for (; i < len && text[i] >= '0' && text[i] <= '9'; i++)
            if ((m = m * 10 + (uint64_t)(text[i] - '0')) > (UINT64_C(1) << 53))
                return false;
        if ((fraction = i - point) == 0)
            return false; /* "5." */
    }
    if (i != len || fraction >= sizeof tens / sizeof *tens)
        return false;
    /* m as a double through int64_t (m <= 2^53: exact, one cvtsi2sd): clang converts a
     * uint64_t on x86-64 by subtracting 2^52 and 2^84 from biased doubles, which gives -0.0
     * for m = 0 when rounding down, where strtod reads "0" as +0.0 (fuzz_number) */
    const double magnitude = (double)(int64_t)m;
    /* the sign before the division, which then rounds the signed value (directed modes) */
    *value = (negative ? -magnitude : magnitude) / tens[fraction];
    return true;
#else
    (void)text;
    (void)len;
    (void)value;
    return false;
#endif
}

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
    fg_vsnprintf_c(err->message, sizeof err->message, fmt, ap);
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

size_t fg_utf8_sequence(const char *text, size_t len, uint32_t *code_point)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t extra;
    uint32_t cp, min;
    if (len == 0)
        return 0;
    if (s[0] < 0x80) {
        if (code_point != NULL)
            *code_point = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0)
        extra = 1, cp = s[0] & 0x1fu, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0)
        extra = 2, cp = s[0] & 0x0fu, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0)
        extra = 3, cp = s[0] & 0x07u, min = 0x10000;
    else
        return 0;
    if (len <= extra)
        return 0;
    for (size_t k = 1; k <= extra; k++) { /* a NUL, like any non-continuation byte, stops here */
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    if (code_point != NULL)
        *code_point = cp;
    return extra + 1;
}

size_t fg_utf8_valid_prefix(const char *text, size_t len)
{
    size_t i = 0, n;
    while (i < len && (n = fg_utf8_sequence(text + i, len - i, NULL)) > 0)
        i += n;
    return i;
}

bool fg_utf8_valid(const char *text, size_t len)
{
    return fg_utf8_valid_prefix(text, len) == len;
}

void fg_format_exact(char *buf, size_t size, double value)
{
    for (int digits = 15; digits <= 17; digits++) {
        fg_snprintf_c(buf, size, "%.*g", digits, value);
        if (fg_strtod(buf, NULL) == value)
            break;
    }
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
    fg_snprintf_c(buf, size, "%.4f", value);
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

bool fg_is_hex64(const char *s)
{
    size_t n = 0;
    for (; s != NULL && s[n] != '\0'; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return s != NULL && n == 64;
}

enum fg_status fg_sha256_hex(const void *data, size_t len, char out[65], struct fg_error *err)
{
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL) != 1 || digest_len != 32) {
        out[0] = '\0';
        return fg_error_set(err, FG_ERR_IO, NULL, 0, 0, "SHA-256 failed (libcrypto)");
    }
    fg_digest_hex(digest, out);
    return FG_OK;
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

/* ---- output files ----
 *
 * A command's outputs are one set, written all or none (fg_outputs_*). Staging prepares
 * everything that can fail before any path changes: a file that replaces a path is written
 * and fsynced under a short temporary name in its folder (".fgXXXXXX", so a 255-byte file
 * name still has room); whatever the path held (a file, or with FG_OUTPUT_FORCE a symbolic
 * link) gets a second name, a hard link (or a copy), to restore on failure; a device or
 * FIFO is only noted (never renamed over); an append target is opened and its size noted.
 * Committing then opens and writes, in this order, the devices and FIFOs (the only steps
 * that cannot be undone; a FIFO waits for its reader), the appends, and the renames in the order
 * the outputs were added, so the caller puts the one that vouches for the others (the attestation)
 * last. A failure at any step rolls back every earlier append and rename: each path is left as it
 * was and nothing new remains. SIGHUP, SIGINT, SIGQUIT and SIGTERM are blocked while the set
 * changes its bookkeeping and during commit, so fg_outputs_abandon, which a signal handler may
 * call, always sees which temporary names exist.
 */

enum output_how {
    HOW_RENAME,   /* a staged file renamed over the path */
    HOW_LINK,     /* a staged file linked to the path, which must not exist (FG_OUTPUT_NEW) */
    HOW_IN_PLACE, /* a device or FIFO, written through the descriptor opened at stage */
    HOW_APPEND,   /* FG_OUTPUT_APPEND */
};

struct output_entry {
    const char *data; /* borrowed until commit (in place and append write it then) */
    size_t len;
    enum output_how how;
    int fd;            /* in place and append: open from stage to commit; else -1 */
    off_t append_from; /* append to a regular file: its size, to cut a failed append back */
    bool truncatable;  /* append_from means something */
    bool attempted;    /* commit wrote or renamed this one (roll it back on failure) */
    /* What fg_outputs_abandon removes; changed only with the signals blocked. */
    volatile sig_atomic_t has_tmp, has_backup, created;
    char path[PATH_MAX];
    char tmp[PATH_MAX];    /* the staged file */
    char backup[PATH_MAX]; /* a second name for what the path held */
};

struct fg_outputs {
    size_t n;
    struct output_entry entries[FG_OUTPUTS_MAX];
};

static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

enum fg_status fg_outputs_new(struct fg_outputs **out, struct fg_error *err)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < FG_OUTPUTS_MAX; i++)
        (*out)->entries[i].fd = -1;
    return FG_OK;
}

/* Async-signal-safe: only unlink, on names written before their flag was set. */
void fg_outputs_abandon(struct fg_outputs *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < FG_OUTPUTS_MAX; i++) {
        struct output_entry *e = &set->entries[i];
        if (e->has_tmp)
            unlink(e->tmp);
        if (e->has_backup)
            unlink(e->backup);
        if (e->created)
            unlink(e->path);
        e->has_tmp = e->has_backup = e->created = 0;
    }
}

void fg_outputs_free(struct fg_outputs *set)
{
    if (set == NULL)
        return;
    sigset_t old;
    block_signals(&old);
    fg_outputs_abandon(set);
    restore_signals(&old);
    for (size_t i = 0; i < FG_OUTPUTS_MAX; i++)
        if (set->entries[i].fd >= 0)
            close(set->entries[i].fd);
    free(set);
}

/* "/dev/stdout", "/dev/stderr", "/dev/fd/N", "/proc/self/fd/N": the descriptor N this
 * process has open (written through, whatever it is: a terminal, a pipe, a redirected
 * file), or -1 for any other path. */
static int standard_stream(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(path, "/dev/stderr") == 0)
        return STDERR_FILENO;
    const char *digits = strncmp(path, "/dev/fd/", 8) == 0          ? path + 8
                         : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14
                                                                    : NULL;
    if (digits == NULL || *digits < '0' || *digits > '9')
        return -1;
    char *end = NULL;
    errno = 0;
    long fd = strtol(digits, &end, 10);
    if (errno != 0 || *end != '\0' || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0)
        return -1;
    return (int)fd;
}

/* A fresh name ".fgXXXXXX" in path's folder, created (fd returned) or, with keep_open
 * false, reserved and removed again for link(2) or symlink(2) to take. */
static int temp_in_folder(const char *path, char out[PATH_MAX], struct fg_error *err)
{
    const char *slash = strrchr(path, '/');
    int n = slash == NULL ? snprintf(out, PATH_MAX, ".fgXXXXXX")
                          : snprintf(out, PATH_MAX, "%.*s/.fgXXXXXX", (int)(slash - path), path);
    if (n < 0 || n >= PATH_MAX) {
        fg_error_set(err, FG_ERR_IO, path, 0, 0, "path is too long");
        return -1;
    }
    int fd = mkstemp(out);
    if (fd < 0) {
        int saved = errno;
        int dir_len = slash == NULL ? 1 : slash == path ? 1 : (int)(slash - path);
        const char *dir = slash == NULL ? "." : slash == path ? "/" : path;
        fg_error_set(err, FG_ERR_IO, path, 0, 0,
                     "cannot create a temporary file in the folder '%.*s': %s%s", dir_len, dir,
                     strerror(saved),
                     saved == ENOENT   ? " (create the folder first, e.g. mkdir -p)"
                     : saved == EACCES ? " (the folder must be writable: outputs are written "
                                         "beside their path, then renamed into place)"
                                       : "");
    }
    return fd;
}

/* Gives what is at e->path (a regular file or a symbolic link) a second name, e->backup:
 * a hard link, or where the file system has none, a copy. */
static enum fg_status keep_backup(struct output_entry *e, const struct stat *was,
                                  struct fg_error *err)
{
    sigset_t old;
    for (int attempt = 0; attempt < 16; attempt++) {
        block_signals(&old);
        int fd = temp_in_folder(e->path, e->backup, err);
        if (fd < 0) {
            restore_signals(&old);
            return FG_ERR_IO;
        }
        close(fd);
        unlink(e->backup);
        int linked = linkat(AT_FDCWD, e->path, AT_FDCWD, e->backup, 0); /* the link itself */
        int saved = errno;
        e->has_backup = linked == 0;
        restore_signals(&old);
        if (linked == 0)
            return FG_OK;
        if (saved != EEXIST)
            break;
    }
    /* No hard links here: copy the link, or the file's bytes and mode. */
    char target[PATH_MAX];
    ssize_t target_len = 0;
    int from = -1;
    if (S_ISLNK(was->st_mode)) {
        target_len = readlink(e->path, target, sizeof target - 1);
        if (target_len < 0 || (size_t)target_len >= sizeof target - 1)
            return fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot keep a copy of the link");
        target[target_len] = '\0';
    } else if ((from = open(e->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        return fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot keep a copy: %s",
                            strerror(errno));
    }
    block_signals(&old);
    int fd = temp_in_folder(e->path, e->backup, err);
    enum fg_status st = fd < 0 ? FG_ERR_IO : FG_OK;
    if (st == FG_OK && from < 0) {
        close(fd);
        fd = -1;
        unlink(e->backup);
        if (symlink(target, e->backup) != 0)
            st = fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot keep a copy of the link: %s",
                              strerror(errno));
    }
    e->has_backup = st == FG_OK;
    restore_signals(&old);
    if (st == FG_OK && from >= 0) {
        char buf[1 << 16];
        ssize_t got;
        while (st == FG_OK && (got = read(from, buf, sizeof buf)) != 0) {
            if (got < 0 && errno == EINTR)
                continue;
            st = got < 0 ? fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "read error: %s",
                                        strerror(errno))
                         : fg_fd_write_all(fd, buf, (size_t)got, e->path, err);
        }
        if (st == FG_OK && fchmod(fd, was->st_mode & 07777) != 0)
            st = fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot keep a copy: %s",
                              strerror(errno));
    }
    if (fd >= 0)
        close(fd);
    if (from >= 0)
        close(from);
    return st;
}

/* Writes the staged file: 0666 less the umask, or exactly mode when it is not 0. */
static enum fg_status stage_file(struct output_entry *e, unsigned mode, struct fg_error *err)
{
    sigset_t old;
    block_signals(&old);
    int fd = temp_in_folder(e->path, e->tmp, err);
    e->has_tmp = fd >= 0;
    restore_signals(&old);
    if (fd < 0)
        return FG_ERR_IO;
    if (mode == 0) { /* mkstemp makes 0600; outputs are not secret */
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    enum fg_status st = FG_OK;
    if (fchmod(fd, (mode_t)mode) != 0)
        st = fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot set mode %03o: %s", mode,
                          strerror(errno));
    if (st == FG_OK)
        st = fg_fd_write_all(fd, e->data, e->len, e->path, err);
    if (close(fd) != 0 && st == FG_OK)
        st = fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "write failed: %s", strerror(errno));
    return st;
}

/* A device or FIFO: opened at commit, after every file is staged (opening a FIFO waits
 * for its reader), without O_CREAT and refused if it has become a regular file meanwhile. */
static enum fg_status open_in_place(struct output_entry *e, struct fg_error *err)
{
    e->fd = open(e->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (e->fd < 0)
        return fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot open: %s", strerror(errno));
    struct stat now;
    if (fstat(e->fd, &now) != 0 || S_ISREG(now.st_mode))
        return fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "changed while it was written");
    return FG_OK;
}

static enum fg_status stage_append(struct output_entry *e, struct fg_error *err)
{
    e->how = HOW_APPEND;
    e->fd = open(e->path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
    if (e->fd < 0 && errno == ENOENT) {
        sigset_t old;
        block_signals(&old);
        e->fd = open(e->path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0666);
        e->created = e->fd >= 0;
        restore_signals(&old);
    }
    if (e->fd < 0)
        return fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot open to append: %s",
                            strerror(errno));
    struct stat info;
    if (fstat(e->fd, &info) != 0)
        return fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot open to append: %s",
                            strerror(errno));
    e->truncatable = S_ISREG(info.st_mode);
    e->append_from = info.st_size;
    return FG_OK;
}

enum fg_status fg_outputs_add(struct fg_outputs *set, const char *path, const char *data,
                              size_t len, unsigned flags, unsigned mode, struct fg_error *err)
{
    if (set->n == FG_OUTPUTS_MAX)
        return fg_error_set(err, FG_ERR_LIMIT, path, 0, 0, "more than %d outputs", FG_OUTPUTS_MAX);
    if (strlen(path) >= PATH_MAX)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "path is too long");
    struct output_entry *e = &set->entries[set->n++];
    memcpy(e->path, path, strlen(path) + 1);
    e->data = data;
    e->len = len;
    if (flags & FG_OUTPUT_APPEND)
        return stage_append(e, err);
    bool regular_only = (flags & (FG_OUTPUT_NEW | FG_OUTPUT_REGULAR)) != 0;
    int stream = regular_only ? -1 : standard_stream(path);
    if (stream >= 0) {
        e->how = HOW_IN_PLACE;
        e->fd = fcntl(stream, F_DUPFD_CLOEXEC, 3);
        return e->fd >= 0
                   ? FG_OK
                   : fg_error_set(err, FG_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    }
    struct stat was, target;
    bool exists = lstat(path, &was) == 0;
    if (!exists && errno != ENOENT)
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    if (exists && (flags & FG_OUTPUT_NEW))
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "exists; use --force to replace it");
    if (exists && S_ISDIR(was.st_mode))
        return fg_error_set(err, FG_ERR_IO, path, 0, 0, "is a directory");
    if (exists && !S_ISREG(was.st_mode) && (flags & FG_OUTPUT_REGULAR))
        return fg_error_set(err, FG_ERR_IO, path, 0, 0,
                            "is not a regular file (a device, FIFO, link or folder); --force "
                            "replaces only a regular file");
    if (exists && S_ISLNK(was.st_mode)) {
        bool resolves = stat(path, &target) == 0;
        if (resolves && S_ISDIR(target.st_mode))
            return fg_error_set(err, FG_ERR_IO, path, 0, 0, "is a symbolic link to a directory");
        if (resolves && !S_ISREG(target.st_mode)) {
            e->how = HOW_IN_PLACE; /* a link to a device or FIFO */
            return FG_OK;
        }
        if (!(flags & FG_OUTPUT_FORCE))
            return fg_error_set(err, FG_ERR_IO, path, 0, 0,
                                "is a symbolic link %s; fairgate does not write through it "
                                "(remove it, or give --force to replace the link with the file)",
                                resolves ? "to a regular file" : "that dangles");
    } else if (exists && !S_ISREG(was.st_mode)) {
        e->how = HOW_IN_PLACE; /* a device or FIFO */
        return FG_OK;
    }
    e->how = (flags & FG_OUTPUT_NEW) ? HOW_LINK : HOW_RENAME;
    enum fg_status st = stage_file(e, mode, err);
    if (st == FG_OK && exists)
        st = keep_backup(e, &was, err);
    return st;
}

static enum fg_status write_fd(int fd, const char *data, size_t len, const char *path,
                               struct fg_error *err)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fg_error_set(err, FG_ERR_IO, path, 0, 0, "write failed: %s",
                                n < 0 ? strerror(errno) : "no progress");
        done += (size_t)n;
    }
    return FG_OK;
}

static enum fg_status commit_one(struct output_entry *e, enum output_how phase,
                                 struct fg_error *err)
{
    if (e->how != phase && !(phase == HOW_RENAME && e->how == HOW_LINK))
        return FG_OK;
    e->attempted = true;
    switch (e->how) {
    case HOW_IN_PLACE: {
        enum fg_status st = e->fd >= 0 ? FG_OK : open_in_place(e, err);
        if (st != FG_OK)
            return st;
        st = write_fd(e->fd, e->data, e->len, e->path, err);
        int closed = close(e->fd);
        e->fd = -1;
        if (closed != 0 && st == FG_OK)
            st = fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "write failed: %s", strerror(errno));
        return st;
    }
    case HOW_APPEND:
        return write_fd(e->fd, e->data, e->len, e->path, err);
    case HOW_RENAME:
        if (rename(e->tmp, e->path) != 0) {
            e->attempted = false;
            return fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot rename into place: %s",
                                strerror(errno));
        }
        e->has_tmp = 0;
        return FG_OK;
    case HOW_LINK:
        if (linkat(AT_FDCWD, e->tmp, AT_FDCWD, e->path, 0) != 0) {
            e->attempted = false;
            if (errno == EEXIST)
                return fg_error_set(err, FG_ERR_IO, e->path, 0, 0,
                                    "exists; use --force to replace it");
            return fg_error_set(err, FG_ERR_IO, e->path, 0, 0, "cannot create: %s",
                                strerror(errno));
        }
        return FG_OK; /* the staged name goes when the set is released */
    }
    return FG_OK;
}

/* Undoes what commit did, last first: a renamed path gets its old file (or link) back or
 * is removed, an append is cut back (a file the append created is removed). */
static void roll_back(struct fg_outputs *set, struct fg_error *err)
{
    for (size_t k = set->n; k-- > 0;) {
        struct output_entry *e = &set->entries[k];
        if (!e->attempted)
            continue;
        if (e->how == HOW_APPEND && e->truncatable && !e->created &&
            ftruncate(e->fd, e->append_from) != 0) { /* say so, after the first error */
            size_t used = strlen(err->message);
            snprintf(err->message + used, sizeof err->message - used,
                     "; %s could not be cut back to its old length: %s", e->path, strerror(errno));
        }
        if (e->how != HOW_RENAME && e->how != HOW_LINK)
            continue;
        if (!e->has_backup) {
            unlink(e->path);
        } else if (rename(e->backup, e->path) == 0) {
            e->has_backup = 0;
        } else { /* keep the old file under its second name, and say where */
            size_t used = strlen(err->message);
            snprintf(err->message + used, sizeof err->message - used,
                     "; %s could not be restored: its previous content is in %s", e->path,
                     e->backup);
            e->has_backup = 0;
        }
    }
}

enum fg_status fg_outputs_commit(struct fg_outputs *set, struct fg_error *err)
{
    /* Devices and FIFOs first, with the signals open: a reader that stops reading must
     * not make the command deaf to ^C, and nothing has been moved yet. */
    enum fg_status st = FG_OK;
    for (size_t i = 0; i < set->n && st == FG_OK; i++)
        st = commit_one(&set->entries[i], HOW_IN_PLACE, err);
    sigset_t old;
    block_signals(&old);
    for (size_t i = 0; i < set->n && st == FG_OK; i++)
        st = commit_one(&set->entries[i], HOW_APPEND, err);
    for (size_t i = 0; i < set->n && st == FG_OK; i++)
        st = commit_one(&set->entries[i], HOW_RENAME, err);
    if (st != FG_OK) {
        struct fg_error scratch = {0};
        roll_back(set, err != NULL ? err : &scratch);
    } else {
        for (size_t i = 0; i < set->n; i++)
            set->entries[i].created = 0; /* it stays */
    }
    fg_outputs_abandon(set); /* the staged names and the backups */
    for (size_t i = 0; i < set->n; i++) {
        if (set->entries[i].fd >= 0)
            close(set->entries[i].fd);
        set->entries[i].fd = -1;
    }
    set->n = 0;
    restore_signals(&old);
    return st;
}

/* Whether two output paths name the same file: the same text, the same existing regular
 * file, or, when neither exists yet, the same name in the same folder. A standard stream
 * or a device is not a file: writing to it twice is asked for. */
static bool same_output(const char *a, const char *b)
{
    if (standard_stream(a) >= 0 || standard_stream(b) >= 0)
        return false;
    struct stat sa, sb;
    bool has_a = stat(a, &sa) == 0, has_b = stat(b, &sb) == 0;
    if (has_a || has_b)
        return has_a && has_b && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
               S_ISREG(sa.st_mode);
    if (strcmp(a, b) == 0)
        return true;
    const char *slash_a = strrchr(a, '/'), *slash_b = strrchr(b, '/');
    const char *base_a = slash_a ? slash_a + 1 : a, *base_b = slash_b ? slash_b + 1 : b;
    if (strcmp(base_a, base_b) != 0 || (size_t)(base_a - a) >= PATH_MAX ||
        (size_t)(base_b - b) >= PATH_MAX)
        return false;
    char dir_a[PATH_MAX], dir_b[PATH_MAX];
    snprintf(dir_a, sizeof dir_a, "%.*s", (int)(base_a - a), base_a == a ? "./" : a);
    snprintf(dir_b, sizeof dir_b, "%.*s", (int)(base_b - b), base_b == b ? "./" : b);
    return stat(base_a == a ? "." : dir_a, &sa) == 0 && stat(base_b == b ? "." : dir_b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Two outputs of one command that name the same file would leave only the last one there
 * (the audit replaced by the Markdown, say): refused before anything is written. */
static enum fg_status distinct_outputs(const struct fg_output *outputs, size_t n,
                                       struct fg_error *err)
{
    for (size_t j = 1; j < n; j++)
        for (size_t i = 0; i < j && outputs[j].path != NULL; i++)
            if (outputs[i].path != NULL && same_output(outputs[i].path, outputs[j].path))
                return fg_error_set(err, FG_ERR_USAGE, outputs[j].path, 0, 0,
                                    "is the file another output (%s) is written to; give each "
                                    "output its own file",
                                    outputs[i].path);
    return FG_OK;
}

enum fg_status fg_outputs_write(const struct fg_output *outputs, size_t n,
                                void (*publish)(struct fg_outputs *set), struct fg_error *err)
{
    struct fg_outputs *set = NULL;
    enum fg_status st = distinct_outputs(outputs, n, err);
    if (st != FG_OK)
        return st;
    st = fg_outputs_new(&set, err);
    if (st != FG_OK)
        return st;
    if (publish != NULL)
        publish(set);
    for (size_t i = 0; i < n && st == FG_OK; i++) {
        if (outputs[i].path == NULL)
            continue;
        st = fg_outputs_add(set, outputs[i].path, outputs[i].data, outputs[i].len, outputs[i].flags,
                            0, err);
        if (st != FG_OK && outputs[i].label != NULL && err != NULL) {
            size_t used = strlen(err->message); /* say what names the path */
            snprintf(err->message + used, sizeof err->message - used, " (%s)", outputs[i].label);
        }
    }
    if (st == FG_OK)
        st = fg_outputs_commit(set, err);
    fg_outputs_abandon(set);
    if (publish != NULL)
        publish(NULL);
    fg_outputs_free(set);
    return st;
}

enum fg_status fg_file_write_atomic(const char *path, const char *data, size_t len,
                                    struct fg_error *err)
{
    struct fg_outputs *set = NULL;
    enum fg_status st = fg_outputs_new(&set, err);
    if (st == FG_OK)
        st = fg_outputs_add(set, path, data, len, 0, 0, err);
    if (st == FG_OK)
        st = fg_outputs_commit(set, err);
    fg_outputs_free(set);
    return st;
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
    /* "-": the bytes of standard input, as check hashes them (lib/instream.c) */
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = fg_instream_name(path);
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL)
        return fg_error_set(err, FG_ERR_IO, name, 0, 0, "cannot open: %s", strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        if (!is_stdin)
            fclose(f);
        return fg_error_set(err, FG_ERR_NOMEM, name, 0, 0, "cannot start SHA-256");
    }
    unsigned char buf[1 << 16];
    size_t got;
    int ok = 1;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        ok &= EVP_DigestUpdate(ctx, buf, got) == 1;
    int failed = ferror(f);
    if (!is_stdin)
        fclose(f);
    unsigned char digest[32];
    unsigned int len = 0;
    ok &= EVP_DigestFinal_ex(ctx, digest, &len) == 1 && len == 32;
    EVP_MD_CTX_free(ctx);
    if (failed || !ok)
        return fg_error_set(err, FG_ERR_IO, name, 0, 0, "read error");
    fg_digest_hex(digest, out);
    return FG_OK;
}

/* ---- values written otherwise (ingest reads them on the rows, counts_io in an engine's
 * export) ---- */

/* Whether text (len bytes, no NUL needed) is a finite decimal number: *value receives it. */
bool fg_decimal_number(const char *text, size_t len, double *value)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf || memchr(text, 'x', len) || memchr(text, 'X', len))
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (!isdigit((unsigned char)buf[0]) && !strchr("+-.", buf[0]))
        return false;
    char *end = NULL;
    errno = 0;
    *value = fg_strtod(buf, &end);
    return end == buf + len && errno == 0 && isfinite(*value);
}

/* Whether text is a decimal number written with one decimal comma ("0,25", as a European
 * locale's export writes it): *value receives it. */
bool fg_comma_decimal(const char *text, size_t len, double *value)
{
    char buf[64];
    const char *comma = memchr(text, ',', len);
    if (comma == NULL || len >= sizeof buf)
        return false;
    memcpy(buf, text, len);
    buf[comma - text] = '.';
    return memchr(buf, ',', len) == NULL && fg_decimal_number(buf, len, value);
}

/* How value, which is not the positive value, is yet that value written another way: ""
 * when it is not, else what differs. Counted as the other value, such a value ('1.0' for
 * '1', 'True' for 'true', ' >50K' for '>50K') would silently make positive rows negative. */
const char *fg_written_otherwise(const char *positive, size_t positive_len, const char *value,
                                 size_t len)
{
    if (len == positive_len && strncasecmp(value, positive, len) == 0)
        return "letter case";
    size_t lead = 0, tail = len;
    while (lead < len && (value[lead] == ' ' || value[lead] == '\t'))
        lead++;
    while (tail > lead && (value[tail - 1] == ' ' || value[tail - 1] == '\t'))
        tail--;
    if (tail - lead < len && tail - lead == positive_len &&
        memcmp(value + lead, positive, positive_len) == 0)
        return "the spaces around it";
    double a, b;
    if ((fg_decimal_number(value, len, &a) || fg_comma_decimal(value, len, &a)) &&
        fg_decimal_number(positive, positive_len, &b) && a == b)
        return "how the number is written";
    return "";
}

bool fg_looks_missing(const char *value, size_t len)
{
    static const char *const tokens[] = {"na",  "n/a",  "#n/a", "<na>", "nan", "-nan",
                                         "nat", "null", "none", "nil",  "?"};
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
        if (strlen(tokens[i]) == len && strncasecmp(value, tokens[i], len) == 0)
            return true;
    return false;
}
