/*
 * idset.h - a set of byte strings interned compactly (lib/idset.c): the ids of the hash
 * join (lib/ingest.c) and the values of the columns two files share.
 *
 * Each string is stored once, in insertion order, in one arena: a head byte (3 bits of
 * flags the caller owns, and the length when under 31), a 4-byte length for longer ones,
 * the bytes, and, in an indexed set, the 4-byte insertion index. An open-addressing table
 * (linear probing, at most 4/5 full) holds arena offsets + 1, with bits of the hash above
 * them. Nothing is allocated per string: an 8-byte id costs 9 bytes of arena and, at most,
 * 4 / (2/5) bytes of table when the table doubles, 5 bytes when fg_idset_reserve sized it.
 * A string is named by its arena offset (a "ref"), which stays valid as the set grows.
 *
 * Limits: the arena stays under 4 GiB (FG_ERR_LIMIT past it); any bytes, NUL and empty
 * strings included. Ownership: the set owns its arena and table (fg_idset_free).
 */
#ifndef FAIRGATE_IDSET_H
#define FAIRGATE_IDSET_H

#include "fairgate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FG_IDSET_NONE  UINT32_MAX
#define FG_IDSET_FLAGS 7u /* the flag bits a string carries */

struct fg_idset {
    unsigned char *arena;
    size_t len, cap;
    uint32_t *slots;   /* (arena offset + 1) | the hash's high bits; 0: empty */
    size_t n_slots;    /* any size, or 0 */
    unsigned ref_bits; /* the low bits of a slot that hold offset + 1 */
    size_t n;          /* strings */
    bool indexed;      /* each string carries its insertion index */
};

void fg_idset_init(struct fg_idset *set, bool indexed);
void fg_idset_free(struct fg_idset *set);

/* Sizes the table for n strings in all (at most 4/5 full then), so that it never doubles
 * on the way: FG_ERR_NOMEM (the set as it was) or FG_ERR_LIMIT past 2^31 strings. */
FG_MUST_CHECK enum fg_status fg_idset_reserve(struct fg_idset *set, size_t n);

/* The ref of the string, or FG_IDSET_NONE. */
uint32_t fg_idset_find(const struct fg_idset *set, const char *bytes, size_t len);
/* Asks the CPU for the table slot where fg_idset_find(set, bytes, len) will start (a hint:
 * no effect on any result), so that a lookup made a few rows later does not wait for it. */
void fg_idset_prefetch(const struct fg_idset *set, const char *bytes, size_t len);

/* Adds a string that is not in the set yet, with flags (at most FG_IDSET_FLAGS); *ref: its
 * ref. FG_ERR_NOMEM or FG_ERR_LIMIT leave the set as it was. */
FG_MUST_CHECK enum fg_status fg_idset_add(struct fg_idset *set, const char *bytes, size_t len,
                                          unsigned flags, uint32_t *ref);

const char *fg_idset_bytes(const struct fg_idset *set, uint32_t ref, size_t *len);
unsigned fg_idset_flags(const struct fg_idset *set, uint32_t ref);
void fg_idset_set_flags(struct fg_idset *set, uint32_t ref, unsigned flags); /* ORs them in */

/* The string's insertion index: stored in an indexed set, else counted from the start (for
 * messages only: it walks the arena). */
uint32_t fg_idset_index(const struct fg_idset *set, uint32_t ref);

/* Strings in insertion order: the first, the one after ref; FG_IDSET_NONE past the last. */
uint32_t fg_idset_first(const struct fg_idset *set);
uint32_t fg_idset_next(const struct fg_idset *set, uint32_t ref);

#endif /* FAIRGATE_IDSET_H */
