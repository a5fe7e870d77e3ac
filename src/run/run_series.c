/* SPDX-License-Identifier: MIT */
/*
 * run_series: the time series of replication 0 (see struct run_series in run.h). Samples
 * read the models' current state and change nothing. When the buffer is full, the samples
 * at odd multiples of the doubled interval are dropped, so the kept ones stay evenly
 * spaced from t = 0 and the memory stays at RUN_SERIES_MAX samples per NIC.
 */
#include <stdlib.h>
#include <string.h>

#include "run_int.h"

const char *run_series_var_name(unsigned k)
{
    static const char *const names[RUN_SERIES_VARS] = {
        "rx_buffers_held", "map_registers_in_use", "fifo_bytes", "sends_in_driver"};
    return k < RUN_SERIES_VARS ? names[k] : "?";
}

struct run_series *run__series_new(size_t n_nics, int64_t interval_ns)
{
    struct run_series *s = dms_xcalloc(1, sizeof *s);
    s->interval_ns = interval_ns;
    s->n_nics = n_nics;
    s->t_ns = dms_xcalloc(RUN_SERIES_MAX, sizeof *s->t_ns);
    s->v = dms_xcalloc((size_t)RUN_SERIES_MAX * n_nics * RUN_SERIES_VARS, sizeof *s->v);
    return s;
}

void run__series_free(struct run_series *s)
{
    if (!s)
        return;
    free(s->t_ns);
    free(s->v);
    free(s);
}

/* Keeps samples 0, 2, 4, ... and doubles the interval. */
static void decimate(struct run_series *s)
{
    size_t row = s->n_nics * RUN_SERIES_VARS, k = 0;
    for (size_t i = 0; i < s->n; i += 2, k++) {
        s->t_ns[k] = s->t_ns[i];
        memmove(&s->v[k * row], &s->v[i * row], row * sizeof *s->v);
    }
    s->n = k;
    s->interval_ns *= 2;
    /* the next sample is the next multiple of the new interval */
    s->next_ns = s->t_ns[s->n - 1] + s->interval_ns;
}

static uint32_t clamp32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static void sample_nic(struct run_world *w, unsigned i, uint32_t *v)
{
    struct run_nic *n = &w->nics[i];
    memset(v, 0, RUN_SERIES_VARS * sizeof *v);
    if (!n->running)
        return;
    const stats_level *held = host_protocol_held_level(host_nic_protocol(n->host));
    const stats_level *fifo = hw_nic_fifo_level(n->hw);
    struct nd_adapter_counters c;
    nd_adapter_counters(n->ad, &c);
    v[RUN_SERIES_RX_HELD] = clamp32(held->value > 0 ? (uint64_t)held->value : 0);
    v[RUN_SERIES_MAP_REGISTERS] =
        clamp32(c.scatter_gather ? c.sg_map_registers.in_use
                                 : c.base_mapped.in_use * c.map_registers_per_base);
    v[RUN_SERIES_FIFO_BYTES] = clamp32(fifo->value > 0 ? (uint64_t)fifo->value : 0);
    uint64_t done = c.send_completes + c.send_resources;
    v[RUN_SERIES_SENDS_IN_DRIVER] = clamp32(c.sends > done ? c.sends - done : 0);
}

void run__series_sample(struct run_world *w)
{
    struct run_series *s = w->series;
    eng_time_ns now = eng_now(w->sim);
    while (s->next_ns <= now) {
        if (s->n == RUN_SERIES_MAX)
            decimate(s);
        if (s->next_ns > now)
            break;
        s->t_ns[s->n] = s->next_ns;
        for (unsigned i = 0; i < s->n_nics; i++)
            sample_nic(w, i, &s->v[(s->n * s->n_nics + i) * RUN_SERIES_VARS]);
        s->n++;
        s->next_ns += s->interval_ns;
    }
}
