/* SPDX-License-Identifier: MIT */
/* cli_util: number parsing, option checks, the default output folder and an old report. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dms_fs.h"

#include "cli.h"
#include "cli_int.h"

/* Whether name is a file dmasim report writes. */
static bool report_file(const char *name)
{
    static const char *const ext[] = {".html", ".dat", ".gp", ".svg", ".png"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        size_t k = strlen(ext[i]);
        if (n > k && strcmp(name + n - k, ext[i]) == 0)
            return true;
    }
    return false;
}

void cli_drop_report_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    bool ours = true, page = false; /* a report writes its page: without one, not ours */
    for (struct dirent *e; ours && (e = readdir(d)) != NULL;) {
        page |= strcmp(e->d_name, "report.html") == 0;
        ours = e->d_name[0] == '.' ? (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                                   : report_file(e->d_name);
    }
    closedir(d);
    if (ours && page)
        (void)dms_remove_flat_dir(dir, NULL);
}

void cli_drop_stale_report(const char *outdir)
{
    char rdir[4096];
    snprintf(rdir, sizeof rdir, "%s/report", outdir);
    cli_drop_report_dir(rdir);
}

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

int cli_take_scenario_opt(const char *cmd, int c, const char *arg, const char **outdir,
                          const char **sets, size_t *n_sets)
{
    if (c == 'o') {
        if (cli_check_outdir(cmd, arg))
            return -1;
        *outdir = arg;
        return 0;
    }
    if (cli_check_set(cmd, arg))
        return -1;
    sets[(*n_sets)++] = arg;
    return 0;
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
