/*
 * h5out.c - HDF5 output: tables as 1-D chunked compound datasets with flat
 * fixed-size members (the layout H5TBmake_table writes, so PyTables,
 * HDFView, h5dump and h5py all read them as tables), shuffle + deflate
 * (deflate alone for a table made with h5row.no_shuffle: /flags) or no
 * filter, UTF-8 variable-length lookups for Chinese names, and a
 * temporary file renamed into place at the end.
 *
 * Compressed tables are the slow part of a run (deflate runs at ~60 MB/s
 * per core), and HDF5's filter pipeline compresses on the calling thread
 * only. h5w_rows_fast therefore shuffles and deflates whole chunks on all
 * threads, with libdeflate or zlib, and hands them to H5Dwrite_chunk: the
 * chunk bytes are exactly what the shuffle + deflate filters would store.
 * h5w_rows_fill does the same for a table made a chunk at a time by a
 * callback (supervision's /flags and /review_sample): fill, shuffle and
 * deflate on one thread per chunk, chunks written in order as they finish,
 * so the writes overlap the other threads' work and no buffer holds the
 * table.
 */
#include "h5out.h"

#include <errno.h>
#include <libdeflate.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The casemix_kind of an open file: from the attribute, else (files of
 * casemix before the attribute) from the program attribute and the tables;
 * "" when casemix did not write it. */
static void file_kind(hid_t f, char *kind, size_t n)
{
    kind[0] = '\0';
    const char *names[2] = {"casemix_kind", "program"};
    char val[2][64] = {"", ""};
    for (int i = 0; i < 2; i++) {
        if (H5Aexists(f, names[i]) <= 0) continue;
        hid_t a = H5Aopen(f, names[i], H5P_DEFAULT);
        hid_t t = a >= 0 ? H5Aget_type(a) : -1;
        if (t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t) && H5Tget_size(t) < sizeof val[i]) {
            hid_t mt = H5Tcopy(t);
            H5Tset_size(mt, sizeof val[i]);
            H5Tset_strpad(mt, H5T_STR_NULLTERM);
            if (H5Aread(a, mt, val[i]) < 0) val[i][0] = '\0';
            val[i][sizeof val[i] - 1] = '\0';
            H5Tclose(mt);
        }
        if (t >= 0) H5Tclose(t);
        if (a >= 0) H5Aclose(a);
    }
    if (val[0][0]) {
        snprintf(kind, n, "%s", val[0]);
    } else if (strncmp(val[1], "casemix ", 8) == 0) {
        if (H5Lexists(f, "calibration", H5P_DEFAULT) > 0) snprintf(kind, n, "%s", H5_KIND_CALIBRATION);
        else if (H5Lexists(f, "summary", H5P_DEFAULT) > 0) snprintf(kind, n, "%s", H5_KIND_SETTLEMENT);
    }
}

void h5_file_kind(hid_t f, char *kind, size_t n)
{
    file_kind(f, kind, n);
}

cm_status cm_side_check_target(const char *path, const char *header, const char *option, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return CM_OK;
    char first[256] = "";
    size_t want = strlen(header), got = 0;
    if (want > sizeof first) want = sizeof first; /* a long header: its first 256 bytes mark it */
    FILE *f = S_ISREG(sb.st_mode) ? fopen(path, "rb") : NULL;
    if (f) {
        got = fread(first, 1, want, f);
        fclose(f);
        if (got == want && memcmp(first, header, want) == 0) return CM_OK;
    }
    snprintf(err, errlen, "%s: %s, not one casemix wrote; it was left as it is (nothing was done): pass %s with "
                          "another name, or remove or move the file", path,
             S_ISDIR(sb.st_mode) ? "is a directory" : "is another file", option);
    return CM_ERR_OUTPUT;
}

cm_status h5w_check_target(const char *path, const char *kind, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return CM_OK;   /* absent (or not reachable: creating it will say why) */
    const char *what;
    char found[64] = "", buf[96];
    if (S_ISDIR(sb.st_mode)) {
        what = "is a directory";
    } else {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        hid_t f = S_ISREG(sb.st_mode) ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
        if (f >= 0) {
            file_kind(f, found, sizeof found);
            H5Fclose(f);
        }
        if (f < 0) {
            what = "is not an HDF5 file (casemix writes only over its own output)";
        } else if (!found[0]) {
            what = "is an HDF5 file that casemix did not write";
        } else if (strcmp(found, kind) == 0) {
            return CM_OK;
        } else {
            snprintf(buf, sizeof buf, "is a casemix %s file", found);
            what = buf;
        }
    }
    snprintf(err, errlen, "%s: %s, not a %s output; it was left as it is: pass --out with another file name, "
                          "or remove the file to replace it", path, what, kind);
    return CM_ERR_OUTPUT;
}

cm_status h5w_open(h5w *w, const char *final_path, const char *kind, cm_compression comp, int level, int chunk_rows,
             char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->file = -1;
    snprintf(w->kind, sizeof w->kind, "%s", kind);
    snprintf(w->final_path, sizeof w->final_path, "%s", final_path);
    snprintf(w->tmp_path, sizeof w->tmp_path, "%s.tmp.%ld", final_path, (long)getpid());
    w->comp = comp;
    w->deflate_lib = CM_DEFLATE_LIBDEFLATE;
    w->level = level > 0 ? level : 2;
    w->chunk_rows = chunk_rows > 0 ? chunk_rows : 16384;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_LATEST);
    w->file = H5Fcreate(w->tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (w->file < 0) {
        snprintf(err, errlen, "%s: cannot create the output file (%s); check that the directory "
                              "exists and is writable, or pass --out", w->tmp_path,
                 errno ? strerror(errno) : "HDF5 error");
        return CM_ERR_OUTPUT;
    }
    w->loc = w->file;
    if (h5_attr_str(w->file, "casemix_kind", kind)) {
        snprintf(err, errlen, "%s: cannot write to the output file", w->tmp_path);
        h5w_abort(w);
        return CM_ERR_OUTPUT;
    }
    return CM_OK;
}

cm_status h5w_side(h5w *w, const char *final)
{
    int a = snprintf(w->side_final, sizeof w->side_final, "%s", final);
    int b = snprintf(w->side_tmp, sizeof w->side_tmp, "%s.tmp.%ld", final, (long)getpid());
    if (a < 0 || (size_t)a >= sizeof w->side_final || b < 0 || (size_t)b >= sizeof w->side_tmp) {
        w->side_tmp[0] = w->side_final[0] = '\0';
        return CM_ERR_OUTPUT;
    }
    return CM_OK;
}

cm_status h5w_commit(h5w *w, char *err, size_t errlen)
{
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0 || H5Fclose(w->file) < 0) {
        w->file = -1;
        snprintf(err, errlen, "%s: writing the output failed (disk full?); nothing was left behind",
                 w->final_path);
        unlink(w->tmp_path);
        if (w->side_tmp[0]) unlink(w->side_tmp);
        return CM_ERR_OUTPUT;
    }
    w->file = -1;
    if (h5w_check_target(w->final_path, w->kind, err, errlen)) {
        unlink(w->tmp_path);
        if (w->side_tmp[0]) unlink(w->side_tmp);
        return CM_ERR_OUTPUT;
    }
    /* the side file first: a failed rename then leaves the old pair */
    if (w->side_tmp[0] && rename(w->side_tmp, w->side_final) != 0) {
        snprintf(err, errlen, "%s: cannot rename the finished file into place: %s", w->side_final,
                 strerror(errno));
        unlink(w->side_tmp);
        unlink(w->tmp_path);
        return CM_ERR_OUTPUT;
    }
    if (rename(w->tmp_path, w->final_path) != 0) {
        snprintf(err, errlen, "%s: cannot rename the finished output into place: %s", w->final_path,
                 strerror(errno));
        unlink(w->tmp_path);
        if (w->side_tmp[0]) unlink(w->side_final); /* it belongs to this output only */
        return CM_ERR_OUTPUT;
    }
    w->side_tmp[0] = '\0';
    return CM_OK;
}

void h5w_abort(h5w *w)
{
    if (w->file >= 0) H5Fclose(w->file);
    w->file = -1;
    if (w->tmp_path[0]) unlink(w->tmp_path);
    w->tmp_path[0] = '\0';
    if (w->side_tmp[0]) unlink(w->side_tmp);
    w->side_tmp[0] = '\0';
}

void h5row_begin(h5row *r)
{
    memset(r, 0, sizeof *r);
    r->type = -1;
}

size_t h5row_add(h5row *r, const char *name, hid_t type, size_t size)
{
    /* natural alignment keeps the row usable as a C struct image */
    size_t align = size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
    if (H5Tget_class(type) == H5T_STRING) align = 1;
    size_t off = (r->size + align - 1) / align * align;
    int i = r->nfields++;
    snprintf(r->names[i], sizeof r->names[i], "%s", name);
    r->mtype[i] = type;
    r->moff[i] = off;
    r->mown[i] = 0;
    r->size = off + size;
    return off;
}

size_t h5row_add_str(h5row *r, const char *name, size_t len)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, len ? len : 1);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    H5Tset_cset(t, H5T_CSET_UTF8); /* ids, codes and reasons are UTF-8 text (Chinese in reasons, ids) */
    size_t off = h5row_add(r, name, t, len ? len : 1);
    r->mown[r->nfields - 1] = 1;
    return off;
}

void h5row_end(h5row *r)
{
    r->size = (r->size + 7) / 8 * 8;
    r->type = H5Tcreate(H5T_COMPOUND, r->size);
    for (int i = 0; i < r->nfields; i++) {
        H5Tinsert(r->type, r->names[i], r->moff[i], r->mtype[i]);
        if (r->mown[i]) H5Tclose(r->mtype[i]);
    }
}

void h5row_free(h5row *r)
{
    if (r->type >= 0) H5Tclose(r->type);
    r->type = -1;
}

int h5_attr_str(hid_t obj, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(value) + 1);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, t, value) >= 0 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

int h5_attr_i64(hid_t obj, const char *name, int64_t v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

int h5_attr_f64(hid_t obj, const char *name, double v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, &v) >= 0 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

static hid_t dcpl_for(h5w *w, size_t rowsize, int shuffle, hsize_t nrows)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    /* chunks of chunk_rows rows, kept between ~10 KiB and 1 MiB */
    hsize_t ch = (hsize_t)w->chunk_rows;
    while (ch > 1 && ch * rowsize > ((hsize_t)1 << 20)) ch /= 2;
    while (ch * rowsize < 10240 && ch < 1048576) ch *= 2;
    if (nrows > 0 && ch > nrows) ch = nrows;
    if (ch < 1) ch = 1;
    H5Pset_chunk(dcpl, 1, &ch);
    if (w->comp == CM_COMP_DEFLATE) {
        if (shuffle) H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, (unsigned)w->level);
    }
    return dcpl;
}

hid_t h5w_table(h5w *w, const char *name, const char *title, const h5row *r, hsize_t nrows)
{
    hsize_t dims = nrows, maxd = H5S_UNLIMITED;
    hid_t sp = H5Screate_simple(1, &dims, &maxd);
    hid_t dcpl = dcpl_for(w, r->size, !r->no_shuffle, nrows);
    hid_t ds = H5Dcreate2(w->loc, name, r->type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(sp);
    if (ds < 0) return -1;
    h5_attr_str(ds, "CLASS", "TABLE");
    h5_attr_str(ds, "VERSION", "3.0");
    h5_attr_str(ds, "TITLE", title);
    for (int i = 0; i < r->nfields; i++) {
        char an[48];
        snprintf(an, sizeof an, "FIELD_%d_NAME", i);
        h5_attr_str(ds, an, r->names[i]);
    }
    return ds;
}

int h5w_rows(hid_t ds, const h5row *r, hsize_t first, hsize_t n, const void *buf)
{
    if (n == 0) return 0;
    hid_t fs = H5Dget_space(ds);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &first, NULL, &n, NULL);
    hid_t ms = H5Screate_simple(1, &n, NULL);
    herr_t e = H5Dwrite(ds, r->type, ms, fs, H5P_DEFAULT, buf);
    H5Sclose(ms);
    H5Sclose(fs);
    return e < 0 ? -1 : 0;
}

hsize_t h5w_chunk_rows(hid_t ds)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    hsize_t ch = 0;
    if (dcpl >= 0) {
        if (H5Pget_layout(dcpl) == H5D_CHUNKED) H5Pget_chunk(dcpl, 1, &ch);
        H5Pclose(dcpl);
    }
    return ch;
}

/* Has dataset ds the shuffle filter (h5w_table: unless h5row.no_shuffle)? */
static int ds_shuffled(hid_t ds)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    int on = 0, nf = dcpl >= 0 ? H5Pget_nfilters(dcpl) : 0;
    for (int i = 0; i < nf; i++) {
        unsigned flags, cd[8];
        size_t ncd = 8;
        if (H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_SHUFFLE) on = 1;
    }
    if (dcpl >= 0) H5Pclose(dcpl);
    return on;
}

/* The shuffle filter's byte transposition for elements of size es:
 * byte b of element i goes to out[b * n + i]. */
static void shuffle_bytes(const unsigned char *in, unsigned char *out, size_t n, size_t es)
{
    size_t i = 0;
#ifdef __SSE2__
    /* 8 elements at a time, 8 bytes of each transposed in registers: one
     * 8-byte store per output run instead of 8 strided byte stores (the
     * byte loop below stalled on its stores: most of the write's CPU) */
    for (; i + 8 <= n; i += 8) {
        const unsigned char *e = in + i * es;
        size_t b = 0;
        for (; b + 8 <= es; b += 8) {
            __m128i a[8];
            for (int k = 0; k < 8; k++) a[k] = _mm_loadl_epi64((const __m128i *)(const void *)(e + (size_t)k * es + b));
            __m128i t0 = _mm_unpacklo_epi8(a[0], a[1]), t1 = _mm_unpacklo_epi8(a[2], a[3]);
            __m128i t2 = _mm_unpacklo_epi8(a[4], a[5]), t3 = _mm_unpacklo_epi8(a[6], a[7]);
            __m128i u0 = _mm_unpacklo_epi16(t0, t1), u1 = _mm_unpackhi_epi16(t0, t1);
            __m128i u2 = _mm_unpacklo_epi16(t2, t3), u3 = _mm_unpackhi_epi16(t2, t3);
            __m128i v[4] = {_mm_unpacklo_epi32(u0, u2), _mm_unpackhi_epi32(u0, u2), _mm_unpacklo_epi32(u1, u3),
                            _mm_unpackhi_epi32(u1, u3)};
            for (int q = 0; q < 4; q++) {
                _mm_storel_epi64((__m128i *)(void *)(out + (b + 2 * (size_t)q) * n + i), v[q]);
                _mm_storel_epi64((__m128i *)(void *)(out + (b + 2 * (size_t)q + 1) * n + i), _mm_srli_si128(v[q], 8));
            }
        }
        for (; b < es; b++) {
            uint64_t w = 0;
            for (int k = 0; k < 8; k++) w |= (uint64_t)e[(size_t)k * es + b] << (8 * k);
            memcpy(out + b * n + i, &w, 8); /* little-endian: element i + k's byte at i + k */
        }
    }
#endif
    for (; i < n; i++) {
        const unsigned char *e = in + i * es;
        for (size_t b = 0; b < es; b++) out[b * n + i] = e[b];
    }
}

/* One chunk as the shuffle + deflate filters store it: ch rows of es bytes
 * from src (rows < ch: the rest zeros, in full), shuffled into sh (unless
 * !shuf: deflate alone), deflated into dst (bound bytes) with libdeflate
 * (lc) or zlib. Returns the length, 0 on failure. */
static size_t chunk_deflate(struct libdeflate_compressor *lc, int level, int shuf, const unsigned char *src,
                            size_t rows, size_t ch, size_t es, unsigned char *full, unsigned char *sh,
                            unsigned char *dst, size_t bound)
{
    size_t cbytes = ch * es;
    if (rows < ch) { /* the edge chunk is stored whole, padded with zeros */
        if (full != src) memcpy(full, src, rows * es);
        memset(full + rows * es, 0, cbytes - rows * es);
        src = full;
    }
    if (shuf) {
        shuffle_bytes(src, sh, ch, es);
        src = sh;
    }
    if (lc) return libdeflate_zlib_compress(lc, src, cbytes, dst, bound);
    uLongf dl = (uLongf)bound;
    return compress2(dst, &dl, src, (uLong)cbytes, level) == Z_OK ? (size_t)dl : 0;
}

int h5w_rows_fast(h5w *w, hid_t ds, const h5row *r, hsize_t first, hsize_t n, const void *buf)
{
    hsize_t ch = h5w_chunk_rows(ds);
    if (w->comp != CM_COMP_DEFLATE || w->deflate_lib == CM_DEFLATE_HDF5 || ch == 0 || first % ch)
        return h5w_rows(ds, r, first, n, buf);
    size_t es = r->size, cbytes = (size_t)ch * es;
    size_t nch = (size_t)((n + ch - 1) / ch);
    size_t bound = (size_t)compressBound((uLong)cbytes) + 64;
    unsigned char *out = malloc(nch * bound);
    size_t *olen = calloc(nch, sizeof *olen);
    int bad = !out || !olen;
    int lib = w->deflate_lib, level = w->level, shuf = ds_shuffled(ds);
#pragma omp parallel reduction(+ : bad)
    {
        unsigned char *full = malloc(cbytes), *sh = malloc(cbytes);
        struct libdeflate_compressor *lc = lib == CM_DEFLATE_LIBDEFLATE ? libdeflate_alloc_compressor(level) : NULL;
        if (!full || !sh || (lib == CM_DEFLATE_LIBDEFLATE && !lc)) bad++;
#pragma omp for schedule(dynamic, 1)
        for (long k = 0; k < (long)nch; k++) {
            if (bad) continue;
            hsize_t rows = (hsize_t)k * ch + ch <= n ? ch : n - (hsize_t)k * ch;
            const unsigned char *src = (const unsigned char *)buf + (size_t)k * cbytes;
            olen[k] = chunk_deflate(lc, level, shuf, src, (size_t)rows, (size_t)ch, es, full, sh, out + (size_t)k * bound,
                                    bound);
            if (!olen[k]) bad++;
        }
        if (lc) libdeflate_free_compressor(lc);
        free(full);
        free(sh);
    }
    for (size_t k = 0; !bad && k < nch; k++) {
        hsize_t off = first + (hsize_t)k * ch;
        if (H5Dwrite_chunk(ds, H5P_DEFAULT, 0, &off, olen[k], out + k * bound) < 0) bad++;
    }
    free(out);
    free(olen);
    return bad ? -1 : 0;
}

int h5w_rows_fill(h5w *w, hid_t ds, const h5row *r, size_t n, h5w_fill_fn fill, void *ctx)
{
    if (n == 0) return 0;
    size_t es = r->size, ch = (size_t)h5w_chunk_rows(ds);
    int bad = 0;
    if (w->comp != CM_COMP_DEFLATE || w->deflate_lib == CM_DEFLATE_HDF5 || ch == 0) {
        /* HDF5's own pipeline (or none): batches of whole chunks (about
         * 64K rows), each filled a chunk per task, written with h5w_rows */
        size_t piece = ch ? ch : 16384, batch = piece >= 65536 ? piece : 65536 / piece * piece;
        if (batch > n) batch = n;
        unsigned char *buf = malloc(batch * es);
        if (!buf) return -1;
        for (size_t at = 0; !bad && at < n; at += batch) {
            size_t m = n - at < batch ? n - at : batch, np = (m + piece - 1) / piece;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : bad)
            for (long k = 0; k < (long)np; k++) {
                size_t a = (size_t)k * piece, b = a + piece < m ? a + piece : m;
                if (fill(ctx, at + a, b - a, buf + a * es)) bad++;
            }
            if (!bad && h5w_rows(ds, r, at, m, buf)) bad++;
        }
        free(buf);
        return bad ? -1 : 0;
    }
    size_t cbytes = ch * es, nch = (n + ch - 1) / ch, bound = (size_t)compressBound((uLong)cbytes) + 64;
    int lib = w->deflate_lib, level = w->level, stop = 0, shuf = ds_shuffled(ds);
#pragma omp parallel reduction(+ : bad)
    {
        unsigned char *rows = malloc(cbytes), *sh = malloc(cbytes), *dst = malloc(bound);
        struct libdeflate_compressor *lc = lib == CM_DEFLATE_LIBDEFLATE ? libdeflate_alloc_compressor(level) : NULL;
        int mine = !rows || !sh || !dst || (lib == CM_DEFLATE_LIBDEFLATE && !lc);
#pragma omp for schedule(dynamic, 1) ordered
        for (long lk = 0; lk < (long)nch; lk++) {
            size_t k = (size_t)lk, m = k * ch + ch <= n ? ch : n - k * ch, len = 0;
            int halt;
#pragma omp atomic read
            halt = stop;
            if (!mine && !halt) {
                if (fill(ctx, k * ch, m, rows)) mine = 1;
                else if (!(len = chunk_deflate(lc, level, shuf, rows, m, ch, es, rows, sh, dst, bound))) mine = 1;
            }
            /* written in chunk order (the file's layout as h5w_rows_fast's)
             * while the other threads fill and deflate the next chunks */
#pragma omp ordered
            {
                hsize_t off = (hsize_t)k * ch;
                if (!mine && len && H5Dwrite_chunk(ds, H5P_DEFAULT, 0, &off, len, dst) < 0) mine = 1;
                if (mine) {
#pragma omp atomic write
                    stop = 1;
                }
            }
        }
        if (lc) libdeflate_free_compressor(lc);
        free(rows);
        free(sh);
        free(dst);
        bad += mine;
    }
    return bad || stop ? -1 : 0;
}

int h5_strings(h5w *w, const char *name, const char *const *s, size_t n, const char *title)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hsize_t dims = n;
    hid_t sp = H5Screate_simple(1, &dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (n > 0) {
        hsize_t ch = n < 4096 ? n : 4096;
        H5Pset_chunk(dcpl, 1, &ch);
        if (w->comp == CM_COMP_DEFLATE) H5Pset_deflate(dcpl, (unsigned)w->level);
    }
    hid_t ds = H5Dcreate2(w->loc, name, t, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    int rc = -1;
    if (ds >= 0) {
        rc = n == 0 || H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) >= 0 ? 0 : -1;
        h5_attr_str(ds, "TITLE", title);
        H5Dclose(ds);
    }
    H5Pclose(dcpl);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

hid_t h5_enum_u8(const char *const *names, int n)
{
    hid_t t = H5Tenum_create(H5T_NATIVE_UINT8);
    for (int i = 0; i < n; i++) {
        uint8_t v = (uint8_t)i;
        H5Tenum_insert(t, names[i], &v);
    }
    return t;
}

hid_t h5_open_read(const char *path, char *why, size_t n)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct stat sb;
    int st = stat(path, &sb);
    hid_t f = st == 0 && S_ISREG(sb.st_mode) ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (f < 0)
        snprintf(why, n, "%s", st != 0 ? strerror(errno) : S_ISDIR(sb.st_mode) ? "is a directory" : "is not an HDF5 file");
    return f;
}

/* A 1-D UTF-8 string dataset (/institution_names ...) of exactly n rows, as
 * malloc'd copies (h5_names_free); NULL when absent or of another length. */
char **h5_names_read(hid_t f, const char *path, hsize_t n)
{
    if (n == 0 || H5Lexists(f, path, H5P_DEFAULT) <= 0) return NULL;
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    hid_t ft = d >= 0 ? H5Dget_type(d) : -1;
    hsize_t nn = 0;
    char **out = NULL;
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1) H5Sget_simple_extent_dims(sp, &nn, NULL);
    if (nn == n && ft >= 0 && H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) > 0) {
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, H5T_VARIABLE);
        H5Tset_cset(st, H5T_CSET_UTF8);
        char **raw = calloc(n, sizeof *raw);
        out = calloc(n, sizeof *out);
        if (raw && out && H5Dread(d, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0) {
            for (hsize_t i = 0; i < n; i++) out[i] = strdup(raw[i] ? raw[i] : "");
            H5Dvlen_reclaim(st, sp, H5P_DEFAULT, raw);
        } else {
            free(out);
            out = NULL;
        }
        free(raw);
        H5Tclose(st);
    }
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return out;
}

void h5_names_free(char **s, hsize_t n)
{
    if (!s) return;
    for (hsize_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

void h5_names_order(hid_t obj, const char *attr, char *names, size_t stride, int n)
{
    if (n < 2 || H5Aexists(obj, attr) <= 0) return;
    hid_t a = H5Aopen(obj, attr, H5P_DEFAULT);
    hid_t ft = a >= 0 ? H5Aget_type(a) : -1;
    char *list = NULL;
    if (ft >= 0 && H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) <= 0) {
        size_t L = H5Tget_size(ft);
        list = calloc(L + 1, 1);
        if (list && H5Aread(a, ft, list) < 0) { free(list); list = NULL; }
    }
    if (ft >= 0) H5Tclose(ft);
    if (a >= 0) H5Aclose(a);
    char *tmp = list ? malloc(stride * (size_t)n) : NULL;
    char *used = tmp ? calloc((size_t)n, 1) : NULL;
    if (used) {
        int k = 0;
        for (char *p = list; *p && k < n;) { /* the attribute's order first */
            size_t w = strcspn(p, ",");
            while (w > 0 && p[w - 1] == ' ') w--;
            for (int i = 0; i < n; i++)
                if (!used[i] && strlen(names + stride * (size_t)i) == w && !strncmp(names + stride * (size_t)i, p, w)) {
                    memcpy(tmp + stride * (size_t)k++, names + stride * (size_t)i, stride);
                    used[i] = 1;
                    break;
                }
            p += strcspn(p, ",");
            while (*p == ',' || *p == ' ') p++;
        }
        for (int i = 0; i < n; i++) /* names the attribute does not list: after, in their order */
            if (!used[i]) memcpy(tmp + stride * (size_t)k++, names + stride * (size_t)i, stride);
        memcpy(names, tmp, stride * (size_t)n);
    }
    free(used);
    free(tmp);
    free(list);
}

/* A string attribute of obj ("" when absent). */
const char *h5_attr_text(hid_t obj, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    if (H5Aexists(obj, name) <= 0) return out;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = a >= 0 ? H5Aget_type(a) : -1;
    if (ft >= 0 && H5Tget_class(ft) == H5T_STRING) {
        if (H5Tis_variable_str(ft) > 0) {
            char *s = NULL;
            hid_t st = H5Tcopy(H5T_C_S1);
            H5Tset_size(st, H5T_VARIABLE);
            if (H5Aread(a, st, &s) >= 0 && s) {
                snprintf(out, cap, "%s", s);
                H5free_memory(s);
            }
            H5Tclose(st);
        } else {
            size_t L = H5Tget_size(ft);
            char *b = calloc(1, L + 1);
            if (b && H5Aread(a, ft, b) >= 0) snprintf(out, cap, "%s", b);
            free(b);
        }
    }
    if (ft >= 0) H5Tclose(ft);
    if (a >= 0) H5Aclose(a);
    return out;
}

/* A numeric attribute of obj, NaN when absent. */
double h5_attr_num(hid_t obj, const char *name)
{
    double v = NAN;
    if (H5Aexists(obj, name) <= 0) return v;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) v = NAN;
    if (a >= 0) H5Aclose(a);
    return v;
}
