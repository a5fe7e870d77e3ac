/* SPDX-License-Identifier: MIT */
/* run: internals shared by the files of the run module (world, replay loop, collection). */
#ifndef RUN_INT_H
#define RUN_INT_H

#include "cfg.h"
#include "eng.h"
#include "host.h"
#include "hw.h"
#include "nd.h"
#include "run.h"
#include "trc.h"

#define RUN_KEYWORDS_MAX 24
#define RUN_DRAIN_NS (50 * DMS_NS_PER_MS) /* traffic-free time given to finish in-flight work */

struct run_world;

/*
 * A scenario translated into the models' own parameters (run_params.c): everything a world
 * needs, with no cfg_ type left in it but the scenario it came from. Built once per point
 * and shared, read-only, by every replication of that point (on any thread). Pointers into
 * the scenario (trace paths, the empirical tables) borrow it, so the scenario outlives it.
 */
struct run_nic_params {
    char name[CFG_NAME_MAX];
    unsigned bus;                 /* index into the world's buses */
    struct hw_nic_params hw;
    struct host_nic_params host;  /* host.protocol.hold.values_ns points at hold_values */
    double *hold_values;          /* empirical hold table in double ns (owned) */
    struct nd_keyword kw[RUN_KEYWORDS_MAX];
    size_t n_kw;
    struct trc_spec trace;        /* input unset: the world supplies it */
    struct trc_size_weight *table; /* synthetic empirical size table (owned) */
    bool trace_is_file;           /* a capture or CSV file: read through a trace image */
    size_t n_extra;               /* further sources merged with trace in time */
    struct trc_spec extra[CFG_MAX_SOURCES - 1];
    struct trc_size_weight *extra_table[CFG_MAX_SOURCES - 1]; /* owned */
    bool extra_is_file[CFG_MAX_SOURCES - 1];
};

struct run_params {
    const struct cfg_scenario *sc; /* borrowed: the scenario they were made from */
    struct nd_machine_params machine;
    size_t n_faults;
    struct nd_fault *faults;      /* owned */
    size_t n_buses;
    struct hw_bus_params buses[CFG_MAX_BUSES + 1];
    struct host_cpu_params cpus;
    size_t n_nics;
    struct run_nic_params nics[CFG_MAX_NICS];
};

/* Translates sc (borrowed, must outlive p) into *p; release with run__params_fini. */
void run__params_init(struct run_params *p, const struct cfg_scenario *sc);
void run__params_fini(struct run_params *p);

/* One open image of a trace file, read by one source (run_traces.c). */
struct run_image;
struct run_cursor {
    const struct run_image *img;
    size_t pos;                   /* bytes handed out */
};

/* The image of the file at path, loaded (mapped and hashed) on first use; thread-safe.
 * Returns 0 with *out (owned by t, valid until run_traces_free), or the load's error. */
int run__traces_get(run_traces *t, const char *path, const struct run_image **out,
                    struct dms_error *err);
/* A trc_input reading img from its first byte through cur (both borrowed, kept). */
void run__image_input(const struct run_image *img, struct run_cursor *cur,
                      struct trc_input *in);
/* The hex SHA-256 of an image's bytes. */
const char *run__image_sha256(const struct run_image *img);

/*
 * The further trace sources of one NIC, merged with its first in time (run_merge.c): each
 * keeps one record of lookahead; the earliest is delivered next, equal times in source
 * order (the first source, then the list's order), so the merge is deterministic.
 */
struct run_extra_source {
    trc_source *src;
    const struct run_image *img;  /* its file's image, or NULL (synthetic) */
    struct run_cursor cursor;
    struct trc_input input;
};
struct run_merge {
    size_t n;                     /* sources, the first included: 2..CFG_MAX_SOURCES */
    trc_source *src[CFG_MAX_SOURCES];   /* src[0] is the NIC's own (borrowed) */
    struct trc_record next[CFG_MAX_SOURCES];
    uint8_t state[CFG_MAX_SOURCES];     /* 0 to read, 1 next holds a record, 2 ended */
    struct run_extra_source extra[CFG_MAX_SOURCES - 1];
};

/* The next record of the merged sources into *out: 1, 0 when all have ended, or a source's
 * error (err filled). */
int run__merge_next(struct run_merge *m, struct trc_record *out, struct dms_error *err);
/* Adds the counters of every merged source into *sum (sources after the first); where
 * *sum has no damage, the first damaged source's record, offset and message go in, and
 * *damaged_source says which (0: none of them). */
void run__merge_counters(const struct run_merge *m, struct trc_counters *sum,
                         size_t *damaged_source);

/* One NIC: its device, host side, adapter and trace source. */
struct run_nic {
    struct run_world *w;
    unsigned index;
    const struct cfg_nic *cfg;
    const struct run_nic_params *p;
    hw_nic *hw;
    host_nic *host;
    nd_adapter *ad;
    bool running;                 /* initialized and not halted */
    trc_source *src;
    struct trc_record next;       /* the record the pending event will deliver */
    eng_event ev;                 /* that event; zero when the source is done */
    const struct run_image *img;  /* the trace file's image, or NULL (synthetic) */
    struct run_cursor cursor;     /* this source's position in it */
    struct trc_input input;
    struct run_merge *merge;      /* further sources merged with src, or NULL (owned) */
    eng_lane lane;                /* where the source's records wait: outside the heap */
    /* snapshots taken at the end of initialization and at the end of the warm-up */
    uint64_t shared_after_init;
    struct nd_adapter_counters nd_w;
    DMASIM_DRIVER_STATISTICS drv_w;
    bool drv_ok;
    uint64_t for_nic;             /* records of the source addressed to this NIC */
    int64_t first_ns, last_ns;    /* times of the first and last of them (-1: none yet) */
    uint64_t unsent;              /* transmit records the host could not build (counted in
                                     the window) */
    struct run_occ_track *occ;    /* occupancy of the adapter's resources (owned) */
};

struct run_world {
    const struct cfg_scenario *sc;
    const struct run_params *p;
    run_traces *traces;           /* borrowed: where trace files are read */
    eng_sim *sim;
    nd_machine *m;
    nd_driver *drv;
    hw_bus *buses[CFG_MAX_BUSES + 1];
    host_cpus *cpus;
    struct run_nic nics[CFG_MAX_NICS];
    unsigned sources_open;
    int err_code;                 /* first error of a trace source, or 0 */
    run_tick_fn tick;             /* progress hook, or NULL */
    void *tick_ctx;
    struct run_series *series;    /* the time series being recorded, or NULL (borrowed) */
    struct dms_error err;
};

/* run_world.c */
int run__world_build(struct run_world *w, const struct run_params *p, run_traces *traces,
                     uint64_t seed, struct dms_error *err);
void run__world_free(struct run_world *w);
int run__open_sources(struct run_world *w, struct dms_error *err);

/* run_occ.c: occupancy of one adapter's resources over the measurement window */
struct run_occ_track;
/* Starts following n's adapter (all counts 0 now); freed by run__occ_free. */
void run__occ_watch(struct run_nic *n);
/* The adapter is initialized: per-base map registers are known. */
void run__occ_initialized(struct run_nic *n);
/* Starts the measurement window now (end of the warm-up). */
void run__occ_reset(struct run_nic *n);
/* Exports the distributions observed up to t_end into r->occ. */
void run__occ_collect(struct run_nic *n, struct run_nic_result *r, eng_time_ns t_end);
void run__occ_free(struct run_nic *n);

/* run.c: one replication from translated parameters (traces borrowed). */
int run__replication(const struct run_params *p, run_traces *traces, unsigned index,
                     struct run_rep *out, run_tick_fn tick, void *tick_ctx,
                     struct dms_error *err);

/* run_collect.c */
bool run__driver_stats(struct run_nic *n, DMASIM_DRIVER_STATISTICS *st);
void run__collect(struct run_world *w, struct run_rep *out, eng_time_ns t_end);
void run__collect_diags(struct run_world *w, struct run_rep *out);
/* Figures of the whole run, taken after the drain and halts (events fired). */
void run__collect_end(struct run_world *w, struct run_rep *out);

/* run_series.c */
struct run_series *run__series_new(size_t n_nics, int64_t interval_ns);
void run__series_free(struct run_series *s);
/* Records the samples due at or before now. */
void run__series_sample(struct run_world *w);

#endif
