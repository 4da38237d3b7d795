/*
 * simulate.c - casemix simulate: policy simulation of price adjustments and
 * policy settings against the baseline of the same period (README "Policy
 * simulation", docs/METHODS.md "Policy simulation").
 *
 *   read the scenarios (config/scenario.c: checked before any work),
 *   build the period once (period_build_keep: the cost categories any
 *   scenario re-prices are kept per case, 4 bytes a category a case),
 *   run the baseline (sn_run, in the slots), then per scenario:
 *     re-price every case (scoring/reprice.c: categories × multipliers in
 *     fen, re-summed; fund part at the case's own fund share), the static
 *     measurement, the budget-neutral solve (bisection on the multiplier);
 *     re-score from the re-priced history (policies fixed_budget_rescored
 *     and budget_adjusted: calib_run_hook), set the budget of the policy,
 *     settle (sn_run_in on the pool's arrays, allocated once after the
 *     baseline and lent to one scenario after another: new cost 8 B,
 *     score and payment 16 B, outlier classes 2 B, flags 2 B a case,
 *     +16 B DRG points and payments with scheme both);
 *   write /scenarios/NAME/{summary,groups,institutions,measurement[,cases]}
 *   (members base_<m>, <m>, diff_<m>) and print one comparison per scenario.
 * Every sum is an integer summed per slice and merged in slice order, so
 * the output does not depend on the thread count.
 */
#include "simulate.h"
#include "h5out.h"
#include "supervise.h"
#include "html.h"

#include <math.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* ------------------------------------------------------------------ */
/* Multipliers of one scenario, resolved for the period                */
/* ------------------------------------------------------------------ */


static void mults_free(mults *m) { free(m->inst); m->inst = NULL; }

static int64_t cat_mult(const cm_scenario_def *d, int L, int c)
{
    return L >= 1 && L <= 3 && d->level_mult[L][c] ? d->level_mult[L][c] : d->mult[c];
}

/* Resolves d's multipliers for the kept categories; solve_x (0: none)
 * replaces the multiplier of the solved categories. */
static cm_status mults_init(mults *m, const cm_period *p, const cm_scenario_def *d)
{
    memset(m, 0, sizeof *m);
    m->p = p;
    m->d = d;
    m->K = p->keep_n;
    size_t ninst = p->ninst, K = (size_t)m->K;
    m->inst = calloc(ninst * K + 1, sizeof *m->inst);
    if (!m->inst) return CM_ERR_NOMEM;
    for (int L = 0; L <= 3; L++)
        for (int j = 0; j < m->K; j++) {
            m->lev[L][j] = cat_mult(d, L, p->keep_cat[j]);
            m->changed |= m->lev[L][j] != SC_MULT_ONE;
        }
    for (int q = 0; q < d->n_inst; q++) {
        const cm_inst_mult *im = &d->inst[q];
        for (size_t k = 0; k < ninst; k++) {
            if (strcmp(p->inst[k].id, im->inst_id)) continue;
            for (int j = 0; j < m->K; j++)
                if (p->keep_cat[j] == im->cat) {
                    m->inst[k * K + (size_t)j] = im->m;
                    m->has_inst |= im->m != 0;
                    m->changed |= im->m != SC_MULT_ONE;
                }
        }
    }
    return CM_OK;
}

static void mults_set_solved(mults *m, int64_t x)
{
    for (int j = 0; j < m->K; j++)
        if (m->d->solve_cats >> m->p->keep_cat[j] & 1)
            for (int L = 0; L <= 3; L++) m->lev[L][j] = x;
    m->changed = 0;
    for (int L = 0; L <= 3; L++)
        for (int j = 0; j < m->K; j++) m->changed |= m->lev[L][j] != SC_MULT_ONE;
    for (size_t i = 0; i < m->p->ninst * (size_t)m->K; i++) m->changed |= m->inst[i] && m->inst[i] != SC_MULT_ONE;
}

/* The multipliers of case c (K entries): its level's row, or (some
 * institution override) mv filled. */
static inline const int64_t *case_mults(const mults *m, const cm_case *c, int64_t *mv)
{
    const int64_t *lv = m->lev[c->level & 3];
    if (!m->has_inst) return lv;
    const int64_t *io = m->inst + (size_t)c->inst * (size_t)m->K;
    for (int j = 0; j < m->K; j++) mv[j] = io[j] ? io[j] : lv[j];
    return mv;
}

/* ------------------------------------------------------------------ */
/* Re-pricing the period                                               */
/* ------------------------------------------------------------------ */


/* The per-case arrays of one scenario at a time, allocated at the first
 * scenario and lent to every next one (cmd_simulate): the pages are
 * faulted in once, not once a scenario (a 10M-case period: ~0.5 GB a
 * scenario freed and faulted in again cost ~1 s of system time each).
 * The new cost (8 B a case), and the scenario's own columns
 * (sn_inputs.lent: score and payment 16 B, outlier classes 2 B, flags 2 B;
 * DRG points and payments 16 B with scheme both). Not thread-shared:
 * scenarios run one after another. */
typedef struct {
    size_t n;
    int both;
    int64_t *cost;
    void *own[4];
} sim_pool;
static sim_pool *g_pool;

static void pool_free(sim_pool *q)
{
    free(q->cost);
    for (int k = 0; k < 4; k++) free(q->own[k]);
    memset(q, 0, sizeof *q);
}

/* Allocates q for period p's slots (not touched: the first scenario faults
 * them in). 0, or -1 when out of memory (q freed). */
static int pool_init(sim_pool *q, const cm_period *p)
{
    size_t n = p->s.n ? p->s.n : 1;
    memset(q, 0, sizeof *q);
    q->n = p->s.n;
    q->both = p->dip && p->drg;
    q->cost = malloc(n * sizeof *q->cost);
    q->own[0] = malloc(n * 2 * sizeof(int64_t));
    q->own[1] = malloc(n * 2);
    q->own[2] = malloc(n * sizeof(uint16_t));
    if (q->both) q->own[3] = malloc(n * 2 * sizeof(int64_t));
    if (!q->cost || !q->own[0] || !q->own[1] || !q->own[2] || (q->both && !q->own[3])) {
        pool_free(q);
        return -1;
    }
    return 0;
}

/* The pool for period p, or NULL (none set, or another period's). */
static const sim_pool *pool_for(const cm_period *p)
{
    return g_pool && g_pool->n == p->s.n && g_pool->both == (p->dip && p->drg) ? g_pool : NULL;
}

static void repriced_free(repriced *r)
{
    if (g_pool && r->cost == g_pool->cost) r->cost = NULL; /* lent */
    free(r->cost); free(r->fund); free(r->inst); free(r->inst_bucket); free(r->group_cost);
    memset(r, 0, sizeof *r);
}

/* Re-prices every case of the period by m into r. The partials are exact
 * integer sums, so they are kept per thread over a static split of the
 * slots (a 1M-case period is one slice: per-slice partials would run on
 * one thread) and merged in thread order: the same sums at any thread
 * count. */
static cm_status reprice_period(const mults *m, repriced *r)
{
    const cm_period *p = m->p;
    size_t n = p->s.n, ninst = p->ninst, ng = p->ng, K = (size_t)m->K;
    size_t nt = (size_t)pl_threads();
    memset(r, 0, sizeof *r);
    const sim_pool *pool = pool_for(p);
    r->cost = pool ? pool->cost : malloc((n ? n : 1) * sizeof *r->cost);
    r->inst = calloc(ninst + 1, sizeof *r->inst);
    r->inst_bucket = calloc(ninst * 3 + 1, sizeof *r->inst_bucket);
    r->group_cost = calloc(ng + 1, sizeof *r->group_cost);
    /* thread partials: per institution measure and buckets, per category, per group */
    size_t per = ninst * 8 + K * 3 + ng;
    int64_t *part = calloc(nt * per + 1, sizeof *part);
    if (!r->cost || !r->inst || !r->inst_bucket || !r->group_cost || !part) {
        free(part);
        return CM_ERR_NOMEM;
    }
    uint8_t bucket[SC_CAT__COUNT];
    for (size_t j = 0; j < K; j++) bucket[j] = (uint8_t)sc_category_bucket((sc_category)p->keep_cat[j]);
#pragma omp parallel num_threads((int)nt)
    {
        int64_t *P = part + (size_t)pl_thread_id() * per;
        int64_t *Pc = P + ninst * 8, *Pg = Pc + K * 3;
        int64_t mv[SC_CAT__COUNT], dv[SC_CAT__COUNT], df[SC_CAT__COUNT];
#pragma omp for schedule(static)
        for (long li = 0; li < (long)n; li++) {
            size_t i = (size_t)li;
            const cm_case *c = &p->s.slots[i];
            if (c->status != SLOT_CASE) { r->cost[i] = 0; continue; }
            const int64_t *cm = case_mults(m, c, mv);
            int64_t kv[SC_CAT__COUNT];
            period_keep_case(p, i, kv);
            int64_t nf, nc = sc_reprice_case_full(c->total_fen, c->fund_fen, kv, cm, (int)K, dv, df, &nf);
            r->cost[i] = nc; /* the new fund part only in the sums: no per-case array */
            if (c->group >= 0 && (size_t)c->group < ng) Pg[c->group] += nc;
            int64_t *I = P + (size_t)c->inst * 8;
            int64_t up = 0, down = 0;
            for (size_t j = 0; j < K; j++) {
                int64_t d = dv[j], u = d > 0 ? d : 0;
                I[5 + bucket[j]] += d;
                Pc[j * 3] += u;
                Pc[j * 3 + 1] += d - u;
                Pc[j * 3 + 2] += df[j];
                up += u;
                down += d - u;
            }
            /* the case's static measurement (sc_measure_add) */
            I[0] += up; I[1] += down; I[2] += nc - c->total_fen; I[3] += nf - c->fund_fen;
            I[4] += (nc - c->total_fen) - (nf - c->fund_fen);
        }
    }
    for (size_t t = 0; t < nt; t++) {
        const int64_t *P = part + t * per, *Pc = P + ninst * 8, *Pg = Pc + K * 3;
        for (size_t k = 0; k < ninst; k++) {
            const int64_t *I = P + k * 8;
            sc_measure ms = {I[0], I[1], I[2], I[3], I[4]};
            sc_measure_merge(&r->inst[k], &ms);
            for (int q = 0; q < 3; q++) r->inst_bucket[k * 3 + (size_t)q] += I[5 + q];
        }
        for (size_t j = 0; j < K; j++) {
            r->cat_up[j] += Pc[j * 3];
            r->cat_down[j] += Pc[j * 3 + 1];
            r->cat_fund[j] += Pc[j * 3 + 2];
        }
        for (size_t g = 0; g < ng; g++) r->group_cost[g] += Pg[g];
    }
    free(part);
    for (size_t k = 0; k < ninst; k++) sc_measure_merge(&r->region, &r->inst[k]);
    r->ncat = (int)K;
    memcpy(r->cat, p->keep_cat, K);
    r->cost_sum = p->cost_fen + r->region.net_fen;
    r->fund_sum = p->fund_fen + r->region.fund_fen;
    return CM_OK;
}

/* The solve's evaluator: Σ new total cost or Σ new fund with the solved
 * categories at multiplier x (an exact integer sum; any order). */
typedef struct {
    mults *m;
    int fund;
} solve_ctx;

static int64_t solve_eval(void *vctx, int64_t x)
{
    solve_ctx *sx = vctx;
    mults *m = sx->m;
    const cm_period *p = m->p;
    mults_set_solved(m, x);
    size_t K = (size_t)m->K;
    int64_t sum = 0;
#pragma omp parallel for schedule(static) reduction(+ : sum)
    for (long i = 0; i < (long)p->s.n; i++) {
        const cm_case *c = &p->s.slots[i];
        if (c->status != SLOT_CASE) continue;
        int64_t mv[SC_CAT__COUNT], kv[SC_CAT__COUNT];
        period_keep_case(p, (size_t)i, kv);
        int64_t nc = sc_reprice_case(c->total_fen, kv, case_mults(m, c, mv), (int)K, NULL);
        sum += sx->fund ? sc_reprice_fund(nc, c->fund_fen, c->total_fen) : nc;
    }
    return sum;
}

static int64_t budget_eval(void *vctx, int64_t f) { return sc_reprice_amount(*(const int64_t *)vctx, f); }

/* History re-pricing (calib_run_hook): the case's cost under the
 * scenario's multipliers; an institution override by id. */
static int64_t hist_cost(void *vctx, const cm_parser *pr, const cm_case *c)
{
    const mults *m = vctx;
    const cm_scenario_def *d = m->d;
    if (c->flags & CF_NO_CATEGORIES) return c->total_fen;
    int64_t mv[SC_CAT__COUNT];
    for (int k = 0; k < SC_CAT__COUNT; k++) mv[k] = cat_mult(d, c->level, k);
    if (d->solve_cats)
        for (int j = 0; j < m->K; j++)
            if (d->solve_cats >> m->p->keep_cat[j] & 1) mv[m->p->keep_cat[j]] = m->lev[1][j];
    for (int q = 0; q < d->n_inst; q++)
        if (!strcmp(d->inst[q].inst_id, pr->inst_id)) mv[d->inst[q].cat] = d->inst[q].m;
    return sc_reprice_case(c->total_fen, pr->cat_fen, mv, SC_CAT__COUNT, NULL);
}

/* hist_cost as a table for calib_hist_run: the multipliers of the cached
 * categories per institution tag and level, [(tag * 4 + L) * K + j]
 * (malloc'd; NULL when out of memory). */
static int64_t *hist_mults(const mults *m, const cm_hist_cache *hc)
{
    const cm_scenario_def *d = m->d;
    size_t K = (size_t)hc->K, nt = (size_t)hc->ntag + 1;
    int64_t *mv = malloc((nt * 4 * K + 1) * sizeof *mv);
    if (!mv) return NULL;
    for (size_t t = 0; t < nt; t++)
        for (int L = 0; L < 4; L++) {
            int64_t full[SC_CAT__COUNT];
            for (int k = 0; k < SC_CAT__COUNT; k++) full[k] = cat_mult(d, L, k);
            if (d->solve_cats)
                for (int j = 0; j < m->K; j++)
                    if (d->solve_cats >> m->p->keep_cat[j] & 1) full[m->p->keep_cat[j]] = m->lev[1][j];
            for (int q = 0; t > 0 && q < d->n_inst; q++)
                if (!strcmp(d->inst[q].inst_id, hc->tag_id[t - 1])) full[d->inst[q].cat] = d->inst[q].m;
            for (size_t j = 0; j < K; j++) mv[(t * 4 + (size_t)L) * K + j] = full[hc->cat_id[j]];
        }
    return mv;
}

cm_status sim_hist_init(sim_hist *h, const cm_scenario_set *set, const cm_period *p)
{
    return sim_hist_init_cats(h, set, p->keep_cat, p->keep_n);
}

cm_status sim_hist_init_cats(sim_hist *h, const cm_scenario_set *set, const uint8_t *keep, int nkeep)
{
    memset(h, 0, sizeof *h);
    int items = 0, ninst = 0;
    for (int i = 0; i < set->n; i++) {
        items |= set->s[i].price_table[0] != 0;
        ninst += set->s[i].n_inst;
    }
    if (items) { /* the lines' multipliers may touch any category */
        h->ncat = SC_CAT__COUNT;
        for (int k = 0; k < SC_CAT__COUNT; k++) h->cats[k] = (uint8_t)k;
    } else {
        h->ncat = nkeep;
        memcpy(h->cats, keep, (size_t)nkeep);
    }
    if (ninst) {
        h->ids = calloc((size_t)ninst, sizeof *h->ids);
        if (!h->ids) return CM_ERR_NOMEM;
        for (int i = 0; i < set->n; i++)
            for (int q = 0; q < set->s[i].n_inst; q++) memcpy(h->ids[h->nids++], set->s[i].inst[q].inst_id, 32);
    }
    return CM_OK;
}

void sim_hist_free(sim_hist *h)
{
    calib_hist_free(&h->hc);
    free(h->ids);
    memset(h, 0, sizeof *h);
}

/* ------------------------------------------------------------------ */
/* One scenario                                                        */
/* ------------------------------------------------------------------ */


void sim_run_free(sim_run *x)
{
    sn_free(&x->sn);
    mults_free(&x->m);
    repriced_free(&x->r);
    calib_free(&x->cal);
    calib_free(&x->cal0);
    free(x->rw_scale); free(x->std_scale); free(x->drg_rw); free(x->drg_ref);
    x->rw_scale = x->std_scale = x->drg_rw = x->drg_ref = NULL;
}

/* Scores and standard costs from the re-priced history: x->cal and the
 * factors on the catalogue values. */
static cm_status rescore(sim_run *x, const cm_period *p, sim_hist *h, char *err, size_t errlen)
{
    const cm_calib *c0 = &p->cal;
    cm_status rc;
    if (h && !h->loaded) {
        double t = now_seconds();
        rc = calib_hist_read(&x->cfg, p->dip, p->drg, p->al, h->cats, h->ncat, (const char (*)[32])h->ids, h->nids,
                             &h->hc, err, errlen);
        if (rc) return rc;
        h->loaded = 1;
        h->t_read = now_seconds() - t;
    }
    if (!p->use_hist) {
        /* the period has no calibration: calibrate the history as it is, for the ratios */
        rc = h ? calib_hist_run(&x->cfg, p->dip, p->drg, &h->hc, NULL, &x->cal0, err, errlen)
               : calib_run_hook(&x->cfg, p->dip, p->drg, p->al, NULL, NULL, &x->cal0, err, errlen);
        if (rc) return rc;
        c0 = &x->cal0;
    }
    const mults *hm = x->d->price_table[0] ? &x->hm : &x->m;
    if (h) {
        int64_t *mv = x->priced ? hist_mults(hm, &h->hc) : NULL;
        if (x->priced && !mv) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
        rc = calib_hist_run(&x->cfg, p->dip, p->drg, &h->hc, mv, &x->cal, err, errlen);
        free(mv);
    } else {
        rc = calib_run_hook(&x->cfg, p->dip, p->drg, p->al, x->priced ? hist_cost : NULL, (void *)hm, &x->cal, err,
                            errlen);
    }
    if (rc) return rc;
    size_t ng = p->ng, nd = p->nd;
    x->rw_scale = malloc((ng + 1) * sizeof *x->rw_scale);
    x->std_scale = malloc((ng + 1) * sizeof *x->std_scale);
    x->drg_rw = malloc((nd + 1) * sizeof *x->drg_rw);
    x->drg_ref = malloc((nd + 1) * sizeof *x->drg_ref);
    if (!x->rw_scale || !x->std_scale || !x->drg_rw || !x->drg_ref) return CM_ERR_NOMEM;
    for (size_t g = 0; g < ng; g++) {
        int ok = c0->has && x->cal.has && c0->has[g] && x->cal.has[g];
        x->rw_scale[g] = ok && c0->rw[g] > 0 ? x->cal.rw[g] / c0->rw[g] : 1.0;
        x->std_scale[g] = ok && c0->mean_fen[g] > 0 ? x->cal.mean_fen[g] / c0->mean_fen[g] : 1.0;
    }
    for (size_t dd = 0; dd < nd; dd++) {
        x->drg_rw[dd] = p->drg_table_rw || !x->cal.drg_rw ? p->cal.drg_rw[dd] : x->cal.drg_rw[dd];
        double m0 = c0->drg_mean_fen ? c0->drg_mean_fen[dd] : 0, m1 = x->cal.drg_mean_fen ? x->cal.drg_mean_fen[dd] : 0;
        x->drg_ref[dd] = p->drg_ref_fen[dd] * (m0 > 0 && m1 > 0 ? m1 / m0 : 1.0);
    }
    x->rescored = 1;
    return CM_OK;
}

/* Fixed point value: budget' = budget × P1 / P0 × s1 / s0 (the outlay at
 * the baseline's point value). */
static int64_t fixed_pv_budget(int64_t b0, int64_t p0, int64_t p1, double s0, double s1)
{
    int64_t b = p0 > 0 ? sc_muldiv_round(b0, p1, p0) : b0;
    if (s1 != s0 && s0 > 0) b = llround((double)b * s1 / s0);
    return b;
}

cm_status sim_run_scenario(sim_run *x, const cm_scenario_def *d, const cm_period *p, const cm_scenario *base,
                           char *err, size_t errlen)
{
    return sim_run_scenario_hist(x, d, p, base, NULL, err, errlen);
}

cm_status sim_run_scenario_hist(sim_run *x, const cm_scenario_def *d, const cm_period *p, const cm_scenario *base,
                                sim_hist *h, char *err, size_t errlen)
{
    memset(x, 0, sizeof *x);
    x->d = d;
    x->cfg = d->cfg;
    cm_config_relink(&x->cfg);
    cm_status rc = mults_init(&x->m, p, d);
    if (rc) { snprintf(err, errlen, "out of memory"); return rc; }
    /* the budget-neutral solve on categories */
    if (d->solve && d->solve_cats) {
        solve_ctx sx = {&x->m, d->solve == CM_SOLVE_FUND};
        int64_t target = sx.fund ? p->fund_fen : p->cost_fen;
        sc_solve_multiplier(solve_eval, &sx, target, d->solve_lo, d->solve_hi, 1, &x->solve);
        x->solved_m = x->solve.m;
        mults_set_solved(&x->m, x->solved_m);
    }
    x->priced = (x->m.changed && p->keep_n > 0) || d->price_table[0];
    sn_inputs in;
    memset(&in, 0, sizeof in);
    if (d->price_table[0]) {
        /* item lines: the fee file re-priced by the price table */
        if ((rc = sim_items_reprice(p, d->cfg.sim_fee_file, d->price_table, &x->r, err, errlen))) return rc;
        /* the history has no item lines: it is re-priced by the multiplier the lines amount to
         * in each category (Σ new ÷ Σ recorded amounts of the period's lines) */
        x->hist_def = *d;
        for (int k = 0; k < SC_CAT__COUNT; k++)
            x->hist_def.mult[k] = x->r.cat_old[k] > 0
                                      ? sc_muldiv_round(x->r.cat_old[k] + x->r.cat_up[k] + x->r.cat_down[k], SC_MULT_ONE,
                                                        x->r.cat_old[k])
                                      : SC_MULT_ONE;
        x->hm.p = p;
        x->hm.d = &x->hist_def;
        in.cost_fen = x->r.cost;
        in.cost_sum = x->r.cost_sum;
        in.fund_sum = x->r.fund_sum;
    } else if (x->priced) {
                if ((rc = reprice_period(&x->m, &x->r))) { snprintf(err, errlen, "out of memory"); return rc; }
        in.cost_fen = x->r.cost;
        in.cost_sum = x->r.cost_sum;
        in.fund_sum = x->r.fund_sum;
    }
    if ((x->priced && d->policy != CM_POLICY_FIXED_POINT) || d->recalibrate) {
        if (x->cfg.n_history == 0) {
            snprintf(err, errlen, "%s:%d: scenario %s: policy %s re-scores from the re-priced history, and the "
                                  "configuration has no history list; add history (1 to 3 years) or use policy "
                                  "\"fixed_point_value\"", x->cfg.path, d->line, d->name, cm_policy_name(d->policy));
            return CM_ERR_CONFIG;
        }
        if ((rc = rescore(x, p, h, err, errlen))) return rc;
        in.cal = p->use_hist ? &x->cal : NULL;
        in.rw_scale = x->rw_scale;
        in.std_scale = x->std_scale;
        in.drg_rw = x->drg_rw;
        in.drg_ref_fen = x->drg_ref;
    }
    if (d->policy == CM_POLICY_BUDGET_ADJUSTED && x->priced) {
        x->cfg.fund_budget_fen += x->r.region.fund_fen;
        if (x->cfg.drg_budget_fen > 0) x->cfg.drg_budget_fen += x->r.region.fund_fen;
    }
    const sim_pool *q = pool_for(p);
    if (q)
        for (int k = 0; k < 4; k++) in.lent[k] = q->own[k];
    const sn_inputs *inp = in.cost_fen || in.cal || in.rw_scale || in.lent[0] ? &in : NULL;
    if (d->policy != CM_POLICY_FIXED_POINT) return sn_run_in(&x->sn, p, &x->cfg, SN_OWN_ARRAYS, inp, err, errlen);
    /* fixed point value: score once (as sn_run_in), set the budget from the points, then pay */
    cm_scenario *sn = &x->sn;
    memset(sn, 0, sizeof *sn);
    sn->p = p;
    sn->cfg = &x->cfg;
    sn->storage = SN_OWN_ARRAYS;
    if (inp) sn->in = *inp;
    if ((rc = period_check_config(&x->cfg, err, errlen))) return rc;
    double t0 = now_seconds();
    if ((rc = sn_score(sn, err, errlen))) return rc;
    sn->t_score = now_seconds() - t0;
    /* Σ points straight from the scenario's own columns, not the slots: they are 0 for every slot
     * that is not a case (zeroed) and DRG points are 0 for a case without a DRG (sn_score) */
    int64_t pts_dip = 0, pts_drg = 0;
    int dip_on = p->dip != NULL, drg_on = p->drg != NULL;
#pragma omp parallel for schedule(static) reduction(+ : pts_dip, pts_drg)
    for (long i = 0; i < (long)p->s.n; i++) {
        if (dip_on) pts_dip += *sn_i64(sn->score, (size_t)i);
        if (drg_on) pts_drg += *sn_i64(sn->drg_pts, (size_t)i);
    }
    /* the fund share the payment will use (pay.c's rule) */
    double s1 = x->cfg.fund_share > 0 ? x->cfg.fund_share
                : inp && inp->cost_sum ? sc_fund_share(inp->fund_sum, inp->cost_sum)
                : sc_fund_share(p->fund_fen, p->cost_fen);
    int64_t b_dip = base->dipt.on ? fixed_pv_budget(base->dipt.budget_fen, base->dipt.points_e4, pts_dip,
                                                    base->fund_share, s1)
                                  : x->cfg.fund_budget_fen;
    int64_t b_drg = base->drgt.on ? fixed_pv_budget(base->drgt.budget_fen, base->drgt.points_e4, pts_drg,
                                                    base->fund_share, s1)
                                  : x->cfg.drg_budget_fen;
    /* fixed point value: the outlay at the baseline's point value, then
     * (solve.point_value) the factor that brings it back to the budget */
    if (d->solve_point_value) {
        if (base->dipt.on) {
            sc_solve_multiplier(budget_eval, &b_dip, base->dipt.budget_fen, d->solve_lo, d->solve_hi, 1, &x->solve);
            b_dip = x->solve.value;
            x->solved_m = x->solve.m;
        }
        if (base->drgt.on) {
            sc_solve_multiplier(budget_eval, &b_drg, base->drgt.budget_fen, d->solve_lo, d->solve_hi, 1, &x->solve_drg);
            b_drg = x->solve_drg.value;
            if (!base->dipt.on) { x->solve = x->solve_drg; x->solved_m = x->solve.m; }
        }
    }
    x->cfg.fund_budget_fen = b_dip;
    if (base->drgt.on) x->cfg.drg_budget_fen = b_drg;
    double t1 = now_seconds();
    rc = sn_pay(sn, err, errlen);
    sn->t_pay = now_seconds() - t1;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

/* base_<m>, <m>, diff_<m> as three int64 or double members. */
static size_t add3(h5row *r, const char *m, hid_t t)
{
    char nm[64];
    snprintf(nm, sizeof nm, "base_%s", m);
    size_t o = h5row_add(r, nm, t, 8);
    h5row_add(r, m, t, 8);
    snprintf(nm, sizeof nm, "diff_%s", m);
    h5row_add(r, nm, t, 8);
    return o;
}
static void put3i(unsigned char *b, size_t o, int64_t v0, int64_t v1)
{
    int64_t v[3] = {v0, v1, v1 - v0};
    memcpy(b + o, v, sizeof v);
}
static void put3d(unsigned char *b, size_t o, double v0, double v1)
{
    double v[3] = {v0, v1, v1 - v0};
    memcpy(b + o, v, sizeof v);
}
static double pct(int64_t part, int64_t whole) { return whole > 0 ? 100.0 * (double)part / (double)whole : 0; }

static void mult_text(const cm_scenario_def *d, const cm_period *p, int64_t solved, char *buf, size_t n)
{
    size_t l = 0;
    buf[0] = 0;
    for (int c = 0; c < SC_CAT__COUNT; c++) {
        int64_t m = (d->solve_cats >> c & 1) && solved ? solved : d->mult[c];
        if (m == SC_MULT_ONE) continue;
        int w = snprintf(buf + l, n - l, "%s%s=%.12g", l ? ", " : "", sc_category_column((sc_category)c) + 5,
                         (double)m / (double)SC_MULT_ONE);
        if (w > 0 && (size_t)w < n - l) l += (size_t)w;
    }
    for (int L = 1; L <= 3; L++)
        for (int c = 0; c < SC_CAT__COUNT; c++)
            if (d->level_mult[L][c]) {
                int w = snprintf(buf + l, n - l, "%slevel%d.%s=%.12g", l ? ", " : "", L,
                                 sc_category_column((sc_category)c) + 5, (double)d->level_mult[L][c] / (double)SC_MULT_ONE);
                if (w > 0 && (size_t)w < n - l) l += (size_t)w;
            }
    for (int q = 0; q < d->n_inst; q++) {
        int w = snprintf(buf + l, n - l, "%s%s.%s=%.12g", l ? ", " : "", d->inst[q].inst_id,
                         sc_category_column((sc_category)d->inst[q].cat) + 5, (double)d->inst[q].m / (double)SC_MULT_ONE);
        if (w > 0 && (size_t)w < n - l) l += (size_t)w;
    }
    (void)p;
    if (!l) snprintf(buf, n, "none");
}

static int write_table(h5w *w, const char *name, const char *title, const h5row *r, size_t nrows,
                       const unsigned char *buf)
{
    hid_t ds = h5w_table(w, name, title, r, nrows);
    if (ds < 0) return -1;
    int e = nrows ? h5w_rows_fast(w, ds, r, 0, nrows, buf) : 0;
    H5Dclose(ds);
    return e;
}

static cm_status write_scenario(h5w *w, const cm_period *p, const cm_scenario *b, const sim_run *x, int cases)
{
    const cm_scenario_def *d = x->d;
    const cm_scenario *s = &x->sn;
    char path[160], txt[1024];
    snprintf(path, sizeof path, "/scenarios/%s", d->name);
    hid_t g = H5Gcreate2(w->file, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return CM_ERR_OUTPUT;
    int e = 0;
    e |= h5_attr_str(g, "policy", cm_policy_name(d->policy));
    mult_text(d, p, x->solved_m, txt, sizeof txt);
    e |= h5_attr_str(g, "multipliers", txt);
    e |= h5_attr_str(g, "settings", d->has_settings ? d->settings_text : "none");
    e |= h5_attr_str(g, "solve_target", cm_solve_name(d->solve));
    e |= h5_attr_str(g, "solve_variable", d->solve_point_value ? "point_value_factor" : d->solve_cats ? "category_multiplier" : "none");
    if (d->solve) {
        e |= h5_attr_f64(g, "solved_multiplier", (double)x->solve.m / (double)SC_MULT_ONE);
        e |= h5_attr_i64(g, "solved_multiplier_e12", x->solve.m);
        e |= h5_attr_i64(g, "solve_residual_fen", x->solve.residual);
        e |= h5_attr_i64(g, "solve_iterations", x->solve.iterations);
        e |= h5_attr_i64(g, "solve_converged", x->solve.converged);
    }
    e |= h5_attr_i64(g, "repriced", x->priced);
    if (d->price_table[0]) {
        e |= h5_attr_str(g, "price_table", d->price_table);
        e |= h5_attr_str(g, "fee_file", d->cfg.sim_fee_file);
        e |= h5_attr_i64(g, "item_lines", x->r.items);
        e |= h5_attr_i64(g, "item_lines_repriced", x->r.items_repriced);
        e |= h5_attr_i64(g, "item_lines_no_case", x->r.items_no_case);
        e |= h5_attr_i64(g, "item_lines_unusable", x->r.items_bad);
        e |= h5_attr_i64(g, "table_items_never_seen", x->r.table_unseen);
        e |= h5_attr_str(g, "table_items_never_seen_first", x->r.unseen);
    }
    e |= h5_attr_i64(g, "rescored", x->rescored);
    e |= h5_attr_i64(g, "config_line", d->line);
    e |= h5_attr_str(g, "multiplier_rounding",
                     "new category amount = round-half-even(amount x multiplier), fen; new total = total + sum of the "
                     "category changes; new fund = round-half-even(new total x fund / total)");
    H5Gclose(g);
    if (e) return CM_ERR_OUTPUT;
    size_t ninst = p->ninst;
    int dip = s->dipt.on, drg = s->drgt.on;
    /* summary: one row */
    {
        h5row r;
        h5row_begin(&r);
        hid_t I = H5T_STD_I64LE, F = H5T_IEEE_F64LE;
        size_t o_cost = add3(&r, "total_cost_fen", I), o_fund = add3(&r, "fund_fen", I), o_pat = add3(&r, "patient_fen", I);
        size_t o_sv = add3(&r, "services_pct", F), o_dr = add3(&r, "drugs_pct", F), o_ex = add3(&r, "exams_pct", F);
        size_t o_fs = add3(&r, "fund_share", F);
        size_t o_db = 0, o_dp = 0, o_dv = 0, o_dpay = 0, o_rb = 0, o_rp = 0, o_rv = 0, o_rpay = 0;
        if (dip) { o_db = add3(&r, "dip_budget_fen", I); o_dp = add3(&r, "dip_points", F); o_dv = add3(&r, "dip_point_value", F); o_dpay = add3(&r, "dip_payment_fen", I); }
        if (drg) { o_rb = add3(&r, "drg_budget_fen", I); o_rp = add3(&r, "drg_points", F); o_rv = add3(&r, "drg_point_value", F); o_rpay = add3(&r, "drg_payment_fen", I); }
        size_t o_n = h5row_add(&r, "cases", I, 8);
        /* R05 duplicates withheld from payment (重复结算不予支付) by the baseline and every scenario alike
         * (period_build_keep): members when R05 was checked, as settle's /summary */
        int64_t wh[3];
        wh[0] = sv_withheld(p->sup, &wh[1], &wh[2]);
        int r05 = wh[0] >= 0;
        size_t o_wh[3] = {0, 0, 0};
        if (r05) {
            o_wh[0] = h5row_add(&r, "duplicates_withheld", I, 8);
            o_wh[1] = h5row_add(&r, "duplicates_withheld_total_fen", I, 8);
            o_wh[2] = h5row_add(&r, "duplicates_withheld_fund_fen", I, 8);
        }
        h5row_end(&r);
        unsigned char *buf = calloc(1, r.size);
        if (!buf) { h5row_free(&r); return CM_ERR_NOMEM; }
        int64_t bk0[3] = {0}, bk1[3] = {0};
        for (size_t k = 0; k < ninst; k++)
            for (int q = 0; q < 3; q++) {
                bk0[q] += p->ip[k].bucket_fen[q];
                bk1[q] += p->ip[k].bucket_fen[q] + (x->priced ? x->r.inst_bucket[k * 3 + (size_t)q] : 0);
            }
        int64_t t0 = bk0[0] + bk0[1] + bk0[2], t1 = bk1[0] + bk1[1] + bk1[2];
        int64_t c1 = x->priced ? x->r.cost_sum : p->cost_fen, f1 = x->priced ? x->r.fund_sum : p->fund_fen;
        put3i(buf, o_cost, p->cost_fen, c1);
        put3i(buf, o_fund, p->fund_fen, f1);
        put3i(buf, o_pat, p->cost_fen - p->fund_fen, c1 - f1);
        put3d(buf, o_sv, pct(bk0[0], t0), pct(bk1[0], t1));
        put3d(buf, o_dr, pct(bk0[1], t0), pct(bk1[1], t1));
        put3d(buf, o_ex, pct(bk0[2], t0), pct(bk1[2], t1));
        put3d(buf, o_fs, b->fund_share, s->fund_share);
        if (dip) {
            put3i(buf, o_db, b->dipt.budget_fen, s->dipt.budget_fen);
            put3d(buf, o_dp, (double)b->dipt.points_e4 / SC_SCORE_UNIT, (double)s->dipt.points_e4 / SC_SCORE_UNIT);
            put3d(buf, o_dv, b->dipt.point_value, s->dipt.point_value);
            put3i(buf, o_dpay, b->dipt.pay_fen, s->dipt.pay_fen);
        }
        if (drg) {
            put3i(buf, o_rb, b->drgt.budget_fen, s->drgt.budget_fen);
            put3d(buf, o_rp, (double)b->drgt.points_e4 / SC_SCORE_UNIT, (double)s->drgt.points_e4 / SC_SCORE_UNIT);
            put3d(buf, o_rv, b->drgt.point_value, s->drgt.point_value);
            put3i(buf, o_rpay, b->drgt.pay_fen, s->drgt.pay_fen);
        }
        memcpy(buf + o_n, &p->cases, 8);
        for (int q = 0; r05 && q < 3; q++) memcpy(buf + o_wh[q], &wh[q], 8);
        snprintf(path, sizeof path, "scenarios/%s/summary", d->name);
        e = write_table(w, path, "Scenario against the baseline: costs, structure, points, point value, payments", &r, 1, buf);
        free(buf);
        h5row_free(&r);
        if (e) return CM_ERR_OUTPUT;
    }
    /* groups (DIP) */
    if (dip) {
        size_t ng = p->ng, cl = dip_code_width(p->dip, NULL);
        h5row r;
        h5row_begin(&r);
        size_t o_code = h5row_add_str(&r, "code", cl);
        size_t o_n = h5row_add(&r, "n", H5T_STD_I64LE, 8);
        size_t o_sc = add3(&r, "score", H5T_IEEE_F64LE);
        size_t o_mc = add3(&r, "mean_cost_fen", H5T_IEEE_F64LE);
        size_t o_sd = add3(&r, "standard_cost_fen", H5T_IEEE_F64LE);
        h5row_end(&r);
        unsigned char *buf = calloc(ng + 1, r.size);
        if (!buf) { h5row_free(&r); return CM_ERR_NOMEM; }
        for (size_t gi = 0; gi < ng; gi++) {
            unsigned char *row = buf + gi * r.size;
            const char *code = gr_dip_group_at(p->dip, gi)->published; /* as settle's /groups spells it (I10.x) */
            memcpy(row + o_code, code, strnlen(code, cl));
            int64_t n = p->group_n[gi];
            memcpy(row + o_n, &n, 8);
            put3d(row, o_sc, b->rw[gi], s->rw[gi]);
            double m0 = n ? (double)p->group_cost[gi] / (double)n : 0;
            double m1 = n ? (double)(x->priced ? x->r.group_cost[gi] : p->group_cost[gi]) / (double)n : 0;
            put3d(row, o_mc, m0, m1);
            /* the standard cost at the level of most cases is level 3's here: level 1..3 differ by coefficient */
            put3d(row, o_sd, b->std_fen[gi * 4 + 3], s->std_fen[gi * 4 + 3]);
        }
        snprintf(path, sizeof path, "scenarios/%s/groups", d->name);
        e = write_table(w, path, "DIP groups: score, mean cost and level-3 standard cost, baseline and scenario", &r, ng, buf);
        free(buf);
        h5row_free(&r);
        if (e) return CM_ERR_OUTPUT;
        /* the names once, as settle's /group_names: the workbook's NAME_grp sheets show them beside the code */
        if (H5Lexists(w->loc, "group_names", H5P_DEFAULT) == 0) {
            const char **names = calloc(ng + 1, sizeof *names);
            if (!names) return CM_ERR_NOMEM;
            for (size_t gi = 0; gi < ng; gi++) {
                const char *nm = gr_dip_group_at(p->dip, gi)->name;
                names[gi] = nm ? nm : "";
            }
            e = h5_strings(w, "group_names", names, ng, "UTF-8 group names (病种名称), same order as /scenarios/NAME/groups");
            free(names);
            if (e) return CM_ERR_OUTPUT;
        }
    }
    /* institutions */
    {
        size_t il = 1;
        for (size_t k = 0; k < ninst; k++) il = str_maxlen(il, p->inst[k].id);
        h5row r;
        h5row_begin(&r);
        hid_t I = H5T_STD_I64LE, F = H5T_IEEE_F64LE;
        size_t o_id = h5row_add_str(&r, "institution_id", il);
        size_t o_lv = h5row_add(&r, "level", H5T_STD_U8LE, 1);
        size_t o_n = h5row_add(&r, "n_cases", I, 8);
        size_t o_cost = add3(&r, "total_cost_fen", I), o_fund = add3(&r, "fund_fen", I);
        size_t o_sv = add3(&r, "services_pct", F), o_dr = add3(&r, "drugs_pct", F), o_ex = add3(&r, "exams_pct", F);
        size_t o_dp = 0, o_dpay = 0, o_dpe = 0, o_dse = 0, o_rp = 0, o_rpay = 0, o_rpe = 0, o_rse = 0;
        if (dip) {
            o_dp = add3(&r, "dip_points", F); o_dpay = add3(&r, "dip_payment_fen", I);
            o_dpe = h5row_add(&r, "dip_price_effect_fen", I, 8); o_dse = h5row_add(&r, "dip_structure_effect_fen", I, 8);
        }
        if (drg) {
            o_rp = add3(&r, "drg_points", F); o_rpay = add3(&r, "drg_payment_fen", I);
            o_rpe = h5row_add(&r, "drg_price_effect_fen", I, 8); o_rse = h5row_add(&r, "drg_structure_effect_fen", I, 8);
        }
        h5row_end(&r);
        unsigned char *buf = calloc(ninst + 1, r.size);
        if (!buf) { h5row_free(&r); return CM_ERR_NOMEM; }
        for (size_t k = 0; k < ninst; k++) {
            unsigned char *row = buf + k * r.size;
            const sc_inst_partial *P = &p->ip[k];
            memcpy(row + o_id, p->inst[k].id, strnlen(p->inst[k].id, il));
            row[o_lv] = p->inst[k].level;
            memcpy(row + o_n, &P->n_cases, 8);
            const sc_measure *ms = x->priced ? &x->r.inst[k] : NULL;
            put3i(row, o_cost, P->cost_fen, P->cost_fen + (ms ? ms->net_fen : 0));
            put3i(row, o_fund, P->fund_fen, P->fund_fen + (ms ? ms->fund_fen : 0));
            int64_t b0[3], b1[3];
            for (int q = 0; q < 3; q++) {
                b0[q] = P->bucket_fen[q];
                b1[q] = b0[q] + (x->priced ? x->r.inst_bucket[k * 3 + (size_t)q] : 0);
            }
            int64_t t0 = b0[0] + b0[1] + b0[2], t1 = b1[0] + b1[1] + b1[2];
            put3d(row, o_sv, pct(b0[0], t0), pct(b1[0], t1));
            put3d(row, o_dr, pct(b0[1], t0), pct(b1[1], t1));
            put3d(row, o_ex, pct(b0[2], t0), pct(b1[2], t1));
            int64_t pe, se;
            if (dip) {
                put3d(row, o_dp, (double)b->dipt.inst_points[k] / SC_SCORE_UNIT, (double)s->dipt.inst_points[k] / SC_SCORE_UNIT);
                put3i(row, o_dpay, b->dipt.inst_pay[k], s->dipt.inst_pay[k]);
                sc_pay_decompose(b->dipt.budget_fen, b->dipt.points_e4, b->dipt.inst_points[k], s->dipt.inst_points[k],
                                 b->dipt.inst_pay[k], s->dipt.inst_pay[k], &pe, &se);
                memcpy(row + o_dpe, &pe, 8);
                memcpy(row + o_dse, &se, 8);
            }
            if (drg) {
                put3d(row, o_rp, (double)b->drgt.inst_points[k] / SC_SCORE_UNIT, (double)s->drgt.inst_points[k] / SC_SCORE_UNIT);
                put3i(row, o_rpay, b->drgt.inst_pay[k], s->drgt.inst_pay[k]);
                sc_pay_decompose(b->drgt.budget_fen, b->drgt.points_e4, b->drgt.inst_points[k], s->drgt.inst_points[k],
                                 b->drgt.inst_pay[k], s->drgt.inst_pay[k], &pe, &se);
                memcpy(row + o_rpe, &pe, 8);
                memcpy(row + o_rse, &se, 8);
            }
        }
        snprintf(path, sizeof path, "scenarios/%s/institutions", d->name);
        e = write_table(w, path, "Institutions: cost, structure, points, payment; payment change = price effect + structure effect",
                        &r, ninst, buf);
        free(buf);
        h5row_free(&r);
        if (e) return CM_ERR_OUTPUT;
        /* the names once, as settle's /institution_names (input.institutions): the report and workbook show them */
        if (p->has_mtab && H5Lexists(w->loc, "institution_names", H5P_DEFAULT) == 0 &&
            h5_strings(w, "institution_names", p->inst_name, ninst,
                       "UTF-8 institution names (定点医药机构名称) from input.institutions, same order as "
                       "/scenarios/NAME/institutions; \"\" for an institution not in the table"))
            return CM_ERR_OUTPUT;
    }
    /* measurement: region, categories, institutions */
    {
        size_t il = 8;
        for (size_t k = 0; k < ninst; k++) il = str_maxlen(il, p->inst[k].id);
        h5row r;
        h5row_begin(&r);
        size_t o_sc = h5row_add_str(&r, "scope", 11);
        size_t o_nm = h5row_add_str(&r, "name", il < 20 ? 20 : il);
        size_t o_v = h5row_add(&r, "up_fen", H5T_STD_I64LE, 8);
        h5row_add(&r, "down_fen", H5T_STD_I64LE, 8);
        h5row_add(&r, "net_fen", H5T_STD_I64LE, 8);
        h5row_add(&r, "fund_fen", H5T_STD_I64LE, 8);
        h5row_add(&r, "patient_fen", H5T_STD_I64LE, 8);
        h5row_end(&r);
        size_t K = x->priced ? (size_t)x->r.ncat : (size_t)p->keep_n, nrows = 1 + K + ninst, nl = il < 20 ? 20 : il;
        const uint8_t *cats = x->priced ? x->r.cat : p->keep_cat;
        unsigned char *buf = calloc(nrows, r.size);
        if (!buf) { h5row_free(&r); return CM_ERR_NOMEM; }
        sc_measure zero = {0};
        for (size_t q = 0; q < nrows; q++) {
            unsigned char *row = buf + q * r.size;
            sc_measure m = zero;
            const char *scope, *name;
            if (q == 0) {
                scope = "region"; name = "all";
                if (x->priced) m = x->r.region;
            } else if (q <= K) {
                size_t j = q - 1;
                scope = "category";
                name = sc_category_column((sc_category)cats[j]);
                if (x->priced) {
                    m.up_fen = x->r.cat_up[j];
                    m.down_fen = x->r.cat_down[j];
                    m.net_fen = m.up_fen + m.down_fen;
                    m.fund_fen = x->r.cat_fund[j];
                    m.patient_fen = m.net_fen - m.fund_fen;
                }
            } else {
                size_t k = q - 1 - K;
                scope = "institution";
                name = p->inst[k].id;
                if (x->priced) m = x->r.inst[k];
            }
            memcpy(row + o_sc, scope, strlen(scope));
            memcpy(row + o_nm, name, strnlen(name, nl));
            int64_t v[5] = {m.up_fen, m.down_fen, m.net_fen, m.fund_fen, m.patient_fen};
            memcpy(row + o_v, v, sizeof v);
        }
        snprintf(path, sizeof path, "scenarios/%s/measurement", d->name);
        hid_t ds = h5w_table(w, path, "Static measurement at the baseline's volumes (静态测算): up, down, net, fund, patients", &r, nrows);
        e = ds < 0 || h5w_rows_fast(w, ds, &r, 0, nrows, buf);
        if (ds >= 0) {
            e |= h5_attr_str(ds, "note", "a category's fund part is each case's change at the case's fund share, rounded "
                                         "per case and category; the region's and institutions' fund parts are the "
                                         "change of each case's re-priced fund part (their sums may differ by rounding)");
            H5Dclose(ds);
        }
        free(buf);
        h5row_free(&r);
        if (e) return CM_ERR_OUTPUT;
    }
    /* cases (simulate.case_output) */
    if (cases) {
        size_t n = p->s.n, id_len = 1;
        for (size_t i = 0; i < n; i++)
            if (p->s.slots[i].status == SLOT_CASE) id_len = str_maxlen(id_len, pl_case_id(&p->s, i));
        h5row r;
        h5row_begin(&r);
        size_t o_id = h5row_add_str(&r, "case_id", id_len);
        size_t o_in = h5row_add(&r, "institution", H5T_STD_U32LE, 4);
        size_t o_c = add3(&r, "total_cost_fen", H5T_STD_I64LE);
        size_t o_s = add3(&r, "score", H5T_IEEE_F64LE);
        size_t o_p = add3(&r, "payment_fen", H5T_STD_I64LE);
        h5row_end(&r);
        size_t nrows = (size_t)p->cases;
        unsigned char *buf = calloc(nrows + 1, r.size);
        if (!buf) { h5row_free(&r); return CM_ERR_NOMEM; }
        size_t q = 0;
        for (size_t i = 0; i < n && q < nrows; i++) {
            const cm_case *c = &p->s.slots[i];
            if (c->status != SLOT_CASE) continue;
            unsigned char *row = buf + q++ * r.size;
            const char *id = pl_case_id(&p->s, i);
            memcpy(row + o_id, id, strnlen(id, id_len));
            memcpy(row + o_in, &c->inst, 4);
            put3i(row, o_c, c->total_fen, x->priced ? x->r.cost[i] : c->total_fen);
            put3d(row, o_s, (double)*sn_i64(b->score, i) / SC_SCORE_UNIT, (double)*sn_i64(s->score, i) / SC_SCORE_UNIT);
            put3i(row, o_p, *sn_i64(b->pay, i), *sn_i64(s->pay, i));
        }
        snprintf(path, sizeof path, "scenarios/%s/cases", d->name);
        e = write_table(w, path, "Cases: cost, score (DIP, else DRG points) and payment, baseline and scenario", &r, q, buf);
        free(buf);
        h5row_free(&r);
        if (e) return CM_ERR_OUTPUT;
    }
    return CM_OK;
}

/* ------------------------------------------------------------------ */
/* Terminal                                                            */
/* ------------------------------------------------------------------ */

static void line_i(const char *what, int64_t a, int64_t b)
{
    char y0[40], y1[40], y2[40];
    printf("  %-28s %20s %20s %18s\n", what, cm_yuan_text(y0, sizeof y0, a, 1), cm_yuan_text(y1, sizeof y1, b, 1),
           cm_yuan_text(y2, sizeof y2, b - a, 1));
}

/* path as the user would type it from here: "config/../build/demo/prices.csv" ->
 * "build/demo/prices.csv" (relative to the working directory when under it, else
 * the canonical absolute path; as given when it cannot be resolved) */
static const char *clean_path(const char *path, char *out, size_t n)
{
    char rp[PATH_MAX], cwd[PATH_MAX];
    if (!realpath(path, rp)) return path;
    size_t L = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
    const char *s = L && !strncmp(rp, cwd, L) && rp[L] == '/' ? rp + L + 1 : rp;
    snprintf(out, n, "%s", s);
    return out;
}

/* the row the budget-neutral solve holds: 0 none, 1 total cost, 2 the cases' fund part, 3 the payments (outlay) */
static int held_row(const cm_scenario_def *d)
{
    if (!d->solve) return 0;
    if (d->solve_point_value) return 3;
    return d->solve == CM_SOLVE_TOTAL_COST ? 1 : 2;
}

/* Who gains and who loses (an analyst's first question): how many institutions' payments rise, fall or
 * stay, and the three largest each way (name beside the id with input.institutions); the whole list is
 * /scenarios/NAME/institutions diff_<scheme>_payment_fen. */
static void print_movers(const cm_period *p, const char *nm, const int64_t *pay0, const int64_t *pay1)
{
    size_t n = p->ninst, up = 0, down = 0;
    for (size_t k = 0; k < n; k++) up += pay1[k] > pay0[k], down += pay1[k] < pay0[k];
    printf("  %s institutions: %zu gain, %zu lose, %zu unchanged (每机构增减: /scenarios/NAME/institutions)\n", nm, up,
           down, n - up - down);
    for (int side = 0; side < 2; side++) { /* the three largest gains (side 0) or losses (side 1); ties to the lower row */
        const int64_t sg = side ? -1 : 1;
        size_t shown[3];
        int ns = 0;
        for (size_t k = 0; k < n; k++) {
            int64_t d = sg * (pay1[k] - pay0[k]);
            if (d <= 0) continue;
            int at = ns; /* insertion into shown[], largest first */
            while (at > 0 && d > sg * (pay1[shown[at - 1]] - pay0[shown[at - 1]])) at--;
            if (at == 3) continue;
            for (int j = (ns < 3 ? ns : 2); j > at; j--) shown[j] = shown[j - 1];
            shown[at] = k;
            if (ns < 3) ns++;
        }
        if (!ns) continue;
        printf("    %s", side ? "largest losses: " : "largest gains:  ");
        for (int j = 0; j < ns; j++) {
            char y[40];
            size_t k = shown[j];
            const char *name = p->inst_name && p->inst_name[k] && p->inst_name[k][0] ? p->inst_name[k] : NULL;
            printf("%s%s%s%s %s", j ? "; " : "", p->inst[k].id, name ? " " : "", name ? name : "",
                   cm_yuan_text(y, sizeof y, pay1[k] - pay0[k], 1));
        }
        printf(" yuan\n");
    }
}

static void line_held(const char *what, int64_t a, int64_t b, int held)
{
    char y0[40], y1[40], y2[40];
    printf("  %-28s %20s %20s %18s%s\n", what, cm_yuan_text(y0, sizeof y0, a, 1), cm_yuan_text(y1, sizeof y1, b, 1),
           cm_yuan_text(y2, sizeof y2, b - a, 1), held ? "  <- held by the solve" : "");
}

/* What the policy does, for the scenario's heading (docs/METHODS.md §10 "The three policies"). */
static const char *policy_gloss(cm_policy pol)
{
    switch (pol) {
    case CM_POLICY_RESCORED:
        return "价值平移: the budget kept, scores re-calibrated on the re-priced history, the point value floats";
    case CM_POLICY_BUDGET_ADJUSTED: return "预算调整: scores re-calibrated as 价值平移, the budget + the change in fund";
    case CM_POLICY_FIXED_POINT: return "点值不变: scores and the baseline's point value kept, the fund's outlay follows the points";
    }
    return "";
}

static void print_scenario(const cm_period *p, const cm_scenario *b, const sim_run *x)
{
    char pt[PATH_MAX];
    const int held = held_row(x->d);
    const cm_scenario_def *d = x->d;
    const cm_scenario *s = &x->sn;
    char txt[1024], y0[40], y1[40], y2[40];
    mult_text(d, p, x->solved_m, txt, sizeof txt);
    printf("\nscenario %s  (policy %s: %s)\n  multipliers (调价系数): %s\n", d->name, cm_policy_name(d->policy),
           policy_gloss(d->policy), txt);
    if (d->has_settings) printf("  settings:    %s\n", d->settings_text);
    if (d->price_table[0])
        printf("  items (费用明细): %lld lines, %lld re-priced by %s, %lld of no settled case, %lld unusable; "
               "%lld table item(s) never seen%s%s\n",
               (long long)x->r.items, (long long)x->r.items_repriced, clean_path(d->price_table, pt, sizeof pt),
               (long long)x->r.items_no_case,
               (long long)x->r.items_bad, (long long)x->r.table_unseen, x->r.table_unseen ? ": " : "", x->r.unseen);
    printf("  %-28s %20s %20s %18s\n", "", "baseline", "scenario", "change");
    int64_t c1 = x->priced ? x->r.cost_sum : p->cost_fen, f1 = x->priced ? x->r.fund_sum : p->fund_fen;
    /* the cases' fund part (Σ fund paid, re-priced at each case's fund share) is what the cases
     * claim; the fund's outlay is the payments row of each scheme (= its budget) */
    line_held("total cost (yuan)", p->cost_fen, c1, held == 1);
    line_held("cases' fund part (yuan)", p->fund_fen, f1, held == 2);
    line_i("patients' part (yuan)", p->cost_fen - p->fund_fen, c1 - f1);
    int64_t bk0[3] = {0}, bk1[3] = {0};
    for (size_t k = 0; k < p->ninst; k++)
        for (int q = 0; q < 3; q++) {
            bk0[q] += p->ip[k].bucket_fen[q];
            bk1[q] += p->ip[k].bucket_fen[q] + (x->priced ? x->r.inst_bucket[k * 3 + (size_t)q] : 0);
        }
    int64_t t0 = bk0[0] + bk0[1] + bk0[2], t1 = bk1[0] + bk1[1] + bk1[2];
    char s0[64], s1[64];
    snprintf(s0, sizeof s0, "%.1f : %.1f : %.1f", pct(bk0[0], t0), pct(bk0[1], t0), pct(bk0[2], t0));
    snprintf(s1, sizeof s1, "%.1f : %.1f : %.1f", pct(bk1[0], t1), pct(bk1[1], t1), pct(bk1[2], t1));
    printf("  %-28s %20s %20s %+7.2f pp services 医疗服务占比\n", "services:drugs:exams (%)", s0, s1, pct(bk1[0], t1) - pct(bk0[0], t0));
    const scheme_tot *T0[2] = {&b->dipt, &b->drgt}, *T1[2] = {&s->dipt, &s->drgt};
    for (int q = 0; q < 2; q++) {
        if (!T0[q]->on) continue;
        const char *nm = q ? "DRG" : "DIP";
        char lab[64];
        snprintf(lab, sizeof lab, "%s budget (yuan)", nm);
        line_i(lab, T0[q]->budget_fen, T1[q]->budget_fen);
        snprintf(lab, sizeof lab, "%s points", nm);
        {   /* thousands separators, as settle prints the total score */
            char a0[48], a1[48], ad[48], sd[50];
            double dp = (double)(T1[q]->points_e4 - T0[q]->points_e4) / SC_SCORE_UNIT;
            fmt_num(ad, sizeof ad, dp, 1);
            snprintf(sd, sizeof sd, "%s%s", ad[0] == '-' ? "" : "+", ad);
            printf("  %-28s %20s %20s %18s\n", lab, fmt_num(a0, sizeof a0, (double)T0[q]->points_e4 / SC_SCORE_UNIT, 1),
                   fmt_num(a1, sizeof a1, (double)T1[q]->points_e4 / SC_SCORE_UNIT, 1), sd);
        }
        snprintf(lab, sizeof lab, "%s point value (yuan/point)", nm);
        double dpv = T1[q]->point_value - T0[q]->point_value;
        if (fabs(dpv) < 5e-7) dpv = 0; /* a kept point value re-derived from fen: "+0.000000", not "-0.000000" */
        printf("  %-28s %20.6f %20.6f %+18.6f\n", lab, T0[q]->point_value, T1[q]->point_value, dpv);
        snprintf(lab, sizeof lab, "%s payments = outlay (yuan)", nm);
        line_held(lab, T0[q]->pay_fen, T1[q]->pay_fen, held == 3);
        /* the institution whose payment moves most */
        size_t best = 0;
        int64_t bd = -1;
        for (size_t k = 0; k < p->ninst; k++) {
            int64_t dd = T1[q]->inst_pay[k] - T0[q]->inst_pay[k];
            if (dd < 0) dd = -dd;
            if (dd > bd) { bd = dd; best = k; }
        }
        if (p->ninst && bd > 0) {
            int64_t pe, se;
            sc_pay_decompose(T0[q]->budget_fen, T0[q]->points_e4, T0[q]->inst_points[best], T1[q]->inst_points[best],
                             T0[q]->inst_pay[best], T1[q]->inst_pay[best], &pe, &se);
            /* "price effect" (its own points moved, at the baseline's money per point) names a price
             * change: without one (settings only) the same term is the settings' effect on its points */
            printf("  %s largest change: %s %s yuan = %s %s + structure effect %s%s\n", nm, p->inst[best].id,
                   cm_yuan_text(y0, sizeof y0, T1[q]->inst_pay[best] - T0[q]->inst_pay[best], 1),
                   x->priced ? "price effect" : "own-points effect", cm_yuan_text(y1, sizeof y1, pe, 1),
                   cm_yuan_text(y2, sizeof y2, se, 1),
                   x->priced ? " (价格效应 + 结构效应)" : " (price effect —: no price change; own-points effect: the settings moved its own "
                                    "points; structure effect: the point value moved, by the others' points or the budget)");
            print_movers(p, nm, T0[q]->inst_pay, T1[q]->inst_pay);
        }
    }
    if (x->priced) {
        const sc_measure *m = &x->r.region;
        char a[40], bb[40], c[40], dd[40], e[40];
        printf("  static measurement (静态测算): up %s, down %s, net %s yuan; fund %s, patients %s\n",
               cm_yuan_text(a, sizeof a, m->up_fen, 1), cm_yuan_text(bb, sizeof bb, m->down_fen, 1),
               cm_yuan_text(c, sizeof c, m->net_fen, 1), cm_yuan_text(dd, sizeof dd, m->fund_fen, 1),
               cm_yuan_text(e, sizeof e, m->patient_fen, 1));
    } else {
        printf("  static measurement (静态测算): no price change\n");
    }
    static const char *const HELD[] = {"", "total cost unchanged: the total cost row", "fund unchanged: the cases' fund part row",
                                       "fund outlay unchanged: the payments rows; the cases' fund part moves with the prices"};
    if (d->solve)
        printf("  budget-neutral solve (%s): %s = %.9f, residual %lld fen, %d evaluations%s\n",
               HELD[held], d->solve_point_value ? "point value factor" : "multiplier",
               (double)x->solve.m / (double)SC_MULT_ONE, (long long)x->solve.residual, x->solve.iterations,
               x->solve.converged ? "" : " (NOT within 1 fen: widen solve.range)");
}

/* ------------------------------------------------------------------ */

int sim_keep_categories(const cm_scenario_set *set, uint8_t *keep)
{
    int nkeep = 0;
    for (int c = 0; c < SC_CAT__COUNT; c++) {
        int used = 0;
        for (int i = 0; i < set->n; i++) {
            const cm_scenario_def *d = &set->s[i];
            used |= d->mult[c] != SC_MULT_ONE || (d->solve_cats >> c & 1);
            for (int L = 1; L <= 3; L++) used |= d->level_mult[L][c] != 0;
            for (int q = 0; q < d->n_inst; q++) used |= d->inst[q].cat == c;
        }
        if (used) keep[nkeep++] = (uint8_t)c;
    }
    return nkeep;
}

double sim_last_write_seconds;
static const char *const *g_run_names;
static int g_run_n;

void sim_set_run_subset(const char *const *names, int n)
{
    g_run_names = n > 0 ? names : NULL;
    g_run_n = n > 0 ? n : 0;
}

/* 1: scenario name is run (no subset set, or named in it) */
static int sim_runs(const char *name)
{
    for (int k = 0; k < g_run_n; k++)
        if (strcmp(g_run_names[k], name) == 0) return 1;
    return g_run_n == 0;
}

cm_status cmd_simulate(const cm_config *cfg, const cm_run_opts *o, const char *const *only, int nonly)
{
    sim_last_write_seconds = 0;
    char err[1024] = "", outbuf[CM_PATH_MAX + 32];
    static cm_period p0;
    static cm_scenario b0;
    cm_period *p = &p0;
    cm_scenario *base = &b0;
    memset(p, 0, sizeof *p);
    memset(base, 0, sizeof *base);
    cm_scenario_set set;
    cm_cfg_error ce;
    memset(&ce, 0, sizeof ce);
    if (cm_scenarios_load(cfg, only, nonly, &set, &ce) != CM_CFG_OK) {
        if (ce.line > 0) fprintf(stderr, "%s:%d: %s%s%s\n", ce.file, ce.line, ce.key, ce.key[0] ? ": " : "", ce.msg);
        else fprintf(stderr, "%s: %s%s%s\n", ce.file, ce.key, ce.key[0] ? ": " : "", ce.msg);
        fprintf(stderr, "casemix: configuration rejected; nothing was done\n");
        return CM_ERR_CONFIG;
    }
    cm_status rc = CM_OK;
    if (set.n == 0) {
        fprintf(stderr, "%s: simulate.scenarios: no scenario to run; add simulate = { scenarios = ( { name = "
                        "\"identity\"; }, ... ); }; (config/example.cfg)\ncasemix: nothing was done\n", cfg->path);
        cm_scenarios_free(&set);
        return CM_ERR_CONFIG;
    }
    for (int i = 0; i < set.n; i++) {
        const cm_scenario_def *d = &set.s[i];
        int priced = 0;
        for (int c = 0; c < SC_CAT__COUNT; c++) priced |= d->mult[c] != SC_MULT_ONE;
        priced |= d->n_inst > 0 || d->solve_cats;
        for (int L = 1; L <= 3; L++)
            for (int c = 0; c < SC_CAT__COUNT; c++) priced |= d->level_mult[L][c] != 0;
        if (((priced && d->policy != CM_POLICY_FIXED_POINT) || d->recalibrate) && cfg->n_history == 0) {
            fprintf(stderr, "%s:%d: scenario %s: policy %s re-scores from the re-priced history, and the "
                            "configuration has no history list; add history (1 to 3 years) or use policy "
                            "\"fixed_point_value\"\ncasemix: nothing was done\n",
                    cfg->path, d->line, d->name, cm_policy_name(d->policy));
            cm_scenarios_free(&set);
            return CM_ERR_CONFIG;
        }
        if ((rc = period_check_config(&d->cfg, err, sizeof err))) {
            fprintf(stderr, "casemix: scenario %s (line %d): %s\ncasemix: nothing was done\n", d->name, d->line, err);
            cm_scenarios_free(&set);
            return rc;
        }
    }
    const char *output = o->output;
    if (!output) {
        if (!cfg->output_file[0] || cm_side_path(cfg->output_file, ".simulation.h5", outbuf, sizeof outbuf)) {
            fprintf(stderr, "casemix: no output: pass --out FILE.h5 or set output.file\n");
            cm_scenarios_free(&set);
            return CM_ERR_USAGE;
        }
        output = outbuf;
    }
    const char *input = o->input ? o->input : cfg->input_file;
    if (!input[0]) {
        fprintf(stderr, "casemix: no input: pass --input FILE or set input.records\n");
        cm_scenarios_free(&set);
        return CM_ERR_USAGE;
    }
    if (h5w_check_target(output, H5_KIND_SIMULATION, err, sizeof err)) {
        fprintf(stderr, "casemix: %s\n", err);
        cm_scenarios_free(&set);
        return CM_ERR_OUTPUT;
    }
    /* the per-case arrays of the scenarios come from one pool (sim_pool, allocated after the
     * baseline); what a scenario still allocates and frees (a scenario run outside the pool,
     * item re-pricing's arrays, partials, tables) stays in the heap for the next one instead of
     * faulting fresh zero pages in for each (blocks up to glibc's 32 MiB mmap ceiling) */
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    /* the categories any scenario re-prices, kept per case */
    uint8_t keep[SC_CAT__COUNT];
    int nkeep = sim_keep_categories(&set, keep);
    double t0 = now_seconds();
    sim_run *runs = calloc((size_t)set.n, sizeof *runs);
    if (!runs) { cm_scenarios_free(&set); return CM_ERR_NOMEM; }
    /* the history: read once with the period when some scenario re-calibrates and the period
     * calibrates from history (else on the first re-calibration), kept for every scenario */
    sim_hist hist;
    int need_hist = 0;
    for (int i = 0; i < set.n; i++) {
        const cm_scenario_def *d = &set.s[i];
        int pr = d->price_table[0] != 0 || d->n_inst > 0 || d->solve_cats;
        for (int c = 0; c < SC_CAT__COUNT; c++) pr |= d->mult[c] != SC_MULT_ONE;
        for (int L = 1; L <= 3; L++)
            for (int c = 0; c < SC_CAT__COUNT; c++) pr |= d->level_mult[L][c] != 0;
        need_hist |= (pr && d->policy != CM_POLICY_FIXED_POINT) || d->recalibrate;
    }
    if (sim_hist_init_cats(&hist, &set, keep, nkeep)) rc = CM_ERR_NOMEM;
    if (rc) snprintf(err, sizeof err, "out of memory");
    else if (need_hist) {
        double th = now_seconds();
        rc = period_build_hist(p, cfg, input, o->quiet, keep, nkeep, hist.cats, hist.ncat,
                               (const char (*)[32])hist.ids, hist.nids, &hist.hc, err, sizeof err);
        hist.loaded = !rc && hist.hc.nyears > 0;
        hist.t_read = now_seconds() - th; /* the whole period build (tables, history, input) */
    } else
        rc = period_build_keep(p, cfg, input, o->quiet, keep, nkeep, err, sizeof err);
    if (!rc) rc = sn_run(base, p, cfg, SN_IN_SLOTS, err, sizeof err);
    static sim_pool pool;
    if (!rc && pool_init(&pool, p)) { snprintf(err, sizeof err, "out of memory"); rc = CM_ERR_NOMEM; }
    if (!rc) g_pool = &pool;
    double t_base = now_seconds() - t0, t_scen = 0, t_write = 0;
    h5w w;
    memset(&w, 0, sizeof w);
    int open = 0;
    if (!rc) {
        if (h5w_open(&w, output, H5_KIND_SIMULATION, cfg->compression, cfg->deflate_level, cfg->chunk_rows, err,
                     sizeof err))
            rc = CM_ERR_OUTPUT;
        else {
            open = 1;
            w.deflate_lib = cfg->deflate_library;
            hid_t g = H5Gcreate2(w.file, "/scenarios", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            int e = g < 0;
            if (!e) {
                e |= h5_attr_str(w.file, "config", cfg->path);
                e |= h5_attr_str(w.file, "config_sha256", cfg->sha256);
                e |= h5_attr_str(w.file, "input", input);
                e |= h5_attr_str(w.file, "region", cfg->region);
                e |= h5_attr_str(w.file, "period", cfg->period);
                {   /* as a settlement file has them (write.c): the report's heading names both */
                    static const char *const SCH[] = {"dip", "drg", "both"};
                    e |= h5_attr_str(w.file, "scheme", SCH[cfg->scheme]);
                    e |= h5_attr_str(w.file, "program", "casemix " CM_VERSION);
                }
                e |= h5_attr_i64(w.file, "cases", p->cases);
                e |= h5_attr_i64(w.file, "kept_categories", nkeep);
                char names[512] = "";
                for (int i = 0; i < set.n; i++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "," : "", set.s[i].name);
                e |= h5_attr_str(g, "names", names);
                /* R05 duplicates withheld by the baseline and every scenario alike: as settle's /rules */
                int64_t wt, wf, wn = sv_withheld(p->sup, &wt, &wf);
                if (wn >= 0) {
                    e |= h5_attr_i64(g, "duplicates_withheld", wn);
                    e |= h5_attr_i64(g, "duplicates_withheld_total_fen", wt);
                    e |= h5_attr_i64(g, "duplicates_withheld_fund_fen", wf);
                    e |= h5_attr_str(g, "duplicates_withheld_note",
                                     "R05 duplicate claims (重复结算不予支付) withheld from payment by the baseline "
                                     "and every scenario alike (score 0, payment 0): count, claimed total cost and "
                                     "fund part (fen); also members of each /scenarios/NAME/summary. Absent: R05 "
                                     "not checked");
                }
                H5Gclose(g);
            }
            if (e) { snprintf(err, sizeof err, "%s: writing the output failed", output); rc = CM_ERR_OUTPUT; }
        }
    }
    if (!rc && !o->quiet) {
        printf("casemix simulate: %lld cases, %d scenario(s), %d cost categories kept per case (%d B a case)\n",
               (long long)p->cases, set.n, nkeep, (int)sizeof *p->keep_fen * nkeep);
        if (p->rejects) /* the baseline is settled on the kept cases: say what is not in it */
            printf("  records read %lld = cases %lld + rejects %lld (not in the baseline nor any scenario; "
                   "casemix settle lists them with the reason)\n",
                   (long long)p->records, (long long)p->cases, (long long)p->rejects);
    }
    if (!rc && !o->quiet && p->sup) sv_summary(p->sup, stdout); /* R05 withheld in every run (period_build_keep) */
    for (int i = 0; !rc && i < set.n; i++) {
        sim_run *x = &runs[i];
        if (!sim_runs(set.s[i].name)) continue; /* another rank's (sim_set_run_subset) */
        double t1 = now_seconds();
        rc = sim_run_scenario_hist(x, &set.s[i], p, base, &hist, err, sizeof err);
        t_scen += now_seconds() - t1;
        if (!rc && g_interrupted) rc = CM_ERR_INTERRUPTED;
        double t2 = now_seconds();
        if (!rc) {
            rc = write_scenario(&w, p, base, x, cfg->sim_case_output);
            if (rc == CM_ERR_OUTPUT) snprintf(err, sizeof err, "%s: writing /scenarios/%s failed (disk full?)", output, x->d->name);
            else if (rc == CM_ERR_NOMEM) snprintf(err, sizeof err, "out of memory");
        }
        t_write += now_seconds() - t2;
        if (!rc && !o->quiet) print_scenario(p, base, x);
        sim_run_free(x); /* one scenario's memory at a time */
    }
    double t3 = now_seconds();
    if (!rc) rc = h5w_commit(&w, err, sizeof err);
    else if (open) h5w_abort(&w);
    sim_last_write_seconds = t_write + (now_seconds() - t3);
    if (rc) {
        if (rc == CM_ERR_INTERRUPTED) fprintf(stderr, "casemix: interrupted; no output written\n");
        else fprintf(stderr, "casemix: %s\n", err[0] ? err : "failed");
    } else if (!o->quiet) {
        char rp[PATH_MAX]; /* config/../build/x.h5 -> its canonical path */
        printf("\nwrote %s  (read + baseline %.2f s, scenarios %.2f s, write %.2f s)\n",
               realpath(output, rp) ? rp : output, t_base, t_scen, t_write);
        if (hist.loaded) {
            size_t nh = hist.hc.n[0] + hist.hc.n[1] + hist.hc.n[2];
            printf("history read once for calibration and re-calibration: %zu cases, %zu B a case (%.1f MB), "
                   "%.2f s%s\n", nh, hist.hc.bytes_per_case, (double)(nh * hist.hc.bytes_per_case) / 1e6,
                   hist.t_read, need_hist && p->use_hist ? " (with the tables, in read + baseline)" : "");
        }
    }
    sim_hist_free(&hist);
    for (int i = 0; i < set.n; i++) sim_run_free(&runs[i]);
    g_pool = NULL;
    pool_free(&pool);
    free(runs);
    cm_scenarios_free(&set);
    sn_free(base);
    period_free(p);
    return rc;
}
