/* SPDX-License-Identifier: MIT */
/*
 * rpt: result files. Turns the replications of a run into result.json (documented in
 * docs/results.md) and result.csv, as bytes in memory: the caller writes them out. Means
 * and Student-t confidence intervals across replications come from src/stats. Output is
 * a pure function of its inputs, so equal runs give byte-identical files.
 */
#ifndef RPT_H
#define RPT_H

#include <stddef.h>

#include "cfg.h"
#include "dms_json.h"
#include "run.h"

#define RPT_SCHEMA_VERSION 1

/* Provenance of one NIC's trace file, computed once by the caller. */
struct rpt_trace_src {
    char sha256[65]; /* "" for synthetic traffic */
};

struct rpt_meta {
    const char *dmasim_version;
    const char *generator;                      /* GSL generator name of the streams */
    const struct rpt_trace_src *traces;         /* one per NIC */
};

/* Per-NIC figures of replications reduced to means and confidence half-widths. */
struct rpt_summary {
    double mean[CFG_MAX_NICS][RUN_NIC_METRIC_COUNT];
    double half[CFG_MAX_NICS][RUN_NIC_METRIC_COUNT]; /* NaN with one replication */
    double sys_mean[RUN_SYS_METRIC_COUNT];
    double sys_half[RUN_SYS_METRIC_COUNT];
    bool initialized[CFG_MAX_NICS]; /* the NIC initialized in every replication */
};

/* Reduces n replications (NaN figures are left out of a metric's mean). */
void rpt_summarise(const struct run_rep *reps, size_t n, double confidence,
                   struct rpt_summary *out);

/* Writes the whole result document into w (which must be empty). All inputs borrowed. */
void rpt_result_json(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                     const struct rpt_meta *meta, dms_jw *w);

/* The CSV result: one row per replication and NIC, then "mean" and (with more than one
 * replication) "ci_half" rows; columns are the metric names, system figures prefixed
 * "system.". Returns a heap string the caller frees. */
char *rpt_result_csv(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n);

/* series.csv of a replication's time series: a header "nic,time_ns,rx_buffers_held,
 * map_registers_in_use,fifo_bytes,sends_in_driver", then one row per sample and NIC, in
 * time order. Returns a heap string the caller frees. Inputs borrowed. */
char *rpt_series_csv(const struct cfg_scenario *sc, const struct run_series *s);

/* Whether NIC i of the summary meets each objective the scenario sets: fills met[k] for
 * the objectives in the order rx_drop_rate, resources_share, tx_stall_p99, memory with
 * RPT_NO_TARGET, RPT_NOT_MET, RPT_MET or RPT_NO_DATA (the figure was not measured, e.g.
 * stalls without sends). A NIC that did not initialize meets none. Returns 1 if no set
 * objective is RPT_NOT_MET. */
enum { RPT_NO_TARGET = -1, RPT_NOT_MET = 0, RPT_MET = 1, RPT_NO_DATA = 2 };
int rpt_objectives_met(const struct cfg_scenario *sc, const struct rpt_summary *s, size_t i,
                       int met[4]);

#endif
