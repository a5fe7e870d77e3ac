/* SPDX-License-Identifier: MIT */
/*
 * host_dist: distributions of durations (protocol hold times), drawn from GSL streams.
 *
 * The lognormal is given by its mean m and coefficient of variation cv, the two numbers a
 * capacity planner measures; the parameters of the underlying normal are then
 * sigma^2 = ln(1 + cv^2) and mu = ln(m) - sigma^2 / 2, which give exactly mean m and standard
 * deviation cv * m. The empirical distribution is discrete: value i with probability
 * weights[i] / sum(weights), drawn in O(1) with GSL's alias table (gsl_ran_discrete).
 *
 * Invariant: a draw is a whole number of nanoseconds >= 0. The module keeps no state
 * between draws other than the caller's stream.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "host.h"

struct host_dist {
    enum host_dist_kind kind;
    double mean_ns;
    double mu, sigma;          /* lognormal: the underlying normal */
    double *values_ns;         /* empirical */
    size_t n;
    gsl_ran_discrete_t *table; /* empirical: alias table */
};

static const char *const kind_names[] = {"constant", "exponential", "lognormal", "empirical"};

const char *host_dist_kind_name(enum host_dist_kind k)
{
    return (unsigned)k < DMS_ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

int host_dist_kind_parse(const char *name, enum host_dist_kind *out)
{
    for (size_t i = 0; i < DMS_ARRAY_LEN(kind_names); i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (enum host_dist_kind)i;
            return 0;
        }
    }
    return DMS_EINVAL;
}

static int check_empirical(const struct host_dist_params *p, struct dms_error *err)
{
    if (p->n == 0 || !p->values_ns || !p->weights)
        return dms_error_set(err, DMS_EINVAL, "empirical distribution needs values and weights");
    double sum = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!isfinite(p->values_ns[i]) || p->values_ns[i] < 0)
            return dms_error_set(err, DMS_EINVAL, "empirical value %zu must be >= 0", i);
        if (!isfinite(p->weights[i]) || p->weights[i] < 0)
            return dms_error_set(err, DMS_EINVAL, "empirical weight %zu must be >= 0", i);
        sum += p->weights[i];
    }
    if (!(sum > 0))
        return dms_error_set(err, DMS_EINVAL, "empirical weights must have a positive sum");
    return 0;
}

static int check(const struct host_dist_params *p, struct dms_error *err)
{
    switch (p->kind) {
    case HOST_DIST_CONSTANT:
        if (!isfinite(p->mean_ns) || p->mean_ns < 0)
            return dms_error_set(err, DMS_EINVAL, "constant hold must be >= 0");
        return 0;
    case HOST_DIST_EXPONENTIAL:
        if (!isfinite(p->mean_ns) || p->mean_ns <= 0)
            return dms_error_set(err, DMS_EINVAL, "exponential mean must be > 0");
        return 0;
    case HOST_DIST_LOGNORMAL:
        if (!isfinite(p->mean_ns) || p->mean_ns <= 0 || !isfinite(p->cv) || p->cv <= 0)
            return dms_error_set(err, DMS_EINVAL, "lognormal needs mean > 0 and cv > 0");
        return 0;
    case HOST_DIST_EMPIRICAL:
        return check_empirical(p, err);
    }
    return dms_error_set(err, DMS_EINVAL, "unknown distribution kind %d", (int)p->kind);
}

int host_dist_new(host_dist **out, const struct host_dist_params *p, struct dms_error *err)
{
    int rc = check(p, err);
    if (rc)
        return rc;
    host_dist *d = dms_xcalloc(1, sizeof *d);
    d->kind = p->kind;
    d->mean_ns = p->mean_ns;
    if (p->kind == HOST_DIST_LOGNORMAL) {
        double s2 = log1p(p->cv * p->cv);
        d->sigma = sqrt(s2);
        d->mu = log(p->mean_ns) - s2 / 2;
    } else if (p->kind == HOST_DIST_EMPIRICAL) {
        d->n = p->n;
        d->values_ns = dms_xmalloc(p->n * sizeof *d->values_ns);
        memcpy(d->values_ns, p->values_ns, p->n * sizeof *d->values_ns);
        d->table = gsl_ran_discrete_preproc(p->n, p->weights);
        if (!d->table) {
            host_dist_free(d);
            return dms_error_set(err, DMS_EINVAL, "empirical table could not be built");
        }
        double sum = 0, wsum = 0;
        for (size_t i = 0; i < p->n; i++) {
            sum += p->weights[i] * p->values_ns[i];
            wsum += p->weights[i];
        }
        d->mean_ns = sum / wsum;
    }
    *out = d;
    return 0;
}

void host_dist_free(host_dist *d)
{
    if (!d)
        return;
    if (d->table)
        gsl_ran_discrete_free(d->table);
    free(d->values_ns);
    free(d);
}

static eng_time_ns to_ns(double x)
{
    if (!(x > 0))
        return 0;
    if (x >= 4e18)
        return INT64_C(4000000000000000000);
    return (eng_time_ns)llround(x);
}

eng_time_ns host_dist_draw(const host_dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case HOST_DIST_CONSTANT:
        return to_ns(d->mean_ns);
    case HOST_DIST_EXPONENTIAL:
        return to_ns(eng_rng_exp(r, d->mean_ns));
    case HOST_DIST_LOGNORMAL:
        return to_ns(gsl_ran_lognormal(r, d->mu, d->sigma));
    case HOST_DIST_EMPIRICAL:
        return to_ns(d->values_ns[gsl_ran_discrete(r, d->table)]);
    }
    return 0;
}

double host_dist_mean_ns(const host_dist *d)
{
    return d->mean_ns;
}
