/* SPDX-License-Identifier: MIT */
/*
 * stats: the measurement toolkit of dmasim.
 *
 * Time-weighted levels (occupancy of a pool or ring over simulated time, with an exact
 * per-level histogram), latency histograms with bounded relative error, online summaries of
 * doubles, Student-t confidence intervals across replications (GSL), Erlang B, and a
 * quantile of a sorted array. Every object here is mergeable, so replications and sweep
 * shards can be pooled after the fact. The invariant throughout: counts and times are kept
 * as exact integers, and floating point enters only when a query divides them.
 *
 * The module knows nothing of packets, NICs or NDIS; it does no I/O, reads no clock and
 * keeps no global state. Time is simulated time in integer nanoseconds (int64_t, "_ns").
 * Counters are plain uint64_t fields in their owners; stats_ratio divides two of them.
 * Objects are not thread-safe; give each thread its own and merge them afterwards.
 */
#ifndef STATS_H
#define STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------------------------
 * Counters
 */

/* Returns num / den as a double, or NaN when den is 0 (a rate with nothing to divide by,
 * e.g. the drop rate of a NIC that received nothing). */
double stats_ratio(uint64_t num, uint64_t den);

/* ------------------------------------------------------------------------------------------
 * Time-weighted level (gauge) with an exact occupancy histogram
 *
 * A level is an integer in [0, STATS_LEVEL_MAX] that changes at instants of simulated time
 * (buffers in use, descriptors held, packets in a queue). It keeps, for every integer value
 * k, the exact time in ns the value was k within the current measurement window, so the
 * mean, P(level > k) and the time-weighted quantiles are exact (up to the final division).
 *
 * Times are non-decreasing: an update earlier than the previous one is a caller bug; it
 * trips an assert, and with NDEBUG it returns DMS_EINVAL and changes nothing. Several
 * updates at the same instant are fine; only the last value is held for positive time.
 *
 * The time spent at the current value since its last change (the "open segment") is not yet
 * in the histogram; queries take an end time t_end_ns (>= the last update) and count the
 * open segment up to it, without changing the level.
 *
 * Memory: one int64_t per level from 0 to the largest value seen (8 MB for values up to
 * 1e6; the hard limit STATS_LEVEL_MAX costs 32 MiB). The array grows by doubling.
 */

#define STATS_LEVEL_MAX INT64_C(4194303) /* largest value a level accepts (2^22 - 1) */

struct stats_level {
    int64_t value;      /* current value; -1 in an accumulator (no current value) */
    int64_t t_last_ns;  /* time of the last update: the open segment starts here */
    int64_t t_start_ns; /* start of the measurement window */
    int64_t closed_ns;  /* total time in time_ns[] (the window minus the open segment) */
    int64_t min, max;   /* extremes seen in the window, incl. zero-duration values */
    int64_t *time_ns;   /* time_ns[k]: closed time at value k, ns; owned */
    size_t cap;         /* entries allocated in time_ns */
};
typedef struct stats_level stats_level;

/*
 * Starts tracking a level whose value is v0 at time t0_ns; the measurement window starts at
 * t0_ns. The caller owns *l (embedded or on the stack) and releases it with
 * stats_level_fini. Returns 0, or DMS_ERANGE (and leaves *l empty but valid for fini) when
 * v0 is outside [0, STATS_LEVEL_MAX].
 */
int stats_level_init(stats_level *l, int64_t t0_ns, int64_t v0);

/*
 * Makes *l an empty accumulator: no current value, no time, nothing seen. It is meant as the
 * destination of stats_level_merge (pooling replications); stats_level_set/add on it trip
 * an assert (DMS_EINVAL with NDEBUG). Queries on it ignore their t_end_ns argument.
 */
void stats_level_init_empty(stats_level *l);

/* Frees the histogram; *l may then be initialised again. Safe on an initialised level
 * (including one whose init failed) and after a previous fini. */
void stats_level_fini(stats_level *l);

/*
 * Sets the level to v at time t_ns (t_ns >= the previous update). The old value is
 * credited with the time since the previous update. Returns 0; DMS_ERANGE when v is outside
 * [0, STATS_LEVEL_MAX] and DMS_EINVAL when t_ns is earlier than the previous update (after
 * an assert) -- in both cases nothing changes.
 */
int stats__level_set_checked(stats_level *l, int64_t t_ns, int64_t v);
/* The update itself, for a valid v that fits the array and a time not before the last. */
static inline void stats__level_update(stats_level *l, int64_t t_ns, int64_t v)
{
    int64_t dt = t_ns - l->t_last_ns;
    l->time_ns[l->value] += dt;
    l->closed_ns += dt;
    l->t_last_ns = t_ns;
    l->value = v;
    l->min = v < l->min ? v : l->min;
    l->max = v > l->max ? v : l->max;
}
/* Inline, since a replay updates several levels per packet: the usual case (time runs
 * forward, v needs no larger array) here, the checks and the growth in
 * stats__level_set_checked. */
static inline int stats_level_set(stats_level *l, int64_t t_ns, int64_t v)
{
    if (l->value < 0 || t_ns < l->t_last_ns || v < 0 || (uint64_t)v >= l->cap)
        return stats__level_set_checked(l, t_ns, v);
    stats__level_update(l, t_ns, v);
    return 0;
}

/* Adds delta (which may be negative) to the level at time t_ns: stats_level_set(l, t_ns,
 * value + delta), with the same errors. */
int stats_level_add(stats_level *l, int64_t t_ns, int64_t delta);

/*
 * Starts a new measurement window at t_ns, keeping the current value: all time before t_ns
 * is forgotten, and min and max restart at the current value. Used to discard the warm-up
 * of a run. Returns 0, or DMS_EINVAL (after an assert) when t_ns is earlier than the
 * previous update or *l is an accumulator.
 */
int stats_level_reset_window(stats_level *l, int64_t t_ns);

/*
 * Pools src's window, observed up to src_t_end_ns (its open segment is counted up to there,
 * src_t_end_ns >= src's last update), into dst's histogram: times per value add up, min and
 * max combine. dst's current value and clock are untouched, so dst may be live or an
 * accumulator; src is borrowed and not changed. Use it to pool replications (the result is
 * the occupancy distribution over all of their windows together). Returns 0, or DMS_EINVAL
 * when src_t_end_ns is earlier than src's last update (then dst is unchanged).
 */
int stats_level_merge(stats_level *dst, const stats_level *src, int64_t src_t_end_ns);

/* Queries. t_end_ns is the end of the window being asked about; it must be >= the last
 * update (an assert; with NDEBUG it is treated as the last update). */

/* Total observed time of the window up to t_end_ns, in ns (summed over merged windows). */
int64_t stats_level_duration_ns(const stats_level *l, int64_t t_end_ns);

/* Time-weighted mean of the level over the window, or NaN when the window has zero
 * duration. */
double stats_level_mean(const stats_level *l, int64_t t_end_ns);

/* Largest and smallest values the level took in the window, including values it held for
 * zero time (high-water-mark semantics). -1 when nothing was ever observed (an empty
 * accumulator). */
int64_t stats_level_max(const stats_level *l);
int64_t stats_level_min(const stats_level *l);

/* The fraction of the window's time with the level > k, exactly P(level > k) up to the
 * final division; NaN when the window has zero duration. k < 0 gives 1. */
double stats_level_frac_above(const stats_level *l, int64_t t_end_ns, int64_t k);

/*
 * The time-weighted q-quantile (0 <= q <= 1): the smallest value v such that the level was
 * <= v for at least a fraction q of the window's time. q = 0 gives the smallest value held
 * for positive time. "At least" allows a relative slack of 1e-12, so that decimal q values
 * land where their exact fraction would. Returns -1 when the window has zero duration or q is
 * outside [0, 1].
 */
int64_t stats_level_quantile(const stats_level *l, int64_t t_end_ns, double q);

/* Time in ns the level spent at value k within the window up to t_end_ns (0 for values never
 * held). With stats_level_hist_len it exports the whole histogram. */
int64_t stats_level_time_at(const stats_level *l, int64_t t_end_ns, int64_t k);

/* One more than the largest value that may have positive time: time_at(k) is 0 for every
 * k >= the result. */
int64_t stats_level_hist_len(const stats_level *l);

/* ------------------------------------------------------------------------------------------
 * Latency histogram
 *
 * Records non-negative int64_t values (latencies in ns, sizes in bytes) in log-linear
 * buckets: values below 2^STATS_HIST_SUB_BITS each get their own bucket, and every range
 * [2^k, 2^(k+1)) above is split into 2^STATS_HIST_SUB_BITS equal buckets. A bucket's width
 * is at most 1/128 of its lower bound, so its midpoint is within 1/256 (0.39%) of any value
 * in it. The whole int64_t range is covered. Count, min, max and sum are kept exactly.
 *
 * Memory: a fixed table of pointers (~0.5 KB), plus 1 KB for each range [2^k, 2^(k+1))
 * that holds a value, allocated on first use: ~15 KB for latencies spanning 1 us..10 ms,
 * at most ~58 KB.
 */

#define STATS_HIST_SUB_BITS 7                            /* log2 of buckets per octave */
#define STATS_HIST_SUB_COUNT (1 << STATS_HIST_SUB_BITS) /* buckets per octave: 128 */
#define STATS_HIST_OCTAVES (64 - STATS_HIST_SUB_BITS)   /* bucket groups to cover int64 */

struct stats_hist {
    uint64_t *bucket[STATS_HIST_OCTAVES]; /* counts per octave; NULL until used; owned */
    uint64_t count;                       /* values recorded */
    int64_t min, max;                     /* exact extremes; meaningless while count == 0 */
    uint64_t sum_hi, sum_lo;              /* exact 128-bit sum of the values */
};
typedef struct stats_hist stats_hist;

/* Makes *h an empty histogram (no allocation yet). The caller owns *h and releases it with
 * stats_hist_fini. */
void stats_hist_init(stats_hist *h);

/* Frees the buckets; *h is then empty and may be reused or dropped. */
void stats_hist_fini(stats_hist *h);

/* Empties *h, keeping its allocated buckets for reuse. */
void stats_hist_reset(stats_hist *h);

/* Records value v (>= 0) once. Returns 0, or DMS_ERANGE for v < 0 (nothing recorded).
 * O(1); may allocate 1 KB (aborts on host out-of-memory, as dms_xmalloc). */
int stats_hist_record(stats_hist *h, int64_t v);

/* Records value v (>= 0) n times (n may be 0). Returns 0, or DMS_ERANGE for v < 0, or
 * DMS_ERANGE when the total count would overflow uint64_t (nothing recorded). */
int stats_hist_record_n(stats_hist *h, int64_t v, uint64_t n);

/* Adds every value recorded in src to dst, as if each had been recorded into dst; src is
 * borrowed and unchanged. Returns 0, or DMS_ERANGE if the count would overflow (dst
 * unchanged). */
int stats_hist_merge(stats_hist *dst, const stats_hist *src);

/* Number of values recorded. */
uint64_t stats_hist_count(const stats_hist *h);

/* Exact smallest and largest recorded values; -1 when the histogram is empty. */
int64_t stats_hist_min(const stats_hist *h);
int64_t stats_hist_max(const stats_hist *h);

/* Mean of the recorded values, from the exact sum (one rounding); NaN when empty. */
double stats_hist_mean(const stats_hist *h);

/*
 * The q-quantile (0 <= q <= 1) by nearest rank: the bucket holding the r-th smallest
 * recorded value, r = max(1, ceil(q * count)), represented by its midpoint (the integer
 * lo + width/2), clamped to the exact [min, max]; for r = 1 and r = count it is the exact
 * min and max. The result is within 1/256 of the r-th smallest value, relative to that
 * value. ceil allows a relative slack of 1e-12 so that 0.99 * 10000 is rank 9900.
 * Returns -1 when the histogram is empty or q is outside [0, 1] (or NaN). O(buckets).
 */
int64_t stats_hist_quantile(const stats_hist *h, double q);

/*
 * Iterates over the non-empty buckets in increasing order. Start with *pos = 0; each call
 * fills the bucket's value range [*lo, *hi] (inclusive) and *count, advances *pos and returns
 * true, or returns false when no bucket is left. The histogram must not change while
 * iterating.
 */
bool stats_hist_next_bucket(const stats_hist *h, size_t *pos, int64_t *lo, int64_t *hi,
                            uint64_t *count);

/* ------------------------------------------------------------------------------------------
 * Online summary of doubles (Welford), mergeable (Chan et al.)
 */

struct stats_summary {
    uint64_t n;    /* values added */
    double mean;   /* running mean; 0 while n == 0 */
    double m2;     /* sum of squared deviations from the mean */
    double min;    /* smallest value; +inf while n == 0 */
    double max;    /* largest value; -inf while n == 0 */
};
typedef struct stats_summary stats_summary;

/* Makes *s empty. No allocation: nothing to free. */
void stats_summary_init(stats_summary *s);

/* Adds x. A NaN makes the mean and variance NaN from then on (it is the caller's to avoid). */
void stats_summary_add(stats_summary *s, double x);

/* Pools src into dst with Chan's parallel formula: the result equals (to rounding) adding
 * every value of both to one summary. src is borrowed. */
void stats_summary_merge(stats_summary *dst, const stats_summary *src);

/* The mean; NaN when empty. */
double stats_summary_mean(const stats_summary *s);

/* The sample variance (divisor n - 1) and standard deviation; NaN when n < 2. */
double stats_summary_var(const stats_summary *s);
double stats_summary_sd(const stats_summary *s);

/* ------------------------------------------------------------------------------------------
 * Confidence intervals across replications
 */

struct stats_ci {
    uint64_t n;        /* number of values */
    double level;      /* confidence level, e.g. 0.95 */
    double mean;       /* sample mean */
    double sd;         /* sample standard deviation (divisor n - 1); NaN when n == 1 */
    double half_width; /* t_{n-1,(1+level)/2} * sd / sqrt(n); NaN when n == 1 */
    double lo, hi;     /* mean -/+ half_width; NaN when n == 1 */
};
typedef struct stats_ci stats_ci;

/*
 * Student-t confidence interval for the mean of n independent values x[0..n-1] (e.g. one
 * result per replication) at confidence level (0 < level < 1), through
 * gsl_cdf_tdist_Pinv. With n == 1 the mean is x[0] and sd, half_width, lo and hi are NaN:
 * one replication says nothing about the spread. x is borrowed. Returns 0, or DMS_EINVAL
 * when n == 0, x is NULL, a value is not finite or level is outside (0, 1) (then *out is
 * unchanged).
 */
int stats_ci_t(const double *x, size_t n, double level, stats_ci *out);

/* The same from a summary of the values (its mean and sample variance). Returns 0, or
 * DMS_EINVAL when the summary is empty, its mean is not finite or level is outside (0, 1). */
int stats_ci_t_summary(const stats_summary *s, double level, stats_ci *out);

/* ------------------------------------------------------------------------------------------
 * Erlang B (M/G/N/N loss system)
 *
 * The recurrence B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)) never overflows (A B(k-1) <= A)
 * and is numerically stable; it costs O(servers) time and O(1) memory (1e6 servers: a few
 * ms).
 */

/* Blocking probability of an M/G/N/N system with N = servers and offered load
 * offered_erlangs (A = arrival rate x mean holding time). B(0, A) = 1; B(N, 0) = 0 for
 * N >= 1. NaN when offered_erlangs is negative, infinite or NaN. */
double stats_erlang_b(unsigned servers, double offered_erlangs);

/* Carried load A (1 - B(N, A)) in erlangs, which is also the mean number of busy servers
 * (mean occupancy) of the M/G/N/N system. NaN for the same inputs as stats_erlang_b. */
double stats_erlang_carried(unsigned servers, double offered_erlangs);

/*
 * The smallest N <= max_servers with B(N, offered_erlangs) <= target, into *servers (e.g.
 * buffers needed for a loss target). Returns 0, DMS_EINVAL when offered_erlangs is negative
 * or not finite or target is outside [0, 1] or NaN, and DMS_ERANGE when even max_servers
 * are not enough (*servers unchanged on error). O(result).
 */
int stats_erlang_b_servers(double offered_erlangs, double target, unsigned max_servers,
                           unsigned *servers);

/* ------------------------------------------------------------------------------------------
 * Quantile of sorted data
 */

/* The q-quantile of x[0..n-1], sorted ascending, by linear interpolation between order
 * statistics (Hyndman-Fan type 7, as R's default and gsl_stats_quantile_from_sorted_data):
 * h = (n - 1) q, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). x is borrowed.
 * NaN when n == 0 or q is outside [0, 1]. */
double stats_quantile_sorted(const double *x, size_t n, double q);

#endif
