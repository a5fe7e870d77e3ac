/* SPDX-License-Identifier: MIT */
/*
 * rec: the sizing search of one profile, step by step.
 *
 * 1. Baseline: every NIC generous (receive buffers well above need, the most base map
 *    registers the 64-register limit allows, the system pool unlimited), with replications.
 *    Its exact occupancy distributions give the starting estimates: for the receive pool,
 *    the truncation of the buffers-in-use distribution at N, p(N) / P(in use <= N), is the
 *    loss a pool of N would see (exactly Erlang B for Poisson arrivals); for base map
 *    registers, the 99th percentile in use plus one packet's buffers.
 * 2. Per-resource searches, all NICs at once: each resource a monotone problem with the
 *    others held generous, galloping from its estimate, then bisecting; first for the
 *    smallest size whose mean meets the objectives (value), then whose CI upper bound does
 *    (upper), then whose lower bound does (lower). Candidates of one step go to the
 *    evaluator together.
 * 3. Dependent resources (the growth ceiling, send buffers, copy threshold) with the first
 *    ones fixed; then the growth settings (low-water mark, chunk) with the ceiling fixed.
 * 4. Hard limits: 64 map registers per miniport (by the search range), the system pool
 *    shared by the NICs that draw on it (grants cut until they fit together, so the
 *    recommendation cannot hang a PAE machine), the driver's own minimums.
 * 5. A joint confirmation run at the recommended point on the real machine.
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_int.h"
#include "stats.h"

#define RB_MAX 4096         /* ReceiveBuffers range of the driver */
#define MAXRB_MAX 16384     /* MaxReceiveBuffers range */
#define SENDBUF_MAX 4096
#define LOWWATER_MAX 4096   /* LowWater range of the driver (0 turns growth off) */
#define CHUNK_MAX 4096      /* AsyncChunk range */
#define COPY_MAX 1514       /* a copy buffer holds one frame: above, a threshold copies no more */
#define BASE_PEAK_Q 0.99    /* base-register estimate: this quantile in use + one packet */
#define SG_PER_BASE 8       /* per-base at or above which scatter-gather is compared */
#define OVERLOAD 0.98       /* protocol load from which held buffers grow without bound */

const char *const rec__kw_name[K_COUNT] = {"ReceiveBuffers", "MaxReceiveBuffers",
                                             "BaseMapRegistersNeeded", "SendBuffers",
                                             "LowWater", "AsyncChunk", "CopyThreshold"};

const char *rec_objective_name(enum rec_objective o)
{
    static const char *const n[] = {"rx_drop_rate", "resources_share", "tx_stall_p99",
                                    "memory"};
    return o < REC_OBJ_COUNT ? n[o] : "?";
}

unsigned rec__rx_mask(const struct cfg_objectives *o)
{
    return (o->has_rx_drop_rate ? 1u << REC_OBJ_RX_DROP_RATE : 0) |
           (o->has_resources_share ? 1u << REC_OBJ_RESOURCES_SHARE : 0);
}

unsigned rec__tx_mask(const struct cfg_objectives *o)
{
    return o->has_tx_stall_p99 ? 1u << REC_OBJ_TX_STALL_P99 : 0;
}

static uint32_t per_base_of(int64_t max_buffer, int64_t page)
{
    return (uint32_t)((max_buffer + page - 2) / page + 1);
}

static void plan_init(struct prof_ctx *x)
{
    const struct cfg_scenario *sc = x->sc;
    for (unsigned i = 0; i < sc->n_nics; i++) {
        struct nicplan *p = &x->nic[i];
        memset(p, 0, sizeof *p);
        const struct cfg_nic *c = p->c = &sc->nics[i];
        const struct cfg_driver *d = &c->driver;
        p->F = d->scale_with_processors ? (unsigned)DMS_MIN(sc->system.processors, 4) : 1;
        p->per_base = per_base_of(d->maximum_buffer_size_bytes, sc->system.page_size_bytes);
        p->base_max = 64 / p->per_base;
        p->mr = c->dma.model != CFG_DMA_SCATTER_GATHER;
        p->growth = d->low_water > 0 && d->max_receive_buffers > d->receive_buffers;
        p->cur[K_RB] = DMS_MIN(RB_MAX, DMS_MAX(d->receive_buffers, 256 / p->F));
        p->cur[K_MAXRB] = DMS_MAX(d->max_receive_buffers, p->cur[K_RB]);
        p->cur[K_BASE] = p->base_max;
        p->cur[K_SENDBUF] = d->send_buffers;
        p->cur[K_LOWWATER] = d->low_water;
        p->cur[K_CHUNK] = d->async_chunk;
        p->cur[K_COPYTH] = d->copy_threshold_bytes;
        p->margin = c->sender.fragments + (c->sender.header_bytes > 0);
    }
}

/* ---------------------------------------------------------------- points */

static void add_set(struct rec_point *pt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_set(struct rec_point *pt, const char *fmt, ...)
{
    assert(pt->n_sets < REC_MAX_SETS); /* room for every NIC's keywords by construction */
    if (pt->n_sets >= REC_MAX_SETS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pt->sets[pt->n_sets++], REC_SET_LEN, fmt, ap);
    va_end(ap);
}

/* The NIC's keywords as the plan holds them now. */
static void nic_sets(const struct nicplan *p, unsigned i, struct rec_point *pt)
{
    add_set(pt, "nics[%u].driver.ReceiveBuffers=%lld", i, (long long)p->cur[K_RB]);
    add_set(pt, "nics[%u].driver.MaxReceiveBuffers=%lld", i,
            (long long)DMS_MAX(p->cur[K_MAXRB], p->cur[K_RB]));
    /* one packet and one buffer descriptor per receive buffer: the pool follows the ceiling */
    add_set(pt, "nics[%u].driver.PacketPoolSize=0", i);
    if (p->sg) {
        add_set(pt, "nics[%u].dma.model=scatter_gather", i);
    } else if (p->mr) {
        add_set(pt, "nics[%u].driver.BaseMapRegistersNeeded=%lld", i, (long long)p->cur[K_BASE]);
        add_set(pt, "nics[%u].driver.MinimumBaseMapRegisters=%lld", i,
                (long long)DMS_MIN(p->c->driver.minimum_base_map_registers, p->cur[K_BASE]));
    }
    add_set(pt, "nics[%u].driver.SendBuffers=%lld", i, (long long)p->cur[K_SENDBUF]);
    add_set(pt, "nics[%u].driver.CopyThreshold=%lld", i, (long long)p->cur[K_COPYTH]);
    if (p->growth) {
        add_set(pt, "nics[%u].driver.LowWater=%lld", i, (long long)p->cur[K_LOWWATER]);
        add_set(pt, "nics[%u].driver.AsyncChunk=%lld", i, (long long)p->cur[K_CHUNK]);
    }
    if (p->width)
        add_set(pt, "nics[%u].dma.width=%d", i, p->width);
}

/* A point with every NIC as planned; search points also lift the pool limit. */
void rec__make_point(const struct prof_ctx *x, struct rec_point *pt, bool pool_unlimited,
                       const char *label)
{
    memset(pt, 0, sizeof *pt);
    snprintf(pt->label, sizeof pt->label, "%s", label);
    for (unsigned i = 0; i < x->sc->n_nics; i++)
        nic_sets(&x->nic[i], i, pt);
    if (pool_unlimited)
        add_set(pt, "system.map_register_pool=unlimited");
}

void rec__outcome_free(struct rec_outcome *o)
{
    for (size_t r = 0; r < o->n_reps; r++)
        run_rep_fini(&o->reps[r]);
    free(o->reps);
    memset(o, 0, sizeof *o);
}

bool rec__budget_allows(struct prof_ctx *x, size_t n_points)
{
    const struct rec_options *o = x->opt;
    if (o->out_of_time && o->out_of_time(o->stop_ctx))
        return false;
    return !o->max_runs || x->res->runs + (uint64_t)n_points * x->reps <= o->max_runs;
}

int rec__evaluate(struct prof_ctx *x, struct rec_point *pts, size_t n, struct rec_outcome *out,
                    struct dms_error *err)
{
    memset(out, 0, n * sizeof *out);
    int rc = x->opt->eval(x->opt->eval_ctx, x->prof, pts, n, out, err);
    for (size_t i = 0; i < n; i++) {
        x->res->runs += out[i].n_reps;
        x->ans->runs += out[i].n_reps;
    }
    return rc;
}

/* ---------------------------------------------------------------- baseline and estimates */

/* Smallest total N whose truncated loss p(N) / P(<= N) is at most target. */
static int64_t truncation_estimate(const struct run_occ *o, double target)
{
    if (!o->n || o->total_ns <= 0)
        return 1;
    double cdf = 0;
    size_t j = 0;
    int64_t top = o->v[o->n - 1].in_use;
    for (int64_t n = 0; n <= top + 1; n++) {
        double pn = 0;
        if (j < o->n && o->v[j].in_use == n)
            pn = (double)o->v[j++].time_ns / (double)o->total_ns;
        cdf += pn;
        if (n >= 1 && cdf > 0 && pn / cdf <= target)
            return n;
    }
    return top + 1;
}

/* Smallest q with P(in use > q) <= share. */
static int64_t tail_estimate(const struct run_occ *o, double share)
{
    double above = 1;
    for (size_t j = 0; j < o->n; j++) {
        above -= (double)o->v[j].time_ns / (double)o->total_ns;
        if (above <= share)
            return o->v[j].in_use;
    }
    return o->n ? o->v[o->n - 1].in_use : 0;
}

static void estimates(struct prof_ctx *x, unsigned i, const struct rec_outcome *o)
{
    struct nicplan *p = &x->nic[i];
    const struct cfg_objectives *ob = &x->sc->objectives;
    run_occupancy_pool(o->reps, o->n_reps, i, RUN_OCC_RX_BUFFERS, &p->rx_occ);
    run_occupancy_pool(o->reps, o->n_reps, i, RUN_OCC_BASE_MAP_REGISTERS, &p->base_occ);
    int64_t n_tot = 1;
    if (ob->has_rx_drop_rate)
        n_tot = truncation_estimate(&p->rx_occ, ob->rx_drop_rate);
    if (ob->has_resources_share) {
        int64_t q = tail_estimate(&p->rx_occ, ob->resources_share) + p->c->driver.low_water;
        n_tot = DMS_MAX(n_tot, q);
    }
    p->est[K_RB] = DMS_MIN(RB_MAX, DMS_MAX(1, (n_tot + p->F - 1) / p->F));
    int64_t q99 = 0;
    double above = 1;
    for (size_t j = 0; j < p->base_occ.n; j++) {
        above -= (double)p->base_occ.v[j].time_ns / (double)p->base_occ.total_ns;
        if (above <= 1 - BASE_PEAK_Q) {
            q99 = p->base_occ.v[j].in_use;
            break;
        }
    }
    p->est[K_BASE] = DMS_MIN(p->base_max, DMS_MAX(1, q99 + p->margin));
    p->base_peak = isfinite(p->base_probe.base_peak) ? p->base_probe.base_peak : 0;
    double frames = 0, sends = 0, copied = 0;
    for (size_t r = 0; r < o->n_reps; r++) {
        const double *m = o->reps[r].nics[i].m;
        frames += isfinite(m[RUN_M_RX_FRAMES]) ? m[RUN_M_RX_FRAMES] : 0;
        sends += isfinite(m[RUN_M_TX_PACKETS]) ? m[RUN_M_TX_PACKETS] : 0;
        copied += isfinite(m[RUN_M_TX_COPIED]) ? m[RUN_M_TX_COPIED] : 0;
    }
    p->rx = frames > 0;
    p->tx = sends > 0;
    p->copies = copied > 0;
}

/*
 * The baseline. A NIC that fails to initialize with generous buffers (not enough shared or
 * low memory) gets half of them and the baseline is repeated, a few times; one whose
 * buffers ran full gets twice as many.
 */
static int baseline(struct prof_ctx *x, struct dms_error *err)
{
    for (int attempt = 0; attempt < 6; attempt++) {
        struct rec_point pt;
        char label[32];
        snprintf(label, sizeof label, attempt ? "baseline-%d" : "baseline", attempt);
        rec__make_point(x, &pt, true, label);
        struct rec_outcome o;
        int rc = rec__evaluate(x, &pt, 1, &o, err);
        if (rc)
            return rc;
        bool again = false;
        for (unsigned i = 0; i < x->sc->n_nics; i++) {
            struct nicplan *p = &x->nic[i];
            rec__reduce(x->sc, i, 0, x->conf, &o, &p->base_probe);
            /* memmove: GCC's -Wrestrict cannot tell that label is not the probe's own */
            size_t label_len = strnlen(label, sizeof p->base_probe.label - 1);
            memmove(p->base_probe.label, label, label_len);
            p->base_probe.label[label_len] = '\0';
            p->init_failed = !p->base_probe.ran;
            _Static_assert(sizeof p->init_fail == sizeof p->base_probe.fail, "fail texts");
            memcpy(p->init_fail, p->base_probe.fail, sizeof p->init_fail);
            if (o.rc)
                continue;
            if (p->init_failed && p->cur[K_RB] > 1 && !o.reps[0].hung) {
                p->cur[K_RB] = DMS_MAX(1, p->cur[K_RB] / 2);
                p->cur[K_MAXRB] = DMS_MAX(p->c->driver.max_receive_buffers, p->cur[K_RB]);
                p->low_memory_binds |= p->c->dma.width_bits == 24;
                again = true;
                continue;
            }
            if (p->init_failed)
                continue;
            free(p->rx_occ.v);
            free(p->base_occ.v);
            estimates(x, i, &o);
            int64_t top = p->rx_occ.n ? p->rx_occ.v[p->rx_occ.n - 1].in_use : 0;
            /* (an overloaded protocol holds every buffer however many: no point doubling) */
            if (top * 10 >= (int64_t)p->F * p->cur[K_RB] * 9 && p->cur[K_RB] < RB_MAX &&
                attempt < 3 && !(p->base_probe.proto_load >= OVERLOAD)) {
                p->cur[K_RB] = DMS_MIN(RB_MAX, 2 * p->cur[K_RB]);
                p->cur[K_MAXRB] = DMS_MAX(p->cur[K_MAXRB], p->cur[K_RB]);
                again = true;
            }
        }
        rec__outcome_free(&o);
        if (!again)
            return 0;
    }
    return 0;
}

/* ---------------------------------------------------------------- searches */

static void unit_add(struct prof_ctx *x, unsigned nic, int kw, unsigned mask, int64_t lo,
                     int64_t hi, int64_t start)
{
    struct unit *u = &x->units[x->n_units++];
    memset(u, 0, sizeof *u);
    u->nic = nic;
    u->kw = kw;
    u->mask = mask;
    u->lo = lo;
    u->hi = hi;
    rec__mono_init(&u->m, lo, hi, start);
}

const struct rec__probe *rec__probe_at(const struct unit *u, int64_t k)
{
    for (size_t i = 0; i < u->n_cache; i++)
        if (u->cache[i].k == k)
            return &u->cache[i];
    return NULL;
}

static bool pred(const struct unit *u, const struct rec__probe *p)
{
    return u->phase == 0 ? p->ok_mean : u->phase == 1 ? p->ok_hi : p->ok_lo;
}

/* Ends the unit's current phase and starts the next one. */
static void unit_phase_done(struct unit *u)
{
    bool found = u->m.t <= u->m.hi;
    if (u->phase == 0) {
        u->found = found;
        u->value = found ? u->m.t : u->hi;
        if (!found) {
            u->phase = 3;
            u->decided = true;
            u->upper = u->lower = u->value;
            return;
        }
        u->phase = 1;
        rec__mono_init(&u->m, u->value, u->hi, u->value);
    } else if (u->phase == 1) {
        u->upper = found ? u->m.t : -1; /* -1: no size has its upper bound meet */
        u->phase = 2;
        rec__mono_init(&u->m, u->lo, u->value, u->value - 1);
        u->m.t = u->value;
    } else {
        u->lower = u->m.t <= u->m.hi ? u->m.t : u->value;
        u->phase = 3;
        u->decided = true;
    }
}

/* The next candidate of u not yet measured, or -1 when u is done. */
static int64_t unit_next(struct unit *u)
{
    while (u->phase < 3) {
        int64_t k = rec__mono_next(&u->m);
        if (k < 0) {
            unit_phase_done(u);
            continue;
        }
        const struct rec__probe *p = rec__probe_at(u, k);
        if (!p)
            return k;
        rec__mono_feed(&u->m, k, p->ran && pred(u, p));
    }
    return -1;
}

/* A failed candidate above everything known to work is a hard limit: the range ends
 * below it. */
static void unit_feed(struct unit *u, const struct rec__probe *p)
{
    if (u->n_cache == u->cap) {
        u->cap = u->cap ? 2 * u->cap : 16;
        u->cache = dms_xrealloc(u->cache, u->cap * sizeof *u->cache);
    }
    u->cache[u->n_cache++] = *p;
    if (!p->ran && u->m.t > u->m.hi && p->k > u->lo && p->k > u->m.f) {
        u->hi = p->k - 1;
        u->m.hi = u->hi;
        u->m.t = u->hi + 1;
        snprintf(u->limit, sizeof u->limit, "%s", p->fail);
        return;
    }
    rec__mono_feed(&u->m, p->k, p->ran && pred(u, p));
}

static void curve_add(struct prof_ctx *x, const struct unit *u, const struct rec__probe *p)
{
    struct rec_result *r = x->res;
    for (int k = 0; k < REC_OBJ_COUNT; k++) {
        if (!(u->mask & (1u << k)) || !p->has[k])
            continue;
        r->curve = dms_xrealloc(r->curve, (r->n_curve + 1) * sizeof *r->curve);
        struct rec_curve_row *c = &r->curve[r->n_curve++];
        c->profile = x->pi;
        c->nic = u->nic;
        snprintf(c->keyword, sizeof c->keyword, "%s", rec__kw_name[u->kw]);
        c->value = p->k;
        c->objective = k;
        c->mean = p->mean[k];
        c->lo = p->lo[k];
        c->hi = p->hi[k];
        snprintf(c->label, sizeof c->label, "%s", p->label);
    }
}

/* Runs every unit from first to n to completion, a batch of candidates per step. */
static int run_units(struct prof_ctx *x, size_t first, struct dms_error *err)
{
    size_t cap = x->n_units - first;
    struct rec_point *pts = dms_xcalloc(cap ? cap : 1, sizeof *pts);
    struct rec_outcome *out = dms_xcalloc(cap ? cap : 1, sizeof *out);
    size_t *who = dms_xcalloc(cap ? cap : 1, sizeof *who);
    int64_t *ks = dms_xcalloc(cap ? cap : 1, sizeof *ks);
    int rc = 0;
    for (;;) {
        size_t n = 0;
        for (size_t j = first; j < x->n_units; j++) {
            int64_t k = unit_next(&x->units[j]);
            if (k >= 0)
                who[n] = j, ks[n++] = k;
        }
        if (n == 0)
            break;
        while (n > 0 && !rec__budget_allows(x, n))
            n--; /* the budget may still allow part of the step */
        if (n == 0) {
            x->stop = true;
            break;
        }
        for (size_t b = 0; b < n; b++) {
            struct unit *u = &x->units[who[b]];
            struct nicplan *p = &x->nic[u->nic];
            int64_t saved = p->cur[u->kw];
            p->cur[u->kw] = ks[b];
            char label[160];
            snprintf(label, sizeof label, "%s/%s/%lld", p->c->name, rec__kw_name[u->kw],
                     (long long)ks[b]);
            rec__make_point(x, &pts[b], true, label);
            p->cur[u->kw] = saved;
        }
        rc = rec__evaluate(x, pts, n, out, err);
        for (size_t b = 0; b < n && rc == 0; b++) {
            struct unit *u = &x->units[who[b]];
            struct rec__probe pr;
            memset(&pr, 0, sizeof pr);
            pr.k = ks[b];
            rec__reduce(x->sc, u->nic, u->mask, x->conf, &out[b], &pr);
            snprintf(pr.label, sizeof pr.label, "%s", pts[b].label);
            unit_feed(u, &pr);
            curve_add(x, u, &pr);
        }
        for (size_t b = 0; b < n; b++)
            rec__outcome_free(&out[b]);
        if (rc)
            break;
    }
    /* units the budget cut short keep what they know */
    for (size_t j = first; j < x->n_units; j++) {
        struct unit *u = &x->units[j];
        if (u->phase == 3)
            continue;
        if (u->phase == 0) {
            u->found = u->m.t <= u->m.hi;
            u->value = u->found ? u->m.t : u->hi;
            u->upper = u->lower = u->value;
        } else if (u->phase == 1) {
            u->upper = u->m.t <= u->m.hi ? u->m.t : -1;
            u->lower = u->value;
        } else {
            u->lower = u->m.t;
        }
        u->decided = false;
        u->phase = 3;
    }
    free(pts);
    free(out);
    free(who);
    free(ks);
    return rc;
}

struct unit *rec__find_unit(struct prof_ctx *x, unsigned nic, int kw)
{
    for (size_t j = 0; j < x->n_units; j++)
        if (x->units[j].nic == nic && x->units[j].kw == kw)
            return &x->units[j];
    return NULL;
}

/* Stage 1: the receive pools and the base map registers of every NIC. */
static void stage1_units(struct prof_ctx *x)
{
    const struct cfg_objectives *ob = &x->sc->objectives;
    for (unsigned i = 0; i < x->sc->n_nics; i++) {
        struct nicplan *p = &x->nic[i];
        if (p->init_failed)
            continue;
        /* a protocol that cannot keep up holds ever more buffers: what a finite trace
         * needs then says only how long the trace is */
        p->overloaded = p->rx && p->base_probe.proto_load >= OVERLOAD;
        if (p->rx && rec__rx_mask(ob) && !p->overloaded) {
            int64_t hi = DMS_MIN(RB_MAX, p->low_memory_binds ? p->cur[K_RB] : RB_MAX);
            unit_add(x, i, K_RB, rec__rx_mask(ob), 1, hi, p->est[K_RB]);
        }
        if (p->mr && p->tx && rec__tx_mask(ob))
            /* fewer base registers than one packet's buffers: the driver copies every send */
            unit_add(x, i, K_BASE, rec__tx_mask(ob), DMS_MIN(p->margin, p->base_max),
                     p->base_max, p->est[K_BASE]);
    }
}

/* Stage 2: growth ceilings and send buffers, with stage 1's values in place. */
static void stage2_units(struct prof_ctx *x)
{
    const struct cfg_objectives *ob = &x->sc->objectives;
    for (unsigned i = 0; i < x->sc->n_nics; i++) {
        struct nicplan *p = &x->nic[i];
        struct unit *rb = rec__find_unit(x, i, K_RB), *base = rec__find_unit(x, i, K_BASE);
        if (rb && rb->found && p->growth) {
            p->cur[K_RB] = rb->value;
            /* the baseline's estimate of the whole pool is where the ceiling search starts */
            unit_add(x, i, K_MAXRB, rec__rx_mask(ob), rb->value,
                     DMS_MAX(p->cur[K_MAXRB], rb->value), DMS_MAX(rb->value, p->est[K_RB]));
        }
        if (base && base->found && p->copies) {
            p->cur[K_BASE] = base->value;
            /* from the scenario's count, down if it meets, up to the driver's range if not */
            unit_add(x, i, K_SENDBUF, rec__tx_mask(ob), 1,
                     DMS_MAX(SENDBUF_MAX, p->c->driver.send_buffers), p->c->driver.send_buffers);
            /* Copying a short send spares its map registers and costs processor time per
             * byte: the smallest threshold that meets the stall objective copies no more
             * than it needs. Stalls never rise with the threshold (a copy needs no
             * register, and without a free copy buffer the send is mapped as before). */
            int64_t ct = p->c->driver.copy_threshold_bytes;
            unit_add(x, i, K_COPYTH, rec__tx_mask(ob), 0, DMS_MAX(ct, COPY_MAX), ct);
        }
    }
}

/*
 * Stage 3: the growth settings, with the initial buffers and the ceiling at their values.
 * Both are monotone against the drop rate: a larger mark starts growth (and RESOURCES
 * indications, whose packets come back at once) sooner, a larger chunk brings more buffers
 * per allocation. The mark is searched against rx_drop_rate alone, since its RESOURCES
 * indications count against resources_share: the smallest mark that keeps the drops within
 * target makes the fewest of them (the confirmation checks resources_share). The chunk
 * answers to both receive objectives.
 */
static void stage3_units(struct prof_ctx *x)
{
    const struct cfg_objectives *ob = &x->sc->objectives;
    for (unsigned i = 0; i < x->sc->n_nics; i++) {
        struct nicplan *p = &x->nic[i];
        struct unit *rb = rec__find_unit(x, i, K_RB), *mx = rec__find_unit(x, i, K_MAXRB);
        if (!p->growth || !rb || !rb->found || !mx || !mx->found)
            continue;
        p->cur[K_RB] = rb->value;
        p->cur[K_MAXRB] = mx->value;
        if (mx->value <= rb->value)
            continue; /* no room to grow at the recommended ceiling: neither acts */
        const struct cfg_driver *d = &p->c->driver;
        int64_t pool = p->F * mx->value; /* buffers at the ceiling, after the scaling */
        if (ob->has_rx_drop_rate)
            unit_add(x, i, K_LOWWATER, 1u << REC_OBJ_RX_DROP_RATE, 1,
                     DMS_MAX(d->low_water, DMS_MIN(LOWWATER_MAX, pool)), d->low_water);
        unit_add(x, i, K_CHUNK, rec__rx_mask(ob), 1,
                 DMS_MAX(d->async_chunk, DMS_MIN(CHUNK_MAX, p->F * (mx->value - rb->value))),
                 d->async_chunk);
    }
}

/* Scatter-gather candidates for NICs whose buffers take many map registers each. */
static int sg_probes(struct prof_ctx *x, struct dms_error *err)
{
    const struct cfg_objectives *ob = &x->sc->objectives;
    for (unsigned i = 0; i < x->sc->n_nics; i++) {
        struct nicplan *p = &x->nic[i];
        if (!p->mr || !p->tx || p->init_failed || p->per_base < SG_PER_BASE)
            continue;
        if (!rec__budget_allows(x, 1)) {
            x->stop = true;
            return 0;
        }
        p->sg = true;
        struct rec_point pt;
        char label[160];
        snprintf(label, sizeof label, "%s/ScatterGatherDma/1", p->c->name);
        rec__make_point(x, &pt, true, label);
        p->sg = false;
        struct rec_outcome o;
        int rc = rec__evaluate(x, &pt, 1, &o, err);
        if (rc == 0) {
            rec__reduce(x->sc, i, rec__rx_mask(ob) | rec__tx_mask(ob), x->conf, &o, &p->sg_probe);
            snprintf(p->sg_probe.label, sizeof p->sg_probe.label, "%s", label);
            p->sg_probed = true;
        }
        rec__outcome_free(&o);
        if (rc)
            return rc;
    }
    return 0;
}

int rec_run(const struct rec_profile *profiles, size_t n, const struct rec_options *opt,
            struct rec_result *out, struct dms_error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return 0;
    const struct cfg_scenario *sc0 = profiles[0].sc;
    out->n_nics = sc0->n_nics;
    for (size_t i = 0; i < sc0->n_nics; i++)
        snprintf(out->nic_names[i], CFG_NAME_MAX, "%s", sc0->nics[i].name);
    out->profiles = dms_xcalloc(n, sizeof *out->profiles);
    out->n_profiles = n;
    out->confidence = sc0->objectives.confidence;
    out->replications = (unsigned)sc0->run.replications;
    out->met = true;
    int rc = 0;
    for (size_t pi = 0; pi < n && rc == 0; pi++) {
        struct prof_ctx *x = dms_xcalloc(1, sizeof *x);
        x->prof = &profiles[pi];
        x->sc = profiles[pi].sc;
        x->opt = opt;
        x->res = out;
        x->ans = &out->profiles[pi];
        x->ans->prof = profiles[pi];
        x->ans->prof.sc = NULL;
        x->pi = (unsigned)pi;
        x->conf = x->sc->objectives.confidence;
        x->reps = (unsigned)x->sc->run.replications;
        plan_init(x);
        rc = baseline(x, err);
        if (rc == 0) {
            stage1_units(x);
            rc = run_units(x, 0, err);
        }
        if (rc == 0 && !x->stop)
            rc = sg_probes(x, err);
        if (rc == 0 && !x->stop) {
            size_t first = x->n_units;
            stage2_units(x);
            rc = run_units(x, first, err);
        }
        if (rc == 0 && !x->stop) {
            size_t first = x->n_units;
            stage3_units(x);
            rc = run_units(x, first, err);
        }
        if (rc == 0) {
            rec__decide(x);
            rc = rec__confirm(x, err);
        }
        x->ans->budget_spent = x->stop;
        out->budget_spent |= x->stop;
        out->met &= x->ans->met;
        for (size_t j = 0; j < x->n_units; j++)
            free(x->units[j].cache);
        for (unsigned i = 0; i < CFG_MAX_NICS; i++) {
            free(x->nic[i].rx_occ.v);
            free(x->nic[i].base_occ.v);
        }
        free(x);
    }
    if (rc)
        rec_result_fini(out);
    return rc;
}

void rec_result_fini(struct rec_result *r)
{
    free(r->profiles);
    free(r->curve);
    memset(r, 0, sizeof *r);
}
