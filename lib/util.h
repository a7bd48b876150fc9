/*
 * util.h - small helpers every module shares (lib/util.c): filling a struct fg_error,
 * SHA-256 in hex, writing a file all or none, UTF-8 checks, did-you-mean hints and number
 * formatting. Nothing here keeps state between calls.
 *
 * Ownership: a returned char * (fg_strdup, fg_strndup) is malloc'd and the
 * caller's; every other argument is borrowed for the call.
 */
#ifndef FAIRGATE_UTIL_H
#define FAIRGATE_UTIL_H

#include "fairgate.h"

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- numbers in the C locale (whatever LC_NUMERIC an embedder set) ---- */

/* vsnprintf and snprintf with the calling thread in the C locale: "0.8", never "0,8". */
int fg_vsnprintf_c(char *buf, size_t size, const char *fmt, va_list ap) FG_PRINTF(3, 0);
int fg_snprintf_c(char *buf, size_t size, const char *fmt, ...) FG_PRINTF(3, 4);
/* strtod in the C locale ("0.8" is 0.8, "0,8" stops at the comma); errno as strtod's. */
double fg_strtod(const char *text, char **end);
/* The value of text[0..len) when it is a plain decimal ([+-]digits[.digits]) that reads
 * exactly without strtod: the same double as fg_strtod, bit for bit, far faster. false: any
 * other text (exponents, hexadecimal, spaces, "5.", ".5", too many digits); use fg_strtod. */
bool fg_decimal_fast(const char *text, size_t len, double *value);

/* ---- errors ---- */

/* Fills err (which may be NULL) and returns code. file may be NULL. */
enum fg_status fg_error_set(struct fg_error *err, enum fg_status code, const char *file,
                            unsigned long line, unsigned long column, const char *fmt, ...)
    FG_PRINTF(6, 7);

/* ---- small shared helpers (lib/util.c) ---- */

/* Whether s is 64 lowercase hex digits: a SHA-256 as fairgate writes it (a digest, a key
 * id). NULL is not. */
bool fg_is_hex64(const char *s);
/* Lowercase hex of a 32-byte digest (out: 65 bytes). */
void fg_digest_hex(const unsigned char digest[32], char out[65]);
/* Lowercase hex SHA-256 of a memory buffer (out: 65 bytes). On failure (a broken
 * libcrypto) out is "" and an error is set: never a digest-shaped placeholder. */
FG_MUST_CHECK enum fg_status fg_sha256_hex(const void *data, size_t len, char out[65],
                                           struct fg_error *err);
/* Writes all len bytes to fd (retrying short writes), then fsyncs. */
FG_MUST_CHECK enum fg_status fg_fd_write_all(int fd, const char *data, size_t len, const char *path,
                                             struct fg_error *err);
/* Appends "\n" to a malloc'd string; on failure frees it and sets *text to NULL. */
FG_MUST_CHECK enum fg_status fg_text_end_line(char **text, struct fg_error *err);
/* Levenshtein distance, capped: returns cap + 1 when the distance exceeds cap. */
size_t fg_edit_distance(const char *a, const char *b, size_t cap);
/* strdup that returns NULL on allocation failure (portable C11). */
char *fg_strdup(const char *s);
char *fg_strndup(const char *s, size_t len);
/* True when len bytes are well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool fg_utf8_valid(const char *text, size_t len);
/* Length of the well-formed UTF-8 sequence (1..4 bytes, no overlong, surrogate or
 * > U+10FFFF) at text, of which len bytes may be read, and its code point when code_point is
 * not NULL; 0 when the sequence is malformed or cut short. For a NUL-terminated text, len may
 * be SIZE_MAX: the NUL ends a sequence as any byte that is not a continuation does. */
size_t fg_utf8_sequence(const char *text, size_t len, uint32_t *code_point);
/* The length of the longest well-formed UTF-8 prefix of text: len when all of it is. */
size_t fg_utf8_valid_prefix(const char *text, size_t len);
/* A finite double with the fewest digits (%.15g to %.17g) that read back as the same value. */
void fg_format_exact(char *buf, size_t size, double value);
/* Formats a double for people: "%.4g"-like but stable, or "undefined". */
void fg_format_number(char *buf, size_t size, bool defined, double value);

/* ---- values written otherwise ---- */

/* Whether text (len bytes, no NUL needed) is a finite decimal number as fairgate reads a
 * score (strtod's decimal form alone: no blank, hexadecimal, inf or nan; under 64 bytes; no
 * underflow): *value receives it. */
bool fg_decimal_number(const char *text, size_t len, double *value);
/* Whether text is a decimal number written with one decimal comma ("0,25"). */
bool fg_comma_decimal(const char *text, size_t len, double *value);
/* How value (len bytes), which is not positive, is yet positive written another way: "" when
 * it is not, else what differs: "letter case" (ASCII, the same length), "the spaces around
 * it" (spaces and tabs), "how the number is written" (both decimal numbers, value maybe
 * with a decimal comma, equal as doubles). The one rule for the rows (lib/ingest.c) and for
 * the engine's rows (lib/sql.c marks them, lib/counts_io.c refuses the mark). */
const char *fg_written_otherwise(const char *positive, size_t positive_len, const char *value,
                                 size_t len);
/* Whether value (len bytes) is how an export writes a missing value (pandas, R, Excel, SQL:
 * NA, NaN, null, None, N/A, <NA>...), ignoring case: fairgate reads only an empty field (in
 * an engine: NULL or empty text) as missing. */
bool fg_looks_missing(const char *value, size_t len);

#endif /* FAIRGATE_UTIL_H */
