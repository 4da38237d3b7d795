/*
 * h5out.h - internal: HDF5 writing helpers (one thread, outside parallel
 * regions). A file is created under a temporary name in the target
 * directory and renamed at the end; on any failure or interrupt the
 * temporary file is removed, so an output is complete or absent.
 *
 * Status: the file-level functions (h5w_check_target, cm_side_check_target,
 * h5w_open, h5w_side, h5w_commit) return a cm_status (engine.h): CM_OK or
 * CM_ERR_OUTPUT with a message in err. The dataset helpers below them
 * (h5w_table, h5w_rows, h5w_rows_fast, h5_attr_*, h5_strings) keep HDF5's
 * own convention (an id >= 0, or 0, else -1, herr_t-like, no message): the
 * caller (settle_write, cmd_calibrate) folds a -1 into CM_ERR_OUTPUT.
 *
 * Ownership: an h5w owns its open file; h5w_commit or h5w_abort releases
 * it (one of the two, always). An h5row owns its HDF5 types: h5row_free.
 * Ids returned by h5w_table and h5_enum_u8 are the caller's, closed with
 * H5Dclose / H5Tclose.
 */
#ifndef CASEMIX_H5OUT_H
#define CASEMIX_H5OUT_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

typedef struct h5w_s {
    hid_t file;
    hid_t loc;                     /* where h5w_table and h5_strings create: the file (h5w_open),
                                      or a group of it (province: /regions/<code>) */
    cm_deflate_library deflate_lib;
    char kind[32];                 /* casemix_kind of the file: "settlement", ... */
    char final_path[CM_PATH_MAX];
    char tmp_path[CM_PATH_MAX + 32];
    cm_compression comp;
    int level;
    int chunk_rows;
    /* a side file written beside the output (h5w_side): renamed into place
     * with it by h5w_commit, removed with it by h5w_abort */
    char side_tmp[CM_PATH_MAX + 64];
    char side_final[CM_PATH_MAX + 32];
} h5w;

/* The kinds of HDF5 file casemix writes: the file attribute casemix_kind
 * (a settle output is never overwritten by a calibration, and so on). */
#define H5_KIND_SETTLEMENT "settlement"     /* casemix settle */
#define H5_KIND_CALIBRATION "calibration"   /* casemix calibrate */
#define H5_KIND_WRITE_FLOOR "write-floor"   /* casemix bench --stage write */
#define H5_KIND_PROVINCE "province"         /* casemix settle on a province configuration */

/* Whether casemix may write an output of this kind at path: CM_OK when path
 * does not exist or is a casemix file of the same kind (a re-run
 * overwrites its own output); CM_ERR_OUTPUT otherwise, with "PATH: is ...; pass --out
 * elsewhere or remove it" in err (another kind, an HDF5 file casemix did
 * not write, not HDF5 at all, a directory). Files of casemix before the
 * attribute existed are recognised by their program attribute and tables. */
cm_status h5w_check_target(const char *path, const char *kind, char *err, size_t errlen);
/* The casemix_kind of an open file ("settlement", ...; files of casemix
 * before the attribute by their program attribute and tables), "" when
 * casemix did not write it (casemix export checks its input with it). */
void h5_file_kind(hid_t f, char *kind, size_t n);
/* Opens path read-only (HDF5's error printing off): the file, or -1 with
 * why set to what is wrong ("No such file or directory", "is a directory",
 * "is not an HDF5 file"). The caller closes the file (H5Fclose). */
hid_t h5_open_read(const char *path, char *why, size_t n);
/* The same for a file that is not HDF5 (OUT.rejects.csv, OUT.catalogue.csv,
 * --timings, export's CSVs): CM_OK when path does not exist or is a
 * regular file whose first bytes are header (one casemix wrote before, to
 * be replaced); else CM_ERR_OUTPUT with "a file casemix did not write;
 * pass OPTION with another name or remove it" in err (option: the option
 * that names the path, e.g. "--out", "--timings", "--csv"). */
cm_status cm_side_check_target(const char *path, const char *header, const char *option, char *err, size_t errlen);

/* Creates the temporary file next to final_path, with the file attribute
 * casemix_kind = kind. CM_OK, or CM_ERR_OUTPUT (err; nothing left open). */
cm_status h5w_open(h5w *w, const char *final_path, const char *kind, cm_compression comp, int level, int chunk_rows,
                   char *err, size_t errlen);
/* Flushes, closes, checks the final name again (h5w_check_target: a file
 * of another kind that appeared meanwhile is not replaced) and renames to
 * it. CM_OK, or CM_ERR_OUTPUT (err; the temporary files are removed). */
cm_status h5w_commit(h5w *w, char *err, size_t errlen);
/* Closes and removes the temporary file (and the side file's); safe to
 * call twice. */
void h5w_abort(h5w *w);
/* Names a side file (e.g. OUT.rejects.csv) that goes with the output: the
 * caller writes it to w->side_tmp (set here: final + ".tmp.PID"); commit
 * renames it to final together with the output, abort removes it, so the
 * two are both new or both absent. CM_OK, or CM_ERR_OUTPUT when the path
 * is too long (no message: the caller names the path). */
cm_status h5w_side(h5w *w, const char *final);

/* Compound type builder for flat table rows. */
typedef struct {
    hid_t type;
    size_t size;
    int nfields;
    char names[64][40];
    hid_t mtype[64];
    size_t moff[64];
    int mown[64];
    int no_shuffle;                /* set before h5w_table: deflate without the shuffle filter (docs/METHODS.md §11:
                                      /flags, whose string-heavy rows deflate faster unshuffled) */
} h5row;

void h5row_begin(h5row *r);
/* Appends a member; returns its offset in the row. */
size_t h5row_add(h5row *r, const char *name, hid_t type, size_t size);
size_t h5row_add_str(h5row *r, const char *name, size_t len);  /* fixed ASCII, NUL-padded */
void h5row_end(h5row *r);   /* creates r->type */
void h5row_free(h5row *r);

/* Creates a chunked 1-D table dataset of nrows rows (filters per w) with
 * the HDF5 Table attributes (CLASS, VERSION, TITLE, FIELD_i_NAME).
 * Returns the dataset id (the caller's: H5Dclose) or -1. */
hid_t h5w_table(h5w *w, const char *name, const char *title, const h5row *r, hsize_t nrows);
/* Writes rows [first, first+n) from buf. 0 or -1. */
int h5w_rows(hid_t ds, const h5row *r, hsize_t first, hsize_t n, const void *buf);

/* Rows per chunk of a dataset made by h5w_table (for h5w_rows_fast). */
hsize_t h5w_chunk_rows(hid_t ds);

/* As h5w_rows, but with deflate output and a library other than "hdf5"
 * the chunks are shuffled and compressed on all threads (OpenMP, one chunk
 * per task) and written in order with H5Dwrite_chunk: the same filters and
 * file layout that HDF5's own pipeline writes, so stock tools read it, and
 * the same bytes at any thread count. first must be a multiple of the chunk
 * rows; n too, except for the last call. Falls back to h5w_rows otherwise. */
int h5w_rows_fast(h5w *w, hid_t ds, const h5row *r, hsize_t first, hsize_t n, const void *buf);

/* Rows [first, first + n) of a table, each of r->size bytes written whole
 * (padding and string tails zeroed) into buf; 0, or nonzero to stop the
 * write. Called on any thread, for disjoint row ranges. */
typedef int (*h5w_fill_fn)(void *ctx, size_t first, size_t n, unsigned char *buf);
/* Writes rows [0, n) of ds as fill makes them, a chunk at a time: with
 * deflate output (not the "hdf5" library) each chunk filled, shuffled and
 * deflated on one thread and written in chunk order (H5Dwrite_chunk) as the
 * threads finish them, a chunk of rows per thread in memory instead of the
 * table; otherwise filled in batches of whole chunks written by h5w_rows.
 * The same file bytes as filling the table and h5w_rows_fast. 0 or -1. */
int h5w_rows_fill(h5w *w, hid_t ds, const h5row *r, size_t n, h5w_fill_fn fill, void *ctx);

/* Attributes on any object. 0 or -1. */
int h5_attr_str(hid_t obj, const char *name, const char *value);
int h5_attr_i64(hid_t obj, const char *name, int64_t v);
int h5_attr_f64(hid_t obj, const char *name, double v);
/* 1-D UTF-8 variable-length string dataset (names in Chinese). 0 or -1;
 * s stays the caller's. */
int h5_strings(h5w *w, const char *name, const char *const *s, size_t n, const char *title);
/* An enum type over names[0..n-1] with values 0..n-1 (uint8); the caller
 * closes it with H5Tclose. -1 on failure. */
hid_t h5_enum_u8(const char *const *names, int n);

/* A 1-D UTF-8 string dataset (/institution_names, /rule_names ...) of exactly
 * n rows as malloc'd copies, freed with h5_names_free; NULL when absent or of
 * another length (report.c, export.c). */
char **h5_names_read(hid_t f, const char *path, hsize_t n);
void h5_names_free(char **s, hsize_t n);
/* Reorders n names (each a char array of stride bytes at names) by the
 * comma-separated list in the string attribute attr of obj (simulate.c's
 * /scenarios "names": the configuration's order); names it does not list
 * follow in their order. Nothing changes without the attribute. */
void h5_names_order(hid_t obj, const char *attr, char *names, size_t stride, int n);
/* Attribute readers (report.c, export.c): a numeric attribute of obj as a
 * double, NaN when absent; a string attribute (fixed or variable length)
 * into out (cap bytes), "" when absent; returns out. */
double h5_attr_num(hid_t obj, const char *name);
const char *h5_attr_text(hid_t obj, const char *name, char *out, size_t cap);

/* The points the rating lost per row of /indicators (pointslost.c; report.c's
 * 不达标 table, export.c's points_lost column): sc_rows_points_lost on the
 * rows' institution_id, indicator and points with the weights of the
 * attribute "rating" (sc_rating_weight). A malloc'd array of *n entries in
 * the table's row order (the caller frees), or NULL (*n 0) when the file has
 * no /indicators with those members. */
double *cm_indicators_points_lost(hid_t f, size_t *n);

#endif
