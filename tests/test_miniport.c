/* SPDX-License-Identifier: MIT */
/*
 * test_miniport: whole-stack tests of the SimNIC miniport core (SimNicDriverEntry) running
 * on the emulated NDIS, the SimNIC device model, the bus and the host models.
 *
 * Each test wires a world by hand (test_miniport_world.h), as the run module does, and
 * drives it with engine events: frames arriving at the NIC, packets submitted by the
 * sender. Processors cost nothing and the bus moves 1 byte per ns unless a test says
 * otherwise, so outcomes can be worked out by hand; the computation stands next to each
 * assertion. The recorded indications and completions check the order and times of
 * events, not only totals. This file: receive drops without a FIFO, send stalls behind
 * the base map registers (both send-queue policies), the copy threshold, two NICs sharing
 * a bus. test_miniport_faults.c: asynchronous growth and fault injection.
 *
 * Invariant: every world ends halted with no verifier diagnostic (no leak, no rule broken).
 * Not here: the emulation's own rules (test_ndis*), the models alone (test_hw, test_host),
 * scenario files (the e2e tests).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "dms.h"
#include "stats.h"
#include "test_miniport_world.h"

/* ---- 1. no FIFO, N buffers held: the (N+1)-th frame is the only drop --------------------- */

static void test_rx_exact_drop(void)
{
    enum { N = 8 };
    struct mpt_cfg c;
    mpt_cfg_default(&c);
    c.nic.fifo_bytes = 0;
    c.host.protocol.hold.kind = HOST_DIST_CONSTANT;
    c.host.protocol.hold.mean_ns = 1e6; /* 1 ms, far longer than the burst (74 us) */
    c.host.protocol.servers = HOST_SERVERS_INFINITE;
    mpt_cfg_kw(&c, "ReceiveBuffers", N);
    mpt_cfg_kw(&c, "MaxReceiveBuffers", N);
    mpt_cfg_kw(&c, "ScaleWithProcessors", 0);
    mpt_cfg_kw(&c, "LowWater", 0);
    struct mpt_world w;
    mpt_world_build(&w, &c);
    mpt_world_init(&w);
    struct mpt_nic *t = &w.nic[0];

    /* N + 1 frames of 1000 B back to back at t = 0: frame i's last bit at 8192 (i + 1) ns
     * ((1000 + 24) x 8 ns at 1 Gbit/s). The ring holds N posted buffers (RxRingSize 0 ->
     * N + 1 slots). Each frame streams into the next one (DMA 1000 + 32 ns < 8192 ns) and is
     * indicated with SUCCESS and held for 1 ms, so nothing is reposted: frame N + 1 finds
     * no free descriptor at 73728 ns and, with no FIFO, is dropped. */
    mpt_frames_at(t, 0, N + 1, 1000);
    eng_run_until(w.sim, 500 * DMS_NS_PER_US);
    struct hw_nic_counters hc;
    hw_nic_counters(t->hw, &hc);
    CHECK_UEQ(hc.frames_arrived, N + 1);
    CHECK_UEQ(hc.no_desc_drops, 1);                            /* exactly the (N+1)-th */
    CHECK_UEQ(hc.rx_frames, N);
    CHECK_UEQ(hw_nic_read32(t->hw, HW_NIC_RX_DROPS), 1);       /* the register agrees */
    CHECK_UEQ(mpt_query_u64(t->ad, OID_GEN_RCV_NO_BUFFER), 1);     /* and the driver's OID */
    DMASIM_DRIVER_STATISTICS s;
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxIndicated, N);
    CHECK_UEQ(s.RxIndicatedResources, 0);                      /* LowWater 0: never */
    CHECK_UEQ(s.RxBuffersInUse, N);                            /* all held */
    CHECK_UEQ(s.RxBuffersPeakInUse, N);
    CHECK_UEQ(s.RxAsyncRequested, 0);                          /* no growth */
    CHECK_UEQ(t->n_rx, N);
    for (size_t i = 0; i < N; i++) {
        CHECK_UEQ(t->rx[i].status, NDIS_STATUS_SUCCESS);
        /* last bit 8192 (i + 1), then 1000 ns of data and 32 ns of write-back */
        CHECK_EQ(t->rx[i].t_ns, 8192 * (eng_time_ns)(i + 1) + 1032);
    }

    /* The buffers come back 1 ms after their indication; a frame at 2 ms is received. */
    mpt_frames_at(t, 2 * DMS_NS_PER_MS, 1, 1000);
    eng_run_until(w.sim, 3 * DMS_NS_PER_MS);
    hw_nic_counters(t->hw, &hc);
    CHECK_UEQ(hc.rx_frames, N + 1);
    CHECK_UEQ(hc.no_desc_drops, 1);
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxBuffersInUse, 1);
    mpt_world_finish(&w);
}

/* ---- 1b. receive ownership of a serialized driver ------------------------------------------ */

/* SendQueuePolicy 1 makes the driver serialized. The protocol keeps every other SUCCESS
 * packet for 1 ms: the ones it does not keep are the driver's again when the indication
 * returns (reposted at once, no MiniportReturnPacket); the kept ones show PENDING and come
 * back through MiniportReturnPacket, and nothing leaks. With a deserialized driver every
 * SUCCESS packet comes back through MiniportReturnPacket. */
static void test_rx_ownership(ULONG policy)
{
    enum { N = 16, FRAMES = 12 };
    struct mpt_cfg c;
    mpt_cfg_default(&c);
    c.host.protocol.hold.kind = HOST_DIST_CONSTANT;
    c.host.protocol.hold.mean_ns = 1e6;
    c.host.protocol.servers = HOST_SERVERS_INFINITE;
    c.host.protocol.keep_share = 0.5;
    mpt_cfg_kw(&c, "SendQueuePolicy", policy);
    mpt_cfg_kw(&c, "ReceiveBuffers", N);
    mpt_cfg_kw(&c, "MaxReceiveBuffers", N);
    mpt_cfg_kw(&c, "ScaleWithProcessors", 0);
    mpt_cfg_kw(&c, "LowWater", 0);
    struct mpt_world w;
    mpt_world_build(&w, &c);
    mpt_world_init(&w);
    struct mpt_nic *t = &w.nic[0];
    mpt_frames_at(t, 0, FRAMES, 1000);
    eng_run_until(w.sim, 500 * DMS_NS_PER_US);
    DMASIM_DRIVER_STATISTICS s;
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxIndicated, FRAMES);
    CHECK_UEQ(s.RxBuffersInUse, FRAMES / 2); /* only the kept half is out */
    struct host_protocol_counters pc;
    host_protocol_counters(host_nic_protocol(t->host), &pc);
    CHECK_UEQ(pc.kept, FRAMES / 2);
    CHECK_UEQ(pc.copied, FRAMES / 2);
    struct nd_adapter_counters ac;
    nd_adapter_counters(t->ad, &ac);
    CHECK_UEQ(ac.returned, policy ? 0 : FRAMES / 2); /* serialized: no MiniportReturnPacket */
    eng_run_until(w.sim, 3 * DMS_NS_PER_MS);
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.RxBuffersInUse, 0);
    nd_adapter_counters(t->ad, &ac);
    CHECK_UEQ(ac.returned, policy ? FRAMES / 2 : FRAMES);
    mpt_world_finish(&w);
}

/* ---- 1c. receive buffers follow ReceiveFrameSize, not MaximumBufferSize ----------------- */

static ULONG query_ulong(nd_adapter *a, NDIS_OID oid)
{
    ULONG v = 0, written = 0;
    CHECK_UEQ(nd_adapter_query(a, oid, &v, sizeof v, &written), NDIS_STATUS_SUCCESS);
    CHECK_UEQ(written, sizeof v);
    return v;
}

/* A 64 KiB MaximumBufferSize (send mappings) with the default ReceiveFrameSize of 1514: 64
 * receive buffers of 1536 bytes (1514 rounded up to the 64-byte cache line), not 64 KiB
 * each; the lookahead follows the receive frame; a ReceiveFrameSize of 9018 gives 9024. */
static void test_rx_frame_size(void)
{
    static const struct {
        ULONG frame, block;
    } cases[] = {{0, 1536}, {9018, 9024}};
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct mpt_cfg c;
        mpt_cfg_default(&c);
        mpt_cfg_kw(&c, "MaximumBufferSize", 65536);
        mpt_cfg_kw(&c, "BaseMapRegistersNeeded", 3);
        mpt_cfg_kw(&c, "ScaleWithProcessors", 0);
        if (cases[i].frame)
            mpt_cfg_kw(&c, "ReceiveFrameSize", cases[i].frame);
        struct mpt_world w;
        mpt_world_build(&w, &c);
        mpt_world_init(&w);
        nd_adapter *a = w.nic[0].ad;
        CHECK_UEQ(query_ulong(a, OID_GEN_RECEIVE_BLOCK_SIZE), cases[i].block);
        CHECK_UEQ(query_ulong(a, OID_GEN_RECEIVE_BUFFER_SPACE), 64 * cases[i].block);
        CHECK_UEQ(query_ulong(a, OID_GEN_MAXIMUM_LOOKAHEAD),
                  (cases[i].frame ? cases[i].frame : 1514) - 14);
        CHECK_UEQ(query_ulong(a, OID_GEN_MAXIMUM_TOTAL_SIZE), 65536); /* sends: unchanged */
        mpt_world_finish(&w);
    }
}

/* ---- 1d. MapRegisterPolicy: pre-capped request, or NDIS refusing each step ---------------- */

/* BaseMapRegistersNeeded 40 of 1514 bytes (2 map registers each, 80 > 64). Policy 0 asks
 * once for 32 (64 / 2); policy 1 asks for 40, 39 ... 33, each refused by NDIS with
 * NDIS_STATUS_RESOURCES, then 32. */
static void test_map_register_policy(ULONG policy)
{
    struct mpt_cfg c;
    mpt_cfg_default(&c);
    mpt_cfg_kw(&c, "BaseMapRegistersNeeded", 40);
    mpt_cfg_kw(&c, "MapRegisterPolicy", policy);
    struct mpt_world w;
    mpt_world_build(&w, &c);
    mpt_world_init(&w);
    size_t n;
    const struct nd_mapreg_request *log = nd_adapter_mapreg_log(w.nic[0].ad, &n);
    CHECK_EQ(n, policy ? 9 : 1);
    for (size_t k = 0; k < n; k++) {
        CHECK_UEQ(log[k].base, (policy ? 40 : 32) - k);
        CHECK_UEQ(log[k].map_registers, 2 * log[k].base);
        CHECK_UEQ(log[k].status, k + 1 < n ? NDIS_STATUS_RESOURCES : NDIS_STATUS_SUCCESS);
    }
    struct nd_system_counters s;
    nd_machine_counters(w.m, &s);
    CHECK_UEQ(s.map_registers.failures, policy ? 8 : 0);
    CHECK_UEQ(s.map_registers_over_limit, policy ? 8 : 0);
    struct nd_adapter_counters ac;
    nd_adapter_counters(w.nic[0].ad, &ac);
    CHECK_EQ(ac.base_map_registers, 32);
    CHECK_EQ(ac.map_register_failures, policy ? 8 : 0);
    mpt_world_finish(&w);
}

/* ---- 2. a send burst larger than the base map registers --------------------------------- */

static void test_send_stall_exact(ULONG policy)
{
    struct mpt_cfg c;
    mpt_cfg_default(&c);
    c.bus.overhead_ns = 12; /* makes the first frame's DMA a round 1500 ns, see below */
    mpt_cfg_kw(&c, "SendQueuePolicy", policy);
    mpt_cfg_kw(&c, "BaseMapRegistersNeeded", 4);
    mpt_cfg_kw(&c, "MinimumBaseMapRegisters", 4);
    mpt_cfg_kw(&c, "CopyThreshold", 0);
    struct mpt_world w;
    mpt_world_build(&w, &c);
    mpt_world_init(&w);
    struct mpt_nic *t = &w.nic[0];
    struct nd_adapter_counters ac;
    nd_adapter_counters(t->ad, &ac);
    CHECK_UEQ(ac.base_map_registers, 4);

    /* Six 1476-byte packets at t = 0, each a 54-byte header buffer and one 1422-byte
     * payload buffer: two base registers each, so packets 1 and 2 go at once (stall 0) and
     * 3..6 wait in the driver's queue.
     * Packet 1's DMA: header 12 + 54 ns, payload 12 + 1422 ns (its buffer does not cross a
     * page) = 1500 ns; its wire time is (1476 + 24) x 8 = 12000 ns, so it completes at
     * 13500. Packet 2 is fetched during packet 1's wire time (under 1.6 us even split at a
     * page) and follows on the link, and so on: packet k completes at 1500 + 12000 k.
     * Each completion's DPC (zero cost, same instant) frees two registers and hands the next
     * queued packet to the device, so packet k >= 3 is handed over, and stamped, at the
     * completion of packet k - 2: stall(k) = 1500 + 12000 (k - 2) = 13500, 25500, 37500,
     * 49500 (all multiples of 100 ns, so TimeSent's 100 ns unit loses nothing). */
    mpt_submit_at(t, 0, 6, 1, 1476);
    eng_run_until(w.sim, DMS_NS_PER_MS);
    static const eng_time_ns stall[6] = {0, 0, 13500, 25500, 37500, 49500};
    CHECK_UEQ(t->n_tx, 6);
    for (size_t k = 0; k < 6; k++) { /* completion order = submission order */
        CHECK_UEQ(t->tx[k].status, NDIS_STATUS_SUCCESS);
        CHECK_EQ(t->tx[k].sent_ns, stall[k]);
        CHECK_EQ(t->tx[k].done_ns, 1500 + 12000 * (eng_time_ns)(k + 1));
    }
    host_sender *snd = host_nic_sender(t->host);
    struct host_sender_counters sc;
    host_sender_counters(snd, &sc);
    CHECK_UEQ(sc.completed, 6);
    CHECK_UEQ(sc.stalled, 4);          /* packets 3..6 */
    CHECK_UEQ(sc.in_flight_peak, 6);
    const stats_hist *h = host_sender_stall_hist(snd);
    CHECK_UEQ(stats_hist_count(h), 6);
    CHECK_EQ(stats_hist_min(h), 0);
    CHECK_EQ(stats_hist_max(h), 49500);
    CHECK_NEAR(stats_hist_mean(h), (13500 + 25500 + 37500 + 49500) / 6.0, 1e-9); /* 21000 */
    /* p50: rank ceil(0.5 x 6) = 3, the value 13500 (bucket midpoint within 1/256) */
    CHECK_NEAR(stats_hist_quantile(h, 0.5), 13500, 13500 / 256.0);
    CHECK_NEAR(stats_hist_quantile(h, 0.8), 37500, 37500 / 256.0); /* rank ceil(4.8) = 5 */
    /* every bucket holds exactly the expected stalls that fall in its range */
    size_t pos = 0;
    int64_t lo, hi;
    uint64_t cnt, seen = 0;
    while (stats_hist_next_bucket(h, &pos, &lo, &hi, &cnt)) {
        uint64_t want = 0;
        for (size_t k = 0; k < 6; k++)
            want += stall[k] >= lo && stall[k] <= hi;
        CHECK_UEQ(cnt, want);
        seen += cnt;
    }
    CHECK_UEQ(seen, 6);

    DMASIM_DRIVER_STATISTICS s;
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.TxPackets, 6);
    CHECK_UEQ(s.TxMapped, 6);
    CHECK_UEQ(s.TxCopied, 0);
    CHECK_UEQ(s.TxMappedBuffers, 12);  /* 2 buffers x 6 */
    CHECK_UEQ(s.TxQueued, policy == 0 ? 4 : 0);
    CHECK_UEQ(s.TxQueuePeak, policy == 0 ? 4 : 0);
    CHECK_UEQ(s.TxBaseRegistersPeak, 4);
    CHECK_UEQ(s.TxCompleted, 6);
    nd_adapter_counters(t->ad, &ac);
    /* Policy 1 gives refused packets back to NDIS: packet 3 at t = 0 (NDIS then holds 4..6
     * back), and at the completions at 13500, 25500 and 37500 the resubmitted array is
     * accepted for its first packet and refused for the 3, 2 and 1 behind it. */
    CHECK_UEQ(s.TxResourcesReturned, policy == 0 ? 0 : 1 + 3 + 2 + 1);
    CHECK_UEQ(ac.send_resources, policy == 0 ? 0 : 7);
    CHECK_UEQ(ac.sends, policy == 0 ? 6 : 6 + 7);
    CHECK_UEQ(ac.mappings, 12);
    CHECK_UEQ(ac.base_mapped.peak, 4);
    CHECK_UEQ(ac.base_mapped.in_use, 0);
    struct hw_nic_counters hc;
    hw_nic_counters(t->hw, &hc);
    CHECK_UEQ(hc.tx_frames, 6);
    CHECK_UEQ(hc.tx_bytes, 6 * 1476);
    mpt_world_finish(&w);
}

/* ---- 3. the copy threshold -------------------------------------------------------------- */

static void test_copy_threshold(void)
{
    struct mpt_cfg c;
    mpt_cfg_default(&c);
    mpt_cfg_kw(&c, "CopyThreshold", 256);
    mpt_cfg_kw(&c, "SendBuffers", 1);
    struct mpt_world w;
    mpt_world_build(&w, &c);
    mpt_world_init(&w);
    struct mpt_nic *t = &w.nic[0];

    /* Five rounds of six packets, one every 20 us (each is done in under 14 us, so the one
     * copy buffer is always free again):
     *   60 B, 128 B, 256 B (<= 256): copied, one descriptor each, no mapping;
     *   257 B, 1 fragment: mapped, header + payload = 2 mapping calls;
     *   600 B, 3 fragments: mapped, header + 3 = 4 mapping calls;
     *   1514 B, 2 fragments: mapped, header + 2 = 3 mapping calls. */
    static const uint32_t len[6] = {60, 128, 256, 257, 600, 1514};
    static const uint16_t frags[6] = {1, 1, 1, 1, 3, 2};
    eng_time_ns when = 0;
    for (int r = 0; r < 5; r++)
        for (int i = 0; i < 6; i++, when += 20 * DMS_NS_PER_US)
            mpt_submit_at(t, when, 1, frags[i], len[i]);
    /* Then two 100-byte packets at the same instant: the first takes the only copy buffer,
     * the second, though under the threshold, finds none free and is mapped (2 calls). */
    mpt_submit_at(t, when, 2, 1, 100);
    eng_run_until(w.sim, when + DMS_NS_PER_MS);

    DMASIM_DRIVER_STATISTICS s;
    mpt_drv_stats(t->ad, &s);
    CHECK_UEQ(s.TxPackets, 32);
    CHECK_UEQ(s.TxCopied, 5 * 3 + 1);          /* 16 */
    CHECK_UEQ(s.TxMapped, 5 * 3 + 1);          /* 16 */
    CHECK_UEQ(s.TxMappedBuffers, 5 * 9 + 2);   /* 47 */
    CHECK_UEQ(s.TxQueued, 0);
    CHECK_UEQ(s.TxCompleted, 32);
    struct nd_adapter_counters ac;
    nd_adapter_counters(t->ad, &ac);
    CHECK_UEQ(ac.mappings, 47);                /* NDIS saw the same mapping calls */
    CHECK_UEQ(ac.sends, 32);
    CHECK_UEQ(ac.send_completes, 32);
    struct hw_nic_counters hc;
    hw_nic_counters(t->hw, &hc);
    CHECK_UEQ(hc.tx_frames, 32);
    CHECK_UEQ(hc.tx_bytes, 5 * (60 + 128 + 256 + 257 + 600 + 1514) + 200); /* 14275 */
    struct host_sender_counters sc;
    host_sender_counters(host_nic_sender(t->host), &sc);
    CHECK_UEQ(sc.completed, 32);
    CHECK_UEQ(sc.failed, 0);
    mpt_world_finish(&w);
}

/* ---- 5. two NICs sharing one bus --------------------------------------------------------- */

/*
 * Full-size frames (1514 B) offered at 10 Gbit/s, one every ceil(1538 x 0.8) = 1231 ns, to
 * NICs on a 133 MB/s bus: each frame costs the bus ceil(1514 / 0.133) + ceil(32 / 0.133) =
 * 11384 + 241 = 11625 ns, so the bus, not the link, is the bottleneck (the FIFO fills and
 * drops the rest). Alone, a NIC receives 10 ms / 11625 ns = 860 frames in a 10 ms window;
 * two NICs on the same bus share it and get about 430 each.
 */
static uint64_t bus_share_rx(unsigned nics)
{
    struct mpt_cfg c;
    mpt_cfg_default(&c);
    c.n_nics = nics;
    c.bus.bandwidth_bytes_per_s = 133000000;
    c.nic.link_bps = UINT64_C(10000000000);
    mpt_cfg_kw(&c, "BaseMapRegistersNeeded", 8); /* two NICs fit the 64-register pool */
    struct mpt_world w;
    mpt_world_build(&w, &c);
    mpt_world_init(&w);
    struct mpt_stream st[MPT_MAX_NICS];
    for (unsigned i = 0; i < nics; i++) {
        st[i] = (struct mpt_stream){w.nic[i].hw, 1514, 1231, 12 * DMS_NS_PER_MS};
        eng_at(w.sim, 0, mpt_ev_stream, &st[i], 0);
    }
    uint64_t before[MPT_MAX_NICS], total = 0;
    struct hw_nic_counters hc;
    eng_run_until(w.sim, DMS_NS_PER_MS); /* warm-up: the FIFOs fill */
    for (unsigned i = 0; i < nics; i++) {
        hw_nic_counters(w.nic[i].hw, &hc);
        before[i] = hc.rx_frames;
    }
    eng_run_until(w.sim, 11 * DMS_NS_PER_MS);
    for (unsigned i = 0; i < nics; i++) {
        hw_nic_counters(w.nic[i].hw, &hc);
        uint64_t got = hc.rx_frames - before[i];
        CHECK_GT(hc.fifo_drops, 0); /* saturated: the offered load exceeds the bus */
        total += got;
        if (nics == 2) /* 10e6 / (2 x 11625) = 430.1 each, within 3 % */
            CHECK_NEAR((double)got, 10e6 / (2 * 11625.0), 0.03 * 430.1);
    }
    CHECK_EQ(nd_machine_diag_count(w.m), 0);
    mpt_world_finish(&w);
    return total;
}

static void test_bus_sharing(void)
{
    uint64_t alone = bus_share_rx(1);
    CHECK_NEAR((double)alone, 10e6 / 11625.0, 0.01 * 860.2); /* 860 */
    uint64_t both = bus_share_rx(2);
    fprintf(stderr, "bus sharing: %llu frames alone, %llu for two NICs in 10 ms\n",
            (unsigned long long)alone, (unsigned long long)both);
    /* the bus serves the same number of frames in all, split in two halves */
    CHECK_NEAR((double)both, (double)alone, 0.02 * (double)alone);
}

int main(void)
{
    test_rx_exact_drop();
    test_rx_ownership(0);
    test_rx_ownership(1);
    test_rx_frame_size();
    test_map_register_policy(0);
    test_map_register_policy(1);
    test_send_stall_exact(0);
    test_send_stall_exact(1);
    test_copy_threshold();
    mpt_test_async_growth();
    test_bus_sharing();
    mpt_test_faults();
    printf("test_miniport: all passed\n");
    return 0;
}
