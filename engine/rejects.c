/*
 * rejects.c - the rejects told to a person: reasons grouped and counted for
 * the terminal summary, and the rejects CSV (OUT.rejects.csv) for Excel.
 */
#include "rejects.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define ELLIPSIS "\xE2\x80\xA6" /* … */

static int word_char(unsigned char c) { return isalnum(c) || c == '_'; }

/* Appends len bytes of s when they fit whole (room for the NUL kept);
 * -1 when full. */
static int put(char *out, size_t n, size_t *o, const char *s, size_t len)
{
    if (*o + len + 1 > n) return -1;
    memcpy(out + *o, s, len);
    *o += len;
    return 0;
}

void rj_reason_key(const char *s, int numbers, char *out, size_t n)
{
    size_t o = 0;
    if (n == 0) return;
    for (size_t i = 0; s[i];) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'' && (i == 0 || !word_char((unsigned char)s[i - 1]))) {
            /* a quoted value: up to the next ' that does not go on into a
             * word (a value may hold an apostrophe) */
            size_t j = i + 1;
            while (s[j] && !(s[j] == '\'' && !word_char((unsigned char)s[j + 1]))) j++;
            if (s[j]) {
                if (put(out, n, &o, "'" ELLIPSIS "'", 5)) break;
                i = j + 1;
                continue;
            }
        }
        if (numbers && isdigit(c) &&
            (i == 0 || (!word_char((unsigned char)s[i - 1]) && s[i - 1] != '.' &&
                        !(s[i - 1] == '-' && i >= 2 && word_char((unsigned char)s[i - 2]))))) {
            /* a stand-alone number (digits with inner . or ,), not a part
             * of a word such as ICD-10, GB18030 or x001 */
            size_t j = i;
            while (isdigit((unsigned char)s[j]) ||
                   ((s[j] == '.' || s[j] == ',') && isdigit((unsigned char)s[j + 1])))
                j++;
            if (!word_char((unsigned char)s[j])) {
                if (o > 0 && (out[o - 1] == '+' || out[o - 1] == '-') && (o == 1 || out[o - 2] == ' '))
                    o--; /* its sign */
                if (put(out, n, &o, ELLIPSIS, 3)) break;
                i = j;
                continue;
            }
        }
        if (put(out, n, &o, s + i, 1)) break;
        i++;
    }
    o = utf8_cut(out, o, o); /* a character cut when full */
    out[o] = '\0';
}

typedef struct {
    rj_reason_count r;
    char key[160];   /* rj_reason_key(reason, 1) */
    int varies;      /* members differ in their numbers: show key */
    uint64_t hash;
} group;

static uint64_t fnv(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *a; a++) h = (h ^ (unsigned char)*a) * 1099511628211ULL;
    h = (h ^ 0x1F) * 1099511628211ULL;
    for (; *b; b++) h = (h ^ (unsigned char)*b) * 1099511628211ULL;
    return h;
}

static int cmp_count(const void *a, const void *b)
{
    const rj_reason_count *x = a, *y = b;
    if (x->n != y->n) return x->n > y->n ? -1 : 1;
    return x->first_line < y->first_line ? -1 : x->first_line > y->first_line;
}

cm_status rj_top_reasons(const pl_rejects *rej, rj_reason_count **out, size_t *nout)
{
    group *g = NULL;
    size_t ng = 0, capg = 0, tcap = 64;
    int32_t *tab = malloc(tcap * sizeof *tab);
    *out = NULL;
    *nout = 0;
    if (!tab) return CM_ERR_NOMEM;
    for (size_t k = 0; k < tcap; k++) tab[k] = -1;
    for (size_t i = 0; i < rej->n; i++) {
        const cm_reject *e = &rej->e[i];
        char key[160], text[160];
        rj_reason_key(e->reason, 1, key, sizeof key);
        uint64_t h = fnv(e->field, key);
        size_t m = tcap - 1, p = (size_t)h & m;
        while (tab[p] >= 0 && !(g[tab[p]].hash == h && strcmp(g[tab[p]].key, key) == 0 &&
                                strcmp(g[tab[p]].r.field, e->field) == 0))
            p = (p + 1) & m;
        rj_reason_key(e->reason, 0, text, sizeof text);
        if (tab[p] >= 0) {
            group *x = &g[tab[p]];
            x->r.n++;
            if (!x->varies && strcmp(x->r.text, text) != 0) x->varies = 1;
            continue; /* rejects are by line: first_line stays the first */
        }
        if (ng == capg) {
            size_t nc = capg ? capg * 2 : 16;
            group *ngp = realloc(g, nc * sizeof *ngp);
            if (!ngp) { free(g); free(tab); return CM_ERR_NOMEM; }
            g = ngp;
            capg = nc;
        }
        group *x = &g[ng];
        memset(x, 0, sizeof *x);
        memcpy(x->r.field, e->field, sizeof x->r.field);
        x->r.field[sizeof x->r.field - 1] = '\0';
        memcpy(x->r.text, text, sizeof text);
        memcpy(x->key, key, sizeof key);
        x->hash = h;
        x->r.n = 1;
        x->r.first_line = e->line;
        tab[p] = (int32_t)ng++;
        if (ng * 2 > tcap) { /* grow and rehash */
            size_t nt = tcap * 2;
            int32_t *t2 = malloc(nt * sizeof *t2);
            if (!t2) { free(g); free(tab); return CM_ERR_NOMEM; }
            for (size_t k = 0; k < nt; k++) t2[k] = -1;
            for (size_t q = 0; q < ng; q++) {
                size_t pp = (size_t)g[q].hash & (nt - 1);
                while (t2[pp] >= 0) pp = (pp + 1) & (nt - 1);
                t2[pp] = (int32_t)q;
            }
            free(tab);
            tab = t2;
            tcap = nt;
        }
    }
    free(tab);
    rj_reason_count *r = malloc((ng ? ng : 1) * sizeof *r);
    if (!r) { free(g); return CM_ERR_NOMEM; }
    for (size_t q = 0; q < ng; q++) {
        r[q] = g[q].r;
        if (g[q].varies) memcpy(r[q].text, g[q].key, sizeof r[q].text);
    }
    free(g);
    if (ng > 1) qsort(r, ng, sizeof *r, cmp_count);
    *out = r;
    *nout = ng;
    return CM_OK;
}

cm_status rj_write_csv(const pl_rejects *rej, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot create the rejects file (%s); check that the directory is "
                              "writable, or pass --out", path, strerror(errno));
        return CM_ERR_OUTPUT;
    }
    /* BOM: Excel reads the file as UTF-8 only with it */
    fputs(RJ_CSV_HEADER, f);
    for (size_t i = 0; i < rej->n && !ferror(f); i++) {
        const cm_reject *e = &rej->e[i];
        fprintf(f, "%u,", e->line);
        csv_put(f, e->case_id);
        fputc(',', f);
        csv_put(f, e->field);
        fputc(',', f);
        csv_put(f, e->reason);
        fputs("\r\n", f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad) {
        unlink(path);
        snprintf(err, errlen, "%s: writing the rejects file failed (disk full?); nothing was left behind",
                 path);
        return CM_ERR_OUTPUT;
    }
    return CM_OK;
}
