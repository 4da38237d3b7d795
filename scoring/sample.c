/*
 * sample.c - the re-review sample (复审抽查) drawn from candidates
 * (scoring.h "Re-review sample from candidates"): the same picks as
 * sc_sample_pick (rules.c), without gathering an institution's cases.
 *
 * sc_sample_pick takes F, the fmax first flagged cases in (h, position)
 * order, then the want - |F| first of the cases not in F. Each of the
 * latter is among the want first of all the cases (at most |F| cases
 * before it are left out). So a pass over the cases in any order (each
 * thread a range of slots) keeps per institution only the fmax first
 * flagged cases and the want first cases: the first by a bound on the
 * key (the want-th smallest of m uniform 64-bit keys is near want/m of
 * 2^64; most cases are turned away by one compare), kept in a buffer that
 * turns into a bounded heap should it fill.
 */
#include "scoring.h"

#include <math.h>

static inline int cand_before(const sc_cand *a, const sc_cand *b)
{
    return a->h < b->h || (a->h == b->h && a->pos < b->pos);
}

static void cand_sift_down(sc_cand *heap, size_t n, size_t i)
{
    sc_cand v = heap[i];
    for (;;) {
        size_t l = 2 * i + 1, top = l;
        if (l >= n) break;
        if (l + 1 < n && cand_before(&heap[l], &heap[l + 1])) top = l + 1;
        if (!cand_before(&v, &heap[top])) break;
        heap[i] = heap[top];
        i = top;
    }
    heap[i] = v;
}

size_t sc_sample_want(size_t m, double rate)
{
    if (m == 0) return 0;
    size_t want = (size_t)ceil(rate * (double)m - 1e-9);
    return want > m ? m : want;
}

size_t sc_sample_fmax(size_t want, double flagged_share)
{
    size_t fmax = (size_t)ceil(flagged_share * (double)want - 1e-9);
    return fmax < want ? fmax : want;
}

size_t sc_sample_bound(size_t m, size_t want, uint64_t *cutoff)
{
    /* the count of m uniform keys below the bound is binomial with mean t:
     * want + 6 standard deviations (at most sqrt t) and a few */
    double t = (double)want + 6.0 * sqrt((double)want) + 16.0;
    if (t >= (double)m) {
        *cutoff = UINT64_MAX;
        return m;
    }
    double c = ldexp(t / (double)m, 64);
    *cutoff = c >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)c;
    return (size_t)ceil(t);
}

int sc_cand_keep(sc_cand *buf, size_t *n, size_t cap, sc_cand x)
{
    if (*n < cap) {
        buf[(*n)++] = x;
        if (*n == cap)
            for (size_t i = cap / 2; i-- > 0;) cand_sift_down(buf, cap, i);
        return 1;
    }
    if (cap == 0 || !cand_before(&x, &buf[0])) return 0;
    buf[0] = x;
    cand_sift_down(buf, cap, 0);
    return 1;
}

/* rearranges a[0..n) so that a[0..k) are its k first in (h, pos) order
 * (quickselect, median of three; positions are distinct, so each round
 * leaves out at least the first and the last) */
static void cand_select(sc_cand *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* the k-th boundary lies in [lo, hi) */
    while (hi - lo > 1 && k > lo && k < hi) {
        if (hi - lo <= 8) { /* small: in order */
            for (size_t i = lo + 1; i < hi; i++) {
                sc_cand v = a[i];
                size_t j = i;
                while (j > lo && cand_before(&v, &a[j - 1])) { a[j] = a[j - 1]; j--; }
                a[j] = v;
            }
            return;
        }
        size_t mid = lo + (hi - lo) / 2, last = hi - 1;
        sc_cand t;
        if (cand_before(&a[mid], &a[lo])) { t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
        if (cand_before(&a[last], &a[mid])) {
            t = a[mid]; a[mid] = a[last]; a[last] = t;
            if (cand_before(&a[mid], &a[lo])) { t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
        }
        sc_cand piv = a[mid];
        size_t i = lo, j = last;
        for (;;) { /* Hoare: a[lo..j] <= piv <= a[j+1..hi) */
            while (cand_before(&a[i], &piv)) i++;
            while (cand_before(&piv, &a[j])) j--;
            if (i >= j) break;
            t = a[i]; a[i] = a[j]; a[j] = t;
            i++; j--;
        }
        if (k <= j) hi = j + 1;
        else lo = j + 1;
    }
}

size_t sc_sample_pick_cands(size_t m, double rate, double flagged_share, sc_cand *fl, size_t nf, sc_cand *all,
                            size_t na, size_t *nflag, size_t *nrand)
{
    size_t want = sc_sample_want(m, rate), fmax = sc_sample_fmax(want, flagged_share);
    *nflag = *nrand = 0;
    if (na < want) return SIZE_MAX;
    size_t f = nf < fmax ? nf : fmax;
    cand_select(fl, nf, f);
    /* the flagged picks are the f first flagged cases: a flagged case not
     * after the last of them is one of them, and is left out of the rest */
    size_t last = 0;
    for (size_t i = 1; i < f; i++)
        if (cand_before(&fl[last], &fl[i])) last = i;
    size_t r = 0;
    for (size_t i = 0; i < na; i++)
        if (!(f && all[i].flagged && !cand_before(&fl[last], &all[i]))) all[r++] = all[i];
    size_t k = want - f;
    if (r < k) return SIZE_MAX; /* not reached when the candidates hold the want first cases */
    cand_select(all, r, k);
    *nflag = f;
    *nrand = k;
    return f + k;
}
