/*
 * reprice.c - policy simulation arithmetic (docs/METHODS.md "Policy
 * simulation"): re-pricing a case's cost categories by fixed-point
 * multipliers exactly in fen, the fund part at the case's own fund share,
 * the static measurement (up / down / net, fund / patients), the
 * budget-neutral solve by bisection on a monotone evaluator, and the split
 * of a payment change into a price and a structure effect. Pure functions
 * on integers; no I/O.
 */
#include "scoring.h"

/* round_half_even(a × b ÷ d) in 64 bits when a, b >= 0, d > 0 and the
 * product fits (the common case: a category of a case under ~84,000 yuan at
 * a multiplier up to 1.1); *out unset and 0 returned otherwise. The same
 * result as sc_muldiv_round. */
static inline int fast_muldiv(int64_t a, int64_t b, int64_t d, int64_t *out)
{
    int64_t pr;
    if (a < 0 || b < 0 || d <= 0 || __builtin_mul_overflow(a, b, &pr)) return 0;
    uint64_t p = (uint64_t)pr, ud = (uint64_t)d, q = p / ud, r = p % ud, h = ud - r;
    /* half to even without a branch: the direction is data (a mispredicted
     * branch per amount cost more than the rest of the arithmetic) */
    q += (uint64_t)(r > h) | ((uint64_t)(r == h) & q & 1);
    *out = (int64_t)q;
    return 1;
}

static inline int64_t reprice_amount(int64_t fen, int64_t m)
{
    if (m == SC_MULT_ONE) return fen;
    int64_t v;
    if (fast_muldiv(fen, m, SC_MULT_ONE, &v)) return v;
    return sc_muldiv_round(fen, m, SC_MULT_ONE);
}

int64_t sc_reprice_amount(int64_t fen, int64_t m) { return reprice_amount(fen, m); }

int64_t sc_reprice_case(int64_t total, const int64_t *cat, const int64_t *m, int n, int64_t *delta)
{
    int64_t t = total;
    for (int k = 0; k < n; k++) {
        int64_t d = reprice_amount(cat[k], m[k]) - cat[k];
        if (delta) delta[k] = d;
        t += d;
    }
    return t;
}

int64_t sc_reprice_fund(int64_t new_total, int64_t fund, int64_t total)
{
    if (total <= 0 || new_total == total) return fund;
    int64_t v;
    if (fast_muldiv(new_total, fund, total, &v)) return v;
    return sc_muldiv_round(new_total, fund, total);
}

/* round_half_even(a × b ÷ d), d > 0 and d < 2^53 (the caller's check),
 * by the reciprocal inv = 1 ÷ d when |a × b| < 2^50: the estimate is then
 * within 1/8 of the quotient, rounded to the nearest integer q it is the
 * answer or one off, and the exact remainder 2 (a b − q d) against d
 * settles it, ties to even; else sc_muldiv_round. */
static inline int64_t recip_muldiv(int64_t a, int64_t b, int64_t d, double inv)
{
    int64_t pr;
    if (__builtin_mul_overflow(a, b, &pr) || (uint64_t)pr + (UINT64_C(1) << 50) >= (UINT64_C(1) << 51))
        return sc_muldiv_round(a, b, d);
    double x = (double)pr * inv;
    int64_t q = (int64_t)(x + __builtin_copysign(0.5, x));
    int64_t r2 = 2 * (pr - q * d);
    /* branch-free: at most one of the two moves applies */
    int64_t up = (int64_t)(r2 > d) | ((int64_t)(r2 == d) & q & 1);
    int64_t dn = (int64_t)(r2 < -d) | ((int64_t)(r2 == -d) & q & 1);
    return q + up - dn;
}

int64_t sc_reprice_case_full(int64_t total, int64_t fund, const int64_t *cat, const int64_t *m, int n,
                             int64_t *delta, int64_t *dfund, int64_t *new_fund)
{
    int64_t t = total;
    int any = 0;
    for (int k = 0; k < n; k++) {
        int64_t d = reprice_amount(cat[k], m[k]) - cat[k];
        delta[k] = d;
        any |= d != 0;
        t += d;
    }
    if (total <= 0 || !any || total >= (INT64_C(1) << 53)) {
        for (int k = 0; k < n; k++) dfund[k] = total > 0 && delta[k] ? sc_muldiv_round(delta[k], fund, total) : 0;
        *new_fund = total <= 0 || t == total ? fund : sc_reprice_fund(t, fund, total);
        return t;
    }
    double inv = 1.0 / (double)total;
    for (int k = 0; k < n; k++) dfund[k] = recip_muldiv(delta[k], fund, total, inv);
    *new_fund = t == total ? fund : recip_muldiv(t, fund, total, inv);
    return t;
}

void sc_measure_add(sc_measure *m, const int64_t *delta, int n, int64_t fund_delta)
{
    int64_t net = 0;
    for (int k = 0; k < n; k++) {
        if (delta[k] > 0) m->up_fen += delta[k];
        else m->down_fen += delta[k];
        net += delta[k];
    }
    m->net_fen += net;
    m->fund_fen += fund_delta;
    m->patient_fen += net - fund_delta;
}

void sc_measure_merge(sc_measure *dst, const sc_measure *src)
{
    dst->up_fen += src->up_fen;
    dst->down_fen += src->down_fen;
    dst->net_fen += src->net_fen;
    dst->fund_fen += src->fund_fen;
    dst->patient_fen += src->patient_fen;
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

sc_status sc_solve_multiplier(sc_eval_fn eval, void *ctx, int64_t target, int64_t lo, int64_t hi, int64_t tol_fen,
                              sc_solve_result *out)
{
    if (!eval || !out || lo > hi) return SC_ERR_ARG;
    out->iterations = 0;
    out->converged = 0;
    int64_t best_m = lo, best_v = 0, best_r = INT64_MAX;
#define SEE(mm, vv)                                                                        \
    do {                                                                                  \
        int64_t r_ = abs64((vv) - target);                                                \
        if (r_ < best_r || (r_ == best_r && (mm) < best_m)) { best_r = r_; best_m = (mm); best_v = (vv); } \
    } while (0)
    int64_t vlo = eval(ctx, lo), vhi;
    out->iterations++;
    SEE(lo, vlo);
    if (best_r > tol_fen && hi > lo) {
        vhi = eval(ctx, hi);
        out->iterations++;
        SEE(hi, vhi);
        /* invariant: eval(lo) < target < eval(hi) while the interval has room */
        while (best_r > tol_fen && vlo < target && vhi > target && hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            int64_t v = eval(ctx, mid);
            out->iterations++;
            SEE(mid, v);
            if (v < target) { lo = mid; vlo = v; }
            else if (v > target) { hi = mid; vhi = v; }
            else break;
        }
    }
#undef SEE
    out->m = best_m;
    out->value = best_v;
    out->residual = best_v - target;
    out->converged = best_r <= tol_fen;
    return SC_OK;
}

void sc_pay_decompose(int64_t budget0_fen, int64_t points0_e4, int64_t inst_p0_e4, int64_t inst_p1_e4,
                      int64_t pay0_fen, int64_t pay1_fen, int64_t *price_fen, int64_t *structure_fen)
{
    int64_t price = points0_e4 > 0 ? sc_muldiv_round(budget0_fen, inst_p1_e4 - inst_p0_e4, points0_e4) : 0;
    *price_fen = price;
    *structure_fen = (pay1_fen - pay0_fen) - price;
}

int64_t sc_reprice_item(int64_t qty_e4, int64_t price_e4)
{
    return sc_muldiv_round(qty_e4, price_e4, 1000000);
}

int sc_parse_e4(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r')) n--;
    while (i < n && s[i] == ' ') i++;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    int64_t v = 0;
    int digits = 0, dec = -1;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && dec < 0) { dec = 0; continue; }
        if (c < '0' || c > '9') return -1;
        if (dec >= 4) return -1;
        if (v > INT64_C(92233720368547) ) return -1;
        v = v * 10 + (c - '0');
        digits++;
        if (dec >= 0) dec++;
    }
    if (!digits) return -1;
    for (int d = dec < 0 ? 0 : dec; d < 4; d++) v *= 10;
    *out = neg ? -v : v;
    return 0;
}
