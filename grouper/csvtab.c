/*
 * csvtab.c - whole-file RFC 4180 reader for the grouper's reference tables.
 * Fields are unquoted in place: the unquoted text is never longer than the
 * quoted one, so the buffer can be rewritten as we go.
 */
#include "csvtab.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gr_status gr_seterr(gr_error *err, gr_status s, const char *file, long line,
                    const char *field, const char *fmt, ...)
{
    if (!err) return s;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return s;
}

gr_status gr_csvtab_open(gr_csvtab *t, const char *path, gr_error *err)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    FILE *f = fopen(path, "rb");
    if (!f)
        return gr_seterr(err, GR_ERR_IO, path, 0, "", "cannot open: %s; check the path in the configuration",
                         strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) { fclose(f); return gr_seterr(err, GR_ERR_NOMEM, path, 0, "", "out of memory"); }
    for (;;) {
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) { free(buf); fclose(f); return gr_seterr(err, GR_ERR_NOMEM, path, 0, "", "out of memory"); }
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); return gr_seterr(err, GR_ERR_IO, path, 0, "", "read error"); }
    buf[len] = '\0';
    t->buf = buf;
    t->len = len;
    t->line = 1;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF)
        t->pos = 3;
    return GR_OK;
}

static void trim_inplace(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t') p++;
    char *e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
    *s = p;
}

int gr_csvtab_next(gr_csvtab *t, char **fields, int max_fields, int *nfields,
                   long *line, gr_error *err)
{
    char *b = t->buf;
    /* skip empty lines */
    while (t->pos < t->len && (b[t->pos] == '\n' || b[t->pos] == '\r')) {
        if (b[t->pos] == '\n') t->line++;
        t->pos++;
    }
    if (t->pos >= t->len) return 0;
    *line = t->line;
    int n = 0;
    size_t i = t->pos;
    for (;;) {
        char *out = b + i, *start = out;
        if (b[i] == '"') {
            long qline = t->line;
            i++;
            for (;;) {
                if (i >= t->len) {
                    gr_seterr(err, GR_ERR_FORMAT, t->path, qline, "",
                              "unterminated quoted field; close the quote or remove it");
                    return -1;
                }
                if (b[i] == '"') {
                    if (b[i + 1] == '"') { *out++ = '"'; i += 2; continue; }
                    i++;
                    break;
                }
                if (b[i] == '\n') t->line++;
                *out++ = b[i++];
            }
            /* text after the closing quote up to the delimiter is kept */
            while (i < t->len && b[i] != ',' && b[i] != '\n' && b[i] != '\r') *out++ = b[i++];
        } else {
            while (i < t->len && b[i] != ',' && b[i] != '\n' && b[i] != '\r') out++, i++;
        }
        char end = i < t->len ? b[i] : '\0';
        *out = '\0';
        char *f = start;
        trim_inplace(&f);
        if (n < max_fields) fields[n] = f;
        n++;
        if (end == ',') { i++; continue; }
        /* end of row */
        /* b[i] may already be the NUL written above: test the saved end */
        if (end == '\r') i++;
        if (end == '\n' || (i < t->len && b[i] == '\n')) { i++; t->line++; }
        break;
    }
    t->pos = i;
    *nfields = n;
    return 1;
}

int gr_csvtab_col(char **hdr, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(hdr[i], name) == 0) return i;
    return -1;
}

void gr_csvtab_close(gr_csvtab *t)
{
    if (!t) return;
    free(t->buf);
    t->buf = NULL;
}
