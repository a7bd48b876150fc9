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

void fg_buf_add(struct fg_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->nomem = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        fg_buf_append(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL) {
        b->nomem = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    fg_buf_append(b, big, (size_t)n);
    free(big);
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
