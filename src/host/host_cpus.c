/* SPDX-License-Identifier: MIT */
/*
 * host_cpus: the processors that run DPCs.
 *
 * Each processor is either free or running one DPC until a known time. DPCs that want a
 * processor wait in one FIFO queue (at most one entry per DPC object); a dispatch pass
 * walks the queue in order and starts every DPC whose adapter has no DPC running on the
 * lowest-numbered free processor, until the processors run out. A dispatch pass runs as a
 * call deferred (eng_defer) to the end of the event that queued a DPC, before any other
 * event of that instant, and from the event that frees a processor. So a DPC always
 * starts from the engine loop, never inside the ISR that queued it.
 *
 * Invariants: a DPC object is at most once in the queue and at most once on a processor
 * (NDIS 5 serializes an adapter's DPCs); a processor's busy time accrues only while it
 * runs a DPC. The ISR itself runs at the instant of the interrupt (inside the device's
 * event) and its cost is charged to the DPC it queued.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

struct host_dpc {
    host_cpus *cpus;
    host_dpc_fn fn;
    void *ctx;
    bool queued;           /* in the wait queue */
    bool running;          /* on a processor */
    eng_time_ns queued_ns; /* when it entered the queue */
    uint64_t runs;
    stats_hist wait;       /* queue -> start, ns */
};

struct cpu {
    host_dpc *dpc;         /* running, or NULL when free */
    eng_time_ns start_ns;  /* start of the running DPC */
    eng_time_ns busy_ns;   /* finished busy time in the window */
    eng_event ev;          /* end of the running DPC */
};

struct host_cpus {
    eng_sim *sim;
    struct host_cpu_params p;
    struct cpu *cpu;
    host_dpc **dpcs;       /* every DPC object, owned */
    size_t ndpcs;
    host_dpc **wait;       /* FIFO of queued DPCs (capacity ndpcs) */
    size_t nwait;
    bool dispatch_pending; /* a dispatch pass is deferred to the end of the current event */
    uint64_t started;      /* DPCs started in the window */
    eng_time_ns window_ns;
};

void host_cpu_params_default(struct host_cpu_params *p)
{
    p->processors = 1;
    p->isr_ns = 1000;
    p->dpc_ns = 2000;
    p->per_packet_ns = 1000;
}

int host_cpus_new(host_cpus **out, eng_sim *sim, const struct host_cpu_params *p,
                  struct dms_error *err)
{
    if (p->processors < 1 || p->processors > 64)
        return dms_error_set(err, DMS_EINVAL, "processors must be 1..64, not %u", p->processors);
    if (p->isr_ns < 0 || p->dpc_ns < 0 || p->per_packet_ns < 0)
        return dms_error_set(err, DMS_EINVAL, "processor costs must not be negative");
    host_cpus *c = dms_xcalloc(1, sizeof *c);
    c->sim = sim;
    c->p = *p;
    c->cpu = dms_xcalloc(p->processors, sizeof *c->cpu);
    c->window_ns = eng_now(sim);
    *out = c;
    return 0;
}

void host_cpus_free(host_cpus *c)
{
    if (!c)
        return;
    eng_defer_forget(c->sim, c);
    for (unsigned i = 0; i < c->p.processors; i++)
        eng_cancel(c->sim, c->cpu[i].ev);
    for (size_t i = 0; i < c->ndpcs; i++) {
        stats_hist_fini(&c->dpcs[i]->wait);
        free(c->dpcs[i]);
    }
    free(c->dpcs);
    free(c->wait);
    free(c->cpu);
    free(c);
}

void host_dpc_run_adapter(void *adapter, struct nd_work *work)
{
    nd_adapter_run_dpc(adapter, work);
}

host_dpc *host_dpc_new(host_cpus *c, host_dpc_fn fn, void *ctx)
{
    host_dpc *d = dms_xcalloc(1, sizeof *d);
    d->cpus = c;
    d->fn = fn;
    d->ctx = ctx;
    stats_hist_init(&d->wait);
    c->dpcs = dms_xrealloc(c->dpcs, (c->ndpcs + 1) * sizeof *c->dpcs);
    c->wait = dms_xrealloc(c->wait, (c->ndpcs + 1) * sizeof *c->wait);
    c->dpcs[c->ndpcs++] = d;
    return d;
}

void host_dpc_set_ctx(host_dpc *d, void *ctx)
{
    d->ctx = ctx;
}

/* ---- scheduling ------------------------------------------------------------------------ */

static void dispatch(host_cpus *c);

static void on_dpc_end(eng_sim *sim, void *ctx, uint64_t i)
{
    host_cpus *c = ctx;
    struct cpu *p = &c->cpu[i];
    p->busy_ns += eng_now(sim) - DMS_MAX(p->start_ns, c->window_ns);
    p->dpc->running = false;
    p->dpc = NULL;
    p->ev = (eng_event){0};
    dispatch(c);
}

static eng_time_ns dpc_cost(const host_cpus *c, const struct nd_work *w)
{
    uint64_t pkts = (uint64_t)w->indicated + w->send_completed + w->returned;
    return c->p.isr_ns + c->p.dpc_ns + c->p.per_packet_ns * (eng_time_ns)pkts + w->stall_ns;
}

static void start(host_cpus *c, host_dpc *d, unsigned i)
{
    eng_time_ns now = eng_now(c->sim);
    struct cpu *p = &c->cpu[i];
    d->queued = false;
    d->running = true;
    d->runs++;
    stats_hist_record(&d->wait, now - d->queued_ns);
    c->started++;
    p->dpc = d;
    p->start_ns = now;
    struct nd_work w = {0};
    d->fn(d->ctx, &w);
    p->ev = eng_after(c->sim, dpc_cost(c, &w), on_dpc_end, c, i);
}

static int free_cpu(const host_cpus *c)
{
    for (unsigned i = 0; i < c->p.processors; i++)
        if (!c->cpu[i].dpc)
            return (int)i;
    return -1;
}

/* Starts waiting DPCs in queue order on free processors; keeps the others in order. */
static void dispatch(host_cpus *c)
{
    size_t n = c->nwait, keep = 0;
    for (size_t k = 0; k < n; k++) {
        host_dpc *d = c->wait[k];
        int i = d->running ? -1 : free_cpu(c);
        if (i < 0)
            c->wait[keep++] = d;
        else
            start(c, d, (unsigned)i);
    }
    for (size_t k = n; k < c->nwait; k++) /* queued by a DPC that just ran */
        c->wait[keep++] = c->wait[k];
    c->nwait = keep;
}

static void on_dispatch(eng_sim *sim, void *ctx, uint64_t arg)
{
    host_cpus *c = ctx;
    (void)sim;
    (void)arg;
    c->dispatch_pending = false;
    dispatch(c);
}

void host_dpc_queue(host_dpc *d)
{
    host_cpus *c = d->cpus;
    if (d->queued)
        return;
    d->queued = true;
    d->queued_ns = eng_now(c->sim);
    assert(c->nwait < c->ndpcs);
    c->wait[c->nwait++] = d;
    if (!c->dispatch_pending) {
        c->dispatch_pending = true;
        eng_defer(c->sim, on_dispatch, c, 0);
    }
}

/* ---- counters -------------------------------------------------------------------------- */

unsigned host_cpus_count(const host_cpus *c)
{
    return c->p.processors;
}

eng_time_ns host_cpus_busy_ns(const host_cpus *c, unsigned i)
{
    assert(i < c->p.processors);
    const struct cpu *p = &c->cpu[i];
    eng_time_ns b = p->busy_ns;
    if (p->dpc)
        b += eng_now(c->sim) - DMS_MAX(p->start_ns, c->window_ns);
    return b;
}

double host_cpus_utilisation(const host_cpus *c, unsigned i)
{
    eng_time_ns w = eng_now(c->sim) - c->window_ns;
    return w > 0 ? (double)host_cpus_busy_ns(c, i) / (double)w : NAN;
}

uint64_t host_cpus_dpcs(const host_cpus *c)
{
    return c->started;
}

uint64_t host_dpc_runs(const host_dpc *d)
{
    return d->runs;
}

const stats_hist *host_dpc_wait_hist(const host_dpc *d)
{
    return &d->wait;
}

void host_cpus_stats_reset(host_cpus *c)
{
    c->window_ns = eng_now(c->sim);
    c->started = 0;
    for (unsigned i = 0; i < c->p.processors; i++)
        c->cpu[i].busy_ns = 0;
    for (size_t i = 0; i < c->ndpcs; i++) {
        c->dpcs[i]->runs = 0;
        stats_hist_reset(&c->dpcs[i]->wait);
    }
}
