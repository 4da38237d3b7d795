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
static void one_draw(size_t n, size_t ni, uint64_t hmod, unsigned pf, double rate, double share, int nth, int tight,
                     size_t *exact)
{
    uint32_t *inst = malloc(n * sizeof *inst);
    uint64_t *h = malloc(n * sizeof *h);
    uint8_t *fl = malloc(n), *expect = calloc(n ? n : 1, 1), *got = calloc(n ? n : 1, 1);
    assert_non_null(inst); assert_non_null(h); assert_non_null(fl);
    for (size_t i = 0; i < n; i++) {
        inst[i] = (uint32_t)(rnd() % ni);
        if (ni > 2 && inst[i] == 1) inst[i] = 0; /* institution 1: no cases */
        h[i] = hmod ? rnd() % hmod * (UINT64_MAX / hmod) : rnd(); /* ties, spread over the range */
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
    /* the candidates: each range its buffers (the fmax first flagged, the
     * cases at or below the bound), joined in range order; tight > 0 makes
     * the bound too tight (the exact way, all cases, then taken) or the
     * buffers as small as allowed (they turn into heaps) */
    size_t *fb = calloc(ni + 1, sizeof *fb), *ab = calloc(ni + 1, sizeof *ab), *acap = calloc(ni, sizeof *acap);
    uint64_t *cut = calloc(ni, sizeof *cut);
    for (size_t k = 0; k < ni; k++) {
        size_t want = sc_sample_want(m[k], rate);
        acap[k] = want ? sc_sample_bound(m[k], want, &cut[k]) : 0;
        assert_true(acap[k] >= want && acap[k] <= m[k]);
        if (tight == 1) cut[k] /= 3;
        if (tight == 2) acap[k] = want;
        fb[k + 1] = fb[k] + sc_sample_fmax(want, share);
        ab[k + 1] = ab[k] + acap[k];
    }
    sc_cand *F[4], *A[4];
    size_t *nf[4], *na[4];
    for (int t = 0; t < nth; t++) {
        F[t] = malloc((fb[ni] + 1) * sizeof **F); A[t] = malloc((ab[ni] + 1) * sizeof **A);
        nf[t] = calloc(ni, sizeof **nf); na[t] = calloc(ni, sizeof **na);
        size_t lo = n * (size_t)t / (size_t)nth, hi = n * ((size_t)t + 1) / (size_t)nth;
        for (size_t i = lo; i < hi; i++) {
            size_t k = inst[i];
            sc_cand x = {h[i], (uint32_t)i, fl[i]};
            if (fl[i]) sc_cand_keep(F[t] + fb[k], &nf[t][k], fb[k + 1] - fb[k], x);
            if (h[i] <= cut[k]) sc_cand_keep(A[t] + ab[k], &na[t][k], acap[k], x);
        }
    }
    size_t nflag_total = 0;
    sc_cand *SF = malloc((n + 1) * sizeof *SF), *SA = malloc((n + 1) * sizeof *SA);
    for (size_t k = 0; k < ni; k++) {
        size_t nfs = 0, nas = 0;
        for (int t = 0; t < nth; t++) {
            for (size_t j = 0; j < nf[t][k]; j++) SF[nfs++] = F[t][fb[k] + j];
            for (size_t j = 0; j < na[t][k]; j++) SA[nas++] = A[t][ab[k] + j];
        }
        size_t a1 = 99, a2 = 99;
        size_t g = sc_sample_pick_cands(m[k], rate, share, SF, nfs, SA, nas, &a1, &a2);
        if (g == SIZE_MAX) { /* too few candidates: all the institution's cases */
            assert_true(nas < sc_sample_want(m[k], rate));
            (*exact)++;
            nfs = nas = 0;
            for (size_t i = 0; i < n; i++)
                if (inst[i] == k) {
                    SA[nas++] = (sc_cand){h[i], (uint32_t)i, fl[i]};
                    if (fl[i]) SF[nfs++] = SA[nas - 1];
                }
            g = sc_sample_pick_cands(m[k], rate, share, SF, nfs, SA, nas, &a1, &a2);
        }
        assert_int_equal(g, a1 + a2);
        assert_int_equal(g, sc_sample_want(m[k], rate));
        for (size_t j = 0; j < a1; j++) {
            assert_int_equal(got[SF[j].pos], 0);
            assert_int_equal(SF[j].flagged, 1);
            got[SF[j].pos] = 1;
        }
        for (size_t j = 0; j < a2; j++) {
            assert_int_equal(got[SA[j].pos], 0);
            got[SA[j].pos] = 2;
        }
        nflag_total += a1;
    }
    size_t nflag_ref = 0;
    for (size_t i = 0; i < n; i++) {
        nflag_ref += expect[i] == 1;
        if (expect[i] != got[i])
            fail_msg("n %zu ni %zu hmod %llu pf %u rate %g share %g threads %d tight %d: position %zu expected %d got %d",
                     n, ni, (unsigned long long)hmod, pf, rate, share, nth, tight, i, expect[i], got[i]);
    }
    assert_int_equal(nflag_total, nflag_ref);
    for (int t = 0; t < nth; t++) { free(F[t]); free(A[t]); free(nf[t]); free(na[t]); }
    free(fb); free(ab); free(acap); free(cut); free(SF); free(SA);
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
    size_t exact = 0;
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t r = 0; r < sizeof rates / sizeof *rates; r++)
            for (size_t s = 0; s < sizeof shares / sizeof *shares; s++)
                for (size_t f = 0; f < sizeof pfs / sizeof *pfs; f++)
                    for (size_t q = 0; q < sizeof hmods / sizeof *hmods; q++)
                        for (int t = 1; t <= 4; t++)
                            for (int tight = 0; tight < 3; tight++)
                                one_draw(ns[a], 1 + (size_t)((a + q + (size_t)t) % 5), hmods[q], pfs[f], rates[r],
                                         shares[s], t, tight, &exact);
    assert_true(exact > 0); /* the exact way was taken (tight bounds) */
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
        size_t exact = 0;
        one_draw(n, ni, hmod, pf, rate, share, 1 + (int)(rnd() % 4), (int)(rnd() % 3), &exact);
    }
}

/* the buffer: appends, then (full) keeps the cap first by (h, pos), ties by position */
static void test_keep_first(void **state)
{
    (void)state;
    sc_cand buf[3];
    size_t n = 0;
    sc_cand in[] = {{5, 0, 0}, {5, 9, 0}, {1, 4, 0}, {5, 2, 0}, {7, 1, 0}, {1, 3, 0}, {5, 1, 0}};
    int kept[] = {1, 1, 1, 1, 0, 1, 0}; /* (5,1) comes after (5,0), the last then */
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) assert_int_equal(sc_cand_keep(buf, &n, 3, in[i]), kept[i]);
    assert_int_equal(n, 3);
    /* left: (1,3), (1,4), (5,0) */
    int seen[10] = {0};
    for (size_t i = 0; i < n; i++) seen[buf[i].pos]++;
    assert_int_equal(seen[3], 1); assert_int_equal(seen[4], 1); assert_int_equal(seen[0], 1);
    assert_int_equal(sc_cand_keep(buf, &n, 0, in[0]), 0);
    assert_int_equal(sc_sample_want(0, 0.08), 0);
    assert_int_equal(sc_sample_want(100, 0.08), 8);
    assert_int_equal(sc_sample_want(101, 0.08), 9);
    assert_int_equal(sc_sample_want(3, 1.0), 3);
    assert_int_equal(sc_sample_fmax(9, 0.5), 5);
    assert_int_equal(sc_sample_fmax(9, 1.0), 9);
    /* the bound: all kept for a small institution; for a big one, want/m of
     * the key range and a margin of about 6 standard deviations */
    uint64_t cut = 0;
    assert_int_equal(sc_sample_bound(30, 4, &cut), 30); /* 4 + 6 x 2 + 16 = 32 >= 30 */
    assert_true(cut == UINT64_MAX);
    size_t exp = sc_sample_bound(100000, 8000, &cut);
    assert_true(exp > 8000 + 5 * 89 && exp < 8000 + 7 * 90 + 16);
    double share = (double)cut / 18446744073709551616.0 * 100000.0;
    assert_true(share > (double)exp - 1.0 && share < (double)exp + 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_first),
        cmocka_unit_test(test_candidates_match_full_draw),
        cmocka_unit_test(test_random_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
