/* SPDX-License-Identifier: MIT */
/*
 * trc_synth: synthetic packet sources.
 *
 * Frame sizes come from a fixed size, simple IMIX, the RFC 2544 set or an empirical table
 * (sizes include the 4-byte FCS, so a frame of size S has wire_len S - 4); arrivals are
 * Poisson, constant, or on/off (exponential on and off periods, Poisson while on, starting
 * with an on period at time 0). A rate in bits/s counts frame bytes including FCS and is
 * turned into packets/s with the mean size of the size distribution. Every draw comes from
 * the caller's gsl_rng in a fixed order (arrival, then size), so a seed gives one stream.
 * A new pass restarts source time at 0 but keeps drawing from the same generator.
 */
#include "trc_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#define SYN_MIN_SIZE 5u
#define SYN_MAX_SIZE (TRC_MAX_CAPLEN + 4u)

struct syn_rd {
    gsl_rng *rng;
    enum trc_arrivals arrivals;
    uint32_t fixed;          /* size when there is no table, bytes incl. FCS */
    uint32_t *sizes;         /* table sizes, bytes incl. FCS */
    gsl_ran_discrete_t *pick; /* index into sizes, NULL for a fixed size */
    double gap_ns;           /* mean gap between arrivals while on, ns */
    double on_mean_ns, off_mean_ns;
    uint64_t count;          /* frames per pass, 0 = unlimited */
    double duration_ns;      /* source time per pass, 0 = unlimited */
    double t_ns;             /* time of the last arrival in this pass */
    double on_end_ns;        /* ONOFF: end of the current on period */
    uint64_t emitted;        /* frames in this pass */
};

static const struct trc_size_weight k_imix[] = {{64, 7}, {594, 4}, {1518, 1}};
static const struct trc_size_weight k_rfc2544[] = {{64, 1},   {128, 1},  {256, 1}, {512, 1},
                                                    {1024, 1}, {1280, 1}, {1518, 1}};

static int syn_error(struct dms_error *err, const char *key, const char *msg)
{
    int rc = dms_error_set(err, DMS_EINVAL, "%s", msg);
    if (err)
        snprintf(err->path, sizeof err->path, "synth.%s", key);
    return rc;
}

/* Checks a size table and returns its mean size (bytes), or -1. */
static double table_mean(const struct trc_size_weight *t, size_t n)
{
    double sum_w = 0, sum_ws = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].size_bytes < SYN_MIN_SIZE || t[i].size_bytes > SYN_MAX_SIZE ||
            !(t[i].weight >= 0) || !isfinite(t[i].weight))
            return -1;
        sum_w += t[i].weight;
        sum_ws += t[i].weight * t[i].size_bytes;
    }
    return sum_w > 0 && isfinite(sum_w) ? sum_ws / sum_w : -1;
}

/* Sets up the size distribution; returns its mean size (bytes) or an error. */
static int setup_sizes(struct syn_rd *r, const struct trc_synth *c, double *mean,
                       struct dms_error *err)
{
    const struct trc_size_weight *t = c->table;
    size_t n = c->table_len;
    if (c->sizes == TRC_SIZES_FIXED) {
        if (c->fixed_bytes < SYN_MIN_SIZE || c->fixed_bytes > SYN_MAX_SIZE)
            return syn_error(err, "fixed_bytes", "frame size must be 5..262148 bytes "
                             "(including the 4-byte FCS)");
        r->fixed = c->fixed_bytes;
        *mean = c->fixed_bytes;
        return 0;
    }
    if (c->sizes == TRC_SIZES_IMIX || c->sizes == TRC_SIZES_RFC2544) {
        t = c->sizes == TRC_SIZES_IMIX ? k_imix : k_rfc2544;
        n = c->sizes == TRC_SIZES_IMIX ? DMS_ARRAY_LEN(k_imix) : DMS_ARRAY_LEN(k_rfc2544);
    } else if (c->sizes != TRC_SIZES_EMPIRICAL) {
        return syn_error(err, "sizes", "unknown size distribution");
    }
    if (!t || n == 0 || (*mean = table_mean(t, n)) < 0)
        return syn_error(err, "table", "the size table needs sizes of 5..262148 bytes and "
                         "weights >= 0 with a positive sum");
    double *w = dms_xmalloc(n * sizeof *w);
    r->sizes = dms_xmalloc(n * sizeof *r->sizes);
    for (size_t i = 0; i < n; i++) {
        w[i] = t[i].weight;
        r->sizes[i] = t[i].size_bytes;
    }
    r->pick = gsl_ran_discrete_preproc(n, w);
    free(w);
    return r->pick ? 0 : syn_error(err, "table", "cannot build the size distribution");
}

static int setup_arrivals(struct syn_rd *r, const struct trc_synth *c, double mean_size,
                          struct dms_error *err)
{
    bool pps = c->rate_pps > 0 && isfinite(c->rate_pps);
    bool bps = c->rate_bps > 0 && isfinite(c->rate_bps);
    if (pps == bps || c->rate_pps < 0 || c->rate_bps < 0)
        return syn_error(err, "rate", "give exactly one of rate_pps and rate_bps, > 0");
    double rate = pps ? c->rate_pps : c->rate_bps / (8.0 * mean_size);
    if (!(rate >= TRC_SYNTH_MIN_PPS && rate <= TRC_SYNTH_MAX_PPS))
        return syn_error(err, "rate", "the rate must be 0.001 to 1e10 frames/s");
    r->gap_ns = 1e9 / rate;
    if (c->arrivals > TRC_ARRIVALS_ONOFF)
        return syn_error(err, "arrivals", "unknown arrival process");
    if (c->arrivals == TRC_ARRIVALS_ONOFF &&
        (!(c->on_mean_ns > 0) || !(c->off_mean_ns >= 0) || !isfinite(c->on_mean_ns) ||
         !isfinite(c->off_mean_ns)))
        return syn_error(err, "on_mean_ns", "on/off arrivals need on_mean_ns > 0 and "
                         "off_mean_ns >= 0");
    if (c->duration_ns < 0)
        return syn_error(err, "duration_ns", "duration must be >= 0");
    r->arrivals = c->arrivals;
    r->on_mean_ns = c->on_mean_ns;
    r->off_mean_ns = c->off_mean_ns;
    r->count = c->count;
    r->duration_ns = (double)c->duration_ns;
    return 0;
}

/* Time of the next arrival, ns of source time. */
static double next_arrival(struct syn_rd *r)
{
    bool first = r->emitted == 0;
    switch (r->arrivals) {
    case TRC_ARRIVALS_CONSTANT:
        return first ? 0 : r->t_ns + r->gap_ns;
    case TRC_ARRIVALS_ONOFF: {
        if (first)
            r->on_end_ns = gsl_ran_exponential(r->rng, r->on_mean_ns);
        double t = r->t_ns + gsl_ran_exponential(r->rng, r->gap_ns);
        while (t > r->on_end_ns) {
            double start = r->on_end_ns + gsl_ran_exponential(r->rng, r->off_mean_ns);
            r->on_end_ns = start + gsl_ran_exponential(r->rng, r->on_mean_ns);
            t = start + gsl_ran_exponential(r->rng, r->gap_ns);
        }
        return t;
    }
    default:
        return r->t_ns + gsl_ran_exponential(r->rng, r->gap_ns);
    }
}

static int syn_fill(void *vr, struct trc__raw *out, int max, int *status,
                    struct dms_error *err)
{
    struct syn_rd *r = vr;
    int n = 0;
    *status = TRC__MORE;
    for (; n < max; n++) {
        if (r->count && r->emitted >= r->count) {
            *status = TRC__END;
            return n;
        }
        double t = next_arrival(r);
        if (r->duration_ns > 0 && t >= r->duration_ns) {
            *status = TRC__END;
            return n;
        }
        if (!(t <= (double)TRC_MAX_TIME_NS)) {
            *status = trc__damage(err, "", (int64_t)r->emitted, -1, "synthetic arrival at %g "
                                  "ns cannot be represented: beyond 2^62 ns", t);
            return n;
        }
        uint32_t size = r->pick ? r->sizes[gsl_ran_discrete(r->rng, r->pick)] : r->fixed;
        struct trc__raw *o = out + n;
        r->t_ns = t;
        r->emitted++;
        o->ts_ns = (int64_t)llround(t);
        o->orig_len = o->cap_len = o->wire_len = size - 4;
        o->offset = -1;
        o->line = 0;
        o->nic = -1;
        o->frags = 0;
        o->dir = -1;
    }
    return n;
}

static int syn_rewind(void *vr, struct dms_error *err)
{
    struct syn_rd *r = vr;
    r->t_ns = 0;
    r->emitted = 0;
    (void)err;
    return 0;
}

static uint64_t syn_file_bytes(const void *vr)
{
    (void)vr;
    return 0;
}

static void syn_close(void *vr)
{
    struct syn_rd *r = vr;
    if (r->pick)
        gsl_ran_discrete_free(r->pick);
    free(r->sizes);
    free(r);
}

static const struct trc__reader_ops k_syn_ops = {
    .fill = syn_fill,
    .rewind = syn_rewind,
    .finish_hash = NULL,
    .file_bytes = syn_file_bytes,
    .close = syn_close,
};

int trc__synth_open(struct trc__reader *rd, const struct trc__open_args *a,
                    struct dms_error *err)
{
    struct syn_rd *r = dms_xcalloc(1, sizeof *r);
    double mean = 0;
    r->rng = a->rng;
    int rc = setup_sizes(r, a->synth, &mean, err);
    if (rc == 0)
        rc = setup_arrivals(r, a->synth, mean, err);
    if (rc < 0) {
        syn_close(r);
        return rc;
    }
    bool seen = false;
    trc__note_link(a->ctr, 1, &seen);
    snprintf(a->ctr->format, sizeof a->ctr->format, "synthetic");
    snprintf(a->ctr->ts_resolution, sizeof a->ctr->ts_resolution, "ns");
    rd->ops = &k_syn_ops;
    rd->rd = r;
    return 0;
}
