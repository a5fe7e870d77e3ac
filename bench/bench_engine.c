/* SPDX-License-Identifier: MIT */
/*
 * bench_engine: the hold model on the discrete-event engine.
 *
 * N events are prefilled at Exp(mean) times; then each event that fires schedules one
 * successor at now + Exp(mean), so the pending set stays at N while the engine pops and
 * pushes. The timed part runs after a warm-up of 2N events (the time distribution in the
 * heap settles) and counts whole dispatches: pop, handler call, one exponential draw from an
 * engine stream, one push. It prints events/s per N and the cost of the draws alone, by
 * wall clock and by the process's CPU time (on a shared machine the latter leaves out the
 * time other processes held the core).
 *
 * Next to the engine it runs, in the same process and interleaved with it (engine, baseline,
 * engine, baseline, ...), a textbook binary min-heap of 16-byte entries (time, sequence)
 * holding the same hold model with the same random draw (eng_rng_exp on a stream of the same
 * type and seed). The baseline has no handlers, no event pool and no cancellation: it is the
 * bare cost of keeping N timestamps in order. For each N the best and median CPU-time rates
 * of both over the repetitions are printed with the ratio of the medians (engine / heap;
 * above 1 means the engine is faster).
 *
 * Usage: bench_engine [events_per_size [reps [N ...]]]
 *        (defaults: 5000000 events; 5 repetitions; N = 1000 100000 1000000)
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

/* ---- the baseline: a textbook binary heap ------------------------------------------- */

/* One entry: the key (time, then sequence, so equal times keep insertion order). */
struct tb_ent {
    eng_time_ns t_ns;
    uint64_t seq;
};

struct tb_heap {
    struct tb_ent *a;
    uint64_t n;
    uint64_t next_seq;
};

static inline int tb_less(const struct tb_ent *x, const struct tb_ent *y)
{
    return x->t_ns < y->t_ns || (x->t_ns == y->t_ns && x->seq < y->seq);
}

/* Push: append, then sift up through the parents (i - 1) / 2. */
static void tb_push(struct tb_heap *h, eng_time_ns t_ns)
{
    struct tb_ent e = {t_ns, h->next_seq++};
    uint64_t i = h->n++;
    while (i > 0) {
        uint64_t p = (i - 1) / 2;
        if (!tb_less(&e, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = e;
}

/* Pop: take the root, move the last entry into it and sift it down past the smaller child. */
static struct tb_ent tb_pop(struct tb_heap *h)
{
    struct tb_ent top = h->a[0];
    struct tb_ent e = h->a[--h->n];
    uint64_t i = 0, n = h->n;
    for (;;) {
        uint64_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && tb_less(&h->a[c + 1], &h->a[c]))
            c++;
        if (!tb_less(&h->a[c], &e))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    h->a[i] = e;
    return top;
}

/* The hold model on the textbook heap: same prefill, warm-up and timed count as hold_run. */
static struct stamp tb_run(uint64_t n, uint64_t events)
{
    eng_sim *sim = eng_new(1); /* only for a stream of the same type and seed */
    gsl_rng *r = eng_rng_stream(sim, "hold");
    struct tb_heap h = {.a = malloc((n + 1) * sizeof *h.a)};
    if (!h.a)
        abort();
    for (uint64_t i = 0; i < n; i++)
        tb_push(&h, (eng_time_ns)eng_rng_exp(r, MEAN_NS));
    eng_time_ns now = 0;
    for (uint64_t i = 0; i < 2 * n; i++) {
        now = tb_pop(&h).t_ns;
        tb_push(&h, now + (eng_time_ns)eng_rng_exp(r, MEAN_NS));
    }
    struct stamp t0 = stamp_now();
    for (uint64_t i = 0; i < events; i++) {
        now = tb_pop(&h).t_ns;
        tb_push(&h, now + (eng_time_ns)eng_rng_exp(r, MEAN_NS));
    }
    struct stamp t1 = stamp_now();
    if (h.n != n || now <= 0) {
        fprintf(stderr, "bench_engine: baseline heap holds %llu of %llu\n",
                (unsigned long long)h.n, (unsigned long long)n);
        exit(1);
    }
    free(h.a);
    eng_free(sim);
    return stamp_diff(t0, t1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n rates (sorts them in place). */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#define MAX_REPS 64

int main(int argc, char **argv)
{
    uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    static const uint64_t def_sizes[] = {1000, 100000, 1000000};
    int n_sizes = argc > 3 ? argc - 3 : 3;
    if (events == 0 || reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "usage: bench_engine [events_per_size [reps (1-%d) [N ...]]]\n", MAX_REPS);
        return 2;
    }
    struct stamp td = draws_run(events);
    printf("exponential draws alone: %.1f ns/draw (CPU time)\n", 1e9 * td.cpu_s / (double)events);
    printf("%d interleaved repetitions of %llu events per N; rates in M events/s of CPU time\n\n",
           reps, (unsigned long long)events);
    printf("%10s %21s %21s %9s %11s\n", "pending N", "engine best / median",
           "heap best / median", "ratio", "ns/ev eng");
    for (int i = 0; i < n_sizes; i++) {
        uint64_t n = argc > 3 ? strtoull(argv[3 + i], NULL, 10) : def_sizes[i];
        if (n == 0)
            continue;
        double re[MAX_REPS], rh[MAX_REPS], be = 0, bh = 0;
        for (int k = 0; k < reps; k++) {
            struct stamp te = hold_run(n, events);
            struct stamp th = tb_run(n, events);
            re[k] = (double)events / te.cpu_s / 1e6;
            rh[k] = (double)events / th.cpu_s / 1e6;
            be = re[k] > be ? re[k] : be;
            bh = rh[k] > bh ? rh[k] : bh;
        }
        double me = median(re, reps), mh = median(rh, reps);
        printf("%10llu %10.2f / %8.2f %10.2f / %8.2f %8.2fx %11.1f\n", (unsigned long long)n, be,
               me, bh, mh, me / mh, 1e3 / me);
        fflush(stdout);
    }
    return 0;
}
