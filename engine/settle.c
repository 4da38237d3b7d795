/*
 * settle.c - casemix settle: the DIP settlement of one period.
 *
 * Stages (timed; see the summary and bench/):
 *   1. load: configuration (already checked), catalogue and code tables,
 *      history calibration when configured;
 *   2. read+group+score, in parallel over chunks: every row gets a slot;
 *      a case is grouped (gr_dip_assign) and scored (RW × level
 *      coefficient × outlier factor, in 1e-4 points) in the same pass;
 *   3. set checks, serial: institution ids are merged into one sorted list,
 *      duplicate case ids become rejects, the special-review cap is
 *      applied (highest ratios first, ties by line);
 *   4. partials per fixed slice of 2^20 slots, merged in slice order;
 *   5. point value = (budget ÷ fund share) ÷ Σ score, institution payments
 *      by largest remainder over Σ score (Σ = budget exactly), case
 *      payments by largest remainder within each institution;
 *   6. HDF5, one thread, temporary file renamed at the end.
 * Every sum is an integer, so the bytes do not depend on the thread count.
 */
#include "settle.h"
#include "h5out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define SLICE_SHIFT 20

typedef struct {
    const cm_config *cfg;
    const gr_dip *dip;
    size_t ng;
    int32_t blank;
    const double *rw;      /* [g] score in use */
    const double *std_fen; /* [g*4+L] standard cost, fen; <= 0: none */
    double coef[4];
    pl_inst_table *itab;
    pl_rejects *rej;
} settle_ctx;

/* cost / standard cost, or -1 when the group has no standard cost. The
 * same expression everywhere, so a recomputed ratio is bit-identical. */
static inline double case_ratio(const double *std_fen, const cm_case *c)
{
    double std = std_fen[(size_t)c->group * 4 + c->level];
    return std > 0 ? (double)c->total_fen / std : -1.0;
}

static void settle_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    settle_ctx *x = vctx;
    if (c->status == SLOT_EMPTY) return;
    if (c->status == SLOT_REJECT) {
        pl_reject_add(&x->rej[tid], c->line, c->case_id, p->rj_field, p->rj_reason);
        return;
    }
    int32_t li = pl_inst_get(&x->itab[tid], p->inst_id, c->line, c->level);
    c->inst = ((uint32_t)tid << 24) | (uint32_t)li;
    gr_dip_result r;
    gr_dip_assign(x->dip, &p->gc, &r);
    c->group = r.group;
    c->path = r.path;
    c->why = r.why;

    const cm_config *cfg = x->cfg;
    size_t g = (size_t)r.group;
    double ratio = case_ratio(x->std_fen, c), factor = 1;
    if (ratio < 0) c->flags |= CF_NO_STD_COST;
    c->outlier = SC_OUT_NORMAL;
    if (r.group == x->blank) {
        /* blank group (KBBZ): blank_factor × cost/standard × score */
        factor = cfg->blank_factor * (ratio >= 0 ? ratio : 1.0);
    } else if (ratio >= 0) {
        c->outlier = (uint8_t)sc_outlier_classify(ratio, &cfg->outliers, &factor);
        if (ratio > cfg->outliers.special) c->flags |= CF_SPECIAL_OVER;
    }
    c->score_e4 = sc_score_e4(x->rw[g], x->coef[c->level], factor);
}

/* ------------------------------------------------------------------ */

static void on_dup(void *vctx, int tid, cm_case *dup, const cm_case *first)
{
    pl_rejects *rej = vctx;
    char why[104];
    snprintf(why, sizeof why, "duplicate case id: first seen on line %u; this row is not paid",
             first->line);
    pl_reject_add(&rej[tid], dup->line, dup->case_id, "case_id", why);
    dup->status = SLOT_REJECT;
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

/* ------------------------------------------------------------------ */

typedef struct {
    pl_inst *inst;
    size_t ninst;
    sc_inst_partial *ip;      /* [ninst] merged */
    int64_t *inst_pay;        /* [ninst] */
    int64_t records, cases, rejects, empty, dups;
    int64_t cost_fen, fund_fen, score_e4, pay_fen;
    int64_t n_blank, n_outlier[SC_OUT__COUNT], n_special, n_special_over;
    int64_t n_flag[CF__COUNT];
    int64_t *group_n, *group_cost;  /* [ng] current period */
    double *group_sumsq;            /* [ng] for CV, summed per slice in order */
    double fund_share, point_value;
    double t_load, t_read, t_checks, t_pay, t_write;
    uint64_t input_size;
} settle_result;

static const char *std_cost_name(cm_std_cost s)
{
    switch (s) {
    case CM_STD_GROUP_MEAN_X_COEF: return "group_mean_x_coef: (b) group mean fee x institution coefficient";
    case CM_STD_LEVEL_MEAN: return "level_mean: (a) group mean at same-level institutions, newest history year";
    case CM_STD_SCORE_X_POINT: return "score_x_point_value: (c) score x budget point value x coefficient";
    }
    return "?";
}

static void progress_cb(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    if (!progress_enabled() || total == 0) return;
    fprintf(stderr, "\rreading %5.1f%%", 100.0 * (double)done / (double)total);
    if (done >= total) fputs("\r              \r", stderr);
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void iso_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *const PATH_NAMES[] = {"exact", "most_related", "dx_main", "dx_only", "comprehensive", "blank"};
static const char *const OUT_NAMES[] = {"normal", "low", "high"};

/* writes /cases, /groups, /institutions, /rejects, /summary */
static int write_h5(const char *path, const cm_config *cfg, const gr_dip *dip, const pl_slots *s,
                    const pl_rejects *rej, const settle_result *R, const double *rw,
                    const double *std_fen, const double *coef, const char *input, const cm_calib *cal,
                    const char *t_start, int threads, char *err, size_t errlen)
{
    h5w w;
    if (h5w_open(&w, path, cfg->compression, cfg->deflate_level, cfg->chunk_rows, err, errlen)) return -1;
    size_t ng = gr_dip_ngroups(dip);
    size_t id_len = 1, code_len = 1, inst_len = 1;
    for (size_t i = 0; i < s->n; i++)
        if (s->slots[i].status == SLOT_CASE) {
            size_t l = strlen(s->slots[i].case_id);
            if (l > id_len) id_len = l;
        }
    for (size_t g = 0; g < ng; g++) {
        size_t l = strlen(gr_dip_group_at(dip, g)->published);
        if (l > code_len) code_len = l;
    }
    size_t used_code_len = 1; /* /cases only needs the codes that occur */
    for (size_t g = 0; g < ng; g++) {
        size_t l = strlen(gr_dip_group_at(dip, g)->published);
        if (R->group_n[g] > 0 && l > used_code_len) used_code_len = l;
    }
    for (size_t i = 0; i < R->ninst; i++) {
        size_t l = strlen(R->inst[i].id);
        if (l > inst_len) inst_len = l;
    }
    hid_t path_t = h5_enum_u8(PATH_NAMES, 6);
    hid_t out_t = h5_enum_u8(OUT_NAMES, 3);
    int rc = -1;

    /* /cases: "codes" carries the institution id and group code text,
     * "compact" only indices into /institutions and /groups */
    int codes = cfg->case_columns == CM_CASES_CODES;
    h5row cr;
    h5row_begin(&cr);
    size_t o_inst = 0, o_grp = 0;
    size_t o_line = h5row_add(&cr, "line", H5T_STD_U32LE, 4);
    size_t o_id = h5row_add_str(&cr, "case_id", id_len);
    if (codes) o_inst = h5row_add_str(&cr, "institution_id", inst_len);
    else o_inst = h5row_add(&cr, "institution", H5T_STD_U32LE, 4);
    size_t o_lv = h5row_add(&cr, "level", H5T_STD_U8LE, 1);
    if (codes) o_grp = h5row_add_str(&cr, "dip_group", used_code_len);
    size_t o_gi = h5row_add(&cr, "dip_group_index", H5T_STD_I32LE, 4);
    size_t o_path = h5row_add(&cr, "match_path", path_t, 1);
    size_t o_out = h5row_add(&cr, "outlier", out_t, 1);
    size_t o_fl = h5row_add(&cr, "flags", H5T_STD_U16LE, 2);
    size_t o_cost = h5row_add(&cr, "total_cost_fen", H5T_STD_I64LE, 8);
    size_t o_ratio = h5row_add(&cr, "cost_ratio", H5T_IEEE_F64LE, 8);
    size_t o_score = h5row_add(&cr, "score", H5T_IEEE_F64LE, 8);
    size_t o_pay = h5row_add(&cr, "payment_fen", H5T_STD_I64LE, 8);
    h5row_end(&cr);
    hid_t ds = h5w_table(&w, "cases", "DIP cases: group, outlier class, score and payment", &cr,
                         (hsize_t)R->cases);
    if (ds < 0) goto fail;
    {
        char names[CF__COUNT * 24] = "";
        for (unsigned b = 0; b < CF__COUNT; b++) {
            char t[40];
            snprintf(t, sizeof t, "%s%u=%s", b ? ", bit" : "bit", b, case_flag_name(b));
            strncat(names, t, sizeof names - strlen(names) - 1);
        }
        h5_attr_str(ds, "flags_bits", names);
        h5_attr_str(ds, "units", "total_cost_fen, payment_fen: fen (0.01 yuan); score: points (分值); "
                                 "cost_ratio: total cost / standard cost (-1: none)");
        h5_attr_str(ds, "standard_cost", std_cost_name(cfg->standard_cost));
    }
    size_t B = 65536;
    unsigned char *buf = malloc(B * cr.size);
    size_t *idx = malloc(B * sizeof *idx);
    if (!buf || !idx) { free(buf); free(idx); H5Dclose(ds); goto fail; }
    hsize_t row = 0;
    size_t i = 0;
    while (i < s->n) {
        size_t k = 0;
        while (i < s->n && k < B) {
            if (s->slots[i].status == SLOT_CASE) idx[k++] = i;
            i++;
        }
        memset(buf, 0, k * cr.size);
#pragma omp parallel for schedule(static)
        for (long j = 0; j < (long)k; j++) {
            const cm_case *c = &s->slots[idx[j]];
            unsigned char *b = buf + (size_t)j * cr.size;
            const gr_dip_group *G = gr_dip_group_at(dip, (size_t)c->group);
            uint32_t line = c->line;
            int32_t gi = c->group;
            uint16_t fl = c->flags;
            double ratio = case_ratio(std_fen, c), score = (double)c->score_e4 / SC_SCORE_UNIT;
            memcpy(b + o_line, &line, 4);
            memcpy(b + o_id, c->case_id, strnlen(c->case_id, id_len));
            if (codes) {
                memcpy(b + o_inst, R->inst[c->inst].id, strnlen(R->inst[c->inst].id, inst_len));
                memcpy(b + o_grp, G->published, strnlen(G->published, used_code_len));
            } else {
                memcpy(b + o_inst, &c->inst, 4);
            }
            b[o_lv] = c->level;
            memcpy(b + o_gi, &gi, 4);
            b[o_path] = c->path;
            b[o_out] = c->outlier;
            memcpy(b + o_fl, &fl, 2);
            memcpy(b + o_cost, &c->total_fen, 8);
            memcpy(b + o_ratio, &ratio, 8);
            memcpy(b + o_score, &score, 8);
            memcpy(b + o_pay, &c->pay_fen, 8);
        }
        if (h5w_rows(ds, &cr, row, k, buf)) { free(buf); free(idx); H5Dclose(ds); goto fail; }
        row += k;
        if (g_interrupted) { free(buf); free(idx); H5Dclose(ds); goto fail; }
    }
    free(buf);
    free(idx);
    H5Dclose(ds);

    /* /groups */
    {
        h5row gr;
        h5row_begin(&gr);
        size_t g_code = h5row_add_str(&gr, "code", code_len);
        size_t g_seq = h5row_add(&gr, "seq", H5T_STD_I32LE, 4);
        size_t g_type = h5row_add(&gr, "type", H5T_STD_U8LE, 1);
        size_t g_n = h5row_add(&gr, "n", H5T_STD_I64LE, 8);
        size_t g_mean = h5row_add(&gr, "mean_cost", H5T_IEEE_F64LE, 8);
        size_t g_cv = h5row_add(&gr, "cv", H5T_IEEE_F64LE, 8);
        size_t g_score = h5row_add(&gr, "score", H5T_IEEE_F64LE, 8);
        size_t g_cat = h5row_add(&gr, "catalogue_score", H5T_IEEE_F64LE, 8);
        size_t g_hn = h5row_add(&gr, "history_n", H5T_STD_I64LE, 8);
        size_t g_hm = h5row_add(&gr, "history_mean_cost", H5T_IEEE_F64LE, 8);
        size_t g_hcv = h5row_add(&gr, "history_cv", H5T_IEEE_F64LE, 8);
        size_t g_split = h5row_add(&gr, "split_candidate", H5T_STD_U8LE, 1);
        h5row_end(&gr);
        hid_t d = h5w_table(&w, "groups", "DIP groups (病种): cases, mean cost, CV and score", &gr, ng);
        if (d < 0) goto fail;
        h5_attr_str(d, "units", "mean_cost, history_mean_cost: yuan; score: points (分值); "
                                "cv: SD/mean of the period's cases (history_cv: trimmed, pooled)");
        h5_attr_str(d, "type_values", "1 core (核心病种), 0 comprehensive (综合病种), 2 blank (KBBZ)");
        h5_attr_f64(d, "cv_split_threshold", cfg->cv_split_threshold);
        unsigned char *gb = calloc(ng ? ng : 1, gr.size);
        const char **names = malloc((ng ? ng : 1) * sizeof *names);
        for (size_t g = 0; g < ng; g++) {
            const gr_dip_group *G = gr_dip_group_at(dip, g);
            unsigned char *b = gb + g * gr.size;
            int64_t n = R->group_n[g], hn = 0;
            double mean = n ? (double)R->group_cost[g] / (double)n / 100.0 : 0;
            double var = n > 1 ? R->group_sumsq[g] / (double)n - (mean * 100.0) * (mean * 100.0) : 0;
            double cv = n > 1 && mean > 0 && var > 0 ? sqrt(var) / (mean * 100.0) : 0;
            double hm = 0, hcv = 0;
            if (cal && cal->n) {
                for (int y = 0; y < 3; y++) hn += cal->n[g * 3 + (size_t)y];
                hm = cal->mean_fen[g] / 100.0;
                hcv = cal->cv[g];
            }
            uint8_t split = (cal && cal->n ? hcv : cv) > cfg->cv_split_threshold;
            memcpy(b + g_code, G->published, strnlen(G->published, code_len));
            memcpy(b + g_seq, &G->seq, 4);
            b[g_type] = G->type;
            memcpy(b + g_n, &n, 8);
            memcpy(b + g_mean, &mean, 8);
            memcpy(b + g_cv, &cv, 8);
            memcpy(b + g_score, &rw[g], 8);
            memcpy(b + g_cat, &G->score, 8);
            memcpy(b + g_hn, &hn, 8);
            memcpy(b + g_hm, &hm, 8);
            memcpy(b + g_hcv, &hcv, 8);
            b[g_split] = split;
            names[g] = G->name ? G->name : "";
        }
        int e = h5w_rows(d, &gr, 0, ng, gb);
        H5Dclose(d);
        free(gb);
        h5row_free(&gr);
        if (e == 0) e = h5_strings(&w, "group_names", names, ng, "UTF-8 group names (病种名称), same order as /groups");
        free(names);
        if (e) goto fail;
    }

    /* /institutions */
    {
        h5row ir;
        h5row_begin(&ir);
        size_t i_id = h5row_add_str(&ir, "institution_id", inst_len);
        size_t i_lv = h5row_add(&ir, "level", H5T_STD_U8LE, 1);
        size_t i_n = h5row_add(&ir, "cases", H5T_STD_I64LE, 8);
        size_t i_cost = h5row_add(&ir, "total_cost_fen", H5T_STD_I64LE, 8);
        size_t i_fund = h5row_add(&ir, "fund_paid_fen", H5T_STD_I64LE, 8);
        size_t i_sc = h5row_add(&ir, "total_score", H5T_IEEE_F64LE, 8);
        size_t i_coef = h5row_add(&ir, "coefficient", H5T_IEEE_F64LE, 8);
        size_t i_pay = h5row_add(&ir, "payment_fen", H5T_STD_I64LE, 8);
        size_t i_sv = h5row_add(&ir, "share_services", H5T_IEEE_F64LE, 8);
        size_t i_dr = h5row_add(&ir, "share_drugs", H5T_IEEE_F64LE, 8);
        size_t i_ex = h5row_add(&ir, "share_exams", H5T_IEEE_F64LE, 8);
        size_t i_lo = h5row_add(&ir, "n_low", H5T_STD_I64LE, 8);
        size_t i_hi = h5row_add(&ir, "n_high", H5T_STD_I64LE, 8);
        size_t i_sp = h5row_add(&ir, "n_special", H5T_STD_I64LE, 8);
        size_t i_bl = h5row_add(&ir, "n_blank", H5T_STD_I64LE, 8);
        h5row_end(&ir);
        hid_t d = h5w_table(&w, "institutions", "Institutions (定点医疗机构): score, payment, price-ratio structure (比价关系)",
                            &ir, R->ninst);
        if (d < 0) goto fail;
        h5_attr_str(d, "units", "*_fen: fen (0.01 yuan); total_score: points; share_*: share of the "
                                "cost-category sum: services (床位 诊查 治疗 手术 护理 一般诊疗 挂号 其他), "
                                "drugs and consumables (西药 中药饮片 中成药 卫生材料), exams and tests (检查 化验)");
        unsigned char *ib = calloc(R->ninst ? R->ninst : 1, ir.size);
        for (size_t k = 0; k < R->ninst; k++) {
            const sc_inst_partial *P = &R->ip[k];
            unsigned char *b = ib + k * ir.size;
            double sc = (double)P->score_e4 / SC_SCORE_UNIT;
            double cf = coef[R->inst[k].level];
            int64_t bs = P->bucket_fen[0] + P->bucket_fen[1] + P->bucket_fen[2];
            double sh[3];
            for (int q = 0; q < 3; q++) sh[q] = bs > 0 ? (double)P->bucket_fen[q] / (double)bs : 0;
            memcpy(b + i_id, R->inst[k].id, strnlen(R->inst[k].id, inst_len));
            b[i_lv] = R->inst[k].level;
            memcpy(b + i_n, &P->n_cases, 8);
            memcpy(b + i_cost, &P->cost_fen, 8);
            memcpy(b + i_fund, &P->fund_fen, 8);
            memcpy(b + i_sc, &sc, 8);
            memcpy(b + i_coef, &cf, 8);
            memcpy(b + i_pay, &R->inst_pay[k], 8);
            memcpy(b + i_sv, &sh[0], 8);
            memcpy(b + i_dr, &sh[1], 8);
            memcpy(b + i_ex, &sh[2], 8);
            memcpy(b + i_lo, &P->n_outlier[SC_OUT_LOW], 8);
            memcpy(b + i_hi, &P->n_outlier[SC_OUT_HIGH], 8);
            memcpy(b + i_sp, &P->n_special, 8);
            memcpy(b + i_bl, &P->n_blank, 8);
        }
        int e = h5w_rows(d, &ir, 0, R->ninst, ib);
        H5Dclose(d);
        free(ib);
        h5row_free(&ir);
        if (e) goto fail;
    }

    /* /rejects */
    {
        h5row rr;
        h5row_begin(&rr);
        size_t r_line = h5row_add(&rr, "line", H5T_STD_U32LE, 4);
        size_t r_id = h5row_add_str(&rr, "case_id", 24);
        size_t r_f = h5row_add_str(&rr, "field", 24);
        size_t r_re = h5row_add_str(&rr, "reason", 104);
        h5row_end(&rr);
        hid_t d = h5w_table(&w, "rejects", "Rejected rows: input line, case id, field and reason", &rr, rej->n);
        if (d < 0) goto fail;
        unsigned char *rb = calloc(rej->n ? rej->n : 1, rr.size);
        for (size_t k = 0; k < rej->n; k++) {
            unsigned char *b = rb + k * rr.size;
            const cm_reject *e = &rej->e[k];
            memcpy(b + r_line, &e->line, 4);
            memcpy(b + r_id, e->case_id, strnlen(e->case_id, 24));
            memcpy(b + r_f, e->field, strnlen(e->field, 24));
            memcpy(b + r_re, e->reason, strnlen(e->reason, 104));
        }
        int e = h5w_rows(d, &rr, 0, rej->n, rb);
        H5Dclose(d);
        free(rb);
        h5row_free(&rr);
        if (e) goto fail;
    }

    /* /summary */
    {
        h5row sr;
        h5row_begin(&sr);
        struct { const char *name; const int64_t *v; } iv[] = {
            {"records_read", &R->records}, {"cases", &R->cases}, {"rejects", &R->rejects},
            {"duplicate_case_ids", &R->dups}, {"blank_cases", &R->n_blank},
            {"low_cases", &R->n_outlier[SC_OUT_LOW]}, {"high_cases", &R->n_outlier[SC_OUT_HIGH]},
            {"special_review_cases", &R->n_special}, {"fund_budget_fen", &cfg->fund_budget_fen},
            {"total_cost_fen", &R->cost_fen}, {"fund_paid_fen", &R->fund_fen},
            {"total_score_e4", &R->score_e4}, {"payments_fen", &R->pay_fen},
        };
        size_t offs[16];
        int ni = (int)(sizeof iv / sizeof iv[0]);
        for (int k = 0; k < ni; k++) offs[k] = h5row_add(&sr, iv[k].name, H5T_STD_I64LE, 8);
        size_t o_ninst = h5row_add(&sr, "institutions", H5T_STD_I64LE, 8);
        size_t o_fs = h5row_add(&sr, "fund_share", H5T_IEEE_F64LE, 8);
        size_t o_ts = h5row_add(&sr, "total_score", H5T_IEEE_F64LE, 8);
        size_t o_pv = h5row_add(&sr, "point_value", H5T_IEEE_F64LE, 8);
        h5row_end(&sr);
        hid_t d = h5w_table(&w, "summary", "Settlement summary (one row)", &sr, 1);
        if (d < 0) goto fail;
        h5_attr_str(d, "units", "*_fen: fen; total_score: points; point_value: yuan per point (点值); "
                                "total_score_e4: 1e-4 points (exact)");
        unsigned char sb[512];
        memset(sb, 0, sizeof sb);
        for (int k = 0; k < ni; k++) memcpy(sb + offs[k], iv[k].v, 8);
        int64_t ninst = (int64_t)R->ninst;
        double ts = (double)R->score_e4 / SC_SCORE_UNIT;
        memcpy(sb + o_ninst, &ninst, 8);
        memcpy(sb + o_fs, &R->fund_share, 8);
        memcpy(sb + o_ts, &ts, 8);
        memcpy(sb + o_pv, &R->point_value, 8);
        int e = h5w_rows(d, &sr, 0, 1, sb);
        H5Dclose(d);
        h5row_free(&sr);
        if (e) goto fail;
    }

    /* provenance on the file */
    {
        hid_t root = w.file;
        char t_end[32], buf2[CM_PATH_MAX + 64];
        iso_now(t_end, sizeof t_end);
        h5_attr_str(root, "program", "casemix " CM_VERSION);
        h5_attr_str(root, "scheme", "dip");
        h5_attr_str(root, "region", cfg->region);
        h5_attr_str(root, "period", cfg->period);
        h5_attr_str(root, "config_file", cfg->path);
        h5_attr_str(root, "config_sha256", cfg->sha256);
        snprintf(buf2, sizeof buf2, "%s (%llu bytes)", input, (unsigned long long)R->input_size);
        h5_attr_str(root, "input_file", buf2);
        h5_attr_str(root, "catalogue", cfg->dip_catalogue);
        h5_attr_str(root, "standard_cost", std_cost_name(cfg->standard_cost));
        h5_attr_str(root, "score_source", cfg->score_source == CM_SCORES_HISTORY ? "history (calibrated)" : "catalogue");
        h5_attr_str(root, "trimming", "nearest rank: drop cost < x[ceil(p_low*n)] or > x[ceil(p_high*n)] "
                                      "when n >= trim_min_cases");
        h5_attr_str(root, "tie_rule", "lowest 序号 (catalogue sequence number)");
        h5_attr_str(root, "payment_rounding", "largest remainder (最大余额法), ties to the lower "
                                              "institution id / earlier line");
        h5_attr_i64(root, "threads", threads);
        h5_attr_str(root, "start_time", t_start);
        /* end time is left out of the byte-compared datasets; attributes
         * carry it so h5diff of datasets stays identical across runs */
        h5_attr_str(root, "end_time", t_end);
        h5_attr_f64(root, "level1_coefficient", coef[1]);
        h5_attr_f64(root, "level2_coefficient", coef[2]);
        h5_attr_f64(root, "level3_coefficient", coef[3]);
    }
    rc = 0;
fail:
    H5Tclose(path_t);
    H5Tclose(out_t);
    h5row_free(&cr);
    if (rc == 0) return h5w_commit(&w, err, errlen);
    if (!err[0]) snprintf(err, errlen, "%s: writing HDF5 failed%s", path, g_interrupted ? " (interrupted)" : "");
    h5w_abort(&w);
    return -1;
}

/* ------------------------------------------------------------------ */

static gr_dip *load_dip(const cm_config *cfg, char *err, size_t errlen)
{
    gr_dip *dip = NULL;
    gr_error ge;
    memset(&ge, 0, sizeof ge);
    gr_status st = gr_dip_load(&cfg->dip, &dip, &ge);
    if (st != GR_OK) {
        if (ge.line > 0)
            snprintf(err, errlen, "%s:%ld: %s%s%s", ge.file, ge.line, ge.field[0] ? ge.field : "",
                     ge.field[0] ? ": " : "", ge.msg);
        else
            snprintf(err, errlen, "%s: %s", ge.file, ge.msg);
        return NULL;
    }
    return dip;
}

int cmd_settle(const cm_config *cfg, const cm_run_opts *o)
{
    char err[1024] = "";
    char t_start[32];
    iso_now(t_start, sizeof t_start);
    double t0 = now_seconds();
    settle_result R;
    memset(&R, 0, sizeof R);
    const char *input = o->input ? o->input : cfg->input_file;
    const char *output = o->output ? o->output : cfg->output_file;
    if (!input[0]) { fprintf(stderr, "casemix: no input: pass --input FILE or set input.records\n"); return CM_EXIT_USAGE; }
    if (!output[0]) { fprintf(stderr, "casemix: no output: pass --out FILE.h5 or set output.file\n"); return CM_EXIT_USAGE; }
    if (cfg->fund_budget_fen <= 0) {
        fprintf(stderr, "%s: budget.fund_budget must be set and > 0 for settle (yuan, e.g. \"120000000.00\")\n", cfg->path);
        return CM_EXIT_CONFIG;
    }
    gr_dip *dip = load_dip(cfg, err, sizeof err);
    if (!dip) { fprintf(stderr, "casemix: %s\n", err); return CM_EXIT_CONFIG; }
    struct col_aliases *al = NULL;
    if (cfg->input_aliases[0] && !(al = col_aliases_load(cfg->input_aliases, err, sizeof err))) {
        fprintf(stderr, "casemix: %s\n", err);
        gr_dip_free(dip);
        return CM_EXIT_CONFIG;
    }
    size_t ng = gr_dip_ngroups(dip);
    int32_t blank = gr_dip_blank(dip);
    cm_calib cal;
    memset(&cal, 0, sizeof cal);
    int use_hist = cfg->n_history > 0 &&
                   (cfg->score_source == CM_SCORES_HISTORY || cfg->coef_mode == CM_COEF_HISTORY ||
                    cfg->standard_cost != CM_STD_GROUP_MEAN_X_COEF);
    if (!use_hist && (cfg->score_source == CM_SCORES_HISTORY || cfg->coef_mode == CM_COEF_HISTORY ||
                      cfg->standard_cost == CM_STD_LEVEL_MEAN)) {
        fprintf(stderr, "%s: scores.source = \"history\", coefficients.mode = \"history\" and "
                        "outliers.standard_cost = \"level_mean\" need history files; add a history "
                        "list (1 to 3 years)\n", cfg->path);
        gr_dip_free(dip);
        col_aliases_free(al);
        return CM_EXIT_CONFIG;
    }
    int exitc = CM_EXIT_OK;
    double *rw = malloc(ng * sizeof *rw), *std_fen = calloc(ng * 4, sizeof *std_fen);
    if (use_hist) {
        int rc = calib_run(cfg, dip, al, &cal, err, sizeof err);
        if (rc) {
            fprintf(stderr, "casemix: %s\n", rc == -2 ? "interrupted" : err);
            exitc = rc == -2 ? CM_EXIT_INTERRUPTED : CM_EXIT_INPUT;
            goto out0;
        }
    }
    double coef[4] = {1, cfg->level_coef[1], cfg->level_coef[2], cfg->level_coef[3]};
    if (cfg->coef_mode == CM_COEF_HISTORY)
        for (int L = 1; L <= 3; L++) coef[L] = cal.coef[L];
    /* budget point value in yuan per point, for standard cost (c) */
    double region_mean = 0;
    for (size_t g = 0; g < ng && region_mean <= 0; g++) {
        double v = gr_dip_group_at(dip, g)->stat_region_mean;
        if (v > 0) region_mean = v;
    }
    double scale = cfg->calib.scale == SC_SCALE_UNIT ? 1.0 : cfg->calib.scale_factor;
    double budget_pv = use_hist ? cal.budget_pv : region_mean > 0 ? region_mean / scale : 0;
    for (size_t g = 0; g < ng; g++) {
        const gr_dip_group *G = gr_dip_group_at(dip, g);
        rw[g] = cfg->score_source == CM_SCORES_HISTORY ? cal.rw[g] : G->score;
        double mean_fen = use_hist && cal.has[g] ? cal.mean_fen[g] : G->stat_mean_fee > 0 ? G->stat_mean_fee * 100.0 : 0;
        for (int L = 1; L <= 3; L++) {
            double v = 0;
            switch (cfg->standard_cost) {
            case CM_STD_GROUP_MEAN_X_COEF: v = mean_fen * coef[L]; break;
            case CM_STD_LEVEL_MEAN:
                v = cal.level_mean_fen[g * 4 + (size_t)L];
                if (v <= 0) v = mean_fen * coef[L]; /* no same-level history: fall back to (b) */
                break;
            case CM_STD_SCORE_X_POINT: v = rw[g] * budget_pv * 100.0 * coef[L]; break;
            }
            std_fen[g * 4 + (size_t)L] = v;
        }
    }
    R.t_load = now_seconds() - t0;

    /* read + group + score */
    double t1 = now_seconds();
    int nt = pl_threads();
    pl_inst_table *itab = calloc((size_t)nt, sizeof *itab);
    pl_rejects *rejs = calloc((size_t)nt + 1, sizeof *rejs);
    settle_ctx x = {cfg, dip, ng, blank, rw, std_fen, {coef[0], coef[1], coef[2], coef[3]}, itab, rejs};
    static const int required[] = {COL_CASE_ID, COL_INST_ID, COL_INST_LEVEL, COL_PDX, COL_PPROC,
                                   COL_TOTAL, COL_FUND, -1};
    cm_parse_opts po = {.need_money = 1, .need_institution = 1, .mismatch = cfg->category_mismatch,
                        .tolerance_fen = cfg->category_tolerance_fen};
    pl_slots s;
    cm_reader hdr;
    int rc = pl_read(input, al, required, &po, settle_row, &x, &s, &hdr, o->quiet ? NULL : progress_cb,
                     NULL, err, sizeof err);
    R.input_size = hdr.size;
    if (rc) {
        fprintf(stderr, "casemix: %s\n", rc == -2 ? "interrupted; no output written" : err);
        exitc = rc == -2 ? CM_EXIT_INTERRUPTED : CM_EXIT_INPUT;
        goto out1;
    }
    R.t_read = now_seconds() - t1;

    /* set checks */
    double t2 = now_seconds();
    uint32_t *remap[256];
    if (pl_inst_merge(itab, nt, &R.inst, &R.ninst, remap)) {
        fprintf(stderr, "casemix: out of memory\n");
        exitc = CM_EXIT_INTERNAL;
        goto out1;
    }
    {
        pl_inst *inst = R.inst;
        cm_case *sl = s.slots;
#pragma omp parallel for schedule(static)
        for (long i = 0; i < (long)s.n; i++) {
            cm_case *c = &sl[i];
            if (c->status != SLOT_CASE) continue;
            c->inst = remap[c->inst >> 24][c->inst & 0xFFFFFF];
            if (c->level != inst[c->inst].level) c->flags |= CF_LEVEL_MISMATCH;
        }
    }
    for (int t = 0; t < nt; t++) free(remap[t]);
    pl_rejects *drej = calloc((size_t)nt, sizeof *drej);
    size_t nd = drej ? pl_find_duplicates(s.slots, s.n, on_dup, drej) : (size_t)-1;
    if (nd == (size_t)-1) {
        fprintf(stderr, "casemix: out of memory while checking case ids\n");
        exitc = CM_EXIT_INTERNAL;
        free(drej);
        goto out1;
    }
    R.dups = (int64_t)nd;
    for (int t = 0; t < nt; t++) {
        for (size_t k = 0; k < drej[t].n; k++)
            pl_reject_add(&rejs[nt], drej[t].e[k].line, drej[t].e[k].case_id, drej[t].e[k].field,
                          drej[t].e[k].reason);
        pl_rejects_free(&drej[t]);
    }
    free(drej);
    pl_rejects rej;
    pl_rejects_merge(rejs, nt + 1, &rej);
    for (size_t i = 0; i < s.n; i++) {
        if (s.slots[i].status == SLOT_EMPTY) R.empty++;
        else R.records++;
        if (s.slots[i].status == SLOT_CASE) R.cases++;
    }
    R.rejects = (int64_t)rej.n;
    if (R.cases == 0) {
        fprintf(stderr, "casemix: %s: no case to settle (%lld rows read, %lld rejected); see the "
                        "reasons with --out and h5dump -d /rejects, or fix the input\n",
                input, (long long)R.records, (long long)R.rejects);
        exitc = CM_EXIT_INPUT;
        goto out2;
    }
    /* special review (特例单议): highest ratios above the threshold, capped */
    {
        size_t nc = 0;
        for (size_t i = 0; i < s.n; i++)
            if (s.slots[i].status == SLOT_CASE && (s.slots[i].flags & CF_SPECIAL_OVER)) nc++;
        special_cand *sc = malloc((nc ? nc : 1) * sizeof *sc);
        size_t k = 0;
        for (size_t i = 0; i < s.n; i++)
            if (s.slots[i].status == SLOT_CASE && (s.slots[i].flags & CF_SPECIAL_OVER))
                sc[k++] = (special_cand){case_ratio(std_fen, &s.slots[i]), s.slots[i].line, i};
        qsort(sc, nc, sizeof *sc, cmp_special);
        size_t cap = (size_t)floor(cfg->outliers.special_cap * (double)R.cases);
        for (size_t j = 0; j < nc && j < cap; j++) {
            cm_case *c = &s.slots[sc[j].slot];
            c->flags = (uint16_t)((c->flags & ~CF_SPECIAL_OVER) | CF_SPECIAL);
            if (cfg->outliers.special_pay_k > 0)
                c->score_e4 = sc_score_e4(rw[c->group], coef[c->level], cfg->outliers.special_pay_k);
        }
        free(sc);
    }
    R.t_checks = now_seconds() - t2;

    /* partials per slice, merged in slice order */
    double t3 = now_seconds();
    size_t nslice = (s.n >> SLICE_SHIFT) + 1;
    sc_inst_partial *part = calloc(nslice * R.ninst, sizeof *part);
    int64_t *gpart_n = calloc(nslice * ng, sizeof *gpart_n);
    int64_t *gpart_c = calloc(nslice * ng, sizeof *gpart_c);
    double *gpart_q = calloc(nslice * ng, sizeof *gpart_q);
    int64_t (*fpart)[CF__COUNT] = calloc(nslice, sizeof *fpart);
    R.ip = calloc(R.ninst, sizeof *R.ip);
    R.inst_pay = calloc(R.ninst, sizeof *R.inst_pay);
    R.group_n = calloc(ng, sizeof *R.group_n);
    R.group_cost = calloc(ng, sizeof *R.group_cost);
    R.group_sumsq = calloc(ng, sizeof *R.group_sumsq);
    if (!part || !gpart_n || !gpart_c || !gpart_q || !fpart || !R.ip || !R.inst_pay || !R.group_n ||
        !R.group_cost || !R.group_sumsq) {
        fprintf(stderr, "casemix: out of memory\n");
        exitc = CM_EXIT_INTERNAL;
        goto out3;
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (long sl = 0; sl < (long)nslice; sl++) {
        size_t a = (size_t)sl << SLICE_SHIFT, b = a + ((size_t)1 << SLICE_SHIFT);
        if (b > s.n) b = s.n;
        sc_inst_partial *P = part + (size_t)sl * R.ninst;
        for (size_t i = a; i < b; i++) {
            const cm_case *c = &s.slots[i];
            if (c->status != SLOT_CASE) continue;
            sc_inst_partial *p = &P[c->inst];
            p->n_cases++;
            p->cost_fen += c->total_fen;
            p->fund_fen += c->fund_fen;
            p->score_e4 += c->score_e4;
            int64_t bk[SC_BUCKET__COUNT];
            pl_case_buckets(&s, i, bk);
            for (int q = 0; q < SC_BUCKET__COUNT; q++) p->bucket_fen[q] += bk[q];
            p->n_outlier[c->outlier]++;
            p->n_special += (c->flags & CF_SPECIAL) != 0;
            p->n_blank += c->group == blank;
            size_t gi = (size_t)sl * ng + (size_t)c->group;
            gpart_n[gi]++;
            gpart_c[gi] += c->total_fen;
            gpart_q[gi] += (double)c->total_fen * (double)c->total_fen;
            for (unsigned f = 0; f < CF__COUNT; f++) fpart[sl][f] += (c->flags >> f) & 1;
        }
    }
    for (size_t sl = 0; sl < nslice; sl++) {
        for (size_t k = 0; k < R.ninst; k++) sc_inst_merge(&R.ip[k], &part[sl * R.ninst + k]);
        for (size_t g = 0; g < ng; g++) {
            R.group_n[g] += gpart_n[sl * ng + g];
            R.group_cost[g] += gpart_c[sl * ng + g];
            R.group_sumsq[g] += gpart_q[sl * ng + g];
        }
        for (unsigned f = 0; f < CF__COUNT; f++) R.n_flag[f] += fpart[sl][f];
    }
    int64_t *w_inst = malloc((R.ninst ? R.ninst : 1) * sizeof *w_inst);
    int64_t *scratch = malloc((R.ninst ? R.ninst : 1) * sizeof *scratch);
    for (size_t k = 0; k < R.ninst; k++) {
        const sc_inst_partial *P = &R.ip[k];
        R.cost_fen += P->cost_fen;
        R.fund_fen += P->fund_fen;
        R.score_e4 += P->score_e4;
        R.n_blank += P->n_blank;
        R.n_special += P->n_special;
        for (int q = 0; q < SC_OUT__COUNT; q++) R.n_outlier[q] += P->n_outlier[q];
        w_inst[k] = P->score_e4;
    }
    R.n_special_over = R.n_flag[5];
    R.fund_share = sc_fund_share(R.fund_fen, R.cost_fen);
    R.point_value = sc_point_value(cfg->fund_budget_fen, R.fund_fen, R.cost_fen, R.score_e4);
    /* institution payments: Σ = budget exactly */
    sc_status ps = sc_apportion(cfg->fund_budget_fen, w_inst, R.ninst, R.inst_pay, scratch);
    free(w_inst);
    free(scratch);
    if (ps != SC_OK) {
        fprintf(stderr, "casemix: %s: the total score is zero; nothing to share the budget over\n", input);
        exitc = CM_EXIT_INPUT;
        goto out3;
    }
    /* case payments: each institution's payment over its cases */
    {
        size_t *start = calloc(R.ninst + 1, sizeof *start);
        uint32_t *order = malloc((size_t)(R.cases ? R.cases : 1) * sizeof *order);
        for (size_t i = 0; i < s.n; i++)
            if (s.slots[i].status == SLOT_CASE) start[s.slots[i].inst + 1]++;
        for (size_t k = 0; k < R.ninst; k++) start[k + 1] += start[k];
        size_t *pos = malloc((R.ninst + 1) * sizeof *pos);
        memcpy(pos, start, (R.ninst + 1) * sizeof *pos);
        for (size_t i = 0; i < s.n; i++)
            if (s.slots[i].status == SLOT_CASE) order[pos[s.slots[i].inst]++] = (uint32_t)i;
        free(pos);
        cm_case *sl = s.slots;
        const int64_t *ipay = R.inst_pay;
#pragma omp parallel
        {
            size_t wcap = 0;
            int64_t *wv = NULL, *ov = NULL, *sv = NULL;
#pragma omp for schedule(dynamic, 1)
            for (long k = 0; k < (long)R.ninst; k++) {
                size_t n = start[k + 1] - start[k];
                if (n > wcap) {
                    wcap = n;
                    free(wv); free(ov); free(sv);
                    wv = malloc(n * sizeof *wv);
                    ov = malloc(n * sizeof *ov);
                    sv = malloc(n * sizeof *sv);
                }
                for (size_t j = 0; j < n; j++) wv[j] = sl[order[start[k] + j]].score_e4;
                if (sc_apportion(ipay[k], wv, n, ov, sv) != SC_OK)
                    for (size_t j = 0; j < n; j++) ov[j] = 0;
                for (size_t j = 0; j < n; j++) sl[order[start[k] + j]].pay_fen = ov[j];
            }
            free(wv); free(ov); free(sv);
        }
        free(start);
        free(order);
    }
    for (size_t k = 0; k < R.ninst; k++) R.pay_fen += R.inst_pay[k];
    R.t_pay = now_seconds() - t3;

    /* write */
    double t4 = now_seconds();
    if (g_interrupted) { exitc = CM_EXIT_INTERRUPTED; fprintf(stderr, "casemix: interrupted; no output written\n"); goto out3; }
    if (write_h5(output, cfg, dip, &s, &rej, &R, rw, std_fen, coef, input, use_hist ? &cal : NULL, t_start,
                 o->threads > 0 ? o->threads : nt, err, sizeof err)) {
        fprintf(stderr, "casemix: %s\n", g_interrupted ? "interrupted; no output written" : err);
        exitc = g_interrupted ? CM_EXIT_INTERRUPTED : CM_EXIT_OUTPUT;
        goto out3;
    }
    R.t_write = now_seconds() - t4;

    /* summary */
    if (!o->quiet) {
        int64_t cases_paid = 0;
        for (size_t i = 0; i < s.n; i++)
            if (s.slots[i].status == SLOT_CASE) cases_paid += s.slots[i].pay_fen;
        printf("casemix %s: DIP settlement, region %s, period %s\n", CM_VERSION, cfg->region, cfg->period);
        printf("  input            %s\n", input);
        printf("  records read     %12lld  = cases %lld + rejects %lld  [%s]\n", (long long)R.records,
               (long long)R.cases, (long long)R.rejects,
               R.records == R.cases + R.rejects ? "reconciled" : "MISMATCH");
        if (R.dups) printf("  duplicate ids    %12lld  (rejected, not paid)\n", (long long)R.dups);
        printf("  institutions     %12zu\n", R.ninst);
        int64_t used = 0;
        for (size_t g = 0; g < ng; g++) used += R.group_n[g] > 0;
        printf("  groups used      %12lld  of %zu (blank group KBBZ: %lld cases)\n", (long long)used, ng,
               (long long)R.n_blank);
        printf("  outliers         low %lld, high %lld, special review %lld (cap %.1f‰; %lld more above %.1fx)\n",
               (long long)R.n_outlier[SC_OUT_LOW], (long long)R.n_outlier[SC_OUT_HIGH],
               (long long)R.n_special, cfg->outliers.special_cap * 1000, (long long)R.n_special_over,
               cfg->outliers.special);
        printf("  flags            categories!=total %lld, LOS!=dates %lld, fund+self!=total %lld\n",
               (long long)R.n_flag[0], (long long)R.n_flag[1], (long long)R.n_flag[3]);
        printf("  total cost       %15.2f yuan\n", (double)R.cost_fen / 100.0);
        printf("  fund paid        %15.2f yuan   fund share %.6f\n", (double)R.fund_fen / 100.0, R.fund_share);
        printf("  total score      %15.4f points\n", (double)R.score_e4 / SC_SCORE_UNIT);
        printf("  fund budget      %15.2f yuan\n", (double)cfg->fund_budget_fen / 100.0);
        printf("  point value      %15.6f yuan/point (点值)\n", R.point_value);
        printf("  payments         %15.2f yuan   = budget %s; Σ cases %s\n", (double)R.pay_fen / 100.0,
               R.pay_fen == cfg->fund_budget_fen ? "to the fen" : "MISMATCH",
               cases_paid == R.pay_fen ? "= Σ institutions" : "MISMATCH");
        printf("  standard cost    %s\n", std_cost_name(cfg->standard_cost));
        printf("  time             load %.2fs, read+group+score %.2fs, checks %.2fs, pay %.2fs, write %.2fs; "
               "%d threads, peak RSS %ld MiB\n",
               R.t_load, R.t_read, R.t_checks, R.t_pay, R.t_write, nt, peak_rss_kb() / 1024);
        printf("  output           %s\n", output);
    }
out3:
    free(part); free(gpart_n); free(gpart_c); free(gpart_q); free(fpart);
    free(R.ip); free(R.inst_pay); free(R.group_n); free(R.group_cost); free(R.group_sumsq);
out2:
    pl_rejects_free(&rej);
    free(R.inst);
out1:
    for (int t = 0; t < nt; t++) { pl_inst_table_free(&itab[t]); pl_rejects_free(&rejs[t]); }
    pl_rejects_free(&rejs[nt]);
    free(itab);
    free(rejs);
    pl_slots_free(&s);
out0:
    free(rw);
    free(std_fen);
    calib_free(&cal);
    col_aliases_free(al);
    gr_dip_free(dip);
    return exitc;
}

int cmd_calibrate(const cm_config *cfg, const cm_run_opts *o)
{
    char err[1024] = "";
    if (cfg->n_history == 0) {
        fprintf(stderr, "%s: calibrate needs a history list (1 to 3 years of discharge files)\n", cfg->path);
        return CM_EXIT_CONFIG;
    }
    gr_dip *dip = load_dip(cfg, err, sizeof err);
    if (!dip) { fprintf(stderr, "casemix: %s\n", err); return CM_EXIT_CONFIG; }
    struct col_aliases *al = NULL;
    if (cfg->input_aliases[0] && !(al = col_aliases_load(cfg->input_aliases, err, sizeof err))) {
        fprintf(stderr, "casemix: %s\n", err);
        gr_dip_free(dip);
        return CM_EXIT_CONFIG;
    }
    cm_calib cal;
    int rc = calib_run(cfg, dip, al, &cal, err, sizeof err);
    int exitc = CM_EXIT_OK;
    if (rc) {
        fprintf(stderr, "casemix: %s\n", rc == -2 ? "interrupted" : err);
        exitc = rc == -2 ? CM_EXIT_INTERRUPTED : CM_EXIT_INPUT;
        goto out;
    }
    char outp[CM_PATH_MAX], csvp[CM_PATH_MAX + 32];
    if (o->output) snprintf(outp, sizeof outp, "%s", o->output);
    else snprintf(outp, sizeof outp, "%s", cfg->output_file[0] ? cfg->output_file : "calibration.h5");
    size_t L = strlen(outp);
    if (L > 3 && strcmp(outp + L - 3, ".h5") == 0)
        snprintf(csvp, sizeof csvp, "%.*s.catalogue.csv", (int)(L - 3), outp);
    else
        snprintf(csvp, sizeof csvp, "%s.catalogue.csv", outp);
    if (calib_write_csv(&cal, dip, csvp, err, sizeof err)) {
        fprintf(stderr, "casemix: %s\n", err);
        exitc = CM_EXIT_OUTPUT;
        goto out;
    }
    /* HDF5: /calibration table */
    {
        h5w w;
        if (h5w_open(&w, outp, cfg->compression, cfg->deflate_level, cfg->chunk_rows, err, sizeof err)) {
            fprintf(stderr, "casemix: %s\n", err);
            exitc = CM_EXIT_OUTPUT;
            goto out;
        }
        size_t ng = cal.ng, code_len = 1;
        for (size_t g = 0; g < ng; g++) {
            size_t l = strlen(gr_dip_group_at(dip, g)->published);
            if (l > code_len) code_len = l;
        }
        h5row r;
        h5row_begin(&r);
        size_t c_code = h5row_add_str(&r, "code", code_len);
        size_t c_type = h5row_add(&r, "type", H5T_STD_U8LE, 1);
        size_t c_n = h5row_add(&r, "n", H5T_STD_I64LE, 8 * 3);
        (void)c_n;
        h5row_free(&r);
        /* simpler flat layout: one member per year */
        h5row_begin(&r);
        c_code = h5row_add_str(&r, "code", code_len);
        c_type = h5row_add(&r, "type", H5T_STD_U8LE, 1);
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
            exitc = CM_EXIT_OUTPUT;
            goto out;
        }
    }
    if (!o->quiet) {
        size_t with = 0;
        for (size_t g = 0; g < cal.ng; g++) with += cal.has[g];
        printf("casemix %s: calibration from %d history year(s)\n", CM_VERSION, cal.nyears);
        for (int y = 3 - cal.nyears; y < 3; y++)
            printf("  year %d: %lld records, %lld rejected\n", cal.years[y], (long long)cal.records[y],
                   (long long)cal.rejects[y]);
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
    return exitc;
}
