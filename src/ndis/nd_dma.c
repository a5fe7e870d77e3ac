/* SPDX-License-Identifier: MIT */
/*
 * nd_dma: map registers, buffer mapping, scatter-gather lists and bounce buffering.
 *
 * Two limits apply to map registers (docs/model.md gives each rule with its reference).
 * Each miniport may hold at most 64 (ref 001), always. A base register maps one buffer of
 * up to MaximumBufferSize L, which can span (L + P - 2) / P + 1 pages of size P, so NDIS
 * counts that many map registers per base register (1512 B -> 2, 64 KiB -> 17 with 4 KiB
 * pages). The HAL's system-wide pool (map_register_pool, or unlimited) stands for bounce
 * pages in low memory, so only an adapter that may have to double-buffer draws on it: one
 * with 24-bit DMA, or one without 64-bit DMA on a PAE machine with memory above 4 GB. Any
 * other grant is counted against the per-miniport limit and takes nothing from the pool.
 * The pessimistic accounting ND_POOL_EVERY_GRANT makes every grant draw, as if every
 * adapter bounced. The grant (base count and registers per base) is remembered and exactly
 * that is given back by NdisMFreeMapRegisters. A pool request that cannot be satisfied
 * fails cleanly with NDIS_STATUS_RESOURCES, except on PAE machines, where it would wait
 * forever: that is recorded as the machine's hang (ref 001), and the call returns
 * RESOURCES so the driver can unwind. 24-bit DMA needs a bounce page below 16 MB for every
 * map register.
 *
 * Scatter-gather DMA takes nothing at init; each packet sent gets a SCATTER_GATHER_LIST,
 * from before MiniportSendPackets until NdisMSendComplete, which holds one map register of
 * the system pool per page of the buffers that must bounce (every page when every grant
 * draws).
 *
 * Bounce buffering: a buffer the device cannot address (above 4 GB on PAE without 64-bit
 * DMA; above 16 MB with 24-bit DMA) is double-buffered; the addresses returned are bounce
 * pages in low memory, with the same offsets within pages, and counted per adapter and
 * system-wide. Bytes are not copied: the device models time transfers, they do not read
 * the data of mapped buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "nd_int.h"

uint32_t nd__per_base(uint64_t max_buffer, uint32_t page_size)
{
    return (uint32_t)((max_buffer + page_size - 2) / page_size + 1);
}

static bool pool_limited(const nd_machine *m)
{
    return m->p.map_register_pool != ND_UNLIMITED;
}

static uint64_t pool_left(const nd_machine *m)
{
    uint64_t size = (uint64_t)m->p.map_register_pool;
    uint64_t used = m->c.map_registers.in_use;
    return used < size ? size - used : 0;
}

/* True when transfers of an adapter with this DMA width may have to be double-buffered:
 * 24-bit DMA always; 32-bit DMA on a PAE machine with memory above 4 GB. */
static bool may_bounce(const nd_machine *m, bool dma24, bool dma64)
{
    if (dma24)
        return true;
    return !dma64 && m->p.pae && m->p.memory_bytes > ND_4GB;
}

/* True when a grant of an adapter with this DMA width takes entries of the system pool. */
static bool draws_pool(const nd_machine *m, bool dma24, bool dma64)
{
    return m->p.pool_draw == ND_POOL_EVERY_GRANT || may_bounce(m, dma24, dma64);
}

/* Map-register and SG set-up: PASSIVE_LEVEL, from MiniportInitialize (ref 001). */
static bool init_only(nd_adapter *a, const char *fn)
{
    if (!nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn))
        return false;
    if (a->state != ND_AS_INITIALIZING) {
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s outside MiniportInitialize", fn);
        return false;
    }
    return true;
}

/* NdisMSetAttributes(Ex) with the bus-master flag must come first (ref 001). */
static bool bus_master_declared(nd_adapter *a, const char *fn)
{
    if (!a->attrs_set) {
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s before NdisMSetAttributes(Ex)", fn);
        return false;
    }
    if (!a->bus_master) {
        nd__diag(a->m, a, ND_V_NOT_BUS_MASTER, "%s: adapter not declared bus master", fn);
        return false;
    }
    return true;
}

static void record_hang(nd_machine *m, nd_adapter *a, uint64_t requested)
{
    if (m->hang.hung)
        return;
    m->hang.hung = true;
    m->hang.adapter = a->index;
    memcpy(m->hang.adapter_name, a->name, sizeof m->hang.adapter_name);
    m->hang.requested = requested;
    m->hang.left = pool_left(m);
    m->hang.time_ns = eng_now(m->sim);
}

/* The part of NdisMAllocateMapRegisters after the call-order checks. */
static NDIS_STATUS grant(nd_adapter *a, NDIS_DMA_SIZE size, ULONG base, ULONG max_buffer)
{
    nd_machine *m = a->m;
    /* A hung machine answers nothing more: the caller that hung never returned, and what
     * its unwinding asks for afterwards is not part of the outcome. */
    if (m->hang.hung)
        return NDIS_STATUS_RESOURCES;
    uint32_t per = nd__per_base(max_buffer, m->p.page_size);
    uint64_t total = (uint64_t)base * per;
    bool draws = draws_pool(m, size == NDIS_DMA_24BITS, size == NDIS_DMA_64BITS);
    m->c.map_registers_requested += total;
    if (total > ND_MAX_MAP_REGISTERS_PER_MINIPORT) {
        m->c.map_registers.failures++;
        m->c.map_registers_over_limit++;
        return NDIS_STATUS_RESOURCES;
    }
    if (nd__alloc_denied(m, a, ND_ALLOC_MAP_REGISTERS)) {
        m->c.map_registers.failures++;
        return NDIS_STATUS_RESOURCES;
    }
    if (draws && pool_limited(m) && total > pool_left(m)) {
        m->c.map_registers.failures++;
        if (m->p.pae)
            record_hang(m, a, total);
        return NDIS_STATUS_RESOURCES;
    }
    uint64_t low_pa = 0, low_bytes = total * m->p.page_size;
    if (size == NDIS_DMA_24BITS) {
        if (nd__phys_alloc(&m->low16, low_bytes, &low_pa)) {
            m->c.low16_bytes.failures++;
            return NDIS_STATUS_RESOURCES;
        }
        nd__ctr_take(&m->c.low16_bytes, low_bytes);
    }
    if (draws)
        nd__ctr_take(&m->c.map_registers, total);
    a->dma = ND_DMA_MAPREG;
    a->dma_size = size;
    a->max_buffer = max_buffer;
    a->per_base = per;
    a->base = base;
    a->pool_drawn = draws ? (uint32_t)total : 0;
    a->low16_pa = low_pa;
    a->low16_bytes = size == NDIS_DMA_24BITS ? low_bytes : 0;
    a->regs = dms_xcalloc(base, sizeof *a->regs);
    a->c.map_registers_per_base = per;
    a->c.base_map_registers = base;
    a->c.map_registers = (uint32_t)total;
    a->c.pool_map_registers = a->pool_drawn;
    a->c.base_mapped.size = base;
    return NDIS_STATUS_SUCCESS;
}

/* Remembers one NdisMAllocateMapRegisters request and NDIS's answer (the first
 * ND_MAPREG_LOG are kept). */
static void log_request(nd_adapter *a, ULONG base, ULONG max_buffer, NDIS_STATUS st)
{
    if (a->n_mapreg_log >= ND_MAPREG_LOG)
        return;
    struct nd_mapreg_request *r = &a->mapreg_log[a->n_mapreg_log++];
    r->base = base;
    r->map_registers = max_buffer ? (uint64_t)base * nd__per_base(max_buffer, a->m->p.page_size)
                                  : 0;
    r->status = st;
    r->hung = a->m->hang.hung;
    r->time_ns = eng_now(a->m->sim);
}

NDIS_STATUS NdisMAllocateMapRegisters(IN NDIS_HANDLE MiniportAdapterHandle, IN UINT DmaChannel,
                                      IN NDIS_DMA_SIZE DmaSize, IN ULONG BaseMapRegistersNeeded,
                                      IN ULONG MaximumBufferSize)
{
    static const char fn[] = "NdisMAllocateMapRegisters";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return NDIS_STATUS_FAILURE;
    a->c.map_register_requests++;
    bool was_hung = a->m->hang.hung;
    NDIS_STATUS st;
    if (!init_only(a, fn)) {
        st = NDIS_STATUS_FAILURE;
    } else if (!bus_master_declared(a, fn)) {
        st = NDIS_STATUS_NOT_ACCEPTED;
    } else if (a->base || a->dma == ND_DMA_SG) {
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s: %s", fn,
                 a->base ? "map registers already allocated"
                         : "scatter-gather DMA already initialized");
        st = NDIS_STATUS_FAILURE;
    } else if (BaseMapRegistersNeeded == 0 || MaximumBufferSize == 0 ||
               (unsigned)DmaSize > NDIS_DMA_64BITS) {
        st = NDIS_STATUS_FAILURE;
    } else {
        st = grant(a, DmaSize, BaseMapRegistersNeeded, MaximumBufferSize);
    }
    if (st != NDIS_STATUS_SUCCESS)
        a->c.map_register_failures++;
    /* After a hang the caller never got an answer: later calls are not part of the log. */
    if (!was_hung)
        log_request(a, BaseMapRegistersNeeded, MaximumBufferSize, st);
    return st;
}

void nd__mapreg_release(nd_adapter *a)
{
    nd_machine *m = a->m;
    if (!a->base)
        return;
    nd__ctr_give(&m->c.map_registers, a->pool_drawn);
    a->pool_drawn = 0;
    if (a->low16_bytes) {
        nd__phys_free(&m->low16, a->low16_pa, a->low16_bytes);
        nd__ctr_give(&m->c.low16_bytes, a->low16_bytes);
    }
    a->c.base_mapped.in_use = 0;
    a->base = 0;
    a->low16_bytes = 0;
    free(a->regs);
    a->regs = NULL;
}

VOID NdisMFreeMapRegisters(IN NDIS_HANDLE MiniportAdapterHandle)
{
    static const char fn[] = "NdisMFreeMapRegisters";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return;
    nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn);
    if (a->state != ND_AS_INITIALIZING && a->state != ND_AS_HALTING)
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s outside MiniportInitialize and MiniportHalt", fn);
    if (!a->base) {
        nd__diag_dv(a->m, a, ND_V_DOUBLE_FREE, 0x05, "%s: no map registers allocated", fn);
        return;
    }
    uint32_t mapped = 0;
    for (uint32_t i = 0; i < a->base; i++)
        mapped += a->regs[i].mapped;
    if (mapped)
        nd__diag(a->m, a, ND_V_FREE_WHILE_MAPPED, "%s with %u base register(s) still mapped", fn,
                 mapped);
    nd__mapreg_release(a);
}

NDIS_STATUS NdisMInitializeScatterGatherDma(IN NDIS_HANDLE MiniportAdapterHandle,
                                            IN BOOLEAN Dma64BitAddresses,
                                            IN ULONG MaximumPhysicalMapping)
{
    static const char fn[] = "NdisMInitializeScatterGatherDma";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a || !init_only(a, fn))
        return NDIS_STATUS_FAILURE;
    if (!bus_master_declared(a, fn))
        return NDIS_STATUS_NOT_ACCEPTED;
    if (a->dma != ND_DMA_NONE) {
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s: %s", fn,
                 a->dma == ND_DMA_SG ? "called twice" : "map registers already allocated");
        return NDIS_STATUS_FAILURE;
    }
    a->dma = ND_DMA_SG;
    a->sg_dma64 = Dma64BitAddresses != 0;
    a->max_buffer = MaximumPhysicalMapping;
    a->c.scatter_gather = true;
    return NDIS_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- mapping */

static bool needs_bounce(const nd_adapter *a, uint64_t pa, uint64_t len, bool dma64)
{
    if (a->dma == ND_DMA_MAPREG && a->dma_size == NDIS_DMA_24BITS)
        return pa + len > ND_16MB;
    return !dma64 && a->m->p.pae && pa + len > ND_4GB;
}

static void count_bounce(nd_adapter *a, uint64_t bytes)
{
    a->c.bounced++;
    a->c.bounce_bytes += bytes;
    a->m->c.bounce_buffers++;
    a->m->c.bounce_bytes += bytes;
}

static uint64_t bounce_area(const nd_adapter *a)
{
    return ND_BOUNCE_BASE + (uint64_t)(a->index % 256) * ND_BOUNCE_SPAN;
}

/* True when a mapping request is acceptable; otherwise records why it is not. */
static bool mapping_ok(nd_adapter *a, PNDIS_BUFFER b, ULONG index, const char *fn)
{
    nd_machine *m = a->m;
    if (a->dma != ND_DMA_MAPREG || !a->base) {
        nd__diag(m, a, ND_V_CALL_ORDER, "%s without map registers", fn);
        return false;
    }
    if (!b || (b->Magic != ND_MDL_LIVE && b->Magic != ND_MDL_PROTO)) {
        nd__diag(m, a, ND_V_BAD_HANDLE, "%s: not a live buffer descriptor", fn);
        return false;
    }
    if (index >= a->base) {
        nd__diag(m, a, ND_V_MAP_INDEX_RANGE, "%s: index %u, %u base register(s) allocated", fn,
                 index, a->base);
        return false;
    }
    if (a->regs[index].mapped) {
        nd__diag(m, a, ND_V_DOUBLE_MAP, "%s: base register %u is already mapped", fn, index);
        return false;
    }
    if (b->ByteCount > a->max_buffer) {
        nd__diag(m, a, ND_V_BUFFER_TOO_LARGE, "%s: %u bytes, MaximumBufferSize %u", fn,
                 b->ByteCount, a->max_buffer);
        return false;
    }
    return true;
}

VOID NdisMStartBufferPhysicalMapping(IN NDIS_HANDLE MiniportAdapterHandle, IN PNDIS_BUFFER Buffer,
                                     IN ULONG PhysicalMapRegister, IN BOOLEAN WriteToDevice,
                                     OUT PNDIS_PHYSICAL_ADDRESS_UNIT PhysicalAddressArray,
                                     OUT PUINT ArraySize)
{
    static const char fn[] = "NdisMStartBufferPhysicalMapping";
    *ArraySize = 0;
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return;
    nd_machine *m = a->m;
    nd__irql_max(m, a, DISPATCH_LEVEL, fn);
    a->c.mappings++;
    if (!mapping_ok(a, Buffer, PhysicalMapRegister, fn)) {
        a->c.base_mapped.failures++;
        return;
    }
    uint64_t pg = m->p.page_size;
    uint64_t pa = Buffer->PhysicalAddress, left = Buffer->ByteCount;
    bool bounce = needs_bounce(a, pa, left, a->dma_size == NDIS_DMA_64BITS);
    uint64_t first = (uint64_t)PhysicalMapRegister * a->per_base * pg;
    uint64_t bb = (a->dma_size == NDIS_DMA_24BITS ? a->low16_pa : bounce_area(a)) + first;
    UINT j = 0;
    while (left > 0) {
        uint64_t off = pa & (pg - 1);
        uint64_t seg = pg - off < left ? pg - off : left;
        PhysicalAddressArray[j].PhysicalAddress.QuadPart = (LONGLONG)(bounce ? bb + j * pg + off
                                                                             : pa);
        PhysicalAddressArray[j].Length = (UINT)seg;
        pa += seg;
        left -= seg;
        j++;
    }
    *ArraySize = j;
    a->regs[PhysicalMapRegister] = (struct nd_basereg){Buffer, true};
    nd__ctr_take(&a->c.base_mapped, 1);
    nd__level(a, ND_LEVEL_BASE_MAPPED, a->c.base_mapped.in_use);
    if (bounce)
        count_bounce(a, Buffer->ByteCount);
    (void)WriteToDevice;
}

VOID NdisMCompleteBufferPhysicalMapping(IN NDIS_HANDLE MiniportAdapterHandle,
                                        IN PNDIS_BUFFER Buffer, IN ULONG PhysicalMapRegister)
{
    static const char fn[] = "NdisMCompleteBufferPhysicalMapping";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return;
    nd_machine *m = a->m;
    nd__irql_max(m, a, DISPATCH_LEVEL, fn);
    if (PhysicalMapRegister >= a->base) {
        nd__diag(m, a, ND_V_MAP_INDEX_RANGE, "%s: index %u, %u base register(s) allocated", fn,
                 PhysicalMapRegister, a->base);
        return;
    }
    struct nd_basereg *r = &a->regs[PhysicalMapRegister];
    if (!r->mapped) {
        nd__diag(m, a, ND_V_FLUSH_UNMAPPED, "%s: base register %u is not mapped", fn,
                 PhysicalMapRegister);
        return;
    }
    if (r->buf != Buffer)
        nd__diag(m, a, ND_V_FREE_MISMATCH, "%s: base register %u maps another buffer", fn,
                 PhysicalMapRegister);
    *r = (struct nd_basereg){NULL, false};
    nd__ctr_give(&a->c.base_mapped, 1);
    nd__level(a, ND_LEVEL_BASE_MAPPED, a->c.base_mapped.in_use);
}

/* ---------------------------------------------------------------- scatter-gather lists */

static uint64_t span_pages(uint64_t pa, uint64_t len, uint64_t pg)
{
    return len ? ((pa & (pg - 1)) + len + pg - 1) / pg : 0;
}

static void sg_fill(nd_adapter *a, struct nd_pkt *h)
{
    uint64_t pg = a->m->p.page_size;
    uint64_t slots = ND_BOUNCE_SPAN / 2 / pg;
    SCATTER_GATHER_LIST *l = h->sg_buf;
    ULONG n = 0;
    for (PNDIS_BUFFER b = nd__pkt_packet(h)->Private.Head; b; b = b->Next) {
        uint64_t pa = b->PhysicalAddress, left = b->ByteCount;
        bool bounce = needs_bounce(a, pa, left, a->sg_dma64);
        if (bounce && left)
            count_bounce(a, left);
        while (left > 0) {
            uint64_t off = pa & (pg - 1);
            uint64_t seg = pg - off < left ? pg - off : left;
            uint64_t out = pa;
            if (bounce)
                out = bounce_area(a) + ND_BOUNCE_SPAN / 2 + (a->sg_slot++ % slots) * pg + off;
            l->Elements[n].Address.QuadPart = (LONGLONG)out;
            l->Elements[n].Length = (ULONG)seg;
            l->Elements[n].Reserved = 0;
            n++;
            pa += seg;
            left -= seg;
        }
    }
    l->NumberOfElements = n;
    l->Reserved = 0;
}

/* Map registers held by scatter-gather lists in flight, over every adapter. */
static uint64_t sg_in_flight(const nd_machine *m)
{
    uint64_t n = 0;
    for (size_t i = 0; i < m->n_adapters; i++)
        n += m->adapters[i]->c.sg_map_registers.in_use;
    return n;
}

/* Pages of a packet's buffers, and of those the pool must cover: the pages that must
 * bounce, or every page when every grant draws. */
static void sg_need(const nd_adapter *a, PNDIS_PACKET p, uint64_t *pages, uint64_t *pool)
{
    const nd_machine *m = a->m;
    uint64_t pg = m->p.page_size;
    bool every = m->p.pool_draw == ND_POOL_EVERY_GRANT;
    *pages = *pool = 0;
    for (PNDIS_BUFFER b = p->Private.Head; b; b = b->Next) {
        uint64_t n = span_pages(b->PhysicalAddress, b->ByteCount, pg);
        *pages += n;
        if (every || needs_bounce(a, b->PhysicalAddress, b->ByteCount, a->sg_dma64))
            *pool += n;
    }
}

enum nd_sg_result nd__sg_build(nd_adapter *a, struct nd_pkt *h)
{
    nd_machine *m = a->m;
    uint64_t pages, need;
    PNDIS_PACKET p = nd__pkt_packet(h);
    sg_need(a, p, &pages, &need);
    if (!(h->flags & ND_PKT_REQUESTED)) {
        h->flags |= ND_PKT_REQUESTED;
        m->c.map_registers_requested += need;
    }
    /* A list that can never be built fails the send (as a failed scatter-gather build
     * does): more registers than the pool has, more than it can have back once every list
     * in flight completes (the rest are held for good by map-register adapters), or an
     * injected fault. A list that must wait for lists in flight waits in NDIS's queue. */
    bool limited = need > 0 && pool_limited(m);
    if ((limited && need > pool_left(m) + sg_in_flight(m)) ||
        nd__alloc_denied(m, a, ND_ALLOC_MAP_REGISTERS)) {
        m->c.map_registers.failures++;
        a->c.sg_map_registers.failures++;
        return ND_SG_NEVER;
    }
    if (limited && need > pool_left(m)) {
        m->c.map_registers.failures++;
        a->c.sg_map_registers.failures++;
        return ND_SG_SHORT;
    }
    need = pages > need ? pages : need; /* elements, for the list's storage */
    if (!h->sg_buf || need > h->sg_cap) {
        free(h->sg_buf);
        h->sg_buf = dms_xmalloc(sizeof *h->sg_buf + need * sizeof h->sg_buf->Elements[0]);
        h->sg_cap = (uint32_t)need;
    }
    sg_fill(a, h);
    uint64_t drawn = 0;
    sg_need(a, p, &pages, &drawn);
    h->sg = h->sg_buf;
    h->sg_regs = (uint32_t)drawn;
    if (drawn) {
        nd__ctr_take(&m->c.map_registers, drawn);
        nd__ctr_take(&a->c.sg_map_registers, drawn);
        nd__level(a, ND_LEVEL_SG_MAP_REGISTERS, a->c.sg_map_registers.in_use);
    }
    a->c.sg_lists++;
    a->live.sg_lists++;
    NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo) = h->sg;
    return ND_SG_OK;
}

void nd__sg_release(nd_adapter *a, struct nd_pkt *h)
{
    if (!h->sg)
        return;
    if (h->sg_regs) {
        nd__ctr_give(&a->m->c.map_registers, h->sg_regs);
        nd__ctr_give(&a->c.sg_map_registers, h->sg_regs);
        nd__level(a, ND_LEVEL_SG_MAP_REGISTERS, a->c.sg_map_registers.in_use);
    }
    a->live.sg_lists--;
    h->sg = NULL;
    h->sg_regs = 0;
    NDIS_PER_PACKET_INFO_FROM_PACKET(nd__pkt_packet(h), ScatterGatherListPacketInfo) = NULL;
}
