/* SPDX-License-Identifier: MIT */
/*
 * run_occupancy: occupancy.csv, the exact time-weighted occupancy distributions of every
 * NIC's resources, pooled over the replications (docs/results.md).
 *
 * Pooling adds the times spent at each value over all replications' windows, so a share is
 * the fraction of all measured time the resource had that many in use. Rows come in a fixed
 * order (NIC, resource, value ascending), so equal runs give equal bytes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_result.h"

/* Adds the points of src into the ascending list *dst (n entries, capacity cap). */
static void pool_into(struct run_occ_point **dst, size_t *n, size_t *cap,
                      const struct run_occ *src)
{
    for (size_t j = 0; j < src->n; j++) {
        const struct run_occ_point *p = &src->v[j];
        size_t lo = 0, hi = *n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if ((*dst)[mid].in_use < p->in_use)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < *n && (*dst)[lo].in_use == p->in_use) {
            (*dst)[lo].time_ns += p->time_ns;
            continue;
        }
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            *dst = dms_xrealloc(*dst, *cap * sizeof **dst);
        }
        memmove(*dst + lo + 1, *dst + lo, (*n - lo) * sizeof **dst);
        (*dst)[lo] = *p;
        (*n)++;
    }
}

void run_occupancy_pool(const struct run_rep *reps, size_t n_reps, size_t nic,
                        enum run_occ_resource r, struct run_occ *out)
{
    size_t cap = 0;
    *out = (struct run_occ){0};
    for (size_t k = 0; k < n_reps; k++) {
        pool_into(&out->v, &out->n, &cap, &reps[k].nics[nic].occ[r]);
        out->total_ns += reps[k].nics[nic].occ[r].total_ns;
    }
}

char *run_occupancy_csv(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    fputs("nic,resource,in_use,time_ns,time_share\n", f);
    for (size_t i = 0; i < sc->n_nics; i++) {
        for (int r = 0; r < RUN_OCC_COUNT; r++) {
            struct run_occ o;
            run_occupancy_pool(reps, n, i, (enum run_occ_resource)r, &o);
            for (size_t j = 0; j < o.n; j++)
                fprintf(f, "%s,%s,%lld,%lld,%.9g\n", sc->nics[i].name,
                        run_occ_name((enum run_occ_resource)r), (long long)o.v[j].in_use,
                        (long long)o.v[j].time_ns,
                        (double)o.v[j].time_ns / (double)o.total_ns);
            free(o.v);
        }
    }
    if (fclose(f) != 0)
        abort();
    return buf;
}
