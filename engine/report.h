/*
 * report.h - internal: what settle tells a person about its rejects: the
 * reject reasons grouped and counted (the terminal summary), the rejects as
 * a CSV file Excel opens (OUT.rejects.csv beside OUT.h5).
 */
#ifndef CASEMIX_REPORT_H
#define CASEMIX_REPORT_H

#include "pipeline.h"

/* The grouping key of a reject reason: quoted values ('13,728.90') become
 * '…' and, with numbers = 1, stand-alone numbers ("line 12", "5,000.00")
 * become …, so that echoed values do not make every reason distinct.
 * Writes at most n bytes (NUL included, cut at a UTF-8 boundary). */
void rj_reason_key(const char *reason, int numbers, char *out, size_t n);

/* One reason group: field, reason as displayed (values left out; numbers
 * too when they differ within the group), rows, first line. */
typedef struct {
    char field[24];
    char text[160];
    int64_t n;
    uint32_t first_line;
} rj_reason_count;

/* Groups rej by field + rj_reason_key(reason, 1); *out (malloc'd, caller
 * frees) holds every group, most rows first (ties: earlier first line).
 * Returns the number of groups, or -1 when out of memory. */
long rj_top_reasons(const pl_rejects *rej, rj_reason_count **out);

/* A file beside the output: OUT without its .h5 / .hdf5 extension +
 * suffix ("x/settlement-2025Q1.h5", ".rejects.csv" ->
 * "x/settlement-2025Q1.rejects.csv"). 0, or -1 when it does not fit. */

/* The first line of OUT.rejects.csv (with the UTF-8 BOM Excel needs). */
#define RJ_CSV_HEADER "\xEF\xBB\xBF" "line (行号),case_id (结算ID),field (字段),reason (原因)\r\n"

/* Writes the rejects to path as CSV: UTF-8 with a BOM (Excel), CRLF,
 * RFC 4180 quoting; header line, case_id, field, reason with the Chinese
 * term beside each; one row per reject, by line; header only when there
 * is none. 0, or -1 with err (the file is removed). */
int rj_write_csv(const pl_rejects *rej, const char *path, char *err, size_t errlen);

#endif
