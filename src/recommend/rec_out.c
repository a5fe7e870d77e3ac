/* SPDX-License-Identifier: MIT */
/*
 * rec_out: machine profiles from --profiles, and the outputs of a recommendation:
 * recommendation.json (docs/results.md), curves.csv and the console table, and the way
 * their sentences and the table print an objective's figure. All are pure functions of
 * the result, so equal searches give equal bytes.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_int.h"

/* ---------------------------------------------------------------- figures */

/* Figure v of objective k, with extra significant digits beyond those the table prints. */
static const char *fmt_fig_prec(int k, double v, int extra, char *buf, size_t n)
{
    if (!isfinite(v))
        snprintf(buf, n, "not measured");
    else if (k == REC_OBJ_TX_STALL_P99)
        snprintf(buf, n, "%.*g us", 4 + extra, v / 1e3);
    else if (k == REC_OBJ_MEMORY && extra == 0)
        snprintf(buf, n, "%.0f bytes", v);
    else if (k == REC_OBJ_MEMORY)
        snprintf(buf, n, "%.*g bytes", 3 + extra, v);
    else
        snprintf(buf, n, "%.*g", 3 + extra, v);
    return buf;
}

const char *rec__fmt_fig(int k, double v, char *buf, size_t n)
{
    return fmt_fig_prec(k, v, 0, buf, n);
}

/* v as fmt_fig writes it, with more digits where that would read as the target it differs
 * from (0.010025 against a target of 0.01 is not "0.01", which would seem to meet it). */
const char *rec__fmt_near(int k, double v, double target, char *buf, size_t n)
{
    char t[40];
    rec__fmt_fig(k, v, buf, n);
    rec__fmt_fig(k, target, t, sizeof t);
    if (!isfinite(v) || !isfinite(target) || v == target)
        return buf;
    for (int extra = 1; extra <= 12 && strcmp(buf, t) == 0; extra++) {
        fmt_fig_prec(k, v, extra, buf, n);
        fmt_fig_prec(k, target, extra, t, sizeof t);
    }
    return buf;
}

/* ---------------------------------------------------------------- profiles */

static int profile_one(const struct cfg_scenario *sc, const char *item,
                       const char *const *user, size_t n_user, struct rec_profile *p,
                       struct dms_error *err)
{
    memset(p, 0, sizeof *p);
    if (n_user + 2 + sc->n_nics > REC_PROFILE_SETS)
        return dms_error_set(err, DMS_EINVAL, "too many --set overrides (at most %d here)",
                             (int)(REC_PROFILE_SETS - 2 - sc->n_nics));
    for (size_t j = 0; j < n_user; j++) {
        if (strlen(user[j]) >= REC_SET_LEN)
            return dms_error_set(err, DMS_EINVAL, "--set '%s' is too long", user[j]);
        snprintf(p->sets[p->n_sets++], REC_SET_LEN, "%s", user[j]);
    }
    char name[64];
    snprintf(name, sizeof name, "%s", item);
    double scale = 1;
    char *star = strchr(name, '*');
    if (star) {
        char *end;
        *star = '\0';
        const char *num = star + 1;
        scale = strtod(num, &end);
        bool decimal = *num && strspn(num, "0123456789.eE+-") == strlen(num); /* no 0x10 */
        if (*end || !decimal || !(scale >= 0.001 && scale <= 1000))
            return dms_error_set(err, DMS_EINVAL, "--profiles: '%s': the traffic scale after "
                                 "'*' must be a number from 0.001 to 1000", item);
    }
    int procs = -1;
    char *eq = strchr(name, '=');
    if (eq) {
        char *end;
        *eq = '\0';
        long v = strtol(eq + 1, &end, 10);
        if (*end || v < 1 || v > 64)
            return dms_error_set(err, DMS_EINVAL, "--profiles: '%s': the processor count after "
                                 "'=' must be 1 to 64", item);
        procs = (int)v;
    }
    if (strcmp(name, "up") == 0)
        p->processors = procs > 0 ? procs : 1;
    else if (strcmp(name, "smp") == 0)
        p->processors = procs > 0 ? procs : sc->system.processors > 1 ? sc->system.processors : 4;
    else if (strcmp(name, "as-is") == 0 && procs < 0)
        p->processors = sc->system.processors;
    else
        return dms_error_set(err, DMS_EINVAL, "--profiles: '%s' is not a profile (up, smp, "
                             "as-is, smp=N, up=N, each optionally with *SCALE)", item);
    snprintf(p->name, sizeof p->name, "%s", item);
    p->traffic_scale = scale;
    if (strcmp(name, "as-is") != 0)
        snprintf(p->sets[p->n_sets++], REC_SET_LEN, "system.processors=%d", p->processors);
    /* A pool can keep drops at zero by indicating every frame with NDIS_STATUS_RESOURCES,
     * so that the protocols copy each one and return it at once: no sizing at all. A drop
     * target without a RESOURCES one gets the default one where a NIC can indicate
     * RESOURCES at all (LowWater above 0), and the profile says so. */
    bool resources = false;
    for (size_t i = 0; i < sc->n_nics; i++)
        resources |= sc->nics[i].driver.low_water > 0;
    if (resources && sc->objectives.has_rx_drop_rate && !sc->objectives.has_resources_share)
        snprintf(p->sets[p->n_sets++], REC_SET_LEN, "objectives.resources_share=%g",
                 REC_DEFAULT_RESOURCES_SHARE);
    for (size_t i = 0; i < sc->n_nics && scale != 1; i++)
        snprintf(p->sets[p->n_sets++], REC_SET_LEN, "nics[%zu].trace.speedup=%.12g", i,
                 sc->nics[i].trace.speedup * scale);
    return 0;
}

int rec_profiles_parse(const struct cfg_scenario *sc, const char *list,
                       const char *const *user, size_t n_user, struct rec_profile *out,
                       size_t *n, struct dms_error *err)
{
    *n = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list ? list : "up,smp");
    size_t len = strlen(buf);
    if (len == 0 || buf[0] == ',' || buf[len - 1] == ',' || strstr(buf, ",,"))
        return dms_error_set(err, DMS_EINVAL, "--profiles: '%s' has an empty profile (a comma "
                             "too many?)", buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == 8)
            return dms_error_set(err, DMS_EINVAL, "--profiles: at most 8 profiles");
        int rc = profile_one(sc, t, user, n_user, &out[*n], err);
        if (rc)
            return rc;
        /* the same machine under two names (up and up=1, smp*2 and smp*2.0) runs twice */
        for (size_t j = 0; j < *n; j++)
            if (out[j].processors == out[*n].processors &&
                out[j].traffic_scale == out[*n].traffic_scale)
                return dms_error_set(err, DMS_EINVAL, "--profiles: '%s' is the same machine "
                                     "and traffic as '%s'", t, out[j].name);
        (*n)++;
    }
    if (*n == 0)
        return dms_error_set(err, DMS_EINVAL, "--profiles: no profile given");
    return 0;
}

/* ---------------------------------------------------------------- recommendation.json */

static const char *binding_name(enum rec_binding b)
{
    static const char *const n[] = {"objective", "limit", "rule", "kept"};
    return n[b];
}

static void opt_int(dms_jw *w, const char *key, int64_t v)
{
    if (v < 0)
        dms_jw_null(w, key);
    else
        dms_jw_int(w, key, v);
}

static void write_value(dms_jw *w, const struct rec_value *v)
{
    dms_jw_obj_begin(w, v->keyword);
    dms_jw_int(w, "value", v->value);
    opt_int(w, "lower", v->lower);
    opt_int(w, "upper", v->upper);
    dms_jw_obj_begin(w, "binding");
    dms_jw_str(w, "kind", binding_name(v->binding));
    if (v->objective >= 0 && v->binding == REC_BIND_OBJECTIVE) {
        dms_jw_str(w, "objective", rec_objective_name(v->objective));
        dms_jw_double(w, "target", v->target);
        dms_jw_double(w, "at_value", v->at_value);
        dms_jw_double(w, "at_value_upper", v->at_value_hi);
        opt_int(w, "next_down", v->next_down);
        dms_jw_double(w, "at_next_down", v->at_next_down);
    } else {
        dms_jw_str(w, "limit", v->limit[0] ? v->limit : NULL);
        if (v->objective >= 0) {
            dms_jw_str(w, "objective", rec_objective_name(v->objective));
            dms_jw_double(w, "at_value", v->at_value);
        }
    }
    dms_jw_obj_end(w);
    dms_jw_obj_begin(w, "cost");
    if (isfinite(v->cost_shared_bytes))
        dms_jw_double(w, "shared_memory_bytes", v->cost_shared_bytes);
    if (isfinite(v->cost_map_registers))
        dms_jw_double(w, "map_registers", v->cost_map_registers);
    if (isfinite(v->cost_pool_map_registers))
        dms_jw_double(w, "system_pool_map_registers", v->cost_pool_map_registers);
    if (isfinite(v->cost_descriptors)) {
        dms_jw_double(w, "packet_descriptors", v->cost_descriptors);
        dms_jw_double(w, "buffer_descriptors", v->cost_descriptors);
    }
    dms_jw_obj_end(w);
    dms_jw_bool(w, "repeats_limit", v->repeats_limit);
    dms_jw_bool(w, "decided", v->decided);
    dms_jw_str(w, "why", v->why);
    dms_jw_obj_end(w);
}

static void write_nic_profile(dms_jw *w, const struct rec_profile_answer *pa, size_t i)
{
    const struct rec_nic_answer *a = &pa->nics[i];
    dms_jw_obj_begin(w, NULL);
    dms_jw_str(w, "name", pa->prof.name);
    dms_jw_int(w, "processors", pa->prof.processors);
    dms_jw_double(w, "traffic_scale", pa->prof.traffic_scale);
    dms_jw_bool(w, "met", a->met);
    dms_jw_str(w, "dma", a->scatter_gather ? "scatter_gather" : "map_registers");
    dms_jw_obj_begin(w, "values");
    for (size_t j = 0; j < a->n_values; j++)
        write_value(w, &a->values[j]);
    dms_jw_obj_end(w);
    dms_jw_obj_begin(w, "cost");
    dms_jw_double(w, "shared_memory_bytes", a->shared_memory_bytes);
    dms_jw_double(w, "shared_memory_peak_bytes", a->shared_memory_peak_bytes);
    dms_jw_double(w, "map_registers", a->map_registers);
    dms_jw_int(w, "map_registers_limit", 64);
    dms_jw_bool(w, "system_pool_drawn", a->pool_drawn);
    dms_jw_double(w, "system_pool_map_registers", a->pool_map_registers);
    dms_jw_double(w, "packet_descriptors", a->packet_descriptors);
    dms_jw_double(w, "buffer_descriptors", a->buffer_descriptors);
    dms_jw_obj_end(w);
    dms_jw_obj_begin(w, "objectives");
    for (int k = 0; k < REC_OBJ_COUNT; k++) {
        if (!a->has_obj[k])
            continue;
        dms_jw_obj_begin(w, rec_objective_name(k));
        dms_jw_double(w, "target", a->obj_target[k]);
        dms_jw_double(w, "value", a->obj_mean[k]);
        dms_jw_double(w, "upper", a->obj_hi[k]);
        dms_jw_bool(w, "met", a->obj_met[k]);
        dms_jw_obj_end(w);
    }
    dms_jw_obj_end(w);
    dms_jw_arr_begin(w, "not_met");
    for (size_t j = 0; j < a->n_unmet; j++) {
        const struct rec_unmet *m = &a->unmet[j];
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "objective", m->objective >= 0 ? rec_objective_name(m->objective) : NULL);
        dms_jw_double(w, "target", m->target);
        dms_jw_double(w, "best", m->best);
        dms_jw_str(w, "keyword", m->keyword);
        opt_int(w, "at_size", m->at_size);
        dms_jw_str(w, "limited_by", m->limited_by);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
    dms_jw_arr_begin(w, "notes");
    for (size_t j = 0; j < a->n_notes; j++)
        dms_jw_str(w, NULL, a->notes[j]);
    dms_jw_arr_end(w);
    dms_jw_obj_end(w);
}

static void write_profile(dms_jw *w, const struct rec_profile_answer *pa)
{
    dms_jw_obj_begin(w, NULL);
    dms_jw_str(w, "name", pa->prof.name);
    dms_jw_int(w, "processors", pa->prof.processors);
    dms_jw_double(w, "traffic_scale", pa->prof.traffic_scale);
    dms_jw_arr_begin(w, "changes");
    for (size_t j = 0; j < pa->prof.n_sets; j++)
        dms_jw_str(w, NULL, pa->prof.sets[j]);
    dms_jw_arr_end(w);
    dms_jw_bool(w, "met", pa->met);
    dms_jw_bool(w, "hung", pa->hung);
    dms_jw_str(w, "stopped", pa->budget_spent ? "budget" : "decided");
    dms_jw_str(w, "confirmed_at", pa->reconfirmed ? "upper_sizes" : "mean_sizes");
    dms_jw_uint(w, "runs", pa->runs);
    dms_jw_obj_begin(w, "system_pool");
    opt_int(w, "size", pa->pool_size);
    dms_jw_int(w, "granted", pa->pool_granted);
    dms_jw_str(w, "statement", pa->pool_statement);
    dms_jw_obj_end(w);
    dms_jw_obj_end(w);
}

void rec_write_json(const struct rec_result *r, const char *scenario,
                    const char *dmasim_version, dms_jw *w)
{
    dms_jw_obj_begin(w, NULL);
    dms_jw_int(w, "schema_version", REC_SCHEMA_VERSION);
    dms_jw_str(w, "dmasim_version", dmasim_version);
    dms_jw_str(w, "scenario", scenario);
    dms_jw_bool(w, "met", r->met);
    dms_jw_double(w, "confidence", r->confidence);
    dms_jw_uint(w, "replications", r->replications);
    dms_jw_obj_begin(w, "search");
    dms_jw_uint(w, "runs", r->runs);
    dms_jw_str(w, "stopped", r->budget_spent ? "budget" : "decided");
    dms_jw_obj_end(w);
    dms_jw_arr_begin(w, "profiles");
    for (size_t p = 0; p < r->n_profiles; p++)
        write_profile(w, &r->profiles[p]);
    dms_jw_arr_end(w);
    dms_jw_arr_begin(w, "nics");
    for (size_t i = 0; i < r->n_nics; i++) {
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "name", r->nic_names[i]);
        dms_jw_arr_begin(w, "profiles");
        for (size_t p = 0; p < r->n_profiles; p++)
            write_nic_profile(w, &r->profiles[p], i);
        dms_jw_arr_end(w);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
    dms_jw_obj_end(w);
}

/* ---------------------------------------------------------------- curves.csv, table */

char *rec_curves_csv(const struct rec_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    fputs("profile,nic,keyword,value,objective,mean,ci_lo,ci_hi,run\n", f);
    for (size_t j = 0; j < r->n_curve; j++) {
        const struct rec_curve_row *c = &r->curve[j];
        fprintf(f, "%s,%s,%s,%lld,%s,%.9g,%.9g,%.9g,runs/%s/%s\n",
                r->profiles[c->profile].prof.name, r->nic_names[c->nic], c->keyword,
                (long long)c->value, rec_objective_name(c->objective), c->mean, c->lo, c->hi,
                r->profiles[c->profile].prof.name, c->label);
    }
    if (fclose(f) != 0)
        abort();
    return buf;
}

/* The value of kw for NIC i on profile p as table text ("-" when not given). */
static void cell(const struct rec_result *r, size_t p, size_t i, const char *kw, char *buf,
                 size_t n)
{
    const struct rec_nic_answer *a = &r->profiles[p].nics[i];
    for (size_t j = 0; j < a->n_values; j++) {
        const struct rec_value *v = &a->values[j];
        if (strcmp(v->keyword, kw) != 0)
            continue;
        const char *mark = v->binding == REC_BIND_KEPT ? " (kept)"
                           : v->repeats_limit          ? " (limit)"
                           : v->binding == REC_BIND_RULE ? " (rule)"
                           : !v->decided                 ? " (budget)"
                                                         : "";
        char up[24];
        snprintf(up, sizeof up, "%lld", (long long)v->upper);
        if (v->binding == REC_BIND_OBJECTIVE && v->decided &&
            (v->lower != v->value || v->upper != v->value))
            snprintf(buf, n, "%lld [%lld..%s]", (long long)v->value, (long long)v->lower,
                     v->upper < 0 ? "none" : up);
        else
            snprintf(buf, n, "%lld%s", (long long)v->value, mark);
        return;
    }
    snprintf(buf, n, "-");
}


char *rec_table(const struct rec_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    static const char *const rows[] = {
        "ScatterGatherDma", "BaseMapRegistersNeeded", "ReceiveBuffers", "MaxReceiveBuffers",
        "LowWater", "AsyncChunk", "PacketPoolSize", "SendBuffers", "CopyThreshold", "DmaSize",
    };
    for (size_t i = 0; i < r->n_nics; i++) {
        fprintf(f, "%s%-24s", i ? "\n" : "", r->nic_names[i]);
        for (size_t p = 0; p < r->n_profiles; p++) {
            char h[128];
            snprintf(h, sizeof h, "%s (%d CPU%s%s)", r->profiles[p].prof.name,
                     r->profiles[p].prof.processors, r->profiles[p].prof.processors > 1 ? "s" : "",
                     r->profiles[p].prof.traffic_scale != 1 ? ", scaled traffic" : "");
            fprintf(f, "  %-26s", h);
        }
        fputc('\n', f);
        for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
            bool any = false;
            char c[8][64];
            for (size_t p = 0; p < r->n_profiles; p++) {
                cell(r, p, i, rows[k], c[p], sizeof c[p]);
                any |= strcmp(c[p], "-") != 0;
            }
            if (!any)
                continue;
            fprintf(f, "  %-22s", rows[k]);
            for (size_t p = 0; p < r->n_profiles; p++)
                fprintf(f, "  %-26s", c[p]);
            fputc('\n', f);
        }
        fprintf(f, "  %-22s", "objectives");
        for (size_t p = 0; p < r->n_profiles; p++)
            fprintf(f, "  %-26s", r->profiles[p].nics[i].met ? "met" : "NOT MET");
        fputc('\n', f);
        fprintf(f, "  %-22s", "shared memory");
        for (size_t p = 0; p < r->n_profiles; p++) {
            char c[64];
            snprintf(c, sizeof c, "%.0f KiB", r->profiles[p].nics[i].shared_memory_bytes / 1024);
            fprintf(f, "  %-26s", c);
        }
        fputc('\n', f);
        fprintf(f, "  %-22s", "map registers");
        for (size_t p = 0; p < r->n_profiles; p++) {
            const struct rec_nic_answer *a = &r->profiles[p].nics[i];
            char c[64];
            snprintf(c, sizeof c, "%.0f/64, pool %.0f", a->map_registers, a->pool_map_registers);
            fprintf(f, "  %-26s", c);
        }
        fputc('\n', f);
    }
    fputs("\nWhy:\n", f);
    for (size_t p = 0; p < r->n_profiles; p++) {
        const struct rec_profile_answer *pa = &r->profiles[p];
        fprintf(f, "[%s] %s%s\n", pa->prof.name, pa->pool_statement,
                pa->budget_spent ? " The budget ran out: some searches did not close in." : "");
        for (size_t i = 0; i < r->n_nics; i++) {
            const struct rec_nic_answer *a = &pa->nics[i];
            for (size_t j = 0; j < a->n_values; j++)
                if (a->values[j].binding != REC_BIND_KEPT)
                    fprintf(f, "  %s %s = %lld: %s\n", r->nic_names[i], a->values[j].keyword,
                            (long long)a->values[j].value, a->values[j].why);
            for (size_t j = 0; j < a->n_unmet; j++) {
                const struct rec_unmet *m = &a->unmet[j];
                char best[40], target[40];
                fprintf(f, "  %s NOT MET %s: best %s (target %s), limited by: %s\n",
                        r->nic_names[i], m->objective >= 0 ? rec_objective_name(m->objective)
                                                           : "initialization",
                        rec__fmt_near(m->objective, m->best, m->target, best, sizeof best),
                        rec__fmt_fig(m->objective, m->target, target, sizeof target),
                        m->limited_by);
            }
            for (size_t j = 0; j < a->n_notes; j++)
                fprintf(f, "  %s note: %s\n", r->nic_names[i], a->notes[j]);
        }
    }
    if (fclose(f) != 0)
        abort();
    return buf;
}
