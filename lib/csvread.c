/*
 * csvread.c - what the two libcsv readers (lib/ingest.c for predictions, lib/counts_io.c for
 * counts files) share: the parser set up as fairgate reads CSV, and feeding it piece by piece
 * so that every record knows the line it starts on.
 *
 * Lines are counted as lib/fastcsv.c counts them: a line ends at '\n' only; a lone '\r' ends a
 * record but not a line. A record's line is the line of its first byte, whichever byte ends
 * the record before it, and however the input is cut into blocks.
 */
#include "csvread.h"
#include "fairgate.h"

#include <csv.h>
#include <stdlib.h>

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

/* A piece ends past the first '\r' or '\n' and the run of them it opens: libcsv can end a
 * record only at that first byte, and every record starts at the first byte of a piece. */
static bool terminator(char byte)
{
    return byte == '\n' || byte == '\r';
}

bool fg_csv_feed_lines(struct fg_csv_lines *l, struct csv_parser *parser, const char *bytes,
                       size_t len, void (*on_field)(void *, size_t, void *),
                       void (*on_record)(int, void *), void *data, const enum fg_status *status)
{
    const char *end = bytes + len;
    while (bytes < end) {
        const char *stop = bytes;
        while (stop < end && !terminator(*stop))
            stop++;
        /* a record starts here unless a record is open or the piece is blank */
        if (stop > bytes && !l->in_record && l->pending_line == 0)
            l->pending_line = l->line;
        unsigned long newlines = 0;
        for (; stop < end && terminator(*stop); stop++)
            newlines += *stop == '\n';
        size_t n = (size_t)(stop - bytes);
        size_t done = csv_parse(parser, bytes, n, on_field, on_record, data);
        if (*status != FG_OK || done != n)
            return false;
        l->line += newlines;
        bytes = stop;
    }
    return true;
}
