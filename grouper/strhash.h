/*
 * strhash.h - private to the grouper library: an open-addressing hash table
 * from short strings (codes) to int32 values, and the incremental hash it
 * uses, so that a caller can compute the hash while it copies, trims and
 * upper-cases a code into a stack buffer, and look it up with no second
 * pass and no allocation.
 *
 * Short keys are copied into the slot; longer ones are kept by pointer, and
 * that key memory must outlive the table (keep keys in an arena). Linear probing,
 * power-of-two capacity, load factor <= 1/2, no deletion. A table is
 * immutable after the last put and may then be read by any number of
 * threads at once.
 */
#ifndef CASEMIX_GROUPER_STRHASH_H
#define CASEMIX_GROUPER_STRHASH_H

#include <stddef.h>
#include <stdint.h>

#define GR_STRHASH_SEED 2166136261u   /* FNV-1a offset basis */

/* One byte of FNV-1a. Start from GR_STRHASH_SEED, feed every byte of the
 * key, then call gr_strhash_final: the result is what gr_strhash_hash gives
 * for the same bytes. */
static inline uint32_t gr_strhash_step(uint32_t h, unsigned char c)
{
    return (h ^ c) * 16777619u;
}

/* Avalanche of the FNV state, so that the low bits (the slot) depend on
 * every byte of the key. */
static inline uint32_t gr_strhash_final(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

/* Keys of up to GR_STRHASH_INLINE bytes (every ICD-10 / ICD-9-CM-3 code,
 * "A01.000x001") are copied into the slot, so a probe reads one cache line
 * and never follows a pointer; longer keys are kept by pointer. 32 bytes,
 * two slots a cache line. */
#define GR_STRHASH_INLINE 20
typedef struct {
    uint32_t hash;
    uint32_t tag;      /* key length + 1; 0 = empty slot */
    int32_t val;
    char key[GR_STRHASH_INLINE]; /* the key, or (longer keys) its pointer's bytes */
} gr_strhash_slot;
_Static_assert(sizeof(gr_strhash_slot) == 32, "two slots a cache line");

/* The bytes of a slot's key (inline, or through the stored pointer). */
static inline const char *gr_strhash_key(const gr_strhash_slot *s, size_t len)
{
    if (len <= GR_STRHASH_INLINE) return s->key;
    const char *p;
    __builtin_memcpy(&p, s->key, sizeof p);
    return p;
}

typedef struct {
    gr_strhash_slot *slots;
    size_t mask;       /* capacity - 1 */
    size_t n;          /* keys stored */
} gr_strhash;

/* Hash of len bytes of s. */
uint32_t gr_strhash_hash(const char *s, size_t len);

/* Prepares an empty table for about `expected` keys (it grows as needed).
 * Returns 0, or -1 when out of memory (h is then empty and safe to free). */
int gr_strhash_init(gr_strhash *h, size_t expected);

/* Frees the slots (not the keys); h may be zeroed or NULL. */
void gr_strhash_free(gr_strhash *h);

/* Inserts key -> val. Returns 1 when inserted, 0 when the key was already
 * there (the stored value is left unchanged and written to *old if old is
 * not NULL), -1 when out of memory. */
int gr_strhash_put(gr_strhash *h, const char *key, size_t len, int32_t val, int32_t *old);

/* Value of the key (len bytes, hash = gr_strhash_hash(key, len)), or -1
 * when absent (so store only values >= 0 when -1 must mean "absent"). */
static inline int32_t gr_strhash_get(const gr_strhash *h, const char *key, size_t len,
                                     uint32_t hash)
{
    if (!h->slots) return -1;
    size_t i = hash & h->mask;
    for (;;) {
        const gr_strhash_slot *s = &h->slots[i];
        if (!s->tag) return -1;
        if (s->hash == hash && s->tag == len + 1) {
            const char *k = gr_strhash_key(s, len);
            size_t j = 0;
            while (j < len && k[j] == key[j]) j++;
            if (j == len) return s->val;
        }
        i = (i + 1) & h->mask;
    }
}

/* Starts loading the slot a lookup of hash will read first (issue the
 * prefetches of a case's codes together, then look them up). */
static inline void gr_strhash_prefetch(const gr_strhash *h, uint32_t hash)
{
    if (h->slots) __builtin_prefetch(&h->slots[hash & h->mask]);
}

#endif
