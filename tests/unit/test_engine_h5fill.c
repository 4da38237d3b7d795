/*
 * test_engine_h5fill.c - h5w_rows_fill (engine/h5out.c), the chunk-at-a-time
 * writer of /flags and /review_sample, against h5w_rows_fast on the whole
 * table: the same file bytes.
 *
 * A table of rows with the members /flags has (u32, two strings, an enum
 * byte, padding, f64), of 3 whole chunks and an edge chunk of 123 rows (and
 * of fewer rows than a chunk), written twice into files of the same
 * structure: once filled into one buffer and written with h5w_rows_fast,
 * once through a fill callback that copies rows [first, first + n) of the
 * same buffer. Under each output (libdeflate, zlib, HDF5's own pipeline,
 * no compression), with and without the shuffle filter (h5row.no_shuffle,
 * as /flags is written: the dataset then has deflate alone) and at 1, 2
 * and 3 threads: every chunk has the same offset, filter mask, address in
 * the file and stored bytes, and the values read back through HDF5's own
 * filters are the rows. A fill that fails makes the write fail.
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

#include "../../engine/h5out.h"

typedef struct {
    h5row r;
    size_t o[5];
    hid_t en;
} layout;

static void layout_make(layout *l)
{
    static const char *const names[] = {"a", "b", "c"};
    l->en = h5_enum_u8(names, 3);
    h5row_begin(&l->r);
    l->o[0] = h5row_add(&l->r, "line", H5T_STD_U32LE, 4);
    l->o[1] = h5row_add_str(&l->r, "id", 11);
    l->o[2] = h5row_add_str(&l->r, "rule", 3);
    l->o[3] = h5row_add(&l->r, "result", l->en, 1);
    l->o[4] = h5row_add(&l->r, "figure", H5T_IEEE_F64LE, 8);
    h5row_end(&l->r);
}

static void layout_free(layout *l)
{
    h5row_free(&l->r);
    H5Tclose(l->en);
}

/* rows with every member set (ids of 1 to 11 bytes, the rest zeros) */
static unsigned char *rows_make(const layout *l, size_t n)
{
    unsigned char *b = calloc(n ? n : 1, l->r.size);
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char *r = b + i * l->r.size;
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        uint32_t line = (uint32_t)(i * 3 + 2);
        memcpy(r + l->o[0], &line, 4);
        char id[16];
        int k = snprintf(id, sizeof id, "D%llu", (unsigned long long)(x % 10000000000ULL));
        memcpy(r + l->o[1], id, (size_t)(k > 11 ? 11 : k) - (x % 5 == 0 ? (size_t)(x % 4) : 0));
        memcpy(r + l->o[2], i % 3 ? "R12" : "R01", 3);
        r[l->o[3]] = (unsigned char)(x % 3);
        double fig = (double)(x % 100000) / 997.0;
        memcpy(r + l->o[4], &fig, 8);
    }
    return b;
}

typedef struct {
    const unsigned char *rows;
    size_t rsize, fail_at;   /* fail_at: a row whose chunk's fill fails; SIZE_MAX none */
    int calls;
} copy_ctx;

static int copy_fill(void *vctx, size_t first, size_t n, unsigned char *buf)
{
    copy_ctx *c = vctx;
#ifdef _OPENMP
#pragma omp atomic
#endif
    c->calls++;
    if (c->fail_at >= first && c->fail_at < first + n) return 1;
    memcpy(buf, c->rows + first * c->rsize, n * c->rsize);
    return 0;
}

/* one table of n rows in a new file; fill NULL: h5w_rows_fast on rows */
static int write_file(const char *path, const layout *l, const unsigned char *rows, size_t n, cm_compression comp,
                      cm_deflate_library lib, copy_ctx *fill)
{
    char err[256];
    h5w w;
    if (h5w_open(&w, path, "test", comp, 4, 1000, err, sizeof err)) return -1;
    w.deflate_lib = lib;
    hid_t d = h5w_table(&w, "t", "test table", &l->r, n);
    int e = d < 0;
    if (!e) e = fill ? h5w_rows_fill(&w, d, &l->r, n, copy_fill, fill) : h5w_rows_fast(&w, d, &l->r, 0, n, rows);
    if (d >= 0) H5Dclose(d);
    if (e) {
        h5w_abort(&w);
        return -1;
    }
    return h5w_commit(&w, err, sizeof err) ? -1 : 0;
}

/* the filters of dataset d: 1 shuffle, 2 deflate (bits) */
static unsigned filters_of(hid_t d)
{
    hid_t dcpl = H5Dget_create_plist(d);
    unsigned on = 0;
    for (int i = 0, nf = H5Pget_nfilters(dcpl); i < nf; i++) {
        unsigned flags, cd[8];
        size_t ncd = 8;
        H5Z_filter_t f = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
        on |= f == H5Z_FILTER_SHUFFLE ? 1u : f == H5Z_FILTER_DEFLATE ? 2u : 4u;
    }
    H5Pclose(dcpl);
    return on;
}

/* every chunk of /t the same in both files (offset, mask, address, bytes),
 * the filters of both `filters` (filters_of), and the values of b the
 * rows; returns the chunks */
static size_t compare_files(const char *a, const char *b, const layout *l, const unsigned char *rows, size_t n,
                            unsigned filters)
{
    hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT), fb = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(fa >= 0 && fb >= 0);
    hid_t da = H5Dopen2(fa, "t", H5P_DEFAULT), db = H5Dopen2(fb, "t", H5P_DEFAULT);
    assert_true(da >= 0 && db >= 0);
    assert_int_equal(filters_of(da), filters);
    assert_int_equal(filters_of(db), filters);
    hid_t sa = H5Dget_space(da), sb = H5Dget_space(db);
    hsize_t na = 0, nb = 0;
    assert_true(H5Dget_num_chunks(da, sa, &na) >= 0);
    assert_true(H5Dget_num_chunks(db, sb, &nb) >= 0);
    assert_int_equal(na, nb);
    for (hsize_t k = 0; k < na; k++) {
        hsize_t oa, ob;
        unsigned ma, mb;
        haddr_t aa, ab;
        hsize_t za, zb;
        assert_true(H5Dget_chunk_info(da, sa, k, &oa, &ma, &aa, &za) >= 0);
        assert_true(H5Dget_chunk_info(db, sb, k, &ob, &mb, &ab, &zb) >= 0);
        assert_int_equal(oa, ob);
        assert_int_equal(ma, mb);
        assert_int_equal(aa, ab);
        assert_int_equal(za, zb);
        unsigned char *ca = malloc(za), *cb = malloc(zb);
        uint32_t fma = 0, fmb = 0;
        assert_true(H5Dread_chunk(da, H5P_DEFAULT, &oa, &fma, ca) >= 0);
        assert_true(H5Dread_chunk(db, H5P_DEFAULT, &ob, &fmb, cb) >= 0);
        assert_memory_equal(ca, cb, za);
        free(ca);
        free(cb);
    }
    unsigned char *back = calloc(n ? n : 1, l->r.size);
    if (n) assert_true(H5Dread(db, l->r.type, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
    assert_memory_equal(back, rows, n * l->r.size);
    free(back);
    H5Sclose(sa); H5Sclose(sb);
    H5Dclose(da); H5Dclose(db);
    H5Fclose(fa); H5Fclose(fb);
    return (size_t)na;
}

static void test_same_bytes(void **state)
{
    (void)state;
    layout l;
    layout_make(&l);
    char dir[] = "/tmp/casemix-h5fill-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char pa[128], pb[128];
    snprintf(pa, sizeof pa, "%s/a.h5", dir);
    snprintf(pb, sizeof pb, "%s/b.h5", dir);
    /* the chunk rows of this layout: from a table of one chunk */
    const cm_compression comps[4] = {CM_COMP_DEFLATE, CM_COMP_DEFLATE, CM_COMP_DEFLATE, CM_COMP_NONE};
    const cm_deflate_library libs[4] = {CM_DEFLATE_LIBDEFLATE, CM_DEFLATE_ZLIB, CM_DEFLATE_HDF5,
                                        CM_DEFLATE_LIBDEFLATE};
    size_t ch = 0;
    {
        char err[256];
        h5w w;
        assert_int_equal(h5w_open(&w, pa, "test", CM_COMP_DEFLATE, 4, 1000, err, sizeof err), CM_OK);
        hid_t d = h5w_table(&w, "t", "probe", &l.r, 1000000);
        ch = (size_t)h5w_chunk_rows(d);
        H5Dclose(d);
        h5w_abort(&w);
    }
    assert_true(ch > 1);
    const size_t sizes[3] = {3 * ch + 123, ch / 2 + 1, 2 * ch};
    for (int ns = 0; ns < 2; ns++)
    for (int z = 0; z < 3; z++) {
        l.r.no_shuffle = ns;
        size_t n = sizes[z];
        unsigned char *rows = rows_make(&l, n);
        for (int m = 0; m < 4; m++)
            for (int t = 1; t <= 3; t++) {
#ifdef _OPENMP
                omp_set_num_threads(t);
#endif
                copy_ctx c = {rows, l.r.size, SIZE_MAX, 0};
                assert_int_equal(write_file(pa, &l, rows, n, comps[m], libs[m], NULL), 0);
                assert_int_equal(write_file(pb, &l, rows, n, comps[m], libs[m], &c), 0);
                assert_true(c.calls >= (int)((n + ch - 1) / ch));
                unsigned filters = comps[m] == CM_COMP_DEFLATE ? (ns ? 2u : 3u) : 0u;
                assert_int_equal(compare_files(pa, pb, &l, rows, n, filters), (n + ch - 1) / ch);
                unlink(pa);
                unlink(pb);
            }
        free(rows);
    }
    /* a fill that fails (in the edge chunk, and in the first): the write fails */
    size_t n = 3 * ch + 123;
    unsigned char *rows = rows_make(&l, n);
    for (int m = 0; m < 4; m++)
        for (int f = 0; f < 2; f++) {
            copy_ctx c = {rows, l.r.size, f ? n - 1 : 5, 0};
            assert_int_equal(write_file(pb, &l, rows, n, comps[m], libs[m], &c), -1);
            assert_int_equal(access(pb, F_OK), -1); /* nothing left behind */
        }
    free(rows);
    rmdir(dir);
    layout_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
