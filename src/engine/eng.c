/* SPDX-License-Identifier: MIT */
/*
 * eng: clock, pending-event set and dispatch loop.
 *
 * The pending set is a radix heap of 16-byte entries ordered by (time, sequence)
 * (eng_heap.h, eng_heap.c), next to a pool of slots that hold each event's handler,
 * context and argument. Slots are recycled
 * through a LIFO free list, so a run in steady state allocates nothing. A handle packs the
 * slot's generation (high 32 bits) and index + 1 (low 32 bits), never 0.
 *
 * Cancellation is lazy: it marks the slot cancelled (a zombie, struct eng__slot) and leaves
 * its entry where it is; the run loop drops such an entry when it comes out as the
 * earliest, without firing it or moving the clock. When zombies make up more than half of
 * the entries (and there are more than ENG__COMPACT_MIN), the radix heap is rebuilt
 * without them, so memory stays within twice the pending events and cancellation costs
 * O(1) amortized. Fire order is the same as with eager removal.
 *
 * Deferred calls (eng_defer) are not events at all: a plain array of (handler, context,
 * argument) that the run loop empties after each handler, in order, before it looks at the
 * heap or a lane again. They cost no slot, no sequence number and no comparison.
 *
 * FIFO lanes keep events out of the heap when their order is already known. A lane holds
 * entries whose keys never decrease, so only its head competes: the run loop fires the
 * earliest of the heap's earliest and the lanes' heads, by the same (time, sequence) key,
 * so the firing order is exactly the one a heap alone would give. Lane 0 takes every event
 * scheduled at the current time (eng_after(sim, 0, ...)), which is O(1); eng_lane_new adds
 * lanes for streams a model schedules in time order, such as a trace's arrivals. An event
 * that would break a lane's order goes into the heap instead, so a lane is only ever a
 * shortcut. The engine remembers which lane has the earliest head and rescans the heads
 * only when that lane's head fires, so lanes are meant for a few streams (one per trace
 * source), not one per entity of a large model.
 *
 * In large heaps, once an event is taken out, the next earliest is found (the scan the next
 * look would make anyway) and its slot prefetched, so its cache miss overlaps the handler.
 * The slot pool, from 2 MiB on, is offered transparent huge pages.
 *
 * This file does not know what an event means, does no I/O and keeps no global state.
 */
#define _DEFAULT_SOURCE /* madvise and MADV_HUGEPAGE from <sys/mman.h> */
#include "eng_heap.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "dms.h"

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
/* For the rare paths out of schedule (growing the pool or a lane, renumbering): kept out
 * of line, so the common path saves no registers. */
#define COLD __attribute__((cold, noinline))
#else
#define PREFETCH(p) ((void)(p))
#define COLD
#endif

/* ---- memory -------------------------------------------------------------------------- */

/* Arrays from this size up are placed on 2 MiB boundaries and offered huge pages: with a
 * million pending events the heap and the pool span 48 MiB, and with 4 KiB pages nearly
 * every random access into them would also miss the TLB. */
#define HUGE_BYTES ((size_t)2 << 20)

/* Allocates n bytes for one of the engine's arrays (freed with free). */
static void *array_alloc(size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(ENG_NO_HUGEPAGES)
    if (n >= HUGE_BYTES) {
        size_t len = (n + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
        void *p = aligned_alloc(HUGE_BYTES, len);
        if (!p)
            return dms_xmalloc(n);
        (void)madvise(p, len, MADV_HUGEPAGE); /* only a hint; failure changes nothing */
        return p;
    }
#endif
    return dms_xmalloc(n);
}

/* Orders (seq << 32 | index) pairs; sequences are distinct, so the order is total. */
static int cmp_pair(const void *a, const void *b)
{
    uint64_t pa = *(const uint64_t *)a, pb = *(const uint64_t *)b;
    return (pa > pb) - (pa < pb);
}

static void lanes_to_heap(eng_sim *sim);

/*
 * Renumbers the sequences of pending events 0..n-1 in their current order, so next_seq
 * can restart at n. Relative order is kept, so every bucket (and the cached earliest)
 * stays valid. Runs once per ~4 G schedulings.
 */
COLD static void renumber_seq(eng_sim *sim)
{
    eng__compact(sim);
    lanes_to_heap(sim);
    eng__b0_sort(sim); /* lane entries at the base went in behind newer ones */
    uint32_t n = sim->heap_len;
    assert(n < UINT32_MAX / 2);
    uint64_t *pairs = dms_xmalloc((size_t)n * sizeof *pairs + 1);
    struct eng__ent **at = dms_xmalloc((size_t)n * sizeof *at + 1);
    uint32_t i = 0;
    RH_FOR_EACH(sim, e, {
        at[i] = e;
        pairs[i] = (uint64_t)ent_seq(e) << 32 | i;
        i++;
    });
    qsort(pairs, n, sizeof *pairs, cmp_pair);
    for (uint32_t r = 0; r < n; r++) {
        struct eng__ent *e = at[(uint32_t)pairs[r]];
        e->order = (uint64_t)r << 32 | ent_slot(e);
    }
    free(at);
    free(pairs);
    sim->next_seq = n;
}

/* ---- event pool ---------------------------------------------------------------------- */

/* Doubles the pool and threads the new slots onto the free list. */
COLD static void slots_grow(eng_sim *sim)
{
    uint32_t old = sim->slot_cap;
    uint32_t cap = old ? old * 2 : 64;
    assert(cap > old && cap <= ENG__MAX_SLOTS && "too many pending events");
    if (cap > ENG__MAX_SLOTS)
        abort(); /* a simulation this large is a runaway, not a model */
    struct eng__slot *slots = array_alloc((size_t)cap * sizeof *slots);
    if (old > 0)
        memcpy(slots, sim->slots, (size_t)old * sizeof *slots);
    free(sim->slots);
    sim->slots = slots;
    for (uint32_t i = old; i < cap; i++) {
        sim->slots[i].gen = 0;
        sim->slots[i].fn = NULL;
        sim->slots[i].next_free = i + 1 < cap ? i + 1 : sim->free_head;
    }
    sim->free_head = old;
    sim->slot_cap = cap;
}

/* Frees the slot of an event that fires now (its handle goes stale). */
static inline void slot_release(eng_sim *sim, uint32_t s)
{
    sim->slots[s].gen++;
    slot_push_free(sim, s);
}

/* The slot a handle names if that handle's event is pending, else ENG__NO_SLOT. */
static inline uint32_t handle_slot(const eng_sim *sim, eng_event ev)
{
    uint32_t idx = (uint32_t)ev.id;
    uint32_t gen = (uint32_t)(ev.id >> 32);
    if (idx == 0 || idx > sim->slot_cap)
        return ENG__NO_SLOT;
    if (sim->slots[idx - 1].gen != gen || (gen & 1u) == 0)
        return ENG__NO_SLOT;
    return idx - 1;
}

/* ---- lanes --------------------------------------------------------------------------- */

static uint32_t lane_add(eng_sim *sim)
{
    uint32_t id = sim->n_lanes++;
    sim->lanes = dms_xrealloc(sim->lanes, (size_t)sim->n_lanes * sizeof *sim->lanes);
    struct eng__lane *l = &sim->lanes[id];
    l->cap = 16;
    l->q = dms_xmalloc(l->cap * sizeof *l->q);
    l->head = 0;
    l->len = 0;
    return id;
}

static inline struct eng__ent *lane_at(const struct eng__lane *l, uint32_t i)
{
    return &l->q[(l->head + i) & (l->cap - 1)];
}

COLD static void lane_grow(struct eng__lane *l)
{
    struct eng__ent *q = dms_xmalloc((size_t)l->cap * 2 * sizeof *q);
    for (uint32_t i = 0; i < l->len; i++)
        q[i] = *lane_at(l, i);
    free(l->q);
    l->q = q;
    l->head = 0;
    l->cap *= 2;
}

/* Appends e to lane id if that keeps the lane in order; false (and nothing done) if not. */
static inline bool lane_push(eng_sim *sim, uint32_t id, struct eng__ent e)
{
    struct eng__lane *l = &sim->lanes[id];
    if (l->len > 0 && ent_less(&e, lane_at(l, l->len - 1)))
        return false;
    if (l->len == l->cap)
        lane_grow(l);
    *lane_at(l, l->len++) = e;
    sim->lane_pending++;
    if (l->len == 1 && (sim->lane_min == ENG__IN_HEAP || ent_less(&e, &sim->lane_head))) {
        sim->lane_min = id;
        sim->lane_head = e;
    }
    return true;
}

/* Finds the lane with the earliest head again (ENG__IN_HEAP if every lane is empty). */
static void lane_min_rescan(eng_sim *sim)
{
    uint32_t m = ENG__IN_HEAP;
    for (uint32_t i = 0; i < sim->n_lanes; i++) {
        const struct eng__lane *l = &sim->lanes[i];
        if (l->len == 0)
            continue;
        if (m == ENG__IN_HEAP || ent_less(lane_at(l, 0), lane_at(&sim->lanes[m], 0)))
            m = i;
    }
    sim->lane_min = m;
    if (m != ENG__IN_HEAP)
        sim->lane_head = *lane_at(&sim->lanes[m], 0);
}

static inline void lane_pop(struct eng__lane *l)
{
    l->head = (l->head + 1) & (l->cap - 1);
    l->len--;
}

/* Time of the earliest pending event in lane l, ENG_TIME_NEVER if none. */
static eng_time_ns lane_earliest(const eng_sim *sim, const struct eng__lane *l)
{
    for (uint32_t i = 0; i < l->len; i++) {
        const struct eng__ent *e = lane_at(l, i);
        if (!slot_is_zombie(sim, ent_slot(e)))
            return e->t_ns;
    }
    return ENG_TIME_NEVER;
}

/* Moves every lane's pending entries into the heap and frees the cancelled ones' slots
 * (before sequences are renumbered, which then needs to look at the heap only). */
static void lanes_to_heap(eng_sim *sim)
{
    for (uint32_t id = 0; id < sim->n_lanes; id++) {
        struct eng__lane *l = &sim->lanes[id];
        for (; l->len > 0; lane_pop(l)) {
            struct eng__ent e = *lane_at(l, 0);
            uint32_t s = ent_slot(&e);
            if (slot_is_zombie(sim, s)) {
                slot_push_free(sim, s);
                continue;
            }
            sim->slots[s].next_free = ENG__IN_HEAP;
            rh_insert(sim, e, false);
        }
    }
    sim->lane_pending = 0;
    sim->lane_min = ENG__IN_HEAP;
}

/* ---- public API ---------------------------------------------------------------------- */

eng_sim *eng_new(uint64_t master_seed)
{
    eng_sim *sim = dms_xcalloc(1, sizeof *sim);
    sim->free_head = ENG__NO_SLOT;
    sim->master_seed = master_seed;
    slots_grow(sim);
    sim->lane_min = ENG__IN_HEAP;
    lane_add(sim); /* ENG__NOW_LANE */
    return sim;
}

void eng_free(eng_sim *sim)
{
    if (!sim)
        return;
    eng__rng_fini(sim);
    for (uint32_t i = 0; i < sim->n_lanes; i++)
        free(sim->lanes[i].q);
    free(sim->lanes);
    free(sim->defer);
    free(sim->b0);
    for (uint32_t b = 0; b < ENG__BUCKETS; b++)
        free(sim->bk[b].q);
    free(sim->slots);
    free(sim);
}

/* eng_now (eng.h) reads the clock as the struct's first member. */
_Static_assert(offsetof(struct eng_sim, now_ns) == 0, "the clock must be eng_sim's first member");

/* Schedules into lane (or the heap, if lane is ENG__IN_HEAP or the lane's order forbids).
 * Inline: with the heap in its own file, link-time optimization stopped putting it into
 * models' handlers (20 more instructions per event in the hold model). */
static inline eng_event schedule(eng_sim *sim, uint32_t lane, eng_time_ns t_ns, eng_handler handler,
                                 void *ctx, uint64_t arg)
{
    assert(t_ns >= sim->now_ns && "event scheduled in the past");
    assert(handler != NULL);
    if (sim->free_head == ENG__NO_SLOT)
        slots_grow(sim);
    if (sim->next_seq == UINT32_MAX)
        renumber_seq(sim);
    uint32_t s = sim->free_head;
    struct eng__slot *sl = &sim->slots[s];
    sim->free_head = sl->next_free;
    sl->fn = handler;
    sl->ctx = ctx;
    sl->arg = arg;
    sl->gen++;
    struct eng__ent e = {.t_ns = t_ns, .order = (uint64_t)sim->next_seq++ << 32 | s};
    if (lane != ENG__IN_HEAP && lane_push(sim, lane, e)) {
        sl->next_free = lane;
    } else {
        sl->next_free = ENG__IN_HEAP;
        rh_insert(sim, e, true);
    }
    return (eng_event){.id = (uint64_t)sl->gen << 32 | (uint64_t)(s + 1)};
}

eng_event eng_at(eng_sim *sim, eng_time_ns t_ns, eng_handler handler, void *ctx, uint64_t arg)
{
    uint32_t lane = t_ns == sim->now_ns ? ENG__NOW_LANE : ENG__IN_HEAP;
    return schedule(sim, lane, t_ns, handler, ctx, arg);
}

eng_lane eng_lane_new(eng_sim *sim)
{
    return (eng_lane){.id = lane_add(sim)};
}

eng_event eng_lane_at(eng_sim *sim, eng_lane lane, eng_time_ns t_ns, eng_handler handler, void *ctx,
                      uint64_t arg)
{
    assert(lane.id > ENG__NOW_LANE && lane.id < sim->n_lanes && "not a lane of this engine");
    return schedule(sim, lane.id, t_ns, handler, ctx, arg);
}

eng_event eng_after(eng_sim *sim, eng_time_ns delay_ns, eng_handler handler, void *ctx,
                    uint64_t arg)
{
    assert(delay_ns >= 0 && delay_ns <= ENG_TIME_NEVER - sim->now_ns);
    return eng_at(sim, sim->now_ns + delay_ns, handler, ctx, arg);
}

bool eng_cancel(eng_sim *sim, eng_event ev)
{
    uint32_t s = handle_slot(sim, ev);
    if (s == ENG__NO_SLOT)
        return false;
    /* The entry stays where it is as a zombie. */
    struct eng__slot *sl = &sim->slots[s];
    sl->gen++;
    sl->fn = NULL;
    if (sl->next_free != ENG__IN_HEAP) {
        sim->lane_pending--;
        return true;
    }
    sim->zombies++;
    if (sim->zombies > ENG__COMPACT_MIN && 2 * sim->zombies > sim->heap_len)
        eng__compact(sim);
    return true;
}

bool eng_pending(const eng_sim *sim, eng_event ev)
{
    return handle_slot(sim, ev) != ENG__NO_SLOT;
}

uint64_t eng_pending_count(const eng_sim *sim)
{
    return sim->heap_len - sim->zombies + sim->lane_pending;
}

eng_time_ns eng_next_time(const eng_sim *sim)
{
    eng_time_ns t = eng__heap_earliest(sim);
    for (uint32_t i = 0; i < sim->n_lanes; i++) {
        eng_time_ns tl = lane_earliest(sim, &sim->lanes[i]);
        t = tl < t ? tl : t;
    }
    return t;
}

/* The lane whose head is earlier than the radix heap's earliest entry (hm, NULL when it is
 * empty) and every other lane's head, or ENG__IN_HEAP when hm is the earliest entry (or
 * nothing is pending). */
static inline uint32_t earliest_source(const eng_sim *sim, const struct eng__ent *hm)
{
    uint32_t m = sim->lane_min;
    if (m == ENG__IN_HEAP)
        return ENG__IN_HEAP;
    if (hm && ent_less(hm, &sim->lane_head))
        return ENG__IN_HEAP;
    return m;
}

/* Fires the event of entry top (taken from the heap or a lane already); false if it was
 * cancelled and is dropped without firing. */
static inline bool fire(eng_sim *sim, struct eng__ent top)
{
    uint32_t s = ent_slot(&top);
    struct eng__slot *sl = &sim->slots[s];
    eng_handler fn = sl->fn;
    if (!fn) {
        /* A cancelled event: drop it without firing or moving the clock. */
        slot_push_free(sim, s);
        return false;
    }
    void *ctx = sl->ctx;
    uint64_t arg = sl->arg;
    slot_release(sim, s);
    sim->now_ns = top.t_ns;
    sim->fired++;
    fn(sim, ctx, arg);
    return true;
}

void eng_defer(eng_sim *sim, eng_handler handler, void *ctx, uint64_t arg)
{
    assert(handler != NULL);
    if (sim->n_defer == sim->cap_defer) {
        sim->cap_defer = sim->cap_defer ? sim->cap_defer * 2 : 16;
        sim->defer = dms_xrealloc(sim->defer, (size_t)sim->cap_defer * sizeof *sim->defer);
    }
    sim->defer[sim->n_defer++] = (struct eng__call){handler, ctx, arg};
}

void eng_defer_forget(eng_sim *sim, const void *ctx)
{
    for (uint32_t i = sim->defer_next; i < sim->n_defer; i++)
        if (sim->defer[i].ctx == ctx)
            sim->defer[i].fn = NULL;
}

/* Runs the deferred calls in order, with those they defer, until none is left. */
static void run_deferred(eng_sim *sim)
{
    while (sim->defer_next < sim->n_defer) {
        struct eng__call c = sim->defer[sim->defer_next++];
        if (c.fn)
            c.fn(sim, c.ctx, c.arg);
    }
    sim->n_defer = sim->defer_next = 0;
}

/* Fires events while the earliest is at or before t_end_ns and nobody called eng_stop. */
static uint64_t run_loop(eng_sim *sim, eng_time_ns t_end_ns)
{
    assert(!sim->running && "eng_run called from a handler");
    uint64_t fired = 0;
    sim->running = true;
    sim->stopped = false;
    if (sim->n_defer > 0) /* deferred while no handler ran; one may stop the run */
        run_deferred(sim);
    while (!sim->stopped) {
        const struct eng__ent *hm = rh_min(sim);
        uint32_t from = earliest_source(sim, hm);
        if (from == ENG__IN_HEAP) {
            if (!hm || hm->t_ns > t_end_ns)
                break;
            struct eng__ent top = rh_pop(sim);
            /* In large heaps the slot of the event that is earliest now is fetched while
             * this one's handler runs (finding it is work the next rh_min would do; an
             * earlier event the handler schedules just replaces it). */
            if (sim->heap_len >= ENG_PREFETCH_MIN) {
                const struct eng__ent *next = rh_min(sim);
                PREFETCH(&sim->slots[ent_slot(next)]);
            }
            if (slot_is_zombie(sim, ent_slot(&top)))
                sim->zombies--;
            fired += fire(sim, top);
            if (sim->n_defer > 0)
                run_deferred(sim);
        } else {
            struct eng__lane *l = &sim->lanes[from];
            struct eng__ent top = *lane_at(l, 0);
            if (top.t_ns > t_end_ns)
                break;
            lane_pop(l);
            lane_min_rescan(sim);
            if (!slot_is_zombie(sim, ent_slot(&top)))
                sim->lane_pending--;
            fired += fire(sim, top);
            if (sim->n_defer > 0)
                run_deferred(sim);
        }
    }
    sim->running = false;
    return fired;
}

uint64_t eng_run_until(eng_sim *sim, eng_time_ns t_end_ns)
{
    uint64_t fired = run_loop(sim, t_end_ns);
    if (!sim->stopped && t_end_ns > sim->now_ns)
        sim->now_ns = t_end_ns;
    return fired;
}

uint64_t eng_run(eng_sim *sim)
{
    return run_loop(sim, ENG_TIME_NEVER);
}

void eng_stop(eng_sim *sim)
{
    sim->stopped = true;
}

bool eng_stopped(const eng_sim *sim)
{
    return sim->stopped;
}

uint64_t eng_events_fired(const eng_sim *sim)
{
    return sim->fired;
}

void eng__set_next_seq(eng_sim *sim, uint32_t seq)
{
    sim->next_seq = seq;
}
