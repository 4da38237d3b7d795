/*
 * pay.c - a scenario's partials and payments (engine/period.h):
 *   partials per fixed slice of 2^SLICE_SHIFT slots (scores, outlier
 *   classes, special review, DRG points), merged in slice order onto the
 *   period's partials; then, per scheme: point value = (budget ÷ fund
 *   share) ÷ Σ points; institution payments by largest remainder over
 *   Σ points (Σ = budget exactly); each institution's payment over its
 *   cases the same way (the cases of an institution in slot order: the
 *   period's inst_start / order_at).
 * Every sum is an integer, so the bytes do not depend on the thread count
 * nor on the order the slices are merged in (MPI ranks later).
 */
#include "period.h"

#include <stdlib.h>
#include <string.h>

/* Shares a scheme's budget over institutions by points, then each
 * institution's payment over its cases, into the column pay. */
static cm_status pay_scheme(cm_scenario *sn, scheme_tot *T, int drg_scheme, char *err, size_t errlen)
{
    const cm_period *st = sn->p;
    size_t ninst = st->ninst;
    const size_t *start = st->inst_start;
    int64_t *scratch = malloc((ninst ? ninst : 1) * sizeof *scratch);
    T->inst_pay = calloc(ninst ? ninst : 1, sizeof *T->inst_pay);
    if (!scratch || !T->inst_pay) { free(scratch); snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    for (size_t k = 0; k < ninst; k++) T->points_e4 += T->inst_points[k];
    T->point_value = sn->cfg->fund_share > 0
                         ? sc_point_value_share(T->budget_fen, sn->cfg->fund_share, T->points_e4)
                         : sn->in.cost_sum ? sc_point_value(T->budget_fen, sn->in.fund_sum, sn->in.cost_sum, T->points_e4)
                         : sc_point_value(T->budget_fen, st->fund_fen, st->cost_fen, T->points_e4);
    sc_status ps = sc_apportion(T->budget_fen, T->inst_points, ninst, T->inst_pay, scratch);
    free(scratch);
    if (ps != SC_OK) {
        snprintf(err, errlen, "%s: the total %s is zero; nothing to share the budget over", st->input,
                 drg_scheme ? "of DRG points" : "score");
        return CM_ERR_INPUT;
    }
    const cm_case *sl = st->s.slots;
    sn_col pts = drg_scheme ? sn->drg_pts : sn->score, pay = drg_scheme ? sn->drg_pay : sn->pay;
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
            for (size_t j = 0; j < n; j++) wv[j] = *sn_i64(pts, sl[start[k] + j].order_at);
            if (sc_apportion(ipay[k], wv, n, ov, sv) != SC_OK)
                for (size_t j = 0; j < n; j++) ov[j] = 0;
            for (size_t j = 0; j < n; j++) {
                *sn_i64(pay, sl[start[k] + j].order_at) = ov[j];
                paid += ov[j];
            }
        }
        free(wv); free(ov); free(sv);
    }
    if (bad) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    for (size_t k = 0; k < ninst; k++) T->pay_fen += T->inst_pay[k];
    T->cases_paid_fen = paid; /* integer sum: the same in any order */
    return CM_OK;
}

cm_status sn_pay(cm_scenario *sn, char *err, size_t errlen)
{
    const cm_period *st = sn->p;
    const cm_config *cfg = sn->cfg;
    const pl_slots *s = &st->s;
    size_t ninst = st->ninst, nslice = (size_t)pl_threads();
    /* per-thread partials of the scenario's own sums: exact integers, so a
     * static split of the slots over the threads (a period of up to 2^20
     * slots is one slice) merged in thread order gives the same sums at
     * any thread count */
    typedef struct {
        int64_t drg_pts, drg_out[3];
    } inst_drg_part;
    sc_inst_partial *part = calloc(nslice * ninst + 1, sizeof *part);
    inst_drg_part *dpart = calloc(nslice * ninst + 1, sizeof *dpart);
    int64_t *over = calloc(nslice, sizeof *over);
    sn->ip = malloc((ninst ? ninst : 1) * sizeof *sn->ip);
    sn->dipt.inst_points = calloc(ninst ? ninst : 1, sizeof(int64_t));
    sn->drgt.inst_points = calloc(ninst ? ninst : 1, sizeof(int64_t));
    sn->inst_drg_out = calloc(ninst * 3 + 1, sizeof(int64_t));
    cm_status rc = CM_ERR_NOMEM;
    if (!part || !dpart || !over || !sn->ip || !sn->dipt.inst_points || !sn->drgt.inst_points ||
        !sn->inst_drg_out) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (ninst) memcpy(sn->ip, st->ip, ninst * sizeof *sn->ip);
    int dip_on = st->dip != NULL, drg_on = st->drg != NULL;
#pragma omp parallel num_threads((int)nslice)
    {
        size_t sl = (size_t)pl_thread_id();
        sc_inst_partial *P = part + sl * ninst;
        inst_drg_part *D = dpart + sl * ninst;
#pragma omp for schedule(static)
        for (long li = 0; li < (long)s->n; li++) {
            size_t i = (size_t)li;
            const cm_case *c = &s->slots[i];
            if (c->status != SLOT_CASE) continue;
            if (dip_on) {
                sc_inst_partial *p = &P[c->inst];
                uint16_t fl = *sn_u16(sn->flags, i);
                p->score_e4 += *sn_i64(sn->score, i);
                p->n_outlier[*sn_u8(sn->outlier, i)]++;
                p->n_special += (fl & CF_SPECIAL) != 0;
                over[sl] += (fl & CF_SPECIAL_OVER) != 0;
            }
            if (drg_on && c->drg >= 0) {
                inst_drg_part *d = &D[c->inst];
                d->drg_pts += *sn_i64(sn->drg_pts, i);
                d->drg_out[*sn_u8(sn->drg_outlier, i)]++;
            }
        }
    }
    for (size_t sl = 0; sl < nslice; sl++) {
        for (size_t k = 0; k < ninst; k++) {
            sc_inst_merge(&sn->ip[k], &part[sl * ninst + k]);
            const inst_drg_part *d = &dpart[sl * ninst + k];
            sn->drgt.inst_points[k] += d->drg_pts;
            for (int q = 0; q < 3; q++) sn->inst_drg_out[k * 3 + (size_t)q] += d->drg_out[q];
        }
        sn->n_special_over += over[sl];
    }
    for (size_t k = 0; k < ninst; k++) {
        const sc_inst_partial *P = &sn->ip[k];
        sn->n_special += P->n_special;
        for (int q = 0; q < SC_OUT__COUNT; q++) sn->dipt.n_outlier[q] += P->n_outlier[q];
        sn->dipt.inst_points[k] = P->score_e4;
        for (int q = 0; q < 3; q++) sn->drgt.n_outlier[q] += sn->inst_drg_out[k * 3 + (size_t)q];
    }
    sn->fund_share = cfg->fund_share > 0 ? cfg->fund_share
                     : sn->in.cost_sum ? sc_fund_share(sn->in.fund_sum, sn->in.cost_sum) /* re-priced (simulate) */
                     : sc_fund_share(st->fund_fen, st->cost_fen);
    if (!(sn->fund_share > 0)) {
        /* point value = (budget ÷ fund share) ÷ Σ points: with a share of 0
         * there is none, and paying the budget out would hide the fault.
         * The same share serves DIP and DRG, so this covers both schemes. */
        char y1[40], y2[40];
        snprintf(err, errlen,
                 "%s: the fund share is 0: Σ fund paid = %s yuan over %lld cases (Σ total cost %s yuan): "
                 "the export's 统筹基金支付 (fund_paid) column is empty or zero, so no point value can be "
                 "computed; fill that column, or set budget.fund_share, the share of the fund in the "
                 "total cost, in the configuration (budget = { fund_share = 0.65; };)",
                 st->input, cm_yuan_text(y1, sizeof y1, st->fund_fen, 1), (long long)st->cases,
                 cm_yuan_text(y2, sizeof y2, st->cost_fen, 1));
        rc = CM_ERR_INPUT;
        goto out;
    }
    cm_status e = CM_OK;
    if (dip_on) {
        sn->dipt.on = 1;
        sn->dipt.budget_fen = cfg->fund_budget_fen;
        e = pay_scheme(sn, &sn->dipt, 0, err, errlen);
    }
    if (!e && drg_on) {
        sn->drgt.on = 1;
        sn->drgt.budget_fen = cfg->drg_budget_fen > 0 ? cfg->drg_budget_fen : cfg->fund_budget_fen;
        e = pay_scheme(sn, &sn->drgt, 1, err, errlen);
    }
    rc = e;
out:
    free(part); free(dpart); free(over);
    return rc;
}
