/* SPDX-License-Identifier: MIT */
/*
 * rec_eval: the evaluator on the run API: each candidate point is the scenario document
 * resolved with the profile's and the point's overrides, run with run_scenario (its
 * replications on the runner's threads; the seeds depend on the master seed and the
 * replication index only, so every candidate sees the same random streams).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"

int rec_resolve(const cfg_doc *doc, const struct rec_profile *prof, const struct rec_point *pt,
                struct cfg_scenario **sc, char *why, size_t n)
{
    const char *sets[4 + REC_MAX_SETS];
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

/* Runs one point into *o; returns a fatal error (a trace that cannot be read) or 0. */
static int run_point(const struct rec_runner *r, const struct rec_profile *prof,
                     const struct rec_point *pt, struct rec_outcome *o, struct dms_error *err)
{
    struct cfg_scenario *sc = NULL;
    if (rec_resolve(r->doc, prof, pt, &sc, o->error, sizeof o->error)) {
        o->rc = DMS_EINVAL;
        return 0;
    }
    size_t reps = (size_t)sc->run.replications;
    o->reps = dms_xcalloc(reps, sizeof *o->reps);
    int rc = run_scenario(sc, r->threads, o->reps, NULL, NULL, err);
    if (rc) {
        free(o->reps);
        o->reps = NULL;
        if (rc == DMS_EINVAL) { /* a model parameter the models refuse: this point only */
            dms_error_format(err, o->error, sizeof o->error);
            o->rc = rc;
            rc = 0;
        }
        cfg_scenario_free(sc);
        return rc;
    }
    o->n_reps = reps;
    if (r->keep)
        rc = r->keep(r->keep_ctx, prof, pt, sc, o->reps, reps, err);
    cfg_scenario_free(sc);
    return rc;
}

int rec_runner_eval(void *runner, const struct rec_profile *prof, const struct rec_point *pts,
                    size_t n, struct rec_outcome *out, struct dms_error *err)
{
    const struct rec_runner *r = runner;
    for (size_t i = 0; i < n; i++) {
        int rc = run_point(r, prof, &pts[i], &out[i], err);
        if (rc)
            return rc;
    }
    return 0;
}
