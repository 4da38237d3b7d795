/*
 * test_grouper_dip.c - unit tests of the DIP grouper (grouper/grouper.h,
 * gr_dip_*) on the hand-made tables in tests/data/dip-mini/ (README.md
 * there says what each row is for).
 *
 * Every expected group below follows from the rules of domain.md §2 applied
 * by hand to those tables (the comment beside each case says which rule);
 * broken tables for the loader errors are written into a fresh /tmp
 * directory. Run from the repository root (make check does).
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
#include <unistd.h>

#include "../../grouper/grouper.h"

#define MINI "tests/data/dip-mini/"

static gr_dip *load_mini(int with_attr, int with_icd, int with_simple, int with_stats)
{
    gr_dip_options o;
    gr_dip_options_default(&o);
    o.catalogue_csv = MINI "catalogue.csv";
    if (with_stats) o.group_stats_csv = MINI "group_stats.csv";
    if (with_attr) o.proc_attr_csv = MINI "attributes.csv";
    if (with_icd) o.icd10_csv = MINI "icd10.csv";
    if (with_simple) o.simple_procs_csv = MINI "simple_procs.csv";
    gr_dip *d = NULL;
    gr_error err;
    gr_status s = gr_dip_load(&o, &d, &err);
    if (s != GR_OK)
        fail_msg("loading %s failed (%s): %s:%ld [%s] %s; run the test from the repository root",
                 o.catalogue_csv, gr_status_name(s), err.file, err.line, err.field, err.msg);
    return d;
}

/* ------------------------------------------------------------------ */
/* Matching, table-driven                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *what;
    const char *dx, *proc;
    const char *ops[6];      /* NULL-terminated */
    const char *group;
    gr_dip_path path;
    gr_dip_why why;
    gr_attr attr;
    int n_matched, n_on_case, n_tied;
} mcase;

/* The explanation of c (gr_dip_explain) must follow the path gr_dip_assign
 * takes: the same result, a last line "result: PATH CODE ...", the step of
 * that path named with the group, and exactly one step "taken" (none for
 * the blank group, whose step says why). Returns the trace in buf. */
static void check_trace(const gr_dip *d, const gr_case *c, const char *what, char *buf, size_t bufn)
{
    gr_dip_result r1, r2;
    memset(&r1, 0xAB, sizeof r1);
    memset(&r2, 0xCD, sizeof r2);
    gr_dip_assign(d, c, &r1);
    size_t need = gr_dip_explain(d, c, &r2, buf, bufn);
    if (need >= bufn) fail_msg("case '%s': trace of %zu bytes does not fit the test buffer", what, need);
    assert_int_equal(strlen(buf), need);
    assert_int_equal(gr_dip_explain(d, c, NULL, NULL, 0), need);
    if (r1.group != r2.group || r1.path != r2.path || r1.why != r2.why || r1.attr != r2.attr ||
        r1.n_matched != r2.n_matched || r1.n_related_on_case != r2.n_related_on_case || r1.n_tied != r2.n_tied)
        fail_msg("case '%s': gr_dip_explain's result differs from gr_dip_assign's", what);
    const gr_dip_group *g = gr_dip_group_at(d, (size_t)r1.group);
    const char *last = strstr(buf, "\nresult: ");
    if (!last || strstr(last + 1, "\nresult: ")) fail_msg("case '%s': no single result line:\n%s", what, buf);
    char path[32], code[GR_DIP_CODE_MAX];
    if (sscanf(last + 1, "result: %31s %79s", path, code) != 2 ||
        strcmp(path, gr_dip_path_name((gr_dip_path)r1.path)) || strcmp(code, g->published))
        fail_msg("case '%s': trace says '%.60s', gr_dip_assign gives %s %s:\n%s", what, last + 1,
                 gr_dip_path_name((gr_dip_path)r1.path), g->published, buf);
    static const char *const STEP[GR_PATH__COUNT] = {
        "step 1 exact: ", "step 2 most related: ", "step 3 diagnosis + main procedure: ",
        "step 4 diagnosis only", "step 5 comprehensive (综合病种) 类目 ", "step 6 blank group"};
    const char *st = strstr(buf, STEP[r1.path]);
    if (!st) fail_msg("case '%s': the trace lacks '%s':\n%s", what, STEP[r1.path], buf);
    int taken = 0;
    for (const char *q = buf; (q = strstr(q, ", taken")) != NULL; q++) taken++;
    if (taken != (r1.path != GR_PATH_BLANK))
        fail_msg("case '%s': %d steps taken in the trace (path %s):\n%s", what, taken,
                 gr_dip_path_name((gr_dip_path)r1.path), buf);
    if (r1.path != GR_PATH_BLANK) {
        char want[GR_DIP_CODE_MAX + 32];
        snprintf(want, sizeof want, "%s (序号 %d)", g->published, (int)g->seq);
        const char *eol = strchr(st, '\n');
        const char *at = strstr(st, want);
        if (!at || at > eol) fail_msg("case '%s': step line does not name %s:\n%s", what, want, buf);
    }
}

static void run_cases(const gr_dip *d, const mcase *mc, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const mcase *m = &mc[i];
        gr_case c;
        memset(&c, 0, sizeof c);
        c.principal_dx = m->dx;
        c.principal_proc = m->proc;
        c.other_procs = m->ops;
        while (m->ops[c.n_other_procs]) c.n_other_procs++;
        c.sex = c.age_years = c.age_days = c.birth_weight_g = -1;
        gr_dip_result r;
        memset(&r, 0xAB, sizeof r);
        gr_dip_assign(d, &c, &r);
        char tb[16384];
        check_trace(d, &c, m->what, tb, sizeof tb);
        const gr_dip_group *g = gr_dip_group_at(d, (size_t)r.group);
        if (!g) fail_msg("case '%s': group index %d out of range", m->what, r.group);
        if (strcmp(g->code, m->group) != 0 || r.path != m->path || r.why != m->why ||
            r.attr != m->attr || r.n_matched != m->n_matched ||
            r.n_related_on_case != m->n_on_case || r.n_tied != m->n_tied)
            fail_msg("case '%s': got %s %s %s attr %s k=%d n=%d tied=%d; expected %s %s %s "
                     "attr %s k=%d n=%d tied=%d", m->what, g->code,
                     gr_dip_path_name((gr_dip_path)r.path), gr_dip_why_name((gr_dip_why)r.why),
                     gr_attr_name((gr_attr)r.attr), r.n_matched, r.n_related_on_case, r.n_tied,
                     m->group, gr_dip_path_name(m->path), gr_dip_why_name(m->why),
                     gr_attr_name(m->attr), m->n_matched, m->n_on_case, m->n_tied);
    }
}

#define P(x) GR_PATH_##x
#define W(x) GR_WHY_##x
#define A(x) GR_ATTR_##x

static void test_match_paths(void **state)
{
    (void)state;
    gr_dip *d = load_mini(1, 1, 0, 1);
    static const mcase mc[] = {
        /* no procedure: the 亚目's dx-only group */
        { "dx only", "K35.800", "", { NULL }, "K35.8", P(DX_ONLY), W(NO_PROCS), A(NONE), 0, 0, 1 },
        { "dx only, lower case x, blanks", " k35.800x001\t", NULL, { "", " ", NULL },
          "K35.8", P(DX_ONLY), W(NO_PROCS), A(NONE), 0, 0, 1 },
        { "A46.x 亚目", "a46.x00 ", "", { NULL }, "A46.X", P(DX_ONLY), W(NO_PROCS), A(NONE), 0, 0, 1 },
        /* related groups exist for K35.8+47.0100, none is on the case */
        { "dx_main, related not on case", "K35.800", "47.0100", { NULL }, "K35.8:47.0100",
          P(DX_MAIN), W(RELATED_NOT_ON_CASE), A(SS), 0, 0, 1 },
        { "dx_main, other proc unrelated", "K35.800", "47.0100", { "45.2302", NULL },
          "K35.8:47.0100", P(DX_MAIN), W(RELATED_NOT_ON_CASE), A(SS), 0, 1, 1 },
        /* K35.8+47.0900x001 has no related groups; lower case in case and code */
        { "dx_main, no related groups", "K35.800", "47.0900x001 ", { "54.5101", NULL },
          "K35.8:47.0900X001", P(DX_MAIN), W(NO_RELATED_GROUPS), A(SS), 0, 1, 1 },
        /* exact: related set equals the other procedures */
        { "exact 1 of 1", "K35.800", "47.0100", { "54.5101", NULL }, "K35.8:47.0100_54.5101",
          P(EXACT), W(RELATED), A(SS), 1, 1, 1 },
        { "exact 2 of 2, order free", "K35.800", "47.0100", { "99.0400", "54.5101", NULL },
          "K35.8:47.0100_54.5101+99.0400", P(EXACT), W(RELATED), A(SS), 2, 2, 1 },
        { "exact, main repeated among others is ignored", "K35.800", "47.0100",
          { "47.0100", " 54.5101", "47.0100", NULL }, "K35.8:47.0100_54.5101", P(EXACT),
          W(RELATED), A(SS), 1, 1, 1 },
        { "exact, duplicate other (case, blanks) counted once", "K35.800", "47.0100",
          { "54.5101", "54.5101 ", NULL }, "K35.8:47.0100_54.5101", P(EXACT), W(RELATED),
          A(SS), 1, 1, 1 },
        /* empty principal: first non-empty other becomes the main procedure */
        { "empty principal takes the first other", "K35.800", "  ", { "", "47.0100", "54.5101", NULL },
          "K35.8:47.0100_54.5101", P(EXACT), W(RELATED), A(SS), 1, 1, 1 },
        /* most_related: the largest related set wholly on the case */
        { "most_related 2 of 3", "K35.800", "47.0100", { "54.5101", "99.0400", "45.2302", NULL },
          "K35.8:47.0100_54.5101+99.0400", P(MOST_RELATED), W(RELATED), A(SS), 2, 3, 1 },
        /* {88.0100} (序号 13) and {54.5101} (序号 14, earlier in the file) tie */
        { "tie to the lowest 序号", "K35.800", "47.0100", { "54.5101", "88.0100", NULL },
          "K35.8:47.0100_88.0100", P(MOST_RELATED), W(RELATED), A(SS), 1, 2, 2 },
        { "tie with an extra procedure", "K35.800", "47.0100",
          { "45.2302", "88.0100", "54.5101", NULL }, "K35.8:47.0100_88.0100", P(MOST_RELATED),
          W(RELATED), A(SS), 1, 3, 2 },
        /* an unknown other procedure counts on the case, so no exact match */
        { "unknown other blocks exact", "K35.800", "47.0100",
          { "54.5101", "zz.9999", "ZZ.9999 ", NULL }, "K35.8:47.0100_54.5101", P(MOST_RELATED),
          W(RELATED), A(SS), 1, 2, 1 },
        /* comprehensive: 类目 + attribute of the main procedure */
        { "comprehensive SS", "K35.800", "54.5101", { "47.0100", NULL }, "K35:SS",
          P(COMPREHENSIVE), W(NO_CORE_MATCH), A(SS), 0, 1, 1 },
        { "comprehensive ZLXCZ (type 2 row)", "K35.200", "99.0400", { NULL }, "K35:ZLXCZ",
          P(COMPREHENSIVE), W(NO_CORE_MATCH), A(ZLXCZ), 0, 0, 1 },
        { "main proc of a core group under another 亚目", "K35.200", "47.0100", { "54.5101", NULL },
          "K35:SS", P(COMPREHENSIVE), W(NO_CORE_MATCH), A(SS), 0, 1, 1 },
        { "simple procs without a simple list", "K35.800", "99.2900", { "93.9900", NULL },
          "K35:ZLXCZ", P(COMPREHENSIVE), W(NO_CORE_MATCH), A(ZLXCZ), 0, 1, 1 },
        { "no procs, no dx-only group: BSZL", "K35.200", NULL, { NULL }, "K35:BSZL",
          P(COMPREHENSIVE), W(NO_DX_ONLY_GROUP), A(NONE), 0, 0, 1 },
        /* blank */
        { "K35:ZDXCZ not in the catalogue", "K35.800", "88.0100", { NULL }, "KBBZ", P(BLANK),
          W(NO_CATALOGUE_ENTRY), A(ZDXCZ), 0, 0, 1 },
        { "J18:BSZL not in the catalogue", "J18.900", "", { NULL }, "KBBZ", P(BLANK),
          W(NO_CATALOGUE_ENTRY), A(NONE), 0, 0, 1 },
        { "main proc without attribute", "K35.800", "16.0900x992", { NULL }, "KBBZ", P(BLANK),
          W(PROC_ATTRIBUTE_UNKNOWN), A(UNKNOWN), 0, 0, 1 },
        { "dx missing", "  ", "47.0100", { NULL }, "KBBZ", P(BLANK), W(DX_MISSING), A(NONE), 0, 0, 1 },
        { "dx NULL", NULL, NULL, { NULL }, "KBBZ", P(BLANK), W(DX_MISSING), A(NONE), 0, 0, 1 },
        { "dx not on the ICD-10 list", "K35.899", "47.0100", { NULL }, "KBBZ", P(BLANK),
          W(DX_INVALID), A(NONE), 0, 0, 1 },
        { "dx far too long", "K35.800xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
          "", { NULL }, "KBBZ", P(BLANK), W(DX_INVALID), A(NONE), 0, 0, 1 },
    };
    run_cases(d, mc, sizeof mc / sizeof mc[0]);
    gr_dip_free(d);
}

static void test_options_change_paths(void **state)
{
    (void)state;
    /* simple list: a case with only simple procedures may use the dx-only
     * group, but a core group on that main procedure still wins */
    gr_dip *d = load_mini(1, 1, 1, 1);
    static const mcase simple[] = {
        { "only simple procs", "K35.800", "99.2900", { "93.9900", NULL }, "K35.8", P(DX_ONLY),
          W(SIMPLE_PROCS), A(ZLXCZ), 0, 1, 1 },
        { "simple + non-simple", "K35.800", "99.2900", { "45.2302", NULL }, "K35:ZLXCZ",
          P(COMPREHENSIVE), W(NO_CORE_MATCH), A(ZLXCZ), 0, 1, 1 },
        { "core group on a simple main proc wins", "K35.800", "93.9900", { "99.2900", NULL },
          "K35.8:93.9900", P(DX_MAIN), W(NO_RELATED_GROUPS), A(ZLXCZ), 0, 1, 1 },
        { "simple, but no dx-only group", "K35.200", "99.2900", { NULL }, "K35:ZLXCZ",
          P(COMPREHENSIVE), W(NO_CORE_MATCH), A(ZLXCZ), 0, 0, 1 },
    };
    run_cases(d, simple, sizeof simple / sizeof simple[0]);
    gr_dip_free(d);

    /* no ICD-10 list: any diagnosis is accepted; no attribute table: every
     * comprehensive case is blank, core matching is unchanged */
    d = load_mini(0, 0, 0, 0);
    static const mcase bare[] = {
        { "no ICD-10 list", "K35.899", "", { NULL }, "K35.8", P(DX_ONLY), W(NO_PROCS), A(NONE), 0, 0, 1 },
        { "core without attribute table", "K35.899", "47.0100", { "54.5101", NULL },
          "K35.8:47.0100_54.5101", P(EXACT), W(RELATED), A(UNKNOWN), 1, 1, 1 },
        { "comprehensive without attribute table", "K35.800", "54.5101", { NULL }, "KBBZ",
          P(BLANK), W(PROC_ATTRIBUTE_UNKNOWN), A(UNKNOWN), 0, 0, 1 },
        { "BSZL needs no attribute", "K35.200", "", { NULL }, "K35:BSZL", P(COMPREHENSIVE),
          W(NO_DX_ONLY_GROUP), A(NONE), 0, 0, 1 },
        { "short dx has no 亚目", "K35", "", { NULL }, "K35:BSZL", P(COMPREHENSIVE),
          W(NO_DX_ONLY_GROUP), A(NONE), 0, 0, 1 },
    };
    run_cases(d, bare, sizeof bare / sizeof bare[0]);
    gr_dip_free(d);

    /* first_other_as_principal = 0: an empty principal means no procedure */
    gr_dip_options o;
    gr_dip_options_default(&o);
    assert_int_equal(o.first_other_as_principal, 1);
    assert_int_equal(o.tie_rule, GR_TIE_LOWEST_SEQ);
    o.catalogue_csv = MINI "catalogue.csv";
    o.proc_attr_csv = MINI "attributes.csv";
    o.first_other_as_principal = 0;
    gr_error err;
    assert_int_equal(gr_dip_load(&o, &d, &err), GR_OK);
    static const mcase nofirst[] = {
        { "empty principal stays empty", "K35.800", "", { "47.0100", "54.5101", NULL }, "K35.8",
          P(DX_ONLY), W(NO_PROCS), A(NONE), 0, 2, 1 },
    };
    run_cases(d, nofirst, 1);
    gr_dip_free(d);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

static void test_catalogue_loaded(void **state)
{
    (void)state;
    gr_dip *d = load_mini(1, 1, 1, 1);
    /* 11 rows + KBBZ, ascending 序号 */
    static const char *const order[] = {
        "K35.8", "K35.8:47.0100_54.5101+99.0400", "K35.8:47.0100", "K35.8:47.0100_88.0100",
        "K35.8:47.0100_54.5101", "K35.8:47.0900X001", "K35.8:93.9900", "A46.X", "K35:SS",
        "K35:ZLXCZ", "K35:BSZL", "KBBZ"
    };
    static const int32_t seqs[] = { 10, 11, 12, 13, 14, 20, 21, 30, 40, 41, 42, 0 };
    assert_int_equal(gr_dip_ngroups(d), 12);
    for (size_t i = 0; i < 12; i++) {
        const gr_dip_group *g = gr_dip_group_at(d, i);
        assert_string_equal(g->code, order[i]);
        assert_int_equal(g->seq, seqs[i]);
        assert_int_equal(gr_dip_find(d, order[i]), (int32_t)i);
    }
    assert_null(gr_dip_group_at(d, 12));
    assert_int_equal(gr_dip_blank(d), 11);
    assert_int_equal(gr_dip_find(d, " k35.8:47.0900x001 "), 5);
    assert_int_equal(gr_dip_find(d, "a46.x"), 7);
    assert_int_equal(gr_dip_find(d, "K35:ZDXCZ"), -1);
    assert_int_equal(gr_dip_find(d, ""), -1);
    assert_int_equal(gr_dip_find(d, NULL), -1);

    const gr_dip_group *g = gr_dip_group_at(d, 1);
    assert_int_equal(g->type, GR_DIP_CORE);
    assert_string_equal(g->dx, "K35.8");
    assert_string_equal(g->main_proc, "47.0100");
    assert_int_equal(g->n_related, 2);
    assert_string_equal(g->related[0], "54.5101");
    assert_string_equal(g->related[1], "99.0400");
    assert_string_equal(g->name, "急性阑尾炎 | 阑尾切除术 | 腹腔镜下腹腔粘连松解术+\"其他\"注射");
    assert_true(g->score == 1200.0);

    g = gr_dip_group_at(d, 4);   /* the name spans two lines in the file */
    assert_string_equal(g->name, "急性阑尾炎 | 阑尾切除术 | 腹腔镜下腹腔粘连松解术");
    assert_true(g->score == 1100.5);

    g = gr_dip_group_at(d, 0);
    assert_string_equal(g->main_proc, "");
    assert_int_equal(g->n_related, 0);
    assert_string_equal(g->name, "急性阑尾炎");

    g = gr_dip_group_at(d, 9);
    assert_int_equal(g->type, GR_DIP_COMPREHENSIVE);
    assert_int_equal(g->attr, GR_ATTR_ZLXCZ);
    assert_string_equal(g->dx, "K35");
    assert_string_equal(g->main_proc, "");
    assert_string_equal(g->name, "急性阑尾炎 | 治疗性操作");
    assert_int_equal(gr_dip_group_at(d, 10)->attr, GR_ATTR_NONE);

    /* statistics: K35.8 and K35.8:47.0900x001 listed, others NAN / -1 */
    g = gr_dip_group_at(d, 0);
    assert_true(g->stat_mean_fee == 2500.0 && g->stat_region_mean == 5000.0);
    assert_true(g->stat_cv == 0.3 && g->stat_mean_los == 4.5);
    assert_int_equal(g->stat_count, 120);
    assert_int_equal(gr_dip_group_at(d, 5)->stat_count, 80);
    g = gr_dip_group_at(d, 2);
    assert_true(isnan(g->stat_mean_fee) && isnan(g->stat_cv));
    assert_int_equal(g->stat_count, -1);

    /* KBBZ: score from its WEIGHT_SCORE; CP01:SS ignored */
    g = gr_dip_group_at(d, 11);
    assert_int_equal(g->type, GR_DIP_BLANK);
    assert_string_equal(g->dx, "");
    assert_string_equal(g->main_proc, "");
    assert_true(g->score == 777.5);
    assert_int_equal(g->stat_count, 42);
    assert_int_equal(gr_dip_find(d, "CP01:SS"), -1);
    gr_dip_free(d);
}

static void test_blank_score_fallbacks(void **state)
{
    (void)state;
    gr_dip_options o;
    gr_dip_options_default(&o);
    o.catalogue_csv = MINI "catalogue.csv";
    gr_dip *d;
    gr_error err;
    o.blank_score = 321.0;
    assert_int_equal(gr_dip_load(&o, &d, &err), GR_OK);
    assert_true(gr_dip_group_at(d, (size_t)gr_dip_blank(d))->score == 321.0);
    gr_dip_free(d);
    /* mean of the 11 catalogue scores:
     * (1100.5+500+1000+1200+1050+1300+600+400+900+700+450) / 11 = 9200.5 / 11 */
    o.blank_score = 0;
    assert_int_equal(gr_dip_load(&o, &d, &err), GR_OK);
    assert_true(fabs(gr_dip_group_at(d, (size_t)gr_dip_blank(d))->score - 9200.5 / 11) < 1e-9);
    gr_dip_free(d);
}

static void test_code_tables(void **state)
{
    (void)state;
    gr_dip *d = load_mini(1, 1, 1, 0);
    static const char *const attr_codes[] = { "45.2302", "47.0100", "47.0900X001", "54.5101",
                                              "88.0100", "93.9900", "99.0400", "99.2900" };
    static const gr_attr attrs[] = { GR_ATTR_ZDXCZ, GR_ATTR_SS, GR_ATTR_SS, GR_ATTR_SS,
                                     GR_ATTR_ZDXCZ, GR_ATTR_ZLXCZ, GR_ATTR_ZLXCZ, GR_ATTR_ZLXCZ };
    assert_int_equal(gr_dip_n_attr_codes(d), 8);
    for (size_t i = 0; i < 8; i++) {
        gr_attr a = GR_ATTR_UNKNOWN;
        assert_string_equal(gr_dip_attr_code_at(d, i, &a), attr_codes[i]);
        assert_int_equal(a, attrs[i]);
    }
    assert_null(gr_dip_attr_code_at(d, 8, NULL));
    assert_int_equal(gr_dip_attr_of(d, " 47.0900x001"), GR_ATTR_SS);
    assert_int_equal(gr_dip_attr_of(d, "16.0900X992"), GR_ATTR_UNKNOWN);
    assert_int_equal(gr_dip_attr_of(d, ""), GR_ATTR_NONE);
    assert_int_equal(gr_dip_attr_of(d, NULL), GR_ATTR_NONE);

    /* distinct, upper case, sorted: K35.800 is listed twice */
    static const char *const icd[] = { "A46.X00", "J18.900", "K35.200", "K35.800", "K35.800X001" };
    assert_int_equal(gr_dip_n_icd10_codes(d), 5);
    for (size_t i = 0; i < 5; i++) assert_string_equal(gr_dip_icd10_at(d, i), icd[i]);
    assert_null(gr_dip_icd10_at(d, 5));
    gr_dip_free(d);

    d = load_mini(0, 0, 0, 0);
    assert_int_equal(gr_dip_n_attr_codes(d), 0);
    assert_int_equal(gr_dip_n_icd10_codes(d), 0);
    assert_int_equal(gr_dip_attr_of(d, "47.0100"), GR_ATTR_UNKNOWN);
    gr_dip_free(d);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(gr_status_name(GR_OK), "ok");
    assert_string_equal(gr_status_name(GR_ERR_FORMAT), "format");
    assert_string_equal(gr_status_name((gr_status)99), "?");
    assert_string_equal(gr_dip_path_name(GR_PATH_MOST_RELATED), "most_related");
    assert_string_equal(gr_dip_path_name(GR_PATH_BLANK), "blank");
    assert_string_equal(gr_dip_path_name(GR_PATH__COUNT), "?");
    assert_string_equal(gr_dip_why_name(GR_WHY_RELATED_NOT_ON_CASE), "RELATED_NOT_ON_CASE");
    assert_string_equal(gr_dip_why_name(GR_WHY_NO_CATALOGUE_ENTRY), "NO_CATALOGUE_ENTRY");
    assert_string_equal(gr_dip_why_name(GR_WHY__COUNT), "?");
    assert_string_equal(gr_attr_name(GR_ATTR_NONE), "BSZL");
    assert_string_equal(gr_attr_name(GR_ATTR_ZDXCZ), "ZDXCZ");
    assert_string_equal(gr_attr_name((gr_attr)42), "?");
}

/* ------------------------------------------------------------------ */
/* Load errors                                                         */
/* ------------------------------------------------------------------ */

static char g_dir[64];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define HDR "序号,病种编码,病种类型（1.核心病种；2.综合病种）,主诊断代码,主诊断名称,主要操作代码,主要操作名称,其他操作代码,其他操作名称,病种分值\n"
/* two rows, the second with a name over three lines: the next row is line 6 */
#define ROWS "1,K35.8,1,K35.8,急性阑尾炎,,,,,500\n" \
             "2,K35.8:47.0100,1,K35.8,\"急性\n阑尾\n炎\",47.0100,阑尾切除术,,,1000\n"

typedef struct {
    const char *what;
    const char *extra;         /* appended after HDR ROWS (line 6) */
    gr_status status;
    long line;
    const char *field, *text;
} ecase;

static void expect_error(const gr_dip_options *o, gr_status st, const char *file, long line,
                         const char *field, const char *text, const char *what)
{
    gr_dip *d = (gr_dip *)&d;
    gr_error err;
    gr_status s = gr_dip_load(o, &d, &err);
    if (s != st || d != NULL || strcmp(err.file, file) != 0 || err.line != line ||
        strcmp(err.field, field) != 0 || !strstr(err.msg, text))
        fail_msg("%s: got %s %s:%ld [%s] '%s'; expected %s %s:%ld [%s] '...%s...'", what,
                 gr_status_name(s), err.file, err.line, err.field, err.msg, gr_status_name(st),
                 file, line, field, text);
}

static void test_catalogue_errors(void **state)
{
    (void)state;
    static const ecase ec[] = {
        { "duplicate code, other case", "3,k35.8:47.0100,1,K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6,
          "病种编码", "duplicate group code K35.8:47.0100 (first at line 3)" },
        { "duplicate 序号", "2,K35.8:47.0200,1,K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6, "序号",
          "序号 2 is used again (line 3)" },
        { "empty code", "3,,1,K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6, "病种编码", "empty group code" },
        { "core dx not a 亚目", "3,K35:47.0100,1,K35,x,,,,,1\n", GR_ERR_FORMAT, 6, "病种编码",
          "not a 亚目" },
        { "comprehensive dx not a 类目", "3,K35.8:SS,0,K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6,
          "病种编码", "not a 类目" },
        { "bad suffix", "3,K35:XX,2,K35,x,,,,,1\n", GR_ERR_FORMAT, 6, "病种编码", "suffix 'XX'" },
        { "comprehensive without suffix", "3,K35,0,K35,x,,,,,1\n", GR_ERR_FORMAT, 6, "病种编码",
          "lacks ':SS'" },
        { "core typed code looks comprehensive", "3,K35:SS,1,K35,x,,,,,1\n", GR_ERR_FORMAT, 6,
          "病种编码", "not a 亚目" },
        { "core 亚目 with attribute suffix", "3,K35.8:SS,1,K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6,
          "病种编码", "looks comprehensive" },
        { "empty related", "3,K35.8:47.0100_,1,K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6, "病种编码",
          "bad related procedure ''" },
        { "related repeated", "3,K35.8:47.0100_54.5101+54.5101,1,K35.8,x,,,,,1\n",
          GR_ERR_FORMAT, 6, "病种编码", "listed twice" },
        { "related = main", "3,K35.8:47.0100_47.0100,1,K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6,
          "病种编码", "is the main procedure" },
        { "bad type", "3,K35.8:47.0200,3,K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6, "病种类型",
          "'3' is not a group type" },
        { "bad 序号", "x3,K35.8:47.0200,1,K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6, "序号",
          "not a row number" },
        { "negative score", "3,K35.8:47.0200,1,K35.8,x,,,,,-1\n", GR_ERR_FORMAT, 6, "病种分值",
          "not a score" },
        { "dx column disagrees", "3,K35.8:47.0200,1,K35.9,x,,,,,1\n", GR_ERR_FORMAT, 6,
          "主诊断代码", "differs" },
        { "related column disagrees",
          "3,K35.8:47.0200_54.5101,1,K35.8,x,47.0200,,\"54.5101,99.0400\",,1\n", GR_ERR_FORMAT,
          6, "其他操作代码", "differ" },
        { "code too long",
          "3,K35.8:47.0200_11.1111+22.2222+33.3333+44.4444+55.5555+66.6666+77.7777+88.8888"
          "+99.9999+12.3456,1,"
          "K35.8,x,,,,,1\n", GR_ERR_FORMAT, 6, "病种编码", "longer than 79" },
        { "unterminated quote", "3,K35.8:47.0200,1,K35.8,\"x,,,,,1\n", GR_ERR_FORMAT, 6, "",
          "unterminated" },
    };
    gr_dip_options o;
    gr_dip_options_default(&o);
    char text[1024];
    for (size_t i = 0; i < sizeof ec / sizeof ec[0]; i++) {
        snprintf(text, sizeof text, HDR ROWS "%s", ec[i].extra);
        o.catalogue_csv = write_tmp("catalogue.csv", text);
        expect_error(&o, ec[i].status, o.catalogue_csv, ec[i].line, ec[i].field, ec[i].text,
                     ec[i].what);
    }
    /* the good part alone loads, so the errors above come from the extra row */
    snprintf(text, sizeof text, HDR ROWS);
    o.catalogue_csv = write_tmp("catalogue.csv", text);
    gr_dip *d;
    gr_error err;
    assert_int_equal(gr_dip_load(&o, &d, &err), GR_OK);
    assert_int_equal(gr_dip_ngroups(d), 3);
    gr_dip_free(d);

    o.catalogue_csv = write_tmp("catalogue.csv", "序号,病种编码,病种分值\n1,K35.8,1\n");
    expect_error(&o, GR_ERR_FORMAT, o.catalogue_csv, 1, "病种类型", "missing column",
                 "missing type column");
    o.catalogue_csv = write_tmp("catalogue.csv", HDR);
    expect_error(&o, GR_ERR_FORMAT, o.catalogue_csv, 2, "", "no groups", "no rows");
    o.catalogue_csv = write_tmp("catalogue.csv", "");
    expect_error(&o, GR_ERR_FORMAT, o.catalogue_csv, 1, "", "empty file", "empty file");
    o.catalogue_csv = "/nonexistent/catalogue.csv";
    expect_error(&o, GR_ERR_IO, o.catalogue_csv, 0, "", "cannot open", "missing file");
    o.catalogue_csv = NULL;
    expect_error(&o, GR_ERR_ARG, "", 0, "catalogue_csv", "no DIP catalogue", "no catalogue");
}

static void test_table_errors(void **state)
{
    (void)state;
    gr_dip_options o;
    gr_dip_options_default(&o);
    o.catalogue_csv = MINI "catalogue.csv";
    const char *p;

    p = o.proc_attr_csv = write_tmp("attr.csv", "code,attribute\n47.0100,SS\n54.5101,XYZ\n");
    expect_error(&o, GR_ERR_FORMAT, p, 3, "attribute", "unknown attribute 'XYZ'", "bad attribute");
    p = o.proc_attr_csv = write_tmp("attr.csv", "code,attribute\n47.0100,SS\n47.0100,ZLXCZ\n");
    expect_error(&o, GR_ERR_FORMAT, p, 3, "attribute", "listed again", "conflicting attribute");
    p = o.proc_attr_csv = write_tmp("attr.csv", "code,attribute\n47.0100,SS\n47.01 00,SS\n");
    expect_error(&o, GR_ERR_FORMAT, p, 3, "code", "bad procedure code", "blank inside code");
    p = o.proc_attr_csv = write_tmp("attr.csv", "code,kind\n47.0100,SS\n");
    expect_error(&o, GR_ERR_FORMAT, p, 1, "attribute", "missing column", "no attribute column");
    o.proc_attr_csv = write_tmp("attr.csv", "code,attribute\n47.0100,ss\n47.0100,SS\n");
    gr_dip *d;
    gr_error err;
    assert_int_equal(gr_dip_load(&o, &d, &err), GR_OK);   /* same attribute twice is fine */
    assert_int_equal(gr_dip_attr_of(d, "47.0100"), GR_ATTR_SS);
    gr_dip_free(d);
    o.proc_attr_csv = NULL;

    p = o.group_stats_csv = write_tmp("stats.csv", "DIP_CODE,WEIGHT_SCORE,CV\nK35.8,500,abc\n");
    expect_error(&o, GR_ERR_FORMAT, p, 2, "CV", "'abc' is not a number", "bad stats number");
    p = o.group_stats_csv = write_tmp("stats.csv", "DIP_CODE,YEAR,WEIGHT_SCORE\nK35.8,2024,1\n"
                                                   "k35.8,2024,2\n");
    expect_error(&o, GR_ERR_FORMAT, p, 3, "DIP_CODE", "duplicate statistics for K35.8",
                 "duplicate stats");
    p = o.group_stats_csv = write_tmp("stats.csv", "DIP_CODE,SCORE\nK35.8,1\n");
    expect_error(&o, GR_ERR_FORMAT, p, 1, "WEIGHT_SCORE", "missing column", "no WEIGHT_SCORE");
    /* several years: the newest row wins, in any order */
    o.group_stats_csv = write_tmp("stats.csv", "DIP_CODE,YEAR,WEIGHT_SCORE,BILL_COUNT\n"
                                               "KBBZ,2023,10,1\nKBBZ,2024,20,2\nKBBZ,2022,30,3\n");
    assert_int_equal(gr_dip_load(&o, &d, &err), GR_OK);
    const gr_dip_group *b = gr_dip_group_at(d, (size_t)gr_dip_blank(d));
    assert_true(b->score == 20.0);
    assert_int_equal(b->stat_count, 2);
    gr_dip_free(d);
    o.group_stats_csv = NULL;

    p = o.icd10_csv = write_tmp("icd.csv", "name\nK35.800\n");
    expect_error(&o, GR_ERR_FORMAT, p, 1, "code", "missing column", "no ICD-10 column");
    p = o.simple_procs_csv = write_tmp("simple.csv", "code\n99.29:00\n");
    o.icd10_csv = NULL;
    expect_error(&o, GR_ERR_FORMAT, p, 2, "code", "bad procedure code", "bad simple code");
    o.simple_procs_csv = NULL;

    o.tie_rule = (gr_tie_rule)7;
    expect_error(&o, GR_ERR_ARG, "", 0, "tie_rule", "unknown tie rule", "bad tie rule");
    gr_dip_free(NULL);
}

static int make_dir(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/test_grouper_dip.XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    static const char *const names[] = { "catalogue.csv", "attr.csv", "stats.csv", "icd.csv",
                                         "simple.csv" };
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", g_dir, names[i]);
        unlink(path);
    }
    rmdir(g_dir);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The explanation (gr_dip_explain)                                    */
/* ------------------------------------------------------------------ */

static gr_case mk_case(const char *dx, const char *proc, const char *const *ops, int nops)
{
    gr_case c;
    memset(&c, 0, sizeof c);
    c.principal_dx = dx;
    c.principal_proc = proc;
    c.other_procs = ops;
    c.n_other_procs = nops;
    c.sex = c.age_years = c.age_days = c.birth_weight_g = -1;
    return c;
}

/* What a coder reads in the trace, on the hand-made tables. */
static void test_explain_text(void **state)
{
    (void)state;
    gr_dip *d = load_mini(1, 1, 0, 1);
    char buf[16384];
    const char *o1[] = {"54.5101", "88.0100"};
    gr_case c = mk_case(" k35.800 ", "47.0100", o1, 2);
    check_trace(d, &c, "tie", buf, sizeof buf);
    assert_non_null(strstr(buf, "principal diagnosis (主要诊断): ' k35.800 ' -> K35.800 (trimmed, upper-cased)"));
    assert_non_null(strstr(buf, "ICD-10 list (医保版 2.0): K35.800 is on it"));
    assert_non_null(strstr(buf, "main procedure (主要手术及操作): '47.0100' -> 47.0100, attribute SS 相关手术"));
    assert_non_null(strstr(buf, "K35.8:47.0100_88.0100 (序号 13) related {88.0100}: all 1 on the case (of 2): most related so far"));
    assert_non_null(strstr(buf, "K35.8:47.0100_54.5101 (序号 14) related {54.5101}: all 1 on the case (of 2): ties"));
    assert_non_null(strstr(buf, "k35.8:47.0100_54.5101+99.0400 (序号 11) related {54.5101, 99.0400}: 99.0400 is not on the case"));
    assert_non_null(strstr(buf, "step 1 exact: no group"));
    assert_non_null(strstr(buf, "step 2 most related: K35.8:47.0100_88.0100 (序号 13), 1 of 2 related procedures; "
                                "2 groups tie, the lowest 序号 wins, taken"));
    assert_non_null(strstr(buf, "result: most_related K35.8:47.0100_88.0100 (序号 13, core 核心病种), reason RELATED, "
                                "score 1050.0000 (病种分值"));

    /* not on the ICD-10 list; lower case is not the cause */
    c = mk_case("k35.899", "47.0100", NULL, 0);
    check_trace(d, &c, "invalid dx", buf, sizeof buf);
    assert_non_null(strstr(buf, "K35.899 is NOT on it"));
    assert_non_null(strstr(buf, "letter case is not the cause"));
    assert_non_null(strstr(buf, "DX_INVALID"));

    /* empty principal procedure: the first other is the main one */
    const char *o2[] = {"", "47.0100", "47.0100", "zz.9999", "ZZ.9999"};
    c = mk_case("K35.800", "", o2, 5);
    check_trace(d, &c, "first other", buf, sizeof buf);
    assert_non_null(strstr(buf, "the first other procedure is used"));
    assert_non_null(strstr(buf, "[3] 47.0100: the main procedure again, left out"));
    assert_non_null(strstr(buf, "[4] ZZ.9999: counts, but is in no table"));
    assert_non_null(strstr(buf, "[5] ZZ.9999: repeated, counted once"));
    assert_non_null(strstr(buf, "other procedures considered: 1"));

    /* comprehensive, blank for an unknown attribute, missing dx */
    c = mk_case("K35.800", "54.5101", o1, 1);
    check_trace(d, &c, "comprehensive", buf, sizeof buf);
    assert_non_null(strstr(buf, "step 5 comprehensive (综合病种) 类目 K35 + SS: K35:SS (序号 40), taken (NO_CORE_MATCH)"));
    c = mk_case("K35.800", "16.0900x992", NULL, 0);
    check_trace(d, &c, "attribute unknown", buf, sizeof buf);
    assert_non_null(strstr(buf, "attribute UNKNOWN"));
    assert_non_null(strstr(buf, "step 6 blank group: PROC_ATTRIBUTE_UNKNOWN"));
    c = mk_case("", "47.0100", NULL, 0);
    check_trace(d, &c, "no dx", buf, sizeof buf);
    assert_non_null(strstr(buf, "is empty"));
    assert_non_null(strstr(buf, "result: blank KBBZ"));

    /* truncation: like snprintf */
    c = mk_case("K35.800", "47.0100", o1, 2);
    size_t need = gr_dip_explain(d, &c, NULL, buf, sizeof buf);
    char small[24];
    assert_int_equal(gr_dip_explain(d, &c, NULL, small, sizeof small), need);
    assert_int_equal(strlen(small), sizeof small - 1);
    gr_dip_free(d);
}

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* Many cases on the demo tables (config/demo): built around each catalogue
 * group (its 亚目, main and related procedures, some dropped, some added,
 * letter case changed) and at random from the ICD-10 and procedure lists;
 * every trace follows the path gr_dip_assign takes (check_trace). */
static void test_explain_follows_assign(void **state)
{
    (void)state;
    gr_dip_options o;
    gr_dip_options_default(&o);
    o.catalogue_csv = "config/demo/catalogue.csv";
    o.group_stats_csv = "config/demo/group_stats.csv";
    o.proc_attr_csv = "config/demo/proc_attributes.csv";
    o.icd10_csv = "config/demo/icd10.csv";
    gr_dip *d = NULL;
    gr_error err;
    if (gr_dip_load(&o, &d, &err) != GR_OK) fail_msg("%s:%ld %s (run from the repository root)", err.file, err.line, err.msg);
    size_t ng = gr_dip_ngroups(d), nicd = gr_dip_n_icd10_codes(d), nattr = gr_dip_n_attr_codes(d);
    assert_true(ng > 10 && nicd > 10 && nattr > 10);
    uint64_t seed = 20261206;
    char buf[16384], what[64];
    int paths[GR_PATH__COUNT] = {0};
    for (int k = 0; k < 20000; k++) {
        const gr_dip_group *G = gr_dip_group_at(d, rng_next(&seed) % ng);
        char dxb[32] = "", mainb[32] = "", lowb[32];
        const char *ops[8];
        int nops = 0;
        int mode = (int)(rng_next(&seed) % 4);
        if (mode < 3 && G->dx[0]) {
            /* an ICD-10 code of the group's 亚目 / 类目 when there is one */
            size_t L = strlen(G->dx), start = rng_next(&seed) % nicd;
            for (size_t i = 0; i < nicd; i++) {
                const char *code = gr_dip_icd10_at(d, (start + i) % nicd);
                if (strncmp(code, G->dx, L) == 0) { snprintf(dxb, sizeof dxb, "%s", code); break; }
            }
            if (!dxb[0]) snprintf(dxb, sizeof dxb, "%s", G->dx);
            snprintf(mainb, sizeof mainb, "%s", rng_next(&seed) % 5 ? G->main_proc : "");
            for (int a = 0; a < G->n_related && nops < 6; a++)
                if (rng_next(&seed) % 4) ops[nops++] = G->related[a];
        } else {
            snprintf(dxb, sizeof dxb, "%s", rng_next(&seed) % 10 ? gr_dip_icd10_at(d, rng_next(&seed) % nicd) : "Z99.999");
            if (rng_next(&seed) % 4) snprintf(mainb, sizeof mainb, "%s", gr_dip_attr_code_at(d, rng_next(&seed) % nattr, NULL));
        }
        int extra = (int)(rng_next(&seed) % 3);
        for (int e = 0; e < extra && nops < 7; e++) {
            int r = (int)(rng_next(&seed) % 4);
            ops[nops++] = r == 0 ? "99.9999" : r == 1 ? mainb : gr_dip_attr_code_at(d, rng_next(&seed) % nattr, NULL);
        }
        if (nops > 1 && rng_next(&seed) % 5 == 0) ops[nops++] = ops[0];   /* a repeat */
        if (rng_next(&seed) % 6 == 0) {   /* lower case and blanks: same group */
            snprintf(lowb, sizeof lowb, " %s", dxb);
            for (char *p = lowb; *p; p++) if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
            snprintf(dxb, sizeof dxb, "%s", lowb);
        }
        gr_case c = mk_case(dxb, mainb, ops, nops);
        snprintf(what, sizeof what, "demo case %d (%s)", k, dxb);
        check_trace(d, &c, what, buf, sizeof buf);
        gr_dip_result r;
        gr_dip_assign(d, &c, &r);
        paths[r.path]++;
    }
    /* the cases reach every path of the DIP order */
    for (int p = 0; p < GR_PATH__COUNT; p++)
        if (paths[p] == 0) fail_msg("no demo case took the path %s", gr_dip_path_name((gr_dip_path)p));
    gr_dip_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_paths),
        cmocka_unit_test(test_options_change_paths),
        cmocka_unit_test(test_catalogue_loaded),
        cmocka_unit_test(test_blank_score_fallbacks),
        cmocka_unit_test(test_code_tables),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_catalogue_errors),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_explain_text),
        cmocka_unit_test(test_explain_follows_assign),
    };
    return cmocka_run_group_tests_name("grouper_dip", tests, make_dir, remove_dir);
}
