/*
 * test_scoring_repeated.c - sc_mark_repeated (scoring/repeated.c), the
 * supervision join's filter of patients with two or more stays: against
 * a count by pairs on random keys with many collisions in the table's
 * hash (keys differing only in their high bits, or equal low bits), the
 * table size check, and empty input. No files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../scoring/scoring.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}

/* the marks by counting every pair: rep[j] = key[j] occurs elsewhere */
static size_t by_pairs(const uint64_t *key, size_t m, uint8_t *rep)
{
    size_t n = 0;
    for (size_t j = 0; j < m; j++) {
        rep[j] = 0;
        for (size_t i = 0; i < m; i++)
            if (i != j && key[i] == key[j]) { rep[j] = 1; break; }
        n += rep[j];
    }
    return n;
}

static void check(const uint64_t *key, size_t m)
{
    size_t t = sc_repeated_tab_size(m);
    assert_true(t >= 2 * m && t >= 16 && (t & (t - 1)) == 0);
    uint32_t *tab = malloc(t * sizeof *tab);
    uint8_t *rep = malloc(m + 1), *want = malloc(m + 1);
    assert_non_null(tab);
    memset(tab, 0xAB, t * sizeof *tab); /* a dirty table: the function clears it */
    size_t got = sc_mark_repeated(key, m, rep, tab, t);
    size_t exp = by_pairs(key, m, want);
    assert_int_equal(got, exp);
    if (m) assert_memory_equal(rep, want, m);
    free(tab); free(rep); free(want);
}

static void test_random_keys(void **state)
{
    (void)state;
    enum { M = 3000 };
    uint64_t *key = malloc(M * sizeof *key);
    for (int round = 0; round < 20; round++) {
        size_t m = (size_t)(next() % M) + 1, distinct = (size_t)(next() % m) + 1;
        for (size_t j = 0; j < m; j++) {
            uint64_t v = next() % distinct;
            switch (round % 4) {
            case 0: key[j] = v; break;                              /* small integers */
            case 1: key[j] = v << 40; break;                        /* only high bits differ */
            case 2: key[j] = (v << 36) | 0xABCDEF; break;           /* one partition's patients */
            default: key[j] = v * UINT64_C(0x9E3779B97F4A7C15); break;
            }
        }
        check(key, m);
    }
    free(key);
}

static void test_edges(void **state)
{
    (void)state;
    uint64_t none[1] = {0};
    check(none, 0);
    check(none, 1);
    uint64_t two[2] = {0, 0}; /* 0 is a key like any other */
    check(two, 2);
    uint64_t three[3] = {5, 7, 5};
    uint8_t rep[3];
    uint32_t tab[16];
    assert_int_equal(sc_mark_repeated(three, 3, rep, tab, 16), 2);
    assert_int_equal(rep[0], 1);
    assert_int_equal(rep[1], 0);
    assert_int_equal(rep[2], 1);
    /* a table too small is refused */
    uint64_t many[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    uint8_t r9[9];
    assert_int_equal(sc_repeated_tab_size(9), 32);
    assert_int_equal(sc_mark_repeated(many, 9, r9, tab, 16), SIZE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_keys),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
