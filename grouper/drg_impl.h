/*
 * drg_impl.h - private to the grouper library: the loaded CHS-DRG context
 * shared by drg_load.c (tables -> context) and drg.c (grouping, trace).
 *
 * Every code string of every table is interned once into an integer id
 * (id 0 = "not in any table"). Everything the grouper asks about a code is
 * precomputed per id in drg_code: MDC membership as a bitmask, trauma region
 * as a bitmask, MCC/CC/CC-exclusion table ids, OR flag, and the sorted ids
 * of the ADRG lists it is in ("postings", mostly 0-3 entries). A membership
 * test "code in list L" is then a scan of a few uint16 values, and a case
 * needs one hash lookup per input code.
 */
#ifndef CASEMIX_GROUPER_DRG_IMPL_H
#define CASEMIX_GROUPER_DRG_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "grouper.h"

#define DRG_CODE_MAX 64     /* longest code in a table, NUL included */
#define DRG_NAME_MAX 16     /* longest MDC/ADRG/DRG code, NUL included */
#define DRG_MAX_MDC 32      /* MDC membership is a uint32_t bitmask */
#define DRG_MAX_REGION 32   /* trauma regions are a uint32_t bitmask */
#define DRG_LIST_OR 0       /* list id of or_procedures.csv ("OR" in rules) */

/* Growable byte buffer; strings are referred to by offset (stable under
 * realloc). Offset 0 always holds "". */
typedef struct {
    char *p;
    size_t n, cap;
} drg_buf;

/* A hash slot keeps short keys inline (NUL-padded), so a lookup of a code
 * touches one cache line. Keys of DRG_KEY_INLINE bytes or more are compared
 * in the arena; their slot key is all zero except a 1 in the last byte,
 * which no padded short key has. */
#define DRG_KEY_INLINE 24

typedef struct {
    uint32_t h, id;          /* id 0 = empty slot */
    uint64_t key[DRG_KEY_INLINE / 8];
} drg_slot;

/* String -> dense id (1..n-1). */
typedef struct {
    drg_buf chars;
    uint32_t *off;           /* id -> offset in chars */
    uint16_t *len;
    uint32_t n, cap;         /* n counts the reserved id 0 */
    drg_slot *slots;
    uint32_t mask;
} drg_intern;

/* Field, op, entry rule and DRG condition vocabularies (RULES.md §2-4). */
enum { DRG_F_PRINCIPAL_DX = 1, DRG_F_ANY_DX, DRG_F_PRINCIPAL_PROC, DRG_F_ANY_PROC,
       DRG_F_AGE_DAYS, DRG_F_BIRTH_WEIGHT, DRG_F_ALWAYS };
enum { DRG_OP_NONE = 0, DRG_OP_IN, DRG_OP_NOT_IN, DRG_OP_LE, DRG_OP_LT, DRG_OP_GE,
       DRG_OP_GT, DRG_OP_EQ };
enum { DRG_ENTRY_PROC_OR = 1, DRG_ENTRY_DX_MDC };
enum { DRG_COND_MCC = 1, DRG_COND_MCC_OR_CC, DRG_COND_ALWAYS };

typedef struct {
    uint32_t mdc_mask;       /* bit m: in mdc_dx.csv for MDC index m */
    uint32_t region_mask;    /* trauma region bit, 0 if none */
    uint32_t post_off;       /* list ids in gr_drg.post[post_off..+post_n] */
    uint16_t post_n;
    uint16_t mcc_tab, cc_tab, cce_tab;   /* exclusion table ids, 0 = none */
    uint8_t is_or;           /* in or_procedures.csv */
} drg_code;

typedef struct {
    uint8_t field, op;
    uint16_t list;           /* for in / not_in */
    int32_t num;             /* for numeric ops */
} drg_term;

typedef struct {
    int32_t alt;             /* the alt value of adrg_rule.csv */
    uint32_t term_off;
    uint32_t n_terms;
} drg_alt;

typedef struct {
    char code[DRG_NAME_MAX];
    uint32_t name_off;
    int32_t eval_order;
    uint8_t entry;
    int32_t sex_req;         /* -1 = no requirement */
    int32_t age_req;         /* -1 = no requirement */
    int32_t min_regions;     /* 0 = no requirement */
    uint32_t adrg_off, n_adrg;
    int32_t n_adrg_decl;     /* mdc.csv n_adrg, -1 if empty */
    long line;
} drg_mdc;

typedef struct {
    char code[DRG_NAME_MAX];
    uint32_t name_off;
    int32_t mdc;
    int32_t order;
    uint32_t alt_off, n_alt;
    uint32_t drg_off, n_drg;
    long line;
} drg_adrg;

typedef struct {
    char code[DRG_NAME_MAX];
    uint32_t name_off;
    int32_t adrg;
    int32_t order;
    uint8_t cond;
    long line;
} drg_drg;

struct gr_drg {
    gr_drg_options opt;      /* opt.dir is not kept (caller-owned) */
    char version[160];
    char dir[512];

    drg_intern codes;        /* every dx/proc code of every table */
    drg_code *info;          /* per code id */
    uint32_t *name_off;      /* per code id, offset in text ("" if none) */
    size_t max_code_len;
    uint16_t *post;          /* postings, see drg_code */
    size_t npost;

    drg_intern lists;        /* list ids of adrg_list.csv; id 0 = OR */
    uint32_t *list_size;     /* rows per list id (list 0: OR rows) */
    drg_intern tabs;         /* exclusion table names */
    drg_intern regions;      /* trauma region names, ids 1..32 -> bit id-1 */
    drg_intern adrg_ids, drg_ids;

    drg_mdc mdc[DRG_MAX_MDC];
    int nmdc;
    uint32_t or_entry_mask;  /* MDCs entered by a first-listed OR procedure */
    drg_adrg *adrg;
    int nadrg;
    drg_alt *alt;
    int nalt;
    drg_term *term;
    int nterm;
    drg_drg *drg;
    int ndrg;

    drg_buf text;            /* names */
    size_t rows_mdc_dx, rows_list, rows_mcc, rows_cc, rows_cce, rows_or, rows_rule;
};

static inline uint64_t drg_mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

/* Hash of a short key already padded into DRG_KEY_INLINE bytes. */
static inline uint32_t drg_hash_padded(const uint64_t *k)
{
    uint64_t h = drg_mix(drg_mix(drg_mix(0x9E3779B97F4A7C15ull, k[0]), k[1]), k[2]);
    return (uint32_t)(h ^ (h >> 29));
}

/* Fills k with the padded key of s[0..n) (n < DRG_KEY_INLINE) or the long-key
 * marker, and returns the hash of s. */
static inline uint32_t drg_key(const char *s, size_t n, uint64_t *k)
{
    k[0] = k[1] = k[2] = 0;
    if (n < DRG_KEY_INLINE) {
        memcpy(k, s, n);
        return drg_hash_padded(k);
    }
    ((unsigned char *)k)[DRG_KEY_INLINE - 1] = 1;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = drg_mix(h, w);
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = drg_mix(h, w);
    return (uint32_t)(h ^ (h >> 29));
}

/* Id of the key (from drg_key) or 0. s/n are used for long keys only. */
static inline uint32_t drg_intern_probe(const drg_intern *t, uint32_t h, const uint64_t *k, const char *s,
                                        size_t n)
{
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        const drg_slot *sl = &t->slots[i];
        if (sl->id == 0) return 0;
        if (sl->h == h && sl->key[0] == k[0] && sl->key[1] == k[1] && sl->key[2] == k[2] &&
            (n < DRG_KEY_INLINE || (t->len[sl->id] == n && memcmp(t->chars.p + t->off[sl->id], s, n) == 0)))
            return sl->id;
    }
}

/* Id of s[0..n) or 0. */
static inline uint32_t drg_intern_find(const drg_intern *t, const char *s, size_t n)
{
    if (!t->slots) return 0;
    uint64_t k[DRG_KEY_INLINE / 8];
    uint32_t h = drg_key(s, n, k);
    return drg_intern_probe(t, h, k, s, n);
}

static inline const char *drg_intern_str(const drg_intern *t, uint32_t id)
{
    return id < t->n ? t->chars.p + t->off[id] : "";
}

#endif
