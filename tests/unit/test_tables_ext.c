/*
 * test_tables_ext.c - the published tables beside the grouping tables
 * (grouper/tables_ext.c): DRG weights (gr_drg_load_weights) against the
 * self-made demo CHS-DRG tables in config/demo/drg, and the institution
 * master table (gr_inst_load, gr_level_parse). Each table is written to a
 * temporary file; each error case checks the line and field it names (the
 * lines counted by hand from the text).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../grouper/grouper.h"
#include "test_util.h"

static char g_root[1024];
static char g_dir[1200];     /* config/demo/drg */
static char g_tmp[64];       /* temporary directory */
static gr_drg *g_drg;

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    tu_repo_root(g_root, sizeof g_root, __FILE__, "config/demo/drg");
    snprintf(g_dir, sizeof g_dir, "%sconfig/demo/drg", g_root);
    gr_drg_options o;
    gr_drg_options_default(&o);
    o.dir = g_dir;
    gr_error e;
    if (gr_drg_load(&o, &g_drg, &e) != GR_OK) return -1;
    snprintf(g_tmp, sizeof g_tmp, "/tmp/cm_tables_ext.XXXXXX");
    return mkdtemp(g_tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gr_drg_free(g_drg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* A weights table for every DRG of the demo tables, written independently
 * of the loader: code i gets weight 0.25 + i / 64 (exact in binary), in
 * reverse order, with Chinese headers; extra is appended (rows); skip drops
 * the DRG of that index (-1: none). */
static void weights_file(const char *path, const char *header, int skip, const char *extra)
{
    size_t nd = gr_drg_ndrg(g_drg);
    size_t cap = 64 + nd * 64 + strlen(extra);
    char *t = malloc(cap), *p = t;
    p += sprintf(p, "%s\n", header);
    for (size_t k = nd; k-- > 0;) {
        if ((int)k == skip) continue;
        p += sprintf(p, "%s,名称%zu,%.6f\n", gr_drg_code(g_drg, (int32_t)k), k, 0.25 + (double)k / 64.0);
    }
    strcpy(p, extra);
    write_text(path, t);
    free(t);
}

static void test_weights_good(void **state)
{
    (void)state;
    size_t nd = gr_drg_ndrg(g_drg);
    assert_true(nd > 100);
    double *rw = calloc(nd, sizeof *rw);
    char path[128];
    static const char *const headers[] = {"DRG编码,DRG名称,权重", "分组编码,名称,相对权重",
                                          "DRG组编码,DRG组名称,RW", "drg,name,rw"};
    for (size_t h = 0; h < sizeof headers / sizeof headers[0]; h++) {
        snprintf(path, sizeof path, "%s/w%zu.csv", g_tmp, h);
        weights_file(path, headers[h], -1, "");
        gr_error e;
        memset(&e, 0, sizeof e);
        gr_status st = gr_drg_load_weights(g_drg, path, rw, &e);
        if (st != GR_OK) print_error("%s: %s:%ld %s\n", headers[h], e.file, e.line, e.msg);
        assert_int_equal(st, GR_OK);
        for (size_t k = 0; k < nd; k++) assert_true(rw[k] == 0.25 + (double)k / 64.0);
    }
    free(rw);
}

typedef struct {
    const char *header;
    int skip;
    const char *extra;
    long line;          /* -1: the line after the last DRG row + offset below */
    const char *field;
    const char *msg;
} werr;

static void test_weights_errors(void **state)
{
    (void)state;
    size_t nd = gr_drg_ndrg(g_drg);
    long after = (long)nd + 2;   /* header on line 1, DRG rows on 2..nd+1 */
    char dup[128];
    snprintf(dup, sizeof dup, "%s,again,1.5\n", gr_drg_code(g_drg, 3));
    const werr t[] = {
        {"DRG编码,名称,权重", -1, "ZZ99,unknown,1.0\n", after, "drg", "'ZZ99' is not in the CHS-DRG tables"},
        {"DRG编码,名称,权重", -1, dup, after, "drg", "appears again (first on line"},
        {"DRG编码,名称,权重", 5, "", 0, "rw", "no weight for 1 of the"},
        {"DRG编码,名称,权重", -1, "\n,x,1.0\n", after + 1, "drg", "empty DRG code"},
        {"编码,名称,权重", -1, "", 1, "drg", "missing column drg"},
        {"DRG编码,名称,费率", -1, "", 1, "rw", "missing column rw"},
    };
    double *rw = calloc(nd, sizeof *rw);
    char path[128];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(path, sizeof path, "%s/e%zu.csv", g_tmp, i);
        weights_file(path, t[i].header, t[i].skip, t[i].extra);
        gr_error e;
        memset(&e, 0, sizeof e);
        gr_status st = gr_drg_load_weights(g_drg, path, rw, &e);
        int ok = st == GR_ERR_FORMAT && e.line == t[i].line && strcmp(e.field, t[i].field) == 0 &&
                 strstr(e.msg, t[i].msg) && strcmp(e.file, path) == 0;
        if (!ok)
            print_error("case %zu: got %d line %ld field '%s': %s\n  want line %ld field '%s' '%s'\n", i, st,
                        e.line, e.field, e.msg, t[i].line, t[i].field, t[i].msg);
        assert_true(ok);
        for (size_t k = 0; k < nd; k++) assert_true(rw[k] == 0);
    }
    /* a weight that is not a positive number, each on its own line */
    static const char *const bad[] = {"0", "-1.2", "abc", "", "1.2x", "nan", "inf", "1e9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char extra[64];
        snprintf(extra, sizeof extra, "%s,x,%s\n", gr_drg_code(g_drg, 7), bad[i]);
        snprintf(path, sizeof path, "%s/b%zu.csv", g_tmp, i);
        weights_file(path, "DRG编码,名称,权重", 7, extra);   /* the bad row replaces DRG 7's */
        gr_error e;
        memset(&e, 0, sizeof e);
        gr_status st = gr_drg_load_weights(g_drg, path, rw, &e);
        int ok = st == GR_ERR_FORMAT && e.line == (long)nd + 1 && strcmp(e.field, "rw") == 0 &&
                 strstr(e.msg, "not a positive number");
        if (!ok) print_error("weight '%s': got %d line %ld field '%s': %s\n", bad[i], st, e.line, e.field, e.msg);
        assert_true(ok);
    }
    snprintf(path, sizeof path, "%s/absent.csv", g_tmp);
    gr_error e;
    assert_int_equal(gr_drg_load_weights(g_drg, path, rw, &e), GR_ERR_IO);
    free(rw);
}

/* gr_level_parse: every form built from its parts (numeral, 级, grade,
 * 等, spaces) with the level it stands for, then each of them with one
 * byte changed, inserted or cut: such a string is accepted only if it is
 * itself one of the built forms (with that form's level). */
static const char *const LV_NUM[] = {"1", "2", "3", "一", "二", "三"};
static const char *const LV_GRADE[] = {"", "甲", "乙", "丙", "特"};
#define LV_MAX 800
static char lv_form[LV_MAX][32];
static int lv_level[LV_MAX], lv_n;

static int lv_ref(const char *s)
{
    /* spaces and tabs around do not count */
    char t[40];
    size_t a = 0, b = strlen(s);
    while (s[a] == ' ' || s[a] == '\t') a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
    memcpy(t, s + a, b - a);
    t[b - a] = '\0';
    for (int i = 0; i < lv_n; i++)
        if (strcmp(lv_form[i], t) == 0) return lv_level[i];
    static const char *const none[] = {"未定级", "未评级", "未分级", "无等级", "无"};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        if (strcmp(none[i], t) == 0) return 0;
    return -1;
}

static void test_parse_level(void **state)
{
    (void)state;
    lv_n = 0;
    for (int num = 0; num < 6; num++)
        for (int ji = 0; ji < 2; ji++)
            for (int g = 0; g < 5; g++)
                for (int deng = 0; deng < 2; deng++)
                    for (int sp = 0; sp < 3; sp++) {
                        if (deng && !g) continue;
                        snprintf(lv_form[lv_n], sizeof lv_form[0], "%s%s%s%s%s%s", sp == 1 ? " " : "",
                                 LV_NUM[num], ji ? "级" : "", LV_GRADE[g], deng ? "等" : "",
                                 sp == 2 ? "\t" : "");
                        lv_level[lv_n++] = 1 + num % 3;
                    }
    assert_true(lv_n < LV_MAX);
    for (int i = 0; i < lv_n; i++)
        assert_int_equal(gr_level_parse(lv_form[i], strlen(lv_form[i])), lv_level[i]);
    static const char *const none[] = {"未定级", "未评级", "未分级", "无等级", "无", " 无 "};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        assert_int_equal(gr_level_parse(none[i], strlen(none[i])), 0);
    static const char alpha[] = "0123456 \xe4\xb8\x80\x89\xe7\xba\xa7";
    uint64_t x = 0xC2B2AE3D27D4EB4FULL;
    char buf[40];
    for (int t = 0; t < 200000; t++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        const char *f = lv_form[x % (unsigned)lv_n];
        size_t n = strlen(f), pos = (x >> 20) % (n + 1);
        int op = (int)((x >> 40) % 3);
        char ch = alpha[(x >> 45) % (sizeof alpha - 1)];
        memcpy(buf, f, n + 1);
        if (op == 0 && pos < n) buf[pos] = ch;
        else if (op == 1) { memmove(buf + pos + 1, buf + pos, n - pos + 1); buf[pos] = ch; }
        else if (pos < n) memmove(buf + pos, buf + pos + 1, n - pos);
        int a = gr_level_parse(buf, strlen(buf)), b = lv_ref(buf);
        if (a != b) print_error("level \"%s\": gr_level_parse %d, reference %d\n", buf, a, b);
        assert_int_equal(a, b);
    }
    assert_int_equal(gr_level_parse("三级甲等", strlen("三级甲等")), 3);
    assert_int_equal(gr_level_parse("二乙", strlen("二乙")), 2);
    assert_int_equal(gr_level_parse("4级", strlen("4级")), -1);
    assert_int_equal(gr_level_parse("三级医院", strlen("三级医院")), 3);
    assert_int_equal(gr_level_parse("三级甲等医院", strlen("三级甲等医院")), 3);
    assert_int_equal(gr_level_parse("", 0), -1);
}

static void test_level_parse(void **state)
{
    (void)state;
    static const struct { const char *s; int lv; } t[] = {
        {"1", 1}, {"2", 2}, {"3", 3}, {" 3 ", 3}, {"一级", 1}, {"二级", 2}, {"三级", 3}, {"1级", 1},
        {"三级甲等", 3}, {"二级乙等", 2}, {"三甲", 3}, {"三级医院", 3}, {"一级丙等", 1}, {"三级特等", 3},
        {"0", -1}, {"4", -1}, {"", -1}, {"12", -1}, {"四级", -1}, {"三级甲等x", -1}, {"未定级", 0},
        {"级", -1}, {"3.0", -1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int got = gr_level_parse(t[i].s, strlen(t[i].s));
        if (got != t[i].lv) print_error("'%s': got %d want %d\n", t[i].s, got, t[i].lv);
        assert_int_equal(got, t[i].lv);
    }
}

static void test_inst_good(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/inst.csv", g_tmp);
    write_text(path, "\xEF\xBB\xBF定点医药机构编码,定点医药机构名称,医疗机构等级,地址\r\n"
                     "H0002,\"第二人民医院, 东院\",二级甲等,x\r\n"
                     "H0001,第一人民医院,三级甲等,y\r\n"
                     "\r\n"
                     "H0010,社区卫生服务中心,1,z\r\n");
    gr_inst_table t;
    gr_error e;
    memset(&e, 0, sizeof e);
    gr_status st = gr_inst_load(path, &t, &e);
    if (st != GR_OK) print_error("%s:%ld %s\n", e.file, e.line, e.msg);
    assert_int_equal(st, GR_OK);
    assert_int_equal(t.n, 3);
    const gr_inst *a = gr_inst_find(&t, "H0001"), *b = gr_inst_find(&t, "H0002"), *c = gr_inst_find(&t, "H0010");
    assert_non_null(a); assert_non_null(b); assert_non_null(c);
    assert_null(gr_inst_find(&t, "H0003"));
    assert_null(gr_inst_find(&t, "H000"));
    assert_int_equal(a->level, 3);
    assert_string_equal(a->name, "第一人民医院");
    assert_int_equal(a->line, 3);
    assert_int_equal(b->level, 2);
    assert_string_equal(b->name, "第二人民医院, 东院");
    assert_int_equal(c->level, 1);
    assert_int_equal(c->line, 5);
    gr_inst_table_free(&t);

    /* English headers, no name column: names are "" */
    write_text(path, "institution_id,level\nA,3\nB,2\n");
    assert_int_equal(gr_inst_load(path, &t, &e), GR_OK);
    assert_int_equal(t.n, 2);
    assert_string_equal(gr_inst_find(&t, "B")->name, "");
    gr_inst_table_free(&t);
}

static void test_inst_errors(void **state)
{
    (void)state;
    static const struct { const char *text; long line; const char *field; const char *msg; } t[] = {
        {"定点医药机构编码,医疗机构名称,医院等级\nH1,a,3\nH2,b,2\nH1,c,3\n", 4, "institution_id",
         "H1 appears again (first on line 2)"},
        {"定点医药机构编码,医疗机构名称,医院等级\nH1,a,3\n,b,2\n", 3, "institution_id", "empty institution id"},
        {"定点医药机构编码,医疗机构名称,医院等级\nH1,a,3\nH2,b,四级\n", 3, "level", "'四级' of institution H2"},
        {"定点医药机构编码,医疗机构名称,医院等级\nH1,a,\n", 2, "level", "must give 1, 2 or 3"},
        {"定点医药机构编码,医疗机构名称\nH1,a\n", 1, "level", "missing column level"},
        {"名称,医院等级\na,3\n", 1, "institution_id", "missing column institution_id"},
        {"institution_id,level\n", 2, "", "no institution rows"},
        {"institution_id,level\nH1234567890123456789012345678901,3\n", 2, "institution_id", "longer than 31"},
    };
    char path[128];
    snprintf(path, sizeof path, "%s/inst_err.csv", g_tmp);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        write_text(path, t[i].text);
        gr_inst_table tab;
        gr_error e;
        memset(&e, 0, sizeof e);
        gr_status st = gr_inst_load(path, &tab, &e);
        int ok = st == GR_ERR_FORMAT && e.line == t[i].line && strcmp(e.field, t[i].field) == 0 &&
                 strstr(e.msg, t[i].msg) && tab.n == 0 && tab.e == NULL;
        if (!ok)
            print_error("case %zu: got %d line %ld field '%s': %s\n  want line %ld field '%s' '%s'\n", i, st,
                        e.line, e.field, e.msg, t[i].line, t[i].field, t[i].msg);
        assert_true(ok);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_good),
        cmocka_unit_test(test_weights_errors),
        cmocka_unit_test(test_level_parse),
        cmocka_unit_test(test_parse_level),
        cmocka_unit_test(test_inst_good),
        cmocka_unit_test(test_inst_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
