/* SPDX-License-Identifier: MIT */
/*
 * run_occupancy: occupancy.csv, the exact time-weighted occupancy distributions of every
 * NIC's resources, pooled over the replications (docs/results.md).
 *
 * Pooling (run_occupancy_pool, run_occ.c) adds the times spent at each value over all
 * replications' windows, so a share is the fraction of all measured time the resource had
 * that many in use. Rows come in a fixed
 * order (NIC, resource, value ascending), so equal runs give equal bytes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_result.h"

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
