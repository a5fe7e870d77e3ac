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
    const struct rpt_trace_src *traces;         /* one per NIC, or NULL: the hashes the run
                                                   took while reading (run_trace_info) */
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

/* occupancy.csv: for every NIC and resource (run_occ_name), the values with positive time,
 * pooled over the n replications: "nic,resource,in_use,time_ns,time_share". Returns a heap
 * string the caller frees. */
char *rpt_occupancy_csv(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n);

/* Pools NIC nic's distribution of resource r over n_reps replications into *out (times per
 * value added up; out->v is the caller's to free). */
void rpt_occupancy_pool(const struct run_rep *reps, size_t n_reps, size_t nic,
                        enum run_occ_resource r, struct run_occ *out);

/*
 * Writes the result folder of one run: dir/result.json, dir/result.csv and
 * dir/occupancy.csv, and dir/series.csv when replication 0 recorded a time series. SIGINT, SIGTERM
 * and SIGHUP wait (in the calling thread) while the files are written and renamed into
 * place, so an interrupt never leaves one file, or a temporary, behind. A folder that does
 * not exist yet is created whole (written under a temporary name beside it and renamed:
 * see dms_write_dir_atomic), its missing parents first; in an existing folder the two
 * files are staged and renamed together. version is the dmasim version for the metadata
 * (the generator and trace hashes come from the run). If json is not NULL, *json receives
 * the result document (the caller frees it with dms_jw_free). All inputs borrowed.
 * Returns 0, or DMS_EIO / DMS_EINVAL with err naming the file.
 */
int rpt_write_result(const char *dir, const struct cfg_scenario *sc, const struct run_rep *reps,
                     size_t n, const char *version, dms_jw **json, struct dms_error *err);

/* Whether NIC i of the summary meets each objective the scenario sets: fills met[k] for
 * the objectives in the order rx_drop_rate, resources_share, tx_stall_p99, memory with
 * RPT_NO_TARGET, RPT_NOT_MET, RPT_MET or RPT_NO_DATA (the figure was not measured, e.g.
 * stalls without sends). A NIC that did not initialize meets none. Returns 1 if no set
 * objective is RPT_NOT_MET. */
enum { RPT_NO_TARGET = -1, RPT_NOT_MET = 0, RPT_MET = 1, RPT_NO_DATA = 2 };
int rpt_objectives_met(const struct cfg_scenario *sc, const struct rpt_summary *s, size_t i,
                       int met[4]);

#endif
