/* SPDX-License-Identifier: MIT */
/* vrd: objective verdicts and the frame balance (rules in vrd.h and docs/results.md). */
#include <math.h>

#include "vrd.h"

static const struct {
    const char *name, *label, *unmeasured;
    enum run_nic_metric metric;
    bool time_ns, bytes;
} table[VRD_OBJECTIVE_COUNT] = {
    [VRD_RX_DROP_RATE] = {"rx_drop_rate", "rx drop rate", "no frames arrived in the window",
                          RUN_M_RX_DROP_RATE, false, false},
    [VRD_RESOURCES_SHARE] = {"resources_share", "RESOURCES share",
                             "no packets were indicated in the window",
                             RUN_M_RX_RESOURCES_SHARE, false, false},
    [VRD_TX_STALL_P99] = {"tx_stall_p99_ns", "tx stall p99",
                          "no send completed in the window", RUN_M_TX_STALL_P99, true, false},
    [VRD_MEMORY] = {"memory_bytes", "shared memory peak", "the peak was not measured",
                    RUN_M_MEM_SHARED_PEAK, false, true},
};

static bool has_target(const struct cfg_objectives *o, enum vrd_objective k, double *target)
{
    switch (k) {
    case VRD_RX_DROP_RATE: *target = o->rx_drop_rate; return o->has_rx_drop_rate;
    case VRD_RESOURCES_SHARE: *target = o->resources_share; return o->has_resources_share;
    case VRD_TX_STALL_P99: *target = (double)o->tx_stall_p99_ns; return o->has_tx_stall_p99;
    case VRD_MEMORY: *target = (double)o->memory_bytes; return o->has_memory;
    default: return false;
    }
}

size_t vrd_judge_nic(const struct cfg_objectives *o, bool initialized, const double *mean,
                     const double *half, struct vrd_verdict out[VRD_OBJECTIVE_COUNT])
{
    size_t n = 0;
    for (int k = 0; k < VRD_OBJECTIVE_COUNT; k++) {
        double target;
        if (!has_target(o, (enum vrd_objective)k, &target))
            continue;
        struct vrd_verdict *v = &out[n++];
        v->objective = (enum vrd_objective)k;
        v->name = table[k].name;
        v->label = table[k].label;
        v->metric = table[k].metric;
        v->time_ns = table[k].time_ns;
        v->bytes = table[k].bytes;
        v->target = target;
        v->value = initialized ? mean[v->metric] : NAN;
        v->ci_half = initialized ? half[v->metric] : NAN;
        v->confident = false;
        v->reason = NULL;
        if (!initialized) {
            v->state = VRD_NOT_MET;
            v->reason = "the NIC did not initialize";
        } else if (!isfinite(v->value)) {
            v->state = VRD_NOT_MEASURED;
            v->reason = table[k].unmeasured;
        } else if (v->value <= target) {
            v->state = VRD_MET;
            v->confident = !isfinite(v->ci_half) || v->value + v->ci_half <= target;
        } else {
            v->state = VRD_NOT_MET;
            v->reason = "the measured value is above the target";
        }
    }
    return n;
}

bool vrd_all_met(const struct vrd_verdict *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].state == VRD_NOT_MET)
            return false;
    return true;
}

const char *vrd_state_name(enum vrd_state s)
{
    return s == VRD_MET ? "met" : s == VRD_NOT_MET ? "NOT met" : "not measured";
}

void vrd_balance(const double *m, struct vrd_balance *out)
{
    static const enum run_nic_metric rx_out[] = {
        RUN_M_RX_RECEIVED,      RUN_M_RX_FIFO_DROPS,     RUN_M_RX_NODESC_DROPS,
        RUN_M_RX_OVERSIZE_DROPS, RUN_M_RX_LINK_DROPS,    RUN_M_RX_DISABLED_DROPS,
        RUN_M_RX_RESET_DROPS,   RUN_M_RX_IN_FLIGHT,
    };
    static const enum run_nic_metric tx_out[] = {RUN_M_TX_COMPLETED, RUN_M_TX_FAILED,
                                                 RUN_M_TX_UNSENT, RUN_M_TX_IN_FLIGHT};
    out->measured = isfinite(m[RUN_M_RX_FRAMES]) && isfinite(m[RUN_M_TX_PACKETS]);
    out->rx_frames = m[RUN_M_RX_FRAMES];
    out->tx_packets = m[RUN_M_TX_PACKETS];
    out->rx_accounted = 0;
    out->tx_accounted = 0;
    for (size_t i = 0; i < sizeof rx_out / sizeof rx_out[0]; i++)
        out->rx_accounted += m[rx_out[i]];
    for (size_t i = 0; i < sizeof tx_out / sizeof tx_out[0]; i++)
        out->tx_accounted += m[tx_out[i]];
    out->closes = out->measured && out->rx_frames == out->rx_accounted &&
                  out->tx_packets == out->tx_accounted;
}

int vrd_exit_status(const struct vrd_outcome *o)
{
    if (o->hung)
        return DMS_EXIT_HANG;
    if (o->init_failed)
        return DMS_EXIT_INIT_FAILED;
    if (o->strict_failed)
        return DMS_EXIT_STRICT;
    if (o->objectives_not_met)
        return DMS_EXIT_OBJECTIVES;
    return DMS_EXIT_OK;
}
