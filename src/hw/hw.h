/* SPDX-License-Identifier: MIT */
/*
 * hw: the device models of dmasim, a shared DMA bus and the SimNIC controller.
 *
 * A bus serves the DMA transfers of the NICs on it one at a time, in request order (a FIFO
 * single server); a transfer of n bytes holds it for overhead + n / bandwidth, rounded up
 * to whole nanoseconds. A SimNIC implements docs/simnic.md: a register block reached
 * through struct nd_device_ops, descriptor rings in the driver's shared memory (read and
 * written through nd_phys_to_virt), an on-chip receive FIFO, DMA over its bus, a link that
 * serializes frames in each direction, and moderated interrupts raised with
 * nd_adapter_interrupt.
 *
 * Invariants: every delay comes from the engine's clock, so nothing the device does is
 * instantaneous except register access; a frame's bytes leave the FIFO only through a bus
 * transfer; the device never touches memory the driver did not hand it through a ring;
 * an interrupt is never raised from inside a register access (it is raised by an event at
 * the same instant), so driver code is never re-entered.
 *
 * Not here: frame contents (frames are lengths only; receive DMA checks the buffer's
 * address but writes no payload), link errors, multiple queues, checksum offload.
 */
#ifndef HW_H
#define HW_H

#include <stdbool.h>
#include <stdint.h>

#include "dms.h"
#include "eng.h"
#include "nd.h"
#include "stats.h"

/* ------------------------------------------------------------------------------------------
 * Bus
 */

typedef struct hw_bus hw_bus;

struct hw_bus_params {
    uint64_t bandwidth_bytes_per_s; /* > 0; PCI 32-bit/33 MHz: 133000000 */
    eng_time_ns overhead_ns;        /* per transfer, >= 0 (arbitration, address phase) */
};

/* Fills p with the defaults of docs/simnic.md: 133 MB/s, no per-transfer overhead. */
void hw_bus_params_default(struct hw_bus_params *p);

/*
 * Creates a bus on engine sim (borrowed; must outlive the bus). Returns 0 and *out (freed
 * with hw_bus_free), or DMS_EINVAL with err filled when a parameter is out of range.
 */
int hw_bus_new(hw_bus **out, eng_sim *sim, const struct hw_bus_params *p, struct dms_error *err);

/* Frees the bus and cancels its event. Transfers still queued are dropped without their
 * callbacks. NULL does nothing. */
void hw_bus_free(hw_bus *b);

/* Called from an engine event when a transfer has finished; the bus has already started
 * the next queued transfer, so a callback that requests another one queues behind it. */
typedef void (*hw_bus_done_fn)(void *ctx, uint64_t arg);

/*
 * Requests a DMA transfer of bytes bytes. It starts when every earlier request has
 * finished (at once if the bus is idle) and holds the bus for hw_bus_transfer_ns(b, bytes);
 * then done(ctx, arg) is called. ctx is borrowed and must outlive the transfer. No host
 * allocation in steady state (the queue grows by doubling).
 */
void hw_bus_transfer(hw_bus *b, uint64_t bytes, hw_bus_done_fn done, void *ctx, uint64_t arg);

/* Forgets the callbacks of every queued or running transfer whose ctx is ctx: they still
 * hold the bus for their time but call nothing. For a requester that goes away. */
void hw_bus_forget(hw_bus *b, const void *ctx);

/* The bus time of one transfer: overhead_ns + ceil(bytes * 1e9 / bandwidth) ns. */
eng_time_ns hw_bus_transfer_ns(const hw_bus *b, uint64_t bytes);

struct hw_bus_counters {
    eng_time_ns busy_ns;     /* time the bus was transferring, up to now */
    uint64_t transfers;      /* completed transfers */
    uint64_t bytes;          /* bytes of completed transfers */
    uint64_t max_waiting;    /* most requests waiting at once (not counting the one served) */
    uint64_t waiting;        /* requests waiting now */
    eng_time_ns wait_ns;     /* summed time completed transfers waited before starting */
};

/* Fills *out with the counters since creation or the last hw_bus_stats_reset. */
void hw_bus_counters(const hw_bus *b, struct hw_bus_counters *out);

/* Zeroes the counters (the end of a warm-up); busy time restarts from now. */
void hw_bus_stats_reset(hw_bus *b);

/* ------------------------------------------------------------------------------------------
 * SimNIC: registers and descriptors (docs/simnic.md)
 */

#define HW_NIC_BAR_BYTES 256u

#define HW_NIC_CTRL 0x00u
#define HW_NIC_STATUS 0x04u
#define HW_NIC_LINK_SPEED 0x08u
#define HW_NIC_ICR 0x10u
#define HW_NIC_IMR 0x14u
#define HW_NIC_RX_RING_LO 0x20u
#define HW_NIC_RX_RING_HI 0x24u
#define HW_NIC_RX_RING_SIZE 0x28u
#define HW_NIC_RX_TAIL 0x2Cu
#define HW_NIC_RX_HEAD 0x30u
#define HW_NIC_TX_RING_LO 0x40u
#define HW_NIC_TX_RING_HI 0x44u
#define HW_NIC_TX_RING_SIZE 0x48u
#define HW_NIC_TX_TAIL 0x4Cu
#define HW_NIC_TX_HEAD 0x50u
#define HW_NIC_MAC_LO 0x60u
#define HW_NIC_MAC_HI 0x64u
#define HW_NIC_RX_FRAMES 0x70u
#define HW_NIC_RX_DROPS 0x74u
#define HW_NIC_RX_ERRORS 0x78u

#define HW_NIC_CTRL_RX_EN 0x1u
#define HW_NIC_CTRL_TX_EN 0x2u
#define HW_NIC_CTRL_RESET 0x80000000u
#define HW_NIC_STATUS_LINK_UP 0x1u

#define HW_NIC_INT_RX_DONE 0x1u
#define HW_NIC_INT_TX_DONE 0x2u
#define HW_NIC_INT_RX_NO_DESC 0x4u
#define HW_NIC_INT_RX_DROP 0x8u
#define HW_NIC_INT_ALL 0xFu

#define HW_NIC_RING_MAX 65536u       /* largest RX/TX_RING_SIZE */
#define HW_DESC_BYTES 32u            /* one descriptor */
#define HW_WIRE_EXTRA_BYTES 24u      /* preamble 8 + FCS 4 + inter-frame gap 12 */

/* Receive descriptor field offsets. */
#define HW_RXD_ADDR 0u
#define HW_RXD_BUF_LEN 8u
#define HW_RXD_STATUS 12u
#define HW_RXD_FRAME_LEN 16u
#define HW_RXD_TIMESTAMP 24u
#define HW_RXD_STATUS_DD 0x1u
#define HW_RXD_STATUS_EOP 0x2u

/* Transmit descriptor field offsets. */
#define HW_TXD_ADDR 0u
#define HW_TXD_LEN 8u
#define HW_TXD_FLAGS 12u
#define HW_TXD_COOKIE 16u
#define HW_TXD_TIMESTAMP 24u
#define HW_TXD_FLAG_EOP 0x1u
#define HW_TXD_FLAG_DD 0x2u

/* ------------------------------------------------------------------------------------------
 * SimNIC: the model
 */

typedef struct hw_nic hw_nic;

struct hw_nic_params {
    uint8_t mac[6];                  /* station address (MAC_LO/MAC_HI) */
    uint64_t link_bps;               /* link speed in bit/s, both directions; > 0 */
    uint32_t fifo_bytes;             /* on-chip receive FIFO; 0 = none; <= STATS_LEVEL_MAX */
    eng_time_ns moderation_delay_ns; /* 0 = raise at once */
    uint32_t moderation_packets;     /* causes that raise at once; >= 1 */
    uint32_t link_backlog_frames;    /* frames that may wait upstream for the receive link
                                        (a trace faster than the link); more are dropped */
};

/* Fills p with the defaults of docs/simnic.md: 1 Gbit/s, 16 KiB FIFO, no moderation, MAC
 * 02:00:00:00:00:01, a backlog of 4096 frames. */
void hw_nic_params_default(struct hw_nic_params *p);

/*
 * Creates a SimNIC on engine sim, reaching the driver's shared memory through machine m and
 * doing its DMA on bus (sim, m and bus are borrowed and must outlive the NIC). The NIC
 * starts as after a reset: disabled, all interrupts masked. Returns 0 and *out (freed with
 * hw_nic_free), or DMS_EINVAL with err filled when a parameter is out of range.
 */
int hw_nic_new(hw_nic **out, eng_sim *sim, nd_machine *m, hw_bus *bus,
               const struct hw_nic_params *p, struct dms_error *err);

/* Frees the NIC, cancels its events and makes its queued bus transfers call nothing
 * (hw_bus_forget); the bus must still be alive. NULL does nothing. */
void hw_nic_free(hw_nic *n);

/* The register access table for nd_adapter_params.device_ops; its dev argument is the
 * hw_nic. Static storage; never NULL. */
const struct nd_device_ops *hw_nic_device_ops(void);

/* Direct register access (what the ops table calls), for tests and tools. Unknown or
 * unaligned offsets read as 0 and ignore writes. */
uint32_t hw_nic_read32(hw_nic *n, uint32_t offset);
void hw_nic_write32(hw_nic *n, uint32_t offset, uint32_t value);

/* Interrupts are raised on adapter a (borrowed) from now on; NULL detaches. */
void hw_nic_attach(hw_nic *n, nd_adapter *a);

/* Optional hooks (fn NULL removes). The interrupt hook runs each time the NIC raises its
 * interrupt, after nd_adapter_interrupt. The transmit hook runs when a frame's last bit has
 * left (frame_len bytes, without the 24 wire bytes). ctx is borrowed. */
typedef void (*hw_nic_irq_fn)(void *ctx, hw_nic *n);
typedef void (*hw_nic_tx_fn)(void *ctx, hw_nic *n, uint32_t frame_len, eng_time_ns last_bit_ns);
void hw_nic_set_irq_hook(hw_nic *n, hw_nic_irq_fn fn, void *ctx);
void hw_nic_set_tx_hook(hw_nic *n, hw_nic_tx_fn fn, void *ctx);

/*
 * A frame of frame_len bytes (FCS stripped) starts arriving from the link now, or when the
 * previous frame's last bit has arrived if that is later. It is complete (and enters the
 * FIFO or is dropped) (frame_len + 24) * 8 / link_bps later; its descriptor timestamp is
 * the start.
 */
void hw_nic_frame_arrives(hw_nic *n, uint32_t frame_len);

/* Link time of a frame of frame_len bytes: ceil((frame_len + 24) * 8 * 1e9 / link_bps) ns. */
eng_time_ns hw_nic_wire_ns(const hw_nic *n, uint32_t frame_len);

/*
 * Receive accounting closes exactly: rx_in_flight_start + frames_offered = rx_frames +
 * fifo_drops + no_desc_drops + oversize_drops + disabled_drops + link_drops +
 * reset_discards + hw_nic_rx_in_flight(n), at any instant (test_hw checks it).
 */
struct hw_nic_counters {
    uint64_t frames_offered;     /* hw_nic_frame_arrives calls */
    uint64_t rx_in_flight_start; /* frames in flight when the counters were last reset */
    uint64_t frames_arrived;     /* frames whose last bit arrived (dropped or not) */
    uint64_t rx_frames;          /* received into descriptors (RX_FRAMES) */
    uint64_t rx_bytes;           /* their bytes */
    uint64_t fifo_drops;         /* dropped: the FIFO had no room for the frame */
    uint64_t no_desc_drops;      /* dropped: no FIFO and no free descriptor */
    uint64_t oversize_drops;     /* dropped: larger than the descriptor's buffer (RX_ERRORS) */
    uint64_t disabled_drops;     /* dropped: arrived with RX_EN clear */
    uint64_t link_drops;         /* dropped upstream: the link's backlog was full (a trace
                                    offering frames faster than the link carries them) */
    uint64_t reset_discards;     /* frames in the FIFO or being written back, discarded by
                                    a reset */
    uint64_t no_desc_waits;      /* times the head frame had to wait for a descriptor */
    uint64_t fifo_peak_bytes;    /* highest FIFO occupancy */
    uint64_t rx_dma_bytes;       /* bus bytes for receive (data and descriptor write-back) */
    uint64_t tx_frames;          /* frames sent */
    uint64_t tx_bytes;           /* their bytes (without the 24 wire bytes) */
    uint64_t tx_descriptors;     /* transmit descriptors completed */
    uint64_t tx_dma_bytes;       /* bus bytes for transmit (fragments) */
    uint64_t interrupts;         /* interrupts raised */
    uint64_t dma_faults;         /* ring or buffer addresses outside shared memory */
    uint64_t link_backlog_peak;  /* most frames on or waiting for the receive link */
};

/* Fills *out with the counters since creation or the last hw_nic_stats_reset. */
void hw_nic_counters(const hw_nic *n, struct hw_nic_counters *out);

/* The time-weighted FIFO occupancy in bytes (including the frame being copied out), with
 * its exact histogram. Borrowed; valid until hw_nic_free. Query with t_end = eng_now(). */
const stats_level *hw_nic_fifo_level(const hw_nic *n);

/* Receive frames in flight now: on or waiting for the link, in the FIFO (including the one
 * being copied), or being written back. */
uint64_t hw_nic_rx_in_flight(const hw_nic *n);

/* Zeroes the counters and restarts the FIFO level's window at now (end of a warm-up). The
 * hardware registers RX_FRAMES, RX_DROPS and RX_ERRORS are not affected. */
void hw_nic_stats_reset(hw_nic *n);

#endif /* HW_H */
