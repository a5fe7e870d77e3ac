/* SPDX-License-Identifier: MIT */
/*
 * nd_verify: the verifier (diagnostics, IRQL checks, leak reports) and fault injection.
 *
 * Every broken rule becomes one struct nd_diag with its class and a code: bug check 0xE6's
 * parameter 1 where Driver Verifier's DMA verification has one for the rule, else a name
 * of dmasim's own (the table in docs/ndis.md); the call that broke it then goes on or fails
 * as docs/ndis.md documents, never crashes. Strict mode marks the machine failed on the first
 * diagnostic. At most ND_DIAG_MAX diagnostics are stored; later ones are only counted.
 *
 * Fault injection: rules fail the n-th matching allocation, or each one with a
 * probability drawn from the machine's "ndis/faults" stream (a draw is made only when a
 * probabilistic rule matches, so rules never disturb other streams). Once a PAE map-register
 * request has hung, every allocation on the machine fails. The verifier never stops a
 * run itself; the caller reads nd_machine_failed().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nd_int.h"

/* Each class's name and its usual code: Driver Verifier's bug check 0xE6 parameter 1 where
 * it has one for the rule (docs/ndis.md, "Verifier codes"), else ND_DV_NONE. */
static const struct {
    const char *name;
    uint32_t dv;
} classes[] = {
    [ND_V_WRONG_IRQL] = {"WRONG_IRQL", ND_DV_NONE}, /* 0x13 for the DMA routines */
    [ND_V_CALL_ORDER] = {"CALL_ORDER", ND_DV_NONE},
    [ND_V_NOT_BUS_MASTER] = {"NOT_BUS_MASTER", ND_DV_NONE},
    [ND_V_MAP_INDEX_RANGE] = {"MAP_INDEX_RANGE", ND_DV_NONE},
    [ND_V_DOUBLE_MAP] = {"DOUBLE_MAP", 0x1D},        /* mapped an address range already mapped */
    [ND_V_FLUSH_UNMAPPED] = {"FLUSH_UNMAPPED", 0x20}, /* flushed a map register never mapped */
    [ND_V_FREE_WHILE_MAPPED] = {"FREE_WHILE_MAPPED", 0x10}, /* freed map registers still mapped */
    [ND_V_DOUBLE_FREE] = {"DOUBLE_FREE", ND_DV_NONE}, /* 0x03 common buffers, 0x05 map registers */
    [ND_V_FREE_MISMATCH] = {"FREE_MISMATCH", ND_DV_NONE},
    [ND_V_LEAK] = {"LEAK", ND_DV_NONE}, /* 0x07 common buffers, 0x09 map registers, 0x0A lists */
    [ND_V_BUFFER_TOO_LARGE] = {"BUFFER_TOO_LARGE", ND_DV_NONE},
    [ND_V_POOL_BUSY] = {"POOL_BUSY", ND_DV_NONE},
    [ND_V_BAD_HANDLE] = {"BAD_HANDLE", ND_DV_NONE},
    [ND_V_INDICATE_ORDER] = {"INDICATE_ORDER", ND_DV_NONE},
    [ND_V_SPIN_LOCK] = {"SPIN_LOCK", ND_DV_NONE},
    [ND_V_DEVICE_DMA] = {"DEVICE_DMA", 0x0F},        /* hardware wrote outside its DMA buffer */
    [ND_V_PACKET_OWNERSHIP] = {"PACKET_OWNERSHIP", ND_DV_NONE},
};

const char *nd_violation_name(enum nd_violation v)
{
    if ((size_t)v < DMS_ARRAY_LEN(classes) && classes[v].name)
        return classes[v].name;
    return "UNKNOWN";
}

static void record(nd_machine *m, nd_adapter *a, enum nd_violation v, uint32_t dv,
                   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void record(nd_machine *m, nd_adapter *a, enum nd_violation v, uint32_t dv,
                   const char *fmt, va_list ap)
{
    m->diag_total++;
    if (m->p.strict)
        m->failed = true;
    if (m->n_diags >= ND_DIAG_MAX)
        return;
    if (m->n_diags == m->cap_diags) {
        m->cap_diags = m->cap_diags ? m->cap_diags * 2 : 16;
        m->diags = dms_xrealloc(m->diags, m->cap_diags * sizeof *m->diags);
    }
    struct nd_diag *d = &m->diags[m->n_diags++];
    memset(d, 0, sizeof *d);
    d->bugcheck_param1 = dv;
    if (dv != ND_DV_NONE)
        snprintf(d->code, sizeof d->code, "0xE6:0x%02X", (unsigned)dv);
    else
        snprintf(d->code, sizeof d->code, "dmasim:%s", nd_violation_name(v));
    d->kind = v;
    d->adapter = a ? a->index : -1;
    if (a)
        snprintf(d->adapter_name, sizeof d->adapter_name, "%s", a->name);
    d->time_ns = eng_now(m->sim);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
}

void nd__diag(nd_machine *m, nd_adapter *a, enum nd_violation v, const char *fmt, ...)
{
    uint32_t dv = (size_t)v < DMS_ARRAY_LEN(classes) ? classes[v].dv : ND_DV_NONE;
    va_list ap;
    va_start(ap, fmt);
    record(m, a, v, dv, fmt, ap);
    va_end(ap);
}

void nd__diag_dv(nd_machine *m, nd_adapter *a, enum nd_violation v, uint32_t dv,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(m, a, v, dv, fmt, ap);
    va_end(ap);
}

size_t nd_machine_diag_count(const nd_machine *m)
{
    return m->n_diags;
}

uint64_t nd_machine_diag_total(const nd_machine *m)
{
    return m->diag_total;
}

const struct nd_diag *nd_machine_diag(const nd_machine *m, size_t i)
{
    return i < m->n_diags ? &m->diags[i] : NULL;
}

bool nd_machine_failed(const nd_machine *m)
{
    return m->failed;
}

const struct nd_hang *nd_machine_hang(const nd_machine *m)
{
    return &m->hang;
}

/* The DMA routines, whose IRQL Driver Verifier's DMA verification checks (0x13); other
 * calls at the wrong IRQL get dmasim's own code. */
static uint32_t irql_code(const char *fn)
{
    static const char *const dma[] = {
        "NdisMAllocateMapRegisters", "NdisMFreeMapRegisters",
        "NdisMInitializeScatterGatherDma", "NdisMStartBufferPhysicalMapping",
        "NdisMCompleteBufferPhysicalMapping", "NdisMAllocateSharedMemory",
        "NdisMAllocateSharedMemoryAsync", "NdisMFreeSharedMemory",
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(dma); i++)
        if (strcmp(fn, dma[i]) == 0)
            return 0x13;
    return ND_DV_NONE;
}

bool nd__irql_max_fail(nd_machine *m, nd_adapter *a, int max, const char *fn)
{
    nd__diag_dv(m, a, ND_V_WRONG_IRQL, irql_code(fn), "%s at IRQL %d, allowed at most %d", fn,
                m->irql, max);
    return false;
}

bool nd__irql_eq_fail(nd_machine *m, nd_adapter *a, int level, const char *fn)
{
    nd__diag_dv(m, a, ND_V_WRONG_IRQL, irql_code(fn), "%s at IRQL %d, allowed only at %d", fn,
                m->irql, level);
    return false;
}

/* ---------------------------------------------------------------- leaks */

#define LLU(x) ((unsigned long long)(x))

void nd__leak_report(nd_adapter *a, const char *when)
{
    nd_machine *m = a->m;
    const struct nd_live *l = &a->live;
    if (l->shm)
        nd__diag_dv(m, a, ND_V_LEAK, 0x07, "leak (shared memory) %s: %llu block(s), %llu bytes", when,
                 LLU(l->shm), LLU(l->shm_bytes));
    if (l->mem)
        nd__diag(m, a, ND_V_LEAK, "leak (memory) %s: %llu block(s), %llu bytes", when,
                 LLU(l->mem), LLU(l->mem_bytes));
    if (a->base)
        nd__diag_dv(m, a, ND_V_LEAK, 0x09,
                    "leak (map registers) %s: %llu map register(s) (%u base x %u)", when,
                    LLU((uint64_t)a->base * a->per_base), a->base, a->per_base);
    if (l->sg_lists)
        nd__diag_dv(m, a, ND_V_LEAK, 0x0A,
                    "leak (scatter-gather lists) %s: %llu list(s) holding %llu map register(s)",
                    when, LLU(l->sg_lists), LLU(a->c.sg_map_registers.in_use));
    if (l->ppools)
        nd__diag(m, a, ND_V_LEAK, "leak (packet pools) %s: %llu pool(s)", when, LLU(l->ppools));
    if (l->bpools)
        nd__diag(m, a, ND_V_LEAK, "leak (buffer pools) %s: %llu pool(s)", when, LLU(l->bpools));
    if (l->packets)
        nd__diag(m, a, ND_V_LEAK, "leak (packets) %s: %llu descriptor(s)", when, LLU(l->packets));
    if (l->buffers)
        nd__diag(m, a, ND_V_LEAK, "leak (buffers) %s: %llu descriptor(s)", when, LLU(l->buffers));
    if (a->intr)
        nd__diag(m, a, ND_V_LEAK, "leak (interrupts) %s: 1 interrupt still registered", when);
    size_t t = nd__timers_pending(a);
    if (t)
        nd__diag(m, a, ND_V_LEAK, "leak (timers) %s: %zu timer(s) still set", when, t);
    if (l->io)
        nd__diag(m, a, ND_V_LEAK, "leak (io space) %s: %llu mapping(s)", when, LLU(l->io));
    if (l->configs)
        nd__diag(m, a, ND_V_LEAK, "leak (configuration) %s: %llu handle(s) not closed", when,
                 LLU(l->configs));
    if (l->sending)
        nd__diag(m, a, ND_V_LEAK, "leak (sends) %s: %llu packet(s) never completed", when,
                 LLU(l->sending));
}

/* ---------------------------------------------------------------- fault injection */

static const char *const kind_names[] = {
    [ND_ALLOC_MAP_REGISTERS] = "map_registers",
    [ND_ALLOC_SHARED_MEMORY] = "shared_memory",
    [ND_ALLOC_SHARED_MEMORY_ASYNC] = "shared_memory_async",
    [ND_ALLOC_MEMORY] = "memory",
    [ND_ALLOC_PACKET_POOL] = "packet_pool",
    [ND_ALLOC_BUFFER_POOL] = "buffer_pool",
    [ND_ALLOC_PACKET] = "packet",
    [ND_ALLOC_BUFFER] = "buffer",
    [ND_ALLOC_INTERRUPT] = "interrupt",
    [ND_ALLOC_ANY] = "any",
};

const char *nd_alloc_kind_name(enum nd_alloc_kind k)
{
    if ((size_t)k < DMS_ARRAY_LEN(kind_names))
        return kind_names[k];
    return "unknown";
}

int nd_alloc_kind_parse(const char *name, enum nd_alloc_kind *out)
{
    for (size_t i = 0; name && i < DMS_ARRAY_LEN(kind_names); i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (enum nd_alloc_kind)i;
            return 0;
        }
    }
    return DMS_EINVAL;
}

int nd_machine_add_fault(nd_machine *m, const struct nd_fault *f, struct dms_error *err)
{
    if ((unsigned)f->kind > ND_ALLOC_ANY)
        return dms_error_set(err, DMS_EINVAL, "fault: unknown allocation kind %d", (int)f->kind);
    if (f->adapter < -1)
        return dms_error_set(err, DMS_EINVAL, "fault: adapter must be an index or -1");
    if (!(f->probability >= 0.0 && f->probability <= 1.0))
        return dms_error_set(err, DMS_EINVAL, "fault: probability must be in [0, 1]");
    if (f->nth == 0 && f->probability == 0.0)
        return dms_error_set(err, DMS_EINVAL, "fault: neither nth nor probability is set");
    m->faults = dms_xrealloc(m->faults, (m->n_faults + 1) * sizeof *m->faults);
    m->faults[m->n_faults++] = (struct nd_fault_rule){*f, 0};
    return 0;
}

uint64_t nd_machine_faults_injected(const nd_machine *m)
{
    return m->faults_injected;
}

bool nd__alloc_denied(nd_machine *m, nd_adapter *a, enum nd_alloc_kind k)
{
    if (m->hang.hung)
        return true;
    bool fail = false;
    for (size_t i = 0; i < m->n_faults; i++) {
        struct nd_fault_rule *r = &m->faults[i];
        if (r->f.kind != ND_ALLOC_ANY && r->f.kind != k)
            continue;
        if (r->f.adapter >= 0 && (!a || a->index != r->f.adapter))
            continue;
        r->seen++;
        if (r->f.nth && r->seen == r->f.nth)
            fail = true;
        if (r->f.probability > 0.0 && gsl_rng_uniform(m->fault_rng) < r->f.probability)
            fail = true;
    }
    if (fail)
        m->faults_injected++;
    return fail;
}
