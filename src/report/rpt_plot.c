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

void rpt__gp_str(struct rpt_sb *b, const char *s) { gp_lit(b, s, true); }

void rpt__gp_var_str(struct rpt_sb *b, const char *name, const char *v)
{
    rpt__sb_printf(b, "%s = ", name);
    rpt__gp_str(b, v);
    rpt__sb_puts(b, "\n");
}

/* A file name: no markup escapes. */
static void gp_var_file(struct rpt_sb *b, const char *name, const char *v)
{
    rpt__sb_printf(b, "%s = ", name);
    gp_lit(b, v, false);
    rpt__sb_puts(b, "\n");
}

void rpt__gp_var_num(struct rpt_sb *b, const char *name, double v)
{
    rpt__sb_printf(b, "%s = ", name);
    if (isfinite(v))
        rpt__sb_printf(b, "%.12g", v);
    else
        rpt__sb_puts(b, "NaN");
    rpt__sb_puts(b, "\n");
}

void rpt__gp_array_str(struct rpt_sb *b, const char *name, char names[][64], size_t n)
{
    rpt__sb_printf(b, "array %s[%zu] = [", name, n);
    for (size_t i = 0; i < n; i++) {
        if (i)
            rpt__sb_puts(b, ", ");
        rpt__gp_str(b, names[i]);
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

void rpt__header(struct rpt_sb *b, const rpt_folder *f, const char *stem, const char *formats,
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
    rpt__gp_var_str(b, "title_text", title);
    rpt__gp_var_str(b, "footer", foot);
}

void rpt__finish(struct rpt_plot_set *set, const char *stem, const char *caption,
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

void rpt__axis_label(const struct rpt_figure *fig, char *buf, size_t n)
{
    if (*fig->unit)
        snprintf(buf, n, "%s (%s)", fig->label, fig->unit);
    else
        snprintf(buf, n, "%s (share)", fig->label);
}

/* The objectives set in the scenario, as figures; fills figs and returns how many. With
 * none set, the receive drop rate. */
size_t rpt__objective_figures(const rpt_folder *f, const struct rpt_figure **figs,
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
    rpt__header(&gp, f, s->stem, formats, "sizing.gp", s->title);
    rpt__gp_var_num(&gp, "npanels", (double)s->npanels);
    rpt__gp_array_str(&gp, "panel", s->panels, s->npanels);
    rpt__gp_var_str(&gp, "xlabel_text", s->xlabel);
    char yl[160];
    rpt__axis_label(s->fig, yl, sizeof yl);
    rpt__gp_var_str(&gp, "ylabel_text", yl);
    rpt__gp_var_num(&gp, "logx", logx);
    rpt__gp_var_num(&gp, "logy", s->fig->rate);
    /* zero on a log axis: drawn a decade below the smallest value shown */
    rpt__gp_var_num(&gp, "yfloor", isfinite(minpos) ? minpos / 10 : 1e-7);
    rpt__gp_var_num(&gp, "target", target);
    gp_array_num(&gp, "mark", s->marks, s->npanels);
    gp_array_num(&gp, "ytop", ytop, s->npanels);
    const struct rpt_run *r = rpt__main_run(f);
    double conf = r ? dms_jv_num(dms_jv_get(r->json, "confidence")) : NAN;
    char ci[64];
    snprintf(ci, sizeof ci, "%.0f %% confidence", isfinite(conf) ? conf * 100 : 95);
    rpt__gp_var_str(&gp, "ci_label", ci);
    rpt__finish(set, s->stem, s->caption, s->npanels == 1 ? s->panels[0] : "", &gp,
                "sizing.gp", &dat);
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
        rpt__header(&gp, f, stem, formats, "series.gp", title);
        rpt__gp_var_num(&gp, "warmup_ms", warmup_ms(r));
        rpt__gp_var_str(&gp, "interval_text", iv);
        for (int k = 0; k < 4; k++)
            top[k] = top[k] > 0 ? ceil(top[k] * 1.1) : 1; /* a flat zero still gets an axis */
        gp_array_num(&gp, "ytop", top, 4);
        rpt__finish(set, stem, cap, nic, &gp, "series.gp", &dat);
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
    rpt__header(&gp, f, stem, formats, "ccdf.gp", title);
    rpt__gp_var_num(&gp, "nseries", (double)shown);
    rpt__gp_array_str(&gp, "series", names, shown);
    rpt__gp_var_str(&gp, "xlabel_text",
                    memory ? "k (KiB of shared memory in use)" : "k (units in use)");
    rpt__finish(set, stem, cap, nic, &gp, "ccdf.gp", &dat);
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
        rpt__sweep_plots(f, formats, set);
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
