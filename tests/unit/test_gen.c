/*
 * test_gen.c - the synthetic-region generator (bench/gen.c) on the demo
 * tables in config/demo/.
 *
 * Oracles, independent of the generator's own output:
 * - the grouper: EVERY generated case, grouped by gr_dip_assign, must land
 *   in its drawn_group (the generator builds cases from the catalogue's
 *   structure and never calls the grouper);
 * - the demo tables' design (config/demo/README.md): exactly two groups have
 *   no construction (K63.5:45.4200, no ICD-10 code under K63.5 in
 *   icd10.csv; I10:BSZL, the only 亚目 I10.X has a dx-only group); 13
 *   comprehensive groups need the attribute table;
 * - the specification of gen.h: header, money exact in fen, fund share
 *   55-85%, bad-row kinds, level factors 0.75/0.9/1.1 (so level-3 cases
 *   cost about 1.47x level-1 cases), 4%/year deflation, 30:45:25 price
 *   structure, same bytes at 1 and 2 threads.
 * Files go to a fresh directory under /tmp, removed at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../bench/gen.h"
#include "test_util.h"


static cm_config g_cfg;
static gr_dip *g_dip;
static char g_tmp[256];

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
    char *buf;            /* file bytes, NUL-terminated, split in place */
    size_t len;
    char **f;             /* nrows * GEN_NCOL field pointers */
    size_t nrows;
    long bad_shape_line;  /* first line without GEN_NCOL fields, 0 if none */
} table;

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) fail_msg("%s: cannot open", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

static void table_read(table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    t->buf = read_all(path, &t->len);
    const char *hdr = GEN_CSV_HEADER "\n";
    if (strncmp(t->buf, hdr, strlen(hdr)) != 0)
        fail_msg("%s: header differs from GEN_CSV_HEADER", path);
    size_t lines = 0;
    for (size_t i = 0; i < t->len; i++) lines += t->buf[i] == '\n';
    t->f = calloc(lines * GEN_NCOL + 1, sizeof *t->f);
    assert_non_null(t->f);
    char *p = t->buf + strlen(hdr);
    long line = 2;
    while (*p) {
        char *eol = strchr(p, '\n');
        if (!eol) fail_msg("%s:%ld: last line has no LF", path, line);
        *eol = 0;
        if (strchr(p, '\r')) fail_msg("%s:%ld: CR in line", path, line);
        char **row = t->f + t->nrows * GEN_NCOL;
        int n = 0;
        char *q = p;
        for (;;) {
            char *c = strchr(q, ',');
            if (n < GEN_NCOL) row[n] = q;
            n++;
            if (!c) break;
            *c = 0;
            q = c + 1;
        }
        if (n != GEN_NCOL && !t->bad_shape_line) t->bad_shape_line = line;
        t->nrows++;
        p = eol + 1;
        line++;
    }
}

static void table_free(table *t)
{
    free(t->buf);
    free(t->f);
}

static const char *fld(const table *t, size_t r, int c)
{
    return t->f[r * GEN_NCOL + c];
}

/* "YYYY-MM-DD" -> days since 1970-01-01; -1 if malformed. */
static long day_of(const char *s)
{
    int y, m, d;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3) return -1;
    if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
    y -= m <= 2;
    long era = y / 400, yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void file_hash(const char *path, char hex[65])
{
    size_t n;
    char *b = read_all(path, &n);
    cm_sha256_hex(b, n, hex);
    free(b);
}

static void path_of(char *out, size_t n, const char *sub, const char *file)
{
    snprintf(out, n, "%s/%s/%s", g_tmp, sub, file);
}

static void gen_ok(const char *sub, int64_t cases, int64_t hist, uint64_t seed, double bad,
                   int threads, gen_stats *st)
{
    char dir[512], err[1024];
    snprintf(dir, sizeof dir, "%s/%s", g_tmp, sub);
    g_cfg.threads = threads;
    if (gen_region_ex(&g_cfg, g_dip, dir, cases, hist, seed, bad, st, NULL, NULL, err,
                      sizeof err) != 0)
        fail_msg("gen_region_ex(%s): %s", sub, err);
}

static gr_dip *load_demo(int with_icd, int with_attr)
{
    gr_dip_options o;
    gr_dip_options_default(&o);
    o.catalogue_csv = "config/demo/catalogue.csv";
    o.group_stats_csv = "config/demo/group_stats.csv";
    o.proc_attr_csv = with_attr ? "config/demo/proc_attributes.csv" : NULL;
    o.icd10_csv = with_icd ? "config/demo/icd10.csv" : NULL;
    gr_dip *d = NULL;
    gr_error e;
    if (gr_dip_load(&o, &d, &e) != GR_OK)
        fail_msg("%s:%ld: %s (%s)", e.file, e.line, e.msg, e.field);
    return d;
}

/* Groups row r of t with d. */
static const gr_dip_group *group_row(const gr_dip *d, const table *t, size_t r,
                                     gr_dip_result *res)
{
    char odx[512], opr[512];
    snprintf(odx, sizeof odx, "%s", fld(t, r, GEN_COL_ODX));
    snprintf(opr, sizeof opr, "%s", fld(t, r, GEN_COL_OPROC));
    const char *od[16], *op[16];
    gr_case c;
    memset(&c, 0, sizeof c);
    c.principal_dx = fld(t, r, GEN_COL_PDX);
    c.n_other_dx = tu_split_list(odx, od, 16);
    c.other_dx = od;
    c.principal_proc = fld(t, r, GEN_COL_PPROC);
    c.n_other_procs = tu_split_list(opr, op, 16);
    c.other_procs = op;
    c.sex = atoi(fld(t, r, GEN_COL_SEX));
    c.age_years = atoi(fld(t, r, GEN_COL_AGE));
    c.age_days = *fld(t, r, GEN_COL_AGED) ? atoi(fld(t, r, GEN_COL_AGED)) : -1;
    c.birth_weight_g = *fld(t, r, GEN_COL_BW) ? atoi(fld(t, r, GEN_COL_BW)) : -1;
    gr_dip_assign(d, &c, res);
    return gr_dip_group_at(d, (size_t)res->group);
}

/* Groups every row of t (except those whose principal dx was blanked on
 * purpose, when seed/share are given) and checks it lands in drawn_group.
 * Returns the number of distinct groups seen; fills path counts. */
static size_t check_round_trip(const gr_dip *d, const table *t, const char *file,
                               int64_t paths[GR_PATH__COUNT], uint64_t seed, double share)
{
    size_t ng = gr_dip_ngroups(d);
    unsigned char *seen = calloc(ng, 1);
    assert_non_null(seen);
    size_t distinct = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (share > 0 && gen_bad_kind(seed, 2025, (int64_t)r, share) == GEN_BAD_EMPTY_DX)
            continue;
        gr_dip_result res;
        const gr_dip_group *g = group_row(d, t, r, &res);
        if (gr_dip_find(d, fld(t, r, GEN_COL_GROUP)) != res.group)
            fail_msg("%s:%zu: case %s drawn from %s grouped into %s (path %s, why %s): "
                     "dx %s proc %s others %s", file, r + 2, fld(t, r, GEN_COL_CASE),
                     fld(t, r, GEN_COL_GROUP), g->code, gr_dip_path_name((gr_dip_path)res.path),
                     gr_dip_why_name((gr_dip_why)res.why), fld(t, r, GEN_COL_PDX),
                     fld(t, r, GEN_COL_PPROC), fld(t, r, GEN_COL_OPROC));
        if (!seen[res.group]) distinct++;
        seen[res.group] = 1;
        if (paths) paths[res.path]++;
    }
    free(seen);
    return distinct;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void test_round_trip_demo(void **state)
{
    (void)state;
    gen_stats st;
    gen_ok("rt", 20000, -1, 11, 0.0, 2, &st);
    char p[512];
    path_of(p, sizeof p, "rt", "current.csv");
    table t;
    table_read(&t, p);
    assert_int_equal(t.bad_shape_line, 0);
    assert_int_equal(t.nrows, 20000);
    int64_t paths[GR_PATH__COUNT] = {0};
    size_t distinct = check_round_trip(g_dip, &t, p, paths, 0, 0.0);
    /* every drawable group is drawn: the smallest BILL_COUNT is 15 of
     * ~27,000, about 11 expected cases in 20,000 */
    assert_int_equal(distinct, st.n_drawable);
    assert_int_equal(st.n_groups, gr_dip_ngroups(g_dip));
    for (int k = 0; k < GR_PATH__COUNT; k++)
        if (k != GR_PATH_MOST_RELATED && k != GR_PATH_BLANK && paths[k] == 0)
            fail_msg("no case took path %s", gr_dip_path_name((gr_dip_path)k));
    assert_int_equal(paths[GR_PATH_BLANK], 0);
    assert_int_equal(paths[GR_PATH_MOST_RELATED], 0);
    table_free(&t);
}

static void test_skipped_groups_demo(void **state)
{
    (void)state;
    gen_stats st;
    gen_ok("skip", 100, -1, 1, 0.0, 1, &st);
    size_t total = 0;
    for (int k = 0; k < GEN_SKIP__COUNT; k++) total += st.n_skipped[k];
    assert_int_equal(total, 2);
    assert_int_equal(st.n_skipped[GEN_SKIP_NO_DX_CODE], 1);
    assert_string_equal(st.skip_example[GEN_SKIP_NO_DX_CODE], "K63.5:45.4200");
    assert_int_equal(st.n_skipped[GEN_SKIP_NO_BSZL_DX], 1);
    assert_string_equal(st.skip_example[GEN_SKIP_NO_BSZL_DX], "I10:BSZL");
    /* KBBZ is never drawn and not counted as skipped */
    assert_int_equal(st.n_drawable + total + 1, st.n_groups);
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    gen_ok("a1", 30000, 5000, 99, 0.01, 1, NULL);
    gen_ok("a2", 30000, 5000, 99, 0.01, 2, NULL);
    gen_ok("b", 30000, 5000, 100, 0.01, 2, NULL);
    const char *files[] = {"current.csv", "history_2024.csv", "history_2023.csv",
                           "history_2022.csv"};
    for (size_t i = 0; i < 4; i++) {
        char pa[512], pb[512], pc[512], ha[65], hb[65], hc[65];
        path_of(pa, sizeof pa, "a1", files[i]);
        path_of(pb, sizeof pb, "a2", files[i]);
        path_of(pc, sizeof pc, "b", files[i]);
        file_hash(pa, ha);
        file_hash(pb, hb);
        file_hash(pc, hc);
        if (strcmp(ha, hb) != 0) fail_msg("%s: 1 thread and 2 threads differ", files[i]);
        if (strcmp(ha, hc) == 0) fail_msg("%s: seeds 99 and 100 give the same bytes", files[i]);
    }
    /* a second run with the same seed and threads reproduces the bytes */
    gen_ok("a3", 30000, 5000, 99, 0.01, 2, NULL);
    char pa[512], pb[512], ha[65], hb[65];
    path_of(pa, sizeof pa, "a1", "history_2023.csv");
    path_of(pb, sizeof pb, "a3", "history_2023.csv");
    file_hash(pa, ha);
    file_hash(pb, hb);
    assert_string_equal(ha, hb);
}

static void test_money_and_fields(void **state)
{
    (void)state;
    gen_ok("m", 20000, -1, 5, 0.0, 2, NULL);
    char p[512];
    path_of(p, sizeof p, "m", "current.csv");
    table t;
    table_read(&t, p);
    /* buckets (domain.md §1): services, drugs+materials, exams */
    static const int bucket[14] = {0, 0, 2, 2, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0};
    int64_t bsum[3] = {0, 0, 0}, all = 0;
    long deaths = 0, y0 = day_of("2025-01-01"), y1 = day_of("2025-12-31");
    for (size_t r = 0; r < t.nrows; r++) {
        int64_t total = tu_fen_of(fld(&t, r, GEN_COL_TOTAL));
        int64_t fund = tu_fen_of(fld(&t, r, GEN_COL_FUND)), self = tu_fen_of(fld(&t, r, GEN_COL_SELF));
        if (total <= 0 || fund < 0 || self < 0)
            fail_msg("%s:%zu: amounts %s %s %s not positive 2-decimal yuan", p, r + 2,
                     fld(&t, r, GEN_COL_TOTAL), fld(&t, r, GEN_COL_FUND), fld(&t, r, GEN_COL_SELF));
        int64_t sum = 0;
        for (int k = 0; k < 14; k++) {
            int64_t c = tu_fen_of(fld(&t, r, GEN_COL_CAT0 + k));
            if (c < 0) fail_msg("%s:%zu: category %d = '%s'", p, r + 2, k, fld(&t, r, GEN_COL_CAT0 + k));
            sum += c;
            bsum[bucket[k]] += c;
        }
        all += total;
        if (sum != total) fail_msg("%s:%zu: categories sum to %lld fen, total %lld", p, r + 2,
                                   (long long)sum, (long long)total);
        if (fund + self != total) fail_msg("%s:%zu: fund + self != total", p, r + 2);
        double share = (double)fund / (double)total;
        if (share < 0.549 || share > 0.851) fail_msg("%s:%zu: fund share %.3f", p, r + 2, share);
        long a = day_of(fld(&t, r, GEN_COL_ADMIT)), d = day_of(fld(&t, r, GEN_COL_DISCH));
        if (a < 0 || d < y0 || d > y1 || d - a != atol(fld(&t, r, GEN_COL_LOS)) || d <= a)
            fail_msg("%s:%zu: dates %s %s los %s", p, r + 2, fld(&t, r, GEN_COL_ADMIT),
                     fld(&t, r, GEN_COL_DISCH), fld(&t, r, GEN_COL_LOS));
        const char *id = fld(&t, r, GEN_COL_INST);
        if (strlen(id) != 12 || strncmp(id, "H410400", 7) != 0)
            fail_msg("%s:%zu: institution id %s", p, r + 2, id);
        const char *lv = fld(&t, r, GEN_COL_LEVEL);
        if (strlen(lv) != 1 || lv[0] < '1' || lv[0] > '3') fail_msg("%s:%zu: level %s", p, r + 2, lv);
        assert_true(strlen(fld(&t, r, GEN_COL_CASE)) == 11 && fld(&t, r, GEN_COL_CASE)[0] == 'D');
        assert_true(strlen(fld(&t, r, GEN_COL_PAT)) == 11 && fld(&t, r, GEN_COL_PAT)[0] == 'P');
        int mode = atoi(fld(&t, r, GEN_COL_MODE));
        assert_true(mode == 1 || mode == 2 || mode == 3 || mode == 4 || mode == 5 || mode == 9);
        deaths += mode == 5;
        const char *dx = fld(&t, r, GEN_COL_PDX);
        int sex = atoi(fld(&t, r, GEN_COL_SEX));
        if ((dx[0] == 'O' || strncmp(dx, "D25", 3) == 0) && sex != 2)
            fail_msg("%s:%zu: %s for sex %d", p, r + 2, dx, sex);
        if (strncmp(dx, "N40", 3) == 0 && sex != 1) fail_msg("%s:%zu: %s for sex %d", p, r + 2, dx, sex);
        int age = atoi(fld(&t, r, GEN_COL_AGE));
        if (dx[0] == 'P' && (age != 0 || !*fld(&t, r, GEN_COL_AGED)))
            fail_msg("%s:%zu: newborn dx %s at age %d", p, r + 2, dx, age);
        if (dx[0] == 'P' && atoi(fld(&t, r, GEN_COL_AGED)) <= 28 && !*fld(&t, r, GEN_COL_BW))
            fail_msg("%s:%zu: newborn without birth weight", p, r + 2);
        if (dx[0] == 'P' && *fld(&t, r, GEN_COL_ODX) && fld(&t, r, GEN_COL_ODX)[0] != 'P')
            fail_msg("%s:%zu: newborn with secondary dx %s", p, r + 2, fld(&t, r, GEN_COL_ODX));
        if (dx[0] != 'P' && (*fld(&t, r, GEN_COL_BW) || *fld(&t, r, GEN_COL_AGED)))
            fail_msg("%s:%zu: birth weight / age in days on a non-newborn case", p, r + 2);
        if (dx[0] == 'O' && (age < 15 || age > 50)) fail_msg("%s:%zu: %s at age %d", p, r + 2, dx, age);
        /* 医保版 spelling: lower-case x after the first character */
        if (strchr(dx + 1, 'X') || strchr(fld(&t, r, GEN_COL_PPROC), 'X'))
            fail_msg("%s:%zu: upper-case X in a code", p, r + 2);
    }
    double s = (double)bsum[0] / (double)all, dr = (double)bsum[1] / (double)all,
           e = (double)bsum[2] / (double)all;
    printf("price structure services:drugs:exams = %.1f : %.1f : %.1f; deaths %.2f%%\n",
           100 * s, 100 * dr, 100 * e, 100.0 * (double)deaths / (double)t.nrows);
    assert_true(fabs(s - 0.30) < 0.05 && fabs(dr - 0.45) < 0.05 && fabs(e - 0.25) < 0.05);
    assert_true(deaths > 0.005 * (double)t.nrows && deaths < 0.015 * (double)t.nrows);
    table_free(&t);
}

/* Case shares follow BILL_COUNT, costs the group means with level factors,
 * history years deflated by 4%/year. */
static void test_case_mix(void **state)
{
    (void)state;
    gen_stats st;
    gen_ok("mix", 40000, 40000, 21, 0.0, 2, &st);
    size_t ng = gr_dip_ngroups(g_dip);
    int64_t *count = calloc(ng, sizeof *count);
    assert_non_null(count);
    double ratio_sum[4] = {0, 0, 0, 0}, n_level[4] = {0, 0, 0, 0}, cur = 0, old = 0;
    const char *files[2] = {"current.csv", "history_2022.csv"};
    for (int fi = 0; fi < 2; fi++) {
        char p[512];
        path_of(p, sizeof p, "mix", files[fi]);
        table t;
        table_read(&t, p);
        assert_int_equal(t.nrows, 40000);
        const char *year = fi == 0 ? "2025" : "2022";
        for (size_t r = 0; r < t.nrows; r++) {
            if (strncmp(fld(&t, r, GEN_COL_DISCH), year, 4) != 0)
                fail_msg("%s:%zu: discharge %s not in %s", p, r + 2, fld(&t, r, GEN_COL_DISCH), year);
            int32_t g = gr_dip_find(g_dip, fld(&t, r, GEN_COL_GROUP));
            assert_true(g >= 0);
            double ratio = (double)tu_fen_of(fld(&t, r, GEN_COL_TOTAL)) / 100.0 /
                           gr_dip_group_at(g_dip, (size_t)g)->stat_mean_fee;
            if (fi == 0) {
                count[g]++;
                int lv = atoi(fld(&t, r, GEN_COL_LEVEL));
                ratio_sum[lv] += ratio;
                n_level[lv] += 1;
                cur += ratio;
            } else {
                old += ratio;
            }
        }
        table_free(&t);
    }
    /* shares vs BILL_COUNT over the drawable groups (all but the 2 skipped + KBBZ) */
    double wsum = 0;
    for (size_t g = 0; g < ng; g++) {
        const gr_dip_group *gp = gr_dip_group_at(g_dip, g);
        if (gp->type == GR_DIP_BLANK || strcmp(gp->code, "K63.5:45.4200") == 0 ||
            strcmp(gp->code, "I10:BSZL") == 0)
            continue;
        wsum += (double)gp->stat_count;
    }
    for (size_t g = 0; g < ng; g++) {
        const gr_dip_group *gp = gr_dip_group_at(g_dip, g);
        if (gp->type == GR_DIP_BLANK) continue;
        if (strcmp(gp->code, "K63.5:45.4200") == 0 || strcmp(gp->code, "I10:BSZL") == 0) {
            assert_int_equal(count[g], 0);
            continue;
        }
        double pexp = (double)gp->stat_count / wsum, e = 40000.0 * pexp;
        double sd = sqrt(40000.0 * pexp * (1 - pexp));
        if (fabs((double)count[g] - e) > 5 * sd + 1)
            fail_msg("group %s: %lld cases, expected %.1f (BILL_COUNT %lld)", gp->code,
                     (long long)count[g], e, (long long)gp->stat_count);
    }
    double r1 = ratio_sum[1] / n_level[1], r2 = ratio_sum[2] / n_level[2],
           r3 = ratio_sum[3] / n_level[3];
    printf("mean cost / group mean by level: %.3f %.3f %.3f; history 2022 / current %.3f; "
           "cases by level %.0f %.0f %.0f; readmissions %lld\n", r1, r2, r3, old / cur,
           n_level[1], n_level[2], n_level[3], (long long)st.readmissions);
    /* level factors 0.75 / 0.9 / 1.1 (per-institution factor averages ~1) */
    assert_true(r3 / r1 > 1.30 && r3 / r1 < 1.65);
    assert_true(r2 / r1 > 1.08 && r2 / r1 < 1.32);
    assert_true(r1 > 0.6 && r3 < 1.35);
    /* 3 years at 4%/year: 0.885 */
    assert_true(old / cur > 0.83 && old / cur < 0.94);
    /* every level is present, level 3 has the most cases */
    assert_true(n_level[1] > 0 && n_level[2] > 0 && n_level[3] > n_level[1]);
    free(count);
}

static int cmp_pat(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    int c = strcmp(x[0], y[0]);
    return c ? c : strcmp(x[1], y[1]);
}

/* Same patient id: same sex; readmissions: same institution, admitted
 * within 15 days of the previous discharge. */
static void test_patients_and_readmissions(void **state)
{
    (void)state;
    gen_stats st;
    gen_ok("pat", 20000, -1, 3, 0.0, 2, &st);
    char p[512];
    path_of(p, sizeof p, "pat", "current.csv");
    table t;
    table_read(&t, p);
    /* (patient, admit, institution, discharge, sex) tuples sorted by patient, admit */
    const char **k = calloc(t.nrows * 5, sizeof *k);
    assert_non_null(k);
    for (size_t r = 0; r < t.nrows; r++) {
        k[5 * r] = fld(&t, r, GEN_COL_PAT);
        k[5 * r + 1] = fld(&t, r, GEN_COL_ADMIT);
        k[5 * r + 2] = fld(&t, r, GEN_COL_INST);
        k[5 * r + 3] = fld(&t, r, GEN_COL_DISCH);
        k[5 * r + 4] = fld(&t, r, GEN_COL_SEX);
    }
    qsort(k, t.nrows, 5 * sizeof *k, cmp_pat);
    long repeat = 0, readmit15 = 0, overlap = 0;
    size_t start = 0;
    for (size_t r = 1; r < t.nrows; r++) {
        const char **b = k + 5 * r;
        if (strcmp(k[5 * start], b[0]) != 0) {
            start = r;
            continue;
        }
        repeat++;
        int found = 0;
        for (size_t q = start; q < r; q++) {
            const char **a = k + 5 * q;
            if (strcmp(a[4], b[4]) != 0) fail_msg("patient %s has sex %s and %s", a[0], a[4], b[4]);
            long gap = day_of(b[1]) - day_of(a[3]);
            if (gap >= 0 && gap <= 15 && strcmp(a[2], b[2]) == 0) found = 1;
            if (day_of(b[1]) < day_of(a[3])) overlap++; /* sorted by admit: b starts before a ends */
        }
        readmit15 += found;
    }
    printf("repeat admissions %ld, same-institution readmissions within 15 days %ld "
           "(generator: %lld)\n", repeat, readmit15, (long long)st.readmissions);
    assert_true(st.readmissions > 0.01 * (double)t.nrows);
    /* a patient's stays never overlap by chance: the only repeat stays are
     * the generated readmissions, each 1..14 days after its anchor */
    assert_int_equal(overlap, 0);
    assert_int_equal(repeat, st.readmissions);
    assert_int_equal(readmit15, st.readmissions);
    free(k);
    table_free(&t);
}

/* Each bad row has its defect and only the rows gen_bad_kind names do. */
static void test_bad_rows(void **state)
{
    (void)state;
    gen_stats st;
    const double share = 0.05;
    gen_ok("bad", 20000, -1, 8, share, 2, &st);
    char p[512];
    path_of(p, sizeof p, "bad", "current.csv");
    table t;
    table_read(&t, p);
    assert_int_equal(t.bad_shape_line, 0);
    int64_t kinds[GEN_BAD__COUNT] = {0};
    for (size_t r = 0; r < t.nrows; r++) {
        gen_bad b = gen_bad_kind(8, 2025, (int64_t)r, share);
        kinds[b]++;
        const char *id = fld(&t, r, GEN_COL_CASE), *tot = fld(&t, r, GEN_COL_TOTAL);
        int64_t total = tu_fen_of(tot), sum = 0;
        for (int c = 0; c < 14; c++) sum += tu_fen_of(fld(&t, r, GEN_COL_CAT0 + c));
        long a = day_of(fld(&t, r, GEN_COL_ADMIT)), d = day_of(fld(&t, r, GEN_COL_DISCH));
        int dup = 0;
        if (*id && r > 0) {
            for (size_t q = r; q-- > 0 && q + 200 > r;)
                if (strcmp(fld(&t, q, GEN_COL_CASE), id) == 0) dup = 1;
        }
        int has[GEN_BAD__COUNT] = {0};
        has[GEN_BAD_EMPTY_DX] = !*fld(&t, r, GEN_COL_PDX);
        has[GEN_BAD_TOTAL_TEXT] = strcmp(tot, "N/A") == 0;
        has[GEN_BAD_CATEGORY_SUM] = total >= 0 && sum != total;
        has[GEN_BAD_DATES] = a > d;
        has[GEN_BAD_MISSING_ID] = !*id;
        has[GEN_BAD_DUPLICATE_ID] = dup;
        has[GEN_BAD_OVERPRECISE] = strchr(tot, '.') && strlen(strchr(tot, '.')) == 4;
        for (int k = 1; k < GEN_BAD__COUNT; k++)
            if (has[k] != (b == (gen_bad)k))
                fail_msg("%s:%zu: row is %s per gen_bad_kind but defect %s is %s", p, r + 2,
                         gen_bad_name(b), gen_bad_name((gen_bad)k), has[k] ? "present" : "absent");
    }
    int64_t nbad = 0;
    for (int k = 1; k < GEN_BAD__COUNT; k++) {
        assert_int_equal(kinds[k], st.bad[k]);
        if (kinds[k] < 60) fail_msg("only %lld rows of kind %s", (long long)kinds[k],
                                    gen_bad_name((gen_bad)k));
        nbad += kinds[k];
    }
    assert_true(nbad > 0.04 * 20000 && nbad < 0.06 * 20000);
    /* apart from the blanked diagnoses, bad rows still group as drawn */
    check_round_trip(g_dip, &t, p, NULL, 8, share);
    table_free(&t);
}

/* Without an ICD-10 list the generator synthesizes 亚目+"00" (and 类目.0-9
 * + "00" for comprehensive groups), so K63.5:45.4200 and I10:BSZL become
 * constructible; without an attribute table the 13 comprehensive
 * SS/ZLXCZ/ZDXCZ groups of the demo catalogue are skipped. */
static void test_without_optional_tables(void **state)
{
    (void)state;
    gr_dip *saved = g_dip;
    g_dip = load_demo(0, 1);
    gen_stats st;
    gen_ok("noicd", 5000, -1, 4, 0.0, 2, &st);
    char p[512];
    path_of(p, sizeof p, "noicd", "current.csv");
    table t;
    table_read(&t, p);
    check_round_trip(g_dip, &t, p, NULL, 0, 0.0);
    for (int k = 0; k < GEN_SKIP__COUNT; k++)
        if (st.n_skipped[k]) fail_msg("without ICD list: %zu groups skipped as %s (e.g. %s)",
                                      st.n_skipped[k], gen_skip_name((gen_skip)k),
                                      st.skip_example[k]);
    table_free(&t);
    gr_dip_free(g_dip);

    g_dip = load_demo(1, 0);
    gen_ok("noattr", 5000, -1, 4, 0.0, 2, &st);
    path_of(p, sizeof p, "noattr", "current.csv");
    table_read(&t, p);
    check_round_trip(g_dip, &t, p, NULL, 0, 0.0);
    assert_int_equal(st.n_skipped[GEN_SKIP_NO_ATTR_TABLE], 13);
    table_free(&t);
    gr_dip_free(g_dip);
    g_dip = saved;
}

/* A catalogue written here with a shadowed group (same related set as a
 * lower 序号 group, in another order): it is skipped, the rest round-trips
 * (a related list repeating the main procedure is already a load error). */
static void test_shadowed_and_invalid(void **state)
{
    (void)state;
    char cat[512];
    snprintf(cat, sizeof cat, "%s/shadow_catalogue.csv", g_tmp);
    FILE *f = fopen(cat, "wb");
    assert_non_null(f);
    fputs("序号,病种编码,病种类型（1.核心病种；2.综合病种）,主诊断代码,主诊断名称,主要操作代码,"
          "主要操作名称,其他操作代码,其他操作名称,病种分值\n"
          "1,K80.1,1,K80.1,胆囊结石,,,,,700\n"
          "2,K80.1:51.2300_51.5100+54.1100,1,K80.1,胆囊结石,51.2300,LC,\"51.5100,54.1100\",a+b,3000\n"
          "3,K80.1:51.2300_54.1100+51.5100,1,K80.1,胆囊结石,51.2300,LC,\"54.1100,51.5100\",b+a,3100\n"
          "5,K80.1:51.2300,1,K80.1,胆囊结石,51.2300,LC,,,2000\n", f);
    fclose(f);
    gr_dip_options o;
    gr_dip_options_default(&o);
    o.catalogue_csv = cat;
    o.icd10_csv = "config/demo/icd10.csv";
    gr_dip *d = NULL;
    gr_error e;
    if (gr_dip_load(&o, &d, &e) != GR_OK)
        fail_msg("%s:%ld: %s (%s)", e.file, e.line, e.msg, e.field);
    gr_dip *saved = g_dip;
    g_dip = d;
    gen_stats st;
    gen_ok("shadow", 3000, -1, 6, 0.0, 2, &st);
    g_dip = saved;
    assert_int_equal(st.n_skipped[GEN_SKIP_SHADOWED], 1);
    assert_string_equal(st.skip_example[GEN_SKIP_SHADOWED], "K80.1:51.2300_54.1100+51.5100");
    assert_int_equal(st.n_drawable, 3);
    char p[512];
    path_of(p, sizeof p, "shadow", "current.csv");
    table t;
    table_read(&t, p);
    assert_int_equal(check_round_trip(d, &t, p, NULL, 0, 0.0), 3);
    table_free(&t);
    gr_dip_free(d);
}

typedef struct {
    int calls;
    int64_t last_done, last_total;
    int bad_order;
} progress_log;

static void on_progress(void *user, int year, int64_t done, int64_t total)
{
    progress_log *l = user;
    if (year != 2025 || done > total || (l->calls && done <= l->last_done)) l->bad_order = 1;
    l->calls++;
    l->last_done = done;
    l->last_total = total;
}

/* Progress is reported in increasing order and ends at the row count. */
static void test_progress(void **state)
{
    (void)state;
    progress_log l = {0, 0, 0, 0};
    char dir[512], err[1024];
    snprintf(dir, sizeof dir, "%s/prog", g_tmp);
    g_cfg.threads = 2;
    assert_int_equal(gen_region_ex(&g_cfg, g_dip, dir, 100000, -1, 2, 0.0, NULL, on_progress,
                                   &l, err, sizeof err), 0);
    assert_true(l.calls >= 2);
    assert_false(l.bad_order);
    assert_int_equal(l.last_done, 100000);
    assert_int_equal(l.last_total, 100000);
}

static void test_errors(void **state)
{
    (void)state;
    char err[1024];
    g_cfg.threads = 1;
    assert_int_equal(gen_region(&g_cfg, g_dip, g_tmp, 10, -1, 1, 1.5, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad_rows"));
    assert_int_equal(gen_region(&g_cfg, g_dip, g_tmp, -5, -1, 1, 0.0, err, sizeof err), -1);
    assert_non_null(strstr(err, "cases"));
    assert_int_equal(gen_region(&g_cfg, g_dip, "/proc/casemix-no-such/dir", 10, -1, 1, 0.0,
                                err, sizeof err), -1);
    assert_non_null(strstr(err, "/proc/casemix-no-such/dir"));
    /* zero cases: header only */
    gen_stats st;
    gen_ok("empty", 0, 0, 1, 0.0, 1, &st);
    char p[512];
    path_of(p, sizeof p, "empty", "history_2023.csv");
    size_t n;
    char *b = read_all(p, &n);
    assert_int_equal(n, strlen(GEN_CSV_HEADER) + 1);
    free(b);
    assert_int_equal(st.nfiles, 4);
    assert_int_equal(st.year[3], 2022);
}

/* ------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    cm_config_default(&g_cfg);
    snprintf(g_cfg.region, sizeof g_cfg.region, "410400");
    g_cfg.gen_year = 2025;
    g_cfg.gen_institutions = 40;
    g_dip = load_demo(1, 1);
    snprintf(g_tmp, sizeof g_tmp, "/tmp/casemix-test-gen-XXXXXX");
    if (!mkdtemp(g_tmp)) return -1;
    return 0;
}

/* GEN_COL_* (gen.h) name the header's fields: the tests read by them. */
static void test_column_indices(void **state)
{
    (void)state;
    char hdr[] = GEN_CSV_HEADER;
    const char *f[64];
    int n = 0;
    for (char *p = strtok(hdr, ","); p && n < 64; p = strtok(NULL, ",")) f[n++] = p;
    assert_int_equal(n, GEN_NCOL);
    static const struct { int col; const char *name; } want[] = {
        {GEN_COL_CASE, "case_id"}, {GEN_COL_PAT, "patient_id"}, {GEN_COL_INST, "institution_id"},
        {GEN_COL_LEVEL, "institution_level"}, {GEN_COL_SEX, "sex"}, {GEN_COL_AGE, "age_years"},
        {GEN_COL_AGED, "age_days"}, {GEN_COL_BW, "birth_weight_g"}, {GEN_COL_ADMIT, "admit_date"},
        {GEN_COL_DISCH, "discharge_date"}, {GEN_COL_LOS, "los_days"}, {GEN_COL_MODE, "discharge_mode"},
        {GEN_COL_PDX, "principal_dx"}, {GEN_COL_ODX, "other_dx"}, {GEN_COL_PPROC, "principal_proc"},
        {GEN_COL_OPROC, "other_procs"}, {GEN_COL_TOTAL, "total_cost"}, {GEN_COL_FUND, "fund_paid"},
        {GEN_COL_SELF, "self_paid"}, {GEN_COL_CAT0, "cost_bed"}, {GEN_COL_CAT0 + 13, "cost_other"},
        {GEN_COL_GROUP, "drawn_group"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) assert_string_equal(f[want[i].col], want[i].name);
}

static int teardown(void **state)
{
    (void)state;
    gr_dip_free(g_dip);
    return tu_rm_rf(g_tmp);
}

int main(void)
{
    struct stat sb;
    if (stat("config/demo/catalogue.csv", &sb) != 0) {
        fprintf(stderr, "test_gen: run from the repository root (config/demo/catalogue.csv "
                "not found)\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_column_indices),
        cmocka_unit_test(test_round_trip_demo),
        cmocka_unit_test(test_skipped_groups_demo),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_money_and_fields),
        cmocka_unit_test(test_case_mix),
        cmocka_unit_test(test_patients_and_readmissions),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_without_optional_tables),
        cmocka_unit_test(test_shadowed_and_invalid),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("gen", tests, setup, teardown);
}
