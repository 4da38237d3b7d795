/*
 * gen_province.c - a seeded synthetic province (省级多统筹区; casemix gen
 * --regions N, see gen.h): N pooling regions (统筹区) of different sizes,
 * each a gen_region of its own seed, joined into one export with a region
 * column, and a ready-to-run province configuration beside it.
 *
 *   DIR/<code>/current.csv  one region (the one-file-per-region input)
 *   DIR/province.csv        every region's rows in one export, interleaved
 *                           (each region's rows keep their order)
 *   DIR/province.cfg        shared defaults + a regions list: per region its
 *                           budget (Σ fund_paid of its cases, rounded), every
 *                           third region its own level-1 coefficient
 *   DIR/province-files.cfg  the same regions, each reading DIR/<code>/current.csv
 *
 * Region i (1-based): code PP<ii>00 (PP: the first two digits of the
 * configuration's region, the province), cases = the province's cases
 * shared by the weights GEN_PROVINCE_WEIGHTS (cycled; largest remainder),
 * seed = seed + i, institutions = generator.institutions x its share (at
 * least 3). Everything is a function of the arguments: the same bytes at
 * any thread count.
 */
#include "gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Relative region sizes, cycled (the test province of ten regions: 60 to 1,200 cases). */
static const int64_t WEIGHTS[] = { 1200, 60, 450, 750, 150, 1000, 320, 550, 240, 900 };
#define NW ((int)(sizeof WEIGHTS / sizeof WEIGHTS[0]))

int gen_province_sizes(int64_t total, int n, int64_t *sizes)
{
    if (n < 1 || n > GEN_MAX_REGIONS || total < 0) return -1;
    int64_t wsum = 0;
    for (int i = 0; i < n; i++) wsum += WEIGHTS[i % NW];
    int64_t given = 0;
    int64_t rem[GEN_MAX_REGIONS];
    for (int i = 0; i < n; i++) {
        /* total <= 99 x 99,999,999 and a weight <= 1,200: the product fits */
        int64_t p = total * WEIGHTS[i % NW];
        sizes[i] = p / wsum;
        rem[i] = p % wsum;
        given += sizes[i];
    }
    /* largest remainders first, ties to the lower index */
    for (int64_t left = total - given; left > 0; left--) {
        int best = 0;
        for (int i = 1; i < n; i++)
            if (rem[i] > rem[best]) best = i;
        sizes[best]++;
        rem[best] = -1;
    }
    return 0;
}

static double secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* fund_paid (yuan, "1234.56") of a generated row in fen; 0 when it is not a plain amount. */
static int64_t row_fund_fen(const char *line)
{
    const char *p = line;
    for (int k = 0; k < GEN_COL_FUND; k++) {
        p = strchr(p, ',');
        if (!p) return 0;
        p++;
    }
    int64_t yuan = 0, fen = 0;
    int nd = 0;
    for (; *p >= '0' && *p <= '9'; p++) yuan = yuan * 10 + (*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && nd < 2; p++, nd++) fen = fen * 10 + (*p - '0');
    if (nd == 1) fen *= 10;
    return yuan * 100 + fen;
}

/* The path as a libconfig string body (backslash and quote escaped). */
static void put_path(FILE *f, const char *key, const char *path)
{
    fprintf(f, "%s = \"", key);
    for (const char *p = path; *p; p++) {
        if (*p == '"' || *p == '\\') fputc('\\', f);
        fputc(*p, f);
    }
    fputs("\"; ", f);
}

static int write_cfg(const cm_config *cfg, const char *dir, const gen_province_info *in, int files, char *err,
                     size_t errlen)
{
    char path[CM_PATH_MAX + 64], tmp[CM_PATH_MAX + 80];
    const char *name = files ? "province-files" : "province";
    snprintf(path, sizeof path, "%s/%s.cfg", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot be written (%s); choose another --out", tmp, strerror(errno));
        return -1;
    }
    fprintf(f, "%s", GEN_PROVINCE_CFG_HEADER "\n");
    fprintf(f, "# %d pooling regions (统筹区) drawn from %s by casemix gen --regions %d\n"
               "# (seed %llu; region i: seed %llu + i). Settle them all:\n"
               "#   casemix settle --config %s/%s.cfg\n"
               "#   mpirun -np 2 ./casemix-mpi settle --config %s/%s.cfg   (make MPI=1)\n"
               "# Shared settings first (config/example.cfg lists every key); each entry of\n"
               "# `regions` overrides what differs, key by key (config/example-province.cfg).\n",
            in->n, cfg->dip_catalogue, in->n, (unsigned long long)in->seed, (unsigned long long)in->seed, dir, name,
            dir, name);
    fprintf(f, "region = \"%s\";   # the province (省)\n", in->province);
    fprintf(f, "period = \"%s\";\n", cfg->period[0] ? cfg->period : "2025");
    fprintf(f, "scheme = \"dip\";\n");
    if (!files) fprintf(f, "input = { records = \"province.csv\"; };   # one export, region column `region`\n");
    fputs("dip = { ", f);
    put_path(f, "catalogue", cfg->dip_catalogue);
    if (cfg->dip_group_stats[0]) put_path(f, "group_stats", cfg->dip_group_stats);
    if (cfg->dip_proc_attr[0]) put_path(f, "proc_attributes", cfg->dip_proc_attr);
    if (cfg->dip_icd10[0]) put_path(f, "icd10", cfg->dip_icd10);
    fputs("};\n", f);
    fprintf(f, "scores = { source = \"catalogue\"; };\n");
    fprintf(f, "coefficients = { mode = \"fixed\"; level1 = 0.85; level2 = 0.92; level3 = 1.0; };\n");
    fprintf(f, "output = { file = \"%s.h5\"; };   # /regions/<code>/..., /province_summary\n", name);
    fprintf(f, "# fund budget (医保基金预算) of a region: Σ fund_paid of its generated cases, rounded to 10,000 yuan\n");
    fprintf(f, "regions = (\n");
    for (int i = 0; i < in->n; i++) {
        const gen_province_region *r = &in->r[i];
        fprintf(f, "  { code = \"%s\"; ", r->code);
        if (files) fprintf(f, "input = { records = \"%s/current.csv\"; }; ", r->code);
        fprintf(f, "budget = { fund_budget = \"%lld.00\"; }; ", (long long)(r->budget_fen / 100));
        if (r->level1_override) fprintf(f, "coefficients = { level1 = 0.7; }; ");
        fprintf(f, "}%s   # %lld cases, %d institutions%s\n", i + 1 < in->n ? "," : " ", (long long)r->cases,
                r->institutions, r->level1_override ? "; its own level-1 coefficient" : "");
    }
    fprintf(f, ");\n");
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot be written (%s); check the disk or choose another --out", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* The export: the regions' rows interleaved in proportion to their sizes (the
 * next row comes from the region least far along, ties to the lower index). */
static int write_export(const char *dir, gen_province_info *in, char *err, size_t errlen)
{
    char path[CM_PATH_MAX + 64], tmp[CM_PATH_MAX + 80];
    snprintf(path, sizeof path, "%s/province.csv", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *src[GEN_MAX_REGIONS] = { 0 };
    char *line = NULL;
    size_t cap = 0;
    int64_t taken[GEN_MAX_REGIONS] = { 0 };
    int rc = -1;
    FILE *out = fopen(tmp, "w");
    if (!out) {
        snprintf(err, errlen, "%s: cannot be written (%s); choose another --out", tmp, strerror(errno));
        return -1;
    }
    fputs(GEN_CSV_HEADER "\n", out);
    for (int i = 0; i < in->n; i++) {
        char rp[CM_PATH_MAX + 64];
        snprintf(rp, sizeof rp, "%s/%s/current.csv", dir, in->r[i].code);
        src[i] = fopen(rp, "r");
        if (!src[i] || getline(&line, &cap, src[i]) < 0) {
            snprintf(err, errlen, "%s: cannot be read back (%s); check the disk", rp, strerror(errno));
            goto done;
        }
        in->r[i].fund_fen = 0;
    }
    for (;;) {
        int best = -1;
        for (int i = 0; i < in->n; i++) {
            if (taken[i] >= in->r[i].cases) continue;
            if (best < 0 || (taken[i] + 1) * in->r[best].cases < (taken[best] + 1) * in->r[i].cases) best = i;
        }
        if (best < 0) break;
        ssize_t len = getline(&line, &cap, src[best]);
        if (len <= 0) {
            snprintf(err, errlen, "%s/%s/current.csv: ends after %lld of %lld rows; run casemix gen again", dir,
                     in->r[best].code, (long long)taken[best], (long long)in->r[best].cases);
            goto done;
        }
        in->r[best].fund_fen += row_fund_fen(line);
        if (fwrite(line, 1, (size_t)len, out) != (size_t)len) {
            snprintf(err, errlen, "%s: cannot be written (%s); check the disk", tmp, strerror(errno));
            goto done;
        }
        taken[best]++;
        in->export_rows++;
    }
    rc = 0;
done:
    for (int i = 0; i < in->n; i++)
        if (src[i]) fclose(src[i]);
    free(line);
    if (fclose(out) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: cannot be written (%s); check the disk", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot be renamed to %s (%s)", tmp, path, strerror(errno));
        rc = -1;
    }
    if (rc) remove(tmp);
    return rc;
}

int gen_province_plan(const cm_config *cfg, int nregions, int64_t cases, uint64_t seed, gen_province_info *in,
                      char *err, size_t errlen)
{
    memset(in, 0, sizeof *in);
    if (nregions < 1 || nregions > GEN_MAX_REGIONS) {
        snprintf(err, errlen, "--regions needs 1 to %d regions, not %d", GEN_MAX_REGIONS, nregions);
        return -1;
    }
    if (!(cfg->region[0] >= '0' && cfg->region[0] <= '9' && cfg->region[1] >= '0' && cfg->region[1] <= '9')) {
        snprintf(err, errlen, "%s: region = \"%s\": --regions names the regions PP0100, PP0200, ... after the "
                 "province PP, the first two digits of region; set region to a code such as \"410400\"",
                 cfg->path, cfg->region);
        return -1;
    }
    if (cases < nregions || cases > (int64_t)nregions * GEN_MAX_ROWS) {
        snprintf(err, errlen, "--regions %d: the province's cases (--cases or generator.cases) must be %d to %lld, not %lld",
                 nregions, nregions, (long long)nregions * GEN_MAX_ROWS, (long long)cases);
        return -1;
    }
    int64_t sizes[GEN_MAX_REGIONS];
    gen_province_sizes(cases, nregions, sizes);
    in->n = nregions;
    in->seed = seed;
    in->province[0] = cfg->region[0];
    in->province[1] = cfg->region[1];
    for (int i = 0; i < nregions; i++) {
        gen_province_region *r = &in->r[i];
        if (sizes[i] > GEN_MAX_ROWS || sizes[i] < 1) {
            snprintf(err, errlen, "--regions %d: region %d would have %lld cases (1 to %lld); change --cases", nregions,
                     i + 1, (long long)sizes[i], (long long)GEN_MAX_ROWS);
            return -1;
        }
        snprintf(r->code, sizeof r->code, "%s%02d00", in->province, i + 1);
        r->cases = sizes[i];
        r->seed = seed + (uint64_t)(i + 1);
        int64_t inst = (cfg->gen_institutions * sizes[i] + cases / 2) / cases;
        r->institutions = inst < 3 ? 3 : (int)inst;
        r->level1_override = (i + 1) % 3 == 0;
    }
    return 0;
}

int gen_province(const cm_config *cfg, const gr_dip *dip, const char *dir, gen_province_info *in, double bad_rows,
                 gen_progress_fn progress, void *user, char *err, size_t errlen)
{
    double t0 = secs();
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create the output directory (%s); create its parent or choose another --out",
                 dir, strerror(errno));
        return -1;
    }
    cm_config *rc = malloc(sizeof *rc);
    if (!rc) {
        snprintf(err, errlen, "gen --regions: out of memory");
        return -1;
    }
    for (int i = 0; i < in->n; i++) {
        gen_province_region *r = &in->r[i];
        *rc = *cfg;
        cm_config_relink(rc);
        snprintf(rc->region, sizeof rc->region, "%s", r->code);
        rc->gen_institutions = r->institutions;
        char rdir[CM_PATH_MAX + 16];
        snprintf(rdir, sizeof rdir, "%s/%s", dir, r->code);
        gen_stats st;
        if (gen_region_ex(rc, dip, rdir, r->cases, -1, r->seed, bad_rows, &st, progress, user, err, errlen)) {
            free(rc);
            return -1;
        }
        in->bytes += st.bytes;
        for (int b = 1; b < GEN_BAD__COUNT; b++) in->bad += st.bad[b];
    }
    free(rc);
    if (write_export(dir, in, err, errlen)) return -1;
    for (int i = 0; i < in->n; i++) {
        /* Σ fund_paid rounded to 10,000 yuan (at least 10,000 yuan) */
        int64_t b = (in->r[i].fund_fen + 500000) / 1000000 * 1000000;
        in->r[i].budget_fen = b < 1000000 ? 1000000 : b;
    }
    if (write_cfg(cfg, dir, in, 0, err, errlen) || write_cfg(cfg, dir, in, 1, err, errlen)) return -1;
    in->seconds = secs() - t0;
    return 0;
}
