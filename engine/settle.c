/*
 * settle.c - casemix settle: the DIP and/or CHS-DRG settlement of a period.
 *
 *   build the period (period.c: load, read+group, set checks, the period's
 *   partials), run the baseline scenario on it (score.c: scores, outlier
 *   classes, special review, DRG points; pay.c: partials per slice, point
 *   values, payments), write (write.c: HDF5 and the rejects CSV), summarize
 *   (summary.c). engine/period.h: the period and scenario structs.
 * Every sum is an integer, so the bytes do not depend on the thread count.
 */
#include "period.h"
#include "h5out.h"
#include "indicators.h"
#include "rejects.h"
#include "supervise.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

void iso_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The start of a --timings file: what marks one casemix wrote. */
#define TIMINGS_HEAD "{\"stage\":\"settle\""

/* The stages of one settlement (casemix settle, and each region of a
 * province run): the institution targets (before any work), the period
 * (with the supervision facts when supervision.enabled), the baseline
 * scenario, the case rules (supervise.c) and the institution indicators
 * and rating (indicators.c) from their masks. ind is the caller's
 * (ind_free); sn->ind points at it when the indicators ran. */
cm_status settle_stages(cm_period *st, cm_scenario *sn, cm_indicators *ind, const cm_config *cfg, const char *input,
                        int quiet, char *err, size_t errlen)
{
    cm_status rc = ind_load_targets(ind, cfg, err, errlen); /* supervision.targets, before any work */
    if (!rc) rc = sv_check_previous(cfg, input, err, errlen);
    if (!rc) rc = period_build_sup(st, cfg, input, quiet, cfg->sup_enabled, err, errlen);
    if (!rc && st->sup) rc = sv_cross(st->sup, st, err, errlen); /* R01-R05 before payment: R05 not paid */
    if (!rc) rc = sn_run(sn, st, cfg, SN_IN_SLOTS, err, errlen);
    if (!rc && st->sup) rc = sv_run(st->sup, st, sn, err, errlen); /* supervision (稽核) */
    if (!rc && st->sup) { /* institution indicators and rating from the rules' masks */
        bool ev[13];
        const uint8_t *e = sv_evaluated(st->sup);
        for (int r = 0; r < 13; r++) ev[r] = e && e[r];
        rc = ind_run(ind, st, sn, sv_rule_mask(st->sup), ev, sv_low_risk(st->sup), err, errlen);
        if (!rc) sn->ind = ind;
    }
    return rc;
}

cm_status cmd_settle(const cm_config *cfg, const cm_run_opts *o)
{
    if (cfg->n_regions > 0) return cmd_province(cfg, o); /* a province configuration (regions list) */
    const double t_begin = now_seconds(); /* --timings: wall_seconds, the whole command */
    char err[1024] = "", t_start[32], rejects_csv[CM_PATH_MAX + 32];
    static cm_period p0;    /* static: the period is large, and one per process */
    static cm_scenario s0;
    cm_period *st = &p0;
    cm_scenario *sn = &s0;
    memset(st, 0, sizeof *st);
    memset(sn, 0, sizeof *sn);
    iso_now(t_start, sizeof t_start);
    const char *input = o->input ? o->input : cfg->input_file;
    const char *output = o->output ? o->output : cfg->output_file;
    if (!input[0]) { fprintf(stderr, "casemix: no input: pass --input FILE or set input.records\n"); return CM_ERR_USAGE; }
    if (!output[0]) { fprintf(stderr, "casemix: no output: pass --out FILE.h5 or set output.file\n"); return CM_ERR_USAGE; }
    if (cm_side_path(output, ".rejects.csv", rejects_csv, sizeof rejects_csv)) {
        fprintf(stderr, "casemix: %s: output path too long\n", output);
        return CM_ERR_USAGE;
    }
    /* before any work: the output, its rejects file and --timings never replace a file casemix did
     * not write for this purpose (a timings file is a JSON line starting as below) */
    if (h5w_check_target(output, H5_KIND_SETTLEMENT, err, sizeof err) ||
        cm_side_check_target(rejects_csv, RJ_CSV_HEADER, "--out", err, sizeof err) ||
        (o->timings && cm_side_check_target(o->timings, TIMINGS_HEAD, "--timings", err, sizeof err))) {
        fprintf(stderr, "casemix: %s\n", err);
        return CM_ERR_OUTPUT;
    }
    static cm_indicators ind; /* institution indicators and rating (indicators.c) */
    cm_status rc = settle_stages(st, sn, &ind, cfg, input, o->quiet, err, sizeof err);
    if (!rc && g_interrupted) rc = CM_ERR_INTERRUPTED;
    double t_write = 0;
    if (!rc) {
        double t4 = now_seconds();
        rc = settle_write(st, sn, output, rejects_csv, t_start, err, sizeof err);
        t_write = now_seconds() - t4;
    }
    if (rc) {
        if (rc == CM_ERR_INTERRUPTED) fprintf(stderr, "casemix: interrupted; no output written\n");
        else fprintf(stderr, "casemix: %s\n", err[0] ? err : "failed");
        if (rc == CM_ERR_CONFIG) fprintf(stderr, "casemix: nothing was done\n");
    } else if (!o->quiet) {
        char d0[12], d1[12]; /* the discharge dates against the period label (as casemix month does) */
        period_dates_check(st, input, cfg->period, "period", d0, d1);
        settle_summary(st, sn, output, rejects_csv, t_write);
        if (st->sup) sv_summary(st->sup, stdout);
        if (st->sup) ind_summary(st, &ind);
        if (st->sup) { /* where an auditor finds the evidence */
            char rp[PATH_MAX];
            printf("  details          /flags (rule, related case id, figure, threshold), /rules, /review_sample, "
                   "/indicators; in Excel / WPS: casemix export %s --xlsx FILE.xlsx\n",
                   realpath(output, rp) ? rp : output);
        }
    }
    if (!rc && !o->quiet && st->n_inst_untabled)
        fprintf(stderr, "casemix: note: %zu institution(s) with cases are not in the institution table %s "
                        "(input.institutions): %s%s; their rows' own level is used\n",
                st->n_inst_untabled, cfg->input_institutions, st->untabled_ids, st->n_inst_untabled > 5 ? ", ..." : "");
    if (!rc && o->timings) {
        FILE *f = fopen(o->timings, "w");
        struct stat sb;
        long long out_bytes = stat(output, &sb) == 0 ? (long long)sb.st_size : -1;
        double checks = st->t_checks + sn->t_score + sv_seconds(st->sup) + (st->sup ? ind.t : 0); /* + indicators */
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                     ru.ru_stime.tv_usec / 1e6;
        if (f) {
            fprintf(f, TIMINGS_HEAD ",\"threads\":%d,\"records\":%lld,\"in_bytes\":%llu,"
                       "\"out_bytes\":%lld,\"load\":%.4f,\"read_group\":%.4f,\"checks\":%.4f,"
                       "\"pay\":%.4f,\"write\":%.4f,\"seconds\":%.4f,\"peak_rss_kb\":%ld,"
                       "\"wall_seconds\":%.4f,\"cpu_seconds\":%.4f}\n",
                    st->nt, (long long)st->records, (unsigned long long)st->input_size, out_bytes, st->t_load,
                    st->t_read, checks, sn->t_pay, t_write,
                    st->t_load + st->t_read + checks + sn->t_pay + t_write, peak_rss_kb(), now_seconds() - t_begin,
                    cpu);
            if (fclose(f) != 0) f = NULL;
        }
        if (!f) {
            fprintf(stderr, "casemix: %s: cannot write the timings (%s); the settlement itself is written\n",
                    o->timings, strerror(errno));
            rc = CM_ERR_OUTPUT;
        }
    }
    ind_free(&ind);
    sn_free(sn);
    period_free(st);
    return rc;
}
