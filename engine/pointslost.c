/*
 * pointslost.c - the points a rating lost per row of /indicators, read back
 * from a settlement file (casemix report's 不达标 table, casemix export's
 * points_lost column on the indicators sheet): the rows' institution_id,
 * indicator and points, the weights from the attribute "rating"; the
 * arithmetic is scoring's sc_rows_points_lost.
 */
#include "settle.h"
#include "h5out.h"

#include <hdf5.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define PL_ID 64   /* institution_id and indicator read as strings of at most PL_ID - 1 bytes */

typedef struct {
    char inst[PL_ID], ind[PL_ID];
    double points;
} pl_row;

static const pl_row *pl_rows;   /* for pl_by_inst (qsort has no context) */
static int pl_by_inst(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(pl_rows[i].inst, pl_rows[j].inst);
    return c ? c : (i > j) - (i < j);
}

/* A member of compound ft as a string of PL_ID bytes (the file's character set), or -1. */
static hid_t pl_str(hid_t ft, const char *name)
{
    int k = H5Tget_member_index(ft, name);
    if (k < 0) return -1;
    hid_t t = H5Tget_member_type(ft, (unsigned)k);
    if (t < 0) return -1;
    hid_t s = H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) <= 0 ? H5Tcopy(t) : -1;
    H5Tclose(t);
    if (s >= 0) H5Tset_size(s, PL_ID);
    return s;
}

double *cm_indicators_points_lost(hid_t f, size_t *nrows)
{
    *nrows = 0;
    if (H5Lexists(f, "/indicators", H5P_DEFAULT) <= 0) return NULL;
    hid_t d = H5Dopen2(f, "/indicators", H5P_DEFAULT);
    hid_t ft = d >= 0 ? H5Dget_type(d) : -1, sp = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t n = 0;
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1) H5Sget_simple_extent_dims(sp, &n, NULL);
    hid_t si = ft >= 0 && H5Tget_class(ft) == H5T_COMPOUND ? pl_str(ft, "institution_id") : -1;
    hid_t sn = ft >= 0 && H5Tget_class(ft) == H5T_COMPOUND ? pl_str(ft, "indicator") : -1;
    int hp = ft >= 0 && H5Tget_class(ft) == H5T_COMPOUND && H5Tget_member_index(ft, "points") >= 0;
    double *lost = NULL;
    pl_row *r = NULL;
    size_t *g = NULL, *ord = NULL;
    double *w = NULL, *pt = NULL, *ws = NULL;
    hid_t m = -1;
    if (si < 0 || sn < 0 || !hp || n == 0) goto done;
    m = H5Tcreate(H5T_COMPOUND, sizeof(pl_row));
    H5Tinsert(m, "institution_id", offsetof(pl_row, inst), si);
    H5Tinsert(m, "indicator", offsetof(pl_row, ind), sn);
    H5Tinsert(m, "points", offsetof(pl_row, points), H5T_NATIVE_DOUBLE);
    r = calloc(n, sizeof *r);
    g = malloc(n * sizeof *g);
    ord = malloc(n * sizeof *ord);
    w = malloc(n * sizeof *w);
    pt = malloc(n * sizeof *pt);
    ws = malloc(n * sizeof *ws);
    lost = malloc(n * sizeof *lost);
    if (!r || !g || !ord || !w || !pt || !ws || !lost || H5Dread(d, m, H5S_ALL, H5S_ALL, H5P_DEFAULT, r) < 0) {
        free(lost);
        lost = NULL;
        goto done;
    }
    char rating[4096];
    h5_attr_text(d, "rating", rating, sizeof rating);
    for (size_t i = 0; i < n; i++) {
        r[i].inst[PL_ID - 1] = r[i].ind[PL_ID - 1] = '\0';
        w[i] = sc_rating_weight(rating, r[i].ind);
        pt[i] = r[i].points;
        ord[i] = i;
    }
    /* the group of a row: the first row of its institution */
    pl_rows = r;
    qsort(ord, n, sizeof *ord, pl_by_inst);
    for (size_t k = 0; k < n; k++)
        g[ord[k]] = k && !strcmp(r[ord[k]].inst, r[ord[k - 1]].inst) ? g[ord[k - 1]] : ord[k];
    sc_rows_points_lost(n, g, w, pt, ws, lost);
    *nrows = (size_t)n;
done:
    free(r); free(g); free(ord); free(w); free(pt); free(ws);
    if (m >= 0) H5Tclose(m);
    if (si >= 0) H5Tclose(si);
    if (sn >= 0) H5Tclose(sn);
    if (sp >= 0) H5Sclose(sp);
    if (ft >= 0) H5Tclose(ft);
    if (d >= 0) H5Dclose(d);
    return lost;
}
