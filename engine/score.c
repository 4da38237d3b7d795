/*
 * score.c - a scenario's scores (engine/period.h): the tables in use
 * (level coefficients, DIP scores, standard costs), every case's DIP
 * outlier class and score (RW × level coefficient × outlier factor, 1e-4
 * points), the special-review cap (highest ratio first, ties by line), and
 * DRG points (RW × 100 × coefficient × DRG outlier factor). Also sn_run and
 * sn_free, the scenario's life (score.c, then pay.c).
 */
#include "period.h"
#include "supervise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The level coefficients, DIP scores and standard costs of the settings. */
static cm_status sn_tables(cm_scenario *sn, char *err, size_t errlen)
{
    const cm_period *st = sn->p;
    const cm_config *cfg = sn->cfg;
    const cm_calib *cal = sn->in.cal ? sn->in.cal : &st->cal;
    if (!st->use_hist && (cfg->coef_mode == CM_COEF_HISTORY || cfg->score_source == CM_SCORES_HISTORY ||
                          cfg->standard_cost == CM_STD_LEVEL_MEAN)) {
        snprintf(err, errlen, "%s: the scenario's settings need history the period was built without", cfg->path);
        return CM_ERR_CONFIG;
    }
    sn->coef[0] = 1;
    for (int L = 1; L <= 3; L++)
        sn->coef[L] = cfg->coef_mode == CM_COEF_HISTORY ? cal->coef[L] : cfg->level_coef[L];
    if (!st->dip) return CM_OK;
    const gr_dip *dip = st->dip;
    size_t ng = st->ng;
    sn->rw = malloc((ng ? ng : 1) * sizeof *sn->rw);
    sn->std_fen = calloc(ng * 4 + 1, sizeof *sn->std_fen);
    if (!sn->rw || !sn->std_fen) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    /* budget point value in yuan per point, for standard cost (c) */
    double region_mean = 0;
    for (size_t g = 0; g < ng && region_mean <= 0; g++) {
        double v = gr_dip_group_at(dip, g)->stat_region_mean;
        if (v > 0) region_mean = v;
    }
    double scale = cfg->calib.scale == SC_SCALE_UNIT ? 1.0 : cfg->calib.scale_factor;
    double budget_pv = st->use_hist ? cal->budget_pv : region_mean > 0 ? region_mean / scale : 0;
    for (size_t g = 0; g < ng; g++) {
        const gr_dip_group *G = gr_dip_group_at(dip, g);
        sn->rw[g] = cfg->score_source == CM_SCORES_HISTORY ? cal->rw[g]
                    : sn->in.rw_scale ? G->score * sn->in.rw_scale[g] : G->score;
        double mean_fen = st->use_hist && cal->has[g] ? cal->mean_fen[g]
                          : G->stat_mean_fee > 0 ? G->stat_mean_fee * 100.0 * (sn->in.std_scale ? sn->in.std_scale[g] : 1.0)
                          : 0;
        for (int L = 1; L <= 3; L++) {
            double v = 0;
            switch (cfg->standard_cost) {
            case CM_STD_GROUP_MEAN_X_COEF: v = mean_fen * sn->coef[L]; break;
            case CM_STD_LEVEL_MEAN:
                v = cal->level_mean_fen[g * 4 + (size_t)L];
                if (v <= 0) v = mean_fen * sn->coef[L]; /* no same-level history: fall back to (b) */
                break;
            case CM_STD_SCORE_X_POINT: v = sn->rw[g] * budget_pv * 100.0 * sn->coef[L]; break;
            }
            sn->std_fen[g * 4 + (size_t)L] = v;
        }
    }
    return CM_OK;
}

/* memset(v, 0, bytes) over the threads (a lent array of a big period). */
static void *zero_par(void *v, size_t bytes)
{
    const size_t blk = (size_t)1 << 20;
    long nb = (long)((bytes + blk - 1) / blk);
#pragma omp parallel for schedule(static)
    for (long k = 0; k < nb; k++) {
        size_t o = (size_t)k * blk;
        memset((char *)v + o, 0, bytes - o < blk ? bytes - o : blk);
    }
    return v;
}

/* Where the per-case state lives: the slots (baseline) or arrays of the
 * scenario's own (every other scenario), see period.h. */
static cm_status sn_storage_init(cm_scenario *sn, char *err, size_t errlen)
{
    const cm_period *st = sn->p;
    cm_case *sl = st->s.slots;
    size_t n = st->s.n ? st->s.n : 1;
    int both = st->dip && st->drg;
    if (sn->storage == SN_IN_SLOTS) {
        sn->score = (sn_col){(unsigned char *)&sl->score_e4, sizeof *sl};
        sn->pay = (sn_col){(unsigned char *)&sl->pay_fen, sizeof *sl};
        sn->outlier = (sn_col){(unsigned char *)&sl->outlier, sizeof *sl};
        sn->drg_outlier = (sn_col){(unsigned char *)&sl->drg_outlier, sizeof *sl};
        sn->flags = (sn_col){(unsigned char *)&sl->flags, sizeof *sl};
    } else {
        /* score and payment (16 B), outlier classes (2 B), flags (2 B): lent (zeroed as calloc's) or own */
        int lent = sn->in.lent[0] != NULL;
        int64_t *a = lent ? zero_par(sn->in.lent[0], n * 2 * sizeof *a) : calloc(n * 2, sizeof *a);
        uint8_t *b = lent ? zero_par(sn->in.lent[1], n * 2) : calloc(n * 2, 1);
        uint16_t *f = lent ? sn->in.lent[2] : malloc(n * sizeof *f);
        if (!lent) {
            sn->own[0] = a;
            sn->own[1] = b;
            sn->own[2] = f;
        }
        if (!a || !b || !f) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
        sn->score = (sn_col){(unsigned char *)a, sizeof *a};
        sn->pay = (sn_col){(unsigned char *)(a + n), sizeof *a};
        sn->outlier = (sn_col){b, 1};
        sn->drg_outlier = (sn_col){b + n, 1};
        sn->flags = (sn_col){(unsigned char *)f, sizeof *f};
        for (size_t i = 0; i < st->s.n; i++) f[i] = (uint16_t)(sl[i].flags & ~SN_FLAGS);
    }
    if (both) {
        /* DRG points and payments beside the DIP ones */
        int64_t *d = sn->in.lent[3] ? zero_par(sn->in.lent[3], n * 2 * sizeof *d) : calloc(n * 2, sizeof *d);
        if (!sn->in.lent[3]) sn->own[3] = d;
        if (!d) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
        sn->drg_pts = (sn_col){(unsigned char *)d, sizeof *d};
        sn->drg_pay = (sn_col){(unsigned char *)(d + n), sizeof *d};
    } else {
        sn->drg_pts = sn->score;
        sn->drg_pay = sn->pay;
    }
    return CM_OK;
}

/* DRG points (1e-4) of a case: RW × 100 × level coefficient × outlier factor. */
static int64_t drg_points(const cm_scenario *sn, const cm_case *c, uint8_t *out_class)
{
    const cm_period *st = sn->p;
    if (c->drg < 0) return 0;
    double rw = sn->in.drg_rw ? sn->in.drg_rw[c->drg] : st->cal.drg_rw[c->drg];
    double mean = sn->in.drg_ref_fen ? sn->in.drg_ref_fen[c->drg] : st->drg_ref_fen[c->drg];
    if (rw <= 0 || mean <= 0) return 0;
    double f = 1;
    int64_t cost = sn->in.cost_fen ? sn->in.cost_fen[c - st->s.slots] : c->total_fen;
    *out_class = (uint8_t)sc_drg_outlier_classify((double)cost / mean, rw, &sn->cfg->drg_outliers, &f);
    return sc_score_e4(rw * 100.0, sn->coef[c->level], f);
}

/* The DIP outlier class, flags and score of case i: cost ratio to the
 * standard cost, outlier rule, score. */
static void case_score(const cm_scenario *sn, size_t i, const cm_case *c, double *ratio_out)
{
    const cm_config *cfg = sn->cfg;
    uint16_t fl = (uint16_t)(c->flags & ~SN_FLAGS);
    double ratio = case_ratio(sn->std_fen, c), factor = 1;
    if (sn->in.cost_fen) {
        /* re-priced (casemix simulate): the same expression on the new cost */
        double std = sn->std_fen[(size_t)c->group * 4 + c->level];
        ratio = std > 0 ? (double)sn->in.cost_fen[i] / std : -1.0;
    }
    uint8_t outlier = SC_OUT_NORMAL;
    if (ratio < 0) fl |= CF_NO_STD_COST;
    if (c->group == sn->p->blank) {
        /* blank group (KBBZ): blank_factor × cost/standard × score */
        factor = cfg->blank_factor * (ratio >= 0 ? ratio : 1.0);
    } else if (ratio >= 0) {
        outlier = (uint8_t)sc_outlier_classify(ratio, &cfg->outliers, &factor);
        if (ratio > cfg->outliers.special) fl |= CF_SPECIAL_OVER;
    }
    *sn_u8(sn->outlier, i) = outlier;
    *sn_u16(sn->flags, i) = fl;
    *sn_i64(sn->score, i) = sc_score_e4(sn->rw[c->group], sn->coef[c->level], factor);
    *ratio_out = ratio;
}

typedef struct {
    double ratio;
    uint32_t line;
    size_t slot;
} special_cand;

static int cmp_special(const void *a, const void *b)
{
    const special_cand *x = a, *y = b;
    if (x->ratio != y->ratio) return x->ratio > y->ratio ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

cm_status sn_score(cm_scenario *sn, char *err, size_t errlen)
{
    const cm_period *st = sn->p;
    const cm_config *cfg = sn->cfg;
    cm_status rc = sn_tables(sn, err, errlen);
    if (!rc) rc = sn_storage_init(sn, err, errlen);
    if (rc) return rc;
    const pl_slots *s = &st->s;
    const cm_case *sl = s->slots;
    int nt = pl_threads();
    if (st->dip) {
        /* one parallel sweep: scores, and the special-review candidates
         * (few; per-thread lists, put in a total order by the sort below) */
        struct { special_cand *v; size_t n, cap; } *cand = calloc((size_t)nt, sizeof *cand);
        int oom = !cand;
#pragma omp parallel reduction(+ : oom)
        {
            int tid = pl_thread_id();
#pragma omp for schedule(static)
            for (long i = 0; i < (long)s->n; i++) {
                const cm_case *c = &sl[i];
                if (c->status != SLOT_CASE) continue;
                double ratio;
                case_score(sn, (size_t)i, c, &ratio);
                if (!(*sn_u16(sn->flags, (size_t)i) & CF_SPECIAL_OVER) || !cand) continue;
                if (cand[tid].n == cand[tid].cap) {
                    size_t nc = cand[tid].cap ? cand[tid].cap * 2 : 256;
                    special_cand *v = realloc(cand[tid].v, nc * sizeof *v);
                    if (!v) { oom++; continue; }
                    cand[tid].v = v;
                    cand[tid].cap = nc;
                }
                cand[tid].v[cand[tid].n++] = (special_cand){ratio, c->line, (size_t)i};
            }
        }
        size_t nc = 0;
        special_cand *sc = NULL;
        for (int t = 0; cand && t < nt; t++) nc += cand[t].n;
        if (!oom && !(sc = malloc((nc ? nc : 1) * sizeof *sc))) oom = 1;
        for (int t = 0, k = 0; cand && t < nt; t++) {
            if (sc && cand[t].n) memcpy(sc + k, cand[t].v, cand[t].n * sizeof *sc);
            k += (int)cand[t].n;
            free(cand[t].v);
        }
        free(cand);
        if (oom) { free(sc); snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
        /* special review (特例单议): highest ratios above the threshold, capped */
        qsort(sc, nc, sizeof *sc, cmp_special);
        size_t cap = (size_t)floor(cfg->outliers.special_cap * (double)st->cases);
        for (size_t j = 0; j < nc && j < cap; j++) {
            size_t i = sc[j].slot;
            const cm_case *c = &sl[i];
            uint16_t *fl = sn_u16(sn->flags, i);
            *fl = (uint16_t)((*fl & ~CF_SPECIAL_OVER) | CF_SPECIAL);
            if (cfg->outliers.special_pay_k > 0)
                *sn_i64(sn->score, i) = sc_score_e4(sn->rw[c->group], sn->coef[c->level], cfg->outliers.special_pay_k);
        }
        free(sc);
    }
    if (st->drg) {
#pragma omp parallel for schedule(static)
        for (long i = 0; i < (long)s->n; i++) {
            const cm_case *c = &sl[i];
            if (c->status != SLOT_CASE) continue;
            *sn_i64(sn->drg_pts, (size_t)i) = drg_points(sn, c, sn_u8(sn->drg_outlier, (size_t)i));
        }
    }
    /* R05 duplicates: kept, not paid (supervise.c), in every scenario (settle, month, simulate) */
    if (st->sup) sv_withhold(st->sup, sn);
    return CM_OK;
}

/* ------------------------------------------------------------------ */

cm_status sn_run(cm_scenario *sn, const cm_period *p, const cm_config *cfg, sn_storage storage, char *err,
           size_t errlen)
{
    return sn_run_in(sn, p, cfg, storage, NULL, err, errlen);
}

cm_status sn_run_in(cm_scenario *sn, const cm_period *p, const cm_config *cfg, sn_storage storage,
                    const sn_inputs *in, char *err, size_t errlen)
{
    memset(sn, 0, sizeof *sn);
    if (in) sn->in = *in;
    sn->p = p;
    sn->cfg = cfg ? cfg : p->cfg;
    sn->storage = storage;
    cm_status rc = period_check_config(sn->cfg, err, errlen);
    if (rc) return rc;
    double t0 = now_seconds();
    rc = sn_score(sn, err, errlen);
    sn->t_score = now_seconds() - t0;
    if (rc) return rc;
    double t1 = now_seconds();
    rc = sn_pay(sn, err, errlen);
    sn->t_pay = now_seconds() - t1;
    return rc;
}

void sn_free(cm_scenario *sn)
{
    for (int k = 0; k < 4; k++) free(sn->own[k]);
    free(sn->rw);
    free(sn->std_fen);
    free(sn->ip);
    free(sn->inst_drg_out);
    free(sn->dipt.inst_points); free(sn->dipt.inst_pay);
    free(sn->drgt.inst_points); free(sn->drgt.inst_pay);
    memset(sn, 0, sizeof *sn);
}
