/* SPDX-License-Identifier: MIT */
/*
 * stats_summary: online mean and variance (Welford), pooled with Chan's parallel formula;
 * Student-t confidence intervals across replications (GSL); a type-7 quantile of sorted
 * data; the ratio helper for counters.
 *
 * Invariant of a summary: n values were added, mean is their mean and m2 the sum of squared
 * deviations from it (both 0 while n == 0). Nothing here allocates or keeps state between
 * calls; GSL is used only for the t quantile and the two-pass mean and deviation.
 */
#include "stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "dms.h"

double stats_ratio(uint64_t num, uint64_t den)
{
    return den ? (double)num / (double)den : NAN;
}

void stats_summary_init(stats_summary *s)
{
    s->n = 0;
    s->mean = 0.0;
    s->m2 = 0.0;
    s->min = INFINITY;
    s->max = -INFINITY;
}

void stats_summary_add(stats_summary *s, double x)
{
    s->n++;
    double d = x - s->mean;
    s->mean += d / (double)s->n;
    s->m2 += d * (x - s->mean);
    s->min = fmin(s->min, x);
    s->max = fmax(s->max, x);
}

void stats_summary_merge(stats_summary *dst, const stats_summary *src)
{
    if (src->n == 0)
        return;
    if (dst->n == 0) {
        *dst = *src;
        return;
    }
    double na = (double)dst->n, nb = (double)src->n, n = na + nb;
    double d = src->mean - dst->mean;
    dst->mean += d * (nb / n);
    dst->m2 += src->m2 + d * d * (na * nb / n);
    dst->n += src->n;
    dst->min = fmin(dst->min, src->min);
    dst->max = fmax(dst->max, src->max);
}

double stats_summary_mean(const stats_summary *s)
{
    return s->n ? s->mean : NAN;
}

double stats_summary_var(const stats_summary *s)
{
    return s->n >= 2 ? s->m2 / (double)(s->n - 1) : NAN;
}

double stats_summary_sd(const stats_summary *s)
{
    return sqrt(stats_summary_var(s));
}

/* Fills *out from n, mean and sample sd (NaN when n == 1). */
static int fill_ci(uint64_t n, double mean, double sd, double level, stats_ci *out)
{
    double half = NAN;
    if (n >= 2) {
        double t = gsl_cdf_tdist_Pinv(0.5 * (1.0 + level), (double)(n - 1));
        if (!isfinite(t))
            return DMS_EINTERNAL;
        half = t * sd / sqrt((double)n);
    }
    out->n = n;
    out->level = level;
    out->mean = mean;
    out->sd = n >= 2 ? sd : NAN;
    out->half_width = half;
    out->lo = mean - half;
    out->hi = mean + half;
    return 0;
}

int stats_ci_t(const double *x, size_t n, double level, stats_ci *out)
{
    if (!x || n == 0 || !(level > 0.0 && level < 1.0))
        return DMS_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return DMS_EINVAL;
    double mean = gsl_stats_mean(x, 1, n);
    double sd = n >= 2 ? gsl_stats_sd_m(x, 1, n, mean) : NAN;
    return fill_ci((uint64_t)n, mean, sd, level, out);
}

int stats_ci_t_summary(const stats_summary *s, double level, stats_ci *out)
{
    if (s->n == 0 || !isfinite(s->mean) || !(level > 0.0 && level < 1.0))
        return DMS_EINVAL;
    return fill_ci(s->n, s->mean, stats_summary_sd(s), level, out);
}

double stats_quantile_sorted(const double *x, size_t n, double q)
{
    if (n == 0 || !(q >= 0.0 && q <= 1.0))
        return NAN;
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    if (i >= n - 1)
        return x[n - 1];
    double frac = h - (double)i;
    return frac == 0.0 ? x[i] : x[i] + frac * (x[i + 1] - x[i]);
}
