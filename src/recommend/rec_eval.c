/* SPDX-License-Identifier: MIT */
/*
 * rec_eval: the evaluator on the run API: each candidate point is the scenario document
 * resolved with the profile's and the point's overrides, run with run_scenario (its
 * replications, all candidates of a search step on one pool of (point, replication) jobs
 * (run_points); the seeds depend on the master seed and the replication index only, so
 * every candidate sees the same random streams).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"

int rec_resolve(const cfg_doc *doc, const struct rec_profile *prof, const struct rec_point *pt,
                struct cfg_scenario **sc, char *why, size_t n)
{
    const char *sets[REC_PROFILE_SETS + REC_MAX_SETS];
    size_t k = 0;
    for (size_t j = 0; j < prof->n_sets; j++)
        sets[k++] = prof->sets[j];
    for (size_t j = 0; pt && j < pt->n_sets; j++)
        sets[k++] = pt->sets[j];
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    int rc = cfg_doc_resolve(doc, sets, k, sc, &errs);
    if (rc) {
        char *text = cfg_errors_format(&errs);
        char *nl = strchr(text, '\n');
        if (nl)
            *nl = '\0';
        snprintf(why, n, "%s", text);
        free(text);
    }
    cfg_errors_fini(&errs);
    return rc;
}

int rec_runner_eval(void *runner, const struct rec_profile *prof, const struct rec_point *pts,
                    size_t n, struct rec_outcome *out, struct dms_error *err)
{
    const struct rec_runner *r = runner;
    /* one pool over every (candidate, replication) pair of the step */
    const char **sets = dms_xcalloc(n * (prof->n_sets + REC_MAX_SETS) + 1, sizeof *sets);
    struct run_point *jobs = dms_xcalloc(n ? n : 1, sizeof *jobs);
    struct run_point_result *res = dms_xcalloc(n ? n : 1, sizeof *res);
    for (size_t i = 0; i < n; i++) {
        const char **s = sets + i * (prof->n_sets + REC_MAX_SETS);
        size_t k = 0;
        for (size_t j = 0; j < prof->n_sets; j++)
            s[k++] = prof->sets[j];
        for (size_t j = 0; j < pts[i].n_sets; j++)
            s[k++] = pts[i].sets[j];
        jobs[i] = (struct run_point){.doc = r->doc, .overrides = s, .n_overrides = k};
    }
    struct run_pool_opts po = {.threads = r->threads, .traces = r->traces};
    run_points(jobs, n, &po, res);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct run_point_result *x = &res[i];
        struct rec_outcome *o = &out[i];
        if (x->rc == DMS_EINVAL || x->rc == DMS_ERANGE || x->rc == DMS_EFORMAT) {
            /* the point's keys are refused (or a model refuses a parameter): this point only */
            o->rc = x->rc;
            if (x->errors) {
                char *nl = strchr(x->errors, '\n');
                if (nl)
                    *nl = '\0';
                snprintf(o->error, sizeof o->error, "%s", x->errors);
            } else {
                dms_error_format(&x->err, o->error, sizeof o->error);
            }
        } else if (x->rc && !rc) {
            rc = x->rc;
            *err = x->err;
        } else if (x->rc == 0) {
            o->reps = x->reps;
            o->n_reps = x->n_reps;
            x->reps = NULL;
            x->n_reps = 0;
            if (!rc && r->keep)
                rc = r->keep(r->keep_ctx, prof, &pts[i], x->sc, o->reps, o->n_reps, err);
        }
        run_point_result_fini(x);
    }
    free(res);
    free(jobs);
    free(sets);
    return rc;
}
