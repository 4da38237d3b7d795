/*
 * pay.c - partial merge, point value and exact money (docs/METHODS.md §6).
 *
 * Money is int64 fen throughout; anything that multiplies money goes
 * through exact 128-bit integer arithmetic, so that results do not depend
 * on floating-point evaluation order.
 *
 * Largest remainder (sc_apportion), in four linear passes:
 *   1. W = Σ w (overflow of int64 is an argument error);
 *   2. out[i] = floor(total·w[i] / W), scratch[i] = its remainder (< W, so it
 *      fits in int64); the 128-bit division is used only when total·w[i]
 *      does not fit in 64 bits; r = total − Σ out < n fen are left over;
 *   3. an iterative three-way quickselect over scratch (deterministic
 *      pseudo-random pivots) finds T, the r-th largest remainder, and how
 *      many remainders are strictly greater than T;
 *   4. remainders are recomputed as total·w[i] − out[i]·W, which is exact
 *      modulo 2^64 because the true value is in [0, 2^63); every item with a
 *      remainder > T gets one fen, then the lowest-index items with a
 *      remainder == T until r fen are given.
 * Expected O(n), no allocation, exact for any n and any int64 inputs whose
 * weight sum fits in int64. An item of weight 0 never gets a fen: each
 * remainder is < W and they sum to r·W, so more than r remainders are > 0.
 */
#include "scoring.h"

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

void sc_inst_merge(sc_inst_partial *dst, const sc_inst_partial *src)
{
    dst->n_cases += src->n_cases;
    dst->cost_fen += src->cost_fen;
    dst->fund_fen += src->fund_fen;
    dst->score_e4 += src->score_e4;
    for (int b = 0; b < SC_BUCKET__COUNT; b++)
        dst->bucket_fen[b] += src->bucket_fen[b];
    for (int c = 0; c < SC_OUT__COUNT; c++)
        dst->n_outlier[c] += src->n_outlier[c];
    dst->n_special += src->n_special;
    dst->n_blank += src->n_blank;
}

double sc_fund_share(int64_t fund_fen, int64_t cost_fen)
{
    if (cost_fen <= 0)
        return 0.0;
    return (double)fund_fen / (double)cost_fen;   /* one rounding below 2^53 fen (METHODS §9 "Precision") */
}

double sc_point_value(int64_t budget_fen, int64_t fund_fen, int64_t cost_fen,
                      int64_t total_score_e4)
{
    if (budget_fen <= 0 || fund_fen <= 0 || cost_fen <= 0 || total_score_e4 <= 0)
        return 0.0;
    /* the fund share, then as sc_year_pv: a settlement's point value and the clearing's of the same
     * sums are the same bits (METHODS §9 "Precision") */
    return sc_point_value_share(budget_fen, sc_fund_share(fund_fen, cost_fen), total_score_e4);
}

double sc_point_value_share(int64_t budget_fen, double fund_share, int64_t total_score_e4)
{
    if (budget_fen <= 0 || !(fund_share > 0) || total_score_e4 <= 0)
        return 0.0;
    return sc_year_pv(budget_fen, fund_share, (double)total_score_e4);
}

int64_t sc_muldiv_round(int64_t a, int64_t num, int64_t den)
{
    if (den <= 0)
        return 0;
    /* fast path: the product fits in 64 bits (every amount of a case);
     * round half to even is symmetric, so |p| ÷ den rounded, signed back
     * (the same result as the 128-bit floor-and-adjust below) */
    int64_t p64;
    if (!__builtin_mul_overflow(a, num, &p64) && p64 != INT64_MIN) {
        uint64_t up = p64 < 0 ? (uint64_t)0 - (uint64_t)p64 : (uint64_t)p64, ud = (uint64_t)den;
        uint64_t q64 = up / ud, r64 = up % ud;
        if (r64 > ud - r64 || (r64 == ud - r64 && (q64 & 1)))
            q64++;
        return p64 < 0 ? -(int64_t)q64 : (int64_t)q64;
    }
    i128 p = (i128)a * num;
    i128 q = p / den;
    i128 rm = p % den;
    if (rm < 0) {           /* make q the floor and rm in [0, den) */
        q -= 1;
        rm += den;
    }
    i128 twice = rm * 2;
    if (twice > den || (twice == den && (q % 2) != 0))
        q += 1;
    if (q > INT64_MAX)
        return INT64_MAX;
    if (q < INT64_MIN)
        return INT64_MIN;
    return (int64_t)q;
}

static void zero_out(int64_t *out, size_t n)
{
    if (out)
        for (size_t i = 0; i < n; i++)
            out[i] = 0;
}

/* The r-th largest value of a[0..n) (1 <= r <= n); a is permuted.
 * *n_greater receives how many values are strictly greater. */
static int64_t select_desc(int64_t *a, size_t n, size_t r, size_t *n_greater)
{
    size_t lo = 0, hi = n, k = r, above = 0;
    uint64_t rng = UINT64_C(0x9E3779B97F4A7C15);
    for (;;) {
        rng = rng * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        size_t span = hi - lo;
        int64_t pv = a[lo + (size_t)((rng >> 33) % span)];
        size_t lt = lo, i = lo, gt = hi;   /* [lo,lt) > pv, [lt,i) == pv, [gt,hi) < pv */
        while (i < gt) {
            int64_t v = a[i];
            if (v > pv) {
                a[i] = a[lt];
                a[lt] = v;
                lt++;
                i++;
            } else if (v < pv) {
                gt--;
                a[i] = a[gt];
                a[gt] = v;
            } else {
                i++;
            }
        }
        if (k <= lt - lo) {
            hi = lt;
        } else if (k <= gt - lo) {
            *n_greater = above + (lt - lo);
            return pv;
        } else {
            k -= gt - lo;
            above += gt - lo;
            lo = gt;
        }
    }
}

sc_status sc_apportion(int64_t total, const int64_t *w, size_t n,
                       int64_t *out, int64_t *scratch)
{
    if (n > 0 && (!w || !out || !scratch))
        return SC_ERR_ARG;
    if (total < 0) {
        zero_out(out, n);
        return SC_ERR_ARG;
    }
    int64_t W = 0;
    for (size_t i = 0; i < n; i++) {
        if (w[i] < 0 || w[i] > INT64_MAX - W) {
            zero_out(out, n);
            return SC_ERR_ARG;
        }
        W += w[i];
    }
    if (W == 0) {
        zero_out(out, n);
        return SC_ERR_EMPTY;
    }

    const uint64_t UT = (uint64_t)total, UW = (uint64_t)W;
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t p64, q, rm;
        if (!__builtin_mul_overflow(UT, (uint64_t)w[i], &p64)) {
            q = p64 / UW;
            rm = p64 % UW;
        } else {
            u128 p = (u128)UT * (uint64_t)w[i];
            q = (uint64_t)(p / UW);
            rm = (uint64_t)(p % UW);
        }
        out[i] = (int64_t)q;       /* <= total because w[i] <= W */
        scratch[i] = (int64_t)rm;  /* < W <= INT64_MAX */
        given += (int64_t)q;
    }
    size_t r = (size_t)(total - given);   /* < n */
    if (r == 0)
        return SC_OK;

    size_t n_greater = 0;
    int64_t cut = select_desc(scratch, n, r, &n_greater);
    size_t at_cut = r - n_greater;
    for (size_t i = 0; i < n; i++) {
        int64_t rm = (int64_t)(UT * (uint64_t)w[i] - (uint64_t)out[i] * UW);
        if (rm > cut) {
            out[i]++;
        } else if (rm == cut && at_cut > 0) {
            out[i]++;
            at_cut--;
        }
    }
    return SC_OK;
}
