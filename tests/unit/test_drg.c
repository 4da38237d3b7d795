/*
 * test_drg.c - CHS-DRG grouper on the hand-made table set tests/data/drg-mini
 * (its README.md says why each code is where it is). Every expected group
 * below follows from those tables and RULES.md of the real data set:
 * validation order, pre-MDC, MDCP/MDCZ/MDCM entry, fall-through, each rule
 * op, MCC before CC, exclusion by table, the code cap, the options, the
 * trace, and loader errors on broken copies written to /tmp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../grouper/grouper.h"
#include "test_util.h"

static char g_dir[1024];

static void find_mini(void)
{
    char root[900];
    tu_repo_root(root, sizeof root, __FILE__, "tests/data/drg-mini");
    snprintf(g_dir, sizeof g_dir, "%stests/data/drg-mini", root);
}

static gr_drg *load_opts(int upcase, int strict)
{
    gr_drg_options o;
    gr_drg_options_default(&o);
    o.dir = g_dir;
    o.upcase_codes = upcase;
    o.strict_weight = strict;
    gr_drg *g = NULL;
    gr_error err;
    memset(&err, 0, sizeof err);
    if (gr_drg_load(&o, &g, &err) != GR_OK) fail_msg("%s:%ld [%s] %s", err.file, err.line, err.field, err.msg);
    return g;
}

static int setup(void **state)
{
    *state = load_opts(0, 0);
    return 0;
}

static int teardown(void **state)
{
    gr_drg_free(*state);
    return 0;
}

#include "drg_case.h"

/* Groups and returns "STATUS MDC ADRG DRG cc" in a static buffer. */
static const char *grp(const gr_drg *g, const gr_case *c)
{
    static char out[128];
    gr_drg_result r;
    memset(&r, 0xAB, sizeof r);
    gr_drg_assign(g, c, &r);
    snprintf(out, sizeof out, "%s %s %s %s %d", gr_drg_status_name((gr_drg_status)r.status),
             gr_drg_mdc_code(g, r.mdc), gr_drg_adrg_code(g, r.adrg), gr_drg_code(g, r.drg), r.cc);
    return out;
}

#define ADULT(dx, procs) mk(&t, 1, 50, -1, -1, dx, procs)

/* ------------------------------------------------------------------ */

static void test_load(void **state)
{
    const gr_drg *g = *state;
    assert_int_equal(gr_drg_nmdc(g), 6);
    assert_int_equal(gr_drg_nadrg(g), 15);
    assert_int_equal(gr_drg_ndrg(g), 24);
    /* mdc.csv lists MDCF before MDCB; eval_order puts B first */
    assert_string_equal(gr_drg_mdc_code(g, 4), "MDCB");
    assert_string_equal(gr_drg_mdc_code(g, 5), "MDCF");
    /* drg.csv lists BR15 first; order_in_adrg puts BR11, BR13, BR15 */
    int br11 = -1;
    for (int i = 0; i < (int)gr_drg_ndrg(g); i++)
        if (!strcmp(gr_drg_code(g, i), "BR11")) br11 = i;
    assert_true(br11 >= 0);
    assert_string_equal(gr_drg_code(g, br11 + 1), "BR13");
    assert_string_equal(gr_drg_code(g, br11 + 2), "BR15");
    assert_string_equal(gr_drg_adrg_code(g, gr_drg_adrg_of(g, br11)), "BR1");
    assert_string_equal(gr_drg_name(g, br11), "Stroke with MCC");
    assert_string_equal(gr_drg_name(g, -1), "");
    assert_int_equal(gr_drg_adrg_of(g, -1), -1);
    assert_string_equal(gr_drg_version(g), "CHS-DRG (drg-mini)");
    assert_string_equal(gr_drg_status_name(GR_DRG_CHECK_FAILED), "CHECK_FAILED");
    assert_string_equal(gr_drg_why_name(GR_DRG_WHY_AGE_DAYS), "AGE_DAYS");
    assert_string_equal(gr_drg_why_name((gr_drg_why)99), "?");
}

static void expect_fail(const gr_drg *g, const gr_case *c, gr_drg_why why)
{
    gr_drg_result r;
    gr_drg_assign(g, c, &r);
    assert_int_equal(r.status, GR_DRG_CHECK_FAILED);
    assert_int_equal(r.why, why);
    assert_int_equal(r.drg, -1);
    assert_int_equal(r.adrg, -1);
    assert_int_equal(r.mdc, -1);
}

static void test_validation(void **state)
{
    const gr_drg *g = *state;
    tcase t;
    expect_fail(g, mk(&t, 0, 50, -1, -1, "I63.900", ""), GR_DRG_WHY_SEX);
    expect_fail(g, mk(&t, 3, 50, -1, -1, "I63.900", ""), GR_DRG_WHY_SEX);
    expect_fail(g, mk(&t, -1, -1, -1, -1, "", ""), GR_DRG_WHY_SEX);      /* sex is checked first */
    expect_fail(g, mk(&t, 2, -1, -1, -1, "I63.900", ""), GR_DRG_WHY_AGE);
    expect_fail(g, mk(&t, 2, 0, -1, 3000, "P07.000", ""), GR_DRG_WHY_AGE_DAYS);
    expect_fail(g, mk(&t, 2, 0, 10, -1, "P07.000", ""), GR_DRG_WHY_WEIGHT);
    expect_fail(g, mk(&t, 2, 0, 28, -1, "P07.000", ""), GR_DRG_WHY_WEIGHT);
    expect_fail(g, mk(&t, 1, 50, -1, -1, "", "37.5100"), GR_DRG_WHY_NO_DX);
    gr_case *c = mk(&t, 1, 50, -1, -1, "I63.900", "");
    c->principal_dx = NULL;
    expect_fail(g, c, GR_DRG_WHY_NO_DX);
    /* 29 days: no weight needed (Q4: still MDCP by age_years == 0, ends in PV1) */
    assert_string_equal(grp(g, mk(&t, 2, 0, 29, -1, "P07.000", "")), "OK MDCP PV1 PV15 0");
    /* weight 0 passes validation and fails every band (Q5) */
    assert_string_equal(grp(g, mk(&t, 2, 0, 10, 0, "P07.000", "")), "OK MDCP PV1 PV15 0");
}

static void test_strict_weight(void **state)
{
    (void)state;
    gr_drg *g = load_opts(0, 1);
    tcase t;
    expect_fail(g, mk(&t, 2, 0, 10, 0, "P07.000", ""), GR_DRG_WHY_WEIGHT);
    expect_fail(g, mk(&t, 2, 0, 10, -20, "P07.000", ""), GR_DRG_WHY_WEIGHT);
    assert_string_equal(grp(g, mk(&t, 2, 0, 10, 1200, "P07.000", "")), "OK MDCP PS1 PS15 0");
    gr_drg_free(g);
    /* default: a negative weight is taken as given, like the reference (< 1500) */
    g = load_opts(0, 0);
    assert_string_equal(grp(g, mk(&t, 2, 0, 10, -20, "P07.000", "")), "OK MDCP PS1 PS15 0");
    gr_drg_free(g);
}

static void test_pre_mdc(void **state)
{
    const gr_drg *g = *state;
    tcase t;
    /* first-listed OR procedure in AA1:proc: MDCA whatever the diagnosis */
    assert_string_equal(grp(g, ADULT("I63.900", "37.5100")), "OK MDCA AA1 AA19 0");
    assert_string_equal(grp(g, ADULT("Q99.999", "37.5100")), "OK MDCA AA1 AA19 0");
    /* S4: both lists, any position */
    assert_string_equal(grp(g, ADULT("I63.900", "55.6900|99.0000|52.8000")), "OK MDCA AC1 AC19 0");
    /* only list A: MDCA entered, nothing matches, falls through to MDCB */
    assert_string_equal(grp(g, ADULT("I63.900", "55.6900")), "OK MDCB BR1 BR15 0");
    /* an OR procedure in no MDCA list: on to the dx's MDC */
    assert_string_equal(grp(g, ADULT("I63.900", "54.1100")), "OK MDCB BR1 BR15 0");
    /* only the first-listed procedure opens MDCA (Q2) */
    assert_string_equal(grp(g, ADULT("I63.900", "99.0000|37.5100")), "OK MDCB BR1 BR15 0");
    /* principal_proc empty: other_procs[0] is first-listed */
    gr_case *c = ADULT("I63.900", "");
    const char *others[] = {"37.5100"};
    c->other_procs = others;
    c->n_other_procs = 1;
    assert_string_equal(grp(g, c), "OK MDCA AA1 AA19 0");
}

static void test_newborn(void **state)
{
    const gr_drg *g = *state;
    tcase t;
    assert_string_equal(grp(g, mk(&t, 1, 0, 10, 1200, "P07.000", "")), "OK MDCP PS1 PS15 0");
    assert_string_equal(grp(g, mk(&t, 1, 0, 10, 1499, "P07.000", "")), "OK MDCP PS1 PS15 0");
    assert_string_equal(grp(g, mk(&t, 1, 0, 10, 1500, "P07.000", "")), "OK MDCP PS2 PS29 0");
    /* any_dx: the list code as a secondary diagnosis */
    assert_string_equal(grp(g, mk(&t, 1, 0, 3, 1200, "P22.000|P07.000", "")), "OK MDCP PS1 PS15 0");
    /* S6: principal proc + age_days <= 28 */
    assert_string_equal(grp(g, mk(&t, 1, 0, 28, 3000, "P22.000", "96.7100")), "OK MDCP PB1 PB15 0");
    assert_string_equal(grp(g, mk(&t, 1, 0, 29, 3000, "P22.000", "96.7100")), "OK MDCP PV1 PV15 0");
    /* MCC / CC on a 1-3-5 and a 1-5 ADRG */
    assert_string_equal(grp(g, mk(&t, 1, 0, 10, 1200, "P07.000|J96.000", "")), "OK MDCP PS1 PS11 2");
    assert_string_equal(grp(g, mk(&t, 1, 0, 10, 1200, "P07.000|E11.900", "")), "OK MDCP PS1 PS13 1");
    assert_string_equal(grp(g, mk(&t, 1, 0, 10, 3000, "P22.000|E11.900", "96.7100")), "OK MDCP PB1 PB15 1");
    /* MDCP needs age_years == 0; the code is in no other MDC */
    gr_drg_result r;
    gr_drg_assign(g, mk(&t, 1, 1, -1, -1, "P07.000", ""), &r);
    assert_int_equal(r.status, GR_DRG_UNGROUPABLE);
    assert_int_equal(r.why, GR_DRG_WHY_NO_MDC);
}

static void test_trauma_and_fall_through(void **state)
{
    const gr_drg *g = *state;
    tcase t;
    /* two regions (principal counts): MDCZ, no procedure -> ZZ1 */
    assert_string_equal(grp(g, ADULT("S06.000|S27.000", "")), "OK MDCZ ZZ1 ZZ19 0");
    assert_string_equal(grp(g, ADULT("S27.000|S06.000|S36.000", "99.0000")), "OK MDCZ ZZ1 ZZ19 0");
    /* one region twice: not MDCZ; S06.000 is also in MDCB */
    assert_string_equal(grp(g, ADULT("S06.000|S06.001", "")), "OK MDCB BR1 BR15 0");
    /* secondary trauma codes outside MDCZ add nothing: I21.000 */
    assert_string_equal(grp(g, ADULT("S06.000|I21.000", "")), "OK MDCB BR1 BR15 0");
    /* ZB1 then a 3-5 ADRG: an MCC goes to 3 */
    assert_string_equal(grp(g, ADULT("S06.000|S27.000", "79.3500")), "OK MDCZ ZB1 ZB15 0");
    assert_string_equal(grp(g, ADULT("S06.000|S27.000|J96.000", "79.3500")), "OK MDCZ ZB1 ZB13 2");
    /* Q3: MDCZ entered, first proc not ZB1, a later OR proc defeats ZZ1 -> next MDC (B) */
    assert_string_equal(grp(g, ADULT("S06.000|S27.000", "99.0000|54.1100")), "OK MDCB BR1 BR15 0");
    /* S27.000 principal: in MDCZ only -> ungroupable after falling through */
    gr_drg_result r;
    gr_drg_assign(g, ADULT("S27.000|S06.000", "99.0000|54.1100"), &r);
    assert_int_equal(r.status, GR_DRG_UNGROUPABLE);
    /* in MDCB's list but in no ADRG list of MDCB */
    gr_drg_assign(g, ADULT("G00.000", ""), &r);
    assert_int_equal(r.status, GR_DRG_UNGROUPABLE);
    assert_int_equal(r.why, GR_DRG_WHY_NO_MDC);
    assert_int_equal(r.cc, 0);
    /* unknown principal */
    gr_drg_assign(g, ADULT("XYZ", "37.5200"), &r);
    assert_int_equal(r.status, GR_DRG_UNGROUPABLE);
    assert_string_equal(grp(g, ADULT("XYZ", "")), "UNGROUPABLE 0000 00 0000 0");
}

static void test_sex_mdc(void **state)
{
    const gr_drg *g = *state;
    tcase t;
    assert_string_equal(grp(g, mk(&t, 1, 60, -1, -1, "N40.x00", "")), "OK MDCM MR1 MR19 0");
    assert_string_equal(grp(g, mk(&t, 2, 60, -1, -1, "N40.x00", "")), "UNGROUPABLE 0000 00 0000 0");
}

static void test_rule_ops(void **state)
{
    const gr_drg *g = *state;
    tcase t;
    /* S3: principal dx and principal proc */
    assert_string_equal(grp(g, ADULT("I63.900", "01.2400")), "OK MDCB BB1 BB19 0");
    /* S13 alt 1 (t1), any position */
    assert_string_equal(grp(g, ADULT("I63.900", "38.1200")), "OK MDCB BJ1 BJ19 0");
    assert_string_equal(grp(g, ADULT("I63.900", "99.0000|38.1200")), "OK MDCB BJ1 BJ19 0");
    /* S13 alt 2 (t2 and t3) */
    assert_string_equal(grp(g, ADULT("I63.900", "00.4000|99.0000|39.5000")), "OK MDCB BJ1 BJ19 0");
    assert_string_equal(grp(g, ADULT("I63.900", "39.5000")), "OK MDCB BR1 BR15 0");
    /* S2 */
    assert_string_equal(grp(g, ADULT("I21.000", "36.1000")), "OK MDCF FB1 FB15 0");
    /* S11: any_dx in list and the first-listed procedure is OR */
    assert_string_equal(grp(g, ADULT("I21.000", "01.2400")), "OK MDCF FC1 FC19 0");
    assert_string_equal(grp(g, ADULT("I21.000", "99.0000|01.2400")), "OK MDCF FR1 FR15 0");
    /* S1 */
    assert_string_equal(grp(g, ADULT("I21.000", "")), "OK MDCF FR1 FR15 0");
    /* exact, case-sensitive codes by default */
    assert_string_equal(grp(g, ADULT("i63.900", "")), "UNGROUPABLE 0000 00 0000 0");
    assert_string_equal(grp(g, ADULT("I63.900 ", "")), "UNGROUPABLE 0000 00 0000 0");
}

static void test_cc(void **state)
{
    const gr_drg *g = *state;
    tcase t;
    /* 1-3-5 */
    assert_string_equal(grp(g, ADULT("I63.900|J96.000", "")), "OK MDCB BR1 BR11 2");
    assert_string_equal(grp(g, ADULT("I63.900|E11.900", "")), "OK MDCB BR1 BR13 1");
    /* MCC wins whatever the order */
    assert_string_equal(grp(g, ADULT("I63.900|E11.900|J96.000", "")), "OK MDCB BR1 BR11 2");
    /* I10.x00 (CC, table 3) is excluded by principal I63.900 (table 3) */
    assert_string_equal(grp(g, ADULT("I63.900|I10.x00", "")), "OK MDCB BR1 BR15 0");
    /* same CC is kept for principal I21.000 (table 2): 3-5 */
    assert_string_equal(grp(g, ADULT("I21.000|I10.x00", "")), "OK MDCF FR1 FR13 1");
    /* R57.000 (MCC, table 2) excluded by I21.000: dropped, not made a CC */
    assert_string_equal(grp(g, ADULT("I21.000|R57.000", "")), "OK MDCF FR1 FR15 0");
    assert_string_equal(grp(g, ADULT("I21.000|J96.000", "")), "OK MDCF FR1 FR13 2");
    /* 1-5: a CC alone gives 5 */
    assert_string_equal(grp(g, ADULT("I21.000|E11.900", "36.1000")), "OK MDCF FB1 FB15 1");
    assert_string_equal(grp(g, ADULT("I21.000|J96.000", "36.1000")), "OK MDCF FB1 FB11 2");
    /* only secondaries count: an MCC code as principal gives nothing */
    assert_string_equal(grp(g, ADULT("J96.000|I21.000", "")), "UNGROUPABLE 0000 00 0000 0");
}

static void test_cap(void **state)
{
    const gr_drg *g = *state;
    static char many[4096];
    size_t n = (size_t)snprintf(many, sizeof many, "I63.900");
    /* 1 principal + 62 fillers = 63 codes, so J96.000 is the 64th (kept) */
    for (int i = 0; i < 62; i++) n += (size_t)snprintf(many + n, sizeof many - n, "|Z00.%03d", i);
    tcase t;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s|J96.000", many);
    assert_string_equal(grp(g, ADULT(buf, "")), "OK MDCB BR1 BR11 2");
    /* one more filler: J96.000 is the 65th and ignored */
    snprintf(buf, sizeof buf, "%s|Z99.999|J96.000", many);
    assert_string_equal(grp(g, ADULT(buf, "")), "OK MDCB BR1 BR15 0");
    /* empty strings are skipped, not counted */
    gr_case *c = ADULT("I63.900", "");
    const char *others[] = {"", NULL, "J96.000"};
    c->other_dx = others;
    c->n_other_dx = 3;
    assert_string_equal(grp(g, c), "OK MDCB BR1 BR11 2");
}

static void test_upcase(void **state)
{
    (void)state;
    gr_drg *g = load_opts(1, 0);
    tcase t;
    assert_string_equal(grp(g, ADULT("i63.900|j96.000", "")), "OK MDCB BR1 BR11 2");
    assert_string_equal(grp(g, mk(&t, 1, 60, -1, -1, "n40.X00", "")), "OK MDCM MR1 MR19 0");
    assert_string_equal(grp(g, ADULT("I63.900", "37.5100")), "OK MDCA AA1 AA19 0");
    gr_drg_free(g);
}

static void test_explain(void **state)
{
    const gr_drg *g = *state;
    tcase t;
    char buf[8192];
    size_t need = gr_drg_explain(g, ADULT("I63.900|I10.x00|J96.000", "99.0000"), buf, sizeof buf);
    assert_int_equal(strlen(buf), need);
    assert_non_null(strstr(buf, "dx[0] I63.900 脑梗死 (主要诊断 principal diagnosis)"));
    assert_non_null(strstr(buf, "MDCB Nervous 神经系统: entered"));
    assert_non_null(strstr(buf, "ADRG BR1 Stroke: matched"));
    assert_non_null(strstr(buf, "principal dx I63.900 is in list BR1:dx"));
    assert_non_null(strstr(buf, "principal dx I63.900 has CC-exclusion table (排除表) 3"));
    assert_non_null(strstr(buf, "dx[1] I10.x00 is a CC (并发症/合并症, table 3) but is excluded by the principal's exclusion table (排除表) 3"));
    assert_non_null(strstr(buf, "dx[2] J96.000 is an MCC (严重并发症/合并症, table 1): counts"));
    assert_non_null(strstr(buf, "severity: MCC, from dx[2] J96.000"));
    assert_non_null(strstr(buf, "DRG BR11 (condition mcc): chosen"));
    assert_non_null(strstr(buf, "result: OK MDCB BR1 BR11"));
    assert_non_null(strstr(buf, "MDCA: not entered: first-listed procedure 99.0000 is not an OR procedure"));

    /* fall-through and S13 witnesses */
    gr_drg_explain(g, ADULT("S06.000|S27.000", "99.0000|54.1100"), buf, sizeof buf);
    assert_non_null(strstr(buf, "dx[1] S27.000 is a trauma of region 胸部创伤"));
    assert_non_null(strstr(buf, "MDCZ: no ADRG matched (2 tried); falling through"));
    assert_non_null(strstr(buf, "result: OK MDCB BR1 BR15"));
    gr_drg_explain(g, ADULT("I63.900", "00.4000|99.0000|39.5000"), buf, sizeof buf);
    assert_non_null(strstr(buf, "procedure[2] 39.5000 is in list BJ1:proc_t2"));
    assert_non_null(strstr(buf, "procedure[0] 00.4000 is in list BJ1:proc_t3"));

    /* failures */
    gr_drg_explain(g, mk(&t, 2, 0, 10, -1, "P07.000", ""), buf, sizeof buf);
    assert_non_null(strstr(buf, "birth weight is missing"));
    assert_non_null(strstr(buf, "CHECK_FAILED/WEIGHT"));
    gr_drg_explain(g, mk(&t, 2, 60, -1, -1, "N40.x00", ""), buf, sizeof buf);
    assert_non_null(strstr(buf, "MDCM: not entered: principal dx is in its list but sex is 2, it needs 1"));
    assert_non_null(strstr(buf, "result: UNGROUPABLE"));
    gr_drg_explain(g, ADULT("XYZ", ""), buf, sizeof buf);
    assert_non_null(strstr(buf, "XYZ (主要诊断 principal diagnosis; not in any table: matches nothing)"));
    assert_non_null(strstr(buf, "principal dx XYZ is in no MDC list"));
    assert_null(strstr(buf, "hint:"));   /* upper case: the letter case is not the cause */
    /* a lower-case code that matches nothing points at drg.upcase_codes ... */
    gr_drg_explain(g, ADULT("i63.900", ""), buf, sizeof buf);
    assert_non_null(strstr(buf, "hint: i63.900 has lower-case letters"));
    assert_non_null(strstr(buf, "drg.upcase_codes = true"));
    /* ... and with the option on the code matches and there is no hint */
    gr_drg *up = load_opts(1, 0);
    gr_drg_explain(up, ADULT("i63.900", ""), buf, sizeof buf);
    assert_null(strstr(buf, "hint:"));
    assert_non_null(strstr(buf, "(主要诊断 principal diagnosis)\n"));
    gr_drg_free(up);

    /* size query and truncation */
    need = gr_drg_explain(g, ADULT("I63.900", ""), buf, sizeof buf);
    assert_int_equal(gr_drg_explain(g, ADULT("I63.900", ""), NULL, 0), need);
    char small[16];
    assert_int_equal(gr_drg_explain(g, ADULT("I63.900", ""), small, sizeof small), need);
    assert_int_equal(strlen(small), sizeof small - 1);
}

/* ---- loader errors ---------------------------------------------------- */

/* Copies drg-mini to a fresh /tmp folder, replacing file `name` by `text`
 * (NULL: delete it). Returns the folder in dir. */
static void broken_copy(const char *name, const char *text, char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/drg_mini_XXXXXX");
    assert_non_null(mkdtemp(dir));
    DIR *d = opendir(g_dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char src[2048], dst[2048];
        snprintf(src, sizeof src, "%s/%s", g_dir, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", dir, e->d_name);
        int repl = strcmp(e->d_name, name) == 0;
        if (repl && !text) continue;
        FILE *out = fopen(dst, "wb");
        assert_non_null(out);
        if (repl) {
            fputs(text, out);
        } else {
            FILE *in = fopen(src, "rb");
            assert_non_null(in);
            char b[4096];
            size_t k;
            while ((k = fread(b, 1, sizeof b, in)) > 0) fwrite(b, 1, k, out);
            fclose(in);
        }
        fclose(out);
    }
    closedir(d);
}

static void expect_load_error(const char *name, const char *text, gr_status want, const char *file, long line,
                              const char *field, const char *msg_part)
{
    char dir[64];
    broken_copy(name, text, dir, sizeof dir);
    gr_drg_options o;
    gr_drg_options_default(&o);
    o.dir = dir;
    gr_drg *g = NULL;
    gr_error err;
    memset(&err, 0, sizeof err);
    gr_status st = gr_drg_load(&o, &g, &err);
    tu_rm_rf(dir);
    if (st != want || !strstr(err.file, file) || err.line != line || strcmp(err.field, field) != 0 ||
        !strstr(err.msg, msg_part))
        fail_msg("%s: got status %d %s:%ld [%s] %s; want %d %s:%ld [%s] ...%s...", name, (int)st, err.file, err.line,
                 err.field, err.msg, (int)want, file, line, field, msg_part);
    assert_null(g);
}

static void test_load_errors(void **state)
{
    (void)state;
    expect_load_error("adrg_rule.csv",
                      "adrg,alt,seq,field,op,operand\nAA1,1,1,principal_proc,in,AA1:proc\nAC1,1,1,any_proc,in,AC1:nope\n",
                      GR_ERR_FORMAT, "adrg_rule.csv", 3, "operand", "'AC1:nope' is not in adrg_list.csv");
    expect_load_error("adrg_rule.csv", "adrg,alt,seq,field,op,operand\nAA1,1,1,main_proc,in,AA1:proc\n",
                      GR_ERR_FORMAT, "adrg_rule.csv", 2, "field", "unknown field 'main_proc'");
    expect_load_error("adrg_rule.csv", "adrg,alt,seq,field,op,operand\nAA1,1,1,age_days,in,AA1:proc\n",
                      GR_ERR_FORMAT, "adrg_rule.csv", 2, "op", "takes op le");
    expect_load_error("adrg_rule.csv",
                      "adrg,alt,seq,field,op,operand\nAA1,1,1,principal_proc,in,AA1:proc\nAA1,2,1,always,,\n",
                      GR_ERR_FORMAT, "adrg_rule.csv", 3, "seq", "duplicate row");
    /* every other ADRG now lacks a rule: the first in evaluation order is named */
    expect_load_error("adrg_rule.csv", "adrg,alt,seq,field,op,operand\nAA1,1,1,principal_proc,in,AA1:proc\n",
                      GR_ERR_FORMAT, "adrg.csv", 3, "adrg", "AC1 has no rule");
    expect_load_error("adrg_list.csv", "list_id,code\nAA1:proc,37.5100\nAA1:proc,37.5100\n", GR_ERR_FORMAT,
                      "adrg_list.csv", 3, "code", "duplicate row");
    expect_load_error("mdc_dx.csv", "dx_code,mdc,trauma_region\nI63.900,MDCB,\nI21.000,MDCQ,\n", GR_ERR_FORMAT,
                      "mdc_dx.csv", 3, "mdc", "'MDCQ' is not in mdc.csv");
    expect_load_error("mdc_dx.csv", "dx_code,mdc,trauma_region\nS06.000,MDCZ,头颈部创伤\nS06.000,MDCB,胸部创伤\n",
                      GR_ERR_FORMAT, "mdc_dx.csv", 3, "trauma_region", "another trauma region");
    expect_load_error("cc_exclusion.csv", "principal_dx,exclusion_table\nI21.000,2\nI21.000,3\n", GR_ERR_FORMAT,
                      "cc_exclusion.csv", 3, "principal_dx", "duplicate row");
    expect_load_error("cc.csv", "code\nI10.x00\n", GR_ERR_FORMAT, "cc.csv", 1, "exclusion_table",
                      "missing column 'exclusion_table'");
    expect_load_error("mcc.csv", "code,exclusion_table\nJ96.000,1,9\n", GR_ERR_FORMAT, "mcc.csv", 2, "",
                      "row has 3 fields");
    /* drg.csv: FR15 removed -> FR1's last DRG is mcc_or_cc */
    {
        char path[1100];
        snprintf(path, sizeof path, "%s/drg.csv", g_dir);
        FILE *in = fopen(path, "rb");
        assert_non_null(in);
        char text[8192] = "", line[512];
        long ln = 0, fr13 = 0;
        while (fgets(line, sizeof line, in)) {
            if (strncmp(line, "FR15,", 5) == 0) continue;
            ln++;
            if (strncmp(line, "FR13,", 5) == 0) fr13 = ln;
            strcat(text, line);
        }
        fclose(in);
        expect_load_error("drg.csv", text, GR_ERR_FORMAT, "drg.csv", fr13, "condition",
                          "last DRG of ADRG FR1 but its condition is not 'always'");
    }
    expect_load_error("drg.csv", "drg,adrg,suffix,name,order_in_adrg,condition\nAA19,AA1,9,x,1,always\n",
                      GR_ERR_FORMAT, "adrg.csv", 3, "adrg", "AC1 has no DRG");
    expect_load_error("drg.csv", "drg,adrg,suffix,name,order_in_adrg,condition\nAA19,AA1,9,x,1,always\nAA19,AA1,9,x,2,always\n",
                      GR_ERR_FORMAT, "drg.csv", 3, "drg", "duplicate row: DRG AA19");
    expect_load_error("drg.csv", "drg,adrg,suffix,name,order_in_adrg,condition\nXX19,XX1,9,x,1,always\n",
                      GR_ERR_FORMAT, "drg.csv", 2, "adrg", "'XX1' is not in adrg.csv");
    expect_load_error("drg.csv", "drg,adrg,suffix,name,order_in_adrg,condition\nAA19,AA1,9,x,1,cc\n",
                      GR_ERR_FORMAT, "drg.csv", 2, "condition", "unknown condition 'cc'");
    expect_load_error("mdc.csv",
                      "mdc,name,eval_order,entry_rule,n_adrg\nMDCA,a,1,principal_proc_in_OR,2\nMDCP,p,2,principal_dx_in_mdc_dx,4\n"
                      "MDCZ,z,3,principal_dx_in_mdc_dx,2\nMDCM,m,4,principal_dx_in_mdc_dx,1\n"
                      "MDCB,b,5,principal_dx_in_mdc_dx,3\nMDCF,f,6,principal_dx_in_mdc_dx,2\n",
                      GR_ERR_FORMAT, "mdc.csv", 7, "n_adrg", "MDCF declares 2 ADRGs but adrg.csv has 3");
    expect_load_error("mdc.csv", "mdc,name,eval_order,entry_rule\nMDCA,a,1,by_magic\n", GR_ERR_FORMAT, "mdc.csv",
                      2, "entry_rule", "unknown entry_rule 'by_magic'");
    expect_load_error("mdc.csv", "mdc,name,eval_order,entry_rule\nMDCA,a,1,principal_proc_in_OR\nMDCB,b,1,principal_dx_in_mdc_dx\n",
                      GR_ERR_FORMAT, "mdc.csv", 3, "eval_order", "already used by MDCA");
    expect_load_error("mdc.csv", NULL, GR_ERR_IO, "mdc.csv", 0, "", "cannot open");
    expect_load_error("adrg.csv", "adrg,mdc,name,order_in_mdc\nAA1,MDCA,x,1\nAC1,MDCA,y,1\n", GR_ERR_FORMAT,
                      "adrg.csv", 3, "order_in_mdc", "same order_in_mdc");
    /* missing name tables are fine */
    {
        char dir[64];
        broken_copy("icd10_dx.csv", NULL, dir, sizeof dir);
        gr_drg_options o;
        gr_drg_options_default(&o);
        o.dir = dir;
        gr_drg *g = NULL;
        gr_error err;
        gr_status st = gr_drg_load(&o, &g, &err);
        tu_rm_rf(dir);
        assert_int_equal(st, GR_OK);
        gr_drg_free(g);
    }
    /* no folder */
    gr_drg_options o;
    gr_drg_options_default(&o);
    gr_drg *g = (gr_drg *)&o;
    gr_error err;
    assert_int_equal(gr_drg_load(&o, &g, &err), GR_ERR_ARG);
    assert_null(g);
    assert_string_equal(err.field, "dir");
    gr_drg_free(NULL);
}

int main(void)
{
    find_mini();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test(test_strict_weight),
        cmocka_unit_test_setup_teardown(test_pre_mdc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newborn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trauma_and_fall_through, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sex_mdc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rule_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
        cmocka_unit_test(test_upcase),
        cmocka_unit_test_setup_teardown(test_explain, setup, teardown),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
