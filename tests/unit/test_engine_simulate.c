/*
 * test_engine_simulate.c - casemix simulate's scenarios (engine/simulate.c)
 * on real periods.
 *
 * 1. A hand-worked region: three institutions (level 3, coefficients 1),
 *    two DIP groups (K35.8 score 500, mean fee 5000; K35.8:47.0100 score
 *    1000, mean fee 10000; tests/golden/small), two cost categories (exam,
 *    surgery), budget 15000 yuan, fund share 1/2, and one history year
 *    (two cases a group). Baseline: scores 500, 1000, 500, 1000, Σ 3000,
 *    point value 10 yuan, payments H1 7500, H2 2500, H3 5000 yuan.
 *    Scenario: exam × 0.9, surgery × 1.2; case C4 (19000 → 22500 yuan)
 *    becomes a high outlier against the kept standard cost (ratio 2.25).
 *    The expected figures are computed below from the case table, not
 *    taken from the engine:
 *      measurement    up / down / net / fund / patients per region,
 *                     category and institution;
 *      fixed_point_value  scores kept, C4 = (2.25 − 2 + 1) × 1000 = 1250,
 *                     budget' = 15000 × 3250 / 3000 = 16250 yuan, the point
 *                     value 10, H3's change all price effect;
 *      fixed_budget_rescored  group means from the re-priced history
 *                     (A 4000 → 3900, B 12000 → 13800, region 8000 → 8850):
 *                     scores × (m'/M')/(m/M), standard costs × m'/m, budget
 *                     kept, Σ payments = budget, H1 (one case of each
 *                     group) exactly half;
 *      budget_adjusted  the same scores, budget + Δfund;
 *      solve          the exam multiplier that keeps the fund part: 0.25;
 *      point value    the factor that brings policy 3's outlay back to
 *                     the budget: 15000 / 16250.
 * 2. Invariants on a generated region (config/demo.cfg: scheme both,
 *    history coefficients, 3000 cases, no bad rows): the identity scenario
 *    equals the baseline bit for bit; every price × 2 leaves every score,
 *    point and fixed-budget payment unchanged.
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
#include "../../engine/simulate.h"

#define ONE SC_MULT_ONE

static char g_tmp[256];

/* ------------------------------------------------------------------ */
/* 1. the hand-worked region                                           */
/* ------------------------------------------------------------------ */

/* case table: institution, group (0 = K35.8, 1 = K35.8:47.0100), total,
 * exam, surgery (fen); fund = total / 2 */
static const struct {
    const char *id, *inst;
    int group;
    int64_t total, exam, surgery;
} CASES[] = {
    {"C1", "H1", 0, 500000, 200000, 300000},
    {"C2", "H1", 1, 1000000, 200000, 800000},
    {"C3", "H2", 0, 400000, 300000, 100000},
    {"C4", "H3", 1, 1900000, 100000, 1800000},
};
#define NC 4
/* history: two cases a group */
static const struct { int group; int64_t exam, surgery; } HIST[] = {
    {0, 300000, 100000}, {0, 300000, 100000}, {1, 200000, 1000000}, {1, 200000, 1000000},
};

static void write_row(FILE *f, const char *id, const char *inst, int group, int64_t total, int64_t fund,
                      int64_t exam, int64_t surgery)
{
    fprintf(f, "%s,P%s,%s,3,%s,,%s,,%lld.%02lld,%lld.%02lld,%lld.%02lld", id, id, inst,
            group ? "K35.800x001" : "K35.800", group ? "47.0100" : "", (long long)(total / 100),
            (long long)(total % 100), (long long)(fund / 100), (long long)(fund % 100),
            (long long)((total - fund) / 100), (long long)((total - fund) % 100));
    for (int k = 0; k < SC_CAT__COUNT; k++) {
        int64_t v = k == SC_CAT_EXAM ? exam : k == SC_CAT_SURGERY ? surgery : 0;
        fprintf(f, ",%lld.%02lld", (long long)(v / 100), (long long)(v % 100));
    }
    fputc('\n', f);
}

static void write_header(FILE *f)
{
    fputs("case_id,patient_id,institution_id,institution_level,principal_dx,other_dx,principal_proc,other_procs,"
          "total_cost,fund_paid,self_paid", f);
    for (int k = 0; k < SC_CAT__COUNT; k++) fprintf(f, ",%s", sc_category_column((sc_category)k));
    fputc('\n', f);
}

static cm_config h_cfg;
static cm_period h_p;
static cm_scenario h_base;
static cm_scenario_set h_set;

static int setup_hand(void **state)
{
    (void)state;
    char path[512], cwd[256], err[1024];
    if (!getcwd(cwd, sizeof cwd)) return -1;
    snprintf(g_tmp, sizeof g_tmp, "/tmp/casemix-sim-XXXXXX");
    if (!mkdtemp(g_tmp)) return -1;
    snprintf(path, sizeof path, "%s/current.csv", g_tmp);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    write_header(f);
    for (int i = 0; i < NC; i++)
        write_row(f, CASES[i].id, CASES[i].inst, CASES[i].group, CASES[i].total, CASES[i].total / 2, CASES[i].exam,
                  CASES[i].surgery);
    fclose(f);
    snprintf(path, sizeof path, "%s/history_2024.csv", g_tmp);
    f = fopen(path, "w");
    if (!f) return -1;
    write_header(f);
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "X%d", i);
        int64_t t = HIST[i].exam + HIST[i].surgery;
        write_row(f, id, "H1", HIST[i].group, t, t / 2, HIST[i].exam, HIST[i].surgery);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/sim.cfg", g_tmp);
    f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f,
            "region = \"T1\"; period = \"SIM\";\n"
            "input = { records = \"current.csv\"; };\n"
            "history = ( { year = 2024; file = \"history_2024.csv\"; } );\n"
            "dip = { catalogue = \"%s/tests/golden/small/catalogue.csv\"; group_stats = \"%s/tests/golden/small/group_stats.csv\";\n"
            "        proc_attributes = \"%s/tests/golden/small/proc_attributes.csv\"; };\n"
            "coefficients = { mode = \"fixed\"; level1 = 1.0; level2 = 1.0; level3 = 1.0; };\n"
            "budget = { fund_budget = \"15000.00\"; };\n"
            "output = { file = \"out.h5\"; compression = \"none\"; };\n"
            "simulate = { scenarios = (\n"
            "  { name = \"identity\"; },\n"
            "  { name = \"p1\"; policy = \"fixed_budget_rescored\"; categories = { exam = 0.9; surgery = 1.2; }; },\n"
            "  { name = \"p2\"; policy = \"budget_adjusted\"; categories = { exam = 0.9; surgery = 1.2; }; },\n"
            "  { name = \"p3\"; policy = \"fixed_point_value\"; categories = { exam = 0.9; surgery = 1.2; }; },\n"
            "  { name = \"solve\"; categories = { surgery = 1.2; };\n"
            "    solve = { target = \"fund\"; categories = [\"exam\"]; range = [0.1, 1.0]; }; },\n"
            "  { name = \"pv\"; policy = \"fixed_point_value\"; categories = { exam = 0.9; surgery = 1.2; };\n"
            "    solve = { target = \"fund\"; point_value = true; }; },\n"
            "  { name = \"high3\"; settings = { outliers = { high = 1.5; }; }; }\n"
            "); };\n",
            cwd, cwd, cwd);
    fclose(f);
    cm_cfg_error ce;
    if (cm_config_load(path, &h_cfg, &ce) != CM_CFG_OK) { fprintf(stderr, "%s:%d: %s\n", ce.file, ce.line, ce.msg); return -1; }
    if (cm_scenarios_load(&h_cfg, NULL, 0, &h_set, &ce) != CM_CFG_OK) {
        fprintf(stderr, "%s:%d: %s: %s\n", ce.file, ce.line, ce.key, ce.msg);
        return -1;
    }
    uint8_t keep[SC_CAT__COUNT];
    int nk = sim_keep_categories(&h_set, keep);
    if (period_build_keep(&h_p, &h_cfg, h_cfg.input_file, 1, keep, nk, err, sizeof err)) { fprintf(stderr, "%s\n", err); return -1; }
    if (sn_run(&h_base, &h_p, &h_cfg, SN_IN_SLOTS, err, sizeof err)) { fprintf(stderr, "%s\n", err); return -1; }
    return 0;
}

static int teardown_hand(void **state)
{
    (void)state;
    sn_free(&h_base);
    period_free(&h_p);
    cm_scenarios_free(&h_set);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static const cm_scenario_def *def(const char *name)
{
    for (int i = 0; i < h_set.n; i++)
        if (!strcmp(h_set.s[i].name, name)) return &h_set.s[i];
    fail_msg("no scenario %s", name);
    return NULL;
}

static void run(sim_run *x, const char *name)
{
    char err[1024] = "";
    cm_status rc = sim_run_scenario(x, def(name), &h_p, &h_base, err, sizeof err);
    if (rc) fail_msg("%s: %d %s", name, rc, err);
}

/* The re-calibration from the history kept in memory (sim_hist) equals the
 * one that re-reads the history files, to the bit: calibration arrays,
 * scores, points, payments. */
static void same_cal(const cm_calib *a, const cm_calib *b)
{
    assert_int_equal(a->ng, b->ng);
    assert_int_equal(a->ndrg, b->ndrg);
    assert_memory_equal(a->rw, b->rw, a->ng * sizeof *a->rw);
    assert_memory_equal(a->mean_fen, b->mean_fen, a->ng * sizeof *a->mean_fen);
    assert_memory_equal(a->cv, b->cv, a->ng * sizeof *a->cv);
    assert_memory_equal(a->has, b->has, a->ng);
    assert_memory_equal(a->n_used, b->n_used, a->ng * 3 * sizeof *a->n_used);
    assert_memory_equal(a->level_mean_fen, b->level_mean_fen, a->ng * 4 * sizeof *a->level_mean_fen);
    if (a->ndrg) {
        assert_memory_equal(a->drg_rw, b->drg_rw, a->ndrg * sizeof *a->drg_rw);
        assert_memory_equal(a->drg_mean_fen, b->drg_mean_fen, a->ndrg * sizeof *a->drg_mean_fen);
    }
    assert_memory_equal(a->coef, b->coef, sizeof a->coef);
    assert_memory_equal(&a->budget_pv, &b->budget_pv, sizeof a->budget_pv);
    assert_memory_equal(a->records, b->records, sizeof a->records);
    assert_memory_equal(a->flagged, b->flagged, sizeof a->flagged);
}

static void same_run(const sim_run *x, const sim_run *y, const cm_period *p)
{
    assert_int_equal(x->rescored, y->rescored);
    same_cal(&x->cal, &y->cal);
    for (size_t i = 0; i < p->s.n; i++) {
        if (p->s.slots[i].status != SLOT_CASE) continue;
        if (p->dip) {
            assert_int_equal(*sn_i64(x->sn.score, i), *sn_i64(y->sn.score, i));
            assert_int_equal(*sn_i64(x->sn.pay, i), *sn_i64(y->sn.pay, i));
        }
        if (p->drg) assert_int_equal(*sn_i64(x->sn.drg_pay, i), *sn_i64(y->sn.drg_pay, i));
    }
    assert_memory_equal(&x->sn.dipt.point_value, &y->sn.dipt.point_value, sizeof(double));
    assert_int_equal(x->sn.dipt.points_e4, y->sn.dipt.points_e4);
    assert_int_equal(x->solved_m, y->solved_m);
}

static void compare_paths(const cm_scenario_set *set, const cm_period *p, const cm_scenario *base)
{
    sim_hist h;
    assert_int_equal(sim_hist_init(&h, set, p), CM_OK);
    int rescored = 0;
    for (int i = 0; i < set->n; i++) {
        sim_run x, y;
        char err[1024] = "";
        assert_int_equal(sim_run_scenario(&x, &set->s[i], p, base, err, sizeof err), CM_OK);
        cm_status rc = sim_run_scenario_hist(&y, &set->s[i], p, base, &h, err, sizeof err);
        if (rc) fail_msg("%s: %s", set->s[i].name, err);
        same_run(&x, &y, p);
        rescored += x.rescored;
        sim_run_free(&x);
        sim_run_free(&y);
    }
    assert_true(rescored > 0);
    assert_true(h.loaded);
    sim_hist_free(&h);
}

static void test_hand_history_once(void **state)
{
    (void)state;
    compare_paths(&h_set, &h_p, &h_base);
}

static int inst_of(const char *id)
{
    for (size_t k = 0; k < h_p.ninst; k++)
        if (!strcmp(h_p.inst[k].id, id)) return (int)k;
    fail_msg("no institution %s", id);
    return -1;
}

/* round-half-even of v × num / den for the test's own arithmetic */
static int64_t rhe(int64_t v, int64_t num, int64_t den)
{
    __int128 p = (__int128)v * num, q = p / den, r = p % den;
    if (r < 0) { r += den; q--; }
    if (2 * r > den || (2 * r == den && (q & 1))) q++;
    return (int64_t)q;
}

static void test_hand_baseline(void **state)
{
    (void)state;
    assert_int_equal(h_p.cases, 4);
    assert_int_equal(h_p.ninst, 3);
    assert_int_equal(h_base.dipt.points_e4, 3000 * 10000);
    assert_true(fabs(h_base.dipt.point_value - 10.0) < 1e-12);
    assert_int_equal(h_base.dipt.inst_pay[inst_of("H1")], 750000);
    assert_int_equal(h_base.dipt.inst_pay[inst_of("H2")], 250000);
    assert_int_equal(h_base.dipt.inst_pay[inst_of("H3")], 500000);
}

static void test_hand_measurement(void **state)
{
    (void)state;
    sim_run x;
    run(&x, "p3");
    /* independently: exam × 9/10, surgery × 6/5 (exact in fen here) */
    int64_t up = 0, down = 0, fund = 0, cat_exam = 0, cat_surg = 0, inst_net[3] = {0};
    for (int i = 0; i < NC; i++) {
        int64_t de = CASES[i].exam * 9 / 10 - CASES[i].exam, ds = CASES[i].surgery * 6 / 5 - CASES[i].surgery;
        up += (de > 0 ? de : 0) + (ds > 0 ? ds : 0);
        down += (de < 0 ? de : 0) + (ds < 0 ? ds : 0);
        int64_t nt = CASES[i].total + de + ds;
        fund += rhe(nt, CASES[i].total / 2, CASES[i].total) - CASES[i].total / 2;
        cat_exam += de;
        cat_surg += ds;
        inst_net[inst_of(CASES[i].inst)] += de + ds;
    }
    assert_int_equal(up, 600000);   /* the hand figures of the header: +6000 yuan */
    assert_int_equal(down, -80000); /* -800 yuan */
    assert_int_equal(x.r.region.up_fen, up);
    assert_int_equal(x.r.region.down_fen, down);
    assert_int_equal(x.r.region.net_fen, up + down);
    assert_int_equal(x.r.region.fund_fen, fund);
    assert_int_equal(x.r.region.patient_fen, up + down - fund);
    assert_int_equal(x.r.cost_sum, h_p.cost_fen + up + down);
    for (int j = 0; j < h_p.keep_n; j++) {
        /* exam only down, surgery only up */
        int exam = h_p.keep_cat[j] == SC_CAT_EXAM;
        assert_int_equal(x.r.cat_up[j], exam ? 0 : cat_surg);
        assert_int_equal(x.r.cat_down[j], exam ? cat_exam : 0);
        assert_int_equal(x.r.cat_fund[j], (exam ? cat_exam : cat_surg) / 2);
    }
    for (int k = 0; k < 3; k++) assert_int_equal(x.r.inst[k].net_fen, inst_net[k]);
    sim_run_free(&x);
}

static void test_hand_fixed_point_value(void **state)
{
    (void)state;
    sim_run x;
    run(&x, "p3");
    /* scores kept; C4 high: (22500/10000 - 2 + 1) × 1000 = 1250 */
    int64_t p1 = (500 + 1000 + 500 + 1250) * INT64_C(10000);
    assert_int_equal(x.sn.dipt.points_e4, p1);
    int64_t b1 = rhe(1500000, p1, 3000 * INT64_C(10000));
    assert_int_equal(b1, 1625000);
    assert_int_equal(x.sn.dipt.budget_fen, b1);
    assert_int_equal(x.sn.dipt.pay_fen, b1);
    assert_true(fabs(x.sn.dipt.point_value - h_base.dipt.point_value) < 1e-9);
    int h1 = inst_of("H1"), h2 = inst_of("H2"), h3 = inst_of("H3");
    assert_int_equal(x.sn.dipt.inst_pay[h1], 750000);
    assert_int_equal(x.sn.dipt.inst_pay[h2], 250000);
    assert_int_equal(x.sn.dipt.inst_pay[h3], 625000);
    /* H3's change is its own price effect; nothing moved through the point value */
    int64_t pe, se;
    sc_pay_decompose(h_base.dipt.budget_fen, h_base.dipt.points_e4, h_base.dipt.inst_points[h3],
                     x.sn.dipt.inst_points[h3], h_base.dipt.inst_pay[h3], x.sn.dipt.inst_pay[h3], &pe, &se);
    assert_int_equal(pe, 125000);
    assert_int_equal(se, 0);
    sim_run_free(&x);
}

/* The scores of the re-scored policies, from the history table. */
static void rescored_expect(double *sa, double *sb)
{
    double m[2] = {0}, m1[2] = {0}, tot = 0, tot1 = 0;
    for (int i = 0; i < 4; i++) {
        double c = (double)(HIST[i].exam + HIST[i].surgery), c1 = (double)(HIST[i].exam * 9 / 10 + HIST[i].surgery * 6 / 5);
        m[HIST[i].group] += c / 2;
        m1[HIST[i].group] += c1 / 2;
        tot += c;
        tot1 += c1;
    }
    double M = tot / 4, M1 = tot1 / 4;
    assert_true(fabs(m[0] - 400000) < 1e-9 && fabs(m1[0] - 390000) < 1e-9 && fabs(M1 - 885000) < 1e-9);
    *sa = 500 * (m1[0] / M1) / (m[0] / M);
    *sb = 1000 * (m1[1] / M1) / (m[1] / M);
}

static void check_rescored(const sim_run *x, int64_t budget)
{
    double sa, sb;
    rescored_expect(&sa, &sb);
    int64_t a = llround(sa * 1e4), b = llround(sb * 1e4);
    /* all four cases normal against the re-priced standard costs:
     * C4 22500 / (10000 × 13800/12000) = 1.957 */
    for (size_t i = 0; i < h_p.s.n; i++) {
        const cm_case *c = &h_p.s.slots[i];
        assert_int_equal(*sn_u8(x->sn.outlier, i), SC_OUT_NORMAL);
        int64_t want = c->group == h_p.s.slots[0].group ? a : b;
        assert_true(llabs(*sn_i64(x->sn.score, i) - want) <= 1);
    }
    assert_int_equal(x->sn.dipt.budget_fen, budget);
    assert_int_equal(x->sn.dipt.pay_fen, budget);          /* Σ payments = budget */
    assert_int_equal(x->sn.dipt.cases_paid_fen, budget);
    int h1 = inst_of("H1"), h2 = inst_of("H2"), h3 = inst_of("H3");
    assert_int_equal(x->sn.dipt.inst_pay[h1], budget / 2); /* one case of each group: half */
    double p2 = (double)budget * (double)a / (2.0 * (double)(a + b));
    assert_true(fabs((double)x->sn.dipt.inst_pay[h2] - p2) <= 1.0);
    assert_int_equal(x->sn.dipt.inst_pay[h2] + x->sn.dipt.inst_pay[h3], budget - budget / 2);
}

static void test_hand_rescored(void **state)
{
    (void)state;
    sim_run x;
    run(&x, "p1");
    assert_true(x.rescored);
    check_rescored(&x, 1500000);
    sim_run_free(&x);
}

static void test_hand_budget_adjusted(void **state)
{
    (void)state;
    sim_run x;
    run(&x, "p2");
    /* budget + Δfund: (6000 - 800) / 2 yuan */
    assert_int_equal(x.r.region.fund_fen, 260000);
    check_rescored(&x, 1500000 + 260000);
    sim_run_free(&x);
}

static void test_hand_solve(void **state)
{
    (void)state;
    sim_run x;
    run(&x, "solve");
    /* surgery +6000 yuan; exam 8000 yuan × x - 8000 = -6000: x = 0.25 */
    assert_true(x.solve.converged);
    assert_true(llabs(x.r.fund_sum - h_p.fund_fen) <= 1);
    assert_true(llabs(x.solve.m - ONE / 4) <= ONE / 100000); /* 1 fen of fund = 2.5e-6 of x here */
    assert_int_equal(x.sn.dipt.pay_fen, 1500000);
    sim_run_free(&x);
    run(&x, "pv");
    /* the factor on the point value: budget' = 16250 yuan back to 15000 */
    assert_true(x.solve.converged);
    assert_true(llabs(x.sn.dipt.budget_fen - 1500000) <= 1);
    assert_true(fabs((double)x.solve.m / (double)ONE - 15000.0 / 16250.0) < 1e-6);
    assert_true(fabs(x.sn.dipt.point_value - 10.0 * 15000.0 / 16250.0) < 1e-5);
    sim_run_free(&x);
}

static void test_hand_settings(void **state)
{
    (void)state;
    sim_run x;
    run(&x, "high3");
    /* high threshold 1.5: C2 (1.0) normal, C4 (1.9) high: (1.9 - 1.5 + 1) × 1000 = 1400 */
    assert_false(x.priced);
    assert_int_equal(x.sn.dipt.points_e4, (500 + 1000 + 500 + 1400) * INT64_C(10000));
    assert_int_equal(x.sn.dipt.pay_fen, 1500000);
    sim_run_free(&x);
}

/* ------------------------------------------------------------------ */
/* 2. invariants on a generated region                                 */
/* ------------------------------------------------------------------ */

static cm_config g_cfg;
static cm_period g_p;
static cm_scenario g_base;
static char g_tmp2[256];

static int setup_region(void **state)
{
    (void)state;
    char err[1024];
    snprintf(g_tmp2, sizeof g_tmp2, "/tmp/casemix-simr-XXXXXX");
    if (!mkdtemp(g_tmp2)) return -1;
    cm_cfg_error ce;
    if (cm_config_load("config/demo.cfg", &g_cfg, &ce) != CM_CFG_OK) return -1;
    gr_dip *dip = NULL;
    gr_drg *drg = NULL;
    if (load_tables(&g_cfg, 1, 0, &dip, &drg, NULL, err, sizeof err)) return -1;
    int rc = gen_region(&g_cfg, dip, g_tmp2, 3000, 3000, 777, 0.0, err, sizeof err);
    gr_dip_free(dip);
    if (rc) { fprintf(stderr, "%s\n", err); return -1; }
    snprintf(g_cfg.input_file, sizeof g_cfg.input_file, "%s/current.csv", g_tmp2);
    for (int h = 0; h < g_cfg.n_history; h++)
        snprintf(g_cfg.history[h].file, sizeof g_cfg.history[h].file, "%s/history_%d.csv", g_tmp2,
                 g_cfg.history[h].year);
    uint8_t all[SC_CAT__COUNT];
    for (int k = 0; k < SC_CAT__COUNT; k++) all[k] = (uint8_t)k;
    if (period_build_keep(&g_p, &g_cfg, g_cfg.input_file, 1, all, SC_CAT__COUNT, err, sizeof err)) return -1;
    if (sn_run(&g_base, &g_p, &g_cfg, SN_IN_SLOTS, err, sizeof err)) return -1;
    return 0;
}

static int teardown_region(void **state)
{
    (void)state;
    sn_free(&g_base);
    period_free(&g_p);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp2);
    return system(cmd) == 0 ? 0 : -1;
}

/* Cases / institutions where scenario s differs from the baseline in
 * scores, points, outlier classes, flags or (pay) payments. */
static size_t diff_base(const cm_scenario *s, int pay)
{
    size_t d = 0;
    for (size_t i = 0; i < g_p.s.n; i++) {
        if (g_p.s.slots[i].status != SLOT_CASE) continue;
        d += *sn_i64(s->score, i) != *sn_i64(g_base.score, i) || *sn_i64(s->drg_pts, i) != *sn_i64(g_base.drg_pts, i) ||
             *sn_u8(s->outlier, i) != *sn_u8(g_base.outlier, i) ||
             *sn_u8(s->drg_outlier, i) != *sn_u8(g_base.drg_outlier, i) ||
             *sn_u16(s->flags, i) != *sn_u16(g_base.flags, i);
        if (pay) d += *sn_i64(s->pay, i) != *sn_i64(g_base.pay, i) || *sn_i64(s->drg_pay, i) != *sn_i64(g_base.drg_pay, i);
    }
    for (size_t k = 0; k < g_p.ninst; k++) {
        d += s->dipt.inst_points[k] != g_base.dipt.inst_points[k] || s->drgt.inst_points[k] != g_base.drgt.inst_points[k];
        if (pay) d += s->dipt.inst_pay[k] != g_base.dipt.inst_pay[k] || s->drgt.inst_pay[k] != g_base.drgt.inst_pay[k];
    }
    return d;
}

static void test_identity_bit_for_bit(void **state)
{
    (void)state;
    cm_scenario_def d;
    memset(&d, 0, sizeof d);
    d.cfg = g_cfg;
    cm_config_relink(&d.cfg);
    for (int k = 0; k < SC_CAT__COUNT; k++) d.mult[k] = ONE;
    for (int pol = 0; pol <= CM_POLICY_FIXED_POINT; pol++) {
        d.policy = (cm_policy)pol;
        sim_run x;
        char err[1024];
        assert_int_equal(sim_run_scenario(&x, &d, &g_p, &g_base, err, sizeof err), CM_OK);
        assert_false(x.priced);
        assert_int_equal(diff_base(&x.sn, 1), 0);
        assert_memory_equal(&x.sn.dipt.point_value, &g_base.dipt.point_value, sizeof(double));
        assert_memory_equal(&x.sn.drgt.point_value, &g_base.drgt.point_value, sizeof(double));
        assert_int_equal(x.sn.dipt.budget_fen, g_base.dipt.budget_fen);
        sim_run_free(&x);
    }
}

static void test_uniform_scaling(void **state)
{
    (void)state;
    /* precondition: every case's categories add up to its total */
    assert_int_equal(g_p.n_flag[0], 0);  /* CF_CAT_MISMATCH */
    assert_int_equal(g_p.n_flag[7], 0);  /* CF_NO_CATEGORIES */
    assert_true(g_p.use_hist);
    cm_scenario_def d;
    memset(&d, 0, sizeof d);
    d.cfg = g_cfg;
    cm_config_relink(&d.cfg);
    for (int k = 0; k < SC_CAT__COUNT; k++) d.mult[k] = 2 * ONE;
    d.policy = CM_POLICY_RESCORED;
    sim_run x;
    char err[1024];
    assert_int_equal(sim_run_scenario(&x, &d, &g_p, &g_base, err, sizeof err), CM_OK);
    assert_true(x.priced);
    assert_true(x.rescored);
    assert_int_equal(x.r.cost_sum, 2 * g_p.cost_fen);
    assert_int_equal(diff_base(&x.sn, 1), 0);   /* scores, points and payments unchanged */
    assert_int_equal(x.sn.dipt.pay_fen, g_base.dipt.budget_fen);
    assert_memory_equal(&x.sn.dipt.point_value, &g_base.dipt.point_value, sizeof(double));
    sim_run_free(&x);
    /* and a non-uniform change does move them (the check can fail) */
    d.mult[SC_CAT_SURGERY] = 3 * ONE;
    assert_int_equal(sim_run_scenario(&x, &d, &g_p, &g_base, err, sizeof err), CM_OK);
    assert_true(diff_base(&x.sn, 1) > 0);
    assert_int_equal(x.sn.dipt.pay_fen, g_base.dipt.budget_fen); /* Σ payments = budget */
    assert_int_equal(x.sn.drgt.pay_fen, g_base.drgt.budget_fen);
    sim_run_free(&x);
}

static void test_region_history_once(void **state)
{
    (void)state;
    /* category, level and institution multipliers and a solve, each policy */
    cm_scenario_def d[4];
    memset(d, 0, sizeof d);
    for (int i = 0; i < 4; i++) {
        d[i].cfg = g_cfg;
        cm_config_relink(&d[i].cfg);
        snprintf(d[i].name, sizeof d[i].name, "s%d", i);
        for (int k = 0; k < SC_CAT__COUNT; k++) d[i].mult[k] = ONE;
        d[i].mult[SC_CAT_SURGERY] = ONE + ONE / 5;
        d[i].mult[SC_CAT_EXAM] = ONE - ONE / 7;
        d[i].level_mult[3][SC_CAT_LAB] = ONE / 2;
        d[i].n_inst = 1;
        snprintf(d[i].inst[0].inst_id, sizeof d[i].inst[0].inst_id, "%s", g_p.inst[g_p.ninst / 2].id);
        d[i].inst[0].cat = SC_CAT_WESTERN;
        d[i].inst[0].m = 3 * ONE;
    }
    d[1].policy = CM_POLICY_BUDGET_ADJUSTED;
    d[2].policy = CM_POLICY_FIXED_POINT;
    d[3].solve = CM_SOLVE_FUND;
    d[3].solve_cats = 1u << SC_CAT_LAB;
    d[3].solve_lo = ONE / 4;
    d[3].solve_hi = 4 * ONE;
    cm_scenario_set set = {4, d};
    compare_paths(&set, &g_p, &g_base);
    /* the period calibrated from the history kept (period_build_hist) = calib_run's */
    sim_hist h;
    assert_int_equal(sim_hist_init_cats(&h, &set, g_p.keep_cat, g_p.keep_n), CM_OK);
    static cm_period p2;
    char err[1024] = "";
    assert_int_equal(period_build_hist(&p2, &g_cfg, g_cfg.input_file, 1, g_p.keep_cat, g_p.keep_n, h.cats, h.ncat,
                                       (const char (*)[32])h.ids, h.nids, &h.hc, err, sizeof err), CM_OK);
    assert_true(h.hc.nyears > 0);
    assert_int_equal(h.hc.ntag, 1);
    same_cal(&p2.cal, &g_p.cal);
    period_free(&p2);
    sim_hist_free(&h);
}

/* ------------------------------------------------------------------ */
/* 3. kept amounts outside 32 bits (period.keep_fen holds 4 B a category;
 *    a case with a bigger amount is kept whole in keep_big), with
 *    supervision on (R05's facts hold the slots' side array; the kept
 *    categories their second one, side2) and off                        */
/* ------------------------------------------------------------------ */

static void keep_big_amounts(int supervise)
{
    /* C2's exam and C4's surgery (22 and 30 million yuan) do not fit 32 bits of fen */
    static const struct { const char *id, *inst; int group; int64_t exam, surgery; } B[] = {
        {"B1", "H1", 0, 200000, 300000},
        {"B2", "H1", 1, INT64_C(2200000000), 800000},
        {"B3", "H2", 0, 300000, 100000},
        {"B4", "H3", 1, 100000, INT64_C(3000000000)},
    };
    char dir[256], path[512], cwd[256], err[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(dir, sizeof dir, "/tmp/casemix-simbig-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/current.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    write_header(f);
    for (int i = 0; i < 4; i++) {
        int64_t t = B[i].exam + B[i].surgery;
        write_row(f, B[i].id, B[i].inst, B[i].group, t, t / 2, B[i].exam, B[i].surgery);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/sim.cfg", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "region = \"T1\"; period = \"SIM\";\n"
            "input = { records = \"current.csv\"; };\n"
            "dip = { catalogue = \"%s/tests/golden/small/catalogue.csv\"; group_stats = \"%s/tests/golden/small/group_stats.csv\";\n"
            "        proc_attributes = \"%s/tests/golden/small/proc_attributes.csv\"; };\n"
            "coefficients = { mode = \"fixed\"; level1 = 1.0; level2 = 1.0; level3 = 1.0; };\n"
            "budget = { fund_budget = \"15000.00\"; };\n"
            "output = { file = \"out.h5\"; compression = \"none\"; };\n"
            "simulate = { scenarios = ( { name = \"p3\"; policy = \"fixed_point_value\"; "
            "categories = { exam = 0.9; surgery = 1.2; }; } ); };\n%s",
            cwd, cwd, cwd, supervise ? "" : "supervision = { enabled = false; };\n");
    fclose(f);
    cm_config cfg;
    cm_cfg_error ce;
    cm_scenario_set set;
    assert_int_equal(cm_config_load(path, &cfg, &ce), CM_CFG_OK);
    assert_int_equal(cm_scenarios_load(&cfg, NULL, 0, &set, &ce), CM_CFG_OK);
    uint8_t keep[SC_CAT__COUNT];
    int nk = sim_keep_categories(&set, keep);
    assert_int_equal(nk, 2);
    static cm_period p;
    static cm_scenario base;
    assert_int_equal(period_build_keep(&p, &cfg, cfg.input_file, 1, keep, nk, err, sizeof err), CM_OK);
    assert_int_equal(p.cases, 4);
    assert_int_equal(p.nkeep_big, 2);
    assert_true(supervise ? p.sup != NULL : p.sup == NULL); /* R05 withheld only with supervision on */
    assert_true(p.s.side == NULL);                          /* the facts gone after R05's join */
    assert_true(p.keep_fen == (int32_t *)(void *)p.s.side2);
    /* every case's kept amounts exact, whichever way they are held */
    int64_t want_cost = 0;
    for (size_t i = 0; i < p.s.n; i++) {
        if (p.s.slots[i].status != SLOT_CASE) continue;
        const char *id = pl_case_id(&p.s, i);
        int k = id[1] - '1';
        assert_true(k >= 0 && k < 4);
        int64_t v[SC_CAT__COUNT];
        period_keep_case(&p, i, v);
        for (int j = 0; j < p.keep_n; j++)
            assert_int_equal(v[j], p.keep_cat[j] == SC_CAT_EXAM ? B[k].exam : B[k].surgery);
        /* independently: exam × 9/10, surgery × 6/5, exact in fen here */
        want_cost += B[k].exam * 9 / 10 + B[k].surgery * 6 / 5;
    }
    assert_int_equal(sn_run(&base, &p, &cfg, SN_IN_SLOTS, err, sizeof err), CM_OK);
    sim_run x;
    assert_int_equal(sim_run_scenario(&x, &set.s[0], &p, &base, err, sizeof err), CM_OK);
    assert_int_equal(x.r.cost_sum, want_cost);
    sim_run_free(&x);
    sn_free(&base);
    period_free(&p);
    cm_scenarios_free(&set);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_keep_big_amounts(void **state)
{
    (void)state;
    keep_big_amounts(1); /* the default */
}

static void test_keep_big_amounts_nosup(void **state)
{
    (void)state;
    keep_big_amounts(0);
}

int main(void)
{
    const struct CMUnitTest hand[] = {
        cmocka_unit_test(test_hand_baseline),          cmocka_unit_test(test_hand_measurement),
        cmocka_unit_test(test_hand_fixed_point_value), cmocka_unit_test(test_hand_rescored),
        cmocka_unit_test(test_hand_budget_adjusted),   cmocka_unit_test(test_hand_solve),
        cmocka_unit_test(test_hand_settings),          cmocka_unit_test(test_hand_history_once),
    };
    const struct CMUnitTest region[] = {
        cmocka_unit_test(test_identity_bit_for_bit),
        cmocka_unit_test(test_uniform_scaling),
        cmocka_unit_test(test_region_history_once),
    };
    int f = cmocka_run_group_tests_name("hand-worked region", hand, setup_hand, teardown_hand);
    f += cmocka_run_group_tests_name("generated region", region, setup_region, teardown_region);
    const struct CMUnitTest big[] = {cmocka_unit_test(test_keep_big_amounts),
                                     cmocka_unit_test(test_keep_big_amounts_nosup)};
    f += cmocka_run_group_tests_name("kept amounts outside 32 bits", big, NULL, NULL);
    return f;
}
