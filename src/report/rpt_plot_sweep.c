/* SPDX-License-Identifier: MIT */
/*
 * rpt_plot_sweep: the plots of a sweep folder. One swept axis gives a sizing curve per
 * figure (rpt__sizing_plot); two or more give heatmaps of the first two keys, one per
 * combination of the later keys' values (up to 12 per figure, one colour scale each).
 * The gnuplot helpers and the plot set are rpt_plot.c's.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt_gen_int.h"

/* The NIC panels of the points table. */
static size_t sweep_nics(const rpt_folder *f, char names[8][64])
{
    for (size_t i = 0; i < f->n_panels; i++)
        snprintf(names[i], 64, "%s", f->panels[i]);
    return f->n_panels;
}

static void sweep_1d(const rpt_folder *f, const char *formats, struct rpt_plot_set *set)
{
    const struct rpt_figure *figs[8];
    double targets[8];
    size_t nf = rpt__objective_figures(f, figs, targets);
    const char *key = f->points.cols[f->key_col[0]];
    for (size_t k = 0; k < nf; k++) {
        int mc, hc;
        rpt__point_cols(f, 0, figs[k]->path, &mc, &hc);
        if (mc < 0)
            continue;
        struct sizing s = {.fig = figs[k], .target = targets[k], .xlabel = key};
        s.npanels = sweep_nics(f, s.panels);
        for (size_t i = 0; i < s.npanels; i++) {
            s.marks[i] = NAN;
            s.pts[i] = dms_xcalloc(f->points.n_rows + 1, sizeof *s.pts[i]);
            rpt__point_cols(f, i, figs[k]->path, &mc, &hc);
            for (size_t row = 0; mc >= 0 && row < f->points.n_rows; row++) {
                char **c = f->points.cells[row];
                double x = rpt__cell_num(c[f->key_col[0]]), m = rpt__cell_num(c[mc]);
                if (!isfinite(x) || !isfinite(m))
                    continue;
                s.pts[i][s.npts[i]++] =
                    (struct pt){x, m, hc >= 0 ? rpt__cell_num(c[hc]) : NAN, NAN, NAN};
            }
        }
        char stem[160], ks[64], title[256], cap[256];
        rpt__slug(figs[k]->path, ks, sizeof ks);
        snprintf(stem, sizeof stem, "sizing-%s", ks);
        snprintf(title, sizeof title, "%s against %s", figs[k]->label, key);
        snprintf(cap, sizeof cap, "Sizing curve: %s against %s, with its confidence band%s.",
                 figs[k]->label, key, isfinite(targets[k]) ? " and the objective" : "");
        s.stem = stem;
        s.title = title;
        s.caption = cap;
        rpt__sizing_plot(f, formats, &s, set);
        for (size_t i = 0; i < s.npanels; i++)
            free(s.pts[i]);
    }
}

#define RPT_AXIS_MAX   64
#define RPT_SLICES_MAX 12 /* heatmaps per figure when a sweep has more than two axes */

/*
 * The values of one swept column as a heatmap shows them: ascending when every value is
 * a number, else in the order the sweep lists them (its canonical order, which is the
 * order points.csv is in). Values past the first RPT_AXIS_MAX are left out.
 */
struct axis {
    size_t col, n;
    bool numeric;
    const char *text[RPT_AXIS_MAX]; /* borrowed from the points table */
};

static size_t axis_index(const struct axis *a, const char *cell)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->text[i], cell) == 0)
            return i;
    return a->n;
}

static int cmp_num_text(const void *a, const void *b)
{
    double x = rpt__cell_num(*(const char *const *)a), y = rpt__cell_num(*(const char *const *)b);
    return x < y ? -1 : x > y;
}

static void axis_build(const rpt_folder *f, size_t col, struct axis *a)
{
    a->col = col;
    a->n = 0;
    a->numeric = true;
    for (size_t row = 0; row < f->points.n_rows; row++) {
        const char *cell = f->points.cells[row][col];
        if (!*cell || axis_index(a, cell) < a->n || a->n == RPT_AXIS_MAX)
            continue;
        a->numeric &= isfinite(rpt__cell_num(cell));
        a->text[a->n++] = cell;
    }
    if (a->numeric)
        qsort(a->text, a->n, sizeof *a->text, cmp_num_text);
}

static void tics(struct rpt_sb *gp, const char *name, const struct axis *a)
{
    rpt__sb_printf(gp, "set %s (", name);
    for (size_t i = 0; i < a->n; i++) {
        rpt__sb_puts(gp, i ? ", " : "");
        if (a->numeric)
            rpt__sb_printf(gp, "\"%.12g\"", rpt__cell_num(a->text[i]));
        else
            rpt__gp_str(gp, a->text[i]);
        rpt__sb_printf(gp, " %zu", i);
    }
    rpt__sb_puts(gp, ")\n");
}

/*
 * A slice of a sweep with more than two axes: the rows whose third and later swept keys
 * hold the values of row `first`. A sweep of two axes has one slice, of every row.
 */
struct slice {
    size_t first;         /* a row of the slice */
    char label[256];      /* "key = value, ..." of the keys held fixed, "" for one slice */
    char slug[64];        /* the same for a file name */
};

static bool in_slice(const rpt_folder *f, size_t row, const struct slice *s)
{
    for (size_t k = 2; k < f->n_keys; k++) {
        size_t c = f->key_col[k];
        if (strcmp(f->points.cells[row][c], f->points.cells[s->first][c]) != 0)
            return false;
    }
    return true;
}

/* The slices of the sweep in the order points.csv first reaches them; returns how many,
 * or SIZE_MAX when there are more than max. */
/* Appends to buf (of size n, holding *len characters), cutting what does not fit. */
__attribute__((format(printf, 4, 5))) static void append(char *buf, size_t n, size_t *len,
                                                         const char *fmt, ...)
{
    if (*len + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *len, n - *len, fmt, ap);
    va_end(ap);
    *len = w < 0 ? *len : DMS_MIN(n - 1, *len + (size_t)w);
}

static size_t find_slices(const rpt_folder *f, struct slice *sl, size_t max)
{
    size_t n = 0;
    for (size_t row = 0; row < f->points.n_rows; row++) {
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = in_slice(f, row, &sl[i]);
        if (seen)
            continue;
        if (n == max)
            return SIZE_MAX;
        struct slice *s = &sl[n++];
        *s = (struct slice){.first = row};
        size_t len = 0, sl_len = 0;
        for (size_t k = 2; k < f->n_keys; k++) {
            size_t c = f->key_col[k];
            const char *v = f->points.cells[row][c];
            append(s->label, sizeof s->label, &len, "%s%s = %s", k > 2 ? ", " : "",
                   f->points.cols[c], v);
            char vs[32];
            rpt__slug(v, vs, sizeof vs);
            append(s->slug, sizeof s->slug, &sl_len, "-%s", vs);
        }
    }
    return n;
}

/* The .dat of one heatmap: per NIC panel a block of "ix iy mean meets label" rows of the
 * slice's cells (NaN where a point has no result), into dat. *minpos and *top span every
 * slice, so slices share a colour scale. Returns whether any cell of the slice has a value. */
static bool heatmap_data(const rpt_folder *f, const struct rpt_figure *fig, double target,
                         const struct slice *slice, const struct axis *ax, const struct axis *ay,
                         size_t nn, struct rpt_sb *dat, double *minpos, double *top)
{
    size_t nx = ax->n, ny = ay->n;
    int mc, hc;
    double *z = dms_xmalloc(nx * ny * sizeof *z);
    *minpos = INFINITY;
    *top = 0;
    bool any = false; /* a cell of the slice has a value */
    for (size_t i = 0; i < nn; i++) {
        for (size_t k = 0; k < nx * ny; k++)
            z[k] = NAN;
        rpt__point_cols(f, i, fig->path, &mc, &hc);
        for (size_t row = 0; mc >= 0 && row < f->points.n_rows; row++) {
            char **c = f->points.cells[row];
            size_t ix = axis_index(ax, c[ax->col]), iy = axis_index(ay, c[ay->col]);
            if (ix >= nx || iy >= ny)
                continue;
            double v = rpt__cell_num(c[mc]) * fig->scale;
            /* the colour scale spans every slice, so slices compare by colour */
            if (v > 0 && v < *minpos)
                *minpos = v;
            if (v > *top)
                *top = v;
            if (in_slice(f, row, slice)) {
                z[ix * ny + iy] = v;
                any |= isfinite(v);
            }
        }
        if (i)
            rpt__sb_puts(dat, "\n\n");
        for (size_t ix = 0; ix < nx; ix++) {
            for (size_t iy = 0; iy < ny; iy++) {
                double v = z[ix * ny + iy];
                rpt__sb_printf(dat, "%zu %zu ", ix, iy);
                rpt__sb_num(dat, v);
                double t = target * fig->scale;
                rpt__sb_puts(dat, !isfinite(t) || !isfinite(v) ? " NaN" : v <= t ? " 1" : " 0");
                if (isfinite(v))
                    rpt__sb_printf(dat, " %.3g\n", v);
                else
                    rpt__sb_puts(dat, " none\n");
            }
            rpt__sb_puts(dat, "\n");
        }
    }
    free(z);
    return any;
}

static void heatmap(const rpt_folder *f, const char *formats, const struct rpt_figure *fig,
                    double target, const struct slice *slice, size_t index,
                    struct rpt_plot_set *set)
{
    int mc, hc;
    rpt__point_cols(f, 0, fig->path, &mc, &hc);
    if (mc < 0)
        return;
    struct axis ax, ay;
    axis_build(f, f->key_col[0], &ax);
    axis_build(f, f->key_col[1], &ay);
    size_t nx = ax.n, ny = ay.n;
    char nics[8][64];
    size_t nn = sweep_nics(f, nics);
    if (!nx || !ny)
        return;
    struct rpt_sb dat = {0};
    double minpos, top;
    if (!heatmap_data(f, fig, target, slice, &ax, &ay, nn, &dat, &minpos, &top)) {
        free(dat.s); /* nothing to draw */
        return;
    }
    struct rpt_sb gp = {0};
    const char *kx = f->points.cols[ax.col], *ky = f->points.cols[ay.col];
    char stem[160], ks[64], title[512], cap[600], cb[160], at[270] = "";
    rpt__slug(fig->path, ks, sizeof ks);
    if (slice->label[0]) {
        snprintf(stem, sizeof stem, "heatmap-%s-%zu%s", ks, index + 1, slice->slug);
        snprintf(at, sizeof at, " at %s", slice->label);
    } else {
        snprintf(stem, sizeof stem, "heatmap-%s", ks);
    }
    /* the keys held fixed on a line of their own: one line would not fit */
    snprintf(title, sizeof title, "%s over %s x %s%s%s", fig->label, kx, ky,
             at[0] ? "\n" : "", at[0] ? at + 1 : "");
    snprintf(cap, sizeof cap, "Heatmap: %s (mean over replications) for each %s and %s%s.",
             fig->label, kx, ky, at);
    rpt__header(&gp, f, stem, formats, "heatmap.gp", title);
    rpt__gp_var_num(&gp, "npanels", (double)nn);
    rpt__gp_var_num(&gp, "title_lines", at[0] ? 2 : 1);
    rpt__gp_array_str(&gp, "panel", nics, nn);
    rpt__gp_var_str(&gp, "xlabel_text", kx);
    rpt__gp_var_str(&gp, "ylabel_text", ky);
    rpt__axis_label(fig, cb, sizeof cb);
    rpt__gp_var_str(&gp, "cblabel_text", cb);
    rpt__gp_var_num(&gp, "logcb", fig->rate);
    rpt__gp_var_num(&gp, "yfloor", isfinite(minpos) ? minpos / 10 : 1e-7);
    double floor_v = isfinite(minpos) ? minpos / 10 : 1e-7;
    rpt__gp_var_num(&gp, "cbtop", top > floor_v ? top : fig->rate ? floor_v * 10 : 1);
    rpt__gp_var_num(&gp, "has_target", isfinite(target));
    rpt__gp_var_num(&gp, "xmax", (double)(nx - 1));
    rpt__gp_var_num(&gp, "ymax", (double)(ny - 1));
    tics(&gp, "xtics", &ax);
    tics(&gp, "ytics", &ay);
    rpt__finish(set, stem, cap, nn == 1 ? nics[0] : "", &gp, "heatmap.gp", &dat);
}

/* Sizing curves for one axis; heatmaps over the first two for more, one per value (or
 * combination of values) of the others, up to RPT_SLICES_MAX of them. */
static void sweep_plots_of(const rpt_folder *f, const char *formats, struct rpt_plot_set *set)
{
    if (f->n_keys == 1) {
        sweep_1d(f, formats, set);
        return;
    }
    struct slice slices[RPT_SLICES_MAX];
    size_t ns = find_slices(f, slices, RPT_SLICES_MAX);
    if (ns == SIZE_MAX) {
        char keys[200] = "";
        for (size_t k = 2, len = 0; k < f->n_keys; k++)
            append(keys, sizeof keys, &len, "%s%s", k > 2 ? ", " : "",
                   f->points.cols[f->key_col[k]]);
        snprintf(set->notes[set->n_notes++], sizeof set->notes[0],
                 "No heatmaps: the keys after the first two (%s) take more than %d "
                 "combinations of values, and each would get a heatmap of its own. Report a "
                 "sweep with fewer of their values, or plot points.csv yourself.",
                 keys, RPT_SLICES_MAX);
        return;
    }
    const struct rpt_figure *figs[8];
    double targets[8];
    size_t nf = rpt__objective_figures(f, figs, targets);
    for (size_t k = 0; k < nf; k++)
        for (size_t i = 0; i < ns; i++)
            heatmap(f, formats, figs[k], targets[k], &slices[i], i, set);
}

/* The sweep's plots, or a note that it has none to draw. */
void rpt__sweep_plots(const rpt_folder *f, const char *formats, struct rpt_plot_set *set)
{
    size_t before = set->n;
    sweep_plots_of(f, formats, set);
    if (set->n == before && set->n_notes == 0)
        snprintf(set->notes[set->n_notes++], sizeof set->notes[0],
                 "No plots: no point of the sweep has a figure to draw at a numeric value of "
                 "its swept key (every point failed, the objectives' figures were not "
                 "measured, or the key's values are not numbers).");
}
