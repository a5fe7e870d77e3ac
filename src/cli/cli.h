/* SPDX-License-Identifier: MIT */
/*
 * cli: the dmasim command. The only layer that prints, reads the command line and the
 * environment, and chooses the exit status. Each subcommand lives in its own cmd_*.c.
 */
#ifndef CLI_H
#define CLI_H

#include "dms.h"

/* Exit statuses (sysexits-style; documented in docs/dmasim.1). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FINDINGS = 1,    /* the run finished but --strict found verifier diagnostics,
                                 or a check did not agree with theory */
    CLI_EXIT_NOT_MET = 10,    /* objectives not met (recommend: no size meets one) */
    CLI_EXIT_POINTS_FAILED = 14, /* one or more sweep points failed */
    CLI_EXIT_USAGE = 64,      /* bad command line */
    CLI_EXIT_DATAERR = 65,    /* bad input data: scenario, trace */
    CLI_EXIT_NOINPUT = 66,    /* an input file does not exist or cannot be read */
    CLI_EXIT_UNAVAILABLE = 69, /* a program the command needs (gnuplot) is missing */
    CLI_EXIT_SOFTWARE = 70,   /* internal error */
    CLI_EXIT_CANTCREAT = 73,  /* cannot create an output file */
};

struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the subcommand name */
    const char *summary;
    const char *usage;                /* full --help text */
};

int cli_cmd_run(int argc, char **argv);
int cli_cmd_trace(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_recommend(int argc, char **argv);
int cli_cmd_sweep(int argc, char **argv);
int cli_cmd_merge(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_later(int argc, char **argv);

extern const char cli_usage_run[], cli_usage_trace[], cli_usage_check[], cli_usage_sweep[],
    cli_usage_merge[], cli_usage_recommend[], cli_usage_report[];

/* Prints "dmasim: <formatted error>" to stderr. */
void cli_print_error(const struct dms_error *err);
/* Prints "dmasim <cmd>: <message>" to stderr (printf-style). */
void cli_errorf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Maps a DMS_E* code from reading input to an exit status (ENOENT and EIO -> NOINPUT, bad
 * data -> DATAERR); code that writes output maps its own failures to CANTCREAT. */
int cli_exit_for(int code);
/* True when argv contains -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

#endif
