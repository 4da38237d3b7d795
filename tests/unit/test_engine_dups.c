/*
 * test_engine_dups.c - pl_find_duplicates (engine/pipeline.c), the check
 * that rejects every later row of a case id (结算ID) seen before.
 *
 * Against an oracle (sort by id, then by slot) on 200k rows with ~6%
 * repeated ids, at 1, 2 and 3 threads and with a dynamic team smaller than
 * the thread count asked for: the same (duplicate, first) pairs,
 * the first row always wins, rejected and empty slots are ignored (and
 * untouched), and every slot's score_e4 (the tables' space) is 0
 * afterwards. A second set puts 7,500 ids into the partitions of one
 * thread (the partition rule is copied below), more than its share of the
 * slots can hold: those partitions get tables of their own, which must
 * find the same duplicates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../../engine/pipeline.h"

typedef struct {
    size_t *first; /* first[i]: slot of the first row of i's id, for duplicates; else SIZE_MAX */
    cm_case *base;
    size_t calls;
} seen;

static void on_dup(void *ctx, int tid, cm_case *dup, const cm_case *first, const char *case_id)
{
    (void)tid;
    assert_string_equal(case_id, dup->case_id);
    seen *s = ctx;
    size_t i = (size_t)(dup - s->base);
#pragma omp atomic
    s->calls++;
    s->first[i] = (size_t)(first - s->base);
}

static cm_case *g_sorted_base;
static int cmp_idx(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(g_sorted_base[x].case_id, g_sorted_base[y].case_id);
    return c ? c : (x < y ? -1 : x > y);
}

/* The oracle: for each SLOT_CASE slot whose id occurred on an earlier
 * SLOT_CASE slot, that earlier slot's index; else SIZE_MAX. */
static size_t oracle(cm_case *sl, size_t n, size_t *want)
{
    size_t *ix = malloc(n * sizeof *ix), m = 0, nd = 0;
    for (size_t i = 0; i < n; i++) {
        want[i] = SIZE_MAX;
        if (sl[i].status == SLOT_CASE) ix[m++] = i;
    }
    g_sorted_base = sl;
    qsort(ix, m, sizeof *ix, cmp_idx);
    for (size_t k = 1; k < m; k++) {
        size_t j = k;
        while (j > 0 && strcmp(sl[ix[j - 1]].case_id, sl[ix[k]].case_id) == 0) j--;
        if (j < k) { want[ix[k]] = ix[j]; nd++; }
    }
    free(ix);
    return nd;
}

static void run_and_compare(cm_case *sl, size_t n, int threads)
{
    for (size_t i = 0; i < n; i++) sl[i].score_e4 = (int64_t)i * 7 + 1; /* overwritten by the tables */
    size_t *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    size_t nd = oracle(sl, n, want);
    for (size_t i = 0; i < n; i++) got[i] = SIZE_MAX;
    seen s = {got, sl, 0};
#ifdef _OPENMP
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    pl_slots ps = {.slots = sl, .n = n};
    pl_hash_ids(&ps);
    size_t r = SIZE_MAX;
    assert_int_equal(pl_find_duplicates(&ps, on_dup, &s, &r), CM_OK);
    assert_int_equal(r, nd);
    assert_int_equal(s.calls, nd);
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i])
            print_error("slot %zu (%s): got first %zu, want %zu (threads %d)\n", i, sl[i].case_id,
                        got[i], want[i], threads);
        assert_int_equal(got[i], want[i]);
        /* the hashes are left for the caller; rejected/empty slots untouched */
        if (sl[i].status == SLOT_CASE) assert_true(sl[i].id_hash == pl_id_hash(sl[i].case_id));
        else assert_true(sl[i].pay_fen == 0);
        assert_true(sl[i].score_e4 == 0); /* the tables' space, cleared */
    }
    free(want);
    free(got);
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void test_dups_match_oracle(void **state)
{
    (void)state;
    size_t n = 200000;
    cm_case *sl = calloc(n, sizeof *sl);
    assert_non_null(sl);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rnd(&x);
        sl[i].line = (uint32_t)(i + 2);
        sl[i].status = r % 97 == 0 ? SLOT_REJECT : r % 89 == 0 ? SLOT_EMPTY : SLOT_CASE;
        /* ~6% of rows repeat an id of an earlier row (some many times) */
        size_t id = (r >> 8) % 16 == 0 && i > 0 ? (size_t)((r >> 20) % i) : i;
        if ((r >> 40) % 500 == 0) id = 7; /* a hot id */
        snprintf(sl[i].case_id, sizeof sl[i].case_id, "D25%011zu", id * 2654435761u % 100000000000u);
    }
    for (int t = 1; t <= 3; t++) run_and_compare(sl, n, t);
#ifdef _OPENMP
    /* a team smaller than omp_get_max_threads(): dynamic teams give at
     * most one thread a core, far fewer than 64 (every partition must
     * still be scanned) */
    omp_set_dynamic(1);
    run_and_compare(sl, n, 64);
    omp_set_dynamic(0);
#endif
    free(sl);
}

/* The partition rule of pl_find_duplicates (hash_str in pipeline.c, then
 * (h >> 40) % partitions), copied to build a skewed id set. */
static uint64_t hash_like_pipeline(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static void test_dups_skewed_partition(void **state)
{
    (void)state;
    size_t n = 9000, k = 0;
    cm_case *sl = calloc(n, sizeof *sl);
    assert_non_null(sl);
    char id[24];
    for (uint64_t v = 0; k < 7500; v++) {
        snprintf(id, sizeof id, "S%llu", (unsigned long long)v);
        if ((hash_like_pipeline(id) >> 40) % 2 != 0) continue; /* partition 0 of 2 only */
        memcpy(sl[k].case_id, id, strlen(id) + 1);
        sl[k].status = SLOT_CASE;
        sl[k].line = (uint32_t)(k + 2);
        k++;
    }
    for (; k < n; k++) { /* then 1,500 repeats of those ids */
        memcpy(sl[k].case_id, sl[(k * 7) % 7500].case_id, sizeof sl[k].case_id);
        sl[k].status = SLOT_CASE;
        sl[k].line = (uint32_t)(k + 2);
    }
    for (int t = 1; t <= 3; t++) run_and_compare(sl, n, t);
    free(sl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dups_match_oracle),
        cmocka_unit_test(test_dups_skewed_partition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
