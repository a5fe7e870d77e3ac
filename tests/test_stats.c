/* SPDX-License-Identifier: MIT */
/*
 * test_stats: unit tests of the stats module.
 *
 * Levels are checked against step functions whose answers are worked out by hand in the
 * comments; latency histograms against exact order statistics of seeded random data;
 * summaries against GSL's two-pass formulas; t intervals and Erlang B against published
 * values and an independent log-space formula. Random data come from gsl_rng with fixed
 * seeds, so every run sees the same numbers.
 */
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "check.h"
#include "dms.h"
#include "stats.h"

/* ---- levels ---------------------------------------------------------------------------- */

struct step {
    int64_t t_ns;
    int64_t v;
};

/*
 * Schedule A, ending at t = 100:
 *   [0,10) 0, [10,30) 2, at 30 briefly 5 (zero time), [30,60) 1, [60,100) 0.
 * Time per value: 0 -> 50, 1 -> 30, 2 -> 20, 5 -> 0. Mean = (2*20 + 1*30) / 100 = 0.7.
 */
static const struct step sched_a[] = {{0, 0}, {10, 2}, {30, 5}, {30, 1}, {60, 0}};
#define SCHED_A_END 100

/*
 * Schedule B, ending at t = 5000, driven by deltas (value after each step in brackets):
 *   t=1000 start 3; 1500 +1 [4]; 2000 -2 [2]; 2000 +3 [5]; 4000 -5 [0].
 * Time per value: 3 -> 500, 4 -> 500, 2 -> 0, 5 -> 2000, 0 -> 1000; total 4000.
 * Mean = (1500 + 2000 + 10000) / 4000 = 3.375.
 */
static const struct step sched_b[] = {{1000, 3}, {1500, 1}, {2000, -2}, {2000, 3}, {4000, -5}};
#define SCHED_B_END 5000

static void play_set(stats_level *l, const struct step *s, size_t n)
{
    CHECK_EQ(stats_level_init(l, s[0].t_ns, s[0].v), 0);
    for (size_t i = 1; i < n; i++)
        CHECK_EQ(stats_level_set(l, s[i].t_ns, s[i].v), 0);
}

static void play_add(stats_level *l, const struct step *s, size_t n)
{
    CHECK_EQ(stats_level_init(l, s[0].t_ns, s[0].v), 0);
    for (size_t i = 1; i < n; i++)
        CHECK_EQ(stats_level_add(l, s[i].t_ns, s[i].v), 0);
}

struct frac_case {
    int64_t k;
    double p; /* P(level > k) */
};
struct quant_case {
    double q;
    int64_t v;
};

static void check_fracs(const stats_level *l, int64_t t_end, const struct frac_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double got = stats_level_frac_above(l, t_end, c[i].k);
        if (!(fabs(got - c[i].p) <= 1e-15))
            fprintf(stderr, "P(level > %" PRId64 ")\n", c[i].k);
        CHECK_NEAR(got, c[i].p, 1e-15);
    }
}

static void check_quants(const stats_level *l, int64_t t_end, const struct quant_case *c,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t got = stats_level_quantile(l, t_end, c[i].q);
        if (got != c[i].v)
            fprintf(stderr, "level quantile q=%g\n", c[i].q);
        CHECK_EQ(got, c[i].v);
    }
}

static void test_level_schedule_a(void)
{
    stats_level l;
    play_set(&l, sched_a, DMS_ARRAY_LEN(sched_a));
    CHECK_EQ(stats_level_duration_ns(&l, SCHED_A_END), 100);
    CHECK_NEAR(stats_level_mean(&l, SCHED_A_END), 0.7, 1e-15);
    CHECK_EQ(stats_level_max(&l), 5); /* held for zero time, still the high-water mark */
    CHECK_EQ(stats_level_min(&l), 0);
    CHECK_EQ(stats_level_time_at(&l, SCHED_A_END, 0), 50);
    CHECK_EQ(stats_level_time_at(&l, SCHED_A_END, 1), 30);
    CHECK_EQ(stats_level_time_at(&l, SCHED_A_END, 2), 20);
    CHECK_EQ(stats_level_time_at(&l, SCHED_A_END, 5), 0);
    CHECK_EQ(stats_level_time_at(&l, SCHED_A_END, 1000000), 0);
    CHECK_EQ(stats_level_time_at(&l, SCHED_A_END, -1), 0);
    CHECK_GE(stats_level_hist_len(&l), 6);

    static const struct frac_case fr[] = {
        {-1, 1.0}, {0, 0.5}, {1, 0.2}, {2, 0.0}, {4, 0.0}, {5, 0.0}, {99999, 0.0}};
    check_fracs(&l, SCHED_A_END, fr, DMS_ARRAY_LEN(fr));
    /* Cumulative time fractions: <=0: 0.5, <=1: 0.8, <=2: 1.0. */
    static const struct quant_case qu[] = {{0.0, 0}, {0.25, 0}, {0.5, 0}, {0.51, 1}, {0.8, 1},
                                           {0.81, 2}, {0.99, 2}, {1.0, 2}};
    check_quants(&l, SCHED_A_END, qu, DMS_ARRAY_LEN(qu));
    CHECK_EQ(stats_level_quantile(&l, SCHED_A_END, -0.1), -1);
    CHECK_EQ(stats_level_quantile(&l, SCHED_A_END, 1.5), -1);
    CHECK_EQ(stats_level_quantile(&l, SCHED_A_END, NAN), -1);

    /* A query at an earlier end (the last update, 60) counts no open segment: 0 -> 10. */
    CHECK_EQ(stats_level_duration_ns(&l, 60), 60);
    CHECK_NEAR(stats_level_mean(&l, 60), 70.0 / 60.0, 1e-15);
    stats_level_fini(&l);
    stats_level_fini(&l); /* a second fini is harmless */
}

static void test_level_schedule_b(void)
{
    stats_level l;
    play_add(&l, sched_b, DMS_ARRAY_LEN(sched_b));
    CHECK_EQ(stats_level_duration_ns(&l, SCHED_B_END), 4000);
    CHECK_NEAR(stats_level_mean(&l, SCHED_B_END), 3.375, 1e-15);
    CHECK_EQ(stats_level_max(&l), 5);
    CHECK_EQ(stats_level_min(&l), 0);
    static const struct frac_case fr[] = {{0, 0.75}, {1, 0.75},  {2, 0.75},
                                          {3, 0.625}, {4, 0.5}, {5, 0.0}};
    check_fracs(&l, SCHED_B_END, fr, DMS_ARRAY_LEN(fr));
    /* Cumulative: <=0: 0.25, <=3: 0.375, <=4: 0.5, <=5: 1. Value 2 has zero time. */
    static const struct quant_case qu[] = {{0.0, 0},  {0.25, 0}, {0.3, 3},  {0.375, 3},
                                           {0.4, 4}, {0.5, 4},  {0.9, 5}, {0.99, 5}};
    check_quants(&l, SCHED_B_END, qu, DMS_ARRAY_LEN(qu));
    stats_level_fini(&l);
}

static void test_level_reset_window(void)
{
    /* Schedule A, then a new window at 60 (value 0), then 3 from 70: 0 x 10, 3 x 30. */
    stats_level l;
    play_set(&l, sched_a, DMS_ARRAY_LEN(sched_a));
    CHECK_EQ(stats_level_reset_window(&l, 60), 0);
    CHECK_EQ(stats_level_max(&l), 0);
    CHECK_EQ(stats_level_min(&l), 0);
    CHECK_EQ(stats_level_set(&l, 70, 3), 0);
    CHECK_EQ(stats_level_duration_ns(&l, 100), 40);
    CHECK_NEAR(stats_level_mean(&l, 100), 2.25, 1e-15);
    CHECK_EQ(stats_level_max(&l), 3);
    CHECK_EQ(stats_level_min(&l), 0);
    CHECK_EQ(stats_level_time_at(&l, 100, 2), 0); /* forgotten with the warm-up */
    CHECK_NEAR(stats_level_frac_above(&l, 100, 0), 0.75, 1e-15);
    stats_level_fini(&l);

    /* A new window in the middle of a segment: value 1 held from 30; window at 45;
     * 1 x 15, then 0 x 40; min and max restart at 1. */
    static const struct step head[] = {{0, 0}, {10, 2}, {30, 5}, {30, 1}};
    play_set(&l, head, DMS_ARRAY_LEN(head));
    CHECK_EQ(stats_level_reset_window(&l, 45), 0);
    CHECK_EQ(stats_level_max(&l), 1);
    CHECK_EQ(stats_level_min(&l), 1);
    CHECK_EQ(stats_level_set(&l, 60, 0), 0);
    CHECK_EQ(stats_level_duration_ns(&l, 100), 55);
    CHECK_NEAR(stats_level_mean(&l, 100), 15.0 / 55.0, 1e-15);
    CHECK_EQ(stats_level_min(&l), 0);
    CHECK_EQ(stats_level_max(&l), 1);

    /* A zero-length window: mean and P(>k) undefined, quantile -1. */
    CHECK_EQ(stats_level_reset_window(&l, 100), 0);
    CHECK_EQ(stats_level_duration_ns(&l, 100), 0);
    CHECK(isnan(stats_level_mean(&l, 100)));
    CHECK(isnan(stats_level_frac_above(&l, 100, 0)));
    CHECK_EQ(stats_level_quantile(&l, 100, 0.5), -1);
    stats_level_fini(&l);
}

static void test_level_merge(void)
{
    stats_level a, b, acc, acc2;
    play_set(&a, sched_a, DMS_ARRAY_LEN(sched_a));
    play_add(&b, sched_b, DMS_ARRAY_LEN(sched_b));

    stats_level_init_empty(&acc);
    CHECK_EQ(stats_level_max(&acc), -1);
    CHECK_EQ(stats_level_min(&acc), -1);
    CHECK_EQ(stats_level_duration_ns(&acc, 0), 0);
    CHECK_EQ(stats_level_merge(&acc, &a, SCHED_A_END), 0);
    CHECK_EQ(stats_level_merge(&acc, &b, SCHED_B_END), 0);
    /* Pooled: total 100 + 4000; value 0: 50 + 1000, 1: 30, 2: 20, 3: 500, 4: 500, 5: 2000;
     * area 70 + 13500. */
    CHECK_EQ(stats_level_duration_ns(&acc, 0), 4100);
    CHECK_EQ(stats_level_time_at(&acc, 0, 0), 1050);
    CHECK_EQ(stats_level_time_at(&acc, 0, 1), 30);
    CHECK_EQ(stats_level_time_at(&acc, 0, 5), 2000);
    CHECK_NEAR(stats_level_mean(&acc, 0), 13570.0 / 4100.0, 1e-14);
    CHECK_NEAR(stats_level_frac_above(&acc, 0, 3), 2500.0 / 4100.0, 1e-15);
    CHECK_EQ(stats_level_max(&acc), 5);
    CHECK_EQ(stats_level_min(&acc), 0);
    /* Cumulative: 0: 1050, 1: 1080, 2: 1100, 3: 1600, 4: 2100 (0.512), 5: 4100. */
    CHECK_EQ(stats_level_quantile(&acc, 0, 0.5), 4);
    CHECK_EQ(stats_level_quantile(&acc, 0, 0.52), 5);
    CHECK_EQ(stats_level_quantile(&acc, 0, 0.26), 1);

    /* Accumulator into accumulator, and a source end before its last update. */
    stats_level_init_empty(&acc2);
    CHECK_EQ(stats_level_merge(&acc2, &acc, 0), 0);
    CHECK_EQ(stats_level_duration_ns(&acc2, 0), 4100);
    CHECK_NEAR(stats_level_mean(&acc2, 0), 13570.0 / 4100.0, 1e-14);
    CHECK_EQ(stats_level_merge(&acc2, &b, 3999), DMS_EINVAL);
    CHECK_EQ(stats_level_duration_ns(&acc2, 0), 4100);

    /* Into a live level: a keeps its own clock and current value (0 since 60). */
    CHECK_EQ(stats_level_merge(&a, &b, SCHED_B_END), 0);
    CHECK_EQ(stats_level_duration_ns(&a, SCHED_A_END), 4100);
    CHECK_NEAR(stats_level_mean(&a, SCHED_A_END), 13570.0 / 4100.0, 1e-14);
    CHECK_EQ(stats_level_set(&a, 200, 7), 0);
    CHECK_EQ(stats_level_max(&a), 7);
    CHECK_EQ(stats_level_time_at(&a, 200, 0), 1050 + 100);

    stats_level_fini(&a);
    stats_level_fini(&b);
    stats_level_fini(&acc);
    stats_level_fini(&acc2);
}

static void test_level_errors_and_growth(void)
{
    stats_level l;
    CHECK_EQ(stats_level_init(&l, 0, -1), DMS_ERANGE);
    stats_level_fini(&l);
    CHECK_EQ(stats_level_init(&l, 0, STATS_LEVEL_MAX + 1), DMS_ERANGE);
    stats_level_fini(&l);

    CHECK_EQ(stats_level_init(&l, 5, 1), 0);
    CHECK_EQ(stats_level_add(&l, 6, -2), DMS_ERANGE);
    CHECK_EQ(stats_level_set(&l, 6, STATS_LEVEL_MAX + 1), DMS_ERANGE);
    CHECK_EQ(stats_level_add(&l, 6, INT64_MAX), DMS_ERANGE);
    CHECK_EQ(stats_level_add(&l, 6, INT64_MIN), DMS_ERANGE);
    CHECK_EQ(stats_level_max(&l), 1); /* failed updates change nothing */
    CHECK_EQ(stats_level_duration_ns(&l, 5), 0);
#ifdef NDEBUG
    /* Only observable without asserts: time going backwards is refused. */
    CHECK_EQ(stats_level_set(&l, 4, 2), DMS_EINVAL);
    CHECK_EQ(stats_level_reset_window(&l, 4), DMS_EINVAL);
#endif
    /* Growth from a small array to a large value and back; the top of the range works. */
    CHECK_EQ(stats_level_set(&l, 10, 1000000), 0);
    CHECK_EQ(stats_level_set(&l, 30, STATS_LEVEL_MAX), 0);
    CHECK_EQ(stats_level_set(&l, 40, 0), 0);
    CHECK_EQ(stats_level_hist_len(&l), STATS_LEVEL_MAX + 1);
    CHECK_EQ(stats_level_time_at(&l, 40, 1), 5);
    CHECK_EQ(stats_level_time_at(&l, 40, 1000000), 20);
    CHECK_EQ(stats_level_time_at(&l, 40, STATS_LEVEL_MAX), 10);
    double want = (1.0 * 5 + 1e6 * 20 + (double)STATS_LEVEL_MAX * 10) / 35.0;
    CHECK_NEAR(stats_level_mean(&l, 40), want, want * 1e-15);
    CHECK_EQ(stats_level_quantile(&l, 40, 1.0), STATS_LEVEL_MAX);
    CHECK_NEAR(stats_level_frac_above(&l, 40, 1000000), 10.0 / 35.0, 1e-15);
    stats_level_fini(&l);

    /* A long run at a large time offset keeps integer times exact. */
    int64_t t0 = INT64_C(1) << 60;
    CHECK_EQ(stats_level_init(&l, t0, 2), 0);
    CHECK_EQ(stats_level_set(&l, t0 + 3, 4), 0);
    CHECK_EQ(stats_level_time_at(&l, t0 + 4, 2), 3);
    CHECK_NEAR(stats_level_mean(&l, t0 + 4), 2.5, 1e-15);
    stats_level_fini(&l);
}

/* ---- latency histogram ----------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Exact nearest-rank quantile q = num / 1e6 of sorted v[0..n-1]: v[max(1, ceil(q n)) - 1],
 * in integer arithmetic. */
static int64_t exact_quantile(const int64_t *v, uint64_t n, uint64_t num)
{
    uint64_t r = (num * n + 999999) / 1000000;
    if (r < 1)
        r = 1;
    return v[r - 1];
}

/* Quantiles checked, in millionths. */
static const uint64_t quant_ppm[] = {0,      1,      1000,   10000,  100000, 250000,
                                     500000, 750000, 900000, 950000, 990000, 995000,
                                     999000, 999900, 999990, 1000000};

static void check_hist_vs_exact(const stats_hist *h, int64_t *v, uint64_t n)
{
    qsort(v, n, sizeof *v, cmp_i64);
    CHECK_UEQ(stats_hist_count(h), n);
    CHECK_EQ(stats_hist_min(h), v[0]);
    CHECK_EQ(stats_hist_max(h), v[n - 1]);
    long double sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += (long double)v[i];
    double mean = (double)(sum / (long double)n);
    CHECK_NEAR(stats_hist_mean(h), mean, mean * 1e-15);
    for (size_t i = 0; i < DMS_ARRAY_LEN(quant_ppm); i++) {
        int64_t want = exact_quantile(v, n, quant_ppm[i]);
        int64_t got = stats_hist_quantile(h, (double)quant_ppm[i] / 1e6);
        double rel = want ? fabs((double)(got - want)) / (double)want : (double)got;
        if (!(rel <= 1.0 / 256))
            fprintf(stderr, "q=%g: got %" PRId64 " want %" PRId64 " (rel %g)\n",
                    (double)quant_ppm[i] / 1e6, got, want, rel);
        CHECK(rel <= 1.0 / 256);
    }
}

/* Latency-like data: lognormal around 50 us with a heavy tail, plus some tiny values. */
static int64_t *random_latencies(gsl_rng *r, uint64_t n)
{
    int64_t *v = dms_xmalloc(n * sizeof *v);
    for (uint64_t i = 0; i < n; i++) {
        double x = (i % 50 == 0) ? gsl_ran_exponential(r, 40.0)
                                 : gsl_ran_lognormal(r, log(50000.0), 1.5);
        v[i] = (int64_t)x;
    }
    return v;
}

static void test_hist_random(void)
{
    static const unsigned long seeds[] = {1, 42, 20240601};
    for (size_t s = 0; s < DMS_ARRAY_LEN(seeds); s++) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, seeds[s]);
        uint64_t n = 200000;
        int64_t *v = random_latencies(r, n);
        stats_hist h, h1, h2;
        stats_hist_init(&h);
        stats_hist_init(&h1);
        stats_hist_init(&h2);
        for (uint64_t i = 0; i < n; i++) {
            CHECK_EQ(stats_hist_record(&h, v[i]), 0);
            CHECK_EQ(stats_hist_record(i % 3 ? &h1 : &h2, v[i]), 0);
        }
        /* Merge equals recording everything into one, bucket for bucket. */
        CHECK_EQ(stats_hist_merge(&h1, &h2), 0);
        size_t pa = 0, pb = 0;
        int64_t la, ha, lb, hb;
        uint64_t ca, cb;
        bool more;
        while ((more = stats_hist_next_bucket(&h, &pa, &la, &ha, &ca))) {
            CHECK(stats_hist_next_bucket(&h1, &pb, &lb, &hb, &cb));
            CHECK_EQ(la, lb);
            CHECK_EQ(ha, hb);
            CHECK_UEQ(ca, cb);
        }
        CHECK(!stats_hist_next_bucket(&h1, &pb, &lb, &hb, &cb));
        CHECK_UEQ(stats_hist_count(&h1), stats_hist_count(&h));
        CHECK_EQ(stats_hist_min(&h1), stats_hist_min(&h));
        CHECK_EQ(stats_hist_max(&h1), stats_hist_max(&h));
        CHECK(stats_hist_mean(&h1) == stats_hist_mean(&h));
        for (size_t i = 0; i < DMS_ARRAY_LEN(quant_ppm); i++) {
            double q = (double)quant_ppm[i] / 1e6;
            CHECK_EQ(stats_hist_quantile(&h1, q), stats_hist_quantile(&h, q));
        }
        check_hist_vs_exact(&h, v, n);
        free(v);
        stats_hist_fini(&h);
        stats_hist_fini(&h1);
        stats_hist_fini(&h2);
        gsl_rng_free(r);
    }
}

static void test_hist_buckets(void)
{
    stats_hist h;
    stats_hist_init(&h);
    /* Empty. */
    CHECK_UEQ(stats_hist_count(&h), 0);
    CHECK_EQ(stats_hist_min(&h), -1);
    CHECK_EQ(stats_hist_max(&h), -1);
    CHECK(isnan(stats_hist_mean(&h)));
    CHECK_EQ(stats_hist_quantile(&h, 0.5), -1);
    size_t pos = 0;
    int64_t lo, hi;
    uint64_t c;
    CHECK(!stats_hist_next_bucket(&h, &pos, &lo, &hi, &c));

    /* 1000 = 250 << 2 lies in [2^9, 2^10), buckets of width 4: [1000, 1003]; 1004 starts
     * the next one. The median (rank 2) is in [1000, 1003]: midpoint 1000 + 4/2 = 1002. */
    CHECK_EQ(stats_hist_record(&h, 1000), 0);
    CHECK_EQ(stats_hist_record(&h, 1003), 0);
    CHECK_EQ(stats_hist_record(&h, 1004), 0);
    CHECK_EQ(stats_hist_record(&h, -1), DMS_ERANGE);
    CHECK_UEQ(stats_hist_count(&h), 3);
    CHECK_EQ(stats_hist_quantile(&h, 0.5), 1002);
    CHECK_EQ(stats_hist_quantile(&h, 0.0), 1000); /* clamped to the exact min */
    CHECK_EQ(stats_hist_quantile(&h, 1.0), 1004); /* and max */
    CHECK_EQ(stats_hist_quantile(&h, 1.01), -1);
    CHECK_EQ(stats_hist_quantile(&h, NAN), -1);
    CHECK_NEAR(stats_hist_mean(&h), 3007.0 / 3.0, 1e-12);
    pos = 0;
    CHECK(stats_hist_next_bucket(&h, &pos, &lo, &hi, &c));
    CHECK_EQ(lo, 1000);
    CHECK_EQ(hi, 1003);
    CHECK_UEQ(c, 2);
    CHECK(stats_hist_next_bucket(&h, &pos, &lo, &hi, &c));
    CHECK_EQ(lo, 1004);
    CHECK_EQ(hi, 1007);
    CHECK_UEQ(c, 1);
    CHECK(!stats_hist_next_bucket(&h, &pos, &lo, &hi, &c));

    stats_hist_fini(&h);
}

static void test_hist_small_and_tiling(void)
{
    stats_hist h;
    stats_hist_init(&h);
    size_t pos;
    int64_t lo, hi;
    uint64_t c;
    /* Values below 128 are exact; record_n equals n records. */
    CHECK_UEQ(stats_hist_count(&h), 0);
    CHECK_EQ(stats_hist_record_n(&h, 7, 3), 0);
    CHECK_EQ(stats_hist_record_n(&h, 127, 1), 0);
    CHECK_EQ(stats_hist_record_n(&h, 9, 0), 0);
    CHECK_EQ(stats_hist_record_n(&h, -5, 2), DMS_ERANGE);
    CHECK_UEQ(stats_hist_count(&h), 4);
    CHECK_EQ(stats_hist_quantile(&h, 0.75), 7);
    CHECK_EQ(stats_hist_quantile(&h, 0.76), 127);
    CHECK_EQ(stats_hist_min(&h), 7);
    CHECK_NEAR(stats_hist_mean(&h), 148.0 / 4.0, 1e-12);

    /* Bucket boundaries across the whole range: each bucket holds its value, is narrower
     * than 1/128 of its lower bound, and buckets tile the axis without gaps. */
    stats_hist_reset(&h);
    for (int k = 0; k < 63; k++) {
        int64_t v = INT64_C(1) << k;
        CHECK_EQ(stats_hist_record(&h, v), 0);
        CHECK_EQ(stats_hist_record(&h, v + v / 3), 0);
        CHECK_EQ(stats_hist_record(&h, v - 1), 0);
    }
    CHECK_EQ(stats_hist_record(&h, INT64_MAX), 0);
    pos = 0;
    int64_t prev_hi = -1;
    uint64_t total = 0;
    while (stats_hist_next_bucket(&h, &pos, &lo, &hi, &c)) {
        CHECK_GT(lo, prev_hi);
        CHECK_LE(lo, hi);
        CHECK((double)(hi - lo + 1) <= (lo < 128 ? 1.0 : (double)lo / 128.0));
        prev_hi = hi;
        total += c;
    }
    CHECK_UEQ(total, stats_hist_count(&h));
    CHECK_EQ(prev_hi, INT64_MAX);
    CHECK_EQ(stats_hist_max(&h), INT64_MAX);
    CHECK_EQ(stats_hist_quantile(&h, 1.0), INT64_MAX);
    stats_hist_fini(&h);
}

static void test_hist_sum(void)
{
    stats_hist h;
    /* The exact sum does not overflow: four times INT64_MAX averages to INT64_MAX. */
    stats_hist_init(&h);
    CHECK_EQ(stats_hist_record_n(&h, INT64_MAX, 4), 0);
    CHECK_EQ(stats_hist_record_n(&h, INT64_MAX, UINT64_MAX), DMS_ERANGE);
    CHECK(stats_hist_mean(&h) == (double)INT64_MAX);
    CHECK_EQ(stats_hist_record_n(&h, INT64_MAX, (UINT64_C(1) << 40)), 0);
    CHECK(stats_hist_mean(&h) == (double)INT64_MAX);
    stats_hist_fini(&h);
}

/* ---- summary and confidence intervals -------------------------------------------------- */

static void test_summary(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    enum { N = 10000 };
    double *x = dms_xmalloc(N * sizeof *x);
    for (int i = 0; i < N; i++)
        x[i] = 1e9 + gsl_ran_gaussian(r, 1.0); /* large offset: naive sums lose digits */
    stats_summary all, part[3], pooled;
    stats_summary_init(&all);
    for (int i = 0; i < 3; i++)
        stats_summary_init(&part[i]);
    for (int i = 0; i < N; i++) {
        stats_summary_add(&all, x[i]);
        stats_summary_add(&part[i < 10 ? 0 : i < 7000 ? 1 : 2], x[i]);
    }
    double mean2 = gsl_stats_mean(x, 1, N), var2 = gsl_stats_variance_m(x, 1, N, mean2);
    CHECK_UEQ(all.n, N);
    CHECK_NEAR(stats_summary_mean(&all), mean2, 1e-6);
    CHECK_NEAR(stats_summary_var(&all), var2, var2 * 1e-6);
    CHECK_NEAR(stats_summary_sd(&all), sqrt(var2), sqrt(var2) * 1e-6);
    CHECK(all.min == gsl_stats_min(x, 1, N));
    CHECK(all.max == gsl_stats_max(x, 1, N));

    stats_summary_init(&pooled);
    stats_summary_merge(&pooled, &part[0]); /* into empty */
    stats_summary_merge(&pooled, &part[1]);
    stats_summary_merge(&pooled, &part[2]);
    CHECK_UEQ(pooled.n, N);
    CHECK_NEAR(stats_summary_mean(&pooled), mean2, 1e-6);
    CHECK_NEAR(stats_summary_var(&pooled), var2, var2 * 1e-6);
    CHECK(pooled.min == all.min);
    CHECK(pooled.max == all.max);

    /* Hand-computed: {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, squared deviations sum to 32,
     * sample variance 32/7. */
    static const double small[] = {2, 4, 4, 4, 5, 5, 7, 9};
    stats_summary s, e;
    stats_summary_init(&s);
    stats_summary_init(&e);
    CHECK(isnan(stats_summary_mean(&s)));
    CHECK(isnan(stats_summary_var(&s)));
    for (size_t i = 0; i < DMS_ARRAY_LEN(small); i++) {
        stats_summary_add(&s, small[i]);
        if (i == 0)
            CHECK(isnan(stats_summary_var(&s)));
    }
    stats_summary_merge(&s, &e); /* empty source: no change */
    CHECK_NEAR(stats_summary_mean(&s), 5.0, 1e-15);
    CHECK_NEAR(stats_summary_var(&s), 32.0 / 7.0, 1e-14);
    CHECK(s.min == 2.0 && s.max == 9.0);
    free(x);
    gsl_rng_free(r);
}

struct t_case {
    size_t n;
    double level;
    double t; /* Student-t quantile t_{n-1,(1+level)/2} from published tables */
};

static void test_ci(void)
{
    /* n = 5 with sd exactly 1: {-sqrt 2, 0, 0, 0, sqrt 2}; t_{4,0.975} = 2.776445. */
    const double five[] = {-M_SQRT2, 0, 0, 0, M_SQRT2};
    stats_ci ci;
    CHECK_EQ(stats_ci_t(five, 5, 0.95, &ci), 0);
    CHECK_UEQ(ci.n, 5);
    CHECK_NEAR(ci.mean, 0.0, 1e-15);
    CHECK_NEAR(ci.sd, 1.0, 1e-15);
    CHECK_NEAR(ci.half_width, 2.776445105 / sqrt(5.0), 1e-8);
    CHECK_NEAR(ci.lo, -ci.half_width, 1e-15);
    CHECK_NEAR(ci.hi, ci.half_width, 1e-15);

    static const struct t_case tc[] = {
        {2, 0.95, 12.70620474}, {3, 0.95, 4.302652730}, {5, 0.99, 4.604094871},
        {10, 0.95, 2.262157163}, {30, 0.90, 1.699127027}, {101, 0.95, 1.983971519},
    };
    double x[101];
    for (size_t i = 0; i < DMS_ARRAY_LEN(tc); i++) {
        stats_summary s;
        stats_summary_init(&s);
        for (size_t j = 0; j < tc[i].n; j++) {
            x[j] = 3.0 + (double)(j * j % 7); /* any spread will do */
            stats_summary_add(&s, x[j]);
        }
        double sd = gsl_stats_sd(x, 1, tc[i].n);
        CHECK_EQ(stats_ci_t(x, tc[i].n, tc[i].level, &ci), 0);
        CHECK_NEAR(ci.half_width / (sd / sqrt((double)tc[i].n)), tc[i].t, 1e-7);
        CHECK_NEAR(ci.mean, gsl_stats_mean(x, 1, tc[i].n), 1e-14);
        stats_ci cs;
        CHECK_EQ(stats_ci_t_summary(&s, tc[i].level, &cs), 0);
        CHECK_NEAR(cs.half_width, ci.half_width, 1e-12);
        CHECK_NEAR(cs.mean, ci.mean, 1e-13);
    }

}

static void test_ci_edges(void)
{
    const double five[] = {-M_SQRT2, 0, 0, 0, M_SQRT2};
    stats_ci ci;
    /* n = 1: the mean, but no spread and no interval. */
    const double one[] = {4.5};
    CHECK_EQ(stats_ci_t(one, 1, 0.95, &ci), 0);
    CHECK_UEQ(ci.n, 1);
    CHECK(ci.mean == 4.5);
    CHECK(isnan(ci.sd) && isnan(ci.half_width) && isnan(ci.lo) && isnan(ci.hi));

    /* Errors leave *out alone. */
    const double bad[] = {1.0, NAN, 2.0};
    ci.mean = 123.0;
    CHECK_EQ(stats_ci_t(five, 0, 0.95, &ci), DMS_EINVAL);
    CHECK_EQ(stats_ci_t(NULL, 3, 0.95, &ci), DMS_EINVAL);
    CHECK_EQ(stats_ci_t(bad, 3, 0.95, &ci), DMS_EINVAL);
    CHECK_EQ(stats_ci_t(five, 5, 1.0, &ci), DMS_EINVAL);
    CHECK_EQ(stats_ci_t(five, 5, 0.0, &ci), DMS_EINVAL);
    CHECK_EQ(stats_ci_t(five, 5, NAN, &ci), DMS_EINVAL);
    CHECK(ci.mean == 123.0);
    stats_summary empty;
    stats_summary_init(&empty);
    CHECK_EQ(stats_ci_t_summary(&empty, 0.95, &ci), DMS_EINVAL);
}

/* ---- Erlang B -------------------------------------------------------------------------- */

/* B(N, A) from its definition, (A^N / N!) / sum_{k<=N} A^k / k!, in log space. */
static double erlang_b_direct(unsigned n, double a)
{
    double top = n * log(a) - gsl_sf_lngamma(n + 1.0), m = -INFINITY;
    for (unsigned k = 0; k <= n; k++)
        m = fmax(m, k * log(a) - gsl_sf_lngamma(k + 1.0));
    double sum = 0;
    for (unsigned k = 0; k <= n; k++)
        sum += exp(k * log(a) - gsl_sf_lngamma(k + 1.0) - m);
    return exp(top - m - log(sum));
}

struct erlang_case {
    unsigned n;
    double a;
    double b;   /* expected; < 0: compare with erlang_b_direct */
    double tol; /* relative */
};

static void test_erlang(void)
{
    static const struct erlang_case ec[] = {
        {0, 3.0, 1.0, 0},          {5, 0.0, 0.0, 0},        {1, 1.0, 0.5, 1e-15},
        {2, 1.0, 0.2, 1e-15},      {10, 5.0, 0.018385, 3e-5}, {3, 2.0, 4.0 / 19.0, 1e-15},
        {10, 5.0, -1, 1e-9},       {100, 80.0, -1, 1e-9},   {50, 45.5, -1, 1e-9},
        {30, 1.5, -1, 1e-9},       {1000, 950.0, -1, 1e-9}, {200, 250.0, -1, 1e-9},
        {10000, 9000.0, -1, 1e-9},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(ec); i++) {
        double want = ec[i].b >= 0 ? ec[i].b : erlang_b_direct(ec[i].n, ec[i].a);
        double got = stats_erlang_b(ec[i].n, ec[i].a);
        if (!(fabs(got - want) <= ec[i].tol * want))
            fprintf(stderr, "B(%u, %g)\n", ec[i].n, ec[i].a);
        CHECK_NEAR(got, want, ec[i].tol * want);
    }
}

static void test_erlang_large_and_inverse(void)
{
    /* B(100, 80) is about 0.004 (Erlang tables). */
    CHECK(stats_erlang_b(100, 80.0) > 0.0035 && stats_erlang_b(100, 80.0) < 0.0045);

    /* Large systems stay finite and in (0, 1). */
    static const struct {
        unsigned n;
        double a;
    } big[] = {{10000, 9000.0}, {1000000, 1000000.0}, {1000000, 950000.0}, {100000, 1e6}};
    for (size_t i = 0; i < DMS_ARRAY_LEN(big); i++) {
        double b = stats_erlang_b(big[i].n, big[i].a);
        CHECK(isfinite(b) && b > 0.0 && b < 1.0);
    }
    /* With A far above N, B -> 1 - N/A: 1e6 erlangs on 1e5 servers block ~90%. */
    CHECK_NEAR(stats_erlang_b(100000, 1e6), 0.9, 1e-3);
    /* Tiny loads underflow to 0 without NaN. */
    CHECK(stats_erlang_b(1000000, 1.0) == 0.0);

    CHECK(isnan(stats_erlang_b(3, -1.0)));
    CHECK(isnan(stats_erlang_b(3, NAN)));
    CHECK(isnan(stats_erlang_b(3, INFINITY)));

    /* Carried load = mean occupancy = A (1 - B): B(2, 1) = 0.2 -> 0.8. */
    CHECK_NEAR(stats_erlang_carried(2, 1.0), 0.8, 1e-15);
    CHECK_NEAR(stats_erlang_carried(0, 3.0), 0.0, 1e-15);
    CHECK(isnan(stats_erlang_carried(2, -1.0)));

    /* Servers for a target: B(9, 5) = 0.0375, B(10, 5) = 0.0184 -> 10 for 2%. */
    unsigned n = 0;
    CHECK_EQ(stats_erlang_b_servers(5.0, 0.02, 1000, &n), 0);
    CHECK_EQ(n, 10);
    CHECK_EQ(stats_erlang_b_servers(5.0, 1.0, 1000, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(stats_erlang_b_servers(0.0, 0.0, 1000, &n), 0);
    CHECK_EQ(n, 1);
    n = 77;
    CHECK_EQ(stats_erlang_b_servers(5.0, 0.02, 9, &n), DMS_ERANGE);
    CHECK_EQ(stats_erlang_b_servers(5.0, 1.5, 100, &n), DMS_EINVAL);
    CHECK_EQ(stats_erlang_b_servers(-5.0, 0.1, 100, &n), DMS_EINVAL);
    CHECK_EQ(n, 77);
    CHECK_EQ(stats_erlang_b_servers(9000.0, 1e-3, 20000, &n), 0);
    CHECK(stats_erlang_b(n, 9000.0) <= 1e-3 && stats_erlang_b(n - 1, 9000.0) > 1e-3);
}

/* ---- sorted quantile, ratio ------------------------------------------------------------ */

static void test_quantile_sorted(void)
{
    static const double x[] = {1, 2, 3, 4, 5};
    static const struct {
        double q, want;
    } qc[] = {{0.0, 1.0}, {0.1, 1.4}, {0.25, 2.0}, {0.5, 3.0}, {0.99, 4.96}, {1.0, 5.0}};
    for (size_t i = 0; i < DMS_ARRAY_LEN(qc); i++)
        CHECK_NEAR(stats_quantile_sorted(x, 5, qc[i].q), qc[i].want, 1e-12);
    CHECK(stats_quantile_sorted(x, 1, 0.7) == 1.0);
    CHECK(isnan(stats_quantile_sorted(x, 0, 0.5)));
    CHECK(isnan(stats_quantile_sorted(x, 5, -0.1)));
    CHECK(isnan(stats_quantile_sorted(x, 5, 1.1)));

    /* Agrees with GSL's type-7 quantile on random data. */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 99);
    double y[1001];
    for (size_t i = 0; i < DMS_ARRAY_LEN(y); i++)
        y[i] = gsl_rng_uniform(r) * 100.0;
    gsl_sort(y, 1, DMS_ARRAY_LEN(y));
    for (int k = 0; k <= 1000; k += 7) {
        double q = k / 1000.0;
        CHECK_NEAR(stats_quantile_sorted(y, DMS_ARRAY_LEN(y), q),
                   gsl_stats_quantile_from_sorted_data(y, 1, DMS_ARRAY_LEN(y), q), 1e-12);
    }
    gsl_rng_free(r);

    CHECK_NEAR(stats_ratio(1, 4), 0.25, 0);
    CHECK(isnan(stats_ratio(3, 0)));
}

int main(void)
{
    gsl_set_error_handler_off();
    test_level_schedule_a();
    test_level_schedule_b();
    test_level_reset_window();
    test_level_merge();
    test_level_errors_and_growth();
    test_hist_buckets();
    test_hist_small_and_tiling();
    test_hist_sum();
    test_hist_random();
    test_summary();
    test_ci();
    test_ci_edges();
    test_erlang();
    test_erlang_large_and_inverse();
    test_quantile_sorted();
    printf("test_stats: ok\n");
    return 0;
}
