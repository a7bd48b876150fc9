/*
 * csvread.h - libcsv, line by line (lib/csvread.c): what lib/ingest.c and lib/counts_io.c
 * share to read CSV strictly and know the line of every record, for messages.
 *
 * Ownership: the caller owns the csv_parser (csv_free) and the struct fg_csv_lines.
 */
#ifndef FAIRGATE_CSVREAD_H
#define FAIRGATE_CSVREAD_H

#include "fairgate.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- limits ---- */

#define FG_MAX_FIELD   (1u << 20) /* bytes in one CSV field */
#define FG_MAX_COLUMNS 100000     /* columns in one CSV header */

struct csv_parser;

/* Where a libcsv reader is, for messages. */
struct fg_csv_lines {
    unsigned long line;         /* the line being fed, 1-based; '\n' ends a line */
    unsigned long pending_line; /* first line of a record no callback has seen yet, or 0 */
    unsigned long record_line;  /* first line of the current record */
    bool in_record;
};

/* csv_init as fairgate reads CSV: strict, the delimiter, no trimming, a field buffer growing
 * by step bytes and capped just past FG_MAX_FIELD. False when out of memory. */
bool fg_csv_init(struct csv_parser *parser, unsigned char delimiter, size_t step);
/* True when libcsv's CSV_ENOMEM came from the cap: a field longer than FG_MAX_FIELD. */
bool fg_csv_field_too_long(struct csv_parser *parser, size_t step);
/* A record's first field begins: its line is the first line fed since the last record. */
void fg_csv_lines_begin_record(struct fg_csv_lines *lines);
/* The first line of the record libcsv is in, even before its first field is complete. */
unsigned long fg_csv_lines_open_record(const struct fg_csv_lines *lines);
/* Feeds bytes to libcsv in pieces that end past a run of '\r' and '\n', so that every record
 * knows the line of its first byte (lines end at '\n' only; bytes may be cut anywhere). True when every byte was parsed; false when a callback set *status or libcsv stopped
 * (then csv_error says why). */
bool fg_csv_feed_lines(struct fg_csv_lines *lines, struct csv_parser *parser, const char *bytes,
                       size_t len, void (*on_field)(void *, size_t, void *),
                       void (*on_record)(int, void *), void *data, const enum fg_status *status);

#endif /* FAIRGATE_CSVREAD_H */
