/*
 * test_engine_ledger_ids.c - the ledger's case ids (engine/ledger.c:
 * ld_ids_set_month, ld_idset_build, ld_idset_find, ld_months_without_ids),
 * behind casemix month's rejection of a case id settled in another month.
 *
 * Against an oracle (a linear scan of the ledger's rows): 60k ids over
 * eleven months, every id and 60k absent ones (ids that differ in one
 * character, are a prefix or an extension of a present id, for a sample;
 * some ids of full length CM_CASE_ID_MAX), with one month skipped (the month being run again: its
 * ids are not found); the empty ledger; and the months without ids of an
 * older ledger.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../engine/ledger.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* The month of id in l (skipping month skip) by a scan; 0 when absent. */
static int oracle(const ledger *l, int skip, const char *id)
{
    for (size_t j = 0; j < l->nk; j++)
        if (ld_id_month(l->kb, l->kw, j) != skip && !strcmp(ld_id_text(l->kb, l->kw, j), id))
            return ld_id_month(l->kb, l->kw, j);
    return 0;
}

static void test_find_against_scan(void **state)
{
    (void)state;
    enum { N = 60000 };
    ledger l;
    memset(&l, 0, sizeof l);
    l.year = 2025;
    static char text[N][CM_CASE_ID_MAX + 1];
    static const char *ids[N];
    static int month_of[N];
    for (size_t j = 0; j < N; j++) {
        month_of[j] = (int)(j % 11) + 1; /* months 1..11 */
        if (j % 1000 == 7) { /* full length: CM_CASE_ID_MAX characters */
            memset(text[j], 'A' + (int)(j % 26), CM_CASE_ID_MAX);
            memcpy(text[j], "L", 1);
            text[j][1 + j % 9] = (char)('0' + j % 10);
            snprintf(text[j] + 20, 12, "%010zu", j);
            text[j][30] = 'x';
        } else {
            snprintf(text[j], sizeof text[j], "D25%08zu", j * 7 + (size_t)(next() % 7));
        }
    }
    for (int m = 11; m >= 1; m--) { /* the months out of order: rows still by month */
        size_t n = 0;
        for (size_t j = 0; j < N; j++)
            if (month_of[j] == m) ids[n++] = text[j];
        assert_int_equal(ld_ids_set_month(&l, m, ids, n), CM_OK);
    }
    assert_int_equal(l.nk, N);
    assert_int_equal(l.kw, (4 + CM_CASE_ID_MAX + 1 + 7) / 8 * 8);
    for (size_t j = 1; j < N; j++) assert_true(ld_id_month(l.kb, l.kw, j - 1) <= ld_id_month(l.kb, l.kw, j));
    for (int skip = 0; skip <= 12; skip += 4) { /* 0 and 12: no month of the ledger skipped */
        ld_idset set;
        assert_int_equal(ld_idset_build(&l, skip, &set), CM_OK);
        size_t want_n = 0;
        for (size_t j = 0; j < N; j++) want_n += month_of[j] != skip;
        assert_int_equal(set.n, want_n);
        char probe[CM_CASE_ID_MAX + 4];
        for (size_t j = 0; j < N; j++) {
            const char *id = text[j]; /* the ids are distinct: its own month, 0 when skipped */
            assert_int_equal(ld_idset_find(&set, id), month_of[j] != skip ? month_of[j] : 0);
            if (j % 97) continue; /* the probes against the scan on a sample */
            size_t len = strlen(id);
            /* one character changed, a prefix, an extension: absent unless the ledger has it */
            snprintf(probe, sizeof probe, "%s", id);
            probe[len - 1] = probe[len - 1] == 'z' ? 'y' : 'z';
            assert_int_equal(ld_idset_find(&set, probe), oracle(&l, skip, probe));
            snprintf(probe, sizeof probe, "%.*s", (int)len - 1, id);
            assert_int_equal(ld_idset_find(&set, probe), oracle(&l, skip, probe));
            if (len < CM_CASE_ID_MAX) {
                snprintf(probe, sizeof probe, "%s0", id);
                assert_int_equal(ld_idset_find(&set, probe), oracle(&l, skip, probe));
            }
        }
        assert_int_equal(ld_idset_find(&set, ""), 0);
        ld_idset_free(&set);
        assert_null(set.slot);
    }
    free(l.kb);
}

/* A month set again replaces its ids; a longer id widens every row and
 * keeps the others' text; an id beyond CM_CASE_ID_MAX is refused. */
static void test_set_month(void **state)
{
    (void)state;
    ledger l;
    memset(&l, 0, sizeof l);
    const char *a[] = {"B2", "A1"}, *b[] = {"C3"}, *c[] = {"A1", "LONGER-ID-0000000001"};
    assert_int_equal(ld_ids_set_month(&l, 5, a, 2), CM_OK);
    assert_int_equal(ld_ids_set_month(&l, 2, b, 1), CM_OK);
    assert_int_equal(l.nk, 3);
    assert_int_equal(l.kw, 8);
    assert_string_equal(ld_id_text(l.kb, l.kw, 0), "C3");
    assert_string_equal(ld_id_text(l.kb, l.kw, 1), "B2"); /* the export's order */
    assert_int_equal(ld_id_month(l.kb, l.kw, 2), 5);
    assert_int_equal(ld_ids_set_month(&l, 5, c, 2), CM_OK); /* month 5 run again */
    assert_int_equal(l.nk, 3);
    assert_int_equal(l.kw, 32);
    assert_string_equal(ld_id_text(l.kb, l.kw, 0), "C3");
    assert_string_equal(ld_id_text(l.kb, l.kw, 2), "LONGER-ID-0000000001");
    ld_idset set;
    assert_int_equal(ld_idset_build(&l, 0, &set), CM_OK);
    assert_int_equal(ld_idset_find(&set, "B2"), 0);
    assert_int_equal(ld_idset_find(&set, "C3"), 2);
    assert_int_equal(ld_idset_find(&set, "LONGER-ID-0000000001"), 5);
    ld_idset_free(&set);
    char big[CM_CASE_ID_MAX + 2];
    memset(big, 'X', sizeof big - 1);
    big[sizeof big - 1] = 0;
    const char *d[] = {big};
    assert_int_equal(ld_ids_set_month(&l, 7, d, 1), CM_ERR_INPUT);
    ld_drop_month(&l, 2);
    assert_int_equal(l.nk, 2);
    assert_string_equal(ld_id_text(l.kb, l.kw, 0), "A1");
    free(l.kb);
}

static void test_empty(void **state)
{
    (void)state;
    ledger l;
    memset(&l, 0, sizeof l);
    ld_idset set;
    assert_int_equal(ld_idset_build(&l, 3, &set), CM_OK);
    assert_int_equal(set.n, 0);
    assert_int_equal(ld_idset_find(&set, "D1"), 0);
    ld_idset_free(&set);
    /* a ledger whose only ids are the month's own (a re-run): nothing found */
    const char *k[] = {"D1", "D2"};
    assert_int_equal(ld_ids_set_month(&l, 3, k, 2), CM_OK);
    assert_int_equal(ld_idset_build(&l, 3, &set), CM_OK);
    assert_int_equal(ld_idset_find(&set, "D1"), 0);
    ld_idset_free(&set);
    assert_int_equal(ld_idset_build(&l, 4, &set), CM_OK);
    assert_int_equal(ld_idset_find(&set, "D2"), 3);
    ld_idset_free(&set);
    free(l.kb);
}

/* Ids that share a long prefix: a probe that meets one of them in its
 * probe sequence must compare the whole text (never a prefix or a hash). */
static void test_shared_prefix(void **state)
{
    (void)state;
    enum { N = 5000 };
    ledger l;
    memset(&l, 0, sizeof l);
    static char text[N][24];
    static const char *ids[N];
    for (size_t j = 0; j < N; j++) {
        snprintf(text[j], sizeof text[j], "JS2025-0001-%05zu", j);
        ids[j] = text[j];
    }
    assert_int_equal(ld_ids_set_month(&l, 2, ids, N), CM_OK);
    ld_idset set;
    assert_int_equal(ld_idset_build(&l, 0, &set), CM_OK);
    char probe[32];
    for (size_t j = 0; j < N; j++) {
        snprintf(probe, sizeof probe, "JS2025-0001-%05zu", j);
        assert_int_equal(ld_idset_find(&set, probe), 2);
        snprintf(probe, sizeof probe, "JS2025-0001-x%05zu", j);
        assert_int_equal(ld_idset_find(&set, probe), 0);
        snprintf(probe, sizeof probe, "JS2025-0001-%05zu ", j);
        assert_int_equal(ld_idset_find(&set, probe), 0);
    }
    ld_idset_free(&set);
    free(l.kb);
}

static void test_months_without_ids(void **state)
{
    (void)state;
    ledger l;
    memset(&l, 0, sizeof l);
    l.year = 2025;
    ld_month m[4];
    memset(m, 0, sizeof m);
    m[0].month = 1; m[1].month = 2; m[2].month = 5; m[3].month = 9;
    l.m = m;
    l.nm = 4;
    char out[128];
    /* an older ledger: no /case_ids at all; the month being run is not named */
    assert_int_equal(ld_months_without_ids(&l, 5, out, sizeof out), 3);
    assert_string_equal(out, "2025-01, 2025-02, 2025-09");
    /* months 2 and 9 recorded since (run again by today's casemix) */
    const char *k2[] = {"A"}, *k9[] = {"B", "C"};
    assert_int_equal(ld_ids_set_month(&l, 9, k9, 2), CM_OK);
    assert_int_equal(ld_ids_set_month(&l, 2, k2, 1), CM_OK);
    assert_int_equal(ld_months_without_ids(&l, 5, out, sizeof out), 1);
    assert_string_equal(out, "2025-01");
    assert_int_equal(ld_months_without_ids(&l, 1, out, sizeof out), 1);
    assert_string_equal(out, "2025-05");
    l.nm = 2; /* months 1 and 2 only, 1 being run again, 2 recorded: nothing unknown */
    assert_int_equal(ld_months_without_ids(&l, 1, out, sizeof out), 0);
    assert_string_equal(out, "");
    free(l.kb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_against_scan),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_set_month),
        cmocka_unit_test(test_shared_prefix),
        cmocka_unit_test(test_months_without_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
