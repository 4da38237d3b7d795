/*
 * test_drg_demo.c - the self-made demo DRG tables config/demo/drg against
 * the demo's own code lists (config/demo/icd10.csv, proc_attributes.csv).
 *
 * The expectations come from the design in config/demo/drg/README.md, which
 * follows the clinical classification of CHS-DRG 1.1 (MDC by organ system,
 * medical ADRG by disease group, surgical / non-OR ADRG by procedure):
 * - EXPECT below is that design as a longest-prefix table of the diagnosis
 *   codes; every code of icd10.csv must group, as principal with no
 *   procedure, into the MDC and medical ADRG it names (or be listed in
 *   UNGROUPABLE with the reason), with no complication suffix;
 * - SURG lists one case per procedure of the demo that has an ADRG, and the
 *   test checks that every SS procedure of proc_attributes.csv has one;
 * - CC/MCC cases follow the suffix rules of RULES.md §4 on the tables'
 *   exclusion groups (README.md: which codes are MCC / CC, and why);
 * - the last test checks that the cases of this file reach every ADRG, so
 *   the tables hold no dead ADRG.
 * Paths come from __FILE__ (or the binary's location), like test_drg.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../../grouper/grouper.h"
#include "test_util.h"

static char g_root[1024];   /* repository root, with a trailing '/' (or "") */
static char g_dir[1200];    /* config/demo/drg */
static gr_drg *g_drg;
static unsigned char g_hit[512];   /* ADRGs reached by the cases of this file */

static void find_root(void)
{
    tu_repo_root(g_root, sizeof g_root, __FILE__, "config/demo/drg");
    snprintf(g_dir, sizeof g_dir, "%sconfig/demo/drg", g_root);
}

static int setup(void **state)
{
    (void)state;
    gr_drg_options o;
    gr_drg_options_default(&o);
    o.dir = g_dir;
    gr_error err;
    memset(&err, 0, sizeof err);
    if (gr_drg_load(&o, &g_drg, &err) != GR_OK) {
        fprintf(stderr, "%s:%ld [%s] %s\n", err.file, err.line, err.field, err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gr_drg_free(g_drg);
    return 0;
}

/* ------------------------------------------------------------------ */
/* cases                                                               */
/* ------------------------------------------------------------------ */

#include "drg_case.h"

/* Groups and returns "STATUS MDC ADRG DRG cc" in a static buffer; counts
 * the ADRG as reached. */
static const char *grp(const gr_case *c)
{
    static char out[128];
    gr_drg_result r;
    memset(&r, 0xAB, sizeof r);
    gr_drg_assign(g_drg, c, &r);
    if (r.status == GR_DRG_OK && r.adrg >= 0 && (size_t)r.adrg < sizeof g_hit) g_hit[r.adrg] = 1;
    snprintf(out, sizeof out, "%s %s %s %s %d", gr_drg_status_name((gr_drg_status)r.status),
             gr_drg_mdc_code(g_drg, r.mdc), gr_drg_adrg_code(g_drg, r.adrg), gr_drg_code(g_drg, r.drg), r.cc);
    return out;
}

#define ADULT(sex, dx, procs) grp(mk(&t, sex, 50, -1, -1, dx, procs))
#define NEWBORN(days, weight, dx) grp(mk(&t, 1, 0, days, weight, dx, ""))

/* ------------------------------------------------------------------ */
/* the design (README.md)                                              */
/* ------------------------------------------------------------------ */

/* Diagnosis prefix -> MDC and medical ADRG; the longest prefix wins. */
static const struct {
    const char *prefix, *mdc, *adrg;
} EXPECT[] = {
    {"A09.9", "MDCG", "GW1"},
    {"B18.1", "MDCH", "HS3"},
    {"C16", "MDCG", "GR1"}, {"C18", "MDCG", "GR1"}, {"C22", "MDCH", "HR1"},
    {"C34", "MDCE", "ER1"}, {"C50", "MDCJ", "JR1"}, {"C53", "MDCN", "NR1"},
    {"C61", "MDCM", "MR1"},
    {"D25", "MDCN", "NZ1"}, {"D64", "MDCQ", "QS4"},
    {"E03", "MDCK", "KT1"},
    {"E11.2", "MDCL", "LV1"},      /* diabetic kidney disease */
    {"E11.4", "MDCB", "BX2"},      /* diabetic neuropathy */
    {"E11.5", "MDCK", "KZ1"},
    {"E11.600", "MDCK", "KS1"},    /* the parent code: diabetes */
    {"E11.600x", "MDCJ", "JS1"},   /* diabetic skin disease */
    {"E11.9", "MDCK", "KS1"},
    {"E66", "MDCK", "KZ1"}, {"E78", "MDCK", "KV1"}, {"E87", "MDCK", "KZ1"},
    {"F32", "MDCT", "TS1"},
    {"G40", "MDCB", "BV1"}, {"G45.900", "MDCB", "BR2"}, {"G45.901", "MDCB", "BZ1"},
    {"H25", "MDCC", "CW1"}, {"H26", "MDCC", "CW1"}, {"H40", "MDCC", "CV1"}, {"H40.102", "MDCC", "CZ1"},
    {"I10", "MDCF", "FV2"}, {"I11", "MDCF", "FV2"}, {"I20", "MDCF", "FR3"}, {"I21", "MDCF", "FR1"},
    {"I25", "MDCF", "FR4"}, {"I25.104", "MDCF", "FU2"}, {"I48", "MDCF", "FU2"}, {"I50", "MDCF", "FR2"},
    {"I63", "MDCB", "BR2"}, {"I63.301", "MDCB", "BZ1"}, {"I63.802", "MDCB", "BZ1"},
    {"I67", "MDCB", "BR2"}, {"I67.800", "MDCB", "BZ1"}, {"I67.800x005", "MDCB", "BR2"},
    {"I69", "MDCB", "BZ1"},
    {"J06", "MDCD", "DT1"}, {"J18", "MDCE", "ES3"}, {"J20", "MDCE", "EX2"}, {"J44", "MDCE", "ET2"},
    {"J45", "MDCE", "EX1"}, {"J96", "MDCE", "ER3"}, {"J98", "MDCE", "EZ1"}, {"J98.400x008", "MDCE", "ER1"},
    {"K21", "MDCG", "GW1"}, {"K25", "MDCG", "GU2"}, {"K29", "MDCG", "GW1"}, {"K35", "MDCG", "GZ1"},
    {"K52", "MDCG", "GW1"}, {"K52.901", "MDCG", "GT1"}, {"K56", "MDCG", "GV1"}, {"K57", "MDCG", "GW1"},
    {"K59", "MDCG", "GZ1"},
    {"K74", "MDCH", "HS2"}, {"K76", "MDCH", "HZ1"}, {"K80", "MDCH", "HU1"}, {"K80.101", "MDCH", "HZ2"},
    {"K81.0", "MDCH", "HU1"}, {"K81.1", "MDCH", "HZ2"}, {"K85", "MDCH", "HT2"}, {"K85.902", "MDCH", "HT1"},
    {"L03", "MDCJ", "JS1"}, {"L03.101", "MDCJ", "JU1"}, {"L03.102", "MDCJ", "JZ1"},
    {"M17", "MDCI", "IU1"}, {"M51", "MDCI", "IU2"}, {"M81", "MDCI", "IU1"},
    {"N18", "MDCL", "LR1"}, {"N20", "MDCL", "LX1"}, {"N39", "MDCL", "LU1"}, {"N40", "MDCM", "MZ1"},
    {"N80", "MDCN", "NZ1"},
    {"O34", "MDCO", "OZ1"}, {"O36", "MDCO", "OZ1"}, {"O70", "MDCO", "OZ1"}, {"O80", "MDCO", "OR1"},
    {"O82", "MDCO", "OZ1"},
    {"P07", "MDCP", "PS4"},        /* at the 3000 g used below */
    {"P22", "MDCP", "PR1"}, {"P59", "MDCP", "PU1"},
    {"R42", "MDCB", "BZ1"}, {"R50", "MDCS", "ST1"},
    {"S06", "MDCB", "BY1"}, {"S32", "MDCI", "IU2"}, {"S52", "MDCI", "IS1"}, {"S72", "MDCI", "IR2"},
    {"S82", "MDCI", "IS2"},
    {"Z34", "MDCO", "OZ1"}, {"Z51.0", "MDCR", "RV1"}, {"Z51.000x013", "MDCR", "RW2"},
    {"Z51.1", "MDCR", "RU1"}, {"Z51.100x004", "MDCR", "RW2"},
};

/* Codes of icd10.csv left ungroupable on purpose. */
static const struct {
    const char *code, *why;
} UNGROUPABLE[] = {
    {"A09.900", "parent code that no CHS-DRG 1.1 list knows (as in reality); in the demo only ever "
                "a secondary diagnosis, so it shows the 0000 path without costing demo cases"},
};

static int expect_of(const char *code)
{
    int best = -1;
    size_t bl = 0;
    for (size_t i = 0; i < sizeof EXPECT / sizeof EXPECT[0]; i++) {
        size_t l = strlen(EXPECT[i].prefix);
        if (l > bl && strncmp(code, EXPECT[i].prefix, l) == 0) {
            best = (int)i;
            bl = l;
        }
    }
    return best;
}

static const char *ungroupable_why(const char *code)
{
    for (size_t i = 0; i < sizeof UNGROUPABLE / sizeof UNGROUPABLE[0]; i++)
        if (strcmp(code, UNGROUPABLE[i].code) == 0) return UNGROUPABLE[i].why;
    return NULL;
}

/* Reads column 0 of a demo CSV (header skipped) into codes[]; attr (may be
 * NULL) gets column 1. Returns the count. */
static int read_col(const char *rel, char codes[][32], char attr[][16], int max)
{
    char path[1400];
    snprintf(path, sizeof path, "%s%s", g_root, rel);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("%s: cannot open (run from the repository root or keep the build layout)", path);
    char line[512];
    int n = 0;
    for (int ln = 1; fgets(line, sizeof line, f); ln++) {
        line[strcspn(line, "\r\n")] = '\0';
        if (ln == 1 || !*line) continue;
        if (n == max) fail_msg("%s: more than %d rows; raise the test's limit", path, max);
        char *comma = strchr(line, ',');
        if (comma) *comma = '\0';
        snprintf(codes[n], 32, "%s", line);
        if (attr) {
            char *a = comma ? comma + 1 : (char *)"";
            char *c2 = strchr(a, ',');
            if (c2) *c2 = '\0';
            snprintf(attr[n], 16, "%s", a);
        }
        n++;
    }
    fclose(f);
    return n;
}

/* ------------------------------------------------------------------ */
/* tests                                                               */
/* ------------------------------------------------------------------ */

static int find_drg(const char *code)
{
    for (size_t i = 0; i < gr_drg_ndrg(g_drg); i++)
        if (strcmp(gr_drg_code(g_drg, (int32_t)i), code) == 0) return (int)i;
    return -1;
}

static void test_counts(void **state)
{
    (void)state;
    const gr_drg *g = g_drg;
    assert_int_equal(gr_drg_nmdc(g), 20);
    assert_int_equal(gr_drg_nadrg(g), 110);
    assert_int_equal(gr_drg_ndrg(g), 202);
    /* evaluation order: pre-MDC P and Z, then M N B C D E F G H I J K L O Q R S T */
    static const char *const order[] = {"MDCP", "MDCZ", "MDCM", "MDCN", "MDCB", "MDCC", "MDCD",
                                        "MDCE", "MDCF", "MDCG", "MDCH", "MDCI", "MDCJ", "MDCK",
                                        "MDCL", "MDCO", "MDCQ", "MDCR", "MDCS", "MDCT"};
    for (int i = 0; i < 20; i++) assert_string_equal(gr_drg_mdc_code(g, i), order[i]);
    /* every ADRG has one of the CHS-DRG suffix patterns; all four occur */
    int seen[4] = {0, 0, 0, 0};
    static const char *const pats[4] = {"135", "35", "15", "9"};
    size_t d = 0;
    for (size_t a = 0; a < gr_drg_nadrg(g); a++) {
        char pat[8] = "";
        size_t np = 0;
        while (d < gr_drg_ndrg(g) && gr_drg_adrg_of(g, (int32_t)d) == (int32_t)a) {
            const char *code = gr_drg_code(g, (int32_t)d);
            assert_int_equal(strncmp(code, gr_drg_adrg_code(g, (int32_t)a), 3), 0);
            if (np < sizeof pat - 1) pat[np++] = code[3];
            d++;
        }
        pat[np] = '\0';
        int k = 0;
        while (k < 4 && strcmp(pat, pats[k]) != 0) k++;
        if (k == 4) fail_msg("ADRG %s has suffixes '%s'; use 1-3-5, 3-5, 1-5 or 9",
                             gr_drg_adrg_code(g, (int32_t)a), pat);
        seen[k]++;
    }
    assert_int_equal(d, gr_drg_ndrg(g));
    for (int k = 0; k < 4; k++) assert_true(seen[k] > 0);
    int es31 = find_drg("ES31");
    assert_true(es31 >= 0);
    assert_string_equal(gr_drg_name(g, es31), "呼吸系统感染/炎症，伴严重并发症或合并症");
}

/* Every demo diagnosis alone groups into its MDC and medical ADRG. */
static void test_every_code(void **state)
{
    (void)state;
    static char codes[1024][32];
    int n = read_col("config/demo/icd10.csv", codes, NULL, 1024);
    assert_true(n > 300);
    int grouped = 0, skipped = 0;
    for (int i = 0; i < n; i++) {
        const char *c = codes[i];
        tcase t;
        gr_drg_result r;
        const char *why = ungroupable_why(c);
        if (why) {
            gr_drg_assign(g_drg, mk(&t, 1, 50, -1, -1, c, ""), &r);
            if (r.status != GR_DRG_UNGROUPABLE || r.why != GR_DRG_WHY_NO_MDC)
                fail_msg("%s is listed as ungroupable (%s) but grouped to %s", c, why, gr_drg_code(g_drg, r.drg));
            skipped++;
            continue;
        }
        int e = expect_of(c);
        if (e < 0) fail_msg("config/demo/icd10.csv: %s has no EXPECT prefix; add its MDC and ADRG to the test "
                            "and to config/demo/drg", c);
        const char *mdc = EXPECT[e].mdc;
        int newborn = strcmp(mdc, "MDCP") == 0;
        int sexes[2] = {1, 2}, nsex = 2;
        if (strcmp(mdc, "MDCM") == 0) nsex = 1;
        if (strcmp(mdc, "MDCN") == 0 || strcmp(mdc, "MDCO") == 0) { sexes[0] = 2; nsex = 1; }
        for (int s = 0; s < nsex; s++) {
            gr_case *cs = newborn ? mk(&t, sexes[s], 0, 5, 3000, c, "") : mk(&t, sexes[s], 50, -1, -1, c, "");
            gr_drg_assign(g_drg, cs, &r);
            if (r.status != GR_DRG_OK)
                fail_msg("%s (sex %d) did not group: %s/%s; expected %s %s (config/demo/drg/mdc_dx.csv, "
                         "adrg_list.csv)", c, sexes[s], gr_drg_status_name((gr_drg_status)r.status),
                         gr_drg_why_name((gr_drg_why)r.why), mdc, EXPECT[e].adrg);
            g_hit[r.adrg] = 1;
            const char *got_mdc = gr_drg_mdc_code(g_drg, r.mdc), *got_adrg = gr_drg_adrg_code(g_drg, r.adrg);
            const char *drg = gr_drg_code(g_drg, r.drg);
            if (strcmp(got_mdc, mdc) || strcmp(got_adrg, EXPECT[e].adrg))
                fail_msg("%s grouped to %s %s, expected %s %s", c, got_mdc, got_adrg, mdc, EXPECT[e].adrg);
            /* no secondary diagnosis: the no-complication DRG */
            if (r.cc != 0 || (drg[3] != '5' && drg[3] != '9'))
                fail_msg("%s alone gave %s (cc %d); expected suffix 5 or 9", c, drg, r.cc);
        }
        grouped++;
    }
    assert_int_equal(skipped, (int)(sizeof UNGROUPABLE / sizeof UNGROUPABLE[0]));
    assert_int_equal(grouped + skipped, n);
}

/* One case per procedure with an ADRG: dx, sex, procs, expected ADRG. */
static const struct {
    const char *dx;
    int sex;
    const char *procs, *adrg;
} SURG[] = {
    {"I20.000", 1, "00.6600", "FM2"},                     /* non-OR: PTCA */
    {"I20.000", 1, "36.0700|00.6600|88.5600", "FM1"},     /* non-OR: stent (DIP I20.0:36.0700_...) */
    {"I20.000", 1, "88.5600", "FM3"},                     /* non-OR: angiography */
    {"I20.000", 1, "88.5500", "FM3"},
    {"H25.900", 2, "13.4100|13.7100", "CB3"},
    {"H25.000x002", 1, "13.7100", "CB3"},
    {"K35.800x001", 1, "17.1100", "GE1"},
    {"K35.800x001", 2, "53.0400", "GE1"},
    {"C34.101", 1, "32.4100|40.5914", "EB1"},
    {"J18.900", 1, "34.0400", "ED1"},
    {"C34.301", 1, "40.5914", "ED1"},
    {"N18.500", 1, "39.2700", "LF1"},
    {"N18.500", 2, "39.9500", "LL1"},                     /* non-OR: dialysis */
    {"I63.900", 1, "39.7400|99.1000", "BE2"},
    {"I63.900", 1, "99.1000", "BL1"},                     /* non-OR: thrombolysis */
    {"C50.900", 2, "40.2300", "JJ1"},
    {"C50.900", 2, "85.4300|40.2300", "JA2"},             /* S13 alt 1 */
    {"C50.900", 2, "85.4100|40.2300", "JA2"},             /* S13 alt 2 */
    {"C50.900", 2, "85.4100", "JB2"},
    {"L03.103", 1, "86.2200", "JJ1"},
    {"K35.300", 1, "47.0100", "GD1"},                     /* S3: complicated appendicitis */
    {"K35.201", 2, "47.0900", "GD1"},
    {"K35.800x001", 1, "47.0100", "GD2"},
    {"K35.800x001", 1, "47.0900", "GD2"},
    {"K35.300", 1, "47.1900", "GD2"},                     /* not a GD1 procedure */
    {"K29.700", 1, "54.1100", "GJ1"},
    {"K29.700", 1, "45.4200", "GK3"},                     /* non-OR: colonoscopic polypectomy */
    {"K80.100x001", 2, "51.2300|51.5100", "HC2"},
    {"K80.100x001", 2, "51.2200", "HC2"},
    {"K80.300x005", 1, "51.5100", "HC1"},
    {"K81.000", 1, "54.1100", "HJ1"},
    {"K80.200x003", 1, "51.1000", "HL2"},                 /* non-OR: ERCP */
    {"N40.x00", 1, "60.2900", "MB1"},
    {"D25.900", 2, "68.2900", "NE1"},
    {"D25.900", 2, "68.4100", "NC1"},
    {"O82.000", 2, "74.1x00", "OB1"},
    {"O80.000", 2, "73.5900", "OC1"},
    {"S72.000", 1, "79.1500", "IF3"},
    {"S82.200x081", 2, "79.3600", "IF4"},
    {"M51.202", 1, "80.5100", "IB3"},
    {"S72.000", 2, "81.5200", "IC2"},
    {"S72.101", 2, "81.5100", "IC2"},
    {"E11.500x044", 1, "86.2200", "KJ1"},                 /* diabetic foot debridement */
    {"Z51.001", 1, "92.2400", "RC1"},                     /* S3: radiotherapy */
    {"Z51.102", 2, "99.2500", "RE1"},                     /* S3: chemotherapy */
    {"Z51.100", 1, "99.2800", "RE1"},
    /* a procedure outside the MDC's lists: the medical ADRG (RULES.md §5) */
    {"Z51.100x004", 1, "99.2500", "RW2"},
    {"E11.900", 2, "74.1x00", "KS1"},
    {"J18.900", 1, "96.0400|96.7100", "ES3"},
    {"I63.900", 1, "36.0700", "BR2"},
};

static void test_surgical(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof SURG / sizeof SURG[0]; i++) {
        tcase t;
        gr_drg_result r;
        gr_drg_assign(g_drg, mk(&t, SURG[i].sex, 50, -1, -1, SURG[i].dx, SURG[i].procs), &r);
        if (r.status != GR_DRG_OK || strcmp(gr_drg_adrg_code(g_drg, r.adrg), SURG[i].adrg))
            fail_msg("%s + %s: got %s %s, expected %s", SURG[i].dx, SURG[i].procs,
                     gr_drg_status_name((gr_drg_status)r.status), gr_drg_adrg_code(g_drg, r.adrg), SURG[i].adrg);
        g_hit[r.adrg] = 1;
    }
    /* every SS procedure of the demo has a case above, as principal */
    static char codes[256][32], attr[256][16];
    int n = read_col("config/demo/proc_attributes.csv", codes, attr, 256);
    int nss = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(attr[i], "SS") != 0) continue;
        nss++;
        size_t l = strlen(codes[i]);
        int found = 0;
        for (size_t k = 0; k < sizeof SURG / sizeof SURG[0] && !found; k++)
            found = strncasecmp(SURG[k].procs, codes[i], l) == 0 &&
                    (SURG[k].procs[l] == '\0' || SURG[k].procs[l] == '|') && SURG[k].adrg[1] <= 'Q';
        if (!found) fail_msg("SS procedure %s of proc_attributes.csv has no surgical / non-OR case in SURG", codes[i]);
    }
    assert_true(nss >= 20);
}

static void test_cc(void **state)
{
    (void)state;
    tcase t;
    /* 1-3-5: MCC, CC, both, none */
    assert_string_equal(ADULT(1, "J18.900|J96.000", ""), "OK MDCE ES3 ES31 2");
    assert_string_equal(ADULT(1, "J18.900|E87.600", ""), "OK MDCE ES3 ES33 1");
    assert_string_equal(ADULT(1, "J18.900|E87.600|J96.000", ""), "OK MDCE ES3 ES31 2");
    assert_string_equal(ADULT(1, "J18.900|D64.900", ""), "OK MDCE ES3 ES35 0");
    /* a CC in the principal's exclusion group is ignored */
    assert_string_equal(ADULT(1, "J18.900|J18.000", ""), "OK MDCE ES3 ES35 0");
    assert_string_equal(ADULT(1, "J18.900|J18.000|E87.600", ""), "OK MDCE ES3 ES33 1");
    assert_string_equal(ADULT(1, "I63.900|I69.300", ""), "OK MDCB BR2 BR25 0");
    assert_string_equal(ADULT(1, "I63.900|E87.600", ""), "OK MDCB BR2 BR23 1");
    assert_string_equal(ADULT(1, "I63.900|I50.000", ""), "OK MDCB BR2 BR21 2");
    /* 1-5: an MCC gives 1, a CC alone gives 5; an excluded MCC gives 5 */
    assert_string_equal(ADULT(1, "I50.900|J96.000", ""), "OK MDCF FR2 FR21 2");
    assert_string_equal(ADULT(1, "I50.900|E87.600", ""), "OK MDCF FR2 FR25 1");
    assert_string_equal(ADULT(1, "I50.900|I50.000", ""), "OK MDCF FR2 FR25 0");
    /* 3-5: an MCC goes to 3 */
    assert_string_equal(ADULT(1, "C34.101|J96.000", ""), "OK MDCE ER1 ER13 2");
    assert_string_equal(ADULT(1, "C34.101|C22.000", ""), "OK MDCE ER1 ER13 1");
    assert_string_equal(ADULT(1, "C34.101|C34.101", ""), "OK MDCE ER1 ER15 0");
    /* 9: no split */
    assert_string_equal(ADULT(2, "H25.900|J96.000", "13.4100"), "OK MDCC CB3 CB39 2");
    /* surgical 1-3-5 (IF3) and 3-5 (GD1) */
    assert_string_equal(ADULT(1, "S72.000|N18.500", "79.1500"), "OK MDCI IF3 IF31 2");
    assert_string_equal(ADULT(1, "S72.000|I48.000", "79.1500"), "OK MDCI IF3 IF33 1");
    assert_string_equal(ADULT(1, "K35.300|K85.902", "47.0100"), "OK MDCG GD1 GD13 2");
}

static void test_newborn_trauma_sex(void **state)
{
    (void)state;
    tcase t;
    gr_drg_result r;
    /* MDCP: weight bands with the premature code as principal or secondary */
    assert_string_equal(NEWBORN(5, 1200, "P07.300"), "OK MDCP PS1 PS15 0");
    assert_string_equal(NEWBORN(5, 1200, "P07.300|P22.900"), "OK MDCP PS1 PS11 2");
    assert_string_equal(NEWBORN(5, 1800, "P59.901|P07.300x021"), "OK MDCP PS2 PS25 0");
    assert_string_equal(NEWBORN(5, 2200, "P07.300x011"), "OK MDCP PS3 PS39 0");
    assert_string_equal(NEWBORN(5, 3000, "P22.900"), "OK MDCP PR1 PR15 0");
    assert_string_equal(NEWBORN(5, 3000, "P59.901"), "OK MDCP PU1 PU15 0");
    assert_string_equal(NEWBORN(60, -1, "P59.901"), "OK MDCP PV1 PV15 0");
    /* MDCP needs age_years 0 and no other MDC has the code (RULES.md Q4) */
    gr_drg_assign(g_drg, mk(&t, 1, 50, -1, -1, "P59.901", ""), &r);
    assert_int_equal(r.status, GR_DRG_UNGROUPABLE);
    /* MDCZ: two trauma regions (lower limb + head), no OR procedure */
    assert_string_equal(ADULT(1, "S72.000|S06.000", ""), "OK MDCZ ZZ1 ZZ15 1");
    assert_string_equal(ADULT(1, "S32.000x002|S52.500x001", "99.0400"), "OK MDCZ ZZ1 ZZ15 0");
    assert_string_equal(ADULT(1, "S72.000|S06.000", "81.5200"), "OK MDCZ ZC1 ZC15 1");
    assert_string_equal(ADULT(1, "S72.000|S06.000|J96.000", "81.5200"), "OK MDCZ ZC1 ZC11 2");
    assert_string_equal(ADULT(1, "S72.000|S06.000", "54.1100"), "OK MDCZ ZD1 ZD19 1");
    assert_string_equal(ADULT(1, "S82.201|S06.000", "79.3600"), "OK MDCZ ZJ1 ZJ15 1");
    /* one region only: the organ-system MDC */
    assert_string_equal(ADULT(1, "S72.000|S82.201", ""), "OK MDCI IR2 IR29 0");
    /* MDCZ entered, an OR procedure in no MDCZ list: ZZ1 fails, falls through to MDCI */
    assert_string_equal(ADULT(1, "S72.000|S06.000", "60.2900"), "OK MDCI IR2 IR29 1");
    /* sex-specific MDCs */
    assert_string_equal(ADULT(1, "C61.x00", ""), "OK MDCM MR1 MR15 0");
    gr_drg_assign(g_drg, mk(&t, 2, 50, -1, -1, "C61.x00", ""), &r);
    assert_int_equal(r.status, GR_DRG_UNGROUPABLE);
    gr_drg_assign(g_drg, mk(&t, 1, 50, -1, -1, "D25.900", "68.4100"), &r);
    assert_int_equal(r.status, GR_DRG_UNGROUPABLE);
}

/* Runs last: every ADRG was reached by some case above. */
static void test_no_dead_adrg(void **state)
{
    (void)state;
    assert_true(gr_drg_nadrg(g_drg) <= sizeof g_hit);
    for (size_t a = 0; a < gr_drg_nadrg(g_drg); a++)
        if (!g_hit[a]) fail_msg("ADRG %s was reached by no case of this test; add one, or remove the ADRG",
                                gr_drg_adrg_code(g_drg, (int32_t)a));
}

int main(void)
{
    find_root();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_every_code),
        cmocka_unit_test(test_surgical),
        cmocka_unit_test(test_cc),
        cmocka_unit_test(test_newborn_trauma_sex),
        cmocka_unit_test(test_no_dead_adrg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
