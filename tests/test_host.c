/* SPDX-License-Identifier: MIT */
/*
 * test_host: unit tests of the host module (processors, protocols, senders).
 *
 * Processor scheduling is checked with DPC stubs that report fixed work, against busy
 * times worked out by hand in the comments. The protocol is fed hand-made packets (an
 * NDIS_PACKET followed by its OOB block) and returns them through a hook that records the
 * times, so hold times, worker queueing and the receive latency are checked exactly. The
 * sender and the whole host_nic run against the real emulated NDIS with a small miniport
 * written here, which records the chains it is handed and completes them on command.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "testmp.h"
#include "dms.h"
#include "eng.h"
#include "host.h"
#include "nd.h"
#include "ndis.h"
#include "stats.h"

/* ---- distributions --------------------------------------------------------------------- */

static double sample_mean(host_dist *d, gsl_rng *r, int n, double *sd)
{
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double x = (double)host_dist_draw(d, r);
        s += x;
        s2 += x * x;
    }
    double m = s / n;
    *sd = sqrt(s2 / n - m * m);
    return m;
}

static void test_dist_constant_exponential(void)
{
    struct dms_error err;
    host_dist *d;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    struct host_dist_params p = {.kind = HOST_DIST_CONSTANT, .mean_ns = 1234.4};
    CHECK_EQ(host_dist_new(&d, &p, &err), 0);
    CHECK_EQ(host_dist_draw(d, r), 1234);
    /* A constant draw consumes nothing: the next value is still the seed's first. */
    gsl_rng_set(r, 7);
    unsigned long first = gsl_rng_get(r);
    gsl_rng_set(r, 7);
    host_dist_draw(d, r);
    CHECK_UEQ(gsl_rng_get(r), first);
    host_dist_free(d);

    /* Exponential, mean 10 us: 200000 draws, sample mean within 4 standard errors
     * (sd = mean, so the standard error is 10000 / sqrt(2e5) = 22.4 ns). */
    p = (struct host_dist_params){.kind = HOST_DIST_EXPONENTIAL, .mean_ns = 10000};
    CHECK_EQ(host_dist_new(&d, &p, &err), 0);
    double sd, m = sample_mean(d, r, 200000, &sd);
    CHECK_NEAR(m, 10000, 4 * 22.4);
    CHECK_NEAR(sd, 10000, 200);
    CHECK_NEAR(host_dist_mean_ns(d), 10000, 0);
    host_dist_free(d);
    gsl_rng_free(r);
}

static void test_dist_lognormal_empirical(void)
{
    struct dms_error err;
    host_dist *d;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    /* Lognormal by mean 50 us and cv 0.5: sample mean and sd close to 50000 and 25000. */
    struct host_dist_params p = {.kind = HOST_DIST_LOGNORMAL, .mean_ns = 50000, .cv = 0.5};
    CHECK_EQ(host_dist_new(&d, &p, &err), 0);
    double sd, m = sample_mean(d, r, 400000, &sd);
    CHECK_NEAR(m, 50000, 4 * 25000 / sqrt(400000.0));
    CHECK_NEAR(sd / m, 0.5, 0.01);
    host_dist_free(d);

    /* Empirical: 100 w.p. 1/4, 300 w.p. 3/4; mean 250. */
    static const double vals[] = {100, 300}, w[] = {1, 3};
    p = (struct host_dist_params){.kind = HOST_DIST_EMPIRICAL, .values_ns = vals,
                                  .weights = w, .n = 2};
    CHECK_EQ(host_dist_new(&d, &p, &err), 0);
    CHECK_NEAR(host_dist_mean_ns(d), 250, 1e-9);
    int n100 = 0, n = 100000;
    for (int i = 0; i < n; i++) {
        eng_time_ns x = host_dist_draw(d, r);
        CHECK(x == 100 || x == 300);
        n100 += x == 100;
    }
    CHECK_NEAR(n100 / (double)n, 0.25, 4 * sqrt(0.25 * 0.75 / n));
    host_dist_free(d);
    gsl_rng_free(r);
}

static void test_dist_errors(void)
{
    struct dms_error err;
    host_dist *d = NULL;
    static const double vals[] = {1, 2}, neg[] = {1, -1}, zero[] = {0, 0};
    const struct host_dist_params bad[] = {
        {.kind = HOST_DIST_CONSTANT, .mean_ns = -1},
        {.kind = HOST_DIST_EXPONENTIAL, .mean_ns = 0},
        {.kind = HOST_DIST_LOGNORMAL, .mean_ns = 10, .cv = 0},
        {.kind = HOST_DIST_EMPIRICAL, .n = 0},
        {.kind = HOST_DIST_EMPIRICAL, .values_ns = vals, .weights = neg, .n = 2},
        {.kind = HOST_DIST_EMPIRICAL, .values_ns = vals, .weights = zero, .n = 2},
        {.kind = (enum host_dist_kind)99, .mean_ns = 1},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(bad); i++) {
        dms_error_clear(&err);
        CHECK_EQ(host_dist_new(&d, &bad[i], &err), DMS_EINVAL);
        CHECK_EQ(err.code, DMS_EINVAL);
        CHECK(err.msg[0] != '\0');
    }
    enum host_dist_kind k;
    CHECK_EQ(host_dist_kind_parse("lognormal", &k), 0);
    CHECK_EQ(k, HOST_DIST_LOGNORMAL);
    CHECK_STR(host_dist_kind_name(HOST_DIST_EMPIRICAL), "empirical");
    CHECK_EQ(host_dist_kind_parse("normal", &k), DMS_EINVAL);
}

/* ---- processors ------------------------------------------------------------------------ */

/* A DPC stub: reports `pkts` packets indicated, logs its start, and may requeue a DPC. */
struct stub_dpc {
    eng_sim *sim;
    uint32_t pkts;
    eng_time_ns starts[8];
    int nstarts;
};

static void stub_run(void *ctx, struct nd_work *w)
{
    struct stub_dpc *s = ctx;
    CHECK_EQ(w->indicated + w->send_completed + w->returned, 0); /* zeroed by the caller */
    s->starts[s->nstarts++] = eng_now(s->sim);
    w->indicated = s->pkts;
}

static void requeue_ev(eng_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    host_dpc_queue(ctx);
}

/*
 * Costs: isr 100 + dpc 1000 + 10 per packet; A and B each indicate 5 packets, so each DPC
 * costs 1150 ns. Both are queued at t = 0 (A first) and A is queued again at t = 500 while
 * it runs.
 *   1 processor:  A [0, 1150], B [1150, 2300], A again [2300, 3450]; busy 3450.
 *   2 processors: A on cpu0 [0, 1150], B on cpu1 [0, 1150], A again on cpu0 [1150, 2300]
 *                 (NDIS runs one DPC per adapter at a time, so not before 1150).
 */
static void run_dpc_case(unsigned procs, eng_time_ns a2_start, eng_time_ns b_start,
                         eng_time_ns busy0, eng_time_ns busy1)
{
    eng_sim *sim = eng_new(1);
    struct dms_error err;
    struct host_cpu_params cp = {.processors = procs, .isr_ns = 100, .dpc_ns = 1000,
                                 .per_packet_ns = 10};
    host_cpus *c;
    CHECK_EQ(host_cpus_new(&c, sim, &cp, &err), 0);
    struct stub_dpc sa = {sim, 5, {0}, 0}, sb = {sim, 5, {0}, 0};
    host_dpc *a = host_dpc_new(c, stub_run, &sa), *b = host_dpc_new(c, stub_run, &sb);
    host_dpc_queue(a);
    host_dpc_queue(b);
    host_dpc_queue(a); /* already waiting: no effect */
    CHECK_EQ(sa.nstarts, 0); /* never inside the queueing call */
    eng_at(sim, 500, requeue_ev, a, 0);
    eng_run(sim);
    CHECK_EQ(sa.nstarts, 2);
    CHECK_EQ(sb.nstarts, 1);
    CHECK_EQ(sa.starts[0], 0);
    CHECK_EQ(sa.starts[1], a2_start);
    CHECK_EQ(sb.starts[0], b_start);
    CHECK_EQ(host_cpus_busy_ns(c, 0), busy0);
    if (procs > 1)
        CHECK_EQ(host_cpus_busy_ns(c, 1), busy1);
    CHECK_EQ(host_cpus_dpcs(c), 3);
    CHECK_EQ(host_dpc_runs(a), 2);
    /* A waited 0 and then a2_start - 500. */
    CHECK_EQ(stats_hist_count(host_dpc_wait_hist(a)), 2);
    CHECK_EQ(stats_hist_min(host_dpc_wait_hist(a)), 0);
    CHECK_EQ(stats_hist_max(host_dpc_wait_hist(a)), a2_start - 500);
    CHECK_NEAR(host_cpus_utilisation(c, 0), (double)busy0 / (double)eng_now(sim), 1e-12);
    host_cpus_free(c);
    eng_free(sim);
}

static void test_cpus(void)
{
    run_dpc_case(1, 2300, 1150, 3450, 0);
    run_dpc_case(2, 1150, 0, 2300, 1150);
}

/* Busy time is counted within the window: a reset in the middle of a DPC keeps only the
 * part after it. */
static void test_cpus_window(void)
{
    eng_sim *sim = eng_new(1);
    struct dms_error err;
    struct host_cpu_params cp = {.processors = 1, .isr_ns = 0, .dpc_ns = 1000,
                                 .per_packet_ns = 0};
    host_cpus *c;
    CHECK_EQ(host_cpus_new(&c, sim, &cp, &err), 0);
    struct stub_dpc sa = {sim, 0, {0}, 0};
    host_dpc *a = host_dpc_new(c, stub_run, &sa);
    host_dpc_queue(a);
    eng_run_until(sim, 400);
    CHECK_EQ(host_cpus_busy_ns(c, 0), 400);
    host_cpus_stats_reset(c);
    eng_run_until(sim, 1600);
    CHECK_EQ(host_cpus_busy_ns(c, 0), 600);
    CHECK_NEAR(host_cpus_utilisation(c, 0), 0.5, 1e-12);
    CHECK_EQ(host_cpus_dpcs(c), 0);
    cp.processors = 0;
    host_cpus *bad = NULL;
    CHECK_EQ(host_cpus_new(&bad, sim, &cp, &err), DMS_EINVAL);
    host_cpus_free(c);
    eng_free(sim);
}

/* ---- protocol -------------------------------------------------------------------------- */

/* A hand-made packet: the descriptor followed by its OOB block, as NDIS lays them out. */
struct fake_pkt {
    NDIS_PACKET p;
    NDIS_PACKET_OOB_DATA oob;
};

static void fake_init(struct fake_pkt *f, NDIS_STATUS st, uint64_t received_100ns)
{
    memset(f, 0, sizeof *f);
    f->p.Private.NdisPacketOobOffset = (USHORT)offsetof(struct fake_pkt, oob);
    NDIS_SET_PACKET_STATUS(&f->p, st);
    NDIS_SET_PACKET_TIME_RECEIVED(&f->p, received_100ns);
}

struct ret_log {
    eng_sim *sim;
    PNDIS_PACKET pkt[16];
    eng_time_ns t[16];
    int n;
};

static void log_return(void *ctx, nd_adapter *a, PNDIS_PACKET p)
{
    struct ret_log *l = ctx;
    (void)a;
    l->pkt[l->n] = p;
    l->t[l->n++] = eng_now(l->sim);
}

struct indication {
    host_protocol *pr;
    struct fake_pkt *f;
    bool expect_keep;
};

static void indicate_ev(eng_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct indication *in = ctx;
    CHECK_EQ(host_protocol_receive(in->pr, NULL, &in->f->p), in->expect_keep);
}

static host_protocol *make_protocol(eng_sim *sim, gsl_rng *r, enum host_servers servers,
                                    unsigned workers, double hold_ns, struct ret_log *log)
{
    struct dms_error err;
    struct host_protocol_params pp;
    host_protocol_params_default(&pp);
    pp.hold.kind = HOST_DIST_CONSTANT;
    pp.hold.mean_ns = hold_ns;
    pp.servers = servers;
    pp.workers = workers;
    host_protocol *pr;
    CHECK_EQ(host_protocol_new(&pr, sim, NULL, r, &pp, &err), 0);
    log->sim = sim;
    log->n = 0;
    host_protocol_set_return_hook(pr, log_return, log);
    return pr;
}

/*
 * Constant hold 1000 ns, infinite servers. Packets: p0 at 1000 (received at 500: latency
 * 500), p1 and p2 at 1100; p3 RESOURCES at 1100 and p4 with another status (not kept).
 * Returns: p0 at 2000, p1 and p2 at 2100 (in indication order). Held level over the
 * window [999, 2100]: 0 for 1 ns, 1 for 100 ns, 3 for 900 ns, 2 for 100 ns; mean
 * 3000 / 1101.
 */
static void test_protocol_constant(void)
{
    eng_sim *sim = eng_new(1);
    gsl_rng *r = eng_rng_stream(sim, "nic0/protocol");
    struct ret_log log;
    host_protocol *pr = make_protocol(sim, r, HOST_SERVERS_INFINITE, 0, 1000, &log);
    struct fake_pkt f[5];
    fake_init(&f[0], NDIS_STATUS_SUCCESS, 5);
    fake_init(&f[1], NDIS_STATUS_SUCCESS, 10);
    fake_init(&f[2], NDIS_STATUS_SUCCESS, 11);
    fake_init(&f[3], NDIS_STATUS_RESOURCES, 11);
    fake_init(&f[4], NDIS_STATUS_FAILURE, 11);
    struct indication in[5] = {{pr, &f[0], true}, {pr, &f[1], true}, {pr, &f[2], true},
                               {pr, &f[3], false}, {pr, &f[4], false}};
    eng_at(sim, 1000, indicate_ev, &in[0], 0);
    for (int i = 1; i < 5; i++)
        eng_at(sim, 1100, indicate_ev, &in[i], 0);
    eng_run_until(sim, 999);
    host_protocol_stats_reset(pr); /* the window starts at 999: one ns at level 0 */
    eng_run(sim);
    CHECK_EQ(log.n, 3);
    CHECK(log.pkt[0] == &f[0].p && log.pkt[1] == &f[1].p && log.pkt[2] == &f[2].p);
    CHECK_EQ(log.t[0], 2000);
    CHECK_EQ(log.t[1], 2100);
    CHECK_EQ(log.t[2], 2100);
    struct host_protocol_counters c;
    host_protocol_counters(pr, &c);
    CHECK_EQ(c.indicated, 5);
    CHECK_EQ(c.kept, 3);
    CHECK_EQ(c.resources, 1);
    CHECK_EQ(c.other, 1);
    CHECK_EQ(c.returned, 3);
    CHECK_EQ(c.held_peak, 3);
    CHECK_EQ(c.bad_timestamps, 0);
    const stats_level *held = host_protocol_held_level(pr);
    CHECK_NEAR(stats_level_mean(held, 2100), 3000.0 / 1101.0, 1e-12);
    /* Latencies: 1000 - 500, 1100 - 1000, then 1100 - 1100 three times. */
    const stats_hist *lat = host_protocol_latency_hist(pr);
    CHECK_EQ(stats_hist_count(lat), 5);
    CHECK_EQ(stats_hist_max(lat), 500);
    CHECK_EQ(stats_hist_min(lat), 0);
    CHECK_EQ(stats_hist_quantile(lat, 0.8), 100);
    CHECK_EQ(stats_hist_min(host_protocol_hold_hist(pr)), 1000);
    CHECK_EQ(stats_hist_max(host_protocol_hold_hist(pr)), 1000);
    host_protocol_free(pr);
    eng_free(sim);
}

/*
 * A burst of 4 packets at t = 0, constant hold 1000 ns.
 *   infinite servers: all four back at 1000; held mean over [0, 2000] = 4000 / 2000 = 2.
 *   2 workers:        p0, p1 at 1000, p2, p3 (waited 1000) at 2000; held mean 6000 / 2000
 *                     = 3; two waited at once at most.
 */
static void run_burst(enum host_servers servers, const eng_time_ns *want, double mean,
                      uint64_t waiting_peak)
{
    eng_sim *sim = eng_new(1);
    struct ret_log log;
    host_protocol *pr = make_protocol(sim, eng_rng_stream(sim, "p"), servers, 2, 1000, &log);
    CHECK_EQ(host_protocol_workers(pr), servers == HOST_SERVERS_PROCESSORS ? 2 : 0);
    struct fake_pkt f[4];
    struct indication in[4];
    for (int i = 0; i < 4; i++) {
        fake_init(&f[i], NDIS_STATUS_SUCCESS, 0);
        in[i] = (struct indication){pr, &f[i], true};
        eng_at(sim, 0, indicate_ev, &in[i], 0);
    }
    eng_run(sim);
    eng_run_until(sim, 2000);
    CHECK_EQ(log.n, 4);
    for (int i = 0; i < 4; i++) {
        CHECK(log.pkt[i] == &f[i].p);
        CHECK_EQ(log.t[i], want[i]);
    }
    CHECK_NEAR(stats_level_mean(host_protocol_held_level(pr), 2000), mean, 1e-12);
    struct host_protocol_counters c;
    host_protocol_counters(pr, &c);
    CHECK_EQ(c.waiting_peak, waiting_peak);
    CHECK_EQ(c.held_peak, 4);
    host_protocol_free(pr);
    eng_free(sim);
}

static void test_protocol_servers(void)
{
    static const eng_time_ns inf[4] = {1000, 1000, 1000, 1000};
    static const eng_time_ns two[4] = {1000, 1000, 2000, 2000};
    run_burst(HOST_SERVERS_INFINITE, inf, 2.0, 0);
    run_burst(HOST_SERVERS_PROCESSORS, two, 3.0, 2);
}

/*
 * The window's edges (constant hold 1000 ns, window [800, 3000]): p0 kept at 0 and p1 at 500
 * return at 1000 and 1500 (b = 2, 800 + 300 ns of their holds before the window); p2 kept
 * at 1500 returns at 2500; p3 kept at 2500 is still held at 3000 (c = 1, age 500). Held
 * level integral 200 + 700 + 1000 + 500 = 2400; kept x mean hold = 2 x 1000 = 2000; the
 * difference, 400 = (b - c) x 1000 - 1100 + 500, lies within the bound 1000 + 1100 + 500.
 */
static void test_protocol_edges(void)
{
    eng_sim *sim = eng_new(1);
    struct ret_log log;
    host_protocol *pr = make_protocol(sim, eng_rng_stream(sim, "p"), HOST_SERVERS_INFINITE, 0,
                                      1000, &log);
    struct fake_pkt f[4];
    struct indication in[4];
    static const eng_time_ns at[4] = {0, 500, 1500, 2500};
    for (int i = 0; i < 4; i++) {
        fake_init(&f[i], NDIS_STATUS_SUCCESS, 0);
        in[i] = (struct indication){pr, &f[i], true};
        eng_at(sim, at[i], indicate_ev, &in[i], 0);
    }
    eng_run_until(sim, 800);
    host_protocol_stats_reset(pr);
    eng_run_until(sim, 3000);
    struct host_protocol_edges e;
    host_protocol_edges(pr, 3000, &e);
    CHECK_EQ(e.b, 2);
    CHECK_EQ(e.c, 1);
    CHECK_EQ(e.d, 0);
    CHECK_NEAR(e.pre_ns, 1100, 0);
    CHECK_NEAR(e.age_ns, 500, 0);
    CHECK_NEAR(e.window_ns, 2200, 0);
    double integral = stats_level_mean(host_protocol_held_level(pr), 3000) * 2200;
    CHECK_NEAR(integral, 2400, 1e-9);
    struct host_protocol_counters c;
    host_protocol_counters(pr, &c);
    double w = stats_hist_mean(host_protocol_hold_hist(pr));
    double diff = integral - (double)c.kept * w;
    CHECK_NEAR(diff, ((double)e.b - (double)e.c) * w - e.pre_ns + e.age_ns, 1e-9);
    CHECK(fabs(diff) <= fabs((double)e.b - (double)e.c) * w + e.pre_ns + e.age_ns);
    host_protocol_free(pr);
    eng_free(sim);
}

/* keep_share 0.5: the n-th SUCCESS packet is kept when floor((n + 1) / 2) > floor(n / 2),
 * i.e. the second, fourth...; the others are copied and left to the miniport at once. */
static void test_protocol_keep_share(void)
{
    eng_sim *sim = eng_new(1);
    struct dms_error err;
    struct host_protocol_params pp;
    host_protocol_params_default(&pp);
    CHECK_NEAR(pp.keep_share, 1.0, 0);
    pp.keep_share = 0.5;
    host_protocol *pr;
    CHECK_EQ(host_protocol_new(&pr, sim, NULL, eng_rng_stream(sim, "p"), &pp, &err), 0);
    struct ret_log log = {.sim = sim};
    host_protocol_set_return_hook(pr, log_return, &log);
    struct fake_pkt f[6];
    struct indication in[6];
    for (int i = 0; i < 6; i++) {
        fake_init(&f[i], NDIS_STATUS_SUCCESS, 0);
        in[i] = (struct indication){pr, &f[i], (i & 1) != 0};
        eng_at(sim, 10 * i, indicate_ev, &in[i], 0);
    }
    eng_run(sim);
    struct host_protocol_counters c;
    host_protocol_counters(pr, &c);
    CHECK_EQ(c.kept, 3);
    CHECK_EQ(c.copied, 3);
    CHECK_EQ(log.n, 3);
    CHECK(log.pkt[0] == &f[1].p && log.pkt[2] == &f[5].p);
    host_protocol_free(pr);
    pp.keep_share = 1.5;
    CHECK_EQ(host_protocol_new(&pr, sim, NULL, eng_rng_stream(sim, "p"), &pp, &err), DMS_EINVAL);
    eng_free(sim);
}

/* return_all gives back held and waiting packets at once, in the order they were kept. */
static void test_protocol_return_all(void)
{
    eng_sim *sim = eng_new(1);
    struct ret_log log;
    host_protocol *pr = make_protocol(sim, eng_rng_stream(sim, "p"), HOST_SERVERS_PROCESSORS,
                                      1, 1000, &log);
    struct fake_pkt f[3];
    struct indication in[3];
    for (int i = 0; i < 3; i++) {
        fake_init(&f[i], NDIS_STATUS_SUCCESS, 0);
        in[i] = (struct indication){pr, &f[i], true};
        eng_at(sim, 0, indicate_ev, &in[i], 0);
    }
    eng_run_until(sim, 10);
    host_protocol_return_all(pr);
    CHECK_EQ(log.n, 3);
    for (int i = 0; i < 3; i++) {
        CHECK(log.pkt[i] == &f[i].p);
        CHECK_EQ(log.t[i], 10);
    }
    eng_run(sim); /* nothing left: the return events were cancelled */
    CHECK_EQ(log.n, 3);
    host_protocol_free(pr);
    eng_free(sim);
}

/* ---- a small miniport for the sender and the whole host_nic ----------------------------- */

#define HD_MAX_SENT 4096

/*
 * The test driver's state (a driver has no other way to reach its test). Sends: in
 * `defer` mode SendPackets only records the packets; otherwise it hands them to the
 * "device" at once (TimeSent = now) and, with `complete_now`, completes them at once.
 * The DPC stamps deferred packets (TimeSent = now), completes everything recorded, and
 * indicates `indicate` packets (the last `resources` of them with RESOURCES).
 */
static struct hdrv {
    NDIS_HANDLE wrapper, handle, ppool;
    NDIS_MINIPORT_INTERRUPT intr;
    bool defer, complete_now;
    PNDIS_PACKET sent[HD_MAX_SENT];
    int nsent;
    int ndeferred;            /* the first ndeferred of sent[] were not handed over yet */
    uint64_t high_buffers;    /* buffers seen above 4 GB */
    uint64_t high_pattern;    /* bit i: packet i (mod 64) was high, xor-folded */
    uint64_t packets_seen;
    PNDIS_PACKET rx[4];
    UINT indicate, resources;
    ULONGLONG rx_time;        /* TimeReceived stamped on indicated packets (100 ns) */
    int returned;
    eng_time_ns returned_at[4];
    eng_sim *sim;
} hd;

static NDIS_STATUS h_initialize(PNDIS_STATUS open_error, PUINT medium_index, PNDIS_MEDIUM media,
                                UINT n_media, NDIS_HANDLE handle, NDIS_HANDLE wcc)
{
    (void)open_error;
    (void)wcc;
    UINT i = 0;
    while (i < n_media && media[i] != NdisMedium802_3)
        i++;
    if (i == n_media)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    *medium_index = i;
    hd.handle = handle;
    NdisMSetAttributesEx(handle, &hd, 0, NDIS_ATTRIBUTE_DESERIALIZE, NdisInterfacePci);
    NDIS_STATUS st;
    NdisAllocatePacketPool(&st, &hd.ppool, 4, 16);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    for (int k = 0; k < 4; k++)
        NdisAllocatePacket(&st, &hd.rx[k], hd.ppool);
    return NdisMRegisterInterrupt(&hd.intr, handle, 16, 5, TRUE, FALSE,
                                  NdisInterruptLevelSensitive);
}

static VOID h_halt(NDIS_HANDLE ctx)
{
    (void)ctx;
    for (int k = 0; k < hd.nsent; k++) /* a deserialized miniport gives back what it holds */
        NdisMSendComplete(hd.handle, hd.sent[k], NDIS_STATUS_FAILURE);
    hd.nsent = hd.ndeferred = 0;
    NdisMDeregisterInterrupt(&hd.intr);
    for (int k = 0; k < 4; k++)
        NdisFreePacket(hd.rx[k]);
    NdisFreePacketPool(hd.ppool);
}

static VOID h_isr(PBOOLEAN recognized, PBOOLEAN queue, NDIS_HANDLE ctx)
{
    (void)ctx;
    *recognized = TRUE;
    *queue = TRUE;
}

static ULONGLONG now_100ns(void)
{
    LARGE_INTEGER t;
    NdisGetCurrentSystemTime(&t);
    return (ULONGLONG)t.QuadPart;
}

static VOID h_handle_interrupt(NDIS_HANDLE ctx)
{
    (void)ctx;
    for (int k = 0; k < hd.ndeferred; k++)
        NDIS_OOB_DATA_FROM_PACKET(hd.sent[k])->TimeSent = now_100ns();
    hd.ndeferred = 0;
    for (int k = 0; k < hd.nsent; k++)
        NdisMSendComplete(hd.handle, hd.sent[k], NDIS_STATUS_SUCCESS);
    hd.nsent = 0;
    for (UINT k = 0; k < hd.indicate; k++) {
        NDIS_SET_PACKET_STATUS(hd.rx[k], k + hd.resources >= hd.indicate ? NDIS_STATUS_RESOURCES
                                                                         : NDIS_STATUS_SUCCESS);
        NDIS_SET_PACKET_TIME_RECEIVED(hd.rx[k], hd.rx_time);
    }
    if (hd.indicate)
        NdisMIndicateReceivePacket(hd.handle, hd.rx, hd.indicate);
    hd.indicate = 0;
}

/* Notes where the packet's buffers are, for the high-memory checks. */
static void note_placement(PNDIS_PACKET p)
{
    PNDIS_BUFFER b;
    NdisQueryPacket(p, NULL, NULL, &b, NULL);
    bool high = b && b->PhysicalAddress >= ND_4GB;
    for (; b; b = b->Next) {
        CHECK_EQ(b->PhysicalAddress >= ND_4GB, high); /* all of a packet's buffers together */
        hd.high_buffers += high;
    }
    hd.high_pattern ^= (uint64_t)high << (hd.packets_seen++ % 64);
}

static VOID h_send_packets(NDIS_HANDLE ctx, PPNDIS_PACKET packets, UINT n)
{
    (void)ctx;
    for (UINT i = 0; i < n; i++) {
        note_placement(packets[i]);
        if (hd.complete_now) {
            NDIS_OOB_DATA_FROM_PACKET(packets[i])->TimeSent = now_100ns();
            NdisMSendComplete(hd.handle, packets[i], NDIS_STATUS_SUCCESS);
            continue;
        }
        CHECK_LT(hd.nsent, HD_MAX_SENT);
        if (hd.defer) {
            CHECK_EQ(hd.ndeferred, hd.nsent); /* deferred ones stay in front */
            hd.ndeferred++;
        } else {
            NDIS_OOB_DATA_FROM_PACKET(packets[i])->TimeSent = now_100ns();
        }
        hd.sent[hd.nsent++] = packets[i];
    }
}

static VOID h_return_packet(NDIS_HANDLE ctx, PNDIS_PACKET p)
{
    (void)ctx;
    (void)p;
    hd.returned_at[hd.returned++ % 4] = eng_now(hd.sim);
}

static NTSTATUS h_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry)
{
    NDIS_MINIPORT_CHARACTERISTICS ch = {
        .InitializeHandler = h_initialize,
        .HaltHandler = h_halt,
        .ISRHandler = h_isr,
        .HandleInterruptHandler = h_handle_interrupt,
        .SendPacketsHandler = h_send_packets,
        .ReturnPacketHandler = h_return_packet,
    };
    return testmp_register(&hd.wrapper, driver, registry, &ch);
}

/* A machine (PAE with 8 GiB if pae), 1 processor for DPCs, one adapter of the test driver
 * bound to a host_nic. */
struct henv {
    eng_sim *sim;
    nd_machine *m;
    host_cpus *cpus;
    host_nic *hn;
    nd_adapter *a;
};

static void henv_open(struct henv *e, uint64_t seed, bool pae, const struct host_nic_params *hp)
{
    struct dms_error err;
    memset(e, 0, sizeof *e);
    memset(&hd, 0, sizeof hd);
    e->sim = eng_new(seed);
    hd.sim = e->sim;
    struct nd_machine_params mp;
    nd_machine_params_default(&mp);
    if (pae) {
        mp.pae = true;
        mp.memory_bytes = 8 * ND_GIB;
    }
    CHECK_EQ(nd_machine_new(&e->m, &mp, e->sim, &err), 0);
    struct host_cpu_params cp = {.processors = 1, .isr_ns = 100, .dpc_ns = 1000,
                                 .per_packet_ns = 10};
    CHECK_EQ(host_cpus_new(&e->cpus, e->sim, &cp, &err), 0);
    CHECK_EQ(host_nic_new(&e->hn, e->sim, e->m, e->cpus, eng_rng_stream(e->sim, "nic0/protocol"),
                          eng_rng_stream(e->sim, "nic0/sender"), hp, &err), 0);
    NDIS_STATUS st;
    nd_driver *d = nd_driver_load(e->m, h_driver_entry, "hosttest", &st);
    CHECK(d != NULL);
    struct nd_adapter_params ap = {.name = "nic0", .bar_physical = UINT64_C(0xFE000000),
                                   .bar_length = 256, .interrupt_vector = 16,
                                   .interrupt_level = 5, .host_ops = host_nic_ops(),
                                   .host = e->hn};
    e->a = nd_adapter_new(e->m, d, &ap);
    host_nic_bind(e->hn, e->a);
    CHECK_EQ(nd_adapter_initialize(e->a), NDIS_STATUS_SUCCESS);
}

static void henv_close(struct henv *e)
{
    host_protocol_return_all(host_nic_protocol(e->hn));
    nd_adapter_halt(e->a);
    for (size_t i = 0; i < nd_machine_diag_count(e->m); i++)
        fprintf(stderr, "diag: %s\n", nd_machine_diag(e->m, i)->msg);
    CHECK_EQ(nd_machine_diag_count(e->m), 0);
    host_nic_free(e->hn);
    host_cpus_free(e->cpus);
    nd_machine_free(e->m);
    eng_free(e->sim);
}

/* Checks a packet's chain: buffer lengths, and each buffer's placement by the documented
 * rule (the n-th buffer of the sender at page offset n * 1096 mod 4096, on the next pages
 * of the low window). *nbuf and *page follow the rule across packets. */
static void check_chain(nd_machine *m, PNDIS_PACKET p, const uint32_t *lens, UINT n,
                        uint64_t *nbuf, uint64_t *page)
{
    UINT phys, count, total, want_total = 0;
    PNDIS_BUFFER b;
    NdisQueryPacket(p, &phys, &count, &b, &total);
    CHECK_EQ(count, n);
    for (UINT i = 0; i < n; i++, b = b->Next) {
        CHECK(b != NULL);
        CHECK_EQ(b->ByteCount, lens[i]);
        uint64_t off = (*nbuf)++ * 1096 % 4096;
        uint64_t span = (off + lens[i] + 4095) / 4096;
        CHECK_EQ(b->PhysicalAddress, nd_host_physical(m, false, *page) + off);
        CHECK_EQ(b->ByteOffset, off);
        CHECK_EQ(NDIS_BUFFER_TO_SPAN_PAGES(b), span);
        CHECK_EQ((uintptr_t)b->MappedSystemVa % 4096, off); /* same page offset */
        *page += span;
        want_total += lens[i];
    }
    CHECK(b == NULL);
    CHECK_EQ(total, want_total);
}

/*
 * Chains: 1514 bytes in 3 fragments = 54 + 487 + 487 + 486; 100 bytes with the default
 * (1 fragment) = 54 + 46; 40 bytes = one 40-byte header buffer; 56 bytes in 5 fragments =
 * 54 + 1 + 1 (never more fragments than payload bytes). Buffer descriptors are reused once
 * packets complete (no new descriptors in steady state: same addresses come back).
 */
static void test_sender_chain(void)
{
    struct henv e;
    struct host_nic_params hp;
    host_nic_params_default(&hp);
    henv_open(&e, 1, false, &hp);
    host_sender *s = host_nic_sender(e.hn);
    CHECK_EQ(host_sender_submit(s, 1514, 3), 0);
    CHECK_EQ(host_sender_submit(s, 100, 0), 0);
    CHECK_EQ(host_sender_submit(s, 40, 0), 0);
    CHECK_EQ(host_sender_submit(s, 56, 5), 0);
    CHECK_EQ(host_sender_submit(s, 0, 1), DMS_EINVAL);
    CHECK_EQ(host_sender_submit(s, HOST_MAX_FRAME_BYTES + 1, 1), DMS_EINVAL);
    CHECK_EQ(hd.nsent, 4);
    static const uint32_t l0[] = {54, 487, 487, 486}, l1[] = {54, 46}, l2[] = {40},
                          l3[] = {54, 1, 1};
    uint64_t nbuf = 0, page = 0;
    check_chain(e.m, hd.sent[0], l0, 4, &nbuf, &page);
    check_chain(e.m, hd.sent[1], l1, 2, &nbuf, &page);
    check_chain(e.m, hd.sent[2], l2, 1, &nbuf, &page);
    check_chain(e.m, hd.sent[3], l3, 3, &nbuf, &page);
    PNDIS_PACKET last = hd.sent[3];
    PNDIS_BUFFER old[10];
    int nold = 0;
    for (int i = 0; i < 4; i++)
        for (PNDIS_BUFFER b = hd.sent[i]->Private.Head; b; b = b->Next)
            old[nold++] = b;
    CHECK_EQ(nold, 10);
    struct host_sender_counters c;
    host_sender_counters(s, &c);
    CHECK_EQ(c.submitted, 4);
    CHECK_EQ(c.buffers, 10);
    CHECK_EQ(c.in_flight_peak, 4);
    /* Complete all four in a DPC; the next packet reuses freed descriptors. */
    nd_adapter_interrupt(e.a);
    eng_run(e.sim);
    host_sender_counters(s, &c);
    CHECK_EQ(c.completed, 4);
    CHECK_EQ(c.stalled, 0);
    CHECK_EQ(host_sender_submit(s, 1514, 3), 0);
    CHECK(hd.sent[0] == last); /* the last packet freed is the first reused */
    for (PNDIS_BUFFER b = hd.sent[0]->Private.Head; b; b = b->Next) {
        bool known = false;
        for (int i = 0; i < nold; i++)
            known |= b == old[i];
        CHECK(known);
    }
    static const uint32_t l4[] = {54, 487, 487, 486};
    check_chain(e.m, hd.sent[0], l4, 4, &nbuf, &page);
    /* Straddling, by the rule, over 200 more frames of 1514 bytes in 1 fragment. */
    host_sender_counters(s, &c);
    uint64_t before = c.straddling, straddle = 0;
    hd.complete_now = true;
    for (uint64_t k = 0; k < 200; k++) {
        straddle += (nbuf + 2 * k) * 1096 % 4096 + 54 > 4096;
        straddle += (nbuf + 2 * k + 1) * 1096 % 4096 + 1460 > 4096;
        CHECK_EQ(host_sender_submit(s, 1514, 1), 0);
    }
    host_sender_counters(s, &c);
    CHECK_GT(straddle, 50);
    CHECK_EQ(c.straddling - before, straddle);
    CHECK_EQ(c.completed, 204);
    henv_close(&e); /* the halt gives back the one packet still held (failed) */
}

static void submit_deferred_ev(eng_sim *sim, void *ctx, uint64_t n)
{
    (void)sim;
    struct henv *e = ctx;
    hd.defer = true;
    for (uint64_t i = 0; i < n; i++)
        CHECK_EQ(host_sender_submit(host_nic_sender(e->hn), 100, 0), 0);
    hd.defer = false;
}

static void interrupt_ev(eng_sim *sim, void *ctx, uint64_t indicate)
{
    (void)sim;
    struct henv *e = ctx;
    hd.indicate = (UINT)indicate;
    hd.resources = indicate ? 1 : 0;
    hd.rx_time = 40; /* 4000 ns */
    nd_adapter_interrupt(e->a);
}

/*
 * The whole host side of one adapter. At 0 three packets are submitted and kept back by
 * the driver (a send stall); at 1000 a fourth is handed over at once (TimeSent = 1000). At
 * 5000 an interrupt: the DPC starts at 5000 on the one processor, hands the three over
 * (TimeSent = 5000), completes all four, and indicates three packets received at 4000
 * (two SUCCESS, one RESOURCES). Its cost: 100 + 1000 + 10 * (3 + 4) = 1170. The protocol
 * holds the two for 2000 ns: they are back at 7000. A second interrupt at 5500 finds the
 * DPC running; its DPC starts at 6170 and costs 1100.
 *   stalls: 5000, 5000, 5000, 0; completion latencies 5000 x 3, 4000.
 *   in flight: 3 on [0, 1000), 4 on [1000, 5000): mean over [0, 5000] = 3.8.
 */
static void test_host_nic(void)
{
    struct henv e;
    struct host_nic_params hp;
    host_nic_params_default(&hp);
    hp.protocol.hold = (struct host_dist_params){.kind = HOST_DIST_CONSTANT, .mean_ns = 2000};
    henv_open(&e, 1, false, &hp);
    host_sender *s = host_nic_sender(e.hn);
    host_protocol *pr = host_nic_protocol(e.hn);
    eng_at(e.sim, 0, submit_deferred_ev, &e, 3);
    eng_run_until(e.sim, 1000);
    CHECK_EQ(host_sender_submit(s, 100, 0), 0);
    eng_at(e.sim, 5000, interrupt_ev, &e, 3);
    eng_at(e.sim, 5500, interrupt_ev, &e, 0);
    eng_run_until(e.sim, 5000);
    CHECK_NEAR(stats_level_mean(host_sender_in_flight_level(s), 5000), 3.8, 1e-12);
    eng_run(e.sim);

    struct host_sender_counters sc;
    host_sender_counters(s, &sc);
    CHECK_EQ(sc.submitted, 4);
    CHECK_EQ(sc.completed, 4);
    CHECK_EQ(sc.failed, 0);
    CHECK_EQ(sc.stalled, 3);
    const stats_hist *st = host_sender_stall_hist(s), *lat = host_sender_latency_hist(s);
    CHECK_EQ(stats_hist_count(st), 4);
    CHECK_EQ(stats_hist_min(st), 0);
    CHECK_EQ(stats_hist_max(st), 5000);
    CHECK_EQ(stats_hist_quantile(st, 0.5), 5000);
    CHECK_EQ(stats_hist_min(lat), 4000);
    CHECK_EQ(stats_hist_max(lat), 5000);

    struct host_protocol_counters pc;
    host_protocol_counters(pr, &pc);
    CHECK_EQ(pc.indicated, 3);
    CHECK_EQ(pc.kept, 2);
    CHECK_EQ(pc.resources, 1);
    CHECK_EQ(pc.returned, 2);
    CHECK_EQ(stats_hist_min(host_protocol_latency_hist(pr)), 1000);
    CHECK_EQ(stats_hist_max(host_protocol_latency_hist(pr)), 1000);
    CHECK_EQ(hd.returned, 2);
    CHECK_EQ(hd.returned_at[0], 7000);
    CHECK_EQ(hd.returned_at[1], 7000);

    CHECK_EQ(host_cpus_dpcs(e.cpus), 2);
    CHECK_EQ(host_cpus_busy_ns(e.cpus, 0), 1170 + 1100);
    const stats_hist *w = host_dpc_wait_hist(host_nic_dpc(e.hn));
    CHECK_EQ(stats_hist_min(w), 0);
    CHECK_EQ(stats_hist_max(w), 6170 - 5500);
    struct nd_adapter_counters ac;
    nd_adapter_counters(e.a, &ac);
    CHECK_EQ(ac.interrupts, 2);
    CHECK_EQ(ac.dpcs, 2);
    CHECK_EQ(ac.indicated, 3);
    CHECK_EQ(ac.indicated_resources, 1);
    CHECK_EQ(ac.returned, 2);
    CHECK_EQ(ac.send_completes, 4);
    henv_close(&e);
}

/* Sends n frames of 1514 bytes (1 fragment) with the given share and seed; returns the
 * sender's count of high packets and, in *pattern, the driver's fold of which were high. */
static uint64_t run_high(uint64_t seed, bool pae, double share, int n, uint64_t *pattern)
{
    struct henv e;
    struct host_nic_params hp;
    host_nic_params_default(&hp);
    hp.sender.high_memory_share = share;
    henv_open(&e, seed, pae, &hp);
    hd.complete_now = true;
    for (int i = 0; i < n; i++)
        CHECK_EQ(host_sender_submit(host_nic_sender(e.hn), 1514, 0), 0);
    struct host_sender_counters c;
    host_sender_counters(host_nic_sender(e.hn), &c);
    CHECK_EQ(hd.high_buffers, 2 * c.high_packets); /* header and payload go together */
    CHECK_EQ(c.completed, (uint64_t)n);
    CHECK_EQ(c.in_flight_peak, 1);
    *pattern = hd.high_pattern;
    henv_close(&e);
    return c.high_packets;
}

/* High memory: 4000 packets with share 0.3 on a PAE machine: 1200 expected, sd
 * sqrt(4000 * 0.3 * 0.7) = 29; within 4 sd. The same seed gives the same placement, another
 * seed another one; without PAE nothing goes high. */
static void test_sender_high_memory(void)
{
    uint64_t p1, p1b, p2, p3;
    uint64_t h1 = run_high(1, true, 0.3, 4000, &p1);
    CHECK_NEAR((double)h1, 1200, 4 * 29);
    CHECK_EQ(run_high(1, true, 0.3, 4000, &p1b), h1);
    CHECK_UEQ(p1b, p1);
    run_high(2, true, 0.3, 4000, &p2);
    CHECK_NE(p2, p1);
    CHECK_EQ(run_high(1, false, 1.0, 100, &p3), 0);
    CHECK_EQ(run_high(1, true, 0.0, 100, &p3), 0);
    CHECK_EQ(run_high(1, true, 1.0, 100, &p3), 100);
}

static void test_bad_params(void)
{
    struct dms_error err;
    eng_sim *sim = eng_new(1);
    struct nd_machine_params mp;
    nd_machine_params_default(&mp);
    nd_machine *m;
    CHECK_EQ(nd_machine_new(&m, &mp, sim, &err), 0);
    host_sender *s = NULL;
    struct host_sender_params sp;
    host_sender_params_default(&sp);
    sp.high_memory_share = 1.5;
    CHECK_EQ(host_sender_new(&s, sim, m, eng_rng_stream(sim, "s"), &sp, &err), DMS_EINVAL);
    host_sender_params_default(&sp);
    sp.default_frags = 0;
    CHECK_EQ(host_sender_new(&s, sim, m, eng_rng_stream(sim, "s"), &sp, &err), DMS_EINVAL);
    host_protocol *pr = NULL;
    struct host_protocol_params pp;
    host_protocol_params_default(&pp);
    pp.hold.kind = HOST_DIST_EXPONENTIAL; /* mean 0 */
    CHECK_EQ(host_protocol_new(&pr, sim, m, eng_rng_stream(sim, "p"), &pp, &err), DMS_EINVAL);
    host_protocol_params_default(&pp);
    pp.servers = HOST_SERVERS_PROCESSORS;
    CHECK_EQ(host_protocol_new(&pr, sim, NULL, eng_rng_stream(sim, "p"), &pp, &err), DMS_EINVAL);
    CHECK_EQ(host_protocol_new(&pr, sim, m, eng_rng_stream(sim, "p"), &pp, &err), 0);
    CHECK_EQ(host_protocol_workers(pr), 1); /* the machine's processors */
    host_protocol_free(pr);
    host_sender_free(NULL);
    host_protocol_free(NULL);
    host_nic_free(NULL);
    host_cpus_free(NULL);
    host_dist_free(NULL);
    nd_machine_free(m);
    eng_free(sim);
}

int main(void)
{
    gsl_set_error_handler_off();
    test_dist_constant_exponential();
    test_dist_lognormal_empirical();
    test_dist_errors();
    test_cpus();
    test_cpus_window();
    test_protocol_constant();
    test_protocol_servers();
    test_protocol_edges();
    test_protocol_keep_share();
    test_protocol_return_all();
    test_sender_chain();
    test_host_nic();
    test_sender_high_memory();
    test_bad_params();
    printf("test_host: ok\n");
    return 0;
}
