/*
 * outlier.c - outlier cases (偏差病例, docs/METHODS.md §5) and the per-case score.
 *
 * A case is classified by ratio = cost / standard cost. The two
 * inclusivity flags decide the boundary cases (ratio == low, ratio == high)
 * because regions differ on ≤ vs <. Low is tested first; the parameter
 * check guarantees low < high so the two regions never overlap.
 *
 * The case score leaves this file as an int64 in 1e-4 points so that all
 * later totals are exact integer sums (see scoring.h).
 */
#include "scoring.h"

#include <math.h>

void sc_outlier_params_default(sc_outlier_params *p)
{
    p->low = 0.5;
    p->low_inclusive = 0;
    p->high = 2.0;
    p->high_inclusive = 0;
    p->high_k = 1.0;
    p->special = 5.0;
    p->special_cap = 0.005;
    p->special_pay_k = 0.0;
}

sc_status sc_outlier_params_check(const sc_outlier_params *p)
{
    /* Written as !(ok) so that NaN fails every test. */
    if (!(p->low > 0.0) || !(p->low < p->high) || !(p->high <= p->special))
        return SC_ERR_ARG;
    if (!isfinite(p->special))
        return SC_ERR_ARG;
    if (!(p->high_k >= 0.0) || !isfinite(p->high_k))
        return SC_ERR_ARG;
    if (!(p->special_cap >= 0.0 && p->special_cap <= 1.0))
        return SC_ERR_ARG;
    if (!(p->special_pay_k >= 0.0) || !isfinite(p->special_pay_k))
        return SC_ERR_ARG;
    return SC_OK;
}

sc_outlier_class sc_outlier_classify(double ratio, const sc_outlier_params *p,
                                     double *factor)
{
    int low = p->low_inclusive ? ratio <= p->low : ratio < p->low;
    if (low) {
        *factor = ratio;
        return SC_OUT_LOW;
    }
    int high = p->high_inclusive ? ratio >= p->high : ratio > p->high;
    if (high) {
        *factor = ratio - p->high + p->high_k;
        return SC_OUT_HIGH;
    }
    *factor = 1.0;
    return SC_OUT_NORMAL;
}

int64_t sc_score_e4(double rw, double coef, double factor)
{
    double v = rw * coef * factor * (double)SC_SCORE_UNIT;
    if (!(v > 0.0))
        return 0;            /* negative, zero or NaN */
    if (v >= 9.2e18)
        return INT64_MAX;
    return (int64_t)llround(v);
}

void sc_drg_outlier_params_default(sc_drg_outlier_params *p)
{
    p->rw_band_low = 1.0;
    p->rw_band_high = 2.0;
    p->high_k_low_rw = 3.0;
    p->high_k_mid_rw = 2.0;
    p->high_k_high_rw = 1.5;
    p->low = 0.4;
}

sc_status sc_drg_outlier_params_check(const sc_drg_outlier_params *p)
{
    const double v[6] = {p->rw_band_low, p->rw_band_high, p->high_k_low_rw,
                         p->high_k_mid_rw, p->high_k_high_rw, p->low};
    for (int i = 0; i < 6; i++)
        if (!isfinite(v[i]) || v[i] <= 0) return SC_ERR_ARG;
    if (p->rw_band_low > p->rw_band_high) return SC_ERR_ARG;
    if (p->low >= p->high_k_low_rw || p->low >= p->high_k_mid_rw || p->low >= p->high_k_high_rw)
        return SC_ERR_ARG;
    return SC_OK;
}

sc_outlier_class sc_drg_outlier_classify(double r, double rw, const sc_drg_outlier_params *p,
                                         double *factor)
{
    double k = rw <= p->rw_band_low ? p->high_k_low_rw
             : rw <= p->rw_band_high ? p->high_k_mid_rw : p->high_k_high_rw;
    if (r >= k) {
        *factor = 1.0 + (r - k);
        return SC_OUT_HIGH;
    }
    if (r <= p->low) {
        *factor = r;
        return SC_OUT_LOW;
    }
    *factor = 1.0;
    return SC_OUT_NORMAL;
}
