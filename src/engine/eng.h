/* SPDX-License-Identifier: MIT */
/*
 * eng: the discrete-event core of dmasim.
 *
 * An engine owns a simulated clock (integer nanoseconds), a set of pending events and the
 * random streams of the entities that live in it. Events fire in a total order: by time,
 * then by the sequence in which they were scheduled, so a run is reproducible bit for bit.
 * The engine knows nothing about packets, NICs or NDIS; it does no I/O and keeps no global
 * state, so several engines may run at once on different threads.
 */
#ifndef ENG_H
#define ENG_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef int64_t eng_time_ns;            /* simulated time, nanoseconds from 0 */
#define ENG_TIME_NEVER INT64_MAX

typedef struct eng_sim eng_sim;

/*
 * An event handler: called once when its event fires, with the engine (whose clock then
 * reads the event's time), the context and the argument given when it was scheduled.
 * A handler may schedule and cancel events, including re-scheduling itself.
 */
typedef void (*eng_handler)(eng_sim *sim, void *ctx, uint64_t arg);

/*
 * A handle to a scheduled event, used to cancel it. The zero value never names an event,
 * so a zeroed struct field means "nothing scheduled". A handle goes stale when its event
 * fires or is cancelled; cancelling a stale handle is a harmless no-op.
 */
typedef struct {
    uint64_t id;
} eng_event;

/* Creates an engine with its clock at 0 and nothing pending. master_seed seeds every random
 * stream (see eng_rng_stream). The caller frees it with eng_free. Never returns NULL. */
eng_sim *eng_new(uint64_t master_seed);
/* Frees the engine, its pending events and its random streams. eng_free(NULL) does nothing. */
void eng_free(eng_sim *sim);

/* The current simulated time. Inline, since models read the clock several times per
 * event: the clock is the engine's first member (eng_int.h), and a pointer to a struct
 * points to its first member. */
static inline eng_time_ns eng_now(const eng_sim *sim)
{
    return *(const eng_time_ns *)(const void *)sim;
}

/*
 * Schedules handler(sim, ctx, arg) at absolute time t_ns (t_ns >= eng_now(); an earlier
 * time is a caller bug and trips an assert). ctx is borrowed: it must outlive the event.
 * Returns the event's handle. O(1); firing it later costs O(log) of the span of pending
 * times, amortized (a radix heap, eng.c).
 */
eng_event eng_at(eng_sim *sim, eng_time_ns t_ns, eng_handler handler, void *ctx, uint64_t arg);
/* Schedules at eng_now() + delay_ns (delay_ns >= 0). */
eng_event eng_after(eng_sim *sim, eng_time_ns delay_ns, eng_handler handler, void *ctx,
                    uint64_t arg);

/*
 * A FIFO lane: a queue for events that a model schedules in time order (a trace's
 * arrivals, one stream of completions), which then wait outside the heap and cost O(1) to
 * schedule and fire. Firing order does not change: events fire by (time, scheduling
 * order) whether they wait in a lane or in the heap. An event scheduled into a lane
 * earlier than the lane's latest goes into the heap instead. Events at the current time
 * always take a built-in lane. The engine checks every lane's head at each event, so a
 * model should use a few lanes, not thousands. The zero value is not a lane.
 */
typedef struct {
    uint32_t id;
} eng_lane;

/* Creates a lane; it lives until eng_free. */
eng_lane eng_lane_new(eng_sim *sim);
/* Schedules like eng_at, in lane (from eng_lane_new on this engine). Cancel with eng_cancel. */
eng_event eng_lane_at(eng_sim *sim, eng_lane lane, eng_time_ns t_ns, eng_handler handler,
                      void *ctx, uint64_t arg);

/*
 * Calls handler(sim, ctx, arg) as soon as the running handler has returned: before any
 * other event, at the same time, after the calls deferred before it (which may defer
 * more). It is how a model says "once this is done", at a fraction of an event's cost. A
 * deferred call is not an event: it has no handle, cannot be cancelled (a model keeps its
 * own flag and lets the call find nothing to do) and is not counted by eng_events_fired;
 * the calls a handler defers run even when it calls eng_stop. Deferred outside any
 * handler, it runs at the start of the next eng_run or eng_run_until, before any event.
 * ctx must outlive the call, or be dropped first with eng_defer_forget.
 */
void eng_defer(eng_sim *sim, eng_handler handler, void *ctx, uint64_t arg);
/* Drops every deferred call whose context is ctx (for a model object going away). */
void eng_defer_forget(eng_sim *sim, const void *ctx);

/* Cancels a pending event. Returns true if it was pending and is now removed, false if the
 * handle was stale or zero. O(1) amortized (the entry is dropped when it would fire). */
bool eng_cancel(eng_sim *sim, eng_event ev);
/* True while the event is pending. */
bool eng_pending(const eng_sim *sim, eng_event ev);

/* Number of pending events. */
uint64_t eng_pending_count(const eng_sim *sim);
/* Time of the earliest pending event, or ENG_TIME_NEVER when none is pending. */
eng_time_ns eng_next_time(const eng_sim *sim);

/*
 * Fires events in order while the earliest is at or before t_end_ns, then sets the clock to
 * t_end_ns (if it is later than the clock). Returns the number of events fired. Stops early,
 * with the clock at the last fired event, when a handler calls eng_stop.
 */
uint64_t eng_run_until(eng_sim *sim, eng_time_ns t_end_ns);
/* Fires events until none is pending or a handler calls eng_stop. Returns the count fired. */
uint64_t eng_run(eng_sim *sim);
/* Asks the running loop to return after the current handler. Called from a call deferred
 * outside any handler, which the next run makes before any event, it ends that run before
 * any event fires. */
void eng_stop(eng_sim *sim);
/* True if eng_stop was called during the last run and not yet cleared by another run call. */
bool eng_stopped(const eng_sim *sim);

/* Total number of events fired since creation. */
uint64_t eng_events_fired(const eng_sim *sim);

/*
 * Returns the random stream of the entity named by key (for example "nic0/protocol").
 * Each stream is a GSL generator of type eng_rng_type() seeded from a hash of the master
 * seed and the key alone, so adding an entity never changes another entity's stream.
 * The first call for a key creates the stream; later calls return the same one. The engine
 * owns the stream; it lives until eng_free.
 */
gsl_rng *eng_rng_stream(eng_sim *sim, const char *key);
/* The seed eng_rng_stream uses for key under master_seed (exposed for tests and results). */
uint64_t eng_rng_seed(uint64_t master_seed, const char *key);
/* The GSL generator type every stream uses: xoshiro256** (see eng_rng.c for its quality). */
const gsl_rng_type *eng_rng_type(void);

/* One exponential variate of the given mean from a stream (inverse-CDF; mean > 0). */
double eng_rng_exp(gsl_rng *r, double mean);

#endif
