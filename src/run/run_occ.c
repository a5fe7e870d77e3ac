/* SPDX-License-Identifier: MIT */
/*
 * run_occ: exact occupancy distributions of one adapter's resources.
 *
 * The emulated NDIS tells a watcher every new in-use count of the adapter's base map
 * registers, scatter-gather map registers, packet and buffer descriptors and shared memory
 * (nd_adapter_watch_levels); the host's protocol already keeps the level of the receive
 * buffers it holds. Counts go into stats_level objects (an exact time per value); shared
 * memory, whose values are byte counts that change only at initialization and growth, goes
 * into a short sparse list of (bytes, time) instead. Every window starts at the end of the
 * warm-up and ends where the run's figures end, so the distributions cover the same time as
 * the other figures.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "run_int.h"

static const char *const occ_names[] = {
#define RUN_OCC_NAME_(id, name) name,
    RUN_OCC_RESOURCES(RUN_OCC_NAME_)
#undef RUN_OCC_NAME_
};

const char *run_occ_name(enum run_occ_resource r) { return occ_names[r]; }

/* A level that takes few distinct values: (value, closed time) pairs in first-seen order. */
struct sparse {
    int64_t value, t_last;
    size_t n, cap;
    struct run_occ_point *v;
};

struct run_occ_track {
    eng_sim *sim;
    uint32_t per_base;                 /* map registers per base register, once known */
    bool sg;                           /* scatter-gather DMA: map registers from SG lists */
    stats_level lv[RUN_OCC_COUNT];     /* all but RX_BUFFERS (the protocol's) and SHARED */
    struct sparse shared;
};

static void sparse_credit(struct sparse *s, int64_t now)
{
    int64_t dt = now - s->t_last;
    s->t_last = now;
    if (dt <= 0)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].in_use == s->value) {
            s->v[i].time_ns += dt;
            return;
        }
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->v = dms_xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = (struct run_occ_point){s->value, dt};
}

static void set_level(stats_level *l, int64_t now, uint64_t v)
{
    int64_t x = v > (uint64_t)STATS_LEVEL_MAX ? STATS_LEVEL_MAX : (int64_t)v;
    int rc = stats_level_set(l, now, x);
    assert(rc == 0);
    (void)rc;
}

static void on_level(void *ctx, enum nd_level k, uint64_t in_use)
{
    struct run_occ_track *t = ctx;
    int64_t now = eng_now(t->sim);
    switch (k) {
    case ND_LEVEL_BASE_MAPPED:
        set_level(&t->lv[RUN_OCC_BASE_MAP_REGISTERS], now, in_use);
        set_level(&t->lv[RUN_OCC_MAP_REGISTERS], now, in_use * t->per_base);
        break;
    case ND_LEVEL_SG_MAP_REGISTERS:
        set_level(&t->lv[RUN_OCC_MAP_REGISTERS], now, in_use);
        break;
    case ND_LEVEL_PACKETS: set_level(&t->lv[RUN_OCC_PACKETS], now, in_use); break;
    case ND_LEVEL_BUFFERS: set_level(&t->lv[RUN_OCC_BUFFERS], now, in_use); break;
    case ND_LEVEL_SHARED_BYTES:
        sparse_credit(&t->shared, now);
        t->shared.value = (int64_t)in_use;
        break;
    default: break;
    }
}

static bool dense(enum run_occ_resource r)
{
    return r != RUN_OCC_RX_BUFFERS && r != RUN_OCC_SHARED_BYTES;
}

void run__occ_watch(struct run_nic *n)
{
    struct run_occ_track *t = dms_xcalloc(1, sizeof *t);
    t->sim = n->w->sim;
    int64_t now = eng_now(t->sim);
    for (int r = 0; r < RUN_OCC_COUNT; r++) {
        if (dense((enum run_occ_resource)r)) {
            int rc = stats_level_init(&t->lv[r], now, 0);
            assert(rc == 0);
            (void)rc;
        }
    }
    t->shared.t_last = now;
    n->occ = t;
    nd_adapter_watch_levels(n->ad, on_level, t);
}

void run__occ_initialized(struct run_nic *n)
{
    struct nd_adapter_counters c;
    nd_adapter_counters(n->ad, &c);
    n->occ->per_base = c.map_registers_per_base;
    n->occ->sg = c.scatter_gather;
}

void run__occ_reset(struct run_nic *n)
{
    struct run_occ_track *t = n->occ;
    int64_t now = eng_now(t->sim);
    for (int r = 0; r < RUN_OCC_COUNT; r++)
        if (dense((enum run_occ_resource)r))
            stats_level_reset_window(&t->lv[r], now);
    t->shared.n = 0;
    t->shared.t_last = now;
}

static int point_cmp(const void *a, const void *b)
{
    const struct run_occ_point *x = a, *y = b;
    return (x->in_use > y->in_use) - (x->in_use < y->in_use);
}

/* The distribution of a stats_level up to t_end. */
static void from_level(const stats_level *l, eng_time_ns t_end, struct run_occ *o)
{
    int64_t len = stats_level_hist_len(l);
    size_t cnt = 0;
    for (int64_t k = 0; k < len; k++)
        cnt += stats_level_time_at(l, t_end, k) > 0;
    o->v = cnt ? dms_xcalloc(cnt, sizeof *o->v) : NULL;
    o->n = 0;
    o->total_ns = 0;
    for (int64_t k = 0; k < len; k++) {
        int64_t dt = stats_level_time_at(l, t_end, k);
        if (dt > 0) {
            o->v[o->n++] = (struct run_occ_point){k, dt};
            o->total_ns += dt;
        }
    }
}

void run__occ_collect(struct run_nic *n, struct run_nic_result *r, eng_time_ns t_end)
{
    struct run_occ_track *t = n->occ;
    for (int k = 0; k < RUN_OCC_COUNT; k++) {
        if (dense((enum run_occ_resource)k))
            from_level(&t->lv[k], t_end, &r->occ[k]);
    }
    from_level(host_protocol_held_level(host_nic_protocol(n->host)), t_end,
               &r->occ[RUN_OCC_RX_BUFFERS]);
    sparse_credit(&t->shared, t_end);
    struct run_occ *o = &r->occ[RUN_OCC_SHARED_BYTES];
    o->n = t->shared.n;
    o->v = o->n ? dms_xcalloc(o->n, sizeof *o->v) : NULL;
    if (o->n) {
        memcpy(o->v, t->shared.v, o->n * sizeof *o->v);
        qsort(o->v, o->n, sizeof *o->v, point_cmp);
    }
    o->total_ns = 0;
    for (size_t i = 0; i < o->n; i++)
        o->total_ns += o->v[i].time_ns;
}

void run__occ_free(struct run_nic *n)
{
    struct run_occ_track *t = n->occ;
    if (!t)
        return;
    if (n->ad)
        nd_adapter_watch_levels(n->ad, NULL, NULL);
    for (int r = 0; r < RUN_OCC_COUNT; r++)
        if (dense((enum run_occ_resource)r))
            stats_level_fini(&t->lv[r]);
    free(t->shared.v);
    free(t);
    n->occ = NULL;
}

/* Adds the points of src into the ascending list *dst (n entries, capacity cap). */
static void pool_into(struct run_occ_point **dst, size_t *n, size_t *cap,
                      const struct run_occ *src)
{
    for (size_t j = 0; j < src->n; j++) {
        const struct run_occ_point *p = &src->v[j];
        size_t lo = 0, hi = *n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if ((*dst)[mid].in_use < p->in_use)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < *n && (*dst)[lo].in_use == p->in_use) {
            (*dst)[lo].time_ns += p->time_ns;
            continue;
        }
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            *dst = dms_xrealloc(*dst, *cap * sizeof **dst);
        }
        memmove(*dst + lo + 1, *dst + lo, (*n - lo) * sizeof **dst);
        (*dst)[lo] = *p;
        (*n)++;
    }
}

void run_occupancy_pool(const struct run_rep *reps, size_t n_reps, size_t nic,
                        enum run_occ_resource r, struct run_occ *out)
{
    size_t cap = 0;
    *out = (struct run_occ){0};
    for (size_t k = 0; k < n_reps; k++) {
        pool_into(&out->v, &out->n, &cap, &reps[k].nics[nic].occ[r]);
        out->total_ns += reps[k].nics[nic].occ[r].total_ns;
    }
}
