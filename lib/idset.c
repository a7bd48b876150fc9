/*
 * idset.c - strings interned in one arena with an open-addressing table of offsets (the
 * layout and its limits are in lib/idset.h).
 *
 * Invariants: slots[] holds offset + 1 of every string, each once, at or after its hash's
 * home slot with no empty slot between (linear probing, never a deletion); n * 5 <=
 * n_slots * 4. The arena only grows at its end, so a ref stays valid.
 *
 * A slot's low ref_bits bits are offset + 1 (under 2^ref_bits: ref_bits follows the arena's
 * capacity), its high bits the same bits of the string's hash (its tag): a probe reads the
 * arena only when the tag matches, so a miss costs no arena read in most slots. When the
 * arena grows past 2^(ref_bits - 1), ref_bits grows and the lowest tag bit of every slot is
 * cleared in place (the high tag bits stay those of the hash). The home slot is
 * (hash >> 32) * n_slots >> 32, so a table is of any size: fg_idset_reserve sizes it once
 * for an expected count, without a power of two's slack nor a last doubling.
 */
#include "idset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SHORT_MAX    30u /* lengths under 31 live in the head byte */
#define LONG_MARK    31u
#define MIN_SLOTS    1024u
#define REF_BITS_MAX 32u
#define ARENA_LIMIT  ((size_t)UINT32_MAX - 1)

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

/* ---- the table ---- */

static size_t home(uint64_t hash, size_t n_slots)
{
    return (size_t)(((hash >> 32) * (uint64_t)n_slots) >> 32);
}

/* The bits of a slot that hold offset + 1. */
static uint32_t ref_mask(unsigned ref_bits)
{
    return ref_bits >= REF_BITS_MAX ? UINT32_MAX : ((uint32_t)1 << ref_bits) - 1;
}

/* Bits enough for offset + 1 of any string in an arena of cap bytes. */
static unsigned ref_bits_for(size_t cap)
{
    unsigned bits = 1;
    while (bits < REF_BITS_MAX && ((size_t)1 << bits) <= cap)
        bits++;
    return bits;
}

uint32_t fg_idset_find(const struct fg_idset *set, const char *bytes, size_t len)
{
    if (set->n_slots == 0)
        return FG_IDSET_NONE;
    uint64_t hash = hash_bytes(bytes, len);
    uint32_t low = ref_mask(set->ref_bits), tag = (uint32_t)hash & ~low;
    for (size_t pos = home(hash, set->n_slots); set->slots[pos] != 0;) {
        uint32_t slot = set->slots[pos];
        if ((slot & ~low) == tag) {
            uint32_t ref = (slot & low) - 1;
            size_t n;
            const char *have = record(set, ref, &n);
            if (n == len && memcmp(have, bytes, len) == 0)
                return ref;
        }
        if (++pos == set->n_slots)
            pos = 0;
    }
    return FG_IDSET_NONE;
}

void fg_idset_prefetch(const struct fg_idset *set, const char *bytes, size_t len)
{
    if (set->n_slots > 0)
        __builtin_prefetch(&set->slots[home(hash_bytes(bytes, len), set->n_slots)]);
}

/* Places ref in slots (it is not there yet). */
static void place(uint32_t *slots, size_t n_slots, unsigned ref_bits, uint64_t hash, uint32_t ref)
{
    size_t pos = home(hash, n_slots);
    while (slots[pos] != 0)
        if (++pos == n_slots)
            pos = 0;
    slots[pos] = (ref + 1) | ((uint32_t)hash & ~ref_mask(ref_bits));
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
        place(slots, n_slots, set->ref_bits, hash_bytes(bytes, len), ref);
    }
    free(set->slots);
    set->slots = slots;
    set->n_slots = n_slots;
    return true;
}

/* Room for offsets up to the arena's capacity: the tag bits that become offset bits are
 * cleared in every slot (they are the hash's bits there, so the high ones stay right). */
static void widen_refs(struct fg_idset *set)
{
    unsigned bits = ref_bits_for(set->cap);
    if (bits <= set->ref_bits)
        return;
    uint32_t keep = ~ref_mask(bits) | ref_mask(set->ref_bits);
    for (size_t pos = 0; pos < set->n_slots; pos++)
        set->slots[pos] &= keep;
    set->ref_bits = bits;
}

enum fg_status fg_idset_reserve(struct fg_idset *set, size_t n)
{
    if (n > UINT32_MAX / 2)
        return FG_ERR_LIMIT;
    size_t n_slots = n + n / 4 + 1; /* at most 4/5 full */
    if (n_slots < MIN_SLOTS)
        n_slots = MIN_SLOTS;
    if (n_slots <= set->n_slots)
        return FG_OK;
    return rehash(set, n_slots) ? FG_OK : FG_ERR_NOMEM;
}

enum fg_status fg_idset_add(struct fg_idset *set, const char *bytes, size_t len, unsigned flags,
                            uint32_t *ref)
{
    size_t size = record_size(set, len);
    if (len > UINT32_MAX - 16 || set->len + size > ARENA_LIMIT || set->n >= UINT32_MAX - 1)
        return FG_ERR_LIMIT;
    if ((set->n + 1) * 5 > set->n_slots * 4 && set->n_slots < UINT32_MAX) {
        /* home() takes 32 bits; a full-size table keeps a free slot, as n < UINT32_MAX - 1 */
        size_t n_slots = set->n_slots ? set->n_slots * 2 : MIN_SLOTS;
        if (!rehash(set, n_slots < UINT32_MAX ? n_slots : UINT32_MAX))
            return FG_ERR_NOMEM;
    }
    if (set->len + size > set->cap) {
        size_t cap = set->cap ? set->cap : 4096;
        while (cap < set->len + size)
            cap *= 2;
        unsigned char *arena = realloc(set->arena, cap);
        if (arena == NULL)
            return FG_ERR_NOMEM;
        set->arena = arena;
        set->cap = cap;
        widen_refs(set);
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
    place(set->slots, set->n_slots, set->ref_bits, hash_bytes(bytes, len), *ref);
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
