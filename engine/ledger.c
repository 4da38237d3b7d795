/*
 * ledger.c - the ledger file of a settlement year (engine/ledger.h): read
 * it whole, replace a month, write it whole under a temporary name and
 * rename it into place (engine/h5out.c), so it is complete or absent.
 *
 * Each table's HDF5 row is the image of its C struct (h5row_add aligns
 * members naturally, in struct order), so a table is written and read back
 * with one compound type. HDF5 converts compound members by name, so a
 * ledger of an older casemix reads with today's type: a member it lacks is
 * left as calloc made it (0), except /months duplicates_withheld, set to -1
 * (not recorded) there.
 */
#include "ledger.h"
#include "h5out.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define I64 H5T_NATIVE_INT64
#define I32 H5T_NATIVE_INT32
#define F64 H5T_NATIVE_DOUBLE

static void row_month(h5row *r)
{
    h5row_begin(r);
    h5row_add(r, "month", I32, 4);
    h5row_add(r, "records", I64, 8);
    h5row_add(r, "cases", I64, 8);
    h5row_add(r, "rejects", I64, 8);
    h5row_add(r, "cost_fen", I64, 8);
    h5row_add(r, "fund_fen", I64, 8);
    h5row_add(r, "score_e4", I64, 8);
    h5row_add(r, "gross_fen", I64, 8);
    h5row_add(r, "deposit_fen", I64, 8);
    h5row_add(r, "paid_fen", I64, 8);
    h5row_add(r, "duplicates_withheld", I64, 8);            /* -1: not recorded */
    h5row_add(r, "duplicates_withheld_total_fen", I64, 8);
    h5row_add(r, "duplicates_withheld_fund_fen", I64, 8);
    h5row_add(r, "fund_share", F64, 8);
    h5row_add(r, "point_value_estimate", F64, 8);
    h5row_add(r, "forecast", F64, 8);
    h5row_add(r, "band_low", F64, 8);
    h5row_add(r, "band_high", F64, 8);
    h5row_add(r, "forecast_score", F64, 8);
    h5row_add(r, "input_bytes", I64, 8);
    h5row_add_str(r, "input", 256);
    h5row_add_str(r, "run_at", 24);
    h5row_add_str(r, "discharge_first", 12);
    h5row_add_str(r, "discharge_last", 12);
    h5row_end(r);
}

static void row_inst(h5row *r)
{
    h5row_begin(r);
    h5row_add(r, "month", I32, 4);
    h5row_add(r, "level", I32, 4);
    h5row_add_str(r, "institution_id", 32);
    const char *n[] = {"cases", "cost_fen", "fund_fen", "score_e4", "n_low", "n_high", "n_special",
                       "gross_fen", "deposit_fen", "paid_fen"};
    for (size_t k = 0; k < sizeof n / sizeof n[0]; k++) h5row_add(r, n[k], I64, 8);
    h5row_end(r);
}

static void row_group(h5row *r)
{
    h5row_begin(r);
    h5row_add(r, "month", I32, 8); /* 8: month and ld_group's pad, so "group" sits where the struct has it */
    h5row_add_str(r, "group", GR_DIP_CODE_MAX);
    h5row_add(r, "cases", I64, 8);
    h5row_add(r, "cost_fen", I64, 8);
    h5row_add(r, "score_e4", I64, 8);
    h5row_end(r);
}

static void row_special(h5row *r)
{
    h5row_begin(r);
    h5row_add(r, "month", I32, 8); /* 8: month and ld_special's pad (as row_group) */
    h5row_add_str(r, "case_id", CM_CASE_ID_MAX + 8);
    h5row_add_str(r, "institution_id", 32);
    h5row_add(r, "score_e4", I64, 8);
    h5row_add(r, "cost_fen", I64, 8);
    h5row_add(r, "fund_fen", I64, 8);
    h5row_end(r);
}

static void row_hist(h5row *r)
{
    h5row_begin(r);
    h5row_add(r, "year", I32, 4);
    h5row_add(r, "month", I32, 4);
    h5row_add(r, "cases", I64, 8);
    h5row_add(r, "cost_fen", I64, 8);
    h5row_end(r);
}

static void row_caseid(h5row *r) /* the widest row; /case_ids is read and written by its own width */
{
    h5row_begin(r);
    h5row_add(r, "month", I32, 4);
    h5row_add_str(r, "case_id", CM_CASE_ID_MAX + 1);
    h5row_end(r);
}

static void row_clear(h5row *r)
{
    h5row_begin(r);
    h5row_add_str(r, "institution_id", 32);
    const char *n[] = {"cases", "cost_fen", "fund_fen", "score_e4", "due_fen", "gross_fen", "deposit_fen",
                       "paid_fen", "audit_fen", "assessment_e4", "deposit_back_fen", "band_fen", "n_special",
                       "special_fen", "balance_fen", "settled_before_fen", "to_settle_fen"};
    for (size_t k = 0; k < sizeof n / sizeof n[0]; k++) h5row_add(r, n[k], I64, 8);
    h5row_end(r);
}

static void row_rev(h5row *r)
{
    h5row_begin(r);
    h5row_add(r, "month", I32, 4);
    h5row_add(r, "revision", I32, 4);
    const char *n[] = {"cases_old", "gross_old_fen", "deposit_old_fen", "paid_old_fen", "cases_new", "gross_new_fen",
                       "deposit_new_fen", "paid_new_fen", "difference_fen"};
    for (size_t k = 0; k < sizeof n / sizeof n[0]; k++) h5row_add(r, n[k], I64, 8);
    h5row_add(r, "point_value_old", F64, 8);
    h5row_add(r, "point_value_new", F64, 8);
    h5row_add_str(r, "input_old", 256);
    h5row_add_str(r, "run_at_old", 24);
    h5row_add_str(r, "input_new", 256);
    h5row_add_str(r, "run_at_new", 24);
    h5row_end(r);
}

static void row_rev_inst(h5row *r)
{
    h5row_begin(r);
    h5row_add(r, "month", I32, 4);
    h5row_add(r, "revision", I32, 4);
    h5row_add_str(r, "institution_id", 32);
    h5row_add(r, "paid_old_fen", I64, 8);
    h5row_add(r, "paid_new_fen", I64, 8);
    h5row_add(r, "difference_fen", I64, 8);
    h5row_end(r);
}

static void row_reopen(h5row *r)
{
    h5row_begin(r);
    h5row_add(r, "month", I32, 4);
    h5row_add(r, "months_cleared", I32, 4);
    h5row_add(r, "cases", I64, 8);
    h5row_add(r, "due_fen", I64, 8);
    h5row_add(r, "balance_fen", I64, 8);
    h5row_add(r, "point_value", F64, 8);
    h5row_add_str(r, "run_at", 24);
    h5row_end(r);
}

static void row_reopen_inst(h5row *r)
{
    h5row_begin(r);
    h5row_add(r, "reopening", I32, 8); /* 8: reopening and ld_reopen_inst's pad */
    h5row_add_str(r, "institution_id", 32);
    h5row_add(r, "balance_fen", I64, 8);
    h5row_add(r, "to_settle_fen", I64, 8);
    h5row_end(r);
}

typedef struct {
    const char *name, *title;
    void (*row)(h5row *);
    size_t size;
} table_def;

static const table_def TABLES[] = {
    {"months", "One row per month settled: cases, Σ score (1e-4 points), costs and fund paid (fen), the monthly "
               "payments (gross, deposit withheld, paid), the R05 duplicate claims withheld from payment (重复结算不予支付: "
               "count, -1 when not recorded; claimed total cost and fund part, fen), the estimated point value and the forecast of the "
               "year's final point value with its band (yuan per point)",
     row_month, sizeof(ld_month)},
    {"institutions", "Per month and institution: the month's partial sums and pre-settlement payments", row_inst,
     sizeof(ld_inst)},
    {"groups", "Per month and DIP group with cases: cases, Σ cost (fen), Σ score (1e-4 points)", row_group,
     sizeof(ld_group)},
    {"special", "Special-review candidates (特例单议) of each month: case id, institution, score, cost, fund paid",
     row_special, sizeof(ld_special)},
    {"history_months", "The history years by month of discharge: cases and Σ cost (fen), the seasonal pattern of "
                       "the forecast",
     row_hist, sizeof(ld_hist)},
    {"case_ids", "The case ids (结算ID) settled in each month, by month then id: casemix month rejects a case whose "
                 "id another month settled",
     row_caseid, 0},
    {"clearing", "Annual clearing (年度清算) per institution: amount due at the final point value, monthly "
                 "pre-payments, audit deductions, deposit returned by the assessment coefficient, band "
                 "adjustment, special review, balance (fen)",
     row_clear, sizeof(ld_clear)},
    {"revisions", "Corrections (更正记录): one row per month run again (a corrected export), appended and never "
                  "rewritten: the replaced (_old) and the new (_new) entry of /months (cases, gross, deposit, paid in "
                  "fen, estimated point value, input file, settlement time) and the difference paid_new - paid_old "
                  "(fen; > 0 paid to the institutions, < 0 recovered from them) when the month was run again",
     row_rev, sizeof(ld_rev)},
    {"revision_institutions", "Corrections (更正记录) per institution: the month, its revision, the institution's paid "
                              "then and now and the difference (fen); they add up to the revision's difference",
     row_rev_inst, sizeof(ld_rev_inst)},
    {"reopenings", "Clearings revoked (撤销清算记录): one row per casemix month --reopen run on a cleared year, "
                   "appended and never rewritten: the month run, when (UTC), and what the removed /clearing had "
                   "(months, cases, final point value, Σ amount due and Σ balance in fen)",
     row_reopen, sizeof(ld_reopen)},
    {"reopening_institutions", "Clearings revoked (撤销清算记录) per institution: the reopening (its /reopenings row, "
                               "1-based), the removed clearing's balance and what it left to settle then (fen; its "
                               "to_settle_fen), assumed paid out (< 0: recovered); casemix clear deducts the latter "
                               "(/clearing settled_before_fen, to_settle_fen)",
     row_reopen_inst, sizeof(ld_reopen_inst)},
};
enum { T_MONTHS, T_INST, T_GROUPS, T_SPECIAL, T_HIST, T_IDS, T_CLEAR, T_REV, T_REVI, T_REOPEN, T_REOPI, T__N };

static void **tab_ptr(ledger *l, int t, size_t **n)
{
    switch (t) {
    case T_MONTHS: *n = &l->nm; return (void **)&l->m;
    case T_INST: *n = &l->ni; return (void **)&l->i;
    case T_GROUPS: *n = &l->ng; return (void **)&l->g;
    case T_SPECIAL: *n = &l->ns; return (void **)&l->s;
    case T_HIST: *n = &l->nh; return (void **)&l->h;
    case T_IDS: *n = &l->nk; return (void **)&l->kb;
    case T_REV: *n = &l->nr; return (void **)&l->r;
    case T_REVI: *n = &l->nri; return (void **)&l->ri;
    case T_REOPEN: *n = &l->no; return (void **)&l->o;
    case T_REOPI: *n = &l->noi; return (void **)&l->oi;
    default: *n = &l->nc; return (void **)&l->c;
    }
}

cm_status ld_path(const cm_config *cfg, int year, char *out, size_t n, char *err, size_t errlen)
{
    if (cfg->year_ledger[0]) {
        snprintf(out, n, "%s", cfg->year_ledger);
        return CM_OK;
    }
    if (!cfg->output_file[0]) {
        snprintf(err, errlen, "no ledger file: set year.ledger (or output.file, beside which the ledger is kept) "
                              "in the configuration");
        return CM_ERR_USAGE;
    }
    size_t len = strlen(cfg->output_file);
    if (len > 3 && strcmp(cfg->output_file + len - 3, ".h5") == 0) len -= 3;
    int w = snprintf(out, n, "%.*s.ledger-%04d.h5", (int)len, cfg->output_file, year);
    if (w < 0 || (size_t)w >= n) {
        snprintf(err, errlen, "%s: path too long", cfg->output_file);
        return CM_ERR_USAGE;
    }
    return CM_OK;
}

static int read_attr_str(hid_t obj, const char *name, char *buf, size_t n)
{
    buf[0] = '\0';
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, n);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    hid_t ft = H5Aget_type(a);
    int rc = -1;
    if (H5Tget_class(ft) == H5T_STRING && !H5Tis_variable_str(ft) && H5Tget_size(ft) < n)
        rc = H5Aread(a, mt, buf) < 0 ? -1 : 0;
    buf[n - 1] = '\0';
    H5Tclose(ft);
    H5Tclose(mt);
    H5Aclose(a);
    return rc;
}

static int read_attr_num(hid_t obj, const char *name, hid_t type, void *v)
{
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int rc = H5Aread(a, type, v) < 0 ? -1 : 0;
    H5Aclose(a);
    return rc;
}

int ld_missing_months(const ledger *l, char *out, size_t n)
{
    int miss = 0;
    size_t len = 0;
    if (n) out[0] = 0;
    for (int m = 1; m <= 12; m++) {
        int have = 0;
        for (size_t k = 0; k < l->nm && !have; k++) have = l->m[k].month == m;
        if (have) continue;
        miss++;
        if (len < n) {
            int w = snprintf(out + len, n - len, "%s%04d-%02d", len ? ", " : "", l->year, m);
            len += w > 0 ? (size_t)w : 0;
        }
    }
    return miss;
}

/* The /clearing attributes: name, the ld_year member, int64 or double. */
#define YEAR_I64(m) {#m, offsetof(ld_year, m), 0}
#define YEAR_F64(m) {#m, offsetof(ld_year, m), 1}
static const struct { const char *name; size_t off; int real; } YEAR_ATTRS[] = {
    YEAR_I64(budget_fen), YEAR_I64(reserve_fen), YEAR_I64(allocated_fen), YEAR_I64(pool_fen),
    YEAR_I64(reserve_used_fen), YEAR_I64(band_fen), YEAR_I64(special_fen), YEAR_I64(reserve_left_fen),
    YEAR_I64(cases), YEAR_I64(score_e4), YEAR_I64(n_special), YEAR_I64(special_cap),
    YEAR_F64(fund_share), YEAR_F64(point_value_raw), YEAR_F64(point_value),
};

/* Ledgers of casemix before session 8 stored /groups' group and /special's
 * case_id and institution_id 4 bytes early (the first 4 bytes NUL, the
 * struct's pad; the last 4 cut): read with today's row they come back with 4
 * NULs in front. Move such text to the start of its field. */
static void old_layout_text(char *s, size_t cap)
{
    if (cap > 4 && !s[0] && !s[1] && !s[2] && !s[3] && s[4]) {
        memmove(s, s + 4, cap - 4);
        memset(s + cap - 4, 0, 4);
    }
}

/* /case_ids read as the file has it into l->kb (rows of kw bytes, the
 * layout of ledger.h): no conversion by HDF5, slow at millions of rows.
 * 0 or -1 (l->kb may be allocated: ld_free). */
static int read_case_ids(hid_t ds, ledger *l)
{
    hid_t sp = H5Dget_space(ds), ft = H5Dget_type(ds);
    hssize_t nrow = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    int im = ft >= 0 ? H5Tget_member_index(ft, "month") : -1, ii = ft >= 0 ? H5Tget_member_index(ft, "case_id") : -1;
    hid_t mt = im >= 0 ? H5Tget_member_type(ft, (unsigned)im) : -1;
    hid_t st = ii >= 0 ? H5Tget_member_type(ft, (unsigned)ii) : -1;
    size_t width = st >= 0 ? H5Tget_size(st) : 0, rowsize = ft >= 0 ? H5Tget_size(ft) : 0;
    /* the file's row is the memory row: a native int32 month at 0, a fixed string at 4 */
    int bad = nrow < 0 || mt < 0 || st < 0 || H5Tequal(mt, H5T_NATIVE_INT32) <= 0 || H5Tget_class(st) != H5T_STRING ||
              H5Tis_variable_str(st) > 0 || H5Tget_member_offset(ft, (unsigned)im) != 0 ||
              H5Tget_member_offset(ft, (unsigned)ii) != 4 || rowsize != 4 + width || width < 2 ||
              width > CM_CASE_ID_MAX + 8;
    l->kb = bad ? NULL : malloc(((size_t)nrow + 1) * rowsize);
    bad |= !l->kb || (nrow > 0 && H5Dread(ds, ft, H5S_ALL, H5S_ALL, H5P_DEFAULT, l->kb) < 0);
    for (hssize_t j = 0; !bad && j < nrow; j++) l->kb[(size_t)j * rowsize + rowsize - 1] = 0; /* NUL-terminated */
    if (!bad) { l->nk = (size_t)nrow; l->kw = rowsize; }
    if (st >= 0) H5Tclose(st);
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    return bad ? -1 : 0;
}

cm_status ld_load(const char *path, const char *region, int year, ledger *l, int *exists, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    *exists = 0;
    struct stat sb;
    if (stat(path, &sb) != 0) return CM_OK;
    *exists = 1;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char kind[64] = "";
    if (f >= 0) h5_file_kind(f, kind, sizeof kind);
    if (f < 0 || strcmp(kind, H5_KIND_LEDGER) != 0) {
        if (f >= 0) H5Fclose(f);
        snprintf(err, errlen, "%s: is not a casemix ledger; set year.ledger to another file or move it", path);
        return CM_ERR_INPUT;
    }
    char reg[64];
    int32_t y = 0;
    read_attr_str(f, "region", reg, sizeof reg);
    read_attr_num(f, "year", H5T_NATIVE_INT32, &y);
    if (strcmp(reg, region) != 0 || y != year) {
        H5Fclose(f);
        snprintf(err, errlen, "%s: is the ledger of region %s, year %d, not of region %s, year %d; set year.ledger "
                              "to this year's file",
                 path, reg, (int)y, region, year);
        return CM_ERR_INPUT;
    }
    snprintf(l->region, sizeof l->region, "%s", region);
    l->year = year;
    cm_status rc = CM_OK;
    for (int t = 0; t < T__N && !rc; t++) {
        if (H5Lexists(f, TABLES[t].name, H5P_DEFAULT) <= 0) continue;
        hid_t ds = H5Dopen2(f, TABLES[t].name, H5P_DEFAULT);
        if (t == T_IDS) {
            if (ds < 0 || read_case_ids(ds, l)) {
                snprintf(err, errlen, "%s: table /case_ids cannot be read (a ledger of another casemix version?)",
                         path);
                rc = CM_ERR_INPUT;
            }
            if (ds >= 0) H5Dclose(ds);
            continue;
        }
        hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
        hssize_t nrow = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
        h5row r;
        TABLES[t].row(&r);
        size_t *n;
        void **p = tab_ptr(l, t, &n);
        *p = calloc((size_t)(nrow > 0 ? nrow : 1), TABLES[t].size);
        if (nrow < 0 || !*p || r.size != TABLES[t].size ||
            (nrow > 0 && H5Dread(ds, r.type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *p) < 0)) {
            snprintf(err, errlen, "%s: table /%s cannot be read (a ledger of another casemix version?)", path,
                     TABLES[t].name);
            rc = CM_ERR_INPUT;
        } else {
            *n = (size_t)nrow;
        }
        if (!rc && t == T_MONTHS) { /* a ledger of a casemix before the R05 columns: not recorded (-1) */
            hid_t ft = H5Dget_type(ds);
            if (ft >= 0 && H5Tget_member_index(ft, "duplicates_withheld") < 0)
                for (size_t k = 0; k < l->nm; k++) {
                    l->m[k].dups_withheld = -1;
                    l->m[k].dups_withheld_total_fen = l->m[k].dups_withheld_fund_fen = 0;
                }
            if (ft >= 0) H5Tclose(ft);
        }
        if (!rc && (t == T_GROUPS || t == T_SPECIAL)) /* a ledger written before the text moved to its place */
            for (size_t i = 0; i < *n; i++) {
                if (t == T_GROUPS) {
                    old_layout_text(l->g[i].group, sizeof l->g[i].group);
                } else {
                    old_layout_text(l->s[i].case_id, sizeof l->s[i].case_id);
                    old_layout_text(l->s[i].institution_id, sizeof l->s[i].institution_id);
                }
            }
        if (!rc && t == T_CLEAR) {
            hid_t ft = H5Dget_type(ds); /* a ledger before settled_before_fen: nothing settled before */
            if (ft >= 0 && H5Tget_member_index(ft, "to_settle_fen") < 0)
                for (size_t k = 0; k < l->nc; k++) {
                    l->c[k].settled_before_fen = 0;
                    l->c[k].to_settle_fen = l->c[k].balance_fen;
                }
            if (ft >= 0) H5Tclose(ft);
            for (size_t k = 0; k < sizeof YEAR_ATTRS / sizeof YEAR_ATTRS[0]; k++)
                read_attr_num(ds, YEAR_ATTRS[k].name, YEAR_ATTRS[k].real ? F64 : I64,
                              (char *)&l->y + YEAR_ATTRS[k].off);
            read_attr_num(ds, "clamped", I32, &l->y.clamped);
            read_attr_num(ds, "months", I32, &l->y.months);
        }
        h5row_free(&r);
        if (sp >= 0) H5Sclose(sp);
        if (ds >= 0) H5Dclose(ds);
    }
    /* the names (absent in a ledger of an older casemix: none, "") */
    if (!rc) {
        l->iname = h5_names_read(f, "/institution_names", l->ni);
        if (!l->iname) l->iname = calloc(l->ni + 1, sizeof *l->iname);
        l->cname = h5_names_read(f, "/clearing_names", l->nc);
        if (!l->cname) l->cname = calloc(l->nc + 1, sizeof *l->cname);
        if (!l->iname || !l->cname) {
            snprintf(err, errlen, "out of memory");
            rc = CM_ERR_NOMEM;
        }
    }
    H5Fclose(f);
    return rc;
}

/* Test setting: CASEMIX_TEST_LEDGER_PAUSE=S sleeps S seconds inside the
 * ledger write (the temporary file open, half written), so a test can
 * interrupt a month exactly there. */
static void test_pause(void)
{
    const char *v = getenv("CASEMIX_TEST_LEDGER_PAUSE");
    if (!v || !*v) return;
    int s = atoi(v);
    for (int i = 0; i < s * 100 && !g_interrupted; i++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
}

/* /case_ids straight from l->kb (rows of kw bytes: month, then the id
 * NUL-padded), in 65,536-row chunks compressed on all threads
 * (h5w_rows_fast): a month rewrites the year's ids, most of the ledger's
 * bytes. 0 or -1. */
static int write_case_ids(h5w *w, const ledger *l, const char *title)
{
    size_t kw = l->kw ? l->kw : 6;
    h5row r;
    h5row_begin(&r);
    h5row_add(&r, "month", I32, 4);
    h5row_add_str(&r, "case_id", kw - 4);
    h5row_end(&r);
    int bad = r.size != kw;
    int chunk = w->chunk_rows;
    w->chunk_rows = 65536; /* a chunk is read and inflated at a time: large ones for millions of ids */
    hid_t ds = bad ? -1 : h5w_table(w, "case_ids", title, &r, l->nk);
    w->chunk_rows = chunk;
    bad |= ds < 0 || (l->nk && h5w_rows_fast(w, ds, &r, 0, l->nk, l->kb) < 0);
    if (ds >= 0) H5Dclose(ds);
    h5row_free(&r);
    return bad ? -1 : 0;
}

/* A names dataset of n rows (NULL entries written as ""). 0 or -1. */
static int write_names(h5w *w, const char *name, char *const *names, size_t n, const char *title)
{
    const char **s = malloc((n + 1) * sizeof *s);
    if (!s) return -1;
    for (size_t j = 0; j < n; j++) s[j] = names && names[j] ? names[j] : "";
    int e = h5_strings(w, name, s, n, title);
    free(s);
    return e ? -1 : 0;
}

cm_status ld_write(const char *path, const cm_config *cfg, const ledger *l, char *err, size_t errlen)
{
    h5w w;
    if (h5w_open(&w, path, H5_KIND_LEDGER, cfg->compression, cfg->deflate_level, 1024, err, errlen))
        return CM_ERR_OUTPUT;
    int bad = 0;
    bad |= h5_attr_str(w.file, "program", "casemix " CM_VERSION);
    bad |= h5_attr_str(w.file, "region", l->region);
    bad |= h5_attr_i64(w.file, "year", l->year);
    bad |= h5_attr_str(w.file, "config_file", cfg->path);
    bad |= h5_attr_str(w.file, "config_sha256", cfg->sha256);
    ledger *lm = (ledger *)l; /* tab_ptr reads only */
    for (int t = 0; t < T__N && !bad; t++) {
        size_t *n;
        void **p = tab_ptr(lm, t, &n);
        if ((t == T_CLEAR || t == T_REV || t == T_REVI || t == T_REOPEN || t == T_REOPI) && *n == 0)
            continue; /* none: absent */
        if (t == T_IDS) {
            bad |= write_case_ids(&w, l, TABLES[t].title);
            continue;
        }
        h5row r;
        TABLES[t].row(&r);
        hid_t ds = r.size == TABLES[t].size ? h5w_table(&w, TABLES[t].name, TABLES[t].title, &r, *n) : -1;
        bad |= ds < 0 || h5w_rows(ds, &r, 0, *n, *p) < 0;
        if (!bad && t == T_CLEAR) {
            for (size_t k = 0; k < sizeof YEAR_ATTRS / sizeof YEAR_ATTRS[0]; k++) {
                const char *v = (const char *)&l->y + YEAR_ATTRS[k].off;
                int64_t iv;
                double dv;
                if (YEAR_ATTRS[k].real) { memcpy(&dv, v, sizeof dv); bad |= h5_attr_f64(ds, YEAR_ATTRS[k].name, dv); }
                else { memcpy(&iv, v, sizeof iv); bad |= h5_attr_i64(ds, YEAR_ATTRS[k].name, iv); }
            }
            bad |= h5_attr_i64(ds, "clamped", l->y.clamped);
            bad |= h5_attr_i64(ds, "months", l->y.months);
            char miss[128];
            int nmiss = ld_missing_months(l, miss, sizeof miss);
            bad |= h5_attr_i64(ds, "partial", nmiss > 0);   /* clear --partial: months missing */
            bad |= h5_attr_str(ds, "months_missing", miss);
        }
        if (ds >= 0) H5Dclose(ds);
        h5row_free(&r);
        if (!bad && t == T_INST)
            bad |= write_names(&w, "institution_names", l->iname, l->ni,
                               "UTF-8 institution names (定点医药机构名称), one per /institutions row: the name in that "
                               "month's institution table (input.institutions), as its settlement file's "
                               "/institution_names; \"\" when none");
        if (!bad && t == T_CLEAR)
            bad |= write_names(&w, "clearing_names", l->cname, l->nc,
                               "UTF-8 institution names (定点医药机构名称), one per /clearing row: the name of the "
                               "institution's latest month in /institution_names that has one; \"\" when none");
        if (t == T_MONTHS) test_pause();
        if (g_interrupted) break;
    }
    if (g_interrupted) {
        h5w_abort(&w);
        snprintf(err, errlen, "interrupted; the ledger %s was left as it was", path);
        return CM_ERR_INTERRUPTED;
    }
    if (bad) {
        h5w_abort(&w);
        snprintf(err, errlen, "%s: writing the ledger failed (disk full?); the previous ledger was left as it was",
                 path);
        return CM_ERR_OUTPUT;
    }
    return h5w_commit(&w, err, errlen);
}

static void ld_drop_ids(ledger *l, int m)
{
    size_t k = 0;
    for (size_t j = 0; j < l->nk; j++)
        if (ld_id_month(l->kb, l->kw, j) != m) {
            if (k != j) memcpy(l->kb + k * l->kw, l->kb + j * l->kw, l->kw);
            k++;
        }
    l->nk = k;
}

void ld_drop_month(ledger *l, int m)
{
    size_t k = 0;
#define DROP(arr, n)                                                   \
    do {                                                               \
        k = 0;                                                         \
        for (size_t j = 0; j < l->n; j++)                              \
            if (l->arr[j].month != m) l->arr[k++] = l->arr[j];         \
        l->n = k;                                                      \
    } while (0)
    DROP(m, nm);
    k = 0;
    for (size_t j = 0; j < l->ni; j++) { /* /institutions and its names */
        if (l->i[j].month == m) {
            if (l->iname) { free(l->iname[j]); l->iname[j] = NULL; }
            continue;
        }
        if (l->iname) l->iname[k] = l->iname[j];
        l->i[k++] = l->i[j];
    }
    l->ni = k;
    DROP(g, ng);
    DROP(s, ns);
#undef DROP
    ld_drop_ids(l, m);
    h5_names_free(l->cname, l->nc);
    l->cname = NULL;
    l->nc = 0;
}

void ld_free(ledger *l)
{
    h5_names_free(l->iname, l->ni);
    h5_names_free(l->cname, l->nc);
    free(l->m); free(l->i); free(l->g); free(l->s); free(l->h); free(l->kb); free(l->c);
    free(l->r); free(l->ri); free(l->o); free(l->oi);
    memset(l, 0, sizeof *l);
}

cm_status ld_inst_names_set(ledger *l, size_t first, const char *const *names)
{
    char **nn = realloc(l->iname, (l->ni + 1) * sizeof *nn);
    if (!nn) return CM_ERR_NOMEM;
    l->iname = nn;
    for (size_t j = first; j < l->ni; j++) {
        const char *s = names ? names[j - first] : NULL;
        nn[j] = s && *s ? strdup(s) : NULL;
        if (s && *s && !nn[j]) {
            for (size_t q = first; q < j; q++) { free(nn[q]); nn[q] = NULL; }
            return CM_ERR_NOMEM;
        }
    }
    return CM_OK;
}

typedef struct {
    ld_inst r;
    char *nm;
} inst_named;

static int cmp_inst_named(const void *a, const void *b)
{
    const ld_inst *x = &((const inst_named *)a)->r, *y = &((const inst_named *)b)->r;
    if (x->month != y->month) return x->month < y->month ? -1 : 1;
    return strcmp(x->institution_id, y->institution_id);
}

cm_status ld_sort_inst(ledger *l)
{
    inst_named *t = malloc((l->ni + 1) * sizeof *t);
    if (!t) return CM_ERR_NOMEM;
    for (size_t j = 0; j < l->ni; j++) t[j] = (inst_named){l->i[j], l->iname ? l->iname[j] : NULL};
    qsort(t, l->ni, sizeof *t, cmp_inst_named);
    for (size_t j = 0; j < l->ni; j++) {
        l->i[j] = t[j].r;
        if (l->iname) l->iname[j] = t[j].nm;
    }
    free(t);
    return CM_OK;
}

cm_status ld_clear_names(ledger *l)
{
    h5_names_free(l->cname, l->nc);
    l->cname = calloc(l->nc + 1, sizeof *l->cname);
    int32_t *from = calloc(l->nc + 1, sizeof *from);   /* the month the row's name is from */
    if (!l->cname || !from) { free(from); return CM_ERR_NOMEM; }
    for (size_t j = 0; j < l->ni; j++) {
        const char *nm = l->iname ? l->iname[j] : NULL;
        if (!nm || !*nm) continue;
        size_t lo = 0, hi = l->nc; /* l->c by institution id */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int r = strcmp(l->c[mid].institution_id, l->i[j].institution_id);
            if (!r) { lo = mid; break; }
            if (r < 0) lo = mid + 1; else hi = mid;
        }
        if (lo >= l->nc || strcmp(l->c[lo].institution_id, l->i[j].institution_id) || l->i[j].month < from[lo])
            continue;
        char *d = strdup(nm);
        if (!d) { free(from); return CM_ERR_NOMEM; }
        free(l->cname[lo]);
        l->cname[lo] = d;
        from[lo] = l->i[j].month;
    }
    free(from);
    return CM_OK;
}

cm_status ld_ids_set_month(ledger *l, int m, const char *const *ids, size_t n)
{
    ld_drop_ids(l, m);
    size_t w = l->kw ? l->kw - 4 : 2;
    for (size_t j = 0; j < n; j++) {
        size_t len = strlen(ids[j]) + 1;
        if (len > CM_CASE_ID_MAX + 1) return CM_ERR_INPUT;
        if (len > w) w = len;
    }
    size_t kw = (4 + w + 7) & ~(size_t)7; /* a multiple of 8, as h5row pads a row (write_case_ids) */
    char *nb = malloc((l->nk + n + 1) * kw);
    if (!nb) return CM_ERR_NOMEM;
    size_t at = 0, o = 0;
    while (at < l->nk && ld_id_month(l->kb, l->kw, at) < m) at++;
    for (size_t j = 0; j < l->nk + n; j++) { /* the months before, month m, the months after (rows widened) */
        char *row = nb + j * kw;
        memset(row, 0, kw);
        if (j >= at && j < at + n) {
            int32_t mm = m;
            memcpy(row, &mm, 4);
            memcpy(row + 4, ids[j - at], strlen(ids[j - at]));
        } else {
            memcpy(row, l->kb + o * l->kw, l->kw);
            o++;
        }
    }
    free(l->kb);
    l->kb = nb;
    l->kw = kw;
    l->nk += n;
    return CM_OK;
}

cm_status ld_idset_build(const ledger *l, int skip, ld_idset *set)
{
    memset(set, 0, sizeof *set);
    set->kb = l->kb;
    set->kw = l->kw;
    size_t n = 0;
    for (size_t j = 0; j < l->nk; j++) n += ld_id_month(l->kb, l->kw, j) != skip;
    size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;   /* load ≤ 1/2 */
    if (l->nk >= UINT32_MAX || !(set->slot = calloc(cap, sizeof *set->slot))) return CM_ERR_NOMEM;
    set->mask = cap - 1;
    for (size_t j = 0; j < l->nk; j++) {
        if (ld_id_month(l->kb, l->kw, j) == skip) continue;
        size_t h = (size_t)pl_id_hash(ld_id_text(l->kb, l->kw, j)) & set->mask;
        while (set->slot[h]) h = (h + 1) & set->mask;
        set->slot[h] = (uint32_t)j + 1;
        set->n++;
    }
    return CM_OK;
}

int ld_idset_find(const ld_idset *set, const char *id)
{
    if (!set->slot) return 0;
    size_t h = (size_t)pl_id_hash(id) & set->mask;
    for (uint32_t e; (e = set->slot[h]) != 0; h = (h + 1) & set->mask)
        if (!strcmp(ld_id_text(set->kb, set->kw, e - 1), id)) return ld_id_month(set->kb, set->kw, e - 1);
    return 0;
}

void ld_idset_free(ld_idset *set)
{
    free(set->slot);
    memset(set, 0, sizeof *set);
}

int ld_months_without_ids(const ledger *l, int skip, char *out, size_t n)
{
    int miss = 0;
    size_t len = 0;
    if (n) out[0] = 0;
    uint8_t have[13] = {0};
    for (size_t k = 0; k < l->nk; k++) {
        int km = ld_id_month(l->kb, l->kw, k);
        if (km >= 1 && km <= 12) have[km] = 1;
    }
    for (size_t j = 0; j < l->nm; j++) {
        int m = l->m[j].month;
        if (m == skip || (m >= 1 && m <= 12 && have[m])) continue;
        miss++;
        if (len < n) {
            int w = snprintf(out + len, n - len, "%s%04d-%02d", len ? ", " : "", l->year, m);
            len += w > 0 ? (size_t)w : 0;
        }
    }
    return miss;
}

cm_status ld_add_revision(ledger *l, const ld_month *old, const ld_inst *oi, size_t noi)
{
    const int m = old->month;
    const ld_month *nw = NULL;
    for (size_t j = 0; j < l->nm; j++)
        if (l->m[j].month == m) nw = &l->m[j];
    if (!nw) return CM_ERR_INTERNAL;
    int32_t rev = 1;
    for (size_t j = 0; j < l->nr; j++)
        if (l->r[j].month == m && l->r[j].revision >= rev) rev = l->r[j].revision + 1;
    /* the new entry's institution rows: contiguous and sorted by id (ld_sort_inst) */
    size_t a = 0, b;
    while (a < l->ni && l->i[a].month != m) a++;
    for (b = a; b < l->ni && l->i[b].month == m; b++) {}
    ld_rev *nr = realloc(l->r, (l->nr + 1) * sizeof *nr);
    if (!nr) return CM_ERR_NOMEM;
    l->r = nr;
    ld_rev_inst *ri = realloc(l->ri, (l->nri + noi + (b - a) + 1) * sizeof *ri);
    if (!ri) return CM_ERR_NOMEM;
    l->ri = ri;
    ld_rev *e = &l->r[l->nr++];
    memset(e, 0, sizeof *e);
    e->month = m;
    e->revision = rev;
    e->cases_old = old->cases;
    e->gross_old_fen = old->gross_fen;
    e->deposit_old_fen = old->deposit_fen;
    e->paid_old_fen = old->paid_fen;
    e->point_value_old = old->point_value_estimate;
    snprintf(e->input_old, sizeof e->input_old, "%s", old->input);
    snprintf(e->run_at_old, sizeof e->run_at_old, "%s", old->run_at);
    e->cases_new = nw->cases;
    e->gross_new_fen = nw->gross_fen;
    e->deposit_new_fen = nw->deposit_fen;
    e->paid_new_fen = nw->paid_fen;
    e->point_value_new = nw->point_value_estimate;
    snprintf(e->input_new, sizeof e->input_new, "%s", nw->input);
    snprintf(e->run_at_new, sizeof e->run_at_new, "%s", nw->run_at);
    e->difference_fen = e->paid_new_fen - e->paid_old_fen;
    /* per institution: the two sorted id lists merged (an institution in one entry only: 0 in the other) */
    size_t i = 0, k = a;
    while (i < noi || k < b) {
        int c = i >= noi ? 1 : k >= b ? -1 : strcmp(oi[i].institution_id, l->i[k].institution_id);
        ld_rev_inst *q = &l->ri[l->nri++];
        memset(q, 0, sizeof *q);
        q->month = m;
        q->revision = rev;
        snprintf(q->institution_id, sizeof q->institution_id, "%s", c <= 0 ? oi[i].institution_id
                                                                          : l->i[k].institution_id);
        if (c <= 0) q->paid_old_fen = oi[i++].paid_fen;
        if (c >= 0) q->paid_new_fen = l->i[k++].paid_fen;
        q->difference_fen = q->paid_new_fen - q->paid_old_fen;
    }
    return CM_OK;
}

cm_status ld_add_reopen(ledger *l, int m, const char *run_at)
{
    ld_reopen_inst *oi = realloc(l->oi, (l->noi + l->nc + 1) * sizeof *oi);
    if (!oi) return CM_ERR_NOMEM;
    l->oi = oi;
    ld_reopen *o = realloc(l->o, (l->no + 1) * sizeof *o);
    if (!o) return CM_ERR_NOMEM;
    l->o = o;
    ld_reopen *e = &l->o[l->no++];
    for (size_t k = 0; k < l->nc; k++) { /* the removed clearing's balances, by id as /clearing */
        ld_reopen_inst *q = &l->oi[l->noi++];
        memset(q, 0, sizeof *q);
        q->reopening = (int32_t)l->no;
        snprintf(q->institution_id, sizeof q->institution_id, "%s", l->c[k].institution_id);
        q->balance_fen = l->c[k].balance_fen;
        q->to_settle_fen = l->c[k].to_settle_fen;
    }
    memset(e, 0, sizeof *e);
    e->month = m;
    e->months_cleared = l->y.months;
    e->cases = l->y.cases;
    e->point_value = l->y.point_value;
    for (size_t k = 0; k < l->nc; k++) {
        e->due_fen += l->c[k].due_fen;
        e->balance_fen += l->c[k].balance_fen;
    }
    snprintf(e->run_at, sizeof e->run_at, "%s", run_at);
    return CM_OK;
}

size_t ld_revisions(const ledger *l, int64_t *sum)
{
    *sum = 0;
    for (size_t j = 0; j < l->nr; j++) *sum += l->r[j].difference_fen;
    return l->nr;
}
