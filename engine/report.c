/*
 * report.c - casemix report: one self-contained HTML file (inline SVG, no
 * network, no JavaScript, A4 print styles) from a casemix output file, for
 * the people at a settlement meeting.
 *
 *   casemix report OUT.h5 [--out report.html]
 *
 * Every section comes from datasets of the file and appears only when they
 * are there (and have the members it draws), so the report grows with the
 * file: a settlement (/summary, /institutions, /cases, /rejects, /quality),
 * supervision (/flags, /rules, /rule_names, /indicators, /institutions
 * rating), simulation (/scenarios/NAME/summary, /scenarios/NAME/institutions)
 * and the ledger (/months, /clearing, /revisions). Every figure names the dataset it
 * came from ("source: /institutions"). Tables are read generically from
 * their HDF5 compound types (members by name), so a missing member removes
 * one figure, never the report. /cases is read once, in blocks, and only its
 * cost_ratio (and, with /flags, line and institution): no case id and never
 * a patient id reaches the report.
 *
 * The file is written as OUT.tmp.PID and renamed at the end (complete or
 * absent); an existing OUT is replaced only when it starts with
 * REPORT_MARK (cm_side_check_target, as for every side file casemix writes).
 */
#include "settle.h"
#include "h5out.h"
#include "html.h"
#include "rejects.h"

#include <ctype.h>
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* The first bytes of every report: also the mark of a file casemix wrote. */
#define REPORT_MARK "<!DOCTYPE html>\n<!-- casemix report -->\n"
#define MAX_BARS 60        /* bars per chart; the rest is named in the caption */
#define CASE_BLOCK 65536   /* /cases rows read at a time */
#define W 720              /* chart width (SVG user units ~ px; A4 text width) */

/* ------------------------------------------------------------------ */
/* Tables read by member name                                          */
/* ------------------------------------------------------------------ */

typedef struct {
    hid_t ds, mem, space;
    hsize_t n;
    size_t rowsize;
    unsigned char *buf;
    int nm;
    char (*name)[64];
    size_t *off, *size;
    hid_t *mt;
    H5T_class_t *cls;
    int has_vlen;
} tab;

static void tab_free(tab *t)
{
    if (t->buf && t->has_vlen && t->mem >= 0 && t->space >= 0) H5Dvlen_reclaim(t->mem, t->space, H5P_DEFAULT, t->buf);
    for (int i = 0; i < t->nm; i++)
        if (t->mt[i] >= 0) H5Tclose(t->mt[i]);
    free(t->buf); free(t->name); free(t->off); free(t->size); free(t->mt); free(t->cls);
    if (t->mem >= 0) H5Tclose(t->mem);
    if (t->space >= 0) H5Sclose(t->space);
    if (t->ds >= 0) H5Dclose(t->ds);
    memset(t, 0, sizeof *t);
    t->ds = t->mem = t->space = -1;
}

static int exists(hid_t f, const char *path)
{
    /* each link of the path must exist (H5Lexists on a/b fails when a does not) */
    char p[256];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c == '/' || c == '\0') {
            *s = '\0';
            if (H5Lexists(f, p, H5P_DEFAULT) <= 0) return 0;
            *s = c;
        }
        if (!c) return 1;
    }
}

/* Opens the compound table at path and lays out its members; with rows,
 * reads every row. 0, or -1 when absent or not a table (t freed). */
static int tab_open(hid_t f, const char *path, int rows, tab *t)
{
    memset(t, 0, sizeof *t);
    t->ds = t->mem = t->space = -1;
    if (!exists(f, path)) return -1;
    t->ds = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t ft = t->ds >= 0 ? H5Dget_type(t->ds) : -1;
    if (ft < 0 || H5Tget_class(ft) != H5T_COMPOUND) goto bad;
    t->mem = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    H5Tclose(ft);
    ft = -1;
    t->space = H5Dget_space(t->ds);
    if (t->mem < 0 || t->space < 0 || H5Sget_simple_extent_ndims(t->space) != 1) goto bad;
    H5Sget_simple_extent_dims(t->space, &t->n, NULL);
    t->rowsize = H5Tget_size(t->mem);
    int nm = H5Tget_nmembers(t->mem);
    if (nm <= 0) goto bad;
    t->name = calloc((size_t)nm, sizeof *t->name);
    t->off = calloc((size_t)nm, sizeof *t->off);
    t->size = calloc((size_t)nm, sizeof *t->size);
    t->mt = calloc((size_t)nm, sizeof *t->mt);
    t->cls = calloc((size_t)nm, sizeof *t->cls);
    if (!t->name || !t->off || !t->size || !t->mt || !t->cls) goto bad;
    for (int i = 0; i < nm; i++) {
        char *mn = H5Tget_member_name(t->mem, (unsigned)i);
        snprintf(t->name[i], sizeof t->name[i], "%s", mn ? mn : "");
        H5free_memory(mn);
        t->off[i] = H5Tget_member_offset(t->mem, (unsigned)i);
        t->mt[i] = H5Tget_member_type(t->mem, (unsigned)i);
        t->size[i] = H5Tget_size(t->mt[i]);
        t->cls[i] = H5Tget_class(t->mt[i]);
        if (t->cls[i] == H5T_STRING && H5Tis_variable_str(t->mt[i]) > 0) t->has_vlen = 1;
        t->nm++;
    }
    if (rows && t->n > 0) {
        t->buf = calloc(t->n, t->rowsize);
        if (!t->buf || H5Dread(t->ds, t->mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->buf) < 0) {
            free(t->buf);
            t->buf = NULL;
            t->has_vlen = 0;
            goto bad;
        }
    }
    return 0;
bad:
    if (ft >= 0) H5Tclose(ft);
    tab_free(t);
    return -1;
}

/* The member index of name, or -1. */
static int tab_col(const tab *t, const char *name)
{
    for (int i = 0; i < t->nm; i++)
        if (!strcmp(t->name[i], name)) return i;
    return -1;
}

/* Member c of row r as a number (integers, floats, enums by value); NaN
 * when c < 0 or it is text. */
static double tab_f(const tab *t, hsize_t r, int c)
{
    if (c < 0 || !t->buf || r >= t->n) return NAN;
    const unsigned char *p = t->buf + r * t->rowsize + t->off[c];
    size_t sz = t->size[c];
    if (t->cls[c] == H5T_FLOAT) {
        if (sz == 4) { float x; memcpy(&x, p, 4); return x; }
        double x; memcpy(&x, p, 8); return x;
    }
    if (t->cls[c] == H5T_INTEGER || t->cls[c] == H5T_ENUM) {
        hid_t bt = t->cls[c] == H5T_ENUM ? H5Tget_super(t->mt[c]) : H5Tcopy(t->mt[c]);
        int sgn = H5Tget_sign(bt) == H5T_SGN_2;
        H5Tclose(bt);
        switch (sz) {
        case 1: return sgn ? (double)*(const int8_t *)p : (double)*p;
        case 2: { int16_t a; uint16_t b; memcpy(&a, p, 2); memcpy(&b, p, 2); return sgn ? a : b; }
        case 4: { int32_t a; uint32_t b; memcpy(&a, p, 4); memcpy(&b, p, 4); return sgn ? a : (double)b; }
        case 8: { int64_t a; uint64_t b; memcpy(&a, p, 8); memcpy(&b, p, 8); return sgn ? (double)a : (double)b; }
        }
    }
    return NAN;
}

/* Member c as an exact int64 (money in fen); 0 when absent or not an integer. */
static int64_t tab_i(const tab *t, hsize_t r, int c)
{
    if (c < 0 || !t->buf || r >= t->n || t->cls[c] != H5T_INTEGER) return 0;
    if (t->size[c] == 8) {
        int64_t v;
        memcpy(&v, t->buf + r * t->rowsize + t->off[c], 8);
        return v;
    }
    return (int64_t)tab_f(t, r, c);
}

/* Member c as text: strings as they are, enums by name, numbers printed. */
static const char *tab_s(const tab *t, hsize_t r, int c, char *out, size_t cap)
{
    out[0] = '\0';
    if (c < 0 || !t->buf || r >= t->n) return out;
    const unsigned char *p = t->buf + r * t->rowsize + t->off[c];
    if (t->cls[c] == H5T_STRING) {
        if (H5Tis_variable_str(t->mt[c]) > 0) {
            const char *s;
            memcpy(&s, p, sizeof s);
            snprintf(out, cap, "%s", s ? s : "");
        } else {
            size_t L = strnlen((const char *)p, t->size[c]);
            if (L >= cap) L = cap - 1;
            memcpy(out, p, L);
            out[L] = '\0';
        }
    } else if (t->cls[c] == H5T_ENUM) {
        if (H5Tenum_nameof(t->mt[c], p, out, cap) < 0) snprintf(out, cap, "?");
    } else if (t->cls[c] == H5T_INTEGER && t->size[c] == 8 && H5Tget_sign(t->mt[c]) == H5T_SGN_2) {
        snprintf(out, cap, "%lld", (long long)tab_i(t, r, c));   /* exact: 26777686132, not 2.677768613e+10 */
    } else {
        double v = tab_f(t, r, c);
        if (!isnan(v)) snprintf(out, cap, t->cls[c] == H5T_INTEGER ? "%.0f" : "%.10g", v);
    }
    return out;
}


/* ------------------------------------------------------------------ */
/* HTML output                                                          */
/* ------------------------------------------------------------------ */

/* s escaped (html_escape), in pieces of at most 128 bytes cut at character
 * boundaries (a piece escapes to at most 6 x 128 bytes). */
static void esc_n(FILE *o, const char *s)
{
    size_t L = strlen(s);
    for (size_t i = 0; i < L;) {
        char piece[129], b[1024];
        size_t n = L - i <= 128 ? L - i : utf8_cut(s + i, L - i, 128);
        if (n == 0) n = 1;
        memcpy(piece, s + i, n);
        piece[n] = '\0';
        html_escape(piece, b, sizeof b);
        fputs(b, o);
        i += n;
    }
}

static const char *yuan(char *b, size_t cap, int64_t fen) { return cm_yuan_text(b, cap, fen, 1); }

static void caption(FILE *o, const char *text, const char *source)
{
    fputs("<figcaption>", o);
    esc_n(o, text);
    fputs(" <span class=\"src\">source: ", o);
    esc_n(o, source);
    fputs("</span></figcaption>\n", o);
}

static void card(FILE *o, const char *key, const char *value)
{
    fputs("<div class=\"card\"><div class=\"k\">", o);
    esc_n(o, key);
    fputs("</div><div class=\"v\">", o);
    esc_n(o, value);
    fputs("</div></div>\n", o);
}

static const char *COLORS[] = {"#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096"};

/* A horizontal bar chart: n bars (already in display order) with labels,
 * values (>= 0 or signed) and value texts; ref: a reference line (NaN: none). */
static void hbars(FILE *o, const char *id, int n, char *const *labels, const double *v, char *const *vtext,
                  double ref, const char *ref_label, const char *color)
{
    double lo = 0, hi = 0;
    for (int i = 0; i < n; i++) {
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
    }
    if (!isnan(ref)) { if (ref > hi) hi = ref; if (ref < lo) lo = ref; }
    double first, step;
    int dec, nt = axis_ticks(lo, hi, 6, &first, &step, &dec);
    double a0 = first, a1 = first + step * (nt - 1);
    /* the labels' room: 230 units, more for a long label (rule names in two languages, institution
     * names), at most half the width; labels are right-aligned at LX - 6 in 11 px type */
    double lw = 0;
    for (int i = 0; i < n; i++) lw = fmax(lw, text_width_em(labels[i]) * 11 + 10);
    const int LX = lw > 230 ? (lw < W / 2 ? (int)ceil(lw) : W / 2) : 230, RX = W - 110, BH = 14, GAP = 4, TOP = 22;
    int h = TOP + n * (BH + GAP) + 8;
    fprintf(o, "<svg id=\"%s\" class=\"chart-svg\" viewBox=\"0 0 %d %d\" role=\"img\">\n", id, W, h);
#define XS(x) (LX + ((x) - a0) / (a1 - a0) * (RX - LX))
    for (int k = 0; k < nt; k++) {
        double t = first + k * step;
        char lb[48];
        fprintf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", XS(t), TOP - 4, XS(t), h - 6);
        fprintf(o, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", XS(t), TOP - 8,
                fmt_num(lb, sizeof lb, t, dec));
    }
    for (int i = 0; i < n; i++) {
        int y = TOP + i * (BH + GAP);
        double x0 = XS(0), x1 = XS(v[i]);
        fprintf(o, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", LX - 6, y + BH - 3);
        esc_n(o, labels[i]);
        fprintf(o, "</text><rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                fmin(x0, x1), y, fabs(x1 - x0), BH, v[i] < 0 ? "#c53030" : color);
        fprintf(o, "<text class=\"val\" x=\"%.1f\" y=\"%d\">", fmax(x0, x1) + 4, y + BH - 3);
        esc_n(o, vtext[i]);
        fputs("</text>\n", o);
    }
    if (!isnan(ref)) {
        fprintf(o, "<line class=\"region-line\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", XS(ref), TOP - 4,
                XS(ref), h - 6);
        fprintf(o, "<text class=\"ref\" x=\"%.1f\" y=\"%d\">", XS(ref) + 3, h - 1);
        esc_n(o, ref_label);
        fputs("</text>\n", o);
    }
#undef XS
    fputs("</svg>\n", o);
}

/* Order of n values, largest first (ties by index). */
static const double *g_sort_v;
static int cmp_desc(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    int c = cmp_desc_nan_last(g_sort_v[i], g_sort_v[j]);
    return c ? c : i - j;
}
static int *order_desc(const double *v, int n)
{
    int *ord = malloc((size_t)(n > 0 ? n : 1) * sizeof *ord);
    if (!ord) return NULL;
    for (int i = 0; i < n; i++) ord[i] = i;
    g_sort_v = v;
    qsort(ord, (size_t)n, sizeof *ord, cmp_desc);
    return ord;
}

/* The label of institution row i: "id name" (name when the file has /institution_names). */
static void inst_label(const tab *in, char **names, hsize_t i, char *out, size_t cap)
{
    char id[64];
    tab_s(in, i, tab_col(in, "institution_id"), id, sizeof id);
    if (!id[0]) snprintf(id, sizeof id, "#%llu", (unsigned long long)i);
    if (names && names[i] && names[i][0]) {
        char nm[96];
        size_t full = strlen(names[i]), L = utf8_cut(names[i], full, 36);
        memcpy(nm, names[i], L);
        snprintf(nm + L, sizeof nm - L, "%s", L < full ? "\xE2\x80\xA6" : ""); /* … when cut */
        snprintf(out, cap, "%s %s", nm, id);
    } else snprintf(out, cap, "%s", id);
}

/* A bar chart of a per-institution member, sorted, largest first (money
 * members *_fen in yuan). */
static void inst_chart(FILE *o, const tab *in, char **names, const char *member, const char *id, const char *title,
                       double ref, const char *ref_label, const char *color, const char *source)
{
    int c = tab_col(in, member), n = (int)in->n;
    if (c < 0 || n == 0) return;
    int money = strlen(member) > 4 && !strcmp(member + strlen(member) - 4, "_fen");
    double *v = calloc((size_t)n, sizeof *v);
    for (int i = 0; v && i < n; i++) v[i] = money ? (double)tab_i(in, (hsize_t)i, c) / 100.0 : tab_f(in, (hsize_t)i, c);
    int *ord = v ? order_desc(v, n) : NULL;
    int nb = n < MAX_BARS ? n : MAX_BARS;
    char **lab = calloc((size_t)nb + 1, sizeof *lab), **vt = calloc((size_t)nb + 1, sizeof *vt);
    double *bv = calloc((size_t)nb + 1, sizeof *bv);
    if (ord && lab && vt && bv) {
        for (int k = 0; k < nb; k++) {
            int i = ord[k];
            lab[k] = malloc(160);
            vt[k] = malloc(48);
            if (!lab[k] || !vt[k]) { nb = k; break; }
            inst_label(in, names, (hsize_t)i, lab[k], 160);
            bv[k] = v[i];
            if (money) yuan(vt[k], 48, tab_i(in, (hsize_t)i, c));
            else fmt_num(vt[k], 48, v[i], strcmp(member, "rating_score") ? 4 : 1); /* a score of 100: 1 decimal, as the summary */
        }
        fprintf(o, "<figure class=\"chart\" id=\"fig-%s\">\n", id);
        hbars(o, id, nb, lab, bv, vt, ref, ref_label, color);
        char cap[512];
        if (nb < n) snprintf(cap, sizeof cap, "%s (the first %d of %d institutions; all of them: casemix export)", title, nb, n);
        else snprintf(cap, sizeof cap, "%s", title);
        caption(o, cap, source);
        fputs("</figure>\n", o);
    }
    for (int k = 0; lab && vt && k < nb; k++) { free(lab[k]); free(vt[k]); }
    free(lab); free(vt); free(bv); free(ord); free(v);
}

/* A table of generic rows: every member (money in yuan), at most maxrows rows. */
static void generic_table(FILE *o, const tab *t, hsize_t maxrows, const char *cls)
{
    fprintf(o, "<table class=\"%s\"><tr>", cls);
    for (int c = 0; c < t->nm; c++) {
        if (!strcmp(t->name[c], "case_id") || !strcmp(t->name[c], "patient_id")) continue;
        fputs("<th>", o);
        esc_n(o, t->name[c]);
        fputs("</th>", o);
    }
    fputs("</tr>\n", o);
    for (hsize_t r = 0; r < t->n && r < maxrows; r++) {
        fputs("<tr>", o);
        for (int c = 0; c < t->nm; c++) {
            if (!strcmp(t->name[c], "case_id") || !strcmp(t->name[c], "patient_id")) continue;
            char b[512];
            size_t L = strlen(t->name[c]);
            int money = t->cls[c] == H5T_INTEGER && L > 4 && !strcmp(t->name[c] + L - 4, "_fen");
            if (money) yuan(b, sizeof b, tab_i(t, r, c));
            else if (t->cls[c] == H5T_FLOAT) fmt_num(b, sizeof b, tab_f(t, r, c), 4);
            else tab_s(t, r, c, b, sizeof b);
            fprintf(o, "<td%s>", t->cls[c] == H5T_INTEGER || t->cls[c] == H5T_FLOAT ? " class=\"n\"" : "");
            esc_n(o, b);
            fputs("</td>", o);
        }
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
    if (t->n > maxrows) fprintf(o, "<p class=\"note\">first %llu of %llu rows</p>\n", (unsigned long long)maxrows,
                                (unsigned long long)t->n);
}

/* The rules table (/rules): generic_table's rows with a Chinese title under each
 * member name, the Chinese rule name (/rule_names) after the English one, and the
 * family and result type with their Chinese (management 管理类, suspicious 可疑), as
 * the terminal summary and the workbook's rules sheet show them. */
static void rules_table(FILE *o, const tab *t, char **zh_names)
{
    static const struct { const char *m, *zh; } TT[] = {
        {"id", "规则编号"}, {"name", "名称"}, {"family", "规则类别"}, {"result", "违规性质"},
        {"evaluated", "是否评估"}, {"hits", "疑点数 (-1 未评估)"}, {"parameters", "参数"},
        {"not_evaluated_because", "未评估原因"}, {"unit", "指标值与阈值的单位"},
    };
    int cname = tab_col(t, "name");
    fputs("<table class=\"rules\"><tr>", o);
    for (int c = 0; c < t->nm; c++) {
        const char *zh = "";
        for (size_t k = 0; k < sizeof TT / sizeof TT[0]; k++)
            if (!strcmp(TT[k].m, t->name[c])) zh = TT[k].zh;
        fputs("<th>", o);
        esc_n(o, t->name[c]);
        if (zh[0]) { fputs("<br>", o); esc_n(o, zh); }
        fputs("</th>", o);
        if (c == cname && zh_names) fputs("<th>name_zh<br>规则名称 (/rule_names)</th>", o);
    }
    fputs("</tr>\n", o);
    for (hsize_t r = 0; r < t->n; r++) {
        fputs("<tr>", o);
        for (int c = 0; c < t->nm; c++) {
            char b[512];
            if (t->cls[c] == H5T_FLOAT) fmt_num(b, sizeof b, tab_f(t, r, c), 4);
            else tab_s(t, r, c, b, sizeof b);
            const char *zh = NULL;
            for (int k = 0; !strcmp(t->name[c], "family") && k < SC_FAM__COUNT; k++)
                if (!strcmp(b, sc_family_name((sc_rule_family)k))) zh = sc_family_zh((sc_rule_family)k);
            for (int k = 0; !strcmp(t->name[c], "result") && k < SC_RES__COUNT; k++)
                if (!strcmp(b, sc_result_name((sc_rule_result)k))) zh = sc_result_zh((sc_rule_result)k);
            if (zh) { size_t L = strlen(b); snprintf(b + L, sizeof b - L, " %s", zh); }
            fprintf(o, "<td%s>", t->cls[c] == H5T_INTEGER || t->cls[c] == H5T_FLOAT ? " class=\"n\"" : "");
            esc_n(o, b);
            fputs("</td>", o);
            if (c == cname && zh_names) {
                fputs("<td>", o);
                esc_n(o, zh_names[r] ? zh_names[r] : "");
                fputs("</td>", o);
            }
        }
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}

/* ------------------------------------------------------------------ */
/* /cases: one pass (cost-ratio histogram, flags by institution)         */
/* ------------------------------------------------------------------ */

#define HIST_W 0.1
typedef struct {
    int nbins;
    int64_t *bin;        /* [nbins + 1]: the last is the overflow */
    int64_t none, n;     /* no standard cost (ratio < 0); cases read */
} hist;

/* What the pass over /cases takes from each row, packed in a memory row of
 * rs bytes: cost_ratio (f64) at 0, line (u32) at 8, institution (row, i32)
 * at 12, institution_id (NUL-terminated) at 16. */
#define O_RATIO 0
#define O_LINE 8
#define O_INST 12
#define O_ID 16
typedef struct {
    int ratio, inst_index, inst_id;  /* which are there (the join needs line and one of the two) */
    int join;
    size_t idlen, rs;
    const uint32_t *flag_line;
    size_t nf;
    int32_t *flag_inst;
    const tab *in;
    int cid;                         /* institution_id of /institutions */
} pass_ctx;

/* Bins and joins n packed rows. Writes flag_inst only at the indices of
 * its own lines (each line is one case): safe on several threads. */
static void pass_rows(const pass_ctx *x, const unsigned char *buf, size_t n, hist *h)
{
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = buf + i * x->rs;
        if (x->ratio) {
            double v;
            memcpy(&v, p + O_RATIO, 8);
            int b = hist_bin(v, HIST_W, h->nbins);
            if (b < 0) h->none++;
            else h->bin[b]++;
            h->n++;
        }
        if (!x->join) continue;
        uint32_t line;
        memcpy(&line, p + O_LINE, 4);
        size_t lo = 0, hi = x->nf; /* the first flag of this line */
        while (lo < hi) {
            size_t md = (lo + hi) / 2;
            if (x->flag_line[md] < line) lo = md + 1;
            else hi = md;
        }
        if (lo == x->nf || x->flag_line[lo] != line) continue;
        int32_t row = -1;
        if (x->inst_index) memcpy(&row, p + O_INST, 4);
        else { /* institution_id -> row of /institutions (sorted by id) */
            const char *id = (const char *)p + O_ID;
            hsize_t a = 0, z = x->in->n;
            char b[64];
            while (a < z) {
                hsize_t md = (a + z) / 2;
                int k = strcmp(tab_s(x->in, md, x->cid, b, sizeof b), id);
                if (k == 0) { row = (int32_t)md; break; }
                if (k < 0) a = md + 1;
                else z = md;
            }
        }
        for (size_t k = lo; k < x->nf && x->flag_line[k] == line; k++) x->flag_inst[k] = row;
    }
}

/* The fast path: /cases in chunks of shuffle + deflate (what settle writes)
 * or unfiltered, with little-endian members: each chunk read raw
 * (H5Dread_chunk, one thread), inflated with libdeflate and its members
 * picked from the byte planes on all threads; the bins summed per thread
 * and added in a fixed order. 0, or -1 when the layout is another (the
 * caller then reads through HDF5). */
static int cases_fast(const tab *t, const pass_ctx *x, hist *h)
{
    hid_t dcpl = H5Dget_create_plist(t->ds), ft = H5Dget_type(t->ds);
    int rc = -1, shuffled = 0, deflated = 0;
    hsize_t crow = 0;
    size_t fsize = ft >= 0 ? H5Tget_size(ft) : 0;
    size_t off_r = 0, off_l = 0, off_i = 0, off_s = 0;
    if (dcpl < 0 || ft < 0 || H5Pget_layout(dcpl) != H5D_CHUNKED || H5Pget_chunk(dcpl, 1, &crow) != 1 || !crow) goto out;
    int nfl = H5Pget_nfilters(dcpl);
    for (int k = 0; k < nfl; k++) {
        unsigned flags, cd[8];
        size_t ncd = 8;
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)k, &flags, &ncd, cd, 0, NULL, NULL);
        if (id == H5Z_FILTER_SHUFFLE && k == 0) shuffled = 1;
        else if (id == H5Z_FILTER_DEFLATE && k == nfl - 1) deflated = 1;
        else goto out;
    }
    /* the members in the file type: little-endian, the sizes the packed row expects */
    struct { const char *name; size_t size; size_t *off; int want; } M[] = {
        {"cost_ratio", 8, &off_r, x->ratio}, {"line", 4, &off_l, x->join},
        {"institution", 4, &off_i, x->join && x->inst_index}, {"institution_id", x->idlen, &off_s, x->join && x->inst_id}};
    for (size_t k = 0; k < 4; k++) {
        if (!M[k].want) continue;
        int i = H5Tget_member_index(ft, M[k].name);
        hid_t mt = i >= 0 ? H5Tget_member_type(ft, (unsigned)i) : -1;
        int ok = mt >= 0 && H5Tget_size(mt) == M[k].size &&
                 (H5Tget_class(mt) == H5T_STRING || H5Tget_order(mt) == H5T_ORDER_LE);
        if (ok) *M[k].off = H5Tget_member_offset(ft, (unsigned)i);
        if (mt >= 0) H5Tclose(mt);
        if (!ok) goto out;
    }
    size_t cbytes = (size_t)crow * fsize;
    hsize_t nch = (t->n + crow - 1) / crow;
    enum { BATCH = 32 }; /* chunks read before each parallel region */
    unsigned char **raw = calloc(BATCH, sizeof *raw);
    size_t *rawlen = calloc(BATCH, sizeof *rawlen);
    uint32_t *mask = calloc(BATCH, sizeof *mask);
    int nth = 1;
#ifdef _OPENMP
    nth = omp_get_max_threads();
    if (nth > CM_MAX_THREADS) nth = CM_MAX_THREADS;
#endif
    hist *ph = calloc((size_t)nth, sizeof *ph);
    unsigned char **work = calloc((size_t)nth, sizeof *work), **rows = calloc((size_t)nth, sizeof *rows);
    int bad = !ph || !work || !rows || !raw || !rawlen || !mask;
    for (int k = 0; !bad && k < nth; k++) {
        ph[k].nbins = h->nbins;
        ph[k].bin = calloc((size_t)h->nbins + 1, sizeof *ph[k].bin);
        work[k] = malloc(cbytes);
        rows[k] = malloc((size_t)crow * x->rs);
        if (!ph[k].bin || !work[k] || !rows[k]) bad = 1;
    }
    for (hsize_t c0 = 0; !bad && c0 < nch; c0 += BATCH) {
        int nb = (int)(nch - c0 < BATCH ? nch - c0 : BATCH);
        for (int k = 0; k < nb && !bad; k++) { /* HDF5: one thread */
            hsize_t off = (c0 + (hsize_t)k) * crow, sz = 0;
            if (H5Dget_chunk_storage_size(t->ds, &off, &sz) < 0 || sz == 0) { bad = 1; break; }
            unsigned char *r = realloc(raw[k], (size_t)sz);
            if (!r) { bad = 1; break; }
            raw[k] = r;
            rawlen[k] = (size_t)sz;
            if (H5Dread_chunk(t->ds, H5P_DEFAULT, &off, &mask[k], raw[k]) < 0) bad = 1;
        }
        if (bad || g_interrupted) { bad = 1; break; }
        int fail = 0;
#pragma omp parallel for schedule(dynamic) num_threads(nth) reduction(| : fail)
        for (int k = 0; k < nb; k++) {
            int me = 0;
#ifdef _OPENMP
            me = omp_get_thread_num();
#endif
            const unsigned char *data = raw[k];
            if (deflated && !(mask[k] & (1u << (nfl - 1)))) {
                struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
                size_t got = 0;
                if (!d || libdeflate_zlib_decompress(d, raw[k], rawlen[k], work[me], cbytes, &got) != LIBDEFLATE_SUCCESS ||
                    got != cbytes)
                    fail = 1;
                if (d) libdeflate_free_decompressor(d);
                data = work[me];
            } else if (rawlen[k] != cbytes) fail = 1;
            if (fail) continue;
            int plane = shuffled && !(mask[k] & 1u); /* byte b of row i at b × crow + i */
            hsize_t first = (c0 + (hsize_t)k) * crow;
            size_t n = (size_t)(t->n - first < crow ? t->n - first : crow);
            unsigned char *out = rows[me];
            for (size_t i = 0; i < n; i++) {
                unsigned char *p = out + i * x->rs;
#define PICK(dst, foff, len)                                                     \
    for (size_t b_ = 0; b_ < (len); b_++)                                        \
        (dst)[b_] = plane ? data[((foff) + b_) * crow + i] : data[i * fsize + (foff) + b_];
                if (x->ratio) PICK(p + O_RATIO, off_r, 8);
                if (x->join) {
                    PICK(p + O_LINE, off_l, 4);
                    if (x->inst_index) PICK(p + O_INST, off_i, 4);
                    if (x->inst_id) { PICK(p + O_ID, off_s, x->idlen); p[O_ID + x->idlen] = '\0'; }
                }
#undef PICK
            }
            pass_rows(x, out, n, &ph[me]);
        }
        if (fail) bad = 1;
    }
    if (!bad) { /* the threads' bins added in thread order: integer sums */
        for (int k = 0; k < nth; k++) {
            for (int b = 0; b <= h->nbins; b++) h->bin[b] += ph[k].bin[b];
            h->none += ph[k].none;
            h->n += ph[k].n;
        }
        rc = 0;
    }
    for (int k = 0; raw && k < BATCH; k++) free(raw[k]);
    free(raw); free(rawlen); free(mask);
    for (int k = 0; k < nth; k++) {
        if (ph) free(ph[k].bin);
        if (work) free(work[k]);
        if (rows) free(rows[k]);
    }
    free(ph); free(work); free(rows);
out:
    if (ft >= 0) H5Tclose(ft);
    if (dcpl >= 0) H5Pclose(dcpl);
    return rc;
}

/* Reads /cases once: cost_ratio into h (when the member is there), and for
 * each flag line (sorted, nf) the institution row of its case into
 * flag_inst (-1 unknown). in: /institutions (ids sorted). 0, or -1 when
 * /cases cannot be read (h->n 0). CASEMIX_TEST_REPORT_SLOW (tests) takes
 * HDF5's own read path. */
static int cases_pass(hid_t f, hist *h, const uint32_t *flag_line, size_t nf, int32_t *flag_inst, const tab *in)
{
    tab t;
    if (tab_open(f, "/cases", 0, &t)) return -1;
    int cr = tab_col(&t, "cost_ratio"), cl = tab_col(&t, "line"), ci = tab_col(&t, "institution"),
        cs = tab_col(&t, "institution_id");
    pass_ctx x = {.ratio = cr >= 0, .flag_line = flag_line, .nf = nf, .flag_inst = flag_inst, .in = in};
    x.join = nf && cl >= 0 && (ci >= 0 || cs >= 0) && in;
    x.inst_index = x.join && ci >= 0;
    x.inst_id = x.join && ci < 0;
    x.idlen = x.inst_id ? t.size[cs] : 0;
    x.cid = in ? tab_col(in, "institution_id") : -1;
    x.rs = (O_ID + x.idlen + 1 + 7) & ~(size_t)7;
    int rc = 0;
    hid_t m = -1, st = -1;
    unsigned char *buf = NULL;
    if (!x.ratio && !x.join) { rc = -1; goto done; }
    if (!pl_test_report_slow() && cases_fast(&t, &x, h) == 0) goto done;
    memset(h->bin, 0, ((size_t)h->nbins + 1) * sizeof *h->bin);
    h->none = h->n = 0;
    /* HDF5's read: a memory type of the members used, nothing else (never case_id) */
    m = H5Tcreate(H5T_COMPOUND, x.rs);
    if (x.ratio) H5Tinsert(m, "cost_ratio", O_RATIO, H5T_NATIVE_DOUBLE);
    if (x.join) {
        H5Tinsert(m, "line", O_LINE, H5T_NATIVE_UINT32);
        if (x.inst_index) H5Tinsert(m, "institution", O_INST, H5T_NATIVE_INT32);
        else {
            st = H5Tcopy(t.mt[cs]); /* its character set kept: HDF5 converts no ASCII <-> UTF-8 */
            H5Tset_size(st, x.idlen + 1);
            H5Tset_strpad(st, H5T_STR_NULLTERM);
            H5Tinsert(m, "institution_id", O_ID, st);
        }
    }
    buf = malloc(CASE_BLOCK * x.rs);
    if (!buf) { rc = -1; goto done; }
    for (hsize_t r0 = 0; r0 < t.n && rc == 0; r0 += CASE_BLOCK) {
        hsize_t n = t.n - r0 < CASE_BLOCK ? t.n - r0 : CASE_BLOCK;
        hid_t fs = H5Dget_space(t.ds), ms = H5Screate_simple(1, &n, NULL);
        if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &r0, NULL, &n, NULL) < 0 ||
            H5Dread(t.ds, m, ms, fs, H5P_DEFAULT, buf) < 0)
            rc = -1;
        H5Sclose(ms);
        H5Sclose(fs);
        if (g_interrupted) rc = -1;
        if (rc == 0) pass_rows(&x, buf, (size_t)n, h);
    }
done:
    free(buf);
    if (st >= 0) H5Tclose(st);
    if (m >= 0) H5Tclose(m);
    tab_free(&t);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Sections                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
    hid_t f;
    FILE *o;
    const char *file;
    tab sum, inst;
    int has_sum, has_inst;
    char **inst_names;
    int dip, drg;          /* which schemes ran */
    int sections;          /* sections written */
} rep;

static void section_open(rep *R, const char *id, const char *title)
{
    fprintf(R->o, "<section id=\"%s\" class=\"section\">\n<h2>", id);
    esc_n(R->o, title);
    fputs("</h2>\n", R->o);
    R->sections++;
}

static double sumf(const rep *R, const char *m) { return R->has_sum ? tab_f(&R->sum, 0, tab_col(&R->sum, m)) : NAN; }
static int64_t sumi(const rep *R, const char *m) { return R->has_sum ? tab_i(&R->sum, 0, tab_col(&R->sum, m)) : 0; }
static int sumhas(const rep *R, const char *m) { return R->has_sum && tab_col(&R->sum, m) >= 0; }

static void sec_summary(rep *R)
{
    if (!R->has_sum) return;
    FILE *o = R->o;
    char b[64], c[96];
    section_open(R, "summary", "Point value, budget and payments 点值、预算与结算");
    fputs("<figure class=\"cards-fig\" id=\"fig-summary\"><div class=\"cards\">\n", o);
    if (R->dip) {
        snprintf(c, sizeof c, "%s yuan/point", fmt_num(b, sizeof b, sumf(R, "point_value"), 6));
        card(o, "DIP point value 点值", c);
        snprintf(c, sizeof c, "%s yuan", yuan(b, sizeof b, sumi(R, "fund_budget_fen")));
        card(o, "DIP fund budget 统筹基金预算", c);
        snprintf(c, sizeof c, "%s yuan", yuan(b, sizeof b, sumi(R, "payments_fen")));
        card(o, "DIP payments 结算总额", c);
        card(o, "total score 总分值", fmt_num(b, sizeof b, sumf(R, "total_score"), 4));
    }
    if (R->drg) {
        snprintf(c, sizeof c, "%s yuan/point", fmt_num(b, sizeof b, sumf(R, "drg_point_value"), 6));
        card(o, "DRG point value DRG点值", c);
        snprintf(c, sizeof c, "%s yuan", yuan(b, sizeof b, sumi(R, "drg_budget_fen")));
        card(o, "DRG fund budget DRG基金预算", c);
        snprintf(c, sizeof c, "%s yuan", yuan(b, sizeof b, sumi(R, "drg_payments_fen")));
        card(o, "DRG payments DRG结算总额", c);
        snprintf(c, sizeof c, "%s yuan/RW", fmt_num(b, sizeof b, sumf(R, "drg_rate"), 2));
        card(o, "DRG rate 费率", c);
    }
    card(o, "cases 病例数", fmt_count(b, sizeof b, sumi(R, "cases")));
    card(o, "records read 读入记录", fmt_count(b, sizeof b, sumi(R, "records_read")));
    card(o, "rejected rows 剔除记录", fmt_count(b, sizeof b, sumi(R, "rejects")));
    card(o, "institutions 机构数", fmt_count(b, sizeof b, sumi(R, "institutions")));
    snprintf(c, sizeof c, "%s yuan", yuan(b, sizeof b, sumi(R, "total_cost_fen")));
    card(o, "total cost 医疗总费用", c);
    snprintf(c, sizeof c, "%s yuan", yuan(b, sizeof b, sumi(R, "fund_paid_fen")));
    card(o, "fund paid 统筹基金支付", c);
    if (sumhas(R, "fund_share")) {
        snprintf(c, sizeof c, "%s%%", fmt_num(b, sizeof b, 100 * sumf(R, "fund_share"), 2));
        card(o, "fund share 统筹支付比例", c);
    }
    fputs("</div>\n", o);
    caption(o, "The settlement in figures. 结算概况", "/summary");
    fputs("</figure>\n</section>\n", o);
}

static void sec_payments(rep *R)
{
    if (!R->has_inst) return;
    int d = R->dip && tab_col(&R->inst, "payment_fen") >= 0, g = R->drg && tab_col(&R->inst, "drg_payment_fen") >= 0;
    if (!d && !g) return;
    section_open(R, "payments", "Payments by institution 机构结算金额");
    if (d)
        inst_chart(R->o, &R->inst, R->inst_names, "payment_fen", "payments-dip",
                   "DIP payment per institution, yuan, largest first. DIP机构结算金额（元）", NAN, "", COLORS[0],
                   R->inst_names ? "/institutions (payment_fen), /institution_names" : "/institutions (payment_fen)");
    if (g)
        inst_chart(R->o, &R->inst, R->inst_names, "drg_payment_fen", "payments-drg",
                   "DRG payment per institution, yuan, largest first. DRG机构结算金额（元）", NAN, "", COLORS[2],
                   R->inst_names ? "/institutions (drg_payment_fen), /institution_names" : "/institutions (drg_payment_fen)");
    fputs("</section>\n", R->o);
}

static void sec_cost_ratio(rep *R, const hist *h)
{
    if (h->n == 0) return;
    FILE *o = R->o;
    hid_t ds = H5Dopen2(R->f, "/cases", H5P_DEFAULT);
    double th[3] = {h5_attr_num(ds, "outlier_low"), h5_attr_num(ds, "outlier_high"), h5_attr_num(ds, "outlier_special")};
    H5Dclose(ds);
    static const char *TH[3] = {"low 低倍率", "high 高倍率", "special review 特例单议"};
    section_open(R, "cost-ratios", "Distribution of case cost ratios 病例费用倍率分布");
    int64_t mx = 1;
    for (int b = 0; b <= h->nbins; b++) if (h->bin[b] > mx) mx = h->bin[b];
    double first, step;
    int dec, nt = axis_ticks(0, (double)mx, 6, &first, &step, &dec);
    double ytop = first + step * (nt - 1);
    const int LX = 60, RX = W - 20, TOP = 16, BOT = 250, H = 290;
    int nb = h->nbins + 1;
    double bw = (double)(RX - LX) / nb;
    fputs("<figure class=\"chart\" id=\"fig-cost-ratio\">\n", o);
    fprintf(o, "<svg id=\"cost-ratio\" class=\"chart-svg\" viewBox=\"0 0 %d %d\" role=\"img\">\n", W, H);
    for (int k = 0; k < nt; k++) {
        double t = first + k * step, y = BOT - t / ytop * (BOT - TOP);
        char lb[48];
        fprintf(o, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/><text class=\"tick\" x=\"%d\" "
                   "y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LX, y, RX, y, LX - 4, y + 4, fmt_num(lb, sizeof lb, t, dec));
    }
    for (int b = 0; b < nb; b++) {
        double hgt = (double)h->bin[b] / ytop * (BOT - TOP);
        double lo = b * HIST_W;
        int cls = 1; /* normal */
        if (!isnan(th[0]) && lo + HIST_W <= th[0] + 1e-9) cls = 0;
        if (!isnan(th[1]) && lo >= th[1] - 1e-9) cls = 2;
        char range[48];
        if (b == h->nbins) snprintf(range, sizeof range, "&#8805;%.1f", lo);
        else snprintf(range, sizeof range, "%.1f-%.1f", lo, lo + HIST_W);
        fprintf(o, "<rect class=\"bar hist\" data-bin=\"%d\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                   "fill=\"%s\"><title>%s: %lld</title></rect>\n", b, LX + b * bw, BOT - hgt, bw * 0.92, hgt,
                cls == 0 ? "#63b3ed" : cls == 2 ? "#f6ad55" : "#2b6cb0", range, (long long)h->bin[b]);
    }
    for (int v = 0; v <= h->nbins / 10; v++)
        fprintf(o, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>", LX + v * 10 * bw, BOT + 14, v);
    fprintf(o, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">&#8805;%d</text>\n",
            LX + (h->nbins + 0.5) * bw, BOT + 26, h->nbins / 10);
    fprintf(o, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">cost ratio = total cost / standard cost "
               "费用倍率</text>\n", (LX + RX) / 2, H - 2);
    for (int k = 0; k < 3; k++) {
        if (isnan(th[k])) continue;
        double x = LX + th[k] / HIST_W * bw;
        fprintf(o, "<line class=\"threshold\" data-value=\"%.6g\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                   "<text class=\"thlabel\" x=\"%.1f\" y=\"%d\">%s %.4g</text>\n",
                th[k], x, TOP, x, BOT, x + 3, TOP + 10 + 12 * k, TH[k], th[k]);
    }
    fputs("</svg>\n", o);
    char cap[640], a[32], b2[32], c2[32], d2[32], e2[32];
    snprintf(cap, sizeof cap, "Cases by cost ratio, bins of %.1f (%s cases; %s without a standard cost, not drawn; "
             "%s at %d or more, in the last bar)%s. Low outliers 低倍率 %s, high 高倍率 %s (/summary). 病例费用倍率分布",
             HIST_W, fmt_count(a, sizeof a, h->n), fmt_count(b2, sizeof b2, h->none),
             fmt_count(c2, sizeof c2, h->bin[h->nbins]), h->nbins / 10,
             isnan(th[0]) ? "; the outlier thresholds are not recorded in this file (casemix before outlier_low)" : "",
             fmt_count(d2, sizeof d2, sumi(R, "low_cases")), fmt_count(e2, sizeof e2, sumi(R, "high_cases")));
    caption(o, cap, isnan(th[0]) ? "/cases (cost_ratio)" : "/cases (cost_ratio; outlier_low, outlier_high, outlier_special)");
    fputs("</figure>\n</section>\n", o);
}

static void sec_structure(rep *R)
{
    if (!R->has_inst) return;
    const tab *in = &R->inst;
    int cs[3] = {tab_col(in, "share_services"), tab_col(in, "share_drugs"), tab_col(in, "share_exams")};
    int cc = tab_col(in, "total_cost_fen");
    if (cs[0] < 0 || cs[1] < 0 || cs[2] < 0 || in->n == 0) return;
    static const char *NM[4] = {"services 医疗服务", "drugs 药品耗材", "exams 检查检验", "other 其他"};
    FILE *o = R->o;
    section_open(R, "price-structure", "Price-ratio structure by institution 比价关系（费用结构）");
    int n = (int)in->n, nb = n < MAX_BARS ? n : MAX_BARS;
    /* region: shares weighted by total cost */
    double reg[3] = {0, 0, 0}, wsum = 0;
    double *cost = calloc((size_t)n, sizeof *cost);
    if (!cost) return;
    for (int i = 0; i < n; i++) {
        cost[i] = cc >= 0 ? (double)tab_i(in, (hsize_t)i, cc) : 1;
        for (int k = 0; k < 3; k++) reg[k] += tab_f(in, (hsize_t)i, cs[k]) * cost[i];
        wsum += cost[i];
    }
    for (int k = 0; k < 3 && wsum > 0; k++) reg[k] /= wsum;
    int *ord = order_desc(cost, n);
    const int LX = 230, RX = W - 20, BH = 14, GAP = 4, TOP = 34;
    int h = TOP + nb * (BH + GAP) + 24;
    fputs("<figure class=\"chart\" id=\"fig-price-structure\">\n", o);
    fprintf(o, "<svg id=\"svg-price-structure\" class=\"chart-svg\" viewBox=\"0 0 %d %d\" role=\"img\">\n", W, h);
    for (int k = 0; k < 4; k++)
        fprintf(o, "<rect x=\"%d\" y=\"4\" width=\"10\" height=\"10\" fill=\"%s\"/><text class=\"legend\" x=\"%d\" "
                   "y=\"13\">%s</text>\n", LX + k * 115, k < 3 ? COLORS[k] : "#cbd5e0", LX + k * 115 + 14, NM[k]);
    for (int t = 0; t <= 100; t += 20)
        fprintf(o, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d%%</text>",
                LX + t / 100.0 * (RX - LX), TOP - 6, t);
    fputs("\n", o);
    for (int q = 0; ord && q < nb; q++) {
        int i = ord[q], y = TOP + q * (BH + GAP);
        char lab[160];
        inst_label(in, R->inst_names, (hsize_t)i, lab, sizeof lab);
        fprintf(o, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", LX - 6, y + BH - 3);
        esc_n(o, lab);
        fputs("</text>", o);
        double x = 0;
        for (int k = 0; k < 4; k++) {
            double s = k < 3 ? tab_f(in, (hsize_t)i, cs[k]) : 1 - x;
            if (!(s > 0)) continue;
            if (x + s > 1) s = 1 - x;
            fprintf(o, "<rect class=\"bar seg\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                       "<title>%s %.1f%%</title></rect>", LX + x * (RX - LX), y, s * (RX - LX), BH,
                    k < 3 ? COLORS[k] : "#cbd5e0", NM[k], 100 * s);
            x += s;
        }
        fputs("\n", o);
    }
    /* the region's line: its cumulative shares (services | drugs | exams) */
    double cum = 0;
    for (int k = 0; k < 2; k++) {
        cum += reg[k];
        double x = LX + cum * (RX - LX);
        fprintf(o, "<line class=\"region-line\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, TOP - 2, x,
                TOP + nb * (BH + GAP));
    }
    fprintf(o, "<text class=\"ref\" x=\"%d\" y=\"%d\">region 统筹区: services %.1f%% | drugs %.1f%% | exams %.1f%% "
               "(dashed lines: the region's boundaries)</text>\n", LX, h - 6, 100 * reg[0], 100 * reg[1], 100 * reg[2]);
    fputs("</svg>\n", o);
    char cap[320];
    snprintf(cap, sizeof cap, "Share of each institution's total cost by category (%d%s institutions, by total cost); "
             "the region's shares weighted by total cost. 各机构费用结构与统筹区比价关系",
             nb, nb < n ? " largest" : "");
    caption(o, cap, "/institutions (share_services, share_drugs, share_exams, total_cost_fen)");
    fputs("</figure>\n</section>\n", o);
    free(ord);
    free(cost);
}

static void sec_cmi(rep *R)
{
    if (!R->has_inst || !R->drg) return;
    const tab *in = &R->inst;
    int c = tab_col(in, "cmi"), cn = tab_col(in, "cases");
    if (c < 0) return;
    double s = 0, w = 0;
    for (hsize_t i = 0; i < in->n; i++) {
        double n = cn >= 0 ? tab_f(in, i, cn) : 1, v = tab_f(in, i, c);
        if (v > 0) { s += v * n; w += n; }
    }
    section_open(R, "drg-cmi", "DRG: case-mix index by institution 病例组合指数（CMI）");
    char ref[64];
    snprintf(ref, sizeof ref, "region 统筹区 %.4f", w > 0 ? s / w : NAN);
    inst_chart(R->o, in, R->inst_names, "cmi", "cmi", "CMI per institution (Σ RW / cases), highest first; "
               "the line: the region's, weighted by cases. 各机构CMI", w > 0 ? s / w : NAN, ref, COLORS[3],
               "/institutions (cmi, cases)");
    fputs("</section>\n", R->o);
}

/* flags by rule and by institution (/flags, /rules, /rule_names) */
/* /review_sample: its size, per reason (enum flagged / random), against the cases */
static void sec_sample(rep *R)
{
    tab t;
    if (tab_open(R->f, "/review_sample", 1, &t)) return;
    FILE *o = R->o;
    int cr = tab_col(&t, "reason");
    int64_t nfl = 0, nra = 0;
    for (hsize_t r = 0; cr >= 0 && r < t.n; r++) {
        char b[32];
        tab_s(&t, r, cr, b, sizeof b);
        if (!strcmp(b, "flagged")) nfl++;
        else nra++;
    }
    char a[48], b1[48], b2[48], pc[48] = "";
    int64_t cases = sumhas(R, "cases") ? sumi(R, "cases") : 0;
    if (cases > 0) snprintf(pc, sizeof pc, "%.2f%%", 100.0 * (double)t.n / (double)cases);
    fputs("<figure class=\"cards-fig\" id=\"fig-review-sample\"><div class=\"cards\">\n", o);
    card(o, "re-review sample 复审抽查 (cases)", fmt_count(a, sizeof a, (int64_t)t.n));
    if (pc[0]) card(o, "share of the cases 占病例比例", pc);
    if (cr >= 0) {
        card(o, "flagged 疑点病例", fmt_count(b1, sizeof b1, nfl));
        card(o, "random 随机", fmt_count(b2, sizeof b2, nra));
    }
    /* what an auditor checks the sample against: the rate per institution and the seed that redraws it */
    double rate = h5_attr_num(t.ds, "sample_rate"), seed = h5_attr_num(t.ds, "sample_seed");
    char rt[48], sd[48];
    if (!isnan(rate)) {
        snprintf(rt, sizeof rt, "%.1f%%", 100.0 * rate);
        card(o, "at least, of each institution's cases 每机构至少", rt);
    }
    if (!isnan(seed)) {
        snprintf(sd, sizeof sd, "%.0f", seed);
        card(o, "seed 随机种子 (the same seed and input: the same sample)", sd);
    }
    fputs("</div>\n", o);
    caption(o, "The seeded, stratified re-review sample. 复审抽查样本",
            cases > 0 ? "/review_sample (reason; attributes sample_rate, sample_seed), /summary (cases)"
                      : "/review_sample (reason; attributes sample_rate, sample_seed)");
    fputs("</figure>\n", o);
    tab_free(&t);
}

/* The R05 note: duplicate claims withheld from payment (wh: count, claimed fen, fund fen; the
 * attributes of src), "none" when R05 ran and withheld nothing, as the terminal summary says. */
static void withheld_note(FILE *o, const char *id, const double wh[3], const char *tail, const char *src)
{
    int64_t nw = (int64_t)llround(wh[0]);
    fprintf(o, "<p class=\"note\" id=\"%s\"><b>R05 duplicate claims withheld from payment (重复结算不予支付)</b>: ", id);
    if (nw == 0) fputs("none.", o);
    else {
        char nb[48], tb[48], fb[48];
        fmt_count(nb, sizeof nb, nw);
        yuan(tb, sizeof tb, (int64_t)llround(wh[1]));
        yuan(fb, sizeof fb, (int64_t)llround(wh[2]));
        fprintf(o, "%s %s, claimed %s yuan (fund part %s yuan)%s.", nb, nw == 1 ? "case" : "cases", tb, fb, tail);
    }
    fprintf(o, " Source: %s attributes duplicates_withheld, duplicates_withheld_total_fen, "
               "duplicates_withheld_fund_fen.</p>\n", src);
}

static void sec_supervision(rep *R, size_t nf, const int32_t *finst)
{
    tab ru, fg;
    int has_r = tab_open(R->f, "/rules", 1, &ru) == 0, has_f = tab_open(R->f, "/flags", 1, &fg) == 0;
    if (!has_r && !has_f) return;
    FILE *o = R->o;
    section_open(R, "supervision", "Supervision: flags by rule and by institution 稽核：规则与机构疑点");
    /* by rule: /rules hits when there, else /flags counted */
    int n = 0;
    char **lab = NULL, **vt = NULL;
    double *v = NULL;
    const char *src = NULL;
    if (has_r && tab_col(&ru, "hits") >= 0 && ru.n > 0) {
        char **rn = h5_names_read(R->f, "/rule_names", ru.n);
        int cid = tab_col(&ru, "id"), ch = tab_col(&ru, "hits"), cev = tab_col(&ru, "evaluated");
        int cen = tab_col(&ru, "name"), cwhy = tab_col(&ru, "not_evaluated_because");
        if (cid < 0) cid = tab_col(&ru, "rule");
        n = (int)ru.n;
        lab = calloc((size_t)n, sizeof *lab); vt = calloc((size_t)n, sizeof *vt); v = calloc((size_t)n, sizeof *v);
        for (int i = 0; lab && vt && v && i < n; i++) {
            char id[64], en[64] = "", b[48], why[160] = "";
            tab_s(&ru, (hsize_t)i, cid, id, sizeof id);
            if (cen >= 0) tab_s(&ru, (hsize_t)i, cen, en, sizeof en);
            if (cwhy >= 0) tab_s(&ru, (hsize_t)i, cwhy, why, sizeof why);
            lab[i] = malloc(200); vt[i] = malloc(200);
            if (!lab[i] || !vt[i]) break;
            /* English from /rules.name, Chinese from /rule_names (Chinese only) */
            snprintf(lab[i], 200, "%s %.*s%s%.*s", id, (int)utf8_cut(en, strlen(en), 40), en,
                     en[0] && rn ? " " : "", rn ? (int)utf8_cut(rn[i], strlen(rn[i]), 48) : 0, rn ? rn[i] : "");
            v[i] = tab_f(&ru, (hsize_t)i, ch);
            int ev = (cev < 0 || tab_f(&ru, (hsize_t)i, cev) != 0) && v[i] >= 0;
            if (ev) fmt_count(vt[i], 200, (int64_t)v[i]);
            else { /* hits -1: not evaluated, never "0 hits" */
                v[i] = 0;
                snprintf(vt[i], 200, "not evaluated 未评估%s%.*s", why[0] ? ": " : "",
                         (int)utf8_cut(why, strlen(why), 90), why);
            }
            (void)b;
        }
        h5_names_free(rn, ru.n);
        src = rn ? "/rules (id, name, hits, evaluated, not_evaluated_because), /rule_names"
                 : "/rules (id, name, hits, evaluated, not_evaluated_because)";
    } else if (has_f && tab_col(&fg, "rule") >= 0) {
        int cr = tab_col(&fg, "rule");
        lab = calloc(64, sizeof *lab); vt = calloc(64, sizeof *vt); v = calloc(64, sizeof *v);
        for (hsize_t r = 0; lab && vt && v && r < fg.n; r++) {
            char id[64];
            tab_s(&fg, r, cr, id, sizeof id);
            int k = 0;
            while (k < n && strcmp(lab[k], id)) k++;
            if (k == n) { if (n == 64) continue; lab[n] = strdup(id); vt[n] = malloc(48); n++; }
            v[k]++;
        }
        for (int k = 0; k < n; k++) fmt_count(vt[k], 48, (int64_t)v[k]);
        src = "/flags (rule)";
    }
    if (n > 0 && lab && vt && v) {
        fputs("<figure class=\"chart\" id=\"fig-flags-rule\">\n", o);
        hbars(o, "flags-rule", n, lab, v, vt, NAN, "", COLORS[1]);
        caption(o, "Flags per rule (cases × rules that fired). 各规则疑点数", src);
        fputs("</figure>\n", o);
    }
    for (int i = 0; i < n; i++) { if (lab) free(lab[i]); if (vt) free(vt[i]); }
    free(lab); free(vt); free(v);
    /* by institution: /flags institution_id when there, else joined with /cases by line */
    if (has_f && R->has_inst && R->inst.n > 0) {
        int ni = (int)R->inst.n, cfi = tab_col(&fg, "institution_id"), cid = tab_col(&R->inst, "institution_id");
        double *cnt = calloc((size_t)ni, sizeof *cnt);
        int got = 0;
        for (hsize_t r = 0; cnt && cfi >= 0 && r < fg.n; r++) {
            char id[64], b[64];
            tab_s(&fg, r, cfi, id, sizeof id);
            for (int i = 0; i < ni; i++)
                if (!strcmp(tab_s(&R->inst, (hsize_t)i, cid, b, sizeof b), id)) { cnt[i]++; got = 1; break; }
        }
        for (size_t k = 0; cnt && cfi < 0 && k < nf; k++)
            if (finst[k] >= 0 && finst[k] < ni) { cnt[finst[k]]++; got = 1; }
        if (got) {
            int *ord = order_desc(cnt, ni);
            int nb = ni < MAX_BARS ? ni : MAX_BARS, m = 0;
            char **l2 = calloc((size_t)nb, sizeof *l2), **v2 = calloc((size_t)nb, sizeof *v2);
            double *b2 = calloc((size_t)nb, sizeof *b2);
            for (int q = 0; ord && l2 && v2 && b2 && q < nb && cnt[ord[q]] > 0; q++, m++) {
                l2[q] = malloc(160); v2[q] = malloc(48);
                if (!l2[q] || !v2[q]) break;
                inst_label(&R->inst, R->inst_names, (hsize_t)ord[q], l2[q], 160);
                b2[q] = cnt[ord[q]];
                fmt_count(v2[q], 48, (int64_t)cnt[ord[q]]);
            }
            fputs("<figure class=\"chart\" id=\"fig-flags-inst\">\n", o);
            hbars(o, "flags-inst", m, l2, b2, v2, NAN, "", COLORS[4]);
            caption(o, "Flags per institution, most first. 各机构疑点数",
                    cfi >= 0 ? "/flags (institution_id)" : "/flags (line), /cases (line, institution)");
            fputs("</figure>\n", o);
            for (int q = 0; q < nb; q++) { if (l2) free(l2[q]); if (v2) free(v2[q]); }
            free(l2); free(v2); free(b2); free(ord);
        }
        free(cnt);
    }
    sec_sample(R);
    if (has_r && !isnan(h5_attr_num(ru.ds, "duplicates_withheld"))) { /* R05: B is never paid twice (sv_withhold) */
        const double wh[3] = {h5_attr_num(ru.ds, "duplicates_withheld"), h5_attr_num(ru.ds, "duplicates_withheld_total_fen"),
                              h5_attr_num(ru.ds, "duplicates_withheld_fund_fen")};
        withheld_note(o, "withheld", wh, "; each stays in /cases with the flag duplicate_withheld, score 0 and "
                      "payment 0", "/rules");
    }
    if (has_r) {
        fputs("<figure class=\"table\" id=\"tab-rules\">\n", o);
        char **rzh = ru.n ? h5_names_read(R->f, "/rule_names", ru.n) : NULL;
        rules_table(o, &ru, rzh);
        h5_names_free(rzh, ru.n);
        caption(o, "The rules in force, with the unit of each rule's /flags figure and threshold. 规则", "/rules, /rule_names");
        fputs("</figure>\n", o);
    }
    fputs("</section>\n", o);
    if (has_r) tab_free(&ru);
    if (has_f) tab_free(&fg);
}

/* indicators with peer percentiles (/indicators), rating (/institutions rating, rating_score) */

/* Decimals of an indicator's value in the table: counts (cases) as integers,
 * yuan (per-case cost) to the fen, the rest (rates, shares, indices, CMI) 3. */
static int ind_decimals(const char *code)
{
    const sc_ind_info *in = sc_ind_info_of(sc_ind_find(code, strlen(code)));
    if (in && in->kind == SC_KIND_COUNT) return 0;
    if (!strcmp(code, "cost_per_case")) return 2;
    return 3;
}

/* The institutions rated 不达标 (fail), each with its score and the indicators that
 * cost it points (as the terminal summary prints them): the rows of /indicators
 * with points 0 (ranked, an outlier on its bad side), most points first; the
 * points lost = 100 x the indicator's weight / the weights of the institution's
 * ranked indicators (rows with points), the weights from the attribute "rating"
 * of /indicators ("weight/direction: code=w/dir ..."): cm_indicators_points_lost,
 * as the workbook's points_lost column; without them the indicators alone.
 * At most 100 institutions. */
static void rating_fail_table(rep *R, const tab *t)
{
    const tab *in = &R->inst;
    int cr = tab_col(in, "rating"), cs = tab_col(in, "rating_score"), cid = tab_col(in, "institution_id");
    int ci = tab_col(t, "institution_id"), cind = tab_col(t, "indicator"), cpt = tab_col(t, "points"),
        co = tab_col(t, "outlier"), cp = tab_col(t, "peer_percentile");
    if (cr < 0 || cid < 0 || ci < 0 || cind < 0 || cpt < 0 || co < 0) return;
    size_t npl = 0;
    double *pl = cm_indicators_points_lost(R->f, &npl);   /* the points lost per row (pointslost.c) */
    if (npl != t->n) { free(pl); pl = NULL; }
    FILE *o = R->o;
    int shown = 0, total = 0;
    for (hsize_t k = 0; k < in->n; k++) {
        char rt[32], id[64];
        tab_s(in, k, cr, rt, sizeof rt);
        if (strcmp(rt, "fail")) continue;
        if (++total > 100) continue;
        if (!shown++)
            fputs("<figure class=\"table\" id=\"tab-rating-fail\">\n<table class=\"rating-fail\"><tr>"
                  "<th>institution 机构</th><th>rating score 评级得分</th><th>the indicators that cost the points "
                  "扣分指标 (points lost 扣分, outlier 同级比较异常, peer percentile 同级百分位)</th></tr>\n", o);
        tab_s(in, k, cid, id, sizeof id);
        char lab[200], sc[32] = "";
        inst_label(in, R->inst_names, k, lab, sizeof lab);
        if (cs >= 0) fmt_num(sc, sizeof sc, tab_f(in, k, cs), 1);
        /* this institution's rows with points 0 in lost[] (NaN: the weights unknown) */
        double lost[64];
        hsize_t lr[64];
        int nl = 0;
        for (hsize_t r = 0; r < t->n; r++) {
            char b[64];
            if (strcmp(tab_s(t, r, ci, b, sizeof b), id)) continue;
            if (tab_f(t, r, cpt) == 0 && nl < 64) { lost[nl] = pl ? pl[r] : NAN; lr[nl++] = r; }
        }
        for (int i = 1; i < nl; i++) /* the largest loss first; ties in /indicators order */
            for (int j = i; j > 0 && lost[j] > lost[j - 1]; j--) {
                double a = lost[j]; lost[j] = lost[j - 1]; lost[j - 1] = a;
                hsize_t b = lr[j]; lr[j] = lr[j - 1]; lr[j - 1] = b;
            }
        fputs("<tr><td>", o);
        esc_n(o, lab);
        fprintf(o, "</td><td class=\"n\">%s</td><td>", sc);
        for (int i = 0; i < nl; i++) {
            char code[48], out[32], pc[32] = "", b[96];
            tab_s(t, lr[i], cind, code, sizeof code);
            tab_s(t, lr[i], co, out, sizeof out);
            if (cp >= 0) fmt_num(pc, sizeof pc, tab_f(t, lr[i], cp), 0);
            const sc_ind_info *f = sc_ind_info_of(sc_ind_find(code, strlen(code)));
            if (i) fputs("; ", o);
            if (!isnan(lost[i])) { snprintf(b, sizeof b, "-%.1f ", lost[i]); esc_n(o, b); }
            fputs("<code>", o);
            esc_n(o, code);
            fputs("</code> ", o);
            if (f) { snprintf(b, sizeof b, "%s %s ", f->english, f->chinese); esc_n(o, b); }
            snprintf(b, sizeof b, "(%s%s%s)", out, pc[0] ? ", p" : "", pc);
            esc_n(o, b);
        }
        if (!nl) fputs("–", o);
        fputs("</td></tr>\n", o);
    }
    free(pl);
    if (!shown) return;
    fputs("</table>\n", o);
    if (total > 100) fprintf(o, "<p class=\"note\">first 100 of %d institutions rated fail</p>\n", total);
    caption(o, "Institutions rated 不达标 (fail) and the indicators that cost them points: an indicator ranked among "
               "its peers and an outlier on its bad side scores 0 of its share, 100 × its weight ÷ the weights of "
               "the institution's ranked indicators. 不达标机构及扣分指标",
            "/institutions (rating, rating_score), /indicators (points, outlier, peer_percentile; attribute rating)");
    fputs("</figure>\n", o);
}

static void sec_indicators(rep *R)
{
    tab t;
    int has_t = tab_open(R->f, "/indicators", 1, &t) == 0;
    int cr = R->has_inst ? tab_col(&R->inst, "rating") : -1;
    if (!has_t && cr < 0) return;
    FILE *o = R->o;
    section_open(R, "indicators", "Indicators, peer percentiles and rating 指标、同级百分位与评级");
    if (cr >= 0) {
        const tab *in = &R->inst;
        int cs = tab_col(in, "rating_score");
        /* institutions per rating level, in the enum's order */
        char lv[8][64];
        int nl = 0;
        if (in->cls[cr] == H5T_ENUM) {
            int k = H5Tget_nmembers(in->mt[cr]);
            long long val[8];
            for (int i = 0; i < k && nl < 8; i++) { /* by value: 0 the best level */
                char *nm = H5Tget_member_name(in->mt[cr], (unsigned)i);
                long long v = 0;
                H5Tget_member_value(in->mt[cr], (unsigned)i, &v);
                int at = nl;
                while (at > 0 && val[at - 1] > v) {
                    val[at] = val[at - 1];
                    memcpy(lv[at], lv[at - 1], sizeof lv[0]);
                    at--;
                }
                val[at] = v;
                snprintf(lv[at], sizeof lv[0], "%s", nm ? nm : "?");
                nl++;
                H5free_memory(nm);
            }
        }
        double cnt[8] = {0};
        for (hsize_t i = 0; i < in->n; i++) {
            char b[64];
            tab_s(in, i, cr, b, sizeof b);
            int k = 0;
            while (k < nl && strcmp(lv[k], b)) k++;
            if (k == nl && nl < 8) snprintf(lv[nl++], sizeof lv[0], "%s", b);
            if (k < 8) cnt[k]++;
        }
        char *l2[8], *v2[8], lb[8][96], vb[8][32];
        for (int k = 0; k < nl; k++) {
            const char *zh = rating_zh(lv[k]) ? rating_zh(lv[k]) : rating_none_zh(lv[k]);
            snprintf(lb[k], sizeof lb[k], "%s%s%s", lv[k], zh && strcmp(zh, lv[k]) ? " " : "",
                     zh && strcmp(zh, lv[k]) ? zh : "");
            fmt_count(vb[k], sizeof vb[k], (int64_t)cnt[k]);
            l2[k] = lb[k];
            v2[k] = vb[k];
        }
        fputs("<figure class=\"chart\" id=\"fig-rating\">\n", o);
        hbars(o, "rating", nl, l2, cnt, v2, NAN, "", COLORS[2]);
        caption(o, "Institutions per rating level (优秀 / 良好 / 合格 / 不达标). 机构评级分布", "/institutions (rating)");
        fputs("</figure>\n", o);
        if (cs >= 0)
            inst_chart(o, in, R->inst_names, "rating_score", "rating-score",
                       "Rating score per institution, highest first. 机构评级得分", NAN, "", COLORS[2],
                       "/institutions (rating_score)");
    }
    if (has_t && t.n > 0 && cr >= 0) rating_fail_table(R, &t);
    if (has_t && t.n > 0) {
        int ci = tab_col(&t, "institution_id"), cind = tab_col(&t, "indicator"), cv = tab_col(&t, "value"),
            creg = tab_col(&t, "region_value"), cp = tab_col(&t, "peer_percentile"), co = tab_col(&t, "outlier");
        /* pivot: institutions (rows) × indicators (columns), in order of first appearance */
        char (*ind)[48] = calloc(32, sizeof *ind), (*ins)[48] = calloc(1024, sizeof *ins);
        int nind = 0, nins = 0;
        for (hsize_t r = 0; ind && ins && r < t.n; r++) {
            char a[48], b[48];
            tab_s(&t, r, cind, a, sizeof a);
            tab_s(&t, r, ci, b, sizeof b);
            int k = 0;
            while (k < nind && strcmp(ind[k], a)) k++;
            if (k == nind && nind < 32) snprintf(ind[nind++], 48, "%s", a);
            k = 0;
            while (k < nins && strcmp(ins[k], b)) k++;
            if (k == nins && nins < 1024) snprintf(ins[nins++], 48, "%s", b);
        }
        hsize_t *cell = ind && ins ? malloc((size_t)nind * (size_t)nins * sizeof *cell) : NULL;
        if (cell) {
            for (int k = 0; k < nind * nins; k++) cell[k] = (hsize_t)-1;
            for (hsize_t r = 0; r < t.n; r++) {
                char a[48], b[48];
                tab_s(&t, r, cind, a, sizeof a);
                tab_s(&t, r, ci, b, sizeof b);
                int x = 0, y = 0;
                while (x < nind && strcmp(ind[x], a)) x++;
                while (y < nins && strcmp(ins[y], b)) y++;
                if (x < nind && y < nins) cell[(size_t)y * (size_t)nind + (size_t)x] = r;
            }
            /* names: /indicator_names rows "code | English | Chinese" (in /indicators' indicator_index order) */
            hsize_t nn = 0;
            char **inm = NULL;
            if (exists(R->f, "/indicator_names")) {
                hid_t ds = H5Dopen2(R->f, "/indicator_names", H5P_DEFAULT);
                if (ds >= 0) {
                    hid_t sp = H5Dget_space(ds);
                    if (H5Sget_simple_extent_ndims(sp) == 1) H5Sget_simple_extent_dims(sp, &nn, NULL);
                    H5Sclose(sp);
                    H5Dclose(ds);
                }
                inm = nn ? h5_names_read(R->f, "/indicator_names", nn) : NULL;
            }
            int cev = tab_col(&t, "evaluated");
            const int PER = 7; /* indicators per table: A4 width */
            fputs("<figure class=\"table\" id=\"tab-indicators\">\n", o);
            for (int x0 = 0; x0 < nind; x0 += PER) {
                int x1 = x0 + PER < nind ? x0 + PER : nind;
                fputs("<table class=\"indicators\"><tr><th>institution 机构</th>", o);
                for (int x = x0; x < x1; x++) {
                    const char *en = NULL, *zh = NULL;
                    size_t el = 0;
                    for (hsize_t k = 0; inm && k < nn; k++) { /* "code | English | Chinese" */
                        size_t L = strlen(ind[x]);
                        if (strncmp(inm[k], ind[x], L) || strncmp(inm[k] + L, " | ", 3)) continue;
                        en = inm[k] + L + 3;
                        const char *bar = strstr(en, " | ");
                        el = bar ? (size_t)(bar - en) : strlen(en);
                        zh = bar ? bar + 3 : NULL;
                        break;
                    }
                    const sc_ind_info *kin = sc_ind_info_of(sc_ind_find(ind[x], strlen(ind[x])));
                    if (!en && kin) { /* no /indicator_names row: the built-in names (as the workbook's) */
                        en = kin->english;
                        el = strlen(en);
                        zh = kin->chinese;
                    }
                    fputs("<th><code>", o);
                    esc_n(o, ind[x]);
                    fputs("</code>", o);
                    if (en) {
                        char b[160];
                        snprintf(b, sizeof b, "%.*s", (int)(el < 150 ? el : 150), en);
                        fputs("<br>", o);
                        esc_n(o, b);
                    }
                    if (zh && zh[0]) { fputs("<br>", o); esc_n(o, zh); }
                    const char *never = kin ? sc_ind_never_ranked_note(kin->kind) : NULL;
                    if (never) { /* no p, no mark in its column: by design, not a data problem */
                        fputs("<br><small class=\"never-ranked\">", o);
                        esc_n(o, never);
                        fputs("</small>", o);
                    }
                    fputs("</th>", o);
                }
                fputs("</tr>\n", o);
                if (creg >= 0) { /* the region's row */
                    fputs("<tr class=\"region\"><td>region 统筹区</td>", o);
                    for (int x = x0; x < x1; x++) {
                        char b[48] = "";
                        for (int y = 0; y < nins; y++) {
                            hsize_t r = cell[(size_t)y * (size_t)nind + (size_t)x];
                            if (r != (hsize_t)-1) { fmt_num(b, sizeof b, tab_f(&t, r, creg), ind_decimals(ind[x])); break; }
                        }
                        fprintf(o, "<td class=\"n\">%s</td>", b);
                    }
                    fputs("</tr>\n", o);
                }
                for (int y = 0; y < nins; y++) {
                    if (creg >= 0 && !ins[y][0]) continue; /* the region's own rows: the region row above */
                    /* the institution's name before its id (/institution_names), as the other tables */
                    char lab[200];
                    snprintf(lab, sizeof lab, "%s", ins[y]);
                    int cid = R->has_inst ? tab_col(&R->inst, "institution_id") : -1;
                    for (hsize_t k = 0; cid >= 0 && R->inst_names && ins[y][0] && k < R->inst.n; k++) {
                        char b[64];
                        if (!strcmp(tab_s(&R->inst, k, cid, b, sizeof b), ins[y])) { inst_label(&R->inst, R->inst_names, k, lab, sizeof lab); break; }
                    }
                    fputs("<tr><td>", o);
                    esc_n(o, lab);
                    fputs("</td>", o);
                    for (int x = x0; x < x1; x++) {
                        hsize_t r = cell[(size_t)y * (size_t)nind + (size_t)x];
                        if (r == (hsize_t)-1) { fputs("<td></td>", o); continue; }
                        if (cev >= 0 && tab_f(&t, r, cev) == 0) { fputs("<td class=\"ne\">–</td>", o); continue; }
                        char b[48], oc[32] = "", p[48] = "";
                        tab_s(&t, r, co, oc, sizeof oc);
                        double pc = tab_f(&t, r, cp);
                        if (!isnan(pc)) snprintf(p, sizeof p, " <small>p%.0f</small>", pc);
                        const char *cls = !strcmp(oc, "high") ? "out-high" : !strcmp(oc, "low") ? "out-low" : "";
                        fprintf(o, "<td class=\"n %s\">%s%s%s</td>", cls, fmt_num(b, sizeof b, tab_f(&t, r, cv), ind_decimals(ind[x])), p,
                                cls[0] ? (cls[4] == 'h' ? " &#9650;" : " &#9660;") : "");
                    }
                    fputs("</tr>\n", o);
                }
                fputs("</table>\n", o);
            }
            int named = inm != NULL;
            h5_names_free(inm, nn);
            caption(o, "Each indicator's value, its percentile among same-level institutions (p), and the outlier "
                       "marks: ▲ high (≥ 80th), ▼ low (≤ 20th); – not evaluated; a count (cases) and budget "
                       "progress are never ranked. 指标值、同级百分位与异常标记（计数与总额进度不排名）",
                    named ? "/indicators (institution_id, indicator, evaluated, value, region_value, peer_percentile, outlier), "
                          "/indicator_names"
                        : "/indicators (institution_id, indicator, evaluated, value, region_value, peer_percentile, outlier)");
            fputs("</figure>\n", o);
        }
        free(cell); free(ind); free(ins);
    }
    fputs("</section>\n", o);
    if (has_t) tab_free(&t);
}

/* /scenarios/NAME/{summary,institutions}: each against the baseline */
typedef struct { char name[32][64]; int n; } namelist;
static herr_t add_name(hid_t g, const char *name, const H5L_info_t *info, void *op)
{
    (void)g; (void)info;
    namelist *l = op;
    if (l->n < 32) snprintf(l->name[l->n++], sizeof l->name[0], "%s", name);
    return 0;
}

/* Chinese titles of the members of /scenarios/NAME/summary (simulate.c) */
static const char *scen_title(const char *m)
{
    static const char *const T[][2] = {
        {"total_cost_fen", "total cost 医疗总费用"}, {"fund_fen", "fund part 基金支付"},
        {"patient_fen", "patients' part 个人负担"}, {"services_pct", "services (%) 医疗服务占比"},
        {"drugs_pct", "drugs and consumables (%) 药耗占比"}, {"exams_pct", "examinations and tests (%) 检查化验占比"},
        {"fund_share", "fund share 统筹支付比例"}, {"dip_budget_fen", "DIP budget DIP预算"},
        {"dip_points", "DIP points DIP总分值"}, {"dip_point_value", "DIP point value (yuan/point) DIP点值"},
        {"dip_payment_fen", "DIP payments DIP结算总额"}, {"drg_budget_fen", "DRG budget DRG预算"},
        {"drg_points", "DRG points DRG点数"}, {"drg_point_value", "DRG point value (yuan/point) DRG点值"},
        {"drg_payment_fen", "DRG payments DRG结算总额"}, {"cases", "cases 病例数"},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (!strcmp(T[i][0], m)) return T[i][1];
    return NULL;
}

/* Chinese names of the cost categories (收费项目类别) of /scenarios/NAME/measurement */
static const char *cat_title(const char *m)
{
    static const char *const T[][2] = {
        {"cost_bed", "床位费"}, {"cost_consult", "诊查费"}, {"cost_exam", "检查费"}, {"cost_lab", "化验费"},
        {"cost_treatment", "治疗费"}, {"cost_surgery", "手术费"}, {"cost_nursing", "护理费"},
        {"cost_material", "卫生材料费"}, {"cost_western", "西药费"}, {"cost_herbal", "中药饮片费"},
        {"cost_patent", "中成药费"}, {"cost_general", "一般诊疗费"}, {"cost_registration", "挂号费"},
        {"cost_other", "其他费"},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (!strcmp(T[i][0], m)) return T[i][1];
    return NULL;
}

/* What the scenario is (the attributes of /scenarios/NAME, simulate.c): policy, multipliers,
 * settings, price table, the solve's result: a reader of the report sees what was changed. */
static void scenario_definition(rep *R, const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "/scenarios/%s", name);
    hid_t g = H5Gopen2(R->f, path, H5P_DEFAULT);
    if (g < 0) return;
    static const char *const A[][2] = {
        {"policy", "policy 政策口径"}, {"multipliers", "multipliers 调价系数"}, {"settings", "settings 参数"},
        {"price_table", "price table 调价项目表"},
    };
    FILE *o = R->o;
    int any = 0;
    char v[1024];
    for (size_t i = 0; i < sizeof A / sizeof A[0]; i++) {
        h5_attr_text(g, A[i][0], v, sizeof v);
        if (!v[0] || (i > 0 && !strcmp(v, "none"))) continue;
        if (!any) {
            fputs("<p class=\"note\" id=\"def-scenario-", o);
            esc_n(o, name);
            fputs("\">", o);
        } else fputs("; ", o);
        any = 1;
        fprintf(o, "%s: <code>", A[i][1]);
        esc_n(o, i == 3 && strrchr(v, '/') ? strrchr(v, '/') + 1 : v);
        fputs("</code>", o);
    }
    char tg[64], var[64];
    h5_attr_text(g, "solve_target", tg, sizeof tg);
    h5_attr_text(g, "solve_variable", var, sizeof var);
    double x = h5_attr_num(g, "solved_multiplier"), res = h5_attr_num(g, "solve_residual_fen");
    if (any && tg[0] && strcmp(tg, "none") && !isnan(x)) {
        fprintf(o, "; budget-neutral solve 测算求解 (target <code>%s</code>): <code>%s</code> = %.9f", tg, var, x);
        if (!isnan(res)) fprintf(o, ", residual %.0f fen", res);
    }
    if (any) fputs(". Source: the attributes of <code>", o), esc_n(o, path), fputs("</code>.</p>\n", o);
    H5Gclose(g);
}

/* The institutions whose payment moved most in a scenario, each change split
 * as simulate.c writes it (sc_pay_decompose): change = price effect (its own
 * points moved, at the baseline's money per point) + structure effect (the
 * point value moved). The five largest increases and the five largest
 * decreases of one scheme (pre: "dip" or "drg"), ties to the lower row. */
static void scenario_movers(rep *R, const tab *t, char **nm, const char *scen, const char *pre, const char *scheme)
{
    char m[6][48];
    static const char *const SUF[6] = {"base_%s_payment_fen", "%s_payment_fen", "diff_%s_payment_fen",
                                       "%s_price_effect_fen", "%s_structure_effect_fen", "diff_total_cost_fen"};
    int c[6];
    for (int k = 0; k < 6; k++) {
        snprintf(m[k], sizeof m[k], SUF[k], pre);
        c[k] = tab_col(t, m[k]);
        if (c[k] < 0 && k < 5) return;
    }
    int n = (int)t->n, priced = 0;
    for (int i = 0; c[5] >= 0 && i < n && !priced; i++) priced = tab_i(t, (hsize_t)i, c[5]) != 0;
    enum { TOP = 5 };
    int up[TOP], dn[TOP], nu = 0, nd = 0;
    for (int i = 0; i < n; i++) { /* one insertion pass: the largest |change| each way, ties to the lower row */
        int64_t d = tab_i(t, (hsize_t)i, c[2]);
        int *a = d > 0 ? up : dn, *na = d > 0 ? &nu : &nd;
        if (d == 0) continue;
        int at = *na;
        while (at > 0) {
            int64_t e = tab_i(t, (hsize_t)a[at - 1], c[2]);
            if (d > 0 ? e >= d : e <= d) break;
            at--;
        }
        if (at >= TOP) continue;
        int last = *na < TOP ? *na : TOP - 1;
        for (int q = last; q > at; q--) a[q] = a[q - 1];
        a[at] = i;
        if (*na < TOP) (*na)++;
    }
    if (nu + nd == 0) return;
    FILE *o = R->o;
    fputs("<figure class=\"table\" id=\"tab-movers-", o);
    esc_n(o, scen);
    fprintf(o, "-%s\"><table class=\"movers\"><tr><th>institution 机构</th><th>baseline 基线 (yuan)</th>"
               "<th>scenario 情景 (yuan)</th><th>change 变化 (yuan)</th><th>%s (yuan)</th>"
               "<th>structure effect 点值效应 (yuan)</th></tr>\n",
            pre, priced ? "price effect 价格效应" : "own-points effect 自身分值效应");
    for (int side = 0; side < 2; side++) {
        const int *a = side ? dn : up;
        int na = side ? nd : nu;
        if (na)
            fprintf(o, "<tr class=\"group\"><td colspan=\"6\">%s</td></tr>\n",
                    side ? "largest decreases 减少最多" : "largest increases 增加最多");
        for (int q = 0; q < na; q++) {
            char lab[160], v[5][48];
            inst_label(t, nm, (hsize_t)a[q], lab, sizeof lab);
            for (int k = 0; k < 5; k++) yuan(v[k], sizeof v[k], tab_i(t, (hsize_t)a[q], c[k]));
            fputs("<tr><td>", o);
            esc_n(o, lab);
            fputs("</td>", o);
            for (int k = 0; k < 5; k++) fprintf(o, "<td class=\"n\">%s</td>", v[k]);
            fputs("</tr>\n", o);
        }
    }
    fputs("</table>\n", o);
    char cap[512], src[256];
    snprintf(cap, sizeof cap, "%s%sThe institutions whose payment moved most, each change split: %s + structure "
             "effect (the point value moved, by the others' points or the budget) = change. %s",
             scheme, scheme[0] ? ": " : "",
             priced ? "price effect (its own costs, so its own points, moved; valued at the baseline's money per point)"
                    : "own-points effect (the scenario's settings moved its own points; valued at the baseline's "
                      "money per point)",
             "支付变化最大的机构及其分解");
    snprintf(src, sizeof src, "/scenarios/%s/institutions (%s, %s, %s, %s, %s)", scen, m[0], m[1], m[2], m[3], m[4]);
    caption(o, cap, src);
    fputs("</figure>\n", o);
}

static void sec_scenarios(rep *R)
{
    if (!exists(R->f, "/scenarios")) return;
    hid_t g = H5Gopen2(R->f, "/scenarios", H5P_DEFAULT);
    namelist L = {.n = 0};
    double wh[3] = {NAN, NAN, NAN}; /* R05 withheld by the baseline and every scenario (simulate.c) */
    if (g >= 0) {
        hsize_t idx = 0;
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, add_name, &L);
        h5_names_order(g, "names", L.name[0], sizeof L.name[0], L.n); /* the configuration's order, as simulate printed */
        wh[0] = h5_attr_num(g, "duplicates_withheld");
        wh[1] = h5_attr_num(g, "duplicates_withheld_total_fen");
        wh[2] = h5_attr_num(g, "duplicates_withheld_fund_fen");
        H5Gclose(g);
    }
    if (L.n == 0) return;
    FILE *o = R->o;
    section_open(R, "scenarios", "Scenarios against the baseline 政策情景与基线对比");
    if (!isnan(wh[0]))
        withheld_note(o, "withheld-scenarios", wh, ", by the baseline and every scenario alike (score 0, payment 0)",
                      "/scenarios");
    for (int s = 0; s < L.n; s++) {
        char path[160], src[200];
        tab t;
        fprintf(o, "<h3 class=\"scenario\">");
        esc_n(o, L.name[s]);
        fputs("</h3>\n", o);
        scenario_definition(R, L.name[s]);
        snprintf(path, sizeof path, "/scenarios/%s/summary", L.name[s]);
        if (tab_open(R->f, path, 1, &t) == 0) {
            fputs("<figure class=\"table\" id=\"tab-scenario-", o);
            esc_n(o, L.name[s]);
            fputs("\"><table class=\"scenario\"><tr><th>member</th><th>baseline 基线</th><th>scenario 情景</th>"
                  "<th>difference 差额</th></tr>\n", o);
            for (int c = 0; c < t.nm; c++) {
                if (strncmp(t.name[c], "base_", 5)) continue;
                const char *m = t.name[c] + 5;
                char dn[80];
                snprintf(dn, sizeof dn, "diff_%s", m);
                int cm = tab_col(&t, m), cd = tab_col(&t, dn);
                size_t L2 = strlen(m);
                int money = L2 > 4 && !strcmp(m + L2 - 4, "_fen");
                char a[48], b[48], d[48];
                if (money) {
                    yuan(a, sizeof a, tab_i(&t, 0, c));
                    yuan(b, sizeof b, tab_i(&t, 0, cm));
                    yuan(d, sizeof d, cd >= 0 ? tab_i(&t, 0, cd) : tab_i(&t, 0, cm) - tab_i(&t, 0, c));
                } else {
                    double x = tab_f(&t, 0, c), y = tab_f(&t, 0, cm);
                    int dec = strstr(m, "point_value") ? 6 : 4; /* point values to 6 decimals, as everywhere */
                    fmt_num(a, sizeof a, x, dec);
                    fmt_num(b, sizeof b, y, dec);
                    fmt_num(d, sizeof d, cd >= 0 ? tab_f(&t, 0, cd) : y - x, dec);
                }
                fputs("<tr><td><code>", o);
                esc_n(o, m);
                fputs("</code>", o);
                if (scen_title(m)) { fputs(" ", o); esc_n(o, scen_title(m)); }
                fprintf(o, "%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                        money ? " (yuan)" : "", a, b, d);
            }
            fputs("</table>\n", o);
            snprintf(src, sizeof src, "%s (base_<m>, <m>, diff_<m>)", path);
            caption(o, "The scenario's totals beside the baseline's. 情景汇总与基线", src);
            fputs("</figure>\n", o);
            tab_free(&t);
        }
        snprintf(path, sizeof path, "/scenarios/%s/institutions", L.name[s]);
        if (tab_open(R->f, path, 1, &t) == 0) {
            /* the payment change per institution: DIP and DRG (diff_dip_payment_fen, diff_drg_payment_fen) */
            static const char *PM[3] = {"diff_dip_payment_fen", "diff_drg_payment_fen", "diff_payment_fen"};
            static const char *PT[3] = {"DIP", "DRG", ""};
            int drawn = 0;
            /* a simulation file's names (simulate.c: /institution_names, the scenarios' institution order) */
            char **snm = !R->has_inst && exists(R->f, "/institution_names") ? h5_names_read(R->f, "/institution_names", t.n)
                                                                             : NULL;
            for (int k = 0; k < 3; k++) {
                if (tab_col(&t, PM[k]) < 0 || (k == 2 && drawn)) continue;
                /* a scheme that did not run has only zeros in base_ and scenario: no chart */
                char bm[64];
                snprintf(bm, sizeof bm, "base_%s", PM[k] + 5);
                int cb = tab_col(&t, bm), any = cb < 0;
                for (hsize_t r = 0; !any && r < t.n; r++) any = tab_i(&t, r, cb) != 0;
                if (!any) continue;
                char id[96], title[200];
                snprintf(id, sizeof id, "scenario-%s%s%s", L.name[s], k < 2 ? "-" : "", k == 0 ? "dip" : k == 1 ? "drg" : "");
                for (char *p = id; *p; p++) if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_')) *p = '_';
                /* every bar zero (the identity scenario, a setting that moves no payment): a line, not a chart */
                int cd = tab_col(&t, PM[k]), moved = 0;
                for (hsize_t r = 0; !moved && r < t.n; r++) moved = tab_i(&t, r, cd) != 0;
                if (!moved) {
                    fprintf(o, "<p class=\"note\" id=\"note-%s\">%s%sno institution's payment changes against the "
                               "baseline (%s is 0 for all %llu institutions): no chart. 各机构结算金额与基线相同</p>\n",
                            id, PT[k], PT[k][0] ? ": " : "", PM[k], (unsigned long long)t.n);
                    drawn++;
                    continue;
                }
                snprintf(title, sizeof title, "%s%sChange in payment per institution against the baseline, yuan "
                         "(largest increase first). 各机构结算金额变化（元）", PT[k], PT[k][0] ? ": " : "");
                char **nm = R->has_inst && R->inst.n == t.n ? R->inst_names : snm;
                snprintf(src, sizeof src, "%s (%s)%s", path, PM[k], nm ? ", /institution_names" : "");
                inst_chart(o, &t, nm, PM[k], id, title, NAN, "", COLORS[5], src);
                if (k < 2) scenario_movers(R, &t, nm, L.name[s], k == 0 ? "dip" : "drg", PT[k]);
                drawn++;
            }
            h5_names_free(snm, t.n);
            tab_free(&t);
        }
        /* the static measurement: region and per category (up / down / net, fund / patients) */
        snprintf(path, sizeof path, "/scenarios/%s/measurement", L.name[s]);
        if (tab_open(R->f, path, 1, &t) == 0) {
            int csc = tab_col(&t, "scope"), cn = tab_col(&t, "name");
            static const char *MM[5] = {"up_fen", "down_fen", "net_fen", "fund_fen", "patient_fen"};
            int cc[5];
            for (int k = 0; k < 5; k++) cc[k] = tab_col(&t, MM[k]);
            fputs("<figure class=\"table\" id=\"tab-measurement-", o);
            esc_n(o, L.name[s]);
            fputs("\"><table class=\"measurement\"><tr><th>scope 范围</th><th>name 名称</th><th>up 增加 (yuan)</th>"
                  "<th>down 减少 (yuan)</th><th>net 净额 (yuan)</th><th>fund 基金 (yuan)</th><th>patients 个人 (yuan)</th></tr>\n", o);
            int ninst = 0;
            for (hsize_t r = 0; r < t.n; r++) {
                char sc[32] = "", nmv[64] = "";
                if (csc >= 0) tab_s(&t, r, csc, sc, sizeof sc);
                if (cn >= 0) tab_s(&t, r, cn, nmv, sizeof nmv);
                if (!strcmp(sc, "institution")) { ninst++; continue; } /* per institution: the export's sheet */
                fprintf(o, "<tr class=\"%s\"><td>", !strcmp(sc, "region") ? "region" : "");
                esc_n(o, sc);
                fputs("</td><td>", o);
                esc_n(o, nmv);
                if (!strcmp(sc, "category") && cat_title(nmv)) { fputs(" ", o); esc_n(o, cat_title(nmv)); }
                fputs("</td>", o);
                for (int k = 0; k < 5; k++) {
                    char b[48] = "";
                    if (cc[k] >= 0) yuan(b, sizeof b, tab_i(&t, r, cc[k]));
                    fprintf(o, "<td class=\"n\">%s</td>", b);
                }
                fputs("</tr>\n", o);
            }
            fputs("</table>\n", o);
            char cap[200];
            snprintf(cap, sizeof cap, "The static measurement at the baseline's volumes (rows per institution: %d, "
                     "in the export). 静态测算", ninst);
            snprintf(src, sizeof src, "%s (scope, name, up_fen, down_fen, net_fen, fund_fen, patient_fen)", path);
            caption(o, cap, src);
            fputs("</figure>\n", o);
            tab_free(&t);
        }
    }
    fputs("</section>\n", o);
}

/* a province file: /province_summary (one row per region and the totals) and
 * each region's payments per institution (/regions/CODE/institutions) */
static void sec_province(rep *R)
{
    tab ps;
    if (tab_open(R->f, "/province_summary", 1, &ps)) return;
    FILE *o = R->o;
    section_open(R, "province", "Province: the regions' settlements 省级汇总：各统筹区结算");
    fputs("<figure class=\"table\" id=\"tab-province-summary\">\n", o);
    generic_table(o, &ps, 1000, "province-summary");
    caption(o, "One row per region (统筹区) and the province's totals (money in yuan). 省级汇总", "/province_summary");
    fputs("</figure>\n", o);
    int cr = tab_col(&ps, "region");
    static const char *PM[2] = {"payments_fen", "drg_payments_fen"};
    static const char *PT[2] = {"DIP payments per region, yuan. 各统筹区DIP结算总额",
                                "DRG payments per region, yuan. 各统筹区DRG结算总额"};
    for (int k = 0; k < 2 && cr >= 0; k++) {
        int cp = tab_col(&ps, PM[k]);
        if (cp < 0) continue;
        int n = 0;
        char **lab = calloc(ps.n + 1, sizeof *lab), **vt = calloc(ps.n + 1, sizeof *vt);
        double *v = calloc(ps.n + 1, sizeof *v);
        int64_t any = 0;
        for (hsize_t r = 0; lab && vt && v && r < ps.n && n < MAX_BARS; r++) {
            char code[64];
            tab_s(&ps, r, cr, code, sizeof code);
            if (!strcmp(code, "total")) continue;
            lab[n] = strdup(code);
            vt[n] = malloc(48);
            if (!lab[n] || !vt[n]) { free(lab[n]); free(vt[n]); break; }
            int64_t fen = tab_i(&ps, r, cp);
            any |= fen;
            v[n] = (double)fen / 100.0;
            yuan(vt[n], 48, fen);
            n++;
        }
        if (n > 0 && any) {
            char id[32], src[96];
            snprintf(id, sizeof id, "province-%s", k ? "drg" : "dip");
            fprintf(o, "<figure class=\"chart\" id=\"fig-%s\">\n", id);
            hbars(o, id, n, lab, v, vt, NAN, "", COLORS[k]);
            snprintf(src, sizeof src, "/province_summary (region, %s)", PM[k]);
            caption(o, PT[k], src);
            fputs("</figure>\n", o);
        }
        for (int i = 0; i < n; i++) { free(lab[i]); free(vt[i]); }
        free(lab); free(vt); free(v);
    }
    /* each region: its payments per institution */
    for (hsize_t r = 0; cr >= 0 && r < ps.n; r++) {
        char code[64], path[160], npath[160], id[96], title[200], src[240];
        tab_s(&ps, r, cr, code, sizeof code);
        if (!strcmp(code, "total")) continue;
        snprintf(path, sizeof path, "/regions/%s/institutions", code);
        tab in;
        if (!exists(R->f, path) || tab_open(R->f, path, 1, &in)) continue;
        snprintf(npath, sizeof npath, "/regions/%s/institution_names", code);
        char **nm = exists(R->f, npath) ? h5_names_read(R->f, npath, in.n) : NULL;
        snprintf(id, sizeof id, "region-%s-payments", code);
        for (char *p = id; *p; p++) if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_')) *p = '_';
        snprintf(title, sizeof title, "Region %s: payment per institution, yuan (largest first). 统筹区 %s 各机构结算金额",
                 code, code);
        snprintf(src, sizeof src, "%s (payment_fen)%s", path, nm ? ", institution_names" : "");
        inst_chart(o, &in, nm, "payment_fen", id, title, NAN, "", COLORS[0], src);
        h5_names_free(nm, in.n);
        tab_free(&in);
    }
    fputs("</section>\n", o);
    tab_free(&ps);
}

/* a ledger: /months (point-value estimate, forecast, band), the corrections, /clearing */
static int find_like(const tab *t, const char *must, const char *must2, const char *not1, const char *not2)
{
    for (int c = 0; c < t->nm; c++) {
        const char *n = t->name[c];
        if (t->cls[c] != H5T_FLOAT && t->cls[c] != H5T_INTEGER) continue;
        if (must && !strstr(n, must)) continue;
        if (must2 && !strstr(n, must2)) continue;
        if (not1 && strstr(n, not1)) continue;
        if (not2 && strstr(n, not2)) continue;
        return c;
    }
    return -1;
}

/* The R05 duplicates withheld over the ledger's months (/months
 * duplicates_withheld*, ledger.c; -1 or no column: not recorded). */
static void ledger_withheld(FILE *o, const tab *m)
{
    int cn = tab_col(m, "duplicates_withheld"), ct = tab_col(m, "duplicates_withheld_total_fen"),
        cf = tab_col(m, "duplicates_withheld_fund_fen"), cmo = tab_col(m, "month");
    int64_t n = 0, tot = 0, fund = 0;
    int rec = 0;
    char miss[160] = "";
    size_t ml = 0;
    for (hsize_t r = 0; r < m->n; r++) {
        if (cn >= 0 && tab_i(m, r, cn) >= 0) {
            rec++;
            n += tab_i(m, r, cn);
            tot += tab_i(m, r, ct);
            fund += tab_i(m, r, cf);
        } else if (ml < sizeof miss) {
            int w = snprintf(miss + ml, sizeof miss - ml, "%s%02d", ml ? ", " : "", (int)tab_i(m, r, cmo));
            ml += w > 0 ? (size_t)w : 0;
        }
    }
    fputs("<p class=\"note\" id=\"withheld-months\"><b>R05 duplicate claims withheld from payment "
          "(重复结算不予支付)</b>: ", o);
    if (rec && n == 0)
        fprintf(o, "none in %d month(s)", rec);
    else if (rec) {
        char nb[48], tb[48], fb[48];
        fprintf(o, "%s %s, claimed %s yuan (fund part %s yuan) in %d month(s)", fmt_count(nb, sizeof nb, n),
                n == 1 ? "case" : "cases", yuan(tb, sizeof tb, tot), yuan(fb, sizeof fb, fund), rec);
    }
    if (miss[0]) {
        fprintf(o, "%snot recorded for month(s) ", rec ? "; " : "");
        esc_n(o, miss);
        fputs(" (R05 not checked, or the month settled by an older casemix)", o);
    }
    fputs(". Source: /months duplicates_withheld, duplicates_withheld_total_fen, "
          "duplicates_withheld_fund_fen.</p>\n", o);
}

/* The ledger's wide tables (/months 24 members, /clearing 18) as column
 * groups, as the indicators table: each group is a table of at most ~8
 * columns that repeats the row's key (month / institution), so it fits the
 * A4 text width. Headers are the workbook's titles (cm_member_title, export.c)
 * in English and Chinese with the member name; money in yuan, *_e4 divided by
 * 10^4, counts as integers, point values to 6 decimals. Members of no group
 * go into a last group "other columns", so a new member is never dropped. */
typedef struct { const char *title, *members; } colgroup;

static int ends(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

/* summed in the total row: money, counts, scores (not rates, coefficients, point values) */
static int summable(const tab *t, int c)
{
    const char *n = t->name[c];
    return t->cls[c] == H5T_INTEGER && (ends(n, "_fen") || !strcmp(n, "cases") || !strcmp(n, "records") ||
                                        !strcmp(n, "rejects") || !strcmp(n, "n_special") || !strcmp(n, "score_e4"));
}

/* an integer member as the report shows it (money in yuan, *_e4 / 10^4, counts) */
static const char *ledger_int(const char *name, int64_t v, char *b, size_t cap)
{
    if (ends(name, "_fen")) return yuan(b, cap, v);
    if (ends(name, "_e4")) return fmt_e4(b, cap, v, !strcmp(name, "score_e4") ? 2 : 4);
    if (!strcmp(name, "duplicates_withheld") && v < 0) { snprintf(b, cap, "–"); return b; } /* not recorded */
    return fmt_count(b, cap, v);
}

static void ledger_cell(FILE *o, const tab *t, hsize_t r, int c, const char *year)
{
    char b[512];
    const char *n = t->name[c];
    if (t->cls[c] == H5T_INTEGER && !strcmp(n, "month") && strlen(year) == 4) {
        fprintf(o, "<td>%s-%02d</td>", year, (int)tab_i(t, r, c));
        return;
    }
    if (t->cls[c] == H5T_INTEGER) {
        fprintf(o, "<td class=\"n\">%s</td>", ledger_int(n, tab_i(t, r, c), b, sizeof b));
        return;
    }
    if (t->cls[c] == H5T_FLOAT) {
        int dec = ends(n, "score") ? 2 : strstr(n, "share") ? 4 : 6; /* points; a ratio; point values */
        fprintf(o, "<td class=\"n\">%s</td>", fmt_num(b, sizeof b, tab_f(t, r, c), dec));
        return;
    }
    fputs(!strcmp(n, "input") ? "<td class=\"path\">" : "<td>", o);
    esc_n(o, tab_s(t, r, c, b, sizeof b));
    fputs("</td>", o);
}

/* header: the title's English, its Chinese on a line of its own, the member name (breakable at _) */
static void ledger_head(FILE *o, const tab *t, int c)
{
    const char *n = t->name[c], *ti = cm_member_title(n);
    char u[256];
    if (!ti) ti = n;
    if (ends(n, "_e4")) ti = title_unscaled(ti, u, sizeof u);   /* shown / 10^4 */
    size_t z = title_zh_at(ti);
    char en[256];
    snprintf(en, sizeof en, "%.*s", (int)z, ti);
    for (size_t L = strlen(en); L > 0 && en[L - 1] == ' '; L--) en[L - 1] = '\0';
    fputs("<th>", o);
    esc_n(o, en);
    if (ti[z]) { fputs("<br><span class=\"zh\">", o); esc_n(o, ti + z); fputs("</span>", o); }
    fputs("<br><code>", o);
    for (const char *p = n; *p; p++) {
        if (strchr("<>&\"'", *p)) fprintf(o, "&#%d;", *p); /* casemix's names are [a-z0-9_]; another file's escaped */
        else fputc(*p, o);
        if (*p == '_') fputs("<wbr>", o);
    }
    fputs("</code></th>", o);
}

/* keynames: [t->n] names shown beside the key (a ledger's /clearing_names), or NULL (no such column) */
static void grouped_table(FILE *o, const tab *t, const char *key, const colgroup *g, int ng, const char *cls,
                          const char *year, hsize_t maxrows, const char *total_label, char *const *keynames)
{
    int ck = tab_col(t, key);
    char *used = calloc((size_t)t->nm, 1), *other = calloc((size_t)t->nm * 66 + 1, 1);
    int *cols = malloc(((size_t)t->nm + 1) * sizeof *cols);
    if (!used || !other || !cols) { free(used); free(other); free(cols); return; }
    if (ck >= 0) used[ck] = 1;
    for (int c = 0; c < t->nm; c++)
        if (!strcmp(t->name[c], "case_id") || !strcmp(t->name[c], "patient_id")) used[c] = 1;
    for (int k = 0; k < ng; k++) /* mark the listed members */
        for (const char *p = g[k].members; *p;) {
            const char *e = strchr(p, ',');
            size_t L = e ? (size_t)(e - p) : strlen(p);
            for (int c = 0; c < t->nm; c++)
                if (strlen(t->name[c]) == L && !strncmp(t->name[c], p, L)) used[c] = 1;
            p += L + (e != NULL);
        }
    for (int c = 0; c < t->nm; c++) /* the members of no group */
        if (!used[c]) { if (other[0]) strcat(other, ","); strcat(other, t->name[c]); }
    for (int k = 0; k <= ng; k++) {
        const char *title = k < ng ? g[k].title : "other columns 其他", *mem = k < ng ? g[k].members : other;
        int nc = 0;
        for (const char *p = mem; *p;) {
            const char *e = strchr(p, ',');
            size_t L = e ? (size_t)(e - p) : strlen(p);
            for (int c = 0; c < t->nm; c++)
                if (strlen(t->name[c]) == L && !strncmp(t->name[c], p, L)) cols[nc++] = c;
            p += L + (e != NULL);
        }
        if (nc == 0) continue;
        int any_sum = 0;
        for (int i = 0; i < nc; i++) any_sum |= summable(t, cols[i]);
        fprintf(o, "<table class=\"%s colgroup\"><caption>", cls);
        esc_n(o, title);
        fputs("</caption><tr>", o);
        if (ck >= 0) ledger_head(o, t, ck);
        if (ck >= 0 && keynames)
            fputs("<th>institution name<br><span class=\"zh\">机构名称</span><br><code>clearing_<wbr>names</code></th>", o);
        for (int i = 0; i < nc; i++) ledger_head(o, t, cols[i]);
        fputs("</tr>\n", o);
        for (hsize_t r = 0; r < t->n && r < maxrows; r++) {
            fputs("<tr>", o);
            if (ck >= 0) ledger_cell(o, t, r, ck, year);
            if (ck >= 0 && keynames) {
                fputs("<td class=\"name\">", o);
                esc_n(o, keynames[r] ? keynames[r] : "");
                fputs("</td>", o);
            }
            for (int i = 0; i < nc; i++) ledger_cell(o, t, r, cols[i], year);
            fputs("</tr>\n", o);
        }
        if (any_sum && t->n > 1 && t->n <= maxrows) {
            fputs("<tr class=\"total\">", o);
            if (ck >= 0) { fputs("<td>", o); esc_n(o, total_label); fputs("</td>", o); }
            if (ck >= 0 && keynames) fputs("<td></td>", o);
            for (int i = 0; i < nc; i++) {
                if (!summable(t, cols[i])) { fputs("<td></td>", o); continue; }
                int64_t s = 0;
                for (hsize_t r = 0; r < t->n; r++) s += tab_i(t, r, cols[i]);
                char b[64];
                fprintf(o, "<td class=\"n\">%s</td>", ledger_int(t->name[cols[i]], s, b, sizeof b));
            }
            fputs("</tr>\n", o);
        }
        fputs("</table>\n", o);
    }
    if (t->n > maxrows) fprintf(o, "<p class=\"note\">first %llu of %llu rows</p>\n", (unsigned long long)maxrows,
                                (unsigned long long)t->n);
    free(used); free(other); free(cols);
}

static const colgroup MONTH_GROUPS[] = {
    {"Monthly pre-settlement 月度预结算", "cases,gross_fen,deposit_fen,paid_fen,point_value_estimate,forecast"},
    {"Volume 业务量", "records,rejects,cost_fen,fund_fen,fund_share,score_e4"},
    {"The year's forecast 年终点值预测", "forecast_score,band_low,band_high"},
    {"R05 duplicate claims withheld 重复结算不予支付", "duplicates_withheld,duplicates_withheld_total_fen,duplicates_withheld_fund_fen"},
    {"The month's input 月度输入文件", "input,input_bytes,run_at,discharge_first,discharge_last"},
};
static const colgroup CLEARING_GROUPS[] = {
    {"Clearing balance 清算应拨付", "cases,due_fen,paid_fen,balance_fen,settled_before_fen,to_settle_fen"},
    {"Monthly payments and the quality deposit 月度拨付与质量保证金", "gross_fen,deposit_fen,assessment_e4,deposit_back_fen"},
    {"Audit, band and special review 审核扣款、结余留用/超支分担、特例单议", "audit_fen,band_fen,n_special,special_fen"},
    {"Volume 业务量", "cost_fen,fund_fen,score_e4"},
};

/* A ledger's corrections (更正记录: a month run again, ledger.c ld_add_revision): /revisions in two
 * tables of the key month and revision (what was paid then and now, the difference to pay or
 * recover; the month's figures then and now), /revision_institutions per institution (the name
 * from /institutions + /institution_names of that month when known), at most REV_ROWS rows, the
 * rest named in the export. One line when the ledger has none. */
#define REV_ROWS 200
static void rev_dir_head(FILE *o)
{
    fputs("<th>pay or recover<br><span class=\"zh\">补付/追回</span><br>difference &gt; 0 / &lt; 0</th>", o);
}

static void rev_dir_cell(FILE *o, int64_t d)
{
    fputs(d > 0 ? "<td class=\"dir\">pay 补付</td>" : d < 0 ? "<td class=\"dir\">recover 追回</td>"
                                                   : "<td class=\"dir\">none 无</td>", o);
}

/* one table of t's members cols (by name, "" = the pay/recover column from difference_fen) */
static void rev_table(FILE *o, const tab *t, const char *title, const char *const *cols, int nc, const char *year,
                      hsize_t maxrows, char *const *names)
{
    int c[12], cd = tab_col(t, "difference_fen");
    for (int i = 0; i < nc && i < 12; i++) c[i] = cols[i][0] ? tab_col(t, cols[i]) : -2;
    fputs("<table class=\"revisions colgroup\"><caption>", o);
    esc_n(o, title);
    fputs("</caption><tr>", o);
    for (int i = 0; i < nc; i++) {
        if (c[i] == -2) { if (cd >= 0) rev_dir_head(o); }
        else if (c[i] >= 0) ledger_head(o, t, c[i]);
        if (names && i == 2) /* after institution_id */
            fputs("<th>institution name<br><span class=\"zh\">机构名称</span><br><code>institution_<wbr>names</code></th>", o);
    }
    fputs("</tr>\n", o);
    for (hsize_t r = 0; r < t->n && r < maxrows; r++) {
        fputs("<tr>", o);
        for (int i = 0; i < nc; i++) {
            if (c[i] == -2) { if (cd >= 0) rev_dir_cell(o, tab_i(t, r, cd)); }
            else if (c[i] >= 0) ledger_cell(o, t, r, c[i], year);
            if (names && i == 2) {
                fputs("<td class=\"name\">", o);
                esc_n(o, names[r] ? names[r] : "");
                fputs("</td>", o);
            }
        }
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}

/* per /revision_institutions row r (r < max): the institution's name in its month (/institutions
 * month, institution_id; /institution_names), NULL when the ledger names none */
static char **rev_names(hid_t f, const tab *ri, hsize_t max)
{
    tab in;
    if (tab_open(f, "/institutions", 1, &in)) return NULL;
    char **nm = h5_names_read(f, "/institution_names", in.n), **out = NULL;
    int im = tab_col(&in, "month"), ii = tab_col(&in, "institution_id");
    int rm = tab_col(ri, "month"), rid = tab_col(ri, "institution_id"), any = 0;
    hsize_t n = ri->n < max ? ri->n : max;
    if (nm && im >= 0 && ii >= 0 && rm >= 0 && rid >= 0 && n > 0 && (out = calloc(n, sizeof *out))) {
        for (hsize_t r = 0; r < n; r++) {
            char a[64], b[64];
            int64_t mo = tab_i(ri, r, rm);
            tab_s(ri, r, rid, a, sizeof a);
            for (hsize_t k = 0; k < in.n; k++)
                if (tab_i(&in, k, im) == mo && nm[k] && nm[k][0] && !strcmp(tab_s(&in, k, ii, b, sizeof b), a)) {
                    out[r] = nm[k];
                    any = 1;
                    break;
                }
        }
        if (!any) { free(out); out = NULL; }
        else /* copies: the names of /institutions are freed below */
            for (hsize_t r = 0; r < n; r++) out[r] = out[r] ? strdup(out[r]) : NULL;
    }
    h5_names_free(nm, in.n);
    tab_free(&in);
    return out;
}

static void sec_revisions(rep *R, const char *year)
{
    FILE *o = R->o;
    tab rv, ri;
    int hr = tab_open(R->f, "/revisions", 1, &rv) == 0, hi = tab_open(R->f, "/revision_institutions", 1, &ri) == 0;
    if (!hr || rv.n == 0) {
        fputs("<p class=\"note\" id=\"revisions\"><b>Corrections (更正记录)</b>: none, no month was run again "
              "(没有月份重新结算; the ledger has no /revisions rows).</p>\n", o);
        if (hr) tab_free(&rv);
        if (hi) tab_free(&ri);
        return;
    }
    fputs("<h3 id=\"revisions\">Corrections: months run again 更正记录（月度重新结算）</h3>\n", o);
    int64_t sum = 0, pay = 0, rec = 0;
    int cd = tab_col(&rv, "difference_fen");
    for (hsize_t r = 0; r < rv.n; r++) {
        int64_t d = tab_i(&rv, r, cd);
        sum += d;
        if (d > 0) pay += d; else rec -= d;
    }
    char sb[48], pb[48], rb[48], nb[48];
    fprintf(o, "<p class=\"note\" id=\"revisions-total\"><b>%s %s</b> (更正次数): Σ differences 差额合计 <b>%s</b> "
               "yuan (to pay 补付 %s, to recover 追回 %s). Each row: the month's /months entry replaced (then 原) and "
               "the new one (now 新); the difference = paid now − paid then, positive: the fund pays the "
               "institutions the difference (补付), negative: it recovers it from them (追回). The latest entry is "
               "in /months; casemix clear counts the differences as settled. Source: /revisions.</p>\n",
            fmt_count(nb, sizeof nb, (int64_t)rv.n), rv.n == 1 ? "month re-run" : "month re-runs",
            yuan(sb, sizeof sb, sum), yuan(pb, sizeof pb, pay), yuan(rb, sizeof rb, rec));
    fputs("<figure class=\"table\" id=\"tab-revisions\">\n", o);
    static const char *const PAID[] = {"month", "revision", "paid_old_fen", "paid_new_fen", "difference_fen", ""};
    static const char *const FIG[] = {"month", "revision", "cases_old", "cases_new", "gross_old_fen", "gross_new_fen",
                                      "point_value_old", "point_value_new"};
    rev_table(o, &rv, "Paid then and now, the difference 原拨付、新拨付与差额", PAID, 6, year, REV_ROWS, NULL);
    rev_table(o, &rv, "The month then and now: cases, gross, point value 原/新病例数、预结算金额、估算点值", FIG, 8, year,
              REV_ROWS, NULL);
    if (rv.n > REV_ROWS)
        fprintf(o, "<p class=\"note\">first %d of %llu rows; all of them (with the deposits, input files and "
                   "times): casemix export LEDGER --xlsx FILE (sheet revisions)</p>\n", REV_ROWS,
                (unsigned long long)rv.n);
    caption(o, "Each month run again (money in yuan, point values in yuan per point); the input files and times "
               "then and now: casemix export, sheet revisions. 更正记录", "/revisions");
    fputs("</figure>\n", o);
    if (hi && ri.n > 0) {
        char **nm = rev_names(R->f, &ri, REV_ROWS);
        hsize_t shown = ri.n < REV_ROWS ? ri.n : REV_ROWS;
        fputs("<figure class=\"table\" id=\"tab-revision-institutions\">\n", o);
        static const char *const INS[] = {"month", "revision", "institution_id", "paid_old_fen", "paid_new_fen",
                                          "difference_fen", ""};
        rev_table(o, &ri, "Per institution 各机构差额", INS, 7, year, REV_ROWS, nm);
        if (ri.n > REV_ROWS)
            fprintf(o, "<p class=\"note\">first %d of %llu rows; all of them: casemix export LEDGER --xlsx FILE "
                       "(sheet revision_institutions) or --csv DIR (revision_institutions.csv)</p>\n", REV_ROWS,
                    (unsigned long long)ri.n);
        caption(o, "Per revision and institution: paid then and now and the difference to pay (补付) or recover (追回); "
                   "a revision's rows add up to its difference. 各机构更正差额",
                nm ? "/revision_institutions, /institutions, /institution_names" : "/revision_institutions");
        fputs("</figure>\n", o);
        for (hsize_t r = 0; nm && r < shown; r++) free(nm[r]);
        free(nm);
    }
    tab_free(&rv);
    if (hi) tab_free(&ri);
}

static void sec_ledger(rep *R)
{
    tab m, cl;
    int hm = tab_open(R->f, "/months", 1, &m) == 0, hc = tab_open(R->f, "/clearing", 1, &cl) == 0;
    if (!hm && !hc) return;
    FILE *o = R->o;
    section_open(R, "ledger", "The settlement year: monthly point value and forecast 年度清算：月度点值与预测");
    char year[64] = "";
    hid_t root = H5Gopen2(R->f, "/", H5P_DEFAULT);
    if (root >= 0) { /* the ledger's year (ledger.c), else a period "2025" */
        double y = h5_attr_num(root, "year");
        if (y >= 1000 && y <= 9999) snprintf(year, sizeof year, "%d", (int)y);
        else h5_attr_text(root, "period", year, sizeof year);
        H5Gclose(root);
    }
    for (const char *p = year; *p; p++)
        if (!isdigit((unsigned char)*p)) { year[0] = '\0'; break; }   /* "2025": months as 2025-01 */
    if (hm && m.n > 0) {
        int cmo = tab_col(&m, "month");
        int ce = find_like(&m, "estimate", NULL, "low", "high");
        if (ce < 0) ce = find_like(&m, "point_value", NULL, "forecast", "band");
        int cf = find_like(&m, "forecast", NULL, "low", "high");
        int cl_ = find_like(&m, "low", "band", NULL, NULL), ch = find_like(&m, "high", "band", NULL, NULL);
        if (cl_ < 0) cl_ = find_like(&m, "low", "forecast", NULL, NULL);
        if (ch < 0) ch = find_like(&m, "high", "forecast", NULL, NULL);
        int series[4] = {ce, cf, cl_, ch};
        double lo = INFINITY, hi = -INFINITY;
        for (hsize_t r = 0; r < m.n; r++)
            for (int k = 0; k < 4; k++) {
                double v = tab_f(&m, r, series[k]);
                if (isfinite(v) && v > 0) { if (v < lo) lo = v; if (v > hi) hi = v; }
            }
        if (isfinite(lo)) {
            double first, step;
            int dec, nt = axis_ticks(lo, hi, 6, &first, &step, &dec);
            double y0 = first, y1 = first + step * (nt - 1);
            const int LX = 70, RX = W - 20, TOP = 24, BOT = 240, H = 270;
            int n = (int)m.n;
            double dx = n > 1 ? (double)(RX - LX) / (n - 1) : 0;
#define PX(i) (LX + (n > 1 ? (i) * dx : (RX - LX) / 2.0))
#define PY(v) (BOT - ((v) - y0) / (y1 - y0) * (BOT - TOP))
            fputs("<figure class=\"chart\" id=\"fig-months\">\n", o);
            fprintf(o, "<svg id=\"months\" class=\"chart-svg\" viewBox=\"0 0 %d %d\" role=\"img\">\n", W, H);
            for (int k = 0; k < nt; k++) {
                double t = first + k * step;
                char lb[48];
                fprintf(o, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/><text class=\"tick\" "
                           "x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LX, PY(t), RX, PY(t), LX - 4,
                        PY(t) + 4, fmt_num(lb, sizeof lb, t, dec + 1));
            }
            if (cl_ >= 0 && ch >= 0) { /* the band */
                fputs("<polygon class=\"band\" points=\"", o);
                for (int i = 0; i < n; i++) {
                    double v = tab_f(&m, (hsize_t)i, ch);
                    if (isfinite(v) && v > 0) fprintf(o, "%.1f,%.1f ", PX(i), PY(v));
                }
                for (int i = n - 1; i >= 0; i--) {
                    double v = tab_f(&m, (hsize_t)i, cl_);
                    if (isfinite(v) && v > 0) fprintf(o, "%.1f,%.1f ", PX(i), PY(v));
                }
                fputs("\"/>\n", o);
            }
            static const char *SC[2] = {"estimate", "forecast"};
            for (int k = 0; k < 2; k++) {
                if (series[k] < 0) continue;
                fprintf(o, "<polyline class=\"line %s\" fill=\"none\" stroke=\"%s\" points=\"", SC[k], COLORS[k]);
                for (int i = 0; i < n; i++) {
                    double v = tab_f(&m, (hsize_t)i, series[k]);
                    if (isfinite(v) && v > 0) fprintf(o, "%.1f,%.1f ", PX(i), PY(v));
                }
                fputs("\"/>\n", o);
                for (int i = 0; i < n; i++) {
                    double v = tab_f(&m, (hsize_t)i, series[k]);
                    if (isfinite(v) && v > 0)
                        fprintf(o, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", PX(i), PY(v), COLORS[k]);
                }
                fputs("\n", o);
            }
            for (int i = 0; i < n; i++) {
                char b[48];
                tab_s(&m, (hsize_t)i, cmo, b, sizeof b);
                if (year[0] && cmo >= 0 && m.cls[cmo] == H5T_INTEGER) /* as the tables: 2025-01 */
                    snprintf(b, sizeof b, "%s-%02d", year, (int)tab_i(&m, (hsize_t)i, cmo));
                if (!b[0]) snprintf(b, sizeof b, "%d", i + 1);
                fprintf(o, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", PX(i), BOT + 14);
                esc_n(o, b);
                fputs("</text>", o);
            }
            fprintf(o, "\n<text class=\"legend\" x=\"%d\" y=\"14\"><tspan fill=\"%s\">&#9632; %s 月度估算点值</tspan> "
                       "<tspan fill=\"%s\">&#9632; %s 年终点值预测</tspan> <tspan fill=\"#90cdf4\">&#9632; band 预测区间</tspan></text>\n",
                    LX, COLORS[0], ce >= 0 ? m.name[ce] : "-", COLORS[1], cf >= 0 ? m.name[cf] : "-");
#undef PX
#undef PY
            fputs("</svg>\n", o);
            char src[320];
            snprintf(src, sizeof src, "/months (%s%s%s%s%s%s%s%s)", cmo >= 0 ? "month, " : "", ce >= 0 ? m.name[ce] : "",
                     cf >= 0 ? ", " : "", cf >= 0 ? m.name[cf] : "", cl_ >= 0 ? ", " : "", cl_ >= 0 ? m.name[cl_] : "",
                     ch >= 0 ? ", " : "", ch >= 0 ? m.name[ch] : "");
            caption(o, "The month's estimated point value and the forecast of the year's final point value with "
                       "its band. 月度估算点值与年终点值预测", src);
            fputs("</figure>\n", o);
        }
        fputs("<figure class=\"table\" id=\"tab-months\">\n", o);
        grouped_table(o, &m, "month", MONTH_GROUPS, (int)(sizeof MONTH_GROUPS / sizeof MONTH_GROUPS[0]), "months", year,
                      24, "year 全年", NULL);
        caption(o, "One row per month, its members in column groups (money in yuan, scores in points, point values "
                   "in yuan per point). 月度台账", "/months");
        fputs("</figure>\n", o);
        ledger_withheld(o, &m);
        sec_revisions(R, year);
    }
    if (hc) {
        fputs("<figure class=\"table\" id=\"tab-clearing\">\n", o);
        double pv = h5_attr_num(cl.ds, "point_value");
        if (!isnan(pv)) { /* the year's figures (clear.c's attributes of /clearing) */
            char b[6][48], p6[48], raw[48];
            static const char *const Y[6] = {"budget_fen", "reserve_fen", "allocated_fen", "pool_fen",
                                              "reserve_used_fen", "reserve_left_fen"};
            for (int k = 0; k < 6; k++) {
                double v = h5_attr_num(cl.ds, Y[k]);
                if (isnan(v)) snprintf(b[k], sizeof b[k], "–");
                else yuan(b[k], sizeof b[k], (int64_t)llround(v));
            }
            fmt_num(p6, sizeof p6, pv, 6);
            fmt_num(raw, sizeof raw, h5_attr_num(cl.ds, "point_value_raw"), 6);
            fprintf(o, "<p class=\"note\" id=\"clearing-year\"><b>The year 全年</b>: final point value 结算点值 "
                       "<b>%s</b> yuan/point%s%s%s; budget 基金预算 %s yuan = reserve 预留调节金 %s + allocated 可分配 "
                       "%s; pool shared by score 清算总额 %s; reserve used 调节金使用 %s, left 剩余 %s yuan. Balance "
                       "清算应拨付: positive = the fund pays the institution (应补拨), negative = the institution "
                       "returns money (应扣回). Source: /clearing attributes point_value, budget_fen, reserve_fen, "
                       "allocated_fen, pool_fen, reserve_used_fen, reserve_left_fen.</p>\n",
                    p6, h5_attr_num(cl.ds, "clamped") > 0 ? " (clamped by the corridor 点值区间; raw " : "",
                    h5_attr_num(cl.ds, "clamped") > 0 ? raw : "", h5_attr_num(cl.ds, "clamped") > 0 ? ")" : "",
                    b[0], b[1], b[2], b[3], b[4], b[5]);
        }
        char miss[160];
        if (h5_attr_num(cl.ds, "partial") > 0) { /* clear --partial: the year's pool over the months present */
            fputs("<p class=\"note\"><b>Partial year (部分年度清算, clear --partial)</b>: months missing from the ledger: ", o);
            esc_n(o, h5_attr_text(cl.ds, "months_missing", miss, sizeof miss));
            fputs(". The whole year's pool was shared over the months present.</p>\n", o);
        }
        /* the names beside the id; no name column when none is known (a ledger of an older casemix,
         * months without input.institutions) */
        char **cn = h5_names_read(R->f, "/clearing_names", cl.n);
        int any_name = 0;
        for (hsize_t r = 0; cn && r < cl.n; r++) any_name |= cn[r] && cn[r][0];
        if (!any_name) { h5_names_free(cn, cl.n); cn = NULL; }
        grouped_table(o, &cl, "institution_id", CLEARING_GROUPS,
                      (int)(sizeof CLEARING_GROUPS / sizeof CLEARING_GROUPS[0]), "clearing", year, 200, "total 合计",
                      cn);
        caption(o, "The annual clearing, per institution, in column groups (money in yuan): balance 清算应拨付 = amount "
                   "due − gross monthly payments − audit deductions + deposit returned + band adjustment + special "
                   "review top-up. 年度清算", cn ? "/clearing, /clearing_names" : "/clearing");
        h5_names_free(cn, cl.n);
        fputs("</figure>\n", o);
    }
    fputs("</section>\n", o);
    if (hm) tab_free(&m);
    if (hc) tab_free(&cl);
}

/* rejects and data quality: reasons grouped (values left out), no case ids */
static void reason_table(FILE *o, const tab *t, const char *id, const char *title, const char *src)
{
    int cf = tab_col(t, "field"), cr = tab_col(t, "reason"), cl = tab_col(t, "line");
    if (cr < 0) return;
    typedef struct { char field[24], key[160]; int64_t n; double first; } grp;
    grp *g = NULL;
    size_t ng = 0;
    for (hsize_t r = 0; r < t->n; r++) {
        char f[64], rs[512], key[160];
        tab_s(t, r, cf, f, sizeof f);
        tab_s(t, r, cr, rs, sizeof rs);
        rj_reason_key(rs, 1, key, sizeof key);
        size_t k = 0;
        while (k < ng && !(strcmp(g[k].field, f) == 0 && strcmp(g[k].key, key) == 0)) k++;
        if (k == ng) {
            if (ng == 200) continue; /* the rest are in the export */
            grp *ng2 = realloc(g, (ng + 1) * sizeof *g);
            if (!ng2) break;
            g = ng2;
            snprintf(g[ng].field, sizeof g[ng].field, "%s", f);
            snprintf(g[ng].key, sizeof g[ng].key, "%s", key);
            g[ng].n = 0;
            g[ng].first = tab_f(t, r, cl);
            ng++;
        }
        g[k].n++;
    }
    fprintf(o, "<figure class=\"table\" id=\"%s\">\n<table class=\"reasons\"><tr><th>field 字段</th><th>reason 原因"
               "</th><th>rows 行数</th><th>first line 首行</th></tr>\n", id);
    for (size_t k = 0; k < ng; k++) {
        char b[32];
        fputs("<tr><td>", o);
        esc_n(o, g[k].field);
        fputs("</td><td>", o);
        esc_n(o, g[k].key);
        fprintf(o, "</td><td class=\"n\">%s</td><td class=\"n\">%.0f</td></tr>\n", fmt_count(b, sizeof b, g[k].n),
                g[k].first);
    }
    if (ng == 0) fputs("<tr><td colspan=\"4\">none 无</td></tr>\n", o);
    fputs("</table>\n", o);
    caption(o, title, src);
    fputs("</figure>\n", o);
    free(g);
}

static void sec_rejects(rep *R)
{
    tab rj, q;
    int hr = tab_open(R->f, "/rejects", 1, &rj) == 0, hq = tab_open(R->f, "/quality", 1, &q) == 0;
    if (!hr && !hq) return;
    FILE *o = R->o;
    section_open(R, "rejects", "Rejected rows and data quality 剔除记录与数据质量");
    if (R->has_sum) {
        char a[32], b[32], c[32], d[48];
        fprintf(o, "<p class=\"counts\">records read 读入记录 %s = cases 病例 %s + rejected rows 剔除记录 %s; "
                   "their claimed total cost 剔除病例医疗总费用 %s yuan; data-quality notes on kept cases 数据质量提示 %s "
                   "<span class=\"src\">(source: /summary)</span></p>\n",
                fmt_count(a, sizeof a, sumi(R, "records_read")), fmt_count(b, sizeof b, sumi(R, "cases")),
                fmt_count(c, sizeof c, sumi(R, "rejects")), yuan(d, sizeof d, sumi(R, "rejects_total_cost_fen")),
                fmt_count(a, sizeof a, sumi(R, "quality_notes")));
    }
    if (hr)
        reason_table(o, &rj, "tab-rejects", "Rejected rows by field and reason (values left out; every row is in "
                     "/rejects and OUT.rejects.csv). 剔除原因", "/rejects (field, reason, line)");
    if (hq)
        reason_table(o, &q, "tab-quality", "Data-quality notes on kept cases by field and reason. 数据质量提示",
                     "/quality (field, reason, line)");
    fputs("</section>\n", o);
    if (hr) tab_free(&rj);
    if (hq) tab_free(&q);
}

static const char CSS[] =
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\"PingFang SC\",sans-serif;"
    "margin:24px auto;max-width:980px;padding:0 16px;color:#1a202c;font-size:14px;line-height:1.4}\n"
    "h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;border-bottom:2px solid #2b6cb0;padding-bottom:3px;margin-top:28px}"
    "h3{font-size:15px}\n"
    ".meta{color:#4a5568;font-size:12px}.cards{display:flex;flex-wrap:wrap;gap:8px}\n"
    ".card{border:1px solid #cbd5e0;border-radius:6px;padding:6px 10px;min-width:150px}"
    ".card .k{font-size:11px;color:#4a5568}.card .v{font-size:16px;font-weight:bold}\n"
    "figure{margin:10px 0 18px 0}figcaption{font-size:11.5px;color:#4a5568;margin-top:4px}.src{font-style:italic}\n"
    "svg.chart-svg{width:100%;height:auto;display:block}svg text{font-family:inherit;font-size:11px;fill:#1a202c}\n"
    "svg .tick{fill:#4a5568;font-size:10px}svg .grid{stroke:#e2e8f0;stroke-width:1}svg .val{font-size:10px}\n"
    "svg .threshold{stroke:#c53030;stroke-width:1.5;stroke-dasharray:5 3}svg .thlabel{fill:#c53030;font-size:10px}\n"
    "svg .region-line{stroke:#1a202c;stroke-width:1.5;stroke-dasharray:4 3}svg .ref{font-size:10px}\n"
    "svg .band{fill:#bee3f8;stroke:none;opacity:.8}svg .line{stroke-width:2}\n"
    "table{border-collapse:collapse;font-size:11.5px;margin:4px 0}td,th{border:1px solid #cbd5e0;padding:2px 6px;"
    "vertical-align:top}th{background:#edf2f7}td.n{text-align:right;white-space:nowrap}\n"
    "table.colgroup caption{text-align:left;font-weight:bold;font-size:12px;padding:2px 0}"
    "table.colgroup th{font-weight:normal;text-align:center;vertical-align:bottom}table.colgroup th .zh{font-weight:bold}"
    "table.colgroup th code{font-size:9.5px;color:#4a5568}td.path{word-break:break-all;max-width:260px}"
    "tr.total td{font-weight:bold;background:#f7fafc;border-top:2px solid #4a5568}\n"
    "td.out-high{background:#fed7d7}td.out-low{background:#bee3f8}tr.region td{font-weight:bold;background:#f7fafc}\n"
    ".note{font-size:11px;color:#4a5568}footer{margin-top:30px;font-size:11px;color:#4a5568;border-top:1px solid #cbd5e0}\n"
    "@page{size:A4;margin:14mm}\n"
    "@media print{body{margin:0;max-width:none;padding:0;font-size:11px}"
    "section{break-before:page;page-break-before:always}section#summary{break-before:auto;page-break-before:auto}"
    "figure,table,tr{break-inside:avoid;page-break-inside:avoid}h2{break-after:avoid;page-break-after:avoid}}\n";

/* ------------------------------------------------------------------ */
/* The command                                                          */
/* ------------------------------------------------------------------ */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The report of the open file f into o. */
static cm_status write_report(hid_t f, const char *input, const char *kind, FILE *o)
{
    rep R;
    memset(&R, 0, sizeof R);
    R.f = f;
    R.o = o;
    R.file = input;
    R.has_sum = tab_open(f, "/summary", 1, &R.sum) == 0 && R.sum.n == 1;
    if (!R.has_sum) tab_free(&R.sum);
    R.has_inst = tab_open(f, "/institutions", 1, &R.inst) == 0;
    if (R.has_inst) R.inst_names = h5_names_read(f, "/institution_names", R.inst.n);
    char scheme[32], region[64], period[64], prog[64], end[64];
    hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
    h5_attr_text(root, "scheme", scheme, sizeof scheme);
    h5_attr_text(root, "region", region, sizeof region);
    h5_attr_text(root, "period", period, sizeof period);
    if (!period[0]) { /* a ledger: its year (ledger.c) */
        double y = h5_attr_num(root, "year");
        if (y >= 1000 && y <= 9999) snprintf(period, sizeof period, "%d", (int)y);
    }
    h5_attr_text(root, "program", prog, sizeof prog);
    h5_attr_text(root, "end_time", end, sizeof end);
    H5Gclose(root);
    R.dip = !strcmp(scheme, "dip") || !strcmp(scheme, "both") || (!scheme[0] && sumhas(&R, "point_value"));
    R.drg = !strcmp(scheme, "drg") || !strcmp(scheme, "both") || (!scheme[0] && sumhas(&R, "drg_point_value"));

    /* flags' lines (sorted) for the join with /cases */
    uint32_t *fl = NULL;
    int32_t *finst = NULL;
    size_t nf = 0;
    {
        tab fg;
        if (tab_open(f, "/flags", 1, &fg) == 0) {
            int cl = tab_col(&fg, "line");
            if (cl >= 0 && tab_col(&fg, "institution_id") < 0 && fg.n > 0) {
                fl = malloc(fg.n * sizeof *fl);
                finst = malloc(fg.n * sizeof *finst);
                if (fl && finst) {
                    for (hsize_t r = 0; r < fg.n; r++) { fl[r] = (uint32_t)tab_f(&fg, r, cl); finst[r] = -1; }
                    nf = fg.n;
                    qsort(fl, nf, sizeof *fl, cmp_u32);
                }
            }
            tab_free(&fg);
        }
    }
    hist h = {0};
    {
        hid_t ds = exists(f, "/cases") ? H5Dopen2(f, "/cases", H5P_DEFAULT) : -1;
        double sp = ds >= 0 ? h5_attr_num(ds, "outlier_special") : NAN;
        if (ds >= 0) H5Dclose(ds);
        int top = isfinite(sp) && sp > 0 ? (int)ceil(sp) + 1 : 6; /* the axis goes past the last threshold */
        if (top > 20) top = 20;
        h.nbins = (int)lround(top / HIST_W);
        h.bin = calloc((size_t)h.nbins + 1, sizeof *h.bin);
        if (!h.bin) return CM_ERR_NOMEM;
        if (exists(f, "/cases")) cases_pass(f, &h, fl, nf, finst, R.has_inst ? &R.inst : NULL);
    }

    fputs(REPORT_MARK, o);
    fputs("<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>", o);
    char title[256];
    snprintf(title, sizeof title, "casemix report %s %s 结算报告", region, period);
    esc_n(o, title);
    fprintf(o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header id=\"overview\">\n<h1>", CSS);
    esc_n(o, !strcmp(kind, "ledger")     ? "Settlement year report 年度结算报告"
             : !strcmp(kind, "province") ? "Province settlement report 省级结算报告"
             : !strcmp(kind, "simulation") ? "Policy simulation report 政策模拟报告"
                                         : "Settlement report 医保结算报告");
    fputs("</h1>\n<p class=\"meta\">", o);
    const char *base = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
    char line[512];
    char sch[64] = ""; /* a file without a scheme attribute (a ledger): no scheme item, not "-" */
    if (scheme[0]) snprintf(sch, sizeof sch, " · scheme 付费方式 %s", scheme);
    snprintf(line, sizeof line, "region 统筹区 %s · period 结算期 %s%s · file %s (casemix_kind "
             "\"%s\") · %s%s%s", region[0] ? region : "-", period[0] ? period : "-", sch, base,
             kind, prog, end[0] ? ", written " : "", end);
    esc_n(o, line);
    fputs("</p>\n</header>\n", o);

    sec_summary(&R);
    sec_payments(&R);
    sec_cost_ratio(&R, &h);
    sec_structure(&R);
    sec_cmi(&R);
    sec_supervision(&R, nf, finst);
    sec_indicators(&R);
    sec_province(&R);
    sec_scenarios(&R);
    sec_ledger(&R);
    sec_rejects(&R);

    fputs("<footer><p>Written by casemix report from ", o);
    esc_n(o, base);
    fputs(". Money in yuan (元) from integer fen; every figure names the dataset of the file it came from. "
          "No patient id (人员编号) and no case id is in this report. Formulas: docs/METHODS.md. "
          "Tables for Excel: casemix export FILE --xlsx FILE.xlsx.</p></footer>\n</body>\n</html>\n", o);
    free(h.bin);
    free(fl);
    free(finst);
    h5_names_free(R.inst_names, R.inst.n);
    if (R.has_sum) tab_free(&R.sum);
    if (R.has_inst) tab_free(&R.inst);
    return CM_OK;
}

cm_status cmd_report(const char *input, const char *out, int quiet)
{
    if (!input) {
        fprintf(stderr, "casemix report: usage: casemix report OUT.h5 [--out report.html]; see casemix report --help\n");
        return CM_ERR_USAGE;
    }
    char def[CM_PATH_MAX];
    if (!out) { /* OUT.h5 -> OUT.html beside it */
        if (cm_side_path(input, ".html", def, sizeof def)) {
            fprintf(stderr, "casemix report: %s: path too long; pass --out FILE.html\n", input);
            return CM_ERR_USAGE;
        }
        out = def;
    }
    char err[1024];
    if (cm_side_check_target(out, REPORT_MARK, "--out", err, sizeof err)) {
        fprintf(stderr, "casemix report: %s\n", err);
        return CM_ERR_OUTPUT;
    }
    char why[256];
    hid_t f = h5_open_read(input, why, sizeof why);
    if (f < 0) {
        fprintf(stderr, "casemix report: %s: %s; give an HDF5 file casemix wrote (settle, simulate, month / clear)\n", input, why);
        return CM_ERR_INPUT;
    }
    char kind[64] = "";
    h5_file_kind(f, kind, sizeof kind);
    if (!kind[0]) {
        fprintf(stderr, "casemix report: %s: is not a casemix file (no file attribute casemix_kind); give the HDF5 "
                        "file casemix settle (or month, simulate) wrote\n", input);
        H5Fclose(f);
        return CM_ERR_INPUT;
    }
    char tmp[CM_PATH_MAX + 64];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    FILE *o = fopen(tmp, "wb");
    if (!o) {
        fprintf(stderr, "casemix report: %s: cannot create (%s)\n", out, strerror(errno));
        H5Fclose(f);
        return CM_ERR_OUTPUT;
    }
    static char obuf[1 << 16];
    setvbuf(o, obuf, _IOFBF, sizeof obuf);
    cm_status st = write_report(f, input, kind, o);
    H5Fclose(f);
    if (g_interrupted) st = CM_ERR_INTERRUPTED;
    int werr = ferror(o);
    if (fclose(o) != 0) werr = 1;
    if (st == CM_OK && werr) {
        fprintf(stderr, "casemix report: %s: cannot write (%s)\n", out, strerror(errno));
        st = CM_ERR_OUTPUT;
    }
    if (st == CM_OK && cm_side_check_target(out, REPORT_MARK, "--out", err, sizeof err)) {
        fprintf(stderr, "casemix report: %s\n", err); /* a file that appeared meanwhile is not replaced */
        st = CM_ERR_OUTPUT;
    }
    if (st == CM_OK && rename(tmp, out) != 0) {
        fprintf(stderr, "casemix report: %s: cannot rename into place (%s)\n", out, strerror(errno));
        st = CM_ERR_OUTPUT;
    }
    if (st != CM_OK) {
        unlink(tmp);
        if (st == CM_ERR_INTERRUPTED) fprintf(stderr, "casemix report: interrupted; nothing written\n");
        else if (st == CM_ERR_NOMEM) fprintf(stderr, "casemix report: out of memory\n");
        return st;
    }
    if (!quiet) printf("casemix report: %s\n", out);
    return CM_OK;
}
