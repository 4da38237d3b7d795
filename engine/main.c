/*
 * main.c - the casemix command line: one table of options per command
 * (its usage and `casemix COMMAND --help` are printed from it), the exit
 * codes, signals, and `casemix group` (grouping only, --explain).
 *
 *   casemix settle | calibrate | gen | group | bench | export | report | columns  [options]
 *   casemix help [COMMAND] | casemix COMMAND --help | casemix --version
 *
 * Every option is --opt VALUE or --opt=VALUE. Exit codes: CM_EXIT_* below
 * and the README; the engine returns a cm_status (engine.h) and only main
 * turns it into an exit code (cm_exit_code).
 */
#include "settle.h"
#include "ledger.h"
#include "h5out.h"
#include "../bench/gen.h"

#include <hdf5.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* ------------------------------------------------------------------ */
/* Commands and their options                                          */
/* ------------------------------------------------------------------ */

typedef enum {
    O_CONFIG, O_INPUT, O_OUT, O_SCHEME, O_EXPLAIN, O_STAGE, O_TIMINGS, O_THREADS, O_QUIET,
    O_CASES, O_HISTORY_CASES, O_SEED, O_BAD_ROWS, O_XLSX, O_CSV, O_TABLES, O_SCENARIO, O_FEES, O_PLANT, O_HELP,
    O_MONTH, O_YEAR, O_PARTIAL, O_REOPEN, O_REGIONS
} opt_id;

typedef struct {
    opt_id id;
    const char *name;        /* "--config" */
    const char *arg;         /* "FILE"; NULL for a flag */
    int required;
    const char *help;        /* one line */
} opt_def;

typedef struct {
    const char *name;
    const char *summary;     /* one line, for the overview */
    const opt_def *opts;     /* ends with O_HELP */
    const char *notes;       /* printed after the options; may be NULL */
} cmd_def;

#define CM_STR_(x) #x
#define CM_STR(x) CM_STR_(x)
#define OPT_THREADS(what) { O_THREADS, "--threads", "N", 0, "threads (1-" CM_STR(CM_MAX_THREADS) ") for " what "; default: threads setting, else all cores" }
#define OPT_HELP { O_HELP, "--help", NULL, 0, "print this help and exit (also -h)" }

static const opt_def SETTLE_OPTS[] = {
    { O_CONFIG, "--config", "FILE", 1, "the region's configuration (libconfig; every key in config/example.cfg)" },
    { O_INPUT, "--input", "CSV", 0, "discharge records (医保结算清单) to settle; default: input.records" },
    { O_OUT, "--out", "FILE.h5", 0, "the settlement HDF5 file; default: output.file of the configuration" },
    OPT_THREADS("reading, grouping, scoring, compressing"),
    { O_QUIET, "--quiet", NULL, 0, "no progress and no summary on the terminal" },
    { O_TIMINGS, "--timings", "FILE.json", 0, "also write the stage times as one JSON line to FILE.json (replaces only an earlier timings file)" },
    OPT_HELP,
};
static const opt_def CALIBRATE_OPTS[] = {
    { O_CONFIG, "--config", "FILE", 1, "the region's configuration; its history list names 1 to 3 years of discharges" },
    { O_OUT, "--out", "FILE.h5", 0, "the calibration HDF5 file; default: output.file with .h5 replaced by .calibration.h5" },
    OPT_THREADS("reading the history files"),
    { O_QUIET, "--quiet", NULL, 0, "no summary on the terminal" },
    OPT_HELP,
};
static const opt_def GEN_OPTS[] = {
    { O_CONFIG, "--config", "FILE", 1, "configuration whose DIP catalogue (and gen settings) the cases are drawn from" },
    { O_OUT, "--out", "DIR", 1, "directory for current.csv and history_<year>.csv (created if missing; files there are replaced only when gen wrote them)" },
    { O_CASES, "--cases", "N", 0, "discharges in current.csv (with --regions: over all the regions); default: generator.cases" },
    { O_HISTORY_CASES, "--history-cases", "N|-1", 0, "discharges per history year; -1: no history files; default: generator.history_cases" },
    { O_SEED, "--seed", "S", 0, "random seed (the same seed gives the same bytes); default: generator.seed" },
    { O_BAD_ROWS, "--bad-rows", "SHARE", 0, "share 0-1 of rows made invalid on purpose (reject tests); default: generator.bad_rows" },
    { O_FEES, "--fees", NULL, 0, "also write fees.csv (费用明细: the item lines of every case, adding up to its categories) and prices.csv (a demo price table) for casemix simulate" },
    { O_PLANT, "--plant", "SHARE", 0, "append about SHARE x cases rows with the supervision rules' patterns (R01-R13) to current.csv; truth in DIR/planted.csv" },
    { O_REGIONS, "--regions", "N", 0, "a province (省) of N pooling regions (统筹区, 1-99) of different sizes, --cases in all: DIR/<code>/current.csv, "
                                     "DIR/province.csv (one export, region column), DIR/province.cfg (ready to settle) and DIR/province-files.cfg; no history" },
    OPT_THREADS("generating"),
    { O_QUIET, "--quiet", NULL, 0, "no progress and no summary on the terminal" },
    OPT_HELP,
};
static const opt_def GROUP_OPTS[] = {
    { O_SCHEME, "--scheme", "dip|drg", 1, "dip: DIP group (病种) by the catalogue; drg: CHS-DRG group by drg.tables" },
    { O_CONFIG, "--config", "FILE", 1, "configuration naming the tables (dip.catalogue ... or drg.tables)" },
    { O_INPUT, "--input", "CSV", 1, "records to group (settle's columns, or the CHS-DRG golden-set layout)" },
    { O_OUT, "--out", "CSV", 0, "one row per input row (rejected rows with the reason); required without --explain" },
    { O_EXPLAIN, "--explain", "CASE_ID", 0, "print the grouping path of this case on stdout (exit 1 when it is not in the input)" },
    OPT_THREADS("reading and grouping"),
    { O_QUIET, "--quiet", NULL, 0, "no summary line on the terminal" },
    OPT_HELP,
};
static const opt_def BENCH_OPTS[] = {
    { O_CONFIG, "--config", "FILE", 1, "configuration (tables for the dip/drg stages, output settings for write)" },
    { O_STAGE, "--stage", "STAGE", 1, "read | tokenize | parse | dip | drg | flags: that stage on --input CSV; write: the write floor" },
    { O_INPUT, "--input", "FILE", 1, "the CSV of the stage, or (write) a settle output whose /cases is written again" },
    { O_OUT, "--out", "FILE.h5", 0, "write stage only: the HDF5 file written" },
    OPT_THREADS("the stage"),
    OPT_HELP,
};
static const opt_def EXPORT_OPTS[] = {
    { O_XLSX, "--xlsx", "FILE.xlsx", 0, "write an Excel workbook: one sheet per table, header row frozen" },
    { O_CSV, "--csv", "DIR", 0, "write one CSV per table (UTF-8 with BOM) into DIR (created if missing)" },
    { O_TABLES, "--tables", "LIST", 0, "comma list of summary,institutions,groups,drgs,rejects,quality,indicators,rules,flags,review_sample,"
                                      "months,clearing,special,history_months,revisions,revision_institutions,reopenings,reopening_institutions,province_summary,scenarios,regions,cases; "
                                      "default: all present but cases" },
    { O_QUIET, "--quiet", NULL, 0, "do not print the paths written" },
    OPT_HELP,
};
static const opt_def REPORT_OPTS[] = {
    { O_OUT, "--out", "FILE.html", 0, "the HTML report; default: OUT.h5 with .h5 replaced by .html" },
    { O_QUIET, "--quiet", NULL, 0, "do not print the path written" },
    OPT_HELP,
};
static const opt_def SIMULATE_OPTS[] = {
    { O_CONFIG, "--config", "FILE", 1, "the region's configuration with simulate.scenarios (config/example.cfg)" },
    { O_SCENARIO, "--scenario", "NAME", 0, "run only this scenario (repeatable); default: every scenario" },
    { O_INPUT, "--input", "CSV", 0, "discharge records; default: input.records" },
    { O_OUT, "--out", "FILE.h5", 0, "the simulation HDF5 file; default: output.file with .h5 replaced by .simulation.h5" },
    OPT_THREADS("reading, grouping, scoring"),
    { O_QUIET, "--quiet", NULL, 0, "no progress and no comparison tables on the terminal" },
    OPT_HELP,
};
static const opt_def NO_OPTS[] = { OPT_HELP };
/* the settlement year (engine/month.c, engine/clear.c) */
static const opt_def MONTH_OPTS[] = {
    { O_CONFIG, "--config", "FILE", 1, "the region's configuration (year.* settings; the ledger is year.ledger)" },
    { O_MONTH, "--month", "YYYY-MM", 1, "the month to pre-settle (月度预结算); a month settled before is replaced; a case id (结算ID) another month of the ledger settled is rejected" },
    { O_INPUT, "--input", "CSV", 0, "the month's discharge records; default: input.records" },
    { O_OUT, "--out", "FILE.h5", 0, "the month's settlement file; default: output.file with -YYYY-MM before .h5 (-MM when it ends with the year)" },
    { O_REOPEN, "--reopen", NULL, 0, "run a month of a cleared year (年度清算 done; refused otherwise, exit 2): removes /clearing, recorded in /reopenings (撤销清算记录)" },
    OPT_THREADS("reading, grouping, scoring"),
    { O_QUIET, "--quiet", NULL, 0, "no progress and no summary on the terminal; the WARNINGs about the month's export (the same export twice, a month skipped, dates outside the month) still print, on stderr" },
    OPT_HELP,
};
static const opt_def CLEAR_OPTS[] = {
    { O_CONFIG, "--config", "FILE", 1, "the region's configuration (clearing.* settings and input files)" },
    { O_YEAR, "--year", "YYYY", 1, "the year to clear (年度清算) from its ledger (no case record is read)" },
    { O_PARTIAL, "--partial", NULL, 0, "clear although months are missing from the ledger (refused otherwise); the output says partial" },
    { O_QUIET, "--quiet", NULL, 0, "no table on the terminal" },
    OPT_HELP,
};

static const cmd_def CMDS[] = {
    { "settle", "settle one period: groups, scores, point value (点值), payments to the fen, supervision (稽核); a province config: every region",
      SETTLE_OPTS,
      "output: the HDF5 file (file attribute casemix_kind = \"settlement\") and, beside it, OUT.rejects.csv\n"
      "(OUT without .h5; UTF-8 with BOM for Excel: one row per rejected line with the value and what is\n"
      "wrong). Both are written under temporary names and renamed at the end. An existing file at either\n"
      "path is replaced only when casemix wrote it for a settlement; any other file (a calibration, another\n"
      "HDF5 file, your own CSV, ...) stops the run before any work (exit 5): pass --out elsewhere or move it.\n"
      "Supervision (稽核; supervision.enabled, default true) runs in the same pass: /flags, /rules, /review_sample,\n"
      "/indicators and the rating of /institutions (casemix export OUT.h5 --xlsx FILE.xlsx opens them in Excel).\n" },
    { "calibrate", "scores, level coefficients and DRG weights from up to three years of history", CALIBRATE_OPTS,
      "output: OUT (default: output.file with .h5 replaced by .calibration.h5, so that it never replaces\n"
      "the settlement), casemix_kind = \"calibration\", table /calibration; and OUT.catalogue.csv beside it\n"
      "(OUT without .h5), the calibrated catalogue in the published layout. An existing OUT that is not an\n"
      "earlier calibration, or a catalogue CSV casemix did not write, stops the run before any work (exit 5).\n" },
    { "gen", "a seeded synthetic region drawn from a catalogue's case mix (current.csv, history_<year>.csv)",
      GEN_OPTS, NULL },
    { "group", "grouping only: one CSV row per input row; --explain CASE_ID shows the path of one case",
      GROUP_OPTS,
      "--explain: the DIP path (主要诊断 as read, ICD-10 check, each step of the DIP 3.0 order with its\n"
      "candidate groups, the tie rule, the group and its score) or the CHS-DRG path (MDC, ADRG, MCC/CC\n"
      "with the 排除表 exclusions), on stdout; exit 0 when the case is in the input (a rejected row says\n"
      "\"rejected on line N: reason\"), 1 when it is not. --out may then be left out.\n"
      "An existing --out file is replaced only when it is an earlier group CSV (exit 5 otherwise).\n" },
    { "bench", "one pipeline stage or floor, timed, as a JSON line (used by make bench)", BENCH_OPTS, NULL },
    { "export", "the tables of a settlement, simulation, ledger or province file as an Excel workbook (--xlsx) or CSV files (--csv): casemix export OUT.h5 ...",
      EXPORT_OPTS,
      "usage: casemix export OUT.h5 --xlsx FILE.xlsx | --csv DIR [--tables LIST]  (OUT.h5: a settlement, simulation, ledger or province file)\n"
      "Each header cell: the member name, its meaning and the Chinese title (payment_fen → payment (yuan) 结算金额).\n"
      "Money (*_fen, integer fen) is written in yuan with two decimals: numbers with the format #,##0.00 in the\n"
      "workbook, exact decimals in CSV. Codes and ids (case_id, institution_id, code, dip_group, drg ...) are text,\n"
      "enums their names; the names (机构名称, 病种名称) stand beside the ids. /cases only with --tables ...,cases;\n"
      "a table over 1,048,575 rows (/cases, a big run's /flags) is split over sheets cases_1, cases_2, ..., the\n"
      "sheet split_sheets listing each part's rows (CSV: one file). *_e4 members are divided by 10^4 in the\n"
      "workbook (points #,##0.00, coefficients 0.0000); the CSV keeps the stored integers.\n"
      "Outputs are written under temporary names and renamed at the end. An existing FILE.xlsx is replaced only\n"
      "when casemix exported it (zip comment \"casemix export\"), an existing DIR/TABLE.csv only when it starts\n"
      "with casemix's header for that table (exit 5 otherwise). Scenarios and regions: sheets NAME_sum, NAME_meas,\n"
      "NAME_inst, NAME_grp (at most 31 characters, unique). Any other file: exit 4.\n" },
    { "report", "one self-contained HTML report (charts, A4 print) of a casemix file: casemix report OUT.h5 ...",
      REPORT_OPTS,
      "usage: casemix report OUT.h5 [--out FILE.html]  (OUT.h5: any file casemix wrote, e.g. settle's output)\n"
      "One HTML file with inline SVG charts: no network, no JavaScript; prints on A4 (a section per page).\n"
      "Sections appear when the file has their datasets: point value, budget and payments (/summary),\n"
      "payments and price-ratio structure by institution (/institutions), the cost-ratio distribution with\n"
      "the outlier thresholds (/cases), DRG CMI, supervision flags, indicators and rating, scenarios, the\n"
      "monthly ledger, rejects and data quality. Every figure names its dataset. No patient or case id.\n"
      "Written under a temporary name and renamed at the end; an existing FILE.html is replaced only when\n"
      "casemix wrote it (exit 5 otherwise). A file casemix did not write: exit 4.\n" },
    { "columns", "the input columns and the Chinese headers accepted for each", NO_OPTS, NULL },
    { "month", "monthly pre-settlement (月度预结算): estimated point value, payments with the deposit, forecast; "
      "recorded in the year's ledger", MONTH_OPTS,
      "output: the month's settlement file (its budget is the month's gross payment) with its rejects CSV, and the\n"
      "ledger (casemix_kind \"ledger\", year.ledger; default output.file with .ledger-YYYY.h5): /months, /institutions,\n"
      "/groups, /special, /history_months. The ledger is rewritten whole under a temporary name and renamed: an\n"
      "interrupted or failed month leaves the previous ledger as it was. A month run again replaces its entry and\n"
      "appends the replaced entry and the difference to pay or recover to /revisions (更正记录; per institution:\n"
      "/revision_institutions); its earlier settlement file is kept as OUT.rN.h5 (N: the revision; OUT without .h5).\n"
      "A cleared year (casemix clear wrote /clearing; its balances may have been paid out) is refused before any\n"
      "work (exit 2, nothing changed) unless --reopen is given: the month then removes /clearing, appends what it\n"
      "had (months, cases, final point value, Σ due, Σ balance) and when to /reopenings (撤销清算记录), its balances\n"
      "per institution to /reopening_institutions (taken as paid out), and says REOPENED; run casemix clear again.\n" },
    { "clear", "annual clearing (年度清算) from the ledger: final point value, amount due, deposit, bands, special review",
      CLEAR_OPTS,
      "inputs (configuration): clearing.audit (institution_id,deduction_yuan), clearing.assessment\n"
      "(institution_id,coefficient), clearing.special_review (case_id,approved_yuan); errors name file:line.\n"
      "output: the clearing table on the terminal and /clearing in the ledger (the year's figures as attributes).\n"
      "After a --reopen the balances of the removed clearings (/reopening_institutions) count as paid out:\n"
      "settled_before_fen (已清算) and to_settle_fen = balance - settled (本次应补(追)) say what to pay or recover now.\n"
      "The ledger must hold all twelve months: with a month missing clear stops (exit 4) naming the missing months;\n"
      "run casemix month for them, or pass --partial to share the whole year's pool over the months present\n"
      "(the summary and /clearing's attributes partial = 1 and months_missing say so).\n" },

    { "simulate", "policy simulation (政策模拟): price adjustments and settings against the baseline, K scenarios in one pass",
      SIMULATE_OPTS,
      "output: OUT (casemix_kind = \"simulation\"), /scenarios/NAME/{summary,groups,institutions,measurement[,cases]}\n"
      "with members base_<m>, <m> and diff_<m>; the settings of each scenario as attributes of /scenarios/NAME.\n"
      "A bad scenario stops the run before any work with file:line (exit 3). An existing OUT that is not an\n"
      "earlier simulation stops the run (exit 5).\n" },
};
#define NCMDS (sizeof CMDS / sizeof CMDS[0])

/* Exit codes (README "Exit codes"). Used here only: the engine returns a
 * cm_status and main maps it with cm_exit_code. */
enum {
    CM_EXIT_OK = 0,
    CM_EXIT_NOT_FOUND = 1,  /* group --explain: the case is not in the input */
    CM_EXIT_USAGE = 2,      /* bad command line */
    CM_EXIT_CONFIG = 3,     /* bad configuration or table: nothing was done */
    CM_EXIT_INPUT = 4,      /* input file unreadable or unusable (header, encoding) */
    CM_EXIT_OUTPUT = 5,     /* output cannot be written (nothing left behind) */
    CM_EXIT_INTERRUPTED = 6,/* SIGINT / SIGTERM: stopped, nothing left behind */
    CM_EXIT_INTERNAL = 7    /* out of memory, or a check of the engine itself failed */
};

/* The one place a status becomes an exit code. */
static int cm_exit_code(cm_status st)
{
    switch (st) {
    case CM_OK: return CM_EXIT_OK;
    case CM_NOT_FOUND: return CM_EXIT_NOT_FOUND;
    case CM_ERR_USAGE: return CM_EXIT_USAGE;
    case CM_ERR_CONFIG: return CM_EXIT_CONFIG;
    case CM_ERR_INPUT: return CM_EXIT_INPUT;
    case CM_ERR_OUTPUT: return CM_EXIT_OUTPUT;
    case CM_ERR_INTERRUPTED: return CM_EXIT_INTERRUPTED;
    case CM_ERR_NOMEM: return CM_EXIT_INTERNAL;
    case CM_ERR_INTERNAL: return CM_EXIT_INTERNAL;
    }
    return CM_EXIT_INTERNAL;
}

static const cmd_def *find_cmd(const char *name)
{
    for (size_t i = 0; i < NCMDS; i++)
        if (!strcmp(CMDS[i].name, name)) return &CMDS[i];
    return NULL;
}

static const char EXIT_CODES[] =
    "exit codes: 0 ok, 2 usage, 3 configuration or table error (nothing done), 4 input unusable,\n"
    "            5 output cannot be written (or would replace a file of another kind), 6 interrupted,\n"
    "            7 internal\n";
/* only group --explain exits 1: said on group's help and the overview, not on every command's */
static const char EXIT_EXPLAIN[] = "            group --explain: 1 when the case is not in the input\n";

static void usage(FILE *f)
{
    fputs("casemix " CM_VERSION " - DIP / CHS-DRG settlement engine (按病种分值付费 / 疾病诊断相关分组)\n\n"
          "usage: casemix COMMAND [options]     (options as --opt VALUE or --opt=VALUE)\n\ncommands:\n", f);
    for (size_t i = 0; i < NCMDS; i++) fprintf(f, "  %-10s %s\n", CMDS[i].name, CMDS[i].summary);
    fputs("\n  casemix help COMMAND, casemix COMMAND --help   that command's options\n"
          "  casemix --help | --version\n\n", f);
    fputs(EXIT_CODES, f);
    fputs(EXIT_EXPLAIN, f);
    fputs("A bad record is never an error of the run: it is rejected with its line and reason.\n", f);
}

static void cmd_usage(const cmd_def *c, FILE *f)
{
    const char *pos = !strcmp(c->name, "export") || !strcmp(c->name, "report") ? " OUT.h5" : ""; /* its file comes first */
    fprintf(f, "casemix %s - %s\n\nusage: casemix %s%s", c->name, c->summary, c->name, pos);
    int col = 15 + (int)strlen(c->name) + (int)strlen(pos);
    for (const opt_def *o = c->opts; o->id != O_HELP; o++) {
        char w[64];
        snprintf(w, sizeof w, o->required ? " %s%s%s" : " [%s%s%s]", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        if (col + (int)strlen(w) > 100) { fprintf(f, "\n%*s", 15 + (int)strlen(c->name), ""); col = 15 + (int)strlen(c->name); }
        fputs(w, f);
        col += (int)strlen(w);
    }
    fputs("\n\noptions (--opt VALUE or --opt=VALUE):\n", f);
    for (const opt_def *o = c->opts;; o++) {
        char w[64];
        snprintf(w, sizeof w, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-24s %s%s\n", w, o->help, o->required ? " (required)" : "");
        if (o->id == O_HELP) break;
    }
    if (c->notes) fprintf(f, "\n%s", c->notes);
    fprintf(f, "\n%s", EXIT_CODES);
    if (!strcmp(c->name, "group")) fputs(EXIT_EXPLAIN, f);
}

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
    gen_interrupt = 1;
}

typedef struct {
    const char *config, *input, *out, *scheme, *explain, *stage, *timings, *xlsx, *csv, *tables;
    const char *month, *year;   /* month --month, clear --year */
    long long cases, history_cases;
    unsigned long long seed;
    int has_cases, has_history_cases, has_seed;
    double bad_rows;
    double plant;            /* gen --plant SHARE (0: none) */
    int has_bad_rows;
    int threads, quiet;
    const char *scenario[32];   /* simulate --scenario NAME ... */
    int fees;                   /* gen --fees */
    int partial;                /* clear --partial */
    int reopen;                 /* month --reopen */
    int regions;                /* gen --regions N (0: one region) */
    int nscenario;
} cli;

/* The option of command c named by arg (the part before any '='), or NULL. */
static const opt_def *find_opt(const cmd_def *c, const char *arg)
{
    size_t n = strcspn(arg, "=");
    if (!strcmp(arg, "-h")) n = 0;
    for (const opt_def *o = c->opts;; o++) {
        if ((n && strlen(o->name) == n && !strncmp(o->name, arg, n)) || (o->id == O_HELP && !strcmp(arg, "-h")))
            return o;
        if (o->id == O_HELP) return NULL;
    }
}

/* 1 when argv asks for the command's help (before any other check). */
static int wants_help(const cmd_def *c, int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        const opt_def *o = find_opt(c, argv[i]);
        if (!o) continue;
        if (o->id == O_HELP) return 1;
        if (o->arg && !strchr(argv[i], '=')) i++;   /* skip its value */
    }
    return 0;
}

/* Parses argv[2..] for command c: 0, or -1 after a message naming the
 * command's help. */

/* A count option (--threads, --regions): a whole number from 1 to max into *out; else the
 * usage message (what, the range, the value, where to look) and -1. */
static int opt_count(const char *cmd, const char *opt, const char *v, long max, const char *note, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 1 || n > max) {
        fprintf(stderr, "casemix %s: %s needs a number from 1 to %ld%s, not '%s'; see casemix %s --help\n", cmd, opt,
                max, note, v, cmd);
        return -1;
    }
    *out = (int)n;
    return 0;
}
static cm_status parse_args(const cmd_def *c, int argc, char **argv, cli *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *k = argv[i];
        const opt_def *o = find_opt(c, k);
        if (!o) {
            size_t n = strcspn(k, "=");
            const cmd_def *other = NULL;
            for (size_t j = 0; j < NCMDS && !other && k[0] == '-'; j++)
                if (&CMDS[j] != c && find_opt(&CMDS[j], k)) other = &CMDS[j];
            if (other)
                fprintf(stderr, "casemix %s: %.*s is not an option of %s (it is one of casemix %s); "
                                "see casemix %s --help\n", c->name, (int)n, k, c->name, other->name, c->name);
            else if (k[0] == '-')
                fprintf(stderr, "casemix %s: unknown option '%.*s'; see casemix %s --help\n", c->name, (int)n, k,
                        c->name);
            else
                fprintf(stderr, "casemix %s: unexpected argument '%s' (options start with --); "
                                "see casemix %s --help\n", c->name, k, c->name);
            return CM_ERR_USAGE;
        }
        const char *eq = strchr(k, '=');
        const char *v = NULL;
        if (!o->arg) {
            if (eq) {
                fprintf(stderr, "casemix %s: %s takes no value; see casemix %s --help\n", c->name, o->name, c->name);
                return CM_ERR_USAGE;
            }
        } else {
            v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!v || !*v) {
                fprintf(stderr, "casemix %s: %s needs a value (%s %s or %s=%s); see casemix %s --help\n", c->name,
                        o->name, o->name, o->arg, o->name, o->arg, c->name);
                return CM_ERR_USAGE;
            }
        }
        char *end = NULL;
        switch (o->id) {
        case O_CONFIG: a->config = v; break;
        case O_INPUT: a->input = v; break;
        case O_OUT: a->out = v; break;
        case O_SCHEME: a->scheme = v; break;
        case O_EXPLAIN: a->explain = v; break;
        case O_STAGE: a->stage = v; break;
        case O_TIMINGS: a->timings = v; break;
        case O_XLSX: a->xlsx = v; break;
        case O_CSV: a->csv = v; break;
        case O_TABLES: a->tables = v; break;
        case O_MONTH: a->month = v; break;
        case O_YEAR: a->year = v; break;

        case O_SCENARIO:
            if (a->nscenario == (int)(sizeof a->scenario / sizeof a->scenario[0])) {
                fprintf(stderr, "casemix %s: at most %d --scenario options\n", c->name, (int)(sizeof a->scenario / sizeof a->scenario[0]));
                return CM_ERR_USAGE;
            }
            a->scenario[a->nscenario++] = v;
            break;
        case O_QUIET: a->quiet = 1; break;
        case O_FEES: a->fees = 1; break;
        case O_PARTIAL: a->partial = 1; break;
        case O_REOPEN: a->reopen = 1; break;
        case O_HELP: break;
        case O_THREADS:
            if (opt_count(c->name, "--threads", v, CM_MAX_THREADS, " (CM_MAX_THREADS)", &a->threads)) return CM_ERR_USAGE;
            break;
        case O_CASES:
        case O_HISTORY_CASES: {
            long long n = strtoll(v, &end, 10);
            int hist = o->id == O_HISTORY_CASES;
            if (*end || n < (hist ? -1 : 0)) {
                fprintf(stderr, "casemix %s: %s needs a whole number >= 0%s, not '%s'; see casemix %s --help\n", c->name,
                        o->name, hist ? " (-1: no history files)" : "", v, c->name);
                return CM_ERR_USAGE;
            }
            if (hist) { a->history_cases = n; a->has_history_cases = 1; }
            else { a->cases = n; a->has_cases = 1; }
            break;
        }
        case O_SEED:
            a->seed = strtoull(v, &end, 10);
            if (*end || v[0] == '-') {
                fprintf(stderr, "casemix %s: --seed needs a whole number, not '%s'; see casemix %s --help\n", c->name, v, c->name);
                return CM_ERR_USAGE;
            }
            a->has_seed = 1;
            break;
        case O_REGIONS:
            if (opt_count(c->name, "--regions", v, GEN_MAX_REGIONS, "", &a->regions)) return CM_ERR_USAGE;
            break;
        case O_PLANT:
            a->plant = strtod(v, &end);
            if (*end || !(a->plant > 0 && a->plant <= 1)) {
                fprintf(stderr, "casemix %s: --plant needs a share above 0 and at most 1, not '%s'; see casemix %s --help\n",
                        c->name, v, c->name);
                return CM_ERR_USAGE;
            }
            break;
        case O_BAD_ROWS:
            a->bad_rows = strtod(v, &end);
            if (*end || !(a->bad_rows >= 0 && a->bad_rows <= 1)) {
                fprintf(stderr, "casemix %s: --bad-rows needs a share from 0 to 1, not '%s'; see casemix %s --help\n", c->name, v,
                        c->name);
                return CM_ERR_USAGE;
            }
            a->has_bad_rows = 1;
            break;
        }
    }
    return CM_OK;
}

static cm_status load_config(const char *path, cm_config *c)
{
    if (!path) {
        fprintf(stderr, "casemix: --config FILE is required (see config/example.cfg)\n");
        return CM_ERR_USAGE;
    }
    cm_cfg_error e;
    memset(&e, 0, sizeof e);
    cm_cfg_status st = cm_config_load(path, c, &e);
    if (st != CM_CFG_OK) {
        if (e.line > 0)
            fprintf(stderr, "%s:%d: %s%s%s\n", e.file, e.line, e.key[0] ? e.key : "", e.key[0] ? ": " : "", e.msg);
        else
            fprintf(stderr, "%s: %s%s%s\n", e.file[0] ? e.file : path, e.key[0] ? e.key : "",
                    e.key[0] ? ": " : "", e.msg);
        fprintf(stderr, "casemix: configuration rejected; nothing was done\n");
        return CM_ERR_CONFIG;
    }
    return 0;
}

static void gen_progress(void *user, int year, int64_t done, int64_t total)
{
    (void)user;
    if (progress_enabled() && total > 0)
        fprintf(stderr, "\rgenerating %d: %5.1f%%%s", year, 100.0 * (double)done / (double)total,
                done >= total ? "\n" : "");
}

/* casemix gen --regions N: a province (bench/gen_province.c) */
static cm_status gen_regions(const cm_config *cfg, const cli *a, const gr_dip *dip, int64_t cases, uint64_t seed,
                             double bad)
{
    char err[1024] = "";
    if (a->fees || a->plant > 0 || (a->has_history_cases && a->history_cases >= 0)) {
        fprintf(stderr, "casemix gen: --regions writes current.csv only; leave out %s (or generate a region alone "
                "without --regions)\n", a->fees ? "--fees" : a->plant > 0 ? "--plant" : "--history-cases");
        return CM_ERR_USAGE;
    }
    gen_province_info *in = malloc(sizeof *in);
    if (!in) { fprintf(stderr, "casemix gen: out of memory\n"); return CM_ERR_NOMEM; }
    if (gen_province_plan(cfg, a->regions, cases, seed, in, err, sizeof err)) {
        fprintf(stderr, "casemix gen: %s\n", err);
        free(in);
        return CM_ERR_USAGE;
    }
    /* before any work: every file it writes replaces only a file gen wrote */
    for (int i = 0; i <= in->n + 2; i++) {
        char path[CM_PATH_MAX + 64];
        const char *head = GEN_CSV_HEADER "\n";
        if (i < in->n) snprintf(path, sizeof path, "%s/%s/current.csv", a->out, in->r[i].code);
        else if (i == in->n) snprintf(path, sizeof path, "%s/province.csv", a->out);
        else {
            snprintf(path, sizeof path, "%s/%s.cfg", a->out, i == in->n + 1 ? "province" : "province-files");
            head = GEN_PROVINCE_CFG_HEADER "\n";
        }
        if (cm_side_check_target(path, head, "--out", err, sizeof err)) {
            fprintf(stderr, "casemix gen: %s\n", err);
            free(in);
            return CM_ERR_OUTPUT;
        }
    }
    if (gen_province(cfg, dip, a->out, in, bad, a->quiet ? NULL : gen_progress, NULL, err, sizeof err)) {
        fprintf(stderr, "casemix gen: %s\n", err);
        free(in);
        return gen_interrupt ? CM_ERR_INTERRUPTED : CM_ERR_OUTPUT;
    }
    if (!a->quiet) {
        printf("casemix gen: a province (省) of %d pooling regions (统筹区), seed %llu (region i: seed + i)\n", in->n,
               (unsigned long long)seed);
        printf("  %-8s %10s %12s %18s  %s\n", "region", "cases", "institutions", "budget (yuan)", "file");
        for (int i = 0; i < in->n; i++) {
            char yb[48];
            printf("  %-8s %10lld %12d %18s  %s/%s/current.csv%s\n", in->r[i].code, (long long)in->r[i].cases,
                   in->r[i].institutions, cm_yuan_text(yb, sizeof yb, in->r[i].budget_fen, 1), a->out, in->r[i].code,
                   in->r[i].level1_override ? "  (level1 = 0.7)" : "");
        }
        printf("  %s/province.csv: %lld rows, every region (column region), %lld bad on purpose (--bad-rows)\n", a->out,
               (long long)in->export_rows, (long long)in->bad);
        printf("  %s/province.cfg: the province configuration (budgets, overrides); settle it:\n", a->out);
        printf("    casemix settle --config %s/province.cfg\n", a->out);
        printf("  %s/province-files.cfg: the same regions, one file each\n", a->out);
        printf("  %.1f MB in %.2f s\n", (double)in->bytes / 1e6, in->seconds);
    }
    free(in);
    return 0;
}

static cm_status cmd_gen(const cm_config *cfg, const cli *a)
{
    if (!a->out) { fprintf(stderr, "casemix gen: --out DIR is required\n"); return CM_ERR_USAGE; }
    gr_dip *dip = NULL;
    gr_error ge;
    memset(&ge, 0, sizeof ge);
    if (gr_dip_load(&cfg->dip, &dip, &ge) != GR_OK) {
        fprintf(stderr, "%s:%ld: %s\n", ge.file, ge.line, ge.msg);
        return CM_ERR_CONFIG;
    }
    int64_t cases = a->has_cases ? a->cases : cfg->gen_cases;
    int64_t hist = a->has_history_cases ? a->history_cases : cfg->gen_history_cases;
    uint64_t seed = a->has_seed ? a->seed : cfg->gen_seed;
    double bad = a->has_bad_rows ? a->bad_rows : cfg->gen_bad_rows;
    char err[1024] = "";
    if (a->regions) {
        cm_status rs = gen_regions(cfg, a, dip, cases, seed, bad);
        gr_dip_free(dip);
        return rs;
    }
    /* before any work: the files gen writes replace only files gen wrote
     * (a real export under the same name is never overwritten) */
    int nyears = hist >= 0 ? 1 + CM_MAX_HISTORY : 1;
    for (int yi = 0; yi < nyears; yi++) {
        char path[CM_PATH_MAX + 64];
        if (yi == 0) snprintf(path, sizeof path, "%s/current.csv", a->out);
        else snprintf(path, sizeof path, "%s/history_%d.csv", a->out, cfg->gen_year - yi);
        if (cm_side_check_target(path, GEN_CSV_HEADER "\n", "--out", err, sizeof err)) {
            fprintf(stderr, "casemix gen: %s\n", err);
            gr_dip_free(dip);
            return CM_ERR_OUTPUT;
        }
    }
    for (int q = 0; a->fees && q < 2; q++) {
        char path[CM_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", a->out, q ? "prices.csv" : "fees.csv");
        if (cm_side_check_target(path, q ? GEN_PRICE_HEADER "\n" : GEN_FEE_HEADER "\n", "--out", err, sizeof err)) {
            fprintf(stderr, "casemix gen: %s\n", err);
            gr_dip_free(dip);
            return CM_ERR_OUTPUT;
        }
    }
    gen_stats st;
    memset(&st, 0, sizeof st);
    int rc = gen_region_ex(cfg, dip, a->out, cases, hist, seed, bad, &st,
                           a->quiet ? NULL : gen_progress, NULL, err, sizeof err);
    if (rc) {
        fprintf(stderr, "casemix gen: %s\n", err);
        gr_dip_free(dip);
        return gen_interrupt ? CM_ERR_INTERRUPTED : CM_ERR_OUTPUT;
    }
    int64_t np = 0; /* the planted rows appended to current.csv */
    if (a->plant > 0) {
        np = gen_plant(a->out, a->plant, st.rows[0], cfg->sup.readmit_days, err, sizeof err);
        if (np < 0) {
            fprintf(stderr, "casemix gen: %s\n", err);
            gr_dip_free(dip);
            return CM_ERR_OUTPUT;
        }
        if (!a->quiet) printf("casemix gen: %lld rows with supervision patterns appended; truth in %s/planted.csv\n",
                              (long long)np, a->out);
    }
    if (!a->quiet) {
        printf("casemix gen: seed %llu, %zu of %zu groups drawable\n", (unsigned long long)seed,
               st.n_drawable, st.n_groups);
        for (int i = 0; i < st.nfiles; i++) {
            if (i == 0) printf("  %s/current.csv: ", a->out);
            else printf("  %s/history_%d.csv: ", a->out, st.year[i]);
            if (i == 0 && np > 0)
                printf("%lld rows (discharge year %d; %lld generated + %lld planted)\n", (long long)(st.rows[0] + np),
                       st.year[0], (long long)st.rows[0], (long long)np);
            else printf("%lld rows (discharge year %d)\n", (long long)st.rows[i], st.year[i]);
        }
        printf("  %.1f MB in %.2f s\n", (double)st.bytes / 1e6, st.seconds);
    }
    if (a->fees) {
        int64_t nl = 0;
        double t0 = now_seconds();
        if (gen_fee_files(a->out, seed, &nl, err, sizeof err)) {
            fprintf(stderr, "casemix gen: %s\n", err);
            gr_dip_free(dip);
            return CM_ERR_OUTPUT;
        }
        if (!a->quiet)
            printf("  %s/fees.csv: %lld item lines (费用明细); %s/prices.csv: demo price table (%.2f s)\n", a->out,
                   (long long)nl, a->out, now_seconds() - t0);
    }
    gr_dip_free(dip);
    return 0;
}

/* ---- casemix group ------------------------------------------------ */

/* One row of the input with the id asked by --explain: its explanation
 * (or the reject) as text, printed in line order after the read. */
typedef struct {
    uint32_t line;
    char *text;
} explain_hit;

typedef struct {
    const gr_dip *dip;
    const gr_drg *drg;
    pl_rejects *rej;
    pl_rejects *qual;           /* [nt] data-quality notes of kept rows */
    const char *explain;
    explain_hit *hits;
    size_t nhits, caphits;
    int nomem;
} group_ctx;

static void add_hit(group_ctx *x, uint32_t line, char *text)
{
#pragma omp critical(explain)
    {
        if (x->nhits == x->caphits) {
            size_t cap = x->caphits ? 2 * x->caphits : 4;
            explain_hit *h = text ? realloc(x->hits, cap * sizeof *h) : NULL;
            if (h) { x->hits = h; x->caphits = cap; }
        }
        if (text && x->nhits < x->caphits) x->hits[x->nhits++] = (explain_hit){line, text};
        else { free(text); x->nomem = 1; }
    }
}

static char *explain_case(const group_ctx *x, const char *id, const cm_case *c, const gr_case *gc)
{
    char head[200];
    int hn = snprintf(head, sizeof head, "case %s (line %u), %s:\n", id, c->line,
                      x->drg ? "CHS-DRG (疾病诊断相关分组)" : "DIP (按病种分值付费)");
    size_t need = x->drg ? gr_drg_explain(x->drg, gc, NULL, 0) : gr_dip_explain(x->dip, gc, NULL, NULL, 0);
    char *t = malloc((size_t)hn + need + 1);
    if (!t) return NULL;
    memcpy(t, head, (size_t)hn);
    if (x->drg) gr_drg_explain(x->drg, gc, t + hn, need + 1);
    else gr_dip_explain(x->dip, gc, NULL, t + hn, need + 1);
    return t;
}

static void group_row(void *vctx, int tid, cm_parser *p, cm_case *c)
{
    group_ctx *x = vctx;
    if (c->status == SLOT_EMPTY) return;
    const char *id = rd_row_id(p, c);
    int asked = x->explain && strcmp(x->explain, id) == 0;
    if (c->status == SLOT_REJECT) {
        pl_reject_add(&x->rej[tid], c->line, id, p->rj_field, p->rj_reason);
        if (asked) {
            char *t = malloc(strlen(id) + strlen(p->rj_reason) + 128);
            if (t)
                sprintf(t, "case %s: rejected on line %u: %s%s%s\n", id, c->line,
                        p->rj_field ? p->rj_field : "", p->rj_field && p->rj_field[0] ? ": " : "", p->rj_reason);
            add_hit(x, c->line, t);
        }
        return;
    }
    if (p->nnotes) pl_notes_add(&x->qual[tid], p, c);
    pl_group_case(x->dip, x->drg, &p->gc, c);
    if (asked) add_hit(x, c->line, explain_case(x, id, c, &p->gc));
}

static int cmp_hit(const void *a, const void *b)
{
    const explain_hit *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* An existing --out of group is replaced only when it is an earlier
 * grouping CSV (its first line is one of the two headers). */
static const char GROUP_HDR_DRG[] = "case_id,line,status,mdc,adrg,drg,cc,reason,quality\n";
static const char GROUP_HDR_DIP[] = "case_id,line,group,group_type,match_path,status,reason,quality\n";

/* The first line of a group CSV of this version, or of an earlier one
 * (the same columns without the trailing quality column). */
static int is_group_header(const char *line)
{
    static const char *const HDR[] = {GROUP_HDR_DRG, GROUP_HDR_DIP};
    size_t n = strcspn(line, "\r\n"), q = strlen(",quality");
    for (int k = 0; k < 2; k++) {
        size_t hn = strlen(HDR[k]) - 1; /* without '\n' */
        if ((n == hn || n == hn - q) && strncmp(line, HDR[k], n) == 0) return 1;
    }
    return 0;
}

static int group_target_ok(const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return 1;
    char first[128] = "";
    FILE *f = S_ISREG(sb.st_mode) ? fopen(path, "r") : NULL;
    if (f) {
        if (!fgets(first, sizeof first, f)) first[0] = '\0';
        fclose(f);
        if (is_group_header(first)) return 1;
    }
    snprintf(err, errlen, "%s: %s, not a casemix group CSV; it was left as it is: pass --out with another "
                          "file name, or remove the file to replace it", path,
             S_ISDIR(sb.st_mode) ? "is a directory" : "is another file (its first line is not a group CSV header)");
    return 0;
}

static cm_status cmd_group(const cm_config *cfg, const cli *a)
{
    if (!a->input || (!a->out && !a->explain)) {
        fprintf(stderr, "casemix group: --input CSV and --out CSV (or --explain CASE_ID) are required; "
                        "see casemix group --help\n");
        return CM_ERR_USAGE;
    }
    int drg_mode = a->scheme && !strcmp(a->scheme, "drg");
    if (!a->scheme || (!drg_mode && strcmp(a->scheme, "dip"))) {
        fprintf(stderr, "casemix group: --scheme dip or --scheme drg is required\n");
        return CM_ERR_USAGE;
    }
    if (drg_mode && !cfg->drg_dir[0]) {
        fprintf(stderr, "%s: drg.tables is not set; point it at a CHS-DRG table folder\n", cfg->path);
        return CM_ERR_CONFIG;
    }
    char err[1024] = "";
    if (a->out && !group_target_ok(a->out, err, sizeof err)) {   /* before any work */
        fprintf(stderr, "casemix: %s\n", err);
        return CM_ERR_OUTPUT;
    }
    gr_dip *dip = NULL;
    gr_drg *drg = NULL;
    struct col_aliases *al = NULL;
    cm_status rc = load_tables(cfg, !drg_mode, drg_mode, &dip, &drg, &al, err, sizeof err);
    if (rc) {
        fprintf(stderr, "casemix: %s\n", err);
        return rc;
    }
    int nt = pl_threads();
    pl_rejects *rejs = calloc((size_t)nt, sizeof *rejs), *quals = calloc((size_t)nt, sizeof *quals);
    group_ctx x = {dip, drg, rejs, quals, a->explain, NULL, 0, 0, 0};
    static const int required[] = {COL_CASE_ID, COL_PDX, -1};
    cm_parse_opts po = {.need = cm_need_columns(CM_RUN_GROUP, !drg_mode, drg_mode), .mismatch = CM_MISMATCH_FLAG,
                        .encoding = rd_encoding_of(cfg->input_encoding)};
    pl_slots s;
    double t0 = now_seconds();
    rc = pl_read(a->input, al, required, &po, group_row, &x, &s, NULL, NULL, NULL, err, sizeof err);
    double t_read = now_seconds() - t0;
    cm_status exitc = CM_OK;
    pl_rejects rej, qual;
    memset(&rej, 0, sizeof rej);
    memset(&qual, 0, sizeof qual);
    if (!rc && (!rejs || !quals)) { snprintf(err, sizeof err, "out of memory"); rc = CM_ERR_NOMEM; }
    if (rc) {
        fprintf(stderr, "casemix: %s\n", rc == CM_ERR_INTERRUPTED ? "interrupted; no output written" : err);
        exitc = rc;
        goto out;
    }
    pl_rejects_merge(rejs, nt, &rej);
    pl_rejects_merge(quals, nt, &qual);
    if (a->explain) {
        if (x.nomem) {
            fprintf(stderr, "casemix: out of memory for the explanation\n");
            exitc = CM_ERR_NOMEM;
            goto out;
        }
        if (x.nhits) qsort(x.hits, x.nhits, sizeof *x.hits, cmp_hit);
        for (size_t i = 0; i < x.nhits; i++) fputs(x.hits[i].text, stdout);
        fflush(stdout);
        if (!x.nhits) {
            fprintf(stderr, "casemix group: case %s is not in %s (%s)\n", a->explain, a->input,
                    "no row has this case id, rejected rows included");
            exitc = CM_NOT_FOUND;
        }
        if (!a->out) goto out;
    }
    char tmp[CM_PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", a->out, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "casemix: %s: cannot write the output; check the directory\n", a->out);
        exitc = CM_ERR_OUTPUT;
        goto out;
    }
    static char obuf[1 << 20];
    setvbuf(f, obuf, _IOFBF, sizeof obuf);
    /* quality: the fields of a kept row treated as missing, with the reason */
    fputs(drg_mode ? GROUP_HDR_DRG : GROUP_HDR_DIP, f);
    size_t rj = 0, qi = 0;
    int64_t ncase = 0, nrej = 0, nblank = 0, nnote = 0;
    for (size_t i = 0; i < s.n; i++) {
        if ((i & 0xFFFF) == 0 && g_interrupted) break;
        const cm_case *c = &s.slots[i];
        if (c->status == SLOT_EMPTY) continue;
        if (c->status == SLOT_REJECT) {
            while (rj < rej.n && rej.e[rj].line < c->line) rj++;
            const cm_reject *e = rj < rej.n ? &rej.e[rj] : NULL;
            csv_put(f, pl_case_id(&s, i));
            fprintf(f, ",%u,%s", c->line, drg_mode ? "REJECTED,0000,00,0000,," : ",,,REJECTED,");
            char why[160];
            snprintf(why, sizeof why, "%s%s%s", e && e->field[0] ? e->field : "", e && e->field[0] ? ": " : "",
                     e ? e->reason : "");
            csv_put(f, why);
            fputs(",\n", f);
            nrej++;
            continue;
        }
        ncase++;
        csv_put(f, pl_case_id(&s, i));
        if (drg_mode) {
            int32_t adrg = c->drg >= 0 ? gr_drg_adrg_of(drg, c->drg) : -1;
            static const char *const CC[] = {"", "CC", "MCC"};
            fprintf(f, ",%u,%s,%s,%s,%s,%s,%s,", c->line, gr_drg_status_name((gr_drg_status)c->drg_status),
                    gr_drg_mdc_code(drg, c->mdc), gr_drg_adrg_code(drg, adrg), gr_drg_code(drg, c->drg),
                    CC[c->cc < 3 ? c->cc : 0], c->drg_why ? gr_drg_why_name((gr_drg_why)c->drg_why) : "");
        } else {
            const gr_dip_group *G = gr_dip_group_at(dip, (size_t)c->group);
            static const char *const TYPES[] = {"comprehensive", "core", "blank"};
            fputc(',', f);
            fprintf(f, "%u,", c->line);
            csv_put(f, G->published);
            fprintf(f, ",%s,%s,%s,%s,", TYPES[G->type < 3 ? G->type : 2], gr_dip_path_name((gr_dip_path)c->path),
                    G->type == GR_DIP_BLANK ? "BLANK" : "OK", gr_dip_why_name((gr_dip_why)c->why));
            nblank += G->type == GR_DIP_BLANK;
        }
        while (qi < qual.n && qual.e[qi].line < c->line) qi++;
        if (qi < qual.n && qual.e[qi].line == c->line) {
            char q[1024];
            size_t ql = 0;
            for (; qi < qual.n && qual.e[qi].line == c->line; qi++)
                ql += (size_t)snprintf(q + ql, ql < sizeof q ? sizeof q - ql : 0, "%s%s: %s", ql ? "; " : "",
                                       qual.e[qi].field, qual.e[qi].reason);
            csv_put(f, q);
            nnote++;
        }
        fputc('\n', f);
    }
    if (g_interrupted) {
        fclose(f);
        remove(tmp);
        fprintf(stderr, "casemix: interrupted; no output written\n");
        exitc = CM_ERR_INTERRUPTED;
        goto out;
    }
    if (fclose(f) != 0 || !group_target_ok(a->out, err, sizeof err) || rename(tmp, a->out) != 0) {
        remove(tmp);
        if (err[0]) fprintf(stderr, "casemix: %s\n", err);
        else fprintf(stderr, "casemix: %s: writing the output failed (disk full?); nothing was left behind\n", a->out);
        exitc = CM_ERR_OUTPUT;
        goto out;
    }
    if (!a->quiet)
        fprintf(stderr, "casemix group: %lld records = %lld grouped + %lld rejected%s; %lld kept with a quality "
                        "note; %.2f s (%.0f records/s); %s\n",
                (long long)(ncase + nrej), (long long)ncase, (long long)nrej,
                drg_mode ? "" : (nblank ? " (some in the blank group KBBZ)" : ""), (long long)nnote, t_read,
                (double)(ncase + nrej) / (t_read > 0 ? t_read : 1), a->out);
out:
    for (size_t i = 0; i < x.nhits; i++) free(x.hits[i].text);
    free(x.hits);
    for (int t = 0; rejs && t < nt; t++) pl_rejects_free(&rejs[t]);
    for (int t = 0; quals && t < nt; t++) pl_rejects_free(&quals[t]);
    free(rejs);
    free(quals);
    pl_rejects_free(&rej);
    pl_rejects_free(&qual);
    pl_slots_free(&s);
    col_aliases_free(al);
    gr_dip_free(dip);
    gr_drg_free(drg);
    return exitc;
}

/* Signals and the HDF5 exit handler, for every command that writes files. */
static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* a file-size limit makes write() fail with EFBIG instead of killing us,
     * so the temporary output is removed and the exit code says why */
    signal(SIGXFSZ, SIG_IGN);
    /* HDF5 1.10 closes still-open files again at exit; after a failed write
     * (disk full) that second close crashes. Files are closed explicitly
     * (h5w_commit / h5w_abort), so the library's exit handler is not needed. */
    H5dont_atexit();
}

static int main_body(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CM_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        if (!strcmp(cmd, "help") && argc > 2) {
            const cmd_def *c = find_cmd(argv[2]);
            if (!c) {
                fprintf(stderr, "casemix help: unknown command '%s'\n\n", argv[2]);
                usage(stderr);
                return CM_EXIT_USAGE;
            }
            cmd_usage(c, stdout);
            return 0;
        }
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
#ifdef _OPENMP
        printf("casemix %s (OpenMP, up to %d threads)\n", CM_VERSION, CM_MAX_THREADS);
#else
        printf("casemix %s (built without OpenMP: one thread)\n", CM_VERSION);
#endif
        return 0;
    }
    const cmd_def *cd = find_cmd(cmd);
    if (!cd) {
        fprintf(stderr, "casemix: unknown command '%s'\n\n", cmd);
        usage(stderr);
        return CM_EXIT_USAGE;
    }
    if (wants_help(cd, argc, argv)) {
        cmd_usage(cd, stdout);
        return 0;
    }
    /* casemix export OUT.h5 ...: the file comes first, without an option */
    const char *positional = NULL;
    if ((!strcmp(cmd, "export") || !strcmp(cmd, "report")) && argc > 2 && argv[2][0] != '-') {
        positional = argv[2];
        for (int i = 2; i + 1 < argc; i++) argv[i] = argv[i + 1];
        argc--;
    }
    cli a;
    cm_status rc = parse_args(cd, argc, argv, &a);
    if (rc) return cm_exit_code(rc);
    if (!strcmp(cmd, "export")) { /* reads a settlement file: no configuration */
        char xerr[256];
        if ((rc = pl_test_settings(xerr, sizeof xerr)) != CM_OK) {
            fprintf(stderr, "casemix: %s\n", xerr);
            return cm_exit_code(rc);
        }
        install_handlers();
        return cm_exit_code(cmd_export(positional, a.xlsx, a.csv, a.tables, a.quiet));
    }
    if (!strcmp(cmd, "report")) { /* reads a casemix file: no configuration */
        char xerr[256];
        if ((rc = pl_test_settings(xerr, sizeof xerr)) != CM_OK) {
            fprintf(stderr, "casemix: %s\n", xerr);
            return cm_exit_code(rc);
        }
        install_handlers();
        return cm_exit_code(cmd_report(positional, a.out, a.quiet));
    }
    if (!strcmp(cmd, "columns")) {
        col_print_aliases(stdout);
        return 0;
    }
    if (!a.config) {
        fprintf(stderr, "casemix %s: --config FILE is required (see config/example.cfg, casemix %s --help)\n", cmd,
                cmd);
        return CM_EXIT_USAGE;
    }
    static cm_config cfg;
    if ((rc = load_config(a.config, &cfg)) != CM_OK) return cm_exit_code(rc);
    if (prov_mpi_rank() > 0 && !(cfg.n_regions > 0 && (strcmp(cmd, "settle") == 0 || strcmp(cmd, "simulate") == 0)))
        return CM_EXIT_OK; /* under mpirun, a province settle or simulate is spread over ranks; rank 0 does the rest */
    if (cfg.n_regions > 0 && strcmp(cmd, "settle") != 0 && strcmp(cmd, "simulate") != 0) {
        fprintf(stderr, "casemix %s: %s is a province configuration (a regions list); only settle and simulate take it: "
                        "use a one-region configuration\n", cmd, a.config);
        return CM_EXIT_CONFIG;
    }
    char terr[256];
    if ((rc = pl_test_settings(terr, sizeof terr)) != CM_OK) {
        fprintf(stderr, "casemix: %s\n", terr);
        return cm_exit_code(rc);
    }
    int threads = a.threads ? a.threads : cfg.threads;
#ifdef _OPENMP
    /* every per-thread array holds CM_MAX_THREADS entries: a larger OpenMP
     * default (OMP_NUM_THREADS=300, a machine with more cores) is clamped */
    if (threads <= 0 && omp_get_max_threads() > CM_MAX_THREADS) threads = CM_MAX_THREADS;
    if (threads > 0) omp_set_num_threads(threads);
#endif
    install_handlers();
    cm_run_opts o = {a.input, a.out, threads, a.quiet, a.timings};
    cm_status st;
    if (!strcmp(cmd, "settle")) st = cmd_settle(&cfg, &o);
    else if (!strcmp(cmd, "bench")) {
        if (!a.stage) { fprintf(stderr, "casemix bench: --stage is required; see casemix bench --help\n"); return CM_EXIT_USAGE; }
        st = cmd_bench(&cfg, a.stage, a.input, a.out, 0, 0);
    } else if (!strcmp(cmd, "calibrate")) st = cmd_calibrate(&cfg, &o);
    else if (!strcmp(cmd, "gen")) st = cmd_gen(&cfg, &a);
    else if (!strcmp(cmd, "month")) st = cmd_month(&cfg, &o, a.month, a.reopen);
    else if (!strcmp(cmd, "clear")) st = cmd_clear(&cfg, &o, a.year, a.partial);

    else if (!strcmp(cmd, "simulate"))
        st = cfg.n_regions > 0 ? cmd_province_simulate(&cfg, &o, a.scenario, a.nscenario)
                               : cmd_simulate(&cfg, &o, a.scenario, a.nscenario);
    else st = cmd_group(&cfg, &a);
    return cm_exit_code(st);
}

int main(int argc, char **argv)
{
    prov_mpi_init(&argc, &argv); /* MPI_Init_thread under make MPI=1; nothing otherwise */
    int rc = main_body(argc, argv);
    prov_mpi_finalize();
    return rc;
}
