/* SPDX-License-Identifier: MIT */
/* cli_util: number parsing and the default output folder. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_int.h"

int cli_check_set(const char *cmd, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (eq && eq != arg)
        return 0;
    cli_errorf(cmd, "--set needs KEY=VALUE, such as nics[0].driver.ReceiveBuffers=64, not '%s'",
               arg);
    return -1;
}

int cli_check_outdir(const char *cmd, const char *arg)
{
    if (*arg)
        return 0;
    cli_errorf(cmd, "-o needs a folder name, not an empty string");
    return -1;
}

int cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

void cli_default_outdir(const char *scenario, char *buf, size_t n)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    const char *dot = strrchr(base, '.');
    int len = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    snprintf(buf, n, "out/%.*s", len, base);
}


void cli_print_cfg_errors(const struct cfg_errors *errs)
{
    char *text = cfg_errors_format(errs);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        fprintf(stderr, "dmasim: %s\n", line);
    free(text);
}
