/*
 * fastcsv.c - the quote-free CSV tokenizer of fastcsv.h: ingest's hot loop.
 *
 * Invariants:
 * - It returns a record only when every byte of it is understood the way libcsv
 *   (CSV_STRICT | CSV_STRICT_FINI, no space trimming) understands it; any '"' or any field
 *   longer than max_field makes it stop at the start of that record instead.
 * - A blank run ('\r' and '\n' bytes between records) is skipped and its '\n' counted, so
 *   that the caller knows the physical line each record starts on.
 * - It never reads past len and never writes but *out and fields[0..cap).
 */
#include "fastcsv.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

void fg_fastcsv_init(struct fg_fastcsv *csv, unsigned char delimiter, size_t max_field)
{
    memset(csv, 0, sizeof *csv);
    csv->delimiter = delimiter;
    csv->max_field = max_field;
    csv->special[delimiter] = 1;
    csv->special['\r'] = 1;
    csv->special['\n'] = 1;
    csv->special['"'] = 1;
    csv->window = delimiter != '"' && delimiter != '\r' && delimiter != '\n' &&
                  max_field >= FG_FASTCSV_WINDOW;
}

/* The offset of the first special byte in p[pos..len), or len. */
static inline size_t scan(const unsigned char *special, const unsigned char *p, size_t pos,
                          size_t len)
{
    while (len - pos >= 4) {
        if (special[p[pos]])
            return pos;
        if (special[p[pos + 1]])
            return pos + 1;
        if (special[p[pos + 2]])
            return pos + 2;
        if (special[p[pos + 3]])
            return pos + 3;
        pos += 4;
    }
    while (pos < len && !special[p[pos]])
        pos++;
    return pos;
}

#if defined(__SSE2__) && defined(__GNUC__)
/* The record at pos when it ends within the FG_FASTCSV_WINDOW bytes from pos (the caller has them,
 * and room for FG_FASTCSV_WINDOW fields) with no '"' before its end: true, and *out and its spans
 * are set. One mask of delimiters and one of the bytes that end or stop a record ('\r', '\n', '"')
 * for the whole record, and one step per field: no field can be longer than max_field
 * (csv->window needs max_field >= FG_FASTCSV_WINDOW), none past cap. false: nothing is set, and the
 * 16-byte loop of fg_fastcsv_next reads the record, which it would read the same way. */
static bool window_record(const struct fg_fastcsv *csv, const char *buf, size_t pos,
                          struct fg_csv_span *fields, struct fg_fastcsv_record *out)
{
    const unsigned char *p = (const unsigned char *)buf + pos;
    const __m128i delimiter = _mm_set1_epi8((char)csv->delimiter);
    const __m128i quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    uint64_t stops = 0, delimiters = 0;
    for (unsigned i = 0; i < FG_FASTCSV_WINDOW / 16; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                    _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        stops |= (uint64_t)(unsigned)_mm_movemask_epi8(stop) << (16 * i);
        delimiters |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, delimiter))
                      << (16 * i);
    }
    if (stops == 0)
        return false; /* longer than the window */
    unsigned end = (unsigned)__builtin_ctzll(stops);
    if (p[end] == '"')
        return false;
    delimiters &= (1ULL << end) - 1;
    size_t n = 0, field_start = 0;
    while (delimiters != 0) {
        size_t at = (size_t)__builtin_ctzll(delimiters);
        delimiters &= delimiters - 1;
        fields[n].bytes = buf + pos + field_start;
        fields[n].len = at - field_start;
        n++;
        field_start = at + 1;
    }
    fields[n].bytes = buf + pos + field_start;
    fields[n].len = end - field_start;
    out->n_fields = n + 1;
    out->newline_ended = p[end] == '\n';
    out->next = pos + end + 1;
    return true;
}
#endif

enum fg_fastcsv_result fg_fastcsv_next(const struct fg_fastcsv *csv, const char *buf, size_t len,
                                       size_t pos, bool final, struct fg_csv_span *fields,
                                       size_t cap, struct fg_fastcsv_record *out)
{
    const unsigned char *p = (const unsigned char *)buf;
    size_t newlines = 0;
    while (pos < len && (p[pos] == '\n' || p[pos] == '\r')) {
        newlines += p[pos] == '\n';
        pos++;
    }
    out->start = pos;
    out->newlines_before = newlines;
    if (pos == len)
        return final ? FG_FASTCSV_END : FG_FASTCSV_NEED_MORE;
    size_t n = 0, field_start = pos;
#if defined(__SSE2__) && defined(__GNUC__)
    if (csv->window && len - pos >= FG_FASTCSV_WINDOW && cap >= FG_FASTCSV_WINDOW &&
        window_record(csv, buf, pos, fields, out))
        return FG_FASTCSV_RECORD;
    /* 16 bytes at a time: a bit for each special byte, then one step per bit */
    const __m128i delimiter = _mm_set1_epi8((char)csv->delimiter);
    const __m128i quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    while (len - pos >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + pos));
        __m128i hits =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, delimiter), _mm_cmpeq_epi8(v, quote)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        unsigned mask = (unsigned)_mm_movemask_epi8(hits);
        while (mask != 0) {
            size_t at = pos + (size_t)__builtin_ctz(mask);
            mask &= mask - 1;
            if (p[at] == '"')
                return FG_FASTCSV_QUOTE;
            if (at - field_start > csv->max_field)
                return FG_FASTCSV_LONG;
            if (n < cap) {
                fields[n].bytes = buf + field_start;
                fields[n].len = at - field_start;
            }
            n++;
            if (p[at] != csv->delimiter) {
                out->n_fields = n;
                out->newline_ended = p[at] == '\n';
                out->next = at + 1;
                return FG_FASTCSV_RECORD;
            }
            field_start = at + 1;
        }
        pos += 16;
    }
#endif
    for (;;) {
        pos = scan(csv->special, p, pos, len);
        if (pos - field_start > csv->max_field)
            return FG_FASTCSV_LONG;
        if (pos == len && !final)
            return FG_FASTCSV_NEED_MORE;
        if (pos < len && p[pos] == '"')
            return FG_FASTCSV_QUOTE;
        if (n < cap) {
            fields[n].bytes = buf + field_start;
            fields[n].len = pos - field_start;
        }
        n++;
        if (pos < len && p[pos] == csv->delimiter) {
            field_start = ++pos;
            continue;
        }
        /* '\r', '\n' or the end of the input */
        out->n_fields = n;
        out->newline_ended = pos < len && p[pos] == '\n';
        out->next = pos < len ? pos + 1 : len;
        return FG_FASTCSV_RECORD;
    }
}
