/* SPDX-License-Identifier: MIT */
/*
 * test_ndis_data: the emulated NDIS library at run time. Asynchronous shared memory (its
 * latency, completion with NULL when the allocator is exhausted or fragmented), the
 * fragmentation rule itself, scatter-gather lists (map registers per page taken at send
 * and released at completion, packets waiting while the system pool is short, bounce on
 * PAE), the serialized miniport's RESOURCES requeue, receive indications (returns,
 * RESOURCES, order, ownership), interrupts and DPC work, timers, spin locks, device
 * registers and device DMA through nd_phys_to_virt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ndis_rig.h"

static nd_adapter *start(struct rig *r, const struct nd_keyword *kw, size_t n, uint32_t bar)
{
    nd_adapter *a = rig_adapter(r, kw, n, bar);
    CHECK_UEQ(nd_adapter_initialize(a), NDIS_STATUS_SUCCESS);
    return a;
}

static void expect_diags(const struct rig *r, size_t n)
{
    if (nd_machine_diag_count(r->m) != n)
        rig_dump(r);
    CHECK_EQ(nd_machine_diag_count(r->m), n);
}

/* ---------------------------------------------------------------- async shared memory */

struct async_req {
    struct ndis_testdrv *td;
    ULONG len;
    NDIS_STATUS st;
};

static void async_body(void *arg)
{
    struct async_req *q = arg;
    q->st = NdisMAllocateSharedMemoryAsync(q->td->handle, q->len, TRUE, q);
}

static NDIS_STATUS async_alloc(nd_adapter *a, ULONG len)
{
    struct async_req q = {.td = rig_td(a), .len = len};
    nd_adapter_call_driver(a, DISPATCH_LEVEL, async_body, &q);
    return q.st;
}

static void test_async_exhausted(void)
{
    struct nd_machine_params p = rig_defaults();
    p.common_buffer_bytes = UINT64_C(256) << 10;
    struct rig r;
    rig_new(&r, &p, 1);
    nd_adapter *a = start(&r, NULL, 0, 0);
    struct ndis_testdrv *td = rig_td(a);
    struct nd_system_counters s;
    nd_machine_counters(r.m, &s);
    CHECK_UEQ(s.common_buffer_bytes.in_use, 12 * 4096); /* ring 4 pages, 8 receive pages */
    CHECK_UEQ(async_alloc(a, 1 << 20), NDIS_STATUS_PENDING);
    CHECK_EQ(td->async_done, 0); /* nothing before the latency has passed */
    eng_run(r.sim);
    CHECK_EQ(td->async_done, 1);
    CHECK_EQ(td->async_failed, 1);
    CHECK_EQ(td->async_time, 500); /* 50 us in 100 ns units */
    CHECK_UEQ(async_alloc(a, 128 << 10), NDIS_STATUS_PENDING);
    eng_run(r.sim);
    CHECK_EQ(td->async_done, 2);
    CHECK_EQ(td->async_n, 1);
    CHECK_EQ(td->async_time, 1000);
    CHECK_EQ(td->async_len[0], 128 << 10);
    /* the device reaches the new block through its physical address */
    unsigned char *dev = nd_phys_to_virt(r.m, (uint64_t)td->async_pa[0].QuadPart + 100, 16);
    CHECK(dev == (unsigned char *)td->async_va[0] + 100);
    CHECK_UEQ((uintptr_t)td->async_va[0] % 64, 0); /* cache-line aligned */
    struct nd_adapter_counters c;
    nd_adapter_counters(a, &c);
    CHECK_UEQ(c.async_requested, 2);
    CHECK_UEQ(c.async_succeeded, 1);
    CHECK_UEQ(c.async_failed, 1);
    CHECK_UEQ(c.shared_memory_bytes.failures, 1);
    /* pending at halt: cancelled, never completed */
    CHECK_UEQ(async_alloc(a, 4096), NDIS_STATUS_PENDING);
    nd_adapter_halt(a);
    CHECK_UEQ(eng_pending_count(r.sim), 0);
    expect_diags(&r, 0);
    nd_machine_counters(r.m, &s);
    CHECK_UEQ(s.common_buffer_bytes.in_use, 0);
    rig_free(&r);
}

static void test_async_fragmented(void)
{
    struct nd_machine_params p = rig_defaults();
    p.fragmentation = 0.5;
    struct rig r;
    rig_new(&r, &p, 1);
    struct nd_system_counters s;
    nd_machine_counters(r.m, &s);
    CHECK_LT(s.largest_free_run_bytes, UINT64_C(1) << 20);
    CHECK_GT(s.common_buffer_bytes.size, UINT64_C(63) << 20);
    nd_adapter *a = start(&r, NULL, 0, 0);
    struct ndis_testdrv *td = rig_td(a);
    CHECK_UEQ(async_alloc(a, 2 << 20), NDIS_STATUS_PENDING); /* free bytes suffice, no run */
    CHECK_UEQ(async_alloc(a, 64 << 10), NDIS_STATUS_PENDING);
    eng_run(r.sim);
    CHECK_EQ(td->async_done, 2);
    CHECK_EQ(td->async_failed, 1);
    CHECK_EQ(td->async_n, 1);
    CHECK_EQ(td->async_len[0], 64 << 10);
    nd_adapter_halt(a);
    expect_diags(&r, 0);
    rig_free(&r);
}

static void test_fragmentation_rule(void)
{
    static const double fs[] = {0.0, 0.1, 0.3, 0.5, 0.7, 0.9};
    uint64_t prev_run = UINT64_MAX;
    for (size_t i = 0; i < DMS_ARRAY_LEN(fs); i++) {
        struct nd_machine_params p = rig_defaults();
        p.fragmentation = fs[i];
        struct rig r;
        rig_new(&r, &p, 7);
        struct nd_system_counters s;
        nd_machine_counters(r.m, &s);
        uint64_t total = p.common_buffer_bytes, run = s.largest_free_run_bytes;
        uint64_t free_bytes = s.common_buffer_bytes.size;
        if (fs[i] == 0.0) {
            CHECK_UEQ(run, total);
            CHECK_UEQ(free_bytes, total);
        }
        CHECK(run <= prev_run);
        CHECK_LE(run, free_bytes);
        CHECK_GE(free_bytes, total / 2); /* at most one page in two is pinned */
        /* the largest run shrinks faster than the free total */
        CHECK_GE((double)free_bytes / (double)total, (double)run / (double)total);
        prev_run = run;
        /* same seed, same machine */
        struct rig r2;
        rig_new(&r2, &p, 7);
        struct nd_system_counters s2;
        nd_machine_counters(r2.m, &s2);
        CHECK_UEQ(s2.largest_free_run_bytes, run);
        CHECK_UEQ(s2.common_buffer_bytes.size, free_bytes);
        rig_free(&r2);
        rig_free(&r);
    }
    CHECK_LT(prev_run, UINT64_C(64) << 10);
}

/* ---------------------------------------------------------------- sends */

struct tx_set {
    PNDIS_PACKET p[8];
    PNDIS_BUFFER b[8];
};

static unsigned char payload[64 << 10];

/* n protocol packets of one buffer of len bytes each, at page-aligned addresses. */
static void tx_make(struct tx_set *t, nd_machine *m, int n, ULONG len, bool high)
{
    for (int i = 0; i < n; i++) {
        t->p[i] = nd_proto_packet_new(m);
        t->b[i] = nd_proto_buffer_new(m, payload, len, nd_host_physical(m, high, 32 * i));
        NdisChainBufferAtBack(t->p[i], t->b[i]);
    }
}

static void tx_free(struct tx_set *t, int n)
{
    for (int i = 0; i < n; i++) {
        nd_proto_packet_free(t->p[i]);
        nd_proto_buffer_free(t->b[i]);
    }
}

struct completion {
    struct ndis_testdrv *td;
    ULONG n;
    NDIS_STATUS st;
};

static void complete_body(void *arg)
{
    struct completion *c = arg;
    ndis_testdrv_complete(c->td, c->n, c->st);
}

static void complete(nd_adapter *a, ULONG n)
{
    struct completion c = {rig_td(a), n, NDIS_STATUS_SUCCESS};
    nd_adapter_call_driver(a, DISPATCH_LEVEL, complete_body, &c);
}

static void test_sg(void)
{
    struct nd_machine_params p = rig_defaults();
    p.map_register_pool = 8;
    p.pool_draw = ND_POOL_EVERY_GRANT; /* lists draw for every page, bouncing or not */
    struct rig r;
    rig_new(&r, &p, 1);
    struct nd_keyword kw[] = {KW_INT("ScatterGather", 1), KW_INT("MaximumBufferSize", 65536)};
    nd_adapter *a = start(&r, kw, 2, 0);
    struct ndis_testdrv *td = rig_td(a);
    struct nd_system_counters s;
    nd_machine_counters(r.m, &s);
    CHECK_UEQ(s.map_registers.in_use, 0); /* nothing taken at initialization */
    struct tx_set t;
    tx_make(&t, r.m, 5, 5000, false); /* 2 pages each */
    nd_adapter_send(a, t.p, 5);
    CHECK_EQ(td->tx_n, 4);
    struct nd_adapter_counters c;
    nd_adapter_counters(a, &c);
    CHECK_UEQ(c.sg_lists, 4);
    CHECK_UEQ(c.sg_waits, 1);
    CHECK_UEQ(c.sg_map_registers.in_use, 8);
    CHECK_UEQ(c.sends, 4);
    nd_machine_counters(r.m, &s);
    CHECK_UEQ(s.map_registers.in_use, 8);
    PSCATTER_GATHER_LIST l = NDIS_PER_PACKET_INFO_FROM_PACKET(t.p[0], ScatterGatherListPacketInfo);
    CHECK(l != NULL);
    CHECK_EQ(l->NumberOfElements, 2);
    CHECK_UEQ(l->Elements[0].Address.QuadPart, t.b[0]->PhysicalAddress);
    CHECK_EQ(l->Elements[0].Length, 4096);
    CHECK_UEQ(l->Elements[1].Address.QuadPart, t.b[0]->PhysicalAddress + 4096);
    CHECK_EQ(l->Elements[1].Length, 904);
    CHECK(NDIS_PER_PACKET_INFO_FROM_PACKET(t.p[4], ScatterGatherListPacketInfo) == NULL);
    complete(a, 1); /* frees two registers: the waiting packet goes */
    CHECK_EQ(r.host[0].completes, 1);
    CHECK(r.host[0].completed[0] == t.p[0]);
    CHECK(NDIS_PER_PACKET_INFO_FROM_PACKET(t.p[0], ScatterGatherListPacketInfo) == NULL);
    CHECK_EQ(td->tx_n, 4);
    CHECK_EQ(td->sends_seen, 5);
    CHECK(NDIS_PER_PACKET_INFO_FROM_PACKET(t.p[4], ScatterGatherListPacketInfo) != NULL);
    complete(a, 4);
    CHECK_EQ(r.host[0].completes, 5);
    nd_adapter_counters(a, &c);
    nd_machine_counters(r.m, &s);
    CHECK_UEQ(s.map_registers.in_use, 0);
    CHECK_UEQ(s.map_registers.peak, 8);
    CHECK_UEQ(s.map_registers_requested, 10);
    CHECK_UEQ(c.sg_map_registers.peak, 8);
    CHECK_UEQ(c.send_completes, 5);
    CHECK_UEQ(c.sg_lists, 5);
    /* a packet that can never fit the pool is failed by NDIS, not queued */
    struct tx_set big;
    tx_make(&big, r.m, 1, 40000, false); /* 10 pages > 8 */
    nd_adapter_send(a, big.p, 1);
    CHECK_EQ(r.host[0].completes, 6);
    CHECK_UEQ(r.host[0].complete_status[5], NDIS_STATUS_RESOURCES);
    CHECK_EQ(td->sends_seen, 5);
    nd_adapter_halt(a);
    expect_diags(&r, 0);
    tx_free(&t, 5);
    tx_free(&big, 1);
    rig_free(&r);
}

/*
 * A scatter-gather list that can never be built fails its send at once instead of waiting
 * with nothing to wake it: registers another adapter holds for good (map-register model)
 * leave too few even once every list in flight completes; and an injected fault.
 */
static void test_sg_never(void)
{
    struct nd_machine_params p = rig_defaults();
    p.map_register_pool = 8;
    p.pool_draw = ND_POOL_EVERY_GRANT; /* a pool that every grant and list draws on */
    struct rig r;
    rig_new(&r, &p, 1);
    struct nd_keyword mr[] = {KW_INT("BaseMapRegistersNeeded", 2),
                              KW_INT("MaximumBufferSize", 4096)}; /* 2 x 2 = 4 for good */
    start(&r, mr, 2, 0);
    struct nd_keyword kw[] = {KW_INT("ScatterGather", 1), KW_INT("MaximumBufferSize", 65536)};
    nd_adapter *a = start(&r, kw, 2, 0);
    struct tx_set t;
    tx_make(&t, r.m, 1, 20000, false); /* 5 pages: within the pool of 8, over the 4 it can get */
    nd_adapter_send(a, t.p, 1);
    CHECK_EQ(r.host[1].completes, 1);
    CHECK_UEQ(r.host[1].complete_status[0], NDIS_STATUS_RESOURCES);
    struct tx_set ok;
    tx_make(&ok, r.m, 1, 5000, false); /* 2 pages fit */
    struct nd_fault f = {.kind = ND_ALLOC_MAP_REGISTERS, .adapter = -1, .nth = 1};
    CHECK_EQ(nd_machine_add_fault(r.m, &f, NULL), 0);
    nd_adapter_send(a, ok.p, 1);  /* refused by the fault: failed, not left waiting */
    CHECK_EQ(r.host[1].completes, 2);
    CHECK_UEQ(r.host[1].complete_status[1], NDIS_STATUS_RESOURCES);
    nd_adapter_send(a, ok.p, 1);  /* the fault is spent: sent */
    CHECK_EQ(rig_td(a)->tx_n, 1);
    complete(a, 1);
    CHECK_EQ(r.host[1].completes, 3);
    CHECK_UEQ(r.host[1].complete_status[2], NDIS_STATUS_SUCCESS);
    nd_adapter_halt(a);
    nd_adapter_halt(r.a[0]);
    expect_diags(&r, 0);
    tx_free(&t, 1);
    tx_free(&ok, 1);
    rig_free(&r);
}

static void test_sg_bounce(void)
{
    static const struct {
        ULONG width;
        bool bounce;
    } cases[] = {{32, true}, {64, false}};
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct nd_machine_params p = rig_defaults();
        p.pae = true;
        p.memory_bytes = 8 * ND_GIB;
        p.map_register_pool = ND_UNLIMITED;
        struct rig r;
        rig_new(&r, &p, 1);
        struct nd_keyword kw[] = {KW_INT("ScatterGather", 1), KW_INT("DmaWidth", cases[i].width)};
        nd_adapter *a = start(&r, kw, 2, 0);
        struct tx_set t;
        tx_make(&t, r.m, 3, 1500, true);
        nd_adapter_send(a, t.p, 3);
        CHECK_EQ(rig_td(a)->tx_n, 3);
        for (int k = 0; k < 3; k++) {
            PSCATTER_GATHER_LIST l =
                NDIS_PER_PACKET_INFO_FROM_PACKET(t.p[k], ScatterGatherListPacketInfo);
            CHECK_EQ(l->NumberOfElements, 1);
            CHECK_EQ(l->Elements[0].Length, 1500);
            uint64_t got = (uint64_t)l->Elements[0].Address.QuadPart;
            if (cases[i].bounce)
                CHECK_LT(got, ND_4GB);
            else
                CHECK_UEQ(got, t.b[k]->PhysicalAddress);
        }
        struct nd_adapter_counters c;
        nd_adapter_counters(a, &c);
        CHECK_UEQ(c.bounced, cases[i].bounce ? 3 : 0);
        CHECK_UEQ(c.bounce_bytes, cases[i].bounce ? 4500 : 0);
        complete(a, 3);
        nd_adapter_halt(a);
        expect_diags(&r, 0);
        tx_free(&t, 3);
        rig_free(&r);
    }
}

/* A 32-bit scatter-gather adapter on an 8 GB PAE machine: only the pages that must bounce
 * (above 4 GB) take entries of the pool; with every grant drawing, all pages do. */
static void test_sg_pool_bounce_pages(void)
{
    for (int every = 0; every < 2; every++) {
        struct nd_machine_params p = rig_defaults();
        p.pae = true;
        p.memory_bytes = 8 * ND_GIB;
        p.map_register_pool = 4;
        p.pool_draw = every ? ND_POOL_EVERY_GRANT : ND_POOL_BOUNCING;
        struct rig r;
        rig_new(&r, &p, 1);
        struct nd_keyword kw[] = {KW_INT("ScatterGather", 1)};
        nd_adapter *a = start(&r, kw, 1, 0);
        struct tx_set lo, hi;
        tx_make(&lo, r.m, 3, 5000, false); /* 2 pages each, reachable */
        tx_make(&hi, r.m, 3, 1000, true);  /* 1 page each, above 4 GB */
        nd_adapter_send(a, lo.p, 3);
        nd_adapter_send(a, hi.p, 3);
        struct nd_adapter_counters c;
        nd_adapter_counters(a, &c);
        struct nd_system_counters s;
        nd_machine_counters(r.m, &s);
        /* bouncing only: 3 lists of 0 entries, 3 of 1; every grant: 2 lists of 2 fill it */
        CHECK_EQ(rig_td(a)->tx_n, every ? 2 : 6);
        CHECK_UEQ(s.map_registers.in_use, every ? 4 : 3);
        CHECK_UEQ(c.sg_map_registers.in_use, every ? 4 : 3);
        CHECK_UEQ(c.bounced, every ? 0 : 3);
        while (rig_td(a)->tx_n) /* completions let the queued ones go */
            complete(a, (ULONG)rig_td(a)->tx_n);
        nd_machine_counters(r.m, &s);
        CHECK_UEQ(s.map_registers.in_use, 0);
        nd_adapter_halt(a);
        expect_diags(&r, 0);
        tx_free(&lo, 3);
        tx_free(&hi, 3);
        rig_free(&r);
    }
}

/* Sends the miniport still owns at halt are a leak; the protocol may then free them, and
 * may free a packet still queued in NDIS. */
static void test_sends_at_halt(void)
{
    struct nd_machine_params p = rig_defaults();
    p.map_register_pool = 8;
    p.pool_draw = ND_POOL_EVERY_GRANT; /* so that the fifth send waits in NDIS */
    struct rig r;
    rig_new(&r, &p, 1);
    struct nd_keyword kw[] = {KW_INT("ScatterGather", 1)};
    nd_adapter *a = start(&r, kw, 1, 0);
    struct tx_set t;
    tx_make(&t, r.m, 5, 5000, false);
    nd_adapter_send(a, t.p, 5);
    CHECK_EQ(rig_td(a)->tx_n, 4);
    nd_proto_packet_free(t.p[4]); /* waiting for map registers: taken out of the queue */
    complete(a, 1);
    CHECK_EQ(rig_td(a)->sends_seen, 4);
    nd_adapter_halt(a);
    CHECK_EQ(rig_diags(&r, ND_V_LEAK), 2);
    CHECK(strstr(rig_diag(r.m, 0)->msg, "3 list(s) holding 6 map register(s)") != NULL);
    CHECK_STR(rig_diag(r.m, 0)->code, "0xE6:0x0A"); /* lists not freed (DV 0x0A) */
    CHECK_STR(rig_diag(r.m, 1)->code, "dmasim:LEAK");
    CHECK(strncmp(rig_diag(r.m, 1)->msg, "leak (sends) at halt: 3", 23) == 0);
    for (int i = 0; i < 4; i++)
        nd_proto_packet_free(t.p[i]);
    struct nd_system_counters s;
    nd_machine_counters(r.m, &s);
    CHECK_UEQ(s.map_registers.in_use, 0);
    for (int i = 0; i < 5; i++)
        nd_proto_buffer_free(t.b[i]);
    expect_diags(&r, 2);
    rig_free(&r);
}

static void resources_available(void *arg)
{
    NdisMSendResourcesAvailable(((struct ndis_testdrv *)arg)->handle);
}

static void test_serialized_requeue(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_keyword kw[] = {KW_INT("Deserialize", 0), KW_INT("TxCapacity", 2)};
    nd_adapter *a = start(&r, kw, 2, 0);
    struct ndis_testdrv *td = rig_td(a);
    struct tx_set t;
    tx_make(&t, r.m, 6, 1000, false);
    nd_adapter_send(a, t.p, 5);
    struct nd_adapter_counters c;
    nd_adapter_counters(a, &c);
    CHECK_EQ(td->tx_n, 2);
    CHECK_UEQ(c.sends, 5);          /* one array of five */
    CHECK_UEQ(c.send_resources, 3); /* the third and every later one came back */
    CHECK_EQ(td->sends_seen, 3);    /* the driver stopped at the third */
    nd_adapter_send(a, &t.p[5], 1); /* queued behind them while NDIS waits */
    CHECK_EQ(td->sends_seen, 3);
    complete(a, 1); /* the completion resubmits the queue after the DPC-level call */
    CHECK_EQ(r.host[0].completes, 1);
    CHECK_EQ(td->tx_n, 2);
    nd_adapter_counters(a, &c);
    CHECK_UEQ(c.sends, 9);
    CHECK_UEQ(c.send_resources, 6);
    td->tx_capacity = 10;
    nd_adapter_call_driver(a, DISPATCH_LEVEL, resources_available, td);
    CHECK_EQ(td->tx_n, 5);
    complete(a, 5);
    CHECK_EQ(r.host[0].completes, 6);
    for (int i = 0; i < 6; i++) {
        CHECK(r.host[0].completed[i] == t.p[i]); /* FIFO throughout */
        CHECK_UEQ(r.host[0].complete_status[i], NDIS_STATUS_SUCCESS);
    }
    nd_adapter_counters(a, &c);
    CHECK_UEQ(c.send_completes, 6);
    nd_adapter_halt(a);
    expect_diags(&r, 0);
    tx_free(&t, 6);
    rig_free(&r);
}

static void test_serialized_sync(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_keyword kw[] = {KW_INT("Deserialize", 0), KW_INT("CompleteSync", 1)};
    nd_adapter *a = start(&r, kw, 2, 0);
    struct tx_set t;
    tx_make(&t, r.m, 3, 1000, false);
    nd_adapter_send(a, t.p, 3);
    CHECK_EQ(r.host[0].completes, 3); /* SUCCESS set by the miniport: NDIS completes */
    struct nd_adapter_counters c;
    nd_adapter_counters(a, &c);
    CHECK_UEQ(c.send_completes, 3);
    /* a completion of a packet the miniport no longer owns */
    struct completion cc = {rig_td(a), 0, NDIS_STATUS_SUCCESS};
    rig_td(a)->tx[0] = t.p[0];
    rig_td(a)->tx_n = 1;
    cc.n = 1;
    nd_adapter_call_driver(a, DISPATCH_LEVEL, complete_body, &cc);
    CHECK_EQ(rig_diags(&r, ND_V_PACKET_OWNERSHIP), 1);
    CHECK_EQ(r.host[0].completes, 3);
    /* sends to an adapter that is not running fail at once */
    nd_adapter_halt(a);
    nd_adapter_send(a, t.p, 1);
    CHECK_EQ(r.host[0].completes, 4);
    CHECK_UEQ(r.host[0].complete_status[3], NDIS_STATUS_FAILURE);
    expect_diags(&r, 1);
    tx_free(&t, 3);
    rig_free(&r);
}

/* A miniport that completes inside MiniportSendPackets, a protocol that frees each packet
 * in its completion: NDIS must not touch the packet after the miniport's call returns. */
static void test_complete_inside_send(void)
{
    static const ULONG serialized[] = {0, 1};
    for (size_t i = 0; i < DMS_ARRAY_LEN(serialized); i++) {
        struct rig r;
        rig_new(&r, NULL, 1);
        struct nd_keyword kw[] = {KW_INT("CompleteSync", 2),
                                  KW_INT("Deserialize", !serialized[i])};
        nd_adapter *a = start(&r, kw, 2, 0);
        r.host[0].free_on_complete = true;
        struct tx_set t;
        tx_make(&t, r.m, 4, 1000, false);
        nd_adapter_send(a, t.p, 4);
        CHECK_EQ(r.host[0].completes, 4);
        struct nd_adapter_counters c;
        nd_adapter_counters(a, &c);
        CHECK_UEQ(c.send_completes, 4);
        CHECK_UEQ(c.sends, 4);
        nd_adapter_halt(a);
        expect_diags(&r, 0);
        rig_free(&r);
    }
}

/* ---------------------------------------------------------------- receives */

struct indication {
    struct ndis_testdrv *td;
    int first, n;
    NDIS_STATUS status[8];
    ULONG returned_at_return; /* MiniportReturnPacket calls when the indication returned */
};

static void indicate_body(void *arg)
{
    struct indication *in = arg;
    PNDIS_PACKET arr[8];
    for (int i = 0; i < in->n; i++) {
        arr[i] = in->td->rx_pkt[in->first + i];
        if (in->status[i] != 0xFFFFFFFFu)
            NDIS_SET_PACKET_STATUS(arr[i], in->status[i]);
    }
    NdisMIndicateReceivePacket(in->td->handle, arr, (UINT)in->n);
    in->returned_at_return = in->td->returned;
}

static void free_held(void *arg)
{
    struct ndis_testdrv *td = arg;
    NdisFreePacket(td->rx_pkt[4]);
}

static void test_receive(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    nd_adapter *a = start(&r, NULL, 0, 0);
    struct ndis_testdrv *td = rig_td(a);
    struct rig_host *h = &r.host[0];
    h->keep = RIG_KEEP_ODD;
    struct indication in = {.td = td, .first = 0, .n = 4};
    for (int i = 0; i < 4; i++)
        in.status[i] = NDIS_STATUS_SUCCESS;
    nd_adapter_call_driver(a, DISPATCH_LEVEL, indicate_body, &in);
    CHECK_EQ(h->receives, 4);
    CHECK_EQ(h->n_kept, 2);
    CHECK(h->kept[0] == td->rx_pkt[1]);
    CHECK(h->kept[1] == td->rx_pkt[3]);
    CHECK_EQ(in.returned_at_return, 2); /* not kept: back before the call returned */
    nd_adapter_return_packet(a, h->kept[0]);
    nd_adapter_return_packet(a, h->kept[1]);
    CHECK_EQ(td->returned, 4);
    nd_adapter_return_packet(a, h->kept[1]); /* not held any more */
    CHECK_EQ(rig_diags(&r, ND_V_PACKET_OWNERSHIP), 1);
    CHECK_EQ(td->returned, 4);
    /* SUCCESS after RESOURCES in one array: handled as RESOURCES */
    h->keep = RIG_KEEP_ALL;
    h->n_kept = 0;
    struct indication in2 = {.td = td, .first = 4, .n = 3,
                             .status = {NDIS_STATUS_SUCCESS, NDIS_STATUS_RESOURCES,
                                        NDIS_STATUS_SUCCESS}};
    nd_adapter_call_driver(a, DISPATCH_LEVEL, indicate_body, &in2);
    CHECK_EQ(rig_diags(&r, ND_V_INDICATE_ORDER), 1);
    CHECK_UEQ(h->rx_status[6], NDIS_STATUS_RESOURCES);
    CHECK_EQ(h->n_kept, 1);
    CHECK(h->kept[0] == td->rx_pkt[4]);
    CHECK_EQ(td->returned, 4); /* RESOURCES packets are simply the miniport's again */
    struct nd_adapter_counters c;
    nd_adapter_counters(a, &c);
    CHECK_UEQ(c.indicated, 7);
    CHECK_UEQ(c.indicated_resources, 2);
    CHECK_UEQ(c.returned, 4);
    /* indicating or freeing a packet the protocol holds */
    struct indication in3 = {.td = td, .first = 4, .n = 1, .status = {0xFFFFFFFFu}};
    nd_adapter_call_driver(a, DISPATCH_LEVEL, indicate_body, &in3);
    nd_adapter_call_driver(a, DISPATCH_LEVEL, free_held, td);
    CHECK_EQ(rig_diags(&r, ND_V_PACKET_OWNERSHIP), 3);
    nd_adapter_return_packet(a, td->rx_pkt[4]);
    CHECK_EQ(td->returned, 5);
    nd_adapter_halt(a);
    expect_diags(&r, 4);
    rig_free(&r);
}

/*
 * A serialized miniport (no NDIS_ATTRIBUTE_DESERIALIZE) reads each SUCCESS packet's status on
 * return from NdisMIndicateReceivePacket: the ones no protocol kept are SUCCESS and its own
 * again, with no MiniportReturnPacket call; the kept ones are PENDING and come back through
 * MiniportReturnPacket. RESOURCES packets are its own again either way.
 */
static void test_receive_serialized(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_keyword kw[] = {KW_INT("Deserialize", 0)};
    nd_adapter *a = start(&r, kw, 1, 0);
    struct ndis_testdrv *td = rig_td(a);
    struct rig_host *h = &r.host[0];
    h->keep = RIG_KEEP_ODD;
    struct indication in = {.td = td, .first = 0, .n = 5,
                            .status = {NDIS_STATUS_SUCCESS, NDIS_STATUS_SUCCESS,
                                       NDIS_STATUS_SUCCESS, NDIS_STATUS_SUCCESS,
                                       NDIS_STATUS_RESOURCES}};
    nd_adapter_call_driver(a, DISPATCH_LEVEL, indicate_body, &in);
    CHECK_EQ(h->n_kept, 2);
    CHECK_EQ(in.returned_at_return, 0); /* nothing through MiniportReturnPacket */
    CHECK_UEQ(NDIS_GET_PACKET_STATUS(td->rx_pkt[0]), NDIS_STATUS_SUCCESS); /* its own again */
    CHECK_UEQ(NDIS_GET_PACKET_STATUS(td->rx_pkt[1]), NDIS_STATUS_PENDING); /* kept */
    CHECK_UEQ(NDIS_GET_PACKET_STATUS(td->rx_pkt[2]), NDIS_STATUS_SUCCESS);
    CHECK_UEQ(NDIS_GET_PACKET_STATUS(td->rx_pkt[3]), NDIS_STATUS_PENDING);
    CHECK_UEQ(NDIS_GET_PACKET_STATUS(td->rx_pkt[4]), NDIS_STATUS_RESOURCES);
    nd_adapter_return_packet(a, h->kept[0]);
    nd_adapter_return_packet(a, h->kept[1]);
    CHECK_EQ(td->returned, 2); /* only the kept ones */
    /* the packets it owns again may be indicated again at once */
    h->keep = RIG_KEEP_NONE;
    struct indication again = {.td = td, .first = 0, .n = 1, .status = {NDIS_STATUS_SUCCESS}};
    nd_adapter_call_driver(a, DISPATCH_LEVEL, indicate_body, &again);
    struct nd_adapter_counters c;
    nd_adapter_counters(a, &c);
    CHECK_UEQ(c.indicated, 6);
    CHECK_UEQ(c.returned, 2);
    nd_adapter_halt(a);
    expect_diags(&r, 0);
    rig_free(&r);
}

/* ---------------------------------------------------------------- interrupts and DPCs */

static void dpc_work(struct ndis_testdrv *td)
{
    PNDIS_PACKET arr[2] = {td->rx_pkt[0], td->rx_pkt[1]};
    NDIS_SET_PACKET_STATUS(arr[0], NDIS_STATUS_SUCCESS);
    NDIS_SET_PACKET_STATUS(arr[1], NDIS_STATUS_SUCCESS);
    NdisMIndicateReceivePacket(td->handle, arr, 2);
    NdisStallExecution(10);
    ndis_testdrv_complete(td, td->tx_n, NDIS_STATUS_SUCCESS);
}

static void test_interrupts(void)
{
    static const struct {
        ULONG request_isr;
        BOOLEAN recognize;
        int isr_calls, disable_calls, enable_calls, dpcs;
    } cases[] = {
        {1, TRUE, 2, 0, 0, 1},
        {1, FALSE, 2, 0, 0, 0},
        {0, TRUE, 0, 2, 1, 1},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct rig r;
        rig_new(&r, NULL, 1);
        struct nd_keyword kw[] = {KW_INT("RequestIsr", cases[i].request_isr)};
        nd_adapter *a = start(&r, kw, 1, 0);
        struct ndis_testdrv *td = rig_td(a);
        td->isr_recognize = cases[i].recognize;
        td->dpc_hook = dpc_work;
        struct tx_set t;
        tx_make(&t, r.m, 2, 1000, false);
        nd_adapter_send(a, t.p, 2);
        nd_adapter_interrupt(a);
        nd_adapter_interrupt(a); /* a DPC is queued once */
        CHECK_EQ(r.host[0].dpcs_queued, cases[i].dpcs);
        CHECK_EQ(td->isr_calls, cases[i].isr_calls);
        CHECK_EQ(td->disable_calls, cases[i].disable_calls);
        struct nd_work w;
        nd_adapter_run_dpc(a, &w);
        CHECK_EQ(td->dpc_calls, cases[i].dpcs);
        CHECK_EQ(td->enable_calls, cases[i].enable_calls);
        CHECK_EQ(w.indicated, cases[i].dpcs ? 2 : 0);
        CHECK_EQ(w.returned, cases[i].dpcs ? 2 : 0);
        CHECK_EQ(w.send_completed, cases[i].dpcs ? 2 : 0);
        CHECK_EQ(w.stall_ns, cases[i].dpcs ? 10000 : 0);
        nd_adapter_run_dpc(a, &w); /* nothing queued: nothing runs */
        CHECK_EQ(td->dpc_calls, cases[i].dpcs);
        CHECK_EQ(w.indicated, 0);
        struct nd_adapter_counters c;
        nd_adapter_counters(a, &c);
        CHECK_UEQ(c.interrupts, 2);
        CHECK_UEQ(c.dpcs, cases[i].dpcs);
        if (!cases[i].dpcs)
            complete(a, 2);
        nd_adapter_halt(a);
        nd_adapter_interrupt(a); /* after halt: ignored */
        nd_adapter_counters(a, &c);
        CHECK_UEQ(c.interrupts, 2);
        expect_diags(&r, 0);
        tx_free(&t, 2);
        rig_free(&r);
    }
}

/* ---------------------------------------------------------------- timers */

struct timer_probe {
    struct ndis_testdrv *td;
    BOOLEAN cancelled[2];
};

static void timer_set_cancel(void *arg)
{
    struct timer_probe *tp = arg;
    NdisMSetTimer(&tp->td->timer, 5);
    NdisMCancelTimer(&tp->td->timer, &tp->cancelled[0]);
    NdisMCancelTimer(&tp->td->timer, &tp->cancelled[1]);
    NdisMSetTimer(&tp->td->timer, 5);
}

static void test_timers(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_keyword kw[] = {KW_INT("UseTimer", 1)};
    nd_adapter *a = start(&r, kw, 1, 0);
    struct ndis_testdrv *td = rig_td(a);
    eng_run_until(r.sim, 350 * DMS_NS_PER_MS);
    CHECK_EQ(td->timer_fired, 3); /* periodic, every 100 ms */
    struct timer_probe tp = {.td = td};
    nd_adapter_call_driver(a, DISPATCH_LEVEL, timer_set_cancel, &tp); /* now a one-shot */
    CHECK_EQ(tp.cancelled[0], TRUE);
    CHECK_EQ(tp.cancelled[1], FALSE);
    eng_run_until(r.sim, 1000 * DMS_NS_PER_MS);
    CHECK_EQ(td->timer_fired, 4);
    CHECK_UEQ(eng_pending_count(r.sim), 0);
    nd_adapter_halt(a);
    expect_diags(&r, 0);
    rig_free(&r);
}

/* ---------------------------------------------------------------- spin locks */

static void locks_body(void *arg)
{
    struct ndis_testdrv *td = arg;
    UINT n;
    NdisAcquireSpinLock(&td->lock);
    NdisQueryMapRegisterCount(NdisInterfacePci, &n); /* PASSIVE only: wrong under a lock */
    NdisReleaseSpinLock(&td->lock);
    NdisQueryMapRegisterCount(NdisInterfacePci, &n); /* back at PASSIVE_LEVEL */
    NdisAcquireSpinLock(&td->lock);
    NdisAcquireSpinLock(&td->lock);
    NdisReleaseSpinLock(&td->lock);
    NdisReleaseSpinLock(&td->lock);
    NdisDprAcquireSpinLock(&td->lock); /* DISPATCH only */
    NdisDprReleaseSpinLock(&td->lock);
}

static void lock_only(void *arg)
{
    NdisAcquireSpinLock(&((struct ndis_testdrv *)arg)->lock);
}

static void unlock_only(void *arg)
{
    NdisReleaseSpinLock(&((struct ndis_testdrv *)arg)->lock);
}

static void query_count(void *arg)
{
    UINT n;
    NdisQueryMapRegisterCount(NdisInterfacePci, &n);
    (void)arg;
}

static void test_spin_locks(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    nd_adapter *a = start(&r, NULL, 0, 0);
    struct ndis_testdrv *td = rig_td(a);
    nd_adapter_call_driver(a, PASSIVE_LEVEL, locks_body, td);
    CHECK_EQ(rig_diags(&r, ND_V_WRONG_IRQL), 2);
    CHECK_EQ(rig_diags(&r, ND_V_SPIN_LOCK), 2);
    nd_adapter_call_driver(a, PASSIVE_LEVEL, lock_only, td); /* returns holding the lock */
    CHECK_EQ(rig_diags(&r, ND_V_SPIN_LOCK), 3);
    nd_adapter_call_driver(a, PASSIVE_LEVEL, query_count, NULL); /* IRQL was restored */
    CHECK_EQ(rig_diags(&r, ND_V_WRONG_IRQL), 2);
    nd_adapter_call_driver(a, PASSIVE_LEVEL, unlock_only, td);
    CHECK_EQ(td->lock.Lock, 0);
    nd_adapter_halt(a);
    expect_diags(&r, 5);
    rig_free(&r);
}

/* ---------------------------------------------------------------- registers and DMA */

struct reg_probe {
    struct ndis_testdrv *td;
    ULONG low, high, outside;
    NDIS_STATUS map_outside;
};

static void regs_body(void *arg)
{
    struct reg_probe *rp = arg;
    volatile ULONG *regs = rp->td->regs;
    NdisWriteRegisterUlong(&regs[4], 0xABC);
    NdisReadRegisterUlong(&regs[8], &rp->low);
    NdisReadRegisterUlong(&regs[0x1FF0 / 4], &rp->high);
    NdisReadRegisterUlong(&regs[8192 / 4], &rp->outside);
    PVOID va;
    NDIS_PHYSICAL_ADDRESS pa = rp->td->bar;
    pa.QuadPart += 4096;
    rp->map_outside = NdisMMapIoSpace(&va, rp->td->handle, pa, 8192);
}

static void test_registers(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    nd_adapter *a = start(&r, NULL, 0, 8192);
    struct reg_probe rp = {.td = rig_td(a)};
    r.dev[0].regs[8] = 0x1234;
    r.dev[0].regs[0x1FF0 / 4] = 0x5678;
    nd_adapter_call_driver(a, PASSIVE_LEVEL, regs_body, &rp);
    CHECK_EQ(r.dev[0].regs[4], 0xABC);
    CHECK_EQ(rp.low, 0x1234);
    CHECK_EQ(rp.high, 0x5678); /* beyond the first 4 KiB of the window */
    CHECK_UEQ(rp.outside, 0xFFFFFFFFu);
    CHECK_EQ(r.dev[0].writes, 1);
    CHECK_EQ(r.dev[0].reads, 2);
    CHECK_UEQ(rp.map_outside, NDIS_STATUS_RESOURCE_CONFLICT);
    CHECK_EQ(rig_diags(&r, ND_V_BAD_HANDLE), 1);
    nd_adapter_halt(a);
    expect_diags(&r, 1);
    rig_free(&r);
}

static void test_device_dma(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    nd_adapter *a = start(&r, NULL, 0, 0);
    struct ndis_testdrv *td = rig_td(a);
    uint64_t ring = (uint64_t)td->ring_pa.QuadPart;
    unsigned char *dev = nd_phys_to_virt(r.m, ring + 100, 64);
    CHECK(dev == (unsigned char *)td->ring_va + 100);
    memcpy(dev, "descriptor", 10);
    CHECK(memcmp((unsigned char *)td->ring_va + 100, "descriptor", 10) == 0);
    CHECK(nd_phys_to_virt(r.m, ring, 16384) == td->ring_va);
    CHECK(nd_phys_to_virt(r.m, ring + 16380, 8) == NULL); /* runs past the block */
    CHECK(nd_phys_to_virt(r.m, 0x1000, 4) == NULL);
    CHECK_EQ(rig_diags(&r, ND_V_DEVICE_DMA), 2);
    uint64_t rx = (uint64_t)td->rx_pa[3].QuadPart;
    CHECK(nd_phys_to_virt(r.m, rx + TD_RX_BYTES - 4, 4) ==
          (unsigned char *)td->rx_va[3] + TD_RX_BYTES - 4);
    nd_adapter_halt(a);
    CHECK(nd_phys_to_virt(r.m, ring, 4) == NULL); /* freed at halt */
    expect_diags(&r, 3);
    rig_free(&r);
}

int main(void)
{
    test_async_exhausted();
    test_async_fragmented();
    test_fragmentation_rule();
    test_sg();
    test_sg_never();
    test_sg_bounce();
    test_sg_pool_bounce_pages();
    test_sends_at_halt();
    test_serialized_requeue();
    test_serialized_sync();
    test_complete_inside_send();
    test_receive();
    test_receive_serialized();
    test_interrupts();
    test_timers();
    test_spin_locks();
    test_registers();
    test_device_dma();
    return 0;
}
