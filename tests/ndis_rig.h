/* SPDX-License-Identifier: MIT */
/*
 * ndis_rig: the test bench shared by the tests of the emulated NDIS library: an engine, a
 * machine, the test driver loaded, adapters with a recording host (protocol) and a device
 * whose registers are a plain array, and helpers to count diagnostics.
 */
#ifndef NDIS_RIG_H
#define NDIS_RIG_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "nd.h"
#include "ndis_testdrv.h"

#define RIG_MAX_ADAPTERS 4

enum rig_keep { RIG_KEEP_NONE, RIG_KEEP_ALL, RIG_KEEP_ODD };

struct rig_host {
    enum rig_keep keep;
    int receives;
    NDIS_STATUS rx_status[64];  /* status seen by the protocol, per receive */
    PNDIS_PACKET kept[64];
    int n_kept;
    int completes;
    PNDIS_PACKET completed[256];
    NDIS_STATUS complete_status[256];
    int dpcs_queued;
    bool free_on_complete;      /* free each completed packet and its buffers at once */
};

struct rig_dev {
    ULONG regs[4096];           /* 16 KiB of registers, indexed by offset / 4 */
    int reads, writes;
    ULONG last_off, last_val;
};

struct rig {
    eng_sim *sim;
    nd_machine *m;
    nd_driver *drv;
    int n;
    nd_adapter *a[RIG_MAX_ADAPTERS];
    struct rig_host host[RIG_MAX_ADAPTERS];
    struct rig_dev dev[RIG_MAX_ADAPTERS];
};

/* Builds engine (seed), machine (p, or the defaults when NULL) and loads the test driver. */
void rig_new(struct rig *r, const struct nd_machine_params *p, uint64_t seed);
void rig_free(struct rig *r);
/* Adds an adapter with the given keywords and a BAR of bar_len bytes (0: 4096). */
nd_adapter *rig_adapter(struct rig *r, const struct nd_keyword *kw, size_t n, uint32_t bar_len);
/* The test driver's context of an initialized adapter. */
struct ndis_testdrv *rig_td(nd_adapter *a);
/* The default machine parameters. */
struct nd_machine_params rig_defaults(void);
/* Adds an adapter (BAR 4 KiB), initializes it and returns the status; *out may be NULL. */
NDIS_STATUS rig_init(struct rig *r, const struct nd_keyword *kw, size_t n, nd_adapter **out);
/* Checks that no diagnostic was recorded (printing them all if some were). */
void rig_expect_clean(const struct rig *r);
/* Diagnostics of one kind recorded so far. */
size_t rig_diags(const struct rig *r, enum nd_violation v);
/* Prints every diagnostic to stderr (for a failing test's output). */
void rig_dump(const struct rig *r);

#define KW_INT(name, v) {(name), false, (v), NULL}
#define KW_STR(name, s) {(name), true, 0, (s)}

/* Diagnostic k of m, checked to exist first (nd_machine_diag gives NULL past the end). */
static inline const struct nd_diag *rig_diag(const nd_machine *m, size_t k)
{
    const struct nd_diag *d = nd_machine_diag(m, k);
    CHECK(d != NULL);
    return d;
}

#endif
