/*
 * test_scoring_reprice.c - the policy simulation arithmetic of
 * scoring/reprice.c, without files: fixed-point re-pricing and its
 * rounding (half to even), the fund part at the case's share, the static
 * measurement, the bisection solve on a monotone evaluator (a step
 * function built from many cases, checked against a brute-force scan),
 * and the payment decomposition.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../scoring/scoring.h"

#define ONE SC_MULT_ONE

static void test_amount_rounding(void **state)
{
    (void)state;
    assert_int_equal(sc_reprice_amount(12345, ONE), 12345);
    assert_int_equal(sc_reprice_amount(1000, ONE / 10 * 11), 1100);         /* ×1.1 */
    assert_int_equal(sc_reprice_amount(5, ONE / 2), 2);                    /* 2.5 -> 2 (even) */
    assert_int_equal(sc_reprice_amount(7, ONE / 2), 4);                    /* 3.5 -> 4 (even) */
    assert_int_equal(sc_reprice_amount(-7, ONE / 2), -4);                  /* refunds symmetric */
    assert_int_equal(sc_reprice_amount(333, ONE / 3), 111);
    /* no overflow in the product: 10^9 yuan × 100 */
    assert_int_equal(sc_reprice_amount(INT64_C(100000000000), ONE * 100), INT64_C(10000000000000));
}

/* the 64-bit fast path and the 128-bit one agree, at the edges too */
static void test_fast_path_agrees(void **state)
{
    (void)state;
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        int64_t fen = (int64_t)(x % (i % 3 == 0 ? UINT64_C(20000000000) : UINT64_C(10000000))) - (i % 7 == 0 ? 5000 : 0);
        int64_t m = (int64_t)((x >> 17) % (uint64_t)(3 * ONE));
        if (i % 11 == 0) m = ONE / 2; /* exact halves: ties to even */
        assert_int_equal(sc_reprice_amount(fen, m), sc_muldiv_round(fen, m, ONE));
        int64_t total = fen > 0 ? fen + 1 : 1000, fund = (int64_t)(x % (uint64_t)total);
        assert_int_equal(sc_reprice_fund(fen, fund, total), fen == total ? fund : sc_muldiv_round(fen, fund, total));
    }
}

/* sc_reprice_case_full (one reciprocal for the case's five divisions)
 * against the one-at-a-time functions: random cases, refunds (negative
 * amounts), amounts past the reciprocal's 2^53 range, totals <= 0,
 * unchanged cases and exact halves */
static void test_case_full_agrees(void **state)
{
    (void)state;
    uint64_t x = 0xD1B54A32D192ED03ull;
    for (int i = 0; i < 300000; i++) {
        int n = 1 + i % 6;
        int64_t cat[6], m[6], d0[6], d1[6], df[6];
        int64_t total = 0;
        for (int k = 0; k < n; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            uint64_t span = i % 50 == 0 ? UINT64_C(4000000000000) : i % 3 ? UINT64_C(2000000) : UINT64_C(200);
            cat[k] = (int64_t)(x % span) - (i % 9 == 0 ? (int64_t)(span / 4) : 0);
            m[k] = i % 7 == 0 ? ONE : (int64_t)((x >> 20) % (uint64_t)(2 * ONE));
            if (i % 11 == 0) m[k] = ONE / 2;
            total += cat[k];
        }
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        total += (int64_t)(x % 100000);
        if (i % 97 == 0) total = -(int64_t)(x % 1000);
        int64_t fund = total > 0 ? (int64_t)(x >> 11) % (total + 1) : (int64_t)(x % 500);
        if (i % 5 == 0 && total > 1) fund = total / 2 + 1;
        int64_t nf, nc = sc_reprice_case_full(total, fund, cat, m, n, d1, df, &nf);
        int64_t nc0 = sc_reprice_case(total, cat, m, n, d0);
        assert_int_equal(nc, nc0);
        assert_int_equal(nf, sc_reprice_fund(nc0, fund, total));
        for (int k = 0; k < n; k++) {
            assert_int_equal(d1[k], d0[k]);
            assert_int_equal(df[k], total > 0 ? sc_muldiv_round(d0[k], fund, total) : 0);
        }
    }
}

static void test_case_and_fund(void **state)
{
    (void)state;
    /* total 100.00 yuan: exam 30.00 (×0.85 = 25.50), surgery 50.01 (×1.2 = 60.012 -> 60.01),
     * 19.99 of other categories unchanged: new total 10000 - 450 + 1000 = 10550 */
    int64_t cat[2] = {3000, 5001}, m[2] = {ONE / 100 * 85, ONE / 10 * 12}, d[2];
    int64_t nt = sc_reprice_case(10000, cat, m, 2, d);
    assert_int_equal(d[0], -450);
    assert_int_equal(d[1], 1000);
    assert_int_equal(nt, 10000 - 450 + 1000);
    /* fund 70%: 10550 × 7000 / 10000 = 7385 */
    assert_int_equal(sc_reprice_fund(nt, 7000, 10000), 7385);
    /* half-even at the share: 3 × 1/2 = 1.5 -> 2; 5 × 1/2 = 2.5 -> 2 */
    assert_int_equal(sc_reprice_fund(3, 1, 2), 2);
    assert_int_equal(sc_reprice_fund(5, 1, 2), 2);
    /* unchanged total, or no total: the fund part as it was */
    assert_int_equal(sc_reprice_fund(999, 333, 999), 333);
    assert_int_equal(sc_reprice_fund(50, 7, 0), 7);
}

static void test_measure(void **state)
{
    (void)state;
    sc_measure a = {0}, b = {0};
    int64_t d1[3] = {100, -40, 0}, d2[3] = {-5, 7, -2};
    sc_measure_add(&a, d1, 3, 30);
    sc_measure_add(&b, d2, 3, -1);
    sc_measure_merge(&a, &b);
    assert_int_equal(a.up_fen, 107);
    assert_int_equal(a.down_fen, -47);
    assert_int_equal(a.net_fen, 60);
    assert_int_equal(a.fund_fen, 29);
    assert_int_equal(a.patient_fen, 31);
    assert_int_equal(a.up_fen + a.down_fen, a.net_fen);
}

/* A region of n cases with pseudo-random category amounts: Σ re-priced
 * total as a function of the multiplier (a monotone step function). */
typedef struct {
    int n;
    int64_t *v, *rest;
} region;

static int64_t eval_total(void *ctx, int64_t m)
{
    const region *r = ctx;
    int64_t s = 0;
    for (int i = 0; i < r->n; i++) s += sc_reprice_case(r->rest[i] + r->v[i], &r->v[i], &m, 1, NULL);
    return s;
}

static void test_solve(void **state)
{
    (void)state;
    region r = {500, calloc(500, 8), calloc(500, 8)};
    uint64_t x = 88172645463325252ull;
    int64_t base = 0, part = 0;
    for (int i = 0; i < r.n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        r.v[i] = (int64_t)(x % 500000);
        r.rest[i] = (int64_t)((x >> 20) % 300000);
        base += r.v[i] + r.rest[i];
        part += r.v[i];
    }
    /* target: Σ total − 10% of the category's sum, off a round multiplier by
     * 12,345 fen (a multiplier near 0.9 where the steps are of 1 fen) */
    int64_t target = base - part / 10 + 12345;
    sc_solve_result s;
    assert_int_equal(sc_solve_multiplier(eval_total, &r, target, ONE / 2, ONE * 2, 1, &s), SC_OK);
    assert_true(s.converged);
    assert_true(s.residual >= -1 && s.residual <= 1);
    assert_int_equal(eval_total(&r, s.m), s.value);
    assert_true(s.m > ONE / 100 * 89 && s.m < ONE / 100 * 91);
    assert_true(s.iterations < 64);
    /* at exactly 0.9 the rounding boundaries of many cases coincide (amounts
     * ending in 5 fen): the total jumps by more than 2 fen there, so the
     * tolerance cannot be met; the best multiplier is returned, no neighbour
     * is closer, and converged says so */
    target = base - part / 10;
    assert_int_equal(sc_solve_multiplier(eval_total, &r, target, ONE / 2, ONE * 2, 1, &s), SC_OK);
    assert_false(s.converged);
    int64_t rb = llabs(s.residual);
    assert_true(llabs(eval_total(&r, s.m - 1) - target) >= rb);
    assert_true(llabs(eval_total(&r, s.m + 1) - target) >= rb);
    /* a target outside the range: the closest end, not converged */
    assert_int_equal(sc_solve_multiplier(eval_total, &r, base * 10, ONE / 2, ONE * 2, 1, &s), SC_OK);
    assert_false(s.converged);
    assert_int_equal(s.m, ONE * 2);
    /* bad arguments */
    assert_int_equal(sc_solve_multiplier(eval_total, &r, 0, ONE, ONE / 2, 1, &s), SC_ERR_ARG);
    assert_int_equal(sc_solve_multiplier(NULL, &r, 0, 0, ONE, 1, &s), SC_ERR_ARG);
    free(r.v);
    free(r.rest);
}

/* one case of 1 fen per step: the solve must land exactly on the target */
static int64_t eval_linear(void *ctx, int64_t m)
{
    (void)ctx;
    return sc_reprice_amount(1000000, m); /* 1,000,000 fen × m */
}

static void test_solve_exact(void **state)
{
    (void)state;
    sc_solve_result s;
    assert_int_equal(sc_solve_multiplier(eval_linear, NULL, 923077, ONE / 4, ONE * 4, 0, &s), SC_OK);
    assert_true(s.converged);
    assert_int_equal(s.value, 923077);
    assert_int_equal(s.residual, 0);
}

static void test_decompose(void **state)
{
    (void)state;
    /* budget 15000.00 yuan over 3000 points (e4); an institution goes from
     * 1000 to 1250 points and from 5000.00 to 6250.00 yuan (fixed point
     * value): all of it is its own price effect */
    int64_t pe, se;
    sc_pay_decompose(1500000, 30000000, 10000000, 12500000, 500000, 625000, &pe, &se);
    assert_int_equal(pe, 125000);
    assert_int_equal(se, 0);
    /* fixed budget: its points unchanged but the payment fell (others' points
     * rose): all structure effect */
    sc_pay_decompose(1500000, 30000000, 15000000, 15000000, 750000, 692308, &pe, &se);
    assert_int_equal(pe, 0);
    assert_int_equal(se, -57692);
    /* price + structure = change, always */
    sc_pay_decompose(1234567, 7654321, 1111111, 999999, 222222, 200001, &pe, &se);
    assert_int_equal(pe + se, 200001 - 222222);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amount_rounding), cmocka_unit_test(test_fast_path_agrees),
        cmocka_unit_test(test_case_full_agrees),
        cmocka_unit_test(test_case_and_fund),
        cmocka_unit_test(test_measure),         cmocka_unit_test(test_solve),
        cmocka_unit_test(test_solve_exact),     cmocka_unit_test(test_decompose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
