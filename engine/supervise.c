/*
 * supervise.c - supervision (稽核) of a settlement: drives the case rules
 * of scoring/rules.c over the period and the baseline scenario and writes
 * /flags, /rules, /rule_names and /review_sample (supervise.h).
 *
 * Memory: a 12-byte fact per slot (sv_fact: 48-bit patient hash, admission
 * and discharge day, principal dx category with the discharge mode, code
 * bits) in a side array grown with the slots and freed after the rules;
 * the join's index per batch of partitions (~1 byte a case); 2 bytes per
 * slot for the rule mask (after the join); the flags themselves (one
 * entry per hit, 32 bytes).
 *
 * Cross-case join: the cases with a patient, admission and discharge are
 * partitioned by the patient hash (fixed partitions; counted and
 * scattered per fixed slice of slots, so the layout does not depend on the
 * threads; taken in batches), in each partition (on its own thread) the
 * patients with two or more stays found by hash (sc_mark_repeated) and
 * only their stays sorted by (patient, admit, discharge, institution, case
 * id) - a total order that does not depend on the input order - and each
 * patient's run evaluated by sc_patient_rules (linear after the sort). Flags are collected per thread
 * and sorted by (slot, rule), so the output does not depend on threads.
 * The previous period's cases (supervision.previous_input; 20 bytes each,
 * the window's only) join as one more slice, indices n + j, their facts
 * built by the same fact_fill (hash, partition, exemption bit): first on a
 * full tie (the earlier claim), never flagged themselves.
 */
#include "supervise.h"
#include "pipeline.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* A 12-byte fact a slot: the top 48 bits of the patient hash (0 = none),
 * admission and discharge day (days since 1970; 0 = missing), and in
 * `code` the principal dx category (-1..2599) and the discharge mode as the
 * rules read it (DM_*: transferred 2, died 5, other) as (pdx + 1) x 3 + dm
 * in 13 bits, with the FB_* bits above. */
typedef struct {
    uint16_t pat[3];
    uint16_t admit, disch;
    uint16_t code;
} sv_fact;
_Static_assert(sizeof(sv_fact) == 12, "the supervision fact is 12 bytes a slot");
_Static_assert(SC_RULE__COUNT <= SV_MASK_LEVEL_SHIFT && SC_RES_INFO == 3 && SC_RES_DEFINITE == 0,
               "the rule mask: a bit a rule below the result level (supervise.h)");
enum { DM_OTHER = 0, DM_TRANSFER = 1, DM_DIED = 2 };
enum { FB_EXEMPT = 1, FB_HAS_PROC = 2, FB_LOW_DX = 4 }; /* R01's exemption (dx or emergency route); R07's */
#define FB_SHIFT 13

static inline uint64_t fact_pat(const sv_fact *f)
{
    return (uint64_t)f->pat[0] | (uint64_t)f->pat[1] << 16 | (uint64_t)f->pat[2] << 32;
}
static inline int fact_pdx(const sv_fact *f) { return (int)((f->code & 0x1FFFu) / 3) - 1; }
static inline uint8_t fact_dmode(const sv_fact *f) /* the discharge mode, as far as the rules tell modes apart */
{
    static const uint8_t mode[3] = {0, 2, 5};
    return mode[(f->code & 0x1FFFu) % 3];
}
static inline unsigned fact_bits(const sv_fact *f) { return f->code >> FB_SHIFT; }

typedef struct {
    uint32_t slot;
    int32_t other;           /* slot of the related case, -1 */
    uint8_t rule, result;
    double fig, thr;
} sv_flag;

typedef struct {
    sv_flag *e;
    size_t n, cap;
    int oom;
} sv_flags;

typedef struct {
    uint32_t slot;
    uint8_t reason;          /* 1 flagged, 2 random */
} sv_pick;

struct sv_state {
    const cm_config *cfg;
    sc_sup_params prm;
    int nt;
    sv_flags *tf;            /* [nt] per thread */
    sv_flags all;            /* merged, by (slot, rule) */
    uint16_t *mask;          /* [n slots] */
    size_t nslots;
    uint8_t evaluated[SC_RULE__COUNT];
    char why_not[SC_RULE__COUNT][96];
    int64_t hits[SC_RULE__COUNT];
    int64_t flagged_cases;
    int has_col[COL__COUNT];
    int has_categories;
    sv_pick *sample;
    size_t nsample, sample_flagged;
    double t;
    double t_phase[4];       /* cross-case, single-case, merge + mask, sample (seconds) */
    const cm_scenario *sn;   /* the baseline (R12's figures at write time; not owned) */
    /* per DIP group from history (cm_calib.sup_*): R08's mean LOS (<= 0
     * unknown), R11's low-risk mark and z; NULL without history */
    size_t ngrp;
    int hist_years;          /* history years behind grp_los (cm_calib.nyears), 0 without */
    int hist_sup_only;       /* the history was read for supervision alone (cm_period.sup_hist) */
    int64_t hist_cases;      /* history cases with a LOS in a DIP group (Σ cm_calib.sup_los_n) */
    int hist_reason;         /* without grp_los: 1 no history list, 2 no DIP groups */
    double *grp_los, *grp_z;
    uint8_t *grp_low;
    uint8_t *lowrisk;        /* [n slots] bit 0 low-risk group, bit 1 died; NULL unless R11 ran */
    /* sv_cross (before payment): the cross-case rules done; the R05
     * duplicates (B) withheld from payment, by slot, and their claims */
    int cross_done;
    int dups_only;           /* sv_dups_only: R05 for payment (month, simulate), no tables */
    uint32_t *withheld;
    size_t nwithheld;
    int64_t withheld_total_fen, withheld_fund_fen;
    /* supervision.previous_input: the previous period's cases discharged in
     * the window (prev_key, sorted by case id; index n + j in the join) */
    struct sv_prev *prev;
    size_t nprev;
    char *prev_ids;          /* their case ids, NUL-separated (sv_prev.id: offset) */
    size_t prev_id_max;      /* the longest of them (bytes): /flags' id width when longer than /cases' */
    int prev_read;           /* 1 when the file was read */
    int prev_window;         /* N: days before the current first admission */
    int64_t prev_rows, prev_cases, prev_rejected;
    uint32_t prev_first_reject_line;
    char prev_first_reject[160];
    /* per dx category (类目, sc_dx_category: 0..2599) the code lists of R09
     * and R10 it is in (CT_*), from sc_code_ranges_has once at sv_begin: the
     * row's codes are looked up, not matched against every range */
    uint8_t cat_tab[26 * 100];
    /* the first bytes (either case) that start an item of R01.exempt_dx
     * (bit 0) or R07.dx (bit 1): a code starting otherwise is on neither
     * list, without the list's case-folding compare */
    uint8_t first[256];
};
enum { CT_FEMALE = 1, CT_MALE = 2, CT_NEWBORN = 4, CT_OBSTETRIC = 8 };

/* sc_dx_category without the locale's toupper / isdigit (the same for
 * every byte: ASCII letters and digits only) */
static inline int dx_cat(const char *c)
{
    if (!c) return -1;
    unsigned l = ((unsigned char)c[0] & ~0x20u) - 'A', d1, d2;
    if (l > 25u || (d1 = (unsigned char)c[1] - '0') > 9u || (d2 = (unsigned char)c[2] - '0') > 9u) return -1;
    return (int)(l * 100 + d1 * 10 + d2);
}

/* The fact of a parsed row: sv_row's for a slot of the period, and
 * prev_row's for a case of the previous period (the same 48-bit patient
 * hash, so the same partition and patient; the same exemption bit, from
 * the emergency route or an exempt dx). Returns the principal dx category.
 * Inlined: sv_row is on the read's hot path. */
__attribute__((always_inline)) static inline int fact_fill(const sv_state *sv, sv_fact *f, const cm_parser *p)
{
    const gr_case *g = &p->gc;
    uint64_t h = p->sup_patient >> 16; /* the top 48 bits; 0 stays "none" */
    if (p->sup_patient && !h) h = 1;
    f->pat[0] = (uint16_t)h;
    f->pat[1] = (uint16_t)(h >> 16);
    f->pat[2] = (uint16_t)(h >> 32);
    f->admit = p->admit_day > 0 && p->admit_day < 65536 ? (uint16_t)p->admit_day : 0;
    f->disch = p->discharge_day > 0 && p->discharge_day < 65536 ? (uint16_t)p->discharge_day : 0;
    int pcat = dx_cat(g->principal_dx);
    unsigned dm = p->sup_dmode == 2 ? DM_TRANSFER : p->sup_dmode == 5 ? DM_DIED : DM_OTHER;
    const sc_sup_params *prm = &sv->prm;
    unsigned b = 0;
    unsigned fl = g->principal_dx ? sv->first[(unsigned char)g->principal_dx[0]] : 0;
    if ((p->sup_route == 1 && prm->exempt_emergency) ||
        ((fl & 1) && sc_prefix_list_has(&prm->exempt_dx, g->principal_dx)))
        b |= FB_EXEMPT;
    if ((g->principal_proc && g->principal_proc[0]) || g->n_other_procs > 0) b |= FB_HAS_PROC;
    if ((fl & 2) && sc_prefix_list_has(&prm->low_dx, g->principal_dx)) b |= FB_LOW_DX;
    f->code = (uint16_t)(((unsigned)(pcat + 1) * 3 + dm) | b << FB_SHIFT);
    return pcat;
}

/* A case of the previous period's file (supervision.previous_input) */
typedef struct sv_prev {
    sv_fact f;               /* fact_fill's, as a current slot's */
    uint32_t inst;           /* the current period's institution index; UINT32_MAX when not in it */
    uint32_t id;             /* offset of the case id in prev_ids (after the read: the row's slot) */
} sv_prev;
_Static_assert(sizeof(sv_prev) == 20, "a previous period's case is 20 bytes (docs/METHODS.md §11)");

#define FLAG_RUN ((size_t)2048) /* flags (32 B) in 64 KiB */
static void push(sv_flags *f, uint32_t slot, int32_t other, int rule, int result, double fig, double thr)
{
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 1024;
        sv_flag *ne = realloc(f->e, nc * sizeof *ne);
        if (!ne) { f->oom = 1; return; }
        f->e = ne;
        f->cap = nc;
    }
    if (!(f->n & (FLAG_RUN - 1))) /* the next 64 KiB of the list mapped in one call (pl_populate), not as filled */
        pl_populate(f->e + f->n, (f->cap - f->n < FLAG_RUN ? f->cap - f->n : FLAG_RUN) * sizeof *f->e);
    f->e[f->n++] = (sv_flag){slot, other, (uint8_t)rule, (uint8_t)result, fig, thr};
}

/* sc_case_rules' callback: k is the slot */
static void on_case_hit(void *ctx, const sc_hit *h)
{
    push(ctx, (uint32_t)h->k, -1, h->rule, h->result, h->figure, h->threshold);
}

cm_status sv_begin(const cm_config *cfg, int nt, cm_parse_opts *po, sv_state **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!cfg->sup_enabled) return CM_OK;
    sv_state *sv = calloc(1, sizeof *sv);
    if (sv) sv->tf = calloc((size_t)nt, sizeof *sv->tf);
    if (!sv || !sv->tf) {
        free(sv);
        snprintf(err, errlen, "out of memory");
        return CM_ERR_NOMEM;
    }
    sv->cfg = cfg;
    sv->prm = cfg->sup;
    sv->nt = nt;
    const sc_prefix_list *lists[2] = {&sv->prm.exempt_dx, &sv->prm.low_dx};
    for (int l = 0; l < 2; l++)
        for (int i = 0; i < lists[l]->n; i++) {
            unsigned char c0 = (unsigned char)lists[l]->p[i][0];
            if (!c0) memset(sv->first, 0xFF, sizeof sv->first); /* an empty item: every code (never parsed so) */
            sv->first[c0] |= (uint8_t)(1u << l);
            sv->first[(unsigned char)toupper(c0)] |= (uint8_t)(1u << l);
            sv->first[(unsigned char)tolower(c0)] |= (uint8_t)(1u << l);
        }
    for (int cat = 0; cat < 26 * 100; cat++)
        sv->cat_tab[cat] = (uint8_t)(sc_code_ranges_has(&sv->prm.female, cat) * CT_FEMALE |
                                     sc_code_ranges_has(&sv->prm.male, cat) * CT_MALE |
                                     sc_code_ranges_has(&sv->prm.newborn, cat) * CT_NEWBORN |
                                     sc_code_ranges_has(&sv->prm.obstetric, cat) * CT_OBSTETRIC);
    po->supervise = 1;
    po->side_bytes = sizeof(sv_fact);
    *out = sv;
    return CM_OK;
}

void sv_row(sv_state *sv, pl_slots *s, size_t slot, int tid, const cm_parser *p, const cm_case *c)
{
    const gr_case *g = &p->gc;
    int pcat = fact_fill(sv, (sv_fact *)(void *)s->side + slot, p);
    const sc_sup_params *prm = &sv->prm;
    /* the rules on the row's own codes and amounts: R09 and R10 as
     * sc_sex_conflict and sc_age_conflict (the first code in conflict, in
     * the order principal, others), each code's category looked up once */
    sv_flags *tf = &sv->tf[tid];
    unsigned sexbit = g->sex == 1 ? CT_FEMALE : g->sex == 2 ? CT_MALE : 0;
    int age = g->age_years;
    unsigned agebits = age < 0 ? 0u
                       : (age > prm->newborn_age_max ? (unsigned)CT_NEWBORN : 0u) |
                             (age < prm->obstetric_age_min || age > prm->obstetric_age_max ? (unsigned)CT_OBSTETRIC : 0u);
    if (!prm->enabled[SC_R09]) sexbit = 0;
    if (!prm->enabled[SC_R10]) agebits = 0;
    if (sexbit | agebits) {
        int sex_hit = !sexbit, age_cat = agebits ? -2 : -1, nc = 0;
        if (g->principal_dx && g->principal_dx[0]) {
            unsigned t = pcat >= 0 ? sv->cat_tab[pcat] : 0;
            if (t & sexbit) sex_hit = 1;
            if (t & agebits) age_cat = pcat;
            nc = 1;
        }
        for (int i = 0; i < g->n_other_dx && nc < CM_MAX_LIST + 1 && (!sex_hit || age_cat == -2); i++, nc++) {
            int cat = dx_cat(g->other_dx[i]);
            unsigned t = cat >= 0 ? sv->cat_tab[cat] : 0;
            if (t & sexbit) sex_hit = 1;
            if ((t & agebits) && age_cat == -2) age_cat = cat;
        }
        if (sexbit && sex_hit) push(tf, (uint32_t)slot, -1, SC_R09, SC_RES_DEFINITE, g->sex, 0);
        if (age_cat >= 0) {
            double thr = (sv->cat_tab[age_cat] & CT_NEWBORN) ? prm->newborn_age_max
                         : age < prm->obstetric_age_min ? prm->obstetric_age_min
                                                        : prm->obstetric_age_max;
            push(tf, (uint32_t)slot, -1, SC_R10, SC_RES_HIGHLY, age, thr);
        }
    }
    if (prm->enabled[SC_R06] && p->sup_bed_fen >= 0 && c->los_days != 65535) {
        sc_case_in in = {.los = c->los_days, .total_fen = c->total_fen, .bed_fen = p->sup_bed_fen,
                         .service_fen = p->sup_service_fen, .has_procedure = 1, .dmode = p->sup_dmode,
                         .ratio = -1, .lowrisk_group = -1};
        sc_case_rules(&in, (int64_t)slot, prm, 1u << SC_R06, on_case_hit, tf);
    }
}

void sv_columns(sv_state *sv, const int colidx[COL__COUNT], int has_categories)
{
    for (int c = 0; c < COL__COUNT; c++) sv->has_col[c] = colidx[c] >= 0;
    sv->has_categories = has_categories;
}

/* R08's group mean LOS and R11's low-risk groups (sc_lowrisk_groups) from
 * the history's integer sums per DIP group (calibrate.c). */
static cm_status group_stats(sv_state *sv, const cm_period *p)
{
    const cm_calib *cal = &p->cal;
    sv->hist_reason = !p->dip ? 2 : 1;
    if (!p->dip || !cal->sup_cases) return CM_OK;
    size_t ng = cal->ng;
    sv->hist_years = cal->nyears;
    sv->hist_sup_only = p->sup_hist;
    sv->hist_reason = 0;
    sv->grp_los = malloc((ng + 1) * sizeof *sv->grp_los);
    sv->grp_z = malloc((ng + 1) * sizeof *sv->grp_z);
    sv->grp_low = malloc(ng + 1);
    if (!sv->grp_los || !sv->grp_z || !sv->grp_low) return CM_ERR_NOMEM;
    for (size_t g = 0; g < ng; g++) {
        sv->grp_los[g] = cal->sup_los_n[g] > 0 ? (double)cal->sup_los_sum[g] / (double)cal->sup_los_n[g] : -1;
        sv->hist_cases += cal->sup_los_n[g];
    }
    sv->ngrp = ng;
    if (cal->sup_dmode_years == 0 ||
        sc_lowrisk_groups(cal->sup_deaths, cal->sup_cases, ng, sv->prm.lowrisk_z, sv->grp_low, sv->grp_z) != SC_OK) {
        free(sv->grp_low); /* no deaths in history: R11 not evaluated (decide) */
        sv->grp_low = NULL;
    }
    return CM_OK;
}

/* Which rules run, and why not the others (a rule whose inputs are absent
 * is not evaluated: never reported as "no hits"). */
static void decide(sv_state *sv, const cm_period *p)
{
    const int *h = sv->has_col;
    int dates = h[COL_PATIENT_ID] && h[COL_ADMIT] && h[COL_DISCHARGE];
    int los = h[COL_LOS] || (h[COL_ADMIT] && h[COL_DISCHARGE]);
    for (int r = 0; r < SC_RULE__COUNT; r++) {
        const char *why = NULL;
        switch (r) {
        case SC_R01: case SC_R02: case SC_R04: case SC_R05:
            if (!dates) why = "needs patient_id, admit_date and discharge_date";
            break;
        case SC_R03:
            if (!dates || !h[COL_DMODE]) why = "needs patient_id, admit_date, discharge_date and discharge_mode";
            break;
        case SC_R06:
            if (!sv->has_categories || !los) why = "needs the cost categories and the length of stay";
            break;
        case SC_R07: case SC_R08:
            if (!los) why = "needs los_days or admit_date and discharge_date";
            break;
        case SC_R09:
            if (!h[COL_SEX]) why = "needs sex";
            break;
        case SC_R10:
            if (!h[COL_AGE_YEARS]) why = "needs age_years";
            break;
        case SC_R11:
            if (!h[COL_DMODE]) why = "needs discharge_mode";
            else if (!p->dip) why = "needs DIP groups (scheme dip or both)";
            else if (!p->cal.sup_cases)
                why = "needs history with discharge_mode for group death rates (history = ({ year = ..; file = ..; }))";
            else if (p->cal.sup_dmode_years == 0)
                why = "the history files have no discharge_mode column (group death rates need it)";
            else if (!sv->grp_low) why = "the history has no deaths (no group death rate to rank)";
            break;
        default:
            break;
        }
        if (!sv->prm.enabled[r]) why = "switched off (supervision.rules.RXX.enabled = false)";
        sv->evaluated[r] = why == NULL;
        snprintf(sv->why_not[r], sizeof sv->why_not[r], "%s", why ? why : "");
    }
}

/* ---- the cross-case join ---- */

typedef struct {
    uint64_t pat;
    uint32_t ad;             /* admit << 16 | discharge */
    uint32_t slot;
    uint32_t inst;           /* the stay's fields, copied while the slots are read forward */
    int16_t pdx;
    uint8_t dmode, bits;
} sv_key;

/* The join's order (patient, admission << 16 | discharge, institution,
 * case id), a total order that does not depend on the input. The partitions (a few thousand keys each) are
 * sorted by a quicksort (Hoare partition, median of three, insertion sort
 * below 16) that calls no function but on a full tie of (patient, stay,
 * institution): the same order qsort_r gave before, so the same bytes,
 * without the library sort's indirect calls and its copy. */
static inline int key_less(const sv_key *x, const sv_key *y, const pl_slots *s)
{
    if (x->pat != y->pat) return x->pat < y->pat;
    if (x->ad != y->ad) return x->ad < y->ad;
    if (x->inst != y->inst) return x->inst < y->inst;
    /* a previous period's case (slot >= n) first: it is the earlier claim
     * (R05); among them by index, which is their case id order */
    int xp = x->slot >= s->n, yp = y->slot >= s->n;
    if (xp | yp) return xp != yp ? xp : x->slot < y->slot;
    return strcmp(pl_case_id(s, x->slot), pl_case_id(s, y->slot)) < 0;
}

static void key_sort(sv_key *k, size_t n, const pl_slots *s)
{
    while (n > 16) {
        size_t mid = n / 2;
        sv_key t;
        if (key_less(&k[mid], &k[0], s)) { t = k[mid]; k[mid] = k[0]; k[0] = t; }
        if (key_less(&k[n - 1], &k[mid], s)) {
            t = k[mid]; k[mid] = k[n - 1]; k[n - 1] = t;
            if (key_less(&k[mid], &k[0], s)) { t = k[mid]; k[mid] = k[0]; k[0] = t; }
        }
        sv_key piv = k[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (key_less(&k[i], &piv, s)) i++;
            while (key_less(&piv, &k[j], s)) j--;
            if (i >= j) break;
            t = k[i]; k[i] = k[j]; k[j] = t;
            i++; j--;
        }
        /* [0, j] <= pivot <= [j+1, n): recurse on the smaller side */
        size_t left = j + 1;
        if (left < n - left) { key_sort(k, left, s); k += left; n -= left; }
        else { key_sort(k + left, n - left, s); n = left; }
    }
    for (size_t i = 1; i < n; i++) {
        sv_key v = k[i];
        size_t j = i;
        while (j > 0 && key_less(&v, &k[j - 1], s)) { k[j] = k[j - 1]; j--; }
        k[j] = v;
    }
}

typedef struct {
    sv_flags *f;
    const sv_key *k;         /* the patient's keys: position -> slot */
    uint32_t n;              /* slots >= n: the previous period's cases */
} pat_ctx;

static void on_pat_hit(void *vctx, const sc_hit *h)
{
    pat_ctx *c = vctx;
    if (c->k[h->k].slot >= c->n) return; /* a previous period's case is never flagged: only evidence */
    push(c->f, c->k[h->k].slot, h->other >= 0 ? (int32_t)c->k[h->other].slot : -1, h->rule, h->result, h->figure,
         h->threshold);
}

/* the join's key of a fact at join index i (a slot, or n + j for the
 * previous period's case j) of institution inst */
static inline sv_key fact_key(const sv_fact *f, uint32_t i, uint32_t inst)
{
    return (sv_key){fact_pat(f), (uint32_t)f->admit << 16 | f->disch, i, inst, (int16_t)fact_pdx(f), fact_dmode(f),
                    (uint8_t)fact_bits(f)};
}

/* the join's key of the previous period's case j (index i = n + j) */
static sv_key prev_key(const sv_state *sv, size_t j, uint32_t i)
{
    return fact_key(&sv->prev[j].f, i, sv->prev[j].inst);
}

#define PART_BITS 12
#define SV_CHUNK ((size_t)1 << 16)

static int eligible(const cm_case *c, const sv_fact *f)
{
    return c->status == SLOT_CASE && (f->pat[0] | f->pat[1] | f->pat[2]) && f->admit && f->disch;
}

/* A thread's scratch for join_partition, grown to the largest partition. */
typedef struct {
    sv_key *k;
    sc_stay *st;
    uint64_t *pat;           /* the partition's patients, by position */
    uint8_t *rep;            /* 1: the patient has two or more stays here */
    uint32_t *tab;           /* sc_mark_repeated's table */
    size_t cap, tcap;
} join_scratch;

static void join_scratch_free(join_scratch *x)
{
    free(x->k); free(x->st); free(x->pat); free(x->rep); free(x->tab);
    memset(x, 0, sizeof *x);
}

/* One partition's stays: the patients with two or more stays found by
 * their hash alone (sc_mark_repeated: a patient with one stay fires no
 * cross-case rule), only their keys built (slots ascending, read forward)
 * and sorted, each such patient's run evaluated. The runs and their order
 * are those of sorting every stay: the flags are the same. 0, or -1 out
 * of memory. */
static int join_partition(sv_state *sv, const cm_period *p, const sv_fact *F, const uint32_t *idx, size_t m,
                          unsigned ev, sv_flags *tf, join_scratch *x)
{
    const cm_case *sl = p->s.slots;
    size_t tneed = sc_repeated_tab_size(m);
    if (m > x->cap || tneed > x->tcap) {
        join_scratch_free(x);
        x->cap = m + m / 2;
        x->tcap = sc_repeated_tab_size(x->cap);
        x->k = malloc(x->cap * sizeof *x->k);
        x->st = malloc(x->cap * sizeof *x->st);
        x->pat = malloc(x->cap * sizeof *x->pat);
        x->rep = malloc(x->cap);
        x->tab = malloc(x->tcap * sizeof *x->tab);
        if (!x->k || !x->st || !x->pat || !x->rep || !x->tab) { join_scratch_free(x); return -1; }
    }
    const uint32_t n = (uint32_t)p->s.n; /* indices >= n: the previous period's cases (last in a partition) */
    uint64_t *pat = x->pat;
    for (size_t j = 0; j < m && j < 32; j++) /* the first ones, fetched before the loop fetches ahead */
        if (idx[j] < n) __builtin_prefetch(&F[idx[j]]);
    for (size_t j = 0; j < m; j++) {
        uint32_t i = idx[j];
        if (i >= n) { pat[j] = fact_pat(&sv->prev[i - n].f); continue; }
        if (j + 32 < m && idx[j + 32] < n) /* the slots are ~4,096 apart: each read a cache miss, so fetched ahead */
            __builtin_prefetch(&F[idx[j + 32]]);
        pat[j] = fact_pat(&F[i]);
    }
    if (sc_mark_repeated(pat, m, x->rep, x->tab, x->tcap) == SIZE_MAX) return -1;
    sv_key *K = x->k;
    sc_stay *S = x->st;
    /* the repeated stays' indices first (into sc_mark_repeated's table,
     * done with: at least 2m entries), so that their slots' institution,
     * a cache miss each, is fetched ahead */
    uint32_t *rj = x->tab;
    size_t mk = 0;
    for (size_t j = 0; j < m; j++) {
        rj[mk] = idx[j];
        mk += x->rep[j];
    }
    for (size_t t = 0; t < mk && t < 16; t++)
        if (rj[t] < n) __builtin_prefetch(&sl[rj[t]].inst);
    for (size_t t = 0; t < mk; t++) {
        uint32_t i = rj[t];
        if (t + 16 < mk && rj[t + 16] < n) __builtin_prefetch(&sl[rj[t + 16]].inst);
        K[t] = i >= n ? prev_key(sv, i - n, i) : fact_key(&F[i], i, sl[i].inst);
    }
    key_sort(K, mk, &p->s);
    for (size_t i = 0; i < mk;) {
        size_t j = i + 1;
        while (j < mk && K[j].pat == K[i].pat) j++;
        if (j - i >= 2) {
            for (size_t t = i; t < j; t++) {
                const sv_key *f = &K[t];
                S[t - i] = (sc_stay){(int32_t)(f->ad >> 16), (int32_t)(f->ad & 0xFFFF), f->inst, f->pdx, f->dmode,
                                     (uint8_t)((f->bits & FB_EXEMPT) != 0)};
            }
            pat_ctx pc = {tf, K + i, n};
            sc_patient_rules(S, j - i, &sv->prm, ev, on_pat_hit, &pc);
        }
        i = j;
    }
    return 0;
}

/* The join. Counted per (fixed slice of slots, partition) in one pass that
 * also clears the patient of every stay not joined (so later passes read
 * the facts alone); then the partitions are taken in batches of about a
 * quarter of the stays: per batch, one pass over the facts scatters the
 * batch's slots (ascending within each partition) into an index of the
 * batch's size only (about 1 byte a case, not 4), and its partitions are
 * sorted and evaluated in parallel. Batches change neither the partitions
 * nor their contents: the flags are those of one pass. */
static cm_status cross_rules(sv_state *sv, cm_period *p, unsigned ev, char *err, size_t errlen)
{
    size_t n = p->s.n, nch = (n + SV_CHUNK - 1) / SV_CHUNK, P = (size_t)1 << PART_BITS;
    const cm_case *sl = p->s.slots;
    sv_fact *F = (sv_fact *)(void *)p->s.side;
    /* the previous period's cases (supervision.previous_input) are one more
     * chunk, indices n + j, in the same partitions (fact_pat's top bits):
     * they join, but a hit on them is dropped */
    const size_t np = sv->nprev, nchp = nch + (np > 0);
    uint32_t *cnt = calloc(nchp * P + 1, sizeof *cnt);
    size_t *pstart = calloc(P + 1, sizeof *pstart);
    if (!cnt || !pstart) { free(cnt); free(pstart); snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
#pragma omp parallel for schedule(static)
    for (long ch = 0; ch < (long)nchp; ch++) {
        uint32_t *c = cnt + (size_t)ch * P;
        if ((size_t)ch == nch) { /* every kept previous case has a patient and a stay (read_previous) */
            for (size_t j = 0; j < np; j++) c[fact_pat(&sv->prev[j].f) >> (48 - PART_BITS)]++;
            continue;
        }
        size_t a = (size_t)ch * SV_CHUNK, b = a + SV_CHUNK < n ? a + SV_CHUNK : n;
        for (size_t i = a; i < b; i++) {
            if (eligible(&sl[i], &F[i])) c[fact_pat(&F[i]) >> (48 - PART_BITS)]++;
            else F[i].pat[0] = F[i].pat[1] = F[i].pat[2] = 0;
        }
    }
    size_t off = 0;
    for (size_t q = 0; q < P; q++) {
        pstart[q] = off;
        for (size_t ch = 0; ch < nchp; ch++) {
            uint32_t c = cnt[ch * P + q];
            cnt[ch * P + q] = (uint32_t)off;
            off += c;
        }
    }
    pstart[P] = off;
    /* batches [q0, q1) of partitions, about off / 4 stays each (at least 64K) */
    size_t target = off / 4 > 65536 ? off / 4 : 65536, most = 0;
    for (size_t q0 = 0, q1; q0 < P; q0 = q1) {
        for (q1 = q0 + 1; q1 < P && pstart[q1 + 1] - pstart[q0] <= target; q1++) {}
        if (pstart[q1] - pstart[q0] > most) most = pstart[q1] - pstart[q0];
    }
    uint32_t *idx = malloc((most ? most : 1) * sizeof *idx);
    if (!idx) { free(cnt); free(pstart); snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    pl_populate(idx, most * sizeof *idx); /* the first batch writes about all of it */
    int oom = 0;
    for (size_t q0 = 0, q1; q0 < P && !oom; q0 = q1) {
        for (q1 = q0 + 1; q1 < P && pstart[q1 + 1] - pstart[q0] <= target; q1++) {}
        size_t base = pstart[q0];
        if (pstart[q1] == base) continue;
        const uint64_t lo = (uint64_t)q0, span = (uint64_t)(q1 - q0);
#pragma omp parallel for schedule(static)
        for (long ch = 0; ch < (long)nchp; ch++) {
            uint32_t *c = cnt + (size_t)ch * P;
            if ((size_t)ch == nch) { /* the previous period's chunk: after the slots in each partition */
                for (size_t j = 0; j < np; j++) {
                    uint64_t q = (fact_pat(&sv->prev[j].f) >> (48 - PART_BITS)) - lo;
                    if (q < span) idx[c[lo + q]++ - base] = (uint32_t)(n + j);
                }
                continue;
            }
            size_t a = (size_t)ch * SV_CHUNK, b = a + SV_CHUNK < n ? a + SV_CHUNK : n;
            for (size_t i = a; i < b; i++) { /* the partition from the top 16 bits alone; a cleared fact's is 0 */
                uint64_t q = (uint64_t)(F[i].pat[2] >> (16 - PART_BITS)) - lo;
                if (q < span && (q + lo || fact_pat(&F[i]))) idx[c[lo + q]++ - base] = (uint32_t)i;
            }
        }
#pragma omp parallel
        {
            int tid = pl_thread_id();
            join_scratch js;
            memset(&js, 0, sizeof js);
#pragma omp for schedule(dynamic, 4)
            for (long q = (long)q0; q < (long)q1; q++) {
                size_t a = pstart[q], m = pstart[q + 1] - a;
                if (m < 2 || oom) continue;
                if (join_partition(sv, p, F, idx + (a - base), m, ev, &sv->tf[tid], &js)) oom = 1;
            }
            join_scratch_free(&js);
        }
    }
    free(cnt);
    free(idx);
    free(pstart);
    if (oom) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    return CM_OK;
}

/* ---- single-case rules on the period and the baseline ---- */

/* R12's figure and threshold: the cost ratio and the bound it crossed */
static void r12_evidence(const cm_period *p, const cm_scenario *s, size_t i, double *fig, double *thr)
{
    const cm_case *c = &p->s.slots[i];
    const cm_config *cfg = p->cfg;
    double ratio = -1;
    if (p->dip) ratio = case_ratio(s->std_fen, c);
    else if (c->drg >= 0 && p->drg_ref_fen && p->drg_ref_fen[c->drg] > 0)
        ratio = (double)c->total_fen / p->drg_ref_fen[c->drg];
    uint8_t oc = p->dip ? *sn_u8(s->outlier, i) : *sn_u8(s->drg_outlier, i);
    uint16_t fl = *sn_u16(s->flags, i);
    *fig = ratio;
    *thr = oc == SC_OUT_LOW ? (p->dip ? cfg->outliers.low : cfg->drg_outliers.low)
           : (fl & (CF_SPECIAL | CF_SPECIAL_OVER)) ? cfg->outliers.special
           : p->dip ? cfg->outliers.high : -1;
}

#define DQ_FLAGS (CF_CAT_MISMATCH | CF_LOS_MISMATCH | CF_FUND_MISMATCH | CF_AGE_MISMATCH)

/* R07, R08 as flags; R12, R13 (info, most of the hits) only as mask bits:
 * their rows are derived from the slots when /flags is written */
static void case_rules(sv_state *sv, const cm_period *p, const cm_scenario *s, unsigned ev)
{
    size_t n = p->s.n;
    const cm_case *sl = p->s.slots;
    const sv_fact *F = (const sv_fact *)(const void *)p->s.side;
    int64_t h12 = 0, h13 = 0;
#pragma omp parallel reduction(+ : h12, h13)
    {
        sv_flags *tf = &sv->tf[pl_thread_id()];
#pragma omp for schedule(static, 65536)
        for (long li = 0; li < (long)n; li++) {
            size_t i = (size_t)li;
            const cm_case *c = &sl[i];
            if (c->status != SLOT_CASE) continue;
            const unsigned single = (1u << SC_R07) | (1u << SC_R08) | (1u << SC_R11);
            if (ev & single) {
                double ratio = -1;
                if (p->dip) ratio = case_ratio(s->std_fen, c);
                else if (c->drg >= 0 && p->drg_ref_fen && p->drg_ref_fen[c->drg] > 0)
                    ratio = (double)c->total_fen / p->drg_ref_fen[c->drg];
                const sv_fact *f = &F[i];
                sc_case_in in = {.los = c->los_days == 65535 ? -1 : c->los_days, .total_fen = c->total_fen,
                                 .bed_fen = -1, .service_fen = -1, .has_procedure = (fact_bits(f) & FB_HAS_PROC) != 0,
                                 .dmode = fact_dmode(f), .ratio = ratio, .low_dx_listed = (fact_bits(f) & FB_LOW_DX) != 0,
                                 .lowrisk_group = -1, .group_mean_los = -1};
                if (c->group >= 0 && (size_t)c->group < sv->ngrp) {
                    in.group_mean_los = sv->grp_los[c->group];
                    if (sv->grp_low) {
                        in.lowrisk_group = sv->grp_low[c->group];
                        in.group_z = sv->grp_z[c->group];
                    }
                }
                if (sv->lowrisk) sv->lowrisk[i] = (uint8_t)((in.lowrisk_group == 1) | (in.dmode == 5) << 1);
                sc_case_rules(&in, (int64_t)i, &sv->prm, ev & single, on_case_hit, tf);
            }
            uint16_t m = 0;
            if (ev & (1u << SC_R12)) {
                uint8_t oc = p->dip ? *sn_u8(s->outlier, i) : *sn_u8(s->drg_outlier, i);
                if (oc != SC_OUT_NORMAL || (*sn_u16(s->flags, i) & (CF_SPECIAL | CF_SPECIAL_OVER))) m |= 1u << SC_R12;
            }
            if ((ev & (1u << SC_R13)) && (c->flags & DQ_FLAGS)) m |= 1u << SC_R13;
            sv->mask[i] = m; /* one writer per slot; the stored flags' bits are added after */
            h12 += (m >> SC_R12) & 1;
            h13 += (m >> SC_R13) & 1;
        }
    }
    sv->hits[SC_R12] = h12;
    sv->hits[SC_R13] = h13;
}

/* The flags' order (slot, rule; then the related slot and the figures, so
 * the order is total), inline: a quicksort as key_sort's, without the
 * library sort's indirect calls and its copy of the array. */
static inline int flag_less(const sv_flag *x, const sv_flag *y)
{
    if (x->slot != y->slot) return x->slot < y->slot;
    if (x->rule != y->rule) return x->rule < y->rule;
    if (x->other != y->other) return x->other < y->other;
    if (x->fig != y->fig) return x->fig < y->fig;
    return x->thr < y->thr;
}

static void flag_sort(sv_flag *k, size_t n)
{
    while (n > 16) {
        size_t mid = n / 2;
        sv_flag t;
        if (flag_less(&k[mid], &k[0])) { t = k[mid]; k[mid] = k[0]; k[0] = t; }
        if (flag_less(&k[n - 1], &k[mid])) {
            t = k[mid]; k[mid] = k[n - 1]; k[n - 1] = t;
            if (flag_less(&k[mid], &k[0])) { t = k[mid]; k[mid] = k[0]; k[0] = t; }
        }
        sv_flag piv = k[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (flag_less(&k[i], &piv)) i++;
            while (flag_less(&piv, &k[j])) j--;
            if (i >= j) break;
            t = k[i]; k[i] = k[j]; k[j] = t;
            i++; j--;
        }
        size_t left = j + 1;
        if (left < n - left) { flag_sort(k, left); k += left; n -= left; }
        else { flag_sort(k + left, n - left); n = left; }
    }
    for (size_t i = 1; i < n; i++) {
        sv_flag v = k[i];
        size_t j = i;
        while (j > 0 && flag_less(&v, &k[j - 1])) { k[j] = k[j - 1]; j--; }
        k[j] = v;
    }
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The re-review sample: per institution, seeded; the picks of
 * sc_sample_pick on each institution's cases in slot order. Each thread
 * reads a range of slots forward (the id hashed, the rule mask) and keeps
 * per institution its fmax first flagged cases and the cases whose key is
 * at or below the institution's bound (sc_sample_bound: one compare turns
 * most away); then per institution the threads' candidates are joined and
 * the draw made on them (sc_sample_pick_cands), or, should the bound have
 * kept fewer than want (a chance of about 1e-9), on all its cases
 * gathered by order_at. The picks are marked in two bitmaps (picked, as
 * flagged) read off in slot order. */
#ifndef SV_SAMPLE_TIGHT
#define SV_SAMPLE_TIGHT 0 /* tests: 1 halves the bounds, so that most institutions take the exact way */
#endif
typedef struct {
    uint64_t cut;            /* keys at or below are candidates */
    size_t fb, ab;           /* offsets of the institution's buffers in a thread's arrays */
    size_t fcap, acap;       /* their capacities (fmax; the count expected at or below cut) */
} sv_sinst;

/* grows a scratch array of candidates to hold n */
static int cand_room(sc_cand **a, size_t *cap, size_t n)
{
    if (n <= *cap) return 0;
    sc_cand *x = realloc(*a, n * sizeof *x);
    if (!x) return -1;
    *a = x;
    *cap = n;
    return 0;
}

static cm_status draw_sample(sv_state *sv, const cm_period *p, char *err, size_t errlen)
{
    const cm_config *cfg = p->cfg;
    unsigned serious = 0;
    for (int r = 0; r < SC_RULE__COUNT; r++)
        if (sc_rule(r)->result != SC_RES_INFO) serious |= 1u << r;
    const uint64_t seed = cfg->sample_seed;
    const double rate = cfg->sample_rate, share = cfg->sample_flagged_share;
    size_t ni = p->ninst, total = 0, ftot = 0, atot = 0, n = p->s.n;
    int nmax = pl_threads();
    sv_sinst *si = malloc((ni ? ni : 1) * sizeof *si);
    sc_cand **cf = calloc((size_t)nmax, sizeof *cf), **ca = calloc((size_t)nmax, sizeof *ca);
    size_t **cnt = calloc((size_t)nmax, sizeof *cnt); /* per thread: [ni] flagged kept, [ni] kept by the bound */
    size_t nw = (n + 63) / 64;
    uint64_t *picked = calloc(nw ? nw : 1, sizeof *picked), *asflag = calloc(nw ? nw : 1, sizeof *asflag);
    int oom = !si || !cf || !ca || !cnt || !picked || !asflag;
    if (!oom) {
        for (size_t k = 0; k < ni; k++) {
            size_t m = p->inst_start[k + 1] - p->inst_start[k], want = sc_sample_want(m, rate);
            sv_sinst *q = &si[k];
            q->fcap = sc_sample_fmax(want, share);
            q->acap = want ? sc_sample_bound(m, want, &q->cut) : 0;
            if (SV_SAMPLE_TIGHT && want) q->cut /= 2;
            q->fb = ftot;
            q->ab = atot;
            ftot += q->fcap;
            atot += q->acap;
            total += want;
        }
        sv->sample = calloc(total ? total : 1, sizeof *sv->sample);
        oom = !sv->sample;
        if (!oom) pl_populate(sv->sample, total * sizeof *sv->sample); /* about all of it written */
    }
    size_t nflag = 0;
    if (!oom) {
#pragma omp parallel reduction(+ : nflag)
        {
            /* the team may be smaller than pl_threads(): the ranges follow the team that runs */
            int me = pl_thread_id(), nth = pl_team_size();
            cf[me] = malloc((ftot ? ftot : 1) * sizeof **cf); /* pages touched only as filled */
            ca[me] = malloc((atot ? atot : 1) * sizeof **ca);
            cnt[me] = calloc(2 * ni + 1, sizeof **cnt);
            if (!cf[me] || !ca[me] || !cnt[me]) {
#pragma omp atomic write
                oom = 1;
            }
#pragma omp barrier
            if (!oom) {
                sc_cand *F = cf[me], *A = ca[me];
                size_t *nf = cnt[me], *na = cnt[me] + ni;
                size_t lo = n * (size_t)me / (size_t)nth, hi = n * ((size_t)me + 1) / (size_t)nth;
                const cm_case *sl = p->s.slots;
                for (size_t i = lo; i < hi; i++) {
                    if (sl[i].status != SLOT_CASE) continue;
                    size_t k = sl[i].inst;
                    const sv_sinst *q = &si[k];
                    sc_cand x = {sc_sample_key(pl_kept_id_hash(&p->s, i), seed), (uint32_t)i,
                                 (sv->mask[i] & serious) != 0};
                    if (x.flagged) sc_cand_keep(F + q->fb, &nf[k], q->fcap, x);
                    if (x.h <= q->cut) sc_cand_keep(A + q->ab, &na[k], q->acap, x);
                }
            }
#pragma omp barrier
            if (!oom) {
                sc_cand *SF = NULL, *SA = NULL;
                size_t sfcap = 0, sacap = 0;
#pragma omp for schedule(dynamic, 1)
                for (long lk = 0; lk < (long)ni; lk++) {
                    size_t k = (size_t)lk, a = p->inst_start[k], m = p->inst_start[k + 1] - a;
                    const sv_sinst *q = &si[k];
                    if (!q->acap || oom) continue;
                    size_t nfs = 0, nas = 0;
                    if (cand_room(&SF, &sfcap, (size_t)nth * q->fcap + 1) ||
                        cand_room(&SA, &sacap, (size_t)nth * q->acap + 1)) {
#pragma omp atomic write
                        oom = 1;
                        continue;
                    }
                    for (int t = 0; t < nth; t++) { /* in thread order: the same arrays at any schedule */
                        memcpy(SF + nfs, cf[t] + q->fb, cnt[t][k] * sizeof *SF);
                        nfs += cnt[t][k];
                        memcpy(SA + nas, ca[t] + q->ab, cnt[t][ni + k] * sizeof *SA);
                        nas += cnt[t][ni + k];
                    }
                    size_t a1, a2;
                    if (sc_sample_pick_cands(m, rate, share, SF, nfs, SA, nas, &a1, &a2) == SIZE_MAX) {
                        /* too few under the bound: all the institution's cases */
                        if (cand_room(&SF, &sfcap, m) || cand_room(&SA, &sacap, m)) {
#pragma omp atomic write
                            oom = 1;
                            continue;
                        }
                        nfs = 0;
                        for (size_t j = 0; j < m; j++) {
                            uint32_t i = p->s.slots[a + j].order_at;
                            SA[j] = (sc_cand){sc_sample_key(pl_kept_id_hash(&p->s, i), seed), i,
                                              (sv->mask[i] & serious) != 0};
                            if (SA[j].flagged) SF[nfs++] = SA[j];
                        }
                        sc_sample_pick_cands(m, rate, share, SF, nfs, SA, m, &a1, &a2);
                    }
                    for (size_t j = 0; j < a1 + a2; j++) { /* an institution's slots: other words may be shared */
                        uint32_t i = j < a1 ? SF[j].pos : SA[j - a1].pos;
                        uint64_t bit = UINT64_C(1) << (i & 63);
                        __atomic_fetch_or(&picked[i >> 6], bit, __ATOMIC_RELAXED);
                        if (j < a1) __atomic_fetch_or(&asflag[i >> 6], bit, __ATOMIC_RELAXED);
                    }
                    nflag += a1;
                }
                free(SF);
                free(SA);
            }
        }
    }
    for (int t = 0; t < nmax && cf && ca && cnt; t++) {
        free(cf[t]); free(ca[t]); free(cnt[t]);
    }
    free(cf); free(ca); free(cnt); free(si);
    if (oom) {
        free(picked); free(asflag);
        snprintf(err, errlen, "out of memory");
        return CM_ERR_NOMEM;
    }
    /* rows in slot order (the order of /cases): the picks read off the bitmap */
    size_t w = 0;
    for (size_t q = 0; q < nw; q++)
        for (uint64_t bits = picked[q]; bits; bits &= bits - 1) {
            unsigned t = (unsigned)__builtin_ctzll(bits);
            sv->sample[w++] = (sv_pick){(uint32_t)(q * 64 + t), (uint8_t)((asflag[q] >> t) & 1 ? 1 : 2)};
        }
    free(picked); free(asflag);
    sv->nsample = w;
    sv->sample_flagged = nflag;
    return CM_OK;
}

/* The R05 duplicates (B, the later of two claims with the same patient,
 * institution, admission and discharge) from the join's flags: their slots
 * in ascending order, and their claims (total cost, fund part). */
static cm_status collect_withheld(sv_state *sv, const cm_period *p)
{
    size_t n = 0;
    for (int t = 0; t < sv->nt; t++)
        for (size_t j = 0; j < sv->tf[t].n; j++) n += sv->tf[t].e[j].rule == SC_R05;
    sv->withheld = malloc((n ? n : 1) * sizeof *sv->withheld);
    if (!sv->withheld) return CM_ERR_NOMEM;
    size_t k = 0;
    for (int t = 0; t < sv->nt; t++)
        for (size_t j = 0; j < sv->tf[t].n; j++)
            if (sv->tf[t].e[j].rule == SC_R05) sv->withheld[k++] = sv->tf[t].e[j].slot;
    qsort(sv->withheld, k, sizeof *sv->withheld, u32_cmp);
    size_t m = 0; /* one entry a slot, and only cases (a slot fires R05 once; kept safe) */
    for (size_t j = 0; j < k; j++)
        if ((m == 0 || sv->withheld[m - 1] != sv->withheld[j]) && p->s.slots[sv->withheld[j]].status == SLOT_CASE)
            sv->withheld[m++] = sv->withheld[j];
    sv->nwithheld = m;
    for (size_t j = 0; j < m; j++) {
        sv->withheld_total_fen += p->s.slots[sv->withheld[j]].total_fen;
        sv->withheld_fund_fen += p->s.slots[sv->withheld[j]].fund_fen;
    }
    return CM_OK;
}

/* ---- the previous period (supervision.previous_input) ---- */

typedef struct {
    sv_state *sv;
    const cm_period *p;      /* the current period: its institutions */
    pl_slots s;              /* the previous file's slots (side: sv_prev) */
    int64_t *rej;            /* [threads] rejected rows */
    uint32_t *rej_line;      /* [threads] the first rejected line */
    char (*rej_why)[160];
} prev_ctx;

/* the current period's index of institution id (p->inst is sorted by id), UINT32_MAX when not there */
static uint32_t inst_index(const cm_period *p, const char *id)
{
    size_t lo = 0, hi = p->ninst;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(p->inst[mid].id, id);
        if (!c) return (uint32_t)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return UINT32_MAX;
}

static void prev_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    prev_ctx *x = vctx;
    if (c->status == SLOT_EMPTY) return;
    if (c->status == SLOT_REJECT) {
        x->rej[tid]++;
        if (!x->rej_line[tid] || c->line < x->rej_line[tid]) {
            x->rej_line[tid] = c->line;
            snprintf(x->rej_why[tid], sizeof x->rej_why[tid], "%s: %s", p->rj_field, p->rj_reason);
        }
        return;
    }
    sv_prev *f = (sv_prev *)(void *)x->s.side + (c - x->s.slots);
    fact_fill(x->sv, &f->f, p); /* the current facts' hash, partition, category, mode and exemption bit */
    f->inst = inst_index(x->p, p->inst_id);
}

static int prev_id_cmp(const void *a, const void *b, void *ctx)
{
    const pl_slots *s = ctx;
    return strcmp(pl_case_id(s, ((const sv_prev *)a)->id), pl_case_id(s, ((const sv_prev *)b)->id));
}

/* Reads supervision.previous_input with the current read's options: its
 * cases discharged on or after (the current first admission - N) are kept
 * (sv->prev, sorted by case id); its rejected rows are counted (the first
 * one's line and reason kept), not written to this run's /rejects. */
static cm_status read_previous(sv_state *sv, const cm_period *p, unsigned cross, char *err, size_t errlen)
{
    const cm_config *cfg = sv->cfg;
    const sv_fact *F = (const sv_fact *)(const void *)p->s.side;
    int32_t first = INT32_MAX;
    for (size_t i = 0; i < p->s.n; i++)
        if (eligible(&p->s.slots[i], &F[i]) && F[i].admit < first) first = F[i].admit;
    sv->prev_window = sc_cross_window(&sv->prm, cross);
    int nt = pl_threads();
    prev_ctx x = {.sv = sv, .p = p};
    x.rej = calloc((size_t)nt, sizeof *x.rej);
    x.rej_line = calloc((size_t)nt, sizeof *x.rej_line);
    x.rej_why = calloc((size_t)nt, sizeof *x.rej_why);
    if (!x.rej || !x.rej_line || !x.rej_why) {
        free(x.rej); free(x.rej_line); free(x.rej_why);
        snprintf(err, errlen, "out of memory");
        return CM_ERR_NOMEM;
    }
    static const int req[] = {COL_CASE_ID, COL_INST_ID, COL_PATIENT_ID, COL_ADMIT, COL_DISCHARGE, -1};
    cm_parse_opts po = {.need = cm_need_columns(CM_RUN_SETTLE, p->dip != NULL, p->drg != NULL) &
                                ~(p->has_mtab ? CM_NEED(COL_INST_LEVEL) : 0),
                        .mismatch = cfg->category_mismatch,
                        .tolerance_fen = cfg->category_tolerance_fen,
                        .encoding = rd_encoding_of(cfg->input_encoding),
                        .supervise = 1,
                        .side_bytes = sizeof(sv_prev)};
    char e2[768] = "";
    cm_status rc = pl_read(cfg->sup_previous_input, p->al, req, &po, prev_row, &x, &x.s, NULL, NULL, NULL, e2,
                           sizeof e2);
    if (rc) snprintf(err, errlen, "supervision.previous_input: %s", e2);
    for (int t = 0; t < nt; t++) {
        sv->prev_rejected += x.rej[t];
        if (x.rej_line[t] && (!sv->prev_first_reject_line || x.rej_line[t] < sv->prev_first_reject_line)) {
            sv->prev_first_reject_line = x.rej_line[t];
            snprintf(sv->prev_first_reject, sizeof sv->prev_first_reject, "%s", x.rej_why[t]);
        }
    }
    free(x.rej); free(x.rej_line); free(x.rej_why);
    size_t m = 0, idbytes = 0;
    sv_prev *pv = rc ? NULL : (sv_prev *)(void *)x.s.side;
    for (size_t i = 0; pv && i < x.s.n; i++) {
        const cm_case *c = &x.s.slots[i];
        if (c->status == SLOT_EMPTY) continue;
        sv->prev_rows++;
        if (c->status != SLOT_CASE) continue;
        sv->prev_cases++;
        sv_prev f = pv[i];
        if (!fact_pat(&f.f) || !f.f.admit || !f.f.disch || first == INT32_MAX ||
            !sc_previous_kept(f.f.disch, first, sv->prev_window))
            continue;
        f.id = (uint32_t)i;
        pv[m++] = f; /* m <= i: compacted in place */
        idbytes += strlen(pl_case_id(&x.s, i)) + 1;
    }
    if (!rc && m) {
        qsort_r(pv, m, sizeof *pv, prev_id_cmp, &x.s);
        sv->prev = malloc(m * sizeof *sv->prev);
        sv->prev_ids = malloc(idbytes);
        if (!sv->prev || !sv->prev_ids) {
            snprintf(err, errlen, "out of memory");
            rc = CM_ERR_NOMEM;
        } else {
            size_t off = 0;
            for (size_t j = 0; j < m; j++) {
                const char *id = pl_case_id(&x.s, pv[j].id);
                size_t l = strlen(id) + 1;
                memcpy(sv->prev_ids + off, id, l);
                if (l - 1 > sv->prev_id_max) sv->prev_id_max = l - 1;
                sv->prev[j] = pv[j];
                sv->prev[j].id = (uint32_t)off;
                off += l;
            }
            sv->nprev = m;
        }
    }
    pl_slots_free(&x.s);
    sv->prev_read = rc == CM_OK;
    return rc;
}

/* The case id of a join index: a slot of the period, or (>= n) a previous period's case */
static const char *join_id(const sv_state *sv, const pl_slots *s, size_t i)
{
    return i < s->n ? pl_case_id(s, i) : sv->prev_ids + sv->prev[i - s->n].id;
}

cm_status sv_check_previous(const cm_config *cfg, const char *input, char *err, size_t errlen)
{
    struct stat a, b;
    if (!cfg->sup_enabled || !cfg->sup_previous_input[0] || !input || stat(cfg->sup_previous_input, &a) ||
        stat(input, &b) || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return CM_OK;
    snprintf(err, errlen, "supervision.previous_input (%s) is this run's input: every case would be its own "
                          "earlier claim; name the previous period's discharge export, or remove the setting",
             cfg->sup_previous_input);
    return CM_ERR_CONFIG;
}

cm_status sv_cross(sv_state *sv, cm_period *p, char *err, size_t errlen)
{
    if (!sv || sv->cross_done) return CM_OK;
    double t0 = now_seconds();
    cm_status grc = group_stats(sv, p);
    if (grc) { pl_side_free(&p->s); snprintf(err, errlen, "out of memory"); return grc; }
    decide(sv, p);
    unsigned ev = 0;
    for (int r = 0; r < SC_RULE__COUNT; r++)
        if (sv->evaluated[r]) ev |= 1u << r;
    unsigned cross = ev & 0x1Fu;
    cm_status rc = CM_OK;
    if (cross && p->s.side && sv->cfg->sup_previous_input[0]) rc = read_previous(sv, p, cross, err, errlen);
    if (!rc && cross && p->s.side) rc = cross_rules(sv, p, cross, err, errlen);
    if (!rc && (ev & (1u << SC_R05)) && collect_withheld(sv, p)) {
        snprintf(err, errlen, "out of memory");
        rc = CM_ERR_NOMEM;
    }
    if (rc) pl_side_free(&p->s);
    sv->cross_done = 1;
    sv->t_phase[0] = now_seconds() - t0;
    return rc;
}

void sv_withhold(const sv_state *sv, cm_scenario *sn)
{
    if (!sv) return;
    for (size_t j = 0; j < sv->nwithheld; j++) {
        size_t i = sv->withheld[j];
        *sn_i64(sn->score, i) = 0;
        if (sn->drg_pts.base != sn->score.base) *sn_i64(sn->drg_pts, i) = 0;
        uint16_t *fl = sn_u16(sn->flags, i);
        *fl = (uint16_t)(*fl | CF_DUP_WITHHELD);
    }
}

int64_t sv_withheld(const sv_state *sv, int64_t *total_fen, int64_t *fund_fen)
{
    int on = sv && sv->evaluated[SC_R05];
    if (total_fen) *total_fen = on ? sv->withheld_total_fen : 0;
    if (fund_fen) *fund_fen = on ? sv->withheld_fund_fen : 0;
    return on ? (int64_t)sv->nwithheld : -1;
}

/* The flags of all threads (sv->all, in no order) in their order
 * (flag_less), without the flags of rules not evaluated (ev) and of rows
 * rejected after the parse (duplicate case ids); then the rule mask, the
 * hits and the flagged cases. The flags are split in place by slot range
 * into buckets (one pass, swaps), and each bucket is sorted and read on
 * its own thread: a bucket's slots are its own (the mask written without
 * conflict), and the buckets in order are the whole in order. */
static cm_status merge_flags(sv_state *sv, const cm_period *p, unsigned ev)
{
    sv_flag *e = sv->all.e;
    size_t nf = sv->all.n, n = p->s.n;
    size_t nb = (size_t)pl_threads() * 4;
    if (nb > 256) nb = 256;
    if (nf < 4096 || n == 0) nb = 1;
    size_t start[257], next[257], kept[256];
    int64_t bhits[256][SC_RULE__COUNT];
    int64_t bflag[256];
    memset(start, 0, sizeof start);
    /* bucket of a slot: slot × nb / n (in 64 bits: slot < 2^32, nb <= 256) */
#define FLAG_BUCKET(slot) ((size_t)((uint64_t)(slot) * nb / n))
    for (size_t j = 0; j < nf; j++) start[FLAG_BUCKET(e[j].slot) + 1]++;
    for (size_t b = 0; b < nb; b++) start[b + 1] += start[b];
    memcpy(next, start, sizeof next);
    for (size_t b = 0; b < nb; b++) /* each flag swapped into its bucket */
        while (next[b] < start[b + 1]) {
            size_t tb = FLAG_BUCKET(e[next[b]].slot);
            if (tb == b) { next[b]++; continue; }
            sv_flag t = e[next[b]];
            e[next[b]] = e[next[tb]];
            e[next[tb]++] = t;
        }
#undef FLAG_BUCKET
    unsigned serious = 0;
    for (int r = 0; r < SC_RULE__COUNT; r++)
        if (sc_rule(r)->result != SC_RES_INFO) serious |= 1u << r;
#pragma omp parallel for schedule(dynamic, 1) if (nb > 1)
    for (long lb = 0; lb < (long)nb; lb++) {
        size_t b = (size_t)lb, a = start[b], m = start[b + 1] - a, k = 0;
        sv_flag *x = e + a;
        for (size_t j = 0; j < m; j++) /* the rules evaluated */
            if (ev & (1u << x[j].rule)) x[k++] = x[j];
        flag_sort(x, k);
        m = k;
        k = 0;
        for (size_t j = 0; j < m; j++) /* in slot order (the slots read forward): the rows still cases */
            if (p->s.slots[x[j].slot].status == SLOT_CASE) x[k++] = x[j];
        int64_t *h = bhits[b], fc = 0;
        memset(h, 0, sizeof bhits[b]);
        for (size_t j = 0; j < k; j++) {
            uint16_t *mk = &sv->mask[x[j].slot];
            if (!(*mk & serious) && ((1u << x[j].rule) & serious)) fc++;
            *mk |= (uint16_t)(1u << x[j].rule);
            /* the strongest result of the case's flags (SV_MASK_LEVEL; info adds 0) */
            unsigned lv = SC_RES_INFO - (unsigned)x[j].result;
            if ((lv << SV_MASK_LEVEL_SHIFT) > (*mk & SV_MASK_LEVEL))
                *mk = (uint16_t)((*mk & ~SV_MASK_LEVEL) | (lv << SV_MASK_LEVEL_SHIFT));
            h[x[j].rule]++;
        }
        kept[b] = k;
        bflag[b] = fc;
    }
    size_t w = 0;
    for (size_t b = 0; b < nb; b++) {
        if (w != start[b] && kept[b]) memmove(e + w, e + start[b], kept[b] * sizeof *e);
        w += kept[b];
        sv->flagged_cases += bflag[b];
        for (int r = 0; r < SC_RULE__COUNT; r++) sv->hits[r] += bhits[b][r];
    }
    sv->all.n = w;
    return CM_OK;
}

cm_status sv_run(sv_state *sv, cm_period *p, const cm_scenario *s, char *err, size_t errlen)
{
    cm_status rc = sv_cross(sv, p, err, errlen); /* done before payment by settle_stages (R05) */
    if (rc) return rc;
    double t0 = now_seconds();
    unsigned ev = 0;
    for (int r = 0; r < SC_RULE__COUNT; r++)
        if (sv->evaluated[r]) ev |= 1u << r;
    size_t n = p->s.n;
    sv->nslots = n;
    sv->sn = s;
    double t1 = t0;
    /* the mask and R11's marks after the join (sv_cross): not held beside its index (peak) */
    sv->mask = calloc(n ? n : 1, sizeof *sv->mask);
    if (!sv->mask) rc = CM_ERR_NOMEM;
    else pl_populate(sv->mask, n * sizeof *sv->mask); /* every slot's written */
    if (!rc && (ev & (1u << SC_R11))) {
        sv->lowrisk = calloc(n ? n : 1, 1);
        if (!sv->lowrisk) rc = CM_ERR_NOMEM;
        else pl_populate(sv->lowrisk, n);
    }
    if (rc == CM_ERR_NOMEM) snprintf(err, errlen, "out of memory");
    if (!rc && p->s.side) case_rules(sv, p, s, ev);
    double t2 = now_seconds();
    pl_side_free(&p->s);
    if (rc) return rc;
    /* merge: parse-time flags of rules not evaluated are dropped (R06 without
     * LOS, ...), and those of rows rejected later (duplicate case ids) */
    size_t tot = 0;
    for (int t = 0; t < sv->nt; t++) {
        if (sv->tf[t].oom) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
        tot += sv->tf[t].n;
    }
    /* the first thread's list grows into the whole (each other list freed once
     * copied): the flags are held about once, not twice */
    sv->all.e = realloc(sv->tf[0].e, (tot ? tot : 1) * sizeof *sv->all.e);
    if (!sv->all.e) { snprintf(err, errlen, "out of memory"); return CM_ERR_NOMEM; }
    sv->all.n = sv->tf[0].n;
    pl_populate(sv->all.e + sv->all.n, (tot - sv->all.n) * sizeof *sv->all.e); /* the other lists' copies */
    sv->tf[0] = (sv_flags){0};
    for (int t = 1; t < sv->nt; t++) {
        if (sv->tf[t].n) memcpy(sv->all.e + sv->all.n, sv->tf[t].e, sv->tf[t].n * sizeof *sv->all.e);
        sv->all.n += sv->tf[t].n;
        free(sv->tf[t].e);
        sv->tf[t] = (sv_flags){0};
    }
    rc = merge_flags(sv, p, ev);
    if (rc) { snprintf(err, errlen, "out of memory"); return rc; }
    if (g_interrupted) return CM_ERR_INTERRUPTED;
    double t3 = now_seconds();
    rc = draw_sample(sv, p, err, errlen);
    sv->t = now_seconds() - t0 + sv->t_phase[0];
    sv->t_phase[1] = t2 - t1;
    sv->t_phase[2] = t3 - t2;
    sv->t_phase[3] = now_seconds() - t3;
    return rc;
}

const uint16_t *sv_rule_mask(const sv_state *sv) { return sv ? sv->mask : NULL; }
const uint8_t *sv_evaluated(const sv_state *sv) { return sv ? sv->evaluated : NULL; }
const uint8_t *sv_low_risk(const sv_state *sv) { return sv ? sv->lowrisk : NULL; }
double sv_seconds(const sv_state *sv) { return sv ? sv->t : 0; }
double sv_phase_seconds(const sv_state *sv, int k) { return sv && k >= 0 && k < 4 ? sv->t_phase[k] : 0; }

void sv_free(sv_state *sv)
{
    if (!sv) return;
    for (int t = 0; sv->tf && t < sv->nt; t++) free(sv->tf[t].e);
    free(sv->tf);
    free(sv->all.e);
    free(sv->mask);
    free(sv->sample);
    free(sv->grp_los);
    free(sv->grp_z);
    free(sv->grp_low);
    free(sv->lowrisk);
    free(sv->withheld);
    free(sv->prev);
    free(sv->prev_ids);
    free(sv);
}

/* ---- output ---- */

/* The parameters of rule r in force, as text (provenance). */
static void params_text(const sv_state *sv, int r, char *b, size_t n)
{
    const sc_sup_params *q = &sv->prm;
    const cm_config *c = sv->cfg;
    switch (r) {
    case SC_R01: snprintf(b, n, "days=%d; exempt_dx=%s; exempt_emergency=%s", q->readmit_days, c->sup_exempt_dx,
                          q->exempt_emergency ? "true" : "false"); break;
    case SC_R02: snprintf(b, n, "days=%d; same institution and principal dx category; A not died/transferred",
                          q->split_days); break;
    case SC_R03: snprintf(b, n, "days=%d; discharge_mode 2, another institution", q->transfer_days); break;
    case SC_R04: snprintf(b, n, "overlap >= 1 night; definite at two institutions, highly suspicious at one"); break;
    case SC_R05: snprintf(b, n, "same patient, institution, admission and discharge date"); break;
    case SC_R06: snprintf(b, n, "min_los=%d; service_share_max=%g; bed_share_min=%g", q->bed_min_los,
                          q->bed_service_max, q->bed_fee_min); break;
    case SC_R07: snprintf(b, n, "max_los=%d; ratio_max=%g; dx=%s", q->low_max_los, q->low_ratio_max, c->sup_low_dx);
        break;
    case SC_R08:
        if (sv->grp_los)
            snprintf(b, n, "max_los=%d; k=%g (k x the group's mean LOS in %d history year(s))", q->long_los, q->long_k,
                     sv->hist_years);
        else
            snprintf(b, n, "max_los=%d; k=%g (k x group mean LOS not applied: %s)", q->long_los, q->long_k,
                     sv->hist_reason == 2 ? "needs DIP groups" : "no history list (history = ({ year = ..; file = ..; }))");
        break;
    case SC_R09: snprintf(b, n, "table=%s", c->sup_sex_table[0] ? c->sup_sex_table : "built-in (config/supervision/r09_sex.csv)"); break;
    case SC_R10: snprintf(b, n, "table=%s; newborn_age_max=%d; obstetric_age=%d..%d",
                          c->sup_age_table[0] ? c->sup_age_table : "built-in (config/supervision/r10_age.csv)",
                          q->newborn_age_max, q->obstetric_age_min, q->obstetric_age_max); break;
    case SC_R11: snprintf(b, n, "z=%g", q->lowrisk_z); break;
    case SC_R12: snprintf(b, n, "the outlier classes of the settlement (outliers.*)"); break;
    default: snprintf(b, n, "flags cat_mismatch, los_mismatch, fund_mismatch, age_mismatch"); break;
    }
}

static const char *const RESULT_NAMES[] = {"definite", "highly_suspicious", "suspicious", "info"};
static const char *const FAMILY_NAMES[] = {"policy", "management", "medical"};
static const char *const REASON_NAMES[] = {"none", "flagged", "random"};

/* write_flags counts its rows per block of FB_SLOTS slots (in parallel);
 * a chunk of rows is then filled from the block it starts in */
#define FB_SLOTS ((size_t)16384)
/* the slots of the rows ahead fetched this many slots before they are read */
#define FB_AHEAD ((size_t)64)

typedef struct {
    const sv_state *sv;
    const cm_period *p;
    const size_t *jb;        /* [nb + 1] the first stored flag of each block */
    const size_t *rb;        /* [nb + 1] the first row of each block (rows before it) */
    size_t nb, rsize, id_len;
    size_t o[7];
} flag_fill;

/* Does slot i have a row: a stored flag (all.e[*j], j moved past the
 * slots before i) or an R12 / R13 mask bit? */
static inline int has_rows(const sv_state *sv, size_t i, size_t *j)
{
    while (*j < sv->all.n && sv->all.e[*j].slot < i) (*j)++;
    return (sv->mask[i] & ((1u << SC_R12) | (1u << SC_R13))) || (*j < sv->all.n && sv->all.e[*j].slot == i);
}

/* h5w_fill_fn of /flags: rows [first, first + n) (stored flags from
 * all.e, then R12, R13, per slot in slot order), each row written whole */
static int flag_rows(void *vctx, size_t first, size_t n, unsigned char *buf)
{
    const flag_fill *x = vctx;
    const sv_state *sv = x->sv;
    const cm_period *p = x->p;
    const pl_slots *s = &p->s;
    const unsigned derived = (1u << SC_R12) | (1u << SC_R13);
    const size_t rsize = x->rsize, id_len = x->id_len, *o = x->o;
    /* the block the first row is in: the last with rb[b] <= first */
    size_t lo = 0, hi = x->nb;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (x->rb[mid] <= first) lo = mid;
        else hi = mid - 1;
    }
    size_t i = lo * FB_SLOTS, j = x->jb[lo], skip = first - x->rb[lo], m = 0;
    size_t pf = i, jp = j; /* the look-ahead cursor: slots with rows fetched FB_AHEAD slots early */
    for (; m < n && i < s->n; i++) {
        for (size_t want = i + FB_AHEAD; pf < want && pf < s->n; pf++)
            if (has_rows(sv, pf, &jp)) {
                __builtin_prefetch(&s->slots[pf]);
                __builtin_prefetch((const char *)&s->slots[pf] + 64);
            }
        unsigned dm = sv->mask[i] & derived;
        if (!dm && (j >= sv->all.n || sv->all.e[j].slot != i)) continue;
        sv_flag rows[SC_RULE__COUNT];
        int k = 0;
        while (j < sv->all.n && sv->all.e[j].slot == i && k < SC_RULE__COUNT) rows[k++] = sv->all.e[j++];
        if (dm & (1u << SC_R12)) {
            double fig, thr;
            r12_evidence(p, sv->sn, i, &fig, &thr);
            rows[k++] = (sv_flag){(uint32_t)i, -1, SC_R12, SC_RES_INFO, fig, thr};
        }
        if (dm & (1u << SC_R13))
            rows[k++] = (sv_flag){(uint32_t)i, -1, SC_R13, SC_RES_INFO, s->slots[i].flags & DQ_FLAGS, 0};
        if (skip >= (size_t)k) { skip -= (size_t)k; continue; }
        const char *id = pl_case_id(s, i);
        size_t idn = strnlen(id, id_len);
        for (int q = (int)skip; q < k && m < n; q++) {
            const sv_flag *f = &rows[q];
            unsigned char *r = buf + m++ * rsize;
            memset(r, 0, rsize);
            memcpy(r + o[0], &s->slots[i].line, 4);
            memcpy(r + o[1], id, idn);
            memcpy(r + o[2], sc_rule(f->rule)->id, 3);
            r[o[3]] = f->result;
            if (f->other >= 0) {
                const char *rid = join_id(sv, s, (size_t)f->other);
                memcpy(r + o[4], rid, strnlen(rid, id_len));
            }
            memcpy(r + o[5], &f->fig, 8);
            memcpy(r + o[6], &f->thr, 8);
        }
        skip = 0;
    }
    return m != n; /* a check of the engine itself: the rows counted are there */
}

static cm_status write_flags(const sv_state *sv, const cm_period *p, h5w *w, size_t id_width)
{
    const pl_slots *s = &p->s;
    const unsigned derived = (1u << SC_R12) | (1u << SC_R13);
    size_t nf = sv->all.n + (size_t)(sv->hits[SC_R12] + sv->hits[SC_R13]);
    /* the ids as wide as /cases' case_id (the previous period's related
     * ids when longer): no pass over the flagged cases' ids */
    size_t id_len = id_width > sv->prev_id_max ? id_width : sv->prev_id_max;
    /* per block of slots: its first stored flag (all.e is in slot order) and
     * its rows: the stored flags between its first and the next block's, and
     * the R12 / R13 mask bits of its slots */
    size_t nb = (s->n + FB_SLOTS - 1) / FB_SLOTS;
    size_t *jb = malloc((nb + 1) * sizeof *jb), *rb = malloc((nb + 1) * sizeof *rb);
    if (!jb || !rb) { free(jb); free(rb); return CM_ERR_OUTPUT; }
#pragma omp parallel for schedule(static)
    for (long lb = 0; lb < (long)nb; lb++) {
        size_t a = (size_t)lb * FB_SLOTS, b = a + FB_SLOTS < s->n ? a + FB_SLOTS : s->n;
        size_t lo = 0, hi = sv->all.n; /* the first stored flag of a slot >= a */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (sv->all.e[mid].slot < a) lo = mid + 1;
            else hi = mid;
        }
        jb[lb] = lo;
        size_t rows = 0;
        for (size_t i = a; i < b; i++) {
            unsigned dm = sv->mask[i] & derived;
            rows += (dm >> SC_R12 & 1u) + (dm >> SC_R13 & 1u);
        }
        rb[lb] = rows;
    }
    jb[nb] = sv->all.n;
    for (size_t b = 0, at = 0; b <= nb; b++) { /* rows per block (+ its stored flags) -> the first row of each block */
        size_t k = b < nb ? rb[b] + jb[b + 1] - jb[b] : 0;
        rb[b] = at;
        at += k;
    }
    hid_t res_t = h5_enum_u8(RESULT_NAMES, 4);
    h5row r;
    h5row_begin(&r);
    flag_fill x = {.sv = sv, .p = p, .jb = jb, .rb = rb, .nb = nb, .id_len = id_len};
    x.o[0] = h5row_add(&r, "line", H5T_STD_U32LE, 4);
    x.o[1] = h5row_add_str(&r, "case_id", id_len);
    x.o[2] = h5row_add_str(&r, "rule", 3);
    x.o[3] = h5row_add(&r, "result", res_t, 1);
    x.o[4] = h5row_add_str(&r, "related_case_id", id_len);
    x.o[5] = h5row_add(&r, "figure", H5T_IEEE_F64LE, 8);
    x.o[6] = h5row_add(&r, "threshold", H5T_IEEE_F64LE, 8);
    h5row_end(&r);
    x.rsize = r.size;
    /* deflate without shuffle: on these rows (ids, codes, random figures) it
     * costs ~25% of the table's compression CPU for ~10% smaller chunks
     * (docs/METHODS.md §11) */
    r.no_shuffle = 1;
    hid_t d = h5w_table(w, "flags", "Supervision flags (稽核): one row per case and rule, with the evidence", &r, nf);
    /* every counted row written, a chunk at a time on all threads */
    int e = d < 0 || rb[nb] != nf || h5w_rows_fill(w, d, &r, nf, flag_rows, &x);
    free(jb);
    free(rb);
    if (!e) {
        e |= h5_attr_str(d, "order", "input order (line), then rule");
        e |= h5_attr_str(d, "figure", "R01-R03: gap in days; R04: nights in common; R05: 0; R06: services per "
                                     "mille of total; R07: cost ratio (list: LOS); R08: LOS; R09: sex; R10: age "
                                     "in years; R11: z; R12: cost ratio; R13: the flag bits (/cases flags)");
        e |= h5_attr_str(d, "related_case_id", "the other case (case id, never the patient id); empty for "
                                              "single-case rules");
    }
    if (d >= 0) H5Dclose(d);
    h5row_free(&r);
    H5Tclose(res_t);
    return e ? CM_ERR_OUTPUT : CM_OK;
}

/* R05's duplicates withheld from payment (重复结算不予支付), as attributes of /rules */
static int withheld_attrs(const sv_state *sv, hid_t d)
{
    int e = h5_attr_i64(d, "duplicates_withheld", (int64_t)sv->nwithheld);
    e |= h5_attr_i64(d, "duplicates_withheld_total_fen", sv->withheld_total_fen);
    e |= h5_attr_i64(d, "duplicates_withheld_fund_fen", sv->withheld_fund_fen);
    if (sv->cfg->sup_previous_input[0]) {
        e |= h5_attr_str(d, "previous_input", sv->cfg->sup_previous_input);
        e |= h5_attr_i64(d, "previous_input_rows", sv->prev_rows);
        e |= h5_attr_i64(d, "previous_input_cases", sv->prev_cases);
        e |= h5_attr_i64(d, "previous_input_rejected", sv->prev_rejected);
        e |= h5_attr_i64(d, "previous_input_joined", (int64_t)sv->nprev);
        e |= h5_attr_i64(d, "previous_input_window_days", sv->prev_window);
        char why[200];
        snprintf(why, sizeof why, sv->prev_first_reject_line ? "line %u: %s" : "none", sv->prev_first_reject_line,
                 sv->prev_first_reject);
        e |= h5_attr_str(d, "previous_input_first_rejected", why);
    }
    e |= h5_attr_str(d, "duplicates_withheld_method",
                     "R05: of two claims with the same patient, institution, admission and discharge date the one "
                     "with the greater case id (byte order) is kept in /cases with flag duplicate_withheld, score 0 "
                     "and payment 0; the budget is shared over the others");
    return e;
}

static cm_status write_rules(const sv_state *sv, h5w *w)
{
    hid_t res_t = h5_enum_u8(RESULT_NAMES, 4), fam_t = h5_enum_u8(FAMILY_NAMES, 3);
    h5row r;
    h5row_begin(&r);
    size_t o_id = h5row_add_str(&r, "id", 3);
    size_t o_name = h5row_add_str(&r, "name", 32);
    size_t o_fam = h5row_add(&r, "family", fam_t, 1);
    size_t o_res = h5row_add(&r, "result", res_t, 1);
    size_t o_ev = h5row_add(&r, "evaluated", H5T_STD_U8LE, 1);
    size_t o_hits = h5row_add(&r, "hits", H5T_STD_I64LE, 8);
    size_t o_par = h5row_add_str(&r, "parameters", 192);
    size_t o_note = h5row_add_str(&r, "not_evaluated_because", 96);
    size_t o_unit = h5row_add_str(&r, "unit", 64);
    h5row_end(&r);
    /* the unit of /flags figure and threshold per rule (docs/METHODS.md §11), R01..R13 */
    static const char *const UNIT[SC_RULE__COUNT] = {
        "days (readmission gap)", "days (readmission gap)", "days (transfer gap)", "nights (in common)",
        "none (same stay claimed twice)", "per mille (services / total cost)",
        "ratio (cost / standard cost); days (LOS) for a listed dx", "days (LOS)",
        "sex code (1 male, 2 female)", "years (age)", "z (group death rate; -999 none)",
        "ratio (cost / standard cost)", "flag bits (/cases.flags)",
    };
    hid_t d = h5w_table(w, "rules", "Supervision rules R01-R13 (规则库): family, result type, evaluated, hits, "
                                    "parameters in force, unit of /flags figure and threshold", &r, SC_RULE__COUNT);
    unsigned char *buf = calloc(SC_RULE__COUNT, r.size);
    int e = d < 0 || !buf;
    for (int k = 0; !e && k < SC_RULE__COUNT; k++) {
        unsigned char *b = buf + (size_t)k * r.size;
        const sc_rule_def *def = sc_rule(k);
        char par[192];
        params_text(sv, k, par, sizeof par);
        memcpy(b + o_id, def->id, 3);
        memcpy(b + o_name, def->name_en, strnlen(def->name_en, 32));
        b[o_fam] = (uint8_t)def->family;
        b[o_res] = (uint8_t)def->result;
        b[o_ev] = sv->evaluated[k];
        int64_t hits = sv->evaluated[k] ? sv->hits[k] : -1;
        memcpy(b + o_hits, &hits, 8);
        memcpy(b + o_par, par, strnlen(par, 192));
        memcpy(b + o_note, sv->why_not[k], strnlen(sv->why_not[k], 96));
        memcpy(b + o_unit, UNIT[k], strnlen(UNIT[k], 64));
    }
    if (!e) e = h5w_rows(d, &r, 0, SC_RULE__COUNT, buf);
    if (!e) e = h5_attr_str(d, "hits", "flags of the rule; -1 when the rule was not evaluated (never 0 for that)");
    if (!e) e = withheld_attrs(sv, d);
    if (d >= 0) H5Dclose(d);
    free(buf);
    h5row_free(&r);
    H5Tclose(res_t);
    H5Tclose(fam_t);
    if (e) return CM_ERR_OUTPUT;
    const char *names[SC_RULE__COUNT];
    for (int k = 0; k < SC_RULE__COUNT; k++) names[k] = sc_rule(k)->name_zh;
    return h5_strings(w, "rule_names", names, SC_RULE__COUNT, "UTF-8 rule names (规则名称), same order as /rules")
               ? CM_ERR_OUTPUT : CM_OK;
}

typedef struct {
    const sv_state *sv;
    const cm_period *p;
    size_t rsize, id_len, inst_len, o_line, o_id, o_inst, o_why, o_res, o_rules, rules_len;
    unsigned serious;        /* the rules that are not info-only: the ones that put a case in the sample */
} sample_fill;

/* The rule ids of mask (rule order, one space between: "R01 R04") into b,
 * at most len bytes (NUL-padded by the caller's zeroed row) */
static void rule_ids(unsigned char *b, size_t len, unsigned mask)
{
    size_t u = 0;
    for (unsigned m = mask; m && u + 3 <= len; m &= m - 1) {
        const char *id = sc_rule(__builtin_ctz(m))->id;
        if (u) b[u++] = ' ';
        memcpy(b + u, id, 3);
        u += 3;
    }
}

/* h5w_fill_fn of /review_sample: picks [first, first + n), in slot order */
static int sample_rows(void *vctx, size_t first, size_t n, unsigned char *buf)
{
    const sample_fill *x = vctx;
    const sv_pick *pk = x->sv->sample;
    const pl_slots *s = &x->p->s;
    const size_t ns = x->sv->nsample;
    memset(buf, 0, n * x->rsize);
    for (size_t q = 0; q < n; q++) {
        size_t j = first + q;
        if (j + 16 < ns) __builtin_prefetch(&s->slots[pk[j + 16].slot]); /* every ~12th slot: fetched ahead */
        unsigned char *b = buf + q * x->rsize;
        const cm_case *c = &s->slots[pk[j].slot];
        memcpy(b + x->o_line, &c->line, 4);
        const char *id = pl_case_id(s, pk[j].slot), *inst = x->p->inst[c->inst].id;
        memcpy(b + x->o_id, id, strnlen(id, x->id_len));
        memcpy(b + x->o_inst, inst, strnlen(inst, x->inst_len));
        b[x->o_why] = pk[j].reason;
        b[x->o_res] = (uint8_t)sv_mask_result(x->sv->mask[pk[j].slot]); /* the mask's word, read for rules too */
        if (pk[j].reason == 1) rule_ids(b + x->o_rules, x->rules_len, x->sv->mask[pk[j].slot] & x->serious);
    }
    return 0;
}

static cm_status write_sample(const sv_state *sv, const cm_period *p, h5w *w, size_t id_len)
{
    size_t ns = sv->nsample, inst_len = 1;
    unsigned serious = 0;
    for (int r = 0; r < SC_RULE__COUNT; r++)
        if (sc_rule(r)->result != SC_RES_INFO) serious |= 1u << r;
    int nrules = 0;          /* the most rules of a flagged pick: rules' width, 4 bytes a rule id less the last space */
#pragma omp parallel for schedule(static) reduction(max : nrules)
    for (long j = 0; j < (long)ns; j++) {
        if (sv->sample[j].reason == 1) {
            int k = __builtin_popcount(sv->mask[sv->sample[j].slot] & serious);
            if (k > nrules) nrules = k;
        }
    }
    for (size_t k = 0; k < p->ninst; k++) inst_len = str_maxlen(inst_len, p->inst[k].id);
    hid_t why_t = h5_enum_u8(REASON_NAMES, 3), res_t = h5_enum_u8(RESULT_NAMES, 4);
    h5row r;
    h5row_begin(&r);
    sample_fill x = {.sv = sv, .p = p, .id_len = id_len, .inst_len = inst_len,
                     .rules_len = nrules ? 4 * (size_t)nrules - 1 : 1, .serious = serious};
    x.o_line = h5row_add(&r, "line", H5T_STD_U32LE, 4);
    x.o_id = h5row_add_str(&r, "case_id", id_len);
    x.o_inst = h5row_add_str(&r, "institution_id", inst_len);
    x.o_why = h5row_add(&r, "reason", why_t, 1);
    x.o_res = h5row_add(&r, "result", res_t, 1);
    x.o_rules = h5row_add_str(&r, "rules", x.rules_len);
    h5row_end(&r);
    x.rsize = r.size;
    hid_t d = h5w_table(w, "review_sample", "Re-review sample (复审抽查): seeded, stratified by institution", &r, ns);
    int e = d < 0 || h5w_rows_fill(w, d, &r, ns, sample_rows, &x);
    if (!e) {
        const cm_config *cfg = sv->cfg;
        e |= h5_attr_i64(d, "sample_seed", (int64_t)cfg->sample_seed);
        e |= h5_attr_f64(d, "sample_rate", cfg->sample_rate);
        e |= h5_attr_f64(d, "sample_flagged_share", cfg->sample_flagged_share);
        e |= h5_attr_str(d, "method", "per institution: ceil(rate x cases) cases; flagged cases (a rule of result "
                                      "definite, highly_suspicious or suspicious) first, up to ceil(flagged_share x "
                                      "sample), then the others; each in the order of a 64-bit hash of (seed, case "
                                      "id): independent of the input order and the threads");
        e |= h5_attr_str(d, "rules", "a flagged row: the rule ids of its /flags rows that are not info-only (result "
                                     "definite, highly_suspicious or suspicious; R03, R12, R13 left out), in rule "
                                     "order, one space between (\"R01 R04\"): the rules that put the case in the "
                                     "sample; \"\" for a random row; width the longest written");
        e |= h5_attr_str(d, "result", "the strongest result among the case's /flags rows that are not info "
                                      "(definite, then highly_suspicious, then suspicious: the enum's order, most "
                                      "serious first), on every row, random ones too; info when the case has none "
                                      "(only info rules R03, R12, R13, or no rule)");
    }
    if (d >= 0) H5Dclose(d);
    h5row_free(&r);
    H5Tclose(why_t);
    H5Tclose(res_t);
    return e ? CM_ERR_OUTPUT : CM_OK;
}

cm_status sv_write(const sv_state *sv, const cm_period *p, h5w *w, size_t id_width)
{
    if (sv->dups_only) return CM_OK; /* R05 for payment only: no rule tables (month, simulate) */
    cm_status e = write_flags(sv, p, w, id_width);
    if (!e) e = write_rules(sv, w);
    if (!e) e = write_sample(sv, p, w, id_width);
    return e;
}

/* The summary's R05 line (settle, and alone with sv_dups_only: month, simulate) */
static void withheld_line(const sv_state *sv, FILE *f)
{
    if (!sv->evaluated[SC_R05]) {
        if (sv->dups_only)
            fprintf(f, "  R05 duplicate claims (重复结算) not checked: %s\n", sv->why_not[SC_R05]);
        return;
    }
    if (!sv->nwithheld) { /* checked, nothing withheld: said once, without a claim of 0.00 yuan */
        fprintf(f, "  R05 duplicates withheld from payment (重复结算不予支付): none\n");
        return;
    }
    char t[40], u[40];
    fprintf(f, "  R05 duplicates withheld from payment (重复结算不予支付): %zu %s, claimed %s yuan (fund part %s yuan); %s\n",
            sv->nwithheld, sv->nwithheld == 1 ? "case" : "cases", cm_yuan_text(t, sizeof t, sv->withheld_total_fen, 1),
            cm_yuan_text(u, sizeof u, sv->withheld_fund_fen, 1),
            sv->dups_only ? "score 0 and payment 0 in every settlement of this run, as in casemix settle "
                            "(supervision.rules.R05)"
                          : "kept in /cases with flag duplicate_withheld, score 0, payment 0");
}

void sv_summary(const sv_state *sv, FILE *f)
{
    if (sv->dups_only) {
        withheld_line(sv, f);
        if (sv->prev_read)
            fprintf(f, "  previous period (supervision.previous_input): %zu cases joined for R05 (%lld rows, %lld "
                       "rejected)\n", sv->nprev, (long long)sv->prev_rows, (long long)sv->prev_rejected);
        return;
    }
    int order[SC_RULE__COUNT], n = 0;
    for (int r = 0; r < SC_RULE__COUNT; r++)
        if (sv->evaluated[r]) order[n++] = r;
    for (int i = 1; i < n; i++) /* by count, descending; ties by id */
        for (int j = i; j > 0 && sv->hits[order[j]] > sv->hits[order[j - 1]]; j--) {
            int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    char info[64] = "";   /* the info rules: listed with their hits, not counted as needing a look */
    for (int r = 0, u = 0; r < SC_RULE__COUNT; r++)
        if (sc_rule(r)->result == SC_RES_INFO && u < (int)sizeof info - 8)
            u += snprintf(info + u, sizeof info - (size_t)u, "%s%s", u ? ", " : "", sc_rule(r)->id);
    fprintf(f, "Supervision (稽核): %lld cases flagged by a rule that needs a look (definite or suspicious; the info "
               "rules %s are not counted here, their hits are listed below) (%.2f %s)\n",
            (long long)sv->flagged_cases, info, sv->t < 0.01 ? 1000 * sv->t : sv->t, sv->t < 0.01 ? "ms" : "s");
    for (int i = 0; i < n; i++) {
        const sc_rule_def *d = sc_rule(order[i]);
        /* the Chinese rule name and result type at the end of the line (CJK would break the columns) */
        fprintf(f, "  %s %-30s %-18s %10lld  %s, %s\n", d->id, d->name_en, sc_result_name(d->result),
                (long long)sv->hits[order[i]], d->name_zh, sc_result_zh(d->result));
    }
    for (int r = 0; r < SC_RULE__COUNT; r++) /* the reason after "not evaluated", the Chinese at the end as above */
        if (!sv->evaluated[r]) fprintf(f, "  %s %-30s not evaluated: %s  %s, 未评估\n", sc_rule(r)->id,
                                       sc_rule(r)->name_en, sv->why_not[r], sc_rule(r)->name_zh);
    if (sv->grp_los)
        fprintf(f, "  history (历史数据) for R08's group mean LOS and R11's group death rates: %d year(s), %lld cases "
                   "with a LOS%s\n", sv->hist_years, (long long)sv->hist_cases,
                sv->hist_sup_only ? "; read for supervision alone (scores, coefficients and standard costs do not "
                                    "use it)" : "");
    withheld_line(sv, f);
    if (sv->prev_read)
        fprintf(f, "  previous period (supervision.previous_input): %lld rows, %lld cases, %lld rejected (counted "
                   "here and in /rules attributes, not in /rejects)%s%s; %zu cases discharged in the last %d days "
                   "joined R01-R05 (evidence only, never flagged)\n",
                (long long)sv->prev_rows, (long long)sv->prev_cases, (long long)sv->prev_rejected,
                sv->prev_first_reject_line ? "; first: " : "", sv->prev_first_reject_line ? sv->prev_first_reject : "",
                sv->nprev, sv->prev_window);
    fprintf(f, "  re-review sample (复审抽查): %zu cases (%zu flagged, %zu random), at least %.1f%% of each "
               "institution, seed %llu (the same seed and input: the same sample)\n",
            sv->nsample, sv->sample_flagged, sv->nsample - sv->sample_flagged, 100.0 * sv->cfg->sample_rate,
            (unsigned long long)sv->cfg->sample_seed);
    if (sv->flagged_cases > (long long)sv->sample_flagged) /* why a flagged case may be missing from the sample */
    {
        long long nd = sv->flagged_cases - (long long)sv->sample_flagged;
        fprintf(f, "                   %lld flagged %s not drawn: flagged cases fill at most %.0f%% of an "
                   "institution's sample (supervision.sample_flagged_share); all are in /flags\n",
                nd, nd == 1 ? "case" : "cases", 100.0 * sv->cfg->sample_flagged_share);
    }
}

/* A region split over MPI ranks (province.c): the read-stage flags of every
 * thread as one array (malloc'd, the caller's: free) with slot - skip, and
 * their append to the owner's first thread list with slot + base. */
cm_status sv_part_flags(const sv_state *sv, size_t skip, void **out, size_t *n, size_t *elem)
{
    size_t tot = 0;
    for (int t = 0; t < sv->nt; t++) {
        if (sv->tf[t].oom) return CM_ERR_NOMEM;
        tot += sv->tf[t].n;
    }
    sv_flag *e = malloc((tot ? tot : 1) * sizeof *e);
    if (!e) return CM_ERR_NOMEM;
    size_t k = 0;
    for (int t = 0; t < sv->nt; t++)
        for (size_t j = 0; j < sv->tf[t].n; j++) {
            e[k] = sv->tf[t].e[j];
            e[k].slot -= (uint32_t)skip;
            if (e[k].other >= 0) e[k].other -= (int32_t)skip;
            k++;
        }
    *out = e;
    *n = tot;
    *elem = sizeof *e;
    return CM_OK;
}

cm_status sv_part_add(sv_state *sv, const void *flags, size_t n, size_t base)
{
    const sv_flag *f = flags;
    for (size_t j = 0; j < n; j++) {
        push(&sv->tf[0], f[j].slot + (uint32_t)base, f[j].other >= 0 ? f[j].other + (int32_t)base : -1, f[j].rule,
             f[j].result, f[j].fig, f[j].thr);
        if (sv->tf[0].oom) return CM_ERR_NOMEM;
    }
    return CM_OK;
}

/* R05 only (month, simulate: the duplicates are withheld from payment as in
 * settle, nothing else is checked or written): every other rule off before
 * the read, so sv_row keeps the facts and decides nothing. */
void sv_dups_only(sv_state *sv)
{
    if (!sv) return;
    for (int r = 0; r < SC_RULE__COUNT; r++)
        if (r != SC_R05) sv->prm.enabled[r] = 0;
    sv->dups_only = 1;
}
