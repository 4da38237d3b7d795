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

/* The largest chunk of region i cut into m: its scenarios' weights spread
 * over m chunks, no less than its heaviest scenario. */
static uint64_t chunk_cost(uint64_t size, uint64_t base_w, uint64_t sum_w, uint64_t max_w, int m)
{
    uint64_t per = (sum_w + (uint64_t)m - 1) / (uint64_t)m;
    if (per < max_w) per = max_w;
    return (size ? size : 1) * (base_w + per);
}

sc_status sc_split_scenarios(const uint64_t *size, const uint64_t *sum_w, const uint64_t *max_w, const int *nscen,
                             int n, int nbins, uint64_t base_w, int *chunks)
{
    if (n < 0 || nbins < 1 || (n > 0 && (!size || !sum_w || !max_w || !nscen || !chunks)))
        return SC_ERR_ARG;
    for (int i = 0; i < n; i++)
        chunks[i] = 1;
    if (nbins == 1)
        return SC_OK;
    for (;;) {
        uint64_t total = 0;
        int big = -1;
        uint64_t bigc = 0;
        for (int i = 0; i < n; i++) {
            uint64_t s = size[i] ? size[i] : 1;
            total += s * (base_w * (uint64_t)chunks[i] + sum_w[i]);
            uint64_t c = chunk_cost(size[i], base_w, sum_w[i], max_w[i], chunks[i]);
            if (big < 0 || c > bigc) {
                big = i;
                bigc = c;
            }
        }
        /* the largest unit within a fair share (total / nbins): cutting more only repeats reads */
        if (big < 0 || bigc * (uint64_t)nbins <= total)
            return SC_OK;
        int lim = nscen[big] < nbins ? nscen[big] : nbins, m = chunks[big] + 1;
        while (m <= lim && chunk_cost(size[big], base_w, sum_w[big], max_w[big], m) >= bigc)
            m++;
        if (m > lim)
            return SC_OK; /* the largest unit cannot get smaller: more cuts would not shorten the run */
        chunks[big] = m;
    }
}
