/* SPDX-License-Identifier: MIT */
/*
 * cli: the dmasim command. The only layer that prints, reads the command line and the
 * environment, and chooses the exit status. Each subcommand lives in its own cmd_*.c.
 */
#ifndef CLI_H
#define CLI_H

#include "dms.h"

/* Exit statuses: the shared DMS_EXIT_* codes of dms.h (documented in docs/dmasim.1). */
enum {
    CLI_EXIT_OK = DMS_EXIT_OK,
    CLI_EXIT_FINDINGS = DMS_EXIT_FINDINGS, /* dmasim check: a check disagreed with theory */
    CLI_EXIT_NOT_MET = DMS_EXIT_OBJECTIVES,   /* objectives not met (recommend: no size meets one) */
    CLI_EXIT_POINTS_FAILED = DMS_EXIT_POINTS_FAILED, /* one or more sweep points failed */
    CLI_EXIT_USAGE = DMS_EXIT_USAGE,
    CLI_EXIT_DATAERR = DMS_EXIT_DATAERR,
    CLI_EXIT_NOINPUT = DMS_EXIT_NOINPUT,
    CLI_EXIT_UNAVAILABLE = 69, /* a program the command needs (gnuplot) is missing */
    CLI_EXIT_SOFTWARE = DMS_EXIT_SOFTWARE,
    CLI_EXIT_CANTCREAT = DMS_EXIT_CANTCREAT,
    CLI_EXIT_IOERR = DMS_EXIT_IOERR, /* standard output could not be written */
};

struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the subcommand name */
    const char *summary;
    const char *usage;                /* full --help text; its options feed completion */
    const char *words;                /* words the first argument may be ("info gen"), or
                                         NULL: a file */
};

/* The command table (main.c), in the order --help lists it. */
extern const struct cli_cmd cli_commands[];
extern const size_t cli_n_commands;

int cli_cmd_run(int argc, char **argv);
int cli_cmd_trace(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_recommend(int argc, char **argv);
int cli_cmd_sweep(int argc, char **argv);
int cli_cmd_merge(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_later(int argc, char **argv);
int cli_cmd_help(int argc, char **argv);
int cli_cmd_completion(int argc, char **argv);

extern const char cli_usage_run[], cli_usage_trace[], cli_usage_check[], cli_usage_sweep[],
    cli_usage_merge[], cli_usage_recommend[], cli_usage_report[], cli_usage_help[],
    cli_usage_completion[];

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
