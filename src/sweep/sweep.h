/* SPDX-License-Identifier: MIT */
/*
 * sweep: parameter sweeps over a scenario, sharded, resumable and merged byte for byte.
 *
 * A plan expands a scenario's sweep: section (cfg_doc_sweep) and command-line axes into
 * points in one canonical order: the Cartesian product of the axes (zipped axes move
 * together as one), the first axis varying slowest, filtered by the `where` constraint.
 * Point i of that order is the same point on every machine, so a shard K/N is simply the
 * points with i mod N = K-1, and shards merge back into the bytes of the unsharded sweep.
 * Each point is the scenario with "key=value" overrides; its folder, named by its canonical
 * key, appears whole (written under a temporary name and renamed), so a killed sweep
 * resumes by redoing only the folders that are missing. DIR/points.csv and DIR/points.jsonl
 * are assembled from the point folders, never from memory, so a sweep, a resumed sweep
 * and a merge all produce them the same way.
 *
 * Seeds: by default a replication's seed depends only on the scenario's seed and the
 * replication index (common random numbers: every point sees the same streams, so
 * differences between points are not noise); `seeds: independent` gives each point its
 * own seed, a hash of the scenario's seed and the point's key. Results never depend on
 * the number of threads or shards.
 *
 * This module writes the sweep's files (through dms_fs) but never prints: progress and
 * the tally go to the caller.
 */
#ifndef SWEEP_H
#define SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "dms.h"

/* ---- The where expression (sweep_expr.c) -------------------------------------------------- */

typedef struct sweep_expr sweep_expr;

/*
 * Parses a constraint (grammar in sweep_expr.c: comparisons, && || !, + - * / %, unary -,
 * parentheses, numbers, key paths). Returns 0 with *out (free with sweep_expr_free), or
 * DMS_EINVAL with err->msg and err->column (from 1, within text) locating the problem.
 * text is borrowed.
 */
int sweep_expr_parse(const char *text, sweep_expr **out, struct dms_error *err);
/* The key paths the expression names, in order of first appearance (borrowed). */
size_t sweep_expr_n_keys(const sweep_expr *e);
const char *sweep_expr_key(const sweep_expr *e, size_t i);
/* The value with values[i] for key i (1/0 for comparisons and logic). */
double sweep_expr_eval(const sweep_expr *e, const double *values);
/* Whether the value is neither 0 nor NaN. */
bool sweep_expr_true(const sweep_expr *e, const double *values);
void sweep_expr_free(sweep_expr *e);

/* ---- The plan (sweep_plan.c) ----------------------------------------------------------- */

struct sweep_point {
    size_t index;            /* in the canonical order (after where) */
    size_t *vi;              /* per axis: the index of its value; owned */
    char *key;               /* canonical key "k1=v1,k2=v2" in axis order; owned */
    char *folder;            /* the folder name: the key with unsafe bytes escaped; owned */
    struct cfg_override *ov; /* the point's overrides (--set, axes, seed); owned */
    size_t n_ov;
};

typedef struct sweep_plan {
    const cfg_doc *doc;           /* borrowed */
    struct cfg_sweep *sw;         /* owned */
    struct cfg_scenario *base;    /* the scenario without sweep values; owned */
    size_t n_points;
    struct sweep_point *points;   /* canonical order; owned */
    size_t excluded;              /* points the where constraint left out */
    char sha256[65];              /* identity of the sweep: scenario bytes, --set, --axis */
    char *header;                 /* the points.csv header line with its newline; owned */
    char **ov_text;               /* storage of override texts; owned */
    size_t n_ov_text;
} sweep_plan;

/*
 * Builds the plan of the scenario file at path: its document (doc, borrowed, must outlive
 * the plan), n_sets --set strings and n_axes --axis strings ("KEY=V1,V2,..."), all
 * borrowed. seeds: -1 as the file says, 0 common random numbers, 1 independent streams
 * per point (--seeds). Every axis, value and the where expression is checked, errors located as
 * file:line:col (or --axis[i]) and appended to errs; so is the scenario without sweep
 * values, which must be valid. Returns 0 with *out (free with sweep_plan_free), or
 * DMS_EINVAL / DMS_ERANGE / DMS_EFORMAT / DMS_EIO.
 */
int sweep_plan_new(const char *path, const cfg_doc *doc, const char *const *sets,
                   size_t n_sets, const char *const *axes, size_t n_axes, int seeds,
                   sweep_plan **out, struct cfg_errors *errs);
void sweep_plan_free(sweep_plan *p);

/* Whether point i belongs to shard k of n (1 <= k <= n): i mod n == k - 1. */
static inline bool sweep_in_shard(size_t i, unsigned k, unsigned n)
{
    return i % n == (size_t)(k - 1);
}

/* ---- Running (sweep_run.c) -------------------------------------------------------------- */

struct sweep_tally {
    size_t total;    /* points in this shard */
    size_t done;     /* run now and succeeded */
    size_t failed;   /* run now and failed (recorded with their error) */
    size_t skipped;  /* already in the folder (--resume) */
    size_t failed_before; /* of the skipped, those recorded as failed */
    size_t excluded; /* left out by where (whole sweep) */
    uint64_t trace_files_read; /* trace files read from disk (each once, for every point) */
    uint64_t trace_bytes_read; /* their bytes */
    uint64_t sim_cpu_ns;       /* CPU time inside the replications (the rest is overhead) */
};

/* Called after each point is recorded (from a worker thread; calls never overlap). */
typedef void (*sweep_progress_fn)(void *ctx, const struct sweep_point *pt, bool failed,
                                  const char *error, const struct sweep_tally *t);

struct sweep_opts {
    unsigned threads;          /* 0 = 1 */
    unsigned shard_k, shard_n; /* 0/0 = the whole sweep */
    bool resume;               /* keep the points already in dir */
    const char *version;       /* dmasim version recorded in every file */
    sweep_progress_fn progress;
    void *progress_ctx;
};

/*
 * Runs the points of plan p in the shard into folder dir: one folder per point (result
 * files, point.json, point.csv, point.jsonl), dir/sweep.json, then dir/points.csv and
 * dir/points.jsonl over every point folder present, in canonical order. A point that fails
 * is recorded with its error and the sweep goes on. Without resume, dir must be absent or
 * empty; with it, dir must hold the same sweep (same sha256 and shard), leftover temporary
 * folders are removed and existing points are kept. Fills *t. Returns 0 (even if points
 * failed), or DMS_EIO / DMS_EINVAL (dir unusable) with err set.
 */
int sweep_run(const sweep_plan *p, const char *dir, const struct sweep_opts *o,
              struct sweep_tally *t, struct dms_error *err);

/* ---- Merging (sweep_merge.c) ------------------------------------------------------------ */

struct sweep_merge_report {
    size_t points;       /* points of the sweep */
    size_t found;        /* distinct points found */
    size_t n_missing;    /* points in no shard */
    size_t missing[16];  /* the first of them */
    size_t n_duplicate;  /* points in more than one shard (identical copies) */
    size_t duplicate[16];
};

/*
 * Merges the shard folders dirs[0..n) of one sweep into out: checks that every shard has
 * the same dmasim version and sweep sha256, gathers the point folders (linked or copied)
 * and writes out/sweep.json, out/points.csv and out/points.jsonl, byte-identical to those
 * of the unsharded sweep. Fills *r. Returns 0; DMS_EINVAL when shards disagree (version,
 * sha256, or two different copies of one point) or points are missing (nothing written);
 * DMS_ENOENT / DMS_EIO / DMS_EFORMAT for an unreadable shard. err says which.
 */
int sweep_merge(const char *const *dirs, size_t n, const char *out,
                struct sweep_merge_report *r, struct dms_error *err);

#endif
