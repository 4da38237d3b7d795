/*
 * indicators.c - the institution indicators of a settlement (engine side;
 * the arithmetic is scoring/indicators.c): per-slice partials over the
 * slots merged in slice order, consumption indices per institution over
 * its cases in slot order, the region's values, peer percentiles among
 * institutions of the same level, previous-period values (a previous
 * settlement file, supervision.previous), budget progress (annual targets,
 * supervision.targets), the rating; /indicators, /indicator_names and the
 * summary line. The bytes do not depend on the thread count: every sum is
 * an integer, or a double summed in a fixed order (groups ascending within
 * one institution).
 */
#include "h5out.h"
#include "indicators.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N SC_IND__COUNT

/* ------------------------------------------------------------------ */
/* annual targets                                                      */
/* ------------------------------------------------------------------ */

/* Splits one CSV line in place (quotes, "" escapes; no newline inside
 * quotes); returns the fields found (at most max). */
static int csv_split(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        char *out = s, *start = s;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s) break;
                if (*s == '"') {
                    if (s[1] == '"') { *out++ = '"'; s += 2; continue; }
                    s++;
                    break;
                }
                *out++ = *s++;
            }
            while (*s && *s != ',') s++;
        } else {
            while (*s && *s != ',') *out++ = *s++;
        }
        int more = *s == ',';
        *out = 0;
        /* trim */
        while (*start == ' ' || *start == '\t') start++;
        char *e = start + strlen(start);
        while (e > start && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = 0;
        if (n < max) f[n] = start;
        n++;
        if (!more) break;
        s++;
    }
    return n;
}

static int cmp_target(const void *a, const void *b)
{
    return strcmp(((const ind_target *)a)->id, ((const ind_target *)b)->id);
}

static int header_is(const char *h, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(h, *names) == 0) return 1;
    return 0;
}

cm_status ind_load_targets(cm_indicators *ind, const cm_config *cfg, char *err, size_t errlen)
{
    memset(ind, 0, sizeof *ind);
    const char *path = cfg->sup_targets;
    if (!path[0]) return CM_OK;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read the annual targets (supervision.targets): %s", path, strerror(errno));
        return CM_ERR_CONFIG;
    }
    static const char *const ID_H[] = {"institution_id", "定点医药机构编码", "定点医疗机构编码", "医疗机构编码",
                                       "机构编码", NULL};
    static const char *const TG_H[] = {"annual_target", "年度目标", "年度总额", "总额指标", "年度总额指标",
                                       "年度预算", NULL};
    char line[4096], *fl[16];
    long ln = 0;
    int ci = -1, ct = -1;
    size_t cap = 0;
    cm_status rc = CM_OK;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *s = line;
        if (ln == 1 && memcmp(s, CM_UTF8_BOM, 3) == 0) s += 3;
        size_t L = strlen(s);
        if (L && s[L - 1] != '\n' && !feof(f)) {
            snprintf(err, errlen, "%s:%ld: line longer than %zu bytes (supervision.targets)", path, ln, sizeof line - 2);
            rc = CM_ERR_CONFIG;
            break;
        }
        while (L && (s[L - 1] == '\n' || s[L - 1] == '\r')) s[--L] = 0;
        if (!L) continue;
        int nf = csv_split(s, fl, 16);
        if (nf > 16) nf = 16;
        if (ci < 0) {
            for (int k = 0; k < nf; k++) {
                if (header_is(fl[k], ID_H)) ci = k;
                else if (header_is(fl[k], TG_H)) ct = k;
            }
            if (ci < 0 || ct < 0) {
                snprintf(err, errlen, "%s:%ld: the header needs institution_id (定点医药机构编码) and annual_target "
                                      "(年度目标), e.g. \"institution_id,annual_target\" (supervision.targets)", path, ln);
                rc = CM_ERR_CONFIG;
                break;
            }
            continue;
        }
        if (ci >= nf || ct >= nf || !fl[ci][0]) {
            snprintf(err, errlen, "%s:%ld: %s is missing; every row needs institution_id and annual_target "
                                  "(supervision.targets)", path, ln, ci >= nf || !fl[ci][0] ? "institution_id" : "annual_target");
            rc = CM_ERR_CONFIG;
            break;
        }
        int64_t fen;
        if (strlen(fl[ci]) >= sizeof ind->tg[0].id) {
            snprintf(err, errlen, "%s:%ld: institution_id longer than %zu bytes (supervision.targets)", path, ln,
                     sizeof ind->tg[0].id - 1);
            rc = CM_ERR_CONFIG;
            break;
        }
        if (cm_parse_yuan_grouped(fl[ct], strlen(fl[ct]), &fen) != 0 || fen <= 0) {
            char e[40];
            snprintf(err, errlen, "%s:%ld: annual_target '%s' is not an amount in yuan above 0 (e.g. "
                                  "\"12,500,000.00\"); fix the row (supervision.targets)", path, ln,
                     cm_echo(e, sizeof e, fl[ct], strlen(fl[ct])));
            rc = CM_ERR_CONFIG;
            break;
        }
        if (ind->ntg == cap) {
            cap = cap ? cap * 2 : 64;
            ind_target *t = realloc(ind->tg, cap * sizeof *t);
            if (!t) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; break; }
            ind->tg = t;
        }
        snprintf(ind->tg[ind->ntg].id, sizeof ind->tg[0].id, "%s", fl[ci]);
        ind->tg[ind->ntg].fen = fen;
        ind->ntg++;
    }
    fclose(f);
    if (!rc && ci < 0) {
        snprintf(err, errlen, "%s: empty; it needs a header institution_id,annual_target (supervision.targets)", path);
        rc = CM_ERR_CONFIG;
    }
    if (!rc) {
        qsort(ind->tg, ind->ntg, sizeof *ind->tg, cmp_target);
        for (size_t k = 1; k < ind->ntg; k++)
            if (strcmp(ind->tg[k].id, ind->tg[k - 1].id) == 0) {
                snprintf(err, errlen, "%s: institution %s has two annual targets; keep one (supervision.targets)",
                         path, ind->tg[k].id);
                rc = CM_ERR_CONFIG;
                break;
            }
    }
    if (rc) { free(ind->tg); ind->tg = NULL; ind->ntg = 0; }
    return rc;
}

static int64_t target_of(const cm_indicators *ind, const char *id)
{
    size_t lo = 0, hi = ind->ntg;
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        int c = strcmp(ind->tg[m].id, id);
        if (c == 0) return ind->tg[m].fen;
        if (c < 0) lo = m + 1; else hi = m;
    }
    return 0;
}

/* Share of the year a period covers: "2025Q2" 0.5, "2025-06" / "202506" 0.5,
 * "2025H1" 0.5, else 1 (a whole year); the label read by period_label_months. */
static double year_elapsed_of(const char *period)
{
    int y, m0, m1;
    return period_label_months(period, &y, &m0, &m1) == 0 ? m1 / 12.0 : 1.0;
}

/* ------------------------------------------------------------------ */
/* the previous period: a previous settlement file's /indicators        */
/* ------------------------------------------------------------------ */

typedef struct {
    char id[32];
    uint8_t ind;
    double value;
} prev_row;

static int cmp_prev(const void *a, const void *b)
{
    const prev_row *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (int)x->ind - (int)y->ind;
}

/* Reads institution_id, indicator (code) and value of path's /indicators.
 * CM_OK or CM_ERR_INPUT with err. *rows the caller's (free). */
static cm_status read_previous(const char *path, prev_row **rows, size_t *nrows, char *err, size_t errlen)
{
    *rows = NULL;
    *nrows = 0;
    hid_t f = -1, d = -1, ft = -1, mt = -1, sp = -1;
    cm_status rc = CM_ERR_INPUT;
    char *buf = NULL;
    H5E_BEGIN_TRY {
        f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f >= 0) d = H5Dopen2(f, "indicators", H5P_DEFAULT);
    } H5E_END_TRY;
    if (f < 0 || d < 0) {
        snprintf(err, errlen, "%s: not a casemix settlement file with /indicators (supervision.previous); "
                              "name the previous period's settlement output", path);
        goto out;
    }
    ft = H5Dget_type(d);
    int ii = H5Tget_member_index(ft, "institution_id"), ic = H5Tget_member_index(ft, "indicator"),
        iv = H5Tget_member_index(ft, "value");
    if (ii < 0 || ic < 0 || iv < 0) {
        snprintf(err, errlen, "%s: /indicators lacks institution_id, indicator or value (supervision.previous)", path);
        goto out;
    }
    sp = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    if (n < 0) goto out;
    /* memory type: id[32] string, indicator[32] string, value double */
    typedef struct { char id[32]; char code[32]; double value; } mrow;
    hid_t s32 = H5Tcopy(H5T_C_S1);
    H5Tset_size(s32, 32);
    H5Tset_strpad(s32, H5T_STR_NULLTERM);
    hid_t fid_t = H5Tget_member_type(ft, (unsigned)ii); /* the file's character set (UTF-8 or ASCII) */
    H5Tset_cset(s32, fid_t >= 0 ? H5Tget_cset(fid_t) : H5T_CSET_ASCII);
    if (fid_t >= 0) H5Tclose(fid_t);
    mt = H5Tcreate(H5T_COMPOUND, sizeof(mrow));
    H5Tinsert(mt, "institution_id", offsetof(mrow, id), s32);
    H5Tinsert(mt, "indicator", offsetof(mrow, code), s32);
    H5Tinsert(mt, "value", offsetof(mrow, value), H5T_NATIVE_DOUBLE);
    H5Tclose(s32);
    buf = calloc((size_t)n + 1, sizeof(mrow));
    *rows = calloc((size_t)n + 1, sizeof **rows);
    if (!buf || !*rows) { snprintf(err, errlen, "out of memory"); rc = CM_ERR_NOMEM; goto out; }
    if (n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        snprintf(err, errlen, "%s: cannot read /indicators (supervision.previous)", path);
        goto out;
    }
    size_t k = 0;
    for (hssize_t r = 0; r < n; r++) {
        const mrow *m = (const mrow *)(void *)(buf + (size_t)r * sizeof(mrow));
        int i = sc_ind_find(m->code, strnlen(m->code, 32));
        if (i < 0) continue; /* an indicator this version does not know */
        memcpy((*rows)[k].id, m->id, 32);
        (*rows)[k].id[31] = 0;
        (*rows)[k].ind = (uint8_t)i;
        (*rows)[k].value = m->value;
        k++;
    }
    qsort(*rows, k, sizeof **rows, cmp_prev);
    *nrows = k;
    rc = CM_OK;
out:
    free(buf);
    if (rc) { free(*rows); *rows = NULL; }
    if (mt >= 0) H5Tclose(mt);
    if (sp >= 0) H5Sclose(sp);
    if (ft >= 0) H5Tclose(ft);
    if (d >= 0) H5Dclose(d);
    if (f >= 0) H5Fclose(f);
    return rc;
}

static double prev_of(const prev_row *rows, size_t n, const char *id, int ind)
{
    prev_row key;
    memset(&key, 0, sizeof key);
    snprintf(key.id, sizeof key.id, "%s", id);
    key.ind = (uint8_t)ind;
    const prev_row *r = bsearch(&key, rows, n, sizeof *rows, cmp_prev);
    return r ? r->value : NAN;
}

/* ------------------------------------------------------------------ */
/* the run                                                             */
/* ------------------------------------------------------------------ */

static int cmp_grp(const void *a, const void *b)
{
    int32_t x = ((const ind_grp *)a)->g, y = ((const ind_grp *)b)->g;
    return (x > y) - (x < y);
}

/* ------------------------------------------------------------------ */
/* the newest history year (previous period without supervision.previous) */
/* ------------------------------------------------------------------ */

void ind_hist_free(cm_hist_prev *hp)
{
    if (!hp) return;
    free(hp->inst); free(hp->ip); free(hp->dstart); free(hp->rstart); free(hp->dip); free(hp->drg);
    memset(hp, 0, sizeof *hp);
}

/* Group lists of every institution: (group, n, cost, cases with LOS, LOS)
 * in ascending group order; key(c) < 0 leaves a case out. */
static int hist_lists(const pl_slots *s, const size_t *start, const uint32_t *order, size_t ninst, size_t G,
                      int drg, size_t **lstart, ind_grp **list)
{
    int32_t *at = malloc((G + 1) * sizeof *at);
    size_t cap = 1024, m = 0;
    ind_grp *L = malloc(cap * sizeof *L);
    *lstart = calloc(ninst + 1, sizeof **lstart);
    if (!at || !L || !*lstart) { free(at); free(L); return -1; }
    for (size_t g = 0; g <= G; g++) at[g] = -1;
    for (size_t k = 0; k < ninst; k++) {
        size_t first = m;
        for (size_t j = start[k]; j < start[k + 1]; j++) {
            const cm_case *c = &s->slots[order[j]];
            int32_t g = drg ? c->drg : c->group;
            if (g < 0 || (size_t)g >= G) continue;
            if (at[g] < 0) {
                if (m == cap) {
                    ind_grp *L2 = realloc(L, cap * 2 * sizeof *L);
                    if (!L2) { free(at); free(L); return -1; }
                    L = L2;
                    cap *= 2;
                }
                at[g] = (int32_t)(m - first);
                L[m++] = (ind_grp){g, 0, 0, 0, 0};
            }
            ind_grp *e = &L[first + (size_t)at[g]];
            e->n++;
            e->cost += c->total_fen;
            if (c->los_days != 65535) { e->nlos++; e->los += c->los_days; }
        }
        for (size_t q = first; q < m; q++) at[L[q].g] = -1;
        qsort(L + first, m - first, sizeof *L, cmp_grp);
        (*lstart)[k + 1] = m;
    }
    free(at);
    *list = L;
    return 0;
}

cm_status ind_hist_collect(cm_hist_prev *out, int year, const pl_slots *s, pl_inst_table *itab, int nt,
                           int32_t blank, size_t ng, size_t nd)
{
    int dip = ng > 0, drg = nd > 0;
    memset(out, 0, sizeof *out);
    out->year = year;
    uint32_t *remap[CM_MAX_THREADS];
    if (pl_inst_merge(itab, nt, &out->inst, &out->ninst, remap)) return CM_ERR_NOMEM;
    size_t ninst = out->ninst, n = s->n;
    size_t *start = calloc(ninst + 2, sizeof *start);
    uint32_t *gi = malloc((n ? n : 1) * sizeof *gi), *order = malloc((n ? n : 1) * sizeof *order);
    out->ip = calloc(ninst ? ninst : 1, sizeof *out->ip);
    cm_status rc = CM_ERR_NOMEM;
    if (!start || !gi || !order || !out->ip) goto done;
    /* institutions of the cases, counting sort by institution (slot order within) */
    for (size_t i = 0; i < n; i++) {
        const cm_case *c = &s->slots[i];
        if (c->status != SLOT_CASE) continue;
        gi[i] = remap[c->inst >> 24][c->inst & 0xFFFFFF];
        start[gi[i] + 1]++;
    }
    for (size_t k = 0; k < ninst; k++) start[k + 1] += start[k];
    {
        size_t *pos = malloc((ninst + 1) * sizeof *pos);
        if (!pos) goto done;
        memcpy(pos, start, (ninst + 1) * sizeof *pos);
        for (size_t i = 0; i < n; i++) {
            const cm_case *c = &s->slots[i];
            if (c->status != SLOT_CASE) continue;
            order[pos[gi[i]]++] = (uint32_t)i;
            sc_ind_partial *P = &out->ip[gi[i]];
            sc_ind_case x;
            memset(&x, 0, sizeof x);
            x.cost_fen = c->total_fen;
            x.fund_fen = c->fund_fen;
            if (c->flags & CF_BIG_BUCKETS) pl_case_buckets(s, i, x.bucket_fen);
            else for (int q = 0; q < SC_BUCKET__COUNT; q++) x.bucket_fen[q] = c->bucket_fen[q];
            x.blank = dip && c->group == blank;
            x.drg_grouped = drg && c->drg >= 0;
            x.cc = c->cc;
            sc_ind_add_case(P, &x); /* the scores (CMI) come from the lists with the scores in use */
        }
        free(pos);
    }
    if (dip && hist_lists(s, start, order, ninst, ng, 0, &out->dstart, &out->dip)) goto done;
    if (drg && hist_lists(s, start, order, ninst, nd, 1, &out->rstart, &out->drg)) goto done;
    rc = CM_OK;
done:
    for (int t = 0; t < nt; t++) free(remap[t]);
    free(start); free(gi); free(order);
    if (rc) ind_hist_free(out);
    return rc;
}

static int cmp_inst_id(const void *key, const void *e)
{
    return strcmp((const char *)key, ((const pl_inst *)e)->id);
}

/* Previous values from the newest history year (cm_calib.prev): the same
 * partials from its cases, with the scores in use, the consumption indices
 * against that year's group means; rule and cost-outlier rates left out. */
static cm_status hist_previous(cm_indicators *ind, const cm_period *p, const cm_scenario *sn)
{
    const cm_hist_prev *hp = p->cal.prev;
    size_t m = hp->ninst, M = m ? m : 1;
    int cdrg = ind->consumption_drg;
    size_t G = cdrg ? p->nd : p->ng;
    sc_ind_partial *Q = malloc(M * sizeof *Q);
    int64_t *rn = calloc(G + 1, sizeof *rn), *rc = calloc(G + 1, sizeof *rc), *rln = calloc(G + 1, sizeof *rln),
            *rl = calloc(G + 1, sizeof *rl);
    if (!Q || !rn || !rc || !rln || !rl) {
        free(Q); free(rn); free(rc); free(rln); free(rl);
        return CM_ERR_NOMEM;
    }
    memcpy(Q, hp->ip, m * sizeof *Q);
    const size_t *cs = cdrg ? hp->rstart : hp->dstart;
    const ind_grp *cl = cdrg ? hp->drg : hp->dip;
    for (size_t j = 0; cs && j < m; j++)
        for (size_t q = cs[j]; q < cs[j + 1]; q++) {
            const ind_grp *e = &cl[q];
            if (!cdrg && e->g == p->blank) continue;
            rn[e->g] += e->n; rc[e->g] += e->cost; rln[e->g] += e->nlos; rl[e->g] += e->los;
        }
    sc_ind_partial R;
    memset(&R, 0, sizeof R);
    for (size_t j = 0; j < m; j++) {
        sc_ind_partial *P = &Q[j];
        for (size_t q = hp->dstart ? hp->dstart[j] : 0; hp->dstart && q < hp->dstart[j + 1]; q++)
            P->dip_score_e4 += hp->dip[q].n * llround(sn->rw[hp->dip[q].g] * 1e4);
        for (size_t q = hp->rstart ? hp->rstart[j] : 0; hp->rstart && q < hp->rstart[j + 1]; q++)
            P->drg_rw_e4 += hp->drg[q].n * llround(p->cal.drg_rw[hp->drg[q].g] * 1e4);
        for (size_t q = cs ? cs[j] : 0; cs && q < cs[j + 1]; q++) {
            const ind_grp *e = &cl[q];
            if (!cdrg && e->g == p->blank) continue;
            sc_consumption_add(&P->ci_num, &P->ci_den, e->n, e->cost, rn[e->g], rc[e->g]);
            sc_consumption_add(&P->ti_num, &P->ti_den, e->nlos, e->los, rln[e->g], rl[e->g]);
        }
        sc_ind_merge(&R, P);
    }
    sc_ind_inputs in2;
    memset(&in2, 0, sizeof in2);
    in2.dip = ind->in.dip;
    in2.drg = ind->in.drg;
    sc_ind_value v[N];
    for (size_t k = 0; k < ind->ninst; k++) {
        const pl_inst *f = m ? bsearch(p->inst[k].id, hp->inst, m, sizeof *hp->inst, cmp_inst_id) : NULL;
        if (!f) continue;
        sc_ind_compute(&Q[f - hp->inst], &in2, v);
        v[SC_IND_OUTLIER_RATE].value = NAN; /* the year's outlier classes are not computed */
        for (int i = 0; i < N; i++) ind->prev[k * N + (size_t)i] = v[i].value;
    }
    sc_ind_compute(&R, &in2, v);
    v[SC_IND_OUTLIER_RATE].value = NAN;
    for (int i = 0; i < N; i++) ind->region_prev[i] = v[i].value;
    free(Q); free(rn); free(rc); free(rln); free(rl);
    return CM_OK;
}

cm_status ind_run(cm_indicators *ind, const cm_period *p, const cm_scenario *sn, const uint16_t *case_rules,
                  const bool evaluated[13], const uint8_t *low_risk, char *err, size_t errlen)
{
    const double t0 = now_seconds();
    const cm_config *cfg = p->cfg;
    const pl_slots *s = &p->s;
    size_t ninst = p->ninst, nslice = p->nslice;
    ind->ninst = ninst;
    ind->prm = cfg->indicators;
    sc_ind_inputs *in = &ind->in;
    in->dip = p->dip != NULL;
    in->drg = p->drg != NULL;
    for (int r = 0; r < 13; r++) in->rules[r] = case_rules && evaluated && evaluated[r];
    in->low_risk = low_risk != NULL;
    in->targets = ind->ntg > 0;
    in->year_elapsed = cfg->sup_year_elapsed > 0 ? cfg->sup_year_elapsed : year_elapsed_of(cfg->period);
    ind->consumption_drg = p->drg != NULL;
    size_t NI = ninst ? ninst : 1;
    sc_ind_partial *part = calloc(nslice * NI, sizeof *part);
    sc_ind_partial *P = calloc(NI, sizeof *P);
    ind->v = calloc(NI * N, sizeof *ind->v);
    ind->pct = malloc(NI * N * sizeof *ind->pct);
    ind->cls = calloc(NI * N, 1);
    ind->prev = malloc(NI * N * sizeof(double));
    ind->growth = malloc(NI * N * sizeof(double));
    ind->points = malloc(NI * N * sizeof(double));
    ind->rating = calloc(NI, 1);
    ind->score = malloc(NI * sizeof(double));
    cm_status rc = CM_ERR_NOMEM;
    prev_row *prev = NULL;
    size_t nprev = 0;
    if (!part || !P || !ind->v || !ind->pct || !ind->cls || !ind->prev || !ind->growth || !ind->points ||
        !ind->rating || !ind->score) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    /* 1. per-slice partials, merged in slice order; each group's score in
     * 1e-4 points rounded once (llround(rw x 1e4), as per case before) */
    int dip_on = in->dip, drg_on = in->drg;
    int64_t *rw_e4 = malloc(((dip_on ? p->ng : 0) + 1) * sizeof *rw_e4);
    int64_t *drg_e4 = malloc(((drg_on ? p->nd : 0) + 1) * sizeof *drg_e4); /* cal.drg_rw: nd + 1 */
    if (!rw_e4 || !drg_e4) {
        free(rw_e4); free(drg_e4);
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t g = 0; dip_on && g < p->ng; g++) rw_e4[g] = llround(sn->rw[g] * 1e4);
    for (size_t g = 0; drg_on && g <= p->nd; g++) drg_e4[g] = llround(p->cal.drg_rw[g] * 1e4);
#pragma omp parallel for schedule(dynamic, 1)
    for (long sl = 0; sl < (long)nslice; sl++) {
        size_t a, b;
        slice_bounds(s->n, (size_t)sl, &a, &b);
        sc_ind_partial *Q = part + (size_t)sl * NI;
        for (size_t i = a; i < b; i++) {
            const cm_case *c = &s->slots[i];
            if (c->status != SLOT_CASE) continue;
            sc_ind_case x;
            memset(&x, 0, sizeof x);
            x.cost_fen = c->total_fen;
            x.fund_fen = c->fund_fen;
            if (dip_on) {
                x.dip_score_e4 = rw_e4[c->group];
                x.blank = c->group == p->blank;
                x.outlier = *sn_u8(sn->outlier, i) != SC_OUT_NORMAL;
            }
            if (drg_on && c->drg >= 0) {
                x.drg_grouped = 1;
                x.drg_rw_e4 = drg_e4[c->drg];
                x.cc = c->cc;
            }
            if (case_rules) x.rules = case_rules[i];
            if (low_risk) {
                x.low_risk = low_risk[i] & 1;
                x.died = (low_risk[i] >> 1) & 1;
            }
            sc_ind_add_case(&Q[c->inst], &x);
        }
    }
    free(rw_e4);
    free(drg_e4);
    for (size_t sl = 0; sl < nslice; sl++)
        for (size_t k = 0; k < ninst; k++) sc_ind_merge(&P[k], &part[sl * NI + k]);
    /* the price-ratio buckets are the period's (summed before the slots'
     * bucket fields were reused); payments and targets */
    for (size_t k = 0; k < ninst; k++) {
        for (int q = 0; q < SC_BUCKET__COUNT; q++) P[k].bucket_fen[q] = p->ip[k].bucket_fen[q];
        /* budget progress: DIP payments (DRG when DIP does not run), of the
         * institutions with a target only, so the region's is Σ pay ÷ Σ target */
        P[k].target_fen = target_of(ind, p->inst[k].id);
        if (P[k].target_fen)
            P[k].pay_fen = sn->dipt.on ? sn->dipt.inst_pay[k] : sn->drgt.on ? sn->drgt.inst_pay[k] : 0;
        else if (in->targets)
            ind->tg_unmatched++;
    }
    /* 2. consumption indices: each institution over its cases (slot
     * order; integer sums per group), groups summed in ascending order */
    {
        size_t G = ind->consumption_drg ? p->nd : p->ng;
        int64_t *rlos = calloc(G + 1, sizeof *rlos), *rlosn = calloc(G + 1, sizeof *rlosn);
        int oom = !rlos || !rlosn;
        ind_grp **acc = calloc(NI, sizeof *acc);
        size_t *nacc = calloc(NI, sizeof *nacc);
        if (!acc || !nacc) oom = 1;
        if (!oom) {
#pragma omp parallel reduction(+ : oom)
            {
                /* per thread, one cell a group (indexed by group: no list to
                 * sort), read off in ascending group order after each
                 * institution and cleared as read */
                ind_grp *D = calloc(G + 1, sizeof *D);
                if (!D) oom++;
#pragma omp for schedule(dynamic, 1)
                for (long k = 0; k < (long)ninst; k++) {
                    if (!D) continue;
                    for (size_t j = p->inst_start[k]; j < p->inst_start[k + 1]; j++) {
                        const cm_case *c = &s->slots[s->slots[j].order_at];
                        if (j + 16 < p->inst_start[k + 1]) { /* scattered slots: fetched ahead */
                            const cm_case *ahead = &s->slots[s->slots[j + 16].order_at];
                            __builtin_prefetch(&ahead->total_fen);
                            __builtin_prefetch(&ahead->los_days);
                        }
                        int32_t g = ind->consumption_drg ? c->drg : (c->group == p->blank ? -1 : c->group);
                        if (g < 0) continue;
                        ind_grp *e = &D[g];
                        e->n++;
                        e->cost += c->total_fen;
                        if (c->los_days != 65535) { e->nlos++; e->los += c->los_days; }
                    }
                    size_t m = 0;
                    for (size_t g = 0; g <= G; g++) m += D[g].n > 0;
                    ind_grp *A = malloc((m ? m : 1) * sizeof *A);
                    if (!A) { oom++; memset(D, 0, (G + 1) * sizeof *D); continue; }
                    size_t q = 0;
                    for (size_t g = 0; g <= G; g++)
                        if (D[g].n) {
                            A[q] = D[g];
                            A[q++].g = (int32_t)g;
                            D[g] = (ind_grp){0, 0, 0, 0, 0};
                        }
                    acc[k] = A;
                    nacc[k] = m;
                }
                free(D);
            }
        }
        if (!oom) {
            /* the region's LOS per group: integer sums over institutions */
            for (size_t k = 0; k < ninst; k++)
                for (size_t q = 0; q < nacc[k]; q++) {
                    rlos[acc[k][q].g] += acc[k][q].los;
                    rlosn[acc[k][q].g] += acc[k][q].nlos;
                }
            const int64_t *rn = ind->consumption_drg ? p->drg_n : p->group_n;
            const int64_t *rcost = ind->consumption_drg ? p->drg_cost : p->group_cost;
            for (size_t k = 0; k < ninst; k++)
                for (size_t q = 0; q < nacc[k]; q++) {
                    const ind_grp *e = &acc[k][q];
                    sc_consumption_add(&P[k].ci_num, &P[k].ci_den, e->n, e->cost, rn[e->g], rcost[e->g]);
                    sc_consumption_add(&P[k].ti_num, &P[k].ti_den, e->nlos, e->los, rlosn[e->g], rlos[e->g]);
                }
        }
        for (size_t k = 0; acc && k < ninst; k++) free(acc[k]);
        free(acc); free(nacc); free(rlos); free(rlosn);
        if (oom) { snprintf(err, errlen, "out of memory"); goto out; }
    }
    /* 3. values: institutions, the region */
    sc_ind_partial R;
    memset(&R, 0, sizeof R);
    for (size_t k = 0; k < ninst; k++) {
        sc_ind_compute(&P[k], in, ind->v + k * N);
        sc_ind_merge(&R, &P[k]);
    }
    sc_ind_compute(&R, in, ind->region);
    /* 4. peer percentiles among institutions of the same level */
    {
        double *x = malloc(NI * sizeof *x), *pc = malloc(NI * sizeof *pc), *scr = malloc(NI * sizeof *scr);
        size_t *who = malloc(NI * sizeof *who);
        if (!x || !pc || !scr || !who) {
            free(x); free(pc); free(scr); free(who);
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        for (int L = 0; L <= 3; L++) {
            size_t m = 0;
            for (size_t k = 0; k < ninst; k++)
                if (p->inst[k].level == L) who[m++] = k;
            if (!m) continue;
            for (int i = 0; i < N; i++) {
                const sc_ind_info *inf = sc_ind_info_of(i);
                for (size_t q = 0; q < m; q++) {
                    const sc_ind_value *v = &ind->v[who[q] * N + (size_t)i];
                    x[q] = sc_ind_rankable(v, inf->kind, ind->prm.min_count) ? v->value : NAN;
                }
                sc_peer_percentiles(x, m, ind->prm.pct_def, pc, scr);
                for (size_t q = 0; q < m; q++) {
                    ind->pct[who[q] * N + (size_t)i] = pc[q];
                    ind->cls[who[q] * N + (size_t)i] = (uint8_t)sc_peer_class(pc[q], &ind->prm);
                }
            }
        }
        free(x); free(pc); free(scr); free(who);
    }
    /* 5. previous period and growth */
    if (cfg->sup_previous[0]) {
        rc = read_previous(cfg->sup_previous, &prev, &nprev, err, errlen);
        if (rc) goto out;
        snprintf(ind->prev_source, sizeof ind->prev_source, "previous settlement file (supervision.previous): %s",
                 cfg->sup_previous);
    }
    for (int i = 0; i < N; i++) {
        for (size_t k = 0; k < ninst; k++)
            ind->prev[k * N + (size_t)i] = nprev ? prev_of(prev, nprev, p->inst[k].id, i) : NAN;
        /* the region's row of a previous file has institution_id "" */
        ind->region_prev[i] = nprev ? prev_of(prev, nprev, "", i) : NAN;
    }
    if (!cfg->sup_previous[0] && p->cal.prev) { /* calibration's history read, or supervision's (sup_hist) */
        if ((rc = hist_previous(ind, p, sn)) != CM_OK) { snprintf(err, errlen, "out of memory"); goto out; }
        snprintf(ind->prev_source, sizeof ind->prev_source, "the newest history year (%d): the same "
                 "indicators from its cases (rule and cost-outlier rates not evaluated)", p->cal.prev->year);
    }
    for (int i = 0; i < N; i++) {
        sc_ind_kind kd = sc_ind_info_of(i)->kind;
        for (size_t k = 0; k < ninst; k++)
            ind->growth[k * N + (size_t)i] =
                sc_ind_growth(kd, ind->v[k * N + (size_t)i].value, ind->prev[k * N + (size_t)i]);
        ind->region_growth[i] = sc_ind_growth(kd, ind->region[i].value, ind->region_prev[i]);
    }
    /* 6. rating */
    for (size_t k = 0; k < ninst; k++) {
        sc_peer_outlier cl[N];
        for (int i = 0; i < N; i++) cl[i] = (sc_peer_outlier)ind->cls[k * N + (size_t)i];
        sc_rating r = sc_rate(cl, &ind->prm, ind->points + k * N, &ind->score[k]);
        ind->rating[k] = (uint8_t)r;
        ind->n_rating[r]++;
    }
    rc = CM_OK;
out:
    ind->t = now_seconds() - t0;
    free(prev);
    free(part);
    free(P);
    return rc;
}

void ind_free(cm_indicators *ind)
{
    free(ind->v); free(ind->pct); free(ind->cls); free(ind->prev); free(ind->growth);
    free(ind->points); free(ind->rating); free(ind->score); free(ind->tg);
    memset(ind, 0, sizeof *ind);
}

/* ------------------------------------------------------------------ */
/* output                                                              */
/* ------------------------------------------------------------------ */

static const char *const PEER_NAMES[] = {"none", "high", "low", "not_ranked"};

int ind_write(const cm_period *p, const cm_indicators *ind, h5w *w)
{
    size_t ninst = ind->ninst, rows = (ninst + 1) * N, inst_len = 1, code_len = 1;
    for (size_t k = 0; k < ninst; k++) inst_len = str_maxlen(inst_len, p->inst[k].id);
    for (int i = 0; i < N; i++) code_len = str_maxlen(code_len, sc_ind_info_of(i)->code);
    hid_t out_t = h5_enum_u8(PEER_NAMES, 4);
    h5row r;
    h5row_begin(&r);
    size_t o_id = h5row_add_str(&r, "institution_id", inst_len);
    size_t o_lv = h5row_add(&r, "level", H5T_STD_U8LE, 1);
    size_t o_code = h5row_add_str(&r, "indicator", code_len);
    size_t o_ix = h5row_add(&r, "indicator_index", H5T_STD_U8LE, 1);
    size_t o_ev = h5row_add(&r, "evaluated", H5T_STD_U8LE, 1);
    size_t o_v = h5row_add(&r, "value", H5T_IEEE_F64LE, 8);
    size_t o_num = h5row_add(&r, "numerator", H5T_IEEE_F64LE, 8);
    size_t o_den = h5row_add(&r, "denominator", H5T_IEEE_F64LE, 8);
    size_t o_rv = h5row_add(&r, "region_value", H5T_IEEE_F64LE, 8);
    size_t o_pc = h5row_add(&r, "peer_percentile", H5T_IEEE_F64LE, 8);
    size_t o_out = h5row_add(&r, "outlier", out_t, 1);
    size_t o_pv = h5row_add(&r, "previous_value", H5T_IEEE_F64LE, 8);
    size_t o_gr = h5row_add(&r, "growth", H5T_IEEE_F64LE, 8);
    size_t o_pt = h5row_add(&r, "points", H5T_IEEE_F64LE, 8);
    h5row_end(&r);
    H5Tclose(out_t);
    hid_t d = h5w_table(w, "indicators", "Institution indicators (监测指标) beside the region's, peer percentile "
                                         "among institutions of the same level (PEPPER), previous period, growth, "
                                         "rating points", &r, rows);
    unsigned char *buf = calloc(rows, r.size);
    int e = d < 0 || !buf;
    if (!e) {
        const sc_ind_params *q = &ind->prm;
        static const char *const PCT[] = {"weak: 100 x (peers with value <= v) / n",
                                          "strict: 100 x (peers with value < v) / n",
                                          "mean: 100 x (peers below v + half of those equal to v) / n",
                                          "linear: 100 x (average rank - 1) / (n - 1) (PERCENTRANK.INC)"};
        char t[2048];
        h5_attr_str(d, "percentile_definition", PCT[q->pct_def]);
        snprintf(t, sizeof t, "high outlier: percentile >= %g; low outlier: percentile <= %g; not ranked: fewer "
                              "than %lld cases in the numerator (rates) or denominator, counts and budget progress "
                              "never; peers: institutions of the same level, ranked ones only",
                 q->high_cut, q->low_cut, (long long)q->min_count);
        h5_attr_str(d, "peer_rule", t);
        { /* not_ranked is no data problem: why a row is not ranked */
            size_t u = 0;
            for (int pass = 0; pass < 2; pass++) {
                sc_ind_kind kd = pass ? SC_KIND_PROGRESS : SC_KIND_COUNT;
                u += (size_t)snprintf(t + u, sizeof t - u, "%s", pass ? "; " : "outlier not_ranked: ");
                for (int i = 0, c = 0; i < N && u < sizeof t; i++)
                    if (sc_ind_info_of(i)->kind == kd)
                        u += (size_t)snprintf(t + u, sizeof t - u, "%s%s", c++ ? ", " : "", sc_ind_info_of(i)->code);
                if (u < sizeof t) u += (size_t)snprintf(t + u, sizeof t - u, " never (%s)", sc_ind_never_ranked_note(kd));
            }
            if (u < sizeof t)
                snprintf(t + u, sizeof t - u, "; a rate, mean or share with fewer than %lld cases (peer_rule); an "
                                              "indicator not evaluated (evaluated 0); the region's own rows",
                         (long long)q->min_count);
            h5_attr_str(d, "not_ranked_because", t);
        }
        size_t u = 0;
        u += (size_t)snprintf(t + u, sizeof t - u, "cut-offs excellent %g good %g pass %g; weight/direction:",
                              q->cut_excellent, q->cut_good, q->cut_pass);
        for (int i = 0; i < N && u < sizeof t; i++)
            if (q->weight[i] > 0)
                u += (size_t)snprintf(t + u, sizeof t - u, " %s=%g/%s", sc_ind_info_of(i)->code, q->weight[i],
                                      sc_dir_name(q->dir[i]));
        h5_attr_str(d, "rating", t);
        h5_attr_str(d, "consumption_groups", ind->consumption_drg ? "CHS-DRG groups (0000 left out)"
                                                                  : "DIP groups (blank group KBBZ left out)");
        h5_attr_str(d, "rules_source", ind->in.rules[0] || ind->in.rules[1] ? "supervision rules (case masks)"
                                                                          : "rules not run: rule rates not evaluated");
        h5_attr_str(d, "previous_source", ind->prev_source[0] ? ind->prev_source : "none");
        h5_attr_f64(d, "year_elapsed", ind->in.year_elapsed);
        if (p->cfg->sup_targets[0]) h5_attr_str(d, "targets", p->cfg->sup_targets);
        h5_attr_str(d, "units", "value: rates and shares as fractions, cost_per_case in yuan, indices 1 = region "
                                "average; numerator/denominator: money in yuan, counts as counts; growth: "
                                "(value - previous) / previous, for shares and budget progress the shift in "
                                "percentage points; points: out of 100 (sum = rating_score of /institutions); "
                                "the region's rows have institution_id \"\" and level 0; NaN: not evaluated / none");
        for (size_t k = 0; k <= ninst; k++)
            for (int i = 0; i < N; i++) {
                unsigned char *b = buf + (k * N + (size_t)i) * r.size;
                int reg = k == ninst;
                const sc_ind_value *v = reg ? &ind->region[i] : &ind->v[k * N + (size_t)i];
                const char *code = sc_ind_info_of(i)->code;
                double nan = NAN;
                if (!reg) memcpy(b + o_id, p->inst[k].id, strnlen(p->inst[k].id, inst_len));
                b[o_lv] = reg ? 0 : p->inst[k].level;
                memcpy(b + o_code, code, strnlen(code, code_len));
                b[o_ix] = (uint8_t)i;
                b[o_ev] = (uint8_t)v->evaluated;
                memcpy(b + o_v, &v->value, 8);
                memcpy(b + o_num, &v->num, 8);
                memcpy(b + o_den, &v->den, 8);
                memcpy(b + o_rv, &ind->region[i].value, 8);
                memcpy(b + o_pc, reg ? &nan : &ind->pct[k * N + (size_t)i], 8);
                b[o_out] = reg ? SC_PEER_NOT_RANKED : ind->cls[k * N + (size_t)i];
                memcpy(b + o_pv, reg ? &ind->region_prev[i] : &ind->prev[k * N + (size_t)i], 8);
                memcpy(b + o_gr, reg ? &ind->region_growth[i] : &ind->growth[k * N + (size_t)i], 8);
                memcpy(b + o_pt, reg ? &nan : &ind->points[k * N + (size_t)i], 8);
            }
        e = h5w_rows_fast(w, d, &r, 0, rows, buf); /* chunks deflated on all threads */
    }
    if (d >= 0) H5Dclose(d);
    free(buf);
    h5row_free(&r);
    if (e) return -1;
    const char *names[N];
    char text[N][160];
    for (int i = 0; i < N; i++) {
        const sc_ind_info *f = sc_ind_info_of(i);
        snprintf(text[i], sizeof text[i], "%s | %s | %s", f->code, f->english, f->chinese);
        names[i] = text[i];
    }
    return h5_strings(w, "indicator_names", names, N,
                      "UTF-8 indicator names: code | English | 中文, row = indicator_index of /indicators");
}

void ind_summary(const cm_period *p, const cm_indicators *ind)
{
    printf("  rating (评级)    %zu 优秀 excellent, %zu 良好 good, %zu 合格 pass, %zu 不达标 fail, %zu not rated",
           ind->n_rating[SC_RATE_EXCELLENT], ind->n_rating[SC_RATE_GOOD], ind->n_rating[SC_RATE_PASS],
           ind->n_rating[SC_RATE_FAIL], ind->n_rating[SC_RATE_NOT_RATED]);
    if (ind->n_rating[SC_RATE_NOT_RATED]) /* why, for a reader who wonders */
        printf(" (no weighted indicator could be ranked among its peers, e.g. under %lld cases: supervision.indicators.min_count)",
               (long long)ind->prm.min_count);
    printf("\n");
    if (ind->n_rating[SC_RATE_FAIL]) {
        /* one line per institution: its score and the indicators that cost it points, most first */
        printf("  rated 不达标 (fail), score below %g of 100; the indicators that cost the points (peer outliers "
               "on their bad side; -N = the points lost: 100 x its weight / the weights of the institution's ranked "
               "indicators; in /indicators that row has points 0 and outlier high or low):\n", ind->prm.cut_pass);
        enum { NIND = SC_IND__COUNT, TOP = 3 };
        size_t shown = 0;
        for (size_t k = 0; k < ind->ninst; k++) {
            if (ind->rating[k] != SC_RATE_FAIL) continue;
            if (shown == 10) {
                printf("    ... %zu more in /institutions (rating = fail)\n", ind->n_rating[SC_RATE_FAIL] - shown);
                break;
            }
            const char *nm = p->inst_name && p->inst_name[k] && p->inst_name[k][0] ? p->inst_name[k] : NULL;
            sc_peer_outlier cls[NIND];
            double lost[NIND];
            for (int i = 0; i < NIND; i++) cls[i] = (sc_peer_outlier)ind->cls[k * NIND + (size_t)i];
            sc_rate_lost(cls, &ind->prm, lost);
            printf("    %s%s%s (%.1f):", p->inst[k].id, nm ? " " : "", nm ? nm : "", ind->score[k]);
            int used[NIND] = {0}, nshown = 0, more = 0;
            for (int t = 0; t < NIND; t++) { /* the largest loss first; ties by indicator order */
                int b = -1;
                for (int i = 0; i < NIND; i++)
                    if (!used[i] && lost[i] > 0 && (b < 0 || lost[i] > lost[b])) b = i;
                if (b < 0) break;
                used[b] = 1;
                if (nshown == TOP) { more++; continue; }
                const sc_ind_info *f = sc_ind_info_of(b);
                printf("%s -%.1f %s %s %s (%s)", nshown ? "," : "", lost[b], f->code, f->english, f->chinese,
                       sc_peer_outlier_name(cls[b]));
                nshown++;
            }
            if (more) printf(", and %d more", more);
            printf("\n");
            shown++;
        }
    }
    if (ind->ntg && ind->tg_unmatched)
        printf("  budget progress: %zu institution(s) without an annual target (supervision.targets)\n",
               ind->tg_unmatched);
}
