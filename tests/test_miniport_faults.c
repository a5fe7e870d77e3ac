/* SPDX-License-Identifier: MIT */
/*
 * test_miniport_faults: the SimNIC miniport's receive-buffer growth and its behaviour under
 * injected and real allocation failures, on the whole simulated world of test_miniport.
 *
 * Growth is checked to the nanosecond: when NDIS_STATUS_RESOURCES indications start, when
 * NdisMAllocateSharedMemoryAsync is asked, when the chunk lands and SUCCESS resumes, and
 * what happens when the chunk never comes (fault injection, or fragmented memory) or comes
 * with too few descriptors. Initialization is run with its n-th allocation failing for
 * every n, and a running world with allocations failing at random. Every world must end
 * with no verifier diagnostic: nothing leaked, no rule broken while unwinding.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "dms.h"
#include "test_miniport_world.h"

/* ---- 4. asynchronous growth of the receive buffers -------------------------------------- */

/* 8 buffers, LowWater 4, chunks of 8, async latency 51 us, protocol holding 1 ms. */
static void growth_cfg(struct mpt_cfg *c)
{
    mpt_cfg_default(c);
    c->machine.async_alloc_latency_ns = 51 * DMS_NS_PER_US;
    c->host.protocol.hold.kind = HOST_DIST_CONSTANT;
    c->host.protocol.hold.mean_ns = 1e6;
    c->host.protocol.servers = HOST_SERVERS_INFINITE;
    mpt_cfg_kw(c, "ReceiveBuffers", 8);
    mpt_cfg_kw(c, "LowWater", 4);
    mpt_cfg_kw(c, "AsyncChunk", 8);
    mpt_cfg_kw(c, "MaxReceiveBuffers", 256);
    mpt_cfg_kw(c, "ScaleWithProcessors", 0);
}

/*
 * 38 frames of 226 B back to back at t = 0: frame i's last bit at 2000 (i + 1) ns
 * ((226 + 24) x 8), DMA 226 + 32 ns, so it is indicated at t_i = 2000 (i + 1) + 258.
 * Free buffers (free list + posted) after reaping frame i, all earlier SUCCESS ones held:
 * 8 - (i + 1). Frames 0..3 leave 7..4 (not below 4): SUCCESS. Frame 4 leaves 3: RESOURCES,
 * reposted at once, and the DPC asks for 8 more buffers at t_4 = 10258; they land at
 * 10258 + 51000 = 61258. Until then every frame leaves 3 free: RESOURCES (frames 4..29,
 * t_29 = 60258). From frame 30 (t = 62258) 12 buffers are free: frames 30..37 leave 11..4,
 * SUCCESS, and no second request (4 is not below 4).
 */
static void test_async_growth(void)
{
    struct mpt_cfg c;
    growth_cfg(&c);
    struct mpt_world w;
    mpt_world_build(&w, &c);
    mpt_world_init(&w);
    struct mpt_nic *t = &w.nic[0];
    mpt_frames_at(t, 0, 38, 226);

    DMASIM_DRIVER_STATISTICS s;
    eng_run_until(w.sim, 61257); /* one ns before the chunk lands */
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxAsyncRequested, 1);
    CHECK_UEQ(s.RxAsyncSucceeded, 0);
    CHECK_UEQ(s.RxBuffersTotal, 8);
    CHECK_UEQ(s.RxIndicatedResources, 26); /* frames 4..29, all before 61257 */
    eng_run_until(w.sim, 61258);
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxAsyncSucceeded, 1);
    CHECK_UEQ(s.RxBuffersTotal, 16);             /* 8 + AsyncChunk */

    eng_run_until(w.sim, 500 * DMS_NS_PER_US);
    CHECK_UEQ(t->n_rx, 38);
    for (size_t i = 0; i < 38; i++) {
        eng_time_ns ti = 2000 * (eng_time_ns)(i + 1) + 258;
        CHECK_EQ(t->rx[i].t_ns, ti);
        bool resources = i >= 4 && i <= 29; /* exactly the window [10258, 61258) */
        CHECK_UEQ(t->rx[i].status, resources ? NDIS_STATUS_RESOURCES : NDIS_STATUS_SUCCESS);
        CHECK(!resources || (ti >= 10258 && ti < 61258));
    }
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxIndicated, 38);
    CHECK_UEQ(s.RxIndicatedResources, 26);
    CHECK_UEQ(s.RxAsyncRequested, 1);
    CHECK_UEQ(s.RxAsyncFailed, 0);
    CHECK_UEQ(s.RxBuffersInitial, 8);
    CHECK_UEQ(s.RxBuffersTotal, 16);
    CHECK_UEQ(s.RxBuffersPeakInUse, 12); /* 4 + 8 SUCCESS frames held */
    struct nd_adapter_counters ac;
    nd_adapter_counters(t->ad, &ac);
    CHECK_UEQ(ac.async_requested, 1);
    CHECK_UEQ(ac.async_succeeded, 1);
    CHECK_UEQ(ac.async_failed, 0);
    CHECK_UEQ(ac.indicated_resources, 26);
    struct host_protocol_counters pc;
    host_protocol_counters(host_nic_protocol(t->host), &pc);
    CHECK_UEQ(pc.resources, 26);
    CHECK_UEQ(pc.kept, 12);
    struct hw_nic_counters hc;
    hw_nic_counters(t->hw, &hc);
    CHECK_UEQ(hc.fifo_drops, 0);
    mpt_world_finish(&w);
}

/* The same burst with the asynchronous allocation failing, by fault injection or because
 * fragmentation 0.9 leaves no free run of 4 pages (the chunk, 8 x 1536 + 63 B, is charged 4
 * pages; initialization got by with blocks of fewer buffers): the request at 10258
 * completes with NULL at 61258; the failure keeps RESOURCES on until free buffers are back
 * above 4, which only the protocol's returns (1 ms after each SUCCESS indication) do, so
 * frames 4..37 are all RESOURCES and no second request is made. A frame at 2 ms, after the
 * four held buffers came back (8 free), is SUCCESS again. */
static void test_async_growth_fails(bool fragmented)
{
    struct mpt_cfg c;
    growth_cfg(&c);
    c.machine.fragmentation = fragmented ? 0.9 : 0.0;
    struct mpt_world w;
    mpt_world_build(&w, &c);
    struct dms_error err;
    struct nd_fault f = {.kind = ND_ALLOC_SHARED_MEMORY_ASYNC, .adapter = -1, .probability = 1};
    if (!fragmented)
        CHECK_EQ(nd_machine_add_fault(w.m, &f, &err), 0);
    mpt_world_init(&w);
    struct nd_system_counters sys;
    nd_machine_counters(w.m, &sys);
    if (fragmented) /* under 4 pages: a chunk of 4 pages cannot be had */
        CHECK_LT(sys.largest_free_run_bytes, 4 * 4096);
    struct mpt_nic *t = &w.nic[0];
    mpt_frames_at(t, 0, 38, 226);
    mpt_frames_at(t, 2 * DMS_NS_PER_MS, 1, 226);

    DMASIM_DRIVER_STATISTICS s;
    eng_run_until(w.sim, 61258);
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxAsyncRequested, 1);
    CHECK_UEQ(s.RxAsyncFailed, 1);
    CHECK_UEQ(s.RxBuffersTotal, 8);
    eng_run_until(w.sim, 3 * DMS_NS_PER_MS);
    CHECK_UEQ(t->n_rx, 39);
    for (size_t i = 0; i < 39; i++) {
        bool resources = i >= 4 && i <= 37;
        CHECK_UEQ(t->rx[i].status, resources ? NDIS_STATUS_RESOURCES : NDIS_STATUS_SUCCESS);
    }
    CHECK_EQ(t->rx[38].t_ns, 2 * DMS_NS_PER_MS + 2258);
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxIndicated, 39);
    CHECK_UEQ(s.RxIndicatedResources, 34);
    CHECK_UEQ(s.RxAsyncRequested, 1);
    CHECK_UEQ(s.RxAsyncSucceeded, 0);
    CHECK_UEQ(s.RxAsyncFailed, 1);
    CHECK_UEQ(s.RxBuffersTotal, 8);             /* no growth */
    struct nd_adapter_counters ac;
    nd_adapter_counters(t->ad, &ac);
    CHECK_UEQ(ac.async_requested, 1);
    CHECK_UEQ(ac.async_failed, 1);
    CHECK_UEQ(ac.async_succeeded, 0);
    CHECK_UEQ(nd_machine_faults_injected(w.m), fragmented ? 0 : 1);
    mpt_world_finish(&w); /* nothing leaked */
}

/* Growth with too few descriptors: PacketPoolSize 12 leaves 4 packet descriptors for the
 * chunk of 8, so 4 buffers are carved, the rest of the chunk stays unused until halt and
 * growth stops. The chunk lands at 61258 as above; then 8 buffers are free and frames
 * 30..33 leave 7..4 (SUCCESS), frames 34..37 leave 3 (RESOURCES), with no new request. */
static void test_async_growth_partial(void)
{
    struct mpt_cfg c;
    growth_cfg(&c);
    mpt_cfg_kw(&c, "PacketPoolSize", 12);
    struct mpt_world w;
    mpt_world_build(&w, &c);
    mpt_world_init(&w);
    struct mpt_nic *t = &w.nic[0];
    mpt_frames_at(t, 0, 38, 226);
    eng_run_until(w.sim, 500 * DMS_NS_PER_US);
    DMASIM_DRIVER_STATISTICS s;
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxAsyncRequested, 1);
    CHECK_UEQ(s.RxAsyncSucceeded, 1);
    CHECK_UEQ(s.RxBuffersTotal, 12);            /* 8 + the 4 that had descriptors */
    CHECK_UEQ(s.RxIndicatedResources, 26 + 4);  /* frames 4..29 and 34..37 */
    CHECK_UEQ(t->n_rx, 38);
    for (size_t i = 30; i < 38; i++)
        CHECK_UEQ(t->rx[i].status, i < 34 ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES);
    mpt_world_finish(&w); /* the partly used chunk is freed with its full length */
}

void mpt_test_async_growth(void)
{
    test_async_growth();
    test_async_growth_fails(false);
    test_async_growth_fails(true);
    test_async_growth_partial();
}

/* ---- 6. initialization under fault injection at every allocation ----------------------- */

/* A little traffic on a running world: 4 received frames and 4 sends, each alone. */
static void little_traffic(struct mpt_world *w)
{
    struct mpt_nic *t = &w->nic[0];
    for (int i = 0; i < 4; i++) {
        mpt_frames_at(t, eng_now(w->sim) + (eng_time_ns)i * 20 * DMS_NS_PER_US, 1, 1000);
        mpt_submit_at(t, eng_now(w->sim) + (eng_time_ns)i * 20 * DMS_NS_PER_US + 10000, 1, 1,
                  1000);
    }
    eng_run_until(w->sim, eng_now(w->sim) + DMS_NS_PER_MS);
    struct hw_nic_counters hc;
    hw_nic_counters(t->hw, &hc);
    CHECK_UEQ(hc.rx_frames, 4);
    struct host_protocol_counters pc;
    host_protocol_counters(host_nic_protocol(t->host), &pc);
    CHECK_UEQ(pc.indicated, 4);
    /* The fault may still be armed (its n is past initialization): under scatter-gather it
     * can refuse one packet's list, which fails that send; no send is left waiting. */
    struct host_sender_counters sc;
    host_sender_counters(host_nic_sender(t->host), &sc);
    CHECK_UEQ(sc.completed + sc.failed, 4);
    CHECK_LE(sc.failed, 1);
}

/*
 * For n = 1, 2, ...: a fresh world whose n-th allocation of any kind (counted from just
 * before MiniportInitialize) fails. A failed initialization must leave no diagnostic at all
 * (the verifier reports leaks after a failed initialize). Some failures the driver absorbs:
 * a shared-memory block for copy or receive buffers is retried with half the buffers, so
 * initialization succeeds with the fault injected; those worlds must run and halt clean
 * too. The sweep ends at the first n beyond the initialization's allocations (success, no
 * fault injected), which then runs traffic and halts clean.
 */
static void init_fault_sweep(bool scatter_gather)
{
    struct mpt_cfg c;
    mpt_cfg_default(&c);
    mpt_cfg_kw(&c, "ScatterGatherDma", scatter_gather);
    /* equal maximum and minimum: a refused map-register request fails initialization */
    mpt_cfg_kw(&c, "BaseMapRegistersNeeded", 8);
    mpt_cfg_kw(&c, "MinimumBaseMapRegisters", 8);
    mpt_cfg_kw(&c, "ReceiveBuffers", 16);
    mpt_cfg_kw(&c, "MaxReceiveBuffers", 32);
    mpt_cfg_kw(&c, "SendBuffers", 8);
    uint64_t n, failed = 0, absorbed = 0;
    for (n = 1;; n++) {
        CHECK_LT(n, 1000);
        struct mpt_world w;
        mpt_world_build(&w, &c);
        struct dms_error err;
        struct nd_fault f = {.kind = ND_ALLOC_ANY, .adapter = -1, .nth = n};
        CHECK_EQ(nd_machine_add_fault(w.m, &f, &err), 0);
        NDIS_STATUS st = nd_adapter_initialize(w.nic[0].ad);
        uint64_t injected = nd_machine_faults_injected(w.m);
        if (st != NDIS_STATUS_SUCCESS) {
            CHECK_UEQ(injected, 1);
            CHECK(!nd_adapter_running(w.nic[0].ad));
            mpt_check_no_diags(w.m); /* no leak, no rule broken while unwinding */
            mpt_world_free(&w);
            failed++;
            continue;
        }
        CHECK_EQ(nd_machine_diag_count(w.m), 0);
        absorbed += injected;
        little_traffic(&w);
        mpt_world_finish(&w);
        if (injected == 0)
            break;
    }
    fprintf(stderr, "init faults (%s): %llu failed, %llu absorbed, clean at n = %llu\n",
            scatter_gather ? "scatter-gather" : "map registers", (unsigned long long)failed,
            (unsigned long long)absorbed, (unsigned long long)n);
    CHECK_GT(n, 20); /* the driver makes many allocations: arrays, rings, blocks, pools... */
    CHECK_GT(failed, 20);
}


/* ---- faults while running ------------------------------------------------------------ */

/*
 * After a clean initialization, every allocation of any kind fails with probability 0.3:
 * growth chunks of 3 buffers and their descriptors, scatter-gather lists from a pool of 16
 * map registers. Receives arrive in small bursts (protocol holds exponential, mean 30 us,
 * so growth is asked for) and the sender offers about six times the link rate for 1 ms.
 * Whatever the driver could not get, it must complete every send and give back everything
 * at halt, in both DMA models and both send-queue policies.
 */
static void faults_while_running(bool scatter_gather, ULONG policy)
{
    struct mpt_cfg c;
    growth_cfg(&c);
    c.machine.map_register_pool = 16;
    c.host.protocol.hold.kind = HOST_DIST_EXPONENTIAL;
    c.host.protocol.hold.mean_ns = 30000;
    mpt_cfg_kw(&c, "ScatterGatherDma", scatter_gather);
    mpt_cfg_kw(&c, "SendQueuePolicy", policy);
    mpt_cfg_kw(&c, "BaseMapRegistersNeeded", 4);
    mpt_cfg_kw(&c, "AsyncChunk", 3);
    struct mpt_world w;
    mpt_world_build(&w, &c);
    mpt_world_init(&w);
    struct dms_error err;
    struct nd_fault f = {.kind = ND_ALLOC_ANY, .adapter = -1, .probability = 0.3};
    CHECK_EQ(nd_machine_add_fault(w.m, &f, &err), 0);
    struct mpt_nic *t = &w.nic[0];
    for (uint32_t k = 0; k < 400; k++) {
        mpt_frames_at(t, k * 3000, 1 + k % 3, 64 + (k * 37) % 1400);
        mpt_submit_at(t, k * 2500, 1 + k % 4, (uint16_t)(1 + k % 3), 60 + (k * 53) % 1450);
    }
    eng_run_until(w.sim, 10 * DMS_NS_PER_MS);
    CHECK_GT(nd_machine_faults_injected(w.m), 0);
    DMASIM_DRIVER_STATISTICS s;
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxIndicated, 799);  /* frames sum(1 + k % 3) = 133 x 6 + 1 = 799, no drop */
    CHECK_GE(s.RxAsyncRequested, 1);
    struct host_sender_counters sc;
    host_sender_counters(host_nic_sender(t->host), &sc);
    CHECK_UEQ(sc.submitted, 1000);  /* sum(1 + k % 4) = 100 x 10 */
    /* Every send is finished by 10 ms (~6.5 ms of link time): none is stuck. Map registers:
     * the faults cannot touch sends, all succeed. Scatter-gather: a list refused by an
     * injected fault fails its send with RESOURCES, as a failed list build does. */
    CHECK_UEQ(sc.completed + sc.failed, 1000);
    if (!scatter_gather)
        CHECK_UEQ(sc.failed, 0);
    else
        CHECK_GT(sc.failed, 0);
    mpt_world_finish(&w); /* completed + failed == submitted after the halt */
}

void mpt_test_faults(void)
{
    init_fault_sweep(false);
    init_fault_sweep(true);
    for (int sg = 0; sg < 2; sg++)
        for (ULONG policy = 0; policy < 2; policy++)
            faults_while_running(sg, policy);
}
