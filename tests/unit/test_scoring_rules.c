/*
 * test_scoring_rules.c - the supervision rules of scoring/rules.c at the
 * boundaries of domain.md §7: gap N and N+1 days, same-day transfer,
 * exempt dx, emergency route, overlap of one night and none, duplicate
 * with one field different, LOS at the cap and one above, the low-risk
 * z-score by hand, and the re-review sample's rate and reproducibility.
 * No files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../scoring/scoring.h"

#define MAXH 64
typedef struct { sc_hit h[MAXH]; size_t n; } hits;
static void collect(void *ctx, const sc_hit *h)
{
    hits *x = ctx;
    if (x->n < MAXH) x->h[x->n++] = *h;
}
/* the hit of rule r on stay k, or NULL */
static const sc_hit *find(const hits *x, int r, int64_t k)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->h[i].rule == r && x->h[i].k == k) return &x->h[i];
    return NULL;
}
static const unsigned ALL = (1u << SC_RULE__COUNT) - 1;

static sc_stay stay(int admit, int dis, unsigned inst, const char *pdx, int dmode)
{
    sc_stay s = {admit, dis, inst, (int16_t)sc_dx_category(pdx), (uint8_t)dmode, 0};
    return s;
}

static hits run2(sc_stay a, sc_stay b, const sc_sup_params *p)
{
    hits x = {0};
    sc_stay st[2] = {a, b};
    sc_patient_rules(st, 2, p, ALL, collect, &x);
    return x;
}

/* supervision.previous_input: N is the largest gap of the evaluated R01-R03
 * (defaults 15, 15, 1); R04/R05 alone need none; kept: discharge >= M - N */
static void test_previous_window(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    const unsigned r01 = 1u << SC_R01, r02 = 1u << SC_R02, r03 = 1u << SC_R03, r45 = 3u << SC_R04;
    assert_int_equal(sc_cross_window(&p, ALL), 15);
    assert_int_equal(sc_cross_window(&p, r03 | r45), 1);
    assert_int_equal(sc_cross_window(&p, r45), 0);
    p.readmit_days = 30;
    p.split_days = 20;
    assert_int_equal(sc_cross_window(&p, ALL), 30);
    assert_int_equal(sc_cross_window(&p, ALL & ~r01), 20);
    assert_int_equal(sc_cross_window(&p, r02 | r03), 20);
    /* kept at M - N exactly, not at M - N - 1 */
    assert_true(sc_previous_kept(1000 - 15, 1000, 15));
    assert_false(sc_previous_kept(1000 - 16, 1000, 15));
    assert_true(sc_previous_kept(1005, 1000, 0));
    assert_false(sc_previous_kept(999, 1000, 0));
}

static void test_readmission_gap_n_and_n_plus_1(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    /* A: 100..110 at inst 1; B admitted 15 days after: R01 (and R02: same inst, same 类目) */
    hits x = run2(stay(100, 110, 1, "K80.100", 1), stay(125, 130, 1, "K80.200", 1), &p);
    const sc_hit *h = find(&x, SC_R01, 1);
    assert_non_null(h);
    assert_int_equal(h->other, 0);
    assert_true(h->figure == 15 && h->threshold == 15);
    assert_non_null(find(&x, SC_R02, 1));
    /* 16 days: nothing */
    x = run2(stay(100, 110, 1, "K80.100", 1), stay(126, 130, 1, "K80.100", 1), &p);
    assert_int_equal(x.n, 0);
    /* gap 0 (admitted the day of discharge): readmission, no overlap */
    x = run2(stay(100, 110, 1, "K80.100", 1), stay(110, 112, 2, "J18.900", 1), &p);
    assert_non_null(find(&x, SC_R01, 1));
    assert_null(find(&x, SC_R04, 1));
    assert_null(find(&x, SC_R02, 1)); /* other institution */
    /* the setting moves the boundary */
    p.readmit_days = 14;
    x = run2(stay(100, 110, 1, "K80.100", 1), stay(125, 130, 3, "K80.200", 1), &p);
    assert_null(find(&x, SC_R01, 1));
}

static void test_split_needs_same_category_and_no_death(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    hits x = run2(stay(100, 110, 1, "K80.100", 1), stay(112, 115, 1, "K81.000", 1), &p);
    assert_non_null(find(&x, SC_R01, 1));
    assert_null(find(&x, SC_R02, 1));
    /* A discharged by death (5): no split (and no transfer) */
    x = run2(stay(100, 110, 1, "K80.100", 5), stay(112, 115, 1, "K80.100", 1), &p);
    assert_non_null(find(&x, SC_R01, 1));
    assert_null(find(&x, SC_R02, 1));
}

static void test_transfer_same_day_and_next(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    /* discharge mode 2 and admitted elsewhere the same day: R03 only */
    hits x = run2(stay(100, 110, 1, "I21.000", 2), stay(110, 120, 2, "I21.000", 1), &p);
    assert_int_equal(x.n, 1);
    assert_non_null(find(&x, SC_R03, 1));
    assert_int_equal(find(&x, SC_R03, 1)->result, SC_RES_INFO);
    /* one day later: still a transfer */
    x = run2(stay(100, 110, 1, "I21.000", 2), stay(111, 120, 2, "I21.000", 1), &p);
    assert_int_equal(x.n, 1);
    assert_non_null(find(&x, SC_R03, 1));
    /* two days later: a readmission */
    x = run2(stay(100, 110, 1, "I21.000", 2), stay(112, 120, 2, "I21.000", 1), &p);
    assert_null(find(&x, SC_R03, 1));
    assert_non_null(find(&x, SC_R01, 1));
    /* mode 2 to the same institution is no transfer */
    x = run2(stay(100, 110, 1, "I21.000", 2), stay(110, 120, 1, "I21.000", 1), &p);
    assert_null(find(&x, SC_R03, 1));
    assert_non_null(find(&x, SC_R01, 1));
}

static void test_exempt_dx_and_emergency(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    assert_true(sc_prefix_list_has(&p.exempt_dx, "Z51.000x001"));
    assert_true(sc_prefix_list_has(&p.exempt_dx, "z51.1"));
    assert_false(sc_prefix_list_has(&p.exempt_dx, "Z51.2"));
    assert_false(sc_prefix_list_has(&p.exempt_dx, "Z51"));
    sc_stay b = stay(112, 115, 1, "Z51.100", 1);
    b.exempt = 1; /* the engine sets it from exempt_dx or admit_route 1 */
    hits x = run2(stay(100, 110, 1, "C34.100", 1), b, &p);
    assert_int_equal(x.n, 0);
    /* the exempt stay still counts as the previous discharge of the next */
    sc_stay st[3] = {stay(100, 110, 1, "C34.100", 1), b, stay(120, 121, 1, "C34.100", 1)};
    x.n = 0;
    sc_patient_rules(st, 3, &p, ALL, collect, &x);
    const sc_hit *h = find(&x, SC_R01, 2);
    assert_non_null(h);
    assert_int_equal(h->other, 1);
    assert_true(h->figure == 5);
}

static void test_overlap_one_night_and_none(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    /* B admitted the day before A's discharge: one night, two institutions: definite */
    hits x = run2(stay(100, 110, 1, "K80.100", 1), stay(109, 112, 2, "K80.100", 1), &p);
    const sc_hit *h = find(&x, SC_R04, 1);
    assert_non_null(h);
    assert_int_equal(h->result, SC_RES_DEFINITE);
    assert_true(h->figure == 1);
    assert_null(find(&x, SC_R01, 1));
    /* at one institution: highly suspicious */
    x = run2(stay(100, 110, 1, "K80.100", 1), stay(109, 112, 1, "J18.000", 1), &p);
    h = find(&x, SC_R04, 1);
    assert_non_null(h);
    assert_int_equal(h->result, SC_RES_HIGHLY);
    /* admitted on the discharge day: no overlap */
    x = run2(stay(100, 110, 1, "K80.100", 1), stay(110, 112, 2, "K80.100", 1), &p);
    assert_null(find(&x, SC_R04, 1));
    /* a long stay A contains two later stays: both overlap A (running max discharge) */
    sc_stay st[3] = {stay(100, 200, 1, "A", 1), stay(110, 112, 2, "B", 1), stay(150, 152, 3, "C", 1)};
    x.n = 0;
    sc_patient_rules(st, 3, &p, ALL, collect, &x);
    assert_int_equal(find(&x, SC_R04, 1)->other, 0);
    assert_int_equal(find(&x, SC_R04, 2)->other, 0);
    assert_true(find(&x, SC_R04, 2)->figure == 2);
}

static void test_duplicate_one_field_different(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    hits x = run2(stay(100, 110, 1, "K80.100", 1), stay(100, 110, 1, "K80.100", 1), &p);
    assert_int_equal(x.n, 1);
    assert_int_equal(find(&x, SC_R05, 1)->other, 0);
    /* another discharge day: an overlap, not a duplicate */
    x = run2(stay(100, 110, 1, "K80.100", 1), stay(100, 111, 1, "K80.100", 1), &p);
    assert_null(find(&x, SC_R05, 1));
    assert_non_null(find(&x, SC_R04, 1));
    /* another admission day */
    x = run2(stay(100, 110, 1, "K80.100", 1), stay(101, 110, 1, "K80.100", 1), &p);
    assert_null(find(&x, SC_R05, 1));
    /* another institution */
    x = run2(stay(100, 110, 1, "K80.100", 1), stay(100, 110, 2, "K80.100", 1), &p);
    assert_null(find(&x, SC_R05, 1));
    assert_int_equal(find(&x, SC_R04, 1)->result, SC_RES_DEFINITE);
    /* three copies: both later ones name the first */
    sc_stay st[3] = {stay(100, 110, 1, "A", 1), stay(100, 110, 1, "A", 1), stay(100, 110, 1, "A", 1)};
    x.n = 0;
    sc_patient_rules(st, 3, &p, ALL, collect, &x);
    assert_int_equal(x.n, 2);
    assert_int_equal(find(&x, SC_R05, 2)->other, 0);
}

static void test_rule_switched_off(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    hits x = {0};
    sc_stay st[2] = {stay(100, 110, 1, "K80.100", 1), stay(112, 115, 1, "K80.100", 1)};
    sc_patient_rules(st, 2, &p, ALL & ~(1u << SC_R01), collect, &x);
    assert_null(find(&x, SC_R01, 1));
    assert_non_null(find(&x, SC_R02, 1));
}

/* hundreds of stays: linear work (every stay readmitted the day after the previous) */
static void test_many_stays(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    enum { N = 500 };
    static sc_stay st[N];
    for (int i = 0; i < N; i++) st[i] = stay(1000 + 3 * i, 1000 + 3 * i + 2, 1 + (unsigned)(i % 2), "K80.1", 1);
    size_t cnt = 0;
    struct { size_t *c; } ctx = {&cnt};
    (void)ctx;
    hits x = {0};
    size_t nh = sc_patient_rules(st, N, &p, 1u << SC_R01, collect, &x);
    assert_int_equal(nh, N - 1);
}

static void test_single_case_bounds(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    hits x = {0};
    sc_case_in c = {.los = 60, .total_fen = 100000, .bed_fen = -1, .service_fen = -1, .has_procedure = 1,
                    .dmode = 1, .ratio = 1.0, .lowrisk_group = -1};
    sc_case_rules(&c, 7, &p, ALL, collect, &x);
    assert_int_equal(x.n, 0); /* LOS at the cap */
    c.los = 61;
    sc_case_rules(&c, 7, &p, ALL, collect, &x);
    assert_non_null(find(&x, SC_R08, 7));
    assert_true(find(&x, SC_R08, 7)->figure == 61);
    /* k × mean LOS: 3 × 10 = 30; 30 not above, 31 above */
    x.n = 0;
    c.group_mean_los = 10;
    c.los = 30;
    sc_case_rules(&c, 7, &p, ALL, collect, &x);
    assert_int_equal(x.n, 0);
    c.los = 31;
    sc_case_rules(&c, 7, &p, ALL, collect, &x);
    assert_non_null(find(&x, SC_R08, 7));
    /* R06: LOS 3, services 4.9%, bed 31%: fires; services 5%: not; LOS 2: not */
    x.n = 0;
    sc_case_in b = {.los = 3, .total_fen = 100000, .bed_fen = 31000, .service_fen = 4900, .has_procedure = 0,
                    .dmode = 1, .ratio = 1.0, .lowrisk_group = -1};
    sc_case_rules(&b, 1, &p, ALL, collect, &x);
    assert_non_null(find(&x, SC_R06, 1));
    assert_true(fabs(find(&x, SC_R06, 1)->figure - 49.0) < 1e-9);
    x.n = 0;
    b.service_fen = 5000;
    sc_case_rules(&b, 1, &p, ALL, collect, &x);
    assert_null(find(&x, SC_R06, 1));
    b.service_fen = 4900;
    b.bed_fen = 30000; /* not above 30% */
    sc_case_rules(&b, 1, &p, ALL, collect, &x);
    assert_null(find(&x, SC_R06, 1));
    /* R07: LOS 2, no procedure, ratio 0.4: fires; 0.41 or LOS 3 or died: not */
    x.n = 0;
    sc_case_in l = {.los = 2, .total_fen = 1000, .bed_fen = -1, .service_fen = -1, .dmode = 1, .ratio = 0.4,
                    .lowrisk_group = -1};
    sc_case_rules(&l, 2, &p, ALL, collect, &x);
    assert_non_null(find(&x, SC_R07, 2));
    x.n = 0;
    l.ratio = 0.41;
    sc_case_rules(&l, 2, &p, ALL, collect, &x);
    l.ratio = 0.4;
    l.los = 3;
    sc_case_rules(&l, 2, &p, ALL, collect, &x);
    l.los = 2;
    l.dmode = 5;
    sc_case_rules(&l, 2, &p, ALL, collect, &x);
    l.dmode = 1;
    l.has_procedure = 1;
    sc_case_rules(&l, 2, &p, ALL, collect, &x);
    assert_int_equal(x.n, 0);
    l.low_dx_listed = 1; /* on the configured list: fires whatever the rest */
    sc_case_rules(&l, 2, &p, ALL, collect, &x);
    assert_non_null(find(&x, SC_R07, 2));
}

static void test_sex_age_lists(void **state)
{
    (void)state;
    sc_sup_params p;
    sc_sup_params_default(&p);
    const char *f[] = {"J18.900", "O80.000"}, *m[] = {"N40.x00"}, *n[] = {"P07.300"};
    assert_int_equal(sc_sex_conflict(&p, 1, f, 2), 1);
    assert_int_equal(sc_sex_conflict(&p, 2, f, 2), -1);
    assert_int_equal(sc_sex_conflict(&p, 2, m, 1), 0);
    assert_int_equal(sc_sex_conflict(&p, -1, m, 1), -1);
    /* edges of the blocks: N98 female, N99 not; C58 female, C59 not */
    const char *e1[] = {"N98.1"}, *e2[] = {"N99.0"}, *e3[] = {"C59.0"};
    assert_int_equal(sc_sex_conflict(&p, 1, e1, 1), 0);
    assert_int_equal(sc_sex_conflict(&p, 1, e2, 1), -1);
    assert_int_equal(sc_sex_conflict(&p, 1, e3, 1), -1);
    /* newborn codes at age 0 fine, at 1 not; obstetric 12..55 */
    assert_int_equal(sc_age_conflict(&p, 0, n, 1), -1);
    assert_int_equal(sc_age_conflict(&p, 1, n, 1), 0);
    assert_int_equal(sc_age_conflict(&p, 12, f, 2), -1);
    assert_int_equal(sc_age_conflict(&p, 11, f, 2), 1);
    assert_int_equal(sc_age_conflict(&p, 55, f, 2), -1);
    assert_int_equal(sc_age_conflict(&p, 56, f, 2), 1);
    assert_int_equal(sc_age_conflict(&p, -1, f, 2), -1);
    sc_code_ranges r;
    size_t bad = 0;
    assert_int_equal(sc_code_ranges_parse("A00-B99; D06  Z39", &r, &bad), SC_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(sc_code_ranges_parse("A00-B99, D0X", &r, &bad), SC_ERR_ARG);
    assert_int_equal(bad, 9);
    assert_int_equal(sc_code_ranges_parse("B99-A00", &r, &bad), SC_ERR_ARG);
}

/* z by hand: groups with mortality 1/100, 1/10, 1/1000 (ln: -4.60517, -2.30259, -6.90776;
 * mean -4.60517; population sd = sqrt((0 + 2.30259² + 2.30259²)/3) = 1.88005);
 * z = 0, 1.22474, -1.22474: only the third is low-risk, and the group without a death */
static void test_lowrisk_z_by_hand(void **state)
{
    (void)state;
    int64_t d[4] = {1, 10, 1, 0}, n[4] = {100, 100, 1000, 50};
    uint8_t out[4];
    double z[4];
    assert_int_equal(sc_lowrisk_groups(d, n, 4, -1.0, out, z), SC_OK);
    assert_true(fabs(z[0]) < 1e-12);
    assert_true(fabs(z[1] - 1.224744871391589) < 1e-9);
    assert_true(fabs(z[2] + 1.224744871391589) < 1e-9);
    assert_true(isinf(z[3]) && z[3] < 0);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 1);
    assert_int_equal(out[3], 1);
    /* the cut-off: z < -1.3 leaves the third out */
    sc_lowrisk_groups(d, n, 4, -1.3, out, z);
    assert_int_equal(out[2], 0);
    /* R11 fires on a death in a low-risk group only */
    sc_sup_params p;
    sc_sup_params_default(&p);
    hits x = {0};
    sc_case_in c = {.los = 5, .total_fen = 1, .bed_fen = -1, .service_fen = -1, .has_procedure = 1, .dmode = 5,
                    .ratio = 1, .lowrisk_group = 1, .group_z = -1.22};
    sc_case_rules(&c, 3, &p, ALL, collect, &x);
    assert_non_null(find(&x, SC_R11, 3));
    x.n = 0;
    c.dmode = 1;
    sc_case_rules(&c, 3, &p, ALL, collect, &x);
    c.dmode = 5;
    c.lowrisk_group = 0;
    sc_case_rules(&c, 3, &p, ALL, collect, &x);
    assert_int_equal(x.n, 0);
}

static void test_sample(void **state)
{
    (void)state;
    enum { M = 1000 };
    static uint8_t fl[M], out[M], out2[M];
    static uint64_t key[M], sh[M];
    static uint32_t si[M];
    for (int i = 0; i < M; i++) { fl[i] = i % 50 == 0; key[i] = (uint64_t)i * 7919 + 13; }
    size_t got = sc_sample_institution(M, fl, key, 42, 0.08, 0.5, out, sh, si);
    assert_int_equal(got, 80);
    size_t nf = 0, nr = 0;
    for (int i = 0; i < M; i++) { nf += out[i] == 1; nr += out[i] == 2; if (out[i] == 1) assert_true(fl[i]); }
    assert_int_equal(nf, 20); /* all 20 flagged fit in half of 80 */
    assert_int_equal(nr, 60);
    /* the same seed: the same sample; another seed: another */
    sc_sample_institution(M, fl, key, 42, 0.08, 0.5, out2, sh, si);
    assert_memory_equal(out, out2, M);
    sc_sample_institution(M, fl, key, 43, 0.08, 0.5, out2, sh, si);
    assert_memory_not_equal(out, out2, M);
    /* flagged share caps the flagged: 10% of 80 = 8 */
    sc_sample_institution(M, fl, key, 42, 0.08, 0.1, out, sh, si);
    nf = 0;
    for (int i = 0; i < M; i++) nf += out[i] == 1;
    assert_int_equal(nf, 8);
    /* the draw is an order by hash: without flagged share, a smaller rate's sample
     * lies inside a larger rate's (nested), and rate 1 takes every case */
    static uint8_t small[M], big[M];
    sc_sample_institution(M, fl, key, 9, 0.05, 0.0, small, sh, si);
    sc_sample_institution(M, fl, key, 9, 0.30, 0.0, big, sh, si);
    size_t ns = 0, nb = 0;
    for (int i = 0; i < M; i++) {
        ns += small[i] != 0;
        nb += big[i] != 0;
        if (small[i]) assert_true(big[i]);
    }
    assert_int_equal(ns, 50);
    assert_int_equal(nb, 300);
    assert_int_equal(sc_sample_institution(M, fl, key, 9, 1.0, 0.5, big, sh, si), M);
    /* rate rounds up: 3 cases at 8% -> 1 */
    assert_int_equal(sc_sample_institution(3, fl, key, 1, 0.08, 0.5, out, sh, si), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readmission_gap_n_and_n_plus_1),
        cmocka_unit_test(test_split_needs_same_category_and_no_death),
        cmocka_unit_test(test_transfer_same_day_and_next),
        cmocka_unit_test(test_exempt_dx_and_emergency),
        cmocka_unit_test(test_overlap_one_night_and_none),
        cmocka_unit_test(test_duplicate_one_field_different),
        cmocka_unit_test(test_rule_switched_off),
        cmocka_unit_test(test_many_stays),
        cmocka_unit_test(test_single_case_bounds),
        cmocka_unit_test(test_sex_age_lists),
        cmocka_unit_test(test_lowrisk_z_by_hand),
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_previous_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
