/* SPDX-License-Identifier: MIT */
/*
 * rpt_gen: what `dmasim report` makes from a result folder, without simulating anything.
 *
 * A folder is read once into an rpt_folder: a run folder (result.json, and series.csv or
 * occupancy.csv when the run recorded them), a sweep folder (points.csv, per-point
 * folders) or a recommend folder (recommendation.json and the candidate runs kept beside
 * it). From it come the plots, each as the text of a gnuplot data file (.dat) and script
 * (.gp) built from a template in plots/, and the HTML capacity report, which inlines the
 * images gnuplot rendered. Everything here is a pure function of the folder's contents
 * and the date string given, so the same results give the same bytes; running gnuplot and
 * writing files is the caller's job.
 */
#ifndef RPT_GEN_H
#define RPT_GEN_H

#include <stdbool.h>
#include <stddef.h>

#include "dms.h"

enum rpt_kind { RPT_KIND_RUN, RPT_KIND_SWEEP, RPT_KIND_RECOMMEND };

typedef struct rpt_folder rpt_folder;

/* Reads the result folder dir (borrowed). Returns 0 with *out set (free with
 * rpt_folder_free), DMS_ENOENT when dir holds none of result.json, points.csv or
 * recommendation.json, or DMS_EFORMAT / DMS_EIO with err naming the file (and the line
 * and column for JSON, the line for CSV). */
int rpt_folder_load(const char *dir, rpt_folder **out, struct dms_error *err);
void rpt_folder_free(rpt_folder *f);
enum rpt_kind rpt_folder_kind(const rpt_folder *f);
/* "run", "sweep" or "recommend". */
const char *rpt_kind_name(enum rpt_kind k);

/* One plot: its file stem (no folder, no extension), a caption for the HTML, and the
 * .dat and .gp texts (heap strings owned by the set). */
struct rpt_plot {
    char stem[160];
    char caption[600];
    char nic[64];  /* the NIC it belongs to, "" when it covers several */
    char *dat;
    char *gp;
};

struct rpt_plot_set {
    struct rpt_plot *items;
    size_t n;
    char notes[4][512]; /* why a plot the folder would have is not drawn */
    size_t n_notes;
};

/* Builds every plot the folder supports; formats is the gnuplot default written into
 * each script (e.g. "svg png"). Fills *set (release with rpt_plot_set_fini). */
void rpt_plots_build(const rpt_folder *f, const char *formats, struct rpt_plot_set *set);
void rpt_plot_set_fini(struct rpt_plot_set *set);

/* The picture of plot i for the HTML: mime type and bytes, or data NULL when it was not
 * rendered. Borrowed for the duration of rpt_html. */
struct rpt_image {
    const char *mime; /* "image/svg+xml" or "image/png" */
    const void *data;
    size_t len;
};

/* The HTML report: one self-contained file (images as data: URIs, CSS inline, a
 * Content-Security-Policy that forbids any request, no script). date is the one field
 * that may differ between two reports of the same results. Returns a heap string. */
char *rpt_html(const rpt_folder *f, const struct rpt_plot_set *plots,
               const struct rpt_image *images, const char *date);

#endif
