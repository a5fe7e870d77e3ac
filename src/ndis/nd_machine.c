/* SPDX-License-Identifier: MIT */
/*
 * nd_machine: the simulated machine, its physical layout and the running context.
 *
 * Physical layout (P = page size; all bounds are page aligned):
 *   [1 MB, 1 MB + low16_free_bytes)   24-bit DMA memory: shared memory and bounce pages of
 *                                     adapters that asked for NDIS_DMA_24BITS
 *   [16 MB, 16 MB + S)                fake addresses of nonpaged memory (bump, modulo S)
 *   [16 MB + S, cb_base)              host pages: nd_host_physical(low) and memory the
 *                                     emulation did not allocate
 *   [cb_base, cb_end)                 common buffers (shared memory), common_buffer_bytes;
 *                                     cb_end = min(memory_bytes, 3 GB)
 *   [3.5 GB, 3.75 GB)                 fake bounce pages of 32-bit DMA on PAE, 1 MB per adapter
 *   [4 GB, memory_bytes)              high memory, used only on PAE machines
 * where S is half of [16 MB, cb_base).
 *
 * The machine also keeps the running context: which adapter's miniport code runs, at what
 * IRQL, and, per thread, which machine (so that handle-less calls find it). Nothing here
 * is global except that one thread-local pointer, which is set only while driver code runs.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "nd_int.h"

_Thread_local nd_machine *nd__tls_machine;

nd_machine *nd__tls_set(nd_machine *m)
{
    nd_machine *old = nd__tls_machine;
    nd__tls_machine = m;
    return old;
}

void nd_machine_params_default(struct nd_machine_params *p)
{
    memset(p, 0, sizeof *p);
    p->processors = 1;
    p->page_size = 4096;
    p->memory_bytes = 2 * ND_GIB;
    p->pae = false;
    p->map_register_pool = 64;
    p->pool_draw = ND_POOL_BOUNCING;
    p->map_register_count_supported = true;
    p->nonpaged_pool_bytes = UINT64_C(64) << 20;
    p->low16_free_bytes = UINT64_C(4) << 20;
    p->common_buffer_bytes = UINT64_C(64) << 20;
    p->fragmentation = 0.0;
    p->async_alloc_latency_ns = 50 * DMS_NS_PER_US;
    p->cache_line_bytes = 64;
    p->strict = false;
}

static int bad(struct dms_error *err, const char *field, const char *msg)
{
    if (err) {
        dms_error_set(err, DMS_EINVAL, "%s", msg);
        size_t n = strlen(field);
        if (n >= sizeof err->path)
            n = sizeof err->path - 1;
        memcpy(err->path, field, n);
        err->path[n] = '\0';
    }
    return DMS_EINVAL;
}

static uint64_t cb_end_of(const struct nd_machine_params *p)
{
    uint64_t end = p->memory_bytes < ND_CB_CEILING ? p->memory_bytes : ND_CB_CEILING;
    return end / p->page_size * p->page_size;
}

static int check_params(const struct nd_machine_params *p, struct dms_error *err)
{
    if (p->processors < 1 || p->processors > 64)
        return bad(err, "processors", "processors must be 1..64");
    if (p->page_size != 4096 && p->page_size != 8192)
        return bad(err, "page_size", "page size must be 4096 or 8192 bytes");
    if (p->memory_bytes < (UINT64_C(64) << 20) || p->memory_bytes > ND_PAE_MAX_BYTES)
        return bad(err, "memory_bytes", "memory must be 64 MiB..64 GiB");
    if (p->map_register_pool < 0 && p->map_register_pool != ND_UNLIMITED)
        return bad(err, "map_register_pool", "map-register pool must be >= 0 or unlimited");
    if ((unsigned)p->pool_draw > ND_POOL_EVERY_GRANT)
        return bad(err, "pool_draw", "unknown map-register pool accounting");
    if (p->map_register_pool > INT32_MAX)
        return bad(err, "map_register_pool", "map-register pool too large");
    if (p->nonpaged_pool_bytes < p->page_size || p->nonpaged_pool_bytes > p->memory_bytes)
        return bad(err, "nonpaged_pool_bytes", "nonpaged pool must be a page..memory size");
    if (p->low16_free_bytes > ND_16MB - ND_LOW16_BASE)
        return bad(err, "low16_free_bytes", "free memory below 16 MB must be at most 15 MiB");
    if (p->common_buffer_bytes < p->page_size)
        return bad(err, "common_buffer_bytes", "common-buffer region must be at least a page");
    if (ND_16MB + p->common_buffer_bytes + 2 * (uint64_t)p->page_size > cb_end_of(p))
        return bad(err, "common_buffer_bytes",
                   "common-buffer region does not fit between 16 MB and min(memory, 3 GB)");
    if (!(p->fragmentation >= 0.0 && p->fragmentation < 1.0))
        return bad(err, "fragmentation", "fragmentation must be in [0, 1)");
    if (p->async_alloc_latency_ns < 0)
        return bad(err, "async_alloc_latency_ns", "latency must be >= 0");
    uint32_t cl = p->cache_line_bytes;
    if (cl < 16 || cl > p->page_size || (cl & (cl - 1)) != 0)
        return bad(err, "cache_line_bytes", "cache line must be a power of two, 16..page size");
    return 0;
}

static void layout(nd_machine *m)
{
    const struct nd_machine_params *p = &m->p;
    uint32_t pg = p->page_size;
    m->cb_end = cb_end_of(p);
    uint64_t cb_bytes = p->common_buffer_bytes / pg * pg;
    uint64_t cb_base = m->cb_end - cb_bytes;
    uint64_t span = (cb_base - ND_16MB) / 2 / pg * pg;
    m->np_base = ND_16MB;
    m->np_span = span ? span : pg;
    m->host_low_base = ND_16MB + span;
    m->host_low_pages = (cb_base - m->host_low_base) / pg;
    nd__phys_init(&m->cb, cb_base, cb_bytes, pg);
    nd__phys_init(&m->low16, ND_LOW16_BASE, p->low16_free_bytes / pg * pg, pg);
}

int nd_machine_new(nd_machine **out, const struct nd_machine_params *p, eng_sim *sim,
                   struct dms_error *err)
{
    *out = NULL;
    int rc = check_params(p, err);
    if (rc)
        return rc;
    nd_machine *m = dms_xcalloc(1, sizeof *m);
    m->p = *p;
    m->sim = sim;
    m->fault_rng = eng_rng_stream(sim, "ndis/faults");
    m->irql = PASSIVE_LEVEL;
    layout(m);
    if (p->fragmentation > 0.0)
        nd__phys_fragment(&m->cb, p->fragmentation, eng_rng_stream(sim, "ndis/physmem"));
    m->c.map_register_pool_size = p->map_register_pool;
    m->c.map_registers.size = p->map_register_pool == ND_UNLIMITED
                                  ? 0 : (uint64_t)p->map_register_pool;
    m->c.nonpaged_bytes.size = p->nonpaged_pool_bytes;
    m->c.common_buffer_bytes.size = nd__phys_free_bytes(&m->cb);
    m->c.low16_bytes.size = nd__phys_free_bytes(&m->low16);
    *out = m;
    return 0;
}

static void free_registry(nd_machine *m)
{
    for (size_t i = 0; i < m->reg.n; i++) {
        struct nd_range *r = &m->reg.v[i];
        switch (r->kind) {
        case ND_OBJ_MEMORY: {
            struct nd_mem *x = r->obj;
            free(x->va);
            free(x);
            break;
        }
        case ND_OBJ_SHARED: {
            struct nd_shm *s = r->obj;
            free(s->raw);
            free(s);
            break;
        }
        case ND_OBJ_PPOOL:
            nd__ppool_destroy(m, r->obj);
            break;
        case ND_OBJ_BPOOL:
            nd__bpool_destroy(m, r->obj);
            break;
        case ND_OBJ_CONFIG:
            nd__config_destroy(r->obj);
            break;
        case ND_OBJ_PPOOL_STORE:
        case ND_OBJ_BPOOL_STORE:
            break;
        }
    }
    free(m->reg.v);
}

void nd_machine_free(nd_machine *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_adapters; i++)
        nd__adapter_destroy(m->adapters[i]);
    free(m->adapters);
    for (size_t i = 0; i < m->n_drivers; i++)
        free(m->drivers[i]);
    free(m->drivers);
    free_registry(m);
    free(m->by_pa);
    free(m->diags);
    free(m->errlog);
    free(m->faults);
    nd__phys_fini(&m->cb);
    nd__phys_fini(&m->low16);
    free(m);
}

eng_sim *nd_machine_engine(const nd_machine *m)
{
    return m->sim;
}

const struct nd_machine_params *nd_machine_params(const nd_machine *m)
{
    return &m->p;
}

void nd_machine_counters(const nd_machine *m, struct nd_system_counters *out)
{
    *out = m->c;
    out->largest_free_run_bytes = nd__phys_largest_run_bytes(&m->cb);
}

uint64_t nd_host_physical(const nd_machine *m, bool high, uint64_t index)
{
    uint64_t pg = m->p.page_size;
    if (high && m->p.pae && m->p.memory_bytes > ND_4GB) {
        uint64_t pages = (m->p.memory_bytes - ND_4GB) / pg;
        return ND_4GB + (index < pages ? index : index % pages) * pg;
    }
    uint64_t low = m->host_low_pages;
    return m->host_low_base + (index < low ? index : index % low) * pg;
}

/* ---------------------------------------------------------------- running context */

void nd__enter(nd_adapter *a, int irql, struct nd_save *s)
{
    nd_machine *m = a->m;
    s->tls = nd__tls_machine;
    s->cur = m->cur;
    s->irql = m->irql;
    s->locks_held = m->locks_held;
    s->work = m->work;
    nd__tls_machine = m;
    if (m->cur != a)
        m->work = NULL;
    m->cur = a;
    m->irql = irql;
    a->depth++;
}

void nd__leave(nd_adapter *a, const struct nd_save *s)
{
    nd_machine *m = a->m;
    /* The outermost call into this miniport is returning: NDIS now hands over sends that
     * a completion or NdisMSendResourcesAvailable made possible meanwhile. */
    if (m->locks_held > s->locks_held) {
        nd__diag(m, a, ND_V_SPIN_LOCK, "a miniport handler returned holding %d spin lock(s)",
                 m->locks_held - s->locks_held);
        m->locks_held = s->locks_held;
    }
    if (a->depth == 1 && a->kick && !a->pumping)
        nd__send_pump(a);
    a->depth--;
    m->cur = s->cur;
    m->irql = s->irql;
    m->work = s->work;
    nd__tls_machine = s->tls;
}

nd_adapter *nd__adapter(NDIS_HANDLE h, const char *fn)
{
    nd_machine *m = nd__tls_machine;
    if (!m) {
        nd_adapter *a = h;
        return a && a->magic == ND_MAGIC_ADAPTER ? a : NULL;
    }
    if (h && (nd_adapter *)h == m->cur)
        return m->cur;
    for (size_t i = 0; i < m->n_adapters; i++)
        if ((NDIS_HANDLE)m->adapters[i] == h)
            return m->adapters[i];
    nd__diag(m, m->cur, ND_V_BAD_HANDLE, "%s: unknown MiniportAdapterHandle", fn);
    return NULL;
}

/* ---------------------------------------------------------------- nonpaged pool */

bool nd__np_alloc(nd_machine *m, nd_adapter *owner, uint64_t bytes, enum nd_alloc_kind kind)
{
    if (nd__alloc_denied(m, owner, kind) ||
        bytes > m->p.nonpaged_pool_bytes - m->c.nonpaged_bytes.in_use) {
        m->c.nonpaged_bytes.failures++;
        if (owner)
            owner->c.nonpaged_bytes.failures++;
        return false;
    }
    nd__ctr_take(&m->c.nonpaged_bytes, bytes);
    if (owner)
        nd__ctr_take(&owner->c.nonpaged_bytes, bytes);
    return true;
}

void nd__np_release(nd_machine *m, nd_adapter *owner, uint64_t bytes)
{
    nd__ctr_give(&m->c.nonpaged_bytes, bytes);
    if (owner)
        nd__ctr_give(&owner->c.nonpaged_bytes, bytes);
}
