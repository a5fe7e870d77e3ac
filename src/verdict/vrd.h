/* SPDX-License-Identifier: MIT */
/*
 * vrd: verdicts. Decides, from the figures of a run reduced across replications, whether
 * each objective of the scenario is met, NOT met or not measured, and whether the frame
 * and packet accounting of a replication closes. report (summary, result.json, JUnit) and
 * recommend use the same rules, so a result never says one thing and a recommendation
 * another.
 *
 * Rules (docs/results.md): a NIC that did not initialize meets no objective; a figure
 * that was measured in no replication (NaN mean) is "not measured", never "met"; otherwise
 * the objective is met when the mean is at or below the target. `confident` says whether
 * the upper end of the confidence interval is at or below it too.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef VRD_H
#define VRD_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "run.h"

enum vrd_objective {
    VRD_RX_DROP_RATE,
    VRD_RESOURCES_SHARE,
    VRD_TX_STALL_P99,
    VRD_MEMORY,
    VRD_OBJECTIVE_COUNT
};

enum vrd_state { VRD_MET, VRD_NOT_MET, VRD_NOT_MEASURED };

struct vrd_verdict {
    enum vrd_objective objective;
    const char *name;       /* the objective's key in result.json: "rx_drop_rate"... */
    const char *label;      /* short human name: "rx drop rate" */
    enum run_nic_metric metric; /* the figure it judges */
    bool time_ns;           /* the target and value are durations in ns */
    bool bytes;             /* ... or sizes in bytes */
    double target;
    double value;           /* mean over the replications that measured it; NaN if none */
    double ci_half;         /* confidence half-width; NaN with fewer than 2 values */
    enum vrd_state state;
    bool confident;         /* met, and value + ci_half is at or below the target too */
    const char *reason;     /* why NOT met or not measured, in words; NULL when met */
};

/*
 * Judges the objectives o sets for one NIC: initialized says whether it initialized in
 * every replication; mean and half are its per-metric means and half-widths
 * (RUN_NIC_METRIC_COUNT each). Fills out[0..k) for the k objectives set, in the order of
 * enum vrd_objective, and returns k. All borrowed; the strings are static.
 */
size_t vrd_judge_nic(const struct cfg_objectives *o, bool initialized, const double *mean,
                     const double *half, struct vrd_verdict out[VRD_OBJECTIVE_COUNT]);

/* True when none of the n verdicts is VRD_NOT_MET. */
bool vrd_all_met(const struct vrd_verdict *v, size_t n);

/* The state's word as printed and written: "met", "NOT met", "not measured". */
const char *vrd_state_name(enum vrd_state s);

/*
 * Frame accounting of one NIC in one replication (m: its RUN_NIC_METRIC_COUNT figures).
 * rx: frames = received + every drop cause + in flight at the window's end; tx: packets =
 * completed + failed + unsent + in flight. The sums are of integer counts held exactly in
 * doubles. A NIC that measured nothing (NaN frames) has no balance: measured is false.
 */
struct vrd_balance {
    bool measured;
    double rx_frames, rx_accounted;
    double tx_packets, tx_accounted;
    bool closes;            /* both sides equal exactly */
};
void vrd_balance(const double *m, struct vrd_balance *out);

/* What went wrong in a run, as flags; vrd_exit_status picks the status. */
struct vrd_outcome {
    bool hung;               /* a replication's machine hung */
    bool init_failed;        /* a NIC failed to initialize (not one a hang stopped) */
    bool strict_failed;      /* --strict and the verifier recorded diagnostics */
    bool objectives_not_met; /* some objective of some NIC is NOT met */
};

/* The exit status of an outcome (DMS_EXIT_*): hang 12 > initialization 11 > strict 13 >
 * objectives 10 > 0. */
int vrd_exit_status(const struct vrd_outcome *o);

#endif
