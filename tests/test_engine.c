/* SPDX-License-Identifier: MIT */
/*
 * test_engine: the discrete-event core against naive references.
 *
 * The pending set is checked against a qsort of (time, scheduling order) for static
 * schedules and against a linear-scan reference kept in lockstep for dynamic ones, where
 * handlers schedule at equal and later times and cancel at random. Then the edges: stale
 * handles, eng_run_until boundaries, eng_stop, the sequence renumbering, and the random
 * streams' determinism and independence. The test's own random choices come from a local
 * splitmix64, so every run is the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dms.h"
#include "eng.h"
#include "eng_int.h"

/* ---- helpers ------------------------------------------------------------------------- */

static uint64_t tr_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* xoshiro256** from its published definition, kept apart from the engine's code. */
static uint64_t ref_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t ref_xoshiro256ss(uint64_t s[4])
{
    uint64_t result = ref_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n). */
static uint32_t tr_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(tr_next(s) % n);
}

/* A delay with many ties: 0 often, tiny values often, sometimes larger. */
static eng_time_ns tr_delay(uint64_t *s)
{
    uint32_t k = tr_below(s, 10);
    if (k < 3)
        return 0;
    if (k < 7)
        return tr_below(s, 4);
    return tr_below(s, 1000);
}

/* Records the order in which events fire: arg is the event's tag. */
struct log {
    uint64_t *tags;
    eng_time_ns *times;
    size_t n, cap;
};

static void log_handler(eng_sim *sim, void *ctx, uint64_t arg)
{
    struct log *lg = ctx;
    CHECK(lg->n < lg->cap);
    lg->tags[lg->n] = arg;
    lg->times[lg->n] = eng_now(sim);
    lg->n++;
}

static void log_init(struct log *lg, size_t cap)
{
    lg->tags = calloc(cap, sizeof *lg->tags);
    lg->times = calloc(cap, sizeof *lg->times);
    CHECK(lg->tags && lg->times);
    lg->n = 0;
    lg->cap = cap;
}

static void log_fini(struct log *lg)
{
    free(lg->tags);
    free(lg->times);
}

/* ---- static schedules against a sort ------------------------------------------------- */

struct sched_rec {
    eng_time_ns t;
    uint64_t tag; /* scheduling order */
    eng_event h;
    int cancelled;
};

static int cmp_rec(const void *a, const void *b)
{
    const struct sched_rec *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->tag > y->tag) - (x->tag < y->tag);
}

/* Schedules n events at random times below span, cancels each with probability
 * cancel_in_4 / 4 (3 makes the cancelled entries a majority, so the heap is rebuilt without
 * them along the way), and checks the firing order against a sort. */
static void test_static_vs_sort(uint64_t seed, size_t n, eng_time_ns span, uint32_t cancel_in_4)
{
    uint64_t rs = seed;
    eng_sim *sim = eng_new(1);
    eng_lane lane = eng_lane_new(sim);
    struct sched_rec *rec = calloc(n, sizeof *rec);
    struct log lg;
    CHECK(rec);
    log_init(&lg, n);
    for (size_t i = 0; i < n; i++) {
        rec[i].t = tr_below(&rs, (uint32_t)span);
        rec[i].tag = i;
        /* Every third event goes through a lane; out of order, most of them fall back to
         * the heap, which must not change anything. */
        if (i % 3 == 0)
            rec[i].h = eng_lane_at(sim, lane, rec[i].t, log_handler, &lg, i);
        else
            rec[i].h = eng_at(sim, rec[i].t, log_handler, &lg, i);
        CHECK(rec[i].h.id != 0);
    }
    size_t live = n;
    for (size_t i = 0; i < n; i++) {
        if (tr_below(&rs, 4) < cancel_in_4) {
            CHECK(eng_cancel(sim, rec[i].h));
            CHECK(!eng_cancel(sim, rec[i].h));
            rec[i].cancelled = 1;
            live--;
        }
    }
    CHECK_UEQ(eng_pending_count(sim), live);
    /* Cancelled entries never outnumber pending ones by much: the heap is rebuilt. */
    CHECK_LE(sim->heap_len, 2 * live + ENG__COMPACT_MIN + 1);
    qsort(rec, n, sizeof *rec, cmp_rec);
    size_t first_live = 0;
    while (first_live < n && rec[first_live].cancelled)
        first_live++;
    if (first_live < n)
        CHECK_EQ(eng_next_time(sim), rec[first_live].t);
    CHECK_UEQ(eng_run(sim), live);
    CHECK_UEQ(lg.n, live);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (rec[i].cancelled)
            continue;
        CHECK_UEQ(lg.tags[k], rec[i].tag);
        CHECK_EQ(lg.times[k], rec[i].t);
        CHECK(!eng_pending(sim, rec[i].h));
        k++;
    }
    CHECK_UEQ(eng_pending_count(sim), 0);
    CHECK_EQ(eng_next_time(sim), ENG_TIME_NEVER);
    log_fini(&lg);
    free(rec);
    eng_free(sim);
}

/* ---- dynamic schedules in lockstep with a linear-scan reference ---------------------- */

struct ref_ev {
    eng_time_ns t;
    eng_event h;
};

struct lockstep {
    uint64_t rs;         /* test's random state */
    struct ref_ev *ev;   /* every event ever scheduled, by tag (= scheduling order) */
    size_t n_ev, cap_ev; /* scheduled so far; room */
    uint64_t *pend;      /* tags of pending events, unordered */
    size_t n_pend;
    size_t budget; /* stop scheduling from handlers after this many events */
    uint64_t fired;
    bool swing;     /* steer the pending count up to 40 and down to 4, over and over */
    bool up;        /* swing: growing */
    bool was_radix; /* the engine's heap form when last looked at */
    uint32_t flips; /* changes of that form seen */
};

static void ls_handler(eng_sim *sim, void *ctx, uint64_t arg);

static void ls_schedule(eng_sim *sim, struct lockstep *ls, eng_time_ns t)
{
    CHECK(ls->n_ev < ls->cap_ev);
    uint64_t tag = ls->n_ev++;
    ls->ev[tag].t = t;
    ls->ev[tag].h = eng_at(sim, t, ls_handler, ls, tag);
    CHECK(eng_pending(sim, ls->ev[tag].h));
    ls->pend[ls->n_pend++] = tag;
}

/* Index in pend of the earliest pending event by (time, tag), or SIZE_MAX. */
static size_t ls_min(const struct lockstep *ls)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < ls->n_pend; i++) {
        const struct ref_ev *e = &ls->ev[ls->pend[i]];
        if (best == SIZE_MAX)
            best = i;
        else {
            const struct ref_ev *b = &ls->ev[ls->pend[best]];
            if (e->t < b->t || (e->t == b->t && ls->pend[i] < ls->pend[best]))
                best = i;
        }
    }
    return best;
}

static void ls_remove_at(struct lockstep *ls, size_t i)
{
    ls->pend[i] = ls->pend[--ls->n_pend];
}

static void ls_check_view(const eng_sim *sim, const struct lockstep *ls)
{
    CHECK_UEQ(eng_pending_count(sim), ls->n_pend);
    size_t m = ls_min(ls);
    CHECK_EQ(eng_next_time(sim), m == SIZE_MAX ? ENG_TIME_NEVER : ls->ev[ls->pend[m]].t);
}

static void ls_cancel_random(eng_sim *sim, struct lockstep *ls)
{
    if (ls->n_pend == 0)
        return;
    size_t i = tr_below(&ls->rs, (uint32_t)ls->n_pend);
    eng_event h = ls->ev[ls->pend[i]].h;
    CHECK(eng_pending(sim, h));
    CHECK(eng_cancel(sim, h));
    CHECK(!eng_pending(sim, h));
    CHECK(!eng_cancel(sim, h));
    ls_remove_at(ls, i);
}

static void ls_handler(eng_sim *sim, void *ctx, uint64_t arg)
{
    struct lockstep *ls = ctx;
    size_t m = ls_min(ls);
    CHECK(m != SIZE_MAX);
    CHECK_UEQ(arg, ls->pend[m]);
    CHECK_EQ(eng_now(sim), ls->ev[arg].t);
    CHECK(!eng_pending(sim, ls->ev[arg].h));
    ls_remove_at(ls, m);
    ls->fired++;
    /* Before the handler schedules anything the fired event's heap entry is still in
     * place inside the engine; the view must not show it. */
    if (tr_below(&ls->rs, 4) == 0)
        ls_check_view(sim, ls);
    if (tr_below(&ls->rs, 8) == 0)
        ls_cancel_random(sim, ls);
    if (sim->radix != ls->was_radix) {
        ls->was_radix = sim->radix;
        ls->flips++;
    }
    if (ls->n_ev < ls->budget) {
        uint32_t k = tr_below(&ls->rs, 4); /* 0..3 children, 1.5 on average */
        if (ls->swing) {
            if (ls->n_pend >= 40)
                ls->up = false;
            else if (ls->n_pend <= 4)
                ls->up = true;
            k = ls->up ? 2 + tr_below(&ls->rs, 2) : tr_below(&ls->rs, 2);
        }
        for (uint32_t i = 0; i < k && ls->n_ev < ls->budget; i++)
            ls_schedule(sim, ls, eng_now(sim) + tr_delay(&ls->rs));
    }
    if (tr_below(&ls->rs, 5) == 0)
        ls_cancel_random(sim, ls);
    if (tr_below(&ls->rs, 16) == 0)
        ls_check_view(sim, ls);
}

/* swing: the pending count goes up and down across the sizes at which the heap changes
 * form (eng_int.h), so the lockstep covers both forms and the moves between them. */
static void test_dynamic_lockstep(uint64_t seed, size_t initial, size_t budget, bool swing)
{
    struct lockstep ls = {
        .rs = seed, .cap_ev = budget + initial, .budget = budget, .swing = swing, .up = true};
    ls.ev = calloc(ls.cap_ev, sizeof *ls.ev);
    ls.pend = calloc(ls.cap_ev, sizeof *ls.pend);
    CHECK(ls.ev && ls.pend);
    eng_sim *sim = eng_new(7);
    for (size_t i = 0; i < initial; i++)
        ls_schedule(sim, &ls, tr_below(&ls.rs, 50));
    /* Run in slices, cancelling between them, so run_until's boundary is crossed often. */
    eng_time_ns t = 0;
    while (eng_pending_count(sim) > 0) {
        t += tr_below(&ls.rs, 40);
        uint64_t before = ls.fired;
        uint64_t n = eng_run_until(sim, t);
        CHECK_UEQ(n, ls.fired - before);
        CHECK_EQ(eng_now(sim), t);
        CHECK(eng_next_time(sim) > t);
        ls_check_view(sim, &ls);
        if (tr_below(&ls.rs, 3) == 0)
            ls_cancel_random(sim, &ls);
        if (swing && ls.n_pend == 0 && ls.n_ev < budget) /* a swing down went to nothing */
            ls_schedule(sim, &ls, t + 1);
    }
    CHECK_EQ(ls.n_pend, 0);
    CHECK_UEQ(eng_events_fired(sim), ls.fired);
    CHECK(ls.n_ev >= budget / 2); /* the schedule really grew from inside handlers */
    if (swing)
        CHECK(ls.flips >= 20);
    eng_free(sim);
    free(ls.ev);
    free(ls.pend);
}

/* Three lanes fed in time order, the heap fed at random, ties everywhere, cancellations at
 * lane heads and inside: events fire by (time, scheduling order) as with the heap alone. */
static void test_lanes_vs_sort(uint64_t seed, size_t n)
{
    uint64_t rs = seed;
    eng_sim *sim = eng_new(1);
    eng_lane lanes[3] = {eng_lane_new(sim), eng_lane_new(sim), eng_lane_new(sim)};
    CHECK(lanes[0].id != 0 && lanes[0].id != lanes[1].id);
    eng_time_ns lane_t[3] = {0, 0, 0};
    struct sched_rec *rec = calloc(n, sizeof *rec);
    struct log lg;
    CHECK(rec);
    log_init(&lg, n);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = tr_below(&rs, 4);
        if (k < 3) {
            lane_t[k] += tr_below(&rs, 3);
            rec[i].t = lane_t[k];
            rec[i].h = eng_lane_at(sim, lanes[k], rec[i].t, log_handler, &lg, i);
        } else {
            rec[i].t = tr_below(&rs, (uint32_t)n);
            rec[i].h = eng_at(sim, rec[i].t, log_handler, &lg, i);
        }
        rec[i].tag = i;
    }
    size_t live = n;
    for (size_t i = 0; i < n; i++) {
        /* the first events of each lane, then one in seven */
        if (i < 12 || tr_below(&rs, 7) == 0) {
            CHECK(eng_cancel(sim, rec[i].h));
            rec[i].cancelled = 1;
            live--;
        }
    }
    CHECK_UEQ(eng_pending_count(sim), live);
    qsort(rec, n, sizeof *rec, cmp_rec);
    size_t first_live = 0;
    while (first_live < n && rec[first_live].cancelled)
        first_live++;
    CHECK_EQ(eng_next_time(sim), rec[first_live].t);
    /* In slices, so eng_run_until stops with lane heads pending. */
    eng_time_ns t = 0;
    while (eng_pending_count(sim) > 0) {
        t += 7;
        eng_run_until(sim, t);
        CHECK(eng_next_time(sim) > t);
    }
    CHECK_UEQ(lg.n, live);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (rec[i].cancelled)
            continue;
        CHECK_UEQ(lg.tags[k], rec[i].tag);
        CHECK_EQ(lg.times[k], rec[i].t);
        k++;
    }
    log_fini(&lg);
    free(rec);
    eng_free(sim);
}

/* A handler cancels most pending events (so the heap is rebuilt while its own entry is
 * still at the root) and then schedules ties; the survivors fire in order. */
struct mass_cancel {
    struct log *lg;
    eng_event h[1000];
};

static void mass_cancel_handler(eng_sim *sim, void *ctx, uint64_t arg)
{
    struct mass_cancel *mc = ctx;
    (void)arg;
    for (int i = 0; i < 1000; i++)
        if (i % 10 != 0)
            CHECK(eng_cancel(sim, mc->h[i]));
    CHECK_UEQ(eng_pending_count(sim), 100);
    CHECK_LE(sim->heap_len, 2 * 100 + ENG__COMPACT_MIN + 1);
    CHECK_EQ(eng_next_time(sim), 1);
    eng_at(sim, 5, log_handler, mc->lg, 5000);
    eng_at(sim, 5, log_handler, mc->lg, 5001);
    CHECK_EQ(eng_next_time(sim), 1);
}

static void test_cancel_in_handler(void)
{
    eng_sim *sim = eng_new(1);
    struct log lg;
    log_init(&lg, 200);
    struct mass_cancel mc = {.lg = &lg};
    eng_at(sim, 0, mass_cancel_handler, &mc, 0);
    for (int i = 0; i < 1000; i++)
        mc.h[i] = eng_at(sim, 1 + i / 2, log_handler, &lg, (uint64_t)i);
    CHECK_UEQ(eng_run(sim), 1 + 100 + 2);
    CHECK_UEQ(lg.n, 102);
    /* tags 0, 10, 20 at times 1, 6, 11...; the two at t=5 after tag 0 (t=1), before 10 (t=6) */
    CHECK_UEQ(lg.tags[0], 0);
    CHECK_UEQ(lg.tags[1], 5000);
    CHECK_UEQ(lg.tags[2], 5001);
    for (size_t k = 3; k < lg.n; k++) {
        CHECK_UEQ(lg.tags[k], 10 * (k - 2));
        CHECK_EQ(lg.times[k], 1 + (eng_time_ns)(5 * (k - 2)));
    }
    log_fini(&lg);
    eng_free(sim);
}

/* ---- handles ------------------------------------------------------------------------- */

static void nop_handler(eng_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)ctx;
    (void)arg;
}

static void test_handles(void)
{
    eng_sim *sim = eng_new(1);
    eng_event zero = {0};
    CHECK(!eng_pending(sim, zero));
    CHECK(!eng_cancel(sim, zero));
    CHECK(!eng_cancel(sim, (eng_event){.id = UINT64_MAX}));
    CHECK(!eng_cancel(sim, (eng_event){.id = 0xffffffffu}));

    eng_event a = eng_at(sim, 10, nop_handler, NULL, 0);
    CHECK(eng_pending(sim, a));
    CHECK(eng_cancel(sim, a));
    CHECK(!eng_pending(sim, a));
    /* A cancelled entry leaves the heap when it reaches the root, without firing; then b
     * reuses a's slot (LIFO free list), and a's handle must not reach it. */
    CHECK_UEQ(eng_pending_count(sim), 0);
    CHECK_EQ(eng_next_time(sim), ENG_TIME_NEVER);
    CHECK_UEQ(eng_run(sim), 0);
    CHECK_EQ(eng_now(sim), 0);
    eng_event b = eng_at(sim, 10, nop_handler, NULL, 0);
    CHECK(b.id != a.id);
    CHECK((uint32_t)b.id == (uint32_t)a.id);
    CHECK(!eng_cancel(sim, a));
    CHECK(eng_pending(sim, b));
    /* A forged handle with b's index and a free-slot (even) generation is not pending. */
    CHECK(!eng_pending(sim, (eng_event){.id = b.id + (UINT64_C(1) << 32)}));
    CHECK_UEQ(eng_pending_count(sim), 1);

    CHECK_UEQ(eng_run(sim), 1);
    CHECK(!eng_pending(sim, b));
    CHECK(!eng_cancel(sim, b));
    /* b's slot is free now, its generation one past b's: a handle with that generation
     * names no event. */
    eng_event forged = {.id = b.id + (UINT64_C(1) << 32)};
    CHECK(!eng_pending(sim, forged));
    CHECK(!eng_cancel(sim, forged));
    CHECK_UEQ(eng_pending_count(sim), 0);
    CHECK_EQ(eng_next_time(sim), ENG_TIME_NEVER);
    eng_free(sim);
    eng_free(NULL);
}

/* ---- run_until, run, stop ------------------------------------------------------------ */

static void test_run_until_boundaries(void)
{
    eng_sim *sim = eng_new(1);
    struct log lg;
    log_init(&lg, 16);
    CHECK_EQ(eng_now(sim), 0);
    eng_at(sim, 10, log_handler, &lg, 1);
    eng_at(sim, 20, log_handler, &lg, 2);
    eng_at(sim, 30, log_handler, &lg, 3);
    CHECK_EQ(eng_next_time(sim), 10);

    CHECK_UEQ(eng_run_until(sim, 9), 0);
    CHECK_EQ(eng_now(sim), 9);
    CHECK_UEQ(eng_run_until(sim, 20), 2); /* the event exactly at t_end fires */
    CHECK_EQ(eng_now(sim), 20);
    CHECK_UEQ(eng_run_until(sim, 25), 0);
    CHECK_EQ(eng_now(sim), 25);
    CHECK_UEQ(eng_run_until(sim, 5), 0); /* an earlier t_end never moves the clock back */
    CHECK_EQ(eng_now(sim), 25);
    eng_after(sim, 0, log_handler, &lg, 4); /* at the current time */
    CHECK_UEQ(eng_run_until(sim, 25), 1);
    CHECK_EQ(eng_now(sim), 25);
    CHECK_UEQ(eng_run(sim), 1); /* eng_run leaves the clock at the last event */
    CHECK_EQ(eng_now(sim), 30);
    CHECK_UEQ(eng_run(sim), 0);
    CHECK_EQ(eng_now(sim), 30);
    CHECK_UEQ(lg.n, 4);
    CHECK_UEQ(lg.tags[0], 1);
    CHECK_UEQ(lg.tags[1], 2);
    CHECK_UEQ(lg.tags[2], 4);
    CHECK_UEQ(lg.tags[3], 3);
    CHECK_UEQ(eng_events_fired(sim), 4);
    eng_at(sim, ENG_TIME_NEVER - 1, log_handler, &lg, 5);
    CHECK_UEQ(eng_run_until(sim, ENG_TIME_NEVER - 2), 0);
    CHECK_UEQ(eng_run_until(sim, ENG_TIME_NEVER - 1), 1);
    log_fini(&lg);
    eng_free(sim);
}

/* Stops the loop when arg is odd; logs every call. */
static void stop_handler(eng_sim *sim, void *ctx, uint64_t arg)
{
    log_handler(sim, ctx, arg);
    if (arg & 1)
        eng_stop(sim);
}

static void test_stop(void)
{
    eng_sim *sim = eng_new(1);
    struct log lg;
    log_init(&lg, 16);
    eng_at(sim, 10, stop_handler, &lg, 1);
    eng_at(sim, 10, stop_handler, &lg, 2);
    eng_at(sim, 20, stop_handler, &lg, 4);
    eng_at(sim, 30, stop_handler, &lg, 5);
    eng_at(sim, 40, stop_handler, &lg, 6);
    CHECK(!eng_stopped(sim));

    CHECK_UEQ(eng_run_until(sim, 100), 1);
    CHECK(eng_stopped(sim));
    CHECK_EQ(eng_now(sim), 10); /* stopped: the clock stays at the last event */
    CHECK_UEQ(eng_pending_count(sim), 4);

    CHECK_UEQ(eng_run_until(sim, 25), 2);
    CHECK(!eng_stopped(sim)); /* a new run clears the flag */
    CHECK_EQ(eng_now(sim), 25);

    CHECK_UEQ(eng_run(sim), 1);
    CHECK(eng_stopped(sim));
    CHECK_EQ(eng_now(sim), 30);
    CHECK_UEQ(eng_run(sim), 1);
    CHECK(!eng_stopped(sim));
    CHECK_EQ(eng_now(sim), 40);
    CHECK_UEQ(lg.n, 5);
    log_fini(&lg);
    eng_free(sim);
}

/* A handler that schedules a follow-up at its own time: it must run after events that were
 * already pending at that time, because it was scheduled later. */
static void chain_handler(eng_sim *sim, void *ctx, uint64_t arg)
{
    log_handler(sim, ctx, arg);
    if (arg < 100)
        eng_after(sim, 0, chain_handler, ctx, arg + 100);
}

static void test_equal_time_order(void)
{
    eng_sim *sim = eng_new(1);
    struct log lg;
    log_init(&lg, 16);
    eng_at(sim, 5, chain_handler, &lg, 1);
    eng_at(sim, 5, chain_handler, &lg, 2);
    eng_at(sim, 6, chain_handler, &lg, 3);
    CHECK_UEQ(eng_run(sim), 6);
    static const uint64_t want[] = {1, 2, 101, 102, 3, 103};
    for (size_t i = 0; i < DMS_ARRAY_LEN(want); i++)
        CHECK_UEQ(lg.tags[i], want[i]);
    log_fini(&lg);
    eng_free(sim);
}

/* Deferred calls: after the running handler, before any other event (even one scheduled
 * earlier at the same time), in order, nested ones after those already waiting; not
 * events; deferred outside a handler they run first in the next run; forget drops them. */
struct defer_ctx {
    struct log *lg;
    eng_time_ns at[16];
    int n;
};

static void defer_leaf(eng_sim *sim, void *ctx, uint64_t arg)
{
    struct defer_ctx *d = ctx;
    d->at[d->n++] = eng_now(sim);
    log_handler(sim, d->lg, arg);
    if (arg == 11) /* a deferred call defers another: it runs after 12 */
        eng_defer(sim, defer_leaf, d, 13);
}

static void defer_event(eng_sim *sim, void *ctx, uint64_t arg)
{
    struct defer_ctx *d = ctx;
    log_handler(sim, d->lg, arg);
    if (arg == 1) {
        eng_after(sim, 0, defer_event, d, 2); /* an event at the same time */
        eng_defer(sim, defer_leaf, d, 11);
        eng_defer(sim, defer_leaf, d, 12);
        eng_stop(sim); /* the deferred calls still run */
    }
}

static void test_defer(void)
{
    eng_sim *sim = eng_new(1);
    struct log lg;
    log_init(&lg, 32);
    struct defer_ctx d = {.lg = &lg, .n = 0};
    eng_at(sim, 7, defer_event, &d, 3); /* scheduled before event 1, same time */
    eng_at(sim, 7, defer_event, &d, 1);
    eng_defer(sim, defer_leaf, &d, 10); /* outside a handler: first in the next run */
    CHECK_UEQ(eng_run(sim), 2);         /* stopped by event 1 after its deferred calls */
    CHECK(eng_stopped(sim));
    static const uint64_t want1[] = {10, 3, 1, 11, 12, 13};
    CHECK_UEQ(lg.n, DMS_ARRAY_LEN(want1));
    for (size_t i = 0; i < DMS_ARRAY_LEN(want1); i++)
        CHECK_UEQ(lg.tags[i], want1[i]);
    CHECK_EQ(d.at[0], 0);
    for (int i = 1; i < d.n; i++)
        CHECK_EQ(d.at[i], 7);
    CHECK_UEQ(eng_run(sim), 1); /* event 2, left pending at the stop */
    CHECK_UEQ(lg.tags[lg.n - 1], 2);
    CHECK_UEQ(eng_events_fired(sim), 3);
    /* forget: the calls of a forgotten context never run, another context's still do, and
     * so do the context's calls deferred after the forget */
    size_t before = lg.n;
    struct defer_ctx other = {.lg = &lg, .n = 0};
    eng_defer(sim, defer_leaf, &d, 20);
    eng_defer(sim, defer_leaf, &other, 21);
    eng_defer(sim, defer_leaf, &d, 23);
    eng_defer_forget(sim, &d);
    eng_defer(sim, defer_leaf, &d, 22);
    CHECK_UEQ(eng_run(sim), 0);
    CHECK_UEQ(lg.n, before + 2);
    CHECK_UEQ(lg.tags[lg.n - 2], 21);
    CHECK_UEQ(lg.tags[lg.n - 1], 22);
    log_fini(&lg);
    eng_free(sim);
}

/* Checks the view from inside a handler, before and after changing the pending set. */
struct view_ctx {
    eng_event later[4];
    int calls;
};

static void view_handler(eng_sim *sim, void *ctx, uint64_t arg)
{
    struct view_ctx *v = ctx;
    v->calls++;
    if (arg != 0)
        return;
    /* The fired event is gone; the earliest is the last child of the root. */
    CHECK_UEQ(eng_pending_count(sim), 4);
    CHECK_EQ(eng_next_time(sim), 2);
    CHECK(eng_cancel(sim, v->later[3])); /* the one at t=2 */
    CHECK_UEQ(eng_pending_count(sim), 3);
    CHECK_EQ(eng_next_time(sim), 3);
    eng_after(sim, 1, view_handler, v, 9); /* t=1: becomes the earliest */
    CHECK_UEQ(eng_pending_count(sim), 4);
    CHECK_EQ(eng_next_time(sim), 1);
    eng_after(sim, 0, view_handler, v, 8);
    CHECK_EQ(eng_next_time(sim), 0);
    CHECK_UEQ(eng_pending_count(sim), 5);
}

static void test_view_inside_handler(void)
{
    eng_sim *sim = eng_new(1);
    struct view_ctx v = {.calls = 0};
    eng_at(sim, 0, view_handler, &v, 0);
    static const eng_time_ns t[4] = {5, 4, 3, 2};
    for (int i = 0; i < 4; i++)
        v.later[i] = eng_at(sim, t[i], view_handler, &v, 1);
    CHECK_UEQ(eng_run(sim), 6);
    CHECK_EQ(v.calls, 6);
    CHECK_EQ(eng_now(sim), 5);
    eng_free(sim);
}

/* The 32-bit sequence is renumbered before it wraps; ties must keep scheduling order. */
static void test_seq_renumber(void)
{
    eng_sim *sim = eng_new(1);
    struct log lg;
    log_init(&lg, 4096);
    uint64_t rs = 99;
    size_t n = 0;
    /* Old events with low sequences, then the counter near the top, then more. */
    for (; n < 200; n++)
        eng_at(sim, tr_below(&rs, 8), log_handler, &lg, n);
    eng__set_next_seq(sim, UINT32_MAX - 100);
    for (; n < 1000; n++)
        eng_at(sim, tr_below(&rs, 8), log_handler, &lg, n);
    CHECK_UEQ(eng_run(sim), n);
    for (size_t i = 1; i < n; i++) {
        CHECK_LE(lg.times[i - 1], lg.times[i]);
        if (lg.times[i - 1] == lg.times[i])
            CHECK_LT(lg.tags[i - 1], lg.tags[i]);
    }
    log_fini(&lg);
    eng_free(sim);
}

/* The renumbering in the small form (fewer than ENG__SMALL_MAX pending), where the heap is
 * one array in (time, sequence) order: events scheduled later but earlier in time, and a
 * lane's entries (older sequences) at the same times, must keep that order. */
static void test_seq_renumber_small(void)
{
    eng_sim *sim = eng_new(1);
    eng_lane lane = eng_lane_new(sim);
    struct log lg;
    log_init(&lg, 64);
    eng_lane_at(sim, lane, 50, log_handler, &lg, 0); /* fires 2nd: time 50, oldest */
    eng__set_next_seq(sim, UINT32_MAX - 3);
    eng_at(sim, 100, log_handler, &lg, 1);            /* 4th */
    eng_lane_at(sim, lane, 30, log_handler, &lg, 99); /* refused by the lane: heap, 1st */
    eng_at(sim, 50, log_handler, &lg, 2);             /* 3rd: after the lane's 50 */
    eng_at(sim, 200, log_handler, &lg, 3);            /* renumbers first; 5th */
    CHECK(!sim->radix);
    CHECK_UEQ(eng_run(sim), 5);
    static const uint64_t want_tags[] = {99, 0, 2, 1, 3};
    static const eng_time_ns want_times[] = {30, 50, 50, 100, 200};
    for (size_t i = 0; i < 5; i++) {
        CHECK_UEQ(lg.tags[i], want_tags[i]);
        CHECK_EQ(lg.times[i], want_times[i]);
    }
    log_fini(&lg);
    eng_free(sim);
}

static void stop_now(eng_sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    eng_stop(sim);
}

/* A call deferred outside any run that stops the run ends it before any event, even when
 * the earliest entry is a cancelled one in the bucketed form (dropping it would move the
 * heap's base past the clock); events scheduled afterwards before that entry's time still
 * fire first. */
static void test_stop_from_early_defer(void)
{
    eng_sim *sim = eng_new(1);
    struct log lg;
    log_init(&lg, 64);
    eng_event at10 = {0};
    for (uint64_t t = 10; t < 50; t++) {
        eng_event h = eng_at(sim, (eng_time_ns)t, log_handler, &lg, t);
        if (t == 10)
            at10 = h;
    }
    CHECK(sim->radix);
    CHECK(eng_cancel(sim, at10));
    eng_defer(sim, stop_now, NULL, 0);
    CHECK_UEQ(eng_run_until(sim, 1000), 0);
    CHECK(eng_stopped(sim));
    CHECK_EQ(eng_now(sim), 0);
    eng_at(sim, 5, log_handler, &lg, 5);
    CHECK_UEQ(eng_run(sim), 40);
    CHECK_UEQ(lg.tags[0], 5);
    for (size_t i = 1; i < lg.n; i++)
        CHECK_UEQ(lg.tags[i], 10 + i);
    log_fini(&lg);
    eng_free(sim);
}

/* A lane that refuses an event at the current time sends it to the heap; in the bucketed
 * form that is bucket 0 behind entries already there, in order. */
struct lane_log {
    struct log lg;
    eng_lane lane;
};

static void lane_refuse_handler(eng_sim *sim, void *ctx, uint64_t arg)
{
    struct lane_log *ll = ctx;
    log_handler(sim, &ll->lg, arg);
    if (arg == 0) {
        eng_lane_at(sim, ll->lane, eng_now(sim) + 5, log_handler, &ll->lg, 1000); /* tail */
        eng_lane_at(sim, ll->lane, eng_now(sim), log_handler, &ll->lg, 1001);     /* refused */
    }
}

static void test_lane_refused_at_now(void)
{
    eng_sim *sim = eng_new(1);
    struct lane_log ll = {.lane = eng_lane_new(sim)};
    log_init(&ll.lg, 128);
    for (uint64_t i = 0; i < 40; i++)
        eng_at(sim, 100 + (eng_time_ns)(i % 4), lane_refuse_handler, &ll, i);
    CHECK(sim->radix);
    CHECK_UEQ(eng_run(sim), 42);
    const struct log lg = ll.lg;
    /* 0 fires at 100, then what waits at 100 (4, 8, ...), then 1001 scheduled at 100, ... */
    size_t k = 0;
    CHECK_UEQ(lg.tags[k++], 0);
    for (uint64_t i = 4; i < 40; i += 4)
        CHECK_UEQ(lg.tags[k++], i);
    CHECK_UEQ(lg.tags[k], 1001);
    CHECK_EQ(lg.times[k], 100);
    for (size_t i = 1; i < lg.n; i++)
        CHECK_LE(lg.times[i - 1], lg.times[i]);
    CHECK_UEQ(lg.tags[lg.n - 1], 1000);
    CHECK_EQ(lg.times[lg.n - 1], 105);
    log_fini(&ll.lg);
    eng_free(sim);
}

/* ---- random streams ------------------------------------------------------------------ */

static void test_rng_streams(void)
{
    enum { N = 1000 };
    eng_sim *a = eng_new(42), *b = eng_new(42), *c = eng_new(43);
    gsl_rng *ra = eng_rng_stream(a, "nic0/protocol");
    CHECK(ra == eng_rng_stream(a, "nic0/protocol"));
    CHECK_STR(gsl_rng_name(ra), "xoshiro256**");
    CHECK(ra->type == eng_rng_type());
    CHECK_UEQ(gsl_rng_max(ra), UINT32_MAX);
    CHECK_UEQ(gsl_rng_min(ra), 0);

    /* b creates other streams first and draws from them in between: a's sequence holds. */
    gsl_rng *rb_other = eng_rng_stream(b, "nic1/protocol");
    eng_rng_stream(b, "aaa");
    eng_rng_stream(b, "zzz");
    gsl_rng *rb = eng_rng_stream(b, "nic0/protocol");
    CHECK(rb != rb_other);
    gsl_rng *rc = eng_rng_stream(c, "nic0/protocol");
    int same_other = 0, same_master = 0;
    for (int i = 0; i < N; i++) {
        unsigned long x = gsl_rng_get(ra);
        unsigned long o = gsl_rng_get(rb_other);
        CHECK_UEQ(gsl_rng_get(rb), x);
        same_other += o == x;
        same_master += gsl_rng_get(rc) == x;
    }
    CHECK_LT(same_other, 5);
    CHECK_LT(same_master, 5);
    CHECK(eng_rng_stream(b, "aaa") != eng_rng_stream(b, "zzz"));

    CHECK(eng_rng_seed(42, "a") != eng_rng_seed(42, "b"));
    CHECK(eng_rng_seed(42, "a") != eng_rng_seed(43, "a"));
    CHECK(eng_rng_seed(0, "") != eng_rng_seed(1, ""));
    CHECK_UEQ(eng_rng_seed(42, "nic0/protocol"), eng_rng_seed(42, "nic0/protocol"));
    eng_free(a);
    eng_free(b);
    eng_free(c);
}

/* The seed function is part of every result: pin it so a change is noticed. */
static void test_rng_seed_golden(void)
{
    /* Values from an independent implementation of FNV-1a + splitmix64. */
    CHECK_UEQ(eng_rng_seed(0, ""), UINT64_C(0x5b21f68ffa77f14c));
    CHECK_UEQ(eng_rng_seed(1, "nic0/protocol"), UINT64_C(0x76a6f46f6840bfdb));
    /* The stream is xoshiro256** whose state is four splitmix64 outputs from that seed;
     * gsl_rng_get gives the upper 32 bits, uniform doubles the upper 53 (reference above). */
    eng_sim *sim = eng_new(1);
    gsl_rng *r = eng_rng_stream(sim, "nic0/protocol");
    uint64_t st[4], x = UINT64_C(0x76a6f46f6840bfdb);
    for (int i = 0; i < 4; i++)
        st[i] = tr_next(&x);
    for (int i = 0; i < 10; i++)
        CHECK_UEQ(gsl_rng_get(r), ref_xoshiro256ss(st) >> 32);
    for (int i = 0; i < 10; i++)
        CHECK(gsl_rng_uniform(r) == (double)(ref_xoshiro256ss(st) >> 11) / 9007199254740992.0);
    /* eng_rng_exp takes its uniform from the same sequence. */
    double u = (double)(ref_xoshiro256ss(st) >> 11) / 9007199254740992.0;
    CHECK(eng_rng_exp(r, 2.0) == -2.0 * log(1.0 - u));
    /* gsl_rng_set seeds the same way, from the (unsigned long) seed. */
    gsl_rng *g = gsl_rng_alloc(eng_rng_type());
    CHECK(g != NULL);
    gsl_rng_set(g, 12345UL);
    x = 12345;
    for (int i = 0; i < 4; i++)
        st[i] = tr_next(&x);
    for (int i = 0; i < 10; i++)
        CHECK_UEQ(gsl_rng_get(g), ref_xoshiro256ss(st) >> 32);
    gsl_rng_free(g);
    eng_free(sim);
}

/* Uniforms and integers of a stream look uniform: every one of the 32 bits of gsl_rng_get
 * is set about half the time, and the mean and variance of uniform doubles are 1/2, 1/12. */
static void test_rng_uniformity(void)
{
    enum { N = 200000 };
    eng_sim *sim = eng_new(9);
    gsl_rng *r = eng_rng_stream(sim, "u");
    unsigned ones[32] = {0};
    double sum = 0, sum2 = 0;
    for (int i = 0; i < N; i++) {
        unsigned long v = gsl_rng_get(r);
        for (int b = 0; b < 32; b++)
            ones[b] += (unsigned)(v >> b) & 1u;
        double u = gsl_rng_uniform(r);
        CHECK(u >= 0 && u < 1);
        sum += u;
        sum2 += u * u;
    }
    /* sd of a bit count is sqrt(N)/2 ~ 224: allow 5 sd. */
    for (int b = 0; b < 32; b++)
        CHECK(ones[b] > N / 2 - 1120 && ones[b] < N / 2 + 1120);
    double mean = sum / N, var = sum2 / N - mean * mean;
    CHECK_NEAR(mean, 0.5, 0.0033); /* 5 standard errors (0.289 / sqrt(N)) */
    CHECK_NEAR(var, 1.0 / 12, 0.002);
    eng_free(sim);
}

static void test_rng_exp(void)
{
    eng_sim *sim = eng_new(5);
    gsl_rng *r = eng_rng_stream(sim, "exp");
    enum { N = 200000 };
    double sum = 0, sum2 = 0;
    for (int i = 0; i < N; i++) {
        double x = eng_rng_exp(r, 3.0);
        CHECK(x >= 0 && isfinite(x));
        sum += x;
        sum2 += x * x;
    }
    double mean = sum / N, var = sum2 / N - mean * mean;
    /* Standard error of the mean is 3/sqrt(N) ~ 0.0067; allow 5 of them. */
    CHECK_NEAR(mean, 3.0, 0.034);
    CHECK_NEAR(var, 9.0, 0.5);
    eng_free(sim);
}

int main(void)
{
    test_handles();
    test_run_until_boundaries();
    test_stop();
    test_equal_time_order();
    test_defer();
    test_view_inside_handler();
    test_static_vs_sort(1, 5000, 100, 1); /* heavy ties */
    test_static_vs_sort(2, 20000, 1 << 30, 1);
    test_static_vs_sort(3, 3, 2, 1);
    test_static_vs_sort(4, 20000, 1 << 20, 3);
    test_static_vs_sort(5, 5000, 50, 3);
    test_dynamic_lockstep(11, 300, 20000, false);
    test_dynamic_lockstep(12, 2000, 30000, false);
    test_dynamic_lockstep(13, 10, 30000, true);
    test_seq_renumber();
    test_seq_renumber_small();
    test_stop_from_early_defer();
    test_lane_refused_at_now();
    test_lanes_vs_sort(21, 3000);
    test_lanes_vs_sort(22, 20000);
    test_cancel_in_handler();
    test_rng_streams();
    test_rng_seed_golden();
    test_rng_uniformity();
    test_rng_exp();
    printf("test_engine: ok\n");
    return 0;
}
