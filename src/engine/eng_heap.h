/* SPDX-License-Identifier: MIT */
/*
 * eng_heap: the engine's pending set, a radix heap of (time, order word) entries. Private
 * to the engine (eng.c, eng_heap.c and the white-box test): the operations the run loop
 * and scheduling use on every event are inline here, the rest is in eng_heap.c.
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
 * A cancelled entry (its slot's handler is NULL) stays where it is until it comes out as
 * the earliest or eng__compact rebuilds the heap without it.
 */
#ifndef ENG_HEAP_H
#define ENG_HEAP_H

#include <assert.h>

#include "eng_int.h"

/* The rare and the O(n) operations (eng_heap.c); finding and emptying the lowest bucket,
 * which the bucketed form does for most events, are inline below. */
void eng__bucket_grow(struct eng__bucket *k);
void eng__b0_make_room(eng_sim *sim);
void eng__to_radix(eng_sim *sim);
void eng__to_small(eng_sim *sim);
void eng__b0_sort(eng_sim *sim);
/* Rebuilds the radix heap without its cancelled entries (their slots go free), in O(n). */
void eng__compact(eng_sim *sim);
/* Time of the earliest pending (not cancelled) entry, ENG_TIME_NEVER if none. */
eng_time_ns eng__heap_earliest(const eng_sim *sim);

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

/* Appends e to bucket b >= 1; returns where it went in the bucket. */
static inline uint32_t bucket_push(eng_sim *sim, uint32_t b, struct eng__ent e)
{
    struct eng__bucket *k = &sim->bk[b];
    if (k->n == k->cap)
        eng__bucket_grow(k);
    k->q[k->n] = e;
    sim->nonempty |= UINT64_C(1) << b;
    return k->n++;
}

/* Appends e to bucket 0, whose entries are in order from b0_head. */
static inline void b0_push(eng_sim *sim, struct eng__ent e)
{
    if (sim->b0_len == sim->b0_cap)
        eng__b0_make_room(sim);
    sim->b0[sim->b0_len++] = e;
}

/* Inserts e into bucket 0 in (time, sequence) order (the small heap: everything is
 * there), searching from the end. */
static inline void small_insert(eng_sim *sim, struct eng__ent e)
{
    if (sim->b0_len == sim->b0_cap)
        eng__b0_make_room(sim);
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
        eng__b0_make_room(sim);
    q = sim->b0;
    uint32_t j = sim->b0_len++;
    for (; j > sim->b0_head && q[j - 1].t_ns > e.t_ns; j--)
        q[j] = q[j - 1];
    q[j] = e;
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
        eng__to_radix(sim);
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
static inline void eng__find_min(eng_sim *sim)
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
        eng__find_min(sim);
    }
    return &sim->bk[sim->min_b].q[sim->min_at];
}

/*
 * Empties the bucket of the cached earliest entry (bucket 0 being empty) into the buckets
 * below it, around that entry's time as the new base; the entries at the base land in
 * bucket 0, which is then sorted. The emptied bucket keeps its array for later.
 */
static inline void eng__redistribute(eng_sim *sim)
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
            eng__bucket_grow(d);
        d->q[d->n++] = e;
        nonempty |= UINT64_C(1) << to;
    }
    sim->nonempty = nonempty;
    if (sim->b0_len > 1)
        eng__b0_sort(sim);
}

/* Takes the earliest entry out of the radix heap; rh_min must have returned it. */
static inline struct eng__ent rh_pop(eng_sim *sim)
{
    if (sim->b0_head == sim->b0_len)
        eng__redistribute(sim);
    struct eng__ent e = sim->b0[sim->b0_head++];
    if (sim->b0_head == sim->b0_len) /* empty: start again in the middle, room both ways */
        sim->b0_head = sim->b0_len = sim->b0_cap / 2;
    sim->heap_len--;
    if (sim->radix && sim->heap_len <= ENG__SMALL_MIN)
        eng__to_small(sim);
    return e;
}

/* Runs body with e pointing at each entry of the radix heap: bucket 0 in order, then the
 * other buckets. */
#define RH_FOR_EACH(sim, e, body)                                                                  \
    do {                                                                                           \
        for (uint32_t i_ = (sim)->b0_head; i_ < (sim)->b0_len; i_++) {                             \
            struct eng__ent *e = &(sim)->b0[i_];                                                   \
            body;                                                                                  \
        }                                                                                          \
        for (uint32_t b_ = 1; b_ < ENG__BUCKETS; b_++)                                             \
            for (uint32_t j_ = 0; j_ < (sim)->bk[b_].n; j_++) {                                    \
                struct eng__ent *e = &(sim)->bk[b_].q[j_];                                         \
                body;                                                                              \
            }                                                                                      \
    } while (0)

#endif
