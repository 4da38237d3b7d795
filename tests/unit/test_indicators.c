/*
 * test_indicators.c - institution indicators, peer percentiles, rating
 * (scoring/indicators.c; domain.md §7). No files.
 *
 * The hand-worked example: three institutions A, B, C of one level, two
 * groups g1 (score 0.8) and g2 (score 2.5), seven cases (yuan):
 *
 *   inst group cost fund LOS services drugs exams rules     DIP outlier
 *   A    g1    1000  700  5   400  400  200  R01
 *   A    g1    1400 1000  7   500  600  300  R01 R02
 *   A    g2    6000 4800 10  2000 3000 1000            high
 *   B    g1    1000  800  4   500  300  200
 *   B    g2    5000 3500  8  2000 2000 1000  R06
 *   B    g2    7000 5600 12  3000 2500 1500
 *   C    g1     800  600  3   300  300  200  R01       low
 *
 * Region g1: 4 cases, cost 4200 (mean 1050), LOS 19 (4.75); g2: 3 cases,
 * cost 18000 (mean 6000), LOS 30 (10).
 * Cost-consumption index A = [2 × (1200 / 1050) + 1 × (6000 / 6000)] / 3
 *   = (2.285714286 + 1) / 3 = 1.095238095; B = [1000/1050 + 2 × 6000/6000] / 3
 *   = 0.984126984; C = 800 / 1050 = 0.761904762.
 * Time-consumption index A = [2 × 6/4.75 + 10/10] / 3 = 1.175438596;
 *   B = [4/4.75 + 2 × 10/10] / 3 = 0.947368421; C = 3 / 4.75 = 0.631578947.
 * Per-case cost A 8400/3 = 2800, B 13000/3 = 4333.33, C 800; fund ratio A
 * 6500/8400 = 0.773809524; CMI (DIP) A (0.8+0.8+2.5)/3 = 1.366666667,
 * B (0.8+2.5+2.5)/3 = 1.933333333, C 0.8. r01_rate A 2/3, B 0, C 1;
 * r02_rate A 1/3, B 0, C 0; r06_rate B 1/3; cost_outlier_rate A 1/3, B 0,
 * C 1; services share A 2900/8400 = 0.345238095; region drugs share
 * 9100 / (8700 + 9100 + 4400) = 0.409909910 (shares are of the bucket sum).
 *
 * Percentiles, definition "mean" (100 × (below + equal/2) / n), n = 3:
 *   cost_index C 16.67 (low), B 50, A 83.33 (high); time_index the same;
 *   r01_rate B 16.67, A 50, C 83.33; r02_rate B = C 33.33, A 83.33;
 *   r06_rate A = C 33.33, B 83.33; cost_outlier_rate B 16.67, A 50, C 83.33;
 *   r04, r05, r07, r08, blank: all 0, tie: 50.
 * Rating, default weights and directions (all "lower"), every rule
 * evaluated, no low-risk groups (low_risk_mortality not evaluated, its
 * weight out): W = 5+5+10+15+10+10+10+10+5+5+5 = 90. A loses cost_index,
 * time_index, r02 (5+5+15 = 25): score 100 × 65/90 = 72.222 → 合格 (pass);
 * B loses r06 (10): 100 × 80/90 = 88.889 → 良好; C loses r01 and
 * cost_outlier_rate (15): 100 × 75/90 = 83.333 → 良好. Points: e.g. A's
 * r01_rate 100 × 10/90 = 11.111. (The same figures by a short Python
 * computation: for each indicator, pct = 100*(below+eq/2)/3, bad = pct >= 80,
 * score = Σ (0 if bad else 100*w/90).)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../scoring/scoring.h"

#define NEAR(a, e, what)                                                                   \
    do {                                                                                   \
        double a_ = (a), e_ = (e);                                                         \
        if (!(fabs(a_ - e_) <= 1e-9 * (1 + fabs(e_))))                                     \
            fail_msg("%s: got %.15g, expected %.15g", (what), a_, e_);                     \
    } while (0)

typedef struct {
    int inst, group;
    int cost, fund, los, svc, drug, exam;
    uint16_t rules;
    int outlier;
} hcase;

#define R(n) (uint16_t)(1u << ((n) - 1))
static const hcase CASES[] = {
    {0, 0, 1000, 700, 5, 400, 400, 200, R(1), 0},
    {0, 0, 1400, 1000, 7, 500, 600, 300, R(1) | R(2), 0},
    {0, 1, 6000, 4800, 10, 2000, 3000, 1000, 0, 1},
    {1, 0, 1000, 800, 4, 500, 300, 200, 0, 0},
    {1, 1, 5000, 3500, 8, 2000, 2000, 1000, R(6), 0},
    {1, 1, 7000, 5600, 12, 3000, 2500, 1500, 0, 0},
    {2, 0, 800, 600, 3, 300, 300, 200, R(1), 1},
};
#define NCASE (sizeof CASES / sizeof CASES[0])
static const int64_t GROUP_E4[2] = {8000, 25000};

/* The example's partials: cases through sc_ind_add_case, then the
 * consumption terms from the per-(institution, group) sums. */
static void build(sc_ind_partial P[3], sc_ind_partial *region)
{
    memset(P, 0, 3 * sizeof *P);
    memset(region, 0, sizeof *region);
    int64_t n[3][2] = {{0}}, cost[3][2] = {{0}}, los[3][2] = {{0}}, rn[2] = {0}, rc[2] = {0}, rl[2] = {0};
    for (size_t i = 0; i < NCASE; i++) {
        const hcase *h = &CASES[i];
        sc_ind_case c;
        memset(&c, 0, sizeof c);
        c.cost_fen = h->cost * 100;
        c.fund_fen = h->fund * 100;
        c.bucket_fen[0] = h->svc * 100;
        c.bucket_fen[1] = h->drug * 100;
        c.bucket_fen[2] = h->exam * 100;
        c.dip_score_e4 = GROUP_E4[h->group];
        c.outlier = h->outlier;
        c.drg_grouped = 1;
        c.rules = h->rules;
        sc_ind_add_case(&P[h->inst], &c);
        n[h->inst][h->group]++;
        cost[h->inst][h->group] += c.cost_fen;
        los[h->inst][h->group] += h->los;
        rn[h->group]++;
        rc[h->group] += c.cost_fen;
        rl[h->group] += h->los;
    }
    for (int k = 0; k < 3; k++)
        for (int g = 0; g < 2; g++) {
            sc_consumption_add(&P[k].ci_num, &P[k].ci_den, n[k][g], cost[k][g], rn[g], rc[g]);
            sc_consumption_add(&P[k].ti_num, &P[k].ti_den, n[k][g], los[k][g], rn[g], rl[g]);
        }
    for (int k = 0; k < 3; k++) sc_ind_merge(region, &P[k]);
}

static sc_ind_inputs all_inputs(void)
{
    sc_ind_inputs in;
    memset(&in, 0, sizeof in);
    in.dip = 1;
    for (int r = 0; r < 13; r++) in.rules[r] = 1;
    return in;
}

static void test_indicators_hand(void **state)
{
    (void)state;
    sc_ind_partial P[3], reg;
    build(P, &reg);
    sc_ind_inputs in = all_inputs();
    sc_ind_value v[3][SC_IND__COUNT], rv[SC_IND__COUNT];
    for (int k = 0; k < 3; k++) sc_ind_compute(&P[k], &in, v[k]);
    sc_ind_compute(&reg, &in, rv);
    NEAR(v[0][SC_IND_CASES].value, 3, "A cases");
    NEAR(v[0][SC_IND_COST_PER_CASE].value, 2800, "A per-case cost");
    NEAR(v[1][SC_IND_COST_PER_CASE].value, 13000.0 / 3, "B per-case cost");
    NEAR(v[0][SC_IND_FUND_RATIO].value, 6500.0 / 8400, "A fund ratio");
    NEAR(v[0][SC_IND_SELF_PAY_RATIO].value, 1900.0 / 8400, "A self-pay ratio");
    NEAR(v[0][SC_IND_CMI].value, 4.1 / 3, "A CMI");
    NEAR(v[1][SC_IND_CMI].value, 5.8 / 3, "B CMI");
    NEAR(v[2][SC_IND_CMI].value, 0.8, "C CMI");
    NEAR(v[0][SC_IND_COST_INDEX].value, (2 * 1200.0 / 1050 + 1) / 3, "A cost index");
    NEAR(v[1][SC_IND_COST_INDEX].value, (1000.0 / 1050 + 2) / 3, "B cost index");
    NEAR(v[2][SC_IND_COST_INDEX].value, 800.0 / 1050, "C cost index");
    NEAR(v[0][SC_IND_TIME_INDEX].value, (2 * 6 / 4.75 + 1) / 3, "A time index");
    NEAR(v[1][SC_IND_TIME_INDEX].value, (4 / 4.75 + 2) / 3, "B time index");
    NEAR(v[2][SC_IND_TIME_INDEX].value, 3 / 4.75, "C time index");
    NEAR(rv[SC_IND_COST_INDEX].value, 1, "region cost index is 1");
    NEAR(rv[SC_IND_TIME_INDEX].value, 1, "region time index is 1");
    NEAR(v[0][SC_IND_R01_RATE].value, 2.0 / 3, "A r01");
    NEAR(v[0][SC_IND_R01_RATE].num, 2, "A r01 numerator");
    NEAR(v[0][SC_IND_R02_RATE].value, 1.0 / 3, "A r02");
    NEAR(v[1][SC_IND_R06_RATE].value, 1.0 / 3, "B r06");
    NEAR(v[2][SC_IND_R01_RATE].value, 1, "C r01");
    NEAR(rv[SC_IND_R01_RATE].value, 3.0 / 7, "region r01");
    NEAR(v[2][SC_IND_OUTLIER_RATE].value, 1, "C outlier rate");
    NEAR(v[0][SC_IND_SHARE_SERVICES].value, 2900.0 / 8400, "A services share");
    NEAR(rv[SC_IND_SHARE_DRUGS].value, 9100.0 / 22200, "region drugs share (of the bucket sum 8700 + 9100 + 4400)");
    assert_false(v[0][SC_IND_DRG_CMI].evaluated);
    assert_false(v[0][SC_IND_LOW_RISK_MORTALITY].evaluated);
    assert_true(isnan(v[0][SC_IND_LOW_RISK_MORTALITY].value));
    assert_false(v[0][SC_IND_BUDGET_PROGRESS].evaluated);

    /* percentiles (mean definition) and outlier classes */
    sc_ind_params prm;
    sc_ind_params_default(&prm);
    prm.pct_def = SC_PCT_MEAN;
    prm.min_count = 0;
    static const struct { int ind; double pct[3]; } EXP[] = {
        {SC_IND_COST_INDEX, {250.0 / 3, 50, 50.0 / 3}},
        {SC_IND_TIME_INDEX, {250.0 / 3, 50, 50.0 / 3}},
        {SC_IND_R01_RATE, {50, 50.0 / 3, 250.0 / 3}},
        {SC_IND_R02_RATE, {250.0 / 3, 100.0 / 3, 100.0 / 3}},
        {SC_IND_R06_RATE, {100.0 / 3, 250.0 / 3, 100.0 / 3}},
        {SC_IND_OUTLIER_RATE, {50, 50.0 / 3, 250.0 / 3}},
        {SC_IND_BLANK_RATE, {50, 50, 50}},
    };
    sc_peer_outlier cls[3][SC_IND__COUNT];
    for (int i = 0; i < SC_IND__COUNT; i++) {
        double x[3], pct[3], scratch[3];
        for (int k = 0; k < 3; k++)
            x[k] = sc_ind_rankable(&v[k][i], sc_ind_info_of(i)->kind, prm.min_count) ? v[k][i].value : NAN;
        sc_peer_percentiles(x, 3, prm.pct_def, pct, scratch);
        for (int k = 0; k < 3; k++) cls[k][i] = sc_peer_class(pct[k], &prm);
        for (size_t e = 0; e < sizeof EXP / sizeof EXP[0]; e++)
            if (EXP[e].ind == i)
                for (int k = 0; k < 3; k++) {
                    char what[64];
                    snprintf(what, sizeof what, "%s percentile of %c", sc_ind_info_of(i)->code, 'A' + k);
                    NEAR(pct[k], EXP[e].pct[k], what);
                }
    }
    assert_int_equal(cls[0][SC_IND_COST_INDEX], SC_PEER_HIGH);
    assert_int_equal(cls[2][SC_IND_COST_INDEX], SC_PEER_LOW);
    assert_int_equal(cls[1][SC_IND_COST_INDEX], SC_PEER_NONE);
    assert_int_equal(cls[0][SC_IND_CASES], SC_PEER_NOT_RANKED);
    assert_int_equal(cls[0][SC_IND_LOW_RISK_MORTALITY], SC_PEER_NOT_RANKED);

    /* rating */
    double pts[SC_IND__COUNT], score;
    static const double SCORE[3] = {100.0 * 65 / 90, 100.0 * 80 / 90, 100.0 * 75 / 90};
    static const sc_rating RATING[3] = {SC_RATE_PASS, SC_RATE_GOOD, SC_RATE_GOOD};
    for (int k = 0; k < 3; k++) {
        sc_rating r = sc_rate(cls[k], &prm, pts, &score);
        NEAR(score, SCORE[k], "rating score");
        assert_int_equal(r, RATING[k]);
        double sum = 0;
        for (int i = 0; i < SC_IND__COUNT; i++)
            if (!isnan(pts[i])) sum += pts[i];
        NEAR(sum, score, "points add up to the score");
        /* the points lost (the summary's 不达标 line): 100 − score in all, on the 0-point indicators only */
        double lost[SC_IND__COUNT], lsum = 0;
        sc_rate_lost(cls[k], &prm, lost);
        for (int i = 0; i < SC_IND__COUNT; i++) {
            lsum += lost[i];
            assert_int_equal(lost[i] > 0, !isnan(pts[i]) && pts[i] == 0);
        }
        NEAR(lsum, 100 - score, "points lost = 100 - score");
        if (k == 0) {
            NEAR(lost[SC_IND_R02_RATE], 100.0 * 15 / 90, "A r02 lost its weight 15 of 90");
            NEAR(lost[SC_IND_R01_RATE], 0, "A r01 lost nothing");
            NEAR(pts[SC_IND_R01_RATE], 100.0 * 10 / 90, "A r01 points");
            NEAR(pts[SC_IND_R02_RATE], 0, "A r02 points (high outlier)");
            assert_true(isnan(pts[SC_IND_LOW_RISK_MORTALITY]));
            assert_true(isnan(pts[SC_IND_CASES]));
        }
    }
    /* the cut-offs are settings: pass at 75 makes A 不达标 */
    prm.cut_pass = 75;
    assert_int_equal(sc_rate(cls[0], &prm, pts, &score), SC_RATE_FAIL);
    assert_string_equal(sc_rating_chinese(SC_RATE_FAIL), "不达标");
    /* direction "higher" on cost_index: now C's low outlier costs, A's high does not */
    prm.cut_pass = 60;
    prm.dir[SC_IND_COST_INDEX] = SC_DIR_HIGHER;
    sc_rate(cls[0], &prm, pts, &score);
    NEAR(score, 100.0 * 70 / 90, "A with cost_index higher-is-better");
    sc_rate(cls[2], &prm, pts, &score);
    NEAR(score, 100.0 * 70 / 90, "C with cost_index higher-is-better");
    double lost[SC_IND__COUNT];
    sc_rate_lost(cls[2], &prm, lost);
    NEAR(lost[SC_IND_COST_INDEX], 100.0 * 5 / 90, "C loses cost_index's weight when higher is better");
    sc_peer_outlier none[SC_IND__COUNT];
    for (int i = 0; i < SC_IND__COUNT; i++) none[i] = SC_PEER_NOT_RANKED;
    sc_rate_lost(none, &prm, lost);
    for (int i = 0; i < SC_IND__COUNT; i++) NEAR(lost[i], 0, "nothing rated: nothing lost");
}

/* Rule rates come from the masks; without the rules they are not evaluated. */
static void test_rule_masks(void **state)
{
    (void)state;
    sc_ind_partial p;
    memset(&p, 0, sizeof p);
    uint16_t masks[] = {R(1), R(1) | R(2), R(4) | R(5) | R(6), R(7) | R(8) | R(11), 0, R(13)};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        sc_ind_case c;
        memset(&c, 0, sizeof c);
        c.cost_fen = 100;
        c.rules = masks[i];
        sc_ind_add_case(&p, &c);
    }
    sc_ind_inputs in = all_inputs();
    sc_ind_value v[SC_IND__COUNT];
    sc_ind_compute(&p, &in, v);
    NEAR(v[SC_IND_R01_RATE].value, 2.0 / 6, "r01");
    NEAR(v[SC_IND_R02_RATE].value, 1.0 / 6, "r02");
    NEAR(v[SC_IND_R04_RATE].value, 1.0 / 6, "r04");
    NEAR(v[SC_IND_R05_RATE].value, 1.0 / 6, "r05");
    NEAR(v[SC_IND_R06_RATE].value, 1.0 / 6, "r06");
    NEAR(v[SC_IND_R07_RATE].value, 1.0 / 6, "r07");
    NEAR(v[SC_IND_R08_RATE].value, 1.0 / 6, "r08");
    NEAR(v[SC_IND_R11_RATE].value, 1.0 / 6, "r11");
    in.rules[1] = 0; /* R02 not evaluated: not a zero */
    sc_ind_compute(&p, &in, v);
    assert_false(v[SC_IND_R02_RATE].evaluated);
    assert_true(isnan(v[SC_IND_R02_RATE].value));
    assert_true(v[SC_IND_R01_RATE].evaluated);
}

static void test_percentile_definitions(void **state)
{
    (void)state;
    /* values 1, 2, 2, 4 (and a NaN not ranked): below/equal for 2 are 1/2 */
    double x[5] = {2, 1, NAN, 4, 2}, pct[5], s[5];
    sc_peer_percentiles(x, 5, SC_PCT_WEAK, pct, s);
    NEAR(pct[0], 75, "weak 2"); NEAR(pct[1], 25, "weak 1"); NEAR(pct[3], 100, "weak 4");
    assert_true(isnan(pct[2]));
    sc_peer_percentiles(x, 5, SC_PCT_STRICT, pct, s);
    NEAR(pct[0], 25, "strict 2"); NEAR(pct[1], 0, "strict 1"); NEAR(pct[3], 75, "strict 4");
    sc_peer_percentiles(x, 5, SC_PCT_MEAN, pct, s);
    NEAR(pct[0], 50, "mean 2"); NEAR(pct[1], 12.5, "mean 1"); NEAR(pct[3], 87.5, "mean 4");
    sc_peer_percentiles(x, 5, SC_PCT_LINEAR, pct, s);
    /* ranks 1, 2.5, 2.5, 4 → (r-1)/3 */
    NEAR(pct[0], 50, "linear 2"); NEAR(pct[1], 0, "linear 1"); NEAR(pct[3], 100, "linear 4");
    double one = 7, p1;
    sc_peer_percentiles(&one, 1, SC_PCT_LINEAR, &p1, s);
    NEAR(p1, 50, "linear, one peer");
    /* cut-offs are inclusive: 80 is high, 20 is low */
    sc_ind_params prm;
    sc_ind_params_default(&prm);
    assert_int_equal(sc_peer_class(80, &prm), SC_PEER_HIGH);
    assert_int_equal(sc_peer_class(79.99, &prm), SC_PEER_NONE);
    assert_int_equal(sc_peer_class(20, &prm), SC_PEER_LOW);
    assert_int_equal(sc_peer_class(20.01, &prm), SC_PEER_NONE);
    assert_int_equal(sc_peer_class(NAN, &prm), SC_PEER_NOT_RANKED);
}

/* Fewer than 11 cases in a numerator or denominator: not ranked. */
static void test_min_count(void **state)
{
    (void)state;
    sc_ind_value v = {1, 0.5, 10, 20, 10, 20};
    assert_false(sc_ind_rankable(&v, SC_KIND_RATE, 11));
    v.n_num = 11;
    assert_true(sc_ind_rankable(&v, SC_KIND_RATE, 11));
    v.n_den = 10;
    assert_false(sc_ind_rankable(&v, SC_KIND_RATE, 11));
    sc_ind_value m = {1, 2800, 8400, 3, -1, 11};
    assert_true(sc_ind_rankable(&m, SC_KIND_MEAN, 11));
    m.n_den = 10;
    assert_false(sc_ind_rankable(&m, SC_KIND_MEAN, 11));
    sc_ind_value c = {1, 500, 500, 1, 500, 500};
    assert_false(sc_ind_rankable(&c, SC_KIND_COUNT, 11));
    sc_ind_value ne = {0, NAN, NAN, NAN, -1, -1};
    assert_false(sc_ind_rankable(&ne, SC_KIND_RATE, 0));
}

static void test_growth_budget(void **state)
{
    (void)state;
    NEAR(sc_ind_growth(SC_KIND_RATE, 0.12, 0.10), 0.2, "rate growth relative");
    NEAR(sc_ind_growth(SC_KIND_SHARE, 0.35, 0.32), 3, "share shift in points");
    assert_true(isnan(sc_ind_growth(SC_KIND_RATE, 0.1, 0)));
    assert_true(isnan(sc_ind_growth(SC_KIND_MEAN, NAN, 1)));
    /* budget: 6,000,000 paid of 20,000,000 target at a quarter of the year */
    sc_ind_partial p;
    memset(&p, 0, sizeof p);
    p.cases = 100;
    p.pay_fen = 600000000;
    p.target_fen = 2000000000;
    sc_ind_inputs in = all_inputs();
    in.targets = 1;
    in.year_elapsed = 0.25;
    sc_ind_value v[SC_IND__COUNT];
    sc_ind_compute(&p, &in, v);
    NEAR(v[SC_IND_BUDGET_PROGRESS].value, 0.3, "progress");
    NEAR(v[SC_IND_BUDGET_GAP].value, 0.05, "gap");
    p.target_fen = 0; /* no target for this institution */
    sc_ind_compute(&p, &in, v);
    assert_false(v[SC_IND_BUDGET_PROGRESS].evaluated);
}

static void test_parse_settings(void **state)
{
    (void)state;
    sc_ind_params p;
    char why[200];
    sc_ind_params_default(&p);
    assert_int_equal(sc_ind_params_check(&p), SC_OK);
    assert_int_equal(p.pct_def, SC_PCT_MEAN);
    NEAR(p.high_cut, 80, "high cut");
    NEAR(p.low_cut, 20, "low cut");
    assert_int_equal(p.min_count, 11);
    double W = 0;
    for (int i = 0; i < SC_IND__COUNT; i++) W += p.weight[i];
    NEAR(W, 100, "default weights sum to 100");
    assert_int_equal(sc_ind_parse_weights(" r01_rate = 20, mcc_cc_share=5 ;cost_index=0", &p, why, sizeof why), SC_OK);
    NEAR(p.weight[SC_IND_R01_RATE], 20, "r01 weight");
    NEAR(p.weight[SC_IND_MCC_CC_SHARE], 5, "mcc weight");
    NEAR(p.weight[SC_IND_COST_INDEX], 0, "cost_index weight");
    NEAR(p.weight[SC_IND_R02_RATE], 15, "r02 default kept");
    assert_int_equal(sc_ind_parse_weights("r99_rate = 3", &p, why, sizeof why), SC_ERR_ARG);
    assert_non_null(strstr(why, "r99_rate"));
    assert_int_equal(sc_ind_parse_weights("r01_rate = -1", &p, why, sizeof why), SC_ERR_ARG);
    assert_int_equal(sc_ind_parse_weights("r01_rate", &p, why, sizeof why), SC_ERR_ARG);
    assert_int_equal(sc_ind_parse_directions("cmi = both, r01_rate=higher", &p, why, sizeof why), SC_OK);
    assert_int_equal(p.dir[SC_IND_CMI], SC_DIR_BOTH);
    assert_int_equal(p.dir[SC_IND_R01_RATE], SC_DIR_HIGHER);
    assert_int_equal(sc_ind_parse_directions("cmi = up", &p, why, sizeof why), SC_ERR_ARG);
    p.cut_good = 95;
    assert_int_equal(sc_ind_params_check(&p), SC_ERR_ARG);
    assert_int_equal(sc_ind_find("blank_rate", 10), SC_IND_BLANK_RATE);
    for (int i = 0; i < SC_IND__COUNT; i++) assert_int_equal(sc_ind_find(sc_ind_info_of(i)->code, strlen(sc_ind_info_of(i)->code)), i);
}

/* A never-ranked note exactly for the kinds that no count makes rankable
 * (sc_ind_rankable with every count far above the minimum), and the
 * indicator cases has one that says it is a count. */
static void test_never_ranked_note(void **state)
{
    (void)state;
    const sc_ind_kind K[] = {SC_KIND_COUNT, SC_KIND_RATE, SC_KIND_MEAN, SC_KIND_SHARE, SC_KIND_PROGRESS};
    int never = 0;
    for (size_t k = 0; k < sizeof K / sizeof K[0]; k++) {
        sc_ind_value v = {1, 0.5, 1000, 2000, 1000, 2000};
        int rankable = sc_ind_rankable(&v, K[k], 11);
        const char *note = sc_ind_never_ranked_note(K[k]);
        assert_int_equal(note != NULL, !rankable);
        if (note) {
            never++;
            assert_non_null(strstr(note, "not ranked"));
            assert_non_null(strstr(note, "不排名"));
        }
    }
    assert_int_equal(never, 2);
    const char *c = sc_ind_never_ranked_note(sc_ind_info_of(SC_IND_CASES)->kind);
    assert_non_null(c);
    assert_string_equal(c, "a count, not ranked 计数不排名");
}

/* The points lost per row of a stored /indicators table (scoring/ratinglost.c),
 * by hand: weights cost_index 30, r01_rate 10, r02_rate 15 (the attribute's
 * text); rows of A, B, C interleaved. A: cost_index 0 points, r01 > 0, r02 not
 * ranked: W = 40, lost 75, 0, NaN. B: cost_index 0, r01 0: 75 + 25 = 100 (score
 * 0). C: an indicator of unknown weight among its ranked rows: NaN throughout. */
static void test_rows_points_lost(void **state)
{
    (void)state;
    const char *rating = "cut-offs excellent 90 good 75 pass 60; weight/direction: cost_index=30/lower "
                         "r01_rate=10/lower r02_rate=15/lower";
    NEAR(sc_rating_weight(rating, "cost_index"), 30, "weight of cost_index");
    NEAR(sc_rating_weight(rating, "r02_rate"), 15, "weight of the last one");
    assert_true(isnan(sc_rating_weight(rating, "r01")));          /* a prefix is not a code */
    assert_true(isnan(sc_rating_weight(rating, "cmi")));          /* not listed: not in the rating */
    assert_true(isnan(sc_rating_weight("cost_index=30/lower", "cost_index"))); /* no "direction:" */
    assert_true(isnan(sc_rating_weight(NULL, "cost_index")));
    static const char *const CODE[7] = {"cost_index", "cost_index", "r01_rate", "cost_index", "r01_rate", "r02_rate", "foo"};
    /* rows:                        A0            B0            A1          C0            B1          A2          C1 */
    const size_t g[7] = {0, 1, 0, 3, 1, 0, 3};
    const double pts[7] = {0, 0, 25, 0, 0, NAN, 5};
    double w[7], ws[7], lost[7];
    for (int i = 0; i < 7; i++) w[i] = sc_rating_weight(rating, CODE[i]);
    sc_rows_points_lost(7, g, w, pts, ws, lost);
    NEAR(lost[0], 75, "A cost_index: 100 x 30 / 40");
    NEAR(lost[2], 0, "A r01: scored, lost nothing");
    assert_true(isnan(lost[5]));                                  /* A r02: not ranked */
    NEAR(lost[1], 75, "B cost_index");
    NEAR(lost[4], 25, "B r01: 100 x 10 / 40");
    assert_true(isnan(lost[3]) && isnan(lost[6]));                /* C: a ranked weight unknown */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_indicators_hand),   cmocka_unit_test(test_rule_masks),
        cmocka_unit_test(test_percentile_definitions), cmocka_unit_test(test_min_count),
        cmocka_unit_test(test_growth_budget),     cmocka_unit_test(test_parse_settings),
        cmocka_unit_test(test_never_ranked_note), cmocka_unit_test(test_rows_points_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
