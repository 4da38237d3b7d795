/*
 * calibrate.c - scores (分值) from up to three years of history
 * (docs/METHODS.md §3): every history case is grouped with the same DIP grouper,
 * costs are bucketed per group and year (counting sort), trimmed per group
 * (nearest-rank 2.5% / 97.5% when the group has >= 25 cases), and the
 * year means are weighted 1:2:7 (oldest to newest; settings).
 *
 *   m_g = Σ w_y mean_{g,y} / Σ w_y   (years with cases)
 *   M   = Σ w_y M_y / Σ w_y,  M_y = Σ_g kept cost / Σ_g kept cases
 *   RW_g = m_g / M × 1000            (scale and factor are settings)
 *
 * Level coefficients (mode "history"): the weighted mean cost per case at
 * level L divided by the weighted mean cost per case of the region
 * (untrimmed). The standard cost "level_mean" is the newest year's mean of
 * the group at the level (untrimmed). The budget point value is the
 * weighted kept cost divided by the weighted kept score Σ n_used·RW.
 * Everything is an integer sum until the final divisions, so the result
 * does not depend on the thread count.
 */
#include "settle.h"
#include "h5out.h"
#include "indicators.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const gr_dip *dip;
    const gr_drg *drg;
    pl_rejects *rej;
    const gr_inst_table *mtab;   /* input.institutions, or NULL */
    calib_cost_fn cost;          /* casemix simulate: the re-priced cost, or NULL */
    void *cost_ctx;
    pl_inst_table *itab;         /* [nt] the newest year: institutions for the indicators, else NULL */
    struct hc_vec *hv;           /* [nt] calib_hist_read: (slot, tag, categories) records, else NULL */
    const cm_hist_cache *hc;     /* calib_hist_read: the categories and institution ids kept */
} hist_ctx;

/* One thread's (slot, tag, K categories) records of calib_hist_read. */
struct hc_vec {
    int64_t *v;
    size_t n, cap;   /* int64 entries; cap SIZE_MAX: out of memory */
};

static void hc_record(const cm_hist_cache *hc, struct hc_vec *hv, const cm_parser *p, const cm_case *c)
{
    if (hv->cap == SIZE_MAX) return;
    size_t need = (size_t)hc->K + 2;
    if (hv->n + need > hv->cap) {
        size_t nc = hv->cap ? hv->cap * 2 : 4096 * need;
        int64_t *nv = realloc(hv->v, nc * sizeof *nv);
        if (!nv) { hv->cap = SIZE_MAX; return; }
        hv->v = nv;
        hv->cap = nc;
    }
    int64_t *e = hv->v + hv->n;
    e[0] = (int64_t)(c - p->slots);
    e[1] = 0;
    for (int t = 0; t < hc->ntag; t++)
        if (!strcmp(hc->tag_id[t], p->inst_id)) { e[1] = t + 1; break; }
    int has = !(c->flags & CF_NO_CATEGORIES);
    for (int j = 0; j < hc->K; j++) e[2 + j] = has ? p->cat_fen[hc->cat_id[j]] : 0;
    hv->n += need;
}

static void hist_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    hist_ctx *x = vctx;
    if (c->status == SLOT_EMPTY) return;
    if (c->status == SLOT_REJECT) {
        pl_reject_add(&x->rej[tid], c->line, rd_row_id(p, c), p->rj_field, p->rj_reason);
        return;
    }
    if (x->mtab) {
        /* the institution table gives the level, as in the settlement */
        const gr_inst *m = gr_inst_find(x->mtab, p->inst_id);
        if (m) c->level = m->level;
    }
    if (x->cost) c->total_fen = x->cost(x->cost_ctx, p, c);
    pl_group_case(x->dip, x->drg, &p->gc, c);
    /* supervision (R11): a history slot has no outlier class; the field
     * holds "discharged by death" (离院方式 5) for the group sums below */
    c->outlier = p->sup_dmode == 5;
    if (x->hv) hc_record(x->hc, &x->hv[tid], p, c);
    if (x->itab) { /* the newest year: the case's institution, for the indicators' previous period */
        int32_t li = pl_inst_get(&x->itab[tid], p->inst_id, c->line, c->level);
        c->inst = ((uint32_t)tid << 24) | (uint32_t)(li < 0 ? 0 : li);
    }
}

void calib_free(cm_calib *c)
{
    if (!c) return;
    free(c->n);
    free(c->n_used);
    free(c->mean_fen);
    free(c->cv);
    free(c->rw);
    free(c->has);
    free(c->level_mean_fen);
    free(c->drg_n);
    free(c->drg_mean_fen);
    free(c->drg_cv);
    free(c->drg_rw);
    if (c->prev) { ind_hist_free(c->prev); free(c->prev); }
    free(c->sup_cases);
    free(c->sup_deaths);
    free(c->sup_los_sum);
    free(c->sup_los_n);
    memset(c, 0, sizeof *c);
}

/* Trimmed statistics of one year per key (DIP group or DRG): counting sort
 * of the costs by key, then sc_year_stats per key in parallel. */
static cm_status year_stats(const pl_slots *s, int use_drg, size_t nkeys, int y, const sc_calib_params *cp,
                      sc_year_stat *ys)
{
    int64_t *cnt = calloc(nkeys + 1, sizeof *cnt);
    if (!cnt) return CM_ERR_NOMEM;
    size_t ncase = 0;
    for (size_t i = 0; i < s->n; i++) {
        const cm_case *c = &s->slots[i];
        int32_t k = use_drg ? c->drg : c->group;
        if (c->status != SLOT_CASE || k < 0) continue;
        cnt[k + 1]++;
        ncase++;
    }
    for (size_t g = 0; g < nkeys; g++) cnt[g + 1] += cnt[g];
    int64_t *costs = malloc((ncase ? ncase : 1) * sizeof *costs);
    int64_t *pos = malloc((nkeys + 1) * sizeof *pos);
    if (!costs || !pos) { free(cnt); free(costs); free(pos); return CM_ERR_NOMEM; }
    memcpy(pos, cnt, (nkeys + 1) * sizeof *pos);
    for (size_t i = 0; i < s->n; i++) {
        const cm_case *c = &s->slots[i];
        int32_t k = use_drg ? c->drg : c->group;
        if (c->status == SLOT_CASE && k >= 0) costs[pos[k]++] = c->total_fen;
    }
#pragma omp parallel for schedule(dynamic, 64)
    for (long g = 0; g < (long)nkeys; g++)
        sc_year_stats(costs + cnt[g], (size_t)(cnt[g + 1] - cnt[g]), cp, &ys[(size_t)g * 3 + (size_t)y]);
    free(costs);
    free(pos);
    free(cnt);
    return CM_OK;
}

cm_status calib_period_drg_means(const pl_slots *s, size_t nd, const sc_calib_params *cp, double *mean_fen)
{
    sc_year_stat *yd = calloc(nd * 3 + 1, sizeof *yd);
    if (!yd || year_stats(s, 1, nd, 0, cp, yd)) { free(yd); return CM_ERR_NOMEM; }
    for (size_t d = 0; d < nd; d++) mean_fen[d] = yd[d * 3].n_used ? yd[d * 3].mean_fen : 0;
    free(yd);
    return CM_OK;
}

/* Weighted region mean M from the kept cases of every key. */
static double region_mean(const sc_year_stat *ys, size_t nkeys, const double *w, sc_year_stat region[3],
                          int *ok)
{
    memset(region, 0, 3 * sizeof *region);
    for (int y = 0; y < 3; y++) {
        int64_t sum = 0, n = 0;
        for (size_t g = 0; g < nkeys; g++) { sum += ys[g * 3 + (size_t)y].sum_fen; n += ys[g * 3 + (size_t)y].n_used; }
        region[y].n = region[y].n_used = n;
        region[y].sum_fen = sum;
        region[y].mean_fen = n ? (double)sum / (double)n : 0;
    }
    return sc_weighted_mean(region, w, ok);
}

cm_status calib_run(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg,
                    const struct col_aliases *al, cm_calib *out, char *err, size_t errlen)
{
    return calib_run_hook(cfg, dip, drg, al, NULL, NULL, out, err, errlen);
}

/* The sums of a calibration while the years are added (calib_run_hook,
 * calib_hist_run), turned into out by calib_finish. */
typedef struct {
    sc_year_stat *ys, *yd;
    int64_t *gl_sum, *gl_n;
    int64_t lvl_sum[3][4], lvl_n[3][4], all_sum[3], all_n[3];
} calib_acc;

static void calib_acc_free(calib_acc *a)
{
    free(a->ys);
    free(a->yd);
    free(a->gl_sum);
    free(a->gl_n);
    memset(a, 0, sizeof *a);
}

/* out's arrays and a's; CM_OK or CM_ERR_NOMEM (with err). */
static cm_status calib_begin(const gr_dip *dip, const gr_drg *drg, cm_calib *out, calib_acc *a, char *err,
                             size_t errlen)
{
    memset(out, 0, sizeof *out);
    memset(a, 0, sizeof *a);
    size_t ng = dip ? gr_dip_ngroups(dip) : 0, nd = drg ? gr_drg_ndrg(drg) : 0;
    out->ng = ng;
    out->ndrg = nd;
    out->n = calloc(ng * 3 + 1, sizeof *out->n);
    out->n_used = calloc(ng * 3 + 1, sizeof *out->n_used);
    out->mean_fen = calloc(ng + 1, sizeof *out->mean_fen);
    out->cv = calloc(ng + 1, sizeof *out->cv);
    out->rw = calloc(ng + 1, sizeof *out->rw);
    out->has = calloc(ng + 1, 1);
    out->level_mean_fen = calloc(ng * 4 + 1, sizeof *out->level_mean_fen);
    out->drg_n = calloc(nd + 1, sizeof *out->drg_n);
    out->drg_mean_fen = calloc(nd + 1, sizeof *out->drg_mean_fen);
    out->drg_cv = calloc(nd + 1, sizeof *out->drg_cv);
    out->drg_rw = calloc(nd + 1, sizeof *out->drg_rw);
    a->ys = calloc(ng * 3 + 1, sizeof *a->ys);
    a->yd = calloc(nd * 3 + 1, sizeof *a->yd);
    a->gl_sum = calloc(ng * 4 + 1, sizeof *a->gl_sum);
    a->gl_n = calloc(ng * 4 + 1, sizeof *a->gl_n);
    if (!out->n || !out->n_used || !out->mean_fen || !out->cv || !out->rw || !out->has ||
        !out->level_mean_fen || !out->drg_n || !out->drg_mean_fen || !out->drg_cv || !out->drg_rw ||
        !a->ys || !a->yd || !a->gl_sum || !a->gl_n) {
        snprintf(err, errlen, "out of memory");
        return CM_ERR_NOMEM;
    }
    return CM_OK;
}

static cm_status calib_finish(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg, calib_acc *a,
                              cm_calib *out, char *err, size_t errlen);

/* A history file that cannot be opened, named as the configuration names it
 * (the reader's own message points at --input / input.records, the period's
 * file, which is not the one missing): 0 when readable, else CM_ERR_INPUT
 * with err set. Also casemix month's history pattern (month.c). */
cm_status calib_hist_check_file(const cm_config *cfg, int h, char *err, size_t errlen)
{
    const char *f = cfg->history[h].file;
    if (access(f, R_OK) == 0) return CM_OK;
    snprintf(err, errlen, "%s: cannot open the history file of %d (history[%d].file in %s): %s; correct the path "
                          "(relative paths start at the configuration file's folder) or write the history years "
                          "first (casemix gen --config FILE --out DIR writes DIR/history_<year>.csv)",
             f, cfg->history[h].year, h, cfg->path, strerror(errno));
    return CM_ERR_INPUT;
}

/* The reading set-up of the history files, one for calibration and for the
 * kept history of casemix simulate: the institution table (input.institutions,
 * the level of the rows; mtab filled and *has set), the required columns
 * (*required) and the parse options. CM_ERR_INPUT with err (file:line). */
static cm_status hist_read_setup(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg, gr_inst_table *mtab,
                                 int *has, const int **required, cm_parse_opts *po, char *err, size_t errlen)
{
    static const int req_level[] = {COL_CASE_ID, COL_INST_LEVEL, COL_PDX, COL_TOTAL, -1};
    static const int req_tab[] = {COL_CASE_ID, COL_INST_ID, COL_PDX, COL_TOTAL, -1};
    memset(mtab, 0, sizeof *mtab);
    *has = 0;
    if (cfg->input_institutions[0]) {
        gr_error ge;
        memset(&ge, 0, sizeof ge);
        if (gr_inst_load(cfg->input_institutions, mtab, &ge) != GR_OK) {
            snprintf(err, errlen, "%s:%ld: %s%s%s", ge.file, ge.line, ge.field, ge.field[0] ? ": " : "", ge.msg);
            return CM_ERR_INPUT; /* exit 4 as before; settle checks the table first (CM_ERR_CONFIG) */
        }
        *has = 1;
    }
    *required = *has ? req_tab : req_level;
    /* with the institution table the level comes from it, not from the row */
    *po = (cm_parse_opts){.need = cm_need_columns(CM_RUN_CALIBRATE, dip != NULL, drg != NULL) &
                                  ~(*has ? CM_NEED(COL_INST_LEVEL) : 0),
                          .mismatch = CM_MISMATCH_FLAG, .tolerance_fen = cfg->category_tolerance_fen,
                          .encoding = rd_encoding_of(cfg->input_encoding)};
    return CM_OK;
}

/* The history read of calib_run_hook; sup_only (calib_sup_run): only
 * supervision's sums and the indicators' newest year, no calibration. */
static cm_status calib_read(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg,
                            const struct col_aliases *al, calib_cost_fn cost, void *cost_ctx, int sup_only,
                            cm_calib *out, char *err, size_t errlen);

cm_status calib_run_hook(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg,
                         const struct col_aliases *al, calib_cost_fn cost, void *cost_ctx, cm_calib *out,
                         char *err, size_t errlen)
{
    return calib_read(cfg, dip, drg, al, cost, cost_ctx, 0, out, err, errlen);
}

cm_status calib_sup_run(const cm_config *cfg, const gr_dip *dip, const struct col_aliases *al, cm_calib *out,
                        char *err, size_t errlen)
{
    return calib_read(cfg, dip, NULL, al, NULL, NULL, 1, out, err, errlen);
}

static cm_status calib_read(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg,
                            const struct col_aliases *al, calib_cost_fn cost, void *cost_ctx, int sup_only,
                            cm_calib *out, char *err, size_t errlen)
{
    calib_acc A;
    size_t ng = dip ? gr_dip_ngroups(dip) : 0, nd = drg ? gr_drg_ndrg(drg) : 0;
    cm_status rc = calib_begin(dip, drg, out, &A, err, errlen);
    sc_year_stat *ys = A.ys, *yd = A.yd;
    int64_t *gl_sum = A.gl_sum, *gl_n = A.gl_n;
    gr_inst_table mtab;      /* input.institutions: levels of the history rows */
    memset(&mtab, 0, sizeof mtab);
    int has_mtab = 0;
    const int *required = NULL;
    cm_parse_opts po;
    if (rc) goto done;
    int nt = pl_threads();
    rc = hist_read_setup(cfg, dip, drg, &mtab, &has_mtab, &required, &po, err, errlen);
    if (rc) goto done;
    po.supervise = cfg->sup_enabled && dip; /* discharge_mode for R11 */
    if (po.supervise) {
        out->sup_cases = calloc(ng + 1, sizeof *out->sup_cases);
        out->sup_deaths = calloc(ng + 1, sizeof *out->sup_deaths);
        out->sup_los_sum = calloc(ng + 1, sizeof *out->sup_los_sum);
        out->sup_los_n = calloc(ng + 1, sizeof *out->sup_los_n);
        if (!out->sup_cases || !out->sup_deaths || !out->sup_los_sum || !out->sup_los_n) {
            snprintf(err, errlen, "out of memory");
            rc = CM_ERR_NOMEM;
            goto done;
        }
    }
    out->nyears = cfg->n_history;
    for (int h = 0; h < cfg->n_history && rc == 0; h++) {
        int y = 3 - cfg->n_history + h; /* weight slot: the newest year is 2 */
        out->years[y] = cfg->history[h].year;
        pl_rejects *rej = calloc((size_t)nt, sizeof *rej);
        int newest = h == cfg->n_history - 1;
        pl_inst_table *itab = newest ? calloc((size_t)nt, sizeof *itab) : NULL;
        hist_ctx x = {dip, drg, rej, has_mtab ? &mtab : NULL, cost, cost_ctx, itab, NULL, NULL};
        pl_slots s;
        memset(&s, 0, sizeof s);
        cm_reader hdr;
        memset(&hdr, 0, sizeof hdr);
        rc = !rej ? CM_ERR_NOMEM
             : (rc = calib_hist_check_file(cfg, h, err, errlen)) ? rc
             : pl_read(cfg->history[h].file, al, required, &po, hist_row, &x, &s, &hdr, NULL, NULL, err, errlen);
        int dmode_col = !rc && po.supervise && hdr.colidx[COL_DMODE] >= 0;
        out->sup_dmode_years += dmode_col;
        if (!rej) snprintf(err, errlen, "out of memory");
        for (int t = 0; rej && t < nt; t++) { out->rejects[y] += (int64_t)rej[t].n; pl_rejects_free(&rej[t]); }
        free(rej);
        if (rc) {
            for (int t = 0; itab && t < nt; t++) pl_inst_table_free(&itab[t]);
            free(itab);
            pl_slots_free(&s);
            break;
        }
        for (size_t i = 0; i < s.n; i++) {
            const cm_case *c = &s.slots[i];
            if (c->status == SLOT_EMPTY) continue;
            out->records[y]++;
            if (c->status != SLOT_CASE) continue;
            out->flagged[y] += (c->flags & (CF_BAD_DATE | CF_BAD_PATIENT | CF_BAD_AMOUNT | CF_AGE_MISMATCH)) != 0;
            A.lvl_sum[y][c->level] += c->total_fen;
            A.lvl_n[y][c->level]++;
            A.all_sum[y] += c->total_fen;
            A.all_n[y]++;
            if (po.supervise && c->group >= 0 && (size_t)c->group < ng) { /* integer sums: any thread count */
                if (dmode_col) { /* mortality only from years that say how the stay ended */
                    out->sup_cases[c->group]++;
                    out->sup_deaths[c->group] += c->outlier;
                }
                if (c->los_days != 65535) { out->sup_los_sum[c->group] += c->los_days; out->sup_los_n[c->group]++; }
            }
            if (dip && y == 2) {
                gl_sum[(size_t)c->group * 4 + c->level] += c->total_fen;
                gl_n[(size_t)c->group * 4 + c->level]++;
            }
        }
        if (itab) { /* the newest year per institution (indicators' previous period) */
            out->prev = calloc(1, sizeof *out->prev);
            if (!out->prev || ind_hist_collect(out->prev, cfg->history[h].year, &s, itab, nt,
                                               dip ? gr_dip_blank(dip) : -1, dip ? ng : 0, drg ? nd : 0)) {
                snprintf(err, errlen, "out of memory");
                rc = CM_ERR_NOMEM;
            }
        }
        for (int t = 0; itab && t < nt; t++) pl_inst_table_free(&itab[t]);
        free(itab);
        if (rc) { pl_slots_free(&s); break; }
        if (!sup_only && ((dip && year_stats(&s, 0, ng, y, &cfg->calib, ys)) ||
            (drg && year_stats(&s, 1, nd, y, &cfg->calib, yd)))) {
            snprintf(err, errlen, "out of memory");
            rc = CM_ERR_NOMEM;
        }
        pl_slots_free(&s);
    }
    if (rc || sup_only) goto done;
    rc = calib_finish(cfg, dip, drg, &A, out, err, errlen);
done:
    gr_inst_table_free(&mtab);
    calib_acc_free(&A);
    return rc;
}

/* Scores, means, CVs, level coefficients and the budget point value from
 * the years' sums (docs/METHODS.md §3). */
static cm_status calib_finish(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg, calib_acc *a,
                              cm_calib *out, char *err, size_t errlen)
{
    size_t ng = out->ng, nd = out->ndrg;
    const sc_year_stat *ys = a->ys, *yd = a->yd;
    const int64_t *gl_sum = a->gl_sum, *gl_n = a->gl_n;
    const double *w = cfg->calib.year_weight;
    sc_year_stat region[3];
    int ok = 0;
    if (dip) {
        double M = region_mean(ys, ng, w, region, &ok);
        if (!ok) {
            snprintf(err, errlen, "history: no usable cases in the history files; check history.file entries");
            return CM_ERR_INPUT;
        }
        if (cfg->calib.scale == SC_SCALE_BENCHMARK) {
            int32_t b = gr_dip_find(dip, cfg->benchmark_group);
            int bok = 0;
            double mb = b >= 0 ? sc_weighted_mean(&ys[(size_t)b * 3], w, &bok) : 0;
            if (!bok) {
                snprintf(err, errlen, "scores.benchmark_group '%s' has no history cases; choose another group",
                         cfg->benchmark_group);
                return CM_ERR_INPUT;
            }
            M = mb;
        }
        out->region_mean_fen = M;
        for (size_t g = 0; g < ng; g++) {
            int gok = 0;
            double m = sc_weighted_mean(&ys[g * 3], w, &gok);
            out->has[g] = (uint8_t)gok;
            out->mean_fen[g] = m;
            out->cv[g] = sc_pooled_cv(&ys[g * 3]);
            out->rw[g] = gok ? sc_score_from_means(m, M, &cfg->calib) : gr_dip_group_at(dip, g)->score;
            for (int y = 0; y < 3; y++) {
                out->n[g * 3 + (size_t)y] = ys[g * 3 + (size_t)y].n;
                out->n_used[g * 3 + (size_t)y] = ys[g * 3 + (size_t)y].n_used;
            }
            for (int L = 1; L <= 3; L++)
                out->level_mean_fen[g * 4 + (size_t)L] =
                    gl_n[g * 4 + (size_t)L] ? (double)gl_sum[g * 4 + (size_t)L] / (double)gl_n[g * 4 + (size_t)L] : 0;
        }
        /* budget point value: weighted kept cost ÷ weighted kept score */
        double wc = 0, wsc = 0;
        for (int y = 0; y < 3; y++) {
            if (!region[y].n_used) continue;
            double score = 0;
            for (size_t g = 0; g < ng; g++) score += (double)ys[g * 3 + (size_t)y].n_used * out->rw[g];
            wc += w[y] * (double)region[y].sum_fen / 100.0;
            wsc += w[y] * score;
        }
        out->budget_pv = wsc > 0 ? wc / wsc : 0;
    }
    if (drg) {
        /* RW_d = m_d / M over the cases of every DRG (0000 left out), no factor */
        double M = region_mean(yd, nd, w, region, &ok);
        out->drg_region_mean_fen = ok ? M : 0;
        for (size_t d = 0; d < nd; d++) {
            int dok = 0;
            double m = sc_weighted_mean(&yd[d * 3], w, &dok);
            for (int y = 0; y < 3; y++) out->drg_n[d] += yd[d * 3 + (size_t)y].n;
            out->drg_mean_fen[d] = m;
            out->drg_cv[d] = sc_pooled_cv(&yd[d * 3]);
            out->drg_rw[d] = dok && M > 0 ? m / M : 0;
        }
    }
    /* level coefficients: level mean cost ÷ region mean cost (untrimmed) */
    {
        sc_year_stat all[3], lv[3];
        for (int y = 0; y < 3; y++) {
            memset(&all[y], 0, sizeof all[y]);
            all[y].n_used = a->all_n[y];
            all[y].mean_fen = a->all_n[y] ? (double)a->all_sum[y] / (double)a->all_n[y] : 0;
        }
        double region_raw = sc_weighted_mean(all, w, NULL);
        for (int L = 1; L <= 3; L++) {
            for (int y = 0; y < 3; y++) {
                memset(&lv[y], 0, sizeof lv[y]);
                lv[y].n_used = a->lvl_n[y][L];
                lv[y].mean_fen = a->lvl_n[y][L] ? (double)a->lvl_sum[y][L] / (double)a->lvl_n[y][L] : 0;
            }
            int lok = 0;
            double mL = sc_weighted_mean(lv, w, &lok);
            out->coef[L] = lok && region_raw > 0 ? mL / region_raw : cfg->level_coef[L];
        }
    }
    return CM_OK;
}

/* ------------------------------------------------------------------ */
/* The history kept in memory (casemix simulate)                       */
/* ------------------------------------------------------------------ */

void calib_hist_free(cm_hist_cache *hc)
{
    if (!hc) return;
    for (int y = 0; y < 3; y++) {
        free(hc->total[y]); free(hc->group[y]); free(hc->drg[y]); free(hc->level[y]); free(hc->tag[y]); free(hc->cat[y]);
    }
    free(hc->tag_id);
    memset(hc, 0, sizeof *hc);
}

cm_status calib_hist_read(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg, const struct col_aliases *al,
                          const uint8_t *cats, int ncat, const char (*ids)[32], int nids, cm_hist_cache *hc,
                          char *err, size_t errlen)
{
    memset(hc, 0, sizeof *hc);
    hc->K = ncat < 0 ? 0 : ncat > SC_CAT__COUNT ? SC_CAT__COUNT : ncat;
    if (hc->K) memcpy(hc->cat_id, cats, (size_t)hc->K);
    if (nids > 0) {
        hc->tag_id = calloc((size_t)nids, sizeof *hc->tag_id);
        if (!hc->tag_id) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
        for (int q = 0; q < nids && q < 65535; q++) {
            int seen = 0;
            for (int t = 0; t < hc->ntag; t++) seen |= !strcmp(hc->tag_id[t], ids[q]);
            if (!seen) memcpy(hc->tag_id[hc->ntag++], ids[q], 32);
        }
    }
    size_t K = (size_t)hc->K;
    hc->bytes_per_case = 8 + (dip ? 4 : 0) + 1 + (drg ? 2 : 0) + (hc->ntag ? 2 : 0) + 8 * K;
    cm_status rc = CM_OK;
    gr_inst_table mtab;
    int has_mtab = 0;
    int nt = pl_threads();
    const int *required = NULL;
    cm_parse_opts po;
    rc = hist_read_setup(cfg, dip, drg, &mtab, &has_mtab, &required, &po, err, errlen);
    if (rc) return rc;
    hc->nyears = cfg->n_history;
    size_t rec = K + 2;
    for (int h = 0; h < cfg->n_history && rc == 0; h++) {
        int y = 3 - cfg->n_history + h;
        hc->years[y] = cfg->history[h].year;
        pl_rejects *rej = calloc((size_t)nt, sizeof *rej);
        struct hc_vec *hv = calloc((size_t)nt, sizeof *hv);
        int keep_rows = K > 0 || hc->ntag > 0;
        hist_ctx x = {dip, drg, rej, has_mtab ? &mtab : NULL, NULL, NULL, NULL, keep_rows ? hv : NULL, hc};
        pl_slots s;
        memset(&s, 0, sizeof s);
        rc = !(rej && hv) ? CM_ERR_NOMEM
             : (rc = calib_hist_check_file(cfg, h, err, errlen)) ? rc
             : pl_read(cfg->history[h].file, al, required, &po, hist_row, &x, &s, NULL, NULL, NULL, err, errlen);
        if (!rej || !hv) snprintf(err, errlen, "out of memory");
        for (int t = 0; rej && t < nt; t++) { hc->rejects[y] += (int64_t)rej[t].n; pl_rejects_free(&rej[t]); }
        free(rej);
        for (int t = 0; !rc && hv && t < nt; t++)
            if (hv[t].cap == SIZE_MAX) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; }
        /* the records by slot: where each slot's (tag, categories) record is */
        int64_t *where = NULL;
        if (!rc && keep_rows) {
            where = malloc((s.n + 1) * sizeof *where);
            if (!where) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; }
            else {
                for (size_t i = 0; i < s.n; i++) where[i] = -1;
                for (int t = 0; t < nt; t++)
                    for (size_t q = 0; q + rec <= hv[t].n; q += rec) {
                        size_t slot = (size_t)hv[t].v[q];
                        if (slot < s.n) where[slot] = ((int64_t)t << 40) | (int64_t)q;
                    }
            }
        }
        size_t n = 0;
        for (size_t i = 0; !rc && i < s.n; i++) {
            const cm_case *c = &s.slots[i];
            if (c->status == SLOT_EMPTY) continue;
            hc->records[y]++;
            if (c->status != SLOT_CASE) continue;
            hc->flagged[y] += (c->flags & (CF_BAD_DATE | CF_BAD_PATIENT | CF_BAD_AMOUNT | CF_AGE_MISMATCH)) != 0;
            n++;
        }
        if (!rc) {
            hc->n[y] = n;
            hc->total[y] = malloc((n + 1) * sizeof *hc->total[y]);
            hc->level[y] = malloc(n + 1);
            if (dip) hc->group[y] = malloc((n + 1) * sizeof *hc->group[y]);
            if (drg) hc->drg[y] = malloc((n + 1) * sizeof *hc->drg[y]);
            if (hc->ntag) hc->tag[y] = calloc(n + 1, sizeof *hc->tag[y]);
            hc->cat[y] = calloc(n * K + 1, sizeof *hc->cat[y]);
            if (!hc->total[y] || !hc->level[y] || (dip && !hc->group[y]) || (drg && !hc->drg[y]) ||
                (hc->ntag && !hc->tag[y]) || !hc->cat[y]) {
                snprintf(err, errlen, "out of memory");
                rc = CM_ERR_NOMEM;
            }
        }
        for (size_t i = 0, k = 0; !rc && i < s.n; i++) {
            const cm_case *c = &s.slots[i];
            if (c->status != SLOT_CASE) continue;
            hc->total[y][k] = c->total_fen;
            hc->level[y][k] = c->level;
            if (dip) hc->group[y][k] = c->group;
            if (drg) hc->drg[y][k] = c->drg;
            if (where && where[i] >= 0) {
                const int64_t *e = hv[where[i] >> 40].v + (where[i] & (((int64_t)1 << 40) - 1));
                if (hc->ntag) hc->tag[y][k] = (uint16_t)e[1];
                memcpy(hc->cat[y] + k * K, e + 2, K * sizeof *e);
            }
            k++;
        }
        free(where);
        for (int t = 0; hv && t < nt; t++) free(hv[t].v);
        free(hv);
        pl_slots_free(&s);
    }
    gr_inst_table_free(&mtab);
    return rc;
}

/* Trimmed statistics of one year per key from the kept cases (as year_stats). */
static cm_status year_stats_arr(size_t n, const int32_t *k32, const int16_t *k16, const int64_t *cost, size_t nkeys,
                                int y, const sc_calib_params *cp, sc_year_stat *ys)
{
    int64_t *cnt = calloc(nkeys + 1, sizeof *cnt);
    if (!cnt) return CM_ERR_NOMEM;
    size_t ncase = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t k = k32 ? k32[i] : k16[i];
        if (k < 0) continue;
        cnt[k + 1]++;
        ncase++;
    }
    for (size_t g = 0; g < nkeys; g++) cnt[g + 1] += cnt[g];
    int64_t *costs = malloc((ncase ? ncase : 1) * sizeof *costs);
    int64_t *pos = malloc((nkeys + 1) * sizeof *pos);
    if (!costs || !pos) { free(cnt); free(costs); free(pos); return CM_ERR_NOMEM; }
    memcpy(pos, cnt, (nkeys + 1) * sizeof *pos);
    for (size_t i = 0; i < n; i++) {
        int32_t k = k32 ? k32[i] : k16[i];
        if (k >= 0) costs[pos[k]++] = cost[i];
    }
#pragma omp parallel for schedule(dynamic, 64)
    for (long g = 0; g < (long)nkeys; g++)
        sc_year_stats(costs + cnt[g], (size_t)(cnt[g + 1] - cnt[g]), cp, &ys[(size_t)g * 3 + (size_t)y]);
    free(costs);
    free(pos);
    free(cnt);
    return CM_OK;
}

cm_status calib_hist_run(const cm_config *cfg, const gr_dip *dip, const gr_drg *drg, const cm_hist_cache *hc,
                         const int64_t *mv, cm_calib *out, char *err, size_t errlen)
{
    calib_acc A;
    size_t ng = dip ? gr_dip_ngroups(dip) : 0, nd = drg ? gr_drg_ndrg(drg) : 0;
    cm_status rc = calib_begin(dip, drg, out, &A, err, errlen);
    int64_t *cost = NULL;
    size_t K = (size_t)hc->K;
    if (rc) goto done;
    out->nyears = hc->nyears;
    for (int y = 0; y < 3 && !rc; y++) {
        size_t n = hc->n[y];
        out->years[y] = hc->years[y];
        out->records[y] = hc->records[y];
        out->rejects[y] = hc->rejects[y];
        out->flagged[y] = hc->flagged[y];
        if (y < 3 - hc->nyears) continue;
        const int64_t *tc = hc->total[y];
        const uint8_t *lv = hc->level[y];
        if (mv && K) {
            free(cost);
            cost = malloc((n + 1) * sizeof *cost);
            if (!cost) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; break; }
            const int64_t *cat = hc->cat[y];
            const uint16_t *tg = hc->tag[y];
#pragma omp parallel for schedule(static)
            for (long i = 0; i < (long)n; i++) {
                size_t t = tg ? tg[i] : 0;
                cost[i] = sc_reprice_case(tc[i], cat + (size_t)i * K, mv + (t * 4 + (lv[i] & 3)) * K, (int)K, NULL);
            }
            tc = cost;
        }
        int64_t ls[4] = {0}, ln[4] = {0}, as = 0;
        for (size_t i = 0; i < n; i++) {
            ls[lv[i]] += tc[i];
            ln[lv[i]]++;
            as += tc[i];
        }
        for (int L = 0; L < 4; L++) { A.lvl_sum[y][L] += ls[L]; A.lvl_n[y][L] += ln[L]; }
        A.all_sum[y] += as;
        A.all_n[y] += (int64_t)n;
        if (dip && y == 2)
            for (size_t i = 0; i < n; i++) {
                A.gl_sum[(size_t)hc->group[y][i] * 4 + lv[i]] += tc[i];
                A.gl_n[(size_t)hc->group[y][i] * 4 + lv[i]]++;
            }
        if ((dip && year_stats_arr(n, hc->group[y], NULL, tc, ng, y, &cfg->calib, A.ys)) ||
            (drg && year_stats_arr(n, NULL, hc->drg[y], tc, nd, y, &cfg->calib, A.yd))) {
            snprintf(err, errlen, "out of memory");
            rc = CM_ERR_NOMEM;
        }
    }
    if (!rc) rc = calib_finish(cfg, dip, drg, &A, out, err, errlen);
done:
    free(cost);
    calib_acc_free(&A);
    return rc;
}


/* The calibrated catalogue's header (the published layout). */
#define CALIB_CSV_HEADER "序号,病种编码,病种类型（1.核心病种；2.综合病种）,主诊断代码,主诊断名称,主要操作代码,主要操作名称," \
                         "其他操作代码,其他操作名称,病种分值\n"

cm_status calib_write_csv(const cm_calib *c, const gr_dip *dip, const char *path, char *err, size_t errlen)
{
    char tmp[CM_PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write the calibrated catalogue", path);
        return CM_ERR_OUTPUT;
    }
    fputs(CALIB_CSV_HEADER, f);
    for (size_t g = 0; g < c->ng; g++) {
        const gr_dip_group *G = gr_dip_group_at(dip, g);
        if (G->type == GR_DIP_BLANK) continue;
        fprintf(f, "%d,", G->seq);
        csv_put(f, G->published);
        fprintf(f, ",%d,%s,", G->type == GR_DIP_CORE ? 1 : 0, G->dx);
        csv_put(f, G->name ? G->name : "");
        fprintf(f, ",%s,,", G->main_proc ? G->main_proc : "");
        fputc('"', f);
        for (int k = 0; k < G->n_related; k++) fprintf(f, "%s%s", k ? "," : "", G->related[k]);
        fprintf(f, "\",,%.6f\n", c->rw[g]);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        snprintf(err, errlen, "%s: writing the calibrated catalogue failed", path);
        return CM_ERR_OUTPUT;
    }
    return CM_OK;
}

cm_status cmd_calibrate(const cm_config *cfg, const cm_run_opts *o)
{
    char err[1024] = "";
    if (cfg->n_history == 0) {
        fprintf(stderr, "%s: calibrate needs a history list (1 to 3 years of discharge files)\n", cfg->path);
        return CM_ERR_CONFIG;
    }
    /* the output (never another command's file) is checked before any work */
    char outp[CM_PATH_MAX], csvp[CM_PATH_MAX + 32];
    if (o->output) snprintf(outp, sizeof outp, "%s", o->output);
    else cm_default_output("calibrate", cfg->output_file, outp, sizeof outp);
    if (cm_side_path(outp, ".catalogue.csv", csvp, sizeof csvp)) {
        fprintf(stderr, "casemix: %s: output path too long\n", outp);
        return CM_ERR_USAGE;
    }
    if (h5w_check_target(outp, H5_KIND_CALIBRATION, err, sizeof err) ||
        cm_side_check_target(csvp, CALIB_CSV_HEADER, "--out", err, sizeof err)) {
        fprintf(stderr, "casemix: %s\n", err);
        return CM_ERR_OUTPUT;
    }
    gr_dip *dip = NULL;
    gr_drg *drg = NULL;
    struct col_aliases *al = NULL;
    cm_status rc = load_tables(cfg, 1, cfg->scheme != CM_SCHEME_DIP, &dip, &drg, &al, err, sizeof err);
    if (rc) {
        fprintf(stderr, "casemix: %s\n", err);
        return rc;
    }
    cm_calib cal;
    rc = calib_run(cfg, dip, drg, al, &cal, err, sizeof err);
    cm_status exitc = rc;
    if (rc) {
        fprintf(stderr, "casemix: %s\n", rc == CM_ERR_INTERRUPTED ? "interrupted" : err);
        goto out;
    }
    if (calib_write_csv(&cal, dip, csvp, err, sizeof err)) {
        fprintf(stderr, "casemix: %s\n", err);
        exitc = CM_ERR_OUTPUT;
        goto out;
    }
    /* HDF5: /calibration table */
    {
        h5w w;
        if (h5w_open(&w, outp, H5_KIND_CALIBRATION, cfg->compression, cfg->deflate_level, cfg->chunk_rows, err, sizeof err)) {
            fprintf(stderr, "casemix: %s\n", err);
            exitc = CM_ERR_OUTPUT;
            goto out;
        }
        size_t ng = cal.ng, code_len = dip_code_width(dip, NULL);
        h5row r;
        h5row_begin(&r);
        size_t c_code = h5row_add_str(&r, "code", code_len);
        size_t c_type = h5row_add(&r, "type", H5T_STD_U8LE, 1);
        size_t c_n0 = h5row_add(&r, "n_oldest", H5T_STD_I64LE, 8);
        size_t c_n1 = h5row_add(&r, "n_middle", H5T_STD_I64LE, 8);
        size_t c_n2 = h5row_add(&r, "n_newest", H5T_STD_I64LE, 8);
        size_t c_u = h5row_add(&r, "n_kept", H5T_STD_I64LE, 8);
        size_t c_m = h5row_add(&r, "mean_cost", H5T_IEEE_F64LE, 8);
        size_t c_cv = h5row_add(&r, "cv", H5T_IEEE_F64LE, 8);
        size_t c_rw = h5row_add(&r, "score", H5T_IEEE_F64LE, 8);
        size_t c_cat = h5row_add(&r, "catalogue_score", H5T_IEEE_F64LE, 8);
        h5row_end(&r);
        hid_t d = h5w_table(&w, "calibration", "Calibrated DIP scores from history", &r, ng);
        unsigned char *b = calloc(ng ? ng : 1, r.size);
        for (size_t g = 0; g < ng; g++) {
            const gr_dip_group *G = gr_dip_group_at(dip, g);
            unsigned char *p = b + g * r.size;
            int64_t ku = cal.n_used[g * 3] + cal.n_used[g * 3 + 1] + cal.n_used[g * 3 + 2];
            double m = cal.mean_fen[g] / 100.0;
            memcpy(p + c_code, G->published, strnlen(G->published, code_len));
            p[c_type] = G->type;
            memcpy(p + c_n0, &cal.n[g * 3], 8);
            memcpy(p + c_n1, &cal.n[g * 3 + 1], 8);
            memcpy(p + c_n2, &cal.n[g * 3 + 2], 8);
            memcpy(p + c_u, &ku, 8);
            memcpy(p + c_m, &m, 8);
            memcpy(p + c_cv, &cal.cv[g], 8);
            memcpy(p + c_rw, &cal.rw[g], 8);
            memcpy(p + c_cat, &G->score, 8);
        }
        int e = d < 0 || h5w_rows(d, &r, 0, ng, b);
        if (d >= 0) {
            h5_attr_str(d, "units", "mean_cost: yuan (weighted, trimmed); score: points");
            h5_attr_f64(d, "region_mean_cost", cal.region_mean_fen / 100.0);
            h5_attr_f64(d, "budget_point_value", cal.budget_pv);
            H5Dclose(d);
        }
        free(b);
        h5row_free(&r);
        h5_attr_str(w.file, "program", "casemix " CM_VERSION);
        h5_attr_str(w.file, "config_sha256", cfg->sha256);
        if (e || h5w_commit(&w, err, sizeof err)) {
            if (e) h5w_abort(&w);
            fprintf(stderr, "casemix: %s\n", err[0] ? err : "writing the calibration failed");
            exitc = CM_ERR_OUTPUT;
            goto out;
        }
    }
    if (!o->quiet) {
        size_t with = 0;
        for (size_t g = 0; g < cal.ng; g++) with += cal.has[g];
        printf("casemix %s: calibration from %d history year(s)\n", CM_VERSION, cal.nyears);
        for (int y = 3 - cal.nyears; y < 3; y++)
            printf("  year %d: %lld records, %lld rejected, %lld kept with a data-quality flag (a field "
                   "calibration does not need, treated as missing)\n", cal.years[y], (long long)cal.records[y],
                   (long long)cal.rejects[y], (long long)cal.flagged[y]);
        printf("  groups with history  %zu of %zu\n", with, cal.ng);
        printf("  region mean cost     %.2f yuan (weights %g:%g:%g)\n", cal.region_mean_fen / 100.0,
               cfg->calib.year_weight[0], cfg->calib.year_weight[1], cfg->calib.year_weight[2]);
        printf("  level coefficients   %.4f  %.4f  %.4f\n", cal.coef[1], cal.coef[2], cal.coef[3]);
        printf("  budget point value   %.6f yuan/point\n", cal.budget_pv);
        printf("  catalogue (CSV)      %s\n", csvp);
        printf("  output               %s\n", outp);
    }
out:
    calib_free(&cal);
    col_aliases_free(al);
    gr_dip_free(dip);
    gr_drg_free(drg);
    return exitc;
}
