/* SPDX-License-Identifier: MIT */
/*
 * run_warn: warnings about what a run's measurement cannot say. Each names its cause:
 *   empty_window                 the window from the end of the warm-up to the end of the
 *                                traffic has no length, so every rate and share is null;
 *   trace_shorter_than_warmup    a NIC's last record comes before the warm-up ends, so none
 *                                of its traffic is measured;
 *   identical_replications       every replication gave the same figures, so every
 *                                confidence half-width is 0: the message says which parts
 *                                of the scenario are deterministic.
 * Pure: a function of the scenario and the replications.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "run_result.h"

static struct run_warning *add(struct run_warning *out, size_t *k, const char *code, int nic)
{
    if (*k >= RUN_MAX_WARNINGS)
        return NULL;
    struct run_warning *w = &out[(*k)++];
    w->code = code;
    w->nic = nic;
    w->message[0] = '\0';
    return w;
}

static bool same(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* True when every figure of every replication equals replication 0's. */
static bool all_identical(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n)
{
    for (size_t r = 1; r < n; r++) {
        for (size_t i = 0; i < sc->n_nics; i++)
            for (size_t k = 0; k < RUN_NIC_METRIC_COUNT; k++)
                if (!same(reps[r].nics[i].m[k], reps[0].nics[i].m[k]))
                    return false;
        for (size_t k = 0; k < RUN_SYS_METRIC_COUNT; k++)
            if (!same(reps[r].sys[k], reps[0].sys[k]))
                return false;
    }
    return true;
}

/* Appends to buf the parts of the scenario that draw random numbers, "; "-separated.
 * Returns how many there are. */
static int random_parts(const struct cfg_scenario *sc, char *buf, size_t len)
{
    int k = 0;
    size_t used = 0;
    buf[0] = '\0';
#define PART(...)                                                                          \
    do {                                                                                   \
        if (used < len)                                                                    \
            used += (size_t)snprintf(buf + used, len - used, "%s", k++ ? ", " : "");       \
        if (used < len)                                                                    \
            used += (size_t)snprintf(buf + used, len - used, __VA_ARGS__);                 \
    } while (0)
    for (size_t i = 0; i < sc->n_nics; i++) {
        const struct cfg_nic *c = &sc->nics[i];
        for (size_t s = 0; s <= c->n_extra_traces; s++) {
            const struct cfg_trace *t = s == 0 ? &c->trace : &c->extra_traces[s - 1];
            const struct cfg_synthetic *sy = &t->synthetic;
            if (t->kind == CFG_TRACE_SYNTHETIC &&
                (sy->arrivals != CFG_ARRIVALS_CONSTANT || sy->sizes != CFG_SIZES_FIXED))
                PART("%s's synthetic traffic", c->name);
            if (t->direction == CFG_DIR_RANDOM)
                PART("%s's random directions", c->name);
        }
        if (c->protocol.hold.dist != CFG_HOLD_CONSTANT)
            PART("%s's hold times", c->name);
        if (c->sender.high_memory_share > 0 && sc->system.pae)
            PART("%s's buffer placement", c->name);
    }
    for (size_t f = 0; f < sc->n_faults; f++)
        if (sc->faults[f].probability > 0) {
            PART("fault %zu's probability", f);
            break;
        }
#undef PART
    return k;
}

static void identical(const struct cfg_scenario *sc, struct run_warning *w, size_t n)
{
    char parts[256];
    int k = random_parts(sc, parts, sizeof parts);
    bool capture = false;
    for (size_t i = 0; i < sc->n_nics; i++)
        capture |= sc->nics[i].trace.kind != CFG_TRACE_SYNTHETIC;
    if (k == 0)
        snprintf(w->message, sizeof w->message,
                 "the %zu replications are identical, so every confidence half-width is 0: "
                 "%s and the hold times are deterministic, so replications differ only by "
                 "their seeds, which nothing in this scenario draws on; use a random hold "
                 "distribution or synthetic traffic for a spread",
                 n, capture ? "the capture" : "the synthetic traffic");
    else
        snprintf(w->message, sizeof w->message,
                 "the %zu replications are identical, so every confidence half-width is 0: "
                 "the random parts (%.200s) changed no figure, for example because no "
                 "traffic reached them in the window",
                 n, parts);
}

size_t run_warnings(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                    const struct run_summary *s, struct run_warning *out)
{
    (void)s;
    size_t k = 0;
    const int64_t warmup = sc->run.warmup_ns;
    bool hung = false;
    for (size_t r = 0; r < n; r++)
        hung |= reps[r].hung;
    for (size_t r = 0; r < n && !hung; r++) {
        double end = reps[r].sys[RUN_M_SYS_SIM_NS];
        if (isfinite(end) && end <= (double)warmup) {
            struct run_warning *w = add(out, &k, "empty_window", -1);
            if (w)
                snprintf(w->message, sizeof w->message,
                         "the measurement window is empty: the traffic ends at %.0f ns, "
                         "not after the warm-up of %lld ns, so rates and shares are null "
                         "(replication %zu; shorten run.warmup or lengthen the trace)",
                         end, (long long)warmup, r);
            break;
        }
    }
    for (size_t i = 0; i < sc->n_nics && !hung && warmup > 0; i++) {
        const struct run_trace_info *t = &reps[0].traces[i];
        if (t->for_nic == 0 || t->last_ns >= warmup)
            continue;
        struct run_warning *w = add(out, &k, "trace_shorter_than_warmup", (int)i);
        if (w)
            snprintf(w->message, sizeof w->message,
                     "%s's trace ends at %lld ns, before the warm-up of %lld ns ends: none "
                     "of its %llu records is measured (loop the trace, or shorten "
                     "run.warmup)",
                     sc->nics[i].name, (long long)t->last_ns, (long long)warmup,
                     (unsigned long long)t->for_nic);
    }
    for (size_t i = 0; i < sc->n_nics; i++) {
        /* under on_damage: keep the run goes on with what came before the damage; a
         * summary that did not say so would read as the whole capture's */
        const struct run_trace_info *t = &reps[0].traces[i];
        if (!t->damaged)
            continue;
        const struct cfg_nic *c = &sc->nics[i];
        const struct cfg_trace *src = t->damage_source == 0 ? &c->trace
                                      : t->damage_source <= c->n_extra_traces
                                          ? &c->extra_traces[t->damage_source - 1]
                                          : NULL;
        char at[48] = "";
        if (t->damage_record >= 0)
            snprintf(at, sizeof at, " at record %lld", (long long)t->damage_record);
        struct run_warning *w = add(out, &k, "trace_damaged", (int)i);
        if (w)
            snprintf(w->message, sizeof w->message,
                     "%s's trace %s is damaged%s: %.160s; with on_damage: keep each pass "
                     "over it ended there, so only the records before it were replayed",
                     c->name, src && src->path ? src->path : "(a merged source)", at,
                     t->damage_msg);
    }
    if (n > 1 && !hung && all_identical(sc, reps, n)) {
        struct run_warning *w = add(out, &k, "identical_replications", -1);
        if (w)
            identical(sc, w, n);
    }
    return k;
}
