/* SPDX-License-Identifier: MIT */
/*
 * run: one simulation of a scenario, and its replications.
 *
 * A replication builds a fresh world from a validated scenario: an engine seeded from the
 * scenario's seed and the replication index, the simulated machine (src/ndis), the miniport
 * loaded through its DriverEntry, the buses and SimNICs (src/hw), the processors,
 * protocols and senders (src/host), and one trace source per NIC (src/trace). It
 * initializes every adapter in order, stops at once if the machine hangs (the PAE outcome),
 * replays the traces (each record is one engine event: a frame arriving at the NIC or a
 * packet the host sends), measures from the end of the warm-up to the end of the traffic,
 * drains, halts every adapter so the verifier can check for leaks, and returns plain
 * numbers.
 *
 * Invariant: a replication depends only on the scenario and its index, so replications
 * may run on any number of threads and give identical results. Reads trace files (through
 * src/trace) but never prints.
 *
 * Layers: run_params.c translates a scenario into the models' parameters, once per point;
 * run_world.c wires a world from them; run.c replays one replication; run_traces.c holds
 * the trace files of the process, each read from disk and hashed once, that every source
 * reads through a callback; run_pool.c runs (point, replication) jobs on a pool of threads
 * for `run`, `sweep` and `recommend` alike.
 */
#ifndef RUN_H
#define RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "dms.h"

/*
 * Per-NIC figures, one double each, in a fixed order. The names are dotted key paths of the
 * result file ("rx.drop_rate"); units are in the names. A figure that could not be measured
 * (for example the driver does not answer the statistics OID) is NaN.
 */
#define RUN_NIC_METRICS(X)                                                                 \
    X(INIT_PER_BASE, "init.map_registers_per_base")                                        \
    X(INIT_BASE, "init.base_map_registers")                                                \
    X(INIT_MAP_REGISTERS, "init.map_registers")                                            \
    X(INIT_POOL_MAP_REGISTERS, "init.pool_map_registers")                                  \
    X(INIT_SHARED_BYTES, "init.shared_memory_bytes")                                       \
    X(RX_FRAMES, "rx.frames")                                                              \
    X(RX_RECEIVED, "rx.received")                                                          \
    X(RX_DROPPED, "rx.dropped")                                                            \
    X(RX_DROP_RATE, "rx.drop_rate")                                                        \
    X(RX_FIFO_DROPS, "rx.fifo_drops")                                                      \
    X(RX_NODESC_DROPS, "rx.no_descriptor_drops")                                           \
    X(RX_OVERSIZE_DROPS, "rx.oversize_drops")                                              \
    X(RX_LINK_DROPS, "rx.link_overrun_drops")                                              \
    X(RX_DISABLED_DROPS, "rx.disabled_drops")                                              \
    X(RX_RESET_DROPS, "rx.reset_drops")                                                    \
    X(RX_IN_FLIGHT_START, "rx.in_flight_start")                                            \
    X(RX_IN_FLIGHT, "rx.in_flight")                                                        \
    X(RX_INDICATED, "rx.indicated")                                                        \
    X(RX_RESOURCES, "rx.resources_indications")                                            \
    X(RX_RESOURCES_SHARE, "rx.resources_share")                                            \
    X(RX_BUF_INITIAL, "rx.buffers.initial")                                                \
    X(RX_BUF_PEAK, "rx.buffers.peak_in_use")                                               \
    X(RX_BUF_FINAL, "rx.buffers.final")                                                    \
    X(RX_ASYNC_REQ, "rx.async_allocations.requested")                                      \
    X(RX_ASYNC_OK, "rx.async_allocations.succeeded")                                       \
    X(RX_ASYNC_FAIL, "rx.async_allocations.failed")                                        \
    X(RX_HELD_MEAN, "rx.occupancy.mean")                                                   \
    X(RX_HELD_P50, "rx.occupancy.p50")                                                     \
    X(RX_HELD_P99, "rx.occupancy.p99")                                                     \
    X(RX_HELD_MAX, "rx.occupancy.max")                                                     \
    X(RX_ACCEPTED_PPS, "rx.accepted_pps")                                                  \
    X(RX_HOLD_MEAN, "rx.hold_mean_ns")                                                     \
    X(RX_LAT_P50, "rx.latency_ns.p50")                                                     \
    X(RX_LAT_P99, "rx.latency_ns.p99")                                                     \
    X(RX_LAT_P9999, "rx.latency_ns.p9999")                                                 \
    X(RX_LAT_MAX, "rx.latency_ns.max")                                                     \
    X(RX_FIFO_PEAK, "rx.fifo_peak_bytes")                                                  \
    X(TX_PACKETS, "tx.packets")                                                            \
    X(TX_COMPLETED, "tx.completed")                                                        \
    X(TX_FAILED, "tx.failed")                                                              \
    X(TX_UNSENT, "tx.unsent")                                                              \
    X(TX_IN_FLIGHT_START, "tx.in_flight_start")                                            \
    X(TX_IN_FLIGHT, "tx.in_flight")                                                        \
    X(TX_COPIED, "tx.copied")                                                              \
    X(TX_MAPPED, "tx.mapped")                                                              \
    X(TX_BOUNCED, "tx.bounced")                                                            \
    X(TX_BOUNCE_BYTES, "tx.bounce_bytes")                                                  \
    X(TX_STALLS, "tx.stalls")                                                              \
    X(TX_STALL_SHARE, "tx.stall_share")                                                    \
    X(TX_STALL_P50, "tx.stall_ns.p50")                                                     \
    X(TX_STALL_P99, "tx.stall_ns.p99")                                                     \
    X(TX_STALL_MAX, "tx.stall_ns.max")                                                     \
    X(TX_LAT_P99, "tx.latency_ns.p99")                                                     \
    X(TX_QUEUE_PEAK, "tx.queue_peak")                                                      \
    X(TX_RESOURCES, "tx.resources_returned")                                               \
    X(TX_BASE_PEAK, "tx.base_map_registers_peak_in_use")                                   \
    X(TX_MAPREG_PEAK, "tx.map_registers_peak_in_use")                                      \
    X(TX_SG_PEAK, "tx.sg_map_registers_peak")                                              \
    X(TX_SG_WAITS, "tx.sg_waits")                                                          \
    X(POOL_PKT_SIZE, "pools.packets.size")                                                 \
    X(POOL_PKT_PEAK, "pools.packets.peak")                                                 \
    X(POOL_PKT_FAIL, "pools.packets.failures")                                             \
    X(POOL_BUF_SIZE, "pools.buffers.size")                                                 \
    X(POOL_BUF_PEAK, "pools.buffers.peak")                                                 \
    X(POOL_BUF_FAIL, "pools.buffers.failures")                                             \
    X(MEM_SHARED_PEAK, "memory.shared_peak_bytes")                                         \
    X(MEM_NONPAGED_PEAK, "memory.nonpaged_peak_bytes")                                     \
    X(CPU_INTERRUPTS, "cpu.interrupts")                                                    \
    X(CPU_DPCS, "cpu.dpcs")

#define RUN_SYS_METRICS(X)                                                                 \
    X(SYS_MAPREG_REQUESTED, "map_registers.requested")                                     \
    X(SYS_MAPREG_GRANTED, "map_registers.granted")                                         \
    X(SYS_MAPREG_PEAK, "map_registers.peak")                                               \
    X(SYS_MAPREG_FAIL, "map_registers.failures")                                           \
    X(SYS_COMMON_PEAK, "common_buffer_peak_bytes")                                         \
    X(SYS_LARGEST_RUN, "largest_free_run_bytes")                                           \
    X(SYS_BOUNCE, "bounce_buffers")                                                        \
    X(SYS_CPU_UTIL, "cpu_utilisation")                                                     \
    X(SYS_BUS_UTIL, "bus_utilisation")                                                     \
    X(SYS_SIM_NS, "simulated_ns")                                                          \
    X(SYS_EVENTS, "events")

#define RUN_ENUM_(id, name) RUN_M_##id,
enum run_nic_metric { RUN_NIC_METRICS(RUN_ENUM_) RUN_NIC_METRIC_COUNT };
enum run_sys_metric { RUN_SYS_METRICS(RUN_ENUM_) RUN_SYS_METRIC_COUNT };
#undef RUN_ENUM_

/* The dotted name of a metric. */
const char *run_nic_metric_name(enum run_nic_metric m);
const char *run_sys_metric_name(enum run_sys_metric m);

/* One verifier diagnostic, as recorded by the emulation. */
struct run_diag {
    char code[32];         /* "0xE6:0x1D" (Driver Verifier's parameter 1) or "dmasim:<CLASS>" */
    char kind[32];
    char nic[32];
    int64_t time_ns;
    char msg[192];
};

/* One NdisMAllocateMapRegisters call of a NIC's initialization and NDIS's answer. */
#define RUN_MAPREG_LOG 64
struct run_mapreg_request {
    uint32_t base;          /* BaseMapRegistersNeeded asked for */
    uint64_t map_registers; /* base x registers per base */
    char status[40];        /* NDIS status name returned */
};

/* One event-log entry the driver wrote (NdisWriteErrorLogEntry). */
struct run_errlog {
    unsigned nic;
    uint32_t code;
    uint32_t n_values;
    uint32_t values[4];
    int64_t time_ns;
};

/*
 * Occupancy distributions: for each resource of a NIC, the exact time the number in use
 * spent at each value over the measurement window. They show, from one run, what a pool of
 * any size would have seen: P(in use > k) is the share of time above k.
 */
#define RUN_OCC_RESOURCES(X)                                                               \
    X(RX_BUFFERS, "rx_buffers")              /* receive buffers indicated, not returned */ \
    X(BASE_MAP_REGISTERS, "base_map_registers") /* base map registers mapped at once */     \
    X(MAP_REGISTERS, "map_registers")        /* map registers in use (base x per-base,     \
                                                or held by scatter-gather lists) */        \
    X(PACKETS, "packet_descriptors")         /* from the miniport's packet pools */        \
    X(BUFFERS, "buffer_descriptors")         /* from the miniport's buffer pools */        \
    X(SHARED_BYTES, "shared_memory_bytes")   /* shared memory held, page-rounded bytes */

#define RUN_OCC_ENUM_(id, name) RUN_OCC_##id,
enum run_occ_resource { RUN_OCC_RESOURCES(RUN_OCC_ENUM_) RUN_OCC_COUNT };
#undef RUN_OCC_ENUM_

/* The name of a resource in occupancy.csv ("rx_buffers"...). */
const char *run_occ_name(enum run_occ_resource r);

/* One value of a distribution: the number in use and the time spent at it. */
struct run_occ_point {
    int64_t in_use;
    int64_t time_ns;
};

/* A distribution: the values with positive time, ascending. */
struct run_occ {
    size_t n;
    struct run_occ_point *v; /* owned; freed by run_rep_fini */
    int64_t total_ns;        /* sum of the times: the window observed */
};

struct run_nic_result {
    char init_status[40];  /* NDIS status name, "SYSTEM_HANG", or "NOT_STARTED" */
    size_t n_mapreg;       /* NdisMAllocateMapRegisters calls made during initialization */
    struct run_mapreg_request mapreg[RUN_MAPREG_LOG]; /* the first RUN_MAPREG_LOG of them */
    bool initialized;      /* MiniportInitialize succeeded: the figures were measured */
    double m[RUN_NIC_METRIC_COUNT];
    double little_bound;   /* largest |occupancy - rate x hold| the window's edges allow
                              (packets; NaN when not measured), docs/validation.md */
    struct run_occ occ[RUN_OCC_COUNT]; /* empty for a NIC that did not run */
};

/* What a trace source delivered (provenance for the result file). */
struct run_trace_info {
    uint64_t records;      /* records the source delivered */
    uint64_t for_nic;      /* of which for this NIC (a CSV nic column may name others) */
    uint64_t out_of_order, damaged, split_frames, oversize;
    int64_t first_ns, last_ns; /* simulated times of the first and last record delivered
                                  (-1: none) */
    char damage_msg[160];
    int64_t damage_record; /* index in its file of the first damaged record, -1 if none */
    size_t damage_source;  /* which source it is in: 0 the first, k the k-th merged one */
    char format[16];
    char link[32];
    char sha256[65];       /* hex SHA-256 of the trace file, "" for synthetic traffic */
    size_t n_extra;        /* sources merged with the first (counts above cover all) */
    char extra_sha256[CFG_MAX_SOURCES - 1][65]; /* theirs, "" for synthetic traffic */
};

/*
 * The time series of replication 0 (dmasim run --series): every NIC's receive buffers held
 * by protocols, map registers in use (base registers mapped x per-base, or held by
 * scatter-gather lists), receive FIFO bytes and sends in the driver (handed over, neither
 * completed nor given back), sampled from t = 0 every interval_ns while traffic runs.
 * Memory is bounded: when RUN_SERIES_MAX samples are kept, every second one is dropped and
 * the interval doubles, so a long trace gives at most RUN_SERIES_MAX rows per NIC, evenly
 * spaced, whatever its length. Sampling stops the engine at sample times but adds no
 * event, so results are the same with or without it.
 */
#define RUN_SERIES_MAX 2048
enum { RUN_SERIES_RX_HELD, RUN_SERIES_MAP_REGISTERS, RUN_SERIES_FIFO_BYTES,
       RUN_SERIES_SENDS_IN_DRIVER, RUN_SERIES_VARS };
struct run_series {
    int64_t interval_ns;  /* between kept samples (the requested one, doubled k times) */
    int64_t next_ns;      /* time of the next sample */
    size_t n, n_nics;     /* samples kept; NICs per sample */
    int64_t *t_ns;        /* [RUN_SERIES_MAX] sample times */
    uint32_t *v;          /* [RUN_SERIES_MAX][n_nics][RUN_SERIES_VARS] */
};
/* The name of series variable k, as the CSV header spells it. */
const char *run_series_var_name(unsigned k);

/* The result of one replication. */
struct run_rep {
    unsigned index;
    uint64_t engine_seed;
    bool hung;
    char hang_nic[32];
    uint64_t hang_requested, hang_left;
    size_t n_nics;
    struct run_nic_result nics[CFG_MAX_NICS];
    struct run_trace_info traces[CFG_MAX_NICS];
    double sys[RUN_SYS_METRIC_COUNT];
    size_t n_diags;         /* diagnostics kept (the emulation keeps the first 10000) */
    uint64_t diags_total;   /* diagnostics recorded, kept or not */
    struct run_diag *diags; /* owned; freed by run_rep_fini */
    size_t n_errlog;
    struct run_errlog *errlog; /* owned; freed by run_rep_fini */
    bool strict_failed;     /* strict mode and at least one diagnostic */
    struct run_series *series; /* replication 0 with sc->run.series_ns > 0, else NULL;
                                  owned; freed by run_rep_fini */
};

void run_rep_fini(struct run_rep *r);

/* Pools NIC nic's distribution of resource r over n_reps replications into *out (times per
 * value added up, values ascending; out->v is the caller's to free). */
void run_occupancy_pool(const struct run_rep *reps, size_t n_reps, size_t nic,
                        enum run_occ_resource r, struct run_occ *out);

/* A hook run_replication_ex calls with the simulated time reached, at most every
 * RUN_PROGRESS_SLICE_NS of simulated time (see run_progress_fn). */
typedef void (*run_tick_fn)(void *ctx, int64_t sim_ns);

/*
 * Runs replication `index` of scenario sc (borrowed). Returns 0 with *out filled (release
 * with run_rep_fini), or an error: DMS_ENOENT / DMS_EIO / DMS_EFORMAT / DMS_EINVAL /
 * DMS_ERANGE from a trace source (err names the file and record), DMS_EINVAL for a model
 * parameter the models refuse. A hang or an initialization failure is a result, not an
 * error.
 */
int run_replication(const struct cfg_scenario *sc, unsigned index, struct run_rep *out,
                    struct dms_error *err);
/* run_replication with a progress hook (tick may be NULL). */
int run_replication_ex(const struct cfg_scenario *sc, unsigned index, struct run_rep *out,
                       run_tick_fn tick, void *tick_ctx, struct dms_error *err);

/*
 * Progress callback: `done` replications finished out of `total` (the replications of the
 * points resolved so far), and `sim_ns`, the simulated time just reached by a replication
 * still running (-1 when the call reports a finished replication). Called from any thread,
 * serialised by the pool; calls come
 * every RUN_PROGRESS_SLICE_NS of simulated time at most, so the callback should throttle
 * what it prints.
 */
typedef void (*run_progress_fn)(void *ctx, unsigned done, unsigned total, int64_t sim_ns);
#define RUN_PROGRESS_SLICE_NS (10 * DMS_NS_PER_MS)


/* ---- Trace files ------------------------------------------------------------------------ */

/*
 * The trace files of a process. Each file is read from disk (mapped) and hashed the first
 * time a source names it; every later source, of any point or replication, on any thread,
 * reads the same image. Thread-safe. Images live until run_traces_free.
 */
typedef struct run_traces run_traces;

/* An empty set; free with run_traces_free. */
run_traces *run_traces_new(void);
/* Frees the set and unmaps every image. NULL does nothing. No source may still read it. */
void run_traces_free(run_traces *t);
/* How many files the set has read from disk, and (bytes, may be NULL) how many bytes. */
uint64_t run_traces_loads(const run_traces *t, uint64_t *bytes);

/*
 * Runs replication `index` of sc (borrowed) reading trace files through traces (borrowed;
 * NULL = a private set freed on return). Otherwise as run_replication_ex.
 */
int run_replication_traces(const struct cfg_scenario *sc, run_traces *traces, unsigned index,
                           struct run_rep *out, struct dms_error *err);

/* ---- The job pool ----------------------------------------------------------------------- */

/*
 * One point of a job: a scenario, or a document and overrides the pool resolves when it
 * reaches the point (so that a sweep of many points holds only those in flight). Either sc
 * is set, or doc is (with n_overrides located "key.path=value" overrides, resolved with
 * cfg_doc_resolve_at, so a point's errors name the sweep file's lines). All borrowed;
 * they must outlive run_points.
 */
struct run_point {
    const struct cfg_scenario *sc;
    const cfg_doc *doc;
    const struct cfg_override *overrides;
    size_t n_overrides;
};

/* What became of one point. */
struct run_point_result {
    int rc;                  /* 0, a configuration error of the point (DMS_EINVAL,
                                DMS_ERANGE, DMS_EFORMAT), or the error of its lowest-numbered
                                failing replication */
    struct dms_error err;    /* that error (the first one for a configuration error) */
    char *errors;            /* every configuration error, formatted one per line as
                                cfg_errors_format does, or NULL; owned */
    struct cfg_scenario *sc; /* the scenario resolved from doc (owned), or NULL when the
                                point was given as a scenario or did not resolve */
    size_t n_reps;           /* the scenario's run.replications when rc is 0, else 0 */
    struct run_rep *reps;    /* reps[i] is replication i whatever the thread count; owned;
                                NULL when rc != 0 */
};

/* Releases what a point result owns; the struct is zeroed. */
void run_point_result_fini(struct run_point_result *r);

/*
 * Called once per point, when its last replication ends or it fails to resolve, from a
 * worker thread; calls never overlap. res is &out[point]: the callback may take what it
 * owns (and then run_point_result_fini it); the pool does not touch it again.
 */
typedef void (*run_point_done_fn)(void *ctx, size_t point, struct run_point_result *res);

struct run_pool_opts {
    unsigned threads;              /* worker threads, 0 = 1 */
    run_traces *traces;            /* borrowed; NULL = a private set for this call */
    run_progress_fn progress;      /* replications done / known so far; may be NULL */
    void *progress_ctx;
    run_point_done_fn point_done;  /* may be NULL */
    void *point_done_ctx;
    uint64_t *sim_cpu_ns;          /* if not NULL, set to the CPU time the replications took,
                                      summed over threads (for measuring overhead) */
};

/*
 * Runs every replication of every point on one pool of opts->threads threads. Jobs are the
 * (point, replication) pairs in order: point 0's replications, then point 1's, and so on; a
 * job's result depends only on its point and replication index, so out[] does not depend
 * on the thread count or the order jobs finish. out must have room for n entries; each is
 * filled (release with run_point_result_fini unless the callback took it). A point that
 * fails does not stop the others. Returns the number of points whose rc is not 0.
 */
size_t run_points(const struct run_point *points, size_t n, const struct run_pool_opts *opts,
                  struct run_point_result *out);

/*
 * Runs every replication of sc on up to `threads` threads (0 = 1) through run_points, with
 * a private set of trace files. reps must have room for sc->run.replications entries;
 * reps[i] is replication i whatever the thread count. Returns 0, or the error of the
 * lowest-numbered failing replication (all reps are then released).
 */
int run_scenario(const struct cfg_scenario *sc, unsigned threads, struct run_rep *reps,
                 run_progress_fn progress, void *progress_ctx, struct dms_error *err);

/*
 * An estimate, made before the run for progress reports, of the simulated time one
 * replication of sc replays traffic for: run.duration when it is set, else the latest end
 * of the NICs' traces, found by reading one pass of each (captures of at most
 * max_file_bytes, synthetic sources of at most 10^7 records) and scaling it by the loop
 * count. Returns the estimate in ns, or -1 when a trace is too large to read for it or
 * cannot be read (the run then reports the error). Reads files; never prints.
 */
int64_t run_traffic_estimate_ns(const struct cfg_scenario *sc, uint64_t max_file_bytes);

/* The engine seed of replication index under scenario seed (a stable hash). */
uint64_t run_replication_seed(uint64_t seed, unsigned index);

#endif
