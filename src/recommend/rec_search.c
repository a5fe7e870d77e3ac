/* SPDX-License-Identifier: MIT */
/*
 * rec_search: the monotone search and the reduction of a candidate's replications.
 *
 * A resource is sized as a monotone problem: more of it never makes an objective worse, so
 * "the objective is met at size k" is false below a threshold and true from it on. The
 * search gallops away from a starting estimate (1, 2, 4, ... sizes) until it has a size on
 * each side, then bisects; with a good estimate it needs two or three candidates.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rec_int.h"
#include "stats.h"

void rec__mono_init(struct rec__mono *m, int64_t lo, int64_t hi, int64_t start)
{
    m->lo = lo;
    m->hi = hi;
    m->start = start < lo ? lo : start > hi ? hi : start;
    m->t = hi + 1;
    m->f = lo - 1;
    m->step = 1;
}

int64_t rec__mono_next(struct rec__mono *m)
{
    if (m->hi < m->lo)
        return -1;
    if (m->t > m->hi) { /* nothing known true yet: gallop up */
        if (m->f >= m->hi)
            return -1;
        if (m->f < m->lo)
            return m->start;
        int64_t k = m->f + m->step;
        m->step *= 2;
        return k > m->hi ? m->hi : k;
    }
    if (m->t == m->lo || m->t - m->f <= 1)
        return -1;
    if (m->f < m->lo) { /* nothing known false yet: gallop down */
        int64_t k = m->t - m->step;
        m->step *= 2;
        return k < m->lo ? m->lo : k;
    }
    return m->f + (m->t - m->f) / 2;
}

void rec__mono_feed(struct rec__mono *m, int64_t k, bool ok)
{
    if (ok && k < m->t)
        m->t = k;
    if (!ok && k > m->f)
        m->f = k;
    if (m->f >= m->t) /* not monotone after all: trust the larger true */
        m->f = m->t - 1;
}

static const enum run_nic_metric obj_metric[REC_OBJ_COUNT] = {
    [REC_OBJ_RX_DROP_RATE] = RUN_M_RX_DROP_RATE,
    [REC_OBJ_RESOURCES_SHARE] = RUN_M_RX_RESOURCES_SHARE,
    [REC_OBJ_TX_STALL_P99] = RUN_M_TX_STALL_P99,
    [REC_OBJ_MEMORY] = RUN_M_MEM_SHARED_PEAK,
};

/* Mean and CI of metric m of NIC nic over the replications that measured it. */
static bool metric_ci(const struct rec_outcome *o, unsigned nic, enum run_nic_metric m,
                      double conf, double *mean, double *lo, double *hi)
{
    double x[1000];
    size_t n = 0;
    for (size_t r = 0; r < o->n_reps && n < 1000; r++) {
        double v = o->reps[r].nics[nic].m[m];
        if (isfinite(v))
            x[n++] = v;
    }
    if (n == 0)
        return false;
    stats_ci ci;
    if (stats_ci_t(x, n, conf, &ci))
        return false;
    *mean = ci.mean;
    bool spread = isfinite(ci.half_width);
    *lo = spread ? ci.lo : ci.mean;
    *hi = spread ? ci.hi : ci.mean;
    return true;
}

static double sys_mean(const struct rec_outcome *o, enum run_sys_metric m)
{
    double s = 0;
    size_t n = 0;
    for (size_t r = 0; r < o->n_reps; r++)
        if (isfinite(o->reps[r].sys[m]))
            s += o->reps[r].sys[m], n++;
    return n ? s / (double)n : NAN;
}

static double nic_max(const struct rec_outcome *o, unsigned nic, enum run_nic_metric m)
{
    double best = NAN;
    for (size_t r = 0; r < o->n_reps; r++) {
        double v = o->reps[r].nics[nic].m[m];
        if (isfinite(v) && !(v <= best))
            best = v;
    }
    return best;
}

static bool ran_ok(const struct rec_outcome *o, unsigned nic, char *why, size_t n)
{
    if (o->rc) {
        snprintf(why, n, "%s", o->error[0] ? o->error : "the point could not run");
        return false;
    }
    for (size_t r = 0; r < o->n_reps; r++) {
        const struct run_rep *rep = &o->reps[r];
        if (rep->hung) {
            snprintf(why, n, "the machine hung: %s asked for %llu map registers, %llu left",
                     rep->hang_nic, (unsigned long long)rep->hang_requested,
                     (unsigned long long)rep->hang_left);
            return false;
        }
        if (!rep->nics[nic].initialized) {
            snprintf(why, n, "initialization failed with %s", rep->nics[nic].init_status);
            return false;
        }
    }
    return o->n_reps > 0;
}

void rec__reduce(const struct cfg_scenario *sc, unsigned nic, unsigned mask, double conf,
                 const struct rec_outcome *o, struct rec__probe *p)
{
    p->fail[0] = '\0';
    p->ran = ran_ok(o, nic, p->fail, sizeof p->fail);
    p->ok_mean = p->ok_lo = p->ok_hi = p->ran;
    for (int k = 0; k < REC_OBJ_COUNT; k++) {
        p->has[k] = false;
        p->mean[k] = p->lo[k] = p->hi[k] = NAN;
        if (!p->ran)
            continue;
        p->has[k] = metric_ci(o, nic, obj_metric[k], conf, &p->mean[k], &p->lo[k], &p->hi[k]);
        if (!(mask & (1u << k)) || !rec__has_target(&sc->objectives, k) || !p->has[k])
            continue;
        double t = rec__target_of(&sc->objectives, k);
        p->ok_mean &= p->mean[k] <= t;
        p->ok_lo &= p->lo[k] <= t;
        p->ok_hi &= p->hi[k] <= t;
    }
    if (!p->ran)
        return;
    p->cpu_util = sys_mean(o, RUN_M_SYS_CPU_UTIL);
    p->bus_util = sys_mean(o, RUN_M_SYS_BUS_UTIL);
    double fifo = 0, frames = 0;
    for (size_t r = 0; r < o->n_reps; r++) {
        const double *m = o->reps[r].nics[nic].m;
        if (isfinite(m[RUN_M_RX_FIFO_DROPS]) && isfinite(m[RUN_M_RX_FRAMES]))
            fifo += m[RUN_M_RX_FIFO_DROPS], frames += m[RUN_M_RX_FRAMES];
    }
    p->fifo_drop_share = frames > 0 ? fifo / frames : NAN;
    p->sg_peak = nic_max(o, nic, RUN_M_TX_SG_PEAK);
    p->proto_load = NAN;
    /* the hold each packet asks for, not the measured hold (which includes the wait for a
     * processor when they are all busy) */
    const struct cfg_hold *h = &sc->nics[nic].protocol.hold;
    double hold = (double)h->mean_ns, pps, l1, h1;
    if (h->dist == CFG_HOLD_EMPIRICAL) {
        double sw = 0, sv = 0;
        for (size_t j = 0; j < h->n_values; j++)
            sw += h->weights[j], sv += h->weights[j] * (double)h->values_ns[j];
        hold = sw > 0 ? sv / sw : NAN;
    }
    if (sc->nics[nic].protocol.servers == CFG_SERVERS_PROCESSORS &&
        metric_ci(o, nic, RUN_M_RX_ACCEPTED_PPS, conf, &pps, &l1, &h1))
        p->proto_load = pps * hold / 1e9 / sc->system.processors;
    p->base_peak = nic_max(o, nic, RUN_M_TX_BASE_PEAK);
}
