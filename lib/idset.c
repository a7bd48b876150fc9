/*
 * idset.c - strings interned in one arena with an open-addressing table of offsets (the
 * layout and its limits are in lib/idset.h).
 *
 * Invariants: slots[] holds offset + 1 of every string, each once, at or after its hash's
 * home slot with no empty slot between (linear probing, never a deletion); n * 4 <=
 * n_slots * 3. The arena only grows at its end, so a ref stays valid.
 */
#include "idset.h"

#include <stdlib.h>
#include <string.h>

#define SHORT_MAX   30u /* lengths under 31 live in the head byte */
#define LONG_MARK   31u
#define MIN_SLOTS   1024u
#define ARENA_LIMIT ((size_t)UINT32_MAX - 1)

/* ---- hashing ---- */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* 8 bytes at a time, the tail zero-padded. */
static uint64_t hash_bytes(const char *bytes, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0xc2b2ae3d27d4eb4fULL), word;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&word, bytes + i, 8);
        h = (h ^ mix(word)) * 0x100000001b3ULL;
    }
    if (i < len) {
        word = 0;
        memcpy(&word, bytes + i, len - i);
        h = (h ^ mix(word)) * 0x100000001b3ULL;
    }
    return mix(h);
}

/* ---- records ---- */

/* The length and bytes of the record at ref. */
static const char *record(const struct fg_idset *set, uint32_t ref, size_t *len)
{
    const unsigned char *at = set->arena + ref;
    unsigned short_len = at[0] >> 3;
    if (short_len != LONG_MARK) {
        *len = short_len;
        return (const char *)at + 1;
    }
    uint32_t n;
    memcpy(&n, at + 1, sizeof n);
    *len = n;
    return (const char *)at + 1 + sizeof n;
}

static size_t record_size(const struct fg_idset *set, size_t len)
{
    return 1 + (len > SHORT_MAX ? sizeof(uint32_t) : 0) + len +
           (set->indexed ? sizeof(uint32_t) : 0);
}

void fg_idset_init(struct fg_idset *set, bool indexed)
{
    memset(set, 0, sizeof *set);
    set->indexed = indexed;
}

void fg_idset_free(struct fg_idset *set)
{
    free(set->arena);
    free(set->slots);
    fg_idset_init(set, set->indexed);
}

uint32_t fg_idset_find(const struct fg_idset *set, const char *bytes, size_t len)
{
    if (set->n_slots == 0)
        return FG_IDSET_NONE;
    size_t mask = set->n_slots - 1;
    for (size_t pos = (size_t)hash_bytes(bytes, len) & mask; set->slots[pos] != 0;
         pos = (pos + 1) & mask) {
        uint32_t ref = set->slots[pos] - 1;
        size_t n;
        const char *have = record(set, ref, &n);
        if (n == len && memcmp(have, bytes, len) == 0)
            return ref;
    }
    return FG_IDSET_NONE;
}

/* Places ref in slots (it is not there yet). */
static void place(uint32_t *slots, size_t n_slots, uint64_t hash, uint32_t ref)
{
    size_t mask = n_slots - 1, pos = (size_t)hash & mask;
    while (slots[pos] != 0)
        pos = (pos + 1) & mask;
    slots[pos] = ref + 1;
}

/* A table of n_slots with every string placed again. */
static bool rehash(struct fg_idset *set, size_t n_slots)
{
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (slots == NULL)
        return false;
    for (uint32_t ref = fg_idset_first(set); ref != FG_IDSET_NONE; ref = fg_idset_next(set, ref)) {
        size_t len;
        const char *bytes = record(set, ref, &len);
        place(slots, n_slots, hash_bytes(bytes, len), ref);
    }
    free(set->slots);
    set->slots = slots;
    set->n_slots = n_slots;
    return true;
}

enum fg_status fg_idset_add(struct fg_idset *set, const char *bytes, size_t len, unsigned flags,
                            uint32_t *ref)
{
    size_t size = record_size(set, len);
    if (len > UINT32_MAX - 16 || set->len + size > ARENA_LIMIT || set->n >= UINT32_MAX - 1)
        return FG_ERR_LIMIT;
    if ((set->n + 1) * 4 > set->n_slots * 3 &&
        !rehash(set, set->n_slots ? set->n_slots * 2 : MIN_SLOTS))
        return FG_ERR_NOMEM;
    if (set->len + size > set->cap) {
        size_t cap = set->cap ? set->cap : 4096;
        while (cap < set->len + size)
            cap *= 2;
        unsigned char *arena = realloc(set->arena, cap);
        if (arena == NULL)
            return FG_ERR_NOMEM;
        set->arena = arena;
        set->cap = cap;
    }
    unsigned char *at = set->arena + set->len;
    *ref = (uint32_t)set->len;
    at[0] = (unsigned char)(((len > SHORT_MAX ? LONG_MARK : (unsigned)len) << 3) |
                            (flags & FG_IDSET_FLAGS));
    at++;
    if (len > SHORT_MAX) {
        uint32_t n = (uint32_t)len;
        memcpy(at, &n, sizeof n);
        at += sizeof n;
    }
    if (len > 0)
        memcpy(at, bytes, len);
    if (set->indexed) {
        uint32_t index = (uint32_t)set->n;
        memcpy(at + len, &index, sizeof index);
    }
    set->len += size;
    place(set->slots, set->n_slots, hash_bytes(bytes, len), *ref);
    set->n++;
    return FG_OK;
}

const char *fg_idset_bytes(const struct fg_idset *set, uint32_t ref, size_t *len)
{
    return record(set, ref, len);
}

unsigned fg_idset_flags(const struct fg_idset *set, uint32_t ref)
{
    return set->arena[ref] & FG_IDSET_FLAGS;
}

void fg_idset_set_flags(struct fg_idset *set, uint32_t ref, unsigned flags)
{
    set->arena[ref] |= (unsigned char)(flags & FG_IDSET_FLAGS);
}

uint32_t fg_idset_index(const struct fg_idset *set, uint32_t ref)
{
    if (set->indexed) {
        size_t len;
        const char *bytes = record(set, ref, &len);
        uint32_t index;
        memcpy(&index, bytes + len, sizeof index);
        return index;
    }
    uint32_t index = 0;
    for (uint32_t at = fg_idset_first(set); at != FG_IDSET_NONE && at != ref;
         at = fg_idset_next(set, at))
        index++;
    return index;
}

uint32_t fg_idset_first(const struct fg_idset *set)
{
    return set->n > 0 ? 0 : FG_IDSET_NONE;
}

uint32_t fg_idset_next(const struct fg_idset *set, uint32_t ref)
{
    size_t len;
    record(set, ref, &len);
    size_t next = ref + record_size(set, len);
    return next < set->len ? (uint32_t)next : FG_IDSET_NONE;
}
