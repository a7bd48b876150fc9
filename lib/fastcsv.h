/*
 * fastcsv.h - a tokenizer for CSV without quotes, over bytes in memory (lib/fastcsv.c).
 *
 * It splits records exactly as libcsv does (CSV_STRICT, no space trimming) as long as no
 * '"' appears: a record ends at '\r', '\n' or the end of the input; runs of '\r' and '\n'
 * between records are blank and skipped; fields are split on the delimiter, every byte
 * else (NUL included) is part of a field. It gives up on a record that holds a '"' or a
 * field longer than max_field, so that the caller can hand that record, and everything
 * after it, to libcsv (lib/ingest.c does; tests/unit/check_fastcsv.c and
 * tests/fuzz/fuzz_csv.c check the two agree).
 *
 * Ownership: spans point into the caller's buffer; nothing is allocated.
 */
#ifndef FAIRGATE_FASTCSV_H
#define FAIRGATE_FASTCSV_H

#include <stdbool.h>
#include <stddef.h>

/* A record that ends within this many bytes of its start is read in one step when the caller
 * gives room for as many fields (lib/fastcsv.c, window_record); any other takes more. */
#define FG_FASTCSV_WINDOW 64

struct fg_fastcsv {
    unsigned char delimiter;
    size_t max_field;
    unsigned char special[256]; /* 1 for the delimiter, '\r', '\n' and '"' */
    bool window; /* records may be read FG_FASTCSV_WINDOW bytes at a time (lib/fastcsv.c) */
};

/* One field: len bytes at bytes (not NUL-terminated). */
struct fg_csv_span {
    const char *bytes;
    size_t len;
};

enum fg_fastcsv_result {
    FG_FASTCSV_RECORD,    /* a record: *out and the first min(n_fields, cap) spans are set */
    FG_FASTCSV_END,       /* final, and nothing but blank bytes is left */
    FG_FASTCSV_NEED_MORE, /* not final, and the record at out->start does not end here */
    FG_FASTCSV_QUOTE,     /* the record at out->start holds a '"' */
    FG_FASTCSV_LONG       /* the record at out->start holds a field longer than max_field */
};

struct fg_fastcsv_record {
    size_t start;           /* offset of the record's first byte (past the blank bytes) */
    size_t newlines_before; /* '\n' bytes skipped between pos and start */
    size_t next;            /* offset just past the record and its terminator (RECORD) */
    size_t n_fields;        /* every field of the record, even past cap (RECORD) */
    bool newline_ended;     /* the terminator was '\n' (RECORD) */
};

void fg_fastcsv_init(struct fg_fastcsv *csv, unsigned char delimiter, size_t max_field);

/* The next record of buf[pos..len); final: len is the end of the input. For every result
 * out->start and out->newlines_before are set. */
enum fg_fastcsv_result fg_fastcsv_next(const struct fg_fastcsv *csv, const char *buf, size_t len,
                                       size_t pos, bool final, struct fg_csv_span *fields,
                                       size_t cap, struct fg_fastcsv_record *out);

#endif /* FAIRGATE_FASTCSV_H */
