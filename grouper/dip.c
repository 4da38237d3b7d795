/*
 * dip.c - DIP matching of one case (docs/METHODS.md §2) and the read-only
 * accessors of a loaded catalogue. Loading is in dip_load.c.
 *
 * Matching, in the order the golden set encodes:
 *  1. principal diagnosis trimmed and upper-cased; empty -> KBBZ DX_MISSING;
 *     not on the configured ICD-10 list -> KBBZ DX_INVALID.
 *  2. main procedure = principal procedure, or (empty principal, option
 *     first_other_as_principal) the first non-empty other procedure. The
 *     case's "other procedures" are the remaining ones, without repeats of
 *     the main procedure and without duplicates; n is their count.
 *  3. no main procedure: the 亚目's dx-only core group (NO_PROCS), else the
 *     类目:BSZL comprehensive group (NO_DX_ONLY_GROUP).
 *  4. candidates of (亚目, main): exact = a related set equal to the other
 *     procedures; most_related = the largest related set wholly on the case
 *     (a proper subset), ties to the lowest 序号; dx_main = the group without
 *     related procedures (RELATED_NOT_ON_CASE when related groups exist).
 *  5. no core match: dx-only group when every procedure is on the simple
 *     list (SIMPLE_PROCS, only with a simple list); main procedure without
 *     attribute -> KBBZ PROC_ATTRIBUTE_UNKNOWN; else 类目 + attribute
 *     (NO_CORE_MATCH), or KBBZ NO_CATALOGUE_ENTRY when that group is absent.
 *
 * Speed: every input code is copied once into a stack buffer while it is
 * trimmed, upper-cased and hashed (the 类目 and 亚目 prefix hashes fall out
 * of the same pass), then looked up in the interned tables; candidate lists
 * are precomputed per (亚目, main procedure). Nothing is allocated per case.
 */
#include "dip_internal.h"
#include "gtrace.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

const char *gr_status_name(gr_status s)
{
    switch (s) {
    case GR_OK: return "ok";
    case GR_ERR_IO: return "io";
    case GR_ERR_FORMAT: return "format";
    case GR_ERR_NOMEM: return "nomem";
    case GR_ERR_ARG: return "arg";
    }
    return "?";
}

const char *gr_dip_path_name(gr_dip_path p)
{
    static const char *const names[GR_PATH__COUNT] = {
        "exact", "most_related", "dx_main", "dx_only", "comprehensive", "blank"
    };
    return (unsigned)p < GR_PATH__COUNT ? names[p] : "?";
}

const char *gr_dip_why_name(gr_dip_why w)
{
    static const char *const names[GR_WHY__COUNT] = {
        "NO_PROCS", "SIMPLE_PROCS", "RELATED", "NO_RELATED_GROUPS",
        "RELATED_NOT_ON_CASE", "NO_CORE_MATCH", "NO_DX_ONLY_GROUP",
        "DX_MISSING", "DX_INVALID", "PROC_ATTRIBUTE_UNKNOWN", "NO_CATALOGUE_ENTRY"
    };
    return (unsigned)w < GR_WHY__COUNT ? names[w] : "?";
}

const char *gr_attr_name(gr_attr a)
{
    switch (a) {
    case GR_ATTR_NONE: return "BSZL";
    case GR_ATTR_SS: return "SS";
    case GR_ATTR_ZLXCZ: return "ZLXCZ";
    case GR_ATTR_ZDXCZ: return "ZDXCZ";
    case GR_ATTR_UNKNOWN: return "UNKNOWN";
    }
    return "?";
}

void gr_dip_options_default(gr_dip_options *o)
{
    memset(o, 0, sizeof *o);
    o->tie_rule = GR_TIE_LOWEST_SEQ;
    o->first_other_as_principal = 1;
    o->blank_score = 0.0;
}

/* ------------------------------------------------------------------ */
/* Canonical codes                                                     */
/* ------------------------------------------------------------------ */

static inline int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline unsigned char upper(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;
}

/* dip_canon with the hashes of the first 3 (类目) and 5 (亚目) bytes; they
 * are meaningful only when the returned length reaches 3 / 5. */
static inline size_t canon_pfx(const char *in, char *buf, size_t cap, uint32_t *hash,
                               uint32_t *h3, uint32_t *h5)
{
    size_t n = 0, keep = 0;
    uint32_t h = GR_STRHASH_SEED, hkeep = GR_STRHASH_SEED, p3 = 0, p5 = 0;
    if (in) {
        while (is_blank((unsigned char)*in)) in++;
        for (; in[n]; n++) {
            unsigned char c = upper((unsigned char)in[n]);
            if (n + 1 < cap) buf[n] = (char)c;
            h = gr_strhash_step(h, c);
            if (!is_blank(c)) { keep = n + 1; hkeep = h; }
            if (n == 2) p3 = h;
            else if (n == 4) p5 = h;
        }
    }
    buf[keep < cap ? keep : cap - 1] = '\0';
    *hash = gr_strhash_final(hkeep);
    if (h3) *h3 = gr_strhash_final(p3);
    if (h5) *h5 = gr_strhash_final(p5);
    return keep;
}

size_t dip_canon(const char *in, char *buf, size_t cap, uint32_t *hash)
{
    return canon_pfx(in, buf, cap, hash, NULL, NULL);
}

/* Equality of two raw codes after trimming and upper-casing (for codes too
 * long for the stack buffer, or not interned). */
static void trim_range(const char *s, const char **start, size_t *len)
{
    while (is_blank((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && is_blank((unsigned char)s[n - 1])) n--;
    *start = s;
    *len = n;
}

static int canon_equal(const char *a, const char *b)
{
    size_t na, nb;
    trim_range(a, &a, &na);
    trim_range(b, &b, &nb);
    if (na != nb) return 0;
    for (size_t i = 0; i < na; i++)
        if (upper((unsigned char)a[i]) != upper((unsigned char)b[i])) return 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */
/* ------------------------------------------------------------------ */

static inline const dip_combo *find_combo(const gr_dip *d, uint32_t dx, uint32_t proc)
{
    if (!d->combo_keys) return NULL;
    uint64_t key = dip_combo_key(dx, proc);
    for (size_t i = dip_combo_slot(key, d->combo_mask);; i = (i + 1) & d->combo_mask) {
        uint64_t k = d->combo_keys[i];
        if (k == key) return &d->combos[d->combo_vals[i]];
        if (k == 0) return NULL;
    }
}

static inline void set(gr_dip_result *r, int32_t g, gr_dip_path p, gr_dip_why w)
{
    r->group = g;
    r->path = (uint8_t)p;
    r->why = (uint8_t)w;
}

typedef struct {
    uint32_t hash, len;
    const char *src;
} unknown_proc;

/* ---- trace helpers (gr_dip_explain only) ---- */

static const char *attr_label(gr_attr a)
{
    switch (a) {
    case GR_ATTR_NONE: return "BSZL 保守治疗, no procedure";
    case GR_ATTR_SS: return "SS 相关手术, surgery or intervention";
    case GR_ATTR_ZLXCZ: return "ZLXCZ 治疗性操作, therapeutic procedure";
    case GR_ATTR_ZDXCZ: return "ZDXCZ 诊断性操作, diagnostic procedure";
    default: return "UNKNOWN: not in the procedure-attribute table";
    }
}

/* "K35.8:47.0100 (序号 12)" */
static void tr_group(trace *tr, const gr_dip *d, int32_t g)
{
    const gr_dip_group *G = &d->groups[g];
    trf(tr, "%s (序号 %d)", G->published, (int)G->seq);
}

static void tr_case_hint(trace *tr, const char *raw)
{
    if (has_lower(raw))
        trf(tr, "      (its letter case is not the cause: DIP upper-cases every code before the lookup)\n");
}

static void tr_related(trace *tr, const gr_dip *d, const dip_cand *cd)
{
    const uint32_t *rel = d->rel_ids + cd->rel_off;
    trf(tr, "{");
    for (int a = 0; a < cd->n_rel; a++) trf(tr, "%s%s", a ? ", " : "", d->procs[rel[a]].code);
    trf(tr, "}");
}

static void tr_result(trace *tr, const gr_dip *d, const gr_dip_result *r)
{
    const gr_dip_group *G = &d->groups[r->group];
    static const char *const TYPE[] = {"comprehensive 综合病种", "core 核心病种", "blank 空白病种"};
    trf(tr, "result: %s %s (序号 %d, %s), reason %s, score %.4f (病种分值, catalogue)%s%s\n",
        gr_dip_path_name((gr_dip_path)r->path), G->published, (int)G->seq, TYPE[G->type < 3 ? G->type : 2],
        gr_dip_why_name((gr_dip_why)r->why), G->score, G->name && G->name[0] ? "; " : "",
        G->name ? G->name : "");
}

/* The matching of one case. gr_dip_assign runs it with tr == NULL (the
 * TR() lines and every `if (tr)` block fold away: always inlined), and
 * gr_dip_explain with a trace, so the explanation is the path taken. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void assign(const gr_dip *d, const gr_case *c, gr_dip_result *r, trace *tr)
{
    r->group = d->blank;
    r->path = GR_PATH_BLANK;
    r->why = GR_WHY_DX_MISSING;
    r->attr = GR_ATTR_NONE;
    r->n_matched = 0;
    r->n_related_on_case = 0;
    r->n_tied = 1;

    char dx[DIP_CODE_BUF];
    uint32_t hdx, h3, h5;
    size_t ndx = canon_pfx(c->principal_dx, dx, sizeof dx, &hdx, &h3, &h5);
    if (tr) {
        trf(tr, "DIP catalogue: %zu groups; matching order of DIP 3.0: 1 exact, 2 most related procedures, "
                "3 diagnosis + main procedure, 4 diagnosis only, 5 comprehensive 类目 + procedure attribute, "
                "6 blank group KBBZ; ties to the lowest 序号\n", d->ngroups);
        trf(tr, "principal diagnosis (主要诊断): '%s'", c->principal_dx ? c->principal_dx : "");
        if (ndx) trf(tr, " -> %s (trimmed, upper-cased)\n", dx);
        else trf(tr, " is empty\n");
    }
    if (ndx == 0) {
        TR("step 6 blank group: no principal diagnosis (DX_MISSING)\n");
        if (tr) tr_result(tr, d, r);
        return;
    }
    /* the lookups of a case miss the cache (tables of 10^4-10^5 codes):
     * canonicalize the procedures first and start every first probe now,
     * so that the misses overlap */
    if (d->has_icd10) gr_strhash_prefetch(&d->icd_ix, hdx);
    gr_strhash_prefetch(&d->dx_ix, h5);
    gr_strhash_prefetch(&d->dx_ix, h3);
    const char *const *op = c->other_procs;
    int nop = op && c->n_other_procs > 0 ? c->n_other_procs : 0;
    char mb[DIP_CODE_BUF];
    uint32_t mh;
    size_t ml = dip_canon(c->principal_proc, mb, sizeof mb, &mh);
    if (ml) gr_strhash_prefetch(&d->proc_ix, mh);
    enum { PRE = 12 }; /* other procedures canonicalized ahead (the rest on the way) */
    struct { char b[DIP_CODE_BUF]; uint32_t h; uint32_t n; } oc[PRE];
    int npre = nop < PRE ? nop : PRE;
    for (int k = 0; k < npre; k++) {
        oc[k].n = (uint32_t)dip_canon(op[k], oc[k].b, sizeof oc[k].b, &oc[k].h);
        if (oc[k].n) gr_strhash_prefetch(&d->proc_ix, oc[k].h);
    }
    if (d->has_icd10 &&
        (ndx >= sizeof dx || gr_strhash_get(&d->icd_ix, dx, ndx, hdx) < 0)) {
        r->why = GR_WHY_DX_INVALID;
        if (tr) {
            trf(tr, "  ICD-10 list (医保版 2.0): %s is NOT on it\n", dx);
            tr_case_hint(tr, c->principal_dx);
            trf(tr, "step 6 blank group: the principal diagnosis is not a valid code (DX_INVALID)\n");
            tr_result(tr, d, r);
        }
        return;
    }
    if (tr) {
        if (d->has_icd10) trf(tr, "  ICD-10 list (医保版 2.0): %s is on it\n", dx);
        else trf(tr, "  ICD-10 list: none configured (dip.icd10), the code is not checked\n");
        if (c->n_other_dx > 0)
            trf(tr, "other diagnoses (其他诊断): %d, not used by DIP grouping\n", c->n_other_dx);
    }

    /* main procedure (canonicalized above) */
    const char *msrc = c->principal_proc;
    int skip = -1;
    if (ml == 0 && d->opt.first_other_as_principal) {
        for (int k = 0; k < nop; k++) {
            ml = dip_canon(op[k], mb, sizeof mb, &mh);
            if (ml) { skip = k; msrc = op[k]; break; }
        }
    }
    int32_t mid = (ml && ml < sizeof mb) ? gr_strhash_get(&d->proc_ix, mb, ml, mh) : -1;
    gr_attr attr = ml == 0 ? GR_ATTR_NONE
                 : mid < 0 ? GR_ATTR_UNKNOWN : (gr_attr)d->procs[mid].attr;
    r->attr = (uint8_t)attr;
    if (tr) {
        if (ml == 0) {
            trf(tr, "main procedure (主要手术及操作): none\n");
        } else {
            trf(tr, "main procedure (主要手术及操作): '%s' -> %s%s, attribute %s\n", msrc, mb,
                skip >= 0 ? " (the principal procedure is empty: the first other procedure is used)" : "",
                attr_label(attr));
            if (mid < 0) {
                trf(tr, "  %s is in no table of the catalogue\n", mb);
                tr_case_hint(tr, msrc);
            }
        }
    }

    /* other procedures: distinct, main procedure left out */
    uint32_t known[DIP_MAX_OTHERS];
    unknown_proc unk[DIP_MAX_OTHERS];
    int nk = 0, nu = 0;
    int all_simple = ml == 0 || (mid >= 0 && d->procs[mid].simple);
    for (int k = 0; k < nop && nk + nu < DIP_MAX_OTHERS; k++) {
        if (k == skip) continue;
        char obuf[DIP_CODE_BUF];
        const char *ob = obuf;
        uint32_t oh;
        size_t ol;
        if (k < npre) {
            ob = oc[k].b;
            oh = oc[k].h;
            ol = oc[k].n;
        } else {
            ol = dip_canon(op[k], obuf, sizeof obuf, &oh);
        }
        if (ol == 0) continue;
        if (ol == ml && oh == mh &&
            (ol < DIP_CODE_BUF ? memcmp(ob, mb, ol) == 0 : canon_equal(op[k], msrc))) {
            TR("  other procedure (其他手术及操作) [%d] %s: the main procedure again, left out\n", k + 1, ob);
            continue;
        }
        int32_t id = ol < DIP_CODE_BUF ? gr_strhash_get(&d->proc_ix, ob, ol, oh) : -1;
        if (id >= 0) {
            int dup = 0;
            for (int j = 0; j < nk && !dup; j++) dup = known[j] == (uint32_t)id;
            if (dup) {
                TR("  other procedure (其他手术及操作) [%d] %s: repeated, counted once\n", k + 1, ob);
                continue;
            }
            known[nk++] = (uint32_t)id;
            all_simple &= d->procs[id].simple;
            TR("  other procedure (其他手术及操作) [%d] %s: counts\n", k + 1, ob);
        } else {
            int dup = 0;
            for (int j = 0; j < nu && !dup; j++)
                dup = unk[j].hash == oh && unk[j].len == ol && canon_equal(unk[j].src, op[k]);
            if (dup) {
                TR("  other procedure (其他手术及操作) [%d] %s: repeated, counted once\n", k + 1, ob);
                continue;
            }
            unk[nu++] = (unknown_proc){ oh, (uint32_t)ol, op[k] };
            all_simple = 0;
            if (tr) {
                trf(tr, "  other procedure (其他手术及操作) [%d] %s: counts, but is in no table of the catalogue "
                        "(it can be no group's related procedure)\n", k + 1, ob);
                tr_case_hint(tr, op[k]);
            }
        }
    }
    int n = nk + nu;
    r->n_related_on_case = (uint8_t)n;
    TR("other procedures considered: %d (distinct, the main procedure left out)\n", n);

    int32_t e5 = ndx >= 5 ? gr_strhash_get(&d->dx_ix, dx, 5, h5) : -1;
    int32_t dx_only = e5 >= 0 ? d->dxs[e5].dx_only : -1;
    if (tr) {
        if (ndx >= 5) trf(tr, "亚目 (subcategory) %.5s: %s in the catalogue's core groups (核心病种)\n", dx,
                          e5 >= 0 ? "present" : "absent");
        else trf(tr, "the diagnosis is shorter than a 亚目 (5 characters): no core group (核心病种) can match\n");
    }

    if (ml == 0) {
        TR("steps 1-3 (exact, most related, diagnosis + main procedure): not tried, the case has no procedure\n");
        if (dx_only >= 0) {
            set(r, dx_only, GR_PATH_DX_ONLY, GR_WHY_NO_PROCS);
            if (tr) {
                trf(tr, "step 4 diagnosis only: ");
                tr_group(tr, d, dx_only);
                trf(tr, ", taken (no procedure: NO_PROCS)\n");
                tr_result(tr, d, r);
            }
            return;
        }
        TR("step 4 diagnosis only: %.5s has no diagnosis-only group\n", dx);
    } else if (e5 >= 0 && mid >= 0) {
        const dip_combo *cb = find_combo(d, (uint32_t)e5, (uint32_t)mid);
        if (!cb) TR("steps 1-3: no core group of 亚目 %.5s with main procedure %s\n", dx, mb);
        if (cb) {
            int32_t exact = -1, best = -1;
            int exact_ties = 0, best_n = -1, best_ties = 0;
            const dip_cand *cand = d->cands + cb->cand_off;
            if (tr) {
                trf(tr, "steps 1-2: %u core group(s) of 亚目 %.5s + main procedure %s with related procedures "
                        "(ascending 序号):\n", cb->n_cand, dx, mb);
            }
            for (uint32_t i = 0; i < cb->n_cand; i++) {
                int nr = cand[i].n_rel;
                if (tr) {
                    trf(tr, "  ");
                    tr_group(tr, d, cand[i].group);
                    trf(tr, " related ");
                    tr_related(tr, d, &cand[i]);
                    trf(tr, ": ");
                }
                if (nr > nk) {
                    TR("needs %d related procedure(s), the case has %d known other procedure(s)\n", nr, nk);
                    continue;
                }
                const uint32_t *rel = d->rel_ids + cand[i].rel_off;
                int all = 1;
                for (int a = 0; a < nr && all; a++) {
                    int on = 0;
                    for (int j = 0; j < nk && !on; j++) on = known[j] == rel[a];
                    all = on;
                    if (!on) TR("%s is not on the case\n", d->procs[rel[a]].code);
                }
                if (!all) continue;
                if (nr == n) {
                    TR("all %d on the case and equal to its other procedures: exact%s\n", nr,
                       exact < 0 ? "" : " (tie: a lower 序号 came first)");
                    if (exact < 0) exact = cand[i].group;
                    exact_ties++;
                } else if (nr > best_n) {
                    TR("all %d on the case (of %d): most related so far\n", nr, n);
                    best = cand[i].group;
                    best_n = nr;
                    best_ties = 1;
                } else if (nr == best_n) {
                    TR("all %d on the case (of %d): ties, a lower 序号 came first\n", nr, n);
                    best_ties++;
                } else {
                    TR("all %d on the case (of %d): fewer than a group above\n", nr, n);
                }
            }
            if (exact >= 0) {
                set(r, exact, GR_PATH_EXACT, GR_WHY_RELATED);
                r->n_matched = (uint8_t)n;
                r->n_tied = (uint8_t)(exact_ties > 255 ? 255 : exact_ties);
                if (tr) {
                    trf(tr, "step 1 exact: ");
                    tr_group(tr, d, exact);
                    if (exact_ties > 1) trf(tr, ", taken: %d groups tie, the lowest 序号 wins\n", exact_ties);
                    else trf(tr, ", taken\n");
                    tr_result(tr, d, r);
                }
                return;
            }
            TR("step 1 exact: no group's related procedures equal the case's %d other procedure(s)\n", n);
            if (best >= 0) {
                set(r, best, GR_PATH_MOST_RELATED, GR_WHY_RELATED);
                r->n_matched = (uint8_t)best_n;
                r->n_tied = (uint8_t)(best_ties > 255 ? 255 : best_ties);
                if (tr) {
                    trf(tr, "step 2 most related: ");
                    tr_group(tr, d, best);
                    trf(tr, ", %d of %d related procedures", best_n, n);
                    if (best_ties > 1) trf(tr, "; %d groups tie, the lowest 序号 wins", best_ties);
                    trf(tr, ", taken\n");
                    tr_result(tr, d, r);
                }
                return;
            }
            TR("step 2 most related: no group has its related procedures all on the case\n");
            if (cb->dx_main >= 0) {
                set(r, cb->dx_main, GR_PATH_DX_MAIN,
                    cb->n_cand ? GR_WHY_RELATED_NOT_ON_CASE : GR_WHY_NO_RELATED_GROUPS);
                if (tr) {
                    trf(tr, "step 3 diagnosis + main procedure: ");
                    tr_group(tr, d, cb->dx_main);
                    trf(tr, ", taken (%s)\n", gr_dip_why_name((gr_dip_why)r->why));
                    tr_result(tr, d, r);
                }
                return;
            }
            TR("step 3 diagnosis + main procedure: no group of %.5s + %s without related procedures\n", dx, mb);
        }
    } else if (tr) {
        trf(tr, "steps 1-3: not tried: %s\n",
            e5 < 0 ? "the 亚目 has no core group" : "the main procedure is in no table of the catalogue");
    }

    if (ml && d->has_simple && all_simple && dx_only >= 0) {
        set(r, dx_only, GR_PATH_DX_ONLY, GR_WHY_SIMPLE_PROCS);
        if (tr) {
            trf(tr, "step 4 diagnosis only: every procedure is on the simple-procedure list: ");
            tr_group(tr, d, dx_only);
            trf(tr, ", taken (SIMPLE_PROCS)\n");
            tr_result(tr, d, r);
        }
        return;
    }
    if (tr && ml) {
        if (dx_only < 0) trf(tr, "step 4 diagnosis only: no diagnosis-only group of this 亚目\n");
        else if (!d->has_simple) trf(tr, "step 4 diagnosis only: not for a case with procedures "
                                         "(no simple-procedure list configured)\n");
        else trf(tr, "step 4 diagnosis only: not every procedure is on the simple-procedure list\n");
    }
    if (attr == GR_ATTR_UNKNOWN) {
        r->why = GR_WHY_PROC_ATTRIBUTE_UNKNOWN;
        if (tr) {
            trf(tr, "step 5 comprehensive (综合病种): the main procedure %s has no attribute%s\n", mb,
                gr_dip_n_attr_codes(d) ? " (not in the procedure-attribute table)"
                                       : " (no procedure-attribute table configured: dip.proc_attributes)");
            trf(tr, "step 6 blank group: PROC_ATTRIBUTE_UNKNOWN\n");
            tr_result(tr, d, r);
        }
        return;
    }
    int32_t e3 = ndx >= 3 ? gr_strhash_get(&d->dx_ix, dx, 3, h3) : -1;
    int32_t g = e3 >= 0 ? d->dxs[e3].comp[attr] : -1;
    if (g >= 0) {
        set(r, g, GR_PATH_COMPREHENSIVE, ml ? GR_WHY_NO_CORE_MATCH : GR_WHY_NO_DX_ONLY_GROUP);
        if (tr) {
            trf(tr, "step 5 comprehensive (综合病种) 类目 %.3s + %s: ", dx, gr_attr_name(attr));
            tr_group(tr, d, g);
            trf(tr, ", taken (%s)\n", gr_dip_why_name((gr_dip_why)r->why));
            tr_result(tr, d, r);
        }
    } else {
        r->why = GR_WHY_NO_CATALOGUE_ENTRY;
        if (tr) {
            trf(tr, "step 5 comprehensive (综合病种): no group %.3s:%s in the catalogue\n", dx, gr_attr_name(attr));
            trf(tr, "step 6 blank group: NO_CATALOGUE_ENTRY\n");
            tr_result(tr, d, r);
        }
    }
}

void gr_dip_assign(const gr_dip *d, const gr_case *c, gr_dip_result *r)
{
    assign(d, c, r, NULL);
}

size_t gr_dip_explain(const gr_dip *d, const gr_case *c, gr_dip_result *r, char *buf, size_t n)
{
    trace t = {buf, buf ? n : 0, 0};
    if (t.n) buf[0] = '\0';
    gr_dip_result tmp;
    assign(d, c, r ? r : &tmp, &t);
    return t.len;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */
/* ------------------------------------------------------------------ */

size_t gr_dip_ngroups(const gr_dip *d)
{
    return d ? d->ngroups : 0;
}

const gr_dip_group *gr_dip_group_at(const gr_dip *d, size_t i)
{
    return d && i < d->ngroups ? &d->groups[i] : NULL;
}

int32_t gr_dip_find(const gr_dip *d, const char *code)
{
    if (!d) return -1;
    char buf[GR_DIP_CODE_MAX];
    uint32_t h;
    size_t n = dip_canon(code, buf, sizeof buf, &h);
    if (n == 0 || n >= sizeof buf) return -1;
    return gr_strhash_get(&d->code_ix, buf, n, h);
}

int32_t gr_dip_blank(const gr_dip *d)
{
    return d ? d->blank : -1;
}

size_t gr_dip_n_attr_codes(const gr_dip *d)
{
    return d ? d->n_attr : 0;
}

const char *gr_dip_attr_code_at(const gr_dip *d, size_t i, gr_attr *attr)
{
    if (!d || i >= d->n_attr) return NULL;
    const dip_proc *p = &d->procs[d->attr_sorted[i]];
    if (attr) *attr = (gr_attr)p->attr;
    return p->code;
}

gr_attr gr_dip_attr_of(const gr_dip *d, const char *proc)
{
    char buf[DIP_CODE_BUF];
    uint32_t h;
    size_t n = dip_canon(proc, buf, sizeof buf, &h);
    if (n == 0) return GR_ATTR_NONE;
    if (!d || n >= sizeof buf) return GR_ATTR_UNKNOWN;
    int32_t id = gr_strhash_get(&d->proc_ix, buf, n, h);
    return id < 0 ? GR_ATTR_UNKNOWN : (gr_attr)d->procs[id].attr;
}

size_t gr_dip_n_icd10_codes(const gr_dip *d)
{
    return d ? d->n_icd : 0;
}

const char *gr_dip_icd10_at(const gr_dip *d, size_t i)
{
    return d && i < d->n_icd ? d->icd_sorted[i] : NULL;
}
