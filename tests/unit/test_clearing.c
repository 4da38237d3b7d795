/*
 * test_clearing.c - the settlement year's arithmetic (scoring/clearing.c):
 * reserve, monthly payment with the deposit, forecast, corridor at both
 * ends, surplus / overspend bands, special review, the clearing balance.
 *
 * One hand-worked region runs through the tests (every figure below is
 * worked in the comment beside it, not taken from the library):
 *   budget 1,000,000.00 yuan, reserve r = 5%, fund share 0.5,
 *   year's total score 1,000,000 points.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "../../scoring/scoring.h"

#define EXPECT_I64(actual, expected, what)                                       \
    do {                                                                         \
        int64_t a_ = (int64_t)(actual), e_ = (int64_t)(expected);                \
        if (a_ != e_)                                                            \
            fail_msg("%s: got %" PRId64 ", expected %" PRId64, (what), a_, e_);  \
    } while (0)
#define EXPECT_NEAR(actual, expected, tol, what)                                 \
    do {                                                                         \
        double a_ = (double)(actual), e_ = (double)(expected);                   \
        if (!(fabs(a_ - e_) <= (tol)))                                           \
            fail_msg("%s: got %.17g, expected %.17g", (what), a_, e_);           \
    } while (0)

static sc_year_params params(void)
{
    sc_year_params p;
    sc_year_params_default(&p);
    return p;
}

/* Reserve: 5% of 100,000,000 fen = 5,000,000 fen held back, 95,000,000
 * allocated. The final point value without a corridor: 950,000 yuan ÷ 0.5 ÷
 * 1,000,000 points = 1.9 yuan a point; the pool is the allocated budget. */
static void test_reserve(void **state)
{
    (void)state;
    EXPECT_I64(sc_share_fen(100000000, 0.05), 5000000, "reserve 5% of 1,000,000.00 yuan");
    EXPECT_I64(sc_share_fen(12345, 0.05), 617, "617.25 fen rounds to 617");
    EXPECT_I64(sc_share_fen(10, 0.05), 0, "0.5 fen rounds half-even to 0");
    EXPECT_I64(sc_share_fen(30, 0.05), 2, "1.5 fen rounds half-even to 2");
    sc_year_params p = params();
    sc_year_pv_result r;
    sc_year_final_pv(95000000, 0.5, INT64_C(10000000000), &p, &r);
    EXPECT_NEAR(r.pv, 1.9, 1e-12, "final point value, no corridor");
    EXPECT_I64(r.clamped, 0, "not clamped");
    EXPECT_I64(r.pool_fen, 95000000, "pool = allocated budget");
    EXPECT_I64(r.reserve_used_fen, 0, "reserve untouched");
}

/* Corridor, floor: budget point value 2.2, a = 10% → floor 1.98 > 1.9: the
 * final point value is 1.98; pool 1.98 × 0.5 × 1,000,000 = 990,000.00 yuan;
 * the reserve tops up 990,000 − 950,000 = 40,000.00 yuan (of its 50,000).
 * Ceiling: budget point value 1.5, b = 20% → ceiling 1.8 < 1.9: pool 1.8 ×
 * 0.5 × 1,000,000 = 900,000.00; 50,000.00 go back to the reserve.
 * Inside: 2.0 with ±10% → [1.8, 2.2] holds 1.9: unchanged. */
static void test_corridor(void **state)
{
    (void)state;
    sc_year_params p = params();
    p.corridor = 1;
    p.budget_point_value = 2.2;
    sc_year_pv_result r;
    sc_year_final_pv(95000000, 0.5, INT64_C(10000000000), &p, &r);
    EXPECT_I64(r.clamped, -1, "floor");
    EXPECT_NEAR(r.pv, 1.98, 1e-12, "floor point value");
    EXPECT_I64(r.pool_fen, 99000000, "pool at the floor");
    EXPECT_I64(r.reserve_used_fen, 4000000, "reserve tops up 40,000.00");
    p.budget_point_value = 1.5;
    p.corridor_high = 0.2;
    sc_year_final_pv(95000000, 0.5, INT64_C(10000000000), &p, &r);
    EXPECT_I64(r.clamped, 1, "ceiling");
    EXPECT_NEAR(r.pv, 1.8, 1e-12, "ceiling point value");
    EXPECT_I64(r.pool_fen, 90000000, "pool at the ceiling");
    EXPECT_I64(r.reserve_used_fen, -5000000, "50,000.00 back to the reserve");
    p.budget_point_value = 2.0;
    p.corridor_high = 0.1;
    sc_year_final_pv(95000000, 0.5, INT64_C(10000000000), &p, &r);
    EXPECT_I64(r.clamped, 0, "inside the corridor");
    EXPECT_I64(r.pool_fen, 95000000, "inside: pool = allocated");
    p.corridor = 1;
    p.budget_point_value = 0;
    assert_int_equal(sc_year_params_check(&p), SC_ERR_ARG); /* corridor needs a budget point value */
    p = params();
    assert_int_equal(sc_year_params_check(&p), SC_OK);
    p.deposit = 1.5;
    assert_int_equal(sc_year_params_check(&p), SC_ERR_ARG);
}

/* Bands on an amount due of 100,000.00 yuan (10,000,000 fen):
 *   fund cost  90,000.00: surplus 10,000 ≤ 20% (20,000): kept, adjustment 0
 *   fund cost  80,000.00: surplus exactly 20%: kept, 0
 *   fund cost  70,000.00: surplus 30,000: 10,000.00 beyond 20% returned: −1,000,000 fen
 *   fund cost 110,000.00: overspend 10,000 within 20%: fund pays 60% = 6,000.00
 *   fund cost 150,000.00: overspend 50,000: the fund shares 60% of the first
 *                         20,000 = 12,000.00; 30,000 beyond borne by the institution
 * Bands off (the default): always 0. */
static void test_bands(void **state)
{
    (void)state;
    sc_year_params p = params();
    EXPECT_I64(sc_band_adjust(10000000, 15000000, &p), 0, "bands off");
    p.bands = 1;
    EXPECT_I64(sc_band_adjust(10000000, 9000000, &p), 0, "surplus 10% kept");
    EXPECT_I64(sc_band_adjust(10000000, 8000000, &p), 0, "surplus 20% kept");
    EXPECT_I64(sc_band_adjust(10000000, 7000000, &p), -1000000, "surplus beyond 20% returned");
    EXPECT_I64(sc_band_adjust(10000000, 11000000, &p), 600000, "overspend within 20%: 60% by the fund");
    EXPECT_I64(sc_band_adjust(10000000, 15000000, &p), 1200000, "overspend beyond 20%: capped");
    EXPECT_I64(sc_band_adjust(10000000, 10000000, &p), 0, "on budget");
}

/* Monthly payment with the deposit.
 * (a) points 100, 200, 300; estimate 10 yuan a point, share 0.6: gross
 *     10 × 0.6 × 600 = 3,600.00 yuan → 600.00, 1,200.00, 1,800.00; deposit
 *     q = 5%: 180.00 → 30.00, 60.00, 90.00; paid 570.00, 1,140.00, 1,710.00.
 * (b) remainders: three institutions of 1 point, 0.3333 yuan, share 1:
 *     gross round(99.99) = 100 fen → 34, 33, 33 (tie to the lower index);
 *     deposit round(5.00) = 5 fen over 34:33:33 → floors 1, 1, 1, remainders
 *     .70, .65, .65 → +1 to the first two: 2, 2, 1; paid 32, 31, 32. */
static void test_month_deposit(void **state)
{
    (void)state;
    int64_t pts[3] = {1000000, 2000000, 3000000}, g[3], d[3], pd[3], sc[3];
    assert_int_equal(sc_month_pay(10.0, 0.6, 0.05, pts, 3, g, d, pd, sc), SC_OK);
    int64_t eg[3] = {60000, 120000, 180000}, ed[3] = {3000, 6000, 9000}, ep[3] = {57000, 114000, 171000};
    for (int i = 0; i < 3; i++) {
        EXPECT_I64(g[i], eg[i], "gross (a)");
        EXPECT_I64(d[i], ed[i], "deposit (a)");
        EXPECT_I64(pd[i], ep[i], "paid (a)");
    }
    int64_t one[3] = {10000, 10000, 10000};
    assert_int_equal(sc_month_pay(0.3333, 1.0, 0.05, one, 3, g, d, pd, sc), SC_OK);
    int64_t bg[3] = {34, 33, 33}, bd[3] = {2, 2, 1}, bp[3] = {32, 31, 32};
    for (int i = 0; i < 3; i++) {
        EXPECT_I64(g[i], bg[i], "gross (b)");
        EXPECT_I64(d[i], bd[i], "deposit (b)");
        EXPECT_I64(pd[i], bp[i], "paid (b)");
    }
    int64_t zero[2] = {0, 0};
    assert_int_equal(sc_month_pay(1.0, 1.0, 0.05, zero, 2, g, d, pd, sc), SC_ERR_EMPTY);
}

/* Special review: approved cost 120,000.00 yuan for a case of 500 points at
 * 1.98 yuan, share 0.5: the pool paid 500 × 1.98 = 990.00 (total-cost
 * terms); the top-up is (120,000 − 990) × 0.5 = 59,505.00 yuan. Approved
 * below the pool's payment: no top-up. Cap 5‰: 200,000 cases → 1,000;
 * 1,999 → 9 (9.995 floored). */
static void test_special(void **state)
{
    (void)state;
    EXPECT_I64(sc_special_topup(12000000, 5000000, 1.98, 0.5), 5950500, "top-up");
    EXPECT_I64(sc_special_topup(50000, 5000000, 1.98, 0.5), 0, "approved below the pool payment");
    EXPECT_I64(sc_special_cap_cases(200000, 0.005), 1000, "cap 5 per mille");
    EXPECT_I64(sc_special_cap_cases(1999, 0.005), 9, "cap floored");
}

/* Clearing balance: due 125,000.00; gross monthly pre-payments 120,000.00
 * (deposit 6,000.00 of it withheld); audit deduction 1,000.00; assessment
 * 0.9 → 5,400.00 of the deposit back: 125,000 − 120,000 − 1,000 + 5,400 =
 * 9,400.00 yuan; with a band adjustment −1,000.00 and a special top-up
 * 59,505.00: 67,905.00. */
static void test_balance(void **state)
{
    (void)state;
    EXPECT_I64(sc_clear_balance(12500000, 12000000, 600000, 100000, 9000, 0, 0), 940000, "balance");
    EXPECT_I64(sc_clear_balance(12500000, 12000000, 600000, 100000, 9000, -100000, 5950500), 6790500,
               "balance with band and special review");
}

/* Two removed clearings (reopened): institution 0 was paid 1,000.00 then
 * recovered 200.00 (settled 800.00), institution 1 never in one, institution
 * 2 paid -50.00 (returned). New balances 1,234.56, 300.00, -80.00 leave
 * 434.56, 300.00, -30.00 to settle; Σ to settle = Σ balance − Σ settled. */
static void test_settle(void **state)
{
    (void)state;
    const int64_t bal[3] = {123456, 30000, -8000};
    const int64_t prior[3] = {100000, -5000, -20000};
    const size_t who[3] = {0, 2, 0};
    int64_t before[3], now[3];
    assert_int_equal(sc_clear_settle(bal, 3, prior, who, 3, before, now), SC_OK);
    EXPECT_I64(before[0], 80000, "settled before: 1,000.00 - 200.00");
    EXPECT_I64(before[1], 0, "never in a removed clearing");
    EXPECT_I64(before[2], -5000, "returned before");
    EXPECT_I64(now[0], 43456, "to settle 0");
    EXPECT_I64(now[1], 30000, "to settle 1 = its balance");
    EXPECT_I64(now[2], -3000, "to settle 2: recover the rest");
    EXPECT_I64(now[0] + now[1] + now[2], (bal[0] + bal[1] + bal[2]) - (prior[0] + prior[1] + prior[2]), "sums");
    /* no reopening: to settle = balance */
    assert_int_equal(sc_clear_settle(bal, 3, NULL, NULL, 0, before, now), SC_OK);
    for (int k = 0; k < 3; k++) {
        EXPECT_I64(before[k], 0, "none before");
        EXPECT_I64(now[k], bal[k], "to settle = balance");
    }
    /* an index out of range, an overflow: refused, zeros */
    const size_t out[1] = {3};
    assert_int_equal(sc_clear_settle(bal, 3, prior, out, 1, before, now), SC_ERR_ARG);
    EXPECT_I64(now[0], 0, "refused: zero");
    const int64_t big[2] = {INT64_MAX, 1};
    const size_t twice[2] = {1, 1};
    assert_int_equal(sc_clear_settle(bal, 3, big, twice, 2, before, now), SC_ERR_ARG);
    const int64_t neg[1] = {INT64_MIN + 1};
    const int64_t b1[1] = {10};
    const size_t z[1] = {0};
    assert_int_equal(sc_clear_settle(b1, 1, neg, z, 1, before, now), SC_ERR_ARG); /* 10 - (MIN+1) overflows */
}

/* Forecast after months 1-3 (ytd 100 points = 1,000,000 e4). History A
 * weights 2,1,...,1,2 (Σ 14, Jan-Mar 4), B all 1 (Σ 12, Jan-Mar 3).
 * Pooled: 1,000,000 × 26 / 7 = 3,714,285.714...; A alone 3,500,000,
 * B alone 4,000,000 (the band; wider than ±2%). No history: 3/12 →
 * 4,000,000, band ±2% = 3,920,000 .. 4,080,000. Point value of 950,000.00
 * yuan allocated at share 0.5 over 400 points: 4,750 yuan a point. */
static void test_forecast(void **state)
{
    (void)state;
    int64_t h[24];
    for (int m = 0; m < 12; m++) { h[m] = (m == 0 || m == 11) ? 2 : 1; h[12 + m] = 1; }
    double t, lo, hi;
    assert_int_equal(sc_forecast_total(1000000, 0x7, h, 2, 0.02, &t, &lo, &hi), SC_OK);
    EXPECT_NEAR(t, 1000000.0 * 26 / 7, 1e-6, "pooled forecast");
    EXPECT_NEAR(lo, 3500000, 1e-6, "band low: year A");
    EXPECT_NEAR(hi, 4000000, 1e-6, "band high: year B");
    assert_int_equal(sc_forecast_total(1000000, 0x7, NULL, 0, 0.02, &t, &lo, &hi), SC_OK);
    EXPECT_NEAR(t, 4000000, 1e-6, "flat");
    EXPECT_NEAR(lo, 3920000, 1e-6, "flat band low");
    EXPECT_NEAR(hi, 4080000, 1e-6, "flat band high");
    /* all twelve months: the forecast is the year's total, whatever the pattern */
    assert_int_equal(sc_forecast_total(1234567, 0xFFF, h, 2, 0.0, &t, &lo, &hi), SC_OK);
    EXPECT_NEAR(t, 1234567, 1e-6, "twelve months");
    assert_int_equal(sc_forecast_total(1, 0, h, 2, 0.02, &t, &lo, &hi), SC_ERR_EMPTY);
    EXPECT_NEAR(sc_year_pv(95000000, 0.5, 4000000), 4750.0, 1e-9, "estimate from the forecast");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve),   cmocka_unit_test(test_corridor), cmocka_unit_test(test_bands),
        cmocka_unit_test(test_month_deposit), cmocka_unit_test(test_special), cmocka_unit_test(test_balance), cmocka_unit_test(test_settle),
        cmocka_unit_test(test_forecast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
