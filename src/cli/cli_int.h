/* SPDX-License-Identifier: MIT */
/* cli: helpers shared by the subcommands. */
#ifndef CLI_INT_H
#define CLI_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "run.h"

#ifndef DMASIM_VERSION
#define DMASIM_VERSION "0.0.0"
/* The progress line of a run (cli_progress.c); cli_progress_fn is a run_progress_fn. */
struct cli_progress {
    double start_s, last_s;
    int64_t per_rep_ns;  /* estimated simulated time of one replication; -1 unknown */
    int64_t sim_ns;      /* simulated time last reported by a running replication */
    unsigned threads;
    bool shown, forced;
};
void cli_progress_init(struct cli_progress *p, int64_t per_rep_ns, unsigned threads, bool forced);
void cli_progress_fn(void *ctx, unsigned done, unsigned total, int64_t sim_ns);

#endif

/* Parses a decimal integer in [lo, hi]; returns 0 or -1. */
int cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out);
/* Parses a double; returns 0 or -1. */
int cli_parse_double(const char *s, double *out);
/* 0 if arg has the KEY=VALUE form of --set (a key before the '='), else prints why (as
 * command cmd) and returns -1; the key and value themselves are checked by the loader. */
int cli_check_set(const char *cmd, const char *arg);
/* Removes the folder dir when it holds an earlier report: its report.html and nothing but
 * what dmasim report writes (.html, .dat, .gp, .svg, .png files), which would otherwise
 * sit beside a new one, or beside results it no longer shows. A folder with anything else
 * in it, or without report.html (a user's own pictures), is left alone. */
void cli_drop_report_dir(const char *dir);
/* cli_drop_report_dir on outdir/report: for run, sweep and recommend when they write new
 * results without a new report, so no report of older ones is left beside them. */
void cli_drop_stale_report(const char *outdir);
/* 0 if arg names a folder for -o, else prints why (as command cmd) and returns -1. */
int cli_check_outdir(const char *cmd, const char *arg);
/* Takes option c of those the scenario commands (run, sweep, recommend) share: 'o' (-o DIR
 * into *outdir) or 's' (--set KEY=VALUE appended to sets). Returns 0, or -1 after printing
 * why arg is refused (as command cmd). */
int cli_take_scenario_opt(const char *cmd, int c, const char *arg, const char **outdir,
                          const char **sets, size_t *n_sets);
/* "out/<scenario file name without folder and extension>". */
void cli_default_outdir(const char *scenario, char *buf, size_t n);
/* dmasim report on folder dir into out (NULL: dir/report) with formats ("html,png,svg";
 * NULL: all). Returns the exit status (0, 64-74) and prints its own errors. */
int cli_report_folder(const char *dir, const char *out, const char *formats, bool quiet);
/* Prints the scenario line (before the run starts) to standard output. */
void cli_print_header(const struct cfg_scenario *sc);
/* Prints the human summary of a run to standard output (verbose: more detail). */
void cli_print_summary(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                       const char *outdir, bool verbose);
/* The exit status of a finished run (DMS_EXIT_*; precedence in dms.h). */
int cli_run_exit_status(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n);
/* An event-log entry in words, e.g. "unsupported configuration: ReceiveBuffers = 300 is
 * out of range". Writes into buf of size n and returns it. */
char *cli_errlog_words(const struct run_errlog *e, char *buf, size_t n);

/* The progress line of a run (cli_progress.c); cli_progress_fn is a run_progress_fn. */
struct cli_progress {
    double start_s, last_s;
    int64_t per_rep_ns;  /* estimated simulated time of one replication; -1 unknown */
    int64_t sim_ns;      /* simulated time last reported by a running replication */
    unsigned threads;
    bool shown, forced;
};
void cli_progress_init(struct cli_progress *p, int64_t per_rep_ns, unsigned threads, bool forced);
void cli_progress_fn(void *ctx, unsigned done, unsigned total, int64_t sim_ns);

/* Prints every scenario error of errs (borrowed), one "dmasim: file:line:col: ..." line
 * each, to stderr. */
void cli_print_cfg_errors(const struct cfg_errors *errs);

#endif
