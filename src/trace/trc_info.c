/* SPDX-License-Identifier: MIT */
/*
 * trc_info: a one-pass summary of any source.
 *
 * Counts, byte totals, duration and mean rates, exact frame-size percentiles from a
 * histogram over lengths 0..262144 (longer frames share the top bucket and report the true
 * maximum), and the busiest 1 ms window, found with a sliding window over the delivered
 * times (which never decrease). Memory is two histograms (2 MiB each) plus the times inside
 * one window; the capture itself is streamed.
 */
#include "trc_int.h"

#include <stdlib.h>

#define HIST_TOP TRC_MAX_CAPLEN

struct sizes {
    uint64_t *hist;  /* HIST_TOP + 1 buckets */
    uint32_t min, max;
};

/* The times of the records inside the current window, oldest first (a ring). */
struct window {
    int64_t *t;
    size_t cap, head, n;
    uint64_t best;
};

static void sizes_add(struct sizes *s, uint32_t len)
{
    s->hist[len < HIST_TOP ? len : HIST_TOP]++;
    s->min = DMS_MIN(s->min, len);
    s->max = DMS_MAX(s->max, len);
}

/* Nearest-rank percentiles q[0..k) (ascending) into out[]. */
static void sizes_percentiles(const struct sizes *s, uint64_t n, const double *q, int k,
                              uint32_t *out[])
{
    uint64_t cum = 0;
    int j = 0;
    for (uint32_t len = 0; len <= HIST_TOP && j < k; len++) {
        cum += s->hist[len];
        while (j < k) {
            double want = q[j] * (double)n;
            uint64_t rank = (uint64_t)want + ((double)(uint64_t)want < want);
            if (cum < DMS_MAX(rank, 1))
                break;
            *out[j++] = len < HIST_TOP ? len : s->max;
        }
    }
}

static void window_add(struct window *w, int64_t t)
{
    while (w->n > 0 && t - w->t[w->head] > DMS_NS_PER_MS) {
        w->head = (w->head + 1) % w->cap;
        w->n--;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 1024;
        int64_t *nt = dms_xmalloc(cap * sizeof *nt);
        for (size_t i = 0; i < w->n; i++)
            nt[i] = w->t[(w->head + i) % w->cap];
        free(w->t);
        w->t = nt;
        w->cap = cap;
        w->head = 0;
    }
    w->t[(w->head + w->n) % w->cap] = t;
    w->n++;
    w->best = DMS_MAX(w->best, (uint64_t)w->n);
}

static void finish(struct trc_info *info, const struct sizes *orig, const struct sizes *wire,
                   int64_t last_ns)
{
    static const double q[5] = {0.01, 0.50, 0.90, 0.99, 1.0};
    uint32_t *o[5] = {&info->orig_p1, &info->orig_p50, &info->orig_p90, &info->orig_p99,
                      &info->orig_max};
    uint32_t *w[5] = {&info->wire_p1, &info->wire_p50, &info->wire_p90, &info->wire_p99,
                      &info->wire_max};
    info->duration_ns = last_ns;
    if (info->packets == 0)
        return;
    sizes_percentiles(orig, info->counters.records_in, q, 5, o);
    sizes_percentiles(wire, info->packets, q, 5, w);
    info->orig_min = orig->min;
    info->orig_max = orig->max;
    info->wire_min = wire->min;
    info->wire_max = wire->max;
    if (last_ns > 0) {
        double s = (double)last_ns / 1e9;
        info->mean_pps = (double)info->packets / s;
        info->mean_bps = 8.0 * (double)info->wire_bytes / s;
    }
}

int trc_info(const struct trc_spec *spec, gsl_rng *rng, struct trc_info *info,
             struct dms_error *err)
{
    struct trc_spec sp = *spec;
    struct trc_record rec;
    trc_source *src;
    memset(info, 0, sizeof *info);
    sp.on_damage = TRC_DAMAGE_KEEP;
    int rc = trc_open(&src, &sp, rng, err);
    if (rc < 0)
        return rc;
    struct sizes orig = {dms_xcalloc(HIST_TOP + 1, sizeof(uint64_t)), UINT32_MAX, 0};
    struct sizes wire = {dms_xcalloc(HIST_TOP + 1, sizeof(uint64_t)), UINT32_MAX, 0};
    struct window win = {0};
    int64_t last_ns = 0, last_index = -1;
    while ((rc = trc_next(src, &rec, err)) == 1) {
        info->packets++;
        info->tx_packets += rec.dir;
        info->wire_bytes += rec.wire_len;
        if (rec.index != last_index)
            sizes_add(&orig, rec.orig_len);
        last_index = rec.index;
        sizes_add(&wire, rec.wire_len);
        window_add(&win, rec.time_ns);
        last_ns = rec.time_ns;
    }
    info->rx_packets = info->packets - info->tx_packets;
    info->busiest_1ms_pkts = win.best;
    info->counters = *trc_counters(src);
    info->orig_bytes = info->counters.orig_bytes;
    finish(info, &orig, &wire, last_ns);
    free(orig.hist);
    free(wire.hist);
    free(win.t);
    trc_close(src);
    return rc < 0 ? rc : 0;
}
