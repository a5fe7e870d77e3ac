/* SPDX-License-Identifier: MIT */
/*
 * recommend: the sizing search that turns simulations into driver keywords.
 *
 * For every NIC of a scenario and every machine profile (a uniprocessor client, an SMP
 * server, the scenario's own machine), the search finds the smallest BaseMapRegistersNeeded,
 * receive buffers, growth ceiling and settings, pool descriptors and send buffers that meet the
 * scenario's objectives, and says for each number what decided it: an objective (with the
 * measured figure at the value and at the next size down) or a hard limit (the 64 map
 * registers NDIS allows a miniport, the system pool on PAE, low memory for 24-bit DMA, the
 * driver's own range). docs/recommend.md describes the method.
 *
 * The module never runs a simulation itself: it asks an evaluator callback to run
 * candidate points (the profile's scenario plus "key.path=value" overrides in the grammar
 * of --set) with the scenario's replications, and reduces the replications itself (means
 * and Student-t intervals from src/stats). Replication r of every candidate uses the same
 * random streams (the seed depends only on the master seed and r), so differences between
 * candidates are not noise. The result depends only on the scenario and the evaluator's
 * results: it does not read the clock, print, or write files.
 */
#ifndef REC_H
#define REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "dms.h"
#include "dms_json.h"
#include "run.h"

#define REC_SCHEMA_VERSION 1
#define REC_MAX_SETS (11 * CFG_MAX_NICS + 4) /* overrides in one candidate point */
#define REC_SET_LEN 96       /* longest override */
#define REC_MAX_VALUES 12    /* keywords reported per NIC and profile */
#define REC_MAX_NOTES 8
/* objectives missed per NIC and profile: one per searched keyword, the initialization,
 * the protocols' overload and each objective the confirmation missed (7 + 2 + 4) */
#define REC_MAX_UNMET 16
#define REC_TEXT 1024
#define REC_PROFILE_SETS 24  /* overrides of a profile (the user's --set included) */
/* resources_share a profile adds where the scenario sets rx_drop_rate alone */
#define REC_DEFAULT_RESOURCES_SHARE 0.01

/* A machine profile: what it changes in the scenario, and the scenario it gives. */
struct rec_profile {
    char name[32];                /* "up", "smp", "as-is", or as given */
    int processors;
    double traffic_scale;         /* 1: traffic as given; else every trace's speedup x this */
    size_t n_sets;
    char sets[REC_PROFILE_SETS][REC_SET_LEN]; /* overrides: the user's, then the profile's */
    const struct cfg_scenario *sc; /* the scenario with those overrides (borrowed) */
};

/* A candidate point: the profile's scenario plus overrides. */
struct rec_point {
    char label[160];              /* folder of its runs, relative to the profile's */
    size_t n_sets;
    char sets[REC_MAX_SETS][REC_SET_LEN];
};

/* What running a point gave. */
struct rec_outcome {
    int rc;                       /* 0, or why the point could not run (e.g. refused keys) */
    char error[256];
    size_t n_reps;
    struct run_rep *reps;         /* n_reps replications; owned, released by rec */
};

/*
 * Runs n points of profile prof, each with the scenario's replications, and fills out[0..n)
 * (zeroed by the caller). A point that cannot run is an outcome with rc set; the return
 * value is 0, or a negative DMS_E* code (err filled) for a failure that makes every point
 * meaningless (an unreadable trace), which ends the search.
 */
typedef int (*rec_eval_fn)(void *ctx, const struct rec_profile *prof,
                           const struct rec_point *pts, size_t n, struct rec_outcome *out,
                           struct dms_error *err);

/* True when the time budget is spent (polled between search steps); may be NULL. */
typedef bool (*rec_stop_fn)(void *ctx);

struct rec_options {
    rec_eval_fn eval;
    void *eval_ctx;
    rec_stop_fn out_of_time;
    void *stop_ctx;
    uint64_t max_runs;            /* budget in replications run; 0 = no limit */
};

/* The objectives the search knows, in the order of struct cfg_objectives. */
enum rec_objective {
    REC_OBJ_RX_DROP_RATE = 0,
    REC_OBJ_RESOURCES_SHARE,
    REC_OBJ_TX_STALL_P99,
    REC_OBJ_MEMORY,
    REC_OBJ_COUNT
};
const char *rec_objective_name(enum rec_objective o);

enum rec_binding {
    REC_BIND_OBJECTIVE = 0, /* the smallest size meeting an objective */
    REC_BIND_LIMIT,         /* a hard limit (NDIS, the HAL pool, low memory, the driver) */
    REC_BIND_RULE,          /* a rule of the reference documents, not a measurement */
    REC_BIND_KEPT,          /* not searched: the scenario's value is kept, with the reason */
};

/* One recommended keyword value and its reason. */
struct rec_value {
    char keyword[32];             /* the driver keyword, as NdisReadConfiguration reads it */
    int64_t value;
    int64_t lower, upper;         /* from the CI bounds; equal to value when not searched */
    bool decided;                 /* the search bracketed it (false: the budget ran out) */
    bool repeats_limit;           /* the value only repeats a floor or a ceiling */
    enum rec_binding binding;
    int objective;                /* REC_BIND_OBJECTIVE: an enum rec_objective */
    double target;
    double at_value, at_value_hi; /* the objective's figure at the value: mean, CI upper */
    int64_t next_down;            /* the next size down, or -1 (value is the floor) */
    double at_next_down;          /* the figure there (NaN when not measured) */
    char limit[48];               /* LIMIT / RULE: its name, e.g. "map_registers_per_miniport" */
    /* what the value costs (NaN where it does not apply) */
    double cost_shared_bytes;     /* shared memory of the buffers it sizes (before page rounding) */
    double cost_map_registers;    /* of the miniport's 64 */
    double cost_pool_map_registers; /* from the system pool */
    double cost_descriptors;      /* packet descriptors, and as many buffer descriptors */
    char why[REC_TEXT];           /* one sentence */
};

/* An objective no size met: the best reached, where, and what limits it. */
struct rec_unmet {
    int objective;
    double target, best;
    char keyword[32];
    int64_t at_size;
    char limited_by[REC_TEXT];
    bool undecided;               /* the budget stopped the search before a size met it */
};

/* The answer for one NIC on one profile. */
struct rec_nic_answer {
    bool met;                     /* every objective met at the confirmation run */
    bool scatter_gather;          /* the advice is scatter-gather DMA */
    size_t n_values;
    struct rec_value values[REC_MAX_VALUES];
    /* cost at the recommended point (confirmation run, means) */
    double shared_memory_bytes, shared_memory_peak_bytes;
    double map_registers;         /* of the miniport's 64 */
    bool pool_drawn;              /* the grant (or SG bouncing) draws on the system pool */
    double pool_map_registers;    /* taken from the system pool (0 when not drawn) */
    double packet_descriptors, buffer_descriptors;
    /* the objectives at the confirmation run */
    bool has_obj[REC_OBJ_COUNT];
    double obj_target[REC_OBJ_COUNT], obj_mean[REC_OBJ_COUNT], obj_hi[REC_OBJ_COUNT];
    bool obj_met[REC_OBJ_COUNT];
    size_t n_unmet;
    struct rec_unmet unmet[REC_MAX_UNMET];
    size_t n_notes;
    char notes[REC_MAX_NOTES][REC_TEXT];
};

struct rec_profile_answer {
    struct rec_profile prof;      /* copy (prof.sc is not valid after rec_run returns) */
    bool met;
    bool hung;                    /* the confirmation run hung the machine */
    bool budget_spent;            /* the search stopped on the budget, not on a decision */
    bool reconfirmed;             /* the values at their mean sizes missed together, so they
                                     rose to their upper sizes and were confirmed again */
    uint64_t runs;                /* replications run for this profile */
    int64_t pool_size;            /* the system pool, -1 unlimited */
    int64_t pool_granted;         /* sum of the recommended grants that draw on it */
    char pool_statement[REC_TEXT];
    struct rec_nic_answer nics[CFG_MAX_NICS];
};

/* One measured point of a sizing curve (a keyword's value against an objective). */
struct rec_curve_row {
    unsigned profile, nic;
    char keyword[32];
    int64_t value;
    int objective;
    double mean, lo, hi;          /* lo/hi: the CI; equal to mean with one replication */
    char label[160];
};

struct rec_result {
    size_t n_nics;
    char nic_names[CFG_MAX_NICS][CFG_NAME_MAX];
    size_t n_profiles;
    struct rec_profile_answer *profiles;
    uint64_t runs;                /* replications run in all */
    bool budget_spent;
    bool met;                     /* every NIC on every profile met its objectives */
    size_t n_curve;
    struct rec_curve_row *curve;
    double confidence;
    unsigned replications;
};

/*
 * Searches every NIC on each of the n profiles (borrowed; each profile's scenario is the
 * one to size) and fills *out (release with rec_result_fini). Returns 0 (objectives not
 * met is a result: out->met false), or the evaluator's error.
 */
int rec_run(const struct rec_profile *profiles, size_t n, const struct rec_options *opt,
            struct rec_result *out, struct dms_error *err);

void rec_result_fini(struct rec_result *r);

/*
 * Makes the default profiles for sc: "up" (1 processor) and "smp" (sc's processors if above
 * 1, else 4), or those named in list ("up,smp,as-is"; "smp=8" sets the processors; a suffix
 * "*2" also scales the traffic by 2). Each profile's sets start with the n_user overrides
 * (borrowed strings, e.g. the command line's --set), then its own (and, where sc sets an
 * rx_drop_rate objective but no resources_share and a NIC has LowWater above 0,
 * resources_share REC_DEFAULT_RESOURCES_SHARE). Fills out[] (room for 8)
 * and *n; the caller resolves each profile's sets into its scenario. Returns 0, or
 * DMS_EINVAL with err naming the bad entry.
 */
int rec_profiles_parse(const struct cfg_scenario *sc, const char *list,
                       const char *const *user, size_t n_user, struct rec_profile *out,
                       size_t *n, struct dms_error *err);

/*
 * The evaluator on the run API (rec_eval_fn; pass a struct rec_runner as its ctx): each
 * point is doc resolved with the profile's and the point's overrides; all points of a call
 * run on one job pool (run_points) of `threads` threads. keep, if not NULL, gets every point
 * that ran (its scenario and replications, borrowed), e.g. to write its result folder; a
 * non-zero return ends the search with that error.
 */
struct rec_runner {
    const cfg_doc *doc;
    unsigned threads;
    run_traces *traces;           /* trace files read once for every point; NULL: per step */
    int (*keep)(void *ctx, const struct rec_profile *prof, const struct rec_point *pt,
                const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                struct dms_error *err);
    void *keep_ctx;
};
int rec_runner_eval(void *runner, const struct rec_profile *prof, const struct rec_point *pts,
                    size_t n, struct rec_outcome *out, struct dms_error *err);

/* Resolves doc with prof's overrides and, if pt is not NULL, pt's. Returns 0 with *sc set
 * (the caller frees it), or the loader's error with its first line in why. */
int rec_resolve(const cfg_doc *doc, const struct rec_profile *prof, const struct rec_point *pt,
                struct cfg_scenario **sc, char *why, size_t n);

/* Writes recommendation.json into w (empty). scenario names the scenario file. */
void rec_write_json(const struct rec_result *r, const char *scenario,
                    const char *dmasim_version, dms_jw *w);

/* The sizing curves as CSV (a row per measured point); heap string, the caller frees. */
char *rec_curves_csv(const struct rec_result *r);

/* The console table: a row per keyword, a column per profile, one block per NIC, then the
 * reasons. Heap string, the caller frees. */
char *rec_table(const struct rec_result *r);

#endif
