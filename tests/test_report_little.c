/* SPDX-License-Identifier: MIT */
/*
 * test_report_little: the Little's-law check of result.json. Within a replication the two
 * sides differ only by what the packets crossing the window's edges allow (the bound the
 * run records per NIC), so the tolerance is the mean of those bounds plus rounding: a
 * bookkeeping error of 0.5% is caught where there is no edge to excuse it, and excused
 * where the edges allow it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "check.h"
#include "dms_json.h"
#include "run_result.h"
#include "run.h"

static const char yaml[] =
    "nics:\n"
    "  - trace: {synthetic: {rate: 1kpps, count: 10}}\n";

/* "holds" of nics[0].littles_law for two replications with these figures. */
static const char *holds(double occupancy, double rate_x_hold, double bound)
{
    static char out[16];
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    struct cfg_scenario *sc = NULL;
    CHECK_EQ(cfg_load_string(yaml, "little", NULL, 0, &sc, &errs), 0);
    cfg_errors_fini(&errs);
    struct run_rep reps[2];
    memset(reps, 0, sizeof reps);
    for (int r = 0; r < 2; r++) {
        reps[r].index = (unsigned)r;
        reps[r].n_nics = 1;
        snprintf(reps[r].nics[0].init_status, sizeof reps[r].nics[0].init_status,
                 "NDIS_STATUS_SUCCESS");
        reps[r].nics[0].initialized = true;
        for (size_t k = 0; k < RUN_NIC_METRIC_COUNT; k++)
            reps[r].nics[0].m[k] = NAN;
        for (size_t k = 0; k < RUN_SYS_METRIC_COUNT; k++)
            reps[r].sys[k] = NAN;
        reps[r].nics[0].m[RUN_M_RX_HELD_MEAN] = occupancy;
        reps[r].nics[0].m[RUN_M_RX_ACCEPTED_PPS] = 1e5;          /* packets per second */
        reps[r].nics[0].m[RUN_M_RX_HOLD_MEAN] = rate_x_hold * 1e4; /* ns: 1e5 x h / 1e9 */
        reps[r].nics[0].little_bound = bound;
    }
    struct run_trace_src src = {{0}};
    struct run_meta meta = {"test", "mt19937", &src};
    dms_jw *w = dms_jw_new();
    run_result_json(sc, reps, 2, &meta, w);
    const char *json = dms_jw_data(w, NULL);
    const char *at = strstr(json, "\"littles_law\"");
    CHECK(at != NULL);
    const char *h = strstr(at, "\"holds\": ");
    CHECK(h != NULL);
    snprintf(out, sizeof out, "%s", strncmp(h + 9, "true", 4) == 0    ? "true"
                                    : strncmp(h + 9, "false", 5) == 0 ? "false"
                                                                      : "other");
    dms_jw_free(w);
    cfg_scenario_free(sc);
    return out;
}

int main(void)
{
    /* exact agreement, no edges: holds */
    CHECK_STR(holds(100.0, 100.0, 0.0), "true");
    /* a 0.5% error with no packet crossing the window's edges: caught (the former
     * tolerance of 1% + 0.05 let it pass) */
    CHECK_STR(holds(100.0, 100.5, 0.0), "false");
    /* rounding only: within 1e-9 of the larger side */
    CHECK_STR(holds(100.0, 100.0 + 5e-8, 0.0), "true");
    /* the same 0.5% excused when the edges allow 0.6 packets, not when they allow 0.4 */
    CHECK_STR(holds(100.0, 100.5, 0.6), "true");
    CHECK_STR(holds(100.0, 100.5, 0.4), "false");
    printf("test_report_little: all passed\n");
    return 0;
}
