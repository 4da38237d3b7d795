/*
 * test_engine_rejects.c - what settle tells a person about its rejects
 * (engine/rejects.c, engine/util.c utf8_cut, pl_reject_add) and the names of
 * the case flags (columns.c).
 *
 * - utf8_cut against an independent UTF-8 validator: for strings of 1- to
 *   4-byte characters and every limit, the cut is the longest prefix within
 *   the limit that is whole characters (also when the string itself ends in
 *   a cut character);
 * - pl_reject_add keeps /rejects case_id, field and reason decodable when
 *   they are too long (Chinese text cut at a character boundary);
 * - case_flag_name names every bit below CF__COUNT, distinctly;
 * - rj_reason_key drops quoted values and stand-alone numbers, and leaves
 *   ICD-10, GB18030, UTF-8, x001 and apostrophes alone;
 * - rj_top_reasons against a brute-force count (quadratic, by key);
 * - rj_write_csv: BOM, header, one RFC 4180 row per reject, read back by a
 *   small independent CSV reader; cm_side_path names OUT.rejects.csv.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../engine/rejects.h"

/* 1 when s[0..n) is whole, valid UTF-8 characters (the oracle). */
static int valid_utf8_n(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!k || i + k > n) return 0;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return 0;
        i += k;
    }
    return 1;
}

static void test_utf8_cut(void **state)
{
    (void)state;
    const char *samples[] = {
        "abc",
        "医保结算清单",                      /* 3-byte characters */
        "a医b保c",
        "ä ö ü é",                           /* 2-byte */
        "x😀y😀😀",                            /* 4-byte */
        "原因: 'K35.800x001' 不在 ICD-10 医保版 2.0 列表中",
        "",
    };
    for (size_t t = 0; t < sizeof samples / sizeof *samples; t++) {
        const char *s = samples[t];
        size_t len = strlen(s);
        for (size_t max = 0; max <= len + 2; max++) {
            size_t k = utf8_cut(s, len, max);
            assert_true(k <= max && k <= len);
            assert_true(valid_utf8_n((const unsigned char *)s, k));
            /* the longest: no longer prefix within the limit is whole */
            for (size_t l = k + 1; l <= max && l <= len; l++)
                assert_false(valid_utf8_n((const unsigned char *)s, l));
            /* a string that ends in a cut character loses it whole */
            size_t k2 = utf8_cut(s, max < len ? max : len, (size_t)-1);
            assert_true(valid_utf8_n((const unsigned char *)s, k2));
            assert_int_equal(k2, k);
        }
    }
}

static void test_reject_add_cuts_at_boundary(void **state)
{
    (void)state;
    pl_rejects r;
    memset(&r, 0, sizeof r);
    char id[128] = "", field[64] = "", reason[400] = "";
    for (int i = 0; i < 30; i++) strcat(id, "号");          /* 90 bytes > 64 */
    strcat(field, "a");
    for (int i = 0; i < 12; i++) strcat(field, "字");       /* 37 bytes > 23 */
    strcat(reason, "'");
    for (int i = 0; i < 60; i++) strcat(reason, "诊");      /* 180 bytes > 103 */
    strcat(reason, "': not in the ICD-10 list");
    assert_int_equal(pl_reject_add(&r, 7, id, field, reason), 0);
    const cm_reject *e = &r.e[0];
    assert_int_equal(e->line, 7);
    assert_true(valid_utf8_n((const unsigned char *)e->case_id, strlen(e->case_id)));
    assert_true(valid_utf8_n((const unsigned char *)e->field, strlen(e->field)));
    assert_true(valid_utf8_n((const unsigned char *)e->reason, strlen(e->reason)));
    assert_int_equal(strlen(e->case_id), 63);   /* 21 characters of 3 bytes in 64 */
    assert_int_equal(strlen(e->field), 22);     /* "a" + 7 characters */
    assert_int_equal(strlen(e->reason), 103);   /* "'" + 34 characters = 103 bytes */
    assert_memory_equal(e->reason, reason, 103);
    /* short strings are kept whole */
    assert_int_equal(pl_reject_add(&r, 8, "C1", "total_cost", "amount '1,2' is bad"), 0);
    assert_string_equal(r.e[1].reason, "amount '1,2' is bad");
    pl_rejects_free(&r);
}

static void test_flag_names(void **state)
{
    (void)state;
    for (unsigned b = 0; b < CF__COUNT; b++) {
        const char *n = case_flag_name(b);
        assert_non_null(n);
        assert_true(n[0] != '\0');
        assert_string_not_equal(n, "?");
        assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz_0123456789"), strlen(n));
        for (unsigned c = 0; c < b; c++) assert_string_not_equal(case_flag_name(c), n);
    }
    assert_string_equal(case_flag_name(CF__COUNT), "?");
    /* the flags a case can carry fit in the bits that have names */
    unsigned all = CF_CAT_MISMATCH | CF_LOS_MISMATCH | CF_LEVEL_MISMATCH | CF_FUND_MISMATCH | CF_SPECIAL |
                   CF_SPECIAL_OVER | CF_NO_STD_COST | CF_NO_CATEGORIES | CF_BIG_BUCKETS;
    assert_int_equal(all >> CF__COUNT, 0);
}

static void test_reason_key(void **state)
{
    (void)state;
    struct { const char *in; int num; const char *want; } t[] = {
        {"'abc': not a whole number from 1 to 3", 0, "'…': not a whole number from 1 to 3"},
        {"'abc': not a whole number from 1 to 3", 1, "'…': not a whole number from … to …"},
        {"amount '13,728.90' is not yuan", 1, "amount '…' is not yuan"},
        {"fund paid 5,000.00 > total 4,000.00", 1, "fund paid … > total …"},
        {"fund paid 5,000.00 > total 4,000.00", 0, "fund paid 5,000.00 > total 4,000.00"},
        {"duplicate case id: first seen on line 12; this row is not paid", 1,
         "duplicate case id: first seen on line …; this row is not paid"},
        {"cost categories differ from total cost by +1.00 yuan", 1, "cost categories differ from total cost by … yuan"},
        {"cost categories differ from total cost by -12.50 yuan", 1, "cost categories differ from total cost by … yuan"},
        {"not in the ICD-10 list; convert with iconv -f GB18030 -t UTF-8", 1,
         "not in the ICD-10 list; convert with iconv -f GB18030 -t UTF-8"},
        {"code K35.800x001 and the institution's level", 1, "code K35.800x001 and the institution's level"},
        {"'O'Brien': a value with an apostrophe", 1, "'…': a value with an apostrophe"},
        {"an unclosed 'quote stays", 0, "an unclosed 'quote stays"},
        {"'诊断': 不在列表中", 0, "'…': 不在列表中"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        char out[160];
        rj_reason_key(t[i].in, t[i].num, out, sizeof out);
        assert_string_equal(out, t[i].want);
    }
    /* a small buffer: cut whole, never mid-character */
    char small[8];
    rj_reason_key("诊断诊断", 0, small, sizeof small);
    assert_string_equal(small, "诊断");
}

static void test_top_reasons(void **state)
{
    (void)state;
    const char *fields[] = {"total_cost", "fund_paid", "case_id", ""};
    const char *fmts[] = {"amount '%d.5x' is not yuan", "fund paid %d.00 > total 1.00",
                          "duplicate case id: first seen on line %d", "row has 3 fields but the header has 5"};
    pl_rejects r;
    memset(&r, 0, sizeof r);
    unsigned seed = 12345;
    enum { N = 3000 };
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        int f = (int)((seed >> 16) % 4), m = (int)((seed >> 8) % 4);
        if (f == 3 && (seed & 1)) m = 3; /* the same text, no value */
        char why[104];
        snprintf(why, sizeof why, fmts[m], (int)(seed % 997));
        assert_int_equal(pl_reject_add(&r, (uint32_t)(i + 2), "C", fields[f], why), 0);
    }
    rj_reason_count *rc = NULL;
    size_t nrc = 0;
    assert_int_equal(rj_top_reasons(&r, &rc, &nrc), CM_OK);
    long ng = (long)nrc;
    assert_true(ng > 0);
    /* oracle: for each reject, count the rejects of its field and key */
    int64_t total = 0;
    for (long j = 0; j < ng; j++) {
        total += rc[j].n;
        if (j) assert_true(rc[j - 1].n > rc[j].n || (rc[j - 1].n == rc[j].n && rc[j - 1].first_line < rc[j].first_line));
    }
    assert_int_equal(total, N);
    long groups = 0;
    static char key[N][160];
    for (size_t i = 0; i < r.n; i++) rj_reason_key(r.e[i].reason, 1, key[i], sizeof key[i]);
    for (size_t i = 0; i < r.n; i++) {
        int64_t n = 0, first = -1;
        for (size_t j = 0; j < r.n; j++) {
            if (strcmp(r.e[i].field, r.e[j].field) == 0 && strcmp(key[i], key[j]) == 0) {
                n++;
                if (first < 0) first = (int64_t)j;
            }
        }
        if (first != (int64_t)i) continue;
        groups++;
        long found = -1;
        for (long j = 0; j < ng; j++)
            if (rc[j].first_line == r.e[i].line) found = j;
        assert_true(found >= 0);
        assert_string_equal(rc[found].field, r.e[i].field);
        assert_int_equal(rc[found].n, n);
    }
    assert_int_equal(groups, ng);
    /* the constant reason is shown whole; the others without their values */
    for (long j = 0; j < ng; j++) {
        assert_null(strstr(rc[j].text, "5x"));
        if (strncmp(rc[j].text, "row has", 7) == 0) assert_string_equal(rc[j].text, fmts[3]);
    }
    free(rc);
    pl_rejects_free(&r);
    memset(&r, 0, sizeof r);
    nrc = 1;
    assert_int_equal(rj_top_reasons(&r, &rc, &nrc), CM_OK);
    assert_int_equal(nrc, 0);
    free(rc);
}

/* Reads one RFC 4180 record from p (CRLF ends it); fields into f[][200]. */
static int read_record(const char **p, char f[8][200])
{
    int nf = 0;
    size_t k = 0;
    const char *s = *p;
    if (!*s) return -1;
    int q = 0;
    f[0][0] = '\0';
    for (;;) {
        char c = *s;
        if (q) {
            if (c == '"' && s[1] == '"') { f[nf][k++] = '"'; s += 2; continue; }
            if (c == '"') { q = 0; s++; continue; }
            if (!c) return -2;
            f[nf][k++] = c;
            s++;
            continue;
        }
        if (c == '"') { q = 1; s++; continue; }
        if (c == ',') { f[nf][k] = '\0'; nf++; k = 0; s++; continue; }
        if (c == '\r' && s[1] == '\n') { f[nf][k] = '\0'; *p = s + 2; return nf + 1; }
        if (!c) return -3;
        f[nf][k++] = c;
        s++;
    }
}

static void test_csv(void **state)
{
    (void)state;
    pl_rejects r;
    memset(&r, 0, sizeof r);
    const char *reasons[] = {"plain reason", "amount '1,234.5x', with a comma", "a \"quoted\" word",
                             "two\nlines", "诊断 'X': 不在列表中"};
    for (int i = 0; i < 5; i++) assert_int_equal(pl_reject_add(&r, (uint32_t)(10 + i), i == 1 ? "C,1" : "C", "f", reasons[i]), 0);
    char path[] = "/tmp/casemix_test_report_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256] = "";
    assert_int_equal(rj_write_csv(&r, path, err, sizeof err), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_memory_equal(buf, "\xEF\xBB\xBF", 3);
    const char *p = buf + 3;
    char fl[8][200];
    assert_int_equal(read_record(&p, fl), 4);
    assert_string_equal(fl[0], "line (行号)");
    assert_string_equal(fl[1], "case_id (结算ID)");
    for (int i = 0; i < 5; i++) {
        assert_int_equal(read_record(&p, fl), 4);
        assert_int_equal(atoi(fl[0]), 10 + i);
        assert_string_equal(fl[1], i == 1 ? "C,1" : "C");
        assert_string_equal(fl[2], "f");
        assert_string_equal(fl[3], reasons[i]);
    }
    assert_int_equal(read_record(&p, fl), -1); /* nothing after the last row */
    /* no rejects: the header alone */
    pl_rejects empty;
    memset(&empty, 0, sizeof empty);
    assert_int_equal(rj_write_csv(&empty, path, err, sizeof err), 0);
    f = fopen(path, "rb");
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    p = buf + 3;
    assert_int_equal(read_record(&p, fl), 4);
    assert_int_equal(read_record(&p, fl), -1);
    unlink(path);
    /* an unwritable place: an error that names it */
    assert_int_equal(rj_write_csv(&r, "/nonexistent-dir/x.rejects.csv", err, sizeof err), CM_ERR_OUTPUT);
    assert_non_null(strstr(err, "/nonexistent-dir/x.rejects.csv"));
    pl_rejects_free(&r);
}

static void test_side_path(void **state)
{
    (void)state;
    char b[64];
    assert_int_equal(cm_side_path("out/settlement-410400-2025Q1.h5", ".rejects.csv", b, sizeof b), 0);
    assert_string_equal(b, "out/settlement-410400-2025Q1.rejects.csv");
    assert_int_equal(cm_side_path("x.H5", ".rejects.csv", b, sizeof b), 0);
    assert_string_equal(b, "x.rejects.csv");
    assert_int_equal(cm_side_path("x.hdf5", ".rejects.csv", b, sizeof b), 0);
    assert_string_equal(b, "x.rejects.csv");
    assert_int_equal(cm_side_path("dir.h5/out", ".rejects.csv", b, sizeof b), 0);
    assert_string_equal(b, "dir.h5/out.rejects.csv");
    assert_int_equal(cm_side_path("a-very-long-name-that-does-not-fit-in-the-buffer.h5", ".rejects.csv", b, 20), CM_ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_cut),
        cmocka_unit_test(test_reject_add_cuts_at_boundary),
        cmocka_unit_test(test_flag_names),
        cmocka_unit_test(test_reason_key),
        cmocka_unit_test(test_top_reasons),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_side_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
