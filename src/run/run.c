/* SPDX-License-Identifier: MIT */
/*
 * run: the replay loop of one replication, and replications on threads.
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
#include <pthread.h>
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

const char *run_ndis_status_name(uint32_t status, char *buf, size_t n)
{
    static const struct {
        uint32_t code;
        const char *name;
    } names[] = {
        {NDIS_STATUS_SUCCESS, "NDIS_STATUS_SUCCESS"},
        {NDIS_STATUS_PENDING, "NDIS_STATUS_PENDING"},
        {NDIS_STATUS_FAILURE, "NDIS_STATUS_FAILURE"},
        {NDIS_STATUS_RESOURCES, "NDIS_STATUS_RESOURCES"},
        {NDIS_STATUS_NOT_SUPPORTED, "NDIS_STATUS_NOT_SUPPORTED"},
        {NDIS_STATUS_NOT_ACCEPTED, "NDIS_STATUS_NOT_ACCEPTED"},
        {NDIS_STATUS_ADAPTER_NOT_FOUND, "NDIS_STATUS_ADAPTER_NOT_FOUND"},
        {NDIS_STATUS_UNSUPPORTED_MEDIA, "NDIS_STATUS_UNSUPPORTED_MEDIA"},
        {NDIS_STATUS_INVALID_DATA, "NDIS_STATUS_INVALID_DATA"},
        {NDIS_STATUS_INVALID_LENGTH, "NDIS_STATUS_INVALID_LENGTH"},
        {NDIS_STATUS_DEVICE_FAILED, "NDIS_STATUS_DEVICE_FAILED"},
        {NDIS_STATUS_BAD_CHARACTERISTICS, "NDIS_STATUS_BAD_CHARACTERISTICS"},
        {NDIS_STATUS_BAD_VERSION, "NDIS_STATUS_BAD_VERSION"},
        {NDIS_STATUS_RESOURCE_CONFLICT, "NDIS_STATUS_RESOURCE_CONFLICT"},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(names); i++)
        if (names[i].code == status)
            return names[i].name;
    snprintf(buf, n, "0x%08X", status);
    return buf;
}

void run_rep_fini(struct run_rep *r)
{
    free(r->diags);
    r->diags = NULL;
    r->n_diags = 0;
    free(r->errlog);
    r->errlog = NULL;
    r->n_errlog = 0;
}

/* ---------------------------------------------------------------- the replay loop */

static void source_done(struct run_nic *n)
{
    n->ev = (eng_event){0};
    if (--n->w->sources_open == 0 && n->w->sc->run.duration_ns == 0)
        eng_stop(n->w->sim);
}

static void on_record(eng_sim *sim, void *ctx, uint64_t arg);

/* Reads the next record of n's source and schedules it, or closes the source. */
static void pull(struct run_nic *n)
{
    struct run_world *w = n->w;
    int rc = trc_next(n->src, &n->next, &w->err);
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
    (void)sim;
    (void)arg;
    struct run_nic *n = ctx;
    const struct trc_record *r = &n->next;
    bool mine = r->nic < 0 || (unsigned)r->nic == n->index;
    n->for_nic += mine;
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
        int rc = trc_next(n->src, &n->next, &w->err);
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
            snprintf(out->nics[i].init_status, sizeof out->nics[i].init_status, "SYSTEM_HANG");
            out->hung = true;
            snprintf(out->hang_nic, sizeof out->hang_nic, "%s", h->adapter_name);
            out->hang_requested = h->requested;
            out->hang_left = h->left;
            return true;
        }
        snprintf(out->nics[i].init_status, sizeof out->nics[i].init_status, "%s",
                 run_ndis_status_name(st, buf, sizeof buf));
        n->running = st == NDIS_STATUS_SUCCESS && nd_adapter_running(n->ad);
        out->nics[i].initialized = n->running;
        struct nd_adapter_counters c;
        nd_adapter_counters(n->ad, &c);
        n->shared_after_init = c.shared_memory_bytes.in_use;
        n->nd_w = c;
        n->drv_ok = n->running && run__driver_stats(n, &n->drv_w);
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
        const struct trc_counters *c = trc_counters(w->nics[i].src);
        struct run_trace_info *t = &out->traces[i];
        t->records = c->records_out;
        t->for_nic = w->nics[i].for_nic;
        t->out_of_order = c->out_of_order;
        t->damaged = c->damaged;
        t->split_frames = c->split_frames;
        t->oversize = c->oversize;
        snprintf(t->damage_msg, sizeof t->damage_msg, "%.159s", c->damage_msg);
        snprintf(t->format, sizeof t->format, "%.15s", c->format);
        snprintf(t->link, sizeof t->link, "%.31s", c->link_name);
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
    if (!w->tick) {
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
        eng_run_until(w->sim, until);
        if (eng_stopped(w->sim))
            return;
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
    return w->err_code;
}

int run_replication(const struct cfg_scenario *sc, unsigned index, struct run_rep *out,
                    struct dms_error *err)
{
    return run_replication_ex(sc, index, out, NULL, NULL, err);
}

int run_replication_ex(const struct cfg_scenario *sc, unsigned index, struct run_rep *out,
                       run_tick_fn tick, void *tick_ctx, struct dms_error *err)
{
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
    int rc = run__world_build(w, sc, out->engine_seed, err);
    w->tick = tick;
    w->tick_ctx = tick_ctx;
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

/* ---------------------------------------------------------------- replications on threads */

struct pool {
    const struct cfg_scenario *sc;
    struct run_rep *reps;
    int *rcs;
    struct dms_error *errs;
    unsigned total, next, done;
    pthread_mutex_t lock;
    run_progress_fn progress;
    void *progress_ctx;
};

/* A running replication reports the simulated time it reached. */
static void tick(void *ctx, int64_t sim_ns)
{
    struct pool *p = ctx;
    pthread_mutex_lock(&p->lock);
    p->progress(p->progress_ctx, p->done, p->total, sim_ns);
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        unsigned i = p->next < p->total ? p->next++ : p->total;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->total)
            return NULL;
        dms_error_clear(&p->errs[i]);
        p->rcs[i] = run_replication_ex(p->sc, i, &p->reps[i], p->progress ? tick : NULL, p,
                                       &p->errs[i]);
        pthread_mutex_lock(&p->lock);
        p->done++;
        if (p->progress)
            p->progress(p->progress_ctx, p->done, p->total, -1);
        pthread_mutex_unlock(&p->lock);
    }
}

int run_scenario(const struct cfg_scenario *sc, unsigned threads, struct run_rep *reps,
                 run_progress_fn progress, void *progress_ctx, struct dms_error *err)
{
    struct pool p = {.sc = sc, .reps = reps, .total = (unsigned)sc->run.replications,
                     .progress = progress, .progress_ctx = progress_ctx};
    p.rcs = dms_xcalloc(p.total, sizeof *p.rcs);
    p.errs = dms_xcalloc(p.total, sizeof *p.errs);
    pthread_mutex_init(&p.lock, NULL);
    if (threads == 0)
        threads = 1;
    if (threads > p.total)
        threads = p.total;
    pthread_t *tid = dms_xcalloc(threads, sizeof *tid);
    unsigned started = 0;
    for (unsigned t = 1; t < threads; t++)
        if (pthread_create(&tid[t], NULL, worker, &p) == 0)
            started = t;
        else
            break;
    worker(&p);
    for (unsigned t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&p.lock);
    int rc = 0;
    for (unsigned i = 0; i < p.total && rc == 0; i++) {
        if (p.rcs[i]) {
            rc = p.rcs[i];
            *err = p.errs[i];
        }
    }
    if (rc)
        for (unsigned i = 0; i < p.total; i++)
            if (p.rcs[i] == 0)
                run_rep_fini(&reps[i]);
    free(tid);
    free(p.rcs);
    free(p.errs);
    return rc;
}
