/* SPDX-License-Identifier: MIT */
/*
 * cfg_trace: a NIC's traffic: the trace section (a pcap or CSV file, or a synthetic
 * source) and the protocol section (how long protocols hold received packets).
 *
 * Both sections have keys that only make sense together with others (on/off periods with
 * on/off arrivals, cv with a lognormal hold, a tx_mac rule with a capture), so each is
 * walked against its table first and the combinations are checked afterwards, each error
 * pointing at the key that does not fit. File paths are stored twice: as written, and
 * resolved against the folder of the file (or, for an override, the current folder).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

#define NO_MAX INT64_MAX
#define MIN_FRAME 64       /* smallest Ethernet frame, FCS included */
#define MAX_FRAME 262148   /* largest captured length (256 KiB) plus the FCS */
#define MIN_RATE_BPS 1e3   /* a synthetic rate in bit/s: the slowest is 1 kbit/s */
#define MIN_RATE_PPS 1e-3  /* in packets/s: one frame per 1000 s (as trace's TRC_SYNTH_) */
#define MAX_RATE_PPS 1e10

const struct cfg_word cfg__trace_kinds[] = {
    {"pcap", CFG_TRACE_PCAP},
    {"csv", CFG_TRACE_CSV},
    {"synthetic", CFG_TRACE_SYNTHETIC},
    {NULL, 0},
};
const struct cfg_word cfg__sizes_words[] = {
    {"imix", CFG_SIZES_IMIX},
    {"rfc2544", CFG_SIZES_RFC2544},
    {"fixed", CFG_SIZES_FIXED},
    {"table", CFG_SIZES_TABLE},
    {NULL, 0},
};
const struct cfg_word cfg__arrivals_words[] = {
    {"poisson", CFG_ARRIVALS_POISSON},
    {"constant", CFG_ARRIVALS_CONSTANT},
    {"onoff", CFG_ARRIVALS_ONOFF},
    {NULL, 0},
};
const struct cfg_word cfg__direction_words[] = {
    {"rx", CFG_DIR_RX},
    {"tx", CFG_DIR_TX},
    {"alternate", CFG_DIR_ALTERNATE},
    {"random", CFG_DIR_RANDOM},
    {"flags", CFG_DIR_FLAGS},
    {"tx_mac", CFG_DIR_TX_MAC},
    {NULL, 0},
};
const struct cfg_word cfg__oversize_words[] = {
    {"as_is", CFG_OVERSIZE_AS_IS},
    {"split", CFG_OVERSIZE_SPLIT},
    {"reject", CFG_OVERSIZE_REJECT},
    {NULL, 0},
};
const struct cfg_word cfg__damage_words[] = {
    {"stop", CFG_DAMAGE_STOP},
    {"keep", CFG_DAMAGE_KEEP},
    {NULL, 0},
};
const struct cfg_word cfg__reader_words[] = {
    {"native", CFG_READER_NATIVE},
    {"libpcap", CFG_READER_LIBPCAP},
    {NULL, 0},
};
const struct cfg_word cfg__hold_words[] = {
    {"constant", CFG_HOLD_CONSTANT},
    {"exponential", CFG_HOLD_EXPONENTIAL},
    {"lognormal", CFG_HOLD_LOGNORMAL},
    {"empirical", CFG_HOLD_EMPIRICAL},
    {NULL, 0},
};
const struct cfg_word cfg__servers_words[] = {
    {"processors", CFG_SERVERS_PROCESSORS},
    {"infinite", CFG_SERVERS_INFINITE},
    {NULL, 0},
};

/* The words a scalar direction may be (tx_mac needs its address, so it is a mapping). */
static const struct cfg_word scalar_directions[] = {
    {"rx", CFG_DIR_RX},         {"tx", CFG_DIR_TX},       {"alternate", CFG_DIR_ALTERNATE},
    {"random", CFG_DIR_RANDOM}, {"flags", CFG_DIR_FLAGS}, {NULL, 0},
};

/* The key node of `key` in a mapping, or NULL. */
static const struct cfg_node *key_node(const struct cfg_node *map, const char *key)
{
    if (map->kind != CFG_NODE_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n_kids; i += 2)
        if (map->kids[i]->kind == CFG_NODE_SCALAR && strcmp(map->kids[i]->text, key) == 0)
            return map->kids[i];
    return NULL;
}

/* Reports that `key`, written in map, does not fit (message after the key's name). */
static void misfit(struct cfg_vctx *c, const struct cfg_node *map, const char *key,
                   const char *why)
{
    const struct cfg_node *k = key_node(map, key);
    if (!k)
        return;
    size_t old = cfg__push_key(c, key);
    cfg__err(c, k, DMS_EINVAL, "'%s' %s", key, why);
    cfg__pop(c, old);
}

/* ---- synthetic ------------------------------------------------------------------------------ */

static void table_item(struct cfg_vctx *c, const struct cfg_node *v, size_t i, void *arg)
{
    struct cfg_synthetic *s = arg;
    struct cfg_size_weight *e = &s->table[i];
    if (v->kind != CFG_NODE_SEQ || v->n_kids != 2) {
        cfg__err(c, v, DMS_EINVAL, "expected a [size, weight] pair such as [64, 7]");
        return;
    }
    size_t old = cfg__push_index(c, 0);
    cfg__get_size(c, v->kids[0], MIN_FRAME, MAX_FRAME, &e->size_bytes);
    cfg__pop(c, old);
    cfg__push_index(c, 1);
    cfg__get_double(c, v->kids[1], 0.0, INFINITY, CFG_F_LO_OPEN, &e->weight);
    cfg__pop(c, old);
}

static void sizes_table(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_synthetic *s = base;
    size_t n = v->kind == CFG_NODE_SEQ ? v->n_kids : 0;
    free(s->table);
    s->table = dms_xcalloc(n ? n : 1, sizeof *s->table);
    long got = cfg__walk_seq(c, v, 1, 64, table_item, s);
    s->table_len = got > 0 ? (size_t)got : 0;
    s->sizes = CFG_SIZES_TABLE;
}

static const struct cfg_field sizes_map_fields[] = {
    CFG_CUSTOM("table", sizes_table, CFG_F_REQUIRED),
};

static void synth_sizes(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_synthetic *s = base;
    if (v->kind == CFG_NODE_MAP) {
        cfg__walk_map(c, v, sizes_map_fields, DMS_ARRAY_LEN(sizes_map_fields), s);
        return;
    }
    if (v->kind == CFG_NODE_SCALAR && v->text[0] >= '0' && v->text[0] <= '9') {
        if (cfg__get_size(c, v, MIN_FRAME, MAX_FRAME, &s->size_bytes))
            s->sizes = CFG_SIZES_FIXED;
        return;
    }
    if (v->kind == CFG_NODE_SCALAR && strcmp(v->text, "imix") == 0)
        s->sizes = CFG_SIZES_IMIX;
    else if (v->kind == CFG_NODE_SCALAR && strcmp(v->text, "rfc2544") == 0)
        s->sizes = CFG_SIZES_RFC2544;
    else if (v->kind == CFG_NODE_SCALAR && !cfg__node_is_null(v))
        cfg__err(c, v, DMS_EINVAL,
                 "'%s' is not imix, rfc2544, a frame size or {table: [[size, weight], ...]}",
                 v->text);
    else
        cfg__err(c, v, DMS_EINVAL,
                 "expected imix, rfc2544, a frame size or {table: [[size, weight], ...]}");
}

static void synth_rate(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_synthetic *s = base;
    struct cfg_rate r;
    if (!cfg__get_rate(c, v, CFG_RATE_BITS | CFG_RATE_PACKETS, &r))
        return;
    if (r.packets && !(r.value >= MIN_RATE_PPS && r.value <= MAX_RATE_PPS)) {
        cfg__err(c, v, DMS_ERANGE, "%s is out of range 0.001pps..1e10pps", v->text);
        return;
    }
    if (!r.packets && !(r.value >= MIN_RATE_BPS && r.value <= 1e15)) {
        cfg__err(c, v, DMS_ERANGE, "%s is out of range 1kbit/s..1000000Gbit/s", v->text);
        return;
    }
    s->rate_pps = r.packets ? r.value : 0.0;
    s->rate_bps = r.packets ? 0.0 : r.value;
}

static const struct cfg_field synth_fields[] = {
    CFG_CUSTOM("sizes", synth_sizes, 0),
    CFG_ENUM("arrivals", struct cfg_synthetic, arrivals, cfg__arrivals_words),
    CFG_CUSTOM("rate", synth_rate, CFG_F_REQUIRED),
    CFG_TIME("on", struct cfg_synthetic, on_ns, 1, NO_MAX),
    CFG_TIME("off", struct cfg_synthetic, off_ns, 0, NO_MAX),
    CFG_INT("count", struct cfg_synthetic, count, 0, NO_MAX),
    CFG_TIME("duration", struct cfg_synthetic, duration_ns, 0, NO_MAX),
};

static void trace_synthetic(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_trace *t = base;
    struct cfg_synthetic *s = &t->synthetic;
    size_t before = c->errs->count;
    t->kind = CFG_TRACE_SYNTHETIC;
    cfg__walk_map(c, v, synth_fields, DMS_ARRAY_LEN(synth_fields), s);
    if (v->kind != CFG_NODE_MAP)
        return;
    if (c->errs->count == before) /* the bound check needs count and duration as written */
        c->synth_at[c->nic][c->source] = v;
    if (s->arrivals != CFG_ARRIVALS_ONOFF) {
        misfit(c, v, "on", "applies only to arrivals: onoff");
        misfit(c, v, "off", "applies only to arrivals: onoff");
    }
}

/* ---- trace ---------------------------------------------------------------------------------- */

static void trace_file(struct cfg_vctx *c, const struct cfg_node *v, struct cfg_trace *t,
                       enum cfg_trace_kind kind)
{
    const char *text = cfg__get_text(c, v, "a file path");
    t->kind = kind;
    if (!text)
        return;
    free(t->path);
    free(t->path_as_written);
    free(t->written_in);
    t->path_as_written = dms_xstrdup(text);
    t->written_in = dms_xstrdup(v->origin && v->origin->label ? v->origin->label : "");
    t->written_line = v->line;
    t->written_column = v->column;
    t->path = cfg__path_resolve(v->origin->base_dir, text);
}

static void trace_pcap(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    trace_file(c, v, base, CFG_TRACE_PCAP);
}

static void trace_csv(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    trace_file(c, v, base, CFG_TRACE_CSV);
}

static void dir_tx_mac(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_trace *t = base;
    if (cfg__get_mac(c, v, t->tx_mac))
        t->direction = CFG_DIR_TX_MAC;
}

static void dir_random(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_trace *t = base;
    if (cfg__get_double(c, v, 0.0, 1.0, 0, &t->random_tx_share))
        t->direction = CFG_DIR_RANDOM;
}

static const struct cfg_field direction_fields[] = {
    CFG_CUSTOM("tx_mac", dir_tx_mac, 0),
    CFG_CUSTOM("random", dir_random, 0),
};

static void trace_direction(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_trace *t = base;
    int d;
    if (v->kind != CFG_NODE_MAP) {
        if (cfg__get_enum(c, v, scalar_directions, &d))
            t->direction = (enum cfg_direction)d;
        return;
    }
    uint64_t seen = cfg__walk_map(c, v, direction_fields, DMS_ARRAY_LEN(direction_fields), t);
    if (seen == 3)
        misfit(c, v, "random", "cannot be combined with 'tx_mac'");
    else if (seen == 0 && v->n_kids == 0)
        cfg__err(c, v, DMS_EINVAL, "expected {tx_mac: \"..\"} or {random: share}, got {}");
}

static const struct cfg_field trace_fields[] = {
    CFG_CUSTOM("pcap", trace_pcap, 0),
    CFG_CUSTOM("csv", trace_csv, 0),
    CFG_CUSTOM("synthetic", trace_synthetic, 0),
    CFG_CUSTOM("direction", trace_direction, 0),
    CFG_DOUBLE("speedup", struct cfg_trace, speedup, 1e-6, 1e6, 0),
    CFG_INT("loop", struct cfg_trace, loop, 1, 1000000000),
    CFG_TIME("loop_period", struct cfg_trace, loop_period_ns, 1, CFG_TIME_MAX_NS),
    CFG_ENUM("oversize", struct cfg_trace, oversize, cfg__oversize_words),
    CFG_ENUM("on_damage", struct cfg_trace, on_damage, cfg__damage_words),
    CFG_ENUM("reader", struct cfg_trace, reader, cfg__reader_words),
};

/* Which source keys were written, in document order: the second one is the misfit. */
static void one_source(struct cfg_vctx *c, const struct cfg_node *v, uint64_t seen)
{
    const char *first = NULL;
    if ((seen & 7) == 0) {
        cfg__err(c, v, DMS_EINVAL, "a trace needs one of pcap, csv or synthetic");
        return;
    }
    for (size_t i = 0; i + 1 < v->n_kids; i += 2) {
        const char *k = v->kids[i]->kind == CFG_NODE_SCALAR ? v->kids[i]->text : "";
        if (strcmp(k, "pcap") != 0 && strcmp(k, "csv") != 0 && strcmp(k, "synthetic") != 0)
            continue;
        if (!first) {
            first = k;
        } else if (strcmp(k, first) != 0) {
            size_t old = cfg__push_key(c, k);
            cfg__err(c, v->kids[i], DMS_EINVAL,
                     "'%s' and '%s' both given: a trace has exactly one of pcap, csv or "
                     "synthetic",
                     first, k);
            cfg__pop(c, old);
        }
    }
}

/* One trace source: a mapping with exactly one of pcap, csv or synthetic. */
static void trace_one(struct cfg_vctx *c, const struct cfg_node *v, struct cfg_trace *t)
{
    uint64_t seen = cfg__walk_map(c, v, trace_fields, DMS_ARRAY_LEN(trace_fields), t);
    if (v->kind != CFG_NODE_MAP && !cfg__node_is_null(v))
        return;
    one_source(c, v, seen);
    if ((seen & 7) != 1 && (seen & 7) != 2 && (seen & 7) != 4)
        return; /* no source or several: the rules below would only add noise */
    if (t->loop == 1)
        misfit(c, v, "loop_period", "applies only with loop > 1");
    if (t->kind != CFG_TRACE_PCAP) {
        misfit(c, v, "reader", "applies only to pcap traces");
        if (t->direction == CFG_DIR_TX_MAC) {
            size_t old = cfg__push_key(c, "direction");
            misfit(c, cfg__map_get(v, "direction"), "tx_mac",
                   "applies only to pcap traces (it reads the source MAC of each frame)");
            cfg__pop(c, old);
        }
    }
    if (t->kind == CFG_TRACE_SYNTHETIC && t->direction == CFG_DIR_FLAGS) {
        size_t old = cfg__push_key(c, "direction");
        cfg__err(c, cfg__map_get(v, "direction"), DMS_EINVAL,
                 "'flags' takes the direction from a pcapng or CSV file; a synthetic trace "
                 "has none");
        cfg__pop(c, old);
    }
}

/* Entry i of a list of sources: the first is the NIC's trace, the others its extras, each
 * starting from the defaults. */
static void trace_item(struct cfg_vctx *c, const struct cfg_node *v, size_t i, void *arg)
{
    struct cfg_nic *nic = arg;
    struct cfg_trace *t = i == 0 ? &nic->trace : &nic->extra_traces[i - 1];
    c->source = i;
    trace_one(c, v, t);
    c->source = 0;
}

void cfg__trace(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_nic *nic = base;
    if (v->kind != CFG_NODE_SEQ) {
        trace_one(c, v, &nic->trace);
        return;
    }
    /* several sources, merged in time (docs/config.md); a list of one is that source */
    size_t n = v->n_kids;
    if (n >= 2 && n <= CFG_MAX_SOURCES) {
        nic->extra_traces = dms_xcalloc(n - 1, sizeof *nic->extra_traces);
        for (size_t i = 0; i + 1 < n; i++)
            nic->extra_traces[i] = nic->trace; /* the defaults: nothing parsed yet */
        nic->n_extra_traces = n - 1;
    }
    cfg__walk_seq(c, v, 1, CFG_MAX_SOURCES, trace_item, nic);
}

/* The synthetic source s at node at never ends: an error. */
static void never_ends(struct cfg_vctx *c, size_t nic, size_t k, const struct cfg_synthetic *s,
                       const struct cfg_node *at)
{
    if (!at || s->count != 0 || s->duration_ns != 0 || c->sc->run.duration_ns != 0)
        return;
    if (c->sc->nics[nic].n_extra_traces)
        snprintf(c->path, sizeof c->path, "nics[%zu].trace[%zu].synthetic", nic, k);
    else
        snprintf(c->path, sizeof c->path, "nics[%zu].trace.synthetic", nic);
    c->path_len = strlen(c->path);
    cfg__err(c, at, DMS_EINVAL,
             "the synthetic trace never ends: set its count (0 means no limit) or duration, "
             "or run.duration");
    cfg__pop(c, 0);
}

void cfg__trace_final(struct cfg_vctx *c, size_t nic)
{
    const struct cfg_nic *n = &c->sc->nics[nic];
    for (size_t k = 0; k <= n->n_extra_traces; k++) {
        const struct cfg_trace *t = k == 0 ? &n->trace : &n->extra_traces[k - 1];
        if (t->kind == CFG_TRACE_SYNTHETIC)
            never_ends(c, nic, k, &t->synthetic, c->synth_at[nic][k]);
    }
}

/* ---- protocol ------------------------------------------------------------------------------- */

static void hold_value(struct cfg_vctx *c, const struct cfg_node *v, size_t i, void *arg)
{
    struct cfg_hold *h = arg;
    cfg__get_time(c, v, 0, NO_MAX, &h->values_ns[i]);
}

static void hold_weight(struct cfg_vctx *c, const struct cfg_node *v, size_t i, void *arg)
{
    double *w = arg;
    cfg__get_double(c, v, 0.0, INFINITY, CFG_F_LO_OPEN, &w[i]);
}

static void hold_values(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_hold *h = base;
    size_t n = v->kind == CFG_NODE_SEQ ? v->n_kids : 0;
    free(h->values_ns);
    h->values_ns = dms_xcalloc(n ? n : 1, sizeof *h->values_ns);
    long got = cfg__walk_seq(c, v, 1, 4096, hold_value, h);
    h->n_values = got > 0 ? (size_t)got : 0;
}

static void hold_weights(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_hold *h = base;
    size_t n = v->kind == CFG_NODE_SEQ ? v->n_kids : 0;
    free(h->weights);
    h->weights = dms_xcalloc(n ? n : 1, sizeof *h->weights);
    cfg__walk_seq(c, v, 1, 4096, hold_weight, h->weights);
}

static const struct cfg_field hold_fields[] = {
    CFG_ENUM("dist", struct cfg_hold, dist, cfg__hold_words),
    CFG_TIME("mean", struct cfg_hold, mean_ns, 0, NO_MAX),
    CFG_DOUBLE("cv", struct cfg_hold, cv, 0.0, INFINITY, CFG_F_LO_OPEN),
    CFG_CUSTOM("values", hold_values, 0),
    CFG_CUSTOM("weights", hold_weights, 0),
};

/* Checks the keys that depend on dist (seen: bits of hold_fields). */
static void hold_combination(struct cfg_vctx *c, const struct cfg_node *v, struct cfg_hold *h,
                             uint64_t seen)
{
    const char *dist = cfg__word(cfg__hold_words, (int)h->dist);
    if (h->dist != CFG_HOLD_LOGNORMAL)
        misfit(c, v, "cv", "applies only to dist: lognormal");
    if (h->dist != CFG_HOLD_EMPIRICAL) {
        misfit(c, v, "values", "applies only to dist: empirical");
        misfit(c, v, "weights", "applies only to dist: empirical");
    }
    if (h->dist == CFG_HOLD_EMPIRICAL)
        misfit(c, v, "mean", "does not apply to dist: empirical (the values give it)");
    if (h->dist == CFG_HOLD_LOGNORMAL && !(seen & 4))
        cfg__err(c, v, DMS_EINVAL, "missing required key 'cv' (dist: lognormal)");
    if (h->dist == CFG_HOLD_EMPIRICAL && !(seen & 8))
        cfg__err(c, v, DMS_EINVAL, "missing required key 'values' (dist: empirical)");
    const struct cfg_node *mean = cfg__map_get(v, "mean");
    if (mean && h->mean_ns == 0 && (h->dist == CFG_HOLD_EXPONENTIAL ||
                                    h->dist == CFG_HOLD_LOGNORMAL)) {
        size_t old = cfg__push_key(c, "mean");
        cfg__err(c, mean, DMS_ERANGE, "%s is out of range: the mean of dist %s must be > 0",
                 mean->text, dist);
        cfg__pop(c, old);
    }
}

static void protocol_hold(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_hold *h = &((struct cfg_protocol *)base)->hold;
    size_t before = c->errs->count;
    uint64_t seen = cfg__walk_map(c, v, hold_fields, DMS_ARRAY_LEN(hold_fields), h);
    if (v->kind != CFG_NODE_MAP || c->errs->count != before)
        return;
    hold_combination(c, v, h, seen);
    if (h->dist != CFG_HOLD_EMPIRICAL || h->n_values == 0)
        return;
    const struct cfg_node *w = cfg__map_get(v, "weights");
    if (!w) {
        free(h->weights);
        h->weights = dms_xmalloc(h->n_values * sizeof *h->weights);
        for (size_t i = 0; i < h->n_values; i++)
            h->weights[i] = 1.0;
    } else if (w->n_kids != h->n_values) {
        size_t old = cfg__push_key(c, "weights");
        cfg__err(c, w, DMS_EINVAL,
                 "the number of weights (%zu) differs from the number of values (%zu)",
                 w->n_kids, h->n_values);
        cfg__pop(c, old);
    }
}

static const struct cfg_field protocol_fields[] = {
    CFG_CUSTOM("hold", protocol_hold, 0),
    CFG_ENUM("servers", struct cfg_protocol, servers, cfg__servers_words),
    CFG_DOUBLE("keep_share", struct cfg_protocol, keep_share, 0.0, 1.0, 0),
};

void cfg__protocol(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_protocol *p = &((struct cfg_nic *)base)->protocol;
    cfg__walk_map(c, v, protocol_fields, DMS_ARRAY_LEN(protocol_fields), p);
}
