/* SPDX-License-Identifier: MIT */
/*
 * dmasim: entry point. Dispatches to a subcommand, prints the tool's help and versions.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>

/* libpcap's version string (declared here: pcap.h needs BSD types this build hides). */
const char *pcap_lib_version(void);

#include "cfg.h"
#include "cli.h"
#include "trc.h"

#ifndef DMASIM_VERSION
#define DMASIM_VERSION "0.0.0"
#endif

#define LATER_USAGE(cmd)                                                                   \
    "usage: dmasim " cmd " ...\n\nThis subcommand is part of the planned interface and not "  \
    "available in this\nversion; 'dmasim run' and 'dmasim check' cover its ground for now.\n"

const struct cli_cmd cli_commands[] = {
    {"run", cli_cmd_run, "run a scenario and write result.json, result.csv, summary.csv",
     cli_usage_run, NULL},
    {"trace", cli_cmd_trace, "inspect or generate packet traces (info, gen)", cli_usage_trace,
     "info gen"},
    {"check", cli_cmd_check, "compare the model with queueing theory (erlang)",
     cli_usage_check, "erlang"},
    {"sweep", cli_cmd_sweep, "run a parameter sweep (sharded, resumable)", cli_usage_sweep,
     NULL},
    {"recommend", cli_cmd_recommend,
     "the smallest BaseMapRegistersNeeded and pool sizes meeting the objectives, with reasons",
     cli_usage_recommend, NULL},
    {"report", cli_cmd_report, "plots and an HTML capacity report of a result folder",
     cli_usage_report, NULL},
    {"merge", cli_cmd_merge, "merge the shards of a sweep into one folder", cli_usage_merge,
     NULL},
    {"help", cli_cmd_help, "describe a command: dmasim help COMMAND", cli_usage_help,
     "run trace check sweep recommend report merge help completion"},
    {"completion", cli_cmd_completion, "print a bash or zsh completion script",
     cli_usage_completion, "bash zsh"},
};
const size_t cli_n_commands = DMS_ARRAY_LEN(cli_commands);

const char cli_usage_help[] =
    "usage: dmasim help [COMMAND]\n\n"
    "Describes COMMAND (the same text as 'dmasim COMMAND --help'), or lists the commands.\n";

static void print_usage(FILE *f)
{
    fprintf(f, "usage: dmasim [--version] [--help] <command> [<args>]\n\n"
               "dmasim replays packet traces against an NDIS 5.1 busmaster miniport on a\n"
               "simulated machine and NIC, and reports how its DMA resources hold up.\n\n"
               "commands:\n");
    for (size_t i = 0; i < cli_n_commands; i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(f, "\n'dmasim help COMMAND' describes a command. Exit statuses: 0 ok; 10 objectives\n"
               "not met; 11 a NIC failed to initialize; 12 the machine hung; 13 verifier\n"
               "diagnostics under --strict (when several apply: 12, 11, 13, 10); 14 sweep points\n"
               "failed; 1 a check disagreed with theory; 64 usage, 65 bad data, 66 no input,\n"
               "69 a needed program (gnuplot) is missing, 70 internal error, 73 cannot create\n"
               "output, 74 standard output could not be written. See dmasim(1).\n");
}

static void print_version(void)
{
    printf("dmasim %s\n", DMASIM_VERSION);
    printf("GSL %s\n", gsl_version);
    printf("libyaml %s\n", cfg_libyaml_version());
    printf("%s\n", pcap_lib_version());
}

void cli_print_error(const struct dms_error *err)
{
    char buf[1024];
    fprintf(stderr, "dmasim: %s\n", dms_error_format(err, buf, sizeof buf));
}

void cli_errorf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "dmasim %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_exit_for(int code)
{
    switch (code) {
    case 0: return CLI_EXIT_OK;
    case DMS_ENOENT: return CLI_EXIT_NOINPUT;
    case DMS_EINVAL:
    case DMS_ERANGE:
    case DMS_EFORMAT:
    case DMS_EUNSUP: return CLI_EXIT_DATAERR;
    case DMS_EIO: return CLI_EXIT_NOINPUT; /* reading; writers map their own EIO to 73 */
    default: return CLI_EXIT_SOFTWARE;
    }
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

int cli_cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 2) {
        cli_errorf("help", "expected one command name (see 'dmasim help')");
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < cli_n_commands; i++) {
        if (strcmp(argv[1], cli_commands[i].name) == 0) {
            fputs(cli_commands[i].usage, stdout);
            return CLI_EXIT_OK;
        }
    }
    cli_errorf("help", "unknown command '%s' (see 'dmasim help')", argv[1]);
    return CLI_EXIT_USAGE;
}

int cli_cmd_later(int argc, char **argv)
{
    cli_errorf(argv[0], "not available in this version");
    return CLI_EXIT_USAGE;
}

/*
 * Flushes standard output and closes it; a failure (a full disk, a closed descriptor)
 * means what the command printed is lost, so it is reported and turns an outcome status
 * (below 64) into 74. Error statuses of their own (64 and above) stay.
 */
static int finish(int status)
{
    /* A write that failed earlier left the error flag; the flush of what is still
     * buffered usually fails the same way and says why. */
    bool lost = ferror(stdout) != 0;
    errno = 0;
    int saved = fflush(stdout) != 0 ? errno : 0;
    lost = lost || saved != 0;
    /* everything flushed (or nothing printed): a closed descriptor (>&-) lost nothing */
    errno = 0;
    if (fclose(stdout) != 0 && !lost && errno != EBADF) {
        lost = true;
        saved = errno;
    }
    if (!lost)
        return status;
    if (saved)
        fprintf(stderr, "dmasim: cannot write standard output: %s\n", strerror(saved));
    else
        fprintf(stderr, "dmasim: cannot write standard output\n");
    return status < CLI_EXIT_USAGE ? CLI_EXIT_IOERR : status;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        print_version();
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < cli_n_commands; i++) {
        if (strcmp(cmd, cli_commands[i].name) == 0) {
            if (cli_wants_help(argc - 1, argv + 1)) {
                fputs(cli_commands[i].usage, stdout);
                return CLI_EXIT_OK;
            }
            optind = 1;
            return cli_commands[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "dmasim: unknown command '%s' (see 'dmasim --help')\n", cmd);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    return finish(dispatch(argc, argv));
}
