/* SPDX-License-Identifier: MIT */
/*
 * bench_engine: the hold model on the discrete-event engine.
 *
 * N events are prefilled at Exp(mean) times; then each event that fires schedules one
 * successor at now + Exp(mean), so the pending set stays at N while the engine pops and
 * pushes. The timed part runs after a warm-up of 2N events (the time distribution in the
 * heap settles) and counts whole dispatches: pop, handler call, one exponential draw from a
 * GSL mt19937 stream, one push. It prints events/s per N and the cost of the draws alone,
 * by wall clock and by the process's CPU time (on a shared machine the latter leaves out
 * the time other processes held the core).
 *
 * Usage: bench_engine [events_per_size [N ...]]   (defaults: 20000000; 1000 100000 1000000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "eng.h"

#define MEAN_NS 1e6

struct hold {
    gsl_rng *rng;
    uint64_t left; /* events still to fire before the handler calls eng_stop */
};

static void hold_handler(eng_sim *sim, void *ctx, uint64_t arg)
{
    struct hold *h = ctx;
    eng_after(sim, (eng_time_ns)eng_rng_exp(h->rng, MEAN_NS), hold_handler, h, arg);
    if (--h->left == 0)
        eng_stop(sim);
}

/* Wall-clock and CPU seconds at one instant. */
struct stamp {
    double wall_s, cpu_s;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static struct stamp stamp_now(void)
{
    return (struct stamp){clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID)};
}

static struct stamp stamp_diff(struct stamp a, struct stamp b)
{
    return (struct stamp){b.wall_s - a.wall_s, b.cpu_s - a.cpu_s};
}

/* Runs the hold model with n pending events; returns the time taken by `events` events. */
static struct stamp hold_run(uint64_t n, uint64_t events)
{
    eng_sim *sim = eng_new(1);
    struct hold h = {.rng = eng_rng_stream(sim, "hold"), .left = 2 * n};
    for (uint64_t i = 0; i < n; i++)
        eng_at(sim, (eng_time_ns)eng_rng_exp(h.rng, MEAN_NS), hold_handler, &h, i);
    eng_run(sim); /* warm-up */
    h.left = events;
    struct stamp t0 = stamp_now();
    uint64_t fired = eng_run(sim);
    struct stamp t1 = stamp_now();
    if (fired != events || eng_pending_count(sim) != n) {
        fprintf(stderr, "bench_engine: fired %llu of %llu, pending %llu\n",
                (unsigned long long)fired, (unsigned long long)events,
                (unsigned long long)eng_pending_count(sim));
        exit(1);
    }
    eng_free(sim);
    return stamp_diff(t0, t1);
}

/* Time taken by `events` exponential draws alone, for comparison. */
static struct stamp draws_run(uint64_t events)
{
    eng_sim *sim = eng_new(1);
    gsl_rng *r = eng_rng_stream(sim, "hold");
    volatile double sink = 0;
    struct stamp t0 = stamp_now();
    for (uint64_t i = 0; i < events; i++)
        sink += eng_rng_exp(r, MEAN_NS);
    struct stamp t1 = stamp_now();
    (void)sink;
    eng_free(sim);
    return stamp_diff(t0, t1);
}

int main(int argc, char **argv)
{
    uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
    static const uint64_t def_sizes[] = {1000, 100000, 1000000};
    int n_sizes = argc > 2 ? argc - 2 : 3;
    if (events == 0) {
        fprintf(stderr, "usage: bench_engine [events_per_size [N ...]]\n");
        return 2;
    }
    struct stamp td = draws_run(events);
    printf("exponential draws alone: %.1f ns/draw (CPU time)\n\n", 1e9 * td.cpu_s / (double)events);
    printf("%10s %10s %8s %8s %11s %11s %9s\n", "pending N", "events", "wall s", "CPU s",
           "M ev/s wall", "M ev/s CPU", "ns/ev CPU");
    for (int i = 0; i < n_sizes; i++) {
        uint64_t n = argc > 2 ? strtoull(argv[2 + i], NULL, 10) : def_sizes[i];
        if (n == 0)
            continue;
        struct stamp t = hold_run(n, events);
        printf("%10llu %10llu %8.3f %8.3f %11.2f %11.2f %9.1f\n", (unsigned long long)n,
               (unsigned long long)events, t.wall_s, t.cpu_s, (double)events / t.wall_s / 1e6,
               (double)events / t.cpu_s / 1e6, 1e9 * t.cpu_s / (double)events);
        fflush(stdout);
    }
    return 0;
}
