/* SPDX-License-Identifier: MIT */
/*
 * rpt_folder: a run's result folder on disk, written so that it is complete or absent.
 *
 * The one place that turns a run's replications into files: the CLI's `run` and every
 * point of a sweep come through here, so both get the same metadata, the same staging and
 * the same handling of interrupts.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dms_fs.h"
#include "eng.h"
#include "rpt.h"

/* The parent folder of dir ("." for a bare name); creates it. */
static int make_parent(const char *dir, struct dms_error *err)
{
    char *parent = dms_xstrdup(dir);
    char *slash = strrchr(parent, '/');
    int rc = 0;
    if (slash && slash != parent) {
        *slash = '\0';
        rc = dms_mkdir_p(parent, err);
    }
    free(parent);
    return rc;
}

#define N_FILES 3
static const char *const names[N_FILES] = {"result.json", "result.csv", "summary.csv"};

static int write_files(const char *dir, const void *const data[N_FILES],
                       const size_t lens[N_FILES], struct dms_error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        int rc = make_parent(dir, err);
        return rc ? rc : dms_write_dir_atomic(dir, names, data, lens, N_FILES, err);
    }
    dms_stage *stage = dms_stage_new();
    int rc = 0;
    for (size_t k = 0; k < N_FILES && !rc; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        rc = dms_stage_add(stage, path, data[k], lens[k], err);
    }
    if (!rc)
        rc = dms_stage_commit(stage, err);
    dms_stage_free(stage);
    return rc;
}

int rpt_write_result(const char *dir, const struct cfg_scenario *sc, const struct run_rep *reps,
                     size_t n, const char *version, dms_jw **json, struct dms_error *err)
{
    struct rpt_meta meta = {.dmasim_version = version, .generator = eng_rng_type()->name};
    dms_jw *w = dms_jw_new();
    rpt_result_json(sc, reps, n, &meta, w);
    size_t json_len;
    const char *text = dms_jw_data(w, &json_len);
    char *csv = rpt_result_csv(sc, reps, n);
    char *summary = rpt_summary_csv(sc, reps, n);
    const void *data[N_FILES] = {text, csv, summary};
    const size_t lens[N_FILES] = {json_len, strlen(csv), strlen(summary)};
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = write_files(dir, data, lens, err);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(csv);
    free(summary);
    if (json && rc == 0)
        *json = w;
    else
        dms_jw_free(w);
    return rc;
}
