/* SPDX-License-Identifier: MIT */
/*
 * run_result: result.json and result.csv. Metric names are dotted paths; the JSON writer
 * nests them ("rx.latency_ns.p99" becomes rx -> latency_ns -> p99), which works because
 * the metric tables in run.h keep names with a common prefix together.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_result.h"
#include "stats.h"

void run_summarise(const struct run_rep *reps, size_t n, double confidence,
                   struct run_summary *out)
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
        *(sys ? &out->sys_count[m] : &out->count[nic][m]) = cnt;
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

/* ---------------------------------------------------------------- verdicts */

size_t run_nic_verdicts(const struct cfg_scenario *sc, const struct run_summary *s, size_t i,
                        struct vrd_verdict out[VRD_OBJECTIVE_COUNT])
{
    return vrd_judge_nic(&sc->objectives, s->initialized[i], s->mean[i], s->half[i], out);
}

/* A NIC failed to initialize: its status is neither success nor one a hang explains. */
static bool init_failed(const struct run_nic_result *r)
{
    return !r->initialized && strcmp(r->init_status, "SYSTEM_HANG") != 0 &&
           strcmp(r->init_status, "NOT_STARTED") != 0;
}

void run_outcome(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                 const struct run_summary *s, struct vrd_outcome *out)
{
    memset(out, 0, sizeof *out);
    for (size_t r = 0; r < n; r++) {
        out->hung |= reps[r].hung;
        out->strict_failed |= reps[r].strict_failed;
        for (size_t i = 0; i < sc->n_nics; i++)
            out->init_failed |= init_failed(&reps[r].nics[i]);
    }
    for (size_t i = 0; i < sc->n_nics; i++) {
        struct vrd_verdict v[VRD_OBJECTIVE_COUNT];
        size_t k = run_nic_verdicts(sc, s, i, v);
        out->objectives_not_met |= !vrd_all_met(v, k);
    }
}

int run_balance_closes(const struct run_rep *reps, size_t n, size_t i, size_t *bad_rep)
{
    int res = -1;
    for (size_t r = 0; r < n; r++) {
        struct vrd_balance b;
        vrd_balance(reps[r].nics[i].m, &b);
        if (!b.measured)
            continue;
        if (!b.closes) {
            if (bad_rep)
                *bad_rep = r;
            return 0;
        }
        res = 1;
    }
    return res;
}

static void write_objectives(dms_jw *w, const struct cfg_scenario *sc,
                             const struct run_summary *s, size_t i)
{
    struct vrd_verdict v[VRD_OBJECTIVE_COUNT];
    size_t k = run_nic_verdicts(sc, s, i, v);
    dms_jw_obj_begin(w, "objectives");
    for (size_t j = 0; j < k; j++) {
        dms_jw_obj_begin(w, v[j].name);
        dms_jw_double(w, "target", v[j].target);
        dms_jw_double(w, "value", v[j].value);
        dms_jw_double(w, "ci_half", v[j].ci_half);
        dms_jw_str(w, "verdict", vrd_state_name(v[j].state));
        if (v[j].state == VRD_NOT_MEASURED)
            dms_jw_null(w, "met");
        else
            dms_jw_bool(w, "met", v[j].state == VRD_MET);
        dms_jw_bool(w, "confident", v[j].confident);
        dms_jw_str(w, "reason", v[j].reason);
        dms_jw_obj_end(w);
    }
    dms_jw_obj_end(w);
}

/* Replication 0's balance, and whether every replication's closes. */
static void write_accounting(dms_jw *w, const struct run_rep *reps, size_t n, size_t i)
{
    struct vrd_balance b;
    vrd_balance(reps[0].nics[i].m, &b);
    size_t bad = 0;
    int closes = run_balance_closes(reps, n, i, &bad);
    dms_jw_obj_begin(w, "accounting");
    dms_jw_double(w, "rx_frames", b.rx_frames);
    dms_jw_double(w, "rx_accounted", b.measured ? b.rx_accounted : NAN);
    dms_jw_double(w, "tx_packets", b.tx_packets);
    dms_jw_double(w, "tx_accounted", b.measured ? b.tx_accounted : NAN);
    if (closes < 0)
        dms_jw_null(w, "closes");
    else
        dms_jw_bool(w, "closes", closes == 1);
    if (closes == 0)
        dms_jw_uint(w, "first_failing_replication", bad);
    dms_jw_obj_end(w);
}

static void write_warnings(dms_jw *w, const struct cfg_scenario *sc, const struct run_rep *reps,
                           size_t n, const struct run_summary *s)
{
    struct run_warning *warn = dms_xcalloc(RUN_MAX_WARNINGS, sizeof *warn);
    size_t k = run_warnings(sc, reps, n, s, warn);
    dms_jw_arr_begin(w, "warnings");
    for (size_t j = 0; j < k; j++) {
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "code", warn[j].code);
        dms_jw_str(w, "nic", warn[j].nic >= 0 ? sc->nics[warn[j].nic].name : NULL);
        dms_jw_str(w, "message", warn[j].message);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
    free(warn);
}

static void write_outcome(dms_jw *w, const struct cfg_scenario *sc, const struct run_rep *reps,
                          size_t n, const struct run_summary *s)
{
    struct vrd_outcome o;
    run_outcome(sc, reps, n, s, &o);
    dms_jw_obj_begin(w, "outcome");
    dms_jw_int(w, "exit_status", vrd_exit_status(&o));
    dms_jw_bool(w, "hung", o.hung);
    dms_jw_bool(w, "init_failed", o.init_failed);
    dms_jw_bool(w, "strict_failed", o.strict_failed);
    dms_jw_bool(w, "objectives_met", !o.objectives_not_met);
    dms_jw_obj_end(w);
}

/* ---------------------------------------------------------------- result.json */

static const char *kind_name(const struct cfg_trace *t)
{
    return t->kind == CFG_TRACE_PCAP ? "pcap" : t->kind == CFG_TRACE_CSV ? "csv" : "synthetic";
}

/* The sources merged with a NIC's first: kind, path and hash of each. */
static void write_merged(dms_jw *w, const struct cfg_nic *c, const struct run_trace_info *ti)
{
    if (c->n_extra_traces == 0)
        return;
    dms_jw_arr_begin(w, "merged_with");
    for (size_t k = 0; k < c->n_extra_traces; k++) {
        const struct cfg_trace *t = &c->extra_traces[k];
        const char *sha = k < ti->n_extra ? ti->extra_sha256[k] : "";
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "kind", kind_name(t));
        dms_jw_str(w, "path", t->path);
        dms_jw_str(w, "sha256", sha[0] ? sha : NULL);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
}

static void write_traces(dms_jw *w, const struct cfg_scenario *sc, const struct run_rep *r0,
                         const struct run_meta *meta)
{
    dms_jw_arr_begin(w, "traces");
    for (size_t i = 0; i < sc->n_nics; i++) {
        const struct cfg_trace *t = &sc->nics[i].trace;
        const struct run_trace_info *ti = &r0->traces[i];
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "nic", sc->nics[i].name);
        dms_jw_str(w, "kind", kind_name(t));
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
        write_merged(w, &sc->nics[i], ti);
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
                         size_t n, const struct run_summary *s)
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
 * Within one replication the two sides differ only by the packets whose holds cross the
 * window's edges, and run_collect bounds that difference exactly (little_bound); the means
 * over replications then differ by at most the mean of the bounds. Tolerance: that, plus
 * 1e-9 of the larger side for rounding (docs/validation.md).
 */
static void write_little(dms_jw *w, const struct run_rep *reps, size_t n, size_t i,
                         double confidence)
{
    double *l = dms_xcalloc(n, sizeof *l), *r = dms_xcalloc(n, sizeof *r);
    size_t k = 0;
    double bound = 0;
    for (size_t j = 0; j < n; j++) {
        const double *m = reps[j].nics[i].m;
        double little = m[RUN_M_RX_ACCEPTED_PPS] * m[RUN_M_RX_HOLD_MEAN] / 1e9;
        if (isfinite(m[RUN_M_RX_HELD_MEAN]) && isfinite(little) &&
            isfinite(reps[j].nics[i].little_bound)) {
            l[k] = m[RUN_M_RX_HELD_MEAN];
            r[k++] = little;
            bound += reps[j].nics[i].little_bound;
        }
    }
    dms_jw_obj_begin(w, "littles_law");
    if (k) {
        stats_ci a = {0}, b = {0};
        stats_ci_t(l, k, confidence, &a);
        stats_ci_t(r, k, confidence, &b);
        double tol = bound / (double)k + 1e-9 * fmax(fabs(a.mean), fabs(b.mean));
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
                       size_t n, const struct run_summary *s)
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
        write_accounting(w, reps, n, i);
        write_little(w, reps, n, i, sc->objectives.confidence);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
}

void run_result_json(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                     const struct run_meta *meta, dms_jw *w)
{
    struct run_summary *s = dms_xcalloc(1, sizeof *s);
    run_summarise(reps, n, sc->objectives.confidence, s);
    dms_jw_obj_begin(w, NULL);
    dms_jw_int(w, "schema_version", RUN_RESULT_SCHEMA_VERSION);
    dms_jw_str(w, "dmasim_version", meta->dmasim_version);
    dms_jw_uint(w, "seed", sc->run.seed);
    dms_jw_str(w, "generator", meta->generator);
    dms_jw_uint(w, "replications", n);
    dms_jw_double(w, "confidence", sc->objectives.confidence);
    dms_jw_obj_begin(w, "scenario");
    cfg_scenario_write_json(sc, w);
    dms_jw_obj_end(w);
    write_outcome(w, sc, reps, n, s);
    write_warnings(w, sc, reps, n, s);
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

static void csv_row(struct sbuf *b, const char *nic, size_t rep, const double *m,
                    const double *sys)
{
    sb_put(b, "%s,%zu", nic, rep);
    for (size_t k = 0; k < RUN_NIC_METRIC_COUNT; k++)
        sb_num(b, m[k]);
    for (size_t k = 0; k < RUN_SYS_METRIC_COUNT; k++)
        sb_num(b, sys[k]);
    sb_put(b, "\n");
}

char *run_result_csv(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n)
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
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < sc->n_nics; i++)
            csv_row(&b, sc->nics[i].name, r, reps[r].nics[i].m, reps[r].sys);
    return b.p;
}

static void summary_row(struct sbuf *b, const char *scope, const char *metric, double mean,
                        double half, size_t count)
{
    sb_put(b, "%s,%s", scope, metric);
    sb_num(b, mean);
    sb_num(b, half);
    sb_put(b, ",%zu\n", count);
}

char *run_summary_csv(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n)
{
    struct names nm;
    names_init(&nm);
    struct run_summary *s = dms_xcalloc(1, sizeof *s);
    run_summarise(reps, n, sc->objectives.confidence, s);
    struct sbuf b = {.p = dms_xmalloc(4096), .cap = 4096};
    sb_put(&b, "scope,metric,mean,ci_half,n\n");
    for (size_t i = 0; i < sc->n_nics; i++)
        for (size_t k = 0; k < RUN_NIC_METRIC_COUNT; k++)
            summary_row(&b, sc->nics[i].name, nm.nic[k], s->mean[i][k], s->half[i][k],
                        s->count[i][k]);
    for (size_t k = 0; k < RUN_SYS_METRIC_COUNT; k++)
        summary_row(&b, "system", nm.sys[k], s->sys_mean[k], s->sys_half[k], s->sys_count[k]);
    free(s);
    return b.p;
}
