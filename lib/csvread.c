/*
 * csvread.c - what the two libcsv readers (lib/ingest.c for predictions, lib/counts_io.c for
 * counts files) share: the parser set up as fairgate reads CSV, and feeding it one physical
 * line at a time so that every record knows the line it starts on.
 */
#include "csvread.h"
#include "fairgate.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

/* libcsv's field buffer: a field, its closing quote, the NUL, and libcsv's look-ahead. */
#define FIELD_BUFFER_CAP ((size_t)FG_MAX_FIELD + 16)

/* libcsv's buffer growth, capped so that one runaway field cannot take all memory. */
static void *capped_realloc(void *ptr, size_t size)
{
    return size > FIELD_BUFFER_CAP ? NULL : realloc(ptr, size);
}

/* libcsv trims spaces and tabs by default; values are compared byte for byte instead. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

bool fg_csv_init(struct csv_parser *parser, unsigned char delimiter, size_t step)
{
    if (csv_init(parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return false;
    csv_set_delim(parser, delimiter);
    csv_set_space_func(parser, no_space);
    csv_set_realloc_func(parser, capped_realloc);
    csv_set_blk_size(parser, step);
    return true;
}

bool fg_csv_field_too_long(struct csv_parser *parser, size_t step)
{
    return csv_get_buffer_size(parser) + step > FIELD_BUFFER_CAP;
}

void fg_csv_lines_begin_record(struct fg_csv_lines *l)
{
    l->in_record = true;
    l->record_line = l->pending_line ? l->pending_line : l->line;
    l->pending_line = 0;
}

unsigned long fg_csv_lines_open_record(const struct fg_csv_lines *l)
{
    if (l->in_record)
        return l->record_line;
    return l->pending_line ? l->pending_line : l->line;
}

static bool blank(const char *bytes, const char *end)
{
    for (; bytes < end; bytes++)
        if (*bytes != '\n' && *bytes != '\r')
            return false;
    return true;
}

bool fg_csv_feed_lines(struct fg_csv_lines *l, struct csv_parser *parser, const char *bytes,
                       size_t len, void (*on_field)(void *, size_t, void *),
                       void (*on_record)(int, void *), void *data, const enum fg_status *status)
{
    const char *end = bytes + len;
    while (bytes < end) {
        const char *newline = memchr(bytes, '\n', (size_t)(end - bytes));
        const char *stop = newline ? newline + 1 : end;
        if (!l->in_record && l->pending_line == 0 && !blank(bytes, stop))
            l->pending_line = l->line;
        size_t n = (size_t)(stop - bytes);
        size_t done = csv_parse(parser, bytes, n, on_field, on_record, data);
        if (*status != FG_OK || done != n)
            return false;
        if (newline)
            l->line++;
        bytes = stop;
    }
    return true;
}
