/*
 * provsim.h - internal: province.c's helpers that engine/provsim.c (simulate
 * on a province configuration) shares with the province settle.
 */
#ifndef CASEMIX_PROVSIM_H
#define CASEMIX_PROVSIM_H

#include "period.h"

/* Every region's settings rc[0..n), checked before any work (file:line and
 * the region); sharing[i]: region i reads the shared export; *nshare counts them. */
cm_status prov_load_regions(const cm_config *top, int n, const char *export, cm_config *rc, int *sharing, int *nshare,
                            char *err, size_t errlen);
/* The shared export split into one file per sharing region (paths[i]) in a
 * directory of its own, dir = OUTPUT.regions.tmp.PID (created here; dir[0] = 0
 * when it could not be): the header and the region's rows only, and beside it
 * the line map paths[i].lines (the export's line of each line of the file);
 * rows of no sharing region into unassigned (line, case id, "region",
 * reason); rows_of (NULL or n zeros): the rows written to each region's file.
 * *direct: one region, no region column (the export is its file, nothing
 * written); *decoded: GB18030 decoded. */
cm_status prov_split_export(const char *output, long pid, char *dir, size_t dirsz, const char *export,
                            const cm_config *top, const cm_config *rc, int n, const int *sharing,
                            char (*paths)[CM_PATH_MAX + 64], pl_rejects *unassigned, int *direct, int *decoded,
                            uint64_t *rows_of, char *err, size_t errlen);
/* A region's split file csv read from now on with the export's line numbers
 * (its line map csv.lines mapped and given to the reader, rd_set_line_map)
 * until prov_line_map_drop; CM_ERR_INPUT with err when the map cannot be read. */
cm_status prov_line_map_use(const char *csv, char *err, size_t errlen);
void prov_line_map_drop(void);
/* Removes the split files paths[0..n) (and their line maps) and their directory dir. */
void prov_remove_split(char (*paths)[CM_PATH_MAX + 64], int n, const char *dir);
/* MPI (make MPI=1): the number of ranks (1 without MPI); the worst status of
 * all ranks (every rank calls it); rank 0's bytes to every rank; the largest
 * v over the ranks. Without MPI or at one rank: st, nothing, v. */
int prov_mpi_size(void);
cm_status prov_agree(cm_status st);
void prov_bcast(void *buf, int bytes);
double prov_max_over_ranks(double v);

#endif
