/*
 * rejects.h - internal: what settle tells a person about its rejects: the
 * reject reasons grouped and counted (the terminal summary), the rejects as
 * a CSV file Excel opens (OUT.rejects.csv beside OUT.h5). Fallible
 * functions return a cm_status (engine.h).
 */
#ifndef CASEMIX_REJECTS_H
#define CASEMIX_REJECTS_H

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

/* Groups rej by field + rj_reason_key(reason, 1) into *out, every group,
 * most rows first (ties: earlier first line), and their number into *n.
 * *out is malloc'd and the caller's: free() it (also when *n is 0).
 * CM_OK, or CM_ERR_NOMEM (*out NULL, *n 0, no message). */
cm_status rj_top_reasons(const pl_rejects *rej, rj_reason_count **out, size_t *n);

/* The first line of OUT.rejects.csv (with the UTF-8 BOM Excel needs). */
#define RJ_CSV_HEADER CM_UTF8_BOM "line (行号),case_id (结算ID),field (字段),reason (原因)\r\n"

/* Writes the rejects to path as CSV: UTF-8 with a BOM (Excel), CRLF,
 * RFC 4180 quoting; header line, case_id, field, reason with the Chinese
 * term beside each; one row per reject, by line; header only when there
 * is none. CM_OK, or CM_ERR_OUTPUT with err (the file is removed). */
cm_status rj_write_csv(const pl_rejects *rej, const char *path, char *err, size_t errlen);

#endif
