/*
 * test_engine_html.c - the pure helpers of casemix report (engine/html.c)
 * and the yuan text it prints money with (cm_yuan_text, util.c), each
 * against an independent computation:
 *
 * - html_escape: decoded by a small entity decoder it gives the input back
 *   (no raw & < > " ' left); cut at every capacity it is a decodable prefix:
 *   whole entities, whole UTF-8 characters, NUL-terminated, within cap;
 * - fmt_count, fmt_num and cm_yuan_text(grouped): the commas removed give
 *   printf's digits ("%lld", "%.*f"), and the commas stand every 3 digits
 *   from the point;
 * - axis_ticks on random ranges: the ticks cover the range, are at most
 *   max_ticks, the step is 1, 2 or 5 × 10^k, the first tick a multiple of
 *   it, the step the smallest nice one that fits, and the labels at the
 *   decimals returned are all different;
 * - hist_bin against the definition b·w <= x < (b+1)·w on exact binary
 *   fractions, the overflow bin and ratio -1 / NaN;
 * - rating_zh names the four levels;
 * - fmt_e4 (the ledger's *_e4 members / 10^4) against cm_yuan_text on
 *   v = 100·k + r: r < 50 rounds down, r >= 50 up, the sign mirrored; and
 *   at 4 decimals "k.rrrr"; title_unscaled, title_zh_at and the export's
 *   titles through cm_member_title (the report's ledger headers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "../../engine/engine.h"
#include "../../engine/html.h"

/* Decodes the five entities html_escape writes; -1 on anything else after '&'. */
static int decode(const char *s, char *out, size_t cap)
{
    static const struct { const char *e; char c; } E[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'},
                                                           {"&quot;", '"'}, {"&#39;", '\''}};
    size_t o = 0;
    for (size_t i = 0; s[i];) {
        if (o + 1 >= cap) return -1;
        if (s[i] == '&') {
            size_t k = 0;
            while (k < 5 && strncmp(s + i, E[k].e, strlen(E[k].e))) k++;
            if (k == 5) return -1;
            out[o++] = E[k].c;
            i += strlen(E[k].e);
        } else out[o++] = s[i++];
    }
    out[o] = '\0';
    return 0;
}

static int valid_utf8(const char *p)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; s[i];) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!k) return 0;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return 0;
        i += k;
    }
    return 1;
}

static void test_escape(void **state)
{
    (void)state;
    const char *in[] = {"plain", "<script>alert('x')</script>", "a & b \"c\" 'd'", "医院 <机构> & \"名称\"",
                        "H41040000001 中心医院 😀 &amp;", "", "&&&<<<>>>'''\"\"\""};
    for (size_t t = 0; t < sizeof in / sizeof in[0]; t++) {
        char out[512], back[512];
        size_t L = html_escape(in[t], out, sizeof out);
        assert_int_equal(L, strlen(out));
        assert_null(strpbrk(out, "<>\"'"));
        assert_int_equal(decode(out, back, sizeof back), 0);
        assert_string_equal(back, in[t]);
        /* every capacity: a prefix of the whole, decodable, whole characters */
        for (size_t cap = 1; cap <= L + 1; cap++) {
            char cut[512], dec[512];
            memset(cut, 'Z', sizeof cut);
            size_t k = html_escape(in[t], cut, cap);
            assert_true(k < cap);
            assert_int_equal(cut[k], '\0');
            assert_memory_equal(cut, out, k);
            assert_int_equal(decode(cut, dec, sizeof dec), 0);
            assert_true(valid_utf8(cut));
            assert_memory_equal(dec, in[t], strlen(dec));
        }
    }
    char out[8];
    assert_int_equal(html_escape("a\x01" "b", out, sizeof out), 3);
    assert_string_equal(out, "a?b");
}

/* s without commas; 0 when the commas are not every 3 digits from the end of
 * the integer part. */
static int strip_groups(const char *s, char *out)
{
    const char *dot = strchr(s, '.');
    size_t end = dot ? (size_t)(dot - s) : strlen(s), start = s[0] == '-';
    size_t digits = 0, o = 0;
    for (size_t i = 0; s[i]; i++)
        if (s[i] != ',') out[o++] = s[i];
    out[o] = '\0';
    /* walk the integer part from the right */
    for (size_t i = end; i > start; i--) {
        char c = s[i - 1];
        if (c == ',') {
            if (digits == 0 || digits % 3 != 0) return 0;
        } else {
            digits++;
            if (digits > 3 && digits % 3 == 1 && s[i] != ',') return 0;
        }
    }
    return 1;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}

static void test_numbers(void **state)
{
    (void)state;
    int64_t fixed[] = {0, 1, -1, 999, 1000, -1000, 999999, 1000000, 1234567, -1234567, INT64_MAX, INT64_MIN + 1};
    for (int t = 0; t < 2000; t++) {
        int64_t v = t < 12 ? fixed[t] : (int64_t)(next() >> (next() % 63)) * ((next() & 1) ? 1 : -1);
        char a[64], plain[64], want[64];
        fmt_count(a, sizeof a, v);
        assert_true(strip_groups(a, plain));
        snprintf(want, sizeof want, "%lld", (long long)v);
        assert_string_equal(plain, want);
        /* money: grouped = plain yuan text with commas */
        char g[64], y[64];
        cm_yuan_text(g, sizeof g, v / 1000, 1);
        cm_yuan_text(y, sizeof y, v / 1000, 0);
        assert_true(strip_groups(g, plain));
        assert_string_equal(plain, y);
        /* fmt_num at 2 decimals of an exact number of cents */
        int64_t cents = v % 100000000000LL;
        fmt_num(a, sizeof a, (double)cents / 100.0, 2);
        assert_true(strip_groups(a, plain));
        snprintf(want, sizeof want, "%.2f", (double)cents / 100.0);
        if (!strcmp(want, "-0.00")) snprintf(want, sizeof want, "0.00");
        assert_string_equal(plain, want);
    }
    char b[32];
    assert_string_equal(fmt_num(b, sizeof b, 9.996, 2), "10.00");
    assert_string_equal(fmt_num(b, sizeof b, 1234567.891, 0), "1,234,568");
    assert_string_equal(fmt_num(b, sizeof b, NAN, 2), "-");
    assert_string_equal(fmt_count(b, sizeof b, 20000), "20,000");
}

static int is_nice(double step)
{
    double m = step / pow(10, floor(log10(step) + 1e-12));
    return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9;
}

static void test_ticks(void **state)
{
    (void)state;
    for (int t = 0; t < 5000; t++) {
        double scale = pow(10, (int)(next() % 14) - 6);
        double lo = (double)(next() % 100000) / 1000 * scale, hi = lo + (double)(next() % 100000 + 1) / 1000 * scale;
        if (t % 3 == 0) lo = 0;
        int maxt = 2 + (int)(next() % 9);
        double first, step;
        int dec, n = axis_ticks(lo, hi, maxt, &first, &step, &dec);
        double eps = 1e-9 * fmax(fabs(hi), step);
        assert_true(n >= 2 && n <= maxt);
        assert_true(is_nice(step));
        assert_true(first <= lo + eps);
        assert_true(first + step * (n - 1) >= hi - eps);
        assert_true(fabs(first / step - llround(first / step)) < 1e-6);
        /* the next smaller nice step would need more than maxt ticks */
        double m = step / pow(10, floor(log10(step) + 1e-12));
        double smaller = fabs(m - 1) < 1e-9 ? step / 2 : fabs(m - 2) < 1e-9 ? step / 2 : step * 2 / 5;
        double f2 = floor(lo / smaller + 1e-9) * smaller;
        int n2 = (int)ceil((hi - f2) / smaller - 1e-9) + 1;
        assert_true(n2 > maxt);
        /* labels at dec decimals tell the ticks apart (when dec is in fmt_num's range) */
        if (dec <= 6 && step >= 1e-6) {
            char prev[64] = "", cur[64];
            for (int k = 0; k < n; k++) {
                fmt_num(cur, sizeof cur, first + k * step, dec);
                assert_string_not_equal(cur, prev);
                snprintf(prev, sizeof prev, "%s", cur);
            }
        }
    }
    double first, step;
    int dec, n = axis_ticks(0, 11864861.75, 6, &first, &step, &dec);
    assert_int_equal(n, 4);
    assert_true(step == 5e6 && first == 0 && dec == 0);
    n = axis_ticks(5, 5, 6, &first, &step, &dec); /* zero width */
    assert_true(n >= 2 && first <= 5 && first + step * (n - 1) >= 5);
    n = axis_ticks(0.4, 1.3, 6, &first, &step, &dec);
    assert_true(dec == 1 && fabs(step - 0.2) < 1e-12);
}

static void test_hist_bin(void **state)
{
    (void)state;
    const double w = 0.125; /* exact in binary: the definition can be checked exactly */
    const int nb = 48;
    for (int t = 0; t < 20000; t++) {
        double x = (double)(next() % 8000) / 1024;
        int b = hist_bin(x, w, nb);
        if (x >= nb * w) assert_int_equal(b, nb);
        else {
            assert_true(b >= 0 && b < nb);
            assert_true(b * w <= x && x < (b + 1) * w);
        }
    }
    assert_int_equal(hist_bin(-1, w, nb), -1);
    assert_int_equal(hist_bin(NAN, w, nb), -1);
    assert_int_equal(hist_bin(0, w, nb), 0);
    assert_int_equal(hist_bin(1.0, 0.5, 10), 2);
    assert_int_equal(hist_bin(5.0, 0.5, 10), 10);
    assert_int_equal(hist_bin(4.999, 0.5, 10), 9);
}

static void test_rating(void **state)
{
    (void)state;
    assert_string_equal(rating_zh("excellent"), "优秀");
    assert_string_equal(rating_zh("Good"), "良好");
    assert_string_equal(rating_zh("pass"), "合格");
    assert_string_equal(rating_zh("FAIL"), "不达标");
    assert_string_equal(rating_zh("不达标"), "不达标");
    assert_null(rating_zh("unknown"));
    assert_string_equal(rating_none_zh("not_rated"), "未评级");
    assert_null(rating_none_zh("pass"));
}

/* The label width estimate: counted per character, not per byte (a CJK
 * character is 3 bytes and 1 em), lower case narrower than the rest. */
static void test_text_width(void **state)
{
    (void)state;
    assert_true(fabs(text_width_em("") - 0) < 1e-12);
    assert_true(fabs(text_width_em("ab c") - 4 * 0.52) < 1e-12);
    assert_true(fabs(text_width_em("R01") - 3 * 0.62) < 1e-12);
    assert_true(fabs(text_width_em("再入院") - 3.0) < 1e-12);         /* 9 bytes, 3 em */
    assert_true(fabs(text_width_em("（二次）") - 4.0) < 1e-12);       /* full-width parentheses */
    assert_true(fabs(text_width_em("é") - 0.62) < 1e-12);            /* 2 bytes, one character */
    /* the longest rule label of the report is wider than the 230 units hbars had for every label */
    assert_true(text_width_em("R01 readmission within N days 再入院(二次入院)") * 11 + 10 > 230);
}

/* Largest first, NaN last: sorting with it puts every number before the
 * NaNs and the numbers in descending order (qsort with a comparator that
 * returned "y first" for any NaN pair left them interleaved). */
static int cmp_ix(const void *a, const void *b)
{
    return cmp_desc_nan_last(*(const double *)a, *(const double *)b);
}
static void test_order_nan(void **state)
{
    (void)state;
    assert_int_equal(cmp_desc_nan_last(2, 1), -1);
    assert_int_equal(cmp_desc_nan_last(1, 2), 1);
    assert_int_equal(cmp_desc_nan_last(1, 1), 0);
    assert_int_equal(cmp_desc_nan_last(NAN, 1), 1);
    assert_int_equal(cmp_desc_nan_last(0, NAN), -1);
    assert_int_equal(cmp_desc_nan_last(NAN, NAN), 0);
    double v[37];
    for (int i = 0; i < 37; i++) v[i] = i % 5 == 0 ? 100 : i % 7 == 0 ? 12.5 * (i % 3) : NAN;
    qsort(v, 37, sizeof v[0], cmp_ix);
    int seen_nan = 0;
    for (int i = 0; i < 37; i++) {
        if (isnan(v[i])) { seen_nan = 1; continue; }
        assert_false(seen_nan);                  /* no number after a NaN */
        if (i) assert_true(v[i - 1] >= v[i]);    /* descending */
    }
    assert_true(seen_nan);
}

static void test_e4_titles(void **state)
{
    (void)state;
    char a[64], b[64], c[64];
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        int64_t k = (int64_t)(x % 100000000000ULL) >> (i % 40), r = (int64_t)((x >> 40) % 100);
        int64_t v = 100 * k + r, up = k + (r >= 50);
        assert_string_equal(fmt_e4(a, sizeof a, v, 2), cm_yuan_text(b, sizeof b, up, 1));
        fmt_e4(a, sizeof a, -v, 2);
        snprintf(c, sizeof c, "%s%s", up ? "-" : "", cm_yuan_text(b, sizeof b, up, 1));
        assert_string_equal(a, c);
        /* 4 decimals: exact, "k.rrrr" with separators */
        cm_yuan_text(b, sizeof b, v / 100, 1);   /* the integer part v / 10^4 with separators, then .xx */
        snprintf(c, sizeof c, "%.*s%04lld", (int)(strlen(b) - 2), b, (long long)(v % 10000));
        assert_string_equal(fmt_e4(a, sizeof a, v, 4), c);
    }
    assert_string_equal(fmt_e4(a, sizeof a, 267776861327, 2), "26,777,686.13");
    assert_string_equal(fmt_e4(a, sizeof a, 10000, 4), "1.0000");
    assert_string_equal(fmt_e4(a, sizeof a, 9500, 0), "1");
    assert_string_equal(fmt_e4(a, sizeof a, -49, 2), "0.00");     /* no "-0.00" */
    assert_string_equal(title_unscaled("score × 10^4 分值×10^4", a, sizeof a), "score 分值");
    assert_string_equal(title_unscaled("assessment coefficient × 10^4 考核系数×10^4", a, sizeof a), "assessment coefficient 考核系数");
    assert_string_equal(title_unscaled("paid (yuan) 已拨付", a, sizeof a), "paid (yuan) 已拨付");
    assert_int_equal(title_zh_at("amount due (yuan) 应结算金额"), 18);
    assert_int_equal(title_zh_at("DRG DRG编码"), 4);
    assert_int_equal(title_zh_at("score × x"), strlen("score × x")); /* × is not CJK: no Chinese part */
    assert_int_equal(title_zh_at("月份"), 0);
    assert_string_equal(cm_member_title("balance_fen"), "balance to pay (yuan) 清算应拨付");
    assert_string_equal(cm_member_title("month"), "month 月份");
    assert_null(cm_member_title("no_such_member"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_ticks),
        cmocka_unit_test(test_hist_bin),
        cmocka_unit_test(test_rating),
        cmocka_unit_test(test_text_width),
        cmocka_unit_test(test_order_nan),
        cmocka_unit_test(test_e4_titles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
