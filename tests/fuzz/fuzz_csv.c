/*
 * fuzz_csv.c - differential fuzz target: lib/fastcsv.c against libcsv, the reference.
 *
 * The first input byte picks the delimiter and a split point; the rest is CSV. libcsv
 * (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL, no space trimming, as lib/ingest.c sets
 * it) reads the whole input into a list of records, fed through lib/csvread.c in two pieces
 * cut elsewhere, which gives each record its line; the fast tokenizer reads it in two
 * pieces (NEED_MORE and a carry, as ingest does). Every record the fast tokenizer returns
 * must equal libcsv's record at the same index and start on the same line (lines counted
 * by '\n'); where it gives up (QUOTE, LONG) the record must hold a '"' or a field over
 * max_field and start on the line libcsv gives it (or the open record's, when libcsv
 * failed in it); past the end it must agree on the count.
 *
 *   make fuzz                   libFuzzer + ASan (clang), runs build-fuzz/fuzz_csv
 *   fuzz_csv DIR|FILE...        replays a corpus without libFuzzer (make check does; fuzz.h)
 */
#include "fuzz.h"

#include "csvread.h"
#include "fastcsv.h"

#include <csv.h>

/* Each input is read twice: with a small max_field, so that LONG is reached, and with one
 * that lets short records be read in one window (lib/fastcsv.c, window_record). */
#define MAX_FIELD 24
#define WIDE_FIELD 4096

struct ref_field {
    size_t offset, len; /* into ref.bytes */
};

struct ref {
    char *bytes;
    size_t len, cap;
    struct ref_field *fields;
    size_t n_fields, fields_cap;
    size_t *record_ends;         /* fields index past each record's last field */
    unsigned long *record_lines; /* the line each record starts on (lib/csvread.c) */
    size_t n_records, records_cap, lines_cap;
    struct fg_csv_lines lines;
    unsigned long open_line; /* when failed: the line of the record libcsv failed in */
    int failed;
};

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t cap2 = *cap ? *cap * 2 : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(p, cap2 * size);
    if (q == NULL)
        abort();
    *cap = cap2;
    return q;
}

static void ref_field_cb(void *field, size_t len, void *data)
{
    struct ref *ref = data;
    if (!ref->lines.in_record)
        fg_csv_lines_begin_record(&ref->lines);
    ref->bytes = grow(ref->bytes, &ref->cap, ref->len + len + 1, 1);
    if (len > 0)
        memcpy(ref->bytes + ref->len, field, len);
    ref->fields = grow(ref->fields, &ref->fields_cap, ref->n_fields + 1, sizeof *ref->fields);
    ref->fields[ref->n_fields].offset = ref->len;
    ref->fields[ref->n_fields].len = len;
    ref->n_fields++;
    ref->len += len;
}

static void ref_record_cb(int terminator, void *data)
{
    (void)terminator;
    struct ref *ref = data;
    ref->record_ends =
        grow(ref->record_ends, &ref->records_cap, ref->n_records + 1, sizeof *ref->record_ends);
    ref->record_lines =
        grow(ref->record_lines, &ref->lines_cap, ref->n_records + 1, sizeof *ref->record_lines);
    ref->record_lines[ref->n_records] = ref->lines.record_line;
    ref->lines.in_record = false;
    ref->record_ends[ref->n_records++] = ref->n_fields;
}

/* libcsv over the whole input, in two pieces cut at cut, as lib/ingest.c feeds it;
 * ref->failed when it reports an error (quotes only). */
static void ref_parse(struct ref *ref, const char *text, size_t len, unsigned char delimiter,
                      size_t cut)
{
    struct csv_parser parser;
    memset(ref, 0, sizeof *ref);
    ref->lines.line = 1;
    if (!fg_csv_init(&parser, delimiter, 128))
        abort();
    enum fg_status status = FG_OK;
    if (!fg_csv_feed_lines(&ref->lines, &parser, text, cut, ref_field_cb, ref_record_cb, ref,
                           &status) ||
        !fg_csv_feed_lines(&ref->lines, &parser, text + cut, len - cut, ref_field_cb, ref_record_cb,
                           ref, &status) ||
        csv_fini(&parser, ref_field_cb, ref_record_cb, ref) != 0) {
        ref->failed = 1;
        ref->open_line = fg_csv_lines_open_record(&ref->lines);
    }
    csv_free(&parser);
}

static void ref_free(struct ref *ref)
{
    free(ref->bytes);
    free(ref->fields);
    free(ref->record_ends);
    free(ref->record_lines);
}

#define CHECK(cond) FUZZ_CHECK(cond)

/* Runs the fast tokenizer over text (split at split) and checks it against libcsv. */
static void differential(const char *text, size_t len, unsigned char delimiter, size_t split,
                         size_t max_field)
{
    struct ref ref;
    ref_parse(&ref, text, len, delimiter, len - (split < len ? split : len));
    struct fg_fastcsv csv;
    fg_fastcsv_init(&csv, delimiter, max_field);
    struct fg_csv_span spans[64];
    char *buf = malloc(len + 1);
    CHECK(buf != NULL);
    /* ingest's loop: the first piece, carry what is left from pos, then the rest */
    size_t have = split < len ? split : len, pos = 0, record = 0;
    unsigned long line = 1; /* the line at pos */
    memcpy(buf, text, have);
    for (;;) {
        bool final = have == len;
        struct fg_fastcsv_record rec;
        enum fg_fastcsv_result result =
            fg_fastcsv_next(&csv, buf, have, pos, final, spans, sizeof spans / sizeof *spans, &rec);
        CHECK(rec.start >= pos && rec.start <= have);
        line += rec.newlines_before;
        if (result == FG_FASTCSV_NEED_MORE) {
            CHECK(!final);
            memcpy(buf + have, text + have, len - have);
            have = len;
            pos = rec.start;
            continue;
        }
        if (result == FG_FASTCSV_END) {
            CHECK(final);
            CHECK(!ref.failed);
            CHECK(record == ref.n_records);
            break;
        }
        if (result == FG_FASTCSV_QUOTE || result == FG_FASTCSV_LONG) {
            /* the record from rec.start on holds a '"', or a field over max_field */
            size_t end = rec.start; /* in the whole text: LONG may come before the '"' */
            while (end < len && text[end] != '\r' && text[end] != '\n')
                end++;
            bool quote = memchr(text + rec.start, '"', end - rec.start) != NULL;
            CHECK(record < ref.n_records ? line == ref.record_lines[record]
                                         : ref.failed && line == ref.open_line);
            if (result == FG_FASTCSV_QUOTE) {
                CHECK(quote);
            } else if (!quote) {
                CHECK(record < ref.n_records);
                size_t first = record ? ref.record_ends[record - 1] : 0, longest = 0;
                for (size_t f = first; f < ref.record_ends[record]; f++)
                    longest = ref.fields[f].len > longest ? ref.fields[f].len : longest;
                CHECK(longest > max_field);
            }
            break;
        }
        CHECK(result == FG_FASTCSV_RECORD);
        CHECK(!ref.failed || memchr(text, '"', len) != NULL);
        CHECK(record < ref.n_records);
        size_t first = record ? ref.record_ends[record - 1] : 0;
        CHECK(rec.n_fields == ref.record_ends[record] - first);
        CHECK(line == ref.record_lines[record]);
        for (size_t f = 0; f < rec.n_fields && f < sizeof spans / sizeof *spans; f++) {
            const struct ref_field *want = &ref.fields[first + f];
            CHECK(spans[f].len == want->len);
            CHECK(want->len == 0 ||
                  memcmp(spans[f].bytes, ref.bytes + want->offset, want->len) == 0);
        }
        CHECK(rec.next > rec.start && rec.next <= have);
        CHECK(rec.newline_ended == (rec.next <= have && buf[rec.next - 1] == '\n'));
        line += rec.newline_ended;
        record++;
        pos = rec.next;
    }
    free(buf);
    ref_free(&ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const unsigned char delimiters[] = {',', ';', '\t', '|', ' ', 'a', '\0', 0xff};
    unsigned char delimiter = delimiters[data[0] & 7];
    size_t split = (size_t)(data[0] >> 3) * (size - 1) / 31;
    differential((const char *)data + 1, size - 1, delimiter, split, MAX_FIELD);
    differential((const char *)data + 1, size - 1, delimiter, split, WIDE_FIELD);
    return 0;
}
