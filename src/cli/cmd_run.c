/* SPDX-License-Identifier: MIT */
/*
 * dmasim run: load a scenario, run its replications, write result.json and result.csv
 * (staged, renamed into place together at the end), print a short summary.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_int.h"
#include "dms_fs.h"
#include "dms_json.h"
#include "eng.h"
#include "rpt.h"
#include "run.h"
#include "trc.h"

const char cli_usage_run[] =
    "usage: dmasim run SCENARIO.yaml [-o DIR] [--set KEY=VALUE]... [--json] [--strict]\n"
    "                  [-j THREADS] [-q]\n\n"
    "Runs every replication of the scenario and writes DIR/result.json and DIR/result.csv\n"
    "(default DIR: out/<scenario name>). Files appear only once complete.\n\n"
    "  -o, --output DIR     where to write the results\n"
    "  -s, --set KEY=VALUE  override a scenario key, e.g.\n"
    "                       --set nics[0].driver.BaseMapRegistersNeeded=33\n"
    "      --json           print result.json on standard output instead of a summary\n"
    "      --strict         verifier diagnostics make the exit status 1\n"
    "  -j, --threads N      replications run on N threads (results do not depend on N;\n"
    "                       default: the number of processors)\n"
    "  -q, --quiet          no summary and no progress line\n"
    "  -h, --help           this text\n";

struct run_opts {
    const char *scenario;
    const char *outdir;
    const char **sets;
    size_t n_sets;
    bool json, strict, quiet;
    unsigned threads;
};

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"set", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'J'},         {"strict", no_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 'j'}, {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->sets = dms_xcalloc((size_t)argc, sizeof *o->sets);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = cpus > 0 ? (unsigned)cpus : 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:s:j:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->outdir = optarg; break;
        case 's': o->sets[o->n_sets++] = optarg; break;
        case 'J': o->json = true; break;
        case 'S': o->strict = true; break;
        case 'q': o->quiet = true; break;
        case 'j':
            if (cli_parse_uint(optarg, 1, 1024, &o->threads)) {
                cli_errorf("run", "-j needs a number of threads from 1 to 1024, not '%s'",
                           optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        default: fputs(cli_usage_run, stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_errorf("run", "expected one scenario file (see 'dmasim run --help')");
        return CLI_EXIT_USAGE;
    }
    o->scenario = argv[optind];
    return 0;
}

/* The progress line: at most a few times a second, and only once the run has taken more
 * than a second of wall time (short runs print nothing). */
struct progress_state {
    double start_s, last_s;
    bool shown;
    bool forced; /* DMASIM_PROGRESS=1: report from the start */
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(void *ctx, unsigned done, unsigned total, int64_t sim_ns)
{
    struct progress_state *ps = ctx;
    double now = wall_s();
    bool last = done == total && sim_ns < 0;
    double delay = ps->forced ? 0.0 : 1.0, gap = ps->forced ? 0.0 : 0.25;
    if (last ? !ps->shown : (now - ps->start_s < delay || now - ps->last_s < gap))
        return;
    ps->last_s = now;
    ps->shown = true;
    if (sim_ns >= 0)
        fprintf(stderr, "\rdmasim run: %u/%u replications done, one at %.3f s simulated   ",
                done, total, (double)sim_ns / 1e9);
    else
        fprintf(stderr, "\rdmasim run: %u/%u replications done%-30s", done, total, "");
    if (last)
        fputc('\n', stderr);
    fflush(stderr);
}

/* SHA-256 of each NIC's trace file; 0 or the error of the first unreadable file. */
static int hash_traces(const struct cfg_scenario *sc, struct rpt_trace_src *t,
                       struct dms_error *err)
{
    for (size_t i = 0; i < sc->n_nics; i++) {
        t[i].sha256[0] = '\0';
        const char *path = sc->nics[i].trace.path;
        if (sc->nics[i].trace.kind == CFG_TRACE_SYNTHETIC || !path)
            continue;
        int rc = trc_file_sha256(path, t[i].sha256, err);
        if (rc) {
            snprintf(err->path, sizeof err->path, "nics[%zu].trace", i);
            return rc;
        }
    }
    return 0;
}

static int write_results(const struct run_opts *o, const char *json, size_t json_len,
                         const char *csv, time_t started)
{
    /* temporaries of an earlier run into this folder that was killed while writing */
    static const char *const names[] = {"result.json", "result.csv"};
    dms_remove_stale_temps(o->outdir, names, 2, started);
    struct dms_error err;
    dms_error_clear(&err);
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/result.json", o->outdir);
    snprintf(b, sizeof b, "%s/result.csv", o->outdir);
    /* An interrupt while the files are staged and renamed waits until both are in place
     * (or both abandoned), so a run never leaves one file, or a temporary, behind. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    dms_stage *st = dms_stage_new();
    int rc = dms_mkdir_p(o->outdir, &err);
    if (!rc)
        rc = dms_stage_add(st, a, json, json_len, &err);
    if (!rc)
        rc = dms_stage_add(st, b, csv, strlen(csv), &err);
    if (!rc)
        rc = dms_stage_commit(st, &err);
    dms_stage_free(st);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        cli_print_error(&err);
        return CLI_EXIT_CANTCREAT;
    }
    return 0;
}

static int run_and_write(const struct run_opts *o, struct cfg_scenario *sc)
{
    struct dms_error err;
    dms_error_clear(&err);
    struct rpt_trace_src traces[CFG_MAX_NICS];
    time_t started = time(NULL);
    size_t n = (size_t)sc->run.replications;
    struct run_rep *reps = dms_xcalloc(n, sizeof *reps);
    /* DMASIM_PROGRESS=1 forces the progress line without a terminal (for tests). */
    const char *force = getenv("DMASIM_PROGRESS");
    bool show = !o->quiet && !o->json &&
                (isatty(STDERR_FILENO) || (force && strcmp(force, "1") == 0));
    struct progress_state ps = {.start_s = wall_s(), .forced = force && !strcmp(force, "1")};
    int rc = run_scenario(sc, o->threads, reps, show ? progress : NULL, &ps, &err);
    if (!rc) /* after the run, which checked each trace's format: no hashing of a non-trace */
        rc = hash_traces(sc, traces, &err);
    if (rc) {
        cli_print_error(&err);
        free(reps);
        return cli_exit_for(rc);
    }
    struct rpt_meta meta = {.dmasim_version = DMASIM_VERSION,
                            .generator = eng_rng_type()->name,
                            .traces = traces};
    dms_jw *w = dms_jw_new();
    rpt_result_json(sc, reps, n, &meta, w);
    size_t json_len;
    const char *json = dms_jw_data(w, &json_len);
    char *csv = rpt_result_csv(sc, reps, n);
    int status = write_results(o, json, json_len, csv, started);
    if (status == 0) {
        if (o->json)
            fwrite(json, 1, json_len, stdout);
        else if (!o->quiet)
            cli_print_summary(sc, reps, n, o->outdir);
        for (size_t r = 0; r < n; r++)
            if (reps[r].strict_failed)
                status = CLI_EXIT_FINDINGS;
    }
    free(csv);
    dms_jw_free(w);
    for (size_t r = 0; r < n; r++)
        run_rep_fini(&reps[r]);
    free(reps);
    return status;
}

int cli_cmd_run(int argc, char **argv)
{
    struct run_opts o;
    int status = parse_opts(argc, argv, &o);
    if (status) {
        free(o.sets);
        return status;
    }
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    struct cfg_scenario *sc = NULL;
    int rc = cfg_load(o.scenario, o.sets, o.n_sets, &sc, &errs);
    if (rc) {
        char *text = cfg_errors_format(&errs);
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
            fprintf(stderr, "dmasim: %s\n", line);
        free(text);
        cfg_errors_fini(&errs);
        free(o.sets);
        return rc == DMS_ENOENT || rc == DMS_EIO ? CLI_EXIT_NOINPUT : CLI_EXIT_DATAERR;
    }
    cfg_errors_fini(&errs);
    if (o.strict)
        sc->run.strict = true;
    char defdir[1024];
    if (!o.outdir) {
        cli_default_outdir(o.scenario, defdir, sizeof defdir);
        o.outdir = defdir;
    }
    status = run_and_write(&o, sc);
    cfg_scenario_free(sc);
    free(o.sets);
    return status;
}
