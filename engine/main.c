/*
 * main.c - the casemix command line.
 *
 *   casemix settle    --config FILE [--input CSV] [--out FILE.h5] [--threads N] [--quiet]
 *   casemix calibrate --config FILE [--out FILE.h5] [--threads N]
 *   casemix gen       --config FILE --out DIR [--cases N] [--history-cases N] [--seed S]
 *                     [--bad-rows F] [--threads N]
 *   casemix group     --scheme dip|drg --config FILE --input CSV --out CSV [--explain CASE_ID]
 *   casemix columns   (input columns and their Chinese aliases)
 *
 * Exit codes: see engine.h (CM_EXIT_*) and the README.
 */
#include "settle.h"
#include "../bench/gen.h"

#include <hdf5.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static void usage(FILE *f)
{
    fputs("casemix " CM_VERSION " - DIP / CHS-DRG settlement engine (按病种分值付费 / 疾病诊断相关分组)\n"
          "\n"
          "usage:\n"
          "  casemix settle    --config FILE [--input CSV] [--out FILE.h5] [--threads N] [--quiet]\n"
          "                    [--timings FILE.json]\n"
          "  casemix calibrate --config FILE [--out FILE.h5] [--threads N]\n"
          "  casemix gen       --config FILE --out DIR [--cases N] [--history-cases N|-1] [--seed S]\n"
          "                    [--bad-rows SHARE] [--threads N]\n"
          "  casemix group     --scheme dip|drg --config FILE --input CSV --out CSV\n"
          "                    [--explain CASE_ID] [--threads N]\n"
          "  casemix columns   list input columns and accepted Chinese headers\n"
          "  casemix bench     --config FILE --stage read|tokenize|parse|dip|drg --input CSV [--threads N]\n"
          "                    --stage write --input SETTLE.h5 --out FILE.h5   (benchmark stages and floors)\n"
          "  casemix --help | --version\n"
          "\n"
          "exit codes: 0 ok, 2 usage, 3 configuration or table error (nothing done),\n"
          "            4 input unusable, 5 output cannot be written, 6 interrupted, 7 internal\n"
          "A bad record is never an error of the run: it is rejected with its line and reason.\n",
          f);
}

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
    gen_interrupt = 1;
}

typedef struct {
    const char *config, *input, *out, *scheme, *explain, *stage, *timings;
    long long rows, row_bytes;
    long long cases, history_cases;
    unsigned long long seed;
    int has_cases, has_history_cases, has_seed;
    double bad_rows;
    int has_bad_rows;
    int threads, quiet;
} cli;

static int parse_args(int argc, char **argv, cli *a)
{
    memset(a, 0, sizeof *a);
    a->history_cases = 0;
    for (int i = 2; i < argc; i++) {
        const char *k = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED()                                                                   \
    do {                                                                         \
        if (!v) { fprintf(stderr, "casemix: %s needs a value\n", k); return -1; } \
        i++;                                                                     \
    } while (0)
        char *end = NULL;
        if (!strcmp(k, "--config")) { NEED(); a->config = v; }
        else if (!strcmp(k, "--input")) { NEED(); a->input = v; }
        else if (!strcmp(k, "--out")) { NEED(); a->out = v; }
        else if (!strcmp(k, "--scheme")) { NEED(); a->scheme = v; }
        else if (!strcmp(k, "--explain")) { NEED(); a->explain = v; }
        else if (!strcmp(k, "--stage")) { NEED(); a->stage = v; }
        else if (!strcmp(k, "--timings")) { NEED(); a->timings = v; }
        else if (!strcmp(k, "--rows")) { NEED(); a->rows = strtoll(v, &end, 10); }
        else if (!strcmp(k, "--row-bytes")) { NEED(); a->row_bytes = strtoll(v, &end, 10); }
        else if (!strcmp(k, "--quiet")) a->quiet = 1;
        else if (!strcmp(k, "--threads")) {
            NEED();
            a->threads = (int)strtol(v, &end, 10);
            if (*end || a->threads < 1 || a->threads > 255) {
                fprintf(stderr, "casemix: --threads needs a number from 1 to 255\n");
                return -1;
            }
        } else if (!strcmp(k, "--cases") || !strcmp(k, "--history-cases")) {
            NEED();
            long long n = strtoll(v, &end, 10);
            int hist = k[2] == 'h';
            if (*end || n < (hist ? -1 : 0)) {
                fprintf(stderr, "casemix: %s needs a whole number >= 0%s\n", k, hist ? " (-1: no history files)" : "");
                return -1;
            }
            if (k[2] == 'c') { a->cases = n; a->has_cases = 1; }
            else { a->history_cases = n; a->has_history_cases = 1; }
        } else if (!strcmp(k, "--seed")) {
            NEED();
            a->seed = strtoull(v, &end, 10);
            if (*end) { fprintf(stderr, "casemix: --seed needs a whole number\n"); return -1; }
            a->has_seed = 1;
        } else if (!strcmp(k, "--bad-rows")) {
            NEED();
            a->bad_rows = strtod(v, &end);
            if (*end || a->bad_rows < 0 || a->bad_rows > 1) {
                fprintf(stderr, "casemix: --bad-rows needs a share from 0 to 1\n");
                return -1;
            }
            a->has_bad_rows = 1;
        } else {
            fprintf(stderr, "casemix: unknown option '%s'; see casemix --help\n", k);
            return -1;
        }
#undef NEED
    }
    return 0;
}

static int load_config(const char *path, cm_config *c)
{
    if (!path) {
        fprintf(stderr, "casemix: --config FILE is required (see config/example.cfg)\n");
        return CM_EXIT_USAGE;
    }
    cm_cfg_error e;
    memset(&e, 0, sizeof e);
    cm_cfg_status st = cm_config_load(path, c, &e);
    if (st != CM_CFG_OK) {
        if (e.line > 0)
            fprintf(stderr, "%s:%d: %s%s%s\n", e.file, e.line, e.key[0] ? e.key : "", e.key[0] ? ": " : "", e.msg);
        else
            fprintf(stderr, "%s: %s%s%s\n", e.file[0] ? e.file : path, e.key[0] ? e.key : "",
                    e.key[0] ? ": " : "", e.msg);
        fprintf(stderr, "casemix: configuration rejected; nothing was done\n");
        return CM_EXIT_CONFIG;
    }
    return 0;
}

static void gen_progress(void *user, int year, int64_t done, int64_t total)
{
    (void)user;
    if (progress_enabled() && total > 0)
        fprintf(stderr, "\rgenerating %d: %5.1f%%%s", year, 100.0 * (double)done / (double)total,
                done >= total ? "\n" : "");
}

static int cmd_gen(const cm_config *cfg, const cli *a)
{
    if (!a->out) { fprintf(stderr, "casemix gen: --out DIR is required\n"); return CM_EXIT_USAGE; }
    gr_dip *dip = NULL;
    gr_error ge;
    memset(&ge, 0, sizeof ge);
    if (gr_dip_load(&cfg->dip, &dip, &ge) != GR_OK) {
        fprintf(stderr, "%s:%ld: %s\n", ge.file, ge.line, ge.msg);
        return CM_EXIT_CONFIG;
    }
    int64_t cases = a->has_cases ? a->cases : cfg->gen_cases;
    int64_t hist = a->has_history_cases ? a->history_cases : cfg->gen_history_cases;
    uint64_t seed = a->has_seed ? a->seed : cfg->gen_seed;
    double bad = a->has_bad_rows ? a->bad_rows : cfg->gen_bad_rows;
    char err[1024] = "";
    gen_stats st;
    memset(&st, 0, sizeof st);
    int rc = gen_region_ex(cfg, dip, a->out, cases, hist, seed, bad, &st,
                           a->quiet ? NULL : gen_progress, NULL, err, sizeof err);
    if (rc) {
        fprintf(stderr, "casemix gen: %s\n", err);
        gr_dip_free(dip);
        return gen_interrupt ? CM_EXIT_INTERRUPTED : CM_EXIT_OUTPUT;
    }
    if (!a->quiet) {
        printf("casemix gen: seed %llu, %zu of %zu groups drawable\n", (unsigned long long)seed,
               st.n_drawable, st.n_groups);
        for (int i = 0; i < st.nfiles; i++) {
            if (i == 0) printf("  %s/current.csv: ", a->out);
            else printf("  %s/history_%d.csv: ", a->out, st.year[i]);
            printf("%lld rows (discharge year %d)\n", (long long)st.rows[i], st.year[i]);
        }
        printf("  %.1f MB in %.2f s\n", (double)st.bytes / 1e6, st.seconds);
    }
    gr_dip_free(dip);
    return 0;
}

/* ---- casemix group ------------------------------------------------ */

typedef struct {
    const gr_dip *dip;
    const gr_drg *drg;
    pl_rejects *rej;
    pl_rejects *qual;           /* [nt] data-quality notes of kept rows */
    const char *explain;
    int found;
} group_ctx;

static void group_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    group_ctx *x = vctx;
    if (c->status == SLOT_EMPTY) return;
    if (c->status == SLOT_REJECT) {
        pl_reject_add(&x->rej[tid], c->line, rd_row_id(p, c), p->rj_field, p->rj_reason);
        return;
    }
    if (p->nnotes) pl_notes_add(&x->qual[tid], p, c);
    pl_group_case(x->dip, x->drg, &p->gc, c);
    if (x->drg && x->explain && strcmp(x->explain, rd_row_id(p, c)) == 0) {
        char buf[8192];
        gr_drg_explain(x->drg, &p->gc, buf, sizeof buf);
#pragma omp critical(explain)
        {
            fprintf(stderr, "case %s (line %u):\n%s\n", rd_row_id(p, c), c->line, buf);
            x->found = 1;
        }
    }
}


static int cmd_group(const cm_config *cfg, const cli *a)
{
    if (!a->input || !a->out) {
        fprintf(stderr, "casemix group: --input CSV and --out CSV are required\n");
        return CM_EXIT_USAGE;
    }
    int drg_mode = a->scheme && !strcmp(a->scheme, "drg");
    if (!a->scheme || (!drg_mode && strcmp(a->scheme, "dip"))) {
        fprintf(stderr, "casemix group: --scheme dip or --scheme drg is required\n");
        return CM_EXIT_USAGE;
    }
    if (drg_mode && !cfg->drg_dir[0]) {
        fprintf(stderr, "%s: drg.tables is not set; point it at a CHS-DRG table folder\n", cfg->path);
        return CM_EXIT_CONFIG;
    }
    char err[1024] = "";
    gr_dip *dip = NULL;
    gr_drg *drg = NULL;
    struct col_aliases *al = NULL;
    if (load_tables(cfg, !drg_mode, drg_mode, &dip, &drg, &al, err, sizeof err)) {
        fprintf(stderr, "casemix: %s\n", err);
        return CM_EXIT_CONFIG;
    }
    int nt = pl_threads();
    pl_rejects *rejs = calloc((size_t)nt, sizeof *rejs), *quals = calloc((size_t)nt, sizeof *quals);
    group_ctx x = {dip, drg, rejs, quals, a->explain, 0};
    static const int required[] = {COL_CASE_ID, COL_PDX, -1};
    cm_parse_opts po = {.need = cm_need_columns(CM_RUN_GROUP, !drg_mode, drg_mode), .mismatch = CM_MISMATCH_FLAG};
    pl_slots s;
    double t0 = now_seconds();
    int rc = pl_read(a->input, al, required, &po, group_row, &x, &s, NULL, NULL, NULL, err, sizeof err);
    double t_read = now_seconds() - t0;
    int exitc = 0;
    pl_rejects rej, qual;
    memset(&rej, 0, sizeof rej);
    memset(&qual, 0, sizeof qual);
    if (!rc && (!rejs || !quals)) { snprintf(err, sizeof err, "out of memory"); rc = -1; }
    if (rc) {
        fprintf(stderr, "casemix: %s\n", rc == -2 ? "interrupted; no output written" : err);
        exitc = rc == -2 ? CM_EXIT_INTERRUPTED : CM_EXIT_INPUT;
        goto out;
    }
    pl_rejects_merge(rejs, nt, &rej);
    pl_rejects_merge(quals, nt, &qual);
    char tmp[CM_PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", a->out, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "casemix: %s: cannot write the output; check the directory\n", a->out);
        exitc = CM_EXIT_OUTPUT;
        goto out;
    }
    static char obuf[1 << 20];
    setvbuf(f, obuf, _IOFBF, sizeof obuf);
    /* quality: the fields of a kept row treated as missing, with the reason */
    if (drg_mode) fputs("case_id,line,status,mdc,adrg,drg,cc,reason,quality\n", f);
    else fputs("case_id,line,group,group_type,match_path,status,reason,quality\n", f);
    size_t rj = 0, qi = 0;
    int64_t ncase = 0, nrej = 0, nblank = 0, nnote = 0;
    for (size_t i = 0; i < s.n; i++) {
        if ((i & 0xFFFF) == 0 && g_interrupted) break;
        const cm_case *c = &s.slots[i];
        if (c->status == SLOT_EMPTY) continue;
        if (c->status == SLOT_REJECT) {
            while (rj < rej.n && rej.e[rj].line < c->line) rj++;
            const cm_reject *e = rj < rej.n ? &rej.e[rj] : NULL;
            csv_put(f, pl_case_id(&s, i));
            fprintf(f, ",%u,%s", c->line, drg_mode ? "REJECTED,0000,00,0000,," : ",,,REJECTED,");
            char why[160];
            snprintf(why, sizeof why, "%s%s%s", e && e->field[0] ? e->field : "", e && e->field[0] ? ": " : "",
                     e ? e->reason : "");
            csv_put(f, why);
            fputs(",\n", f);
            nrej++;
            continue;
        }
        ncase++;
        csv_put(f, pl_case_id(&s, i));
        if (drg_mode) {
            int32_t adrg = c->drg >= 0 ? gr_drg_adrg_of(drg, c->drg) : -1;
            static const char *const CC[] = {"", "CC", "MCC"};
            fprintf(f, ",%u,%s,%s,%s,%s,%s,%s,", c->line, gr_drg_status_name((gr_drg_status)c->drg_status),
                    gr_drg_mdc_code(drg, c->mdc), gr_drg_adrg_code(drg, adrg), gr_drg_code(drg, c->drg),
                    CC[c->cc < 3 ? c->cc : 0], c->drg_why ? gr_drg_why_name((gr_drg_why)c->drg_why) : "");
        } else {
            const gr_dip_group *G = gr_dip_group_at(dip, (size_t)c->group);
            static const char *const TYPES[] = {"comprehensive", "core", "blank"};
            fputc(',', f);
            fprintf(f, "%u,", c->line);
            csv_put(f, G->published);
            fprintf(f, ",%s,%s,%s,%s,", TYPES[G->type < 3 ? G->type : 2], gr_dip_path_name((gr_dip_path)c->path),
                    G->type == GR_DIP_BLANK ? "BLANK" : "OK", gr_dip_why_name((gr_dip_why)c->why));
            nblank += G->type == GR_DIP_BLANK;
        }
        while (qi < qual.n && qual.e[qi].line < c->line) qi++;
        if (qi < qual.n && qual.e[qi].line == c->line) {
            char q[1024];
            size_t ql = 0;
            for (; qi < qual.n && qual.e[qi].line == c->line; qi++)
                ql += (size_t)snprintf(q + ql, ql < sizeof q ? sizeof q - ql : 0, "%s%s: %s", ql ? "; " : "",
                                       qual.e[qi].field, qual.e[qi].reason);
            csv_put(f, q);
            nnote++;
        }
        fputc('\n', f);
    }
    if (g_interrupted) {
        fclose(f);
        remove(tmp);
        fprintf(stderr, "casemix: interrupted; no output written\n");
        exitc = CM_EXIT_INTERRUPTED;
        goto out;
    }
    if (fclose(f) != 0 || rename(tmp, a->out) != 0) {
        remove(tmp);
        fprintf(stderr, "casemix: %s: writing the output failed (disk full?); nothing was left behind\n", a->out);
        exitc = CM_EXIT_OUTPUT;
        goto out;
    }
    if (a->explain && !x.found) fprintf(stderr, "casemix: case %s not found in %s\n", a->explain, a->input);
    if (!a->quiet)
        fprintf(stderr, "casemix group: %lld records = %lld grouped + %lld rejected%s; %lld kept with a quality "
                        "note; %.2f s (%.0f records/s); %s\n",
                (long long)(ncase + nrej), (long long)ncase, (long long)nrej,
                drg_mode ? "" : (nblank ? " (some in the blank group KBBZ)" : ""), (long long)nnote, t_read,
                (double)(ncase + nrej) / (t_read > 0 ? t_read : 1), a->out);
out:
    for (int t = 0; rejs && t < nt; t++) pl_rejects_free(&rejs[t]);
    for (int t = 0; quals && t < nt; t++) pl_rejects_free(&quals[t]);
    free(rejs);
    free(quals);
    pl_rejects_free(&rej);
    pl_rejects_free(&qual);
    pl_slots_free(&s);
    col_aliases_free(al);
    gr_dip_free(dip);
    gr_drg_free(drg);
    return exitc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CM_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("casemix %s\n", CM_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "columns")) {
        col_print_aliases(stdout);
        return 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "settle") && strcmp(cmd, "calibrate") && strcmp(cmd, "gen") && strcmp(cmd, "group") &&
        strcmp(cmd, "bench")) {
        fprintf(stderr, "casemix: unknown command '%s'\n\n", cmd);
        usage(stderr);
        return CM_EXIT_USAGE;
    }
    cli a;
    if (parse_args(argc, argv, &a)) return CM_EXIT_USAGE;
    static cm_config cfg;
    int rc = load_config(a.config, &cfg);
    if (rc) return rc;
    int threads = a.threads ? a.threads : cfg.threads;
#ifdef _OPENMP
    if (threads > 0) omp_set_num_threads(threads);
#endif
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* a file-size limit makes write() fail with EFBIG instead of killing us,
     * so the temporary output is removed and the exit code says why */
    signal(SIGXFSZ, SIG_IGN);
    /* HDF5 1.10 closes still-open files again at exit; after a failed write
     * (disk full) that second close crashes. Files are closed explicitly
     * (h5w_commit / h5w_abort), so the library's exit handler is not needed. */
    H5dont_atexit();
    cm_run_opts o = {a.input, a.out, threads, a.quiet, a.timings};
    if (!strcmp(cmd, "settle")) return cmd_settle(&cfg, &o);
    if (!strcmp(cmd, "bench")) {
        if (!a.stage) { fprintf(stderr, "casemix bench: --stage is required\n"); return CM_EXIT_USAGE; }
        return cmd_bench(&cfg, a.stage, a.input, a.out, a.rows, a.row_bytes);
    }
    if (!strcmp(cmd, "calibrate")) return cmd_calibrate(&cfg, &o);
    if (!strcmp(cmd, "gen")) return cmd_gen(&cfg, &a);
    return cmd_group(&cfg, &a);
}
