/* SPDX-License-Identifier: MIT */
/*
 * test_ndis_verify: pools, configuration, the verifier and fault injection. Pools enforce
 * their descriptor counts (the (n+1)-th packet of an n-descriptor pool is refused);
 * configuration keywords match case-insensitively and convert between integer and string;
 * double frees, mismatched frees and busy pools become diagnostics; a driver that forgets
 * everything at halt gets one leak diagnostic per kind; and failing the n-th allocation
 * for n = 1, 2, ... makes the test driver's initialization fail cleanly, with no leak,
 * until it succeeds and halts with no diagnostic at all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ndis_rig.h"

/* ---------------------------------------------------------------- pools */

static void pools_body(void *arg)
{
    nd_adapter *a = arg;
    struct nd_adapter_counters c0, c1;
    NDIS_STATUS st;
    NDIS_HANDLE pp, ppx, bp;
    PNDIS_PACKET pk[4];
    PNDIS_BUFFER bf[3];
    static unsigned char bytes[256];
    NdisAllocatePacketPool(&st, &pp, 3, 24);
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    for (int i = 0; i < 3; i++) {
        NdisAllocatePacket(&st, &pk[i], pp);
        CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    }
    NdisAllocatePacket(&st, &pk[3], pp);
    CHECK_UEQ(st, NDIS_STATUS_RESOURCES); /* the (n+1)-th packet of an n-descriptor pool */
    CHECK(pk[3] == NULL);
    CHECK_EQ(NdisPacketPoolUsage(pp), 3);
    /* ProtocolReserved (24 bytes) and the OOB block do not overlap */
    memset(pk[0]->ProtocolReserved, 0xA5, 24);
    NDIS_SET_PACKET_STATUS(pk[0], NDIS_STATUS_RESOURCES);
    CHECK_UEQ(NDIS_GET_PACKET_STATUS(pk[0]), NDIS_STATUS_RESOURCES);
    CHECK_EQ(pk[0]->ProtocolReserved[23], 0xA5);
    CHECK_GE(pk[0]->Private.NdisPacketOobOffset, offsetof(NDIS_PACKET, ProtocolReserved) + 24);
    CHECK(NDIS_PER_PACKET_INFO_FROM_PACKET(pk[0], ScatterGatherListPacketInfo) == NULL);
    NdisFreePacketPool(pp); /* busy: refused */
    for (int i = 0; i < 3; i++)
        NdisFreePacket(pk[i]);
    NdisFreePacket(pk[0]); /* double free */
    NdisFreePacketPool(pp);
    NdisFreePacketPool(pp); /* double free of the pool */
    NdisAllocatePacketPoolEx(&st, &ppx, 2, 1, 0);
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    for (int i = 0; i < 3; i++) {
        NdisAllocatePacket(&st, &pk[i], ppx);
        CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    }
    NdisAllocatePacket(&st, &pk[3], ppx);
    CHECK_UEQ(st, NDIS_STATUS_RESOURCES);
    for (int i = 0; i < 3; i++)
        NdisFreePacket(pk[i]);
    NdisFreePacketPool(ppx);
    NdisAllocatePacketPool(&st, &pp, 0x10000, 0); /* more than 0xFFFF descriptors */
    CHECK_UEQ(st, NDIS_STATUS_RESOURCES);
    nd_adapter_counters(a, &c0);
    NdisAllocatePacketPoolEx(&st, &ppx, 0xFFF0, 0x100, 0); /* the overflow is cut */
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    nd_adapter_counters(a, &c1);
    CHECK_UEQ(c1.packets.size - c0.packets.size, 0xFFFF);
    NdisFreePacketPool(ppx);
    NdisAllocateBufferPool(&st, &bp, 2);
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    NdisAllocateBuffer(&st, &bf[0], bp, bytes, 100);
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    NdisAllocateBuffer(&st, &bf[1], bp, bytes + 100, 100);
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    NdisAllocateBuffer(&st, &bf[2], bp, bytes, 10);
    CHECK_UEQ(st, NDIS_STATUS_RESOURCES);
    NdisAdjustBufferLength(bf[0], 40);
    CHECK_EQ(NdisBufferLength(bf[0]), 40);
    NdisAdjustBufferLength(bf[0], 4000); /* not beyond the allocated length */
    CHECK_EQ(NdisBufferLength(bf[0]), 100);
    NdisFreeBuffer(bf[0]);
    NdisFreeBuffer(bf[0]); /* double free */
    NdisFreeBuffer(bf[1]);
    NdisFreeBufferPool(bp);
}

static void test_pools(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    nd_adapter *a;
    CHECK_UEQ(rig_init(&r, NULL, 0, &a), NDIS_STATUS_SUCCESS);
    struct nd_adapter_counters c0, c1;
    nd_adapter_counters(a, &c0);
    CHECK_UEQ(c0.packets.size, 8);
    CHECK_UEQ(c0.packets.in_use, 8);
    nd_adapter_call_driver(a, PASSIVE_LEVEL, pools_body, a);
    nd_adapter_counters(a, &c1);
    CHECK_UEQ(c1.packets.failures, c0.packets.failures + 2);
    CHECK_UEQ(c1.buffers.failures, c0.buffers.failures + 1);
    CHECK_UEQ(c1.packets.in_use, 8);
    CHECK_UEQ(c1.packets.peak, 11);
    CHECK_EQ(c1.packet_pools, 4);
    CHECK_EQ(rig_diags(&r, ND_V_POOL_BUSY), 1);
    CHECK_EQ(rig_diags(&r, ND_V_DOUBLE_FREE), 3);
    CHECK_EQ(nd_machine_diag_count(r.m), 4);
    /* a buffer on shared memory carries the common buffer's physical address */
    struct ndis_testdrv *td = rig_td(a);
    for (ULONG i = 0; i < td->rx_count; i++) {
        CHECK_UEQ(td->rx_buf[i]->PhysicalAddress, td->rx_pa[i].QuadPart);
        CHECK(NdisBufferVirtualAddress(td->rx_buf[i]) == td->rx_va[i]);
        UINT phys, count, total;
        PNDIS_BUFFER first;
        NdisQueryPacket(td->rx_pkt[i], &phys, &count, &first, &total);
        CHECK_EQ(count, 1);
        CHECK_EQ(phys, 1);
        CHECK_EQ(total, TD_RX_BYTES);
        CHECK(first == td->rx_buf[i]);
    }
    nd_adapter_halt(a);
    CHECK_EQ(nd_machine_diag_count(r.m), 4);
    struct nd_system_counters s;
    nd_machine_counters(r.m, &s);
    CHECK_UEQ(s.nonpaged_bytes.in_use, 0);
    CHECK_GT(s.nonpaged_bytes.peak, 0);
    CHECK_UEQ(s.common_buffer_bytes.in_use, 0);
    CHECK_UEQ(s.common_buffer_bytes.peak, (4 + 8) * 4096);
    rig_free(&r);
}

/* ---------------------------------------------------------------- configuration */

struct cfg_probe {
    struct ndis_testdrv *td;
    NDIS_STATUS st[8];
    ULONG ints[8];
    WCHAR text[32];
    USHORT text_len;
    UCHAR mac[6];
};

static void read_one(struct cfg_probe *pr, NDIS_HANDLE cfg, int i, PWSTR name, USHORT bytes,
                     NDIS_PARAMETER_TYPE type)
{
    NDIS_STRING k = {(USHORT)(bytes - sizeof(WCHAR)), bytes, name};
    PNDIS_CONFIGURATION_PARAMETER v = NULL;
    NdisReadConfiguration(&pr->st[i], &v, cfg, &k, type);
    if (pr->st[i] != NDIS_STATUS_SUCCESS)
        return;
    CHECK_EQ(v->ParameterType, type);
    if (type == NdisParameterString) {
        pr->text_len = v->ParameterData.StringData.Length;
        memcpy(pr->text, v->ParameterData.StringData.Buffer, pr->text_len);
    } else {
        pr->ints[i] = v->ParameterData.IntegerData;
    }
}

#define READ_ONE(pr, cfg, i, lit, type) read_one((pr), (cfg), (i), (PWSTR)(lit), sizeof(lit), type)

static void config_body(void *arg)
{
    struct cfg_probe *pr = arg;
    NDIS_HANDLE cfg;
    NDIS_STATUS st;
    NdisOpenConfiguration(&st, &cfg, pr->td->wcc);
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    READ_ONE(pr, cfg, 0, L"maximumbuffersize", NdisParameterInteger);
    READ_ONE(pr, cfg, 1, L"Mask", NdisParameterHexInteger);
    READ_ONE(pr, cfg, 2, L"Count", NdisParameterInteger);
    READ_ONE(pr, cfg, 3, L"Missing", NdisParameterInteger);
    READ_ONE(pr, cfg, 4, L"Name", NdisParameterInteger);
    READ_ONE(pr, cfg, 5, L"MAXIMUMBUFFERSIZE", NdisParameterString);
    PVOID addr;
    UINT len;
    NdisReadNetworkAddress(&pr->st[6], &addr, &len, cfg);
    CHECK_EQ(len, 6);
    memcpy(pr->mac, addr, 6);
    NdisCloseConfiguration(cfg);
    NdisCloseConfiguration(cfg); /* closed twice */
}

static void test_config(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_keyword kw[] = {KW_INT("MaximumBufferSize", 1514), KW_STR("Mask", "1F"),
                              KW_STR("Count", "42"), KW_STR("Name", "eth")};
    nd_adapter *a;
    CHECK_UEQ(rig_init(&r, kw, DMS_ARRAY_LEN(kw), &a), NDIS_STATUS_SUCCESS);
    struct cfg_probe pr = {.td = rig_td(a)};
    CHECK_EQ(pr.td->max_buffer, 1514);
    nd_adapter_call_driver(a, PASSIVE_LEVEL, config_body, &pr);
    CHECK_UEQ(pr.st[0], NDIS_STATUS_SUCCESS);
    CHECK_EQ(pr.ints[0], 1514);
    CHECK_UEQ(pr.st[1], NDIS_STATUS_SUCCESS);
    CHECK_EQ(pr.ints[1], 0x1F);
    CHECK_UEQ(pr.st[2], NDIS_STATUS_SUCCESS);
    CHECK_EQ(pr.ints[2], 42);
    CHECK_UEQ(pr.st[3], NDIS_STATUS_FAILURE);
    CHECK_UEQ(pr.st[4], NDIS_STATUS_FAILURE); /* "eth" is not a number */
    CHECK_UEQ(pr.st[5], NDIS_STATUS_SUCCESS);
    CHECK_EQ(pr.text_len, 4 * sizeof(WCHAR));
    CHECK(memcmp(pr.text, L"1514", 4 * sizeof(WCHAR)) == 0);
    CHECK_UEQ(pr.st[6], NDIS_STATUS_SUCCESS);
    CHECK_EQ(pr.mac[0], 0x00);
    CHECK_EQ(pr.mac[5], 0x50);
    CHECK_EQ(memcmp(pr.td->mac, pr.mac, 6), 0);
    CHECK_EQ(rig_diags(&r, ND_V_DOUBLE_FREE), 1);
    /* adapter resources as the driver found them */
    CHECK_UEQ(pr.td->bar.QuadPart, 0xFE000000u);
    CHECK_EQ(pr.td->bar_length, 4096);
    CHECK_EQ(pr.td->vector, 16);
    CHECK_EQ(pr.td->level, 5);
    unsigned char oid[8];
    ULONG written = 0;
    CHECK_UEQ(nd_adapter_query(a, OID_802_3_CURRENT_ADDRESS, oid, sizeof oid, &written),
              NDIS_STATUS_SUCCESS);
    CHECK_EQ(written, 6);
    CHECK_EQ(oid[5], 0x50);
    nd_adapter_halt(a);
    CHECK_EQ(nd_machine_diag_count(r.m), 1);
    rig_free(&r);
}

/* ---------------------------------------------------------------- verifier */

static void frees_twice(void *arg)
{
    struct ndis_testdrv *td = arg;
    PVOID va;
    NDIS_STATUS st;
    NDIS_HANDLE bp;
    CHECK_UEQ(NdisAllocateMemoryWithTag(&va, 100, 7), NDIS_STATUS_SUCCESS);
    NdisFreeMemory(va, 99, 0); /* wrong length: freed, but a mismatch */
    NdisFreeMemory(va, 100, 0);
    CHECK_EQ(td->async_n, 1);
    for (int i = 0; i < 2; i++)
        NdisMFreeSharedMemory(td->handle, td->async_len[0], FALSE, td->async_va[0],
                              td->async_pa[0]);
    td->async_n = 0;
    NdisAllocateBufferPool(&st, &bp, 4);
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    NdisFreeBufferPool(bp);
    NdisFreeBufferPool(bp);
    for (int i = 0; i < 2; i++) {
        NdisMUnmapIoSpace(td->handle, (PVOID)td->regs, td->bar_length);
        NdisMDeregisterInterrupt(&td->intr);
    }
    td->leak = TD_LEAK_IO | TD_LEAK_INTERRUPT; /* already released above */
}

static void async_4k(void *arg)
{
    struct ndis_testdrv *td = arg;
    CHECK_UEQ(NdisMAllocateSharedMemoryAsync(td->handle, 4096, FALSE, NULL),
              NDIS_STATUS_PENDING);
}

/* Frees that NDIS 5.1 allows: nonpaged memory with NdisFreeMemory(p, 0, 0) (Length is
 * ignored when MemoryFlags is 0), and shared memory grown with
 * NdisMAllocateSharedMemoryAsync given back at DISPATCH_LEVEL (<= DISPATCH_LEVEL). */
static void frees_allowed(void *arg)
{
    struct ndis_testdrv *td = arg;
    PVOID va;
    CHECK_UEQ(NdisAllocateMemoryWithTag(&va, 100, 7), NDIS_STATUS_SUCCESS);
    NdisFreeMemory(va, 0, 0);
    CHECK_EQ(td->async_n, 1);
    NdisMFreeSharedMemory(td->handle, td->async_len[0], FALSE, td->async_va[0],
                          td->async_pa[0]);
    td->async_n = 0;
}

static void test_frees_allowed(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    nd_adapter *a;
    CHECK_UEQ(rig_init(&r, NULL, 0, &a), NDIS_STATUS_SUCCESS);
    struct ndis_testdrv *td = rig_td(a);
    nd_adapter_call_driver(a, DISPATCH_LEVEL, async_4k, td);
    eng_run(r.sim);
    nd_adapter_call_driver(a, DISPATCH_LEVEL, frees_allowed, td);
    if (nd_machine_diag_count(r.m))
        rig_dump(&r);
    CHECK_EQ(nd_machine_diag_count(r.m), 0);
    nd_adapter_halt(a);
    rig_expect_clean(&r); /* both blocks were really freed */
    rig_free(&r);
}

static void test_double_free(void)
{
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_keyword kw[] = {KW_INT("DoubleFree", 1)};
    nd_adapter *a;
    CHECK_UEQ(rig_init(&r, kw, 1, &a), NDIS_STATUS_SUCCESS);
    struct ndis_testdrv *td = rig_td(a);
    nd_adapter_call_driver(a, DISPATCH_LEVEL, async_4k, td);
    eng_run(r.sim);
    nd_adapter_call_driver(a, PASSIVE_LEVEL, frees_twice, td);
    CHECK_EQ(rig_diags(&r, ND_V_FREE_MISMATCH), 1);
    CHECK_EQ(rig_diags(&r, ND_V_DOUBLE_FREE), 5);
    nd_adapter_halt(a); /* NdisMFreeMapRegisters twice */
    CHECK_EQ(rig_diags(&r, ND_V_DOUBLE_FREE), 6);
    CHECK_EQ(nd_machine_diag_count(r.m), 7);
    /* docs/ndis.md, "Verifier codes": in call order, the memory length mismatch and the
     * memory freed twice (dmasim's own), the common buffer freed twice (0x03), the pool, the
     * I/O range and the interrupt released twice (dmasim's own), the map registers freed
     * twice (0x05) */
    static const char *const codes[] = {"dmasim:FREE_MISMATCH", "dmasim:DOUBLE_FREE",
                                        "0xE6:0x03", "dmasim:DOUBLE_FREE", "dmasim:DOUBLE_FREE",
                                        "dmasim:DOUBLE_FREE", "0xE6:0x05"};
    for (size_t k = 0; k < DMS_ARRAY_LEN(codes); k++) {
        if (strcmp(rig_diag(r.m, k)->code, codes[k]) != 0)
            rig_dump(&r);
        CHECK_STR(rig_diag(r.m, k)->code, codes[k]);
    }
    rig_free(&r);
}

static void test_leaks(void)
{
    static const char *const kinds[] = {
        "leak (shared memory)", "leak (memory)", "leak (map registers)", "leak (packet pools)",
        "leak (buffer pools)", "leak (packets)", "leak (buffers)", "leak (interrupts)",
        "leak (timers)", "leak (io space)", "leak (configuration)",
    };
    /* docs/ndis.md, "Verifier codes": common buffers and map registers left at halt are
     * Driver Verifier's 0x07 and 0x09; the other kinds are dmasim's own LEAK */
    static const char *const codes[] = {
        "0xE6:0x07", "dmasim:LEAK", "0xE6:0x09", "dmasim:LEAK", "dmasim:LEAK", "dmasim:LEAK",
        "dmasim:LEAK", "dmasim:LEAK", "dmasim:LEAK", "dmasim:LEAK", "dmasim:LEAK",
    };
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_keyword kw[] = {KW_INT("Leak", TD_LEAK_ALL), KW_INT("UseTimer", 1)};
    nd_adapter *a;
    CHECK_UEQ(rig_init(&r, kw, 2, &a), NDIS_STATUS_SUCCESS);
    nd_adapter_halt(a);
    if (nd_machine_diag_count(r.m) != DMS_ARRAY_LEN(kinds))
        rig_dump(&r);
    CHECK_EQ(nd_machine_diag_count(r.m), DMS_ARRAY_LEN(kinds));
    CHECK_EQ(rig_diags(&r, ND_V_LEAK), DMS_ARRAY_LEN(kinds));
    for (size_t k = 0; k < DMS_ARRAY_LEN(kinds); k++) {
        CHECK(strncmp(rig_diag(r.m, k)->msg, kinds[k], strlen(kinds[k])) == 0);
        CHECK_STR(rig_diag(r.m, k)->code, codes[k]);
    }
    CHECK(strstr(rig_diag(r.m, 0)->msg, "9 block(s)") != NULL); /* ring + 8 rx */
    CHECK(strstr(rig_diag(r.m, 2)->msg, "8 base x 2") != NULL);
    CHECK_UEQ(eng_pending_count(r.sim), 0); /* the leaked timer was cancelled */
    rig_free(&r); /* frees the leaked host memory: valgrind-clean */
}

/* ---------------------------------------------------------------- fault injection */

/* Fails the n-th allocation for n = 1, 2, ... until initialization succeeds. */
static int fault_sweep(const struct nd_keyword *kw, size_t nkw)
{
    for (uint64_t n = 1; n < 200; n++) {
        struct rig r;
        rig_new(&r, NULL, 1);
        struct nd_fault f = {.kind = ND_ALLOC_ANY, .adapter = -1, .nth = n};
        CHECK_EQ(nd_machine_add_fault(r.m, &f, NULL), 0);
        nd_adapter *a;
        NDIS_STATUS st = rig_init(&r, kw, nkw, &a);
        rig_expect_clean(&r); /* failing runs unwound everything */
        if (st != NDIS_STATUS_SUCCESS) {
            CHECK_UEQ(nd_machine_faults_injected(r.m), 1);
            CHECK(!nd_adapter_running(a));
            struct nd_system_counters s;
            nd_machine_counters(r.m, &s);
            CHECK_UEQ(s.nonpaged_bytes.in_use, 0);
            CHECK_UEQ(s.common_buffer_bytes.in_use, 0);
            CHECK_UEQ(s.map_registers.in_use, 0);
            rig_free(&r);
            continue;
        }
        CHECK_UEQ(nd_machine_faults_injected(r.m), 0);
        nd_adapter_halt(a);
        rig_expect_clean(&r);
        rig_free(&r);
        return (int)n;
    }
    CHECK(false);
    return 0;
}

static void test_fault_sweep(void)
{
    /* context, scratch, map registers, ring, 4 receive buffers, two pools, 4 packets and 4
     * buffers, the interrupt: 19 allocations, so the 20th "n-th" is never reached */
    struct nd_keyword mr[] = {KW_INT("ReceiveBuffers", 4)};
    CHECK_EQ(fault_sweep(mr, 1), 20);
    struct nd_keyword sg[] = {KW_INT("ReceiveBuffers", 4), KW_INT("ScatterGather", 1)};
    CHECK_EQ(fault_sweep(sg, 2), 19);
}

static void test_fault_rules(void)
{
    static const struct {
        struct nd_fault f;
        int adapters;
        NDIS_STATUS last;
    } cases[] = {
        {{ND_ALLOC_PACKET, -1, 2, 0.0}, 1, NDIS_STATUS_RESOURCES},
        {{ND_ALLOC_BUFFER, -1, 0, 1.0}, 1, NDIS_STATUS_RESOURCES},
        {{ND_ALLOC_SHARED_MEMORY, 1, 1, 0.0}, 2, NDIS_STATUS_RESOURCES},
        {{ND_ALLOC_INTERRUPT, 0, 1, 0.0}, 2, NDIS_STATUS_SUCCESS},
        {{ND_ALLOC_MAP_REGISTERS, -1, 1, 0.0}, 1, NDIS_STATUS_RESOURCES},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct rig r;
        rig_new(&r, NULL, 1);
        CHECK_EQ(nd_machine_add_fault(r.m, &cases[i].f, NULL), 0);
        nd_adapter *a[2];
        NDIS_STATUS st = 0;
        for (int k = 0; k < cases[i].adapters; k++)
            st = rig_init(&r, NULL, 0, &a[k]);
        CHECK_UEQ(st, cases[i].last);
        CHECK_UEQ(nd_machine_faults_injected(r.m), 1);
        rig_expect_clean(&r);
        for (int k = 0; k < cases[i].adapters; k++)
            if (nd_adapter_running(a[k]))
                nd_adapter_halt(a[k]);
        rig_expect_clean(&r);
        rig_free(&r);
    }
    struct rig r;
    rig_new(&r, NULL, 1);
    struct nd_fault bad[] = {{ND_ALLOC_ANY, -1, 0, 0.0}, {ND_ALLOC_ANY, -2, 1, 0.0},
                             {ND_ALLOC_ANY, -1, 0, 1.5}, {(enum nd_alloc_kind)99, -1, 1, 0.0}};
    for (size_t i = 0; i < DMS_ARRAY_LEN(bad); i++) {
        struct dms_error err;
        dms_error_clear(&err);
        CHECK_EQ(nd_machine_add_fault(r.m, &bad[i], &err), DMS_EINVAL);
        CHECK(err.msg[0] != '\0');
    }
    rig_free(&r);
}

/* Probabilistic faults are a function of the seed alone. */
static void test_fault_probability(void)
{
    uint64_t injected[2][8];
    NDIS_STATUS status[2][8];
    int failures = 0;
    for (int run = 0; run < 2; run++) {
        for (uint64_t seed = 1; seed <= 8; seed++) {
            struct rig r;
            rig_new(&r, NULL, seed);
            struct nd_fault f = {.kind = ND_ALLOC_ANY, .adapter = -1, .probability = 0.05};
            CHECK_EQ(nd_machine_add_fault(r.m, &f, NULL), 0);
            nd_adapter *a;
            status[run][seed - 1] = rig_init(&r, NULL, 0, &a);
            injected[run][seed - 1] = nd_machine_faults_injected(r.m);
            rig_expect_clean(&r);
            if (nd_adapter_running(a))
                nd_adapter_halt(a);
            failures += status[run][seed - 1] != NDIS_STATUS_SUCCESS;
            rig_free(&r);
        }
    }
    CHECK(memcmp(injected[0], injected[1], sizeof injected[0]) == 0);
    CHECK(memcmp(status[0], status[1], sizeof status[0]) == 0);
    CHECK_GT(failures, 0); /* 27 allocations at 5 %: most seeds see a fault */
}

int main(void)
{
    test_pools();
    test_config();
    test_double_free();
    test_frees_allowed();
    test_leaks();
    test_fault_sweep();
    test_fault_rules();
    test_fault_probability();
    return 0;
}
