/*
 * buf.h - the one growable text buffer of the library, with a size cap chosen per use:
 * every rendered report, the SQL, the counts CSV and verify's report are built in one.
 *
 * Ownership: the data is the buffer's until fg_buf_finish hands it to the caller (or
 * frees it); a buffer that is abandoned instead is released with free(b.data).
 */
#ifndef FAIRGATE_BUF_H
#define FAIRGATE_BUF_H

#include "fairgate.h"

#include <stdbool.h>
#include <stddef.h>

/* The caps, in bytes, one per use. */
#define FG_BUF_CAP_REPORT     ((size_t)256 << 20) /* Markdown, JUnit, annotations, summary */
#define FG_BUF_CAP_HTML       ((size_t)64 << 20)  /* the HTML page */
#define FG_BUF_CAP_SQL        ((size_t)256 << 20) /* the SQL of `fairgate sql` */
#define FG_BUF_CAP_COUNTS_CSV ((size_t)256 << 20) /* the counts CSV */
#define FG_BUF_CAP_VERIFY     ((size_t)256 << 20) /* the report `fairgate verify` prints */
#define FG_BUF_CAP_POLICY     ((size_t)256 << 20) /* a policy's canonical serialisation */

/* Text that grows on demand; on allocation failure or past its cap it stops growing and
 * remembers why, and fg_buf_finish turns that into FG_ERR_NOMEM or FG_ERR_LIMIT. */
struct fg_buf {
    char *data;
    size_t len, alloc, cap;
    const char *what; /* names the text in errors: "the SQL" */
    bool nomem, toobig;
};

/* An empty buffer that holds at most cap bytes; what is a string literal. */
struct fg_buf fg_buf_new(size_t cap, const char *what);
void fg_buf_append(struct fg_buf *b, const char *s, size_t n);
void fg_buf_puts(struct fg_buf *b, const char *s);
void fg_buf_add(struct fg_buf *b, const char *fmt, ...) FG_PRINTF(2, 3);
/* As fg_buf_add, with every control byte of the result escaped (\n, \r, \t, \xNN), so that
 * a name or value from the inputs never starts a line of its own (a GitHub workflow
 * command, say): the text gains a line break only where the caller appends one. */
void fg_buf_add_escaped(struct fg_buf *b, const char *fmt, ...) FG_PRINTF(2, 3);
/* Drops the text past len (a no-op when len >= b->len): a renderer that keeps output under
 * a budget takes back the piece that did not fit. */
void fg_buf_truncate(struct fg_buf *b, size_t len);
/* Hands the text, NUL-terminated, to the caller (*out), or frees it and reports why it
 * could not be built. */
FG_MUST_CHECK enum fg_status fg_buf_finish(struct fg_buf *b, char **out, struct fg_error *err);

#endif
