/*
 * clear.c - casemix clear: the annual clearing of a settlement year
 * (年度清算, docs/METHODS.md "The settlement year") from the ledger alone,
 * without reading a case record again.
 *
 *   merge the months' institution partials (integer sums), the final point
 *   value with the reserve and the corridor, the amount due per institution
 *   (largest remainder of the pool over the year's scores, exactly as
 *   settle shares a budget), the audit deductions, assessment coefficients
 *   and approved special-review cases from CSV files (file:line errors), the
 *   surplus / overspend bands, the balance; print the table and write it as
 *   /clearing into the ledger (the whole file again, temporary + rename).
 */
#include "ledger.h"
#include "h5out.h"
#include "html.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_inst_id(const void *a, const void *b)
{
    const ld_inst *x = a, *y = b;
    int c = strcmp(x->institution_id, y->institution_id);
    return c ? c : (x->month > y->month) - (x->month < y->month);
}

static int cmp_clear_id(const void *a, const void *b)
{
    return strcmp(((const ld_clear *)a)->institution_id, ((const ld_clear *)b)->institution_id);
}

static int find_inst(const ld_clear *c, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(c[mid].institution_id, id);
        if (!r) return (int)mid;
        if (r < 0) lo = mid + 1; else hi = mid;
    }
    return -1;
}

/* ---- a small CSV reader for the clearing inputs (header + 2 columns) ---- */

typedef struct {
    FILE *f;
    const char *path;
    long line;
    char buf[4096];
    char *fld[16];
    int nf;
} csvr;

/* Splits buf into fields (quotes "..." allowed, "" inside); trims spaces. */
static int csv_split(csvr *r)
{
    char *p = r->buf, *w;
    r->nf = 0;
    size_t n = strlen(p);
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r')) p[--n] = '\0';
    if (r->line == 1 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (r->nf == 16) return -1;
        r->fld[r->nf++] = w = p;
        if (*p == '"') {
            char *q = ++p;
            r->fld[r->nf - 1] = w = q;
            for (;;) {
                if (!*p) return -1;
                if (*p == '"' && p[1] == '"') { *w++ = '"'; p += 2; continue; }
                if (*p == '"') { p++; break; }
                *w++ = *p++;
            }
            while (*p == ' ' || *p == '\t') p++;
            if (*p && *p != ',') return -1;
        } else {
            while (*p && *p != ',') *w++ = *p++;
            while (w > r->fld[r->nf - 1] && (w[-1] == ' ' || w[-1] == '\t')) w--;
        }
        char c = *p;
        *w = '\0';
        if (c != ',') break;
        p++;
    }
    return 0;
}

/* Next non-empty row; 1 = a row, 0 = end, -1 = error (err). */
static int csv_next(csvr *r, char *err, size_t errlen)
{
    while (fgets(r->buf, sizeof r->buf, r->f)) {
        r->line++;
        if (!strchr(r->buf, '\n') && !feof(r->f)) {
            snprintf(err, errlen, "%s:%ld: the row is longer than %zu bytes", r->path, r->line, sizeof r->buf - 1);
            return -1;
        }
        if (csv_split(r)) {
            snprintf(err, errlen, "%s:%ld: cannot split the row into fields (an unclosed quote?)", r->path, r->line);
            return -1;
        }
        if (r->nf == 1 && !r->fld[0][0]) continue;
        return 1;
    }
    return 0;
}

/* Column index of the first header cell that is one of names (case-insensitive). */
static int csv_col(const csvr *r, const char *const *names)
{
    for (int i = 0; i < r->nf; i++)
        for (const char *const *n = names; *n; n++)
            if (!strcasecmp(r->fld[i], *n)) return i;
    return -1;
}

static const char *const INST_NAMES[] = {"institution_id", "定点医药机构编码", "机构编码", NULL};
static const char *const CASE_NAMES[] = {"case_id", "结算ID", "settlement_id", NULL};

/* Reads PATH: header naming the key column (keys) and the value column
 * (vals); calls fn per row. CM_OK, CM_ERR_INPUT (file:line in err). */
typedef cm_status (*row_fn)(void *ctx, const char *key, const char *val, const char *path, long line, char *err,
                            size_t errlen);
static cm_status read_pairs(const char *path, const char *const *keys, const char *const *vals, const char *what,
                            row_fn fn, void *ctx, char *err, size_t errlen)
{
    csvr r;
    memset(&r, 0, sizeof r);
    r.path = path;
    r.f = fopen(path, "r");
    if (!r.f) {
        snprintf(err, errlen, "%s: cannot open the %s file (%s); check the path in the configuration", path, what,
                 strerror(errno));
        return CM_ERR_INPUT;
    }
    cm_status rc = CM_OK;
    int k = csv_next(&r, err, errlen);
    int ck = -1, cv = -1;
    if (k < 0) rc = CM_ERR_INPUT;
    else if (k == 0 || (ck = csv_col(&r, keys)) < 0 || (cv = csv_col(&r, vals)) < 0) {
        snprintf(err, errlen, "%s:1: the header must name the columns %s and %s (the %s file)", path, keys[0],
                 vals[0], what);
        rc = CM_ERR_INPUT;
    }
    while (!rc && (k = csv_next(&r, err, errlen)) > 0) {
        if (ck >= r.nf || cv >= r.nf) {
            snprintf(err, errlen, "%s:%ld: %d field(s); the header has %s in column %d and %s in column %d", path,
                     r.line, r.nf, keys[0], ck + 1, vals[0], cv + 1);
            rc = CM_ERR_INPUT;
            break;
        }
        rc = fn(ctx, r.fld[ck], r.fld[cv], path, r.line, err, errlen);
    }
    if (k < 0) rc = CM_ERR_INPUT;
    fclose(r.f);
    return rc;
}

typedef struct {
    ld_clear *c;
    size_t n;
    unsigned char *seen;
    const ledger *L;
    size_t n_approved;
    int64_t cap;
    double pv, share;
    int64_t special_total;
    unsigned char *used;      /* [L->ns] special-review candidates approved */
    size_t *sidx;             /* [L->ns] candidates by case id */
} clear_ctx;

static const ledger *g_sort_ledger; /* qsort has no context argument */
static int cmp_special_id(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(g_sort_ledger->s[x].case_id, g_sort_ledger->s[y].case_id);
    return c ? c : (x > y) - (x < y);
}

static cm_status audit_row(void *vctx, const char *key, const char *val, const char *path, long line, char *err,
                           size_t errlen)
{
    clear_ctx *x = vctx;
    int k = find_inst(x->c, x->n, key);
    int64_t fen;
    if (k < 0) {
        snprintf(err, errlen, "%s:%ld: institution_id: '%s' has no case in the ledger's months; check the code",
                 path, line, key);
        return CM_ERR_INPUT;
    }
    if (x->seen[k] & 1) {
        snprintf(err, errlen, "%s:%ld: institution_id: '%s' is listed twice; give one total per institution", path,
                 line, key);
        return CM_ERR_INPUT;
    }
    if (cm_parse_yuan_grouped(val, strlen(val), &fen) != 0 || fen < 0) {
        snprintf(err, errlen, "%s:%ld: deduction_yuan: '%s' is not an amount in yuan >= 0 (e.g. 1234.50)", path, line,
                 val);
        return CM_ERR_INPUT;
    }
    x->seen[k] |= 1;
    x->c[k].audit_fen = fen;
    return CM_OK;
}

static cm_status assess_row(void *vctx, const char *key, const char *val, const char *path, long line, char *err,
                            size_t errlen)
{
    clear_ctx *x = vctx;
    int k = find_inst(x->c, x->n, key);
    if (k < 0) {
        snprintf(err, errlen, "%s:%ld: institution_id: '%s' has no case in the ledger's months; check the code",
                 path, line, key);
        return CM_ERR_INPUT;
    }
    if (x->seen[k] & 2) {
        snprintf(err, errlen, "%s:%ld: institution_id: '%s' is listed twice", path, line, key);
        return CM_ERR_INPUT;
    }
    /* a decimal with at most 4 places, 0..10, read exactly into 1e-4 */
    const char *p = val;
    int64_t ip = 0, fp = 0;
    int nd = 0, nf = 0;
    while (isdigit((unsigned char)*p) && nd < 3) { ip = ip * 10 + (*p++ - '0'); nd++; }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p) && nf < 4) { fp = fp * 10 + (*p++ - '0'); nf++; }
    }
    for (int i = nf; i < 4; i++) fp *= 10;
    int64_t e4 = ip * 10000 + fp;
    if (*p || (!nd && !nf) || e4 > 100000) {
        snprintf(err, errlen, "%s:%ld: coefficient: '%s' is not a coefficient from 0 to 10 with at most 4 decimals "
                              "(e.g. 0.95)",
                 path, line, val);
        return CM_ERR_INPUT;
    }
    x->seen[k] |= 2;
    x->c[k].assessment_e4 = e4;
    return CM_OK;
}

static cm_status special_row(void *vctx, const char *key, const char *val, const char *path, long line, char *err,
                             size_t errlen)
{
    clear_ctx *x = vctx;
    const ledger *L = x->L;
    /* binary search in the candidates sorted by case id (x->sidx) */
    size_t lo = 0, hi = L->ns, j = L->ns;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(L->s[x->sidx[mid]].case_id, key);
        if (!r) { j = x->sidx[mid]; break; }
        if (r < 0) lo = mid + 1; else hi = mid;
    }
    int64_t fen;
    if (j == L->ns) {
        snprintf(err, errlen, "%s:%ld: case_id: this case is not a special-review candidate (特例单议) of any month "
                              "in the ledger (cost above outliers.special × its standard cost); check the id",
                 path, line);
        return CM_ERR_INPUT;
    }
    if (cm_parse_yuan_grouped(val, strlen(val), &fen) != 0 || fen <= 0) {
        snprintf(err, errlen, "%s:%ld: approved_yuan: '%s' is not an amount in yuan > 0", path, line, val);
        return CM_ERR_INPUT;
    }
    if ((int64_t)x->n_approved + 1 > x->cap) {
        snprintf(err, errlen, "%s:%ld: more approved special-review cases than the year's cap of %lld "
                              "(clearing.special_cap × the year's discharges); approve fewer or raise the setting",
                 path, line, (long long)x->cap);
        return CM_ERR_INPUT;
    }
    int k = find_inst(x->c, x->n, L->s[j].institution_id);
    if (k < 0) { snprintf(err, errlen, "internal: special case without institution"); return CM_ERR_INTERNAL; }
    /* the same case twice: refused */
    if (x->used[j]) {
        snprintf(err, errlen, "%s:%ld: case_id: listed twice", path, line);
        return CM_ERR_INPUT;
    }
    x->used[j] = 1;
    x->n_approved++;
    int64_t top = sc_special_topup(fen, L->s[j].score_e4, x->pv, x->share);
    x->c[k].n_special++;
    x->c[k].special_fen += top;
    x->special_total += top;
    return CM_OK;
}

/* Terminal columns of code point c: 2 for the East Asian wide and fullwidth ranges (CJK ideographs,
 * kana, hangul, fullwidth forms such as （）， and the ideographic space), 0 for combining marks and
 * zero-width characters, 1 for the rest (ASCII, ·, —, …: East Asian "ambiguous", one column in
 * the terminals' default). */
#define CLEAR_NAME_COLS 32   /* the name column's widest: 16 Chinese characters */

static int cp_cols(uint32_t c)
{
    if ((c >= 0x300 && c <= 0x36F) || (c >= 0x200B && c <= 0x200F) || (c >= 0xFE00 && c <= 0xFE0F)) return 0;
    static const uint32_t WIDE[][2] = {
        {0x1100, 0x115F}, {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
        {0xA000, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19}, {0xFE30, 0xFE6F},
        {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD},
    };
    for (size_t k = 0; k < sizeof WIDE / sizeof WIDE[0]; k++)
        if (c >= WIDE[k][0] && c <= WIDE[k][1]) return 2;
    return 1;
}

/* The character at s: its bytes (*len) and terminal columns; a byte that is not UTF-8 counts one. */
static int char_cols(const unsigned char *s, size_t *len)
{
    unsigned b = s[0];
    size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    uint32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80) { n = 0; break; }
        c = c << 6 | (s[k] & 0x3F);
    }
    if (n == 0) { *len = 1; return 1; }
    *len = n;
    return cp_cols(c);
}

/* Terminal columns of UTF-8 text. */
static int text_cols(const char *s)
{
    int w = 0;
    size_t n;
    for (const unsigned char *u = (const unsigned char *)s; *u; u += n) w += char_cols(u, &n);
    return w;
}

/* s in exactly w terminal columns: padded with spaces, or, when wider, cut at a character
 * boundary and ended with "..." (three ASCII dots: one column each in every terminal, where
 * "…" takes two in some CJK terminals) so that the columns after it stay aligned. 1 when cut. */
static int put_fitted(const char *s, int w)
{
    int cols = text_cols(s);
    if (cols <= w) {
        fputs(s, stdout);
        for (int k = cols; k < w; k++) putchar(' ');
        return 0;
    }
    int used = 0;
    size_t n;
    for (const unsigned char *u = (const unsigned char *)s; *u; u += n) {
        int c = char_cols(u, &n);
        if (used + c > w - 3) break;
        fwrite(u, 1, n, stdout);
        used += c;
    }
    fputs("...", stdout);
    for (used += 3; used < w; used++) putchar(' ');
    return 1;
}

/* s, then spaces to w terminal columns (s no wider than w). */
static void put_padded(const char *s, int w) { put_fitted(s, w); }

cm_status cmd_clear(const cm_config *cfg, const cm_run_opts *o, const char *year_s, int partial)
{
    char err[1024] = "", lpath[CM_PATH_MAX + 32], missing[128] = "";
    char *end = NULL;
    long year = year_s ? strtol(year_s, &end, 10) : 0;
    if (!year_s) {
        fprintf(stderr, "casemix clear: --year YYYY is required: the year to clear (e.g. --year 2025); see casemix "
                        "clear --help\n");
        return CM_ERR_USAGE;
    }
    if (*end || year < 1900 || year > 9999) {
        fprintf(stderr, "casemix clear: --year needs a year (e.g. --year 2025), not '%s'; see casemix clear --help\n",
                year_s ? year_s : "");
        return CM_ERR_USAGE;
    }
    if (ld_path(cfg, (int)year, lpath, sizeof lpath, err, sizeof err)) {
        fprintf(stderr, "casemix: %s\n", err);
        return CM_ERR_USAGE;
    }
    static ledger L;
    int exists = 0;
    cm_status rc = ld_load(lpath, cfg->region, (int)year, &L, &exists, err, sizeof err);
    if (!rc && (!exists || L.nm == 0)) {
        snprintf(err, sizeof err, "%s: no month of %ld in the ledger; run casemix month --month %ld-01 ... first",
                 lpath, year, year);
        rc = CM_ERR_INPUT;
    }
    int nmissing = rc ? 0 : ld_missing_months(&L, missing, sizeof missing);
    if (!rc && nmissing && !partial) {
        /* the year's whole pool would be shared over the months present: refused */
        snprintf(err, sizeof err,
                 "%s: the ledger holds %zu of the 12 months of %ld; missing: %s. Run casemix month --month YYYY-MM "
                 "--input FILE for each missing month, then clear again; or pass --partial to clear on the months "
                 "present (the whole year's pool is then shared over them)",
                 lpath, L.nm, year, missing);
        rc = CM_ERR_INPUT;
    }
    if (rc) { fprintf(stderr, "casemix clear: %s\n", err); ld_free(&L); return rc; }
    if (nmissing && o->quiet)
        fprintf(stderr, "casemix clear: WARNING: partial year (--partial): %zu of 12 months; missing %s\n", L.nm,
                missing);
    const sc_year_params *yp = &cfg->year;
    /* merge the months per institution (sorted by id; integer sums) */
    ld_inst *byid = malloc((L.ni + 1) * sizeof *byid);
    if (byid && L.ni) memcpy(byid, L.i, L.ni * sizeof *byid);
    if (byid) qsort(byid, L.ni, sizeof *byid, cmp_inst_id);
    h5_names_free(L.cname, L.nc);
    L.cname = NULL;
    free(L.c);
    size_t cap = L.ni + L.noi + 1; /* the months' institutions and those of removed clearings only */
    L.c = calloc(cap, sizeof *L.c);
    int64_t *w = calloc(cap, sizeof *w), *due = calloc(cap, sizeof *due), *scr = calloc(cap, sizeof *scr);
    unsigned char *seen = calloc(cap, 1), *used = calloc(L.ns + 1, 1);
    size_t *sidx = malloc((L.ns + 1) * sizeof *sidx), *pidx = malloc((L.noi + 1) * sizeof *pidx);
    int64_t *pfen = malloc((L.noi + 1) * sizeof *pfen);
    if (!byid || !L.c || !w || !due || !scr || !seen || !used || !sidx || !pidx || !pfen) {
        fprintf(stderr, "casemix: out of memory\n");
        free(byid); free(w); free(due); free(scr); free(seen); free(used); free(sidx); free(pidx); free(pfen);
        ld_free(&L);
        return CM_ERR_NOMEM;
    }
    for (size_t j = 0; j < L.ns; j++) sidx[j] = j;
    g_sort_ledger = &L;
    qsort(sidx, L.ns, sizeof *sidx, cmp_special_id);
    size_t n = 0;
    for (size_t j = 0; j < L.ni; j++) {
        const ld_inst *e = &byid[j];
        if (!n || strcmp(L.c[n - 1].institution_id, e->institution_id)) {
            memset(&L.c[n], 0, sizeof L.c[n]);
            snprintf(L.c[n].institution_id, sizeof L.c[n].institution_id, "%s", e->institution_id);
            n++;
        }
        ld_clear *c = &L.c[n - 1];
        c->cases += e->cases;
        c->cost_fen += e->cost_fen;
        c->fund_fen += e->fund_fen;
        c->score_e4 += e->score_e4;
        c->gross_fen += e->gross_fen;
        c->deposit_fen += e->deposit_fen;
        c->paid_fen += e->paid_fen;
    }
    /* an institution of a removed clearing (/reopening_institutions) without a case in the months now (a
     * corrected month dropped it): a row of zeros, its balance 0, so that what it was paid is recovered */
    size_t n_months = n;
    for (size_t j = 0; j < L.noi; j++)
        if (find_inst(L.c, n_months, L.oi[j].institution_id) < 0) {
            memset(&L.c[n], 0, sizeof L.c[n]);
            snprintf(L.c[n].institution_id, sizeof L.c[n].institution_id, "%s", L.oi[j].institution_id);
            n++;
        }
    if (n > n_months) {
        qsort(L.c, n, sizeof *L.c, cmp_clear_id);
        size_t u = 0;
        for (size_t k = 0; k < n; k++) /* the same id in two reopenings: one row (both all zero) */
            if (!u || strcmp(L.c[u - 1].institution_id, L.c[k].institution_id)) L.c[u++] = L.c[k];
        n = u;
    }
    L.nc = n;
    if (ld_clear_names(&L)) { /* each institution's name: its latest month's (/institution_names) */
        fprintf(stderr, "casemix: out of memory\n");
        free(byid); free(w); free(due); free(scr); free(seen); free(used); free(sidx); free(pidx); free(pfen);
        ld_free(&L);
        return CM_ERR_NOMEM;
    }
    ld_year *Y = &L.y;
    memset(Y, 0, sizeof *Y);
    int64_t cost = 0, fund = 0;
    for (size_t k = 0; k < n; k++) {
        Y->cases += L.c[k].cases;
        Y->score_e4 += L.c[k].score_e4;
        cost += L.c[k].cost_fen;
        fund += L.c[k].fund_fen;
        w[k] = L.c[k].score_e4;
        L.c[k].assessment_e4 = (int64_t)llround(yp->default_assessment * 10000);
    }
    Y->months = (int32_t)L.nm;
    Y->budget_fen = cfg->fund_budget_fen;
    Y->reserve_fen = sc_share_fen(cfg->fund_budget_fen, yp->reserve);
    Y->allocated_fen = Y->budget_fen - Y->reserve_fen;
    Y->fund_share = cfg->fund_share > 0 ? cfg->fund_share : sc_fund_share(fund, cost);
    sc_year_pv_result pr;
    sc_year_final_pv(Y->allocated_fen, Y->fund_share, Y->score_e4, yp, &pr);
    Y->point_value_raw = pr.raw;
    Y->point_value = pr.pv;
    Y->clamped = pr.clamped;
    Y->pool_fen = pr.pool_fen;
    Y->reserve_used_fen = pr.reserve_used_fen;
    if (sc_apportion(Y->pool_fen, w, n, due, scr) != SC_OK) {
        snprintf(err, sizeof err, "%s: the year's total score is zero; nothing to share the budget over", lpath);
        rc = CM_ERR_INPUT;
    }
    clear_ctx x = {L.c, n, seen, &L, 0, sc_special_cap_cases(Y->cases, yp->special_cap), Y->point_value,
                   Y->fund_share, 0, used, sidx};
    Y->special_cap = x.cap;
    for (size_t k = 0; k < n; k++) L.c[k].due_fen = due[k];
    static const char *const DED[] = {"deduction_yuan", "扣款金额", "audit_deduction", NULL};
    static const char *const COEF[] = {"coefficient", "考核系数", "assessment", NULL};
    static const char *const APPR[] = {"approved_yuan", "核准金额", "approved", NULL};
    if (!rc && cfg->clear_audit[0])
        rc = read_pairs(cfg->clear_audit, INST_NAMES, DED, "audit deductions (clearing.audit)", audit_row, &x, err,
                        sizeof err);
    if (!rc && cfg->clear_assessment[0])
        rc = read_pairs(cfg->clear_assessment, INST_NAMES, COEF, "assessment coefficients (clearing.assessment)",
                        assess_row, &x, err, sizeof err);
    if (!rc && cfg->clear_special[0])
        rc = read_pairs(cfg->clear_special, CASE_NAMES, APPR, "approved special-review cases (clearing.special_review)",
                        special_row, &x, err, sizeof err);
    if (!rc) {
        Y->n_special = (int64_t)x.n_approved;
        Y->special_fen = x.special_total;
        for (size_t k = 0; k < n; k++) {
            ld_clear *c = &L.c[k];
            c->band_fen = sc_band_adjust(c->due_fen, c->fund_fen, yp);
            Y->band_fen += c->band_fen;
            c->deposit_back_fen = sc_muldiv_round(c->deposit_fen, c->assessment_e4, 10000);
            c->balance_fen = sc_clear_balance(c->due_fen, c->gross_fen, c->deposit_fen, c->audit_fen, c->assessment_e4,
                                              c->band_fen, c->special_fen);
        }
        Y->reserve_left_fen = Y->reserve_fen - Y->reserve_used_fen - Y->band_fen - Y->special_fen;
        /* the clearings removed by --reopen were paid out (/reopening_institutions): deducted (已清算) */
        for (size_t j = 0; j < L.noi; j++) {
            int k = find_inst(L.c, n, L.oi[j].institution_id);
            pidx[j] = k < 0 ? n : (size_t)k; /* not found: cannot happen (rows added above); refused below */
            pfen[j] = L.oi[j].to_settle_fen; /* what each removed clearing paid: Σ = the latest one's balance */
        }
        for (size_t k = 0; k < n; k++) w[k] = L.c[k].balance_fen;
        if (sc_clear_settle(w, n, pfen, pidx, L.noi, due, scr) != SC_OK) {
            snprintf(err, sizeof err, "%s: /reopening_institutions: the balances of the removed clearings cannot be "
                                      "deducted (an amount beyond int64 fen); the ledger is damaged", lpath);
            rc = CM_ERR_INPUT;
        }
        for (size_t k = 0; k < n; k++) {
            L.c[k].settled_before_fen = due[k];
            L.c[k].to_settle_fen = scr[k];
        }
        if (!rc && g_interrupted) rc = CM_ERR_INTERRUPTED;
    }
    if (!rc) rc = ld_write(lpath, cfg, &L, err, sizeof err);
    if (rc) {
        if (rc == CM_ERR_INTERRUPTED) fprintf(stderr, "casemix: interrupted; the ledger was left as it was\n");
        else fprintf(stderr, "casemix: %s\n", err[0] ? err : "failed");
    } else if (!o->quiet) {
        char a[40], b[40], c3[40], d[40], e[40], f[40], g[40];
        printf("casemix clear %ld: %s (region %s, %zu month(s))\n", year, lpath, cfg->region, L.nm);
        if (nmissing)
            printf("  PARTIAL YEAR (--partial): %zu of 12 months; missing %s. The whole year's pool is shared over "
                   "the months present (/clearing: partial = 1, months_missing)\n", L.nm, missing);
        char sc4[48];
        printf("  cases %lld, score %s points, fund share %.6f\n", (long long)Y->cases,
               fmt_e4(sc4, sizeof sc4, Y->score_e4, 4), Y->fund_share);
        printf("  budget %s = reserve (预留调节金) %s + allocated %s yuan\n", cm_yuan_text(a, sizeof a, Y->budget_fen, 1),
               cm_yuan_text(b, sizeof b, Y->reserve_fen, 1), cm_yuan_text(c3, sizeof c3, Y->allocated_fen, 1));
        printf("  final point value (结算点值) %.6f yuan%s (raw %.6f); pool %s yuan\n", Y->point_value,
               Y->clamped < 0 ? ", raised to the corridor floor" : Y->clamped > 0 ? ", cut to the corridor ceiling" : "",
               Y->point_value_raw, cm_yuan_text(a, sizeof a, Y->pool_fen, 1));
        printf("  reserve: corridor %s, bands %s, special review %s (%lld of at most %lld cases); left %s yuan%s\n",
               cm_yuan_text(a, sizeof a, Y->reserve_used_fen, 1), cm_yuan_text(b, sizeof b, Y->band_fen, 1),
               cm_yuan_text(c3, sizeof c3, Y->special_fen, 1), (long long)Y->n_special, (long long)Y->special_cap,
               cm_yuan_text(d, sizeof d, Y->reserve_left_fen, 1),
               Y->reserve_left_fen < 0 ? " (WARNING: more than the reserve holds)" : "");
        /* the name column (机构名称, the latest month's name: ld_clear_names) as wide as its widest name,
         * at most CLEAR_NAME_COLS terminal columns (a longer name cut with "...": put_fitted); the id
         * column as wide as the longest id (ids are never cut) */
        int nw = text_cols("name 机构名称"), iw = 14, cut = 0;
        for (size_t k = 0; k < n; k++) {
            if (text_cols(ld_clear_name(&L, k)) > nw) nw = text_cols(ld_clear_name(&L, k));
            if ((int)strlen(L.c[k].institution_id) > iw) iw = (int)strlen(L.c[k].institution_id);
        }
        if (nw > CLEAR_NAME_COLS) nw = CLEAR_NAME_COLS;
        printf("  %-*s ", iw, "institution");
        put_padded("name 机构名称", nw);
        static const char *const HEAD[] = {"due (应付)", "pre-paid gross", "audit", "coef", "deposit back",
                                           "band+special", "balance (清算)", "settled (已清算)",
                                           "to settle (本次应补(追))"};
        static const int HW[] = {16, 16, 12, 8, 14, 14, 16, 16, 24};
        int reopened = L.no > 0; /* the two columns after balance only when a clearing was removed */
        for (int h = 0; h < (reopened ? 9 : 7); h++) { /* right-aligned by terminal columns (the Chinese takes 2) */
            putchar(' ');
            for (int k = text_cols(HEAD[h]); k < HW[h]; k++) putchar(' ');
            fputs(HEAD[h], stdout);
        }
        putchar('\n');
        int64_t sb = 0, sd = 0, sg = 0, sk = 0, ss = 0, st = 0;
        for (size_t k = 0; k < n; k++) {
            const ld_clear *c = &L.c[k];
            sb += c->balance_fen;
            sd += c->due_fen;
            sg += c->gross_fen;
            sk += c->deposit_back_fen;
            ss += c->settled_before_fen;
            st += c->to_settle_fen;
            printf("  %-*s ", iw, c->institution_id);
            cut += put_fitted(ld_clear_name(&L, k), nw);
            printf(" %16s %16s %12s %8.4f %14s %14s %16s",
                   cm_yuan_text(a, sizeof a, c->due_fen, 1), cm_yuan_text(b, sizeof b, c->gross_fen, 1),
                   cm_yuan_text(c3, sizeof c3, c->audit_fen, 1), (double)c->assessment_e4 / 10000,
                   cm_yuan_text(d, sizeof d, c->deposit_back_fen, 1),
                   cm_yuan_text(e, sizeof e, c->band_fen + c->special_fen, 1),
                   cm_yuan_text(f, sizeof f, c->balance_fen, 1));
            if (reopened)
                printf(" %16s %24s", cm_yuan_text(a, sizeof a, c->settled_before_fen, 1),
                       cm_yuan_text(b, sizeof b, c->to_settle_fen, 1));
            putchar('\n');
        }
        printf("  Σ due %s = pool; Σ pre-paid gross %s; Σ deposit back %s; Σ balance %s yuan; Σ settled before "
               "(已清算) %s; Σ to settle now (本次应补(追)) %s yuan\n",
               cm_yuan_text(g, sizeof g, sd, 1), cm_yuan_text(b, sizeof b, sg, 1), cm_yuan_text(c3, sizeof c3, sk, 1),
               cm_yuan_text(a, sizeof a, sb, 1), cm_yuan_text(d, sizeof d, ss, 1), cm_yuan_text(e, sizeof e, st, 1));
        if (cut)
            printf("  %d name(s) over %d columns shortened with \"...\"; the full names: /clearing_names (casemix export "
                   "--xlsx / --csv, casemix report)\n", cut, CLEAR_NAME_COLS);
        printf("  columns: due 应付 (the pool shared by score at the final point value); pre-paid gross 月度预结算 (the\n"
               "    months' payments before the deposit); audit 审核扣款; coef 考核系数 (assessment coefficient); deposit\n"
               "    back 返还保证金 = deposit x coef; band+special 结余留用/超支分担 + 特例单议; balance 清算应拨付 = due -\n"
               "    gross - audit + deposit back + band+special: positive = the fund pays the institution (应补拨),\n"
               "    negative = the institution returns it (应扣回)\n");
        if (reopened) {
            size_t with = 0; /* reopenings with their balances recorded (/reopening_institutions, in order) */
            for (size_t j = 0; j < L.noi; j++) with += !j || L.oi[j].reopening != L.oi[j - 1].reopening;
            printf("  settled 已清算 = what the %zu clearing(s) removed by casemix month --reopen settled for the "
                   "institution\n    (/reopenings, /reopening_institutions; = the latest removed clearing's balance), "
                   "assumed paid out\n    (negative: recovered); to settle 本次应补(追) = balance - settled: what to pay "
                   "(negative: recover) now\n", with);
            if (with < L.no)
                printf("  WARNING: %zu reopening(s) in /reopenings were recorded by a casemix before "
                       "/reopening_institutions: their clearings' balances are not deducted; deduct them by hand\n",
                       L.no - with);
        }
        int64_t rsum = 0;
        size_t nrev = ld_revisions(&L, &rsum);
        if (nrev) /* months run again (/revisions): their differences were settled then (casemix month said so) */
            printf("  corrections (更正记录) %zu month re-run(s) in /revisions, Σ differences %s yuan: assumed paid "
                   "(negative: recovered) when each month was run again; pre-paid above is the latest entries\n",
                   nrev, cm_yuan_text(a, sizeof a, rsum, 1));
        printf("  wrote /clearing to %s\n", lpath);
    }
    free(byid); free(w); free(due); free(scr); free(seen); free(used); free(sidx); free(pidx); free(pfen);
    ld_free(&L);
    return rc;
}
