/*
 * write.c - the HDF5 output of a settlement (one period, one scenario):
 * /cases /groups /group_names /drgs /drg_names /institutions
 * /institution_names /rejects /quality /summary, written on one thread
 * (row conversion and chunk compression in parallel) into OUT.tmp.PID,
 * and the rejects CSV beside it; both renamed into place at the end.
 */
#include "period.h"
#include "supervise.h"
#include "h5out.h"
#include "indicators.h"
#include "rejects.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* stage 6: HDF5                                                       */
/* ------------------------------------------------------------------ */

static const char *const PATH_NAMES[] = {"exact", "most_related", "dx_main", "dx_only", "comprehensive", "blank"};
static const char *const OUT_NAMES[] = {"normal", "low", "high"};
static const char *const DRG_STATUS_NAMES[] = {"OK", "UNGROUPABLE", "CHECK_FAILED"};
static const char *const DRG_WHY_NAMES[] = {"none", "sex", "age", "age_days", "weight", "no_dx", "no_mdc"};
/* /cases.dip_blank_reason: why a case is in the blank group KBBZ; value
 * 1 + (gr_dip_why - GR_WHY_DX_MISSING), the blank reasons being the last
 * ones of gr_dip_why (0: not blank) */
static const char *const BLANK_WHY_NAMES[] = {"none", "dx_missing", "dx_invalid", "proc_attribute_unknown",
                                              "no_catalogue_entry"};
_Static_assert(sizeof BLANK_WHY_NAMES / sizeof BLANK_WHY_NAMES[0] == 1 + GR_WHY__COUNT - GR_WHY_DX_MISSING,
               "one dip_blank_reason name per blank reason of gr_dip_why");
static uint8_t blank_reason(const cm_case *c)
{
    return c->path == GR_PATH_BLANK && c->why >= GR_WHY_DX_MISSING && c->why < GR_WHY__COUNT
               ? (uint8_t)(1 + c->why - GR_WHY_DX_MISSING) : 0;
}

/* /cases' case_id width: the longest case id of a kept case (bytes, >= 1);
 * /flags and /review_sample use the same (sv_write) */
static size_t case_id_width(const cm_period *st)
{
    const pl_slots *s = &st->s;
    size_t id_len = 1;
#pragma omp parallel for schedule(static) reduction(max : id_len)
    for (long i = 0; i < (long)s->n; i++)
        if (s->slots[i].status == SLOT_CASE) id_len = str_maxlen(id_len, pl_case_id(s, (size_t)i));
    return id_len;
}

static cm_status write_cases(const cm_period *st, const cm_scenario *sn, const char *output, h5w *w, size_t id_len,
                             char *err, size_t errlen)
{
    const cm_config *cfg = st->cfg;
    const pl_slots *s = &st->s;
    const gr_dip *dip = st->dip;
    const gr_drg *drg = st->drg;
    int codes = cfg->case_columns == CM_CASES_CODES;
    size_t inst_len = 1, code_len = dip_code_width(dip, st->group_n); /* the codes that occur */
    for (size_t k = 0; k < st->ninst; k++) inst_len = str_maxlen(inst_len, st->inst[k].id);
    hid_t path_t = h5_enum_u8(PATH_NAMES, 6), out_t = h5_enum_u8(OUT_NAMES, 3);
    hid_t dst_t = h5_enum_u8(DRG_STATUS_NAMES, 3), dwhy_t = h5_enum_u8(DRG_WHY_NAMES, 7);
    hid_t bwhy_t = h5_enum_u8(BLANK_WHY_NAMES, (int)(sizeof BLANK_WHY_NAMES / sizeof BLANK_WHY_NAMES[0]));
    h5row cr;
    h5row_begin(&cr);
    size_t o_inst, o_grp = 0, o_gi = 0, o_path = 0, o_out = 0, o_score = 0, o_pay = 0, o_ratio = 0;
    size_t o_bwhy = 0, o_drg = 0, o_mdc = 0, o_dst = 0, o_dwhy = 0, o_dout = 0, o_dpts = 0, o_dpay = 0, o_cc = 0;
    size_t o_line = h5row_add(&cr, "line", H5T_STD_U32LE, 4);
    size_t o_id = h5row_add_str(&cr, "case_id", id_len);
    o_inst = codes ? h5row_add_str(&cr, "institution_id", inst_len) : h5row_add(&cr, "institution", H5T_STD_U32LE, 4);
    size_t o_lv = h5row_add(&cr, "level", H5T_STD_U8LE, 1);
    size_t o_fl = h5row_add(&cr, "flags", H5T_STD_U16LE, 2);
    size_t o_cost = h5row_add(&cr, "total_cost_fen", H5T_STD_I64LE, 8);
    if (dip) {
        if (codes) o_grp = h5row_add_str(&cr, "dip_group", code_len);
        o_gi = h5row_add(&cr, "dip_group_index", H5T_STD_I32LE, 4);
        o_path = h5row_add(&cr, "match_path", path_t, 1);
        o_out = h5row_add(&cr, "outlier", out_t, 1);
        o_bwhy = h5row_add(&cr, "dip_blank_reason", bwhy_t, 1);
        o_ratio = h5row_add(&cr, "cost_ratio", H5T_IEEE_F64LE, 8);
        o_score = h5row_add(&cr, "score", H5T_IEEE_F64LE, 8);
        o_pay = h5row_add(&cr, "payment_fen", H5T_STD_I64LE, 8);
    }
    if (drg) {
        if (codes) {
            o_drg = h5row_add_str(&cr, "drg", 4);
            o_mdc = h5row_add_str(&cr, "mdc", 4);
        } else {
            o_drg = h5row_add(&cr, "drg_index", H5T_STD_I16LE, 2);
        }
        o_dst = h5row_add(&cr, "drg_status", dst_t, 1);
        o_dwhy = h5row_add(&cr, "drg_reason", dwhy_t, 1);
        o_cc = h5row_add(&cr, "drg_cc", H5T_STD_U8LE, 1);
        o_dout = h5row_add(&cr, "drg_outlier", out_t, 1);
        o_dpts = h5row_add(&cr, "drg_points", H5T_IEEE_F64LE, 8);
        o_dpay = h5row_add(&cr, "drg_payment_fen", H5T_STD_I64LE, 8);
    }
    h5row_end(&cr);
    H5Tclose(path_t); H5Tclose(out_t); H5Tclose(dst_t); H5Tclose(dwhy_t); H5Tclose(bwhy_t);
    hid_t ds = h5w_table(w, "cases", "Cases: groups, outlier classes, scores / points and payments", &cr,
                         (hsize_t)st->cases);
    if (ds < 0) { h5row_free(&cr); snprintf(err, errlen, "%s: cannot create /cases", output); return CM_ERR_OUTPUT; }
    {
        char names[CF__COUNT * 32] = "";
        for (unsigned b = 0; b < CF__COUNT; b++) {
            char t[40];
            snprintf(t, sizeof t, "%sbit%u=%s", b ? ", " : "", b, case_flag_name(b));
            strncat(names, t, sizeof names - strlen(names) - 1);
        }
        h5_attr_str(ds, "flags_bits", names);
        h5_attr_str(ds, "units", "total_cost_fen, payment_fen, drg_payment_fen: fen (0.01 yuan); score: DIP "
                                 "points (分值); drg_points: RW x 100 x coefficient x outlier factor; cost_ratio: "
                                 "total cost / standard cost (-1: none); drg_cc: 0 none, 1 CC, 2 MCC");
        if (dip) {
            h5_attr_str(ds, "standard_cost", std_cost_name(cfg->standard_cost));
            /* the outlier thresholds on cost_ratio (casemix report draws them) */
            h5_attr_f64(ds, "outlier_low", cfg->outliers.low);
            h5_attr_f64(ds, "outlier_high", cfg->outliers.high);
            h5_attr_f64(ds, "outlier_special", cfg->outliers.special);
            h5_attr_str(ds, "dip_blank_reason", "why the case is in the blank group KBBZ (空白病种): none (not "
                                                "blank), dx_missing (principal diagnosis empty), dx_invalid (not "
                                                "in the ICD-10 list dip.icd10), proc_attribute_unknown (main "
                                                "procedure not in dip.proc_attributes), no_catalogue_entry "
                                                "(no catalogue group for the diagnosis and procedure attribute)");
        }
        h5_attr_str(ds, "layout", codes ? "codes: institution and group as text"
                                         : "compact: institution = row of /institutions, dip_group_index = row of "
                                           "/groups, drg_index = row of /drgs (-1: 0000)");
    }
    /* batches of whole chunks, so compressed chunks can be written directly */
    size_t ch = (size_t)h5w_chunk_rows(ds), B = 65536;
    if (ch > 0) B = (B + ch - 1) / ch * ch;
    unsigned char *buf = malloc(B * cr.size);
    size_t *idx = malloc(B * sizeof *idx);
    cm_status rc = CM_ERR_OUTPUT;
    if (!buf || !idx) goto done;
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
            size_t si = idx[j];
            const cm_case *c = &s->slots[si];
            unsigned char *b = buf + (size_t)j * cr.size;
            uint32_t line = c->line;
            uint16_t fl = *sn_u16(sn->flags, si);
            memcpy(b + o_line, &line, 4);
            const char *cid = pl_case_id(s, si);
            memcpy(b + o_id, cid, strnlen(cid, id_len));
            if (codes) memcpy(b + o_inst, st->inst[c->inst].id, strnlen(st->inst[c->inst].id, inst_len));
            else memcpy(b + o_inst, &c->inst, 4);
            b[o_lv] = c->level;
            memcpy(b + o_fl, &fl, 2);
            memcpy(b + o_cost, &c->total_fen, 8);
            if (dip) {
                const gr_dip_group *G = gr_dip_group_at(dip, (size_t)c->group);
                int32_t gi = c->group;
                double ratio = case_ratio(sn->std_fen, c), score = (double)*sn_i64(sn->score, si) / SC_SCORE_UNIT;
                if (codes) memcpy(b + o_grp, G->published, strnlen(G->published, code_len));
                memcpy(b + o_gi, &gi, 4);
                b[o_path] = c->path;
                b[o_out] = *sn_u8(sn->outlier, si);
                b[o_bwhy] = blank_reason(c);
                memcpy(b + o_ratio, &ratio, 8);
                memcpy(b + o_score, &score, 8);
                memcpy(b + o_pay, sn_i64(sn->pay, si), 8);
            }
            if (drg) {
                if (codes) {
                    memcpy(b + o_drg, gr_drg_code(drg, c->drg), 4);
                    memcpy(b + o_mdc, gr_drg_mdc_code(drg, c->mdc), 4);
                } else {
                    int16_t d = c->drg;
                    memcpy(b + o_drg, &d, 2);
                }
                b[o_dst] = c->drg_status;
                b[o_dwhy] = c->drg_why;
                b[o_cc] = c->cc;
                b[o_dout] = *sn_u8(sn->drg_outlier, si);
                double pts = (double)*sn_i64(sn->drg_pts, si) / SC_SCORE_UNIT;
                int64_t pay = *sn_i64(sn->drg_pay, si);
                memcpy(b + o_dpts, &pts, 8);
                memcpy(b + o_dpay, &pay, 8);
            }
        }
        if (h5w_rows_fast(w, ds, &cr, row, k, buf)) goto done;
        row += k;
        if (g_interrupted) goto done;
    }
    rc = CM_OK;
done:
    if (rc && !err[0]) snprintf(err, errlen, "%s: writing /cases failed (disk full?)", output);
    free(buf);
    free(idx);
    H5Dclose(ds);
    h5row_free(&cr);
    return rc;
}

static cm_status write_groups(const cm_period *st, const cm_scenario *sn, h5w *w)
{
    const gr_dip *dip = st->dip;
    const cm_calib *cal = st->use_hist ? &st->cal : NULL;
    size_t ng = st->ng, code_len = dip_code_width(dip, NULL);
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
    hid_t d = h5w_table(w, "groups", "DIP groups (病种): cases, mean cost, CV and score", &gr, ng);
    unsigned char *gb = calloc(ng ? ng : 1, gr.size);
    const char **names = malloc((ng ? ng : 1) * sizeof *names);
    int e = d < 0 || !gb || !names;
    if (!e) {
        h5_attr_str(d, "units", "mean_cost, history_mean_cost: yuan; score: points (分值); "
                                "cv: SD/mean of the period's cases (history_cv: trimmed, pooled)");
        h5_attr_str(d, "type_values", "1 core (核心病种), 0 comprehensive (综合病种), 2 blank (KBBZ)");
        h5_attr_f64(d, "cv_split_threshold", st->cfg->cv_split_threshold);
        for (size_t g = 0; g < ng; g++) {
            const gr_dip_group *G = gr_dip_group_at(dip, g);
            unsigned char *b = gb + g * gr.size;
            int64_t n = st->group_n[g], hn = 0;
            double mean = n ? (double)st->group_cost[g] / (double)n : 0; /* fen */
            double var = n > 1 ? st->group_sumsq[g] / (double)n - mean * mean : 0;
            double cv = n > 1 && mean > 0 && var > 0 ? sqrt(var) / mean : 0;
            double hm = 0, hcv = 0;
            if (cal) {
                for (int y = 0; y < 3; y++) hn += cal->n[g * 3 + (size_t)y];
                hm = cal->mean_fen[g] / 100.0;
                hcv = cal->cv[g];
            }
            mean /= 100.0;
            uint8_t split = (cal ? hcv : cv) > st->cfg->cv_split_threshold;
            memcpy(b + g_code, G->published, strnlen(G->published, code_len));
            memcpy(b + g_seq, &G->seq, 4);
            b[g_type] = G->type;
            memcpy(b + g_n, &n, 8);
            memcpy(b + g_mean, &mean, 8);
            memcpy(b + g_cv, &cv, 8);
            memcpy(b + g_score, &sn->rw[g], 8);
            memcpy(b + g_cat, &G->score, 8);
            memcpy(b + g_hn, &hn, 8);
            memcpy(b + g_hm, &hm, 8);
            memcpy(b + g_hcv, &hcv, 8);
            b[g_split] = split;
            names[g] = G->name ? G->name : "";
        }
        e = h5w_rows(d, &gr, 0, ng, gb);
    }
    if (d >= 0) H5Dclose(d);
    free(gb);
    h5row_free(&gr);
    if (!e) e = h5_strings(w, "group_names", names, ng, "UTF-8 group names (病种名称), same order as /groups");
    free(names);
    return e ? CM_ERR_OUTPUT : CM_OK;
}

static cm_status write_drgs(const cm_period *st, h5w *w)
{
    const gr_drg *drg = st->drg;
    size_t nd = st->nd;
    h5row r;
    h5row_begin(&r);
    size_t o_code = h5row_add_str(&r, "code", 4);
    size_t o_adrg = h5row_add_str(&r, "adrg", 3);
    size_t o_n = h5row_add(&r, "n", H5T_STD_I64LE, 8);
    size_t o_mean = h5row_add(&r, "mean_cost", H5T_IEEE_F64LE, 8);
    size_t o_cv = h5row_add(&r, "cv", H5T_IEEE_F64LE, 8);
    size_t o_rw = h5row_add(&r, "rw", H5T_IEEE_F64LE, 8);
    size_t o_los = h5row_add(&r, "mean_los", H5T_IEEE_F64LE, 8);
    size_t o_hn = h5row_add(&r, "history_n", H5T_STD_I64LE, 8);
    size_t o_hm = h5row_add(&r, "history_mean_cost", H5T_IEEE_F64LE, 8);
    size_t o_hcv = h5row_add(&r, "history_cv", H5T_IEEE_F64LE, 8);
    h5row_end(&r);
    hid_t d = h5w_table(w, "drgs", "CHS-DRG groups: cases, mean cost, CV, weight (RW), mean LOS", &r, nd);
    unsigned char *buf = calloc(nd ? nd : 1, r.size);
    const char **names = malloc((nd ? nd : 1) * sizeof *names);
    int e = d < 0 || !buf || !names;
    if (!e) {
        h5_attr_str(d, "units", st->drg_table_rw
                                    ? "mean_cost, history_mean_cost: yuan; rw: published weight (drg.weights, "
                                      "权重); mean_los: days"
                                    : "mean_cost, history_mean_cost: yuan; rw: weighted trimmed history mean of the "
                                      "DRG / that of all grouped cases (1:2:7); mean_los: days");
        h5_attr_str(d, "rw_source", st->drg_table_rw ? st->cfg->drg_weights : "history");
        h5_attr_str(d, "version", gr_drg_version(drg));
        h5_attr_f64(d, "region_mean_cost", st->cal.drg_region_mean_fen / 100.0);
        for (size_t k = 0; k < nd; k++) {
            unsigned char *b = buf + k * r.size;
            const char *code = gr_drg_code(drg, (int32_t)k);
            const char *adrg = gr_drg_adrg_code(drg, gr_drg_adrg_of(drg, (int32_t)k));
            int64_t n = st->drg_n[k];
            double mean = n ? (double)st->drg_cost[k] / (double)n : 0;
            double var = n > 1 ? st->drg_sumsq[k] / (double)n - mean * mean : 0;
            double cv = n > 1 && mean > 0 && var > 0 ? sqrt(var) / mean : 0;
            double los = st->drg_los_n[k] ? (double)st->drg_los[k] / (double)st->drg_los_n[k] : 0;
            double hm = st->cal.drg_mean_fen[k] / 100.0;
            mean /= 100.0;
            memcpy(b + o_code, code, strnlen(code, 4));
            memcpy(b + o_adrg, adrg, strnlen(adrg, 3));
            memcpy(b + o_n, &n, 8);
            memcpy(b + o_mean, &mean, 8);
            memcpy(b + o_cv, &cv, 8);
            memcpy(b + o_rw, &st->cal.drg_rw[k], 8);
            memcpy(b + o_los, &los, 8);
            memcpy(b + o_hn, &st->cal.drg_n[k], 8);
            memcpy(b + o_hm, &hm, 8);
            memcpy(b + o_hcv, &st->cal.drg_cv[k], 8);
            names[k] = gr_drg_name(drg, (int32_t)k);
        }
        e = h5w_rows(d, &r, 0, nd, buf);
    }
    if (d >= 0) H5Dclose(d);
    free(buf);
    h5row_free(&r);
    if (!e) e = h5_strings(w, "drg_names", names, nd, "UTF-8 DRG names, same order as /drgs");
    free(names);
    return e ? CM_ERR_OUTPUT : CM_OK;
}

static cm_status write_institutions(const cm_period *st, const cm_scenario *sn, h5w *w)
{
    size_t ninst = st->ninst, inst_len = 1;
    for (size_t k = 0; k < ninst; k++) inst_len = str_maxlen(inst_len, st->inst[k].id);
    int dip = st->dip != NULL, drg = st->drg != NULL;
    h5row ir;
    h5row_begin(&ir);
    size_t i_sc = 0, i_coef, i_pay = 0, i_lo = 0, i_hi = 0, i_sp = 0, i_bl = 0;
    size_t i_cmi = 0, i_dpts = 0, i_dpay = 0, i_dlo = 0, i_dhi = 0, i_dun = 0;
    size_t i_id = h5row_add_str(&ir, "institution_id", inst_len);
    size_t i_lv = h5row_add(&ir, "level", H5T_STD_U8LE, 1);
    size_t i_n = h5row_add(&ir, "cases", H5T_STD_I64LE, 8);
    size_t i_cost = h5row_add(&ir, "total_cost_fen", H5T_STD_I64LE, 8);
    size_t i_fund = h5row_add(&ir, "fund_paid_fen", H5T_STD_I64LE, 8);
    i_coef = h5row_add(&ir, "coefficient", H5T_IEEE_F64LE, 8);
    size_t i_sv = h5row_add(&ir, "share_services", H5T_IEEE_F64LE, 8);
    size_t i_dr = h5row_add(&ir, "share_drugs", H5T_IEEE_F64LE, 8);
    size_t i_ex = h5row_add(&ir, "share_exams", H5T_IEEE_F64LE, 8);
    if (dip) {
        i_sc = h5row_add(&ir, "total_score", H5T_IEEE_F64LE, 8);
        i_pay = h5row_add(&ir, "payment_fen", H5T_STD_I64LE, 8);
        i_lo = h5row_add(&ir, "n_low", H5T_STD_I64LE, 8);
        i_hi = h5row_add(&ir, "n_high", H5T_STD_I64LE, 8);
        i_sp = h5row_add(&ir, "n_special", H5T_STD_I64LE, 8);
        i_bl = h5row_add(&ir, "n_blank", H5T_STD_I64LE, 8);
    }
    if (drg) {
        i_cmi = h5row_add(&ir, "cmi", H5T_IEEE_F64LE, 8);
        i_dpts = h5row_add(&ir, "drg_points", H5T_IEEE_F64LE, 8);
        i_dpay = h5row_add(&ir, "drg_payment_fen", H5T_STD_I64LE, 8);
        i_dlo = h5row_add(&ir, "n_drg_low", H5T_STD_I64LE, 8);
        i_dhi = h5row_add(&ir, "n_drg_high", H5T_STD_I64LE, 8);
        i_dun = h5row_add(&ir, "n_drg_0000", H5T_STD_I64LE, 8);
    }
    /* supervision: the four-level rating (indicators.c) */
    static const char *const RATING_NAMES[] = {"excellent", "good", "pass", "fail", "not_rated"};
    size_t i_rt = 0, i_rs = 0;
    hid_t rt = sn->ind ? h5_enum_u8(RATING_NAMES, 5) : -1;
    if (sn->ind) {
        i_rt = h5row_add(&ir, "rating", rt, 1);
        i_rs = h5row_add(&ir, "rating_score", H5T_IEEE_F64LE, 8);
    }
    h5row_end(&ir);
    if (rt >= 0) H5Tclose(rt);
    hid_t d = h5w_table(w, "institutions",
                        "Institutions (定点医疗机构): payment, price-ratio structure (比价关系), CMI", &ir, ninst);
    unsigned char *ib = calloc(ninst ? ninst : 1, ir.size);
    int e = d < 0 || !ib;
    if (!e) {
        if (st->has_mtab) {
            char src[CM_PATH_MAX + 160];
            snprintf(src, sizeof src, "institution table (input.institutions) %s; %zu institution(s) not in it "
                                      "take the level of their rows", st->cfg->input_institutions, st->n_inst_untabled);
            h5_attr_str(d, "level_source", src);
        }
        h5_attr_str(d, "units", "*_fen: fen (0.01 yuan); total_score, drg_points: points; share_*: share of the "
                                "cost-category sum: services (床位 诊查 治疗 手术 护理 一般诊疗 挂号 其他), "
                                "drugs and consumables (西药 中药饮片 中成药 卫生材料), exams and tests (检查 化验); "
                                "cmi: mean DRG RW of the institution's grouped cases (病例组合指数)");
        for (size_t k = 0; k < ninst; k++) {
            const sc_inst_partial *P = &sn->ip[k];
            unsigned char *b = ib + k * ir.size;
            double cf = sn->coef[st->inst[k].level];
            int64_t bs = P->bucket_fen[0] + P->bucket_fen[1] + P->bucket_fen[2];
            double sh[3];
            for (int q = 0; q < 3; q++) sh[q] = bs > 0 ? (double)P->bucket_fen[q] / (double)bs : 0;
            memcpy(b + i_id, st->inst[k].id, strnlen(st->inst[k].id, inst_len));
            b[i_lv] = st->inst[k].level;
            memcpy(b + i_n, &P->n_cases, 8);
            memcpy(b + i_cost, &P->cost_fen, 8);
            memcpy(b + i_fund, &P->fund_fen, 8);
            memcpy(b + i_coef, &cf, 8);
            memcpy(b + i_sv, &sh[0], 8);
            memcpy(b + i_dr, &sh[1], 8);
            memcpy(b + i_ex, &sh[2], 8);
            if (dip) {
                double sc = (double)P->score_e4 / SC_SCORE_UNIT;
                memcpy(b + i_sc, &sc, 8);
                memcpy(b + i_pay, &sn->dipt.inst_pay[k], 8);
                memcpy(b + i_lo, &P->n_outlier[SC_OUT_LOW], 8);
                memcpy(b + i_hi, &P->n_outlier[SC_OUT_HIGH], 8);
                memcpy(b + i_sp, &P->n_special, 8);
                memcpy(b + i_bl, &P->n_blank, 8);
            }
            if (drg) {
                double cmi = st->inst_ndrg[k] ? (double)st->inst_rw_e4[k] / 1e4 / (double)st->inst_ndrg[k] : 0;
                double pts = (double)sn->drgt.inst_points[k] / SC_SCORE_UNIT;
                memcpy(b + i_cmi, &cmi, 8);
                memcpy(b + i_dpts, &pts, 8);
                memcpy(b + i_dpay, &sn->drgt.inst_pay[k], 8);
                memcpy(b + i_dlo, &sn->inst_drg_out[k * 3 + SC_OUT_LOW], 8);
                memcpy(b + i_dhi, &sn->inst_drg_out[k * 3 + SC_OUT_HIGH], 8);
                memcpy(b + i_dun, &st->inst_ungroup[k], 8);
            }
            if (sn->ind) {
                b[i_rt] = sn->ind->rating[k];
                memcpy(b + i_rs, &sn->ind->score[k], 8);
            }
        }
        if (sn->ind)
            h5_attr_str(d, "rating", "four-level rating (评级): excellent 优秀, good 良好, pass 合格, fail 不达标, "
                                     "not_rated 未评级 (no ranked indicator of positive weight); rating_score: out "
                                     "of 100, the sum of the points of /indicators");
        e = h5w_rows(d, &ir, 0, ninst, ib);
    }
    if (d >= 0) H5Dclose(d);
    free(ib);
    h5row_free(&ir);
    if (!e && st->has_mtab)
        e = h5_strings(w, "institution_names", st->inst_name, ninst,
                       "UTF-8 institution names (定点医药机构名称) from input.institutions, same order as "
                       "/institutions; \"\" for an institution not in the table");
    return e ? CM_ERR_OUTPUT : CM_OK;
}

/* /rejects, and /quality in the same layout (one note per row and field). */
cm_status write_rejects(const pl_rejects *rej, h5w *w, const char *name, const char *title)
{
    size_t id_len = 1;
    for (size_t k = 0; k < rej->n; k++) id_len = str_maxlen(id_len, rej->e[k].case_id);
    h5row rr;
    h5row_begin(&rr);
    size_t r_line = h5row_add(&rr, "line", H5T_STD_U32LE, 4);
    size_t r_id = h5row_add_str(&rr, "case_id", id_len);
    size_t r_f = h5row_add_str(&rr, "field", 24);
    size_t r_re = h5row_add_str(&rr, "reason", 104);
    h5row_end(&rr);
    hid_t d = h5w_table(w, name, title, &rr, rej->n);
    unsigned char *rb = calloc(rej->n ? rej->n : 1, rr.size);
    int e = d < 0 || !rb;
    for (size_t k = 0; !e && k < rej->n; k++) {
        unsigned char *b = rb + k * rr.size;
        const cm_reject *x = &rej->e[k];
        memcpy(b + r_line, &x->line, 4);
        memcpy(b + r_id, x->case_id, strnlen(x->case_id, id_len));
        memcpy(b + r_f, x->field, strnlen(x->field, 24));
        memcpy(b + r_re, x->reason, strnlen(x->reason, 104));
    }
    if (!e) e = h5w_rows(d, &rr, 0, rej->n, rb);
    if (d >= 0) H5Dclose(d);
    free(rb);
    h5row_free(&rr);
    return e ? CM_ERR_OUTPUT : CM_OK;
}

static cm_status write_summary(const cm_period *st, const cm_scenario *sn, h5w *w)
{
    h5row sr;
    h5row_begin(&sr);
    int64_t ninst = (int64_t)st->ninst;
    /* R05 duplicate claims withheld from payment (supervise.c; settle, month): members when R05 ran */
    int64_t wh_total, wh_fund, wh_n = sv_withheld(st->sup, &wh_total, &wh_fund);
    int r05 = wh_n >= 0;
    struct { const char *name; const int64_t *v; int on; } iv[] = {
        {"records_read", &st->records, 1}, {"cases", &st->cases, 1}, {"rejects", &st->rejects, 1},
        {"duplicate_case_ids", &st->dups, 1}, {"quality_notes", &st->notes, 1}, {"institutions", &ninst, 1},
        {"total_cost_fen", &st->cost_fen, 1}, {"fund_paid_fen", &st->fund_fen, 1},
        {"rejects_total_cost_fen", &st->rej_cost_fen, 1}, {"rejects_fund_paid_fen", &st->rej_fund_fen, 1},
        {"blank_cases", &st->n_blank, sn->dipt.on}, {"low_cases", &sn->dipt.n_outlier[SC_OUT_LOW], sn->dipt.on},
        {"high_cases", &sn->dipt.n_outlier[SC_OUT_HIGH], sn->dipt.on},
        {"special_review_cases", &sn->n_special, sn->dipt.on},
        {"fund_budget_fen", &sn->dipt.budget_fen, sn->dipt.on},
        {"total_score_e4", &sn->dipt.points_e4, sn->dipt.on}, {"payments_fen", &sn->dipt.pay_fen, sn->dipt.on},
        {"drg_grouped_cases", &st->n_drg_ok, sn->drgt.on}, {"drg_0000_cases", &st->n_drg_ungroupable, sn->drgt.on},
        {"drg_low_cases", &sn->drgt.n_outlier[SC_OUT_LOW], sn->drgt.on},
        {"drg_high_cases", &sn->drgt.n_outlier[SC_OUT_HIGH], sn->drgt.on},
        {"drg_budget_fen", &sn->drgt.budget_fen, sn->drgt.on},
        {"drg_points_e4", &sn->drgt.points_e4, sn->drgt.on}, {"drg_payments_fen", &sn->drgt.pay_fen, sn->drgt.on},
        {"duplicates_withheld", &wh_n, r05}, {"duplicates_withheld_total_fen", &wh_total, r05},
        {"duplicates_withheld_fund_fen", &wh_fund, r05},
    };
    int ni = (int)(sizeof iv / sizeof iv[0]);
    size_t offs[32];
    _Static_assert(sizeof iv / sizeof iv[0] <= 32, "offs holds every member");
    for (int k = 0; k < ni; k++)
        if (iv[k].on) offs[k] = h5row_add(&sr, iv[k].name, H5T_STD_I64LE, 8);
    size_t o_fs = h5row_add(&sr, "fund_share", H5T_IEEE_F64LE, 8);
    size_t o_ts = 0, o_pv = 0, o_dpv = 0, o_rate = 0;
    if (sn->dipt.on) {
        o_ts = h5row_add(&sr, "total_score", H5T_IEEE_F64LE, 8);
        o_pv = h5row_add(&sr, "point_value", H5T_IEEE_F64LE, 8);
    }
    if (sn->drgt.on) {
        o_dpv = h5row_add(&sr, "drg_point_value", H5T_IEEE_F64LE, 8);
        o_rate = h5row_add(&sr, "drg_rate", H5T_IEEE_F64LE, 8);
    }
    h5row_end(&sr);
    hid_t d = h5w_table(w, "summary", "Settlement summary (one row)", &sr, 1);
    if (d < 0) { h5row_free(&sr); return CM_ERR_OUTPUT; }
    h5_attr_str(d, "units", "*_fen: fen; rejects_*_fen: the amounts of the rejected rows that could be parsed; "
                            "total_score: points; point_value: yuan per point (点值); *_e4: 1e-4 "
                            "points (exact); drg_rate: yuan per RW (费率) = drg_point_value x 100; "
                            "duplicates_withheld*: R05 duplicate claims withheld from payment (重复结算不予支付), "
                            "their count and claimed total cost and fund part, present when R05 was checked");
    unsigned char sb[1024];
    memset(sb, 0, sizeof sb);
    for (int k = 0; k < ni; k++)
        if (iv[k].on) memcpy(sb + offs[k], iv[k].v, 8);
    memcpy(sb + o_fs, &sn->fund_share, 8);
    if (sn->dipt.on) {
        double ts = (double)sn->dipt.points_e4 / SC_SCORE_UNIT;
        memcpy(sb + o_ts, &ts, 8);
        memcpy(sb + o_pv, &sn->dipt.point_value, 8);
    }
    if (sn->drgt.on) {
        double rate = sn->drgt.point_value * 100.0;
        memcpy(sb + o_dpv, &sn->drgt.point_value, 8);
        memcpy(sb + o_rate, &rate, 8);
    }
    int e = h5w_rows(d, &sr, 0, 1, sb);
    H5Dclose(d);
    h5row_free(&sr);
    return e;
}

cm_status settle_write(const cm_period *st, const cm_scenario *sn, const char *output, const char *rejects_csv,
                 const char *t_start, char *err, size_t errlen)
{
    const cm_config *cfg = st->cfg;
    h5w w;
    if (h5w_open(&w, output, H5_KIND_SETTLEMENT, cfg->compression, cfg->deflate_level, cfg->chunk_rows, err, errlen))
        return CM_ERR_OUTPUT;
    w.deflate_lib = cfg->deflate_library;
    /* the rejects as CSV beside the output, renamed into place with it */
    cm_status e = CM_OK;
    if (h5w_side(&w, rejects_csv)) {
        snprintf(err, errlen, "%s: path too long", rejects_csv);
        e = CM_ERR_OUTPUT;
    }
    if (!e) e = rj_write_csv(&st->rej, w.side_tmp, err, errlen);
    if (!e) e = settle_write_tables(st, sn, &w, output, rejects_csv, t_start, err, errlen);
    if (e || g_interrupted) {
        if (!err[0]) snprintf(err, errlen, "%s: writing HDF5 failed (disk full?); nothing was left behind", output);
        h5w_abort(&w);
        return g_interrupted ? CM_ERR_INTERRUPTED : CM_ERR_OUTPUT;
    }
    return h5w_commit(&w, err, errlen) ? CM_ERR_OUTPUT : CM_OK;
}

cm_status settle_write_tables(const cm_period *st, const cm_scenario *sn, h5w *wp, const char *output,
                              const char *rejects_csv, const char *t_start, char *err, size_t errlen)
{
    const cm_config *cfg = st->cfg;
    h5w w = *wp;
    size_t id_width = case_id_width(st);
    cm_status e = write_cases(st, sn, output, &w, id_width, err, errlen);
    if (!e && st->dip) e = write_groups(st, sn, &w);
    if (!e && st->drg) e = write_drgs(st, &w);
    if (!e) e = write_institutions(st, sn, &w);
    if (!e) e = write_rejects(&st->rej, &w, "rejects", "Rejected rows: input line, case id, field and reason");
    if (!e)
        e = write_rejects(&st->qual, &w, "quality",
                          "Data-quality notes (kept cases): input line, case id, field treated as missing, "
                          "reason with the value; the case's flags (bad_date, bad_patient, bad_amount, "
                          "age_mismatch) say the same per family");
    if (!e && st->sup) e = sv_write(st->sup, st, &w, id_width); /* supervision: /flags /rules /rule_names /review_sample */
    if (!e) e = write_summary(st, sn, &w);
    if (!e && sn->ind && ind_write(st, sn->ind, &w)) e = CM_ERR_OUTPUT;
    if (!e) {
        hid_t root = w.loc;
        char t_end[32], buf[CM_PATH_MAX + 64];
        iso_now(t_end, sizeof t_end);
        static const char *const SCH[] = {"dip", "drg", "both"};
        h5_attr_str(root, "program", "casemix " CM_VERSION);
        h5_attr_str(root, "scheme", SCH[cfg->scheme]);
        h5_attr_str(root, "region", cfg->region);
        h5_attr_str(root, "period", cfg->period);
        h5_attr_str(root, "config_file", cfg->path);
        h5_attr_str(root, "config_sha256", cfg->sha256);
        snprintf(buf, sizeof buf, "%s (%llu bytes)", st->input, (unsigned long long)st->input_size);
        h5_attr_str(root, "input_file", buf);
        h5_attr_str(root, "rejects_file", rejects_csv);
        h5_attr_str(root, "input_encoding", st->input_encoding ? st->input_encoding : "UTF-8");
        for (int h = 0; h < cfg->n_history; h++) {
            char an[32];
            snprintf(an, sizeof an, "history_%d", cfg->history[h].year);
            h5_attr_str(root, an, cfg->history[h].file);
        }
        if (st->dip) {
            h5_attr_str(root, "catalogue", cfg->dip_catalogue);
            h5_attr_str(root, "standard_cost", std_cost_name(cfg->standard_cost));
            h5_attr_str(root, "score_source", cfg->score_source == CM_SCORES_HISTORY ? "history (calibrated)"
                                                                                     : "catalogue");
            h5_attr_str(root, "tie_rule", "lowest 序号 (catalogue sequence number)");
        }
        if (st->drg) {
            h5_attr_str(root, "drg_version", gr_drg_version(st->drg));
            h5_attr_str(root, "drg_tables", cfg->drg_dir);
            char src[CM_PATH_MAX + 64];
            if (st->drg_table_rw) snprintf(src, sizeof src, "published table (drg.weights): %s", cfg->drg_weights);
            else snprintf(src, sizeof src, "history: weighted trimmed mean cost of the DRG / that of all grouped "
                                           "cases (1:2:7)");
            h5_attr_str(root, "drg_weights_source", src);
            if (!st->use_hist)
                snprintf(src, sizeof src, "current period: trimmed mean cost of the period's cases of each DRG "
                                          "(no history given)");
            else if (st->drg_ref_period)
                snprintf(src, sizeof src, "history (weighted trimmed mean); the current period's trimmed mean "
                                          "for %zu DRGs without history cases", st->drg_ref_period);
            else
                snprintf(src, sizeof src, "history (weighted trimmed mean, 1:2:7)");
            h5_attr_str(root, "drg_outlier_mean_cost_source", src);
        }
        h5_attr_str(root, "fund_share_source", cfg->fund_share > 0
                                                   ? "budget.fund_share (configuration)"
                                                   : "sum of fund paid / sum of total cost of the period's cases");
        h5_attr_str(root, "trimming", "nearest rank: drop cost < x[ceil(p_low*n)] or > x[ceil(p_high*n)] "
                                      "when n >= trim_min_cases");
        h5_attr_str(root, "payment_rounding", "largest remainder (最大余额法), ties to the lower "
                                              "institution index / earlier line");
        h5_attr_i64(root, "threads", st->nt);
        h5_attr_str(root, "start_time", t_start);
        h5_attr_str(root, "end_time", t_end);
        h5_attr_f64(root, "level1_coefficient", sn->coef[1]);
        h5_attr_f64(root, "level2_coefficient", sn->coef[2]);
        h5_attr_f64(root, "level3_coefficient", sn->coef[3]);
    }
    return e;
}
