/* SPDX-License-Identifier: MIT */
/* run_series_csv: series.csv, the time series a run records with --series (docs/results.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_result.h"

char *run_series_csv(const struct cfg_scenario *sc, const struct run_series *s)
{
    size_t cap = 256 + s->n * s->n_nics * 96, len = 0;
    char *buf = dms_xmalloc(cap);
    len += (size_t)snprintf(buf, cap, "nic,time_ns");
    for (unsigned k = 0; k < RUN_SERIES_VARS; k++)
        len += (size_t)snprintf(buf + len, cap - len, ",%s", run_series_var_name(k));
    len += (size_t)snprintf(buf + len, cap - len, "\n");
    for (size_t i = 0; i < s->n; i++) {
        for (size_t n = 0; n < s->n_nics; n++) {
            const uint32_t *v = &s->v[(i * s->n_nics + n) * RUN_SERIES_VARS];
            if (cap - len < 160) {
                cap *= 2;
                buf = dms_xrealloc(buf, cap);
            }
            len += (size_t)snprintf(buf + len, cap - len, "%s,%" PRId64 ",%" PRIu32
                                    ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 "\n",
                                    sc->nics[n].name, s->t_ns[i], v[0], v[1], v[2], v[3]);
        }
    }
    return buf;
}
