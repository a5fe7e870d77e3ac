/* SPDX-License-Identifier: MIT */
/*
 * rec_decide: from searches to recommended values, each with what decided it.
 *
 * A searched value is bound by an objective (the figure at the value and at the next size
 * down are given) unless it sits on the keyword's floor, where it only repeats the driver's
 * minimum and says so. Rules of the reference documents cap what the searches found: never
 * more base map registers than the traffic had in flight plus one packet's buffers, at most
 * 64 map registers per miniport, the system pool shared by the NICs that draw on it.
 * Scatter-gather DMA is advised where its buffers would take many map registers each and it
 * meets the objectives at a lower cost, or map registers cannot meet them. The confirmation
 * run (rec_confirm.c) then puts every NIC at its recommended values on the real machine.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <assert.h>
#include <string.h>

#include "rec_int.h"

#define SATURATED 0.95 /* utilisation from which processors or the bus limit */

static struct rec_value *val_add(struct rec_nic_answer *a, const char *kw, int64_t v,
                                 enum rec_binding b)
{
    if (a->n_values >= REC_MAX_VALUES)
        return &a->values[REC_MAX_VALUES - 1];
    struct rec_value *r = &a->values[a->n_values++];
    memset(r, 0, sizeof *r);
    snprintf(r->keyword, sizeof r->keyword, "%s", kw);
    r->value = r->lower = r->upper = v;
    r->decided = true;
    r->binding = b;
    r->objective = -1;
    r->next_down = -1;
    r->target = r->at_value = r->at_value_hi = r->at_next_down = NAN;
    r->cost_shared_bytes = r->cost_map_registers = r->cost_pool_map_registers = NAN;
    r->cost_descriptors = NAN;
    return r;
}

static void why(struct rec_value *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(struct rec_value *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->why, sizeof v->why, fmt, ap);
    va_end(ap);
}

void rec__why_more(struct rec_value *v, const char *fmt, ...)
{
    size_t len = strlen(v->why);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->why + len, sizeof v->why - len, fmt, ap);
    va_end(ap);
}

void rec__note(struct rec_nic_answer *a, const char *fmt, ...)
{
    if (a->n_notes >= REC_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->notes[a->n_notes++], REC_TEXT, fmt, ap);
    va_end(ap);
}

struct rec_unmet *rec__unmet_add(struct rec_nic_answer *a)
{
    assert(a->n_unmet < REC_MAX_UNMET && "REC_MAX_UNMET counts every source of a miss");
    struct rec_unmet *m = &a->unmet[a->n_unmet < REC_MAX_UNMET - 1 ? a->n_unmet++ : a->n_unmet];
    memset(m, 0, sizeof *m);
    return m;
}

double rec__target_of(const struct cfg_objectives *o, int k)
{
    switch (k) {
    case REC_OBJ_RX_DROP_RATE: return o->rx_drop_rate;
    case REC_OBJ_RESOURCES_SHARE: return o->resources_share;
    case REC_OBJ_TX_STALL_P99: return (double)o->tx_stall_p99_ns;
    case REC_OBJ_MEMORY: return (double)o->memory_bytes;
    default: return NAN;
    }
}

bool rec__has_target(const struct cfg_objectives *o, int k)
{
    switch (k) {
    case REC_OBJ_RX_DROP_RATE: return o->has_rx_drop_rate;
    case REC_OBJ_RESOURCES_SHARE: return o->has_resources_share;
    case REC_OBJ_TX_STALL_P99: return o->has_tx_stall_p99;
    case REC_OBJ_MEMORY: return o->has_memory;
    default: return false;
    }
}

void rec__set_figure(struct rec_value *v, const struct rec__probe *at)
{
    bool known = at && at->ran && v->objective >= 0 && at->has[v->objective];
    v->at_value = known ? at->mean[v->objective] : NAN;
    v->at_value_hi = known ? at->hi[v->objective] : NAN;
}

int64_t rec__base_cap(const struct nicplan *p)
{
    return DMS_MAX(DMS_MIN(p->base_max, (int64_t)ceil(p->base_peak) + p->margin), 1);
}

/* The objective that decides u's value: the first one of its mask missed one size down,
 * else the first one it measures. */
static int binding_objective(const struct unit *u, const struct cfg_objectives *ob)
{
    const struct rec__probe *dn = rec__probe_at(u, u->value - 1);
    int first = -1;
    for (int k = 0; k < REC_OBJ_COUNT; k++) {
        if (!(u->mask & (1u << k)))
            continue;
        if (first < 0)
            first = k;
        if (dn && dn->ran && dn->has[k] && dn->mean[k] > rec__target_of(ob, k))
            return k;
    }
    return first;
}

/* What keeps an objective from being met at the largest size tried. */
static void limited_by(const struct rec__probe *p, const struct unit *u, uint32_t per_base,
                       char *buf, size_t n)
{
    if (u->limit[0])
        snprintf(buf, n, "sizes above %lld fail: %s", (long long)u->hi, u->limit);
    else if (p && p->ran && p->proto_load >= SATURATED)
        snprintf(buf, n, "the protocols return packets on %s, and at this rate they are busy "
                 "%.3f of the time (accepted rate x mean hold / processors): they hold every "
                 "buffer they get, so more %s cannot help; the processors cannot serve this "
                 "traffic", "the processors one at a time", p->proto_load, rec__kw_name[u->kw]);
    else if (p && p->ran && p->cpu_util >= SATURATED)
        snprintf(buf, n, "the processors are saturated (utilisation %.3g): they cannot serve "
                 "this traffic, so more %s cannot help", p->cpu_util, rec__kw_name[u->kw]);
    else if (p && p->ran && p->bus_util >= SATURATED)
        snprintf(buf, n, "the bus is saturated (utilisation %.3g), so more %s cannot help",
                 p->bus_util, rec__kw_name[u->kw]);
    else if (p && p->ran && p->fifo_drop_share > 0)
        snprintf(buf, n, "frames are lost in the NIC's receive FIFO (share %.3g) while buffers "
                 "are free: the processors do not reap them fast enough", p->fifo_drop_share);
    else if (p && !p->ran)
        snprintf(buf, n, "%s", p->fail);
    else if (u->kw == K_BASE)
        snprintf(buf, n, "NDIS allows a miniport 64 map registers, and each base register "
                 "costs %lu here: %lld base registers at most", (unsigned long)per_base,
                 (long long)u->hi);
    else
        snprintf(buf, n, "the keyword's range ends at %lld", (long long)u->hi);
}

/* "(the driver multiplies it by min(processors, 4) = F: N buffers)" or "". */
static void scaled(const struct nicplan *p, int64_t v, const char *what, char *buf, size_t n)
{
    if (p->F > 1 && what[0])
        snprintf(buf, n, " (the driver scales it by min(processors, 4) = %u: %lld %s)", p->F,
                 (long long)(v * p->F), what);
    else
        buf[0] = '\0';
}

/* A search the budget stopped before any size met its objective: nothing says that no
 * size would, so the value (the top of the range) only stands in, and says so. */
static void budget_cut(struct rec_value *v, struct rec_unmet *m, const struct unit *u, int k)
{
    char f1[40], f2[40], tried[400] = "none was tried";
    const struct rec__probe *last = u->m.f >= u->lo ? rec__probe_at(u, u->m.f) : NULL;
    if (last && !last->ran)
        snprintf(tried, sizeof tried, "the largest tried, %lld, failed: %s", (long long)u->m.f,
                 last->fail);
    else if (last)
        snprintf(tried, sizeof tried, "the largest tried, %lld, gave %s", (long long)u->m.f,
                 rec__fmt_fig(k, last->has[k] ? last->mean[k] : NAN, f2, sizeof f2));
    if (u->limit[0]) {
        size_t len = strlen(tried);
        snprintf(tried + len, sizeof tried - len, "; sizes above %lld fail: %s",
                 (long long)u->hi, u->limit);
    }
    m->undecided = true;
    snprintf(m->limited_by, sizeof m->limited_by,
             "the budget ran out before the search found a size that meets it (raise "
             "--budget)");
    why(v, "Not decided: the budget ran out before any %s was seen to meet %s <= %s (%s); "
        "%lld, the top of the keyword's range, stands in for it until a larger budget "
        "searches on.", v->keyword, rec_objective_name(k), rec__fmt_fig(k, v->target, f1, sizeof f1),
        tried, (long long)u->value);
}

/* Fills a value from a finished search: bound by an objective, a floor, or not met. */
static struct rec_value *from_unit(struct prof_ctx *x, struct rec_nic_answer *a,
                                   const struct unit *u, const char *what)
{
    const struct cfg_objectives *ob = &x->sc->objectives;
    const struct nicplan *p = &x->nic[u->nic];
    struct rec_value *v = val_add(a, rec__kw_name[u->kw], u->value, REC_BIND_OBJECTIVE);
    v->lower = u->lower;
    v->upper = u->upper;
    v->decided = u->decided;
    int k = binding_objective(u, ob);
    const struct rec__probe *at = rec__probe_at(u, u->value), *dn = rec__probe_at(u, u->value - 1);
    char sc[160], f1[40], f2[40], f3[40], f4[40];
    scaled(p, u->value, what, sc, sizeof sc);
    v->objective = k;
    v->target = rec__target_of(ob, k);
    rec__set_figure(v, at);
    v->next_down = u->value > u->lo ? u->value - 1 : -1;
    v->at_next_down = dn && dn->ran ? dn->mean[k] : NAN;
    if (!u->found) {
        struct rec_unmet *m = rec__unmet_add(a);
        m->objective = k;
        m->target = v->target;
        m->best = v->at_value;
        snprintf(m->keyword, sizeof m->keyword, "%s", v->keyword);
        m->at_size = u->value;
        if (!u->decided) {
            budget_cut(v, m, u, k);
            return v;
        }
        limited_by(at, u, p->per_base, m->limited_by, sizeof m->limited_by);
        why(v, "No %s meets %s <= %s: the best is %s at %lld%s; %s.", v->keyword,
            rec_objective_name(k), rec__fmt_fig(k, v->target, f1, sizeof f1),
            rec__fmt_near(k, v->at_value, v->target, f2, sizeof f2), (long long)u->value, sc,
            m->limited_by);
        return v;
    }
    if (u->value == u->lo) {
        v->binding = REC_BIND_LIMIT;
        v->repeats_limit = true;
        const char *floor = "the driver's minimum";
        if (u->kw == K_BASE) {
            snprintf(v->limit, sizeof v->limit, "one_packet");
            floor = "one packet's buffers (with fewer the driver copies every send)";
        } else if (u->kw == K_MAXRB) {
            snprintf(v->limit, sizeof v->limit, "receive_buffers");
            floor = "ReceiveBuffers (no growth needed)";
        } else if (u->kw == K_COPYTH) {
            snprintf(v->limit, sizeof v->limit, "driver_minimum");
            floor = "no copying at all";
        } else if (u->kw == K_LOWWATER) {
            snprintf(v->limit, sizeof v->limit, "driver_minimum");
            floor = "the smallest mark that keeps growth on (0 turns it off)";
        } else {
            snprintf(v->limit, sizeof v->limit, "driver_minimum");
            if (u->kw == K_RB && p->growth)
                floor = "the driver's minimum (growth supplies the rest)";
        }
        why(v, "This repeats a floor, not a measured need: %lld is %s%s, and it already meets "
            "%s (%s against %s).", (long long)u->lo, floor, sc, rec_objective_name(k),
            rec__fmt_near(k, v->at_value, v->target, f1, sizeof f1),
            rec__fmt_fig(k, v->target, f2, sizeof f2));
        return v;
    }
    why(v, "The smallest %s whose mean %s meets %s%s: %s at %lld (upper CI bound %s), %s at "
        "%lld.", v->keyword, rec_objective_name(k), rec__fmt_fig(k, v->target, f1, sizeof f1), sc,
        rec__fmt_near(k, v->at_value, v->target, f2, sizeof f2), (long long)u->value,
        rec__fmt_near(k, v->at_value_hi, v->target, f3, sizeof f3),
        rec__fmt_near(k, v->at_next_down, v->target, f4, sizeof f4),
        (long long)v->next_down);
    if (!u->decided)
        rec__why_more(v, " The budget ran out before the search closed in: it is an upper "
                      "estimate.");
    return v;
}

static void kept(struct rec_nic_answer *a, const char *kw, int64_t v, const char *reason)
{
    struct rec_value *r = val_add(a, kw, v, REC_BIND_KEPT);
    snprintf(r->limit, sizeof r->limit, "not_searched");
    why(r, "Kept as the scenario gives it: %s.", reason);
}

/* ---------------------------------------------------------------- receive side */

/* ReceiveBuffers: searched, unmeetable (the protocols are overloaded), kept, or observed. */
static int64_t decide_receive_buffers(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a)
{
    struct nicplan *p = &x->nic[i];
    const struct cfg_driver *d = &p->c->driver;
    struct unit *rb = rec__find_unit(x, i, K_RB);
    int64_t rbv = d->receive_buffers;
    if (p->overloaded && rec__rx_mask(&x->sc->objectives)) {
        const struct rec__probe *b = &p->base_probe;
        rbv = p->cur[K_RB];
        struct rec_value *v = val_add(a, "ReceiveBuffers", rbv, REC_BIND_OBJECTIVE);
        int k = x->sc->objectives.has_rx_drop_rate ? REC_OBJ_RX_DROP_RATE
                                                   : REC_OBJ_RESOURCES_SHARE;
        v->objective = k;
        v->target = rec__target_of(&x->sc->objectives, k);
        v->at_value = b->mean[k];
        struct rec_unmet *m = rec__unmet_add(a);
        m->objective = k;
        m->target = v->target;
        m->best = b->mean[k];
        snprintf(m->keyword, sizeof m->keyword, "ReceiveBuffers");
        m->at_size = rbv;
        snprintf(m->limited_by, sizeof m->limited_by,
                 "the protocols return packets on %d processor%s one at a time and would be "
                 "busy %.3f of the time at this rate: they fall behind without bound, so no "
                 "receive pool is enough (a finite trace only delays the drops)",
                 x->sc->system.processors, x->sc->system.processors > 1 ? "s" : "",
                 b->proto_load);
        why(v, "No ReceiveBuffers meets %s: %s; the figure shown is the generous count the "
            "search measured.", rec_objective_name(k), m->limited_by);
    } else if (rb) {
        struct rec_value *v = from_unit(x, a, rb, "buffers");
        rbv = v->value;
        const struct rec__probe *b = &p->base_probe;
        int np = x->sc->system.processors;
        if (isfinite(b->proto_load) && b->proto_load > 0)
            /* what makes the profiles differ: how busy the processors that return the
             * packets are, which sets how many buffers the protocols hold at once */
            rec__why_more(v, " The protocols return packets on %d processor%s, each busy %.3g "
                          "of the time (accepted rate x mean hold / processors): the busier "
                          "they are, the longer packets wait to return and the more buffers "
                          "are out at once.", np, np > 1 ? "s" : "", b->proto_load);
    } else if (!p->rx) {
        kept(a, "ReceiveBuffers", rbv, "no frame is received in this traffic");
    } else {
        int64_t top = p->rx_occ.n ? p->rx_occ.v[p->rx_occ.n - 1].in_use : 0;
        rbv = DMS_MAX(1, (top + d->low_water + 1 + p->F - 1) / p->F);
        struct rec_value *v = val_add(a, "ReceiveBuffers", rbv, REC_BIND_RULE);
        snprintf(v->limit, sizeof v->limit, "occupancy_peak");
        why(v, "No receive objective is set: the most buffers the protocols held at once "
            "(%lld) plus LowWater (%lld) and one, divided by the scale factor %u; an "
            "observation, not a target.", (long long)top, (long long)d->low_water, p->F);
    }
    return rbv;
}

/* MaxReceiveBuffers, LowWater and AsyncChunk, the growth of a pool of rbv buffers; returns
 * the pool's ceiling. */
static int64_t decide_growth(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a,
                             int64_t rbv)
{
    struct nicplan *p = &x->nic[i];
    const struct cfg_driver *d = &p->c->driver;
    struct unit *mx = rec__find_unit(x, i, K_MAXRB);
    int64_t ceiling = p->growth ? DMS_MAX(d->max_receive_buffers, rbv) : rbv;
    if (p->growth && p->rx) {
        if (mx) {
            ceiling = from_unit(x, a, mx, "buffers at most")->value;
        } else if (p->overloaded) {
            struct rec_value *v = val_add(a, "MaxReceiveBuffers", ceiling, REC_BIND_LIMIT);
            v->repeats_limit = true;
            snprintf(v->limit, sizeof v->limit, "receive_buffers");
            why(v, "Not searched, since no receive pool meets the objectives here; it only "
                "repeats the floor the driver requires (at least ReceiveBuffers).");
        } else {
            ceiling = DMS_MAX(d->max_receive_buffers, rbv);
            kept(a, "MaxReceiveBuffers", ceiling, "no receive objective to size the ceiling");
        }
        struct unit *lw = rec__find_unit(x, i, K_LOWWATER), *ch = rec__find_unit(x, i, K_CHUNK);
        if (lw)
            p->cur[K_LOWWATER] = from_unit(x, a, lw, "")->value;
        else
            kept(a, "LowWater", d->low_water,
                 !mx || !mx->found || ceiling <= rbv
                     ? "it acts only while the pool can grow, and the ceiling searched leaves "
                       "no room to grow"
                     : "it is sized against rx_drop_rate, and none is set (a larger mark only "
                       "adds RESOURCES indications)");
        if (ch)
            p->cur[K_CHUNK] = from_unit(x, a, ch, "")->value;
        else
            kept(a, "AsyncChunk", d->async_chunk,
                 "it acts only while the pool can grow, and the ceiling searched leaves no "
                 "room to grow");
    } else if (d->max_receive_buffers < rbv) {
        struct rec_value *v = val_add(a, "MaxReceiveBuffers", rbv, REC_BIND_LIMIT);
        v->repeats_limit = true;
        snprintf(v->limit, sizeof v->limit, "driver_minimum");
        why(v, "The driver refuses a ceiling below ReceiveBuffers; with LowWater 0 or no room "
            "above the initial buffers the pool does not grow, so it only repeats that floor.");
    }
    return ceiling;
}

void rec__packet_pool(const struct nicplan *p, struct rec_value *v)
{
    v->value = p->cur[K_MAXRB];
    char top[96];
    snprintf(top, sizeof top, p->growth ? "MaxReceiveBuffers %lld"
                                        : "ReceiveBuffers %lld, since the pool does not grow",
             (long long)p->cur[K_MAXRB]);
    why(v, "Derived, not measured: the driver takes one packet and one buffer descriptor for "
        "each receive buffer up to the pool's ceiling (%s), so each pool needs %u x %lld = %lld "
        "descriptors; a smaller pool fails initialization or stops growth.", top, p->F,
        (long long)p->cur[K_MAXRB], (long long)(p->F * p->cur[K_MAXRB]));
}

/* PacketPoolSize, derived from the pool's ceiling p->cur[K_MAXRB]. */
static void decide_packet_pool(struct nicplan *p, struct rec_nic_answer *a)
{
    struct rec_value *v = val_add(a, "PacketPoolSize", p->cur[K_MAXRB], REC_BIND_LIMIT);
    v->repeats_limit = true;
    snprintf(v->limit, sizeof v->limit, "driver_minimum");
    rec__packet_pool(p, v);
}

static void decide_rx(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a)
{
    struct nicplan *p = &x->nic[i];
    int64_t rbv = decide_receive_buffers(x, i, a);
    p->cur[K_RB] = rbv;
    int64_t ceiling = decide_growth(x, i, a, rbv);
    p->cur[K_MAXRB] = DMS_MAX(ceiling, rbv);
    decide_packet_pool(p, a);
}

/* ---------------------------------------------------------------- send side */

static void decide_base(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a)
{
    struct nicplan *p = &x->nic[i];
    struct unit *u = rec__find_unit(x, i, K_BASE);
    int64_t cap = rec__base_cap(p);
    struct rec_value *v;
    if (u && !u->found) {
        v = from_unit(x, a, u, "");
        if (u->decided) { /* the searched range ended at the 64-register limit */
            v->binding = REC_BIND_LIMIT;
            snprintf(v->limit, sizeof v->limit, "map_registers_per_miniport");
        }
        if (v->value > cap && p->base_peak > 0) {
            /* more than the traffic ever maps at once would be held and never used */
            rec__why_more(v, " The value is lowered to %lld, what the traffic had in flight (at "
                          "most %.0f) plus one packet's %lld buffers: more would be held and "
                          "never used.", (long long)cap, p->base_peak, (long long)p->margin);
            v->value = cap;
            v->lower = DMS_MIN(v->lower, cap);
            v->upper = DMS_MIN(v->upper, cap);
            snprintf(v->limit, sizeof v->limit, "in_flight_plus_margin");
            rec__set_figure(v, rec__probe_at(u, cap));
        }
    } else if (u && u->value <= cap) {
        v = from_unit(x, a, u, "");
    } else {
        v = val_add(a, "BaseMapRegistersNeeded", cap, REC_BIND_RULE);
        bool at_max = cap == p->base_max;
        v->binding = at_max ? REC_BIND_LIMIT : REC_BIND_RULE;
        v->repeats_limit = at_max;
        snprintf(v->limit, sizeof v->limit, "%s",
                 at_max ? "map_registers_per_miniport" : "in_flight_plus_margin");
        if (at_max)
            why(v, "This repeats the ceiling: %u map registers per base register allow at most "
                "64 / %u = %lld base registers per miniport, and the traffic can use them all.",
                p->per_base, p->per_base, (long long)p->base_max);
        else if (!(p->base_peak > 0))
            why(v, "No send is mapped in this traffic: one packet's %lld buffers, the fewest with "
                "which the driver can map a send at all (the documents: allocate only what one "
                "transfer needs).", (long long)p->margin);
        else
            why(v, "Only what the traffic has in flight: at most %.0f base registers were mapped "
                "at once, plus a margin of one packet's %lld buffers (the documents: allocate "
                "only what one transfer needs)%s.", p->base_peak, (long long)p->margin,
                u ? "; the stall objective alone would allow more" : "");
    }
    p->cur[K_BASE] = v->value;
}

static bool mr_meets(struct prof_ctx *x, unsigned i)
{
    struct unit *u = rec__find_unit(x, i, K_BASE);
    return !u || u->found;
}

static bool draws_pool(const struct prof_ctx *x, unsigned i);

/* Scatter-gather where per-base is large: advised when it meets the objectives and map
 * registers cannot, or it holds fewer map registers than the grant would. */
static bool decide_sg(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a)
{
    struct nicplan *p = &x->nic[i];
    if (!p->sg_probed)
        return false;
    const struct rec__probe *s = &p->sg_probe;
    int64_t mr_regs = p->cur[K_BASE] * p->per_base;
    double sg_regs = isfinite(s->sg_peak) ? s->sg_peak : 0;
    bool mr_ok = mr_meets(x, i);
    if (!s->ran || !s->ok_mean) {
        rec__note(a, "Scatter-gather DMA was compared (%u map registers per base register) and "
                  "does not meet the objectives either: %s.", p->per_base,
                  s->ran ? "its figures miss a target" : s->fail);
        return false;
    }
    if (mr_ok && sg_regs >= (double)mr_regs) {
        rec__note(a, "Scatter-gather DMA was compared: it meets the objectives but held up to %.0f "
                  "map registers at once, no fewer than the %lld of the map-register grant.",
                  sg_regs, (long long)mr_regs);
        return false;
    }
    a->scatter_gather = true;
    struct rec_value *v = val_add(a, "ScatterGatherDma", 1, REC_BIND_RULE);
    snprintf(v->limit, sizeof v->limit, "scatter_gather_cheaper");
    if (!mr_ok)
        why(v, "Map registers cannot meet the objectives: MaximumBufferSize %lld takes %u map "
            "registers per base register, so at most %lld base registers; scatter-gather DMA "
            "meets them holding at most %.0f map registers, none of the miniport's 64.",
            (long long)p->c->driver.maximum_buffer_size_bytes, p->per_base,
            (long long)p->base_max, sg_regs);
    else
        why(v, "Scatter-gather DMA meets the objectives holding at most %.0f map registers at "
            "once, against %lld x %u = %lld for a map-register grant of MaximumBufferSize "
            "%lld.", sg_regs, (long long)p->cur[K_BASE], p->per_base, (long long)mr_regs,
            (long long)p->c->driver.maximum_buffer_size_bytes);
    int64_t pool = x->sc->system.map_register_pool;
    if (pool != CFG_UNLIMITED && draws_pool(x, i) && sg_regs > (double)pool) {
        rec__why_more(v, " That peak was measured with the system pool unlimited; this "
                      "machine's pool of %lld caps it (lists wait for entries), and the "
                      "confirmation run measures the objectives with that pool.",
                      (long long)pool);
    }
    /* the map-register answer is replaced, and what it would have been is said */
    struct rec_value *base = rec__value_of(a, "BaseMapRegistersNeeded");
    if (base) {
        size_t j = (size_t)(base - a->values);
        rec__note(a, "With map registers instead: BaseMapRegistersNeeded %lld (%s)",
                  (long long)base->value, base->why);
        memmove(base, base + 1, (a->n_values - j - 1) * sizeof *a->values);
        a->n_values--;
    }
    /* an unmet stall objective of the map-register search no longer applies */
    a->n_unmet = 0;
    return true;
}

static void decide_send(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a)
{
    struct nicplan *p = &x->nic[i];
    const struct cfg_driver *d = &p->c->driver;
    struct unit *u = rec__find_unit(x, i, K_SENDBUF);
    if (u)
        p->cur[K_SENDBUF] = from_unit(x, a, u, "")->value;
    else if (p->tx)
        kept(a, "SendBuffers", d->send_buffers,
             !p->copies ? "no send is short enough to be copied"
                        : "no stall objective, or map registers are not used, so nothing "
                          "measures a shortage");
    struct unit *ct = rec__find_unit(x, i, K_COPYTH);
    if (ct)
        p->cur[K_COPYTH] = from_unit(x, a, ct, "")->value;
    else if (p->tx)
        kept(a, "CopyThreshold", d->copy_threshold_bytes,
             !p->copies ? "no send is short enough to be copied, so the threshold decides nothing"
                        : "no stall objective, or map registers are not used, so nothing "
                          "measures what copying spares");
}

/* ---------------------------------------------------------------- the system pool */

/* Whether NIC i's grant takes entries from the HAL's pool: where it may have to bounce
 * (not 64-bit capable on PAE with memory above 4 GB, or 24-bit DMA), or everywhere under
 * system.map_register_accounting: every_grant (docs/model.md). */
static bool draws_pool(const struct prof_ctx *x, unsigned i)
{
    const struct cfg_system *s = &x->sc->system;
    const struct cfg_nic *c = &x->sc->nics[i];
    if (s->map_register_accounting == CFG_POOL_EVERY_GRANT)
        return true;
    int width = x->nic[i].width ? x->nic[i].width : c->dma.width_bits; /* as recommended */
    return width == 24 || (s->pae && s->memory_bytes > (INT64_C(4) << 30) && width < 64);
}

struct rec_value *rec__value_of(struct rec_nic_answer *a, const char *kw)
{
    for (size_t j = 0; j < a->n_values; j++)
        if (strcmp(a->values[j].keyword, kw) == 0)
            return &a->values[j];
    return NULL;
}

/* Marks NIC i's base registers as cut from `before` to fit the pool, with the figure
 * measured at the cut size where a search measured it (the one before the cut belongs to
 * another size). */
static void label_cut(struct prof_ctx *x, unsigned i, int64_t before, unsigned drawing)
{
    const struct cfg_system *s = &x->sc->system;
    struct rec_value *v = rec__value_of(&x->ans->nics[i], "BaseMapRegistersNeeded");
    if (!v)
        return;
    v->value = x->nic[i].cur[K_BASE];
    v->lower = DMS_MIN(v->lower, v->value);
    v->upper = DMS_MIN(v->upper, v->value);
    v->binding = REC_BIND_LIMIT;
    v->repeats_limit = true;
    snprintf(v->limit, sizeof v->limit, "system_pool");
    const struct unit *u = rec__find_unit(x, i, K_BASE);
    rec__set_figure(v, u ? rec__probe_at(u, v->value) : NULL);
    char measured[160] = "";
    if (isfinite(v->at_value)) {
        char f1[40], f2[40];
        snprintf(measured, sizeof measured, "; at %lld, %s is %s against %s",
                 (long long)v->value, rec_objective_name(v->objective),
                 rec__fmt_fig(v->objective, v->at_value, f1, sizeof f1),
                 rec__fmt_fig(v->objective, v->target, f2, sizeof f2));
    }
    bool raised = x->nic[i].raised[K_BASE];
    why(v, "Cut from %lld%s to fit the system pool: the %u NICs that draw on it share %lld "
        "map registers, and a request the pool cannot satisfy %s%s.", (long long)before,
        raised ? " (its conservative size, after the keywords together missed an objective)"
               : "",
        drawing, (long long)s->map_register_pool,
        s->pae ? "waits forever on a PAE machine (it hangs)" : "fails with RESOURCES", measured);
}

/* The profile's statement of what the recommended grants do to the pool. */
static void pool_statement(struct prof_ctx *x, unsigned drawing, int64_t sum)
{
    const struct cfg_system *s = &x->sc->system;
    struct rec_profile_answer *ans = x->ans;
    unsigned sg = 0; /* NICs on scatter-gather DMA whose lists may take pool entries */
    for (unsigned i = 0; i < x->sc->n_nics; i++)
        sg += ans->nics[i].scatter_gather && !x->nic[i].init_failed && draws_pool(x, i);
    size_t len = 0;
    if (!drawing && !sg)
        len = (size_t)snprintf(ans->pool_statement, sizeof ans->pool_statement,
                               "No recommended grant draws on the system pool (no NIC may have "
                               "to bounce: %s), so the pool cannot stop an initialization.",
                               s->pae ? "64-bit DMA or no memory above 4 GB"
                                      : "no PAE and no 24-bit DMA");
    else if (!drawing)
        len = (size_t)snprintf(ans->pool_statement, sizeof ans->pool_statement,
                               "No recommended grant draws on the system pool, so the pool "
                               "cannot stop an initialization.");
    else if (s->map_register_pool == CFG_UNLIMITED)
        len = (size_t)snprintf(ans->pool_statement, sizeof ans->pool_statement,
                               "The system pool is unlimited on this machine: the %u drawing "
                               "grants (%lld map registers) cannot exhaust it.", drawing,
                               (long long)sum);
    else
        len = (size_t)snprintf(ans->pool_statement, sizeof ans->pool_statement,
                               "The grants that draw on the system pool (%u NIC%s, %lld map "
                               "registers) fit in its %lld together, so no initialization "
                               "waits on the pool%s.", drawing, drawing == 1 ? "" : "s",
                               (long long)sum, (long long)s->map_register_pool,
                               s->pae ? " and these settings cannot hang the machine" : "");
    if (sg && len < sizeof ans->pool_statement)
        snprintf(ans->pool_statement + len, sizeof ans->pool_statement - len,
                 " The %u NIC%s on scatter-gather DMA hold no grant: each send's list takes "
                 "pool entries only for the pages that must bounce, gives them back at its "
                 "completion, and waits in NDIS while they are in use, so the pool delays "
                 "sends but cannot hang the machine.", sg, sg == 1 ? "" : "s");
}

/* Cuts the largest grants drawing on a limited pool until they fit in it together. */
void rec__fit_pool(struct prof_ctx *x)
{
    const struct cfg_system *s = &x->sc->system;
    struct rec_profile_answer *ans = x->ans;
    ans->pool_size = s->map_register_pool;
    int64_t sum = 0, before[CFG_MAX_NICS] = {0};
    unsigned drawing = 0;
    for (unsigned i = 0; i < x->sc->n_nics; i++) {
        struct nicplan *p = &x->nic[i];
        bool d = p->mr && !ans->nics[i].scatter_gather && !p->init_failed && draws_pool(x, i);
        ans->nics[i].pool_drawn = d;
        before[i] = p->cur[K_BASE];
        if (d)
            sum += p->cur[K_BASE] * p->per_base, drawing++;
    }
    while (s->map_register_pool != CFG_UNLIMITED && sum > s->map_register_pool) {
        int best = -1;
        for (unsigned i = 0; i < x->sc->n_nics; i++)
            if (ans->nics[i].pool_drawn && x->nic[i].cur[K_BASE] > 1 &&
                (best < 0 || x->nic[i].cur[K_BASE] * x->nic[i].per_base >=
                                 x->nic[best].cur[K_BASE] * x->nic[best].per_base))
                best = (int)i;
        if (best < 0)
            break;
        x->nic[best].cur[K_BASE]--;
        sum -= x->nic[best].per_base;
    }
    ans->pool_granted = sum;
    for (unsigned i = 0; i < x->sc->n_nics; i++)
        if (x->nic[i].cur[K_BASE] != before[i])
            label_cut(x, i, before[i], drawing);
    pool_statement(x, drawing, sum);
}

/* ---------------------------------------------------------------- 24-bit DMA */

/* Whether a 24-bit NIC is advised away from 24 bits: its low memory binds. */
static bool width_advised(const struct nicplan *p)
{
    return p->c->dma.width_bits == 24 && (p->low_memory_binds || p->init_failed);
}

static void decide_dma_width(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a)
{
    struct nicplan *p = &x->nic[i];
    if (!width_advised(p))
        return; /* p->width was set to 32 before the pool was judged (rec__decide) */
    struct rec_value *v = val_add(a, "DmaSize", 32, REC_BIND_LIMIT);
    snprintf(v->limit, sizeof v->limit, "low_memory_24bit");
    why(v, "24-bit DMA takes its shared memory and bounce pages from the %lld bytes below 16 MB, "
        "and that low memory limits this NIC (%s); a 32-bit capable setting removes the limit.",
        (long long)x->sc->system.low_memory_bytes,
        p->init_failed ? p->init_fail : "generous receive buffers did not fit there");
}

/* ---------------------------------------------------------------- costs of each value */

static int64_t align_up(int64_t v, int64_t a)
{
    return a > 0 ? (v + a - 1) / a * a : v;
}

/* Shared memory, map registers and descriptors each value takes, from the driver's own
 * arithmetic (miniport-core/README.md): a receive buffer holds ReceiveFrameSize bytes and a
 * copy buffer max(MaximumBufferSize, 1514), each rounded up to the cache line. */
void rec__value_costs(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a)
{
    const struct nicplan *p = &x->nic[i];
    const struct cfg_driver *d = &p->c->driver;
    int64_t line = x->sc->system.cache_line_bytes;
    int64_t rx_buf = align_up(DMS_MAX(d->receive_frame_size_bytes, 60), line);
    int64_t copy_buf = align_up(DMS_MAX(d->maximum_buffer_size_bytes, 1514), line);
    for (size_t j = 0; j < a->n_values; j++) {
        struct rec_value *v = &a->values[j];
        double n = (double)v->value;
        if (!strcmp(v->keyword, "ReceiveBuffers") || !strcmp(v->keyword, "MaxReceiveBuffers")) {
            v->cost_shared_bytes = (double)p->F * n * (double)rx_buf;
        } else if (!strcmp(v->keyword, "SendBuffers")) {
            v->cost_shared_bytes = n * (double)copy_buf;
        } else if (!strcmp(v->keyword, "PacketPoolSize")) {
            v->cost_descriptors = (double)p->F * n;
        } else if (!strcmp(v->keyword, "BaseMapRegistersNeeded")) {
            v->cost_map_registers = n * p->per_base;
            v->cost_pool_map_registers = a->pool_drawn ? n * p->per_base : 0;
        } else if (!strcmp(v->keyword, "ScatterGatherDma")) {
            v->cost_map_registers = 0;
            double peak = isfinite(p->sg_probe.sg_peak) ? p->sg_probe.sg_peak : 0;
            int64_t pool = x->sc->system.map_register_pool;
            if (!draws_pool(x, i))
                peak = 0;
            else if (pool != CFG_UNLIMITED)
                peak = DMS_MIN(peak, (double)pool); /* the lists cannot hold more */
            v->cost_pool_map_registers = peak;
        }
    }
}

void rec__settle(struct prof_ctx *x)
{
    rec__fit_pool(x);
    for (unsigned i = 0; i < x->sc->n_nics; i++)
        rec__value_costs(x, i, &x->ans->nics[i]);
}

void rec__decide(struct prof_ctx *x)
{
    for (unsigned i = 0; i < x->sc->n_nics; i++) {
        struct nicplan *p = &x->nic[i];
        struct rec_nic_answer *a = &x->ans->nics[i];
        if (p->init_failed) {
            struct rec_unmet *m = rec__unmet_add(a);
            m->objective = -1;
            m->target = m->best = NAN;
            m->at_size = -1;
            snprintf(m->keyword, sizeof m->keyword, "(initialization)");
            snprintf(m->limited_by, sizeof m->limited_by, "%s", p->init_fail);
            rec__note(a, "The NIC does not initialize even with generous settings: %s.",
                      p->init_fail);
        }
        if (width_advised(p))
            p->width = 32; /* before the pool is judged: a 32-bit NIC may not bounce */
        decide_rx(x, i, a);
        if (p->mr)
            decide_base(x, i, a);
        if (p->mr && p->tx)
            decide_sg(x, i, a);
        decide_send(x, i, a);
        decide_dma_width(x, i, a);
    }
    rec__settle(x);
}
