/* SPDX-License-Identifier: MIT */
/*
 * hw_bus: a DMA bus shared by the NICs on it, as a FIFO single server.
 *
 * Requests wait in a ring buffer in arrival order; while the bus is busy, the request at
 * the head of the ring is the one being served and exactly one engine event (its
 * completion) is pending. Invariant: busy == (len > 0), and the pending event's time is
 * cur_start + hw_bus_transfer_ns(head). A completion starts the next request before it
 * calls the finished one's callback, so a requester that immediately asks again queues
 * behind everyone who was already waiting: two saturating requesters alternate and each
 * gets half the bandwidth.
 *
 * The bus knows nothing of NICs or frames; it does not split, merge or reorder transfers.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "hw_int.h"

struct req {
    uint64_t bytes;
    hw_bus_done_fn done;     /* NULL once forgotten */
    void *ctx;
    uint64_t arg;
    eng_time_ns t_req_ns;    /* when it was requested */
};

struct hw_bus {
    eng_sim *sim;
    struct hw_bus_params p;
    struct req *q;           /* ring of requests; q[head] is in service while len > 0 */
    size_t cap, head, len;
    eng_time_ns cur_start_ns;/* start of the transfer in service */
    eng_event ev;            /* its completion */
    struct hw_bus_counters c;
    eng_time_ns busy_acc_ns; /* busy time of finished transfers (within the window) */
    eng_time_ns window_ns;   /* start of the counting window */
};

void hw_bus_params_default(struct hw_bus_params *p)
{
    p->bandwidth_bytes_per_s = UINT64_C(133000000);
    p->overhead_ns = 0;
}

int hw_bus_new(hw_bus **out, eng_sim *sim, const struct hw_bus_params *p, struct dms_error *err)
{
    if (p->bandwidth_bytes_per_s == 0)
        return dms_error_set(err, DMS_EINVAL, "bus bandwidth must be positive");
    if (p->overhead_ns < 0)
        return dms_error_set(err, DMS_EINVAL, "bus overhead must not be negative");
    hw_bus *b = dms_xcalloc(1, sizeof *b);
    b->sim = sim;
    b->p = *p;
    b->cap = 16;
    b->q = dms_xmalloc(b->cap * sizeof *b->q);
    b->window_ns = eng_now(sim);
    *out = b;
    return 0;
}

void hw_bus_free(hw_bus *b)
{
    if (!b)
        return;
    eng_cancel(b->sim, b->ev);
    free(b->q);
    free(b);
}

eng_time_ns hw_bus_transfer_ns(const hw_bus *b, uint64_t bytes)
{
    return b->p.overhead_ns + hw__ceil_scaled(bytes, UINT64_C(1000000000),
                                              b->p.bandwidth_bytes_per_s);
}

/* The ring's capacity is a power of two (16, doubled), so positions wrap by a mask. */
static struct req *at(hw_bus *b, size_t i)
{
    return &b->q[(b->head + i) & (b->cap - 1)];
}

static void grow(hw_bus *b)
{
    size_t ncap = b->cap * 2;
    struct req *nq = dms_xmalloc(ncap * sizeof *nq);
    for (size_t i = 0; i < b->len; i++)
        nq[i] = *at(b, i);
    free(b->q);
    b->q = nq;
    b->cap = ncap;
    b->head = 0;
}

static void on_done(eng_sim *sim, void *ctx, uint64_t arg);

static void start_head(hw_bus *b)
{
    b->cur_start_ns = eng_now(b->sim);
    eng_time_ns d = hw_bus_transfer_ns(b, at(b, 0)->bytes);
    b->ev = eng_after(b->sim, d, on_done, b, 0);
}

static void on_done(eng_sim *sim, void *ctx, uint64_t arg)
{
    hw_bus *b = ctx;
    (void)arg;
    assert(b->len > 0);
    struct req r = *at(b, 0);
    b->head = (b->head + 1) & (b->cap - 1);
    b->len--;
    eng_time_ns now = eng_now(sim);
    eng_time_ns from = DMS_MAX(b->cur_start_ns, b->window_ns);
    b->busy_acc_ns += now - from;
    b->c.transfers++;
    b->c.bytes += r.bytes;
    b->c.wait_ns += b->cur_start_ns - r.t_req_ns;
    b->ev = (eng_event){0};
    if (b->len > 0)
        start_head(b);
    if (r.done)
        r.done(r.ctx, r.arg);
}

void hw_bus_transfer(hw_bus *b, uint64_t bytes, hw_bus_done_fn done, void *ctx, uint64_t arg)
{
    if (b->len == b->cap)
        grow(b);
    *at(b, b->len) = (struct req){bytes, done, ctx, arg, eng_now(b->sim)};
    b->len++;
    if (b->len == 1) {
        start_head(b);
        return;
    }
    if (b->len - 1 > b->c.max_waiting)
        b->c.max_waiting = b->len - 1;
}

void hw_bus_forget(hw_bus *b, const void *ctx)
{
    for (size_t i = 0; i < b->len; i++)
        if (at(b, i)->ctx == ctx)
            at(b, i)->done = NULL;
}

void hw_bus_counters(const hw_bus *b, struct hw_bus_counters *out)
{
    *out = b->c;
    out->busy_ns = b->busy_acc_ns;
    if (b->len > 0)
        out->busy_ns += eng_now(b->sim) - DMS_MAX(b->cur_start_ns, b->window_ns);
    out->waiting = b->len > 0 ? b->len - 1 : 0;
}

void hw_bus_stats_reset(hw_bus *b)
{
    memset(&b->c, 0, sizeof b->c);
    b->busy_acc_ns = 0;
    b->window_ns = eng_now(b->sim);
    b->c.max_waiting = b->len > 0 ? b->len - 1 : 0;
}
