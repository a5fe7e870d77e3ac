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

/* One NIC: its device, host side, adapter and trace source. */
struct run_nic {
    struct run_world *w;
    unsigned index;
    const struct cfg_nic *cfg;
    hw_nic *hw;
    host_nic *host;
    nd_adapter *ad;
    bool running;                 /* initialized and not halted */
    trc_source *src;
    struct trc_record next;       /* the record the pending event will deliver */
    eng_event ev;                 /* that event; zero when the source is done */
    eng_lane lane;                /* where the source's records wait: outside the heap */
    struct nd_keyword kw[RUN_KEYWORDS_MAX];
    size_t n_kw;
    double *hold_values;          /* empirical hold table in double ns (owned) */
    /* snapshots taken at the end of initialization and at the end of the warm-up */
    uint64_t shared_after_init;
    struct nd_adapter_counters nd_w;
    DMASIM_DRIVER_STATISTICS drv_w;
    bool drv_ok;
    uint64_t for_nic;             /* records of the source addressed to this NIC */
    uint64_t unsent;              /* transmit records the host could not build (counted in
                                     the window) */
};

struct run_world {
    const struct cfg_scenario *sc;
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
    struct dms_error err;
};

/* run_world.c */
int run__world_build(struct run_world *w, const struct cfg_scenario *sc, uint64_t seed,
                     struct dms_error *err);
void run__world_free(struct run_world *w);
int run__open_sources(struct run_world *w, struct dms_error *err);

/* run_collect.c */
bool run__driver_stats(struct run_nic *n, DMASIM_DRIVER_STATISTICS *st);
void run__collect(struct run_world *w, struct run_rep *out, eng_time_ns t_end);
void run__collect_diags(struct run_world *w, struct run_rep *out);
/* Figures of the whole run, taken after the drain and halts (events fired). */
void run__collect_end(struct run_world *w, struct run_rep *out);

#endif
