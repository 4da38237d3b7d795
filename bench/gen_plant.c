/*
 * gen_plant.c - casemix gen --plant: supervision patterns (domain.md §7)
 * appended to a generated region with their truth in planted.csv
 * (bench/gen.h, gen_plant). Driver-side, like gen.c.
 *
 * Each pattern copies clean rows of current.csv (all fields present, a
 * principal dx that is not exempt, readable dates and amounts) and
 * changes only what the pattern needs; every planted stay has a patient
 * of its own (PL + 8 digits), so patterns do not meet each other or the
 * generated patients. Deterministic: the same file gives the same plants.
 */
#include "gen.h"
#include "../scoring/scoring.h" /* sc_lowrisk_groups: R11 as the engine ranks groups */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NF GEN_NCOL
#define FL 512

typedef struct {
    char f[NF][FL];
} prow;

static int split_row(const char *line, prow *r)
{
    int k = 0;
    const char *s = line;
    for (;;) {
        const char *e = s;
        while (*e && *e != ',' && *e != '\n' && *e != '\r') e++;
        if (k >= NF || (size_t)(e - s) >= FL) return -1;
        memcpy(r->f[k], s, (size_t)(e - s));
        r->f[k][e - s] = '\0';
        k++;
        if (*e != ',') break;
        s = e + 1;
    }
    return k == NF ? 0 : -1;
}

static void put_row(FILE *f, const prow *r)
{
    for (int k = 0; k < NF; k++) {
        if (k) fputc(',', f);
        fputs(r->f[k], f);
    }
    fputc('\n', f);
}

static long days_of(const char *s)
{
    int y, m, d;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3) return -1;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void date_of(long z, char *out)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9);
    snprintf(out, 11, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
}

/* fen of "123.45" (the generator writes two decimals), -1 when not */
static long long fen_of(const char *s)
{
    long long y = 0;
    int c = 0;
    const char *p = s;
    if (!*p) return -1;
    while (*p >= '0' && *p <= '9') y = y * 10 + (*p++ - '0');
    if (*p != '.' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' || p[3]) return -1;
    c = (p[1] - '0') * 10 + (p[2] - '0');
    return y * 100 + c;
}

static void put_fen(char *dst, long long fen)
{
    snprintf(dst, FL, "%lld.%02lld", fen / 100, fen % 100);
}

static int clean(const prow *r)
{
    if (!r->f[GEN_COL_CASE][0] || !r->f[GEN_COL_PDX][0] || !strncmp(r->f[GEN_COL_PDX], "Z51", 3)) return 0;
    long a = days_of(r->f[GEN_COL_ADMIT]), d = days_of(r->f[GEN_COL_DISCH]);
    if (a < 0 || d < a) return 0;
    if (fen_of(r->f[GEN_COL_TOTAL]) < 0 || fen_of(r->f[GEN_COL_FUND]) < 0 || fen_of(r->f[GEN_COL_SELF]) < 0) return 0;
    long long sum = 0;
    for (int k = 0; k < 14; k++) {
        long long v = fen_of(r->f[GEN_COL_CAT0 + k]);
        if (v < 0) return 0;
        sum += v;
    }
    return sum == fen_of(r->f[GEN_COL_TOTAL]) && r->f[GEN_COL_AGE][0] && r->f[GEN_COL_AGE][0] != '0';
}

/* sets admit, discharge and los of r */
static void set_stay(prow *r, long admit, long disch)
{
    date_of(admit, r->f[GEN_COL_ADMIT]);
    date_of(disch, r->f[GEN_COL_DISCH]);
    snprintf(r->f[GEN_COL_LOS], FL, "%ld", disch - admit);
}

typedef struct {
    FILE *out, *truth;
    long seq;
    int64_t n;
} pctx;

static void ident(pctx *c, prow *r, const char *tag, int control, long patient)
{
    snprintf(r->f[GEN_COL_CASE], FL, "%s%s%07ld", control ? "PLX" : "PL", tag, ++c->seq);
    snprintf(r->f[GEN_COL_PAT], FL, "PL%08ld", patient);
}

static void truth(pctx *c, const prow *b, const char *rule, const prow *a)
{
    fprintf(c->truth, "%s,%s,%s\n", b->f[GEN_COL_CASE], rule, a ? a->f[GEN_COL_CASE] : "");
}

static void emit(pctx *c, const prow *r)
{
    put_row(c->out, r);
    c->n++;
}

enum { P_R01_0, P_R01_N, P_R01_N1, P_R02, P_R03, P_R04_2, P_R04_1, P_R05, P_R06, P_R07, P_R08, P_R09, P_R10,
       P_R12, P_R13, P__COUNT };

/* one instance of pattern p from base rows x and y (y at another institution) */
static void plant_one(pctx *c, int p, const prow *x, const prow *y, long *patient, int N)
{
    prow A = *x, B = *y;
    long a0 = days_of(x->f[GEN_COL_ADMIT]);
    /* every stay of the pattern inside the base row's discharge year (the longest, R08, ends at
     * a0 + 61; R01 at N + 1 days ends at a0 + N + 9): a base row admitted in late December of the
     * year before, or a pattern starting in December, would put discharges outside the period
     * and settle would warn that the export leaves it */
    {
        char jan1[16];
        snprintf(jan1, sizeof jan1, "%.4s-01-01", x->f[GEN_COL_DISCH]);
        long y0 = days_of(jan1), span = 61 > N + 9 ? 61 : N + 9;
        if (y0 >= 0) {
            long last = y0 + 364 - span; /* Dec 31 of a common year (Dec 30 of a leap year): still inside */
            if (a0 > last) a0 = last;
            if (a0 < y0) a0 = y0;
        }
    }
    long pat = ++*patient;
    strcpy(A.f[GEN_COL_MODE], "1");
    strcpy(B.f[GEN_COL_MODE], "1");
    set_stay(&A, a0, a0 + 5);
    switch (p) {
    case P_R01_0: case P_R01_N: case P_R01_N1: {
        int gap = p == P_R01_0 ? 0 : p == P_R01_N ? N : N + 1;
        set_stay(&B, a0 + 5 + gap, a0 + 8 + gap);
        ident(c, &A, "A", p == P_R01_N1, pat);
        ident(c, &B, "R01", p == P_R01_N1, pat);
        emit(c, &A); emit(c, &B);
        if (p != P_R01_N1) truth(c, &B, "R01", &A);
        break;
    }
    case P_R02:
        B = A;
        set_stay(&B, a0 + 8, a0 + 11);
        ident(c, &A, "A", 0, pat);
        ident(c, &B, "R02", 0, pat);
        emit(c, &A); emit(c, &B);
        truth(c, &B, "R02", &A);
        truth(c, &B, "R01", &A);
        break;
    case P_R03:
        strcpy(A.f[GEN_COL_MODE], "2");
        set_stay(&B, a0 + 5 + (int)(c->seq % 2), a0 + 9); /* the same day, or the day after (the limit) */
        ident(c, &A, "A", 0, pat);
        ident(c, &B, "R03", 0, pat);
        emit(c, &A); emit(c, &B);
        truth(c, &B, "R03", &A);
        break;
    case P_R04_2: case P_R04_1:
        set_stay(&A, a0, a0 + 10);
        if (p == P_R04_1) { B = A; strcpy(B.f[GEN_COL_PDX], y->f[GEN_COL_PDX]); }
        set_stay(&B, a0 + 9, a0 + 12); /* one night in common */
        ident(c, &A, "A", 0, pat);
        ident(c, &B, "R04", 0, pat);
        emit(c, &A); emit(c, &B);
        truth(c, &B, "R04", &A);
        break;
    case P_R05:
        ident(c, &A, "A", 0, pat);
        B = A;
        ident(c, &B, "R05", 0, pat);
        emit(c, &A); emit(c, &B);
        truth(c, &B, "R05", &A);
        break;
    case P_R06: {
        long long tot = fen_of(A.f[GEN_COL_TOTAL]), bed = tot * 40 / 100;
        for (int k = 0; k < 14; k++) strcpy(A.f[GEN_COL_CAT0 + k], "0.00");
        put_fen(A.f[GEN_COL_CAT0 + 0], bed);       /* cost_bed 40% */
        put_fen(A.f[GEN_COL_CAT0 + 8], tot - bed); /* cost_western the rest; no exam/lab/treatment/surgery */
        ident(c, &A, "R06", 0, pat);
        emit(c, &A);
        truth(c, &A, "R06", NULL);
        break;
    }
    case P_R07:
        set_stay(&A, a0, a0 + 1);
        A.f[GEN_COL_PPROC][0] = A.f[GEN_COL_OPROC][0] = '\0';
        strcpy(A.f[GEN_COL_TOTAL], "20.00");
        strcpy(A.f[GEN_COL_FUND], "14.00");
        strcpy(A.f[GEN_COL_SELF], "6.00");
        for (int k = 0; k < 14; k++) strcpy(A.f[GEN_COL_CAT0 + k], k == 13 ? "20.00" : "0.00");
        ident(c, &A, "R07", 0, pat);
        emit(c, &A);
        truth(c, &A, "R07", NULL);
        break;
    case P_R08:
        set_stay(&A, a0, a0 + 61);
        ident(c, &A, "R08", 0, pat);
        emit(c, &A);
        truth(c, &A, "R08", NULL);
        break;
    case P_R09: {
        strcpy(A.f[GEN_COL_SEX], "1");
        char odx[FL];
        snprintf(odx, sizeof odx, "%s%sN71.000", A.f[GEN_COL_ODX], A.f[GEN_COL_ODX][0] ? "|" : "");
        strcpy(A.f[GEN_COL_ODX], odx);
        ident(c, &A, "R09", 0, pat);
        emit(c, &A);
        truth(c, &A, "R09", NULL);
        break;
    }
    case P_R10: {
        strcpy(A.f[GEN_COL_SEX], "2");
        strcpy(A.f[GEN_COL_AGE], "70");
        A.f[GEN_COL_AGED][0] = A.f[GEN_COL_BW][0] = '\0';
        char odx[FL];
        snprintf(odx, sizeof odx, "%s%sO80.000", A.f[GEN_COL_ODX], A.f[GEN_COL_ODX][0] ? "|" : "");
        strcpy(A.f[GEN_COL_ODX], odx);
        ident(c, &A, "R10", 0, pat);
        emit(c, &A);
        truth(c, &A, "R10", NULL);
        break;
    }
    case P_R12: {
        static const int money[3] = {GEN_COL_TOTAL, GEN_COL_FUND, GEN_COL_SELF};
        for (int k = 0; k < 3; k++) put_fen(A.f[money[k]], fen_of(A.f[money[k]]) * 20);
        for (int k = 0; k < 14; k++) put_fen(A.f[GEN_COL_CAT0 + k], fen_of(A.f[GEN_COL_CAT0 + k]) * 20);
        ident(c, &A, "R12", 0, pat);
        emit(c, &A);
        truth(c, &A, "R12", NULL);
        break;
    }
    default: /* P_R13: categories 10.00 yuan above the total */
        put_fen(A.f[GEN_COL_CAT0 + 13], fen_of(A.f[GEN_COL_CAT0 + 13]) + 1000);
        ident(c, &A, "R13", 0, pat);
        emit(c, &A);
        truth(c, &A, "R13", NULL);
        break;
    }
}


/* R11 (death in a low-risk group): when DIR has history files (the three
 * years before the current one, history_<year>.csv), the drawn groups with
 * history cases and no history death (z = -inf: low-risk at any cut, as
 * sc_lowrisk_groups ranks them) are collected; up to `per` clean current
 * rows of such groups (not deaths) are copied with a patient of their own
 * and discharge_mode 5 (death). Returns the plants, 0 without history. */
typedef struct {
    char g[96];
    long cases, deaths;
} gstat;

static long find_group(gstat *t, long n, const char *g)
{
    for (long i = 0; i < n; i++)
        if (!strcmp(t[i].g, g)) return i;
    return -1;
}

static long plant_r11(pctx *c, const char *dir, int year, long per, long *patient)
{
    long ng = 0, cap = 1024;
    gstat *t = calloc((size_t)cap, sizeof *t);
    prow *r = malloc(sizeof *r);
    char path[4096], line[8192];
    long files = 0, got = 0;
    for (int y = year - 3; t && r && y < year; y++) {
        snprintf(path, sizeof path, "%s/history_%d.csv", dir, y);
        FILE *h = fopen(path, "r");
        if (!h) continue;
        files++;
        int first = 1;
        long last = -1; /* rows of one group come often in a row: the last hit first */
        while (fgets(line, sizeof line, h)) {
            if (first) { first = 0; continue; }
            if (split_row(line, r) || strlen(r->f[GEN_COL_GROUP]) >= sizeof t->g) continue;
            long k = last >= 0 && !strcmp(t[last].g, r->f[GEN_COL_GROUP]) ? last : find_group(t, ng, r->f[GEN_COL_GROUP]);
            if (k < 0) {
                if (ng == cap) {
                    gstat *nt = realloc(t, (size_t)(cap * 2) * sizeof *t);
                    if (!nt) break;
                    t = nt;
                    cap *= 2;
                }
                k = ng++;
                snprintf(t[k].g, sizeof t[k].g, "%s", r->f[GEN_COL_GROUP]);
                t[k].cases = t[k].deaths = 0;
            }
            t[k].cases++;
            t[k].deaths += !strcmp(r->f[GEN_COL_MODE], "5");
            last = k;
        }
        fclose(h);
    }
    /* the groups to plant in: those without a history death (low-risk at
     * any cut); when every group has deaths, those of z < -1.5 (below the
     * default cut -1 with a margin: the drawn group is the generator's)
     * by sc_lowrisk_groups over the history read here */
    uint8_t *low = t && ng ? calloc((size_t)ng, 1) : NULL;
    int64_t *dd = low ? malloc((size_t)ng * sizeof *dd) : NULL, *cc = low ? malloc((size_t)ng * sizeof *cc) : NULL;
    long nzero = 0;
    for (long g = 0; dd && cc && g < ng; g++) {
        dd[g] = t[g].deaths;
        cc[g] = t[g].cases;
        nzero += t[g].cases > 0 && t[g].deaths == 0;
    }
    if (dd && cc && !nzero && sc_lowrisk_groups(dd, cc, (size_t)ng, -1.5, low, NULL) != SC_OK) memset(low, 0, (size_t)ng);
    for (long g = 0; low && nzero && g < ng; g++) low[g] = t[g].cases > 0 && t[g].deaths == 0;
    free(dd);
    free(cc);
    snprintf(path, sizeof path, "%s/current.csv", dir);
    FILE *in = files && low && r ? fopen(path, "r") : NULL;
    prow *pick = in ? malloc((size_t)per * sizeof *pick) : NULL;
    int first = 1;
    while (pick && got < per && fgets(line, sizeof line, in)) {
        if (first) { first = 0; continue; }
        if (split_row(line, r) || !clean(r) || !strcmp(r->f[GEN_COL_MODE], "5")) continue;
        long k = find_group(t, ng, r->f[GEN_COL_GROUP]);
        if (k >= 0 && low[k]) pick[got++] = *r;
    }
    if (in) fclose(in);
    for (long i = 0; pick && i < got; i++) {
        prow *A = &pick[i];
        ident(c, A, "R11", 0, ++*patient);
        snprintf(A->f[GEN_COL_MODE], FL, "5");
        emit(c, A);
        truth(c, A, "R11", NULL);
    }
    free(pick);
    free(low);
    free(r);
    free(t);
    return got;
}


/* R01 across the period boundary: when DIR has history_<year-1>.csv (the
 * previous period's discharges, for supervision.previous_input), up to
 * `per` of its clean rows discharged in its last 12 days are readmitted: a
 * current row with the same patient and institution, admitted 3 days after
 * that discharge (truth R01, related: the previous case id), and as many
 * controls admitted readmit_days + 1 days after (PLX..., never R01).
 * Found only when the settlement names that file as
 * supervision.previous_input. Returns the plants. */
typedef struct {
    char p[32];
    long n;
} patn;

static int patn_cmp(const void *a, const void *b)
{
    return strcmp(((const patn *)a)->p, ((const patn *)b)->p);
}

static long plant_prev(pctx *c, const char *dir, int year, long per, int N)
{
    char path[4096], line[8192];
    snprintf(path, sizeof path, "%s/history_%d.csv", dir, year - 1);
    FILE *h = fopen(path, "r");
    prow *r = malloc(sizeof *r);
    if (!h || !r) { if (h) fclose(h); free(r); return 0; }
    char jan1[16];
    snprintf(jan1, sizeof jan1, "%04d-01-01", year);
    long y0 = days_of(jan1), got = 0, ctl = 0;
    /* pass 1: the patients of the candidate rows (discharged in the last 12
     * days), and how often each is in the whole file: a patient with another
     * stay (a readmission pair) is left out, so the planted stay's previous
     * discharge is the candidate's */
    size_t np = 0, pcap = 0;
    patn *pt = NULL;
    int first = 1;
    while (fgets(line, sizeof line, h)) {
        if (first) { first = 0; continue; }
        if (split_row(line, r)) continue;
        long d = days_of(r->f[GEN_COL_DISCH]);
        if (d < y0 - 12 || d >= y0 || strlen(r->f[GEN_COL_PAT]) >= sizeof pt->p) continue;
        if (np == pcap) {
            patn *nv = realloc(pt, (pcap = pcap ? 2 * pcap : 4096) * sizeof *pt);
            if (!nv) break;
            pt = nv;
        }
        snprintf(pt[np].p, sizeof pt[np].p, "%s", r->f[GEN_COL_PAT]);
        pt[np++].n = 0;
    }
    if (pt) qsort(pt, np, sizeof *pt, patn_cmp);
    rewind(h);
    first = 1;
    while (pt && fgets(line, sizeof line, h)) {
        if (first) { first = 0; continue; }
        if (split_row(line, r)) continue;
        patn key, *f;
        snprintf(key.p, sizeof key.p, "%s", r->f[GEN_COL_PAT]);
        if ((f = bsearch(&key, pt, np, sizeof *pt, patn_cmp))) f->n++; /* the first equal one counts */
    }
    rewind(h);
    first = 1;
    while (pt && (got < per || ctl < per) && fgets(line, sizeof line, h)) {
        if (first) { first = 0; continue; }
        if (split_row(line, r) || !clean(r) || !strcmp(r->f[GEN_COL_MODE], "5") || !strcmp(r->f[GEN_COL_MODE], "2"))
            continue;
        long d = days_of(r->f[GEN_COL_DISCH]);
        if (d < y0 - 12 || d >= y0) continue;
        patn key, *f;
        snprintf(key.p, sizeof key.p, "%s", r->f[GEN_COL_PAT]);
        if (!(f = bsearch(&key, pt, np, sizeof *pt, patn_cmp)) || f->n != 1) continue;
        f->n = 2; /* one plant a patient */
        int control = got >= per;
        if (control && ctl >= per) continue;
        char prev_id[FL];
        snprintf(prev_id, sizeof prev_id, "%s", r->f[GEN_COL_CASE]);
        long los = atol(r->f[GEN_COL_LOS]), admit = d + (control ? N + 1 : 3), disch = admit + (los > 0 ? los : 1);
        if (disch < y0 + 1) disch = y0 + 1; /* discharged in the current year */
        set_stay(r, admit, disch);
        snprintf(r->f[GEN_COL_CASE], FL, "%sR01P%07ld", control ? "PLX" : "PL", ++c->seq);
        emit(c, r);
        if (!control) {
            fprintf(c->truth, "%s,R01,%s\n", r->f[GEN_COL_CASE], prev_id);
            got++;
        } else {
            ctl++;
        }
    }
    fclose(h);
    free(r);
    free(pt);
    return got;
}

int64_t gen_plant(const char *dir, double share, int64_t rows, int readmit_days, char *err, size_t errlen)
{
    char path[4096], tpath[4096];
    snprintf(path, sizeof path, "%s/current.csv", dir);
    snprintf(tpath, sizeof tpath, "%s/planted.csv", dir);
    long per = (long)(share * (double)rows / (1.5 * P__COUNT) + 0.5);
    if (per < 1) per = 1;
    long need = per * P__COUNT;
    /* base rows: the first clean rows (two per instance) */
    prow *base = malloc((size_t)(2 * need + 2) * sizeof *base);
    FILE *in = fopen(path, "r");
    if (!base || !in) {
        snprintf(err, errlen, "%s: %s", path, !in ? "cannot read" : "out of memory");
        free(base);
        if (in) fclose(in);
        return -1;
    }
    char line[8192];
    long nb = 0;
    int first = 1;
    while (nb < 2 * need && fgets(line, sizeof line, in)) {
        if (first) { first = 0; continue; }
        if (split_row(line, &base[nb]) == 0 && clean(&base[nb])) {
            /* the second row of an instance: another institution than the first */
            if (nb % 2 == 1 && !strcmp(base[nb].f[GEN_COL_INST], base[nb - 1].f[GEN_COL_INST])) continue;
            nb++;
        }
    }
    fclose(in);
    if (nb < 2 * need) {
        snprintf(err, errlen, "%s: only %ld clean rows to plant %ld patterns from; generate more cases or plant a "
                              "smaller share", path, nb, need);
        free(base);
        return -1;
    }
    pctx c = {fopen(path, "a"), fopen(tpath, "w"), 0, 0};
    if (!c.out || !c.truth) {
        snprintf(err, errlen, "%s: cannot write", c.out ? tpath : path);
        if (c.out) fclose(c.out);
        if (c.truth) fclose(c.truth);
        free(base);
        return -1;
    }
    fprintf(c.truth, "case_id,rule,related_case_id\n");
    long patient = 0;
    for (long i = 0; i < per; i++)
        for (int p = 0; p < P__COUNT; p++) {
            long k = 2 * (i * P__COUNT + p);
            plant_one(&c, p, &base[k], &base[k + 1], &patient, readmit_days);
        }
    /* R11 when the history was generated: the current year from the first base row */
    int year = atoi(base[0].f[GEN_COL_DISCH]);
    if (year > 1900) plant_r11(&c, dir, year, per, &patient);
    if (year > 1900) plant_prev(&c, dir, year, per, readmit_days);
    int bad = ferror(c.out) | ferror(c.truth);
    bad |= fclose(c.out) != 0;
    bad |= fclose(c.truth) != 0;
    free(base);
    if (bad) {
        snprintf(err, errlen, "%s: write failed (disk full?)", path);
        return -1;
    }
    return c.n;
}
