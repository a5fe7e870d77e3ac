/* SPDX-License-Identifier: MIT */
/*
 * dmasim recommend: the sizing search of src/recommend, with its evaluator.
 *
 * The search runs its candidate points through the recommend module's runner (the scenario
 * with the profile's and the point's overrides, through run_scenario); this file keeps each
 * point's result folder under DIR/runs/<profile>/<label>/ (result.json, result.csv,
 * occupancy.csv, overrides.txt) so that report can plot sizing curves. recommendation.json
 * and curves.csv appear only at the end.
 */
#include <getopt.h>
#include <math.h>
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
#include "rec.h"
#include "run_result.h"
#include "run.h"
#include "trc.h"

const char cli_usage_recommend[] =
    "usage: dmasim recommend SCENARIO.yaml -o DIR [--profiles LIST] [--set KEY=VALUE]...\n"
    "                        [-j THREADS] [--budget RUNS|TIME] [--report] [-q]\n\n"
    "Searches, for every NIC and machine profile, the smallest BaseMapRegistersNeeded,\n"
    "receive buffers, pool descriptors and send buffers that meet the scenario's\n"
    "objectives, and says what decided each number. Writes DIR/recommendation.json,\n"
    "DIR/curves.csv and the runs it made under DIR/runs/; prints a table.\n\n"
    "  -o, --output DIR     where to write (required)\n"
    "      --profiles LIST  machine profiles, comma-separated (default up,smp): up (1\n"
    "                       processor), smp (the scenario's processors if above 1, else\n"
    "                       4), as-is, up=N or smp=N; a suffix *K also scales the traffic\n"
    "  -s, --set KEY=VALUE  override a scenario key first, as for run\n"
    "  -j, --threads N      replications run on N threads (results do not depend on N)\n"
    "      --budget B       stop after B replications run, or after a time (30s, 10min, 1h);\n"
    "                       the output then says the search stopped on the budget\n"
    "      --report         then make the plots and HTML report in DIR/report\n"
    "                       (as 'dmasim report DIR')\n"
    "  -q, --quiet          no table\n"
    "  -h, --help           this text\n\n"
    "Exit status: 0 every objective met, 10 an objective no size meets (explained in the\n"
    "output), 64-74 as for run.\n";

struct rec_cli {
    const char *scenario, *outdir, *profiles;
    const char **sets;
    size_t n_sets;
    unsigned threads;
    bool quiet, report;
    uint64_t budget_runs;
    double budget_s, start_s;
    cfg_doc *doc;
    int write_status;            /* CLI_EXIT_CANTCREAT once a folder could not be written */
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_budget(const char *s, struct rec_cli *o)
{
    unsigned runs;
    if (cli_parse_uint(s, 1, 100000000, &runs) == 0) {
        o->budget_runs = runs;
        return 0;
    }
    /* minutes and hours as well as the scenario's time units (ns .. s): a budget is wall
     * time, often longer than any simulated time. "10min" is read as the time "10s", times
     * 60, so the number follows the scenario's grammar (no exponent, no hex). */
    size_t len = strlen(s), cut = 0;
    double scale = 1;
    if (len > 3 && !strcmp(s + len - 3, "min"))
        cut = 3, scale = 60;
    else if (len > 1 && s[len - 1] == 'h')
        cut = 1, scale = 3600;
    char text[64];
    if (len - cut + 2 > sizeof text)
        return -1;
    snprintf(text, sizeof text, "%.*s%s", (int)(len - cut), s, cut ? "s" : "");
    int64_t ns;
    struct dms_error err;
    dms_error_clear(&err);
    if (cfg_parse_time(text, &ns, &err) || ns <= 0 || (double)ns / 1e9 * scale > 1e7)
        return -1;
    o->budget_s = (double)ns / 1e9 * scale;
    return 0;
}

static int parse_opts(int argc, char **argv, struct rec_cli *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},  {"profiles", required_argument, NULL, 'P'},
        {"threads", required_argument, NULL, 'j'}, {"budget", required_argument, NULL, 'B'},
        {"quiet", no_argument, NULL, 'q'},         {"set", required_argument, NULL, 's'},
        {"report", no_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->sets = dms_xcalloc((size_t)argc, sizeof *o->sets);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = cpus > 0 ? (unsigned)cpus : 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:s:j:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
        case 's':
            if (cli_take_scenario_opt("recommend", c, optarg, &o->outdir, o->sets, &o->n_sets))
                return CLI_EXIT_USAGE;
            break;
        case 'P': o->profiles = optarg; break;
        case 'q': o->quiet = true; break;
        case 'R': o->report = true; break;
        case 'j':
            if (cli_parse_uint(optarg, 1, 1024, &o->threads)) {
                cli_errorf("recommend", "-j needs a number of threads from 1 to 1024, not '%s'",
                           optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'B':
            if (parse_budget(optarg, o)) {
                cli_errorf("recommend", "--budget needs a number of runs or a time (30s, "
                           "10min), not '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        default: fputs(cli_usage_recommend, stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !o->outdir) {
        cli_errorf("recommend", "expected one scenario file and -o DIR (see 'dmasim recommend "
                   "--help')");
        return CLI_EXIT_USAGE;
    }
    o->scenario = argv[optind];
    return 0;
}

/* Keeps a point's result folder (the runner's keep hook). */
static int write_point(void *ctx, const struct rec_profile *prof, const struct rec_point *pt,
                       const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                       struct dms_error *err)
{
    struct rec_cli *o = ctx;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/runs/%s/%s", o->outdir, prof->name, pt->label);
    struct run_meta meta = {.dmasim_version = DMASIM_VERSION,
                            .generator = eng_rng_type()->name};
    dms_jw *w = dms_jw_new();
    run_result_json(sc, reps, n, &meta, w);
    size_t json_len;
    const char *json = dms_jw_data(w, &json_len);
    char *csv = run_result_csv(sc, reps, n);
    char *occ = run_occupancy_csv(sc, reps, n);
    size_t cap = 64 + (prof->n_sets + pt->n_sets) * (REC_SET_LEN + 1), used = 0;
    char *sets = dms_xcalloc(1, cap);
    for (size_t j = 0; j < prof->n_sets; j++)
        used += (size_t)snprintf(sets + used, cap - used, "%s\n", prof->sets[j]);
    for (size_t j = 0; j < pt->n_sets; j++)
        used += (size_t)snprintf(sets + used, cap - used, "%s\n", pt->sets[j]);
    dms_stage *st = dms_stage_new();
    int rc = dms_mkdir_p(dir, err);
    static const char *const names[] = {"result.json", "result.csv", "occupancy.csv",
                                        "overrides.txt"};
    const char *data[] = {json, csv, occ, sets};
    size_t lens[] = {json_len, strlen(csv), strlen(occ), used};
    for (size_t j = 0; j < 4 && !rc; j++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[j]);
        rc = dms_stage_add(st, path, data[j], lens[j], err);
    }
    if (!rc)
        rc = dms_stage_commit(st, err);
    dms_stage_free(st);
    if (rc)
        o->write_status = CLI_EXIT_CANTCREAT;
    free(sets);
    free(occ);
    free(csv);
    dms_jw_free(w);
    return rc;
}

static bool out_of_time(void *ctx)
{
    const struct rec_cli *o = ctx;
    return o->budget_s > 0 && wall_s() - o->start_s >= o->budget_s;
}

static int write_outputs(struct rec_cli *o, const struct rec_result *r)
{
    struct dms_error err;
    dms_error_clear(&err);
    dms_jw *w = dms_jw_new();
    rec_write_json(r, o->scenario, DMASIM_VERSION, w);
    size_t len;
    const char *json = dms_jw_data(w, &len);
    char *csv = rec_curves_csv(r);
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/recommendation.json", o->outdir);
    snprintf(b, sizeof b, "%s/curves.csv", o->outdir);
    dms_stage *st = dms_stage_new();
    int rc = dms_mkdir_p(o->outdir, &err);
    if (!rc)
        rc = dms_stage_add(st, a, json, len, &err);
    if (!rc)
        rc = dms_stage_add(st, b, csv, strlen(csv), &err);
    if (!rc)
        rc = dms_stage_commit(st, &err);
    dms_stage_free(st);
    free(csv);
    dms_jw_free(w);
    if (rc) {
        cli_print_error(&err);
        return CLI_EXIT_CANTCREAT;
    }
    return 0;
}

static int recommend(struct rec_cli *o, const struct cfg_scenario *sc0)
{
    struct dms_error err;
    dms_error_clear(&err);
    int rc;
    struct rec_profile prof[8];
    size_t np = 0;
    if (rec_profiles_parse(sc0, o->profiles, o->sets, o->n_sets, prof, &np, &err)) {
        cli_print_error(&err);
        return CLI_EXIT_USAGE;
    }
    struct cfg_scenario *psc[8] = {NULL};
    int status = 0;
    for (size_t p = 0; p < np && !status; p++) {
        char why[256];
        if (rec_resolve(o->doc, &prof[p], NULL, &psc[p], why, sizeof why)) {
            fprintf(stderr, "dmasim recommend: profile %s: %s\n", prof[p].name, why);
            status = CLI_EXIT_DATAERR;
        }
        prof[p].sc = psc[p];
    }
    struct rec_result res;
    if (!status) {
        struct rec_runner runner = {.doc = o->doc, .threads = o->threads,
                                    .traces = run_traces_new(), .keep = write_point,
                                    .keep_ctx = o};
        struct rec_options opt = {.eval = rec_runner_eval, .eval_ctx = &runner,
                                  .out_of_time = out_of_time, .stop_ctx = o,
                                  .max_runs = o->budget_runs};
        o->start_s = wall_s();
        rc = rec_run(prof, np, &opt, &res, &err);
        run_traces_free(runner.traces);
        if (rc) {
            cli_print_error(&err);
            status = o->write_status ? o->write_status : cli_exit_for(rc);
        }
    }
    if (!status) {
        status = write_outputs(o, &res);
        if (!status && !o->quiet) {
            char *t = rec_table(&res);
            fputs(t, stdout);
            printf("%llu replications run%s; recommendation: %s/recommendation.json\n",
                   (unsigned long long)res.runs,
                   res.budget_spent ? ", stopped by the budget" : "", o->outdir);
            free(t);
        }
        /* the answer's own status (10) comes before the report's (69 without gnuplot), as
         * for run and sweep: the recommendation is whole either way */
        int written = status;
        if (!status && !res.met)
            status = CLI_EXIT_NOT_MET;
        if (!written && o->report) {
            int rs = cli_report_folder(o->outdir, NULL, NULL, o->quiet);
            if (rs && !status)
                status = rs;
        } else if (!written) {
            cli_drop_stale_report(o->outdir);
        }
        rec_result_fini(&res);
    }
    for (size_t p = 0; p < np; p++)
        cfg_scenario_free(psc[p]);
    return status;
}

int cli_cmd_recommend(int argc, char **argv)
{
    struct rec_cli o;
    int status = parse_opts(argc, argv, &o);
    if (status) {
        free(o.sets);
        return status;
    }
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    struct cfg_scenario *sc = NULL;
    int rc = cfg_doc_load(o.scenario, &o.doc, &errs);
    if (rc == 0)
        rc = cfg_doc_resolve(o.doc, o.sets, o.n_sets, &sc, &errs);
    if (rc) {
        cli_print_cfg_errors(&errs);
        cfg_errors_fini(&errs);
        cfg_doc_free(o.doc);
        free(o.sets);
        return rc == DMS_ENOENT || rc == DMS_EIO ? CLI_EXIT_NOINPUT : CLI_EXIT_DATAERR;
    }
    cfg_errors_fini(&errs);
    status = recommend(&o, sc);
    cfg_scenario_free(sc);
    cfg_doc_free(o.doc);
    free(o.sets);
    return status;
}
