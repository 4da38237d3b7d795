/*
 * mpisplit.h - internal: between the province driver (engine/province.c)
 * and the driver of a region split over MPI ranks (engine/mpisplit.c).
 * Not a public header: only these two files include it.
 */
#ifndef CASEMIX_MPISPLIT_H
#define CASEMIX_MPISPLIT_H

#include "period.h"
#include "h5out.h"

#include <stdio.h>
#ifdef CM_MPI
#include <mpi.h>
#endif

/* One region's row of /province_summary. */
typedef struct {
    char region[32];
    int64_t records, cases, rejects, cost_fen, fund_fen;
    int64_t budget_fen, pay_fen, drg_budget_fen, drg_pay_fen;
    double point_value, drg_point_value;
    uint64_t slots; /* the slots of the region's read (one a line of its file; --timings region_slots) */
} prov_row;

/* province.c: this process's rank and the number of ranks (0 and 1
 * without MPI); seconds inside MPI calls. */
extern int g_rank, g_size;
extern double g_t_comm;
/* mpisplit.c: an owner of split regions: seconds waiting for the parts'
 * heads (the other ranks' reads) and receiving the parts. */
extern double g_t_split_wait, g_t_split_xfer;

/* province.c: every rank learns the worst status of all (st itself with one rank). */
cm_status agree(cm_status st);
/* province.c: settles region i (settings c, input in) into w's /regions/<code>: its
 * row of /province_summary (x) and a copy of its rejects (rj); *t_write grows by the
 * writing time. */
cm_status settle_region(cm_config *c, int i, const char *in, const char *shown_input, int decoded, h5w *w,
                        hid_t grp, const char *output, const char *rejects_csv, const char *t_start,
                        prov_row *x, pl_rejects *rj, double *t_write, char *err, size_t errlen);
#ifdef CM_MPI
/* province.c: waits for r, sleeping 0.2 ms between tests (no spinning). */
void wait_req(MPI_Request *r);

/* mpisplit.c: the regions with split[i] set (larger than mpi.split_bytes,
 * reading the shared export), each read by every rank and settled by its
 * owner[i] into w's grp (rows[i], rj[i] there); st: the status so far
 * (agreed over the ranks first). Every rank calls it with the same regions.
 * *mine: the failure is this rank's own (it prints err). */
cm_status split_settle(cm_status st, cm_config *rc, int n, const int *split, const int *owner, const uint64_t *size,
                       char (*paths)[CM_PATH_MAX + 64], const char *dir, int decoded, const char *export, h5w *w,
                       hid_t grp, const char *output, const char *rejects_csv, const char *t_start, prov_row *rows,
                       pl_rejects *rj, double *t_write, int quiet, int *mine, char *err, size_t errlen);
/* mpisplit.c: the split regions' slots and memory as JSON members for --timings, into buf on
 * rank 0: ',"split_slots_region":N,"split_slots_total":T,"split_slots_held":[..],
 * "split_slots_read":[..],"peak_rss_kb_ranks":[..]': the largest split region's slots, the sum
 * of the split regions' slots, per rank the most slots it held at once for a split region (the
 * owner: the whole region, the gather path), the slots its reads of parts produced (Σ over the
 * ranks = split_slots_total: every line read once, no padding), its peak resident set. "" on
 * the other ranks. Collective: every rank calls it. */
void split_stats_json(char *buf, size_t n);
#endif

#endif
