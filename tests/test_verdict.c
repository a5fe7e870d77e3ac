/* SPDX-License-Identifier: MIT */
/* test_verdict: objective verdicts and the frame balance (issue 10). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "vrd.h"

static void fill(double *v, double x)
{
    for (size_t k = 0; k < RUN_NIC_METRIC_COUNT; k++)
        v[k] = x;
}

/* Table of cases: each objective is met, NOT met (above the target, or no initialization)
 * or not measured (a NaN figure), never "met" for a figure nobody measured. */
static void test_verdicts(void)
{
    struct cfg_objectives o = {.has_rx_drop_rate = true, .rx_drop_rate = 1e-4,
                               .has_tx_stall_p99 = true, .tx_stall_p99_ns = 100000,
                               .has_memory = true, .memory_bytes = 1 << 20,
                               .confidence = 0.95};
    double mean[RUN_NIC_METRIC_COUNT], half[RUN_NIC_METRIC_COUNT];
    fill(mean, NAN);
    fill(half, NAN);
    mean[RUN_M_RX_DROP_RATE] = 5e-5;
    half[RUN_M_RX_DROP_RATE] = 6e-5; /* upper end 1.1e-4: met, not confidently */
    mean[RUN_M_MEM_SHARED_PEAK] = 2 << 20;
    struct vrd_verdict v[VRD_OBJECTIVE_COUNT];
    size_t n = vrd_judge_nic(&o, true, mean, half, v);
    CHECK_EQ(n, 3); /* resources_share is not set */
    CHECK(strcmp(v[0].name, "rx_drop_rate") == 0);
    CHECK_EQ(v[0].state, VRD_MET);
    CHECK(!v[0].confident);
    CHECK(v[0].reason == NULL);
    CHECK(strcmp(v[1].name, "tx_stall_p99_ns") == 0);
    CHECK_EQ(v[1].state, VRD_NOT_MEASURED);
    CHECK(strstr(v[1].reason, "no send") != NULL);
    CHECK(v[1].time_ns);
    CHECK_EQ(v[2].state, VRD_NOT_MET);
    CHECK(v[2].bytes);
    CHECK(!vrd_all_met(v, n));
    CHECK(vrd_all_met(v, 2)); /* not measured does not fail */
    half[RUN_M_RX_DROP_RATE] = 1e-5;
    vrd_judge_nic(&o, true, mean, half, v);
    CHECK(v[0].confident);
    /* at the target exactly is met */
    mean[RUN_M_RX_DROP_RATE] = 1e-4;
    vrd_judge_nic(&o, true, mean, half, v);
    CHECK_EQ(v[0].state, VRD_MET);
    /* a NIC that did not initialize meets nothing, whatever its figures */
    n = vrd_judge_nic(&o, false, mean, half, v);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(v[i].state, VRD_NOT_MET);
        CHECK(strstr(v[i].reason, "initialize") != NULL);
        CHECK(isnan(v[i].value));
    }
    CHECK(strcmp(vrd_state_name(VRD_NOT_MEASURED), "not measured") == 0);
    struct cfg_objectives none = {.confidence = 0.95};
    CHECK_EQ(vrd_judge_nic(&none, true, mean, half, v), 0);
}

static void test_balance(void)
{
    double m[RUN_NIC_METRIC_COUNT];
    fill(m, 0);
    m[RUN_M_RX_FRAMES] = 100;
    m[RUN_M_RX_RECEIVED] = 90;
    m[RUN_M_RX_FIFO_DROPS] = 3;
    m[RUN_M_RX_NODESC_DROPS] = 1;
    m[RUN_M_RX_OVERSIZE_DROPS] = 1;
    m[RUN_M_RX_LINK_DROPS] = 2;
    m[RUN_M_RX_IN_FLIGHT] = 3;
    m[RUN_M_TX_PACKETS] = 10;
    m[RUN_M_TX_COMPLETED] = 8;
    m[RUN_M_TX_UNSENT] = 1;
    m[RUN_M_TX_IN_FLIGHT] = 1;
    struct vrd_balance b;
    vrd_balance(m, &b);
    CHECK(b.measured && b.closes);
    m[RUN_M_RX_IN_FLIGHT] = 2; /* one frame unaccounted for */
    vrd_balance(m, &b);
    CHECK(!b.closes);
    CHECK_EQ((long long)b.rx_accounted, 99);
    m[RUN_M_RX_IN_FLIGHT] = 3;
    m[RUN_M_TX_FAILED] = 1; /* one packet too many */
    vrd_balance(m, &b);
    CHECK(!b.closes);
    fill(m, NAN);
    vrd_balance(m, &b);
    CHECK(!b.measured && !b.closes);
}

/* Precedence: hang, then initialization, then strict, then objectives. */
static void test_exit_status(void)
{
    struct vrd_outcome o = {0};
    CHECK_EQ(vrd_exit_status(&o), 0);
    o.objectives_not_met = true;
    CHECK_EQ(vrd_exit_status(&o), DMS_EXIT_OBJECTIVES);
    o.strict_failed = true;
    CHECK_EQ(vrd_exit_status(&o), DMS_EXIT_STRICT);
    o.init_failed = true;
    CHECK_EQ(vrd_exit_status(&o), DMS_EXIT_INIT_FAILED);
    o.hung = true;
    CHECK_EQ(vrd_exit_status(&o), DMS_EXIT_HANG);
    CHECK_EQ(DMS_EXIT_OBJECTIVES, 10);
    CHECK_EQ(DMS_EXIT_INIT_FAILED, 11);
    CHECK_EQ(DMS_EXIT_HANG, 12);
    CHECK_EQ(DMS_EXIT_STRICT, 13);
}

int main(void)
{
    test_exit_status();
    test_verdicts();
    test_balance();
    return 0;
}
