/*
 * fuzz.h - what the fuzz targets under tests/fuzz/ share: inputs handed to the library as
 * files (the parsers behind --counts, --override and verify read paths), and the replay
 * driver that make check and make asan run instead of libFuzzer.
 *
 * Each target defines LLVMFuzzerTestOneInput and includes this header once, first (it sets
 * _GNU_SOURCE for memfd_create). Built with -DFUZZ_LIBFUZZER it is a libFuzzer target
 * (make fuzz); without, main() feeds every file named, and every file in every folder
 * named, to LLVMFuzzerTestOneInput and fails when there was none (an empty corpus is a
 * broken build, not a pass). FUZZ_DIR is tests/fuzz as an absolute path (the Makefile
 * sets it): the fixed policies, inputs and test-only keys the targets load live there.
 */
#ifndef FAIRGATE_FUZZ_H
#define FAIRGATE_FUZZ_H

#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FUZZ_DIR
#error "FUZZ_DIR must name tests/fuzz (the Makefile sets it)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the target: a broken fixture, or a property the target checks. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define FUZZ_SLOTS 4

/* Puts data into in-memory file number slot (< FUZZ_SLOTS, reused from call to call) and
 * returns a path that opens it, "/proc/self/fd/N"; valid until the next call for slot. */
__attribute__((unused)) static const char *fuzz_as_file(int slot, const void *data, size_t size)
{
    static int fds[FUZZ_SLOTS] = {-1, -1, -1, -1};
    static char paths[FUZZ_SLOTS][32];
    FUZZ_CHECK(slot >= 0 && slot < FUZZ_SLOTS);
    if (fds[slot] < 0) {
        fds[slot] = memfd_create("fuzz-input", 0);
        FUZZ_CHECK(fds[slot] >= 0);
        snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d", fds[slot]);
    }
    FUZZ_CHECK(ftruncate(fds[slot], 0) == 0);
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(fds[slot], (const char *)data + done, size - done, (off_t)done);
        FUZZ_CHECK(n > 0);
        done += (size_t)n;
    }
    return paths[slot];
}

/* A malloc'd NUL-terminated copy of the input (the library's text APIs take C strings). */
__attribute__((unused)) static char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    if (size > 0)
        memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* An error the library filled in must be a terminated message (a C string in its buffer). */
#define FUZZ_CHECK_ERROR(err)                                                                      \
    do {                                                                                           \
        FUZZ_CHECK(memchr((err)->message, '\0', sizeof(err)->message) != NULL);                    \
        FUZZ_CHECK(memchr((err)->file, '\0', sizeof(err)->file) != NULL);                          \
    } while (0)

/* A fixture of the target (a fixed policy, key or input) failed to load: says why, stops. */
#define FUZZ_FIXTURE(call, err)                                                                    \
    do {                                                                                           \
        if ((call) != FG_OK) {                                                                     \
            char why_[2048];                                                                       \
            fg_error_format(err, why_, sizeof why_);                                               \
            fprintf(stderr, "%s:%d: fixture: %s\n", __FILE__, __LINE__, why_);                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#ifndef FUZZ_LIBFUZZER
static int fuzz_replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    uint8_t *data = NULL;
    size_t len = 0, cap = 0, got;
    uint8_t chunk[65536];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got > cap) {
            cap = (len + got) * 2;
            uint8_t *grown = realloc(data, cap);
            FUZZ_CHECK(grown != NULL);
            data = grown;
        }
        memcpy(data + len, chunk, got);
        len += got;
    }
    fclose(f);
    /* a copy of exactly len bytes, so that ASan sees a read past the end */
    uint8_t *exact = malloc(len ? len : 1);
    FUZZ_CHECK(exact != NULL);
    if (len > 0)
        memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 1;
}

int main(int argc, char **argv)
{
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        DIR *dir = opendir(argv[i]);
        if (dir == NULL) {
            n += (size_t)fuzz_replay_file(argv[i]);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            n += (size_t)fuzz_replay_file(path);
        }
        closedir(dir);
    }
    const char *slash = strrchr(argv[0], '/');
    printf("%s: %zu inputs replayed\n", slash ? slash + 1 : argv[0], n);
    return n > 0 ? 0 : 1;
}
#endif

#endif /* FAIRGATE_FUZZ_H */
