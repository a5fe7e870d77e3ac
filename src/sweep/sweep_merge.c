/* SPDX-License-Identifier: MIT */
/*
 * sweep_merge: shard folders of one sweep back into one folder.
 *
 * Every shard must carry the same dmasim version and sweep sha256 (the scenario's bytes,
 * --set and --axis); points are identified by their index in the canonical order, which
 * the shards share. A point found twice must be byte-identical in both places (it then
 * counts as a duplicate and one copy is kept); a point found nowhere makes the merge fail
 * before anything is written. The merged folder is then written as a sweep writes its
 * own: point folders, sweep.json as the unsharded sweep has it, and points.csv /
 * points.jsonl assembled from the point folders in canonical order, which makes them
 * byte-identical to the unsharded sweep's. It is built beside its destination and renamed
 * into place, so it appears whole or not at all.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dms_fs.h"
#include "sweep_int.h"

struct shard {
    char *version, *sha, *scenario, *seeds, *columns;
    size_t points, excluded;
};

struct slot {
    const char *dir;   /* the shard folder (borrowed) */
    char *folder;      /* the point folder's name */
};

static char *path2(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = dms_xmalloc(n);
    snprintf(s, n, "%s/%s", a, b);
    return s;
}

static int fail_at(struct dms_error *err, int code, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(struct dms_error *err, int code, const char *file, const char *fmt, ...)
{
    char msg[DMS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dms_error_set(err, code, "%s", msg);
    snprintf(err->file, sizeof err->file, "%s", file);
    return code;
}

static void shard_free(struct shard *s)
{
    free(s->version);
    free(s->sha);
    free(s->scenario);
    free(s->seeds);
    free(s->columns);
}

static int read_shard(const char *dir, struct shard *s, struct dms_error *err)
{
    char *mp = path2(dir, SWEEP__FILE), *text = NULL;
    size_t len;
    memset(s, 0, sizeof *s);
    int rc = dms_read_file(mp, &text, &len, err);
    if (rc == 0) {
        s->version = sweep__flat_get(text, "dmasim_version");
        s->sha = sweep__flat_get(text, "sweep_sha256");
        s->scenario = sweep__flat_get(text, "scenario");
        s->seeds = sweep__flat_get(text, "seeds");
        s->columns = sweep__flat_get(text, "columns");
        char *pts = sweep__flat_get(text, "points"), *exc = sweep__flat_get(text, "excluded");
        if (!s->version || !s->sha || !s->scenario || !s->seeds || !s->columns || !pts ||
            !exc)
            rc = fail_at(err, DMS_EFORMAT, mp, "%s", "not a sweep folder's sweep.json");
        else {
            s->points = strtoull(pts, NULL, 10);
            s->excluded = strtoull(exc, NULL, 10);
        }
        free(pts);
        free(exc);
    }
    free(text);
    free(mp);
    return rc;
}

static bool same_file(const char *a, const char *b)
{
    char *x, *y;
    size_t nx, ny;
    if (dms_read_file(a, &x, &nx, NULL))
        return false;
    if (dms_read_file(b, &y, &ny, NULL)) {
        free(x);
        return false;
    }
    bool eq = nx == ny && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return eq;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Line breaks outside CSV quotes in s[0..n) (a quoted value may hold one). */
static size_t csv_records(const char *s, size_t n)
{
    size_t lines = 0;
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == '\n' && !quoted)
            lines++;
    }
    return quoted ? 0 : lines;
}

/* 0 if the point folder pd holds what a sweep writes there whole: its points.csv header
 * and one row, its points.jsonl line, and for a point that ran its result.json. */
static int point_whole(const char *pd, const struct shard *s, const char *status,
                       struct dms_error *err)
{
    char *row = NULL, *line = NULL, *pr = path2(pd, SWEEP__ROW), *pl = path2(pd, SWEEP__LINE);
    char *pres = path2(pd, "result.json");
    size_t nr = 0, nl = 0, hl = strlen(s->columns);
    int rc = 0;
    struct stat st;
    if (dms_read_file(pr, &row, &nr, NULL) || nr <= hl + 1 ||
        strncmp(row, s->columns, hl) != 0 || row[hl] != '\n' || row[nr - 1] != '\n' ||
        csv_records(row + hl + 1, nr - hl - 1) != 1)
        rc = fail_at(err, DMS_EFORMAT, pr, "%s", "missing or damaged: a point's row is the "
                     "sweep's header and one line");
    else if (dms_read_file(pl, &line, &nl, NULL) || nl < 2 || line[0] != '{' ||
             line[nl - 1] != '\n' || memchr(line, '\n', nl - 1) != NULL)
        rc = fail_at(err, DMS_EFORMAT, pl, "%s", "missing or damaged: a point's line is one "
                     "JSON object");
    else if (status && strcmp(status, "ok") == 0 && stat(pres, &st) != 0)
        rc = fail_at(err, DMS_EFORMAT, pres, "%s", "missing: a point that ran keeps its "
                     "result files");
    free(row);
    free(line);
    free(pr);
    free(pl);
    free(pres);
    return rc;
}

/* Records every point folder of one shard in slots[]. */
static int gather(const char *dir, const struct shard *s, struct slot *slots,
                  struct sweep_merge_report *r, struct dms_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return fail_at(err, errno == ENOENT ? DMS_ENOENT : DMS_EIO, dir, "cannot open: %s",
                       strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || dms_is_staging_name(e->d_name, NULL))
            continue;
        char *pd = path2(dir, e->d_name), *pj = path2(pd, SWEEP__POINT), *text = NULL;
        size_t len;
        if (dms_read_file(pj, &text, &len, NULL) == 0) {
            char *idx = sweep__flat_get(text, "point"), *sha = sweep__flat_get(text,
                                                                                "sweep_sha256");
            char *ver = sweep__flat_get(text, "dmasim_version");
            char *status = sweep__flat_get(text, "status");
            size_t i = idx ? strtoull(idx, NULL, 10) : SIZE_MAX;
            if (!sha || strcmp(sha, s->sha) != 0 || i >= s->points) {
                rc = fail_at(err, DMS_EINVAL, pd, "%s", "a point folder of another sweep");
            } else if (!ver || strcmp(ver, s->version) != 0) {
                rc = fail_at(err, DMS_EINVAL, pd, "made by dmasim %s, not the version of its "
                             "shard (%s)", ver ? ver : "(none)", s->version);
            } else if ((rc = point_whole(pd, s, status, err)) != 0) {
                /* named by point_whole */
            } else if (slots[i].folder) {
                char *other = path2(slots[i].dir, slots[i].folder);
                char *a = path2(other, SWEEP__ROW), *b = path2(pd, SWEEP__ROW);
                if (!same_file(a, b))
                    rc = fail_at(err, DMS_EINVAL, pd, "%s", "point found twice with "
                                 "different results");
                else if (r->n_duplicate++ < DMS_ARRAY_LEN(r->duplicate))
                    r->duplicate[r->n_duplicate - 1] = i;
                free(a);
                free(b);
                free(other);
            } else {
                slots[i].dir = dir;
                slots[i].folder = dms_xstrdup(e->d_name);
                r->found++;
            }
            free(idx);
            free(sha);
            free(ver);
            free(status);
        }
        free(text);
        free(pj);
        free(pd);
    }
    closedir(d);
    return rc;
}

/* Copies one point folder into out. */
static int copy_point(const char *from, const char *to, struct dms_error *err)
{
    static const char *const names[] = {SWEEP__POINT, SWEEP__ROW, SWEEP__LINE, "result.json",
                                        "result.csv", "summary.csv", "occupancy.csv",
                                        "series.csv"};
    enum { N_NAMES = sizeof names / sizeof names[0] };
    const void *data[N_NAMES];
    size_t lens[N_NAMES], n = 0;
    const char *have[N_NAMES];
    char *bufs[N_NAMES] = {0};
    for (size_t k = 0; k < N_NAMES; k++) {
        char *f = path2(from, names[k]);
        if (dms_read_file(f, &bufs[n], &lens[n], NULL) == 0) {
            data[n] = bufs[n];
            have[n] = names[k];
            n++;
        }
        free(f);
    }
    int rc = dms_write_dir_atomic(to, have, data, lens, n, err);
    for (size_t k = 0; k < n; k++)
        free(bufs[k]);
    return rc;
}

static int check_shards(const char *const *dirs, size_t n, struct shard *sh,
                        struct dms_error *err)
{
    for (size_t k = 0; k < n; k++) {
        int rc = read_shard(dirs[k], &sh[k], err);
        if (rc)
            return rc;
        if (k == 0)
            continue;
        if (strcmp(sh[k].version, sh[0].version) != 0)
            return fail_at(err, DMS_EINVAL, dirs[k], "made by dmasim %s, not the version of "
                           "the first shard", sh[k].version);
        if (strcmp(sh[k].sha, sh[0].sha) != 0 || sh[k].points != sh[0].points)
            return fail_at(err, DMS_EINVAL, dirs[k], "%s", "a shard of another sweep (the "
                           "scenario, --set or --axis differ)");
        if (strcmp(sh[k].columns, sh[0].columns) != 0)
            return fail_at(err, DMS_EINVAL, dirs[k], "%s", "its points.csv columns differ from "
                           "the first shard's (made by another build of the same version)");
    }
    return 0;
}

/* Removes a folder of files and of folders of files (what write_out builds), as far as it
 * can. */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = path2(dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            (void)dms_remove_flat_dir(p, NULL);
        else
            (void)unlink(p);
        free(p);
    }
    if (d)
        closedir(d);
    (void)rmdir(dir);
}

/* Removes what an earlier merge into out, killed before it renamed its work into place,
 * left beside out: folders named out.tmp.XXXXXX. */
static void remove_stale(const char *parent, const char *name)
{
    DIR *d = opendir(parent);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (dms_is_staging_name(e->d_name, name)) {
            char *p = path2(parent, e->d_name);
            remove_tree(p);
            free(p);
        }
    }
    if (d)
        closedir(d);
}

/* Writes the merged sweep into dir (a fresh folder). */
static int write_tree(const char *dir, const struct shard *s, const struct slot *slots,
                      struct dms_error *err)
{
    int rc = 0;
    struct sweep__sb csv = {0}, jsonl = {0};
    sweep__sb_put(&csv, "%s\n", s->columns);
    sweep__sb_put(&jsonl, "%s", "");
    for (size_t i = 0; rc == 0 && i < s->points; i++) {
        char *from = path2(slots[i].dir, slots[i].folder), *to = path2(dir, slots[i].folder);
        rc = copy_point(from, to, err);
        if (rc == 0)
            sweep__append_point(&csv, &jsonl, to);
        free(from);
        free(to);
    }
    if (rc == 0) {
        struct sweep__meta m = {.version = s->version, .scenario = s->scenario,
                                .sha256 = s->sha, .seeds = s->seeds, .columns = s->columns,
                                .points = s->points, .excluded = s->excluded};
        char *meta = sweep__meta_json(&m), *mp = path2(dir, SWEEP__FILE);
        rc = dms_write_file_atomic(mp, meta, strlen(meta), err);
        free(meta);
        free(mp);
    }
    if (rc == 0)
        rc = sweep__commit_tables(dir, &csv, &jsonl, err);
    free(csv.p);
    free(jsonl.p);
    return rc;
}

/*
 * The merged folder appears whole or not at all: it is built in a temporary folder beside
 * out (out.tmp.XXXXXX) and renamed into place at the end; a failure removes it, and a later
 * merge into out removes what a killed one left.
 */
static int write_out(const char *out, const struct shard *s, const struct slot *slots,
                     struct dms_error *err)
{
    struct stat st;
    bool exists = stat(out, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode))
        return fail_at(err, DMS_EIO, out, "%s", "is not a folder (merge writes a sweep folder)");
    if (exists) {
        DIR *d = opendir(out);
        struct dirent *e;
        bool empty = d != NULL;
        while (d && empty && (e = readdir(d)) != NULL)
            empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
        if (d)
            closedir(d);
        if (!empty)
            return fail_at(err, DMS_EIO, out, "%s", "the output folder is not empty (merge "
                           "writes a new folder)");
    }
    /* out without trailing slashes, split into its parent and its name */
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        n--;
    char *base = dms_xmalloc(n + 1);
    memcpy(base, out, n);
    base[n] = '\0';
    char *slash = strrchr(base, '/');
    char *parent;
    if (!slash) {
        parent = dms_xstrdup(".");
    } else {
        size_t pn = slash == base ? 1 : (size_t)(slash - base);
        parent = dms_xmalloc(pn + 1);
        memcpy(parent, base, pn);
        parent[pn] = '\0';
    }
    const char *name = slash ? slash + 1 : base;
    int rc = dms_mkdir_p(parent, err);
    if (rc == 0)
        remove_stale(parent, name);
    size_t tn = n + 16;
    char *tmp = dms_xmalloc(tn);
    snprintf(tmp, tn, "%s.tmp.XXXXXX", base);
    if (rc == 0 && !mkdtemp(tmp))
        rc = fail_at(err, DMS_EIO, out, "cannot create a folder beside it: %s", strerror(errno));
    else if (rc == 0) {
        chmod(tmp, 0755); /* mkdtemp creates 0700 */
        rc = write_tree(tmp, s, slots, err);
        if (rc == 0 && exists && rmdir(base) != 0)
            rc = fail_at(err, DMS_EIO, out, "cannot replace the empty folder: %s",
                         strerror(errno));
        if (rc == 0 && rename(tmp, base) != 0)
            rc = fail_at(err, DMS_EIO, out, "cannot rename the merged folder into place: %s",
                         strerror(errno));
        if (rc)
            remove_tree(tmp);
    }
    free(tmp);
    free(parent);
    free(base);
    return rc;
}

int sweep_merge(const char *const *dirs, size_t n, const char *out,
                struct sweep_merge_report *r, struct dms_error *err)
{
    memset(r, 0, sizeof *r);
    struct shard *sh = dms_xcalloc(n ? n : 1, sizeof *sh);
    int rc = n ? check_shards(dirs, n, sh, err)
               : fail_at(err, DMS_EINVAL, "", "%s", "no shard folders given");
    struct slot *slots = NULL;
    if (rc == 0) {
        r->points = sh[0].points;
        slots = dms_xcalloc(r->points + 1, sizeof *slots);
        for (size_t k = 0; k < n && rc == 0; k++)
            rc = gather(dirs[k], &sh[0], slots, r, err);
    }
    for (size_t i = 0; rc == 0 && i < r->points; i++)
        if (!slots[i].folder && r->n_missing++ < DMS_ARRAY_LEN(r->missing))
            r->missing[r->n_missing - 1] = i;
    if (rc == 0 && r->n_missing) {
        dms_error_set(err, DMS_EINVAL, "%zu of %zu points are in no shard", r->n_missing,
                      r->points);
        rc = DMS_EINVAL;
    }
    qsort(r->duplicate, DMS_MIN(r->n_duplicate, DMS_ARRAY_LEN(r->duplicate)),
          sizeof r->duplicate[0], cmp_size);
    if (rc == 0)
        rc = write_out(out, &sh[0], slots, err);
    for (size_t i = 0; slots && i < r->points; i++)
        free(slots[i].folder);
    free(slots);
    for (size_t k = 0; k < n; k++)
        shard_free(&sh[k]);
    free(sh);
    return rc;
}
