/*
 * test_config.c - unit tests of the configuration library (config/).
 *
 * Every test writes its configuration with mkstemp into one temporary
 * directory (made by the group setup, removed by the teardown) that also
 * holds small table files, so relative paths and the table checks work
 * without the real data. Error tests are tables of (file text, expected
 * status, line, key, a fragment of the message): line numbers are counted
 * by hand from the text. Independent oracles: the FIPS 180-4 / NIST test
 * vectors and `sha256sum` for SHA-256, decimal arithmetic done by hand for
 * cm_parse_yuan, and the national defaults of ../shared/docs/domain.md.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "../../config/config.h"

/* Short buffers: every path the tests build fits in PATH_MAX. */
static char g_dir[256];         /* temporary directory of this run */
static char g_real[256];        /* its realpath */

/* First line of most test files: the one key scheme "dip" requires. */
#define CAT "dip = { catalogue = \"cat.csv\"; };\n"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    mkdir(tmp, 0755);
}

/* Writes text to a new mkstemp file in dir (g_dir when NULL); path out. */
static void write_cfg_in(const char *dir, const char *text, char *path, size_t n)
{
    snprintf(path, n, "%s/cfgXXXXXX", dir ? dir : g_dir);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

static cm_cfg_status load_text(const char *text, cm_config *c, cm_cfg_error *e)
{
    char path[PATH_MAX];
    write_cfg_in(NULL, text, path, sizeof path);
    return cm_config_load(path, c, e);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/cm_config_test.XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    char *real = realpath(g_dir, NULL);
    if (!real || strlen(real) >= sizeof g_real)
        return -1;
    memcpy(g_real, real, strlen(real) + 1);
    free(real);
    const char *tables[] = { "cat.csv", "stats.csv", "attr.csv", "icd.csv", "simple.csv",
                             "aliases.csv" };
    char p[PATH_MAX];
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", g_dir, tables[i]);
        FILE *f = fopen(p, "wb");
        if (!f)
            return -1;
        fputs("code\n", f);
        fclose(f);
    }
    snprintf(p, sizeof p, "%s/drg", g_dir);
    return mkdir(p, 0755);
}

static int group_teardown(void **state)
{
    (void)state;
    return nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------------ */
/* SHA-256                                                             */
/* ------------------------------------------------------------------ */

static void check_sha(const void *data, size_t len, const char *want)
{
    char hex[65];
    cm_sha256_hex(data, len, hex);
    assert_string_equal(hex, want);
}

static void test_sha256_vectors(void **state)
{
    (void)state;
    /* FIPS 180-4 examples / NIST CAVS. */
    check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_sha(m448, strlen(m448),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check_sha(m896, strlen(m896),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    check_sha(a, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* Padding boundaries (one or two final blocks), values from sha256sum. */
    check_sha(a, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    check_sha(a, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    check_sha(a, 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
    check_sha(a, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    check_sha(a, 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
    check_sha(a, 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
    check_sha(a, 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
    free(a);
}

/* ------------------------------------------------------------------ */
/* cm_parse_yuan                                                       */
/* ------------------------------------------------------------------ */

static void test_parse_yuan_good(void **state)
{
    (void)state;
    static const struct { const char *s; int64_t fen; } good[] = {
        { "0", 0 },
        { "0.1", 10 },
        { "-0.05", -5 },
        { "12", 1200 },
        { "  3.5 ", 350 },
        { "9007199254740.99", INT64_C(900719925474099) },
        { "+7.10", 710 },
        { "5.", 500 },
        { ".5", 50 },
        { "0.01", 1 },
        { "-0", 0 },
        { "\t42.42\t", 4242 },
        { "007", 700 },
        { "123456789.01", INT64_C(12345678901) },
        { "90000000000000", INT64_C(9000000000000000) },
        { "-90000000000000.00", -INT64_C(9000000000000000) },
        { "1234.5", 123450 },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t v = -777;
        int rc = cm_parse_yuan(good[i].s, strlen(good[i].s), &v);
        if (rc != 0 || v != good[i].fen)
            print_error("input \"%s\": rc %d, value %lld\n", good[i].s, rc, (long long)v);
        assert_int_equal(rc, 0);
        assert_int_equal(v, good[i].fen);
    }
    /* len bounds the input: the text need not be NUL-terminated. */
    int64_t v = 0;
    assert_int_equal(cm_parse_yuan("12.345", 5, &v), 0);
    assert_int_equal(v, 1234);
    assert_int_equal(cm_parse_yuan("7,8", 1, &v), 0);
    assert_int_equal(v, 700);
}

static void test_parse_yuan_bad(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "   ", ".", "-", "+", "-.", "1.234", "0.001", "1e5", "1E5", "1,000", "1 000",
        "--1", "+-1", "12a", "a12", "0x10", "1.2.3", "- 5", "5 -", "NaN", "inf",
        "90000000000000.01", "-90000000000000.01", "90000000000001",
        "99999999999999999999999", "\xef\xbc\x91\xef\xbc\x92" /* fullwidth 12 */,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = -777;
        int rc = cm_parse_yuan(bad[i], strlen(bad[i]), &v);
        if (rc != -1 || v != -777)
            print_error("input \"%s\" accepted as %lld\n", bad[i], (long long)v);
        assert_int_equal(rc, -1);
        assert_int_equal(v, -777);   /* untouched on failure */
    }
    int64_t v;
    assert_int_equal(cm_parse_yuan(NULL, 3, &v), -1);
    assert_int_equal(cm_parse_yuan("12", 0, &v), -1);
}

/* The SWAR fast path against a plain reference: it must accept exactly
 * the strings of the shape [0-9]{1,8}\.[0-9]{2} and give their value;
 * anything else is left to cm_parse_yuan (return 0). Random strings over
 * an alphabet that includes the bytes next to '0' and '9' ('/', ':'), a
 * high byte and the separators, plus every position of one bad byte in
 * an otherwise good amount. */
static int ref_shape(const char *s, size_t n, int64_t *v)
{
    if (n < 4 || n > 11 || s[n - 3] != '.') return 0;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == n - 3) continue;
        if (s[i] < '0' || s[i] > '9') return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

static void check_fast(const char *s, size_t n)
{
    int64_t a = -777, b = -777;
    int fa = cm_parse_yuan_fast(s, n, &a), fb = ref_shape(s, n, &b);
    if (fa != fb || (fa && a != b))
        print_error("input \"%.*s\": fast %d %lld, reference %d %lld\n", (int)n, s, fa,
                    (long long)a, fb, (long long)b);
    assert_int_equal(fa, fb);
    if (fa) {
        assert_int_equal(a, b);
        int64_t c = -1; /* and the public parser agrees */
        assert_int_equal(cm_parse_yuan(s, n, &c), 0);
        assert_int_equal(c, b);
    }
}

static void test_parse_yuan_fast(void **state)
{
    (void)state;
    static const char alpha[] = "0123456789.0123456789/:-+ \xb9";
    uint64_t x = 88172645463325252ULL;
    char buf[16];
    for (int t = 0; t < 400000; t++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        size_t n = (size_t)(x % 13);
        int shaped = (x >> 8) & 1; /* half of them get a '.' at n-3 */
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            buf[i] = alpha[x % (sizeof alpha - 1)];
        }
        if (shaped && n >= 3) buf[n - 3] = '.';
        check_fast(buf, n);
    }
    /* every integer width, every digit value in every position */
    for (size_t k = 1; k <= 8; k++)
        for (int d = 0; d <= 9; d++)
            for (size_t pos = 0; pos < k + 3; pos++) {
                size_t n = k + 3;
                for (size_t i = 0; i < n; i++) buf[i] = (char)('0' + (i * 7 + 3) % 10);
                buf[k] = '.';
                if (pos != k) buf[pos] = (char)('0' + d);
                check_fast(buf, n);
                if (pos != k) { buf[pos] = '/'; check_fast(buf, n); buf[pos] = ':'; check_fast(buf, n); }
            }
    memcpy(buf, "99999999.99", 11);
    int64_t v = 0;
    assert_int_equal(cm_parse_yuan_fast(buf, 11, &v), 1);
    assert_int_equal(v, INT64_C(9999999999));
    assert_int_equal(cm_parse_yuan_fast("123456789.01", 12, &v), 0); /* 9 digits: slow path */
    assert_int_equal(cm_parse_yuan_fast("-1.00", 5, &v), 0);
}

/* cm_parse_yuan_grouped against a reference built another way: the value
 * is cm_parse_yuan of the text with its commas removed; the grouping is
 * valid when, in the integer part (between the sign and the '.'), a byte
 * is a comma exactly when its distance from the end of that part is a
 * multiple of 4, and no comma is elsewhere. Strings are generated from
 * digit runs, commas at random or at the right places, signs, decimals
 * and spaces. */
static int ref_grouped(const char *s, size_t n, int64_t *v)
{
    char buf[80];
    size_t k = 0;
    int commas = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',') commas = 1;
        else buf[k++] = s[i];
    }
    if (!commas) return cm_parse_yuan(s, n, v);
    if (cm_parse_yuan(buf, k, v) != 0) return -1;
    size_t a = 0, b = n;
    while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
    if (a < b && (s[a] == '-' || s[a] == '+')) a++;
    const char *dot = memchr(s + a, '.', b - a);
    size_t e = dot ? (size_t)(dot - s) : b; /* integer part s[a..e) */
    if (a < b && s[a] == ',') return CM_YUAN_BAD_GROUPING; /* and it starts with a digit */
    for (size_t i = a; i < b; i++) {
        int want = i < e && (e - i) % 4 == 0;
        if ((s[i] == ',') != want) return CM_YUAN_BAD_GROUPING;
    }
    return 0;
}

static void check_grouped(const char *s)
{
    size_t n = strlen(s);
    int64_t a = -777, b = -777;
    int ra = cm_parse_yuan_grouped(s, n, &a), rb = ref_grouped(s, n, &b);
    if (ra != rb || (ra == 0 && a != b))
        print_error("input \"%s\": grouped %d %lld, reference %d %lld\n", s, ra, (long long)a, rb,
                    (long long)b);
    assert_int_equal(ra, rb);
    if (ra == 0) assert_int_equal(a, b);
}

static void test_parse_yuan_grouped(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    char buf[64];
    int accepted = 0, misplaced = 0;
    for (int t = 0; t < 300000; t++) {
        char ip[24];
        int w = 1 + (int)(RND() % 13);
        for (int i = 0; i < w; i++) ip[i] = (char)('0' + RND() % 10);
        ip[w] = '\0';
        size_t k = 0;
        if (RND() % 8 == 0) buf[k++] = ' ';
        if (RND() % 6 == 0) buf[k++] = "+-"[RND() % 2];
        int mode = (int)(RND() % 4); /* 0,1: right places; 2: random commas; 3: none */
        for (int i = 0; i < w; i++) {
            if (mode < 2 && i > 0 && (w - i) % 3 == 0) buf[k++] = ',';
            if (mode == 2 && RND() % 3 == 0) buf[k++] = ',';
            buf[k++] = ip[i];
        }
        if (mode == 2 && RND() % 4 == 0) buf[k++] = ',';
        int nd = (int)(RND() % 5) - 1; /* -1: no point; 0..3 decimals */
        if (nd >= 0) {
            buf[k++] = '.';
            for (int i = 0; i < nd; i++) {
                if (RND() % 20 == 0) buf[k++] = ',';
                buf[k++] = (char)('0' + RND() % 10);
            }
        }
        if (RND() % 8 == 0) buf[k++] = "\t x"[RND() % 3];
        buf[k] = '\0';
        check_grouped(buf);
        int64_t v;
        int r = cm_parse_yuan_grouped(buf, k, &v);
        accepted += r == 0 && memchr(buf, ',', k);
        misplaced += r == CM_YUAN_BAD_GROUPING;
    }
#undef RND
    assert_true(accepted > 10000 && misplaced > 10000); /* both outcomes are exercised */
    static const char *const good[] = {"13,728.90", "1,234,567.00", "13,728", "999", "-1,000.5",
                                       " 1,000 ", "0,123.45", "12,345,678,901.23"};
    static const int64_t fen[] = {1372890, 123456700, 1372800, 99900, -100050, 100000, 12345,
                                  1234567890123};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        int64_t v = 0;
        assert_int_equal(cm_parse_yuan_grouped(good[i], strlen(good[i]), &v), 0);
        assert_int_equal(v, fen[i]);
    }
    static const char *const bad[] = {"13,72.90", "1,2345.00", ",123", "1,234.5,6", "1234,567",
                                      "1,,234", "1,234,", "-,100"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t v = 0;
        assert_int_equal(cm_parse_yuan_grouped(bad[i], strlen(bad[i]), &v), CM_YUAN_BAD_GROUPING);
    }
    int64_t v;
    assert_int_equal(cm_parse_yuan_grouped("1,2x4", 5, &v), -1);
    assert_int_equal(cm_parse_yuan_grouped("1,234.567", 9, &v), -1);
    assert_int_equal(cm_parse_yuan_grouped(",", 1, &v), -1);
}

/* ------------------------------------------------------------------ */
/* Defaults and a complete file                                        */
/* ------------------------------------------------------------------ */

/* Compares every setting that is not a path, an identity or the budget. */
static void assert_same_policy(const cm_config *a, const cm_config *b)
{
    assert_int_equal(a->scheme, b->scheme);
    assert_int_equal(a->threads, b->threads);
    assert_string_equal(a->input_encoding, b->input_encoding);
    assert_int_equal(a->category_mismatch, b->category_mismatch);
    assert_int_equal(a->category_tolerance_fen, b->category_tolerance_fen);
    assert_int_equal(a->n_history, b->n_history);
    assert_int_equal(a->dip.tie_rule, b->dip.tie_rule);
    assert_int_equal(a->dip.first_other_as_principal, b->dip.first_other_as_principal);
    assert_true(a->dip.blank_score == b->dip.blank_score);
    assert_true(a->blank_factor == b->blank_factor);
    assert_int_equal(a->drg.upcase_codes, b->drg.upcase_codes);
    assert_int_equal(a->score_source, b->score_source);
    for (int i = 0; i < 3; i++)
        assert_true(a->calib.year_weight[i] == b->calib.year_weight[i]);
    assert_true(a->calib.trim_low == b->calib.trim_low);
    assert_true(a->calib.trim_high == b->calib.trim_high);
    assert_int_equal(a->calib.trim_min_cases, b->calib.trim_min_cases);
    assert_int_equal(a->calib.scale, b->calib.scale);
    assert_true(a->calib.scale_factor == b->calib.scale_factor);
    assert_string_equal(a->benchmark_group, b->benchmark_group);
    assert_true(a->cv_split_threshold == b->cv_split_threshold);
    assert_int_equal(a->coef_mode, b->coef_mode);
    for (int i = 1; i <= 3; i++)
        assert_true(a->level_coef[i] == b->level_coef[i]);
    assert_true(a->outliers.low == b->outliers.low);
    assert_int_equal(a->outliers.low_inclusive, b->outliers.low_inclusive);
    assert_true(a->outliers.high == b->outliers.high);
    assert_int_equal(a->outliers.high_inclusive, b->outliers.high_inclusive);
    assert_true(a->outliers.high_k == b->outliers.high_k);
    assert_true(a->outliers.special == b->outliers.special);
    assert_true(a->outliers.special_cap == b->outliers.special_cap);
    assert_true(a->outliers.special_pay_k == b->outliers.special_pay_k);
    assert_int_equal(a->standard_cost, b->standard_cost);
    assert_int_equal(a->compression, b->compression);
    assert_int_equal(a->deflate_level, b->deflate_level);
    assert_int_equal(a->chunk_rows, b->chunk_rows);
    assert_int_equal(a->gen_cases, b->gen_cases);
    assert_int_equal(a->gen_history_cases, b->gen_history_cases);
    assert_int_equal(a->gen_seed, b->gen_seed);
    assert_int_equal(a->gen_institutions, b->gen_institutions);
    assert_int_equal(a->gen_year, b->gen_year);
    assert_true(a->gen_bad_rows == b->gen_bad_rows);
}

static void test_defaults(void **state)
{
    (void)state;
    cm_config c;
    memset(&c, 0xAB, sizeof c);
    cm_config_default(&c);
    /* National defaults, domain.md §3-§5 and config.h. */
    assert_int_equal(c.scheme, CM_SCHEME_DIP);
    assert_int_equal(c.threads, 0);
    assert_string_equal(c.input_encoding, "auto");
    assert_int_equal(c.category_mismatch, CM_MISMATCH_FLAG);
    assert_int_equal(c.n_history, 0);
    assert_true(c.calib.year_weight[0] == 1.0 && c.calib.year_weight[1] == 2.0 &&
                c.calib.year_weight[2] == 7.0);
    assert_true(c.calib.trim_low == 0.025 && c.calib.trim_high == 0.975);
    assert_int_equal(c.calib.trim_min_cases, 25);
    assert_int_equal(c.calib.scale, SC_SCALE_REGION_MEAN);
    assert_true(c.calib.scale_factor == 1000.0);
    assert_true(c.cv_split_threshold == 0.7);
    assert_true(c.blank_factor == 0.7);
    assert_int_equal(c.coef_mode, CM_COEF_FIXED);
    assert_true(c.level_coef[1] == 1.0 && c.level_coef[2] == 1.0 && c.level_coef[3] == 1.0);
    assert_true(c.outliers.low == 0.5 && c.outliers.high == 2.0);
    assert_int_equal(c.outliers.low_inclusive, 0);
    assert_int_equal(c.outliers.high_inclusive, 0);
    assert_true(c.outliers.high_k == 1.0 && c.outliers.special == 5.0);
    assert_true(c.outliers.special_cap == 0.005 && c.outliers.special_pay_k == 0.0);
    assert_int_equal(c.standard_cost, CM_STD_GROUP_MEAN_X_COEF);
    assert_int_equal(c.fund_budget_fen, 0);
    assert_int_equal(c.compression, CM_COMP_DEFLATE);
    assert_int_equal(c.deflate_level, 2);
    assert_int_equal(c.chunk_rows, 16384);
    assert_int_equal(c.gen_cases, 20000);
    assert_int_equal(c.gen_history_cases, 0);
    assert_int_equal(c.gen_seed, 42);
    assert_int_equal(c.gen_institutions, 40);
    assert_int_equal(c.gen_year, 2025);
    assert_true(c.gen_bad_rows == 0.0);
    assert_string_equal(c.region, "");
    assert_string_equal(c.dip_catalogue, "");
    assert_null(c.dip.catalogue_csv);
    assert_null(c.dip.group_stats_csv);
    assert_null(c.drg.dir);
    assert_int_equal(c.dip.first_other_as_principal, 1);
}

static void test_minimal_file(void **state)
{
    (void)state;
    char path[PATH_MAX];
    write_cfg_in(NULL, CAT, path, sizeof path);
    cm_config c, d;
    cm_cfg_error e;
    assert_int_equal(cm_config_load(path, &c, &e), CM_CFG_OK);
    cm_config_default(&d);
    assert_same_policy(&c, &d);
    assert_int_equal(c.fund_budget_fen, 0);      /* absent budget stays 0 */
    assert_string_equal(c.path, path);
    /* sha256sum of the same 35 bytes. */
    assert_string_equal(c.sha256,
                        "1f2dfc2d8a1c90ed12e14e62334d65b0106ed94445fd461ee81efd9bb8db2483");
    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s/cat.csv", g_real);
    assert_string_equal(c.dip_catalogue, want);
    assert_ptr_equal(c.dip.catalogue_csv, c.dip_catalogue);
    assert_null(c.dip.group_stats_csv);
    assert_null(c.dip.proc_attr_csv);
    assert_null(c.dip.icd10_csv);
    assert_null(c.dip.simple_procs_csv);
    assert_null(c.drg.dir);

    /* A copy is relinked to its own arrays. */
    cm_config *copy = malloc(sizeof *copy);
    assert_non_null(copy);
    *copy = c;
    cm_config_relink(copy);
    assert_ptr_equal(copy->dip.catalogue_csv, copy->dip_catalogue);
    assert_string_equal(copy->dip.catalogue_csv, want);
    free(copy);
}

static const char FULL[] =
    "# every key, none at its default\n"
    "region = \"410400\";\n"
    "period = \"2024Y\";\n"
    "scheme = \"both\";\n"
    "threads = 8;\n"
    "input = { records = \"rec.csv\"; encoding = \"utf8\"; aliases = \"aliases.csv\";\n"
    "          category_mismatch = \"reject\"; category_tolerance_fen = 5; };\n"
    "history = ( { year = 2021; file = \"h21.csv\"; },\n"
    "            { year = 2022; file = \"/data/h22.csv\"; },\n"
    "            { year = 2023; file = \"sub/h23.csv\"; } );\n"
    "dip = { catalogue = \"cat.csv\"; group_stats = \"stats.csv\"; proc_attributes = \"attr.csv\";\n"
    "        icd10 = \"icd.csv\"; simple_procedures = \"simple.csv\"; blank_factor = 0.5;\n"
    "        blank_score = 12.5; tie_rule = \"LOWEST_SEQ\"; first_other_as_principal = false; };\n"
    "drg = { tables = \"drg\"; upcase_codes = true; };\n"
    "scores = { source = \"history\"; year_weights = [1.0, 3.0, 6.0]; trim_low = 0.05;\n"
    "           trim_high = 0.95; trim_min_cases = 30; scale = \"benchmark\"; scale_factor = 100;\n"
    "           benchmark_group = \"K35.8:47.0100\"; cv_split_threshold = 0.8; };\n"
    "coefficients = { mode = \"history\"; level1 = 0.8; level2 = 0.9; level3 = 1.2; };\n"
    "outliers = { low = 0.4; low_inclusive = true; high = 3; high_inclusive = true;\n"
    "             high_k = 0.9; special = 6.0; special_cap = 0.01; special_pay_k = 2.5;\n"
    "             standard_cost = \"score_x_point_value\"; };\n"
    "budget = { fund_budget = \"123456789.01\"; };\n"
    "output = { file = \"out/r.h5\"; compression = \"none\"; deflate_level = 9; chunk_rows = 4096; };\n"
    "generator = { cases = 3000000000L; history_cases = 1000; seed = 7; institutions = 12;\n"
    "              year = 2024; bad_rows = 0.01; };\n";

static void test_full_file(void **state)
{
    (void)state;
    cm_config c;
    cm_cfg_error e;
    cm_cfg_status st = load_text(FULL, &c, &e);
    if (st != CM_CFG_OK)
        print_error("%s:%d %s\n", e.file, e.line, e.msg);
    assert_int_equal(st, CM_CFG_OK);

    char want[PATH_MAX];
#define ASSERT_UNDER(field, rel) \
    do { snprintf(want, sizeof want, "%s/%s", g_real, rel); \
         assert_string_equal(field, want); } while (0)
    assert_string_equal(c.region, "410400");
    assert_string_equal(c.period, "2024Y");
    assert_int_equal(c.scheme, CM_SCHEME_BOTH);
    assert_int_equal(c.threads, 8);
    ASSERT_UNDER(c.input_file, "rec.csv");
    assert_string_equal(c.input_encoding, "UTF-8");
    ASSERT_UNDER(c.input_aliases, "aliases.csv");
    assert_int_equal(c.category_mismatch, CM_MISMATCH_REJECT);
    assert_int_equal(c.category_tolerance_fen, 5);

    assert_int_equal(c.n_history, 3);
    assert_int_equal(c.history[0].year, 2021);
    assert_int_equal(c.history[1].year, 2022);
    assert_int_equal(c.history[2].year, 2023);
    ASSERT_UNDER(c.history[0].file, "h21.csv");
    assert_string_equal(c.history[1].file, "/data/h22.csv");
    ASSERT_UNDER(c.history[2].file, "sub/h23.csv");

    ASSERT_UNDER(c.dip_catalogue, "cat.csv");
    ASSERT_UNDER(c.dip_group_stats, "stats.csv");
    ASSERT_UNDER(c.dip_proc_attr, "attr.csv");
    ASSERT_UNDER(c.dip_icd10, "icd.csv");
    ASSERT_UNDER(c.dip_simple_procs, "simple.csv");
    assert_ptr_equal(c.dip.catalogue_csv, c.dip_catalogue);
    assert_ptr_equal(c.dip.group_stats_csv, c.dip_group_stats);
    assert_ptr_equal(c.dip.proc_attr_csv, c.dip_proc_attr);
    assert_ptr_equal(c.dip.icd10_csv, c.dip_icd10);
    assert_ptr_equal(c.dip.simple_procs_csv, c.dip_simple_procs);
    assert_true(c.blank_factor == 0.5);
    assert_true(c.dip.blank_score == 12.5);
    assert_int_equal(c.dip.tie_rule, GR_TIE_LOWEST_SEQ);
    assert_int_equal(c.dip.first_other_as_principal, 0);
    ASSERT_UNDER(c.drg_dir, "drg");
    assert_ptr_equal(c.drg.dir, c.drg_dir);
    assert_int_equal(c.drg.upcase_codes, 1);

    assert_int_equal(c.score_source, CM_SCORES_HISTORY);
    assert_true(c.calib.year_weight[0] == 1.0 && c.calib.year_weight[1] == 3.0 &&
                c.calib.year_weight[2] == 6.0);
    assert_true(c.calib.trim_low == 0.05 && c.calib.trim_high == 0.95);
    assert_int_equal(c.calib.trim_min_cases, 30);
    assert_int_equal(c.calib.scale, SC_SCALE_BENCHMARK);
    assert_true(c.calib.scale_factor == 100.0);
    assert_string_equal(c.benchmark_group, "K35.8:47.0100");
    assert_true(c.cv_split_threshold == 0.8);

    assert_int_equal(c.coef_mode, CM_COEF_HISTORY);
    assert_true(c.level_coef[1] == 0.8 && c.level_coef[2] == 0.9 && c.level_coef[3] == 1.2);

    assert_true(c.outliers.low == 0.4 && c.outliers.high == 3.0);
    assert_int_equal(c.outliers.low_inclusive, 1);
    assert_int_equal(c.outliers.high_inclusive, 1);
    assert_true(c.outliers.high_k == 0.9 && c.outliers.special == 6.0);
    assert_true(c.outliers.special_cap == 0.01 && c.outliers.special_pay_k == 2.5);
    assert_int_equal(c.standard_cost, CM_STD_SCORE_X_POINT);

    assert_int_equal(c.fund_budget_fen, INT64_C(12345678901));

    ASSERT_UNDER(c.output_file, "out/r.h5");
    assert_int_equal(c.compression, CM_COMP_NONE);
    assert_int_equal(c.deflate_level, 9);
    assert_int_equal(c.chunk_rows, 4096);

    assert_int_equal(c.gen_cases, INT64_C(3000000000));
    assert_int_equal(c.gen_history_cases, 1000);
    assert_int_equal(c.gen_seed, 7);
    assert_int_equal(c.gen_institutions, 12);
    assert_int_equal(c.gen_year, 2024);
    assert_true(c.gen_bad_rows == 0.01);
#undef ASSERT_UNDER
}

/* Integers where reals are expected, lists, case-insensitive choices. */
static void test_lenient_forms(void **state)
{
    (void)state;
    cm_config c;
    cm_cfg_error e;
    assert_int_equal(load_text(CAT "outliers = { high = 3; special = 6; };\n"
                               "coefficients = { level1 = 2; };\n"
                               "scores = { year_weights = (1, 2.5, 7); };\n"
                               "generator = { seed = 5000000000L; };\n"
                               "history = ();\n", &c, &e), CM_CFG_OK);
    assert_true(c.outliers.high == 3.0 && c.outliers.special == 6.0);
    assert_true(c.level_coef[1] == 2.0);
    assert_true(c.calib.year_weight[0] == 1.0 && c.calib.year_weight[1] == 2.5 &&
                c.calib.year_weight[2] == 7.0);
    assert_int_equal(c.gen_seed, UINT64_C(5000000000));
    assert_int_equal(c.n_history, 0);

    assert_int_equal(load_text("scheme = \"DRG\";\ndrg = { tables = \"drg\"; };\n"
                               "history = [];\n", &c, &e), CM_CFG_OK);
    assert_int_equal(c.scheme, CM_SCHEME_DRG);
    assert_null(c.dip.catalogue_csv);

    /* input.encoding: synonyms are stored in their canonical spelling */
    static const char *const enc[][2] = {{"gbk", "GB18030"}, {"GB18030", "GB18030"}, {"gb2312", "GB18030"},
                                         {"utf8", "UTF-8"}, {"UTF-8", "UTF-8"}, {"AUTO", "auto"}};
    for (size_t i = 0; i < sizeof enc / sizeof *enc; i++) {
        char text[256];
        snprintf(text, sizeof text, CAT "input = { encoding = \"%s\"; };\n", enc[i][0]);
        assert_int_equal(load_text(text, &c, &e), CM_CFG_OK);
        assert_string_equal(c.input_encoding, enc[i][1]);
    }

    /* A byte-order mark is skipped for parsing but covered by the checksum. */
    const char bom[] = "\xEF\xBB\xBF" CAT;
    assert_int_equal(load_text(bom, &c, &e), CM_CFG_OK);
    char hex[65];
    cm_sha256_hex(bom, strlen(bom), hex);
    assert_string_equal(c.sha256, hex);
}

static void test_budget_forms(void **state)
{
    (void)state;
    static const struct { const char *v; int64_t fen; } ok[] = {
        { "\"123456789.00\"", INT64_C(12345678900) },
        { "\"  99.90 \"", 9990 },
        { "12", 1200 },
        { "1234.5", 123450 },
        { "12.34", 1234 },
        { "0.07", 7 },
        { "5000000000L", INT64_C(500000000000) },
        { "\"9007199254740.99\"", INT64_C(900719925474099) },
        /* issue 9: a plausible annual budget, as a number of any size */
        { "5000000000.50", INT64_C(500000000050) },
        { "5000000000", INT64_C(500000000000) },        /* > 32 bits, no L: exact */
        { "+5000000000.5", INT64_C(500000000050) },
        { "10000000000000", INT64_C(1000000000000000) }, /* 10^13 yuan, the largest */
        { "10000000000000.00", INT64_C(1000000000000000) },
        { "9999999999999.99", INT64_C(999999999999999) },
        { "1234567890123.45", INT64_C(123456789012345) },
        { "5.0000000005e9", INT64_C(500000000050) },    /* exponent: through the double */
        { "\"5,000,000,000.50\"", INT64_C(500000000050) },
        { "\"5000000000.50\"", INT64_C(500000000050) },
        { "\"12,345\"", INT64_C(1234500) },
        { "\"999,999.9\"", INT64_C(99999990) },
        /* issue 10: amounts a truncating (int64_t)(v * 100) gets wrong (28,
         * 1998, 434 fen): as numbers, as strings, and with an exponent (the
         * path through the double, yuan_from_double) */
        { "0.29", 29 },
        { "19.99", 1999 },
        { "4.35", 435 },
        { "\"0.29\"", 29 },
        { "\"19.99\"", 1999 },
        { "\"4.35\"", 435 },
        { "2.9e-1", 29 },
        { "1.999e1", 1999 },
        { "4.35e0", 435 },
    };
    char text[256];
    cm_config c;
    cm_cfg_error e;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(text, sizeof text, CAT "budget = { fund_budget = %s; };\n", ok[i].v);
        cm_cfg_status st = load_text(text, &c, &e);
        if (st != CM_CFG_OK || c.fund_budget_fen != ok[i].fen)
            print_error("fund_budget = %s: %s (%lld fen)\n", ok[i].v, e.msg,
                        (long long)c.fund_budget_fen);
        assert_int_equal(st, CM_CFG_OK);
        assert_int_equal(c.fund_budget_fen, ok[i].fen);
    }
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *text;
    cm_cfg_status st;
    int line;
    const char *key;
    const char *msg;    /* fragment that the message must contain */
} err_case;

static void run_cases(const err_case *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        write_cfg_in(NULL, t[i].text, path, sizeof path);
        cm_config c;
        cm_cfg_error e;
        cm_cfg_status st = cm_config_load(path, &c, &e);
        int ok = st == t[i].st && e.line == t[i].line && strcmp(e.key, t[i].key) == 0 &&
                 strstr(e.msg, t[i].msg) && strcmp(e.file, path) == 0 &&
                 /* the caller prints "file:line: key: msg": no repeated key */
                 (!e.key[0] || strncmp(e.msg, e.key, strlen(e.key)) != 0);
        if (!ok)
            print_error("case %zu:\n%s---\ngot %s line %d key \"%s\": %s\n"
                        "want %s line %d key \"%s\" msg containing \"%s\"\n",
                        i, t[i].text, cm_cfg_status_name(st), e.line, e.key, e.msg,
                        cm_cfg_status_name(t[i].st), t[i].line, t[i].key, t[i].msg);
        assert_true(ok);
    }
}

static void test_unknown_keys(void **state)
{
    (void)state;
    static const err_case t[] = {
        { CAT "outliers = {\n  low = 0.4;\n  hihg = 3.0;\n};\n",
          CM_CFG_ERR_KEY, 4, "outliers.hihg", "did you mean outliers.high?" },
        { CAT "treads = 2;\n", CM_CFG_ERR_KEY, 2, "treads", "did you mean threads?" },
        { CAT "Threads = 2;\n", CM_CFG_ERR_KEY, 2, "Threads", "did you mean threads?" },
        { CAT "low = 0.4;\n", CM_CFG_ERR_KEY, 2, "low", "did you mean outliers.low?" },
        { CAT "outlier = { low = 0.4; };\n", CM_CFG_ERR_KEY, 2, "outlier",
          "did you mean outliers?" },
        { "dip = { catalogue = \"cat.csv\";\n  catalog = \"x.csv\"; };\n", CM_CFG_ERR_KEY, 2,
          "dip.catalog", "did you mean dip.catalogue?" },
        { CAT "scores = { zzzzzzzz = 1; };\n", CM_CFG_ERR_KEY, 2, "scores.zzzzzzzz",
          "valid keys in scores: source year_weights" },
        { CAT "history = (\n { year = 2022; file = \"a.csv\"; },\n"
              " { yaer = 2023; file = \"b.csv\"; }\n);\n",
          CM_CFG_ERR_KEY, 4, "history[1].yaer", "did you mean history[1].year?" },
        /* unknown keys are found before any type or value error */
        { CAT "threads = \"x\";\nbudget = { fund = 1; };\n", CM_CFG_ERR_KEY, 3, "budget.fund",
          "did you mean budget.fund_budget?" },
    };
    run_cases(t, sizeof t / sizeof t[0]);
}

/* supervision: nested rule groups, the lists parsed, their errors at file:line */
static void test_supervision(void **state)
{
    (void)state;
    cm_config c;
    cm_cfg_error e;
    /* defaults: the national ones (domain.md §7), independently of rules.c's table */
    assert_int_equal(load_text(CAT, &c, &e), CM_CFG_OK);
    assert_true(c.sup_enabled);
    assert_true(c.sample_rate == 0.08);
    assert_int_equal(c.sup.readmit_days, 15);
    assert_int_equal(c.sup.transfer_days, 1);
    assert_int_equal(c.sup.long_los, 60);
    assert_int_equal(c.sup.exempt_dx.n, 2);
    assert_int_equal(c.sup.low_dx.n, 0);
    for (int r = 0; r < SC_RULE__COUNT; r++) assert_true(c.sup.enabled[r]);
    assert_true(sc_code_ranges_has(&c.sup.female, sc_dx_category("O80.0")));
    assert_true(sc_code_ranges_has(&c.sup.male, sc_dx_category("N40")));
    /* settings */
    assert_int_equal(load_text(CAT "supervision = { sample_seed = 9; rules = {\n"
                               "  R01 = { days = 30; exempt_dx = \"Z51.0;Z51.1;Z51.5\"; };\n"
                               "  R07 = { dx = \"J06, K29.7\"; };\n  R05 = { enabled = false; }; }; };\n",
                               &c, &e), CM_CFG_OK);
    assert_int_equal(c.sample_seed, 9);
    assert_int_equal(c.sup.readmit_days, 30);
    assert_int_equal(c.sup.exempt_dx.n, 3);
    assert_int_equal(c.sup.low_dx.n, 2);
    assert_false(c.sup.enabled[SC_R05]);
    assert_true(c.sup.enabled[SC_R04]);
    /* a list file replaces the built-in list */
    char tab[PATH_MAX + 32], txt[2 * PATH_MAX];
    snprintf(tab, sizeof tab, "%s/r09.csv", g_dir);
    write_file(tab, "# comment\nfemale,O00-O99\nmale,N40-N51 C61\n");
    snprintf(txt, sizeof txt, CAT "supervision = { rules = { R09 = { table = \"%s\"; }; }; };\n", tab);
    assert_int_equal(load_text(txt, &c, &e), CM_CFG_OK);
    assert_int_equal(c.sup.female.n, 1);
    assert_int_equal(c.sup.male.n, 2);
    assert_false(sc_code_ranges_has(&c.sup.female, sc_dx_category("N71.0")));
    /* a bad line: the file and line in the message */
    write_file(tab, "female,O00-O99\nmale,N40-\n");
    assert_int_equal(load_text(txt, &c, &e), CM_CFG_ERR_VALUE);
    assert_string_equal(e.key, "supervision.rules.R09.table");
    assert_non_null(strstr(e.msg, "r09.csv:2:"));
    static const err_case t[] = {
        { CAT "supervision = { rules = {\n R02 = { dayz = 3; }; }; };\n", CM_CFG_ERR_KEY, 3,
          "supervision.rules.R02.dayz", "did you mean supervision.rules.R02.days?" },
        { CAT "supervision = { rules = { R14 = { enabled = false; }; }; };\n", CM_CFG_ERR_KEY, 2,
          "supervision.rules.R14", "unknown key" },
        { CAT "supervision = {\n sample_rate = 1.5; };\n", CM_CFG_ERR_VALUE, 3, "supervision.sample_rate", "" },
        { CAT "supervision = { rules = { R10 = {\n obstetric_age_min = 60; }; }; };\n", CM_CFG_ERR_VALUE, 3,
          "supervision.rules.R10.obstetric_age_max", "below obstetric_age_min" },
        { CAT "supervision = { rules = { R01 = {\n exempt_dx = \"Z51.0, Z51.0123456789ABCDEF\"; }; }; };\n",
          CM_CFG_ERR_VALUE, 3, "supervision.rules.R01.exempt_dx", "Z51.0123456789ABCDEF" },
    };
    run_cases(t, sizeof t / sizeof t[0]);
}

static void test_type_errors(void **state)
{
    (void)state;
    static const err_case t[] = {
        { CAT "outliers = {\n  high = \"2.0\";\n};\n", CM_CFG_ERR_TYPE, 3, "outliers.high",
          "must be a number" },
        { CAT "threads = 2.5;\n", CM_CFG_ERR_TYPE, 2, "threads", "whole number" },
        { CAT "threads = \"4\";\n", CM_CFG_ERR_TYPE, 2, "threads", "not a string" },
        { CAT "output = { deflate_level = 4.0; };\n", CM_CFG_ERR_TYPE, 2,
          "output.deflate_level", "whole number" },
        { CAT "outliers = { low_inclusive = 1; };\n", CM_CFG_ERR_TYPE, 2,
          "outliers.low_inclusive", "true or false" },
        { CAT "outliers = 5;\n", CM_CFG_ERR_TYPE, 2, "outliers", "must be a group" },
        { CAT "scores = { year_weights = \"1,2,7\"; };\n", CM_CFG_ERR_TYPE, 2,
          "scores.year_weights", "array of 3 numbers" },
        { CAT "budget = { fund_budget = true; };\n", CM_CFG_ERR_TYPE, 2, "budget.fund_budget",
          "amount in yuan" },
        { CAT "history = { year = 2023; file = \"a.csv\"; };\n", CM_CFG_ERR_TYPE, 2, "history",
          "list of groups" },
        { CAT "history = ( 2023 );\n", CM_CFG_ERR_TYPE, 2, "history[0]", "group" },
        { CAT "history = (\n  { year = \"2023\"; file = \"a.csv\"; } );\n", CM_CFG_ERR_TYPE, 3,
          "history[0].year", "whole number" },
        { "scheme = 1;\n" CAT, CM_CFG_ERR_TYPE, 1, "scheme", "string" },
        { "dip = { catalogue = 5; };\n", CM_CFG_ERR_TYPE, 1, "dip.catalogue", "file path" },
        { CAT "region = 410400;\n", CM_CFG_ERR_TYPE, 2, "region", "string" },
        { CAT "drg = { upcase_codes = \"true\"; };\n", CM_CFG_ERR_TYPE, 2, "drg.upcase_codes",
          "true or false" },
    };
    run_cases(t, sizeof t / sizeof t[0]);
}

static void test_value_errors(void **state)
{
    (void)state;
    static const err_case t[] = {
        { CAT "budget = {\n  fund_budget = \"-100.00\";\n};\n", CM_CFG_ERR_VALUE, 3,
          "budget.fund_budget", "greater than 0" },
        { CAT "budget = { fund_budget = -5; };\n", CM_CFG_ERR_VALUE, 2, "budget.fund_budget",
          "greater than 0" },
        { CAT "budget = { fund_budget = \"0.00\"; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "greater than 0" },
        { CAT "budget = { fund_budget = \"1.234\"; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "more than 2 decimals" },
        { CAT "budget = { fund_budget = 1.234; };\n", CM_CFG_ERR_VALUE, 2, "budget.fund_budget",
          "more than 2 decimals" },
        { CAT "budget = { fund_budget = \"1,0000\"; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "every 3 digits" },
        { CAT "budget = { fund_budget = \"10,00.00\"; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "every 3 digits" },
        { CAT "budget = { fund_budget = \"5000000000.505\"; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "more than 2 decimals" },
        { CAT "budget = {\n  fund_budget = 5000000000.505;\n};\n", CM_CFG_ERR_VALUE, 3,
          "budget.fund_budget", "more than 2 decimals" },
        /* 3 decimals that a double alone could not tell from 2 at this size */
        { CAT "budget = { fund_budget = 9999999999999.991; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "more than 2 decimals" },
        { CAT "budget = { fund_budget = 10000000000000.01; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "above 10^13 yuan" },
        { CAT "budget = { fund_budget = 20000000000000L; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "above 10^13 yuan" },
        { CAT "budget = { fund_budget = \"12,000,000,000,000.00\"; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "above 10^13 yuan" },
        { CAT "budget = { fund_budget = -5000000000.50; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "greater than 0" },
        { CAT "budget = { fund_budget = \"5e9\"; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "without an exponent" },
        { CAT "budget = { fund_budget = \"5 billion\"; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_budget", "at most 2 decimals, as a number" },
        { CAT "budget = { drg_budget = 1e300; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.drg_budget", "above 10^13 yuan" },
        { CAT "budget = { fund_budget = 1.0; fund_share = 1.5; };\n", CM_CFG_ERR_VALUE, 2,
          "budget.fund_share", "out of range" },
        /* other integer keys beyond 32 bits: libconfig 1.5 would truncate them */
        { CAT "generator = {\n  cases = 5000000000;\n};\n", CM_CFG_ERR_VALUE, 3,
          "generator.cases", "L suffix" },
        { CAT "generator = { cases = -3000000000; };\n", CM_CFG_ERR_VALUE, 2, "generator.cases",
          "32 bits" },
        { CAT "outliers = {\n  low = 2.0;\n  high = 2.0;\n};\n", CM_CFG_ERR_VALUE, 4,
          "outliers.high", "must be below outliers.high" },
        { CAT "outliers = { low = 3.0; };\n", CM_CFG_ERR_VALUE, 2, "outliers.high",
          "must be below" },
        { CAT "outliers = { high = 6.0; };\n", CM_CFG_ERR_VALUE, 2, "outliers.special",
          "below outliers.high" },
        { CAT "outliers = { special_cap = 1.5; };\n", CM_CFG_ERR_VALUE, 2,
          "outliers.special_cap", "out of range" },
        { CAT "outliers = { low = 0; };\n", CM_CFG_ERR_VALUE, 2, "outliers.low", "> 0" },
        /* the settlement year (year.*, clearing.*) */
        { CAT "year = {\n  deposit = 1.5;\n};\n", CM_CFG_ERR_VALUE, 3, "year.deposit", "out of range" },
        { CAT "year = { reserve = 1.0; };\n", CM_CFG_ERR_VALUE, 2, "year.reserve", "out of range" },
        { CAT "clearing = {\n  corridor = true;\n};\n", CM_CFG_ERR_VALUE, 3, "clearing.budget_point_value",
          "budget point value" },
        { CAT "clearing = { overspend_fund_share = -0.1; };\n", CM_CFG_ERR_VALUE, 2,
          "clearing.overspend_fund_share", "out of range" },
        /* without history years (sc_forecast_flat, sc_no_history_pay) */
        { CAT "year = {\n  month_cv = 0;\n};\n", CM_CFG_ERR_VALUE, 3, "year.month_cv", "out of range" },
        { CAT "year = { month_cv = 2.5; };\n", CM_CFG_ERR_VALUE, 2, "year.month_cv", "out of range" },
        { CAT "year = { no_history_pay = \"low\"; };\n", CM_CFG_ERR_VALUE, 2, "year.no_history_pay",
          "use one of" },
        { CAT "scores = {\n  trim_low = 0.5;\n  trim_high = 0.4;\n};\n", CM_CFG_ERR_VALUE, 4,
          "scores.trim_high", "below scores.trim_high" },
        { CAT "scores = { year_weights = [0.0, 0.0, 0.0]; };\n", CM_CFG_ERR_VALUE, 2,
          "scores.year_weights", "all zero" },
        { CAT "scores = { year_weights = [0, 0, 0]; };\n", CM_CFG_ERR_VALUE, 2,
          "scores.year_weights", "all zero" },
        { CAT "scores = { year_weights = [1.0, -2.0, 7.0]; };\n", CM_CFG_ERR_VALUE, 2,
          "scores.year_weights", ">= 0" },
        { CAT "scores = { year_weights = [1.0, 2.0]; };\n", CM_CFG_ERR_VALUE, 2,
          "scores.year_weights", "exactly 3" },
        { CAT "scores = { scale = \"bench\"; };\n", CM_CFG_ERR_VALUE, 2, "scores.scale",
          "use one of \"region_mean\", \"benchmark\", \"unit\"" },
        { CAT "scheme = \"dipx\";\n", CM_CFG_ERR_VALUE, 2, "scheme",
          "use one of \"dip\", \"drg\", \"both\"" },
        { CAT "scores = {\n  scale = \"benchmark\";\n};\n", CM_CFG_ERR_VALUE, 3,
          "scores.benchmark_group", "needs scores.benchmark_group" },
        { CAT "output = { deflate_level = 10; };\n", CM_CFG_ERR_VALUE, 2,
          "output.deflate_level", "<= 9" },
        { CAT "output = { deflate_level = 0; };\n", CM_CFG_ERR_VALUE, 2,
          "output.deflate_level", ">= 1" },
        { "scheme = \"drg\";\n", CM_CFG_ERR_VALUE, 1, "drg.tables", "needs the CHS-DRG tables" },
        { "scheme = \"dip\";\n", CM_CFG_ERR_VALUE, 1, "dip.catalogue", "needs the DIP catalogue" },
        { "", CM_CFG_ERR_VALUE, 0, "dip.catalogue", "needs the DIP catalogue" },
        { "scheme = \"both\";\ndrg = { tables = \"drg\"; };\n", CM_CFG_ERR_VALUE, 1,
          "dip.catalogue", "scheme \"both\"" },
        { "scheme = \"both\";\n" CAT, CM_CFG_ERR_VALUE, 1, "drg.tables", "scheme \"both\"" },
        { CAT "history = (\n { year = 2023; file = \"a.csv\"; },\n"
              " { year = 2023; file = \"b.csv\"; }\n);\n",
          CM_CFG_ERR_VALUE, 4, "history[1].year", "oldest first" },
        { CAT "history = ( { year = 2020; file = \"a\"; }, { year = 2021; file = \"b\"; },\n"
              "  { year = 2022; file = \"c\"; }, { year = 2023; file = \"d\"; } );\n",
          CM_CFG_ERR_VALUE, 2, "history", "at most 3" },
        { CAT "history = (\n  { year = 2023; } );\n", CM_CFG_ERR_VALUE, 3, "history[0]",
          "no file given" },
        { CAT "input = { encoding = \"latin1\"; };\n", CM_CFG_ERR_VALUE, 2, "input.encoding",
          "\"GB18030\"" },
        { CAT "threads = -1;\n", CM_CFG_ERR_VALUE, 2, "threads", "out of range" },
        { CAT "scores = { source = \"history\"; };\n", CM_CFG_ERR_VALUE, 2, "scores.source",
          "needs history years" },
        { CAT "coefficients = { mode = \"history\"; };\n", CM_CFG_ERR_VALUE, 2,
          "coefficients.mode", "needs history years" },
        { CAT "coefficients = { level2 = 0.0; };\n", CM_CFG_ERR_VALUE, 2, "coefficients.level2",
          "> 0" },
        { CAT "region = \"01234567890123456789012345678901\";\n", CM_CFG_ERR_VALUE, 2, "region",
          "at most 31" },
        { "dip = { catalogue = \"cat.csv\"; blank_factor = 1.5; };\n", CM_CFG_ERR_VALUE, 1,
          "dip.blank_factor", "<= 1" },
        { CAT "generator = { bad_rows = 1.5; };\n", CM_CFG_ERR_VALUE, 2, "generator.bad_rows",
          "<= 1" },
    };
    run_cases(t, sizeof t / sizeof t[0]);
}

/* The one thread limit (issue 10): threads = CM_MAX_THREADS is accepted,
 * one more is refused with file:line and the key, as the engine's per-thread
 * arrays hold CM_MAX_THREADS entries (threads = 300 used to crash). */
static void test_threads_limit(void **state)
{
    (void)state;
    assert_true(CM_MAX_THREADS >= 2);
    char text[256];
    cm_config c;
    cm_cfg_error e;
    snprintf(text, sizeof text, CAT "threads = %d;\n", CM_MAX_THREADS);
    assert_int_equal(load_text(text, &c, &e), CM_CFG_OK);
    assert_int_equal(c.threads, CM_MAX_THREADS);
    static const int above[] = { CM_MAX_THREADS + 1, 300, 4096, 4097 };
    for (size_t i = 0; i < sizeof above / sizeof above[0]; i++) {
        snprintf(text, sizeof text, CAT "#\nthreads = %d;\n", above[i]);
        char path[PATH_MAX];
        write_cfg_in(NULL, text, path, sizeof path);
        cm_cfg_status st = cm_config_load(path, &c, &e);
        if (st != CM_CFG_ERR_VALUE || e.line != 3 || strcmp(e.key, "threads") || strcmp(e.file, path))
            print_error("threads = %d: got %s %s:%d key \"%s\": %s\n", above[i], cm_cfg_status_name(st),
                        e.file, e.line, e.key, e.msg);
        assert_int_equal(st, CM_CFG_ERR_VALUE);
        assert_int_equal(e.line, 3);
        assert_string_equal(e.key, "threads");
        assert_string_equal(e.file, path);
    }
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const err_case t[] = {
        { CAT "threads = 2;\noutliers = {\n  low = ;\n};\n", CM_CFG_ERR_SYNTAX, 4, "",
          "syntax error" },
        { CAT "threads = 1;\nthreads = 2;\n", CM_CFG_ERR_SYNTAX, 3, "", "duplicate" },
        { CAT "scores = { year_weights = [1, 2.5, 7]; };\n", CM_CFG_ERR_SYNTAX, 2, "",
          "[1.0, 2.0, 7.0]" },
        { CAT "@include \"other.cfg\"\n", CM_CFG_ERR_SYNTAX, 2, "", "@include is not supported" },
    };
    run_cases(t, sizeof t / sizeof t[0]);

    /* A NUL byte would make libconfig stop reading early, silently. */

    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/nul.cfg", g_dir);
    static const char nul[] = CAT "region = \"a\0b\";\n";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(nul, 1, sizeof nul - 1, f), sizeof nul - 1);
    fclose(f);
    cm_config c;
    cm_cfg_error e;
    assert_int_equal(cm_config_load(path, &c, &e), CM_CFG_ERR_SYNTAX);
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "NUL"));
}

static void test_io_errors(void **state)
{
    (void)state;
    cm_config c;
    cm_cfg_error e;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/does-not-exist.cfg", g_dir);
    assert_int_equal(cm_config_load(path, &c, &e), CM_CFG_ERR_IO);
    assert_string_equal(e.file, path);
    assert_int_equal(e.line, 0);
    assert_non_null(strstr(e.msg, "No such file"));
    assert_int_equal(cm_config_load(g_dir, &c, &e), CM_CFG_ERR_IO);
    assert_non_null(strstr(e.msg, "directory"));
    assert_int_equal(cm_config_load(NULL, &c, &e), CM_CFG_ERR_IO);
    assert_int_equal(cm_config_load("", &c, NULL), CM_CFG_ERR_IO);   /* err may be NULL */

    static const err_case t[] = {
        { "dip = {\n  catalogue = \"cat.csv\";\n  group_stats = \"nope.csv\";\n};\n",
          CM_CFG_ERR_IO, 3, "dip.group_stats", "nope.csv: No such file" },
        { "dip = { catalogue = \"missing.csv\"; };\n", CM_CFG_ERR_IO, 1, "dip.catalogue",
          "missing.csv" },
        { CAT "drg = {\n  tables = \"cat.csv\";\n};\n", CM_CFG_ERR_IO, 3, "drg.tables",
          "not a directory" },
        { "dip = { catalogue = \"drg\"; };\n", CM_CFG_ERR_IO, 1, "dip.catalogue",
          "a directory, not a file" },
        { CAT "input = { aliases = \"none.csv\"; };\n", CM_CFG_ERR_IO, 2, "input.aliases",
          "none.csv" },
        /* data files are not checked: `casemix gen` writes them */
    };
    run_cases(t, sizeof t / sizeof t[0]);
    assert_int_equal(load_text(CAT "input = { records = \"later.csv\"; };\n"
                               "history = ( { year = 2024; file = \"h.csv\"; } );\n"
                               "output = { file = \"o.h5\"; };\n", &c, &e), CM_CFG_OK);

    if (geteuid() != 0) {   /* root reads anything */
        char locked[PATH_MAX];
        snprintf(locked, sizeof locked, "%s/locked.csv", g_dir);
        write_file(locked, "code\n");
        assert_int_equal(chmod(locked, 0), 0);
        static const err_case u[] = {
            { "dip = { catalogue = \"cat.csv\";\n icd10 = \"locked.csv\"; };\n",
              CM_CFG_ERR_IO, 2, "dip.icd10", "Permission denied" },
        };
        run_cases(u, sizeof u / sizeof u[0]);
        chmod(locked, 0644);
    }
}

/* ------------------------------------------------------------------ */
/* Paths                                                               */
/* ------------------------------------------------------------------ */

static void test_relative_paths(void **state)
{
    (void)state;
    char conf[PATH_MAX], tables[PATH_MAX], p[PATH_MAX];
    snprintf(conf, sizeof conf, "%s/conf", g_dir);
    snprintf(tables, sizeof tables, "%s/tables", g_dir);
    mkdir_p(conf);
    mkdir_p(tables);
    snprintf(p, sizeof p, "%s/tables/cat2.csv", g_dir);
    write_file(p, "code\n");

    char abs_cat[PATH_MAX];
    snprintf(abs_cat, sizeof abs_cat, "%s/cat.csv", g_real);
    char text[2 * PATH_MAX];
    snprintf(text, sizeof text,
             "dip = { catalogue = \"../tables/cat2.csv\"; group_stats = \"%s\"; };\n"
             "input = { records = \"data/now.csv\"; };\n"
             "history = ( { year = 2024; file = \"../h/2024.csv\"; } );\n", abs_cat);
    char cfg[PATH_MAX];
    write_cfg_in(conf, text, cfg, sizeof cfg);

    /* Load through a relative path from another working directory. */
    char old[PATH_MAX];
    assert_non_null(getcwd(old, sizeof old));
    assert_int_equal(chdir(g_dir), 0);
    const char *rel = cfg + strlen(g_dir) + 1;     /* "conf/cfgXXXXXX" */
    cm_config c;
    cm_cfg_error e;
    cm_cfg_status st = cm_config_load(rel, &c, &e);
    assert_int_equal(chdir(old), 0);
    if (st != CM_CFG_OK)
        print_error("%s:%d %s\n", e.file, e.line, e.msg);
    assert_int_equal(st, CM_CFG_OK);
    assert_string_equal(c.path, rel);

    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s/conf/../tables/cat2.csv", g_real);
    assert_string_equal(c.dip_catalogue, want);
    assert_int_equal(c.dip_catalogue[0], '/');      /* usable from any directory */
    assert_int_equal(access(c.dip_catalogue, R_OK), 0);
    assert_string_equal(c.dip_group_stats, abs_cat);   /* absolute stays as written */
    snprintf(want, sizeof want, "%s/conf/data/now.csv", g_real);
    assert_string_equal(c.input_file, want);
    snprintf(want, sizeof want, "%s/conf/../h/2024.csv", g_real);
    assert_string_equal(c.history[0].file, want);
}

/* ------------------------------------------------------------------ */
/* config/example.cfg                                                  */
/* ------------------------------------------------------------------ */

static int find_example(char *out, size_t n)
{
    const char *file = __FILE__;    /* .../tests/unit/test_config.c */
    const char *tail = strstr(file, "tests/unit/test_config.c");
    if (tail) {
        snprintf(out, n, "%.*sconfig/example.cfg", (int)(tail - file), file);
        if (access(out, R_OK) == 0)
            return 0;
    }
    const char *tries[] = { "config/example.cfg", "../config/example.cfg",
                            "../../config/example.cfg" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(out, n, "%s", tries[i]);
        if (access(out, R_OK) == 0)
            return 0;
    }
    return -1;
}

/* The example names every key, loads, and shows the national defaults. */
static void test_example_cfg(void **state)
{
    (void)state;
    char src[PATH_MAX];
    assert_int_equal(find_example(src, sizeof src), 0);

    config_t cf;
    config_init(&cf);
    assert_true(config_read_file(&cf, src));
    /* Key list written from config.h's comments, independently of config.c. */
    static const char *const keys[] = {
        "region", "period", "scheme", "threads",
        "input.records", "input.encoding", "input.aliases", "input.category_mismatch",
        "input.category_tolerance_fen", "history",
        "dip.catalogue", "dip.group_stats", "dip.proc_attributes", "dip.icd10",
        "dip.simple_procedures", "dip.blank_factor",
        "drg.tables",
        "scores.source", "scores.year_weights", "scores.trim_low", "scores.trim_high",
        "scores.trim_min_cases", "scores.scale", "scores.scale_factor",
        "scores.benchmark_group", "scores.cv_split_threshold",
        "coefficients.mode", "coefficients.level1", "coefficients.level2", "coefficients.level3",
        "outliers.low", "outliers.low_inclusive", "outliers.high", "outliers.high_inclusive",
        "outliers.high_k", "outliers.special", "outliers.special_cap", "outliers.special_pay_k",
        "outliers.standard_cost", "budget.fund_budget", "budget.fund_share",
        "input.institutions", "drg.weights",
        "output.file", "output.compression", "output.deflate_level", "output.chunk_rows",
        "generator.cases", "generator.history_cases", "generator.seed", "generator.institutions",
        "generator.year", "generator.bad_rows",
        "supervision.enabled", "supervision.sample_rate", "supervision.sample_flagged_share",
        "supervision.sample_seed", "supervision.rules.R01.days", "supervision.rules.R01.exempt_dx",
        "supervision.rules.R07.dx", "supervision.rules.R09.table", "supervision.rules.R10.table",
        "supervision.rules.R13.enabled",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!config_lookup(&cf, keys[i]))
            print_error("config/example.cfg lacks %s\n", keys[i]);
        assert_non_null(config_lookup(&cf, keys[i]));
    }

    /* Copy it to <tmp>/ex/a/b/ and create the tables it names there. */
    char base[PATH_MAX], dst[PATH_MAX], p[2 * PATH_MAX];
    snprintf(base, sizeof base, "%s/ex/a/b", g_dir);
    mkdir_p(base);
    static const char *const tables[] = { "dip.catalogue", "dip.group_stats",
                                          "dip.proc_attributes", "dip.icd10",
                                          "dip.simple_procedures", "input.aliases",
                                          "input.institutions", "drg.weights",
                                          "drg.tables" };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        const char *v = NULL;
        if (!config_lookup_string(&cf, tables[i], &v) || !v[0])
            continue;
        assert_int_not_equal(v[0], '/');     /* the example is relocatable */
        snprintf(p, sizeof p, "%s/%s", base, v);
        if (strcmp(tables[i], "drg.tables") == 0) {
            mkdir_p(p);
        } else {
            char *slash = strrchr(p, '/');
            *slash = '\0';
            mkdir_p(p);
            *slash = '/';
            write_file(p, "code\n");
        }
    }
    config_destroy(&cf);

    FILE *in = fopen(src, "rb");
    assert_non_null(in);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[n] = '\0';
    snprintf(dst, sizeof dst, "%s/ex/a/b/example.cfg", g_dir);
    write_file(dst, text);

    cm_config c, d;
    cm_cfg_error e;
    cm_cfg_status st = cm_config_load(dst, &c, &e);
    if (st != CM_CFG_OK)
        print_error("%s:%d %s\n", e.file, e.line, e.msg);
    assert_int_equal(st, CM_CFG_OK);
    cm_config_default(&d);
    assert_same_policy(&c, &d);
    assert_true(c.fund_budget_fen > 0);
    assert_non_null(c.dip.catalogue_csv);
    assert_non_null(c.drg.dir);
}


/* A province (省级多统筹区): shared defaults, per-region overrides merged key
 * by key (a group override keeps the group's other shared keys), money
 * literals read from each region's own line, errors naming the region. */
static void test_province(void **state)
{
    (void)state;
    char path[PATH_MAX];
    write_cfg_in(NULL,
                 "region = \"41\";\n"                                           /* 1 */
                 "dip = { catalogue = \"cat.csv\"; };\n"                        /* 2 */
                 "coefficients = { level1 = 0.8; level2 = 0.9; };\n"            /* 3 */
                 "budget = { fund_budget = 1000000; };\n"                       /* 4 */
                 "regions = (\n"                                                /* 5 */
                 "  { code = \"410100\"; budget = { fund_budget = 5000000000.50; }; },\n" /* 6 */
                 "  { code = \"410200\"; coefficients = { level1 = 0.7; }; scheme = \"dip\"; },\n" /* 7 */
                 "  { code = \"410300\"; budget = { fund_budget = \"2,000.00\"; }; }\n" /* 8 */
                 ");\n",
                 path, sizeof path);
    cm_config top, c;
    cm_cfg_error e;
    assert_int_equal(cm_config_load(path, &top, &e), CM_CFG_OK);
    assert_int_equal(top.n_regions, 3);
    assert_int_equal(top.region_index, -1);
    assert_int_equal(top.fund_budget_fen, 100000000);
    assert_int_equal(cm_config_load_region(path, 0, &c, &e), CM_CFG_OK);
    assert_string_equal(c.region, "410100");
    assert_int_equal(c.region_index, 0);
    assert_int_equal(c.fund_budget_fen, 500000000050);   /* its own line's literal, exact */
    assert_true(c.level_coef[1] == 0.8);
    assert_int_equal(cm_config_load_region(path, 1, &c, &e), CM_CFG_OK);
    assert_string_equal(c.region, "410200");
    assert_int_equal(c.fund_budget_fen, 100000000);      /* shared */
    assert_true(c.level_coef[1] == 0.7);                 /* overridden */
    assert_true(c.level_coef[2] == 0.9);                 /* the group's other key kept */
    assert_int_equal(cm_config_load_region(path, 2, &c, &e), CM_CFG_OK);
    assert_int_equal(c.fund_budget_fen, 200000);
    assert_true(c.level_coef[1] == 0.8);                 /* region 1's override is its own */
    assert_int_equal(cm_config_load_region(path, 3, &c, &e), CM_CFG_ERR_VALUE);

    static const struct { const char *text; cm_cfg_status st; int line; const char *key, *msg; } bad[] = {
        { "dip = { catalogue = \"cat.csv\"; };\nregions = (\n { code = \"1\"; budget = { fund_budgte = 1; }; }\n);\n",
          CM_CFG_ERR_KEY, 3, "regions[0] (1).budget.fund_budgte", "did you mean budget.fund_budget" },
        { "dip = { catalogue = \"cat.csv\"; };\nregions = (\n { code = \"1\"; },\n { code = \"2\"; coefficients = { level1 = -1.0; }; }\n);\n",
          CM_CFG_ERR_VALUE, 4, "regions[1] (2).coefficients.level1", "" },
        { "dip = { catalogue = \"cat.csv\"; };\nregions = (\n { code = \"1\"; },\n { code = \"1\"; }\n);\n",
          CM_CFG_ERR_VALUE, 4, "regions[1]", "listed twice" },
        { "dip = { catalogue = \"cat.csv\"; };\nregions = (\n { budget = { fund_budget = 1; }; }\n);\n",
          CM_CFG_ERR_VALUE, 3, "regions[0]", "needs its code" },
        { "regions = (\n { code = \"1\"; dip = { catalogue = \"cat.csv\"; }; },\n { code = \"2\"; }\n);\n",
          CM_CFG_ERR_VALUE, 0, "regions[1] (2).dip.catalogue", "needs the DIP catalogue" },
        { "dip = { catalogue = \"cat.csv\"; };\nregions = (\n { code = \"1\"; region = \"2\"; }\n);\n",
          CM_CFG_ERR_KEY, 3, "regions[0] (1).region", "not allowed inside a region" },
        { "dip = { catalogue = \"cat.csv\"; };\nregions = ();\n", CM_CFG_ERR_VALUE, 2, "regions", "empty" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cm_cfg_status st = load_text(bad[i].text, &c, &e);
        if (st != bad[i].st || (bad[i].line && e.line != bad[i].line) || strcmp(e.key, bad[i].key) != 0 ||
            !strstr(e.msg, bad[i].msg))
            fail_msg("province case %zu: status %d line %d key '%s' msg '%s'", i, (int)st, e.line, e.key, e.msg);
    }
}

static void test_status_names(void **state)
{
    (void)state;
    const char *seen[CM_CFG_ERR_NOMEM + 1];
    for (int s = CM_CFG_OK; s <= CM_CFG_ERR_NOMEM; s++) {
        seen[s] = cm_cfg_status_name((cm_cfg_status)s);
        assert_string_not_equal(seen[s], "?");
        for (int q = 0; q < s; q++)
            assert_string_not_equal(seen[q], seen[s]);
    }
    assert_string_equal(cm_cfg_status_name((cm_cfg_status)99), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_parse_yuan_good),
        cmocka_unit_test(test_parse_yuan_bad),
        cmocka_unit_test(test_parse_yuan_fast),
        cmocka_unit_test(test_parse_yuan_grouped),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_minimal_file),
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_lenient_forms),
        cmocka_unit_test(test_budget_forms),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_supervision),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_value_errors),
        cmocka_unit_test(test_threads_limit),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_io_errors),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_example_cfg),
        cmocka_unit_test(test_province),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
