/*
 * dip_internal.h - private to the grouper library: the layout of a loaded
 * DIP context (gr_dip), shared by the loader (dip_load.c) and the matcher
 * and accessors (dip.c).
 *
 * Every code is interned at load time:
 * - procedures (attribute table, simple list, catalogue) get a dense id
 *   (proc_ix: canonical code -> id; procs[id] holds the attribute);
 * - diagnosis keys, 亚目 ("K35.8") and 类目 ("K35"), get a dx entry
 *   (dx_ix -> dxs[]) with the dx-only group and the four comprehensive
 *   groups of that key;
 * - each (亚目, main procedure) pair of the core groups gets a combo
 *   (combo_keys/combo_vals, open addressing on the 64-bit pair of ids) with
 *   its dx_main group and its candidate list: the groups that have related
 *   procedures, ascending 序号, each with its related procedure ids.
 * After gr_dip_load returns nothing is written again, so threads share the
 * context read-only.
 */
#ifndef CASEMIX_GROUPER_DIP_INTERNAL_H
#define CASEMIX_GROUPER_DIP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "grouper.h"
#include "strhash.h"

/* Longest code (procedure, diagnosis) the matcher looks at; longer input
 * codes are treated as absent from every table. */
#define DIP_CODE_BUF 64
/* Other procedures considered per case (n_related_on_case is a uint8). */
#define DIP_MAX_OTHERS 255

typedef struct {
    const char *code;   /* canonical, in the arena */
    uint8_t attr;       /* gr_attr; GR_ATTR_UNKNOWN when not in the table */
    uint8_t simple;     /* on the simple-procedure list */
} dip_proc;

typedef struct {
    int32_t dx_only;    /* core group without procedure, or -1 (亚目 keys) */
    int32_t comp[4];    /* comprehensive group by gr_attr NONE..ZDXCZ, or -1 (类目 keys) */
} dip_dx;

typedef struct {
    int32_t group;
    uint32_t rel_off;   /* related ids at rel_ids[rel_off .. rel_off+n_rel) */
    uint8_t n_rel;
} dip_cand;

typedef struct {
    int32_t dx_main;    /* group with this dx + main and no related, or -1 */
    uint32_t cand_off;  /* candidates at cands[cand_off .. cand_off+n_cand) */
    uint32_t n_cand;
} dip_combo;

/* Arena block: strings and small arrays that live as long as the context. */
typedef struct dip_block {
    struct dip_block *next;
    size_t used, cap;
    max_align_t data[];
} dip_block;

struct gr_dip {
    gr_dip_options opt;          /* paths set to NULL after load */

    gr_dip_group *groups;        /* ascending 序号, KBBZ last */
    size_t ngroups;
    int32_t blank;
    gr_strhash code_ix;          /* canonical group code -> group */

    dip_proc *procs;
    size_t nprocs, cap_procs;
    gr_strhash proc_ix;          /* canonical procedure code -> proc id */
    int has_attr, has_simple;
    uint32_t *attr_sorted;       /* proc ids of the attribute table, by code */
    size_t n_attr;

    dip_dx *dxs;
    size_t ndx, cap_dx;
    gr_strhash dx_ix;            /* 亚目 / 类目 -> dx entry */

    uint64_t *combo_keys;        /* (dx id << 32 | proc id) + 1; 0 = empty */
    uint32_t *combo_vals;        /* index into combos */
    size_t combo_mask;
    dip_combo *combos;
    size_t ncombos;
    dip_cand *cands;
    size_t ncands;
    uint32_t *rel_ids;
    size_t nrel;

    int has_icd10;
    gr_strhash icd_ix;           /* canonical ICD-10 code -> index in icd_sorted */
    const char **icd_sorted;
    size_t n_icd;

    dip_block *arena;
};

static inline uint64_t dip_combo_key(uint32_t dx, uint32_t proc)
{
    return (((uint64_t)dx << 32) | proc) + 1;
}

static inline size_t dip_combo_slot(uint64_t key, size_t mask)
{
    uint64_t h = key * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & mask;
}

/* Copies in (skipping leading and trailing blanks) into buf, upper-casing
 * ASCII letters; returns the trimmed length (which may exceed cap - 1: then
 * only the first cap - 1 bytes are stored) and the hash of the whole
 * trimmed, upper-cased code in *hash. buf is always NUL-terminated. */
size_t dip_canon(const char *in, char *buf, size_t cap, uint32_t *hash);

#endif
