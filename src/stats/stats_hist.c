/* SPDX-License-Identifier: MIT */
/*
 * stats_hist: a log-linear histogram of non-negative int64_t values.
 *
 * With S = STATS_HIST_SUB_BITS and M = 2^S, bucket group ("octave") 0 holds the values
 * 0..M-1, one bucket each. Octave o >= 1 holds [2^(o+S-1), 2^(o+S)) in M buckets of width
 * 2^(o-1); bucket s of it starts at (M + s) << (o - 1). So a value v >= M lands in octave
 * floor(log2 v) - S + 1, bucket (v >> (floor(log2 v) - S)) - M, and every bucket is narrower
 * than 1/M of its lower bound. Octaves are allocated when first used. Invariant: count is the
 * sum of all bucket counts, and min, max and the 128-bit sum are those of the values
 * recorded. No floating point on the recording path.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dms.h"

static int floor_log2(uint64_t v)
{
#if defined(__GNUC__)
    return 63 - __builtin_clzll(v);
#else
    int k = 0;
    while (v >>= 1)
        k++;
    return k;
#endif
}

/* Octave and bucket of value v >= 0. */
static void locate(int64_t v, int *octave, int *sub)
{
    uint64_t u = (uint64_t)v;
    if (u < STATS_HIST_SUB_COUNT) {
        *octave = 0;
        *sub = (int)u;
        return;
    }
    int k = floor_log2(u);
    *octave = k - STATS_HIST_SUB_BITS + 1;
    *sub = (int)(u >> (k - STATS_HIST_SUB_BITS)) - STATS_HIST_SUB_COUNT;
}

/* Inclusive value range of a bucket. */
static void bucket_range(int octave, int sub, int64_t *lo, int64_t *hi)
{
    if (octave == 0) {
        *lo = *hi = sub;
        return;
    }
    uint64_t width = UINT64_C(1) << (octave - 1);
    uint64_t start = (uint64_t)(STATS_HIST_SUB_COUNT + sub) << (octave - 1);
    *lo = (int64_t)start;
    *hi = (int64_t)(start + width - 1);
}

static uint64_t *octave_counts(stats_hist *h, int octave)
{
    if (!h->bucket[octave])
        h->bucket[octave] = dms_xcalloc(STATS_HIST_SUB_COUNT, sizeof(uint64_t));
    return h->bucket[octave];
}

/* Adds v * n to the 128-bit sum (v >= 0). */
static void sum_add(stats_hist *h, uint64_t v, uint64_t n)
{
    /* 64 x 64 -> 128 bit product from 32-bit halves. */
    uint64_t v0 = v & 0xffffffffu, v1 = v >> 32, n0 = n & 0xffffffffu, n1 = n >> 32;
    uint64_t p00 = v0 * n0, p01 = v0 * n1, p10 = v1 * n0, p11 = v1 * n1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    uint64_t lo = (p00 & 0xffffffffu) | (mid << 32);
    uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    h->sum_lo += lo;
    h->sum_hi += hi + (h->sum_lo < lo);
}

void stats_hist_init(stats_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = INT64_MAX;
    h->max = INT64_MIN;
}

void stats_hist_fini(stats_hist *h)
{
    for (int o = 0; o < STATS_HIST_OCTAVES; o++)
        free(h->bucket[o]);
    stats_hist_init(h);
}

void stats_hist_reset(stats_hist *h)
{
    for (int o = 0; o < STATS_HIST_OCTAVES; o++)
        if (h->bucket[o])
            memset(h->bucket[o], 0, STATS_HIST_SUB_COUNT * sizeof(uint64_t));
    h->count = 0;
    h->min = INT64_MAX;
    h->max = INT64_MIN;
    h->sum_hi = h->sum_lo = 0;
}

int stats_hist_record_n(stats_hist *h, int64_t v, uint64_t n)
{
    if (v < 0 || n > UINT64_MAX - h->count)
        return DMS_ERANGE;
    if (n == 0)
        return 0;
    int octave, sub;
    locate(v, &octave, &sub);
    octave_counts(h, octave)[sub] += n;
    h->count += n;
    h->min = DMS_MIN(h->min, v);
    h->max = DMS_MAX(h->max, v);
    sum_add(h, (uint64_t)v, n);
    return 0;
}

int stats_hist_record(stats_hist *h, int64_t v)
{
    return stats_hist_record_n(h, v, 1);
}

int stats_hist_merge(stats_hist *dst, const stats_hist *src)
{
    if (src->count > UINT64_MAX - dst->count)
        return DMS_ERANGE;
    if (src->count == 0)
        return 0;
    for (int o = 0; o < STATS_HIST_OCTAVES; o++) {
        if (!src->bucket[o])
            continue;
        uint64_t *d = octave_counts(dst, o);
        for (int s = 0; s < STATS_HIST_SUB_COUNT; s++)
            d[s] += src->bucket[o][s];
    }
    dst->count += src->count;
    dst->min = DMS_MIN(dst->min, src->min);
    dst->max = DMS_MAX(dst->max, src->max);
    dst->sum_lo += src->sum_lo;
    dst->sum_hi += src->sum_hi + (dst->sum_lo < src->sum_lo);
    return 0;
}

uint64_t stats_hist_count(const stats_hist *h)
{
    return h->count;
}

int64_t stats_hist_min(const stats_hist *h)
{
    return h->count ? h->min : -1;
}

int64_t stats_hist_max(const stats_hist *h)
{
    return h->count ? h->max : -1;
}

double stats_hist_mean(const stats_hist *h)
{
    if (h->count == 0)
        return NAN;
    long double sum = ldexpl((long double)h->sum_hi, 64) + (long double)h->sum_lo;
    return (double)(sum / (long double)h->count);
}

/* Nearest rank of the q-quantile among n values: max(1, ceil(q n)). A relative slack of
 * 1e-12 keeps products such as 0.99 * 10000 = 9900.000000000002 from rounding up a rank. */
static uint64_t nearest_rank(double q, uint64_t n)
{
    long double x = (long double)q * (long double)n;
    long double r = ceill(x - x * 1e-12L);
    if (r < 1)
        return 1;
    if (r > (long double)n)
        return n;
    return (uint64_t)r;
}

int64_t stats_hist_quantile(const stats_hist *h, double q)
{
    if (h->count == 0 || !(q >= 0.0 && q <= 1.0))
        return -1;
    uint64_t rank = nearest_rank(q, h->count), cum = 0;
    if (rank == 1)
        return h->min; /* the extreme order statistics are known exactly */
    if (rank == h->count)
        return h->max;
    for (int o = 0; o < STATS_HIST_OCTAVES; o++) {
        const uint64_t *b = h->bucket[o];
        if (!b)
            continue;
        for (int s = 0; s < STATS_HIST_SUB_COUNT; s++) {
            cum += b[s];
            if (cum < rank)
                continue;
            int64_t lo, hi;
            bucket_range(o, s, &lo, &hi);
            int64_t mid = lo + (int64_t)(((uint64_t)hi - (uint64_t)lo + 1) / 2);
            return DMS_MAX(h->min, DMS_MIN(h->max, mid));
        }
    }
    return h->max; /* unreachable while count matches the buckets */
}

bool stats_hist_next_bucket(const stats_hist *h, size_t *pos, int64_t *lo, int64_t *hi,
                            uint64_t *count)
{
    size_t total = (size_t)STATS_HIST_OCTAVES * STATS_HIST_SUB_COUNT;
    for (size_t i = *pos; i < total; i++) {
        int o = (int)(i / STATS_HIST_SUB_COUNT), s = (int)(i % STATS_HIST_SUB_COUNT);
        if (!h->bucket[o]) {
            i = (size_t)(o + 1) * STATS_HIST_SUB_COUNT - 1; /* skip the whole octave */
            continue;
        }
        if (h->bucket[o][s] == 0)
            continue;
        bucket_range(o, s, lo, hi);
        *count = h->bucket[o][s];
        *pos = i + 1;
        return true;
    }
    *pos = total;
    return false;
}
