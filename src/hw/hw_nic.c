/* SPDX-License-Identifier: MIT */
/*
 * hw_nic: the SimNIC's register block, interrupt logic and life cycle (docs/simnic.md).
 *
 * Registers are plain fields; a write takes effect at once and may start the receive or
 * transmit engine (hw_nic_rx.c, hw_nic_tx.c), which only ever schedule bus transfers and
 * engine events, so a register access never runs driver code. Interrupts follow the
 * datasheet's moderation rule: enabled causes (ICR & IMR) are counted as they are set; the
 * interrupt is raised when moderation_packets of them have accumulated, or
 * moderation_delay_ns after the first of them, whichever is first (at once when either
 * parameter makes moderation off). Raising is a call deferred (eng_defer) to the end of
 * the event or register access that asked for it, before any other event of that instant,
 * so the ISR runs after the code that set the cause has returned. Unmasking a pending
 * cause raises at once.
 *
 * The ring registers are cached as host pointers (nd_phys_to_virt) on first use after
 * their base or size changed, so a steady run does no address lookups for descriptors.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "hw_int.h"

void hw_nic_params_default(struct hw_nic_params *p)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    memcpy(p->mac, mac, sizeof mac);
    p->link_bps = UINT64_C(1000000000);
    p->fifo_bytes = 16 * 1024;
    p->moderation_delay_ns = 0;
    p->moderation_packets = 1;
    p->link_backlog_frames = 4096;
}

static int check_params(const struct hw_nic_params *p, struct dms_error *err)
{
    if (p->link_bps == 0)
        return dms_error_set(err, DMS_EINVAL, "link speed must be positive");
    if (p->fifo_bytes > (uint64_t)STATS_LEVEL_MAX)
        return dms_error_set(err, DMS_EINVAL, "fifo_bytes %u exceeds the limit %lld",
                             (unsigned)p->fifo_bytes, (long long)STATS_LEVEL_MAX);
    if (p->moderation_delay_ns < 0)
        return dms_error_set(err, DMS_EINVAL, "moderation delay must not be negative");
    if (p->moderation_packets == 0)
        return dms_error_set(err, DMS_EINVAL, "moderation_packets must be at least 1");
    return 0;
}

int hw_nic_new(hw_nic **out, eng_sim *sim, nd_machine *m, hw_bus *bus,
               const struct hw_nic_params *p, struct dms_error *err)
{
    int rc = check_params(p, err);
    if (rc)
        return rc;
    hw_nic *n = dms_xcalloc(1, sizeof *n);
    n->sim = sim;
    n->m = m;
    n->bus = bus;
    n->p = *p;
    hw__rx_init(n);
    *out = n;
    return 0;
}

void hw_nic_free(hw_nic *n)
{
    if (!n)
        return;
    hw_bus_forget(n->bus, n);
    eng_cancel(n->sim, n->mod_ev);
    eng_defer_forget(n->sim, n);
    eng_cancel(n->sim, n->tx_ev);
    hw__rx_fini(n);
    free(n);
}

void hw_nic_attach(hw_nic *n, nd_adapter *a)
{
    n->adapter = a;
}

void hw_nic_set_irq_hook(hw_nic *n, hw_nic_irq_fn fn, void *ctx)
{
    n->irq_fn = fn;
    n->irq_ctx = ctx;
}

void hw_nic_set_tx_hook(hw_nic *n, hw_nic_tx_fn fn, void *ctx)
{
    n->tx_fn = fn;
    n->tx_ctx = ctx;
}

eng_time_ns hw_nic_wire_ns(const hw_nic *n, uint32_t frame_len)
{
    uint64_t bits = ((uint64_t)frame_len + HW_WIRE_EXTRA_BYTES) * 8;
    return hw__ceil_scaled(bits, UINT64_C(1000000000), n->p.link_bps);
}

/* ---- interrupts ------------------------------------------------------------------------ */

static bool moderation_off(const hw_nic *n)
{
    return n->p.moderation_delay_ns == 0 || n->p.moderation_packets <= 1;
}

static void on_raise(eng_sim *sim, void *ctx, uint64_t arg)
{
    hw_nic *n = ctx;
    (void)sim;
    (void)arg;
    if (!n->raise_pending)
        return; /* a reset dropped it */
    n->raise_pending = false;
    eng_cancel(n->sim, n->mod_ev);
    n->mod_ev = (eng_event){0};
    n->pending = 0;
    if (!(n->icr & n->imr))
        return; /* the driver cleared or masked everything in the meantime */
    n->c.interrupts++;
    if (n->adapter)
        nd_adapter_interrupt(n->adapter);
    if (n->irq_fn)
        n->irq_fn(n->irq_ctx, n);
}

/* Raises once the event or register access that asked has finished (eng_defer). */
static void raise_now(hw_nic *n)
{
    if (!n->raise_pending) {
        n->raise_pending = true;
        eng_defer(n->sim, on_raise, n, 0);
    }
}

static void on_moderation(eng_sim *sim, void *ctx, uint64_t arg)
{
    hw_nic *n = ctx;
    (void)sim;
    (void)arg;
    n->mod_ev = (eng_event){0};
    raise_now(n);
}

void hw__cause(hw_nic *n, uint32_t bits)
{
    n->icr |= bits;
    if (!(bits & n->imr))
        return;
    if (n->pending++ == 0)
        n->first_pending_ns = eng_now(n->sim);
    if (moderation_off(n) || n->pending >= n->p.moderation_packets)
        raise_now(n);
    else if (!eng_pending(n->sim, n->mod_ev))
        n->mod_ev = eng_at(n->sim, n->first_pending_ns + n->p.moderation_delay_ns, on_moderation,
                           n, 0);
}

static void write_imr(hw_nic *n, uint32_t v)
{
    uint32_t unmasked = v & ~n->imr & n->icr;
    n->imr = v & HW_NIC_INT_ALL;
    if (unmasked)
        raise_now(n);
}

static void write_icr(hw_nic *n, uint32_t v)
{
    n->icr &= ~v;
    if (!(n->icr & n->imr)) {
        n->pending = 0;
        eng_cancel(n->sim, n->mod_ev);
        n->mod_ev = (eng_event){0};
    }
}

/* ---- rings --------------------------------------------------------------------------- */

uint8_t *hw__ring_va(hw_nic *n, struct hw__ring *r)
{
    if (r->resolved)
        return r->va;
    r->resolved = true;
    r->va = NULL;
    if (r->size == 0 || r->size > HW_NIC_RING_MAX)
        return NULL;
    uint64_t pa = (uint64_t)r->hi << 32 | r->lo;
    r->va = nd_phys_to_virt(n->m, pa, (size_t)r->size * HW_DESC_BYTES);
    if (!r->va)
        n->c.dma_faults++;
    return r->va;
}

static bool ring_size_ok(uint32_t size)
{
    return size >= 1 && size <= HW_NIC_RING_MAX;
}

/* Writes one of a ring's four driver registers (rel = offset from the ring's base). */
static void write_ring(hw_nic *n, struct hw__ring *r, uint32_t rel, uint32_t v)
{
    switch (rel) {
    case 0x0:
        r->lo = v;
        r->resolved = false;
        break;
    case 0x4:
        r->hi = v;
        r->resolved = false;
        break;
    case 0x8:
        r->size = v;
        r->resolved = false;
        if (ring_size_ok(v)) {
            r->head %= v;
            r->tail %= v;
        }
        break;
    case 0xC:
        r->tail = ring_size_ok(r->size) ? v % r->size : v;
        if (r == &n->rx)
            hw__rx_kick(n);
        else
            hw__tx_kick(n);
        break;
    default:
        break;
    }
}

/* ---- registers ----------------------------------------------------------------------- */

static void reset(hw_nic *n)
{
    n->gen++;
    n->ctrl = 0;
    n->icr = 0;
    n->imr = 0;
    n->pending = 0;
    eng_cancel(n->sim, n->mod_ev);
    n->mod_ev = (eng_event){0};
    n->raise_pending = false;
    memset(&n->rx, 0, sizeof n->rx);
    memset(&n->tx, 0, sizeof n->tx);
    hw__rx_reset(n);
    hw__tx_reset(n);
}

static void write_ctrl(hw_nic *n, uint32_t v)
{
    if (v & HW_NIC_CTRL_RESET) {
        reset(n);
        return;
    }
    uint32_t rising = v & ~n->ctrl;
    n->ctrl = v & (HW_NIC_CTRL_RX_EN | HW_NIC_CTRL_TX_EN);
    if (rising & HW_NIC_CTRL_RX_EN)
        hw__rx_kick(n);
    if (rising & HW_NIC_CTRL_TX_EN)
        hw__tx_kick(n);
}

uint32_t hw_nic_read32(hw_nic *n, uint32_t off)
{
    const uint8_t *mac = n->p.mac;
    switch (off) {
    case HW_NIC_CTRL: return n->ctrl;
    case HW_NIC_STATUS: return HW_NIC_STATUS_LINK_UP;
    case HW_NIC_LINK_SPEED: return (uint32_t)(n->p.link_bps / UINT64_C(1000000));
    case HW_NIC_ICR: return n->icr;
    case HW_NIC_IMR: return n->imr;
    case HW_NIC_RX_RING_LO: return n->rx.lo;
    case HW_NIC_RX_RING_HI: return n->rx.hi;
    case HW_NIC_RX_RING_SIZE: return n->rx.size;
    case HW_NIC_RX_TAIL: return n->rx.tail;
    case HW_NIC_RX_HEAD: return n->rx.head;
    case HW_NIC_TX_RING_LO: return n->tx.lo;
    case HW_NIC_TX_RING_HI: return n->tx.hi;
    case HW_NIC_TX_RING_SIZE: return n->tx.size;
    case HW_NIC_TX_TAIL: return n->tx.tail;
    case HW_NIC_TX_HEAD: return n->tx.head;
    case HW_NIC_MAC_LO: return hw__ld32(mac);
    case HW_NIC_MAC_HI: return (uint32_t)mac[4] | (uint32_t)mac[5] << 8;
    case HW_NIC_RX_FRAMES: return n->reg_rx_frames;
    case HW_NIC_RX_DROPS: return n->reg_rx_drops;
    case HW_NIC_RX_ERRORS: return n->reg_rx_errors;
    default: return 0;
    }
}

void hw_nic_write32(hw_nic *n, uint32_t off, uint32_t v)
{
    switch (off) {
    case HW_NIC_CTRL: write_ctrl(n, v); break;
    case HW_NIC_ICR: write_icr(n, v); break;
    case HW_NIC_IMR: write_imr(n, v); break;
    case HW_NIC_RX_RING_LO:
    case HW_NIC_RX_RING_HI:
    case HW_NIC_RX_RING_SIZE:
    case HW_NIC_RX_TAIL: write_ring(n, &n->rx, off - HW_NIC_RX_RING_LO, v); break;
    case HW_NIC_TX_RING_LO:
    case HW_NIC_TX_RING_HI:
    case HW_NIC_TX_RING_SIZE:
    case HW_NIC_TX_TAIL: write_ring(n, &n->tx, off - HW_NIC_TX_RING_LO, v); break;
    default: break; /* read-only or unknown */
    }
}

static ULONG ops_read32(void *dev, ULONG offset)
{
    return hw_nic_read32(dev, offset);
}

static void ops_write32(void *dev, ULONG offset, ULONG value)
{
    hw_nic_write32(dev, offset, value);
}

const struct nd_device_ops *hw_nic_device_ops(void)
{
    static const struct nd_device_ops ops = {ops_read32, ops_write32};
    return &ops;
}

/* ---- counters ------------------------------------------------------------------------ */

void hw_nic_counters(const hw_nic *n, struct hw_nic_counters *out)
{
    *out = n->c;
}

const stats_level *hw_nic_fifo_level(const hw_nic *n)
{
    return &n->fifo_level;
}

uint64_t hw_nic_rx_in_flight(const hw_nic *n)
{
    return (uint64_t)n->wire.len + n->fifo.len;
}

void hw_nic_stats_reset(hw_nic *n)
{
    memset(&n->c, 0, sizeof n->c);
    n->c.rx_in_flight_start = hw_nic_rx_in_flight(n);
    n->c.fifo_peak_bytes = n->fifo_used;
    n->c.link_backlog_peak = n->wire.len;
    int rc = stats_level_reset_window(&n->fifo_level, eng_now(n->sim));
    assert(rc == 0);
    (void)rc;
}
