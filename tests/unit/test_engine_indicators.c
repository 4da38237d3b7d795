/*
 * test_engine_indicators.c - the engine side of the indicators
 * (engine/indicators.c: ind_run) on a generated region (demo tables,
 * scheme both): the rule-rate indicators from per-slot masks built here
 * (the rules stage's interface: bit r-1 = Rr, evaluated[13]), "not
 * evaluated" without them, the low-risk bits, and the consumption
 * indices recomputed here by brute force over the slots (every DRG, every
 * institution) - not from the program's partials - over partial slices of
 * 256 slots, and with costs beyond 32 bits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "demo_region.h"
#include "../../engine/indicators.h"

static char g_tmp[256];
static cm_config g_cfg;
static cm_period g_p;
static cm_scenario g_s;

static int setup(void **state)
{
    (void)state;
    char err[1024];
    /* partial slices of 256 slots: the region's 6000 rows span about 24 of them */
    if (demo_region(g_tmp, sizeof g_tmp, "/tmp/casemix-ind-XXXXXX", &g_cfg, 6000, 3000, 777)) return -1;
    snprintf(g_cfg.input_file, sizeof g_cfg.input_file, "%s/current.csv", g_tmp);
    for (int h = 0; h < g_cfg.n_history; h++)
        snprintf(g_cfg.history[h].file, sizeof g_cfg.history[h].file, "%s/history_%d.csv", g_tmp, g_cfg.history[h].year);
    if (period_build(&g_p, &g_cfg, g_cfg.input_file, 1, err, sizeof err)) { fprintf(stderr, "%s\n", err); return -1; }
    if (sn_run(&g_s, &g_p, &g_cfg, SN_IN_SLOTS, err, sizeof err)) { fprintf(stderr, "%s\n", err); return -1; }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sn_free(&g_s);
    period_free(&g_p);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* A mask per slot from the line number (deterministic, any pattern). */
static uint16_t mask_of(uint32_t line)
{
    uint16_t m = 0;
    if (line % 7 == 0) m |= 1u << 0;           /* R01 */
    if (line % 13 == 0) m |= 1u << 1;          /* R02 */
    if (line % 5 == 0) m |= 1u << 3;           /* R04 */
    if (line % 17 == 3) m |= 1u << 4;          /* R05 */
    if (line % 3 == 1) m |= 1u << 5;           /* R06 */
    if (line % 19 == 0) m |= 1u << 6;          /* R07 */
    if (line % 23 == 0) m |= 1u << 7;          /* R08 */
    if (line % 29 == 0) m |= 1u << 10;         /* R11 */
    if (line % 2 == 0) m |= 1u << 12;          /* R13: no indicator */
    return m;
}

static void test_rule_rates_from_masks(void **state)
{
    (void)state;
    const cm_period *p = &g_p;
    size_t n = p->s.n, ninst = p->ninst;
    uint16_t *masks = calloc(n, sizeof *masks);
    uint8_t *lowrisk = calloc(n, 1);
    int64_t (*hits)[13] = calloc(ninst, sizeof *hits);
    int64_t *cases = calloc(ninst, sizeof *cases), *lr = calloc(ninst, sizeof *lr), *lrd = calloc(ninst, sizeof *lrd);
    for (size_t i = 0; i < n; i++) {
        const cm_case *c = &p->s.slots[i];
        masks[i] = mask_of(c->line);
        lowrisk[i] = (uint8_t)((c->line % 4 == 0) | ((c->line % 8 == 0) << 1));
        if (c->status != SLOT_CASE) continue;
        cases[c->inst]++;
        for (int r = 0; r < 13; r++) hits[c->inst][r] += (masks[i] >> r) & 1;
        lr[c->inst] += lowrisk[i] & 1;
        lrd[c->inst] += lowrisk[i] == 3;
    }
    bool ev[13];
    for (int r = 0; r < 13; r++) ev[r] = true;
    ev[6] = false; /* R07 not evaluated */
    cm_indicators ind;
    memset(&ind, 0, sizeof ind);
    char err[512];
    assert_int_equal(ind_run(&ind, p, &g_s, masks, ev, lowrisk, err, sizeof err), CM_OK);
    static const struct { int ind, rule; } RR[] = {
        {SC_IND_R01_RATE, 1}, {SC_IND_R02_RATE, 2}, {SC_IND_R04_RATE, 4}, {SC_IND_R05_RATE, 5},
        {SC_IND_R06_RATE, 6}, {SC_IND_R08_RATE, 8}, {SC_IND_R11_RATE, 11}};
    for (size_t k = 0; k < ninst; k++) {
        const sc_ind_value *v = ind.v + k * SC_IND__COUNT;
        for (size_t q = 0; q < sizeof RR / sizeof RR[0]; q++) {
            const sc_ind_value *x = &v[RR[q].ind];
            assert_true(x->evaluated);
            assert_int_equal((int64_t)x->num, hits[k][RR[q].rule - 1]);
            assert_int_equal((int64_t)x->den, cases[k]);
        }
        assert_false(v[SC_IND_R07_RATE].evaluated);
        assert_true(isnan(v[SC_IND_R07_RATE].value));
        assert_int_equal((int64_t)v[SC_IND_LOW_RISK_MORTALITY].num, lrd[k]);
        assert_int_equal((int64_t)v[SC_IND_LOW_RISK_MORTALITY].den, lr[k]);
    }
    ind_free(&ind);
    /* without the rules: every rule rate not evaluated (not zero) */
    memset(&ind, 0, sizeof ind);
    assert_int_equal(ind_run(&ind, p, &g_s, NULL, NULL, NULL, err, sizeof err), CM_OK);
    for (size_t k = 0; k < ninst; k++) {
        assert_false(ind.v[k * SC_IND__COUNT + SC_IND_R01_RATE].evaluated);
        assert_false(ind.v[k * SC_IND__COUNT + SC_IND_LOW_RISK_MORTALITY].evaluated);
        assert_int_equal(ind.cls[k * SC_IND__COUNT + SC_IND_R01_RATE], SC_PEER_NOT_RANKED);
    }
    ind_free(&ind);
    free(masks); free(lowrisk); free(hits); free(cases); free(lr); free(lrd);
}

/* Consumption indices by brute force: per institution and DRG, mean cost
 * and LOS against the region's, weighted by the institution's cases. */
static void check_consumption(void)
{
    const cm_period *p = &g_p;
    size_t n = p->s.n, ninst = p->ninst, nd = p->nd;
    assert_true(p->drg != NULL);
    double *rc = calloc(nd, sizeof *rc), *rl = calloc(nd, sizeof *rl), *rn = calloc(nd, sizeof *rn),
           *rln = calloc(nd, sizeof *rln);
    double *kc = calloc(ninst * nd, sizeof *kc), *kl = calloc(ninst * nd, sizeof *kl),
           *kn = calloc(ninst * nd, sizeof *kn), *kln = calloc(ninst * nd, sizeof *kln);
    for (size_t i = 0; i < n; i++) {
        const cm_case *c = &p->s.slots[i];
        if (c->status != SLOT_CASE || c->drg < 0) continue;
        size_t d = (size_t)c->drg, j = c->inst * nd + d;
        rc[d] += (double)c->total_fen; rn[d]++; kc[j] += (double)c->total_fen; kn[j]++;
        if (c->los_days != 65535) { rl[d] += c->los_days; rln[d]++; kl[j] += c->los_days; kln[j]++; }
    }
    cm_indicators ind;
    memset(&ind, 0, sizeof ind);
    char err[512];
    assert_int_equal(ind_run(&ind, p, &g_s, NULL, NULL, NULL, err, sizeof err), CM_OK);
    for (size_t k = 0; k < ninst; k++) {
        double cnum = 0, cden = 0, tnum = 0, tden = 0;
        for (size_t d = 0; d < nd; d++) {
            size_t j = k * nd + d;
            if (kn[j] > 0 && rc[d] > 0) { cnum += kn[j] * (kc[j] / kn[j]) / (rc[d] / rn[d]); cden += kn[j]; }
            if (kln[j] > 0 && rl[d] > 0) { tnum += kln[j] * (kl[j] / kln[j]) / (rl[d] / rln[d]); tden += kln[j]; }
        }
        const sc_ind_value *v = ind.v + k * SC_IND__COUNT;
        if (!(fabs(v[SC_IND_COST_INDEX].value - cnum / cden) <= 1e-9)) /* NaN fails too */
            fail_msg("institution %zu cost index %.12g, brute force %.12g", k, v[SC_IND_COST_INDEX].value, cnum / cden);
        if (!(fabs(v[SC_IND_TIME_INDEX].value - tnum / tden) <= 1e-9))
            fail_msg("institution %zu time index %.12g, brute force %.12g", k, v[SC_IND_TIME_INDEX].value, tnum / tden);
    }
    assert_true(fabs(ind.region[SC_IND_COST_INDEX].value - 1) < 1e-9);
    /* previous values from the newest history year (history configured) */
    assert_non_null(p->cal.prev);
    assert_false(isnan(ind.prev[0 * SC_IND__COUNT + SC_IND_COST_PER_CASE]));
    ind_free(&ind);
    free(rc); free(rl); free(rn); free(rln); free(kc); free(kl); free(kn); free(kln);
}

static void test_consumption_brute_force(void **state)
{
    (void)state;
    assert_true(g_p.nslice >= 8); /* the region spans slices (setup): each slice's cases placed by institution */
    check_consumption();
}

/* A case whose total cost does not fit 32 bits (ind_run keeps 32 bits of a
 * case's cost in its institution-order figures): every 7th DRG case gets
 * 5e9 fen more (the region's DRG cost sums too, as the period would have
 * them), and the indices still match the brute force. */
static void test_consumption_big_costs(void **state)
{
    (void)state;
    cm_period *p = &g_p;
    size_t big = 0;
    for (size_t i = 0; i < p->s.n; i++) {
        cm_case *c = &p->s.slots[i];
        if (c->status != SLOT_CASE || c->drg < 0 || i % 7) continue;
        c->total_fen += 5000000000LL;
        p->drg_cost[c->drg] += 5000000000LL;
        big++;
    }
    assert_true(big > 100);
    check_consumption();
    for (size_t i = 0; i < p->s.n; i++) { /* as it was, for the other tests */
        cm_case *c = &p->s.slots[i];
        if (c->status != SLOT_CASE || c->drg < 0 || i % 7) continue;
        c->total_fen -= 5000000000LL;
        p->drg_cost[c->drg] -= 5000000000LL;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_rates_from_masks),
        cmocka_unit_test(test_consumption_brute_force),
        cmocka_unit_test(test_consumption_big_costs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
