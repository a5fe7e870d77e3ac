/* SPDX-License-Identifier: MIT */
/*
 * test_ndis: the set-up rules of the emulated NDIS library. Machine parameters and
 * layout; map registers against the reference documents' figures (1512 B -> 2 per base,
 * 32 base registers fit and 33 do not; 64 KiB -> 17, 3 fit and 4 do not; 8 KiB pages;
 * page boundaries) and against a brute-force page-span oracle; call order and IRQL;
 * buffer mapping and bounce buffering; several NICs with and without PAE (the named
 * hang); 24-bit DMA; NdisQueryMapRegisterCount; strict mode. Pools, configuration, the
 * other verifier checks and fault injection are in test_ndis_verify.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ndis_rig.h"

/* ---------------------------------------------------------------- machine */

enum bad_param {
    BAD_PAGE, BAD_CPUS0, BAD_CPUS65, BAD_MEMORY, BAD_FRAG1, BAD_FRAGNEG, BAD_CACHE,
    BAD_LOW16, BAD_COMMON, BAD_POOL,
};

static void test_params(void)
{
    static const struct {
        enum bad_param what;
        const char *path;
    } cases[] = {
        {BAD_PAGE, "page_size"},         {BAD_CPUS0, "processors"},
        {BAD_CPUS65, "processors"},      {BAD_MEMORY, "memory_bytes"},
        {BAD_FRAG1, "fragmentation"},    {BAD_FRAGNEG, "fragmentation"},
        {BAD_CACHE, "cache_line_bytes"}, {BAD_LOW16, "low16_free_bytes"},
        {BAD_COMMON, "common_buffer_bytes"}, {BAD_POOL, "map_register_pool"},
    };
    struct nd_machine_params p = rig_defaults();
    CHECK_EQ(p.processors, 1);
    CHECK_EQ(p.page_size, 4096);
    CHECK_UEQ(p.memory_bytes, 2 * ND_GIB);
    CHECK(!p.pae);
    CHECK_EQ(p.map_register_pool, 64);
    CHECK(p.map_register_count_supported);
    CHECK_UEQ(p.nonpaged_pool_bytes, UINT64_C(64) << 20);
    CHECK_UEQ(p.low16_free_bytes, UINT64_C(4) << 20);
    CHECK_UEQ(p.common_buffer_bytes, UINT64_C(64) << 20);
    CHECK_EQ(p.async_alloc_latency_ns, 50000);
    CHECK_EQ(p.cache_line_bytes, 64);
    CHECK(!p.strict);
    eng_sim *sim = eng_new(1);
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        p = rig_defaults();
        switch (cases[i].what) {
        case BAD_PAGE: p.page_size = 2048; break;
        case BAD_CPUS0: p.processors = 0; break;
        case BAD_CPUS65: p.processors = 65; break;
        case BAD_MEMORY: p.memory_bytes = UINT64_C(1) << 20; break;
        case BAD_FRAG1: p.fragmentation = 1.0; break;
        case BAD_FRAGNEG: p.fragmentation = -0.1; break;
        case BAD_CACHE: p.cache_line_bytes = 48; break;
        case BAD_LOW16: p.low16_free_bytes = ND_16MB; break;
        case BAD_COMMON: p.common_buffer_bytes = 3 * ND_GIB; break;
        case BAD_POOL: p.map_register_pool = -5; break;
        }
        nd_machine *m = (nd_machine *)&p; /* must be reset to NULL */
        struct dms_error err;
        dms_error_clear(&err);
        CHECK_EQ(nd_machine_new(&m, &p, sim, &err), DMS_EINVAL);
        CHECK(m == NULL);
        CHECK_STR(err.path, cases[i].path);
    }
    p = rig_defaults();
    p.page_size = 8192;
    p.map_register_pool = ND_UNLIMITED;
    nd_machine *m = NULL;
    CHECK_EQ(nd_machine_new(&m, &p, sim, NULL), 0);
    CHECK(nd_machine_engine(m) == sim);
    CHECK_EQ(nd_machine_params(m)->page_size, 8192);
    struct nd_system_counters c;
    nd_machine_counters(m, &c);
    CHECK_EQ(c.map_register_pool_size, ND_UNLIMITED);
    CHECK_UEQ(c.largest_free_run_bytes, UINT64_C(64) << 20);
    CHECK_UEQ(c.common_buffer_bytes.size, UINT64_C(64) << 20);
    nd_machine_free(m);
    nd_machine_free(NULL);
    eng_free(sim);
}

static void test_names(void)
{
    for (int k = 0; k <= ND_ALLOC_ANY; k++) {
        enum nd_alloc_kind back;
        const char *name = nd_alloc_kind_name((enum nd_alloc_kind)k);
        CHECK_EQ(nd_alloc_kind_parse(name, &back), 0);
        CHECK_EQ(back, k);
    }
    CHECK_STR(nd_alloc_kind_name(ND_ALLOC_ANY), "any");
    CHECK_STR(nd_alloc_kind_name(ND_ALLOC_SHARED_MEMORY_ASYNC), "shared_memory_async");
    enum nd_alloc_kind k;
    CHECK_EQ(nd_alloc_kind_parse("bogus", &k), DMS_EINVAL);
    CHECK_STR(nd_violation_name(ND_V_WRONG_IRQL), "WRONG_IRQL");
    CHECK_STR(nd_violation_name(ND_V_PACKET_OWNERSHIP), "PACKET_OWNERSHIP");
    CHECK_STR(nd_violation_name((enum nd_violation)0x7F), "UNKNOWN");
}

/* LARGE_INTEGER as drivers use it: LowPart and HighPart directly, as in the DDK, and
 * through u, over the same bytes as QuadPart. */
static void test_large_integer(void)
{
    LARGE_INTEGER x;
    x.QuadPart = (LONGLONG)UINT64_C(0x0000000123456789);
    CHECK_UEQ(x.LowPart, 0x23456789u);
    CHECK_EQ(x.HighPart, 1);
    CHECK_UEQ(x.u.LowPart, x.LowPart);
    x.HighPart = 2;
    x.LowPart = 0x10;
    CHECK_UEQ((uint64_t)x.QuadPart, UINT64_C(0x0000000200000010));
    NDIS_PHYSICAL_ADDRESS pa;
    NdisSetPhysicalAddressLow(pa, 0x1000);
    NdisSetPhysicalAddressHigh(pa, 1);
    CHECK_UEQ(pa.LowPart, 0x1000u);
    CHECK_UEQ((uint64_t)pa.QuadPart, UINT64_C(0x100001000));
    CHECK_EQ(sizeof(LARGE_INTEGER), 8);
}

static void test_layout(void)
{
    struct nd_machine_params p = rig_defaults();
    p.pae = true;
    p.memory_bytes = 8 * ND_GIB;
    struct rig r;
    rig_new(&r, &p, 1);
    uint64_t lo0 = nd_host_physical(r.m, false, 0), lo1 = nd_host_physical(r.m, false, 1);
    CHECK_GE(lo0, ND_16MB);
    CHECK_LT(lo1, ND_4GB);
    CHECK_UEQ(lo1 - lo0, 4096);
    uint64_t hi = nd_host_physical(r.m, true, 3);
    CHECK_UEQ(hi, ND_4GB + 3 * 4096);
    rig_free(&r);
    rig_new(&r, NULL, 1);
    CHECK_LT(nd_host_physical(r.m, true, 3), ND_4GB); /* no PAE: only low memory */
    CHECK_GE(nd_host_physical(r.m, true, 3), ND_16MB);
    rig_free(&r);
}

/* ---------------------------------------------------------------- map registers */

/* The oracle: the most pages an L-byte buffer can touch, over every start offset. */
static uint32_t worst_span(uint32_t page, uint32_t len)
{
    uint32_t worst = 0;
    for (uint32_t off = 0; off < page; off++) {
        uint32_t pages = (off + len + page - 1) / page;
        if (pages > worst)
            worst = pages;
    }
    return worst;
}

static void test_per_base(void)
{
    static const struct {
        uint32_t page;
        ULONG len;
        uint32_t per_base;
    } cases[] = {
        {4096, 1, 1},     {4096, 1512, 2},  {4096, 4096, 2},  {4096, 4097, 2},
        {4096, 4098, 3},  {4096, 8193, 3},  {4096, 65536, 17}, {8192, 1512, 2},
        {8192, 8192, 2},  {8192, 8193, 2},  {8192, 8194, 3},  {8192, 65536, 9},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        CHECK_EQ(worst_span(cases[i].page, cases[i].len), cases[i].per_base);
        struct nd_machine_params p = rig_defaults();
        p.page_size = cases[i].page;
        p.pool_draw = ND_POOL_EVERY_GRANT; /* so the pool shows every grant */
        struct rig r;
        rig_new(&r, &p, 1);
        struct nd_keyword kw[] = {KW_INT("BaseMapRegistersNeeded", 1),
                                  KW_INT("MaximumBufferSize", cases[i].len)};
        nd_adapter *a;
        CHECK_UEQ(rig_init(&r, kw, 2, &a), NDIS_STATUS_SUCCESS);
        struct nd_adapter_counters c;
        nd_adapter_counters(a, &c);
        CHECK_EQ(c.map_registers_per_base, cases[i].per_base);
        CHECK_EQ(c.base_map_registers, 1);
        CHECK_EQ(c.map_registers, cases[i].per_base);
        struct nd_system_counters s;
        nd_machine_counters(r.m, &s);
        CHECK_UEQ(s.map_registers.in_use, cases[i].per_base);
        nd_adapter_halt(a);
        nd_machine_counters(r.m, &s);
        CHECK_UEQ(s.map_registers.in_use, 0);
        rig_expect_clean(&r);
        rig_free(&r);
    }
}

static void test_per_miniport_limit(void)
{
    static const struct {
        uint32_t page;
        ULONG len;
        ULONG max_base;
    } cases[] = {
        {4096, 1512, 32}, {4096, 65536, 3}, {4096, 4098, 21},
        {8192, 1512, 32}, {8192, 65536, 7},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        for (ULONG extra = 0; extra <= 1; extra++) {
            struct nd_machine_params p = rig_defaults();
            p.page_size = cases[i].page;
            struct rig r;
            rig_new(&r, &p, 1);
            ULONG base = cases[i].max_base + extra;
            struct nd_keyword kw[] = {KW_INT("BaseMapRegistersNeeded", base),
                                      KW_INT("MaximumBufferSize", cases[i].len)};
            nd_adapter *a;
            NDIS_STATUS st = rig_init(&r, kw, 2, &a);
            struct nd_adapter_counters c;
            nd_adapter_counters(a, &c);
            struct nd_system_counters s;
            nd_machine_counters(r.m, &s);
            uint32_t per = worst_span(cases[i].page, cases[i].len);
            CHECK_UEQ(s.map_registers_requested, (uint64_t)base * per);
            CHECK_EQ(c.map_register_requests, 1);
            if (extra == 0) {
                CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
                CHECK_LE(base * per, ND_MAX_MAP_REGISTERS_PER_MINIPORT);
                CHECK_EQ(c.map_registers, base * per);
                nd_adapter_halt(a);
            } else {
                CHECK_UEQ(st, NDIS_STATUS_RESOURCES);
                CHECK_GT(base * per, ND_MAX_MAP_REGISTERS_PER_MINIPORT);
                CHECK_EQ(c.map_register_failures, 1);
                CHECK(!nd_adapter_running(a));
                CHECK_UEQ(s.map_registers.in_use, 0);
            }
            rig_expect_clean(&r);
            rig_free(&r);
        }
    }
}

/* ---------------------------------------------------------------- call order */

/* A miniport that breaks one rule in MiniportInitialize (keyword "Scenario") and returns
 * the status of the call under test, after releasing what it got. */
static ULONG od_scenario(NDIS_HANDLE wcc)
{
    NDIS_HANDLE cfg;
    NDIS_STATUS st;
    PNDIS_CONFIGURATION_PARAMETER v;
    NDIS_STRING k = NDIS_STRING_CONST(L"Scenario");
    ULONG s = 0;
    NdisOpenConfiguration(&st, &cfg, wcc);
    if (st != NDIS_STATUS_SUCCESS)
        return 0;
    NdisReadConfiguration(&st, &v, cfg, &k, NdisParameterInteger);
    if (st == NDIS_STATUS_SUCCESS)
        s = v->ParameterData.IntegerData;
    NdisCloseConfiguration(cfg);
    return s;
}

static NDIS_STATUS od_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE h, NDIS_HANDLE wcc)
{
    NDIS_STATUS st = NDIS_STATUS_FAILURE, st2;
    PVOID va = NULL;
    NDIS_PHYSICAL_ADDRESS pa;
    *SelectedMediumIndex = 0;
    (void)OpenErrorStatus, (void)MediumArray, (void)MediumArraySize;
    switch (od_scenario(wcc)) {
    case 1: /* map registers before the attributes */
        st = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 1514);
        break;
    case 2: /* attributes without the bus-master flag */
        NdisMSetAttributesEx(h, h, 0, NDIS_ATTRIBUTE_DESERIALIZE, NdisInterfacePci);
        st = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 1514);
        break;
    case 3: /* shared memory before map registers */
        NdisMSetAttributesEx(h, h, 0, NDIS_ATTRIBUTE_BUS_MASTER, NdisInterfacePci);
        NdisMAllocateSharedMemory(h, 4096, FALSE, &va, &pa);
        st = va ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
        break;
    case 4: /* map registers twice */
        NdisMSetAttributesEx(h, h, 0, NDIS_ATTRIBUTE_BUS_MASTER, NdisInterfacePci);
        st2 = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 1514);
        st = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 1514);
        if (st2 == NDIS_STATUS_SUCCESS)
            NdisMFreeMapRegisters(h);
        break;
    case 5: /* map registers after scatter-gather DMA */
        NdisMSetAttributes(h, h, TRUE, NdisInterfacePci);
        st2 = NdisMInitializeScatterGatherDma(h, FALSE, 65536);
        st = st2 == NDIS_STATUS_SUCCESS
                 ? NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 1514) : st2;
        break;
    case 6: /* async shared memory without MiniportAllocateComplete */
        NdisMSetAttributes(h, h, TRUE, NdisInterfacePci);
        st2 = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 1514);
        st = NdisMAllocateSharedMemoryAsync(h, 4096, FALSE, NULL);
        if (st2 == NDIS_STATUS_SUCCESS)
            NdisMFreeMapRegisters(h);
        break;
    case 7: /* the right order, with the NDIS 3 attributes call */
        NdisMSetAttributes(h, h, TRUE, NdisInterfacePci);
        st = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 1514);
        NdisMAllocateSharedMemory(h, 4096, FALSE, &va, &pa);
        if (!va)
            st = NDIS_STATUS_RESOURCES;
        else
            NdisMFreeSharedMemory(h, 4096, FALSE, va, pa);
        va = NULL;
        NdisMFreeMapRegisters(h);
        break;
    }
    if (st == NDIS_STATUS_SUCCESS && va)
        NdisMFreeSharedMemory(h, 4096, FALSE, va, pa);
    return st;
}

static VOID od_halt(NDIS_HANDLE ctx)
{
    (void)ctx;
}

static VOID od_send(NDIS_HANDLE ctx, PPNDIS_PACKET p, UINT n)
{
    (void)ctx, (void)p, (void)n;
}

static NTSTATUS od_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
    NDIS_HANDLE w;
    NDIS_MINIPORT_CHARACTERISTICS c;
    NdisMInitializeWrapper(&w, obj, path, NULL);
    memset(&c, 0, sizeof c);
    c.MajorNdisVersion = 5;
    c.MinorNdisVersion = 1;
    c.InitializeHandler = od_initialize;
    c.HaltHandler = od_halt;
    c.SendPacketsHandler = od_send;
    return (NTSTATUS)NdisMRegisterMiniport(w, &c, sizeof c);
}

static nd_adapter *od_adapter(struct rig *r, nd_driver *d, ULONG scenario)
{
    struct nd_keyword kw[] = {KW_INT("scenario", scenario)}; /* case-insensitive */
    struct nd_adapter_params ap = {.name = "order", .keywords = kw, .n_keywords = 1,
                                   .bar_physical = 0xFE000000u, .bar_length = 4096};
    (void)r;
    return nd_adapter_new(r->m, d, &ap);
}

static void test_call_order(void)
{
    static const struct {
        ULONG scenario;
        NDIS_STATUS status;
        int violation; /* 0: none */
    } cases[] = {
        {1, NDIS_STATUS_NOT_ACCEPTED, ND_V_CALL_ORDER},
        {2, NDIS_STATUS_NOT_ACCEPTED, ND_V_NOT_BUS_MASTER},
        {3, NDIS_STATUS_RESOURCES, ND_V_CALL_ORDER},
        {4, NDIS_STATUS_FAILURE, ND_V_CALL_ORDER},
        {5, NDIS_STATUS_FAILURE, ND_V_CALL_ORDER},
        {6, NDIS_STATUS_FAILURE, ND_V_CALL_ORDER},
        {7, NDIS_STATUS_SUCCESS, 0},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        for (int strict = 0; strict <= 1; strict++) {
            struct nd_machine_params p = rig_defaults();
            p.strict = strict;
            struct rig r;
            rig_new(&r, &p, 1);
            NDIS_STATUS st = 0;
            nd_driver *d = nd_driver_load(r.m, od_entry, "order", &st);
            CHECK(d != NULL);
            nd_adapter *a = od_adapter(&r, d, cases[i].scenario);
            CHECK_UEQ(nd_adapter_initialize(a), cases[i].status);
            size_t want = cases[i].violation ? 1 : 0;
            if (nd_machine_diag_count(r.m) != want)
                rig_dump(&r);
            CHECK_EQ(nd_machine_diag_count(r.m), want);
            if (want) {
                const struct nd_diag *dg = rig_diag(r.m, 0);
                CHECK_EQ(dg->kind, cases[i].violation);
                CHECK_STR(dg->code, cases[i].violation == ND_V_CALL_ORDER ? "dmasim:CALL_ORDER"
                                                                          : "dmasim:NOT_BUS_MASTER");
                CHECK_UEQ(dg->bugcheck_param1, ND_DV_NONE);
                CHECK_EQ(dg->adapter, 0);
                CHECK_STR(dg->adapter_name, "order");
            }
            CHECK_EQ(nd_machine_failed(r.m), strict && want);
            if (nd_adapter_running(a))
                nd_adapter_halt(a);
            rig_free(&r);
        }
    }
}

static NTSTATUS bad_version_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
    NDIS_HANDLE w;
    NDIS_MINIPORT_CHARACTERISTICS c;
    NdisMInitializeWrapper(&w, obj, path, NULL);
    memset(&c, 0, sizeof c);
    c.MajorNdisVersion = 6;
    c.InitializeHandler = od_initialize;
    c.HaltHandler = od_halt;
    c.SendPacketsHandler = od_send;
    return (NTSTATUS)NdisMRegisterMiniport(w, &c, sizeof c);
}

static void test_driver_load(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    NDIS_STATUS st = 0;
    CHECK(nd_driver_load(r.m, bad_version_entry, "v6", &st) == NULL);
    CHECK_UEQ(st, NDIS_STATUS_BAD_VERSION);
    rig_free(&r);
}

/* ---------------------------------------------------------------- IRQL */

struct irql_probe {
    PVOID va;
    NDIS_STATUS map_status, async_status, io_status;
};

static void dpc_allocates(struct ndis_testdrv *td)
{
    struct irql_probe *pr = td->test;
    NDIS_PHYSICAL_ADDRESS pa;
    pr->va = (PVOID)td;
    NdisMAllocateSharedMemory(td->handle, 4096, FALSE, &pr->va, &pa);
    pr->map_status = NdisMAllocateMapRegisters(td->handle, 0, NDIS_DMA_32BITS, 1, 1514);
    pr->async_status = NdisMAllocateSharedMemoryAsync(td->handle, 4096, FALSE, NULL);
}

static void timer_maps_io(struct ndis_testdrv *td)
{
    struct irql_probe *pr = td->test;
    PVOID va = NULL;
    pr->io_status = NdisMMapIoSpace(&va, td->handle, td->bar, td->bar_length);
    if (pr->io_status == NDIS_STATUS_SUCCESS)
        NdisMUnmapIoSpace(td->handle, va, td->bar_length);
}

static void test_irql(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_keyword kw[] = {KW_INT("UseTimer", 1)};
    nd_adapter *a;
    CHECK_UEQ(rig_init(&r, kw, 1, &a), NDIS_STATUS_SUCCESS);
    struct ndis_testdrv *td = rig_td(a);
    struct irql_probe pr = {0};
    td->test = &pr;
    td->dpc_hook = dpc_allocates;
    td->timer_hook = timer_maps_io;
    nd_adapter_interrupt(a);
    CHECK_EQ(r.host[0].dpcs_queued, 1);
    struct nd_work w;
    nd_adapter_run_dpc(a, &w);
    CHECK_EQ(td->dpc_calls, 1);
    CHECK(pr.va == NULL); /* synchronous shared memory at DISPATCH_LEVEL fails */
    CHECK_UEQ(pr.map_status, NDIS_STATUS_FAILURE);
    CHECK_UEQ(pr.async_status, NDIS_STATUS_PENDING); /* allowed at DISPATCH_LEVEL */
    CHECK_EQ(rig_diags(&r, ND_V_WRONG_IRQL), 2);
    eng_run_until(r.sim, 150 * DMS_NS_PER_MS); /* async completes; the timer fires once */
    CHECK_EQ(td->async_done, 1);
    CHECK_EQ(td->async_n, 1);
    CHECK_EQ(td->timer_fired, 1);
    CHECK_UEQ(pr.io_status, NDIS_STATUS_FAILURE); /* PASSIVE_LEVEL only */
    CHECK_EQ(rig_diags(&r, ND_V_WRONG_IRQL), 3);
    nd_adapter_halt(a);
    CHECK_EQ(nd_machine_diag_count(r.m), 3);
    /* docs/ndis.md, "Verifier codes": a DMA routine at the wrong IRQL is Driver Verifier's
     * 0x13; NdisMMapIoSpace is no DMA routine and gets dmasim's own code */
    CHECK_STR(rig_diag(r.m, 0)->code, "0xE6:0x13");
    CHECK_STR(rig_diag(r.m, 1)->code, "0xE6:0x13");
    CHECK_STR(rig_diag(r.m, 2)->code, "dmasim:WRONG_IRQL");
    CHECK_UEQ(eng_pending_count(r.sim), 0); /* halt cancelled the periodic timer */
    rig_free(&r);
}

/* ---------------------------------------------------------------- mapping */

struct map_op {
    struct ndis_testdrv *td;
    PNDIS_BUFFER b;
    ULONG index;
    bool complete;
    NDIS_PHYSICAL_ADDRESS_UNIT u[32];
    UINT n;
};

static void map_op_run(void *arg)
{
    struct map_op *o = arg;
    if (o->complete) {
        NdisMCompleteBufferPhysicalMapping(o->td->handle, o->b, o->index);
        return;
    }
    o->n = 99;
    NdisMStartBufferPhysicalMapping(o->td->handle, o->b, o->index, TRUE, o->u, &o->n);
}

static UINT map_buf(nd_adapter *a, PNDIS_BUFFER b, ULONG index, struct map_op *o)
{
    *o = (struct map_op){.td = rig_td(a), .b = b, .index = index};
    nd_adapter_call_driver(a, DISPATCH_LEVEL, map_op_run, o);
    return o->n;
}

static void unmap_buf(nd_adapter *a, PNDIS_BUFFER b, ULONG index)
{
    struct map_op o = {.td = rig_td(a), .b = b, .index = index, .complete = true};
    nd_adapter_call_driver(a, DISPATCH_LEVEL, map_op_run, &o);
}

static void test_mapping(void)
{
    static unsigned char host[8192];
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_keyword kw[] = {KW_INT("BaseMapRegistersNeeded", 4),
                              KW_INT("MaximumBufferSize", 1514)};
    nd_adapter *a;
    CHECK_UEQ(rig_init(&r, kw, 2, &a), NDIS_STATUS_SUCCESS);
    uint64_t pa = nd_host_physical(r.m, false, 10);
    PNDIS_BUFFER split = nd_proto_buffer_new(r.m, host, 1514, pa + 4000);
    PNDIS_BUFFER whole = nd_proto_buffer_new(r.m, host, 1514, pa + 8192);
    PNDIS_BUFFER big = nd_proto_buffer_new(r.m, host, 1515, pa);
    struct map_op o;
    CHECK_EQ(map_buf(a, split, 0, &o), 2); /* 96 bytes in one page, 1418 in the next */
    CHECK_UEQ(o.u[0].PhysicalAddress.QuadPart, pa + 4000);
    CHECK_EQ(o.u[0].Length, 96);
    CHECK_UEQ(o.u[1].PhysicalAddress.QuadPart, pa + 4096);
    CHECK_EQ(o.u[1].Length, 1418);
    CHECK_EQ(map_buf(a, whole, 1, &o), 1);
    CHECK_EQ(o.u[0].Length, 1514);
    struct nd_adapter_counters c;
    nd_adapter_counters(a, &c);
    CHECK_UEQ(c.base_mapped.in_use, 2);
    CHECK_UEQ(c.base_mapped.size, 4);
    CHECK_EQ(map_buf(a, whole, 4, &o), 0);
    CHECK_EQ(rig_diags(&r, ND_V_MAP_INDEX_RANGE), 1);
    CHECK_EQ(map_buf(a, whole, 0, &o), 0);
    CHECK_EQ(rig_diags(&r, ND_V_DOUBLE_MAP), 1);
    CHECK_EQ(map_buf(a, big, 2, &o), 0);
    CHECK_EQ(rig_diags(&r, ND_V_BUFFER_TOO_LARGE), 1);
    unmap_buf(a, whole, 2);
    CHECK_EQ(rig_diags(&r, ND_V_FLUSH_UNMAPPED), 1);
    unmap_buf(a, split, 0);
    unmap_buf(a, whole, 1);
    CHECK_EQ(map_buf(a, split, 2, &o), 2);
    CHECK_EQ(map_buf(a, whole, 3, &o), 1);
    nd_adapter_counters(a, &c);
    CHECK_UEQ(c.mappings, 7);
    CHECK_UEQ(c.base_mapped.in_use, 2);
    CHECK_UEQ(c.base_mapped.peak, 2);
    CHECK_UEQ(c.base_mapped.failures, 3);
    CHECK_UEQ(c.bounced, 0);
    CHECK_EQ(nd_machine_diag_count(r.m), 4);
    nd_adapter_halt(a); /* frees the map registers with two still mapped */
    CHECK_EQ(rig_diags(&r, ND_V_FREE_WHILE_MAPPED), 1);
    CHECK_EQ(nd_machine_diag_count(r.m), 5);
    /* docs/ndis.md, "Verifier codes", in the order above */
    static const char *const codes[] = {"dmasim:MAP_INDEX_RANGE", "0xE6:0x1D",
                                        "dmasim:BUFFER_TOO_LARGE", "0xE6:0x20", "0xE6:0x10"};
    for (size_t k = 0; k < DMS_ARRAY_LEN(codes); k++)
        CHECK_STR(rig_diag(r.m, k)->code, codes[k]);
    nd_proto_buffer_free(split);
    nd_proto_buffer_free(whole);
    nd_proto_buffer_free(big);
    rig_free(&r);
}

static void test_bounce(void)
{
    static const struct {
        bool pae;
        ULONG width;
        bool high;
        bool bounce;
    } cases[] = {
        {true, 32, true, true},   {true, 64, true, false}, {true, 32, false, false},
        {false, 32, true, false}, {false, 24, false, true},
    };
    static unsigned char host[8192];
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct nd_machine_params p = rig_defaults();
        p.pae = cases[i].pae;
        p.memory_bytes = 8 * ND_GIB;
        struct rig r;
        rig_new(&r, &p, 1);
        struct nd_keyword kw[] = {KW_INT("DmaWidth", cases[i].width),
                                  KW_INT("MaximumBufferSize", 4096)};
        nd_adapter *a;
        CHECK_UEQ(rig_init(&r, kw, 2, &a), NDIS_STATUS_SUCCESS);
        uint64_t pa = nd_host_physical(r.m, cases[i].high, 5) + 2000;
        CHECK_EQ(pa >= ND_4GB, cases[i].pae && cases[i].high);
        PNDIS_BUFFER b = nd_proto_buffer_new(r.m, host, 3000, pa);
        struct map_op o;
        CHECK_EQ(map_buf(a, b, 3, &o), 2);
        CHECK_EQ(o.u[0].Length, 2096);
        CHECK_EQ(o.u[1].Length, 904);
        uint64_t got = (uint64_t)o.u[0].PhysicalAddress.QuadPart;
        struct nd_adapter_counters c;
        nd_adapter_counters(a, &c);
        struct nd_system_counters s;
        nd_machine_counters(r.m, &s);
        if (cases[i].bounce) {
            CHECK_LT(got, cases[i].width == 24 ? ND_16MB : ND_4GB);
            CHECK_UEQ(got & 4095, 2000); /* same offset within the bounce page */
            CHECK_UEQ((uint64_t)o.u[1].PhysicalAddress.QuadPart, got - 2000 + 4096);
            CHECK_UEQ(c.bounced, 1);
            CHECK_UEQ(c.bounce_bytes, 3000);
            CHECK_UEQ(s.bounce_buffers, 1);
            CHECK_UEQ(s.bounce_bytes, 3000);
        } else {
            CHECK_UEQ(got, pa);
            CHECK_UEQ(c.bounced, 0);
            CHECK_UEQ(s.bounce_buffers, 0);
        }
        if (cases[i].width == 24)
            CHECK_LT((uint64_t)rig_td(a)->ring_pa.QuadPart, ND_16MB);
        unmap_buf(a, b, 3);
        nd_adapter_halt(a);
        rig_expect_clean(&r);
        nd_proto_buffer_free(b);
        rig_free(&r);
    }
}

/* ---------------------------------------------------------------- several NICs */

static void try_alloc(void *arg)
{
    NDIS_STATUS *st = arg;
    PVOID va;
    *st = NdisAllocateMemoryWithTag(&va, 64, 1);
    if (*st == NDIS_STATUS_SUCCESS)
        NdisFreeMemory(va, 64, 0);
}

static void test_multi_nic(void)
{
    /* {pae, pool, base[3], min_base of the last, expected status of the last} */
    static const struct {
        bool pae;
        int64_t pool;
        int n;
        ULONG base[3];
        ULONG last_min;
        NDIS_STATUS last;
        ULONG last_granted;
    } cases[] = {
        {false, 64, 2, {32, 32, 0}, 32, NDIS_STATUS_RESOURCES, 0},
        {true, 64, 2, {32, 32, 0}, 32, NDIS_STATUS_RESOURCES, 0},
        {false, 100, 3, {32, 16, 8}, 8, NDIS_STATUS_RESOURCES, 0},
        {false, 100, 3, {32, 16, 8}, 1, NDIS_STATUS_SUCCESS, 2},
        {true, 100, 3, {32, 16, 8}, 1, NDIS_STATUS_RESOURCES, 0},
        {false, ND_UNLIMITED, 3, {32, 32, 32}, 32, NDIS_STATUS_SUCCESS, 32},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct nd_machine_params p = rig_defaults();
        p.pae = cases[i].pae;
        p.map_register_pool = cases[i].pool;
        p.pool_draw = ND_POOL_EVERY_GRANT; /* the pessimistic accounting: every grant draws */
        struct rig r;
        rig_new(&r, &p, 1);
        nd_adapter *a[3];
        uint64_t used = 0;
        for (int k = 0; k < cases[i].n; k++) {
            bool last = k == cases[i].n - 1;
            struct nd_keyword kw[] = {
                KW_INT("BaseMapRegistersNeeded", cases[i].base[k]),
                KW_INT("MinimumBaseMapRegisters", last ? cases[i].last_min : cases[i].base[k]),
                KW_INT("MaximumBufferSize", 1512)};
            NDIS_STATUS st = rig_init(&r, kw, 3, &a[k]);
            if (!last) {
                CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
                used += 2 * cases[i].base[k];
                continue;
            }
            CHECK_UEQ(st, cases[i].last);
            if (st == NDIS_STATUS_SUCCESS) {
                CHECK_EQ(rig_td(a[k])->base_granted, cases[i].last_granted);
                used += 2 * cases[i].last_granted;
            }
        }
        const struct nd_hang *h = nd_machine_hang(r.m);
        bool hang = cases[i].pae && cases[i].last != NDIS_STATUS_SUCCESS;
        CHECK_EQ(h->hung, hang);
        int lastk = cases[i].n - 1;
        if (hang) {
            CHECK_EQ(h->adapter, lastk);
            CHECK_STR(h->adapter_name, lastk == 1 ? "nic1" : "nic2");
            CHECK_UEQ(h->requested, 2 * cases[i].base[lastk]);
            CHECK_UEQ(h->left, (uint64_t)cases[i].pool - used);
        }
        struct nd_system_counters s;
        nd_machine_counters(r.m, &s);
        CHECK_UEQ(s.map_registers.in_use, used);
        CHECK_EQ(s.map_registers.failures > 0, cases[i].last != NDIS_STATUS_SUCCESS ||
                                                   cases[i].last_granted != cases[i].base[lastk]);
        rig_expect_clean(&r); /* the failing NIC unwound without leaks */
        for (int k = 0; k < lastk; k++)
            CHECK(nd_adapter_running(a[k])); /* the others run */
        /* after a hang every allocation on the machine fails */
        NDIS_STATUS st = 0;
        nd_adapter_call_driver(a[0], PASSIVE_LEVEL, try_alloc, &st);
        CHECK_UEQ(st, hang ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS);
        for (int k = 0; k < cases[i].n; k++)
            if (nd_adapter_running(a[k]))
                nd_adapter_halt(a[k]);
        rig_expect_clean(&r);
        nd_machine_counters(r.m, &s);
        CHECK_UEQ(s.map_registers.in_use, 0);
        rig_free(&r);
    }
}

/*
 * The HAL's pool is drawn only by adapters that may bounce (24-bit DMA; 32-bit DMA on PAE
 * with memory above 4 GB); the other grants count against the limit of 64 alone. Each
 * case initializes n NICs asking for `base` base registers of 1512 bytes (2 map registers
 * each, no stepping down) and expects the statuses, the pool in use and the hang.
 */
static void test_pool_bouncing(void)
{
    static const struct {
        bool pae;
        uint64_t memory;
        ULONG width;
        int64_t pool;
        int n;
        ULONG base;
        NDIS_STATUS status[3];
        uint64_t pool_used;   /* system pool in use after the initializations */
        uint32_t drawn0;      /* nic0's pool_map_registers */
        int hung;             /* adapter index that hung, or -1 */
    } cases[] = {
        /* two stock NICs on a 2 GB machine without PAE: both run, the pool is untouched */
        {false, 2 * ND_GIB, 32, 64, 2, 32, {0, 0, 0}, 0, 0, -1},
        /* three 64-bit NICs on an 8 GB PAE machine: no bouncing, no hang */
        {true, 8 * ND_GIB, 64, 64, 3, 32, {0, 0, 0}, 0, 0, -1},
        /* PAE without memory above 4 GB: nothing to bounce */
        {true, 2 * ND_GIB, 32, 64, 3, 32, {0, 0, 0}, 0, 0, -1},
        /* 32-bit NICs on an 8 GB PAE machine: they draw, and the second one hangs */
        {true, 8 * ND_GIB, 32, 96, 3, 32, {0, NDIS_STATUS_RESOURCES, 0}, 64, 64, 1},
        /* 24-bit DMA draws without PAE too, and fails cleanly */
        {false, 2 * ND_GIB, 24, 64, 2, 32, {0, NDIS_STATUS_RESOURCES, 0}, 64, 64, -1},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct nd_machine_params p = rig_defaults();
        p.pae = cases[i].pae;
        p.memory_bytes = cases[i].memory;
        p.map_register_pool = cases[i].pool;
        CHECK_EQ(p.pool_draw, ND_POOL_BOUNCING); /* the default */
        struct rig r;
        rig_new(&r, &p, 1);
        nd_adapter *a[3] = {NULL, NULL, NULL};
        for (int k = 0; k < cases[i].n; k++) {
            struct nd_keyword kw[] = {KW_INT("BaseMapRegistersNeeded", cases[i].base),
                                      KW_INT("MinimumBaseMapRegisters", cases[i].base),
                                      KW_INT("MaximumBufferSize", 1512),
                                      KW_INT("DmaWidth", cases[i].width)};
            NDIS_STATUS st = rig_init(&r, kw, 4, &a[k]);
            CHECK_UEQ(st, cases[i].status[k]);
            if (nd_machine_hang(r.m)->hung)
                break;
        }
        struct nd_adapter_counters c;
        nd_adapter_counters(a[0], &c);
        CHECK_EQ(c.map_registers, 2 * cases[i].base); /* the limit counts every grant */
        CHECK_EQ(c.pool_map_registers, cases[i].drawn0);
        struct nd_system_counters s;
        nd_machine_counters(r.m, &s);
        CHECK_UEQ(s.map_registers.in_use, cases[i].pool_used);
        const struct nd_hang *h = nd_machine_hang(r.m);
        CHECK_EQ(h->hung, cases[i].hung >= 0);
        if (h->hung)
            CHECK_EQ(h->adapter, cases[i].hung);
        for (int k = 0; k < 3; k++)
            if (a[k] && nd_adapter_running(a[k]))
                nd_adapter_halt(a[k]);
        nd_machine_counters(r.m, &s);
        CHECK_UEQ(s.map_registers.in_use, 0);
        rig_free(&r);
    }
}

static void test_dma24(void)
{
    static const struct {
        uint64_t low16;
        NDIS_STATUS status;
    } cases[] = {
        {UINT64_C(64) << 10, NDIS_STATUS_RESOURCES}, /* 64 map registers need 256 KiB */
        {UINT64_C(4) << 20, NDIS_STATUS_SUCCESS},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct nd_machine_params p = rig_defaults();
        p.low16_free_bytes = cases[i].low16;
        struct rig r;
        rig_new(&r, &p, 1);
        struct nd_keyword kw[] = {KW_INT("DmaWidth", 24), KW_INT("BaseMapRegistersNeeded", 32),
                                  KW_INT("MaximumBufferSize", 1512)};
        nd_adapter *a;
        CHECK_UEQ(rig_init(&r, kw, 3, &a), cases[i].status);
        struct nd_system_counters s;
        nd_machine_counters(r.m, &s);
        if (cases[i].status == NDIS_STATUS_SUCCESS) {
            /* bounce pages for 64 registers, ring (4 pages) and 8 receive buffers */
            CHECK_UEQ(s.low16_bytes.in_use, (64 + 4 + 8) * 4096);
            CHECK_UEQ(s.common_buffer_bytes.in_use, 0);
            nd_adapter_halt(a);
            nd_machine_counters(r.m, &s);
        } else {
            CHECK_UEQ(s.low16_bytes.failures, 1);
            CHECK_UEQ(s.map_registers.in_use, 0);
        }
        CHECK_UEQ(s.low16_bytes.in_use, 0);
        rig_expect_clean(&r);
        rig_free(&r);
    }
}

static void test_query_count(void)
{
    static const struct {
        int64_t pool;
        bool supported;
        NDIS_STATUS status;
        UINT count;
    } cases[] = {
        {64, true, NDIS_STATUS_SUCCESS, 64},
        {ND_UNLIMITED, true, NDIS_STATUS_SUCCESS, 0xFFFFFFFFu},
        {64, false, NDIS_STATUS_NOT_SUPPORTED, 0},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct nd_machine_params p = rig_defaults();
        p.map_register_pool = cases[i].pool;
        p.map_register_count_supported = cases[i].supported;
        p.processors = 4;
        struct rig r;
        rig_new(&r, &p, 1);
        nd_adapter *a;
        CHECK_UEQ(rig_init(&r, NULL, 0, &a), NDIS_STATUS_SUCCESS);
        CHECK_UEQ(rig_td(a)->map_register_count_status, cases[i].status);
        CHECK_UEQ(rig_td(a)->map_register_count, cases[i].count);
        nd_adapter_halt(a);
        rig_expect_clean(&r);
        rig_free(&r);
    }
}

/* Status names: the known codes by name, any other as hex in the caller's buffer. */
static void test_status_names(void)
{
    char buf[16];
    CHECK(strcmp(nd_status_name(NDIS_STATUS_RESOURCES, buf, sizeof buf),
                 "NDIS_STATUS_RESOURCES") == 0);
    CHECK(strcmp(nd_status_name(NDIS_STATUS_SUCCESS, buf, sizeof buf), "NDIS_STATUS_SUCCESS") ==
          0);
    const char *s = nd_status_name(0xC0DE0001u, buf, sizeof buf);
    CHECK(s == buf);
    CHECK(strcmp(s, "0xC0DE0001") == 0);
}

int main(void)
{
    test_status_names();
    test_params();
    test_names();
    test_layout();
    test_large_integer();
    test_per_base();
    test_per_miniport_limit();
    test_call_order();
    test_driver_load();
    test_irql();
    test_mapping();
    test_bounce();
    test_multi_nic();
    test_pool_bouncing();
    test_dma24();
    test_query_count();
    return 0;
}
