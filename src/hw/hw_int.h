/* SPDX-License-Identifier: MIT */
/*
 * hw_int: what the files of the hw module share and nobody else sees: the SimNIC's state,
 * a queue of frames, little-endian descriptor access and exact time arithmetic.
 *
 * The SimNIC's state is split by concern: registers and interrupts (hw_nic.c), the receive
 * link, FIFO and receive DMA (hw_nic_rx.c), and the transmit engine (hw_nic_tx.c). Every
 * bus transfer carries the NIC's reset generation in its argument, so a completion that
 * belongs to the time before a reset is recognised and ignored.
 */
#ifndef HW_INT_H
#define HW_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "hw.h"

/* ceil(a * b / c) for c > 0, exact, saturating at INT64_MAX. Every frame and transfer
 * fits the 64-bit path (a * b + c below 2^64); only absurd sizes take the 128-bit one. */
static inline int64_t hw__ceil_scaled(uint64_t a, uint64_t b, uint64_t c)
{
    if (a <= (UINT64_C(1) << 33) && b <= (UINT64_C(1) << 30) && c <= (UINT64_C(1) << 62)) {
        uint64_t q = (a * b + c - 1) / c; /* a * b <= 2^63 and c - 1 < 2^62: no wrap */
        return (int64_t)q;
    }
    unsigned __int128 p = (unsigned __int128)a * b;
    unsigned __int128 q = (p + c - 1) / c;
    return q > (unsigned __int128)INT64_MAX ? INT64_MAX : (int64_t)q;
}

/* x % n (n > 0) without a division in the usual case, a ring index just past the end. */
static inline uint32_t hw__wrap(uint32_t x, uint32_t n)
{
    if (x < n)
        return x;
    return x - n < n ? x - n : x % n;
}

/* Little-endian loads and stores of descriptor fields, independent of the host's order. */
static inline uint32_t hw__ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t hw__ld64(const uint8_t *p)
{
    return (uint64_t)hw__ld32(p) | (uint64_t)hw__ld32(p + 4) << 32;
}
static inline void hw__st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void hw__st64(uint8_t *p, uint64_t v)
{
    hw__st32(p, (uint32_t)v);
    hw__st32(p + 4, (uint32_t)(v >> 32));
}

/* A frame: when it started arriving and its length. */
struct hw__frame {
    eng_time_ns ts_ns;
    uint32_t len;
};

/* A FIFO queue of frames in a ring buffer that grows by doubling. */
struct hw__fq {
    struct hw__frame *v;
    uint32_t cap, head, len;
};

void hw__fq_init(struct hw__fq *q);
void hw__fq_fini(struct hw__fq *q);
void hw__fq_push(struct hw__fq *q, struct hw__frame f);
struct hw__frame *hw__fq_front(struct hw__fq *q); /* NULL when empty */
void hw__fq_pop(struct hw__fq *q);

/* One descriptor ring: its registers and the cached host address of the ring. */
struct hw__ring {
    uint32_t lo, hi, size, tail, head;
    uint8_t *va;        /* host memory of the ring, or NULL when unusable */
    bool resolved;      /* va reflects lo, hi and size (cleared when one is written) */
};

/* A transmit frame: its descriptors [first, first + ndesc) and bytes. */
struct hw__txf {
    uint32_t first, ndesc;
    uint32_t len;
    uint32_t frag;      /* next fragment to read (while fetching) */
};

struct hw_nic {
    eng_sim *sim;
    nd_machine *m;
    hw_bus *bus;
    struct hw_nic_params p;
    nd_adapter *adapter;
    hw_nic_irq_fn irq_fn;
    void *irq_ctx;
    hw_nic_tx_fn tx_fn;
    void *tx_ctx;

    uint32_t ctrl, icr, imr;
    uint32_t gen;                  /* reset generation */
    struct hw__ring rx, tx;
    uint32_t reg_rx_frames, reg_rx_drops, reg_rx_errors;

    /* receive link: frames on the wire or waiting upstream, completing in order */
    struct hw__fq wire;
    eng_time_ns rx_link_free_ns;   /* when the last queued frame's last bit arrives */
    eng_event wire_ev;             /* completion of wire's front frame */

    /* receive FIFO and DMA */
    struct hw__fq fifo;            /* admitted frames; the front one is copied out first */
    uint64_t fifo_used;            /* bytes of the frames in fifo */
    bool rx_busy;                  /* a frame's data and descriptor burst is on the bus */
    bool rx_waiting;               /* the front frame is waiting for a descriptor */
    struct hw__frame rx_cur;       /* the frame being copied */
    uint32_t rx_cur_desc;          /* its descriptor index */
    stats_level fifo_level;        /* fifo_used over time */

    /* transmit */
    uint32_t tx_fetch;             /* next descriptor to fetch */
    bool fetching, staged, on_wire;
    struct hw__txf fetch_f, stage_f, wire_f;
    eng_time_ns tx_link_free_ns;
    eng_event tx_ev;               /* last bit of wire_f */

    /* interrupts */
    uint32_t pending;              /* enabled causes not yet signalled */
    eng_time_ns first_pending_ns;  /* when the first of them was set */
    eng_event mod_ev;              /* moderation timer */
    bool raise_pending;            /* a raise is deferred to the end of the current event */

    struct hw_nic_counters c;
};

/* hw_nic.c */
void hw__cause(hw_nic *n, uint32_t bits);
uint8_t *hw__ring_va(hw_nic *n, struct hw__ring *r);
static inline uint32_t hw__ring_owned(const struct hw__ring *r)
{
    return r->size ? hw__wrap(r->tail + r->size - r->head, r->size) : 0;
}
/* A bus transfer's argument: the reset generation it was started in. */
static inline uint64_t hw__arg(const hw_nic *n)
{
    return n->gen;
}

/* hw_nic_rx.c */
void hw__rx_init(hw_nic *n);
void hw__rx_fini(hw_nic *n);
void hw__rx_reset(hw_nic *n);
void hw__rx_kick(hw_nic *n);

/* hw_nic_tx.c */
void hw__tx_reset(hw_nic *n);
void hw__tx_kick(hw_nic *n);

#endif /* HW_INT_H */
