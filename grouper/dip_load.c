/*
 * dip_load.c - loads a DIP catalogue and its optional tables into an
 * immutable gr_dip context (layout in dip_internal.h).
 *
 * Order: the procedure-attribute table, the simple-procedure list and the
 * ICD-10 list are read first, so that their codes are interned; then the
 * catalogue (every row checked, codes canonicalised: trimmed, upper case),
 * sorted by 序号 with KBBZ last; then group_stats.csv, whose rows are kept
 * only for catalogue groups and KBBZ; last the match index (dx entries,
 * (亚目, main) combos and their candidate lists) is built from the sorted
 * groups, so candidate lists come out in ascending 序号.
 *
 * Catalogue reading (the published layout, docs/METHODS.md §2 and
 * ../shared/data/README.md): columns are found by their Chinese headers
 * (English aliases seq, code, type, score, ... are accepted); the type
 * column is the one whose header starts with 病种类型 (1 core, 0 or 2
 * comprehensive); the code alone defines a group (dx part, main procedure,
 * `_` then `+`-joined related procedures, or `类目:ATTR`); the code columns
 * beside it are checked against it when filled. Newlines inside names are
 * line wraps of the published sheet and are removed.
 *
 * Every error is a GR_ERR_FORMAT / GR_ERR_IO with the file, the 1-based line
 * and the column, and says what to change.
 */
#include "dip_internal.h"
#include "csvtab.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64
#define PROC_MAX 31          /* longest procedure code accepted in a table */
#define BLANK_CODE "KBBZ"
#define BLANK_NAME "空白病种"

/* ------------------------------------------------------------------ */
/* Arena                                                               */
/* ------------------------------------------------------------------ */

static void *arena_alloc(gr_dip *d, size_t n)
{
    size_t a = sizeof(max_align_t);
    n = (n + a - 1) / a * a;
    dip_block *b = d->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = d->arena;
        b->used = 0;
        b->cap = cap;
        d->arena = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static char *arena_strn(gr_dip *d, const char *s, size_t n)
{
    char *p = arena_alloc(d, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Trims and upper-cases s in place (ASCII); returns its length. */
static size_t canon_inplace(char *s)
{
    char *p = s;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    size_t n = 0;
    for (; p[n]; n++) s[n] = (p[n] >= 'a' && p[n] <= 'z') ? (char)(p[n] - 32) : p[n];
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (s[n]) s[n] = '\0';          /* never writes to an empty literal */
    return n;
}

static int row_empty(char **f, int n)
{
    for (int i = 0; i < n && i < MAX_FIELDS; i++)
        if (f[i][0]) return 0;
    return 1;
}

static const char *field(char **f, int n, int col)
{
    return col >= 0 && col < n && col < MAX_FIELDS ? f[col] : "";
}

/* First header column named any of the NULL-terminated names, or -1. */
static int col_any(char **hdr, int n, const char *const *names)
{
    for (; *names; names++) {
        int c = gr_csvtab_col(hdr, n < MAX_FIELDS ? n : MAX_FIELDS, *names);
        if (c >= 0) return c;
    }
    return -1;
}

static int col_prefix(char **hdr, int n, const char *prefix)
{
    for (int i = 0; i < n && i < MAX_FIELDS; i++)
        if (strncmp(hdr[i], prefix, strlen(prefix)) == 0) return i;
    return -1;
}

static int valid_proc_code(const char *s, size_t n)
{
    if (n == 0 || n > PROC_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == ':' || c == '_' || c == '+' || c == ',' || c >= 0x7f) return 0;
    }
    return 1;
}

static int parse_double(const char *s, double *out)
{
    if (!*s) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return -1;
    *out = v;
    return 1;
}

static int parse_long(const char *s, long *out)
{
    if (!*s) return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 1;
}

/* Interns a canonical procedure code; returns its id or -1 (no memory). */
static int32_t proc_intern(gr_dip *d, const char *code, size_t len)
{
    int32_t id = gr_strhash_get(&d->proc_ix, code, len, gr_strhash_hash(code, len));
    if (id >= 0) return id;
    if (d->nprocs == d->cap_procs) {
        size_t cap = d->cap_procs ? 2 * d->cap_procs : 1024;
        dip_proc *p = realloc(d->procs, cap * sizeof *p);
        if (!p) return -1;
        d->procs = p;
        d->cap_procs = cap;
    }
    char *s = arena_strn(d, code, len);
    if (!s) return -1;
    id = (int32_t)d->nprocs;
    if (gr_strhash_put(&d->proc_ix, s, len, id, NULL) < 0) return -1;
    d->procs[d->nprocs++] = (dip_proc){ s, GR_ATTR_UNKNOWN, 0 };
    return id;
}

/* Interns a 亚目 / 类目 key; returns its dx entry or -1 (no memory). */
static int32_t dx_intern(gr_dip *d, const char *key, size_t len)
{
    int32_t id = gr_strhash_get(&d->dx_ix, key, len, gr_strhash_hash(key, len));
    if (id >= 0) return id;
    if (d->ndx == d->cap_dx) {
        size_t cap = d->cap_dx ? 2 * d->cap_dx : 1024;
        dip_dx *p = realloc(d->dxs, cap * sizeof *p);
        if (!p) return -1;
        d->dxs = p;
        d->cap_dx = cap;
    }
    char *s = arena_strn(d, key, len);
    if (!s) return -1;
    id = (int32_t)d->ndx;
    if (gr_strhash_put(&d->dx_ix, s, len, id, NULL) < 0) return -1;
    d->dxs[d->ndx++] = (dip_dx){ -1, { -1, -1, -1, -1 } };
    return id;
}

static gr_status nomem(gr_error *err, const char *path)
{
    return gr_seterr(err, GR_ERR_NOMEM, path, 0, "", "out of memory while loading the DIP tables");
}

/* Opens a table and reads its header row. */
static gr_status open_table(gr_csvtab *t, const char *path, char **hdr, int *nh, gr_error *err)
{
    gr_status s = gr_csvtab_open(t, path, err);
    if (s != GR_OK) return s;
    long line;
    int rc = gr_csvtab_next(t, hdr, MAX_FIELDS, nh, &line, err);
    if (rc < 0) { gr_csvtab_close(t); return GR_ERR_FORMAT; }
    if (rc == 0) {
        gr_csvtab_close(t);
        return gr_seterr(err, GR_ERR_FORMAT, path, 1, "", "empty file: a header row is required");
    }
    return GR_OK;
}

/* ------------------------------------------------------------------ */
/* Procedure-attribute table, simple list, ICD-10 list                 */
/* ------------------------------------------------------------------ */

static int attr_from_text(const char *s)
{
    static const struct { const char *text; gr_attr a; } map[] = {
        { "SS", GR_ATTR_SS }, { "ZLXCZ", GR_ATTR_ZLXCZ }, { "ZDXCZ", GR_ATTR_ZDXCZ },
        { "相关手术", GR_ATTR_SS }, { "手术", GR_ATTR_SS },
        { "治疗性操作", GR_ATTR_ZLXCZ }, { "诊断性操作", GR_ATTR_ZDXCZ },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i].text) == 0) return (int)map[i].a;
    return -1;
}

static int cmp_proc_code(const void *a, const void *b, void *ctx)
{
    const dip_proc *p = ctx;
    return strcmp(p[*(const uint32_t *)a].code, p[*(const uint32_t *)b].code);
}

static gr_status load_attr(gr_dip *d, const char *path, gr_error *err)
{
    gr_csvtab t;
    char *f[MAX_FIELDS];
    int nf;
    long line;
    gr_status s = open_table(&t, path, f, &nf, err);
    if (s != GR_OK) return s;
    static const char *const code_names[] = { "code", "编码", "操作编码", NULL };
    static const char *const attr_names[] = { "attribute", "属性", "操作属性", NULL };
    int cc = col_any(f, nf, code_names), ca = col_any(f, nf, attr_names);
    if (cc < 0 || ca < 0) {
        gr_csvtab_close(&t);
        return gr_seterr(err, GR_ERR_FORMAT, path, 1, cc < 0 ? "code" : "attribute",
                         "missing column; the procedure-attribute table needs the header "
                         "code,attribute");
    }
    int rc;
    while ((rc = gr_csvtab_next(&t, f, MAX_FIELDS, &nf, &line, err)) > 0) {
        if (row_empty(f, nf)) continue;
        char *code = (char *)field(f, nf, cc), *at = (char *)field(f, nf, ca);
        size_t n = canon_inplace(code);
        canon_inplace(at);
        if (!valid_proc_code(code, n)) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, "code",
                          "bad procedure code '%s'; give a code such as 47.0100 "
                          "(at most %d characters, no blanks or : _ + ,)", code, PROC_MAX);
            break;
        }
        int a = attr_from_text(at);
        if (a < 0) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, "attribute",
                          "unknown attribute '%s' for %s; use SS, ZLXCZ or ZDXCZ", at, code);
            break;
        }
        int32_t id = proc_intern(d, code, n);
        if (id < 0) { s = nomem(err, path); break; }
        dip_proc *p = &d->procs[id];
        if (p->attr != GR_ATTR_UNKNOWN && p->attr != a) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, "attribute",
                          "%s is listed again with attribute %s (earlier %s); keep one row",
                          code, gr_attr_name((gr_attr)a), gr_attr_name((gr_attr)p->attr));
            break;
        }
        p->attr = (uint8_t)a;
    }
    if (rc < 0) s = GR_ERR_FORMAT;
    gr_csvtab_close(&t);
    if (s != GR_OK) return s;
    d->has_attr = 1;
    return GR_OK;
}

static gr_status load_simple(gr_dip *d, const char *path, gr_error *err)
{
    gr_csvtab t;
    char *f[MAX_FIELDS];
    int nf;
    long line;
    gr_status s = open_table(&t, path, f, &nf, err);
    if (s != GR_OK) return s;
    int cc = gr_csvtab_col(f, nf < MAX_FIELDS ? nf : MAX_FIELDS, "code");
    if (cc < 0) {
        gr_csvtab_close(&t);
        return gr_seterr(err, GR_ERR_FORMAT, path, 1, "code",
                         "missing column; the simple-procedure list needs a header 'code'");
    }
    int rc;
    while ((rc = gr_csvtab_next(&t, f, MAX_FIELDS, &nf, &line, err)) > 0) {
        if (row_empty(f, nf)) continue;
        char *code = (char *)field(f, nf, cc);
        size_t n = canon_inplace(code);
        if (!valid_proc_code(code, n)) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, "code",
                          "bad procedure code '%s'; give a code such as 99.2900", code);
            break;
        }
        int32_t id = proc_intern(d, code, n);
        if (id < 0) { s = nomem(err, path); break; }
        d->procs[id].simple = 1;
    }
    if (rc < 0) s = GR_ERR_FORMAT;
    gr_csvtab_close(&t);
    if (s == GR_OK) d->has_simple = 1;
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static gr_status load_icd10(gr_dip *d, const char *path, gr_error *err)
{
    gr_csvtab t;
    char *f[MAX_FIELDS];
    int nf;
    long line;
    gr_status s = open_table(&t, path, f, &nf, err);
    if (s != GR_OK) return s;
    static const char *const names[] = { "code", "医保版2.0编码", NULL };
    int cc = col_any(f, nf, names);
    if (cc < 0) {
        gr_csvtab_close(&t);
        return gr_seterr(err, GR_ERR_FORMAT, path, 1, "code",
                         "missing column; the ICD-10 list needs a column 'code' or '医保版2.0编码'");
    }
    char colname[64];
    snprintf(colname, sizeof colname, "%s", f[cc]);
    size_t cap = 0;
    int rc;
    while ((rc = gr_csvtab_next(&t, f, MAX_FIELDS, &nf, &line, err)) > 0) {
        char *code = (char *)field(f, nf, cc);
        size_t n = canon_inplace(code);
        if (n == 0) continue;
        if (n >= DIP_CODE_BUF) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, colname,
                          "diagnosis code longer than %d characters; fix the code",
                          DIP_CODE_BUF - 1);
            break;
        }
        uint32_t h = gr_strhash_hash(code, n);
        if (gr_strhash_get(&d->icd_ix, code, n, h) >= 0) continue;
        char *k = arena_strn(d, code, n);
        if (!k || gr_strhash_put(&d->icd_ix, k, n, 0, NULL) < 0) { s = nomem(err, path); break; }
        if (d->n_icd == cap) {
            cap = cap ? 2 * cap : 4096;
            const char **p = realloc(d->icd_sorted, cap * sizeof *p);
            if (!p) { s = nomem(err, path); break; }
            d->icd_sorted = p;
        }
        d->icd_sorted[d->n_icd++] = k;
    }
    if (rc < 0) s = GR_ERR_FORMAT;
    gr_csvtab_close(&t);
    if (s != GR_OK) return s;
    if (d->n_icd) qsort(d->icd_sorted, d->n_icd, sizeof *d->icd_sorted, cmp_str);
    d->has_icd10 = 1;
    return GR_OK;
}

/* ------------------------------------------------------------------ */
/* Catalogue                                                           */
/* ------------------------------------------------------------------ */

typedef struct {
    long line;
    long seq;
    const char *code;       /* canonical, arena */
    const char *published;  /* as written in the catalogue (trimmed), arena */
    const char *dx;         /* arena */
    const char *name;       /* arena */
    uint32_t *rel;          /* arena, n_rel ids */
    int32_t main;           /* proc id or -1 */
    double score;
    uint8_t type, attr, n_rel;
} crow;

typedef struct {
    crow *rows;
    size_t n, cap;
} crows;

/* Appends s (newlines removed) and a separator to the name being built. */
static void name_add(char *buf, size_t cap, size_t *len, const char *s)
{
    if (!*s) return;
    if (*len && *len + 3 < cap) {
        memcpy(buf + *len, " | ", 3);
        *len += 3;
    }
    for (; *s && *len + 1 < cap; s++)
        if (*s != '\n' && *s != '\r') buf[(*len)++] = *s;
    buf[*len] = '\0';
}

static const char *const attr_suffix[4] = { "BSZL", "SS", "ZLXCZ", "ZDXCZ" };
static const char *const attr_label[4] = { "保守治疗", "相关手术", "治疗性操作", "诊断性操作" };

static int attr_from_suffix(const char *s)
{
    for (int a = 0; a < 4; a++)
        if (strcmp(s, attr_suffix[a]) == 0) return a;
    return -1;
}

typedef struct {
    const char *path;
    long line;
    gr_error *err;
} where;

#define CODE_COL "病种编码"

/* Splits the canonical group code into the row (dx, main, related, attr).
 * code is a scratch copy that may be cut. */
static gr_status parse_code(gr_dip *d, char *code, int core, crow *r, where w)
{
    char *colon = strchr(code, ':');
    char *rest = colon ? colon + 1 : code + strlen(code);
    if (colon) *colon = '\0';
    size_t ndx = strlen(code);
    if (!colon && !core)
        return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                         "comprehensive group '%s' lacks ':SS', ':ZLXCZ', ':ZDXCZ' or ':BSZL'; "
                         "fix the code or the type column", code);
    if (!core) {
        int a = attr_from_suffix(rest);
        if (a < 0)
            return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                             "comprehensive group suffix '%s' is not SS, ZLXCZ, ZDXCZ or BSZL; "
                             "fix the code or set the type column to 1 for a core group", rest);
        if (ndx != 3 || strchr(code, '.'))
            return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                             "comprehensive group diagnosis '%s' is not a 类目 such as K35", code);
        r->attr = (uint8_t)a;
        r->main = -1;
        r->dx = arena_strn(d, code, ndx);
        return r->dx ? GR_OK : nomem(w.err, w.path);
    }
    if (ndx != 5 || code[3] != '.')
        return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                         "core group diagnosis '%s' is not a 亚目 such as K35.8 or A46.X", code);
    if (colon && attr_from_suffix(rest) >= 0)
        return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                         "'%s:%s' looks comprehensive but the type column says core (1); "
                         "set the type to 0 or 2", code, rest);
    r->dx = arena_strn(d, code, ndx);
    if (!r->dx) return nomem(w.err, w.path);
    r->attr = GR_ATTR_NONE;
    r->main = -1;
    r->n_rel = 0;
    if (colon && !*rest)
        return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                         "nothing after ':' in '%s:'; remove the ':' or add the main procedure",
                         code);
    if (!*rest) return GR_OK;
    char *us = strchr(rest, '_');
    if (us) *us = '\0';
    size_t nm = strlen(rest);
    if (!valid_proc_code(rest, nm))
        return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                         "bad main procedure '%s' in group code; write dx:main_related+related",
                         rest);
    r->main = proc_intern(d, rest, nm);
    if (r->main < 0) return nomem(w.err, w.path);
    if (!us) return GR_OK;
    uint32_t ids[256];
    int n = 0;
    for (char *p = us + 1;;) {
        char *plus = strchr(p, '+');
        if (plus) *plus = '\0';
        size_t np = strlen(p);
        if (!valid_proc_code(p, np))
            return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                             "bad related procedure '%s' in group code; related procedures "
                             "follow one '_' and are joined by '+'", p);
        if (n == 255)
            return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                             "more than 255 related procedures");
        int32_t id = proc_intern(d, p, np);
        if (id < 0) return nomem(w.err, w.path);
        for (int j = 0; j < n; j++)
            if (ids[j] == (uint32_t)id)
                return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                                 "related procedure %s listed twice; list it once", p);
        if ((uint32_t)id == (uint32_t)r->main)
            return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, CODE_COL,
                             "related procedure %s is the main procedure; remove it", p);
        ids[n++] = (uint32_t)id;
        if (!plus) break;
        p = plus + 1;
    }
    r->rel = arena_alloc(d, (size_t)n * sizeof *r->rel);
    if (!r->rel) return nomem(w.err, w.path);
    memcpy(r->rel, ids, (size_t)n * sizeof *ids);
    r->n_rel = (uint8_t)n;
    return GR_OK;
}

/* Checks a filled code column (主诊断代码, 主要操作代码, 其他操作代码)
 * against what the group code says. */
static gr_status check_columns(gr_dip *d, crow *r, char *dxcol, char *maincol, char *relcol,
                               where w)
{
    canon_inplace(dxcol);
    if (*dxcol && strcmp(dxcol, r->dx) != 0)
        return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, "主诊断代码",
                         "'%s' differs from the diagnosis '%s' of group %s; make them agree",
                         dxcol, r->dx, r->code);
    canon_inplace(maincol);
    const char *main = r->main >= 0 ? d->procs[r->main].code : "";
    if (*maincol && strcmp(maincol, main) != 0)
        return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, "主要操作代码",
                         "'%s' differs from the main procedure '%s' of group %s; make them agree",
                         maincol, main, r->code);
    canon_inplace(relcol);
    if (!*relcol) return GR_OK;
    int n = 0, ok = 1;
    for (char *p = relcol; ok;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        size_t np = canon_inplace(p);
        if (np) {
            int32_t id = gr_strhash_get(&d->proc_ix, p, np, gr_strhash_hash(p, np));
            int found = 0;
            for (int j = 0; j < r->n_rel && !found; j++) found = id >= 0 && r->rel[j] == (uint32_t)id;
            ok = found;
            n++;
        }
        if (!comma) break;
        p = comma + 1;
    }
    if (!ok || n != r->n_rel)
        return gr_seterr(w.err, GR_ERR_FORMAT, w.path, w.line, "其他操作代码",
                         "the related procedures listed here differ from those in group code %s; "
                         "make them agree", r->code);
    return GR_OK;
}

static gr_status load_catalogue(gr_dip *d, const char *path, crows *out, gr_error *err)
{
    gr_csvtab t;
    char *f[MAX_FIELDS];
    int nf;
    long line;
    gr_status s = open_table(&t, path, f, &nf, err);
    if (s != GR_OK) return s;
    static const char *const seq_n[] = { "序号", "seq", NULL };
    static const char *const code_n[] = { CODE_COL, "code", NULL };
    static const char *const score_n[] = { "病种分值", "score", NULL };
    static const char *const dx_n[] = { "主诊断代码", "dx", NULL };
    static const char *const dxname_n[] = { "主诊断名称", "dx_name", NULL };
    static const char *const main_n[] = { "主要操作代码", "main_proc", NULL };
    static const char *const mainname_n[] = { "主要操作名称", "main_proc_name", NULL };
    static const char *const rel_n[] = { "其他操作代码", "related", NULL };
    static const char *const relname_n[] = { "其他操作名称", "related_names", NULL };
    int c_seq = col_any(f, nf, seq_n), c_code = col_any(f, nf, code_n);
    int c_type = col_prefix(f, nf, "病种类型");
    if (c_type < 0) c_type = gr_csvtab_col(f, nf < MAX_FIELDS ? nf : MAX_FIELDS, "type");
    int c_score = col_any(f, nf, score_n);
    int c_dx = col_any(f, nf, dx_n), c_dxname = col_any(f, nf, dxname_n);
    int c_main = col_any(f, nf, main_n), c_mainname = col_any(f, nf, mainname_n);
    int c_rel = col_any(f, nf, rel_n), c_relname = col_any(f, nf, relname_n);
    const char *missing = c_seq < 0 ? "序号" : c_code < 0 ? CODE_COL
                        : c_type < 0 ? "病种类型" : c_score < 0 ? "病种分值" : NULL;
    if (missing) {
        gr_csvtab_close(&t);
        return gr_seterr(err, GR_ERR_FORMAT, path, 1, missing,
                         "missing column; the catalogue needs the headers 序号, 病种编码, "
                         "病种类型, 病种分值 (as published)");
    }
    gr_strhash seen = { 0 };
    int rc;
    while ((rc = gr_csvtab_next(&t, f, MAX_FIELDS, &nf, &line, err)) > 0) {
        if (row_empty(f, nf)) continue;
        where w = { path, line, err };
        if (out->n == out->cap) {
            size_t cap = out->cap ? 2 * out->cap : 4096;
            crow *p = realloc(out->rows, cap * sizeof *p);
            if (!p) { s = nomem(err, path); break; }
            out->rows = p;
            out->cap = cap;
        }
        crow *r = &out->rows[out->n];
        memset(r, 0, sizeof *r);
        r->line = line;
        r->main = -1;

        char *code = (char *)field(f, nf, c_code);
        r->published = arena_strn(d, code, strlen(code));
        if (!r->published) { s = nomem(err, path); break; }
        size_t ncode = canon_inplace(code);
        if (ncode == 0) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, CODE_COL,
                          "empty group code; fill it or delete the row");
            break;
        }
        if (ncode >= GR_DIP_CODE_MAX) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, CODE_COL,
                          "group code longer than %d characters; fix the code",
                          GR_DIP_CODE_MAX - 1);
            break;
        }
        r->code = arena_strn(d, code, ncode);
        if (!r->code) { s = nomem(err, path); break; }
        int32_t first = -1;
        int put = gr_strhash_put(&seen, r->code, ncode, (int32_t)out->n, &first);
        if (put < 0) { s = nomem(err, path); break; }
        if (put == 0) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, CODE_COL,
                          "duplicate group code %s (first at line %ld); keep one row",
                          r->code, out->rows[first].line);
            break;
        }

        long seq;
        if (parse_long(field(f, nf, c_seq), &seq) != 1 || seq < 0 || seq > INT32_MAX) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, "序号",
                          "'%s' is not a row number (a whole number >= 0)",
                          field(f, nf, c_seq));
            break;
        }
        r->seq = seq;

        if (parse_double(field(f, nf, c_score), &r->score) != 1 || r->score < 0) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, "病种分值",
                          "'%s' is not a score (a number >= 0)", field(f, nf, c_score));
            break;
        }

        const char *ty = field(f, nf, c_type);
        char name[1024];
        size_t nlen = 0;
        name[0] = '\0';
        name_add(name, sizeof name, &nlen, field(f, nf, c_dxname));
        if (strcmp(r->code, BLANK_CODE) == 0) {
            r->type = GR_DIP_BLANK;
            r->dx = "";
            if (!nlen) name_add(name, sizeof name, &nlen, BLANK_NAME);
        } else {
            int core;
            if (strcmp(ty, "1") == 0) core = 1;
            else if (strcmp(ty, "0") == 0 || strcmp(ty, "2") == 0) core = 0;
            else {
                s = gr_seterr(err, GR_ERR_FORMAT, path, line, "病种类型",
                              "'%s' is not a group type; use 1 (core 核心病种) or 0 / 2 "
                              "(comprehensive 综合病种)", ty);
                break;
            }
            r->type = core ? GR_DIP_CORE : GR_DIP_COMPREHENSIVE;
            char scratch[GR_DIP_CODE_MAX];
            memcpy(scratch, r->code, ncode + 1);
            s = parse_code(d, scratch, core, r, w);
            if (s != GR_OK) break;
            s = check_columns(d, r, (char *)field(f, nf, c_dx), (char *)field(f, nf, c_main),
                              (char *)field(f, nf, c_rel), w);
            if (s != GR_OK) break;
            name_add(name, sizeof name, &nlen, field(f, nf, c_mainname));
            name_add(name, sizeof name, &nlen, field(f, nf, c_relname));
            if (!core) name_add(name, sizeof name, &nlen, attr_label[r->attr]);
        }
        r->name = arena_strn(d, name, nlen);
        if (!r->name) { s = nomem(err, path); break; }
        out->n++;
    }
    if (rc < 0) s = GR_ERR_FORMAT;
    gr_strhash_free(&seen);
    gr_csvtab_close(&t);
    if (s == GR_OK && out->n == 0)
        s = gr_seterr(err, GR_ERR_FORMAT, path, 2, "", "the catalogue has no groups");
    return s;
}

/* Ascending 序号, then file line; KBBZ last. */
static int cmp_row(const void *a, const void *b)
{
    const crow *x = a, *y = b;
    int bx = x->type == GR_DIP_BLANK, by = y->type == GR_DIP_BLANK;
    if (bx != by) return bx - by;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* ------------------------------------------------------------------ */
/* group_stats.csv                                                     */
/* ------------------------------------------------------------------ */

static gr_status load_stats(gr_dip *d, const char *path, gr_error *err)
{
    gr_csvtab t;
    char *f[MAX_FIELDS];
    int nf;
    long line;
    gr_status s = open_table(&t, path, f, &nf, err);
    if (s != GR_OK) return s;
    int nh = nf < MAX_FIELDS ? nf : MAX_FIELDS;
    int c_code = gr_csvtab_col(f, nh, "DIP_CODE");
    int c_year = gr_csvtab_col(f, nh, "YEAR");
    int c_w = gr_csvtab_col(f, nh, "WEIGHT_SCORE");
    int c_fee = gr_csvtab_col(f, nh, "DIP_AVG_FEE");
    int c_reg = gr_csvtab_col(f, nh, "REGION_AVE_VAL");
    int c_los = gr_csvtab_col(f, nh, "AVG_IPT_DAYS");
    int c_cv = gr_csvtab_col(f, nh, "CV");
    int c_cnt = gr_csvtab_col(f, nh, "BILL_COUNT");
    if (c_code < 0 || c_w < 0) {
        gr_csvtab_close(&t);
        return gr_seterr(err, GR_ERR_FORMAT, path, 1, c_code < 0 ? "DIP_CODE" : "WEIGHT_SCORE",
                         "missing column; group statistics need at least DIP_CODE and "
                         "WEIGHT_SCORE");
    }
    long *year = malloc(d->ngroups * sizeof *year);
    long *at = malloc(d->ngroups * sizeof *at);
    if (!year || !at) { free(year); free(at); gr_csvtab_close(&t); return nomem(err, path); }
    for (size_t i = 0; i < d->ngroups; i++) year[i] = LONG_MIN, at[i] = 0;
    double blank_w = NAN;
    int rc;
    while ((rc = gr_csvtab_next(&t, f, MAX_FIELDS, &nf, &line, err)) > 0) {
        if (row_empty(f, nf)) continue;
        char buf[GR_DIP_CODE_MAX];
        uint32_t h;
        size_t n = dip_canon(field(f, nf, c_code), buf, sizeof buf, &h);
        if (n == 0 || n >= sizeof buf) continue;
        int32_t g = gr_strhash_get(&d->code_ix, buf, n, h);
        if (g < 0) continue;               /* CP* pseudo-groups and others */
        long y = LONG_MIN + 1;
        if (c_year >= 0 && parse_long(field(f, nf, c_year), &y) < 0) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, "YEAR", "'%s' is not a year",
                          field(f, nf, c_year));
            break;
        }
        if (year[g] != LONG_MIN && y <= year[g]) {
            if (y == year[g]) {
                s = gr_seterr(err, GR_ERR_FORMAT, path, line, "DIP_CODE",
                              "duplicate statistics for %s (first at line %ld); keep one row",
                              buf, at[g]);
                break;
            }
            continue;                      /* an older year: the newest wins */
        }
        static const char *const names[] = { "WEIGHT_SCORE", "DIP_AVG_FEE", "REGION_AVE_VAL",
                                             "AVG_IPT_DAYS", "CV", "BILL_COUNT" };
        int cols[6] = { c_w, c_fee, c_reg, c_los, c_cv, c_cnt };
        double v[6];
        int bad = -1;
        for (int k = 0; k < 6; k++) {
            v[k] = NAN;
            if (cols[k] >= 0 && parse_double(field(f, nf, cols[k]), &v[k]) < 0) bad = k;
        }
        if (bad >= 0) {
            s = gr_seterr(err, GR_ERR_FORMAT, path, line, names[bad], "'%s' is not a number",
                          field(f, nf, cols[bad]));
            break;
        }
        year[g] = y;
        at[g] = line;
        gr_dip_group *gg = &d->groups[g];
        gg->stat_mean_fee = v[1];
        gg->stat_region_mean = v[2];
        gg->stat_mean_los = v[3];
        gg->stat_cv = v[4];
        gg->stat_count = isnan(v[5]) ? -1 : (int64_t)llround(v[5]);
        if (g == d->blank) blank_w = v[0];
    }
    if (rc < 0) s = GR_ERR_FORMAT;
    gr_csvtab_close(&t);
    free(year);
    free(at);
    if (s == GR_OK && !isnan(blank_w) && d->groups[d->blank].score < 0)
        d->groups[d->blank].score = blank_w;
    return s;
}

/* ------------------------------------------------------------------ */
/* Index                                                               */
/* ------------------------------------------------------------------ */

static int32_t combo_get_or_add(gr_dip *d, uint32_t dx, uint32_t proc)
{
    uint64_t key = dip_combo_key(dx, proc);
    size_t i = dip_combo_slot(key, d->combo_mask);
    for (;; i = (i + 1) & d->combo_mask) {
        if (d->combo_keys[i] == key) return (int32_t)d->combo_vals[i];
        if (d->combo_keys[i] == 0) break;
    }
    d->combo_keys[i] = key;
    d->combo_vals[i] = (uint32_t)d->ncombos;
    d->combos[d->ncombos] = (dip_combo){ -1, 0, 0 };
    return (int32_t)d->ncombos++;
}

static gr_status build_index(gr_dip *d, gr_error *err, const char *path)
{
    size_t ncore_proc = 0, nrel = 0, ncand = 0;
    for (size_t i = 0; i < d->ngroups; i++) {
        const gr_dip_group *g = &d->groups[i];
        if (g->type == GR_DIP_CORE && g->main_proc[0]) {
            ncore_proc++;
            if (g->n_related) ncand++, nrel += g->n_related;
        }
    }
    size_t cap = 16;
    while (cap < 2 * ncore_proc + 2) cap *= 2;
    d->combo_keys = calloc(cap, sizeof *d->combo_keys);
    d->combo_vals = calloc(cap, sizeof *d->combo_vals);
    d->combos = malloc((ncore_proc + 1) * sizeof *d->combos);
    d->cands = malloc((ncand + 1) * sizeof *d->cands);
    d->rel_ids = malloc((nrel + 1) * sizeof *d->rel_ids);
    int32_t *gcombo = malloc((d->ngroups + 1) * sizeof *gcombo);
    uint32_t *fill = NULL;
    if (!d->combo_keys || !d->combo_vals || !d->combos || !d->cands || !d->rel_ids || !gcombo)
        goto oom;
    d->combo_mask = cap - 1;

    /* pass 1: dx entries, combos, candidate counts */
    for (size_t i = 0; i < d->ngroups; i++) {
        gr_dip_group *g = &d->groups[i];
        gcombo[i] = -1;
        if (g->type == GR_DIP_BLANK) continue;
        int32_t e = dx_intern(d, g->dx, strlen(g->dx));
        if (e < 0) goto oom;
        if (g->type == GR_DIP_COMPREHENSIVE) {
            d->dxs[e].comp[g->attr] = (int32_t)i;
            continue;
        }
        if (!g->main_proc[0]) {
            d->dxs[e].dx_only = (int32_t)i;
            continue;
        }
        uint32_t mid = (uint32_t)gr_strhash_get(&d->proc_ix, g->main_proc, strlen(g->main_proc),
                                                gr_strhash_hash(g->main_proc,
                                                                strlen(g->main_proc)));
        int32_t c = combo_get_or_add(d, (uint32_t)e, mid);
        gcombo[i] = c;
        if (g->n_related) d->combos[c].n_cand++;
        else d->combos[c].dx_main = (int32_t)i;
    }
    /* pass 2: candidate offsets, then candidates in ascending 序号 */
    fill = calloc(d->ncombos + 1, sizeof *fill);
    if (!fill) goto oom;
    uint32_t off = 0;
    for (size_t c = 0; c < d->ncombos; c++) {
        d->combos[c].cand_off = off;
        off += d->combos[c].n_cand;
    }
    for (size_t i = 0; i < d->ngroups; i++) {
        const gr_dip_group *g = &d->groups[i];
        if (gcombo[i] < 0 || !g->n_related) continue;
        dip_combo *cb = &d->combos[gcombo[i]];
        dip_cand *cd = &d->cands[cb->cand_off + fill[gcombo[i]]++];
        cd->group = (int32_t)i;
        cd->n_rel = g->n_related;
        cd->rel_off = (uint32_t)d->nrel;
        for (int k = 0; k < g->n_related; k++) {
            const char *p = g->related[k];
            size_t n = strlen(p);
            d->rel_ids[d->nrel++] = (uint32_t)gr_strhash_get(&d->proc_ix, p, n,
                                                             gr_strhash_hash(p, n));
        }
    }
    d->ncands = ncand;
    free(fill);
    free(gcombo);
    return GR_OK;
oom:
    free(fill);
    free(gcombo);
    return nomem(err, path);
}

/* ------------------------------------------------------------------ */
/* Load                                                                */
/* ------------------------------------------------------------------ */

static gr_status build_groups(gr_dip *d, crows *cr, const char *path, gr_error *err)
{
    if (cr->n) qsort(cr->rows, cr->n, sizeof *cr->rows, cmp_row);
    for (size_t i = 1; i < cr->n; i++) {
        const crow *a = &cr->rows[i - 1], *b = &cr->rows[i];
        if (a->seq == b->seq && a->type != GR_DIP_BLANK && b->type != GR_DIP_BLANK)
            return gr_seterr(err, GR_ERR_FORMAT, path, b->line, "序号",
                             "序号 %ld is used again (line %ld); the tie rule needs unique "
                             "row numbers, renumber one of the rows", b->seq, a->line);
    }
    int has_blank = cr->n && cr->rows[cr->n - 1].type == GR_DIP_BLANK;
    d->ngroups = cr->n + (has_blank ? 0 : 1);
    d->groups = calloc(d->ngroups, sizeof *d->groups);
    if (!d->groups || gr_strhash_init(&d->code_ix, d->ngroups) < 0) return nomem(err, path);
    for (size_t i = 0; i < d->ngroups; i++) {
        gr_dip_group *g = &d->groups[i];
        g->stat_mean_fee = g->stat_cv = g->stat_mean_los = g->stat_region_mean = NAN;
        g->stat_count = -1;
        if (i == cr->n) {                  /* KBBZ added */
            snprintf(g->code, sizeof g->code, "%s", BLANK_CODE);
            g->published = BLANK_CODE;
            g->name = BLANK_NAME;
            g->type = GR_DIP_BLANK;
            g->main_proc = "";
            g->score = -1;                 /* set from the stats or the options */
        } else {
            const crow *r = &cr->rows[i];
            snprintf(g->code, sizeof g->code, "%s", r->code);
            g->published = r->published;
            g->name = r->name;
            g->seq = (int32_t)r->seq;
            g->type = r->type;
            g->attr = r->attr;
            g->n_related = r->n_rel;
            snprintf(g->dx, sizeof g->dx, "%s", r->dx);
            g->main_proc = r->main >= 0 ? d->procs[r->main].code : "";
            g->score = r->score;
            if (r->n_rel) {
                const char **rel = arena_alloc(d, r->n_rel * sizeof *rel);
                if (!rel) return nomem(err, path);
                for (int k = 0; k < r->n_rel; k++) rel[k] = d->procs[r->rel[k]].code;
                g->related = rel;
            }
        }
        if (gr_strhash_put(&d->code_ix, g->code, strlen(g->code), (int32_t)i, NULL) < 0)
            return nomem(err, path);
    }
    d->blank = (int32_t)(d->ngroups - 1);
    return GR_OK;
}

gr_status gr_dip_load(const gr_dip_options *o, gr_dip **out, gr_error *err)
{
    if (out) *out = NULL;
    if (err) memset(err, 0, sizeof *err);
    if (!o || !out || !o->catalogue_csv || !*o->catalogue_csv)
        return gr_seterr(err, GR_ERR_ARG, "", 0, "catalogue_csv",
                         "no DIP catalogue given; set the path of catalogue.csv");
    if (o->tie_rule != GR_TIE_LOWEST_SEQ)
        return gr_seterr(err, GR_ERR_ARG, "", 0, "tie_rule",
                         "unknown tie rule %d; the only rule is lowest 序号 (0)",
                         (int)o->tie_rule);
    gr_dip *d = calloc(1, sizeof *d);
    if (!d) return nomem(err, o->catalogue_csv);
    d->opt = *o;
    d->opt.catalogue_csv = d->opt.group_stats_csv = d->opt.proc_attr_csv = NULL;
    d->opt.icd10_csv = d->opt.simple_procs_csv = NULL;
    crows cr = { 0 };
    gr_status s = GR_OK;
    if (gr_strhash_init(&d->proc_ix, 16384) < 0 || gr_strhash_init(&d->dx_ix, 4096) < 0)
        s = nomem(err, o->catalogue_csv);
    if (s == GR_OK && o->proc_attr_csv) s = load_attr(d, o->proc_attr_csv, err);
    if (s == GR_OK && o->simple_procs_csv) s = load_simple(d, o->simple_procs_csv, err);
    if (s == GR_OK && o->icd10_csv) s = load_icd10(d, o->icd10_csv, err);
    if (s == GR_OK) s = load_catalogue(d, o->catalogue_csv, &cr, err);
    if (s == GR_OK) s = build_groups(d, &cr, o->catalogue_csv, err);
    if (s == GR_OK && o->group_stats_csv) s = load_stats(d, o->group_stats_csv, err);
    if (s == GR_OK) {
        gr_dip_group *b = &d->groups[d->blank];
        if (b->score < 0) {
            if (o->blank_score > 0) {
                b->score = o->blank_score;
            } else {
                double sum = 0;
                for (size_t i = 0; i < d->ngroups; i++)
                    if ((int32_t)i != d->blank) sum += d->groups[i].score;
                b->score = d->ngroups > 1 ? sum / (double)(d->ngroups - 1) : 0;
            }
        }
        s = build_index(d, err, o->catalogue_csv);
    }
    if (s == GR_OK) {
        for (size_t i = 0; i < d->nprocs; i++)
            if (d->procs[i].attr != GR_ATTR_UNKNOWN) d->n_attr++;
        d->attr_sorted = malloc((d->n_attr + 1) * sizeof *d->attr_sorted);
        if (!d->attr_sorted) s = nomem(err, o->catalogue_csv);
        else {
            size_t k = 0;
            for (size_t i = 0; i < d->nprocs; i++)
                if (d->procs[i].attr != GR_ATTR_UNKNOWN) d->attr_sorted[k++] = (uint32_t)i;
            qsort_r(d->attr_sorted, d->n_attr, sizeof *d->attr_sorted, cmp_proc_code, d->procs);
        }
    }
    free(cr.rows);
    if (s != GR_OK) {
        gr_dip_free(d);
        return s;
    }
    *out = d;
    return GR_OK;
}

void gr_dip_free(gr_dip *d)
{
    if (!d) return;
    gr_strhash_free(&d->code_ix);
    gr_strhash_free(&d->proc_ix);
    gr_strhash_free(&d->dx_ix);
    gr_strhash_free(&d->icd_ix);
    free(d->groups);
    free(d->procs);
    free(d->attr_sorted);
    free(d->dxs);
    free(d->combo_keys);
    free(d->combo_vals);
    free(d->combos);
    free(d->cands);
    free(d->rel_ids);
    free(d->icd_sorted);
    for (dip_block *b = d->arena, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(d);
}
