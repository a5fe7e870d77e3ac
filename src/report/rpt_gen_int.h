/* SPDX-License-Identifier: MIT */
/* rpt_gen: internals shared by the loader, the plot builder and the HTML writer. */
#ifndef RPT_GEN_INT_H
#define RPT_GEN_INT_H

#include <stdarg.h>

#include "dms_jread.h"
#include "rpt_gen.h"

/* A growing string. */
struct rpt_sb {
    char *s;
    size_t len, cap;
};
void rpt__sb_put(struct rpt_sb *b, const char *s, size_t n);
void rpt__sb_puts(struct rpt_sb *b, const char *s);
void rpt__sb_printf(struct rpt_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes the string (never NULL) and leaves b empty. */
char *rpt__sb_take(struct rpt_sb *b);
/* A number as %.12g, or "NaN" for a value gnuplot should skip. */
void rpt__sb_num(struct rpt_sb *b, double v);

/* A figure the report knows how to show: dotted path in a NIC's results, the objective
 * that targets it (NULL if none), label, unit shown, scale from base units to it. */
struct rpt_figure {
    const char *path;
    const char *objective; /* key in nics[].objectives of result.json */
    const char *label;
    const char *unit;      /* "" for a plain count or share */
    double scale;          /* shown = base * scale */
    bool rate;             /* a share between 0 and 1: log axis */
};
extern const struct rpt_figure rpt__figures[];
extern const size_t rpt__n_figures;
/* The figure of an objective key or a dotted path; NULL if unknown. */
const struct rpt_figure *rpt__figure_by_objective(const char *objective);
const struct rpt_figure *rpt__figure_by_path(const char *path);

/* One run's result.json. */
struct rpt_run {
    char *dir;      /* relative to the folder: "" for the folder itself */
    dms_jv *json;
    char *series;   /* series.csv text, or NULL */
    char *occupancy;/* occupancy.csv text, or NULL */
};
/* Mean and CI half-width of a NIC figure (NaN when absent). */
double rpt__run_mean(const struct rpt_run *r, size_t nic, const char *path);
double rpt__run_half(const struct rpt_run *r, size_t nic, const char *path);
size_t rpt__run_nics(const struct rpt_run *r);
const char *rpt__run_nic_name(const struct rpt_run *r, size_t nic);
/* A driver keyword's value in the run's resolved scenario (NaN when absent). */
double rpt__run_keyword(const struct rpt_run *r, size_t nic, const char *keyword);

/* points.csv: a header and rows of cells. */
struct rpt_table {
    size_t n_cols, n_rows;
    char **cols;
    char ***cells; /* [row][col] */
};

struct rpt_folder {
    enum rpt_kind kind;
    char *dir;
    struct rpt_run *runs;   /* run: one; sweep: per-point folders found; recommend: the
                               candidates, in name order */
    size_t n_runs;
    struct rpt_table points;/* sweep */
    size_t n_keys;          /* sweep: the swept key columns are points.cols[key_col[i]] */
    size_t key_col[4];
    size_t n_panels;        /* sweep: the NICs of the figure columns ("NIC.figure.mean") */
    char panels[8][64];     /* their names; one "" when the columns carry no NIC prefix */
    dms_jv **jsonl;         /* sweep: the objects of points.jsonl, in file order */
    size_t n_jsonl;
    dms_jv *rec;            /* recommend: recommendation.json */
    struct rpt_table curves;/* recommend: curves.csv (no columns when absent) */
    size_t main_run;        /* the run whose scenario and provenance describe the folder */
};

/* The run whose provenance and scenario describe the folder (NULL if none). */
const struct rpt_run *rpt__main_run(const rpt_folder *f);
/* Column index of name in the points table, or -1. */
int rpt__col(const struct rpt_table *t, const char *name);
/* Mean and half-width columns of NIC panel's figure path in points.csv (-1 when absent). */
void rpt__point_cols(const rpt_folder *f, size_t panel, const char *path, int *mean, int *half);
/* Cell as a number (NaN when empty or not a number). */
double rpt__cell_num(const char *cell);

/* rpt_plot.c: a sizing curve (figure against a resource size), shared with rpt_plot_rec.c
 * and rpt_plot_sweep.c. */
struct pt {
    double x, mean, half;
    double lo, hi; /* explicit bounds (base units), or NaN: mean -/+ half */
};
struct sizing {
    const char *stem, *caption, *title, *xlabel;
    const struct rpt_figure *fig;
    double target;        /* in base units */
    size_t npanels;
    char panels[8][64];
    double marks[8];
    struct pt *pts[8];
    size_t npts[8];
};
/* Adds the sizing plot of s to set (its points are borrowed), leaving out the panels
 * without a point; nothing when none has one. */
void rpt__sizing_plot(const rpt_folder *f, const char *formats, struct sizing *s,
                      struct rpt_plot_set *set);
/* A file-name-safe copy of s into buf of size n. */
void rpt__slug(const char *s, char *buf, size_t n);
/* rpt_plot.c's gnuplot pieces: a string (quoted for gnuplot, markup escaped), variables
 * "name = value" of a string or a number, an array of strings. */
void rpt__gp_str(struct rpt_sb *b, const char *s);
void rpt__gp_var_str(struct rpt_sb *b, const char *name, const char *v);
void rpt__gp_var_num(struct rpt_sb *b, const char *name, double v);
void rpt__gp_array_str(struct rpt_sb *b, const char *name, char names[][64], size_t n);
/* A plot script's first lines for the plot named stem: where it came from, the formats,
 * the output and data file names, the title and the provenance footer. */
void rpt__header(struct rpt_sb *b, const rpt_folder *f, const char *stem, const char *formats,
                 const char *tmpl, const char *title);
/* Appends template tmpl to script gp and adds the plot stem to set, taking gp and dat. */
void rpt__finish(struct rpt_plot_set *set, const char *stem, const char *caption,
                 const char *nic, struct rpt_sb *gp, const char *tmpl, struct rpt_sb *dat);
/* A figure's axis label: "label (unit)", or "label (share)" for a figure without one. */
void rpt__axis_label(const struct rpt_figure *fig, char *buf, size_t n);
/* The figures the scenario set objectives for, with their targets; returns how many. With
 * none set, the receive drop rate (target NaN). */
size_t rpt__objective_figures(const rpt_folder *f, const struct rpt_figure **figs,
                              double *targets);
/* rpt_plot_sweep.c: the plots of a sweep folder. */
void rpt__sweep_plots(const rpt_folder *f, const char *formats, struct rpt_plot_set *set);
/* rpt_plot_rec.c: the sizing curves of a recommend folder. */
void rpt__recommend_plots(const rpt_folder *f, const char *formats, struct rpt_plot_set *set);

#endif
