/* SPDX-License-Identifier: MIT */
/*
 * dmasim run: parse the options, load the scenario, run its replications (src/run), write
 * the result folder (run_write_result: staged and renamed into place, interrupts held) and the
 * JUnit file, print a short summary and pick the exit status (cli_run_exit_status).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_int.h"
#include "dms_fs.h"
#include "dms_json.h"
#include "rpt.h"
#include "run.h"

const char cli_usage_run[] =
    "usage: dmasim run SCENARIO.yaml [-o DIR] [--set KEY=VALUE]... [--json] [--strict]\n"
    "                  [--junit FILE] [-j THREADS] [--series INTERVAL] [--report] [-q | -v]\n\n"
    "Runs every replication of the scenario and writes DIR/result.json, DIR/result.csv\n"
    "(one row per replication and NIC), DIR/summary.csv (mean, CI half-width, n) and\n"
    "DIR/occupancy.csv, with --series DIR/series.csv too (default DIR: out/<scenario name>).\n"
    "Files appear only once complete.\n\n"
    "  -o, --output DIR     where to write the results\n"
    "  -s, --set KEY=VALUE  override a scenario key, e.g.\n"
    "                       --set nics[0].driver.BaseMapRegistersNeeded=33\n"
    "      --json           print result.json on standard output instead of a summary\n"
    "      --strict         verifier diagnostics make the exit status 13\n"
    "      --junit FILE     also write the verdicts as JUnit XML for CI systems ('-':\n"
    "                       on standard output, instead of the summary)\n"
    "  -j, --threads N      replications run on N threads (results do not depend on N;\n"
    "                       default: the number of processors)\n"
    "      --series INTERVAL  record buffers, map registers, FIFO and send queue of\n"
    "                       replication 0 every INTERVAL (e.g. 100us) into DIR/series.csv\n"
    "                       (at most 2048 rows per NIC: the interval doubles as needed)\n"
    "      --report         then make the plots and HTML report in DIR/report\n"
    "                       (as 'dmasim report DIR')\n"
    "  -q, --quiet          no summary and no progress line\n"
    "  -v, --verbose        more detail: the frame accounting and the system figures\n"
    "  -h, --help           this text\n\n"
    "Exit status: 0 all objectives met; 10 an objective NOT met; 11 a NIC failed to\n"
    "initialize; 12 the machine hung; 13 verifier diagnostics under --strict. When several\n"
    "apply: 12, then 11, then 13, then 10. 64 usage, 65 bad data, 66 no input, 73 cannot\n"
    "create output, 74 standard output could not be written.\n";

struct run_opts {
    const char *scenario;
    const char *outdir;
    const char *junit;
    const char **sets;
    size_t n_sets;
    bool json, strict, quiet, verbose, report;
    unsigned threads;
    int64_t series_ns;
};

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"set", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'J'},         {"strict", no_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 'j'}, {"quiet", no_argument, NULL, 'q'},
        {"series", required_argument, NULL, 'T'}, {"report", no_argument, NULL, 'R'},
        {"junit", required_argument, NULL, 'U'},   {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->sets = dms_xcalloc((size_t)argc, sizeof *o->sets);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = cpus > 0 ? (unsigned)cpus : 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:s:j:qv", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
        case 's':
            if (cli_take_scenario_opt("run", c, optarg, &o->outdir, o->sets, &o->n_sets))
                return CLI_EXIT_USAGE;
            break;
        case 'J': o->json = true; break;
        case 'S': o->strict = true; break;
        case 'q': o->quiet = true; break;
        case 'R': o->report = true; break;
        case 'T': {
            struct dms_error e;
            dms_error_clear(&e);
            if (cfg_parse_time(optarg, &o->series_ns, &e) || o->series_ns <= 0) {
                if (e.msg[0])
                    cli_errorf("run", "--series: %s", e.msg);
                else
                    cli_errorf("run", "--series needs a time above zero such as 100us, not "
                               "'%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        }
        case 'v': o->verbose = true; break;
        case 'U': o->junit = optarg; break;
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
    if (o->json && o->junit && strcmp(o->junit, "-") == 0) {
        cli_errorf("run", "--json and --junit - both print on standard output: give --junit a "
                   "file");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* --junit -: the XML goes to standard output once the result folder is written. */
static bool junit_stdout(const struct run_opts *o)
{
    return o->junit && strcmp(o->junit, "-") == 0;
}

/* The JUnit file, written whole (its missing parent folders first) before the result
 * folder; 0 or the exit status. (With --junit - the XML is printed after it instead.) */
static int write_junit(const struct run_opts *o, const struct cfg_scenario *sc,
                       const struct run_rep *reps, size_t n)
{
    if (junit_stdout(o))
        return 0;
    struct dms_error err;
    dms_error_clear(&err);
    int rc = dms_mkdir_parent(o->junit, &err);
    char *xml = rpt_junit(sc, reps, n);
    if (!rc)
        rc = dms_write_file_atomic(o->junit, xml, strlen(xml), &err);
    free(xml);
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
    size_t n = (size_t)sc->run.replications;
    struct run_rep *reps = dms_xcalloc(n, sizeof *reps);
    /* DMASIM_PROGRESS=1 forces the progress line without a terminal (for tests). */
    const char *force = getenv("DMASIM_PROGRESS");
    bool machine = o->json || junit_stdout(o); /* standard output is for a program */
    bool show = !o->quiet && !machine &&
                (isatty(STDERR_FILENO) || (force && strcmp(force, "1") == 0));
    struct cli_progress ps;
    cli_progress_init(&ps, show ? run_traffic_estimate_ns(sc, UINT64_C(256) << 20) : -1,
                      o->threads, force && !strcmp(force, "1"));
    if (!o->quiet && !machine)
        cli_print_header(sc);
    int rc = run_scenario(sc, o->threads, reps, show ? cli_progress_fn : NULL, &ps, &err);
    if (rc) {
        cli_print_error(&err);
        free(reps);
        return cli_exit_for(rc);
    }
    dms_jw *json = NULL;
    int status = o->junit ? write_junit(o, sc, reps, n) : 0;
    if (status == 0 && run_write_result(o->outdir, sc, reps, n, DMASIM_VERSION, &json, &err)) {
        cli_print_error(&err);
        if (o->junit && !junit_stdout(o))
            unlink(o->junit); /* all of the run's files, or none */
        status = CLI_EXIT_CANTCREAT;
    } else if (status == 0) {
        size_t len;
        const char *text = dms_jw_data(json, &len);
        if (o->json) {
            fwrite(text, 1, len, stdout);
        } else if (junit_stdout(o)) {
            char *xml = rpt_junit(sc, reps, n);
            fputs(xml, stdout);
            free(xml);
        } else if (!o->quiet) {
            cli_print_summary(sc, reps, n, o->outdir, o->verbose);
        }
        status = cli_run_exit_status(sc, reps, n);
        if (!o->report) { /* with --report, the new report clears its own folder */
            cli_drop_stale_report(o->outdir);
        } else {
            int rs = cli_report_folder(o->outdir, NULL, NULL, o->quiet || machine);
            if (rs && !status)
                status = rs;
        }
    }
    dms_jw_free(json);
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
        cli_print_cfg_errors(&errs);
        cfg_errors_fini(&errs);
        free(o.sets);
        return rc == DMS_ENOENT || rc == DMS_EIO ? CLI_EXIT_NOINPUT : CLI_EXIT_DATAERR;
    }
    cfg_errors_fini(&errs);
    if (o.strict)
        sc->run.strict = true;
    sc->run.series_ns = o.series_ns;
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
