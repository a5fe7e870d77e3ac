/* SPDX-License-Identifier: MIT */
/*
 * run_result: the result folder of a run. Turns the replications of a run into
 * result.json (documented in docs/results.md), result.csv, summary.csv, occupancy.csv and
 * series.csv, as bytes in memory, and writes them as one folder, whole or not at all
 * (run_write_result). Means and Student-t confidence intervals across replications come
 * from src/stats, objective verdicts from src/verdict. Output is a pure function of its
 * inputs, so equal runs give byte-identical files. run, sweep, recommend and report all
 * write their result folders through it.
 */
#ifndef RUN_RESULT_H
#define RUN_RESULT_H

#include <stddef.h>

#include "cfg.h"
#include "dms_json.h"
#include "run.h"
#include "vrd.h"

#define RUN_RESULT_SCHEMA_VERSION 1

/* Provenance of one NIC's trace file, computed once by the caller. */
struct run_trace_src {
    char sha256[65]; /* "" for synthetic traffic */
};

struct run_meta {
    const char *dmasim_version;
    const char *generator;                      /* GSL generator name of the streams */
    const struct run_trace_src *traces;         /* one per NIC, or NULL: the hashes the run
                                                   took while reading (run_trace_info) */
};

/* Per-NIC figures of replications reduced to means and confidence half-widths. */
struct run_summary {
    double mean[CFG_MAX_NICS][RUN_NIC_METRIC_COUNT];
    double half[CFG_MAX_NICS][RUN_NIC_METRIC_COUNT]; /* NaN with one replication */
    double sys_mean[RUN_SYS_METRIC_COUNT];
    double sys_half[RUN_SYS_METRIC_COUNT];
    size_t count[CFG_MAX_NICS][RUN_NIC_METRIC_COUNT]; /* replications that measured it */
    size_t sys_count[RUN_SYS_METRIC_COUNT];
    bool initialized[CFG_MAX_NICS]; /* the NIC initialized in every replication */
};

/* Reduces n replications (NaN figures are left out of a metric's mean). */
void run_summarise(const struct run_rep *reps, size_t n, double confidence,
                   struct run_summary *out);

/* Writes the whole result document into w (which must be empty). All inputs borrowed. */
void run_result_json(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                     const struct run_meta *meta, dms_jw *w);

/* result.csv: one numeric row per replication and NIC ("nic,replication" then the metric
 * names, system figures prefixed "system."; an empty field is a figure not measured).
 * Returns a heap string the caller frees. */
char *run_result_csv(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n);

/* series.csv of a replication's time series: a header "nic,time_ns,rx_buffers_held,
 * map_registers_in_use,fifo_bytes,sends_in_driver", then one row per sample and NIC, in
 * time order. Returns a heap string the caller frees. Inputs borrowed. */
char *run_series_csv(const struct cfg_scenario *sc, const struct run_series *s);

/* occupancy.csv: for every NIC and resource (run_occ_name), the values with positive time,
 * pooled over the n replications: "nic,resource,in_use,time_ns,time_share". Returns a heap
 * string the caller frees. */
char *run_occupancy_csv(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n);

/* summary.csv: one row per NIC (or "system") and metric: "scope,metric,mean,ci_half,n",
 * where n is the number of replications that measured the figure and ci_half is empty
 * with fewer than two. Returns a heap string the caller frees. */
char *run_summary_csv(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n);

/* The verdicts of NIC i's objectives (see vrd.h); returns how many the scenario sets. */
size_t run_nic_verdicts(const struct cfg_scenario *sc, const struct run_summary *s, size_t i,
                        struct vrd_verdict out[VRD_OBJECTIVE_COUNT]);

/* The outcome of the run (hang, initialization failure, strict diagnostics, objectives),
 * from which vrd_exit_status picks the exit status. */
void run_outcome(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                 const struct run_summary *s, struct vrd_outcome *out);

/* Whether every replication's frame accounting closes for NIC i: 1 yes, 0 no (first
 * failing replication in *bad_rep), -1 nothing measured. */
int run_balance_closes(const struct run_rep *reps, size_t n, size_t i, size_t *bad_rep);

/* ---- warnings (run_warn.c) */

#define RUN_MAX_WARNINGS 16
struct run_warning {
    const char *code;       /* "empty_window", "trace_shorter_than_warmup",
                               "identical_replications" */
    int nic;                /* NIC index, or -1 for the whole run */
    char message[400];      /* one sentence or two, saying what and why */
};

/* Fills out with what limits what the run can say (at most RUN_MAX_WARNINGS, in a fixed
 * order) and returns how many. Pure. */
size_t run_warnings(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                    const struct run_summary *s, struct run_warning *out);

/* The files of a run's result folder, in memory: result.json, result.csv, summary.csv,
 * occupancy.csv, and series.csv when replication 0 recorded a time series. */
#define RUN_MAX_FILES 8
struct run_files {
    size_t n;
    const char *names[RUN_MAX_FILES];
    const char *data[RUN_MAX_FILES];
    size_t lens[RUN_MAX_FILES];
    char *owned[RUN_MAX_FILES]; /* what run_files_fini frees */
    dms_jw *json;               /* the result document (data[0]) */
};

/* Builds the result files of n replications into *out (release with run_files_fini). All
 * inputs borrowed. Used by run_write_result and by every command that writes result
 * folders of its own (sweep points, recommend candidates). */
void run_result_files(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                      const struct run_meta *meta, struct run_files *out);
void run_files_fini(struct run_files *f);

/*
 * Writes the result folder of one run: dir/result.json, dir/result.csv, dir/summary.csv and
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
int run_write_result(const char *dir, const struct cfg_scenario *sc, const struct run_rep *reps,
                     size_t n, const char *version, dms_jw **json, struct dms_error *err);

#endif
