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
 * The export split by region as for settle (prov_split_export: rows of no configured region
 * listed in /rejects). The work is cut into units: a region and some of its scenarios (a
 * region's own simulate.scenarios, else the shared list). A unit is the one-region simulate of
 * the region's rows restricted to its scenarios (cmd_simulate with those names, into a file of
 * its own, OUT.unit<u>.tmp.<pid>): every unit reads, groups and settles its region's baseline
 * again, then runs its scenarios. One process: one unit per region. Under mpirun
 * (make MPI=1): the regions whose work is above a fair share of the ranks' are cut into
 * several units (sc_split_scenarios, at the measured costs below), the units go to ranks by
 * size (sc_assign_by_size), each rank writes its units' files, and rank 0 copies every
 * scenario group (H5Ocopy) in configuration order, region by region, into
 * /regions/<code>/scenarios/NAME of one simulation file: the same operations in the same
 * order at any number of ranks, so the file is the same (README "Province runs").
 *
 * Costs (measured, 200k cases, 1 thread: read + group + baseline 1.0 s; a fixed_point_value
 * scenario 0.2 s; a scenario that re-scores from history, re-settles with other settings or
 * solves 1.1 s): a unit's cost is the region's rows' bytes x (PSIM_BASE_W + Σ its scenarios'
 * weights), a scenario weighs PSIM_LIGHT_W or PSIM_HEAVY_W. */
#define PSIM_BASE_W 5
#define PSIM_LIGHT_W 1
#define PSIM_HEAVY_W 5
/* the province simulation's /province_summary: one row per region and scenario, the members below
 * read (by name) from the row of the region's /scenarios/NAME/summary */
static const char *const psim_cols[] = {"cases", "base_total_cost_fen", "total_cost_fen", "diff_total_cost_fen",
                                        "base_fund_fen", "fund_fen", "diff_fund_fen", "base_dip_payment_fen",
                                        "dip_payment_fen", "diff_dip_payment_fen", "base_drg_payment_fen",
                                        "drg_payment_fen", "diff_drg_payment_fen"};
#define PSIM_NCOL ((int)(sizeof psim_cols / sizeof psim_cols[0]))
typedef struct { char region[32], scenario[64]; int64_t v[PSIM_NCOL]; } psim_row;

/* the rows of one region (f: its group holding scenarios/): its scenarios in name order */
static int psim_rows_of(hid_t f, const char *region, psim_row **rows, int *n, int *cap)
{
    hid_t g = H5Gopen2(f, "scenarios", H5P_DEFAULT);
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

/* 1: the scenario re-prices (categories, levels, institutions, a price table or a solve) */
static int psim_priced(const cm_scenario_def *d)
{
    int priced = d->price_table[0] != 0 || d->n_inst > 0 || d->solve_cats;
    for (int c = 0; c < SC_CAT__COUNT; c++) priced |= d->mult[c] != SC_MULT_ONE;
    for (int L = 1; L <= 3; L++)
        for (int c = 0; c < SC_CAT__COUNT; c++) priced |= d->level_mult[L][c] != 0;
    return priced;
}

/* A scenario's weight: the light ones re-price with scores and point value kept. */
static uint64_t psim_weight(const cm_scenario_def *d)
{
    int priced = psim_priced(d);
    int heavy = (priced && d->policy != CM_POLICY_FIXED_POINT) || d->recalibrate || d->has_settings ||
                d->solve != CM_SOLVE_NONE;
    return heavy ? PSIM_HEAVY_W : PSIM_LIGHT_W;
}

/* one region's scenarios: names in configuration order, weights, the unit (chunk) of each */
typedef struct {
    int n;
    char (*name)[CM_SCEN_NAME_MAX];
    uint64_t *w;
    int *chunk;
    uint64_t sum_w, max_w;
} psim_scen;

static void psim_unit_path(char *b, size_t n, const char *output, int u, long pid)
{
    snprintf(b, n, "%s.unit%d.tmp.%ld", output, u, pid);
}

cm_status cmd_province_simulate(const cm_config *top, const cm_run_opts *o, const char *const *only, int nonly)
{
    char err[1024] = "", dir[CM_PATH_MAX + 64] = "", outbuf[CM_PATH_MAX + 32];
    int n = top->n_regions, rank = prov_mpi_rank(), nranks = prov_mpi_size();
    double t_begin = now_seconds(), t_comm = 0, t_split = 0, t_work = 0, t_write = 0, t_assemble = 0;
    const char *export = o->input ? o->input : top->input_file;
    const char *output = o->output;
    if (!output) {
        if (!top->output_file[0] || cm_side_path(top->output_file, ".simulation.h5", outbuf, sizeof outbuf)) {
            if (!rank) fprintf(stderr, "casemix: no output: pass --out FILE.h5 or set output.file\n");
            return CM_ERR_USAGE;
        }
        output = outbuf;
    }
    cm_config *rc = calloc((size_t)n, sizeof *rc);
    int *sharing = calloc((size_t)n, sizeof *sharing), *chunks = calloc((size_t)n, sizeof *chunks);
    int *ufirst = calloc((size_t)n + 1, sizeof *ufirst); /* region i's units: ufirst[i] .. ufirst[i+1]-1 */
    uint64_t *size = calloc((size_t)n, sizeof *size), *rows_of = calloc((size_t)n, sizeof *rows_of);
    uint64_t *sum_w = calloc((size_t)n, sizeof *sum_w), *max_w = calloc((size_t)n, sizeof *max_w);
    int *nscen = calloc((size_t)n, sizeof *nscen);
    psim_scen *sc = calloc((size_t)n, sizeof *sc);
    char (*paths)[CM_PATH_MAX + 64] = calloc((size_t)n + 1, sizeof *paths);
    pl_rejects unassigned = {0};
    uint64_t *ucost = NULL, *load = NULL;
    int *uowner = NULL, nunits = 0, ncut = 0;
    cm_status st = CM_OK;
    int mine = 0; /* this rank prints err */
    if (!rc || !sharing || !chunks || !ufirst || !size || !rows_of || !sum_w || !max_w || !nscen || !sc || !paths) {
        st = CM_ERR_NOMEM;
        snprintf(err, sizeof err, "out of memory");
    }
    /* every region's settings and scenarios, before any work (every rank: the same result) */
    int nshare = 0;
    if (!st) st = prov_load_regions(top, n, export, rc, sharing, &nshare, err, sizeof err);
    for (int i = 0; i < n && !st; i++) {
        cm_scenario_set set;
        cm_cfg_error ce;
        memset(&ce, 0, sizeof ce);
        if (cm_scenarios_load(&rc[i], only, nonly, &set, &ce) != CM_CFG_OK) {
            if (ce.line > 0) snprintf(err, sizeof err, "%s:%d: regions[%d] (%s): %s%s%s", ce.file, ce.line, i, rc[i].region,
                                      ce.key, ce.key[0] ? ": " : "", ce.msg);
            else snprintf(err, sizeof err, "%s: regions[%d] (%s): %s%s%s", ce.file, i, rc[i].region, ce.key,
                          ce.key[0] ? ": " : "", ce.msg);
            st = CM_ERR_CONFIG;
            break;
        }
        if (set.n == 0) {
            snprintf(err, sizeof err, "%s:%d: regions[%d] (%s): simulate.scenarios: no scenario to run; add simulate = "
                     "{ scenarios = ( { name = \"identity\"; }, ... ); }; (config/example.cfg)", rc[i].path,
                     rc[i].region_line, i, rc[i].region);
            st = CM_ERR_CONFIG;
        }
        psim_scen *x = &sc[i];
        x->n = set.n;
        x->name = calloc((size_t)set.n + 1, sizeof *x->name);
        x->w = calloc((size_t)set.n + 1, sizeof *x->w);
        x->chunk = calloc((size_t)set.n + 1, sizeof *x->chunk);
        if (!st && (!x->name || !x->w || !x->chunk)) { st = CM_ERR_NOMEM; snprintf(err, sizeof err, "out of memory"); }
        for (int k = 0; k < set.n && !st; k++) {
            /* cmd_simulate's checks of a scenario, here before any unit runs (a unit may run late on another rank) */
            const cm_scenario_def *d = &set.s[k];
            char cerr[900] = "";
            if (psim_priced(d) && d->policy != CM_POLICY_FIXED_POINT && rc[i].n_history == 0) {
                snprintf(err, sizeof err, "%s:%d: regions[%d] (%s): scenario %s: policy %s re-scores from the re-priced "
                         "history, and the region has no history list; add history (1 to 3 years) or use policy "
                         "\"fixed_point_value\"", rc[i].path, d->line, i, rc[i].region, d->name, cm_policy_name(d->policy));
                st = CM_ERR_CONFIG;
                break;
            }
            if (d->recalibrate && rc[i].n_history == 0) {
                snprintf(err, sizeof err, "%s:%d: regions[%d] (%s): scenario %s re-calibrates the scores, and the region "
                         "has no history list; add history (1 to 3 years)", rc[i].path, d->line, i, rc[i].region, d->name);
                st = CM_ERR_CONFIG;
                break;
            }
            if ((st = period_check_config(&d->cfg, cerr, sizeof cerr))) {
                snprintf(err, sizeof err, "regions[%d] (%s): scenario %s (line %d): %s", i, rc[i].region, d->name, d->line, cerr);
                break;
            }
            snprintf(x->name[k], sizeof x->name[k], "%s", set.s[k].name);
            x->w[k] = psim_weight(&set.s[k]);
            x->sum_w += x->w[k];
            if (x->w[k] > x->max_w) x->max_w = x->w[k];
        }
        nscen[i] = set.n, sum_w[i] = x->sum_w, max_w[i] = x->max_w;
        cm_scenarios_free(&set);
    }
    mine = st != CM_OK && !rank;
    /* rank 0: the target checked, the export split by region */
    long pid0 = (long)getpid();
    int flags[2] = {0, 0}; /* direct, decoded */
    double tb = now_seconds();
    prov_bcast(&pid0, sizeof pid0);
    t_comm += now_seconds() - tb;
    double t0 = now_seconds();
    if (!st && !rank) {
        if (h5w_check_target(output, H5_KIND_SIMULATION, err, sizeof err)) st = CM_ERR_OUTPUT;
        if (!st && nshare)
            st = prov_split_export(output, pid0, dir, sizeof dir, export, top, rc, n, sharing, paths, &unassigned,
                                   &flags[0], &flags[1], rows_of, err, sizeof err);
        mine = st != CM_OK;
    }
    t_split = now_seconds() - t0;
    tb = now_seconds();
    st = prov_agree(st);
    prov_bcast(flags, sizeof flags);
    t_comm += now_seconds() - tb;
    int direct = flags[0], decoded = flags[1];
    if (!st && nshare && !direct) {
        snprintf(dir, sizeof dir, "%s.regions.tmp.%ld", output, pid0);
        for (int i = 0; i < n; i++)
            if (sharing[i]) snprintf(paths[i], sizeof paths[i], "%s/%s.csv", dir, rc[i].region);
    }
    /* the units: regions cut by their scenarios (several ranks only), then units to ranks by size */
    for (int i = 0; i < n && !st; i++) {
        const char *in = !sharing[i] ? rc[i].input_file : direct ? export : paths[i];
        struct stat sb;
        size[i] = stat(in, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    }
    if (!st && sc_split_scenarios(size, sum_w, max_w, nscen, n, nranks, PSIM_BASE_W, chunks) != SC_OK) st = CM_ERR_NOMEM;
    for (int i = 0; i < n && !st; i++) {
        ufirst[i] = nunits;
        nunits += chunks[i];
        ncut += chunks[i] > 1;
    }
    ufirst[n] = nunits;
    if (!st) {
        ucost = calloc((size_t)nunits + 1, sizeof *ucost);
        uowner = calloc((size_t)nunits + 1, sizeof *uowner);
        load = calloc((size_t)nunits + (size_t)nranks + 1, sizeof *load);
        if (!ucost || !uowner || !load) st = CM_ERR_NOMEM;
    }
    for (int i = 0; i < n && !st; i++) {
        /* region i's scenarios over its chunks by weight (chunk 0 takes the first, heaviest ...) */
        if (sc_assign_by_size(sc[i].w, sc[i].n, chunks[i], sc[i].chunk, load) != SC_OK) { st = CM_ERR_NOMEM; break; }
        for (int j = 0; j < chunks[i]; j++) ucost[ufirst[i] + j] = (size[i] ? size[i] : 1) * (PSIM_BASE_W + load[j]);
    }
    if (!st && sc_assign_by_size(ucost, nunits, nranks, uowner, load) != SC_OK) st = CM_ERR_NOMEM;
    if (st == CM_ERR_NOMEM && !err[0]) { snprintf(err, sizeof err, "out of memory"); mine = 1; }
    if (!st && !rank && !o->quiet) {
        printf("casemix simulate: province %s: %d regions%s%s", top->region, n, nshare && !direct ? ", export split by region: " : "",
               nshare && !direct ? export : "");
        if (nranks > 1) printf("; %d units over %d ranks (%d region%s cut by scenario over several ranks)", nunits, nranks,
                               ncut, ncut == 1 ? "" : "s");
        printf("\n");
        fflush(stdout);
    }
    /* this rank's units: the one-region simulate of the region restricted to the unit's scenarios */
    const char **names = NULL;
    if (!st) {
        int mx = 1;
        for (int i = 0; i < n; i++) mx = sc[i].n > mx ? sc[i].n : mx;
        if (!(names = calloc((size_t)mx, sizeof *names))) { st = CM_ERR_NOMEM; snprintf(err, sizeof err, "out of memory"); mine = 1; }
    }
    double tw0 = now_seconds();
    for (int i = 0; i < n && !st; i++) {
        for (int j = 0; j < chunks[i] && !st; j++) {
            int u = ufirst[i] + j;
            if (uowner[u] != rank) continue;
            cm_config *c = &rc[i];
            const char *in = !sharing[i] ? c->input_file : direct ? export : paths[i];
            if (sharing[i] && !direct && decoded) snprintf(c->input_encoding, sizeof c->input_encoding, "UTF-8");
            int nn = 0;
            for (int k = 0; k < sc[i].n; k++)
                if (sc[i].chunk[k] == j) names[nn++] = sc[i].name[k];
            char one[CM_PATH_MAX + 96];
            psim_unit_path(one, sizeof one, output, u, pid0);
            cm_run_opts ro = *o;
            ro.input = in;
            ro.output = one;
            ro.quiet = 1;
            ro.timings = NULL;
            /* every scenario of the region loaded (the same kept categories and history as one run
             * of them all), this unit's run and written */
            sim_set_run_subset(names, nn);
            if (sharing[i] && !direct && prov_line_map_use(in, err, sizeof err)) { /* the export's lines */
                fprintf(stderr, "casemix: %s\n", err);
                st = CM_ERR_INPUT;
            } else
                st = cmd_simulate(c, &ro, only, nonly); /* prints its own error */
            prov_line_map_drop();
            sim_set_run_subset(NULL, 0);
            t_write += sim_last_write_seconds;
            if (st) { err[0] = '\0'; unlink(one); }
            if (!st && g_interrupted) st = CM_ERR_INTERRUPTED;
        }
    }
    t_work = now_seconds() - tw0;
    tb = now_seconds();
    st = prov_agree(st);
    t_comm += now_seconds() - tb;
    /* rank 0: the province file, regions in configuration order, scenarios in each region's order */
    h5w w;
    memset(&w, 0, sizeof w);
    w.file = -1;
    hid_t grp = -1;
    psim_row *srows = NULL;
    int nsrows = 0, capsrows = 0;
    int64_t cases_all = 0;
    if (!st && !rank) {
        double t1 = now_seconds();
        st = h5w_open(&w, output, H5_KIND_SIMULATION, top->compression, top->deflate_level, top->chunk_rows, err, sizeof err);
        if (!st && (grp = H5Gcreate2(w.file, "regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
            snprintf(err, sizeof err, "%s: cannot create /regions", output);
            st = CM_ERR_OUTPUT;
        }
        hid_t *uf = calloc((size_t)nunits + 1, sizeof *uf);
        if (!st && !uf) { st = CM_ERR_NOMEM; snprintf(err, sizeof err, "out of memory"); }
        for (int i = 0; i < n && !st; i++) {
            cm_config *c = &rc[i];
            for (int u = ufirst[i]; u < ufirst[i + 1]; u++) uf[u] = -1;
            for (int u = ufirst[i]; u < ufirst[i + 1] && !st; u++) {
                char one[CM_PATH_MAX + 96];
                psim_unit_path(one, sizeof one, output, u, pid0);
                if ((uf[u] = H5Fopen(one, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
                    snprintf(err, sizeof err, "%s: cannot open region %s's simulation (unit %d, rank %d)", one, c->region, u,
                             uowner[u]);
                    st = CM_ERR_OUTPUT;
                }
            }
            hid_t rg = st ? -1 : H5Gcreate2(grp, c->region, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            hid_t sg = rg < 0 ? -1 : H5Gcreate2(rg, "scenarios", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            int64_t cases = 0;
            char nm[512] = ""; /* the names attribute of a one-region /scenarios */
            for (int k = 0; k < sc[i].n; k++)
                snprintf(nm + strlen(nm), sizeof nm - strlen(nm), "%s%s", k ? "," : "", sc[i].name[k]);
            int e = sg < 0 || h5_attr_str(sg, "names", nm);
            for (int k = 0; k < sc[i].n && !e; k++) {
                char src[CM_SCEN_NAME_MAX + 16];
                snprintf(src, sizeof src, "/scenarios/%s", sc[i].name[k]);
                e = H5Ocopy(uf[ufirst[i] + sc[i].chunk[k]], src, sg, sc[i].name[k], H5P_DEFAULT, H5P_DEFAULT) < 0;
            }
            if (!e && H5Aexists(uf[ufirst[i]], "cases") > 0) {
                hid_t a = H5Aopen(uf[ufirst[i]], "cases", H5P_DEFAULT);
                if (a >= 0) { (void)H5Aread(a, H5T_NATIVE_INT64, &cases); H5Aclose(a); }
            }
            if (!e) e = h5_attr_str(rg, "region", c->region) || h5_attr_str(rg, "input", sharing[i] ? export : c->input_file) ||
                        h5_attr_i64(rg, "cases", cases) ||
                        (sharing[i] && !direct && h5_attr_i64(rg, "records", (int64_t)rows_of[i]));
            if (!st && e) {
                snprintf(err, sizeof err, "%s: cannot copy region %s's scenarios", output, c->region);
                st = CM_ERR_OUTPUT;
            }
            if (sg >= 0) H5Gclose(sg);
            if (!st && psim_rows_of(rg, c->region, &srows, &nsrows, &capsrows)) {
                snprintf(err, sizeof err, "%s: cannot read region %s's scenario summaries", output, c->region);
                st = CM_ERR_OUTPUT;
            }
            if (rg >= 0) H5Gclose(rg);
            for (int u = ufirst[i]; u < ufirst[i + 1]; u++)
                if (uf[u] >= 0) H5Fclose(uf[u]);
            cases_all += cases;
            if (!st && !o->quiet) {
                printf("  region %-8s %10lld cases -> /regions/%s/scenarios", c->region, (long long)cases, c->region);
                if (nranks > 1) {
                    printf(" (rank");
                    for (int u = ufirst[i]; u < ufirst[i + 1]; u++) printf("%s%d", u > ufirst[i] ? "," : " ", uowner[u]);
                    printf(")");
                }
                printf("\n");
            }
            if (!st && g_interrupted) st = CM_ERR_INTERRUPTED;
        }
        free(uf);
        /* read = assigned + rejected: the export's rows, those handed to a region, those in /rejects */
        int64_t assigned = 0;
        for (int i = 0; i < n; i++) assigned += (int64_t)rows_of[i];
        int64_t rejected = (int64_t)unassigned.n, read = assigned + rejected;
        if (!st) st = psim_write_summary(&w, srows, nsrows);
        if (!st) {
            hid_t d = H5Dopen2(w.file, "province_summary", H5P_DEFAULT);
            int e = d < 0;
            if (!e && nshare && !direct)
                e = h5_attr_i64(d, "records_read", read) || h5_attr_i64(d, "records_to_regions", assigned) ||
                    h5_attr_i64(d, "records_rejected", rejected) ||
                    h5_attr_str(d, "records", "rows of the province export: records_read = records_to_regions + "
                                              "records_rejected (/rejects: no configured region); each region's "
                                              "share is the records attribute of /regions/<code>");
            if (d >= 0) H5Dclose(d);
            if (e) { snprintf(err, sizeof err, "%s: writing /province_summary failed", output); st = CM_ERR_OUTPUT; }
        }
        if (!st)
            st = write_rejects(&unassigned, &w, "rejects",
                               "Rows of the province export without a configured region: input line, case id, field, reason");
        if (!st) {
            int e = h5_attr_str(w.file, "province", top->region) | h5_attr_str(w.file, "period", top->period) |
                    h5_attr_str(w.file, "config", top->path) | h5_attr_str(w.file, "config_sha256", top->sha256) |
                    h5_attr_i64(w.file, "regions", n) | h5_attr_i64(w.file, "unassigned_rows", (int64_t)unassigned.n);
            if (e) { snprintf(err, sizeof err, "%s: writing the output failed", output); st = CM_ERR_OUTPUT; }
        }
        if (grp >= 0) H5Gclose(grp);
        grp = -1;
        if (w.file >= 0) {
            if (st) h5w_abort(&w);
            else st = h5w_commit(&w, err, sizeof err);
            w.file = -1;
        }
        mine = st != CM_OK && err[0];
        t_assemble = now_seconds() - t1;
        if (!st && !o->quiet) {
            if (nshare && !direct)
                printf("records: %lld read = %lld to the regions + %lld rejected (no configured region: /rejects)\n",
                       (long long)read, (long long)assigned, (long long)rejected);
        }
    }
    tb = now_seconds();
    st = prov_agree(st);
    t_comm += now_seconds() - tb;
    /* the slowest rank's times */
    double mw = prov_max_over_ranks(t_work), mwr = prov_max_over_ranks(t_write), mc = prov_max_over_ranks(t_comm);
    for (int u = 0; u < nunits; u++) /* each rank its own units' files */
        if (uowner && uowner[u] == rank) {
            char one[CM_PATH_MAX + 96];
            psim_unit_path(one, sizeof one, output, u, pid0);
            unlink(one);
        }
    if (!rank && paths && dir[0]) prov_remove_split(paths, n, dir);
    double secs = now_seconds() - t_begin;
    if (st) {
        if (mine) {
            if (st == CM_ERR_INTERRUPTED) fprintf(stderr, "casemix: interrupted; no output written\n");
            else if (err[0]) fprintf(stderr, "casemix: %s\n", err);
            if (st == CM_ERR_CONFIG) fprintf(stderr, "casemix: nothing was done\n");
        }
    } else if (!rank) {
        if (!o->quiet) {
            printf("wrote %s  (%d regions, %lld cases; %zu rows without a configured region in /rejects)\n", output, n,
                   (long long)cases_all, unassigned.n);
            printf("  %.2f s: split %.2f s, units %.2f s (slowest rank; their writing %.2f s) + assembling %.2f s, MPI "
                   "communication %.2f s (slowest rank; %d rank%s, %d unit%s)\n", secs, t_split, mw, mwr, t_assemble, mc,
                   nranks, nranks > 1 ? "s" : "", nunits, nunits > 1 ? "s" : "");
        }
    }
    pl_rejects_free(&unassigned);
    free(srows);
    free(names);
    for (int i = 0; sc && i < n; i++) { free(sc[i].name); free(sc[i].w); free(sc[i].chunk); }
    free(sc);
    free(rc);
    free(sharing);
    free(chunks);
    free(ufirst);
    free(size);
    free(rows_of);
    free(sum_w);
    free(max_w);
    free(nscen);
    free(paths);
    free(ucost);
    free(uowner);
    free(load);
    return st;
}
