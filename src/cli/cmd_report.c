/* SPDX-License-Identifier: MIT */
/*
 * dmasim report: plots and the HTML capacity report of a run, sweep or recommend folder.
 * Reads results only; never simulates. Writes every plot's .dat and .gp, runs gnuplot on
 * each script (to temporary names, renamed into place), then writes report.html with the
 * images inlined. Without gnuplot the .dat and .gp files are still written and the exit
 * status is 69 (unavailable).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_int.h"
#include "dms_fs.h"
#include "rpt_gen.h"

const char cli_usage_report[] =
    "usage: dmasim report DIR [-o OUT] [--format html,png,svg] [-q]\n\n"
    "Makes plots (gnuplot) and one self-contained HTML capacity report from the results in\n"
    "DIR: a run folder (result.json), a sweep folder (points.csv) or a recommend folder\n"
    "(recommendation.json). It reads results only and never runs a simulation.\n\n"
    "  -o, --output OUT     where to write (default DIR/report): report.html, and per plot\n"
    "                       NAME.dat, NAME.gp (re-run with 'gnuplot NAME.gp'), NAME.svg,\n"
    "                       NAME.png\n"
    "  -f, --format LIST    any of html, png, svg, comma-separated (default all three);\n"
    "                       the HTML inlines the SVG images, or the PNG ones without svg\n"
    "  -q, --quiet          print nothing on success\n"
    "  -h, --help           this text\n\n"
    "The date in the report is now, or SOURCE_DATE_EPOCH (seconds) when set, so two\n"
    "reports of the same results are byte-identical. DMASIM_GNUPLOT names the gnuplot\n"
    "program (default: gnuplot on PATH). Exit 69 when gnuplot is needed but missing.\n";

/* Finds prog on PATH (or as given, when it holds a slash); fills buf. */
static bool find_program(const char *prog, char *buf, size_t n)
{
    if (strchr(prog, '/')) {
        snprintf(buf, n, "%s", prog);
        return access(buf, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t k = strcspn(path, ":");
        snprintf(buf, n, "%.*s/%s", (int)k, k ? path : ".", prog);
        struct stat st;
        if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
            return true;
        path += k + (path[k] == ':');
    }
    return false;
}

/* Runs "gnuplot -e 'out=...; formats=...' STEM.gp" in dir; returns its exit status, or -1. */
static int run_gnuplot(const char *gnuplot, const char *dir, const char *stem,
                       const char *formats)
{
    char expr[512], script[256];
    snprintf(expr, sizeof expr, "out = \".%s.tmp\"; formats = \"%s\"", stem, formats);
    snprintf(script, sizeof script, "%s.gp", stem);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        execl(gnuplot, "gnuplot", "-e", expr, script, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct report_opts {
    const char *dir, *out;
    bool html, png, svg, quiet;
};

static int parse_formats(const char *s, struct report_opts *o)
{
    o->html = o->png = o->svg = false;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *w = strtok(buf, ","); w; w = strtok(NULL, ",")) {
        if (strcmp(w, "html") == 0)
            o->html = true;
        else if (strcmp(w, "png") == 0)
            o->png = true;
        else if (strcmp(w, "svg") == 0)
            o->svg = true;
        else
            return -1;
    }
    return o->html || o->png || o->svg ? 0 : -1;
}

static void date_text(char *buf, size_t n)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t = time(NULL);
    if (sde && *sde) {
        char *e;
        long long v = strtoll(sde, &e, 10);
        if (!*e && v >= 0)
            t = (time_t)v;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct dms_error err;
    dms_error_clear(&err);
    if (dms_write_file_atomic(path, text, strlen(text), &err)) {
        cli_print_error(&err);
        return CLI_EXIT_CANTCREAT;
    }
    return 0;
}

/* Renames OUT/.STEM.tmp.EXT to OUT/STEM.EXT for each format made; keeps the bytes of the
 * one the HTML inlines (svg, else png) in *img. */
static int collect_images(const char *out, const struct rpt_plot *p, const struct report_opts *o,
                          bool svg_made, char **img, size_t *len)
{
    static const char *const exts[2] = {"svg", "png"};
    bool made[2] = {svg_made, o->png};
    for (int k = 0; k < 2; k++) {
        if (!made[k])
            continue;
        char tmp[4400], dst[4400];
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%s", out, p->stem, exts[k]);
        snprintf(dst, sizeof dst, "%s/%s.%s", out, p->stem, exts[k]);
        if (o->html && !*img) {
            struct dms_error err;
            dms_error_clear(&err);
            if (dms_read_file(tmp, img, len, &err)) {
                cli_print_error(&err);
                return CLI_EXIT_SOFTWARE;
            }
        }
        if (k == 0 && !o->svg)
            unlink(tmp); /* made only for the HTML */
        else if (rename(tmp, dst) != 0) {
            cli_errorf("report", "cannot rename %s to %s: %s", tmp, dst, strerror(errno));
            return CLI_EXIT_CANTCREAT;
        }
    }
    return 0;
}

/* Renders every plot; fills images (for the HTML). */
static int render(const char *gnuplot, const struct report_opts *o, const struct rpt_plot_set *ps,
                  struct rpt_image *images, char **bufs)
{
    bool svg = o->svg || o->html; /* the HTML inlines SVG unless only PNG was asked for */
    if (o->html && !o->svg && o->png)
        svg = false;
    char formats[16];
    snprintf(formats, sizeof formats, "%s%s%s", svg ? "svg" : "", svg && o->png ? " " : "",
             o->png ? "png" : "");
    for (size_t i = 0; i < ps->n; i++) {
        int rc = run_gnuplot(gnuplot, o->out, ps->items[i].stem, formats);
        if (rc != 0) {
            cli_errorf("report", "gnuplot failed on %s/%s.gp (status %d)", o->out,
                       ps->items[i].stem, rc);
            return CLI_EXIT_SOFTWARE;
        }
        size_t len = 0;
        rc = collect_images(o->out, &ps->items[i], o, svg, &bufs[i], &len);
        if (rc)
            return rc;
        images[i] = (struct rpt_image){svg ? "image/svg+xml" : "image/png", bufs[i], len};
    }
    return 0;
}

static int write_plots(const struct report_opts *o, const struct rpt_plot_set *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        char name[200];
        snprintf(name, sizeof name, "%s.dat", ps->items[i].stem);
        int rc = write_file(o->out, name, ps->items[i].dat);
        snprintf(name, sizeof name, "%s.gp", ps->items[i].stem);
        if (!rc)
            rc = write_file(o->out, name, ps->items[i].gp);
        if (rc)
            return rc;
    }
    return 0;
}

static int report(const struct report_opts *o, const rpt_folder *f)
{
    struct dms_error err;
    dms_error_clear(&err);
    cli_drop_report_dir(o->out); /* plots of an earlier report would stay beside these */
    if (dms_mkdir_p(o->out, &err)) {
        cli_print_error(&err);
        return CLI_EXIT_CANTCREAT;
    }
    struct rpt_plot_set ps;
    rpt_plots_build(f, "svg png", &ps);
    for (size_t i = 0; i < ps.n_notes && !o->quiet; i++)
        fprintf(stderr, "dmasim report: %s\n", ps.notes[i]);
    int status = write_plots(o, &ps);
    char gnuplot[4096];
    const char *prog = getenv("DMASIM_GNUPLOT");
    if (!status && ps.n && !find_program(prog && *prog ? prog : "gnuplot", gnuplot, sizeof gnuplot)) {
        cli_errorf("report",
                   "gnuplot not found (PATH, or DMASIM_GNUPLOT): the %zu plots were written "
                   "as .dat and .gp files to %s but not drawn, and no HTML was written; "
                   "install gnuplot (Debian: gnuplot-nox) and run 'dmasim report' again, or "
                   "'gnuplot NAME.gp' in that folder",
                   ps.n, o->out);
        status = CLI_EXIT_UNAVAILABLE;
    }
    struct rpt_image *images = dms_xcalloc(ps.n + 1, sizeof *images);
    char **bufs = dms_xcalloc(ps.n + 1, sizeof *bufs);
    if (!status && ps.n)
        status = render(gnuplot, o, &ps, images, bufs);
    if (!status && o->html) {
        char date[64];
        date_text(date, sizeof date);
        char *html = rpt_html(f, &ps, images, date);
        status = write_file(o->out, "report.html", html);
        free(html);
    }
    if (!status && !o->quiet)
        printf("dmasim report: %s folder %s: %zu plot%s%s in %s\n",
               rpt_kind_name(rpt_folder_kind(f)), o->dir, ps.n, ps.n == 1 ? "" : "s",
               o->html ? " and report.html" : "", o->out);
    for (size_t i = 0; i < ps.n; i++)
        free(bufs[i]);
    free(bufs);
    free(images);
    rpt_plot_set_fini(&ps);
    return status;
}

int cli_report_folder(const char *dir, const char *out, const char *formats, bool quiet)
{
    struct report_opts o = {.dir = dir, .out = out, .quiet = quiet};
    parse_formats(formats ? formats : "html,png,svg", &o);
    char defout[4096];
    if (!o.out) {
        snprintf(defout, sizeof defout, "%s/report", dir);
        o.out = defout;
    }
    struct dms_error err;
    dms_error_clear(&err);
    rpt_folder *f;
    int rc = rpt_folder_load(dir, &f, &err);
    if (rc) {
        cli_print_error(&err);
        return cli_exit_for(rc);
    }
    int status = report(&o, f);
    rpt_folder_free(f);
    return status;
}

int cli_cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *formats = "html,png,svg";
    bool quiet = false;
    struct report_opts probe;
    int c;
    while ((c = getopt_long(argc, argv, "o:f:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (cli_check_outdir("report", optarg))
                return CLI_EXIT_USAGE;
            out = optarg;
            break;
        case 'f':
            if (parse_formats(optarg, &probe)) {
                cli_errorf("report", "--format takes html, png and svg, comma-separated, not "
                                     "'%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            formats = optarg;
            break;
        case 'q': quiet = true; break;
        default: fputs(cli_usage_report, stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_errorf("report", "expected one result folder (see 'dmasim report --help')");
        return CLI_EXIT_USAGE;
    }
    return cli_report_folder(argv[optind], out, formats, quiet);
}
