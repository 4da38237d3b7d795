/*
 * province.c - casemix settle on a province configuration (省级多统筹区):
 * every pooling region (统筹区) of the regions list settled in one run, each
 * exactly as a one-region run of its own cases, into one HDF5 file:
 *
 *   /regions/<code>/{cases,groups,institutions,rejects,quality,summary,...}
 *                      the tables of write.c (settle_write_tables) in a group
 *   /province_summary  one row per region (config order) and a totals row
 *   /rejects           rows of the shared export whose region is not
 *                      configured (or empty): line, case id, field, reason
 *   OUT.rejects.csv    every reject of the province: those rows first, then
 *                      each region's in config order
 *
 * Input. A region reads its own input.records when it names one (a file
 * other than the shared input.records); the others share one export with a
 * region column (region, 统筹区, 统筹区编码). The export is read once and
 * split into one temporary CSV per region (OUT.regions.tmp.PID/, removed at
 * the end): the header, then the region's rows byte for byte, nothing else,
 * and beside it the region's line map (CODE.csv.lines: the export's line of
 * each line of the file, 4 bytes a line). The reader records every row at
 * its mapped line (rd_set_line_map, set around the region's run), so a
 * region's cases, rejects, notes and flags keep the export's line numbers,
 * its read holds a slot per row of its own (not per line of the export, as
 * when other regions' rows were empty lines), and its settlement is the
 * one-region run of a file holding only its rows, lines relabelled (the
 * slot order, hence every partial slice, is that run's). A GB18030 export is split from
 * its decoded text (UTF-8 temporary files; input_encoding records the
 * export's). Only one region's period is in memory at a time.
 *
 * simulate on a province configuration: engine/provsim.c (it uses the
 * region loading and the export split of this file, provsim.h).
 */
#include "period.h"
#include "h5out.h"
#include "indicators.h"
#include "rejects.h"
#include "supervise.h"
#include "simulate.h"
#include "mpisplit.h"
#include "provsim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef CM_MPI
#include <mpi.h>
#endif

/* MPI (make MPI=1): this process's rank and the number of ranks; 0 and 1
 * without MPI. Set by prov_mpi_init. */
int g_rank = 0, g_size = 1;
double g_t_comm = 0;  /* seconds inside MPI calls (waits for other ranks included) */

typedef struct {
    const char *code;
    int idx;
} code_ix;

static int code_cmp(const void *a, const void *b)
{
    return strcmp(((const code_ix *)a)->code, ((const code_ix *)b)->code);
}

/* Field k of the record [b, e) (quotes removed, spaces trimmed) into out. */
static void field_at(const char *b, const char *e, int k, char *out, size_t n)
{
    int f = 0, q = 0;
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = b; p < e; p++) {
        char ch = *p;
        if (ch == '"') {
            if (q && p + 1 < e && p[1] == '"') {
                if (f == k && o + 1 < n) out[o++] = '"';
                p++;
                continue;
            }
            q = !q;
            continue;
        }
        if (!q && ch == ',') {
            if (f == k) break;
            f++;
            continue;
        }
        if (!q && (ch == '\n' || ch == '\r')) break;
        if (f == k && o + 1 < n) out[o++] = ch;
    }
    out[o] = '\0';
    size_t s = 0;
    while (out[s] == ' ' || out[s] == '\t') s++;
    while (o > s && (out[o - 1] == ' ' || out[o - 1] == '\t')) o--;
    memmove(out, out + s, o - s);
    out[o - s] = '\0';
}

/* The line map of a region's file: PATH.lines, a uint32 per physical line of PATH (index = the
 * line's number; 0 and the header lines map to themselves): the export's line of that line. */
static void map_path(char *out, size_t n, const char *csv) { snprintf(out, n, "%s.lines", csv); }

/* The region file's map in use (prov_line_map_use): mapped read-only, handed to the reader. */
static struct { void *m; size_t bytes; } g_lmap;

void prov_line_map_drop(void)
{
    rd_set_line_map(NULL, 0);
    if (g_lmap.m) munmap(g_lmap.m, g_lmap.bytes);
    g_lmap.m = NULL;
    g_lmap.bytes = 0;
}

cm_status prov_line_map_use(const char *csv, char *err, size_t errlen)
{
    prov_line_map_drop();
    char mp[CM_PATH_MAX + 80];
    map_path(mp, sizeof mp, csv);
    int fd = open(mp, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size < 4) {
        snprintf(err, errlen, "%s: cannot read the region's line map (%s)", mp, fd < 0 ? strerror(errno) : "too short");
        if (fd >= 0) close(fd);
        return CM_ERR_INPUT;
    }
    void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        snprintf(err, errlen, "%s: cannot map the region's line map (%s)", mp, strerror(errno));
        return CM_ERR_INPUT;
    }
    g_lmap.m = m;
    g_lmap.bytes = (size_t)sb.st_size;
    rd_set_line_map(m, g_lmap.bytes / sizeof(uint32_t));
    return CM_OK;
}

static int put_lines(FILE *f, uint32_t first, uint64_t n)
{
    uint32_t b[256];
    while (n) {
        size_t k = n < 256 ? (size_t)n : 256;
        for (size_t j = 0; j < k; j++) b[j] = first++;
        if (fwrite(b, sizeof *b, k, f) != k) return -1;
        n -= k;
    }
    return 0;
}

/* Splits the shared export into one file per sharing region (paths[i],
 * sharing[i] set: the header and the region's rows, byte for byte) and its
 * line map (paths[i].lines: the export's line of each line of the file); rows
 * whose region is not a sharing region go to unassigned; rows_of (NULL or
 * n zeros): +1 for each row written to region i's file. *direct = 1 (and
 * nothing written) when one region shares the export and it has no region
 * column: the export is that region's. */
static cm_status prov_split(const char *export, const cm_config *top, const cm_config *rc, int n,
                            const int *sharing, char (*paths)[CM_PATH_MAX + 64], pl_rejects *unassigned,
                            int *direct, int *decoded, uint64_t *rows_of, char *err, size_t errlen)
{
    struct col_aliases *al = NULL;
    if (top->input_aliases[0] && !(al = col_aliases_load(top->input_aliases, err, errlen))) return CM_ERR_CONFIG;
    cm_reader r;
    memset(&r, 0, sizeof r);
    cm_status st = rd_open(&r, export, al, rd_encoding_of(top->input_encoding), err, errlen);
    col_aliases_free(al);
    if (st) { rd_close(&r); return st; }
    *decoded = strcmp(r.encoding, "UTF-8") != 0;
    int nshare = 0;
    for (int i = 0; i < n; i++) nshare += sharing[i];
    int rcol = r.colidx[COL_REGION], idcol = r.colidx[COL_CASE_ID];
    *direct = 0;
    if (rcol < 0) {
        rd_close(&r);
        if (nshare == 1) { *direct = 1; return CM_OK; }
        snprintf(err, errlen, "%s: no region column (region, 统筹区, 统筹区编码) and %d regions of %s read this "
                              "file; add the column, or give each region its own input.records",
                 export, nshare, top->path);
        return CM_ERR_INPUT;
    }
    code_ix *ix = calloc((size_t)n, sizeof *ix);
    FILE **out = calloc(2 * (size_t)n, sizeof *out), **mf = out + n; /* rows, line maps */
    if (!ix || !out) { free(ix); free(out); rd_close(&r); snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    int nix = 0;
    const char *m = r.map;
    size_t size = (size_t)r.size, pos = 0;
    /* the header: up to the first newline outside quotes (as rd_open) */
    for (int q = 0; pos < size; pos++) {
        if (m[pos] == '"') q = !q;
        else if (m[pos] == '\n' && !q) { pos++; break; }
    }
    uint64_t line = r.header_lines + 1;
    for (int i = 0; i < n && !st; i++) {
        if (!sharing[i]) continue;
        ix[nix].code = rc[i].region;
        ix[nix++].idx = i;
        char mp[CM_PATH_MAX + 80];
        map_path(mp, sizeof mp, paths[i]);
        out[i] = fopen(paths[i], "w");
        mf[i] = out[i] ? fopen(mp, "w") : NULL;
        if (!out[i] || !mf[i] || fwrite(m, 1, pos, out[i]) != pos || put_lines(mf[i], 0, r.header_lines + 1)) {
            snprintf(err, errlen, "%s: cannot write a region's rows (%s); check the output directory's space",
                     out[i] && !mf[i] ? mp : paths[i], strerror(errno));
            st = CM_ERR_OUTPUT;
        }
    }
    qsort(ix, (size_t)nix, sizeof *ix, code_cmp);
    char reg[64], id[CM_CASE_ID_MAX + 1], why[104];
    size_t dropped = 0;
    while (!st && pos < size) {
        if (g_interrupted) { st = CM_ERR_INTERRUPTED; break; }
        if (!*decoded && pos - dropped >= ((size_t)64 << 20)) { /* the rows split: their pages released */
            size_t to = pos / 4096 * 4096;
            madvise((void *)(m + dropped), to - dropped, MADV_DONTNEED);
            dropped = to;
        }
        size_t b = pos;
        uint64_t nl = 0;
        for (int q = 0; pos < size; pos++) {
            char ch = m[pos];
            if (ch == '"') q = !q;
            else if (ch == '\n') {
                nl++;
                if (!q) { pos++; break; }
            }
        }
        uint64_t first = line;
        line += nl;
        size_t e = pos;
        if (e - b == nl || (e - b == 2 && m[b] == '\r')) continue; /* an empty line */
        field_at(m + b, m + e, rcol, reg, sizeof reg);
        code_ix key = {reg, 0}, *hit = reg[0] ? bsearch(&key, ix, (size_t)nix, sizeof *ix, code_cmp) : NULL;
        if (hit) { /* the row, and the export's line of each of its lines (one without a newline: the last) */
            FILE *f = out[hit->idx];
            if (fwrite(m + b, 1, e - b, f) != e - b || put_lines(mf[hit->idx], (uint32_t)first, nl ? nl : 1)) {
                snprintf(err, errlen, "%s: cannot write a region's rows (%s)", paths[hit->idx], strerror(errno));
                st = CM_ERR_OUTPUT;
            }
            if (rows_of) rows_of[hit->idx]++;
            continue;
        }
        if (idcol >= 0) field_at(m + b, m + e, idcol, id, sizeof id);
        else id[0] = '\0';
        int own = -1;
        for (int i = 0; i < n && reg[0]; i++)
            if (!sharing[i] && strcmp(rc[i].region, reg) == 0) own = i;
        char shown[48];
        cm_echo(shown, sizeof shown, reg, strlen(reg));
        if (!reg[0])
            snprintf(why, sizeof why, "empty region (统筹区编码): a province export needs each row's region");
        else if (own >= 0)
            snprintf(why, sizeof why, "region '%s' reads its own input.records; not settled from this file", shown);
        else
            snprintf(why, sizeof why, "region '%s' is not in the regions list (统筹区); add it or fix the row", shown);
        if (pl_reject_add(unassigned, (uint32_t)first, id, "region", why)) {
            snprintf(err, errlen, "out of memory");
            st = CM_ERR_NOMEM;
        }
    }
    for (int i = 0; i < 2 * n; i++)
        if (out[i] && fclose(out[i]) != 0 && !st) {
            snprintf(err, errlen, "%s: cannot write a region's rows (%s)", paths[i % n], strerror(errno));
            st = CM_ERR_OUTPUT;
        }
    free(ix);
    free(out);
    rd_close(&r);
    return st;
}

static cm_status write_province_summary(h5w *w, const prov_row *rows, int n)
{
    h5row r;
    h5row_begin(&r);
    size_t o_reg = h5row_add_str(&r, "region", 32);
    size_t o_rec = h5row_add(&r, "records_read", H5T_STD_I64LE, 8);
    size_t o_cas = h5row_add(&r, "cases", H5T_STD_I64LE, 8);
    size_t o_rej = h5row_add(&r, "rejects", H5T_STD_I64LE, 8);
    size_t o_cost = h5row_add(&r, "total_cost_fen", H5T_STD_I64LE, 8);
    size_t o_fund = h5row_add(&r, "fund_paid_fen", H5T_STD_I64LE, 8);
    size_t o_bud = h5row_add(&r, "fund_budget_fen", H5T_STD_I64LE, 8);
    size_t o_pv = h5row_add(&r, "point_value", H5T_IEEE_F64LE, 8);
    size_t o_pay = h5row_add(&r, "payments_fen", H5T_STD_I64LE, 8);
    size_t o_dbud = h5row_add(&r, "drg_budget_fen", H5T_STD_I64LE, 8);
    size_t o_dpv = h5row_add(&r, "drg_point_value", H5T_IEEE_F64LE, 8);
    size_t o_dpay = h5row_add(&r, "drg_payments_fen", H5T_STD_I64LE, 8);
    h5row_end(&r);
    hid_t d = h5w_table(w, "province_summary", "Province summary (省级汇总): one row per region and the totals",
                        &r, (hsize_t)n + 1);
    unsigned char *buf = calloc((size_t)n + 1, r.size);
    int e = d < 0 || !buf;
    prov_row tot;
    memset(&tot, 0, sizeof tot);
    snprintf(tot.region, sizeof tot.region, "total");
    for (int i = 0; !e && i <= n; i++) {
        const prov_row *x = i < n ? &rows[i] : &tot;
        if (i < n) {
            tot.records += x->records; tot.cases += x->cases; tot.rejects += x->rejects;
            tot.cost_fen += x->cost_fen; tot.fund_fen += x->fund_fen;
            tot.budget_fen += x->budget_fen; tot.pay_fen += x->pay_fen;
            tot.drg_budget_fen += x->drg_budget_fen; tot.drg_pay_fen += x->drg_pay_fen;
        } else {
            /* rows of the export no region took */
            tot.records += rows[n].records;
            tot.rejects += rows[n].rejects;
        }
        unsigned char *b = buf + (size_t)i * r.size;
        memcpy(b + o_reg, x->region, strnlen(x->region, 32));
        memcpy(b + o_rec, &x->records, 8); memcpy(b + o_cas, &x->cases, 8); memcpy(b + o_rej, &x->rejects, 8);
        memcpy(b + o_cost, &x->cost_fen, 8); memcpy(b + o_fund, &x->fund_fen, 8);
        memcpy(b + o_bud, &x->budget_fen, 8); memcpy(b + o_pv, &x->point_value, 8); memcpy(b + o_pay, &x->pay_fen, 8);
        memcpy(b + o_dbud, &x->drg_budget_fen, 8); memcpy(b + o_dpv, &x->drg_point_value, 8);
        memcpy(b + o_dpay, &x->drg_pay_fen, 8);
    }
    if (!e) {
        h5_attr_str(d, "units", "*_fen: fen (0.01 yuan); point_value: yuan per point (点值), drg_point_value: yuan per "
                                "DRG point; 0 where the region does not settle that scheme and in the totals row");
        h5_attr_str(d, "totals_row", "region \"total\": sums over the regions; records_read and rejects include the "
                                     "rows of the export whose region is not configured (/rejects)");
        e = h5w_rows(d, &r, 0, (hsize_t)n + 1, buf);
    }
    if (d >= 0) H5Dclose(d);
    free(buf);
    h5row_free(&r);
    return e ? CM_ERR_OUTPUT : CM_OK;
}

static void remove_split(char (*paths)[CM_PATH_MAX + 64], int n, const char *dir)
{
    for (int i = 0; i < n; i++)
        if (paths[i][0]) {
            char mp[CM_PATH_MAX + 80];
            map_path(mp, sizeof mp, paths[i]);
            unlink(paths[i]);
            unlink(mp);
        }
    if (dir[0]) rmdir(dir);
}

void prov_mpi_init(int *argc, char ***argv)
{
#ifdef CM_MPI
    int prov;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &prov);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
#else
    (void)argc, (void)argv;
#endif
}

void prov_mpi_finalize(void)
{
#ifdef CM_MPI
    MPI_Finalize();
#endif
}

int prov_mpi_rank(void) { return g_rank; }

/* Every rank learns the worst status of all (a status is a small enum:
 * the largest wins); without MPI or with one rank, st itself. */
#ifdef CM_MPI
/* Waits for r sleeping 0.2 ms between tests: a rank waiting for another
 * (the split, the owner of a split region, the slowest rank) leaves its core
 * to the ranks at work instead of spinning in a blocking MPI call (measured:
 * a 1M-case region split over 2 ranks on 2 busy cores took 42 s with the
 * blocking calls, most of it the waiting ranks' spin). */
void wait_req(MPI_Request *r)
{
    int done = 0;
    for (;;) {
        MPI_Test(r, &done, MPI_STATUS_IGNORE);
        if (done) return;
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
}
#endif

cm_status agree(cm_status st)
{
#ifdef CM_MPI
    if (g_size > 1) {
        double t = now_seconds();
        int in = (int)st, out = 0;
        MPI_Request r;
        MPI_Iallreduce(&in, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &r);
        wait_req(&r);
        g_t_comm += now_seconds() - t;
        return (cm_status)out;
    }
#endif
    return st;
}

static void bcast(void *buf, int bytes)
{
#ifdef CM_MPI
    if (g_size > 1) {
        double t = now_seconds();
        MPI_Request r;
        MPI_Ibcast(buf, bytes, MPI_BYTE, 0, MPI_COMM_WORLD, &r);
        wait_req(&r);
        g_t_comm += now_seconds() - t;
    }
#else
    (void)buf, (void)bytes;
#endif
}

/* Settles region i (its settings c, input in) into w's /regions/<code>:
 * its row of /province_summary and a copy of its rejects (rj). */
cm_status settle_region(cm_config *c, int i, const char *in, const char *shown_input, int decoded, h5w *w,
                               hid_t grp, const char *output, const char *rejects_csv, const char *t_start,
                               prov_row *x, pl_rejects *rj, double *t_write, char *err, size_t errlen)
{
    static cm_period p0;
    static cm_scenario s0;
    cm_period *p = &p0;
    cm_scenario *sn = &s0;
    memset(p, 0, sizeof *p);
    memset(sn, 0, sizeof *sn);
    static cm_indicators ind;
    memset(&ind, 0, sizeof ind);
    cm_status st = settle_stages(p, sn, &ind, c, in, 1, err, errlen);
    if (!st && g_interrupted) st = CM_ERR_INTERRUPTED;
    if (!st) {
        if (shown_input) p->input = shown_input;
        if (decoded) p->input_encoding = "GB18030";
        hid_t g = H5Gcreate2(grp, c->region, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        double t1 = now_seconds();
        w->loc = g;
        w->comp = c->compression;
        w->level = c->deflate_level;
        w->chunk_rows = c->chunk_rows;
        w->deflate_lib = c->deflate_library;
        if (g < 0) snprintf(err, errlen, "%s: cannot create /regions/%s", output, c->region);
        st = g < 0 ? CM_ERR_OUTPUT : settle_write_tables(p, sn, w, output, rejects_csv, t_start, err, errlen);
        if (g >= 0) H5Gclose(g);
        w->loc = w->file;
        *t_write += now_seconds() - t1;
    }
    if (!st) {
        snprintf(x->region, sizeof x->region, "%s", c->region);
        x->records = p->records; x->cases = p->cases; x->rejects = p->rejects; x->slots = p->s.n;
        x->cost_fen = p->cost_fen; x->fund_fen = p->fund_fen;
        if (sn->dipt.on) { x->budget_fen = sn->dipt.budget_fen; x->point_value = sn->dipt.point_value; x->pay_fen = sn->dipt.pay_fen; }
        if (sn->drgt.on) {
            x->drg_budget_fen = sn->drgt.budget_fen; x->drg_point_value = sn->drgt.point_value;
            x->drg_pay_fen = sn->drgt.pay_fen;
        }
        if (pl_rejects_merge(&p->rej, 1, rj)) { st = CM_ERR_NOMEM; snprintf(err, errlen, "out of memory"); }
    } else if (st != CM_ERR_INTERRUPTED) {
        char e2[1024];
        if (shown_input && p->records == 0 && strstr(err, "no case to settle"))
            /* its split file holds the header only: not a bad row, a region the export does not have */
            snprintf(e2, sizeof e2, "region %s (regions[%d]): no row of %s has %s in its region column (region, 统筹区, "
                                    "统筹区编码); check the code in regions, give the region its own input.records, or "
                                    "remove it from regions",
                     c->region, i, shown_input, c->region);
        else
            snprintf(e2, sizeof e2, "region %s (regions[%d]): %s", c->region, i, err);
        snprintf(err, errlen, "%s", e2);
    }
    ind_free(&ind);
    sn_free(sn);
    period_free(p);
    return st;
}

static void print_row(const prov_row *x)
{
    char b1[48], b2[48];
    printf("  region %-10s %10lld cases %8lld rejects  budget %18s  point value %10.4f  paid %18s\n", x->region,
           (long long)x->cases, (long long)x->rejects, cm_yuan_text(b1, sizeof b1, x->budget_fen + x->drg_budget_fen, 1),
           x->budget_fen ? x->point_value : x->drg_point_value, cm_yuan_text(b2, sizeof b2, x->pay_fen + x->drg_pay_fen, 1));
}

/* The timings file of a province run (--timings): one JSON line. */
#define TIMINGS_HEAD "{\"stage\":\"settle\""

/* Every region's settings (rc[0..n)), checked before any work: a bad one
 * names file:line and the region. sharing[i]: the region reads the shared
 * export (no input.records of its own); *nshare counts them, and they need
 * one (export). CM_ERR_CONFIG / CM_ERR_USAGE with err. */
static cm_status load_regions(const cm_config *top, int n, const char *export, cm_config *rc, int *sharing, int *nshare,
                              char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        cm_cfg_error e;
        memset(&e, 0, sizeof e);
        if (cm_config_load_region(top->path, i, &rc[i], &e) != CM_CFG_OK) {
            snprintf(err, errlen, "%s:%d: %s: %s", e.file, e.line, e.key, e.msg);
            return CM_ERR_CONFIG;
        }
        char cerr[900] = "";
        if (period_check_config(&rc[i], cerr, sizeof cerr)) {
            size_t pl = strlen(rc[i].path); /* "PATH: what" -> "PATH:LINE: regions[i] (code): what" */
            const char *what = strncmp(cerr, rc[i].path, pl) == 0 && cerr[pl] == ':' ? cerr + pl + 2 : cerr;
            snprintf(err, errlen, "%s:%d: regions[%d] (%s): %s", rc[i].path, rc[i].region_line, i, rc[i].region, what);
            return CM_ERR_CONFIG;
        }
        sharing[i] = !rc[i].input_file[0] || strcmp(rc[i].input_file, top->input_file) == 0;
        *nshare += sharing[i];
    }
    if (*nshare && !export[0]) {
        snprintf(err, errlen, "no input for %d region(s): pass --input FILE (the province export with a region "
                              "column) or set input.records", *nshare);
        return CM_ERR_USAGE;
    }
    return CM_OK;
}

cm_status cmd_province(const cm_config *top, const cm_run_opts *o)
{
    char err[1024] = "", t_start[32], rejects_csv[CM_PATH_MAX + 32], dir[CM_PATH_MAX + 64] = "";
    int n = top->n_regions;
    double t_begin = now_seconds();
    g_t_comm = g_t_split_wait = g_t_split_xfer = 0;
    iso_now(t_start, sizeof t_start);
    const char *export = o->input ? o->input : top->input_file;
    const char *output = o->output ? o->output : top->output_file;
    if (!output[0]) { if (!g_rank) fprintf(stderr, "casemix: no output: pass --out FILE.h5 or set output.file\n"); return CM_ERR_USAGE; }
    if (cm_side_path(output, ".rejects.csv", rejects_csv, sizeof rejects_csv)) {
        if (!g_rank) fprintf(stderr, "casemix: %s: output path too long\n", output);
        return CM_ERR_USAGE;
    }
    cm_config *rc = calloc((size_t)n, sizeof *rc);
    int *sharing = calloc((size_t)n, sizeof *sharing), *owner = calloc((size_t)n, sizeof *owner);
    uint64_t *size = calloc((size_t)n, sizeof *size);
    char (*paths)[CM_PATH_MAX + 64] = calloc((size_t)n + 1, sizeof *paths);
    prov_row *rows = calloc((size_t)n + 1, sizeof *rows);
    pl_rejects *rj = calloc((size_t)n, sizeof *rj);
    pl_rejects unassigned = {0}, all = {0};
    h5w w;
    memset(&w, 0, sizeof w);
    w.file = -1;
    cm_status st = CM_OK;
    int mine = 0; /* 1: this rank's own error, printed by this rank */
    if (!rc || !sharing || !owner || !size || !paths || !rows || !rj) { st = CM_ERR_NOMEM; snprintf(err, sizeof err, "out of memory"); }
    /* every region's settings, before any work (every rank: the same result) */
    int nshare = 0;
    if (!st) st = load_regions(top, n, export, rc, sharing, &nshare, err, sizeof err);
    mine = st != CM_OK && g_rank == 0;
    /* rank 0: the targets, and the export split into one file per region */
    int flags[2] = {0, 0}; /* direct, decoded */
    long pid0 = (long)getpid();
    bcast(&pid0, sizeof pid0);
    double t0 = now_seconds();
    if (!st && !g_rank) {
        if (h5w_check_target(output, H5_KIND_PROVINCE, err, sizeof err) ||
            cm_side_check_target(rejects_csv, RJ_CSV_HEADER, "--out", err, sizeof err) ||
            (o->timings && cm_side_check_target(o->timings, TIMINGS_HEAD, "--timings", err, sizeof err)))
            st = CM_ERR_OUTPUT;
        if (!st && nshare) {
            st = prov_split_export(output, pid0, dir, sizeof dir, export, top, rc, n, sharing, paths, &unassigned,
                                   &flags[0], &flags[1], NULL, err, sizeof err);
            if (flags[0]) { remove_split(paths, n, dir); dir[0] = '\0'; }
        }
        mine = st != CM_OK;
    }
    double t_split = now_seconds() - t0;
    st = agree(st);
    bcast(flags, sizeof flags);
    int direct = flags[0], decoded = flags[1];
    if (!st && nshare && !direct) {
        snprintf(dir, sizeof dir, "%s.regions.tmp.%ld", output, pid0);
        for (int i = 0; i < n; i++)
            if (sharing[i]) snprintf(paths[i], sizeof paths[i], "%s/%s.csv", dir, rc[i].region);
    }
    if (!st && !g_rank && !o->quiet)
        fprintf(stderr, "casemix: province %s: %d regions%s%s (%.1f s)%s\n", top->region, n,
                nshare && !direct ? ", export split by region: " : "", nshare && !direct ? export : "", t_split,
                g_size > 1 ? "; MPI ranks settle their regions" : "");
    /* regions to ranks by size */
    for (int i = 0; i < n && !st; i++) {
        const char *in = !sharing[i] ? rc[i].input_file : direct ? export : paths[i];
        struct stat sb;
        size[i] = stat(in, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    }
    if (!st) {
        uint64_t *load = calloc((size_t)g_size, sizeof *load);
        if (!load || sc_assign_by_size(size, n, g_size, owner, load) != SC_OK) {
            st = CM_ERR_NOMEM;
            snprintf(err, sizeof err, "out of memory");
        }
        free(load);
    }
    /* this rank's regions into its file: the output itself with one rank, else OUT.rank<r>.tmp.<pid> */
    char myfile[CM_PATH_MAX + 64];
    if (g_size > 1) snprintf(myfile, sizeof myfile, "%s.rank%d.tmp.%ld", output, g_rank, pid0);
    else snprintf(myfile, sizeof myfile, "%s", output);
    hid_t grp = -1;
    double t_write = 0, t_assemble = 0;
    int opened = 0;
    if (!st) {
        opened = 1;
        st = h5w_open(&w, myfile, H5_KIND_PROVINCE, top->compression, top->deflate_level, top->chunk_rows, err, sizeof err);
        if (!st && (grp = H5Gcreate2(w.file, "regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
            snprintf(err, sizeof err, "%s: cannot create /regions", myfile);
            st = CM_ERR_OUTPUT;
        }
    }
    /* regions larger than mpi.split_bytes: read by every rank, settled by the owner (above) */
    int *split = calloc((size_t)n + 1, sizeof *split);
    int nsplit = 0;
    for (int i = 0; split && i < n; i++) {
        split[i] = g_size > 1 && top->mpi_split_bytes > 0 && size[i] > (uint64_t)top->mpi_split_bytes && sharing[i] &&
                   !direct;
        nsplit += split[i];
    }
#ifdef CM_MPI
    if (nsplit && opened)
        st = split_settle(st, rc, n, split, owner, size, paths, dir, decoded, export, &w, grp, output, rejects_csv, t_start,
                          rows, rj, &t_write, o->quiet, &mine, err, sizeof err);
#endif
    if (opened && !st) {
        for (int i = 0; i < n && !st; i++) {
            if (owner[i] != g_rank || (split && split[i])) continue;
            cm_config *c = &rc[i];
            const char *in = !sharing[i] ? c->input_file : direct ? export : paths[i];
            if (sharing[i] && !direct && decoded) snprintf(c->input_encoding, sizeof c->input_encoding, "UTF-8");
            if (sharing[i] && !direct) st = prov_line_map_use(paths[i], err, sizeof err); /* the export's lines */
            if (!st)
                st = settle_region(c, i, in, sharing[i] ? export : NULL, sharing[i] && !direct && decoded, &w, grp,
                                   output, rejects_csv, t_start, &rows[i], &rj[i], &t_write, err, sizeof err);
            prov_line_map_drop();
            if (!st && !o->quiet && g_size == 1) print_row(&rows[i]);
        }
        mine = st != CM_OK;
    }
    if (opened) {
        if (g_size > 1) { /* the rank file, complete, under its name; removed by rank 0 after the copy */
            if (grp >= 0) H5Gclose(grp);
            grp = -1;
            double t1 = now_seconds();
            if (!st) {
                st = h5w_commit(&w, err, sizeof err);
                mine = st != CM_OK;
            } else h5w_abort(&w);
            w.file = -1;
            t_write += now_seconds() - t1;
        }
    }
    st = agree(st);
#ifdef CM_MPI
    /* the regions' rows and rejects to rank 0, in region order */
    if (!st && g_size > 1) {
        double t = now_seconds();
        for (int i = 0; i < n; i++) {
            if (owner[i] == 0) continue;
            if (g_rank == owner[i]) {
                unsigned long long nr = rj[i].n;
                MPI_Send(&rows[i], (int)sizeof rows[i], MPI_BYTE, 0, 3 * i, MPI_COMM_WORLD);
                MPI_Send(&nr, 1, MPI_UNSIGNED_LONG_LONG, 0, 3 * i + 1, MPI_COMM_WORLD);
                if (nr) MPI_Send(rj[i].e, (int)(nr * sizeof *rj[i].e), MPI_BYTE, 0, 3 * i + 2, MPI_COMM_WORLD);
            } else if (g_rank == 0) {
                unsigned long long nr = 0;
                MPI_Recv(&rows[i], (int)sizeof rows[i], MPI_BYTE, owner[i], 3 * i, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Recv(&nr, 1, MPI_UNSIGNED_LONG_LONG, owner[i], 3 * i + 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                rj[i].e = malloc((nr ? nr : 1) * sizeof *rj[i].e);
                rj[i].n = rj[i].cap = rj[i].e ? nr : 0;
                if (nr) MPI_Recv(rj[i].e ? (void *)rj[i].e : NULL, (int)(nr * sizeof *rj[i].e), MPI_BYTE, owner[i], 3 * i + 2,
                                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                if (!rj[i].e) { st = CM_ERR_NOMEM; snprintf(err, sizeof err, "out of memory"); mine = 1; }
            }
        }
        g_t_comm += now_seconds() - t;
    }
#endif
    /* rank 0: the file of a multi-rank run assembled from the ranks' files (regions in config order,
     * datasets copied as they are: H5Ocopy), the province tables, the rejects CSV */
    if (!st && !g_rank) {
        double t1 = now_seconds();
        if (g_size > 1) {
            st = h5w_open(&w, output, H5_KIND_PROVINCE, top->compression, top->deflate_level, top->chunk_rows, err, sizeof err);
            if (!st && (grp = H5Gcreate2(w.file, "regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) st = CM_ERR_OUTPUT;
            hid_t *rf = calloc((size_t)g_size, sizeof *rf);
            if (!rf) st = CM_ERR_NOMEM;
            for (int r = 0; r < g_size && !st; r++) {
                char f[CM_PATH_MAX + 64];
                snprintf(f, sizeof f, "%s.rank%d.tmp.%ld", output, r, pid0);
                if ((rf[r] = H5Fopen(f, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
                    snprintf(err, sizeof err, "%s: cannot open a rank's file", f);
                    st = CM_ERR_OUTPUT;
                }
            }
            for (int i = 0; i < n && !st; i++) {
                char src[64];
                snprintf(src, sizeof src, "/regions/%s", rc[i].region);
                if (H5Ocopy(rf[owner[i]], src, grp, rc[i].region, H5P_DEFAULT, H5P_DEFAULT) < 0) {
                    snprintf(err, sizeof err, "%s: cannot copy %s from rank %d's file", output, src, owner[i]);
                    st = CM_ERR_OUTPUT;
                }
            }
            for (int r = 0; rf && r < g_size; r++)
                if (rf[r] > 0) H5Fclose(rf[r]);
            free(rf);
            if (!st && !o->quiet)
                for (int i = 0; i < n; i++) print_row(&rows[i]);
        }
        rows[n].records = rows[n].rejects = (int64_t)unassigned.n;
        if (!st) st = write_province_summary(&w, rows, n);
        if (!st)
            st = write_rejects(&unassigned, &w, "rejects",
                               "Rows of the province export without a configured region: input line, case id, field, reason");
        if (!st && pl_rejects_merge(&unassigned, 1, &all)) st = CM_ERR_NOMEM;
        for (int i = 0; i < n && !st; i++)
            for (size_t k = 0; k < rj[i].n && !st; k++)
                if (pl_reject_add(&all, rj[i].e[k].line, rj[i].e[k].case_id, rj[i].e[k].field, rj[i].e[k].reason))
                    st = CM_ERR_NOMEM;
        if (!st && h5w_side(&w, rejects_csv)) { snprintf(err, sizeof err, "%s: path too long", rejects_csv); st = CM_ERR_OUTPUT; }
        if (!st) st = rj_write_csv(&all, w.side_tmp, err, sizeof err);
        if (!st) {
            char t_end[32], buf[CM_PATH_MAX + 64];
            iso_now(t_end, sizeof t_end);
            h5_attr_str(w.file, "program", "casemix " CM_VERSION);
            h5_attr_str(w.file, "province", top->region);
            h5_attr_str(w.file, "period", top->period);
            h5_attr_str(w.file, "config_file", top->path);
            h5_attr_str(w.file, "config_sha256", top->sha256);
            snprintf(buf, sizeof buf, "%s", nshare ? export : "(each region its own input.records)");
            h5_attr_str(w.file, "input_file", buf);
            h5_attr_str(w.file, "rejects_file", rejects_csv);
            h5_attr_i64(w.file, "regions", n);
            h5_attr_i64(w.file, "mpi_ranks", g_size);
            h5_attr_str(w.file, "start_time", t_start);
            h5_attr_str(w.file, "end_time", t_end);
        }
        if (grp >= 0) H5Gclose(grp);
        grp = -1;
        if (!st && g_interrupted) st = CM_ERR_INTERRUPTED;
        if (w.file >= 0) {
            if (st) h5w_abort(&w);
            else if (h5w_commit(&w, err, sizeof err)) st = CM_ERR_OUTPUT;
            w.file = -1;
        }
        if (st && !err[0]) snprintf(err, sizeof err, "%s: writing HDF5 failed", output);
        mine = st != CM_OK;
        t_assemble = now_seconds() - t1;
    }
    if (grp >= 0) H5Gclose(grp);
    if (w.file >= 0) h5w_abort(&w);
    st = agree(st);
    /* the times: the largest over the ranks */
    double tw = t_write, tc = g_t_comm;
    char split_mem[160 + 3 * 24 * 64] = ""; /* split regions' slots and peak memory per rank (--timings) */
#ifdef CM_MPI
    if (g_size > 1) {
        split_stats_json(split_mem, g_size <= 64 ? sizeof split_mem : 0);
        MPI_Allreduce(&t_write, &tw, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        MPI_Allreduce(&g_t_comm, &tc, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    }
#endif
    if (!g_rank) {
        if (g_size > 1)
            for (int r = 0; r < g_size; r++) {
                char f[CM_PATH_MAX + 64];
                snprintf(f, sizeof f, "%s.rank%d.tmp.%ld", output, r, pid0);
                unlink(f);
            }
        if (paths) remove_split(paths, n, dir);
    }
    double secs = now_seconds() - t_begin;
    if (st) {
        if (mine) {
            if (st == CM_ERR_INTERRUPTED) fprintf(stderr, "casemix: interrupted; no output written\n");
            else fprintf(stderr, "casemix: %s%s\n", g_size > 1 && g_rank ? "" : "", err[0] ? err : "failed");
            if (st == CM_ERR_CONFIG) fprintf(stderr, "casemix: nothing was done\n");
        }
    } else if (!g_rank) {
        if (!o->quiet) {
            int64_t cases = 0, rej = (int64_t)unassigned.n;
            for (int i = 0; i < n; i++) cases += rows[i].cases, rej += rows[i].rejects;
            printf("province %s: %d regions, %lld cases, %lld rejects (%zu without a configured region) -> %s; "
                   "rejects: %s\n", top->region, n, (long long)cases, (long long)rej, unassigned.n, output, rejects_csv);
            printf("  %.2f s: split %.2f s, writing %.2f s (slowest rank) + assembling %.2f s, MPI communication "
                   "%.2f s (slowest rank; %d rank%s)\n", secs, t_split, tw, t_assemble, tc, g_size, g_size > 1 ? "s" : "");
        }
        if (o->timings) {
            FILE *f = fopen(o->timings, "w");
            if (f) {
                int64_t cases = 0;
                for (int i = 0; i < n; i++) cases += rows[i].cases;
                fprintf(f, TIMINGS_HEAD ",\"province\":1,\"ranks\":%d,\"threads\":%d,\"regions\":%d,\"cases\":%lld,"
                           "\"split\":%.4f,\"write\":%.4f,\"assemble\":%.4f,\"mpi_comm\":%.4f,\"seconds\":%.4f,"
                           "\"peak_rss_kb\":%ld,\"split_regions\":%d,\"split_wait\":%.4f,\"split_transfer\":%.4f%s",
                        g_size, o->threads, n, (long long)cases, t_split, tw, t_assemble, tc, secs, peak_rss_kb(), nsplit,
                        g_t_split_wait, g_t_split_xfer, split_mem);
                /* the slots each region's read held, configuration order (before the line map: the export's lines) */
                fprintf(f, ",\"region_slots\":[");
                for (int i = 0; i < n; i++) fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)rows[i].slots);
                fprintf(f, "]}\n");
                if (fclose(f) != 0) f = NULL;
            }
            if (!f) {
                fprintf(stderr, "casemix: %s: cannot write the timings (%s); the settlement itself is written\n",
                        o->timings, strerror(errno));
                st = CM_ERR_OUTPUT;
            }
        }
    }
    pl_rejects_free(&unassigned);
    pl_rejects_free(&all);
    for (int i = 0; rj && i < n; i++) pl_rejects_free(&rj[i]);
    free(rj);
    free(rc);
    free(sharing);
    free(owner);
    free(split);
    free(size);
    free(paths);
    free(rows);
    return st;
}

/* ---- province.c's helpers for engine/provsim.c (simulate on a province; provsim.h) ---- */
cm_status prov_load_regions(const cm_config *top, int n, const char *export, cm_config *rc, int *sharing, int *nshare,
                            char *err, size_t errlen)
{
    return load_regions(top, n, export, rc, sharing, nshare, err, errlen);
}
cm_status prov_split_export(const char *output, long pid, char *dir, size_t dirsz, const char *export,
                            const cm_config *top, const cm_config *rc, int n, const int *sharing,
                            char (*paths)[CM_PATH_MAX + 64], pl_rejects *unassigned, int *direct, int *decoded,
                            uint64_t *rows_of, char *err, size_t errlen)
{
    snprintf(dir, dirsz, "%s.regions.tmp.%ld", output, pid);
    if (mkdir(dir, 0700) != 0) {
        snprintf(err, errlen, "%s: cannot create the directory for the regions' rows (%s)", dir, strerror(errno));
        dir[0] = '\0';
        return CM_ERR_OUTPUT;
    }
    for (int i = 0; i < n; i++)
        if (sharing[i]) snprintf(paths[i], sizeof paths[i], "%s/%s.csv", dir, rc[i].region);
    return prov_split(export, top, rc, n, sharing, paths, unassigned, direct, decoded, rows_of, err, errlen);
}
void prov_remove_split(char (*paths)[CM_PATH_MAX + 64], int n, const char *dir) { remove_split(paths, n, dir); }
int prov_mpi_size(void) { return g_size; }
cm_status prov_agree(cm_status st) { return agree(st); }
void prov_bcast(void *buf, int bytes) { bcast(buf, bytes); }
double prov_max_over_ranks(double v)
{
#ifdef CM_MPI
    double m = v;
    if (g_size > 1) MPI_Allreduce(&v, &m, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return m;
#else
    return v;
#endif
}
