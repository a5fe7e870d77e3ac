/* SPDX-License-Identifier: MIT */
/* recommend: internals shared by the files of the module. */
#ifndef REC_INT_H
#define REC_INT_H

#include "rec.h"

/* The keywords a search can vary. */
enum rec__kw { K_RB = 0, K_MAXRB, K_BASE, K_SENDBUF, K_LOWWATER, K_CHUNK, K_COPYTH, K_COUNT };

/*
 * The smallest k in [lo, hi] with pred(k), for a pred that is false below some threshold
 * and true from it on: galloping from start (steps 1, 2, 4, ... away from the nearest known
 * answer), then bisection between the largest known false and the smallest known true.
 */
struct rec__mono {
    int64_t lo, hi, start;
    int64_t t;    /* smallest k known true; hi + 1 while none is */
    int64_t f;    /* largest k known false; lo - 1 while none is */
    int64_t step; /* the next gallop step */
};
void rec__mono_init(struct rec__mono *m, int64_t lo, int64_t hi, int64_t start);
/* The next k to probe, or -1 when the answer is known (t, or none when t > hi). */
int64_t rec__mono_next(struct rec__mono *m);
void rec__mono_feed(struct rec__mono *m, int64_t k, bool ok);

/* One evaluated candidate of a search, reduced for one NIC. */
struct rec__probe {
    int64_t k;
    bool ran;                    /* the point ran, the NIC initialized in every replication
                                    and the machine did not hang */
    char fail[256];              /* why not */
    bool has[REC_OBJ_COUNT];
    double mean[REC_OBJ_COUNT], lo[REC_OBJ_COUNT], hi[REC_OBJ_COUNT];
    bool ok_mean, ok_lo, ok_hi;  /* every relevant objective met by mean, lower, upper CI */
    double cpu_util, bus_util, fifo_drop_share, sg_peak, base_peak;
    double proto_load;           /* accepted rate x mean hold / processors returning packets */
    char label[160];
};

/* Reduces NIC nic's figures in o: objectives in mask against sc's targets. */
void rec__reduce(const struct cfg_scenario *sc, unsigned nic, unsigned mask, double conf,
                 const struct rec_outcome *o, struct rec__probe *p);

/* The plan of one NIC within a profile's search. */

struct nicplan {
    const struct cfg_nic *c;
    unsigned F;               /* the driver's scale factor min(processors, 4) or 1 */
    uint32_t per_base;
    int64_t base_max;         /* 64 / per-base */
    bool mr;                  /* map-register DMA */
    bool growth;              /* LowWater > 0 and a ceiling above the initial buffers */
    int64_t cur[K_COUNT];     /* values in the points being built */
    bool raised[K_COUNT];     /* raised to its conservative size after a joint miss */
    bool sg;                  /* this point uses scatter-gather DMA */
    int width;                /* DMA width to set, or 0 to keep the scenario's */
    bool rx, tx, copies;      /* the baseline saw received frames, sends, copied sends */
    bool init_failed;         /* could not initialize even at the baseline */
    char init_fail[256];
    bool low_memory_binds;    /* 24-bit DMA and the baseline had to shrink for low memory */
    bool overloaded;          /* the protocols cannot return packets as fast as they come */
    int64_t est[K_COUNT];
    double base_peak;         /* most base registers mapped at once in the baseline */
    int64_t margin;           /* buffers of one sent packet */
    struct rec__probe base_probe; /* the baseline, reduced */
    struct rec__probe sg_probe;
    bool sg_probed;
    struct run_occ rx_occ, base_occ;
};

/* A search of one keyword of one NIC. */
struct unit {
    unsigned nic;
    int kw;
    unsigned mask;            /* objectives it answers to */
    int64_t lo, hi;
    int phase;                /* 0 value, 1 upper, 2 lower, 3 done */
    struct rec__mono m;
    int64_t value, upper, lower;
    bool found, decided;
    char limit[256];          /* a candidate above hi failed: why */
    struct rec__probe *cache;
    size_t n_cache, cap;
};

struct prof_ctx {
    const struct rec_profile *prof;
    const struct cfg_scenario *sc;
    const struct rec_options *opt;
    struct rec_result *res;
    struct rec_profile_answer *ans;
    unsigned pi;
    double conf;
    unsigned reps;
    struct nicplan nic[CFG_MAX_NICS];
    size_t n_units;
    struct unit units[CFG_MAX_NICS * K_COUNT];
    bool stop;
};


extern const char *const rec__kw_name[K_COUNT];
unsigned rec__rx_mask(const struct cfg_objectives *o);
unsigned rec__tx_mask(const struct cfg_objectives *o);
/* A point with every NIC as planned in x; search points also lift the pool limit. */
void rec__make_point(const struct prof_ctx *x, struct rec_point *pt, bool pool_unlimited,
                     const char *label);
/* Runs n points through the evaluator, counting the replications run. */
int rec__evaluate(struct prof_ctx *x, struct rec_point *pts, size_t n, struct rec_outcome *out,
                  struct dms_error *err);
void rec__outcome_free(struct rec_outcome *o);
bool rec__budget_allows(struct prof_ctx *x, size_t n_points);
struct unit *rec__find_unit(struct prof_ctx *x, unsigned nic, int kw);
/* rec_decide.c: values and reasons from the searches and hard limits, fitted to the
 * system pool and costed (rec__settle); rec__confirm then runs them. */
void rec__decide(struct prof_ctx *x);
/* Fits the grants to the system pool and costs every NIC's values. */
void rec__settle(struct prof_ctx *x);
/* Appends to a value's reason, or adds a note to a NIC's answer. */
void rec__why_more(struct rec_value *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rec__note(struct rec_nic_answer *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The next free entry of a's missed objectives, cleared (REC_MAX_UNMET bounds them all). */
struct rec_unmet *rec__unmet_add(struct rec_nic_answer *a);
/* Objective k's target value (NaN for an unknown k), and whether the scenario set one. */
double rec__target_of(const struct cfg_objectives *o, int k);
bool rec__has_target(const struct cfg_objectives *o, int k);
/* rec_out.c: figure v of objective k as the sentences and the table print it: stall
 * times in us, memory in bytes, "not measured" for NaN. Returns buf. */
const char *rec__fmt_fig(int k, double v, char *buf, size_t n);
/* The same, with the digits that tell v from the target it is compared with. */
const char *rec__fmt_near(int k, double v, double target, char *buf, size_t n);
/* rec.c: a search's probe at size k, or NULL where none was run. */
const struct rec__probe *rec__probe_at(const struct unit *u, int64_t k);
/* A value's figure (mean, CI upper) at probe at, or NaN where at did not measure it. */
void rec__set_figure(struct rec_value *v, const struct rec__probe *at);
/* The most base registers worth holding: what the traffic had in flight plus one packet's
 * buffers, at most 64 / per-base, at least 1. */
int64_t rec__base_cap(const struct nicplan *p);
/* NIC answer a's value for keyword kw, or NULL. */
struct rec_value *rec__value_of(struct rec_nic_answer *a, const char *kw);
/* PacketPoolSize's value and reason, derived from the pool's ceiling p->cur[K_MAXRB]. */
void rec__packet_pool(const struct nicplan *p, struct rec_value *v);
/* Fits the drawing grants to a limited system pool (cutting the largest) and states it. */
void rec__fit_pool(struct prof_ctx *x);
/* The memory, map-register and descriptor costs of each of NIC i's values. */
void rec__value_costs(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a);

/* rec_confirm.c: the confirmation run (and, where the keywords together missed, the
 * raise to conservative sizes and a second run). */
int rec__confirm(struct prof_ctx *x, struct dms_error *err);

#endif
