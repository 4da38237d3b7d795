/*
 * settle.c - casemix settle: the DIP and/or CHS-DRG settlement of a period.
 *
 * Stages (each timed; see the summary and bench/):
 *   1. load: configuration (already checked), catalogue and/or DRG tables,
 *      history calibration when the settings need it (DIP scores, level
 *      coefficients, standard costs; DRG weights from history or from the
 *      published table of drg.weights), the institution table
 *      (input.institutions) when given;
 *   2. read+group, in parallel over chunks: every row gets a slot; a case
 *      is grouped (gr_dip_assign, gr_drg_assign) and its case id hashed;
 *   3. set checks, parallel or partitioned: institution ids merged into one
 *      sorted list, levels from the institution table (rows of an unknown
 *      institution without a level become rejects), duplicate case ids
 *      become rejects, then one sweep gives
 *      every case its DIP score (RW × level coefficient × outlier factor,
 *      1e-4 points; after the check, whose tables use score_e4), the
 *      special-review cap (highest ratios first, ties by line); then DRG
 *      points per case;
 *   4. partials per fixed slice of 2^20 slots, merged in slice order;
 *   5. pay, per scheme: point value = (budget ÷ fund share) ÷ Σ points;
 *      institution payments by largest remainder over Σ points (Σ = budget
 *      exactly); each institution's payment over its cases the same way;
 *   6. HDF5, one thread, temporary file renamed at the end.
 * Every sum is an integer, so the bytes do not depend on the thread count.
 */
#include "settle.h"
#include "h5out.h"
#include "report.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define SLICE_SHIFT pl_slice_shift() /* 20; smaller under CASEMIX_TEST_SLICE_SHIFT */

/* ------------------------------------------------------------------ */
/* state of one run                                                    */
/* ------------------------------------------------------------------ */

/* One payment scheme's totals (DIP or DRG). */
typedef struct {
    int on;
    int64_t budget_fen;
    int64_t points_e4;       /* Σ case scores / points */
    int64_t pay_fen;         /* Σ institution payments */
    int64_t cases_paid_fen;  /* Σ case payments */
    double point_value;      /* yuan per point */
    int64_t n_outlier[SC_OUT__COUNT];
    int64_t *inst_points;    /* [ninst] */
    int64_t *inst_pay;       /* [ninst] */
} scheme_tot;

typedef struct {
    const cm_config *cfg;
    const char *input, *output;
    gr_dip *dip;
    gr_drg *drg;
    struct col_aliases *al;
    cm_calib cal;
    int use_hist;
    int nt;
    /* DIP tables in use */
    size_t ng;
    int32_t blank;
    double *rw;              /* [g] */
    double *std_fen;         /* [g*4+L] */
    double coef[4];
    /* DRG tables in use */
    size_t nd;
    int drg_table_rw;        /* RW from drg.weights (published), not from history */
    double *drg_ref_fen;     /* [d] mean cost of the DRG for the outlier rules: history,
                                else (published weights) the current period's */
    size_t drg_ref_period;   /* DRGs whose reference mean is the current period's */
    /* institution master table (input.institutions) */
    gr_inst_table mtab;
    int has_mtab;
    const char **inst_name;  /* [ninst] name from the table, "" when not in it */
    size_t n_inst_untabled;  /* institutions with cases that are not in the table */
    char untabled_ids[160];  /* the first of them, for the note */
    /* data */
    pl_slots s;
    pl_inst_table *itab;
    pl_rejects *rejs;        /* [nt + 1] */
    pl_rejects rej;          /* merged, by line */
    pl_rejects *quals;       /* [nt] data-quality notes of kept cases, per thread */
    pl_rejects qual;         /* merged, by line (/quality) */
    pl_inst *inst;
    size_t ninst;
    sc_inst_partial *ip;     /* [ninst] DIP view (cases, costs, buckets, DIP outliers) */
    int64_t *inst_rw_e4;     /* [ninst] Σ DRG RW of DRG-grouped cases, 1e-4 (CMI) */
    int64_t *inst_ndrg;      /* [ninst] DRG-grouped cases */
    int64_t *inst_drg_out;   /* [ninst*3] DRG outlier classes */
    int64_t *inst_ungroup;   /* [ninst] DRG 0000 cases */
    int64_t *drg_pts;        /* [slot] DRG points e4 (scheme both: own array) */
    int64_t *drg_pay;        /* [slot] DRG payment fen (scheme both) */
    /* per group / DRG of the period */
    int64_t *group_n, *group_cost;
    double *group_sumsq;
    int64_t *drg_n, *drg_cost, *drg_los, *drg_los_n;
    double *drg_sumsq;
    /* totals */
    int64_t records, cases, rejects, empty, dups, notes;
    int64_t cost_fen, fund_fen, n_blank, n_special, n_special_over, n_flag[CF__COUNT];
    int64_t n_drg_ok, n_drg_ungroupable, n_drg_check_failed, n_drg_no_rw;
    /* rejected rows' money as parsed (a row rejected before or at an
     * amount has 0 there: slot_init zeroes it, parse_money too on error) */
    int64_t rej_cost_fen, rej_fund_fen, rej_no_cost;
    char rejects_csv[CM_PATH_MAX + 32];
    double fund_share;
    scheme_tot dipt, drgt;
    double t_load, t_read, t_checks, t_pay, t_write;
    uint64_t input_size;
    const char *input_encoding;  /* the reader's: "UTF-8" or "GB18030" (decoded) */
    char t_start[32];
} settle_run;

static int has_dip(const settle_run *st) { return st->dip != NULL; }
static int has_drg(const settle_run *st) { return st->drg != NULL; }

/* cost / standard cost, or -1 when the group has no standard cost. The
 * same expression everywhere, so a recomputed ratio is bit-identical. */
static inline double case_ratio(const double *std_fen, const cm_case *c)
{
    double std = std_fen[(size_t)c->group * 4 + c->level];
    return std > 0 ? (double)c->total_fen / std : -1.0;
}

/* DRG points (1e-4) of a case: RW × 100 × level coefficient × outlier factor. */
static int64_t drg_points(const settle_run *st, cm_case *c)
{
    if (c->drg < 0) return 0;
    double rw = st->cal.drg_rw[c->drg], mean = st->drg_ref_fen[c->drg];
    if (rw <= 0 || mean <= 0) return 0;
    double f = 1;
    c->drg_outlier = (uint8_t)sc_drg_outlier_classify((double)c->total_fen / mean, rw,
                                                      &st->cfg->drg_outliers, &f);
    return sc_score_e4(rw * 100.0, st->coef[c->level], f);
}

static void settle_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    settle_run *st = vctx;
    if (c->status == SLOT_EMPTY) return;
    if (c->status == SLOT_REJECT) {
        pl_reject_add(&st->rejs[tid], c->line, rd_row_id(p, c), p->rj_field, p->rj_reason);
        return;
    }
    if (__builtin_expect(p->nnotes, 0)) pl_notes_add(&st->quals[tid], p, c);
    c->id_hash = pl_id_hash(rd_row_id(p, c)); /* for the duplicate check, while the id is in cache */
    int32_t li = pl_inst_get(&st->itab[tid], p->inst_id, c->line, c->level);
    c->inst = ((uint32_t)tid << 24) | (uint32_t)li;
    pl_group_case(st->dip, st->drg, &p->gc, c);
}

/* The DIP outlier class, flags and score of a grouped case: cost ratio to
 * the standard cost, outlier rule, score. Run after the duplicate check
 * (its tables live in score_e4), in st_checks' sweep. */
static void case_score(const settle_run *st, cm_case *c, double *ratio_out)
{
    const cm_config *cfg = st->cfg;
    double ratio = case_ratio(st->std_fen, c), factor = 1;
    if (ratio < 0) c->flags |= CF_NO_STD_COST;
    c->outlier = SC_OUT_NORMAL;
    if (c->group == st->blank) {
        /* blank group (KBBZ): blank_factor × cost/standard × score */
        factor = cfg->blank_factor * (ratio >= 0 ? ratio : 1.0);
    } else if (ratio >= 0) {
        c->outlier = (uint8_t)sc_outlier_classify(ratio, &cfg->outliers, &factor);
        if (ratio > cfg->outliers.special) c->flags |= CF_SPECIAL_OVER;
    }
    c->score_e4 = sc_score_e4(st->rw[c->group], st->coef[c->level], factor);
    *ratio_out = ratio;
}

static void on_dup(void *vctx, int tid, cm_case *dup, const cm_case *first, const char *case_id)
{
    pl_rejects *rej = vctx;
    char why[104], id[40];
    size_t k = strlen(case_id);
    if (k > 32) { /* the id is whole in the case_id member; the reason names it, cut at a character */
        k = 32;
        while (k > 0 && ((unsigned char)case_id[k] & 0xC0) == 0x80) k--;
    }
    snprintf(id, sizeof id, "%.*s%s", (int)k, case_id, case_id[k] ? "..." : "");
    snprintf(why, sizeof why, "duplicate case id '%s': first seen on line %u; this row is not paid", id,
             first->line);
    pl_reject_add(&rej[tid], dup->line, case_id, "case_id", why);
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

int load_tables(const cm_config *cfg, int want_dip, int want_drg, gr_dip **dip, gr_drg **drg,
                struct col_aliases **al, char *err, size_t errlen)
{
    gr_error ge;
    memset(&ge, 0, sizeof ge);
    *dip = NULL;
    *drg = NULL;
    if (al) *al = NULL;
    gr_status s = GR_OK;
    if (want_dip) s = gr_dip_load(&cfg->dip, dip, &ge);
    if (s == GR_OK && want_drg) s = gr_drg_load(&cfg->drg, drg, &ge);
    if (s == GR_OK) {
        if (!al || !cfg->input_aliases[0] || (*al = col_aliases_load(cfg->input_aliases, err, errlen)))
            return 0;
    } else if (ge.line > 0) {
        snprintf(err, errlen, "%s:%ld: %s%s%s", ge.file, ge.line, ge.field, ge.field[0] ? ": " : "", ge.msg);
    } else {
        snprintf(err, errlen, "%s: %s", ge.file, ge.msg);
    }
    gr_dip_free(*dip);
    gr_drg_free(*drg);
    *dip = NULL;
    *drg = NULL;
    return -1;
}

/* ------------------------------------------------------------------ */
/* stage 1: load                                                       */
/* ------------------------------------------------------------------ */

static int st_load(settle_run *st, char *err, size_t errlen)
{
    const cm_config *cfg = st->cfg;
    int want_dip = cfg->scheme != CM_SCHEME_DRG, want_drg = cfg->scheme != CM_SCHEME_DIP;
    if (want_dip && cfg->fund_budget_fen <= 0) {
        snprintf(err, errlen, "%s: budget.fund_budget must be set and > 0 to settle DIP (yuan, e.g. "
                              "\"120000000.00\")", cfg->path);
        return CM_EXIT_CONFIG;
    }
    if (want_drg && cfg->drg_budget_fen <= 0 && cfg->fund_budget_fen <= 0) {
        snprintf(err, errlen, "%s: budget.drg_budget (or budget.fund_budget) must be set and > 0 to "
                              "settle DRG", cfg->path);
        return CM_EXIT_CONFIG;
    }
    if (want_drg && cfg->n_history == 0 && !cfg->drg_weights[0]) {
        snprintf(err, errlen, "%s: DRG weights (RW) come from history or from a published table: add a "
                              "history list (1 to 3 years of discharge files), or name the published weights table in drg.weights "
                              "(drg = { weights = \"drg_weights.csv\"; }; columns drg, rw), or use "
                              "scheme = \"dip\"", cfg->path);
        return CM_EXIT_CONFIG;
    }
    st->use_hist = cfg->n_history > 0 &&
                   (want_drg || cfg->score_source == CM_SCORES_HISTORY || cfg->coef_mode == CM_COEF_HISTORY ||
                    cfg->standard_cost != CM_STD_GROUP_MEAN_X_COEF);
    if (want_dip && !st->use_hist &&
        (cfg->score_source == CM_SCORES_HISTORY || cfg->coef_mode == CM_COEF_HISTORY ||
         cfg->standard_cost == CM_STD_LEVEL_MEAN)) {
        snprintf(err, errlen, "%s: scores.source = \"history\", coefficients.mode = \"history\" and "
                              "outliers.standard_cost = \"level_mean\" need history files; add a history "
                              "list (1 to 3 years)", cfg->path);
        return CM_EXIT_CONFIG;
    }
    if (load_tables(cfg, want_dip, want_drg, &st->dip, &st->drg, &st->al, err, errlen)) return CM_EXIT_CONFIG;
    if (cfg->input_institutions[0]) {
        gr_error ge;
        memset(&ge, 0, sizeof ge);
        if (gr_inst_load(cfg->input_institutions, &st->mtab, &ge) != GR_OK) {
            if (ge.line > 0)
                snprintf(err, errlen, "%s:%ld: %s%s%s", ge.file, ge.line, ge.field, ge.field[0] ? ": " : "", ge.msg);
            else
                snprintf(err, errlen, "%s: %s (input.institutions)", ge.file, ge.msg);
            return CM_EXIT_CONFIG;
        }
        st->has_mtab = 1;
    }
    if (st->use_hist) {
        int rc = calib_run(cfg, st->dip, st->drg, st->al, &st->cal, err, errlen);
        if (rc) return rc == -2 ? CM_EXIT_INTERRUPTED : CM_EXIT_INPUT;
    }
    st->coef[0] = 1;
    for (int L = 1; L <= 3; L++)
        st->coef[L] = cfg->coef_mode == CM_COEF_HISTORY ? st->cal.coef[L] : cfg->level_coef[L];
    st->nd = st->drg ? gr_drg_ndrg(st->drg) : 0;
    if (st->drg) {
        cm_calib *cal = &st->cal;
        if (!st->use_hist) {
            /* no history: the DRG arrays of the calibration stay zero but for RW */
            cal->ndrg = st->nd;
            cal->drg_n = calloc(st->nd + 1, sizeof *cal->drg_n);
            cal->drg_mean_fen = calloc(st->nd + 1, sizeof *cal->drg_mean_fen);
            cal->drg_cv = calloc(st->nd + 1, sizeof *cal->drg_cv);
            cal->drg_rw = calloc(st->nd + 1, sizeof *cal->drg_rw);
        }
        st->drg_ref_fen = calloc(st->nd + 1, sizeof *st->drg_ref_fen);
        if (!cal->drg_n || !cal->drg_mean_fen || !cal->drg_cv || !cal->drg_rw || !st->drg_ref_fen) {
            snprintf(err, errlen, "out of memory");
            return CM_EXIT_INTERNAL;
        }
        if (cfg->drg_weights[0]) {
            gr_error ge;
            memset(&ge, 0, sizeof ge);
            if (gr_drg_load_weights(st->drg, cfg->drg_weights, cal->drg_rw, &ge) != GR_OK) {
                if (ge.line > 0)
                    snprintf(err, errlen, "%s:%ld: %s%s%s", ge.file, ge.line, ge.field, ge.field[0] ? ": " : "", ge.msg);
                else
                    snprintf(err, errlen, "%s: %s (drg.weights)", ge.file, ge.msg);
                return CM_EXIT_CONFIG;
            }
            st->drg_table_rw = 1;
        }
        memcpy(st->drg_ref_fen, cal->drg_mean_fen, st->nd * sizeof *st->drg_ref_fen);
    }
    if (!st->dip) return 0;

    const gr_dip *dip = st->dip;
    st->ng = gr_dip_ngroups(dip);
    st->blank = gr_dip_blank(dip);
    st->rw = malloc(st->ng * sizeof *st->rw);
    st->std_fen = calloc(st->ng * 4, sizeof *st->std_fen);
    if (!st->rw || !st->std_fen) { snprintf(err, errlen, "out of memory"); return CM_EXIT_INTERNAL; }
    /* budget point value in yuan per point, for standard cost (c) */
    double region_mean = 0;
    for (size_t g = 0; g < st->ng && region_mean <= 0; g++) {
        double v = gr_dip_group_at(dip, g)->stat_region_mean;
        if (v > 0) region_mean = v;
    }
    double scale = cfg->calib.scale == SC_SCALE_UNIT ? 1.0 : cfg->calib.scale_factor;
    double budget_pv = st->use_hist ? st->cal.budget_pv : region_mean > 0 ? region_mean / scale : 0;
    for (size_t g = 0; g < st->ng; g++) {
        const gr_dip_group *G = gr_dip_group_at(dip, g);
        st->rw[g] = cfg->score_source == CM_SCORES_HISTORY ? st->cal.rw[g] : G->score;
        double mean_fen = st->use_hist && st->cal.has[g] ? st->cal.mean_fen[g]
                          : G->stat_mean_fee > 0 ? G->stat_mean_fee * 100.0 : 0;
        for (int L = 1; L <= 3; L++) {
            double v = 0;
            switch (cfg->standard_cost) {
            case CM_STD_GROUP_MEAN_X_COEF: v = mean_fen * st->coef[L]; break;
            case CM_STD_LEVEL_MEAN:
                v = st->cal.level_mean_fen[g * 4 + (size_t)L];
                if (v <= 0) v = mean_fen * st->coef[L]; /* no same-level history: fall back to (b) */
                break;
            case CM_STD_SCORE_X_POINT: v = st->rw[g] * budget_pv * 100.0 * st->coef[L]; break;
            }
            st->std_fen[g * 4 + (size_t)L] = v;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* stage 3: set checks                                                 */
/* ------------------------------------------------------------------ */

/* The institution master table (input.institutions), after the merge of
 * the institution lists and before the duplicate check:
 * - an institution in the table: every case takes the table's level; a row
 *   whose own level differs keeps the table's and is flagged
 *   CF_LEVEL_MISMATCH;
 * - an institution not in the table: each row keeps its own level (the
 *   institution's is that of its earliest row with a level, and a note
 *   names it); a row without a level is rejected (the run needs a level
 *   for the coefficient), as a duplicate case id is: its slot becomes a
 *   reject, so read = cases + rejects still holds.
 * Every case's institution is resolved through remap (as the sweep below
 * does), so the result does not depend on the thread count. */
static int apply_inst_table(settle_run *st, uint32_t *const *remap, char *err, size_t errlen)
{
    size_t ninst = st->ninst;
    int nt = st->nt;
    pl_inst *inst = st->inst;
    uint8_t *tlev = calloc(ninst + 1, 1);
    st->inst_name = calloc(ninst + 1, sizeof *st->inst_name);
    uint64_t *first = malloc(((size_t)nt * ninst + 1) * sizeof *first); /* line << 8 | level */
    pl_rejects *rj = calloc((size_t)nt, sizeof *rj);
    if (!tlev || !st->inst_name || !first || !rj) {
        free(tlev); free(first); free(rj);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t k = 0; k < ninst; k++) {
        const gr_inst *m = gr_inst_find(&st->mtab, inst[k].id);
        tlev[k] = m ? m->level : 0;
        st->inst_name[k] = m ? m->name : "";
    }
    for (size_t k = 0; k < (size_t)nt * ninst; k++) first[k] = UINT64_MAX;
    cm_case *sl = st->s.slots;
    size_t n = st->s.n;
    int oom = 0;
#pragma omp parallel reduction(+ : oom)
    {
        int tid = pl_thread_id();
        uint64_t *fi = first + (size_t)tid * ninst;
#pragma omp for schedule(static)
        for (long i = 0; i < (long)n; i++) {
            cm_case *c = &sl[i];
            if (c->status != SLOT_CASE) continue;
            uint32_t g = remap[c->inst >> 24][c->inst & 0xFFFFFF];
            if (tlev[g]) {
                if (c->level && c->level != tlev[g]) c->flags |= CF_LEVEL_MISMATCH;
                c->level = tlev[g];
            } else if (c->level) {
                uint64_t key = (uint64_t)c->line << 8 | c->level;
                if (key < fi[g]) fi[g] = key;
            } else {
                char why[104];
                snprintf(why, sizeof why, "institution %.31s is not in the institution table "
                                          "(input.institutions) and the row has no level", inst[g].id);
                if (pl_reject_add(&rj[tid], c->line, c->case_id, "institution_level", why)) oom++;
                c->status = SLOT_REJECT;
                c->id_hash = 0; /* out of the duplicate check, as a parse reject */
            }
        }
    }
    for (size_t k = 0; k < ninst; k++) {
        if (tlev[k]) { inst[k].level = tlev[k]; continue; }
        uint64_t best = UINT64_MAX;
        for (int t = 0; t < nt; t++)
            if (first[(size_t)t * ninst + k] < best) best = first[(size_t)t * ninst + k];
        inst[k].level = best == UINT64_MAX ? 0 : (uint8_t)(best & 0xFF);
        if (best == UINT64_MAX) continue;   /* every row rejected: no case */
        size_t used = strlen(st->untabled_ids);
        if (st->n_inst_untabled < 5)
            snprintf(st->untabled_ids + used, sizeof st->untabled_ids - used, "%s%s",
                     st->n_inst_untabled ? ", " : "", inst[k].id);
        st->n_inst_untabled++;
    }
    for (int t = 0; t < nt; t++) {
        for (size_t k = 0; k < rj[t].n; k++)
            if (pl_reject_add(&st->rejs[nt], rj[t].e[k].line, rj[t].e[k].case_id, rj[t].e[k].field,
                              rj[t].e[k].reason)) oom++;
        pl_rejects_free(&rj[t]);
    }
    free(rj);
    free(first);
    free(tlev);
    if (oom) { snprintf(err, errlen, "out of memory"); return -1; }
    return 0;
}

static int st_checks(settle_run *st, char *err, size_t errlen)
{
    const cm_config *cfg = st->cfg;
    pl_slots *s = &st->s;
    int nt = st->nt;
    uint32_t *remap[CM_MAX_THREADS];
    if (pl_inst_merge(st->itab, nt, &st->inst, &st->ninst, remap)) {
        snprintf(err, errlen, "out of memory");
        return CM_EXIT_INTERNAL;
    }
    pl_inst *inst = st->inst;
    cm_case *sl = s->slots;
    if (st->has_mtab && apply_inst_table(st, remap, err, errlen)) {
        for (int t = 0; t < nt; t++) free(remap[t]);
        return CM_EXIT_INTERNAL;
    }
    pl_rejects *drej = calloc((size_t)nt, sizeof *drej);
    size_t nd = drej ? pl_find_duplicates(s, on_dup, drej) : (size_t)-1;
    if (nd == (size_t)-1) {
        free(drej);
        for (int t = 0; t < nt; t++) free(remap[t]);
        snprintf(err, errlen, "out of memory while checking case ids");
        return CM_EXIT_INTERNAL;
    }
    st->dups = (int64_t)nd;
    for (int t = 0; t < nt; t++) {
        for (size_t k = 0; k < drej[t].n; k++)
            pl_reject_add(&st->rejs[nt], drej[t].e[k].line, drej[t].e[k].case_id, drej[t].e[k].field,
                          drej[t].e[k].reason);
        pl_rejects_free(&drej[t]);
    }
    free(drej);
    pl_rejects_merge(st->rejs, nt + 1, &st->rej);
    /* the notes of the kept cases only (a duplicate's row is a reject) */
    pl_rejects_merge(st->quals, nt, &st->qual);
    {
        size_t k = 0, r = 0;
        for (size_t q = 0; q < st->qual.n; q++) {
            while (r < st->rej.n && st->rej.e[r].line < st->qual.e[q].line) r++;
            if (r < st->rej.n && st->rej.e[r].line == st->qual.e[q].line) continue;
            st->qual.e[k++] = st->qual.e[q];
        }
        st->qual.n = k;
        st->notes = (int64_t)k;
    }
    /* one parallel sweep: counts, and the special-review candidates (few;
     * per-thread lists, put in a total order by the sort below) */
    int64_t n_empty = 0, n_rec = 0, n_case = 0, rj_cost = 0, rj_fund = 0, rj_none = 0;
    struct { special_cand *v; size_t n, cap; } *cand = calloc((size_t)nt, sizeof *cand);
    int oom = !cand;
#pragma omp parallel reduction(+ : n_empty, n_rec, n_case, oom, rj_cost, rj_fund, rj_none)
    {
        int tid = pl_thread_id();
#pragma omp for schedule(static)
        for (long i = 0; i < (long)s->n; i++) {
            cm_case *c = &sl[i];
            c->pay_fen = 0; /* was id_hash */
            n_empty += c->status == SLOT_EMPTY;
            n_rec += c->status != SLOT_EMPTY;
            if (c->status == SLOT_REJECT) {
                /* an amount outside what parse_money accepts is not one */
                int ok_t = c->total_fen > 0 && c->total_fen <= (int64_t)100000000000LL;
                int ok_f = c->fund_fen > 0 && c->fund_fen <= (int64_t)100000000000LL;
                rj_cost += ok_t ? c->total_fen : 0;
                rj_fund += ok_f ? c->fund_fen : 0;
                rj_none += !ok_t;
            }
            if (c->status != SLOT_CASE) continue;
            n_case++;
            c->inst = remap[c->inst >> 24][c->inst & 0xFFFFFF]; /* thread-local index -> sorted list */
            if (c->level != inst[c->inst].level) c->flags |= CF_LEVEL_MISMATCH;
            if (!st->dip) continue;
            double ratio;
            case_score(st, c, &ratio);
            if (!(c->flags & CF_SPECIAL_OVER) || !cand) continue;
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
    for (int t = 0; t < nt; t++) free(remap[t]);
    st->empty = n_empty;
    st->rej_cost_fen = rj_cost;
    st->rej_fund_fen = rj_fund;
    st->rej_no_cost = rj_none;
    st->records = n_rec;
    st->cases = n_case;
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
    if (oom) { free(sc); snprintf(err, errlen, "out of memory"); return CM_EXIT_INTERNAL; }
    st->rejects = (int64_t)st->rej.n;
    if (st->cases == 0) {
        snprintf(err, errlen, "%s: no case to settle (%lld rows read, %lld rejected); fix the input "
                              "(casemix group --scheme dip ... lists every row with its reason)",
                 st->input, (long long)st->records, (long long)st->rejects);
        free(sc);
        return CM_EXIT_INPUT;
    }
    if (st->dip) {
        /* special review (特例单议): highest ratios above the threshold, capped */
        qsort(sc, nc, sizeof *sc, cmp_special);
        size_t cap = (size_t)floor(cfg->outliers.special_cap * (double)st->cases);
        for (size_t j = 0; j < nc && j < cap; j++) {
            cm_case *c = &s->slots[sc[j].slot];
            c->flags = (uint16_t)((c->flags & ~CF_SPECIAL_OVER) | CF_SPECIAL);
            if (cfg->outliers.special_pay_k > 0)
                c->score_e4 = sc_score_e4(st->rw[c->group], st->coef[c->level], cfg->outliers.special_pay_k);
        }
    }
    free(sc);
    if (st->drg && st->drg_table_rw) {
        /* published weights: a DRG without history cases (all of them when
         * there is no history) takes the trimmed mean cost of this period's
         * cases as the reference of its outlier thresholds */
        double *pm = malloc((st->nd + 1) * sizeof *pm);
        if (!pm || calib_period_drg_means(s, st->nd, &cfg->calib, pm)) {
            free(pm);
            snprintf(err, errlen, "out of memory");
            return CM_EXIT_INTERNAL;
        }
        for (size_t d = 0; d < st->nd; d++)
            if (!(st->drg_ref_fen[d] > 0) && pm[d] > 0) {
                st->drg_ref_fen[d] = pm[d];
                st->drg_ref_period++;
            }
        free(pm);
    }
    if (st->drg) {
        /* DRG points: in the slot when DRG is the only scheme, else beside it */
        if (st->dip) {
            st->drg_pts = calloc(s->n ? s->n : 1, sizeof *st->drg_pts);
            st->drg_pay = calloc(s->n ? s->n : 1, sizeof *st->drg_pay);
            if (!st->drg_pts || !st->drg_pay) { snprintf(err, errlen, "out of memory"); return CM_EXIT_INTERNAL; }
        }
        int64_t *pts = st->drg_pts;
#pragma omp parallel for schedule(static)
        for (long i = 0; i < (long)s->n; i++) {
            cm_case *c = &sl[i];
            if (c->status != SLOT_CASE) continue;
            int64_t p = drg_points(st, c);
            if (pts) pts[i] = p;
            else c->score_e4 = p;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* stages 4-5: partials and payment                                    */
/* ------------------------------------------------------------------ */

static inline int64_t drg_pts_of(const settle_run *st, size_t i)
{
    return st->drg_pts ? st->drg_pts[i] : st->s.slots[i].score_e4;
}

/* Shares a scheme's budget over institutions by points, then each
 * institution's payment over its cases; writes case payments into
 * the slot's pay_fen, or st->drg_pay for DRG under scheme "both". */
static int pay_scheme(settle_run *st, scheme_tot *T, int drg_scheme, const size_t *start, char *err,
                      size_t errlen)
{
    size_t ninst = st->ninst;
    int64_t *scratch = malloc((ninst ? ninst : 1) * sizeof *scratch);
    T->inst_pay = calloc(ninst ? ninst : 1, sizeof *T->inst_pay);
    if (!scratch || !T->inst_pay) { free(scratch); snprintf(err, errlen, "out of memory"); return CM_EXIT_INTERNAL; }
    for (size_t k = 0; k < ninst; k++) T->points_e4 += T->inst_points[k];
    T->point_value = st->cfg->fund_share > 0
                         ? sc_point_value_share(T->budget_fen, st->cfg->fund_share, T->points_e4)
                         : sc_point_value(T->budget_fen, st->fund_fen, st->cost_fen, T->points_e4);
    sc_status ps = sc_apportion(T->budget_fen, T->inst_points, ninst, T->inst_pay, scratch);
    free(scratch);
    if (ps != SC_OK) {
        snprintf(err, errlen, "%s: the total %s is zero; nothing to share the budget over", st->input,
                 drg_scheme ? "of DRG points" : "score");
        return CM_EXIT_INPUT;
    }
    cm_case *sl = st->s.slots;
    int64_t *drg_pay = st->drg_pay;
    const int64_t *ipay = T->inst_pay;
    int bad = 0;
    int64_t paid = 0;
#pragma omp parallel reduction(+ : bad, paid)
    {
        size_t wcap = 0;
        int64_t *wv = NULL, *ov = NULL, *sv = NULL;
#pragma omp for schedule(dynamic, 1)
        for (long k = 0; k < (long)ninst; k++) {
            size_t n = start[k + 1] - start[k];
            if (n > wcap) {
                free(wv); free(ov); free(sv);
                wv = malloc(n * sizeof *wv);
                ov = malloc(n * sizeof *ov);
                sv = malloc(n * sizeof *sv);
                wcap = wv && ov && sv ? n : 0;
                if (!wcap) { bad++; continue; }
            }
            for (size_t j = 0; j < n; j++) {
                size_t i = sl[start[k] + j].order_at;
                wv[j] = drg_scheme ? drg_pts_of(st, i) : sl[i].score_e4;
            }
            if (sc_apportion(ipay[k], wv, n, ov, sv) != SC_OK)
                for (size_t j = 0; j < n; j++) ov[j] = 0;
            for (size_t j = 0; j < n; j++) {
                size_t i = sl[start[k] + j].order_at;
                if (drg_scheme && drg_pay) drg_pay[i] = ov[j];
                else sl[i].pay_fen = ov[j];
                paid += ov[j];
            }
        }
        free(wv); free(ov); free(sv);
    }
    if (bad) { snprintf(err, errlen, "out of memory"); return CM_EXIT_INTERNAL; }
    for (size_t k = 0; k < ninst; k++) T->pay_fen += T->inst_pay[k];
    T->cases_paid_fen = paid; /* integer sum: the same in any order */
    return 0;
}

static int st_pay(settle_run *st, char *err, size_t errlen)
{
    const pl_slots *s = &st->s;
    size_t ninst = st->ninst, ng = st->ng, nd = st->nd;
    size_t nslice = (s->n >> SLICE_SHIFT) + 1;
    /* per-slice partials: institutions, groups, DRGs, flags */
    typedef struct {
        int64_t drg_pts, rw_e4, ndrg, drg_out[3], ungroup;
    } inst_drg_part;
    sc_inst_partial *part = calloc(nslice * ninst, sizeof *part);
    inst_drg_part *dpart = calloc(nslice * ninst, sizeof *dpart);
    int64_t *gpart = calloc(nslice * ng * 2 + 1, sizeof *gpart);
    double *gq = calloc(nslice * ng + 1, sizeof *gq);
    int64_t *dp = calloc(nslice * nd * 4 + 1, sizeof *dp);
    double *dq = calloc(nslice * nd + 1, sizeof *dq);
    int64_t (*fpart)[CF__COUNT] = calloc(nslice, sizeof *fpart);
    st->ip = calloc(ninst ? ninst : 1, sizeof *st->ip);
    st->dipt.inst_points = calloc(ninst ? ninst : 1, sizeof(int64_t));
    st->drgt.inst_points = calloc(ninst ? ninst : 1, sizeof(int64_t));
    st->inst_rw_e4 = calloc(ninst ? ninst : 1, sizeof(int64_t));
    st->inst_ndrg = calloc(ninst ? ninst : 1, sizeof(int64_t));
    st->inst_drg_out = calloc(ninst * 3 + 1, sizeof(int64_t));
    st->inst_ungroup = calloc(ninst ? ninst : 1, sizeof(int64_t));
    st->group_n = calloc(ng + 1, sizeof(int64_t));
    st->group_cost = calloc(ng + 1, sizeof(int64_t));
    st->group_sumsq = calloc(ng + 1, sizeof(double));
    st->drg_n = calloc(nd + 1, sizeof(int64_t));
    st->drg_cost = calloc(nd + 1, sizeof(int64_t));
    st->drg_los = calloc(nd + 1, sizeof(int64_t));
    st->drg_los_n = calloc(nd + 1, sizeof(int64_t));
    st->drg_sumsq = calloc(nd + 1, sizeof(double));
    int rc = CM_EXIT_INTERNAL;
    if (!part || !dpart || !gpart || !gq || !dp || !dq || !fpart || !st->ip || !st->dipt.inst_points ||
        !st->drgt.inst_points || !st->inst_rw_e4 || !st->inst_ndrg || !st->inst_drg_out ||
        !st->inst_ungroup || !st->group_n || !st->group_cost || !st->group_sumsq || !st->drg_n ||
        !st->drg_cost || !st->drg_los || !st->drg_los_n || !st->drg_sumsq) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    const double *drg_rw = st->cal.drg_rw;
    int dip_on = has_dip(st), drg_on = has_drg(st);
#pragma omp parallel for schedule(dynamic, 1)
    for (long sl = 0; sl < (long)nslice; sl++) {
        size_t a = (size_t)sl << SLICE_SHIFT, b = a + ((size_t)1 << SLICE_SHIFT);
        if (b > s->n) b = s->n;
        sc_inst_partial *P = part + (size_t)sl * ninst;
        inst_drg_part *D = dpart + (size_t)sl * ninst;
        int64_t fhist[1u << CF__LOW] = {0}; /* cases by combination of the low flags */
        for (size_t i = a; i < b; i++) {
            const cm_case *c = &s->slots[i];
            if (c->status != SLOT_CASE) continue;
            sc_inst_partial *p = &P[c->inst];
            p->n_cases++;
            p->cost_fen += c->total_fen;
            p->fund_fen += c->fund_fen;
            if (__builtin_expect(c->flags & CF_BIG_BUCKETS, 0)) {
                int64_t bk[SC_BUCKET__COUNT];
                pl_case_buckets(s, i, bk);
                for (int q = 0; q < SC_BUCKET__COUNT; q++) p->bucket_fen[q] += bk[q];
            } else {
                for (int q = 0; q < SC_BUCKET__COUNT; q++) p->bucket_fen[q] += c->bucket_fen[q];
            }
            fhist[c->flags & ((1u << CF__LOW) - 1)]++; /* per-bit counts after the loop */
            if (__builtin_expect(c->flags >> CF__LOW, 0))
                for (unsigned f = CF__LOW; f < CF__COUNT; f++) fpart[sl][f] += (c->flags >> f) & 1;
            if (dip_on) {
                p->score_e4 += c->score_e4;
                p->n_outlier[c->outlier]++;
                p->n_special += (c->flags & CF_SPECIAL) != 0;
                p->n_blank += c->group == st->blank;
                size_t gi = (size_t)sl * ng + (size_t)c->group;
                gpart[gi * 2]++;
                gpart[gi * 2 + 1] += c->total_fen;
                gq[gi] += (double)c->total_fen * (double)c->total_fen;
            }
            if (drg_on) {
                inst_drg_part *d = &D[c->inst];
                if (c->drg < 0) { d->ungroup++; continue; }
                d->drg_pts += drg_pts_of(st, i);
                d->rw_e4 += llround(drg_rw[c->drg] * 1e4);
                d->ndrg++;
                d->drg_out[c->drg_outlier]++;
                size_t di = (size_t)sl * nd + (size_t)c->drg;
                dp[di * 4]++;
                dp[di * 4 + 1] += c->total_fen;
                if (c->los_days != 65535) { dp[di * 4 + 2] += c->los_days; dp[di * 4 + 3]++; }
                dq[di] += (double)c->total_fen * (double)c->total_fen;
            }
        }
        for (unsigned v = 0; v < (1u << CF__LOW); v++)
            if (fhist[v])
                for (unsigned f = 0; f < CF__LOW; f++) fpart[sl][f] += ((v >> f) & 1) * fhist[v];
    }
    for (size_t sl = 0; sl < nslice; sl++) {
        for (size_t k = 0; k < ninst; k++) {
            sc_inst_merge(&st->ip[k], &part[sl * ninst + k]);
            const inst_drg_part *d = &dpart[sl * ninst + k];
            st->drgt.inst_points[k] += d->drg_pts;
            st->inst_rw_e4[k] += d->rw_e4;
            st->inst_ndrg[k] += d->ndrg;
            st->inst_ungroup[k] += d->ungroup;
            for (int q = 0; q < 3; q++) st->inst_drg_out[k * 3 + (size_t)q] += d->drg_out[q];
        }
        for (size_t g = 0; g < ng; g++) {
            st->group_n[g] += gpart[(sl * ng + g) * 2];
            st->group_cost[g] += gpart[(sl * ng + g) * 2 + 1];
            st->group_sumsq[g] += gq[sl * ng + g];
        }
        for (size_t d = 0; d < nd; d++) {
            st->drg_n[d] += dp[(sl * nd + d) * 4];
            st->drg_cost[d] += dp[(sl * nd + d) * 4 + 1];
            st->drg_los[d] += dp[(sl * nd + d) * 4 + 2];
            st->drg_los_n[d] += dp[(sl * nd + d) * 4 + 3];
            st->drg_sumsq[d] += dq[sl * nd + d];
        }
        for (unsigned f = 0; f < CF__COUNT; f++) st->n_flag[f] += fpart[sl][f];
    }
    for (size_t k = 0; k < ninst; k++) {
        const sc_inst_partial *P = &st->ip[k];
        st->cost_fen += P->cost_fen;
        st->fund_fen += P->fund_fen;
        st->n_blank += P->n_blank;
        st->n_special += P->n_special;
        for (int q = 0; q < SC_OUT__COUNT; q++) st->dipt.n_outlier[q] += P->n_outlier[q];
        st->dipt.inst_points[k] = P->score_e4;
        for (int q = 0; q < 3; q++) st->drgt.n_outlier[q] += st->inst_drg_out[k * 3 + (size_t)q];
        st->n_drg_ungroupable += st->inst_ungroup[k];
        st->n_drg_ok += st->inst_ndrg[k];
    }
    st->n_special_over = st->n_flag[5];
    st->fund_share = st->cfg->fund_share > 0 ? st->cfg->fund_share : sc_fund_share(st->fund_fen, st->cost_fen);
    if (!(st->fund_share > 0)) {
        /* point value = (budget ÷ fund share) ÷ Σ points: with a share of 0
         * there is none, and paying the budget out would hide the fault.
         * The same share serves DIP and DRG, so this covers both schemes. */
        snprintf(err, errlen,
                 "%s: the fund share is 0: Σ fund paid = %.2f yuan over %lld cases (Σ total cost %.2f yuan): "
                 "the export's 统筹基金支付 (fund_paid) column is empty or zero, so no point value can be "
                 "computed; fill that column, or set budget.fund_share, the share of the fund in the "
                 "total cost, in the configuration (budget = { fund_share = 0.65; };)",
                 st->input, (double)st->fund_fen / 100.0, (long long)st->cases, (double)st->cost_fen / 100.0);
        rc = CM_EXIT_INPUT;
        goto out;
    }

    /* cases of each institution, in slot order */
    {
        /* from the per-slice counts: where each slice's cases of each
         * institution go, then every slice fills its part in parallel */
        /* the order is kept in the slots' dead bucket fields (order_at):
         * a 4-byte-a-case array here was the run's peak of memory */
        size_t *start = calloc(ninst + 1, sizeof *start), *pos = malloc((nslice * ninst + 1) * sizeof *pos);
        if (!start || !pos) {
            free(start); free(pos);
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        cm_case *osl = s->slots;
        st->s.buckets_gone = 1;
        for (size_t k = 0; k < ninst; k++) {
            size_t at = start[k];
            for (size_t sl = 0; sl < nslice; sl++) {
                pos[sl * ninst + k] = at;
                at += (size_t)part[sl * ninst + k].n_cases;
            }
            start[k + 1] = at;
        }
#pragma omp parallel for schedule(dynamic, 1)
        for (long sl = 0; sl < (long)nslice; sl++) {
            size_t a = (size_t)sl << SLICE_SHIFT, b = a + ((size_t)1 << SLICE_SHIFT);
            if (b > s->n) b = s->n;
            size_t *P = pos + (size_t)sl * ninst;
            for (size_t i = a; i < b; i++)
                if (osl[i].status == SLOT_CASE) osl[P[osl[i].inst]++].order_at = (uint32_t)i;
        }
        free(pos);
        int e = 0;
        if (dip_on) {
            st->dipt.on = 1;
            st->dipt.budget_fen = st->cfg->fund_budget_fen;
            e = pay_scheme(st, &st->dipt, 0, start, err, errlen);
        }
        if (!e && drg_on) {
            st->drgt.on = 1;
            st->drgt.budget_fen = st->cfg->drg_budget_fen > 0 ? st->cfg->drg_budget_fen : st->cfg->fund_budget_fen;
            e = pay_scheme(st, &st->drgt, 1, start, err, errlen);
        }
        free(start);
        if (e) { rc = e; goto out; }
    }
    rc = 0;
out:
    free(part); free(dpart); free(gpart); free(gq); free(dp); free(dq); free(fpart);
    return rc;
}

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

static int write_cases(settle_run *st, h5w *w, char *err, size_t errlen)
{
    const cm_config *cfg = st->cfg;
    const pl_slots *s = &st->s;
    const gr_dip *dip = st->dip;
    const gr_drg *drg = st->drg;
    int codes = cfg->case_columns == CM_CASES_CODES;
    size_t id_len = 1, inst_len = 1, code_len = dip_code_width(dip, st->group_n); /* the codes that occur */
#pragma omp parallel for schedule(static) reduction(max : id_len)
    for (long i = 0; i < (long)s->n; i++)
        if (s->slots[i].status == SLOT_CASE) id_len = str_maxlen(id_len, pl_case_id(s, (size_t)i));
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
    if (ds < 0) { h5row_free(&cr); snprintf(err, errlen, "%s: cannot create /cases", st->output); return -1; }
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
    int rc = -1;
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
            uint16_t fl = c->flags;
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
                double ratio = case_ratio(st->std_fen, c), score = (double)c->score_e4 / SC_SCORE_UNIT;
                if (codes) memcpy(b + o_grp, G->published, strnlen(G->published, code_len));
                memcpy(b + o_gi, &gi, 4);
                b[o_path] = c->path;
                b[o_out] = c->outlier;
                b[o_bwhy] = blank_reason(c);
                memcpy(b + o_ratio, &ratio, 8);
                memcpy(b + o_score, &score, 8);
                memcpy(b + o_pay, &c->pay_fen, 8);
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
                b[o_dout] = c->drg_outlier;
                double pts = (double)drg_pts_of(st, si) / SC_SCORE_UNIT;
                int64_t pay = st->drg_pay ? st->drg_pay[si] : c->pay_fen;
                memcpy(b + o_dpts, &pts, 8);
                memcpy(b + o_dpay, &pay, 8);
            }
        }
        if (h5w_rows_fast(w, ds, &cr, row, k, buf)) goto done;
        row += k;
        if (g_interrupted) goto done;
    }
    rc = 0;
done:
    if (rc && !err[0]) snprintf(err, errlen, "%s: writing /cases failed (disk full?)", st->output);
    free(buf);
    free(idx);
    H5Dclose(ds);
    h5row_free(&cr);
    return rc;
}

static int write_groups(settle_run *st, h5w *w)
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
            memcpy(b + g_score, &st->rw[g], 8);
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
    return e ? -1 : 0;
}

static int write_drgs(settle_run *st, h5w *w)
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
    return e ? -1 : 0;
}

static int write_institutions(settle_run *st, h5w *w)
{
    size_t ninst = st->ninst, inst_len = 1;
    for (size_t k = 0; k < ninst; k++) inst_len = str_maxlen(inst_len, st->inst[k].id);
    int dip = has_dip(st), drg = has_drg(st);
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
    h5row_end(&ir);
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
            const sc_inst_partial *P = &st->ip[k];
            unsigned char *b = ib + k * ir.size;
            double cf = st->coef[st->inst[k].level];
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
                memcpy(b + i_pay, &st->dipt.inst_pay[k], 8);
                memcpy(b + i_lo, &P->n_outlier[SC_OUT_LOW], 8);
                memcpy(b + i_hi, &P->n_outlier[SC_OUT_HIGH], 8);
                memcpy(b + i_sp, &P->n_special, 8);
                memcpy(b + i_bl, &P->n_blank, 8);
            }
            if (drg) {
                double cmi = st->inst_ndrg[k] ? (double)st->inst_rw_e4[k] / 1e4 / (double)st->inst_ndrg[k] : 0;
                double pts = (double)st->drgt.inst_points[k] / SC_SCORE_UNIT;
                memcpy(b + i_cmi, &cmi, 8);
                memcpy(b + i_dpts, &pts, 8);
                memcpy(b + i_dpay, &st->drgt.inst_pay[k], 8);
                memcpy(b + i_dlo, &st->inst_drg_out[k * 3 + SC_OUT_LOW], 8);
                memcpy(b + i_dhi, &st->inst_drg_out[k * 3 + SC_OUT_HIGH], 8);
                memcpy(b + i_dun, &st->inst_ungroup[k], 8);
            }
        }
        e = h5w_rows(d, &ir, 0, ninst, ib);
    }
    if (d >= 0) H5Dclose(d);
    free(ib);
    h5row_free(&ir);
    if (!e && st->has_mtab)
        e = h5_strings(w, "institution_names", st->inst_name, ninst,
                       "UTF-8 institution names (定点医药机构名称) from input.institutions, same order as "
                       "/institutions; \"\" for an institution not in the table");
    return e ? -1 : 0;
}

/* /rejects, and /quality in the same layout (one note per row and field). */
static int write_rejects(const pl_rejects *rej, h5w *w, const char *name, const char *title)
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
    return e ? -1 : 0;
}

static int write_summary(settle_run *st, h5w *w)
{
    h5row sr;
    h5row_begin(&sr);
    int64_t ninst = (int64_t)st->ninst;
    struct { const char *name; const int64_t *v; int on; } iv[] = {
        {"records_read", &st->records, 1}, {"cases", &st->cases, 1}, {"rejects", &st->rejects, 1},
        {"duplicate_case_ids", &st->dups, 1}, {"quality_notes", &st->notes, 1}, {"institutions", &ninst, 1},
        {"total_cost_fen", &st->cost_fen, 1}, {"fund_paid_fen", &st->fund_fen, 1},
        {"rejects_total_cost_fen", &st->rej_cost_fen, 1}, {"rejects_fund_paid_fen", &st->rej_fund_fen, 1},
        {"blank_cases", &st->n_blank, st->dipt.on}, {"low_cases", &st->dipt.n_outlier[SC_OUT_LOW], st->dipt.on},
        {"high_cases", &st->dipt.n_outlier[SC_OUT_HIGH], st->dipt.on},
        {"special_review_cases", &st->n_special, st->dipt.on},
        {"fund_budget_fen", &st->dipt.budget_fen, st->dipt.on},
        {"total_score_e4", &st->dipt.points_e4, st->dipt.on}, {"payments_fen", &st->dipt.pay_fen, st->dipt.on},
        {"drg_grouped_cases", &st->n_drg_ok, st->drgt.on}, {"drg_0000_cases", &st->n_drg_ungroupable, st->drgt.on},
        {"drg_low_cases", &st->drgt.n_outlier[SC_OUT_LOW], st->drgt.on},
        {"drg_high_cases", &st->drgt.n_outlier[SC_OUT_HIGH], st->drgt.on},
        {"drg_budget_fen", &st->drgt.budget_fen, st->drgt.on},
        {"drg_points_e4", &st->drgt.points_e4, st->drgt.on}, {"drg_payments_fen", &st->drgt.pay_fen, st->drgt.on},
    };
    int ni = (int)(sizeof iv / sizeof iv[0]);
    size_t offs[32];
    for (int k = 0; k < ni; k++)
        if (iv[k].on) offs[k] = h5row_add(&sr, iv[k].name, H5T_STD_I64LE, 8);
    size_t o_fs = h5row_add(&sr, "fund_share", H5T_IEEE_F64LE, 8);
    size_t o_ts = 0, o_pv = 0, o_dpv = 0, o_rate = 0;
    if (st->dipt.on) {
        o_ts = h5row_add(&sr, "total_score", H5T_IEEE_F64LE, 8);
        o_pv = h5row_add(&sr, "point_value", H5T_IEEE_F64LE, 8);
    }
    if (st->drgt.on) {
        o_dpv = h5row_add(&sr, "drg_point_value", H5T_IEEE_F64LE, 8);
        o_rate = h5row_add(&sr, "drg_rate", H5T_IEEE_F64LE, 8);
    }
    h5row_end(&sr);
    hid_t d = h5w_table(w, "summary", "Settlement summary (one row)", &sr, 1);
    if (d < 0) { h5row_free(&sr); return -1; }
    h5_attr_str(d, "units", "*_fen: fen; rejects_*_fen: the amounts of the rejected rows that could be parsed; "
                            "total_score: points; point_value: yuan per point (点值); *_e4: 1e-4 "
                            "points (exact); drg_rate: yuan per RW (费率) = drg_point_value x 100");
    unsigned char sb[1024];
    memset(sb, 0, sizeof sb);
    for (int k = 0; k < ni; k++)
        if (iv[k].on) memcpy(sb + offs[k], iv[k].v, 8);
    memcpy(sb + o_fs, &st->fund_share, 8);
    if (st->dipt.on) {
        double ts = (double)st->dipt.points_e4 / SC_SCORE_UNIT;
        memcpy(sb + o_ts, &ts, 8);
        memcpy(sb + o_pv, &st->dipt.point_value, 8);
    }
    if (st->drgt.on) {
        double rate = st->drgt.point_value * 100.0;
        memcpy(sb + o_dpv, &st->drgt.point_value, 8);
        memcpy(sb + o_rate, &rate, 8);
    }
    int e = h5w_rows(d, &sr, 0, 1, sb);
    H5Dclose(d);
    h5row_free(&sr);
    return e;
}

static int st_write(settle_run *st, char *err, size_t errlen)
{
    const cm_config *cfg = st->cfg;
    h5w w;
    if (h5w_open(&w, st->output, H5_KIND_SETTLEMENT, cfg->compression, cfg->deflate_level, cfg->chunk_rows, err, errlen))
        return CM_EXIT_OUTPUT;
    w.deflate_lib = cfg->deflate_library;
    /* the rejects as CSV beside the output, renamed into place with it */
    int e = 0;
    if (h5w_side(&w, st->rejects_csv)) {
        snprintf(err, errlen, "%s: path too long", st->rejects_csv);
        e = -1;
    }
    if (!e) e = rj_write_csv(&st->rej, w.side_tmp, err, errlen);
    if (!e) e = write_cases(st, &w, err, errlen);
    if (!e && st->dip) e = write_groups(st, &w);
    if (!e && st->drg) e = write_drgs(st, &w);
    if (!e) e = write_institutions(st, &w);
    if (!e) e = write_rejects(&st->rej, &w, "rejects", "Rejected rows: input line, case id, field and reason");
    if (!e)
        e = write_rejects(&st->qual, &w, "quality",
                          "Data-quality notes (kept cases): input line, case id, field treated as missing, "
                          "reason with the value; the case's flags (bad_date, bad_patient, bad_amount, "
                          "age_mismatch) say the same per family");
    if (!e) e = write_summary(st, &w);
    if (!e) {
        hid_t root = w.file;
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
        h5_attr_str(root, "rejects_file", st->rejects_csv);
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
        h5_attr_str(root, "start_time", st->t_start);
        h5_attr_str(root, "end_time", t_end);
        h5_attr_f64(root, "level1_coefficient", st->coef[1]);
        h5_attr_f64(root, "level2_coefficient", st->coef[2]);
        h5_attr_f64(root, "level3_coefficient", st->coef[3]);
    }
    if (e || g_interrupted) {
        if (!err[0]) snprintf(err, errlen, "%s: writing HDF5 failed (disk full?); nothing was left behind", st->output);
        h5w_abort(&w);
        return g_interrupted ? CM_EXIT_INTERRUPTED : CM_EXIT_OUTPUT;
    }
    return h5w_commit(&w, err, errlen) ? CM_EXIT_OUTPUT : 0;
}

/* ------------------------------------------------------------------ */
/* summary                                                             */
/* ------------------------------------------------------------------ */

/* "-1,234,567.89": fen as yuan with thousands separators. */
static const char *yuan(char buf[40], int64_t fen)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    char d[24];
    int n = snprintf(d, sizeof d, "%llu", (unsigned long long)(a / 100)), o = 0;
    if (fen < 0) buf[o++] = '-';
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = d[i];
    }
    snprintf(buf + o, 40 - (size_t)o, ".%02u", (unsigned)(a % 100));
    return buf;
}

typedef struct {
    int64_t pay;
    size_t k;
} inst_pay;

static int cmp_inst_pay(const void *a, const void *b)
{
    const inst_pay *x = a, *y = b;
    if (x->pay != y->pay) return x->pay > y->pay ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k; /* ties: lower institution id (the list is sorted by id) */
}

/* A scheme's totals: points, budget against the fund money the cases
 * claimed, point value, payments reconciled, the five largest payments. */
static void print_scheme(const settle_run *st, const char *name, const scheme_tot *T, const char *unit)
{
    char b1[40], b2[40], b3[40];
    printf("  %s total        %15.4f %s\n", name, (double)T->points_e4 / SC_SCORE_UNIT, unit);
    int64_t diff = T->budget_fen - st->fund_fen;
    printf("  %s budget       %18s yuan\n", name, yuan(b1, T->budget_fen));
    printf("  %s vs claimed   %18s yuan (%+.2f%%) = budget - fund claimed by the cases (Σ fund_paid %s yuan)\n",
           name, yuan(b3, diff), st->fund_fen > 0 ? 100.0 * (double)diff / (double)st->fund_fen : 0.0,
           yuan(b2, st->fund_fen));
    printf("  %s point value  %15.6f yuan/point (点值) = (budget / fund share) / Σ points\n", name, T->point_value);
    int ok = T->pay_fen == T->budget_fen && T->cases_paid_fen == T->pay_fen;
    printf("  %s payments     %18s yuan   = budget %s; Σ cases %s  [%s]\n", name, yuan(b1, T->pay_fen),
           T->pay_fen == T->budget_fen ? "to the fen" : "MISMATCH",
           T->cases_paid_fen == T->pay_fen ? "= Σ institutions" : "MISMATCH", ok ? "reconciled" : "MISMATCH");
    size_t n = st->ninst, top = n < 5 ? n : 5;
    inst_pay *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return;
    for (size_t k = 0; k < n; k++) v[k] = (inst_pay){T->inst_pay[k], k};
    qsort(v, n, sizeof *v, cmp_inst_pay);
    printf("  %s largest payments (%zu of %zu institutions): institution, cases, payment, share of the budget\n",
           name, top, n);
    for (size_t j = 0; j < top; j++) {
        size_t k = v[j].k;
        printf("      %-20s %10lld  %18s yuan  %6.2f%%%s%s\n", st->inst[k].id, (long long)st->ip[k].n_cases,
               yuan(b1, v[j].pay), T->budget_fen > 0 ? 100.0 * (double)v[j].pay / (double)T->budget_fen : 0.0,
               st->inst_name && st->inst_name[k][0] ? "  " : "", st->inst_name ? st->inst_name[k] : "");
    }
    free(v);
}

/* Rejects by reason (field + reason, echoed values left out), the five
 * most frequent, and the money of the rejected rows. */
static void print_rejects(const settle_run *st)
{
    char b1[40], b2[40];
    if (st->rej.n == 0) return;
    rj_reason_count *rc = NULL;
    long ng = rj_top_reasons(&st->rej, &rc);
    printf("  reject reasons   rows, field: reason (values left out; every row is in the rejects file)\n");
    for (long j = 0; j < ng && j < 5; j++)
        printf("     %12lld  %s: %s\n", (long long)rc[j].n, rc[j].field[0] ? rc[j].field : "(row)", rc[j].text);
    if (ng > 5) printf("                   and %ld more reasons\n", ng - 5);
    free(rc);
    printf("  rejected money   total cost %s yuan, fund paid %s yuan: the amounts that could be parsed",
           yuan(b1, st->rej_cost_fen), yuan(b2, st->rej_fund_fen));
    if (st->rej_no_cost)
        printf(" (%lld of %lld rows count 0: rejected at or before their total cost)", (long long)st->rej_no_cost,
               (long long)st->rejects);
    printf("; not settled\n");
}

/* A path as a person reads it: the existing file's canonical path
 * ("config/../build/x.h5" -> "build/x.h5", absolute), else as given. */
static const char *shown_path(const char *path, char *buf)
{
    return realpath(path, buf) ? buf : path;
}

static void st_summary(const settle_run *st)
{
    const cm_config *cfg = st->cfg;
    char b1[40];
    static const char *const SCH[] = {"DIP", "CHS-DRG", "DIP and CHS-DRG"};
    printf("casemix %s: %s settlement, region %s, period %s\n", CM_VERSION, SCH[cfg->scheme], cfg->region,
           cfg->period);
    switch (cfg->scheme) {
    case CM_SCHEME_DIP:
        printf("  in force         DIP payments (按病种分值付费): /cases payment_fen, /institutions payment_fen\n");
        break;
    case CM_SCHEME_DRG:
        printf("  in force         CHS-DRG payments (按疾病诊断相关分组付费): /cases drg_payment_fen, "
               "/institutions drg_payment_fen\n");
        break;
    case CM_SCHEME_BOTH:
        printf("  in force         scheme \"both\": DIP and CHS-DRG each settle the same cases in full, each on "
               "its own budget.\n"
               "                   They are two alternative settlements, not one payment on top of the "
               "other: pay by one\n"
               "                   (DIP payment_fen or DRG drg_payment_fen); the other is for comparison.\n");
        break;
    }
    char pbuf[PATH_MAX];
    printf("  input            %s%s\n", shown_path(st->input, pbuf),
           st->input_encoding && strcmp(st->input_encoding, "UTF-8") ? " (decoded from GB18030/GBK)" : "");
    printf("  records read     %12lld  = cases %lld + rejects %lld  [%s]\n", (long long)st->records,
           (long long)st->cases, (long long)st->rejects,
           st->records == st->cases + st->rejects ? "reconciled" : "MISMATCH");
    if (st->dups) printf("  duplicate ids    %12lld  (rejected, not paid)\n", (long long)st->dups);
    print_rejects(st);
    printf("  institutions     %12zu   level coefficients %.4f / %.4f / %.4f (%s)\n", st->ninst, st->coef[1],
           st->coef[2], st->coef[3], cfg->coef_mode == CM_COEF_HISTORY ? "history" : "fixed");
    printf("  total cost       %18s yuan (the cases)\n", yuan(b1, st->cost_fen));
    printf("  fund paid        %18s yuan   fund share %.6f (Σ fund paid / Σ total cost)\n", yuan(b1, st->fund_fen),
           st->fund_share);
    printf("  flags            categories!=total %lld, LOS!=dates %lld, fund+self!=total %lld\n",
           (long long)st->n_flag[0], (long long)st->n_flag[1], (long long)st->n_flag[3]);
    printf("  quality notes    %12lld  on kept cases (field treated as missing: bad date %lld, patient %lld, "
           "amount %lld; age_days vs age_years %lld); see /quality\n",
           (long long)st->notes, (long long)st->n_flag[9], (long long)st->n_flag[10], (long long)st->n_flag[11],
           (long long)st->n_flag[12]);
    if (st->dipt.on) {
        int64_t used = 0;
        for (size_t g = 0; g < st->ng; g++) used += st->group_n[g] > 0;
        printf("  DIP groups used  %12lld  of %zu (blank group KBBZ: %lld cases)\n", (long long)used, st->ng,
               (long long)st->n_blank);
        printf("  DIP outliers     low %lld, high %lld, special review %lld (cap %.1f‰; %lld more above %.1fx)\n",
               (long long)st->dipt.n_outlier[SC_OUT_LOW], (long long)st->dipt.n_outlier[SC_OUT_HIGH],
               (long long)st->n_special, cfg->outliers.special_cap * 1000, (long long)st->n_special_over,
               cfg->outliers.special);
        print_scheme(st, "DIP", &st->dipt, "points (分值)");
        printf("  standard cost    %s\n", std_cost_name(cfg->standard_cost));
    }
    if (st->drgt.on) {
        int64_t used = 0;
        for (size_t d = 0; d < st->nd; d++) used += st->drg_n[d] > 0;
        printf("  DRG groups used  %12lld  of %zu (%s); 0000: %lld cases\n", (long long)used, st->nd,
               gr_drg_version(st->drg), (long long)st->n_drg_ungroupable);
        printf("  DRG outliers     low %lld, high %lld\n", (long long)st->drgt.n_outlier[SC_OUT_LOW],
               (long long)st->drgt.n_outlier[SC_OUT_HIGH]);
        print_scheme(st, "DRG", &st->drgt, "points (RW x 100)");
        printf("  DRG rate         %15.2f yuan per RW (费率)\n", st->drgt.point_value * 100.0);
    }
    printf("  time             load %.2fs, read+group+score %.2fs, checks %.2fs, pay %.2fs, write %.2fs; "
           "%d threads, peak RSS %ld MiB\n",
           st->t_load, st->t_read, st->t_checks, st->t_pay, st->t_write, st->nt, peak_rss_kb() / 1024);
    printf("  output           %s\n", shown_path(st->output, pbuf));
    printf("  rejects file     %s (%lld rows; CSV, UTF-8 with BOM: opens in Excel)\n", shown_path(st->rejects_csv, pbuf),
           (long long)st->rejects);
    printf("  methods          docs/METHODS.md in the casemix repository: every formula, its default and "
           "the setting that changes it\n");
}

/* ------------------------------------------------------------------ */

static void st_free(settle_run *st)
{
    for (int t = 0; st->itab && t < st->nt; t++) pl_inst_table_free(&st->itab[t]);
    for (int t = 0; st->rejs && t <= st->nt; t++) pl_rejects_free(&st->rejs[t]);
    for (int t = 0; st->quals && t < st->nt; t++) pl_rejects_free(&st->quals[t]);
    free(st->quals);
    pl_rejects_free(&st->qual);
    free(st->itab);
    free(st->rejs);
    pl_rejects_free(&st->rej);
    pl_slots_free(&st->s);
    free(st->inst);
    free(st->ip);
    free(st->rw);
    free(st->std_fen);
    free(st->inst_rw_e4); free(st->inst_ndrg); free(st->inst_drg_out); free(st->inst_ungroup);
    free(st->drg_pts); free(st->drg_pay); free(st->drg_ref_fen);
    free(st->inst_name);
    gr_inst_table_free(&st->mtab);
    free(st->group_n); free(st->group_cost); free(st->group_sumsq);
    free(st->drg_n); free(st->drg_cost); free(st->drg_los); free(st->drg_los_n); free(st->drg_sumsq);
    free(st->dipt.inst_points); free(st->dipt.inst_pay);
    free(st->drgt.inst_points); free(st->drgt.inst_pay);
    calib_free(&st->cal);
    col_aliases_free(st->al);
    gr_dip_free(st->dip);
    gr_drg_free(st->drg);
}

int cmd_settle(const cm_config *cfg, const cm_run_opts *o)
{
    char err[1024] = "";
    static settle_run st0;
    settle_run *st = &st0;
    memset(st, 0, sizeof *st);
    st->cfg = cfg;
    iso_now(st->t_start, sizeof st->t_start);
    st->input = o->input ? o->input : cfg->input_file;
    st->output = o->output ? o->output : cfg->output_file;
    if (!st->input[0]) { fprintf(stderr, "casemix: no input: pass --input FILE or set input.records\n"); return CM_EXIT_USAGE; }
    if (!st->output[0]) { fprintf(stderr, "casemix: no output: pass --out FILE.h5 or set output.file\n"); return CM_EXIT_USAGE; }
    if (cm_side_path(st->output, ".rejects.csv", st->rejects_csv, sizeof st->rejects_csv)) {
        fprintf(stderr, "casemix: %s: output path too long\n", st->output);
        return CM_EXIT_USAGE;
    }
    if (h5w_check_target(st->output, H5_KIND_SETTLEMENT, err, sizeof err)) {   /* before any work */
        fprintf(stderr, "casemix: %s\n", err);
        return CM_EXIT_OUTPUT;
    }
    st->nt = pl_threads();
    double t0 = now_seconds();
    int rc = st_load(st, err, sizeof err);
    st->t_load = now_seconds() - t0;
    if (!rc) {
        double t1 = now_seconds();
        st->itab = calloc((size_t)st->nt, sizeof *st->itab);
        st->rejs = calloc((size_t)st->nt + 1, sizeof *st->rejs);
        st->quals = calloc((size_t)st->nt, sizeof *st->quals);
        static const int req_dip[] = {COL_CASE_ID, COL_INST_ID, COL_INST_LEVEL, COL_PDX, COL_PPROC,
                                      COL_TOTAL, COL_FUND, -1};
        /* with the institution table the level comes from it: no level column needed */
        static const int req_tab[] = {COL_CASE_ID, COL_INST_ID, COL_PDX, COL_PPROC, COL_TOTAL, COL_FUND, -1};
        cm_parse_opts po = {.need = cm_need_columns(CM_RUN_SETTLE, st->dip != NULL, st->drg != NULL),
                            .mismatch = cfg->category_mismatch,
                            .tolerance_fen = cfg->category_tolerance_fen, .level_optional = st->has_mtab,
                            .encoding = rd_encoding_of(cfg->input_encoding)};
        cm_reader hdr;
        memset(&hdr, 0, sizeof hdr);
        int r = !st->itab || !st->rejs || !st->quals ? -1
                : pl_read(st->input, st->al, st->has_mtab ? req_tab : req_dip, &po, settle_row, st, &st->s, &hdr,
                          o->quiet ? NULL : progress_cb, NULL, err, sizeof err);
        st->input_size = hdr.file_size;
        st->input_encoding = hdr.encoding ? hdr.encoding : "UTF-8";
        if (r == -2) rc = CM_EXIT_INTERRUPTED;
        else if (r) rc = CM_EXIT_INPUT;
        st->t_read = now_seconds() - t1;
    }
    if (!rc) {
        double t2 = now_seconds();
        rc = st_checks(st, err, sizeof err);
        st->t_checks = now_seconds() - t2;
    }
    if (!rc) {
        double t3 = now_seconds();
        rc = st_pay(st, err, sizeof err);
        st->t_pay = now_seconds() - t3;
    }
    if (!rc && g_interrupted) rc = CM_EXIT_INTERRUPTED;
    if (!rc) {
        double t4 = now_seconds();
        rc = st_write(st, err, sizeof err);
        st->t_write = now_seconds() - t4;
    }
    if (rc) {
        if (rc == CM_EXIT_INTERRUPTED) fprintf(stderr, "casemix: interrupted; no output written\n");
        else fprintf(stderr, "casemix: %s\n", err[0] ? err : "failed");
        if (rc == CM_EXIT_CONFIG) fprintf(stderr, "casemix: nothing was done\n");
    } else if (!o->quiet) {
        st_summary(st);
    }
    if (!rc && !o->quiet && st->n_inst_untabled)
        fprintf(stderr, "casemix: note: %zu institution(s) with cases are not in the institution table %s "
                        "(input.institutions): %s%s; their rows' own level is used\n",
                st->n_inst_untabled, cfg->input_institutions, st->untabled_ids, st->n_inst_untabled > 5 ? ", ..." : "");
    if (!rc && o->timings) {
        FILE *f = fopen(o->timings, "w");
        struct stat sb;
        long long out_bytes = stat(st->output, &sb) == 0 ? (long long)sb.st_size : -1;
        if (f) {
            fprintf(f, "{\"stage\":\"settle\",\"threads\":%d,\"records\":%lld,\"in_bytes\":%llu,"
                       "\"out_bytes\":%lld,\"load\":%.4f,\"read_group\":%.4f,\"checks\":%.4f,"
                       "\"pay\":%.4f,\"write\":%.4f,\"seconds\":%.4f,\"peak_rss_kb\":%ld}\n",
                    st->nt, (long long)st->records, (unsigned long long)st->input_size, out_bytes, st->t_load,
                    st->t_read, st->t_checks, st->t_pay, st->t_write,
                    st->t_load + st->t_read + st->t_checks + st->t_pay + st->t_write, peak_rss_kb());
            fclose(f);
        }
    }
    st_free(st);
    return rc;
}
