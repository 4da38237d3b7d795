/*
 * ratinglost.c - the points a rating lost per row of a stored /indicators
 * table (the workbook's points_lost column and the report's 不达标 table read
 * it back from the file; sc_rate_lost gives the same figures in the run).
 */
#include "scoring.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double sc_rating_weight(const char *rating, const char *code)
{
    const char *wl = rating ? strstr(rating, "direction:") : NULL;
    if (!wl || !code || !code[0]) return NAN;
    char key[72];
    if ((size_t)snprintf(key, sizeof key, " %s=", code) >= sizeof key) return NAN;
    const char *q = strstr(wl, key);
    if (!q) return NAN;
    char *end;
    double w = strtod(q + strlen(key), &end);
    return end == q + strlen(key) ? NAN : w;
}

void sc_rows_points_lost(size_t n, const size_t *g, const double *w, const double *points, double *wsum, double *lost)
{
    for (size_t i = 0; i < n; i++) wsum[i] = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(points[i])) wsum[g[i]] += w[i];   /* an unknown weight (NaN) makes the sum NaN */
    for (size_t i = 0; i < n; i++) {
        double W = wsum[g[i]];
        lost[i] = isnan(points[i]) || isnan(W) || W <= 0 ? NAN : points[i] == 0 ? 100.0 * w[i] / W : 0;
    }
}
