/*
 * gen.c - the seeded synthetic-region generator (see gen.h).
 *
 * Design
 * - A plan is built once from the catalogue (single-threaded): one recipe
 *   per drawable group with its diagnosis candidates, procedures, cost and
 *   LOS distributions, and a cumulative weight table (BILL_COUNT, else 1).
 *   A case is constructed from the catalogue's structure (docs/METHODS.md §2):
 *     core dx-only       principal dx under the 亚目, no procedures;
 *     core dx+main(+rel) principal proc = main, other procs = exactly the
 *                        related set (in a rotated order);
 *     类目:SS/ZLXCZ/ZDXCZ dx under the 类目 + one procedure with that
 *                        attribute that is not the main procedure of any
 *                        core group under the 类目;
 *     类目:BSZL           dx under the 类目 whose 亚目 has no dx-only core
 *                        group, no procedure.
 *   Groups without a construction are skipped and counted (gen_skip).
 * - Every random draw of a row comes from splitmix64 streams keyed by
 *   (seed, year, row, stream). Stream 0 is the row's skeleton (group, dx,
 *   patient, institution, dates), stream 1 its details (costs, secondary
 *   codes, modes), stream 2 the bad-row decision. A readmission row reads
 *   the skeleton of an earlier "anchor" row, recomputed from the anchor's
 *   own stream, so rows stay independent of each other and of threads.
 *   Institutions are keyed by (seed, id) only. A row's sex and birth date
 *   come from a drawn pool number (seed, number); its patient id is the
 *   row's own (shared only by a readmission and its anchor), so one
 *   patient's stays never overlap by chance (docs/METHODS.md §11).
 * - Rows are formatted by hand (no printf in the loop) into one buffer per
 *   block of BLOCK_ROWS rows; OpenMP threads fill the blocks of batch k
 *   while one of them writes batch k-1 in order with fwrite (double
 *   buffering). Output bytes do not depend on the thread count.
 * - Money is integer fen: the 14 categories are split from total_cost by
 *   integer weights and the remainder goes to the largest category, so they
 *   sum exactly; self_paid = total - fund_paid.
 */
#include "gen.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define BLOCK_ROWS 8192
#define BATCH_BLOCKS_PER_THREAD 2
#define N_CAT 14
#define MAX_OTHER_DX 4
#define READMIT_SHARE 0.04       /* share of rows that are anchors of a readmission */
#define READMIT_LOOKBACK 64      /* anchor is 1..64 rows earlier */
#define NEWBORN_BASE 4000000000ULL
#define PID_MOD 10000000000ULL   /* patient ids have 10 digits */

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

const char *gen_bad_name(gen_bad b)
{
    static const char *const names[GEN_BAD__COUNT] = {
        "none", "empty_dx", "total_text", "category_sum", "dates",
        "missing_id", "duplicate_id", "overprecise"
    };
    return (unsigned)b < GEN_BAD__COUNT ? names[b] : "?";
}

const char *gen_skip_name(gen_skip s)
{
    static const char *const names[GEN_SKIP__COUNT] = {
        "dx_shape", "no_dx_code", "related_invalid", "shadowed",
        "no_attr_table", "no_proc_for_attr", "no_bszl_dx", "bad_attr"
    };
    return (unsigned)s < GEN_SKIP__COUNT ? names[s] : "?";
}

/* ------------------------------------------------------------------ */
/* Counter-based random numbers                                        */
/* ------------------------------------------------------------------ */

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t next64(uint64_t *s)
{
    *s += 0x9E3779B97F4A7C15ULL;
    return mix64(*s);
}

static uint64_t stream_key(uint64_t seed, int year, int64_t row, unsigned stream)
{
    uint64_t k = mix64(seed + 0x632BE59BD9B4E019ULL);
    k = mix64(k ^ ((uint64_t)(uint32_t)year * 0xA24BAED4963EE407ULL));
    k = mix64(k ^ ((uint64_t)row * 0x9FB21C651E98DF25ULL) ^ ((uint64_t)stream << 56));
    return k;
}

static inline double unif(uint64_t *s)   /* [0, 1) */
{
    return (double)(next64(s) >> 11) * 0x1.0p-53;
}

static inline uint64_t below(uint64_t *s, uint64_t n)   /* [0, n), n > 0 */
{
    return (uint64_t)(((unsigned __int128)next64(s) * n) >> 64);
}

static double normal(uint64_t *s)
{
    double u1 = unif(s), u2 = unif(s);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ------------------------------------------------------------------ */
/* Dates (days since 1970-01-01, proleptic Gregorian)                  */
/* ------------------------------------------------------------------ */

static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* Whole years from birth to day (both day numbers). */
static int age_years_at(int32_t birth, int32_t day)
{
    int by, bm, bd, y, m, d;
    civil_from_days(birth, &by, &bm, &bd);
    civil_from_days(day, &y, &m, &d);
    int a = y - by;
    if (m < bm || (m == bm && d < bd)) a--;
    return a < 0 ? 0 : a;
}

/* ------------------------------------------------------------------ */
/* Fast formatting                                                     */
/* ------------------------------------------------------------------ */

static const char DIGITS2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static inline char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    char *t = tmp + sizeof tmp;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        t -= 2;
        memcpy(t, DIGITS2 + 2 * r, 2);
    }
    if (v >= 10) {
        t -= 2;
        memcpy(t, DIGITS2 + 2 * v, 2);
    } else {
        *--t = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - t);
    memcpy(p, t, n);
    return p + n;
}

static inline char *put_fixed(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

static inline char *put_yuan(char *p, int64_t fen)
{
    if (fen < 0) {
        *p++ = '-';
        fen = -fen;
    }
    p = put_u64(p, (uint64_t)fen / 100);
    *p++ = '.';
    memcpy(p, DIGITS2 + 2 * ((uint64_t)fen % 100), 2);
    return p + 2;
}

static inline char *put_date(char *p, int32_t day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    p = put_fixed(p, (uint64_t)y, 4);
    *p++ = '-';
    memcpy(p, DIGITS2 + 2 * m, 2);
    p[2] = '-';
    memcpy(p + 3, DIGITS2 + 2 * d, 2);
    return p + 5;
}

static inline char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* Codes as real records spell them: 医保版 extensions with a lower-case x
 * (K35.800x001, I10.x00, 44.1300x001); a leading X (chapter XX causes)
 * stays upper case. */
static inline char *put_code(char *p, const char *s)
{
    if (*s) *p++ = *s++;
    for (; *s; s++) *p++ = (*s == 'X') ? 'x' : *s;
    return p;
}

/* ------------------------------------------------------------------ */
/* Plan                                                                */
/* ------------------------------------------------------------------ */

enum { K_CORE = 0, K_COMP_PROC, K_COMP_BSZL };
enum { AGE_GENERAL = 0, AGE_OBSTETRIC, AGE_NEWBORN };

typedef struct {
    int32_t g;                  /* catalogue index */
    uint8_t kind;
    uint8_t attr;               /* comprehensive attribute */
    uint8_t n_related;
    uint8_t surgical;           /* main or comprehensive proc is SS */
    uint32_t dx_off, dx_n;      /* into plan.dx */
    uint32_t ex_off, ex_n;      /* excluded procedures, sorted, into plan.ex */
    const char *code;           /* as the catalogue writes it (drawn_group) */
    const char *main_proc;
    const char *const *related;
    double mean_fee;            /* yuan */
    double sigma, mu0;          /* lognormal: sigma, mu relative to ln(mean) */
    double los_mean;
} recipe;

typedef struct {
    char id[48];
    int level;
    double factor;
} institution;

typedef struct {
    const gr_dip *dip;
    recipe *rec;
    size_t nrec;
    uint64_t *cum;              /* cumulative weights */
    uint64_t total_w;
    const char **dx;            /* diagnosis candidate pool */
    size_t ndx, capdx;
    const char **ex;            /* excluded-procedure pool */
    size_t nex, capex;
    const char **attr_list[4];  /* procedures by attribute (SS, ZLXCZ, ZDXCZ) */
    size_t attr_n[4];
    const char **sec;           /* secondary diagnosis pool (general codes) */
    size_t nsec;
    const char **sec_nb;        /* secondary pool of newborns (P chapter) */
    size_t nsec_nb;
    char *arena;                /* synthesized codes when no ICD-10 list */
    size_t arena_len, arena_cap;
    institution *inst;
    int ninst;
    uint64_t *inst_cum;
    uint64_t inst_total;
    char region[32];
    int ref_year;               /* gen_year: patient birth dates relative to it */
    uint64_t pool;              /* patients in the pool (multiple of 4) */
    uint64_t seed;
    size_t max_row;             /* upper bound of one formatted row */
} plan;

typedef struct {
    int year;
    int64_t nrows;
    int32_t year_start, year_end;   /* day numbers, inclusive */
    double deflator;
    double bad_share;
    char yy[3];
    /* generator.seasonality > 0: month m drawn with weight (1 + A cos(2π(m−1)/12)) × its days */
    int seasonal;
    uint64_t mcum[12];
    int32_t mstart[13];
} yctx;

static int push_ptr(const char ***arr, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        const char **p = realloc((void *)*arr, nc * sizeof *p);
        if (!p) return -1;
        *arr = p;
        *cap = nc;
    }
    (*arr)[(*n)++] = s;
    return 0;
}

/* Copies s into the arena (allocated once with room for every synthesized
 * code, so pointers into it stay valid); NULL when full. */
static const char *arena_add(plan *pl, const char *s)
{
    size_t n = strlen(s) + 1;
    if (pl->arena_len + n > pl->arena_cap) return NULL;
    memcpy(pl->arena + pl->arena_len, s, n);
    pl->arena_len += n;
    return pl->arena + pl->arena_len - n;
}

/* Pushes a synthesized diagnosis code (no ICD-10 list loaded). */
static int push_synth(plan *pl, const char *code)
{
    const char *c = arena_add(pl, code);
    return c ? push_ptr(&pl->dx, &pl->ndx, &pl->capdx, c) : -1;
}

static void upcopy(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) {
        char c = src[i];
        dst[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    dst[i] = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int in_sorted(const char *const *arr, size_t n, const char *s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(arr[mid], s);
        if (c == 0) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

/* How a list code can be used on a record: 0 not at all, 1 plain (letter,
 * 2 characters, '.', letters/digits), 2 a dagger-asterisk pair such as
 * M05.100+J99.0* (used only when a 亚目 has no plain code). */
static int dx_usable(const char *c)
{
    size_t n = strlen(c);
    if (n < 5 || n > 32 || c[3] != '.') return 0;
    if (!(c[0] >= 'A' && c[0] <= 'Z')) return 0;
    int pair = 0;
    for (size_t i = 1; i < n; i++) {
        char ch = c[i];
        if (i == 3) continue;
        if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')) continue;
        if (ch == '+' || ch == '*' || ch == '.') pair = 1;
        else return 0;
    }
    return pair ? 2 : 1;
}

static int plain_dx(const char *c)
{
    return dx_usable(c) == 1;
}

/* Pushes the list codes [lo, hi) usable at level 1 (plain), or, when none
 * is, at level 2 (pairs too); bszl skips codes whose 亚目 has a dx-only
 * group. *n_any counts the usable codes before that filter. */
static int push_list_codes(plan *pl, size_t lo, size_t hi, int bszl, const char *const *dxonly,
                           size_t ndxonly, size_t *n_any)
{
    size_t start = pl->ndx;
    *n_any = 0;
    for (int level = 1; level <= 2 && pl->ndx == start; level++) {
        for (size_t i = lo; i < hi; i++) {
            const char *c = gr_dip_icd10_at(pl->dip, i);
            int u = dx_usable(c);
            if (u == 0 || u > level) continue;
            if (level == 1 || u == 2) (*n_any)++;
            if (bszl) {
                char sub[6];
                memcpy(sub, c, 5);
                sub[5] = 0;
                if (in_sorted(dxonly, ndxonly, sub)) continue;
            }
            if (push_ptr(&pl->dx, &pl->ndx, &pl->capdx, c)) return -1;
        }
    }
    return 0;
}

/* Sex a diagnosis requires: 0 any, 1 male, 2 female. */
static int dx_sex(const char *c)
{
    int n = (c[1] - '0') * 10 + (c[2] - '0');
    if (c[1] < '0' || c[1] > '9' || c[2] < '0' || c[2] > '9') return 0;
    switch (c[0]) {
    case 'O': return 2;
    case 'C': return (n >= 51 && n <= 58) ? 2 : (n >= 60 && n <= 63) ? 1 : 0;
    case 'D': return (n >= 25 && n <= 28) ? 2 : (n == 29) ? 1 : 0;
    case 'N': return (n >= 70 && n <= 98) ? 2 : (n >= 40 && n <= 51) ? 1 : 0;
    case 'Z': return (n >= 32 && n <= 39) ? 2 : 0;
    default: return 0;
    }
}

static int dx_ageclass(const char *c)
{
    if (c[0] == 'P') return AGE_NEWBORN;
    if (c[0] == 'O') return AGE_OBSTETRIC;
    if (c[0] == 'Z' && c[1] == '3' && c[2] >= '2' && c[2] <= '9') return AGE_OBSTETRIC;
    return AGE_GENERAL;
}

/* [lo, hi) of the sorted ICD list entries starting with prefix. */
static void icd_range(const gr_dip *d, const char *prefix, size_t *lo_out, size_t *hi_out)
{
    size_t n = gr_dip_n_icd10_codes(d), plen = strlen(prefix);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strncmp(gr_dip_icd10_at(d, mid), prefix, plen) < 0) lo = mid + 1;
        else hi = mid;
    }
    size_t e = lo;
    while (e < n && strncmp(gr_dip_icd10_at(d, e), prefix, plen) == 0) e++;
    *lo_out = lo;
    *hi_out = e;
}

static void plan_free(plan *pl)
{
    free(pl->rec);
    free(pl->cum);
    free((void *)pl->dx);
    free((void *)pl->ex);
    for (int a = 0; a < 4; a++) free((void *)pl->attr_list[a]);
    free((void *)pl->sec);
    free((void *)pl->sec_nb);
    free(pl->arena);
    free(pl->inst);
    free(pl->inst_cum);
    memset(pl, 0, sizeof *pl);
}

typedef struct {
    const char *key;   /* "DX|MAIN|sorted related+" */
    long off;
    size_t g;
} relkey;

static int cmp_relkey(const void *a, const void *b)
{
    const relkey *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return (x->g > y->g) - (x->g < y->g);
}

/* Groups that lose every tie to a lower 序号 group with the same dx, main
 * and related set (as a set). flags[g] = 1 when shadowed. */
static int find_shadowed(const gr_dip *d, size_t n, unsigned char *flags)
{
    relkey *keys = NULL;
    size_t nk = 0;
    char *buf = NULL;
    size_t blen = 0, bcap = 0;
    int rc = -1;
    keys = calloc(n ? n : 1, sizeof *keys);
    if (!keys) goto out;
    for (size_t g = 0; g < n; g++) {
        const gr_dip_group *gp = gr_dip_group_at(d, g);
        if (gp->type != GR_DIP_CORE || gp->n_related == 0) continue;
        const char *rel[256];
        for (int i = 0; i < gp->n_related; i++) rel[i] = gp->related[i];
        qsort(rel, gp->n_related, sizeof rel[0], cmp_str);
        size_t need = strlen(gp->dx) + strlen(gp->main_proc) + 4;
        for (int i = 0; i < gp->n_related; i++) need += strlen(rel[i]) + 1;
        if (blen + need > bcap) {
            size_t nc = bcap ? bcap * 2 : 65536;
            while (nc < blen + need) nc *= 2;
            char *b = realloc(buf, nc);
            if (!b) goto out;
            buf = b;
            bcap = nc;
        }
        char *p = buf + blen;
        int w = sprintf(p, "%s|%s|", gp->dx, gp->main_proc);
        for (int i = 0; i < gp->n_related; i++) w += sprintf(p + w, "%s+", rel[i]);
        keys[nk].off = (long)blen;
        keys[nk].g = g;
        nk++;
        blen += (size_t)w + 1;
    }
    for (size_t i = 0; i < nk; i++) keys[i].key = buf + keys[i].off;
    qsort(keys, nk, sizeof *keys, cmp_relkey);
    for (size_t i = 1; i < nk; i++)
        if (strcmp(keys[i].key, keys[i - 1].key) == 0) flags[keys[i].g] = 1;
    rc = 0;
out:
    free(keys);
    free(buf);
    return rc;
}

/* Related list valid for an exact construction: non-empty codes, distinct,
 * none equal to the main procedure, and a main procedure present. */
static int related_ok(const gr_dip_group *g)
{
    if (g->n_related == 0) return 1;
    if (!g->main_proc || !g->main_proc[0]) return 0;
    for (int i = 0; i < g->n_related; i++) {
        if (!g->related[i] || !g->related[i][0]) return 0;
        if (strcasecmp(g->related[i], g->main_proc) == 0) return 0;
        for (int j = 0; j < i; j++)
            if (strcasecmp(g->related[i], g->related[j]) == 0) return 0;
    }
    return 1;
}

typedef struct {
    char cat[4];         /* 类目, upper case */
    const char *main;    /* owned by the catalogue */
} core_main;

static int cmp_core_main(const void *a, const void *b)
{
    const core_main *x = a, *y = b;
    int c = strcmp(x->cat, y->cat);
    return c ? c : strcmp(x->main, y->main);
}

/* Diagnosis candidates of a comprehensive group under 类目 cat: every usable
 * code, or (BSZL) those whose 亚目 has no dx-only core group. *n_any counts
 * the usable codes before that filter. */
static int comp_candidates(plan *pl, const char *cat, int bszl, const char *const *dxonly,
                           size_t ndxonly, size_t *n_any)
{
    const gr_dip *d = pl->dip;
    *n_any = 0;
    if (gr_dip_n_icd10_codes(d)) {
        char prefix[8];
        snprintf(prefix, sizeof prefix, "%s.", cat);
        size_t lo, hi;
        icd_range(d, prefix, &lo, &hi);
        return push_list_codes(pl, lo, hi, bszl, dxonly, ndxonly, n_any);
    }
    for (int k = 0; k <= 9; k++) {
        char sub[8], code[16];
        snprintf(sub, sizeof sub, "%s.%d", cat, k);
        (*n_any)++;
        if (bszl && in_sorted(dxonly, ndxonly, sub)) continue;
        snprintf(code, sizeof code, "%s00", sub);
        if (push_synth(pl, code)) return -1;
    }
    return 0;
}

static int build_plan(plan *pl, const cm_config *cfg, const gr_dip *d, uint64_t seed,
                      int64_t pool_cases, gen_stats *st, char *err, size_t errlen)
{
    size_t ng = gr_dip_ngroups(d);
    size_t nicd = gr_dip_n_icd10_codes(d);
    unsigned char *shadow = NULL;
    const char **dxonly = NULL;   /* sorted 亚目 of dx-only core groups */
    size_t ndxonly = 0, capdxonly = 0;
    core_main *mains = NULL;      /* (类目, main) of core groups, sorted */
    size_t nmains = 0;
    int rc = -1;

    memset(pl, 0, sizeof *pl);
    pl->dip = d;
    pl->seed = seed;
    st->n_groups = ng;
    shadow = calloc(ng ? ng : 1, 1);
    pl->rec = calloc(ng ? ng : 1, sizeof *pl->rec);
    pl->cum = calloc(ng ? ng : 1, sizeof *pl->cum);
    mains = calloc(ng ? ng : 1, sizeof *mains);
    if (!shadow || !pl->rec || !pl->cum || !mains) goto nomem;
    if (!nicd) {
        pl->arena_cap = (ng + 1) * 11 * 24;
        pl->arena = malloc(pl->arena_cap);
        if (!pl->arena) goto nomem;
    }
    if (find_shadowed(d, ng, shadow) != 0) goto nomem;

    /* Procedures by attribute (the table is sorted, so each list is too). */
    size_t na = gr_dip_n_attr_codes(d);
    size_t acap[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < na; i++) {
        gr_attr a = GR_ATTR_UNKNOWN;
        const char *c = gr_dip_attr_code_at(d, i, &a);
        if (a >= GR_ATTR_SS && a <= GR_ATTR_ZDXCZ && c && c[0])
            if (push_ptr(&pl->attr_list[a], &pl->attr_n[a], &acap[a], c)) goto nomem;
    }

    /* Dx-only 亚目s and (类目, main procedure) pairs of the core groups. */
    for (size_t g = 0; g < ng; g++) {
        const gr_dip_group *gp = gr_dip_group_at(d, g);
        if (gp->type != GR_DIP_CORE) continue;
        if (!gp->main_proc || !gp->main_proc[0]) {
            if (gp->n_related == 0 && push_ptr(&dxonly, &ndxonly, &capdxonly, gp->dx)) goto nomem;
            continue;
        }
        upcopy(mains[nmains].cat, gp->dx, sizeof mains[nmains].cat);
        mains[nmains].main = gp->main_proc;
        nmains++;
    }
    qsort(dxonly, ndxonly, sizeof *dxonly, cmp_str);
    qsort(mains, nmains, sizeof *mains, cmp_core_main);

    size_t nrec = 0;
    for (size_t g = 0; g < ng; g++) {
        const gr_dip_group *gp = gr_dip_group_at(d, g);
        if (gp->type == GR_DIP_BLANK) continue;
        recipe *r = &pl->rec[nrec];
        memset(r, 0, sizeof *r);
        r->g = (int32_t)g;
        r->code = gp->published && gp->published[0] ? gp->published : gp->code;
        r->main_proc = "";
        char dx[16];
        upcopy(dx, gp->dx, sizeof dx);
        size_t dxl = strlen(dx);
        size_t dx_start = pl->ndx, ex_start = pl->nex;
        gen_skip why = GEN_SKIP__COUNT;

        if (gp->type == GR_DIP_CORE) {
            if (dxl != 5 || dx[3] != '.') why = GEN_SKIP_DX_SHAPE;
            else if (!related_ok(gp)) why = GEN_SKIP_RELATED_INVALID;
            else if (shadow[g]) why = GEN_SKIP_SHADOWED;
            else if (nicd) {
                size_t lo, hi, n_any;
                icd_range(d, dx, &lo, &hi);
                if (push_list_codes(pl, lo, hi, 0, NULL, 0, &n_any)) goto nomem;
            } else {
                char code[24];
                snprintf(code, sizeof code, "%s00", dx);
                if (push_synth(pl, code)) goto nomem;
            }
            if (why == GEN_SKIP__COUNT && pl->ndx == dx_start) why = GEN_SKIP_NO_DX_CODE;
            r->kind = K_CORE;
            if (gp->main_proc) r->main_proc = gp->main_proc;
            r->related = gp->related;
            r->n_related = gp->n_related;
            r->surgical = r->main_proc[0] && gr_dip_attr_of(d, r->main_proc) == GR_ATTR_SS;
        } else {
            int attr = gp->attr;
            size_t n_any = 0;
            if (dxl != 3) why = GEN_SKIP_DX_SHAPE;
            else if (attr != GR_ATTR_NONE && (attr < GR_ATTR_SS || attr > GR_ATTR_ZDXCZ))
                why = GEN_SKIP_BAD_ATTR;
            else if (comp_candidates(pl, dx, attr == GR_ATTR_NONE, dxonly, ndxonly, &n_any))
                goto nomem;
            else if (n_any == 0) why = GEN_SKIP_NO_DX_CODE;
            else if (pl->ndx == dx_start) why = GEN_SKIP_NO_BSZL_DX;
            else if (attr != GR_ATTR_NONE && na == 0) why = GEN_SKIP_NO_ATTR_TABLE;
            if (why == GEN_SKIP__COUNT && attr != GR_ATTR_NONE) {
                /* excluded: main procedures of the core groups under this 类目 */
                core_main key;
                memcpy(key.cat, dx, 4);
                size_t lo = 0, hi = nmains, n_ex_attr = 0;
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    if (strcmp(mains[mid].cat, key.cat) < 0) lo = mid + 1;
                    else hi = mid;
                }
                const char *prev = NULL;
                for (size_t i = lo; i < nmains && strcmp(mains[i].cat, key.cat) == 0; i++) {
                    if (prev && strcmp(prev, mains[i].main) == 0) continue;
                    prev = mains[i].main;
                    if (push_ptr(&pl->ex, &pl->nex, &pl->capex, prev)) goto nomem;
                    if (gr_dip_attr_of(d, prev) == (gr_attr)attr) n_ex_attr++;
                }
                if (pl->attr_n[attr] <= n_ex_attr) why = GEN_SKIP_NO_PROC_FOR_ATTR;
            }
            r->kind = attr == GR_ATTR_NONE ? K_COMP_BSZL : K_COMP_PROC;
            r->attr = (uint8_t)attr;
            r->surgical = attr == GR_ATTR_SS;
        }
        if (why != GEN_SKIP__COUNT) {
            pl->ndx = dx_start;
            pl->nex = ex_start;
            if (st->n_skipped[why]++ == 0)
                snprintf(st->skip_example[why], sizeof st->skip_example[why], "%s", gp->code);
            continue;
        }
        r->dx_off = (uint32_t)dx_start;
        r->dx_n = (uint32_t)(pl->ndx - dx_start);
        r->ex_off = (uint32_t)ex_start;
        r->ex_n = (uint32_t)(pl->nex - ex_start);

        double mean = gp->stat_mean_fee, cv = gp->stat_cv;
        if (!(mean > 0) || !isfinite(mean)) {
            mean = (gp->score > 0 && isfinite(gp->score)) ? gp->score * 5.7 : 5000.0;
            cv = 0.5;
        }
        if (!(cv > 0) || !isfinite(cv)) cv = 0.5;
        if (cv > 3.0) cv = 3.0;
        double s2 = log(1.0 + cv * cv);
        r->mean_fee = mean;
        r->sigma = sqrt(s2);
        r->mu0 = -s2 / 2.0;
        r->los_mean = (gp->stat_mean_los > 0 && isfinite(gp->stat_mean_los)) ? gp->stat_mean_los : 7.0;
        pl->total_w += gp->stat_count > 0 ? (uint64_t)gp->stat_count : 1;
        pl->cum[nrec] = pl->total_w;

        size_t need = strlen(r->code) + strlen(r->main_proc) + 1;
        for (int i = 0; i < r->n_related; i++) need += strlen(r->related[i]) + 1;
        if (need > pl->max_row) pl->max_row = need;
        nrec++;
    }
    pl->nrec = nrec;
    st->n_drawable = nrec;

    /* Secondary diagnoses: general codes of the list, or the synthesized ones. */
    size_t capsec = 0, capnb = 0;
    if (nicd) {
        for (size_t i = 0; i < nicd; i++) {
            const char *c = gr_dip_icd10_at(d, i);
            if (!plain_dx(c)) continue;
            if (dx_ageclass(c) == AGE_GENERAL && !strchr("VWXY", c[0])) {
                if (push_ptr(&pl->sec, &pl->nsec, &capsec, c)) goto nomem;
            } else if (dx_ageclass(c) == AGE_NEWBORN) {
                if (push_ptr(&pl->sec_nb, &pl->nsec_nb, &capnb, c)) goto nomem;
            }
        }
    } else {
        for (size_t i = 0; i < pl->ndx; i++)
            if (dx_ageclass(pl->dx[i]) == AGE_GENERAL)
                if (push_ptr(&pl->sec, &pl->nsec, &capsec, pl->dx[i])) goto nomem;
    }

    /* Row size bound: fixed fields + group code and procedures + diagnoses. */
    size_t maxcode = 0;
    for (size_t i = 0; i < pl->ndx; i++) if (strlen(pl->dx[i]) > maxcode) maxcode = strlen(pl->dx[i]);
    for (size_t i = 0; i < pl->nsec; i++) if (strlen(pl->sec[i]) > maxcode) maxcode = strlen(pl->sec[i]);
    for (size_t i = 0; i < pl->nsec_nb; i++)
        if (strlen(pl->sec_nb[i]) > maxcode) maxcode = strlen(pl->sec_nb[i]);
    for (int a = 1; a < 4; a++)
        for (size_t i = 0; i < pl->attr_n[a]; i++)
            if (strlen(pl->attr_list[a][i]) > maxcode) maxcode = strlen(pl->attr_list[a][i]);
    pl->max_row += 2 * GR_DIP_CODE_MAX + 600 + (MAX_OTHER_DX + 2) * (maxcode + 1);

    if (nrec == 0) {
        snprintf(err, errlen,
                 "%s: no catalogue group can be constructed (all %zu skipped: no ICD-10 code "
                 "under their diagnoses, or no procedure attribute table); check dip.icd10 "
                 "and dip.proc_attributes in the configuration",
                 cfg->dip.catalogue_csv ? cfg->dip.catalogue_csv : "catalogue", ng);
        goto out;
    }

    /* Institutions: levels 1:2:3 in a 3:2:1 mix, institution 1 a level-3
     * hospital; volume by level times a per-institution factor. */
    pl->ninst = cfg->gen_institutions > 0 ? cfg->gen_institutions : 40;
    if (pl->ninst > 99999) pl->ninst = 99999;
    pl->inst = calloc((size_t)pl->ninst, sizeof *pl->inst);
    pl->inst_cum = calloc((size_t)pl->ninst, sizeof *pl->inst_cum);
    if (!pl->inst || !pl->inst_cum) goto nomem;
    snprintf(pl->region, sizeof pl->region, "%s", cfg->region[0] ? cfg->region : "410400");
    static const int level_cycle[6] = {3, 1, 2, 1, 2, 1};
    static const double level_volume[4] = {0, 1.5, 4.0, 10.0};
    for (int i = 0; i < pl->ninst; i++) {
        institution *in = &pl->inst[i];
        uint64_t s = mix64(seed ^ 0x1D8E4E27C47D124FULL ^ ((uint64_t)(i + 1) * 0xD6E8FEB86659FD93ULL));
        snprintf(in->id, sizeof in->id, "H%s%05d", pl->region, i + 1);
        in->level = level_cycle[i % 6];
        in->factor = 0.92 + 0.16 * unif(&s);
        double vol = level_volume[in->level] * (0.5 + unif(&s));
        pl->inst_total += (uint64_t)(vol * 1000.0) + 1;
        pl->inst_cum[i] = pl->inst_total;
    }
    pl->ref_year = cfg->gen_year;
    uint64_t pool = (uint64_t)(pool_cases > 0 ? pool_cases : 1) * 7 / 10;
    if (pool < 1000) pool = 1000;
    pl->pool = (pool + 3) / 4 * 4;
    rc = 0;
    goto out;
nomem:
    snprintf(err, errlen, "out of memory while planning the synthetic region from %s; "
             "free memory or use a smaller catalogue",
             cfg->dip.catalogue_csv ? cfg->dip.catalogue_csv : "the catalogue");
out:
    free(shadow);
    free((void *)dxonly);
    free(mains);
    if (rc != 0) plan_free(pl);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */
/* ------------------------------------------------------------------ */

typedef struct {
    uint32_t rec;
    uint32_t dx;            /* index into plan.dx */
    int32_t inst;
    uint64_t patient;       /* patient number: sex and birth date (patient_attrs) */
    uint64_t person;        /* the patient id written (patient_id column): one per stay, shared
                               only by a readmission and its anchor (see base_skeleton) */
    int sex;                /* 1 male, 2 female */
    int32_t birth;          /* day number */
    int32_t admit, discharge;
    int32_t los;
    int readmit;
} skeleton;

static size_t upper_bound_u64(const uint64_t *cum, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] <= x) lo = mid + 1;
        else hi = mid;
    }
    return lo < n ? lo : n - 1;
}

/* Patient number n: bit 0 male, bit 1 the 18-45 stratum. Sex and birth
 * date depend on (seed, n) only. */
static void patient_attrs(const plan *pl, uint64_t n, int *sex, int32_t *birth)
{
    uint64_t s = mix64(pl->seed ^ 0x5851F42D4C957F2DULL ^ (n * 0xC2B2AE3D27D4EB4FULL));
    *sex = (n & 1) ? 1 : 2;
    int age;
    if (n & 2) {
        age = 20 + (int)below(&s, 25);
    } else if (unif(&s) < 0.10) {
        age = 4 + (int)below(&s, 14);
    } else {
        double a = 58.0 + 16.0 * normal(&s);
        age = a < 18 ? 18 : a > 98 ? 98 : (int)a;
    }
    int32_t ref = days_from_civil(pl->ref_year, 7, 1);
    *birth = ref - age * 365 - (int32_t)(age / 4) - (int32_t)below(&s, 365);
}

static gen_bad bad_raw(uint64_t seed, int year, int64_t row, double share)
{
    if (!(share > 0)) return GEN_BAD_NONE;
    uint64_t s = stream_key(seed, year, row, 2);
    if (unif(&s) >= share) return GEN_BAD_NONE;
    return (gen_bad)(1 + below(&s, GEN_BAD__COUNT - 1));
}

/* The nearest earlier row that carries its own case id (neither missing
 * nor a duplicate), or -1. */
static int64_t dup_target(uint64_t seed, int year, int64_t row, double share)
{
    int64_t r = row - 1;
    while (r >= 0) {
        gen_bad b = bad_raw(seed, year, r, share);
        if (b != GEN_BAD_MISSING_ID && b != GEN_BAD_DUPLICATE_ID) break;
        r--;
    }
    return r;
}

gen_bad gen_bad_kind(uint64_t seed, int year, int64_t row, double bad_rows)
{
    gen_bad b = bad_raw(seed, year, row, bad_rows);
    if (b == GEN_BAD_DUPLICATE_ID && dup_target(seed, year, row, bad_rows) < 0)
        b = GEN_BAD_EMPTY_DX;
    return b;
}

/* The skeleton of a row from its own stream, ignoring readmission. */
static void base_skeleton(const plan *pl, const yctx *y, int64_t row, skeleton *k)
{
    uint64_t s = stream_key(pl->seed, y->year, row, 0);
    (void)next64(&s);   /* readmission flag */
    (void)next64(&s);   /* anchor offset */
    k->rec = (uint32_t)upper_bound_u64(pl->cum, pl->nrec, below(&s, pl->total_w));
    const recipe *r = &pl->rec[k->rec];
    k->dx = r->dx_off + (uint32_t)below(&s, r->dx_n);
    const char *dx = pl->dx[k->dx];
    int need_sex = dx_sex(dx), ageclass = dx_ageclass(dx);

    int32_t span = y->year_end - y->year_start + 1;
    if (y->seasonal) {
        int m = (int)upper_bound_u64(y->mcum, 12, below(&s, y->mcum[11]));
        k->discharge = y->mstart[m] + (int32_t)below(&s, (uint64_t)(y->mstart[m + 1] - y->mstart[m]));
    } else {
        k->discharge = y->year_start + (int32_t)below(&s, (uint64_t)span);
    }
    double los = r->los_mean * exp(0.45 * normal(&s) - 0.10125);
    k->los = los < 1 ? 1 : los > 365 ? 365 : (int32_t)(los + 0.5);
    k->admit = k->discharge - k->los;
    k->inst = (int32_t)upper_bound_u64(pl->inst_cum, (size_t)pl->ninst, below(&s, pl->inst_total));
    k->readmit = 0;

    if (ageclass == AGE_NEWBORN) {
        int age_days = (int)(below(&s, 8) + (unif(&s) < 0.3 ? below(&s, 21) : 0));
        k->patient = NEWBORN_BASE + (uint64_t)(y->year % 50) * 100000000ULL + (uint64_t)row;
        k->sex = 1 + (int)below(&s, 2);
        k->birth = k->admit - age_days;
        k->person = k->patient;
        return;
    }
    uint64_t j = below(&s, pl->pool / 4);
    uint64_t male = need_sex ? (need_sex == 1) : below(&s, 2);
    uint64_t fertile = ageclass == AGE_OBSTETRIC ? 1 : (unif(&s) < 0.25);
    k->patient = j * 4 + fertile * 2 + male;
    patient_attrs(pl, k->patient, &k->sex, &k->birth);
    if (k->birth > k->admit) k->birth = k->admit - 365 * 4;
    /* The person (patient_id) is the row's own, so one patient's stays never
     * overlap by chance: a patient has one stay, or two when the row is the
     * anchor of a readmission (row_skeleton: admitted 1..14 days after the
     * anchor's discharge, disjoint). Sex and birth still come from the
     * drawn pool number, so ages and groups are as before. Adults: year
     * (mod 40) x 10^8 + row, below NEWBORN_BASE (rows < 10^8 a year). */
    k->person = (uint64_t)(y->year % 40) * 100000000ULL + (uint64_t)row % 100000000ULL;
}

/* Readmissions: row a is an anchor when its first draw is below
 * READMIT_SHARE; it then points at a target row a+1..a+READMIT_LOOKBACK.
 * A target that is not an anchor itself becomes the readmission of its
 * nearest pointing anchor, so no anchor has two readmissions and no
 * readmission is an anchor. */
static int spawn_of(const plan *pl, const yctx *y, int64_t a, int64_t *target)
{
    uint64_t s = stream_key(pl->seed, y->year, a, 0);
    int spawn = unif(&s) < READMIT_SHARE;
    *target = a + 1 + (int64_t)below(&s, READMIT_LOOKBACK);
    return spawn;
}

/* The row's skeleton: its base skeleton, or (anchor >= 0) a readmission of
 * the anchor row: same patient, institution and group, admitted 1..14 days
 * after the anchor's discharge, unless that would end after the year. */
static void row_skeleton(const plan *pl, const yctx *y, int64_t row, int64_t anchor, skeleton *k)
{
    base_skeleton(pl, y, row, k);
    if (anchor < 0) return;
    skeleton an;
    base_skeleton(pl, y, anchor, &an);
    uint64_t s1 = stream_key(pl->seed, y->year, row, 3);
    int32_t admit = an.discharge + 1 + (int32_t)below(&s1, 14);
    const recipe *r = &pl->rec[an.rec];
    uint32_t dx = r->dx_off + (uint32_t)below(&s1, r->dx_n);
    if (dx_sex(pl->dx[dx]) != 0 && dx_sex(pl->dx[dx]) != an.sex) dx = an.dx;
    double los = r->los_mean * exp(0.45 * normal(&s1) - 0.10125);
    int32_t ilos = los < 1 ? 1 : los > 365 ? 365 : (int32_t)(los + 0.5);
    if (admit + ilos > y->year_end) return;
    k->los = ilos;
    k->rec = an.rec;
    k->dx = dx;
    k->inst = an.inst;
    k->patient = an.patient;
    k->person = an.person;
    k->sex = an.sex;
    k->birth = an.birth;
    k->admit = admit;
    k->discharge = admit + k->los;
    k->readmit = 1;
}

/* Formats one row into p; returns the end. *bad and *readmit report what
 * the row is. */
static char *format_row(const plan *pl, const yctx *y, int64_t row, int64_t anchor, char *p,
                        gen_bad *bad_out, int *readmit_out)
{
    skeleton k;
    row_skeleton(pl, y, row, anchor, &k);
    const recipe *r = &pl->rec[k.rec];
    const institution *in = &pl->inst[k.inst];
    gen_bad bad = gen_bad_kind(pl->seed, y->year, row, y->bad_share);
    uint64_t s = stream_key(pl->seed, y->year, row, 1);
    *bad_out = bad;
    *readmit_out = k.readmit;

    /* case_id */
    int64_t id_row = row;
    if (bad == GEN_BAD_DUPLICATE_ID) id_row = dup_target(pl->seed, y->year, row, y->bad_share);
    if (bad != GEN_BAD_MISSING_ID) {
        *p++ = 'D';
        *p++ = y->yy[0];
        *p++ = y->yy[1];
        p = put_fixed(p, (uint64_t)id_row + 1, 8);
    }
    *p++ = ',';
    *p++ = 'P';
    p = put_fixed(p, (k.person * 7919ULL + 1234567ULL) % PID_MOD, 10);
    *p++ = ',';
    p = put_str(p, in->id);
    *p++ = ',';
    *p++ = (char)('0' + in->level);
    *p++ = ',';
    p = put_str(p, pl->region);
    *p++ = ',';
    *p++ = (char)('0' + k.sex);
    *p++ = ',';
    int age = age_years_at(k.birth, k.admit);
    int32_t age_days = k.admit - k.birth;
    p = put_u64(p, (uint64_t)age);
    *p++ = ',';
    if (age == 0) p = put_u64(p, (uint64_t)age_days);
    *p++ = ',';
    if (age == 0 && age_days <= 28) {
        double bw = 3250.0 + 480.0 * normal(&s);
        int ibw = bw < 900 ? 900 : bw > 5200 ? 5200 : (int)bw;
        p = put_u64(p, (uint64_t)ibw);
    }
    *p++ = ',';
    int32_t admit = k.admit;
    if (bad == GEN_BAD_DATES) admit = k.discharge + 1 + (int32_t)below(&s, 10);
    p = put_date(p, admit);
    *p++ = ',';
    p = put_date(p, k.discharge);
    *p++ = ',';
    p = put_u64(p, (uint64_t)k.los);
    *p++ = ',';

    double u = unif(&s);
    int mode = u < 0.010 ? 5 : u < 0.040 ? 2 : u < 0.080 ? 3 : u < 0.110 ? 4 : u < 0.115 ? 9 : 1;
    *p++ = (char)('0' + mode);
    *p++ = ',';

    const char *pdx = pl->dx[k.dx];
    if (bad != GEN_BAD_EMPTY_DX) p = put_code(p, pdx);
    *p++ = ',';
    /* 0-4 secondary diagnoses, distinct, none the principal, sex-compatible */
    static const double ndx_cum[MAX_OTHER_DX] = {0.20, 0.45, 0.70, 0.85};
    double un = unif(&s);
    int n_other = 0;
    while (n_other < MAX_OTHER_DX && un >= ndx_cum[n_other]) n_other++;
    const char *chosen[MAX_OTHER_DX];
    int nch = 0;
    const char *const *pool = pl->sec;
    size_t npool = pl->nsec;
    if (dx_ageclass(pdx) == AGE_NEWBORN) {
        pool = pl->sec_nb;
        npool = pl->nsec_nb;
    }
    for (int i = 0; i < n_other && npool; i++) {
        for (int t = 0; t < 4; t++) {
            const char *c = pool[below(&s, npool)];
            int sx = dx_sex(c);
            int dup = strcmp(c, pdx) == 0;
            for (int j = 0; j < nch && !dup; j++) dup = chosen[j] == c;
            if (dup || (sx && sx != k.sex)) continue;
            chosen[nch++] = c;
            break;
        }
    }
    for (int i = 0; i < nch; i++) {
        if (i) *p++ = '|';
        p = put_code(p, chosen[i]);
    }
    *p++ = ',';

    /* procedures */
    if (r->kind == K_CORE && r->main_proc[0]) {
        p = put_code(p, r->main_proc);
        *p++ = ',';
        int nr = r->n_related;
        int rot = nr > 1 ? (int)below(&s, (uint64_t)nr) : 0;
        for (int i = 0; i < nr; i++) {
            if (i) *p++ = '|';
            p = put_code(p, r->related[(i + rot) % nr]);
        }
        *p++ = ',';
    } else if (r->kind == K_COMP_PROC) {
        const char *const *list = pl->attr_list[r->attr];
        size_t n = pl->attr_n[r->attr];
        size_t i = (size_t)below(&s, n);
        while (in_sorted(pl->ex + r->ex_off, r->ex_n, list[i])) i = (i + 1) % n;
        p = put_code(p, list[i]);
        *p++ = ',';
        *p++ = ',';
    } else {
        *p++ = ',';
        *p++ = ',';
    }

    /* ICU and ventilation */
    int icu = 0, vent = 0;
    if (unif(&s) < 0.03) {
        int maxd = k.los < 10 ? k.los : 10;
        icu = 1 + (int)below(&s, (uint64_t)maxd);
        if (unif(&s) < 0.5) {
            int maxh = icu * 24 < 200 ? icu * 24 : 200;
            vent = 2 + (int)below(&s, (uint64_t)(maxh - 1));
        }
    }
    p = put_u64(p, (uint64_t)vent);
    *p++ = ',';
    p = put_u64(p, (uint64_t)icu);
    *p++ = ',';

    /* money */
    static const double level_factor[4] = {1.0, 0.75, 0.90, 1.10};
    double mean = r->mean_fee * level_factor[in->level] * in->factor * y->deflator;
    double x = exp(log(mean) + r->mu0 + r->sigma * normal(&s));
    double lo = mean * 0.05 < 50.0 ? 50.0 : mean * 0.05;
    if (x < lo) x = lo;
    if (x > mean * 30.0) x = mean * 30.0;
    if (x > 50000000.0) x = 50000000.0;
    int64_t total = (int64_t)llround(x * 100.0);

    /* category weights: services : drugs+materials : exams ~ 30 : 45 : 25 */
    double bs = 0.30 * (0.8 + 0.4 * unif(&s));
    double bd = 0.45 * (0.8 + 0.4 * unif(&s));
    double be = 0.25 * (0.8 + 0.4 * unif(&s));
    double w[N_CAT];
    /* order: bed consult exam lab treatment surgery nursing material western
     * herbal patent general registration other */
    double sv[8] = {0.22, 0.06, 0.30, r->surgical ? 0.30 : 0.0, 0.14, 0.04, 0.005, 0.035};
    double dv[4] = {r->surgical ? 0.35 : 0.12, 0.75, unif(&s) < 0.6 ? 0.0 : 0.05, 0.09};
    double ev[2] = {0.55, 0.45};
    for (int i = 0; i < 8; i++) sv[i] *= 0.6 + 0.8 * unif(&s);
    for (int i = 0; i < 4; i++) dv[i] *= 0.6 + 0.8 * unif(&s);
    for (int i = 0; i < 2; i++) ev[i] *= 0.6 + 0.8 * unif(&s);
    double ssum = 0, dsum = 0, esum = 0;
    for (int i = 0; i < 8; i++) ssum += sv[i];
    for (int i = 0; i < 4; i++) dsum += dv[i];
    for (int i = 0; i < 2; i++) esum += ev[i];
    w[0] = bs * sv[0] / ssum; w[1] = bs * sv[1] / ssum; w[2] = be * ev[0] / esum;
    w[3] = be * ev[1] / esum; w[4] = bs * sv[2] / ssum; w[5] = bs * sv[3] / ssum;
    w[6] = bs * sv[4] / ssum; w[7] = bd * dv[0] / dsum; w[8] = bd * dv[1] / dsum;
    w[9] = bd * dv[2] / dsum; w[10] = bd * dv[3] / dsum; w[11] = bs * sv[5] / ssum;
    w[12] = bs * sv[6] / ssum; w[13] = bs * sv[7] / ssum;
    uint64_t wi[N_CAT], wsum = 0;
    int big = 0;
    for (int i = 0; i < N_CAT; i++) {
        wi[i] = (uint64_t)(w[i] * 1048576.0);
        wsum += wi[i];
        if (wi[i] > wi[big]) big = i;
    }
    int64_t cat[N_CAT], csum = 0;
    for (int i = 0; i < N_CAT; i++) {
        cat[i] = (int64_t)(((unsigned __int128)(uint64_t)total * wi[i]) / wsum);
        csum += cat[i];
    }
    cat[big] += total - csum;
    if (bad == GEN_BAD_CATEGORY_SUM) cat[13] += 100 + (int64_t)below(&s, 9901);

    double share = in->level == 1 ? 0.70 + 0.15 * unif(&s)
                 : in->level == 2 ? 0.62 + 0.18 * unif(&s) : 0.55 + 0.20 * unif(&s);
    int64_t fund = (int64_t)llround((double)total * share);
    if (bad == GEN_BAD_TOTAL_TEXT) {
        memcpy(p, "N/A", 3);
        p += 3;
    } else if (bad == GEN_BAD_OVERPRECISE) {
        p = put_yuan(p, total);
        *p++ = '5';
    } else {
        p = put_yuan(p, total);
    }
    *p++ = ',';
    p = put_yuan(p, fund);
    *p++ = ',';
    p = put_yuan(p, total - fund);
    for (int i = 0; i < N_CAT; i++) {
        *p++ = ',';
        p = put_yuan(p, cat[i]);
    }
    *p++ = ',';
    p = put_str(p, r->code);
    *p++ = '\n';
    return p;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len, cap;
    int64_t *anchor;            /* BLOCK_ROWS: anchor row of each row, or -1 */
    int64_t bad[GEN_BAD__COUNT];
    int64_t readmissions;
    int failed;
} block;

static void gen_block(const plan *pl, const yctx *y, int64_t first, int64_t n, block *b)
{
    b->len = 0;
    b->failed = 0;
    b->readmissions = 0;
    memset(b->bad, 0, sizeof b->bad);
    if (!b->anchor && !(b->anchor = malloc(BLOCK_ROWS * sizeof *b->anchor))) {
        b->failed = 1;
        return;
    }
    for (int64_t i = 0; i < n; i++) b->anchor[i] = -1;
    int64_t a0 = first - READMIT_LOOKBACK < 0 ? 0 : first - READMIT_LOOKBACK;
    for (int64_t a = a0; a < first + n; a++) {
        int64_t t;
        if (spawn_of(pl, y, a, &t) && t >= first && t < first + n && a > b->anchor[t - first])
            b->anchor[t - first] = a;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t t;
        if (b->anchor[i] >= 0 && spawn_of(pl, y, first + i, &t)) b->anchor[i] = -1;
    }
    for (int64_t i = 0; i < n; i++) {
        if (b->cap - b->len < pl->max_row) {
            size_t nc = b->cap ? b->cap * 2 : (size_t)BLOCK_ROWS * 400;
            while (nc - b->len < pl->max_row) nc *= 2;
            char *nb = realloc(b->buf, nc);
            if (!nb) {
                b->failed = 1;
                return;
            }
            b->buf = nb;
            b->cap = nc;
        }
        gen_bad bad;
        int readmit;
        char *end = format_row(pl, y, first + i, b->anchor[i], b->buf + b->len, &bad, &readmit);
        b->len = (size_t)(end - b->buf);
        b->bad[bad]++;
        b->readmissions += readmit;
    }
}

/* Appends the finished blocks of one batch to f, in order. Returns 0, -1 on
 * a write error, -2 when a block ran out of memory. */
static int flush_batch(FILE *f, block *blocks, int nb, gen_stats *st)
{
    for (int i = 0; i < nb; i++) {
        if (blocks[i].failed) return -2;
        if (fwrite(blocks[i].buf, 1, blocks[i].len, f) != blocks[i].len) return -1;
        st->bytes += blocks[i].len;
        for (int b = 0; b < GEN_BAD__COUNT; b++) st->bad[b] += blocks[i].bad[b];
        st->readmissions += blocks[i].readmissions;
    }
    return 0;
}

/* One file. Batches of nblk_batch blocks are double-buffered: while the
 * threads format batch k, one of them writes batch k-1. blocks has room for
 * 2 * nblk_batch. */
volatile int gen_interrupt = 0;

static int write_file(const plan *pl, const yctx *y, const char *path, int nthreads,
                      block *blocks, int nblk_batch, gen_stats *st, gen_progress_fn progress,
                      void *user, char *err, size_t errlen)
{
    /* written under a temporary name and renamed: a file is complete or absent */
    char final_path[4096];
    snprintf(final_path, sizeof final_path, "%s", path);
    char tmp[4160];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", final_path, (long)getpid());
    path = tmp;
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot create (%s); check that the output directory is "
                 "writable", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    static const char header[] = GEN_CSV_HEADER "\n";
    if (fwrite(header, 1, sizeof header - 1, f) != sizeof header - 1) rc = -1;
    st->bytes += sizeof header - 1;
    int64_t nblocks = (y->nrows + BLOCK_ROWS - 1) / BLOCK_ROWS;
    int64_t nbatch = (nblocks + nblk_batch - 1) / nblk_batch;
    for (int64_t k = 0; k <= nbatch && rc == 0; k++) {
        block *cur = blocks + (k & 1) * nblk_batch, *prev = blocks + ((k + 1) & 1) * nblk_batch;
        int64_t left = nblocks - k * nblk_batch;
        int ncur = k < nbatch ? (int)(left < nblk_batch ? left : nblk_batch) : 0;
        int64_t pleft = nblocks - (k - 1) * nblk_batch;
        int nprev = k > 0 ? (int)(pleft < nblk_batch ? pleft : nblk_batch) : 0;
        int wrc = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads)
#endif
        {
#ifdef _OPENMP
#pragma omp single nowait
#endif
            wrc = flush_batch(f, prev, nprev, st);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (int i = 0; i < ncur; i++) {
                int64_t first = (k * nblk_batch + i) * BLOCK_ROWS;
                int64_t n = y->nrows - first < BLOCK_ROWS ? y->nrows - first : BLOCK_ROWS;
                gen_block(pl, y, first, n, &cur[i]);
            }
        }
        rc = wrc;
        if (rc == 0 && gen_interrupt) rc = -3;
        if (progress && rc == 0 && k > 0) {
            int64_t done = k * nblk_batch * BLOCK_ROWS;
            progress(user, y->year, done < y->nrows ? done : y->nrows, y->nrows);
        }
    }
    (void)nthreads;
    int saved = errno;
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && rename(tmp, final_path) != 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0) remove(tmp);
    if (rc == -3) {
        snprintf(err, errlen, "%s: interrupted; the file was not written", final_path);
        return -1;
    }
    if (rc == -2) {
        snprintf(err, errlen, "%s: out of memory while formatting rows; free memory", final_path);
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: write failed (%s); check free disk space; nothing was left behind",
                 final_path, saved ? strerror(saved) : "disk full or file too large");
        return -1;
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int gen_region_ex(const cm_config *cfg, const gr_dip *dip, const char *dir, int64_t cases,
                  int64_t history_cases, uint64_t seed, double bad_rows, gen_stats *stats,
                  gen_progress_fn progress, void *user, char *err, size_t errlen)
{
    gen_stats local;
    gen_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    if (err && errlen) err[0] = 0;
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    if (!cfg || !dip || !dir || !dir[0]) {
        snprintf(err, errlen, "gen_region: configuration, catalogue and output directory "
                 "are required; pass --config and --out");
        return -1;
    }
    if (cases < 0 || cases > GEN_MAX_ROWS || history_cases > GEN_MAX_ROWS) {
        snprintf(err, errlen, "gen_region: cases must be 0..%lld (got %lld, history %lld); "
                 "lower --cases", (long long)GEN_MAX_ROWS, (long long)cases,
                 (long long)history_cases);
        return -1;
    }
    if (!(bad_rows >= 0.0 && bad_rows <= 1.0)) {
        snprintf(err, errlen, "gen_region: bad_rows must be a share in [0, 1] (got %g); "
                 "fix generator.bad_rows", bad_rows);
        return -1;
    }
    if (cfg->gen_year < 1900 + CM_MAX_HISTORY || cfg->gen_year > 9999) {
        snprintf(err, errlen, "gen_region: generator.year must be 1903..9999 (got %d); fix "
                 "generator.year", cfg->gen_year);
        return -1;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create the output directory (%s); create its "
                 "parent or choose another --out", dir, strerror(errno));
        return -1;
    }
    double t0 = now_seconds();
    plan pl;
    if (build_plan(&pl, cfg, dip, seed, cases, st, err, errlen) != 0) return -1;

    int nthreads = 1;
#ifdef _OPENMP
    nthreads = cfg->threads > 0 ? cfg->threads : omp_get_max_threads();
#endif
    st->threads = nthreads;
    int nblk_batch = nthreads * BATCH_BLOCKS_PER_THREAD;
    block *blocks = calloc(2 * (size_t)nblk_batch, sizeof *blocks);
    if (!blocks) {
        plan_free(&pl);
        snprintf(err, errlen, "gen_region: out of memory; free memory");
        return -1;
    }

    int nyears = history_cases >= 0 ? 1 + CM_MAX_HISTORY : 1;
    int rc = 0;
    for (int yi = 0; yi < nyears && rc == 0; yi++) {
        yctx y;
        memset(&y, 0, sizeof y);
        y.year = cfg->gen_year - yi;
        y.nrows = yi == 0 ? cases : (history_cases > 0 ? history_cases : cases);
        y.year_start = days_from_civil(y.year, 1, 1);
        y.year_end = days_from_civil(y.year, 12, 31);
        y.deflator = pow(0.96, yi);
        y.bad_share = bad_rows;
        if (cfg->gen_seasonality > 0) {
            y.seasonal = 1;
            uint64_t acc = 0;
            for (int m = 0; m < 12; m++) {
                y.mstart[m] = days_from_civil(y.year, m + 1, 1);
                int32_t next = m < 11 ? days_from_civil(y.year, m + 2, 1) : y.year_end + 1;
                double wm = (1.0 + cfg->gen_seasonality * cos(6.283185307179586 * m / 12.0)) * (double)(next - y.mstart[m]);
                acc += (uint64_t)(wm * 1e6) + 1;
                y.mcum[m] = acc;
            }
            y.mstart[12] = y.year_end + 1;
        }
        y.yy[0] = (char)('0' + (y.year / 10) % 10);
        y.yy[1] = (char)('0' + y.year % 10);
        char path[CM_PATH_MAX + 64];
        if (yi == 0) snprintf(path, sizeof path, "%s/current.csv", dir);
        else snprintf(path, sizeof path, "%s/history_%d.csv", dir, y.year);
        rc = write_file(&pl, &y, path, nthreads, blocks, nblk_batch, st, progress, user, err,
                        errlen);
        st->year[st->nfiles] = y.year;
        st->rows[st->nfiles] = y.nrows;
        st->nfiles++;
    }
    for (int i = 0; i < 2 * nblk_batch; i++) {
        free(blocks[i].buf);
        free(blocks[i].anchor);
    }
    free(blocks);
    plan_free(&pl);
    st->seconds = now_seconds() - t0;
    return rc;
}

int gen_region(const cm_config *cfg, const gr_dip *dip, const char *dir, int64_t cases,
               int64_t history_cases, uint64_t seed, double bad_rows, char *err, size_t errlen)
{
    return gen_region_ex(cfg, dip, dir, cases, history_cases, seed, bad_rows, NULL, NULL, NULL,
                         err, errlen);
}
