/*
 * calibrate.c - scores (分值) from up to three years of history
 * (domain.md §3): every history case is grouped with the same DIP grouper,
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

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const gr_dip *dip;
    pl_rejects *rej;
} hist_ctx;

static void hist_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    hist_ctx *x = vctx;
    if (c->status == SLOT_EMPTY) return;
    if (c->status == SLOT_REJECT) {
        pl_reject_add(&x->rej[tid], c->line, c->case_id, p->rj_field, p->rj_reason);
        return;
    }
    gr_dip_result r;
    gr_dip_assign(x->dip, &p->gc, &r);
    c->group = r.group;
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
    memset(c, 0, sizeof *c);
}

int calib_run(const cm_config *cfg, const gr_dip *dip, const struct col_aliases *al,
              cm_calib *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t ng = gr_dip_ngroups(dip);
    out->ng = ng;
    out->n = calloc(ng * 3, sizeof *out->n);
    out->n_used = calloc(ng * 3, sizeof *out->n_used);
    out->mean_fen = calloc(ng, sizeof *out->mean_fen);
    out->cv = calloc(ng, sizeof *out->cv);
    out->rw = calloc(ng, sizeof *out->rw);
    out->has = calloc(ng, 1);
    out->level_mean_fen = calloc(ng * 4, sizeof *out->level_mean_fen);
    sc_year_stat *ys = calloc(ng * 3, sizeof *ys);
    if (!out->n || !out->n_used || !out->mean_fen || !out->cv || !out->rw || !out->has ||
        !out->level_mean_fen || !ys) {
        free(ys);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int nt = pl_threads();
    static const int required[] = {COL_CASE_ID, COL_INST_LEVEL, COL_PDX, COL_TOTAL, -1};
    cm_parse_opts po = {.need_money = 1, .need_institution = 0, .mismatch = CM_MISMATCH_FLAG,
                        .tolerance_fen = cfg->category_tolerance_fen};
    int64_t lvl_sum[3][4] = {{0}}, lvl_n[3][4] = {{0}}, all_sum[3] = {0}, all_n[3] = {0};
    int64_t *gl_sum = calloc(ng * 4, sizeof *gl_sum), *gl_n = calloc(ng * 4, sizeof *gl_n);
    if (!gl_sum || !gl_n) { free(ys); free(gl_sum); free(gl_n); snprintf(err, errlen, "out of memory"); return -1; }
    out->nyears = cfg->n_history;
    int rc = 0;
    for (int h = 0; h < cfg->n_history && rc == 0; h++) {
        int y = 3 - cfg->n_history + h; /* weight slot: newest is 2 */
        out->years[y] = cfg->history[h].year;
        pl_rejects *rej = calloc((size_t)nt, sizeof *rej);
        hist_ctx x = {dip, rej};
        pl_slots s;
        rc = pl_read(cfg->history[h].file, al, required, &po, hist_row, &x, &s, NULL, NULL, NULL,
                     err, errlen);
        for (int t = 0; t < nt; t++) { out->rejects[y] += (int64_t)rej[t].n; pl_rejects_free(&rej[t]); }
        free(rej);
        if (rc) { pl_slots_free(&s); break; }
        /* counting sort of costs by group */
        int64_t *cnt = calloc(ng + 1, sizeof *cnt);
        size_t ncase = 0;
        for (size_t i = 0; i < s.n; i++) {
            const cm_case *c = &s.slots[i];
            if (c->status == SLOT_EMPTY) continue;
            out->records[y]++;
            if (c->status != SLOT_CASE) continue;
            cnt[c->group + 1]++;
            ncase++;
            lvl_sum[y][c->level] += c->total_fen;
            lvl_n[y][c->level]++;
            all_sum[y] += c->total_fen;
            all_n[y]++;
            if (y == 2 || h == cfg->n_history - 1) {
                gl_sum[(size_t)c->group * 4 + c->level] += c->total_fen;
                gl_n[(size_t)c->group * 4 + c->level]++;
            }
        }
        for (size_t g = 0; g < ng; g++) cnt[g + 1] += cnt[g];
        int64_t *costs = malloc((ncase ? ncase : 1) * sizeof *costs);
        int64_t *pos = malloc((ng + 1) * sizeof *pos);
        memcpy(pos, cnt, (ng + 1) * sizeof *pos);
        for (size_t i = 0; i < s.n; i++) {
            const cm_case *c = &s.slots[i];
            if (c->status == SLOT_CASE) costs[pos[c->group]++] = c->total_fen;
        }
        pl_slots_free(&s);
        const sc_calib_params *cp = &cfg->calib;
#pragma omp parallel for schedule(dynamic, 64)
        for (long g = 0; g < (long)ng; g++) {
            sc_year_stats(costs + cnt[g], (size_t)(cnt[g + 1] - cnt[g]), cp, &ys[(size_t)g * 3 + (size_t)y]);
        }
        for (size_t g = 0; g < ng; g++) {
            out->n[g * 3 + (size_t)y] = ys[g * 3 + (size_t)y].n;
            out->n_used[g * 3 + (size_t)y] = ys[g * 3 + (size_t)y].n_used;
        }
        free(costs);
        free(pos);
        free(cnt);
    }
    if (rc) { free(ys); free(gl_sum); free(gl_n); return rc; }

    /* region mean per year from kept cases */
    sc_year_stat region[3];
    memset(region, 0, sizeof region);
    for (int y = 0; y < 3; y++) {
        int64_t s = 0, n = 0;
        for (size_t g = 0; g < ng; g++) { s += ys[g * 3 + (size_t)y].sum_fen; n += ys[g * 3 + (size_t)y].n_used; }
        region[y].n = region[y].n_used = n;
        region[y].sum_fen = s;
        region[y].mean_fen = n ? (double)s / (double)n : 0;
    }
    const double *w = cfg->calib.year_weight;
    int ok = 0;
    double M = sc_weighted_mean(region, w, &ok);
    if (!ok) {
        free(ys); free(gl_sum); free(gl_n);
        snprintf(err, errlen, "history: no usable cases in the history files; check history.file entries");
        return -1;
    }
    if (cfg->calib.scale == SC_SCALE_BENCHMARK) {
        int32_t b = gr_dip_find(dip, cfg->benchmark_group);
        int bok = 0;
        double mb = b >= 0 ? sc_weighted_mean(&ys[(size_t)b * 3], w, &bok) : 0;
        if (!bok) {
            free(ys); free(gl_sum); free(gl_n);
            snprintf(err, errlen, "scores.benchmark_group '%s' has no history cases; choose another group",
                     cfg->benchmark_group);
            return -1;
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
        for (int L = 1; L <= 3; L++)
            out->level_mean_fen[g * 4 + (size_t)L] =
                gl_n[g * 4 + (size_t)L] ? (double)gl_sum[g * 4 + (size_t)L] / (double)gl_n[g * 4 + (size_t)L] : 0;
    }
    /* level coefficients and budget point value */
    sc_year_stat all[3], lv[3];
    for (int y = 0; y < 3; y++) {
        memset(&all[y], 0, sizeof all[y]);
        all[y].n_used = all_n[y];
        all[y].mean_fen = all_n[y] ? (double)all_sum[y] / (double)all_n[y] : 0;
    }
    double region_raw = sc_weighted_mean(all, w, NULL);
    for (int L = 1; L <= 3; L++) {
        for (int y = 0; y < 3; y++) {
            memset(&lv[y], 0, sizeof lv[y]);
            lv[y].n_used = lvl_n[y][L];
            lv[y].mean_fen = lvl_n[y][L] ? (double)lvl_sum[y][L] / (double)lvl_n[y][L] : 0;
        }
        int lok = 0;
        double mL = sc_weighted_mean(lv, w, &lok);
        out->coef[L] = lok && region_raw > 0 ? mL / region_raw : cfg->level_coef[L];
    }
    double wc = 0, wsc = 0;
    for (int y = 0; y < 3; y++) {
        if (!region[y].n_used) continue;
        double score = 0;
        for (size_t g = 0; g < ng; g++) score += (double)ys[g * 3 + (size_t)y].n_used * out->rw[g];
        wc += w[y] * (double)region[y].sum_fen / 100.0;
        wsc += w[y] * score;
    }
    out->budget_pv = wsc > 0 ? wc / wsc : 0;
    free(ys);
    free(gl_sum);
    free(gl_n);
    return 0;
}

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

int calib_write_csv(const cm_calib *c, const gr_dip *dip, const char *path, char *err, size_t errlen)
{
    char tmp[CM_PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write the calibrated catalogue", path);
        return -1;
    }
    fputs("序号,病种编码,病种类型（1.核心病种；2.综合病种）,主诊断代码,主诊断名称,主要操作代码,主要操作名称,"
          "其他操作代码,其他操作名称,病种分值\n", f);
    for (size_t g = 0; g < c->ng; g++) {
        const gr_dip_group *G = gr_dip_group_at(dip, g);
        if (G->type == GR_DIP_BLANK) continue;
        fprintf(f, "%d,", G->seq);
        csv_field(f, G->published);
        fprintf(f, ",%d,%s,", G->type == GR_DIP_CORE ? 1 : 0, G->dx);
        csv_field(f, G->name ? G->name : "");
        fprintf(f, ",%s,,", G->main_proc ? G->main_proc : "");
        fputc('"', f);
        for (int k = 0; k < G->n_related; k++) fprintf(f, "%s%s", k ? "," : "", G->related[k]);
        fprintf(f, "\",,%.6f\n", c->rw[g]);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        snprintf(err, errlen, "%s: writing the calibrated catalogue failed", path);
        return -1;
    }
    return 0;
}
