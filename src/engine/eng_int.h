/* SPDX-License-Identifier: MIT */
/*
 * eng_int: the engine's private layout, shared by its own files and its white-box test.
 *
 * Pending events live in two arrays. The event pool (struct eng__slot) holds what a handler
 * needs (function, context, argument) and a generation counter that makes stale handles
 * detectable. The heap is a d-ary min-heap of compact
 * 16-byte entries (time, order word), so comparisons never leave the heap array. The order
 * is total: by time, then by sequence (the order of scheduling), which sits in the high half
 * of the order word; the 32-bit sequence is renumbered, order-preserving, before it would
 * wrap. Nothing here is part of the public contract in eng.h; other modules must not
 * include this file.
 */
#ifndef ENG_INT_H
#define ENG_INT_H

#include "eng.h"

/* Heap fan-out. 4 puts the children of a node in one 64-byte cache line (see
 * bench/README.md for the measurements that chose it); 2 gives a binary heap. */
#ifndef ENG_HEAP_ARITY
#define ENG_HEAP_ARITY 4
#endif

/* While sifting down, the grandchildren's cache lines are prefetched once they lie at or
 * beyond this heap index (above it they are in cache anyway). UINT32_MAX turns it off. */
#ifndef ENG_PREFETCH_MIN
#define ENG_PREFETCH_MIN 1024u
#endif

#define ENG__NO_SLOT UINT32_MAX
#define ENG__IN_HEAP UINT32_MAX /* struct eng__slot.next_free of a pending event in the heap */
#define ENG__NOW_LANE 0u        /* the lane of events scheduled at the current time */
/* Fewest cancelled entries that make a heap rebuild worth it (see eng.c). */
#define ENG__COMPACT_MIN 64u
/* Most events pending at once (8 GiB of heap); keeps the heap's 32-bit index arithmetic,
 * such as 4 * (4i + 1) + 1, from overflowing. */
#define ENG__MAX_SLOTS (UINT32_C(1) << 29)

/* One heap entry: the event's sort key and the pool slot that holds the rest. Entries
 * compare as the pair (t_ns, order); t_ns >= 0 always, as the clock starts at 0. */
struct eng__ent {
    eng_time_ns t_ns; /* firing time */
    uint64_t order;   /* sequence << 32 | slot; sequences of pending events are distinct */
};

/*
 * One pool slot, in one of three states. Pending: gen is odd and fn is set. Cancelled (a
 * "zombie"): gen is even and fn is NULL; its heap entry is still in the heap and the slot
 * goes back to the free list when that entry reaches the root. Free: gen is even, on the
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
    struct eng__ent *heap;       /* heap[0] is the earliest event; see heap_alloc for layout */
    void *heap_raw;              /* allocation that holds heap (heap is aligned inside it) */
    uint32_t heap_len;           /* entries in heap, root_hole included */
    uint32_t heap_cap;           /* entries heap can hold */
    struct eng__slot *slots;     /* event pool */
    uint32_t slot_cap;           /* slots allocated */
    uint32_t free_head;          /* first free slot, ENG__NO_SLOT if none */
    uint32_t next_seq;           /* sequence for the next scheduled event */
    uint32_t zombies;            /* entries in heap whose event was cancelled */
    struct eng__lane *lanes;     /* lanes[0] is the now lane */
    uint32_t n_lanes;
    uint64_t lane_pending;       /* pending (not cancelled) events in lanes */
    uint32_t lane_min;           /* lane with the earliest head, ENG__IN_HEAP if all empty */
    bool root_hole;              /* heap[0] is the event being fired, already logically gone */
    bool running;                /* inside eng_run / eng_run_until */
    bool stopped;                /* eng_stop was called during the current or last run */
    uint64_t fired;              /* events fired since creation */
    struct eng__call *defer;     /* deferred calls, in order; defer[defer_next] runs next */
    uint32_t n_defer, cap_defer, defer_next;
    uint64_t master_seed;        /* seeds every stream, with its key */
    struct eng__stream *streams; /* sorted by key */
    size_t n_streams;
    size_t cap_streams;
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
