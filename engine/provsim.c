/*
 * provsim.c - casemix simulate on a province configuration (省级多统筹区 政策模拟):
 * each pooling region's scenarios under /regions/<code>/scenarios of one
 * simulation file, each equal to the one-region simulate of its rows.
 */
#include "provsim.h"
#include "h5out.h"
#include "rejects.h"
#include "simulate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- simulate on a province configuration (issue 15: "make simulate use it too") ----
 * One process, regions in turn: the export split by region as for settle (prov_split), each
 * region simulated exactly as the one-region run of its rows (cmd_simulate on the region's
 * settings, into a temporary file), its /scenarios group copied as it is (H5Ocopy) to
 * /regions/<code>/scenarios of one simulation file. The scenarios are the province file's
 * top-level simulate.scenarios (cm_scenarios_load reads them from the configuration file),
 * each applied to the region's own settings. */
/* the province simulation's /province_summary: one row per region and scenario, the members below
 * read (by name) from the row of the region's /scenarios/NAME/summary */
static const char *const psim_cols[] = {"cases", "base_total_cost_fen", "total_cost_fen", "diff_total_cost_fen",
                                        "base_fund_fen", "fund_fen", "diff_fund_fen", "base_dip_payment_fen",
                                        "dip_payment_fen", "diff_dip_payment_fen", "base_drg_payment_fen",
                                        "drg_payment_fen", "diff_drg_payment_fen"};
#define PSIM_NCOL ((int)(sizeof psim_cols / sizeof psim_cols[0]))
typedef struct { char region[32], scenario[64]; int64_t v[PSIM_NCOL]; } psim_row;

/* the rows of one region's simulation file f: its scenarios in name order */
static int psim_rows_of(hid_t f, const char *region, psim_row **rows, int *n, int *cap)
{
    hid_t g = H5Gopen2(f, "/scenarios", H5P_DEFAULT);
    if (g < 0) return -1;
    H5G_info_t gi;
    int e = H5Gget_info(g, &gi) < 0;
    for (hsize_t i = 0; !e && i < gi.nlinks; i++) {
        if (*n == *cap) {
            int nc = *cap ? 2 * *cap : 16;
            psim_row *r = realloc(*rows, (size_t)nc * sizeof *r);
            if (!r) { e = 1; break; }
            *rows = r;
            *cap = nc;
        }
        psim_row *x = &(*rows)[*n];
        memset(x, 0, sizeof *x);
        snprintf(x->region, sizeof x->region, "%s", region);
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, x->scenario, sizeof x->scenario, H5P_DEFAULT) < 0) { e = 1; break; }
        char path[96];
        snprintf(path, sizeof path, "%s/summary", x->scenario);
        hid_t d = H5Dopen2(g, path, H5P_DEFAULT);
        if (d < 0) { e = 1; break; }
        /* the members the table has (a region without DRG has no drg_ members: 0 here) */
        hid_t ft = H5Dget_type(d), mt = H5Tcreate(H5T_COMPOUND, sizeof(int64_t) * PSIM_NCOL);
        for (int k = 0; k < PSIM_NCOL; k++)
            if (H5Tget_member_index(ft, psim_cols[k]) >= 0)
                e |= H5Tinsert(mt, psim_cols[k], sizeof(int64_t) * (size_t)k, H5T_NATIVE_INT64) < 0;
        H5Tclose(ft);
        hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, (hsize_t[]){1}, NULL);
        hsize_t one = 1, zero = 0;
        e |= H5Sselect_hyperslab(fs, H5S_SELECT_SET, &zero, NULL, &one, NULL) < 0;
        if (!e) e |= H5Dread(d, mt, ms, fs, H5P_DEFAULT, x->v) < 0;
        H5Tclose(mt);
        H5Sclose(ms);
        H5Sclose(fs);
        H5Dclose(d);
        (*n)++;
    }
    H5Gclose(g);
    return e ? -1 : 0;
}

static cm_status psim_write_summary(h5w *w, const psim_row *rows, int n)
{
    h5row r;
    h5row_begin(&r);
    size_t o_reg = h5row_add_str(&r, "region", 32), o_sc = h5row_add_str(&r, "scenario", 64), o[PSIM_NCOL];
    for (int k = 0; k < PSIM_NCOL; k++) o[k] = h5row_add(&r, psim_cols[k], H5T_STD_I64LE, 8);
    h5row_end(&r);
    hid_t d = h5w_table(w, "province_summary", "Province simulation summary (省级政策模拟汇总): one row per region and "
                        "scenario, from its /regions/<code>/scenarios/NAME/summary", &r, (hsize_t)n);
    unsigned char *buf = calloc((size_t)(n ? n : 1), r.size);
    int e = d < 0 || !buf;
    for (int i = 0; !e && i < n; i++) {
        unsigned char *b = buf + (size_t)i * r.size;
        memcpy(b + o_reg, rows[i].region, strnlen(rows[i].region, 32));
        memcpy(b + o_sc, rows[i].scenario, strnlen(rows[i].scenario, 64));
        for (int k = 0; k < PSIM_NCOL; k++) memcpy(b + o[k], &rows[i].v[k], 8);
    }
    if (!e) {
        h5_attr_str(d, "units", "*_fen: fen (0.01 yuan); base_<m>: the region's baseline, <m>: the scenario, "
                                "diff_<m>: the change; 0 where the region does not settle that scheme (no DRG)");
        e = h5w_rows(d, &r, 0, (hsize_t)n, buf);
    }
    if (d >= 0) H5Dclose(d);
    free(buf);
    h5row_free(&r);
    return e ? CM_ERR_OUTPUT : CM_OK;
}

cm_status cmd_province_simulate(const cm_config *top, const cm_run_opts *o, const char *const *only, int nonly)
{
    char err[1024] = "", dir[CM_PATH_MAX + 64] = "", outbuf[CM_PATH_MAX + 32];
    int n = top->n_regions;
    const char *export = o->input ? o->input : top->input_file;
    const char *output = o->output;
    if (!output) {
        if (!top->output_file[0] || cm_side_path(top->output_file, ".simulation.h5", outbuf, sizeof outbuf)) {
            fprintf(stderr, "casemix: no output: pass --out FILE.h5 or set output.file\n");
            return CM_ERR_USAGE;
        }
        output = outbuf;
    }
    cm_config *rc = calloc((size_t)n, sizeof *rc);
    int *sharing = calloc((size_t)n, sizeof *sharing);
    char (*paths)[CM_PATH_MAX + 64] = calloc((size_t)n + 1, sizeof *paths);
    pl_rejects unassigned = {0};
    cm_status st = CM_OK;
    if (!rc || !sharing || !paths) { st = CM_ERR_NOMEM; snprintf(err, sizeof err, "out of memory"); }
    int nshare = 0;
    if (!st) st = prov_load_regions(top, n, export, rc, sharing, &nshare, err, sizeof err);
    if (!st && h5w_check_target(output, H5_KIND_SIMULATION, err, sizeof err)) st = CM_ERR_OUTPUT;
    int direct = 0, decoded = 0;
    long pid = (long)getpid();
    if (!st && nshare) {
        snprintf(dir, sizeof dir, "%s.regions.tmp.%ld", output, pid);
        if (mkdir(dir, 0700) != 0) {
            snprintf(err, sizeof err, "%s: cannot create the directory for the regions' rows (%s)", dir, strerror(errno));
            dir[0] = '\0';
            st = CM_ERR_OUTPUT;
        }
        for (int i = 0; i < n && !st; i++)
            if (sharing[i]) snprintf(paths[i], sizeof paths[i], "%s/%s.csv", dir, rc[i].region);
        if (!st) st = prov_split_export(export, top, rc, n, sharing, paths, &unassigned, &direct, &decoded, err, sizeof err);
    }
    h5w w;
    memset(&w, 0, sizeof w);
    w.file = -1;
    hid_t grp = -1;
    psim_row *srows = NULL;
    int nsrows = 0, capsrows = 0;
    if (!st) {
        st = h5w_open(&w, output, H5_KIND_SIMULATION, top->compression, top->deflate_level, top->chunk_rows, err, sizeof err);
        if (!st && (grp = H5Gcreate2(w.file, "regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
            snprintf(err, sizeof err, "%s: cannot create /regions", output);
            st = CM_ERR_OUTPUT;
        }
    }
    if (!st && !o->quiet)
        printf("casemix simulate: province %s: %d regions%s%s\n", top->region, n,
               nshare && !direct ? ", export split by region: " : "", nshare && !direct ? export : "");
    for (int i = 0; i < n && !st; i++) {
        cm_config *c = &rc[i];
        const char *in = !sharing[i] ? c->input_file : direct ? export : paths[i];
        if (sharing[i] && !direct && decoded) snprintf(c->input_encoding, sizeof c->input_encoding, "UTF-8");
        char one[CM_PATH_MAX + 96];
        snprintf(one, sizeof one, "%s.region%s.tmp.%ld", output, c->region, pid);
        cm_run_opts ro = *o;
        ro.input = in;
        ro.output = one;
        ro.quiet = 1;
        ro.timings = NULL;
        st = cmd_simulate(c, &ro, only, nonly); /* prints its own error */
        if (st) { err[0] = '\0'; unlink(one); break; }
        hid_t f = H5Fopen(one, H5F_ACC_RDONLY, H5P_DEFAULT);
        hid_t rg = f < 0 ? -1 : H5Gcreate2(grp, c->region, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        int64_t cases = 0;
        if (rg < 0 || H5Ocopy(f, "/scenarios", rg, "scenarios", H5P_DEFAULT, H5P_DEFAULT) < 0 ||
            h5_attr_str(rg, "region", c->region) || h5_attr_str(rg, "input", sharing[i] ? export : in)) {
            snprintf(err, sizeof err, "%s: cannot copy region %s's scenarios", output, c->region);
            st = CM_ERR_OUTPUT;
        } else if (H5Aexists(f, "cases") > 0) {
            hid_t a = H5Aopen(f, "cases", H5P_DEFAULT);
            if (a >= 0) { (void)H5Aread(a, H5T_NATIVE_INT64, &cases); H5Aclose(a); }
            if (h5_attr_i64(rg, "cases", cases)) st = CM_ERR_OUTPUT;
        }
        if (!st && psim_rows_of(f, c->region, &srows, &nsrows, &capsrows)) {
            snprintf(err, sizeof err, "%s: cannot read region %s's scenario summaries", output, c->region);
            st = CM_ERR_OUTPUT;
        }
        if (rg >= 0) H5Gclose(rg);
        if (f >= 0) H5Fclose(f);
        unlink(one);
        if (!st && !o->quiet) printf("  region %-8s %10lld cases -> /regions/%s/scenarios\n", c->region, (long long)cases, c->region);
        if (!st && g_interrupted) st = CM_ERR_INTERRUPTED;
    }
    if (!st) st = psim_write_summary(&w, srows, nsrows);
    if (!st) {
        int e = h5_attr_str(w.file, "province", top->region) | h5_attr_str(w.file, "period", top->period) |
                h5_attr_str(w.file, "config", top->path) | h5_attr_str(w.file, "config_sha256", top->sha256) |
                h5_attr_i64(w.file, "regions", n) | h5_attr_i64(w.file, "unassigned_rows", (int64_t)unassigned.n);
        if (e) { snprintf(err, sizeof err, "%s: writing the output failed", output); st = CM_ERR_OUTPUT; }
    }
    if (grp >= 0) H5Gclose(grp);
    if (w.file >= 0) {
        if (st) h5w_abort(&w);
        else st = h5w_commit(&w, err, sizeof err);
    }
    if (paths && dir[0]) prov_remove_split(paths, n, dir);
    if (st) {
        if (err[0]) fprintf(stderr, "casemix: %s\n", err);
        if (st == CM_ERR_CONFIG) fprintf(stderr, "casemix: nothing was done\n");
    } else if (!o->quiet)
        printf("wrote %s  (%d regions; %zu rows without a configured region left out)\n", output, n, unassigned.n);
    pl_rejects_free(&unassigned);
    free(srows);
    free(rc);
    free(sharing);
    free(paths);
    return st;
}
