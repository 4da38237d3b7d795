/*
 * drg_load.c - loads the CHS-DRG tables of one folder (layout of
 * ../shared/data/chs-drg-1.1, RULES.md) into an immutable gr_drg context.
 *
 * Order: mdc.csv, adrg.csv, drg.csv (the tree), or_procedures.csv,
 * adrg_list.csv, adrg_rule.csv (rules compiled to terms over list ids),
 * mdc_dx.csv, mcc.csv, cc.csv, cc_exclusion.csv (per-code attributes), then
 * the optional name tables icd10_dx.csv / icd9_proc.csv (trace only).
 *
 * Every check that protects the grouper from a wrong table is an error with
 * file, 1-based line and column: unknown MDC/ADRG/list id, duplicate rows
 * (same key twice, also when upcase_codes makes two codes equal), an ADRG
 * without rule or DRG, a last DRG that is not "always" (a matched ADRG must
 * always give a DRG), an mdc.csv n_adrg that disagrees with adrg.csv.
 * Unknown columns are ignored; required ones are named in the message.
 */
#include "drg_impl.h"
#include "csvtab.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* buffers and interning                                               */
/* ------------------------------------------------------------------ */

static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
    void **p = (void **)pp;
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np) return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* Appends s[0..n) + NUL; returns its offset or UINT32_MAX when out of memory. */
static uint32_t buf_add(drg_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > UINT32_MAX) return UINT32_MAX;
    if (grow(&b->p, &b->cap, b->n + n + 1, 1)) return UINT32_MAX;
    uint32_t off = (uint32_t)b->n;
    memcpy(b->p + b->n, s, n);
    b->p[b->n + n] = '\0';
    b->n += n + 1;
    return off;
}

static int intern_init(drg_intern *t)
{
    memset(t, 0, sizeof *t);
    if (buf_add(&t->chars, "", 0) == UINT32_MAX) return -1;
    t->cap = 64;
    t->off = calloc(t->cap, sizeof *t->off);
    t->len = calloc(t->cap, sizeof *t->len);
    t->mask = 127;
    t->slots = calloc(t->mask + 1, sizeof *t->slots);
    if (!t->off || !t->len || !t->slots) return -1;
    t->n = 1;
    return 0;
}

static void intern_free(drg_intern *t)
{
    free(t->chars.p);
    free(t->off);
    free(t->len);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static int intern_rehash(drg_intern *t)
{
    uint32_t nmask = t->mask * 2 + 1;
    drg_slot *ns = calloc((size_t)nmask + 1, sizeof *ns);
    if (!ns) return -1;
    for (uint32_t i = 0; i <= t->mask; i++) {
        if (!t->slots[i].id) continue;
        uint32_t j = t->slots[i].h & nmask;
        while (ns[j].id) j = (j + 1) & nmask;
        ns[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = ns;
    t->mask = nmask;
    return 0;
}

/* Id of s[0..n), added when new (*is_new set). Returns 0, or -1 when out of
 * memory. n < 65536 (callers check). */
static int intern_add(drg_intern *t, const char *s, size_t n, uint32_t *id, int *is_new)
{
    uint32_t found = drg_intern_find(t, s, n);
    if (is_new) *is_new = !found;
    if (found) { *id = found; return 0; }
    if (t->n == UINT32_MAX) return -1;
    if ((size_t)(t->n + 1) * 2 > (size_t)t->mask + 1 && intern_rehash(t)) return -1;
    if (t->n == t->cap) {
        size_t c1 = t->cap, c2 = t->cap;
        if (grow(&t->off, &c1, t->n + 1, sizeof *t->off)) return -1;
        if (grow(&t->len, &c2, t->n + 1, sizeof *t->len)) return -1;
        t->cap = (uint32_t)c1;
    }
    uint32_t off = buf_add(&t->chars, s, n);
    if (off == UINT32_MAX) return -1;
    uint32_t nid = t->n++;
    t->off[nid] = off;
    t->len[nid] = (uint16_t)n;
    drg_slot sl;
    sl.h = drg_key(s, n, sl.key);
    sl.id = nid;
    uint32_t i = sl.h & t->mask;
    while (t->slots[i].id) i = (i + 1) & t->mask;
    t->slots[i] = sl;
    *id = nid;
    return 0;
}

/* ------------------------------------------------------------------ */
/* table reader                                                        */
/* ------------------------------------------------------------------ */

#define RD_MAXF 32
#define RD_MAXC 12

typedef struct {
    gr_csvtab t;
    char path[1024];
    const char *cols[RD_MAXC];
    char *f[RD_MAXF];
    int nf, nhdr, ncols;
    long line;
    int col[RD_MAXC];
    int open;
} rd;

static gr_status rd_err(rd *r, gr_error *err, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static gr_status rd_err(rd *r, gr_error *err, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gr_seterr(err, GR_ERR_FORMAT, r->path, r->line, field, "%s", msg);
}

static void rd_close(rd *r)
{
    if (r->open) gr_csvtab_close(&r->t);
    r->open = 0;
}

/* Opens dir/file and maps the header. cols names the columns wanted, in the
 * order used by rd_f; a name starting with '?' is optional. */
static gr_status rd_open(rd *r, const char *dir, const char *file, const char *const *cols,
                         int ncols, gr_error *err)
{
    memset(r, 0, sizeof *r);
    int pl = snprintf(r->path, sizeof r->path, "%s/%s", dir, file);
    if (pl < 0 || (size_t)pl >= sizeof r->path)
        return gr_seterr(err, GR_ERR_ARG, file, 0, "dir", "table folder path is too long");
    gr_status st = gr_csvtab_open(&r->t, r->path, err);
    if (st != GR_OK) return st;
    r->open = 1;
    r->ncols = ncols;
    int rc = gr_csvtab_next(&r->t, r->f, RD_MAXF, &r->nhdr, &r->line, err);
    if (rc < 0) return GR_ERR_FORMAT;
    if (rc == 0) {
        r->line = 1;
        return rd_err(r, err, "", "empty file; expected a header row");
    }
    if (r->nhdr > RD_MAXF) return rd_err(r, err, "", "header has %d columns, at most %d are supported", r->nhdr, RD_MAXF);
    char want[256] = "";
    for (int k = 0; k < ncols; k++) {
        const char *c = cols[k] + (cols[k][0] == '?');
        if (cols[k][0] != '?') {
            size_t wl = strlen(want);
            snprintf(want + wl, sizeof want - wl, "%s%s", wl ? "," : "", c);
        }
    }
    for (int k = 0; k < ncols; k++) {
        int opt = cols[k][0] == '?';
        const char *c = cols[k] + opt;
        r->cols[k] = c;
        r->col[k] = gr_csvtab_col(r->f, r->nhdr, c);
        if (r->col[k] < 0 && !opt)
            return rd_err(r, err, c, "missing column '%s'; the header must name at least: %s", c, want);
    }
    return GR_OK;
}

/* 1: a row, 0: end, -1: error (err filled). */
static int rd_next(rd *r, gr_error *err)
{
    int rc = gr_csvtab_next(&r->t, r->f, RD_MAXF, &r->nf, &r->line, err);
    if (rc <= 0) return rc;
    if (r->nf != r->nhdr) {
        rd_err(r, err, "", "row has %d fields but the header has %d; fix the quoting or the commas",
               r->nf, r->nhdr);
        return -1;
    }
    return 1;
}

static const char *rd_f(const rd *r, int k)
{
    return r->col[k] < 0 ? "" : r->f[r->col[k]];
}

static int parse_int(const char *s, int32_t *out)
{
    if (!*s) return -1;
    errno = 0;
    char *e;
    long v = strtol(s, &e, 10);
    if (*e || errno || v < INT32_MIN || v > INT32_MAX) return -1;
    *out = (int32_t)v;
    return 0;
}

/* Optional integer column: "" gives def. */
static gr_status rd_int(rd *r, int k, int32_t def, int32_t *out, gr_error *err)
{
    const char *s = rd_f(r, k);
    if (!*s) { *out = def; return GR_OK; }
    if (parse_int(s, out))
        return rd_err(r, err, r->cols[k], "'%s' is not an integer", s);
    return GR_OK;
}

static gr_status rd_req_int(rd *r, int k, int32_t *out, gr_error *err)
{
    const char *s = rd_f(r, k);
    if (!*s) return rd_err(r, err, r->cols[k], "empty; an integer is required");
    return rd_int(r, k, 0, out, err);
}

/* ------------------------------------------------------------------ */
/* loader state                                                        */
/* ------------------------------------------------------------------ */

typedef struct {
    uint32_t code;
    uint16_t list;
    long line;
} pair;

typedef struct {
    int32_t adrg, alt, seq;
    drg_term term;
    long line;
} rule_row;

typedef struct {
    gr_drg *g;
    gr_error *err;
    rd r;
    size_t info_cap, adrg_cap, drg_cap;
    uint32_t *adrg_of_iid;   /* adrg_ids id -> sorted index */
    pair *pairs;
    size_t npairs, pairs_cap;
    size_t list_cap;
} ld;

static gr_status nomem(gr_error *err)
{
    return gr_seterr(err, GR_ERR_NOMEM, "", 0, "", "out of memory while loading the CHS-DRG tables");
}

static gr_status name_of(ld *L, const char *s, uint32_t *off)
{
    *off = buf_add(&L->g->text, s, strlen(s));
    return *off == UINT32_MAX ? nomem(L->err) : GR_OK;
}

/* Grows info[] and name_off[] (zeroed) to cover every code id. */
static int ensure_info(ld *L)
{
    gr_drg *g = L->g;
    if (g->codes.n <= L->info_cap) return 0;
    size_t old = L->info_cap, c2 = L->info_cap;
    if (grow(&g->info, &L->info_cap, g->codes.n, sizeof *g->info)) return -1;
    if (grow(&g->name_off, &c2, g->codes.n, sizeof *g->name_off)) return -1;
    memset(g->info + old, 0, (L->info_cap - old) * sizeof *g->info);
    memset(g->name_off + old, 0, (L->info_cap - old) * sizeof *g->name_off);
    return 0;
}

/* Interns a dx/proc code of the current row (upper-cased when configured). */
static gr_status code_of(ld *L, int k, uint32_t *id, int *is_new)
{
    gr_drg *g = L->g;
    const char *s = rd_f(&L->r, k);
    size_t n = strlen(s);
    if (n == 0) return rd_err(&L->r, L->err, L->r.cols[k], "empty code; fill it in or delete the row");
    if (n >= DRG_CODE_MAX)
        return rd_err(&L->r, L->err, L->r.cols[k], "code '%.40s...' is longer than %d bytes", s,
                      DRG_CODE_MAX - 1);
    char up[DRG_CODE_MAX];
    if (g->opt.upcase_codes) {
        for (size_t i = 0; i < n; i++) up[i] = (char)toupper((unsigned char)s[i]);
        s = up;
    }
    if (intern_add(&g->codes, s, n, id, is_new)) return nomem(L->err);
    if (ensure_info(L)) return nomem(L->err);
    if (n > g->max_code_len) g->max_code_len = n;
    return GR_OK;
}

static int short_code(ld *L, int k, char *dst, gr_status *st)
{
    const char *s = rd_f(&L->r, k);
    size_t n = strlen(s);
    if (n == 0 || n >= DRG_NAME_MAX) {
        *st = rd_err(&L->r, L->err, L->r.cols[k], "'%s' must have 1 to %d characters", s, DRG_NAME_MAX - 1);
        return -1;
    }
    memcpy(dst, s, n + 1);
    return 0;
}

static int mdc_index(const gr_drg *g, const char *code)
{
    for (int m = 0; m < g->nmdc; m++)
        if (strcmp(g->mdc[m].code, code) == 0) return m;
    return -1;
}

/* ------------------------------------------------------------------ */
/* the tree: mdc.csv, adrg.csv, drg.csv                                */
/* ------------------------------------------------------------------ */

static int cmp_mdc(const void *a, const void *b)
{
    const drg_mdc *x = a, *y = b;
    return (x->eval_order > y->eval_order) - (x->eval_order < y->eval_order);
}

static gr_status load_mdc(ld *L)
{
    static const char *const cols[] = {"mdc", "name", "eval_order", "entry_rule", "?sex_required",
                                       "?age_years_required", "?min_trauma_regions", "?n_adrg"};
    gr_drg *g = L->g;
    rd *r = &L->r;
    gr_status st = rd_open(r, g->dir, "mdc.csv", cols, 8, L->err);
    int rc = 0;
    while (st == GR_OK && (rc = rd_next(r, L->err)) == 1) {
        if (g->nmdc == DRG_MAX_MDC)
            return rd_err(r, L->err, "mdc", "more than %d MDCs are not supported", DRG_MAX_MDC);
        drg_mdc *m = &g->mdc[g->nmdc];
        memset(m, 0, sizeof *m);
        m->line = r->line;
        if (short_code(L, 0, m->code, &st)) return st;
        if (mdc_index(g, m->code) >= 0)
            return rd_err(r, L->err, "mdc", "duplicate row: MDC %s is listed twice", m->code);
        if ((st = name_of(L, rd_f(r, 1), &m->name_off)) != GR_OK) return st;
        if ((st = rd_req_int(r, 2, &m->eval_order, L->err)) != GR_OK) return st;
        for (int k = 0; k < g->nmdc; k++)
            if (g->mdc[k].eval_order == m->eval_order)
                return rd_err(r, L->err, "eval_order", "eval_order %d is already used by %s (line %ld)",
                              (int)m->eval_order, g->mdc[k].code, g->mdc[k].line);
        const char *e = rd_f(r, 3);
        if (strcmp(e, "principal_proc_in_OR") == 0) m->entry = DRG_ENTRY_PROC_OR;
        else if (strcmp(e, "principal_dx_in_mdc_dx") == 0) m->entry = DRG_ENTRY_DX_MDC;
        else
            return rd_err(r, L->err, "entry_rule",
                          "unknown entry_rule '%s'; use principal_dx_in_mdc_dx or principal_proc_in_OR", e);
        if ((st = rd_int(r, 4, -1, &m->sex_req, L->err)) != GR_OK) return st;
        if ((st = rd_int(r, 5, -1, &m->age_req, L->err)) != GR_OK) return st;
        if ((st = rd_int(r, 6, 0, &m->min_regions, L->err)) != GR_OK) return st;
        if ((st = rd_int(r, 7, -1, &m->n_adrg_decl, L->err)) != GR_OK) return st;
        if (m->sex_req != -1 && m->sex_req != 1 && m->sex_req != 2)
            return rd_err(r, L->err, "sex_required", "must be empty, 1 or 2");
        if (m->min_regions < 0 || m->min_regions > DRG_MAX_REGION)
            return rd_err(r, L->err, "min_trauma_regions", "must be empty or 0..%d", DRG_MAX_REGION);
        g->nmdc++;
    }
    if (st == GR_OK && rc < 0) st = GR_ERR_FORMAT;
    if (st == GR_OK && g->nmdc == 0) {
        r->line = 0;
        st = rd_err(r, L->err, "", "no MDC rows; the table needs at least one");
    }
    rd_close(r);
    if (st == GR_OK) qsort(g->mdc, (size_t)g->nmdc, sizeof g->mdc[0], cmp_mdc);
    for (int m = 0; st == GR_OK && m < g->nmdc; m++)
        if (g->mdc[m].entry == DRG_ENTRY_PROC_OR) g->or_entry_mask |= 1u << m;
    return st;
}

static int cmp_adrg(const void *a, const void *b)
{
    const drg_adrg *x = a, *y = b;
    if (x->mdc != y->mdc) return x->mdc < y->mdc ? -1 : 1;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static gr_status load_adrg(ld *L)
{
    static const char *const cols[] = {"adrg", "mdc", "name", "order_in_mdc"};
    gr_drg *g = L->g;
    rd *r = &L->r;
    gr_status st = rd_open(r, g->dir, "adrg.csv", cols, 4, L->err);
    int rc = 0;
    while (st == GR_OK && (rc = rd_next(r, L->err)) == 1) {
        if (g->nadrg >= INT16_MAX) return rd_err(r, L->err, "adrg", "too many ADRGs");
        if (grow(&g->adrg, &L->adrg_cap, (size_t)g->nadrg + 1, sizeof *g->adrg)) return nomem(L->err);
        drg_adrg *a = &g->adrg[g->nadrg];
        memset(a, 0, sizeof *a);
        a->line = r->line;
        if (short_code(L, 0, a->code, &st)) return st;
        uint32_t iid;
        int is_new;
        if (intern_add(&g->adrg_ids, a->code, strlen(a->code), &iid, &is_new)) return nomem(L->err);
        if (!is_new) return rd_err(r, L->err, "adrg", "duplicate row: ADRG %s is listed twice", a->code);
        a->mdc = mdc_index(g, rd_f(r, 1));
        if (a->mdc < 0)
            return rd_err(r, L->err, "mdc", "MDC '%s' is not in mdc.csv; add it there or fix the code", rd_f(r, 1));
        if ((st = name_of(L, rd_f(r, 2), &a->name_off)) != GR_OK) return st;
        if ((st = rd_req_int(r, 3, &a->order, L->err)) != GR_OK) return st;
        g->nadrg++;
    }
    if (st == GR_OK && rc < 0) st = GR_ERR_FORMAT;
    if (st != GR_OK) return st;
    if (g->nadrg) qsort(g->adrg, (size_t)g->nadrg, sizeof *g->adrg, cmp_adrg);
    L->adrg_of_iid = calloc(g->adrg_ids.n, sizeof *L->adrg_of_iid);
    if (!L->adrg_of_iid) return nomem(L->err);
    for (int i = 0; i < g->nadrg; i++) {
        drg_adrg *a = &g->adrg[i];
        L->adrg_of_iid[drg_intern_find(&g->adrg_ids, a->code, strlen(a->code))] = (uint32_t)i;
        if (i > 0 && a[-1].mdc == a->mdc && a[-1].order == a->order) {
            r->line = a->line;
            return rd_err(r, L->err, "order_in_mdc", "ADRG %s has the same order_in_mdc %d as %s (line %ld)",
                          a->code, (int)a->order, a[-1].code, a[-1].line);
        }
        drg_mdc *m = &g->mdc[a->mdc];
        if (m->n_adrg == 0) m->adrg_off = (uint32_t)i;
        m->n_adrg++;
    }
    rd_close(r);
    for (int m = 0; m < g->nmdc; m++) {
        drg_mdc *md = &g->mdc[m];
        if (md->n_adrg_decl >= 0 && (uint32_t)md->n_adrg_decl != md->n_adrg) {
            snprintf(r->path, sizeof r->path, "%s/mdc.csv", g->dir);
            r->line = md->line;
            return rd_err(r, L->err, "n_adrg", "%s declares %d ADRGs but adrg.csv has %u; fix one of them",
                          md->code, (int)md->n_adrg_decl, md->n_adrg);
        }
    }
    return GR_OK;
}

static int adrg_index(const ld *L, const char *code)
{
    uint32_t iid = drg_intern_find(&L->g->adrg_ids, code, strlen(code));
    return iid ? (int)L->adrg_of_iid[iid] : -1;
}

static int cmp_drg(const void *a, const void *b)
{
    const drg_drg *x = a, *y = b;
    if (x->adrg != y->adrg) return x->adrg < y->adrg ? -1 : 1;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static gr_status load_drg(ld *L)
{
    static const char *const cols[] = {"drg", "adrg", "name", "order_in_adrg", "condition"};
    gr_drg *g = L->g;
    rd *r = &L->r;
    gr_status st = rd_open(r, g->dir, "drg.csv", cols, 5, L->err);
    int rc = 0;
    while (st == GR_OK && (rc = rd_next(r, L->err)) == 1) {
        if (grow(&g->drg, &L->drg_cap, (size_t)g->ndrg + 1, sizeof *g->drg)) return nomem(L->err);
        drg_drg *d = &g->drg[g->ndrg];
        memset(d, 0, sizeof *d);
        d->line = r->line;
        if (short_code(L, 0, d->code, &st)) return st;
        uint32_t iid;
        int is_new;
        if (intern_add(&g->drg_ids, d->code, strlen(d->code), &iid, &is_new)) return nomem(L->err);
        if (!is_new) return rd_err(r, L->err, "drg", "duplicate row: DRG %s is listed twice", d->code);
        d->adrg = adrg_index(L, rd_f(r, 1));
        if (d->adrg < 0)
            return rd_err(r, L->err, "adrg", "ADRG '%s' is not in adrg.csv; add it there or fix the code", rd_f(r, 1));
        if ((st = name_of(L, rd_f(r, 2), &d->name_off)) != GR_OK) return st;
        if ((st = rd_req_int(r, 3, &d->order, L->err)) != GR_OK) return st;
        const char *c = rd_f(r, 4);
        if (strcmp(c, "mcc") == 0) d->cond = DRG_COND_MCC;
        else if (strcmp(c, "mcc_or_cc") == 0) d->cond = DRG_COND_MCC_OR_CC;
        else if (strcmp(c, "always") == 0) d->cond = DRG_COND_ALWAYS;
        else return rd_err(r, L->err, "condition", "unknown condition '%s'; use mcc, mcc_or_cc or always", c);
        g->ndrg++;
    }
    if (st == GR_OK && rc < 0) st = GR_ERR_FORMAT;
    if (st != GR_OK) return st;
    if (g->ndrg) qsort(g->drg, (size_t)g->ndrg, sizeof *g->drg, cmp_drg);
    for (int i = 0; i < g->ndrg; i++) {
        drg_drg *d = &g->drg[i];
        if (i > 0 && d[-1].adrg == d->adrg && d[-1].order == d->order) {
            r->line = d->line;
            return rd_err(r, L->err, "order_in_adrg", "DRG %s has the same order_in_adrg %d as %s (line %ld)",
                          d->code, (int)d->order, d[-1].code, d[-1].line);
        }
        drg_adrg *a = &g->adrg[d->adrg];
        if (a->n_drg == 0) a->drg_off = (uint32_t)i;
        a->n_drg++;
    }
    for (int i = 0; i < g->nadrg; i++) {
        const drg_adrg *a = &g->adrg[i];
        if (a->n_drg == 0) {
            snprintf(r->path, sizeof r->path, "%s/adrg.csv", g->dir);
            r->line = a->line;
            return rd_err(r, L->err, "adrg", "ADRG %s has no DRG in drg.csv; add its DRG rows or remove the ADRG",
                          a->code);
        }
        const drg_drg *last = &g->drg[a->drg_off + a->n_drg - 1];
        if (last->cond != DRG_COND_ALWAYS) {
            r->line = last->line;
            return rd_err(r, L->err, "condition",
                          "DRG %s is the last DRG of ADRG %s but its condition is not 'always'; "
                          "a matched ADRG must always give a DRG", last->code, a->code);
        }
    }
    rd_close(r);
    return GR_OK;
}

/* ------------------------------------------------------------------ */
/* lists and rules                                                     */
/* ------------------------------------------------------------------ */

static gr_status load_or(ld *L)
{
    static const char *const cols[] = {"code", "?name"};
    gr_drg *g = L->g;
    rd *r = &L->r;
    gr_status st = rd_open(r, g->dir, "or_procedures.csv", cols, 2, L->err);
    int rc = 0;
    while (st == GR_OK && (rc = rd_next(r, L->err)) == 1) {
        uint32_t id;
        if ((st = code_of(L, 0, &id, NULL)) != GR_OK) return st;
        if (g->info[id].is_or)
            return rd_err(r, L->err, "code", "duplicate row: %s is listed twice", rd_f(r, 0));
        g->info[id].is_or = 1;
        if (!g->name_off[id] && *rd_f(r, 1) && (st = name_of(L, rd_f(r, 1), &g->name_off[id])) != GR_OK)
            return st;
        g->rows_or++;
    }
    if (st == GR_OK && rc < 0) st = GR_ERR_FORMAT;
    rd_close(r);
    return st;
}

static gr_status load_lists(ld *L)
{
    static const char *const cols[] = {"list_id", "code"};
    gr_drg *g = L->g;
    rd *r = &L->r;
    gr_status st = rd_open(r, g->dir, "adrg_list.csv", cols, 2, L->err);
    int rc = 0;
    while (st == GR_OK && (rc = rd_next(r, L->err)) == 1) {
        const char *lid = rd_f(r, 0);
        if (!*lid) return rd_err(r, L->err, "list_id", "empty list id");
        if (strcmp(lid, "OR") == 0)
            return rd_err(r, L->err, "list_id", "list id OR is reserved for or_procedures.csv; rename the list");
        if (strlen(lid) > 255) return rd_err(r, L->err, "list_id", "list id longer than 255 bytes");
        uint32_t list, code;
        int is_new;
        if (intern_add(&g->lists, lid, strlen(lid), &list, &is_new)) return nomem(L->err);
        if (list > UINT16_MAX) return rd_err(r, L->err, "list_id", "more than %d lists", UINT16_MAX);
        if (is_new) {
            if (grow(&g->list_size, &L->list_cap, g->lists.n, sizeof *g->list_size)) return nomem(L->err);
            g->list_size[list] = 0;
        }
        g->list_size[list]++;
        if ((st = code_of(L, 1, &code, NULL)) != GR_OK) return st;
        if (grow(&L->pairs, &L->pairs_cap, L->npairs + 1, sizeof *L->pairs)) return nomem(L->err);
        L->pairs[L->npairs++] = (pair){code, (uint16_t)list, r->line};
        g->rows_list++;
    }
    if (st == GR_OK && rc < 0) st = GR_ERR_FORMAT;
    rd_close(r);
    return st;
}

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->code != y->code) return x->code < y->code ? -1 : 1;
    if (x->list != y->list) return x->list < y->list ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Sorts the (code, list) pairs, rejects duplicates, builds the postings. */
static gr_status build_postings(ld *L)
{
    gr_drg *g = L->g;
    if (L->npairs) qsort(L->pairs, L->npairs, sizeof *L->pairs, cmp_pair);
    g->post = malloc((L->npairs ? L->npairs : 1) * sizeof *g->post);
    if (!g->post) return nomem(L->err);
    for (size_t i = 0; i < L->npairs; i++) {
        const pair *p = &L->pairs[i];
        if (i > 0 && p[-1].code == p->code && p[-1].list == p->list) {
            snprintf(L->r.path, sizeof L->r.path, "%s/adrg_list.csv", g->dir);
            L->r.line = p->line;
            return rd_err(&L->r, L->err, "code", "duplicate row: %s is already in list %s (line %ld)",
                          drg_intern_str(&g->codes, p->code), drg_intern_str(&g->lists, p->list), p[-1].line);
        }
        drg_code *c = &g->info[p->code];
        if (c->post_n == 0) c->post_off = (uint32_t)g->npost;
        c->post_n++;
        g->post[g->npost++] = p->list;
    }
    return GR_OK;
}

typedef struct {
    const char *name;
    uint8_t v;
} kw;

static const kw FIELDS[] = {{"principal_dx", DRG_F_PRINCIPAL_DX}, {"any_dx", DRG_F_ANY_DX},
                            {"principal_proc", DRG_F_PRINCIPAL_PROC}, {"any_proc", DRG_F_ANY_PROC},
                            {"age_days", DRG_F_AGE_DAYS}, {"birth_weight_g", DRG_F_BIRTH_WEIGHT},
                            {"always", DRG_F_ALWAYS}, {NULL, 0}};
static const kw OPS[] = {{"in", DRG_OP_IN}, {"not_in", DRG_OP_NOT_IN}, {"le", DRG_OP_LE}, {"lt", DRG_OP_LT},
                         {"ge", DRG_OP_GE}, {"gt", DRG_OP_GT}, {"eq", DRG_OP_EQ}, {"", DRG_OP_NONE},
                         {NULL, 0}};

static int kw_find(const kw *t, const char *s)
{
    for (; t->name; t++)
        if (strcmp(t->name, s) == 0) return t->v;
    return -1;
}

static int cmp_rule_seq(const void *a, const void *b)
{
    const rule_row *x = a, *y = b;
    if (x->adrg != y->adrg) return x->adrg < y->adrg ? -1 : 1;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static int cmp_rule_alt(const void *a, const void *b)
{
    const rule_row *x = a, *y = b;
    if (x->adrg != y->adrg) return x->adrg < y->adrg ? -1 : 1;
    if (x->alt != y->alt) return x->alt < y->alt ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static gr_status parse_rule(ld *L, rule_row *w)
{
    rd *r = &L->r;
    gr_drg *g = L->g;
    const char *fs = rd_f(r, 3), *os = rd_f(r, 4), *operand = rd_f(r, 5);
    int f = kw_find(FIELDS, fs), op = kw_find(OPS, os);
    if (f < 0)
        return rd_err(r, L->err, "field",
                      "unknown field '%s'; use principal_dx, any_dx, principal_proc, any_proc, age_days, "
                      "birth_weight_g or always", fs);
    if (op < 0) return rd_err(r, L->err, "op", "unknown op '%s'; use in, not_in, le, lt, ge, gt or eq", os);
    w->term.field = (uint8_t)f;
    w->term.op = (uint8_t)op;
    switch (f) {
    case DRG_F_PRINCIPAL_DX: case DRG_F_ANY_DX: case DRG_F_PRINCIPAL_PROC: case DRG_F_ANY_PROC:
        if (op != DRG_OP_IN && op != DRG_OP_NOT_IN)
            return rd_err(r, L->err, "op", "field %s takes op in or not_in, not '%s'", fs, os);
        if (strcmp(operand, "OR") == 0) {
            w->term.list = DRG_LIST_OR;
        } else {
            uint32_t id = drg_intern_find(&g->lists, operand, strlen(operand));
            if (!id)
                return rd_err(r, L->err, "operand",
                              "list id '%s' is not in adrg_list.csv; add its rows there or fix the id", operand);
            w->term.list = (uint16_t)id;
        }
        break;
    case DRG_F_AGE_DAYS: case DRG_F_BIRTH_WEIGHT:
        if (op < DRG_OP_LE)
            return rd_err(r, L->err, "op", "field %s takes op le, lt, ge, gt or eq, not '%s'", fs, os);
        if (parse_int(operand, &w->term.num))
            return rd_err(r, L->err, "operand", "'%s' is not an integer", operand);
        break;
    default:
        if (op != DRG_OP_NONE || *operand)
            return rd_err(r, L->err, "op", "field always takes no op and no operand");
    }
    return GR_OK;
}

static gr_status load_rules(ld *L)
{
    static const char *const cols[] = {"adrg", "alt", "seq", "field", "op", "operand"};
    gr_drg *g = L->g;
    rd *r = &L->r;
    rule_row *rows = NULL;
    size_t n = 0, cap = 0;
    gr_status st = rd_open(r, g->dir, "adrg_rule.csv", cols, 6, L->err);
    int rc = 0;
    while (st == GR_OK && (rc = rd_next(r, L->err)) == 1) {
        if (grow(&rows, &cap, n + 1, sizeof *rows)) { st = nomem(L->err); break; }
        rule_row *w = &rows[n];
        memset(w, 0, sizeof *w);
        w->line = r->line;
        w->adrg = adrg_index(L, rd_f(r, 0));
        if (w->adrg < 0) {
            st = rd_err(r, L->err, "adrg", "ADRG '%s' is not in adrg.csv; add it there or fix the code", rd_f(r, 0));
            break;
        }
        if ((st = rd_req_int(r, 1, &w->alt, L->err)) != GR_OK) break;
        if ((st = rd_req_int(r, 2, &w->seq, L->err)) != GR_OK) break;
        if ((st = parse_rule(L, w)) != GR_OK) break;
        n++;
    }
    if (st == GR_OK && rc < 0) st = GR_ERR_FORMAT;
    if (st == GR_OK) {
        g->rows_rule = n;
        if (n) qsort(rows, n, sizeof *rows, cmp_rule_seq);
        for (size_t i = 1; i < n; i++)
            if (rows[i].adrg == rows[i - 1].adrg && rows[i].seq == rows[i - 1].seq) {
                r->line = rows[i].line;
                st = rd_err(r, L->err, "seq", "duplicate row: ADRG %s seq %d is already on line %ld",
                            g->adrg[rows[i].adrg].code, (int)rows[i].seq, rows[i - 1].line);
                break;
            }
    }
    if (st == GR_OK) {
        if (n) qsort(rows, n, sizeof *rows, cmp_rule_alt);
        g->term = malloc((n ? n : 1) * sizeof *g->term);
        g->alt = malloc((n ? n : 1) * sizeof *g->alt);
        if (!g->term || !g->alt) st = nomem(L->err);
    }
    for (size_t i = 0; st == GR_OK && i < n; i++) {
        const rule_row *w = &rows[i];
        drg_adrg *a = &g->adrg[w->adrg];
        if (i == 0 || w->adrg != rows[i - 1].adrg || w->alt != rows[i - 1].alt) {
            if (a->n_alt == 0) a->alt_off = (uint32_t)g->nalt;
            a->n_alt++;
            g->alt[g->nalt++] = (drg_alt){w->alt, (uint32_t)g->nterm, 0};
        }
        g->alt[g->nalt - 1].n_terms++;
        g->term[g->nterm++] = w->term;
    }
    free(rows);
    for (int i = 0; st == GR_OK && i < g->nadrg; i++)
        if (g->adrg[i].n_alt == 0) {
            snprintf(r->path, sizeof r->path, "%s/adrg.csv", g->dir);
            r->line = g->adrg[i].line;
            st = rd_err(r, L->err, "adrg", "ADRG %s has no rule in adrg_rule.csv; add one (field always "
                        "if it has no condition)", g->adrg[i].code);
        }
    rd_close(r);
    return st;
}

/* ------------------------------------------------------------------ */
/* per-code attributes                                                 */
/* ------------------------------------------------------------------ */

static gr_status load_mdc_dx(ld *L)
{
    static const char *const cols[] = {"dx_code", "mdc", "?trauma_region"};
    gr_drg *g = L->g;
    rd *r = &L->r;
    gr_status st = rd_open(r, g->dir, "mdc_dx.csv", cols, 3, L->err);
    int rc = 0;
    while (st == GR_OK && (rc = rd_next(r, L->err)) == 1) {
        uint32_t id;
        if ((st = code_of(L, 0, &id, NULL)) != GR_OK) return st;
        int m = mdc_index(g, rd_f(r, 1));
        if (m < 0)
            return rd_err(r, L->err, "mdc", "MDC '%s' is not in mdc.csv; add it there or fix the code", rd_f(r, 1));
        drg_code *c = &g->info[id];
        if (c->mdc_mask & (1u << m))
            return rd_err(r, L->err, "dx_code", "duplicate row: %s is already in %s", rd_f(r, 0), g->mdc[m].code);
        c->mdc_mask |= 1u << m;
        const char *reg = rd_f(r, 2);
        if (*reg) {
            uint32_t rid;
            if (strlen(reg) > 255) return rd_err(r, L->err, "trauma_region", "region name longer than 255 bytes");
            if (intern_add(&g->regions, reg, strlen(reg), &rid, NULL)) return nomem(L->err);
            if (rid > DRG_MAX_REGION)
                return rd_err(r, L->err, "trauma_region", "more than %d trauma regions", DRG_MAX_REGION);
            uint32_t bit = 1u << (rid - 1);
            if (c->region_mask && c->region_mask != bit)
                return rd_err(r, L->err, "trauma_region", "%s is already in another trauma region; a code "
                              "belongs to one region", rd_f(r, 0));
            c->region_mask = bit;
        }
        g->rows_mdc_dx++;
    }
    if (st == GR_OK && rc < 0) st = GR_ERR_FORMAT;
    rd_close(r);
    return st;
}

enum { TAB_MCC, TAB_CC, TAB_CCE };

static gr_status load_tab(ld *L, int which)
{
    static const char *const cols_code[] = {"code", "exclusion_table"};
    static const char *const cols_pdx[] = {"principal_dx", "exclusion_table"};
    static const char *const files[] = {"mcc.csv", "cc.csv", "cc_exclusion.csv"};
    gr_drg *g = L->g;
    rd *r = &L->r;
    gr_status st = rd_open(r, g->dir, files[which], which == TAB_CCE ? cols_pdx : cols_code, 2, L->err);
    size_t *rows = which == TAB_MCC ? &g->rows_mcc : which == TAB_CC ? &g->rows_cc : &g->rows_cce;
    int rc = 0;
    while (st == GR_OK && (rc = rd_next(r, L->err)) == 1) {
        uint32_t id, tab;
        if ((st = code_of(L, 0, &id, NULL)) != GR_OK) return st;
        const char *t = rd_f(r, 1);
        if (!*t) return rd_err(r, L->err, "exclusion_table", "empty table id");
        if (strlen(t) > 255) return rd_err(r, L->err, "exclusion_table", "table id longer than 255 bytes");
        if (intern_add(&g->tabs, t, strlen(t), &tab, NULL)) return nomem(L->err);
        if (tab > UINT16_MAX) return rd_err(r, L->err, "exclusion_table", "more than %d tables", UINT16_MAX);
        drg_code *c = &g->info[id];
        uint16_t *slot = which == TAB_MCC ? &c->mcc_tab : which == TAB_CC ? &c->cc_tab : &c->cce_tab;
        if (*slot)
            return rd_err(r, L->err, which == TAB_CCE ? "principal_dx" : "code",
                          "duplicate row: %s is listed twice; a code has one exclusion table", rd_f(r, 0));
        *slot = (uint16_t)tab;
        (*rows)++;
    }
    if (st == GR_OK && rc < 0) st = GR_ERR_FORMAT;
    rd_close(r);
    return st;
}

/* Optional name tables: a missing file is fine, a malformed one is not. */
static gr_status load_names(ld *L, const char *file)
{
    static const char *const cols[] = {"code", "name"};
    gr_drg *g = L->g;
    rd *r = &L->r;
    gr_error tmp;
    gr_status st = rd_open(r, g->dir, file, cols, 2, &tmp);
    if (st == GR_ERR_IO && !r->open) return GR_OK;
    if (st != GR_OK) {
        if (L->err) *L->err = tmp;
        rd_close(r);
        return st;
    }
    int rc = 0;
    while (st == GR_OK && (rc = rd_next(r, L->err)) == 1) {
        uint32_t id;
        if (!*rd_f(r, 0)) continue;
        if ((st = code_of(L, 0, &id, NULL)) != GR_OK) break;
        if (!g->name_off[id] && *rd_f(r, 1)) st = name_of(L, rd_f(r, 1), &g->name_off[id]);
    }
    if (st == GR_OK && rc < 0) st = GR_ERR_FORMAT;
    rd_close(r);
    return st;
}

/* ------------------------------------------------------------------ */

static void make_version(gr_drg *g)
{
    /* a VERSION file in the folder names the table set; else the folder name */
    char vp[4096];
    snprintf(vp, sizeof vp, "%s/VERSION", g->dir);
    FILE *vf = fopen(vp, "r");
    if (vf) {
        char line[200];
        if (fgets(line, sizeof line, vf)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (line[0]) {
                snprintf(g->version, sizeof g->version, "%s", line);
                fclose(vf);
                return;
            }
        }
        fclose(vf);
    }
    char base[256];
    size_t n = strlen(g->dir);
    while (n > 1 && g->dir[n - 1] == '/') n--;
    size_t b = n;
    while (b > 0 && g->dir[b - 1] != '/') b--;
    snprintf(base, sizeof base, "%.*s", (int)(n - b), g->dir + b);
    const char *v = NULL;
    for (const char *p = base; *p; p++)
        if ((p[0] == 'd' || p[0] == 'D') && (p[1] == 'r' || p[1] == 'R') && (p[2] == 'g' || p[2] == 'G') &&
            (p[3] == '-' || p[3] == '_') && isdigit((unsigned char)p[4]))
            v = p + 4;
    if (v) {
        size_t vl = strspn(v, "0123456789.");
        if (vl > 16) vl = 16;
        snprintf(g->version, sizeof g->version, "CHS-DRG %.*s (%.100s)", (int)vl, v, base);
    } else {
        snprintf(g->version, sizeof g->version, "CHS-DRG (%.100s)", base);
    }
}

gr_status gr_drg_load(const gr_drg_options *o, gr_drg **out, gr_error *err)
{
    if (out) *out = NULL;
    if (!out || !o || !o->dir || !*o->dir)
        return gr_seterr(err, GR_ERR_ARG, "", 0, "dir", "no CHS-DRG table folder given; set the DRG tables path");
    if (strlen(o->dir) >= sizeof((gr_drg *)0)->dir)
        return gr_seterr(err, GR_ERR_ARG, o->dir, 0, "dir", "table folder path is too long");
    gr_drg *g = calloc(1, sizeof *g);
    if (!g) return nomem(err);
    g->opt = *o;
    g->opt.dir = NULL;
    snprintf(g->dir, sizeof g->dir, "%s", o->dir);
    ld L;
    memset(&L, 0, sizeof L);
    L.g = g;
    L.err = err;
    gr_status st = GR_OK;
    if (intern_init(&g->codes) || intern_init(&g->lists) || intern_init(&g->tabs) ||
        intern_init(&g->regions) || intern_init(&g->adrg_ids) || intern_init(&g->drg_ids) ||
        buf_add(&g->text, "", 0) == UINT32_MAX ||
        grow(&g->list_size, &L.list_cap, 1, sizeof *g->list_size))
        st = nomem(err);
    if (st == GR_OK && ensure_info(&L)) st = nomem(err);
    if (st == GR_OK) st = load_mdc(&L);
    if (st == GR_OK) st = load_adrg(&L);
    if (st == GR_OK) st = load_drg(&L);
    if (st == GR_OK) st = load_or(&L);
    if (st == GR_OK) st = load_lists(&L);
    if (st == GR_OK) st = build_postings(&L);
    if (st == GR_OK) st = load_rules(&L);
    if (st == GR_OK) st = load_mdc_dx(&L);
    if (st == GR_OK) st = load_tab(&L, TAB_MCC);
    if (st == GR_OK) st = load_tab(&L, TAB_CC);
    if (st == GR_OK) st = load_tab(&L, TAB_CCE);
    if (st == GR_OK) st = load_names(&L, "icd10_dx.csv");
    if (st == GR_OK) st = load_names(&L, "icd9_proc.csv");
    rd_close(&L.r);
    free(L.adrg_of_iid);
    free(L.pairs);
    if (st != GR_OK) {
        gr_drg_free(g);
        return st;
    }
    g->list_size[DRG_LIST_OR] = (uint32_t)g->rows_or;
    make_version(g);
    *out = g;
    return GR_OK;
}

void gr_drg_free(gr_drg *g)
{
    if (!g) return;
    intern_free(&g->codes);
    intern_free(&g->lists);
    intern_free(&g->tabs);
    intern_free(&g->regions);
    intern_free(&g->adrg_ids);
    intern_free(&g->drg_ids);
    free(g->info);
    free(g->name_off);
    free(g->post);
    free(g->list_size);
    free(g->adrg);
    free(g->alt);
    free(g->term);
    free(g->drg);
    free(g->text.p);
    free(g);
}
