/*
 * test_engine_parse.c - the reader's fast paths against plain references.
 *
 * - parse_date (SWAR check of "YYYY-MM-", then the other forms on the
 *   cold path): random strings over digits, separators and their
 *   neighbours, every date of 1899-2201 with both separators, and days of
 *   many years in each other form (YYYY/M/D, YYYY-M-D, YYYYMMDD, 14
 *   digits, with times), mutated; the reference is POSIX regular
 *   expressions of the forms and a day count.
 * - amounts through the whole reader (pl_read): a CSV whose total_cost and
 *   fund_paid cells are random strings (good, bad, wide, signed, spaced),
 *   with total_cost as the first column (its 8-byte load would start
 *   before the field: the file's header must guard it), the last column,
 *   and in quoted cells (copied to scratch: the slow path). Each row must
 *   be a case with exactly the fen of cm_parse_yuan, or a reject on that
 *   field, as the README's input rules say (>= 0, <= 1e9 yuan).
 * - a GBK file read in 4 KiB windows against its UTF-8 twin (slots equal).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iconv.h>
#include <regex.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../engine/pipeline.h"

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static int ref_days(int y, int m, int d)
{
    /* days since 1970-01-01 by counting */
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long n = 0;
    for (int yy = 1970; yy < y; yy++) n += 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
    for (int yy = y; yy < 1970; yy++) n -= 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
    for (int mm = 1; mm < m; mm++) n += md[mm - 1] + (mm == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return (int)(n + d - 1);
}

/* The accepted date forms as POSIX regular expressions (README, Input):
 * YYYY-MM-DD, YYYY/M/D, YYYY-M-D (month and day of 1 or 2 digits, '-' or
 * '/' each), YYYYMMDD, each optionally followed by ' ' or 'T' and
 * anything (a time, ignored); YYYYMMDDHHMMSS with a valid time. */
static regex_t re_sep, re_digits, re_digits14;

static void ref_init(void)
{
    static int done;
    if (done) return;
    done = 1;
    assert_int_equal(regcomp(&re_sep, "^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})([ T].*)?$", REG_EXTENDED), 0);
    assert_int_equal(regcomp(&re_digits, "^([0-9]{4})([0-9]{2})([0-9]{2})([ T].*)?$", REG_EXTENDED), 0);
    assert_int_equal(regcomp(&re_digits14, "^([0-9]{4})([0-9]{2})([0-9]{2})([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$",
                             REG_EXTENDED), 0);
}

static int ref_date(const char *s, size_t n)
{
    char t[64];
    if (n >= sizeof t || memchr(s, '\0', n)) return -1;
    memcpy(t, s, n);
    t[n] = '\0';
    ref_init();
    regmatch_t m[5];
    if (regexec(&re_sep, t, 5, m, 0) && regexec(&re_digits, t, 5, m, 0) && regexec(&re_digits14, t, 5, m, 0))
        return -1;
    int v[4] = {0, 0, 0, 0}; /* year, month, day from the groups */
    for (int g = 1; g <= 3; g++)
        for (regoff_t i = m[g].rm_so; i < m[g].rm_eo; i++) v[g] = v[g] * 10 + t[i] - '0';
    int y = v[1], mo = v[2], d = v[3];
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return -1;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return -1;
    return ref_days(y, mo, d);
}

static void check_date(const char *s, size_t n)
{
    int a = parse_date(s, n), b = ref_date(s, n);
    if (a != b) print_error("date \"%.*s\": parse_date %d, reference %d\n", (int)n, s, a, b);
    assert_int_equal(a, b);
}

static void test_parse_date(void **state)
{
    (void)state;
    char buf[24];
    for (int y = 1899; y <= 2201; y += (y > 1905 && y < 2195 ? 7 : 1))
        for (int m = 0; m <= 13; m++)
            for (int d = 0; d <= 32; d++) {
                snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
                check_date(buf, 10);
                buf[4] = '/';
                check_date(buf, 10);
                buf[7] = '/';
                check_date(buf, 10);
            }
    static const char alpha[] = "0123456789-/:. T\xb0";
    uint64_t x = 0x243F6A8885A308D3ULL;
    for (int t = 0; t < 300000; t++) {
        snprintf(buf, sizeof buf, "20%02d-%02d-%02d 08:30", (int)(rnd(&x) % 100), (int)(rnd(&x) % 13),
                 (int)(rnd(&x) % 32));
        size_t n = 10 + rnd(&x) % 7;
        for (int k = (int)(rnd(&x) % 3); k > 0; k--) buf[rnd(&x) % n] = alpha[rnd(&x) % (sizeof alpha - 1)];
        check_date(buf, n);
    }
    check_date("2024-02-29", 10);
    check_date("2023-02-29", 10);
    check_date("2000-02-29", 10);
    check_date("2100-02-29", 10);
    check_date("2025-01-14T08:30:00", 19);
    /* the other forms: every day of some years written each way, with and
     * without a time, then mutated */
    static const char *const fmt[] = {"%04d/%d/%d", "%04d-%d-%d", "%04d%02d%02d", "%04d/%02d/%d",
                                      "%04d-%d/%02d", "%04d%02d%02d083000", "%04d%02d%02d235960",
                                      "%04d%02d%02d240000"};
    static const char *const tail[] = {"", " 08:30", " 08:30:00", "T08:30:00", " 8:05"};
    char s2[48];
    int accepted = 0;
    for (int y = 1899; y <= 2201; y += (y > 1901 && y < 2199 ? 13 : 1))
        for (int m = 0; m <= 13; m++)
            for (int d = 0; d <= 32; d++)
                for (size_t f = 0; f < sizeof fmt / sizeof *fmt; f++) {
                    int k = snprintf(s2, sizeof s2, fmt[f], y, m, d);
                    size_t tl = f >= 5 ? 0 : (size_t)((unsigned)(y + m + d) % 5);
                    snprintf(s2 + k, sizeof s2 - (size_t)k, "%s", tail[tl]);
                    size_t n = strlen(s2);
                    check_date(s2, n);
                    accepted += parse_date(s2, n) >= 0;
                    for (int r = 0; r < 2; r++) {
                        char s3[48];
                        memcpy(s3, s2, n + 1);
                        s3[rnd(&x) % n] = alpha[rnd(&x) % (sizeof alpha - 1)];
                        check_date(s3, n - rnd(&x) % 2);
                    }
                }
    assert_true(accepted > 10000);
    assert_int_equal(parse_date("2025/1/14", 9), parse_date("2025-01-14", 10));
    assert_int_equal(parse_date("20250114 08:30", 14), parse_date("2025-01-14", 10));
    assert_int_equal(parse_date("20250114083000", 14), parse_date("2025-01-14", 10));
    assert_int_equal(parse_date("2025-2-29", 9), -1);
    assert_int_equal(parse_date("2025/13/1", 9), -1);
}

/* ------------------------------------------------------------------ */

/* A random amount text: a prefix (mostly none), 0-12 integer digits, a
 * '.', 0-3 decimals and a suffix (mostly none) - most are good "D.DD". */
static void amount(uint64_t *x, char *out, size_t cap)
{
    static const char *const pre[] = {"", "", "", "", "", "", " ", "-", "+", "0", "x"};
    static const char *const suf[] = {"", "", "", "", "", "", " ", "x", ".5", ",", "\t"};
    static const int widths[] = {1, 1, 2, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 12, 0};
    static const int decs[] = {2, 2, 2, 2, 2, 2, 2, 1, 0, 3};
    char ip[16], dp[4];
    int w = widths[rnd(x) % (sizeof widths / sizeof widths[0])];
    for (int i = 0; i < w; i++) ip[i] = (char)('0' + rnd(x) % 10);
    if (w > 1 && rnd(x) % 3) ip[0] = (char)('1' + rnd(x) % 9);
    ip[w] = '\0';
    int nd = decs[rnd(x) % (sizeof decs / sizeof decs[0])];
    for (int i = 0; i < nd; i++) dp[i] = (char)('0' + rnd(x) % 10);
    dp[nd] = '\0';
    const char *dot = nd || rnd(x) % 4 == 0 ? "." : "";
    const char *sfx = suf[rnd(x) % (sizeof suf / sizeof suf[0])];
    if (*sfx == ',') sfx = ""; /* a comma would split the cell */
    snprintf(out, cap, "%s%s%s%s%s", pre[rnd(x) % (sizeof pre / sizeof pre[0])], ip, dot, dp, sfx);
}

static void on_row(void *ctx, int tid, cm_parser *p, cm_case *c)
{
    (void)ctx; (void)tid; (void)p; (void)c;
}

/* Expected outcome of one cell: 1 with fen, or 0 (reject). */
static int expect(const char *s, int64_t *fen)
{
    if (cm_parse_yuan(s, strlen(s), fen) != 0) return 0;
    return *fen >= 0 && *fen <= INT64_C(100000000000);
}

static void run_file(int layout)
{
    char path[] = "/tmp/casemix-parse-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    /* layout 0: total_cost first; 1: fund_paid last; 2: quoted cells */
    if (layout == 0) fprintf(f, "total_cost,case_id,institution_id,institution_level,principal_dx,fund_paid\n");
    else fprintf(f, "case_id,institution_id,institution_level,principal_dx,total_cost,fund_paid\n");
    enum { ROWS = 60000 };
    char (*tot)[48] = calloc(ROWS, sizeof *tot), (*fund)[48] = calloc(ROWS, sizeof *fund);
    uint64_t x = 0xB7E151628AED2A6BULL + (uint64_t)layout;
    for (int i = 0; i < ROWS; i++) {
        amount(&x, tot[i], sizeof tot[i]);
        /* fund: small, so that fund <= total holds when total is valid */
        if (rnd(&x) % 4) snprintf(fund[i], sizeof fund[i], "0.%02d", (int)(rnd(&x) % 100));
        else amount(&x, fund[i], sizeof fund[i]);
        const char *q = layout == 2 ? "\"" : "";
        if (layout == 0)
            fprintf(f, "%s,C%d,H1,2,K35.800,%s\n", tot[i], i, fund[i]);
        else
            fprintf(f, "C%d,H1,2,K35.800,%s%s%s,%s%s%s\n", i, q, tot[i], q, q, fund[i], q);
    }
    fclose(f);
    pl_slots s;
    cm_reader hdr;
    char err[512];
    cm_parse_opts po = {.need = cm_need_columns(CM_RUN_SETTLE, 1, 0), .mismatch = CM_MISMATCH_FLAG,
                        .encoding = RD_ENC_AUTO};
    static const int req[] = {COL_CASE_ID, -1};
    int rc = pl_read(path, NULL, req, &po, on_row, NULL, &s, &hdr, NULL, NULL, err, sizeof err);
    if (rc) print_error("%s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(s.n, ROWS);
    size_t ok = 0;
    for (int i = 0; i < ROWS; i++) {
        const cm_case *c = &s.slots[i];
        int64_t t = 0, fu = 0;
        int et = expect(tot[i], &t), ef = expect(fund[i], &fu);
        if (!fund[i][0]) ef = 1, fu = 0; /* an empty fund payment is no fund payment: 0, noted */
        int want_case = et && ef && fu <= t;
        if ((c->status == SLOT_CASE) != want_case || (want_case && (c->total_fen != t || c->fund_fen != fu)))
            print_error("layout %d row %d: total '%s' fund '%s': status %d total %lld fund %lld, want case %d "
                        "total %lld fund %lld\n", layout, i, tot[i], fund[i], c->status, (long long)c->total_fen,
                        (long long)c->fund_fen, want_case, (long long)t, (long long)fu);
        assert_int_equal(c->status == SLOT_CASE, want_case);
        if (want_case) {
            assert_int_equal(c->total_fen, t);
            assert_int_equal(c->fund_fen, fu);
            ok++;
        }
    }
    assert_true(ok > ROWS / 4 && ok < ROWS); /* both outcomes occur */
    pl_slots_free(&s);
    free(tot);
    free(fund);
    unlink(path);
}

static void test_amounts_first_column(void **state) { (void)state; run_file(0); }
static void test_amounts_last_column(void **state) { (void)state; run_file(1); }
static void test_amounts_quoted(void **state) { (void)state; run_file(2); }

/* A GBK file read through many small windows (the decoded mapping stands
 * for the file, and its parsed pages are released as a file's are) gives
 * the slots of its UTF-8 twin: status, line, case id (Chinese), amounts,
 * level, on rows with quoted multi-line notes and bad amounts. */
static void write_text(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
}

static void test_gbk_windows(void **state)
{
    (void)state;
    enum { ROWS = 3000 };
    size_t cap = (size_t)ROWS * 160 + 256, n = 0;
    char *u = malloc(cap);
    assert_non_null(u);
    n += (size_t)snprintf(u + n, cap - n, "结算ID,定点医疗机构编码,医院等级,主要诊断编码,总费用,统筹基金支付,备注\n");
    static const char *const lv[] = {"三级甲等", "二级乙等", "1级", "三甲", "2"};
    for (int i = 0; i < ROWS; i++) {
        const char *note = i % 7 == 0 ? "\"多行\n备注, 逗号\"" : "急性阑尾炎";
        const char *tot = i % 11 == 0 ? "\"13,72.90\"" : i % 5 == 0 ? "\"1,234.50\"" : "100.00";
        n += (size_t)snprintf(u + n, cap - n, "病例%d,医院H%d,%s,K35.800,%s,50.00,%s\n", i, i % 9,
                              lv[i % 5], tot, note);
    }
    /* the GBK twin */
    iconv_t cd = iconv_open("GBK", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char *g = malloc(cap), *in = u, *out = g;
    size_t inl = n, outl = cap;
    assert_int_not_equal(iconv(cd, &in, &inl, &out, &outl), (size_t)-1);
    iconv_close(cd);
    char pu[] = "/tmp/casemix-utf8-XXXXXX", pg[] = "/tmp/casemix-gbk-XXXXXX";
    close(mkstemp(pu));
    close(mkstemp(pg));
    write_text(pu, u, n);
    write_text(pg, g, (size_t)(out - g));
    assert_int_not_equal((size_t)(out - g), n); /* it is another encoding */
    rd_set_block_size(4096);
    pl_slots su, sg;
    cm_reader hu, hg;
    char err[512];
    cm_parse_opts po = {.need = cm_need_columns(CM_RUN_SETTLE, 1, 0), .mismatch = CM_MISMATCH_FLAG,
                        .encoding = RD_ENC_AUTO};
    static const int req[] = {COL_CASE_ID, -1};
    int rc = pl_read(pu, NULL, req, &po, on_row, NULL, &su, &hu, NULL, NULL, err, sizeof err);
    if (rc) print_error("%s\n", err);
    assert_int_equal(rc, 0);
    rc = pl_read(pg, NULL, req, &po, on_row, NULL, &sg, &hg, NULL, NULL, err, sizeof err);
    if (rc) print_error("%s\n", err);
    assert_int_equal(rc, 0);
    rd_set_block_size((size_t)64 << 20);
    assert_string_equal(hu.encoding, "UTF-8");
    assert_string_equal(hg.encoding, "GB18030");
    assert_int_equal(su.n, ROWS);
    assert_int_equal(sg.n, ROWS);
    int cases = 0;
    for (int i = 0; i < ROWS; i++) {
        const cm_case *a = &su.slots[i], *b = &sg.slots[i];
        char id[24];
        snprintf(id, sizeof id, "病例%d", i);
        assert_int_equal(a->status, b->status);
        assert_int_equal(a->line, b->line);
        assert_int_equal(a->status == SLOT_CASE, i % 11 != 0);
        if (a->status != SLOT_CASE) continue;
        cases++;
        assert_string_equal(b->case_id, id);
        assert_string_equal(a->case_id, id);
        assert_int_equal(a->total_fen, b->total_fen);
        assert_int_equal(b->total_fen, i % 5 == 0 ? 123450 : 10000);
        assert_int_equal(a->level, b->level);
        static const int want_level[5] = {3, 2, 1, 3, 2};
        assert_int_equal(b->level, want_level[i % 5]);
    }
    assert_true(cases > ROWS / 2);
    pl_slots_free(&su);
    pl_slots_free(&sg);
    free(u);
    free(g);
    unlink(pu);
    unlink(pg);
}

/* A province region's file read with its line map (rd_set_line_map): every
 * slot, case or reject, carries map[its first physical line], through small
 * windows, plain and quoted chunks (multi-line notes); a part of the file
 * read with a line offset (rd_set_line_offset, an MPI part) and the same map
 * gives the same lines as the whole file. The expected lines are counted
 * here as the file is written. */
static void test_line_map(void **state)
{
    (void)state;
    enum { ROWS = 4000, PART = 2500 };
    char path[] = "/tmp/casemix-lmap-XXXXXX", part[] = "/tmp/casemix-lpart-XXXXXX";
    close(mkstemp(path));
    close(mkstemp(part));
    FILE *f = fopen(path, "w"), *fp = fopen(part, "w");
    assert_non_null(f);
    assert_non_null(fp);
    const char *head = "case_id,institution_id,institution_level,principal_dx,total_cost,fund_paid,note\n";
    fputs(head, f);
    fputs(head, fp);
    uint64_t *first = calloc(ROWS, sizeof *first), line = 2, part_line0 = 0;
    uint32_t *map = calloc(8 * ROWS + 8, sizeof *map);
    assert_non_null(first);
    assert_non_null(map);
    for (int i = 0; i < ROWS; i++) {
        first[i] = line;
        const char *note = i % 13 == 0 ? "\"two\nlines\"" : i % 29 == 0 ? "\"three\n\nlines\"" : "plain";
        const char *tot = i % 17 == 0 ? "bad" : "100.00";
        if (i == PART) part_line0 = line - 2;
        fprintf(f, "C%d,H%d,2,K35.800,%s,50.00,%s\n", i, i % 5, tot, note);
        if (i >= PART) fprintf(fp, "C%d,H%d,2,K35.800,%s,50.00,%s\n", i, i % 5, tot, note);
        line += 1 + (i % 13 == 0 ? 1 : i % 29 == 0 ? 2 : 0);
    }
    fclose(f);
    fclose(fp);
    for (uint64_t l = 0; l < line; l++) map[l] = (uint32_t)(7 * l + 3 * (l > 40) + 1); /* increasing, not affine */
    rd_set_block_size(4096);
    rd_set_line_map(map, line);
    pl_slots s, sp;
    cm_reader h;
    char err[512];
    cm_parse_opts po = {.need = cm_need_columns(CM_RUN_SETTLE, 1, 0), .mismatch = CM_MISMATCH_FLAG,
                        .encoding = RD_ENC_AUTO};
    static const int req[] = {COL_CASE_ID, -1};
    int rc = pl_read(path, NULL, req, &po, on_row, NULL, &s, &h, NULL, NULL, err, sizeof err);
    if (rc) print_error("%s\n", err);
    assert_int_equal(rc, 0);
    rd_set_line_offset(part_line0);
    rc = pl_read(part, NULL, req, &po, on_row, NULL, &sp, &h, NULL, NULL, err, sizeof err);
    if (rc) print_error("%s\n", err);
    assert_int_equal(rc, 0);
    rd_set_line_offset(0);
    rd_set_line_map(NULL, 0);
    rd_set_block_size((size_t)64 << 20);
    assert_int_equal(s.n, ROWS);
    assert_int_equal(sp.n, ROWS - PART);
    int rejects = 0;
    for (int i = 0; i < ROWS; i++) {
        if (s.slots[i].line != map[first[i]])
            print_error("row %d (line %llu): recorded on %u, want %u\n", i, (unsigned long long)first[i],
                        s.slots[i].line, map[first[i]]);
        assert_int_equal(s.slots[i].line, map[first[i]]);
        assert_int_equal(s.slots[i].status == SLOT_CASE, i % 17 != 0);
        rejects += s.slots[i].status != SLOT_CASE;
        if (i >= PART) assert_int_equal(sp.slots[i - PART].line, map[first[i]]);
    }
    assert_true(rejects > 100);
    pl_slots_free(&s);
    pl_slots_free(&sp);
    free(first);
    free(map);
    unlink(path);
    unlink(part);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_amounts_first_column),
        cmocka_unit_test(test_amounts_last_column),
        cmocka_unit_test(test_amounts_quoted),
        cmocka_unit_test(test_gbk_windows),
        cmocka_unit_test(test_line_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
