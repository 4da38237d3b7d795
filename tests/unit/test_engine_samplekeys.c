/*
 * test_engine_samplekeys.c - the re-review sample's keys (engine/period.c,
 * engine/pipeline.h pl_kept_id_hash): with supervision, every case's id
 * hash (parsed for the duplicate check) is kept in the dead bucket bytes
 * beside order_at; it must equal the hash of the case id read back from
 * the slot (pl_case_id, long ids included), and order_at must be intact
 * beside it. Without supervision nothing is kept and pay_fen is 0. A
 * generated region (demo tables) over partial slices of 256 slots.
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

#include "demo_region.h"

static char g_tmp[256];
static cm_config g_cfg;

static int setup(void **state)
{
    (void)state;
    if (demo_region(g_tmp, sizeof g_tmp, "/tmp/casemix-skey-XXXXXX", &g_cfg, 3000, 1500, 4242)) return -1;
    /* a few long case ids (kept beside the slots, pl_slots.lid): the first
     * rows' ids lengthened past 23 bytes */
    char in[300], out[300];
    snprintf(in, sizeof in, "%s/current.csv", g_tmp);
    snprintf(out, sizeof out, "%s/long.csv", g_tmp);
    FILE *f = fopen(in, "r"), *g = fopen(out, "w");
    if (!f || !g) return -1;
    char line[8192];
    for (int ln = 0; fgets(line, sizeof line, f); ln++) {
        if (ln >= 1 && ln <= 40) fputs("LONGCASEIDPREFIX-0123456789-", g); /* case_id is the first column */
        fputs(line, g);
    }
    fclose(f);
    fclose(g);
    snprintf(g_cfg.input_file, sizeof g_cfg.input_file, "%s", out);
    for (int h = 0; h < g_cfg.n_history; h++)
        snprintf(g_cfg.history[h].file, sizeof g_cfg.history[h].file, "%s/history_%d.csv", g_tmp, g_cfg.history[h].year);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_keys_kept_with_supervision(void **state)
{
    (void)state;
    static cm_period p;
    char err[1024];
    memset(&p, 0, sizeof p);
    cm_status rc = period_build_sup(&p, &g_cfg, g_cfg.input_file, 1, 1, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, CM_OK);
    assert_non_null(p.sup);
    assert_true(p.s.id_hash_kept);
    size_t cases = 0, longs = 0;
    uint32_t *seen = calloc(p.s.n ? p.s.n : 1, sizeof *seen);
    assert_non_null(seen);
    for (size_t i = 0; i < p.s.n; i++) {
        const cm_case *c = &p.s.slots[i];
        if (c->status != SLOT_CASE) continue;
        cases++;
        const char *id = pl_case_id(&p.s, i);
        longs += strlen(id) > 23;
        assert_true(pl_kept_id_hash(&p.s, i) == pl_id_hash(id));
        assert_int_equal(c->pay_fen, 0);
    }
    /* order_at beside the kept hashes: each case once, by institution, slot order within */
    for (size_t k = 0; k < p.ninst; k++)
        for (size_t j = p.inst_start[k]; j < p.inst_start[k + 1]; j++) {
            uint32_t i = p.s.slots[j].order_at;
            assert_true(i < p.s.n);
            assert_int_equal(p.s.slots[i].status, SLOT_CASE);
            assert_int_equal(p.s.slots[i].inst, k);
            if (j > p.inst_start[k]) assert_true(p.s.slots[j - 1].order_at < i);
            seen[i]++;
        }
    for (size_t i = 0; i < p.s.n; i++) assert_int_equal(seen[i], p.s.slots[i].status == SLOT_CASE);
    free(seen);
    assert_true(cases > 2500);
    assert_true(longs >= 30);
    period_free(&p);
}

static void test_nothing_kept_without_supervision(void **state)
{
    (void)state;
    static cm_period p;
    char err[1024];
    memset(&p, 0, sizeof p);
    cm_status rc = period_build(&p, &g_cfg, g_cfg.input_file, 1, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, CM_OK);
    assert_false(p.s.id_hash_kept);
    for (size_t i = 0; i < p.s.n; i++) assert_int_equal(p.s.slots[i].pay_fen, 0);
    /* the keys are then computed from the ids */
    for (size_t i = 0; i < p.s.n; i++)
        if (p.s.slots[i].status == SLOT_CASE) assert_true(pl_kept_id_hash(&p.s, i) == pl_id_hash(pl_case_id(&p.s, i)));
    period_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_kept_with_supervision),
        cmocka_unit_test(test_nothing_kept_without_supervision),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
