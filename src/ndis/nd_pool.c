/* SPDX-License-Identifier: MIT */
/*
 * nd_pool: packet and buffer pools, their descriptors, and the protocol-side descriptors.
 *
 * A pool's storage is one zeroed host block charged to the nonpaged pool at creation,
 * with NumberOfDescriptors (+ NumberOfOverflowDescriptors for the Ex form, the total cut
 * to 0xFFFF) descriptors as a hard limit: an empty pool gives NDIS_STATUS_RESOURCES, as on
 * Windows (ReactOS does not enforce it); more than 0xFFFF descriptors are refused. Each
 * packet is laid out as [struct nd_pkt][NDIS_PACKET with ProtocolReserved]
 * [NDIS_PACKET_OOB_DATA][NDIS_PACKET_EXTENSION], NdisPacketOobOffset pointing at the OOB
 * block. Buffers are struct nd_mdl, whose Magic tells live from free.
 * Both storages are registered by host address, so a descriptor handed back is checked
 * (which pool, which slot, what state) before anything is written; double frees and
 * strangers become diagnostics, never crashes. Descriptors are never allocated from the
 * host one by one: a pool's storage is its only allocation.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "nd_int.h"

#define ND_PROTO_RESERVED (4 * sizeof(PVOID)) /* PROTOCOL_RESERVED_SIZE_IN_PACKET */
#define ND_MAX_RESERVED 0xF000u
#define ND_MAX_PACKETS UINT64_C(0xFFFF) /* descriptors per packet pool */

size_t nd__pkt_stride(UINT reserved_len, USHORT *oob_offset)
{
    size_t off = offsetof(NDIS_PACKET, ProtocolReserved) + nd__round_up(reserved_len, 8);
    if (off < sizeof(NDIS_PACKET))
        off = nd__round_up(sizeof(NDIS_PACKET), 8);
    *oob_offset = (USHORT)off;
    return nd__round_up(ND_PKT_HDR + off + sizeof(NDIS_PACKET_OOB_DATA) +
                            sizeof(NDIS_PACKET_EXTENSION),
                        16);
}

/* Clears a packet's descriptor, OOB block and extension; keeps its pool and layout. */
static void pkt_clear(PNDIS_PACKET p)
{
    NDIS_HANDLE pool = p->Private.Pool;
    USHORT oob = p->Private.NdisPacketOobOffset;
    memset(p, 0, oob + sizeof(NDIS_PACKET_OOB_DATA) + sizeof(NDIS_PACKET_EXTENSION));
    p->Private.Pool = pool;
    p->Private.NdisPacketOobOffset = oob;
}

void nd__pkt_format(struct nd_pkt *h, nd_machine *m, struct nd_ppool *pool, USHORT oob_offset)
{
    h->magic = ND_MAGIC_PKT;
    h->state = pool ? ND_PS_FREE : ND_PS_PROTOCOL;
    h->pool = pool;
    h->m = m;
    PNDIS_PACKET p = nd__pkt_packet(h);
    p->Private.Pool = pool;
    p->Private.NdisPacketOobOffset = oob_offset;
}

/* ---------------------------------------------------------------- packet pools */

static void ppool_create(NDIS_STATUS *st, NDIS_HANDLE *handle, uint64_t n, UINT reserved,
                         const char *fn)
{
    nd_machine *m = nd__machine();
    *handle = NULL;
    *st = NDIS_STATUS_FAILURE;
    if (!m || !nd__irql_max(m, m->cur, DISPATCH_LEVEL, fn) || reserved > ND_MAX_RESERVED)
        return;
    *st = NDIS_STATUS_RESOURCES;
    if (n > ND_MAX_PACKETS)
        return;
    nd_adapter *a = m->cur;
    USHORT oob;
    size_t stride = nd__pkt_stride(reserved, &oob);
    uint64_t bytes = (n ? n : 1) * stride;
    if (!nd__np_alloc(m, a, bytes, ND_ALLOC_PACKET_POOL))
        return;
    struct nd_ppool *pp = dms_xcalloc(1, sizeof *pp);
    pp->magic = ND_MAGIC_PPOOL;
    pp->m = m;
    pp->owner = a;
    pp->store = dms_xcalloc(1, bytes);
    pp->stride = stride;
    pp->oob_offset = oob;
    pp->n = (uint32_t)n;
    pp->charged = bytes;
    pp->free_idx = dms_xmalloc((n ? n : 1) * sizeof *pp->free_idx);
    for (uint32_t i = 0; i < pp->n; i++) {
        pp->free_idx[i] = pp->n - 1 - i;
        nd__pkt_format((struct nd_pkt *)(pp->store + (size_t)i * stride), m, pp, oob);
    }
    pp->nfree = pp->n;
    nd__reg_add(&m->reg, pp, sizeof *pp, ND_OBJ_PPOOL, pp);
    nd__reg_add(&m->reg, pp->store, bytes, ND_OBJ_PPOOL_STORE, pp);
    if (a) {
        a->live.ppools++;
        a->c.packet_pools++;
        a->c.packets.size += n;
    }
    *handle = pp;
    *st = NDIS_STATUS_SUCCESS;
}

VOID NdisAllocatePacketPool(OUT PNDIS_STATUS Status, OUT PNDIS_HANDLE PoolHandle,
                            IN UINT NumberOfDescriptors, IN UINT ProtocolReservedLength)
{
    ppool_create(Status, PoolHandle, NumberOfDescriptors, ProtocolReservedLength,
                 "NdisAllocatePacketPool");
}

VOID NdisAllocatePacketPoolEx(OUT PNDIS_STATUS Status, OUT PNDIS_HANDLE PoolHandle,
                              IN UINT NumberOfDescriptors, IN UINT NumberOfOverflowDescriptors,
                              IN UINT ProtocolReservedLength)
{
    uint64_t n = NumberOfDescriptors;
    if (n <= ND_MAX_PACKETS) /* the overflow is cut so that the total is at most 0xFFFF */
        n = DMS_MIN(n + NumberOfOverflowDescriptors, ND_MAX_PACKETS);
    ppool_create(Status, PoolHandle, n, ProtocolReservedLength, "NdisAllocatePacketPoolEx");
}

void nd__ppool_destroy(nd_machine *m, struct nd_ppool *pp)
{
    (void)m;
    free(pp->store);
    free(pp->free_idx);
    free(pp);
}

VOID NdisFreePacketPool(IN NDIS_HANDLE PoolHandle)
{
    static const char fn[] = "NdisFreePacketPool";
    nd_machine *m = nd__machine();
    if (!m)
        return;
    struct nd_ppool *pp = PoolHandle ? nd__reg_exact(&m->reg, PoolHandle, ND_OBJ_PPOOL) : NULL;
    if (!pp) {
        nd__diag(m, m->cur, ND_V_DOUBLE_FREE, "%s: not a live packet pool", fn);
        return;
    }
    nd__irql_max(m, pp->owner, DISPATCH_LEVEL, fn);
    if (pp->used) {
        nd__diag(m, pp->owner, ND_V_POOL_BUSY, "%s with %u packet(s) still allocated", fn,
                 pp->used);
        return;
    }
    nd__reg_remove(&m->reg, pp);
    nd__reg_remove(&m->reg, pp->store);
    nd__np_release(m, pp->owner, pp->charged);
    if (pp->owner) {
        pp->owner->live.ppools--;
        pp->owner->c.packets.size -= pp->n;
    }
    nd__ppool_destroy(m, pp);
}

UINT NdisPacketPoolUsage(IN NDIS_HANDLE PoolHandle)
{
    nd_machine *m = nd__machine();
    struct nd_ppool *pp = m && PoolHandle ? nd__reg_exact(&m->reg, PoolHandle, ND_OBJ_PPOOL)
                                          : NULL;
    return pp ? pp->used : 0;
}

struct nd_pkt *nd__pool_packet(nd_machine *m, PNDIS_PACKET p)
{
    struct nd_range *r = p ? nd__reg_find(&m->reg, p) : NULL;
    if (!r || r->kind != ND_OBJ_PPOOL_STORE)
        return NULL;
    struct nd_ppool *pp = r->obj;
    uintptr_t off = (uintptr_t)p - r->start;
    if (off < ND_PKT_HDR || (off - ND_PKT_HDR) % pp->stride != 0)
        return NULL;
    return nd__pkt_hdr(p);
}

VOID NdisAllocatePacket(OUT PNDIS_STATUS Status, OUT PNDIS_PACKET *Packet,
                        IN NDIS_HANDLE PoolHandle)
{
    static const char fn[] = "NdisAllocatePacket";
    nd_machine *m = nd__machine();
    *Packet = NULL;
    *Status = NDIS_STATUS_FAILURE;
    struct nd_ppool *pp = m && PoolHandle ? nd__reg_exact(&m->reg, PoolHandle, ND_OBJ_PPOOL)
                                          : NULL;
    if (!pp) {
        if (m)
            nd__diag(m, m->cur, ND_V_BAD_HANDLE, "%s: not a live packet pool", fn);
        return;
    }
    nd_adapter *a = pp->owner;
    if (!nd__irql_max(m, a, DISPATCH_LEVEL, fn))
        return;
    if (nd__alloc_denied(m, a, ND_ALLOC_PACKET) || pp->nfree == 0) {
        *Status = NDIS_STATUS_RESOURCES;
        if (a)
            a->c.packets.failures++;
        return;
    }
    uint32_t i = pp->free_idx[--pp->nfree];
    struct nd_pkt *h = (struct nd_pkt *)(pp->store + (size_t)i * pp->stride);
    PNDIS_PACKET p = nd__pkt_packet(h);
    pkt_clear(p);
    h->state = ND_PS_MINIPORT;
    h->flags = 0;
    pp->used++;
    if (a) {
        a->live.packets++;
        nd__ctr_take(&a->c.packets, 1);
        nd__level(a, ND_LEVEL_PACKETS, a->c.packets.in_use);
    }
    *Packet = p;
    *Status = NDIS_STATUS_SUCCESS;
}

VOID NdisFreePacket(IN PNDIS_PACKET Packet)
{
    static const char fn[] = "NdisFreePacket";
    nd_machine *m = nd__machine();
    if (!m)
        return;
    struct nd_pkt *h = nd__pool_packet(m, Packet);
    if (!h || h->state == ND_PS_FREE) {
        nd__diag(m, m->cur, ND_V_DOUBLE_FREE, "%s: %s", fn,
                 h ? "packet already free" : "not a packet from a live pool");
        return;
    }
    struct nd_ppool *pp = h->pool;
    nd__irql_max(m, pp->owner, DISPATCH_LEVEL, fn);
    if (h->state == ND_PS_INDICATED || h->state == ND_PS_HELD) {
        nd__diag(m, pp->owner, ND_V_PACKET_OWNERSHIP, "%s: the protocol still holds the packet",
                 fn);
        return;
    }
    h->state = ND_PS_FREE;
    pp->free_idx[pp->nfree++] = (uint32_t)(((unsigned char *)h - pp->store) / pp->stride);
    pp->used--;
    if (pp->owner) {
        pp->owner->live.packets--;
        nd__ctr_give(&pp->owner->c.packets, 1);
        nd__level(pp->owner, ND_LEVEL_PACKETS, pp->owner->c.packets.in_use);
    }
}

VOID NdisReinitializePacket(IN OUT PNDIS_PACKET Packet)
{
    Packet->Private.Head = NULL;
    Packet->Private.Tail = NULL;
    Packet->Private.ValidCounts = FALSE;
}

VOID NdisRecalculatePacketCounts(IN PNDIS_PACKET Packet)
{
    UINT phys = 0, count = 0, total = 0;
    PNDIS_BUFFER last = NULL;
    for (PNDIS_BUFFER b = Packet->Private.Head; b; b = b->Next) {
        phys += NDIS_BUFFER_TO_SPAN_PAGES(b);
        total += b->ByteCount;
        count++;
        last = b;
    }
    Packet->Private.PhysicalCount = phys;
    Packet->Private.TotalLength = total;
    Packet->Private.Count = count;
    Packet->Private.Tail = last;
    Packet->Private.ValidCounts = TRUE;
}

/* ---------------------------------------------------------------- buffer pools */

VOID NdisAllocateBufferPool(OUT PNDIS_STATUS Status, OUT PNDIS_HANDLE PoolHandle,
                            IN UINT NumberOfDescriptors)
{
    static const char fn[] = "NdisAllocateBufferPool";
    nd_machine *m = nd__machine();
    *PoolHandle = NULL;
    *Status = NDIS_STATUS_FAILURE;
    if (!m || !nd__irql_max(m, m->cur, DISPATCH_LEVEL, fn))
        return;
    nd_adapter *a = m->cur;
    uint64_t n = NumberOfDescriptors;
    uint64_t bytes = (n ? n : 1) * sizeof(struct nd_mdl);
    *Status = NDIS_STATUS_RESOURCES;
    if (!nd__np_alloc(m, a, bytes, ND_ALLOC_BUFFER_POOL))
        return;
    struct nd_bpool *bp = dms_xcalloc(1, sizeof *bp);
    bp->magic = ND_MAGIC_BPOOL;
    bp->m = m;
    bp->owner = a;
    bp->store = dms_xcalloc(n ? n : 1, sizeof *bp->store);
    bp->n = (uint32_t)n;
    bp->charged = bytes;
    bp->free_idx = dms_xmalloc((n ? n : 1) * sizeof *bp->free_idx);
    for (uint32_t i = 0; i < bp->n; i++) {
        bp->free_idx[i] = bp->n - 1 - i;
        bp->store[i].mdl.Magic = ND_MDL_FREE;
        bp->store[i].mdl.Pool = bp;
    }
    bp->nfree = bp->n;
    nd__reg_add(&m->reg, bp, sizeof *bp, ND_OBJ_BPOOL, bp);
    nd__reg_add(&m->reg, bp->store, bytes, ND_OBJ_BPOOL_STORE, bp);
    if (a) {
        a->live.bpools++;
        a->c.buffer_pools++;
        a->c.buffers.size += n;
    }
    *PoolHandle = bp;
    *Status = NDIS_STATUS_SUCCESS;
}

void nd__bpool_destroy(nd_machine *m, struct nd_bpool *bp)
{
    (void)m;
    free(bp->store);
    free(bp->free_idx);
    free(bp);
}

VOID NdisFreeBufferPool(IN NDIS_HANDLE PoolHandle)
{
    static const char fn[] = "NdisFreeBufferPool";
    nd_machine *m = nd__machine();
    if (!m)
        return;
    struct nd_bpool *bp = PoolHandle ? nd__reg_exact(&m->reg, PoolHandle, ND_OBJ_BPOOL) : NULL;
    if (!bp) {
        nd__diag(m, m->cur, ND_V_DOUBLE_FREE, "%s: not a live buffer pool", fn);
        return;
    }
    nd__irql_max(m, bp->owner, DISPATCH_LEVEL, fn);
    if (bp->used) {
        nd__diag(m, bp->owner, ND_V_POOL_BUSY, "%s with %u buffer(s) still allocated", fn,
                 bp->used);
        return;
    }
    nd__reg_remove(&m->reg, bp);
    nd__reg_remove(&m->reg, bp->store);
    nd__np_release(m, bp->owner, bp->charged);
    if (bp->owner) {
        bp->owner->live.bpools--;
        bp->owner->c.buffers.size -= bp->n;
    }
    nd__bpool_destroy(m, bp);
}

/* Fills an MDL describing len bytes at va, simulated physical address pa. */
static void mdl_describe(MDL *d, nd_machine *m, void *va, ULONG len, uint64_t pa)
{
    uint32_t pg = m->p.page_size;
    d->Next = NULL;
    d->Size = (CSHORT)sizeof(MDL);
    d->MdlFlags = 0;
    d->MappedSystemVa = va;
    d->ByteCount = len;
    d->PhysicalAddress = pa;
    d->PageSize = pg;
    d->ByteOffset = (ULONG)(pa & (pg - 1));
    d->StartVa = va ? (unsigned char *)va - d->ByteOffset : NULL;
}

VOID NdisAllocateBuffer(OUT PNDIS_STATUS Status, OUT PNDIS_BUFFER *Buffer,
                        IN NDIS_HANDLE PoolHandle, IN PVOID VirtualAddress, IN UINT Length)
{
    static const char fn[] = "NdisAllocateBuffer";
    nd_machine *m = nd__machine();
    *Buffer = NULL;
    *Status = NDIS_STATUS_FAILURE;
    struct nd_bpool *bp = m && PoolHandle ? nd__reg_exact(&m->reg, PoolHandle, ND_OBJ_BPOOL)
                                          : NULL;
    if (!bp) {
        if (m)
            nd__diag(m, m->cur, ND_V_BAD_HANDLE, "%s: not a live buffer pool", fn);
        return;
    }
    nd_adapter *a = bp->owner;
    if (!nd__irql_max(m, a, DISPATCH_LEVEL, fn))
        return;
    if (nd__alloc_denied(m, a, ND_ALLOC_BUFFER) || bp->nfree == 0) {
        *Status = NDIS_STATUS_RESOURCES;
        if (a)
            a->c.buffers.failures++;
        return;
    }
    struct nd_mdl *x = &bp->store[bp->free_idx[--bp->nfree]];
    mdl_describe(&x->mdl, m, VirtualAddress, Length, nd__va_to_pa(m, VirtualAddress, Length));
    x->mdl.Pool = bp;
    x->mdl.Magic = ND_MDL_LIVE;
    x->alloc_len = Length;
    bp->used++;
    if (a) {
        a->live.buffers++;
        nd__ctr_take(&a->c.buffers, 1);
        nd__level(a, ND_LEVEL_BUFFERS, a->c.buffers.in_use);
    }
    *Buffer = &x->mdl;
    *Status = NDIS_STATUS_SUCCESS;
}

VOID NdisFreeBuffer(IN PNDIS_BUFFER Buffer)
{
    static const char fn[] = "NdisFreeBuffer";
    nd_machine *m = nd__machine();
    if (!m)
        return;
    struct nd_range *r = Buffer ? nd__reg_find(&m->reg, Buffer) : NULL;
    bool slot = r && r->kind == ND_OBJ_BPOOL_STORE &&
                ((uintptr_t)Buffer - r->start) % sizeof(struct nd_mdl) == 0;
    if (!slot || Buffer->Magic != ND_MDL_LIVE) {
        nd__diag(m, m->cur, ND_V_DOUBLE_FREE, "%s: %s", fn,
                 slot ? "buffer already free" : "not a buffer from a live pool");
        return;
    }
    struct nd_bpool *bp = r->obj;
    nd__irql_max(m, bp->owner, DISPATCH_LEVEL, fn);
    struct nd_mdl *x = (struct nd_mdl *)Buffer;
    x->mdl.Magic = ND_MDL_FREE;
    x->mdl.Next = NULL;
    bp->free_idx[bp->nfree++] = (uint32_t)(x - bp->store);
    bp->used--;
    if (bp->owner) {
        bp->owner->live.buffers--;
        nd__ctr_give(&bp->owner->c.buffers, 1);
        nd__level(bp->owner, ND_LEVEL_BUFFERS, bp->owner->c.buffers.in_use);
    }
}

VOID NdisAdjustBufferLength(IN PNDIS_BUFFER Buffer, IN UINT Length)
{
    struct nd_mdl *x = (struct nd_mdl *)Buffer;
    Buffer->ByteCount = Length <= x->alloc_len ? Length : x->alloc_len;
}

/* ---------------------------------------------------------------- protocol side */

PNDIS_PACKET nd_proto_packet_new(nd_machine *m)
{
    USHORT oob;
    size_t stride = nd__pkt_stride(ND_PROTO_RESERVED, &oob);
    struct nd_pkt *h = dms_xcalloc(1, stride);
    nd__pkt_format(h, m, NULL, oob);
    return nd__pkt_packet(h);
}

void nd_proto_packet_free(PNDIS_PACKET p)
{
    if (!p)
        return;
    struct nd_pkt *h = nd__pkt_hdr(p);
    assert(h->magic == ND_MAGIC_PKT && !h->pool);
    /* Not while a running miniport owns it; after halt the miniport is gone. */
    assert(h->state != ND_PS_SENDING || !nd_adapter_running(h->adapter));
    if (h->state == ND_PS_QUEUED)
        nd__send_unqueue(h->adapter, h);
    if (h->sg)
        nd__sg_release(h->adapter, h);
    h->magic = 0;
    free(h->sg_buf);
    free(h);
}

void nd_proto_packet_reset(PNDIS_PACKET p)
{
    struct nd_pkt *h = nd__pkt_hdr(p);
    assert(h->magic == ND_MAGIC_PKT && h->state == ND_PS_PROTOCOL && !h->sg);
    pkt_clear(p);
    h->flags = 0;
}

PNDIS_BUFFER nd_proto_buffer_new(nd_machine *m, void *va, ULONG len, uint64_t pa)
{
    struct nd_mdl *x = dms_xcalloc(1, sizeof *x);
    mdl_describe(&x->mdl, m, va, len, pa);
    x->mdl.Magic = ND_MDL_PROTO;
    x->alloc_len = len;
    return &x->mdl;
}

void nd_proto_buffer_free(PNDIS_BUFFER b)
{
    if (!b)
        return;
    assert(b->Magic == ND_MDL_PROTO);
    b->Magic = ND_MDL_FREE;
    free((struct nd_mdl *)b);
}
