/*
 * pipeline.h - internal: the parallel read stage and per-thread tables.
 *
 * Status: fallible functions return a cm_status (engine.h); out of memory
 * is CM_ERR_NOMEM. Kept sentinel: pl_inst_get returns an index or -1 (out
 * of memory), called once per row from the row callback (the hot path).
 * Ownership: every table here (pl_inst_table, pl_rejects, pl_slots) owns
 * its memory and is released by its *_free function (safe on a zeroed
 * table); arrays handed out are the caller's, freed with free().
 */
#ifndef CASEMIX_PIPELINE_H
#define CASEMIX_PIPELINE_H

#include "engine.h"
#include <string.h>

int pl_threads(void);
int pl_thread_id(void);
/* Threads in the team running the calling parallel region (1 outside). */
int pl_team_size(void);

/* Test-only sizes (tests/identity.sh), so that a small input crosses several
 * reader blocks and partial slices: CASEMIX_TEST_BLOCK_BYTES (reader block,
 * >= 64; default 64 MiB) and CASEMIX_TEST_SLICE_SHIFT (log2 of the cases per
 * partial slice of the settlement, 4..30; default 20); CASEMIX_TEST_LINE_MAP
 * (a file: the line to record for each line of the input, as a province region
 * records the export's lines; tests/golden/province.sh). Read once, by main,
 * before any work; CM_OK, or CM_ERR_USAGE with a message in err for a
 * value out of range. */
cm_status pl_test_settings(char *err, size_t errlen);
/* log2 of the cases per partial slice (20 unless CASEMIX_TEST_SLICE_SHIFT). */
int pl_slice_shift(void);
/* Data rows per export sheet under CASEMIX_TEST_EXPORT_SHEET_ROWS (tests), else 0 (Excel's limit). */
long pl_test_sheet_rows(void);
/* 1 under CASEMIX_TEST_REPORT_SLOW=1 (tests): casemix report reads /cases through HDF5, not its fast path. */
int pl_test_report_slow(void);

typedef struct {
    char id[32];
    uint32_t first_line;
    uint8_t level;          /* level on the earliest row of the institution */
} pl_inst;

/* Open-addressing table institution id -> local index; one per thread. */
typedef struct {
    pl_inst *e;
    size_t n;
    int32_t *slots;
    size_t cap;
} pl_inst_table;

/* Local index of id (inserted when new); -1 on out of memory (a kept
 * sentinel: called per row). The table grows with realloc; pl_inst_table_free. */
int32_t pl_inst_get(pl_inst_table *t, const char *id, uint32_t line, int level);
void pl_inst_table_free(pl_inst_table *t);
/* Merges per-thread tables into one list sorted by id (*out, malloc'd, the
 * caller's: free()) and per-table remaps (remap[t][local] = global; each
 * malloc'd, the caller's: free() each). CM_OK or CM_ERR_NOMEM (no message). */
cm_status pl_inst_merge(pl_inst_table *tabs, int ntabs, pl_inst **out, size_t *nout, uint32_t **remap);

typedef struct {
    cm_reject *e;
    size_t n, cap;
} pl_rejects;

/* Appends a copy of the strings (cut to the fields' sizes) to r, which
 * grows with realloc; CM_OK or CM_ERR_NOMEM (no message). */
cm_status pl_reject_add(pl_rejects *r, uint32_t line, const char *case_id, const char *field,
                        const char *reason);
/* The data-quality notes of a kept row (parser p, after parse_row), into
 * r. CM_OK or CM_ERR_NOMEM. */
cm_status pl_notes_add(pl_rejects *r, const cm_parser *p, const cm_case *c);
/* Concatenates per-thread lists into out (zeroed here; its own memory,
 * pl_rejects_free, also after CM_ERR_NOMEM) and sorts by line, field,
 * reason (deterministic). The parts keep theirs (pl_rejects_free each).
 * CM_OK or CM_ERR_NOMEM. */
cm_status pl_rejects_merge(pl_rejects *parts, int n, pl_rejects *out);
/* Frees r's entries and zeroes it. */
void pl_rejects_free(pl_rejects *r);

typedef struct {
    cm_case *slots;     /* an anonymous mapping of `mapped` bytes (huge pages) */
    size_t n, cap, mapped;
    cm_big *big;        /* exact buckets of CF_BIG_BUCKETS cases, by slot */
    size_t nbig;
    int buckets_gone;   /* bucket_fen reused as order_at: pl_case_buckets refuses */
    int id_hash_kept;   /* each case's pl_id_hash kept in bucket_fen[1..2] (pl_kept_id_hash) */
    cm_long_id *lid;    /* case ids longer than 23 bytes, sorted by slot */
    size_t nlid;
    char *lid_text;     /* their text (lid[k].off) */
    unsigned char *side;/* cm_parse_opts.side_bytes per slot, grown with the slots (an
                           anonymous mapping, zeroed; pl_side_free or pl_slots_free) */
    size_t side_size, side_mapped;
    unsigned char *side2;/* cm_parse_opts.side2_bytes per slot, grown and zeroed like side, but
                           outliving it (simulate's kept categories beside R05's facts):
                           pl_slots_free only */
    size_t side2_size, side2_mapped;
} pl_slots;
/* n more slots at the end of s (s->n grows by n; contents for the caller
 * to fill): a pointer to the first, or NULL when out of memory. */
cm_case *pl_slots_grow(pl_slots *s, size_t n);
/* Unmaps the side array early (its user is done; side2 stays); safe twice. */
void pl_side_free(pl_slots *s);
/* Maps the pages of [at, at + bytes) writable before they are first
 * written (madvise MADV_POPULATE_WRITE, whole pages around the range): one
 * call instead of a page fault per 4 KiB page, which costs ~30 us of wall
 * on this project's VMs (~12 us populated; docs/METHODS.md §11). A hint:
 * nothing happens where the kernel lacks it. */
void pl_populate(void *at, size_t bytes);

/* The case id of slot i, whatever its length (the slot's own bytes, or the
 * long-id table): a pointer into s, valid while s lives; not to be freed.
 * Every reader of case ids goes through this. */
const char *pl_case_id(const pl_slots *s, size_t i);

/* Exact buckets of slot i (from the slot, or from big when flagged). */
void pl_case_buckets(const pl_slots *s, size_t i, int64_t out[SC_BUCKET__COUNT]);

typedef void (*pl_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Reads path in parallel: every row gets a slot in out (in input order)
 * and fn is called once per row from the thread that parsed it. required:
 * columns that must be in the header, terminated by -1. hdr (optional)
 * receives the header information (its mapping already released: only the
 * fields, nothing to close). *out is the caller's, whatever the result:
 * pl_slots_free (the slots are an anonymous mapping, the side tables
 * malloc'd). CM_OK; CM_ERR_INPUT (the file cannot be opened or read, a
 * required column is missing, a row longer than 1 GiB), CM_ERR_NOMEM or
 * CM_ERR_INTERRUPTED, with a message in err. */
cm_status pl_read(const char *path, const struct col_aliases *aliases, const int *required,
                  const cm_parse_opts *o, rd_row_fn fn, void *ctx, pl_slots *out, cm_reader *hdr,
                  pl_progress_fn progress, void *pctx, char *err, size_t errlen);
/* Unmaps the slots and frees the side tables; safe on a zeroed pl_slots. */
void pl_slots_free(pl_slots *s);

/* Groups one case into c: DIP group, path and reason (when dip) and the
 * CHS-DRG fields (when drg). Either context may be NULL. */
void pl_group_case(const gr_dip *dip, const gr_drg *drg, const gr_case *gc, cm_case *c);

/* Calls fn(ctx, tid, dup, first) for every case whose case id was already
 * seen on an earlier row; fn runs on thread tid (parallel, one partition of
 * the ids per thread). CM_OK with the number of duplicates in *ndup, or
 * CM_ERR_NOMEM (no message: the caller words it). The result does not
 * depend on the thread count.
 * Precondition: every SLOT_CASE slot has id_hash = pl_id_hash(case_id)
 * (set while parsing, or by pl_hash_ids), every other slot id_hash 0.
 * id_hash shares its bytes with pay_fen: the caller sets pay_fen (or
 * clears it) after this. The hash tables live in the slots' score_e4
 * (dup_entry): score_e4 is 0 on return, whatever it was. */
typedef void (*pl_dup_fn)(void *ctx, int tid, cm_case *dup, const cm_case *first, const char *case_id);
cm_status pl_find_duplicates(pl_slots *s, pl_dup_fn fn, void *ctx, size_t *ndup);
/* Hash of a whole case id (any length), never 0. */
uint64_t pl_id_hash(const char *case_id);
/* pl_id_hash(pl_case_id(s, i)) of a case slot, as hashed while parsing:
 * kept in the dead bucket bytes after order_at (period.c, when
 * s->id_hash_kept; supervision's sample keys), else computed */
static inline uint64_t pl_kept_id_hash(const pl_slots *s, size_t i)
{
    uint64_t h;
    if (!s->id_hash_kept) return pl_id_hash(pl_case_id(s, i));
    memcpy(&h, &s->slots[i].bucket_fen[1], sizeof h);
    return h;
}
void pl_hash_ids(pl_slots *s);

#endif
