/*
 * bench.c - casemix bench: one stage of the pipeline, timed, for the
 * benchmark suite (bench/bench.sh) and for floors measured on the same file
 * in the same run:
 *
 *   read      map the file, cut it into chunks and count the rows of every
 *             chunk: every byte touched once, nothing parsed (the I/O floor)
 *   tokenize  read + split every row into fields with the engine's own
 *             tokenizer, nothing else (the parse floor)
 *   parse     read + tokenize + parse every field (amounts, dates, codes)
 *   dip       parse + DIP grouping of every case
 *   drg       parse + CHS-DRG grouping of every case
 *   flags     supervision (稽核): the period built with the supervision facts
 *             and the baseline scenario (not timed), then the case rules,
 *             rule mask and re-review sample (sv_run: timed); the read's own
 *             share (facts per row) is settle with and without supervision
 *   write     the /cases rows of an existing settle output written again
 *             with the output settings (chunks, filters) and no computation
 *             (the write floor: the same bytes)
 *
 * Prints one JSON object per run on stdout: stage, threads, seconds,
 * records, input bytes, output bytes, peak RSS.
 */
#include "settle.h"
#include "h5out.h"
#include "period.h"
#include "supervise.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

typedef struct {
    const gr_dip *dip;
    const gr_drg *drg;
    int64_t *sink;     /* per-thread counters so the work is not optimised away */
} bench_ctx;

static void bench_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    bench_ctx *x = vctx;
    if (c->status != SLOT_CASE) return;
    int64_t v = 1;
    if (x->dip) {
        gr_dip_result r;
        gr_dip_assign(x->dip, &p->gc, &r);
        v += r.group;
    }
    if (x->drg) {
        gr_drg_result r;
        gr_drg_assign(x->drg, &p->gc, &r);
        v += r.drg;
    }
    x->sink[tid * 8] += v;
}

static long rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

cm_status cmd_bench(const cm_config *cfg, const char *stage, const char *input, const char *output,
              long long rows, long long rowbytes)
{
    char err[1024] = "";
    int nt = pl_threads();
    double t0 = now_seconds();
    if (!strcmp(stage, "write")) {
        /* the write floor: the /cases bytes of an existing settle output
         * (input), written again with the configured chunks and filters */
        if (!output || !input) {
            fprintf(stderr, "casemix bench --stage write needs --input SETTLE.h5 --out FILE.h5\n");
            return CM_ERR_USAGE;
        }
        (void)rows;
        (void)rowbytes;
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        hid_t in = H5Fopen(input, H5F_ACC_RDONLY, H5P_DEFAULT);
        hid_t ids = in >= 0 ? H5Dopen2(in, "cases", H5P_DEFAULT) : -1;
        if (ids < 0) {
            fprintf(stderr, "casemix bench: %s: cannot read /cases (give a settle output)\n", input);
            if (in >= 0) H5Fclose(in);
            return CM_ERR_INPUT;
        }
        hid_t type = H5Dget_type(ids), sp = H5Dget_space(ids);
        hsize_t n = 0;
        H5Sget_simple_extent_dims(sp, &n, NULL);
        size_t rs = H5Tget_size(type);
        unsigned char *all = malloc(n ? n * rs : 1);
        int e = !all || (n && H5Dread(ids, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, all) < 0);
        H5Sclose(sp);
        H5Dclose(ids);
        H5Fclose(in);
        t0 = now_seconds();
        h5w w;
        if (!e && h5w_open(&w, output, H5_KIND_WRITE_FLOOR, cfg->compression, cfg->deflate_level, cfg->chunk_rows, err, sizeof err))
            e = 1;
        else if (!e)
            w.deflate_lib = cfg->deflate_library;
        if (e) {
            fprintf(stderr, "casemix: %s\n", err[0] ? err : "cannot read the input rows");
            free(all);
            H5Tclose(type);
            return CM_ERR_OUTPUT;
        }
        h5row r;
        h5row_begin(&r);
        r.type = H5Tcopy(type);
        r.size = rs;
        hid_t ds = h5w_table(&w, "cases", "write floor", &r, n);
        e = ds < 0;
        hsize_t chn = ds >= 0 ? h5w_chunk_rows(ds) : 0, B = 65536;
        if (chn > 0) B = (B + chn - 1) / chn * chn;
        for (hsize_t at = 0; !e && at < n; at += B) {
            hsize_t k = n - at < B ? n - at : B;
            e = h5w_rows_fast(&w, ds, &r, at, k, all + at * rs);
        }
        if (ds >= 0) H5Dclose(ds);
        h5row_free(&r);
        H5Tclose(type);
        free(all);
        if (e || h5w_commit(&w, err, sizeof err)) {
            if (e) h5w_abort(&w);
            fprintf(stderr, "casemix: %s\n", err[0] ? err : "write floor failed");
            return CM_ERR_OUTPUT;
        }
        struct stat sb;
        stat(output, &sb);
        printf("{\"stage\":\"write\",\"threads\":%d,\"seconds\":%.4f,\"records\":%lld,\"out_bytes\":%lld,"
               "\"peak_rss_kb\":%ld}\n",
               nt, now_seconds() - t0, (long long)n, (long long)sb.st_size, rss_kb());
        return 0;
    }
    if (!strcmp(stage, "flags")) {
        if (!input) { fprintf(stderr, "casemix bench: --input CSV is required\n"); return CM_ERR_USAGE; }
        static cm_period p0;
        static cm_scenario s0;
        double tb = now_seconds();
        cm_status rc = period_build_sup(&p0, cfg, input, 1, 1, err, sizeof err);
        if (!rc) rc = sn_run(&s0, &p0, cfg, SN_IN_SLOTS, err, sizeof err);
        double t_build = now_seconds() - tb, t_sup = 0;
        if (!rc) {
            double ts = now_seconds();
            rc = sv_run(p0.sup, &p0, &s0, err, sizeof err);
            t_sup = now_seconds() - ts;
        }
        long long records = (long long)p0.records;
        double ph[4];
        for (int k = 0; k < 4; k++) ph[k] = sv_phase_seconds(p0.sup, k);
        sn_free(&s0);
        period_free(&p0);
        if (rc) { fprintf(stderr, "casemix: %s\n", err); return rc; }
        printf("{\"stage\":\"flags\",\"threads\":%d,\"seconds\":%.4f,\"build_seconds\":%.4f,\"cross\":%.4f,"
               "\"single\":%.4f,\"merge\":%.4f,\"sample\":%.4f,\"records\":%lld,\"peak_rss_kb\":%ld}\n",
               nt, t_sup, t_build, ph[0], ph[1], ph[2], ph[3], records, rss_kb());
        return 0;
    }
    int want_dip = !strcmp(stage, "dip"), want_drg = !strcmp(stage, "drg");
    if (!want_dip && !want_drg && strcmp(stage, "read") && strcmp(stage, "tokenize") && strcmp(stage, "parse")) {
        fprintf(stderr, "casemix bench: unknown --stage '%s' (read, tokenize, parse, dip, drg, flags, write)\n", stage);
        return CM_ERR_USAGE;
    }
    if (!input) { fprintf(stderr, "casemix bench: --input CSV is required\n"); return CM_ERR_USAGE; }
    gr_dip *dip = NULL;
    gr_drg *drg = NULL;
    if ((want_dip || want_drg) && load_tables(cfg, want_dip, want_drg, &dip, &drg, NULL, err, sizeof err)) {
        fprintf(stderr, "casemix: %s\n", err);
        return CM_ERR_CONFIG;
    }
    double t_load = now_seconds() - t0;
    double t1 = now_seconds();
    long long records = 0;
    uint64_t bytes = 0;
    cm_status rc = CM_OK;
    if (!strcmp(stage, "read")) {
        cm_reader r;
        cm_chunk *chunks = NULL;
        size_t cap = 0, next = 0;
        rc = rd_open(&r, input, NULL, RD_ENC_AUTO, err, sizeof err);
        size_t n = 0;
        while (!rc && !(rc = rd_next_block(&r, (size_t)1 << 20, &chunks, &cap, &n, err, sizeof err)) && n > 0) {
            /* the floor touches every byte once: rows counted, nothing parsed */
            if ((rc = rd_count_block(&r, (size_t)1 << 20, &chunks, &cap, &n, err, sizeof err)) != CM_OK) break;
            next += rd_number_chunks(&r, chunks, n, next);
        }
        records = (long long)next;
        bytes = r.size;
        free(chunks);
        rd_close(&r);
    } else {
        int64_t sink[CM_MAX_THREADS * 8];
        memset(sink, 0, sizeof sink);
        bench_ctx x = {dip, drg, sink};
        cm_parse_opts po = {.need = cm_need_columns(CM_RUN_BENCH, 0, 0), .mismatch = CM_MISMATCH_FLAG,
                            .tokenize_only = !strcmp(stage, "tokenize"), .encoding = RD_ENC_AUTO};
        pl_slots s;
        cm_reader hdr;
        static const int req[] = {COL_CASE_ID, -1};
        rc = pl_read(input, NULL, req, &po, bench_row, &x, &s, &hdr, NULL, NULL, err, sizeof err);
        records = (long long)s.n;
        bytes = hdr.size;
        pl_slots_free(&s);
    }
    double secs = now_seconds() - t1;
    gr_dip_free(dip);
    gr_drg_free(drg);
    if (rc) {
        fprintf(stderr, "casemix: %s\n", err);
        return rc == CM_ERR_NOMEM || rc == CM_ERR_INTERRUPTED ? rc : CM_ERR_INPUT;
    }
    printf("{\"stage\":\"%s\",\"threads\":%d,\"seconds\":%.4f,\"load_seconds\":%.4f,\"records\":%lld,"
           "\"in_bytes\":%llu,\"peak_rss_kb\":%ld}\n",
           stage, nt, secs, t_load, records, (unsigned long long)bytes, rss_kb());
    return 0;
}
