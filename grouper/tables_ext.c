/*
 * tables_ext.c - tables a region publishes beside the grouping tables:
 * the published CHS-DRG weights (DRG 权重表: drg, rw) and the institution
 * master table (定点医药机构信息表: institution_id, name, level). Both are
 * read whole with csvtab and checked row by row; every error names the file,
 * the line and what to write instead. Pure: no printing, no exiting.
 */
#include "csvtab.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXT_MAXF 64

/* Index of the first header column whose name is one of names (ASCII names
 * compared without case), or -1. */
static int find_col(char **hdr, int n, const char *const *names)
{
    for (const char *const *q = names; *q; q++)
        for (int i = 0; i < n; i++)
            if (strcasecmp(hdr[i], *q) == 0) return i;
    return -1;
}

static void list_names(const char *const *names, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *const *q = names; *q && used < n; q++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", q == names ? "" : " / ", *q);
}

/* Opens path and finds the columns: cols[k] = index of want[k] (NULL-
 * terminated name lists; optional when opt[k]). */
static gr_status ext_open(gr_csvtab *t, const char *path, const char *const *const *want,
                          const int *opt, int nwant, int *cols, gr_error *err)
{
    gr_status st = gr_csvtab_open(t, path, err);
    if (st != GR_OK) return st;
    char *hdr[EXT_MAXF];
    int nh = 0;
    long line = 1;
    int rc = gr_csvtab_next(t, hdr, EXT_MAXF, &nh, &line, err);
    if (rc < 0) return GR_ERR_FORMAT;
    if (rc == 0) return gr_seterr(err, GR_ERR_FORMAT, path, 1, "", "empty file; expected a header row");
    if (nh > EXT_MAXF) nh = EXT_MAXF;
    for (int k = 0; k < nwant; k++) {
        cols[k] = find_col(hdr, nh, want[k]);
        if (cols[k] < 0 && !opt[k]) {
            char names[256];
            list_names(want[k], names, sizeof names);
            return gr_seterr(err, GR_ERR_FORMAT, path, line, want[k][0],
                             "missing column %s; the header must name it (one of: %s)", want[k][0], names);
        }
    }
    return GR_OK;
}

/* ------------------------------------------------------------------ */
/* Published DRG weights                                               */
/* ------------------------------------------------------------------ */

static const char *const W_DRG[] = {"drg", "DRG编码", "DRG组编码", "分组编码", "DRG代码", "drg_code", "code", NULL};
static const char *const W_RW[] = {"rw", "权重", "相对权重", "DRG权重", "weight", NULL};
static const char *const W_NAME[] = {"name", "名称", "DRG名称", "DRG组名称", "分组名称", NULL};

gr_status gr_drg_load_weights(const gr_drg *g, const char *path, double *rw, gr_error *err)
{
    if (!g || !path || !path[0] || !rw)
        return gr_seterr(err, GR_ERR_ARG, path ? path : "", 0, "", "no weights table given");
    size_t nd = gr_drg_ndrg(g);
    long *seen = calloc(nd + 1, sizeof *seen);   /* line of each DRG's row, 0 = none */
    if (!seen) return gr_seterr(err, GR_ERR_NOMEM, path, 0, "", "out of memory");
    for (size_t d = 0; d < nd; d++) rw[d] = 0;
    const char *const *want[] = {W_DRG, W_RW, W_NAME};
    const int opt[] = {0, 0, 1};
    int col[3];
    gr_csvtab t;
    gr_status st = ext_open(&t, path, want, opt, 3, col, err);
    char *f[EXT_MAXF];
    int nf = 0;
    long line = 0;
    int rc;
    while (st == GR_OK && (rc = gr_csvtab_next(&t, f, EXT_MAXF, &nf, &line, err)) != 0) {
        if (rc < 0) { st = GR_ERR_FORMAT; break; }
        if (nf <= col[0] || nf <= col[1]) {
            st = gr_seterr(err, GR_ERR_FORMAT, path, line, "", "row has %d fields, too few for the header; "
                           "fix the commas or the quoting", nf);
            break;
        }
        const char *code = f[col[0]], *v = f[col[1]];
        if (!code[0]) {
            st = gr_seterr(err, GR_ERR_FORMAT, path, line, "drg", "empty DRG code; give the code (e.g. FR23) "
                           "or remove the row");
            break;
        }
        int32_t d = -1;
        for (size_t k = 0; k < nd && d < 0; k++)
            if (strcasecmp(gr_drg_code(g, (int32_t)k), code) == 0) d = (int32_t)k;
        if (d < 0) {
            st = gr_seterr(err, GR_ERR_FORMAT, path, line, "drg",
                           "DRG '%.40s' is not in the CHS-DRG tables in use (%s); check the code, or point "
                           "drg.tables at the version the weights were published for", code, gr_drg_version(g));
            break;
        }
        if (seen[d]) {
            st = gr_seterr(err, GR_ERR_FORMAT, path, line, "drg",
                           "DRG '%s' appears again (first on line %ld); keep one row per DRG", code, seen[d]);
            break;
        }
        char *e = NULL;
        errno = 0;
        double w = *v ? strtod(v, &e) : NAN;
        if (!*v || *e || errno || !isfinite(w) || !(w > 0) || w > 1000) {
            st = gr_seterr(err, GR_ERR_FORMAT, path, line, "rw",
                           "weight '%.40s' of DRG %s is not a positive number (e.g. 1.2345); a DRG weight "
                           "(权重, RW) is above 0 and at most 1000", v, code);
            break;
        }
        seen[d] = line;
        rw[d] = w;
    }
    if (st == GR_OK) {
        /* Policy: a published table covers every DRG of its version; a DRG
         * without a weight is an error of the table (or of drg.tables),
         * found here, before any case is read, not a case left unpaid. */
        size_t miss = 0;
        char first[160] = "";
        for (size_t d = 0; d < nd; d++)
            if (!seen[d]) {
                size_t used = strlen(first);
                if (miss < 8) snprintf(first + used, sizeof first - used, "%s%s", miss ? ", " : "", gr_drg_code(g, (int32_t)d));
                miss++;
            }
        if (miss)
            st = gr_seterr(err, GR_ERR_FORMAT, path, 0, "rw",
                           "no weight for %zu of the %zu DRGs of %s (%s%s); a published weights table covers "
                           "every DRG of its version: add their rows, or point drg.tables at the version "
                           "of the table", miss, nd, gr_drg_version(g), first, miss > 8 ? ", ..." : "");
    }
    gr_csvtab_close(&t);
    free(seen);
    if (st != GR_OK)
        for (size_t d = 0; d < nd; d++) rw[d] = 0;
    return st;
}

/* ------------------------------------------------------------------ */
/* Institution master table                                            */
/* ------------------------------------------------------------------ */

static int lv_space(char ch) { return ch == ' ' || ch == '\t'; }

static int lv_eat(const char *s, size_t n, size_t *i, const char *t)
{
    size_t l = strlen(t);
    if (n - *i < l || memcmp(s + *i, t, l) != 0) return 0;
    *i += l;
    return 1;
}

int gr_level_parse(const char *s, size_t len)
{
    static const char *const ungraded[] = {"未定级", "未评级", "未分级", "无等级", "无", NULL};
    size_t i = 0, n = len;
    if (!s) return -1;
    while (i < n && lv_space(s[i])) i++;
    while (n > i && lv_space(s[n - 1])) n--;
    for (int k = 0; ungraded[k]; k++)
        if (n - i == strlen(ungraded[k]) && memcmp(s + i, ungraded[k], n - i) == 0) return 0;
    int lv;
    if (i < n && s[i] >= '1' && s[i] <= '3') lv = s[i++] - '0';
    else if (lv_eat(s, n, &i, "一")) lv = 1;
    else if (lv_eat(s, n, &i, "二")) lv = 2;
    else if (lv_eat(s, n, &i, "三")) lv = 3;
    else return -1;
    lv_eat(s, n, &i, "级");
    /* grade (等次): 甲等 / 乙等 / 丙等 / 特等, or 三甲-style 甲 乙 丙; then 医院 */
    if (lv_eat(s, n, &i, "甲") || lv_eat(s, n, &i, "乙") || lv_eat(s, n, &i, "丙") || lv_eat(s, n, &i, "特"))
        lv_eat(s, n, &i, "等");
    lv_eat(s, n, &i, "医院");
    return i == n ? lv : -1;
}

static const char *const I_ID[] = {"institution_id", "定点医药机构编码", "定点医疗机构编码", "医疗机构编码",
                                   "机构编码", NULL};
static const char *const I_NAME[] = {"name", "institution_name", "定点医药机构名称", "定点医疗机构名称",
                                     "医疗机构名称", "机构名称", NULL};
static const char *const I_LEVEL[] = {"level", "institution_level", "医疗机构等级", "医院等级", "机构等级", NULL};

static int cmp_inst(const void *a, const void *b)
{
    return strcmp(((const gr_inst *)a)->id, ((const gr_inst *)b)->id);
}

void gr_inst_table_free(gr_inst_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) free(t->e[i].name);
    free(t->e);
    memset(t, 0, sizeof *t);
}

gr_status gr_inst_load(const char *path, gr_inst_table *out, gr_error *err)
{
    memset(out, 0, sizeof *out);
    if (!path || !path[0]) return gr_seterr(err, GR_ERR_ARG, "", 0, "", "no institution table given");
    const char *const *want[] = {I_ID, I_NAME, I_LEVEL};
    const int opt[] = {0, 1, 0};
    int col[3];
    gr_csvtab t;
    gr_status st = ext_open(&t, path, want, opt, 3, col, err);
    size_t cap = 0;
    char *f[EXT_MAXF];
    int nf = 0;
    long line = 0;
    int rc;
    while (st == GR_OK && (rc = gr_csvtab_next(&t, f, EXT_MAXF, &nf, &line, err)) != 0) {
        if (rc < 0) { st = GR_ERR_FORMAT; break; }
        if (nf <= col[0] || nf <= col[2] || nf <= col[1]) {
            st = gr_seterr(err, GR_ERR_FORMAT, path, line, "", "row has %d fields, too few for the header; "
                           "fix the commas or the quoting", nf);
            break;
        }
        const char *id = f[col[0]], *lv = f[col[2]], *name = col[1] >= 0 ? f[col[1]] : "";
        if (!id[0]) {
            st = gr_seterr(err, GR_ERR_FORMAT, path, line, "institution_id",
                           "empty institution id (定点医药机构编码); give the id or remove the row");
            break;
        }
        if (strlen(id) >= sizeof out->e[0].id) {
            st = gr_seterr(err, GR_ERR_FORMAT, path, line, "institution_id",
                           "institution id '%.40s...' is longer than %zu characters", id, sizeof out->e[0].id - 1);
            break;
        }
        int level = gr_level_parse(lv, strlen(lv));
        if (level <= 0) {
            st = gr_seterr(err, GR_ERR_FORMAT, path, line, "level",
                           "level '%.40s' of institution %s is %s; the table must give 1, 2 or 3 "
                           "(一级, 二级, 三级, with 甲等 etc. allowed)", lv, id,
                           level == 0 ? "not graded (未定级)" : "not a hospital level");
            break;
        }
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            gr_inst *ne = realloc(out->e, nc * sizeof *ne);
            if (!ne) { st = gr_seterr(err, GR_ERR_NOMEM, path, line, "", "out of memory"); break; }
            out->e = ne;
            cap = nc;
        }
        gr_inst *e = &out->e[out->n];
        memset(e, 0, sizeof *e);
        memcpy(e->id, id, strlen(id) + 1);
        e->level = (uint8_t)level;
        e->line = line;
        e->name = strdup(name);
        if (!e->name) { st = gr_seterr(err, GR_ERR_NOMEM, path, line, "", "out of memory"); break; }
        out->n++;
    }
    gr_csvtab_close(&t);
    if (st == GR_OK && out->n == 0)
        st = gr_seterr(err, GR_ERR_FORMAT, path, 2, "", "no institution rows after the header");
    if (st == GR_OK && out->n > 1) {
        qsort(out->e, out->n, sizeof *out->e, cmp_inst);
        for (size_t i = 1; i < out->n; i++)
            if (strcmp(out->e[i].id, out->e[i - 1].id) == 0) {
                const gr_inst *a = &out->e[i - 1], *b = &out->e[i];
                if (a->line > b->line) { const gr_inst *x = a; a = b; b = x; }
                st = gr_seterr(err, GR_ERR_FORMAT, path, b->line, "institution_id",
                               "institution %s appears again (first on line %ld); keep one row per "
                               "institution", b->id, a->line);
                break;
            }
    }
    if (st != GR_OK) gr_inst_table_free(out);
    return st;
}

const gr_inst *gr_inst_find(const gr_inst_table *t, const char *id)
{
    size_t lo = 0, hi = t ? t->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->e[mid].id, id);
        if (c == 0) return &t->e[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}
