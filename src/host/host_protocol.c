/* SPDX-License-Identifier: MIT */
/*
 * host_protocol: the protocol driver bound to one adapter, on the receive side.
 *
 * Packets indicated with NDIS_STATUS_SUCCESS are kept (all of them, or a configured share,
 * evenly spread; the others are copied at once and left to the miniport), and each kept
 * one gets a hold time, drawn when it is indicated. With infinite servers it is returned (nd_adapter_return_packet) exactly
 * its hold time later: a pure delay, so the adapter's receive buffers form an M/G/N/N
 * loss system when arrivals are Poisson. With a pool of W protocol workers, a packet needs
 * a free worker for its hold time; packets that find all W busy wait in FIFO order, so the
 * protocol is a G/G/W queue. The workers are a pool of their own, apart from the
 * processors that run DPCs (host_cpus): the protocol's work runs at PASSIVE or DISPATCH
 * level in threads the model does not schedule against the DPCs.
 *
 * Held packets live in a pool of records recycled through a free list; a record's engine
 * event (its return) carries its index. Invariants: held = kept - returned = records in
 * use; busy workers = min(W, held) in worker mode, and a packet waits only while all W are
 * busy.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

struct rec {
    PNDIS_PACKET packet;
    eng_time_ns kept_ns;   /* indication time */
    eng_time_ns hold_ns;   /* drawn hold time */
    eng_event ev;          /* its return, once it has a worker */
    uint64_t seq;          /* order kept (for return_all) */
    uint32_t next_free;
    bool used;
};

#define NONE UINT32_MAX

struct host_protocol {
    eng_sim *sim;
    nd_adapter *adapter;
    host_return_fn return_fn;  /* how a packet goes back (nd_adapter_return_packet) */
    void *return_ctx;
    gsl_rng *rng;
    host_dist *hold;
    enum host_servers servers;
    unsigned workers;      /* pool size (PROCESSORS mode) */
    unsigned busy;         /* workers busy */
    struct rec *rec;
    uint32_t nrec, free_head;
    uint32_t *wait;        /* FIFO ring of record indices waiting for a worker */
    uint32_t wait_cap, wait_head, nwait;
    uint64_t seq;
    uint64_t held;
    double keep_share;     /* share of SUCCESS packets kept */
    uint64_t offered;      /* SUCCESS packets seen, for the keep rule */
    struct host_protocol_counters c;
    stats_level held_level;
    stats_hist latency;    /* indication - TimeReceived */
    stats_hist hold_time;  /* kept -> returned */
};

void host_protocol_params_default(struct host_protocol_params *p)
{
    memset(p, 0, sizeof *p);
    p->hold.kind = HOST_DIST_CONSTANT;
    p->hold.mean_ns = 0;
    p->servers = HOST_SERVERS_INFINITE;
    p->workers = 0;
    p->keep_share = 1.0;
}

int host_protocol_new(host_protocol **out, eng_sim *sim, nd_machine *m, gsl_rng *rng,
                      const struct host_protocol_params *p, struct dms_error *err)
{
    if (p->servers != HOST_SERVERS_PROCESSORS && p->servers != HOST_SERVERS_INFINITE)
        return dms_error_set(err, DMS_EINVAL, "unknown protocol servers mode %d", (int)p->servers);
    if (!(p->keep_share >= 0.0 && p->keep_share <= 1.0))
        return dms_error_set(err, DMS_EINVAL, "protocol keep share must be in [0, 1]");
    if (p->servers == HOST_SERVERS_PROCESSORS && p->workers == 0 && !m)
        return dms_error_set(err, DMS_EINVAL, "protocol workers: no count and no machine");
    host_dist *hold;
    int rc = host_dist_new(&hold, &p->hold, err);
    if (rc)
        return rc;
    host_protocol *pr = dms_xcalloc(1, sizeof *pr);
    pr->sim = sim;
    pr->rng = rng;
    pr->hold = hold;
    pr->servers = p->servers;
    pr->keep_share = p->keep_share;
    if (p->servers == HOST_SERVERS_PROCESSORS)
        pr->workers = p->workers ? p->workers : nd_machine_params(m)->processors;
    host_protocol_set_return_hook(pr, NULL, NULL);
    pr->free_head = NONE;
    stats_level_init(&pr->held_level, eng_now(sim), 0);
    stats_hist_init(&pr->latency);
    stats_hist_init(&pr->hold_time);
    *out = pr;
    return 0;
}

void host_protocol_free(host_protocol *pr)
{
    if (!pr)
        return;
    for (uint32_t i = 0; i < pr->nrec; i++)
        eng_cancel(pr->sim, pr->rec[i].ev);
    host_dist_free(pr->hold);
    free(pr->rec);
    free(pr->wait);
    stats_level_fini(&pr->held_level);
    stats_hist_fini(&pr->latency);
    stats_hist_fini(&pr->hold_time);
    free(pr);
}

static void return_to_ndis(void *ctx, nd_adapter *a, PNDIS_PACKET packet)
{
    (void)ctx;
    nd_adapter_return_packet(a, packet);
}

void host_protocol_set_return_hook(host_protocol *pr, host_return_fn fn, void *ctx)
{
    pr->return_fn = fn ? fn : return_to_ndis;
    pr->return_ctx = ctx;
}

/* ---- records and the wait queue -------------------------------------------------------- */

static uint32_t rec_alloc(host_protocol *pr)
{
    if (pr->free_head == NONE) {
        uint32_t n = pr->nrec ? pr->nrec * 2 : 64;
        pr->rec = dms_xrealloc(pr->rec, n * sizeof *pr->rec);
        for (uint32_t i = pr->nrec; i < n; i++)
            pr->rec[i] = (struct rec){.next_free = i + 1 < n ? i + 1 : NONE};
        pr->free_head = pr->nrec;
        pr->nrec = n;
    }
    uint32_t i = pr->free_head;
    pr->free_head = pr->rec[i].next_free;
    pr->rec[i].used = true;
    return i;
}

static void rec_release(host_protocol *pr, uint32_t i)
{
    pr->rec[i].used = false;
    pr->rec[i].ev = (eng_event){0};
    pr->rec[i].next_free = pr->free_head;
    pr->free_head = i;
}

static void wait_push(host_protocol *pr, uint32_t i)
{
    if (pr->nwait == pr->wait_cap) {
        uint32_t n = pr->wait_cap ? pr->wait_cap * 2 : 64;
        uint32_t *nw = dms_xmalloc(n * sizeof *nw);
        for (uint32_t k = 0; k < pr->nwait; k++)
            nw[k] = pr->wait[(pr->wait_head + k) % pr->wait_cap];
        free(pr->wait);
        pr->wait = nw;
        pr->wait_cap = n;
        pr->wait_head = 0;
    }
    pr->wait[(pr->wait_head + pr->nwait) % pr->wait_cap] = i;
    pr->nwait++;
    if (pr->nwait > pr->c.waiting_peak)
        pr->c.waiting_peak = pr->nwait;
}

static uint32_t wait_pop(host_protocol *pr)
{
    uint32_t i = pr->wait[pr->wait_head];
    pr->wait_head = (pr->wait_head + 1) % pr->wait_cap;
    pr->nwait--;
    return i;
}

/* ---- hold and return ------------------------------------------------------------------- */

static void on_return(eng_sim *sim, void *ctx, uint64_t arg);

static void serve(host_protocol *pr, uint32_t i)
{
    struct rec *r = &pr->rec[i];
    r->ev = eng_after(pr->sim, r->hold_ns, on_return, pr, i);
}

/* Gives record i's packet back to the miniport and frees its worker for the next one. */
static void give_back(host_protocol *pr, uint32_t i)
{
    eng_time_ns now = eng_now(pr->sim);
    PNDIS_PACKET packet = pr->rec[i].packet;
    stats_hist_record(&pr->hold_time, now - pr->rec[i].kept_ns);
    rec_release(pr, i);
    pr->held--;
    pr->c.returned++;
    stats_level_set(&pr->held_level, now, (int64_t)pr->held);
    pr->return_fn(pr->return_ctx, pr->adapter, packet);
}

static void on_return(eng_sim *sim, void *ctx, uint64_t arg)
{
    host_protocol *pr = ctx;
    (void)sim;
    if (pr->servers == HOST_SERVERS_PROCESSORS) {
        if (pr->nwait > 0)
            serve(pr, wait_pop(pr)); /* the worker moves on to the next packet */
        else
            pr->busy--;
    }
    give_back(pr, (uint32_t)arg);
}

static void keep(host_protocol *pr, PNDIS_PACKET packet, eng_time_ns now)
{
    uint32_t i = rec_alloc(pr);
    struct rec *r = &pr->rec[i];
    r->packet = packet;
    r->kept_ns = now;
    r->hold_ns = host_dist_draw(pr->hold, pr->rng);
    r->seq = pr->seq++;
    pr->c.kept++;
    pr->held++;
    if (pr->held > pr->c.held_peak)
        pr->c.held_peak = pr->held;
    stats_level_set(&pr->held_level, now, (int64_t)pr->held);
    if (pr->servers == HOST_SERVERS_INFINITE || pr->busy < pr->workers) {
        if (pr->servers == HOST_SERVERS_PROCESSORS)
            pr->busy++;
        serve(pr, i);
    } else {
        wait_push(pr, i);
    }
}

bool host_protocol_receive(host_protocol *pr, nd_adapter *a, PNDIS_PACKET packet)
{
    eng_time_ns now = eng_now(pr->sim);
    pr->adapter = a;
    pr->c.indicated++;
    eng_time_ns lat = now - (eng_time_ns)NDIS_GET_PACKET_TIME_RECEIVED(packet) * 100;
    if (lat >= 0)
        stats_hist_record(&pr->latency, lat);
    else
        pr->c.bad_timestamps++;
    NDIS_STATUS st = NDIS_GET_PACKET_STATUS(packet);
    if (st == NDIS_STATUS_RESOURCES) {
        pr->c.resources++;
        return false;
    }
    if (st != NDIS_STATUS_SUCCESS) {
        pr->c.other++;
        return false;
    }
    /* The n-th SUCCESS packet (from 0) is kept when floor((n + 1) s) > floor(n s): exactly
     * the share s of them, evenly spread, with no random draw. */
    uint64_t n = pr->offered++;
    if (pr->keep_share < 1.0 &&
        floor((double)(n + 1) * pr->keep_share) <= floor((double)n * pr->keep_share)) {
        pr->c.copied++;
        return false;
    }
    keep(pr, packet, now);
    return true;
}

void host_protocol_return_all(host_protocol *pr)
{
    /* In the order kept: walk the records by sequence (held is small; O(n^2) is fine). */
    while (pr->held > 0) {
        uint32_t best = NONE;
        for (uint32_t i = 0; i < pr->nrec; i++)
            if (pr->rec[i].used && (best == NONE || pr->rec[i].seq < pr->rec[best].seq))
                best = i;
        assert(best != NONE);
        eng_cancel(pr->sim, pr->rec[best].ev);
        give_back(pr, best);
    }
    pr->nwait = 0;
    pr->wait_head = 0;
    pr->busy = 0;
}

/* ---- counters -------------------------------------------------------------------------- */

void host_protocol_counters(const host_protocol *pr, struct host_protocol_counters *out)
{
    *out = pr->c;
}

const stats_level *host_protocol_held_level(const host_protocol *pr)
{
    return &pr->held_level;
}

const stats_hist *host_protocol_latency_hist(const host_protocol *pr)
{
    return &pr->latency;
}

const stats_hist *host_protocol_hold_hist(const host_protocol *pr)
{
    return &pr->hold_time;
}

unsigned host_protocol_workers(const host_protocol *pr)
{
    return pr->workers;
}

void host_protocol_stats_reset(host_protocol *pr)
{
    memset(&pr->c, 0, sizeof pr->c);
    pr->c.held_peak = pr->held;
    pr->c.waiting_peak = pr->nwait;
    stats_level_reset_window(&pr->held_level, eng_now(pr->sim));
    stats_hist_reset(&pr->latency);
    stats_hist_reset(&pr->hold_time);
}
