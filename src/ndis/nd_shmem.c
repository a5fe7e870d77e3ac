/* SPDX-License-Identifier: MIT */
/*
 * nd_shmem: nonpaged memory and shared memory (common buffers), synchronous and async.
 *
 * Every block the driver gets is real, zeroed host memory, registered by host address;
 * its simulated physical address comes from the machine's physical allocators (common
 * buffers: page-granular first fit below 4 GB, or below 16 MB for 24-bit DMA adapters) or,
 * for nonpaged memory, from a deterministic fake range. Live common buffers are also kept
 * sorted by physical address, so a device's DMA finds its host memory in O(log n).
 *
 * Rules (ref 000, 002, 003): shared memory needs map registers or scatter-gather DMA
 * first; NdisMAllocateSharedMemory only at PASSIVE_LEVEL from MiniportInitialize, failing
 * with a NULL virtual address; NdisMAllocateSharedMemoryAsync at <= DISPATCH_LEVEL returns
 * NDIS_STATUS_PENDING and completes after async_alloc_latency_ns through
 * MiniportAllocateComplete at DISPATCH_LEVEL, with NULL and length 0 on failure. The
 * allocation itself is attempted when the completion fires. Caching is not modelled:
 * host memory is the device's memory, so NdisMUpdateSharedMemory and NdisFlushBuffer do
 * nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "nd_int.h"

/* ---------------------------------------------------------------- nonpaged memory */

NDIS_STATUS NdisAllocateMemoryWithTag(OUT PVOID *VirtualAddress, IN UINT Length, IN ULONG Tag)
{
    static const char fn[] = "NdisAllocateMemoryWithTag";
    nd_machine *m = nd__machine();
    *VirtualAddress = NULL;
    if (!m)
        return NDIS_STATUS_FAILURE;
    nd_adapter *a = m->cur;
    if (!nd__irql_max(m, a, DISPATCH_LEVEL, fn) || Length == 0)
        return NDIS_STATUS_FAILURE;
    if (!nd__np_alloc(m, a, Length, ND_ALLOC_MEMORY))
        return NDIS_STATUS_FAILURE;
    struct nd_mem *x = dms_xcalloc(1, sizeof *x);
    x->va = dms_xcalloc(1, Length);
    x->len = Length;
    x->owner = a;
    x->pa = m->np_base + m->np_next % m->np_span;
    m->np_next += nd__round_up(Length, m->p.cache_line_bytes);
    nd__reg_add(&m->reg, x->va, Length, ND_OBJ_MEMORY, x);
    if (a) {
        a->live.mem++;
        a->live.mem_bytes += Length;
    }
    *VirtualAddress = x->va;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisFreeMemory(IN PVOID VirtualAddress, IN UINT Length, IN UINT MemoryFlags)
{
    static const char fn[] = "NdisFreeMemory";
    nd_machine *m = nd__machine();
    if (!m)
        return;
    nd__irql_max(m, m->cur, DISPATCH_LEVEL, fn);
    struct nd_mem *x = VirtualAddress ? nd__reg_exact(&m->reg, VirtualAddress, ND_OBJ_MEMORY)
                                      : NULL;
    if (!x) {
        nd__diag(m, m->cur, ND_V_DOUBLE_FREE,
                 "%s: %u bytes that are not allocated (freed twice or never allocated)", fn,
                 Length);
        return;
    }
    /* With MemoryFlags 0 (nonpaged memory, all NdisAllocateMemoryWithTag gives) NDIS ignores
     * Length, and NdisFreeMemory(p, 0, 0) is the usual idiom; a different non-zero length
     * is still reported, as a likely mix-up of two blocks. */
    if (x->len != Length && !(Length == 0 && MemoryFlags == 0))
        nd__diag(m, x->owner, ND_V_FREE_MISMATCH, "%s: length %u, allocated with %zu", fn,
                 Length, x->len);
    nd__reg_remove(&m->reg, x->va);
    nd__np_release(m, x->owner, x->len);
    if (x->owner) {
        x->owner->live.mem--;
        x->owner->live.mem_bytes -= x->len;
    }
    free(x->va);
    free(x);
}

/* ---------------------------------------------------------------- common buffers */

static size_t pa_upper(const nd_machine *m, uint64_t pa)
{
    size_t lo = 0, hi = m->n_pa;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->by_pa[mid]->pa <= pa)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void pa_insert(nd_machine *m, struct nd_shm *s)
{
    if (m->n_pa == m->cap_pa) {
        m->cap_pa = m->cap_pa ? m->cap_pa * 2 : 32;
        m->by_pa = dms_xrealloc(m->by_pa, m->cap_pa * sizeof *m->by_pa);
    }
    size_t i = pa_upper(m, s->pa);
    memmove(m->by_pa + i + 1, m->by_pa + i, (m->n_pa - i) * sizeof *m->by_pa);
    m->by_pa[i] = s;
    m->n_pa++;
}

static void pa_remove(nd_machine *m, const struct nd_shm *s)
{
    size_t i = pa_upper(m, s->pa);
    if (i == 0 || m->by_pa[i - 1] != s)
        return;
    i--;
    memmove(m->by_pa + i, m->by_pa + i + 1, (m->n_pa - i - 1) * sizeof *m->by_pa);
    m->n_pa--;
}

struct nd_shm *nd__shm_alloc(nd_adapter *a, ULONG len, enum nd_alloc_kind kind)
{
    nd_machine *m = a->m;
    bool low = a->dma == ND_DMA_MAPREG && a->dma_size == NDIS_DMA_24BITS;
    struct nd_counter *sys = low ? &m->c.low16_bytes : &m->c.common_buffer_bytes;
    uint64_t pa = 0;
    if (nd__alloc_denied(m, a, kind) || nd__phys_alloc(low ? &m->low16 : &m->cb, len, &pa)) {
        sys->failures++;
        a->c.shared_memory_bytes.failures++;
        return NULL;
    }
    uint32_t cl = m->p.cache_line_bytes;
    struct nd_shm *s = dms_xcalloc(1, sizeof *s);
    s->raw = dms_xcalloc(1, nd__round_up(len, cl) + cl);
    s->va = (void *)nd__round_up((uintptr_t)s->raw, cl);
    s->len = len;
    s->pa = pa;
    s->charged = nd__round_up(len, m->p.page_size);
    s->low16 = low;
    s->owner = a;
    nd__ctr_take(sys, s->charged);
    nd__ctr_take(&a->c.shared_memory_bytes, s->charged);
    nd__level(a, ND_LEVEL_SHARED_BYTES, a->c.shared_memory_bytes.in_use);
    nd__reg_add(&m->reg, s->va, len, ND_OBJ_SHARED, s);
    pa_insert(m, s);
    a->live.shm++;
    a->live.shm_bytes += s->charged;
    return s;
}

void nd__shm_release(nd_machine *m, struct nd_shm *s)
{
    nd__phys_free(s->low16 ? &m->low16 : &m->cb, s->pa, s->len);
    nd__ctr_give(s->low16 ? &m->c.low16_bytes : &m->c.common_buffer_bytes, s->charged);
    nd__ctr_give(&s->owner->c.shared_memory_bytes, s->charged);
    nd__level(s->owner, ND_LEVEL_SHARED_BYTES, s->owner->c.shared_memory_bytes.in_use);
    s->owner->live.shm--;
    s->owner->live.shm_bytes -= s->charged;
    nd__reg_remove(&m->reg, s->va);
    pa_remove(m, s);
    free(s->raw);
    free(s);
}

/* Shared-memory calls need map registers or scatter-gather DMA first (ref 000, 002). */
static bool dma_ready(nd_adapter *a, const char *fn)
{
    if (a->dma != ND_DMA_NONE)
        return true;
    nd__diag(a->m, a, ND_V_CALL_ORDER,
             "%s before NdisMAllocateMapRegisters or NdisMInitializeScatterGatherDma", fn);
    return false;
}

VOID NdisMAllocateSharedMemory(IN NDIS_HANDLE MiniportAdapterHandle, IN ULONG Length,
                               IN BOOLEAN Cached, OUT PVOID *VirtualAddress,
                               OUT PNDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
    static const char fn[] = "NdisMAllocateSharedMemory";
    *VirtualAddress = NULL;
    PhysicalAddress->QuadPart = 0;
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a || !nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn))
        return;
    if (a->state != ND_AS_INITIALIZING) {
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s outside MiniportInitialize", fn);
        return;
    }
    if (!dma_ready(a, fn) || Length == 0)
        return;
    struct nd_shm *s = nd__shm_alloc(a, Length, ND_ALLOC_SHARED_MEMORY);
    if (!s)
        return;
    *VirtualAddress = s->va;
    PhysicalAddress->QuadPart = (LONGLONG)s->pa;
}

static void async_fire(eng_sim *sim, void *ctx, uint64_t arg)
{
    nd_adapter *a = ctx;
    struct nd_async *r = &a->async[arg];
    r->active = false;
    r->ev.id = 0;
    struct nd_shm *s = nd__shm_alloc(a, r->len, ND_ALLOC_SHARED_MEMORY_ASYNC);
    if (s)
        a->c.async_succeeded++;
    else
        a->c.async_failed++;
    NDIS_PHYSICAL_ADDRESS pa = {.QuadPart = s ? (LONGLONG)s->pa : 0};
    struct nd_save sv;
    nd__enter(a, DISPATCH_LEVEL, &sv);
    a->drv->ch.AllocateCompleteHandler(a->ctx, s ? s->va : NULL, &pa, s ? r->len : 0,
                                       r->context);
    nd__leave(a, &sv);
    (void)sim;
}

static size_t async_slot(nd_adapter *a)
{
    for (size_t i = 0; i < a->n_async; i++)
        if (!a->async[i].active)
            return i;
    if (a->n_async == a->cap_async) {
        a->cap_async = a->cap_async ? a->cap_async * 2 : 4;
        a->async = dms_xrealloc(a->async, a->cap_async * sizeof *a->async);
    }
    return a->n_async++;
}

NDIS_STATUS NdisMAllocateSharedMemoryAsync(IN NDIS_HANDLE MiniportAdapterHandle,
                                           IN ULONG Length, IN BOOLEAN Cached,
                                           IN PVOID Context)
{
    static const char fn[] = "NdisMAllocateSharedMemoryAsync";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a || !nd__irql_max(a->m, a, DISPATCH_LEVEL, fn))
        return NDIS_STATUS_FAILURE;
    if (a->state != ND_AS_INITIALIZING && a->state != ND_AS_RUNNING) {
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s while the adapter is not running", fn);
        return NDIS_STATUS_FAILURE;
    }
    if (!dma_ready(a, fn))
        return NDIS_STATUS_FAILURE;
    if (!a->drv->ch.AllocateCompleteHandler) {
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s without a MiniportAllocateComplete handler", fn);
        return NDIS_STATUS_FAILURE;
    }
    if (Length == 0)
        return NDIS_STATUS_FAILURE;
    a->c.async_requested++;
    size_t i = async_slot(a);
    struct nd_async *r = &a->async[i];
    *r = (struct nd_async){.active = true, .len = Length, .cached = Cached, .context = Context};
    r->ev = eng_after(a->m->sim, a->m->p.async_alloc_latency_ns, async_fire, a, i);
    return NDIS_STATUS_PENDING;
}

void nd__async_cancel(nd_adapter *a)
{
    for (size_t i = 0; i < a->n_async; i++) {
        if (a->async[i].active) {
            eng_cancel(a->m->sim, a->async[i].ev);
            a->async[i].active = false;
        }
    }
}

VOID NdisMFreeSharedMemory(IN NDIS_HANDLE MiniportAdapterHandle, IN ULONG Length,
                           IN BOOLEAN Cached, IN PVOID VirtualAddress,
                           IN NDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
    static const char fn[] = "NdisMFreeSharedMemory";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return;
    nd_machine *m = a->m;
    /* <= DISPATCH_LEVEL (NDIS 5 DDK): memory grown with NdisMAllocateSharedMemoryAsync may be
     * given back from a DPC once a burst is over. */
    nd__irql_max(m, a, DISPATCH_LEVEL, fn);
    struct nd_shm *s = VirtualAddress ? nd__reg_exact(&m->reg, VirtualAddress, ND_OBJ_SHARED)
                                      : NULL;
    if (!s) {
        nd__diag_dv(m, a, ND_V_DOUBLE_FREE, 0x03,
                    "%s: %u bytes that are not allocated (freed twice or never allocated)", fn,
                    Length);
        return;
    }
    if (s->len != Length || s->pa != (uint64_t)PhysicalAddress.QuadPart)
        nd__diag(m, a, ND_V_FREE_MISMATCH,
                 "%s: length %u at 0x%llx, allocated %u bytes at 0x%llx", fn, Length,
                 (unsigned long long)PhysicalAddress.QuadPart, s->len,
                 (unsigned long long)s->pa);
    if (s->owner != a)
        nd__diag(m, a, ND_V_FREE_MISMATCH, "%s: memory of adapter %s", fn, s->owner->name);
    nd__shm_release(m, s);
}

VOID NdisMUpdateSharedMemory(IN NDIS_HANDLE MiniportAdapterHandle, IN ULONG Length,
                             IN PVOID VirtualAddress, IN NDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
    /* Coherent by construction: host memory is the device's memory. */
    (void)MiniportAdapterHandle, (void)Length, (void)VirtualAddress, (void)PhysicalAddress;
}

VOID NdisFlushBuffer(IN PNDIS_BUFFER Buffer, IN BOOLEAN WriteToDevice)
{
    (void)Buffer, (void)WriteToDevice;
}

/* ---------------------------------------------------------------- address translation */

void *nd_phys_to_virt(nd_machine *m, uint64_t pa, size_t len)
{
    size_t i = pa_upper(m, pa);
    if (i > 0) {
        struct nd_shm *s = m->by_pa[i - 1];
        uint64_t off = pa - s->pa;
        if (off <= s->len && len <= s->len - off)
            return (unsigned char *)s->va + off;
    }
    nd__diag(m, NULL, ND_V_DEVICE_DMA, "device DMA to [0x%llx, +%zu) outside any common buffer",
             (unsigned long long)pa, len);
    return NULL;
}

uint64_t nd__va_to_pa(nd_machine *m, const void *va, size_t len)
{
    struct nd_range *r = nd__reg_find(&m->reg, va);
    uintptr_t off = r ? (uintptr_t)va - r->start : 0;
    if (r && r->kind == ND_OBJ_SHARED)
        return ((struct nd_shm *)r->obj)->pa + off;
    if (r && r->kind == ND_OBJ_MEMORY)
        return ((struct nd_mem *)r->obj)->pa + off;
    /* Memory the emulation did not hand out: a fresh host page, deterministic by order. */
    uint64_t pages = (len + m->p.page_size - 1) / m->p.page_size + 1;
    uint64_t pa = m->host_low_base + (m->unknown_next % m->host_low_pages) * m->p.page_size;
    m->unknown_next += pages;
    return pa;
}
