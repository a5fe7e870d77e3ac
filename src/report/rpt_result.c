/* SPDX-License-Identifier: MIT */
/*
 * rpt_result: result.json and result.csv. Metric names are dotted paths; the JSON writer
 * nests them ("rx.latency_ns.p99" becomes rx -> latency_ns -> p99), which works because
 * the metric tables in run.h keep names with a common prefix together.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt.h"
#include "stats.h"

void rpt_summarise(const struct run_rep *reps, size_t n, double confidence,
                   struct rpt_summary *out)
{
    double *x = dms_xcalloc(n ? n : 1, sizeof *x);
    for (size_t k = 0; k < CFG_MAX_NICS * (RUN_NIC_METRIC_COUNT) + RUN_SYS_METRIC_COUNT; k++) {
        bool sys = k >= CFG_MAX_NICS * (size_t)RUN_NIC_METRIC_COUNT;
        size_t nic = sys ? 0 : k / RUN_NIC_METRIC_COUNT;
        size_t m = sys ? k - CFG_MAX_NICS * (size_t)RUN_NIC_METRIC_COUNT
                       : k % RUN_NIC_METRIC_COUNT;
        size_t cnt = 0;
        for (size_t r = 0; r < n; r++) {
            double v = sys ? reps[r].sys[m] : reps[r].nics[nic].m[m];
            if (isfinite(v))
                x[cnt++] = v;
        }
        stats_ci ci = {.mean = NAN, .half_width = NAN};
        if (cnt)
            stats_ci_t(x, cnt, confidence, &ci);
        double *mean = sys ? &out->sys_mean[m] : &out->mean[nic][m];
        double *half = sys ? &out->sys_half[m] : &out->half[nic][m];
        *mean = cnt ? ci.mean : NAN;
        *half = cnt > 1 ? ci.half_width : NAN;
    }
    free(x);
    for (size_t i = 0; i < CFG_MAX_NICS; i++) {
        out->initialized[i] = n > 0;
        for (size_t r = 0; r < n; r++)
            out->initialized[i] &= reps[r].nics[i].initialized;
    }
}

/* ---------------------------------------------------------------- nested metric objects */

/* Number of leading dot-separated components two names share. */
static int common_depth(const char *a, const char *b)
{
    int depth = 0;
    for (;;) {
        const char *da = strchr(a, '.'), *db = strchr(b, '.');
        if (!da || !db || da - a != db - b || strncmp(a, b, (size_t)(da - a)) != 0)
            return depth;
        depth++;
        a = da + 1;
        b = db + 1;
    }
}

static int name_depth(const char *s)
{
    int d = 0;
    for (; *s; s++)
        d += *s == '.';
    return d;
}

/* Writes names[i] = values[i] as nested members of the object open in w. */
static void write_nested(dms_jw *w, const char *const *names, const double *values, size_t n)
{
    const char *prev = NULL;
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        int keep = prev ? common_depth(prev, name) : 0;
        for (; open > keep; open--)
            dms_jw_obj_end(w);
        const char *s = name;
        for (int d = 0; d < keep; d++)
            s = strchr(s, '.') + 1;
        for (int d = keep; d < name_depth(name); d++) {
            const char *dot = strchr(s, '.');
            char part[64];
            snprintf(part, sizeof part, "%.*s", (int)(dot - s), s);
            dms_jw_obj_begin(w, part);
            open++;
            s = dot + 1;
        }
        dms_jw_double(w, s, values[i]);
        prev = name;
    }
    for (; open > 0; open--)
        dms_jw_obj_end(w);
}

/* The metric names, in table order. */
struct names {
    const char *nic[RUN_NIC_METRIC_COUNT];
    const char *sys[RUN_SYS_METRIC_COUNT];
};

static void names_init(struct names *nm)
{
    for (size_t i = 0; i < RUN_NIC_METRIC_COUNT; i++)
        nm->nic[i] = run_nic_metric_name((enum run_nic_metric)i);
    for (size_t i = 0; i < RUN_SYS_METRIC_COUNT; i++)
        nm->sys[i] = run_sys_metric_name((enum run_sys_metric)i);
}

/* ---------------------------------------------------------------- objectives */

static int objective(bool has, double value, double target, bool initialized)
{
    if (!has)
        return RPT_NO_TARGET;
    if (!initialized)
        return RPT_NOT_MET;
    if (!isfinite(value))
        return RPT_NO_DATA;
    return value <= target ? RPT_MET : RPT_NOT_MET;
}

int rpt_objectives_met(const struct cfg_scenario *sc, const struct rpt_summary *s, size_t i,
                       int met[4])
{
    const struct cfg_objectives *o = &sc->objectives;
    const double *m = s->mean[i];
    bool ok = s->initialized[i];
    met[0] = objective(o->has_rx_drop_rate, m[RUN_M_RX_DROP_RATE], o->rx_drop_rate, ok);
    met[1] = objective(o->has_resources_share, m[RUN_M_RX_RESOURCES_SHARE],
                       o->resources_share, ok);
    met[2] = objective(o->has_tx_stall_p99, m[RUN_M_TX_STALL_P99],
                       (double)o->tx_stall_p99_ns, ok);
    met[3] = objective(o->has_memory, m[RUN_M_MEM_SHARED_PEAK], (double)o->memory_bytes, ok);
    int all = 1;
    for (int k = 0; k < 4; k++)
        all &= met[k] != RPT_NOT_MET;
    return all;
}

static void write_objectives(dms_jw *w, const struct cfg_scenario *sc,
                             const struct rpt_summary *s, size_t i)
{
    static const char *const names[4] = {"rx_drop_rate", "resources_share", "tx_stall_p99_ns",
                                         "memory_bytes"};
    static const enum run_nic_metric metric[4] = {RUN_M_RX_DROP_RATE, RUN_M_RX_RESOURCES_SHARE,
                                                  RUN_M_TX_STALL_P99, RUN_M_MEM_SHARED_PEAK};
    const struct cfg_objectives *o = &sc->objectives;
    double target[4] = {o->rx_drop_rate, o->resources_share, (double)o->tx_stall_p99_ns,
                        (double)o->memory_bytes};
    int met[4];
    rpt_objectives_met(sc, s, i, met);
    dms_jw_obj_begin(w, "objectives");
    for (int k = 0; k < 4; k++) {
        if (met[k] == RPT_NO_TARGET)
            continue;
        dms_jw_obj_begin(w, names[k]);
        dms_jw_double(w, "target", target[k]);
        dms_jw_double(w, "value", s->mean[i][metric[k]]);
        if (met[k] == RPT_NO_DATA)
            dms_jw_null(w, "met");
        else
            dms_jw_bool(w, "met", met[k] == RPT_MET);
        dms_jw_obj_end(w);
    }
    dms_jw_obj_end(w);
}

/* ---------------------------------------------------------------- result.json */

static void write_traces(dms_jw *w, const struct cfg_scenario *sc, const struct run_rep *r0,
                         const struct rpt_meta *meta)
{
    dms_jw_arr_begin(w, "traces");
    for (size_t i = 0; i < sc->n_nics; i++) {
        const struct cfg_trace *t = &sc->nics[i].trace;
        const struct run_trace_info *ti = &r0->traces[i];
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "nic", sc->nics[i].name);
        dms_jw_str(w, "kind", t->kind == CFG_TRACE_PCAP  ? "pcap"
                              : t->kind == CFG_TRACE_CSV ? "csv"
                                                         : "synthetic");
        dms_jw_str(w, "path", t->path);
        const char *sha = meta->traces ? meta->traces[i].sha256 : ti->sha256;
        dms_jw_str(w, "sha256", sha[0] ? sha : NULL);
        dms_jw_uint(w, "packets", ti->for_nic);
        dms_jw_uint(w, "other_nic_records", ti->records - ti->for_nic);
        dms_jw_str(w, "format", ti->format);
        dms_jw_str(w, "link", ti->link[0] ? ti->link : NULL);
        dms_jw_uint(w, "out_of_order", ti->out_of_order);
        dms_jw_uint(w, "oversize", ti->oversize);
        dms_jw_uint(w, "split_frames", ti->split_frames);
        dms_jw_uint(w, "damaged", ti->damaged);
        dms_jw_str(w, "damage", ti->damage_msg[0] ? ti->damage_msg : NULL);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
}

static void write_diags(dms_jw *w, const struct run_rep *reps, size_t n)
{
    uint64_t total = 0, kept = 0;
    for (size_t r = 0; r < n; r++) {
        total += reps[r].diags_total;
        kept += reps[r].n_diags;
    }
    dms_jw_obj_begin(w, "verifier");
    dms_jw_uint(w, "diagnostics", total);
    dms_jw_arr_begin(w, "items");
    size_t shown = 0;
    for (size_t r = 0; r < n && shown < 200; r++) {
        for (size_t i = 0; i < reps[r].n_diags && shown < 200; i++, shown++) {
            const struct run_diag *d = &reps[r].diags[i];
            dms_jw_obj_begin(w, NULL);
            dms_jw_uint(w, "replication", r);
            dms_jw_str(w, "code", d->code);
            dms_jw_str(w, "kind", d->kind);
            dms_jw_str(w, "nic", d->nic[0] ? d->nic : NULL);
            dms_jw_int(w, "time_ns", d->time_ns);
            dms_jw_str(w, "message", d->msg);
            dms_jw_obj_end(w);
        }
    }
    dms_jw_arr_end(w);
    dms_jw_bool(w, "truncated", shown < kept || kept < total);
    dms_jw_obj_end(w);
}

static void write_system(dms_jw *w, const struct cfg_scenario *sc, const struct run_rep *reps,
                         size_t n, const struct rpt_summary *s)
{
    struct names nm;
    names_init(&nm);
    const struct run_rep *hung = NULL;
    for (size_t r = 0; r < n && !hung; r++)
        if (reps[r].hung)
            hung = &reps[r];
    dms_jw_obj_begin(w, "system");
    dms_jw_int(w, "processors", sc->system.processors);
    dms_jw_bool(w, "pae", sc->system.pae);
    if (sc->system.map_register_pool == CFG_UNLIMITED)
        dms_jw_str(w, "map_register_pool", "unlimited");
    else
        dms_jw_int(w, "map_register_pool", sc->system.map_register_pool);
    dms_jw_str(w, "outcome", hung ? "hang" : "ok");
    if (hung) {
        dms_jw_obj_begin(w, "hang");
        dms_jw_uint(w, "replication", hung->index);
        dms_jw_str(w, "nic", hung->hang_nic);
        dms_jw_uint(w, "requested", hung->hang_requested);
        dms_jw_uint(w, "left", hung->hang_left);
        dms_jw_obj_end(w);
    } else {
        dms_jw_null(w, "hang");
    }
    write_nested(w, nm.sys, s->sys_mean, RUN_SYS_METRIC_COUNT);
    if (n > 1) {
        dms_jw_obj_begin(w, "ci_half");
        write_nested(w, nm.sys, s->sys_half, RUN_SYS_METRIC_COUNT);
        dms_jw_obj_end(w);
    }
    write_diags(w, reps, n);
    dms_jw_obj_end(w);
}

/*
 * Little's law on the receive pool: the time-weighted mean number of packets protocols
 * hold equals the rate at which they accept packets times the mean time they hold one.
 * Both sides are measured independently (a level integrated over time; a count and a
 * histogram of hold times), so agreement checks the bookkeeping of the whole receive path.
 * Tolerance: the two confidence half-widths with several replications, plus 1% and 0.05
 * packets for the packets held across the window's edges.
 */
static void write_little(dms_jw *w, const struct run_rep *reps, size_t n, size_t i,
                         double confidence)
{
    double *l = dms_xcalloc(n, sizeof *l), *r = dms_xcalloc(n, sizeof *r);
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        const double *m = reps[j].nics[i].m;
        double little = m[RUN_M_RX_ACCEPTED_PPS] * m[RUN_M_RX_HOLD_MEAN] / 1e9;
        if (isfinite(m[RUN_M_RX_HELD_MEAN]) && isfinite(little)) {
            l[k] = m[RUN_M_RX_HELD_MEAN];
            r[k++] = little;
        }
    }
    dms_jw_obj_begin(w, "littles_law");
    if (k) {
        stats_ci a = {0}, b = {0};
        stats_ci_t(l, k, confidence, &a);
        stats_ci_t(r, k, confidence, &b);
        double tol = 0.01 * fmax(a.mean, b.mean) + 0.05;
        if (k > 1)
            tol += a.half_width + b.half_width;
        dms_jw_double(w, "occupancy_mean", a.mean);
        dms_jw_double(w, "rate_x_hold", b.mean);
        dms_jw_double(w, "tolerance", tol);
        dms_jw_bool(w, "holds", fabs(a.mean - b.mean) <= tol);
    } else {
        dms_jw_null(w, "holds");
    }
    dms_jw_obj_end(w);
    free(l);
    free(r);
}

/* The event-log entries NIC i's driver wrote in replication 0. */
static void write_errlog(dms_jw *w, const struct run_rep *r0, size_t i)
{
    dms_jw_arr_begin(w, "error_log");
    for (size_t k = 0; k < r0->n_errlog; k++) {
        const struct run_errlog *e = &r0->errlog[k];
        if (e->nic != i)
            continue;
        char code[16];
        snprintf(code, sizeof code, "0x%08X", e->code);
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "code", code);
        dms_jw_int(w, "time_ns", e->time_ns);
        dms_jw_arr_begin(w, "values");
        for (uint32_t v = 0; v < e->n_values && v < 4; v++)
            dms_jw_uint(w, NULL, e->values[v]);
        dms_jw_arr_end(w);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
}

/* NIC i's NdisMAllocateMapRegisters calls in replication 0: what was asked, and NDIS's
 * answer to each; "refusals" counts the answers other than success. */
static void write_mapreg(dms_jw *w, const struct run_nic_result *r)
{
    uint64_t refused = 0;
    dms_jw_arr_begin(w, "map_register_requests");
    for (size_t k = 0; k < r->n_mapreg; k++) {
        const struct run_mapreg_request *q = &r->mapreg[k];
        refused += strcmp(q->status, "NDIS_STATUS_SUCCESS") != 0;
        dms_jw_obj_begin(w, NULL);
        dms_jw_uint(w, "base", q->base);
        dms_jw_uint(w, "map_registers", q->map_registers);
        dms_jw_str(w, "status", q->status);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
    dms_jw_uint(w, "map_register_refusals", refused);
}

static void write_nics(dms_jw *w, const struct cfg_scenario *sc, const struct run_rep *reps,
                       size_t n, const struct rpt_summary *s)
{
    struct names nm;
    names_init(&nm);
    dms_jw_arr_begin(w, "nics");
    for (size_t i = 0; i < sc->n_nics; i++) {
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "name", sc->nics[i].name);
        /* "init" opens with the status, then the init.* figures (the first of the table) */
        dms_jw_obj_begin(w, "init");
        dms_jw_str(w, "status", reps[0].nics[i].init_status);
        write_errlog(w, &reps[0], i);
        write_mapreg(w, &reps[0].nics[i]);
        const char *init_names[RUN_NIC_METRIC_COUNT];
        size_t k = 0;
        for (; k < RUN_NIC_METRIC_COUNT && strncmp(nm.nic[k], "init.", 5) == 0; k++)
            init_names[k] = nm.nic[k] + 5;
        write_nested(w, init_names, s->mean[i], k);
        dms_jw_obj_end(w);
        write_nested(w, nm.nic + k, s->mean[i] + k, RUN_NIC_METRIC_COUNT - k);
        if (n > 1) {
            dms_jw_obj_begin(w, "ci_half");
            write_nested(w, nm.nic, s->half[i], RUN_NIC_METRIC_COUNT);
            dms_jw_obj_end(w);
        }
        write_objectives(w, sc, s, i);
        write_little(w, reps, n, i, sc->objectives.confidence);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
}

void rpt_result_json(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                     const struct rpt_meta *meta, dms_jw *w)
{
    struct rpt_summary *s = dms_xcalloc(1, sizeof *s);
    rpt_summarise(reps, n, sc->objectives.confidence, s);
    dms_jw_obj_begin(w, NULL);
    dms_jw_int(w, "schema_version", RPT_SCHEMA_VERSION);
    dms_jw_str(w, "dmasim_version", meta->dmasim_version);
    dms_jw_uint(w, "seed", sc->run.seed);
    dms_jw_str(w, "generator", meta->generator);
    dms_jw_uint(w, "replications", n);
    dms_jw_double(w, "confidence", sc->objectives.confidence);
    dms_jw_obj_begin(w, "scenario");
    cfg_scenario_write_json(sc, w);
    dms_jw_obj_end(w);
    write_traces(w, sc, &reps[0], meta);
    write_system(w, sc, reps, n, s);
    write_nics(w, sc, reps, n, s);
    dms_jw_obj_end(w);
    free(s);
}

/* ---------------------------------------------------------------- result.csv */

struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_put(struct sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (w >= 0 && (size_t)w < b->cap - b->len) {
            b->len += (size_t)w;
            return;
        }
        b->cap = b->cap * 2 + (w > 0 ? (size_t)w : 0);
        b->p = dms_xrealloc(b->p, b->cap);
    }
}

static void sb_num(struct sbuf *b, double v)
{
    if (isfinite(v))
        sb_put(b, ",%.12g", v == 0 ? 0.0 : v);
    else
        sb_put(b, ",");
}

static void csv_row(struct sbuf *b, const char *nic, const char *rep, const double *m,
                    const double *sys)
{
    sb_put(b, "%s,%s", nic, rep);
    for (size_t k = 0; k < RUN_NIC_METRIC_COUNT; k++)
        sb_num(b, m[k]);
    for (size_t k = 0; k < RUN_SYS_METRIC_COUNT; k++)
        sb_num(b, sys[k]);
    sb_put(b, "\n");
}

char *rpt_result_csv(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n)
{
    struct names nm;
    names_init(&nm);
    struct sbuf b = {.p = dms_xmalloc(4096), .cap = 4096};
    sb_put(&b, "nic,replication");
    for (size_t k = 0; k < RUN_NIC_METRIC_COUNT; k++)
        sb_put(&b, ",%s", nm.nic[k]);
    for (size_t k = 0; k < RUN_SYS_METRIC_COUNT; k++)
        sb_put(&b, ",system.%s", nm.sys[k]);
    sb_put(&b, "\n");
    for (size_t r = 0; r < n; r++) {
        char rep[24];
        snprintf(rep, sizeof rep, "%zu", r);
        for (size_t i = 0; i < sc->n_nics; i++)
            csv_row(&b, sc->nics[i].name, rep, reps[r].nics[i].m, reps[r].sys);
    }
    struct rpt_summary *s = dms_xcalloc(1, sizeof *s);
    rpt_summarise(reps, n, sc->objectives.confidence, s);
    for (size_t i = 0; i < sc->n_nics; i++)
        csv_row(&b, sc->nics[i].name, "mean", s->mean[i], s->sys_mean);
    if (n > 1)
        for (size_t i = 0; i < sc->n_nics; i++)
            csv_row(&b, sc->nics[i].name, "ci_half", s->half[i], s->sys_half);
    free(s);
    return b.p;
}
