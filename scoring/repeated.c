/*
 * repeated.c - which keys of an array occur more than once (the
 * supervision join's filter: only a patient with two or more stays can
 * fire a cross-case rule, so only those stays are sorted).
 *
 * Open addressing over a caller's table of 2^k entries (k from tcap, at
 * least twice the keys): each entry holds 1 + the position of a key's
 * first occurrence, 0 empty. One pass; the marks do not depend on the
 * table size or the hash.
 */
#include "scoring.h"

size_t sc_repeated_tab_size(size_t m)
{
    size_t t = 16;
    while (t < 2 * m) t *= 2;
    return t;
}

size_t sc_mark_repeated(const uint64_t *key, size_t m, uint8_t *rep, uint32_t *tab, size_t tcap)
{
    size_t t = sc_repeated_tab_size(m);
    if (t > tcap || m >= UINT32_MAX) return SIZE_MAX;
    unsigned bits = 0;
    while (((size_t)1 << bits) < t) bits++;
    const size_t mask = t - 1;
    for (size_t q = 0; q < t; q++) tab[q] = 0;
    size_t nrep = 0;
    for (size_t j = 0; j < m; j++) {
        uint64_t x = key[j];
        size_t h = (size_t)((x * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - bits)) & mask;
        rep[j] = 0;
        for (;;) {
            uint32_t e = tab[h];
            if (!e) { tab[h] = (uint32_t)j + 1; break; }
            if (key[e - 1] == x) {
                if (!rep[e - 1]) { rep[e - 1] = 1; nrep++; }
                rep[j] = 1;
                nrep++;
                break;
            }
            h = (h + 1) & mask;
        }
    }
    return nrep;
}
