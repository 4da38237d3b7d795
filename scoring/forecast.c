/*
 * forecast.c - the forecast of the year's score without history years and
 * the basis of the month's pre-settlement point value (预结算点值)
 * (docs/METHODS.md §9 "Without history years").
 *
 * Without history a flat pattern (each month 1/12 of the year) has no
 * measure of its own error: a small region's January of 13 cases (4.8 % of
 * its year's score instead of 8.3 %) forecast the year at 58 % of its
 * score and the point value 76 % high, inside a band of ±2 %. Here the
 * band comes from the months' own spread (pooled with a prior), and a
 * month without history pays at the band's low end (or the budget point
 * value, when lower) rather than the centre.
 *
 * Pure functions; no I/O.
 */
#include "scoring.h"

#include <float.h>
#include <math.h>

/*
 * Portable arithmetic (METHODS §9 "Without history years", "Precision"): the
 * months' sums and squares are exact integers (e4 units, __int128), and
 * what is left is a fixed sequence of IEEE-754 double operations, each
 * correctly rounded by the standard (conversion, +, −, ×, ÷, sqrt), in
 * the order written, so the result is the same bits on every platform with
 * FLT_EVAL_METHOD 0 (x86-64, AArch64, ...). No long double (x87 80-bit on
 * x86-64, 64- or 128-bit elsewhere), and the Makefile builds with
 * -ffp-contract=off so that no a × b + c becomes a fused multiply-add.
 */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "scoring/forecast.c needs FLT_EVAL_METHOD 0 (double evaluated as double; e.g. -mfpmath=sse on 32-bit x86)"
#endif

__extension__ typedef __int128 i128;

/* a month's score above this (2^53 e4 = 9.0e11 points) is refused: Σ m² × n² stays inside 128 bits and
 * 12 × Σ m inside 64 */
#define MONTH_MAX_E4 ((int64_t)1 << 53)

sc_status sc_forecast_flat(const int64_t month_e4[12], unsigned mask, double month_cv, double band_min,
                           sc_flat_forecast *out)
{
    out->months = 0;
    out->total_e4 = out->low_e4 = out->high_e4 = 0;
    out->cv_months = out->cv = out->half = 0;
    mask &= 0xFFFu;
    if (!mask) return SC_ERR_EMPTY;
    if (!(month_cv > 0 && month_cv <= 2) || !(band_min >= 0 && band_min <= 1)) return SC_ERR_ARG;
    int n = 0;
    int64_t sum = 0; /* S = Σ m, exact */
    i128 sq = 0;     /* Σ m², exact */
    for (int m = 0; m < 12; m++)
        if (mask & (1u << m)) {
            if (month_e4[m] < 0 || month_e4[m] > MONTH_MAX_E4) return SC_ERR_ARG;
            sum += month_e4[m];
            sq += (i128)month_e4[m] * month_e4[m];
            n++;
        }
    if (sum <= 0) return SC_ERR_EMPTY;
    /* n² × Σ (m − m̄)² = n Σ m² − S² = dev ≥ 0, exact; the months' sample cv² is
     * c_M² = Σ (m − m̄)² ÷ (n − 1) ÷ m̄² = n × dev ÷ ((n − 1) × S²), and (n − 1) c_M² = n × dev ÷ S² */
    i128 s2 = (i128)sum * sum;
    i128 dev = (i128)n * sq - s2;
    double spread = (double)((i128)n * dev) / (double)s2;  /* (n − 1) c_M², one rounding each */
    double cv_m2 = 0;
    if (n >= 2) cv_m2 = (double)((i128)n * dev) / (double)((i128)(n - 1) * s2);
    /* pooled with the prior counted as k months: c² = ((n − 1) c_M² + k c_0²) ÷ (n − 1 + k) */
    double prior = month_cv * month_cv;
    double kprior = (double)SC_FLAT_PRIOR_MONTHS * prior;
    double c2 = spread + kprior;
    c2 = c2 / (double)(n - 1 + SC_FLAT_PRIOR_MONTHS);
    double cv = sqrt(c2);
    /* Ŝ = 12 S ÷ n; sd = c × m̄ × √(r + r²/n) = c × m̄ × √(12 r ÷ n) (r = 12 − n), so the relative
     * half-width z × sd ÷ Ŝ = c × √(12 r ÷ n) × z ÷ 12 and the band Ŝ ± Ŝ × half */
    double total = (double)(12 * sum) / (double)n;
    double g = (double)(12 * (12 - n)) / (double)n;
    g = sqrt(g);
    double half = cv * g;
    half = half * SC_FLAT_Z;
    half = half / 12.0;
    double zsd = total * half;
    double lo = total - zsd, hi = total + zsd;
    if (lo < (double)sum) lo = (double)sum; /* the year scores at least its months so far */
    double wlo = total * (1.0 - band_min), whi = total * (1.0 + band_min);
    if (lo > wlo) lo = wlo;
    if (hi < whi) hi = whi;
    out->months = n;
    out->total_e4 = total;
    out->low_e4 = lo;
    out->high_e4 = hi;
    out->cv_months = sqrt(cv_m2);
    out->cv = cv;
    out->half = half;
    return SC_OK;
}

double sc_no_history_pay(double forecast, double band_low, int history, int months, const sc_year_params *p,
                         sc_pay_basis *basis)
{
    *basis = SC_BASIS_FORECAST;
    if (!(forecast > 0)) return 0.0;
    double b = forecast;
    if (!history && months < 12 && p->no_history_pay == SC_NOHIST_BAND_LOW) {
        if (!(band_low > 0)) return 0.0;
        b = band_low < forecast ? band_low : forecast;
        *basis = SC_BASIS_BAND_LOW;
        if (p->budget_point_value > 0 && p->budget_point_value < b) {
            b = p->budget_point_value;
            *basis = SC_BASIS_BUDGET;
        }
    }
    return b * (1.0 - p->estimate_margin);
}
