/*
 * partition.c - work to ranks by size (province runs over MPI ranks).
 *
 * Longest-processing-time-first (LPT) greedy: items by size, largest first
 * (ties: the lower index), each to the bin with the least total so far
 * (ties: the lower bin). A pure function: every rank computes the same
 * assignment from the same sizes, so no message is needed to agree on it.
 */
#include "scoring.h"

sc_status sc_assign_by_size(const uint64_t *size, int n, int nbins, int *owner, uint64_t *load)
{
    if (n < 0 || nbins < 1 || !load || (n > 0 && (!size || !owner)))
        return SC_ERR_ARG;
    for (int r = 0; r < nbins; r++)
        load[r] = 0;
    for (int i = 0; i < n; i++)
        owner[i] = -1;
    for (int k = 0; k < n; k++) {
        int pick = -1; /* the largest unassigned item, the lower index on ties: O(n^2), n = regions */
        for (int i = 0; i < n; i++)
            if (owner[i] < 0 && (pick < 0 || size[i] > size[pick]))
                pick = i;
        int best = 0;
        for (int r = 1; r < nbins; r++)
            if (load[r] < load[best])
                best = r;
        owner[pick] = best;
        load[best] += size[pick] ? size[pick] : 1; /* an empty item still counts once */
    }
    return SC_OK;
}
