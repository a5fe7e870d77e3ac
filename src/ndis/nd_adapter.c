/* SPDX-License-Identifier: MIT */
/*
 * nd_adapter: adapter lifecycle, interrupts and DPCs, and the data path as NDIS runs it.
 *
 * Sends: packets from the protocol wait in one FIFO per adapter inside NDIS and are handed
 * to MiniportSendPackets (at DISPATCH_LEVEL) in arrays. For scatter-gather adapters each
 * packet first gets its SCATTER_GATHER_LIST; the head of the queue waits while the system
 * map-register pool is short. For serialized miniports the status the miniport set for
 * each packet decides: PENDING means it owns the packet, RESOURCES sends that packet and
 * every later one of the array back to the front of the queue until NdisMSendComplete or
 * NdisMSendResourcesAvailable, anything else completes it at once. Deserialized miniports
 * own every packet given to them. NDIS never calls into a miniport that is already running
 * one of its handlers for the same adapter: sends that become possible meanwhile go when
 * the outermost call returns (nd__leave).
 *
 * Receives: NdisMIndicateReceivePacket gives each packet to the protocol in order; a
 * SUCCESS packet after a RESOURCES one in the same array is a violation and is handled as
 * RESOURCES (the documentation says NDIS assumes so); RESOURCES packets are the miniport's
 * again on return (ref 003). SUCCESS packets the protocol did not keep: a deserialized
 * miniport gets them back through MiniportReturnPacket before the call returns; a
 * serialized one (no NDIS_ATTRIBUTE_DESERIALIZE) owns them again on return, with their
 * status still SUCCESS and no MiniportReturnPacket call. A kept packet's status becomes
 * PENDING for a serialized miniport, and it comes back through MiniportReturnPacket (DDK,
 * MiniportReturnPacket). This file models no CPU time and no device:
 * the host decides when interrupts, DPCs, sends and returns happen.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nd_int.h"

/* ---------------------------------------------------------------- lifecycle */

nd_adapter *nd_adapter_new(nd_machine *m, nd_driver *d, const struct nd_adapter_params *p)
{
    assert(d && d->registered && d->m == m);
    nd_adapter *a = dms_xcalloc(1, sizeof *a);
    a->magic = ND_MAGIC_ADAPTER;
    a->m = m;
    a->drv = d;
    a->index = (int)m->n_adapters;
    if (p->name)
        snprintf(a->name, sizeof a->name, "%s", p->name);
    else
        snprintf(a->name, sizeof a->name, "nic%d", a->index);
    a->n_kw = p->n_keywords;
    a->kw = dms_xcalloc(p->n_keywords ? p->n_keywords : 1, sizeof *a->kw);
    for (size_t i = 0; i < p->n_keywords; i++) {
        a->kw[i] = p->keywords[i];
        a->kw[i].name = dms_xstrdup(p->keywords[i].name);
        a->kw[i].string = p->keywords[i].is_string ? dms_xstrdup(p->keywords[i].string) : NULL;
    }
    memcpy(a->mac, p->mac, sizeof a->mac);
    a->bar_physical = p->bar_physical;
    a->bar_length = p->bar_length;
    a->vector = p->interrupt_vector;
    a->level = p->interrupt_level;
    a->dev_ops = p->device_ops;
    a->dev = p->device;
    a->host_ops = p->host_ops;
    a->host = p->host;
    a->wcc = (struct nd_wcc){ND_MAGIC_WCC, a};
    if (m->n_adapters == m->cap_adapters) {
        m->cap_adapters = m->cap_adapters ? m->cap_adapters * 2 : 4;
        m->adapters = dms_xrealloc(m->adapters, m->cap_adapters * sizeof *m->adapters);
    }
    m->adapters[m->n_adapters++] = a;
    return a;
}

void nd__adapter_destroy(nd_adapter *a)
{
    for (size_t i = 0; i < a->n_kw; i++) {
        free((char *)a->kw[i].name);
        free((char *)a->kw[i].string);
    }
    free(a->kw);
    free(a->regs);
    nd__timers_cancel(a);
    free(a->timers);
    nd__async_cancel(a);
    free(a->async);
    nd__io_free_all(a);
    free(a->batch);
    free(a->batch_out);
    a->magic = 0;
    free(a);
}

int nd_adapter_index(const nd_adapter *a)
{
    return a->index;
}

const char *nd_adapter_name(const nd_adapter *a)
{
    return a->name;
}

nd_machine *nd_adapter_machine(const nd_adapter *a)
{
    return a->m;
}

NDIS_HANDLE nd_adapter_context(const nd_adapter *a)
{
    return a->ctx;
}

bool nd_adapter_running(const nd_adapter *a)
{
    return a->state == ND_AS_RUNNING;
}

void nd_adapter_counters(const nd_adapter *a, struct nd_adapter_counters *out)
{
    *out = a->c;
}

void nd_adapter_watch_levels(nd_adapter *a, nd_level_fn fn, void *ctx)
{
    a->level_fn = fn;
    a->level_ctx = fn ? ctx : NULL;
}

const struct nd_mapreg_request *nd_adapter_mapreg_log(const nd_adapter *a, size_t *n)
{
    *n = a->n_mapreg_log;
    return a->mapreg_log;
}

void nd_adapter_call_driver(nd_adapter *a, int irql, void (*fn)(void *arg), void *arg)
{
    struct nd_save sv;
    nd__enter(a, irql, &sv);
    fn(arg);
    nd__leave(a, &sv);
}

/* Stops what outlives the miniport's own calls: timers, async allocations, a queued DPC. */
static void quiesce(nd_adapter *a)
{
    nd__timers_cancel(a);
    nd__async_cancel(a);
    a->dpc_queued = false;
    a->reenable = false;
}

NDIS_STATUS nd_adapter_initialize(nd_adapter *a)
{
    assert(a->state == ND_AS_NEW);
    a->state = ND_AS_INITIALIZING;
    NDIS_MEDIUM media[] = {NdisMedium802_3};
    NDIS_STATUS open_error = NDIS_STATUS_SUCCESS;
    UINT selected = 0;
    struct nd_save sv;
    nd__enter(a, PASSIVE_LEVEL, &sv);
    NDIS_STATUS st = a->drv->ch.InitializeHandler(&open_error, &selected, media,
                                                  DMS_ARRAY_LEN(media), a, &a->wcc);
    nd__leave(a, &sv);
    if (st == NDIS_STATUS_SUCCESS) {
        if (!a->attrs_set)
            nd__diag(a->m, a, ND_V_CALL_ORDER,
                     "MiniportInitialize succeeded without NdisMSetAttributes(Ex)");
        a->state = ND_AS_RUNNING;
        return st;
    }
    a->state = ND_AS_FAILED;
    nd__leak_report(a, "after failed initialize");
    quiesce(a);
    return st;
}

static void complete_to_host(nd_adapter *a, struct nd_pkt *h, NDIS_STATUS st, bool sent);

void nd_adapter_halt(nd_adapter *a)
{
    if (a->state != ND_AS_RUNNING)
        return;
    a->state = ND_AS_HALTING;
    /* Packets still queued inside NDIS never reach the miniport. */
    while (a->q_head) {
        struct nd_pkt *h = a->q_head;
        a->q_head = h->next;
        h->next = NULL;
        complete_to_host(a, h, NDIS_STATUS_FAILURE, false);
    }
    a->q_tail = NULL;
    a->send_blocked = false;
    a->dpc_queued = false;
    struct nd_save sv;
    nd__enter(a, PASSIVE_LEVEL, &sv);
    a->drv->ch.HaltHandler(a->ctx);
    nd__leave(a, &sv);
    nd__leak_report(a, "at halt");
    quiesce(a);
    a->state = ND_AS_HALTED;
}

/* ---------------------------------------------------------------- interrupts */

void nd_adapter_interrupt(nd_adapter *a)
{
    PNDIS_MINIPORT_INTERRUPT in = a->intr;
    if (!in || (a->state != ND_AS_RUNNING && a->state != ND_AS_INITIALIZING))
        return;
    const NDIS50_MINIPORT_CHARACTERISTICS *ch = &a->drv->ch;
    a->c.interrupts++;
    bool queue = false;
    struct nd_save sv;
    nd__enter(a, DIRQL_LEVEL, &sv);
    if (in->IsrRequested && ch->ISRHandler) {
        BOOLEAN recognized = FALSE, dpc = FALSE;
        ch->ISRHandler(&recognized, &dpc, a->ctx);
        queue = recognized && dpc;
    } else {
        /* No ISR: NDIS masks the interrupt and re-enables it after the DPC. */
        if (ch->DisableInterruptHandler)
            ch->DisableInterruptHandler(a->ctx);
        a->reenable = true;
        queue = true;
    }
    nd__leave(a, &sv);
    if (queue && !a->dpc_queued) {
        a->dpc_queued = true;
        if (a->host_ops && a->host_ops->queue_dpc)
            a->host_ops->queue_dpc(a->host, a);
    }
}

void nd_adapter_run_dpc(nd_adapter *a, struct nd_work *work)
{
    memset(work, 0, sizeof *work);
    if (!a->dpc_queued || a->state != ND_AS_RUNNING)
        return;
    a->dpc_queued = false;
    a->c.dpcs++;
    const NDIS50_MINIPORT_CHARACTERISTICS *ch = &a->drv->ch;
    struct nd_save sv;
    nd__enter(a, DISPATCH_LEVEL, &sv);
    a->m->work = work;
    if (ch->HandleInterruptHandler)
        ch->HandleInterruptHandler(a->ctx);
    if (a->reenable) {
        a->reenable = false;
        a->m->irql = DIRQL_LEVEL;
        if (ch->EnableInterruptHandler)
            ch->EnableInterruptHandler(a->ctx);
        a->m->irql = DISPATCH_LEVEL;
    }
    nd__leave(a, &sv);
}

/* ---------------------------------------------------------------- sends */

/* Gives a packet back to the protocol; sent: the miniport had it (counted as completed). */
static void complete_to_host(nd_adapter *a, struct nd_pkt *h, NDIS_STATUS st, bool sent)
{
    nd_machine *m = a->m;
    bool released = h->sg != NULL;
    if (h->flags & ND_PKT_IN_BATCH) {
        a->batch[h->batch_idx] = NULL; /* deliver() must not look at it again */
        h->flags &= (uint8_t)~ND_PKT_IN_BATCH;
    }
    nd__sg_release(a, h);
    h->state = ND_PS_PROTOCOL;
    if (sent) {
        a->live.sending--;
        a->c.send_completes++;
        if (m->work && m->cur == a)
            m->work->send_completed++;
    }
    if (a->host_ops && a->host_ops->send_complete)
        a->host_ops->send_complete(a->host, a, nd__pkt_packet(h), st);
    if (released)
        nd__sg_kick_all(m);
}

static void enqueue(nd_adapter *a, struct nd_pkt *h)
{
    h->next = NULL;
    h->state = ND_PS_QUEUED;
    if (a->q_tail)
        a->q_tail->next = h;
    else
        a->q_head = h;
    a->q_tail = h;
}

static struct nd_pkt *dequeue(nd_adapter *a)
{
    struct nd_pkt *h = a->q_head;
    a->q_head = h->next;
    if (!a->q_head)
        a->q_tail = NULL;
    h->next = NULL;
    return h;
}

void nd__send_unqueue(nd_adapter *a, struct nd_pkt *h)
{
    struct nd_pkt *prev = NULL;
    for (struct nd_pkt *x = a->q_head; x; prev = x, x = x->next) {
        if (x != h)
            continue;
        if (prev)
            prev->next = h->next;
        else
            a->q_head = h->next;
        if (a->q_tail == h)
            a->q_tail = prev;
        h->next = NULL;
        return;
    }
}

void nd_adapter_send(nd_adapter *a, PPNDIS_PACKET packets, UINT count)
{
    for (UINT i = 0; i < count; i++) {
        struct nd_pkt *h = nd__pkt_hdr(packets[i]);
        assert(h->magic == ND_MAGIC_PKT && !h->pool && h->state == ND_PS_PROTOCOL);
        h->adapter = a;
        h->flags = 0;
        if (a->state != ND_AS_RUNNING)
            complete_to_host(a, h, NDIS_STATUS_FAILURE, false);
        else
            enqueue(a, h);
    }
    nd__send_kick(a);
}

void nd__send_kick(nd_adapter *a)
{
    a->kick = true;
    if (a->depth == 0)
        nd__send_pump(a);
}

void nd__sg_kick_all(nd_machine *m)
{
    for (size_t i = 0; i < m->n_adapters; i++) {
        nd_adapter *x = m->adapters[i];
        if (x->dma == ND_DMA_SG && x->q_head)
            nd__send_kick(x);
    }
}

/* Moves packets from the queue's head into the batch; stops at one that must wait. */
static size_t collect(nd_adapter *a)
{
    size_t n = 0;
    while (a->q_head) {
        struct nd_pkt *h = a->q_head;
        if (a->dma == ND_DMA_SG && !h->sg) {
            enum nd_sg_result r = nd__sg_build(a, h);
            if (r == ND_SG_NEVER) {
                dequeue(a);
                complete_to_host(a, h, NDIS_STATUS_RESOURCES, false);
                continue;
            }
            if (r == ND_SG_SHORT) {
                if (!(h->flags & ND_PKT_WAITED)) {
                    h->flags |= ND_PKT_WAITED;
                    a->c.sg_waits++;
                }
                break;
            }
        }
        dequeue(a);
        h->state = ND_PS_SENDING;
        a->live.sending++;
        if (n == a->batch_cap) {
            a->batch_cap = a->batch_cap ? a->batch_cap * 2 : 16;
            a->batch = dms_xrealloc(a->batch, a->batch_cap * sizeof *a->batch);
            a->batch_out = dms_xrealloc(a->batch_out, a->batch_cap * sizeof *a->batch_out);
        }
        h->flags |= ND_PKT_IN_BATCH;
        h->batch_idx = (uint32_t)n;
        a->batch[n++] = nd__pkt_packet(h);
    }
    return n;
}

/* Puts batch[from, n) that the miniport gave back in front of the queue, in order. */
static void requeue(nd_adapter *a, size_t from, size_t n)
{
    struct nd_pkt *head = NULL, *tail = NULL;
    for (size_t i = from; i < n; i++) {
        if (!a->batch[i])
            continue;
        struct nd_pkt *h = nd__pkt_hdr(a->batch[i]);
        if (h->state != ND_PS_SENDING || h->adapter != a)
            continue;
        h->state = ND_PS_QUEUED;
        h->next = NULL;
        a->live.sending--;
        if (tail)
            tail->next = h;
        else
            head = h;
        tail = h;
        a->c.send_resources++;
    }
    if (!head)
        return;
    tail->next = a->q_head;
    a->q_head = head;
    if (!a->q_tail)
        a->q_tail = tail;
    a->send_blocked = true;
}

/* MiniportSend one packet at a time; RESOURCES stops the array (as for SendPackets). */
static void send_singly(nd_adapter *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        a->c.sends++;
        NDIS_STATUS st = a->drv->ch.SendHandler(a->ctx, a->batch_out[i], 0);
        if (a->batch[i])
            NDIS_SET_PACKET_STATUS(a->batch[i], st);
        if (st != NDIS_STATUS_RESOURCES)
            continue;
        for (size_t j = i + 1; j < n; j++)
            if (a->batch[j])
                NDIS_SET_PACKET_STATUS(a->batch[j], NDIS_STATUS_RESOURCES);
        break;
    }
}

/* After the call: the packets still in the batch leave it; for a serialized miniport their
 * statuses decide (PENDING: it owns them; RESOURCES: back to the queue; else: done). */
static void settle(nd_adapter *a, size_t n, bool by_status)
{
    PNDIS_PACKET *b = a->batch;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            nd__pkt_hdr(b[i])->flags &= (uint8_t)~ND_PKT_IN_BATCH;
    for (size_t i = 0; by_status && i < n; i++) {
        if (!b[i])
            continue; /* completed through NdisMSendComplete during the call */
        struct nd_pkt *h = nd__pkt_hdr(b[i]);
        if (h->state != ND_PS_SENDING || h->adapter != a)
            continue;
        NDIS_STATUS st = NDIS_GET_PACKET_STATUS(b[i]);
        if (st == NDIS_STATUS_PENDING)
            continue;
        if (st == NDIS_STATUS_RESOURCES) {
            requeue(a, i, n);
            break;
        }
        complete_to_host(a, h, st, true);
    }
}

/* Hands batch[0, n) to the miniport (a copy of the array, which NDIS keeps for itself). */
static void deliver(nd_adapter *a, size_t n)
{
    const NDIS50_MINIPORT_CHARACTERISTICS *ch = &a->drv->ch;
    for (size_t i = 0; i < n; i++) {
        a->batch_out[i] = a->batch[i];
        NDIS_SET_PACKET_STATUS(a->batch[i], NDIS_STATUS_PENDING);
    }
    struct nd_save sv;
    nd__enter(a, DISPATCH_LEVEL, &sv);
    if (ch->SendPacketsHandler) {
        a->c.sends += n;
        ch->SendPacketsHandler(a->ctx, a->batch_out, (UINT)n);
    } else {
        send_singly(a, n);
    }
    nd__leave(a, &sv);
    settle(a, n, !a->deserialized || !ch->SendPacketsHandler);
}

void nd__send_pump(nd_adapter *a)
{
    if (a->pumping)
        return;
    a->pumping = true;
    while (a->state == ND_AS_RUNNING && !a->send_blocked && a->q_head) {
        size_t n = collect(a);
        if (n == 0)
            break;
        deliver(a, n);
    }
    a->kick = false;
    a->pumping = false;
}

VOID NdisMSendComplete(IN NDIS_HANDLE MiniportAdapterHandle, IN PNDIS_PACKET Packet,
                       IN NDIS_STATUS Status)
{
    static const char fn[] = "NdisMSendComplete";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return;
    nd__irql_max(a->m, a, DISPATCH_LEVEL, fn);
    struct nd_pkt *h = Packet ? nd__pkt_hdr(Packet) : NULL;
    if (!h || h->magic != ND_MAGIC_PKT || h->pool || h->state != ND_PS_SENDING ||
        h->adapter != a) {
        nd__diag(a->m, a, ND_V_PACKET_OWNERSHIP, "%s: a packet the miniport does not own", fn);
        return;
    }
    complete_to_host(a, h, Status, true);
    a->send_blocked = false;
    nd__send_kick(a);
}

VOID NdisMSendResourcesAvailable(IN NDIS_HANDLE MiniportAdapterHandle)
{
    static const char fn[] = "NdisMSendResourcesAvailable";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return;
    nd__irql_max(a->m, a, DISPATCH_LEVEL, fn);
    a->send_blocked = false;
    nd__send_kick(a);
}

/* ---------------------------------------------------------------- receives */

static void return_to_miniport(nd_adapter *a, PNDIS_PACKET p)
{
    a->c.returned++;
    struct nd_save sv;
    nd__enter(a, DISPATCH_LEVEL, &sv);
    if (a->m->work)
        a->m->work->returned++;
    if (a->drv->ch.ReturnPacketHandler)
        a->drv->ch.ReturnPacketHandler(a->ctx, p);
    nd__leave(a, &sv);
}

/* Offers one indicated packet to the protocol; res: indicated with RESOURCES. */
static void offer(nd_adapter *a, struct nd_pkt *h, bool res)
{
    PNDIS_PACKET p = nd__pkt_packet(h);
    a->c.indicated++;
    if (res)
        a->c.indicated_resources++;
    if (a->m->work)
        a->m->work->indicated++;
    h->state = ND_PS_INDICATED;
    bool keep = a->host_ops && a->host_ops->receive && a->host_ops->receive(a->host, a, p);
    assert(!(keep && res)); /* the protocol must copy a RESOURCES packet (ref 003) */
    if (keep && !res) {
        h->state = ND_PS_HELD;
        if (!a->deserialized) /* what a serialized miniport reads on return */
            NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_PENDING);
    }
}

VOID NdisMIndicateReceivePacket(IN NDIS_HANDLE MiniportAdapterHandle,
                                IN PPNDIS_PACKET ReceivePackets, IN UINT NumberOfPackets)
{
    static const char fn[] = "NdisMIndicateReceivePacket";
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, fn);
    if (!a)
        return;
    nd_machine *m = a->m;
    nd__irql_eq(m, a, DISPATCH_LEVEL, fn);
    bool res_seen = false, order_told = false;
    for (UINT i = 0; i < NumberOfPackets; i++) {
        PNDIS_PACKET p = ReceivePackets[i];
        struct nd_pkt *h = nd__pool_packet(m, p);
        if (!h || h->pool->owner != a || h->state != ND_PS_MINIPORT) {
            nd__diag(m, a, ND_V_PACKET_OWNERSHIP, "%s: packet %u is not the miniport's", fn, i);
            continue;
        }
        bool res = NDIS_GET_PACKET_STATUS(p) == NDIS_STATUS_RESOURCES;
        if (!res && res_seen) {
            if (!order_told)
                nd__diag(m, a, ND_V_INDICATE_ORDER,
                         "%s: packet %u is SUCCESS after a RESOURCES packet", fn, i);
            order_told = true;
            NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_RESOURCES);
            res = true;
        }
        res_seen |= res;
        offer(a, h, res);
    }
    for (UINT i = 0; i < NumberOfPackets; i++) {
        struct nd_pkt *h = nd__pool_packet(m, ReceivePackets[i]);
        if (!h || h->state != ND_PS_INDICATED)
            continue;
        h->state = ND_PS_MINIPORT;
        if (a->deserialized && NDIS_GET_PACKET_STATUS(ReceivePackets[i]) != NDIS_STATUS_RESOURCES)
            return_to_miniport(a, ReceivePackets[i]);
    }
}

void nd_adapter_return_packet(nd_adapter *a, PNDIS_PACKET packet)
{
    struct nd_pkt *h = nd__pool_packet(a->m, packet);
    if (!h || h->state != ND_PS_HELD || h->pool->owner != a) {
        nd__diag(a->m, a, ND_V_PACKET_OWNERSHIP, "return of a packet the protocol does not hold");
        return;
    }
    h->state = ND_PS_MINIPORT;
    return_to_miniport(a, packet);
}

/* ---------------------------------------------------------------- requests and status */

NDIS_STATUS nd_adapter_query(nd_adapter *a, NDIS_OID oid, void *buf, ULONG len, ULONG *written)
{
    ULONG w = 0, needed = 0;
    NDIS_STATUS st = NDIS_STATUS_NOT_SUPPORTED;
    if (a->state == ND_AS_RUNNING && a->drv->ch.QueryInformationHandler) {
        struct nd_save sv;
        nd__enter(a, DISPATCH_LEVEL, &sv);
        st = a->drv->ch.QueryInformationHandler(a->ctx, oid, buf, len, &w, &needed);
        nd__leave(a, &sv);
    }
    if (written)
        *written = w;
    return st;
}

VOID NdisMIndicateStatus(IN NDIS_HANDLE MiniportAdapterHandle, IN NDIS_STATUS GeneralStatus,
                         IN PVOID StatusBuffer, IN UINT StatusBufferSize)
{
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, "NdisMIndicateStatus");
    if (a)
        nd__irql_max(a->m, a, DISPATCH_LEVEL, "NdisMIndicateStatus");
    (void)GeneralStatus, (void)StatusBuffer, (void)StatusBufferSize;
}

VOID NdisMIndicateStatusComplete(IN NDIS_HANDLE MiniportAdapterHandle)
{
    nd__adapter(MiniportAdapterHandle, "NdisMIndicateStatusComplete");
}

VOID NdisMQueryInformationComplete(IN NDIS_HANDLE MiniportAdapterHandle, IN NDIS_STATUS Status)
{
    nd__adapter(MiniportAdapterHandle, "NdisMQueryInformationComplete");
    (void)Status;
}

VOID NdisMSetInformationComplete(IN NDIS_HANDLE MiniportAdapterHandle, IN NDIS_STATUS Status)
{
    nd__adapter(MiniportAdapterHandle, "NdisMSetInformationComplete");
    (void)Status;
}

VOID NdisMResetComplete(IN NDIS_HANDLE MiniportAdapterHandle, IN NDIS_STATUS Status,
                        IN BOOLEAN AddressingReset)
{
    nd__adapter(MiniportAdapterHandle, "NdisMResetComplete");
    (void)Status, (void)AddressingReset;
}
