/* SPDX-License-Identifier: MIT */
/*
 * rpt_plot_rec: the sizing curves of a recommend folder, one plot per machine profile and
 * driver keyword with a panel per NIC. The points are the rows of curves.csv, the runs the
 * search measured; without it, the kept runs in which the other searched keywords hold
 * the same values. The recommended value is marked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt_gen_int.h"

/* The figure that sizes a keyword: the binding objective's, else the usual one. */
static const struct rpt_figure *keyword_figure(const char *keyword, const char *binding)
{
    const struct rpt_figure *fig = binding ? rpt__figure_by_objective(binding) : NULL;
    if (fig)
        return fig;
    if (strcmp(keyword, "BaseMapRegistersNeeded") == 0 || strcmp(keyword, "SendBuffers") == 0 ||
        strcmp(keyword, "CopyThreshold") == 0 || strcmp(keyword, "TxRingSize") == 0)
        return rpt__figure_by_objective("tx_stall_p99_ns");
    if (strcmp(keyword, "PacketPoolSize") == 0)
        return rpt__figure_by_objective("resources_share");
    return rpt__figure_by_objective("rx_drop_rate");
}

/* Appends run r's point (its value of kw, its mean of fig) to out[*n], unless it has no
 * such point or out has one at that value already. The plot sorts them (write_block). */
static void add_point(struct pt *out, size_t *n, const struct rpt_run *r, size_t nic,
                      const char *kw, const struct rpt_figure *fig)
{
    double x = rpt__run_keyword(r, nic, kw), m = rpt__run_mean(r, nic, fig->path);
    for (size_t i = 0; i < *n; i++)
        if (out[i].x == x)
            return;
    if (isfinite(x) && isfinite(m))
        out[(*n)++] = (struct pt){x, m, rpt__run_half(r, nic, fig->path), NAN, NAN};
}

/* Whether run r belongs to the profile: kept under a folder named after it, or (when no
 * run is) with the profile's processor count. */
static bool run_in_profile(const rpt_folder *f, const struct rpt_run *r, const char *profile,
                           double processors)
{
    size_t n = strlen(profile);
    bool any = false;
    for (size_t i = 0; i < f->n_runs; i++)
        any |= strncmp(f->runs[i].dir, profile, n) == 0 && f->runs[i].dir[n] == '/';
    if (any)
        return strncmp(r->dir, profile, n) == 0 && r->dir[n] == '/';
    return dms_jv_num(dms_jv_path(r->json, "scenario.system.processors")) == processors;
}

/* The runs kept in the search's own folders, PROFILE/NIC/KEYWORD/VALUE (docs/recommend.md,
 * "The runs kept"), into out; SIZE_MAX when the folder keeps no run under any
 * PROFILE/NIC/ at all (runs kept some other way). */
static size_t folder_points(const rpt_folder *f, const char *profile, const char *nic_name,
                            const char *kw, size_t nic, const struct rpt_figure *fig,
                            struct pt *out)
{
    char any_profile[100], search[300];
    snprintf(any_profile, sizeof any_profile, "/%s/", nic_name);
    snprintf(search, sizeof search, "%s/%s/%s/", profile, nic_name, kw);
    size_t n = 0;
    bool structured = false;
    for (size_t b = 0; b < f->n_runs; b++) {
        structured |= strstr(f->runs[b].dir, any_profile) != NULL;
        const char *d = strstr(f->runs[b].dir, search);
        if (!d || (d != f->runs[b].dir && d[-1] != '/'))
            continue;
        add_point(out, &n, &f->runs[b], nic, kw, fig);
    }
    return structured ? n : SIZE_MAX;
}

/* The runs of one search: those in its own folders, or, where the runs were kept some
 * other way, those whose other searched keywords all equal those of the largest group
 * (the search holds the others fixed while it varies one). */
static size_t search_points(const rpt_folder *f, const dms_jv *values, size_t nic,
                            const char *nic_name, const char *kw, const char *profile,
                            double procs, const struct rpt_figure *fig, struct pt *out)
{
    size_t in_folders = folder_points(f, profile, nic_name, kw, nic, fig, out);
    if (in_folders != SIZE_MAX)
        return in_folders;
    size_t best = 0, best_n = 0;
    for (size_t a = 0; a < f->n_runs; a++) {
        if (!run_in_profile(f, &f->runs[a], profile, procs) || nic >= rpt__run_nics(&f->runs[a]))
            continue;
        size_t same = 0;
        for (size_t b = 0; b < f->n_runs; b++) {
            bool eq = run_in_profile(f, &f->runs[b], profile, procs);
            for (size_t k = 0; eq && k < values->n; k++)
                eq = strcmp(values->items[k]->key, kw) == 0 ||
                     rpt__run_keyword(&f->runs[a], nic, values->items[k]->key) ==
                         rpt__run_keyword(&f->runs[b], nic, values->items[k]->key);
            same += eq;
        }
        if (same > best_n) {
            best_n = same;
            best = a;
        }
    }
    size_t n = 0;
    for (size_t b = 0; best_n && b < f->n_runs; b++) {
        const struct rpt_run *r = &f->runs[b];
        bool eq = run_in_profile(f, r, profile, procs);
        for (size_t k = 0; eq && k < values->n; k++)
            eq = strcmp(values->items[k]->key, kw) == 0 ||
                 rpt__run_keyword(&f->runs[best], nic, values->items[k]->key) ==
                     rpt__run_keyword(r, nic, values->items[k]->key);
        if (eq)
            add_point(out, &n, r, nic, kw, fig);
    }
    return n;
}

static void recommend_keyword(const rpt_folder *f, const char *formats, const dms_jv *prof0,
                              size_t pi, const char *kw, struct rpt_plot_set *set)
{
    const dms_jv *nics = dms_jv_get(f->rec, "nics");
    const char *pname = dms_jv_str(dms_jv_get(prof0, "name"));
    double procs = dms_jv_num(dms_jv_get(prof0, "processors"));
    struct sizing s = {0};
    const char *binding = NULL;
    for (size_t i = 0; i < nics->n && s.npanels < 8; i++) {
        char p[64];
        snprintf(p, sizeof p, "profiles.%zu.values.%s", pi, kw);
        const dms_jv *v = dms_jv_path(nics->items[i], p);
        if (!v)
            continue;
        if (!binding)
            binding = dms_jv_str(dms_jv_get(v, "binding"));
        if (!binding) /* {"kind": "objective", "objective": NAME, ...} */
            binding = dms_jv_str(dms_jv_path(v, "binding.objective"));
        if (!s.fig)
            s.fig = keyword_figure(kw, binding);
        snprintf(p, sizeof p, "profiles.%zu.values", pi);
        struct pt *pts = dms_xcalloc(f->n_runs + 1, sizeof *pts);
        const char *name = dms_jv_str(dms_jv_get(nics->items[i], "name"));
        size_t n = search_points(f, dms_jv_path(nics->items[i], p), i, name ? name : "", kw,
                                 pname ? pname : "", procs, s.fig, pts);
        if (!n) {
            free(pts);
            continue;
        }
        snprintf(s.panels[s.npanels], 64, "%s", name ? name : "?");
        s.marks[s.npanels] = dms_jv_num(dms_jv_get(v, "value"));
        s.pts[s.npanels] = pts;
        s.npts[s.npanels++] = n;
    }
    if (s.npanels) {
        const struct rpt_run *r = rpt__main_run(f);
        char okey[64];
        snprintf(okey, sizeof okey, "scenario.objectives.%s", s.fig->objective);
        s.target = r ? dms_jv_num(dms_jv_path(r->json, okey)) : NAN;
        char stem[160], a[64], b[64], title[256], cap[320];
        rpt__slug(pname ? pname : "profile", a, sizeof a);
        rpt__slug(kw, b, sizeof b);
        snprintf(stem, sizeof stem, "sizing-%s-%s", a, b);
        snprintf(title, sizeof title, "%s against %s (profile %s)", s.fig->label, kw,
                 pname ? pname : "?");
        snprintf(cap, sizeof cap,
                 "Profile %s: %s against %s over the candidate runs of the search, with the "
                 "recommended value marked.",
                 pname ? pname : "?", s.fig->label, kw);
        s.stem = stem;
        s.title = title;
        s.caption = cap;
        s.xlabel = kw;
        rpt__sizing_plot(f, formats, &s, set);
    }
    for (size_t i = 0; i < s.npanels; i++)
        free(s.pts[i]);
}

/* curves.csv (profile,nic,keyword,value,objective,mean,ci_lo,ci_hi,run): the points the
 * search measured, which the sizing curves draw as they are. */
static void curves_keyword(const rpt_folder *f, const char *formats, const char *prof, size_t pi,
                           const char *kw, struct rpt_plot_set *set)
{
    const struct rpt_table *t = &f->curves;
    int cp = rpt__col(t, "profile"), cn = rpt__col(t, "nic"), ck = rpt__col(t, "keyword");
    int cv = rpt__col(t, "value"), co = rpt__col(t, "objective"), cm = rpt__col(t, "mean");
    int cl = rpt__col(t, "ci_lo"), ch = rpt__col(t, "ci_hi");
    const dms_jv *nics = dms_jv_get(f->rec, "nics");
    struct sizing s = {0};
    const char *objective = NULL;
    for (size_t i = 0; nics && i < nics->n && s.npanels < 8; i++) {
        const char *name = dms_jv_str(dms_jv_get(nics->items[i], "name"));
        struct pt *pts = dms_xcalloc(t->n_rows + 1, sizeof *pts);
        size_t n = 0;
        for (size_t r = 0; r < t->n_rows; r++) {
            char **c = t->cells[r];
            if (strcmp(c[cp], prof) || !name || strcmp(c[cn], name) || strcmp(c[ck], kw))
                continue;
            if (!objective)
                objective = c[co];
            double x = rpt__cell_num(c[cv]);
            bool dup = false;
            for (size_t j = 0; j < n; j++)
                dup |= pts[j].x == x;
            if (!dup && isfinite(x) && strcmp(c[co], objective) == 0)
                pts[n++] = (struct pt){x, rpt__cell_num(c[cm]), NAN, rpt__cell_num(c[cl]),
                                       rpt__cell_num(c[ch])};
        }
        if (!n) {
            free(pts);
            continue;
        }
        char p[96];
        snprintf(p, sizeof p, "profiles.%zu.values.%s.value", pi, kw);
        snprintf(s.panels[s.npanels], 64, "%s", name);
        s.marks[s.npanels] = dms_jv_num(dms_jv_path(nics->items[i], p));
        s.pts[s.npanels] = pts;
        s.npts[s.npanels++] = n;
    }
    s.fig = objective ? rpt__figure_by_objective(objective) : NULL;
    if (s.npanels && s.fig) {
        char p[96];
        snprintf(p, sizeof p, "profiles.%zu.objectives.%s.target", pi, objective);
        s.target = dms_jv_num(dms_jv_path(nics->items[0], p));
        char stem[160], a[64], b[64], title[256], cap[320];
        rpt__slug(prof, a, sizeof a);
        rpt__slug(kw, b, sizeof b);
        snprintf(stem, sizeof stem, "sizing-%s-%s", a, b);
        snprintf(title, sizeof title, "%s against %s (profile %s)", s.fig->label, kw, prof);
        snprintf(cap, sizeof cap,
                 "Profile %s: %s against %s at every size the search measured, with the "
                 "recommended value marked.", prof, s.fig->label, kw);
        s.stem = stem;
        s.title = title;
        s.caption = cap;
        s.xlabel = kw;
        rpt__sizing_plot(f, formats, &s, set);
    }
    for (size_t i = 0; i < s.npanels; i++)
        free(s.pts[i]);
}

static void curves_plots(const rpt_folder *f, const char *formats, struct rpt_plot_set *set)
{
    const dms_jv *nics = dms_jv_get(f->rec, "nics");
    const dms_jv *profs = nics && nics->n ? dms_jv_get(nics->items[0], "profiles") : NULL;
    int cp = rpt__col(&f->curves, "profile"), ck = rpt__col(&f->curves, "keyword");
    if (cp < 0 || ck < 0 || rpt__col(&f->curves, "nic") < 0 || rpt__col(&f->curves, "value") < 0 ||
        rpt__col(&f->curves, "objective") < 0 || rpt__col(&f->curves, "mean") < 0 ||
        rpt__col(&f->curves, "ci_lo") < 0 || rpt__col(&f->curves, "ci_hi") < 0)
        return;
    for (size_t pi = 0; profs && pi < profs->n; pi++) {
        const char *prof = dms_jv_str(dms_jv_get(profs->items[pi], "name"));
        char seen[32][64];
        size_t ns = 0;
        for (size_t r = 0; prof && r < f->curves.n_rows; r++) {
            char **c = f->curves.cells[r];
            bool dup = strcmp(c[cp], prof) != 0;
            for (size_t j = 0; j < ns && !dup; j++)
                dup = strcmp(seen[j], c[ck]) == 0;
            if (!dup && ns < 32)
                snprintf(seen[ns++], 64, "%s", c[ck]);
        }
        for (size_t k = 0; k < ns; k++)
            curves_keyword(f, formats, prof, pi, seen[k], set);
    }
}

void rpt__recommend_plots(const rpt_folder *f, const char *formats, struct rpt_plot_set *set)
{
    if (f->curves.n_cols) {
        curves_plots(f, formats, set);
        return;
    }
    const dms_jv *nics = dms_jv_get(f->rec, "nics");
    if (!nics || nics->type != DMS_JARR || !nics->n)
        return;
    const dms_jv *profs = dms_jv_get(nics->items[0], "profiles");
    for (size_t pi = 0; profs && pi < profs->n; pi++) {
        /* keywords in the order of the first NIC that has them */
        char seen[32][64];
        size_t ns = 0;
        for (size_t i = 0; i < nics->n; i++) {
            char p[64];
            snprintf(p, sizeof p, "profiles.%zu.values", pi);
            const dms_jv *vals = dms_jv_path(nics->items[i], p);
            for (size_t k = 0; vals && k < vals->n && ns < 32; k++) {
                bool dup = false;
                for (size_t j = 0; j < ns; j++)
                    dup |= strcmp(seen[j], vals->items[k]->key) == 0;
                if (!dup)
                    snprintf(seen[ns++], 64, "%s", vals->items[k]->key);
            }
        }
        for (size_t k = 0; k < ns; k++)
            recommend_keyword(f, formats, profs->items[pi], pi, seen[k], set);
    }
}

