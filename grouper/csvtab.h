/*
 * csvtab.h - private to the grouper library: a small reader for reference
 * tables (catalogues, code lists, CHS-DRG tables). Not for bulk records
 * (the engine has its own parallel reader).
 *
 * The whole file is read into memory; rows are returned one at a time with
 * fields unquoted in place (RFC 4180: quotes, "" escapes, commas and
 * newlines inside quotes), NUL-terminated, pointing into the buffer. A
 * UTF-8 BOM is skipped; CRLF and LF are accepted.
 */
#ifndef CASEMIX_GROUPER_CSVTAB_H
#define CASEMIX_GROUPER_CSVTAB_H

#include <stddef.h>
#include "grouper.h"

typedef struct {
    char *buf;          /* file bytes + NUL, owned */
    size_t len;
    size_t pos;
    long line;          /* physical line of the next row, 1-based */
    const char *path;   /* not owned */
} gr_csvtab;

/* Reads path. Returns GR_OK or GR_ERR_IO / GR_ERR_NOMEM with err filled. */
gr_status gr_csvtab_open(gr_csvtab *t, const char *path, gr_error *err);

/* Next row: fills fields[0..*nfields-1] (at most max_fields; extra fields
 * are counted in *nfields but not stored) and *line (1-based line where the
 * row starts). Returns 1 for a row, 0 at end of file, -1 on an unterminated
 * quote (err filled). Empty lines are skipped. */
int gr_csvtab_next(gr_csvtab *t, char **fields, int max_fields, int *nfields,
                   long *line, gr_error *err);

/* Index of the header column named name (exact, after trimming), or -1. */
int gr_csvtab_col(char **hdr, int n, const char *name);

void gr_csvtab_close(gr_csvtab *t);

/* Fills err (file, line, field, printf-style message). Returns GR status s. */
gr_status gr_seterr(gr_error *err, gr_status s, const char *file, long line,
                    const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

#endif
