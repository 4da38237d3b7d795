/*
 * strhash.c - growth and insertion for the string table of strhash.h (the
 * lookup is inline in the header). The capacity doubles whenever the table
 * would become more than half full, so probe chains stay short.
 */
#include "strhash.h"

#include <stdlib.h>
#include <string.h>

uint32_t gr_strhash_hash(const char *s, size_t len)
{
    uint32_t h = GR_STRHASH_SEED;
    for (size_t i = 0; i < len; i++) h = gr_strhash_step(h, (unsigned char)s[i]);
    return gr_strhash_final(h);
}

static int alloc_slots(gr_strhash *h, size_t cap)
{
    /* cache-line aligned: a probe reads one line */
    h->slots = aligned_alloc(64, cap * sizeof *h->slots);
    if (!h->slots) return -1;
    memset(h->slots, 0, cap * sizeof *h->slots);
    h->mask = cap - 1;
    return 0;
}

int gr_strhash_init(gr_strhash *h, size_t expected)
{
    size_t cap = 16;
    while (cap < 2 * expected + 2) cap *= 2;
    h->n = 0;
    if (alloc_slots(h, cap) < 0) { h->mask = 0; return -1; }
    return 0;
}

void gr_strhash_free(gr_strhash *h)
{
    if (!h) return;
    free(h->slots);
    h->slots = NULL;
    h->mask = 0;
    h->n = 0;
}

static void place(gr_strhash_slot *slots, size_t mask, const gr_strhash_slot *s)
{
    size_t i = s->hash & mask;
    while (slots[i].tag) i = (i + 1) & mask;
    slots[i] = *s;
}

static int grow(gr_strhash *h)
{
    size_t cap = (h->mask + 1) * 2;
    gr_strhash_slot *old = h->slots;
    size_t oldcap = h->mask + 1;
    if (alloc_slots(h, cap) < 0) { h->slots = old; return -1; }
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].tag) place(h->slots, h->mask, &old[i]);
    free(old);
    return 0;
}

int gr_strhash_put(gr_strhash *h, const char *key, size_t len, int32_t val, int32_t *old)
{
    if (!h->slots && gr_strhash_init(h, 8) < 0) return -1;
    uint32_t hash = gr_strhash_hash(key, len);
    if (len >= UINT32_MAX) return -1;
    for (size_t i = hash & h->mask; h->slots[i].tag; i = (i + 1) & h->mask) {
        const gr_strhash_slot *s = &h->slots[i];
        if (s->hash == hash && s->tag == len + 1 &&
            memcmp(gr_strhash_key(s, len), key, len) == 0) {
            if (old) *old = s->val;
            return 0;
        }
    }
    if (2 * (h->n + 1) > h->mask + 1 && grow(h) < 0) return -1;
    gr_strhash_slot s;
    memset(&s, 0, sizeof s);
    s.hash = hash;
    s.tag = (uint32_t)len + 1;
    s.val = val;
    if (len <= GR_STRHASH_INLINE) memcpy(s.key, key, len);
    else memcpy(s.key, &key, sizeof key);
    place(h->slots, h->mask, &s);
    h->n++;
    return 1;
}
