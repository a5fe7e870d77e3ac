/* SPDX-License-Identifier: MIT */
/*
 * eng_int: the engine's private layout, shared by its own files and its white-box test.
 *
 * Pending events live in a pool of slots (struct eng__slot: what a handler needs, and a
 * generation counter that makes stale handles detectable) and in a radix heap of compact
 * 16-byte entries (time, order word), so finding the earliest never reads the pool. The
 * order is total: by time, then by sequence (the order of scheduling), which sits in the
 * high half of the order word; the 32-bit sequence is renumbered, order-preserving, before
 * it would wrap. Nothing here is part of the public contract in eng.h; other modules must
 * not include this file.
 */
#ifndef ENG_INT_H
#define ENG_INT_H

#include "eng.h"

/* The slot of the event that fires next is prefetched once the radix heap holds this
 * many entries (below it the pool is in cache anyway). UINT32_MAX turns it off. */
#ifndef ENG_PREFETCH_MIN
#define ENG_PREFETCH_MIN 1024u
#endif

#define ENG__NO_SLOT UINT32_MAX
#define ENG__IN_HEAP UINT32_MAX /* struct eng__slot.next_free of a pending event in the heap */
#define ENG__NOW_LANE 0u        /* the lane of events scheduled at the current time */
/* Fewest cancelled entries that make a heap rebuild worth it (see eng.c). */
#define ENG__COMPACT_MIN 64u
/* Buckets of the radix heap: bucket 0 holds entries at the base time, bucket b >= 1 those
 * whose time first differs from the base in bit b - 1 (eng.c). */
#define ENG__BUCKETS 65u
/* The radix heap is a plain sorted array (bucket 0) while it holds at most ENG__SMALL_MAX
 * entries; it goes to buckets when one more would pass that, and back at ENG__SMALL_MIN. */
#define ENG__SMALL_MAX 32u
#define ENG__SMALL_MIN 8u
/* Most events pending at once (16 GiB of slots); keeps the 32-bit sizes and indices of the
 * slot pool and of the buckets from overflowing. */
#define ENG__MAX_SLOTS (UINT32_C(1) << 29)

/* One heap entry: the event's sort key and the pool slot that holds the rest. Entries
 * compare as the pair (t_ns, order); t_ns >= 0 always, as the clock starts at 0. */
struct eng__ent {
    eng_time_ns t_ns; /* firing time */
    uint64_t order;   /* sequence << 32 | slot; sequences of pending events are distinct */
};

/*
 * One pool slot, in one of three states. Pending: gen is odd and fn is set. Cancelled (a
 * "zombie"): gen is even and fn is NULL; its entry is still in the heap or its lane, and
 * the slot goes back to the free list when that entry comes out as the earliest. Free: gen
 * is even, on the
 * free list. gen grows by one at every allocation and every cancellation or firing, so a
 * handle (gen, index) names at most one scheduling (until the 32-bit counter wraps, after
 * 2^31 reuses of the slot). next_free links the free list while the slot is free and says
 * where the entry waits while it is pending: ENG__IN_HEAP or the index of its lane.
 */
struct eng__slot {
    eng_handler fn;
    void *ctx;
    uint64_t arg;
    uint32_t gen;
    uint32_t next_free;
};

/* A bucket of the radix heap above bucket 0: an array of entries in no order. */
struct eng__bucket {
    struct eng__ent *q;
    uint32_t n, cap;
};

/*
 * A FIFO lane: a ring of entries whose (time, order) keys never decrease from head to tail,
 * so its head is its earliest entry. Lane 0 takes every event scheduled at the current
 * time; others are created by eng_lane_new. Cancelled entries stay until they reach the
 * head.
 */
struct eng__lane {
    struct eng__ent *q; /* ring of cap entries; q[head] is the earliest */
    uint32_t cap;       /* a power of two */
    uint32_t head;
    uint32_t len;       /* entries, cancelled ones included */
};

/* A deferred call (eng_defer). */
struct eng__call {
    eng_handler fn;
    void *ctx;
    uint64_t arg;
};

/* A named random stream; the array of them is kept sorted by key (strcmp). */
struct eng__stream {
    char *key;
    gsl_rng *rng;
};

struct eng_sim {
    eng_time_ns now_ns;          /* the clock; first, as eng_now reads it (eng.h) */
    bool radix;                  /* buckets in use; else everything is in b0, in order */
    eng_time_ns base;            /* the radix heap's base: no entry is earlier (eng.c) */
    uint64_t nonempty;           /* bit b is set while bucket b >= 1 holds entries */
    struct eng__ent *b0;         /* bucket 0, in order from b0_head: the entries at the base,
                                  * or in the small form (!radix) every entry */
    uint32_t b0_head, b0_len, b0_cap;
    uint32_t min_b;              /* bucket of the cached earliest entry above bucket 0, or 0 */
    uint32_t min_at;             /* that entry's index in its bucket, while min_b != 0 */
    uint32_t heap_len;           /* entries in the radix heap, cancelled ones included */
    struct eng__slot *slots;     /* event pool */
    uint32_t slot_cap;           /* slots allocated */
    uint32_t free_head;          /* first free slot, ENG__NO_SLOT if none */
    uint32_t next_seq;           /* sequence for the next scheduled event */
    uint32_t zombies;            /* entries in the radix heap whose event was cancelled */
    struct eng__lane *lanes;     /* lanes[0] is the now lane */
    uint32_t n_lanes;
    uint64_t lane_pending;       /* pending (not cancelled) events in lanes */
    uint32_t lane_min;           /* lane with the earliest head, ENG__IN_HEAP if all empty */
    struct eng__ent lane_head;   /* a copy of that head, while lane_min is a lane */
    bool running;                /* inside eng_run / eng_run_until */
    bool stopped;                /* eng_stop was called during the current or last run */
    uint64_t fired;              /* events fired since creation */
    struct eng__call *defer;     /* deferred calls, in order; defer[defer_next] runs next */
    uint32_t n_defer, cap_defer, defer_next;
    uint64_t master_seed;        /* seeds every stream, with its key */
    struct eng__stream *streams; /* sorted by key */
    size_t n_streams;
    size_t cap_streams;
    struct eng__bucket bk[ENG__BUCKETS]; /* bk[0] is unused: bucket 0 is b0 */
};

/* Frees every random stream of sim (eng_rng.c; called by eng_free). */
void eng__rng_fini(eng_sim *sim);

/*
 * Test hook: sets the sequence number the next scheduled event gets, so a test can drive
 * the 32-bit sequence to its renumbering point without scheduling 4 G events. seq must be
 * greater than every pending event's sequence, or the order breaks.
 */
void eng__set_next_seq(eng_sim *sim, uint32_t seq);

#endif
