/* SPDX-License-Identifier: MIT */
/*
 * run_pool: one pool of worker threads over (point, replication) jobs.
 *
 * Jobs are handed out in a fixed order, point by point and replication by replication,
 * from one cursor under one lock. The first job of a point resolves it (its scenario, then
 * its model parameters, translated once and shared read-only by its replications), so only
 * the points in flight are held in memory. When a point's last replication ends, the worker
 * that ran it settles the point: the error of its lowest-numbered failing replication, if
 * any, wins, and the point is handed to the caller's callback. A job's result depends only
 * on its point and index, never on which thread ran it or when, which is what makes `run`
 * and `sweep` output independent of -j.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run_int.h"

struct point_state {
    struct run_params params;
    bool resolved;
    unsigned reps_left;   /* replications not yet finished */
    int *rcs;             /* per replication */
    struct dms_error *errs;
};

struct pool {
    const struct run_point *points;
    struct run_point_result *out;
    struct point_state *ps;
    size_t n;
    const struct run_pool_opts *o;
    run_traces *traces;
    size_t next_point;    /* the cursor: next job is (next_point, next_rep) */
    unsigned next_rep;
    unsigned done, total; /* replications finished / known */
    uint64_t sim_cpu_ns;  /* CPU time inside the replications, all threads */
    pthread_mutex_t lock;
    pthread_mutex_t cb_lock; /* serialises point_done */
};

void run_point_result_fini(struct run_point_result *r)
{
    for (size_t i = 0; r->reps && i < r->n_reps; i++)
        run_rep_fini(&r->reps[i]);
    free(r->reps);
    free(r->errors);
    cfg_scenario_free(r->sc);
    memset(r, 0, sizeof *r);
}

static void point_done(struct pool *p, size_t i)
{
    if (!p->o->point_done)
        return;
    pthread_mutex_lock(&p->cb_lock);
    p->o->point_done(p->o->point_done_ctx, i, &p->out[i]);
    pthread_mutex_unlock(&p->cb_lock);
}

/* Resolves point i into its scenario and parameters. Called under the lock. Returns false
 * if the point does not resolve (its result then holds the errors). */
static bool resolve(struct pool *p, size_t i)
{
    const struct run_point *pt = &p->points[i];
    struct run_point_result *r = &p->out[i];
    struct point_state *s = &p->ps[i];
    const struct cfg_scenario *sc = pt->sc;
    if (!sc) {
        struct cfg_errors errs;
        cfg_errors_init(&errs);
        r->rc = cfg_doc_resolve_at(pt->doc, pt->overrides, pt->n_overrides, &r->sc, &errs);
        if (r->rc) {
            if (errs.count)
                r->err = errs.items[0];
            r->err.code = r->rc;
            r->errors = cfg_errors_format(&errs);
        }
        cfg_errors_fini(&errs);
        if (r->rc)
            return false;
        sc = r->sc;
    }
    run__params_init(&s->params, sc);
    s->resolved = true;
    s->reps_left = (unsigned)sc->run.replications;
    r->n_reps = s->reps_left;
    r->reps = dms_xcalloc(r->n_reps, sizeof *r->reps);
    s->rcs = dms_xcalloc(r->n_reps, sizeof *s->rcs);
    s->errs = dms_xcalloc(r->n_reps, sizeof *s->errs);
    if (!pt->sc)
        p->total += s->reps_left;
    return true;
}

/* Takes the next job under the lock. Returns false when there is none. Points that fail
 * to resolve are settled on the way (outside the lock). */
static bool take_job(struct pool *p, size_t *pi, unsigned *ri)
{
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (p->next_point >= p->n) {
            pthread_mutex_unlock(&p->lock);
            return false;
        }
        size_t i = p->next_point;
        if (p->next_rep == 0 && !p->ps[i].resolved && !resolve(p, i)) {
            p->next_point++;
            pthread_mutex_unlock(&p->lock);
            point_done(p, i);
            continue;
        }
        *pi = i;
        *ri = p->next_rep++;
        if (p->next_rep >= p->out[i].n_reps) {
            p->next_point++;
            p->next_rep = 0;
        }
        pthread_mutex_unlock(&p->lock);
        return true;
    }
}

/* Settles point i once its replications have all ended (no other thread touches it). */
static void settle(struct pool *p, size_t i)
{
    struct point_state *s = &p->ps[i];
    struct run_point_result *r = &p->out[i];
    for (unsigned k = 0; k < r->n_reps && r->rc == 0; k++) {
        if (s->rcs[k]) {
            r->rc = s->rcs[k];
            r->err = s->errs[k];
        }
    }
    if (r->rc) {
        for (unsigned k = 0; k < r->n_reps; k++)
            if (s->rcs[k] == 0)
                run_rep_fini(&r->reps[k]);
        free(r->reps);
        r->reps = NULL;
        r->n_reps = 0;
    }
    run__params_fini(&s->params);
    free(s->rcs);
    free(s->errs);
    s->rcs = NULL;
    s->errs = NULL;
    point_done(p, i);
}

/* A running replication reports the simulated time it reached. */
static void tick(void *ctx, int64_t sim_ns)
{
    struct pool *p = ctx;
    pthread_mutex_lock(&p->lock);
    p->o->progress(p->o->progress_ctx, p->done, p->total, sim_ns);
    pthread_mutex_unlock(&p->lock);
}

/* The calling thread's CPU time; 0 where the clock is missing (then no overhead figure). */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    size_t i;
    unsigned k;
    while (take_job(p, &i, &k)) {
        struct point_state *s = &p->ps[i];
        dms_error_clear(&s->errs[k]);
        uint64_t c0 = thread_cpu_ns();
        s->rcs[k] = run__replication(&s->params, p->traces, k, &p->out[i].reps[k],
                                     p->o->progress ? tick : NULL, p, &s->errs[k]);
        uint64_t c1 = thread_cpu_ns();
        pthread_mutex_lock(&p->lock);
        p->sim_cpu_ns += c1 - c0;
        p->done++;
        if (p->o->progress)
            p->o->progress(p->o->progress_ctx, p->done, p->total, -1);
        bool last = --s->reps_left == 0;
        pthread_mutex_unlock(&p->lock);
        if (last)
            settle(p, i);
    }
    return NULL;
}

size_t run_points(const struct run_point *points, size_t n, const struct run_pool_opts *opts,
                  struct run_point_result *out)
{
    static const struct run_pool_opts defaults = {0};
    struct pool p = {.points = points, .out = out, .n = n, .o = opts ? opts : &defaults};
    memset(out, 0, n * sizeof *out);
    p.ps = dms_xcalloc(n ? n : 1, sizeof *p.ps);
    run_traces *own = p.o->traces ? NULL : run_traces_new();
    p.traces = p.o->traces ? p.o->traces : own;
    bool all_known = true;
    for (size_t i = 0; i < n; i++) {
        if (points[i].sc)
            p.total += (unsigned)points[i].sc->run.replications;
        else
            all_known = false;
    }
    unsigned threads = p.o->threads ? p.o->threads : 1;
    if (all_known && threads > p.total)
        threads = p.total ? p.total : 1;
    pthread_mutex_init(&p.lock, NULL);
    pthread_mutex_init(&p.cb_lock, NULL);
    pthread_t *tid = dms_xcalloc(threads, sizeof *tid);
    unsigned started = 0;
    for (unsigned t = 1; t < threads; t++)
        if (pthread_create(&tid[t], NULL, worker, &p) == 0)
            started = t;
        else
            break;
    worker(&p);
    for (unsigned t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&p.lock);
    pthread_mutex_destroy(&p.cb_lock);
    if (p.o->sim_cpu_ns)
        *p.o->sim_cpu_ns = p.sim_cpu_ns;
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += out[i].rc != 0;
    free(tid);
    free(p.ps);
    run_traces_free(own);
    return failed;
}

int run_scenario(const struct cfg_scenario *sc, unsigned threads, struct run_rep *reps,
                 run_progress_fn progress, void *progress_ctx, struct dms_error *err)
{
    struct run_point pt = {.sc = sc};
    struct run_pool_opts o = {.threads = threads, .progress = progress,
                              .progress_ctx = progress_ctx};
    struct run_point_result r;
    run_points(&pt, 1, &o, &r);
    if (r.rc) {
        *err = r.err;
        int rc = r.rc;
        run_point_result_fini(&r);
        return rc;
    }
    memcpy(reps, r.reps, r.n_reps * sizeof *reps);
    free(r.reps);
    r.reps = NULL;
    r.n_reps = 0;
    run_point_result_fini(&r);
    return 0;
}
