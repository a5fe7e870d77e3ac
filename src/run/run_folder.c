/* SPDX-License-Identifier: MIT */
/*
 * run_folder: a run's result folder on disk, written so that it is complete or absent.
 *
 * The one place that turns a run's replications into files: the CLI's `run` and every
 * point of a sweep come through here, so both get the same metadata, the same staging and
 * the same handling of interrupts.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dms_fs.h"
#include "eng.h"
#include "run_result.h"


void run_result_files(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                      const struct run_meta *meta, struct run_files *out)
{
    memset(out, 0, sizeof *out);
    out->json = dms_jw_new();
    run_result_json(sc, reps, n, meta, out->json);
    size_t json_len;
    const char *text = dms_jw_data(out->json, &json_len);
    out->names[0] = "result.json";
    out->data[0] = text;
    out->lens[0] = json_len;
    char *owned[] = {run_result_csv(sc, reps, n), run_summary_csv(sc, reps, n),
                     run_occupancy_csv(sc, reps, n),
                     n && reps[0].series ? run_series_csv(sc, reps[0].series) : NULL};
    static const char *const names[] = {"result.csv", "summary.csv", "occupancy.csv",
                                        "series.csv"};
    out->n = 1;
    for (size_t k = 0; k < DMS_ARRAY_LEN(owned); k++) {
        if (!owned[k])
            continue;
        out->names[out->n] = names[k];
        out->data[out->n] = owned[k];
        out->lens[out->n] = strlen(owned[k]);
        out->owned[out->n] = owned[k];
        out->n++;
    }
}

void run_files_fini(struct run_files *f)
{
    for (size_t k = 0; k < f->n; k++)
        free(f->owned[k]);
    dms_jw_free(f->json);
    memset(f, 0, sizeof *f);
}

static int write_files(const char *dir, const struct run_files *f, struct dms_error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        int rc = dms_mkdir_parent(dir, err);
        return rc ? rc
                  : dms_write_dir_atomic(dir, f->names, (const void *const *)f->data, f->lens,
                                         f->n, err);
    }
    dms_stage *stage = dms_stage_new();
    int rc = 0;
    for (size_t k = 0; k < f->n && !rc; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, f->names[k]);
        rc = dms_stage_add(stage, path, f->data[k], f->lens[k], err);
    }
    if (!rc)
        rc = dms_stage_commit(stage, err);
    dms_stage_free(stage);
    /* a file an earlier run into this folder wrote and this one does not (series.csv
     * without --series) would be read as this run's: it goes */
    static const char *const optional[] = {"series.csv"};
    for (size_t i = 0; !rc && i < sizeof optional / sizeof *optional; i++) {
        bool written = false;
        for (size_t k = 0; k < f->n; k++)
            written |= strcmp(f->names[k], optional[i]) == 0;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, optional[i]);
        if (!written && lstat(path, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
            (void)unlink(path); /* a link goes, not what it led to */
    }
    return rc;
}

int run_write_result(const char *dir, const struct cfg_scenario *sc, const struct run_rep *reps,
                     size_t n, const char *version, dms_jw **json, struct dms_error *err)
{
    struct run_meta meta = {.dmasim_version = version, .generator = eng_rng_type()->name};
    struct run_files files;
    run_result_files(sc, reps, n, &meta, &files);
    /* temporaries of an earlier run into this folder that was killed while writing */
    dms_remove_stale_temps(dir, files.names, files.n, time(NULL));
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = write_files(dir, &files, err);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (json && rc == 0) {
        *json = files.json;
        files.json = NULL;
    }
    run_files_fini(&files);
    return rc;
}
