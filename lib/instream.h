/*
 * instream.h - an input file as fairgate reads it (lib/instream.c): a path, or "-" for
 * standard input; plain, or gzip (a name ending in ".gz", or the magic bytes 1f 8b at the
 * start, also on standard input), decompressed with zlib as it is read. What the readers
 * (lib/ingest.c for predictions, lib/counts_io.c for counts files) share.
 *
 * Invariants:
 * - Bytes come in order, each once; a gzip stream is inflated through fixed buffers, so
 *   memory stays constant whatever the size. Every member of a multi-member gzip file is
 *   read; a truncated or corrupt one is an error naming the file, never a short read.
 * - The SHA-256 the caller lends is fed the bytes given (the compressed bytes of a gzip
 *   file, the bytes read from standard input) in the same reads that produce the decoded
 *   bytes, and only as the decoded bytes are asked for: a caller that reads a plain regular
 *   file apart (lib/ingest_parallel.c, by offset) hashes those bytes itself.
 *
 * Ownership: the caller owns the stream (fg_instream_close, which closes the file but never
 * standard input) and the hash context it lends; the stream borrows path.
 */
#ifndef FAIRGATE_INSTREAM_H
#define FAIRGATE_INSTREAM_H

#include "fairgate.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <openssl/evp.h>

/* The name standard input goes by in messages (its path, as given and in the audit, is
 * "-"). */
#define FG_STDIN_NAME "<stdin>"

struct fg_instream;

/* The name of path in messages: FG_STDIN_NAME for "-", else path. */
const char *fg_instream_name(const char *path);

/* Opens path ("-": standard input) and finds out whether it is gzip. sha: NULL, or a
 * started SHA-256 that every byte given is fed to. Errors name the file. */
FG_MUST_CHECK enum fg_status fg_instream_open(const char *path, EVP_MD_CTX *sha,
                                              struct fg_instream **out, struct fg_error *err);

/* As fg_instream_open, errors naming the file name: the input a copy of it was made of
 * (lib/ingest.c reads the copy of a pipe again under the pipe's name). name is borrowed. */
FG_MUST_CHECK enum fg_status fg_instream_open_as(const char *path, const char *name,
                                                 EVP_MD_CTX *sha, struct fg_instream **out,
                                                 struct fg_error *err);

/* Reads up to want decoded bytes, fewer only at the end (*eof then). -1 on failure, err
 * filled (FG_ERR_IO: a read error; FG_ERR_INPUT: gzip data that is corrupt or truncated). */
ssize_t fg_instream_read(struct fg_instream *in, char *buf, size_t want, bool *eof,
                         struct fg_error *err);

/* From now on, every byte given (what is hashed: the compressed bytes of gzip) is also
 * written to fd, so that standard input or a pipe can be read again from that copy
 * (lib/ingest.c, the aligned join). A failed write fails the read. */
void fg_instream_tee(struct fg_instream *in, int fd);

/* Reads the rest of the stream (hashed, copied), discarding it. */
FG_MUST_CHECK enum fg_status fg_instream_drain(struct fg_instream *in, struct fg_error *err);

/* Whether the stream is a plain regular file (not gzip, not a pipe), which a caller may
 * read apart by offset; *st: its status then. */
bool fg_instream_plain_file(const struct fg_instream *in, struct stat *st);

int fg_instream_fd(const struct fg_instream *in);
bool fg_instream_is_gzip(const struct fg_instream *in);

/* Bytes given read so far (compressed bytes for gzip): how far a progress bar is. */
uint64_t fg_instream_offset(const struct fg_instream *in);

void fg_instream_close(struct fg_instream *in);

/* Reads into buf until want bytes or the end of the file (*eof then): read() from the file
 * position when offset < 0, else pread() from offset. -1 on a read error (errno says). */
ssize_t fg_read_full(int fd, void *buf, size_t want, off_t offset, bool *eof);

#endif /* FAIRGATE_INSTREAM_H */
