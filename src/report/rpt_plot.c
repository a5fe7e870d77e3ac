/* SPDX-License-Identifier: MIT */
/*
 * rpt_plot: the plots of a result folder, as gnuplot data files and scripts. A script is
 * the plot's variables followed by its template from plots/ (compiled in), so the .gp
 * alone re-draws the plot. Data come out in a fixed order (NICs as in the scenario,
 * sizes ascending), numbers with 12 significant digits, so equal results give equal bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt_gen_int.h"

struct rpt_template {
    const char *name;
    const char *text;
};
extern const struct rpt_template rpt_templates[]; /* rpt_templates.c, generated */

static const char *template_text(const char *name)
{
    for (const struct rpt_template *t = rpt_templates; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t->text;
    return NULL;
}

/* A gnuplot string literal (double quotes; backslash, quote and newline escaped); with
 * markup, the characters of enhanced-text mode are escaped too so they print as written. */
static void gp_lit(struct rpt_sb *b, const char *s, bool markup)
{
    rpt__sb_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            rpt__sb_printf(b, "\\%c", *s);
        else if (*s == '\n')
            rpt__sb_puts(b, "\\n");
        else if (markup && (*s == '_' || *s == '^' || *s == '{' || *s == '}' || *s == '@' || *s == '&'))
            rpt__sb_printf(b, "\\\\%c", *s); /* enhanced-text markup taken literally */
        else
            rpt__sb_put(b, s, 1);
    }
    rpt__sb_puts(b, "\"");
}

static void gp_str(struct rpt_sb *b, const char *s) { gp_lit(b, s, true); }

static void gp_var_str(struct rpt_sb *b, const char *name, const char *v)
{
    rpt__sb_printf(b, "%s = ", name);
    gp_str(b, v);
    rpt__sb_puts(b, "\n");
}

/* A file name: no markup escapes. */
static void gp_var_file(struct rpt_sb *b, const char *name, const char *v)
{
    rpt__sb_printf(b, "%s = ", name);
    gp_lit(b, v, false);
    rpt__sb_puts(b, "\n");
}

static void gp_var_num(struct rpt_sb *b, const char *name, double v)
{
    rpt__sb_printf(b, "%s = ", name);
    if (isfinite(v))
        rpt__sb_printf(b, "%.12g", v);
    else
        rpt__sb_puts(b, "NaN");
    rpt__sb_puts(b, "\n");
}

static void gp_array_str(struct rpt_sb *b, const char *name, char names[][64], size_t n)
{
    rpt__sb_printf(b, "array %s[%zu] = [", name, n);
    for (size_t i = 0; i < n; i++) {
        if (i)
            rpt__sb_puts(b, ", ");
        gp_str(b, names[i]);
    }
    rpt__sb_puts(b, "]\n");
}

static void gp_array_num(struct rpt_sb *b, const char *name, const double *v, size_t n)
{
    rpt__sb_printf(b, "array %s[%zu] = [", name, n);
    for (size_t i = 0; i < n; i++) {
        rpt__sb_puts(b, i ? ", " : "");
        if (isfinite(v[i]))
            rpt__sb_printf(b, "%.12g", v[i]);
        else
            rpt__sb_puts(b, "NaN");
    }
    rpt__sb_puts(b, "]\n");
}

/* The footer line: scenario name and provenance. */
static void footer_text(const rpt_folder *f, char *buf, size_t n)
{
    const struct rpt_run *r = rpt__main_run(f);
    const char *src = r ? dms_jv_str(dms_jv_path(r->json, "scenario.source")) : NULL;
    const char *ver = r ? dms_jv_str(dms_jv_get(r->json, "dmasim_version")) : NULL;
    double seed = r ? dms_jv_num(dms_jv_get(r->json, "seed")) : NAN;
    double reps = r ? dms_jv_num(dms_jv_get(r->json, "replications")) : NAN;
    double conf = r ? dms_jv_num(dms_jv_get(r->json, "confidence")) : NAN;
    snprintf(n ? buf : NULL, n,
             "%s %s | dmasim %s | seed %.0f, %.0f replications, %.0f %% Student-t CI",
             rpt_kind_name(f->kind), src ? src : f->dir, ver ? ver : "?", seed, reps,
             conf * 100);
}

static void header(struct rpt_sb *b, const rpt_folder *f, const char *stem, const char *formats,
                   const char *tmpl, const char *title)
{
    char foot[512];
    footer_text(f, foot, sizeof foot);
    rpt__sb_printf(b, "# %s.gp: made by dmasim report from %s (template plots/%s).\n"
                      "# Run 'gnuplot %s.gp' in this folder to redraw %s.svg and %s.png.\n",
                   stem, rpt_kind_name(f->kind), tmpl, stem, stem, stem);
    rpt__sb_printf(b, "if (!exists(\"formats\")) formats = \"%s\"\n", formats);
    rpt__sb_printf(b, "if (!exists(\"out\")) ");
    gp_var_file(b, "out", stem);
    char dat[200];
    snprintf(dat, sizeof dat, "%s.dat", stem);
    gp_var_file(b, "datafile", dat);
    gp_var_str(b, "title_text", title);
    gp_var_str(b, "footer", foot);
}

static void finish(struct rpt_plot_set *set, const char *stem, const char *caption,
                   const char *nic, struct rpt_sb *gp, const char *tmpl, struct rpt_sb *dat)
{
    const char *t = template_text(tmpl);
    rpt__sb_puts(gp, "# ---- template ----\n");
    rpt__sb_puts(gp, t ? t : "");
    set->items = dms_xrealloc(set->items, (set->n + 1) * sizeof *set->items);
    struct rpt_plot *p = &set->items[set->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->stem, sizeof p->stem, "%s", stem);
    snprintf(p->caption, sizeof p->caption, "%s", caption);
    snprintf(p->nic, sizeof p->nic, "%s", nic);
    p->gp = rpt__sb_take(gp);
    p->dat = rpt__sb_take(dat);
}

void rpt_plot_set_fini(struct rpt_plot_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->items[i].dat);
        free(set->items[i].gp);
    }
    free(set->items);
    *set = (struct rpt_plot_set){0};
}

/* A file-name-safe copy of s. */
void rpt__slug(const char *s, char *buf, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        buf[k++] = ok ? c : '_';
    }
    buf[k] = '\0';
}

static void axis_label(const struct rpt_figure *fig, char *buf, size_t n)
{
    if (*fig->unit)
        snprintf(buf, n, "%s (%s)", fig->label, fig->unit);
    else
        snprintf(buf, n, "%s (share)", fig->label);
}

/* The objectives set in the scenario, as figures; fills figs and returns how many. With
 * none set, the receive drop rate. */
static size_t objective_figures(const rpt_folder *f, const struct rpt_figure **figs,
                                double *targets)
{
    const struct rpt_run *r = rpt__main_run(f);
    const dms_jv *o = r ? dms_jv_path(r->json, "scenario.objectives") : NULL;
    size_t n = 0;
    for (size_t i = 0; o && o->type == DMS_JOBJ && i < o->n; i++) {
        const struct rpt_figure *fig = rpt__figure_by_objective(o->items[i]->key);
        if (fig && o->items[i]->type == DMS_JNUM) {
            figs[n] = fig;
            targets[n++] = o->items[i]->num;
        }
    }
    if (n == 0) {
        figs[0] = &rpt__figures[0];
        targets[n++] = NAN;
    }
    return n;
}

/* ---------------------------------------------------------------- x/y series */


static int cmp_pt(const void *a, const void *b)
{
    double x = ((const struct pt *)a)->x, y = ((const struct pt *)b)->x;
    return x < y ? -1 : x > y;
}

/* Writes one panel's block, sorted by x; returns the smallest positive value drawn. */
static double write_block(struct rpt_sb *dat, struct pt *p, size_t n, double scale,
                          bool first)
{
    qsort(p, n, sizeof *p, cmp_pt);
    if (!first)
        rpt__sb_puts(dat, "\n\n");
    double minpos = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double m = p[i].mean * scale, h = isfinite(p[i].half) ? p[i].half * scale : 0;
        double lo = isfinite(p[i].lo) ? p[i].lo * scale : m - h;
        double hi = isfinite(p[i].hi) ? p[i].hi * scale : m + h;
        if (!(lo > 0) && isfinite(m))
            lo = 0;
        rpt__sb_num(dat, p[i].x);
        rpt__sb_puts(dat, " ");
        rpt__sb_num(dat, m);
        rpt__sb_puts(dat, " ");
        rpt__sb_num(dat, lo);
        rpt__sb_puts(dat, " ");
        rpt__sb_num(dat, hi);
        rpt__sb_puts(dat, "\n");
        if (m > 0 && m < minpos)
            minpos = m;
        if (lo > 0 && lo < minpos)
            minpos = lo;
    }
    return minpos;
}

static bool geometric(const struct pt *p, size_t n)
{
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(p[i].x > 0))
            return false;
        lo = fmin(lo, p[i].x);
        hi = fmax(hi, p[i].x);
    }
    return n > 2 && hi / lo >= 16;
}


void rpt__sizing_plot(const rpt_folder *f, const char *formats, struct sizing *in,
                        struct rpt_plot_set *set)
{
    /* panels without a point are left out: gnuplot refuses an empty range */
    struct sizing kept = *in, *s = &kept;
    s->npanels = 0;
    for (size_t i = 0; i < in->npanels; i++) {
        if (!in->npts[i])
            continue;
        memcpy(s->panels[s->npanels], in->panels[i], sizeof s->panels[0]);
        s->marks[s->npanels] = in->marks[i];
        s->pts[s->npanels] = in->pts[i];
        s->npts[s->npanels++] = in->npts[i];
    }
    if (s->npanels == 0)
        return;
    struct rpt_sb gp = {0}, dat = {0};
    double minpos = INFINITY;
    bool logx = true;
    double target = s->target * s->fig->scale, ytop[8];
    for (size_t i = 0; i < s->npanels; i++) {
        double m = write_block(&dat, s->pts[i], s->npts[i], s->fig->scale, i == 0);
        minpos = fmin(minpos, m);
        logx &= geometric(s->pts[i], s->npts[i]);
        /* the y axis reaches above the data and the objective line */
        double top = isfinite(target) ? target : 0;
        for (size_t k = 0; k < s->npts[i]; k++) {
            const struct pt *q = &s->pts[i][k];
            double h = isfinite(q->half) ? q->half : 0;
            top = fmax(top, (isfinite(q->hi) ? q->hi : q->mean + h) * s->fig->scale);
        }
        ytop[i] = s->fig->rate ? (top > 0 ? fmin(1.0, top * 3) : 1.0) : (top > 0 ? top * 1.15 : 1.0);
    }
    if (isfinite(target) && target > 0)
        minpos = fmin(minpos, target);
    header(&gp, f, s->stem, formats, "sizing.gp", s->title);
    gp_var_num(&gp, "npanels", (double)s->npanels);
    gp_array_str(&gp, "panel", s->panels, s->npanels);
    gp_var_str(&gp, "xlabel_text", s->xlabel);
    char yl[160];
    axis_label(s->fig, yl, sizeof yl);
    gp_var_str(&gp, "ylabel_text", yl);
    gp_var_num(&gp, "logx", logx);
    gp_var_num(&gp, "logy", s->fig->rate);
    /* zero on a log axis: drawn a decade below the smallest value shown */
    gp_var_num(&gp, "yfloor", isfinite(minpos) ? minpos / 10 : 1e-7);
    gp_var_num(&gp, "target", target);
    gp_array_num(&gp, "mark", s->marks, s->npanels);
    gp_array_num(&gp, "ytop", ytop, s->npanels);
    const struct rpt_run *r = rpt__main_run(f);
    double conf = r ? dms_jv_num(dms_jv_get(r->json, "confidence")) : NAN;
    char ci[64];
    snprintf(ci, sizeof ci, "%.0f %% confidence", isfinite(conf) ? conf * 100 : 95);
    gp_var_str(&gp, "ci_label", ci);
    finish(set, s->stem, s->caption, s->npanels == 1 ? s->panels[0] : "", &gp, "sizing.gp",
           &dat);
}

/* ---------------------------------------------------------------- sweeps */

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
    size_t nf = objective_figures(f, figs, targets);
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
            gp_str(gp, a->text[i]);
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
            int w = snprintf(s->label + len, sizeof s->label - len, "%s%s = %s", k > 2 ? ", " : "",
                             f->points.cols[c], v);
            len = w < 0 ? len : DMS_MIN(sizeof s->label - 1, len + (size_t)w);
            char vs[32];
            rpt__slug(v, vs, sizeof vs);
            w = snprintf(s->slug + sl_len, sizeof s->slug - sl_len, "-%s", vs);
            sl_len = w < 0 ? sl_len : DMS_MIN(sizeof s->slug - 1, sl_len + (size_t)w);
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
    header(&gp, f, stem, formats, "heatmap.gp", title);
    gp_var_num(&gp, "npanels", (double)nn);
    gp_var_num(&gp, "title_lines", at[0] ? 2 : 1);
    gp_array_str(&gp, "panel", nics, nn);
    gp_var_str(&gp, "xlabel_text", kx);
    gp_var_str(&gp, "ylabel_text", ky);
    axis_label(fig, cb, sizeof cb);
    gp_var_str(&gp, "cblabel_text", cb);
    gp_var_num(&gp, "logcb", fig->rate);
    gp_var_num(&gp, "yfloor", isfinite(minpos) ? minpos / 10 : 1e-7);
    double floor_v = isfinite(minpos) ? minpos / 10 : 1e-7;
    gp_var_num(&gp, "cbtop", top > floor_v ? top : fig->rate ? floor_v * 10 : 1);
    gp_var_num(&gp, "has_target", isfinite(target));
    gp_var_num(&gp, "xmax", (double)(nx - 1));
    gp_var_num(&gp, "ymax", (double)(ny - 1));
    tics(&gp, "xtics", &ax);
    tics(&gp, "ytics", &ay);
    finish(set, stem, cap, nn == 1 ? nics[0] : "", &gp, "heatmap.gp", &dat);
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
        for (size_t k = 2, len = 0; k < f->n_keys && len + 1 < sizeof keys; k++) {
            int w = snprintf(keys + len, sizeof keys - len, "%s%s", k > 2 ? ", " : "",
                             f->points.cols[f->key_col[k]]);
            len = w < 0 ? len : len + (size_t)w;
        }
        snprintf(set->notes[set->n_notes++], sizeof set->notes[0],
                 "No heatmaps: the keys after the first two (%s) take more than %d "
                 "combinations of values, and each would get a heatmap of its own. Report a "
                 "sweep with fewer of their values, or plot points.csv yourself.",
                 keys, RPT_SLICES_MAX);
        return;
    }
    const struct rpt_figure *figs[8];
    double targets[8];
    size_t nf = objective_figures(f, figs, targets);
    for (size_t k = 0; k < nf; k++)
        for (size_t i = 0; i < ns; i++)
            heatmap(f, formats, figs[k], targets[k], &slices[i], i, set);
}

/* The sweep's plots, or a note that it has none to draw. */
static void sweep_plots(const rpt_folder *f, const char *formats, struct rpt_plot_set *set)
{
    size_t before = set->n;
    sweep_plots_of(f, formats, set);
    if (set->n == before && set->n_notes == 0)
        snprintf(set->notes[set->n_notes++], sizeof set->notes[0],
                 "No plots: no point of the sweep has a figure to draw at a numeric value of "
                 "its swept key (every point failed, the objectives' figures were not "
                 "measured, or the key's values are not numbers).");
}

/* ---------------------------------------------------------------- runs */

static double warmup_ms(const struct rpt_run *r)
{
    return dms_jv_num(dms_jv_path(r->json, "scenario.run.warmup_ns")) / 1e6;
}

/* series.csv rows of one NIC as "time_ms buffers map_registers fifo send_queue". */
static size_t series_dat(const char *csv, const char *nic, struct rpt_sb *dat, double *step_ms,
                         double top[4])
{
    top[0] = top[1] = top[2] = top[3] = 0;
    size_t n = 0;
    double prev = NAN;
    *step_ms = NAN;
    const char *line = strchr(csv, '\n'); /* skip the header */
    while (line && *++line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[512], name[64];
        snprintf(buf, sizeof buf, "%.*s", (int)DMS_MIN(len, sizeof buf - 1), line);
        double t, a, b, c, d;
        if (sscanf(buf, "%63[^,],%lf,%lf,%lf,%lf,%lf", name, &t, &a, &b, &c, &d) == 6 &&
            strcmp(name, nic) == 0) {
            rpt__sb_printf(dat, "%.12g %.12g %.12g %.12g %.12g\n", t / 1e6, a, b, c, d);
            top[0] = fmax(top[0], a);
            top[1] = fmax(top[1], b);
            top[2] = fmax(top[2], c);
            top[3] = fmax(top[3], d);
            if (isfinite(prev))
                *step_ms = t / 1e6 - prev; /* the last interval: after any doubling */
            prev = t / 1e6;
            n++;
        }
        line = end;
    }
    return n;
}

static void series_plots(const rpt_folder *f, const struct rpt_run *r, const char *formats,
                         struct rpt_plot_set *set)
{
    for (size_t i = 0; i < rpt__run_nics(r); i++) {
        const char *nic = rpt__run_nic_name(r, i);
        struct rpt_sb gp = {0}, dat = {0};
        double step, top[4];
        if (series_dat(r->series, nic, &dat, &step, top) == 0) {
            free(rpt__sb_take(&dat));
            continue;
        }
        char stem[160], ns[64], title[256], cap[256], iv[96];
        rpt__slug(nic, ns, sizeof ns);
        snprintf(stem, sizeof stem, "series-%s", ns);
        snprintf(title, sizeof title, "%s over time (replication 0)", nic);
        snprintf(cap, sizeof cap,
                 "%s: resources in use over simulated time in replication 0; the warm-up, "
                 "shaded, is outside the measurement window.", nic);
        snprintf(iv, sizeof iv, "one sample every %.6g ms", step);
        header(&gp, f, stem, formats, "series.gp", title);
        gp_var_num(&gp, "warmup_ms", warmup_ms(r));
        gp_var_str(&gp, "interval_text", iv);
        for (int k = 0; k < 4; k++)
            top[k] = top[k] > 0 ? ceil(top[k] * 1.1) : 1; /* a flat zero still gets an axis */
        gp_array_num(&gp, "ytop", top, 4);
        finish(set, stem, cap, nic, &gp, "series.gp", &dat);
    }
}

/* occupancy.csv (docs/results.md): "nic,resource,in_use,time_ns,time_share" rows, by NIC,
 * then resource, then in_use ascending. The CCDF at k is the share of time with more than k
 * in use: one minus the shares up to k. */
struct occ_series {
    char name[64];
    struct rpt_sb dat;
    double *k, *t; /* in_use values and their time, ns */
    size_t n;
    bool any;      /* a positive CCDF value was written (something to draw on a log axis) */
};

static const char *resource_label(const char *r)
{
    static const char *const names[][2] = {
        {"rx_buffers", "receive buffers held"},     {"base_map_registers", "base map registers"},
        {"map_registers", "map registers"},         {"packet_descriptors", "packet descriptors"},
        {"buffer_descriptors", "buffer descriptors"}, {"shared_memory_bytes", "shared memory"},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(names); i++)
        if (strcmp(names[i][0], r) == 0)
            return names[i][1];
    return r;
}

/* The CCDF from the time at each value (exact: sums of integer nanoseconds). */
static void occ_emit(struct occ_series *o, bool memory)
{
    double total = 0, cum = 0;
    for (size_t i = 0; i < o->n; i++)
        total += o->t[i];
    for (size_t i = 0; i < o->n && total > 0; i++) {
        cum += o->t[i];
        double ccdf = (total - cum) / total;
        rpt__sb_printf(&o->dat, "%.12g %.12g\n", memory ? o->k[i] / 1024 : o->k[i], ccdf);
        o->any |= ccdf > 0;
    }
    free(o->k);
    free(o->t);
}

static size_t occ_parse(const char *csv, const char *nic, bool memory, struct occ_series *ser,
                        size_t max)
{
    size_t n = 0;
    const char *line = strchr(csv, '\n');
    while (line && *++line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[512], name[64], what[64];
        snprintf(buf, sizeof buf, "%.*s", (int)DMS_MIN(len, sizeof buf - 1), line);
        double k, t, share;
        line = end;
        if (sscanf(buf, "%63[^,],%63[^,],%lf,%lf,%lf", name, what, &k, &t, &share) != 5 ||
            strcmp(name, nic) != 0 || (strcmp(what, "shared_memory_bytes") == 0) != memory)
            continue;
        if (!n || strcmp(ser[n - 1].name, what) != 0) {
            if (n == max)
                break;
            memset(&ser[n], 0, sizeof ser[n]);
            snprintf(ser[n++].name, sizeof ser[0].name, "%s", what);
        }
        struct occ_series *o = &ser[n - 1];
        o->k = dms_xrealloc(o->k, (o->n + 1) * sizeof *o->k);
        o->t = dms_xrealloc(o->t, (o->n + 1) * sizeof *o->t);
        o->k[o->n] = k;
        o->t[o->n++] = t;
    }
    for (size_t i = 0; i < n; i++)
        occ_emit(&ser[i], memory);
    return n;
}

static void ccdf_plot(const rpt_folder *f, const struct rpt_run *r, const char *nic,
                      bool memory, const char *formats, struct rpt_plot_set *set)
{
    struct occ_series ser[8];
    size_t n = occ_parse(r->occupancy, nic, memory, ser, 8);
    struct rpt_sb dat = {0}, gp = {0};
    char names[8][64];
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (ser[i].any) {
            if (shown)
                rpt__sb_puts(&dat, "\n\n");
            rpt__sb_puts(&dat, ser[i].dat.s);
            snprintf(names[shown++], 64, "%s", resource_label(ser[i].name));
        }
        free(rpt__sb_take(&ser[i].dat));
    }
    if (!shown) {
        free(rpt__sb_take(&dat));
        return;
    }
    char stem[160], ns[64], title[256], cap[320];
    rpt__slug(nic, ns, sizeof ns);
    snprintf(stem, sizeof stem, "ccdf-%s%s", ns, memory ? "-memory" : "");
    snprintf(title, sizeof title, "%s: occupancy CCDF%s", nic, memory ? " of shared memory" : "");
    snprintf(cap, sizeof cap,
             "%s: share of the measurement window with more than k %s in use, over all "
             "replications; a pool of k would have run out that share of the time.%s", nic,
             memory ? "KiB of shared memory" : "units of each resource",
             n > shown ? " Resources whose use never varied are left out." : "");
    header(&gp, f, stem, formats, "ccdf.gp", title);
    gp_var_num(&gp, "nseries", (double)shown);
    gp_array_str(&gp, "series", names, shown);
    gp_var_str(&gp, "xlabel_text", memory ? "k (KiB of shared memory in use)" : "k (units in use)");
    finish(set, stem, cap, nic, &gp, "ccdf.gp", &dat);
}

static void ccdf_plots(const rpt_folder *f, const struct rpt_run *r, const char *formats,
                       struct rpt_plot_set *set)
{
    for (size_t i = 0; i < rpt__run_nics(r); i++) {
        ccdf_plot(f, r, rpt__run_nic_name(r, i), false, formats, set);
        ccdf_plot(f, r, rpt__run_nic_name(r, i), true, formats, set);
    }
}

void rpt_plots_build(const rpt_folder *f, const char *formats, struct rpt_plot_set *set)
{
    *set = (struct rpt_plot_set){0};
    if (f->kind == RPT_KIND_SWEEP)
        sweep_plots(f, formats, set);
    else if (f->kind == RPT_KIND_RECOMMEND)
        rpt__recommend_plots(f, formats, set);
    if (f->kind == RPT_KIND_RUN) {
        const struct rpt_run *r = &f->runs[0];
        if (r->occupancy)
            ccdf_plots(f, r, formats, set);
        if (r->series)
            series_plots(f, r, formats, set);
    }
}
