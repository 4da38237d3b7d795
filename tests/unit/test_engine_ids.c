/*
 * test_engine_ids.c - issue 9: case ids of up to 64 bytes and "reject only
 * what the run needs", through the whole reader (pl_read).
 *
 * - Long case ids: 100,000 rows with ids of 1 to 70 bytes (some repeated,
 *   some quoted, some longer than 64), about 4 MB: several 1 MiB chunks, so
 *   several parsers' long-id tables are merged, at 1, 2 and 3 threads. Every kept slot's pl_case_id is the id written (whole); every
 *   id over 64 bytes is a reject on case_id whose case id is its first 64
 *   bytes; the duplicates found (pl_find_duplicates on pl_hash_ids) are
 *   those of an oracle that sorts the written ids; nothing depends on the
 *   thread count.
 * - Needed columns: one bad value per row (the README table "Reject or
 *   flag: what each command needs", written out here by hand) under the
 *   needs of group dip, group drg, settle dip, settle drg and calibrate:
 *   the row is a reject on that field, or a case with the family flag and
 *   one note naming the field.
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
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../../engine/pipeline.h"

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* ---- long case ids ------------------------------------------------- */

enum { NROWS = 100000 };
static char g_ids[NROWS][72];

static void no_row(void *ctx, int tid, cm_parser *p, cm_case *c)
{
    (void)ctx; (void)tid; (void)p; (void)c;
}

typedef struct {
    size_t *first;
    const cm_case *base;
} dup_seen;

static void on_dup(void *ctx, int tid, cm_case *dup, const cm_case *first, const char *id)
{
    (void)tid;
    dup_seen *d = ctx;
    d->first[dup - d->base] = (size_t)(first - d->base);
    assert_true(strlen(id) <= CM_CASE_ID_MAX);
}

static const char (*g_sort_ids)[72];
static int cmp_row(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(g_sort_ids[x], g_sort_ids[y]);
    return c ? c : (x < y ? -1 : x > y);
}

static void test_long_ids(void **state)
{
    (void)state;
    char path[] = "/tmp/casemix-ids-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "case_id,institution_id,institution_level,principal_dx,total_cost,fund_paid,note\n");
    uint64_t x = 0x243F6A8885A308D3ULL;
    for (int i = 0; i < NROWS; i++) {
        uint64_t r = rnd(&x);
        if (i > 0 && r % 13 == 0) { /* repeat an earlier id */
            memcpy(g_ids[i], g_ids[(r >> 8) % (uint64_t)i], sizeof g_ids[i]);
        } else {
            /* lengths 1..70, most around the inline limit of 23; ids that
             * share their first 23 bytes (differ only after the slot's part) */
            size_t len = (r >> 8) % 4 == 0 ? 1 + (r >> 12) % 70 : 20 + (r >> 12) % 30;
            snprintf(g_ids[i], sizeof g_ids[i], "%s", "");
            for (size_t k = 0; k < len; k++)
                g_ids[i][k] = k < 23 && (r >> 20) % 3 == 0 ? 'S' : (char)('A' + (rnd(&x) % 26));
            g_ids[i][len] = '\0';
        }
        if (r % 7 == 0) fprintf(f, "\"%s\",H1,2,K35.800,100.00,50.00,\"a,b\"\n", g_ids[i]);
        else fprintf(f, "%s,H1,2,K35.800,100.00,50.00,x\n", g_ids[i]);
    }
    fclose(f);
    /* the oracle: first earlier row of the same id among the ids of <= 64 bytes */
    size_t *want = malloc(NROWS * sizeof *want), *ix = malloc(NROWS * sizeof *ix), m = 0;
    assert_non_null(want);
    assert_non_null(ix);
    for (size_t i = 0; i < NROWS; i++) {
        want[i] = SIZE_MAX;
        if (strlen(g_ids[i]) <= CM_CASE_ID_MAX) ix[m++] = i;
    }
    g_sort_ids = (const char (*)[72])g_ids;
    qsort(ix, m, sizeof *ix, cmp_row);
    size_t nd = 0, nlong = 0;
    for (size_t k = 1; k < m; k++) {
        size_t j = k;
        while (j > 0 && strcmp(g_ids[ix[j - 1]], g_ids[ix[k]]) == 0) j--;
        if (j < k) { want[ix[k]] = ix[j]; nd++; }
    }
    for (size_t i = 0; i < NROWS; i++) nlong += strlen(g_ids[i]) > 23;
    assert_true(nd > 5000 && nlong > 20000);
    size_t *got = malloc(NROWS * sizeof *got);
    assert_non_null(got);
    for (int threads = 1; threads <= 3; threads++) {
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        pl_slots s;
        char err[512];
        cm_parse_opts po = {.need = cm_need_columns(CM_RUN_SETTLE, 1, 0), .mismatch = CM_MISMATCH_FLAG};
        static const int req[] = {COL_CASE_ID, -1};
        int rc = pl_read(path, NULL, req, &po, no_row, NULL, &s, NULL, NULL, NULL, err, sizeof err);
        if (rc) print_error("%s\n", err);
        assert_int_equal(rc, 0);
        assert_int_equal(s.n, NROWS);
        for (size_t i = 0; i < NROWS; i++) {
            size_t len = strlen(g_ids[i]);
            const char *id = pl_case_id(&s, i);
            if (len <= CM_CASE_ID_MAX) {
                if (strcmp(id, g_ids[i]) != 0) print_error("row %zu: id '%s', want '%s'\n", i, id, g_ids[i]);
                assert_string_equal(id, g_ids[i]);
                assert_int_equal(s.slots[i].status, SLOT_CASE);
            } else { /* rejected, named by its first 64 bytes */
                assert_int_equal(s.slots[i].status, SLOT_REJECT);
                assert_int_equal(strlen(id), CM_CASE_ID_MAX);
                assert_memory_equal(id, g_ids[i], CM_CASE_ID_MAX);
            }
            got[i] = SIZE_MAX;
        }
        pl_hash_ids(&s);
        dup_seen d = {got, s.slots};
        size_t r = SIZE_MAX;
        assert_int_equal(pl_find_duplicates(&s, on_dup, &d, &r), CM_OK);
        assert_int_equal(r, nd);
        for (size_t i = 0; i < NROWS; i++) {
            if (got[i] != want[i]) print_error("row %zu (%s): first %zu, want %zu\n", i, g_ids[i], got[i], want[i]);
            assert_int_equal(got[i], want[i]);
        }
        pl_slots_free(&s);
    }
    free(want);
    free(ix);
    free(got);
    unlink(path);
}

/* ---- needed columns ------------------------------------------------ */

/* One row per bad value; the expected fate per run (R reject, N note = kept
 * with the flag and a note on the field, K kept without a note), in the order
 * group dip, group drg, settle dip, settle drg, calibrate (DIP tables). */
static const struct {
    const char *field, *row;
    unsigned flag;
    const char fate[6];
} ROWS[] = {
    /*                 case,inst,lv,sex,ay,ad,bw,adm,dis,los,total,fund,self */
    {"",               "A1,H1,3,1,40,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", 0, "KKKKK"},
    {"institution_id", "A2,,3,1,40,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", 0, "KKRRK"},
    {"institution_level", "A3,H1,7,1,40,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", 0, "NNRRN"},
    {"institution_level", "A4,H1,,1,40,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", 0, "KKRRK"},
    {"sex",            "A5,H1,3,M,40,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", CF_BAD_PATIENT, "NRNRN"},
    {"age_years",      "A6,H1,3,1,-4,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", CF_BAD_PATIENT, "NRNRN"},
    {"age_days",       "A7,H1,3,1,40,x,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", CF_BAD_PATIENT, "NNNNN"},
    {"age_days",       "A8,H1,3,1,0,x,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", CF_BAD_PATIENT, "NRNRN"},
    {"age_days",       "A9,H1,3,1,40,54788,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", CF_BAD_PATIENT, "NNNNN"},
    {"",               "A10,H1,3,1,40,14800,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", 0, "KKKKK"},
    {"age_days",       "A11,H1,3,1,40,300,,2025-01-01,2025-01-05,4,100.00,50.00,50.00", CF_AGE_MISMATCH, "NNNNN"},
    {"birth_weight_g", "A12,H1,3,1,0,10,w,2025-01-01,2025-01-05,4,100.00,50.00,50.00", CF_BAD_PATIENT, "NRNRN"},
    {"birth_weight_g", "A13,H1,3,1,0,100,w,2025-01-01,2025-01-05,4,100.00,50.00,50.00", CF_BAD_PATIENT, "NNNNN"},
    {"birth_weight_g", "A14,H1,3,1,30,,w,2025-01-01,2025-01-05,4,100.00,50.00,50.00", CF_BAD_PATIENT, "NNNNN"},
    {"admit_date",     "A15,H1,3,1,40,,,2025-02-30,2025-01-05,4,100.00,50.00,50.00", CF_BAD_DATE, "NNNNN"},
    {"discharge_date", "A16,H1,3,1,40,,,2025-01-09,2025-01-05,4,100.00,50.00,50.00", CF_BAD_DATE, "NNNNN"},
    {"los_days",       "A17,H1,3,1,40,,,2025-01-01,2025-01-05,-4,100.00,50.00,50.00", CF_BAD_DATE, "NNNNN"},
    {"total_cost",     "A18,H1,3,1,40,,,2025-01-01,2025-01-05,4,1.234,50.00,50.00", CF_BAD_AMOUNT, "NNRRR"},
    {"total_cost",     "A19,H1,3,1,40,,,2025-01-01,2025-01-05,4,,50.00,50.00", 0, "KKRRR"},
    {"fund_paid",      "A20,H1,3,1,40,,,2025-01-01,2025-01-05,4,100.00,-1.00,50.00", CF_BAD_AMOUNT, "NNRRN"},
    {"fund_paid",      "A21,H1,3,1,40,,,2025-01-01,2025-01-05,4,100.00,,50.00", CF_BAD_AMOUNT, "KKNNK"},
    {"fund_paid",      "A22,H1,3,1,40,,,2025-01-01,2025-01-05,4,100.00,100.01,50.00", CF_BAD_AMOUNT, "NNRRN"},
    {"self_paid",      "A23,H1,3,1,40,,,2025-01-01,2025-01-05,4,100.00,50.00,5e1", CF_BAD_AMOUNT, "NNNNN"},
};

typedef struct {
    pl_rejects notes;
    const char *rj_field[64];
} need_ctx;

static void need_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    (void)tid;
    need_ctx *x = vctx;
    size_t i = (size_t)(c - p->slots);
    if (c->status == SLOT_REJECT && i < 64) x->rj_field[i] = p->rj_field;
    if (c->status == SLOT_CASE) assert_int_equal(pl_notes_add(&x->notes, p, c), 0);
}

static void test_needed_columns(void **state)
{
    (void)state;
    char path[] = "/tmp/casemix-need-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "case_id,institution_id,institution_level,sex,age_years,age_days,birth_weight_g,admit_date,"
               "discharge_date,los_days,total_cost,fund_paid,self_paid\n");
    size_t nrows = sizeof ROWS / sizeof ROWS[0];
    for (size_t i = 0; i < nrows; i++) fprintf(f, "%s\n", ROWS[i].row);
    fclose(f);
#ifdef _OPENMP
    omp_set_num_threads(1); /* one parser: the notes list is the callback's */
#endif
    const uint64_t need[5] = {cm_need_columns(CM_RUN_GROUP, 1, 0), cm_need_columns(CM_RUN_GROUP, 0, 1),
                              cm_need_columns(CM_RUN_SETTLE, 1, 0), cm_need_columns(CM_RUN_SETTLE, 1, 1),
                              cm_need_columns(CM_RUN_CALIBRATE, 1, 0)};
    static const char *const RUN[5] = {"group dip", "group drg", "settle dip", "settle drg", "calibrate"};
    for (int k = 0; k < 5; k++) {
        need_ctx x;
        memset(&x, 0, sizeof x);
        pl_slots s;
        char err[512];
        cm_parse_opts po = {.need = need[k], .mismatch = CM_MISMATCH_FLAG};
        static const int req[] = {COL_CASE_ID, -1};
        int rc = pl_read(path, NULL, req, &po, need_row, &x, &s, NULL, NULL, NULL, err, sizeof err);
        assert_int_equal(rc, 0);
        assert_int_equal(s.n, nrows);
        size_t q = 0;
        for (size_t i = 0; i < nrows; i++) {
            const cm_case *c = &s.slots[i];
            char fate = c->status == SLOT_REJECT ? 'R' : (c->flags & 0x1E00) || (q < x.notes.n && x.notes.e[q].line == c->line) ? 'N' : 'K';
            if (fate != ROWS[i].fate[k])
                print_error("%s, row %s: %c, want %c\n", RUN[k], ROWS[i].row, fate, ROWS[i].fate[k]);
            assert_int_equal(fate, ROWS[i].fate[k]);
            if (fate == 'R') assert_string_equal(x.rj_field[i], ROWS[i].field);
            if (fate == 'N') { /* one note, on the field, and the family flag */
                assert_true(q < x.notes.n);
                assert_int_equal(x.notes.e[q].line, c->line);
                assert_string_equal(x.notes.e[q].field, ROWS[i].field);
                assert_int_equal(c->flags & 0x1E00, ROWS[i].flag);
                q++;
            }
            assert_true(q >= x.notes.n || x.notes.e[q].line != c->line);
        }
        assert_int_equal(q, x.notes.n);
        pl_rejects_free(&x.notes);
        pl_slots_free(&s);
    }
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_ids),
        cmocka_unit_test(test_needed_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
