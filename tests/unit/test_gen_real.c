/*
 * test_gen_real.c - the synthetic-region generator on the real 平顶山 2025
 * DIP catalogue, its group statistics, the procedure-attribute table and
 * the ICD-10 医保版 2.0 list from $CASEMIX_DATA (default ../shared/data).
 *
 * Oracles:
 * - the grouper: every one of 200,000 generated cases, grouped by
 *   gr_dip_assign, lands in its drawn_group (100% round trip);
 * - the ICD-10 table read here with the raw CSV reader and scanned
 *   linearly: the groups without any code under their 亚目 / 类目 are
 *   exactly as many as the generator's "no_dx_code" skips, and skipped
 *   groups are few (< 1% of the catalogue);
 * - money: categories sum to total_cost, fund + self = total.
 * Prints the skipped groups by reason and the generation speed (rows/s,
 * never asserted). CASEMIX_GEN_ROWS overrides the 200,000 rows.
 * Without the data directory it prints one SKIP line and exits 77.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../bench/gen.h"
#include "../../grouper/csvtab.h"
#include "real_data.h"
#include "test_util.h"


static tu_real g_real;
static char g_tmp[256];
static gr_dip *g_dip;
static cm_config g_cfg;

/* Upper-cased 医保版 codes of the ICD-10 table, read with the raw reader. */
static char **read_icd_codes(size_t *n)
{
    gr_csvtab t;
    gr_error e;
    assert_int_equal(gr_csvtab_open(&t, g_real.icd, &e), GR_OK);
    char *f[16];
    int nf;
    long line;
    assert_int_equal(gr_csvtab_next(&t, f, 16, &nf, &line, &e), 1);
    int col = gr_csvtab_col(f, nf, "医保版2.0编码");
    assert_true(col >= 0);
    size_t cap = 65536, k = 0;
    char **codes = malloc(cap * sizeof *codes);
    assert_non_null(codes);
    while (gr_csvtab_next(&t, f, 16, &nf, &line, &e) > 0) {
        if (col >= nf) continue;
        if (k == cap) {
            cap *= 2;
            codes = realloc(codes, cap * sizeof *codes);
            assert_non_null(codes);
        }
        char *c = strdup(f[col]);
        for (char *p = c; *p; p++) if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
        codes[k++] = c;
    }
    gr_csvtab_close(&t);
    *n = k;
    return codes;
}

static void test_round_trip_real(void **state)
{
    (void)state;
    int64_t rows = 200000;
    const char *env = getenv("CASEMIX_GEN_ROWS");
    if (env && atoll(env) > 0) rows = atoll(env);
    char dir[512], err[1024], path[600];
    snprintf(dir, sizeof dir, "%s/real", g_tmp);
    gen_stats st;
    if (gen_region_ex(&g_cfg, g_dip, dir, rows, -1, 2025, 0.0, &st, NULL, NULL, err,
                      sizeof err) != 0)
        fail_msg("gen_region_ex: %s", err);
    printf("generated %lld rows (%.1f MB) in %.3f s with %d threads: %.0f rows/s\n",
           (long long)st.rows[0], (double)st.bytes / 1e6, st.seconds, st.threads,
           (double)st.rows[0] / st.seconds);
    size_t skipped = 0;
    for (int k = 0; k < GEN_SKIP__COUNT; k++) skipped += st.n_skipped[k];
    printf("catalogue: %zu groups (incl. KBBZ), %zu drawable, %zu skipped\n", st.n_groups,
           st.n_drawable, skipped);
    for (int k = 0; k < GEN_SKIP__COUNT; k++)
        if (st.n_skipped[k])
            printf("  skipped %-18s %5zu  e.g. %s\n", gen_skip_name((gen_skip)k), st.n_skipped[k],
                   st.skip_example[k]);
    assert_int_equal(st.n_drawable + skipped + 1, st.n_groups);
    assert_true(skipped * 100 < st.n_groups);

    snprintf(path, sizeof path, "%s/current.csv", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, f);
    assert_true(len > 0);
    assert_int_equal(strncmp(line, GEN_CSV_HEADER "\n", (size_t)len), 0);
    size_t ng = gr_dip_ngroups(g_dip);
    unsigned char *seen = calloc(ng, 1);
    int64_t paths[GR_PATH__COUNT] = {0}, n = 0;
    size_t distinct = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        n++;
        line[len - 1] = 0;
        char *fld[GEN_NCOL + 1];
        int nf = 0;
        for (char *p = line;;) {
            char *c = strchr(p, ',');
            if (nf <= GEN_NCOL) fld[nf] = p;
            nf++;
            if (!c) break;
            *c = 0;
            p = c + 1;
        }
        if (nf != GEN_NCOL) fail_msg("%s:%lld: %d fields", path, (long long)n + 1, nf);
        int64_t total = tu_fen_of(fld[GEN_COL_TOTAL]), sum = 0;
        for (int k = 0; k < 14; k++) sum += tu_fen_of(fld[GEN_COL_CAT0 + k]);
        if (total <= 0 || sum != total || tu_fen_of(fld[GEN_COL_FUND]) + tu_fen_of(fld[GEN_COL_SELF]) != total)
            fail_msg("%s:%lld: money does not add up", path, (long long)n + 1);
        const char *od[8], *op[16];
        gr_case c;
        memset(&c, 0, sizeof c);
        c.principal_dx = fld[GEN_COL_PDX];
        c.n_other_dx = tu_split_list(fld[GEN_COL_ODX], od, 8);
        c.other_dx = od;
        c.principal_proc = fld[GEN_COL_PPROC];
        c.n_other_procs = tu_split_list(fld[GEN_COL_OPROC], op, 16);
        c.other_procs = op;
        c.sex = c.age_years = c.age_days = c.birth_weight_g = -1;
        gr_dip_result r;
        gr_dip_assign(g_dip, &c, &r);
        if (gr_dip_find(g_dip, fld[GEN_COL_GROUP]) != r.group)
            fail_msg("%s:%lld: drawn from %s, grouped into %s (%s/%s): dx %s proc %s others %s",
                     path, (long long)n + 1, fld[GEN_COL_GROUP], gr_dip_group_at(g_dip, (size_t)r.group)->code,
                     gr_dip_path_name((gr_dip_path)r.path), gr_dip_why_name((gr_dip_why)r.why),
                     fld[GEN_COL_PDX], fld[GEN_COL_PPROC], fld[GEN_COL_OPROC]);
        paths[r.path]++;
        if (!seen[r.group]) distinct++;
        seen[r.group] = 1;
    }
    fclose(f);
    free(line);
    free(seen);
    assert_int_equal(n, rows);
    printf("round trip: %lld of %lld cases in their drawn group (100%%), %zu distinct groups;"
           " paths:", (long long)n, (long long)rows, distinct);
    for (int k = 0; k < GR_PATH__COUNT; k++)
        printf(" %s %lld", gr_dip_path_name((gr_dip_path)k), (long long)paths[k]);
    printf("\n");
    assert_int_equal(paths[GR_PATH_BLANK], 0);
    assert_true(paths[GR_PATH_EXACT] > 0 && paths[GR_PATH_DX_MAIN] > 0 &&
                paths[GR_PATH_DX_ONLY] > 0 && paths[GR_PATH_COMPREHENSIVE] > 0);

    /* every no_dx_code group really has no code on the list under its dx */
    size_t nicd;
    char **icd = read_icd_codes(&nicd);
    gen_stats st2;
    snprintf(dir, sizeof dir, "%s/plan", g_tmp);
    assert_int_equal(gen_region_ex(&g_cfg, g_dip, dir, 1, -1, 1, 0.0, &st2, NULL, NULL, err,
                                   sizeof err), 0);
    size_t checked = 0;
    for (size_t g = 0; g < ng; g++) {
        const gr_dip_group *gp = gr_dip_group_at(g_dip, g);
        if (gp->type == GR_DIP_BLANK) continue;
        int any = 0;
        size_t pl = strlen(gp->dx);
        for (size_t i = 0; i < nicd && !any; i++)
            any = strncmp(icd[i], gp->dx, pl) == 0 && icd[i][3] == '.';
        if (!any) {
            checked++;
            if (checked <= 5) printf("  no ICD-10 code under %s (group %s)\n", gp->dx, gp->code);
        }
    }
    printf("groups whose diagnosis has no code on the list: %zu; generator no_dx_code: %zu\n",
           checked, st2.n_skipped[GEN_SKIP_NO_DX_CODE]);
    assert_int_equal(checked, st2.n_skipped[GEN_SKIP_NO_DX_CODE]);
    for (size_t i = 0; i < nicd; i++) free(icd[i]);
    free(icd);
}

static int setup(void **state)
{
    (void)state;
    gr_dip_options o;
    if (tu_real_load_dip(&g_real, &g_dip, &o)) return -1;
    cm_config_default(&g_cfg);
    snprintf(g_cfg.region, sizeof g_cfg.region, "410400");
    g_cfg.gen_year = 2025;
    g_cfg.dip = o;
    snprintf(g_tmp, sizeof g_tmp, "/tmp/casemix-test-gen-real-XXXXXX");
    return mkdtemp(g_tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gr_dip_free(g_dip);
    return tu_rm_rf(g_tmp);
}

int main(void)
{
    const char *need[] = {g_real.cat, g_real.stats, g_real.attr, g_real.icd, NULL};
    int skip = tu_real_find(&g_real, need);
    if (skip) return skip;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_real),
    };
    return cmocka_run_group_tests_name("gen_real", tests, setup, teardown);
}
