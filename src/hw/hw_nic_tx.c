/* SPDX-License-Identifier: MIT */
/*
 * hw_nic_tx: the SimNIC's transmit engine (docs/simnic.md).
 *
 * Three stages, each holding at most one frame: fetch (the frame's fragments are read by
 * DMA, one bus transfer per descriptor, in order), staged (fetched, waiting for the link)
 * and wire (being serialized: frame + 24 bytes at link speed). A frame is fetched only
 * when the stage behind the wire is empty, so the device reads at most one frame ahead of
 * the link. When the last bit has left, every descriptor of the frame gets DD and the
 * timestamp, TX_HEAD advances past them and TX_DONE is set.
 *
 * Invariants: descriptors [TX_HEAD, tx_fetch) belong to the frames in the three stages, in
 * ring order; a frame's descriptors are taken only once its EOP descriptor is owned by the
 * device (before TX_TAIL). Descriptor reads and write-backs take no bus time; fragment
 * addresses are not checked (they are the protocol's memory, not shared memory).
 */
#include <stdlib.h>

#include "hw.h"
#include "hw_int.h"

static void tx_bus_done(void *ctx, uint64_t arg);
static void on_tx_end(eng_sim *sim, void *ctx, uint64_t arg);

void hw__tx_reset(hw_nic *n)
{
    eng_cancel(n->sim, n->tx_ev);
    n->tx_ev = (eng_event){0};
    n->fetching = n->staged = n->on_wire = false;
    n->tx_fetch = 0;
}

static uint8_t *tx_desc(hw_nic *n, uint8_t *ring, uint32_t first, uint32_t i)
{
    return ring + (size_t)hw__wrap(first + i, n->tx.size) * HW_DESC_BYTES;
}

/* Looks for a whole frame at tx_fetch: true and *f filled when its EOP is owned. */
static bool find_frame(hw_nic *n, uint8_t *ring, struct hw__txf *f)
{
    uint32_t len = 0;
    for (uint32_t i = 0, idx = n->tx_fetch; idx != n->tx.tail; i++) {
        const uint8_t *d = tx_desc(n, ring, n->tx_fetch, i);
        len += hw__ld32(d + HW_TXD_LEN);
        if (hw__ld32(d + HW_TXD_FLAGS) & HW_TXD_FLAG_EOP) {
            *f = (struct hw__txf){n->tx_fetch, i + 1, len, 0};
            return true;
        }
        idx = hw__wrap(idx + 1, n->tx.size);
    }
    return false;
}

static void read_fragment(hw_nic *n, uint8_t *ring)
{
    const uint8_t *d = tx_desc(n, ring, n->fetch_f.first, n->fetch_f.frag);
    hw_bus_transfer(n->bus, hw__ld32(d + HW_TXD_LEN), tx_bus_done, n, hw__arg(n));
}

void hw__tx_kick(hw_nic *n)
{
    if (!(n->ctrl & HW_NIC_CTRL_TX_EN) || n->fetching || n->staged)
        return;
    uint8_t *ring = hw__ring_va(n, &n->tx);
    if (!ring || !find_frame(n, ring, &n->fetch_f))
        return;
    n->fetching = true;
    read_fragment(n, ring);
}

static void start_wire(hw_nic *n, struct hw__txf f)
{
    eng_time_ns start = DMS_MAX(eng_now(n->sim), n->tx_link_free_ns);
    n->tx_link_free_ns = start + hw_nic_wire_ns(n, f.len);
    n->wire_f = f;
    n->on_wire = true;
    n->tx_ev = eng_at(n->sim, n->tx_link_free_ns, on_tx_end, n, 0);
}

static void tx_bus_done(void *ctx, uint64_t arg)
{
    hw_nic *n = ctx;
    if (arg != n->gen)
        return; /* started before a reset */
    uint8_t *ring = hw__ring_va(n, &n->tx);
    if (!ring)
        return; /* the ring was moved under the device: the frame is lost */
    n->c.tx_dma_bytes += hw__ld32(tx_desc(n, ring, n->fetch_f.first, n->fetch_f.frag) + HW_TXD_LEN);
    if (++n->fetch_f.frag < n->fetch_f.ndesc) {
        read_fragment(n, ring);
        return;
    }
    n->fetching = false;
    n->tx_fetch = hw__wrap(n->fetch_f.first + n->fetch_f.ndesc, n->tx.size);
    if (n->on_wire) {
        n->stage_f = n->fetch_f;
        n->staged = true;
    } else {
        start_wire(n, n->fetch_f);
    }
    hw__tx_kick(n);
}

static void on_tx_end(eng_sim *sim, void *ctx, uint64_t arg)
{
    hw_nic *n = ctx;
    (void)arg;
    eng_time_ns now = eng_now(sim);
    struct hw__txf f = n->wire_f;
    n->tx_ev = (eng_event){0};
    n->on_wire = false;
    uint8_t *ring = hw__ring_va(n, &n->tx);
    if (ring) {
        for (uint32_t i = 0; i < f.ndesc; i++) {
            uint8_t *d = tx_desc(n, ring, f.first, i);
            hw__st64(d + HW_TXD_TIMESTAMP, (uint64_t)now);
            hw__st32(d + HW_TXD_FLAGS, hw__ld32(d + HW_TXD_FLAGS) | HW_TXD_FLAG_DD);
        }
        n->tx.head = hw__wrap(f.first + f.ndesc, n->tx.size);
    }
    n->c.tx_frames++;
    n->c.tx_bytes += f.len;
    n->c.tx_descriptors += f.ndesc;
    if (n->staged) {
        n->staged = false;
        start_wire(n, n->stage_f);
    }
    hw__tx_kick(n);
    hw__cause(n, HW_NIC_INT_TX_DONE);
    if (n->tx_fn)
        n->tx_fn(n->tx_ctx, n, f.len, now);
}
