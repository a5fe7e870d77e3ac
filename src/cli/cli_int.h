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
#endif

/* Parses a decimal integer in [lo, hi]; returns 0 or -1. */
int cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out);
/* Parses a double; returns 0 or -1. */
int cli_parse_double(const char *s, double *out);
/* "out/<scenario file name without folder and extension>". */
void cli_default_outdir(const char *scenario, char *buf, size_t n);
/* dmasim report on folder dir into out (NULL: dir/report) with formats ("html,png,svg";
 * NULL: all). Returns the exit status (0, 64-74) and prints its own errors. */
int cli_report_folder(const char *dir, const char *out, const char *formats, bool quiet);
/* Prints the human summary of a run to standard output. */
void cli_print_summary(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                       const char *outdir);

#endif
