/*
 * test_scoring_sample.c - the re-review sample drawn from candidates
 * (scoring/sample.c) against the draw on every case (sc_sample_pick,
 * scoring/rules.c): institutions of random cases, interleaved over the
 * positions as in the slots, scanned in 1 to 4 ranges (threads) whose
 * bounded heaps are merged; hashes with many ties, empty institutions,
 * rate 1.0, flagged share 0 and 1, none and all flagged. No files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../scoring/scoring.h"

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* One draw: n positions over ni institutions (inst[i]), key h[i] (hmod > 0:
 * h in [0, hmod), many ties), flagged with probability pf/100; the picks
 * by sc_sample_pick per institution (its positions in order) and by the
 * candidates of nth ranges, compared position by position. */
static void one_draw(size_t n, size_t ni, uint64_t hmod, unsigned pf, double rate, double share, int nth)
{
    uint32_t *inst = malloc(n * sizeof *inst);
    uint64_t *h = malloc(n * sizeof *h);
    uint8_t *fl = malloc(n), *expect = calloc(n ? n : 1, 1), *got = calloc(n ? n : 1, 1);
    assert_non_null(inst); assert_non_null(h); assert_non_null(fl);
    for (size_t i = 0; i < n; i++) {
        inst[i] = (uint32_t)(rnd() % ni);
        if (ni > 2 && inst[i] == 1) inst[i] = 0; /* institution 1: no cases */
        h[i] = hmod ? rnd() % hmod : rnd();
        fl[i] = rnd() % 100 < pf;
    }
    /* the reference: per institution, its cases in position order */
    size_t *m = calloc(ni, sizeof *m), *base = calloc(ni + 1, sizeof *base);
    uint32_t *pos = malloc((n ? n : 1) * sizeof *pos), *si = malloc((n ? n : 1) * sizeof *si);
    uint64_t *hh = malloc((n ? n : 1) * sizeof *hh);
    uint8_t *ff = malloc(n ? n : 1), *out = malloc(n ? n : 1);
    size_t want_total = 0;
    for (size_t k = 0; k < ni; k++) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            if (inst[i] == k) { pos[c] = (uint32_t)i; hh[c] = h[i]; ff[c] = fl[i]; c++; }
        m[k] = c;
        size_t g = sc_sample_pick(c, ff, hh, rate, share, out, si);
        assert_int_equal(g, sc_sample_want(c, rate));
        for (size_t j = 0; j < c; j++) expect[pos[j]] = out[j];
        base[k] = want_total;
        want_total += sc_sample_want(c, rate);
    }
    base[ni] = want_total;
    /* the candidates: each range its own heaps, then merged into range 0's */
    sc_cand *F[4], *U[4];
    size_t *nf[4], *nu[4];
    for (int t = 0; t < nth; t++) {
        F[t] = malloc((want_total + 1) * sizeof **F); U[t] = malloc((want_total + 1) * sizeof **U);
        nf[t] = calloc(ni, sizeof **nf); nu[t] = calloc(ni, sizeof **nu);
        size_t lo = n * (size_t)t / (size_t)nth, hi = n * ((size_t)t + 1) / (size_t)nth;
        for (size_t i = lo; i < hi; i++) {
            size_t k = inst[i], cap = base[k + 1] - base[k];
            sc_cand x = {h[i], (uint32_t)i};
            if (fl[i]) sc_cand_push(F[t] + base[k], &nf[t][k], cap, x);
            else sc_cand_push(U[t] + base[k], &nu[t][k], cap, x);
        }
    }
    size_t nflag_total = 0;
    for (size_t k = 0; k < ni; k++) {
        size_t cap = base[k + 1] - base[k];
        for (int t = 1; t < nth; t++) {
            for (size_t j = 0; j < nf[t][k]; j++) sc_cand_push(F[0] + base[k], &nf[0][k], cap, F[t][base[k] + j]);
            for (size_t j = 0; j < nu[t][k]; j++) sc_cand_push(U[0] + base[k], &nu[0][k], cap, U[t][base[k] + j]);
        }
        if ((k + (size_t)nth) % 2 == 0) /* fl may be in any order (not only a heap's) */
            for (size_t j = nf[0][k]; j > 1; j--) {
                size_t r = (size_t)(rnd() % j);
                sc_cand x = F[0][base[k] + j - 1];
                F[0][base[k] + j - 1] = F[0][base[k] + r];
                F[0][base[k] + r] = x;
            }
        size_t a1 = 99, a2 = 99;
        size_t g = sc_sample_pick_cands(m[k], rate, share, F[0] + base[k], nf[0][k], U[0] + base[k], nu[0][k], &a1, &a2);
        assert_int_equal(g, a1 + a2);
        assert_int_equal(g, cap);
        for (size_t j = 0; j < a1; j++) {
            assert_int_equal(got[F[0][base[k] + j].pos], 0);
            got[F[0][base[k] + j].pos] = 1;
            if (j) assert_true(F[0][base[k] + j - 1].h <= F[0][base[k] + j].h); /* ascending */
        }
        for (size_t j = 0; j < a2; j++) {
            assert_int_equal(got[U[0][base[k] + j].pos], 0);
            got[U[0][base[k] + j].pos] = 2;
        }
        nflag_total += a1;
    }
    size_t nflag_ref = 0;
    for (size_t i = 0; i < n; i++) {
        nflag_ref += expect[i] == 1;
        if (expect[i] != got[i])
            fail_msg("n %zu ni %zu hmod %llu pf %u rate %g share %g threads %d: position %zu expected %d got %d", n, ni,
                     (unsigned long long)hmod, pf, rate, share, nth, i, expect[i], got[i]);
    }
    assert_int_equal(nflag_total, nflag_ref);
    for (int t = 0; t < nth; t++) { free(F[t]); free(U[t]); free(nf[t]); free(nu[t]); }
    free(inst); free(h); free(fl); free(expect); free(got);
    free(m); free(base); free(pos); free(si); free(hh); free(ff); free(out);
}

static void test_candidates_match_full_draw(void **state)
{
    (void)state;
    rng_state = 11;
    static const double rates[] = {0.08, 0.3, 1.0, 0.0, 0.5};
    static const double shares[] = {0.5, 0.0, 1.0, 0.25};
    static const unsigned pfs[] = {0, 3, 30, 90, 100};
    static const uint64_t hmods[] = {0, 7, 50};
    static const size_t ns[] = {0, 1, 5, 40, 700};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t r = 0; r < sizeof rates / sizeof *rates; r++)
            for (size_t s = 0; s < sizeof shares / sizeof *shares; s++)
                for (size_t f = 0; f < sizeof pfs / sizeof *pfs; f++)
                    for (size_t q = 0; q < sizeof hmods / sizeof *hmods; q++)
                        for (int t = 1; t <= 4; t++)
                            one_draw(ns[a], 1 + (size_t)((a + q + (size_t)t) % 5), hmods[q], pfs[f], rates[r], shares[s], t);
}

/* many rounds with random sizes: the seeds that would turn up a rare case */
static void test_random_rounds(void **state)
{
    (void)state;
    rng_state = 2026;
    for (int round = 0; round < 300; round++) {
        size_t n = (size_t)(rnd() % 3000);
        size_t ni = 1 + (size_t)(rnd() % 12);
        uint64_t hmod = rnd() % 3 == 0 ? 1 + rnd() % 100 : 0;
        unsigned pf = (unsigned)(rnd() % 101);
        double rate = (double)(rnd() % 1001) / 1000.0, share = (double)(rnd() % 101) / 100.0;
        one_draw(n, ni, hmod, pf, rate, share, 1 + (int)(rnd() % 4));
    }
}

/* the bounded heap: keeps the cap first by (h, pos), ties by position */
static void test_push_keeps_first(void **state)
{
    (void)state;
    sc_cand heap[3];
    size_t n = 0;
    sc_cand in[] = {{5, 0}, {5, 9}, {1, 4}, {5, 2}, {7, 1}, {1, 3}, {5, 1}};
    int kept[] = {1, 1, 1, 1, 0, 1, 0}; /* (5,1) comes after (5,0), the top then */
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) assert_int_equal(sc_cand_push(heap, &n, 3, in[i]), kept[i]);
    assert_int_equal(n, 3);
    /* left: (1,3), (1,4), (5,0) */
    int seen[10] = {0};
    for (size_t i = 0; i < n; i++) seen[heap[i].pos]++;
    assert_int_equal(seen[3], 1); assert_int_equal(seen[4], 1); assert_int_equal(seen[0], 1);
    assert_int_equal(sc_cand_push(heap, &n, 0, in[0]), 0);
    assert_int_equal(sc_sample_want(0, 0.08), 0);
    assert_int_equal(sc_sample_want(100, 0.08), 8);
    assert_int_equal(sc_sample_want(101, 0.08), 9);
    assert_int_equal(sc_sample_want(3, 1.0), 3);
    assert_int_equal(sc_sample_fmax(9, 0.5), 5);
    assert_int_equal(sc_sample_fmax(9, 1.0), 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_keeps_first),
        cmocka_unit_test(test_candidates_match_full_draw),
        cmocka_unit_test(test_random_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
