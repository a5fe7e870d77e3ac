/* SPDX-License-Identifier: MIT */
/*
 * eng: clock, pending-event set and dispatch loop.
 *
 * The pending set is a radix heap of 16-byte entries ordered by (time, sequence), next to
 * a pool of slots that hold each event's handler, context and argument. Slots are recycled
 * through a LIFO free list, so a run in steady state allocates nothing. A handle packs the
 * slot's generation (high 32 bits) and index + 1 (low 32 bits), never 0.
 *
 * A radix heap works because the clock never goes back: no event is scheduled before the
 * time of the last one taken out (the base). Entries sit in 65 buckets by the highest bit
 * in which their time differs from the base: bucket 0 holds those at the base itself,
 * bucket b those that first differ in bit b - 1, so every time in a bucket is earlier than
 * every time in the buckets above it. Scheduling is O(1): one XOR, one bit scan and an
 * append. Taking out the earliest event pops bucket 0 when it holds any; otherwise the
 * lowest non-empty bucket is scanned for its earliest entry, that entry's time becomes the
 * base, and the bucket's entries move down to the buckets below it (each at least one
 * bucket lower, so an entry moves at most 64 times; in the hold model of bench/README.md,
 * about six). Within one time, bucket 0 is kept in scheduling order: sorted when it is
 * filled from above, and appended to afterwards only by newer events. So events fire in
 * exactly the (time, sequence) order a binary heap would give. The earliest entry above
 * bucket 0 is cached (min_b, min_at) and kept current as events are scheduled, so looking
 * at the next event without taking it (to compare it with the lanes' heads, or with the
 * end of a run) costs one scan per base, not one per look.
 *
 * Small heaps, which is what a model of a few NICs has (five entries on average in
 * bench_replay), skip the buckets: up to ENG__SMALL_MAX entries everything sits in bucket
 * 0's array, sorted, and an event being scheduled is appended when it is the latest, else
 * finds its place from the front when there is room before the first entry, else from the
 * end (small_insert_newest). The heap moves to buckets when one more entry would pass
 * ENG__SMALL_MAX, and back when it shrinks to ENG__SMALL_MIN, so it does not flip at one
 * size.
 *
 * Each bucket is an array that keeps its capacity when emptied, so a run in steady state
 * allocates nothing; the price is memory, since each bucket keeps the most it ever held
 * (bench/README.md gives the bytes per pending event).
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
#include "eng_int.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "dms.h"

#define CACHE_LINE 64

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
/* For the rare paths out of schedule and the run loop (growing an array, switching the
 * heap's form, rebuilding it): kept out of line, so the common path saves no registers. */
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

/* ---- radix heap ---------------------------------------------------------------------- */

static inline uint32_t ent_slot(const struct eng__ent *e)
{
    return (uint32_t)e->order;
}

static inline uint32_t ent_seq(const struct eng__ent *e)
{
    return (uint32_t)(e->order >> 32);
}

/* a before b. Times are >= 0, so comparing them unsigned is the same as signed. */
static inline bool ent_less(const struct eng__ent *a, const struct eng__ent *b)
{
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128;
    u128 ka = (u128)(uint64_t)a->t_ns << 64 | a->order;
    u128 kb = (u128)(uint64_t)b->t_ns << 64 | b->order;
    return ka < kb;
#else
    return (a->t_ns < b->t_ns) | ((a->t_ns == b->t_ns) & (a->order < b->order));
#endif
}

static inline bool slot_is_zombie(const eng_sim *sim, uint32_t s)
{
    return sim->slots[s].fn == NULL;
}

static inline void slot_push_free(eng_sim *sim, uint32_t s)
{
    sim->slots[s].next_free = sim->free_head;
    sim->free_head = s;
}

/* One more than the highest set bit of x (nonzero): the bucket of a time that differs from
 * the base by the bits of x. */
static inline uint32_t bucket_above(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (63u ^ (uint32_t)__builtin_clzll(x)) + 1u; /* one bsr */
#else
    uint32_t b = 0;
    for (; x; x >>= 1)
        b++;
    return b;
#endif
}

/* The bucket of an entry at time t: 0 if t is the base, else one more than the highest bit
 * in which t and the base differ. Every time in bucket b is earlier than every time in a
 * bucket above b, since all of them are at or after the base. */
static inline uint32_t bucket_of(const eng_sim *sim, eng_time_ns t)
{
    uint64_t x = (uint64_t)t ^ (uint64_t)sim->base;
    return x == 0 ? 0 : bucket_above(x);
}

/* Lowest set bit of a nonzero mask. */
static inline uint32_t lowest_bit(uint64_t m)
{
#if defined(__GNUC__) || defined(__clang__)
    return (uint32_t)__builtin_ctzll(m);
#else
    uint32_t b = 0;
    for (; !(m & 1u); m >>= 1)
        b++;
    return b;
#endif
}

COLD static void bucket_grow(struct eng__bucket *k)
{
    k->cap = k->cap ? k->cap * 2 : 16;
    k->q = dms_xrealloc(k->q, (size_t)k->cap * sizeof *k->q);
}

/* Appends e to bucket b >= 1; returns where it went in the bucket. */
static inline uint32_t bucket_push(eng_sim *sim, uint32_t b, struct eng__ent e)
{
    struct eng__bucket *k = &sim->bk[b];
    if (k->n == k->cap)
        bucket_grow(k);
    k->q[k->n] = e;
    sim->nonempty |= UINT64_C(1) << b;
    return k->n++;
}

/* Makes room for one more entry at the end of bucket 0: centres its entries in the array
 * when they fill at most half of it (small_insert_newest also uses room before them), else
 * doubles the array; so each move of the entries is paid for by a quarter of the array's
 * pushes, however pushes and pops alternate. */
COLD static void b0_make_room(eng_sim *sim)
{
    if (sim->b0_cap > 0 && sim->b0_len - sim->b0_head <= sim->b0_cap / 2) {
        uint32_t live = sim->b0_len - sim->b0_head, at = (sim->b0_cap - live) / 2;
        memmove(sim->b0 + at, sim->b0 + sim->b0_head, (size_t)live * sizeof *sim->b0);
        sim->b0_head = at;
        sim->b0_len = at + live;
        return;
    }
    sim->b0_cap = sim->b0_cap ? sim->b0_cap * 2 : 16;
    sim->b0 = dms_xrealloc(sim->b0, (size_t)sim->b0_cap * sizeof *sim->b0);
}

/* Appends e to bucket 0, whose entries are in order from b0_head. */
static inline void b0_push(eng_sim *sim, struct eng__ent e)
{
    if (sim->b0_len == sim->b0_cap)
        b0_make_room(sim);
    sim->b0[sim->b0_len++] = e;
}

/* Inserts e into bucket 0 in (time, sequence) order (the small heap: everything is
 * there), searching from the end. */
static inline void small_insert(eng_sim *sim, struct eng__ent e)
{
    if (sim->b0_len == sim->b0_cap)
        b0_make_room(sim);
    struct eng__ent *q = sim->b0;
    uint32_t j = sim->b0_len++;
    for (; j > sim->b0_head && ent_less(&e, &q[j - 1]); j--)
        q[j] = q[j - 1];
    q[j] = e;
}

/*
 * small_insert for an event being scheduled: its sequence is the newest, so it goes after
 * every entry at its time and only times need comparing. An event no earlier than the
 * latest pending one is appended (streams of completions are scheduled in order). Others
 * mostly fire before most of what is pending (a bus transfer ends before the protocol's
 * hold of an earlier packet does: in bench_replay a new entry has on average 2.9 entries
 * behind it and 0.8 ahead), so while there is room in front of bucket 0 their place is
 * found from the front, and the entries ahead move forward.
 */
static inline void small_insert_newest(eng_sim *sim, struct eng__ent e)
{
    struct eng__ent *q = sim->b0;
    uint32_t h = sim->b0_head, n = sim->b0_len;
    if (h > 0 && n > h && q[n - 1].t_ns > e.t_ns) {
        uint32_t j = h;
        for (; q[j].t_ns <= e.t_ns; j++) /* stops at n - 1 at the latest */
            q[j - 1] = q[j];
        q[j - 1] = e;
        sim->b0_head = h - 1;
        return;
    }
    if (sim->b0_len == sim->b0_cap)
        b0_make_room(sim);
    q = sim->b0;
    uint32_t j = sim->b0_len++;
    for (; j > sim->b0_head && q[j - 1].t_ns > e.t_ns; j--)
        q[j] = q[j - 1];
    q[j] = e;
}

/* From the small heap to buckets, around the clock as the base (no entry is earlier, and
 * nothing can be scheduled earlier): entries at the clock stay in bucket 0, in order. */
COLD static void to_radix(eng_sim *sim)
{
    sim->radix = true;
    sim->base = sim->now_ns;
    sim->min_b = 0;
    uint32_t f = sim->b0_head;
    while (f < sim->b0_len && sim->b0[f].t_ns == sim->base)
        f++;
    for (uint32_t i = f; i < sim->b0_len; i++)
        bucket_push(sim, bucket_of(sim, sim->b0[i].t_ns), sim->b0[i]);
    sim->b0_len = f;
    if (f == sim->b0_head)
        sim->b0_head = sim->b0_len = 0;
}

/*
 * Adds e to the radix heap; newest says that its sequence is later than every pending
 * one's (it is being scheduled). Its time is never before the base: the base is the time
 * of an event taken out, or the clock when the buckets come into use, so it is at or
 * before the clock whenever a handler runs or the run loop is idle. (A cancelled entry
 * taken out as the earliest moves the base and not the clock, but no handler runs before
 * the next entry comes out, at or after it: eng_stop is only looked at after a handler, or
 * before the first event when a call deferred before the run made it. A run_until that
 * ends there moves the clock to its end, which is not before that entry either.)
 */
static inline void rh_insert(eng_sim *sim, struct eng__ent e, bool newest)
{
    if (!sim->radix) {
        if (sim->heap_len < ENG__SMALL_MAX) {
            if (newest)
                small_insert_newest(sim, e);
            else
                small_insert(sim, e);
            sim->heap_len++;
            return;
        }
        to_radix(sim);
    }
    assert(e.t_ns >= sim->base);
    sim->heap_len++;
    uint32_t b = bucket_of(sim, e.t_ns);
    if (b == 0) {
        /* An event being scheduled goes behind every entry at the base, its sequence being
         * the newest; lanes_to_heap's older entries are put in order after it (b0_sort). */
        b0_push(sim, e);
        return;
    }
    uint32_t at = bucket_push(sim, b, e);
    if (sim->min_b != 0 &&
        (b < sim->min_b || (b == sim->min_b && ent_less(&e, &sim->bk[b].q[sim->min_at])))) {
        sim->min_b = b;
        sim->min_at = at;
    }
}

/* Finds and caches the earliest entry of the lowest non-empty bucket above bucket 0. */
static void find_min(eng_sim *sim)
{
    uint32_t b = lowest_bit(sim->nonempty);
    const struct eng__ent *q = sim->bk[b].q;
    struct eng__ent m = q[0];
    uint32_t best = 0;
    for (uint32_t j = 1, n = sim->bk[b].n; j < n; j++) {
        if (ent_less(&q[j], &m)) {
            m = q[j];
            best = j;
        }
    }
    sim->min_b = b;
    sim->min_at = best;
}

/* The earliest entry of the radix heap, NULL if it is empty. It does not move the base, so
 * anything may still be scheduled from the clock on. */
static inline const struct eng__ent *rh_min(eng_sim *sim)
{
    if (sim->b0_head < sim->b0_len)
        return &sim->b0[sim->b0_head];
    if (sim->min_b == 0) {
        if (sim->nonempty == 0)
            return NULL;
        find_min(sim);
    }
    return &sim->bk[sim->min_b].q[sim->min_at];
}

/* Orders entries by (time, order word); the keys of pending entries are distinct. */
static int cmp_ent(const void *a, const void *b)
{
    return ent_less(b, a) - ent_less(a, b);
}

/* Puts bucket 0's entries in (time, sequence) order: scheduling order for the entries at
 * the base in the bucketed form, the whole order in the small form. */
static void b0_sort(eng_sim *sim)
{
    struct eng__ent *q = sim->b0 + sim->b0_head;
    uint32_t n = sim->b0_len - sim->b0_head;
    if (n > 16) {
        qsort(q, n, sizeof *q, cmp_ent);
        return;
    }
    for (uint32_t i = 1; i < n; i++) {
        struct eng__ent e = q[i];
        uint32_t j = i;
        for (; j > 0 && ent_less(&e, &q[j - 1]); j--)
            q[j] = q[j - 1];
        q[j] = e;
    }
}

/*
 * Empties the bucket of the cached earliest entry (bucket 0 being empty) into the buckets
 * below it, around that entry's time as the new base; the entries at the base land in
 * bucket 0, which is then sorted. The emptied bucket keeps its array for later.
 */
static void redistribute(eng_sim *sim)
{
    uint32_t b = sim->min_b;
    struct eng__bucket *k = &sim->bk[b];
    /* Locals, not sim's fields: the stores below could alias those. The source array is
     * not moved meanwhile, as every entry goes to a lower bucket. */
    const struct eng__ent *q = k->q;
    uint32_t n = k->n;
    uint64_t base = (uint64_t)q[sim->min_at].t_ns;
    uint64_t nonempty = sim->nonempty & ~(UINT64_C(1) << b);
    sim->base = (eng_time_ns)base;
    sim->min_b = 0;
    k->n = 0;
    for (uint32_t j = 0; j < n; j++) {
        struct eng__ent e = q[j];
        uint64_t x = (uint64_t)e.t_ns ^ base;
        if (x == 0) {
            b0_push(sim, e);
            continue;
        }
        uint32_t to = bucket_above(x);
        assert(to < b);
        struct eng__bucket *d = &sim->bk[to];
        if (d->n == d->cap)
            bucket_grow(d);
        d->q[d->n++] = e;
        nonempty |= UINT64_C(1) << to;
    }
    sim->nonempty = nonempty;
    if (sim->b0_len > 1)
        b0_sort(sim);
}

/* From buckets back to the small heap: every entry above bucket 0 is later than those in
 * it, so inserting them in order behind bucket 0 sorts the whole. */
COLD static void to_small(eng_sim *sim)
{
    struct eng__ent tmp[ENG__SMALL_MIN];
    uint32_t n = 0;
    for (uint64_t m = sim->nonempty; m != 0; m &= m - 1) {
        struct eng__bucket *k = &sim->bk[lowest_bit(m)];
        for (uint32_t j = 0; j < k->n; j++)
            tmp[n++] = k->q[j];
        k->n = 0;
    }
    sim->nonempty = 0;
    sim->min_b = 0;
    sim->radix = false;
    for (uint32_t i = 0; i < n; i++)
        small_insert(sim, tmp[i]);
}

/* Takes the earliest entry out of the radix heap; rh_min must have returned it. */
static inline struct eng__ent rh_pop(eng_sim *sim)
{
    if (sim->b0_head == sim->b0_len)
        redistribute(sim);
    struct eng__ent e = sim->b0[sim->b0_head++];
    if (sim->b0_head == sim->b0_len) /* empty: start again in the middle, room both ways */
        sim->b0_head = sim->b0_len = sim->b0_cap / 2;
    sim->heap_len--;
    if (sim->radix && sim->heap_len <= ENG__SMALL_MIN)
        to_small(sim);
    return e;
}

/* Runs body with e pointing at each entry of the radix heap: bucket 0 in order, then the
 * other buckets. */
#define RH_FOR_EACH(sim, e, body)                                                           \
    do {                                                                                   \
        for (uint32_t i_ = (sim)->b0_head; i_ < (sim)->b0_len; i_++) {                     \
            struct eng__ent *e = &(sim)->b0[i_];                                           \
            body;                                                                          \
        }                                                                                  \
        for (uint32_t b_ = 1; b_ < ENG__BUCKETS; b_++)                                     \
            for (uint32_t j_ = 0; j_ < (sim)->bk[b_].n; j_++) {                            \
                struct eng__ent *e = &(sim)->bk[b_].q[j_];                                 \
                body;                                                                      \
            }                                                                              \
    } while (0)

/*
 * Rebuilds the radix heap without its cancelled entries (their slots go free), in O(n).
 * Bucket 0's order is kept: its entries are taken first and in order, and no other entry
 * can land there.
 */
COLD static void compact(eng_sim *sim)
{
    uint32_t n = 0;
    struct eng__ent *all = dms_xmalloc(((size_t)sim->heap_len + 1) * sizeof *all);
    RH_FOR_EACH(sim, e, {
        if (slot_is_zombie(sim, ent_slot(e)))
            slot_push_free(sim, ent_slot(e));
        else
            all[n++] = *e;
    });
    for (uint32_t b = 1; b < ENG__BUCKETS; b++)
        sim->bk[b].n = 0;
    sim->nonempty = 0;
    sim->b0_head = sim->b0_len = 0;
    sim->min_b = 0;
    sim->heap_len = 0;
    sim->zombies = 0;
    for (uint32_t i = 0; i < n; i++)
        rh_insert(sim, all[i], false);
    free(all);
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
    compact(sim);
    lanes_to_heap(sim);
    b0_sort(sim); /* lane entries at the base went in behind newer ones */
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

/* Schedules into lane (or the heap, if lane is ENG__IN_HEAP or the lane's order forbids). */
static eng_event schedule(eng_sim *sim, uint32_t lane, eng_time_ns t_ns, eng_handler handler,
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

eng_event eng_lane_at(eng_sim *sim, eng_lane lane, eng_time_ns t_ns, eng_handler handler,
                      void *ctx, uint64_t arg)
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
        compact(sim);
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

/* Time of the earliest pending event in the radix heap, ENG_TIME_NEVER if none: the first
 * live entry of bucket 0, else the earliest live entry of the lowest bucket that has one. */
static eng_time_ns heap_earliest(const eng_sim *sim)
{
    for (uint32_t i = sim->b0_head; i < sim->b0_len; i++)
        if (!slot_is_zombie(sim, ent_slot(&sim->b0[i])))
            return sim->b0[i].t_ns;
    for (uint64_t m = sim->nonempty; m != 0; m &= m - 1) {
        const struct eng__bucket *k = &sim->bk[lowest_bit(m)];
        eng_time_ns best = ENG_TIME_NEVER;
        for (uint32_t j = 0; j < k->n; j++)
            if (k->q[j].t_ns < best && !slot_is_zombie(sim, ent_slot(&k->q[j])))
                best = k->q[j].t_ns;
        if (best != ENG_TIME_NEVER)
            return best;
    }
    return ENG_TIME_NEVER;
}

eng_time_ns eng_next_time(const eng_sim *sim)
{
    eng_time_ns t = heap_earliest(sim);
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
