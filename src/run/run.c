/* SPDX-License-Identifier: MIT */
/*
 * run: the replay loop of one replication.
 *
 * Each NIC's trace source has exactly one pending engine event: the next record. When it
 * fires, the record is delivered (a frame arriving at the SimNIC, or a packet the host's
 * sender submits) and the following record is read and scheduled, so the pending set stays
 * small however long the trace. Traffic ends when every source is exhausted, or at
 * run.duration; the measurement window runs from the warm-up to that moment; then the world
 * drains for a while without traffic, protocols give back what they still hold, and every
 * adapter is halted so the verifier can report leaks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_int.h"

static const char *const nic_metric_names[] = {
#define RUN_NAME_(id, name) name,
    RUN_NIC_METRICS(RUN_NAME_)
};
static const char *const sys_metric_names[] = {RUN_SYS_METRICS(RUN_NAME_)
#undef RUN_NAME_
};

const char *run_nic_metric_name(enum run_nic_metric m) { return nic_metric_names[m]; }
const char *run_sys_metric_name(enum run_sys_metric m) { return sys_metric_names[m]; }

uint64_t run_replication_seed(uint64_t seed, unsigned index)
{
    char key[32];
    snprintf(key, sizeof key, "replication/%u", index);
    return eng_rng_seed(seed, key);
}

void run_rep_fini(struct run_rep *r)
{
    for (size_t i = 0; i < CFG_MAX_NICS; i++) {
        for (size_t k = 0; k < RUN_OCC_COUNT; k++) {
            free(r->nics[i].occ[k].v);
            r->nics[i].occ[k] = (struct run_occ){0};
        }
    }
    free(r->diags);
    r->diags = NULL;
    r->n_diags = 0;
    free(r->errlog);
    r->errlog = NULL;
    r->n_errlog = 0;
    run__series_free(r->series);
    r->series = NULL;
}

/* ---------------------------------------------------------------- the replay loop */

static void source_done(struct run_nic *n)
{
    n->ev = (eng_event){0};
    if (--n->w->sources_open == 0 && n->w->sc->run.duration_ns == 0)
        eng_stop(n->w->sim);
}

static void on_record(eng_sim *sim, void *ctx, uint64_t arg);

/* The next record of n's source, or of its sources merged in time. */
static int next_record(struct run_nic *n)
{
    if (n->merge)
        return run__merge_next(n->merge, &n->next, &n->w->err);
    return trc_next(n->src, &n->next, &n->w->err);
}

/* Reads the next record of n's source and schedules it, or closes the source. */
static void pull(struct run_nic *n)
{
    struct run_world *w = n->w;
    int rc = next_record(n);
    if (rc < 0) {
        if (!w->err_code)
            w->err_code = rc;
        source_done(n);
        eng_stop(w->sim);
        return;
    }
    if (rc == 0) {
        source_done(n);
        return;
    }
    eng_time_ns t = n->next.time_ns;
    if (t < eng_now(w->sim))
        t = eng_now(w->sim);
    n->ev = eng_lane_at(w->sim, n->lane, t, on_record, n, 0);
}

static void on_record(eng_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct run_nic *n = ctx;
    const struct trc_record *r = &n->next;
    bool mine = r->nic < 0 || (unsigned)r->nic == n->index;
    n->for_nic += mine;
    if (mine) {
        if (n->first_ns < 0)
            n->first_ns = eng_now(sim);
        n->last_ns = eng_now(sim);
    }
    if (mine && n->running) {
        if (r->dir != TRC_TX)
            hw_nic_frame_arrives(n->hw, r->wire_len);
        else if (host_sender_submit(host_nic_sender(n->host), r->wire_len, r->frags))
            n->unsent++; /* larger than any packet a sender builds */
    }
    pull(n);
}

static void start_sources(struct run_world *w)
{
    for (unsigned i = 0; i < w->sc->n_nics; i++) {
        struct run_nic *n = &w->nics[i];
        int rc = next_record(n);
        if (rc < 0) {
            w->err_code = rc;
            return;
        }
        if (rc == 1) {
            w->sources_open++;
            n->lane = eng_lane_new(w->sim);
            n->ev = eng_lane_at(w->sim, n->lane, n->next.time_ns, on_record, n, 0);
        }
    }
}

static void on_warmup(eng_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct run_world *w = ctx;
    for (unsigned i = 0; i < w->sc->n_nics; i++) {
        struct run_nic *n = &w->nics[i];
        hw_nic_stats_reset(n->hw);
        n->unsent = 0;
        host_protocol_stats_reset(host_nic_protocol(n->host));
        host_sender_stats_reset(host_nic_sender(n->host));
        if (n->running) {
            nd_adapter_counters(n->ad, &n->nd_w);
            n->drv_ok = run__driver_stats(n, &n->drv_w);
        }
        if (n->occ)
            run__occ_reset(n);
    }
    host_cpus_stats_reset(w->cpus);
    for (unsigned b = 0; b < w->sc->n_buses; b++)
        hw_bus_stats_reset(w->buses[b]);
}

static void on_end(eng_sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    eng_stop(sim);
}

/* The map-register requests NIC n made and what NDIS answered each. */
static void record_mapreg(struct run_nic *n, struct run_nic_result *r)
{
    char buf[40];
    size_t k;
    const struct nd_mapreg_request *log = nd_adapter_mapreg_log(n->ad, &k);
    r->n_mapreg = k < RUN_MAPREG_LOG ? k : RUN_MAPREG_LOG;
    for (size_t j = 0; j < r->n_mapreg; j++) {
        r->mapreg[j].base = log[j].base;
        r->mapreg[j].map_registers = log[j].map_registers;
        snprintf(r->mapreg[j].status, sizeof r->mapreg[j].status, "%s",
                 log[j].hung ? "SYSTEM_HANG" : nd_status_name(log[j].status, buf, sizeof buf));
    }
}

/* Initializes the adapters in order; stops at a hang. Returns true if the machine hung. */
static bool initialize(struct run_world *w, struct run_rep *out)
{
    char buf[40];
    for (unsigned i = 0; i < w->sc->n_nics; i++)
        snprintf(out->nics[i].init_status, sizeof out->nics[i].init_status, "NOT_STARTED");
    for (unsigned i = 0; i < w->sc->n_nics; i++) {
        struct run_nic *n = &w->nics[i];
        NDIS_STATUS st = nd_adapter_initialize(n->ad);
        const struct nd_hang *h = nd_machine_hang(w->m);
        if (h->hung) {
            record_mapreg(n, &out->nics[i]);
            snprintf(out->nics[i].init_status, sizeof out->nics[i].init_status, "SYSTEM_HANG");
            out->hung = true;
            snprintf(out->hang_nic, sizeof out->hang_nic, "%s", h->adapter_name);
            out->hang_requested = h->requested;
            out->hang_left = h->left;
            return true;
        }
        snprintf(out->nics[i].init_status, sizeof out->nics[i].init_status, "%s",
                 nd_status_name(st, buf, sizeof buf));
        record_mapreg(n, &out->nics[i]);
        n->running = st == NDIS_STATUS_SUCCESS && nd_adapter_running(n->ad);
        out->nics[i].initialized = n->running;
        struct nd_adapter_counters c;
        nd_adapter_counters(n->ad, &c);
        n->shared_after_init = c.shared_memory_bytes.in_use;
        n->nd_w = c;
        n->drv_ok = n->running && run__driver_stats(n, &n->drv_w);
        if (n->running)
            run__occ_initialized(n);
    }
    return false;
}

/* Lets in-flight work finish without traffic, then halts every running adapter. */
static void drain_and_halt(struct run_world *w)
{
    for (unsigned i = 0; i < w->sc->n_nics; i++)
        if (w->nics[i].ev.id)
            eng_cancel(w->sim, w->nics[i].ev);
    eng_run_until(w->sim, eng_now(w->sim) + RUN_DRAIN_NS);
    for (unsigned i = 0; i < w->sc->n_nics; i++)
        if (w->nics[i].running)
            host_protocol_return_all(host_nic_protocol(w->nics[i].host));
    eng_run_until(w->sim, eng_now(w->sim) + DMS_NS_PER_MS);
    for (unsigned i = 0; i < w->sc->n_nics; i++) {
        if (w->nics[i].running) {
            nd_adapter_halt(w->nics[i].ad);
            w->nics[i].running = false;
        }
    }
}

static void trace_info(struct run_world *w, struct run_rep *out)
{
    for (unsigned i = 0; i < w->sc->n_nics; i++) {
        if (!w->nics[i].src)
            continue;
        struct trc_counters sum = *trc_counters(w->nics[i].src);
        size_t damaged_source = 0;
        if (w->nics[i].merge)
            run__merge_counters(w->nics[i].merge, &sum, &damaged_source);
        const struct trc_counters *c = &sum;
        struct run_trace_info *t = &out->traces[i];
        t->records = c->records_out;
        t->for_nic = w->nics[i].for_nic;
        t->first_ns = w->nics[i].first_ns;
        t->last_ns = w->nics[i].last_ns;
        t->out_of_order = c->out_of_order;
        t->damaged = c->damaged;
        t->split_frames = c->split_frames;
        t->oversize = c->oversize;
        snprintf(t->damage_msg, sizeof t->damage_msg, "%.159s", c->damage_msg);
        t->damage_record = c->damaged ? c->damage_record : -1;
        t->damage_source = damaged_source;
        snprintf(t->format, sizeof t->format, "%.15s", c->format);
        snprintf(t->link, sizeof t->link, "%.31s", c->link_name);
        if (w->nics[i].img)
            snprintf(t->sha256, sizeof t->sha256, "%s", run__image_sha256(w->nics[i].img));
        const struct run_merge *m = w->nics[i].merge;
        t->n_extra = m ? m->n - 1 : 0;
        for (size_t k = 0; k < t->n_extra; k++)
            if (m->extra[k].img)
                snprintf(t->extra_sha256[k], sizeof t->extra_sha256[k], "%s",
                         run__image_sha256(m->extra[k].img));
    }
}

/*
 * Runs the traffic until a source error, the end of every source or run.duration stops
 * the engine. Without a progress hook that is one eng_run. With one, the run goes in
 * slices of simulated time, jumping over quiet stretches in one step, and reports after
 * each: slicing adds no event and moves no event, so results do not change.
 */
static void run_traffic(struct run_world *w)
{
    if (!w->tick && !w->series) {
        eng_run(w->sim);
        return;
    }
    for (;;) {
        eng_time_ns next = eng_next_time(w->sim);
        if (next == ENG_TIME_NEVER)
            return;
        eng_time_ns until = eng_now(w->sim) + RUN_PROGRESS_SLICE_NS;
        if (next > until)
            until = next;
        if (w->series && w->series->next_ns < until) /* a sample is due first */
            until = w->series->next_ns;
        eng_run_until(w->sim, until);
        if (w->series)
            run__series_sample(w);
        if (eng_stopped(w->sim))
            return;
        if (w->tick)
            w->tick(w->tick_ctx, eng_now(w->sim));
    }
}

static int replay(struct run_world *w, struct run_rep *out, struct dms_error *err)
{
    int rc = run__open_sources(w, err);
    if (rc)
        return rc;
    start_sources(w);
    if (w->err_code)
        goto fail;
    const struct cfg_run *r = &w->sc->run;
    if (r->warmup_ns > 0)
        eng_at(w->sim, r->warmup_ns, on_warmup, w, 0);
    if (r->duration_ns > 0)
        eng_at(w->sim, r->duration_ns, on_end, NULL, 0);
    if (w->sources_open > 0 || r->duration_ns > 0)
        run_traffic(w);
    if (w->err_code)
        goto fail;
    eng_time_ns t_end = eng_now(w->sim);
    if (r->duration_ns > 0 && t_end < r->duration_ns)
        t_end = r->duration_ns;
    if (t_end < r->warmup_ns)
        t_end = r->warmup_ns;
    eng_run_until(w->sim, t_end);
    trace_info(w, out);
    run__collect(w, out, t_end);
    drain_and_halt(w);
    return 0;
fail:
    *err = w->err;
    drain_and_halt(w); /* a source failed mid-run: sends in flight complete, nothing leaks */
    return w->err_code;
}

int run_replication(const struct cfg_scenario *sc, unsigned index, struct run_rep *out,
                    struct dms_error *err)
{
    return run_replication_ex(sc, index, out, NULL, NULL, err);
}

int run_replication_traces(const struct cfg_scenario *sc, run_traces *traces, unsigned index,
                           struct run_rep *out, struct dms_error *err)
{
    struct run_params p;
    run__params_init(&p, sc);
    run_traces *own = traces ? NULL : run_traces_new();
    int rc = run__replication(&p, traces ? traces : own, index, out, NULL, NULL, err);
    run_traces_free(own);
    run__params_fini(&p);
    return rc;
}

int run_replication_ex(const struct cfg_scenario *sc, unsigned index, struct run_rep *out,
                       run_tick_fn tick, void *tick_ctx, struct dms_error *err)
{
    struct run_params p;
    run__params_init(&p, sc);
    run_traces *traces = run_traces_new();
    int rc = run__replication(&p, traces, index, out, tick, tick_ctx, err);
    run_traces_free(traces);
    run__params_fini(&p);
    return rc;
}

int run__replication(const struct run_params *p, run_traces *traces, unsigned index,
                     struct run_rep *out, run_tick_fn tick, void *tick_ctx,
                     struct dms_error *err)
{
    const struct cfg_scenario *sc = p->sc;
    memset(out, 0, sizeof *out);
    out->index = index;
    out->n_nics = sc->n_nics;
    out->engine_seed = run_replication_seed(sc->run.seed, index);
    for (size_t i = 0; i < CFG_MAX_NICS; i++)
        for (size_t k = 0; k < RUN_NIC_METRIC_COUNT; k++)
            out->nics[i].m[k] = NAN;
    for (size_t k = 0; k < RUN_SYS_METRIC_COUNT; k++)
        out->sys[k] = NAN;

    struct run_world *w = dms_xcalloc(1, sizeof *w);
    int rc = run__world_build(w, p, traces, out->engine_seed, err);
    w->tick = tick;
    w->tick_ctx = tick_ctx;
    if (rc == 0 && index == 0 && sc->run.series_ns > 0)
        w->series = out->series = run__series_new(sc->n_nics, sc->run.series_ns);
    if (rc == 0 && !initialize(w, out))
        rc = replay(w, out, err);
    else if (rc == 0)
        run__collect(w, out, eng_now(w->sim));
    if (rc == 0) {
        run__collect_end(w, out);
        run__collect_diags(w, out);
    }
    run__world_free(w);
    free(w);
    if (rc)
        run_rep_fini(out);
    return rc;
}
