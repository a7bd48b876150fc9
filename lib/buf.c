/*
 * buf.c - the growable text buffer with a per-use cap (buf.h).
 *
 * Invariants:
 *  - data is NUL-terminated whenever it is not NULL; len never passes cap.
 *  - Once nomem or toobig is set nothing more is appended: the text is whole or an error.
 */
#include "buf.h"
#include "fairgate.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fg_buf fg_buf_new(size_t cap, const char *what)
{
    return (struct fg_buf){.cap = cap, .what = what};
}

void fg_buf_append(struct fg_buf *b, const char *s, size_t n)
{
    if (b->nomem || b->toobig)
        return;
    if (n > b->cap - b->len) {
        b->toobig = true;
        return;
    }
    if (b->len + n + 1 > b->alloc) {
        size_t alloc = b->alloc ? b->alloc : 4096;
        while (alloc < b->len + n + 1)
            alloc *= 2;
        char *grown = realloc(b->data, alloc);
        if (grown == NULL) {
            b->nomem = true;
            return;
        }
        b->data = grown;
        b->alloc = alloc;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void fg_buf_puts(struct fg_buf *b, const char *s)
{
    fg_buf_append(b, s, strlen(s));
}

void fg_buf_truncate(struct fg_buf *b, size_t len)
{
    if (b->data == NULL || len >= b->len)
        return;
    b->len = len;
    b->data[len] = '\0';
}

/* Appends s[0..n) with every control byte escaped: \n, \r, \t, else \xNN. */
static void append_escaped(struct fg_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7f)
            continue;
        fg_buf_append(b, s + run, i - run);
        char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
        if (c == '\n' || c == '\r' || c == '\t') {
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            fg_buf_append(b, esc, 2);
        } else {
            fg_buf_append(b, esc, 4);
        }
        run = i + 1;
    }
    fg_buf_append(b, s + run, n - run);
}

/* Formats, then appends as it is or escaped; ap is consumed, again is its copy. */
static void format(struct fg_buf *b, bool escaped, const char *fmt, va_list ap, va_list again)
    FG_PRINTF(3, 0);

static void format(struct fg_buf *b, bool escaped, const char *fmt, va_list ap, va_list again)
{
    char small[512], *big = NULL;
    int n = fg_vsnprintf_c(small, sizeof small, fmt, ap); /* numbers as C writes them */
    if (n >= 0 && (size_t)n >= sizeof small && (big = malloc((size_t)n + 1)) != NULL)
        fg_vsnprintf_c(big, (size_t)n + 1, fmt, again);
    if (n < 0 || ((size_t)n >= sizeof small && big == NULL)) {
        b->nomem = true;
        return;
    }
    const char *text = big != NULL ? big : small;
    if (escaped)
        append_escaped(b, text, (size_t)n);
    else
        fg_buf_append(b, text, (size_t)n);
    free(big);
}

void fg_buf_add(struct fg_buf *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    format(b, false, fmt, ap, again);
    va_end(again);
    va_end(ap);
}

void fg_buf_add_escaped(struct fg_buf *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    format(b, true, fmt, ap, again);
    va_end(again);
    va_end(ap);
}

enum fg_status fg_buf_finish(struct fg_buf *b, char **out, struct fg_error *err)
{
    if (b->data == NULL)
        fg_buf_append(b, "", 0);
    if (b->nomem || b->toobig) {
        free(b->data);
        b->data = NULL;
        const char *what = b->what != NULL ? b->what : "the text";
        return b->nomem
                   ? fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory building %s", what)
                   : fg_error_set(err, FG_ERR_LIMIT, NULL, 0, 0,
                                  "%s would pass the limit of %zu bytes", what, b->cap);
    }
    *out = b->data;
    b->data = NULL;
    return FG_OK;
}
