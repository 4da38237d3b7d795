/*
 * grouper.h - the one public header of the grouper library.
 *
 * Puts a discharge case into a DIP group (病种, by principal diagnosis +
 * procedures, DIP 3.0 matching order, docs/METHODS.md §2) and into a CHS-DRG group
 * (MDC -> ADRG -> DRG, ../shared/data/chs-drg-1.1/RULES.md).
 *
 * Design
 * - Tables are loaded once into an immutable context (gr_dip, gr_drg) that
 *   any number of threads may use at the same time, read-only.
 * - Grouping one case (gr_dip_assign, gr_drg_assign) never allocates, never
 *   prints, never fails: a case that cannot be grouped gets the blank group /
 *   the 0000 group and a reason code.
 * - The library does not print, exit, start threads or call HDF5. Load errors
 *   come back as a gr_status plus a gr_error with file, line, field and a
 *   message that says what to do.
 * - Codes are compared after trimming and (DIP) upper-casing; see each
 *   function. Strings passed in are NUL-terminated and owned by the caller.
 */
#ifndef CASEMIX_GROUPER_H
#define CASEMIX_GROUPER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Status and errors                                                   */
/* ------------------------------------------------------------------ */

typedef enum {
    GR_OK = 0,
    GR_ERR_IO,        /* a table file cannot be opened or read */
    GR_ERR_FORMAT,    /* a table is malformed (bad header, bad row, bad code) */
    GR_ERR_NOMEM,     /* allocation failed */
    GR_ERR_ARG        /* a required option is missing or invalid */
} gr_status;

/* Returns a static English name of a status ("ok", "io", ...). */
const char *gr_status_name(gr_status s);

/* Error detail filled by the loaders. line is the 1-based physical line of
 * the table file (0 when not about a line). */
typedef struct {
    char file[512];
    long line;
    char field[64];
    char msg[512];
} gr_error;

/* ------------------------------------------------------------------ */
/* A case as the grouper sees it                                       */
/* ------------------------------------------------------------------ */

/* All strings are NUL-terminated and owned by the caller; "" or NULL means
 * absent. Integers use -1 for "missing". The grouper reads nothing else. */
typedef struct {
    const char *principal_dx;          /* ICD-10 医保版 2.0, e.g. K35.800x001 */
    const char *const *other_dx;       /* secondary diagnoses, in input order */
    int n_other_dx;
    const char *principal_proc;        /* ICD-9-CM-3 医保版 2.0, e.g. 47.0100 */
    const char *const *other_procs;    /* other procedures, in input order */
    int n_other_procs;
    int sex;                           /* 1 male, 2 female, -1 missing */
    int age_years;                     /* -1 missing */
    int age_days;                      /* -1 missing */
    int birth_weight_g;                /* -1 missing */
} gr_case;

/* ------------------------------------------------------------------ */
/* DIP                                                                 */
/* ------------------------------------------------------------------ */

#define GR_DIP_CODE_MAX 80   /* longest group code + NUL (平顶山 2025: 69 characters,
                                M51.2:80.5110_03.0900x009+...+80.5900x001) */

typedef enum {
    GR_DIP_COMPREHENSIVE = 0,   /* 综合病种, code 类目:SS|ZLXCZ|ZDXCZ|BSZL */
    GR_DIP_CORE = 1,            /* 核心病种 */
    GR_DIP_BLANK = 2            /* KBBZ, matched nothing */
} gr_dip_type;

/* How a case matched (docs/METHODS.md §2). Order is the DIP 3.0 order. */
typedef enum {
    GR_PATH_EXACT = 0,          /* related set equals the case's other procs */
    GR_PATH_MOST_RELATED,       /* largest proper subset of related procs */
    GR_PATH_DX_MAIN,            /* diagnosis + main procedure, no related */
    GR_PATH_DX_ONLY,            /* diagnosis-only (conservative) core group */
    GR_PATH_COMPREHENSIVE,      /* 类目 + procedure attribute */
    GR_PATH_BLANK,              /* KBBZ */
    GR_PATH__COUNT
} gr_dip_path;

/* Why (the first token of the golden set's reference_reason). */
typedef enum {
    GR_WHY_NO_PROCS = 0,        /* dx_only: no procedure on the case */
    GR_WHY_SIMPLE_PROCS,        /* dx_only: only configured simple procedures */
    GR_WHY_RELATED,             /* exact / most_related: k of n matched */
    GR_WHY_NO_RELATED_GROUPS,   /* dx_main: no group with related procs */
    GR_WHY_RELATED_NOT_ON_CASE, /* dx_main: related groups exist, none fits */
    GR_WHY_NO_CORE_MATCH,       /* comprehensive: procedures match no core group */
    GR_WHY_NO_DX_ONLY_GROUP,    /* comprehensive BSZL: no procs, no dx-only group */
    GR_WHY_DX_MISSING,          /* blank: principal diagnosis empty */
    GR_WHY_DX_INVALID,          /* blank: not in the configured ICD-10 list */
    GR_WHY_PROC_ATTRIBUTE_UNKNOWN, /* blank: main proc not in attribute table */
    GR_WHY_NO_CATALOGUE_ENTRY,  /* blank: comprehensive group not in catalogue */
    GR_WHY__COUNT
} gr_dip_why;

/* Procedure attribute for comprehensive groups. */
typedef enum {
    GR_ATTR_NONE = 0,   /* BSZL 保守治疗 (no procedure) */
    GR_ATTR_SS,         /* 相关手术: surgery or intervention */
    GR_ATTR_ZLXCZ,      /* 治疗性操作: therapeutic procedure */
    GR_ATTR_ZDXCZ,      /* 诊断性操作: diagnostic procedure */
    GR_ATTR_UNKNOWN     /* procedure missing from the attribute table */
} gr_attr;

/* Static English names: "exact", "most_related", "dx_main", "dx_only",
 * "comprehensive", "blank"; "NO_PROCS", "RELATED", ...; "SS", "ZLXCZ",
 * "ZDXCZ", "BSZL". Out-of-range values give "?". */
const char *gr_dip_path_name(gr_dip_path p);
const char *gr_dip_why_name(gr_dip_why w);
const char *gr_attr_name(gr_attr a);

/* Tie rule when several groups match equally well (most_related). */
typedef enum {
    GR_TIE_LOWEST_SEQ = 0       /* the group with the lowest 序号 (default) */
} gr_tie_rule;

typedef struct {
    const char *catalogue_csv;     /* required: published layout (序号,病种编码,...) */
    const char *group_stats_csv;   /* optional: DIP_CODE,YEAR,WEIGHT_SCORE,...,BILL_COUNT */
    const char *proc_attr_csv;     /* optional: code,attribute[,basis]; NULL = every
                                      procedure is unknown -> comprehensive cases blank */
    const char *icd10_csv;         /* optional: valid 医保版 2.0 dx codes; NULL = no check.
                                      Column "code" or "医保版2.0编码" */
    const char *simple_procs_csv;  /* optional: one code per row (column "code"):
                                      procedures that still allow the dx-only group */
    gr_tie_rule tie_rule;
    int first_other_as_principal;  /* default 1: empty principal proc takes the
                                      first other procedure as principal */
    double blank_score;            /* score of KBBZ when group_stats has none;
                                      <= 0 means "mean of all scores" */
} gr_dip_options;

/* Fills o with the defaults above (all paths NULL). */
void gr_dip_options_default(gr_dip_options *o);

/* One catalogue group. Strings are owned by the gr_dip context. Statistics
 * are NAN / -1 when group_stats.csv does not have the group. */
typedef struct {
    char code[GR_DIP_CODE_MAX];  /* canonical: trimmed, all upper case (A46.X,
                                    K35.8:44.1300X001); gr_dip_find matches the
                                    published spelling case-insensitively */
    const char *published;       /* the code as the catalogue writes it (trimmed,
                                    original case, e.g. I10.x): what reports show */
    const char *name;            /* UTF-8 diagnosis | main proc | related names
                                    (comprehensive: diagnosis | attribute label),
                                    line wraps removed; "" if none */
    int32_t seq;                 /* 序号 (0 for KBBZ) */
    uint8_t type;                /* gr_dip_type */
    uint8_t attr;                /* gr_attr, comprehensive groups only */
    uint8_t n_related;           /* number of related procedures */
    char dx[16];                 /* 亚目 (core, "K35.8") or 类目 (comprehensive, "E11"); "" for KBBZ */
    const char *main_proc;       /* main procedure, upper case; "" if none */
    const char *const *related;  /* n_related related procedures, upper case */
    double score;                /* 病种分值 from the catalogue */
    double stat_mean_fee;        /* DIP_AVG_FEE, yuan */
    double stat_cv;              /* CV */
    int64_t stat_count;          /* BILL_COUNT */
    double stat_mean_los;        /* AVG_IPT_DAYS */
    double stat_region_mean;     /* REGION_AVE_VAL */
} gr_dip_group;

typedef struct gr_dip gr_dip;

/* Loads the catalogue and the optional tables. On success *out owns a new
 * context (free with gr_dip_free) and GR_OK is returned; on failure *out is
 * NULL and err says file, line, field and what to do. A catalogue with a
 * duplicate or malformed group code is an error. The blank group KBBZ always
 * exists in the loaded context (added when the files do not list it).
 * Also errors: a repeated 序号 (the tie rule needs unique numbers), a code
 * column (主诊断代码, 主要操作代码, 其他操作代码) that disagrees with the
 * group code, a procedure listed with two attributes, two statistics rows
 * of one group and year. group_stats rows of codes outside the catalogue
 * (CP* pseudo-groups) are ignored; of several YEARs the newest is kept. */
gr_status gr_dip_load(const gr_dip_options *o, gr_dip **out, gr_error *err);

/* Frees a context; NULL is accepted. */
void gr_dip_free(gr_dip *d);

/* Groups are indexed 0..n-1 in ascending 序号 order, KBBZ last. */
size_t gr_dip_ngroups(const gr_dip *d);
const gr_dip_group *gr_dip_group_at(const gr_dip *d, size_t i);
/* Index of the group with this code (case-insensitive), or -1. */
int32_t gr_dip_find(const gr_dip *d, const char *code);
int32_t gr_dip_blank(const gr_dip *d);

/* The optional tables, for summaries and for the generator. Codes are
 * upper case, sorted ascending (strcmp); index 0..count-1. Counts are 0
 * when the table was not configured. */
size_t gr_dip_n_attr_codes(const gr_dip *d);
const char *gr_dip_attr_code_at(const gr_dip *d, size_t i, gr_attr *attr);
/* Attribute of a procedure code (trimmed, case-insensitive); GR_ATTR_UNKNOWN
 * when absent or when no attribute table was loaded; GR_ATTR_NONE for "". */
gr_attr gr_dip_attr_of(const gr_dip *d, const char *proc);
size_t gr_dip_n_icd10_codes(const gr_dip *d);
const char *gr_dip_icd10_at(const gr_dip *d, size_t i);

typedef struct {
    int32_t group;      /* index into the catalogue, always valid */
    uint8_t path;       /* gr_dip_path */
    uint8_t why;        /* gr_dip_why */
    uint8_t attr;       /* gr_attr of the main procedure */
    uint8_t n_matched;  /* related procedures matched (exact/most_related) */
    uint8_t n_related_on_case; /* other procedures considered on the case */
    uint8_t n_tied;     /* groups tied for the exact / most_related match, the
                           lowest 序号 won (1 = no tie, and on every other path) */
} gr_dip_result;

/* Groups one case (matching order: grouper/dip.c). Thread-safe on a shared
 * context; no allocation. Codes are trimmed and upper-cased; a code of 64
 * characters or more is treated as absent from every table; at most 255
 * distinct other procedures are considered (the rest are ignored). */
void gr_dip_assign(const gr_dip *d, const gr_case *c, gr_dip_result *r);

/* Groups c as gr_dip_assign does (the same code path, same result in *r
 * when r is not NULL) and writes a human-readable trace into buf (at most
 * n bytes, always NUL-terminated): the principal diagnosis (主要诊断) as
 * read and canonicalized, whether it is on the ICD-10 list, the main and
 * other procedures (主要手术及操作 / 其他手术及操作) as counted, each step of
 * the DIP 3.0 order with the candidate groups and why each was taken or
 * not, ties to the lowest 序号, and a last line
 *   "result: PATH CODE (序号 N, TYPE), reason WHY, score S (病种分值, ...)"
 * with PATH = gr_dip_path_name and CODE = the group's published code.
 * Returns the length the full trace needs (like snprintf); buf may be NULL
 * with n 0. English with the Chinese terms. Thread-safe; slower than
 * gr_dip_assign (formatting), meant for single cases. */
size_t gr_dip_explain(const gr_dip *d, const gr_case *c, gr_dip_result *r, char *buf, size_t n);

/* ------------------------------------------------------------------ */
/* CHS-DRG                                                             */
/* ------------------------------------------------------------------ */

typedef enum {
    GR_DRG_OK = 0,            /* grouped */
    GR_DRG_UNGROUPABLE,       /* no MDC/ADRG matched: 0000 */
    GR_DRG_CHECK_FAILED       /* validation failed before grouping: 0000 */
} gr_drg_status;

/* Why a case is 0000 (GR_DRG_WHY_NONE when grouped). */
typedef enum {
    GR_DRG_WHY_NONE = 0,
    GR_DRG_WHY_SEX,           /* sex missing or not 1/2 */
    GR_DRG_WHY_AGE,           /* age_years missing */
    GR_DRG_WHY_AGE_DAYS,      /* age 0 and age_days missing */
    GR_DRG_WHY_WEIGHT,        /* <= 28 days and birth weight missing */
    GR_DRG_WHY_NO_DX,         /* no principal diagnosis */
    GR_DRG_WHY_NO_MDC         /* no MDC / ADRG rule matched */
} gr_drg_why;

const char *gr_drg_status_name(gr_drg_status s);  /* "OK", "UNGROUPABLE", "CHECK_FAILED" */
const char *gr_drg_why_name(gr_drg_why w);

typedef struct {
    const char *dir;          /* folder with mdc.csv, adrg.csv, ... */
    int upcase_codes;         /* 0 (default, as the reference grouper): codes
                                 compared exactly; 1: upper-case both sides */
    int strict_weight;        /* 0 (default, as the reference grouper, RULES.md
                                 Q5): a birth weight of 0 or below counts as
                                 present in validation, then fails every weight
                                 band (case lands in PU1/PV1). 1 (corrects that
                                 defect): a weight <= 0 counts as missing, so a
                                 case aged <= 28 days is CHECK_FAILED/WEIGHT. */
} gr_drg_options;

/* Codes read per case: the principal diagnosis and up to
 * GR_DRG_MAX_CODES - 1 secondary ones; up to GR_DRG_MAX_CODES procedures.
 * Codes past the cap are ignored (the engine should flag such cases). */
#define GR_DRG_MAX_CODES 64

/* Fills o with the defaults: dir NULL (must be set), upcase_codes 0,
 * strict_weight 0, i.e. the reference grouper's behaviour. */
void gr_drg_options_default(gr_drg_options *o);

typedef struct gr_drg gr_drg;

/* Loads and checks the tables (unknown list ids, ADRGs without DRGs,
 * duplicate rows: GR_ERR_FORMAT with file and line). *out owned by caller.
 * GR_ERR_ARG when o->dir is missing, GR_ERR_IO when a required table cannot
 * be read; icd10_dx.csv / icd9_proc.csv are optional (names for the trace).
 * o is copied; o->dir need not outlive the call. On failure *out is NULL. */
gr_status gr_drg_load(const gr_drg_options *o, gr_drg **out, gr_error *err);
/* Frees a context; NULL is accepted. */
void gr_drg_free(gr_drg *g);

/* Table sizes and names for output. Index -1 (or out of range) means
 * "0000" / "00". MDCs are indexed in evaluation order (mdc.csv eval_order),
 * ADRGs by MDC then order_in_mdc, DRGs by ADRG then order_in_adrg. Strings
 * are owned by the context and live until gr_drg_free. */
size_t gr_drg_ndrg(const gr_drg *g);
const char *gr_drg_code(const gr_drg *g, int32_t drg);   /* "FR23"; "0000" for -1 */
const char *gr_drg_name(const gr_drg *g, int32_t drg);   /* UTF-8 name; "" for -1 */
int32_t gr_drg_adrg_of(const gr_drg *g, int32_t drg);
size_t gr_drg_nadrg(const gr_drg *g);
const char *gr_drg_adrg_code(const gr_drg *g, int32_t adrg);  /* "FR2"; "00" for -1 */
size_t gr_drg_nmdc(const gr_drg *g);
const char *gr_drg_mdc_code(const gr_drg *g, int32_t mdc);    /* "MDCF"; "0000" for -1 */
const char *gr_drg_version(const gr_drg *g);  /* e.g. "CHS-DRG 1.1 (dir name)" */

typedef struct {
    int32_t drg;        /* -1 for 0000 */
    int16_t adrg;       /* -1 for 00 */
    int8_t mdc;         /* -1 for 0000 */
    uint8_t status;     /* gr_drg_status */
    uint8_t why;        /* gr_drg_why */
    uint8_t cc;         /* 0 none, 1 CC, 2 MCC (after exclusions) */
} gr_drg_result;

/* Groups one case. Thread-safe on a shared context; no allocation. The dx
 * list is principal_dx then other_dx, the procedure list principal_proc then
 * other_procs (empty or NULL entries skipped, so with no principal_proc the
 * first other procedure is first-listed). Codes are compared exactly, no
 * trimming (upper-cased with upcase_codes). r->cc is set for OK cases. */
void gr_drg_assign(const gr_drg *g, const gr_case *c, gr_drg_result *r);

/* Writes a human-readable trace of the grouping of c into buf (at most n
 * bytes, always NUL-terminated): MDC rules tried, ADRG clause and list,
 * the secondary code that gave MCC/CC, codes excluded and by which table.
 * Returns the length that the full trace needs (like snprintf); buf may be
 * NULL with n 0. English, with the tables' UTF-8 names. Thread-safe; slower
 * than gr_drg_assign (formatting), meant for single cases. */
size_t gr_drg_explain(const gr_drg *g, const gr_case *c, char *buf, size_t n);

/* Published DRG weights (DRG 权重表, RW): a CSV with a code column (drg,
 * DRG编码, DRG组编码, 分组编码) and a weight column (rw, 权重, 相对权重),
 * optionally a name column (name, 名称, DRG名称; not used). Fills
 * rw[0..gr_drg_ndrg(g)) by DRG index. Errors (GR_ERR_FORMAT, file:line):
 * a code not in g's tables, a code twice, a weight that is not a number in
 * (0, 1000]. A DRG of g without a row is an error too (line 0, the first
 * missing codes named): a published table covers every DRG of its version.
 * On failure rw is all 0. */
gr_status gr_drg_load_weights(const gr_drg *g, const char *path, double *rw, gr_error *err);

/* ------------------------------------------------------------------ */
/* Institution master table (定点医药机构信息表)                         */
/* ------------------------------------------------------------------ */

typedef struct {
    char id[32];        /* 定点医药机构编码 */
    char *name;         /* UTF-8 name, "" when the table has no name column */
    uint8_t level;      /* 1..3 */
    long line;          /* line in the table */
} gr_inst;

typedef struct {
    gr_inst *e;         /* sorted by id (strcmp) */
    size_t n;
} gr_inst_table;

/* Reads a CSV with columns institution_id (定点医药机构编码, 定点医疗机构编码),
 * level (医疗机构等级, 医院等级; see gr_level_parse) and optionally name
 * (定点医药机构名称, 医疗机构名称). Errors (GR_ERR_FORMAT, file:line): empty
 * id, id of 32 bytes or more, bad level, an id twice, no rows. On failure
 * *out is empty. Free with gr_inst_table_free. */
gr_status gr_inst_load(const char *path, gr_inst_table *out, gr_error *err);
void gr_inst_table_free(gr_inst_table *t);
/* The row of id, or NULL (binary search). */
const gr_inst *gr_inst_find(const gr_inst_table *t, const char *id);

/* Institution level (医疗机构等级) as exports and master tables write it:
 * "1".."3", "一级" "二级" "三级", "1级".."3级", with an optional grade (等次)
 * "三级甲等", "二级乙等", "一级丙等", "三级特等", "三甲", "二乙", and an
 * optional "医院" after it. Returns 1..3; 0 for "not graded" (未定级, 未评级,
 * 未分级, 无等级, 无: treat as missing); -1 when it is none of these. Spaces
 * and tabs around are ignored. The one level parser of the input rows and
 * of the institution table. Reads s[0..n). */
int gr_level_parse(const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* CASEMIX_GROUPER_H */
