/* SPDX-License-Identifier: MIT */
/*
 * sweep_run: runs a plan's points (a shard of them) on the job pool and records each one.
 *
 * Layout of a sweep folder DIR:
 *   DIR/sweep.json          the sweep's identity: version, sha256, points, shard, columns
 *   DIR/<key>/              one folder per point, named by its canonical key, holding
 *       point.json          index, key, status, error
 *       point.csv           the points.csv header and this point's row
 *       point.jsonl         this point's points.jsonl line
 *       result.json, result.csv   the run's own result files (when the point ran)
 *   DIR/points.csv, DIR/points.jsonl   every point folder present, in canonical order
 * A point folder is written under a temporary name and renamed, so it is there whole or
 * not at all, whatever kills the process; --resume removes leftover temporaries and runs
 * only the points with no folder.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dms_fs.h"
#include "dms_json.h"
#include "eng.h"
#include "run_result.h"
#include "run.h"
#include "sweep_int.h"

struct ctx {
    const sweep_plan *p;
    const char *dir;
    const struct sweep_opts *o;
    const size_t *todo;        /* plan index of each run point */
    struct sweep_tally *t;
    int write_rc;              /* first error writing a folder */
    struct dms_error write_err;
};

static char *path2(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = dms_xmalloc(n);
    snprintf(s, n, "%s/%s", a, b);
    return s;
}

static bool exists(const char *a, const char *b)
{
    char *p = path2(a, b);
    struct stat st;
    bool ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

/* Whether the point folder dir/folder records a failed point. */
static bool recorded_failed(const char *dir, const char *folder)
{
    char *pd = path2(dir, folder), *pj = path2(pd, SWEEP__POINT), *text = NULL;
    size_t len;
    bool failed = false;
    if (dms_read_file(pj, &text, &len, NULL) == 0) {
        char *st = sweep__flat_get(text, "status");
        failed = st && strcmp(st, "failed") == 0;
        free(st);
    }
    free(text);
    free(pj);
    free(pd);
    return failed;
}

/* A plain JSON number as written (so "64" stays 64 and "64KiB" becomes a string). */
static bool json_number(const char *s)
{
    const char *p = s + (*s == '-');
    if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        if (*++p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p += p[1] == '+' || p[1] == '-';
        if (*++p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

/* Why a point that ran has no usable figures, or NULL: a NIC that did not initialize, or
 * the machine hung, in some replication. */
static const char *outcome_error(const struct run_point_result *r, char *buf, size_t n)
{
    for (size_t k = 0; k < r->n_reps; k++) {
        const struct run_rep *rep = &r->reps[k];
        if (rep->hung) {
            snprintf(buf, n, "the machine hung initializing %s (replication %zu)",
                     rep->hang_nic, k);
            return buf;
        }
        for (size_t i = 0; i < rep->n_nics; i++) {
            if (!rep->nics[i].initialized) {
                snprintf(buf, n, "%s did not initialize: %s (replication %zu)",
                         r->sc->nics[i].name, rep->nics[i].init_status, k);
                return buf;
            }
        }
    }
    return NULL;
}

static void row_and_line(const struct ctx *c, const struct sweep_point *pt,
                         const struct run_point_result *r, const char *error,
                         struct sweep__sb *row, struct sweep__sb *line)
{
    const sweep_plan *p = c->p;
    const struct cfg_sweep *sw = p->sw;
    struct run_summary *s = NULL;
    if (r->n_reps) {
        s = dms_xcalloc(1, sizeof *s);
        run_summarise(r->reps, r->n_reps, r->sc->objectives.confidence, s);
    }
    sweep__sb_put(row, "%s%zu", p->header, pt->index);
    sweep__sb_put(line, "{\"point\":%zu,\"key\":", pt->index);
    sweep__sb_json(line, pt->key);
    sweep__sb_put(line, ",\"values\":{");
    for (size_t a = 0; a < sw->n_axes; a++) {
        const char *v = sw->axes[a].values[pt->vi[a]];
        sweep__sb_put(row, ",");
        sweep__sb_csv(row, v);
        sweep__sb_put(line, "%s", a ? "," : "");
        sweep__sb_json(line, sw->axes[a].key);
        sweep__sb_put(line, ":");
        if (json_number(v))
            sweep__sb_put(line, "%s", v);
        else
            sweep__sb_json(line, v);
    }
    sweep__sb_put(row, ",%s,", error ? "failed" : "ok");
    if (error)
        sweep__sb_csv(row, error);
    sweep__sb_put(line, "},\"status\":\"%s\",\"error\":", error ? "failed" : "ok");
    if (error)
        sweep__sb_json(line, error);
    else
        sweep__sb_put(line, "null");
    sweep__sb_put(line, ",\"replications\":%zu,\"nics\":[", r->n_reps);
    for (size_t i = 0; i < p->base->n_nics; i++) {
        bool have = s && r->sc && i < r->sc->n_nics;
        for (int m = 0; m < RUN_NIC_METRIC_COUNT; m++) {
            sweep__sb_put(row, ",");
            sweep__sb_num(row, have ? s->mean[i][m] : NAN, "");
            sweep__sb_put(row, ",");
            sweep__sb_num(row, have ? s->half[i][m] : NAN, "");
        }
    }
    for (size_t i = 0; s && i < r->sc->n_nics; i++) {
        struct vrd_verdict v[VRD_OBJECTIVE_COUNT];
        size_t k = run_nic_verdicts(r->sc, s, i, v);
        bool ok = s->initialized[i] && vrd_all_met(v, k);
        sweep__sb_put(line, "%s{\"name\":", i ? "," : "");
        sweep__sb_json(line, r->sc->nics[i].name);
        sweep__sb_put(line, ",\"initialized\":%s,\"objectives_met\":%s,\"figures\":{",
                      s->initialized[i] ? "true" : "false", ok ? "true" : "false");
        for (int m = 0; m < RUN_NIC_METRIC_COUNT; m++) {
            sweep__sb_put(line, "%s\"%s\":{\"mean\":", m ? "," : "", run_nic_metric_name(m));
            sweep__sb_num(line, s->mean[i][m], "null");
            sweep__sb_put(line, ",\"ci_half\":");
            sweep__sb_num(line, s->half[i][m], "null");
            sweep__sb_put(line, "}");
        }
        sweep__sb_put(line, "}}");
    }
    sweep__sb_put(line, "],\"system\":{");
    for (int m = 0; m < RUN_SYS_METRIC_COUNT; m++) {
        sweep__sb_put(row, ",");
        sweep__sb_num(row, s ? s->sys_mean[m] : NAN, "");
        sweep__sb_put(row, ",");
        sweep__sb_num(row, s ? s->sys_half[m] : NAN, "");
        sweep__sb_put(line, "%s\"%s\":{\"mean\":", m ? "," : "", run_sys_metric_name(m));
        sweep__sb_num(line, s ? s->sys_mean[m] : NAN, "null");
        sweep__sb_put(line, ",\"ci_half\":");
        sweep__sb_num(line, s ? s->sys_half[m] : NAN, "null");
        sweep__sb_put(line, "}");
    }
    sweep__sb_put(row, "\n");
    sweep__sb_put(line, "}}\n");
    free(s);
}

static char *point_meta(const struct ctx *c, const struct sweep_point *pt, const char *error)
{
    dms_jw *w = dms_jw_new();
    dms_jw_obj_begin(w, NULL);
    dms_jw_int(w, "schema_version", 1);
    dms_jw_str(w, "dmasim_version", c->o->version);
    dms_jw_str(w, "sweep_sha256", c->p->sha256);
    dms_jw_uint(w, "point", pt->index);
    dms_jw_str(w, "key", pt->key);
    dms_jw_str(w, "status", error ? "failed" : "ok");
    dms_jw_str(w, "error", error);
    dms_jw_obj_end(w);
    char *s = dms_xstrdup(dms_jw_data(w, NULL));
    dms_jw_free(w);
    return s;
}

/* The error text of a point that did not run. */
static void failure_text(const struct run_point_result *r, char *buf, size_t n)
{
    if (r->errors && r->errors[0]) {
        size_t len = strcspn(r->errors, "\n");
        snprintf(buf, n, "%.*s", (int)len, r->errors);
    } else {
        dms_error_format(&r->err, buf, n);
    }
}

/* Records one point: its folder, whole. Called by the pool, one call at a time. */
static void point_done(void *vctx, size_t i, struct run_point_result *r)
{
    struct ctx *c = vctx;
    const struct sweep_point *pt = &c->p->points[c->todo[i]];
    char ebuf[1024];
    const char *error = NULL;
    if (r->rc) {
        failure_text(r, ebuf, sizeof ebuf);
        error = ebuf;
    } else {
        error = outcome_error(r, ebuf, sizeof ebuf);
    }
    /* one line, so each point stays one row of points.csv for line-based readers (a file
     * name in the message may hold a line break) */
    for (char *q = ebuf; error && *q; q++)
        if (*q == '\n' || *q == '\r')
            *q = ' ';
    struct sweep__sb row = {0}, line = {0};
    row_and_line(c, pt, r, error, &row, &line);
    char *meta = point_meta(c, pt, error);
    struct run_files f = {.n = 3,
                          .names = {SWEEP__POINT, SWEEP__ROW, SWEEP__LINE},
                          .data = {meta, row.p, line.p},
                          .lens = {strlen(meta), row.n, line.n}};
    if (r->rc == 0) {
        struct run_meta m = {.dmasim_version = c->o->version,
                             .generator = eng_rng_type()->name};
        struct run_files res;
        run_result_files(r->sc, r->reps, r->n_reps, &m, &res);
        for (size_t k = 0; k < res.n; k++) {
            f.names[f.n] = res.names[k];
            f.data[f.n] = res.data[k];
            f.lens[f.n] = res.lens[k];
            f.owned[f.n] = res.owned[k];
            f.n++;
        }
        f.json = res.json;
    }
    char *dir = path2(c->dir, pt->folder);
    struct dms_error e;
    dms_error_clear(&e);
    int rc = dms_write_dir_atomic(dir, f.names, (const void *const *)f.data, f.lens, f.n, &e);
    if (rc && !c->write_rc) {
        c->write_rc = rc;
        c->write_err = e;
    }
    if (error)
        c->t->failed++;
    else
        c->t->done++;
    if (c->o->progress)
        c->o->progress(c->o->progress_ctx, pt, error != NULL, error, c->t);
    free(dir);
    run_files_fini(&f);
    free(meta);
    free(row.p);
    free(line.p);
    run_point_result_fini(r);
}

char *sweep__meta_json(const struct sweep__meta *m)
{
    dms_jw *w = dms_jw_new();
    char shard[32];
    snprintf(shard, sizeof shard, "%u/%u", m->shard_n ? m->shard_k : 1,
             m->shard_n ? m->shard_n : 1);
    dms_jw_obj_begin(w, NULL);
    dms_jw_int(w, "schema_version", 1);
    dms_jw_str(w, "dmasim_version", m->version);
    dms_jw_str(w, "scenario", m->scenario);
    dms_jw_str(w, "sweep_sha256", m->sha256);
    dms_jw_uint(w, "points", m->points);
    dms_jw_uint(w, "excluded", m->excluded);
    dms_jw_str(w, "shard", shard);
    dms_jw_str(w, "seeds", m->seeds);
    dms_jw_str(w, "columns", m->columns);
    dms_jw_obj_end(w);
    char *s = dms_xstrdup(dms_jw_data(w, NULL));
    dms_jw_free(w);
    return s;
}

static char *sweep_meta(const sweep_plan *p, const struct sweep_opts *o)
{
    size_t hl = strlen(p->header);
    char *h = dms_xstrdup(p->header);
    h[hl ? hl - 1 : 0] = '\0';
    struct sweep__meta m = {.version = o->version,
                            .scenario = cfg_doc_label(p->doc),
                            .sha256 = p->sha256,
                            .points = p->n_points,
                            .excluded = p->excluded,
                            .shard_k = o->shard_k,
                            .shard_n = o->shard_n,
                            .seeds = p->sw->independent_seeds ? "independent" : "common",
                            .columns = h};
    char *s = sweep__meta_json(&m);
    free(h);
    return s;
}

/* Whether name is one of this sweep's staging names (point folders and files being written);
 * other files are never touched. */
static bool staging_name(const char *name)
{
    return dms_is_staging_name(name, NULL);
}

/* Removes what a killed sweep can leave: temporary point folders and files. */
static int clean_leftovers(const char *dir, struct dms_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL && rc == 0) {
        if (!staging_name(e->d_name))
            continue;
        char *p = path2(dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc = dms_remove_flat_dir(p, err);
        else
            unlink(p);
        free(p);
    }
    closedir(d);
    return rc;
}

/* Whether every entry of dir (a missing dir has none) is one that keep accepts; keep NULL
 * accepts none, so that is whether dir is empty. */
static bool dir_only(const char *dir, bool (*keep)(const char *name))
{
    DIR *d = opendir(dir);
    if (!d)
        return true;
    struct dirent *e;
    bool only = true;
    while (only && (e = readdir(d)) != NULL)
        only = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
               (keep && keep(e->d_name));
    closedir(d);
    return only;
}

static int dir_error(struct dms_error *err, const char *dir, const char *msg)
{
    dms_error_set(err, DMS_EINVAL, "%s", msg);
    snprintf(err->file, sizeof err->file, "%s", dir);
    return DMS_EINVAL;
}

/* Makes dir ready: created, or (resume) checked to hold this very sweep and shard. */
static int prepare(const sweep_plan *p, const char *dir, const struct sweep_opts *o,
                   const char *meta, struct dms_error *err)
{
    char *mp = path2(dir, SWEEP__FILE);
    char *old = NULL;
    size_t len;
    int rc = 0;
    if (!o->resume && !dir_only(dir, NULL)) {
        rc = dir_error(err, dir, "the folder is not empty (give --resume to continue the "
                       "sweep in it, or another folder)");
    } else if (o->resume && dms_read_file(mp, &old, &len, NULL) == 0) {
        char *sha = sweep__flat_get(old, "sweep_sha256");
        char *shard = sweep__flat_get(old, "shard");
        char *ver = sweep__flat_get(old, "dmasim_version");
        char *cols = sweep__flat_get(old, "columns");
        size_t hl = strlen(p->header); /* the header ends in a newline, columns does not */
        char want[32];
        snprintf(want, sizeof want, "%u/%u", o->shard_n ? o->shard_k : 1,
                 o->shard_n ? o->shard_n : 1);
        if (!sha || strcmp(sha, p->sha256) != 0)
            rc = dir_error(err, dir, "the folder holds another sweep (its scenario, --set or "
                           "--axis differ); resume needs the same ones");
        else if (!shard || strcmp(shard, want) != 0)
            rc = dir_error(err, dir, "the folder holds another shard of the sweep");
        else if (!ver || !o->version || strcmp(ver, o->version) != 0)
            rc = dir_error(err, dir, "the folder's points were made by another dmasim version; "
                           "a sweep is resumed by the version that began it (merge refuses a "
                           "mix)");
        else if (!cols || strlen(cols) + 1 != hl || strncmp(cols, p->header, hl - 1) != 0)
            rc = dir_error(err, dir, "the folder's points.csv has other columns (another build "
                           "of this version began it); resume it with that build, or start "
                           "again in a new folder");
        free(cols);
        free(sha);
        free(shard);
        free(ver);
    } else if (o->resume && !dir_only(dir, staging_name)) {
        /* only what a sweep killed before its sweep.json was in place can leave is
         * allowed: its staging names */
        rc = dir_error(err, dir, "the folder is not a sweep's (it has no " SWEEP__FILE "): "
                       "--resume continues a sweep in its own folder, and touches nothing "
                       "else");
    }
    free(old);
    if (rc == 0)
        rc = dms_mkdir_p(dir, err);
    if (rc == 0 && o->resume)
        rc = clean_leftovers(dir, err);
    if (rc == 0)
        rc = dms_write_file_atomic(mp, meta, strlen(meta), err);
    free(mp);
    return rc;
}

/* Appends a point's row (the second line of its point.csv) or its point.jsonl line. */
void sweep__append_point(struct sweep__sb *csv, struct sweep__sb *jsonl, const char *pdir)
{
    char *f[2] = {path2(pdir, SWEEP__ROW), path2(pdir, SWEEP__LINE)};
    for (int k = 0; k < 2; k++) {
        char *data;
        size_t len;
        if (dms_read_file(f[k], &data, &len, NULL) == 0) {
            const char *p = data;
            if (k == 0) {
                const char *nl = strchr(data, '\n');
                p = nl ? nl + 1 : data + len;
            }
            sweep__sb_put(k == 0 ? csv : jsonl, "%s", p);
            free(data);
        }
        free(f[k]);
    }
}

int sweep__commit_tables(const char *dir, const struct sweep__sb *csv,
                         const struct sweep__sb *jsonl, struct dms_error *err)
{
    char *a = path2(dir, "points.csv"), *b = path2(dir, "points.jsonl");
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    dms_stage *st = dms_stage_new();
    int rc = dms_stage_add(st, a, csv->p, csv->n, err);
    if (rc == 0)
        rc = dms_stage_add(st, b, jsonl->p, jsonl->n, err);
    if (rc == 0)
        rc = dms_stage_commit(st, err);
    dms_stage_free(st);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(a);
    free(b);
    return rc;
}

/* Builds DIR/points.csv and DIR/points.jsonl from the point folders of the shard's points,
 * in canonical order; both files are renamed into place together. */
static int write_tables(const sweep_plan *p, const char *dir, unsigned k, unsigned n,
                        struct dms_error *err)
{
    struct sweep__sb csv = {0}, jsonl = {0};
    sweep__sb_put(&csv, "%s", p->header);
    sweep__sb_put(&jsonl, "%s", "");
    for (size_t i = 0; i < p->n_points; i++) {
        if (n && !sweep_in_shard(i, k, n))
            continue;
        char *pd = path2(dir, p->points[i].folder);
        sweep__append_point(&csv, &jsonl, pd);
        free(pd);
    }
    int rc = sweep__commit_tables(dir, &csv, &jsonl, err);
    free(csv.p);
    free(jsonl.p);
    return rc;
}

int sweep_run(const sweep_plan *p, const char *dir, const struct sweep_opts *o,
              struct sweep_tally *t, struct dms_error *err)
{
    memset(t, 0, sizeof *t);
    t->excluded = p->excluded;
    char *meta = sweep_meta(p, o);
    int rc = prepare(p, dir, o, meta, err);
    free(meta);
    if (rc)
        return rc;
    size_t *todo = dms_xcalloc(p->n_points + 1, sizeof *todo), n_todo = 0;
    struct run_point *pts = dms_xcalloc(p->n_points + 1, sizeof *pts);
    for (size_t i = 0; i < p->n_points; i++) {
        if (o->shard_n && !sweep_in_shard(i, o->shard_k, o->shard_n))
            continue;
        t->total++;
        if (o->resume && exists(dir, p->points[i].folder)) {
            t->skipped++;
            t->failed_before += recorded_failed(dir, p->points[i].folder);
            continue;
        }
        pts[n_todo] = (struct run_point){.doc = p->doc,
                                         .overrides = p->points[i].ov,
                                         .n_overrides = p->points[i].n_ov};
        todo[n_todo++] = i;
    }
    struct ctx c = {.p = p, .dir = dir, .o = o, .todo = todo, .t = t};
    run_traces *traces = run_traces_new();
    struct run_pool_opts po = {.threads = o->threads, .traces = traces,
                               .point_done = point_done, .point_done_ctx = &c,
                               .sim_cpu_ns = &t->sim_cpu_ns};
    struct run_point_result *res = dms_xcalloc(n_todo + 1, sizeof *res);
    run_points(pts, n_todo, &po, res);
    t->trace_files_read = run_traces_loads(traces, &t->trace_bytes_read);
    free(res);
    run_traces_free(traces);
    free(pts);
    free(todo);
    if (c.write_rc) {
        *err = c.write_err;
        return c.write_rc;
    }
    return write_tables(p, dir, o->shard_k, o->shard_n, err);
}
