/*
 * test_forecast.c - the forecast without history years and the basis of
 * the month's pre-settlement point value (scoring/forecast.c,
 * docs/METHODS.md §9 "Without history years").
 *
 * Hand-worked (every figure below worked here, not taken from the library):
 *   months Jan 75, Feb 100, Mar 125 points (750,000 / 1,000,000 / 1,250,000
 *   e4): n = 3, mean 100 points, sample variance (25² + 0 + 25²) / (3 − 1) =
 *   625 → sd 25, cv 0.25; with month_cv 0.25 counted as 2 months the cv is
 *   sqrt((2 × 0.0625 + 2 × 0.0625) / 4) = 0.25; r = 9 months left: sd of the
 *   rest = 0.25 × 100 × sqrt(9 + 81 / 3) = 0.25 × 100 × 6 = 150 points;
 *   band ± 2 × 150 = ± 300 around 12 × 100 = 1,200 → 900 .. 1,500 points,
 *   half-width 0.25. Allocated 1,200,000.00 yuan at fund share 0.5: point
 *   value 1.2e8 fen / 100 / 0.5 / 1,200 = 2,000 yuan/point, band low
 *   1.2e6 / 0.5 / 1,500 = 1,600, high 1.2e6 / 0.5 / 900 = 2,666.67.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "../../scoring/scoring.h"

#define EXPECT_NEAR(actual, expected, tol, what)                                       \
    do {                                                                               \
        double a_ = (double)(actual), e_ = (double)(expected);                         \
        if (!(fabs(a_ - e_) <= (tol)))                                                 \
            fail_msg("%s: got %.9g, expected %.9g", (what), a_, e_);                   \
    } while (0)

static void test_hand_worked(void **state)
{
    (void)state;
    int64_t m[12] = {750000, 1000000, 1250000, 999, 0, 0, 0, 0, 0, 0, 0, 0}; /* April not in the mask */
    sc_flat_forecast f;
    assert_int_equal(sc_forecast_flat(m, 0x7, 0.25, 0.02, &f), SC_OK);
    assert_int_equal(f.months, 3);
    EXPECT_NEAR(f.total_e4, 12000000, 1e-6, "12 × the mean month");
    EXPECT_NEAR(f.cv_months, 0.25, 1e-12, "the months' cv (n − 1)");
    EXPECT_NEAR(f.cv, 0.25, 1e-12, "pooled cv");
    EXPECT_NEAR(f.half, 0.25, 1e-12, "half-width");
    EXPECT_NEAR(f.low_e4, 9000000, 1e-6, "band low");
    EXPECT_NEAR(f.high_e4, 15000000, 1e-6, "band high");
    EXPECT_NEAR(sc_year_pv(120000000, 0.5, f.total_e4), 2000, 1e-9, "forecast point value");
    EXPECT_NEAR(sc_year_pv(120000000, 0.5, f.high_e4), 1600, 1e-9, "point value band low");
    EXPECT_NEAR(sc_year_pv(120000000, 0.5, f.low_e4), 1200000.0 / 0.5 / 900, 1e-9, "point value band high");

    /* months 100, 140, 60 points: sample variance (0 + 40² + 40²) / 2 = 1,600 → cv 0.4; pooled
     * (2 × 0.16 + 2 × 0.0625) / 4 = 0.11125; r = 9: 2 × sqrt(36) / 12 = 1, so the half-width is the cv */
    int64_t m2[12] = {1000000, 1400000, 600000};
    assert_int_equal(sc_forecast_flat(m2, 0x7, 0.25, 0.02, &f), SC_OK);
    EXPECT_NEAR(f.cv_months, 0.4, 1e-12, "cv 0.4");
    EXPECT_NEAR(f.cv, sqrt(0.11125), 1e-12, "pooled with the prior as 2 months");
    EXPECT_NEAR(f.half, sqrt(0.11125), 1e-12, "half-width = cv at n = 3");
    EXPECT_NEAR(f.high_e4, 12000000 * (1 + sqrt(0.11125)), 1e-3, "band high");
}

static void test_boundaries(void **state)
{
    (void)state;
    sc_flat_forecast f;
    /* one month: the prior alone; r = 11: 2 × 0.25 × sqrt(11 + 121) / 12 = sqrt(132) / 24 */
    int64_t one[12] = {1000000};
    assert_int_equal(sc_forecast_flat(one, 0x1, 0.25, 0.02, &f), SC_OK);
    EXPECT_NEAR(f.cv_months, 0, 0, "no spread from one month");
    EXPECT_NEAR(f.cv, 0.25, 1e-12, "the prior");
    EXPECT_NEAR(f.half, sqrt(132.0) / 24, 1e-12, "one month's half-width (47.9%)");
    EXPECT_NEAR(f.low_e4, 12000000 * (1 - sqrt(132.0) / 24), 1e-3, "low");
    /* twelve months: the year is known, the band only ± band_min */
    int64_t all[12];
    for (int i = 0; i < 12; i++) all[i] = 1000000 + 100000 * (i % 3);
    assert_int_equal(sc_forecast_flat(all, 0xFFF, 0.25, 0.02, &f), SC_OK);
    EXPECT_NEAR(f.total_e4, 12000000 + 100000 * 12, 1e-6, "the year's own score");
    EXPECT_NEAR(f.half, 0, 0, "no month left");
    EXPECT_NEAR(f.low_e4, 13200000 * 0.98, 1e-6, "band_min low");
    EXPECT_NEAR(f.high_e4, 13200000 * 1.02, 1e-6, "band_min high");
    /* the year scores at least its months so far: a wide prior clips the low end at Σ */
    assert_int_equal(sc_forecast_flat(one, 0x1, 2.0, 0.02, &f), SC_OK);
    EXPECT_NEAR(f.low_e4, 1000000, 0, "low end = the months' score");
    /* months apart (January and March): two months, February's slot ignored */
    int64_t apart[12] = {1000000, 777, 1000000};
    assert_int_equal(sc_forecast_flat(apart, 0x5, 0.25, 0.0, &f), SC_OK);
    assert_int_equal(f.months, 2);
    EXPECT_NEAR(f.total_e4, 12000000, 1e-6, "January and March");
    /* r = 10, n = 2: cv sqrt(2 × 0.0625 / 3); 2 × cv × sqrt(10 + 50) / 12 */
    EXPECT_NEAR(f.half, 2 * sqrt(0.125 / 3) * sqrt(60.0) / 12, 1e-12, "two equal months");
    /* errors */
    assert_int_equal(sc_forecast_flat(one, 0, 0.25, 0.02, &f), SC_ERR_EMPTY);
    int64_t zero[12] = {0};
    assert_int_equal(sc_forecast_flat(zero, 0x3, 0.25, 0.02, &f), SC_ERR_EMPTY);
    int64_t neg[12] = {5, -1};
    assert_int_equal(sc_forecast_flat(neg, 0x3, 0.25, 0.02, &f), SC_ERR_ARG);
    assert_int_equal(sc_forecast_flat(one, 0x1, 0.0, 0.02, &f), SC_ERR_ARG);
    assert_int_equal(sc_forecast_flat(one, 0x1, 2.01, 0.02, &f), SC_ERR_ARG);
    assert_int_equal(sc_forecast_flat(one, 0x1, NAN, 0.02, &f), SC_ERR_ARG);
    assert_int_equal(sc_forecast_flat(one, 0x1, 2.0, 0.02, &f), SC_OK);
}

/* The same bits on every platform (METHODS §9 "Precision"): large months (S² beyond 64 bits), the
 * expected doubles worked in Python (IEEE double, int → float and math.sqrt correctly rounded) by the
 * documented order: dev = n Σ m² − S² (exact integers); (n − 1) c_M² = n dev ÷ S²; c² = ((n − 1) c_M² +
 * 2 c_0²) ÷ (n + 1); Ŝ = 12 S ÷ n; half = √c² × √(12 (12 − n) ÷ n) × 2 ÷ 12; band Ŝ ∓ Ŝ × half. Each
 * is within 1.4e-16 relative of the exact value (60-digit decimal). Compared bit for bit: a long double,
 * a fused multiply-add or another order would change the last bits. */
static void test_portable_bits(void **state)
{
    (void)state;
    /* Jan, Feb, Mar, May, Jul; the other months' slots are outside the mask */
    int64_t m[12] = {123456789012345, 98765432109876, 111111111111111, 5, 7, 9, 100000000000000, 1, 1, 1, 1, 1};
    sc_flat_forecast f;
    assert_int_equal(sc_forecast_flat(m, 0x57, 0.3, 0.02, &f), SC_OK);
    assert_int_equal(f.months, 5);
    assert_true(f.total_e4 == 0x1.d8efef345bc6dp+49);
    assert_true(f.low_e4 == 0x1.38523acf17e8cp+49);
    assert_true(f.high_e4 == 0x1.3cc6d1cccfd27p+50);
    assert_true(f.cv_months == 0x1.24362a286405bp-1);
    assert_true(f.cv == 0x1.fd1340dc1b1bbp-2);
    assert_true(f.half == 0x1.5bc3bb1092f0cp-2);
    /* months where a fused multiply-add (Ŝ − Ŝ × half in one rounding) would change both band ends' last
     * bit: fma gives ...81bp+46 and ...be5p+46 (worked in Python with exact fractions) */
    int64_t m3[12] = {7580507462400, 6995634876093, 9513809488445};
    sc_flat_forecast f3;
    assert_int_equal(sc_forecast_flat(m3, 0x7, 0.25, 0.02, &f3), SC_OK);
    assert_true(f3.total_e4 == 0x1.5e8e10573fa00p+46);
    assert_true(f3.half == 0x1.b114faee5a2cdp-3);
    assert_true(f3.low_e4 == 0x1.146cafcc0081cp+46);
    assert_true(f3.high_e4 == 0x1.a8af70e27ebe4p+46);
    /* the point value of the band's high end and the money of it (scoring/clearing.c, the same order of
     * double operations; Python: (1.23456789012e11 × 100) ÷ (share × high) = 0x1.a634a63654fb2p-7, within
     * 5.8e-18 relative of the exact quotient; ((pv × share) × points) ÷ 100 = 8,751,993,393.0428 fen) */
    double pv = sc_year_pv(123456789012, 0.6877457188537702, f.high_e4);
    assert_true(pv == 0x1.a634a63654fb2p-7);
    assert_int_equal(sc_points_fen(pv, 0.6877457188537702, 98765432109876), 8751993393);
    /* a month beyond 2^53 e4 (9.0e11 points) is refused, not rounded */
    int64_t big[12] = {((int64_t)1 << 53) + 1};
    assert_int_equal(sc_forecast_flat(big, 0x1, 0.25, 0.02, &f), SC_ERR_ARG);
    big[0] = (int64_t)1 << 53;
    assert_int_equal(sc_forecast_flat(big, 0x1, 0.25, 0.02, &f), SC_OK);
}

/* The pay basis of the hand-worked months: forecast 2,000, band low 1,600. */
static void test_pay_basis(void **state)
{
    (void)state;
    sc_year_params p;
    sc_year_params_default(&p);
    assert_int_equal(sc_year_params_check(&p), SC_OK);
    sc_pay_basis b;
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 0, 3, &p, &b), 1600, 0, "default: the band's low end");
    assert_int_equal(b, SC_BASIS_BAND_LOW);
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 1, 3, &p, &b), 2000, 0, "with history: the forecast");
    assert_int_equal(b, SC_BASIS_FORECAST);
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 0, 12, &p, &b), 2000, 0, "twelve months: the forecast");
    assert_int_equal(b, SC_BASIS_FORECAST);
    p.budget_point_value = 1500;
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 0, 3, &p, &b), 1500, 0, "the budget point value below the band");
    assert_int_equal(b, SC_BASIS_BUDGET);
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 1, 3, &p, &b), 2000, 0, "with history: no cap");
    p.budget_point_value = 1700;
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 0, 3, &p, &b), 1600, 0, "the budget point value above the band");
    assert_int_equal(b, SC_BASIS_BAND_LOW);
    p.budget_point_value = 1500;
    p.estimate_margin = 0.1; /* 预拨比例 90% */
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 0, 3, &p, &b), 1350, 1e-9, "90% of the budget point value");
    p.budget_point_value = 0;
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 0, 3, &p, &b), 1440, 1e-9, "90% of the band's low end");
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 1, 3, &p, &b), 1800, 1e-9, "90% of the forecast");
    p.no_history_pay = SC_NOHIST_FORECAST;
    EXPECT_NEAR(sc_no_history_pay(2000, 1600, 0, 3, &p, &b), 1800, 1e-9, "\"forecast\": as before");
    assert_int_equal(b, SC_BASIS_FORECAST);
    p.no_history_pay = SC_NOHIST_BAND_LOW;
    p.estimate_margin = 0;
    EXPECT_NEAR(sc_no_history_pay(2000, 2100, 0, 3, &p, &b), 2000, 0, "never above the forecast");
    EXPECT_NEAR(sc_no_history_pay(0, 1600, 0, 3, &p, &b), 0, 0, "no forecast: 0");
    EXPECT_NEAR(sc_no_history_pay(2000, 0, 0, 3, &p, &b), 0, 0, "no band: 0");
    p.month_cv = 0;
    assert_int_equal(sc_year_params_check(&p), SC_ERR_ARG);
    p.month_cv = 0.25;
    p.no_history_pay = 7;
    assert_int_equal(sc_year_params_check(&p), SC_ERR_ARG);
}

/* Property: with months drawn independently (normal, cv 0.25 = the prior) the year's score lies in
 * the band about 93% of the years after any number of months, and is above it (the band's low point
 * value above the final one: a month overpaid) in under 10%. Seeded: the same draws every run. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double unif(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return ((rng >> 11) + 0.5) / 9007199254740992.0;
}
static void test_coverage(void **state)
{
    (void)state;
    const int N = 4000;
    for (int n = 1; n <= 11; n++) {
        int in = 0, over = 0;
        for (int t = 0; t < N; t++) {
            int64_t m[12], year = 0;
            for (int i = 0; i < 12; i++) {
                double g = sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
                double x = 1e6 * (1 + 0.25 * g);
                m[i] = x > 0 ? (int64_t)x : 0;
                year += m[i];
            }
            sc_flat_forecast f;
            assert_int_equal(sc_forecast_flat(m, (1u << n) - 1, 0.25, 0.02, &f), SC_OK);
            in += f.low_e4 <= year && year <= f.high_e4;
            over += year > f.high_e4;
        }
        if (in < 0.88 * N || in > 0.98 * N || over > 0.10 * N)
            fail_msg("after %d month(s): the year in the band %d of %d, above it %d", n, in, N, over);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_portable_bits),
        cmocka_unit_test(test_pay_basis),
        cmocka_unit_test(test_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
