/* SPDX-License-Identifier: MIT */
/*
 * nd_sync: interrupts, timers, spin locks, device registers, time and stalls.
 *
 * Timers are engine events; the record of each timer lives in the adapter (the driver's
 * NDIS_MINIPORT_TIMER is only read and stamped while it is in use), so halt can cancel
 * them without touching driver memory. Spin locks raise the machine's IRQL to DISPATCH and
 * restore it, and report misuse instead of deadlocking.
 *
 * Registers: NdisMMapIoSpace gives the driver a window inside a host block whose size is
 * a power of two and which is aligned to that size, with a header (struct nd_io) at the
 * block's start. The window is never written, so it stays zero; a register pointer finds
 * its header by masking to 4 KiB, 8 KiB, ... boundaries until the header's magic appears,
 * without any global table. Reads and writes then go to the device's read32/write32 with
 * the byte offset in the BAR. Nothing here runs concurrently: a spin lock is a flag and an
 * IRQL, and "interlocked" operations are plain ones.
 */
#include <stdlib.h>
#include <string.h>

#include "nd_int.h"

/* ---------------------------------------------------------------- interrupts */

NDIS_STATUS NdisMRegisterInterrupt(OUT PNDIS_MINIPORT_INTERRUPT Interrupt,
                                   IN NDIS_HANDLE MiniportAdapterHandle, IN UINT InterruptVector,
                                   IN UINT InterruptLevel, IN BOOLEAN RequestIsr,
                                   IN BOOLEAN SharedInterrupt,
                                   IN NDIS_INTERRUPT_MODE InterruptMode)
{
    static const char fn[] = "NdisMRegisterInterrupt";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a || !nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn))
        return NDIS_STATUS_FAILURE;
    if (a->state != ND_AS_INITIALIZING || a->intr) {
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s %s", fn,
                 a->intr ? "twice" : "outside MiniportInitialize");
        return NDIS_STATUS_FAILURE;
    }
    if (nd__alloc_denied(a->m, a, ND_ALLOC_INTERRUPT))
        return NDIS_STATUS_RESOURCES;
    memset(Interrupt, 0, sizeof *Interrupt);
    Interrupt->Reserved[0] = a;
    Interrupt->Registered = TRUE;
    Interrupt->SharedInterrupt = SharedInterrupt;
    Interrupt->IsrRequested = RequestIsr;
    Interrupt->Vector = InterruptVector;
    Interrupt->Level = InterruptLevel;
    a->intr = Interrupt;
    (void)InterruptMode;
    return NDIS_STATUS_SUCCESS;
}

/* The adapter that registered interrupt i, or NULL. */
static nd_adapter *intr_adapter(nd_machine *m, PNDIS_MINIPORT_INTERRUPT i)
{
    for (size_t k = 0; i && k < m->n_adapters; k++)
        if (m->adapters[k]->intr == i)
            return m->adapters[k];
    return NULL;
}

VOID NdisMDeregisterInterrupt(IN PNDIS_MINIPORT_INTERRUPT Interrupt)
{
    static const char fn[] = "NdisMDeregisterInterrupt";
    nd_machine *m = nd__machine();
    if (!m)
        return;
    nd_adapter *a = intr_adapter(m, Interrupt);
    if (!a) {
        nd__diag(m, m->cur, ND_V_DOUBLE_FREE, "%s: interrupt not registered", fn);
        return;
    }
    nd__irql_eq(m, a, PASSIVE_LEVEL, fn);
    a->intr = NULL;
    a->dpc_queued = false;
    Interrupt->Registered = FALSE;
    Interrupt->Reserved[0] = NULL;
}

BOOLEAN NdisMSynchronizeWithInterrupt(IN PNDIS_MINIPORT_INTERRUPT Interrupt,
                                      IN PVOID SynchronizeFunction, IN PVOID SynchronizeContext)
{
    nd_machine *m = nd__machine();
    if (!m)
        return FALSE;
    if (!intr_adapter(m, Interrupt)) {
        nd__diag(m, m->cur, ND_V_BAD_HANDLE,
                 "NdisMSynchronizeWithInterrupt: interrupt not registered");
        return FALSE;
    }
    BOOLEAN (*fn)(PVOID);
    memcpy(&fn, &SynchronizeFunction, sizeof fn);
    int old = m->irql;
    m->irql = DIRQL_LEVEL;
    BOOLEAN r = fn(SynchronizeContext);
    m->irql = old;
    return r;
}

/* ---------------------------------------------------------------- timers */

static struct nd_timer_rec *timer_rec(nd_adapter *a, PNDIS_MINIPORT_TIMER t, size_t *idx)
{
    for (size_t i = 0; i < a->n_timers; i++) {
        if (a->timers[i].t == t) {
            *idx = i;
            return &a->timers[i];
        }
    }
    return NULL;
}

VOID NdisMInitializeTimer(IN OUT PNDIS_MINIPORT_TIMER Timer, IN NDIS_HANDLE MiniportAdapterHandle,
                          IN PNDIS_TIMER_FUNCTION TimerFunction, IN PVOID FunctionContext)
{
    static const char fn[] = "NdisMInitializeTimer";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return;
    nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn);
    size_t i;
    struct nd_timer_rec *r = timer_rec(a, Timer, &i);
    if (r) {
        eng_cancel(a->m->sim, r->ev);
    } else {
        if (a->n_timers == a->cap_timers) {
            a->cap_timers = a->cap_timers ? a->cap_timers * 2 : 4;
            a->timers = dms_xrealloc(a->timers, a->cap_timers * sizeof *a->timers);
        }
        r = &a->timers[a->n_timers++];
    }
    *r = (struct nd_timer_rec){.t = Timer};
    memset(Timer, 0, sizeof *Timer);
    Timer->MiniportTimerFunction = TimerFunction;
    Timer->MiniportTimerContext = FunctionContext;
    Timer->MiniportAdapterHandle = MiniportAdapterHandle;
    Timer->Magic = ND_MAGIC_TIMER;
}

static nd_adapter *timer_adapter(PNDIS_MINIPORT_TIMER t, const char *fn, size_t *idx)
{
    nd_machine *m = nd__machine();
    if (!t || t->Magic != ND_MAGIC_TIMER) {
        if (m)
            nd__diag(m, m->cur, ND_V_BAD_HANDLE, "%s: timer not initialized", fn);
        return NULL;
    }
    nd_adapter *a = nd__adapter(t->MiniportAdapterHandle, fn);
    if (a && !timer_rec(a, t, idx)) {
        nd__diag(a->m, a, ND_V_BAD_HANDLE, "%s: timer not initialized", fn);
        return NULL;
    }
    return a;
}

static void timer_arm(nd_adapter *a, size_t idx, UINT ms);

static void timer_fire(eng_sim *sim, void *ctx, uint64_t arg)
{
    nd_adapter *a = ctx;
    struct nd_timer_rec *r = &a->timers[arg];
    PNDIS_MINIPORT_TIMER t = r->t;
    r->ev.id = 0;
    t->EventId = 0;
    if (r->period_ms)
        timer_arm(a, (size_t)arg, r->period_ms);
    struct nd_save sv;
    nd__enter(a, DISPATCH_LEVEL, &sv);
    t->MiniportTimerFunction(NULL, t->MiniportTimerContext, NULL, NULL);
    nd__leave(a, &sv);
    (void)sim;
}

static void timer_arm(nd_adapter *a, size_t idx, UINT ms)
{
    struct nd_timer_rec *r = &a->timers[idx];
    eng_cancel(a->m->sim, r->ev);
    r->ev = eng_after(a->m->sim, (eng_time_ns)ms * DMS_NS_PER_MS, timer_fire, a, idx);
    r->t->EventId = r->ev.id;
}

/* NdisMSetTimer and NdisMSetPeriodicTimer: (re)arm after delay_ms, then every period_ms
 * (0: once). */
static void timer_set(PNDIS_MINIPORT_TIMER Timer, UINT delay_ms, UINT period_ms, const char *fn)
{
    size_t i;
    nd_adapter *a = timer_adapter(Timer, fn, &i);
    if (!a)
        return;
    nd__irql_max(a->m, a, DISPATCH_LEVEL, fn);
    a->timers[i].period_ms = period_ms;
    Timer->PeriodMs = period_ms;
    timer_arm(a, i, delay_ms);
}

VOID NdisMSetTimer(IN PNDIS_MINIPORT_TIMER Timer, IN UINT MillisecondsToDelay)
{
    timer_set(Timer, MillisecondsToDelay, 0, "NdisMSetTimer");
}

VOID NdisMSetPeriodicTimer(IN PNDIS_MINIPORT_TIMER Timer, IN UINT MillisecondPeriod)
{
    /* a period of 0 behaves as a one-shot timer */
    timer_set(Timer, MillisecondPeriod, MillisecondPeriod, "NdisMSetPeriodicTimer");
}

VOID NdisMCancelTimer(IN PNDIS_MINIPORT_TIMER Timer, OUT PBOOLEAN TimerCancelled)
{
    static const char fn[] = "NdisMCancelTimer";
    size_t i;
    *TimerCancelled = FALSE;
    nd_adapter *a = timer_adapter(Timer, fn, &i);
    if (!a)
        return;
    nd__irql_max(a->m, a, DISPATCH_LEVEL, fn);
    struct nd_timer_rec *r = &a->timers[i];
    *TimerCancelled = eng_cancel(a->m->sim, r->ev) ? TRUE : FALSE;
    r->ev.id = 0;
    r->period_ms = 0;
    Timer->EventId = 0;
    Timer->PeriodMs = 0;
}

size_t nd__timers_pending(const nd_adapter *a)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_timers; i++)
        n += eng_pending(a->m->sim, a->timers[i].ev);
    return n;
}

void nd__timers_cancel(nd_adapter *a)
{
    for (size_t i = 0; i < a->n_timers; i++) {
        eng_cancel(a->m->sim, a->timers[i].ev);
        a->timers[i].ev.id = 0;
        a->timers[i].period_ms = 0;
    }
}

/* ---------------------------------------------------------------- spin locks */

VOID NdisAllocateSpinLock(IN PNDIS_SPIN_LOCK SpinLock)
{
    SpinLock->Lock = 0;
    SpinLock->OldIrql = PASSIVE_LEVEL;
    SpinLock->Owner = nd__machine();
}

VOID NdisFreeSpinLock(IN PNDIS_SPIN_LOCK SpinLock)
{
    nd_machine *m = nd__machine();
    if (m && SpinLock->Lock)
        nd__diag(m, m->cur, ND_V_SPIN_LOCK, "NdisFreeSpinLock: the lock is held");
    SpinLock->Owner = NULL;
}

static void lock_take(PNDIS_SPIN_LOCK l, bool raise, const char *fn)
{
    nd_machine *m = nd__machine();
    if (!m) {
        l->Lock = 1;
        return;
    }
    if (raise)
        nd__irql_max(m, m->cur, DISPATCH_LEVEL, fn);
    else
        nd__irql_eq(m, m->cur, DISPATCH_LEVEL, fn);
    if (l->Lock) {
        nd__diag(m, m->cur, ND_V_SPIN_LOCK, "%s: the lock is already held (deadlock)", fn);
        return;
    }
    l->Lock = 1;
    m->locks_held++;
    if (raise) {
        l->OldIrql = (KIRQL)m->irql;
        if (m->irql < DISPATCH_LEVEL)
            m->irql = DISPATCH_LEVEL;
    }
}

static void lock_give(PNDIS_SPIN_LOCK l, bool lower, const char *fn)
{
    nd_machine *m = nd__machine();
    if (!m) {
        l->Lock = 0;
        return;
    }
    if (!l->Lock) {
        nd__diag(m, m->cur, ND_V_SPIN_LOCK, "%s: the lock is not held", fn);
        return;
    }
    l->Lock = 0;
    if (m->locks_held > 0)
        m->locks_held--;
    if (lower)
        m->irql = l->OldIrql;
}

VOID NdisAcquireSpinLock(IN PNDIS_SPIN_LOCK SpinLock)
{
    lock_take(SpinLock, true, "NdisAcquireSpinLock");
}

VOID NdisReleaseSpinLock(IN PNDIS_SPIN_LOCK SpinLock)
{
    lock_give(SpinLock, true, "NdisReleaseSpinLock");
}

VOID NdisDprAcquireSpinLock(IN PNDIS_SPIN_LOCK SpinLock)
{
    lock_take(SpinLock, false, "NdisDprAcquireSpinLock");
}

VOID NdisDprReleaseSpinLock(IN PNDIS_SPIN_LOCK SpinLock)
{
    lock_give(SpinLock, false, "NdisDprReleaseSpinLock");
}

LONG NdisInterlockedIncrement(IN PLONG Addend)
{
    return ++*Addend;
}

LONG NdisInterlockedDecrement(IN PLONG Addend)
{
    return --*Addend;
}

/* ---------------------------------------------------------------- time */

VOID NdisGetCurrentSystemTime(OUT PLARGE_INTEGER pSystemTime)
{
    nd_machine *m = nd__machine();
    pSystemTime->QuadPart = m ? eng_now(m->sim) / 100 : 0;
}

VOID NdisStallExecution(IN UINT MicrosecondsToStall)
{
    nd_machine *m = nd__machine();
    if (m && m->work)
        m->work->stall_ns += (eng_time_ns)MicrosecondsToStall * DMS_NS_PER_US;
}

/* ---------------------------------------------------------------- registers */

NDIS_STATUS NdisMMapIoSpace(OUT PVOID *VirtualAddress, IN NDIS_HANDLE MiniportAdapterHandle,
                            IN NDIS_PHYSICAL_ADDRESS PhysicalAddress, IN UINT Length)
{
    static const char fn[] = "NdisMMapIoSpace";
    *VirtualAddress = NULL;
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a || !nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn))
        return NDIS_STATUS_FAILURE;
    uint64_t start = (uint64_t)PhysicalAddress.QuadPart;
    if (Length == 0 || start < a->bar_physical ||
        start - a->bar_physical + Length > a->bar_length)
        return NDIS_STATUS_RESOURCE_CONFLICT;
    uint64_t block = 4096;
    while (block < ND_IO_HEADER + (uint64_t)Length)
        block *= 2;
    void *raw = dms_xcalloc(1, (size_t)(2 * block));
    struct nd_io *io = (struct nd_io *)nd__round_up((uintptr_t)raw, block);
    io->magic = ND_IO_MAGIC;
    io->a = a;
    io->raw = raw;
    io->block = block;
    io->bar_offset = (ULONG)(start - a->bar_physical);
    io->len = Length;
    io->mapped = true;
    if (a->n_io == a->cap_io) {
        a->cap_io = a->cap_io ? a->cap_io * 2 : 2;
        a->io = dms_xrealloc(a->io, a->cap_io * sizeof *a->io);
    }
    a->io[a->n_io++] = io;
    a->live.io++;
    *VirtualAddress = (unsigned char *)io + ND_IO_HEADER;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisMUnmapIoSpace(IN NDIS_HANDLE MiniportAdapterHandle, IN PVOID VirtualAddress,
                       IN UINT Length)
{
    static const char fn[] = "NdisMUnmapIoSpace";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return;
    nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn);
    for (size_t i = 0; i < a->n_io; i++) {
        struct nd_io *io = a->io[i];
        if ((unsigned char *)io + ND_IO_HEADER != VirtualAddress || !io->mapped)
            continue;
        if (io->len != Length)
            nd__diag(a->m, a, ND_V_FREE_MISMATCH, "%s: length %u, mapped %u", fn, Length,
                     io->len);
        io->mapped = false;
        a->live.io--;
        return;
    }
    nd__diag(a->m, a, ND_V_DOUBLE_FREE, "%s: range not mapped", fn);
}

void nd__io_free_all(nd_adapter *a)
{
    for (size_t i = 0; i < a->n_io; i++)
        free(a->io[i]->raw);
    free(a->io);
    a->io = NULL;
    a->n_io = a->cap_io = 0;
}

/* The mapped window behind a register pointer and its byte offset, or NULL. */
static struct nd_io *io_find(const volatile ULONG *reg, ULONG *off)
{
    uintptr_t p = (uintptr_t)reg;
    for (unsigned k = 12; k < sizeof(uintptr_t) * 8 - 1; k++) {
        uintptr_t b = p & ~(((uintptr_t)1 << k) - 1);
        struct nd_io *io = (struct nd_io *)b;
        if (!b || io->magic != ND_IO_MAGIC)
            continue;
        uintptr_t o = p - (b + ND_IO_HEADER);
        if (p < b + ND_IO_HEADER || !io->mapped || o + sizeof(ULONG) > io->len)
            break;
        *off = io->bar_offset + (ULONG)o;
        return io;
    }
    nd_machine *m = nd__machine();
    if (m)
        nd__diag(m, m->cur, ND_V_BAD_HANDLE, "register access outside any mapped I/O range");
    return NULL;
}

ULONG NdisEmulatedReadRegisterUlong(IN volatile ULONG *Register)
{
    ULONG off;
    struct nd_io *io = io_find(Register, &off);
    if (!io || !io->a->dev_ops || !io->a->dev_ops->read32)
        return 0xFFFFFFFFu;
    return io->a->dev_ops->read32(io->a->dev, off);
}

VOID NdisEmulatedWriteRegisterUlong(IN volatile ULONG *Register, IN ULONG Data)
{
    ULONG off;
    struct nd_io *io = io_find(Register, &off);
    if (io && io->a->dev_ops && io->a->dev_ops->write32)
        io->a->dev_ops->write32(io->a->dev, off, Data);
}
