/* SPDX-License-Identifier: MIT */
/*
 * stats_level: a time-weighted integer level with an exact occupancy histogram.
 *
 * time_ns[k] holds the closed time, in ns, that the level spent at value k in the current
 * window; closed_ns is their sum. The open segment, from t_last_ns to "now", belongs to
 * `value` and is added by each query for its own t_end_ns, so queries never modify the
 * level. Invariant: cap > value whenever value >= 0, and time_ns[k] == 0 for k >= cap.
 * Nothing here allocates on a query; set/add allocate only when a value exceeds every
 * earlier one, by doubling.
 */
#include "stats.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dms.h"

/* Makes room for index v (0 <= v <= STATS_LEVEL_MAX), doubling the array and zeroing the
 * new part. */
static void reserve(stats_level *l, int64_t v)
{
    if ((size_t)v < l->cap)
        return;
    size_t ncap = l->cap ? l->cap : 16;
    while (ncap <= (size_t)v)
        ncap *= 2;
    if (ncap > (size_t)STATS_LEVEL_MAX + 1)
        ncap = (size_t)STATS_LEVEL_MAX + 1;
    l->time_ns = dms_xrealloc(l->time_ns, ncap * sizeof *l->time_ns);
    memset(l->time_ns + l->cap, 0, (ncap - l->cap) * sizeof *l->time_ns);
    l->cap = ncap;
}

static bool in_range(int64_t v)
{
    return v >= 0 && v <= STATS_LEVEL_MAX;
}

void stats_level_init_empty(stats_level *l)
{
    memset(l, 0, sizeof *l);
    l->value = -1;
    l->min = INT64_MAX;
    l->max = INT64_MIN;
}

int stats_level_init(stats_level *l, int64_t t0_ns, int64_t v0)
{
    stats_level_init_empty(l);
    if (!in_range(v0))
        return DMS_ERANGE;
    reserve(l, v0);
    l->value = v0;
    l->t_last_ns = t0_ns;
    l->t_start_ns = t0_ns;
    l->min = v0;
    l->max = v0;
    return 0;
}

void stats_level_fini(stats_level *l)
{
    free(l->time_ns);
    stats_level_init_empty(l);
}

int stats__level_set_checked(stats_level *l, int64_t t_ns, int64_t v)
{
    assert(l->value >= 0 && "stats_level_set on an accumulator");
    assert(t_ns >= l->t_last_ns && "stats_level_set: time went backwards");
    if (l->value < 0 || t_ns < l->t_last_ns)
        return DMS_EINVAL;
    if (!in_range(v))
        return DMS_ERANGE;
    reserve(l, v);
    stats__level_update(l, t_ns, v);
    return 0;
}

int stats_level_add(stats_level *l, int64_t t_ns, int64_t delta)
{
    /* value is within [-1, STATS_LEVEL_MAX], so the sum cannot overflow for sane deltas;
     * guard the extremes anyway. */
    if (delta > STATS_LEVEL_MAX + 1 || delta < -STATS_LEVEL_MAX - 1)
        return l->value < 0 ? DMS_EINVAL : DMS_ERANGE;
    return stats_level_set(l, t_ns, l->value + delta);
}

int stats_level_reset_window(stats_level *l, int64_t t_ns)
{
    assert(l->value >= 0 && "stats_level_reset_window on an accumulator");
    assert(t_ns >= l->t_last_ns && "stats_level_reset_window: time went backwards");
    if (l->value < 0 || t_ns < l->t_last_ns)
        return DMS_EINVAL;
    memset(l->time_ns, 0, l->cap * sizeof *l->time_ns);
    l->closed_ns = 0;
    l->t_last_ns = t_ns;
    l->t_start_ns = t_ns;
    l->min = l->value;
    l->max = l->value;
    return 0;
}

/* Length of the open segment up to t_end_ns (0 for an accumulator). */
static int64_t open_ns(const stats_level *l, int64_t t_end_ns)
{
    if (l->value < 0)
        return 0;
    assert(t_end_ns >= l->t_last_ns && "stats_level query before the last update");
    return t_end_ns > l->t_last_ns ? t_end_ns - l->t_last_ns : 0;
}

int stats_level_merge(stats_level *dst, const stats_level *src, int64_t src_t_end_ns)
{
    if (src->value >= 0 && src_t_end_ns < src->t_last_ns)
        return DMS_EINVAL;
    int64_t tail = open_ns(src, src_t_end_ns);
    size_t n = src->cap;
    if (n > 0) {
        reserve(dst, (int64_t)n - 1);
        for (size_t k = 0; k < n; k++)
            dst->time_ns[k] += src->time_ns[k];
    }
    if (src->value >= 0)
        dst->time_ns[src->value] += tail;
    dst->closed_ns += src->closed_ns + tail;
    dst->min = DMS_MIN(dst->min, src->min);
    dst->max = DMS_MAX(dst->max, src->max);
    return 0;
}

int64_t stats_level_duration_ns(const stats_level *l, int64_t t_end_ns)
{
    return l->closed_ns + open_ns(l, t_end_ns);
}

int64_t stats_level_time_at(const stats_level *l, int64_t t_end_ns, int64_t k)
{
    if (k < 0 || (size_t)k >= l->cap)
        return 0;
    int64_t t = l->time_ns[k];
    if (k == l->value)
        t += open_ns(l, t_end_ns);
    return t;
}

int64_t stats_level_hist_len(const stats_level *l)
{
    return (int64_t)l->cap;
}

double stats_level_mean(const stats_level *l, int64_t t_end_ns)
{
    int64_t total = stats_level_duration_ns(l, t_end_ns);
    if (total == 0)
        return NAN;
    /* k * time can exceed int64_t (4e6 x 9e18); long double keeps 64 bits of mantissa. */
    long double area = 0;
    for (size_t k = 1; k < l->cap; k++)
        area += (long double)k * (long double)l->time_ns[k];
    if (l->value > 0)
        area += (long double)l->value * (long double)open_ns(l, t_end_ns);
    return (double)(area / (long double)total);
}

int64_t stats_level_max(const stats_level *l)
{
    return l->max == INT64_MIN ? -1 : l->max;
}

int64_t stats_level_min(const stats_level *l)
{
    return l->min == INT64_MAX ? -1 : l->min;
}

double stats_level_frac_above(const stats_level *l, int64_t t_end_ns, int64_t k)
{
    int64_t total = stats_level_duration_ns(l, t_end_ns);
    if (total == 0)
        return NAN;
    if (k < 0)
        return 1.0;
    int64_t above = 0;
    for (size_t j = (size_t)k + 1; j < l->cap; j++)
        above += l->time_ns[j];
    if (l->value > k)
        above += open_ns(l, t_end_ns);
    return (double)above / (double)total;
}

int64_t stats_level_quantile(const stats_level *l, int64_t t_end_ns, double q)
{
    int64_t total = stats_level_duration_ns(l, t_end_ns);
    if (total == 0 || !(q >= 0.0 && q <= 1.0))
        return -1;
    /* The slack keeps a q such as 0.8 (stored as 0.8000000000000000444) from stepping past
     * a value whose cumulative share is exactly 0.8. */
    long double want = (long double)q * (long double)total;
    want -= want * 1e-12L;
    int64_t cum = 0;
    for (size_t k = 0; k < l->cap; k++) {
        int64_t t = stats_level_time_at(l, t_end_ns, (int64_t)k);
        cum += t;
        if (t > 0 && (long double)cum >= want)
            return (int64_t)k;
    }
    /* Unreachable: the last value with positive time reaches cum == total >= want. */
    assert(0 && "stats_level_quantile: histogram does not add up");
    return -1;
}
