/*
 * calib.c - calibration statistics (docs/METHODS.md §3): trimmed per-year group
 * statistics, the year-weighted mean, the pooled CV and the score scale.
 *
 * Sorting. Groups can hold millions of costs and the library must not
 * allocate, so the sort is an in-place MSD radix sort on the int64 key with
 * the sign bit flipped (American flag sort: count one byte, permute by
 * cycle leaders, descend). It starts at the highest byte in which the
 * minimum and maximum differ, so typical costs (< 2^40 fen) take three or
 * four byte passes. Buckets are kept on a fixed explicit stack (depth-first,
 * at most 8 levels x 255 pending buckets), no recursion; buckets of at most
 * SMALL_SORT elements finish by insertion sort. Worst case O(8n).
 *
 * Quantiles. Nearest rank Q(p) = x[ceil(p·n)] (1-based, clamped to [1, n]).
 * p is read to parts per billion (round(p·1e9)) and the rank is then
 * computed in exact integer arithmetic, so that a decimal setting such as
 * 0.07 with n = 100 gives rank 7, not the 8 that ceil(0.07 * 100.0) gives
 * in binary floating point. Cases equal to a cut value are kept.
 *
 * Determinism. Statistics depend only on the multiset of costs: the sum is
 * exact (128-bit, stored as int64 and saturated in the impossible case of
 * more than 9.2e16 yuan in one group-year), the SD is a two-pass double sum over the sorted kept
 * costs, so the summation order is the sorted order whatever the input
 * order; no long double (x87 80-bit on x86-64, other widths elsewhere): double
 * operations in the order written, the same bits on every IEEE-754 platform
 * (METHODS §9 "Precision").
 */
#include "scoring.h"

#include <math.h>
#include <string.h>

#define SIGN_BIT    UINT64_C(0x8000000000000000)
#define SMALL_SORT  48
#define STACK_MAX   (8 * 255 + 8)

static inline uint64_t key_of(int64_t v)
{
    return (uint64_t)v ^ SIGN_BIT;
}

static void insertion_sort(int64_t *x, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int64_t v = x[i];
        size_t j = i;
        while (j > 0 && x[j - 1] > v) {
            x[j] = x[j - 1];
            j--;
        }
        x[j] = v;
    }
}

typedef struct {
    size_t start, len;
    unsigned shift;
} sort_frame;

static void sort_i64(int64_t *x, size_t n)
{
    if (n <= SMALL_SORT) {
        insertion_sort(x, n);
        return;
    }
    uint64_t kmin = key_of(x[0]), kmax = kmin;
    for (size_t i = 1; i < n; i++) {
        uint64_t k = key_of(x[i]);
        if (k < kmin) kmin = k;
        if (k > kmax) kmax = k;
    }
    uint64_t diff = kmin ^ kmax;
    if (diff == 0)
        return;
    unsigned top_bit = 63u - (unsigned)__builtin_clzll(diff);

    sort_frame stack[STACK_MAX];
    size_t sp = 0;
    stack[sp++] = (sort_frame){0, n, top_bit / 8u * 8u};

    while (sp > 0) {
        sort_frame f = stack[--sp];
        int64_t *a = x + f.start;
        unsigned shift = f.shift;

        size_t count[256];
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < f.len; i++)
            count[(key_of(a[i]) >> shift) & 0xffu]++;

        size_t next[256], end[256], pos = 0;
        for (unsigned b = 0; b < 256; b++) {
            next[b] = pos;
            pos += count[b];
            end[b] = pos;
        }
        for (unsigned b = 0; b < 256; b++) {
            while (next[b] < end[b]) {
                int64_t v = a[next[b]];
                unsigned d = (unsigned)((key_of(v) >> shift) & 0xffu);
                while (d != b) {
                    int64_t t = a[next[d]];
                    a[next[d]++] = v;
                    v = t;
                    d = (unsigned)((key_of(v) >> shift) & 0xffu);
                }
                a[next[b]++] = v;
            }
        }

        if (shift == 0)
            continue;
        size_t off = 0;
        for (unsigned b = 0; b < 256; b++) {
            size_t c = count[b];
            if (c > SMALL_SORT)
                stack[sp++] = (sort_frame){f.start + off, c, shift - 8u};
            else if (c > 1)
                insertion_sort(a + off, c);
            off += c;
        }
    }
}

void sc_calib_params_default(sc_calib_params *p)
{
    p->year_weight[0] = 1.0;
    p->year_weight[1] = 2.0;
    p->year_weight[2] = 7.0;
    p->trim_low = 0.025;
    p->trim_high = 0.975;
    p->trim_min_cases = 25;
    p->scale = SC_SCALE_REGION_MEAN;
    p->scale_factor = 1000.0;
}

/* 1-based nearest rank ceil(p·n), clamped to [1, n]; n >= 1. */
static size_t nearest_rank(double p, size_t n)
{
    if (!(p > 0.0))
        return 1;
    if (p >= 1.0)
        return n;
    __extension__ typedef unsigned __int128 u128;
    const uint64_t ppb_den = 1000000000u;
    uint64_t ppb = (uint64_t)llround(p * 1e9);
    u128 k = ((u128)ppb * n + (ppb_den - 1)) / ppb_den;
    if (k < 1)
        return 1;
    if (k > n)
        return n;
    return (size_t)k;
}

/* First index in [lo, hi) with x[i] >= v (x sorted ascending). */
static size_t lower_bound(const int64_t *x, size_t lo, size_t hi, int64_t v)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First index in [lo, hi) with x[i] > v (x sorted ascending). */
static size_t upper_bound(const int64_t *x, size_t lo, size_t hi, int64_t v)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int should_trim(size_t n, int64_t min_cases)
{
    return min_cases <= 0 || (uint64_t)n >= (uint64_t)min_cases;
}

void sc_year_stats(int64_t *costs_fen, size_t n, const sc_calib_params *p,
                   sc_year_stat *out)
{
    memset(out, 0, sizeof *out);
    out->n = (int64_t)n;
    if (n == 0)
        return;

    sort_i64(costs_fen, n);

    size_t a = 0, b = n;   /* kept cases: [a, b) of the sorted costs */
    if (should_trim(n, p->trim_min_cases)) {
        int64_t lo_v = costs_fen[nearest_rank(p->trim_low, n) - 1];
        int64_t hi_v = costs_fen[nearest_rank(p->trim_high, n) - 1];
        a = lower_bound(costs_fen, 0, n, lo_v);
        b = upper_bound(costs_fen, 0, n, hi_v);
        if (b < a)
            b = a;
    }
    size_t used = b - a;
    out->n_used = (int64_t)used;
    if (used == 0)
        return;

    __extension__ typedef __int128 i128;
    i128 sum = 0;
    for (size_t i = a; i < b; i++)
        sum += costs_fen[i];
    out->sum_fen = sum > INT64_MAX ? INT64_MAX
                 : sum < INT64_MIN ? INT64_MIN : (int64_t)sum;

    double mean = (double)sum / (double)used;
    double ss = 0.0;
    for (size_t i = a; i < b; i++) {
        double d = (double)costs_fen[i] - mean;
        d = d * d;
        ss += d;
    }
    out->mean_fen = mean;
    out->sd_fen = sqrt(ss / (double)used);
}

double sc_weighted_mean(const sc_year_stat y[3], const double w[3], int *ok)
{
    double num = 0.0, den = 0.0;
    for (int i = 0; i < 3; i++) {
        if (y[i].n_used <= 0)
            continue;
        double t = w[i] * y[i].mean_fen;
        num += t;
        den += w[i];
    }
    if (!(den > 0.0)) {
        if (ok)
            *ok = 0;
        return 0.0;
    }
    if (ok)
        *ok = 1;
    return num / den;
}

double sc_pooled_cv(const sc_year_stat y[3])
{
    __extension__ typedef __int128 i128;
    i128 n_tot = 0, sum_tot = 0;   /* exact */
    for (int i = 0; i < 3; i++) {
        if (y[i].n_used <= 0)
            continue;
        n_tot += y[i].n_used;
        sum_tot += y[i].sum_fen;
    }
    if (n_tot < 2)
        return 0.0;
    double mean = (double)sum_tot / (double)n_tot;
    if (!(mean > 0.0))
        return 0.0;

    double ss = 0.0;   /* double in the order written */
    for (int i = 0; i < 3; i++) {
        if (y[i].n_used <= 0)
            continue;
        double ny = (double)y[i].n_used;
        double my = (double)y[i].sum_fen / ny;
        double sd = y[i].sd_fen;
        double dm = my - mean;
        double v = sd * sd;
        double dm2 = dm * dm;
        v = v + dm2;
        v = ny * v;
        ss += v;
    }
    return sqrt(ss / (double)n_tot) / mean;
}

double sc_score_from_means(double m_g, double M, const sc_calib_params *p)
{
    if (!(M > 0.0))
        return 0.0;
    switch (p->scale) {
    case SC_SCALE_REGION_MEAN:
    case SC_SCALE_BENCHMARK:
        return m_g / M * p->scale_factor;
    case SC_SCALE_UNIT:
        return m_g / M;
    }
    return 0.0;
}
