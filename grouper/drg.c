/*
 * drg.c - CHS-DRG grouping of one case (MDC -> ADRG -> DRG) as OpenDRG's
 * chs_drg_11 does it, quirks included (../shared/data/chs-drg-1.1/RULES.md).
 *
 * One function, run(), does the work for both gr_drg_assign and
 * gr_drg_explain: with a NULL trace it only computes, with a trace it also
 * writes English lines saying why. Sharing the code path keeps the trace
 * honest; the TR() macro keeps the fast path free of formatting work.
 *
 * Per case: each input code is looked up once (drg_impl.h hash) into a
 * stack array of ids, capped at GR_DRG_MAX_CODES; after that every test is
 * a bit test or a scan of a code's few list ids. No allocation, no writes
 * to the shared context.
 *
 * Steps (RULES.md): 1. validation (sex, age, age_days, weight, principal).
 * 2. MDCs in eval_order; an MDC is entered when its entry rule and every
 * non-empty requirement hold; its ADRGs are tried in order_in_mdc; the first
 * ADRG with a true alternative wins; if none, the next MDC is tried
 * (fall-through, Q3). 3. DRG: the first of the ADRG's DRGs whose condition
 * (mcc / mcc_or_cc / always) holds, where MCC/CC come from secondary
 * diagnoses only and a secondary is dropped when its exclusion table equals
 * the principal's cc_exclusion table (no downgrade of an excluded MCC).
 * The result's cc field (0/1/2) is set for grouped cases only.
 *
 * Missing integers are exactly -1 (grouper.h); other negative values are
 * taken as given, like the reference grouper does with any int.
 */
#include "drg_impl.h"
#include "gtrace.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    uint32_t dx[GR_DRG_MAX_CODES];
    uint32_t pr[GR_DRG_MAX_CODES];
    const char *dxs[GR_DRG_MAX_CODES];
    const char *prs[GR_DRG_MAX_CODES];
    int ndx, npr;
    int dropped_dx, dropped_pr;   /* codes past the cap */
    int sex, age_years, age_days, weight;
} view;

static int present(const char *s)
{
    return s && *s;
}

static inline uint32_t lookup(const gr_drg *g, const char *s)
{
    size_t n = strnlen(s, g->max_code_len + 1);
    if (n > g->max_code_len) return 0;
    char up[DRG_CODE_MAX];
    if (g->opt.upcase_codes) {
        for (size_t i = 0; i < n; i++) up[i] = (char)toupper((unsigned char)s[i]);
        s = up;
    }
    uint64_t k[DRG_KEY_INLINE / 8];
    uint32_t h = drg_key(s, n, k);
    return drg_intern_probe(&g->codes, h, k, s, n);
}

static inline int in_list(const gr_drg *g, uint32_t id, uint16_t list)
{
    const drg_code *c = &g->info[id];
    if (list == DRG_LIST_OR) return c->is_or;
    const uint16_t *p = g->post + c->post_off;
    for (uint32_t k = 0; k < c->post_n; k++)
        if (p[k] >= list) return p[k] == list;
    return 0;
}

static inline int cmp_num(int32_t a, uint8_t op, int32_t b)
{
    switch (op) {
    case DRG_OP_LE: return a <= b;
    case DRG_OP_LT: return a < b;
    case DRG_OP_GE: return a >= b;
    case DRG_OP_GT: return a > b;
    case DRG_OP_EQ: return a == b;
    default: return 0;
    }
}

/* *wit: index of the dx/proc that made an in-test true, else -1. */
static int term_true(const gr_drg *g, const drg_term *t, const view *v, int *wit)
{
    int hit = -1;
    *wit = -1;
    switch (t->field) {
    case DRG_F_PRINCIPAL_DX:
        if (in_list(g, v->dx[0], t->list)) hit = 0;
        break;
    case DRG_F_ANY_DX:
        for (int i = 0; i < v->ndx && hit < 0; i++)
            if (in_list(g, v->dx[i], t->list)) hit = i;
        break;
    case DRG_F_PRINCIPAL_PROC:
        if (v->npr > 0 && in_list(g, v->pr[0], t->list)) hit = 0;
        break;
    case DRG_F_ANY_PROC:
        for (int i = 0; i < v->npr && hit < 0; i++)
            if (in_list(g, v->pr[i], t->list)) hit = i;
        break;
    case DRG_F_AGE_DAYS:
        return v->age_days != -1 && cmp_num(v->age_days, t->op, t->num);
    case DRG_F_BIRTH_WEIGHT:   /* Python truthiness: 0 never passes (Q5) */
        return v->weight != -1 && v->weight != 0 && cmp_num(v->weight, t->op, t->num);
    case DRG_F_ALWAYS:
        return 1;
    default:
        return 0;
    }
    *wit = hit;
    return t->op == DRG_OP_IN ? hit >= 0 : hit < 0;
}

/* Index (within the ADRG) of the first true alternative, or -1. */
static int adrg_match(const gr_drg *g, const drg_adrg *a, const view *v)
{
    for (uint32_t k = 0; k < a->n_alt; k++) {
        const drg_alt *al = &g->alt[a->alt_off + k];
        const drg_term *t = &g->term[al->term_off];
        uint32_t j = 0;
        int wit;
        while (j < al->n_terms && term_true(g, &t[j], v, &wit)) j++;
        if (j == al->n_terms) return (int)k;
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* trace helpers                                                       */
/* ------------------------------------------------------------------ */

static const char *code_name(const gr_drg *g, uint32_t id)
{
    return g->text.p + g->name_off[id];
}

static const char *list_name(const gr_drg *g, uint16_t list)
{
    return list == DRG_LIST_OR ? "OR (or_procedures.csv)" : drg_intern_str(&g->lists, list);
}

static const char *op_text(uint8_t op)
{
    switch (op) {
    case DRG_OP_LE: return "<=";
    case DRG_OP_LT: return "<";
    case DRG_OP_GE: return ">=";
    case DRG_OP_GT: return ">";
    case DRG_OP_EQ: return "==";
    default: return "?";
    }
}

static void trace_term(const gr_drg *g, const drg_term *t, const view *v, trace *tr)
{
    int wit;
    term_true(g, t, v, &wit);
    const char *ln = list_name(g, t->list);
    int in = t->op == DRG_OP_IN;
    switch (t->field) {
    case DRG_F_PRINCIPAL_DX:
        trf(tr, "    principal dx %s %s list %s\n", v->dxs[0], in ? "is in" : "is not in", ln);
        break;
    case DRG_F_ANY_DX:
        if (in) trf(tr, "    dx[%d] %s is in list %s\n", wit, v->dxs[wit], ln);
        else trf(tr, "    no diagnosis is in list %s\n", ln);
        break;
    case DRG_F_PRINCIPAL_PROC:
        if (in) trf(tr, "    first-listed procedure %s is in list %s\n", v->prs[0], ln);
        else if (v->npr) trf(tr, "    first-listed procedure %s is not in list %s\n", v->prs[0], ln);
        else trf(tr, "    there is no procedure (not in list %s)\n", ln);
        break;
    case DRG_F_ANY_PROC:
        if (in) trf(tr, "    procedure[%d] %s is in list %s\n", wit, v->prs[wit], ln);
        else trf(tr, "    no procedure is in list %s\n", ln);
        break;
    case DRG_F_AGE_DAYS:
        trf(tr, "    age_days %d %s %d\n", v->age_days, op_text(t->op), (int)t->num);
        break;
    case DRG_F_BIRTH_WEIGHT:
        trf(tr, "    birth weight %d g %s %d g\n", v->weight, op_text(t->op), (int)t->num);
        break;
    default:
        trf(tr, "    always true\n");
    }
}

static void trace_code(const gr_drg *g, int is_dx, int i, const char *s, uint32_t id, trace *tr)
{
    const char *role = is_dx ? (i ? "其他诊断 other diagnosis" : "主要诊断 principal diagnosis")
                             : (i ? "其他手术及操作 other procedure" : "主要手术及操作 first-listed procedure");
    if (id) {
        trf(tr, "%s[%d] %s %s (%s)\n", is_dx ? "dx" : "proc", i, s, code_name(g, id), role);
        return;
    }
    trf(tr, "%s[%d] %s (%s; not in any table: matches nothing)\n", is_dx ? "dx" : "proc", i, s, role);
    if (!g->opt.upcase_codes && has_lower(s))
        trf(tr, "  hint: %s has lower-case letters and codes are compared exactly, as the reference "
                "grouper does; drg.upcase_codes = true upper-cases them before the lookup\n", s);
}

/* ------------------------------------------------------------------ */
/* grouping                                                            */
/* ------------------------------------------------------------------ */

static int popcount32(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

static inline int lowest_bit(uint32_t x)
{
#if defined(__GNUC__)
    return __builtin_ctz(x);
#else
    int i = 0;
    while (!(x & 1u)) x >>= 1, i++;
    return i;
#endif
}

static int mdc_entered(const gr_drg *g, int mi, const view *v, trace *tr)
{
    const drg_mdc *m = &g->mdc[mi];
    const char *mc = m->code;
    if (m->entry == DRG_ENTRY_PROC_OR) {
        if (v->npr == 0 || !g->info[v->pr[0]].is_or) {
            if (tr && v->npr) trf(tr, "%s: not entered: first-listed procedure %s is not an OR procedure\n", mc, v->prs[0]);
            else if (tr) trf(tr, "%s: not entered: no procedure\n", mc);
            return 0;
        }
    } else if (!((g->info[v->dx[0]].mdc_mask >> mi) & 1u)) {
        return 0;
    }
    if (m->sex_req >= 0 && v->sex != m->sex_req) {
        TR("%s: not entered: principal dx is in its list but sex is %d, it needs %d\n", mc, v->sex,
           (int)m->sex_req);
        return 0;
    }
    if (m->age_req >= 0 && v->age_years != m->age_req) {
        TR("%s: not entered: principal dx is in its list but age is %d years, it needs %d\n", mc, v->age_years,
           (int)m->age_req);
        return 0;
    }
    if (m->min_regions > 0) {
        uint32_t regs = 0, bit = 1u << mi;
        for (int i = 0; i < v->ndx; i++) {
            const drg_code *c = &g->info[v->dx[i]];
            if (c->mdc_mask & bit) regs |= c->region_mask;
        }
        int nreg = popcount32(regs);
        if (tr) {
            for (int i = 0; i < v->ndx; i++) {
                const drg_code *c = &g->info[v->dx[i]];
                if ((c->mdc_mask & bit) && c->region_mask)
                    for (uint32_t r = 0; r < DRG_MAX_REGION; r++)
                        if (c->region_mask == 1u << r)
                            trf(tr, "%s: dx[%d] %s is a trauma of region %s\n", mc, i, v->dxs[i],
                                drg_intern_str(&g->regions, r + 1));
            }
        }
        if (nreg < m->min_regions) {
            TR("%s: not entered: principal dx is in its list but the diagnoses cover %d trauma region(s), "
               "it needs %d\n", mc, nreg, (int)m->min_regions);
            return 0;
        }
    }
    if (m->entry == DRG_ENTRY_PROC_OR)
        TR("%s %s: entered: first-listed procedure %s is an OR procedure\n", mc, g->text.p + m->name_off, v->prs[0]);
    else
        TR("%s %s: entered: principal dx %s is in its list (mdc_dx.csv)\n", mc, g->text.p + m->name_off, v->dxs[0]);
    return 1;
}

static void select_drg(const gr_drg *g, int ai, const view *v, gr_drg_result *r, trace *tr)
{
    const drg_adrg *a = &g->adrg[ai];
    uint16_t t = g->info[v->dx[0]].cce_tab;
    int mcc = -1, cc = -1;
    if (t) TR("principal dx %s has CC-exclusion table (排除表) %s (cc_exclusion.csv)\n", v->dxs[0], drg_intern_str(&g->tabs, t));
    else TR("principal dx %s has no CC-exclusion table (排除表)\n", v->dxs[0]);
    for (int i = 1; i < v->ndx; i++) {
        const drg_code *c = &g->info[v->dx[i]];
        if (c->mcc_tab) {
            if (t && c->mcc_tab == t) {
                TR("dx[%d] %s is an MCC (严重并发症/合并症, table %s) but is excluded by the principal's "
                   "exclusion table (排除表) %s\n", i, v->dxs[i],
                   drg_intern_str(&g->tabs, c->mcc_tab), drg_intern_str(&g->tabs, t));
            } else {
                TR("dx[%d] %s is an MCC (严重并发症/合并症, table %s)%s\n", i, v->dxs[i], drg_intern_str(&g->tabs, c->mcc_tab),
                   mcc < 0 ? ": counts" : "");
                if (mcc < 0) mcc = i;
            }
        }
        if (c->cc_tab) {
            if (t && c->cc_tab == t) {
                TR("dx[%d] %s is a CC (并发症/合并症, table %s) but is excluded by the principal's "
                   "exclusion table (排除表) %s\n", i, v->dxs[i],
                   drg_intern_str(&g->tabs, c->cc_tab), drg_intern_str(&g->tabs, t));
            } else {
                TR("dx[%d] %s is a CC (并发症/合并症, table %s)%s\n", i, v->dxs[i], drg_intern_str(&g->tabs, c->cc_tab),
                   cc < 0 ? ": counts" : "");
                if (cc < 0) cc = i;
            }
        }
        if (!tr && mcc >= 0 && cc >= 0) break;
    }
    r->cc = (uint8_t)(mcc >= 0 ? 2 : cc >= 0 ? 1 : 0);
    if (mcc >= 0) TR("severity: MCC, from dx[%d] %s\n", mcc, v->dxs[mcc]);
    else if (cc >= 0) TR("severity: CC, from dx[%d] %s\n", cc, v->dxs[cc]);
    else TR("severity: no MCC or CC (并发症/合并症) among the secondary diagnoses (其他诊断)\n");
    for (uint32_t k = 0; k < a->n_drg; k++) {
        int32_t di = (int32_t)(a->drg_off + k);
        const drg_drg *d = &g->drg[di];
        int ok = d->cond == DRG_COND_ALWAYS || (d->cond == DRG_COND_MCC && mcc >= 0) ||
                 (d->cond == DRG_COND_MCC_OR_CC && (mcc >= 0 || cc >= 0));
        TR("DRG %s (condition %s): %s\n", d->code,
           d->cond == DRG_COND_MCC ? "mcc" : d->cond == DRG_COND_MCC_OR_CC ? "mcc_or_cc" : "always",
           ok ? "chosen" : "not met");
        if (ok) {
            r->drg = di;
            return;
        }
    }
}

/* Looks up n codes in two passes, so that the cache misses of the hash
 * slots (then of the per-code records) overlap instead of queueing. */
static void lookup_batch(const gr_drg *g, const char *const *s, int n, uint32_t *out)
{
    uint64_t k[GR_DRG_MAX_CODES][DRG_KEY_INLINE / 8];
    uint32_t h[GR_DRG_MAX_CODES];
    size_t len[GR_DRG_MAX_CODES];
    const drg_intern *t = &g->codes;
    for (int i = 0; i < n; i++) {
        size_t m = strnlen(s[i], g->max_code_len + 1);
        len[i] = m;
        if (m > g->max_code_len) continue;
        if (m >= DRG_KEY_INLINE && g->opt.upcase_codes) continue;   /* long keys: lookup() */
        if (g->opt.upcase_codes) {
            char up[DRG_KEY_INLINE];
            for (size_t j = 0; j < m; j++) up[j] = (char)toupper((unsigned char)s[i][j]);
            h[i] = drg_key(up, m, k[i]);
        } else {
            h[i] = drg_key(s[i], m, k[i]);
        }
#if defined(__GNUC__)
        __builtin_prefetch(&t->slots[h[i] & t->mask]);
#endif
    }
    for (int i = 0; i < n; i++) {
        if (len[i] > g->max_code_len) out[i] = 0;
        else if (len[i] >= DRG_KEY_INLINE && g->opt.upcase_codes) out[i] = lookup(g, s[i]);
        else out[i] = drg_intern_probe(t, h[i], k[i], s[i], len[i]);
#if defined(__GNUC__)
        __builtin_prefetch(&g->info[out[i]]);
#endif
    }
}

static void fill_view(const gr_drg *g, const gr_case *c, view *v)
{
    v->ndx = v->npr = v->dropped_dx = v->dropped_pr = 0;
    v->dxs[v->ndx++] = c->principal_dx;
    for (int i = 0; c->other_dx && i < c->n_other_dx; i++) {
        const char *s = c->other_dx[i];
        if (!present(s)) continue;
        if (v->ndx == GR_DRG_MAX_CODES) v->dropped_dx++;
        else v->dxs[v->ndx++] = s;
    }
    if (present(c->principal_proc)) v->prs[v->npr++] = c->principal_proc;
    for (int i = 0; c->other_procs && i < c->n_other_procs; i++) {
        const char *s = c->other_procs[i];
        if (!present(s)) continue;
        if (v->npr == GR_DRG_MAX_CODES) v->dropped_pr++;
        else v->prs[v->npr++] = s;
    }
    lookup_batch(g, v->dxs, v->ndx, v->dx);
    lookup_batch(g, v->prs, v->npr, v->pr);
}

static const char *int_text(int x, char *buf, size_t n)
{
    if (x == -1) return "missing";
    snprintf(buf, n, "%d", x);
    return buf;
}

static void run(const gr_drg *g, const gr_case *c, gr_drg_result *r, trace *tr)
{
    r->drg = -1;
    r->adrg = -1;
    r->mdc = -1;
    r->status = GR_DRG_CHECK_FAILED;
    r->why = GR_DRG_WHY_NONE;
    r->cc = 0;

    view v;
    v.sex = c->sex;
    v.age_years = c->age_years;
    v.age_days = c->age_days;
    v.weight = c->birth_weight_g;
    if (g->opt.strict_weight && v.weight <= 0) v.weight = -1;

    if (tr) {
        char b1[16], b2[16], b3[16], b4[16];
        trf(tr, "%s: %d MDC, %d ADRG, %d DRG\n", g->version, g->nmdc, g->nadrg, g->ndrg);
        trf(tr, "case: sex %s, age_years %s, age_days %s, birth_weight_g %s\n", int_text(c->sex, b1, sizeof b1),
            int_text(c->age_years, b2, sizeof b2), int_text(c->age_days, b3, sizeof b3),
            int_text(c->birth_weight_g, b4, sizeof b4));
    }

    int why = GR_DRG_WHY_NONE;
    if (v.sex != 1 && v.sex != 2) why = GR_DRG_WHY_SEX;
    else if (v.age_years == -1) why = GR_DRG_WHY_AGE;
    else if (v.age_years == 0 && v.age_days == -1) why = GR_DRG_WHY_AGE_DAYS;
    else if (v.age_years == 0 && v.age_days <= 28 && v.weight == -1) why = GR_DRG_WHY_WEIGHT;
    else if (!present(c->principal_dx)) why = GR_DRG_WHY_NO_DX;
    if (why != GR_DRG_WHY_NONE) {
        r->why = (uint8_t)why;
        TR("validation failed: %s -> 0000 (CHECK_FAILED/%s)\n",
           why == GR_DRG_WHY_SEX ? "sex must be 1 (male) or 2 (female)" :
           why == GR_DRG_WHY_AGE ? "age in years is missing" :
           why == GR_DRG_WHY_AGE_DAYS ? "age is 0 years and age in days is missing" :
           why == GR_DRG_WHY_WEIGHT ? (g->opt.strict_weight ? "age <= 28 days and birth weight is missing or <= 0"
                                                            : "age <= 28 days and birth weight is missing")
                                    : "no principal diagnosis",
           gr_drg_why_name((gr_drg_why)why));
        return;
    }

    fill_view(g, c, &v);
    if (tr) {
        for (int i = 0; i < v.ndx; i++) trace_code(g, 1, i, v.dxs[i], v.dx[i], tr);
        for (int i = 0; i < v.npr; i++) trace_code(g, 0, i, v.prs[i], v.pr[i], tr);
        if (v.dropped_dx || v.dropped_pr)
            trf(tr, "ignored past the cap of %d: %d diagnosis(es), %d procedure(s)\n", GR_DRG_MAX_CODES,
                v.dropped_dx, v.dropped_pr);
        trf(tr, "validation: passed\n");
    }

    /* Only MDCs whose first entry test can hold are visited (all of them
     * when tracing, to say why the others were not entered). */
    uint32_t cand = g->info[v.dx[0]].mdc_mask;
    if (v.npr && g->info[v.pr[0]].is_or) cand |= g->or_entry_mask;
    if (tr) cand = g->nmdc == 32 ? UINT32_MAX : (1u << g->nmdc) - 1;
    int entered = 0;
    for (; cand; cand &= cand - 1) {
        int mi = lowest_bit(cand);
        if (!mdc_entered(g, mi, &v, tr)) continue;
        entered++;
        const drg_mdc *m = &g->mdc[mi];
        for (uint32_t k = 0; k < m->n_adrg; k++) {
            int ai = (int)(m->adrg_off + k);
            const drg_adrg *a = &g->adrg[ai];
            int alt = adrg_match(g, a, &v);
            if (alt < 0) continue;
            if (tr) {
                const drg_alt *al = &g->alt[a->alt_off + (uint32_t)alt];
                trf(tr, "ADRG %s %s: matched (rule alt %d%s, after %u ADRG(s) of %s that did not match):\n", a->code,
                    g->text.p + a->name_off, (int)al->alt, a->n_alt > 1 ? " of several" : "", k, m->code);
                for (uint32_t j = 0; j < al->n_terms; j++) trace_term(g, &g->term[al->term_off + j], &v, tr);
            }
            r->mdc = (int8_t)mi;
            r->adrg = (int16_t)ai;
            r->status = GR_DRG_OK;
            select_drg(g, ai, &v, r, tr);
            TR("result: OK %s %s %s %s\n", m->code, a->code, g->drg[r->drg].code, g->text.p + g->drg[r->drg].name_off);
            return;
        }
        TR("%s: no ADRG matched (%u tried); falling through to the next MDC\n", m->code, m->n_adrg);
    }
    r->status = GR_DRG_UNGROUPABLE;
    r->why = GR_DRG_WHY_NO_MDC;
    if (tr) {
        if (!entered) {
            uint32_t mask = g->info[v.dx[0]].mdc_mask;
            if (!mask) {
                trf(tr, "principal dx %s is in no MDC list (mdc_dx.csv)\n", v.dxs[0]);
            } else {
                trf(tr, "principal dx %s is in the list of", v.dxs[0]);
                for (int mi = 0; mi < g->nmdc; mi++)
                    if ((mask >> mi) & 1u) trf(tr, " %s", g->mdc[mi].code);
                trf(tr, ", but their other entry conditions failed\n");
            }
        }
        trf(tr, "result: UNGROUPABLE 0000 00 0000 (%d MDC(s) entered, no ADRG matched)\n", entered);
    }
}

void gr_drg_assign(const gr_drg *g, const gr_case *c, gr_drg_result *r)
{
    run(g, c, r, NULL);
}

size_t gr_drg_explain(const gr_drg *g, const gr_case *c, char *buf, size_t n)
{
    trace t = {buf, buf ? n : 0, 0};
    if (t.n) buf[0] = '\0';
    gr_drg_result r;
    run(g, c, &r, &t);
    return t.len;
}

/* ------------------------------------------------------------------ */
/* names and accessors                                                 */
/* ------------------------------------------------------------------ */

void gr_drg_options_default(gr_drg_options *o)
{
    memset(o, 0, sizeof *o);
}

const char *gr_drg_status_name(gr_drg_status s)
{
    switch (s) {
    case GR_DRG_OK: return "OK";
    case GR_DRG_UNGROUPABLE: return "UNGROUPABLE";
    case GR_DRG_CHECK_FAILED: return "CHECK_FAILED";
    }
    return "?";
}

const char *gr_drg_why_name(gr_drg_why w)
{
    switch (w) {
    case GR_DRG_WHY_NONE: return "NONE";
    case GR_DRG_WHY_SEX: return "SEX";
    case GR_DRG_WHY_AGE: return "AGE";
    case GR_DRG_WHY_AGE_DAYS: return "AGE_DAYS";
    case GR_DRG_WHY_WEIGHT: return "WEIGHT";
    case GR_DRG_WHY_NO_DX: return "NO_DX";
    case GR_DRG_WHY_NO_MDC: return "NO_MDC";
    }
    return "?";
}

size_t gr_drg_ndrg(const gr_drg *g)
{
    return (size_t)g->ndrg;
}

const char *gr_drg_code(const gr_drg *g, int32_t drg)
{
    return drg >= 0 && drg < g->ndrg ? g->drg[drg].code : "0000";
}

const char *gr_drg_name(const gr_drg *g, int32_t drg)
{
    return drg >= 0 && drg < g->ndrg ? g->text.p + g->drg[drg].name_off : "";
}

int32_t gr_drg_adrg_of(const gr_drg *g, int32_t drg)
{
    return drg >= 0 && drg < g->ndrg ? g->drg[drg].adrg : -1;
}

size_t gr_drg_nadrg(const gr_drg *g)
{
    return (size_t)g->nadrg;
}

const char *gr_drg_adrg_code(const gr_drg *g, int32_t adrg)
{
    return adrg >= 0 && adrg < g->nadrg ? g->adrg[adrg].code : "00";
}

size_t gr_drg_nmdc(const gr_drg *g)
{
    return (size_t)g->nmdc;
}

const char *gr_drg_mdc_code(const gr_drg *g, int32_t mdc)
{
    return mdc >= 0 && mdc < g->nmdc ? g->mdc[mdc].code : "0000";
}

const char *gr_drg_version(const gr_drg *g)
{
    return g->version;
}
