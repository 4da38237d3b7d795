/*
 * test_scoring.c - unit tests of the scoring library (scoring/scoring.h).
 *
 * Every expected value below is worked by hand in the comment beside it
 * (domain.md §3-5), or comes from an independent brute-force reference
 * (sort-everything apportionment, direct pooled SD, qsort), never from the
 * library's own output. Random inputs use a seeded LCG, so runs repeat.
 *
 * Timing: test_perf_* measure sc_apportion and sc_year_stats on
 * SCORING_BENCH_N items (default 1000000; e.g. SCORING_BENCH_N=10000000)
 * and print the time; nothing asserts on time, only on exactness.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../scoring/scoring.h"

__extension__ typedef unsigned __int128 u128;

/* Fail with both values and what to look at. */
#define EXPECT_I64(actual, expected, what)                                       \
    do {                                                                         \
        int64_t a_ = (int64_t)(actual), e_ = (int64_t)(expected);                \
        if (a_ != e_)                                                            \
            fail_msg("%s: got %" PRId64 ", expected %" PRId64, (what), a_, e_);  \
    } while (0)

#define EXPECT_NEAR(actual, expected, tol, what)                                 \
    do {                                                                         \
        double a_ = (double)(actual), e_ = (double)(expected);                   \
        if (!(fabs(a_ - e_) <= (tol)))                                           \
            fail_msg("%s: got %.17g, expected %.17g (tolerance %g)", (what),     \
                     a_, e_, (double)(tol));                                     \
    } while (0)

static uint64_t lcg_state;

static void lcg_seed(uint64_t s)
{
    lcg_state = s;
}

static uint64_t lcg_next(void)
{
    lcg_state = lcg_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    uint64_t hi = lcg_state >> 32;
    lcg_state = lcg_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (hi << 32) | (lcg_state >> 32);
}

/* uniform in [0, m), m > 0 (modulo bias is irrelevant here) */
static uint64_t lcg_below(uint64_t m)
{
    return lcg_next() % m;
}

static void shuffle(int64_t *x, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)lcg_below(i);
        int64_t t = x[i - 1];
        x[i - 1] = x[j];
        x[j] = t;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t bench_n(void)
{
    const char *s = getenv("SCORING_BENCH_N");
    if (s && *s) {
        long long v = atoll(s);
        if (v > 0)
            return (size_t)v;
    }
    return 1000000;
}

/* ------------------------------------------------------------------ */
/* names                                                               */
/* ------------------------------------------------------------------ */

static void test_category_names(void **state)
{
    (void)state;
    /* domain.md §1: the 14 categories, in enum order */
    static const char *const col[SC_CAT__COUNT] = {
        "cost_bed", "cost_consult", "cost_exam", "cost_lab", "cost_treatment",
        "cost_surgery", "cost_nursing", "cost_material", "cost_western",
        "cost_herbal", "cost_patent", "cost_general", "cost_registration",
        "cost_other"};
    static const char *const zh[SC_CAT__COUNT] = {
        "床位费", "诊查费", "检查费", "化验费", "治疗费", "手术费", "护理费",
        "卫生材料费", "西药费", "中药饮片费", "中成药费", "一般诊疗费", "挂号费",
        "其他费"};
    /* domain.md §1 price-ratio structure: services / drugs+consumables / exams */
    static const sc_bucket bk[SC_CAT__COUNT] = {
        SC_BUCKET_SERVICES, SC_BUCKET_SERVICES, SC_BUCKET_EXAMS, SC_BUCKET_EXAMS,
        SC_BUCKET_SERVICES, SC_BUCKET_SERVICES, SC_BUCKET_SERVICES, SC_BUCKET_DRUGS,
        SC_BUCKET_DRUGS, SC_BUCKET_DRUGS, SC_BUCKET_DRUGS, SC_BUCKET_SERVICES,
        SC_BUCKET_SERVICES, SC_BUCKET_SERVICES};
    int per_bucket[SC_BUCKET__COUNT] = {0};
    for (int c = 0; c < SC_CAT__COUNT; c++) {
        assert_string_equal(sc_category_column((sc_category)c), col[c]);
        assert_string_equal(sc_category_chinese((sc_category)c), zh[c]);
        EXPECT_I64(sc_category_bucket((sc_category)c), bk[c], col[c]);
        per_bucket[sc_category_bucket((sc_category)c)]++;
    }
    EXPECT_I64(per_bucket[SC_BUCKET_SERVICES], 8, "services bucket size");
    EXPECT_I64(per_bucket[SC_BUCKET_DRUGS], 4, "drugs bucket size");
    EXPECT_I64(per_bucket[SC_BUCKET_EXAMS], 2, "exams bucket size");
    assert_null(sc_category_column(SC_CAT__COUNT));
    assert_null(sc_category_chinese((sc_category)-1));
    EXPECT_I64(sc_category_bucket(SC_CAT__COUNT), SC_BUCKET__COUNT, "bucket of invalid");

    assert_string_equal(sc_bucket_name(SC_BUCKET_SERVICES), "services");
    assert_string_equal(sc_bucket_name(SC_BUCKET_DRUGS), "drugs");
    assert_string_equal(sc_bucket_name(SC_BUCKET_EXAMS), "exams");
    assert_null(sc_bucket_name(SC_BUCKET__COUNT));
    assert_string_equal(sc_outlier_name(SC_OUT_NORMAL), "normal");
    assert_string_equal(sc_outlier_name(SC_OUT_LOW), "low");
    assert_string_equal(sc_outlier_name(SC_OUT_HIGH), "high");
    assert_null(sc_outlier_name(SC_OUT__COUNT));
    assert_string_equal(sc_status_name(SC_OK), "ok");
    assert_non_null(sc_status_name(SC_ERR_ARG));
    assert_non_null(sc_status_name(SC_ERR_EMPTY));
    assert_string_not_equal(sc_status_name(SC_ERR_ARG), sc_status_name(SC_ERR_EMPTY));
}

/* ------------------------------------------------------------------ */
/* calibration                                                         */
/* ------------------------------------------------------------------ */

static void test_calib_defaults(void **state)
{
    (void)state;
    sc_calib_params p;
    sc_calib_params_default(&p);
    /* domain.md §3: 1:2:7, 2.5% / 97.5%, >= 25 cases, ×1000 region mean */
    EXPECT_NEAR(p.year_weight[0], 1.0, 0, "year_weight[0]");
    EXPECT_NEAR(p.year_weight[1], 2.0, 0, "year_weight[1]");
    EXPECT_NEAR(p.year_weight[2], 7.0, 0, "year_weight[2]");
    EXPECT_NEAR(p.trim_low, 0.025, 0, "trim_low");
    EXPECT_NEAR(p.trim_high, 0.975, 0, "trim_high");
    EXPECT_I64(p.trim_min_cases, 25, "trim_min_cases");
    EXPECT_I64(p.scale, SC_SCALE_REGION_MEAN, "scale");
    EXPECT_NEAR(p.scale_factor, 1000.0, 0, "scale_factor");
}

/* costs (from..to) × unit, shuffled */
static size_t fill_range(int64_t *x, int64_t from, int64_t to, int64_t unit)
{
    size_t n = 0;
    for (int64_t v = from; v <= to; v++)
        x[n++] = v * unit;
    shuffle(x, n);
    return n;
}

static void test_year_stats_trim_40(void **state)
{
    (void)state;
    sc_calib_params p;
    sc_calib_params_default(&p);
    int64_t x[128];
    sc_year_stat s;
    lcg_seed(40);

    /* 100, 200, ..., 4000 fen. Defaults: rank ceil(0.025·40) = 1 -> Q_low =
     * 100, nothing below; rank ceil(0.975·40) = 39 -> Q_high = 3900, so 4000
     * is dropped. Kept 100..3900: 39 cases, sum 100·(39·40/2) = 78000, mean
     * 2000, population SD of 100·{1..39} = 100·sqrt((39²-1)/12). */
    size_t n = fill_range(x, 1, 40, 100);
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n, 40, "n");
    EXPECT_I64(s.n_used, 39, "n_used (4000 dropped above rank 39)");
    EXPECT_I64(s.sum_fen, 78000, "sum_fen");
    EXPECT_NEAR(s.mean_fen, 2000.0, 1e-9, "mean_fen");
    EXPECT_NEAR(s.sd_fen, 100.0 * sqrt((39.0 * 39.0 - 1.0) / 12.0), 1e-9, "sd_fen");
    for (size_t i = 0; i < n; i++)
        EXPECT_I64(x[i], (int64_t)(i + 1) * 100, "costs sorted ascending in place");

    /* 5% / 95%: ranks ceil(2) = 2 and ceil(38) = 38 -> Q = 200 and 3800;
     * 100, 3900, 4000 dropped; kept 200..3800: 37 cases, sum 100·(741-1). */
    p.trim_low = 0.05;
    p.trim_high = 0.95;
    n = fill_range(x, 1, 40, 100);
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n_used, 37, "n_used at 5%/95%");
    EXPECT_I64(s.sum_fen, 74000, "sum_fen at 5%/95%");
    EXPECT_NEAR(s.mean_fen, 2000.0, 1e-9, "mean_fen at 5%/95%");

    /* 10% / 90% of 30 cases: ranks 3 and 27 -> kept 3..27: 25 cases, sum
     * (3+27)·25/2 = 375. */
    p.trim_low = 0.1;
    p.trim_high = 0.9;
    n = fill_range(x, 1, 30, 1);
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n_used, 25, "n_used 10%/90% of 30");
    EXPECT_I64(s.sum_fen, 375, "sum_fen 10%/90% of 30");

    /* 7% / 93% of 100 cases: p·n is 7 and 93 in decimal, so ranks 7 and 93
     * (in binary doubles 0.07 * 100.0 = 7.000000000000001, whose ceil is 8).
     * Kept 7..93: 87 cases, sum (7+93)·87/2 = 4350. */
    p.trim_low = 0.07;
    p.trim_high = 0.93;
    n = fill_range(x, 1, 100, 1);
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n_used, 87, "n_used 7%/93% of 100 (exact decimal ranks)");
    EXPECT_I64(s.sum_fen, 4350, "sum_fen 7%/93% of 100");
}

static void test_year_stats_min_cases(void **state)
{
    (void)state;
    sc_calib_params p;
    sc_calib_params_default(&p);
    p.trim_low = 0.1;
    p.trim_high = 0.9;
    int64_t x[48];
    sc_year_stat s;
    lcg_seed(25);

    /* 24 cases < trim_min_cases 25: nothing trimmed, not even an extreme. */
    size_t n = fill_range(x, 1, 23, 1);
    x[n++] = 1000000;
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n_used, 24, "n_used with 24 cases (below 25, untrimmed)");
    EXPECT_I64(s.sum_fen, 23 * 24 / 2 + 1000000, "sum_fen untrimmed");

    /* 25 cases 1..25: ranks ceil(2.5) = 3, ceil(22.5) = 23 -> drop 1, 2, 24,
     * 25; kept 3..23: 21 cases, sum (3+23)·21/2 = 273. */
    n = fill_range(x, 1, 25, 1);
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n_used, 21, "n_used with 25 cases (trimmed)");
    EXPECT_I64(s.sum_fen, 273, "sum_fen 25 cases");

    /* trim_min_cases 26: the same 25 cases are now untrimmed */
    p.trim_min_cases = 26;
    n = fill_range(x, 1, 25, 1);
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n_used, 25, "n_used with trim_min_cases 26");

    /* defaults on 39 cases: rank ceil(0.975·39) = ceil(38.025) = 39 = n and
     * rank ceil(0.975) = 1: nothing can be dropped below 40 cases. */
    sc_calib_params_default(&p);
    n = fill_range(x, 1, 39, 7);
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n_used, 39, "n_used, 39 cases at defaults");

    /* empty and single-case groups */
    sc_year_stats(x, 0, &p, &s);
    EXPECT_I64(s.n, 0, "n of empty");
    EXPECT_I64(s.n_used, 0, "n_used of empty");
    EXPECT_I64(s.sum_fen, 0, "sum of empty");
    EXPECT_NEAR(s.mean_fen, 0.0, 0, "mean of empty");
    x[0] = 12345;
    sc_year_stats(x, 1, &p, &s);
    EXPECT_I64(s.n_used, 1, "n_used of one case");
    EXPECT_NEAR(s.mean_fen, 12345.0, 0, "mean of one case");
    EXPECT_NEAR(s.sd_fen, 0.0, 0, "sd of one case");
}

static void test_year_stats_ties_kept(void **state)
{
    (void)state;
    sc_calib_params p;
    sc_calib_params_default(&p);
    int64_t x[40];
    sc_year_stat s;
    lcg_seed(7);

    /* 100..3800 (38 cases) + 5000 twice. Q_high = x[39] = 5000, and x[40]
     * equals it: kept (ties at the cut are kept). All 40 cases used. */
    size_t n = 0;
    for (int v = 1; v <= 38; v++)
        x[n++] = v * 100;
    x[n++] = 5000;
    x[n++] = 5000;
    shuffle(x, n);
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n_used, 40, "n_used with a tie at the high cut");
    EXPECT_I64(s.sum_fen, 100 * (38 * 39 / 2) + 10000, "sum with a tie at the high cut");

    /* 50, 50, 300, 400, ..., 4000 (40 cases; x[k] = 100·k for k >= 3).
     * 5%: Q_low = x[2] = 50 == x[1] -> both kept; 95%: Q_high = x[38] =
     * 3800 -> 3900 and 4000 dropped. 38 used, sum 100 + 100·(3+...+38). */
    p.trim_low = 0.05;
    p.trim_high = 0.95;
    n = 0;
    x[n++] = 50;
    x[n++] = 50;
    for (int v = 3; v <= 40; v++)
        x[n++] = v * 100;
    shuffle(x, n);
    sc_year_stats(x, n, &p, &s);
    EXPECT_I64(s.n_used, 38, "n_used with a tie at the low cut");
    EXPECT_I64(s.sum_fen, 100 + 100 * (38 * 39 / 2 - 3), "sum with a tie at the low cut");

    /* all equal: every case is a tie at both cuts */
    for (size_t i = 0; i < 40; i++)
        x[i] = 777;
    sc_year_stats(x, 40, &p, &s);
    EXPECT_I64(s.n_used, 40, "n_used, all costs equal");
    EXPECT_NEAR(s.sd_fen, 0.0, 0, "sd, all costs equal");
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The radix sort inside sc_year_stats against qsort, with negative values,
 * the int64 extremes, heavy ties and sizes around the small-sort cut. */
static void test_year_stats_sort(void **state)
{
    (void)state;
    sc_calib_params p;
    sc_calib_params_default(&p);
    p.trim_min_cases = INT64_MAX;   /* no trimming: only the sort is tested */
    static const size_t sizes[] = {2, 3, 47, 48, 49, 50, 255, 256, 257, 1000, 70000};
    size_t nmax = 70000;
    int64_t *x = malloc(nmax * sizeof *x), *ref = malloc(nmax * sizeof *ref);
    assert_non_null(x);
    assert_non_null(ref);
    lcg_seed(12345);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (int mode = 0; mode < 5; mode++) {
            size_t n = sizes[si];
            for (size_t i = 0; i < n; i++) {
                uint64_t r = lcg_next();
                switch (mode) {
                case 0: x[i] = (int64_t)r; break;                        /* full range */
                case 1: x[i] = (int64_t)(r % 2000000000u); break;       /* costs */
                case 2: x[i] = (int64_t)(r % 5) - 2; break;             /* ties */
                case 3: x[i] = (r & 1) ? INT64_MAX - (int64_t)(r % 3)
                                       : INT64_MIN + (int64_t)(r % 3); break;
                default: x[i] = (int64_t)(r % 1000) << 40; break;       /* low bytes 0 */
                }
            }
            memcpy(ref, x, n * sizeof *x);
            qsort(ref, n, sizeof *ref, cmp_i64);
            sc_year_stat s;
            sc_year_stats(x, n, &p, &s);
            if (memcmp(x, ref, n * sizeof *x) != 0)
                fail_msg("sort: n=%zu mode=%d differs from qsort", n, mode);
            EXPECT_I64(s.n_used, (int64_t)n, "n_used without trimming");
        }
    }
    free(x);
    free(ref);
}

static sc_year_stat year(int64_t n_used, double mean)
{
    sc_year_stat y = {n_used, n_used, (int64_t)llround(mean * (double)n_used), mean, 0.0};
    return y;
}

static void test_weighted_mean(void **state)
{
    (void)state;
    const double w127[3] = {1, 2, 7}, w136[3] = {1, 3, 6};
    int ok = -1;
    /* (1·100 + 2·200 + 7·300) / 10 = 2600 / 10 = 260 */
    sc_year_stat y[3] = {year(5, 100), year(5, 200), year(5, 300)};
    EXPECT_NEAR(sc_weighted_mean(y, w127, &ok), 260.0, 1e-12, "1:2:7 mean");
    EXPECT_I64(ok, 1, "ok with cases");
    /* 1:3:6: (100 + 600 + 1800) / 10 = 250 */
    EXPECT_NEAR(sc_weighted_mean(y, w136, NULL), 250.0, 1e-12, "1:3:6 mean");

    /* oldest year empty: weights renormalised, (2·200 + 7·300) / 9 = 2500/9 */
    y[0] = year(0, 0);
    EXPECT_NEAR(sc_weighted_mean(y, w127, &ok), 2500.0 / 9.0, 1e-12, "mean, oldest missing");
    /* newest empty instead: (1·100 + 2·200) / 3 = 500/3 */
    y[0] = year(5, 100);
    y[2] = year(0, 0);
    EXPECT_NEAR(sc_weighted_mean(y, w127, &ok), 500.0 / 3.0, 1e-12, "mean, newest missing");
    /* none */
    y[0] = year(0, 0);
    y[1] = year(0, 0);
    ok = -1;
    EXPECT_NEAR(sc_weighted_mean(y, w127, &ok), 0.0, 0, "mean, no cases");
    EXPECT_I64(ok, 0, "ok without cases");
}

static void test_pooled_cv(void **state)
{
    (void)state;
    sc_calib_params p;
    sc_calib_params_default(&p);
    p.trim_min_cases = INT64_MAX;
    sc_year_stat y[3];

    /* {100, 300}, {200}, {}: pooled 100, 200, 300, mean 200, population
     * variance (100² + 0 + 100²)/3, CV = 100·sqrt(2/3)/200 = sqrt(2/3)/2. */
    int64_t a[2] = {300, 100}, b[1] = {200};
    sc_year_stats(a, 2, &p, &y[0]);
    sc_year_stats(b, 1, &p, &y[1]);
    sc_year_stats(NULL, 0, &p, &y[2]);
    EXPECT_NEAR(sc_pooled_cv(y), sqrt(2.0 / 3.0) / 2.0, 1e-12, "pooled CV hand example");

    /* fewer than 2 cases */
    sc_year_stats(b, 1, &p, &y[0]);
    sc_year_stats(NULL, 0, &p, &y[1]);
    EXPECT_NEAR(sc_pooled_cv(y), 0.0, 0, "pooled CV of one case");

    /* random years vs a direct two-pass computation over all costs */
    lcg_seed(99);
    enum { N0 = 1000, N1 = 3000, N2 = 7001 };
    static int64_t all[N0 + N1 + N2], buf[N0 + N1 + N2];
    size_t ns[3] = {N0, N1, N2};
    size_t k = 0;
    for (int yi = 0; yi < 3; yi++) {
        size_t start = k;
        for (size_t i = 0; i < ns[yi]; i++)
            all[k++] = 50000 + (int64_t)lcg_below(2000000) * (yi + 1);
        memcpy(buf + start, all + start, ns[yi] * sizeof *all);
        sc_year_stats(buf + start, ns[yi], &p, &y[yi]);
    }
    long double s = 0, ss = 0;
    for (size_t i = 0; i < k; i++)
        s += all[i];
    long double m = s / k;
    for (size_t i = 0; i < k; i++)
        ss += (all[i] - m) * (all[i] - m);
    double cv = (double)(sqrtl(ss / k) / m);
    EXPECT_NEAR(sc_pooled_cv(y), cv, 1e-12 * cv, "pooled CV vs direct");
}

static void test_score_from_means(void **state)
{
    (void)state;
    sc_calib_params p;
    sc_calib_params_default(&p);
    /* 1500 / 1000 × 1000 = 1500 (平均费用法) */
    EXPECT_NEAR(sc_score_from_means(1500, 1000, &p), 1500.0, 1e-9, "region mean");
    p.scale = SC_SCALE_BENCHMARK;
    EXPECT_NEAR(sc_score_from_means(1500, 1000, &p), 1500.0, 1e-9, "benchmark");
    p.scale_factor = 100;
    EXPECT_NEAR(sc_score_from_means(1500, 1000, &p), 150.0, 1e-9, "benchmark ×100");
    p.scale = SC_SCALE_UNIT;   /* 标准定额法: no factor */
    EXPECT_NEAR(sc_score_from_means(1500, 1000, &p), 1.5, 1e-15, "unit");
    EXPECT_NEAR(sc_score_from_means(1500, 0, &p), 0.0, 0, "M = 0");
    EXPECT_NEAR(sc_score_from_means(1500, -5, &p), 0.0, 0, "M < 0");
}

/* ------------------------------------------------------------------ */
/* outliers                                                            */
/* ------------------------------------------------------------------ */

static void expect_class(double ratio, const sc_outlier_params *p,
                         sc_outlier_class want, double want_factor, const char *what)
{
    double f = -99;
    sc_outlier_class c = sc_outlier_classify(ratio, p, &f);
    if (c != want)
        fail_msg("%s: ratio %.17g classified %s, expected %s", what, ratio,
                 sc_outlier_name(c), sc_outlier_name(want));
    EXPECT_NEAR(f, want_factor, 1e-12, what);
}

static void test_outlier_boundaries(void **state)
{
    (void)state;
    sc_outlier_params p;
    sc_outlier_params_default(&p);
    assert_int_equal(sc_outlier_params_check(&p), SC_OK);
    /* domain.md §4 defaults: low < 0.5, normal 0.5..2 inclusive, high > 2 */
    expect_class(0.0, &p, SC_OUT_LOW, 0.0, "ratio 0");
    expect_class(0.4999, &p, SC_OUT_LOW, 0.4999, "just below 0.5");
    expect_class(0.5, &p, SC_OUT_NORMAL, 1.0, "0.5 exclusive low");
    expect_class(1.3, &p, SC_OUT_NORMAL, 1.0, "1.3");
    expect_class(2.0, &p, SC_OUT_NORMAL, 1.0, "2.0 exclusive high");
    expect_class(2.5, &p, SC_OUT_HIGH, 1.5, "2.5: 2.5 - 2 + 1");
    expect_class(6.0, &p, SC_OUT_HIGH, 5.0, "6.0: 6 - 2 + 1");

    p.low_inclusive = 1;
    p.high_inclusive = 1;
    expect_class(0.5, &p, SC_OUT_LOW, 0.5, "0.5 inclusive low");
    expect_class(0.5000001, &p, SC_OUT_NORMAL, 1.0, "just above 0.5 inclusive");
    expect_class(2.0, &p, SC_OUT_HIGH, 1.0, "2.0 inclusive high: 2 - 2 + 1");
    expect_class(1.9999999, &p, SC_OUT_NORMAL, 1.0, "just below 2 inclusive");

    /* hospital factor inside the high formula, K = 1.5; threshold 3 */
    sc_outlier_params_default(&p);
    p.high = 3.0;
    p.high_k = 1.5;
    expect_class(3.0, &p, SC_OUT_NORMAL, 1.0, "3.0 with high 3 exclusive");
    expect_class(4.0, &p, SC_OUT_HIGH, 2.5, "4.0: 4 - 3 + 1.5");
}

/* DRG outliers, domain.md §6: k = 3 for RW <= 1, 2 for 1 < RW <= 2, 1.5
 * above; high when cost/mean >= k, factor 1 + (r - k); low when r <= 0.4,
 * factor r. Worked by hand. */
static void test_drg_outlier(void **state)
{
    (void)state;
    sc_drg_outlier_params p;
    sc_drg_outlier_params_default(&p);
    assert_int_equal(sc_drg_outlier_params_check(&p), SC_OK);
    double f = -1;
    /* RW 0.8 (k = 3): r = 3 is high exactly at the bound, factor 1 */
    assert_int_equal(sc_drg_outlier_classify(3.0, 0.8, &p, &f), SC_OUT_HIGH);
    assert_true(fabs(f - 1.0) < 1e-12);
    assert_int_equal(sc_drg_outlier_classify(2.99, 0.8, &p, &f), SC_OUT_NORMAL);
    assert_true(f == 1.0);
    /* RW 1.0 is still the low band; RW 1.5 uses k = 2: r = 3.5 -> 2.5 */
    assert_int_equal(sc_drg_outlier_classify(2.5, 1.0, &p, &f), SC_OUT_NORMAL);
    assert_int_equal(sc_drg_outlier_classify(3.5, 1.5, &p, &f), SC_OUT_HIGH);
    assert_true(fabs(f - 2.5) < 1e-12);
    /* RW 2.0 uses k = 2, RW 2.01 uses k = 1.5: r = 1.8 -> normal / high 1.3 */
    assert_int_equal(sc_drg_outlier_classify(1.8, 2.0, &p, &f), SC_OUT_NORMAL);
    assert_int_equal(sc_drg_outlier_classify(1.8, 2.01, &p, &f), SC_OUT_HIGH);
    assert_true(fabs(f - 1.3) < 1e-12);
    /* low: r <= 0.4 inclusive, factor r */
    assert_int_equal(sc_drg_outlier_classify(0.4, 1.0, &p, &f), SC_OUT_LOW);
    assert_true(fabs(f - 0.4) < 1e-12);
    assert_int_equal(sc_drg_outlier_classify(0.41, 1.0, &p, &f), SC_OUT_NORMAL);
    /* checks */
    p.low = 3.5;
    assert_int_equal(sc_drg_outlier_params_check(&p), SC_ERR_ARG);
    sc_drg_outlier_params_default(&p);
    p.rw_band_low = 3;
    assert_int_equal(sc_drg_outlier_params_check(&p), SC_ERR_ARG);
    sc_drg_outlier_params_default(&p);
    p.high_k_mid_rw = NAN;
    assert_int_equal(sc_drg_outlier_params_check(&p), SC_ERR_ARG);
}

static void test_outlier_params_check(void **state)
{
    (void)state;
    sc_outlier_params d, p;
    sc_outlier_params_default(&d);
    EXPECT_NEAR(d.low, 0.5, 0, "default low");
    EXPECT_NEAR(d.high, 2.0, 0, "default high");
    EXPECT_NEAR(d.high_k, 1.0, 0, "default high_k");
    EXPECT_NEAR(d.special, 5.0, 0, "default special");
    EXPECT_NEAR(d.special_cap, 0.005, 0, "default special_cap (5‰)");
    EXPECT_I64(d.low_inclusive, 0, "default low_inclusive");
    EXPECT_I64(d.high_inclusive, 0, "default high_inclusive");

#define CHECK_WITH(field, value, want)                                       \
    do {                                                                     \
        p = d;                                                               \
        p.field = (value);                                                   \
        if (sc_outlier_params_check(&p) != (want))                           \
            fail_msg("check with " #field " = %g: expected %s", (double)(value), \
                     sc_status_name(want));                                  \
    } while (0)
    CHECK_WITH(low, 0.0, SC_ERR_ARG);
    CHECK_WITH(low, -0.1, SC_ERR_ARG);
    CHECK_WITH(low, 2.0, SC_ERR_ARG);        /* low == high */
    CHECK_WITH(low, 1.999, SC_OK);
    CHECK_WITH(low, NAN, SC_ERR_ARG);
    CHECK_WITH(high, 5.0, SC_OK);            /* high == special */
    CHECK_WITH(high, 5.01, SC_ERR_ARG);
    CHECK_WITH(high_k, 0.0, SC_OK);
    CHECK_WITH(high_k, -0.01, SC_ERR_ARG);
    CHECK_WITH(special_cap, 0.0, SC_OK);
    CHECK_WITH(special_cap, 1.0, SC_OK);
    CHECK_WITH(special_cap, 1.0001, SC_ERR_ARG);
    CHECK_WITH(special_cap, -0.001, SC_ERR_ARG);
    CHECK_WITH(special, INFINITY, SC_ERR_ARG);
    CHECK_WITH(special_pay_k, 3.0, SC_OK);
    CHECK_WITH(special_pay_k, -1.0, SC_ERR_ARG);
#undef CHECK_WITH
}

static void test_score_e4(void **state)
{
    (void)state;
    EXPECT_I64(sc_score_e4(1.2345, 1.0, 1.0), 12345, "1.2345 points");
    /* RW 1000 (×1000 scale) × coefficient 0.85 = 850 points */
    EXPECT_I64(sc_score_e4(1000.0, 0.85, 1.0), 8500000, "1000 × 0.85");
    /* low case, ratio 0.3: 0.3 × 200 = 60 points */
    EXPECT_I64(sc_score_e4(200.0, 1.0, 0.3), 600000, "low 0.3 × 200");
    /* rounding to nearest: 0.00004 point -> 0.4 e4 -> 0; 0.00006 -> 1 */
    EXPECT_I64(sc_score_e4(0.00004, 1.0, 1.0), 0, "0.4 e4 rounds to 0");
    EXPECT_I64(sc_score_e4(0.00006, 1.0, 1.0), 1, "0.6 e4 rounds to 1");
    EXPECT_I64(sc_score_e4(100.0, 1.0, -0.5), 0, "negative factor clamps to 0");
    EXPECT_I64(sc_score_e4(NAN, 1.0, 1.0), 0, "NaN gives 0");
}

/* ------------------------------------------------------------------ */
/* partials, point value, money                                        */
/* ------------------------------------------------------------------ */

static void test_inst_merge(void **state)
{
    (void)state;
    sc_inst_partial a = {1, 100, 80, 5000, {10, 20, 70}, {1, 0, 0}, 0, 1};
    sc_inst_partial b = {2, 300, 240, 7000, {100, 150, 50}, {0, 1, 1}, 1, 0};
    sc_inst_partial ab = {0}, ba = {0};
    sc_inst_merge(&ab, &a);
    sc_inst_merge(&ab, &b);
    sc_inst_merge(&ba, &b);
    sc_inst_merge(&ba, &a);
    EXPECT_I64(ab.n_cases, 3, "n_cases");
    EXPECT_I64(ab.cost_fen, 400, "cost_fen");
    EXPECT_I64(ab.fund_fen, 320, "fund_fen");
    EXPECT_I64(ab.score_e4, 12000, "score_e4");
    EXPECT_I64(ab.bucket_fen[SC_BUCKET_SERVICES], 110, "bucket services");
    EXPECT_I64(ab.bucket_fen[SC_BUCKET_DRUGS], 170, "bucket drugs");
    EXPECT_I64(ab.bucket_fen[SC_BUCKET_EXAMS], 120, "bucket exams");
    EXPECT_I64(ab.n_outlier[SC_OUT_NORMAL], 1, "n_outlier normal");
    EXPECT_I64(ab.n_outlier[SC_OUT_LOW], 1, "n_outlier low");
    EXPECT_I64(ab.n_outlier[SC_OUT_HIGH], 1, "n_outlier high");
    EXPECT_I64(ab.n_special, 1, "n_special");
    EXPECT_I64(ab.n_blank, 1, "n_blank");
    if (memcmp(&ab, &ba, sizeof ab) != 0)
        fail_msg("merge a+b differs from b+a");
}

static void test_point_value(void **state)
{
    (void)state;
    /* fund share 8e7 / 1e8 = 0.8 */
    EXPECT_NEAR(sc_fund_share(80000000, 100000000), 0.8, 1e-15, "fund share");
    EXPECT_NEAR(sc_fund_share(5, 0), 0.0, 0, "fund share, cost 0");
    /* Budget 1,000,000 yuan (1e8 fen), fund share 0.8, 125,000 points
     * (1.25e9 e4): (1e6 / 0.8) / 125000 = 1.25e6 / 1.25e5 = 10 yuan/point. */
    EXPECT_NEAR(sc_point_value(100000000, 80000000, 100000000, 1250000000),
                10.0, 1e-12, "point value worked example");
    /* Budget 3e6 yuan (3e8 fen), share 75/100, 200,000 points (2e9 e4):
     * (3e6 / 0.75) / 2e5 = 4e6 / 2e5 = 20 yuan/point. */
    EXPECT_NEAR(sc_point_value(300000000, 75, 100, 2000000000), 20.0, 1e-12,
                "point value second example");
    EXPECT_NEAR(sc_point_value(0, 1, 1, 1), 0.0, 0, "zero budget");
    EXPECT_NEAR(sc_point_value(1, 0, 1, 1), 0.0, 0, "zero fund");
    EXPECT_NEAR(sc_point_value(1, 1, 0, 1), 0.0, 0, "zero cost");
    EXPECT_NEAR(sc_point_value(1, 1, 1, 0), 0.0, 0, "zero score");
}

static void test_muldiv_round(void **state)
{
    (void)state;
    /* round half to even */
    EXPECT_I64(sc_muldiv_round(5, 1, 2), 2, "2.5 -> 2");
    EXPECT_I64(sc_muldiv_round(7, 1, 2), 4, "3.5 -> 4");
    EXPECT_I64(sc_muldiv_round(-5, 1, 2), -2, "-2.5 -> -2");
    EXPECT_I64(sc_muldiv_round(-7, 1, 2), -4, "-3.5 -> -4");
    EXPECT_I64(sc_muldiv_round(1, 5, 10), 0, "0.5 -> 0");
    EXPECT_I64(sc_muldiv_round(3, 5, 10), 2, "1.5 -> 2");
    EXPECT_I64(sc_muldiv_round(3, -5, 10), -2, "-1.5 -> -2 (negative num)");
    /* not halves */
    EXPECT_I64(sc_muldiv_round(10, 1, 3), 3, "3.33 -> 3");
    EXPECT_I64(sc_muldiv_round(20, 1, 3), 7, "6.67 -> 7");
    EXPECT_I64(sc_muldiv_round(-20, 1, 3), -7, "-6.67 -> -7");
    EXPECT_I64(sc_muldiv_round(-10, 1, 3), -3, "-3.33 -> -3");
    /* payment 1e15 fen × assessment coefficient 0.95 (9500/10000) */
    EXPECT_I64(sc_muldiv_round(INT64_C(1000000000000000), 9500, 10000),
               INT64_C(950000000000000), "1e15 × 0.95");
    /* the product needs 126 bits */
    EXPECT_I64(sc_muldiv_round(INT64_MAX, INT64_MAX, INT64_MAX), INT64_MAX, "MAX·MAX/MAX");
    EXPECT_I64(sc_muldiv_round(INT64_MIN, INT64_MAX, INT64_MAX), INT64_MIN, "MIN·MAX/MAX");
    /* (2^62 + 1)·3 / 2 = 1.5·2^62 + 1.5 -> ...+2 (half to even) */
    EXPECT_I64(sc_muldiv_round((INT64_C(1) << 62) + 1, 3, 2),
               (INT64_C(3) << 61) + 2, "(2^62+1)·3/2");
    EXPECT_I64(sc_muldiv_round(INT64_MAX, 2, 1), INT64_MAX, "saturates high");
    EXPECT_I64(sc_muldiv_round(INT64_MIN, 2, 1), INT64_MIN, "saturates low");
    EXPECT_I64(sc_muldiv_round(5, 1, 0), 0, "den 0 gives 0");
}

/* sc_muldiv_round's 64-bit fast path (a product that fits) against an
 * independent 128-bit reference: floor, then half to even on the remainder;
 * random signed values, exact halves, and products at the 64-bit edge. */
__extension__ typedef __int128 i128t;
static int64_t muldiv_ref(int64_t a, int64_t num, int64_t den)
{
    i128t p = (i128t)a * num, q = p / den, r = p % den;
    if (r < 0) { q -= 1; r += den; }
    if (2 * r > den || (2 * r == den && (q & 1))) q += 1;
    return q > INT64_MAX ? INT64_MAX : q < INT64_MIN ? INT64_MIN : (int64_t)q;
}

static void test_muldiv_fast_path(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 400000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        uint64_t y = x * 0x2545F4914F6CDD1Dull;
        int sh = (int)(y % 40);
        int64_t a = (int64_t)(x >> (1 + sh % 32)) * ((y >> 40) & 1 ? -1 : 1);
        int64_t num = (int64_t)((y >> 8) % (UINT64_C(1) << (i % 4 ? 20 : 40))) * ((y >> 41) & 1 ? -1 : 1);
        int64_t den = (int64_t)((x >> 20) % (i % 5 ? 1000 : UINT64_C(2000000000000))) + 1;
        if (i % 13 == 0) { den = 2; num = 1; }          /* exact halves */
        if (i % 17 == 0) den = 2 * (int64_t)((y >> 3) % 1000 + 1);
        char msg[160];
        snprintf(msg, sizeof msg, "%lld * %lld / %lld", (long long)a, (long long)num, (long long)den);
        EXPECT_I64(sc_muldiv_round(a, num, den), muldiv_ref(a, num, den), msg);
    }
    /* at the 64-bit edge: the product INT64_MAX, INT64_MIN + 1 and INT64_MIN */
    EXPECT_I64(sc_muldiv_round(INT64_MAX, 1, 2), muldiv_ref(INT64_MAX, 1, 2), "MAX/2");
    EXPECT_I64(sc_muldiv_round(-INT64_MAX, 1, 2), muldiv_ref(-INT64_MAX, 1, 2), "-MAX/2");
    EXPECT_I64(sc_muldiv_round(INT64_MIN, 1, 2), muldiv_ref(INT64_MIN, 1, 2), "MIN/2");
    EXPECT_I64(sc_muldiv_round(INT64_MIN / 2, 2, 3), muldiv_ref(INT64_MIN / 2, 2, 3), "MIN/3");
    EXPECT_I64(sc_muldiv_round(-5, 1, 1), -5, "den 1");
}

/* Reference largest-remainder: full sort of (remainder desc, index asc). */
static const u128 *ref_rem;
static int cmp_ref(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (ref_rem[i] != ref_rem[j])
        return ref_rem[i] > ref_rem[j] ? -1 : 1;
    return (i > j) - (i < j);
}

static void apportion_ref(int64_t total, const int64_t *w, size_t n, int64_t *out)
{
    u128 W = 0;
    for (size_t i = 0; i < n; i++)
        W += (u128)w[i];
    u128 *rem = malloc(n * sizeof *rem);
    size_t *idx = malloc(n * sizeof *idx);
    assert_non_null(rem);
    assert_non_null(idx);
    u128 given = 0;
    for (size_t i = 0; i < n; i++) {
        u128 p = (u128)total * (u128)w[i];
        out[i] = (int64_t)(p / W);
        rem[i] = p % W;
        given += p / W;
        idx[i] = i;
    }
    ref_rem = rem;
    qsort(idx, n, sizeof *idx, cmp_ref);
    for (size_t k = 0; k < (size_t)((u128)total - given); k++)
        out[idx[k]]++;
    free(rem);
    free(idx);
}

static void test_apportion_worked(void **state)
{
    (void)state;
    int64_t out[8], scr[8];
    /* 100 fen over 1:1:1: 33 each, 1 left, all remainders equal -> index 0 */
    const int64_t w3[3] = {1, 1, 1};
    assert_int_equal(sc_apportion(100, w3, 3, out, scr), SC_OK);
    EXPECT_I64(out[0], 34, "100/3 item 0");
    EXPECT_I64(out[1], 33, "100/3 item 1");
    EXPECT_I64(out[2], 33, "100/3 item 2");
    /* 10 over four equal weights: 2.5 each, 2 left -> items 0, 1 */
    const int64_t w4[4] = {7, 7, 7, 7};
    assert_int_equal(sc_apportion(10, w4, 4, out, scr), SC_OK);
    EXPECT_I64(out[0], 3, "ties item 0");
    EXPECT_I64(out[1], 3, "ties item 1");
    EXPECT_I64(out[2], 2, "ties item 2");
    EXPECT_I64(out[3], 2, "ties item 3");
    /* 1001 over 1:2:3:4: 100.1, 200.2, 300.3, 400.4 -> 1 left, to item 3 */
    const int64_t w1234[4] = {1, 2, 3, 4};
    assert_int_equal(sc_apportion(1001, w1234, 4, out, scr), SC_OK);
    EXPECT_I64(out[0], 100, "1001 item 0");
    EXPECT_I64(out[1], 200, "1001 item 1");
    EXPECT_I64(out[2], 300, "1001 item 2");
    EXPECT_I64(out[3], 401, "1001 item 3");
    /* 1009 over 1:2:3:4: 100.9, 201.8, 302.7, 403.6 -> floors sum to 1006,
     * 3 left; remainders .9 > .8 > .7 > .6 -> items 0, 1, 2 */
    assert_int_equal(sc_apportion(1009, w1234, 4, out, scr), SC_OK);
    EXPECT_I64(out[0], 101, "1009 item 0");
    EXPECT_I64(out[1], 202, "1009 item 1");
    EXPECT_I64(out[2], 303, "1009 item 2");
    EXPECT_I64(out[3], 403, "1009 item 3");
    /* zero weights: 11 over 0,5,0,5 -> 5.5 each, 1 left -> item 1 */
    const int64_t wz[4] = {0, 5, 0, 5};
    assert_int_equal(sc_apportion(11, wz, 4, out, scr), SC_OK);
    EXPECT_I64(out[0], 0, "zero weight item 0");
    EXPECT_I64(out[1], 6, "zero weight item 1");
    EXPECT_I64(out[2], 0, "zero weight item 2");
    EXPECT_I64(out[3], 5, "zero weight item 3");
    /* n = 1 takes everything */
    const int64_t w1[1] = {3};
    assert_int_equal(sc_apportion(INT64_MAX, w1, 1, out, scr), SC_OK);
    EXPECT_I64(out[0], INT64_MAX, "n=1 gets the total");
    /* total 0 */
    assert_int_equal(sc_apportion(0, w1234, 4, out, scr), SC_OK);
    for (int i = 0; i < 4; i++)
        EXPECT_I64(out[i], 0, "total 0");
}

static void test_apportion_errors(void **state)
{
    (void)state;
    int64_t out[4] = {9, 9, 9, 9}, scr[4];
    const int64_t w0[4] = {0, 0, 0, 0};
    assert_int_equal(sc_apportion(100, w0, 4, out, scr), SC_ERR_EMPTY);
    for (int i = 0; i < 4; i++)
        EXPECT_I64(out[i], 0, "out zeroed when all weights are 0");
    assert_int_equal(sc_apportion(100, w0, 0, out, scr), SC_ERR_EMPTY);
    const int64_t wneg[3] = {1, -1, 5};
    assert_int_equal(sc_apportion(100, wneg, 3, out, scr), SC_ERR_ARG);
    const int64_t wok[3] = {1, 1, 5};
    assert_int_equal(sc_apportion(-1, wok, 3, out, scr), SC_ERR_ARG);
    const int64_t wbig[3] = {INT64_MAX, 1, 0};
    assert_int_equal(sc_apportion(100, wbig, 3, out, scr), SC_ERR_ARG);
    const int64_t wedge[2] = {INT64_MAX - 1, 1};   /* W == INT64_MAX is fine */
    assert_int_equal(sc_apportion(100, wedge, 2, out, scr), SC_OK);
    EXPECT_I64(out[0] + out[1], 100, "sum at W = INT64_MAX");
    assert_int_equal(sc_apportion(100, NULL, 3, out, scr), SC_ERR_ARG);
}

static void fill_weights(int64_t *w, size_t n, int mode)
{
    int64_t cap = n ? INT64_MAX / (int64_t)n : 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = lcg_next();
        switch (mode) {
        case 0: w[i] = (int64_t)(r % 100); break;                     /* ties, zeros */
        case 1: w[i] = (int64_t)(r % (uint64_t)cap); break;           /* near the limit */
        case 2: w[i] = 12345; break;                                  /* all equal */
        case 3: w[i] = (r % 10 == 0) ? (int64_t)(r % 1000) : 0; break;/* sparse */
        case 4: w[i] = INT64_C(1) << (r % 40); break;                 /* powers of two */
        default:                                                      /* up to 1e15 */
            w[i] = (int64_t)(r % (uint64_t)(cap < INT64_C(1000000000000000)
                                            ? cap : INT64_C(1000000000000000)));
            break;
        }
    }
}

static int64_t pick_total(int mode, size_t n)
{
    switch (mode) {
    case 0: return 0;
    case 1: return (int64_t)lcg_below(n + 1);
    case 2: return (int64_t)lcg_below(INT64_C(1000000000000000));
    case 3: return INT64_C(1000000000000000);
    default: return INT64_MAX - (int64_t)lcg_below(1000);
    }
}

static void test_apportion_random(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 3, 5, 17, 100, 257, 1000, 4099, 30000};
    size_t nmax = 30000;
    int64_t *w = malloc(nmax * sizeof *w), *out = malloc(nmax * sizeof *out),
            *scr = malloc(nmax * sizeof *scr), *ref = malloc(nmax * sizeof *ref);
    assert_non_null(w);
    assert_non_null(out);
    assert_non_null(scr);
    assert_non_null(ref);
    lcg_seed(2024);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        for (int wm = 0; wm < 6; wm++) {
            for (int tm = 0; tm < 5; tm++) {
                fill_weights(w, n, wm);
                int64_t total = pick_total(tm, n);
                u128 W = 0;
                for (size_t i = 0; i < n; i++)
                    W += (u128)w[i];
                sc_status st = sc_apportion(total, w, n, out, scr);
                if (W == 0) {
                    EXPECT_I64(st, SC_ERR_EMPTY, "status with W = 0");
                    continue;
                }
                if (st != SC_OK)
                    fail_msg("n=%zu wmode=%d tmode=%d: status %s", n, wm, tm,
                             sc_status_name(st));
                u128 sum = 0;
                for (size_t i = 0; i < n; i++) {
                    u128 fl = (u128)total * (u128)w[i] / W;
                    if ((u128)out[i] != fl && (u128)out[i] != fl + 1)
                        fail_msg("n=%zu wmode=%d tmode=%d item %zu: %" PRId64
                                 " is not floor or floor+1 of its share", n, wm, tm,
                                 i, out[i]);
                    if (w[i] == 0 && out[i] != 0)
                        fail_msg("n=%zu item %zu: weight 0 got %" PRId64, n, i, out[i]);
                    sum += (u128)out[i];
                }
                if (sum != (u128)total)
                    fail_msg("n=%zu wmode=%d tmode=%d: sum differs from total %" PRId64,
                             n, wm, tm, total);
                if (n <= 4099) {
                    apportion_ref(total, w, n, ref);
                    for (size_t i = 0; i < n; i++)
                        if (out[i] != ref[i])
                            fail_msg("n=%zu wmode=%d tmode=%d item %zu: %" PRId64
                                     ", brute-force reference %" PRId64,
                                     n, wm, tm, i, out[i], ref[i]);
                }
            }
        }
    }
    free(w);
    free(out);
    free(scr);
    free(ref);
}

/* ------------------------------------------------------------------ */
/* timing (printed, never asserted)                                    */
/* ------------------------------------------------------------------ */

static void test_perf_apportion(void **state)
{
    (void)state;
    size_t n = bench_n();
    int64_t *w = malloc(n * sizeof *w), *out = malloc(n * sizeof *out),
            *scr = malloc(n * sizeof *scr);
    assert_non_null(w);
    assert_non_null(out);
    assert_non_null(scr);
    lcg_seed(77);
    for (size_t i = 0; i < n; i++)
        w[i] = (int64_t)lcg_below(INT64_C(100000000000));   /* scores up to 1e7 points */
    const int64_t total = INT64_C(123456789012345);           /* ~1.2e12 yuan in fen */
    memset(out, 0, n * sizeof *out);   /* page faults stay out of the timing */
    memset(scr, 0, n * sizeof *scr);
    double t0 = now_s();
    sc_status st = sc_apportion(total, w, n, out, scr);
    double t1 = now_s();
    assert_int_equal(st, SC_OK);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += out[i];
    EXPECT_I64(sum, total, "sum of apportioned fen");
    printf("[ TIMING   ] sc_apportion n=%zu: %.3f s (%.1f ns/item)\n", n, t1 - t0,
           (t1 - t0) * 1e9 / (double)n);
    free(w);
    free(out);
    free(scr);
}

static void test_perf_year_stats(void **state)
{
    (void)state;
    size_t n = bench_n();
    int64_t *x = malloc(n * sizeof *x);
    assert_non_null(x);
    lcg_seed(78);
    for (size_t i = 0; i < n; i++) {
        /* skewed costs: 500 yuan .. ~1e6 yuan in fen */
        uint64_t r = lcg_next();
        x[i] = 50000 + (int64_t)((r % 1000000) * ((r >> 40) % 100 + 1));
    }
    sc_calib_params p;
    sc_calib_params_default(&p);
    sc_year_stat s;
    double t0 = now_s();
    sc_year_stats(x, n, &p, &s);
    double t1 = now_s();
    for (size_t i = 1; i < n; i++)
        if (x[i - 1] > x[i])
            fail_msg("costs not sorted at %zu", i);
    EXPECT_I64(s.n, (int64_t)n, "n");
    assert_true(s.n_used <= s.n && s.n_used >= s.n * 95 / 100);
    printf("[ TIMING   ] sc_year_stats n=%zu: %.3f s (%.1f ns/item)\n", n, t1 - t0,
           (t1 - t0) * 1e9 / (double)n);
    free(x);
}


/* Regions to ranks (sc_assign_by_size): a hand-worked case, ties, and on
 * random sizes the LPT bound (max load <= mean + largest item) checked
 * against loads recomputed from owner. */
static void test_assign_by_size(void **state)
{
    (void)state;
    uint64_t size[8] = {50, 10, 40, 30, 30, 0, 20, 10}, load[4];
    int owner[8];
    assert_int_equal(sc_assign_by_size(size, 8, 2, owner, load), SC_OK);
    /* order 50(0) 40(2) 30(3) 30(4) 20(6) 10(1) 10(7) 0(5):
       0->b0(50) 2->b1(40) 3->b1(70) 4->b0(80) 6->b1(90) 1->b0(90) 7->b0 (tie: lower, 100) 5->b1(91) */
    int want[8] = {0, 0, 1, 1, 0, 1, 1, 0};
    for (int i = 0; i < 8; i++) assert_int_equal(owner[i], want[i]);
    assert_int_equal(load[0], 100);
    assert_int_equal(load[1], 91);
    assert_int_equal(sc_assign_by_size(size, 8, 1, owner, load), SC_OK);
    for (int i = 0; i < 8; i++) assert_int_equal(owner[i], 0);
    assert_int_equal(sc_assign_by_size(size, 8, 0, owner, load), SC_ERR_ARG);
    assert_int_equal(sc_assign_by_size(NULL, 8, 2, owner, load), SC_ERR_ARG);
    assert_int_equal(sc_assign_by_size(size, 0, 3, owner, load), SC_OK);
    uint64_t s2[300], l2[7], got[7];
    int o2[300];
    uint64_t x = 88172645463325252ull;
    for (int rep = 0; rep < 50; rep++) {
        uint64_t total = 0, big = 0;
        int n = 1 + rep * 6, nb = 1 + rep % 7;
        for (int i = 0; i < n; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            s2[i] = 1 + x % 1000000;
            total += s2[i];
            if (s2[i] > big) big = s2[i];
        }
        assert_int_equal(sc_assign_by_size(s2, n, nb, o2, l2), SC_OK);
        for (int r = 0; r < nb; r++) got[r] = 0;
        for (int i = 0; i < n; i++) {
            assert_true(o2[i] >= 0 && o2[i] < nb);
            got[o2[i]] += s2[i];
        }
        for (int r = 0; r < nb; r++) {
            assert_int_equal(got[r], l2[r]);
            assert_true(got[r] <= total / (uint64_t)nb + big);
        }
    }
}

/* A region's scenarios cut into chunks (sc_split_scenarios): hand-worked
 * cases (a region over the fair share cut until its largest unit is within
 * it or cannot shrink; the heaviest scenario bounds a chunk), and on random
 * regions the bounds and the stop rule recomputed from the chunks. */
static uint64_t split_unit(uint64_t size, uint64_t base, uint64_t sum, uint64_t mx, int m)
{
    uint64_t per = (sum + (uint64_t)m - 1) / (uint64_t)m;
    return size * (base + (per > mx ? per : mx));
}
static void test_split_scenarios(void **state)
{
    (void)state;
    uint64_t size[3] = {1200, 60, 150}, sum[3] = {6, 6, 6}, mx[3] = {1, 1, 1};
    int ns[3] = {6, 6, 6}, ch[3];
    /* 2 bins: 1200x11 = 13200 of 15510 -> 2 chunks (1200x8 = 9600; total 21510, 9600x2 <= 21510) */
    assert_int_equal(sc_split_scenarios(size, sum, mx, ns, 3, 2, 5, ch), SC_OK);
    assert_int_equal(ch[0], 2); assert_int_equal(ch[1], 1); assert_int_equal(ch[2], 1);
    /* 4 bins: 3 chunks (1200x7 = 8400); 4 chunks would still hold 2 scenarios: stop */
    assert_int_equal(sc_split_scenarios(size, sum, mx, ns, 3, 4, 5, ch), SC_OK);
    assert_int_equal(ch[0], 3); assert_int_equal(ch[1], 1); assert_int_equal(ch[2], 1);
    /* 1 bin: nothing cut */
    assert_int_equal(sc_split_scenarios(size, sum, mx, ns, 3, 1, 5, ch), SC_OK);
    assert_int_equal(ch[0], 1);
    /* a heavy scenario (8 of 10) bounds the chunk: 2 chunks, a third would not shrink it */
    uint64_t s1 = 100, w1 = 10, m1 = 8;
    int n1 = 3, c1;
    assert_int_equal(sc_split_scenarios(&s1, &w1, &m1, &n1, 1, 2, 1, &c1), SC_OK);
    assert_int_equal(c1, 2);
    /* one scenario: never cut */
    n1 = 1, w1 = m1 = 4;
    assert_int_equal(sc_split_scenarios(&s1, &w1, &m1, &n1, 1, 4, 1, &c1), SC_OK);
    assert_int_equal(c1, 1);
    assert_int_equal(sc_split_scenarios(size, sum, mx, ns, 3, 0, 5, ch), SC_ERR_ARG);
    assert_int_equal(sc_split_scenarios(NULL, sum, mx, ns, 3, 2, 5, ch), SC_ERR_ARG);
    /* random regions: chunks within bounds; at the end the largest unit is within the fair share,
     * or cutting its region into any allowed larger number of chunks does not make it smaller */
    uint64_t x = 88172645463325252ull, sz[40], sw[40], mw[40];
    int nsc[40], cc[40];
    for (int rep = 0; rep < 200; rep++) {
        int n = 1 + rep % 40, nb = 1 + rep % 9;
        for (int i = 0; i < n; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            sz[i] = 1 + x % 100000;
            nsc[i] = 1 + (int)((x >> 20) % 12);
            mw[i] = 1 + (x >> 30) % 5;
            sw[i] = mw[i] + (uint64_t)(nsc[i] - 1) * (1 + (x >> 40) % 3);
        }
        uint64_t base = 1 + rep % 6;
        assert_int_equal(sc_split_scenarios(sz, sw, mw, nsc, n, nb, base, cc), SC_OK);
        uint64_t total = 0, bigc = 0;
        int big = 0;
        for (int i = 0; i < n; i++) {
            assert_true(cc[i] >= 1 && cc[i] <= (nsc[i] < nb ? nsc[i] : nb));
            if (nb == 1) assert_int_equal(cc[i], 1);
            total += sz[i] * (base * (uint64_t)cc[i] + sw[i]);
            uint64_t c = split_unit(sz[i], base, sw[i], mw[i], cc[i]);
            if (c > bigc) bigc = c, big = i;
        }
        if (bigc * (uint64_t)nb > total)
            for (int m = cc[big] + 1; m <= (nsc[big] < nb ? nsc[big] : nb); m++)
                assert_true(split_unit(sz[big], base, sw[big], mw[big], m) >= bigc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_scenarios),
        cmocka_unit_test(test_category_names),
        cmocka_unit_test(test_calib_defaults),
        cmocka_unit_test(test_year_stats_trim_40),
        cmocka_unit_test(test_year_stats_min_cases),
        cmocka_unit_test(test_year_stats_ties_kept),
        cmocka_unit_test(test_year_stats_sort),
        cmocka_unit_test(test_weighted_mean),
        cmocka_unit_test(test_pooled_cv),
        cmocka_unit_test(test_score_from_means),
        cmocka_unit_test(test_outlier_boundaries),
        cmocka_unit_test(test_outlier_params_check),
        cmocka_unit_test(test_drg_outlier),
        cmocka_unit_test(test_score_e4),
        cmocka_unit_test(test_inst_merge),
        cmocka_unit_test(test_point_value),
        cmocka_unit_test(test_muldiv_round),
        cmocka_unit_test(test_muldiv_fast_path),
        cmocka_unit_test(test_apportion_worked),
        cmocka_unit_test(test_apportion_errors),
        cmocka_unit_test(test_apportion_random),
        cmocka_unit_test(test_assign_by_size),
        cmocka_unit_test(test_perf_apportion),
        cmocka_unit_test(test_perf_year_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
