/*
 * test_engine_scenario.c - several scenarios on one period
 * (engine/period.h: period_build, sn_run).
 *
 * A seeded demo region (config/demo.cfg: scheme "both", history
 * coefficients, 20,000 cases with bad rows and duplicates) is read once;
 * then, on that one period:
 *   1. a scenario with other settings (own arrays) runs first: DIP budget
 *      doubled, DRG budget changed, fixed level coefficients;
 *   2. the baseline (in the slots, as casemix settle runs it);
 *   3. a scenario with the baseline's settings in its own arrays: every
 *      case's score, outlier class, flags, DRG points, DRG outlier class and
 *      payments, every institution's points and payments and the point
 *      values equal the baseline's;
 *   4. a scenario with only the budgets changed: the same scores and
 *      points as the baseline, payments summing to its own budgets, point
 *      values scaled by the budget ratio;
 *   5. the settings of 1 again: the same results as when they ran first.
 * After all of them, the first scenario's results and the baseline's are
 * what they were when each finished, and the period's own slot bytes
 * (everything but the baseline's fields) did not change.
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

#include "../../bench/gen.h"
#include "../../engine/period.h"

static char g_tmp[256];
static cm_config g_cfg;
static cm_period g_p;

/* Every per-case and per-institution result of a scenario, copied. */
typedef struct {
    size_t n, ninst;
    int64_t *score, *pay, *dpts, *dpay;
    uint8_t *out, *dout;
    uint16_t *flags;
    int64_t *ipts, *ipay, *idpts, *idpay;
    double pv, dpv;
    int64_t points, dpoints, paid, dpaid;
} snap;

static void snap_take(const cm_scenario *s, snap *o)
{
    const cm_period *p = s->p;
    o->n = p->s.n;
    o->ninst = p->ninst;
    o->score = malloc(o->n * 8); o->pay = malloc(o->n * 8);
    o->dpts = malloc(o->n * 8); o->dpay = malloc(o->n * 8);
    o->out = malloc(o->n); o->dout = malloc(o->n); o->flags = malloc(o->n * 2);
    o->ipts = malloc(o->ninst * 8); o->ipay = malloc(o->ninst * 8);
    o->idpts = malloc(o->ninst * 8); o->idpay = malloc(o->ninst * 8);
    for (size_t i = 0; i < o->n; i++) {
        int c = p->s.slots[i].status == SLOT_CASE; /* other slots: nothing of a scenario */
        o->score[i] = c ? *sn_i64(s->score, i) : 0;
        o->pay[i] = c ? *sn_i64(s->pay, i) : 0;
        o->dpts[i] = c ? *sn_i64(s->drg_pts, i) : 0;
        o->dpay[i] = c ? *sn_i64(s->drg_pay, i) : 0;
        o->out[i] = c ? *sn_u8(s->outlier, i) : 0;
        o->dout[i] = c ? *sn_u8(s->drg_outlier, i) : 0;
        o->flags[i] = c ? *sn_u16(s->flags, i) : 0;
    }
    memcpy(o->ipts, s->dipt.inst_points, o->ninst * 8);
    memcpy(o->ipay, s->dipt.inst_pay, o->ninst * 8);
    memcpy(o->idpts, s->drgt.inst_points, o->ninst * 8);
    memcpy(o->idpay, s->drgt.inst_pay, o->ninst * 8);
    o->pv = s->dipt.point_value;
    o->dpv = s->drgt.point_value;
    o->points = s->dipt.points_e4;
    o->dpoints = s->drgt.points_e4;
    o->paid = s->dipt.cases_paid_fen;
    o->dpaid = s->drgt.cases_paid_fen;
}

static void snap_free(snap *o)
{
    free(o->score); free(o->pay); free(o->dpts); free(o->dpay);
    free(o->out); free(o->dout); free(o->flags);
    free(o->ipts); free(o->ipay); free(o->idpts); free(o->idpay);
}

/* Number of cases / institutions where a and b differ (0: identical). */
static size_t snap_diff(const snap *a, const snap *b)
{
    size_t d = 0;
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        d += a->score[i] != b->score[i] || a->pay[i] != b->pay[i] || a->dpts[i] != b->dpts[i] ||
             a->dpay[i] != b->dpay[i] || a->out[i] != b->out[i] || a->dout[i] != b->dout[i] ||
             a->flags[i] != b->flags[i];
    for (size_t k = 0; k < a->ninst; k++)
        d += a->ipts[k] != b->ipts[k] || a->ipay[k] != b->ipay[k] || a->idpts[k] != b->idpts[k] ||
             a->idpay[k] != b->idpay[k];
    d += a->pv != b->pv || a->dpv != b->dpv || a->points != b->points || a->dpoints != b->dpoints;
    return d;
}

/* FNV-1a over the period's own bytes of every slot: the slot with the
 * baseline's fields (score_e4, pay_fen, outlier, drg_outlier, SN_FLAGS)
 * cleared. */
static uint64_t period_hash(const cm_period *p)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < p->s.n; i++) {
        cm_case c = p->s.slots[i];
        c.score_e4 = 0;
        c.pay_fen = 0;
        c.outlier = 0;
        c.drg_outlier = 0;
        c.flags = (uint16_t)(c.flags & ~SN_FLAGS);
        const unsigned char *b = (const unsigned char *)&c;
        for (size_t k = 0; k < sizeof c; k++) h = (h ^ b[k]) * 1099511628211ull;
    }
    for (size_t k = 0; k < p->ninst; k++) {
        h = (h ^ (uint64_t)p->ip[k].cost_fen) * 1099511628211ull;
        h = (h ^ (uint64_t)p->ip[k].score_e4) * 1099511628211ull;
    }
    return h;
}

static int setup(void **state)
{
    (void)state;
    char err[1024];
    snprintf(g_tmp, sizeof g_tmp, "/tmp/casemix-scen-XXXXXX");
    if (!mkdtemp(g_tmp)) return -1;
    cm_cfg_error ce;
    if (cm_config_load("config/demo.cfg", &g_cfg, &ce) != CM_CFG_OK) {
        fprintf(stderr, "config/demo.cfg: %s\n", ce.msg);
        return -1;
    }
    gr_dip *dip = NULL;
    gr_drg *drg = NULL;
    if (load_tables(&g_cfg, 1, 0, &dip, &drg, NULL, err, sizeof err)) { fprintf(stderr, "%s\n", err); return -1; }
    g_cfg.threads = 2;
    int rc = gen_region(&g_cfg, dip, g_tmp, 20000, 20000, 20251, 0.002, err, sizeof err);
    gr_dip_free(dip);
    if (rc) { fprintf(stderr, "%s\n", err); return -1; }
    snprintf(g_cfg.input_file, sizeof g_cfg.input_file, "%s/current.csv", g_tmp);
    for (int h = 0; h < g_cfg.n_history; h++)
        snprintf(g_cfg.history[h].file, sizeof g_cfg.history[h].file, "%s/history_%d.csv", g_tmp,
                 g_cfg.history[h].year);
    rc = period_build(&g_p, &g_cfg, g_cfg.input_file, 1, err, sizeof err);
    if (rc) { fprintf(stderr, "period_build: %s\n", err); return -1; }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    period_free(&g_p);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static void run(cm_scenario *s, const cm_config *cfg, sn_storage st)
{
    char err[1024] = "";
    int rc = sn_run(s, &g_p, cfg, st, err, sizeof err);
    if (rc) fail_msg("sn_run: %d %s", rc, err);
}

static void test_scenarios_on_one_period(void **state)
{
    (void)state;
    assert_non_null(g_p.dip);
    assert_non_null(g_p.drg);
    assert_true(g_p.cases > 19000);
    assert_true(g_p.dups > 0);
    uint64_t h0 = period_hash(&g_p);

    /* 1. other settings, first */
    cm_config other = g_cfg;
    other.fund_budget_fen = g_cfg.fund_budget_fen * 2;
    other.drg_budget_fen = g_cfg.drg_budget_fen + 123456789;
    other.coef_mode = CM_COEF_FIXED;
    other.level_coef[1] = 0.8;
    other.level_coef[2] = 1.0;
    other.level_coef[3] = 1.25;
    cm_scenario s1;
    run(&s1, &other, SN_OWN_ARRAYS);
    snap a1;
    snap_take(&s1, &a1);
    assert_int_equal(s1.dipt.pay_fen, other.fund_budget_fen);
    assert_int_equal(s1.dipt.cases_paid_fen, other.fund_budget_fen);
    assert_int_equal(s1.drgt.pay_fen, other.drg_budget_fen);
    assert_int_equal(s1.drgt.cases_paid_fen, other.drg_budget_fen);
    /* the scenario's coefficients reached its scores: a normal case (not
     * blank, no special review) scores catalogue score x its level's
     * coefficient of `other` (scores.source = "catalogue") */
    size_t nnormal = 0;
    for (size_t i = 0; i < g_p.s.n; i++) {
        const cm_case *c = &g_p.s.slots[i];
        if (c->status != SLOT_CASE || c->group == g_p.blank || a1.out[i] != SC_OUT_NORMAL ||
            (a1.flags[i] & (CF_SPECIAL | CF_NO_STD_COST)))
            continue;
        double rw = gr_dip_group_at(g_p.dip, (size_t)c->group)->score;
        assert_int_equal(a1.score[i], sc_score_e4(rw, other.level_coef[c->level], 1.0));
        nnormal++;
    }
    assert_true(nnormal > 10000);

    /* 2. the baseline, in the slots */
    cm_scenario base;
    run(&base, &g_cfg, SN_IN_SLOTS);
    snap b;
    snap_take(&base, &b);
    assert_int_equal(base.dipt.cases_paid_fen, g_cfg.fund_budget_fen);
    assert_int_equal(base.drgt.cases_paid_fen, g_cfg.drg_budget_fen);
    /* other coefficients: other scores (the settings reached the cases) */
    assert_true(snap_diff(&a1, &b) > 1000);

    /* 3. the baseline's settings in arrays of its own: identical */
    cm_scenario same;
    run(&same, &g_cfg, SN_OWN_ARRAYS);
    snap c;
    snap_take(&same, &c);
    assert_int_equal(snap_diff(&b, &c), 0);
    assert_int_equal(same.n_special, base.n_special);
    assert_int_equal(same.n_special_over, base.n_special_over);
    for (int q = 0; q < SC_OUT__COUNT; q++) {
        assert_int_equal(same.dipt.n_outlier[q], base.dipt.n_outlier[q]);
        assert_int_equal(same.drgt.n_outlier[q], base.drgt.n_outlier[q]);
    }

    /* 4. budgets only: same scores and points; payments sum to the new
     * budgets; point values scaled by the budget ratio */
    cm_config bud = g_cfg;
    bud.fund_budget_fen = g_cfg.fund_budget_fen / 2 + 7;
    bud.drg_budget_fen = g_cfg.drg_budget_fen * 3 + 1;
    cm_scenario s4;
    run(&s4, &bud, SN_OWN_ARRAYS);
    size_t dscore = 0, dpay = 0;
    int64_t sum = 0, dsum = 0;
    for (size_t i = 0; i < g_p.s.n; i++) {
        if (g_p.s.slots[i].status != SLOT_CASE) continue;
        dscore += *sn_i64(s4.score, i) != b.score[i] || *sn_i64(s4.drg_pts, i) != b.dpts[i] ||
                  *sn_u16(s4.flags, i) != b.flags[i];
        dpay += *sn_i64(s4.pay, i) != b.pay[i];
        sum += *sn_i64(s4.pay, i);
        dsum += *sn_i64(s4.drg_pay, i);
    }
    assert_int_equal(dscore, 0);
    assert_true(dpay > 1000);
    assert_int_equal(sum, bud.fund_budget_fen);
    assert_int_equal(dsum, bud.drg_budget_fen);
    double r = (double)bud.fund_budget_fen / (double)g_cfg.fund_budget_fen;
    assert_true(fabs(s4.dipt.point_value - base.dipt.point_value * r) <= base.dipt.point_value * r * 1e-12);
    double rd = (double)bud.drg_budget_fen / (double)g_cfg.drg_budget_fen;
    assert_true(fabs(s4.drgt.point_value - base.drgt.point_value * rd) <= base.drgt.point_value * rd * 1e-12);

    /* 5. the first settings again, after the baseline: the same results as
     * when they ran first (a scenario does not read another's state) */
    cm_scenario s5;
    run(&s5, &other, SN_OWN_ARRAYS);
    snap e;
    snap_take(&s5, &e);
    assert_int_equal(snap_diff(&a1, &e), 0);
    snap_free(&e);
    sn_free(&s5);

    /* after everything: the first and the baseline unchanged, the period too */
    snap a1b, bb;
    snap_take(&s1, &a1b);
    snap_take(&base, &bb);
    assert_int_equal(snap_diff(&a1, &a1b), 0);
    assert_int_equal(snap_diff(&b, &bb), 0);
    assert_true(period_hash(&g_p) == h0);

    snap_free(&a1); snap_free(&a1b); snap_free(&b); snap_free(&bb); snap_free(&c);
    sn_free(&s1); sn_free(&base); sn_free(&same); sn_free(&s4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenarios_on_one_period),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
