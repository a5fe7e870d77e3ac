/* SPDX-License-Identifier: MIT */
/*
 * hw_nic_rx: the SimNIC's receive side: link, FIFO and receive DMA (docs/simnic.md).
 *
 * Frames come off the link in order, one at a time: wire holds the frame whose bits are
 * arriving and the frames waiting upstream behind it, and a single engine event marks the
 * last bit of the front one. A complete frame is admitted to the FIFO if its bytes fit
 * (with no FIFO: if a posted descriptor is free for it) and is dropped otherwise. The
 * receive DMA engine serves the FIFO in order, one frame at a time: the frame's data and
 * then its 32-byte descriptor write-back go over the bus as one burst of frame_len + 32
 * bytes (one bus transfer, so one engine event per frame); when it ends, the frame's bytes
 * leave the FIFO, the descriptor reads DD|EOP, RX_HEAD advances and RX_DONE is set.
 *
 * Invariants: fifo_used is the sum of the lengths in fifo; rx_busy is set exactly while a
 * frame's burst is on the bus, and that frame is fifo's front. No payload bytes are
 * written; the buffer's address is checked through nd_phys_to_virt.
 */
#include <assert.h>
#include <stdlib.h>

#include "hw.h"
#include "hw_int.h"

/* ---- frame queue ----------------------------------------------------------------------- */

void hw__fq_init(struct hw__fq *q)
{
    q->cap = 16;
    q->v = dms_xmalloc(q->cap * sizeof *q->v);
    q->head = q->len = 0;
}

void hw__fq_fini(struct hw__fq *q)
{
    free(q->v);
    q->v = NULL;
    q->cap = q->head = q->len = 0;
}

void hw__fq_push(struct hw__fq *q, struct hw__frame f)
{
    if (q->len == q->cap) {
        struct hw__frame *nv = dms_xmalloc(2 * (size_t)q->cap * sizeof *nv);
        for (uint32_t i = 0; i < q->len; i++)
            nv[i] = q->v[(q->head + i) & (q->cap - 1)];
        free(q->v);
        q->v = nv;
        q->cap *= 2;
        q->head = 0;
    }
    q->v[(q->head + q->len) & (q->cap - 1)] = f;
    q->len++;
}

struct hw__frame *hw__fq_front(struct hw__fq *q)
{
    return q->len ? &q->v[q->head] : NULL;
}

void hw__fq_pop(struct hw__fq *q)
{
    assert(q->len > 0);
    q->head = (q->head + 1) & (q->cap - 1);
    q->len--;
}

/* ---- FIFO occupancy -------------------------------------------------------------------- */

static void fifo_add(hw_nic *n, int64_t delta)
{
    n->fifo_used = (uint64_t)((int64_t)n->fifo_used + delta);
    if (n->fifo_used > n->c.fifo_peak_bytes)
        n->c.fifo_peak_bytes = n->fifo_used;
    int rc = stats_level_set(&n->fifo_level, eng_now(n->sim), (int64_t)n->fifo_used);
    assert(rc == 0);
    (void)rc;
}

void hw__rx_init(hw_nic *n)
{
    hw__fq_init(&n->wire);
    hw__fq_init(&n->fifo);
    int rc = stats_level_init(&n->fifo_level, eng_now(n->sim), 0);
    assert(rc == 0);
    (void)rc;
}

void hw__rx_fini(hw_nic *n)
{
    eng_cancel(n->sim, n->wire_ev);
    hw__fq_fini(&n->wire);
    hw__fq_fini(&n->fifo);
    stats_level_fini(&n->fifo_level);
}

void hw__rx_reset(hw_nic *n)
{
    n->c.reset_discards += n->fifo.len; /* the frame on the bus is still in the FIFO */
    n->fifo.head = n->fifo.len = 0;
    fifo_add(n, -(int64_t)n->fifo_used);
    n->rx_busy = false;
    n->rx_waiting = false;
}

/* ---- receive DMA ----------------------------------------------------------------------- */

static void rx_bus_done(void *ctx, uint64_t arg);

/* Drops the FIFO's front frame because it does not fit its descriptor's buffer. */
static void drop_oversize(hw_nic *n, uint32_t len)
{
    hw__fq_pop(&n->fifo);
    fifo_add(n, -(int64_t)len);
    n->c.oversize_drops++;
    n->reg_rx_errors++;
}

void hw__rx_kick(hw_nic *n)
{
    while (!n->rx_busy && n->fifo.len > 0 && (n->ctrl & HW_NIC_CTRL_RX_EN)) {
        struct hw__frame *f = hw__fq_front(&n->fifo);
        uint8_t *ring = hw__ring_va(n, &n->rx);
        if (!ring || hw__ring_owned(&n->rx) == 0) {
            if (!n->rx_waiting) {
                n->rx_waiting = true;
                n->c.no_desc_waits++;
                hw__cause(n, HW_NIC_INT_RX_NO_DESC);
            }
            return;
        }
        n->rx_waiting = false;
        const uint8_t *d = ring + (size_t)n->rx.head * HW_DESC_BYTES;
        if (f->len > hw__ld32(d + HW_RXD_BUF_LEN)) {
            drop_oversize(n, f->len);
            continue;
        }
        n->rx_busy = true;
        n->rx_cur = *f;
        n->rx_cur_desc = n->rx.head;
        hw_bus_transfer(n->bus, (uint64_t)f->len + HW_DESC_BYTES, rx_bus_done, n, hw__arg(n));
    }
}

/* The frame's data and its descriptor are in host memory: the frame leaves the FIFO and
 * the driver may see it. */
static void rx_bus_done(void *ctx, uint64_t arg)
{
    hw_nic *n = ctx;
    if (arg != n->gen)
        return; /* started before a reset */
    hw__fq_pop(&n->fifo);
    fifo_add(n, -(int64_t)n->rx_cur.len);
    n->c.rx_dma_bytes += (uint64_t)n->rx_cur.len + HW_DESC_BYTES;
    uint8_t *ring = hw__ring_va(n, &n->rx);
    if (ring) {
        uint8_t *d = ring + (size_t)n->rx_cur_desc * HW_DESC_BYTES;
        uint64_t pa = hw__ld64(d + HW_RXD_ADDR);
        if (n->rx_cur.len > 0 && !nd_phys_to_virt(n->m, pa, n->rx_cur.len))
            n->c.dma_faults++;
        hw__st32(d + HW_RXD_FRAME_LEN, n->rx_cur.len);
        hw__st64(d + HW_RXD_TIMESTAMP, (uint64_t)n->rx_cur.ts_ns);
        hw__st32(d + HW_RXD_STATUS, HW_RXD_STATUS_DD | HW_RXD_STATUS_EOP);
    }
    n->rx.head = n->rx.size ? hw__wrap(n->rx_cur_desc + 1, n->rx.size) : 0;
    n->c.rx_frames++;
    n->c.rx_bytes += n->rx_cur.len;
    n->reg_rx_frames++;
    n->rx_busy = false;
    hw__cause(n, HW_NIC_INT_RX_DONE);
    hw__rx_kick(n);
}

/* ---- link and admission ---------------------------------------------------------------- */

/* Descriptors posted and not yet spoken for by a frame in the FIFO or being written back. */
static uint32_t free_descriptors(const hw_nic *n)
{
    uint32_t taken = n->fifo.len;
    uint32_t owned = hw__ring_owned(&n->rx);
    return owned > taken ? owned - taken : 0;
}

/* A frame is complete at the NIC: into the FIFO, or dropped. */
static void admit(hw_nic *n, struct hw__frame f)
{
    n->c.frames_arrived++;
    if (!(n->ctrl & HW_NIC_CTRL_RX_EN)) {
        n->c.disabled_drops++;
        return;
    }
    bool fits = n->p.fifo_bytes == 0 ? free_descriptors(n) > 0
                                     : n->fifo_used + f.len <= n->p.fifo_bytes;
    if (!fits) {
        if (n->p.fifo_bytes == 0)
            n->c.no_desc_drops++;
        else
            n->c.fifo_drops++;
        n->reg_rx_drops++;
        hw__cause(n, HW_NIC_INT_RX_DROP);
        return;
    }
    hw__fq_push(&n->fifo, f);
    fifo_add(n, f.len);
    hw__rx_kick(n);
}

static void on_wire(eng_sim *sim, void *ctx, uint64_t arg)
{
    hw_nic *n = ctx;
    (void)sim;
    (void)arg;
    struct hw__frame f = *hw__fq_front(&n->wire);
    hw__fq_pop(&n->wire);
    n->wire_ev = (eng_event){0};
    if (n->wire.len > 0) {
        const struct hw__frame *next = hw__fq_front(&n->wire);
        n->wire_ev = eng_at(n->sim, next->ts_ns + hw_nic_wire_ns(n, next->len), on_wire, n, 0);
    }
    admit(n, f);
}

void hw_nic_frame_arrives(hw_nic *n, uint32_t frame_len)
{
    eng_time_ns now = eng_now(n->sim);
    eng_time_ns start = DMS_MAX(now, n->rx_link_free_ns);
    n->c.frames_offered++;
    if (start > now && n->wire.len > n->p.link_backlog_frames) {
        n->c.link_drops++;
        return;
    }
    hw__fq_push(&n->wire, (struct hw__frame){start, frame_len});
    n->rx_link_free_ns = start + hw_nic_wire_ns(n, frame_len);
    if (n->wire.len > n->c.link_backlog_peak)
        n->c.link_backlog_peak = n->wire.len;
    if (n->wire.len == 1)
        n->wire_ev = eng_at(n->sim, n->rx_link_free_ns, on_wire, n, 0);
}
