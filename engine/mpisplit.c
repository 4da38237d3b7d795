/*
 * mpisplit.c - a pooling region (统筹区) too large for one MPI rank, split
 * over every rank (mpi.split_bytes; README "Province runs", "Scale";
 * docs/METHODS.md §13). Called by the province driver (province.c,
 * split_settle) for the regions larger than mpi.split_bytes that read the
 * shared export.
 *
 * The design (issue 15): the region's rows are cut into contiguous parts
 * (rank order = the order of the parts = input order); every rank reads,
 * parses and groups its part (the expensive stage). What happens next:
 *
 *   today (the gather path): each part is sent whole to the region's owner
 *     (slots 96 B a row, institutions, rejects, notes, long case ids,
 *     supervision facts), which appends the parts in order and settles as
 *     one process: identity by construction, but the region must fit in
 *     the owner's memory.
 *   the reductions design (not built yet; see the plan at the end of this
 *     comment): every rank keeps its rows; the aggregates of the settlement
 *     are per-rank partials gathered to every rank and merged in rank order
 *     by the merge the threads use (integer sums; the slice partials of
 *     pay.c and period.c), the decisions that need every case made on the
 *     reduced data, /cases written by the ranks in turn.
 *
 * Plan for the reductions design (what the code of the single process
 * needs, from reading period.c, score.c, pay.c, write.c):
 *   - partial slices are global (2^SLICE_SHIFT slots of the region) and
 *     group_sumsq / drg_sumsq are doubles summed per slice in slot order:
 *     a slice crossing two parts must be summed by one rank (the parts are
 *     cut at slice boundaries: part q = slices [q*ns/P, (q+1)*ns/P), the
 *     row boundaries found by counting records, as split_part does now) so
 *     each slice's partial is bit-identical; the ranks' slice partials are
 *     then gathered (MPI_Allgatherv, rank order = slice order) and merged
 *     with the unchanged per-slice loop;
 *   - duplicate case ids: a hash exchange (8 B a case: the id hash to the
 *     rank of hash mod P, the duplicates' lines back);
 *   - institutions: each rank's sorted list (id, first line, level) gathered
 *     and merged (earliest line wins, as pl_inst_get), one global order;
 *   - the special-review cap and the largest remainders (institution
 *     payments, case payments in institution slot order): integer partials
 *     per institution gathered; the apportionment on every rank from the
 *     reduced table, each rank keeping its cases' shares (the remainders of
 *     an institution's cases need its cases' order over ranks: rank order);
 *   - supervision: the facts (16 B a case) shuffled by patient hash for the
 *     cross-case join, the flags sent back to the rank holding the case;
 *   - /cases and the per-case tables written by the ranks in turn into the
 *     owner's file (chunks aligned to the parts' boundaries or re-chunked by
 *     the owner), so the file stays complete or absent.
 */
#include "mpisplit.h"
#include "provsim.h"
#include "supervise.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef CM_MPI
#include <fcntl.h>
#include <sys/mman.h>
#endif

double g_t_split_wait = 0, g_t_split_xfer = 0;
/* Slots of the split regions, for --timings (split_stats_json): the most slots this rank held at
 * once for a split region (a helper: its part's; the owner: the whole region's, the gather
 * path), the slots this rank's reads of parts produced (summed over the split regions), and on
 * the owners the largest split region's slots and the sum of the split regions' slots. */
#ifdef CM_MPI
static uint64_t g_split_slots_held = 0, g_split_slots_read = 0, g_split_slots_region = 0, g_split_slots_total = 0;
#endif

/* ------------------------------------------------------------------ */
/* A region split over the ranks (mpi.split_bytes; README "Scale")     */
/* ------------------------------------------------------------------ */
/*
 * A region whose input is larger than mpi.split_bytes is read by every
 * rank: its rows are cut into g_size contiguous parts at record boundaries
 * (the quote-aware scan of prov_split, from the same bytes on every rank),
 * part 0 to the region's owner, parts 1.. to the other ranks in rank order.
 * A rank's part file is the header and the part's rows byte for byte; the
 * rank reads it with the reader's line offset (rd_set_line_offset: the
 * physical lines of the region file before the part) and the region's line
 * map (prov_line_map_use: region-file line -> export line), so its cases,
 * rejects and notes carry the export's line numbers and it holds slots for
 * its own rows only. (Until 2026-12 the part file was padded with one empty
 * line per line before the part: one empty 96-byte slot each, so the rank
 * of the last part held as many slots as the whole region.) Each rank
 * reads and groups its part (the expensive stage); the owner's read hook
 * then receives the other parts in part order and appends them: the slots
 * (slot k is then the k-th record of the region file, as in the
 * one-process read), the institutions (each part's own sorted list, put
 * into the owner's first thread table: the earliest line wins as in
 * pl_inst_get), rejects, data-quality notes, long case ids, the exact
 * buckets, the supervision facts and read-stage flags, and the discharge
 * range. From there the owner's period is the one a one-process read would
 * have built, and everything after the read (the set checks: duplicate
 * case ids, institution order; the partials per slice; scores, special
 * review, point values, the largest remainders; supervision; the tables)
 * runs unchanged on the owner: the region's bytes are those of the unsplit
 * run by construction. Not split (settled whole by its owner): a region
 * reading its own file (its encoding could be GB18030; the province's split
 * files are UTF-8), and every region of a one-rank run.
 */
#ifdef CM_MPI

#define SPLIT_TAG 1000000   /* tags SPLIT_TAG + 16 * part + k: apart from the rows' 3 * region + k */

typedef struct {
    int64_t status;          /* cm_status of the part's read; not CM_OK: only err follows */
    uint64_t n;              /* slots of the part's records */
    uint64_t ninst, nrej, nqual, nlid, lid_text, nbig;
    uint64_t side, nflag, flag_elem; /* supervision: fact bytes a slot, read-stage flags */
    int64_t dis_min, dis_max;
    char err[512];
} split_head;

typedef struct {
    int owner, part, nparts; /* part: this rank's; 0 is the owner's */
    uint64_t line0;          /* lines of the region file before this rank's part (after the header) */
    uint64_t region_size;    /* bytes of the region's file (the owner's input_size) */
    int ran;                 /* the hook ran on this rank */
    double t_hook0, t_hook1; /* the owner's hook: start, end */
} split_ctx;

static int split_rank_of(int part, int owner) { return part == 0 ? owner : part <= owner ? part - 1 : part; }
static int split_part_of(int rank, int owner) { return rank == owner ? 0 : rank < owner ? rank + 1 : rank; }

/* MPI counts are int: big buffers in pieces of 1 GiB. */
static void send_big(const void *b, uint64_t bytes, int dest, int tag)
{
    const char *p = b;
    do {
        int k = bytes > (1u << 30) ? (1 << 30) : (int)bytes;
        MPI_Send(p, k, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
        p += k;
        bytes -= (uint64_t)k;
    } while (bytes);
}
/* into b, or into a scratch buffer (the bytes dropped) when b is NULL */
static void recv_big(void *b, uint64_t bytes, int src, int tag)
{
    char scratch[1 << 16];
    char *p = b;
    do {
        uint64_t cap = p ? (1u << 30) : sizeof scratch;
        int k = bytes > cap ? (int)cap : (int)bytes;
        MPI_Recv(p ? p : scratch, k, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (p) p += k;
        bytes -= (uint64_t)k;
    } while (bytes);
}

/* Part q of nparts of the region file in, written to out (see above); *line0: the lines before it. */
static cm_status split_part(const char *in, int nparts, int q, const char *out, uint64_t *line0, uint64_t *fsize,
                            char *err, size_t errlen)
{
    int fd = open(in, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(err, errlen, "%s: cannot read the region's rows (%s)", in, strerror(errno));
        if (fd >= 0) close(fd);
        return CM_ERR_INPUT;
    }
    size_t size = (size_t)sb.st_size;
    *fsize = size;
    const char *m = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
    close(fd);
    if (m == MAP_FAILED) { snprintf(err, errlen, "%s: cannot map the region's rows (%s)", in, strerror(errno)); return CM_ERR_INPUT; }
    size_t pos = 0;
    for (int qt = 0; pos < size; pos++) { /* the header, as prov_split */
        if (m[pos] == '"') qt = !qt;
        else if (m[pos] == '\n' && !qt) { pos++; break; }
    }
    size_t h = pos, body = size - h;
    size_t t0 = h + (size_t)((unsigned __int128)body * (unsigned)q / (unsigned)nparts);
    size_t t1 = h + (size_t)((unsigned __int128)body * (unsigned)(q + 1) / (unsigned)nparts);
    size_t c0 = q == 0 ? h : SIZE_MAX, c1 = q == nparts - 1 ? size : SIZE_MAX;
    uint64_t nl = 0, nl0 = 0;
    while (pos < size && (c0 == SIZE_MAX || c1 == SIZE_MAX)) { /* pos: a record's start */
        if (c0 == SIZE_MAX && pos >= t0) { c0 = pos; nl0 = nl; }
        if (c1 == SIZE_MAX && pos >= t1) c1 = pos;
        if (c1 != SIZE_MAX && c0 != SIZE_MAX) break;
        const char *e = memchr(m + pos, '\n', size - pos); /* a record without '"' ends at its newline */
        if (e && !memchr(m + pos, '"', (size_t)(e - (m + pos)))) {
            nl++;
            pos = (size_t)(e - m) + 1;
            continue;
        }
        for (int qt = 0; pos < size; pos++) {
            char ch = m[pos];
            if (ch == '"') qt = !qt;
            else if (ch == '\n') {
                nl++;
                if (!qt) { pos++; break; }
            }
        }
    }
    if (c0 == SIZE_MAX) { c0 = size; nl0 = nl; }
    if (c1 == SIZE_MAX) c1 = size;
    *line0 = nl0;
    cm_status st = CM_OK;
    FILE *f = fopen(out, "w");
    if (!f || fwrite(m, 1, h, f) != h || fwrite(m + c0, 1, c1 - c0, f) != c1 - c0) st = CM_ERR_OUTPUT;
    if (f && fclose(f) != 0) st = CM_ERR_OUTPUT;
    if (st) snprintf(err, errlen, "%s: cannot write a part of the region's rows (%s)", out, strerror(errno));
    if (size) munmap((void *)m, size);
    return st;
}

/* A helper rank's hook: its part (institution indices into its own sorted
 * list, slots from the first record on) to the owner; then the build stops
 * (CM_NOT_FOUND: nothing more to do here). */
static cm_status split_send(cm_period *p, void *vctx, char *err, size_t errlen)
{
    split_ctx *x = vctx;
    x->ran = 1;
    double t = now_seconds();
    int to = x->owner, tag = SPLIT_TAG + 16 * x->part;
    split_head hd;
    memset(&hd, 0, sizeof hd);
    pl_inst *list = NULL;
    size_t nl = 0;
    uint32_t *remap[CM_MAX_THREADS] = {0};
    pl_rejects rj = {0}, qu = {0};
    if (pl_inst_merge(p->itab, p->nt, &list, &nl, remap) || pl_rejects_merge(p->rejs, p->nt + 1, &rj) ||
        pl_rejects_merge(p->quals, p->nt, &qu)) {
        hd.status = CM_ERR_NOMEM;
        snprintf(hd.err, sizeof hd.err, "rank %d: out of memory", g_rank);
    }
    cm_case *sl = p->s.slots;
    hd.n = p->s.n;
    if (p->s.n > g_split_slots_held) g_split_slots_held = p->s.n;
    g_split_slots_read += p->s.n;
    for (uint64_t i = 0; !hd.status && i < hd.n; i++)
        if (sl[i].status == SLOT_CASE) sl[i].inst = remap[sl[i].inst >> 24][sl[i].inst & 0xFFFFFF];
    size_t tl = 0;
    for (size_t k = 0; k < p->s.nlid; k++) {
        size_t e = p->s.lid[k].off + strlen(p->s.lid_text + p->s.lid[k].off) + 1;
        if (e > tl) tl = e;
    }
    hd.ninst = nl; hd.nrej = rj.n; hd.nqual = qu.n; hd.nlid = p->s.nlid; hd.lid_text = tl; hd.nbig = p->s.nbig;
    hd.dis_min = p->discharge_min; hd.dis_max = p->discharge_max;
    void *fl = NULL;
    size_t nfl = 0, fel = 0;
    hd.side = p->s.side_size;
    if (!hd.status && p->sup && sv_part_flags(p->sup, 0, &fl, &nfl, &fel)) {
        hd.status = CM_ERR_NOMEM;
        snprintf(hd.err, sizeof hd.err, "rank %d: out of memory", g_rank);
    }
    hd.nflag = nfl; hd.flag_elem = fel;
    MPI_Send(&hd, (int)sizeof hd, MPI_BYTE, to, tag, MPI_COMM_WORLD);
    if (!hd.status) {
        if (hd.n) send_big(sl, hd.n * sizeof *sl, to, tag + 1);
        if (nl) send_big(list, nl * sizeof *list, to, tag + 2);
        if (rj.n) send_big(rj.e, rj.n * sizeof *rj.e, to, tag + 3);
        if (qu.n) send_big(qu.e, qu.n * sizeof *qu.e, to, tag + 4);
        if (hd.nlid) { send_big(p->s.lid, hd.nlid * sizeof *p->s.lid, to, tag + 5); send_big(p->s.lid_text, tl, to, tag + 6); }
        if (hd.nbig) send_big(p->s.big, hd.nbig * sizeof *p->s.big, to, tag + 7);
        if (hd.side && hd.n) send_big(p->s.side, hd.n * hd.side, to, tag + 8);
        if (nfl) send_big(fl, nfl * fel, to, tag + 9);
    }
    free(fl);
    for (int k = 0; k < CM_MAX_THREADS; k++) free(remap[k]);
    free(list);
    pl_rejects_free(&rj);
    pl_rejects_free(&qu);
    g_t_comm += now_seconds() - t;
    if (hd.status) { snprintf(err, errlen, "%s", hd.err); return (cm_status)hd.status; }
    return CM_NOT_FOUND;
}

/* Appends n entries of src to r (its own array, grown). */
static int rj_append(pl_rejects *r, const cm_reject *src, size_t n)
{
    if (!n) return 0;
    if (r->n + n > r->cap) {
        size_t nc = r->n + n;
        cm_reject *e = realloc(r->e, nc * sizeof *e);
        if (!e) return -1;
        r->e = e;
        r->cap = nc;
    }
    memcpy(r->e + r->n, src, n * sizeof *src);
    r->n += n;
    return 0;
}

/* The owner's receive of part q into p (NULL, or after a failure: received and dropped). */
static cm_status split_recv_part(cm_period *p, int q, int owner, char *err, size_t errlen)
{
    int from = split_rank_of(q, owner), tag = SPLIT_TAG + 16 * q;
    split_head hd;
    MPI_Request rq; /* the head comes when the part is read: wait without spinning */
    double t0 = now_seconds();
    MPI_Irecv(&hd, (int)sizeof hd, MPI_BYTE, from, tag, MPI_COMM_WORLD, &rq);
    wait_req(&rq);
    double t1 = now_seconds();
    g_t_split_wait += t1 - t0;
    if (hd.status) {
        if (p) snprintf(err, errlen, "%s", hd.err);
        return (cm_status)hd.status;
    }
    cm_status st = p ? CM_OK : CM_ERR_INTERNAL; /* p NULL: everything received and dropped */
    size_t base = p ? p->s.n : 0;
    cm_case *dst = p && hd.n ? pl_slots_grow(&p->s, hd.n) : NULL;
    if (p && hd.n && !dst) st = CM_ERR_NOMEM;
    if (hd.n) recv_big(st ? NULL : dst, hd.n * sizeof(cm_case), from, tag + 1);
    pl_inst *list = hd.ninst ? malloc(hd.ninst * sizeof *list) : NULL;
    uint32_t *map = hd.ninst ? malloc(hd.ninst * sizeof *map) : NULL;
    if (hd.ninst && (!list || !map)) st = CM_ERR_NOMEM;
    if (hd.ninst) recv_big(st ? NULL : list, hd.ninst * sizeof *list, from, tag + 2);
    for (size_t k = 0; !st && p && k < hd.ninst; k++) {
        int32_t li = pl_inst_get(&p->itab[0], list[k].id, list[k].first_line, list[k].level);
        if (li < 0) st = CM_ERR_NOMEM;
        else map[k] = (uint32_t)li; /* thread 0's table: (0 << 24) | li */
    }
    for (size_t i = 0; !st && p && i < hd.n; i++)
        if (dst[i].status == SLOT_CASE) dst[i].inst = map[dst[i].inst];
    free(list);
    free(map);
    uint64_t nr[2] = {hd.nrej, hd.nqual};
    for (int k = 0; k < 2; k++) {
        if (!nr[k]) continue;
        cm_reject *e = st ? NULL : malloc(nr[k] * sizeof *e);
        if (!e) st = st ? st : CM_ERR_NOMEM;
        recv_big(e, nr[k] * sizeof(cm_reject), from, tag + 3 + k);
        if (!st && p && rj_append(k ? &p->quals[0] : &p->rejs[0], e, nr[k])) st = CM_ERR_NOMEM;
        free(e);
    }
    if (hd.nlid) {
        size_t tl = 0;
        for (size_t k = 0; p && k < p->s.nlid; k++) {
            size_t e = p->s.lid[k].off + strlen(p->s.lid_text + p->s.lid[k].off) + 1;
            if (e > tl) tl = e;
        }
        cm_long_id *lid = st ? NULL : realloc(p->s.lid, (p->s.nlid + hd.nlid) * sizeof *lid);
        if (lid) p->s.lid = lid;
        char *text = st || !lid ? NULL : realloc(p->s.lid_text, tl + hd.lid_text);
        if (text) p->s.lid_text = text;
        if (!st && (!lid || !text)) st = CM_ERR_NOMEM;
        recv_big(st ? NULL : lid + p->s.nlid, hd.nlid * sizeof *lid, from, tag + 5);
        recv_big(st ? NULL : text + tl, hd.lid_text, from, tag + 6);
        for (size_t k = 0; !st && k < hd.nlid; k++) {
            lid[p->s.nlid + k].slot += base;
            lid[p->s.nlid + k].off += tl;
        }
        if (!st) p->s.nlid += hd.nlid;
    }
    if (hd.nbig) {
        cm_big *big = st ? NULL : realloc(p->s.big, (p->s.nbig + hd.nbig) * sizeof *big);
        if (big) p->s.big = big;
        if (!st && !big) st = CM_ERR_NOMEM;
        recv_big(st ? NULL : big + p->s.nbig, hd.nbig * sizeof *big, from, tag + 7);
        for (size_t k = 0; !st && k < hd.nbig; k++) big[p->s.nbig + k].slot += base;
        if (!st) p->s.nbig += hd.nbig;
    }
    if (hd.side && hd.n) {
        if (p && p->s.side_size != hd.side) st = st ? st : CM_ERR_INTERNAL;
        recv_big(st ? NULL : p->s.side + base * hd.side, hd.n * hd.side, from, tag + 8);
    }
    if (hd.nflag) {
        void *fl = st || (p && !p->sup) ? NULL : malloc(hd.nflag * hd.flag_elem);
        if (!fl) st = st ? st : CM_ERR_NOMEM;
        recv_big(fl, hd.nflag * hd.flag_elem, from, tag + 9);
        if (!st && sv_part_add(p->sup, fl, hd.nflag, base)) st = CM_ERR_NOMEM;
        free(fl);
    }
    if (!st && p && hd.dis_max >= 0) {
        if (p->discharge_min < 0 || hd.dis_min < p->discharge_min) p->discharge_min = (int32_t)hd.dis_min;
        if (hd.dis_max > p->discharge_max) p->discharge_max = (int32_t)hd.dis_max;
    }
    g_t_split_xfer += now_seconds() - t1;
    if (!p) return CM_OK;
    if (st) snprintf(err, errlen, "out of memory for the rows of rank %d", from);
    return st;
}

/* The owner's hook: parts 1.. appended in part order (all of them received, even after a failure). */
static cm_status split_recv(cm_period *p, void *vctx, char *err, size_t errlen)
{
    split_ctx *x = vctx;
    x->ran = 1;
    double t = now_seconds();
    x->t_hook0 = t;
    g_split_slots_read += p->s.n; /* the owner's own part */
    cm_status st = CM_OK;
    for (int q = 1; q < x->nparts; q++) {
        cm_status r = split_recv_part(st ? NULL : p, q, x->owner, err, errlen);
        if (!st) st = r;
    }
    p->input_size = x->region_size;
    if (p->s.n > g_split_slots_held) g_split_slots_held = p->s.n;
    if (p->s.n > g_split_slots_region) g_split_slots_region = p->s.n;
    g_split_slots_total += p->s.n;
    x->t_hook1 = now_seconds();
    g_t_comm += x->t_hook1 - t;
    return st;
}

/* A helper rank's share of split region i: read and group its part, send it to the owner. */
static cm_status split_help(const cm_config *c, const char *part, split_ctx *x, char *err, size_t errlen)
{
    static cm_period p0;
    cm_period *p = &p0;
    memset(p, 0, sizeof *p);
    x->ran = 0;
    period_set_read_hook(split_send, x);
    rd_set_line_offset(x->line0); /* the part's rows at the region file's lines, without padding slots */
    cm_status st = period_build_ex(p, c, part, 1, c->sup_enabled, NULL, 0, err, errlen);
    rd_set_line_offset(0);
    period_set_read_hook(NULL, NULL);
    if (!x->ran) { /* the read failed before the hook: the owner still waits for this part's head */
        split_head hd;
        memset(&hd, 0, sizeof hd);
        hd.status = st ? st : CM_ERR_INTERNAL;
        snprintf(hd.err, sizeof hd.err, "rank %d: %s", g_rank, err);
        MPI_Send(&hd, (int)sizeof hd, MPI_BYTE, x->owner, SPLIT_TAG + 16 * x->part, MPI_COMM_WORLD);
    }
    period_free(p);
    return st == CM_NOT_FOUND ? CM_OK : st;
}

/* Every split region (see mpisplit.h): cut, read by every rank, settled by its owner. */
cm_status split_settle(cm_status st, cm_config *rc, int n, const int *split, const int *owner, const uint64_t *size,
                       char (*paths)[CM_PATH_MAX + 64], const char *dir, int decoded, const char *export, h5w *w,
                       hid_t grp, const char *output, const char *rejects_csv, const char *t_start, prov_row *rows,
                       pl_rejects *rj, double *t_write, int quiet, int *mine, char *err, size_t errlen)
{
    st = agree(st);
    for (int i = 0; i < n && !st; i++) {
        if (!split[i]) continue;
        cm_config *c = &rc[i];
        split_ctx x = {.owner = owner[i], .part = split_part_of(g_rank, owner[i]), .nparts = g_size};
        char part[CM_PATH_MAX + 96];
        snprintf(part, sizeof part, "%s/%s.part%d.csv", dir, c->region, x.part);
        if (decoded) snprintf(c->input_encoding, sizeof c->input_encoding, "UTF-8");
        double ta = now_seconds(), tw0 = *t_write, ww0 = g_t_split_wait, wx0 = g_t_split_xfer;
        /* every part's rows at the export's lines: the region file's line (offset) through its map */
        cm_status r = prov_line_map_use(paths[i], err, errlen);
        if (!r) r = split_part(paths[i], g_size, x.part, part, &x.line0, &x.region_size, err, errlen);
        double tb = now_seconds();
        if (!g_rank && !quiet)
            fprintf(stderr, "casemix: region %s (%llu bytes > mpi.split_bytes): read by %d ranks, settled by rank %d\n",
                    c->region, (unsigned long long)size[i], g_size, owner[i]);
        if (g_rank == owner[i]) {
            if (!r) {
                period_set_read_hook(split_recv, &x);
                r = settle_region(c, i, part, export, decoded, w, grp, output, rejects_csv, t_start, &rows[i], &rj[i],
                                  t_write, err, errlen);
                period_set_read_hook(NULL, NULL);
            }
            if (!r && !quiet)
                fprintf(stderr, "casemix: region %s split: cut %.2f s, own part read %.2f s, waiting for the "
                                "others %.2f s, receiving %.2f s, settling %.2f s, writing %.2f s\n",
                        c->region, tb - ta, x.t_hook0 - tb, g_t_split_wait - ww0, g_t_split_xfer - wx0,
                        now_seconds() - x.t_hook1 - (*t_write - tw0), *t_write - tw0);
            if (!x.ran) { /* the parts still come: received and dropped */
                char e2[8];
                for (int q = 1; q < g_size; q++) (void)split_recv_part(NULL, q, owner[i], e2, sizeof e2);
            }
        } else if (!r) {
            r = split_help(c, part, &x, err, errlen);
        } else {
            split_head hd; /* the owner waits for this part's head */
            memset(&hd, 0, sizeof hd);
            hd.status = r;
            snprintf(hd.err, sizeof hd.err, "rank %d: %s", g_rank, err);
            MPI_Send(&hd, (int)sizeof hd, MPI_BYTE, owner[i], SPLIT_TAG + 16 * x.part, MPI_COMM_WORLD);
        }
        prov_line_map_drop();
        unlink(part);
        *mine = r != CM_OK;
        st = agree(r);
    }
    return st;
}

/* The split regions' slots and memory for --timings (collective: every rank calls it; the
 * counters are reset): into buf on rank 0 (see mpisplit.h); "" on the other ranks. */
void split_stats_json(char *buf, size_t n)
{
    unsigned long long mine[3] = {(unsigned long long)g_split_slots_held, (unsigned long long)g_split_slots_read,
                                  (unsigned long long)peak_rss_kb()};
    unsigned long long in[2] = {(unsigned long long)g_split_slots_region, (unsigned long long)g_split_slots_total};
    unsigned long long region = 0, total = 0, dummy[3];
    unsigned long long *all = g_rank ? NULL : calloc((size_t)g_size * 3, sizeof *all);
    double t = now_seconds();
    MPI_Allreduce(&in[0], &region, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(&in[1], &total, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    MPI_Gather(mine, 3, MPI_UNSIGNED_LONG_LONG, all ? (void *)all : (void *)dummy, 3, MPI_UNSIGNED_LONG_LONG, 0,
               MPI_COMM_WORLD);
    g_t_comm += now_seconds() - t;
    g_split_slots_held = g_split_slots_read = g_split_slots_region = g_split_slots_total = 0;
    buf[0] = '\0';
    if (g_rank || !all || !n) { free(all); return; }
    static const char *const name[3] = {"split_slots_held", "split_slots_read", "peak_rss_kb_ranks"};
    size_t l = (size_t)snprintf(buf, n, ",\"split_slots_region\":%llu,\"split_slots_total\":%llu", region, total);
    for (int k = 0; k < 3 && l < n; k++) {
        l += (size_t)snprintf(buf + l, n - l, ",\"%s\":[", name[k]);
        for (int r = 0; r < g_size && l < n; r++) l += (size_t)snprintf(buf + l, n - l, "%s%llu", r ? "," : "", all[3 * r + k]);
        if (l < n) l += (size_t)snprintf(buf + l, n - l, "]");
    }
    free(all);
}
#endif
