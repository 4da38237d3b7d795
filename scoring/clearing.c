/*
 * clearing.c - the settlement year (docs/METHODS.md "The settlement year"):
 * reserve (预留调节金), monthly pre-settlement with the quality deposit
 * (月度预结算, 质量保证金), the forecast of the year's total score and the
 * estimated point value, the final point value with the corridor (点值区间),
 * surplus / overspend bands (结余留用, 超支分担), special review (特例单议)
 * and the clearing balance (年度清算).
 *
 * Pure functions on integer data; money is int64 fen, shares are read to
 * 1e-6 and applied with exact 128-bit rounding (sc_muldiv_round). Point
 * values and the money of a point value: exact integer sums, then IEEE-754
 * double operations in the order written (no long double; the Makefile's
 * -ffp-contract=off), the same bits on every platform (METHODS §9 "Precision").
 */
#include "scoring.h"

#include <float.h>
#include <math.h>

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "scoring/clearing.c needs FLT_EVAL_METHOD 0 (double evaluated as double; e.g. -mfpmath=sse on 32-bit x86)"
#endif

#define SHARE_UNIT 1000000

void sc_year_params_default(sc_year_params *p)
{
    p->reserve = 0.0;
    p->deposit = 0.05;
    p->estimate_margin = 0.0;
    p->band_min = 0.02;
    p->corridor = 0;
    p->corridor_low = 0.1;
    p->corridor_high = 0.1;
    p->budget_point_value = 0.0;
    p->bands = 0;
    p->surplus_keep = 0.2;
    p->overspend_limit = 0.2;
    p->overspend_fund = 0.6;
    p->special_cap = 0.005;
    p->default_assessment = 1.0;
    p->month_cv = 0.25;
    p->no_history_pay = SC_NOHIST_BAND_LOW;
}

static int unit(double x) { return x >= 0 && x <= 1; } /* NaN fails */

sc_status sc_year_params_check(const sc_year_params *p)
{
    if (!unit(p->reserve) || !unit(p->deposit) || !unit(p->band_min) || !unit(p->corridor_low) ||
        !(p->corridor_high >= 0 && p->corridor_high <= 10) || !unit(p->surplus_keep) ||
        !unit(p->overspend_limit) || !unit(p->overspend_fund) || !unit(p->special_cap) ||
        !(p->estimate_margin >= 0 && p->estimate_margin < 1) ||
        !(p->default_assessment >= 0 && p->default_assessment <= 10) || !(p->budget_point_value >= 0))
        return SC_ERR_ARG;
    if (p->corridor && !(p->budget_point_value > 0)) return SC_ERR_ARG;
    if (!(p->month_cv > 0 && p->month_cv <= 2) ||
        (p->no_history_pay != SC_NOHIST_BAND_LOW && p->no_history_pay != SC_NOHIST_FORECAST))
        return SC_ERR_ARG;
    return SC_OK;
}

static int64_t share_e6(double share)
{
    return (int64_t)llround(share * SHARE_UNIT);
}

int64_t sc_share_fen(int64_t amount_fen, double share)
{
    return sc_muldiv_round(amount_fen, share_e6(share), SHARE_UNIT);
}

int64_t sc_points_fen(double pv, double fund_share, int64_t points_e4)
{
    if (!(pv > 0) || !(fund_share > 0) || points_e4 <= 0) return 0;
    /* double in this order (METHODS §9 "Precision"): the same bits on every IEEE-754 platform */
    double v = pv * fund_share;
    v = v * (double)points_e4;
    v = v / 100.0;              /* e4 → points, yuan → fen */
    double r = nearbyint(v);    /* default rounding mode: half-even */
    if (!(r < 0x1p63)) return INT64_MAX;
    return (int64_t)r;
}

sc_status sc_forecast_total(int64_t ytd_e4, unsigned mask, const int64_t *hist, int ny, double band_min,
                            double *total_e4, double *low_e4, double *high_e4)
{
    *total_e4 = *low_e4 = *high_e4 = 0;
    mask &= 0xFFFu;
    if (!mask || ytd_e4 < 0 || ytd_e4 > ((int64_t)1 << 53) || ny > 4096) return mask ? SC_ERR_ARG : SC_ERR_EMPTY;
    /* the weights' sums exact (128 bits), ytd × Σ all exact, then one division in double (METHODS §9
     * "Precision"): the same bits on every IEEE-754 platform */
    __extension__ typedef __int128 i128;
    i128 pool_in = 0, pool_all = 0;
    double lo = 0, hi = 0;
    int have = 0;
    if (ny <= 0) {
        pool_in = __builtin_popcount(mask);
        pool_all = 12;
    }
    for (int y = 0; y < ny; y++) {
        i128 in = 0, all = 0;
        for (int m = 0; m < 12; m++) {
            int64_t w = hist[y * 12 + m];
            if (w < 0 || w > ((int64_t)1 << 53)) return SC_ERR_ARG; /* 9.0e13 yuan a month: the products stay in 128 bits */
            all += w;
            if (mask & (1u << m)) in += w;
        }
        if (!(in > 0)) continue;
        double t = (double)((i128)ytd_e4 * all) / (double)in;
        if (!have || t < lo) lo = t;
        if (!have || t > hi) hi = t;
        have = 1;
        pool_in += in;
        pool_all += all;
    }
    if (!(pool_in > 0)) return SC_ERR_EMPTY;
    double t = (double)((i128)ytd_e4 * pool_all) / (double)pool_in;
    if (!have) lo = hi = t;
    double wlo = t * (1.0 - band_min), whi = t * (1.0 + band_min);
    if (lo > wlo) lo = wlo;
    if (hi < whi) hi = whi;
    *total_e4 = t;
    *low_e4 = lo;
    *high_e4 = hi;
    return SC_OK;
}

double sc_year_pv(int64_t budget_fen, double fund_share, double total_e4)
{
    if (budget_fen <= 0 || !(fund_share > 0) || !(total_e4 > 0)) return 0.0;
    /* budget_fen × 10^4 ÷ (share × total_e4) ÷ 100, in double in this order: budget × 100 exact below 2^53 fen */
    double num = (double)budget_fen * 100.0;
    double den = fund_share * total_e4;
    return num / den;
}

sc_status sc_month_pay(double pv, double fund_share, double q, const int64_t *points_e4, size_t n,
                       int64_t *gross, int64_t *deposit, int64_t *paid, int64_t *scratch)
{
    int64_t S = 0;
    for (size_t i = 0; i < n; i++) {
        if (points_e4[i] < 0 || points_e4[i] > INT64_MAX - S) return SC_ERR_ARG;
        S += points_e4[i];
    }
    int64_t G = sc_points_fen(pv, fund_share, S);
    sc_status st = sc_apportion(G, points_e4, n, gross, scratch);
    if (st == SC_OK) {
        int64_t D = sc_share_fen(G, q);
        st = G > 0 ? sc_apportion(D, gross, n, deposit, scratch) : SC_OK;
        if (G == 0)
            for (size_t i = 0; i < n; i++) deposit[i] = 0;
    }
    if (st != SC_OK)
        for (size_t i = 0; i < n; i++) gross[i] = deposit[i] = 0;
    for (size_t i = 0; i < n; i++) paid[i] = gross[i] - deposit[i];
    return st;
}

void sc_year_final_pv(int64_t allocated_fen, double fund_share, int64_t points_e4, const sc_year_params *p,
                      sc_year_pv_result *out)
{
    out->raw = out->pv = sc_year_pv(allocated_fen, fund_share, (double)points_e4);
    out->clamped = 0;
    out->pool_fen = allocated_fen;
    out->reserve_used_fen = 0;
    if (!p->corridor || !(p->budget_point_value > 0) || !(out->raw > 0)) return;
    double lo = p->budget_point_value * (1.0 - p->corridor_low);
    double hi = p->budget_point_value * (1.0 + p->corridor_high);
    if (out->raw < lo) { out->pv = lo; out->clamped = -1; }
    else if (out->raw > hi) { out->pv = hi; out->clamped = 1; }
    else return;
    out->pool_fen = sc_points_fen(out->pv, fund_share, points_e4);
    out->reserve_used_fen = out->pool_fen - allocated_fen;
}

int64_t sc_band_adjust(int64_t due_fen, int64_t fund_cost_fen, const sc_year_params *p)
{
    if (!p->bands || due_fen <= 0) return 0;
    if (fund_cost_fen < due_fen) {
        int64_t s = due_fen - fund_cost_fen, L = sc_share_fen(due_fen, p->surplus_keep);
        return s > L ? -(s - L) : 0;
    }
    int64_t o = fund_cost_fen - due_fen, L = sc_share_fen(due_fen, p->overspend_limit);
    return sc_share_fen(o < L ? o : L, p->overspend_fund);
}

int64_t sc_special_topup(int64_t approved_fen, int64_t points_e4, double pv, double fund_share)
{
    if (approved_fen <= 0 || !(fund_share > 0)) return 0;
    double pool = (double)points_e4 * pv;   /* fen, total-cost terms; double in this order */
    pool = pool / 100.0;
    double d = (double)approved_fen - pool;
    d = d * fund_share;
    if (!(d > 0)) return 0;
    double r = nearbyint(d);
    return r < 0x1p63 ? (int64_t)r : INT64_MAX;
}

int64_t sc_special_cap_cases(int64_t year_cases, double cap)
{
    if (year_cases <= 0) return 0;
    __extension__ __int128 v = (__int128)year_cases * share_e6(cap);
    return (int64_t)(v / SHARE_UNIT);
}

int64_t sc_clear_balance(int64_t due_fen, int64_t gross_fen, int64_t deposit_fen, int64_t audit_fen,
                         int64_t coef_e4, int64_t band_fen, int64_t special_fen)
{
    return due_fen - gross_fen - audit_fen + sc_muldiv_round(deposit_fen, coef_e4, 10000) + band_fen + special_fen;
}

sc_status sc_clear_settle(const int64_t *balance, size_t n, const int64_t *prior_fen, const size_t *prior_inst,
                          size_t np, int64_t *settled_before, int64_t *to_settle)
{
    for (size_t k = 0; k < n; k++) settled_before[k] = to_settle[k] = 0;
    int bad = 0;
    for (size_t j = 0; j < np && !bad; j++)
        bad = prior_inst[j] >= n ||
              __builtin_add_overflow(settled_before[prior_inst[j]], prior_fen[j], &settled_before[prior_inst[j]]);
    for (size_t k = 0; k < n && !bad; k++) bad = __builtin_sub_overflow(balance[k], settled_before[k], &to_settle[k]);
    if (bad)
        for (size_t k = 0; k < n; k++) settled_before[k] = to_settle[k] = 0;
    return bad ? SC_ERR_ARG : SC_OK;
}
