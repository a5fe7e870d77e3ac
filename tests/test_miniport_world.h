/* SPDX-License-Identifier: MIT */
/*
 * test_miniport_world: the test bench of test_miniport, a whole simulated world around the
 * SimNIC miniport core, wired by hand as the run module wires it.
 *
 * A world is an engine, a machine, the miniport loaded with nd_driver_load(SimNicDriverEntry),
 * one bus, processors, and per NIC a SimNIC, a host_nic and an adapter configured with
 * registry keywords. Between the emulation and each host_nic sits a recording layer that
 * keeps the time and status of every indicated packet and every send completion (the
 * first MPT_MAX_REC of each; later ones are only counted). Traffic comes from engine events
 * (mpt_frames_at, mpt_submit_at, mpt_ev_stream). Every failed check aborts the test.
 *
 * Invariant: a world built with mpt_world_build is released either with mpt_world_free
 * (initialization failed) or with mpt_world_finish, which returns held packets, drains the
 * engine, halts every running adapter and checks that the verifier recorded nothing.
 */
#ifndef TEST_MINIPORT_WORLD_H
#define TEST_MINIPORT_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eng.h"
#include "host.h"
#include "hw.h"
#include "nd.h"
#include "ndis.h"

#define MPT_MAX_NICS 2
#define MPT_MAX_KW 24
#define MPT_MAX_REC 128 /* indications and completions recorded per NIC */

struct mpt_rx_rec {
    eng_time_ns t_ns;       /* when the protocol saw the packet */
    NDIS_STATUS status;     /* its status in the indication */
};

struct mpt_tx_rec {
    eng_time_ns done_ns;    /* when the completion reached the protocol */
    eng_time_ns sent_ns;    /* the packet's OOB TimeSent in ns (100 ns units x 100) */
    NDIS_STATUS status;
};

struct mpt_nic {
    hw_nic *hw;
    host_nic *host;
    nd_adapter *ad;
    eng_sim *sim;
    struct mpt_rx_rec rx[MPT_MAX_REC];
    size_t n_rx;            /* packets indicated (all, not only those recorded) */
    struct mpt_tx_rec tx[MPT_MAX_REC];
    size_t n_tx;            /* send completions */
};

struct mpt_cfg {
    struct nd_machine_params machine;   /* processors also sizes host_cpus */
    struct hw_bus_params bus;
    struct hw_nic_params nic;           /* every NIC; MAC byte 5 = index + 1 */
    struct host_nic_params host;
    struct nd_keyword kw[MPT_MAX_KW];   /* names borrowed (string literals) */
    size_t n_kw;
    unsigned n_nics;                    /* 1..MPT_MAX_NICS */
};

struct mpt_world {
    eng_sim *sim;
    nd_machine *m;
    nd_driver *drv;
    hw_bus *bus;
    host_cpus *cpus;
    unsigned n_nics;
    struct mpt_nic nic[MPT_MAX_NICS];
};

/* Defaults meant for hand computation: machine defaults, a bus of 1 byte/ns without
 * overhead, SimNIC defaults (1 Gbit/s = 8 ns per byte, 16 KiB FIFO), processors that cost
 * nothing, protocols that return at once (constant hold 0, infinite servers), one NIC, no
 * keyword (driver defaults). */
void mpt_cfg_default(struct mpt_cfg *c);
/* Adds an integer registry keyword; name is borrowed. */
void mpt_cfg_kw(struct mpt_cfg *c, const char *name, ULONG value);

/* Builds the world up to, not including, MiniportInitialize (seed 1). *w must stay where it
 * is until it is released (the adapters point into it). */
void mpt_world_build(struct mpt_world *w, const struct mpt_cfg *c);
/* Initializes every adapter and checks success and no diagnostic. */
void mpt_world_init(struct mpt_world *w);
/* Frees everything without halting (for failed initializations). */
void mpt_world_free(struct mpt_world *w);
/* The clean end: held packets returned, engine drained, running adapters halted, then
 * checks zero diagnostics and every submitted send completed; frees the world. */
void mpt_world_finish(struct mpt_world *w);
/* Prints every diagnostic of m and checks there is none. */
void mpt_check_no_diags(const nd_machine *m);

/* The driver's OID_DMASIM_DRIVER_STATISTICS, checked to succeed. */
void mpt_drv_stats(nd_adapter *a, DMASIM_DRIVER_STATISTICS *s);
/* A 64-bit counter OID (OID_GEN_RCV_NO_BUFFER...), checked to succeed. */
uint64_t mpt_query_u64(nd_adapter *a, NDIS_OID oid);

/* count frames of len bytes start arriving at NIC t at time when, back to back. */
void mpt_frames_at(struct mpt_nic *t, eng_time_ns when, uint32_t count, uint32_t len);
/* count packets of len bytes (frags payload fragments) are submitted at time when. */
void mpt_submit_at(struct mpt_nic *t, eng_time_ns when, uint32_t count, uint16_t frags,
                   uint32_t len);

/* A stream: a len-byte frame every period_ns, until until_ns. Start it with
 * eng_at(sim, t0, mpt_ev_stream, &stream, 0); the struct must outlive it. */
struct mpt_stream {
    hw_nic *hw;
    uint32_t len;
    eng_time_ns period_ns, until_ns;
};
void mpt_ev_stream(eng_sim *sim, void *ctx, uint64_t arg);

/* The groups of cases in test_miniport_faults.c, called from test_miniport.c's main. */
void mpt_test_async_growth(void);
void mpt_test_faults(void);

#endif
