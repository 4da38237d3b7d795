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

#include <math.h>

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
    long double sum = 0;
    for (int m = 0; m < 12; m++)
        if (mask & (1u << m)) {
            if (month_e4[m] < 0) return SC_ERR_ARG;
            sum += month_e4[m];
            n++;
        }
    if (!(sum > 0)) return SC_ERR_EMPTY;
    long double mean = sum / n, cv2 = 0;
    if (n >= 2) {
        long double ss = 0;
        for (int m = 0; m < 12; m++)
            if (mask & (1u << m)) {
                long double d = month_e4[m] - mean;
                ss += d * d;
            }
        cv2 = ss / (n - 1) / (mean * mean);
    }
    long double k = SC_FLAT_PRIOR_MONTHS, prior = (long double)month_cv * month_cv;
    long double cv = sqrtl(((n - 1) * cv2 + k * prior) / ((n - 1) + k));
    long double r = 12 - n;
    long double total = 12 * mean;
    long double sd = cv * mean * sqrtl(r + r * r / n);
    long double half = SC_FLAT_Z * sd / total;
    long double lo = total - SC_FLAT_Z * sd, hi = total + SC_FLAT_Z * sd;
    if (lo < sum) lo = sum; /* the year scores at least its months so far */
    long double wlo = total * (1.0L - band_min), whi = total * (1.0L + band_min);
    if (lo > wlo) lo = wlo;
    if (hi < whi) hi = whi;
    out->months = n;
    out->total_e4 = (double)total;
    out->low_e4 = (double)lo;
    out->high_e4 = (double)hi;
    out->cv_months = (double)sqrtl(cv2);
    out->cv = (double)cv;
    out->half = (double)half;
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
