/*
 * period.c - the period of a settlement (engine/period.h): built once,
 * read-only afterwards.
 *
 *   1. load: catalogue and/or DRG tables, history calibration when the
 *      settings need it (DIP scores, level coefficients, standard costs;
 *      DRG weights from history or from the published table of
 *      drg.weights), the institution table (input.institutions) when given;
 *   2. read+group, in parallel over chunks: every row gets a slot; a case
 *      is grouped (gr_dip_assign, gr_drg_assign) and its case id hashed;
 *   3. set checks: institution ids merged into one sorted list, levels from
 *      the institution table (rows of an unknown institution without a
 *      level become rejects), duplicate case ids become rejects (the
 *      check's tables live in score_e4, its hashes in pay_fen: both are 0
 *      afterwards, except that with supervision a case's hash stays in
 *      pay_fen until stage 4 moves it beside order_at for the re-review
 *      sample's keys), counts; the current period's DRG reference means;
 *   4. the period's partials per fixed slice of 2^SLICE_SHIFT slots, merged
 *      in slice order (costs, buckets, groups, DRGs, flags), and the cases
 *      of each institution in slot order (order_at, in the dead bucket
 *      fields).
 * Scores, outlier classes, points and payments are a scenario's (score.c,
 * pay.c).
 */
#include "period.h"
#include "rejects.h"
#include "supervise.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One thread's cases of kept amounts outside 32 bits: (slot, values...) records. */
struct keep_vec {
    int64_t *v;
    size_t n, cap;  /* int64 entries */
};

/* Appends a (slot, K amounts) record to kv; 0, or -1 when out of memory
 * (kv->cap SIZE_MAX: reported after the read). */
static int keep_push(struct keep_vec *kv, size_t K, size_t slot, const int64_t *v)
{
    if (kv->cap == SIZE_MAX) return -1;
    if (kv->n + K + 1 > kv->cap) {
        size_t nc = kv->cap ? kv->cap * 2 : 64 * (K + 1);
        int64_t *nv = realloc(kv->v, nc * sizeof *nv);
        if (!nv) { kv->cap = SIZE_MAX; return -1; }
        kv->v = nv;
        kv->cap = nc;
    }
    kv->v[kv->n] = (int64_t)slot;
    memcpy(kv->v + kv->n + 1, v, K * sizeof *v);
    kv->n += K + 1;
    return 0;
}

/* One case's kept amounts into keep[0..K) as 32 bits; an amount outside
 * them is CM_KEEP_BIG there and the whole case goes to big. */
static void keep_store(int32_t *keep, size_t K, size_t slot, const int64_t *v, struct keep_vec *big)
{
    int far = 0;
    for (size_t j = 0; j < K; j++) {
        int f = v[j] <= INT32_MIN || v[j] > INT32_MAX;
        keep[j] = f ? CM_KEEP_BIG : (int32_t)v[j];
        far |= f;
    }
    if (__builtin_expect(far, 0)) keep_push(big, K, slot, v);
}

/* The kept categories straight into the slots' second side array
 * (pl_slots.side2, zeroed, grown with the slots), by slot: no copy, no
 * regrowth, whether or not supervision's facts hold the first one. */
static void keep_row(cm_period *st, int tid, const cm_parser *p, const cm_case *c)
{
    if (c->flags & CF_NO_CATEGORIES) return;
    size_t slot = (size_t)(c - p->slots), K = (size_t)st->keep_n;
    int64_t v[SC_CAT__COUNT];
    for (size_t j = 0; j < K; j++) v[j] = p->cat_fen[st->keep_cat[j]];
    keep_store((int32_t *)(void *)st->s.side2 + slot * K, K, slot, v, &st->keep_bigtmp[tid]);
}

static void settle_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    cm_period *st = vctx;
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
    int32_t d = p->discharge_day, *r = st->dis_range[tid];
    if (d >= 0) {
        if (d < r[0]) r[0] = d;
        if (d > r[1]) r[1] = d;
    }
    if (__builtin_expect(st->keep_n > 0, 0)) keep_row(st, tid, p, c);
    if (st->sup) sv_row(st->sup, &st->s, (size_t)(c - st->s.slots), tid, p, c);
}

static void on_dup(void *vctx, int tid, cm_case *dup, const cm_case *first, const char *case_id)
{
    pl_rejects *rej = vctx;
    char why[104];
    /* the id itself is not repeated here: the reason holds 103 bytes and an id up to CM_CASE_ID_MAX (64), so
     * an echo cut a 34-character national id at 32; it stands whole in the reject's case_id member beside it */
    snprintf(why, sizeof why, "duplicate case id (结算ID重复): first seen on line %u; this row is not paid", first->line);
    pl_reject_add(&rej[tid], dup->line, case_id, "case_id", why);
    dup->status = SLOT_REJECT;
}

static void progress_cb(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    if (!progress_enabled() || total == 0) return;
    fprintf(stderr, "\rreading %5.1f%%", 100.0 * (double)done / (double)total);
    if (done >= total) fputs("\r              \r", stderr);
}

cm_status load_tables(const cm_config *cfg, int want_dip, int want_drg, gr_dip **dip, gr_drg **drg,
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
            return CM_OK;
    } else if (ge.line > 0) {
        snprintf(err, errlen, "%s:%ld: %s%s%s", ge.file, ge.line, ge.field, ge.field[0] ? ": " : "", ge.msg);
    } else {
        snprintf(err, errlen, "%s: %s", ge.file, ge.msg);
    }
    gr_dip_free(*dip);
    gr_drg_free(*drg);
    *dip = NULL;
    *drg = NULL;
    return CM_ERR_CONFIG;
}

/* ------------------------------------------------------------------ */
/* stage 1: load                                                       */
/* ------------------------------------------------------------------ */

cm_status period_check_config(const cm_config *cfg, char *err, size_t errlen)
{
    int want_dip = cfg->scheme != CM_SCHEME_DRG, want_drg = cfg->scheme != CM_SCHEME_DIP;
    if (want_dip && cfg->fund_budget_fen <= 0) {
        snprintf(err, errlen, "%s: budget.fund_budget must be set and > 0 to settle DIP (yuan, e.g. "
                              "\"120000000.00\")", cfg->path);
        return CM_ERR_CONFIG;
    }
    if (want_drg && cfg->drg_budget_fen <= 0 && cfg->fund_budget_fen <= 0) {
        snprintf(err, errlen, "%s: budget.drg_budget (or budget.fund_budget) must be set and > 0 to "
                              "settle DRG", cfg->path);
        return CM_ERR_CONFIG;
    }
    if (want_drg && cfg->n_history == 0 && !cfg->drg_weights[0]) {
        snprintf(err, errlen, "%s: DRG weights (RW) come from history or from a published table: add a "
                              "history list (1 to 3 years of discharge files), or name the published weights table in drg.weights "
                              "(drg = { weights = \"drg_weights.csv\"; }; columns drg, rw), or use "
                              "scheme = \"dip\"", cfg->path);
        return CM_ERR_CONFIG;
    }
    int use_hist = cfg->n_history > 0 &&
                   (want_drg || cfg->score_source == CM_SCORES_HISTORY || cfg->coef_mode == CM_COEF_HISTORY ||
                    cfg->standard_cost != CM_STD_GROUP_MEAN_X_COEF);
    if (want_dip && !use_hist &&
        (cfg->score_source == CM_SCORES_HISTORY || cfg->coef_mode == CM_COEF_HISTORY ||
         cfg->standard_cost == CM_STD_LEVEL_MEAN)) {
        snprintf(err, errlen, "%s: scores.source = \"history\", coefficients.mode = \"history\" and "
                              "outliers.standard_cost = \"level_mean\" need history files; add a history "
                              "list (1 to 3 years)", cfg->path);
        return CM_ERR_CONFIG;
    }
    return CM_OK;
}

static cm_status period_load(cm_period *st, char *err, size_t errlen)
{
    const cm_config *cfg = st->cfg;
    cm_status rc = period_check_config(cfg, err, errlen);
    if (rc) return rc;
    int want_dip = cfg->scheme != CM_SCHEME_DRG, want_drg = cfg->scheme != CM_SCHEME_DIP;
    st->use_hist = cfg->n_history > 0 &&
                   (want_drg || cfg->score_source == CM_SCORES_HISTORY || cfg->coef_mode == CM_COEF_HISTORY ||
                    cfg->standard_cost != CM_STD_GROUP_MEAN_X_COEF);
    if ((rc = load_tables(cfg, want_dip, want_drg, &st->dip, &st->drg, &st->al, err, errlen)) != CM_OK) return rc;
    if (cfg->input_institutions[0]) {
        gr_error ge;
        memset(&ge, 0, sizeof ge);
        if (gr_inst_load(cfg->input_institutions, &st->mtab, &ge) != GR_OK) {
            if (ge.line > 0)
                snprintf(err, errlen, "%s:%ld: %s%s%s", ge.file, ge.line, ge.field, ge.field[0] ? ": " : "", ge.msg);
            else
                snprintf(err, errlen, "%s: %s (input.institutions)", ge.file, ge.msg);
            return CM_ERR_CONFIG;
        }
        st->has_mtab = 1;
    }
    if (st->use_hist && st->hist_out) { /* casemix simulate: the history read once, kept */
        rc = calib_hist_read(cfg, st->dip, st->drg, st->al, st->hist_cats, st->hist_ncat, st->hist_ids,
                             st->hist_nids, st->hist_out, err, errlen);
        if (!rc) rc = calib_hist_run(cfg, st->dip, st->drg, st->hist_out, NULL, &st->cal, err, errlen);
        if (rc) return rc;
    } else if (st->use_hist) {
        rc = calib_run(cfg, st->dip, st->drg, st->al, &st->cal, err, errlen);
        if (rc) return rc;
    } else if (st->sup_rules && cfg->n_history > 0 && st->dip &&
               (cfg->sup.enabled[SC_R08] || cfg->sup.enabled[SC_R11] || !cfg->sup_previous[0])) {
        /* nothing calibrates from the history, but supervision reads it: R08's group mean LOS,
         * R11's group death rates and the indicators' previous year (docs/METHODS.md §11) */
        rc = calib_sup_run(cfg, st->dip, st->al, &st->cal, err, errlen);
        if (rc) return rc;
        st->sup_hist = 1;
    }
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
            return CM_ERR_INTERNAL;
        }
        if (cfg->drg_weights[0]) {
            gr_error ge;
            memset(&ge, 0, sizeof ge);
            if (gr_drg_load_weights(st->drg, cfg->drg_weights, cal->drg_rw, &ge) != GR_OK) {
                if (ge.line > 0)
                    snprintf(err, errlen, "%s:%ld: %s%s%s", ge.file, ge.line, ge.field, ge.field[0] ? ": " : "", ge.msg);
                else
                    snprintf(err, errlen, "%s: %s (drg.weights)", ge.file, ge.msg);
                return CM_ERR_CONFIG;
            }
            st->drg_table_rw = 1;
        }
        memcpy(st->drg_ref_fen, cal->drg_mean_fen, st->nd * sizeof *st->drg_ref_fen);
    }
    if (st->dip) {
        st->ng = gr_dip_ngroups(st->dip);
        st->blank = gr_dip_blank(st->dip);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* stage 3: set checks                                                 */
/* ------------------------------------------------------------------ */

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
static cm_status apply_inst_table(cm_period *st, uint32_t *const *remap, char *err, size_t errlen)
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
        return CM_ERR_NOMEM;
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
                if (pl_reject_add(&rj[tid], c->line, pl_case_id(&st->s, (size_t)i), "institution_level", why)) oom++;
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
    if (oom) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    return CM_OK;
}
static cm_status period_checks(cm_period *st, char *err, size_t errlen)
{
    const cm_config *cfg = st->cfg;
    pl_slots *s = &st->s;
    int nt = st->nt;
    uint32_t *remap[CM_MAX_THREADS];
    if (pl_inst_merge(st->itab, nt, &st->inst, &st->ninst, remap)) {
        snprintf(err, errlen, "out of memory");
        return CM_ERR_NOMEM;
    }
    pl_inst *inst = st->inst;
    cm_case *sl = s->slots;
    cm_status rs = st->has_mtab ? apply_inst_table(st, remap, err, errlen) : CM_OK;
    if (rs) {
        for (int t = 0; t < nt; t++) free(remap[t]);
        return rs;
    }
    pl_rejects *drej = calloc((size_t)nt, sizeof *drej);
    size_t nd = 0;
    if (!drej || pl_find_duplicates(s, on_dup, drej, &nd) != CM_OK) {
        free(drej);
        for (int t = 0; t < nt; t++) free(remap[t]);
        snprintf(err, errlen, "out of memory while checking case ids");
        return CM_ERR_NOMEM;
    }
    st->dups = (int64_t)nd;
    if (st->prior) { /* casemix month: an id settled in another month of the ledger (after the export's own check) */
        int64_t np = 0;
        int oom = 0;
#pragma omp parallel reduction(+ : np, oom)
        {
            int tid = pl_thread_id();
            char why[104];
#pragma omp for schedule(static)
            for (long i = 0; i < (long)s->n; i++) {
                cm_case *c = &sl[i];
                if (c->status != SLOT_CASE) continue;
                const char *id = pl_case_id(s, (size_t)i);
                if (!st->prior(st->prior_ctx, id, why, sizeof why)) continue;
                oom += pl_reject_add(&drej[tid], c->line, id, "case_id", why) != CM_OK;
                c->status = SLOT_REJECT;
                np++;
            }
        }
        st->prior_dups = np;
        if (oom) {
            for (int t = 0; t < nt; t++) { pl_rejects_free(&drej[t]); free(remap[t]); }
            free(drej);
            snprintf(err, errlen, "out of memory while checking case ids");
            return CM_ERR_NOMEM;
        }
    }
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
    /* one parallel sweep: counts, institution indices into the sorted list */
    int64_t n_rec = 0, n_case = 0, rj_cost = 0, rj_fund = 0, rj_none = 0;
#pragma omp parallel reduction(+ : n_rec, n_case, rj_cost, rj_fund, rj_none)
    {
#pragma omp for schedule(static)
        for (long i = 0; i < (long)s->n; i++) {
            cm_case *c = &sl[i];
            if (!st->sup || c->status != SLOT_CASE) c->pay_fen = 0; /* was id_hash (a case's kept for supervision: below) */
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
        }
    }
    for (int t = 0; t < nt; t++) free(remap[t]);
    st->rej_cost_fen = rj_cost;
    st->rej_fund_fen = rj_fund;
    st->rej_no_cost = rj_none;
    st->records = n_rec;
    st->cases = n_case;
    st->rejects = (int64_t)st->rej.n;
    if (st->cases == 0) {
        /* nothing is written: say the most frequent reasons here */
        char why[600] = "";
        rj_reason_count *rc = NULL;
        size_t ng = 0, wl = 0;
        (void)rj_top_reasons(&st->rej, &rc, &ng); /* out of memory: no reasons listed (ng 0) */
        for (size_t j = 0; j < ng && j < 3 && wl < sizeof why; j++)
            wl += (size_t)snprintf(why + wl, sizeof why - wl, "\n  %lld rows: %s: %s", (long long)rc[j].n,
                                   rc[j].field[0] ? rc[j].field : "(row)", rc[j].text);
        free(rc);
        /* casemix month: every row's case id settled in another month of the ledger (period_build_prior) is
         * the wrong export for the month, not rows to fix one by one */
        const char *fix = st->prior_dups > 0 && st->prior_dups == st->rejects
                              ? "every row was settled in another month of the ledger: is this the month's own export? "
                                "Check --month and --input; an export run under the wrong month is corrected by "
                                "running that month again with its own export, which frees these case ids"
                              : "fix the input (casemix group --scheme dip ... lists every row with its reason)";
        snprintf(err, errlen, "%s: no case to settle (%lld rows read, %lld rejected); the most frequent reasons:%s\n%s",
                 st->input, (long long)st->records, (long long)st->rejects, why, fix);
        return CM_ERR_INPUT;
    }
    if (st->drg && st->drg_table_rw) {
        /* published weights: a DRG without history cases (all of them when
         * there is no history) takes the trimmed mean cost of this period's
         * cases as the reference of its outlier thresholds */
        double *pm = malloc((st->nd + 1) * sizeof *pm);
        if (!pm || calib_period_drg_means(s, st->nd, &cfg->calib, pm)) {
            free(pm);
            snprintf(err, errlen, "out of memory");
            return CM_ERR_NOMEM;
        }
        for (size_t d = 0; d < st->nd; d++)
            if (!(st->drg_ref_fen[d] > 0) && pm[d] > 0) {
                st->drg_ref_fen[d] = pm[d];
                st->drg_ref_period++;
            }
        free(pm);
    }
    return CM_OK;
}


/* ------------------------------------------------------------------ */
/* stage 4: the period's partials and the institution order            */
/* ------------------------------------------------------------------ */

static cm_status period_partials(cm_period *st, char *err, size_t errlen)
{
    pl_slots *s = &st->s;
    size_t ninst = st->ninst, ng = st->ng, nd = st->nd;
    size_t nslice = (s->n >> SLICE_SHIFT) + 1;
    st->nslice = nslice;
    /* per-slice partials: institutions, groups, DRGs, flags */
    typedef struct {
        int64_t rw_e4, ndrg, ungroup;
    } inst_drg_part;
    sc_inst_partial *part = calloc(nslice * ninst, sizeof *part);
    inst_drg_part *dpart = calloc(nslice * ninst, sizeof *dpart);
    int64_t *gpart = calloc(nslice * ng * 2 + 1, sizeof *gpart);
    double *gq = calloc(nslice * ng + 1, sizeof *gq);
    int64_t *dp = calloc(nslice * nd * 4 + 1, sizeof *dp);
    double *dq = calloc(nslice * nd + 1, sizeof *dq);
    int64_t (*fpart)[CF__COUNT] = calloc(nslice, sizeof *fpart);
    st->ip = calloc(ninst ? ninst : 1, sizeof *st->ip);
    st->inst_rw_e4 = calloc(ninst ? ninst : 1, sizeof(int64_t));
    st->inst_ndrg = calloc(ninst ? ninst : 1, sizeof(int64_t));
    st->inst_ungroup = calloc(ninst ? ninst : 1, sizeof(int64_t));
    st->group_n = calloc(ng + 1, sizeof(int64_t));
    st->group_cost = calloc(ng + 1, sizeof(int64_t));
    st->group_sumsq = calloc(ng + 1, sizeof(double));
    st->drg_n = calloc(nd + 1, sizeof(int64_t));
    st->drg_cost = calloc(nd + 1, sizeof(int64_t));
    st->drg_los = calloc(nd + 1, sizeof(int64_t));
    st->drg_los_n = calloc(nd + 1, sizeof(int64_t));
    st->drg_sumsq = calloc(nd + 1, sizeof(double));
    cm_status rc = CM_ERR_NOMEM;
    if (!part || !dpart || !gpart || !gq || !dp || !dq || !fpart || !st->ip || !st->inst_rw_e4 ||
        !st->inst_ndrg || !st->inst_ungroup || !st->group_n || !st->group_cost || !st->group_sumsq ||
        !st->drg_n || !st->drg_cost || !st->drg_los || !st->drg_los_n || !st->drg_sumsq) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    const double *drg_rw = st->cal.drg_rw;
    int dip_on = st->dip != NULL, drg_on = st->drg != NULL;
#pragma omp parallel for schedule(dynamic, 1)
    for (long sl = 0; sl < (long)nslice; sl++) {
        size_t a, b;
        slice_bounds(s->n, (size_t)sl, &a, &b);
        sc_inst_partial *P = part + (size_t)sl * ninst;
        inst_drg_part *D = dpart + (size_t)sl * ninst;
        int64_t fhist[1u << CF__LOW] = {0}; /* cases by combination of the low flags */
        for (size_t i = a; i < b; i++) {
            const cm_case *c = &s->slots[i];
            if (c->status != SLOT_CASE) continue;
            sc_inst_partial *p = &P[c->inst];
            unsigned fl = c->flags & ~(unsigned)SN_FLAGS; /* the period's bits */
            p->n_cases++;
            p->cost_fen += c->total_fen;
            p->fund_fen += c->fund_fen;
            if (__builtin_expect(fl & CF_BIG_BUCKETS, 0)) {
                int64_t bk[SC_BUCKET__COUNT];
                pl_case_buckets(s, i, bk);
                for (int q = 0; q < SC_BUCKET__COUNT; q++) p->bucket_fen[q] += bk[q];
            } else {
                for (int q = 0; q < SC_BUCKET__COUNT; q++) p->bucket_fen[q] += c->bucket_fen[q];
            }
            fhist[fl & ((1u << CF__LOW) - 1)]++; /* per-bit counts after the loop */
            if (__builtin_expect(fl >> CF__LOW, 0))
                for (unsigned f = CF__LOW; f < CF__COUNT; f++) fpart[sl][f] += (fl >> f) & 1;
            if (dip_on) {
                p->n_blank += c->group == st->blank;
                size_t gi = (size_t)sl * ng + (size_t)c->group;
                gpart[gi * 2]++;
                gpart[gi * 2 + 1] += c->total_fen;
                gq[gi] += (double)c->total_fen * (double)c->total_fen;
            }
            if (drg_on) {
                inst_drg_part *d = &D[c->inst];
                if (c->drg < 0) { d->ungroup++; continue; }
                d->rw_e4 += llround(drg_rw[c->drg] * 1e4);
                d->ndrg++;
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
            st->inst_rw_e4[k] += d->rw_e4;
            st->inst_ndrg[k] += d->ndrg;
            st->inst_ungroup[k] += d->ungroup;
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
        st->n_drg_ungroupable += st->inst_ungroup[k];
        st->n_drg_ok += st->inst_ndrg[k];
    }

    /* cases of each institution, in slot order: from the per-slice counts,
     * where each slice's cases of each institution go, then every slice
     * fills its part in parallel. The order is kept in the slots' dead
     * bucket fields (order_at): a 4-byte-a-case array here was the run's
     * peak of memory. */
    st->inst_start = calloc(ninst + 1, sizeof *st->inst_start);
    size_t *pos = malloc((nslice * ninst + 1) * sizeof *pos);
    if (!st->inst_start || !pos) {
        free(pos);
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    size_t *start = st->inst_start;
    cm_case *osl = s->slots;
    s->buckets_gone = 1;
    const int keep_hash = st->sup != NULL;
    _Static_assert(SC_BUCKET__COUNT * sizeof(int32_t) >= sizeof(uint32_t) + sizeof(uint64_t),
                   "order_at and a kept id hash fit the bucket bytes");
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
        size_t a, b;
        slice_bounds(s->n, (size_t)sl, &a, &b);
        size_t *P = pos + (size_t)sl * ninst;
        for (size_t i = a; i < b; i++) {
            if (keep_hash) { /* the id's hash into the dead bucket bytes beside order_at (the sample's keys) */
                if (osl[i].status == SLOT_CASE) memcpy(&osl[i].bucket_fen[1], &osl[i].id_hash, 8);
                osl[i].pay_fen = 0;
            }
            if (osl[i].status == SLOT_CASE) osl[P[osl[i].inst]++].order_at = (uint32_t)i;
        }
    }
    free(pos);
    s->id_hash_kept = keep_hash;
    rc = CM_OK;
out:
    free(part); free(dpart); free(gpart); free(gq); free(dp); free(dq); free(fpart);
    return rc;
}

/* ------------------------------------------------------------------ */

cm_status period_build(cm_period *st, const cm_config *cfg, const char *input, int quiet, char *err, size_t errlen)
{
    return period_build_ex(st, cfg, input, quiet, 0, NULL, 0, err, errlen);
}

cm_status period_build_sup(cm_period *st, const cm_config *cfg, const char *input, int quiet, int supervise, char *err,
                           size_t errlen)
{
    return period_build_ex(st, cfg, input, quiet, supervise, NULL, 0, err, errlen);
}

static int cmp_keep_big(const void *a, const void *b)
{
    size_t x = ((const cm_keep_big *)a)->slot, y = ((const cm_keep_big *)b)->slot;
    return x < y ? -1 : x > y;
}

/* The cases of amounts outside 32 bits, from the per-thread records into
 * keep_big by slot. */
static cm_status keep_big_merge(cm_period *st, char *err, size_t errlen)
{
    size_t K = (size_t)st->keep_n, nb = 0;
    cm_status rc = CM_OK;
    for (int t = 0; t < st->nt; t++) {
        if (st->keep_bigtmp[t].cap == SIZE_MAX) rc = CM_ERR_NOMEM;
        nb += st->keep_bigtmp[t].n / (K + 1);
    }
    if (!rc && nb && !(st->keep_big = calloc(nb, sizeof *st->keep_big))) rc = CM_ERR_NOMEM;
    for (int t = 0; t < st->nt; t++) {
        const struct keep_vec *kv = &st->keep_bigtmp[t];
        for (size_t q = 0; !rc && q + K + 1 <= kv->n; q += K + 1) {
            cm_keep_big *e = &st->keep_big[st->nkeep_big++];
            e->slot = (size_t)kv->v[q];
            memcpy(e->fen, kv->v + q + 1, K * sizeof *e->fen);
        }
    }
    if (!rc && st->nkeep_big) qsort(st->keep_big, st->nkeep_big, sizeof *st->keep_big, cmp_keep_big);
    if (rc) snprintf(err, errlen, "out of memory (cost categories kept for re-pricing)");
    return rc;
}

void period_keep_big(const cm_period *p, size_t slot, int64_t *out)
{
    size_t lo = 0, hi = p->nkeep_big;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->keep_big[mid].slot < slot) lo = mid + 1;
        else hi = mid;
    }
    if (lo < p->nkeep_big && p->keep_big[lo].slot == slot)
        memcpy(out, p->keep_big[lo].fen, (size_t)p->keep_n * sizeof *out);
}

cm_status period_build_keep(cm_period *st, const cm_config *cfg, const char *input, int quiet, const uint8_t *cats,
                            int ncat, char *err, size_t errlen)
{
    return period_build_ex(st, cfg, input, quiet, PERIOD_SUP_DUPS, cats, ncat, err, errlen);
}

static period_read_hook g_read_hook;
static void *g_read_ctx;
void period_set_read_hook(period_read_hook fn, void *ctx)
{
    g_read_hook = fn;
    g_read_ctx = ctx;
}
static cm_status period_build_impl(cm_period *st, const cm_config *cfg, const char *input, int quiet, int supervise,
                                   const uint8_t *cats, int ncat, const cm_period *hist_req, char *err, size_t errlen);

cm_status period_build_ex(cm_period *st, const cm_config *cfg, const char *input, int quiet, int supervise,
                          const uint8_t *cats, int ncat, char *err, size_t errlen)
{
    return period_build_impl(st, cfg, input, quiet, supervise, cats, ncat, NULL, err, errlen);
}

cm_status period_build_hist(cm_period *st, const cm_config *cfg, const char *input, int quiet, const uint8_t *cats,
                            int ncat, const uint8_t *hcats, int nhcat, const char (*ids)[32], int nids,
                            cm_hist_cache *hist, char *err, size_t errlen)
{
    cm_period req;
    memset(&req, 0, sizeof req);
    memset(hist, 0, sizeof *hist);
    req.hist_out = hist;
    req.hist_cats = hcats;
    req.hist_ncat = nhcat;
    req.hist_ids = ids;
    req.hist_nids = nids;
    return period_build_impl(st, cfg, input, quiet, PERIOD_SUP_DUPS, cats, ncat, &req, err, errlen);
}

cm_status period_build_prior(cm_period *st, const cm_config *cfg, const char *input, int quiet, int supervise,
                             cm_prior_fn prior, const void *ctx, char *err, size_t errlen)
{
    cm_period req;
    memset(&req, 0, sizeof req);
    req.prior = prior;
    req.prior_ctx = (void *)ctx;
    return period_build_impl(st, cfg, input, quiet, supervise, NULL, 0, &req, err, errlen);
}

static cm_status period_build_impl(cm_period *st, const cm_config *cfg, const char *input, int quiet, int supervise,
                                   const uint8_t *cats, int ncat, const cm_period *hist_req, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    if (hist_req) {
        st->hist_out = hist_req->hist_out;
        st->hist_cats = hist_req->hist_cats;
        st->hist_ncat = hist_req->hist_ncat;
        st->hist_ids = hist_req->hist_ids;
        st->hist_nids = hist_req->hist_nids;
        st->prior = hist_req->prior;
        st->prior_ctx = hist_req->prior_ctx;
    }
    if (ncat > 0) {
        st->keep_n = ncat > SC_CAT__COUNT ? SC_CAT__COUNT : ncat;
        memcpy(st->keep_cat, cats, (size_t)st->keep_n);
    }
    st->cfg = cfg;
    st->input = input;
    st->nt = pl_threads();
    st->sup_rules = supervise == 1 && cfg->sup_enabled;
    double t0 = now_seconds();
    cm_status rc = period_load(st, err, errlen);
    st->t_load = now_seconds() - t0;
    if (!rc) {
        double t1 = now_seconds();
        st->itab = calloc((size_t)st->nt, sizeof *st->itab);
        st->rejs = calloc((size_t)st->nt + 1, sizeof *st->rejs);
        st->quals = calloc((size_t)st->nt, sizeof *st->quals);
        st->dis_range = calloc((size_t)st->nt, sizeof *st->dis_range);
        for (int t = 0; st->dis_range && t < st->nt; t++) { st->dis_range[t][0] = INT32_MAX; st->dis_range[t][1] = -1; }
        int req[16];
        cm_settle_required(st->has_mtab, st->drg != NULL, req);
        cm_parse_opts po = {.need = cm_need_columns(CM_RUN_SETTLE, st->dip != NULL, st->drg != NULL) &
                                    ~(st->has_mtab ? CM_NEED(COL_INST_LEVEL) : 0),
                            .mismatch = cfg->category_mismatch,
                            .tolerance_fen = cfg->category_tolerance_fen,
                            .encoding = rd_encoding_of(cfg->input_encoding)};
        cm_reader hdr;
        memset(&hdr, 0, sizeof hdr);
        if (supervise == PERIOD_SUP_DUPS && (!cfg->sup_enabled || !cfg->sup.enabled[SC_R05]))
            supervise = 0; /* supervision or R05 off: pay both, the kept categories in the side array */
        /* the kept categories go straight into the slots' second side array (4 B a category a
         * case, grown with the slots; supervision's facts may hold the first and die after R05) */
        if (st->keep_n) po.side2_bytes = (size_t)st->keep_n * sizeof *st->keep_fen;
        if (st->keep_n) st->keep_bigtmp = calloc((size_t)st->nt, sizeof *st->keep_bigtmp);
        if (supervise == PERIOD_SUP_DUPS) rc = sv_check_previous(cfg, input, err, errlen);
        if (!rc && supervise) rc = sv_begin(cfg, st->nt, &po, &st->sup, err, errlen); /* facts per slot (supervise.h) */
        if (!rc && supervise == PERIOD_SUP_DUPS) sv_dups_only(st->sup);
        if (rc) {
            /* err says why */
        } else if (!st->itab || !st->rejs || !st->quals || !st->dis_range || (st->keep_n && !st->keep_bigtmp)) {
            snprintf(err, errlen, "out of memory");
            rc = CM_ERR_NOMEM;
        } else {
            rc = pl_read(st->input, st->al, req, &po, settle_row, st, &st->s, &hdr,
                         quiet ? NULL : progress_cb, NULL, err, errlen);
        }
        st->discharge_min = st->discharge_max = -1;
        for (int t = 0; st->dis_range && t < st->nt; t++) {
            if (st->dis_range[t][1] < 0) continue;
            if (st->discharge_min < 0 || st->dis_range[t][0] < st->discharge_min) st->discharge_min = st->dis_range[t][0];
            if (st->dis_range[t][1] > st->discharge_max) st->discharge_max = st->dis_range[t][1];
        }
        free(st->dis_range);
        st->dis_range = NULL;
        if (!rc && st->sup) sv_columns(st->sup, hdr.colidx, hdr.has_categories);
        st->input_size = hdr.file_size;
        st->input_encoding = hdr.encoding ? hdr.encoding : "UTF-8";
        if (!rc && st->keep_n) rc = keep_big_merge(st, err, errlen);
        for (int t = 0; st->keep_bigtmp && t < st->nt; t++) free(st->keep_bigtmp[t].v);
        free(st->keep_bigtmp);
        st->keep_bigtmp = NULL;
        if (!rc && g_read_hook) rc = g_read_hook(st, g_read_ctx, err, errlen); /* MPI split (province.c) */
        if (!rc && st->keep_n) st->keep_fen = (int32_t *)(void *)st->s.side2; /* pl_slots_free unmaps it */
        st->t_read = now_seconds() - t1;
    }
    if (!rc) {
        double t2 = now_seconds();
        rc = period_checks(st, err, errlen);
        if (!rc) rc = period_partials(st, err, errlen);
        if (!rc && supervise == PERIOD_SUP_DUPS && st->sup) { /* R05's join; its facts freed (supervise.h) */
            rc = sv_cross(st->sup, st, err, errlen);
            pl_side_free(&st->s);
        }
        st->t_checks = now_seconds() - t2;
    }
    return rc;
}

void period_free(cm_period *st)
{
    sv_free(st->sup);
    for (int t = 0; st->itab && t < st->nt; t++) pl_inst_table_free(&st->itab[t]);
    for (int t = 0; st->rejs && t <= st->nt; t++) pl_rejects_free(&st->rejs[t]);
    for (int t = 0; st->quals && t < st->nt; t++) pl_rejects_free(&st->quals[t]);
    free(st->quals);
    free(st->dis_range);
    pl_rejects_free(&st->qual);
    free(st->itab);
    free(st->rejs);
    pl_rejects_free(&st->rej);
    pl_slots_free(&st->s);
    free(st->inst);
    free(st->inst_start);
    free(st->ip);
    free(st->inst_rw_e4); free(st->inst_ndrg); free(st->inst_ungroup);
    free(st->drg_ref_fen);
    free(st->inst_name);
    gr_inst_table_free(&st->mtab);
    free(st->group_n); free(st->group_cost); free(st->group_sumsq);
    free(st->drg_n); free(st->drg_cost); free(st->drg_los); free(st->drg_los_n); free(st->drg_sumsq);
    calib_free(&st->cal);
    for (int t = 0; st->keep_bigtmp && t < st->nt; t++) free(st->keep_bigtmp[t].v);
    free(st->keep_bigtmp);
    free(st->keep_big); /* keep_fen: the slots' side2, unmapped by pl_slots_free */
    col_aliases_free(st->al);
    gr_dip_free(st->dip);
    gr_drg_free(st->drg);
    memset(st, 0, sizeof *st);
}

/* ------------------------------------------------------------------ */
/* the period label and the discharge dates                           */
/* ------------------------------------------------------------------ */

/* Civil month (1..12) and year of a day number (days since 1970-01-01). */
void civil_of(int z, int *y, int *m)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)yoe + era * 400 + (*m <= 2);
}

void civil_day(int z, int *y, int *m, int *d)
{
    civil_of(z, y, m);
    int yy = *y, mm = *m;
    /* day of month: z minus the day number of the month's first day */
    int yr = yy - (mm <= 2);
    int era = (yr >= 0 ? yr : yr - 399) / 400;
    unsigned yoe = (unsigned)(yr - era * 400);
    unsigned doy = (153 * (unsigned)(mm > 2 ? mm - 3 : mm + 9) + 2) / 5;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int first = era * 146097 + (int)doe - 719468;
    *d = z - first + 1;
}

int period_label_months(const char *label, int *year, int *m0, int *m1)
{
    size_t n = strlen(label);
    if (n < 4) return -1;
    for (int i = 0; i < 4; i++)
        if (label[i] < '0' || label[i] > '9') return -1;
    *year = (label[0] - '0') * 1000 + (label[1] - '0') * 100 + (label[2] - '0') * 10 + (label[3] - '0');
    const char *t = label + 4;
    char k = t[0] >= 'a' && t[0] <= 'z' ? (char)(t[0] - 32) : t[0];
    if (n == 4) { *m0 = 1; *m1 = 12; return 0; }
    if (n == 6 && k == 'Q' && t[1] >= '1' && t[1] <= '4') { *m1 = (t[1] - '0') * 3; *m0 = *m1 - 2; return 0; }
    if (n == 6 && k == 'H' && t[1] >= '1' && t[1] <= '2') { *m1 = (t[1] - '0') * 6; *m0 = *m1 - 5; return 0; }
    const char *m = n == 7 && t[0] == '-' ? t + 1 : n == 6 ? t : NULL;
    if (m && m[0] >= '0' && m[0] <= '1' && m[1] >= '0' && m[1] <= '9') {
        int mm = (m[0] - '0') * 10 + (m[1] - '0');
        if (mm >= 1 && mm <= 12) { *m0 = *m1 = mm; return 0; }
    }
    return -1;
}

int period_dates_check(const cm_period *st, const char *input, const char *label, const char *what,
                       char first[12], char last[12])
{
    first[0] = last[0] = '\0';
    if (st->discharge_min < 0) return 0;
    int y0, m0, d0, y1, m1, d1, year, f, l;
    civil_day(st->discharge_min, &y0, &m0, &d0);
    civil_day(st->discharge_max, &y1, &m1, &d1);
    snprintf(first, 12, "%04d-%02d-%02d", y0 % 10000, m0, d0);
    snprintf(last, 12, "%04d-%02d-%02d", y1 % 10000, m1, d1);
    if (period_label_months(label, &year, &f, &l) != 0) return 0;
    int out = y0 != year || y1 != year || m0 < f || m1 > l;
    char rp[PATH_MAX]; /* config/../build/x.csv -> its canonical path */
    if (out && realpath(input, rp)) input = rp;
    if (out) /* printed with --quiet too: a quiet batch must still see it */
        fprintf(stderr, "casemix: WARNING: %s: discharge dates run from %s to %s, beyond %s; is this the %s's export? "
                        "(its cases are all counted in %s%s)\n",
                input, first, last, label, what, label,
                strcmp(what, "period") ? "" : "; set period to the label of the dates, e.g. \"2025\" for a year");
    return out;
}
