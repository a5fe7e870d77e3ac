/* SPDX-License-Identifier: MIT */
/*
 * run_estimate: how much simulated time a replication will cover, guessed before it runs
 * so that a progress line can give a percentage and an ETA. Never used for results.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include <gsl/gsl_rng.h>

#include "run_int.h"

#define SYNTH_MAX_RECORDS 10000000u

/* The end of source ct's traffic (trace spec t), or -1 if it is not cheap to know. */
static int64_t source_end_ns(const struct cfg_trace *ct, const struct trc_spec *t,
                             uint64_t max_file_bytes)
{
    if (ct->kind == CFG_TRACE_SYNTHETIC) {
        const struct cfg_synthetic *sy = &ct->synthetic;
        if (sy->count == 0 || (uint64_t)sy->count > SYNTH_MAX_RECORDS)
            return sy->duration_ns > 0 ? (int64_t)(sy->duration_ns * (double)ct->loop /
                                                   ct->speedup)
                                       : -1;
    } else {
        struct stat st;
        if (!ct->path || stat(ct->path, &st) != 0 || (uint64_t)st.st_size > max_file_bytes)
            return -1;
    }
    struct trc_spec spec = *t;
    spec.loops = 1;
    spec.max_time_ns = 0;
    spec.on_damage = TRC_DAMAGE_KEEP;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct trc_info info;
    struct dms_error err;
    dms_error_clear(&err);
    int rc = trc_info(&spec, rng, &info, &err);
    gsl_rng_free(rng);
    if (rc || info.packets == 0)
        return -1;
    /* passes back to back, each one mean gap after the one before */
    double span = (double)info.duration_ns;
    double gap = info.packets > 1 ? span / (double)(info.packets - 1) : 0;
    return (int64_t)((double)ct->loop * span + (double)(ct->loop - 1) * gap);
}

int64_t run_traffic_estimate_ns(const struct cfg_scenario *sc, uint64_t max_file_bytes)
{
    if (sc->run.duration_ns > 0)
        return sc->run.duration_ns;
    struct run_params *p = dms_xcalloc(1, sizeof *p);
    run__params_init(p, sc);
    int64_t end = 0;
    for (size_t i = 0; i < sc->n_nics && end >= 0; i++) {
        const struct cfg_nic *c = &sc->nics[i];
        for (size_t k = 0; k <= c->n_extra_traces && end >= 0; k++) {
            int64_t e = k == 0 ? source_end_ns(&c->trace, &p->nics[i].trace, max_file_bytes)
                               : source_end_ns(&c->extra_traces[k - 1], &p->nics[i].extra[k - 1],
                                               max_file_bytes);
            end = e < 0 ? -1 : e > end ? e : end;
        }
    }
    run__params_fini(p);
    free(p);
    return end;
}
