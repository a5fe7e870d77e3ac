/* SPDX-License-Identifier: MIT */
/*
 * dmasim sweep and dmasim merge: the command-line side of src/sweep. Parses options (the
 * shard defaults from a Slurm job array's environment), prints the point list, progress,
 * the tally and errors, and picks the exit status.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_int.h"
#include "sweep.h"

const char cli_usage_sweep[] =
    "usage: dmasim sweep SCENARIO.yaml -o DIR [-j N] [--shard K/N] [--resume] [--list] [-q]\n"
    "                    [--set KEY=VALUE]... [--axis KEY=V1,V2,...]... [--seeds MODE]\n\n"
    "Runs every point of the scenario's sweep: section (each point the scenario with one\n"
    "value per axis) and writes one folder per point, named by its key, and DIR/points.csv\n"
    "and DIR/points.jsonl (one row per point). A point that fails is recorded and the sweep\n"
    "goes on; the exit status is 14 if any point failed.\n\n"
    "  -o, --output DIR     the sweep folder (must be empty unless --resume)\n"
    "  -j, --threads N      replications of all points run on N threads (results do not\n"
    "                       depend on N; default: the number of processors)\n"
    "      --shard K/N      only the points whose index is K-1 mod N (1 <= K <= N); inside a\n"
    "                       Slurm job array the default is SLURM_ARRAY_TASK_ID -\n"
    "                       SLURM_ARRAY_TASK_MIN + 1 of SLURM_ARRAY_TASK_COUNT\n"
    "      --resume         keep the points already in DIR and run only the missing ones\n"
    "      --list           print the points (index and key) in canonical order and stop\n"
    "  -s, --set KEY=VALUE  override a scenario key for every point\n"
    "  -a, --axis KEY=V1,V2,...  add an axis\n"
    "      --seeds MODE     common (default: every point sees the same random streams) or\n"
    "                       independent (each point its own seed)\n"
    "      --report         then write DIR/report (plots and HTML, as 'dmasim report DIR'); a\n"
    "                       shard is not reported alone: report the merged folder\n"
    "  -q, --quiet          no progress and no tally\n"
    "  -h, --help           this text\n";

const char cli_usage_merge[] =
    "usage: dmasim merge -o OUT DIR...\n\n"
    "Merges the shard folders of one sweep into OUT: checks that every shard has the same\n"
    "dmasim version and sweep (scenario, --set, --axis), reports missing and duplicated\n"
    "points, and writes OUT/points.csv and OUT/points.jsonl byte-identical to those of the\n"
    "unsharded sweep, with every point folder.\n\n"
    "  -o, --output OUT     the merged folder (absent or empty)\n"
    "  -h, --help           this text\n";

struct sweep_cli {
    const char *scenario, *outdir;
    const char **sets, **axes;
    size_t n_sets, n_axes;
    unsigned threads, shard_k, shard_n;
    bool resume, list, quiet, shard_given, report;
    int seeds;
};

enum { OPT_SHARD = 256, OPT_RESUME, OPT_LIST, OPT_SEEDS, OPT_REPORT };

static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
    char *end;
    unsigned long a = strtoul(s, &end, 10);
    if (end == s || *end != '/')
        return -1;
    const char *t = end + 1;
    unsigned long b = strtoul(t, &end, 10);
    if (end == t || *end || a < 1 || b < 1 || a > b || b > 1000000)
        return -1;
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 0;
}

/*
 * The shard from a Slurm job array: K = (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / STEP
 * + 1 and N = SLURM_ARRAY_TASK_COUNT, STEP being SLURM_ARRAY_TASK_STEP (1 when unset; a
 * stepped range such as --array=0-6:2). Returns 1 with the shard, 0 outside an array, and -1
 * (with a message) where the task IDs are not such a range (SLURM_ARRAY_TASK_MAX, where set,
 * must be its last): the shard must then be given.
 */
static int slurm_shard(unsigned *k, unsigned *n)
{
    const char *id = getenv("SLURM_ARRAY_TASK_ID"), *min = getenv("SLURM_ARRAY_TASK_MIN"),
               *cnt = getenv("SLURM_ARRAY_TASK_COUNT"), *stp = getenv("SLURM_ARRAY_TASK_STEP"),
               *max = getenv("SLURM_ARRAY_TASK_MAX");
    if (!id || !min || !cnt)
        return 0;
    long i = strtol(id, NULL, 10), lo = strtol(min, NULL, 10), c = strtol(cnt, NULL, 10);
    long step = stp && *stp ? strtol(stp, NULL, 10) : 1;
    bool sane = step >= 1 && c >= 1 && c <= 1000000;
    /* a list such as 1,4,9 passes the tests on ID in some of its tasks: MAX tells it from
     * the range MIN, MIN+STEP, ..., MIN+(COUNT-1)*STEP in every task */
    long last = sane ? lo + (c - 1) * step : 0;
    if (!sane || i < lo || (i - lo) % step != 0 || i > last ||
        (max && *max && strtol(max, NULL, 10) != last)) {
        cli_errorf("sweep", "the Slurm job array's task IDs are not MIN, MIN+STEP, ... "
                   "(SLURM_ARRAY_TASK_ID=%s, _MIN=%s, _MAX=%s, _STEP=%s, _COUNT=%s): give "
                   "--shard K/N", id, min, max ? max : "(unset)", stp ? stp : "(unset)", cnt);
        return -1;
    }
    *k = (unsigned)((i - lo) / step + 1);
    *n = (unsigned)c;
    return 1;
}

/* After the options: the one scenario, the folder, and a shard from a Slurm job array. */
static int finish_opts(int argc, char **argv, struct sweep_cli *o)
{
    if (optind != argc - 1) {
        cli_errorf("sweep", "expected one scenario file (see 'dmasim sweep --help')");
        return CLI_EXIT_USAGE;
    }
    o->scenario = argv[optind];
    if (!o->outdir && !o->list) {
        cli_errorf("sweep", "-o DIR is required (the sweep folder)");
        return CLI_EXIT_USAGE;
    }
    if (!o->shard_given) {
        int got = slurm_shard(&o->shard_k, &o->shard_n);
        if (got < 0)
            return CLI_EXIT_USAGE;
        if (got > 0 && !o->quiet)
            fprintf(stderr, "dmasim sweep: shard %u/%u from the Slurm job array\n", o->shard_k,
                    o->shard_n);
    }
    return 0;
}

static int parse_opts(int argc, char **argv, struct sweep_cli *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"threads", required_argument, NULL, 'j'},
        {"set", required_argument, NULL, 's'},    {"axis", required_argument, NULL, 'a'},
        {"shard", required_argument, NULL, OPT_SHARD}, {"resume", no_argument, NULL, OPT_RESUME},
        {"list", no_argument, NULL, OPT_LIST},    {"seeds", required_argument, NULL, OPT_SEEDS},
        {"report", no_argument, NULL, OPT_REPORT},
        {"quiet", no_argument, NULL, 'q'},        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->seeds = -1;
    o->sets = dms_xcalloc((size_t)argc, sizeof *o->sets);
    o->axes = dms_xcalloc((size_t)argc, sizeof *o->axes);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = cpus > 0 ? (unsigned)cpus : 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:j:s:a:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
        case 's':
            if (cli_take_scenario_opt("sweep", c, optarg, &o->outdir, o->sets, &o->n_sets))
                return CLI_EXIT_USAGE;
            break;
        case 'a': o->axes[o->n_axes++] = optarg; break;
        case 'q': o->quiet = true; break;
        case OPT_RESUME: o->resume = true; break;
        case OPT_LIST: o->list = true; break;
        case OPT_REPORT: o->report = true; break;
        case 'j':
            if (cli_parse_uint(optarg, 1, 1024, &o->threads)) {
                cli_errorf("sweep", "-j needs a number of threads from 1 to 1024, not '%s'",
                           optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_SHARD:
            if (parse_shard(optarg, &o->shard_k, &o->shard_n)) {
                cli_errorf("sweep", "--shard needs K/N with 1 <= K <= N, not '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            o->shard_given = true;
            break;
        case OPT_SEEDS:
            if (strcmp(optarg, "common") && strcmp(optarg, "independent")) {
                cli_errorf("sweep", "--seeds is common or independent, not '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            o->seeds = strcmp(optarg, "independent") == 0;
            break;
        default: fputs(cli_usage_sweep, stderr); return CLI_EXIT_USAGE;
        }
    }
    return finish_opts(argc, argv, o);
}

static void progress(void *ctx, const struct sweep_point *pt, bool failed, const char *error,
                     const struct sweep_tally *t)
{
    (void)ctx;
    size_t n = t->done + t->failed + t->skipped;
    if (failed)
        fprintf(stderr, "dmasim sweep: [%zu/%zu] %s: failed: %s\n", n, t->total, pt->key,
                error);
    else
        fprintf(stderr, "dmasim sweep: [%zu/%zu] %s\n", n, t->total, pt->key);
}

static void list_points(const sweep_plan *p, const struct sweep_cli *o)
{
    for (size_t i = 0; i < p->n_points; i++)
        if (!o->shard_n || sweep_in_shard(i, o->shard_k, o->shard_n))
            printf("%zu %s\n", p->points[i].index, p->points[i].key);
}

static int run_sweep(const struct sweep_cli *o, const cfg_doc *doc)
{
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    sweep_plan *p = NULL;
    int rc = sweep_plan_new(o->scenario, doc, o->sets, o->n_sets, o->axes, o->n_axes, o->seeds,
                            &p, &errs);
    if (rc) {
        cli_print_cfg_errors(&errs);
        cfg_errors_fini(&errs);
        return cli_exit_for(rc);
    }
    cfg_errors_fini(&errs);
    if (o->list) {
        list_points(p, o);
        sweep_plan_free(p);
        return CLI_EXIT_OK;
    }
    struct sweep_opts so = {.threads = o->threads, .shard_k = o->shard_k,
                            .shard_n = o->shard_n, .resume = o->resume,
                            .version = DMASIM_VERSION, .progress = o->quiet ? NULL : progress};
    struct sweep_tally t;
    struct dms_error err;
    dms_error_clear(&err);
    rc = sweep_run(p, o->outdir, &so, &t, &err);
    sweep_plan_free(p);
    if (rc) {
        cli_print_error(&err);
        return CLI_EXIT_CANTCREAT;
    }
    if (!o->quiet) {
        fprintf(stderr, "dmasim sweep: %zu points: %zu done, %zu failed, %zu skipped (already "
                "done", t.total, t.done, t.failed, t.skipped);
        if (t.failed_before)
            fprintf(stderr, ", %zu of them failed", t.failed_before);
        fprintf(stderr, ")");
        if (t.excluded)
            fprintf(stderr, "; %zu excluded by where", t.excluded);
        fprintf(stderr, "\ndmasim sweep: results in %s/points.csv\n", o->outdir);
    }
    int status = t.failed + t.failed_before ? CLI_EXIT_POINTS_FAILED : CLI_EXIT_OK;
    if (!o->report || o->shard_n > 1) /* a shard makes no report */
        cli_drop_stale_report(o->outdir);
    if (o->report && o->shard_n > 1) {
        if (!o->quiet)
            fprintf(stderr, "dmasim sweep: --report: shard %u/%u holds part of the sweep; run "
                    "'dmasim report' on the merged folder\n", o->shard_k, o->shard_n);
    } else if (o->report) {
        int rs = cli_report_folder(o->outdir, NULL, NULL, o->quiet);
        if (rs && !status)
            status = rs;
    }
    return status;
}

int cli_cmd_sweep(int argc, char **argv)
{
    struct sweep_cli o;
    int status = parse_opts(argc, argv, &o);
    if (status == 0) {
        struct cfg_errors errs;
        cfg_errors_init(&errs);
        cfg_doc *doc = NULL;
        int rc = cfg_doc_load(o.scenario, &doc, &errs);
        if (rc) {
            cli_print_cfg_errors(&errs);
            status = rc == DMS_ENOENT || rc == DMS_EIO ? CLI_EXIT_NOINPUT : CLI_EXIT_DATAERR;
        } else {
            status = run_sweep(&o, doc);
        }
        cfg_errors_fini(&errs);
        cfg_doc_free(doc);
    }
    free(o.sets);
    free(o.axes);
    return status;
}

int cli_cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (c != 'o') {
            fputs(cli_usage_merge, stderr);
            return CLI_EXIT_USAGE;
        }
        if (cli_check_outdir("merge", optarg))
            return CLI_EXIT_USAGE;
        out = optarg;
    }
    if (!out || optind >= argc) {
        cli_errorf("merge", "expected -o OUT and at least one shard folder");
        return CLI_EXIT_USAGE;
    }
    struct sweep_merge_report r;
    struct dms_error err;
    dms_error_clear(&err);
    size_t n = (size_t)(argc - optind);
    int rc = sweep_merge((const char *const *)argv + optind, n, out, &r, &err);
    for (size_t i = 0; i < r.n_duplicate && i < DMS_ARRAY_LEN(r.duplicate); i++)
        fprintf(stderr, "dmasim merge: point %zu is in more than one shard (identical; one "
                "copy kept)\n", r.duplicate[i]);
    if (r.n_duplicate > DMS_ARRAY_LEN(r.duplicate))
        fprintf(stderr, "dmasim merge: ... %zu duplicated points in all\n", r.n_duplicate);
    if (r.n_missing) {
        fprintf(stderr, "dmasim merge: missing points:");
        for (size_t i = 0; i < r.n_missing && i < DMS_ARRAY_LEN(r.missing); i++)
            fprintf(stderr, " %zu", r.missing[i]);
        fprintf(stderr, "%s\n", r.n_missing > DMS_ARRAY_LEN(r.missing) ? " ..." : "");
    }
    if (rc) {
        cli_print_error(&err);
        return rc == DMS_EIO ? CLI_EXIT_CANTCREAT : cli_exit_for(rc);
    }
    fprintf(stderr, "dmasim merge: %zu points from %zu shards into %s\n", r.points, n, out);
    return CLI_EXIT_OK;
}
