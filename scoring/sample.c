/*
 * sample.c - the re-review sample (复审抽查) drawn from candidates
 * (scoring.h "Re-review sample from candidates"): the same picks as
 * sc_sample_pick (rules.c), without gathering an institution's cases.
 *
 * sc_sample_pick takes the fmax smallest flagged cases in (h, position)
 * order, then the want - got smallest of the cases not taken. Every
 * flagged pick is among the want smallest flagged cases, and every
 * other pick is among the want smallest flagged or the want smallest
 * unflagged cases; so a pass over the cases in any order (e.g. each
 * thread a slot range) keeps only those two bounded max-heaps per
 * institution, and the draw is made on them.
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

static void cand_sift_up(sc_cand *heap, size_t i)
{
    sc_cand v = heap[i];
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (!cand_before(&heap[up], &v)) break;
        heap[i] = heap[up];
        i = up;
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

int sc_cand_push(sc_cand *heap, size_t *n, size_t cap, sc_cand x)
{
    if (*n < cap) {
        heap[*n] = x;
        cand_sift_up(heap, (*n)++);
        return 1;
    }
    if (cap == 0 || !cand_before(&x, &heap[0])) return 0;
    heap[0] = x;
    cand_sift_down(heap, *n, 0);
    return 1;
}

/* heap-sort of a max-heap: ascending (h, pos) */
static void cand_heap_sort(sc_cand *heap, size_t n)
{
    while (n > 1) {
        sc_cand t = heap[0];
        heap[0] = heap[--n];
        heap[n] = t;
        cand_sift_down(heap, n, 0);
    }
}

size_t sc_sample_pick_cands(size_t m, double rate, double flagged_share, sc_cand *fl, size_t nf, sc_cand *un,
                            size_t nu, size_t *nflag, size_t *nrand)
{
    size_t want = sc_sample_want(m, rate), fmax = sc_sample_fmax(want, flagged_share);
    /* the flagged candidates ascending: the fmax first are the flagged picks */
    for (size_t i = nf / 2; i-- > 0;) cand_sift_down(fl, nf, i);
    cand_heap_sort(fl, nf);
    size_t f = nf < fmax ? nf : fmax, k = want - f;
    /* the others: the k smallest of the unflagged heap and the flagged left */
    while (nu > k) { /* pop the largest */
        un[0] = un[--nu];
        cand_sift_down(un, nu, 0);
    }
    for (size_t i = f; i < nf; i++)
        if (!sc_cand_push(un, &nu, k, fl[i]) && nu == k) break; /* fl ascending: none after fits */
    *nflag = f;
    *nrand = nu;
    return f + nu;
}
