/* SPDX-License-Identifier: MIT */
/*
 * run_collect: turns the state of a world at the end of its measurement window into the
 * plain figures of struct run_rep.
 *
 * Flows (counts of frames, indications, mappings...) are taken over the window: the
 * device's and host's statistics are reset at the end of the warm-up, and the emulation's
 * and driver's cumulative counters are read then and subtracted. Peaks of the emulation's
 * and driver's counters cover the whole run (they cannot be reset); docs/results.md says
 * so for each figure.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "run_int.h"

bool run__driver_stats(struct run_nic *n, DMASIM_DRIVER_STATISTICS *st)
{
    ULONG written = 0;
    memset(st, 0, sizeof *st);
    NDIS_STATUS s = nd_adapter_query(n->ad, OID_DMASIM_DRIVER_STATISTICS, st, sizeof *st,
                                     &written);
    return s == NDIS_STATUS_SUCCESS && written >= sizeof *st &&
           st->Version == DMASIM_DRIVER_STATISTICS_VERSION;
}

/* a / b, or NaN (reported as null: not measured) when there is nothing to divide by. */
static double ratio(double a, double b) { return b > 0 ? a / b : NAN; }

/* A level's quantile, or NaN for an empty window (stats_level_quantile answers -1). */
static double level_q(const stats_level *l, eng_time_ns t_end, double q)
{
    int64_t v = stats_level_quantile(l, t_end, q);
    return v < 0 ? NAN : (double)v;
}

static double hist_q(const stats_hist *h, double q)
{
    return stats_hist_count(h) ? (double)stats_hist_quantile(h, q) : NAN;
}

static void collect_rx(struct run_nic *n, double *m, eng_time_ns t_end, double window_s,
                       double *little_bound)
{
    struct hw_nic_counters hc;
    hw_nic_counters(n->hw, &hc);
    host_protocol *pr = host_nic_protocol(n->host);
    struct host_protocol_counters pc;
    host_protocol_counters(pr, &pc);

    /* Every frame of the window is accounted for: those in flight when it opened plus
     * those offered during it are received, dropped for one cause, or still in flight. */
    uint64_t dropped = hc.fifo_drops + hc.no_desc_drops + hc.oversize_drops +
                       hc.link_drops + hc.disabled_drops + hc.reset_discards;
    m[RUN_M_RX_FRAMES] = (double)(hc.rx_in_flight_start + hc.frames_offered);
    m[RUN_M_RX_RECEIVED] = (double)hc.rx_frames;
    m[RUN_M_RX_DROPPED] = (double)dropped;
    m[RUN_M_RX_DROP_RATE] = ratio((double)dropped, m[RUN_M_RX_FRAMES]);
    m[RUN_M_RX_FIFO_DROPS] = (double)hc.fifo_drops;
    m[RUN_M_RX_NODESC_DROPS] = (double)hc.no_desc_drops;
    m[RUN_M_RX_OVERSIZE_DROPS] = (double)hc.oversize_drops;
    m[RUN_M_RX_LINK_DROPS] = (double)hc.link_drops;
    m[RUN_M_RX_DISABLED_DROPS] = (double)hc.disabled_drops;
    m[RUN_M_RX_RESET_DROPS] = (double)hc.reset_discards;
    m[RUN_M_RX_IN_FLIGHT_START] = (double)hc.rx_in_flight_start;
    m[RUN_M_RX_IN_FLIGHT] = (double)hw_nic_rx_in_flight(n->hw);
    m[RUN_M_RX_INDICATED] = (double)pc.indicated;
    m[RUN_M_RX_RESOURCES] = (double)pc.resources;
    m[RUN_M_RX_RESOURCES_SHARE] = ratio((double)pc.resources, (double)pc.indicated);
    m[RUN_M_RX_FIFO_PEAK] = (double)hc.fifo_peak_bytes;

    const stats_level *held = host_protocol_held_level(pr);
    m[RUN_M_RX_HELD_MEAN] = stats_level_mean(held, t_end);
    m[RUN_M_RX_HELD_P50] = level_q(held, t_end, 0.5);
    m[RUN_M_RX_HELD_P99] = level_q(held, t_end, 0.99);
    m[RUN_M_RX_HELD_MAX] = stats_level_duration_ns(held, t_end) > 0
                               ? (double)stats_level_max(held) : NAN;
    m[RUN_M_RX_ACCEPTED_PPS] = window_s > 0 ? (double)pc.kept / window_s : NAN;
    const stats_hist *hold = host_protocol_hold_hist(pr);
    m[RUN_M_RX_HOLD_MEAN] = stats_hist_count(hold) ? stats_hist_mean(hold) : NAN;
    /* What the packets crossing the window's edges allow (docs/validation.md): with b
     * returned packets kept before the window, c still held at its end, d held across it,
     * |occupancy x T - kept x mean hold| <= |b - c| mean hold + pre + age + d T. */
    struct host_protocol_edges e;
    host_protocol_edges(pr, t_end, &e);
    double w = m[RUN_M_RX_HOLD_MEAN];
    *little_bound = e.window_ns > 0 && isfinite(w)
                        ? (fabs((double)e.b - (double)e.c) * w + e.pre_ns + e.age_ns +
                           (double)e.d * e.window_ns) / e.window_ns
                        : NAN;
    const stats_hist *lat = host_protocol_latency_hist(pr);
    m[RUN_M_RX_LAT_P50] = hist_q(lat, 0.5);
    m[RUN_M_RX_LAT_P99] = hist_q(lat, 0.99);
    m[RUN_M_RX_LAT_P9999] = hist_q(lat, 0.9999);
    m[RUN_M_RX_LAT_MAX] = stats_hist_count(lat) ? (double)stats_hist_max(lat) : NAN;
    m[RUN_M_CPU_INTERRUPTS] = (double)hc.interrupts;
    m[RUN_M_CPU_DPCS] = (double)host_dpc_runs(host_nic_dpc(n->host));
}

static void collect_tx(struct run_nic *n, double *m)
{
    host_sender *s = host_nic_sender(n->host);
    struct host_sender_counters sc;
    host_sender_counters(s, &sc);
    /* packets: in flight when the window opened, plus the trace's transmit records in it
     * (submitted, or unsent because no sender builds them) */
    m[RUN_M_TX_PACKETS] = (double)(sc.in_flight_start + sc.submitted + n->unsent);
    m[RUN_M_TX_COMPLETED] = (double)sc.completed;
    m[RUN_M_TX_FAILED] = (double)sc.failed;
    m[RUN_M_TX_IN_FLIGHT_START] = (double)sc.in_flight_start;
    m[RUN_M_TX_IN_FLIGHT] = (double)host_sender_in_flight(s);
    m[RUN_M_TX_STALLS] = (double)sc.stalled;
    m[RUN_M_TX_STALL_SHARE] = ratio((double)sc.stalled, (double)sc.completed);
    const stats_hist *st = host_sender_stall_hist(s);
    m[RUN_M_TX_STALL_P50] = hist_q(st, 0.5);
    m[RUN_M_TX_STALL_P99] = hist_q(st, 0.99);
    m[RUN_M_TX_STALL_MAX] = stats_hist_count(st) ? (double)stats_hist_max(st) : NAN;
    m[RUN_M_TX_LAT_P99] = hist_q(host_sender_latency_hist(s), 0.99);
    m[RUN_M_TX_UNSENT] = (double)n->unsent;
}

/* Figures from the emulation's counters (flows relative to the warm-up snapshot). */
static void collect_ndis(struct run_nic *n, double *m)
{
    struct nd_adapter_counters c;
    nd_adapter_counters(n->ad, &c);
    const struct nd_adapter_counters *w = &n->nd_w;
    m[RUN_M_INIT_PER_BASE] = c.map_registers_per_base;
    m[RUN_M_INIT_BASE] = c.base_map_registers;
    m[RUN_M_INIT_MAP_REGISTERS] = c.map_registers;
    m[RUN_M_INIT_POOL_MAP_REGISTERS] = c.pool_map_registers;
    m[RUN_M_INIT_SHARED_BYTES] = (double)n->shared_after_init;
    m[RUN_M_TX_BOUNCED] = (double)(c.bounced - w->bounced);
    m[RUN_M_TX_BOUNCE_BYTES] = (double)(c.bounce_bytes - w->bounce_bytes);
    m[RUN_M_TX_RESOURCES] = (double)(c.send_resources - w->send_resources);
    m[RUN_M_TX_BASE_PEAK] = (double)c.base_mapped.peak;
    m[RUN_M_TX_MAPREG_PEAK] = (double)c.base_mapped.peak * c.map_registers_per_base;
    m[RUN_M_TX_SG_PEAK] = (double)c.sg_map_registers.peak;
    m[RUN_M_TX_SG_WAITS] = (double)(c.sg_waits - w->sg_waits);
    m[RUN_M_POOL_PKT_SIZE] = (double)c.packets.size;
    m[RUN_M_POOL_PKT_PEAK] = (double)c.packets.peak;
    m[RUN_M_POOL_PKT_FAIL] = (double)c.packets.failures;
    m[RUN_M_POOL_BUF_SIZE] = (double)c.buffers.size;
    m[RUN_M_POOL_BUF_PEAK] = (double)c.buffers.peak;
    m[RUN_M_POOL_BUF_FAIL] = (double)c.buffers.failures;
    m[RUN_M_MEM_SHARED_PEAK] = (double)c.shared_memory_bytes.peak;
    m[RUN_M_MEM_NONPAGED_PEAK] = (double)c.nonpaged_bytes.peak;
    m[RUN_M_RX_ASYNC_REQ] = (double)(c.async_requested - w->async_requested);
    m[RUN_M_RX_ASYNC_OK] = (double)(c.async_succeeded - w->async_succeeded);
    m[RUN_M_RX_ASYNC_FAIL] = (double)(c.async_failed - w->async_failed);
}

/* Figures only the driver knows, through its statistics OID. */
static void collect_driver(struct run_nic *n, double *m)
{
    DMASIM_DRIVER_STATISTICS st;
    if (!n->drv_ok || !run__driver_stats(n, &st))
        return;
    const DMASIM_DRIVER_STATISTICS *w = &n->drv_w;
    m[RUN_M_RX_BUF_INITIAL] = (double)st.RxBuffersInitial;
    m[RUN_M_RX_BUF_PEAK] = (double)st.RxBuffersPeakInUse;
    m[RUN_M_RX_BUF_FINAL] = (double)st.RxBuffersTotal;
    m[RUN_M_TX_COPIED] = (double)(st.TxCopied - w->TxCopied);
    m[RUN_M_TX_MAPPED] = (double)(st.TxMapped - w->TxMapped);
    m[RUN_M_TX_QUEUE_PEAK] = (double)st.TxQueuePeak;
}

static void collect_system(struct run_world *w, struct run_rep *out, eng_time_ns t_start,
                           eng_time_ns t_end)
{
    struct nd_system_counters s;
    nd_machine_counters(w->m, &s);
    double *m = out->sys;
    m[RUN_M_SYS_MAPREG_REQUESTED] = (double)s.map_registers_requested;
    m[RUN_M_SYS_MAPREG_GRANTED] = (double)s.map_registers.in_use;
    m[RUN_M_SYS_MAPREG_PEAK] = (double)s.map_registers.peak;
    m[RUN_M_SYS_MAPREG_FAIL] = (double)s.map_registers.failures;
    m[RUN_M_SYS_COMMON_PEAK] = (double)s.common_buffer_bytes.peak;
    m[RUN_M_SYS_LARGEST_RUN] = (double)s.largest_free_run_bytes;
    m[RUN_M_SYS_BOUNCE] = (double)s.bounce_buffers;
    double util = 0;
    unsigned p = host_cpus_count(w->cpus);
    for (unsigned i = 0; i < p; i++)
        util += host_cpus_utilisation(w->cpus, i); /* NaN for an empty window: stays NaN */
    m[RUN_M_SYS_CPU_UTIL] = p ? util / p : NAN;
    double window_ns = (double)(t_end - t_start);
    double bus = 0;
    for (unsigned b = 0; b < w->sc->n_buses; b++) {
        struct hw_bus_counters bc;
        hw_bus_counters(w->buses[b], &bc);
        bus = fmax(bus, ratio((double)bc.busy_ns, window_ns));
    }
    m[RUN_M_SYS_BUS_UTIL] = window_ns > 0 ? bus : NAN;
    m[RUN_M_SYS_SIM_NS] = (double)t_end;
}

void run__collect(struct run_world *w, struct run_rep *out, eng_time_ns t_end)
{
    /* the measurement window: from the end of the warm-up (or t_end, if earlier) */
    eng_time_ns t_start = w->sc->run.warmup_ns < t_end ? w->sc->run.warmup_ns : t_end;
    double window_s = (double)(t_end - t_start) / 1e9;
    for (unsigned i = 0; i < w->sc->n_nics; i++) {
        struct run_nic *n = &w->nics[i];
        double *m = out->nics[i].m;
        out->nics[i].little_bound = NAN;
        /* A NIC that did not initialize (or never started after a hang) measured
         * nothing: its figures stay NaN, reported as null. */
        if (!n->ad || !n->running)
            continue;
        collect_ndis(n, m);
        collect_rx(n, m, t_end, window_s, &out->nics[i].little_bound);
        collect_tx(n, m);
        collect_driver(n, m);
        run__occ_collect(n, &out->nics[i], t_end);
    }
    collect_system(w, out, t_start, t_end);
}

void run__collect_end(struct run_world *w, struct run_rep *out)
{
    out->sys[RUN_M_SYS_EVENTS] = (double)eng_events_fired(w->sim);
}

void run__collect_diags(struct run_world *w, struct run_rep *out)
{
    size_t n = nd_machine_diag_count(w->m);
    out->diags = n ? dms_xcalloc(n, sizeof *out->diags) : NULL;
    out->n_diags = n;
    for (size_t i = 0; i < n; i++) {
        const struct nd_diag *d = nd_machine_diag(w->m, i);
        struct run_diag *r = &out->diags[i];
        snprintf(r->code, sizeof r->code, "%s", d->code);
        snprintf(r->kind, sizeof r->kind, "%s", nd_violation_name(d->kind));
        snprintf(r->nic, sizeof r->nic, "%s", d->adapter_name);
        r->time_ns = d->time_ns;
        snprintf(r->msg, sizeof r->msg, "%s", d->msg);
    }
    out->diags_total = nd_machine_diag_total(w->m);
    out->strict_failed = w->sc->run.strict && out->diags_total > 0;
    size_t k = nd_machine_errlog_count(w->m);
    out->errlog = k ? dms_xcalloc(k, sizeof *out->errlog) : NULL;
    out->n_errlog = k;
    for (size_t i = 0; i < k; i++) {
        const struct nd_errlog *e = nd_machine_errlog(w->m, i);
        struct run_errlog *r = &out->errlog[i];
        r->nic = (unsigned)e->adapter;
        r->code = e->code;
        r->n_values = e->n_values;
        memcpy(r->values, e->values, sizeof r->values);
        r->time_ns = e->time_ns;
    }
}
