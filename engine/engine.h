/*
 * engine.h - internal header of the driver (not a library header).
 *
 * The engine owns everything that touches the outside world: the CLI, the
 * parallel CSV reader, OpenMP, HDF5 and the terminal. A record flows:
 *
 *   reader (blocks -> chunks at record boundaries, parallel)
 *     -> record parse + validation (rejects with line and field)
 *     -> grouper (gr_dip_assign)          [per chunk, in parallel]
 *   -> set checks (duplicate case ids), the period's partials
 *      = the period (engine/period.h), read-only afterwards
 *   -> a scenario: per-case score (in parallel), special-review cap,
 *      partials per fixed slice merged in slice order, point value,
 *      institution and case payments (largest remainder)
 *   -> HDF5 (one thread) -> rename to the final name
 *
 * See docs/ARCHITECTURE.md.
 */
#ifndef CASEMIX_ENGINE_H
#define CASEMIX_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../config/config.h"
#include "../grouper/grouper.h"
#include "../scoring/scoring.h"

#define CM_VERSION "0.1.0"
#define CM_UTF8_BOM "\xEF\xBB\xBF" /* the byte order mark Excel needs to read a CSV as UTF-8 */

/* The engine's one status: every fallible function of the engine returns
 * a cm_status, with the message in the caller's err buffer (or printed,
 * for the cmd_* functions). Only main (engine/main.c, cm_exit_code) turns
 * a status into an exit code (README "Exit codes"). A count travels in an
 * out-parameter, not in the status.
 *
 * Kept sentinels (values, not statuses, on the per-row path or a lookup):
 * parse_date (days or -1), parse_int (0/-1), col_lookup (a column or -1),
 * pl_inst_get (an index or -1), the row parser's internal 0/-1, and
 * constructors that return a pointer (NULL with err: col_aliases_load).
 * HDF5's own herr_t-like 0/-1 stays inside the writer (h5out.h).
 *
 * Ownership: every engine header says, for each function that returns or
 * fills a buffer, who frees it and with what; a returned const char * is
 * static or points into an object that owns it, and is never freed. */
typedef enum {
    CM_OK = 0,
    CM_NOT_FOUND,           /* group --explain: the case is not in the input (exit 1) */
    CM_ERR_USAGE,           /* bad command line (exit 2) */
    CM_ERR_CONFIG,          /* bad configuration or table: nothing was done (exit 3) */
    CM_ERR_INPUT,           /* input file unreadable or unusable (header, encoding) (exit 4) */
    CM_ERR_OUTPUT,          /* output cannot be written, nothing left behind (exit 5) */
    CM_ERR_INTERRUPTED,     /* SIGINT / SIGTERM: stopped, nothing left behind (exit 6) */
    CM_ERR_NOMEM,           /* out of memory (exit 7) */
    CM_ERR_INTERNAL         /* a check of the engine itself failed (exit 7) */
} cm_status;

/* ------------------------------------------------------------------ */
/* Columns                                                             */
/* ------------------------------------------------------------------ */

typedef enum {
    COL_CASE_ID = 0, COL_PATIENT_ID, COL_INST_ID, COL_INST_LEVEL, COL_REGION,
    COL_SEX, COL_AGE_YEARS, COL_AGE_DAYS, COL_BIRTH_WEIGHT,
    COL_ADMIT, COL_DISCHARGE, COL_LOS, COL_DMODE,
    COL_PDX, COL_ODX, COL_PPROC, COL_OPROCS, COL_PROCEDURES,
    COL_VENT, COL_ICU, COL_TOTAL, COL_FUND, COL_SELF,
    COL_ADMIT_ROUTE, /* 入院途径 (optional; supervision only, never a reason to reject) */
    COL_CAT0, /* 14 cost categories in sc_category order */
    COL__COUNT = COL_CAT0 + SC_CAT__COUNT
} cm_col;

/* Canonical name of a column ("case_id"): a static string. */
const char *col_name(cm_col c);
/* Resolves a header cell (canonical name or Chinese alias, trimmed) to a
 * column, or -1. extra: optional alias table loaded from input.aliases. */
struct col_aliases;
int col_lookup(const char *name, size_t len, const struct col_aliases *extra);
/* Loads an alias CSV (columns canonical,alias): the table, the caller's
 * (col_aliases_free), or NULL with a message in err (the caller's status:
 * CM_ERR_CONFIG). NULL path -> NULL table, no message. */
struct col_aliases *col_aliases_load(const char *path, char *err, size_t errlen);
/* Frees a table of col_aliases_load; NULL is allowed. */
void col_aliases_free(struct col_aliases *a);
/* Prints the built-in alias table (for --help-columns / README). */
void col_print_aliases(FILE *f);
/* settle's required columns into req[16], -1 ended (the header check and
 * `casemix columns` print the same list); returns how many. */
int cm_settle_required(int has_mtab, int drg, int req[16]);

/* ------------------------------------------------------------------ */
/* Cases                                                               */
/* ------------------------------------------------------------------ */

enum { SLOT_CASE = 0, SLOT_REJECT = 1, SLOT_EMPTY = 2 };

/* Case flags (bits of cm_case.flags; listed in /cases attributes). */
enum {
    CF_CAT_MISMATCH   = 1u << 0, /* categories do not sum to total cost */
    CF_LOS_MISMATCH   = 1u << 1, /* los_days differs from discharge - admit */
    CF_LEVEL_MISMATCH = 1u << 2, /* level differs from the institution's */
    CF_FUND_MISMATCH  = 1u << 3, /* fund_paid + self_paid != total_cost */
    CF_SPECIAL        = 1u << 4, /* special review (特例单议) within the cap */
    CF_SPECIAL_OVER   = 1u << 5, /* ratio above special but beyond the cap */
    CF_NO_STD_COST    = 1u << 6, /* no standard cost: ratio not computed */
    CF_NO_CATEGORIES  = 1u << 7, /* no cost-category columns */
    CF_BIG_BUCKETS    = 1u << 8, /* a price-ratio bucket above 2^31-1 fen: kept in
                                    pl_slots.big (exact), not in the slot */
    /* data quality: a field the run does not need was unusable; the case is
     * kept, the field treated as missing, and /quality names field and value */
    CF_BAD_DATE       = 1u << 9, /* admit/discharge date or los_days unusable, or
                                    discharge before admission */
    CF_BAD_PATIENT    = 1u << 10,/* sex, age_years, age_days or birth_weight_g unusable */
    CF_BAD_AMOUNT     = 1u << 11,/* an amount the run does not need (self_paid, a cost
                                    category; in group: any) unusable, or fund > total */
    CF_AGE_MISMATCH   = 1u << 12,/* age_days and age_years differ by more than a year */
    CF_DUP_WITHHELD   = 1u << 13 /* R05 duplicate claim (重复结算, the later of two): kept,
                                    score 0, not paid (supervise.c sv_withhold) */
};
#define CF__COUNT 14
#define CF__LOW 9 /* bits 0..8: counted by combination in settle's partials */
/* Bits in use (CF_x = 1u << bit, bit < CF__COUNT). A new flag: the next
 * bit here, CF__COUNT + 1, and its name in FLAG_NAMES (columns.c; a
 * _Static_assert there checks the count). */
_Static_assert(CF__COUNT <= 16, "cm_case.flags is 16 bits");
/* Name of a flag bit ("cat_mismatch"), a static string; "?" for bit >= CF__COUNT. */
const char *case_flag_name(unsigned bit);

/* One slot per input row (96 bytes). Rejected rows keep their slot
 * (status SLOT_REJECT) so that records read = cases + rejects by
 * construction. The cost ratio is not stored: it is recomputed from
 * total_fen and the group's standard cost, bit for bit the same. */
/* Case ids (结算ID): up to CM_CASE_ID_MAX bytes. Up to 23 bytes are kept
 * in the slot (case_id[23] == 0); a longer id goes to a side table keyed by
 * slot (pl_slots.lid; the slot keeps its first 22 bytes, NUL, and the mark
 * CM_ID_LONG at case_id[23]). Read ids only through pl_case_id (after the
 * read) or rd_row_id (in a row callback). */
#define CM_CASE_ID_MAX 64
/* age_days accepted up to 150 years: floor(150 x 365.25) days */
#define CM_AGE_DAYS_MAX 54787
#define CM_ID_LONG 1
static inline int cm_id_is_long(const char *slot_id) { return slot_id[23] != 0; }

/* score_e4, pay_fen, outlier, drg_outlier and the flags CF_SPECIAL,
 * CF_SPECIAL_OVER and CF_NO_STD_COST are the baseline scenario's
 * (engine/period.h); every other field is the period's. */
typedef struct {
    char case_id[24];
    int64_t total_fen;
    int64_t fund_fen;
    union {
        int64_t score_e4;        /* baseline: case score, 1e-4 points (after the duplicate check) */
        uint64_t dup_entry;      /* table space of pl_find_duplicates */
    };
    union {
        int64_t pay_fen;         /* baseline: payment share of the institution's payment */
        uint64_t id_hash;        /* pl_id_hash(case_id), from parse to the duplicate check */
    };
    union {
        int32_t bucket_fen[SC_BUCKET__COUNT]; /* price-ratio buckets; see CF_BIG_BUCKETS */
        uint32_t order_at;       /* after the period's partials (buckets summed, dead):
                                    the slot of the case at this position of the cases
                                    sorted by institution (pl_slots.buckets_gone,
                                    cm_period.inst_start); bucket_fen[1..2] then hold
                                    the case id's hash when supervision runs
                                    (pl_slots.id_hash_kept, pl_kept_id_hash) */
    };
    uint32_t line;               /* physical line of the row in the input */
    uint32_t inst;               /* institution index (after remap) */
    int32_t group;               /* DIP group index */
    uint16_t flags;
    uint8_t status;              /* SLOT_* */
    uint8_t level;               /* 1..3 */
    uint8_t path, why, outlier;  /* gr_dip_path, gr_dip_why, sc_outlier_class */
    uint8_t drg_outlier;         /* sc_outlier_class under the DRG rule */
    int16_t drg;                 /* CHS-DRG index, -1 for 0000 */
    int8_t mdc;                  /* MDC index, -1 for 0000 */
    uint8_t drg_status, drg_why, cc;
    uint16_t los_days;           /* length of stay (65535 = missing) */
} cm_case;

_Static_assert(sizeof(cm_case) == 96, "cm_case is the per-case memory budget: keep it at 96 bytes");

/* A rejected row (/rejects), or a data-quality note on a kept case
 * (/quality: the field treated as missing and why, value echoed). */
typedef struct {
    uint32_t line;
    char case_id[CM_CASE_ID_MAX + 1];
    char field[24];
    char reason[104];
} cm_reject;

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *path;
    int fd;
    uint64_t size;
    int ncols;                  /* columns in the header */
    int colidx[COL__COUNT];     /* file column of each cm_col, or -1 */
    int has_categories;         /* all 14 category columns present */
    char unknown[256];          /* header cells that name no column, quoted, ", "-joined (as many as fit) */
    uint64_t header_lines;      /* physical lines of the header */
    /* the file is mapped read-only; a block is a window of the mapping */
    const char *map;            /* whole file (NULL when empty) */
    uint64_t pos;               /* file offset of the next block */
    uint64_t dropped;           /* pages before this offset were released */
    const char *buf;            /* current block: map + offset */
    size_t len, carry;          /* bytes of complete rows in the block; carry is 0 */
    uint64_t offset;            /* file offset of buf[0] */
    uint64_t next_line;         /* physical line of the next block's first row */
    int eof;
    /* text encoding: "UTF-8", or "GB18030" when the file was decoded into
     * an anonymous mapping of decoded_cap bytes (map, size: the UTF-8 text) */
    const char *encoding;
    size_t decoded_cap;
    uint64_t file_size;         /* bytes of the file itself */
} cm_reader;

/* input.encoding: "auto" (UTF-8, or GB18030 when the start of the file is
 * not UTF-8 but is GB18030), "UTF-8", "GB18030" (GBK is a subset). */
typedef enum { RD_ENC_AUTO = 0, RD_ENC_UTF8, RD_ENC_GB18030 } rd_encoding;
/* The rd_encoding of a canonical input.encoding value (config.h). */
rd_encoding rd_encoding_of(const char *name);

typedef struct {
    size_t begin, end;          /* byte range in the block buffer */
    uint64_t first_line;        /* physical line of the first record */
    size_t slot0;               /* first slot (global record index) */
    size_t nrec;                /* rows (slots) in this chunk */
    size_t nlines;              /* physical lines in this chunk */
    int quoted;                 /* block contains '"': quote-aware parse */
    int has_quote;              /* set by rd_count_block: a '"' in this chunk */
} cm_chunk;

/* Opens path and reads the header. CM_OK, or CM_ERR_INPUT (CM_ERR_NOMEM
 * when a GB18030 file cannot be decoded for memory) with a message naming
 * the file, the line and what to do. Call rd_close either way: it releases
 * the mapping (and the decoded copy) the reader owns. */
cm_status rd_open(cm_reader *r, const char *path, const struct col_aliases *aliases, rd_encoding enc,
                  char *err, size_t errlen);
/* Takes the next window of the mapped file and splits it into chunks of
 * about chunk_bytes at record boundaries (quoted blocks are scanned and
 * counted here; others are counted by rd_count_block); *nch receives the
 * number of chunks (0 at end). *chunks is (re)allocated here with realloc
 * (*cap entries) and stays the caller's: free it with free() after the
 * last block. CM_OK, CM_ERR_INPUT (a row longer than 1 GiB) or
 * CM_ERR_NOMEM, with err. Releases the pages of the previous window. */
cm_status rd_next_block(cm_reader *r, size_t chunk_bytes, cm_chunk **chunks, size_t *cap, size_t *nch,
                        char *err, size_t errlen);
/* Unmaps the file (or its decoded copy) and closes it; safe after a failed
 * rd_open and twice. */
void rd_close(cm_reader *r);
/* The readers opened from now on number their first data line 1 + header
 * lines + lines (a part of a region split over MPI ranks, engine/mpisplit.c:
 * its rows keep the region file's lines without padding slots); 0 again
 * restores the default. Not thread-safe: set around one build. */
void rd_set_line_offset(uint64_t lines);
/* From now on a row on physical line L of the input (L < n) is recorded on
 * line map[L] (its slot's line: /cases, rejects, notes, supervision): a
 * province region's file holds only its rows, map[L] their lines in the
 * export (engine/province.c, prov_line_map_use); map must be increasing.
 * NULL restores the default (the input's own lines). Not thread-safe: set
 * around one build; the reader does not copy map. */
void rd_set_line_map(const uint32_t *map, uint64_t n);
/* Counts the *nch chunks of the block rd_next_block cut, on all threads;
 * when one holds a '"', cuts the same window again with the quote-aware
 * scan (*chunks reallocated as by rd_next_block, *nch updated). CM_OK,
 * CM_ERR_INPUT or CM_ERR_NOMEM (err). Call before rd_number_chunks. */
cm_status rd_count_block(cm_reader *r, size_t chunk_bytes, cm_chunk **chunks, size_t *cap, size_t *nch,
                         char *err, size_t errlen);
/* Gives the counted chunks of a block their first slot and first line, in
 * order; returns the rows of the block. Serial. */
size_t rd_number_chunks(cm_reader *r, cm_chunk *chunks, size_t nch, size_t first_slot);
/* Test hook: block size in bytes (default 64 MiB; the file is mapped, a
 * block is the window parsed between two parallel regions). */
void rd_set_block_size(size_t bytes);

/* ------------------------------------------------------------------ */
/* Record parsing (per thread)                                         */
/* ------------------------------------------------------------------ */

#define CM_MAX_LIST 64
/* notes of one row: at most one per column (and the age check), so none is dropped */
#define CM_MAX_NOTES (COL__COUNT + 1)

typedef struct {
    /* fields of the current row */
    const char **fp;
    size_t *fl;
    int nf, fcap;
    char *scratch;              /* unquoted fields + NUL-terminated codes */
    size_t scap;
    /* codes for the grouper */
    const char *odx[CM_MAX_LIST];
    const char *oproc[CM_MAX_LIST];
    gr_case gc;
    /* fields not kept in cm_case, for later stages */
    char inst_id[32];
    int admit_day, discharge_day; /* days since 1970, -1 missing */
    /* supervision (cm_parse_opts.supervise): never a reason to reject */
    uint64_t sup_patient;       /* hash of patient_id, 0 when empty or absent */
    int sup_dmode;              /* discharge_mode 1..9, 0 missing or unreadable */
    int sup_route;              /* admit_route 1 急诊, 2 门诊, 3 转入, 9 other; 0 missing */
    int64_t sup_bed_fen, sup_service_fen; /* 床位费; 检查+化验+治疗+手术 (-1: no categories) */
    /* the current row's fields are in the mapped file with 8 readable
     * bytes before any field end >= 4: the amount parser may load 8 bytes
     * that end at a field's end */
    int tail_ok;
    uint8_t bucket_of[SC_CAT__COUNT]; /* sc_category_bucket, once */
    int64_t cat_fen[SC_CAT__COUNT]; /* the row's cost categories (fen; 0 when absent), for
                                      the re-pricing of casemix simulate (row callbacks) */
    /* reject being built */
    const char *rj_field;
    char rj_reason[104];
    /* data-quality notes of the current row (kept case, field treated as
     * missing): only a row with a problem writes here */
    uint64_t need;              /* columns the run needs (cm_parse_opts.need, narrowed per row) */
    int nnotes;
    struct { const char *field; char reason[104]; } notes[CM_MAX_NOTES];
    /* cases whose buckets do not fit the slot (CF_BIG_BUCKETS) */
    const cm_case *slots;       /* base of the slot array, to name the slot */
    struct cm_big *big;
    size_t nbig, capbig;
    /* case ids longer than 23 bytes: the current row's, and every row's by slot */
    char long_id[CM_CASE_ID_MAX + 1];
    struct cm_long_id *lid;
    size_t nlid, caplid;
    char *lid_text;             /* NUL-terminated ids, lid[k].off into it */
    size_t lid_len, lid_cap;
} cm_parser;

/* A case id longer than 23 bytes: slot and offset of its text. */
typedef struct cm_long_id {
    size_t slot;
    size_t off;
} cm_long_id;

/* Exact buckets of a case flagged CF_BIG_BUCKETS. */
typedef struct cm_big {
    size_t slot;
    int64_t bucket_fen[SC_BUCKET__COUNT];
} cm_big;

/* A parser owns its buffers (fp, fl, scratch, big, lid, lid_text, all
 * grown with realloc): parser_init zeroes them, parser_free frees them. The
 * read stage hands big and the long ids over to pl_slots by copying. */
void parser_init(cm_parser *p);
void parser_free(cm_parser *p);

/* The columns a run needs (bit CM_NEED(col)), from the command and the
 * scheme (cm_need_columns). A bad value in a needed column rejects the row;
 * in any other column the row is kept, the field treated as missing, the
 * case flagged (CF_BAD_*) and a note written (/quality). An empty value
 * rejects only institution_id, institution_level, total_cost and fund_paid
 * when needed. age_days is needed only when age_years is 0 and
 * birth_weight_g only when age_years is 0 and age_days <= 28 (the only
 * records on which the CHS-DRG grouper reads them). README: "Reject or flag". */
#define CM_NEED(col) (UINT64_C(1) << (col))
typedef enum { CM_RUN_GROUP, CM_RUN_SETTLE, CM_RUN_CALIBRATE, CM_RUN_BENCH } cm_run_kind;
uint64_t cm_need_columns(cm_run_kind run, int dip, int drg);

typedef struct {
    uint64_t need;              /* CM_NEED bits of the columns the run needs */
    cm_mismatch mismatch;
    int64_t tolerance_fen;
    int tokenize_only;          /* bench floor: split rows into fields, parse nothing */
    int supervise;              /* also read patient_id, discharge_mode, admit_route (sup_* below) */
    size_t side_bytes;          /* pl_read: bytes per slot of a side array (pl_slots.side), 0 none */
    size_t side2_bytes;         /* pl_read: bytes per slot of a second one (pl_slots.side2), 0 none */
    rd_encoding encoding;       /* input.encoding (0: auto) */
} cm_parse_opts;

/* Parses the chunk's rows; for each row calls the callback with the
 * filled case (status set; on SLOT_REJECT the parser's rj_* say why). */
typedef void (*rd_row_fn)(void *ctx, int tid, cm_parser *p, cm_case *c);
/* The whole case id of the row being called back (any length). */
static inline const char *rd_row_id(const cm_parser *p, const cm_case *c)
{
    return cm_id_is_long(c->case_id) ? p->long_id : c->case_id;
}
void rd_parse_chunk(const cm_reader *r, const char *buf, const cm_chunk *ch,
                    const cm_parse_opts *o, cm_parser *p, cm_case *slots,
                    rd_row_fn fn, void *ctx, int tid);

/* ------------------------------------------------------------------ */
/* Utilities                                                           */
/* ------------------------------------------------------------------ */

/* Days since 1970-01-01 for YYYY-MM-DD, or -1 when malformed/invalid (a
 * kept sentinel: per field, on the hot path). */
int parse_date(const char *s, size_t n);
/* Decimal integer with optional sign: 0 (value in *v), or -1 when not one
 * (a kept sentinel: per field, on the hot path). */
int parse_int(const char *s, size_t n, long *v);
double now_seconds(void);
/* max(cur, strlen(s)): the width of a fixed-length string column. */
size_t str_maxlen(size_t cur, const char *s);
/* Width of the published group codes of dip (at least 1); with counts,
 * only of the groups whose count is > 0. */
size_t dip_code_width(const gr_dip *dip, const int64_t *only_if_positive);
/* Bytes of the longest prefix of s (len bytes) of at most max bytes that
 * ends at a UTF-8 character boundary: a character cut by max, or already
 * cut at the end of s, is left out whole. */
size_t utf8_cut(const char *s, size_t len, size_t max);
/* A value for a message into buf (cap >= 8): at most 32 bytes, cut at a
 * UTF-8 character boundary ("..." when cut), control bytes as '?'; returns
 * buf. Never used for patient_id. */
const char *cm_echo(char *buf, size_t cap, const char *s, size_t n);
/* fen as yuan, exact (integer arithmetic): "-1234567.89", or with grouped
 * thousands separators "-1,234,567.89" (cap >= 40 holds any int64); returns buf. */
const char *cm_yuan_text(char *buf, size_t cap, int64_t fen, int grouped);
/* Writes s as one CSV field, quoted (RFC 4180) only when it needs it. */
void csv_put(FILE *f, const char *s);
int progress_enabled(void);
extern volatile int g_interrupted;

/* Output names (README "Commands"): each command its own default file, so
 * that no command overwrites another's output. settle: output.file;
 * calibrate: output.file with its ".h5" replaced by ".calibration.h5"
 * ("calibration.h5" when output.file is empty). The result goes to buf;
 * "" for a command without a default (it needs --out). buf: the caller's. */
void cm_default_output(const char *cmd, const char *output_file, char *buf, size_t n);
/* A side file of output OUT: OUT without a final ".h5", then suffix
 * (".catalogue.csv", ".rejects.csv"), so side files follow their output.
 * buf: the caller's, n bytes. CM_OK, or CM_ERR_USAGE when the name does
 * not fit (no message: the caller names the path). */
cm_status cm_side_path(const char *out, const char *suffix, char *buf, size_t n);

#endif
